/*
 * test_net: the webhook address policy (lists, addresses, URL literals)
 * and URL redaction.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>

#include "net.h"
#include "t.h"

static const struct {
	const char	*list;
	int		 ok;
} lists[] = {
	{ "", 1 }, { "127.0.0.0/8", 1 }, { "10.0.0.1", 1 }, { "::1/128", 1 },
	{ "127.0.0.0/8, ::1/128,fd00::/8", 1 }, { "0.0.0.0/0", 1 },
	{ "127.0.0.0/33", 0 }, { "::/129", 0 }, { "127.0.0.0/", 0 },
	{ "127.0.0.0/8,", 0 }, { ",127.0.0.0/8", 0 }, { "a,,b", 0 },
	{ "127.1/8", 0 }, { "localhost", 0 }, { "10.0.0.0/8 ", 0 },
	{ "127.0.0.1/8", 0 }, { "10.0.0.0/08", 0 }, { "fd00::1/8", 0 },
	{ "10.0.0.0/-1", 0 }, { "10.0.0.0/0x8", 0 }, { "::1/1000", 0 },
};

static const struct {
	const char	*addr;
	const char	*allow;
	int		 ok;
} addrs[] = {
	{ "93.184.216.34", "", 1 }, { "2606:2800:220:1::1", "", 1 },
	{ "8.8.8.8", "127.0.0.0/8", 1 }, { "100.63.255.255", "", 1 },
	{ "100.128.0.0", "", 1 }, { "172.32.0.1", "", 1 },
	{ "127.0.0.1", "", 0 }, { "127.255.0.9", "", 0 }, { "10.1.2.3", "", 0 },
	{ "172.16.0.1", "", 0 }, { "172.31.255.255", "", 0 },
	{ "192.168.1.1", "", 0 }, { "100.64.0.1", "", 0 },
	{ "100.127.255.255", "", 0 }, { "169.254.169.254", "", 0 },
	{ "0.0.0.0", "", 0 }, { "224.0.0.1", "", 0 }, { "239.1.1.1", "", 0 },
	{ "255.255.255.255", "", 0 }, { "::", "", 0 }, { "::1", "", 0 },
	{ "fe80::1", "", 0 }, { "fc00::1", "", 0 }, { "fd12:3456::1", "", 0 },
	{ "ff02::1", "", 0 }, { "::ffff:127.0.0.1", "", 0 },
	{ "::ffff:169.254.169.254", "", 0 }, { "::127.0.0.1", "", 0 },
	{ "::ffff:8.8.8.8", "", 1 },
	/* NAT64 reaches the IPv4 address it embeds */
	{ "64:ff9b::10.0.0.1", "", 0 }, { "64:ff9b::169.254.169.254", "", 0 },
	{ "64:ff9b::127.0.0.1", "127.0.0.0/8", 1 },
	{ "64:ff9b::8.8.8.8", "", 1 }, { "64:ff9b:1::a00:1", "", 0 },
	{ "127.0.0.1", "127.0.0.0/8", 1 }, { "::ffff:127.0.0.1", "127.0.0.0/8",
	    1 }, { "::127.0.0.1", "127.0.0.0/8", 1 },
	{ "10.9.0.1", "10.8.0.0/16, 10.9.0.0/16", 1 },
	{ "10.10.0.1", "10.8.0.0/16,10.9.0.0/16", 0 },
	{ "::1", "::1/128", 1 }, { "::1", "127.0.0.0/8", 0 },
	{ "fd00::5", "fd00::/8", 1 }, { "fe80::5", "fd00::/8", 0 },
	{ "127.0.0.1", "bogus", 0 },
};

static const struct {
	const char	*url;
	int		 ok;
} urls[] = {
	{ "http://example.com/", 1 }, { "https://93.184.216.34:8443/x", 1 },
	{ "http://localhost/", 1 }, { "http://u:p@example.com/", 1 },
	{ "http://127.0.0.1/", 0 }, { "http://0x7f000001/", 0 },
	{ "http://2130706433/", 0 }, { "http://127.1/", 0 },
	{ "http://0177.0.0.1:80/", 0 }, { "http://[::1]/", 0 },
	{ "http://[::1]:8080/x", 0 }, { "http://[::ffff:127.0.0.1]/", 0 },
	{ "http://169.254.169.254/latest", 0 }, { "http://10.0.0.1/", 0 },
	{ "http://x@10.0.0.1/", 0 }, { "http://[fe80::1%25eth0]/", 0 },
	{ "http://[64:ff9b::7f00:1]/", 0 },
	{ "http://[::1/", 0 }, { "http://0/", 0 }, { "nourl", 0 },
	{ "http://8.8.8.8@10.0.0.1/", 0 },
	{ "http://10.0.0.1@8.8.8.8/", 1 },
};

static const struct {
	const char	*url;
	const char	*want;
} redact[] = {
	{ "http://example.com/hook", "http://example.com/hook" },
	{ "https://user:pass@example.com:8443/a/b?token=x#f",
	    "https://example.com:8443/a/b" },
	{ "http://a@b@h/p?q", "http://h/p" }, { "http://h?q=1", "http://h" },
	{ "http://[::1]:80/#x", "http://[::1]:80/" }, { "junk", "-" },
};

static int
addr_ok(const char *s, const char *allow)
{
	struct sockaddr_in6 s6 = { .sin6_family = AF_INET6 };
	struct sockaddr_in s4 = { .sin_family = AF_INET };

	if (inet_pton(AF_INET, s, &s4.sin_addr) == 1)
		return net_addr_allowed((struct sockaddr *)&s4, allow);
	if (inet_pton(AF_INET6, s, &s6.sin6_addr) == 1)
		return net_addr_allowed((struct sockaddr *)&s6, allow);
	return -1;
}

int
main(void)
{
	struct sockaddr sa = { .sa_family = AF_UNIX };
	char out[256];
	size_t i;

	for (i = 0; i < sizeof(lists) / sizeof(lists[0]); i++)
		if ((net_list_parse(lists[i].list) == 0) != lists[i].ok) {
			fprintf(stderr, "list %s\n", lists[i].list);
			T(0);
		} else
			T(1);
	for (i = 0; i < sizeof(addrs) / sizeof(addrs[0]); i++)
		if (addr_ok(addrs[i].addr, addrs[i].allow) != addrs[i].ok) {
			fprintf(stderr, "addr %s allow %s\n", addrs[i].addr,
			    addrs[i].allow);
			T(0);
		} else
			T(1);
	T(net_addr_allowed(&sa, "0.0.0.0/0") == 0);
	for (i = 0; i < sizeof(urls) / sizeof(urls[0]); i++)
		if (net_url_allowed(urls[i].url, "") != urls[i].ok) {
			fprintf(stderr, "url %s\n", urls[i].url);
			T(0);
		} else
			T(1);
	T(net_url_allowed("http://0x7f000001/", "127.0.0.0/8") == 1);
	T(net_url_allowed("http://[::1]/", "::1/128") == 1);
	for (i = 0; i < sizeof(redact) / sizeof(redact[0]); i++) {
		net_url_redact(redact[i].url, out, sizeof(out));
		if (strcmp(out, redact[i].want) != 0)
			fprintf(stderr, "redact %s: %s\n", redact[i].url, out);
		T(strcmp(out, redact[i].want) == 0);
	}
	net_url_host("https://u:p@h.example:8443/p?q", out, sizeof(out));
	T(strcmp(out, "h.example:8443") == 0);
	net_url_host("junk", out, sizeof(out));
	T(strcmp(out, "") == 0);
	net_url_redact("http://h/abcdef", out, 10);
	T(strcmp(out, "http://h/") == 0);
	return t_done();
}
