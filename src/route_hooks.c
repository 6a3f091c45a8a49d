/*
 * route_hooks: the webhook routes of the management API, for every
 * repository name, nested v2 names included: /webhooks/<name>,
 * DELETE /webhooks/<name>/<id>, POST .../<id>/ping, GET .../<id>/history.
 * Before "ping" or "history" stands a webhook id; a last segment of 16
 * hex digits (the shape of webhook ids) in a DELETE is one too, so a
 * nested name whose last component is 16 hex digits loses its webhooks
 * all at once through dindexctl only. Open to users with the admin
 * flag and to users with "admin" permission on the repository; only the
 * admin flag sees what receivers answered. A secret is never shown.
 */
#include <stdio.h>
#include <string.h>

#include "acl.h"
#include "body.h"
#include "hook.h"
#include "names.h"
#include "net.h"
#include "route.h"
#include "store.h"

struct hook_target {
	char		 ns[LIM_NS + 1];
	char		 repo[LIM_NAME + 1];
	char		 name[LIM_NAME + 1];
	const char	*id;		/* NULL: the repository's webhooks */
	const char	*verb;		/* "ping", "history" or NULL */
	int		 admin;		/* the caller has the admin flag */
};

/* Split the segments into name, id and verb. 0 ok, or the status. */
static int
parse_target(struct ctx *ctx, struct hook_target *h)
{
	size_t n = ctx->narg, i, len = 0;
	const char *last = ctx->arg[n - 1];

	h->id = h->verb = NULL;
	if (n >= 4 && (strcmp(last, "ping") == 0 || strcmp(last, "history") ==
	    0)) {
		h->verb = last;
		h->id = ctx->arg[n - 2];
		n -= 2;
	} else if (n >= 3 && hook_id_ok(last) &&
	    ctx->req->method == HTTP_DELETE)
		h->id = ctx->arg[--n];
	for (i = 0; i < n && len < sizeof(h->name); i++)
		len += (size_t)snprintf(h->name + len, sizeof(h->name) - len,
		    "%s%s", i ? "/" : "", ctx->arg[i]);
	if (len >= sizeof(h->name) || !name_repo_split(h->name, h->ns,
	    h->repo))
		return route_error(ctx, 400, "bad repository name");
	snprintf(ctx->repo, sizeof(ctx->repo), "%s", h->name);
	return 0;
}

/* Check the caller against the repository: 0 allowed, else a status. */
static int
caller(struct ctx *ctx, struct hook_target *h)
{
	json_t *user;
	int status, bits;

	if (ctx->local) {
		h->admin = 1;
		return 0;
	}
	if ((status = route_access(ctx, h->ns, h->repo, &bits, &user)) != 0)
		return status;
	if (user == NULL) {
		http_resp_header(ctx->resp, "WWW-Authenticate",
		    "Basic realm=\"dindex\"");
		return 401;
	}
	h->admin = json_is_true(json_object_get(user, "admin"));
	json_decref(user);
	return (bits & ACL_DELETE) ? 0 : 403;
}

static int
add(struct ctx *ctx, struct store *st, const char *name, json_t **out)
{
	const char *url, *secret;
	json_t *body;
	int rc;

	if ((rc = body_object(ctx->req, &body)) != 0)
		return route_error(ctx, rc, "body must be JSON or a form");
	url = body_str(body, "url");
	secret = body_str(body, "secret");
	rc = url == NULL || secret == NULL ? RES_BADHOOK : hook_add(st, name,
	    url, json_object_get(body, "events"), secret[0] ? secret : NULL,
	    ctx->cfg->webhook_allow_networks, out);
	json_decref(body);
	rc = route_result(ctx, rc);
	return rc == 200 ? 201 : rc;
}

/* What a receiver answered, and the credentials and query of a URL, are
 * for administrators only; a repository admin sees the rest. */
static void
hide_from_non_admins(json_t *out)
{
	json_t *list = json_is_object(out) ? json_pack("[O]", out) :
	    json_incref(out), *a;
	char url[LIM_URL + 1];
	size_t i;

	json_array_foreach(list, i, a) {
		json_object_del(a, "response");
		json_object_del(a, "response_base64");
		if (json_is_string(json_object_get(a, "url"))) {
			net_url_redact(json_string_value(json_object_get(a,
			    "url")), url, sizeof(url));
			json_object_set_new(a, "url", json_string(url));
		}
	}
	json_decref(list);
}

/* GET|POST|DELETE on the repository, DELETE or GET history of one. */
static int
change(struct ctx *ctx, const struct hook_target *h)
{
	enum http_method m = ctx->req->method;
	int get = m == HTTP_GET || m == HTTP_HEAD, status;
	struct store *st;
	json_t *out = NULL;

	if (store_open(ctx->cfg->database, get ? STORE_READ : STORE_WRITE,
	    &st) == -1)
		return 503;
	if (h->id != NULL)
		status = route_result(ctx, h->verb ? hook_history(st, h->name,
		    h->id, &out) : hook_del(st, h->name, h->id));
	else if (get) {	/* HEAD too: it must never fall through to DELETE */
		out = hook_list(st, h->name);
		status = 200;
	} else if (m == HTTP_POST)
		status = add(ctx, st, h->name, &out);
	else if ((status = hook_del(st, h->name, NULL)) == RES_NOHOOK)
		status = 200;	/* deleting none of none is done */
	else
		status = route_result(ctx, status);
	if (store_close(st) == -1)
		status = 503;
	if (status >= 400) {
		json_decref(out);
		return status;
	}
	if (!h->admin)
		hide_from_non_admins(out);
	return route_json(ctx, status, out ? out : json_pack("{s:b}",
	    "deleted", 1));
}

/* POST .../<id>/ping: queue a "ping" delivery. The write lock makes
 * concurrent pings count their quota one at a time. */
static int
ping(struct ctx *ctx, const struct hook_target *h)
{
	struct store *st;
	int status;

	if (store_open(ctx->cfg->database, STORE_WRITE, &st) == -1)
		return 503;
	status = route_result(ctx, hook_ping(ctx->cfg, st, h->ns, h->repo,
	    h->id, ctx->local ? NULL : ctx->user));
	store_close(st);
	if (status != 200)
		return status;
	return route_json(ctx, 202, json_pack("{s:b}", "queued", 1));
}

static int
webhooks(struct ctx *ctx)
{
	enum http_method m = ctx->req->method;
	struct hook_target h;
	int status, pinging;

	if ((status = parse_target(ctx, &h)) != 0)
		return status;
	pinging = h.verb && strcmp(h.verb, "ping") == 0;
	if (h.verb && (pinging ? m != HTTP_POST : m != HTTP_GET &&
	    m != HTTP_HEAD)) {
		http_resp_header(ctx->resp, "Allow", "%s", pinging ? "POST" :
		    "GET, HEAD");
		return route_error(ctx, 405, "method not allowed");
	}
	if ((status = caller(ctx, &h)) != 0)
		return status;
	return pinging ? ping(ctx, &h) : change(ctx, &h);
}

const struct route route_hooks_table[] = {
	{ R_GET | R_POST | R_DELETE, "/webhooks/**", R_ANY, webhooks },
	{ 0, NULL, R_ANY, NULL }
};
