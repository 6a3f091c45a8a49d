/*
 * dindex-deliver: drain the webhook spool once and exit. Started by
 * dindex-deliver.path as soon as new/ holds a file, and by
 * dindex-deliver.timer for deferred retries. Safe to run twice at once.
 */
#include <sysexits.h>

#include <curl/curl.h>

#include "config.h"
#include "drain.h"
#include "log.h"

#define USAGE	"usage: dindex-deliver [-c config] [--help] [--version]\n" \
	"  attempts every due webhook delivery once (dindex-deliver(8))\n"

int
main(int argc, char *argv[])
{
	static struct config cfg;
	const char *path = NULL;
	int rc;

	log_open("dindex-deliver");
	rc = config_options(argc, argv, "dindex-deliver", USAGE, &path);
	if (rc != 0)
		return rc == 1 ? 0 : EX_USAGE;
	if (config_load(path, &cfg) == -1)
		return EX_CONFIG;
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != 0)
		return EX_SOFTWARE;
	rc = drain_spool(&cfg);
	curl_global_cleanup();
	return rc == 0 ? 0 : EX_TEMPFAIL;
}
