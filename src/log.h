/* log: to stderr or the journal; wire data only through log_sanitise. */
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
/* One webhook delivery attempt; its URL without credentials, query and
 * fragment (net_url_redact), which may carry secrets. */
void	log_delivery(const struct log_delivery *);
void	log_msg(int prio, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));
/* "prog: msg" on stderr, or a journal entry with MESSAGE=msg and
 * DINDEX_<NAME>=value for each sanitised (NAME, value) pair up to NULL. */
void	log_event(int prio, const char *msg, ...);
/* Wire data in[0..len) into out, each byte outside printable ASCII, '"'
 * and '\\' as \xNN. */
void	log_sanitise(const char *in, size_t len, char *out, size_t outlen);

#endif
