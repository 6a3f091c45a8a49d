/*
 * atok: access tokens, "atok:<id>" {"user", "name" (unique per user),
 * "hash", "scopes" {"*"|ns|ns/repo: read|write|admin}, "created",
 * "expires" (0 never), "used"}. The secret "dxt_<id>_<64 hex>" is shown
 * once, its SHA-256 kept. It logs in where a password does, narrowed to
 * its scopes (acl.h). Results are result.h codes but for atok_login.
 */
#ifndef ATOK_H
#define ATOK_H

#include <jansson.h>

#include "account.h"
#include "names.h"

/* For account_login, after it read user (NULL: none): 0 pass is a live
 * token of theirs (user then carries its scopes as "via_token" and its id
 * as "via_atok", never stored; a use is written once per LIM_ATOK_TOUCH
 * at most), 1 not, -1 error. */
int	atok_login(const struct config *, const char *pass, json_t *user);
/* In st: user as logged in by access token id (user's "via_atok", kept
 * by the v1 tokens such a login gets, token.c): 0 it is live (user then
 * narrowed as by atok_login), 1 revoked or expired, -1 error. */
int	atok_bind(struct store *, const char *id, json_t *user);
/* scopes a list of "SCOPE:RIGHT", days -1 for access_token_max_days;
 * cred the owner's stamp at login when they ask (NULL: another does): a
 * password change or disable since refuses it (RES_STALE). *out {"name",
 * "token", "expires" (null: never)}. */
int	atok_add(const struct config *, const char *user, const char *name,
	    const json_t *scopes, long days, const char *cred, json_t **out);
/* *out a list of the user's tokens with their ids, without hashes. */
int	atok_list(const struct config *, const char *user, json_t **out);
int	atok_remove(const struct config *, const char *user, const char *name);
/* In a write transaction: delete the expired. How many, or -1. */
int	atok_gc(struct store *);
/* Pure: a list of "SCOPE:RIGHT" as {scope: right}, NULL when it is not
 * a list of such strings, each scope once (record.c checks the rest). */
json_t	*atok_scopes(const json_t *list);

#endif
