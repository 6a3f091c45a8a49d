/*
 * dindexctl: local administration of the database and the spool.
 * Exit status: 0 done, 1 refused (one line on stderr), 2 usage.
 * Works while dindex serves: every command is one store transaction under
 * the lock the handler takes. This file only wires the command modules:
 * the commands below are the host's only, never served on the socket;
 * every other one is a management API call (ctl.c).
 */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "ctl.h"
#include "lim.h"
#include "log.h"

static const struct {
	const char	*group;
	const char	*word;	/* NULL: the whole group */
	int		(*fn)(const struct ctl *, int, char **);
	int		 opens;	/* opens its FILE, then ctl_become_owner */
} host[] = {
	{ "init", NULL, ctl_init, 0 },
	{ "user", "list", ctl_user_list, 0 },
	{ "user", "passwd", ctl_user_passwd, 0 },
	{ "repo", NULL, ctl_repo, 0 },
	{ "token", NULL, ctl_token, 0 },
	{ "dump", NULL, ctl_dump, 1 },
	{ "load", NULL, ctl_load, 1 },
	{ "check", NULL, ctl_check, 0 },
	{ "spool", NULL, ctl_spool, 0 },
};

/* The index in host[] of the command argv names, or -1. */
static int
host_command(int argc, char **argv)
{
	size_t c;

	for (c = 0; c < LEN(host); c++)
		if (strcmp(argv[0], host[c].group) == 0 &&
		    (host[c].word == NULL || (argc > 1 &&
		    strcmp(argv[1], host[c].word) == 0)))
			return (int)c;
	return -1;
}

int
main(int argc, char *argv[])
{
	static struct config cfg;
	struct ctl ctl = { .cfg = &cfg };
	const char *path = NULL;
	char *args[64];
	int i, n = 0, c;

	log_open("dindexctl");
	/* options may stand anywhere; what is left is the command */
	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "-c") == 0 && i + 1 < argc)
			path = argv[++i];
		else if (strcmp(argv[i], "--json") == 0)
			ctl.json = 1;
		else if (n < (int)LEN(args) - 1)
			args[n++] = argv[i];
		else
			return ctl_usage();
	}
	args[n] = NULL;
	if (n == 0)
		return ctl_usage();
	/* a file size limit makes writes fail (EFBIG, reported), not kill */
	signal(SIGXFSZ, SIG_IGN);
	if ((c = host_command(n, args)) == -1 && !ctl_api_group(args[0]))
		return ctl_usage();
	if (config_load(path, &cfg) == -1 || ((c == -1 || !host[c].opens) &&
	    ctl_become_owner(&cfg) != 0))
		return CTL_REFUSED;
	return c == -1 ? ctl_api(&ctl, n, args) : host[c].fn(&ctl, n, args);
}
