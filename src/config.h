/* config: the one configuration file of the three programs (config.c). */
#ifndef CONFIG_H
#define CONFIG_H

#include <stddef.h>
#include <stdint.h>

#include "lim.h"

#define CONFIG_DEFAULT_PATH	"/etc/dindex/dindex.conf"

struct config {
	char		 database[LIM_PATH];
	char		 spool[LIM_PATH];
	char		 registries[LIM_CONF_VALUE];	/* comma list */
	int		 allow_registration;
	int		 new_accounts_enabled;
	int		 own_namespace;
	long		 token_ttl;		/* seconds, 1 .. 86400 */
	uint32_t	 scrypt_n;		/* power of two, >= 2 */
	uint32_t	 scrypt_r;		/* 1 .. 255 */
	uint32_t	 scrypt_p;		/* 1 .. 255 */
	int		 admin_api;
	int		 webhooks;
	long		 webhook_timeout;	/* seconds, 1 .. 300 */
	long		 webhook_attempts;	/* 1 .. 100 */
	long		 webhook_history;	/* 0 .. 1000 */
	long		 idle_timeout;		/* seconds, 1 .. LIM_IDLE_MAX */
	long		 max_body;		/* bytes, 1 .. LIM_MAX_BODY */
	char		 token_issuer[LIM_CONF_VALUE];	/* "" = unset */
	char		 token_service[LIM_CONF_VALUE];
	char		 token_key[LIM_PATH];
	char		 token_cert[LIM_PATH];
	long		 token_v2_ttl;		/* seconds, 60 .. 86400 */
	int		 token_kid;		/* jwt.h's enum jwt_kid */
	long		 refresh_ttl;		/* idle seconds, 60 .. 1 year */
	long		 access_token_max_days;	/* 0: no limit */
	char		 notify_secret[LIM_CONF_VALUE];
	char		 webhook_allow_networks[LIM_CONF_VALUE]; /* CIDRs */
	char		 trusted_proxies[LIM_CONF_VALUE];	/* CIDRs */
	char		 metrics_file[LIM_PATH];	/* "" = off */
	char		 ui_dir[LIM_PATH];	/* the console's files */
	long		 ui_session_ttl;	/* seconds, 60 .. 86400 */
};

void	config_defaults(struct config *);
/* Parse text (not NUL-terminated) into cfg, which holds defaults or earlier
 * values. On error returns -1 and writes "name:line: reason" into err. */
int	config_parse(const char *text, size_t len, const char *name,
	    struct config *cfg, char *err, size_t errlen);
/* The config file to read: path, else $DINDEX_CONFIG, else the default. */
const char *config_path(const char *path);
/* Defaults, then the file config_path(path); -1 (logged) on failure. */
int	config_load(const char *path, struct config *cfg);
/* --help or -h anywhere in argv: usage on stdout; --version: prog and
 * the version. 1 when it answered one of them, else 0. */
int	config_help(int argc, char **argv, const char *prog,
	    const char *usage);
/* The options of dindex and dindex-deliver: config_help, then [-c path]
 * into *path. 0 go on, 1 answered (exit 0), -1 usage (printed). */
int	config_options(int argc, char **argv, const char *prog,
	    const char *usage, const char **path);

#endif
