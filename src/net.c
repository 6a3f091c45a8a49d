/*
 * net: which addresses dindex-deliver may connect to. Repository admins
 * choose webhook URLs, so without a policy a delivery could reach what only
 * this host can (SSRF): loopback, the private network, cloud metadata at
 * 169.254.169.254; refused unless in webhook_allow_networks. Addresses are
 * compared as 16 bytes, IPv4 as ::ffff:a.b.c.d, so an IPv4 network matches
 * the mapped form a dual-stack resolver may hand out too.
 */
#include <arpa/inet.h>
#include <netinet/in.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "net.h"

static const unsigned char mapped[12] = { [10] = 0xff, [11] = 0xff };
static const unsigned char zero[12];
static const unsigned char nat64[12] = { 0, 0x64, 0xff, 0x9b };

/* 224.0.0.0/3 is multicast, reserved and 255.255.255.255 (broadcast). */
static const char blocked[] = "0.0.0.0/8,10.0.0.0/8,100.64.0.0/10,"
    "127.0.0.0/8,169.254.0.0/16,172.16.0.0/12,192.168.0.0/16,224.0.0.0/3,"
    "::/128,::1/128,fe80::/10,fec0::/10,fc00::/7,ff00::/8,64:ff9b:1::/48";

/* One "addr[/bits]": a, *bits of 128. The prefix has no leading zero and
 * no host bit may be set (a typo). */
static int
cidr(const char *s, size_t len, unsigned char a[16], int *bits)
{
	char buf[INET6_ADDRSTRLEN + 4], *slash;
	size_t nd = 0;
	int max = 128, n;

	if (len == 0 || len >= sizeof(buf))
		return -1;
	snprintf(buf, sizeof(buf), "%.*s", (int)len, s);
	if ((slash = strchr(buf, '/')) != NULL) {
		*slash++ = '\0';
		nd = strspn(slash, "0123456789");
		if (nd == 0 || nd > 3 || slash[nd] != '\0' || (slash[0] == '0' &&
		    nd > 1))
			return -1;
	}
	if (inet_pton(AF_INET, buf, a + 12) == 1) {
		memcpy(a, mapped, 12);
		max = 32;
	} else if (inet_pton(AF_INET6, buf, a) != 1)
		return -1;
	if ((n = slash ? (int)strtol(slash, NULL, 10) : max) > max)
		return -1;
	*bits = n + 128 - max;
	for (n = *bits; n < 128; n++)
		if (a[n / 8] & (0x80 >> (n % 8)))
			return -1;
	return 0;
}

static int
in_net(const unsigned char a[16], const unsigned char net[16], int bits)
{
	return memcmp(a, net, bits / 8) == 0 && (bits % 8 == 0 ||
	    (a[bits / 8] ^ net[bits / 8]) >> (8 - bits % 8) == 0);
}

/* 1 when a (NULL: none) is in a network of list, 0 not, -1 bad list. */
static int
in_list(const unsigned char *a, const char *list)
{
	unsigned char net[16];
	const char *p, *e;
	int bits, hit = 0;

	if (*list == '\0')
		return 0;
	for (p = list;; p = e + 1) {
		p += strspn(p, " \t");
		e = p + strcspn(p, ",");
		if (cidr(p, (size_t)(e - p), net, &bits) == -1)
			return -1;
		if (a != NULL && in_net(a, net, bits))
			hit = 1;
		if (*e == '\0')
			return hit;
	}
}

int
net_list_parse(const char *s)
{
	return in_list(NULL, s) == -1 ? -1 : 0;
}

static int
bytes_of(const struct sockaddr *sa, unsigned char a[16])
{
	if (sa->sa_family == AF_INET) {
		memcpy(a, mapped, 12);
		memcpy(a + 12, &((const struct sockaddr_in *)(const void *)
		    sa)->sin_addr, 4);
	} else if (sa->sa_family == AF_INET6)
		memcpy(a, &((const struct sockaddr_in6 *)(const void *)
		    sa)->sin6_addr, 16);
	else
		return -1;
	return 0;
}

int
net_addr_in(const struct sockaddr *sa, const char *list)
{
	unsigned char a[16];

	return bytes_of(sa, a) == 0 && in_list(a, list) == 1;
}

int
net_addr_allowed(const struct sockaddr *sa, const char *allow)
{
	unsigned char a[16], v4[16];

	if (bytes_of(sa, a) == -1)
		return 0;
	memcpy(v4, a, 16);
	/* ::a.b.c.d is a.b.c.d, and so is 64:ff9b::a.b.c.d (NAT64, RFC 6052) */
	if (memcmp(a, zero, 12) == 0 || memcmp(a, nat64, 12) == 0)
		memcpy(v4, mapped, 12);
	if (in_list(a, blocked) != 1 && in_list(v4, blocked) != 1)
		return 1;
	return in_list(a, allow) == 1 || in_list(v4, allow) == 1;
}

/* The host[:port] of url (after any user@), its length in *n; NULL
 * without "://". */
static const char *
host_of(const char *url, size_t *n)
{
	const char *a = strchr(url, ':'), *at;

	if (a == NULL || strncmp(a, "://", 3) != 0)
		return NULL;
	a += 3;
	*n = strcspn(a, "/?#");
	if ((at = memrchr(a, '@', *n)) != NULL) {
		*n -= (size_t)(at + 1 - a);
		a = at + 1;
	}
	return a;
}

int
net_url_allowed(const char *url, const char *allow)
{
	struct sockaddr_in6 s6 = { .sin6_family = AF_INET6 };
	struct sockaddr_in s4 = { .sin_family = AF_INET };
	char host[INET6_ADDRSTRLEN + 2];
	const char *h, *end;
	size_t n;

	if ((h = host_of(url, &n)) == NULL)
		return 0;
	if (h[0] == '[') {
		if ((end = memchr(h, ']', n)) == NULL || end - h - 1 >=
		    (long)sizeof(host))
			return 0;
		snprintf(host, sizeof(host), "%.*s", (int)(end - h - 1), h + 1);
		return inet_pton(AF_INET6, host, &s6.sin6_addr) == 1 &&
		    net_addr_allowed((struct sockaddr *)&s6, allow);
	}
	n = strcspn(h, ":/?#");
	if (n >= sizeof(host))
		return 1;	/* too long for an address: a name */
	snprintf(host, sizeof(host), "%.*s", (int)n, h);
	/* inet_aton, as resolvers do: 127.1, 0x7f000001, 2130706433 */
	if (inet_aton(host, &s4.sin_addr) == 0)
		return 1;
	return net_addr_allowed((struct sockaddr *)&s4, allow);
}

void
net_url_host(const char *url, char *out, size_t len)
{
	size_t n = 0;
	const char *h = host_of(url, &n);

	snprintf(out, len, "%.*s", (int)n, h ? h : "");
}

void
net_url_redact(const char *url, char *out, size_t len)
{
	size_t n;
	const char *h = host_of(url, &n);

	if (h == NULL)
		snprintf(out, len, "-");
	else
		snprintf(out, len, "%.*s%.*s%.*s", (int)(strchr(url, ':') + 3 -
		    url), url, (int)n, h, (int)strcspn(h + n, "?#"), h + n);
}
