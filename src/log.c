/*
 * log: one line per event on stderr, or, when $JOURNAL_STREAM names the
 * stderr we hold, one structured journal entry per event. Wire data goes
 * only through log_sanitise, so no control byte reaches a terminal or a
 * log parser; the query string is never logged (it may carry secrets).
 */
#include <sys/stat.h>

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <systemd/sd-journal.h>

#include "lim.h"
#include "log.h"
#include "net.h"

#define LOG_LINE	2048	/* one formatted stderr line */

static const char	*progname = "dindex";
static int		 journal;

void
log_open(const char *name)
{
	const char *js = getenv("JOURNAL_STREAM");
	unsigned long long dev, ino;
	struct stat sb;
	char tail;

	progname = name;
	if (js == NULL || sscanf(js, "%llu:%llu%c", &dev, &ino, &tail) != 2)
		return;
	if (fstat(STDERR_FILENO, &sb) == 0 && sb.st_dev == dev &&
	    sb.st_ino == ino)
		journal = 1;
}

static void
emit(int prio, const char *msg)
{
	char line[LOG_LINE];
	int n;

	if (journal) {
		sd_journal_send("MESSAGE=%s", msg, "PRIORITY=%d", prio,
		    "SYSLOG_IDENTIFIER=%s", progname, NULL);
		return;
	}
	n = snprintf(line, sizeof(line), "%s: %s\n", progname, msg);
	if (n < 0)
		return;
	if ((size_t)n >= sizeof(line)) {
		n = sizeof(line) - 1;
		line[n - 1] = '\n';
	}
	if (write(STDERR_FILENO, line, n) == -1)
		return;	/* nowhere left to report it */
}

void
log_msg(int prio, const char *fmt, ...)
{
	char msg[LOG_LINE];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	emit(prio, msg);
}

void
log_sanitise(const char *in, size_t len, char *out, size_t outlen)
{
	static const char hex[] = "0123456789abcdef";
	size_t i, o = 0;
	unsigned char c;

	for (i = 0; i < len && o + 5 < outlen; i++) {
		c = (unsigned char)in[i];
		if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\') {
			out[o++] = (char)c;
			continue;
		}
		out[o++] = '\\';
		out[o++] = 'x';
		out[o++] = hex[c >> 4];
		out[o++] = hex[c & 15];
	}
	if (outlen > 0)
		out[o < outlen ? o : outlen - 1] = '\0';
}

static int
priority(int status)
{
	if (status >= 500)
		return LOG_ERR;
	if (status >= 400)
		return LOG_NOTICE;
	return LOG_INFO;
}

void
log_request(const struct log_request *r)
{
	const char *q = memchr(r->path, '?', r->path_len);
	size_t plen = q ? (size_t)(q - r->path) : r->path_len;
	char path[512], msg[LOG_LINE], user[4 * 64 + 1] = "-", via[80] = "";

	log_sanitise(r->path, plen, path, sizeof(path));
	if (r->user && r->user[0])
		log_sanitise(r->user, strlen(r->user), user, sizeof(user));
	if (r->proxy)
		snprintf(via, sizeof(via), " via %s", r->proxy);
	snprintf(msg, sizeof(msg), "%s%s \"%s %s\" %d user=%s repo=%s %lldus",
	    r->peer ? r->peer : "-", via, r->method, path, r->status, user,
	    r->repo ? r->repo : "-", r->duration_us);
	if (!journal) {
		emit(priority(r->status), msg);
		return;
	}
	sd_journal_send("MESSAGE=%s", msg, "PRIORITY=%d", priority(r->status),
	    "SYSLOG_IDENTIFIER=%s", progname, "DINDEX_METHOD=%s", r->method,
	    "DINDEX_PATH=%s", path, "DINDEX_STATUS=%d", r->status,
	    "DINDEX_USER=%s", user, "DINDEX_REPO=%s", r->repo ? r->repo : "",
	    "DINDEX_DURATION_US=%lld", r->duration_us,
	    "DINDEX_PEER=%s", r->peer ? r->peer : "",
	    "DINDEX_PROXY=%s", r->proxy ? r->proxy : "", NULL);
}

/* The URL without user:password@, query and fragment: they may carry
 * credentials. */
void
log_delivery(const struct log_delivery *d)
{
	int ok = d->status >= 200 && d->status < 300;
	char msg[LOG_LINE], raw[LIM_URL + 1], url[LOG_LINE / 2];

	net_url_redact(d->url, raw, sizeof(raw));
	log_sanitise(raw, strlen(raw), url, sizeof(url));
	snprintf(msg, sizeof(msg), "delivery %s to %s (%s, %s): %ld %s %ldms",
	    d->id, url, d->repo, d->event, d->status, d->error,
	    d->duration_ms);
	if (!journal) {
		emit(ok ? LOG_INFO : LOG_WARNING, msg);
		return;
	}
	sd_journal_send("MESSAGE=%s", msg, "PRIORITY=%d", ok ? LOG_INFO :
	    LOG_WARNING, "SYSLOG_IDENTIFIER=%s", progname,
	    "DINDEX_DELIVERY=%s", d->id, "DINDEX_URL=%s", url,
	    "DINDEX_REPO=%s", d->repo, "DINDEX_EVENT=%s", d->event,
	    "DINDEX_STATUS=%ld", d->status, "DINDEX_ERROR=%s", d->error,
	    "DINDEX_DURATION_US=%ld", d->duration_ms * 1000, NULL);
}
