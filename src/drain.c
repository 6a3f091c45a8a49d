/*
 * drain: one pass over the spool. A delivery is claimed by rename (two
 * deliverers never send the same file at once), looked up for its secret,
 * POSTed, recorded in its webhook's history, then removed (2xx), deferred
 * with exponential backoff, or parked in failed/ after webhook_attempts.
 * The store is never locked during network I/O.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "drain.h"
#include "hook.h"
#include "lim.h"
#include "log.h"
#include "post.h"
#include "spool.h"
#include "store.h"

static const char *
str(const json_t *d, const char *key)
{
	const char *s = json_string_value(json_object_get(d, key));

	return s ? s : "";
}

static void
record(const struct config *cfg, const json_t *d, const struct post_result *r)
{
	struct store *st;
	json_t *a;

	a = json_pack("{s:I, s:s, s:s, s:i, s:s, s:i, s:s}", "time",
	    (json_int_t)time(NULL), "delivery", str(d, "id"), "event",
	    str(d, "event"), "status", (int)r->status, "error", r->error,
	    "duration_ms", (int)r->duration_ms, "response", r->response);
	if (a == NULL || store_open(cfg->database, STORE_WRITE, &st) == -1) {
		json_decref(a);
		return;
	}
	hook_record(st, str(d, "repository"), str(d, "webhook_id"), a,
	    cfg->webhook_history);
	store_close(st);
	json_decref(a);
}

/* Not delivered: defer with backoff (doubling from LIM_BACKOFF_FIRST up
 * to LIM_BACKOFF_MAX) or, after webhook_attempts, park in failed/. */
static int
retry_later(const struct config *cfg, const char *name, json_t *d,
    const struct post_result *r)
{
	long attempts = (long)json_integer_value(json_object_get(d,
	    "attempts")) + 1, wait = LIM_BACKOFF_FIRST, i;
	char err[300];

	for (i = 1; i < attempts && wait < LIM_BACKOFF_MAX; i++)
		wait *= 2;
	if (wait > LIM_BACKOFF_MAX)
		wait = LIM_BACKOFF_MAX;
	if (r->error[0])
		snprintf(err, sizeof(err), "%s", r->error);
	else
		snprintf(err, sizeof(err), "HTTP %ld", r->status);
	json_object_set_new(d, "attempts", json_integer(attempts));
	json_object_set_new(d, "last_error", json_string(err));
	json_object_set_new(d, "next_attempt", json_integer(time(NULL) +
	    wait));
	return spool_move(cfg->spool, name, attempts >= cfg->webhook_attempts ?
	    "failed" : "deferred", d);
}

static int
attempt(const struct config *cfg, const char *state, const char *name)
{
	char secret[LIM_URL + 1];
	struct post_result r;
	struct store *st;
	json_t *d;
	char *body;
	int rc;

	if ((rc = spool_claim(cfg->spool, state, name)) != 0)
		return rc == 1 ? 0 : -1;
	if ((d = spool_read(cfg->spool, "active", name)) == NULL)
		return -1;
	if (store_open(cfg->database, STORE_READ, &st) == -1) {
		json_decref(d);
		return -1;	/* the claim goes back after LIM_CLAIM_STALE */
	}
	rc = hook_secret(st, str(d, "repository"), str(d, "webhook_id"),
	    secret, sizeof(secret));
	store_close(st);
	if (rc == HOOK_NONE) {
		log_msg(LOG_NOTICE, "delivery %s: webhook %s of %s is gone; "
		    "dropped", str(d, "id"), str(d, "webhook_id"),
		    str(d, "repository"));
		json_decref(d);
		return spool_done(cfg->spool, name);
	}
	body = json_dumps(json_object_get(d, "payload"), JSON_COMPACT |
	    JSON_SORT_KEYS);
	post_delivery(str(d, "url"), body ? body : "{}", str(d, "id"),
	    str(d, "event"), secret, cfg->webhook_timeout, &r);
	free(body);
	log_delivery(&(struct log_delivery){ .id = str(d, "id"),
	    .url = str(d, "url"), .repo = str(d, "repository"),
	    .event = str(d, "event"), .status = r.status, .error = r.error,
	    .duration_ms = r.duration_ms });
	record(cfg, d, &r);
	if (r.status >= 200 && r.status < 300)
		rc = spool_done(cfg->spool, name);
	else
		rc = retry_later(cfg, name, d, &r);
	json_decref(d);
	return rc;
}

static int
due(const struct config *cfg, const char *name)
{
	json_t *d = spool_read(cfg->spool, "deferred", name);
	int yes = d && json_integer_value(json_object_get(d,
	    "next_attempt")) <= time(NULL);

	json_decref(d);
	return yes;
}

int
drain_spool(const struct config *cfg)
{
	static const char *const states[] = { "new", "deferred" };
	json_t *names, *n;
	size_t s, i;
	int rc = spool_reclaim(cfg->spool, LIM_CLAIM_STALE);

	for (s = 0; s < 2; s++) {
		names = spool_names(cfg->spool, states[s]);
		json_array_foreach(names, i, n) {
			if (s == 1 && !due(cfg, json_string_value(n)))
				continue;
			if (attempt(cfg, states[s], json_string_value(n)) == -1)
				rc = -1;
		}
		json_decref(names);
	}
	return rc;
}
