/*
 * route_v1: the v1 index API that docker 1.x clients and docker-registry
 * 0.7-0.9 speak (PROTOCOL.md). "/v1/repositories/<repo>/..." means
 * namespace library. For PUT, a one-component ".../<a>/images" or
 * ".../<a>/auth" without a trailing slash is library/<a>; with the slash
 * it is the push start of repository <a>/images (the client's spelling).
 *
 * Statuses: 401 no or bad credentials (anonymous on a private repository
 * too), 403 a disabled account or missing permission, 404 an unknown
 * repository, 400 bad names and bodies, 503 the store failed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "account.h"
#include "acl.h"
#include "admin.h"
#include "auth.h"
#include "body.h"
#include "hook.h"
#include "names.h"
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

/* GET /v1/_ping, GET /v1/: the client decides from X-Docker-Registry-
 * Standalone whether to send Basic auth to the registry; it must be
 * false so the registry sees tokens (PROTOCOL.md 3). */
static int
ping(struct ctx *ctx)
{
	http_resp_header(ctx->resp, "X-Docker-Registry-Version", "0.6.0");
	http_resp_header(ctx->resp, "X-Docker-Registry-Standalone", "false");
	return route_json(ctx, 200, json_true());
}

/* The repository named by the first n '*' segments (1: library/<a>). */
static int
target(struct ctx *ctx, size_t n, struct target *t)
{
	char name[LIM_NAME + 2];

	snprintf(name, sizeof(name), "%s%s%s", n == 1 ? "" : ctx->arg[0],
	    n == 1 ? "" : "/", ctx->arg[n - 1]);
	if (strlen(ctx->arg[0]) > LIM_NAME || strlen(ctx->arg[n - 1]) >
	    LIM_REPO || !name_repo_parse(name, t->ns, t->repo))
		return 400;
	if ((size_t)snprintf(t->name, sizeof(t->name), "%s/%s", t->ns,
	    t->repo) >= sizeof(t->name))
		return 400;
	repo_key(t->name, t->key);
	snprintf(ctx->repo, sizeof(ctx->repo), "%s", t->name);
	return 0;
}

/* Require the access bits `need` of the caller (Basic or anonymous);
 * 0 when allowed, else the status. */
static int
require(struct ctx *ctx, const struct target *t, int need)
{
	json_t *user;
	int bits, status;

	if ((status = route_access(ctx, t->ns, t->repo, &bits, &user)) != 0)
		return status;
	status = (bits & need) == need ? 0 : user == NULL ? 401 : 403;
	json_decref(user);
	return status;
}

/* An "Authorization: Token" request: 0 valid for t (out filled), 1 not
 * a Token request, or a status. */
static int
token_auth(struct ctx *ctx, const struct target *t, int want_rec,
    struct token_use *out)
{
	const struct http_hdr *h = http_header(ctx->req, "Authorization");
	const char *rest;
	size_t len;

	memset(out, 0, sizeof(*out));
	if (h == NULL || auth_scheme(h->val, h->val_len, &rest, &len) !=
	    AUTH_TOKEN)
		return 1;
	switch (token_check(ctx->cfg, rest, len, t->name, want_rec, out)) {
	case 0:
		snprintf(ctx->user, sizeof(ctx->user), "%s", out->user);
		return 0;
	case 1:
		return 401;
	default:
		return 503;
	}
}

static void
endpoints(struct ctx *ctx)
{
	char list[LIM_CONF_VALUE], *p, *save = NULL;

	/* one header line per registry: the oldest clients do not split */
	snprintf(list, sizeof(list), "%s", ctx->cfg->registries);
	for (p = strtok_r(list, ",", &save); p; p = strtok_r(NULL, ",", &save))
		http_resp_header(ctx->resp, "X-Docker-Endpoints", "%s", p);
}

/* Issue a token for the caller in the write transaction st (NULL for an
 * anonymous caller) and add its headers. ids: what a push announced. */
static int
give_token(struct ctx *ctx, struct store *st, const struct target *t,
    const char *access, const json_t *ids)
{
	struct token_grant g = { ctx->user, ctx->cred, t->name, access, ids };
	char tok[TOKEN_VALUE_LEN];

	if (token_issue(st, ctx->cfg, &g, tok) == -1)
		return -1;
	http_resp_header(ctx->resp, "X-Docker-Token", "%s", tok);
	http_resp_header(ctx->resp, "WWW-Authenticate", "Token %s", tok);
	bytes_wipe(tok, sizeof(tok));
	return 0;
}

static int
body_list(struct ctx *ctx, json_t **out)
{
	const char *why;

	if (body_json(ctx->req, out) != 0)
		return route_error(ctx, 400, "body is not JSON");
	if ((why = repo_list_check(*out)) != NULL) {
		json_decref(*out);
		*out = NULL;
		return route_error(ctx, 400, why);
	}
	return 0;
}

static int
exists_body(struct ctx *ctx)
{
	static const char exists[] = "\"Username or email already exists\"";

	http_resp_body(ctx->resp, 400, strdup(exists), sizeof(exists) - 1);
	return 400;
}

/* POST /v1/users/: registration. An existing name answers the exact
 * body docker 1.x looks for, whatever the password (PROTOCOL.md 4.1). */
static int
user_create(struct ctx *ctx)
{
	const char *name, *pass, *email;
	json_t *body = NULL, *old = NULL, *u = NULL;
	char key[LIM_KEY];
	int status = 400, rc;

	if (!ctx->cfg->allow_registration)
		return route_error(ctx, 401, "registration is closed");
	if (body_json(ctx->req, &body) != 0 || !json_is_object(body))
		goto out;
	name = body_str(body, "username");
	pass = body_str(body, "password");
	email = body_str(body, "email");
	if (name == NULL || pass == NULL || email == NULL) {
		status = route_error(ctx, 400, "fields must be strings");
		goto out;
	}
	account_key(name, key);
	if (name_user_ok(name) && (rc = store_fetch(ctx->cfg->database, key,
	    &old)) != 1) {
		status = rc == 0 ? exists_body(ctx) : 503;
		goto out;
	}
	if (email[0] == '\0') {
		status = route_error(ctx, 400, "a valid e-mail is required");
		goto out;
	}
	rc = admin_add(ctx->cfg, name, pass, email, 0,
	    ctx->cfg->new_accounts_enabled, &u);
	if (rc == RES_OK) {
		snprintf(ctx->user, sizeof(ctx->user), "%s", name);
		status = route_json(ctx, 201, json_string("User Created"));
	} else
		status = rc == RES_EXISTS ? exists_body(ctx) :
		    route_error(ctx, rc > 0 ? 400 : 503, result_msg(rc));
out:
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
	if (user == NULL)
		return 401;
	json_decref(user);
	return route_json(ctx, 200, json_string("OK"));
}

static int
users(struct ctx *ctx)
{
	return ctx->req->method == HTTP_POST ? user_create(ctx) :
	    user_login(ctx);
}

/* PUT /v1/users/<name>/: the user themself or an admin; a new password
 * revokes every credential of the user (admin.c, like dindexctl). */
static int
user_update(struct ctx *ctx)
{
	const char *name = ctx->arg[0], *pass, *email;
	char mcf[AUTH_MCF_LEN];
	json_t *caller, *body = NULL, *u = NULL;
	int status;

	if ((status = route_basic(ctx, &caller)) != 0)
		return status;
	if (caller == NULL)
		return 401;
	status = strcmp(ctx->user, name) == 0 ||
	    json_is_true(json_object_get(caller, "admin")) ? 0 : 403;
	json_decref(caller);
	if (status != 0)
		return status;
	if (!name_user_ok(name))
		return 404;
	if (body_json(ctx->req, &body) != 0 || !json_is_object(body))
		return route_error(ctx, 400, "body is not a JSON object");
	pass = body_str(body, "password");
	email = body_str(body, "email");
	if (pass == NULL || email == NULL || (!*pass && !*email))
		status = route_error(ctx, 400, "give password and/or email "
		    "(strings)");
	else if (*pass && (strlen(pass) < LIM_PASSWORD_MIN ||
	    strlen(pass) > LIM_PASSWORD))
		status = route_error(ctx, 400, result_msg(RES_BADPASS));
	else if (*pass && account_hash(ctx->cfg, pass, mcf) == -1)
		status = 503;
	else {
		status = admin_user(ctx->cfg, ADMIN_PASSWD, name, *pass ? mcf :
		    NULL, *email ? email : NULL, &u);
		status = status == RES_OK ? 204 : status == RES_NOUSER ?
		    404 : route_error(ctx, status > 0 ? 400 : 503,
		    result_msg(status));
	}
	bytes_wipe(mcf, sizeof(mcf));
	json_decref(body);
	json_decref(u);
	return status;
}

/* The ids a push start announced, for its write token. */
static json_t *
announced(const json_t *list)
{
	json_t *ids = json_array(), *e;
	size_t i;

	json_array_foreach(list, i, e)
		json_array_append(ids, json_object_get(e, "id"));
	return ids;
}

/* PUT /v1/repositories/<name>/: push start. Merges the announced ids at
 * once, so the registry's validations find them (PROTOCOL.md 5.3). */
static int
push_start(struct ctx *ctx, const struct target *t)
{
	json_t *list = NULL, *rec = NULL, *ids = NULL;
	struct store *st;
	int status, rc;
	const char *state;

	if ((status = require(ctx, t, ACL_PUSH)) != 0 ||
	    (status = body_list(ctx, &list)) != 0)
		return status;
	status = 503;
	if ((ids = announced(list)) == NULL ||
	    store_open(ctx->cfg->database, STORE_WRITE, &st) == -1)
		goto out;
	if ((rc = store_get(st, t->key, &rec)) == 1)
		rec = repo_new(ctx->user);
	state = json_string_value(json_object_get(rec, "state"));
	if (rc == -1 || rec == NULL || repo_merge(rec, list) == -1)
		goto close;
	if (state == NULL || strcmp(state, "deleted") == 0)
		json_object_set_new(rec, "state", json_string("pushing"));
	if (store_put(st, t->key, rec) == 0 &&
	    give_token(ctx, st, t, "write", ids) == 0)
		status = 200;
close:
	if (store_close(st) == -1)
		status = 503;
	if (status == 200) {
		endpoints(ctx);
		status = route_json(ctx, 200, json_string(""));
	}
out:
	json_decref(ids);
	json_decref(list);
	json_decref(rec);
	return status;
}

/* DELETE /v1/repositories/<name>/: with X-Docker-Token the repository is
 * marked deleted and a delete token issued (202); without, every record
 * of it goes (200). */
static int
repo_delete(struct ctx *ctx, const struct target *t)
{
	int mark = http_header_is(ctx->req, "X-Docker-Token", "true");
	json_t *rec = NULL;
	struct store *st;
	int status, rc;

	if ((status = require(ctx, t, ACL_DELETE)) != 0)
		return status;
	if (store_open(ctx->cfg->database, STORE_WRITE, &st) == -1)
		return 503;
	status = 503;
	if ((rc = store_get(st, t->key, &rec)) == 1)
		status = 404;
	else if (rc == 0 && mark) {
		json_object_set_new(rec, "state", json_string("deleted"));
		if (store_put(st, t->key, rec) == 0 &&
		    give_token(ctx, st, t, "delete", NULL) == 0)
			status = 202;
	} else if (rc == 0 && admin_repo_remove(st, t->name) >= 0)
		status = 200;
	json_decref(rec);
	if (store_close(st) == -1)
		status = 503;
	if (status == 202 || status == 200) {
		endpoints(ctx);
		return route_json(ctx, status, json_string(""));
	}
	return status;
}

static int
repository(struct ctx *ctx)
{
	struct target t;
	int status;

	if ((status = target(ctx, ctx->narg, &t)) != 0)
		return status;
	return ctx->req->method == HTTP_PUT ? push_start(ctx, &t) :
	    repo_delete(ctx, &t);
}

/* Whether a token lets its holder see image id: a write token only the
 * ids its own push announced (the registry validates each image of that
 * push and its parents), any other the repository's. */
static int
token_sees(const struct token_use *tu, const char *id)
{
	const json_t *e;
	size_t i;

	if (id == NULL)
		return 0;
	if (strcmp(tu->access, "write") != 0)
		return 1;
	json_array_foreach(tu->ids, i, e)
		if (json_is_string(e) && strcmp(json_string_value(e), id) == 0)
			return 1;
	return 0;
}

/* The image list as a token's holder may see it. */
static json_t *
visible_images(const struct token_use *tu, const json_t *rec)
{
	json_t *all = repo_images(rec), *out = json_array(), *e;
	size_t i;

	json_array_foreach(all, i, e)
		if (token_sees(tu, json_string_value(json_object_get(e, "id"))))
			json_array_append(out, e);
	json_decref(all);
	return out;
}

/* A pull with Basic or no credentials: 0 with *rec, or a status. */
static int
basic_pull(struct ctx *ctx, const struct target *t, json_t **rec)
{
	const char *state;
	struct store *st;
	int status;

	if ((status = require(ctx, t, ACL_PULL)) != 0)
		return status;
	if ((status = store_fetch(ctx->cfg->database, t->key, rec)) != 0)
		return status == 1 ? 404 : 503;
	state = json_string_value(json_object_get(*rec, "state"));
	if (state && strcmp(state, "deleted") == 0)
		return 404;
	if (!http_header_is(ctx->req, "X-Docker-Token", "true"))
		return 0;
	if (ctx->user[0] == '\0')	/* anonymous tokens are not stored */
		return give_token(ctx, NULL, t, "read", NULL) == 0 ? 0 : 503;
	if (store_open(ctx->cfg->database, STORE_WRITE, &st) == -1)
		return 503;
	status = give_token(ctx, st, t, "read", NULL) == 0 ? 0 : 503;
	return store_close(st) == -1 ? 503 : status;
}

/* GET .../images: the registry validating a token, or a pull. A deleted
 * repository still answers its delete token. */
static int
images_get(struct ctx *ctx)
{
	struct token_use tu;
	struct target t;
	json_t *rec = NULL;
	int status, tok;

	if ((status = target(ctx, ctx->narg, &t)) != 0)
		return status;
	if ((tok = token_auth(ctx, &t, 1, &tu)) > 1)
		return tok;
	if (tok == 1) {
		if ((status = basic_pull(ctx, &t, &rec)) == 0) {
			endpoints(ctx);
			status = route_json(ctx, 200, repo_images(rec));
		}
		json_decref(rec);
		return status;
	}
	status = tu.rec == NULL ? 404 : route_json(ctx, 200,
	    visible_images(&tu, tu.rec));
	token_use_free(&tu);
	return status;
}

/* PUT .../images: push finish. Basic with push permission, or a write
 * token of this repository; a read token never writes. */
static int
images_put(struct ctx *ctx)
{
	json_t *list = NULL, *rec = NULL;
	struct token_use tu;
	struct store *st;
	struct target t;
	int status, tok, rc, fresh;

	if ((status = target(ctx, ctx->narg, &t)) != 0)
		return status;
	if ((tok = token_auth(ctx, &t, 0, &tu)) > 1)
		return tok;
	status = tok == 0 && strcmp(tu.access, "write") != 0 ? 403 : 0;
	token_use_free(&tu);
	if (status != 0)
		return route_error(ctx, 403, "this token may not write");
	if (tok == 1 && (status = require(ctx, &t, ACL_PUSH)) != 0)
		return status;
	if ((status = body_list(ctx, &list)) != 0)
		return status;
	status = 503;
	if (store_open(ctx->cfg->database, STORE_WRITE, &st) == -1)
		goto out;
	if ((rc = store_get(st, t.key, &rec)) == 1)
		status = 404;
	else if (rc == 0 && repo_merge(rec, list) != -1 &&
	    (fresh = repo_complete(rec)) != -1 && hook_pushed(ctx->cfg, st,
	    t.ns, t.repo, rec, fresh, ctx->user, NULL) == RES_OK)
		status = 204;
	if (store_close(st) == -1)
		status = 503;
out:
	json_decref(list);
	json_decref(rec);
	return status;
}

/* PUT .../auth: 200 "OK" for a valid token of this repository. */
static int
repo_auth(struct ctx *ctx)
{
	struct token_use tu;
	struct target t;
	int status;

	if ((status = target(ctx, ctx->narg, &t)) != 0)
		return status;
	if ((status = token_auth(ctx, &t, 1, &tu)) != 0)
		return status == 1 ? 401 : status;
	status = tu.rec == NULL ? 404 : route_json(ctx, 200,
	    json_string("OK"));
	token_use_free(&tu);
	return status;
}

/* GET .../layer/<id>/access: may this token's holder read that image? */
static int
layer_access(struct ctx *ctx)
{
	const char *id = ctx->arg[ctx->narg - 1];
	struct token_use tu;
	struct target t;
	int status, ok;

	if ((status = target(ctx, ctx->narg - 1, &t)) != 0)
		return status;
	if ((status = token_auth(ctx, &t, 1, &tu)) != 0)
		return status == 1 ? 401 : status;
	ok = tu.rec != NULL && repo_has_image(tu.rec, id) &&
	    token_sees(&tu, id);
	token_use_free(&tu);
	return route_json(ctx, 200, json_pack("{s:b}", "access", ok));
}

struct search {
	const char	*q;
	const json_t	*user;
	const json_t	*public;
	int		 own;
	json_t		*names;
};

static int
search_one(const char *name, void *arg)
{
	struct search *s = arg;
	const char *slash;
	char ns[LIM_NS + 1];

	if (strstr(name, s->q) == NULL || (slash = strchr(name, '/')) ==
	    NULL || (size_t)(slash - name) > LIM_NS)
		return 0;
	snprintf(ns, sizeof(ns), "%.*s", (int)(slash - name), name);
	if (acl_allows(s->user, s->public, ns, slash + 1, s->own) & ACL_PULL)
		return json_array_append_new(s->names, json_string(name));
	return 0;
}

static int
cmp_names(const void *a, const void *b)
{
	return strcmp(json_string_value(*(json_t *const *)a),
	    json_string_value(*(json_t *const *)b));
}

/* The page of sorted names as search results. */
static json_t *
search_page(json_t *names, const char *q, long n, long page)
{
	size_t total = json_array_size(names), i;
	json_t **v, *res = json_array();

	if ((v = calloc(total + 1, sizeof(*v))) == NULL || res == NULL) {
		free(v);
		json_decref(res);
		return NULL;
	}
	for (i = 0; i < total; i++)
		v[i] = json_array_get(names, i);
	qsort(v, total, sizeof(*v), cmp_names);
	for (i = (size_t)((page - 1) * n); i < total && i < (size_t)(page * n);
	    i++)
		json_array_append_new(res, json_pack("{s:O, s:s, s:i, s:b, "
		    "s:b, s:b}", "name", v[i], "description", "", "star_count",
		    0, "is_official", 0, "is_trusted", 0, "is_automated", 0));
	free(v);
	return json_pack("{s:s, s:I, s:I, s:I, s:I, s:o}", "query", q,
	    "num_results", (json_int_t)total, "num_pages",
	    (json_int_t)((total + n - 1) / n), "page_size", (json_int_t)n,
	    "page", (json_int_t)page, "results", res);
}

/* A query parameter as a number in [lo, hi]; def when absent. */
static int
query_long(const struct http_req *req, const char *key, long lo, long hi,
    long def, long *out)
{
	char buf[16];
	int rc;

	rc = http_form_get(req->query ? req->query : "", req->query_len, key,
	    buf, sizeof(buf));
	*out = rc == 0 ? def : rc == 1 ? (long)http_decimal(buf, strlen(buf)) :
	    -1;
	return *out >= lo && *out <= hi ? 0 : -1;
}

/* GET /v1/search?q=&n=&page=: completed repositories the caller may
 * pull whose name holds q. The names come from the store's search index,
 * a sixteenth of it per lock hold (store_search), not from a walk over
 * every record under one hold, so a waiting writer gets in between; a
 * repository written meanwhile is found as it was before or after. */
static int
search(struct ctx *ctx)
{
	struct search s = { .own = ctx->cfg->own_namespace };
	char q[LIM_NAME + 1];
	json_t *user = NULL, *public = NULL, *out;
	long n, page;
	int status;

	if (http_form_get(ctx->req->query ? ctx->req->query : "",
	    ctx->req->query_len, "q", q, sizeof(q)) == -1 ||
	    query_long(ctx->req, "n", 1, LIM_SEARCH_PAGE, SEARCH_DEFAULT,
	    &n) == -1 || query_long(ctx->req, "page", 1, 1000000, 1, &page) ==
	    -1)
		return route_error(ctx, 400, "bad q, n (1-100) or page (>= 1)");
	if (http_form_get(ctx->req->query ? ctx->req->query : "",
	    ctx->req->query_len, "q", q, sizeof(q)) == 0)
		q[0] = '\0';
	if ((status = route_basic(ctx, &user)) != 0)
		return status;
	s.q = q;
	s.user = user;
	if ((s.names = json_array()) == NULL || store_fetch(ctx->cfg->database,
	    "user:*", &public) == -1) {
		status = 503;
		goto out;
	}
	s.public = public;
	if (store_search(ctx->cfg->database, search_one, &s) != 0) {
		status = 503;
		goto out;
	}
	out = search_page(s.names, q, n, page);
	status = out ? route_json(ctx, 200, out) : 503;
out:
	json_decref(user);
	json_decref(public);
	json_decref(s.names);
	return status;
}

const struct route route_v1_table[] = {
	{ R_GET, "/v1/_ping", R_ANY, ping },
	{ R_GET, "/v1", R_ANY, ping },
	{ R_GET | R_POST, "/v1/users", R_ANY, users },
	{ R_PUT, "/v1/users/*", R_ANY, user_update },
	{ R_GET, "/v1/search", R_ANY, search },
	/* library/<a>: for PUT only without the trailing slash */
	{ R_GET, "/v1/repositories/*/images", R_ANY, images_get },
	{ R_PUT, "/v1/repositories/*/images", R_NOSLASH, images_put },
	{ R_PUT, "/v1/repositories/*/auth", R_NOSLASH, repo_auth },
	{ R_GET, "/v1/repositories/*/layer/*/access", R_ANY, layer_access },
	{ R_PUT | R_DELETE, "/v1/repositories/*", R_ANY, repository },
	{ R_GET, "/v1/repositories/*/*/images", R_ANY, images_get },
	{ R_PUT, "/v1/repositories/*/*/images", R_ANY, images_put },
	{ R_PUT, "/v1/repositories/*/*/auth", R_ANY, repo_auth },
	{ R_GET, "/v1/repositories/*/*/layer/*/access", R_ANY, layer_access },
	{ R_PUT | R_DELETE, "/v1/repositories/*/*", R_ANY, repository },
	{ 0, NULL, R_ANY, NULL }
};
