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
 * dummy verification. On ACCOUNT_OK and ACCOUNT_DISABLED *user is the
 * record (new reference). A hash with old parameters is replaced. */
enum account_result account_login(const struct config *,
	    const struct auth_basic *, json_t **user);

/* A new user record (not stored): hash of pass with the configured
 * parameters, created now. NULL on failure. */
json_t	*account_new(const struct config *, const char *name,
	    const char *pass, const char *email, int enabled, int admin);
/* Replace the password hash in a record. 0 ok, -1 error. */
int	 account_set_password(const struct config *, json_t *user,
	    const char *pass);

/* "user:<name>" into key (LIM_KEY). */
void	 account_key(const char *name, char *key);

#endif
