/*
 * hook: webhook records, their delivery history, and queueing deliveries
 * into the spool. name is "ns/repo"; results are enum result.
 */
#ifndef HOOK_H
#define HOOK_H

#include <jansson.h>

#include "config.h"
#include "result.h"
#include "store.h"

/* Whether s has the shape of a webhook id: 16 lower-case hex digits. */
int	hook_id_ok(const char *s);
/* The record for url, not stored (its id into id). events: a JSON list
 * or a comma string of "new" and "existing" (NULL, "": both). RES_OK (*h a
 * new reference), RES_BADHOOK, or RES_HOOKREFUSED for a host that is an
 * address literal allow (webhook_allow_networks) refuses. */
int	hook_make(const char *url, const json_t *events, const char *secret,
	    const char *allow, char id[17], json_t **h);
/* Store hook_make's record; *out as shown (secret left out). */
int	hook_add(struct store *, const char *name, const char *url,
	    const json_t *events, const char *secret, const char *allow,
	    json_t **out);
/* The webhooks of name as a list, secrets left out; NULL (logged) when
 * their record cannot be read. */
json_t	*hook_list(struct store *, const char *name);
/* Remove one webhook (id) or all (id NULL), and their history. */
int	hook_del(struct store *, const char *name, const char *id);
/* The history of one webhook: a list, newest last. */
int	hook_history(struct store *, const char *name, const char *id,
	    json_t **out);
/* Append one attempt to a webhook's history, keeping the last keep;
 * RES_NOHOOK (nothing written) when the webhook is gone. */
int	hook_record(struct store *, const char *name, const char *id,
	    json_t *attempt, long keep);
/* The secret of a webhook ("" when none), RES_NOHOOK when it is gone. */
int	hook_secret(struct store *, const char *name, const char *id,
	    char *out, size_t outlen);
/* Record a push in the write transaction st: rec gets "updated" and
 * "pusher", the deliveries of "new" (isnew) or "existing" with payload's
 * images and tags (rec's when NULL) are queued durably, then rec is
 * stored: RES_OK means both. */
int	hook_pushed(const struct config *, struct store *, const char *ns,
	    const char *repo, json_t *rec, int isnew, const char *pusher,
	    const json_t *payload);
/* Queue a "ping" to webhook id on behalf of user (NULL: the local
 * administrator). When counted (not acl_admin), RES_QUOTA once
 * LIM_PINGS_REPO pings of the repository or LIM_PINGS_USER of the user's
 * wait in the spool (or failed within LIM_PINGS_WINDOW). st is open for
 * writing, so that concurrent pings count one after the other. */
int	hook_ping(const struct config *, struct store *, const char *ns,
	    const char *repo, const char *id, const char *user, int counted);

#endif
