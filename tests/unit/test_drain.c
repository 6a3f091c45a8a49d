/*
 * test_drain: a delivery whose webhook record cannot be read (here: not
 * JSON) is neither sent nor lost: the claim stays in active/ and goes
 * back to new/ once stale.
 */
#include <sys/stat.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <curl/curl.h>
#include <gdbm.h>

#include "config.h"
#include "drain.h"
#include "spool.h"
#include "store.h"
#include "t.h"

static size_t
count(const char *root, const char *state)
{
	json_t *n = spool_names(root, state);
	size_t k = json_array_size(n);

	json_decref(n);
	return k;
}

int
main(void)
{
	char dir[] = "/tmp/dindex-drain-XXXXXX", path[2 * LIM_PATH];
	static struct config cfg;
	datum k = { "hooks:alice/app", 15 }, v = { "{\"broken", 8 };
	struct store *st;
	GDBM_FILE db;
	json_t *d, *names;

	T(mkdtemp(dir) != NULL);
	config_defaults(&cfg);
	snprintf(cfg.database, sizeof(cfg.database), "%s/index.db", dir);
	snprintf(cfg.spool, sizeof(cfg.spool), "%s/spool", dir);
	/* were it sent, the refused connection would move it to deferred/ */
	snprintf(cfg.webhook_allow_networks,
	    sizeof(cfg.webhook_allow_networks), "127.0.0.0/8");
	T(store_open(cfg.database, STORE_CREATE, &st) == 0);
	T(store_close(st) == 0);
	db = gdbm_open(cfg.database, 0, GDBM_WRITER | GDBM_NOLOCK, 0600, NULL);
	T(db != NULL && gdbm_store(db, k, v, GDBM_REPLACE) == 0);
	gdbm_close(db);
	T(spool_init(cfg.spool) == 0);
	d = json_pack("{s:s, s:s, s:s, s:s, s:i, s:{}}", "webhook_id", "x",
	    "repository", "alice/app", "url", "http://127.0.0.1:1/",
	    "event", "ping", "attempts", 0, "payload");
	T(spool_put(cfg.spool, d) == 0);
	json_decref(d);
	curl_global_init(CURL_GLOBAL_DEFAULT);
	T(drain_spool(&cfg) == -1);
	T(count(cfg.spool, "active") == 1 && count(cfg.spool, "new") == 0);
	T(count(cfg.spool, "deferred") == 0 && count(cfg.spool, "failed") == 0);
	/* a second run leaves it too; once stale it is back in new/ */
	T(drain_spool(&cfg) == 0);
	T(count(cfg.spool, "active") == 1);
	names = spool_names(cfg.spool, "active");
	snprintf(path, sizeof(path), "%s/active/%s", cfg.spool,
	    json_string_value(json_array_get(names, 0)));
	T(utimensat(AT_FDCWD, path, (struct timespec[2]){ { 0, 0 }, { 0, 0 } },
	    0) == 0);
	json_decref(names);
	T(spool_reclaim(cfg.spool, 600) == 0);
	T(count(cfg.spool, "new") == 1 && count(cfg.spool, "active") == 0);
	curl_global_cleanup();
	snprintf(path, sizeof(path), "rm -rf %s", dir);
	T(system(path) == 0);
	return t_done();
}
