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

/* Check name and password (one starting "dxt_" is an access token:
 * atok_login), scrypt outside the lock. On ACCOUNT_OK and ACCOUNT_DISABLED
 * *user is the record (new reference), whose stamp the caller puts into
 * what it issues. A hash with old parameters is replaced. */
enum account_result account_login(const struct config *,
	    const struct auth_basic *, json_t **user);
/* In st: user name's record (*user, new reference) carrying the grants
 * of their teams as "via_teams" {team: perms} (acl.h): what every caller
 * is resolved by. 0 found, 1 not, -1 error. */
int	 account_get(struct store *, const char *name, json_t **user);
/* A new user record (not stored), created now; NULL on failure. */
json_t	*account_new(const struct config *, const char *name,
	    const char *pass, const char *email, int enabled, int admin);
/* The scrypt hash of pass (run it before taking the lock). 0 or -1. */
int	 account_hash(const struct config *, const char *pass,
	    char mcf[AUTH_MCF_LEN]);
/* A new credential stamp in user: what was issued under the old one
 * (v1 tokens, refresh tokens) dies. 0 ok, -1 error. */
int	 account_restamp(json_t *user);
/* Whether a credential issued under stamp (its record's "cred") is still
 * good for user: the account is enabled and not restamped since. */
int	 account_cred_ok(const json_t *user, const char *stamp);
/* The stamp of user ("" for records older than stamps). */
const char *account_stamp(const json_t *user);
/* In st: whether the account a login read (user) is still there, enabled,
 * with the same stamp. A credential made from that login is stored only
 * on 0; 1 deleted, disabled or a new password since; -1 store failure. */
int	 account_unchanged(struct store *st, const json_t *user);

#endif
