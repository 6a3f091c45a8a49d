/*
 * refresh: v2 refresh tokens (token.h). The secret is the key; the rest an
 * operator may see: {"user", "service", "created", "used", "id", "cred"}.
 */
#include <string.h>
#include <time.h>

#include "account.h"
#include "admin.h"
#include "record.h"
#include "token.h"

#define ID_BYTES	4	/* 8 hex digits: names one of a user's few */

struct mine {
	const char	*user;
	const char	*id;	/* refresh_revoke: the one */
	json_t		*found;	/* of_user: key -> record */
};

static int
collect(const char *key, json_t *val, void *arg)
{
	struct mine *m = arg;

	return admin_of_user(key, val, (void *)m->user) ?
	    json_object_set(m->found, key, val) : 0;
}

static json_int_t
field(const json_t *rec, const char *key)
{
	return json_integer_value(json_object_get(rec, key));
}

static json_int_t
last_use(const json_t *rec)
{
	return json_object_get(rec, "used") ? field(rec, "used") :
	    field(rec, "created");
}

/* The user's refresh records in st: an object key -> record. */
static json_t *
of_user(struct store *st, const char *user)
{
	struct mine m = { user, NULL, json_object() };

	if (m.found == NULL || store_each(st, "refresh:", collect, &m) == 0)
		return m.found;
	json_decref(m.found);
	return NULL;
}

/* Revoke the user's oldest until fewer than LIM_REFRESH_USER are left. */
static int
make_room(struct store *st, const char *user)
{
	json_t *have = of_user(st, user), *v;
	const char *k, *oldest;
	int rc = have ? 0 : -1;

	while (rc == 0 && json_object_size(have) >= LIM_REFRESH_USER) {
		oldest = NULL;
		json_object_foreach(have, k, v)
			if (oldest == NULL || field(v, "created") <
			    field(json_object_get(have, oldest), "created"))
				oldest = k;
		if (store_del(st, oldest) == -1 ||
		    json_object_del(have, oldest) == -1)
			rc = -1;
	}
	json_decref(have);
	return rc;
}

int
refresh_issue(const struct config *cfg, const json_t *user,
    char tok[LIM_SIG + 1])
{
	const char *name = json_string_value(json_object_get(user, "name"));
	char key[LIM_KEY], id[2 * ID_BYTES + 1];
	json_t *rec = NULL;
	json_int_t t = (json_int_t)time(NULL);
	struct store *st;
	int rc = -1;

	if (name == NULL || bytes_random_hex(tok, LIM_TOKEN_BYTES) == -1 ||
	    bytes_random_hex(id, ID_BYTES) == -1 ||
	    store_open(cfg->database, STORE_WRITE, &st) == -1)
		return -1;
	if ((rc = account_unchanged(st, user)) != 0)
		goto out;
	rc = -1;
	rec = json_pack("{s:s, s:s, s:I, s:I, s:s, s:s}", "user", name,
	    "service", cfg->token_service, "created", t, "used", t, "id", id,
	    "cred", account_stamp(user));
	store_key(key, STORE_REFRESH, tok);
	if (rec != NULL && make_room(st, name) == 0 &&
	    store_put(st, key, rec) == 0)
		rc = 0;
out:
	if (store_close(st) == -1 && rc == 0)
		rc = -1;
	json_decref(rec);
	return rc;
}

int
token_touch(struct store *st, json_t **rec, void *arg)
{
	(void)st, (void)arg;
	return *rec == NULL ? 1 : json_object_set_new(*rec, "used",
	    json_integer(time(NULL)));
}

int
refresh_use(const struct config *cfg, const char *tok, json_t **user)
{
	char rkey[LIM_KEY];
	json_int_t now = (json_int_t)time(NULL), used;
	const char *name = NULL, *service = NULL;
	struct store *st;
	json_t *rec = NULL;
	int rc;

	*user = NULL;
	store_key(rkey, STORE_REFRESH, tok);
	if (store_open(cfg->database, STORE_READ, &st) == -1)
		return -1;
	rc = store_get(st, rkey, &rec);
	json_unpack(rec, "{s?s, s?s}", "user", &name, "service", &service);
	if (rc == 0 && name != NULL)
		rc = account_get(st, name, user);
	store_close(st);
	used = last_use(rec);
	if (rc == 0 && (name == NULL ||
	    !account_cred_ok(*user, account_stamp(rec)) || service == NULL ||
	    strcmp(service, cfg->token_service) != 0 ||
	    now - used > cfg->refresh_ttl))
		rc = 1;
	if (rc == 0 && now - used > LIM_REFRESH_TOUCH)
		store_update(cfg->database, rkey, token_touch, NULL);
	if (rc != 0) {
		json_decref(*user);
		*user = NULL;
	}
	json_decref(rec);
	return rc;
}

json_t *
refresh_list(const struct config *cfg, const char *user)
{
	json_t *have = NULL, *out = json_array(), *v;
	struct store *st;
	const char *k;

	if (out == NULL || store_open(cfg->database, STORE_READ, &st) == -1) {
		json_decref(out);
		return NULL;
	}
	have = of_user(st, user);
	store_close(st);
	json_object_foreach(have, k, v)
		json_array_append_new(out, json_pack("{s:O?, s:O?, s:O?, s:I}",
		    "id", json_object_get(v, "id"), "service",
		    json_object_get(v, "service"), "created",
		    json_object_get(v, "created"), "used", last_use(v)));
	json_decref(have);
	return out;
}

static int
is_one(const char *key, json_t *rec, void *arg)
{
	const struct mine *m = arg;

	return admin_of_user(key, rec, (void *)m->user) &&
	    strcmp(record_str(rec, "id"), m->id) == 0;
}

int
refresh_revoke(const struct config *cfg, const char *user, const char *id)
{
	struct mine m = { user, id, NULL };
	struct store *st;
	int n;

	if (store_open(cfg->database, STORE_WRITE, &st) == -1)
		return -1;
	n = store_purge(st, "refresh:", is_one, &m);
	if (store_close(st) == -1)
		n = -1;
	return n < 0 ? -1 : n == 0;
}

static int
idle(const char *key, json_t *rec, void *cutoff)
{
	(void)key;
	return last_use(rec) < *(const json_int_t *)cutoff;
}

int
refresh_gc(struct store *st, const struct config *cfg)
{
	json_int_t cutoff = (json_int_t)time(NULL) - cfg->refresh_ttl;

	return store_purge(st, "refresh:", idle, &cutoff);
}
