/*
 * conn: where the one connection of this process comes from.
 */
#ifndef CONN_H
#define CONN_H

#include <stddef.h>

/* Find the connected stream socket: sd_listen_fds() when systemd passed
 * one (Accept=yes), else stdin/stdout (inetd, StandardInput=socket).
 * A listening socket or several fds is a unit mistake: logs which
 * setting to fix and returns -1. Fills peer with "addr:port" or "-". */
int	conn_acquire(int *in, int *out, char *peer, size_t peerlen);

#endif
