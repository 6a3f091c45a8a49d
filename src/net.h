/*
 * net: the address policy of webhook deliveries (webhook_allow_networks)
 * and URL redaction for logs. Pure functions; no I/O.
 */
#ifndef NET_H
#define NET_H

#include <stddef.h>

#include <sys/socket.h>

/* 0 when s is a list of CIDRs ("a.b.c.d[/n]" or IPv6 "x::y[/n]")
 * separated by commas (blanks after a comma allowed; "" is none), else -1. */
int	net_list_parse(const char *s);
/* 1 when a delivery may connect to sa: not loopback, private, link-local,
 * unspecified, multicast or broadcast (IPv4-mapped and -compatible IPv6
 * judged by their IPv4 address), or inside a network of allow. 0 else. */
int	net_addr_allowed(const struct sockaddr *sa, const char *allow);
/* 1 when sa is in a network of list (trusted_proxies), else 0. */
int	net_addr_in(const struct sockaddr *sa, const char *list);
/* 0 when the host of url is an address literal (any inet_aton form, or
 * [IPv6]) that net_addr_allowed refuses, or a malformed [..]; else 1.
 * Host names pass: the deliverer checks the address it connects to. */
int	net_url_allowed(const char *url, const char *allow);
/* The host[:port] of url into out ("" when url has no "://"). */
void	net_url_host(const char *url, char *out, size_t len);
/* url as scheme://host[:port]/path into out: no user:password@, no
 * query, no fragment. "-" when url has no "://". */
void	net_url_redact(const char *url, char *out, size_t len);

#endif
