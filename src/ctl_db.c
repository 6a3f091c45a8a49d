/*
 * ctl_db: dindexctl init, dump, load and check: the database as a whole.
 * A dump is {"format": "dindex-dump", "version": 1, "records": {key:
 * value}} with sorted keys and the password hashes, so its file is 0600.
 * load fills an empty database (--force: replaces it) through a new file
 * renamed into place; dump, load, dump gives the same bytes. check takes
 * the shared lock only, so it runs beside a serving dindex.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "account.h"
#include "admin.h"
#include "ctl.h"
#include "record.h"
#include "spool.h"
#include "store.h"

static int
has_any_user(const char *key, json_t *val, void *arg)
{
	(void)val;
	(void)arg;
	return strcmp(key, "user:*") != 0;
}

/* The database and the spool; on the first run the user admin with a
 * random password, shown once. */
int
ctl_init(struct ctl *ctl)
{
	const char *db = ctl->cfg->database;
	struct store *st;
	json_t *admin = NULL;
	char pw[2 * 12 + 1], key[LIM_KEY];
	int rc = -1, fresh = 0;

	store_key(key, STORE_USER, "admin");
	if (spool_init(ctl->cfg->spool) == 0 &&
	    store_open(db, STORE_CREATE, &st) == 0) {
		/* 1: a user, 0: none, -1: the walk failed */
		fresh = (rc = store_each(st, "user:", has_any_user, NULL)) == 0;
		rc = rc == -1 ? -1 : 0;
		if (fresh && (bytes_random_hex(pw, 12) == -1 ||
		    (admin = account_new(ctl->cfg, "admin", pw, "", 1, 1)) ==
		    NULL || store_put(st, key, admin) == -1))
			rc = -1;
		if (store_close(st) == -1)
			rc = -1;
	}
	if (rc == 0 && ctl->json)
		ctl->out = json_pack("{s:s, s:b, s:s*, s:s*}", "database", db,
		    "initialised", fresh, "administrator", fresh ? "admin" :
		    NULL, "password", fresh ? pw : NULL);
	else if (rc == 0 && fresh)
		printf("\n"
		    "  dindex initialised: %s\n"
		    "  administrator:      admin\n"
		    "  password:           %s\n"
		    "  (shown once; change it with 'dindexctl user passwd "
		    "admin')\n\n", db, pw);
	else if (rc == 0)
		printf("dindexctl: %s already holds users; nothing changed\n",
		    db);
	json_decref(admin);
	bytes_wipe(pw, sizeof(pw));
	return rc == 0 ? CTL_OK : ctl_refuse("cannot initialise %s", db);
}

/* dump FILE: opened before dindexctl becomes the database's owner (root
 * may write where that user may not), truncated only once the dump is
 * read (a failed dump leaves an older one whole), 0600 before a hash. */
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
	/* a new name is durable with its directory; the dump with its fsync */
	if (ctl_sync_dir_of(path) != CTL_OK) {
		fclose(fp);
		return NULL;
	}
	return fp;
}

int
ctl_dump(struct ctl *ctl)
{
	const char *path = NULL, *k;
	json_t *all = NULL, *doc = NULL, *v, *tmp;
	FILE *fp = stdout;
	int skipped = 0, rc = CTL_REFUSED;

	json_unpack(ctl->opt, "{s?s}", "file", &path);
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
	if (doc == NULL || (fp != stdout && ftruncate(fileno(fp), 0) == -1) ||
	    json_dumpf(doc, fp, JSON_INDENT(1) | JSON_SORT_KEYS) == -1 ||
	    fputc('\n', fp) == EOF || fflush(fp) != 0 ||
	    (fp != stdout && fsync(fileno(fp)) == -1))
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

/* Into found, by key: what the validators of every write (record.c),
 * then the references between records, say of the records in all. */
static void
problems(json_t *all, json_t *found)
{
	json_t *keys = admin_keys(all), *k, *v;
	const char *key, *p;
	size_t i;

	json_array_foreach(keys, i, k) {
		key = json_string_value(k);
		v = json_object_get(all, key);
		if ((p = strlen(key) >= LIM_KEY ? "key too long" :
		    record_check(key, v)) != NULL ||
		    (p = record_check_refs(key, v, all)) != NULL)
			json_array_append_new(found, json_pack("{s:s, s:s}",
			    "key", key, "problem", p));
	}
	json_decref(keys);
}

/* The records into a new file beside the database, synced, renamed over
 * it under the exclusive lock (if empty, or force): a load that fails at
 * any point (disk full, file size limit, a kill) leaves the old one. */
static int
restore(const char *db, const json_t *recs, int force)
{
	char tmp[LIM_PATH + 32];
	struct store *st;
	const char *k;
	json_t *v;
	int n, rc = CTL_OK;

	snprintf(tmp, sizeof(tmp), "%s.load.%ld", db, (long)getpid());
	if (store_open(tmp, STORE_NEW, &st) == -1)
		return ctl_refuse("cannot create %s; %s unchanged", tmp, db);
	json_object_foreach((json_t *)recs, k, v)
		if (rc == CTL_OK && store_put(st, k, v) == -1)
			rc = ctl_refuse("cannot write %s to %s; %s unchanged",
			    k, tmp, db);
	if (store_close(st) == -1 && rc == CTL_OK)
		rc = ctl_refuse("cannot sync %s; %s unchanged", tmp, db);
	if (rc == CTL_OK && store_open(db, STORE_CREATE, &st) == -1)
		rc = ctl_refuse("cannot open %s", db);
	else if (rc == CTL_OK) {
		if ((n = store_has(st, "")) == -1)
			rc = ctl_refuse("cannot read %s", db);
		else if (n != 0 && !force)
			rc = ctl_refuse("%s is not empty (load --force replaces "
			    "everything in it)", db);
		else if (store_replace(st, tmp) == -1)
			rc = ctl_refuse("cannot put the new database in place "
			    "of %s", db);
		if (store_close(st) == -1 && rc == CTL_OK)
			rc = ctl_refuse("cannot sync %s", db);
	}
	if (rc != CTL_OK)
		unlink(tmp);
	return rc;
}

/* A dump is loaded only when every record passes what check asks. */
int
ctl_load(struct ctl *ctl)
{
	const char *path = NULL, *format = "", *key, *why;
	json_t *doc = NULL, *recs = NULL, *found;
	json_error_t err;
	FILE *fp = stdin;
	int force = 0, version = 0, rc;

	json_unpack(ctl->opt, "{s?s, s?b}", "file", &path, "force", &force);
	/* opened with the caller's rights, like dump FILE */
	if (path != NULL && (fp = fopen(path, "re")) == NULL)
		return ctl_refuse("%s: %s", path, strerror(errno));
	if ((rc = ctl_become_owner(ctl->cfg)) == CTL_OK)
		doc = json_loadf(fp, JSON_REJECT_DUPLICATES, &err);
	if (path != NULL)
		fclose(fp);
	if (rc != CTL_OK)
		return rc;
	found = json_array();
	if (doc == NULL)
		rc = ctl_refuse("%s:%d: %s", path ? path : "stdin",
		    err.line, err.text);
	else if (json_unpack(doc, "{s:s, s:i, s:o}", "format", &format,
	    "version", &version, "records", &recs) == -1 ||
	    strcmp(format, "dindex-dump") != 0 || version != 1 ||
	    !json_is_object(recs))
		rc = ctl_refuse("not a dindex dump (version 1)");
	else if (problems(recs, found), json_unpack(json_array_get(found, 0),
	    "{s:s, s:s}", "key", &key, "problem", &why) == 0)
		rc = ctl_refuse("bad record '%.64s': %s", key, why);
	else
		rc = restore(ctl->cfg->database, recs, force);
	json_decref(found);
	json_decref(doc);
	return rc;
}

int
ctl_check(struct ctl *ctl)
{
	json_t *all, *found, *u, *f;
	const char *k;
	size_t i, admins = 0;

	if (admin_collect(ctl->cfg, "", &all) != RES_OK)
		return ctl_refuse("cannot read %s", ctl->cfg->database);
	found = json_array();
	problems(all, found);
	json_object_foreach(all, k, u)
		admins += strncmp(k, "user:", 5) == 0 && admin_enabled_admin(u);
	if (admins == 0 && json_object_size(all) > 0)
		json_array_append_new(found, json_pack("{s:s, s:s}", "key",
		    "database", "problem", "no enabled administrator"));
	if (ctl->json)
		ctl_print_json(found);
	json_array_foreach(found, i, f)
		if (!ctl->json)
			printf("%s: %s\n", record_str(f, "key"),
			    record_str(f, "problem"));
	if ((i = json_array_size(found)) == 0 && !ctl->json)
		printf("%zu records, no problems\n", json_object_size(all));
	json_decref(found);
	json_decref(all);
	return i == 0 ? CTL_OK : ctl_refuse("problems found: %zu", i);
}
