/*
 * route_v1: the v1 index API of docker 1.x and docker-registry 0.7-0.9
 * (PROTOCOL.md). One component "/v1/repositories/<a>/..." is library/<a>;
 * but a PUT of ".../<a>/images/" or ".../<a>/auth/" (trailing slash) is
 * the push start of repository <a>/images or <a>/auth.
 * Statuses: 401 no or bad credentials (anonymous on a private repository
 * too), 403 a disabled account or missing permission, 404 an unknown
 * repository, 400 bad names and bodies, 503 the store failed.
 */
#include <stdio.h>
#include <string.h>

#include "account.h"
#include "acl.h"
#include "admin.h"
#include "auth.h"
#include "body.h"
#include "hook.h"
#include "names.h"
#include "record.h"
#include "repo.h"
#include "route.h"
#include "store.h"
#include "token.h"

#define SEARCH_DEFAULT	25	/* results per page without n= */

struct target {
	char	ns[LIM_NS + 1];
	char	repo[LIM_NAME + 1];
	char	name[LIM_NAME + 1];	/* ns/repo */
	char	key[LIM_KEY];		/* repo:ns/repo */
};

/* Standalone must be false, or the client sends the registry Basic auth
 * instead of our tokens (PROTOCOL.md 3). */
static int
v1_alive(struct ctx *ctx)
{
	http_resp_header(ctx->resp, "X-Docker-Registry-Version", "0.6.0");
	http_resp_header(ctx->resp, "X-Docker-Registry-Standalone", "false");
	return route_json(ctx, 200, json_true());
}

/* The repository named by the first n '*' segments (1: library/<a>). */
static int
target(struct ctx *ctx, size_t n, struct target *t)
{
	char name[LIM_NAME + 1];

	if ((size_t)snprintf(name, sizeof(name), "%s%s%s", n == 1 ? "" :
	    ctx->arg[0], n == 1 ? "" : "/", ctx->arg[n - 1]) >= sizeof(name) ||
	    !name_repo_parse(name, t->ns, t->repo) || (size_t)snprintf(t->name,
	    sizeof(t->name), "%s/%s", t->ns, t->repo) >= sizeof(t->name))
		return 400;
	snprintf(ctx->repo, sizeof(ctx->repo), "%s", t->name);
	store_key(t->key, STORE_REPO, t->name);
	return 0;
}

/* Log in (scrypt before any lock), then read the public grants and t's
 * record in one transaction. rights 0: a token was checked instead. why:
 * the body's fault, a 400 once the rights are known. 0 with *st open. */
static int
need(struct ctx *ctx, const struct target *t, int rights, const char *why,
    enum store_mode mode, struct store **st, json_t **rec)
{
	json_t *user = NULL, *pub = NULL;
	int status;

	*rec = NULL;
	if (rights == 0 && why != NULL)	/* a token: no lock for a bad body */
		return route_error(ctx, 400, why);
	if (rights != 0 && (status = route_basic(ctx, &user)) != 0)
		return status;
	if (store_open(ctx->cfg->database, mode, st) == -1 || (rights != 0 &&
	    store_get(*st, "user:*", &pub) == -1))
		status = 503;
	else if ((acl_allows(user, pub, t->ns, t->repo,
	    ctx->cfg->own_namespace) & rights) != rights)
		status = user == NULL ? 401 : 403;
	else if (why != NULL)
		status = route_error(ctx, 400, why);
	else
		status = store_get(*st, t->key, rec) == -1 ? 503 : 0;
	if (status != 0 && *st != NULL)	/* store_open failed: NULL */
		store_close(*st);
	json_decref(user);
	json_decref(pub);
	return status;
}

/* An "Authorization: Token" request: 0 valid for t (tu filled), 1 not
 * a Token request, or a status. */
static int
token_auth(struct ctx *ctx, const struct target *t, int want_rec,
    struct token_use *tu)
{
	const struct http_hdr *h = http_header(ctx->req, "Authorization");
	const char *rest;
	size_t len;
	int rc;

	memset(tu, 0, sizeof(*tu));
	if (h == NULL || auth_scheme(h->val, h->val_len, &rest, &len) !=
	    AUTH_TOKEN)
		return 1;
	if ((rc = token_check(ctx->cfg, rest, len, t->name, want_rec, tu)) == 0)
		snprintf(ctx->user, sizeof(ctx->user), "%s", tu->user);
	return rc == 0 ? 0 : rc == 1 ? 401 : 503;
}

/* One X-Docker-Endpoints line per registry: old clients split no list. */
static int
endpoints(struct ctx *ctx, int status, json_t *body)
{
	char list[LIM_CONF_VALUE], *p, *save = NULL;

	snprintf(list, sizeof(list), "%s", ctx->cfg->registries);
	for (p = strtok_r(list, ",", &save); p; p = strtok_r(NULL, ",", &save))
		http_resp_header(ctx->resp, "X-Docker-Endpoints", "%s", p);
	return route_json(ctx, status, body);
}

/* st: the write transaction, NULL for an anonymous caller. */
static int
give_token(struct ctx *ctx, struct store *st, const struct target *t,
    const char *access, const json_t *ids)
{
	struct token_grant g = { ctx->user, ctx->cred, ctx->atok, t->name,
	    access, ids };
	char tok[TOKEN_VALUE_LEN];

	if (token_issue(st, ctx->cfg, &g, tok) == -1)
		return -1;
	http_resp_header(ctx->resp, "X-Docker-Token", "%s", tok);
	http_resp_header(ctx->resp, "WWW-Authenticate", "Token %s", tok);
	bytes_wipe(tok, sizeof(tok));
	return 0;
}

static int
exists(struct ctx *ctx)
{
	return route_json(ctx, 400,
	    json_string("Username or email already exists"));
}

/* Whether a new account name would get, by own_namespace, what others
 * pushed to or were granted in its namespace: 1, 0, -1 store failure. */
static int
ns_in_use(const struct config *cfg, const char *name)
{
	struct store *st;
	int rc;

	if (!cfg->own_namespace)
		return 0;
	if (store_open(cfg->database, STORE_READ, &st) == -1)
		return -1;
	rc = admin_ns_used(st, name, 1);
	store_close(st);
	return rc;
}

/* POST /v1/users/: registration. An existing name, or one whose namespace
 * holds repositories, answers the exact body docker 1.x looks for,
 * whatever the password (PROTOCOL.md 4.1). */
static int
user_create(struct ctx *ctx)
{
	const char *name = "", *pass = "", *email = "";
	json_t *body = NULL, *old = NULL, *u = NULL;
	int status, rc;

	if (!ctx->cfg->allow_registration)
		return route_error(ctx, 401, "registration is closed");
	if (body_json(ctx->req, &body) != 0 || !json_is_object(body))
		status = 400;
	else if (json_unpack(body, "{s?s, s?s, s?s}", "username", &name,
	    "password", &pass, "email", &email) == -1)
		status = route_error(ctx, 400, "fields must be strings");
	else if (name_user_ok(name) && ((rc = admin_get(ctx->cfg, name, 0,
	    &old)) != RES_NOUSER || (rc = ns_in_use(ctx->cfg, name)) != 0))
		status = rc == RES_OK || rc == 1 ? exists(ctx) : 503;
	else if (email[0] == '\0')
		status = route_error(ctx, 400, "a valid e-mail is required");
	else if ((rc = admin_add(ctx->cfg, name, pass, email, 0,
	    ctx->cfg->new_accounts_enabled, &u)) == RES_OK) {
		snprintf(ctx->user, sizeof(ctx->user), "%s", name);
		status = route_json(ctx, 201, json_string("User Created"));
	} else
		status = rc == RES_EXISTS ? exists(ctx) : route_result(ctx, rc);
	json_decref(body);
	json_decref(old);
	json_decref(u);
	return status;
}

/* GET /v1/users/: the one login primitive of every docker 1.x. */
static int
user_login(struct ctx *ctx)
{
	json_t *user;
	int status;

	if ((status = route_basic(ctx, &user)) != 0)
		return status;
	status = user == NULL ? 401 : route_json(ctx, 200, json_string("OK"));
	json_decref(user);
	return status;
}

/* PUT /v1/users/<name>/: acl_account, so not by an access token; a new
 * password revokes every credential of the user (admin.c). */
static int
user_update(struct ctx *ctx)
{
	const char *name = ctx->arg[0], *pass = "", *email = "";
	json_t *caller, *body = NULL, *u = NULL;
	char mcf[AUTH_MCF_LEN];
	int status, rc;

	if ((status = route_caller(ctx, &caller)) != 0)
		return status;
	if (caller == NULL)
		status = 401;
	else if (!acl_account(caller, name))
		status = 403;
	else if (!name_user_ok(name))
		status = 404;
	else if (body_json(ctx->req, &body) != 0 || !json_is_object(body))
		status = route_error(ctx, 400, "body is not a JSON object");
	else if (json_unpack(body, "{s?s, s?s}", "password", &pass, "email",
	    &email) == -1 || (!*pass && !*email))
		status = route_error(ctx, 400, "give password and/or email "
		    "(strings)");
	else if (*pass && !name_password_ok(pass))
		status = route_error(ctx, 400, result_msg(RES_BADPASS));
	else if (*pass && account_hash(ctx->cfg, pass, mcf) == -1)
		status = 503;
	else if ((rc = admin_user(ctx->cfg, ADMIN_PASSWD, name, *pass ? mcf :
	    NULL, *email ? email : NULL, &u)) == RES_OK)
		status = 204;
	else
		status = rc == RES_NOUSER ? 404 : route_result(ctx, rc);
	bytes_wipe(mcf, sizeof(mcf));
	json_decref(caller);
	json_decref(body);
	json_decref(u);
	return status;
}

/* PUT /v1/repositories/<name>/: push start. Merges the announced ids at
 * once, so the registry's validations find them (PROTOCOL.md 5.3). */
static int
push_start(struct ctx *ctx)
{
	json_t *list = NULL, *rec, *ids = NULL, *e;
	const char *why, *state = NULL;
	struct store *st;
	struct target t;
	size_t i;
	int status, rc;

	if ((status = target(ctx, ctx->narg, &t)) != 0)
		return status;
	why = body_json(ctx->req, &list) ? "body is not JSON" :
	    repo_list_check(list);
	if ((status = need(ctx, &t, ACL_PUSH, why, STORE_WRITE, &st, &rec)) != 0)
		goto out;
	status = 503;
	if ((ids = json_array()) == NULL || (rec == NULL &&
	    (rec = repo_new(ctx->user)) == NULL))
		goto close;
	json_array_foreach(list, i, e)	/* for the write token */
		json_array_append(ids, json_object_get(e, "id"));
	json_unpack(rec, "{s?s}", "state", &state);
	if (state == NULL || strcmp(state, "deleted") == 0)
		json_object_set_new(rec, "state", json_string("pushing"));
	if ((rc = repo_merge(rec, list)) == 1)
		status = route_error(ctx, 400, "too many images");
	else if (rc == 0 && store_put(st, t.key, rec) == 0 &&
	    give_token(ctx, st, &t, "write", ids) == 0)
		status = 200;
close:
	if (store_close(st) == -1)
		status = 503;
	if (status == 200)
		status = endpoints(ctx, 200, json_string(""));
out:
	json_decref(ids);
	json_decref(list);
	json_decref(rec);
	return status;
}

/* DELETE /v1/repositories/<name>/: X-Docker-Token marks it deleted and
 * gets a delete token (202); without, admin_repo_remove (200). */
static int
repo_delete(struct ctx *ctx)
{
	struct store *st;
	struct target t;
	json_t *rec;
	int status;

	if ((status = target(ctx, ctx->narg, &t)) != 0)
		return status;
	if ((status = need(ctx, &t, ACL_DELETE, NULL, STORE_WRITE, &st, &rec)) !=
	    0)
		return status;
	if (rec == NULL)
		status = 404;
	else if (!http_header_is(ctx->req, "X-Docker-Token", "true"))
		status = admin_repo_remove(st, t.name) >= 0 ? 200 : 503;
	else {
		json_object_set_new(rec, "state", json_string("deleted"));
		status = store_put(st, t.key, rec) == 0 && give_token(ctx, st,
		    &t, "delete", NULL) == 0 ? 202 : 503;
	}
	json_decref(rec);
	if (store_close(st) == -1)
		status = 503;
	return status < 300 ? endpoints(ctx, status, json_string("")) : status;
}

/* Whether a token (tu) lets its holder see image id: a write token only
 * the ids its own push announced (the registry validates each image of
 * that push and its parents), any other the repository's. */
static int
token_sees(const char *id, const void *tu)
{
	const struct token_use *u = tu;
	const json_t *e;
	size_t i;

	if (id == NULL)
		return 0;
	if (strcmp(u->access, "write") != 0)
		return 1;
	json_array_foreach(u->ids, i, e)
		if (json_is_string(e) && strcmp(json_string_value(e), id) == 0)
			return 1;
	return 0;
}

/* A pull by Basic or anonymous. X-Docker-Token asks for a read token,
 * stored (in the same, then write, transaction) only for a login. */
static int
pull(struct ctx *ctx, const struct target *t)
{
	int tok = http_header_is(ctx->req, "X-Docker-Token", "true");
	enum store_mode mode = tok && http_header(ctx->req, "Authorization") ?
	    STORE_WRITE : STORE_READ;
	struct store *st;
	json_t *rec;
	int status;

	if ((status = need(ctx, t, ACL_PULL, NULL, mode, &st, &rec)) != 0)
		return status;
	if (rec == NULL || strcmp(record_str(rec, "state"), "deleted") == 0)
		status = 404;
	else if (tok && give_token(ctx, mode == STORE_WRITE ? st : NULL, t,
	    "read", NULL) == -1)
		status = 503;
	if (store_close(st) == -1)
		status = 503;
	if (status == 0)
		status = endpoints(ctx, 200, repo_images(rec, NULL, NULL));
	json_decref(rec);
	return status;
}

/* GET .../images: the registry validating a token, or a pull. A deleted
 * repository still answers its delete token. */
static int
images_get(struct ctx *ctx)
{
	struct token_use tu;
	struct target t;
	int status;

	if ((status = target(ctx, ctx->narg, &t)) != 0)
		return status;
	if ((status = token_auth(ctx, &t, 1, &tu)) == 1)
		return pull(ctx, &t);
	if (status == 0)
		status = tu.rec == NULL ? 404 : route_json(ctx, 200,
		    repo_images(tu.rec, token_sees, &tu));
	token_use_free(&tu);
	return status;
}

/* PUT .../images: push finish. Basic with push permission, or a write
 * token of this repository. */
static int
images_put(struct ctx *ctx)
{
	json_t *list = NULL, *rec = NULL;
	struct token_use tu;
	struct store *st;
	struct target t;
	const char *why;
	int status, tok, rc, fresh;

	if ((status = target(ctx, ctx->narg, &t)) != 0)
		return status;
	if ((tok = token_auth(ctx, &t, 0, &tu)) > 1)
		return tok;
	rc = tok == 0 && strcmp(tu.access, "write") != 0;
	token_use_free(&tu);
	if (rc)
		return route_error(ctx, 403, "this token may not write");
	why = body_json(ctx->req, &list) ? "body is not JSON" :
	    repo_list_check(list);
	if ((status = need(ctx, &t, tok == 0 ? 0 : ACL_PUSH, why, STORE_WRITE,
	    &st, &rec)) != 0)
		goto out;
	status = 503;
	if (rec == NULL)
		status = 404;
	else if ((rc = repo_merge(rec, list)) == 1)
		status = route_error(ctx, 400, "too many images");
	else if (rc == 0 && (fresh = repo_complete(rec)) != -1 &&
	    hook_pushed(ctx->cfg, st, t.ns, t.repo, rec, fresh, ctx->user,
	    NULL) == RES_OK)
		status = 204;
	if (store_close(st) == -1)
		status = 503;
out:
	json_decref(list);
	json_decref(rec);
	return status;
}

/* PUT .../auth: "OK" for a valid token of this repository. GET
 * .../layer/<id>/access: whether the token's holder may read that image. */
static int
token_ask(struct ctx *ctx)
{
	int layer = ctx->req->method != HTTP_PUT;
	const char *id = ctx->arg[ctx->narg - 1];
	struct token_use tu;
	struct target t;
	int status;

	if ((status = target(ctx, ctx->narg - layer, &t)) != 0)
		return status;
	if ((status = token_auth(ctx, &t, 1, &tu)) != 0)
		return status == 1 ? 401 : status;
	if (layer)
		status = route_json(ctx, 200, json_pack("{s:b}", "access",
		    tu.rec != NULL && repo_has_image(tu.rec, id) &&
		    token_sees(id, &tu)));
	else
		status = tu.rec == NULL ? 404 : route_json(ctx, 200,
		    json_string("OK"));
	token_use_free(&tu);
	return status;
}

struct search {
	const char	*q;
	json_t		*user, *public;
	int		 own;
	json_t		*names;		/* name -> null: sorted by admin_keys */
};

static int
search_one(const char *name, void *arg)
{
	struct search *s = arg;
	char ns[LIM_NS + 1], repo[LIM_NAME + 1];

	if (strstr(name, s->q) == NULL || !name_repo_split(name, ns, repo) ||
	    !(acl_allows(s->user, s->public, ns, repo, s->own) & ACL_PULL))
		return 0;
	return json_object_set_new(s->names, name, json_null());
}

static json_t *
search_page(json_t *names, const char *q, long n, long page)
{
	json_t *all = admin_keys(names), *res = json_array();
	size_t total = json_array_size(all), i;

	if (all == NULL) {
		json_decref(res);
		return NULL;
	}
	for (i = (size_t)((page - 1) * n); i < total && i < (size_t)(page * n);
	    i++)
		json_array_append_new(res, json_pack("{s:O, s:s, s:i, s:b, "
		    "s:b, s:b}", "name", json_array_get(all, i), "description",
		    "", "star_count", 0, "is_official", 0, "is_trusted", 0,
		    "is_automated", 0));
	json_decref(all);
	return json_pack("{s:s, s:I, s:I, s:I, s:I, s:o}", "query", q,
	    "num_results", (json_int_t)total, "num_pages",
	    (json_int_t)((total + n - 1) / n), "page_size", (json_int_t)n,
	    "page", (json_int_t)page, "results", res);
}

/* A query parameter as a number in [1, hi], def when absent; -1 bad. */
static long
query_long(const struct http_req *req, const char *key, long hi, long def)
{
	char buf[16];
	int rc = http_form_get(req->query ? req->query : "", req->query_len,
	    key, buf, sizeof(buf));
	long v = rc == 0 ? def : rc == 1 ? (long)http_decimal(buf,
	    strlen(buf)) : -1;

	return v >= 1 && v <= hi ? v : -1;
}

/* GET /v1/search?q=&n=&page=: from the search index, a part of it per
 * lock hold (store_search), so a waiting writer gets in between; a
 * repository written meanwhile is found as it was before or after. */
static int
search(struct ctx *ctx)
{
	char q[LIM_NAME + 1] = "";
	struct search s = { .q = q, .own = ctx->cfg->own_namespace };
	json_t *out;
	long n, page;
	int status;

	if (http_form_get(ctx->req->query ? ctx->req->query : "",
	    ctx->req->query_len, "q", q, sizeof(q)) == -1 || (n =
	    query_long(ctx->req, "n", LIM_SEARCH_PAGE, SEARCH_DEFAULT)) == -1 ||
	    (page = query_long(ctx->req, "page", 1000000, 1)) == -1)
		return route_error(ctx, 400, "bad q, n (1-100) or page (>= 1)");
	if ((status = route_basic(ctx, &s.user)) != 0)
		return status;
	status = 503;
	if ((s.names = json_object()) != NULL && store_fetch(ctx->cfg->database,
	    "user:*", &s.public) != -1 && store_search(ctx->cfg->database,
	    search_one, &s) == 0 && (out = search_page(s.names, q, n, page)))
		status = route_json(ctx, 200, out);
	json_decref(s.user);
	json_decref(s.public);
	json_decref(s.names);
	return status;
}

const struct route route_v1_table[] = {
	{ R_GET, "/v1/_ping", R_ANY, v1_alive },
	{ R_GET, "/v1", R_ANY, v1_alive },
	{ R_GET, "/v1/users", R_ANY, user_login },
	{ R_POST, "/v1/users", R_ANY, user_create },
	{ R_PUT, "/v1/users/*", R_ANY, user_update },
	{ R_GET, "/v1/search", R_ANY, search },
	{ R_GET, "/v1/repositories/*/images", R_ANY, images_get },
	{ R_PUT, "/v1/repositories/*/images", R_NOSLASH, images_put },
	{ R_PUT, "/v1/repositories/*/auth", R_NOSLASH, token_ask },
	{ R_GET, "/v1/repositories/*/layer/*/access", R_ANY, token_ask },
	{ R_PUT, "/v1/repositories/*", R_ANY, push_start },
	{ R_DELETE, "/v1/repositories/*", R_ANY, repo_delete },
	{ R_GET, "/v1/repositories/*/*/images", R_ANY, images_get },
	{ R_PUT, "/v1/repositories/*/*/images", R_ANY, images_put },
	{ R_PUT, "/v1/repositories/*/*/auth", R_ANY, token_ask },
	{ R_GET, "/v1/repositories/*/*/layer/*/access", R_ANY, token_ask },
	{ R_PUT, "/v1/repositories/*/*", R_ANY, push_start },
	{ R_DELETE, "/v1/repositories/*/*", R_ANY, repo_delete },
	{ 0, NULL, R_ANY, NULL }
};
