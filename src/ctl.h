/*
 * ctl: dindexctl. Every command is a row of ctl.c's table, a management
 * API call or a host-only operation (ctl.c, ctl_db.c); a host-only one
 * gets the command in struct ctl and returns the exit status: 0 done,
 * 1 refused (one line on stderr), 2 usage.
 */
#ifndef CTL_H
#define CTL_H

#include <jansson.h>

#include "config.h"
#include "lim.h"

#define CTL_OK		0
#define CTL_REFUSED	1
#define CTL_USAGE	2

struct ctl {
	const struct config	*cfg;
	int			 json;		/* --json */
	char			**argv;		/* the command's words */
	char			*arg[4];	/* the arguments among them */
	json_t			*opt;		/* the options, by field */
	char			 secret[LIM_URL + 2];	/* read by option */
	json_t			*out;		/* the answer to show */
	const char		*conf;		/* -c FILE, or NULL */
};

int	ctl_main(int argc, char **argv);
/* "dindexctl: <message>" on stderr; returns CTL_REFUSED. */
int	ctl_refuse(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Run by root: become the owner of the database's directory, so every file
 * made is dindex's to open. dump and load open FILE first, as the caller. */
int	ctl_become_owner(const struct config *);
/* fsync the directory holding path, so a file just created or renamed
 * there survives a crash: CTL_OK, or refused with the reason. */
int	ctl_sync_dir_of(const char *path);
void	ctl_print_json(const json_t *);

int	ctl_init(struct ctl *);
int	ctl_dump(struct ctl *);
int	ctl_load(struct ctl *);
int	ctl_check(struct ctl *);
int	ctl_import(struct ctl *);		/* import.c */
int	ctl_expire_legacy(struct ctl *);

int	ctl_key_make(struct ctl *);	/* ctl_key.c: init and rotate */
int	ctl_key_show(struct ctl *);
int	ctl_key_jwks(struct ctl *);
/* The subject and expiry of the certificate at path, or JSON null when
 * path is "" or holds none (one that cannot be read logged). */
json_t	*ctl_key_cert(const char *path);
int	ctl_status(struct ctl *);		/* status.c */
int	ctl_metrics(struct ctl *);

#endif
