/*
 * route_hooks: the webhook routes of the management API. Open to users
 * with the admin flag and to users with "admin" permission on the
 * repository. A webhook's secret is never shown after it is set.
 */
#include <stdio.h>
#include <string.h>

#include "acl.h"
#include "body.h"
#include "hook.h"
#include "names.h"
#include "route.h"
#include "store.h"

/* Check the caller and the repository named by arg[0], arg[1]. */
static int
caller(struct ctx *ctx, char name[LIM_NAME + 1])
{
	json_t *user, *public = NULL;
	int status, bits;

	if (!name_ns_ok(ctx->arg[0]) || !name_repo_ok(ctx->arg[1]))
		return route_error(ctx, 400, "bad repository name");
	snprintf(name, LIM_NAME + 1, "%s/%s", ctx->arg[0], ctx->arg[1]);
	snprintf(ctx->repo, sizeof(ctx->repo), "%s", name);
	if ((status = route_basic(ctx, &user)) != 0)
		return status;
	if (user == NULL) {
		http_resp_header(ctx->resp, "WWW-Authenticate",
		    "Basic realm=\"dindex\"");
		return 401;
	}
	if (store_fetch(ctx->cfg->database, "user:*", &public) == -1) {
		json_decref(user);
		return 503;
	}
	bits = acl_allows(user, public, ctx->arg[0], ctx->arg[1],
	    ctx->cfg->own_namespace);
	json_decref(user);
	json_decref(public);
	return (bits & ACL_DELETE) ? 0 : 403;
}

static int
status_of(struct ctx *ctx, int rc)
{
	switch (rc) {
	case HOOK_OK:
		return 200;
	case HOOK_NONE:
		return route_error(ctx, 404, "no such webhook");
	case HOOK_EXISTS:
		return route_error(ctx, 409, "that URL has a webhook already");
	case HOOK_BAD:
		return route_error(ctx, 400, "url must be http(s), events a "
		    "subset of new, existing");
	case HOOK_FULL:
		return route_error(ctx, 409, "too many webhooks");
	case HOOK_REFUSED:
		return route_error(ctx, 400, "url is a loopback, private or "
		    "link-local address not in webhook_allow_networks");
	case HOOK_QUOTA:
		return route_error(ctx, 429, "too many pings waiting for "
		    "delivery; try again later");
	default:
		return 503;
	}
}

static int
add(struct ctx *ctx, struct store *st, const char *name, json_t **out)
{
	json_t *body;
	int rc;

	if ((rc = body_object(ctx->req, &body)) != 0)
		return route_error(ctx, rc, "body must be JSON or a form");
	rc = hook_add(st, name, json_string_value(json_object_get(body,
	    "url")), json_object_get(body, "events"),
	    json_string_value(json_object_get(body, "secret")),
	    ctx->cfg->webhook_allow_networks, out);
	json_decref(body);
	rc = status_of(ctx, rc);
	return rc == 200 ? 201 : rc;
}

/* GET|POST|DELETE /webhooks/<ns>/<repo> */
static int
hooks(struct ctx *ctx)
{
	char name[LIM_NAME + 1];
	struct store *st;
	json_t *out = NULL;
	int status;

	if ((status = caller(ctx, name)) != 0)
		return status;
	if (store_open(ctx->cfg->database, ctx->req->method == HTTP_GET ?
	    STORE_READ : STORE_WRITE, &st) == -1)
		return 503;
	if (ctx->req->method == HTTP_GET) {
		out = hook_list(st, name);
		status = 200;
	} else if (ctx->req->method == HTTP_POST)
		status = add(ctx, st, name, &out);
	else if ((status = hook_del(st, name, NULL)) == HOOK_NONE)
		status = 200;	/* deleting none of none is done */
	else
		status = status_of(ctx, status);
	if (store_close(st) == -1)
		status = 503;
	if (status >= 400 || out == NULL) {
		json_decref(out);
		return status < 400 ? route_json(ctx, status, json_pack("{s:b}",
		    "deleted", 1)) : status;
	}
	return route_json(ctx, status, out);
}

/* DELETE /webhooks/<ns>/<repo>/<id>, GET .../<id>/history */
static int
one(struct ctx *ctx)
{
	char name[LIM_NAME + 1];
	struct store *st;
	json_t *out = NULL;
	int status, get = ctx->req->method == HTTP_GET;

	if ((status = caller(ctx, name)) != 0)
		return status;
	if (store_open(ctx->cfg->database, get ? STORE_READ : STORE_WRITE,
	    &st) == -1)
		return 503;
	status = status_of(ctx, get ? hook_history(st, name, ctx->arg[2],
	    &out) : hook_del(st, name, ctx->arg[2]));
	if (store_close(st) == -1)
		status = 503;
	if (status != 200) {
		json_decref(out);
		return status;
	}
	return route_json(ctx, 200, out ? out : json_pack("{s:b}", "deleted",
	    1));
}

/* POST /webhooks/<ns>/<repo>/<id>/ping: queue a "ping" delivery. The
 * write lock makes concurrent pings count their quota one at a time. */
static int
ping(struct ctx *ctx)
{
	char name[LIM_NAME + 1];
	struct store *st;
	int status;

	if ((status = caller(ctx, name)) != 0)
		return status;
	if (store_open(ctx->cfg->database, STORE_WRITE, &st) == -1)
		return 503;
	status = status_of(ctx, hook_ping(ctx->cfg, st, ctx->arg[0],
	    ctx->arg[1], ctx->arg[2], ctx->user));
	store_close(st);
	if (status != 200)
		return status;
	return route_json(ctx, 202, json_pack("{s:b}", "queued", 1));
}

const struct route route_hooks_table[] = {
	{ R_GET | R_POST | R_DELETE, "/webhooks/*/*", R_ANY, hooks },
	{ R_DELETE, "/webhooks/*/*/*", R_ANY, one },
	{ R_GET, "/webhooks/*/*/*/history", R_ANY, one },
	{ R_POST, "/webhooks/*/*/*/ping", R_ANY, ping },
	{ 0, NULL, R_ANY, NULL }
};
