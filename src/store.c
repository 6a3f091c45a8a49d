/*
 * store: the one GDBM file that holds all state, and its lock.
 *
 * Locking. A separate lock file "<database>.lock" is taken with flock():
 * shared by readers, exclusive by writers, polled for at most
 * LIM_LOCK_SECONDS (then the caller answers 503). GDBM's own locking is
 * off. The database is opened per transaction, so every transaction sees
 * what the last one committed, and a writer syncs (gdbm_sync: msync and
 * fsync) before store_close reports success.
 *
 * Crash safety. GDBM updates the file in place. A writer that is killed
 * halfway leaves the file possibly inconsistent, so byte 0 of the lock
 * file is a "dirty" mark: a writer sets it before its first change and
 * clears it after the sync. Whoever takes the lock and finds the mark set
 * runs gdbm_recover() (which rebuilds the file from every readable record
 * and renames it into place) before anyone reads; a reader first trades
 * its shared lock for an exclusive one to do so. Writes are not
 * acknowledged before the sync, so recovery loses nothing acknowledged.
 * A file GDBM cannot recover is never replaced by an empty one: the
 * write transaction fails and is logged, while readers go on reading the
 * file as it is (on a full disk, recovery itself cannot be written).
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
 */
#include <sys/file.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
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

struct store {
	GDBM_FILE	 db;
	int		 lockfd;
	int		 writer;
	int		 dirty;		/* mark set by this transaction */
	char		 path[LIM_PATH];
};

static int
lock_wait(int fd, int op, const char *path)
{
	struct timespec ts = { 0, 1000000 };	/* 1 ms, growing to 20 */
	long waited_ns = 0;

	while (flock(fd, op | LOCK_NB) == -1) {
		if (errno != EWOULDBLOCK && errno != EINTR) {
			log_msg(LOG_ERR, "flock %s.lock: %s", path,
			    strerror(errno));
			return -1;
		}
		if (waited_ns >= LIM_LOCK_SECONDS * 1000000000L) {
			log_msg(LOG_WARNING, "database lock busy for %d s: %s",
			    LIM_LOCK_SECONDS, path);
			return -1;
		}
		nanosleep(&ts, NULL);
		waited_ns += ts.tv_nsec;
		if (ts.tv_nsec < 20000000)
			ts.tv_nsec += 1000000;
	}
	return 0;
}

static int
mark(struct store *st, char v)
{
	if (pwrite(st->lockfd, &v, 1, 0) != 1) {
		log_msg(LOG_ERR, "write %s.lock: %s", st->path,
		    strerror(errno));
		return -1;
	}
	return 0;
}

static int
marked(struct store *st)
{
	char v = 0;

	return pread(st->lockfd, &v, 1, 0) == 1 && v == 1;
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

/* With the exclusive lock held: rebuild the file after a crash. */
static int
recover(struct store *st)
{
	gdbm_recovery rcvr;
	GDBM_FILE db;
	int rc;

	log_msg(LOG_CRIT, "%s: a writer died mid-transaction; recovering",
	    st->path);
	if ((db = open_db(st->path, GDBM_WRITER)) == NULL)
		return -1;
	memset(&rcvr, 0, sizeof(rcvr));
	rc = gdbm_recover(db, &rcvr, GDBM_RCVR_FORCE);
	if (rc != 0)
		log_msg(LOG_CRIT, "gdbm_recover %s: %s", st->path,
		    gdbm_strerror(gdbm_errno));
	else
		log_msg(LOG_CRIT, "%s recovered: %zu keys kept, %zu keys and "
		    "%zu buckets lost", st->path, rcvr.recovered_keys,
		    rcvr.failed_keys, rcvr.failed_buckets);
	if (gdbm_sync(db) != 0)
		rc = -1;
	gdbm_close(db);
	if (rc == 0)
		rc = mark(st, 0);
	return rc;
}

/* A reader that found the mark: trade the shared lock for an exclusive
 * one, recover, and go back to shared. */
static int
recover_as_reader(struct store *st)
{
	if (lock_wait(st->lockfd, LOCK_EX, st->path) == -1)
		return -1;
	/* Recovery writes a new file; on a full disk it fails. Reads go on
	 * from the file as it is (a failed write is never acknowledged and
	 * GDBM checks what it reads); writers keep trying to recover. */
	if (marked(st) && recover(st) == -1)
		log_msg(LOG_CRIT, "%s: recovery failed; serving reads from the "
		    "file as it is until a writer recovers it", st->path);
	return lock_wait(st->lockfd, LOCK_SH, st->path);
}

static int
open_locked(struct store *st, enum store_mode mode)
{
	int flags = mode == STORE_READ ? GDBM_READER : mode == STORE_WRITE ?
	    GDBM_WRITER : GDBM_WRCREAT;

	if (marked(st) && (st->writer ? recover(st) :
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

int
store_open(const char *path, enum store_mode mode, struct store **out)
{
	char lockpath[LIM_PATH + 8];
	struct store *st;

	*out = NULL;
	if ((st = calloc(1, sizeof(*st))) == NULL)
		return -1;
	snprintf(st->path, sizeof(st->path), "%s", path);
	snprintf(lockpath, sizeof(lockpath), "%s.lock", path);
	st->writer = mode != STORE_READ;
	st->lockfd = open(lockpath, O_RDWR | O_CLOEXEC |
	    (mode == STORE_CREATE ? O_CREAT : 0), 0600);
	if (st->lockfd == -1) {
		log_msg(LOG_ERR, "open %s: %s", lockpath, strerror(errno));
		free(st);
		return -1;
	}
	if (lock_wait(st->lockfd, st->writer ? LOCK_EX : LOCK_SH, path) ==
	    -1 || open_locked(st, mode) == -1) {
		close(st->lockfd);
		free(st);
		return -1;
	}
	*out = st;
	return 0;
}

int
store_close(struct store *st)
{
	int rc = 0;

	if (st->writer && st->dirty) {
		if (gdbm_sync(st->db) != 0) {
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
	if (st->dirty && rc == 0)
		rc = mark(st, 0);
	close(st->lockfd);
	free(st);
	return rc;
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
begin_write(struct store *st)
{
	if (!st->writer) {
		log_msg(LOG_ERR, "write in a read transaction on %s", st->path);
		return -1;
	}
	if (!st->dirty) {
		if (mark(st, 1) == -1)
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
store_put(struct store *st, const char *key, const json_t *val)
{
	datum k = { (char *)key, (int)strlen(key) }, v;
	const char *bad;
	char *s;
	int rc;

	/* the one gate every record passes: nothing invalid is written */
	if ((bad = record_check(key, val)) != NULL) {
		log_msg(LOG_ERR, "refusing to write %.64s: %s", key, bad);
		return -1;
	}
	if (begin_write(st) == -1)
		return -1;
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

int
store_del(struct store *st, const char *key)
{
	datum k = { (char *)key, (int)strlen(key) };

	if (begin_write(st) == -1)
		return -1;
	if (gdbm_delete(st->db, k) == 0)
		return 0;
	if (gdbm_errno == GDBM_ITEM_NOT_FOUND)
		return 1;
	log_msg(LOG_ERR, "gdbm_delete %s: %s", st->path,
	    gdbm_strerror(gdbm_errno));
	return -1;
}

int
store_each(struct store *st, const char *prefix,
    int (*fn)(const char *, json_t *, void *), void *arg)
{
	size_t plen = strlen(prefix);
	datum k, next, v;
	char key[LIM_KEY];
	json_t *val;
	int rc = 0;

	for (k = gdbm_firstkey(st->db); k.dptr != NULL && rc == 0; k = next) {
		if ((size_t)k.dsize >= plen && (size_t)k.dsize < sizeof(key) &&
		    memcmp(k.dptr, prefix, plen) == 0) {
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
