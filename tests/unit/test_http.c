/*
 * test_http: the request parser, every limit and refusal, split reads at
 * every byte boundary, chunked bodies, reading from a socket, writing.
 */
#include <sys/socket.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "http.h"
#include "t.h"

static struct http_req req;

static const struct {
	const char	*in;
	int		 want;	/* > 0: head length expected = strlen; else status */
} heads[] = {
	{ "GET / HTTP/1.1\r\n\r\n", 1 },
	{ "GET /v1/_ping?x=1 HTTP/1.1\r\nHost: a\r\n\r\n", 1 },
	{ "GET / HTTP/1.0\r\n\r\n", 1 },
	{ "BREW / HTTP/1.1\r\n\r\n", 1 },
	{ "GET / HTTP/1.1\r\nA: 1\r\nA: 2\r\n\r\n", 1 },
	{ "GET / HTTP/1.1\r\nContent-Length: 0\r\n\r\n", 1 },
	{ "GET / HTTP/1.1\r\nTransfer-Encoding: Chunked\r\n\r\n", 1 },
	{ "GET / HTTP/2.0\r\n\r\n", -505 },
	{ "GET / HTTP/1.2\r\n\r\n", -505 },
	{ "GET / HTTP/1.1\n\r\n", -400 },		/* bare LF */
	{ "GET / HTTP/1.1\r\nA: b\rc\r\n\r\n", -400 },	/* bare CR */
	{ "GET / HTTP/1.1\r\nA: b\r\n c\r\n\r\n", -400 },	/* folding */
	{ "GET / HTTP/1.1\r\nA : b\r\n\r\n", -400 },
	{ "GET / HTTP/1.1\r\n: b\r\n\r\n", -400 },
	{ "GET / HTTP/1.1\r\nA\r\n\r\n", -400 },
	{ "G(T / HTTP/1.1\r\n\r\n", -400 },
	{ "GET  / HTTP/1.1\r\n\r\n", -400 },
	{ "GET http://x/ HTTP/1.1\r\n\r\n", -400 },
	{ "GET * HTTP/1.1\r\n\r\n", -400 },
	{ "GET /a#b HTTP/1.1\r\n\r\n", -400 },
	{ "GET /a//b HTTP/1.1\r\n\r\n", -400 },
	{ "GET /a/../b HTTP/1.1\r\n\r\n", -400 },
	{ "GET /a/./b HTTP/1.1\r\n\r\n", -400 },
	{ "GET /a/%2e%2e/b HTTP/1.1\r\n\r\n", -400 },
	{ "GET /a%2Fb HTTP/1.1\r\n\r\n", -400 },
	{ "GET /a%2fb HTTP/1.1\r\n\r\n", -400 },
	{ "GET /a%00b HTTP/1.1\r\n\r\n", -400 },
	{ "GET /a%zz HTTP/1.1\r\n\r\n", -400 },
	{ "GET /a% HTTP/1.1\r\n\r\n", -400 },
	{ "GET /a%4 HTTP/1.1\r\n\r\n", -400 },
	{ "GET /1/2/3/4/5/6/7/8/9/10/11/12/13/14/15/16/17 HTTP/1.1\r\n\r\n",
	    -404 },
	{ "GET / HTTP/1.1\r\nContent-Length: +1\r\n\r\n", -400 },
	{ "GET / HTTP/1.1\r\nContent-Length: -1\r\n\r\n", -400 },
	{ "GET / HTTP/1.1\r\nContent-Length: 1e3\r\n\r\n", -400 },
	{ "GET / HTTP/1.1\r\nContent-Length: 1 2\r\n\r\n", -400 },
	{ "GET / HTTP/1.1\r\nContent-Length: \r\n\r\n", -400 },
	{ "GET / HTTP/1.1\r\nContent-Length: 99999999999999999999\r\n\r\n",
	    -400 },
	{ "GET / HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n",
	    -400 },
	{ "GET / HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 1\r\n\r\n",
	    -400 },
	{ "GET / HTTP/1.1\r\nContent-Length: 1\r\n"
	    "Transfer-Encoding: chunked\r\n\r\n", -400 },
	{ "GET / HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\n", -400 },
	{ "GET / HTTP/1.1\r\nTransfer-Encoding: chunked, chunked\r\n\r\n",
	    -400 },
	{ "\r\n", -400 },
	{ "GET / HTTP/1.1\r\n", 0 },
	{ "GET / HTTP/1.1\r\nHost: x", 0 },
};

static void
test_heads(void)
{
	size_t i, len;
	int rc;

	for (i = 0; i < sizeof(heads) / sizeof(heads[0]); i++) {
		len = strlen(heads[i].in);
		rc = http_parse_head(heads[i].in, len, &req);
		if (heads[i].want == 1 ? rc != (int)len : rc != heads[i].want)
			fprintf(stderr, "case %zu: %d\n", i, rc);
		T(heads[i].want == 1 ? rc == (int)len : rc == heads[i].want);
	}
	/* a NUL byte inside the head */
	T(http_parse_head("GET / HTTP/1.1\r\nA: \0\r\n\r\n", 24, &req) ==
	    -400);
}

static void
test_fields(void)
{
	const char *s = "PUT /v1/repositories/a%2Db/images/?q=1 HTTP/1.1\r\n"
	    "content-TYPE: application/json\r\nX-A:  one \r\nX-A: two\r\n"
	    "Content-Length: 12\r\nConnection: Close\r\n\r\n";

	T(http_parse_head(s, strlen(s), &req) == (int)strlen(s));
	T(req.method == HTTP_PUT);
	T(req.nseg == 4 && strcmp(req.seg[2], "a-b") == 0);
	T(strcmp(req.seg[3], "images") == 0 && req.trailing_slash);
	T(req.query_len == 3 && memcmp(req.query, "q=1", 3) == 0);
	T(http_header_is(&req, "Content-Type", "application/json"));
	T(http_header(&req, "x-a")->val_len == 3);
	T(req.nhdr == 5 && req.hdr[2].val_len == 3);
	T(req.content_length == 12 && !req.keep_alive);
	s = "GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n";
	T(http_parse_head(s, strlen(s), &req) > 0 && req.keep_alive);
	s = "GET / HTTP/1.0\r\n\r\n";
	T(http_parse_head(s, strlen(s), &req) > 0 && !req.keep_alive);
	T(req.nseg == 0 && req.trailing_slash);
	s = "GET / HTTP/1.1\r\n\r\n";
	T(http_parse_head(s, strlen(s), &req) > 0 && req.keep_alive);
	/* two Connection lines are one list: its "close" is not undone */
	s = "GET / HTTP/1.1\r\nConnection: close\r\n"
	    "Connection: keep-alive\r\n\r\n";
	T(http_parse_head(s, strlen(s), &req) > 0 && !req.keep_alive);
}

static void
test_limits(void)
{
	static char buf[LIM_HEAD + 64];
	size_t n, i;

	/* request line exactly at the limit, then one over */
	n = LIM_REQUEST_LINE;
	memcpy(buf, "GET /", 5);
	memset(buf + 5, 'a', n - 5 - 9);
	memcpy(buf + n - 9, " HTTP/1.1\r\n\r\n", 13);
	T(http_parse_head(buf, n + 4, &req) == (int)n + 4);
	memset(buf + 5, 'a', n - 5 - 8);
	memcpy(buf + n - 8, " HTTP/1.1\r\n\r\n", 13);
	T(http_parse_head(buf, n + 5, &req) == -414);
	memset(buf, 'a', LIM_REQUEST_LINE + 2);
	T(http_parse_head(buf, LIM_REQUEST_LINE + 2, &req) == -414);
	/* LIM_HEADERS fields, then one more */
	n = (size_t)sprintf(buf, "GET / HTTP/1.1\r\n");
	for (i = 0; i < LIM_HEADERS; i++)
		n += (size_t)sprintf(buf + n, "X-%zu: v\r\n", i);
	memcpy(buf + n, "\r\n", 2);
	T(http_parse_head(buf, n + 2, &req) == (int)n + 2);
	n += (size_t)sprintf(buf + n, "X-last: v\r\n\r\n");
	T(http_parse_head(buf, n, &req) == -431);
	/* a head that does not end within LIM_HEAD */
	n = (size_t)sprintf(buf, "GET / HTTP/1.1\r\n");
	while (n < LIM_HEAD)
		n += (size_t)sprintf(buf + n, "X-Pad: %0100d\r\n", 0);
	T(http_parse_head(buf, LIM_HEAD, &req) == -431);
}

/* Every proper prefix needs more bytes; the whole parses. */
static void
test_split(void)
{
	static const char *const reqs[] = {
		"GET /v1/_ping HTTP/1.1\r\nHost: x\r\n\r\n",
		"PUT /v1/repositories/a/b/ HTTP/1.1\r\nContent-Length: 2\r\n"
		"Content-type: application/json\r\nX-Docker-Token: true\r\n\r\n",
	};
	size_t i, k, len;
	int bad = 0;

	for (i = 0; i < sizeof(reqs) / sizeof(reqs[0]); i++) {
		len = strlen(reqs[i]);
		for (k = 0; k < len; k++)
			bad += http_parse_head(reqs[i], k, &req) != 0;
		T(bad == 0);
		T(http_parse_head(reqs[i], len, &req) == (int)len);
	}
}

/* The in-place decoder on a fresh copy of s[0..len), from the start. */
static long
dechunk(const char *s, size_t len, char *out, size_t cap, size_t *outlen)
{
	static char buf[256];
	long rc;

	memcpy(buf, s, len);
	*outlen = 0;
	rc = http_dechunk(buf, &len, cap, outlen);
	memcpy(out, buf, *outlen);
	return rc;
}

static void
test_dechunk(void)
{
	const char *s = "4;ext=1\r\nWiki\r\n5\r\npedia\r\n0\r\nX-T: y\r\n\r\nNEXT";
	size_t len = strlen(s) - 4, outlen, k;
	char out[64], buf[128];
	size_t n, o;
	long rc;
	int bad = 0;

	T(dechunk(s, strlen(s), out, sizeof(out), &outlen) == (long)len);
	T(outlen == 9 && memcmp(out, "Wikipedia", 9) == 0);
	for (k = 0; k < len; k++)
		bad += dechunk(s, k, out, sizeof(out), &outlen) != 0;
	T(bad == 0);
	T(dechunk(s, strlen(s), out, 8, &outlen) == -413);
	T(dechunk("zz\r\n", 4, out, 64, &outlen) == -400);
	/* a bare CR in a chunk extension, or in a trailer, is a 400 */
	T(dechunk("2;a\rb\r\nab\r\n0\r\n\r\n", 16, out, 64,
	    &outlen) == -400);
	T(dechunk("2\r\nab\r\n0\r\nX: a\rb\r\n\r\n", 20, out, 64,
	    &outlen) == -400);
	T(dechunk("4\r\nWikiXX0\r\n\r\n", 14, out, 64, &outlen) == -400);
	T(dechunk("4\nWiki\r\n0\r\n\r\n", 13, out, 64, &outlen) == -400);
	T(dechunk("ffffffffffffffffff\r\n", 20, out, 64, &outlen) ==
	    -400);
	T(dechunk("0\r\n\r\n", 5, out, 64, &outlen) == 5 && outlen == 0);
	/* fed a byte at a time: decoded in place as it arrives */
	for (k = 0, n = 0, o = 0, rc = 0; rc == 0 && s[k] != '\0'; k++) {
		buf[n++] = s[k];
		rc = http_dechunk(buf, &n, sizeof(buf), &o);
	}
	T(rc > 0 && (size_t)rc == n && k == len);
	T(o == 9 && memcmp(buf, "Wikipedia", 9) == 0);
	/* a chunk line of LIM_CHUNK_LINE bytes whose LF comes later */
	memset(buf, 'e', LIM_CHUNK_LINE);
	memcpy(buf, "1;", 2);
	buf[LIM_CHUNK_LINE] = '\r';
	n = LIM_CHUNK_LINE + 1;
	o = 0;
	T(http_dechunk(buf, &n, 64, &o) == 0);
	memcpy(buf + n, "\nx\r\n0\r\n\r\n", 9);
	n += 9;
	T(http_dechunk(buf, &n, 64, &o) == (long)n && o == 1 && buf[0] == 'x');
}

static struct http_conn conn;

static int
feed(int fd, const char *s)
{
	return write(fd, s, strlen(s)) == (ssize_t)strlen(s) ? 0 : -1;
}

static void
test_read(void)
{
	int sv[2];

	T(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
	memset(&conn, 0, sizeof(conn));
	conn.in = conn.out = sv[0];
	conn.max_body = 16;
	conn.idle_timeout = 1;
	/* two pipelined requests in one write, the first with a body */
	feed(sv[1], "PUT /a HTTP/1.1\r\nContent-Length: 5\r\n\r\nhello"
	    "GET /b HTTP/1.1\r\n\r\n");
	T(http_read_request(&conn, &req) == 0);
	T(req.body_len == 5 && strcmp(req.body, "hello") == 0);
	http_req_free(&req);
	T(http_read_request(&conn, &req) == 0 && strcmp(req.seg[0], "b") == 0);
	/* a chunked body */
	feed(sv[1], "POST /c HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"
	    "3\r\nabc\r\n0\r\n\r\n");
	T(http_read_request(&conn, &req) == 0 && req.body_len == 3);
	http_req_free(&req);
	/* over max_body */
	feed(sv[1], "POST /c HTTP/1.1\r\nContent-Length: 17\r\n\r\n");
	T(http_read_request(&conn, &req) == 413);
	/* idle: nothing arrives within idle_timeout */
	memset(&conn, 0, sizeof(conn));
	conn.in = conn.out = sv[0];
	conn.max_body = 16;
	conn.idle_timeout = 1;
	T(http_read_request(&conn, &req) == 1);
	/* EOF mid-request */
	feed(sv[1], "GET / HT");
	shutdown(sv[1], SHUT_WR);
	T(http_read_request(&conn, &req) == 400);
	close(sv[0]);
	close(sv[1]);
}

static void
test_write(void)
{
	struct http_resp resp;
	char buf[1024];
	int sv[2];
	ssize_t n;

	T(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
	conn.out = sv[0];
	http_resp_init(&resp);
	http_resp_error(&resp, 404, "not \"found\"");
	T(http_resp_header(&resp, "X-A", "%d", 1) == 0);
	T(http_resp_header(&resp, "X-B", "a\r\nInjected: 1") == -1);
	T(http_parse_head("HEAD / HTTP/1.1\r\n\r\n", 19, &req) == 19);
	T(http_write(&conn, &req, &resp) == 0);
	n = read(sv[1], buf, sizeof(buf) - 1);
	buf[n > 0 ? n : 0] = '\0';
	T(strncmp(buf, "HTTP/1.1 404 Not Found\r\n", 24) == 0);
	T(strstr(buf, "Content-Length: 25\r\n") != NULL);
	T(strstr(buf, "X-A: 1\r\n") != NULL && !strstr(buf, "Injected"));
	T(strstr(buf, "\r\n\r\n")[4] == '\0');	/* HEAD: no body */
	http_resp_free(&resp);
	close(sv[0]);
	close(sv[1]);
}

static void
test_form(void)
{
	const char *f = "a=1&user=b%20c+d&empty=&bad=%zz&nul=%00&long=xxxxx";
	char out[5];

	T(http_form_get(f, strlen(f), "a", out, sizeof(out)) == 1 &&
	    strcmp(out, "1") == 0);
	T(http_form_get(f, strlen(f), "user", out, sizeof(out)) == -1);
	T(http_form_get("user=b%20c", 10, "user", out, sizeof(out)) == 1 &&
	    strcmp(out, "b c") == 0);
	T(http_form_get(f, strlen(f), "empty", out, sizeof(out)) == 1 &&
	    out[0] == '\0');
	T(http_form_get(f, strlen(f), "bad", out, sizeof(out)) == -1);
	T(http_form_get(f, strlen(f), "nul", out, sizeof(out)) == -1);
	T(http_form_get(f, strlen(f), "long", out, sizeof(out)) == -1);
	T(http_form_get(f, strlen(f), "none", out, sizeof(out)) == 0);
	/* decoded text must be UTF-8: %ff, a cut sequence, latin-1 */
	T(http_form_get("q=%ff", 5, "q", out, sizeof(out)) == -1);
	T(http_form_get("q=%c3", 5, "q", out, sizeof(out)) == -1);
	T(http_form_get("q=%e9t%e9", 9, "q", out, sizeof(out)) == -1);
	T(http_form_get("q=%c3%a9", 8, "q", out, sizeof(out)) == 1 &&
	    strcmp(out, "\xc3\xa9") == 0);
	/* the decoder alone: its length; a literal NUL and a cut escape */
	T(http_form_decode("a+%41", 5, out, sizeof(out)) == 3 &&
	    strcmp(out, "a A") == 0);
	T(http_form_decode("a\0b", 3, out, sizeof(out)) == -1);
	T(http_form_decode("a%4", 3, out, sizeof(out)) == -1);
	T(http_form_decode("", 0, out, sizeof(out)) == 0 && out[0] == '\0');
}

/* The hand-made Date agrees with strftime over four centuries. */
static void
test_date(void)
{
	char mine[64], want[64];
	struct tm tm;
	time_t t;
	int i, bad = 0;

	for (i = 0; i < 200000; i++) {
		t = i < 3 ? (time_t[]){ 0, 951782400, 4107542399 }[i] :
		    (time_t)(random() % 12600000000LL);
		gmtime_r(&t, &tm);
		strftime(want, sizeof(want), "%a, %d %b %Y %H:%M:%S GMT", &tm);
		http_date(t, mine, sizeof(mine));
		bad += strcmp(mine, want) != 0;
	}
	T(bad == 0);
	http_date(951782400, mine, sizeof(mine));
	T(strcmp(mine, "Tue, 29 Feb 2000 00:00:00 GMT") == 0);
}

int
main(void)
{
	test_heads();
	test_fields();
	test_limits();
	test_split();
	test_dechunk();
	test_read();
	test_write();
	test_form();
	test_date();
	return t_done();
}
