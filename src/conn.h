/* conn: where the one connection of this process comes from. */
#ifndef CONN_H
#define CONN_H

#include <stddef.h>

/* The connection from sd_listen_fds(), else stdin/stdout, and its peer as
 * "addr:port" or "-". A listening socket or several fds is a unit mistake:
 * logs which setting to fix and returns -1. */
int	conn_acquire(int *in, int *out, char *peer, size_t peerlen);
int	conn_peer_in(int fd, const char *list);
/* The last hop of an X-Forwarded-For value (not NUL-terminated) into
 * out when it is an IPv4 or IPv6 literal: 0; else -1. */
int	conn_forwarded(const char *val, size_t len, char *out, size_t outlen);

#endif
