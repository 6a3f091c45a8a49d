/*
 * ctl_repo: dindexctl repo list|show|rm. rm is admin_repo_remove in one
 * transaction, the same as the v1 DELETE; it also clears leftovers when
 * "repo:" itself is gone.
 */
#include <stdio.h>
#include <string.h>

#include "admin.h"
#include "ctl.h"
#include "lim.h"
#include "names.h"
#include "repo.h"
#include "store.h"

static int
name_ok(const char *name)
{
	char ns[LIM_NS + 1], repo[LIM_NAME + 1];

	return name_repo_split(name, ns, repo);
}

static int
repo_list(const struct ctl *ctl)
{
	json_t *all, *keys = NULL, *k, *r;
	char when[32];
	size_t i;

	if (admin_collect(ctl->cfg, "repo:", &all) != RES_OK ||
	    (keys = admin_keys(all)) == NULL) {
		json_decref(all);
		return ctl_refuse("cannot read %s", ctl->cfg->database);
	}
	if (ctl->json)
		ctl_print_json(all);
	else
		printf("%-40s %-9s %6s %5s  %s\n", "NAME", "STATE", "IMAGES",
		    "TAGS", "UPDATED");
	json_array_foreach(keys, i, k) {
		r = json_object_get(all, json_string_value(k));
		if (!ctl->json)
			printf("%-40s %-9s %6zu %5zu  %s\n",
			    json_string_value(k), ctl_str(r, "state"),
			    json_array_size(json_object_get(r, "images")),
			    json_object_size(json_object_get(r, "tags")),
			    ctl_time(json_object_get(r, "updated"), when,
			    sizeof(when)));
	}
	json_decref(keys);
	json_decref(all);
	return CTL_OK;
}

static int
repo_show(const struct ctl *ctl, const char *name)
{
	struct store *st;
	json_t *r = NULL;
	char key[LIM_KEY], created[32], updated[32];
	int rc;

	if (!name_ok(name))
		return ctl_refuse("%s: invalid repository name", name);
	repo_key(name, key);
	if (store_open(ctl->cfg->database, STORE_READ, &st) == -1)
		return ctl_refuse("cannot read %s", ctl->cfg->database);
	rc = store_get(st, key, &r);
	store_close(st);
	if (rc != 0)
		return ctl_refuse("%s: %s", name, rc == 1 ?
		    "no such repository" : "the record does not parse");
	if (ctl->json)
		ctl_print_json(r);
	else {
		printf("name:     %s\nstate:    %s\npusher:   %s\n"
		    "created:  %s\nupdated:  %s\nimages:   %zu\n\n", name,
		    ctl_str(r, "state"), ctl_str(r, "pusher"),
		    ctl_time(json_object_get(r, "created"), created,
		    sizeof(created)),
		    ctl_time(json_object_get(r, "updated"), updated,
		    sizeof(updated)),
		    json_array_size(json_object_get(r, "images")));
		ctl_print_map(json_object_get(r, "tags"), "TAG", "IMAGE");
	}
	json_decref(r);
	return CTL_OK;
}

static int
repo_rm(const struct ctl *ctl, const char *name)
{
	struct store *st;
	int total;

	if (!name_ok(name))
		return ctl_refuse("%s: invalid repository name", name);
	if (store_open(ctl->cfg->database, STORE_WRITE, &st) == -1)
		return ctl_refuse("cannot open %s", ctl->cfg->database);
	total = admin_repo_remove(st, name);
	if (store_close(st) == -1 || total == -1)
		return ctl_refuse("%s: not removed: database error", name);
	if (total == 0)
		return ctl_refuse("%s: no such repository", name);
	if (ctl->json)
		printf("{\"removed\": %d}\n", total);
	return CTL_OK;
}

int
ctl_repo(const struct ctl *ctl, int argc, char **argv)
{
	if (argc == 2 && strcmp(argv[1], "list") == 0)
		return repo_list(ctl);
	if (argc == 3 && strcmp(argv[1], "show") == 0)
		return repo_show(ctl, argv[2]);
	if (argc == 3 && strcmp(argv[1], "rm") == 0)
		return repo_rm(ctl, argv[2]);
	return ctl_usage();
}
