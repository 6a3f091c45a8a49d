/*
 * status: dindexctl status and metrics, two views of one reading: the
 * records by kind (one read transaction), the spool's states, dindex-
 * deliver's counters (stats:deliver, drain.c), the certificate. metrics
 * --write puts the Prometheus text in metrics_file by tmp, fsync, rename.
 */
#include <sys/stat.h>

#include <errno.h>
#include <libgen.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "ctl.h"
#include "spool.h"
#include "store.h"

/* Each kind's name in the reading's "records" (NULL: not counted). */
static const char *const kinds[] = {
	[STORE_USER] = "users", [STORE_REPO] = "repositories",
	[STORE_TOKEN] = "tokens", [STORE_REFRESH] = "refresh_tokens",
	[STORE_HOOKS] = "webhook_lists", [STORE_HIST] = "webhook_histories",
	[STORE_ATOK] = "access_tokens", [STORE_TEAM] = "teams",
};
/* The metrics: field of object "of" of the reading; help on the first
 * of each family; a name ending in _total is a counter. */
#define SP(s)	"dindex_spool_deliveries{state=\"" s "\"}"
static const struct {
	const char	*of, *field, *metric, *help;
} rows[] = {
	{ "records", "users", "dindex_users", "Accounts, any state." },
	{ "records", "repositories", "dindex_repositories", "Repositories." },
	{ "records", "tokens", "dindex_tokens{type=\"v1\"}", "By type." },
	{ "records", "refresh_tokens", "dindex_tokens{type=\"refresh\"}", 0 },
	{ "records", "access_tokens", "dindex_tokens{type=\"access\"}", 0 },
	{ "spool", "new", SP("new"), "Webhook deliveries by state." },
	{ "spool", "active", SP("active"), NULL },
	{ "spool", "deferred", SP("deferred"), NULL },
	{ "spool", "failed", SP("failed"), NULL },
	{ "spool", "oldest_waiting_seconds", "dindex_spool_oldest_waiting_"
	    "seconds", "Age of the oldest delivery in new or deferred." },
	{ "deliver", "attempts", "dindex_deliveries_attempted_total",
	    "Delivery attempts by dindex-deliver." },
	{ "deliver", "failed", "dindex_deliveries_failed_total",
	    "Delivery attempts without a 2xx." },
	{ "certificate", "expires_at", "dindex_certificate_expiry_"
	    "timestamp_seconds", "When token_cert expires." },
	{ "database", "bytes", "dindex_database_bytes", "Its file's size." },
};

static int
count(const char *key, json_t *val, void *arg)
{
	json_t *recs = json_object_get(arg, "records");
	int k = store_kind(key, NULL);
	const char *n;

	if (strcmp(key, "stats:deliver") == 0 && val != NULL)
		json_object_update(json_object_get(arg, "deliver"), val);
	if (k < 0 || k >= (int)LEN(kinds) || (n = kinds[k]) == NULL)
		return 0;
	json_object_set_new(recs, n, json_integer(1 +
	    json_integer_value(json_object_get(recs, n))));
	return 0;
}

/* Whether dindex-deliver.service's ReadWritePaths= (drop-ins merged) let
 * it write path; 1 when it names none or systemd does not answer. */
static int
unit_allows(const char *path)
{
	char line[LIM_CONF_LINE] = "", *w;
	FILE *p = popen("systemctl show -P ReadWritePaths "
	    "dindex-deliver.service 2>/dev/null", "re");
	int ok;
	size_t n;

	if (p != NULL && fgets(line, sizeof(line), p) == NULL)
		line[0] = '\0';
	if (p != NULL)
		pclose(p);
	ok = line[strspn(line, " \n")] == '\0';
	for (w = strtok(line, " \n"); w != NULL; w = strtok(NULL, " \n")) {
		w += *w == '-';
		n = strlen(w);
		ok |= strncmp(path, w, n) == 0 &&
		    (path[n] == '/' || path[n] == '\0');
	}
	return ok;
}

/* Everything status shows; NULL when the database cannot be read. */
static json_t *
reading(const struct config *c, const char *conf)
{
	struct store *st;
	struct stat sb;
	json_t *s;

	s = json_pack("{s:s, s:{s:s, s:I}, s:{}, s:o, s:{s:i, s:i, s:i, s:s},"
	    " s:b, s:o, s:[]}", "config", conf, "database", "path",
	    c->database, "bytes", (json_int_t)(stat(c->database, &sb) == 0 ?
	    sb.st_size : 0), "records", "spool", spool_counts(c->spool),
	    "deliver", "attempts", 0, "failed", 0, "last_at", 0, "result",
	    "none", "v2", c->token_key[0] != '\0', "certificate",
	    ctl_key_cert(c->token_cert), "warnings");
	/* the lock held for the records only */
	if (s == NULL || store_open(c->database, STORE_READ, &st) == -1) {
		json_decref(s);
		return NULL;
	}
	if (store_each(st, "", count, s) != 0) {
		json_decref(s);
		s = NULL;
	}
	store_close(st);
	return s;
}

/* The text of value v; a number under a key with "_at" is a time. */
static const char *
text(const char *k, const json_t *v, char *buf, size_t len)
{
	time_t t = (time_t)json_integer_value(v);

	if (json_is_string(v))
		return json_string_value(v);
	if (json_is_boolean(v))
		return json_is_true(v) ? "yes" : "no";
	if (!json_is_integer(v))
		return "-";
	if (strstr(k, "_at") != NULL && t > 0 && strftime(buf, len,
	    "%Y-%m-%d %H:%M:%S UTC", gmtime(&t)) > 0)
		return buf;
	snprintf(buf, len, "%lld", (long long)t);
	return buf;
}

/* The reading as "a.b  value" lines. */
static void
print_tree(const char *prefix, const json_t *o)
{
	char name[64], buf[32];
	const char *k;
	json_t *v;
	size_t i;

	json_object_foreach((json_t *)o, k, v) {
		snprintf(name, sizeof(name), "%s%s%s", prefix, k,
		    json_is_object(v) ? "." : "");
		if (json_is_object(v))
			print_tree(name, v);
		else if (!json_is_array(v))
			printf("%-28s %s\n", name, text(k, v, buf, sizeof(buf)));
		for (i = 0; i < json_array_size(v); i++)
			printf("%-28s %s\n", name, text(k, json_array_get(v, i),
			    buf, sizeof(buf)));
	}
}

int
ctl_status(struct ctl *ctl)
{
	char dir[LIM_PATH];

	ctl->out = reading(ctl->cfg, config_path(ctl->conf));
	if (ctl->out == NULL)
		return ctl_refuse("cannot read %s", ctl->cfg->database);
	snprintf(dir, sizeof(dir), "%s", ctl->cfg->database);
	if (!unit_allows(dirname(dir)) || !unit_allows(ctl->cfg->spool))
		json_array_append_new(json_object_get(ctl->out, "warnings"),
		    json_sprintf("%s or %s is outside the ReadWritePaths= of "
		    "dindex-deliver.service: add a drop-in (README, Moving "
		    "the database)", dir, ctl->cfg->spool));
	if (!ctl->json)
		print_tree("", ctl->out);
	return CTL_OK;
}

/* The Prometheus text format; an absent certificate, or a count that
 * could not be made (null), has no sample. */
static void
metrics(FILE *f, const json_t *s)
{
	const json_t *o, *v;
	size_t i, n, len;

	for (i = 0; i < LEN(rows); i++) {
		if (!json_is_object(o = json_object_get(s, rows[i].of)))
			continue;
		n = strcspn(rows[i].metric, "{");
		len = strlen(rows[i].metric);
		if (rows[i].help != NULL)
			fprintf(f, "# HELP %.*s %s\n# TYPE %.*s %s\n", (int)n,
			    rows[i].metric, rows[i].help, (int)n,
			    rows[i].metric, len > 6 && strcmp(rows[i].metric +
			    len - 6, "_total") == 0 ? "counter" : "gauge");
		if (json_is_integer(v = json_object_get(o, rows[i].field)))
			fprintf(f, "%s %lld\n", rows[i].metric,
			    (long long)json_integer_value(v));
	}
}

static int
write_metrics(const char *path, const json_t *s)
{
	char tmp[LIM_PATH + 16];
	FILE *f;
	int rc;

	snprintf(tmp, sizeof(tmp), "%s.%ld", path, (long)getpid());
	if ((f = fopen(tmp, "wxe")) == NULL)
		return ctl_refuse("%s: %s", tmp, strerror(errno));
	metrics(f, s);
	rc = fflush(f) != 0 || fsync(fileno(f)) != 0;
	if (fclose(f) != 0 || rc || rename(tmp, path) == -1) {
		rc = ctl_refuse("%s: %s", tmp, strerror(errno));
		unlink(tmp);
		return rc;
	}
	return ctl_sync_dir_of(path);
}

int
ctl_metrics(struct ctl *ctl)
{
	json_t *s = reading(ctl->cfg, "");
	int w = 0, rc = CTL_OK;

	json_unpack(ctl->opt, "{s?b}", "write", &w);
	if (s == NULL)
		return ctl_refuse("cannot read %s", ctl->cfg->database);
	if (!w)
		metrics(stdout, s);
	else if (ctl->cfg->metrics_file[0] != '\0')
		rc = write_metrics(ctl->cfg->metrics_file, s);
	json_decref(s);
	return rc;
}
