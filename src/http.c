/*
 * http: HTTP/1.1 requests in, responses out. Knows nothing of the store.
 * Implemented: origin-form targets, bodies by Content-Length or chunked
 * (extensions and trailers ignored), keep-alive (1.0 with "keep-alive"),
 * pipelining, "Expect: 100-continue", HEAD. Refused, and the connection
 * closed: 400 bare CR or LF, NUL, folding, a non-token method or header
 * name, a bad, repeated or conflicting Content-Length/Transfer-Encoding,
 * a fragment, '//', '.', '..', an encoded '/', %00 or a control byte in
 * the path, a body cut short; 404 over LIM_SEGMENTS segments; 408 past
 * LIM_REQUEST_SECONDS; 413 over max_body; 414 a request line over
 * LIM_REQUEST_LINE; 431 over LIM_HEAD or LIM_HEADERS; 505 not HTTP/1.0-1.1.
 */
#include <sys/socket.h>
#include <sys/uio.h>

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "bytes.h"
#include "http.h"

const char *const http_method_names[HTTP_METHOD_COUNT] = {
	[HTTP_OTHER] = "OTHER", [HTTP_GET] = "GET", [HTTP_HEAD] = "HEAD",
	[HTTP_POST] = "POST", [HTTP_PUT] = "PUT", [HTTP_DELETE] = "DELETE",
};

/* Whether s..e is a non-empty token (RFC 9110 tchar). */
static int
token(const char *s, const char *e)
{
	if (s == e)
		return 0;
	for (; s < e; s++)
		if (!isalnum((unsigned char)*s) &&
		    (*s == '\0' || !strchr("!#$%&'*+-.^_`|~", *s)))
			return 0;
	return 1;
}

static int
ieq(const char *a, size_t alen, const char *b)
{
	return alen == strlen(b) && strncasecmp(a, b, alen) == 0;
}

/* The one number parser of wire data: 1 to max digits of base, else -1. */
static long long
number(const char *s, size_t len, int base, size_t max)
{
	static const char digits[] = "0123456789abcdef";
	const char *d;
	long long v = 0;
	size_t i;

	if (len == 0 || len > max)
		return -1;
	for (i = 0; i < len; i++) {
		if ((d = memchr(digits, tolower((unsigned char)s[i]), base)) ==
		    NULL)
			return -1;
		v = v * base + (d - digits);
	}
	return v;
}

long long
http_decimal(const char *s, size_t len)
{
	return number(s, len, 10, 18);
}

/* The one percent-decoder of paths and forms ('+' a space): as
 * http_form_decode, but for the UTF-8 check. */
static long
unescape(const char *s, size_t n, char *out, size_t outlen, int form)
{
	const char *end = s + n;
	long long c;
	size_t o;

	if (outlen == 0)
		return -1;
	for (o = 0; s < end; s++, o++) {
		if (o + 1 >= outlen || *s == '\0')
			return -1;
		out[o] = form && *s == '+' ? ' ' : *s;
		if (*s != '%')
			continue;
		if (end - s < 3 || (c = number(s + 1, 2, 16, 2)) <= 0)
			return -1;
		out[o] = (char)c;
		s += 2;
	}
	out[o] = '\0';
	return (long)o;
}

static int
parse_target(const char *t, size_t len, struct http_req *req)
{
	const char *q, *p, *end, *slash;
	char *out = req->pathbuf;
	long n, i;

	if (len == 0 || t[0] != '/' || memchr(t, '#', len) != NULL)
		return -400;
	req->target = t;
	req->target_len = len;
	if ((q = memchr(t, '?', len)) != NULL) {
		req->query = q + 1;
		req->query_len = len - (size_t)(q + 1 - t);
		len = (size_t)(q - t);
	}
	end = t + len;
	req->trailing_slash = end[-1] == '/';
	for (p = t + 1; p < end; p = slash + 1) {
		if ((slash = memchr(p, '/', end - p)) == NULL)
			slash = end;
		if (slash == p)
			return -400;	/* "//" */
		if (req->nseg == LIM_SEGMENTS)
			return -404;
		n = unescape(p, slash - p, out, req->pathbuf +
		    sizeof(req->pathbuf) - out, 0);
		if (n < 0 || strcmp(out, ".") == 0 || strcmp(out, "..") == 0)
			return -400;
		for (i = 0; i < n; i++)
			if (out[i] == '/' || (unsigned char)out[i] < 0x20 ||
			    out[i] == 0x7f)
				return -400;
		req->seg[req->nseg++] = out;
		out += n + 1;
	}
	return 0;
}

static int
parse_request_line(const char *s, size_t len, struct http_req *req)
{
	const char *sp1, *sp2;
	int m;

	if ((sp1 = memchr(s, ' ', len)) == NULL || !token(s, sp1) ||
	    (sp2 = memchr(sp1 + 1, ' ', len - (sp1 + 1 - s))) == NULL)
		return -400;
	for (m = HTTP_GET; m < HTTP_METHOD_COUNT; m++)
		if (sp1 - s == (long)strlen(http_method_names[m]) &&
		    memcmp(s, http_method_names[m], sp1 - s) == 0)
			req->method = m;
	if (len - (sp2 + 1 - s) != 8 || memcmp(sp2 + 1, "HTTP/", 5) != 0 ||
	    sp2[6] < '0' || sp2[6] > '9' || sp2[7] != '.' || sp2[8] < '0' ||
	    sp2[8] > '9')
		return -400;
	if (sp2[6] != '1' || sp2[8] > '1')
		return -505;
	req->minor = sp2[8] - '0';
	return parse_target(sp1 + 1, (size_t)(sp2 - sp1 - 1), req);
}

static int
parse_header(const char *s, size_t len, struct http_req *req)
{
	const char *colon = memchr(s, ':', len), *v, *e;
	size_t i;

	/* a leading blank (obsolete line folding) is no token either */
	if (colon == NULL || !token(s, colon))
		return -400;
	if (req->nhdr == LIM_HEADERS)
		return -431;
	for (v = colon + 1; v < s + len && (*v == ' ' || *v == '\t'); v++)
		;
	for (e = s + len; e > v && (e[-1] == ' ' || e[-1] == '\t'); e--)
		;
	for (i = 0; v + i < e; i++)
		if ((unsigned char)v[i] < 0x20 && v[i] != '\t')
			return -400;
	req->hdr[req->nhdr++] = (struct http_hdr){ s, (size_t)(colon - s), v,
	    (size_t)(e - v) };
	return 0;
}

static int
has_token(const struct http_hdr *h, const char *tok)
{
	const char *p = h->val, *end = h->val + h->val_len, *c, *e;

	for (; p < end; p = c + (c < end)) {
		if ((c = memchr(p, ',', end - p)) == NULL)
			c = end;
		for (e = c; e > p && (e[-1] == ' ' || e[-1] == '\t'); e--)
			;
		while (p < e && (*p == ' ' || *p == '\t'))
			p++;
		if (ieq(p, (size_t)(e - p), tok))
			return 1;
	}
	return 0;
}

static int
framing(struct http_req *req)
{
	const struct http_hdr *h;
	size_t i;
	int close = 0;

	req->content_length = -1;
	req->keep_alive = req->minor == 1;
	for (i = 0; i < req->nhdr; i++) {
		h = &req->hdr[i];
		if (ieq(h->name, h->name_len, "Content-Length")) {
			if (req->content_length != -1 || (req->content_length =
			    http_decimal(h->val, h->val_len)) < 0)
				return -400;
		} else if (ieq(h->name, h->name_len, "Transfer-Encoding")) {
			if (req->chunked || !ieq(h->val, h->val_len, "chunked"))
				return -400;
			req->chunked = 1;
		} else if (ieq(h->name, h->name_len, "Connection")) {
			/* one list, however many lines: "close" wins */
			if (has_token(h, "close"))
				close = 1;
			else if (has_token(h, "keep-alive"))
				req->keep_alive = 1;
		}
	}
	req->keep_alive = req->keep_alive && !close;
	return req->content_length != -1 && req->chunked ? -400 : 0;
}

/* The length of the CRLF-terminated line at buf[off], -1 incomplete, -2
 * longer than max, -3 a bare CR or LF. */
static long
line_at(const char *buf, size_t len, size_t off, long max)
{
	const char *nl = memchr(buf + off, '\n', len - off);

	if (nl == NULL)
		return (long)(len - off) > max + 1 ? -2 : -1;
	if (nl - (buf + off) > max + 1)
		return -2;
	if (nl == buf + off || nl[-1] != '\r' ||
	    memchr(buf + off, '\r', nl - 1 - (buf + off)))
		return -3;
	return nl - 1 - (buf + off);
}

int
http_parse_head(const char *buf, size_t len, struct http_req *req)
{
	size_t off;
	long n;
	int rc;

	memset(req, 0, offsetof(struct http_req, seg));
	for (off = 0;; off += (size_t)n + 2) {
		/* the request line within LIM_REQUEST_LINE, all in LIM_HEAD */
		n = line_at(buf, len, off, off == 0 ? LIM_REQUEST_LINE :
		    LIM_HEAD - (long)off - 2);
		if (n == -1)
			return 0;
		if (n == -2)
			return off == 0 ? -414 : -431;
		if (n < 0 || memchr(buf + off, '\0', (size_t)n) ||
		    (n == 0 && off == 0))
			return -400;
		if (n == 0)
			break;	/* the blank line */
		rc = off == 0 ? parse_request_line(buf, (size_t)n, req) :
		    parse_header(buf + off, (size_t)n, req);
		if (rc != 0)
			return rc;
	}
	rc = framing(req);
	return rc != 0 ? rc : (int)(off + 2);
}

/* Not complete yet: drop the bytes consumed, buf[o..off) (off >= o). */
static long
more(char *buf, size_t *len, size_t off, size_t o)
{
	memmove(buf + o, buf + off, *len - off);
	*len -= off - o;
	return 0;
}

long
http_dechunk(char *buf, size_t *len, size_t cap, size_t *o)
{
	size_t off = *o, data, t;
	const char *semi;
	long long size;
	long n;

	for (;;) {
		if ((n = line_at(buf, *len, off, LIM_CHUNK_LINE)) < 0)
			return n == -1 ? more(buf, len, off, *o) : -400;
		data = off + (size_t)n + 2;
		if ((semi = memchr(buf + off, ';', (size_t)n)) != NULL)
			n = semi - (buf + off);
		if ((size = number(buf + off, (size_t)n, 16, 15)) < 0)
			return -400;
		if (size == 0)
			break;
		if (*o + (size_t)size > cap)
			return -413;
		if (*len - data < (size_t)size + 2)
			return more(buf, len, off, *o);
		if (memcmp(buf + data + size, "\r\n", 2) != 0)
			return -400;
		memmove(buf + *o, buf + data, (size_t)size);
		*o += (size_t)size;
		off = data + (size_t)size + 2;
	}
	/* trailer fields, ignored, up to the blank line */
	for (t = data; (n = line_at(buf, *len, t, LIM_CHUNK_LINE * 64)) > 0;
	    t += (size_t)n + 2)
		;
	if (n < -1)
		return -400;
	if (n == 0)
		return (long)(t + 2);
	/* keep the last-chunk line (it marks the trailers), drop the fields */
	memmove(buf + data, buf + t, *len - t);
	*len -= t - data;
	return more(buf, len, off, *o);
}

const struct http_hdr *
http_header(const struct http_req *req, const char *name)
{
	size_t i;

	for (i = 0; i < req->nhdr; i++)
		if (ieq(req->hdr[i].name, req->hdr[i].name_len, name))
			return &req->hdr[i];
	return NULL;
}

int
http_header_is(const struct http_req *req, const char *name, const char *s)
{
	const struct http_hdr *h = http_header(req, name);

	return h != NULL && ieq(h->val, h->val_len, s);
}

static long long
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* One writev for head and body: two small writes would meet Nagle's
 * algorithm and the client's delayed ACK, 40 ms a response. */
static int
write_all(int fd, struct iovec *iov, int cnt)
{
	struct pollfd pfd = { .fd = fd, .events = POLLOUT };
	long long left, deadline = now_ms() + LIM_WRITE_SECONDS * 1000LL;
	ssize_t n;

	/* non-blocking: a blocking writev larger than the socket's buffer
	 * would wait on a slow reader past the deadline */
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
	while (cnt > 0) {
		if ((left = deadline - now_ms()) <= 0 ||
		    (poll(&pfd, 1, (int)left) == -1 && errno != EINTR))
			return -1;
		n = writev(fd, iov, cnt);
		if (n == -1 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (n <= 0)
			return -1;
		for (; cnt > 0 && (size_t)n >= iov->iov_len; iov++, cnt--)
			n -= (ssize_t)iov->iov_len;
		if (cnt > 0) {
			iov->iov_base = (char *)iov->iov_base + n;
			iov->iov_len -= (size_t)n;
		}
	}
	return 0;
}

/* Read more into b[*len..size) by deadline (ms): 0, or the status to
 * answer: full when there is no room left, 408 on time, 400 at EOF. */
static int
fill(struct http_conn *c, char *b, size_t *len, size_t size,
    long long deadline, int full)
{
	struct pollfd pfd = { .fd = c->in, .events = POLLIN };
	long long left;
	ssize_t n;
	int ready;

	if (*len == size)
		return full;
	for (;;) {
		if ((left = deadline - now_ms()) <= 0)
			return 408;
		if ((ready = poll(&pfd, 1, (int)left)) == -1 && errno != EINTR)
			return 400;
		if (ready <= 0)
			continue;
		if ((n = read(c->in, b + *len, size - *len)) > 0) {
			*len += (size_t)n;
			return 0;
		}
		if (n == 0 || (errno != EINTR && errno != EAGAIN))
			return 400;
	}
}

/* A chunked body decoded in place in b, at most LIM_CHUNK_OVERHEAD raw
 * bytes per body byte; what follows it goes back to c->buf. */
static int
read_chunked(struct http_conn *c, char *b, size_t len, size_t *o,
    long long deadline)
{
	size_t cap = (size_t)c->max_body, room, had;
	size_t raw = len, rawcap = cap * LIM_CHUNK_OVERHEAD + LIM_HEAD;
	long end;
	int rc;

	while ((end = http_dechunk(b, &len, cap, o)) == 0) {
		room = cap + LIM_HEAD - len;
		if (rawcap - raw < room)
			room = rawcap - raw;
		had = len;
		if ((rc = fill(c, b, &len, len + room, deadline, 413)) != 0)
			return rc;
		raw += len - had;
	}
	if (end < 0)
		return (int)-end;
	if (len - (size_t)end > sizeof(c->buf))
		return 400;
	memcpy(c->buf, b + end, len - (size_t)end);
	c->len = len - (size_t)end;
	c->used = 0;
	return 0;
}

static int
read_body(struct http_conn *c, struct http_req *req, size_t head,
    long long deadline)
{
	static const char cont[] = "HTTP/1.1 100 Continue\r\n\r\n";
	struct iovec iov = { (void *)cont, sizeof(cont) - 1 };
	size_t size, len, o = 0;
	int rc = 0;

	if (req->content_length > c->max_body)
		return 413;
	c->used = head;
	if (req->content_length <= 0 && !req->chunked)
		return 0;
	if (c->len == head && http_header_is(req, "Expect", "100-continue"))
		write_all(c->out, &iov, 1);
	size = req->chunked ? (size_t)c->max_body + LIM_HEAD :
	    (size_t)req->content_length;
	if ((req->body = malloc(size + 1)) == NULL)
		return 503;
	len = c->len - head < size ? c->len - head : size;
	memcpy(req->body, c->buf + head, len);
	c->used += len;
	if (req->chunked)
		rc = read_chunked(c, req->body, len, &o, deadline);
	else
		for (o = size; rc == 0 && len < size; )
			rc = fill(c, req->body, &len, size, deadline, 413);
	if (rc == 0) {
		req->body[o] = '\0';
		req->body_len = o;
	}
	return rc;
}

int
http_read_request(struct http_conn *c, struct http_req *req)
{
	long long deadline;
	int head, rc;

	memmove(c->buf, c->buf + c->used, c->len - c->used);
	c->len -= c->used;
	c->used = 0;
	req->body = NULL;
	if (c->len == 0 && fill(c, c->buf, &c->len, sizeof(c->buf),
	    now_ms() + c->idle_timeout * 1000LL, 1) != 0)
		return 1;
	c->nreq++;
	deadline = now_ms() + LIM_REQUEST_SECONDS * 1000LL;
	while ((head = http_parse_head(c->buf, c->len, req)) == 0)
		if ((rc = fill(c, c->buf, &c->len, sizeof(c->buf), deadline,
		    431)) != 0)
			return rc;
	return head < 0 ? -head : read_body(c, req, (size_t)head, deadline);
}

void
http_req_free(struct http_req *req)
{
	if (req->body != NULL)
		bytes_wipe(req->body, req->body_len);
	free(req->body);
	req->body = NULL;
	req->body_len = 0;
}

void
http_resp_init(struct http_resp *r)
{
	memset(r, 0, sizeof(*r));
}

void
http_resp_free(struct http_resp *r)
{
	free(r->body);
	r->body = NULL;
}

int
http_resp_header(struct http_resp *r, const char *name, const char *fmt,
    ...)
{
	char *p = r->hdrs + r->hdrs_len;
	size_t left = sizeof(r->hdrs) - r->hdrs_len;
	va_list ap;
	int n, m = -1;

	n = snprintf(p, left, "%s: ", name);
	va_start(ap, fmt);
	if (n >= 0 && (size_t)n < left)
		m = vsnprintf(p + n, left - (size_t)n, fmt, ap);
	va_end(ap);
	if (m < 0 || (size_t)(n + m) + 2 >= left || strpbrk(p + n, "\r\n")) {
		*p = '\0';
		return -1;
	}
	memcpy(p + n + m, "\r\n", 3);
	r->hdrs_len += (size_t)(n + m) + 2;
	return 0;
}

void
http_resp_body(struct http_resp *r, int status, char *body, size_t len)
{
	free(r->body);
	r->status = status;
	r->body = body;
	r->body_len = len;
}

void
http_resp_error(struct http_resp *r, int status, const char *msg)
{
	json_t *j = json_pack("{s:s}", "error", msg);
	char *s = j ? json_dumps(j, JSON_COMPACT) : NULL;

	json_decref(j);
	http_resp_body(r, status, s, s ? strlen(s) : 0);
}

const char *
http_reason(int status)
{
	static const char *const reasons[] = {
		[100] = "Continue", [200] = "OK", [201] = "Created",
		[202] = "Accepted", [204] = "No Content",
		[304] = "Not Modified", [400] = "Bad Request",
		[401] = "Unauthorized", [403] = "Forbidden",
		[404] = "Not Found", [405] = "Method Not Allowed",
		[408] = "Request Timeout", [409] = "Conflict",
		[413] = "Content Too Large", [414] = "URI Too Long",
		[415] = "Unsupported Media Type", [429] = "Too Many Requests",
		[431] = "Request Header Fields Too Large",
		[500] = "Internal Server Error", [503] = "Service Unavailable",
		[505] = "HTTP Version Not Supported",
	};

	if (status < 0 || status >= (int)LEN(reasons) || !reasons[status])
		return "Unknown";
	return reasons[status];
}

/* By hand: gmtime_r() and strftime() make glibc read /etc/localtime.
 * Hinnant's civil-from-days, the year starting in March. */
void
http_date(time_t now, char *buf, size_t len)
{
	static const char days[] = "ThuFriSatSunMonTueWed";
	static const char months[] = "MarAprMayJunJulAugSepOctNovDecJanFeb";
	long long z = now / 86400, secs = now % 86400, era, doe, yoe, doy, mp;

	era = (z + 719468) / 146097;
	doe = z + 719468 - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	snprintf(buf, len, "%.3s, %02lld %.3s %04lld %02lld:%02lld:%02lld GMT",
	    days + 3 * (z % 7), doy - (153 * mp + 2) / 5 + 1, months + 3 * mp,
	    yoe + era * 400 + (mp >= 10), secs / 3600, secs / 60 % 60,
	    secs % 60);
}

int
http_write(struct http_conn *c, const struct http_req *req,
    const struct http_resp *r)
{
	char head[512 + LIM_RESPONSE_HEADERS], date[64], len[40] = "";
	struct iovec iov[2] = { { head, 0 }, { r->body, 0 } };
	int close = r->close || req == NULL || !req->keep_alive, n;

	/* 204 and 304 have no body and must not claim a length (RFC 9110) */
	if (r->status != 204 && r->status != 304)
		snprintf(len, sizeof(len), "Content-Length: %zu\r\n",
		    r->body_len);
	http_date(time(NULL), date, sizeof(date));
	n = snprintf(head, sizeof(head), "HTTP/1.1 %d %s\r\nDate: %s\r\n"
	    "Content-Type: %s\r\n%s%s%.*s\r\n",
	    r->status, http_reason(r->status), date,
	    r->content_type ? r->content_type : "application/json",
	    len, close ? "Connection: close\r\n" : req->minor == 0 ?
	    "Connection: keep-alive\r\n" : "",
	    (int)r->hdrs_len, r->hdrs);
	if (n < 0 || (size_t)n >= sizeof(head))
		return -1;
	iov[0].iov_len = (size_t)n;
	iov[1].iov_len = (req != NULL && req->method == HTTP_HEAD) ||
	    len[0] == '\0' ? 0 : r->body_len;
	return write_all(c->out, iov, 2);
}

void
http_linger(struct http_conn *c)
{
	long long deadline = now_ms() + LIM_LINGER_MS;
	char buf[4096];
	size_t len = 0, total = 0;

	shutdown(c->out, SHUT_WR);
	for (; total < LIM_LINGER_BYTES &&
	    fill(c, buf, &len, sizeof(buf), deadline, 1) == 0; len = 0)
		total += len;
}

/* Jansson's own UTF-8 check: what it refuses would become a 5xx later. */
long
http_form_decode(const char *s, size_t n, char *out, size_t outlen)
{
	long len = unescape(s, n, out, outlen, 1);
	json_t *j = len < 0 ? NULL : json_stringn(out, (size_t)len);

	json_decref(j);
	return j != NULL ? len : -1;
}

int
http_form_get(const char *s, size_t len, const char *key, char *out,
    size_t outlen)
{
	const char *p = s, *end = s + len, *amp, *eq;
	size_t klen = strlen(key);

	for (; p < end; p = amp + 1) {
		if ((amp = memchr(p, '&', end - p)) == NULL)
			amp = end;
		eq = memchr(p, '=', amp - p);
		if ((eq ? (size_t)(eq - p) : (size_t)(amp - p)) != klen ||
		    memcmp(p, key, klen) != 0)
			continue;
		p = eq ? eq + 1 : amp;
		return http_form_decode(p, amp - p, out, outlen) < 0 ? -1 : 1;
	}
	return 0;
}
