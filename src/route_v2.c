/*
 * route_v2: dindex as the token server of a registry v2 (distribution)
 * and the receiver of its notifications.
 *
 * GET|POST /v2/token answers with a JWT granting the intersection of the
 * scopes asked for and what the caller may do (acl_allows): read -> pull,
 * write -> pull,push (a v2 push fetches what it pushes, so v1's write-only
 * grant cannot exist in v2), admin -> pull,push,delete; the admin flag
 * grants everything, "registry:catalog:*" included. A v2 name "a/b/c" is
 * namespace "a", repository "b/c"; a one-component name "x" is
 * "library/x", as in v1 (names.c). Refresh tokens are made only on
 * request for offline access (refresh.c says when one dies).
 *
 * POST /v2/notify takes the registry's event envelopes: a manifest pushed
 * by tag is recorded in "repo:<ns>/<repo>" tags and queues the webhooks as
 * a v1 push does; a manifest deleted by digest takes its tags with it, a
 * deleted tag goes. Nothing is delivered from here.
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
#include "refresh.h"
#include "repo.h"
#include "route.h"
#include "scope.h"
#include "store.h"

struct treq {
	const char	*src;		/* query or form body */
	size_t		 len;
	struct scope_set scopes;
	json_t		*user;		/* NULL: anonymous */
	char		 refresh[LIM_SIG + 1];	/* "" none */
};

/* Registry events for these media types are manifests; others are blobs. */
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

static int
is_hex(const char *s, size_t min, size_t max)
{
	size_t n = strspn(s, "0123456789abcdef");

	return s[n] == '\0' && n >= min && n <= max;
}

/* Every "scope" parameter, repeated or not. 0 ok, -1 malformed. */
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
	struct auth_basic cred;
	int status = 401;

	if (param(t, "username", cred.user, sizeof(cred.user)) == 1 &&
	    param(t, "password", cred.pass, sizeof(cred.pass)) == 1) {
		switch (account_login(ctx->cfg, &cred, &t->user)) {
		case ACCOUNT_OK:
			snprintf(ctx->user, sizeof(ctx->user), "%s", cred.user);
			status = 0;
			break;
		case ACCOUNT_ERROR:
			status = 503;
			break;
		case ACCOUNT_BAD:
			snprintf(ctx->login, sizeof(ctx->login), "%s",
			    cred.user);
			/* FALLTHROUGH */
		default:
			json_decref(t->user);
			t->user = NULL;
		}
	}
	bytes_wipe(&cred, sizeof(cred));
	return status;
}

static int
refresh_grant(struct ctx *ctx, struct treq *t)
{
	if (param(t, "refresh_token", t->refresh, sizeof(t->refresh)) != 1 ||
	    !is_hex(t->refresh, LIM_SIG, LIM_SIG))
		return 401;
	switch (refresh_use(ctx->cfg, t->refresh, &t->user)) {
	case 0:
		snprintf(ctx->user, sizeof(ctx->user), "%s", record_str(t->user,
		    "name"));
		return 0;
	case 1:
		t->refresh[0] = '\0';
		return 401;
	default:
		return 503;
	}
}

/* Who asks: Basic credentials or none on GET, the form's grant on POST.
 * 0 (t->user set, NULL for anonymous) or the status to answer. */
static int
who(struct ctx *ctx, struct treq *t)
{
	char grant[32];
	int status;

	if (ctx->req->method != HTTP_POST) {
		status = route_basic(ctx, &t->user);
		return status == 403 ? 401 : status;
	}
	if (param(t, "grant_type", grant, sizeof(grant)) != 1)
		return route_error(ctx, 400, "grant_type missing");
	if (strcmp(grant, "password") == 0)
		return password_grant(ctx, t);
	if (strcmp(grant, "refresh_token") == 0)
		return refresh_grant(ctx, t);
	return route_error(ctx, 400, "unsupported grant_type");
}

/* Narrow each asked scope to what the caller may have. 0 ok, -1 store
 * failure. */
static int
grants(struct ctx *ctx, struct treq *t)
{
	char ns[LIM_NS + 1], repo[LIM_NAME + 1], key[LIM_KEY];
	struct scope *sc;
	json_t *pub = NULL;
	size_t i;
	int bits, g, admin;

	account_key("*", key);
	if (store_fetch(ctx->cfg->database, key, &pub) == -1)
		return -1;
	admin = json_is_true(json_object_get(t->user, "admin")) &&
	    json_is_true(json_object_get(t->user, "enabled"));
	for (i = 0; i < t->scopes.n; i++) {
		sc = &t->scopes.res[i];
		g = admin ? ~0 : 0;
		if (strcmp(sc->type, "repository") == 0 &&
		    name_repo_parse(sc->name, ns, repo)) {
			bits = acl_allows(t->user, pub, ns, repo,
			    ctx->cfg->own_namespace);
			g |= (bits & ACL_PULL ? SCOPE_PULL : 0) |
			    (bits & ACL_PUSH ? SCOPE_PULL | SCOPE_PUSH : 0) |
			    (bits & ACL_DELETE ? SCOPE_DELETE : 0);
		} else if (strcmp(sc->type, "registry") != 0 ||
		    strcmp(sc->name, "catalog") != 0)
			g = 0;
		sc->actions &= g;
	}
	json_decref(pub);
	return 0;
}

/* Sign the token and answer with it. */
static int
issue(struct ctx *ctx, struct treq *t)
{
	const struct config *cfg = ctx->cfg;
	struct jwt_key *key;
	json_t *claims, *body = NULL;
	time_t now = time(NULL);
	char *tok = NULL, at[32];

	if (jwt_key_load(cfg->token_key, cfg->token_cert, &key) == -1)
		return route_error(ctx, 503, "token key unusable");
	claims = jwt_claims(cfg->token_issuer, record_str(t->user, "name"),
	    cfg->token_service, cfg->token_v2_ttl, now,
	    scope_access(&t->scopes));
	if (claims != NULL)
		tok = jwt_sign(key, claims);
	strftime(at, sizeof(at), "%Y-%m-%dT%H:%M:%SZ", gmtime(&now));
	if (tok != NULL)
		body = json_pack("{s:s, s:s, s:I, s:s}", "token", tok,
		    "access_token", tok, "expires_in",
		    (json_int_t)cfg->token_v2_ttl, "issued_at", at);
	if (body != NULL && t->refresh[0] != '\0')
		json_object_set_new(body, "refresh_token",
		    json_string(t->refresh));
	json_decref(claims);
	free(tok);
	jwt_key_free(key);
	http_resp_header(ctx->resp, "Cache-Control", "no-store");
	return route_json(ctx, 200, body);
}

static int
token(struct ctx *ctx)
{
	struct treq t = { 0 };
	char val[LIM_CONF_VALUE + 1];
	int status, offline;

	if (ctx->cfg->token_key[0] == '\0')
		return route_error(ctx, 404, "not found");
	t.src = ctx->req->method == HTTP_POST ? ctx->req->body :
	    ctx->req->query;
	t.len = ctx->req->method == HTTP_POST ? ctx->req->body_len :
	    ctx->req->query_len;
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
	if ((status = who(ctx, &t)) != 0)
		return status;
	offline = ctx->req->method == HTTP_POST ?
	    param(&t, "access_type", val, sizeof(val)) == 1 &&
	    strcmp(val, "offline") == 0 :
	    param(&t, "offline_token", val, sizeof(val)) == 1 &&
	    strcmp(val, "true") == 0;
	status = grants(ctx, &t) == -1 ? -1 : offline && t.user != NULL &&
	    t.refresh[0] == '\0' ? refresh_issue(ctx->cfg, t.user, t.refresh) :
	    0;
	if (status == 1)
		status = route_error(ctx, 401, "credentials changed meanwhile");
	else if (status == -1)
		status = route_error(ctx, 503, "store unavailable");
	else
		status = issue(ctx, &t);
	json_decref(t.user);
	bytes_wipe(t.refresh, sizeof(t.refresh));
	return status;
}

/* A pushed manifest with a tag, or NULL for events that are ignored. */
static json_t *
pushed(json_t *ev, char ns[LIM_NS + 1], char repo[LIM_NAME + 1])
{
	const char *action, *type, *tag, *digest, *name;
	size_t i;

	if (json_unpack(ev, "{s:s, s:{s:s, s:s, s:s, s:s}}", "action", &action,
	    "target", "mediaType", &type, "tag", &tag, "digest", &digest,
	    "repository", &name) == -1 || strcmp(action, "push") != 0)
		return NULL;
	for (i = 0; i < LEN(manifest_types); i++)
		if (strcmp(type, manifest_types[i]) == 0)
			break;
	if (i == LEN(manifest_types) || !name_tag_ok(tag) ||
	    !name_digest_ok(digest) || !name_repo_parse(name, ns, repo))
		return NULL;
	return json_object_get(ev, "target");
}

/* A deleted manifest (by digest: every tag on it goes) or tag, or NULL
 * for events that are ignored. */
static json_t *
deleted(json_t *ev, char ns[LIM_NS + 1], char repo[LIM_NAME + 1])
{
	const char *action, *tag = NULL, *digest = NULL, *name;

	if (json_unpack(ev, "{s:s, s:{s?s, s?s, s:s}}", "action", &action,
	    "target", "tag", &tag, "digest", &digest, "repository", &name) ==
	    -1 || strcmp(action, "delete") != 0 || (tag ? !name_tag_ok(tag) :
	    digest == NULL || !name_digest_ok(digest)) ||
	    !name_repo_parse(name, ns, repo))
		return NULL;
	return json_object_get(ev, "target");
}

/* Follow a registry delete in the tag map. 0 ok, -1 failure. */
static int
record_delete(struct store *st, json_t *target, const char *ns,
    const char *repo)
{
	const char *tag = json_string_value(json_object_get(target, "tag"));
	const char *digest = json_string_value(json_object_get(target,
	    "digest")), *t;
	json_t *rec = NULL, *tags, *v, *tmp;
	char key[LIM_KEY];
	size_t before;
	int rc;

	snprintf(key, sizeof(key), "repo:%s/%s", ns, repo);
	if ((rc = store_get(st, key, &rec)) != 0)
		return rc == 1 ? 0 : -1;
	tags = json_object_get(rec, "tags");
	before = json_object_size(tags);
	json_object_foreach_safe(tags, tmp, t, v)
		if (tag ? strcmp(t, tag) == 0 : json_is_string(v) &&
		    strcmp(json_string_value(v), digest) == 0)
			json_object_del(tags, t);
	if (json_object_size(tags) != before) {
		json_object_set_new(rec, "updated", json_integer(time(NULL)));
		rc = store_put(st, key, rec);
	}
	json_decref(rec);
	return rc;
}

/* Record tag -> digest and queue the webhooks. 0 ok, -1 failure. */
static int
record_push(struct ctx *ctx, struct store *st, json_t *ev, json_t *target,
    const char *ns, const char *repo)
{
	const char *tag, *digest, *pusher, *old;
	json_t *rec = NULL, *tags, *payload;
	char key[LIM_KEY];
	int rc, isnew;

	tag = json_string_value(json_object_get(target, "tag"));
	digest = json_string_value(json_object_get(target, "digest"));
	pusher = json_string_value(json_object_get(json_object_get(ev,
	    "actor"), "name"));
	if (pusher == NULL || !name_user_ok(pusher))
		pusher = "";
	snprintf(key, sizeof(key), "repo:%s/%s", ns, repo);
	if ((rc = store_get(st, key, &rec)) == -1)
		return -1;
	if (rc == 1)
		rec = repo_new(pusher);
	if (!json_is_object(rec)) {
		json_decref(rec);
		return -1;
	}
	if (!json_is_object(json_object_get(rec, "tags")))
		json_object_set_new(rec, "tags", json_object());
	tags = json_object_get(rec, "tags");
	old = json_string_value(json_object_get(tags, tag));
	isnew = old == NULL || strcmp(old, digest) != 0;
	/* a v2 push is complete when notified; a v1 push may be under way */
	if (rc == 1 || strcmp(record_str(rec, "state"), "deleted") == 0)
		json_object_set_new(rec, "state", json_string("complete"));
	json_object_set_new(tags, tag, json_string(digest));
	/* the payload names this push only: the digest and its tag */
	payload = json_pack("{s:[{s:s}], s:{s:s}}", "images", "id", digest,
	    "tags", tag, digest);
	rc = payload != NULL && hook_pushed(ctx->cfg, st, ns, repo, rec, isnew,
	    pusher, payload) == RES_OK ? 0 : -1;
	json_decref(payload);
	json_decref(rec);
	return rc;
}

static int
notify(struct ctx *ctx)
{
	const char *secret = ctx->cfg->notify_secret, *rest;
	const struct http_hdr *h;
	char ns[LIM_NS + 1], repo[LIM_NAME + 1];
	json_t *env, *ev, *target, *gone;
	struct store *st = NULL;
	size_t i, restlen;
	int rc = 0;

	if (secret[0] == '\0')
		return route_error(ctx, 404, "not found");
	h = http_header(ctx->req, "Authorization");
	if (h == NULL || auth_scheme(h->val, h->val_len, &rest, &restlen) !=
	    AUTH_BEARER || restlen != strlen(secret) ||
	    !bytes_equal(rest, secret, restlen))
		return route_error(ctx, 401, "bad notification secret");
	body_json(ctx->req, &env);
	if (!json_is_array(json_object_get(env, "events")))
		rc = route_error(ctx, 400, "not an event envelope");
	else if (json_array_size(json_object_get(env, "events")) >
	    LIM_NOTIFY_EVENTS)
		rc = route_error(ctx, 413, "too many events");
	json_array_foreach(json_object_get(env, "events"), i, ev) {
		if (rc != 0 || ((target = pushed(ev, ns, repo)) == NULL &&
		    (gone = deleted(ev, ns, repo)) == NULL))
			continue;
		if (st == NULL && store_open(ctx->cfg->database, STORE_WRITE,
		    &st) == -1)
			rc = -1;
		else
			rc = target ? record_push(ctx, st, ev, target, ns, repo) :
			    record_delete(st, gone, ns, repo);
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
