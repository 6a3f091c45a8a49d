/* http: bytes <-> requests and responses; parsing is pure over bytes. */
#ifndef HTTP_H
#define HTTP_H

#include <stddef.h>
#include <time.h>

#include "lim.h"

enum http_method {
	HTTP_OTHER = 0,	/* anything else: 405 */
	HTTP_GET,
	HTTP_HEAD,
	HTTP_POST,
	HTTP_PUT,
	HTTP_DELETE,
	HTTP_METHOD_COUNT
};

extern const char *const http_method_names[HTTP_METHOD_COUNT];

struct http_hdr {
	const char	*name;	/* points into the head buffer */
	size_t		 name_len;
	const char	*val;	/* leading/trailing blanks trimmed */
	size_t		 val_len;
};

struct http_req {
	enum http_method method;
	const char	*target;	/* raw request-target as sent */
	size_t		 target_len;
	const char	*query;		/* after '?', raw; NULL when none */
	size_t		 query_len;
	int		 minor;		/* HTTP/1.<minor> */
	int		 keep_alive;	/* 1.1 default, Connection header */
	int		 trailing_slash;	/* path ended in '/' */
	size_t		 nseg;
	size_t		 nhdr;
	long long	 content_length;	/* -1: none */
	int		 chunked;
	char		*body;		/* malloc'd, NUL-terminated, or NULL */
	size_t		 body_len;
	/* from here on not cleared by http_parse_head */
	char		*seg[LIM_SEGMENTS];	/* decoded, in pathbuf */
	char		 pathbuf[LIM_REQUEST_LINE];
	struct http_hdr	 hdr[LIM_HEADERS];
};

struct http_resp {
	int		 status;
	const char	*content_type;	/* default application/json */
	char		 hdrs[LIM_RESPONSE_HEADERS];	/* extra "Name: v\r\n" */
	size_t		 hdrs_len;
	char		*body;		/* malloc'd or NULL */
	size_t		 body_len;
	int		 close;		/* send Connection: close and stop */
};

/* The length of the request head in buf[0..len) through the blank line, 0
 * for more bytes, -status when refused (atop http.c). req points into buf. */
int	 http_parse_head(const char *buf, size_t len, struct http_req *req);
/* Decode a chunked body in place: buf[0..*o) decoded, buf[*o..*len) raw,
 * consumed bytes dropped. The offset of what follows the body (and its
 * trailers), 0 for more bytes (at *len), -413 over cap, -400 malformed. */
long	 http_dechunk(char *buf, size_t *len, size_t cap, size_t *o);

/* The first header of that name, or NULL; both ignore case. */
const struct http_hdr *http_header(const struct http_req *, const char *name);
int	 http_header_is(const struct http_req *, const char *name,
	    const char *s);

struct http_conn {
	int		 in;
	int		 out;
	char		 buf[LIM_HEAD];
	size_t		 len;		/* bytes held in buf */
	size_t		 used;		/* of those, the last request's */
	long		 max_body;
	long		 idle_timeout;
	int		 nreq;		/* requests served */
};

/* 0 with req filled (free with http_req_free); 1 when the peer closed or
 * idled past idle_timeout; else the status >= 400 to answer, then close. */
int	 http_read_request(struct http_conn *, struct http_req *);
void	 http_req_free(struct http_req *);	/* wipes the body: secrets */

void	 http_resp_init(struct http_resp *);
void	 http_resp_free(struct http_resp *);
/* Append a header; returns -1 (and changes nothing) if it would not fit. */
int	 http_resp_header(struct http_resp *, const char *name,
	    const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Set status and take ownership of a malloc'd body. */
void	 http_resp_body(struct http_resp *, int status, char *body,
	    size_t len);
void	 http_resp_error(struct http_resp *, int status, const char *msg);
/* Write the head and the body (none for HEAD). 0 ok, -1 write failed. */
int	 http_write(struct http_conn *, const struct http_req *,
	    const struct http_resp *);
const char *http_reason(int status);
void	 http_date(time_t now, char *buf, size_t len);
/* Before closing after an error: stop writing and discard what the peer
 * still sends for a short while, so it reads the answer, not a reset. */
void	 http_linger(struct http_conn *);

/* The first value of key in an application/x-www-form-urlencoded s,
 * decoded into out: 1 found, 0 absent, -1 refused by http_form_decode. */
int	 http_form_get(const char *s, size_t len, const char *key, char *out,
	    size_t outlen);
/* Percent- and '+'-decode s[0..n) into out, NUL-terminated: its length, or
 * -1 for a bad escape, %00 or NUL, no room, or not UTF-8 (every text a
 * client sends is UTF-8 or a 400). */
long	 http_form_decode(const char *s, size_t n, char *out, size_t outlen);
/* A strict decimal of at most 18 digits and nothing else; -1 otherwise. */
long long http_decimal(const char *s, size_t len);

#endif
