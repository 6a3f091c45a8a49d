/*
 * ctl_db: dindexctl token gc, dump, load and check: the whole database.
 * A dump is one JSON document {"format": "dindex-dump", "version": 1,
 * "records": {key: value}} with sorted keys, password hashes included, so
 * a file it is written to is created 0600. load restores a dump into an
 * empty database (or, with --force, replaces everything) by writing a new
 * file beside it and renaming it into place under the exclusive lock;
 * dump, load, dump gives the same bytes. check reads under
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
#include "store.h"
#include "token.h"

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

/* dump FILE: opened before dindexctl becomes the database's owner (root
 * may write where that user may not), but not truncated before the dump
 * is read, so a failed dump leaves an older one whole. fchmod: an
 * existing file is 0600 before a hash is written to it. */
static FILE *
dump_file(const char *path)
{
	FILE *fp;
	int fd;

	fd = open(path, O_WRONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd == -1 || fchmod(fd, 0600) == -1 || (fp = fdopen(fd, "w")) ==
	    NULL) {
		ctl_refuse("%s: %s", path, strerror(errno));
		if (fd != -1)
			close(fd);
		return NULL;
	}
	return fp;
}

static int
write_doc(const json_t *doc, FILE *fp)
{
	return (fp == stdout || ftruncate(fileno(fp), 0) == 0) &&
	    json_dumpf(doc, fp, JSON_INDENT(1) | JSON_SORT_KEYS) == 0 &&
	    fputc('\n', fp) != EOF && fflush(fp) == 0 &&
	    (fp == stdout || fsync(fileno(fp)) == 0) ? 0 : -1;
}

int
ctl_dump(const struct ctl *ctl, int argc, char **argv)
{
	const char *path = NULL, *k;
	json_t *all = NULL, *doc = NULL, *v, *tmp;
	FILE *fp = stdout;
	int skipped = 0, rc = CTL_REFUSED;

	if (argc == 2 && argv[1][0] != '-')
		path = argv[1];
	else if (argc == 3 && strcmp(argv[1], "-o") == 0)
		path = argv[2];
	else if (argc != 1)
		return ctl_usage();
	if ((path != NULL && (fp = dump_file(path)) == NULL) ||
	    ctl_become_owner(ctl->cfg) != 0)
		goto out;
	if (admin_collect(ctl->cfg, "", &all) != RES_OK) {
		ctl_refuse("cannot read %s", ctl->cfg->database);
		goto out;
	}
	json_object_foreach_safe(all, tmp, k, v) {
		if (!json_is_null(v))
			continue;
		ctl_refuse("%s: does not parse; left out of the dump", k);
		json_object_del(all, k);
		skipped++;
	}
	doc = json_pack("{s:s, s:i, s:O}", "format", "dindex-dump",
	    "version", 1, "records", all);
	if (doc == NULL || write_doc(doc, fp) == -1)
		ctl_refuse("%s: %s", path ? path : "stdout", strerror(errno));
	else
		rc = skipped ? ctl_refuse("dump incomplete: %d records left "
		    "out", skipped) : CTL_OK;
out:
	if (fp != NULL && fp != stdout && fclose(fp) != 0 && rc == CTL_OK)
		rc = ctl_refuse("%s: %s", path, strerror(errno));
	json_decref(doc);
	json_decref(all);
	return rc;
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

/* Under the exclusive lock: refuse a database that holds anything
 * without force, else rename the new file over it. */
static int
install(const char *db, const char *tmp, int force)
{
	struct store *st;
	int n, rc = CTL_REFUSED;

	if (store_open(db, STORE_CREATE, &st) == -1)
		return ctl_refuse("cannot open %s", db);
	if ((n = store_has(st, "")) == -1)
		ctl_refuse("cannot read %s", db);
	else if (n != 0 && !force)
		ctl_refuse("%s is not empty (load --force replaces everything "
		    "in it)", db);
	else if (store_replace(st, tmp) == -1)
		ctl_refuse("cannot put the new database in place of %s", db);
	else
		rc = CTL_OK;
	if (store_close(st) == -1 && rc == CTL_OK)
		rc = ctl_refuse("cannot sync %s", db);
	return rc;
}

/* The records into a new file beside the database, synced, then renamed
 * into place: a load that fails (disk full, file size limit, a kill) at
 * any point leaves the old database as it was. */
static int
restore(const char *db, const json_t *recs, int force)
{
	char tmp[LIM_PATH + 32];
	struct store *st;
	const char *k;
	json_t *v;
	int rc = CTL_OK;

	snprintf(tmp, sizeof(tmp), "%s.load.%ld", db, (long)getpid());
	if (store_open(tmp, STORE_NEW, &st) == -1)
		return ctl_refuse("cannot create %s; %s unchanged", tmp, db);
	json_object_foreach((json_t *)recs, k, v)
		if (store_put(st, k, v) == -1) {
			rc = ctl_refuse("cannot write %s to %s; %s unchanged",
			    k, tmp, db);
			break;
		}
	if (store_close(st) == -1 && rc == CTL_OK)
		rc = ctl_refuse("cannot sync %s; %s unchanged", tmp, db);
	if (rc == CTL_OK)
		rc = install(db, tmp, force);
	if (rc != CTL_OK)
		unlink(tmp);
	return rc;
}

int
ctl_load(const struct ctl *ctl, int argc, char **argv)
{
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
	/* opened with the caller's rights, like dump FILE */
	if (path != NULL && (fp = fopen(path, "re")) == NULL)
		return ctl_refuse("%s: %s", path, strerror(errno));
	if (ctl_become_owner(ctl->cfg) != 0) {
		if (path != NULL)
			fclose(fp);
		return CTL_REFUSED;
	}
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
	if (rc == CTL_OK && (rc = load_check(recs)) == CTL_OK)
		rc = restore(ctl->cfg->database, recs, force);
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
	if (admin_collect(ctl->cfg, "", &all) != RES_OK)
		return ctl_refuse("cannot read %s", ctl->cfg->database);
	keys = admin_keys(all);
	found = json_array();
	json_array_foreach(keys, i, k) {
		key = json_string_value(k);
		v = json_object_get(all, key);
		admins += strncmp(key, "user:", 5) == 0 &&
		    admin_enabled_admin(v);
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
