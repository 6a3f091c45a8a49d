/*
 * test_hook: webhook rules in a scratch store and spool: which URLs,
 * events and secrets are accepted, the record as shown, deletion, which
 * webhooks a push queues to and the delivery it builds, the history
 * kept, and the ping quota of non-admin users.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "hook.h"
#include "lim.h"
#include "spool.h"
#include "store.h"
#include "t.h"

#define IMG_A	"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa" \
		"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
#define IMG_B	"bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb" \
		"bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"

static const struct {
	const char	*url;
	const char	*events;	/* JSON text; NULL: none given */
	const char	*secret;
	int		 want;
} adds[] = {
	{ "http://example.com/a", NULL, NULL, RES_OK },
	{ "http://example.com/a", NULL, NULL, RES_HOOKEXISTS },
	{ "https://example.com/b", "\"new\"", "s3cret", RES_OK },
	{ "https://example.com/c", "\"existing,new\"", NULL, RES_OK },
	{ "https://example.com/d", "[\"existing\"]", NULL, RES_OK },
	{ "https://example.com/e", "\"\"", NULL, RES_OK },
	{ "https://example.com/f", "\",,new,\"", NULL, RES_OK },
	{ "https://example.com/g", "[]", NULL, RES_BADHOOK },
	{ "https://example.com/g", "\",\"", NULL, RES_BADHOOK },
	{ "https://example.com/g", "\"new,pushed\"", NULL, RES_BADHOOK },
	{ "https://example.com/g", "[\"new\", 1]", NULL, RES_BADHOOK },
	{ "https://example.com/g", "{}", NULL, RES_BADHOOK },
	{ "https://example.com/g", "7", NULL, RES_BADHOOK },
	{ "https://example.com/g", "\"new,existing,new,existing,new,existing,"
	    "new,existing,new,existing\"", NULL, RES_BADHOOK },
	{ "ftp://example.com/g", NULL, NULL, RES_BADHOOK },
	{ "http://x", NULL, NULL, RES_BADHOOK },
	{ "http://exa mple.com/g", NULL, NULL, RES_BADHOOK },
	{ "http://example.com/\x7f", NULL, NULL, RES_BADHOOK },
	{ "http://127.0.0.1/g", NULL, NULL, RES_HOOKREFUSED },
	{ "http://[::1]/g", NULL, NULL, RES_HOOKREFUSED },
	{ "http://10.0.0.1@93.184.216.34/g", NULL, NULL, RES_OK },
};

static int
add(struct store *st, const char *url, const char *events,
    const char *secret, json_t **out)
{
	json_t *ev = events ? json_loads(events, JSON_DECODE_ANY, NULL) : NULL;
	int rc = hook_add(st, "alice/app", url, ev, secret, "", out);

	json_decref(ev);
	return rc;
}

/* The deliveries in new/, oldest first. */
static json_t *
queued(const char *root)
{
	json_t *names = spool_names(root, "new"), *out = json_array(), *n;
	size_t i;

	json_array_foreach(names, i, n)
		json_array_append_new(out, spool_read(root, "new",
		    json_string_value(n)));
	json_decref(names);
	return out;
}

static size_t
count_url(const json_t *list, const char *url)
{
	const json_t *d;
	size_t i, n = 0;

	json_array_foreach(list, i, d)
		n += strcmp(json_string_value(json_object_get(d, "url")),
		    url) == 0;
	return n;
}

/* Unless h is the webhook of url, its events are the JSON text want. */
static int
events_are(const json_t *h, const char *url, const char *want)
{
	json_t *w;
	int ok;

	if (strcmp(json_string_value(json_object_get(h, "url")), url) != 0)
		return 1;
	w = json_loads(want, 0, NULL);
	ok = json_equal(json_object_get(h, "events"), w);
	json_decref(w);
	return ok;
}

static void
test_add(struct store *st)
{
	json_t *out, *list, *h;
	char secret[64];
	size_t i;
	int rc;

	for (i = 0; i < sizeof(adds) / sizeof(adds[0]); i++) {
		rc = add(st, adds[i].url, adds[i].events, adds[i].secret, &out);
		if (rc != adds[i].want)
			fprintf(stderr, "add %s %s: %d\n", adds[i].url,
			    adds[i].events ? adds[i].events : "-", rc);
		T(rc == adds[i].want);
		T((rc == RES_OK) == (out != NULL));
		if (out != NULL) {
			T(hook_id_ok(json_string_value(json_object_get(out,
			    "id"))));
			T(json_object_get(out, "secret") == NULL);
			T(json_is_true(json_object_get(out, "has_secret")) ==
			    (adds[i].secret != NULL));
		}
		json_decref(out);
	}
	T(add(st, "http://example.com/a", NULL, "", &out) == RES_HOOKEXISTS);
	T(hook_id_ok("0123456789abcdef") && !hook_id_ok("0123456789ABCDEF") &&
	    !hook_id_ok("0123456789abcde") && !hook_id_ok("0123456789abcdef0"));
	list = hook_list(st, "alice/app");
	T(json_array_size(list) == 7);
	json_array_foreach(list, i, h) {
		T(json_object_get(h, "secret") == NULL);
		rc = hook_secret(st, "alice/app", json_string_value(
		    json_object_get(h, "id")), secret, sizeof(secret));
		T(rc == RES_OK && strcmp(secret, strcmp(json_string_value(
		    json_object_get(h, "url")), "https://example.com/b") == 0 ?
		    "s3cret" : "") == 0);
		T(events_are(h, "https://example.com/f", "[\"new\"]"));
		T(events_are(h, "https://example.com/e",
		    "[\"new\", \"existing\"]"));
		T(events_are(h, "https://example.com/c",
		    "[\"existing\", \"new\"]"));
	}
	json_decref(list);
	list = hook_list(st, "alice/none");
	T(json_is_array(list) && json_array_size(list) == 0);
	json_decref(list);
	T(hook_secret(st, "alice/app", "0000000000000000", secret,
	    sizeof(secret)) == RES_NOHOOK && secret[0] == '\0');
}

static void
test_push(const struct config *cfg, struct store *st)
{
	json_t *rec = json_pack("{s:[{s:s},{s:s}], s:{s:s}, s:s}", "images",
	    "id", IMG_A, "id", IMG_B, "tags", "latest", IMG_B, "state",
	    "complete"), *q, *d, *want, *repo;
	size_t i;

	T(hook_pushed(cfg, st, "alice", "app", rec, 1, "alice", NULL) ==
	    RES_OK);
	q = queued(cfg->spool);
	/* "new": a, b, c, e, f and the one of 93.184.216.34, not d */
	T(json_array_size(q) == 6 && count_url(q, "https://example.com/d") ==
	    0 && count_url(q, "https://example.com/b") == 1);
	want = json_pack("{s:[ss], s:[s], s:s}", "images", IMG_A, IMG_B, "tags",
	    "latest", "pusher", "alice");
	repo = json_pack("{s:s, s:s, s:s}", "name", "app", "namespace",
	    "alice", "repo_name", "alice/app");
	json_array_foreach(q, i, d) {
		T(strcmp(json_string_value(json_object_get(d, "event")), "new") ==
		    0);
		T(strcmp(json_string_value(json_object_get(d, "repository")),
		    "alice/app") == 0);
		T(strcmp(json_string_value(json_object_get(d, "queued_by")),
		    "alice") == 0);
		T(json_integer_value(json_object_get(d, "attempts")) == 0);
		T(hook_id_ok(json_string_value(json_object_get(d,
		    "webhook_id"))));
		T(json_equal(json_object_get(json_object_get(d, "payload"),
		    "repository"), repo));
		json_object_del(json_object_get(json_object_get(d, "payload"),
		    "push_data"), "pushed_at");
		T(json_equal(json_object_get(json_object_get(d, "payload"),
		    "push_data"), want));
		T(json_object_get(d, "secret") == NULL);
	}
	json_decref(want);
	json_decref(repo);
	json_decref(q);
	T(json_integer_value(json_object_get(rec, "updated")) > 0);
	T(strcmp(json_string_value(json_object_get(rec, "pusher")), "alice") ==
	    0);
	json_decref(rec);
}

static void
clear_new(const char *root)
{
	json_t *names = spool_names(root, "new"), *n;
	size_t i;

	json_array_foreach(names, i, n) {
		spool_claim(root, "new", json_string_value(n));
		spool_done(root, json_string_value(n));
	}
	json_decref(names);
}

static void
test_ping_history(struct config *cfg, struct store *st)
{
	json_t *list = hook_list(st, "alice/app"), *hist;
	json_t *rec = json_pack("{s:[], s:s}", "images", "state", "complete");
	json_t *a;
	char key[LIM_KEY];
	const char *id = json_string_value(json_object_get(json_array_get(list,
	    0), "id"));
	int i, rc;

	/* existing: a, c, d, e and 93.184.216.34 want it; off: none queued */
	clear_new(cfg->spool);
	T(hook_pushed(cfg, st, "alice", "app", rec, 0, "bob", NULL) ==
	    RES_OK);
	hist = queued(cfg->spool);
	T(json_array_size(hist) == 5 && count_url(hist,
	    "https://example.com/d") == 1);
	json_decref(hist);
	clear_new(cfg->spool);
	cfg->webhooks = 0;
	T(hook_pushed(cfg, st, "alice", "app", rec, 0, "bob", NULL) ==
	    RES_OK);
	hist = queued(cfg->spool);
	T(json_array_size(hist) == 0);
	json_decref(hist);
	/* pings go out with webhooks off, to one webhook, within quota */
	for (i = 0, rc = RES_OK; i < LIM_PINGS_REPO && rc == RES_OK; i++)
		rc = hook_ping(cfg, st, "alice", "app", id, "bob", 1);
	T(rc == RES_OK);
	hist = queued(cfg->spool);
	T(json_array_size(hist) == LIM_PINGS_REPO);
	a = json_array_get(hist, 0);
	T(strcmp(json_string_value(json_object_get(a, "event")), "ping") == 0);
	T(strcmp(json_string_value(json_object_get(a, "webhook_id")), id) ==
	    0);
	json_decref(hist);
	T(hook_ping(cfg, st, "alice", "app", id, "bob", 1) == RES_QUOTA);
	T(hook_ping(cfg, st, "alice", "app", id, "bob", 0) == RES_OK);
	T(hook_ping(cfg, st, "alice", "app", id, NULL, 0) == RES_OK);
	T(hook_ping(cfg, st, "alice", "app", "0000000000000000", NULL, 0) ==
	    RES_NOHOOK);
	cfg->webhooks = 1;
	/* history: the last keep attempts, newest last */
	T(hook_history(st, "alice/app", id, &hist) == RES_OK &&
	    json_array_size(hist) == 0);
	json_decref(hist);
	for (i = 0; i < 5; i++) {
		a = json_pack("{s:i, s:i}", "time", i, "status", 200);
		T(hook_record(st, "alice/app", id, a, 3) == RES_OK);
		json_decref(a);
	}
	T(hook_history(st, "alice/app", id, &hist) == RES_OK &&
	    json_array_size(hist) == 3 && json_integer_value(json_object_get(
	    json_array_get(hist, 2), "time")) == 4);
	json_decref(hist);
	T(hook_history(st, "alice/app", "0000000000000000", &hist) ==
	    RES_NOHOOK && hist == NULL);
	/* delete one, then all; none left is RES_NOHOOK */
	T(hook_del(st, "alice/app", "0000000000000000") == RES_NOHOOK);
	T(hook_del(st, "alice/app", id) == RES_OK);
	T(hook_history(st, "alice/app", id, &hist) == RES_NOHOOK);
	snprintf(key, sizeof(key), "hist:alice/app/%s", id);
	T(store_get(st, key, &hist) == 1);
	a = hook_list(st, "alice/app");
	T(json_array_size(a) == 6);
	json_decref(a);
	T(hook_del(st, "alice/app", NULL) == RES_OK);
	a = hook_list(st, "alice/app");
	T(json_array_size(a) == 0);
	json_decref(a);
	T(hook_del(st, "alice/app", NULL) == RES_NOHOOK);
	json_decref(list);
	json_decref(rec);
}

int
main(void)
{
	char dir[] = "/tmp/test_hook.XXXXXX", cmd[64];
	static struct config cfg;
	struct store *st;

	T(mkdtemp(dir) != NULL);
	config_defaults(&cfg);
	cfg.webhooks = 1;
	snprintf(cfg.database, sizeof(cfg.database), "%s/index.db", dir);
	snprintf(cfg.spool, sizeof(cfg.spool), "%s/spool", dir);
	T(spool_init(cfg.spool) == 0);
	T(store_open(cfg.database, STORE_CREATE, &st) == 0);
	test_add(st);
	test_push(&cfg, st);
	test_ping_history(&cfg, st);
	T(store_close(st) == 0);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	T(system(cmd) == 0);
	return t_done();
}
