/*
 * route_admin: the management API (DESIGN.md), served at the root of the
 * same socket when admin_api is on. Callers authenticate with Basic as an
 * enabled user with the admin flag: no or wrong credentials 401, anyone
 * else 403; GET /_ping is open. The rules live in admin.c, shared with
 * dindexctl, and their results' statuses in result.c. Responses never
 * carry a password hash.
 */
#include <stdio.h>
#include <string.h>

#include "admin.h"
#include "body.h"
#include "route.h"

/* Answer an admin result: ok with body (stolen) or the error. */
static int
answer(struct ctx *ctx, int rc, int ok, json_t *body)
{
	if (rc == RES_OK)
		return route_json(ctx, ok, body);
	json_decref(body);
	return route_result(ctx, rc);
}

/* 0 when the caller is an enabled administrator, else the status sent. */
static int
gate(struct ctx *ctx)
{
	json_t *u;
	int status;

	if (ctx->local)
		return 0;
	if ((status = route_basic(ctx, &u)) == 0) {
		status = u == NULL ? 401 :
		    json_is_true(json_object_get(u, "admin")) ? 0 : 403;
		json_decref(u);
	}
	if (status == 401) {
		http_resp_header(ctx->resp, "WWW-Authenticate",
		    "Basic realm=\"dindex\"");
		return route_error(ctx, 401, "authentication required");
	}
	if (status == 403)
		return route_error(ctx, 403, "administrators only");
	return status == 0 ? 0 : route_result(ctx, RES_ERROR);
}

static int
bad_body(struct ctx *ctx, int status)
{
	return route_error(ctx, status, status == 415 ?
	    "body must be JSON or a form" : "malformed body");
}

/* A boolean field: JSON true or false, or a form's "true", "false",
 * "1", "0" or ""; -1 otherwise. */
static int
flag(const json_t *v)
{
	const char *s = json_string_value(v);

	if (v == NULL || json_is_boolean(v))
		return json_is_true(v);
	if (s != NULL && (strcmp(s, "true") == 0 || strcmp(s, "1") == 0))
		return 1;
	return s != NULL && (strcmp(s, "false") == 0 || strcmp(s, "0") == 0 ||
	    s[0] == '\0') ? 0 : -1;
}

static int
ping(struct ctx *ctx)
{
	http_resp_header(ctx->resp, "X-Docker-Index-Version", "%s",
	    DINDEX_VERSION);
	return route_json(ctx, 200, json_true());
}

static int
create(struct ctx *ctx)
{
	json_t *b, *u = NULL;
	const char *name, *pass, *email;
	int status, admin;

	if ((status = body_object(ctx->req, &b)) != 0)
		return bad_body(ctx, status);
	name = body_str(b, "username");
	pass = body_str(b, "password");
	email = body_str(b, "email");
	admin = flag(json_object_get(b, "admin"));
	if (name == NULL || pass == NULL || email == NULL || admin == -1)
		status = route_error(ctx, 400, "fields must be strings");
	else {
		status = admin_add(ctx->cfg, name, pass, email, admin, 1, &u);
		status = answer(ctx, status, 201, u);
	}
	json_decref(b);
	return status;
}

static int
users(struct ctx *ctx)
{
	json_t *list, *names;
	int rc;

	if ((rc = gate(ctx)) != 0)
		return rc;
	if (ctx->req->method == HTTP_POST)
		return create(ctx);
	if ((rc = admin_list(ctx->cfg, &list)) != RES_OK)
		return answer(ctx, rc, 200, NULL);
	/* names only, as the original CLI expects */
	names = admin_keys(list);
	json_decref(list);
	return answer(ctx, names != NULL ? RES_OK : RES_ERROR, 200, names);
}

static int
user(struct ctx *ctx)
{
	json_t *u = NULL;
	int rc;

	if ((rc = gate(ctx)) != 0)
		return rc;
	if (ctx->req->method != HTTP_DELETE) {
		rc = admin_get(ctx->cfg, ctx->arg[0], 0, &u);
		return answer(ctx, rc, 200, u);
	}
	rc = admin_user(ctx->cfg, ADMIN_DELETE, ctx->arg[0], NULL, NULL, &u);
	return answer(ctx, rc, 200, json_pack("{s:s}", "deleted",
	    ctx->arg[0]));
}

/* PUT enable, PUT disable, PUT and DELETE admin. */
static int
flip(struct ctx *ctx)
{
	static const struct {
		const char		*word;
		enum http_method	 method;
		enum admin_op		 op;
	} flips[] = {
		{ "enable", HTTP_PUT, ADMIN_ENABLE },
		{ "disable", HTTP_PUT, ADMIN_DISABLE },
		{ "admin", HTTP_PUT, ADMIN_PROMOTE },
		{ "admin", HTTP_DELETE, ADMIN_DEMOTE },
	};
	json_t *u = NULL;
	size_t i;
	int rc;

	if ((rc = gate(ctx)) != 0)
		return rc;
	for (i = 0; i < LEN(flips); i++)
		if (strcmp(ctx->req->seg[2], flips[i].word) == 0 &&
		    ctx->req->method == flips[i].method)
			break;
	if (i == LEN(flips))
		return route_error(ctx, 404, "not found");
	rc = admin_user(ctx->cfg, flips[i].op, ctx->arg[0], NULL, NULL, &u);
	return answer(ctx, rc, 200, u);
}

/* Answer with the grants of record u (stolen). */
static int
grants(struct ctx *ctx, int rc, json_t *u)
{
	json_t *p = json_incref(json_object_get(u, "perms"));

	json_decref(u);
	return answer(ctx, rc, 200, p);
}

static int
perms(struct ctx *ctx)
{
	json_t *b, *u = NULL;
	const char *scope, *access;
	int rc;

	if ((rc = gate(ctx)) != 0)
		return rc;
	if (ctx->req->method != HTTP_PUT) {
		rc = admin_get(ctx->cfg, ctx->arg[0], 1, &u);
		return grants(ctx, rc, u);
	}
	if ((rc = body_object(ctx->req, &b)) != 0)
		return bad_body(ctx, rc);
	scope = body_str(b, "repo");
	access = body_str(b, "access");
	if (scope == NULL || access == NULL)
		rc = route_error(ctx, 400, "fields must be strings");
	else {
		rc = admin_user(ctx->cfg, ADMIN_GRANT, ctx->arg[0], scope,
		    access, &u);
		rc = grants(ctx, rc, u);
	}
	json_decref(b);
	return rc;
}

/* DELETE /users/<u>/permissions/<scope>, nested names too */
static int
perm_del(struct ctx *ctx)
{
	char scope[LIM_NAME + 2];
	json_t *u = NULL;
	size_t i, n = 0;
	int rc;

	if ((rc = gate(ctx)) != 0)
		return rc;
	for (i = 1; i < ctx->narg && n < sizeof(scope); i++)
		n += (size_t)snprintf(scope + n, sizeof(scope) - n, "%s%s",
		    i > 1 ? "/" : "", ctx->arg[i]);
	if (n >= sizeof(scope))
		return answer(ctx, RES_NOGRANT, 200, NULL);
	rc = admin_user(ctx->cfg, ADMIN_REVOKE, ctx->arg[0], scope, NULL, &u);
	return grants(ctx, rc, u);
}

/* GET /images: "ns/repo" of every repository with a completed push. */
static int
images(struct ctx *ctx)
{
	json_t *all, *names, *r, *tmp;
	const char *name, *state;
	int rc;

	if ((rc = gate(ctx)) != 0)
		return rc;
	if ((rc = admin_collect(ctx->cfg, "repo:", &all)) != RES_OK)
		return answer(ctx, rc, 200, NULL);
	json_object_foreach_safe(all, tmp, name, r) {
		state = json_string_value(json_object_get(r, "state"));
		if (state == NULL || strcmp(state, "complete") != 0)
			json_object_del(all, name);
	}
	names = admin_keys(all);
	json_decref(all);
	return answer(ctx, names ? RES_OK : RES_ERROR, 200, names);
}

const struct route route_admin_table[] = {
	{ R_GET, "/_ping", R_ANY, ping },
	{ R_GET | R_POST, "/users", R_ANY, users },
	{ R_GET | R_DELETE, "/users/*", R_ANY, user },
	{ R_PUT, "/users/*/enable", R_ANY, flip },
	{ R_PUT, "/users/*/disable", R_ANY, flip },
	{ R_PUT | R_DELETE, "/users/*/admin", R_ANY, flip },
	{ R_GET | R_PUT, "/users/*/permissions", R_ANY, perms },
	{ R_DELETE, "/users/*/permissions/**", R_ANY, perm_del },
	{ R_GET, "/images", R_ANY, images },
	{ 0, NULL, R_ANY, NULL }
};
