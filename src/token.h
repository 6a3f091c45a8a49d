/*
 * token: v1 access tokens ("token:<signature>" records). A token is bound
 * to a user, one repository ("ns/repo") and one access (read, write,
 * delete), and stays valid, reusable, until it expires.
 */
#ifndef TOKEN_H
#define TOKEN_H

#include <stddef.h>
#include <time.h>

#include "config.h"
#include "lim.h"
#include "store.h"

#define TOKEN_VALUE_LEN	(LIM_SIG + LIM_NAME + 64)	/* header value */

/* Store a new token in the write transaction st and format its header
 * value `signature=<sig>,repository="<repo>",access=<access>` into out
 * (TOKEN_VALUE_LEN). 0 ok, -1 error. */
int	token_issue(struct store *st, const struct config *, const char *user,
	    const char *repo, const char *access, char *out);

/* Check an "Authorization: Token ..." value (without the scheme word)
 * against repo. 0 valid: user and access (8 bytes) filled; 1 invalid
 * (malformed, unknown, expired, another repository, a disabled or deleted
 * user); -1 store failure. An expired token is deleted. With reckey, a
 * valid check also reads that record in the same transaction into *rec
 * (NULL when there is none): one lock and open per request. */
int	token_check(const struct config *, const char *val, size_t len,
	    const char *repo, char user[LIM_USER + 1], char access[8],
	    const char *reckey, json_t **rec);

/* Delete every expired token in the write transaction st. */
int	token_gc(struct store *st, time_t now, size_t *removed);
/* Delete every token of user (repo NULL) or of repo (user NULL). */
int	token_purge(struct store *st, const char *user, const char *repo,
	    size_t *removed);

#endif
