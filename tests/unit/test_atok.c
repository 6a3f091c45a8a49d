/*
 * test_atok: the pure parts of access tokens: "SCOPE:RIGHT" lists and
 * what record_check accepts under "atok:".
 */
#include <string.h>

#include "atok.h"
#include "record.h"
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
	return t_done();
}
