/*
 * import: dindexctl import (README: "Moving from ekristen/docker-index").
 * Redis is read whole, then every record is made, checked and reported,
 * and written in one transaction unless refused or a dry run. "imported"
 * marks what a second run leaves alone; a webhook is known by its URL.
 */
#include <dlfcn.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <hiredis/hiredis.h>

#include "account.h"
#include "admin.h"
#include "ctl.h"
#include "hook.h"
#include "names.h"
#include "record.h"
#include "repo.h"

/* libhiredis is dlopened by its build-time soname: linked, every dindexctl
 * would need it installed, for a command run once. */
#define HIREDIS(X) \
	X(redisCommand) X(redisConnectWithTimeout) \
	X(redisConnectUnixWithTimeout) X(redisSetTimeout) X(redisFree) \
	X(freeReplyObject)
#define HR_MEMBER(f)	__typeof__(f) *f;
static struct { HIREDIS(HR_MEMBER) } hr;

static int
hiredis_load(void)
{
	void *lib = dlopen(LIBHIREDIS, RTLD_NOW | RTLD_LOCAL);

	if (lib == NULL)
		return ctl_refuse("cannot load %s (Debian: libhiredis): %s",
		    LIBHIREDIS, dlerror());
#define HR_RESOLVE(f) \
	if ((*(void **)&hr.f = dlsym(lib, #f)) == NULL) \
		return ctl_refuse("%s: no %s", LIBHIREDIS, #f);
	HIREDIS(HR_RESOLVE)
	return 0;
}

struct imp {
	const struct config	*cfg;
	struct store		*st;
	json_t			*src;	/* redis key -> value */
	json_t			*scopes;	/* of every grant -> true */
	json_t			*put;	/* dindex key -> record */
	json_t			*report;	/* lines */
	int			 merge, fresh, collisions, failed;
};

static void
say(struct imp *m, const char *fmt, ...)
{
	char line[LIM_KEY + 256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	json_array_append_new(m->report, json_string(line));
}

/* A reply as a string, a list of strings or (HGETALL) an object; NULL
 * when any part is not a string or not UTF-8. */
static json_t *
from_reply(const redisReply *r, int pairs)
{
	json_t *v;
	size_t i;

	if (r->type != REDIS_REPLY_ARRAY)
		return r->type == REDIS_REPLY_STRING ? json_stringn(r->str,
		    r->len) : NULL;
	v = pairs ? json_object() : json_array();
	for (i = pairs; v != NULL && i < r->elements; i += 1 + pairs)
		if ((pairs ? json_object_set_new(v, r->element[i - 1]->str,
		    from_reply(r->element[i], 0)) : json_array_append_new(v,
		    from_reply(r->element[i], 0))) == -1) {
			json_decref(v);
			v = NULL;
		}
	return v;
}

/* key's value by its type, json null for others; NULL: failed or not UTF-8 */
static json_t *
fetch_key(redisContext *c, const char *key)
{
	static const char *const how[][2] = { { "string", "GET %s" },
	    { "list", "LRANGE %s 0 -1" }, { "set", "SMEMBERS %s" },
	    { "hash", "HGETALL %s" } };
	redisReply *t = hr.redisCommand(c, "TYPE %s", key), *r = NULL;
	json_t *v = NULL;
	size_t i;

	for (i = 0; t != NULL && t->str != NULL && i < LEN(how); i++)
		if (strcmp(t->str, how[i][0]) == 0 && (r = hr.redisCommand(c,
		    how[i][1], key)) != NULL)
			v = from_reply(r, i == 3);
	if (t != NULL && r == NULL && !c->err)
		v = json_null();
	hr.freeReplyObject(t);
	hr.freeReplyObject(r);
	return v;
}

/* Every key of database db (NULL: 0) and its value; NULL (said) on failure. */
static json_t *
read_redis(redisContext *c, const char *db)
{
	json_t *all = json_object(), *v;
	redisReply *r = db ? hr.redisCommand(c, "SELECT %s", db) : NULL;
	int ok = !db || (r != NULL && r->type == REDIS_REPLY_STATUS);
	size_t i;

	hr.freeReplyObject(r);
	/* what the original itself runs (lib/upgrades.js) */
	r = ok ? hr.redisCommand(c, "KEYS *") : NULL;
	ok = r != NULL && r->type == REDIS_REPLY_ARRAY;
	for (i = 0; ok && i < r->elements; i++)
		ok = (v = fetch_key(c, r->element[i]->str)) != NULL &&
		    json_object_set_new(all, r->element[i]->str, v) == 0;
	if (!ok)
		ctl_refuse("redis: %s", c->err ? c->errstr : r && r->str ?
		    r->str : "a key or value is not UTF-8");
	hr.freeReplyObject(r);
	if (!ok)
		json_decref(all);
	return ok ? all : NULL;
}

/* rec for key. A user or repository (whole, 1) key holds already is left
 * if imported before, else a collision (kept with --merge); the admin
 * of a database only init made is replaced. */
static void
plan(struct imp *m, const char *key, json_t *rec, int whole)
{
	const char *why = record_check(key, rec);
	int admin = m->fresh && strcmp(key, "user:admin") == 0;
	json_t *old = NULL;
	int rc = whole && !admin ? store_get(m->st, key, &old) : 1;

	if (why != NULL)
		say(m, "%s: not imported: %s", key, why);
	else if (rc == 1)
		json_object_set(m->put, key, rec);
	else if (rc == -1)
		m->failed = 1;
	else if (json_object_get(old, "imported") != NULL)
		say(m, "%s: imported before; left as it is", key);
	else if (m->merge)
		say(m, "%s: exists in dindex: dindex's record kept", key);
	else {
		m->collisions++;
		say(m, "%s: exists in dindex: collision", key);
	}
	if (why == NULL && admin)
		say(m, "%s: the original's replaces the one dindexctl init "
		    "made", key);
	json_decref(old);
	json_decref(rec);
}

/* Grants as index/middleware.js requireAuth reads them: the namespace's,
 * when set, decides alone; only read, write and admin gave anything. */
static json_t *
grants(struct imp *m, const char *user, const json_t *perms)
{
	json_t *out = json_object(), *v;
	const char *scope, *access;
	char ns[LIM_NS + 1];

	json_object_foreach((json_t *)perms, scope, v) {
		access = json_is_string(v) ? json_string_value(v) : "?";
		snprintf(ns, sizeof(ns), "%.*s", (int)strcspn(scope, "/"),
		    scope);
		if (strchr(scope, '/') && json_string_length(json_object_get(
		    perms, ns)) > 0)
			say(m, "user:%s: grant %s %s dropped: the grant of %s "
			    "decided", user, scope, access, ns);
		else if (admin_grant_check(scope, access) != RES_OK)
			say(m, "user:%s: grant %s %s dropped: it gave nothing",
			    user, scope, access);
		else
			json_object_set_new(out, scope, json_string(access));
	}
	return out;
}

static int
truthy(const json_t *o, const char *key)
{
	return json_is_true(json_object_get(o, key)) ||
	    strcmp(record_str(o, key), "true") == 0;
}

/* users:<name> (internal/users.js createUser) into user:<name>. */
static void
user(struct imp *m, const char *name, const json_t *raw)
{
	static const char known[] = " username password email disabled "
	    "admin permissions ";
	json_t *o = json_loads(json_string_value(raw), 0, NULL), *u, *v;
	const char *email = record_str(o, "email"), *k;
	char hash[AUTH_LEGACY_LEN + 1], key[LIM_KEY], word[64];

	json_object_foreach(o, k, v) {
		snprintf(word, sizeof(word), " %.60s ", k);
		if (strstr(known, word) == NULL)
			say(m, "user:%s: field %s not imported", name, k);
	}
	if (email[0] != '\0' && !name_email_ok(email)) {
		say(m, "user:%s: e-mail %s not imported", name, email);
		email = "";
	}
	snprintf(hash, sizeof(hash), "%s%s", AUTH_LEGACY, record_str(o,
	    "password"));
	u = json_pack("{s:s, s:s, s:s, s:b, s:b, s:o, s:s}", "name", name,
	    "hash", hash, "email", email, "enabled", !truthy(o, "disabled"),
	    "admin", truthy(o, "admin"), "perms", grants(m, name,
	    json_object_get(o, "permissions")), "imported", "ekristen");
	m->failed |= u == NULL || account_restamp(u) == -1;
	store_key(key, STORE_USER, name);
	plan(m, key, u, 1);
	json_decref(o);
}

/* "<ns>_<repo>" into "ns/repo": the split a grant names, else the first
 * valid one (said when there are several). 0, or -1 when none. */
static int
split(struct imp *m, const char *joined, char name[LIM_NAME + 1])
{
	char cand[LIM_NAME + 1], ns[LIM_NS + 1], repo[LIM_NAME + 1];
	const char *p;
	int valid = 0, hinted = 0, hint;

	for (p = joined; (p = strchr(p, '_')) != NULL; p++) {
		snprintf(cand, sizeof(cand), "%.*s/%s", (int)(p - joined),
		    joined, p + 1);
		if (strchr(p + 1, '/') || !name_repo_split(cand, ns, repo))
			continue;
		hint = json_object_get(m->scopes, cand) ||
		    json_object_get(m->scopes, ns);
		valid++;
		if (hint ? hinted++ == 0 : valid == 1 && !hinted)
			snprintf(name, LIM_NAME + 1, "%s", cand);
	}
	if (valid > 1)
		say(m, "%s: ambiguous ns_repo key, read as %s%s", joined, name,
		    hinted ? " (a grant names it)" : "");
	return valid ? 0 : -1;
}

/* images:<ns>_<repo> (index/repos.js repoPut) as that push would have
 * made it; complete when in the set images (index/images.js). */
static void
repository(struct imp *m, const char *joined, const json_t *raw)
{
	json_t *list = json_loads(json_string_value(raw), 0, NULL), *e, *one;
	json_t *rec = repo_new(""), *done = json_object_get(m->src, "images");
	char name[LIM_NAME + 1], key[LIM_KEY];
	const char *why;
	size_t i;
	int complete = 0;

	json_array_foreach(list, i, e) {
		one = json_pack("[O]", e);
		if ((why = repo_list_check(one)) == NULL &&
		    repo_merge(rec, one) != 0)
			why = "too many images";
		if (why != NULL)
			say(m, "images:%s: image %zu not imported: %s", joined,
			    i, why);
		json_decref(one);
	}
	json_array_foreach(done, i, e)
		complete |= strcmp(json_string_value(e), joined) == 0;
	if (complete)
		repo_complete(rec);
	json_object_set_new(rec, "imported", json_string("ekristen"));
	if (split(m, joined, name) == 0) {
		if (!complete)
			say(m, "repo:%s: its push never finished", name);
		store_key(key, STORE_REPO, name);
		plan(m, key, json_incref(rec), 1);
	} else
		say(m, "images:%s: not imported: no valid ns/repo", joined);
	json_decref(rec);
	json_decref(list);
}

/* The history of webhook <j>:<oid> (lib/webhooks.js processWebhooks,
 * LPUSH: newest first) as dindex's, newest last, for its new id. */
static void
history(struct imp *m, const char *j, const char *oid, const char *name,
    const char *id)
{
	char key[LIM_KEY];
	json_t *list, *out = json_array(), *o, *a, *resp, *hdr, *err;
	size_t i;

	snprintf(key, sizeof(key), "webhooks:%s:%s:history", j, oid);
	list = json_object_get(m->src, key);
	for (i = json_array_size(list); i-- > 0; json_decref(o)) {
		o = json_loads(json_string_value(json_array_get(list, i)), 0,
		    NULL);
		if (o == NULL) {
			say(m, "%s: entry %zu not imported: unreadable", key, i);
			continue;
		}
		err = json_object_get(o, "error");
		resp = json_object_get(o, "response");
		hdr = json_object_get(json_object_get(o, "request"),
		    "headers");
		a = json_pack("{s:I, s:s, s:s, s:I, s:s, s:i}", "time",
		    json_integer_value(json_object_get(o, "created")),
		    "delivery", record_str(hdr, "X-Docker-Index-Delivery"),
		    "event", record_str(hdr, "X-Docker-Index-Event"), "status",
		    json_integer_value(json_object_get(resp, "statusCode")),
		    "error", !err ? "" : *record_str(err, "code") ?
		    record_str(err, "code") : "failed",
		    "duration_ms", 0);
		json_array_append_new(out, a);
	}
	while ((long)json_array_size(out) > m->cfg->webhook_history)
		json_array_remove(out, 0);
	snprintf(key, sizeof(key), "hist:%s/%s", name, id);
	if (json_array_size(out) > 0)
		plan(m, key, json_incref(out), 0);
	json_decref(out);
}

/* Webhook <j>:<oid> (internal/webhooks.js addWebhook: a hash of id, url,
 * new, existing, active) into all, by its dindex id, unless there. */
static void
webhook(struct imp *m, const char *j, const char *oid, const char *name,
    json_t *all)
{
	char key[LIM_KEY], id[17];
	json_t *orig, *h = NULL, *ev = json_array();
	int rc;

	snprintf(key, sizeof(key), "webhooks:%s:%s", j, oid);
	orig = json_object_get(m->src, key);
	if (strcmp(record_str(orig, "new"), "true") == 0)
		json_array_append_new(ev, json_string("new"));
	if (strcmp(record_str(orig, "existing"), "true") == 0)
		json_array_append_new(ev, json_string("existing"));
	rc = hook_make(record_str(orig, "url"), ev, "",
	    m->cfg->webhook_allow_networks, id, &h);
	if (rc == RES_OK && json_object_size(all) >= LIM_HOOKS)
		rc = RES_HOOKFULL;
	if (rc != RES_OK)
		say(m, "%s: not imported: %s", key, result_msg(rc));
	else if (json_object_get(all, id) == NULL) {
		json_object_set(all, id, h);
		history(m, j, oid, name, id);
	}
	json_decref(h);
	json_decref(ev);
}

/* The webhooks of <j> (the set webhooks:<j> of their ids) added to
 * hooks:<name>, unless the repository is dindex's. */
static void
webhooks(struct imp *m, const char *j, const json_t *ids)
{
	char name[LIM_NAME + 1], key[LIM_KEY];
	json_t *all = NULL, *rec = NULL, *v;
	size_t i, had;
	int rc;

	if (split(m, j, name) == -1) {
		say(m, "webhooks:%s: not imported: no valid ns/repo", j);
		return;
	}
	store_key(key, STORE_REPO, name);
	rc = store_get(m->st, key, &rec);
	if (rc == 0 && json_object_get(rec, "imported") == NULL)
		say(m, "webhooks:%s: not imported: %s is dindex's", j, key);
	else if (rc != -1) {
		store_key(key, STORE_HOOKS, name);
		if ((rc = store_get(m->st, key, &all)) == 1)
			all = json_object();
		had = json_object_size(all);
		json_array_foreach(ids, i, v)
			webhook(m, j, json_string_value(v), name, all);
		if (rc != -1 && json_object_size(all) > had)
			plan(m, key, json_incref(all), 0);
	}
	m->failed |= rc == -1;
	json_decref(rec);
	json_decref(all);
}

/* Every key of src (sorted: images before the webhooks that look at
 * their repositories), after the scopes of every grant are known. */
static void
plan_all(struct imp *m)
{
	json_t *keys = admin_keys(m->src), *k, *v, *u, *g;
	const char *key, *scope;
	size_t i, tokens = 0;

	json_object_foreach(m->src, key, v) {
		if (strncmp(key, "users:", 6) != 0 || !json_is_string(v))
			continue;
		u = json_loads(json_string_value(v), 0, NULL);
		json_object_foreach(json_object_get(u, "permissions"), scope, g)
			json_object_set_new(m->scopes, scope, json_true());
		json_decref(u);
	}
	json_array_foreach(keys, i, k) {
		v = json_object_get(m->src, key = json_string_value(k));
		if (strncmp(key, "users:", 6) == 0 && json_is_string(v))
			user(m, key + 6, v);
		else if (strncmp(key, "images:", 7) == 0 && json_is_string(v))
			repository(m, key + 7, v);
		else if (strncmp(key, "webhooks:", 9) == 0 &&
		    strchr(key + 9, ':') == NULL)
			webhooks(m, key + 9, v);
		else if (strncmp(key, "tokens:", 7) == 0)
			tokens++;
		else if (strncmp(key, "webhooks:", 9) != 0 && strcmp(key,
		    "users") && strcmp(key, "images") && strcmp(key,
		    "version") && strcmp(key, "_initial_auth_token"))
			say(m, "%s: not imported: unknown key", key);
	}
	if (tokens > 0)
		say(m, "%zu tokens: not imported (they live minutes)", tokens);
	json_decref(keys);
}

/* store_each: whether a record is other than the admin init made. */
static int
not_init(const char *key, json_t *val, void *arg)
{
	(void)arg;
	return strcmp(key, "user:admin") != 0 || !admin_enabled_admin(val) ||
	    json_object_size(json_object_get(val, "perms")) != 0 ||
	    json_object_get(val, "imported") != NULL;
}

/* The plan under the lock, then all of its writes or none. */
static int
import(struct imp *m, int dry)
{
	const char *key;
	json_t *rec;
	int rc = CTL_OK, admins = 0;

	if (store_open(m->cfg->database, dry ? STORE_READ : STORE_WRITE,
	    &m->st) == -1)
		return ctl_refuse("cannot open %s", m->cfg->database);
	m->fresh = store_each(m->st, "", not_init, NULL) == 0 &&
	    store_has(m->st, "user:admin") == 1;
	plan_all(m);
	json_object_foreach(m->put, key, rec)
		admins += admin_enabled_admin(rec);
	if (m->failed)
		rc = ctl_refuse("cannot read %s", m->cfg->database);
	else if (m->collisions)
		rc = ctl_refuse("refused: %d collisions (--merge keeps "
		    "dindex's records)", m->collisions);
	else if (m->fresh && json_object_get(m->put, "user:admin") && !admins)
		rc = ctl_refuse("refused: no enabled administrator left");
	json_object_foreach(m->put, key, rec)
		if (rc == CTL_OK && !dry && store_put(m->st, key, rec) == -1)
			rc = ctl_refuse("%s: not written", key);
	if (store_close(m->st) == -1 && rc == CTL_OK)
		rc = ctl_refuse("cannot sync %s", m->cfg->database);
	return rc;
}

/* --redis-socket PATH, or --redis HOST:PORT (the original's default
 * localhost:6379). NULL when refused (said). */
static redisContext *
connect_redis(const json_t *opt)
{
	struct timeval tv = { LIM_REDIS_SECONDS, 0 };
	const char *sock = NULL, *addr = "127.0.0.1:6379", *colon;
	char host[256], *end = NULL;
	redisContext *c = NULL;
	long port = 0;

	json_unpack((json_t *)opt, "{s?s, s?s}", "socket", &sock, "redis",
	    &addr);
	if ((colon = strrchr(addr, ':')) != NULL)
		port = strtol(colon + 1, &end, 10);
	snprintf(host, sizeof(host), "%.*s", colon ? (int)(colon - addr) :
	    0, addr);
	if (sock != NULL)
		c = hr.redisConnectUnixWithTimeout(sock, tv);
	else if (end != NULL && *end == '\0' && port > 0 && port < 65536 &&
	    host[0] != '\0')
		c = hr.redisConnectWithTimeout(host, (int)port, tv);
	if (c != NULL && !c->err && hr.redisSetTimeout(c, tv) == REDIS_OK)
		return c;
	ctl_refuse("redis at %s: %s", sock ? sock : addr, c ? c->errstr :
	    "not HOST:PORT");
	hr.redisFree(c);
	return NULL;
}

int
ctl_import(struct ctl *ctl)
{
	struct imp m = { .cfg = ctl->cfg, .scopes = json_object(),
	    .put = json_object(), .report = json_array() };
	const char *db = NULL;
	int dry = 0, rc = CTL_REFUSED;
	redisContext *c = hiredis_load() == 0 ? connect_redis(ctl->opt) :
	    NULL;
	json_t *line;
	size_t i;

	json_unpack(ctl->opt, "{s?s, s?b, s?b}", "db", &db, "dry_run", &dry,
	    "merge", &m.merge);
	if (c != NULL && (m.src = read_redis(c, db)) != NULL)
		rc = import(&m, dry);
	if (c != NULL)
		hr.redisFree(c);
	ctl->out = json_pack("{s:O, s:i, s:b}", "report", m.report,
	    "records", (int)json_object_size(m.put), "written",
	    rc == CTL_OK && !dry);
	json_array_foreach(m.report, i, line)
		if (!ctl->json)
			printf("%s\n", json_string_value(line));
	if (!ctl->json && m.src != NULL)
		printf("%zu records %s\n", json_object_size(m.put),
		    rc == CTL_OK && !dry ? "written" : "to write; none written");
	if (ctl->json && rc != CTL_OK)
		ctl_print_json(ctl->out);
	json_decref(m.report);
	json_decref(m.src);
	json_decref(m.scopes);
	json_decref(m.put);
	return rc;
}

/* Disable, as user disable does, every enabled user with an imported hash. */
int
ctl_expire_legacy(struct ctl *ctl)
{
	json_t *all, *u, *done = NULL;
	const char *name;
	int rc = CTL_OK, r;

	if (admin_list(ctl->cfg, &all) != RES_OK)
		return ctl_refuse("cannot read %s", ctl->cfg->database);
	ctl->out = json_pack("{s:[]}", "disabled");
	json_object_foreach(all, name, u) {
		if (!json_is_true(json_object_get(u, "legacy")) ||
		    !json_is_true(json_object_get(u, "enabled")))
			continue;
		r = admin_user(ctl->cfg, ADMIN_DISABLE, name, NULL, NULL, &done);
		if (r == RES_OK)
			json_array_append_new(json_object_get(ctl->out,
			    "disabled"), json_string(name));
		else
			rc = ctl_refuse("%s: %s", name, result_msg(r));
		json_decref(done);
	}
	json_decref(all);
	return rc;
}
