/* store: JSON records in one GDBM file under key prefixes, locks, durable
 * write transactions, the search index (store.c). Knows nothing of HTTP. */
#ifndef STORE_H
#define STORE_H

#include <jansson.h>

enum store_mode {
	STORE_READ,	/* shared lock, GDBM reader */
	STORE_WRITE,	/* exclusive lock, GDBM writer */
	STORE_CREATE,	/* like STORE_WRITE, creating the file (0600) */
	STORE_NEW	/* a new file nobody else opens yet (for store_replace):
			 * truncated, no lock; store_close syncs it */
};

/* One per key prefix (store.c); "search:" is the store's own index. */
enum store_kind {
	STORE_USER, STORE_REPO, STORE_TOKEN, STORE_REFRESH, STORE_HOOKS,
	STORE_HIST, STORE_ATOK, STORE_SEARCH, STORE_STATS, STORE_TEAM,
	STORE_SESSION
};

struct store;

/* The key of name (LIM_KEY bytes; "": the prefix). -1 when too long. */
int	store_key(char *key, enum store_kind, const char *name);
/* The kind of key, -1 when none; *name (if name) is what follows. */
int	store_kind(const char *key, const char **name);

/* Lock (waiting LIM_LOCK_SECONDS at most) and open the database. 0, or -1
 * (logged) when busy, missing or damaged beyond repair. */
int	store_open(const char *path, enum store_mode, struct store **out);
/* Sync (writers) and close, releasing the lock. 0 when every write of the
 * transaction is on disk, -1 (logged) otherwise. Always frees st. */
int	store_close(struct store *st);
/* In a write transaction that writes nothing else: rename the file at
 * path (closed after STORE_NEW) over the database and sync the directory.
 * 0 done, -1 (logged) the old file stays. */
int	store_replace(struct store *st, const char *path);

/* 0 found (*out is a new reference), 1 not found, -1 error or bad JSON. */
int	store_get(struct store *, const char *key, json_t **out);
/* store_get in a read transaction of its own. */
int	store_fetch(const char *path, const char *key, json_t **out);
/* A write transaction around one record: fn(st, &rec, arg) gets the
 * record under key (NULL: none; a damaged one is an error, fn is not
 * called), may change or replace it and write others through st. fn
 * returns 0 to store rec (NULL: delete it), > 0 to leave it, < 0 on error.
 * Returns what fn did, or -1 (logged); 0 means it is on disk. */
int	store_update(const char *path, const char *key,
	    int (*fn)(struct store *, json_t **rec, void *arg), void *arg);
/* 0 stored, -1 error (disk full, read-only transaction, invalid record). */
int	store_put(struct store *, const char *key, const json_t *val);
/* 0 deleted, 1 not found, -1 error. */
int	store_del(struct store *, const char *key);
/* 1 when some key starts with prefix, 0 none, -1 error. */
int	store_has(struct store *, const char *prefix);
/* Call fn, which must not write (see store_purge), with every key under
 * prefix ("search:" only when asked for) and its record (NULL when it
 * does not parse). fn returns 0 to go on, else to stop (returned). */
int	store_each(struct store *, const char *prefix,
	    int (*fn)(const char *key, json_t *val, void *arg), void *arg);
/* Delete every record under prefix for which match (NULL: any) returns
 * non-zero. The number deleted, or -1. */
int	store_purge(struct store *, const char *prefix,
	    int (*match)(const char *key, json_t *val, void *arg), void *arg);
/* store_each for the names ("ns/repo") of the complete repositories,
 * from the search index, the lock taken anew every LIM_SEARCH_HOLD index
 * records. -1: store error. */
int	store_search(const char *path, int (*fn)(const char *name, void *arg),
	    void *arg);

#endif
