/*
 * post: webhook deliveries over HTTP(S) with libcurl's multi interface,
 * several at once. Linked only into dindex-deliver.
 */
#ifndef POST_H
#define POST_H

#include <stddef.h>
#include <time.h>

#include <curl/curl.h>

#include "config.h"

#define POST_RESPONSE	1024	/* response bytes kept for the history */

struct post {
	CURL			*c;
	struct curl_slist	*h;
	char			*body;
	const char		*allow;		/* webhook_allow_networks */
	struct timespec		 t0;
	int			 opened, refusals;	/* sockets */
	/* results, set when the transfer ends */
	long			 status;	/* HTTP status, 0 when none */
	int			 refused;	/* every address was refused */
	char			 error[256];	/* "" when none */
	char			 response[POST_RESPONSE];	/* the start */
	size_t			 response_len;
	long			 duration_ms;
};

/* Start POSTing body (malloc'd, freed when the transfer ends) to url on
 * m with the delivery headers; secret "" means unsigned. No redirects,
 * no proxy, http and https only, webhook_timeout for the whole transfer,
 * and a connection only to addresses net_addr_allowed lets through.
 * 0 started, -1 out of memory (logged; body freed). */
int	post_start(CURLM *, struct post *, const char *url, const char *id,
	    const char *event, char *body, const char *secret,
	    const struct config *);
/* Run the transfers of m until one ends; that one, results filled and
 * its handle freed. NULL when none runs (or libcurl failed). */
struct post *post_next(CURLM *);
/* HMAC-SHA256 of len bytes under secret as lower-case hex (65 bytes). */
void	post_sign(const char *secret, const char *data, size_t len,
	    char hex[65]);

#endif
