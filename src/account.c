/*
 * account: logging in against "user:<name>" records, and the credential
 * stamp ("cred") that decides when an issued credential dies. An unknown
 * user and a wrong password both cost one scrypt verification, and every
 * refusal is held to LIM_LOGIN_FAIL_MS, so the time tells no names.
 */
#include <string.h>
#include <time.h>

#include "account.h"
#include "atok.h"
#include "lim.h"
#include "log.h"
#include "record.h"

const char *
account_stamp(const json_t *user)
{
	return record_str(user, "cred");
}

int
account_restamp(json_t *user)
{
	char stamp[2 * 8 + 1];

	if (bytes_random_hex(stamp, 8) == -1)
		return -1;
	return json_object_set_new(user, "cred", json_string(stamp));
}

int
account_cred_ok(const json_t *user, const char *stamp)
{
	return json_is_true(json_object_get(user, "enabled")) &&
	    strcmp(stamp, account_stamp(user)) == 0;
}

int
account_unchanged(struct store *st, const json_t *user)
{
	char key[LIM_KEY];
	json_t *now;
	int rc;

	if (store_key(key, STORE_USER, record_str(user, "name")) == -1)
		return 1;
	if ((rc = store_get(st, key, &now)) == 0)
		rc = account_cred_ok(now, account_stamp(user)) ? 0 : 1;
	json_decref(now);
	return rc;
}

/* store_update of rehash: the new hash, unless the stored one is no
 * longer the one verified (a password changed meanwhile stays changed). */
static int
swap_hash(struct store *st, json_t **user, void *arg)
{
	const char *const *hash = arg;	/* old, new */

	(void)st;
	if (*user == NULL || strcmp(hash[0], record_str(*user, "hash")) != 0)
		return 1;
	return json_object_set_new(*user, "hash", json_string(hash[1]));
}

/* Best effort; scrypt runs before the lock. */
static void
rehash(const struct config *cfg, const char *name, const char *pass,
    const char *old)
{
	char key[LIM_KEY], mcf[AUTH_MCF_LEN];
	const char *hash[2] = { old, mcf };

	store_key(key, STORE_USER, name);
	if (account_hash(cfg, pass, mcf) == 0)
		store_update(cfg->database, key, swap_hash, hash);
	bytes_wipe(mcf, sizeof(mcf));
}

static long long
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* A refusal answers at t0 + LIM_LOGIN_FAIL_MS at the earliest. */
static enum account_result
refuse(json_t **user, long long t0)
{
	long long left = t0 + LIM_LOGIN_FAIL_MS - now_ms();
	struct timespec ts = { left / 1000, left % 1000 * 1000000 };

	json_decref(*user);
	*user = NULL;
	if (left > 0)
		nanosleep(&ts, NULL);
	else
		log_msg(LOG_WARNING, "a failed login took %lld ms, more than "
		    "LIM_LOGIN_FAIL_MS: its time may tell", LIM_LOGIN_FAIL_MS -
		    left);
	return ACCOUNT_BAD;
}

int
account_get(struct store *st, const char *name, json_t **user)
{
	json_t *teams = json_object(), *v, *rec = NULL;
	char key[LIM_KEY];
	const char *t;
	int rc;

	*user = NULL;
	store_key(key, STORE_USER, name);
	rc = teams == NULL ? -1 : store_get(st, key, user);
	json_object_foreach(rc ? NULL : json_object_get(*user, "teams"), t, v) {
		store_key(key, STORE_TEAM, t);
		if (store_get(st, key, &rec) == -1)
			rc = -1;
		/* none when the team is gone */
		json_object_set(teams, t, json_object_get(rec, "perms"));
		json_decref(rec);
	}
	if (rc == 0 && json_object_set(*user, "via_teams", teams) == -1)
		rc = -1;
	json_decref(teams);
	if (rc != 0) {
		json_decref(*user);
		*user = NULL;
	}
	return rc;
}

enum account_result
account_login(const struct config *cfg, const struct auth_basic *cred,
    json_t **user)
{
	long long t0 = now_ms();
	struct store *st;
	const char *hash;
	int rc;

	*user = NULL;
	if (store_open(cfg->database, STORE_READ, &st) == -1)
		return ACCOUNT_ERROR;
	rc = account_get(st, cred->user, user);
	store_close(st);
	if (rc == -1)
		return ACCOUNT_ERROR;
	/* the token after its owner: a revocation between leaves none */
	if (strncmp(cred->pass, NAME_ATOK_PREFIX,
	    strlen(NAME_ATOK_PREFIX)) == 0) {
		if ((rc = atok_login(cfg, cred->pass, *user)) != 0)
			return rc == 1 ? refuse(user, t0) : ACCOUNT_ERROR;
	} else if ((hash = record_str(*user, "hash"))[0] == '\0' ||
	    auth_check_password(hash, cred->pass) != 1) {
		/* an unknown user costs scrypt, and so does a legacy refusal:
		 * SHA-1 takes microseconds */
		if (hash[0] == '\0' || auth_is_legacy(hash))
			auth_check_dummy(cfg->scrypt_n, cfg->scrypt_r,
			    cfg->scrypt_p, cred->pass);
		return refuse(user, t0);
	} else if (auth_needs_rehash(hash, cfg->scrypt_n, cfg->scrypt_r,
	    cfg->scrypt_p))
		rehash(cfg, cred->user, cred->pass, hash);
	return json_is_true(json_object_get(*user, "enabled")) ? ACCOUNT_OK :
	    ACCOUNT_DISABLED;
}

int
account_hash(const struct config *cfg, const char *pass,
    char mcf[AUTH_MCF_LEN])
{
	return auth_hash_password(pass, cfg->scrypt_n, cfg->scrypt_r,
	    cfg->scrypt_p, mcf);
}

json_t *
account_new(const struct config *cfg, const char *name, const char *pass,
    const char *email, int enabled, int admin)
{
	char mcf[AUTH_MCF_LEN];
	json_t *u;

	if (account_hash(cfg, pass, mcf) == -1)
		return NULL;	/* logged */
	u = json_pack("{s:s, s:s, s:s, s:b, s:b, s:I, s:{}}", "name", name,
	    "hash", mcf, "email", email ? email : "", "enabled", enabled,
	    "admin", admin, "created", (json_int_t)time(NULL), "perms");
	if (u == NULL || account_restamp(u) == 0)
		return u;
	json_decref(u);
	return NULL;
}
