/*
 * spool: the webhook queue on disk, one JSON file per delivery, moved
 * between state directories by rename:
 *
 *   tmp/       being written; renamed into a state, or unlinked
 *   new/       queued (dindex, dindexctl retry); claimed into active/
 *   active/    claimed by a deliverer; unlinked when delivered, rewritten
 *              into deferred/ or failed/, or back to new/ when stale
 *   deferred/  waiting for a retry; claimed into active/ when due
 *   failed/    attempts used up; dindexctl spool retry (new/) or drop
 *
 * Every write is tmp file, fsync, close checked, rename, directory fsync:
 * a state holds only whole files, and a delivery is always in one, at
 * worst two (at-least-once; receivers drop repeats by id). Names are
 * "<time>.<pid>.<hex>.json", the id and ".json". Retries wait in
 * deferred/, so a path unit watching new/ does not fire again and again.
 */
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bytes.h"
#include "log.h"
#include "spool.h"

/* the bytes of spool names: anything else is not ours, and never logged */
#define SAFE	"0123456789abcdefghijklmnopqrstuvwxyz" \
		"ABCDEFGHIJKLMNOPQRSTUVWXYZ._-"

const char *const spool_states[SPOOL_STATES] = { "new", "active",
    "deferred", "failed" };

int
spool_init(const char *root)
{
	static const char *const dirs[] = { "", "/tmp", "/new", "/active",
	    "/deferred", "/failed" };
	char path[LIM_PATH];
	size_t i;

	for (i = 0; i < LEN(dirs); i++) {
		snprintf(path, sizeof(path), "%s%s", root, dirs[i]);
		if (mkdir(path, 0700) == -1 && errno != EEXIST) {
			log_msg(LOG_ERR, "mkdir %s: %s", path, strerror(errno));
			return -1;
		}
	}
	return 0;
}

static int
sync_dir(const char *root, const char *state)
{
	char path[LIM_PATH];
	int fd, rc;

	snprintf(path, sizeof(path), "%s/%s", root, state);
	if ((fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1) {
		log_msg(LOG_ERR, "open %s: %s", path, strerror(errno));
		return -1;
	}
	if ((rc = fsync(fd)) == -1)
		log_msg(LOG_ERR, "fsync %s: %s", path, strerror(errno));
	close(fd);
	return rc;
}

/* d as state/<name>, written through a temp file of this writer's own. */
static int
write_file(const char *root, const char *name, const char *state,
    const json_t *d)
{
	char tmp[LIM_PATH], to[LIM_PATH], rnd[17], *s;
	size_t len, off = 0;
	ssize_t n;
	int fd, rc = -1;

	if (bytes_random_hex(rnd, 8) == -1 || (s = json_dumps(d,
	    JSON_INDENT(1) | JSON_SORT_KEYS)) == NULL)
		return -1;
	snprintf(tmp, sizeof(tmp), "%s/tmp/%.*s.%ld.%s.json", root,
	    (int)strlen(name) - 5, name, (long)getpid(), rnd);
	snprintf(to, sizeof(to), "%s/%s/%s", root, state, name);
	len = strlen(s);
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC,
	    0600)) == -1) {
		log_msg(LOG_ERR, "open %s: %s", tmp, strerror(errno));
		goto out;
	}
	while (off < len && (n = write(fd, s + off, len - off)) > 0)
		off += (size_t)n;
	if (off == len && write(fd, "\n", 1) == 1 && fsync(fd) == 0)
		rc = 0;
	if (close(fd) == -1 || rc == -1) {
		log_msg(LOG_ERR, "write %s: %s", tmp, strerror(errno));
		rc = -1;
	} else if ((rc = rename(tmp, to)) == -1)
		log_msg(LOG_ERR, "rename %s: %s", to, strerror(errno));
	if (rc == -1)
		unlink(tmp);
	else
		rc = sync_dir(root, state);
out:
	free(s);
	return rc;
}

int
spool_put(const char *root, json_t *d)
{
	char name[SPOOL_NAME], rnd[17];

	if (bytes_random_hex(rnd, 8) == -1)
		return -1;
	snprintf(name, sizeof(name), "%lld.%ld.%s.json", (long long)time(NULL),
	    (long)getpid(), rnd);
	if (json_object_set_new(d, "id", json_stringn(name,
	    strlen(name) - 5)) == -1)
		return -1;
	return write_file(root, name, "new", d);
}

int
spool_move(const char *root, const char *name, const char *state,
    const json_t *d)
{
	return write_file(root, name, state, d) == -1 ? -1 :
	    spool_done(root, name);
}

/* from/<name> -> to/<name>, touched: a claim's time is its mtime, which
 * spool_reclaim judges. 0 moved, 1 it was gone, -1 error. */
static int
move(const char *root, const char *from, const char *to, const char *name)
{
	char a[LIM_PATH], b[LIM_PATH];

	snprintf(a, sizeof(a), "%s/%s/%s", root, from, name);
	snprintf(b, sizeof(b), "%s/%s/%s", root, to, name);
	if (rename(a, b) == 0) {
		/* an old mtime would let the claim be reclaimed at once */
		if (utimensat(AT_FDCWD, b, NULL, 0) == -1)
			log_msg(LOG_ERR, "touch %s: %s", b, strerror(errno));
		return sync_dir(root, to) == 0 && sync_dir(root, from) == 0 ?
		    0 : -1;
	}
	if (errno == ENOENT)
		return 1;
	log_msg(LOG_ERR, "rename %s: %s", a, strerror(errno));
	return -1;
}

int
spool_claim(const char *root, const char *state, const char *name)
{
	return move(root, state, "active", name);
}

static int
remove_file(const char *path)
{
	if (unlink(path) == -1 && errno != ENOENT) {
		log_msg(LOG_ERR, "unlink %s: %s", path, strerror(errno));
		return -1;
	}
	return 0;
}

int
spool_done(const char *root, const char *name)
{
	char path[LIM_PATH];

	snprintf(path, sizeof(path), "%s/active/%s", root, name);
	if (remove_file(path) == -1)
		return -1;
	return sync_dir(root, "active");
}

static int
ours(const struct dirent *de)
{
	size_t len = strlen(de->d_name);

	return len > 5 && len < SPOOL_NAME && de->d_name[0] != '.' &&
	    strspn(de->d_name, SAFE) == len &&
	    strcmp(de->d_name + len - 5, ".json") == 0;
}

json_t *
spool_names(const char *root, const char *state)
{
	char path[LIM_PATH];
	struct dirent **de;
	json_t *out = json_array();
	int i, n;

	snprintf(path, sizeof(path), "%s/%s", root, state);
	/* sorted by name (the C locale's order): names start with the time */
	if ((n = scandir(path, &de, ours, alphasort)) == -1) {
		log_msg(LOG_ERR, "scandir %s: %s", path, strerror(errno));
		json_decref(out);
		return NULL;
	}
	for (i = 0; i < n; i++) {
		json_array_append_new(out, json_string(de[i]->d_name));
		free(de[i]);
	}
	free(de);
	return out;
}

json_t *
spool_read(const char *root, const char *state, const char *name)
{
	char path[LIM_PATH], head[LIM_SPOOL_HEAD], raw[4 * LIM_SPOOL_HEAD + 1];
	char why[256], msg[4 * sizeof(why)];
	json_error_t err;
	json_t *d;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "%s/%s/%s", root, state, name);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1) {
		if (errno != ENOENT)	/* else claimed or delivered meanwhile */
			log_msg(LOG_ERR, "%s: %s", path, strerror(errno));
		return NULL;
	}
	if ((d = json_loadfd(fd, JSON_REJECT_DUPLICATES, &err)) != NULL &&
	    !json_is_object(d)) {
		json_decref(d);
		d = NULL;
		snprintf(err.text, sizeof(err.text), "not a JSON object");
	}
	/* Unparsable: a record in its place, so it can be shown, parked in
	 * failed/ and dropped like any delivery. */
	if (d == NULL && (n = pread(fd, head, sizeof(head), 0)) >= 0) {
		snprintf(why, sizeof(why), "unparsable spool file: %s",
		    err.text);
		log_sanitise(why, strlen(why), msg, sizeof(msg));
		log_sanitise(head, (size_t)n, raw, sizeof(raw));
		d = json_pack("{s:s%, s:s, s:s}", "id", name, strlen(name) - 5,
		    "last_error", msg, "raw", raw);
	}
	close(fd);
	return d;
}

const char *
spool_find(const char *root, const char *id)
{
	static const char *const where[] = { "new", "deferred", "failed",
	    "active" };
	char path[LIM_PATH];
	size_t i;

	if (strchr(id, '/') != NULL || strlen(id) + 6 > SPOOL_NAME)
		return NULL;
	for (i = 0; i < LEN(where); i++) {
		snprintf(path, sizeof(path), "%s/%s/%s.json", root, where[i], id);
		if (access(path, F_OK) == 0)
			return where[i];
	}
	return NULL;
}

int
spool_requeue(const char *root, const char *id, int retry)
{
	const char *state = spool_find(root, id);
	char name[SPOOL_NAME];
	json_t *d;
	int rc;

	if (state == NULL || strcmp(state, "active") == 0)
		return 1;
	snprintf(name, sizeof(name), "%s.json", id);
	if ((rc = spool_claim(root, state, name)) != 0)
		return rc;
	if (!retry)
		return spool_done(root, name);
	if ((d = spool_read(root, "active", name)) == NULL)
		return -1;
	json_object_set_new(d, "attempts", json_integer(0));
	json_object_set_new(d, "next_attempt", json_integer(time(NULL)));
	rc = spool_move(root, name, "new", d);
	json_decref(d);
	return rc;
}

/* A stale claim back to new/, a stale temp file (a killed writer's) gone. */
static int
take_back(const char *root, const char *state, const char *name,
    const char *path)
{
	if (strcmp(state, "tmp") != 0) {
		log_msg(LOG_WARNING, "taking back stale claim %s", name);
		return move(root, "active", "new", name) == -1 ? -1 : 0;
	}
	log_msg(LOG_WARNING, "removing stale %s", path);
	return remove_file(path);
}

int
spool_reclaim(const char *root, long secs)
{
	static const char *const dirs[] = { "active", "tmp" };
	const long age[] = { secs, LIM_TMP_STALE };
	char path[LIM_PATH];
	struct stat sb;
	json_t *names, *n;
	size_t s, i;
	int rc = 0;

	for (s = 0; s < LEN(dirs); s++) {
		if ((names = spool_names(root, dirs[s])) == NULL)
			rc = -1;
		json_array_foreach(names, i, n) {
			snprintf(path, sizeof(path), "%s/%s/%s", root, dirs[s],
			    json_string_value(n));
			if (stat(path, &sb) == 0 && sb.st_mtime + age[s] <
			    time(NULL) && take_back(root, dirs[s],
			    json_string_value(n), path) == -1)
				rc = -1;
		}
		json_decref(names);
	}
	return rc;
}

json_t *
spool_counts(const char *root)
{
	json_t *s = json_object(), *names;
	long oldest = 0, t;
	size_t i;

	for (i = 0; i < SPOOL_STATES; i++) {
		names = spool_names(root, spool_states[i]);
		json_object_set_new(s, spool_states[i], names == NULL ?
		    json_null() : json_integer((json_int_t)
		    json_array_size(names)));
		/* names start with the time queued, oldest first */
		t = strtol(json_string_value(json_array_get(names, 0)) ?
		    json_string_value(json_array_get(names, 0)) : "0", NULL, 10);
		if ((i == 0 || i == 2) && t > 0 && (oldest == 0 || t < oldest))
			oldest = t;
		json_decref(names);
	}
	json_object_set_new(s, "oldest_waiting_seconds",
	    json_integer(oldest ? (json_int_t)(time(NULL) - oldest) : 0));
	return s;
}
