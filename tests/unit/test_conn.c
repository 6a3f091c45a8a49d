/*
 * test_conn: the client address taken from X-Forwarded-For: its last
 * hop, only an IP literal, blanks around it cut.
 */
#include <string.h>

#include "conn.h"
#include "t.h"

static const struct {
	const char	*xff;
	const char	*want;	/* NULL: refused */
} cases[] = {
	{ "198.51.100.7", "198.51.100.7" },
	{ "10.0.0.1, 198.51.100.7", "198.51.100.7" },
	{ "forged,  2001:db8::7 ", "2001:db8::7" },
	{ "1.2.3.4,", NULL },
	{ "", NULL },
	{ "unknown", NULL },
	{ "198.51.100.7:4242", NULL },
	{ "[2001:db8::7]", NULL },
	{ "198.51.100.7\x1b[31m", NULL },
	{ "1.2.3.4, 300.1.1.1", NULL },
	{ "1.2.3.4, ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255x", NULL },
};

int
main(void)
{
	char out[64];
	size_t i;
	int rc;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		rc = conn_forwarded(cases[i].xff, strlen(cases[i].xff), out,
		    sizeof(out));
		if (cases[i].want)
			T(rc == 0 && strcmp(out, cases[i].want) == 0);
		else
			T(rc == -1);
	}
	/* not NUL-terminated: only len bytes count */
	T(conn_forwarded("192.0.2.1, 192.0.2.22", 20, out, sizeof(out)) == 0 &&
	    strcmp(out, "192.0.2.2") == 0);
	T(conn_forwarded("192.0.2.1", 9, out, 9) == -1);	/* no room */
	return t_done();
}
