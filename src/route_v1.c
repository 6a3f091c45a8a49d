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
#include <time.h>

#include "account.h"
#include "acl.h"
#include "auth.h"
#include "hook.h"
#include "names.h"
#include "repo.h"
#include "route.h"
#include "store.h"
#include "token.h"

#define SEARCH_DEFAULT	25	/* results per page without n= */

struct target {
	char	ns[LIM_NS + 1];
	char	repo[LIM_REPO + 1];
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
	const char *ns = n == 1 ? "library" : ctx->arg[0];
	const char *repo = ctx->arg[n - 1];

	if (strlen(ns) > LIM_NS || strlen(repo) > LIM_REPO ||
	    !name_ns_ok(ns) || !name_repo_ok(repo))
		return 400;
	snprintf(t->ns, sizeof(t->ns), "%s", ns);
	snprintf(t->repo, sizeof(t->repo), "%s", repo);
	snprintf(t->name, sizeof(t->name), "%s/%s", ns, repo);
	repo_key(t->name, t->key);
	snprintf(ctx->repo, sizeof(ctx->repo), "%s", t->name);
	return 0;
}

/* What the caller (Basic or anonymous) may do to t. Returns 0 with
 * *bits, or a status. */
static int
access_bits(struct ctx *ctx, const struct target *t, int *bits,
    int *anonymous)
{
	json_t *user, *public;
	int status;

	if ((status = route_basic(ctx, &user)) != 0)
		return status;
	if (store_fetch(ctx->cfg->database, "user:*", &public) == -1) {
		json_decref(user);
		return 503;
	}
	*bits = acl_allows(user, public, t->ns, t->repo,
	    ctx->cfg->own_namespace);
	*anonymous = user == NULL;
	json_decref(user);
	json_decref(public);
	return 0;
}

/* Require the access bits `need`; 0 when allowed, else the status. */
static int
require(struct ctx *ctx, const struct target *t, int need)
{
	int bits = 0, anonymous = 1, status;

	if ((status = access_bits(ctx, t, &bits, &anonymous)) != 0)
		return status;
	if ((bits & need) == need)
		return 0;
	return anonymous ? 401 : 403;
}

/* An "Authorization: Token" request: 0 valid for t (and *access), 1 not
 * a Token request, or a status. With rec, a valid token also brings the
 * repository record (NULL if there is none) from the same transaction. */
static int
token_auth(struct ctx *ctx, const struct target *t, char access[8],
    json_t **rec)
{
	const struct http_hdr *h = http_header(ctx->req, "Authorization");
	const char *rest;
	size_t len;

	if (h == NULL || auth_scheme(h->val, h->val_len, &rest, &len) !=
	    AUTH_TOKEN)
		return 1;
	switch (token_check(ctx->cfg, rest, len, t->name, ctx->user, access,
	    rec ? t->key : NULL, rec)) {
	case 0:
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

/* Issue a token in the write transaction st and add its headers. */
static int
give_token(struct ctx *ctx, struct store *st, const struct target *t,
    const char *access)
{
	char tok[TOKEN_VALUE_LEN];

	if (token_issue(st, ctx->cfg, ctx->user, t->name, access, tok) == -1)
		return -1;
	http_resp_header(ctx->resp, "X-Docker-Token", "%s", tok);
	http_resp_header(ctx->resp, "WWW-Authenticate", "Token %s", tok);
	auth_wipe(tok, sizeof(tok));
	return 0;
}

static int
body_json(struct ctx *ctx, json_t **out)
{
	json_error_t err;

	*out = NULL;
	if (ctx->req->body == NULL || ctx->req->body_len == 0)
		return 400;
	*out = json_loadb(ctx->req->body, ctx->req->body_len,
	    JSON_REJECT_DUPLICATES, &err);
	return *out ? 0 : 400;
}

static int
body_list(struct ctx *ctx, json_t **out)
{
	const char *why;

	if (body_json(ctx, out) != 0)
		return route_error(ctx, 400, "body is not JSON");
	if ((why = repo_list_check(*out)) != NULL) {
		json_decref(*out);
		*out = NULL;
		return route_error(ctx, 400, why);
	}
	return 0;
}

/* POST /v1/users/: registration. An existing name answers the exact
 * body docker 1.x looks for, whatever the password (PROTOCOL.md 4.1). */
static int
user_create(struct ctx *ctx)
{
	static const char exists[] = "\"Username or email already exists\"";
	const char *name, *pass, *email;
	json_t *body = NULL, *old = NULL, *u = NULL;
	struct store *st;
	char key[LIM_KEY];
	int status = 400, rc;

	if (!ctx->cfg->allow_registration)
		return route_error(ctx, 401, "registration is closed");
	if (body_json(ctx, &body) != 0 || !json_is_object(body))
		goto out;
	name = json_string_value(json_object_get(body, "username"));
	pass = json_string_value(json_object_get(body, "password"));
	email = json_string_value(json_object_get(body, "email"));
	if (name == NULL || !name_user_ok(name)) {
		status = route_error(ctx, 400, "username must be 4 to 30 of "
		    "a-z 0-9 _");
		goto out;
	}
	snprintf(ctx->user, sizeof(ctx->user), "%s", name);
	account_key(name, key);
	if ((rc = store_fetch(ctx->cfg->database, key, &old)) == 0) {
		http_resp_body(ctx->resp, 400, strdup(exists),
		    sizeof(exists) - 1);
		goto out;
	}
	status = 503;
	if (rc == -1)
		goto out;
	status = 400;
	if (pass == NULL || strlen(pass) < LIM_PASSWORD_MIN ||
	    strlen(pass) > LIM_PASSWORD) {
		status = route_error(ctx, 400, "password must be 5 to 256 "
		    "characters");
		goto out;
	}
	if (email == NULL || !name_email_ok(email)) {
		status = route_error(ctx, 400, "a valid e-mail is required");
		goto out;
	}
	status = 503;
	u = account_new(ctx->cfg, name, pass, email,
	    ctx->cfg->new_accounts_enabled, 0);
	if (u == NULL || store_open(ctx->cfg->database, STORE_WRITE, &st) ==
	    -1)
		goto out;
	if ((rc = store_get(st, key, &old)) == 1)
		rc = store_put(st, key, u);
	if (store_close(st) == 0 && rc == 0)
		status = route_json(ctx, 201, json_string("User Created"));
	else if (rc == 0) {
		http_resp_body(ctx->resp, 400, strdup(exists),
		    sizeof(exists) - 1);
		status = 400;
	}
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

/* Check and apply a PUT /v1/users/<name>/ body to the record u. */
static int
user_apply(struct ctx *ctx, const json_t *body, json_t *u)
{
	const char *pass = json_string_value(json_object_get(body, "password"));
	const char *email = json_string_value(json_object_get(body, "email"));

	if (!json_is_object(body) || (pass == NULL && email == NULL))
		return route_error(ctx, 400, "give password and/or email");
	if (pass && (strlen(pass) < LIM_PASSWORD_MIN ||
	    strlen(pass) > LIM_PASSWORD))
		return route_error(ctx, 400, "password must be 5 to 256 "
		    "characters");
	if (email && !name_email_ok(email))
		return route_error(ctx, 400, "invalid e-mail");
	if (email)
		json_object_set_new(u, "email", json_string(email));
	if (pass && account_set_password(ctx->cfg, u, pass) == -1)
		return 503;
	return 0;
}

/* PUT /v1/users/<name>/: the user themself or an admin. */
static int
user_update(struct ctx *ctx)
{
	const char *name = ctx->arg[0];
	json_t *caller, *body = NULL, *u = NULL;
	struct store *st;
	char key[LIM_KEY];
	int status;

	if ((status = route_basic(ctx, &caller)) != 0)
		return status;
	if (caller == NULL)
		return 401;
	if (strcmp(ctx->user, name) != 0 &&
	    !json_is_true(json_object_get(caller, "admin"))) {
		json_decref(caller);
		return 403;
	}
	json_decref(caller);
	if (!name_user_ok(name))
		return 404;
	if (body_json(ctx, &body) != 0)
		return route_error(ctx, 400, "body is not JSON");
	account_key(name, key);
	status = 503;
	if (store_open(ctx->cfg->database, STORE_WRITE, &st) == -1)
		goto out;
	if ((status = store_get(st, key, &u)) == 0 &&
	    (status = user_apply(ctx, body, u)) == 0)
		status = store_put(st, key, u) == 0 ? 204 : 503;
	else if (status == 1)
		status = 404;
	else if (status == -1)
		status = 503;
	if (store_close(st) == -1 && status == 204)
		status = 503;
out:
	json_decref(body);
	json_decref(u);
	return status;
}

/* PUT /v1/repositories/<name>/: push start. Merges the announced ids at
 * once, so the registry's validations find them (PROTOCOL.md 5.3). */
static int
push_start(struct ctx *ctx, const struct target *t)
{
	json_t *list = NULL, *rec = NULL;
	struct store *st;
	int status, rc;
	const char *state;

	if ((status = require(ctx, t, ACL_PUSH)) != 0 ||
	    (status = body_list(ctx, &list)) != 0)
		return status;
	status = 503;
	if (store_open(ctx->cfg->database, STORE_WRITE, &st) == -1)
		goto out;
	if ((rc = store_get(st, t->key, &rec)) == 1)
		rec = repo_new(ctx->user);
	state = json_string_value(json_object_get(rec, "state"));
	if (rc == -1 || rec == NULL || repo_merge(rec, list) == -1)
		goto close;
	if (state == NULL || strcmp(state, "deleted") == 0)
		json_object_set_new(rec, "state", json_string("pushing"));
	if (store_put(st, t->key, rec) == 0 &&
	    give_token(ctx, st, t, "write") == 0)
		status = 200;
close:
	if (store_close(st) == -1)
		status = 503;
	if (status == 200) {
		endpoints(ctx);
		status = route_json(ctx, 200, json_string(""));
	}
out:
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
	size_t n;
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
		    give_token(ctx, st, t, "delete") == 0)
			status = 202;
	} else if (rc == 0) {
		if (store_del(st, t->key) != -1 &&
		    hook_del(st, t->name, NULL) != HOOK_ERROR &&
		    token_purge(st, NULL, t->name, &n) == 0)
			status = 200;
	}
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

/* GET .../images: the registry validating a token, or a pull. */
static int
images_get(struct ctx *ctx)
{
	const char *state;
	struct store *st;
	struct target t;
	json_t *rec = NULL;
	char access[8];
	int status, tok;

	if ((status = target(ctx, ctx->narg, &t)) != 0)
		return status;
	if ((tok = token_auth(ctx, &t, access, &rec)) > 1)
		return tok;
	if (tok == 1 && (status = require(ctx, &t, ACL_PULL)) != 0)
		return status;
	if (tok == 1 && (status = store_fetch(ctx->cfg->database, t.key, &rec)) != 0)
		return status == 1 ? 404 : 503;
	if (rec == NULL)
		return 404;
	state = json_string_value(json_object_get(rec, "state"));
	/* a deleted repository still answers its delete token */
	if (tok == 1 && state && strcmp(state, "deleted") == 0) {
		json_decref(rec);
		return 404;
	}
	if (tok == 1 && http_header_is(ctx->req, "X-Docker-Token", "true")) {
		if (store_open(ctx->cfg->database, STORE_WRITE, &st) == -1 ||
		    ((status = give_token(ctx, st, &t, "read")),
		    store_close(st)) == -1 || status == -1) {
			json_decref(rec);
			return 503;
		}
	}
	if (tok == 1)
		endpoints(ctx);
	status = route_json(ctx, 200, repo_images(rec));
	json_decref(rec);
	return status;
}

/* PUT .../images: push finish. Basic with push permission, or a write
 * token of this repository; a read token never writes. */
static int
images_put(struct ctx *ctx)
{
	json_t *list = NULL, *rec = NULL;
	struct store *st;
	struct target t;
	char access[8];
	int status, tok, rc, fresh;

	if ((status = target(ctx, ctx->narg, &t)) != 0)
		return status;
	if ((tok = token_auth(ctx, &t, access, NULL)) > 1)
		return tok;
	if (tok == 0 && strcmp(access, "write") != 0)
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
	    (fresh = repo_complete(rec)) != -1) {
		json_object_set_new(rec, "updated", json_integer(time(NULL)));
		json_object_set_new(rec, "pusher", json_string(ctx->user));
		/* queued before the record is written: a 204 means both */
		if (hook_queue(ctx->cfg, st, t.ns, t.repo, fresh ? "new" :
		    "existing", ctx->user, rec, NULL) != HOOK_OK)
			status = route_error(ctx, 503, "cannot queue webhooks");
		else if (store_put(st, t.key, rec) == 0)
			status = 204;
	}
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
	struct target t;
	json_t *rec;
	char access[8];
	int status;

	if ((status = target(ctx, ctx->narg, &t)) != 0)
		return status;
	if ((status = token_auth(ctx, &t, access, &rec)) != 0)
		return status == 1 ? 401 : status;
	if (rec == NULL)
		return 404;
	json_decref(rec);
	return route_json(ctx, 200, json_string("OK"));
}

/* GET .../layer/<id>/access: may this token's holder read that image? */
static int
layer_access(struct ctx *ctx)
{
	const char *id = ctx->arg[ctx->narg - 1];
	struct target t;
	json_t *rec;
	char access[8];
	int status, ok;

	if ((status = target(ctx, ctx->narg - 1, &t)) != 0)
		return status;
	if ((status = token_auth(ctx, &t, access, &rec)) != 0)
		return status == 1 ? 401 : status;
	ok = rec != NULL && repo_has_image(rec, id);
	json_decref(rec);
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
	char buf[16], *end;
	int rc;

	rc = http_form_get(req->query ? req->query : "", req->query_len, key,
	    buf, sizeof(buf));
	if (rc == 0) {
		*out = def;
		return 0;
	}
	if (rc == -1 || buf[0] < '0' || buf[0] > '9')
		return -1;
	*out = strtol(buf, &end, 10);
	return *end == '\0' && *out >= lo && *out <= hi ? 0 : -1;
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
