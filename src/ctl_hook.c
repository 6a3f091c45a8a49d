/*
 * ctl_hook: dindexctl webhook ... and spool ... The spool commands work on
 * the files through the same claim-by-rename the deliverer uses, so they
 * are safe while it runs.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "ctl.h"
#include "auth.h"
#include "hook.h"
#include "names.h"
#include "spool.h"
#include "store.h"

static int
result(int rc)
{
	static const char *const why[] = { [HOOK_NONE] = "no such webhook",
	    [HOOK_EXISTS] = "that URL has a webhook already",
	    [HOOK_BAD] = "url must be http(s), events a subset of new,existing",
	    [HOOK_FULL] = "too many webhooks",
	    [HOOK_REFUSED] = "url is a loopback, private or link-local "
	    "address not in webhook_allow_networks",
	    [HOOK_QUOTA] = "too many pings waiting" };

	if (rc == HOOK_OK)
		return CTL_OK;
	return ctl_refuse("%s", rc > 0 ? why[rc] : "database error");
}

/* webhook add NAME URL [--events E] [--secret-stdin | --secret S]: the
 * secret is read before the transaction, never while holding the lock;
 * --secret shows it to ps and the shell history (kept for scripts). */
static int
hook_add_cmd(const struct ctl *ctl, const char *name, int argc, char **argv)
{
	const char *events = NULL, *secret = NULL;
	char line[LIM_URL + 2];
	json_t *ev, *out = NULL;
	struct store *st;
	int i, rc = HOOK_ERROR;

	for (i = 3; i < argc; i++) {
		if (strcmp(argv[i], "--events") == 0 && i + 1 < argc)
			events = argv[++i];
		else if (strcmp(argv[i], "--secret") == 0 && i + 1 < argc)
			secret = argv[++i];
		else if (strcmp(argv[i], "--secret-stdin") == 0 && !secret) {
			if (ctl_read_password(1, line, sizeof(line)) == -1)
				return ctl_refuse("cannot read a secret");
			secret = line;
		} else
			return ctl_usage();
	}
	ev = events ? json_string(events) : NULL;
	if (store_open(ctl->cfg->database, STORE_WRITE, &st) == 0) {
		rc = hook_add(st, name, argv[2], ev, secret && *secret ? secret :
		    NULL, ctl->cfg->webhook_allow_networks, &out);
		if (store_close(st) == -1)
			rc = HOOK_ERROR;
	}
	auth_wipe(line, sizeof(line));
	json_decref(ev);
	if (rc == HOOK_OK && ctl->json)
		ctl_print_json(out);
	else if (rc == HOOK_OK)
		printf("%s\n", json_string_value(json_object_get(out, "id")));
	json_decref(out);
	return result(rc);
}

static void
print_hooks(const struct ctl *ctl, const json_t *list)
{
	const json_t *h, *e;
	size_t i, j;

	if (ctl->json) {
		ctl_print_json(list);
		return;
	}
	printf("%-16s %-6s %-15s %s\n", "ID", "ACTIVE", "EVENTS", "URL");
	json_array_foreach(list, i, h) {
		printf("%-16s %-6s ", ctl_str(h, "id"),
		    json_is_true(json_object_get(h, "active")) ? "yes" : "no");
		json_array_foreach(json_object_get(h, "events"), j, e)
			printf("%s%s", j ? "," : "", json_string_value(e));
		printf("%*s%s\n", j < 2 ? 13 - (int)(j * 4) : 1, " ",
		    ctl_str(h, "url"));
	}
}

int
ctl_webhook(const struct ctl *ctl, int argc, char **argv)
{
	char ns[LIM_NS + 1], repo[LIM_NAME + 1];
	const char *cmd = argc > 1 ? argv[1] : "";
	int write = strcmp(cmd, "add") == 0 || strcmp(cmd, "rm") == 0 ||
	    strcmp(cmd, "ping") == 0;
	const char *name;
	struct store *st;
	json_t *out = NULL;
	int rc = HOOK_OK;

	if (argc < 3 || (!write && strcmp(cmd, "list") != 0 &&
	    strcmp(cmd, "ping") != 0 && strcmp(cmd, "history") != 0))
		return ctl_usage();
	if (!name_repo_split(argv[2], ns, repo))
		return ctl_refuse("not NS/REPO: %s", argv[2]);
	name = argv[2];
	if (strcmp(cmd, "add") == 0 && argc >= 4)
		return hook_add_cmd(ctl, name, argc - 1, argv + 1);
	if (store_open(ctl->cfg->database, write ? STORE_WRITE : STORE_READ,
	    &st) == -1)
		return ctl_refuse("cannot open %s", ctl->cfg->database);
	if (strcmp(cmd, "list") == 0 && argc == 3)
		print_hooks(ctl, out = hook_list(st, name));
	else if (strcmp(cmd, "rm") == 0 && argc == 4)
		rc = result(hook_del(st, name, argv[3])) ? HOOK_ERROR : HOOK_OK;
	else if (strcmp(cmd, "history") == 0 && argc == 4) {
		if ((rc = hook_history(st, name, argv[3], &out)) == HOOK_OK)
			ctl_print_json(out);
		rc = result(rc) ? HOOK_ERROR : HOOK_OK;
	} else if (strcmp(cmd, "ping") == 0 && argc == 4)
		rc = result(hook_ping(ctl->cfg, st, ns, repo, argv[3], NULL)) ?
		    HOOK_ERROR : HOOK_OK;
	else
		rc = -2;
	if (store_close(st) == -1 && rc == HOOK_OK)
		rc = result(HOOK_ERROR) ? HOOK_ERROR : HOOK_OK;
	json_decref(out);
	return rc == -2 ? ctl_usage() : rc == HOOK_OK ? CTL_OK : CTL_REFUSED;
}

static int
spool_list(const struct ctl *ctl, int failed)
{
	static const char *const live[] = { "new", "active", "deferred" };
	const char *const *states = failed ? (const char *const[]){ "failed" } :
	    live;
	size_t ns = failed ? 1 : 3, s, i;
	json_t *all = json_array(), *names, *n, *d;
	char when[32];

	for (s = 0; s < ns; s++) {
		names = spool_names(ctl->cfg->spool, states[s]);
		json_array_foreach(names, i, n) {
			d = spool_read(ctl->cfg->spool, states[s],
			    json_string_value(n));
			if (d == NULL)
				continue;
			json_object_set_new(d, "state", json_string(states[s]));
			json_array_append_new(all, d);
		}
		json_decref(names);
	}
	if (ctl->json)
		ctl_print_json(all);
	else {
		printf("%-36s %-8s %-3s %-19s %-8s %s\n", "ID", "STATE", "TRY",
		    "NEXT ATTEMPT", "EVENT", "URL");
		json_array_foreach(all, i, d)
			printf("%-36s %-8s %-3d %-19s %-8s %s\n",
			    ctl_str(d, "id"), ctl_str(d, "state"),
			    (int)json_integer_value(json_object_get(d,
			    "attempts")), ctl_time(json_object_get(d,
			    "next_attempt"), when, sizeof(when)),
			    ctl_str(d, "event"), ctl_str(d, "url"));
	}
	json_decref(all);
	return CTL_OK;
}

/* Claim id out of its state; back to new/ fresh (retry) or gone (drop). */
static int
spool_act(const struct ctl *ctl, const char *id, int retry)
{
	const char *state = spool_find(ctl->cfg->spool, id);
	char name[SPOOL_NAME];
	json_t *d;
	int rc;

	if (state == NULL || strcmp(state, "active") == 0)
		return ctl_refuse("no waiting delivery %s", id);
	snprintf(name, sizeof(name), "%s.json", id);
	if (spool_claim(ctl->cfg->spool, state, name) != 0)
		return ctl_refuse("%s was taken meanwhile", id);
	if (!retry)
		return spool_done(ctl->cfg->spool, name) ? CTL_REFUSED : CTL_OK;
	if ((d = spool_read(ctl->cfg->spool, "active", name)) == NULL)
		return ctl_refuse("cannot read %s", id);
	json_object_set_new(d, "attempts", json_integer(0));
	json_object_set_new(d, "next_attempt", json_integer(time(NULL)));
	rc = spool_move(ctl->cfg->spool, name, "new", d);
	json_decref(d);
	return rc ? ctl_refuse("cannot requeue %s", id) : CTL_OK;
}

static int
spool_retry_failed(const struct ctl *ctl)
{
	json_t *names = spool_names(ctl->cfg->spool, "failed"), *n;
	char id[SPOOL_NAME];
	size_t i;
	int rc = CTL_OK;

	json_array_foreach(names, i, n) {
		snprintf(id, sizeof(id), "%.*s", (int)json_string_length(n) - 5,
		    json_string_value(n));
		if (spool_act(ctl, id, 1) != CTL_OK)
			rc = CTL_REFUSED;
	}
	printf("%zu requeued\n", json_array_size(names));
	json_decref(names);
	return rc;
}

int
ctl_spool(const struct ctl *ctl, int argc, char **argv)
{
	const char *cmd = argc > 1 ? argv[1] : "";
	const char *state;
	char name[SPOOL_NAME];
	json_t *d;

	if (strcmp(cmd, "list") == 0 && (argc == 2 || (argc == 3 &&
	    strcmp(argv[2], "--failed") == 0)))
		return spool_list(ctl, argc == 3);
	if (argc != 3)
		return ctl_usage();
	if (strcmp(cmd, "retry") == 0)
		return strcmp(argv[2], "--failed") == 0 ?
		    spool_retry_failed(ctl) : spool_act(ctl, argv[2], 1);
	if (strcmp(cmd, "drop") == 0)
		return spool_act(ctl, argv[2], 0);
	if (strcmp(cmd, "show") != 0)
		return ctl_usage();
	if ((state = spool_find(ctl->cfg->spool, argv[2])) == NULL)
		return ctl_refuse("no delivery %s", argv[2]);
	snprintf(name, sizeof(name), "%s.json", argv[2]);
	if ((d = spool_read(ctl->cfg->spool, state, name)) == NULL)
		return ctl_refuse("cannot read %s", argv[2]);
	json_object_set_new(d, "state", json_string(state));
	ctl_print_json(d);
	json_decref(d);
	return CTL_OK;
}
