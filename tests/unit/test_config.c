/*
 * test_config: every key, every kind of bad value, file and line in
 * errors.
 */
#include <sys/stat.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <arpa/inet.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "net.h"
#include "t.h"

static const struct {
	const char	*text;
	const char	*err;	/* NULL: parses; else a substring of the error */
} cases[] = {
	{ "", NULL },
	{ "# comment\n\n   # indented comment\n", NULL },
	{ "database = /a/b.db\nspool=/s\nregistries = r1:5000,r2\n", NULL },
	{ "allow_registration = no\nnew_accounts_enabled = yes\n"
	    "own_namespace = off\nadmin_api = 0\nwebhooks = true\n", NULL },
	{ "token_ttl = 1\nwebhook_timeout = 300\nwebhook_attempts = 100\n"
	    "webhook_history = 0\nidle_timeout = 25\nmax_body = 67108864\n"
	    "token_v2_ttl = 60\n", NULL },
	{ "scrypt = 1024:8:1\n", NULL },
	{ "token_issuer = dindex\ntoken_service = registry\n"
	    "token_key = /k.pem\ntoken_cert = /c.pem\nnotify_secret = s#1\n",
	    NULL },
	{ "webhook_allow_networks = 127.0.0.0/8, ::1/128,10.0.0.0/8\n", NULL },
	{ "webhook_allow_networks =\n", NULL },
	{ "\nwebhook_allow_networks = 127.0.0.0/33\n",
	    "t.conf:2: webhook_allow_networks: '127.0.0.0/33' is not a "
	    "list of networks" },
	{ "webhook_allow_networks = localhost\n", "' is not " },
	{ "bogus = 1\n", "t.conf:1: unknown key 'bogus'" },
	{ "\n\ndatabase = relative.db\n", "t.conf:3: database: 'relative.db' is not an absolute path" },
	{ "token_kid = libtrust\n", NULL },
	{ "token_kid = thumbprint\n", NULL },
	{ "token_kid = Thumbprint\n", "' is not " },
	{ "token_kid = \n", "' is not " },
	{ "token_kid = thumbprints\n", "' is not " },
	{ "access_token_max_days = 0\n", NULL },
	{ "access_token_max_days = 36500\n", NULL },
	{ "access_token_max_days = 36501\n", "' is not " },
	{ "access_token_max_days = -1\n", "' is not " },
	{ "ui_session_ttl = 60\n", NULL },
	{ "ui_session_ttl = 86400\n", NULL },
	{ "ui_session_ttl = 59\n", "' is not " },
	{ "ui_session_ttl = 86401\n", "' is not " },
	{ "ui_dir = /srv/ui\n", NULL },
	{ "ui_dir = src/ui\n", "absolute" },
	{ "token_ttl = 0\n", "token_ttl: '0' is not between 1 and 86400" },
	{ "token_ttl = 86401\n", "' is not " },
	{ "token_ttl = -5\n", "' is not " },
	{ "token_ttl = 5x\n", "' is not " },
	{ "token_ttl = 99999999999999999999999\n", "' is not " },
	{ "idle_timeout = 26\n", "'26' is not between 1 and 25" },
	{ "max_body = 67108865\n", "' is not " },
	{ "webhooks = maybe\n", "webhooks: 'maybe' is not yes or no" },
	{ "scrypt = 1000:8:1\n", "scrypt: '1000:8:1' is not N:r:p" },
	{ "scrypt = 1024:0:1\n", "' is not " },
	{ "scrypt = 1024:8\n", "' is not " },
	{ "scrypt = 2097152:8:1\n", "' is not " },
	{ "registries = \n", "' is not " },
	{ "registries = a,,b\n", "' is not " },
	{ "registries = a b\n", "'a b' is not host[:port] items" },
	{ "token_ttl = 5\ntoken_ttl = 6\n", "t.conf:2: key given twice" },
	{ "database\n", "expected 'key = value'" },
	{ "database = /x\r\n", "NUL or CR" },
	{ "trusted_proxies = 127.0.0.1\n", NULL },
	{ "trusted_proxies = 127.0.0.0/8,::1/128,10.1.0.0/16,0.0.0.0/0\n", NULL },
	{ "trusted_proxies = fd00::/8,192.0.2.7/32\n", NULL },
	{ "trusted_proxies = \n", NULL },	/* none, as by default */
	{ "trusted_proxies = 127.0.0.1/33\n", "' is not " },
	{ "trusted_proxies = ::/129\n", "' is not " },
	{ "trusted_proxies = 127.0.0.1/8\n", "' is not " },	/* host bits */
	{ "trusted_proxies = 127.0.0.0/08\n", "' is not " },
	{ "trusted_proxies = 127.0.0.0/\n", "' is not " },
	{ "trusted_proxies = 127.0.0.0/8,\n", "' is not " },
	{ "trusted_proxies = 127.0.0.0/8,,::1\n", "' is not " },
	{ "trusted_proxies = 127.0.0.0/8, ::1\n", NULL },	/* net.c's lists */
	{ "trusted_proxies = localhost\n", "' is not " },
	{ "metrics_file = \n", NULL },	/* off */
	{ "metrics_file = m.prom\n", "'m.prom' is not an absolute path" },
	{ "database = \n", "database: '' is not an absolute path" },
};

/* A file of exactly size bytes of comment lines. */
static void
write_conf(const char *path, size_t size)
{
	FILE *fp = fopen(path, "w");
	size_t i;

	for (i = 0; fp != NULL && i < size; i++)
		fputc(i == size - 1 || i % 80 == 79 ? '\n' : i % 80 ? 'x' :
		    '#', fp);
	T(fp != NULL && fclose(fp) == 0);
}

/* config_load: regular files up to LIM_CONF_FILE bytes only; a FIFO is
 * refused at once (alarm: a hang kills the test). */
static void
test_load(void)
{
	char dir[] = "/tmp/test_config.XXXXXX", path[64];
	struct config c;

	T(mkdtemp(dir) != NULL);
	snprintf(path, sizeof(path), "%s/c", dir);
	write_conf(path, LIM_CONF_FILE);
	T(config_load(path, &c) == 0);
	write_conf(path, LIM_CONF_FILE + 1);
	T(config_load(path, &c) == -1);
	T(unlink(path) == 0 && mkfifo(path, 0600) == 0);
	alarm(5);
	T(config_load(path, &c) == -1);
	alarm(0);
	T(config_load(dir, &c) == -1);
	T(unlink(path) == 0 && rmdir(dir) == 0);
}

/* an address in the trusted networks? */
static int
has(const struct config *c, const char *addr)
{
	struct sockaddr_in6 s6 = { .sin6_family = AF_INET6 };
	struct sockaddr_in s4 = { .sin_family = AF_INET };

	if (inet_pton(AF_INET, addr, &s4.sin_addr) == 1)
		return net_addr_in((struct sockaddr *)&s4, c->trusted_proxies);
	if (inet_pton(AF_INET6, addr, &s6.sin6_addr) == 1)
		return net_addr_in((struct sockaddr *)&s6, c->trusted_proxies);
	return -1;
}

int
main(void)
{
	struct config c;
	char err[256], big[LIM_CONF_VALUE + 32];
	size_t i;
	int rc;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		config_defaults(&c);
		err[0] = '\0';
		rc = config_parse(cases[i].text, strlen(cases[i].text),
		    "t.conf", &c, err, sizeof(err));
		if (cases[i].err == NULL)
			T(rc == 0);
		else
			T(rc == -1 && strstr(err, cases[i].err) != NULL);
		if ((rc == 0) != (cases[i].err == NULL) || (rc && cases[i].err &&
		    !strstr(err, cases[i].err)))
			fprintf(stderr, "case %zu: %s\n", i, err);
	}
	config_defaults(&c);
	T(c.scrypt_n == 16384 && c.scrypt_r == 8 && c.scrypt_p == 1);
	T(c.token_ttl == 600 && c.idle_timeout == 10 && c.max_body == 1048576);
	T(c.allow_registration && !c.new_accounts_enabled && c.own_namespace);
	T(c.access_token_max_days == 365);
	T(c.ui_session_ttl == 3600 &&
	    strcmp(c.ui_dir, "/usr/local/share/dindex/ui") == 0);
	T(strcmp(c.database, "/var/lib/dindex/index.db") == 0);
	config_parse("scrypt = 1024:4:2\nnotify_secret = a b\n", 38, "x", &c,
	    err, sizeof(err));
	T(c.scrypt_n == 1024 && c.scrypt_r == 4 && c.scrypt_p == 2);
	T(strcmp(c.notify_secret, "a b") == 0);
	/* a secret too long is refused without being echoed */
	snprintf(big, sizeof(big), "notify_secret = %0*d\n", LIM_CONF_VALUE,
	    7);
	T(config_parse(big, strlen(big), "x", &c, err, sizeof(err)) == -1);
	T(strstr(err, "notify_secret is too long") && !strstr(err, "0000"));
	/* strings go into JSON: bytes that are not UTF-8 are refused */
	T(config_parse("token_issuer = a\xff\n", 17, "x", &c, err,
	    sizeof(err)) == -1 && strstr(err, "token_issuer is too long or "
	    "not UTF-8"));
	T(c.token_kid == 0);	/* libtrust by default */
	config_parse("token_kid = thumbprint\n", 23, "x", &c, err, sizeof(err));
	T(c.token_kid == 1);
	test_load();
	T(has(&c, "127.0.0.1") == 0);
	config_parse("trusted_proxies = 10.1.16.0/20,::1,192.0.2.8/31\n", 47,
	    "x", &c, err, sizeof(err));
	T(has(&c, "10.1.16.0") == 1 && has(&c, "10.1.31.255") == 1);
	T(has(&c, "10.1.32.0") == 0 && has(&c, "10.1.15.255") == 0);
	T(has(&c, "::1") == 1 && has(&c, "::2") == 0 && has(&c, "0.0.0.1") == 0);
	T(has(&c, "192.0.2.9") == 1 && has(&c, "192.0.2.10") == 0);
	T(has(&c, "::ffff:10.1.16.1") == 1);	/* net.c: mapped is v4 */
	config_parse("trusted_proxies = 0.0.0.0/0\n", 28, "x", &c, err,
	    sizeof(err));
	T(has(&c, "203.0.113.1") == 1 && has(&c, "::1") == 0);
	return t_done();
}
