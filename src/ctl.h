/*
 * ctl: what dindexctl's command modules share. A host-only command is a
 * function taking (ctl, argc, argv) with argv[0] the group word, returning
 * the exit status: 0 done, 1 refused, 2 usage.
 */
#ifndef CTL_H
#define CTL_H

#include <stddef.h>

#include <jansson.h>

#include "config.h"

#define CTL_OK		0
#define CTL_REFUSED	1
#define CTL_USAGE	2

struct ctl {
	const struct config	*cfg;
	int			 json;	/* --json: machine-readable output */
};

/* "dindexctl: <message>" on stderr; returns CTL_REFUSED. */
int	ctl_refuse(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Whether word is a group of the management API's commands. */
int	ctl_api_group(const char *word);
/* Run a management API command (argv[0] the group) through the HTTP
 * handlers in this process as the host's administrator, and show the
 * answer as text or, with --json, as JSON. */
int	ctl_api(const struct ctl *, int argc, char **argv);
/* The usage text on stderr; returns CTL_USAGE. */
int	ctl_usage(void);
/* A password from stdin (one line) or the terminal without echo.
 * 0 ok, -1 no terminal, read error or longer than len - 1. */
int	ctl_read_password(int from_stdin, char *pw, size_t len);
/* Run by root: become the owner of the database's directory (the dindex
 * user of the units), so every file created is theirs to open. dindexctl
 * calls it before each command, except dump and load, which first open
 * their FILE with the caller's rights. 0 done, CTL_REFUSED (said). */
int	ctl_become_owner(const struct config *);
/* Pretty JSON on stdout. */
void	ctl_print_json(const json_t *);
/* The string field key of obj, or "-". */
const char *ctl_str(const json_t *obj, const char *key);
/* A unix time (JSON integer) as UTC text into buf; "-" when absent. */
const char *ctl_time(const json_t *, char *buf, size_t len);
/* A two-column table of an object of strings, sorted by key. */
void	ctl_print_map(const json_t *, const char *head1, const char *head2);

int	ctl_init(const struct ctl *, int argc, char **argv);
/* Host-only commands, never served on the socket. */
int	ctl_user_list(const struct ctl *, int argc, char **argv);
int	ctl_user_passwd(const struct ctl *, int argc, char **argv);
int	ctl_repo(const struct ctl *, int argc, char **argv);
int	ctl_token(const struct ctl *, int argc, char **argv);
int	ctl_dump(const struct ctl *, int argc, char **argv);
int	ctl_load(const struct ctl *, int argc, char **argv);
int	ctl_check(const struct ctl *, int argc, char **argv);
int	ctl_spool(const struct ctl *, int argc, char **argv);

#endif
