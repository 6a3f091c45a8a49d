/*
 * log: one line per event to stderr, or structured journal entries when
 * $JOURNAL_STREAM says stderr is the journal. Wire data goes only through
 * log_sanitise().
 */
#ifndef LOG_H
#define LOG_H

#include <stddef.h>
#include <syslog.h>

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
/* One event: "prog: msg" on stderr, or a journal entry with MESSAGE=msg
 * and a DINDEX_<NAME>=value field for each (NAME, value) string pair of
 * the list that follows, ended by NULL. Values must be sanitised. */
void	log_event(int prio, const char *msg, ...);
/* Copy at most len bytes of wire data into out (size outlen) with every
 * byte outside printable ASCII, '"' and '\\' escaped as \xNN. */
void	log_sanitise(const char *in, size_t len, char *out, size_t outlen);

#endif
