/*
 * log: one line per event to stderr, or structured journal entries when
 * $JOURNAL_STREAM says stderr is the journal. Callers pass wire data only
 * through log_request(), which sanitises it.
 */
#ifndef LOG_H
#define LOG_H

#include <stddef.h>
#include <syslog.h>

struct log_request {
	const char	*method;
	const char	*path;		/* raw target; query is cut, bytes escaped */
	size_t		 path_len;
	int		 status;
	const char	*user;		/* NULL or "" = anonymous; wire data
					 * for a refused login: sanitised */
	const char	*repo;		/* NULL when none */
	long long	 duration_us;
	const char	*peer;		/* NULL when unknown */
	const char	*proxy;		/* the trusted proxy peer came through,
					 * NULL when none */
};

struct log_delivery {
	const char	*id;
	const char	*url;
	const char	*repo;
	const char	*event;
	long		 status;	/* HTTP status, 0 when none */
	const char	*error;		/* "" when none */
	long		 duration_ms;
};

void	log_open(const char *progname);
/* One webhook delivery attempt: one line, or one journal entry with
 * DINDEX_DELIVERY, DINDEX_URL, DINDEX_REPO, DINDEX_EVENT, DINDEX_STATUS,
 * DINDEX_ERROR and DINDEX_DURATION_US fields. The URL is logged as
 * scheme://host[:port]/path only (net_url_redact), escaped. */
void	log_delivery(const struct log_delivery *);
void	log_msg(int prio, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));
void	log_request(const struct log_request *);
/* Copy at most len bytes of wire data into out (size outlen) with every
 * byte outside printable ASCII, '"' and '\\' escaped as \xNN. */
void	log_sanitise(const char *in, size_t len, char *out, size_t outlen);

#endif
