/*
 * test_atok: the pure parts of access tokens: "SCOPE:RIGHT" lists and
 * what record_check accepts under "atok:".
 */
#include <string.h>

#include "atok.h"
#include "record.h"
#include "result.h"
#include "t.h"

/* Whether list (JSON text) parses to scopes (JSON text; NULL: refused). */
static int
scopes(const char *list, const char *want)
{
	json_t *l = json_loads(list, 0, NULL), *got = atok_scopes(l);
	json_t *w = want ? json_loads(want, 0, NULL) : NULL;
	int ok = want ? json_equal(got, w) : got == NULL;

	json_decref(l);
	json_decref(got);
	json_decref(w);
	return ok;
}

/* Whether record_check accepts rec with field key set to val (JSON). */
static int
valid(const char *key, const char *val)
{
	json_t *rec = json_pack("{s:s, s:s, s:s, s:{s:s}, s:I, s:I}", "user",
	    "alice", "name", "ci", "hash", "0123456789abcdef0123456789abcdef"
	    "0123456789abcdef0123456789abcdef", "scopes", "team", "read",
	    "created", (json_int_t)1, "expires", (json_int_t)0);
	int ok;

	if (key != NULL)
		json_object_set_new(rec, key, json_loads(val, JSON_DECODE_ANY,
		    NULL));
	ok = record_check("atok:0123456789abcdef", rec) == NULL;
	json_decref(rec);
	return ok;
}

/* A token asked for by its owner under a stamp that a password change or
 * a disable has replaced since is not made; one an administrator asks
 * for (no stamp) is. */
static void
test_stale(void)
{
	char dir[] = "/tmp/test_atok.XXXXXX", cmd[64];
	static struct config cfg;
	json_t *list = json_pack("[s]", "team:read"), *u, *out = NULL;
	struct store *st = NULL;

	T(mkdtemp(dir) != NULL);
	config_defaults(&cfg);
	cfg.scrypt_n = 1024, cfg.scrypt_r = 8, cfg.scrypt_p = 1;
	snprintf(cfg.database, sizeof(cfg.database), "%s/index.db", dir);
	u = account_new(&cfg, "alice", "secret1", "", 1, 0);
	T(u != NULL && store_open(cfg.database, STORE_CREATE, &st) == 0);
	T(store_put(st, "user:alice", u) == 0 && store_close(st) == 0);
	T(atok_add(&cfg, "alice", "a", list, -1, "0123456789abcdef", &out) ==
	    RES_STALE && out == NULL);
	T(atok_add(&cfg, "alice", "b", list, -1, account_stamp(u), &out) ==
	    RES_OK && out != NULL);
	json_decref(out);
	T(atok_add(&cfg, "alice", "c", list, -1, NULL, &out) == RES_OK);
	json_decref(out);
	json_decref(u);
	json_decref(list);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	T(system(cmd) == 0);
}

int
main(void)
{
	char many[1024] = "[";
	int i;

	T(scopes("[\"team:read\", \"team/a/b:write\", \"*:admin\"]",
	    "{\"team\": \"read\", \"team/a/b\": \"write\", \"*\": \"admin\"}"));
	/* the right follows the last ':'; the validator judges both parts */
	T(scopes("[\"a:b:read\"]", "{\"a:b\": \"read\"}"));
	T(scopes("[]", "{}"));
	T(scopes("[\"team\"]", NULL));
	T(scopes("[\"team:read\", \"team:write\"]", NULL));
	T(scopes("[1]", NULL));
	T(scopes("\"team:read\"", NULL));
	T(scopes("{\"team\": \"read\"}", NULL));

	T(valid(NULL, NULL));
	T(valid("used", "5") && valid("name", "\"A-z_0.9\""));
	T(valid("scopes", "{\"*\": \"admin\", \"ab/b/c\": \"write\"}"));
	T(!valid("scopes", "{}") && !valid("scopes", "[]"));
	T(!valid("scopes", "{\"Team\": \"read\"}"));
	T(!valid("scopes", "{\"a:b\": \"read\"}"));
	T(!valid("scopes", "{\"team\": \"delete\"}"));
	T(!valid("name", "\"\"") && !valid("name", "\"a b\""));
	T(!valid("name", "\"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
	    "xxxxxxxxxxxx\""));
	T(!valid("user", "\"*\"") && !valid("hash", "\"abc\""));
	T(!valid("expires", "null") && !valid("used", "\"now\""));
	for (i = 0; i < LIM_ATOK_SCOPES + 1; i++)
		snprintf(many + strlen(many), sizeof(many) - strlen(many),
		    "%s\"n%02d:read\"", i ? ", " : "", i);
	strcat(many, "]");
	T(scopes(many, NULL) == 0);	/* parses; the validator refuses */
	test_stale();
	return t_done();
}
