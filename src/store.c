/*
 * store: the one GDBM file that holds all state, its locks and its search
 * index.
 *
 * Locking. The data lock is flock() on the database's directory (shared:
 * readers, exclusive: writers), which cannot be removed from under a
 * running process, so all lock the same object whatever happens to the
 * files in it. flock has no writer preference and overlapping readers
 * would starve a writer, so a gate comes first: "<database>.lock", held
 * exclusively by a writer, shared by a reader, until it holds the data
 * lock; a waiting writer so stops new readers while the reads in progress
 * end. The gate only orders waiters: a removed one is made again, and a
 * process holding the old one costs a moment of fairness, not exclusion.
 * Waits block, at most LIM_LOCK_SECONDS in all (then 503). GDBM's own
 * locking is off; the database is opened per transaction, so each sees
 * the last commit (and a file renamed into place by recovery or load),
 * and a writer syncs (msync, fsync) before store_close reports success.
 *
 * Crash safety. GDBM updates in place, so byte 0 of the lock file is a
 * mark: MARK_CLEAN while the file and its search index are whole. A writer
 * sets MARK_DIRTY before its first change and MARK_CLEAN after the sync.
 * Whoever takes the lock and finds anything else (a killed writer's mark,
 * a new empty lock file, the 0 of databases older than the index) runs
 * gdbm_recover() (which rebuilds the file from every readable record and
 * renames it into place) and rebuilds the index before anyone reads; a
 * reader first trades its shared lock for an exclusive one. The mark is
 * read and written in the file at the path once the data lock is held,
 * never in a removed one. Writes are acknowledged only after the sync, so
 * recovery loses nothing acknowledged. A file GDBM cannot recover is never
 * replaced by an empty one: writes fail (logged), reads go on from the
 * file as it is (on a full disk, recovery itself cannot be written).
 *
 * Search index. A search must not hold the lock for work that grows with
 * the database, and a GDBM walk cannot be paused and resumed (a bucket
 * split moves keys behind the position reached), so the names of complete
 * repositories are kept in LIM_SEARCH_SHARDS records "search:<n>" (n: a
 * hash of the name). store_put and store_del keep them in step with every
 * "repo:" record in the same transaction; store_search reads
 * LIM_SEARCH_HOLD of them per lock hold. The index is store's own:
 * store_each hides it and store_put refuses its keys.
 *
 * Key schema (values are compact JSON with sorted keys):
 *   user:<name>          {"name","hash","email","enabled","admin",
 *                         "created","perms":{scope:access}}
 *   user:*               public grants {"name":"*","perms":{...}}
 *   repo:<ns>/<repo>     {"images":[{"id","checksum","tag"}],"tags":{},
 *                         "state":"pushing|complete|deleted","created",
 *                         "updated","pusher"}
 *   token:<sig>          {"user","repo","access","expires"}
 *   hooks:<ns>/<repo>    {"<id>":{"url","events","secret","active",
 *                         "created"}}
 *   hist:<ns>/<repo>/<id> [{"time","status","error","duration_ms",
 *                         "response"}...]
 *   refresh:<token>      {"user","service","created"}
 *   search:<n>           {"<ns>/<repo>":true,...} complete repositories
 */
#include <sys/file.h>
#include <sys/time.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <gdbm.h>

#include "lim.h"
#include "log.h"
#include "record.h"
#include "store.h"

#define MARK_CLEAN	'c'
#define MARK_DIRTY	'd'
#define INDEX		"search:"	/* key prefix of the search index */

struct store {
	GDBM_FILE	 db;
	int		 lockfd;	/* "<path>.lock": gate and mark */
	int		 dirfd;		/* the directory: data lock */
	int		 writer;
	int		 private;	/* STORE_NEW: no locks, no mark */
	int		 dirty;		/* mark set by this transaction */
	json_t		*shards;	/* index records it changed */
	char		 path[LIM_PATH];
	char		 lockpath[LIM_PATH + 8];
};

static void
on_alarm(int sig)
{
	(void)sig;	/* only to interrupt flock */
}

/* The data lock through the gate (see the top of the file): a reader
 * holds the gate while it waits for a writer's transaction to end, a
 * writer while it waits for the reads in progress. Blocking, so the lock
 * passes on the moment it is free; a timer ends the wait (flock fails
 * with EINTR) after LIM_LOCK_SECONDS, and again every 10 ms after, should
 * it fire between the two calls. */
static int
acquire(struct store *st, int op)
{
	struct sigaction sa = { .sa_handler = on_alarm }, old;
	struct itimerval it = { { 0, 10000 }, { LIM_LOCK_SECONDS, 0 } };
	struct itimerval off = { { 0, 0 }, { 0, 0 } };
	int rc, err;

	sigaction(SIGALRM, &sa, &old);	/* no SA_RESTART */
	setitimer(ITIMER_REAL, &it, NULL);
	if ((rc = flock(st->lockfd, op)) == 0) {
		rc = flock(st->dirfd, op);
		err = errno;
		flock(st->lockfd, LOCK_UN);
		errno = err;
	}
	err = errno;
	setitimer(ITIMER_REAL, &off, NULL);
	sigaction(SIGALRM, &old, NULL);
	if (rc == 0)
		return 0;
	if (err == EINTR)
		log_msg(LOG_WARNING, "database lock busy for %d s: %s",
		    LIM_LOCK_SECONDS, st->path);
	else
		log_msg(LOG_ERR, "flock %s: %s", st->path, strerror(err));
	return -1;
}

/* With the data lock held: the mark is read and written in the lock file
 * now at the path (made again if it was removed), never in a removed one
 * that nobody else will look at. */
static int
reopen_lockfile(struct store *st)
{
	close(st->lockfd);
	st->lockfd = open(st->lockpath, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (st->lockfd != -1)
		return 0;
	log_msg(LOG_ERR, "open %s: %s", st->lockpath, strerror(errno));
	return -1;
}

static int
mark(struct store *st, char v)
{
	if (pwrite(st->lockfd, &v, 1, 0) != 1) {
		log_msg(LOG_ERR, "write %s: %s", st->lockpath,
		    strerror(errno));
		return -1;
	}
	return 0;
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
	GDBM_FILE db;

	db = gdbm_open(path, 0, flags | GDBM_NOLOCK | GDBM_CLOEXEC, 0600,
	    NULL);
	if (db == NULL)
		log_msg(LOG_ERR, "gdbm_open %s: %s%s%s", path,
		    gdbm_strerror(gdbm_errno),
		    gdbm_check_syserr(gdbm_errno) ? ": " : "",
		    gdbm_check_syserr(gdbm_errno) ? strerror(errno) : "");
	return db;
}

static int	reindex(struct store *);

/* With the exclusive lock held: rebuild the file and its index. */
static int
recover(struct store *st)
{
	gdbm_recovery rcvr;
	int rc;

	log_msg(LOG_CRIT, "%s: not marked clean (a writer died mid-"
	    "transaction, or the lock file is new); recovering", st->path);
	/* the index is rebuilt in place: a kill meanwhile must show */
	if (mark(st, MARK_DIRTY) == -1 ||
	    (st->db = open_db(st->path, GDBM_WRITER)) == NULL)
		return -1;
	memset(&rcvr, 0, sizeof(rcvr));
	rc = gdbm_recover(st->db, &rcvr, GDBM_RCVR_FORCE);
	if (rc != 0)
		log_msg(LOG_CRIT, "gdbm_recover %s: %s", st->path,
		    gdbm_strerror(gdbm_errno));
	else
		log_msg(LOG_CRIT, "%s recovered: %zu keys kept, %zu keys and "
		    "%zu buckets lost", st->path, rcvr.recovered_keys,
		    rcvr.failed_keys, rcvr.failed_buckets);
	if (rc == 0)
		rc = reindex(st);
	if (gdbm_sync(st->db) != 0)
		rc = -1;
	gdbm_close(st->db);
	st->db = NULL;
	if (rc == 0)
		rc = mark(st, MARK_CLEAN);
	return rc;
}

/* A reader that found no clean mark: trade the shared lock for an
 * exclusive one, recover, and go back to shared. */
static int
recover_as_reader(struct store *st)
{
	flock(st->dirfd, LOCK_UN);
	if (acquire(st, LOCK_EX) == -1 || reopen_lockfile(st) == -1)
		return -1;
	/* Recovery writes a new file; on a full disk it fails. Reads go on
	 * from the file as it is (a failed write is never acknowledged and
	 * GDBM checks what it reads); writers keep trying to recover. */
	if (!clean(st) && recover(st) == -1)
		log_msg(LOG_CRIT, "%s: recovery failed; serving reads from the "
		    "file as it is until a writer recovers it", st->path);
	flock(st->dirfd, LOCK_UN);
	return acquire(st, LOCK_SH) == -1 ? -1 : reopen_lockfile(st);
}

static int
open_locked(struct store *st, enum store_mode mode)
{
	int flags = mode == STORE_READ ? GDBM_READER : mode == STORE_WRITE ?
	    GDBM_WRITER : GDBM_WRCREAT;

	/* nothing to recover in a database about to be created */
	if (mode == STORE_CREATE && !clean(st) && access(st->path, F_OK) == -1)
		st->dirty = 1;	/* so store_close marks it clean */
	else if (!clean(st) && (st->writer ? recover(st) :
	    recover_as_reader(st)) == -1)
		return -1;
	if ((st->db = open_db(st->path, flags)) != NULL)
		return 0;
	if (gdbm_errno == GDBM_FILE_OPEN_ERROR || mode == STORE_READ)
		return -1;
	/* damaged beyond what the mark says: one recovery attempt */
	if (recover(st) == -1)
		return -1;
	st->db = open_db(st->path, flags);
	return st->db ? 0 : -1;
}

static int
open_files(struct store *st, enum store_mode mode)
{
	char dir[LIM_PATH];

	snprintf(dir, sizeof(dir), "%s", st->path);
	st->dirfd = open(dirname(dir), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (st->dirfd == -1) {
		log_msg(LOG_ERR, "open %s: %s", dir, strerror(errno));
		return -1;
	}
	/* a removed lock file is made again, but none for a missing db */
	st->lockfd = open(st->lockpath, O_RDWR | O_CLOEXEC |
	    (mode == STORE_CREATE || access(st->path, F_OK) == 0 ? O_CREAT :
	    0), 0600);
	if (st->lockfd == -1) {
		log_msg(LOG_ERR, "open %s: %s", st->lockpath, strerror(errno));
		return -1;
	}
	if (acquire(st, st->writer ? LOCK_EX : LOCK_SH) == -1 ||
	    reopen_lockfile(st) == -1)
		return -1;
	return open_locked(st, mode);
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
	int rc;

	*out = NULL;
	if ((st = calloc(1, sizeof(*st))) == NULL)
		return -1;
	snprintf(st->path, sizeof(st->path), "%s", path);
	snprintf(st->lockpath, sizeof(st->lockpath), "%s.lock", path);
	st->writer = mode != STORE_READ;
	st->private = mode == STORE_NEW;
	st->lockfd = st->dirfd = -1;
	if (st->private)
		rc = (st->db = open_db(path, GDBM_NEWDB)) ? 0 : -1;
	else
		rc = open_files(st, mode);
	if (rc == -1)
		return release(st, -1);
	*out = st;
	return 0;
}

static int	index_flush(struct store *);

int
store_close(struct store *st)
{
	int rc = 0;

	if (st->writer && st->dirty) {
		if (index_flush(st) == -1)
			rc = -1;
		else if (gdbm_sync(st->db) != 0) {
			log_msg(LOG_ERR, "gdbm_sync %s: %s", st->path,
			    gdbm_strerror(gdbm_errno));
			rc = -1;
		}
	}
	if (gdbm_close(st->db) != 0) {
		log_msg(LOG_ERR, "gdbm_close %s: %s", st->path,
		    gdbm_strerror(gdbm_errno));
		rc = -1;
	}
	/* a failed sync leaves the mark, so the next writer recovers */
	if (st->dirty && !st->private && rc == 0)
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
	    -1 || chmod(path, sb.st_mode & 07777) == -1)) {
		log_msg(LOG_ERR, "chown or chmod %s: %s", path,
		    strerror(errno));
		return -1;
	}
	if (rename(path, st->path) == -1) {
		log_msg(LOG_ERR, "rename %s to %s: %s", path, st->path,
		    strerror(errno));
		return -1;
	}
	if (fsync(st->dirfd) == -1) {
		log_msg(LOG_ERR, "fsync %s: %s", st->path, strerror(errno));
		return -1;
	}
	return mark(st, MARK_CLEAN);
}

int
store_get(struct store *st, const char *key, json_t **out)
{
	datum k = { (char *)key, (int)strlen(key) }, v;
	json_error_t err;

	*out = NULL;
	v = gdbm_fetch(st->db, k);
	if (v.dptr == NULL) {
		if (gdbm_errno == GDBM_ITEM_NOT_FOUND)
			return 1;
		log_msg(LOG_ERR, "gdbm_fetch %s: %s", st->path,
		    gdbm_strerror(gdbm_errno));
		return -1;
	}
	*out = json_loadb(v.dptr, v.dsize, JSON_REJECT_DUPLICATES, &err);
	free(v.dptr);
	if (*out == NULL) {
		log_msg(LOG_ERR, "%s: record does not parse: %s", st->path,
		    err.text);
		return -1;
	}
	return 0;
}

static int
begin_write(struct store *st, const char *key)
{
	if (!st->writer) {
		log_msg(LOG_ERR, "write in a read transaction on %s", st->path);
		return -1;
	}
	if (strncmp(key, INDEX, strlen(INDEX)) == 0) {
		log_msg(LOG_ERR, "%s: %s is the search index's key", st->path,
		    key);
		return -1;
	}
	if (!st->dirty) {
		if (!st->private && mark(st, MARK_DIRTY) == -1)
			return -1;
		st->dirty = 1;
	}
	return 0;
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
put_raw(struct store *st, const char *key, const json_t *val)
{
	datum k = { (char *)key, (int)strlen(key) }, v;
	char *s;
	int rc;

	s = json_dumps(val, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY);
	if (s == NULL)
		return -1;
	v.dptr = s;
	v.dsize = (int)strlen(s);
	rc = gdbm_store(st->db, k, v, GDBM_REPLACE);
	if (rc != 0)
		log_msg(LOG_ERR, "gdbm_store %s: %s%s%s", st->path,
		    gdbm_strerror(gdbm_errno),
		    gdbm_check_syserr(gdbm_errno) ? ": " : "",
		    gdbm_check_syserr(gdbm_errno) ? strerror(errno) : "");
	free(s);
	return rc == 0 ? 0 : -1;
}

static int
del_raw(struct store *st, const char *key)
{
	datum k = { (char *)key, (int)strlen(key) };

	if (gdbm_delete(st->db, k) == 0)
		return 0;
	if (gdbm_errno == GDBM_ITEM_NOT_FOUND)
		return 1;
	log_msg(LOG_ERR, "gdbm_delete %s: %s", st->path,
	    gdbm_strerror(gdbm_errno));
	return -1;
}

static int	index_update(struct store *, const char *, const json_t *);

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
store_each(struct store *st, const char *prefix,
    int (*fn)(const char *, json_t *, void *), void *arg)
{
	size_t plen = strlen(prefix);
	int hide = strncmp(prefix, INDEX, strlen(INDEX)) != 0;
	datum k, next, v;
	char key[LIM_KEY];
	json_t *val;
	int rc = 0;

	for (k = gdbm_firstkey(st->db); k.dptr != NULL && rc == 0; k = next) {
		if ((size_t)k.dsize >= plen && (size_t)k.dsize < sizeof(key) &&
		    memcmp(k.dptr, prefix, plen) == 0 && !(hide &&
		    (size_t)k.dsize >= strlen(INDEX) &&
		    memcmp(k.dptr, INDEX, strlen(INDEX)) == 0)) {
			memcpy(key, k.dptr, k.dsize);
			key[k.dsize] = '\0';
			v = gdbm_fetch(st->db, k);
			val = v.dptr ? json_loadb(v.dptr, v.dsize,
			    JSON_REJECT_DUPLICATES, NULL) : NULL;
			free(v.dptr);
			rc = fn(key, val, arg);
			json_decref(val);
		}
		next = gdbm_nextkey(st->db, k);
		free(k.dptr);
	}
	free(k.dptr);
	return rc;
}

/* The search index: which shard holds repository name. */
static void
shard_key(const char *name, char key[16])
{
	uint32_t h = 2166136261u;	/* FNV-1a */

	for (; *name; name++)
		h = (h ^ (unsigned char)*name) * 16777619u;
	snprintf(key, 16, INDEX "%u", (unsigned)(h % LIM_SEARCH_SHARDS));
}

static int
complete(const json_t *repo)
{
	const char *s = json_string_value(json_object_get(repo, "state"));

	return s != NULL && strcmp(s, "complete") == 0;
}

/* After a write of "repo:<name>" (val NULL: deleted): the name is in its
 * shard exactly while the repository is complete. Changed shards stay in
 * memory until store_close, so a transaction of many writes (load, the
 * benchmark generator) reads and writes each shard once. */
static int
index_update(struct store *st, const char *key, const json_t *val)
{
	const char *name = key + strlen("repo:");
	char skey[16];
	json_t *shard;
	int in = complete(val), cached, rc;

	if (strncmp(key, "repo:", strlen("repo:")) != 0)
		return 0;
	shard_key(name, skey);
	if (st->shards == NULL && (st->shards = json_object()) == NULL)
		return -1;
	if (!(cached = (shard = json_object_get(st->shards, skey)) != NULL)) {
		if ((rc = store_get(st, skey, &shard)) == -1 ||
		    (rc == 1 && (shard = json_object()) == NULL))
			return -1;
	}
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
collect_key(const char *key, json_t *val, void *arg)
{
	(void)val;
	return json_array_append_new(arg, json_string(key));
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
	json_t *old = json_array(), *v;
	size_t i;
	int rc = -1;

	if (old == NULL || store_each(st, INDEX, collect_key, old) != 0)
		goto out;
	json_array_foreach(old, i, v)
		if (del_raw(st, json_string_value(v)) == -1)
			goto out;
	rc = store_each(st, "repo:", index_one, st) == 0 &&
	    index_flush(st) == 0 ? 0 : -1;
out:
	json_decref(old);
	return rc;
}

int
store_search(const char *path, int (*fn)(const char *, void *), void *arg)
{
	struct store *st;
	char key[16];
	json_t *shard, *v;
	const char *name;
	int i, rc = 0;

	/* a bounded read per lock hold, so writers get in between */
	for (i = 0; i < LIM_SEARCH_SHARDS && rc == 0; i++) {
		if (i % LIM_SEARCH_HOLD == 0 &&
		    store_open(path, STORE_READ, &st) == -1)
			return -1;
		snprintf(key, sizeof(key), INDEX "%d", i);
		if ((rc = store_get(st, key, &shard)) == 0)
			json_object_foreach(shard, name, v)
				if ((rc = fn(name, arg)) != 0)
					break;
		rc = rc == 1 ? 0 : rc;
		json_decref(shard);
		if (rc != 0 || i % LIM_SEARCH_HOLD == LIM_SEARCH_HOLD - 1 ||
		    i == LIM_SEARCH_SHARDS - 1)
			store_close(st);
	}
	return rc;
}

static int
stop_at_first(const char *key, json_t *val, void *arg)
{
	(void)key;
	(void)val;
	(void)arg;
	return 1;
}

int
store_has(struct store *st, const char *prefix)
{
	return store_each(st, prefix, stop_at_first, NULL);
}
