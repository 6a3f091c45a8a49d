/*
 * route_admin: the management API (DESIGN.md), with admin_api on. /users,
 * /images and /spool need the admin flag (401 without credentials, else
 * 403), /repositories any user; GET /_ping is open. /webhooks/<name>[/<id>
 * [/ping|/history]] also admits "admin" on the repository, but only the
 * admin flag sees what receivers answered; in a DELETE a last segment of
 * 16 hex digits is a webhook id. No hash or secret is ever shown.
 */
#include <stdio.h>
#include <string.h>

#include "acl.h"
#include "admin.h"
#include "atok.h"
#include "body.h"
#include "hook.h"
#include "names.h"
#include "net.h"
#include "record.h"
#include "route.h"
#include "spool.h"
#include "store.h"

/* Answer a result: ok with body (stolen) or the error. */
static int
answer(struct ctx *ctx, int rc, int ok, json_t *body)
{
	if (rc == RES_OK)
		return route_json(ctx, ok, body);
	json_decref(body);
	return route_result(ctx, rc);
}

static int
challenge(struct ctx *ctx)
{
	http_resp_header(ctx->resp, "WWW-Authenticate",
	    "Basic realm=\"dindex\"");
	return 401;
}

/* 0 with *u the logged-in caller (NULL: the host's administrator,
 * dindexctl), else the status sent and *u NULL. */
static int
login(struct ctx *ctx, json_t **u)
{
	int status = ctx->local ? 0 : route_caller(ctx, u);

	if (ctx->local)
		*u = NULL;
	else if (status == 0 && *u == NULL)
		status = 401;
	if (status == 401)
		return route_error(ctx, challenge(ctx),
		    "authentication required");
	if (status == 403)
		return route_error(ctx, 403, "account disabled");
	return status == 0 ? 0 : route_result(ctx, RES_ERROR);
}

/* 0 when the caller is an enabled administrator (acl_admin) or, with
 * self, may manage that account (acl_account), else the status sent. */
static int
gate(struct ctx *ctx, const char *self)
{
	json_t *u;
	int status = login(ctx, &u);

	if (status == 0 && u != NULL && !(self ? acl_account(u, self) :
	    acl_admin(u)))
		status = route_error(ctx, 403, self ? "administrators and the "
		    "user by password only" : "administrators only");
	json_decref(u);
	return status;
}

/* 0 when caller u (NULL: the host's administrator) may manage grants on
 * scope and, with access, grant it; else the status sent. */
static int
may_grant(struct ctx *ctx, const json_t *u, const char *scope,
    const char *access)
{
	char ns[LIM_NS + 1], repo[LIM_NAME + 1], msg[LIM_NS + 40];
	int rc;

	if ((rc = admin_grant_check(scope, access)) != RES_OK)
		return route_result(ctx, rc);
	if (u == NULL)
		return 0;
	name_scope_split(scope, ns, repo);	/* checked just above */
	rc = acl_may_grant(u, ns, repo, access, ctx->cfg->own_namespace);
	snprintf(msg, sizeof(msg), "admin on namespace '%s' required", ns);
	return rc == 0 ? 0 : route_error(ctx, 403, rc == ACL_NOT_HELD ?
	    "cannot grant or remove more than you hold" : msg);
}

/* ctx->arg[from..to) joined by '/' into out. 0 ok, -1 too long. */
static int
join(const struct ctx *ctx, size_t from, size_t to, char *out, size_t len)
{
	size_t i, n = 0;

	for (i = from; i < to && n < len; i++)
		n += (size_t)snprintf(out + n, len - n, "%s%s",
		    i > from ? "/" : "", ctx->arg[i]);
	return n < len ? 0 : -1;
}

/* The body object, or the status sent for a bad one. */
static int
object(struct ctx *ctx, const char *bad, json_t **b)
{
	int status = body_object(ctx->req, b);

	return status == 0 ? 0 : route_error(ctx, status, status == 415 ?
	    "body must be JSON or a form" : bad);
}

/* JSON true or false, or a form's "true", "1", "false", "0" or ""; else -1. */
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
alive(struct ctx *ctx)
{
	http_resp_header(ctx->resp, "X-Docker-Index-Version", "%s",
	    DINDEX_VERSION);
	return route_json(ctx, 200, json_true());
}

/* Names only (as the original CLI expects), sorted. */
static int
names(struct ctx *ctx, int rc, json_t *all)
{
	json_t *keys = rc == RES_OK ? admin_keys(all) : NULL;

	json_decref(all);
	return answer(ctx, rc == RES_OK && keys == NULL ? RES_ERROR : rc, 200,
	    keys);
}

/* GET /users: the names; POST /users: a new user, enabled. */
static int
users(struct ctx *ctx)
{
	const char *name = "", *pass = "", *email = "";
	json_t *all, *b, *u = NULL;
	int rc, admin;

	if ((rc = gate(ctx, NULL)) != 0)
		return rc;
	if (ctx->req->method != HTTP_POST) {
		rc = admin_list(ctx->cfg, &all);
		return names(ctx, rc, all);
	}
	if ((rc = object(ctx, "malformed body", &b)) != 0)
		return rc;
	if (json_unpack(b, "{s?s, s?s, s?s}", "username", &name, "password",
	    &pass, "email", &email) == -1 ||
	    (admin = flag(json_object_get(b, "admin"))) == -1)
		rc = route_error(ctx, 400, "fields must be strings");
	else {
		rc = admin_add(ctx->cfg, name, pass, email, admin, 1, &u);
		rc = answer(ctx, rc, 201, u);
	}
	json_decref(b);
	return rc;
}

/* GET /images: "ns/repo" of every repository with a completed push. */
static int
images(struct ctx *ctx)
{
	json_t *all, *r, *tmp;
	const char *name;
	int rc;

	if ((rc = gate(ctx, NULL)) != 0)
		return rc;
	if ((rc = admin_collect(ctx->cfg, "repo:", &all)) == RES_OK)
		json_object_foreach_safe(all, tmp, name, r)
			if (strcmp(record_str(r, "state"), "complete") != 0)
				json_object_del(all, name);
	return names(ctx, rc, all);
}

/* One repository as the console lists it, or NULL when user (NULL: the
 * host's administrator) may not pull it. */
static json_t *
repo_entry(const struct ctx *ctx, const json_t *user, const json_t *pub,
    const char *name, const json_t *r)
{
	char ns[LIM_NS + 1], repo[LIM_NAME + 1];
	int own = ctx->cfg->own_namespace, bits;

	if (!json_is_object(r) || !name_repo_split(name, ns, repo))
		return NULL;
	bits = user ? acl_allows(user, pub, ns, repo, own) : ACL_ALL;
	if (!(bits & (ACL_PULL | ACL_V2PULL)))
		return NULL;
	return json_pack("{s:s, s:O?, s:O?, s:O?, s:O?, s:b, s:b}", "name",
	    name, "state", json_object_get(r, "state"), "tags",
	    json_object_get(r, "tags"), "pusher", json_object_get(r, "pusher"),
	    "updated", json_object_get(r, "updated"), "public",
	    (acl_allows(NULL, pub, ns, repo, own) & ACL_PULL) != 0, "admin",
	    (bits & ACL_DELETE) != 0);
}

/* GET /repositories: those the caller may pull (repo_entry). */
static int
repositories(struct ctx *ctx)
{
	json_t *user, *pub = NULL, *all = NULL, *out, *r;
	const char *name;
	int rc;

	if ((rc = login(ctx, &user)) != 0)
		return rc;
	rc = store_fetch(ctx->cfg->database, "user:*", &pub) == -1 ? RES_ERROR :
	    admin_collect(ctx->cfg, "repo:", &all);
	out = rc == RES_OK ? json_array() : NULL;
	json_object_foreach(all, name, r)
		json_array_append_new(out, repo_entry(ctx, user, pub, name, r));
	json_decref(user);
	json_decref(pub);
	json_decref(all);
	return answer(ctx, rc, 200, out);
}

/* Once rc is RES_OK, answer user or team name (or only its grants), of
 * the grants only those caller u may manage (NULL: all). */
static int
view(struct ctx *ctx, const json_t *u, int team, const char *name, int rc,
    int status, int grants_only)
{
	char ns[LIM_NS + 1], repo[LIM_NAME + 1];
	json_t *rec = NULL, *perms, *a, *tmp, *out;
	const char *s;

	if (rc == RES_OK)
		rc = team ? admin_team_get(ctx->cfg, name, &rec) :
		    admin_get(ctx->cfg, name, 1, &rec);
	perms = json_object_get(rec, "perms");	/* NULL unless RES_OK */
	json_object_foreach_safe(perms, tmp, s, a)
		if (u != NULL && (!name_scope_split(s, ns, repo) ||
		    acl_may_grant(u, ns, repo, NULL, ctx->cfg->own_namespace)))
			json_object_del(perms, s);
	out = json_incref(grants_only ? perms : rec);
	json_decref(rec);
	return answer(ctx, rc, status, out);
}

/* /users/<u> and its enable, disable, admin: the record or "deleted". */
static int
user(struct ctx *ctx)
{
	const char *w = ctx->req->nseg > 2 ? ctx->req->seg[2] : NULL;
	int put = ctx->req->method == HTTP_PUT, rc, op;
	json_t *u = NULL;

	if ((rc = gate(ctx, NULL)) != 0)
		return rc;
	if (w == NULL && ctx->req->method != HTTP_DELETE) {
		rc = admin_get(ctx->cfg, ctx->arg[0], 0, &u);
		return answer(ctx, rc, 200, u);
	}
	op = w == NULL ? ADMIN_DELETE : strcmp(w, "enable") == 0 ?
	    ADMIN_ENABLE : strcmp(w, "disable") == 0 ? ADMIN_DISABLE : put ?
	    ADMIN_PROMOTE : ADMIN_DEMOTE;
	rc = admin_user(ctx->cfg, op, ctx->arg[0], NULL, NULL, &u);
	return answer(ctx, rc, 200, op == ADMIN_DELETE ? json_pack("{s:s}",
	    "deleted", ctx->arg[0]) : u);
}

/* The permissions of a user or team: for administrators, and for the
 * admins of a namespace its grants. */
static int
perms(struct ctx *ctx)
{
	enum http_method m = ctx->req->method;
	int team = strcmp(ctx->req->seg[0], "teams") == 0, rc, op = -1;
	const char *scope = NULL, *access = "admin";
	char path[LIM_NAME + 2];
	json_t *b = NULL, *u, *rec = NULL;

	if ((rc = login(ctx, &u)) != 0)
		return rc;
	if (m == HTTP_PUT && (rc = object(ctx, "malformed body", &b)) == 0) {
		op = team ? TEAM_GRANT : ADMIN_GRANT;
		scope = body_str(b, "repo");
		access = body_str(b, "access");
		if (scope == NULL || access == NULL)
			rc = route_error(ctx, 400, "fields must be strings");
	} else if (m == HTTP_DELETE) {
		/* removing a narrower grant may widen rights: needs admin */
		op = team ? TEAM_REVOKE : ADMIN_REVOKE;
		scope = path;
		if (join(ctx, 1, ctx->narg, path, sizeof(path)) == -1)
			rc = answer(ctx, RES_NOGRANT, 200, NULL);
	}
	if (rc != 0 || (op >= 0 && (rc = may_grant(ctx, u, scope, access))))
		goto out;
	if (op >= 0)
		rc = team ? admin_team(ctx->cfg, op, NULL, ctx->arg[0], scope,
		    access) : admin_user(ctx->cfg, op, ctx->arg[0], scope,
		    access, &rec);
	rc = view(ctx, u, team, ctx->arg[0], rc, 200, 1);
out:
	json_decref(rec);
	json_decref(b);
	json_decref(u);
	return rc;
}

/* /teams: reading for any user, adding and deleting for administrators. */
static int
teams(struct ctx *ctx)
{
	enum http_method m = ctx->req->method;
	const char *name = ctx->narg ? ctx->arg[0] : NULL;
	json_t *all, *b = NULL, *u = NULL;
	int rc;

	rc = m == HTTP_POST || m == HTTP_DELETE ? gate(ctx, NULL) :
	    login(ctx, &u);
	if (rc != 0 || (m == HTTP_POST &&
	    (rc = object(ctx, "malformed body", &b)) != 0))
		return rc;
	if (m == HTTP_POST) {
		name = body_str(b, "name") ? body_str(b, "name") : "";
		rc = admin_team(ctx->cfg, TEAM_ADD, NULL, name, NULL, NULL);
		rc = view(ctx, NULL, 1, name, rc, 201, 0);
	} else if (m == HTTP_DELETE) {
		rc = admin_team(ctx->cfg, TEAM_DELETE, NULL, name, NULL, NULL);
		rc = answer(ctx, rc, 200, json_pack("{s:s}", "deleted", name));
	} else if (name != NULL)
		rc = view(ctx, u, 1, name, RES_OK, 200, 0);
	else {
		rc = admin_collect(ctx->cfg, "team:", &all);
		rc = names(ctx, rc, all);
	}
	json_decref(b);
	json_decref(u);
	return rc;
}

/* Members and owners: for the team's owners and administrators. */
static int
membership(struct ctx *ctx)
{
	int put = ctx->req->method == HTTP_PUT, rc;
	json_t *u;

	if ((rc = login(ctx, &u)) != 0)
		return rc;
	rc = admin_team(ctx->cfg, strcmp(ctx->req->seg[2], "owners") == 0 ?
	    (put ? TEAM_OWNER_ADD : TEAM_OWNER_RM) : put ? TEAM_MEMBER_ADD :
	    TEAM_MEMBER_RM, u, ctx->arg[0], ctx->arg[1], NULL);
	rc = view(ctx, u, 1, ctx->arg[0], rc, 200, 0);
	json_decref(u);
	return rc;
}

/* GET /namespaces/<ns>/permissions: for the namespace's admins (and
 * <ns>/<repo> as one segment, which only dindexctl can send). */
static int
ns_perms(struct ctx *ctx)
{
	char ns[LIM_NS + 1], repo[LIM_NAME + 1];
	json_t *u, *out = NULL;
	int rc;

	if ((rc = login(ctx, &u)) == 0 &&
	    (rc = may_grant(ctx, u, ctx->arg[0], NULL)) == 0) {
		name_scope_split(ctx->arg[0], ns, repo);
		rc = admin_who(ctx->cfg, ns, repo, &out);
		rc = answer(ctx, rc, 200, out);
	}
	json_decref(u);
	return rc;
}

static int
tokens(struct ctx *ctx)
{
	json_t *b, *out = NULL, *d;
	long long n;
	int rc;

	if ((rc = gate(ctx, ctx->arg[0])) != 0)
		return rc;
	if (ctx->req->method == HTTP_DELETE) {
		rc = atok_remove(ctx->cfg, ctx->arg[0], ctx->arg[1]);
		out = json_pack("{s:s}", "deleted", ctx->arg[1]);
	} else if (ctx->req->method != HTTP_POST) {
		/* an unknown user has no list, not an empty one */
		if ((rc = admin_get(ctx->cfg, ctx->arg[0], 0, &out)) == RES_OK) {
			json_decref(out);
			rc = atok_list(ctx->cfg, ctx->arg[0], &out);
		}
	} else if ((rc = object(ctx, "malformed body", &b)) != 0)
		return rc;
	else {	/* expires_days a number or, from a form, a decimal */
		d = json_object_get(b, "expires_days");
		n = json_is_string(d) ? http_decimal(json_string_value(d),
		    json_string_length(d)) : json_integer_value(d);
		rc = atok_add(ctx->cfg, ctx->arg[0], body_str(b, "name"),
		    json_object_get(b, "scopes"), d == NULL ? -1 : n > 0 ? n : 0,
		    strcmp(ctx->user, ctx->arg[0]) ? NULL : ctx->cred, &out);
		json_decref(b);
	}
	return answer(ctx, rc, ctx->req->method == HTTP_POST ? 201 : 200, out);
}

/* GET /spool: the counts and the failed deliveries without payloads;
 * retry and drop as dindexctl's, the same spool.c function. */
static int
spool(struct ctx *ctx)
{
	const char *root = ctx->cfg->spool;
	json_t *out, *names, *n, *d;
	size_t i;
	int rc;

	if ((rc = gate(ctx, NULL)) != 0)
		return rc;
	if (ctx->narg == 1) {
		rc = spool_requeue(root, ctx->arg[0], ctx->req->method ==
		    HTTP_POST);
		return rc == 1 ? route_error(ctx, 404, "no waiting delivery") :
		    rc ? 503 : route_json(ctx, 200, json_pack("{s:s}",
		    ctx->req->method == HTTP_POST ? "requeued" : "dropped",
		    ctx->arg[0]));
	}
	if ((names = spool_names(root, "failed")) == NULL)
		return 503;
	out = spool_counts(root);
	json_object_set_new(out, "failed_deliveries", json_array());
	json_array_foreach(names, i, n)
		if ((d = spool_read(root, "failed", json_string_value(n)))) {
			json_object_del(d, "payload");
			json_array_append_new(json_object_get(out,
			    "failed_deliveries"), d);
		}
	json_decref(names);
	return route_json(ctx, 200, out);
}

const struct route route_admin_table[] = {
	{ R_GET, "/_ping", R_ANY, alive },
	{ R_GET | R_POST, "/users", R_ANY, users },
	{ R_GET | R_DELETE, "/users/*", R_ANY, user },
	{ R_PUT, "/users/*/enable", R_ANY, user },
	{ R_PUT, "/users/*/disable", R_ANY, user },
	{ R_PUT | R_DELETE, "/users/*/admin", R_ANY, user },
	{ R_GET | R_PUT, "/users/*/permissions", R_ANY, perms },
	{ R_DELETE, "/users/*/permissions/**", R_ANY, perms },
	{ R_GET | R_POST, "/users/*/tokens", R_ANY, tokens },
	{ R_DELETE, "/users/*/tokens/*", R_ANY, tokens },
	{ R_GET, "/images", R_ANY, images },
	{ R_GET, "/repositories", R_ANY, repositories },
	{ R_GET, "/spool", R_ANY, spool },
	{ R_POST, "/spool/*/retry", R_ANY, spool },
	{ R_DELETE, "/spool/*", R_ANY, spool },
	{ R_GET | R_POST, "/teams", R_ANY, teams },
	{ R_GET | R_DELETE, "/teams/*", R_ANY, teams },
	{ R_PUT | R_DELETE, "/teams/*/members/*", R_ANY, membership },
	{ R_PUT | R_DELETE, "/teams/*/owners/*", R_ANY, membership },
	{ R_GET | R_PUT, "/teams/*/permissions", R_ANY, perms },
	{ R_DELETE, "/teams/*/permissions/**", R_ANY, perms },
	{ R_GET, "/namespaces/*/permissions", R_ANY, ns_perms },
	{ 0, NULL, R_ANY, NULL }
};

struct hook_target {
	char		 ns[LIM_NS + 1];
	char		 repo[LIM_NAME + 1];
	char		 name[LIM_NAME + 1];
	const char	*id;		/* NULL: the repository's webhooks */
	int		 ping, history;	/* the last segment */
	int		 admin;		/* the caller has the admin flag */
};

/* Split the segments into name, id and verb, then check the method and
 * the caller against the repository: 0 allowed, else the status. */
static int
target(struct ctx *ctx, struct hook_target *h)
{
	enum http_method m = ctx->req->method;
	size_t n = ctx->narg;
	const char *last = ctx->arg[n - 1];
	json_t *user;
	int status, bits;

	h->id = NULL;
	h->ping = n >= 4 && strcmp(last, "ping") == 0;
	h->history = n >= 4 && strcmp(last, "history") == 0;
	if (h->ping || h->history) {
		h->id = ctx->arg[n - 2];
		n -= 2;
	} else if (n >= 3 && hook_id_ok(last) && m == HTTP_DELETE)
		h->id = ctx->arg[--n];
	if (join(ctx, 0, n, h->name, sizeof(h->name)) == -1 ||
	    !name_repo_split(h->name, h->ns, h->repo))
		return route_error(ctx, 400, "bad repository name");
	snprintf(ctx->repo, sizeof(ctx->repo), "%s", h->name);
	if (h->ping ? m != HTTP_POST : h->history && m != HTTP_GET &&
	    m != HTTP_HEAD) {
		http_resp_header(ctx->resp, "Allow", "%s", h->ping ? "POST" :
		    "GET, HEAD");
		return route_error(ctx, 405, "method not allowed");
	}
	h->admin = 1;
	if (ctx->local)
		return 0;
	status = route_access(ctx, h->ns, h->repo, &bits, &user);
	if (status == 401 || (status == 0 && user == NULL))
		return challenge(ctx);
	if (status != 0)
		return status;
	h->admin = acl_admin(user);
	json_decref(user);
	return (bits & ACL_DELETE) ? 0 : 403;
}

/* What a receiver answered, and the credentials and query of a URL, are
 * for administrators only; a repository admin sees the rest. */
static void
hide_from_non_admins(json_t *out)
{
	json_t *list = json_is_object(out) ? json_pack("[O]", out) :
	    json_incref(out), *a;
	char url[LIM_URL + 1];
	const char *s;
	size_t i;

	json_array_foreach(list, i, a) {
		json_object_del(a, "response");
		json_object_del(a, "response_base64");
		if (json_unpack(a, "{s:s}", "url", &s) == 0) {
			net_url_redact(s, url, sizeof(url));
			json_object_set_new(a, "url", json_string(url));
		}
	}
	json_decref(list);
}

/* What h asks of the store st: the status, *out the answer. */
static int
act(struct ctx *ctx, const struct hook_target *h, struct store *st,
    json_t **out)
{
	enum http_method m = ctx->req->method;
	const char *url = "", *secret = "";
	json_t *b;
	int rc;

	if (h->ping) {
		rc = route_result(ctx, hook_ping(ctx->cfg, st, h->ns, h->repo,
		    h->id, ctx->local ? NULL : ctx->user, !h->admin));
		return rc == 200 ? 202 : rc;
	}
	if (h->id != NULL)
		return route_result(ctx, h->history ? hook_history(st, h->name,
		    h->id, out) : hook_del(st, h->name, h->id));
	if (m == HTTP_GET || m == HTTP_HEAD) {
		*out = hook_list(st, h->name);
		return *out != NULL ? 200 : 503;
	}
	if (m == HTTP_DELETE) {	/* deleting none of none is fine */
		rc = hook_del(st, h->name, NULL);
		return rc == RES_NOHOOK ? 200 : route_result(ctx, rc);
	}
	if ((rc = object(ctx, "body must be JSON or a form", &b)) != 0)
		return rc;
	rc = json_unpack(b, "{s?s, s?s}", "url", &url, "secret", &secret) ?
	    RES_BADHOOK : hook_add(st, h->name, url, json_object_get(b,
	    "events"), secret[0] ? secret : NULL,
	    ctx->cfg->webhook_allow_networks, out);
	json_decref(b);
	return rc == RES_OK ? 201 : route_result(ctx, rc);
}

static int
webhooks(struct ctx *ctx)
{
	enum http_method m = ctx->req->method;
	struct hook_target h;
	struct store *st;
	json_t *out = NULL;
	int status;

	if ((status = target(ctx, &h)) != 0)
		return status;
	if (store_open(ctx->cfg->database, m == HTTP_GET || m == HTTP_HEAD ?
	    STORE_READ : STORE_WRITE, &st) == -1)
		return 503;
	status = act(ctx, &h, st, &out);
	/* a ping is queued (durable) whatever the close says */
	if (store_close(st) == -1 && !h.ping)
		status = 503;
	if (status >= 400) {
		json_decref(out);
		return status;
	}
	if (!h.admin)
		hide_from_non_admins(out);
	return route_json(ctx, status, out ? out : json_pack("{s:b}",
	    status == 202 ? "queued" : "deleted", 1));
}

const struct route route_hooks_table[] = {
	{ R_GET | R_POST | R_DELETE, "/webhooks/**", R_ANY, webhooks },
	{ 0, NULL, R_ANY, NULL }
};
