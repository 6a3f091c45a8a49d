/*
 * account: user records ("user:<name>") and logging in. Shared by the
 * handler's routes and dindexctl; knows nothing of HTTP.
 */
#ifndef ACCOUNT_H
#define ACCOUNT_H

#include <jansson.h>

#include "auth.h"
#include "config.h"
#include "store.h"

enum account_result {
	ACCOUNT_OK = 0,
	ACCOUNT_BAD = 1,	/* unknown user or wrong password */
	ACCOUNT_DISABLED = 2,	/* right password, account disabled */
	ACCOUNT_ERROR = -1	/* store failure (logged) */
};

/* Check name and password. Reads the record in its own short read
 * transaction and runs scrypt outside the lock; an unknown user costs a
 * dummy verification, and every refusal answers no sooner than
 * LIM_LOGIN_FAIL_MS after it began, so neither names nor the parameters
 * of stored hashes show in the time. On ACCOUNT_OK and ACCOUNT_DISABLED
 * *user is the record (new reference), whose "cred" stamp the caller
 * puts into whatever it issues. A hash with old parameters is replaced
 * unless the password changed meanwhile. */
enum account_result account_login(const struct config *,
	    const struct auth_basic *, json_t **user);

/* A new user record (not stored): hash of pass with the configured
 * parameters, created now. NULL on failure. */
json_t	*account_new(const struct config *, const char *name,
	    const char *pass, const char *email, int enabled, int admin);
/* The scrypt hash of pass with the configured parameters (run it before
 * taking the lock). 0 ok, -1 error. */
int	 account_hash(const struct config *, const char *pass,
	    char mcf[AUTH_MCF_LEN]);
/* A new credential stamp in user: everything issued under the old one
 * (v1 tokens, refresh tokens) dies. 0 ok, -1 error. */
int	 account_restamp(json_t *user);
/* When a credential dies: whether cred (a token or refresh record
 * carrying "cred") is still good for user: the account exists, is
 * enabled, and has not been restamped since the credential was issued
 * (password change, disabling, deletion and re-creation). */
int	 account_cred_ok(const json_t *user, const json_t *cred);
/* The stamp of user ("" for records older than stamps). */
const char *account_stamp(const json_t *user);

/* "user:<name>" into key (LIM_KEY). */
void	 account_key(const char *name, char *key);

#endif
