/*
 * account: logging in against "user:<name>" records.
 * Timing: an unknown user and a wrong password both cost one scrypt
 * verification and answer the same, so names cannot be enumerated.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "account.h"
#include "lim.h"
#include "log.h"

void
account_key(const char *name, char *key)
{
	snprintf(key, LIM_KEY, "user:%s", name);
}

/* Store a fresh hash made with the current parameters. Best effort: a
 * failure leaves the old, still valid hash. */
static void
rehash(const struct config *cfg, const char *name, const char *pass)
{
	struct store *st;
	json_t *user = NULL;
	char key[LIM_KEY];

	if (store_open(cfg->database, STORE_WRITE, &st) == -1)
		return;
	account_key(name, key);
	if (store_get(st, key, &user) == 0 &&
	    account_set_password(cfg, user, pass) == 0)
		store_put(st, key, user);
	store_close(st);
	json_decref(user);
}

enum account_result
account_login(const struct config *cfg, const struct auth_basic *cred,
    json_t **user)
{
	char key[LIM_KEY];
	const char *hash;
	int rc;

	account_key(cred->user, key);
	rc = store_fetch(cfg->database, key, user);
	if (rc == -1)
		return ACCOUNT_ERROR;
	hash = json_string_value(json_object_get(*user, "hash"));
	if (rc == 1 || hash == NULL) {
		auth_check_dummy(cfg->scrypt_n, cfg->scrypt_r, cfg->scrypt_p,
		    cred->pass);
		json_decref(*user);
		*user = NULL;
		return ACCOUNT_BAD;
	}
	if (auth_check_password(hash, cred->pass) != 1) {
		json_decref(*user);
		*user = NULL;
		return ACCOUNT_BAD;
	}
	if (auth_needs_rehash(hash, cfg->scrypt_n, cfg->scrypt_r,
	    cfg->scrypt_p))
		rehash(cfg, cred->user, cred->pass);
	if (!json_is_true(json_object_get(*user, "enabled")))
		return ACCOUNT_DISABLED;
	return ACCOUNT_OK;
}

int
account_set_password(const struct config *cfg, json_t *user,
    const char *pass)
{
	char mcf[AUTH_MCF_LEN];

	if (auth_hash_password(pass, cfg->scrypt_n, cfg->scrypt_r,
	    cfg->scrypt_p, mcf) == -1)
		return -1;
	return json_object_set_new(user, "hash", json_string(mcf));
}

json_t *
account_new(const struct config *cfg, const char *name, const char *pass,
    const char *email, int enabled, int admin)
{
	json_t *u;

	u = json_pack("{s:s, s:s, s:b, s:b, s:I, s:{}}", "name", name,
	    "email", email ? email : "", "enabled", enabled, "admin", admin,
	    "created", (json_int_t)time(NULL), "perms");
	if (u == NULL)
		return NULL;
	if (account_set_password(cfg, u, pass) == -1) {
		log_msg(LOG_ERR, "cannot hash a password");
		json_decref(u);
		return NULL;
	}
	return u;
}
