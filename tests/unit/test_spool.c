/*
 * test_spool: the state table in a scratch directory: put lands in new/,
 * a claim moves it to active/ once (a second claim loses), a move and
 * done end it, reclaim gives a stale claim back, find says where it is.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "spool.h"
#include "t.h"

static size_t
count(const char *root, const char *state)
{
	json_t *names = spool_names(root, state);
	size_t n = json_array_size(names);

	json_decref(names);
	return n;
}

int
main(void)
{
	char root[] = "/tmp/test_spool.XXXXXX", name[SPOOL_NAME], cmd[64];
	json_t *d = json_pack("{s:s, s:i}", "url", "http://x/", "attempts", 0);
	json_t *back;
	const char *id;

	T(mkdtemp(root) != NULL && spool_init(root) == 0);
	T(spool_put(root, d) == 0 && (id = json_string_value(json_object_get(d,
	    "id"))) != NULL);
	T(count(root, "new") == 1 && strcmp(spool_find(root, id), "new") == 0);
	snprintf(name, sizeof(name), "%s.json", id);
	T(spool_claim(root, "new", name) == 0);
	T(spool_claim(root, "new", name) == 1);	/* someone else was first */
	T(strcmp(spool_find(root, id), "active") == 0);
	T(spool_move(root, name, "deferred", d) == 0);
	T(count(root, "active") == 0 && count(root, "deferred") == 1);
	back = spool_read(root, "deferred", name);
	T(back != NULL && strcmp(json_string_value(json_object_get(back,
	    "url")), "http://x/") == 0);
	json_decref(back);
	/* a claim left by a killed deliverer goes back to new/ */
	T(spool_claim(root, "deferred", name) == 0);
	T(spool_reclaim(root, -1) >= 0 && count(root, "new") == 1 &&
	    count(root, "active") == 0);
	T(spool_claim(root, "new", name) == 0 && spool_done(root, name) == 0);
	T(spool_find(root, id) == NULL && count(root, "new") == 0);
	json_decref(d);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", root);
	T(system(cmd) == 0);
	return t_done();
}
