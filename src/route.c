/*
 * route: match a request against the tables of the route modules.
 * The first entry whose pattern and slash rule match and which allows the
 * method wins; a path that some entry matches with another method is a
 * 405 with Allow; anything else is a 404. The order of entries in a table
 * decides ambiguities (see route_v1.c).
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <jansson.h>

#include "account.h"
#include "acl.h"
#include "auth.h"
#include "record.h"
#include "result.h"
#include "route.h"
#include "store.h"

/* Whether the request path matches the pattern; fills ctx->arg. */
static int
path_match(const struct route *r, struct ctx *ctx)
{
	const struct http_req *req = ctx->req;
	const char *p = r->pattern, *e;
	size_t i = 0;

	if (r->slash == R_NOSLASH && req->trailing_slash && req->nseg > 0)
		return 0;
	if (r->slash == R_SLASH && !req->trailing_slash)
		return 0;
	ctx->narg = 0;
	while (*p == '/' && p[1] != '\0') {
		p++;
		if (strcmp(p, "**") == 0) {	/* the rest, one or more */
			if (i >= req->nseg)
				return 0;
			while (i < req->nseg)
				ctx->arg[ctx->narg++] = req->seg[i++];
			return 1;
		}
		e = p + strcspn(p, "/");
		if (i >= req->nseg)
			return 0;
		if (e - p == 1 && *p == '*' && req->seg[i][0] != '\0')
			ctx->arg[ctx->narg++] = req->seg[i];
		else if (strlen(req->seg[i]) != (size_t)(e - p) ||
		    memcmp(p, req->seg[i], e - p) != 0)
			return 0;
		i++;
		p = e;
	}
	return i == req->nseg;
}

static int
method_bit(enum http_method m)
{
	if (m == HTTP_HEAD)
		m = HTTP_GET;
	return m == HTTP_OTHER ? 0 : 1 << m;
}

static void
allow_header(struct ctx *ctx, int methods)
{
	char allow[64] = "";
	size_t n = 0;
	int m;

	for (m = HTTP_GET; m < HTTP_METHOD_COUNT; m++)
		if (methods & method_bit(m))
			n += (size_t)snprintf(allow + n, sizeof(allow) - n,
			    "%s%s", n ? ", " : "", http_method_names[m]);
	http_resp_header(ctx->resp, "Allow", "%s", allow);
}

static const struct route *
lookup(struct ctx *ctx, int *methods)
{
	int admin = ctx->cfg->admin_api || ctx->local;
	const struct route *tables[] = { route_v1_table, route_v2_table,
	    admin ? route_admin_table : NULL,
	    admin ? route_hooks_table : NULL,
	    ctx->cfg->admin_api ? route_ui_table : NULL };
	const struct route *r;
	size_t t;

	*methods = 0;
	for (t = 0; t < LEN(tables); t++)
		for (r = tables[t]; r != NULL && r->fn != NULL; r++) {
			if (!path_match(r, ctx))
				continue;
			if (r->methods & method_bit(ctx->req->method))
				return r;
			*methods |= r->methods;
		}
	return NULL;
}

/* A browser's request from another site: state-changing requests that a
 * page elsewhere made (Sec-Fetch-Site, or an Origin not this Host) are
 * refused, so cached Basic credentials cannot be used across sites. */
static int
cross_site(const struct http_req *req)
{
	const struct http_hdr *o = http_header(req, "Origin");
	const struct http_hdr *h = http_header(req, "Host");
	const char *host;

	if (req->method == HTTP_GET || req->method == HTTP_HEAD)
		return 0;
	if (http_header_is(req, "Sec-Fetch-Site", "cross-site") ||
	    http_header_is(req, "Sec-Fetch-Site", "same-site"))
		return 1;
	if (o == NULL)
		return 0;
	host = memmem(o->val, o->val_len, "://", 3);
	return h == NULL || host == NULL || (size_t)(o->val + o->val_len -
	    host - 3) != h->val_len || strncasecmp(host + 3, h->val,
	    h->val_len) != 0;
}

void
route_dispatch(struct ctx *ctx)
{
	int methods, status;
	const struct route *r = lookup(ctx, &methods);

	if (cross_site(ctx->req))
		status = route_error(ctx, 403, "cross-site request refused");
	else if (r == NULL && methods != 0) {
		allow_header(ctx, methods);
		status = route_error(ctx, 405, "method not allowed");
	} else if (r == NULL)
		status = route_error(ctx, 404, "not found");
	else
		status = r->fn(ctx);
	if (status >= 400 && ctx->resp->body == NULL)
		http_resp_error(ctx->resp, status, http_reason(status));
	if (status == 503)
		http_resp_header(ctx->resp, "Retry-After", "1");
	ctx->resp->status = status;
}

int
route_json(struct ctx *ctx, int status, json_t *body)
{
	char *s = body != NULL ? json_dumps(body, JSON_COMPACT |
	    JSON_ENCODE_ANY) : NULL;

	json_decref(body);
	if (s == NULL)
		return route_error(ctx, 503, "out of memory");
	http_resp_body(ctx->resp, status, s, strlen(s));
	return status;
}

int
route_error(struct ctx *ctx, int status, const char *msg)
{
	http_resp_error(ctx->resp, status, msg);
	return status;
}

int
route_result(struct ctx *ctx, int rc)
{
	return rc == RES_OK ? 200 : route_error(ctx, result_status(rc),
	    result_msg(rc));
}

int
route_access(struct ctx *ctx, const char *ns, const char *repo, int *bits,
    json_t **user)
{
	json_t *public = NULL;
	int status;

	*bits = 0;
	if ((status = route_caller(ctx, user)) != 0)
		return status;
	if (store_fetch(ctx->cfg->database, "user:*", &public) == -1) {
		json_decref(*user);
		*user = NULL;
		return 503;
	}
	*bits = acl_allows(*user, public, ns, repo, ctx->cfg->own_namespace);
	json_decref(public);
	return 0;
}

int
route_basic(struct ctx *ctx, json_t **user)
{
	const struct http_hdr *h = http_header(ctx->req, "Authorization");
	struct auth_basic cred;
	const char *rest;
	size_t restlen;
	int rc;

	*user = NULL;
	if (h == NULL)
		return 0;
	if (auth_scheme(h->val, h->val_len, &rest, &restlen) != AUTH_BASIC ||
	    auth_parse_basic(rest, restlen, &cred) == -1)
		return 401;
	/* a refused name is logged apart: it may not be an account */
	rc = account_login(ctx->cfg, &cred, user);
	snprintf(rc == ACCOUNT_OK || rc == ACCOUNT_DISABLED ? ctx->user :
	    ctx->login, sizeof(ctx->user), "%s", cred.user);
	bytes_wipe(&cred, sizeof(cred));
	if (rc == ACCOUNT_OK) {
		snprintf(ctx->cred, sizeof(ctx->cred), "%s",
		    account_stamp(*user));
		snprintf(ctx->atok, sizeof(ctx->atok), "%s",
		    record_str(*user, "via_atok"));
		return 0;
	}
	json_decref(*user);
	*user = NULL;
	return rc == ACCOUNT_DISABLED ? 403 : rc == ACCOUNT_BAD ? 401 : 503;
}

int
route_caller(struct ctx *ctx, json_t **user)
{
	const struct http_hdr *h = http_header(ctx->req, "Authorization");
	const char *rest;
	size_t n;
	int rc;

	if (h == NULL || auth_scheme(h->val, h->val_len, &rest, &n) !=
	    AUTH_BEARER)
		return route_basic(ctx, user);
	if ((rc = ui_session_user(ctx->cfg, rest, n, user)) != 0)
		return rc == 1 ? 401 : 503;
	snprintf(ctx->user, sizeof(ctx->user), "%s", record_str(*user, "name"));
	snprintf(ctx->cred, sizeof(ctx->cred), "%s", account_stamp(*user));
	return 0;
}
