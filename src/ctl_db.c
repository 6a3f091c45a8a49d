/*
 * ctl_db: dindexctl token gc, dump, load and check: the whole database.
 * A dump is one JSON document {"format": "dindex-dump", "version": 1,
 * "records": {key: value}} with sorted keys, password hashes included, so
 * a file it is written to is created 0600. load restores a dump into an
 * empty database (or, with --force, replaces everything) in one
 * transaction; dump, load, dump gives the same bytes. check reads under
 * the shared lock, so it runs beside a serving dindex.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "admin.h"
#include "ctl.h"
#include "lim.h"
#include "record.h"
#include "refresh.h"
#include "store.h"

static int
expired(const json_t *t, const void *now)
{
	json_t *e = json_object_get(t, "expires");

	return !json_is_integer(e) ||
	    json_integer_value(e) <= *(const time_t *)now;
}

/* token list USER: the user's refresh tokens, without their secrets. */
static int
token_list(const struct ctl *ctl, const char *user)
{
	json_t *list = refresh_list(ctl->cfg, user), *t;
	char c[32], u[32];
	size_t i;

	if (list == NULL)
		return ctl_refuse("cannot read %s", ctl->cfg->database);
	if (ctl->json)
		ctl_print_json(list);
	else
		printf("%-8s %-20s %-19s %s\n", "ID", "SERVICE", "CREATED",
		    "LAST USED");
	json_array_foreach(list, i, t)
		if (!ctl->json)
			printf("%-8s %-20s %-19s %s\n", ctl_str(t, "id"),
			    ctl_str(t, "service"), ctl_time(json_object_get(t,
			    "created"), c, sizeof(c)), ctl_time(
			    json_object_get(t, "used"), u, sizeof(u)));
	json_decref(list);
	return CTL_OK;
}

int
ctl_token(const struct ctl *ctl, int argc, char **argv)
{
	struct store *st;
	time_t now = time(NULL);
	int n, r;

	if (argc == 3 && strcmp(argv[1], "list") == 0)
		return token_list(ctl, argv[2]);
	if (argc == 4 && strcmp(argv[1], "rm") == 0) {
		r = refresh_revoke(ctl->cfg, argv[2], argv[3]);
		return r == 0 ? CTL_OK : ctl_refuse("%s", r == 1 ?
		    "no such token" : "database error");
	}
	if (argc != 2 || strcmp(argv[1], "gc") != 0)
		return ctl_usage();
	if (store_open(ctl->cfg->database, STORE_WRITE, &st) == -1)
		return ctl_refuse("cannot open %s", ctl->cfg->database);
	n = admin_purge(st, "token:", expired, &now);
	r = refresh_gc(st, ctl->cfg);
	n = n == -1 || r == -1 ? -1 : n + r;
	if (store_close(st) == -1 || n == -1)
		return ctl_refuse("token gc failed");
	if (ctl->json)
		printf("{\"removed\": %d}\n", n);
	else
		printf("%d expired tokens removed\n", n);
	return CTL_OK;
}

static int
write_doc(const json_t *doc, const char *path)
{
	FILE *fp = stdout;
	int fd, ok;

	if (path != NULL) {
		/* fchmod: an existing file, now empty, is 0600 before a
		 * hash is written to it */
		fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW |
		    O_CLOEXEC, 0600);
		if (fd == -1 || fchmod(fd, 0600) == -1 ||
		    (fp = fdopen(fd, "w")) == NULL) {
			if (fd != -1)
				close(fd);
			return -1;
		}
	}
	ok = json_dumpf(doc, fp, JSON_INDENT(1) | JSON_SORT_KEYS) == 0 &&
	    fputc('\n', fp) != EOF && fflush(fp) == 0 &&
	    (path == NULL || fsync(fileno(fp)) == 0);
	if (path != NULL && fclose(fp) != 0)
		ok = 0;
	return ok ? 0 : -1;
}

int
ctl_dump(const struct ctl *ctl, int argc, char **argv)
{
	const char *path = NULL, *k;
	json_t *all, *doc, *v, *tmp;
	int skipped = 0;

	if (argc == 2 && argv[1][0] != '-')
		path = argv[1];
	else if (argc == 3 && strcmp(argv[1], "-o") == 0)
		path = argv[2];
	else if (argc != 1)
		return ctl_usage();
	if (admin_collect(ctl->cfg, "", &all) != ADMIN_OK)
		return ctl_refuse("cannot read %s", ctl->cfg->database);
	json_object_foreach_safe(all, tmp, k, v) {
		if (!json_is_null(v))
			continue;
		ctl_refuse("%s: does not parse; left out of the dump", k);
		json_object_del(all, k);
		skipped++;
	}
	doc = json_pack("{s:s, s:i, s:o}", "format", "dindex-dump",
	    "version", 1, "records", all);
	if (doc == NULL || write_doc(doc, path) == -1) {
		json_decref(doc);
		return ctl_refuse("%s: %s", path ? path : "stdout",
		    strerror(errno));
	}
	json_decref(doc);
	return skipped ? ctl_refuse("dump incomplete: %d records left out",
	    skipped) : CTL_OK;
}

static int
any(const char *key, json_t *val, void *arg)
{
	(void)key;
	(void)val;
	(void)arg;
	return 1;
}

static int
restore(struct store *st, json_t *recs, int force, const char *db)
{
	const char *k;
	json_t *v;
	int n;

	if ((n = store_each(st, "", any, NULL)) == -1)
		return ctl_refuse("cannot read %s", db);
	if (n != 0 && !force)
		return ctl_refuse("%s is not empty (load --force replaces "
		    "everything in it)", db);
	if (n != 0 && admin_purge(st, "", NULL, NULL) == -1)
		return ctl_refuse("cannot empty %s", db);
	json_object_foreach(recs, k, v)
		if (store_put(st, k, v) == -1)
			return ctl_refuse("cannot write %s: load incomplete",
			    k);
	return CTL_OK;
}

/* What is wrong with one record among all, or NULL: the validators
 * every write passes (record.c), then the references between records. */
static const char *
problem(const char *key, const json_t *v, const json_t *all)
{
	const char *p = record_check(key, v);

	return p != NULL ? p : record_check_refs(key, v, all);
}

/* A dump is loaded only when every record passes what check asks. */
static int
load_check(const json_t *recs)
{
	const char *k, *p;
	json_t *v;

	json_object_foreach((json_t *)recs, k, v)
		if (strlen(k) >= LIM_KEY || (p = problem(k, v, recs)) != NULL)
			return ctl_refuse("bad record '%.64s': %s", k,
			    strlen(k) >= LIM_KEY ? "key too long" : p);
	return CTL_OK;
}

int
ctl_load(const struct ctl *ctl, int argc, char **argv)
{
	struct store *st;
	const char *path = NULL, *format = "";
	json_t *doc, *recs = NULL;
	json_error_t err;
	FILE *fp = stdin;
	int i, force = 0, version = 0, rc = CTL_OK;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--force") == 0)
			force = 1;
		else if (path == NULL && argv[i][0] != '-')
			path = argv[i];
		else
			return ctl_usage();
	}
	if (path != NULL && (fp = fopen(path, "r")) == NULL)
		return ctl_refuse("%s: %s", path, strerror(errno));
	doc = json_loadf(fp, JSON_REJECT_DUPLICATES, &err);
	if (path != NULL)
		fclose(fp);
	if (doc == NULL)
		return ctl_refuse("%s:%d: %s", path ? path : "stdin",
		    err.line, err.text);
	if (json_unpack(doc, "{s:s, s:i, s:o}", "format", &format, "version",
	    &version, "records", &recs) == -1 ||
	    strcmp(format, "dindex-dump") != 0 || version != 1 ||
	    !json_is_object(recs))
		rc = ctl_refuse("not a dindex dump (version 1)");
	if (rc == CTL_OK)
		rc = load_check(recs);
	if (rc == CTL_OK && store_open(ctl->cfg->database, STORE_CREATE,
	    &st) == -1)
		rc = ctl_refuse("cannot open %s", ctl->cfg->database);
	else if (rc == CTL_OK) {
		rc = restore(st, recs, force, ctl->cfg->database);
		if (store_close(st) == -1 && rc == CTL_OK)
			rc = ctl_refuse("cannot sync %s", ctl->cfg->database);
	}
	json_decref(doc);
	return rc;
}

int
ctl_check(const struct ctl *ctl, int argc, char **argv)
{
	json_t *all, *keys, *k, *v, *found;
	const char *p, *key;
	size_t i, admins = 0;

	(void)argv;
	if (argc != 1)
		return ctl_usage();
	if (admin_collect(ctl->cfg, "", &all) != ADMIN_OK)
		return ctl_refuse("cannot read %s", ctl->cfg->database);
	keys = admin_keys(all);
	found = json_array();
	json_array_foreach(keys, i, k) {
		key = json_string_value(k);
		v = json_object_get(all, key);
		admins += strncmp(key, "user:", 5) == 0 &&
		    json_is_true(json_object_get(v, "enabled")) &&
		    json_is_true(json_object_get(v, "admin"));
		if ((p = problem(key, v, all)) != NULL)
			json_array_append_new(found, json_pack("{s:s, s:s}",
			    "key", key, "problem", p));
	}
	if (admins == 0 && json_object_size(all) > 0)
		json_array_append_new(found, json_pack("{s:s, s:s}", "key",
		    "database", "problem", "no enabled administrator"));
	if (ctl->json)
		ctl_print_json(found);
	json_array_foreach(found, i, k)
		if (!ctl->json)
			printf("%s: %s\n", json_string_value(json_object_get(k,
			    "key")), json_string_value(json_object_get(k,
			    "problem")));
	if ((i = json_array_size(found)) == 0 && !ctl->json)
		printf("%zu records, no problems\n", json_object_size(all));
	json_decref(found);
	json_decref(keys);
	json_decref(all);
	return i == 0 ? CTL_OK : ctl_refuse("problems found: %zu", i);
}
