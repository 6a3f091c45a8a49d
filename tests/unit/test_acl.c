/*
 * test_acl: precedence, own namespace, the admin flag, disabled users,
 * anonymous callers and public grants.
 */
#include "acl.h"
#include "t.h"

static json_t *
user(const char *name, int enabled, int admin, const char *perms)
{
	return json_pack("{s:s, s:b, s:b, s:o}", "name", name, "enabled",
	    enabled, "admin", admin, "perms", json_loads(perms, 0, NULL));
}

int
main(void)
{
	json_t *u = user("alice", 1, 0, "{\"ns\": \"read\", \"ns/app\": "
	    "\"write\", \"other\": \"admin\", \"alice/x\": \"read\", "
	    "\"odd\": \"bogus\"}");
	json_t *pub = json_loads("{\"name\": \"*\", \"perms\": {\"pub\": "
	    "\"read\", \"ns/app\": \"read\"}}", 0, NULL);
	json_t *off = user("bob", 0, 1, "{}");
	json_t *root = user("root", 1, 1, "{}");

	T(acl_bits("read") == ACL_PULL && acl_bits("write") == ACL_PUSH &&
	    acl_bits("admin") == ACL_ALL && acl_bits("x") == -1);
	/* the repo entry wins over the namespace entry, both ways */
	T(acl_allows(u, NULL, "ns", "app", 1) == ACL_PUSH);
	T(acl_allows(u, NULL, "ns", "lib", 1) == ACL_PULL);
	T(acl_allows(u, NULL, "other", "x", 1) == ACL_ALL);
	/* own namespace, and an explicit entry narrowing it */
	T(acl_allows(u, NULL, "alice", "y", 1) == ACL_ALL);
	T(acl_allows(u, NULL, "alice", "y", 0) == 0);
	T(acl_allows(u, NULL, "alice", "x", 1) == ACL_PULL);
	T(acl_allows(u, NULL, "odd", "x", 1) == 0);
	T(acl_allows(u, NULL, "none", "x", 1) == 0);
	/* admin flag, disabled */
	T(acl_allows(root, NULL, "any", "x", 0) == ACL_ALL);
	T(acl_allows(off, pub, "pub", "x", 1) == 0);
	/* anonymous and public grants, added to the caller's own */
	T(acl_allows(NULL, NULL, "pub", "x", 1) == 0);
	T(acl_allows(NULL, pub, "pub", "x", 1) == ACL_PULL);
	T(acl_allows(NULL, pub, "ns", "lib", 1) == 0);
	T(acl_allows(u, pub, "ns", "app", 1) == (ACL_PUSH | ACL_PULL));
	json_decref(u);
	json_decref(pub);
	json_decref(off);
	json_decref(root);
	return t_done();
}
