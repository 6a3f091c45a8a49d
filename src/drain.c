/*
 * drain: one pass over the spool. A delivery is claimed by rename (two
 * deliverers never send the same file at once), looked up for its secret,
 * POSTed, recorded in its webhook's history, then removed (2xx), deferred
 * with exponential backoff, or parked in failed/ after webhook_attempts.
 * Up to LIM_DELIVER_PARALLEL transfers run at once, each bounded by
 * webhook_timeout, at most LIM_DELIVER_HOST of them to one host[:port],
 * so a receiver that never answers leaves slots to the others. A file is
 * claimed only when its transfer starts.
 * The store is never locked during network I/O.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "auth.h"
#include "drain.h"
#include "hook.h"
#include "lim.h"
#include "log.h"
#include "net.h"
#include "post.h"
#include "record.h"
#include "spool.h"
#include "store.h"

struct job {
	struct post	 p;		/* first: post_next gives &p */
	char		 name[SPOOL_NAME];
	char		 host[LIM_URL + 1];	/* of the url */
	json_t		*d;		/* NULL: the slot is free */
};

/* The kept response as text when it is UTF-8, else as base64. */
static void
record(const struct config *cfg, const json_t *d, const struct post *p)
{
	char b64[4 * (POST_RESPONSE + 2) / 3 + 1];
	json_t *a, *text;
	struct store *st;

	a = json_pack("{s:I, s:s, s:s, s:i, s:s, s:i}", "time",
	    (json_int_t)time(NULL), "delivery", record_str(d, "id"), "event",
	    record_str(d, "event"), "status", (int)p->status, "error", p->error,
	    "duration_ms", (int)p->duration_ms);
	if ((text = json_stringn(p->response, p->response_len)) != NULL)
		json_object_set_new(a, "response", text);
	else if (bytes_b64_encode((const unsigned char *)p->response,
	    p->response_len, b64, sizeof(b64)) > 0)
		json_object_set_new(a, "response_base64", json_string(b64));
	if (a == NULL || store_open(cfg->database, STORE_WRITE, &st) == -1) {
		json_decref(a);
		return;
	}
	hook_record(st, record_str(d, "repository"), record_str(d,
	    "webhook_id"), a, cfg->webhook_history);
	store_close(st);
	json_decref(a);
}

/* Not delivered: defer with backoff (doubling from LIM_BACKOFF_FIRST up
 * to LIM_BACKOFF_MAX) or, after webhook_attempts or when the address
 * policy refused it (a retry would be refused again), park in failed/. */
static int
retry_later(const struct config *cfg, const char *name, json_t *d,
    const struct post *p)
{
	long attempts = (long)json_integer_value(json_object_get(d,
	    "attempts")) + 1, wait = LIM_BACKOFF_FIRST, i;
	char err[300];

	for (i = 1; i < attempts && wait < LIM_BACKOFF_MAX; i++)
		wait *= 2;
	if (wait > LIM_BACKOFF_MAX)
		wait = LIM_BACKOFF_MAX;
	if (p->error[0])
		snprintf(err, sizeof(err), "%s", p->error);
	else
		snprintf(err, sizeof(err), "HTTP %ld", p->status);
	json_object_set_new(d, "attempts", json_integer(attempts));
	json_object_set_new(d, "last_error", json_string(err));
	json_object_set_new(d, "next_attempt", json_integer(time(NULL) +
	    wait));
	return spool_move(cfg->spool, name, p->refused ||
	    attempts >= cfg->webhook_attempts ? "failed" : "deferred", d);
}

/* A file that is not a whole delivery (unparsable, fields missing) goes
 * to failed/ as it reads: 1 parked, 0 usable, -1 error. */
static int
unusable(const struct config *cfg, const char *name, json_t *d)
{
	static const char *const need[] = { "id", "url", "webhook_id",
	    "repository", "event" };
	size_t i;

	for (i = 0; i < 5 && json_is_string(json_object_get(d, need[i])); i++)
		;
	if (i == 5 && json_is_object(json_object_get(d, "payload")) &&
	    json_object_get(d, "raw") == NULL)
		return 0;
	if (json_object_get(d, "raw") == NULL)
		json_object_set_new(d, "last_error", json_string("not a "
		    "delivery: a field is missing or not a string"));
	log_msg(LOG_WARNING, "spool file %s: %s; moved to failed/", name,
	    record_str(d, "last_error"));
	return spool_move(cfg->spool, name, "failed", d) == 0 ? 1 : -1;
}

/* Claim item ([state, name, host]) and start its POST in j. 0 started or
 * nothing to send (j stays free), -1 error. On a store error the claim
 * is kept: it goes back to new/ after LIM_CLAIM_STALE. */
static int
start(const struct config *cfg, CURLM *m, struct job *j, const json_t *item)
{
	const char *name = json_string_value(json_array_get(item, 1));
	char secret[LIM_URL + 1];
	struct store *st;
	json_t *d;
	int rc;

	if ((rc = spool_claim(cfg->spool, json_string_value(
	    json_array_get(item, 0)), name)) != 0)
		return rc == 1 ? 0 : -1;
	if ((d = spool_read(cfg->spool, "active", name)) == NULL)
		return -1;
	if ((rc = unusable(cfg, name, d)) != 0) {
		json_decref(d);
		return rc == 1 ? 0 : -1;
	}
	rc = RES_ERROR;
	if (store_open(cfg->database, STORE_READ, &st) == 0) {
		rc = hook_secret(st, record_str(d, "repository"), record_str(d,
		    "webhook_id"), secret, sizeof(secret));
		store_close(st);
	}
	if (rc == RES_OK) {
		snprintf(j->name, sizeof(j->name), "%s", name);
		snprintf(j->host, sizeof(j->host), "%s", json_string_value(
		    json_array_get(item, 2)));
		j->d = d;
		rc = post_start(m, &j->p, record_str(d, "url"),
		    record_str(d, "id"), record_str(d, "event"),
		    json_dumps(json_object_get(d, "payload"), JSON_COMPACT |
		    JSON_SORT_KEYS), secret, cfg);
		explicit_bzero(secret, sizeof(secret));
		if (rc == 0)
			return 0;
		j->d = NULL;
	} else if (rc == RES_NOHOOK) {
		log_msg(LOG_NOTICE, "delivery %s: webhook %s of %s is gone; "
		    "dropped", record_str(d, "id"), record_str(d, "webhook_id"),
		    record_str(d, "repository"));
		rc = spool_done(cfg->spool, name);
	}
	json_decref(d);
	return rc == 0 ? 0 : -1;
}

static int
finish(const struct config *cfg, struct job *j)
{
	struct post *p = &j->p;
	int rc;

	log_delivery(&(struct log_delivery){ .id = record_str(j->d, "id"),
	    .url = record_str(j->d, "url"),
	    .repo = record_str(j->d, "repository"),
	    .event = record_str(j->d, "event"), .status = p->status,
	    .error = p->error, .duration_ms = p->duration_ms });
	record(cfg, j->d, p);
	if (p->status >= 200 && p->status < 300)
		rc = spool_done(cfg->spool, j->name);
	else
		rc = retry_later(cfg, j->name, j->d, p);
	json_decref(j->d);
	j->d = NULL;
	return rc;
}

/* [state, name, host] of every file in new/ and every due one in
 * deferred/. */
static json_t *
due(const struct config *cfg)
{
	static const char *const states[] = { "new", "deferred" };
	json_t *waiting = json_array(), *names, *n, *d;
	char host[LIM_URL + 1];
	size_t s, i;

	for (s = 0; s < 2; s++) {
		names = spool_names(cfg->spool, states[s]);
		json_array_foreach(names, i, n) {
			d = spool_read(cfg->spool, states[s],
			    json_string_value(n));
			net_url_host(record_str(d, "url"), host, sizeof(host));
			if (d != NULL && (s == 0 || json_integer_value(
			    json_object_get(d, "next_attempt")) <= time(NULL)))
				json_array_append_new(waiting, json_pack("[sOs]",
				    states[s], n, host));
			json_decref(d);
		}
		json_decref(names);
	}
	return waiting;
}

/* Take the first of waiting whose host has fewer than LIM_DELIVER_HOST
 * transfers running. NULL when there is none. */
static json_t *
pick(json_t *waiting, const struct job *jobs)
{
	const char *host;
	size_t i, j;
	json_t *t;
	int busy;

	json_array_foreach(waiting, i, t) {
		host = json_string_value(json_array_get(t, 2));
		for (busy = 0, j = 0; j < LIM_DELIVER_PARALLEL; j++)
			busy += jobs[j].d != NULL &&
			    strcmp(jobs[j].host, host) == 0;
		if (busy < LIM_DELIVER_HOST) {
			json_incref(t);
			json_array_remove(waiting, i);
			return t;
		}
	}
	return NULL;
}

int
drain_spool(const struct config *cfg)
{
	static struct job jobs[LIM_DELIVER_PARALLEL];
	int rc = spool_reclaim(cfg->spool, LIM_CLAIM_STALE);
	json_t *waiting = due(cfg), *t;
	CURLM *m = curl_multi_init();
	struct post *p;
	size_t i;

	while (m != NULL) {
		for (i = 0; i < LIM_DELIVER_PARALLEL; i++)
			while (jobs[i].d == NULL &&
			    (t = pick(waiting, jobs)) != NULL) {
				if (start(cfg, m, &jobs[i], t) == -1)
					rc = -1;
				json_decref(t);
			}
		if ((p = post_next(m)) == NULL)
			break;
		if (finish(cfg, (struct job *)(void *)p) == -1)
			rc = -1;
	}
	for (i = 0; i < LIM_DELIVER_PARALLEL; i++)
		if (jobs[i].d != NULL) {	/* libcurl failed; claim kept */
			json_decref(jobs[i].d);
			rc = -1;
		}
	curl_multi_cleanup(m);
	json_decref(waiting);
	return m == NULL ? -1 : rc;
}
