/*
 * conn: acquire the connection handed over by systemd or inetd.
 * With Accept=yes systemd passes one connected socket, either as fd 3
 * (LISTEN_FDS) or as stdin/stdout (StandardInput=socket). A listening
 * socket means Accept=no, which this per-connection program cannot serve.
 * Behind a proxy every peer is the proxy: only from trusted_proxies is
 * the client address taken from X-Forwarded-For, and then only its last
 * hop, the one the proxy appended itself (nginx's
 * $proxy_add_x_forwarded_for); the hops before are the client's word.
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

static int
refuse_listening(int fd)
{
	if (sd_is_socket(fd, AF_UNSPEC, SOCK_STREAM, 1) > 0) {
		log_msg(LOG_ERR, "fd %d is a listening socket: set Accept=yes "
		    "in dindex.socket (dindex serves one connection per "
		    "process)", fd);
		return -1;
	}
	return 0;
}

static void
peer_name(int fd, char *peer, size_t peerlen)
{
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	char addr[INET6_ADDRSTRLEN] = "-";
	unsigned port = 0;

	snprintf(peer, peerlen, "-");
	if (getpeername(fd, (struct sockaddr *)&ss, &sl) == -1)
		return;
	if (ss.ss_family == AF_INET) {
		struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;
		inet_ntop(AF_INET, &s4->sin_addr, addr, sizeof(addr));
		port = ntohs(s4->sin_port);
	} else if (ss.ss_family == AF_INET6) {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;
		inet_ntop(AF_INET6, &s6->sin6_addr, addr, sizeof(addr));
		port = ntohs(s6->sin6_port);
	} else
		return;
	snprintf(peer, peerlen, "%s:%u", addr, port);
}

int
conn_acquire(int *in, int *out, char *peer, size_t peerlen)
{
	int n;

	n = sd_listen_fds(1);
	if (n < 0) {
		log_msg(LOG_ERR, "sd_listen_fds: %s", strerror(-n));
		return -1;
	}
	if (n > 1) {
		log_msg(LOG_ERR, "%d fds passed; dindex takes exactly one "
		    "connection: use one ListenStream= and Accept=yes", n);
		return -1;
	}
	if (n == 1) {
		*in = *out = SD_LISTEN_FDS_START;
	} else {
		*in = STDIN_FILENO;
		*out = STDOUT_FILENO;
	}
	if (refuse_listening(*in) == -1)
		return -1;
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
	const char *p = val + len;
	unsigned char a[16];
	char buf[INET6_ADDRSTRLEN];
	size_t n;

	while (p > val && p[-1] != ',')
		p--;
	while (p < val + len && (*p == ' ' || *p == '\t'))
		p++;
	n = (size_t)(val + len - p);
	while (n > 0 && (p[n - 1] == ' ' || p[n - 1] == '\t'))
		n--;
	if (n == 0 || n >= sizeof(buf) || n >= outlen)
		return -1;
	memcpy(buf, p, n);
	buf[n] = '\0';
	if (inet_pton(AF_INET, buf, a) != 1 && inet_pton(AF_INET6, buf, a) != 1)
		return -1;
	memcpy(out, buf, n + 1);
	return 0;
}
