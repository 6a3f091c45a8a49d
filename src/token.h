/*
 * token: stored credentials, each bound to a user and the stamp they
 * logged in under (account_cred_ok). v1 tokens (token.c): one repository
 * and one access, good until they expire while the user (narrowed to the
 * access token they logged in with, while it lives) could still do what
 * they allow; an anonymous read token is not stored (it carries only the
 * public grants, checked on every use). v2 refresh tokens (refresh.c):
 * good for this service while used within refresh_ttl, at most
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
	json_t	*rec;		/* want_rec: the repository, or NULL */
};

/* Store a new token in st (NULL for an anonymous grant); its header value
 * `signature=<sig>,repository="<repo>",access=<access>` into out. */
int	token_issue(struct store *st, const struct config *,
	    const struct token_grant *, char *out);
/* Check an "Authorization: Token" value (without "Token ") for repo in one
 * read transaction. 0 valid (free out with token_use_free); 1 malformed,
 * unknown, expired (then deleted), of another repository, of a dead
 * credential or a grant revoked since; -1 store failure. */
int	token_check(const struct config *, const char *val, size_t len,
	    const char *repo, int want_rec, struct token_use *out);
void	token_use_free(struct token_use *);
/* Whether what a token value names, if it does, is repo and access. */
int	token_claims_fit(const struct auth_token *, const char *repo,
	    const char *access);
/* The acl.h bit an access (read, write, delete) needs. */
int	token_needs(const char *access);

/* Issue a refresh token for user (the record read at login) into tok. 0,
 * 1 the user was deleted or restamped since (a race), -1. */
int	refresh_issue(const struct config *, const json_t *user,
	    char tok[LIM_SIG + 1]);
/* 0 good (*user a new reference), 1 dead or unknown, -1 store failure.
 * The use is recorded at most once per LIM_REFRESH_TOUCH seconds. */
int	refresh_use(const struct config *, const char *tok, json_t **user);
/* [{id, service, created, used}] of the user, oldest first; NULL error. */
json_t	*refresh_list(const struct config *, const char *user);
/* Revoke the user's refresh token id. 0 done, 1 no such, -1 error. */
int	refresh_revoke(const struct config *, const char *user,
	    const char *id);
/* In a write transaction: delete those unused for refresh_ttl. */
int	refresh_gc(struct store *, const struct config *);
/* For store_update: a token's "used" is now (best effort: a failure only
 * makes it look idle sooner). */
int	token_touch(struct store *, json_t **rec, void *arg);

#endif
