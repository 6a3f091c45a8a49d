/*
 * token: issue and check v1 tokens. The signature, 256 random bits, is
 * looked up as a key, never compared by hand. A check loads the user and
 * the access token of the login: revoking either revokes the tokens.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "account.h"
#include "acl.h"
#include "atok.h"
#include "auth.h"
#include "names.h"
#include "record.h"
#include "token.h"

#define ANONYMOUS	"anonymous"	/* the signature of anonymous tokens */

int
token_issue(struct store *st, const struct config *cfg,
    const struct token_grant *g, char *out)
{
	char sig[LIM_SIG + 1] = ANONYMOUS, key[LIM_KEY];
	json_t *rec;
	int rc = 0;

	if (g->user[0] != '\0') {
		if (bytes_random_hex(sig, LIM_TOKEN_BYTES) == -1)
			return -1;
		rec = json_pack("{s:s, s:s, s:s, s:s, s:I, s:O*, s:s*}",
		    "user", g->user, "cred", g->cred, "repo", g->repo,
		    "access", g->access, "expires", (json_int_t)(time(NULL) +
		    cfg->token_ttl), "ids", (json_t *)g->ids, "atok",
		    g->atok[0] != '\0' ? g->atok : NULL);
		store_key(key, STORE_TOKEN, sig);
		rc = rec ? store_put(st, key, rec) : -1;
		json_decref(rec);
	}
	snprintf(out, TOKEN_VALUE_LEN, "signature=%s,repository=\"%s\","
	    "access=%s", sig, g->repo, g->access);
	bytes_wipe(sig, sizeof(sig));
	return rc;
}

int
token_claims_fit(const struct auth_token *t, const char *repo,
    const char *access)
{
	return (t->repo[0] == '\0' || strcmp(t->repo, repo) == 0) &&
	    (t->access[0] == '\0' || strcmp(t->access, access) == 0);
}

int
token_needs(const char *access)
{
	return strcmp(access, "read") == 0 ? ACL_PULL :
	    strcmp(access, "write") == 0 ? ACL_PUSH : ACL_DELETE;
}

/* 0 when user (NULL anonymous) may still do access to repo, 1 not, -1
 * store failure. */
static int
still_granted(const struct config *cfg, struct store *st, const json_t *user,
    const char *repo, const char *access)
{
	char ns[LIM_NS + 1], r[LIM_NAME + 1];
	json_t *pub = NULL;
	int bits;

	if (!name_repo_split(repo, ns, r))
		return 1;
	if (store_get(st, "user:*", &pub) == -1)
		return -1;
	bits = acl_allows(user, pub, ns, r, cfg->own_namespace);
	json_decref(pub);
	return (bits & token_needs(access)) != token_needs(access);
}

/* 0 when the stored token t is good for repo (out filled), 1 not, -1
 * store failure; *expired set for an expired one. */
static int
stored_ok(const struct config *cfg, struct store *st, const struct auth_token
    *t, const char *repo, struct token_use *out, int *expired)
{
	json_t *rec = NULL, *u = NULL;
	const char *name, *r, *a;
	char key[LIM_KEY];
	int rc;

	store_key(key, STORE_TOKEN, t->sig);
	if ((rc = store_get(st, key, &rec)) != 0)
		return rc;
	rc = 1;
	*expired = json_integer_value(json_object_get(rec, "expires")) <=
	    time(NULL);
	if (*expired || json_unpack(rec, "{s:s, s:s, s:s}", "user", &name,
	    "repo", &r, "access", &a) == -1 || strcmp(r, repo) != 0 ||
	    !token_claims_fit(t, repo, a) ||
	    (rc = account_get(st, name, &u)) != 0 ||
	    (rc = !account_cred_ok(u, account_stamp(rec))) != 0 ||
	    (record_str(rec, "atok")[0] != '\0' &&
	    (rc = atok_bind(st, record_str(rec, "atok"), u)) != 0) ||
	    (rc = still_granted(cfg, st, u, repo, a)) != 0)
		goto out;
	snprintf(out->user, sizeof(out->user), "%s", name);
	snprintf(out->access, sizeof(out->access), "%s", a);
	out->ids = json_incref(json_object_get(rec, "ids"));
	rc = 0;
out:
	json_decref(rec);
	json_decref(u);
	return rc;
}

int
token_check(const struct config *cfg, const char *val, size_t len,
    const char *repo, int want_rec, struct token_use *out)
{
	struct auth_token t;
	struct store *st;
	char key[LIM_KEY];
	int rc, expired = 0;

	memset(out, 0, sizeof(*out));
	if (auth_parse_token(val, len, &t) == -1)
		return 1;
	if (store_open(cfg->database, STORE_READ, &st) == -1)
		return -1;
	if (strcmp(t.sig, ANONYMOUS) == 0) {
		rc = token_claims_fit(&t, repo, "read") ?
		    still_granted(cfg, st, NULL, repo, "read") : 1;
		snprintf(out->access, sizeof(out->access), "read");
	} else
		rc = stored_ok(cfg, st, &t, repo, out, &expired);
	if (rc == 0 && want_rec) {
		store_key(key, STORE_REPO, repo);
		rc = store_get(st, key, &out->rec) == -1 ? -1 : 0;
	}
	store_close(st);
	if (rc != 0)
		token_use_free(out);
	store_key(key, STORE_TOKEN, t.sig);
	if (expired && store_open(cfg->database, STORE_WRITE, &st) == 0) {
		store_del(st, key);
		store_close(st);
	}
	bytes_wipe(&t, sizeof(t));
	return rc;
}

void
token_use_free(struct token_use *u)
{
	json_decref(u->ids);
	json_decref(u->rec);
	u->ids = u->rec = NULL;
}
