/*
 * spool: webhook deliveries as files in a directory state machine
 * (tmp/ -> new/ -> deferred/ -> failed/). See spool.c.
 */
#ifndef SPOOL_H
#define SPOOL_H

/* Create root and its state directories (mode 0700) where missing.
 * 0 ok, -1 error (logged). */
int	spool_init(const char *root);

#endif
