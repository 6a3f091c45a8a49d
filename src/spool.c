/*
 * spool: the webhook queue on disk, one JSON file per delivery, moved
 * between directories by rename (atomic within one file system):
 *
 *   state      written by                  left by
 *   tmp/       the writer, being written   rename into a state (the
 *                                          writer), or unlink on failure
 *   new/       dindex, dindexctl, and      rename into active/ (claim)
 *              retries from failed/
 *   active/    a deliverer that claimed    unlink (delivered), a new
 *              it                          version into deferred/ or
 *                                          failed/; stale claims of a
 *                                          killed deliverer back to new/
 *   deferred/  a deliverer, after a        rename into active/ when due
 *              failed attempt
 *   failed/    a deliverer, after the      dindexctl spool retry (to new/)
 *              last attempt                or drop
 *
 * Every write is tmp file -> fsync -> close checked -> rename -> fsync of
 * the directory, so a file in a state directory is always whole, and a
 * delivery is never in no directory: at worst in two (deliveries are
 * at-least-once; receivers drop repeats by the delivery id). Names are
 * "<unix-time>.<pid>.<random hex>.json"; the id is the name without
 * ".json". A temp file is "<id>.<pid>.<random hex>.json", unique to its
 * writer; one older than LIM_TMP_STALE was left by a killed writer and is
 * removed by spool_reclaim. A file that does not parse reads as a record
 * {id, last_error, raw} (see spool_read), which the deliverer parks in
 * failed/. Files waiting for a retry sit in deferred/, never in new/, so
 * a path unit watching new/ does not fire again and again.
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

#include "auth.h"
#include "log.h"
#include "spool.h"

/* the bytes of spool names: anything else is not ours, and never logged */
#define SAFE	"0123456789abcdefghijklmnopqrstuvwxyz" \
		"ABCDEFGHIJKLMNOPQRSTUVWXYZ._-"

static const char *const states[] = { "tmp", "new", "active", "deferred",
    "failed" };

static int
make_dir(const char *path)
{
	if (mkdir(path, 0700) == -1 && errno != EEXIST) {
		log_msg(LOG_ERR, "mkdir %s: %s", path, strerror(errno));
		return -1;
	}
	return 0;
}

int
spool_init(const char *root)
{
	char path[LIM_PATH];
	size_t i;

	if (make_dir(root) == -1)
		return -1;
	for (i = 0; i < LEN(states); i++) {
		snprintf(path, sizeof(path), "%s/%s", root, states[i]);
		if (make_dir(path) == -1)
			return -1;
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

/* A fresh tmp/ file with the JSON of d, fsynced and closed; its path in
 * tmp. The name is unique to this writer ("<id>.<pid>.<random>.json"), so
 * a file left by a killed writer never blocks the next one. */
static int
write_tmp(const char *root, const char *name, const json_t *d,
    char tmp[LIM_PATH])
{
	char *s, rnd[17];
	size_t len, off = 0;
	ssize_t n;
	int fd, rc = -1;

	if (bytes_random_hex(rnd, 8) == -1)
		return -1;
	snprintf(tmp, LIM_PATH, "%s/tmp/%.*s.%ld.%s.json", root,
	    (int)strlen(name) - 5, name, (long)getpid(), rnd);
	if ((s = json_dumps(d, JSON_INDENT(1) | JSON_SORT_KEYS)) == NULL)
		return -1;
	len = strlen(s);
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd == -1) {
		log_msg(LOG_ERR, "open %s: %s", tmp, strerror(errno));
		free(s);
		return -1;
	}
	while (off < len && (n = write(fd, s + off, len - off)) > 0)
		off += (size_t)n;
	if (off == len && write(fd, "\n", 1) == 1 && fsync(fd) == 0)
		rc = 0;
	if (close(fd) == -1)
		rc = -1;
	if (rc == -1) {
		log_msg(LOG_ERR, "write %s: %s", tmp, strerror(errno));
		unlink(tmp);
	}
	free(s);
	return rc;
}

/* tmp -> state/<name>, then the directory synced. */
static int
commit(const char *root, const char *tmp, const char *name,
    const char *state)
{
	char to[LIM_PATH];

	snprintf(to, sizeof(to), "%s/%s/%s", root, state, name);
	if (rename(tmp, to) == -1) {
		log_msg(LOG_ERR, "rename %s: %s", to, strerror(errno));
		unlink(tmp);
		return -1;
	}
	return sync_dir(root, state);
}

int
spool_put(const char *root, json_t *d)
{
	char name[SPOOL_NAME], rnd[17], tmp[LIM_PATH];

	if (bytes_random_hex(rnd, 8) == -1)
		return -1;
	snprintf(name, sizeof(name), "%lld.%ld.%s.json", (long long)time(NULL),
	    (long)getpid(), rnd);
	if (json_object_set_new(d, "id", json_stringn(name,
	    strlen(name) - 5)) == -1)
		return -1;
	if (write_tmp(root, name, d, tmp) == -1)
		return -1;
	return commit(root, tmp, name, "new");
}

int
spool_move(const char *root, const char *name, const char *state,
    const json_t *d)
{
	char tmp[LIM_PATH];

	if (write_tmp(root, name, d, tmp) == -1 ||
	    commit(root, tmp, name, state) == -1)
		return -1;
	return spool_done(root, name);
}

static int
move(const char *root, const char *from, const char *to, const char *name)
{
	char a[LIM_PATH], b[LIM_PATH];

	snprintf(a, sizeof(a), "%s/%s/%s", root, from, name);
	snprintf(b, sizeof(b), "%s/%s/%s", root, to, name);
	if (rename(a, b) == 0)
		return sync_dir(root, to) == 0 && sync_dir(root, from) == 0 ?
		    0 : -1;
	if (errno == ENOENT)
		return 1;
	log_msg(LOG_ERR, "rename %s: %s", a, strerror(errno));
	return -1;
}

int
spool_claim(const char *root, const char *state, const char *name)
{
	char path[LIM_PATH];
	int rc;

	/* the claim's time is its mtime: spool_reclaim judges staleness */
	if ((rc = move(root, state, "active", name)) == 0) {
		snprintf(path, sizeof(path), "%s/active/%s", root, name);
		utimensat(AT_FDCWD, path, NULL, 0);
	}
	return rc;
}

int
spool_done(const char *root, const char *name)
{
	char path[LIM_PATH];

	snprintf(path, sizeof(path), "%s/active/%s", root, name);
	if (unlink(path) == -1 && errno != ENOENT) {
		log_msg(LOG_ERR, "unlink %s: %s", path, strerror(errno));
		return -1;
	}
	return sync_dir(root, "active");
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(json_string_value(*(json_t *const *)a),
	    json_string_value(*(json_t *const *)b));
}

json_t *
spool_names(const char *root, const char *state)
{
	char path[LIM_PATH];
	struct dirent *de;
	json_t *out = json_array(), **v;
	size_t n, i, len;
	DIR *d;

	snprintf(path, sizeof(path), "%s/%s", root, state);
	if (out == NULL || (d = opendir(path)) == NULL)
		return out;
	while ((de = readdir(d)) != NULL) {
		len = strlen(de->d_name);
		if (len > 5 && len < SPOOL_NAME && de->d_name[0] != '.' &&
		    strspn(de->d_name, SAFE) == len &&
		    strcmp(de->d_name + len - 5, ".json") == 0)
			json_array_append_new(out, json_string(de->d_name));
	}
	closedir(d);
	/* sorted by name: the names start with the queueing time */
	n = json_array_size(out);
	if ((v = calloc(n + 1, sizeof(*v))) == NULL)
		return out;
	for (i = 0; i < n; i++)
		v[i] = json_incref(json_array_get(out, i));
	qsort(v, n, sizeof(*v), cmp_str);
	json_array_clear(out);
	for (i = 0; i < n; i++)
		json_array_append_new(out, v[i]);
	free(v);
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
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return NULL;	/* gone: claimed or delivered meanwhile */
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

static int
stale(const char *root, const char *state, const char *name, long secs,
    char path[LIM_PATH])
{
	struct stat sb;

	snprintf(path, LIM_PATH, "%s/%s/%s", root, state, name);
	return stat(path, &sb) == 0 && sb.st_mtime + secs < time(NULL);
}

int
spool_reclaim(const char *root, long secs)
{
	json_t *names = spool_names(root, "active"), *n;
	char path[LIM_PATH];
	size_t i;
	int rc = 0;

	json_array_foreach(names, i, n) {
		if (!stale(root, "active", json_string_value(n), secs, path))
			continue;
		log_msg(LOG_WARNING, "taking back stale claim %s",
		    json_string_value(n));
		if (move(root, "active", "new", json_string_value(n)) == -1)
			rc = -1;
	}
	json_decref(names);
	names = spool_names(root, "tmp");
	json_array_foreach(names, i, n) {
		if (!stale(root, "tmp", json_string_value(n), LIM_TMP_STALE,
		    path))
			continue;
		log_msg(LOG_WARNING, "removing stale %s", path);
		if (unlink(path) == -1 && errno != ENOENT) {
			log_msg(LOG_ERR, "unlink %s: %s", path,
			    strerror(errno));
			rc = -1;
		}
	}
	json_decref(names);
	return rc;
}
