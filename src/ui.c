/*
 * ui: the web console at /ui/ (with admin_api): the files of ui_dir and
 * POST|DELETE /ui/session. A session is "session:<64 hex>" {"user",
 * "cred", "created", "expires"}, the secret the key as with v1 tokens; it
 * dies at expiry (ui_session_ttl) and with the user's other credentials.
 * The console has no rights of its own: its pages call the management
 * API with the session as a bearer. A file is served only when its name
 * is [a-z][a-z0-9_-]*.<ext of types>, opened under ui_dir's descriptor
 * with O_NOFOLLOW: no traversal, no dot files, no links out.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "account.h"
#include "acl.h"
#include "body.h"
#include "log.h"
#include "names.h"
#include "route.h"
#include "record.h"

static const struct {
	const char	*ext, *type;
} types[] = {
	{ "html", "text/html; charset=utf-8" },
	{ "css", "text/css; charset=utf-8" },
	{ "js", "text/javascript; charset=utf-8" },
};

static void
secure(struct ctx *ctx, const char *cache)
{
	http_resp_header(ctx->resp, "Content-Security-Policy",
	    "default-src 'self'; frame-ancestors 'none'");
	http_resp_header(ctx->resp, "X-Content-Type-Options", "nosniff");
	http_resp_header(ctx->resp, "Referrer-Policy", "no-referrer");
	http_resp_header(ctx->resp, "Cache-Control", "%s", cache);
}

/* The Content-Type of a name the console may have, else NULL. */
static const char *
type_of(const char *name)
{
	const char *dot = strchr(name, '.');
	size_t i;

	if (strlen(name) > LIM_UI_NAME || name[0] < 'a' || name[0] > 'z' ||
	    dot == NULL || strspn(name, "abcdefghijklmnopqrstuvwxyz"
	    "0123456789_-") != (size_t)(dot - name))
		return NULL;
	for (i = 0; i < LEN(types); i++)
		if (strcmp(dot + 1, types[i].ext) == 0)
			return types[i].type;
	return NULL;
}

/* ui_dir/name into *buf (malloc'd), its stat into sb: 0, 404 absent, 503
 * unreadable or over LIM_UI_FILE (logged). */
static int
load(const char *dir, const char *name, struct stat *sb, char **buf)
{
	int dfd, fd = -1, rc = 404;

	*buf = NULL;
	if ((dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1) {
		log_msg(LOG_ERR, "ui_dir %s: %s", dir, strerror(errno));
		return 404;
	}
	fd = openat(dfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (fd == -1 && errno != ENOENT && errno != ELOOP)
		rc = 503;
	if (fd != -1 && fstat(fd, sb) == 0 && S_ISREG(sb->st_mode))
		rc = sb->st_size <= LIM_UI_FILE && (*buf = malloc(sb->st_size +
		    1)) != NULL && read(fd, *buf, sb->st_size) == sb->st_size ?
		    0 : 503;
	if (rc == 503) {
		log_msg(LOG_ERR, "%s/%s: unreadable or over %d bytes", dir,
		    name, LIM_UI_FILE);
		free(*buf);
		*buf = NULL;
	}
	if (fd != -1)
		close(fd);
	close(dfd);
	return rc;
}

/* GET /ui/ (index.html) and /ui/<file>, revalidated by ETag. */
static int
file(struct ctx *ctx)
{
	const char *name = ctx->narg ? ctx->arg[0] : "index.html";
	const char *type = type_of(name);
	const struct http_hdr *inm = http_header(ctx->req, "If-None-Match");
	char etag[64], *buf = NULL;
	struct stat sb;
	int rc = type ? load(ctx->cfg->ui_dir, name, &sb, &buf) : 404;

	secure(ctx, "no-cache");
	if (rc != 0)
		return route_error(ctx, rc, rc == 404 ? "not found" :
		    "cannot read the console's files");
	snprintf(etag, sizeof(etag), "\"%llx-%llx.%lx\"", (unsigned long long)
	    sb.st_size, (unsigned long long)sb.st_mtim.tv_sec,
	    (unsigned long)sb.st_mtim.tv_nsec);
	http_resp_header(ctx->resp, "ETag", "%s", etag);
	ctx->resp->content_type = type;
	if (inm != NULL && inm->val_len == strlen(etag) &&
	    memcmp(inm->val, etag, inm->val_len) == 0) {
		free(buf);
		return 304;
	}
	http_resp_body(ctx->resp, 200, buf, (size_t)sb.st_size);
	return 200;
}

/* The key of session secret tok[0..len): 0, -1 when not 64 hex digits. */
static int
session_key(char key[LIM_KEY], const char *tok, size_t len)
{
	char sig[LIM_SIG + 1];

	if (len != LIM_SIG)
		return -1;
	snprintf(sig, sizeof(sig), "%.*s", (int)len, tok);
	return name_hex_ok(sig, LIM_SIG) ? store_key(key, STORE_SESSION, sig) :
	    -1;
}

int
ui_session_user(const struct config *cfg, const char *tok, size_t len,
    json_t **user)
{
	char key[LIM_KEY];
	struct store *st;
	json_t *rec = NULL;
	int rc;

	*user = NULL;
	/* admin_api = no turns the console off, and its sessions with it */
	if (!cfg->admin_api || session_key(key, tok, len) == -1)
		return 1;
	if (store_open(cfg->database, STORE_READ, &st) == -1)
		return -1;
	if ((rc = store_get(st, key, &rec)) == 0)
		rc = account_get(st, record_str(rec, "user"), user);
	store_close(st);
	if (rc == 0 && (!account_cred_ok(*user, account_stamp(rec)) ||
	    json_integer_value(json_object_get(rec, "expires")) <= time(NULL)))
		rc = 1;
	if (rc != 0) {
		json_decref(*user);
		*user = NULL;
	}
	json_decref(rec);
	return rc;
}

/* store_each of session_new: how many sessions arg's user holds, and
 * the key of the oldest. */
struct mine {
	const char	*user;
	int		 n;
	json_int_t	 created;
	char		 oldest[LIM_KEY];
};

static int
count(const char *key, json_t *s, void *arg)
{
	struct mine *m = arg;
	json_int_t t = json_integer_value(json_object_get(s, "created"));

	if (strcmp(record_str(s, "user"), m->user) == 0 && (m->n++ == 0 ||
	    t < m->created)) {
		m->created = t;
		snprintf(m->oldest, sizeof(m->oldest), "%s", key);
	}
	return 0;
}

/* A new session for user (the record account_login read), its secret
 * into tok: 0, 1 when user's credentials died since, -1 error. */
static int
session_new(const struct config *cfg, const json_t *user,
    char tok[LIM_SIG + 1])
{
	json_int_t now = (json_int_t)time(NULL);
	json_t *rec = json_pack("{s:s, s:s, s:I, s:I}", "user",
	    record_str(user, "name"), "cred", account_stamp(user), "created",
	    now, "expires", now + (json_int_t)cfg->ui_session_ttl);
	struct mine m = { record_str(user, "name"), 0, 0, "" };
	char key[LIM_KEY];
	struct store *st;
	int rc = -1;

	if (rec != NULL && bytes_random_hex(tok, LIM_TOKEN_BYTES) == 0 &&
	    store_key(key, STORE_SESSION, tok) == 0 &&
	    store_open(cfg->database, STORE_WRITE, &st) == 0) {
		rc = account_unchanged(st, user);
		/* LIM_SESSIONS_USER at most: the oldest ends */
		if (rc == 0 && (rc = store_each(st, "session:", count, &m)) ==
		    0 && m.n >= LIM_SESSIONS_USER)
			rc = store_del(st, m.oldest) == -1 ? -1 : 0;
		if (rc == 0)
			rc = store_put(st, key, rec);
		rc = store_close(st) == -1 ? -1 : rc;
	}
	json_decref(rec);
	return rc;
}

/* POST /ui/session {username, password}: one scrypt run, then {token,
 * user, admin}. An access token is no password here: a session carries
 * no scopes to narrow the user's rights by. */
static int
login(struct ctx *ctx)
{
	struct auth_basic cred = { "", "" };
	char tok[LIM_SIG + 1] = "";
	json_t *b, *u = NULL;
	const char *name = "", *pass = "";
	int rc = ACCOUNT_BAD, status;

	if ((status = body_object(ctx->req, &b)) != 0)
		return route_error(ctx, status, "body must be JSON or a form");
	if (json_unpack(b, "{s?s, s?s}", "username", &name, "password",
	    &pass) == 0 && name[0] && strlen(name) <= LIM_USER &&
	    strlen(pass) <= LIM_PASSWORD && strncmp(pass, NAME_ATOK_PREFIX,
	    strlen(NAME_ATOK_PREFIX)) != 0) {
		snprintf(cred.user, sizeof(cred.user), "%s", name);
		snprintf(cred.pass, sizeof(cred.pass), "%s", pass);
		rc = account_login(ctx->cfg, &cred, &u);
	}
	json_decref(b);
	snprintf(rc == ACCOUNT_OK || rc == ACCOUNT_DISABLED ? ctx->user :
	    ctx->login, sizeof(ctx->user), "%s", cred.user);
	bytes_wipe(&cred, sizeof(cred));
	if (rc == ACCOUNT_OK && (rc = session_new(ctx->cfg, u, tok)) == 0)
		status = route_json(ctx, 201, json_pack("{s:s, s:s, s:b}",
		    "token", tok, "user", ctx->user, "admin", acl_admin(u)));
	else
		status = rc == ACCOUNT_BAD ? route_error(ctx, 401, "wrong user "
		    "name or password") : rc == ACCOUNT_DISABLED ?
		    route_error(ctx, 403, "account disabled") : 503;
	bytes_wipe(tok, sizeof(tok));
	json_decref(u);
	return status;
}

/* POST logs in, DELETE with the session as bearer logs out. */
static int
session(struct ctx *ctx)
{
	const struct http_hdr *h = http_header(ctx->req, "Authorization");
	const char *rest;
	char key[LIM_KEY];
	struct store *st;
	size_t n;
	int rc;

	secure(ctx, "no-store");
	if (ctx->req->method == HTTP_POST)
		return login(ctx);
	if (h == NULL || auth_scheme(h->val, h->val_len, &rest, &n) !=
	    AUTH_BEARER || session_key(key, rest, n) == -1)
		rc = 1;
	else if (store_open(ctx->cfg->database, STORE_WRITE, &st) == -1)
		return 503;
	else {
		rc = store_del(st, key);
		if (store_close(st) == -1 || rc == -1)
			return 503;
	}
	return rc == 0 ? route_json(ctx, 200, json_pack("{s:b}", "deleted",
	    1)) : route_error(ctx, 401, "no such session");
}

const struct route route_ui_table[] = {
	{ R_POST | R_DELETE, "/ui/session", R_NOSLASH, session },
	{ R_GET, "/ui", R_SLASH, file },
	{ R_GET, "/ui/*", R_NOSLASH, file },
	{ 0, NULL, R_ANY, NULL }
};
