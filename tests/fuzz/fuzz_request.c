/*
 * fuzz_request: whole requests through the parser and the router against
 * a temporary database, the path a hostile client takes. Checks that every
 * answer is a status the router may send and never 5xx other than 503.
 * The console's files are the tree's (src/ui, from build-fuzz/), and a
 * team "devs" exists, so /ui/ and /teams have something to find.
 */
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "account.h"
#include "config.h"
#include "http.h"
#include "route.h"
#include "spool.h"
#include "store.h"

static struct config cfg;
static struct http_req req;

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	static char dir[] = "/tmp/fuzz_request.XXXXXX";
	char ui[PATH_MAX];
	struct store *st;
	json_t *u;

	(void)argc;
	(void)argv;
	config_defaults(&cfg);
	cfg.scrypt_n = 16;	/* cheap hashes: the fuzzer logs in a lot */
	cfg.scrypt_r = 1;
	if (mkdtemp(dir) == NULL)
		abort();
	snprintf(cfg.database, sizeof(cfg.database), "%s/index.db", dir);
	snprintf(cfg.spool, sizeof(cfg.spool), "%s/spool", dir);
	if (spool_init(cfg.spool) == -1 ||
	    store_open(cfg.database, STORE_CREATE, &st) == -1)
		abort();
	/* admin:secret1 and user alice:secret1 */
	u = account_new(&cfg, "admin", "secret1", "", 1, 1);
	store_put(st, "user:admin", u);
	json_decref(u);
	u = account_new(&cfg, "alice", "secret1", "a@b", 1, 0);
	json_object_set_new(u, "teams", json_pack("{s:b}", "devs", 1));
	store_put(st, "user:alice", u);
	json_decref(u);
	u = json_pack("{s:s, s:{s:b}, s:{s:s}, s:i}", "name", "devs", "owners",
	    "alice", 1, "perms", "alice/app", "write", "created", 1);
	store_put(st, "team:devs", u);
	json_decref(u);
	store_close(st);
	if (realpath("../src/ui", ui) == NULL)
		abort();
	snprintf(cfg.ui_dir, sizeof(cfg.ui_dir), "%s", ui);
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct http_resp resp;
	struct ctx ctx = { .cfg = &cfg, .req = &req, .resp = &resp };
	int head;

	head = http_parse_head((const char *)data, size, &req);
	if (head <= 0)
		return 0;
	req.body_len = size - (size_t)head;
	if ((req.body = malloc(req.body_len + 1)) == NULL)
		return 0;
	memcpy(req.body, data + head, req.body_len);
	req.body[req.body_len] = '\0';
	http_resp_init(&resp);
	route_dispatch(&ctx);
	if (resp.status < 200 || (resp.status >= 500 && resp.status != 503))
		abort();
	http_resp_free(&resp);
	http_req_free(&req);
	return 0;
}
