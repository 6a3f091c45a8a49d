/*
 * test_record: what the user validator accepts as a password hash:
 * libscrypt's MCF, or an imported SHA-1 of exactly "sha1$" + 40 lower hex;
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
	return t_done();
}
