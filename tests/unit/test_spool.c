/*
 * test_spool: the state table in a scratch directory: put lands in new/,
 * a claim moves it to active/ once (a second claim loses), a move ends a
 * claim in deferred/, failed/ or new/, done ends it, reclaim gives a stale
 * claim back and removes a stale temp file, find says where it is, names
 * are sorted and only ours, an unparsable file reads as a record.
 */
#include <sys/stat.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "spool.h"
#include "t.h"

static const struct timespec old[2] = { { 0, 0 }, { 0, 0 } };

static size_t
count(const char *root, const char *state)
{
	json_t *names = spool_names(root, state);
	size_t n = json_array_size(names);

	json_decref(names);
	return n;
}

static int
is(const char *s, const char *want)
{
	return s != NULL && strcmp(s, want) == 0;
}

static void
touch(const char *root, const char *state, const char *name,
    const char *text, int aged)
{
	char path[LIM_PATH];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s/%s", root, state, name);
	T((f = fopen(path, "w")) != NULL && fputs(text, f) >= 0 &&
	    fclose(f) == 0);
	if (aged)
		T(utimensat(AT_FDCWD, path, old, 0) == 0);
}

/* new -> active -> deferred -> active -> failed -> active -> new ->
 * active -> gone, and the claims that lose on the way. */
static void
test_states(const char *root)
{
	static const char *const ends[] = { "deferred", "failed", "new" };
	json_t *d = json_pack("{s:s, s:i}", "url", "http://x/", "attempts", 0);
	char name[SPOOL_NAME];
	const char *id, *from = "new";
	json_t *back;
	size_t i;

	T(spool_put(root, d) == 0 && (id = json_string_value(json_object_get(d,
	    "id"))) != NULL);
	T(count(root, "new") == 1 && is(spool_find(root, id), "new"));
	T(count(root, "tmp") == 0);
	snprintf(name, sizeof(name), "%s.json", id);
	for (i = 0; i < 3; i++) {
		T(spool_claim(root, from, name) == 0);
		T(spool_claim(root, from, name) == 1);	/* someone was first */
		T(is(spool_find(root, id), "active"));
		json_object_set_new(d, "attempts", json_integer((json_int_t)i));
		T(spool_move(root, name, ends[i], d) == 0);
		T(count(root, "active") == 0 && count(root, ends[i]) == 1);
		T(is(spool_find(root, id), ends[i]));
		back = spool_read(root, ends[i], name);
		T(back != NULL && json_equal(back, d));
		json_decref(back);
		from = ends[i];
	}
	T(count(root, "tmp") == 0);
	T(spool_claim(root, "new", name) == 0 && spool_done(root, name) == 0);
	T(spool_find(root, id) == NULL && count(root, "new") == 0);
	T(spool_claim(root, "new", name) == 1);
	T(spool_read(root, "new", name) == NULL);
	T(spool_find(root, "../x") == NULL);
	json_decref(d);
}

static void
test_reclaim(const char *root)
{
	json_t *d = json_object(), *names;
	char name[SPOOL_NAME];

	T(spool_put(root, d) == 0);
	snprintf(name, sizeof(name), "%s.json", json_string_value(
	    json_object_get(d, "id")));
	/* a fresh claim stays; a stale one (mtime) goes back to new/ */
	T(spool_claim(root, "new", name) == 0);
	T(spool_reclaim(root, 600) == 0 && count(root, "active") == 1);
	T(spool_reclaim(root, -1) == 0 && count(root, "new") == 1 &&
	    count(root, "active") == 0);
	/* a killed writer's temp file goes once older than LIM_TMP_STALE */
	touch(root, "tmp", "1.2.fresh.json", "{", 0);
	touch(root, "tmp", "1.2.stale.json", "{", 1);
	T(spool_reclaim(root, 600) == 0);
	names = spool_names(root, "tmp");
	T(json_array_size(names) == 1 && is(json_string_value(
	    json_array_get(names, 0)), "1.2.fresh.json"));
	json_decref(names);
	T(spool_claim(root, "new", name) == 0 && spool_done(root, name) == 0);
	json_decref(d);
}

static void
test_names(const char *root)
{
	json_t *names, *d;

	touch(root, "failed", "20.1.b.json", "{}", 0);
	touch(root, "failed", "10.1.a.json", "{}", 0);
	touch(root, "failed", "30.1.c.json", "[1]", 0);
	touch(root, "failed", "40.1.d.json", "{\"id\": \x01", 0);
	touch(root, "failed", ".hidden.json", "{}", 0);
	touch(root, "failed", "note.txt", "{}", 0);
	touch(root, "failed", "x y.json", "{}", 0);
	names = spool_names(root, "failed");
	T(json_array_size(names) == 4 && is(json_string_value(json_array_get(
	    names, 0)), "10.1.a.json") && is(json_string_value(
	    json_array_get(names, 3)), "40.1.d.json"));
	json_decref(names);
	T(is(spool_find(root, "20.1.b"), "failed"));
	d = spool_read(root, "failed", "30.1.c.json");
	T(d != NULL && is(json_string_value(json_object_get(d, "id")),
	    "30.1.c") && strstr(json_string_value(json_object_get(d,
	    "last_error")), "not a JSON object") != NULL &&
	    is(json_string_value(json_object_get(d, "raw")), "[1]"));
	json_decref(d);
	d = spool_read(root, "failed", "40.1.d.json");
	T(d != NULL && strncmp(json_string_value(json_object_get(d,
	    "last_error")), "unparsable spool file: ", 23) == 0 &&
	    is(json_string_value(json_object_get(d, "raw")),
	    "{\\x22id\\x22: \\x01"));
	json_decref(d);
}

int
main(void)
{
	char root[] = "/tmp/test_spool.XXXXXX", cmd[64];
	static const char *const dirs[] = { "tmp", "new", "active",
	    "deferred", "failed" };
	struct stat sb;
	char path[LIM_PATH];
	size_t i;

	T(mkdtemp(root) != NULL && spool_init(root) == 0);
	T(spool_init(root) == 0);	/* again: what exists is kept */
	for (i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", root, dirs[i]);
		T(stat(path, &sb) == 0 && S_ISDIR(sb.st_mode) &&
		    (sb.st_mode & 0777) == 0700);
	}
	test_states(root);
	test_reclaim(root);
	test_names(root);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", root);
	T(system(cmd) == 0);
	return t_done();
}
