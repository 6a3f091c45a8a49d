/*
 * route_v2: the token server of a registry v2 and the receiver of its
 * notifications. GET|POST /v2/token signs a JWT for the scopes asked,
 * narrowed to what acl_allows grants: read -> pull, write -> pull,push (a
 * v2 push fetches what it pushes), admin -> pull,push,delete; an
 * administrator gets everything, "registry:catalog:*" included. Refresh
 * tokens only on request for offline access (token.h). POST /v2/notify
 * keeps the tags of "repo:<ns>/<repo>": a manifest pushed by tag is
 * recorded and queues the webhooks as a v1 push does; a manifest deleted
 * by digest takes its tags with it, a deleted tag goes.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "account.h"
#include "acl.h"
#include "auth.h"
#include "body.h"
#include "hook.h"
#include "jwt.h"
#include "names.h"
#include "record.h"
#include "repo.h"
#include "route.h"
#include "store.h"
#include "token.h"

struct treq {
	const char	*src;		/* query or form body */
	size_t		 len;
	struct scope_set scopes;
	json_t		*user;		/* NULL: anonymous */
	char		 refresh[LIM_SIG + 1];	/* "" none */
};

enum { EV_NONE, EV_PUSH, EV_DELETE };

struct event {
	const char	*tag, *digest;	/* NULL when absent */
	const char	*pusher;
	char		 ns[LIM_NS + 1];
	char		 repo[LIM_NAME + 1];
	char		 key[LIM_KEY];
};

/* Events of other media types are blobs. */
static const char *const manifest_types[] = {
	"application/vnd.docker.distribution.manifest.v1+json",
	"application/vnd.docker.distribution.manifest.v1+prettyjws",
	"application/vnd.docker.distribution.manifest.v2+json",
	"application/vnd.docker.distribution.manifest.list.v2+json",
	"application/vnd.oci.image.manifest.v1+json",
	"application/vnd.oci.image.index.v1+json",
};

static int
param(const struct treq *t, const char *key, char *out, size_t outlen)
{
	out[0] = '\0';
	return http_form_get(t->src, t->len, key, out, outlen);
}

/* Every "scope" parameter, repeated or not. */
static int
collect_scopes(struct treq *t)
{
	char val[LIM_SCOPE_PARAM + 1];
	const char *s = t->src, *e, *end = t->src + t->len;

	for (; s < end; s = e + 1) {
		if ((e = memchr(s, '&', end - s)) == NULL)
			e = end;
		switch (http_form_get(s, e - s, "scope", val, sizeof(val))) {
		case -1:
			return -1;
		case 1:
			if (scope_parse(val, strlen(val), &t->scopes) == -1)
				return -1;
		}
	}
	return 0;
}

static int
password_grant(struct ctx *ctx, struct treq *t)
{
	struct auth_basic cred = { "", "" };	/* terminated on a bad value */
	int rc = ACCOUNT_BAD;	/* 401 */

	if (param(t, "username", cred.user, sizeof(cred.user)) == 1 &&
	    param(t, "password", cred.pass, sizeof(cred.pass)) == 1)
		rc = account_login(ctx->cfg, &cred, &t->user);
	/* logged as route_basic does: a refused name may not be an account */
	snprintf(rc == ACCOUNT_OK || rc == ACCOUNT_DISABLED ? ctx->user :
	    ctx->login, sizeof(ctx->user), "%s", cred.user);
	bytes_wipe(&cred, sizeof(cred));
	if (rc == ACCOUNT_DISABLED)	/* the right password */
		return route_error(ctx, 401, "account is not active");
	return rc == ACCOUNT_OK ? 0 : rc == ACCOUNT_ERROR ? 503 : 401;
}

static int
refresh_grant(struct ctx *ctx, struct treq *t)
{
	/* http_form_get refuses longer values: LIM_SIG hex digits exactly */
	if (param(t, "refresh_token", t->refresh, sizeof(t->refresh)) != 1 ||
	    !name_hex_ok(t->refresh, LIM_SIG))
		return 401;
	switch (refresh_use(ctx->cfg, t->refresh, &t->user)) {
	case 0:
		snprintf(ctx->user, sizeof(ctx->user), "%s",
		    record_str(t->user, "name"));
		return 0;
	case 1:
		t->refresh[0] = '\0';
		return 401;
	default:
		return 503;
	}
}

/* Basic credentials or none on GET, the form's grant on POST: 0 (t->user
 * NULL for anonymous) or the status; token() frees t->user either way. */
static int
token_caller(struct ctx *ctx, struct treq *t)
{
	char grant[32];
	int status;

	if (ctx->req->method != HTTP_POST) {
		status = route_basic(ctx, &t->user);
		return status == 403 ? route_error(ctx, 401, "account is not "
		    "active") : status;
	}
	if (param(t, "grant_type", grant, sizeof(grant)) != 1)
		return route_error(ctx, 400, "grant_type missing");
	if (strcmp(grant, "password") == 0)
		return password_grant(ctx, t);
	if (strcmp(grant, "refresh_token") == 0)
		return refresh_grant(ctx, t);
	return route_error(ctx, 400, "unsupported grant_type");
}

/* Narrow each scope to the caller's rights, the public grants read once
 * for all (route_access would log in anew for each). */
static int
grants(struct ctx *ctx, struct treq *t)
{
	char ns[LIM_NS + 1], repo[LIM_NAME + 1];
	int bits, g, admin = acl_admin(t->user);
	json_t *pub = NULL;
	struct scope *sc;
	size_t i;

	if (store_fetch(ctx->cfg->database, "user:*", &pub) == -1)
		return -1;
	for (i = 0; i < t->scopes.n; i++) {
		sc = &t->scopes.res[i];
		g = admin ? ~0 : 0;
		if (strcmp(sc->type, "repository") == 0 &&
		    name_repo_parse(sc->name, ns, repo)) {
			bits = acl_allows(t->user, pub, ns, repo,
			    ctx->cfg->own_namespace);
			g |= (bits & ACL_V2PULL ? SCOPE_PULL : 0) |
			    (bits & ACL_PUSH ? SCOPE_PUSH : 0) |
			    (bits & ACL_DELETE ? SCOPE_DELETE : 0);
		} else if (strcmp(sc->type, "registry") != 0 ||
		    strcmp(sc->name, "catalog") != 0)
			g = 0;
		sc->actions &= g;
	}
	json_decref(pub);
	return 0;
}

static int
issue(struct ctx *ctx, struct treq *t)
{
	const struct config *cfg = ctx->cfg;
	struct jwt_key *key;
	json_t *claims, *body = NULL;
	time_t now = time(NULL);
	char *tok = NULL, at[32];
	int rc;

	/* read per request: dindexctl key rotate needs no restart */
	if ((rc = jwt_key_load(cfg->token_key, cfg->token_cert, &key)) != 0)
		return route_error(ctx, 503, rc == JWT_OUTDATED ?
		    "token certificate expired or not yet valid" :
		    "token key unusable");
	claims = jwt_claims(cfg->token_issuer, record_str(t->user, "name"),
	    cfg->token_service, cfg->token_v2_ttl, now,
	    scope_access(&t->scopes));
	if (claims != NULL)
		tok = jwt_sign(key, cfg->token_kid, claims);
	strftime(at, sizeof(at), "%Y-%m-%dT%H:%M:%SZ", gmtime(&now));
	if (tok != NULL)
		body = json_pack("{s:s, s:s, s:I, s:s, s:s*}", "token", tok,
		    "access_token", tok, "expires_in",
		    (json_int_t)cfg->token_v2_ttl, "issued_at", at,
		    "refresh_token", t->refresh[0] ? t->refresh : NULL);
	json_decref(claims);
	free(tok);
	jwt_key_free(key);
	http_resp_header(ctx->resp, "Cache-Control", "no-store");
	return route_json(ctx, 200, body);
}

static int
token(struct ctx *ctx)
{
	const struct http_req *req = ctx->req;
	int post = req->method == HTTP_POST, status, offline;
	struct treq t = { .src = post ? req->body : req->query,
	    .len = post ? req->body_len : req->query_len };
	char val[LIM_CONF_VALUE + 1];

	if (ctx->cfg->token_key[0] == '\0')
		return route_error(ctx, 404, "not found");
	if (t.src == NULL)
		t.src = "", t.len = 0;
	if (param(&t, "service", val, sizeof(val)) != 1 ||
	    strcmp(val, ctx->cfg->token_service) != 0)
		return route_error(ctx, 400, "unknown service");
	if (collect_scopes(&t) == -1)
		return route_error(ctx, 400, "invalid scope");
	if (t.scopes.n > 0)	/* for the log */
		snprintf(ctx->repo, sizeof(ctx->repo), "%s",
		    t.scopes.res[0].name);
	if ((status = token_caller(ctx, &t)) != 0)
		goto out;	/* a refused refresh token is wiped too */
	offline = param(&t, post ? "access_type" : "offline_token", val,
	    sizeof(val)) == 1 && strcmp(val, post ? "offline" : "true") == 0;
	status = grants(ctx, &t);
	/* a refresh token would outlive an access token's scopes */
	if (status == 0 && offline && t.user != NULL && t.refresh[0] == '\0' &&
	    json_object_get(t.user, "via_token") == NULL)
		status = refresh_issue(ctx->cfg, t.user, t.refresh);
	if (status == 1)
		status = route_error(ctx, 401, "credentials changed meanwhile");
	else if (status == -1)
		status = route_error(ctx, 503, "store unavailable");
	else
		status = issue(ctx, &t);
out:
	json_decref(t.user);
	bytes_wipe(t.refresh, sizeof(t.refresh));
	return status;
}

/* A manifest pushed by tag, a manifest (by digest) or a tag deleted. */
static int
event(json_t *ev, struct event *e)
{
	const char *action, *name;
	json_t *type = NULL;
	size_t i;

	e->tag = e->digest = NULL;
	if (json_unpack(ev, "{s:s, s:{s?o, s?s, s?s, s:s}}", "action",
	    &action, "target", "mediaType", &type, "tag", &e->tag, "digest",
	    &e->digest, "repository", &name) == -1 ||
	    !name_repo_parse(name, e->ns, e->repo))
		return EV_NONE;
	snprintf(e->key, sizeof(e->key), "repo:%s/%s", e->ns, e->repo);
	if (strcmp(action, "delete") == 0 && (e->tag ? name_tag_ok(e->tag) :
	    e->digest != NULL && name_digest_ok(e->digest)))
		return EV_DELETE;
	if (strcmp(action, "push") != 0 || !json_is_string(type) ||
	    e->tag == NULL || !name_tag_ok(e->tag) || e->digest == NULL ||
	    !name_digest_ok(e->digest))
		return EV_NONE;
	for (i = 0; i < LEN(manifest_types); i++)
		if (strcmp(json_string_value(type), manifest_types[i]) == 0)
			break;
	if (i == LEN(manifest_types))
		return EV_NONE;
	if (json_unpack(ev, "{s:{s:s}}", "actor", "name", &e->pusher) == -1 ||
	    !name_user_ok(e->pusher))
		e->pusher = "";
	return EV_PUSH;
}

static int
record_delete(struct store *st, const struct event *e)
{
	json_t *rec = NULL, *tags, *v, *tmp;
	const char *t;
	size_t before;
	int rc;

	if ((rc = store_get(st, e->key, &rec)) != 0)
		return rc == 1 ? 0 : -1;
	tags = json_object_get(rec, "tags");
	before = json_object_size(tags);
	json_object_foreach_safe(tags, tmp, t, v)
		if (e->tag ? strcmp(t, e->tag) == 0 : json_is_string(v) &&
		    strcmp(json_string_value(v), e->digest) == 0)
			json_object_del(tags, t);
	if (json_object_size(tags) != before) {
		json_object_set_new(rec, "updated", json_integer(time(NULL)));
		rc = store_put(st, e->key, rec);
	}
	json_decref(rec);
	return rc;
}

/* Not repo_merge/repo_complete: a v2 digest is no v1 image, and a v1
 * push may be pending meanwhile. */
static int
record_push(struct ctx *ctx, struct store *st, const struct event *e)
{
	json_t *rec = NULL, *tags, *payload;
	const char *old;
	int rc, isnew;

	if ((rc = store_get(st, e->key, &rec)) == -1 || (rc == 1 &&
	    (rec = repo_new(e->pusher)) == NULL))
		return -1;
	if (!json_is_object(json_object_get(rec, "tags")))
		json_object_set_new(rec, "tags", json_object());
	tags = json_object_get(rec, "tags");
	old = json_string_value(json_object_get(tags, e->tag));
	isnew = old == NULL || strcmp(old, e->digest) != 0;
	/* a v2 push is complete when notified; a v1 push may be under way */
	if (rc == 1 || strcmp(record_str(rec, "state"), "deleted") == 0)
		json_object_set_new(rec, "state", json_string("complete"));
	json_object_set_new(tags, e->tag, json_string(e->digest));
	/* the payload names this push only: the digest and its tag */
	payload = json_pack("{s:[{s:s}], s:{s:s}}", "images", "id", e->digest,
	    "tags", e->tag, e->digest);
	rc = payload != NULL && hook_pushed(ctx->cfg, st, e->ns, e->repo, rec,
	    isnew, e->pusher, payload) == RES_OK ? 0 : -1;
	json_decref(payload);
	json_decref(rec);
	return rc;
}

static int
notify(struct ctx *ctx)
{
	const char *secret = ctx->cfg->notify_secret, *rest;
	const struct http_hdr *h = http_header(ctx->req, "Authorization");
	json_t *env = NULL, *events, *ev;
	struct store *st = NULL;
	struct event e;
	size_t i, restlen;
	int rc = 0, kind;

	if (secret[0] == '\0')
		return route_error(ctx, 404, "not found");
	if (h == NULL || auth_scheme(h->val, h->val_len, &rest, &restlen) !=
	    AUTH_BEARER || restlen != strlen(secret) ||
	    !bytes_equal(rest, secret, restlen))
		return route_error(ctx, 401, "bad notification secret");
	body_json(ctx->req, &env);
	events = json_object_get(env, "events");
	if (!json_is_array(events))
		rc = route_error(ctx, 400, "not an event envelope");
	else if (json_array_size(events) > LIM_NOTIFY_EVENTS)
		rc = route_error(ctx, 413, "too many events");
	json_array_foreach(events, i, ev) {
		if (rc != 0 || (kind = event(ev, &e)) == EV_NONE)
			continue;
		if (st == NULL && store_open(ctx->cfg->database, STORE_WRITE,
		    &st) == -1)
			rc = -1;
		else
			rc = kind == EV_PUSH ? record_push(ctx, st, &e) :
			    record_delete(st, &e);
	}
	if (st != NULL && store_close(st) == -1)
		rc = -1;
	json_decref(env);
	if (rc == -1)
		return route_error(ctx, 503, "store unavailable");
	return rc != 0 ? rc : route_json(ctx, 200, json_object());
}

const struct route route_v2_table[] = {
	{ R_GET | R_POST, "/v2/token", R_ANY, token },
	{ R_POST, "/v2/notify", R_ANY, notify },
	{ 0, NULL, R_ANY, NULL }
};
