/*
 * dindexctl: local administration of the database and the spool.
 * Exit status: 0 done, 1 refused (one line on stderr), 2 usage.
 * Works while dindex serves: every command is one store transaction under
 * the lock the handler takes. This file only wires the command modules.
 */
#include <sys/stat.h>

#include <grp.h>
#include <libgen.h>
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
} commands[] = {
	{ "init", ctl_init },
	{ "user", ctl_user },
	{ "perm", ctl_perm },
	{ "repo", ctl_repo },
	{ "token", ctl_token },
	{ "dump", ctl_dump },
	{ "load", ctl_load },
	{ "check", ctl_check },
	{ "webhook", ctl_webhook },
	{ "spool", ctl_spool },
};

/* Run by root, act as the owner of the database's directory (the dindex
 * user of the units), so every file it creates is theirs to open. */
static int
become_owner(const struct config *cfg)
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
	if (config_load(path, &cfg) == -1 || become_owner(&cfg) != 0)
		return CTL_REFUSED;
	for (c = 0; c < sizeof(commands) / sizeof(commands[0]); c++)
		if (strcmp(args[0], commands[c].word) == 0)
			return commands[c].fn(&ctl, n, args);
	return ctl_usage();
}
