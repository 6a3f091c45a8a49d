/*
 * store: the one GDBM file that holds all state, its locks and its search
 * index, as README.md describes them ("Database key schema", "Locking",
 * "Crash safety", "Search"). The data lock is flock() on the directory,
 * taken through the gate "<db>.lock" within LIM_LOCK_SECONDS. Byte 0 of
 * the lock file is MARK_CLEAN only while the file and its index are whole
 * (a writer sets MARK_DIRTY before its first change, MARK_CLEAN after the
 * sync); whoever finds anything else recovers before anyone reads.
 */
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/time.h>

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <gdbm.h>

#include "lim.h"
#include "log.h"
#include "record.h"
#include "store.h"

#define MARK_CLEAN	'c'
#define MARK_DIRTY	'd'

static const char *const prefixes[] = {
	[STORE_USER] = "user:", [STORE_REPO] = "repo:",
	[STORE_TOKEN] = "token:", [STORE_REFRESH] = "refresh:",
	[STORE_HOOKS] = "hooks:", [STORE_HIST] = "hist:",
	[STORE_ATOK] = "atok:", [STORE_SEARCH] = "search:",
	[STORE_STATS] = "stats:", [STORE_TEAM] = "team:",
	[STORE_SESSION] = "session:",
};

struct store {
	GDBM_FILE	 db;
	int		 lockfd;	/* gate and mark; -1: STORE_NEW */
	int		 dirfd;		/* the directory: data lock */
	int		 writer;
	int		 dirty;		/* mark set by this transaction */
	json_t		*shards;	/* index records changed, until close */
	char		 path[LIM_PATH];
	char		 lockpath[LIM_PATH + 8];
};

int
store_key(char *key, enum store_kind kind, const char *name)
{
	int n = snprintf(key, LIM_KEY, "%s%s", prefixes[kind], name);

	return n >= 0 && n < LIM_KEY ? 0 : -1;
}

int
store_kind(const char *key, const char **name)
{
	size_t i, n;

	for (i = 0; i < LEN(prefixes); i++) {
		n = strlen(prefixes[i]);
		if (strncmp(key, prefixes[i], n) == 0) {
			if (name != NULL)
				*name = key + n;
			return (int)i;
		}
	}
	return -1;
}

static int
syserr(const char *call, const char *path)
{
	log_msg(LOG_ERR, "%s %s: %s", call, path, strerror(errno));
	return -1;
}

static int
dberr(const char *call, const char *path)
{
	log_msg(LOG_ERR, "%s %s: %s%s%s", call, path,
	    gdbm_strerror(gdbm_errno), gdbm_check_syserr(gdbm_errno) ? ": " :
	    "", gdbm_check_syserr(gdbm_errno) ? strerror(errno) : "");
	return -1;
}

int
store_get(struct store *st, const char *key, json_t **out)
{
	datum k = { (char *)key, (int)strlen(key) }, v;
	json_error_t err;

	*out = NULL;
	if ((v = gdbm_fetch(st->db, k)).dptr == NULL)
		return gdbm_errno == GDBM_ITEM_NOT_FOUND ? 1 :
		    dberr("gdbm_fetch", st->path);
	*out = json_loadb(v.dptr, v.dsize, JSON_REJECT_DUPLICATES, &err);
	free(v.dptr);
	if (*out != NULL)
		return 0;
	log_msg(LOG_ERR, "%s: record does not parse: %s", st->path, err.text);
	return -1;
}

static int
put_raw(struct store *st, const char *key, const json_t *val)
{
	datum k = { (char *)key, (int)strlen(key) }, v;
	int rc;

	v.dptr = json_dumps(val, JSON_COMPACT | JSON_SORT_KEYS |
	    JSON_ENCODE_ANY);
	if (v.dptr == NULL)
		return -1;
	v.dsize = (int)strlen(v.dptr);
	if ((rc = gdbm_store(st->db, k, v, GDBM_REPLACE)) != 0)
		rc = dberr("gdbm_store", st->path);
	free(v.dptr);
	return rc;
}

static int
del_raw(struct store *st, const char *key)
{
	datum k = { (char *)key, (int)strlen(key) };

	if (gdbm_delete(st->db, k) == 0)
		return 0;
	return gdbm_errno == GDBM_ITEM_NOT_FOUND ? 1 :
	    dberr("gdbm_delete", st->path);
}

int
store_each(struct store *st, const char *prefix,
    int (*fn)(const char *, json_t *, void *), void *arg)
{
	int hide = store_kind(prefix, NULL) != STORE_SEARCH, rc = 0;
	char key[LIM_KEY];
	datum k, next, v;
	json_t *val;

	for (k = gdbm_firstkey(st->db); k.dptr != NULL && rc == 0; k = next) {
		snprintf(key, sizeof(key), "%.*s", k.dsize, k.dptr);
		if (k.dsize < LIM_KEY && strncmp(key, prefix, strlen(prefix)) ==
		    0 && !(hide && store_kind(key, NULL) == STORE_SEARCH)) {
			v = gdbm_fetch(st->db, k);
			val = v.dptr ? json_loadb(v.dptr, v.dsize,
			    JSON_REJECT_DUPLICATES, NULL) : NULL;
			free(v.dptr);
			rc = fn != NULL ? fn(key, val, arg) : 1;
			json_decref(val);
		}
		next = gdbm_nextkey(st->db, k);
		free(k.dptr);
	}
	/* the end and a failed read both give no key: tell them apart */
	if (k.dptr == NULL && rc == 0 && gdbm_errno != GDBM_ITEM_NOT_FOUND)
		rc = dberr("gdbm_nextkey", st->path);
	free(k.dptr);
	return rc;
}

int
store_has(struct store *st, const char *prefix)
{
	return store_each(st, prefix, NULL, NULL);
}

struct purge {
	int	(*match)(const char *, json_t *, void *);
	void	*arg;
	json_t	*keys;
};

static int
collect(const char *key, json_t *val, void *arg)
{
	struct purge *p = arg;

	if (p->match != NULL && !p->match(key, val, p->arg))
		return 0;
	return json_array_append_new(p->keys, json_string(key));
}

/* store_each forbids writes from its callback: collect, then delete. */
static int
purge(struct store *st, const char *prefix,
    int (*match)(const char *, json_t *, void *), void *arg,
    int (*del)(struct store *, const char *))
{
	struct purge p = { match, arg, json_array() };
	json_t *k;
	size_t i;
	int rc = -1;

	if (p.keys == NULL || store_each(st, prefix, collect, &p) != 0)
		goto out;
	json_array_foreach(p.keys, i, k)
		if (del(st, json_string_value(k)) == -1)
			goto out;
	rc = (int)json_array_size(p.keys);
out:
	json_decref(p.keys);
	return rc;
}

/* The search index: the shard that holds repository name. */
static void
shard_key(const char *name, char key[16])
{
	uint32_t h = 2166136261u;	/* FNV-1a */

	for (; *name; name++)
		h = (h ^ (unsigned char)*name) * 16777619u;
	snprintf(key, 16, "%s%u", prefixes[STORE_SEARCH],
	    (unsigned)(h % LIM_SEARCH_SHARDS));
}

/* After a write of "repo:<name>" (val NULL: deleted): the name is in its
 * shard exactly while the repository is complete. Shards are cached until
 * store_close, so a transaction reads and writes each one once. */
static int
index_update(struct store *st, const char *key, const json_t *val)
{
	int in = strcmp(record_str(val, "state"), "complete") == 0, cached, rc;
	const char *name;
	char skey[16];
	json_t *shard;

	if (store_kind(key, &name) != STORE_REPO)
		return 0;
	shard_key(name, skey);
	if (st->shards == NULL && (st->shards = json_object()) == NULL)
		return -1;
	cached = (shard = json_object_get(st->shards, skey)) != NULL;
	if (!cached && ((rc = store_get(st, skey, &shard)) == -1 ||
	    (rc == 1 && (shard = json_object()) == NULL)))
		return -1;
	if (in == (json_object_get(shard, name) != NULL)) {
		if (!cached)
			json_decref(shard);
		return 0;
	}
	if (in)
		json_object_set_new(shard, name, json_true());
	else
		json_object_del(shard, name);
	return cached ? 0 : json_object_set_new(st->shards, skey, shard);
}

static int
index_flush(struct store *st)
{
	const char *k;
	json_t *v;
	int rc = 0;

	json_object_foreach(st->shards, k, v)
		if (rc == 0 && (json_object_size(v) ? put_raw(st, k, v) :
		    del_raw(st, k)) == -1)
			rc = -1;
	json_decref(st->shards);
	st->shards = NULL;
	return rc;
}

static int
index_one(const char *key, json_t *val, void *arg)
{
	return index_update(arg, key, val);
}

/* During recovery: the index made anew from the repository records. */
static int
reindex(struct store *st)
{
	if (purge(st, prefixes[STORE_SEARCH], NULL, NULL, del_raw) == -1 ||
	    store_each(st, prefixes[STORE_REPO], index_one, st) != 0)
		return -1;
	return index_flush(st);
}

static void
on_alarm(int sig)
{
	(void)sig;	/* only to interrupt flock */
}

/* Through the gate to the data lock. Blocking, so the lock passes on the
 * moment it is free; the timer makes flock fail with EINTR after
 * LIM_LOCK_SECONDS, and every 10 ms after should it fire between calls. */
static int
acquire(struct store *st, int op)
{
	struct sigaction sa = { .sa_handler = on_alarm }, old;
	struct itimerval it = { { 0, 10000 }, { LIM_LOCK_SECONDS, 0 } };
	struct itimerval off = { { 0, 0 }, { 0, 0 } };
	int rc, err;

	sigaction(SIGALRM, &sa, &old);	/* no SA_RESTART */
	setitimer(ITIMER_REAL, &it, NULL);
	if ((rc = flock(st->lockfd, op)) == 0)
		rc = flock(st->dirfd, op);
	err = errno;
	flock(st->lockfd, LOCK_UN);	/* the gate only orders waiters */
	setitimer(ITIMER_REAL, &off, NULL);
	sigaction(SIGALRM, &old, NULL);
	if (rc == 0) {
		/* the mark is read and written in the lock file now at the
		 * path, made again if it was removed */
		close(st->lockfd);
		st->lockfd = open(st->lockpath, O_RDWR | O_CREAT | O_CLOEXEC,
		    0600);
		return st->lockfd == -1 ? syserr("open", st->lockpath) : 0;
	}
	if (err == EINTR)
		log_msg(LOG_WARNING, "database lock busy for %d s: %s",
		    LIM_LOCK_SECONDS, st->path);
	else
		log_msg(LOG_ERR, "flock %s: %s", st->path, strerror(err));
	return -1;
}

static int
mark(struct store *st, char v)
{
	return pwrite(st->lockfd, &v, 1, 0) == 1 ? 0 :
	    syserr("write", st->lockpath);
}

static int
clean(struct store *st)
{
	char v = 0;

	return pread(st->lockfd, &v, 1, 0) == 1 && v == MARK_CLEAN;
}

static GDBM_FILE
open_db(const char *path, int flags)
{
	GDBM_FILE db = gdbm_open(path, 0, flags | GDBM_NOLOCK | GDBM_CLOEXEC,
	    0600, NULL);

	if (db == NULL)
		dberr("gdbm_open", path);
	return db;
}

/* With the exclusive lock held: rebuild the file and its index. */
static int
recover(struct store *st)
{
	gdbm_recovery r = { 0 };
	int rc;

	log_msg(LOG_CRIT, "%s: not marked clean (a writer died mid-"
	    "transaction, or the lock file is new); recovering", st->path);
	/* the index is rebuilt in place: a kill meanwhile must show */
	if (mark(st, MARK_DIRTY) == -1 ||
	    (st->db = open_db(st->path, GDBM_WRITER)) == NULL)
		return -1;
	if ((rc = gdbm_recover(st->db, &r, GDBM_RCVR_FORCE)) != 0)
		log_msg(LOG_CRIT, "gdbm_recover %s: %s", st->path,
		    gdbm_strerror(gdbm_errno));
	else {
		log_msg(LOG_CRIT, "%s recovered: %zu keys kept, %zu keys and "
		    "%zu buckets lost", st->path, r.recovered_keys,
		    r.failed_keys, r.failed_buckets);
		rc = reindex(st);
	}
	if (gdbm_sync(st->db) != 0)
		rc = dberr("gdbm_sync", st->path);
	gdbm_close(st->db);
	st->db = NULL;
	return rc == 0 ? mark(st, MARK_CLEAN) : rc;
}

/* A reader that found no clean mark: trade the shared lock for an
 * exclusive one, recover, and go back to shared. */
static int
recover_as_reader(struct store *st)
{
	flock(st->dirfd, LOCK_UN);
	if (acquire(st, LOCK_EX) == -1)
		return -1;
	/* on a full disk recovery fails; reads go on (GDBM checks what it
	 * reads, a failed write was never acknowledged) */
	if (!clean(st) && recover(st) == -1)
		log_msg(LOG_CRIT, "%s: recovery failed; serving reads from the "
		    "file as it is until a writer recovers it", st->path);
	flock(st->dirfd, LOCK_UN);
	return acquire(st, LOCK_SH);
}

static int
open_files(struct store *st, enum store_mode mode)
{
	int flags = mode == STORE_READ ? GDBM_READER : mode == STORE_WRITE ?
	    GDBM_WRITER : GDBM_WRCREAT;
	char dir[LIM_PATH];

	snprintf(dir, sizeof(dir), "%s", st->path);
	st->dirfd = open(dirname(dir), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (st->dirfd == -1)
		return syserr("open", dir);
	/* a removed lock file is made again, but none for a missing db */
	st->lockfd = open(st->lockpath, O_RDWR | O_CLOEXEC |
	    (mode == STORE_CREATE || access(st->path, F_OK) == 0 ? O_CREAT :
	    0), 0600);
	if (st->lockfd == -1)
		return syserr("open", st->lockpath);
	if (acquire(st, st->writer ? LOCK_EX : LOCK_SH) == -1)
		return -1;
	/* nothing to recover in a database about to be created */
	if (mode == STORE_CREATE && !clean(st) && access(st->path, F_OK) == -1)
		st->dirty = 1;	/* so store_close marks it clean */
	else if (!clean(st) && (st->writer ? recover(st) :
	    recover_as_reader(st)) == -1)
		return -1;
	if ((st->db = open_db(st->path, flags)) != NULL)
		return 0;
	/* damaged beyond what the mark says: one recovery attempt */
	if (gdbm_errno == GDBM_FILE_OPEN_ERROR || mode == STORE_READ ||
	    recover(st) == -1)
		return -1;
	return (st->db = open_db(st->path, flags)) != NULL ? 0 : -1;
}

static int
release(struct store *st, int rc)
{
	json_decref(st->shards);
	if (st->lockfd != -1)
		close(st->lockfd);
	if (st->dirfd != -1)
		close(st->dirfd);
	free(st);
	return rc;
}

int
store_open(const char *path, enum store_mode mode, struct store **out)
{
	struct store *st;

	*out = NULL;
	if ((st = calloc(1, sizeof(*st))) == NULL)
		return -1;
	snprintf(st->path, sizeof(st->path), "%s", path);
	snprintf(st->lockpath, sizeof(st->lockpath), "%s.lock", path);
	st->writer = mode != STORE_READ;
	st->lockfd = st->dirfd = -1;
	if (mode == STORE_NEW ? (st->db = open_db(path, GDBM_NEWDB)) == NULL :
	    open_files(st, mode) == -1)
		return release(st, -1);
	*out = st;
	return 0;
}

int
store_close(struct store *st)
{
	int rc = 0;

	if (st->dirty && index_flush(st) == -1)
		rc = -1;
	else if (st->dirty && gdbm_sync(st->db) != 0)
		rc = dberr("gdbm_sync", st->path);
	if (gdbm_close(st->db) != 0)
		rc = dberr("gdbm_close", st->path);
	/* a failed sync leaves the mark, so the next writer recovers */
	if (st->dirty && st->lockfd != -1 && rc == 0)
		rc = mark(st, MARK_CLEAN);
	return release(st, rc);
}

int
store_replace(struct store *st, const char *path)
{
	struct stat sb;

	/* the new file keeps the old one's owner and mode: root may load a
	 * database that the dindex user must go on opening */
	if (stat(st->path, &sb) == 0 && (chown(path, sb.st_uid, sb.st_gid) ==
	    -1 || chmod(path, sb.st_mode & 07777) == -1))
		return syserr("chown or chmod", path);
	if (rename(path, st->path) == -1) {
		log_msg(LOG_ERR, "rename %s to %s: %s", path, st->path,
		    strerror(errno));
		return -1;
	}
	if (fsync(st->dirfd) == -1)
		return syserr("fsync", st->path);
	return mark(st, MARK_CLEAN);
}

int
store_fetch(const char *path, const char *key, json_t **out)
{
	struct store *st;
	int rc;

	*out = NULL;
	if (store_open(path, STORE_READ, &st) == -1)
		return -1;
	rc = store_get(st, key, out);
	store_close(st);
	return rc;
}

int
store_update(const char *path, const char *key,
    int (*fn)(struct store *, json_t **, void *), void *arg)
{
	struct store *st;
	json_t *rec = NULL;
	int rc;

	if (store_open(path, STORE_WRITE, &st) == -1)
		return -1;
	if ((rc = store_get(st, key, &rec)) != -1)
		rc = fn(st, &rec, arg);
	if (rc == 0 && (rec != NULL ? store_put(st, key, rec) :
	    store_del(st, key)) == -1)
		rc = -1;
	if (store_close(st) == -1)
		rc = -1;
	json_decref(rec);
	return rc;
}

static int
begin_write(struct store *st, const char *key)
{
	if (!st->writer) {
		log_msg(LOG_ERR, "write in a read transaction on %s", st->path);
		return -1;
	}
	if (store_kind(key, NULL) == STORE_SEARCH) {
		log_msg(LOG_ERR, "%s: %s is the search index's key", st->path,
		    key);
		return -1;
	}
	if (!st->dirty && st->lockfd != -1 && mark(st, MARK_DIRTY) == -1)
		return -1;
	st->dirty = 1;
	return 0;
}

int
store_put(struct store *st, const char *key, const json_t *val)
{
	const char *bad;

	/* the one gate every record passes: nothing invalid is written */
	if ((bad = record_check(key, val)) != NULL) {
		log_msg(LOG_ERR, "refusing to write %.64s: %s", key, bad);
		return -1;
	}
	if (begin_write(st, key) == -1 || put_raw(st, key, val) == -1)
		return -1;
	return index_update(st, key, val);
}

int
store_del(struct store *st, const char *key)
{
	int rc;

	if (begin_write(st, key) == -1 || (rc = del_raw(st, key)) == -1)
		return -1;
	return rc == 0 && index_update(st, key, NULL) == -1 ? -1 : rc;
}

int
store_purge(struct store *st, const char *prefix,
    int (*match)(const char *, json_t *, void *), void *arg)
{
	return purge(st, prefix, match, arg, store_del);
}

int
store_search(const char *path, int (*fn)(const char *, void *), void *arg)
{
	struct store *st;
	char key[16];
	json_t *shard, *v;
	const char *name;
	int i, rc = 0;

	for (i = 0; i < LIM_SEARCH_SHARDS && rc == 0; i++) {
		if (i % LIM_SEARCH_HOLD == 0 &&
		    store_open(path, STORE_READ, &st) == -1)
			return -1;
		snprintf(key, sizeof(key), "%s%d", prefixes[STORE_SEARCH], i);
		if ((rc = store_get(st, key, &shard)) == 1)
			rc = 0;
		json_object_foreach(shard, name, v)
			if ((rc = fn(name, arg)) != 0)
				break;
		json_decref(shard);
		if (rc != 0 || i % LIM_SEARCH_HOLD == LIM_SEARCH_HOLD - 1 ||
		    i == LIM_SEARCH_SHARDS - 1)
			store_close(st);
	}
	return rc;
}
