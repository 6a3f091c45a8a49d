/*
 * ctl: helpers shared by dindexctl's command modules.
 */
#include <sys/stat.h>

#include <grp.h>
#include <libgen.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "ctl.h"

int
ctl_refuse(const char *fmt, ...)
{
	va_list ap;

	fputs("dindexctl: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return CTL_REFUSED;
}

int
ctl_usage(void)
{
	fputs("usage: dindexctl [-c FILE] [--json] command ...\n"
	    "  init\n"
	    "  user list | show NAME | add NAME [--email E] [--admin] "
	    "[--password-stdin]\n"
	    "  user passwd NAME [--password-stdin] | enable NAME | "
	    "disable NAME | del NAME\n"
	    "  user admin NAME on|off\n"
	    "  perm set NAME SCOPE read|write|admin | rm NAME SCOPE | "
	    "list NAME\n"
	    "  repo list | show NS/REPO | rm NS/REPO\n"
	    "  webhook add NS/REPO URL [--events new,existing] "
	    "[--secret-stdin] |\n"
	    "    list NS/REPO | rm NS/REPO ID | ping NS/REPO ID | "
	    "history NS/REPO ID\n"
	    "  spool list [--failed] | show ID | retry ID|--failed | drop ID\n"
	    "  token gc | list USER | rm USER ID\n"
	    "  dump [[-o] FILE] | load [--force] [FILE] | check\n", stderr);
	return CTL_USAGE;
}

static int
read_line(FILE *fp, char *buf, size_t len)
{
	size_t n;

	if (fgets(buf, len, fp) == NULL)
		return -1;
	n = strcspn(buf, "\n");
	if (buf[n] != '\n' && !feof(fp))
		return -1;	/* longer than the buffer */
	buf[n] = '\0';
	return 0;
}

int
ctl_read_password(int from_stdin, char *pw, size_t len)
{
	struct termios old, noecho;
	FILE *tty;
	int rc = -1;

	if (from_stdin)
		return read_line(stdin, pw, len);
	if ((tty = fopen("/dev/tty", "r+")) == NULL)
		return -1;
	if (tcgetattr(fileno(tty), &old) == 0) {
		noecho = old;
		noecho.c_lflag &= ~(tcflag_t)ECHO;
		fputs("Password: ", tty);
		fflush(tty);
		tcsetattr(fileno(tty), TCSAFLUSH, &noecho);
		rc = read_line(tty, pw, len);
		tcsetattr(fileno(tty), TCSAFLUSH, &old);
		fputc('\n', tty);
	}
	fclose(tty);
	return rc;
}

void
ctl_print_json(const json_t *j)
{
	json_dumpf(j, stdout, JSON_INDENT(2) | JSON_SORT_KEYS |
	    JSON_ENCODE_ANY);
	putchar('\n');
}

const char *
ctl_str(const json_t *obj, const char *key)
{
	const char *s = json_string_value(json_object_get(obj, key));

	return s != NULL ? s : "-";
}

const char *
ctl_time(const json_t *v, char *buf, size_t len)
{
	struct tm tm;
	time_t t = (time_t)json_integer_value(v);

	if (!json_is_integer(v) || gmtime_r(&t, &tm) == NULL ||
	    strftime(buf, len, "%Y-%m-%d %H:%M:%S", &tm) == 0)
		snprintf(buf, len, "-");
	return buf;
}

int
ctl_become_owner(const struct config *cfg)
{
	char dir[LIM_PATH];
	struct stat sb;

	if (getuid() != 0)
		return 0;
	snprintf(dir, sizeof(dir), "%s", cfg->database);
	if (stat(dirname(dir), &sb) == -1 || sb.st_uid == 0)
		return 0;
	if (setgroups(0, NULL) == -1 || setgid(sb.st_gid) == -1 ||
	    setuid(sb.st_uid) == -1)
		return ctl_refuse("cannot become uid %u", (unsigned)sb.st_uid);
	return 0;
}
