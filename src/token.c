/*
 * token: issue, check and purge v1 tokens. The signature is 256 bits from
 * getrandom(); it is looked up as a key, never compared by hand. A check
 * also loads the user, so disabling or deleting a user revokes every
 * token of theirs at once.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "account.h"
#include "auth.h"
#include "log.h"
#include "token.h"

int
token_issue(struct store *st, const struct config *cfg, const char *user,
    const char *repo, const char *access, char *out)
{
	char sig[LIM_SIG + 1], key[LIM_KEY];
	json_t *rec;
	int rc;

	if (auth_random_hex(sig, LIM_TOKEN_BYTES) == -1)
		return -1;
	rec = json_pack("{s:s, s:s, s:s, s:I}", "user", user, "repo", repo,
	    "access", access, "expires", (json_int_t)(time(NULL) +
	    cfg->token_ttl));
	snprintf(key, sizeof(key), "token:%s", sig);
	rc = rec ? store_put(st, key, rec) : -1;
	json_decref(rec);
	snprintf(out, TOKEN_VALUE_LEN, "signature=%s,repository=\"%s\","
	    "access=%s", sig, repo, access);
	auth_wipe(sig, sizeof(sig));
	return rc;
}

static void
drop_expired(const struct config *cfg, const char *key)
{
	struct store *st;

	if (store_open(cfg->database, STORE_WRITE, &st) == 0) {
		store_del(st, key);
		store_close(st);
	}
}

/* With the token record rec: is it good for repo? */
static int
token_fits(const json_t *rec, const struct auth_token *t, const char *repo)
{
	const char *r = json_string_value(json_object_get(rec, "repo"));
	const char *a = json_string_value(json_object_get(rec, "access"));

	if (r == NULL || a == NULL || strcmp(r, repo) != 0)
		return 0;
	if (t->repo[0] && strcmp(t->repo, r) != 0)
		return 0;
	return t->access[0] == '\0' || strcmp(t->access, a) == 0;
}

int
token_check(const struct config *cfg, const char *val, size_t len,
    const char *repo, char user[LIM_USER + 1], char access[8],
    const char *reckey, json_t **out)
{
	struct auth_token t;
	struct store *st;
	json_t *rec = NULL, *u = NULL;
	char key[LIM_KEY];
	const char *name;
	int rc = 1, expired = 0;

	if (reckey != NULL)
		*out = NULL;
	if (auth_parse_token(val, len, &t) == -1)
		return 1;
	snprintf(key, sizeof(key), "token:%s", t.sig);
	if (store_open(cfg->database, STORE_READ, &st) == -1)
		return -1;
	if ((rc = store_get(st, key, &rec)) != 0)
		goto out;
	rc = 1;
	expired = json_integer_value(json_object_get(rec, "expires")) <=
	    time(NULL);
	name = json_string_value(json_object_get(rec, "user"));
	if (expired || name == NULL || !token_fits(rec, &t, repo))
		goto out;
	snprintf(user, LIM_USER + 1, "%s", name);
	account_key(name, key);
	if (store_get(st, key, &u) != 0 ||
	    !json_is_true(json_object_get(u, "enabled")))
		goto out;
	snprintf(access, 8, "%s",
	    json_string_value(json_object_get(rec, "access")));
	rc = reckey == NULL || store_get(st, reckey, out) != -1 ? 0 : -1;
out:
	store_close(st);
	json_decref(rec);
	json_decref(u);
	if (expired) {
		snprintf(key, sizeof(key), "token:%s", t.sig);
		drop_expired(cfg, key);
	}
	auth_wipe(&t, sizeof(t));
	return rc;
}

struct sweep {
	time_t		 now;
	const char	*user;
	const char	*repo;
	json_t		*keys;
};

static int
collect(const char *key, json_t *val, void *arg)
{
	struct sweep *s = arg;
	const char *u = json_string_value(json_object_get(val, "user"));
	const char *r = json_string_value(json_object_get(val, "repo"));
	int hit;

	if (s->user || s->repo)
		hit = (s->user && u && strcmp(u, s->user) == 0) ||
		    (s->repo && r && strcmp(r, s->repo) == 0);
	else
		hit = val == NULL || json_integer_value(json_object_get(val,
		    "expires")) <= s->now;
	if (hit && json_array_append_new(s->keys, json_string(key)) == -1)
		return -1;
	return 0;
}

static int
sweep(struct store *st, struct sweep *s, size_t *removed)
{
	json_t *k;
	size_t i;
	int rc = -1;

	*removed = 0;
	if ((s->keys = json_array()) == NULL)
		return -1;
	if (store_each(st, "token:", collect, s) != 0)
		goto out;
	json_array_foreach(s->keys, i, k) {
		if (store_del(st, json_string_value(k)) == -1)
			goto out;
		(*removed)++;
	}
	rc = 0;
out:
	json_decref(s->keys);
	return rc;
}

int
token_gc(struct store *st, time_t now, size_t *removed)
{
	struct sweep s = { .now = now };

	return sweep(st, &s, removed);
}

int
token_purge(struct store *st, const char *user, const char *repo,
    size_t *removed)
{
	struct sweep s = { .user = user, .repo = repo };

	return sweep(st, &s, removed);
}
