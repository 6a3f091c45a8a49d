/*
 * hook: webhook records ("hooks:<ns>/<repo>"), their delivery history
 * ("hist:<ns>/<repo>/<id>"), and queueing deliveries into the spool.
 */
#ifndef HOOK_H
#define HOOK_H

#include <jansson.h>

#include "config.h"
#include "result.h"
#include "store.h"

/* Whether s has the shape of a webhook id: 16 lower-case hex digits. */
int	hook_id_ok(const char *s);
/* Register url for repository name ("ns/repo"). events: a JSON list or
 * a comma string of "new"/"existing" (NULL: both). A url whose host is an
 * address literal that allow (webhook_allow_networks) does not let
 * deliveries reach is RES_HOOKREFUSED. On RES_OK *out is the record as shown
 * (secret left out). */
int	hook_add(struct store *, const char *name, const char *url,
	    const json_t *events, const char *secret, const char *allow,
	    json_t **out);
/* The webhooks of name as a list, secrets left out (never NULL). */
json_t	*hook_list(struct store *, const char *name);
/* Remove one webhook (id) or all (id NULL), and their history. */
int	hook_del(struct store *, const char *name, const char *id);
/* The history of one webhook: a list, newest last. */
int	hook_history(struct store *, const char *name, const char *id,
	    json_t **out);
/* Append one attempt to a webhook's history, keeping the last keep. */
int	hook_record(struct store *, const char *name, const char *id,
	    json_t *attempt, long keep);
/* The secret of a webhook ("" when none), RES_NOHOOK when it is gone. */
int	hook_secret(struct store *, const char *name, const char *id,
	    char *out, size_t outlen);

/* Queue one delivery per active webhook of ns/repo whose events hold
 * event ("new" or "existing"), or only webhook only_id with event "ping".
 * Durable on return. RES_OK (also when none matched), RES_NOHOOK when
 * only_id is unknown, RES_ERROR. */
int	hook_queue(const struct config *, struct store *, const char *ns,
	    const char *repo, const char *event, const char *pusher,
	    const json_t *rec, const char *only_id);
/* Record a push (v1 push finish, v2 notification) in the write
 * transaction st: rec gets "updated" and "pusher", the deliveries of
 * "new" (isnew) or "existing" with payload's images and tags (rec's when
 * NULL) are queued, then rec is stored: a 2xx means both. */
int	hook_pushed(const struct config *, struct store *, const char *ns,
	    const char *repo, json_t *rec, int isnew, const char *pusher,
	    const json_t *payload);
/* Queue a "ping" delivery to webhook id of ns/repo on behalf of user.
 * user NULL is the local administrator (dindexctl); a user without the
 * admin flag gets RES_QUOTA once LIM_PINGS_REPO pings of the repository
 * or LIM_PINGS_USER of the user's wait in the spool (or failed within
 * LIM_PINGS_WINDOW of being queued). The store should be
 * open for writing, so that concurrent pings count one after the other. */
int	hook_ping(const struct config *, struct store *, const char *ns,
	    const char *repo, const char *id, const char *user);

#endif
