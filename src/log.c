/*
 * log: a line on stderr, or a journal entry when $JOURNAL_STREAM names our
 * stderr, or syslog(3) when stderr is the client's socket, as inetd hands it.
 * No control byte of wire data reaches a terminal or log parser.
 */
#include <sys/stat.h>
#include <sys/uio.h>

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <systemd/sd-journal.h>

#include "lim.h"
#include "log.h"
#include "net.h"

#define LOG_LINE	2048	/* one formatted line or journal field */
#define LOG_FIELDS	12	/* DINDEX_* fields of one entry */

static const char	*progname = "dindex";
static int		 journal;
static int		 syslogged;

void
log_open(const char *name)
{
	const char *js = getenv("JOURNAL_STREAM");
	unsigned long long dev, ino;
	struct stat sb, in;
	char tail;

	progname = name;
	if (fstat(STDERR_FILENO, &sb) == -1)
		return;
	journal = js != NULL && sscanf(js, "%llu:%llu%c", &dev, &ino,
	    &tail) == 2 && sb.st_dev == dev && sb.st_ino == ino;
	syslogged = !journal && S_ISSOCK(sb.st_mode) &&
	    fstat(STDIN_FILENO, &in) == 0 && in.st_ino == sb.st_ino &&
	    in.st_dev == sb.st_dev;
	if (syslogged)	/* connected now, before the sandbox */
		openlog(name, LOG_PID | LOG_NDELAY, LOG_DAEMON);
}

void
log_event(int prio, const char *msg, ...)
{
	char field[LOG_FIELDS + 3][LOG_LINE], line[LOG_LINE];
	struct iovec iov[LOG_FIELDS + 3];
	const char *name;
	size_t n = 0, i;
	va_list ap;
	int len;

	if (syslogged) {
		syslog(prio, "%s", msg);
		return;
	}
	if (!journal) {
		len = snprintf(line, sizeof(line), "%s: %s", progname, msg);
		len = len < 0 ? 0 : len >= LOG_LINE ? LOG_LINE - 1 : len;
		line[len++] = '\n';
		/* a failed write leaves nowhere to report it */
		len = (int)write(STDERR_FILENO, line, len);
		return;
	}
	snprintf(field[n++], LOG_LINE, "MESSAGE=%s", msg);
	snprintf(field[n++], LOG_LINE, "PRIORITY=%d", prio);
	snprintf(field[n++], LOG_LINE, "SYSLOG_IDENTIFIER=%s", progname);
	va_start(ap, msg);
	while (n < LEN(field) && (name = va_arg(ap, const char *)) != NULL)
		snprintf(field[n++], LOG_LINE, "DINDEX_%s=%s", name,
		    va_arg(ap, const char *));
	va_end(ap);
	for (i = 0; i < n; i++)
		iov[i] = (struct iovec){ field[i], strlen(field[i]) };
	sd_journal_sendv(iov, (int)n);
}

void
log_msg(int prio, const char *fmt, ...)
{
	char msg[LOG_LINE];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	log_event(prio, msg, NULL);
}

void
log_sanitise(const char *in, size_t len, char *out, size_t outlen)
{
	size_t i, o = 0;
	unsigned char c;

	/* room for one more \xNN and the NUL */
	for (i = 0; i < len && o + 5 < outlen; i++) {
		c = (unsigned char)in[i];
		if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\')
			out[o++] = (char)c;
		else
			o += (size_t)snprintf(out + o, 5, "\\x%02x", c);
	}
	if (outlen > 0)
		out[o] = '\0';
}

void
log_delivery(const struct log_delivery *d)
{
	char msg[LOG_LINE], raw[LIM_URL + 1], url[LOG_LINE / 2], st[24], us[24];

	net_url_redact(d->url, raw, sizeof(raw));
	log_sanitise(raw, strlen(raw), url, sizeof(url));
	snprintf(msg, sizeof(msg), "delivery %s to %s (%s, %s): %ld %s %ldms",
	    d->id, url, d->repo, d->event, d->status, d->error,
	    d->duration_ms);
	snprintf(st, sizeof(st), "%ld", d->status);
	snprintf(us, sizeof(us), "%ld", d->duration_ms * 1000);
	log_event(d->status >= 200 && d->status < 300 ? LOG_INFO : LOG_WARNING,
	    msg, "DELIVERY", d->id, "URL", url, "REPO", d->repo, "EVENT",
	    d->event, "STATUS", st, "ERROR", d->error, "DURATION_US", us, NULL);
}
