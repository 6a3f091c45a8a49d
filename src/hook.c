/*
 * hook: the webhooks of a repository in one record ("hooks:<ns>/<repo>",
 * id -> webhook), so a push reads them with one lookup, and their history
 * ("hist:<ns>/<repo>/<id>"). An id is the FNV-1a hash of the URL, so a URL
 * registered twice is a conflict. The secret stays in the database: the
 * deliverer signs at send time, and spool files carry none.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "hook.h"
#include "lim.h"
#include "names.h"
#include "net.h"
#include "record.h"
#include "spool.h"

/* The webhooks of name ({} when none) and their key: 0, 1 none, -1. */
static int
load(struct store *st, const char *name, char key[LIM_KEY], json_t **all)
{
	int rc;

	store_key(key, STORE_HOOKS, name);
	if ((rc = store_get(st, key, all)) == 1)
		*all = json_object();
	return rc;
}

/* Webhook id of name as a new reference: RES_OK, RES_NOHOOK, RES_ERROR. */
static int
find(struct store *st, const char *name, const char *id, json_t **h)
{
	char key[LIM_KEY];
	json_t *all;

	*h = NULL;
	if (load(st, name, key, &all) == -1)
		return RES_ERROR;
	*h = json_incref(json_object_get(all, id));
	json_decref(all);
	return *h != NULL ? RES_OK : RES_NOHOOK;
}

int
hook_id_ok(const char *s)
{
	return name_hex_ok(s, 16);
}

static int
url_ok(const char *url)
{
	size_t i, n = strlen(url);

	if (n > LIM_URL || n < 10 || (strncmp(url, "http://", 7) != 0 &&
	    strncmp(url, "https://", 8) != 0))
		return 0;
	for (i = 0; i < n; i++)
		if ((unsigned char)url[i] <= ' ' || url[i] == 0x7f)
			return 0;
	return 1;
}

static int
add_event(json_t *list, const char *e)
{
	return e != NULL && (strcmp(e, "new") == 0 ||
	    strcmp(e, "existing") == 0) &&
	    json_array_append_new(list, json_string(e)) == 0;
}

static json_t *
parse_events(const json_t *ev)
{
	char buf[64], *p, *save = NULL;
	json_t *out = json_array(), *e;
	size_t i;
	int ok = 1;

	if (ev == NULL || json_is_string(ev)) {
		ok = json_string_length(ev) < sizeof(buf);
		snprintf(buf, sizeof(buf), "%s", json_string_length(ev) ?
		    json_string_value(ev) : "new,existing");
		for (p = strtok_r(buf, ",", &save); p;
		    p = strtok_r(NULL, ",", &save))
			ok = ok && add_event(out, p);
	}
	json_array_foreach(ev, i, e)	/* none when ev is not a list */
		ok = ok && add_event(out, json_string_value(e));
	if (ok && json_array_size(out) > 0)
		return out;
	json_decref(out);
	return NULL;
}

static json_t *
shown(const char *id, const json_t *h)
{
	json_t *o = json_deep_copy(h);

	json_object_del(o, "secret");
	json_object_set_new(o, "id", json_string(id));
	json_object_set_new(o, "has_secret", json_boolean(
	    json_string_length(json_object_get(h, "secret")) > 0));
	return o;
}

int
hook_make(const char *url, const json_t *events, const char *secret,
    const char *allow, char id[17], json_t **h)
{
	uint64_t fnv = 14695981039346656037ULL;
	const char *p;
	json_t *ev;

	*h = NULL;
	if (url == NULL || !url_ok(url) || (secret && strlen(secret) >
	    LIM_URL) || (ev = parse_events(events)) == NULL)
		return RES_BADHOOK;
	for (p = url; *p; p++)
		fnv = (fnv ^ (unsigned char)*p) * 1099511628211ULL;
	snprintf(id, 17, "%016llx", (unsigned long long)fnv);
	if (net_url_allowed(url, allow))
		*h = json_pack("{s:s, s:o, s:s, s:b, s:I}", "url", url,
		    "events", ev, "secret", secret ? secret : "", "active", 1,
		    "created", (json_int_t)time(NULL));
	else
		json_decref(ev);
	return *h != NULL ? RES_OK : RES_HOOKREFUSED;
}

int
hook_add(struct store *st, const char *name, const char *url,
    const json_t *events, const char *secret, const char *allow,
    json_t **out)
{
	char key[LIM_KEY], id[17];
	json_t *all = NULL, *h;
	int rc;

	*out = NULL;
	if ((rc = hook_make(url, events, secret, allow, id, &h)) != RES_OK)
		return rc;
	if (load(st, name, key, &all) == -1)
		rc = RES_ERROR;
	else if (json_object_get(all, id) != NULL)
		rc = RES_HOOKEXISTS;
	else if (json_object_size(all) >= LIM_HOOKS)
		rc = RES_HOOKFULL;
	else if (json_object_set(all, id, h) == -1 ||
	    store_put(st, key, all) == -1)
		rc = RES_ERROR;
	else
		*out = shown(id, h);
	json_decref(h);
	json_decref(all);
	return rc;
}

json_t *
hook_list(struct store *st, const char *name)
{
	json_t *all = NULL, *out, *h;
	char key[LIM_KEY];
	const char *id;

	if (load(st, name, key, &all) == -1 || (out = json_array()) == NULL) {
		json_decref(all);
		return NULL;
	}
	json_object_foreach(all, id, h)
		json_array_append_new(out, shown(id, h));
	json_decref(all);
	return out;
}

int
hook_del(struct store *st, const char *name, const char *id)
{
	char key[LIM_KEY], hist[LIM_KEY];
	json_t *all, *h;
	const char *hid;
	int rc;

	if (load(st, name, key, &all) == -1)
		return RES_ERROR;
	rc = id != NULL && json_object_get(all, id) == NULL ? RES_NOHOOK :
	    RES_OK;
	json_object_foreach(all, hid, h) {
		snprintf(hist, sizeof(hist), "hist:%s/%s", name, hid);
		if (rc == RES_OK && (id == NULL || strcmp(id, hid) == 0) &&
		    store_del(st, hist) == -1)
			rc = RES_ERROR;
	}
	if (rc == RES_OK && id != NULL) {
		json_object_del(all, id);
		rc = store_put(st, key, all) == 0 ? RES_OK : RES_ERROR;
	} else if (rc == RES_OK && (rc = store_del(st, key)) != 0)
		rc = rc == 1 ? RES_NOHOOK : RES_ERROR;
	json_decref(all);
	return rc;
}

int
hook_history(struct store *st, const char *name, const char *id,
    json_t **out)
{
	char key[LIM_KEY];
	json_t *h;
	int rc = find(st, name, id, &h);

	json_decref(h);
	*out = NULL;
	if (rc != RES_OK)
		return rc;
	snprintf(key, sizeof(key), "hist:%s/%s", name, id);
	if ((rc = store_get(st, key, out)) == 1)
		*out = json_array();
	return rc == -1 ? RES_ERROR : RES_OK;
}

int
hook_record(struct store *st, const char *name, const char *id,
    json_t *attempt, long keep)
{
	char key[LIM_KEY];
	json_t *h;
	int rc;

	if (keep <= 0)
		return RES_OK;
	/* a webhook removed during the attempt keeps no history */
	if ((rc = find(st, name, id, &h)) != RES_OK)
		return rc;
	json_decref(h);
	snprintf(key, sizeof(key), "hist:%s/%s", name, id);
	if ((rc = store_get(st, key, &h)) == -1)	/* never erase it */
		return RES_ERROR;
	if (rc == 1 || !json_is_array(h)) {
		json_decref(h);
		h = json_array();
	}
	json_array_append(h, attempt);
	while ((long)json_array_size(h) > keep)
		json_array_remove(h, 0);
	rc = store_put(st, key, h) == 0 ? RES_OK : RES_ERROR;
	json_decref(h);
	return rc;
}

int
hook_secret(struct store *st, const char *name, const char *id, char *out,
    size_t outlen)
{
	json_t *h;
	int rc = find(st, name, id, &h);

	snprintf(out, outlen, "%s", record_str(h, "secret"));
	json_decref(h);
	return rc;
}

/* The payload of DESIGN.md: what the repository holds after the push. */
static json_t *
payload(const char *ns, const char *repo, const char *pusher,
    const json_t *rec)
{
	json_t *ids = json_array(), *tags = json_array(), *e;
	const char *tag;
	size_t i;

	json_array_foreach(json_object_get(rec, "images"), i, e)
		json_array_append(ids, json_object_get(e, "id"));
	json_object_foreach(json_object_get(rec, "tags"), tag, e)
		json_array_append_new(tags, json_string(tag));
	return json_pack("{s:{s:I, s:o, s:o, s:s}, s:{s:s, s:s, s:s++}}",
	    "push_data", "pushed_at", (json_int_t)time(NULL), "images", ids,
	    "tags", tags, "pusher", pusher ? pusher : "", "repository", "name",
	    repo, "namespace", ns, "repo_name", ns, "/", repo);
}

static int
wants(const json_t *h, const char *event)
{
	const json_t *e;
	size_t i;

	if (json_is_true(json_object_get(h, "active")))
		json_array_foreach(json_object_get(h, "events"), i, e)
			if (json_is_string(e) &&
			    strcmp(json_string_value(e), event) == 0)
				return 1;
	return 0;
}

/* Queue one delivery per active webhook of ns/repo whose events hold
 * event, or only to webhook only_id (a ping), durably. RES_OK (also when
 * none matched), RES_NOHOOK when only_id is unknown, RES_ERROR. */
static int
queue(const struct config *cfg, struct store *st, const char *ns,
    const char *repo, const char *event, const char *pusher,
    const json_t *rec, const char *only_id)
{
	char key[LIM_KEY], name[LIM_NAME + 1];
	json_t *all = NULL, *h, *d;
	const char *id;
	int rc = RES_OK, found = 0;

	if (!cfg->webhooks && only_id == NULL)
		return RES_OK;
	snprintf(name, sizeof(name), "%s/%s", ns, repo);
	if (load(st, name, key, &all) == -1)
		return RES_ERROR;
	json_object_foreach(all, id, h) {
		if (only_id ? strcmp(id, only_id) != 0 : !wants(h, event))
			continue;
		found = 1;
		d = json_pack("{s:s, s:s, s:O, s:s, s:I, s:i, s:I, s:n, "
		    "s:{s:s}, s:s, s:o}", "webhook_id", id, "repository", name,
		    "url", json_object_get(h, "url"), "event", event,
		    "created", (json_int_t)time(NULL), "attempts", 0,
		    "next_attempt", (json_int_t)time(NULL), "last_error",
		    "headers", "X-Docker-Index-Event", event,
		    "queued_by", pusher ? pusher : "",
		    "payload", payload(ns, repo, pusher, rec));
		if (d == NULL || spool_put(cfg->spool, d) == -1)
			rc = RES_ERROR;
		json_decref(d);
	}
	json_decref(all);
	return only_id && !found && rc == RES_OK ? RES_NOHOOK : rc;
}

int
hook_pushed(const struct config *cfg, struct store *st, const char *ns,
    const char *repo, json_t *rec, int isnew, const char *pusher,
    const json_t *payload)
{
	char key[LIM_KEY];

	json_object_set_new(rec, "updated", json_integer(time(NULL)));
	json_object_set_new(rec, "pusher", json_string(pusher));
	if (queue(cfg, st, ns, repo, isnew ? "new" : "existing", pusher,
	    payload ? payload : rec, NULL) != RES_OK)
		return RES_ERROR;
	snprintf(key, sizeof(key), "repo:%s/%s", ns, repo);
	return store_put(st, key, rec) == 0 ? RES_OK : RES_ERROR;
}

/* Pings of name, and queued by user, waiting or failed within
 * LIM_PINGS_WINDOW, read from each file (the spool is the one truth):
 * 1 over the quota, 0 not, -1 a state cannot be read (fail closed). */
static int
over_quota(const char *root, const char *name, const char *user)
{
	json_t *names, *n, *d;
	int repo = 0, mine = 0;
	size_t s, i;

	for (s = 0; s < SPOOL_STATES; s++) {
		if ((names = spool_names(root, spool_states[s])) == NULL)
			return -1;
		json_array_foreach(names, i, n) {
			d = spool_read(root, spool_states[s],
			    json_string_value(n));
			if (strcmp(record_str(d, "event"), "ping") == 0 &&
			    (s < 3 || json_integer_value(json_object_get(d,
			    "created")) + LIM_PINGS_WINDOW > time(NULL))) {
				repo += strcmp(record_str(d, "repository"),
				    name) == 0;
				mine += strcmp(record_str(d, "queued_by"),
				    user) == 0;
			}
			json_decref(d);
		}
		json_decref(names);
	}
	return repo >= LIM_PINGS_REPO || mine >= LIM_PINGS_USER;
}

int
hook_ping(const struct config *cfg, struct store *st, const char *ns,
    const char *repo, const char *id, const char *user, int counted)
{
	char key[LIM_KEY], name[LIM_NAME + 1];
	json_t *rec = NULL;
	int rc;

	snprintf(name, sizeof(name), "%s/%s", ns, repo);
	if (counted && user != NULL && (rc = over_quota(cfg->spool, name,
	    user)) != 0)
		return rc == 1 ? RES_QUOTA : RES_ERROR;
	store_key(key, STORE_REPO, name);
	if (store_get(st, key, &rec) == -1)
		return RES_ERROR;
	rc = queue(cfg, st, ns, repo, "ping", user ? user : "dindexctl", rec,
	    id);
	json_decref(rec);
	return rc;
}
