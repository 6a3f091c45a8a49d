/*
 * dindexctl: local administration of the database and the spool; the
 * commands are ctl.c's.
 */
#include <signal.h>

#include "ctl.h"
#include "log.h"

int
main(int argc, char *argv[])
{
	log_open("dindexctl");
	/* a file size limit makes writes fail (EFBIG, reported), not kill */
	signal(SIGXFSZ, SIG_IGN);
	return ctl_main(argc, argv);
}
