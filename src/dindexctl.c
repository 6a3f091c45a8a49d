/*
 * dindexctl: local administration of the database and the spool.
 * Exit status: 0 done, 1 refused (one line on stderr), 2 usage.
 * Works while dindex serves: every command is one store transaction under
 * the lock the handler takes. This file only wires the command modules.
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
	const char	*word;
	int		(*fn)(const struct ctl *, int, char **);
	int		 opens;	/* opens its FILE, then ctl_become_owner */
} commands[] = {
	{ "init", ctl_init, 0 },
	{ "user", ctl_user, 0 },
	{ "perm", ctl_perm, 0 },
	{ "repo", ctl_repo, 0 },
	{ "token", ctl_token, 0 },
	{ "dump", ctl_dump, 1 },
	{ "load", ctl_load, 1 },
	{ "check", ctl_check, 0 },
	{ "webhook", ctl_webhook, 0 },
	{ "spool", ctl_spool, 0 },
};

int
main(int argc, char *argv[])
{
	static struct config cfg;
	struct ctl ctl = { .cfg = &cfg };
	const char *path = NULL;
	char *args[64];
	int i, n = 0;
	size_t c;

	log_open("dindexctl");
	/* options may stand anywhere; what is left is the command */
	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "-c") == 0 && i + 1 < argc)
			path = argv[++i];
		else if (strcmp(argv[i], "--json") == 0)
			ctl.json = 1;
		else if (n < (int)(sizeof(args) / sizeof(args[0])) - 1)
			args[n++] = argv[i];
		else
			return ctl_usage();
	}
	args[n] = NULL;
	if (n == 0)
		return ctl_usage();
	/* a file size limit makes writes fail (EFBIG, reported), not kill */
	signal(SIGXFSZ, SIG_IGN);
	for (c = 0; c < sizeof(commands) / sizeof(commands[0]); c++)
		if (strcmp(args[0], commands[c].word) == 0)
			break;
	if (c == sizeof(commands) / sizeof(commands[0]))
		return ctl_usage();
	if (config_load(path, &cfg) == -1 || (!commands[c].opens &&
	    ctl_become_owner(&cfg) != 0))
		return CTL_REFUSED;
	return commands[c].fn(&ctl, n, args);
}
