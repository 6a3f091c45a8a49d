/*
 * token: credentials kept in the store, each bound to a user and the
 * credential stamp they logged in under (account_cred_ok).
 *
 * v1 access tokens (token.c, "token:<signature>"): one repository and one
 * access, reusable until they expire and only while the user (narrowed
 * to the access token they logged in with, while it lives) could still
 * do what they allow. An anonymous caller's read token is not stored (it
 * carries no authority beyond the public grants, checked on every use).
 *
 * v2 refresh tokens (refresh.c, "refresh:<hex>") for offline access: good
 * for this service while used within refresh_ttl; at most
 * LIM_REFRESH_USER a user, the oldest revoked first; a short id lets an
 * operator list and revoke one without seeing the secret.
 */
#ifndef TOKEN_H
#define TOKEN_H

#include <stddef.h>

#include <jansson.h>

#include "auth.h"
#include "config.h"
#include "lim.h"
#include "store.h"

#define TOKEN_VALUE_LEN	(LIM_SIG + LIM_NAME + 64)	/* header value */

struct token_grant {
	const char	*user;		/* "" anonymous: read only, not stored */
	const char	*cred;		/* the user's stamp at login */
	const char	*atok;		/* "" or the access token logged in
					 * with: the token dies with it */
	const char	*repo;		/* "ns/repo" */
	const char	*access;	/* read, write, delete */
	const json_t	*ids;		/* write: the ids the push announced */
};

struct token_use {
	char	 user[LIM_USER + 1];	/* "" anonymous */
	char	 access[8];
	json_t	*ids;		/* a write token's announced ids, or NULL */
	json_t	*rec;		/* with want_rec: the repository record from
				 * the same transaction, NULL when none */
};

/* Store a new token in the write transaction st (NULL for an anonymous
 * grant) and format its header value `signature=<sig>,repository="<repo>",
 * access=<access>` into out (TOKEN_VALUE_LEN). 0 ok, -1 error. */
int	token_issue(struct store *st, const struct config *,
	    const struct token_grant *, char *out);
/* Check an "Authorization: Token ..." value (without the scheme word)
 * against repo in one read transaction. 0 valid (out filled; free with
 * token_use_free); 1 invalid (malformed, unknown, expired, another
 * repository, a dead credential, a grant revoked since); -1 store
 * failure. An expired token is deleted. */
int	token_check(const struct config *, const char *val, size_t len,
	    const char *repo, int want_rec, struct token_use *out);
void	token_use_free(struct token_use *);
/* Whether the repository and access a token value names, when it names
 * them, are repo and access. */
int	token_claims_fit(const struct auth_token *, const char *repo,
	    const char *access);
/* The acl.h bit an access (read, write, delete) needs. */
int	token_needs(const char *access);

/* Issue a refresh token for user (the record read at login) into tok.
 * 0 ok, 1 the user's stamp changed since that read (a password change
 * raced the login: nothing is issued), -1 error. */
int	refresh_issue(const struct config *, const json_t *user,
	    char tok[LIM_SIG + 1]);
/* Check tok. 0 good (*user the record, new reference), 1 dead or
 * unknown, -1 store failure. Records the use (at most once per
 * LIM_REFRESH_TOUCH seconds, so a busy client does not write each time). */
int	refresh_use(const struct config *, const char *tok, json_t **user);
/* The user's refresh tokens without secrets: [{id, service, created,
 * used}], oldest first. NULL on error. */
json_t	*refresh_list(const struct config *, const char *user);
/* Revoke the user's refresh token id. 0 done, 1 no such, -1 error. */
int	refresh_revoke(const struct config *, const char *user,
	    const char *id);
/* In a write transaction: delete those unused for refresh_ttl. */
int	refresh_gc(struct store *, const struct config *);/* For store_update: a refresh or access token's "used" is now (best
 * effort: a failure only makes it look idle sooner). */
int	token_touch(struct store *, json_t **rec, void *arg);

#endif
