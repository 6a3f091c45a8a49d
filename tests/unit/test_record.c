/*
 * test_record: what the user validator accepts as a password hash:
 * libscrypt's MCF, or an imported SHA-1 of exactly "sha1$" + 40 lower hex;
 * team records and a user's teams, and the references between them;
 * and what a console session record must hold.
 */
#include <string.h>

#include "record.h"
#include "t.h"

static const char *
user_with(const char *hash)
{
	json_t *u = json_pack("{s:s, s:s, s:b, s:b, s:{}}", "name", "alice",
	    "hash", hash, "enabled", 1, "admin", 0, "perms");
	const char *why = record_check("user:alice", u);

	json_decref(u);
	return why;
}

static const char *
session(const char *json)
{
	json_t *s = json_loads(json, 0, NULL);
	const char *why = record_check("session:00ff", s);

	json_decref(s);
	return why;
}

static const struct {
	const char	*key, *json;
	int		 ok;
} teams[] = {
	{ "team:devs", "{\"name\": \"devs\", \"owners\": {\"alice\": true}, "
	    "\"perms\": {\"acme/a/b\": \"write\"}, \"created\": 1}", 1 },
	{ "team:devs", "{\"name\": \"ops\", \"owners\": {}, \"perms\": {}, "
	    "\"created\": 1}", 0 },
	{ "team:x", "{\"name\": \"x\", \"owners\": {}, \"perms\": {}, "
	    "\"created\": 1}", 0 },
	{ "team:devs", "{\"name\": \"devs\", \"owners\": [\"alice\"], "
	    "\"perms\": {}, \"created\": 1}", 0 },
	{ "team:devs", "{\"name\": \"devs\", \"owners\": {\"Al\": true}, "
	    "\"perms\": {}, \"created\": 1}", 0 },
	{ "team:devs", "{\"name\": \"devs\", \"owners\": {}, \"perms\": "
	    "{\"acme\": \"all\"}, \"created\": 1}", 0 },
	{ "team:devs", "{\"name\": \"devs\", \"owners\": {}, \"perms\": "
	    "{}}", 0 },
	{ "user:alice", "{\"name\": \"alice\", \"hash\": \"$s1$0a$x$y\", "
	    "\"enabled\": true, \"admin\": false, \"perms\": {}, "
	    "\"teams\": {\"devs\": true}}", 1 },
	{ "user:alice", "{\"name\": \"alice\", \"hash\": \"$s1$0a$x$y\", "
	    "\"enabled\": true, \"admin\": false, \"perms\": {}, "
	    "\"teams\": {\"d\": true}}", 0 },
	{ "user:*", "{\"name\": \"*\", \"perms\": {}, \"teams\": {}}", 0 },
};

static void
test_teams(void)
{
	json_t *v, *all = json_loads("{\"user:alice\": {}, \"team:devs\": {}}",
	    0, NULL);
	size_t i;

	for (i = 0; i < sizeof(teams) / sizeof(teams[0]); i++) {
		v = json_loads(teams[i].json, 0, NULL);
		T(v != NULL && (record_check(teams[i].key, v) == NULL) ==
		    teams[i].ok);
		/* the owners and teams named exist */
		T(!teams[i].ok || record_check_refs(teams[i].key, v, all) ==
		    NULL);
		json_decref(v);
	}
	v = json_loads("{\"owners\": {\"bob\": true}}", 0, NULL);
	T(strcmp(record_check_refs("team:devs", v, all),
	    "user 'bob' does not exist") == 0);
	json_decref(v);
	v = json_loads("{\"teams\": {\"ops\": true}}", 0, NULL);
	T(strcmp(record_check_refs("user:alice", v, all),
	    "team 'ops' does not exist") == 0);
	json_decref(v);
	json_decref(all);
}

int
main(void)
{
	T(session("{\"user\":\"alice\",\"cred\":\"\",\"created\":1,"
	    "\"expires\":2}") == NULL);
	T(session("{\"user\":\"alice\",\"cred\":\"\",\"created\":1}") != NULL);
	T(session("{\"user\":\"a\",\"cred\":\"\",\"created\":1,"
	    "\"expires\":2}") != NULL);
	T(session("{\"user\":\"alice\",\"cred\":1,\"created\":1,"
	    "\"expires\":2}") != NULL);
	T(session("[]") != NULL);
	T(user_with("sha1$00cafd126182e8a9e7c01bb2f0dfd00496be724f") == NULL);
	T(user_with("$s1$0a0801$c2FsdA==$aGFzaA==") == NULL);
	T(user_with("sha1$00CAFD126182E8A9E7C01BB2F0DFD00496BE724F") != NULL);
	T(user_with("sha1$00cafd126182e8a9e7c01bb2f0dfd00496be724") != NULL);
	T(user_with("sha1$00cafd126182e8a9e7c01bb2f0dfd00496be724ff") != NULL);
	T(user_with("sha1$") != NULL);
	T(user_with("00cafd126182e8a9e7c01bb2f0dfd00496be724f") != NULL);
	test_teams();
	return t_done();
}
