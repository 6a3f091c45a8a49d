/*
 * conn: the one connection systemd (Accept=yes, as fd 3 or stdin/stdout) or
 * inetd hands this process. Only from trusted_proxies is the client taken
 * from X-Forwarded-For, and then only its last hop, the one the proxy
 * appended itself; the hops before are the client's word.
 */
#include <sys/socket.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <systemd/sd-daemon.h>

#include "conn.h"
#include "log.h"
#include "net.h"

static void
peer_name(int fd, char *peer, size_t peerlen)
{
	struct sockaddr_storage ss;
	struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;
	socklen_t sl = sizeof(ss);
	char addr[INET6_ADDRSTRLEN];

	snprintf(peer, peerlen, "-");
	if (getpeername(fd, (struct sockaddr *)&ss, &sl) == -1)
		return;
	if (ss.ss_family == AF_INET &&
	    inet_ntop(AF_INET, &s4->sin_addr, addr, sizeof(addr)) != NULL)
		snprintf(peer, peerlen, "%s:%u", addr, ntohs(s4->sin_port));
	else if (ss.ss_family == AF_INET6 &&
	    inet_ntop(AF_INET6, &s6->sin6_addr, addr, sizeof(addr)) != NULL)
		snprintf(peer, peerlen, "%s:%u", addr, ntohs(s6->sin6_port));
}

int
conn_acquire(int *in, int *out, char *peer, size_t peerlen)
{
	int n = sd_listen_fds(1);

	if (n < 0) {
		log_msg(LOG_ERR, "sd_listen_fds: %s", strerror(-n));
		return -1;
	}
	if (n > 1) {
		log_msg(LOG_ERR, "%d fds passed; dindex takes exactly one "
		    "connection: use one ListenStream= and Accept=yes", n);
		return -1;
	}
	*in = n == 1 ? SD_LISTEN_FDS_START : STDIN_FILENO;
	*out = n == 1 ? SD_LISTEN_FDS_START : STDOUT_FILENO;
	if (sd_is_socket(*in, AF_UNSPEC, SOCK_STREAM, 1) > 0) {
		log_msg(LOG_ERR, "fd %d is a listening socket: set Accept=yes "
		    "in dindex.socket (dindex serves one connection per "
		    "process)", *in);
		return -1;
	}
	peer_name(*in, peer, peerlen);
	return 0;
}

int
conn_peer_in(int fd, const char *list)
{
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);

	return list[0] != '\0' && getpeername(fd, (struct sockaddr *)&ss,
	    &sl) == 0 && net_addr_in((struct sockaddr *)&ss, list);
}

int
conn_forwarded(const char *val, size_t len, char *out, size_t outlen)
{
	const char *p = memrchr(val, ',', len), *e = val + len;
	unsigned char a[16];

	p = p != NULL ? p + 1 : val;
	while (p < e && (*p == ' ' || *p == '\t'))
		p++;
	while (e > p && (e[-1] == ' ' || e[-1] == '\t'))
		e--;
	if (e == p || (size_t)(e - p) >= outlen)
		return -1;
	memcpy(out, p, e - p);
	out[e - p] = '\0';
	if (inet_pton(AF_INET, out, a) != 1 && inet_pton(AF_INET6, out, a) != 1)
		return -1;
	return 0;
}
