/*
 * test_store: records, prefixes, locking between processes, recovery after
 * a writer that died mid-transaction, and refusals.
 */
#include <sys/wait.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <gdbm.h>

#include "lim.h"
#include "store.h"
#include "t.h"

static char db[256], lockpath[300];

static int
count(const char *key, json_t *val, void *arg)
{
	(void)key;
	(void)val;
	(*(int *)arg)++;
	return 0;
}

/* store_put borrows the value; release it after */
static int
put(struct store *st, const char *key, json_t *v)
{
	int rc = store_put(st, key, v);

	json_decref(v);
	return rc;
}

/* A small valid record (a webhook history) holding x. */
static json_t *
rec(int x)
{
	return json_pack("[{s:i, s:i, s:i}]", "time", x, "status", 200, "x",
	    x);
}

static int
x_of(const json_t *v)
{
	return (int)json_integer_value(json_object_get(json_array_get(v, 0),
	    "x"));
}

static void
test_records(void)
{
	struct store *st;
	json_t *v = NULL;
	int n = 0;

	T(store_open(db, STORE_CREATE, &st) == 0);
	T(put(st, "hist:a", rec(1)) == 0);
	T(put(st, "hist:b", rec(2)) == 0);
	T(put(st, "hist:z/b", rec(3)) == 0);
	/* every write passes the record validators */
	T(put(st, "user:a", json_pack("{s:i}", "x", 1)) == -1);
	T(put(st, "widget:a", rec(1)) == -1);
	T(store_close(st) == 0);
	T(store_open(db, STORE_READ, &st) == 0);
	T(store_get(st, "hist:b", &v) == 0 && x_of(v) == 2);
	json_decref(v);
	T(store_get(st, "hist:zz", &v) == 1 && v == NULL);
	T(put(st, "hist:c", rec(4)) == -1);	/* read-only */
	T(store_each(st, "hist:", count, &n) == 0 && n == 3);
	T(store_close(st) == 0);
	T(store_open(db, STORE_WRITE, &st) == 0);
	T(store_del(st, "hist:a") == 0 && store_del(st, "hist:a") == 1);
	T(store_close(st) == 0);
	/* one record in a transaction of its own */
	T(store_fetch(db, "hist:z/b", &v) == 0 && x_of(v) == 3);
	json_decref(v);
	T(store_fetch(db, "hist:a", &v) == 1 && v == NULL);
}

static int
odd(const char *key, json_t *val, void *arg)
{
	(void)key;
	(void)arg;
	return x_of(val) % 2;
}

/* The key schema in one place, and collect-then-delete. */
static void
test_keys(void)
{
	struct store *st;
	char key[LIM_KEY], big[LIM_KEY];
	const char *name;

	T(store_key(key, STORE_HIST, "a/b/c") == 0 &&
	    strcmp(key, "hist:a/b/c") == 0);
	T(store_key(key, STORE_REFRESH, "") == 0 &&
	    strcmp(key, "refresh:") == 0);
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	T(store_key(key, STORE_USER, big) == -1);
	T(store_kind("search:7", &name) == STORE_SEARCH &&
	    strcmp(name, "7") == 0);
	T(store_kind("repo:a/b", NULL) == STORE_REPO);
	T(store_kind("widget:a", &name) == -1);
	T(store_open(db, STORE_WRITE, &st) == 0);
	T(put(st, "hist:p/1", rec(1)) == 0 && put(st, "hist:p/2", rec(2)) ==
	    0 && put(st, "hist:p/3", rec(3)) == 0);
	T(store_purge(st, "hist:p/", odd, NULL) == 2);
	T(store_has(st, "hist:p/2") == 1 && store_has(st, "hist:p/1") == 0);
	T(store_purge(st, "hist:p/", NULL, NULL) == 1);
	T(store_has(st, "hist:p/") == 0);
	T(store_close(st) == 0);
}

static void
test_missing(void)
{
	struct store *st;
	json_t *v = json_true();
	char path[300];

	snprintf(path, sizeof(path), "%s.missing", db);
	T(store_open(path, STORE_READ, &st) == -1);
	T(store_open(path, STORE_WRITE, &st) == -1);
	T(store_fetch(path, "user:a", &v) == -1 && v == NULL);
	T(access(path, F_OK) == -1);
}

static void
test_bad_json(void)
{
	GDBM_FILE g;
	datum k = { "user:bad", 8 }, v = { "{nope", 5 };
	struct store *st;
	json_t *j;

	g = gdbm_open(db, 0, GDBM_WRITER | GDBM_NOLOCK, 0600, NULL);
	T(g != NULL && gdbm_store(g, k, v, GDBM_REPLACE) == 0);
	gdbm_close(g);
	T(store_open(db, STORE_READ, &st) == 0);
	T(store_get(st, "user:bad", &j) == -1);
	store_close(st);
}

/* A second writer waits for the first; one held too long makes it fail. */
static void
test_lock(int hold)
{
	struct store *st;
	pid_t pid;
	int status, rc;

	pid = fork();
	if (pid == 0) {
		if (store_open(db, STORE_WRITE, &st) == -1)
			_exit(1);
		sleep(hold);
		_exit(store_close(st) == 0 ? 0 : 1);
	}
	usleep(200000);
	rc = store_open(db, STORE_WRITE, &st);
	if (rc == 0)
		store_close(st);
	waitpid(pid, &status, 0);
	T(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	T(hold < 5 ? rc == 0 : rc == -1);
}

/* A lock file removed while a writer holds the lock: the next writer
 * still waits for it (one data lock, on the directory). */
static void
test_lock_removed(void)
{
	struct store *st;
	struct timespec t0, t1;
	pid_t pid;
	int status;

	pid = fork();
	if (pid == 0) {
		if (store_open(db, STORE_WRITE, &st) == -1)
			_exit(1);
		usleep(800000);
		_exit(store_close(st) == 0 ? 0 : 1);
	}
	usleep(200000);
	T(unlink(lockpath) == 0);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	T(store_open(db, STORE_WRITE, &st) == 0);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	T(waitpid(pid, &status, 0) == pid && WIFEXITED(status) &&
	    WEXITSTATUS(status) == 0);
	T((t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) /
	    1000000 >= 400);
	T(store_close(st) == 0);
	T(access(lockpath, F_OK) == 0);
}

static void
test_recovery(void)
{
	struct store *st;
	json_t *v = NULL;
	char one = 1, mark = 0;
	int fd;

	/* a writer that died leaves the mark set */
	fd = open(lockpath, O_RDWR);
	T(fd != -1 && pwrite(fd, &one, 1, 0) == 1);
	T(store_open(db, STORE_READ, &st) == 0);
	T(store_get(st, "hist:z/b", &v) == 0);
	json_decref(v);
	store_close(st);
	T(pread(fd, &mark, 1, 0) == 1 && mark == 'c');
	close(fd);
	/* a removed lock file: made again, and not trusted to be clean */
	T(unlink(lockpath) == 0);
	T(store_fetch(db, "hist:z/b", &v) == 0);
	json_decref(v);
	fd = open(lockpath, O_RDONLY);
	T(fd != -1 && pread(fd, &mark, 1, 0) == 1 && mark == 'c');
	close(fd);
}

static int
names(const char *name, void *arg)
{
	return json_object_set_new(arg, name, json_true());
}

/* What store_search reports: the names as a set, then each checked. */
static size_t
searched(const char *want)
{
	static json_t *seen;
	char *s;
	size_t n;

	json_decref(seen);
	seen = json_object();
	T(store_search(db, names, seen) == 0);
	s = json_dumps(seen, JSON_COMPACT | JSON_SORT_KEYS);
	n = json_object_size(seen);
	if (want != NULL && strcmp(s, want) != 0)
		fprintf(stderr, "searched %s, want %s\n", s, want);
	T(want == NULL || strcmp(s, want) == 0);
	free(s);
	return n;
}

/* A small valid repository record in state s. */
static json_t *
repo_rec(const char *s)
{
	return json_pack("{s:[], s:s}", "images", "state", s);
}

static void
test_index(void)
{
	datum k = { "search:5", 8 }, v = { "{\"ghost/x\":true}", 16 };
	GDBM_FILE g;
	struct store *st;
	char key[32];
	int i, n = 0, rc;

	T(store_open(db, STORE_WRITE, &st) == 0);
	T(put(st, "repo:xx/p", repo_rec("pushing")) == 0);
	T(put(st, "repo:xx/c", repo_rec("complete")) == 0);
	T(put(st, "repo:yy/c", repo_rec("complete")) == 0);
	T(put(st, "search:0", json_object()) == -1);	/* store's own */
	T(store_close(st) == 0);
	searched("{\"xx/c\":true,\"yy/c\":true}");
	T(store_open(db, STORE_WRITE, &st) == 0);
	T(put(st, "repo:xx/p", repo_rec("complete")) == 0);
	T(put(st, "repo:xx/c", repo_rec("deleted")) == 0);
	T(store_del(st, "repo:yy/c") == 0);
	T(store_each(st, "", count, &n) == 0 && n == 4);   /* no search: */
	T(store_close(st) == 0);
	searched("{\"xx/p\":true}");
	/* more repositories than fit one lock hold; recovery rebuilds */
	T(store_open(db, STORE_WRITE, &st) == 0);
	for (i = 0, rc = 0; i < 2000; i++) {
		snprintf(key, sizeof(key), "repo:mm/r%04d", i);
		rc |= put(st, key, repo_rec("complete"));
	}
	T(rc == 0 && store_close(st) == 0);
	T(searched(NULL) == 2001);
	/* recovery rebuilds the index from the repository records */
	g = gdbm_open(db, 0, GDBM_WRITER | GDBM_NOLOCK, 0600, NULL);
	T(g != NULL && gdbm_store(g, k, v, GDBM_REPLACE) == 0);
	gdbm_close(g);
	T(unlink(lockpath) == 0);
	T(searched(NULL) == 2001);
	T(store_open(db, STORE_WRITE, &st) == 0);
	for (i = 0, rc = 0; i < 2000; i++) {
		snprintf(key, sizeof(key), "repo:mm/r%04d", i);
		rc |= store_del(st, key);
	}
	T(rc == 0 && store_close(st) == 0);
	searched("{\"xx/p\":true}");
}

int
main(void)
{
	char dir[] = "/tmp/test_store.XXXXXX";

	if (mkdtemp(dir) == NULL)
		return 1;
	snprintf(db, sizeof(db), "%s/index.db", dir);
	snprintf(lockpath, sizeof(lockpath), "%s.lock", db);
	test_records();
	test_keys();
	test_missing();
	test_lock(1);
	test_lock(6);
	test_lock_removed();
	test_recovery();
	test_index();
	test_bad_json();
	return t_done();
}
