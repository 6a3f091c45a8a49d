/*
 * ctl: dindexctl's front end of the management API (the command table
 * below) and the helpers its host-only commands share.
 */
#include <sys/stat.h>

#include <grp.h>
#include <libgen.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "admin.h"
#include "auth.h"
#include "ctl.h"
#include "hook.h"
#include "names.h"
#include "route.h"

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

int
ctl_usage(void)
{
	fputs("usage: dindexctl [-c FILE] [--json] command ...\n"
	    "  init\n"
	    "  user list | show NAME | add NAME [--email E] [--admin] "
	    "[--password-stdin]\n"
	    "  user passwd NAME [--password-stdin] | enable NAME | "
	    "disable NAME | del NAME\n"
	    "  user admin NAME on|off\n"
	    "  perm set NAME SCOPE read|write|admin | rm NAME SCOPE | "
	    "list NAME\n"
	    "  repo list | show NS/REPO | rm NS/REPO\n"
	    "  webhook add NS/REPO URL [--events new,existing] "
	    "[--secret-stdin] |\n"
	    "    list NS/REPO | rm NS/REPO ID | ping NS/REPO ID | "
	    "history NS/REPO ID\n"
	    "  spool list [--failed] | show ID | retry ID|--failed | drop ID\n"
	    "  token gc | list USER | rm USER ID\n"
	    "  dump [[-o] FILE] | load [--force] [FILE] | check\n", stderr);
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

int
ctl_read_password(int from_stdin, char *pw, size_t len)
{
	struct termios old, noecho;
	FILE *tty;
	int rc = -1;

	if (from_stdin)
		return read_line(stdin, pw, len);
	if ((tty = fopen("/dev/tty", "r+")) == NULL)
		return -1;
	if (tcgetattr(fileno(tty), &old) == 0) {
		noecho = old;
		noecho.c_lflag &= ~(tcflag_t)ECHO;
		fputs("Password: ", tty);
		fflush(tty);
		tcsetattr(fileno(tty), TCSAFLUSH, &noecho);
		rc = read_line(tty, pw, len);
		tcsetattr(fileno(tty), TCSAFLUSH, &old);
		fputc('\n', tty);
	}
	fclose(tty);
	return rc;
}

void
ctl_print_json(const json_t *j)
{
	json_dumpf(j, stdout, JSON_INDENT(2) | JSON_SORT_KEYS |
	    JSON_ENCODE_ANY);
	putchar('\n');
}

const char *
ctl_str(const json_t *obj, const char *key)
{
	const char *s = json_string_value(json_object_get(obj, key));

	return s != NULL ? s : "-";
}

const char *
ctl_time(const json_t *v, char *buf, size_t len)
{
	struct tm tm;
	time_t t = (time_t)json_integer_value(v);

	if (!json_is_integer(v) || gmtime_r(&t, &tm) == NULL ||
	    strftime(buf, len, "%Y-%m-%d %H:%M:%S", &tm) == 0)
		snprintf(buf, len, "-");
	return buf;
}

void
ctl_print_map(const json_t *obj, const char *h1, const char *h2)
{
	json_t *keys, *k;
	const char *v;
	size_t i;

	if ((keys = admin_keys((json_t *)obj)) == NULL)
		return;
	printf("%-40s %s\n", h1, h2);
	json_array_foreach(keys, i, k) {
		v = json_string_value(json_object_get(obj,
		    json_string_value(k)));
		printf("%-40s %s\n", json_string_value(k), v ? v : "?");
	}
	json_decref(keys);
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

/*
 * The management API's commands. Each is a pattern of words ('%' one
 * argument), a method and a path ('%' the next argument as one segment,
 * '@' the next split at '/'), the body fields that take the arguments
 * left, its options and how the answer is shown. They run through
 * route_dispatch in this process as the host's administrator, so the
 * rules, results and messages are the handlers'.
 */
enum { OPT_VALUE, OPT_TRUE, OPT_STDIN };	/* --x V, --x, --x-stdin */

struct api_opt {
	const char	*flag;
	const char	*field;
	int		 kind;
};

struct api_cmd {
	const char		*words;
	enum http_method	 method;
	const char		*path;
	const char		*fields[2];
	const struct api_opt	*opts;
	const char		*ask;	/* a field read from the terminal
					 * unless an OPT_STDIN gives it */
	int			(*ok)(const char *);	/* of argument 2
							 * (a webhook id) */
	void			(*text)(const json_t *); /* NULL: silent */
	int			 quiet;	/* --json shows nothing either */
	int			 named;	/* refusals start "<argument 1>: " */
};

static void
print_user(const json_t *u)
{
	char when[32];

	printf("name:     %s\nemail:    %s\nenabled:  %s\n"
	    "admin:    %s\ncreated:  %s\n\n",
	    ctl_str(u, "name"), ctl_str(u, "email"),
	    json_is_true(json_object_get(u, "enabled")) ? "yes" : "no",
	    json_is_true(json_object_get(u, "admin")) ? "yes" : "no",
	    ctl_time(json_object_get(u, "created"), when, sizeof(when)));
	ctl_print_map(json_object_get(u, "perms"), "SCOPE", "ACCESS");
}

static void
print_grants(const json_t *perms)
{
	ctl_print_map(perms, "SCOPE", "ACCESS");
}

static void
print_hooks(const json_t *list)
{
	const json_t *h, *e;
	size_t i, j;

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

static void
print_id(const json_t *h)
{
	printf("%s\n", ctl_str(h, "id"));
}

static const struct api_opt user_opts[] = {
	{ "--email", "email", OPT_VALUE }, { "--admin", "admin", OPT_TRUE },
	{ "--password-stdin", "password", OPT_STDIN }, { NULL, NULL, 0 } };
/* --secret shows the secret to ps and the shell history (for scripts) */
static const struct api_opt hook_opts[] = {
	{ "--events", "events", OPT_VALUE },
	{ "--secret", "secret", OPT_VALUE },
	{ "--secret-stdin", "secret", OPT_STDIN }, { NULL, NULL, 0 } };

static const struct api_cmd api[] = {
	{ "user add %", HTTP_POST, "users", { "username" }, user_opts,
	    .ask = "password", .named = 1 },
	{ "user show %", HTTP_GET, "users/%", .text = print_user, .named = 1 },
	{ "user enable %", HTTP_PUT, "users/%/enable", .named = 1 },
	{ "user disable %", HTTP_PUT, "users/%/disable", .named = 1 },
	{ "user admin % on", HTTP_PUT, "users/%/admin", .named = 1 },
	{ "user admin % off", HTTP_DELETE, "users/%/admin", .named = 1 },
	{ "user del %", HTTP_DELETE, "users/%", .quiet = 1, .named = 1 },
	{ "perm set % % %", HTTP_PUT, "users/%/permissions",
	    { "repo", "access" }, .named = 1 },
	{ "perm rm % %", HTTP_DELETE, "users/%/permissions/@", .named = 1 },
	{ "perm list %", HTTP_GET, "users/%/permissions",
	    .text = print_grants, .named = 1 },
	{ "webhook add % %", HTTP_POST, "webhooks/@", { "url" }, hook_opts,
	    .text = print_id },
	{ "webhook list %", HTTP_GET, "webhooks/@", .text = print_hooks },
	/* DELETE /webhooks/<name>/<not an id> removes all of <name>/<that> */
	{ "webhook rm % %", HTTP_DELETE, "webhooks/@/%", .ok = hook_id_ok,
	    .quiet = 1 },
	{ "webhook ping % %", HTTP_POST, "webhooks/@/%/ping", .quiet = 1 },
	{ "webhook history % %", HTTP_GET, "webhooks/@/%/history",
	    .text = ctl_print_json },
};

/* Match argv against c's words: the arguments into args, the number of
 * words used, or 0. */
static int
match(const struct api_cmd *c, int argc, char **argv, char **args)
{
	const char *p = c->words;
	int i, len;

	for (i = 0; *p != '\0'; i++, p += len + (p[len] == ' ')) {
		len = (int)strcspn(p, " ");
		if (i >= argc)
			return 0;
		if (len == 1 && *p == '%')
			*args++ = argv[i];
		else if ((int)strlen(argv[i]) != len ||
		    strncmp(p, argv[i], len) != 0)
			return 0;
	}
	return i;
}

/* Lay the path out as req's segments. 0 ok, -1 too long. */
static int
lay_path(struct http_req *req, const char *path, char **args)
{
	char *b = req->pathbuf, *e;
	size_t left = sizeof(req->pathbuf), len, n;
	const char *p, *s;
	int split;

	for (p = path; *p != '\0'; p += len + (p[len] == '/')) {
		len = strcspn(p, "/");
		split = len == 1 && *p == '@';
		s = len == 1 && (*p == '%' || split) ? *args++ : p;
		n = s == p ? len : strlen(s);
		if (n >= left || req->nseg == LIM_SEGMENTS)
			return -1;
		memcpy(b, s, n);
		b[n] = '\0';
		req->seg[req->nseg++] = b;
		for (e = b; split && (e = strchr(e, '/')) != NULL; ) {
			*e++ = '\0';
			if (req->nseg == LIM_SEGMENTS)
				return -1;
			req->seg[req->nseg++] = e;
		}
		b += n + 1;
		left -= n + 1;
	}
	return 0;
}

/* Run one request through the router as the host's administrator.
 * The status, with *out the JSON answer (NULL when none). */
static int
call(const struct ctl *ctl, const struct api_cmd *c, char **args,
    const json_t *body, json_t **out)
{
	struct http_req req = { .method = c->method, .content_length = -1 };
	struct http_resp resp;
	struct ctx ctx = { .cfg = ctl->cfg, .req = &req, .resp = &resp,
	    .local = 1 };

	*out = NULL;
	http_resp_init(&resp);
	if (lay_path(&req, c->path, args) == -1)
		return 414;
	if (body != NULL && (req.body = json_dumps(body, JSON_COMPACT)) ==
	    NULL)
		return 503;
	req.body_len = req.body ? strlen(req.body) : 0;
	route_dispatch(&ctx);
	if (resp.body != NULL)
		*out = json_loadb(resp.body, resp.body_len, JSON_DECODE_ANY,
		    NULL);
	if (req.body != NULL)
		bytes_wipe(req.body, req.body_len);	/* secrets */
	http_req_free(&req);
	http_resp_free(&resp);
	return resp.status;
}

/* The body of c: its fields from the arguments after the path's, then
 * its options and what it asks for. 0 ok, or the exit status. */
static int
make_body(const struct api_cmd *c, char **args, int argc, char **argv,
    char *secret, size_t len, json_t *body)
{
	const struct api_opt *o;
	const char *p, *from_stdin = NULL, *field;
	char **rest = args;
	int i;

	for (p = c->path; *p != '\0'; p++)
		rest += *p == '%' || *p == '@';
	for (i = 0; i < (int)LEN(c->fields) && c->fields[i] != NULL; i++)
		json_object_set_new(body, c->fields[i], json_string(rest[i]));
	for (i = 0; i < argc; i++) {
		for (o = c->opts; o != NULL && o->flag != NULL; o++)
			if (strcmp(argv[i], o->flag) == 0 && (o->kind !=
			    OPT_VALUE || i + 1 < argc) &&
			    json_object_get(body, o->field) == NULL)
				break;
		if (o == NULL || o->flag == NULL)
			return ctl_usage();
		if (o->kind == OPT_STDIN)
			from_stdin = o->field;
		json_object_set_new(body, o->field, o->kind == OPT_VALUE ?
		    json_string(argv[++i]) : json_true());
	}
	if ((field = from_stdin ? from_stdin : c->ask) == NULL)
		return 0;
	json_object_del(body, field);	/* the option's true: read it */
	/* a bad user name is refused (by the handler) before the password
	 * is asked for */
	if (c->ask != NULL && !name_user_ok(args[0]))
		return 0;
	if (ctl_read_password(from_stdin != NULL, secret, len) == -1)
		return ctl_refuse("cannot read a %s", field);
	json_object_set_new(body, field, json_string(secret));
	return 0;
}

int
ctl_api_group(const char *word)
{
	size_t i, n = strlen(word);

	for (i = 0; i < LEN(api); i++)
		if (strncmp(api[i].words, word, n) == 0 &&
		    api[i].words[n] == ' ')
			return 1;
	return 0;
}

int
ctl_api(const struct ctl *ctl, int argc, char **argv)
{
	const struct api_cmd *c;
	char *args[4], secret[LIM_URL + 2] = "";
	const char *why;
	json_t *body = json_object(), *out = NULL;
	int used = 0, rc, status;

	for (c = api; c < api + LEN(api); c++)
		if ((used = match(c, argc, argv, args)) > 0 &&
		    (used == argc || c->opts != NULL))
			break;
	if (c == api + LEN(api))
		rc = ctl_usage();
	else if (c->ok != NULL && !c->ok(args[1]))
		rc = ctl_refuse("%s", result_msg(RES_NOHOOK));
	else if ((rc = make_body(c, args, argc - used, argv + used, secret,
	    sizeof(secret), body)) == 0) {
		status = call(ctl, c, args, c->fields[0] || c->opts ? body :
		    NULL, &out);
		why = json_string_value(json_object_get(out, "error"));
		if (status >= 300)
			rc = ctl_refuse("%s%s%s", c->named ? args[0] : "",
			    c->named ? ": " : "", why ? why :
			    http_reason(status));
		else if (ctl->json && !c->quiet)
			ctl_print_json(out);
		else if (!ctl->json && c->text != NULL)
			c->text(out);
	}
	bytes_wipe(secret, sizeof(secret));
	json_decref(body);
	json_decref(out);
	return rc;
}
