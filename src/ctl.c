/*
 * ctl: dindexctl's command table and the one way every row takes: words,
 * options and secret, the run, the answer as text or JSON. A row with a
 * path runs the management API's handler in-process as the host's
 * administrator, so its rules and messages are the API's.
 */
#include <sys/stat.h>

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <libgen.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "account.h"
#include "admin.h"
#include "atok.h"
#include "auth.h"
#include "ctl.h"
#include "hook.h"
#include "names.h"
#include "token.h"
#include "route.h"
#include "spool.h"

/* Options: --x V, --x V repeated (a list), a word not starting with
 * '-', --x, --x-stdin. */
enum { OPT_VALUE, OPT_LIST, OPT_WORD, OPT_TRUE, OPT_STDIN };
/* The answer as JSON: with --json, on one line, even without, never. */
enum { J_PRETTY, J_LINE, J_ALWAYS, J_NONE };

struct opt {
	const char	*flag;
	const char	*field;
	int		 kind;
};

/* The answer as text: fmt (each conversion a %s) printed for one record
 * or, with heads ("A|B"), as the heading and for each element of a table
 * (an object's sorted by key). Each word of cells fills one %s: "." the
 * key (of a record: the first argument), "=" the element, "-f" field f
 * or "-", "?f" yes or no, "@f" a time, "#f" a number or f's size, ",f"
 * a list of strings joined by ','. */
struct view {
	const char	*of;	/* this field of the answer; NULL: itself */
	const char	*fmt;
	const char	*heads;
	const char	*cells;
};

struct cmd {
	const char		*words;	/* in upper case: an argument */
	enum http_method	 method;
	const char		*path;	/* '%' the next argument as one
					 * segment, '@' one split at '/' */
	const char		*fields[2];	/* of the arguments left */
	const struct opt	*opts;
	const char		*ask;	/* field read from the terminal unless
					 * an OPT_STDIN gives it */
	int			(*run)(struct ctl *);	/* host-only */
	struct view		 view[2];
	int			 json;
	int			 named;	/* refusals start "<argument 1>: " */
	int			 opens;	/* FILE first, as the caller; key
					 * never: the CA's key stays root's */
	int			(*ok)(const char *);	/* of argument 2 */
};

int
ctl_refuse(const char *fmt, ...)
{
	va_list ap;

	fputs("dindexctl: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return CTL_REFUSED;
}

static const char usage_text[] =
	"usage: dindexctl [-c FILE] [--json] command ...\n"
	    "  init\n"
	    "  user list | show NAME | add NAME [--email E] [--admin] "
	    "[--password-stdin]\n"
	    "  user passwd NAME [--password-stdin] | enable NAME | "
	    "disable NAME | del NAME\n"
	    "  user admin NAME on|off\n"
	    "  perm set NAME SCOPE read|write|admin | rm NAME SCOPE | "
	    "list NAME\n"
	    "  perm who NS[/REPO]\n"
	    "  team list | show TEAM | add TEAM | rm TEAM\n"
	    "  team member add|rm TEAM USER | owner add|rm TEAM USER\n"
	    "  team perm set TEAM SCOPE read|write|admin | rm TEAM SCOPE\n"
	    "  repo list | show NS/REPO | rm NS/REPO\n"
	    "  webhook add NS/REPO URL [--events new,existing] "
	    "[--secret-stdin] |\n"
	    "    list NS/REPO | rm NS/REPO ID | ping NS/REPO ID | "
	    "history NS/REPO ID\n"
	    "  spool list [--failed] | show ID | retry ID|--failed | drop ID\n"
	    "  token gc | list USER | rm USER NAME|ID\n"
	    "  token add USER NAME [--scope SCOPE:RIGHT]... [--expires DAYS]\n"
	    "  dump [[-o] FILE] | load [--force] [FILE] | check\n"
	    "  import ekristen [--redis HOST:PORT | --redis-socket PATH] "
	    "[--db N]\n    [--dry-run] [--merge]\n"
	    "  user expire-legacy\n"
	    "  key init [--dir DIR] [--curve P-256|P-384|RSA-3072] "
	    "[--days N] [--realm URL]\n"
	    "  key rotate [--dir DIR] [--curve C] [--days N] | show | jwks\n"
	    "  status | metrics [--write]\n"
	    "  --help | --version\n";

static int
usage(void)
{
	fputs(usage_text, stderr);
	return CTL_USAGE;
}

static int
read_line(FILE *fp, char *buf, size_t len)
{
	size_t n;

	if (fgets(buf, len, fp) == NULL)
		return -1;
	n = strcspn(buf, "\n");
	if (buf[n] != '\n' && !feof(fp))
		return -1;	/* longer than the buffer */
	buf[n] = '\0';
	return 0;
}

/* A secret from stdin (one line) or the terminal without echo. */
static int
read_secret(int from_stdin, char *buf, size_t len)
{
	struct termios old, noecho;
	FILE *tty;
	int rc = -1;

	if (from_stdin)
		return read_line(stdin, buf, len);
	if ((tty = fopen("/dev/tty", "r+")) == NULL)
		return -1;
	if (tcgetattr(fileno(tty), &old) == 0) {
		noecho = old;
		noecho.c_lflag &= ~(tcflag_t)ECHO;
		fputs("Password: ", tty);
		fflush(tty);
		tcsetattr(fileno(tty), TCSAFLUSH, &noecho);
		rc = read_line(tty, buf, len);
		tcsetattr(fileno(tty), TCSAFLUSH, &old);
		fputc('\n', tty);
	}
	fclose(tty);
	return rc;
}

int
ctl_sync_dir_of(const char *path)
{
	char dir[LIM_PATH];
	int fd, rc;

	snprintf(dir, sizeof(dir), "%s", path);
	if ((fd = open(dirname(dir), O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1)
		return ctl_refuse("%s: %s", dir, strerror(errno));
	rc = fsync(fd) == 0 ? CTL_OK : ctl_refuse("fsync %s: %s", dir,
	    strerror(errno));
	close(fd);
	return rc;
}

int
ctl_become_owner(const struct config *cfg)
{
	char dir[LIM_PATH];
	struct stat sb;

	if (getuid() != 0)
		return 0;
	snprintf(dir, sizeof(dir), "%s", cfg->database);
	if (stat(dirname(dir), &sb) == -1 || sb.st_uid == 0)
		return 0;
	if (setgroups(0, NULL) == -1 || setgid(sb.st_gid) == -1 ||
	    setuid(sb.st_uid) == -1)
		return ctl_refuse("cannot become uid %u", (unsigned)sb.st_uid);
	return 0;
}

void
ctl_print_json(const json_t *j)
{
	json_dumpf(j, stdout, JSON_INDENT(2) | JSON_SORT_KEYS |
	    JSON_ENCODE_ANY);
	putchar('\n');
}

/* The text of cell word w of element v (struct view). */
static const char *
cell(const char *w, const char *key, const json_t *v, char *buf,
    size_t len)
{
	const json_t *f = json_object_get(v, w + 1);
	time_t t = (time_t)json_integer_value(f);
	struct tm tm;
	size_t i;

	switch (*w) {
	case '.':
		return key;
	case '=':
		return json_is_string(v) ? json_string_value(v) : "?";
	case '?':
		return json_is_true(f) ? "yes" : "no";
	case '#':
		snprintf(buf, len, "%lld", json_is_integer(f) ?
		    (long long)json_integer_value(f) :
		    (long long)(json_array_size(f) + json_object_size(f)));
		return buf;
	case ',':
		for (buf[0] = '\0', i = 0; i < json_array_size(f); i++)
			snprintf(buf + strlen(buf), len - strlen(buf), "%s%s",
			    i ? "," : "", json_string_value(json_array_get(f, i)));
		return buf;
	case '@':
		if (json_is_integer(f) && gmtime_r(&t, &tm) != NULL &&
		    strftime(buf, len, "%Y-%m-%d %H:%M:%S", &tm) != 0)
			return buf;
		return "-";
	}
	return json_is_string(f) ? json_string_value(f) : "-";
}

/* One line of view w for element v, or its heading when v is NULL. */
static void
line(const struct view *w, const char *key, const json_t *v)
{
	const char *s[6] = { "", "", "", "", "", "" };
	const char *p = v != NULL ? w->cells : w->heads;
	char word[LEN(s)][32], buf[LEN(s)][1024];	/* ",f": lists */
	size_t i, n;

	for (i = 0; i < LEN(s) && *p != '\0'; i++, p += n + (p[n] != '\0')) {
		n = strcspn(p, v != NULL ? " " : "|");
		snprintf(word[i], sizeof(word[i]), "%.*s", (int)n, p);
		s[i] = v == NULL ? word[i] :
		    cell(word[i], key, v, buf[i], sizeof(buf[i]));
	}
	printf(w->fmt, s[0], s[1], s[2], s[3], s[4], s[5]);
}

static void
show(const struct ctl *ctl, const struct cmd *c)
{
	const struct view *w;
	const json_t *v;
	const char *key;
	json_t *keys;
	size_t i;

	if (ctl->out == NULL || (ctl->json && c->json == J_NONE))
		return;
	if (ctl->json && c->json == J_LINE) {
		json_dumpf(ctl->out, stdout, JSON_SORT_KEYS);
		putchar('\n');
	} else if (ctl->json || c->json == J_ALWAYS)
		ctl_print_json(ctl->out);
	for (w = c->view; !ctl->json && w < c->view + 2 && w->fmt; w++) {
		v = w->of != NULL ? json_object_get(ctl->out, w->of) : ctl->out;
		if (w->heads == NULL) {
			line(w, ctl->arg[0], v);
			continue;
		}
		line(w, NULL, NULL);
		keys = json_is_object(v) ? admin_keys((json_t *)v) : NULL;
		for (i = 0; i < json_array_size(keys ? keys : v); i++) {
			key = json_string_value(json_array_get(keys, i));
			line(w, key, keys != NULL ? json_object_get(v, key) :
			    json_array_get(v, i));
		}
		json_decref(keys);
	}
}

/* user list (the records, not GET /users' names), repo list, token list
 * USER (refresh, then access tokens, without their secrets) */
static int
list(struct ctl *ctl)
{
	json_t *atoks = NULL;
	int rc = RES_OK;

	if (strcmp(ctl->argv[0], "user") == 0)
		rc = admin_list(ctl->cfg, &ctl->out);
	else if (strcmp(ctl->argv[0], "repo") == 0)
		rc = admin_collect(ctl->cfg, "repo:", &ctl->out);
	else if ((ctl->out = refresh_list(ctl->cfg, ctl->arg[0])) == NULL ||
	    (rc = atok_list(ctl->cfg, ctl->arg[0], &atoks)) != RES_OK ||
	    json_array_extend(ctl->out, atoks) == -1)
		rc = RES_ERROR;
	json_decref(atoks);
	if (rc != RES_OK)
		return ctl_refuse("cannot read %s", ctl->cfg->database);
	return CTL_OK;
}

/* No route changes another user's password; the hash is made before
 * admin_user takes the lock (scrypt is slow on purpose). */
static int
user_passwd(struct ctl *ctl)
{
	const char *name = ctl->arg[0];
	char mcf[AUTH_MCF_LEN];
	int rc = RES_BADPASS;

	if (!name_user_ok(name))
		rc = RES_BADNAME;
	else if (name_password_ok(ctl->secret))
		rc = account_hash(ctl->cfg, ctl->secret, mcf) == -1 ?
		    RES_ERROR : admin_user(ctl->cfg, ADMIN_PASSWD, name, mcf,
		    NULL, &ctl->out);
	bytes_wipe(mcf, sizeof(mcf));
	if (rc != RES_OK)
		return ctl_refuse("%s: %s", name, result_msg(rc));
	return CTL_OK;
}

static int
repo_show(struct ctl *ctl)
{
	const char *name = ctl->arg[0];
	char ns[LIM_NS + 1], repo[LIM_NAME + 1], key[LIM_KEY];
	struct store *st;
	int rc;

	if (!name_repo_split(name, ns, repo))
		return ctl_refuse("%s: invalid repository name", name);
	store_key(key, STORE_REPO, name);
	if (store_open(ctl->cfg->database, STORE_READ, &st) == -1)
		return ctl_refuse("cannot read %s", ctl->cfg->database);
	rc = store_get(st, key, &ctl->out);
	store_close(st);
	if (rc != 0)
		return ctl_refuse("%s: %s", name, rc == 1 ?
		    "no such repository" : "the record does not parse");
	return CTL_OK;
}

/* admin_repo_remove in one transaction, as the v1 DELETE; it also clears
 * leftovers when "repo:" itself is gone. */
static int
repo_rm(struct ctl *ctl)
{
	const char *name = ctl->arg[0];
	char ns[LIM_NS + 1], repo[LIM_NAME + 1];
	struct store *st;
	int n;

	if (!name_repo_split(name, ns, repo))
		return ctl_refuse("%s: invalid repository name", name);
	if (store_open(ctl->cfg->database, STORE_WRITE, &st) == -1)
		return ctl_refuse("cannot open %s", ctl->cfg->database);
	n = admin_repo_remove(st, name);
	if (store_close(st) == -1 || n == -1)
		return ctl_refuse("%s: not removed: database error", name);
	if (n == 0)
		return ctl_refuse("%s: no such repository", name);
	ctl->out = json_pack("{s:i}", "removed", n);
	return CTL_OK;
}

static int
expired(const char *key, json_t *t, void *now)
{
	json_t *e = json_object_get(t, "expires");

	(void)key;
	return !json_is_integer(e) ||
	    json_integer_value(e) <= *(const time_t *)now;
}

static int
token_gc(struct ctl *ctl)
{
	struct store *st;
	time_t now = time(NULL);
	int n, r, a, s = -1;

	if (store_open(ctl->cfg->database, STORE_WRITE, &st) == -1)
		return ctl_refuse("cannot open %s", ctl->cfg->database);
	n = store_purge(st, "token:", expired, &now);
	r = refresh_gc(st, ctl->cfg);
	a = atok_gc(st);
	if (n != -1 && r != -1 && a != -1)	/* and console sessions */
		s = store_purge(st, "session:", expired, &now);
	if (store_close(st) == -1 || s == -1)
		return ctl_refuse("token gc failed");
	ctl->out = json_pack("{s:i}", "removed", n + r + a + s);
	return CTL_OK;
}

/* An access token by name, else a refresh token by id. */
static int
token_rm(struct ctl *ctl)
{
	int r = atok_remove(ctl->cfg, ctl->arg[0], ctl->arg[1]);

	if (r == RES_NOATOK)
		r = refresh_revoke(ctl->cfg, ctl->arg[0], ctl->arg[1]);
	if (r != 0)
		return ctl_refuse("%s", r == 1 ? "no such token" :
		    "database error");
	return CTL_OK;
}

/* The spool commands claim by rename as the deliverer does, so they are
 * safe while it runs. */
static json_t *
delivery(const char *spool, const char *state, const char *name)
{
	json_t *d = spool_read(spool, state, name);

	if (d != NULL)
		json_object_set_new(d, "state", json_string(state));
	return d;
}

static int
spool_list(struct ctl *ctl)
{
	json_t *names, *n, *d;
	size_t s, i;
	int failed = 0;

	json_unpack(ctl->opt, "{s?b}", "failed", &failed);
	ctl->out = json_array();
	for (s = failed ? 3 : 0; s < (failed ? 4 : 3); s++) {
		if ((names = spool_names(ctl->cfg->spool, spool_states[s])) ==
		    NULL)
			return ctl_refuse("cannot read %s", ctl->cfg->spool);
		json_array_foreach(names, i, n)
			if ((d = delivery(ctl->cfg->spool, spool_states[s],
			    json_string_value(n))) != NULL)
				json_array_append_new(ctl->out, d);
		json_decref(names);
	}
	return CTL_OK;
}

static int
spool_show(struct ctl *ctl)
{
	const char *id = ctl->arg[0];
	const char *state = spool_find(ctl->cfg->spool, id);
	char name[SPOOL_NAME];

	if (state == NULL)
		return ctl_refuse("no delivery %s", id);
	snprintf(name, sizeof(name), "%s.json", id);
	if ((ctl->out = delivery(ctl->cfg->spool, state, name)) == NULL)
		return ctl_refuse("cannot read %s", id);
	return CTL_OK;
}

/* Claim id out of its state; back to new/ fresh (retry) or gone (drop). */
static int
claim(const char *spool, const char *id, int retry)
{
	int rc = spool_requeue(spool, id, retry);

	if (rc == 1)
		return ctl_refuse("no waiting delivery %s", id);
	return rc ? ctl_refuse("cannot requeue %s", id) : CTL_OK;
}

static int
spool_act(struct ctl *ctl)
{
	json_t *names, *n;
	char id[SPOOL_NAME];
	size_t i;
	int retry = strcmp(ctl->argv[1], "retry") == 0, rc = CTL_OK;

	if (!retry || strcmp(ctl->arg[0], "--failed") != 0)
		return claim(ctl->cfg->spool, ctl->arg[0], retry);
	if ((names = spool_names(ctl->cfg->spool, "failed")) == NULL)
		return ctl_refuse("cannot read %s", ctl->cfg->spool);
	json_array_foreach(names, i, n) {
		snprintf(id, sizeof(id), "%.*s", (int)json_string_length(n) - 5,
		    json_string_value(n));
		if (claim(ctl->cfg->spool, id, 1) != CTL_OK)
			rc = CTL_REFUSED;
	}
	printf("%zu requeued\n", json_array_size(names));
	json_decref(names);
	return rc;
}

static const struct opt user_opts[] = {
	{ "--email", "email", OPT_VALUE }, { "--admin", "admin", OPT_TRUE },
	{ "--password-stdin", "password", OPT_STDIN }, { 0 } };
/* --secret shows the secret to ps and the shell history (for scripts) */
static const struct opt hook_opts[] = {
	{ "--events", "events", OPT_VALUE },
	{ "--secret", "secret", OPT_VALUE },
	{ "--secret-stdin", "secret", OPT_STDIN }, { 0 } };
static const struct opt spool_opts[] = {
	{ "--failed", "failed", OPT_TRUE }, { 0 } };
static const struct opt dump_opts[] = {
	{ "-o", "file", OPT_VALUE }, { NULL, "file", OPT_WORD }, { 0 } };
static const struct opt atok_opts[] = {
	{ "--scope", "scopes", OPT_LIST },
	{ "--expires", "expires_days", OPT_VALUE }, { 0 } };
static const struct opt metrics_opts[] = {
	{ "--write", "write", OPT_TRUE }, { 0 } };
static const struct opt load_opts[] = {
	{ "--force", "force", OPT_TRUE }, { NULL, "file", OPT_WORD }, { 0 } };

static const struct opt import_opts[] = {
	{ "--redis", "redis", OPT_VALUE }, { "--db", "db", OPT_VALUE },
	{ "--dry-run", "dry_run", OPT_TRUE }, { "--merge", "merge", OPT_TRUE },
	{ "--redis-socket", "socket", OPT_VALUE }, { 0 } };
static const struct opt key_opts[] = {
	{ "--dir", "dir", OPT_VALUE }, { "--curve", "curve", OPT_VALUE },
	{ "--days", "days", OPT_VALUE }, { "--realm", "realm", OPT_VALUE },
	{ 0 } };
#define KEY_VIEW { { NULL, "algorithm:      %s\nkid (libtrust): %s\n" \
	"kid (RFC 7638): %s\nsubject:        %s\nexpires:        %s\n" \
	"CA expires:     %s\n", NULL, "-alg -kid_libtrust -kid_thumbprint " \
	"-subject @expires @ca_expires" } }

static const struct cmd cmds[] = {
	{ "init", .run = ctl_init },
	{ "user list", .run = list, .view = { { NULL,
	    "%-30s %-8s %-6s %-7s %s\n", "NAME|ENABLED|ADMIN|LEGACY|EMAIL",
	    ". ?enabled ?admin ?legacy -email" } } },
	{ "user expire-legacy", .run = ctl_expire_legacy, .view = { {
	    "disabled", "%s\n", "DISABLED", "=" } } },
	{ "user show NAME", HTTP_GET, "users/%", .named = 1, .view = {
	    { NULL, "name:     %s\nemail:    %s\nenabled:  %s\n"
	    "admin:    %s\ncreated:  %s\n\n", NULL,
	    "-name -email ?enabled ?admin @created" },
	    { "perms", "%-40s %s\n", "SCOPE|ACCESS", ". =" } } },
	{ "user add NAME", HTTP_POST, "users", { "username" }, user_opts,
	    "password", .named = 1 },
	{ "user passwd NAME", .opts = user_opts + 2, .ask = "password",
	    .run = user_passwd, .json = J_NONE },
	{ "user enable NAME", HTTP_PUT, "users/%/enable", .named = 1 },
	{ "user disable NAME", HTTP_PUT, "users/%/disable", .named = 1 },
	{ "user admin NAME on", HTTP_PUT, "users/%/admin", .named = 1 },
	{ "user admin NAME off", HTTP_DELETE, "users/%/admin", .named = 1 },
	{ "user del NAME", HTTP_DELETE, "users/%", .json = J_NONE, .named = 1 },
	{ "perm set NAME SCOPE ACCESS", HTTP_PUT, "users/%/permissions",
	    { "repo", "access" }, .named = 1 },
	{ "perm rm NAME SCOPE", HTTP_DELETE, "users/%/permissions/@",
	    .named = 1 },
	{ "perm list NAME", HTTP_GET, "users/%/permissions", .named = 1,
	    .view = { { NULL, "%-40s %s\n", "SCOPE|ACCESS", ". =" } } },
	{ "perm who SCOPE", HTTP_GET, "namespaces/%/permissions", .named = 1,
	    .view = { { NULL, "%-30s %-6s %-40s %s\n",
	    "WHO|RIGHT|SCOPE|THROUGH", "-who -right -scope -through" } } },
	{ "team list", HTTP_GET, "teams", .view = { { NULL, "%s\n", "TEAM",
	    "=" } } },
	{ "team show TEAM", HTTP_GET, "teams/%", .named = 1, .view = {
	    { NULL, "name:     %s\nowners:   %s\nmembers:  %s\n\n", NULL,
	    "-name ,owners ,members" },
	    { "perms", "%-40s %s\n", "SCOPE|ACCESS", ". =" } } },
	{ "team add TEAM", HTTP_POST, "teams", { "name" }, .named = 1 },
	{ "team rm TEAM", HTTP_DELETE, "teams/%", .named = 1 },
	{ "team member add TEAM USER", HTTP_PUT, "teams/%/members/%",
	    .named = 1 },
	{ "team member rm TEAM USER", HTTP_DELETE, "teams/%/members/%",
	    .named = 1 },
	{ "team owner add TEAM USER", HTTP_PUT, "teams/%/owners/%", .named = 1 },
	{ "team owner rm TEAM USER", HTTP_DELETE, "teams/%/owners/%",
	    .named = 1 },
	{ "team perm set TEAM SCOPE ACCESS", HTTP_PUT, "teams/%/permissions",
	    { "repo", "access" }, .named = 1 },
	{ "team perm rm TEAM SCOPE", HTTP_DELETE, "teams/%/permissions/@",
	    .named = 1 },
	{ "repo list", .run = list, .view = { { NULL,
	    "%-40s %-9s %6s %5s  %s\n", "NAME|STATE|IMAGES|TAGS|UPDATED",
	    ". -state #images #tags @updated" } } },
	{ "repo show NAME", .run = repo_show, .view = { { NULL,
	    "name:     %s\nstate:    %s\npusher:   %s\ncreated:  %s\n"
	    "updated:  %s\nimages:   %s\n\n", NULL,
	    ". -state -pusher @created @updated #images" },
	    { "tags", "%-40s %s\n", "TAG|IMAGE", ". =" } } },
	{ "repo rm NAME", .run = repo_rm, .json = J_LINE },
	{ "webhook add NAME URL", HTTP_POST, "webhooks/@", { "url" },
	    hook_opts, .view = { { NULL, "%s\n", NULL, "-id" } } },
	{ "webhook list NAME", HTTP_GET, "webhooks/@", .view = { { NULL,
	    "%-16s %-6s %-12s %s\n", "ID|ACTIVE|EVENTS|URL",
	    "-id ?active ,events -url" } } },
	/* DELETE /webhooks/<name>/<not an id> removes all of <name>/<that> */
	{ "webhook rm NAME ID", HTTP_DELETE, "webhooks/@/%", .ok = hook_id_ok,
	    .json = J_NONE },
	{ "webhook ping NAME ID", HTTP_POST, "webhooks/@/%/ping",
	    .json = J_NONE },
	{ "webhook history NAME ID", HTTP_GET, "webhooks/@/%/history",
	    .view = { { NULL, "%-19s %-36s %-8s %6s %6s %s\n",
	    "TIME|DELIVERY|EVENT|STATUS|MS|ERROR",
	    "@time -delivery -event #status #duration_ms -error" } } },
	{ "spool list", .opts = spool_opts, .run = spool_list, .view = {
	    { NULL, "%-36s %-8s %-3s %-19s %-8s %s\n",
	    "ID|STATE|TRY|NEXT ATTEMPT|EVENT|URL",
	    "-id -state #attempts @next_attempt -event -url" } } },
	{ "spool show ID", .run = spool_show, .json = J_ALWAYS },
	{ "spool retry ID", .run = spool_act },
	{ "spool drop ID", .run = spool_act },
	{ "token gc", .run = token_gc, .json = J_LINE, .view = { { NULL,
	    "%s expired tokens removed\n", NULL, "#removed" } } },
	{ "token list USER", .run = list, .view = { { NULL,
	    "%-16s %-20s %-20s %-19s %-19s %s\n",
	    "ID|SERVICE|NAME|CREATED|LAST USED|EXPIRES",
	    "-id -service -name @created @used @expires" } } },
	{ "token rm USER NAME", .run = token_rm },
	/* the secret is printed once */
	{ "token add USER NAME", HTTP_POST, "users/%/tokens", { "name" },
	    atok_opts, .view = { { NULL, "%s\n", NULL, "-token" } } },
	{ "dump", .opts = dump_opts, .run = ctl_dump, .opens = 1 },
	{ "load", .opts = load_opts, .run = ctl_load, .opens = 1 },
	{ "check", .run = ctl_check },
	{ "import ekristen", .opts = import_opts, .run = ctl_import },
	{ "key init", .opts = key_opts, .run = ctl_key_make, .opens = 1,
	    .view = { { NULL, "# dindex.conf\n%s\n", NULL, "-conf" }, { NULL,
	    "# the registry's config.yml\nauth:\n  token:\n    realm: %s\n"
	    "    service: %s\n    issuer: %s\n    rootcertbundle: %s\n",
	    NULL, "-realm -service -issuer -rootcertbundle" } } },
	{ "key rotate", .opts = key_opts, .run = ctl_key_make,
	    .view = KEY_VIEW, .opens = 1 },
	{ "key show", .run = ctl_key_show, .view = KEY_VIEW, .opens = 1 },
	{ "key jwks", .run = ctl_key_jwks, .json = J_ALWAYS, .opens = 1 },
	{ "status", .run = ctl_status },
	{ "metrics", .opts = metrics_opts, .run = ctl_metrics,
	    .json = J_NONE },
};

/* How many words of argv match c's (its arguments into args), or 0. */
static int
match(const struct cmd *c, int argc, char **argv, char **args)
{
	const char *p = c->words;
	size_t len;
	int i;

	for (i = 0; *p != '\0'; i++, p += len + (p[len] == ' ')) {
		len = strcspn(p, " ");
		if (i >= argc)
			return 0;
		if (isupper((unsigned char)*p))
			*args++ = argv[i];
		else if (strlen(argv[i]) != len || strncmp(p, argv[i], len))
			return 0;
	}
	return i;
}

/* Lay path out as req's segments. 0 ok, -1 too long. */
static int
lay_path(struct http_req *req, const char *path, char **args)
{
	char *b = req->pathbuf, *e = req->pathbuf + sizeof(req->pathbuf), *s;
	const char *p;
	size_t len;
	int n;

	for (p = path; *p != '\0'; p += len + (p[len] == '/')) {
		len = strcspn(p, "/");
		if (len == 1 && (*p == '%' || *p == '@'))
			n = snprintf(b, e - b, "%s", *args++);
		else
			n = snprintf(b, e - b, "%.*s", (int)len, p);
		if (n < 0 || n >= e - b)
			return -1;
		for (s = b; *p == '@' && (s = strchr(s, '/')) != NULL; )
			*s++ = '\0';
		b += n + 1;
	}
	for (s = req->pathbuf; s < b; s += strlen(s) + 1) {
		if (req->nseg == LIM_SEGMENTS)
			return -1;
		req->seg[req->nseg++] = s;
	}
	return 0;
}

/* Run c through the router as the host's administrator. */
static int
call(const struct cmd *c, struct ctl *ctl)
{
	struct http_req req = { .method = c->method, .content_length = -1 };
	struct http_resp resp;
	struct ctx ctx = { .cfg = ctl->cfg, .req = &req, .resp = &resp,
	    .local = 1 };
	const char *why = NULL;

	if (c->ok != NULL && !c->ok(ctl->arg[1]))
		return ctl_refuse("%s", result_msg(RES_NOHOOK));
	http_resp_init(&resp);
	if (lay_path(&req, c->path, ctl->arg) == -1)
		resp.status = 414;
	else if ((c->fields[0] != NULL || c->opts != NULL) &&
	    (req.body = json_dumps(ctl->opt, JSON_COMPACT)) == NULL)
		resp.status = 503;
	else {
		req.body_len = req.body != NULL ? strlen(req.body) : 0;
		route_dispatch(&ctx);
		ctl->out = json_loadb(resp.body, resp.body_len,
		    JSON_DECODE_ANY, NULL);
	}
	http_req_free(&req);
	http_resp_free(&resp);
	if (resp.status < 300)
		return CTL_OK;
	json_unpack(ctl->out, "{s:s}", "error", &why);
	return ctl_refuse("%s%s%s", c->named ? ctl->arg[0] : "",
	    c->named ? ": " : "", why != NULL ? why : http_reason(resp.status));
}

/* Into ctl->opt: c's fields from the arguments its path leaves, its
 * options from argv, the secret it reads. 0 ok, or the exit status. */
static int
options(const struct cmd *c, struct ctl *ctl, int argc, char **argv)
{
	const struct opt *o;
	const char *p, *from_stdin = NULL, *field;
	char **rest = ctl->arg;
	json_t *v;
	int i;

	for (p = c->path; p != NULL && *p != '\0'; p++)
		rest += *p == '%' || *p == '@';
	for (i = 0; i < (int)LEN(c->fields) && c->fields[i] != NULL; i++)
		if (json_object_set_new(ctl->opt, c->fields[i],
		    json_string(rest[i])) == -1)
			return ctl_refuse("an argument is not UTF-8");
	for (i = 0; i < argc; i++) {
		for (o = c->opts; o != NULL && o->field != NULL; o++)
			if ((o->kind == OPT_WORD ? argv[i][0] != '-' :
			    strcmp(argv[i], o->flag) == 0) &&
			    (o->kind > OPT_LIST || i + 1 < argc) &&
			    (o->kind == OPT_LIST ||
			    json_object_get(ctl->opt, o->field) == NULL))
				break;
		if (o == NULL || o->field == NULL)
			return usage();
		if (o->kind == OPT_STDIN)
			from_stdin = o->field;
		i += o->kind <= OPT_LIST;
		v = o->kind >= OPT_TRUE ? json_true() : json_string(argv[i]);
		if (v == NULL)
			return ctl_refuse("an argument is not UTF-8");
		if (o->kind == OPT_LIST && !json_object_get(ctl->opt, o->field))
			json_object_set_new(ctl->opt, o->field, json_array());
		if (o->kind == OPT_LIST)
			json_array_append_new(json_object_get(ctl->opt,
			    o->field), v);
		else
			json_object_set_new(ctl->opt, o->field, v);
	}
	if ((field = from_stdin ? from_stdin : c->ask) == NULL)
		return 0;
	json_object_del(ctl->opt, field);	/* the option's true */
	/* a bad user name is refused before the password is asked for */
	if (c->ask != NULL && !name_user_ok(ctl->arg[0]))
		return 0;
	if (read_secret(from_stdin != NULL, ctl->secret,
	    sizeof(ctl->secret)) == -1)
		return ctl_refuse("cannot read a %s", field);
	if (c->path != NULL && json_object_set_new(ctl->opt, field,
	    json_string(ctl->secret)) == -1)
		return ctl_refuse("the %s is not UTF-8", field);
	return 0;
}

int
ctl_main(int argc, char **argv)
{
	static struct config cfg;
	struct ctl ctl = { .cfg = &cfg, .argv = argv };
	const struct cmd *c;
	const char *path = NULL;
	int i, n = 0, used = 0, rc;

	if (config_help(argc, argv, "dindexctl", usage_text))
		return CTL_OK;
	/* options may stand anywhere; what is left is the command */
	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "-c") == 0 && i + 1 < argc)
			path = argv[++i];
		else if (strcmp(argv[i], "--json") == 0)
			ctl.json = 1;
		else
			argv[n++] = argv[i];
	}
	argv[n] = NULL;
	for (c = cmds; c < cmds + LEN(cmds); c++)
		if ((used = match(c, n, argv, ctl.arg)) > 0 &&
		    (used == n || c->opts != NULL))
			break;
	if (c == cmds + LEN(cmds))
		return usage();
	if (config_load(path, &cfg) == -1 ||
	    (!c->opens && ctl_become_owner(&cfg) != 0))
		return CTL_REFUSED;
	/* init and load make the database; the others need it */
	if (c->run != ctl_init && c->run != ctl_load &&
	    access(cfg.database, F_OK) == -1 && errno == ENOENT)
		return ctl_refuse("%s: the database was never initialised; "
		    "run 'dindexctl init'", cfg.database);
	ctl.conf = path;
	ctl.opt = json_object();
	if ((rc = options(c, &ctl, n - used, argv + used)) == CTL_OK)
		rc = c->run != NULL ? c->run(&ctl) : call(c, &ctl);
	if (rc == CTL_OK)
		show(&ctl, c);
	bytes_wipe(ctl.secret, sizeof(ctl.secret));
	json_decref(ctl.opt);
	json_decref(ctl.out);
	return rc;
}
