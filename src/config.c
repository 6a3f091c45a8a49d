/*
 * config: parse the "key = value" file shared by the three programs.
 * Full-line comments only ('#' after optional blanks), so a value may
 * hold any printable byte. Every key may appear once; unknown keys, bad
 * values, CR and NUL bytes are errors naming file and line.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "config.h"
#include "http.h"
#include "log.h"
#include "net.h"

#ifndef DINDEX_UI_DIR
#define DINDEX_UI_DIR	"/usr/local/share/dindex/ui"	/* $(PREFIX)/... */
#endif
#ifndef DINDEX_DESCRIBE
#define DINDEX_DESCRIBE	""	/* " (git describe)" in a checkout */
#endif

enum kind { K_BOOL, K_LONG, K_STR, K_PATH, K_SCRYPT, K_LIST, K_NETS,
	K_KID };

struct key {
	const char	*name;
	enum kind	 kind;
	const char	*def;	/* parsed like a file's value; "" unset */
	size_t		 off;	/* offsetof the field in struct config */
	size_t		 size;	/* string fields: buffer size */
	long		 min, max;
};

#define F(f)	offsetof(struct config, f)
#define S(f)	F(f), sizeof(((struct config *)0)->f), 0, 0	/* a string */
#define B(f)	F(f), 0, 0, 0					/* a bool */
#define L(f, lo, hi)	F(f), 0, lo, hi				/* a number */
#define E(f)	F(f), sizeof(((struct config *)0)->f), 1, 0	/* "" allowed */
static const struct key keys[] = {
	{ "database", K_PATH, "/var/lib/dindex/index.db", S(database) },
	{ "spool", K_PATH, "/var/spool/dindex", S(spool) },
	{ "registries", K_LIST, "localhost:5000", S(registries) },
	{ "allow_registration", K_BOOL, "yes", B(allow_registration) },
	{ "new_accounts_enabled", K_BOOL, "no", B(new_accounts_enabled) },
	{ "own_namespace", K_BOOL, "yes", B(own_namespace) },
	{ "token_ttl", K_LONG, "600", L(token_ttl, 1, 86400) },
	{ "scrypt", K_SCRYPT, "16384:8:1", 0, 0, 0, 0 },
	{ "admin_api", K_BOOL, "yes", B(admin_api) },
	{ "webhooks", K_BOOL, "yes", B(webhooks) },
	{ "webhook_timeout", K_LONG, "5", L(webhook_timeout, 1, 300) },
	{ "webhook_attempts", K_LONG, "8", L(webhook_attempts, 1, 100) },
	{ "webhook_history", K_LONG, "30", L(webhook_history, 0, 1000) },
	{ "idle_timeout", K_LONG, "10", L(idle_timeout, 1, LIM_IDLE_MAX) },
	{ "max_body", K_LONG, "1048576", L(max_body, 1, LIM_MAX_BODY) },
	{ "token_issuer", K_STR, "", S(token_issuer) },
	{ "token_service", K_STR, "", S(token_service) },
	{ "token_key", K_PATH, "", S(token_key) },
	{ "token_cert", K_PATH, "", S(token_cert) },
	{ "token_v2_ttl", K_LONG, "900", L(token_v2_ttl, 60, 86400) },
	{ "token_kid", K_KID, "libtrust", B(token_kid) },
	{ "refresh_ttl", K_LONG, "2592000", L(refresh_ttl, 60, 31536000) },
	{ "access_token_max_days", K_LONG, "365", L(access_token_max_days, 0,
	    LIM_ATOK_DAYS) },
	{ "notify_secret", K_STR, "", S(notify_secret) },
	{ "webhook_allow_networks", K_NETS, "", S(webhook_allow_networks) },
	{ "trusted_proxies", K_NETS, "", S(trusted_proxies) },
	{ "metrics_file", K_PATH, "/var/lib/prometheus/node-exporter/"
	    "dindex.prom", E(metrics_file) },
	{ "ui_dir", K_PATH, DINDEX_UI_DIR, S(ui_dir) },
	{ "ui_session_ttl", K_LONG, "3600", L(ui_session_ttl, 60, 86400) },
};

/* What each kind allows, for the message about a bad value. */
static const char *const allowed[] = {
	[K_BOOL] = "is not yes or no", [K_LONG] = "is not between %ld and %ld",
	[K_STR] = "is too long or not UTF-8", [K_PATH] = "is not an absolute path",
	[K_SCRYPT] = "is not N:r:p (N a power of 2 up to 2^20, r, p 1..255)",
	[K_LIST] = "is not host[:port] items split by ',' without blanks",
	[K_NETS] = "is not a list of networks (address/bits, host bits 0)",
	[K_KID] = "is not libtrust or thumbprint",
};

static int
parse_bool(const char *v, int *out)
{
	static const char *const words[] = { "no", "yes", "false", "true",
	    "off", "on", "0", "1" };
	size_t i;

	for (i = 0; i < LEN(words); i++)
		if (strcmp(v, words[i]) == 0)
			return *out = i % 2, 0;
	return -1;
}

static int
parse_scrypt(const char *v, struct config *c)
{
	const char *a = strchr(v, ':'), *b = a ? strchr(a + 1, ':') : NULL;
	long n, r, p;

	if (b == NULL)
		return -1;
	n = (long)http_decimal(v, a - v);
	r = (long)http_decimal(a + 1, b - a - 1);
	p = (long)http_decimal(b + 1, strlen(b + 1));
	if (n < 2 || n > (1L << 20) || (n & (n - 1)) != 0 || r < 1 ||
	    r > 255 || p < 1 || p > 255)
		return -1;
	c->scrypt_n = n;
	c->scrypt_r = r;
	c->scrypt_p = p;
	return 0;
}

/* host[:port](,host[:port])*: no blanks, no empty items. */
static int
list_ok(const char *v)
{
	const char *p;

	if (*v == '\0' || *v == ',' || v[strlen(v) - 1] == ',')
		return 0;
	for (p = v; *p; p++)
		if (*p <= ' ' || *p == '/' || (*p == ',' && p[1] == ','))
			return 0;
	return 1;
}

static int
set_value(const struct key *k, const char *v, struct config *c)
{
	char *field = (char *)c + k->off;
	json_t *j;
	long n;

	switch (k->kind) {
	case K_BOOL:
		return parse_bool(v, (int *)(void *)field);
	case K_LONG:
		if ((n = (long)http_decimal(v, strlen(v))) < k->min ||
		    n > k->max)
			return -1;
		*(long *)(void *)field = n;
		return 0;
	case K_SCRYPT:
		return parse_scrypt(v, c);
	case K_KID:	/* enum jwt_kid: libtrust 0, thumbprint 1 */
		n = strcmp(v, "thumbprint") == 0;
		*(int *)(void *)field = (int)n;
		return n || strcmp(v, "libtrust") == 0 ? 0 : -1;
	case K_PATH:
		if (v[0] != '/' && !(v[0] == '\0' && k->min == 1))
			return -1;
		break;
	case K_LIST:
		if (!list_ok(v))
			return -1;
		break;
	case K_NETS:
		if (net_list_parse(v) == -1)
			return -1;
		break;
	case K_STR:	/* it goes into JSON (claims, payloads): UTF-8 */
		if ((j = json_string(v)) == NULL)
			return -1;
		json_decref(j);
		break;
	}
	if (strlen(v) >= k->size)
		return -1;
	memcpy(field, v, strlen(v) + 1);
	return 0;
}

void
config_defaults(struct config *c)
{
	size_t i;

	memset(c, 0, sizeof(*c));
	for (i = 0; i < LEN(keys); i++)
		if (keys[i].def[0] != '\0')
			set_value(&keys[i], keys[i].def, c);
}

static char *
trim(char *s)
{
	char *e;

	while (*s == ' ' || *s == '\t')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t'))
		*--e = '\0';
	return s;
}

/* One line (NUL-terminated, no newline). NULL ok, else the reason
 * (static, or in why). */
static const char *
parse_line(char *line, struct config *c, unsigned char *seen, char *why,
    size_t len)
{
	char *eq, *key, *val, fmt[128];
	size_t i;

	key = trim(line);
	if (*key == '\0' || *key == '#')
		return NULL;
	if ((eq = strchr(key, '=')) == NULL)
		return "expected 'key = value'";
	*eq = '\0';
	key = trim(key);
	val = trim(eq + 1);
	for (i = 0; i < LEN(keys); i++)
		if (strcmp(key, keys[i].name) == 0)
			break;
	if (i == LEN(keys))
		return "unknown key";
	if (seen[i]++)
		return "key given twice";
	if (set_value(&keys[i], val, c) == 0)
		return NULL;
	/* a string may be a secret (notify_secret): never echoed */
	snprintf(fmt, sizeof(fmt), keys[i].kind == K_STR ? "%%s %s" :
	    "%%s: '%%.64s' %s", allowed[keys[i].kind]);
	snprintf(why, len, fmt, key, val, keys[i].min, keys[i].max);
	return why;
}

int
config_parse(const char *text, size_t len, const char *name,
    struct config *c, char *err, size_t errlen)
{
	unsigned char seen[LEN(keys)] = { 0 };
	char line[LIM_CONF_LINE + 1], key[64], bad[256];
	const char *p = text, *end = text + len, *nl, *why;
	size_t n, lineno;

	for (lineno = 1; p < end; lineno++, p = nl + 1) {
		if ((nl = memchr(p, '\n', end - p)) == NULL)
			nl = end;
		n = nl - p;
		key[0] = '\0';
		if (n > LIM_CONF_LINE)
			why = "line too long";
		else if (memchr(p, '\0', n) || memchr(p, '\r', n))
			why = "NUL or CR byte";
		else {
			memcpy(line, p, n);
			line[n] = '\0';
			/* the key, for the message, before parsing cuts it */
			snprintf(key, sizeof(key), "%.*s",
			    (int)strcspn(line + strspn(line, " \t"), " \t="),
			    line + strspn(line, " \t"));
			why = parse_line(line, c, seen, bad, sizeof(bad));
			if (why == bad)
				key[0] = '\0';	/* the message names it */
		}
		if (why != NULL) {
			snprintf(err, errlen, "%s:%zu: %s%s%s%s", name, lineno,
			    why, key[0] ? " '" : "", key, key[0] ? "'" : "");
			return -1;
		}
	}
	return 0;
}

int
config_help(int argc, char **argv, const char *prog, const char *usage)
{
	int i;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--help") == 0 ||
		    strcmp(argv[i], "-h") == 0) {
			fputs(usage, stdout);
			return 1;
		}
		if (strcmp(argv[i], "--version") == 0) {
			printf("%s %s%s\n", prog, DINDEX_VERSION, DINDEX_DESCRIBE);
			return 1;
		}
	}
	return 0;
}

int
config_options(int argc, char **argv, const char *prog, const char *usage,
    const char **path)
{
	int ch;

	if (config_help(argc, argv, prog, usage))
		return 1;
	while ((ch = getopt(argc, argv, "c:")) == 'c')
		*path = optarg;
	/* an operand is no config file: refused, not ignored */
	if (ch != -1 || optind < argc) {
		fputs(usage, stderr);
		return -1;
	}
	return 0;
}

const char *
config_path(const char *path)
{
	const char *env = getenv("DINDEX_CONFIG");

	return path != NULL ? path : env != NULL ? env : CONFIG_DEFAULT_PATH;
}

int
config_load(const char *path, struct config *c)
{
	char *buf = NULL, err[LIM_PATH + 128];
	struct stat sb;
	ssize_t n = 0;
	size_t len = 0;
	int fd, rc = -1;

	path = config_path(path);
	config_defaults(c);
	/* O_NONBLOCK: opening a FIFO must not wait for a writer */
	if ((fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)) == -1) {
		log_msg(LOG_ERR, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (fstat(fd, &sb) == -1 || !S_ISREG(sb.st_mode)) {
		log_msg(LOG_ERR, "%s: not a regular file", path);
		goto out;
	}
	/* one byte more than the limit, to tell "at most" from "more" */
	if ((buf = malloc(LIM_CONF_FILE + 1)) == NULL) {
		log_msg(LOG_ERR, "%s: out of memory", path);
		goto out;
	}
	while (len <= LIM_CONF_FILE &&
	    (n = read(fd, buf + len, LIM_CONF_FILE + 1 - len)) > 0)
		len += (size_t)n;
	if (n == -1)
		log_msg(LOG_ERR, "%s: %s", path, strerror(errno));
	else if (len > LIM_CONF_FILE)
		log_msg(LOG_ERR, "%s: larger than %d bytes", path,
		    LIM_CONF_FILE);
	else if (config_parse(buf, len, path, c, err, sizeof(err)) == -1)
		log_msg(LOG_ERR, "%s", err);
	else
		rc = 0;
out:
	free(buf);
	close(fd);
	return rc;
}
