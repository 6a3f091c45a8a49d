/*
 * post: one webhook delivery over HTTP(S) with libcurl. Linked only into
 * dindex-deliver.
 */
#ifndef POST_H
#define POST_H

#include <stddef.h>

#define POST_RESPONSE	1024	/* response bytes kept for the history */

struct post_result {
	long	status;			/* HTTP status, 0 when none */
	char	error[256];		/* curl's error, "" when none */
	char	response[POST_RESPONSE + 1];
	long	duration_ms;
};

/* POST body to url with the delivery headers; secret "" means unsigned.
 * Follows no redirects; http and https only. */
void	post_delivery(const char *url, const char *body, const char *id,
	    const char *event, const char *secret, long timeout,
	    struct post_result *);
/* HMAC-SHA256 of body under secret as lower-case hex (65 bytes). */
void	post_sign(const char *secret, const char *body, char hex[65]);

#endif
