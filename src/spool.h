/*
 * spool: webhook deliveries as files in a directory state machine
 * (tmp/ -> new/ -> active/ -> deferred/ | failed/ | gone). See spool.c.
 * Functions returning int give 0 ok, -1 error (logged).
 */
#ifndef SPOOL_H
#define SPOOL_H

#include <jansson.h>

#include "lim.h"

#define SPOOL_NAME	96	/* "<time>.<pid>.<hex>.json" and more */
#define SPOOL_STATES	4

extern const char *const spool_states[SPOOL_STATES];

/* Create root and its state directories (0700) where missing. */
int	spool_init(const char *root);
/* Queue a delivery durably into new/, setting its "id". */
int	spool_put(const char *root, json_t *delivery);
/* Write d durably into state (new, deferred, failed) under name in place
 * of the claimed active/<name>, which is removed. */
int	spool_move(const char *root, const char *name, const char *state,
	    const json_t *d);
/* Claim state/<name> by rename into active/. 1: someone else was first. */
int	spool_claim(const char *root, const char *state, const char *name);
/* Remove active/<name> (delivered). */
int	spool_done(const char *root, const char *name);
/* Names in a state directory, sorted (oldest first); NULL (logged) when
 * it cannot be read. */
json_t	*spool_names(const char *root, const char *state);
/* Read state/<name>. NULL when gone; a file that is not a JSON object
 * reads as {"id", "last_error": why, "raw": its first LIM_SPOOL_HEAD
 * bytes escaped}. */
json_t	*spool_read(const char *root, const char *state, const char *name);
/* The state (static) of delivery id, or NULL. */
const char *spool_find(const char *root, const char *id);
/* Claim the waiting (new, deferred, failed) delivery id, as a deliverer
 * would: back into new/ with its attempts reset (retry), or gone. 0 done,
 * 1 no waiting delivery id (or taken meanwhile), -1 error. */
int	spool_requeue(const char *root, const char *id, int retry);
/* Give claims in active/ older than secs back to new/; remove tmp/ files
 * older than LIM_TMP_STALE (left by killed writers). */
int	spool_reclaim(const char *root, long secs);
/* {state: how many (null: it cannot be read), for each state;
 * "oldest_waiting_seconds": the age of the oldest in new or deferred, 0
 * when none}. */
json_t	*spool_counts(const char *root);

#endif
