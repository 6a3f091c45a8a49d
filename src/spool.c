/*
 * spool: the webhook queue on disk.
 *
 *   tmp/       being written by one process, never read by another
 *   new/       complete, ready to deliver now
 *   deferred/  waiting for next_attempt
 *   failed/    gave up after webhook_attempts; kept for the operator
 */
#include <sys/stat.h>

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "lim.h"
#include "log.h"
#include "spool.h"

static const char *const states[] = { "tmp", "new", "deferred", "failed" };

static int
make_dir(const char *path)
{
	if (mkdir(path, 0700) == -1 && errno != EEXIST) {
		log_msg(LOG_ERR, "mkdir %s: %s", path, strerror(errno));
		return -1;
	}
	return 0;
}

int
spool_init(const char *root)
{
	char path[LIM_PATH];
	size_t i;

	if (make_dir(root) == -1)
		return -1;
	for (i = 0; i < sizeof(states) / sizeof(states[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", root, states[i]);
		if (make_dir(path) == -1)
			return -1;
	}
	return 0;
}
