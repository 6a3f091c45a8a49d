/*
 * token: v1 access tokens ("token:<signature>" records). A token is bound
 * to a user and the credential stamp they logged in under, one
 * repository ("ns/repo") and one access (read, write, delete); it stays
 * valid, reusable, until it expires, and only while its user could still
 * do what it allows. An anonymous caller gets a read token that is not
 * stored (it carries no authority beyond the public grants, which are
 * checked again on every use), so anonymous pulls never grow the store.
 */
#ifndef TOKEN_H
#define TOKEN_H

#include <stddef.h>
#include <time.h>

#include <jansson.h>

#include "config.h"
#include "lim.h"
#include "store.h"

#define TOKEN_VALUE_LEN	(LIM_SIG + LIM_NAME + 64)	/* header value */

struct token_grant {
	const char	*user;		/* "" anonymous: read only, not stored */
	const char	*cred;		/* the user's stamp at login */
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

#endif
