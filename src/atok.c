/*
 * atok: access tokens (atok.h). 256 random bits need no KDF: one SHA-256
 * (libgcrypt, which libsystemd loads anyway) makes a token login fast.
 * admin.c deletes them with the owner's credentials.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <gcrypt.h>

#include "admin.h"
#include "atok.h"
#include "record.h"
#include "result.h"
#include "token.h"

#define ID_BYTES	8	/* 16 hex digits find the record */
#define ID_HEX		(2 * ID_BYTES)
#define TOK_LEN		(4 + ID_HEX + 1 + LIM_SIG)	/* dxt_<id>_<secret> */
_Static_assert(TOK_LEN <= LIM_PASSWORD, "a token goes where a password does");

static void
digest(const char *secret, char out[LIM_SIG + 1])
{
	unsigned char d[32];
	size_t i;

	gcry_check_version(NULL);	/* initialises once, cheap after */
	gcry_md_hash_buffer(GCRY_MD_SHA256, d, secret, strlen(secret));
	for (i = 0; i < sizeof(d); i++)
		snprintf(out + 2 * i, 3, "%02x", d[i]);
}

json_t *
atok_scopes(const json_t *list)
{
	json_t *out = json_is_array(list) ? json_object() : NULL, *v;
	const char *s, *right;
	size_t i;

	json_array_foreach(list, i, v)	/* record.c limits the length */
		if (out == NULL || (s = json_string_value(v)) == NULL ||
		    (right = strrchr(s, ':')) == NULL ||
		    json_object_getn(out, s, right - s) != NULL ||
		    json_object_setn_new(out, s, right - s,
		    json_string(right + 1)) == -1)
			break;
	if (i == json_array_size(list))
		return out;
	json_decref(out);
	return NULL;
}

static int
expired(const char *key, json_t *t, void *now)
{
	json_int_t e = json_integer_value(json_object_get(t, "expires"));

	(void)key;
	return e != 0 && e <= *(json_int_t *)now;
}

/* In st: 0 when atok:<id> (hex only) is user's and not expired, *t
 * its record; 1 not; -1 error. */
static int
live(struct store *st, const char *id, const json_t *user, json_t **t)
{
	json_int_t now = (json_int_t)time(NULL);
	char key[LIM_KEY];
	int rc;

	snprintf(key, sizeof(key), "atok:%.*s", ID_HEX, id);
	if ((rc = store_get(st, key, t)) != 0)
		return rc;
	return user == NULL || strcmp(record_str(*t, "user"),
	    record_str(user, "name")) != 0 || expired(key, *t, &now);
}

static int
narrow(json_t *user, const json_t *t, const char *id)
{
	return json_object_set(user, "via_token", json_object_get(t,
	    "scopes")) == -1 || json_object_set_new(user, "via_atok",
	    json_stringn(id, ID_HEX)) == -1 ? -1 : 0;
}

int
atok_login(const struct config *cfg, const char *pass, json_t *user)
{
	const char *p = pass + strlen(NAME_ATOK_PREFIX), *want;
	char key[LIM_KEY], hash[LIM_SIG + 1];
	struct store *st;
	json_t *t = NULL;
	int rc;

	if (user == NULL || strlen(pass) != TOK_LEN || p[ID_HEX] != '_' ||
	    strspn(p, "0123456789abcdef") != ID_HEX)
		return 1;
	if (store_open(cfg->database, STORE_READ, &st) == -1)
		return -1;
	rc = live(st, p, user, &t);
	store_close(st);
	digest(p + ID_HEX + 1, hash);
	want = record_str(t, "hash");
	if (rc == 0 && (strlen(want) != LIM_SIG || !bytes_equal(hash, want,
	    LIM_SIG)))
		rc = 1;
	if (rc == 0)
		rc = narrow(user, t, p);
	snprintf(key, sizeof(key), "atok:%.*s", ID_HEX, p);
	if (rc == 0 && (json_int_t)time(NULL) - json_integer_value(
	    json_object_get(t, "used")) >= LIM_ATOK_TOUCH)
		store_update(cfg->database, key, token_touch, NULL);
	json_decref(t);
	return rc;
}

int
atok_bind(struct store *st, const char *id, json_t *user)
{
	json_t *t = NULL;
	int rc = strlen(id) == ID_HEX ? live(st, id, user, &t) : 1;

	if (rc == 0)
		rc = narrow(user, t, id);
	json_decref(t);
	return rc;
}

struct add {
	const char	*key;
	json_t		*rec;
	const char	*cred;	/* NULL, or the owner's stamp at login */
	int		 n, clash;	/* the owner's tokens, one named so */
};

static int
count(const char *key, json_t *val, void *arg)
{
	struct add *a = arg;

	if (admin_of_user(key, val, (void *)record_str(a->rec, "user"))) {
		a->n++;
		a->clash |= strcmp(record_str(val, "name"),
		    record_str(a->rec, "name")) == 0;
	}
	return 0;
}

/* store_update of the owner's record (kept as it is) for atok_add. */
static int
add_new(struct store *st, json_t **u, void *arg)
{
	struct add *a = arg;

	if (*u == NULL)
		return RES_NOUSER;
	if (a->cred != NULL && !account_cred_ok(*u, a->cred))
		return RES_STALE;
	if (store_each(st, "atok:", count, a) != 0)
		return RES_ERROR;
	if (a->clash || a->n >= LIM_ATOK_USER)
		return a->clash ? RES_ATOKEXISTS : RES_ATOKFULL;
	return store_put(st, a->key, a->rec) == 0 ? RES_OK : RES_ERROR;
}

int
atok_add(const struct config *cfg, const char *user, const char *name,
    const json_t *list, long days, const char *cred, json_t **out)
{
	char id[ID_HEX + 1], secret[LIM_SIG + 1], hash[LIM_SIG + 1],
	    key[LIM_KEY], ukey[LIM_KEY], tok[TOK_LEN + 1];
	long max = cfg->access_token_max_days;
	json_int_t now = (json_int_t)time(NULL), exp;
	struct add a = { key, NULL, cred, 0, 0 };
	int rc = RES_ERROR;

	*out = NULL;
	if (days != -1 && (days < 1 || days > (max ? max : LIM_ATOK_DAYS)))
		return RES_BADATOK;
	if (!name_user_ok(user))
		return RES_BADNAME;
	if (bytes_random_hex(id, ID_BYTES) == -1 ||
	    bytes_random_hex(secret, LIM_TOKEN_BYTES) == -1)
		return RES_ERROR;
	digest(secret, hash);
	days = days == -1 ? max : days;
	exp = days ? now + (json_int_t)days * 86400 : 0;
	store_key(key, STORE_ATOK, id);
	store_key(ukey, STORE_USER, user);
	a.rec = json_pack("{s:s, s:s?, s:s, s:o?, s:I, s:I}", "user", user,
	    "name", name, "hash", hash, "scopes", atok_scopes(list),
	    "created", now, "expires", exp);
	if (a.rec != NULL)	/* the validator's word on name and scopes */
		rc = record_check(key, a.rec) != NULL ? RES_BADATOK :
		    store_update(cfg->database, ukey, add_new, &a);
	snprintf(tok, sizeof(tok), NAME_ATOK_PREFIX "%s_%s", id, secret);
	if (rc == RES_OK && (*out = json_pack("{s:s, s:s, s:o}", "name", name,
	    "token", tok, "expires", exp ? json_integer(exp) : json_null())) ==
	    NULL)
		rc = RES_ERROR;
	bytes_wipe(secret, sizeof(secret));
	bytes_wipe(tok, sizeof(tok));
	json_decref(a.rec);
	return rc;
}

int
atok_list(const struct config *cfg, const char *user, json_t **out)
{
	json_t *all, *t;
	const char *id;
	int rc = admin_collect(cfg, "atok:", &all);

	*out = rc == RES_OK ? json_array() : NULL;
	json_object_foreach(all, id, t) {
		if (!admin_of_user(id, t, (void *)user))
			continue;
		json_object_del(t, "hash");
		json_object_set_new(t, "id", json_string(id));
		if (json_integer_value(json_object_get(t, "expires")) == 0)
			json_object_set_new(t, "expires", json_null());
		if (json_array_append(*out, t) == -1)
			rc = RES_ERROR;
	}
	json_decref(all);
	if (rc == RES_OK)
		return RES_OK;
	json_decref(*out);
	*out = NULL;
	return RES_ERROR;
}

static int
named(const char *key, json_t *t, void *arg)
{
	const char **un = arg;	/* user, name */

	return admin_of_user(key, t, (void *)un[0]) &&
	    strcmp(record_str(t, "name"), un[1]) == 0;
}

int
atok_remove(const struct config *cfg, const char *user, const char *name)
{
	const char *un[2] = { user, name };
	struct store *st;
	int n;

	if (store_open(cfg->database, STORE_WRITE, &st) == -1)
		return RES_ERROR;
	n = store_purge(st, "atok:", named, un);
	if (store_close(st) == -1)
		n = -1;
	return n < 0 ? RES_ERROR : n == 0 ? RES_NOATOK : RES_OK;
}

int
atok_gc(struct store *st)
{
	json_int_t now = (json_int_t)time(NULL);

	return store_purge(st, "atok:", expired, &now);
}
