/* net: webhook_allow_networks and URL redaction for logs; no I/O. */
#ifndef NET_H
#define NET_H

#include <stddef.h>

#include <sys/socket.h>

/* 0 when s is a list of CIDRs "addr[/n]" separated by commas (blanks after
 * a comma allowed; "" is none), else -1. */
int	net_list_parse(const char *s);
/* 1 when a delivery may connect to sa: not loopback, private, link-local,
 * unspecified, multicast or broadcast (IPv4-mapped, -compatible and NAT64
 * IPv6 judged by their IPv4 address), or inside a network of allow. 0 else. */
int	net_addr_allowed(const struct sockaddr *sa, const char *allow);
/* 1 when sa is in a network of list (trusted_proxies). */
int	net_addr_in(const struct sockaddr *sa, const char *list);
/* 0 when the host of url is an address literal (inet_aton or [IPv6]) that
 * net_addr_allowed refuses, or a bad [..]; else 1. Names pass: the deliverer
 * checks the address it connects to. */
int	net_url_allowed(const char *url, const char *allow);
/* The host[:port] of url into out, "" without "://". */
void	net_url_host(const char *url, char *out, size_t len);
/* scheme://host[:port]/path of url (no credentials, query or fragment) into
 * out, "-" without "://". */
void	net_url_redact(const char *url, char *out, size_t len);

#endif
