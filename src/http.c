/*
 * http: HTTP/1.1 requests in, responses out. Knows nothing of the store.
 *
 * Implemented: request line "METHOD SP origin-form SP HTTP/1.x"; header
 * fields with case-insensitive names, repeats kept in order; bodies by
 * Content-Length or chunked (extensions and trailers read and ignored);
 * keep-alive (1.1 default, "Connection: close"; 1.0 with "keep-alive",
 * answered with "Connection: keep-alive");
 * pipelining; "Expect: 100-continue"; HEAD as GET without a body.
 * Refused, and the connection closed:
 *   400  bare CR or LF, NUL, obsolete line folding, blank before ':',
 *        a non-token method or header name, a bad or repeated
 *        Content-Length, Content-Length with Transfer-Encoding, a
 *        Transfer-Encoding other than "chunked", a target that is not
 *        origin-form, a fragment, '//' in the path, an encoded '/', %00
 *        or a control byte, '.' or '..' segments, bad %-escapes, a body
 *        cut short by EOF
 *   404  more than LIM_SEGMENTS path segments
 *   408  the request did not arrive within LIM_REQUEST_SECONDS
 *   413  a body over max_body
 *   414  a request line over LIM_REQUEST_LINE
 *   431  a head over LIM_HEAD or LIM_HEADERS fields
 *   505  an HTTP version other than 1.0 or 1.1
 */
#include <sys/socket.h>
#include <sys/uio.h>

#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "http.h"


const char *const http_method_names[HTTP_METHOD_COUNT] = {
	[HTTP_OTHER] = "OTHER",
	[HTTP_GET] = "GET",
	[HTTP_HEAD] = "HEAD",
	[HTTP_POST] = "POST",
	[HTTP_PUT] = "PUT",
	[HTTP_DELETE] = "DELETE",
};

static int
is_tchar(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || (c != 0 && strchr("!#$%&'*+-.^_`|~", c));
}

static int
ieq(const char *a, size_t alen, const char *b)
{
	return alen == strlen(b) && strncasecmp(a, b, alen) == 0;
}

static int
hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c |= 0x20;
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* Decode one path segment into out; 0 ok, -400 refused. */
static int
decode_segment(const char *s, size_t len, char *out)
{
	size_t i, o = 0;
	int hi, lo;
	char c;

	for (i = 0; i < len; i++) {
		c = s[i];
		if (c == '%') {
			if (i + 2 >= len)
				return -400;
			if ((hi = hexval(s[i + 1])) < 0 ||
			    (lo = hexval(s[i + 2])) < 0)
				return -400;
			c = (char)(hi << 4 | lo);
			i += 2;
		}
		if (c == '/' || (unsigned char)c < 0x20 || c == 0x7f)
			return -400;
		out[o++] = c;
	}
	out[o] = '\0';
	if (strcmp(out, ".") == 0 || strcmp(out, "..") == 0)
		return -400;
	return 0;
}

static int
parse_target(const char *t, size_t len, struct http_req *req)
{
	const char *q, *p, *end, *slash;
	char *out = req->pathbuf;
	int rc;

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
	req->nseg = 0;
	req->trailing_slash = end[-1] == '/';
	for (p = t + 1; p < end; p = slash + 1) {
		if ((slash = memchr(p, '/', end - p)) == NULL)
			slash = end;
		if (slash == p)
			return -400;	/* "//" */
		if (req->nseg == LIM_SEGMENTS)
			return -404;
		if ((rc = decode_segment(p, slash - p, out)) != 0)
			return rc;
		req->seg[req->nseg++] = out;
		out += strlen(out) + 1;
	}
	return 0;
}

static int
parse_request_line(const char *s, size_t len, struct http_req *req)
{
	const char *sp1, *sp2;
	int m;

	if ((sp1 = memchr(s, ' ', len)) == NULL || sp1 == s)
		return -400;
	if ((sp2 = memchr(sp1 + 1, ' ', len - (sp1 + 1 - s))) == NULL)
		return -400;
	req->method_str = s;
	req->method_len = (size_t)(sp1 - s);
	for (m = 0; m < (int)req->method_len; m++)
		if (!is_tchar((unsigned char)s[m]))
			return -400;
	req->method = HTTP_OTHER;
	for (m = HTTP_GET; m < HTTP_METHOD_COUNT; m++)
		if (req->method_len == strlen(http_method_names[m]) &&
		    memcmp(s, http_method_names[m], req->method_len) == 0)
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
	struct http_hdr *h;
	size_t i;

	if (s[0] == ' ' || s[0] == '\t')
		return -400;	/* obsolete line folding */
	if (colon == NULL || colon == s)
		return -400;
	for (i = 0; s + i < colon; i++)
		if (!is_tchar((unsigned char)s[i]))
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
	h = &req->hdr[req->nhdr++];
	h->name = s;
	h->name_len = (size_t)(colon - s);
	h->val = v;
	h->val_len = (size_t)(e - v);
	return 0;
}

long long
http_decimal(const char *s, size_t len)
{
	long long v = 0;
	size_t i;

	if (len == 0 || len > 18)
		return -1;
	for (i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

static int
has_token(const struct http_hdr *h, const char *tok)
{
	const char *p = h->val, *end = h->val + h->val_len, *c;

	while (p < end) {
		if ((c = memchr(p, ',', end - p)) == NULL)
			c = end;
		while (p < c && (*p == ' ' || *p == '\t'))
			p++;
		while (c > p && (c[-1] == ' ' || c[-1] == '\t'))
			c--;
		if (ieq(p, (size_t)(c - p), tok))
			return 1;
		p = memchr(p, ',', end - p) ? (const char *)memchr(p, ',',
		    end - p) + 1 : end;
	}
	return 0;
}

static int
framing(struct http_req *req)
{
	const struct http_hdr *h;
	size_t i;
	int ncl = 0, nte = 0;

	req->content_length = -1;
	req->keep_alive = req->minor == 1;
	for (i = 0; i < req->nhdr; i++) {
		h = &req->hdr[i];
		if (ieq(h->name, h->name_len, "Content-Length")) {
			if (ncl++ || (req->content_length = http_decimal(h->val,
			    h->val_len)) < 0)
				return -400;
		} else if (ieq(h->name, h->name_len, "Transfer-Encoding")) {
			if (nte++ || !ieq(h->val, h->val_len, "chunked"))
				return -400;
			req->chunked = 1;
		} else if (ieq(h->name, h->name_len, "Connection")) {
			if (has_token(h, "close"))
				req->keep_alive = 0;
			else if (has_token(h, "keep-alive"))
				req->keep_alive = 1;
		}
	}
	return ncl && nte ? -400 : 0;
}

int
http_parse_head(const char *buf, size_t len, struct http_req *req)
{
	const char *p = buf, *end = buf + len, *nl;
	int rc, first = 1;

	memset(req, 0, offsetof(struct http_req, pathbuf));
	req->nhdr = 0;
	req->chunked = 0;
	req->body = NULL;
	req->body_len = 0;
	for (;;) {
		nl = memchr(p, '\n', end - p);
		if (nl == NULL) {
			if (first && len > LIM_REQUEST_LINE + 1)
				return -414;
			return len >= LIM_HEAD ? -431 : 0;
		}
		if (nl + 1 - buf > LIM_HEAD)
			return first ? -414 : -431;
		if (first && nl - p - 1 > LIM_REQUEST_LINE)
			return -414;
		if (nl == p || nl[-1] != '\r' || memchr(p, '\0', nl - p) ||
		    memchr(p, '\r', nl - 1 - p))
			return -400;
		if (nl - 1 == p) {
			if (first)
				return -400;
			break;	/* the blank line */
		}
		rc = first ? parse_request_line(p, nl - 1 - p, req) :
		    parse_header(p, nl - 1 - p, req);
		if (rc != 0)
			return rc;
		first = 0;
		p = nl + 1;
	}
	rc = framing(req);
	return rc != 0 ? rc : (int)(nl + 1 - buf);
}

/* One CRLF-terminated line at buf[*off]; its length without CRLF, -1 when
 * incomplete, -2 when malformed or longer than max. */
static long
line_at(const char *buf, size_t len, size_t off, size_t max)
{
	const char *nl = memchr(buf + off, '\n', len - off);

	if (nl == NULL)
		return len - off > max ? -2 : -1;
	if ((size_t)(nl - (buf + off)) > max + 1 || nl == buf + off ||
	    nl[-1] != '\r' || memchr(buf + off, '\r', nl - 1 - (buf + off)))
		return -2;	/* a bare CR too, as in the head */
	return nl - 1 - (buf + off);
}

long
http_dechunk(const char *buf, size_t len, char *out, size_t cap,
    size_t *outlen)
{
	size_t off = 0, o = 0, size, i;
	long n;
	int h;

	for (;;) {
		if ((n = line_at(buf, len, off, LIM_CHUNK_LINE)) < 0)
			return n == -1 ? 0 : -400;
		for (size = 0, i = 0; i < (size_t)n && (h = hexval(buf[off +
		    i])) >= 0; i++) {
			if (size > (SIZE_MAX >> 4) || i >= 15)
				return -400;
			size = size << 4 | (size_t)h;
		}
		if (i == 0 || (i < (size_t)n && buf[off + i] != ';'))
			return -400;
		off += (size_t)n + 2;
		if (size == 0)
			break;
		if (o + size > cap)
			return -413;
		if (len - off < size + 2)
			return 0;
		if (buf[off + size] != '\r' || buf[off + size + 1] != '\n')
			return -400;
		memcpy(out + o, buf + off, size);
		o += size;
		off += size + 2;
	}
	/* trailer fields, ignored, up to the blank line */
	while ((n = line_at(buf, len, off, LIM_CHUNK_LINE * 64)) != 0) {
		if (n < 0)
			return n == -1 ? 0 : -400;
		off += (size_t)n + 2;
	}
	*outlen = o;
	return (long)(off + 2);
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

/* Read once, waiting until deadline (ms). >0 bytes, 0 EOF, -1 timeout,
 * -2 error. */
static ssize_t
read_some(int fd, char *buf, size_t len, long long deadline)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	long long left;
	ssize_t n;

	for (;;) {
		if ((left = deadline - now_ms()) <= 0)
			return -1;
		pfd.revents = 0;
		if (poll(&pfd, 1, (int)left) == -1 && errno != EINTR)
			return -2;
		if (pfd.revents == 0)
			continue;
		n = read(fd, buf, len);
		if (n >= 0)
			return n;
		if (errno != EINTR && errno != EAGAIN)
			return -2;
	}
}

/*
 * Write every byte of iov[0..cnt) by the write deadline. Head and body go
 * out in one writev: two small writes on a kept-alive connection would
 * meet Nagle's algorithm and the client's delayed ACK, 40 ms a response.
 */
static int
write_all(int fd, struct iovec *iov, int cnt)
{
	struct pollfd pfd = { .fd = fd, .events = POLLOUT };
	long long deadline = now_ms() + LIM_WRITE_SECONDS * 1000LL;
	ssize_t n;

	while (cnt > 0) {
		if (iov->iov_len == 0) {
			iov++, cnt--;
			continue;
		}
		if (poll(&pfd, 1, (int)(deadline - now_ms())) <= 0 &&
		    errno != EINTR)
			return -1;
		if (now_ms() >= deadline)
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

static int
read_length_body(struct http_conn *c, struct http_req *req, size_t head,
    long long deadline)
{
	size_t want = (size_t)req->content_length, have = c->len - head;
	ssize_t n;

	if (have > want)
		have = want;
	if ((req->body = malloc(want + 1)) == NULL)
		return 503;
	memcpy(req->body, c->buf + head, have);
	c->used = head + have;
	while (have < want) {
		n = read_some(c->in, req->body + have, want - have, deadline);
		if (n <= 0)
			return n == -1 ? 408 : 400;
		have += (size_t)n;
	}
	req->body[want] = '\0';
	req->body_len = want;
	return 0;
}

static int
read_chunked_body(struct http_conn *c, struct http_req *req, size_t head,
    long long deadline)
{
	size_t cap = (size_t)c->max_body, rawcap, rawlen, outlen;
	char *raw;
	ssize_t n;
	long done;

	rawcap = cap * LIM_CHUNK_OVERHEAD + LIM_HEAD;
	rawlen = c->len - head;
	if ((raw = malloc(rawcap)) == NULL ||
	    (req->body = malloc(cap + 1)) == NULL) {
		free(raw);
		return 503;
	}
	memcpy(raw, c->buf + head, rawlen);
	c->len = c->used = 0;
	while ((done = http_dechunk(raw, rawlen, req->body, cap, &outlen)) ==
	    0) {
		if (rawlen == rawcap) {
			done = -413;
			break;
		}
		n = read_some(c->in, raw + rawlen, rawcap - rawlen, deadline);
		if (n <= 0) {
			done = n == -1 ? -408 : -400;
			break;
		}
		rawlen += (size_t)n;
	}
	/* what follows the body is the next request */
	if (done > 0 && rawlen - (size_t)done <= sizeof(c->buf)) {
		memcpy(c->buf, raw + done, rawlen - (size_t)done);
		c->len = rawlen - (size_t)done;
	} else if (done > 0)
		done = -400;
	free(raw);
	if (done < 0)
		return (int)-done;
	req->body[outlen] = '\0';
	req->body_len = outlen;
	return 0;
}

static int
read_body(struct http_conn *c, struct http_req *req, size_t head,
    long long deadline)
{
	static const char cont[] = "HTTP/1.1 100 Continue\r\n\r\n";

	if (req->content_length > c->max_body)
		return 413;
	if (req->content_length <= 0 && !req->chunked) {
		c->used = head;
		return 0;
	}
	if (c->len == head && http_header_is(req, "Expect", "100-continue")) {
		struct iovec iov = { (void *)cont, sizeof(cont) - 1 };

		write_all(c->out, &iov, 1);
	}
	if (req->chunked)
		return read_chunked_body(c, req, head, deadline);
	return read_length_body(c, req, head, deadline);
}

int
http_read_request(struct http_conn *c, struct http_req *req)
{
	long long deadline;
	ssize_t n;
	int head;

	memmove(c->buf, c->buf + c->used, c->len - c->used);
	c->len -= c->used;
	c->used = 0;
	req->body = NULL;
	if (c->len == 0) {
		n = read_some(c->in, c->buf, sizeof(c->buf),
		    now_ms() + c->idle_timeout * 1000LL);
		if (n <= 0)
			return 1;
		c->len = (size_t)n;
	}
	c->nreq++;
	deadline = now_ms() + LIM_REQUEST_SECONDS * 1000LL;
	while ((head = http_parse_head(c->buf, c->len, req)) == 0) {
		if (c->len == sizeof(c->buf))
			return 431;
		n = read_some(c->in, c->buf + c->len, sizeof(c->buf) - c->len,
		    deadline);
		if (n <= 0)
			return n == -1 ? 408 : 400;
		c->len += (size_t)n;
	}
	if (head < 0)
		return -head;
	return read_body(c, req, (size_t)head, deadline);
}

void
http_req_free(struct http_req *req)
{
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
	char val[LIM_RESPONSE_HEADERS];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(val, sizeof(val), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(val) || strpbrk(val, "\r\n"))
		return -1;
	n = snprintf(r->hdrs + r->hdrs_len, sizeof(r->hdrs) - r->hdrs_len,
	    "%s: %s\r\n", name, val);
	if (n < 0 || (size_t)n >= sizeof(r->hdrs) - r->hdrs_len) {
		r->hdrs[r->hdrs_len] = '\0';
		return -1;
	}
	r->hdrs_len += (size_t)n;
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
	static const struct {
		int		 code;
		const char	*text;
	} reasons[] = {
		{ 100, "Continue" }, { 200, "OK" }, { 201, "Created" },
		{ 202, "Accepted" }, { 204, "No Content" },
		{ 400, "Bad Request" }, { 401, "Unauthorized" },
		{ 403, "Forbidden" }, { 404, "Not Found" },
		{ 405, "Method Not Allowed" }, { 408, "Request Timeout" },
		{ 409, "Conflict" }, { 413, "Content Too Large" },
		{ 414, "URI Too Long" }, { 415, "Unsupported Media Type" },
		{ 429, "Too Many Requests" },
		{ 431, "Request Header Fields Too Large" },
		{ 500, "Internal Server Error" },
		{ 503, "Service Unavailable" },
		{ 505, "HTTP Version Not Supported" },
	};
	size_t i;

	for (i = 0; i < LEN(reasons); i++)
		if (reasons[i].code == status)
			return reasons[i].text;
	return "Unknown";
}

/*
 * The IMF-fixdate of RFC 9110. Computed here because gmtime_r() and
 * strftime() make glibc read /etc/localtime in every process, for a
 * string that is always UTC. Civil date from days since the epoch:
 * Howard Hinnant's algorithm, with March as the first month of the year.
 */
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
	char head[512 + LIM_RESPONSE_HEADERS], date[64];
	struct iovec iov[2];
	int close = r->close || req == NULL || !req->keep_alive, n;

	http_date(time(NULL), date, sizeof(date));
	n = snprintf(head, sizeof(head), "HTTP/1.1 %d %s\r\nDate: %s\r\n"
	    "Content-Type: %s\r\nContent-Length: %zu\r\n%s%.*s\r\n",
	    r->status, http_reason(r->status), date,
	    r->content_type ? r->content_type : "application/json",
	    r->body_len, close ? "Connection: close\r\n" : req->minor == 0 ?
	    "Connection: keep-alive\r\n" : "",
	    (int)r->hdrs_len, r->hdrs);
	if (n < 0 || (size_t)n >= sizeof(head))
		return -1;
	iov[0].iov_base = head;
	iov[0].iov_len = (size_t)n;
	iov[1].iov_base = (void *)r->body;
	iov[1].iov_len = req != NULL && req->method == HTTP_HEAD ? 0 :
	    r->body_len;
	return write_all(c->out, iov, 2);
}

void
http_linger(struct http_conn *c)
{
	long long deadline = now_ms() + LIM_LINGER_MS;
	char buf[4096];
	size_t total = 0;
	ssize_t n;

	shutdown(c->out, SHUT_WR);
	while (total < LIM_LINGER_BYTES &&
	    (n = read_some(c->in, buf, sizeof(buf), deadline)) > 0)
		total += (size_t)n;
}

/* Jansson's own UTF-8 check: what it refuses would become a 5xx later. */
static int
utf8_ok(const char *s, size_t n)
{
	json_t *j = json_stringn(s, n);

	json_decref(j);
	return j != NULL;
}

long
http_form_decode(const char *s, size_t n, char *out, size_t outlen)
{
	const char *end = s + n;
	size_t o;
	int hi, lo;

	for (o = 0; s < end; s++, o++) {
		if (o + 1 >= outlen || *s == '\0')
			return -1;
		if (*s != '%') {
			out[o] = *s == '+' ? ' ' : *s;
			continue;
		}
		if (end - s < 3 || (hi = hexval(s[1])) < 0 ||
		    (lo = hexval(s[2])) < 0 || (hi | lo) == 0)
			return -1;
		out[o] = (char)(hi << 4 | lo);
		s += 2;
	}
	if (outlen == 0)
		return -1;
	out[o] = '\0';
	return utf8_ok(out, o) ? (long)o : -1;
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
