/*
 * config: parse the "key = value" file shared by the three programs.
 * Full-line comments only ('#' after optional blanks), so a value may
 * hold any printable byte. Every key may appear once; unknown keys, bad
 * values, CR and NUL bytes are errors naming file and line.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "log.h"
#include "net.h"

enum kind { K_BOOL, K_LONG, K_STR, K_PATH, K_SCRYPT, K_LIST, K_NETS };

struct key {
	const char	*name;
	enum kind	 kind;
	size_t		 off;	/* offsetof the field in struct config */
	size_t		 size;	/* string fields: buffer size */
	long		 min, max;
};

#define F(f)	offsetof(struct config, f)
#define S(f)	sizeof(((struct config *)0)->f)
static const struct key keys[] = {
	{ "database", K_PATH, F(database), S(database), 0, 0 },
	{ "spool", K_PATH, F(spool), S(spool), 0, 0 },
	{ "registries", K_LIST, F(registries), S(registries), 0, 0 },
	{ "allow_registration", K_BOOL, F(allow_registration), 0, 0, 0 },
	{ "new_accounts_enabled", K_BOOL, F(new_accounts_enabled), 0, 0, 0 },
	{ "own_namespace", K_BOOL, F(own_namespace), 0, 0, 0 },
	{ "token_ttl", K_LONG, F(token_ttl), 0, 1, 86400 },
	{ "scrypt", K_SCRYPT, 0, 0, 0, 0 },
	{ "admin_api", K_BOOL, F(admin_api), 0, 0, 0 },
	{ "webhooks", K_BOOL, F(webhooks), 0, 0, 0 },
	{ "webhook_timeout", K_LONG, F(webhook_timeout), 0, 1, 300 },
	{ "webhook_attempts", K_LONG, F(webhook_attempts), 0, 1, 100 },
	{ "webhook_history", K_LONG, F(webhook_history), 0, 0, 1000 },
	{ "idle_timeout", K_LONG, F(idle_timeout), 0, 1, LIM_IDLE_MAX },
	{ "max_body", K_LONG, F(max_body), 0, 1, LIM_MAX_BODY },
	{ "token_issuer", K_STR, F(token_issuer), S(token_issuer), 0, 0 },
	{ "token_service", K_STR, F(token_service), S(token_service), 0, 0 },
	{ "token_key", K_PATH, F(token_key), S(token_key), 0, 0 },
	{ "token_cert", K_PATH, F(token_cert), S(token_cert), 0, 0 },
	{ "token_v2_ttl", K_LONG, F(token_v2_ttl), 0, 60, 86400 },
	{ "refresh_ttl", K_LONG, F(refresh_ttl), 0, 60, 31536000 },
	{ "notify_secret", K_STR, F(notify_secret), S(notify_secret), 0, 0 },
	{ "webhook_allow_networks", K_NETS, F(webhook_allow_networks),
	    S(webhook_allow_networks), 0, 0 },
	{ "trusted_proxies", K_NETS, F(trusted_proxies), S(trusted_proxies),
	    0, 0 },
};
#define NKEYS	(sizeof(keys) / sizeof(keys[0]))

void
config_defaults(struct config *c)
{
	memset(c, 0, sizeof(*c));
	snprintf(c->database, sizeof(c->database), "/var/lib/dindex/index.db");
	snprintf(c->spool, sizeof(c->spool), "/var/spool/dindex");
	snprintf(c->registries, sizeof(c->registries), "localhost:5000");
	c->allow_registration = 1;
	c->own_namespace = 1;
	c->token_ttl = 600;
	c->scrypt_n = 16384;
	c->scrypt_r = 8;
	c->scrypt_p = 1;
	c->admin_api = 1;
	c->webhooks = 1;
	c->webhook_timeout = 5;
	c->webhook_attempts = 8;
	c->webhook_history = 30;
	c->idle_timeout = 10;
	c->max_body = 1048576;
	c->token_v2_ttl = 900;
	c->refresh_ttl = 2592000;
}

/* Strict decimal: digits only, no sign, no overflow. */
static int
parse_ulong(const char *s, unsigned long *out)
{
	unsigned long v = 0;

	if (*s == '\0')
		return -1;
	for (; *s >= '0' && *s <= '9'; s++) {
		if (v > (ULONG_MAX - (unsigned long)(*s - '0')) / 10)
			return -1;
		v = v * 10 + (unsigned long)(*s - '0');
	}
	*out = v;
	return *s == '\0' ? 0 : -1;
}

static int
parse_bool(const char *v, int *out)
{
	static const char *const yes[] = { "yes", "true", "on", "1" };
	static const char *const no[] = { "no", "false", "off", "0" };
	size_t i;

	for (i = 0; i < 4; i++) {
		if (strcmp(v, yes[i]) == 0)
			return *out = 1, 0;
		if (strcmp(v, no[i]) == 0)
			return *out = 0, 0;
	}
	return -1;
}

static int
parse_scrypt(const char *v, struct config *c)
{
	unsigned long n, r, p;
	char buf[64], *a, *b;

	if (strlen(v) >= sizeof(buf))
		return -1;
	memcpy(buf, v, strlen(v) + 1);
	if ((a = strchr(buf, ':')) == NULL || (b = strchr(a + 1, ':')) == NULL)
		return -1;
	*a++ = '\0';
	*b++ = '\0';
	if (parse_ulong(buf, &n) || parse_ulong(a, &r) || parse_ulong(b, &p))
		return -1;
	if (n < 2 || n > (1UL << 20) || (n & (n - 1)) != 0 || r < 1 ||
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
	unsigned long n;

	switch (k->kind) {
	case K_BOOL:
		return parse_bool(v, (int *)(void *)field);
	case K_LONG:
		if (parse_ulong(v, &n) || n < (unsigned long)k->min ||
		    n > (unsigned long)k->max)
			return -1;
		*(long *)(void *)field = (long)n;
		return 0;
	case K_SCRYPT:
		return parse_scrypt(v, c);
	case K_PATH:
		if (v[0] != '/')
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
	case K_STR:
		break;
	}
	if (strlen(v) >= k->size)
		return -1;
	memcpy(field, v, strlen(v) + 1);
	return 0;
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

/* One line (NUL-terminated, no newline). NULL ok, else the reason. */
static const char *
parse_line(char *line, struct config *c, unsigned char *seen)
{
	char *eq, *key, *val;
	size_t i;

	key = trim(line);
	if (*key == '\0' || *key == '#')
		return NULL;
	if ((eq = strchr(key, '=')) == NULL)
		return "expected 'key = value'";
	*eq = '\0';
	key = trim(key);
	val = trim(eq + 1);
	for (i = 0; i < NKEYS; i++)
		if (strcmp(key, keys[i].name) == 0)
			break;
	if (i == NKEYS)
		return "unknown key";
	if (seen[i]++)
		return "key given twice";
	if (set_value(&keys[i], val, c) == -1)
		return "bad value";
	return NULL;
}

int
config_parse(const char *text, size_t len, const char *name,
    struct config *c, char *err, size_t errlen)
{
	unsigned char seen[NKEYS] = { 0 };
	char line[LIM_CONF_LINE + 1], key[64];
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
			why = parse_line(line, c, seen);
		}
		if (why != NULL) {
			snprintf(err, errlen, "%s:%zu: %s%s%s%s", name, lineno,
			    why, key[0] ? " '" : "", key, key[0] ? "'" : "");
			return -1;
		}
	}
	return 0;
}

/* O_NONBLOCK: opening a FIFO must not wait for a writer; then only a
 * regular file of at most LIM_CONF_FILE bytes is read. */
int
config_load(const char *path, struct config *c)
{
	char *buf = NULL, err[LIM_PATH + 128];
	struct stat sb;
	ssize_t n = 0;
	size_t len = 0;
	int fd, rc = -1;

	if (path == NULL && (path = getenv("DINDEX_CONFIG")) == NULL)
		path = CONFIG_DEFAULT_PATH;
	config_defaults(c);
	if ((fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)) == -1) {
		log_msg(LOG_ERR, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (fstat(fd, &sb) == -1 || !S_ISREG(sb.st_mode)) {
		log_msg(LOG_ERR, "%s: not a regular file", path);
		goto out;
	}
	/* one byte more than the limit, to tell "at most" from "more" */
	if ((buf = malloc(LIM_CONF_FILE + 1)) == NULL)
		goto out;
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
