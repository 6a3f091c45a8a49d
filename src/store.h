/*
 * store: one GDBM file of JSON records under typed key prefixes, with a
 * separate lock file: shared for readers, exclusive for writers, a bounded
 * wait, and a sync before a write transaction is reported done.
 * Knows nothing of HTTP. Key schema: see store.c and README.md.
 */
#ifndef STORE_H
#define STORE_H

#include <jansson.h>

enum store_mode {
	STORE_READ,	/* shared lock, GDBM reader */
	STORE_WRITE,	/* exclusive lock, GDBM writer */
	STORE_CREATE	/* like STORE_WRITE, creating the file (0600) */
};

struct store;

/* Lock and open the database. Waits at most LIM_LOCK_SECONDS for the lock.
 * Returns 0, or -1 (logged) when busy, missing or damaged beyond repair. */
int	store_open(const char *path, enum store_mode, struct store **out);
/* Sync (writers) and close, releasing the lock. 0 when every write of the
 * transaction is on disk, -1 (logged) otherwise. Always frees st. */
int	store_close(struct store *st);

/* 0 found (*out is a new reference), 1 not found, -1 error or bad JSON. */
int	store_get(struct store *, const char *key, json_t **out);
/* store_get in a read transaction of its own: one record, then unlock.
 * The same returns; -1 also when the database cannot be opened. */
int	store_fetch(const char *path, const char *key, json_t **out);
/* 0 stored, -1 error (disk full, read-only transaction). */
int	store_put(struct store *, const char *key, const json_t *val);
/* 0 deleted, 1 not found, -1 error. */
int	store_del(struct store *, const char *key);
/* 1 when some key starts with prefix, 0 none, -1 error. */
int	store_has(struct store *, const char *prefix);
/* Call fn for every key starting with prefix, in no particular order.
 * fn returns 0 to go on, anything else to stop (returned by store_each).
 * The value passed to fn is NULL when the record does not parse.
 * fn must not write to the store; collect keys and write afterwards. */
int	store_each(struct store *, const char *prefix,
	    int (*fn)(const char *key, json_t *val, void *arg), void *arg);

#endif
