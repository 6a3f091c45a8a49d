/*
 * ctl_spool: dindexctl spool ... The commands work on the files through
 * the same claim-by-rename the deliverer uses, so they are safe while it
 * runs.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "ctl.h"
#include "spool.h"

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
