/*
 * test_acl: precedence, own namespace, the admin flag, disabled users,
 * anonymous callers, public grants, and logins by access token.
 */
#include "acl.h"
#include "t.h"

/* Every grant carries ACL_V2PULL (acl.h) */
#define R	(ACL_PULL | ACL_V2PULL)
#define W	(ACL_PUSH | ACL_V2PULL)

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

	T(acl_bits("read") == R && acl_bits("write") == W &&
	    acl_bits("admin") == ACL_ALL && acl_bits("x") == -1);
	/* the repo entry wins over the namespace entry, both ways */
	T(acl_allows(u, NULL, "ns", "app", 1) == W);
	T(acl_allows(u, NULL, "ns", "lib", 1) == R);
	T(acl_allows(u, NULL, "other", "x", 1) == ACL_ALL);
	/* own namespace, and an explicit entry narrowing it */
	T(acl_allows(u, NULL, "alice", "y", 1) == ACL_ALL);
	T(acl_allows(u, NULL, "alice", "y", 0) == 0);
	T(acl_allows(u, NULL, "alice", "x", 1) == R);
	T(acl_allows(u, NULL, "odd", "x", 1) == 0);
	T(acl_allows(u, NULL, "none", "x", 1) == 0);
	/* admin flag, disabled */
	T(acl_allows(root, NULL, "any", "x", 0) == ACL_ALL);
	T(acl_allows(off, pub, "pub", "x", 1) == 0);
	/* anonymous and public grants, added to the caller's own */
	T(acl_allows(NULL, NULL, "pub", "x", 1) == 0);
	T(acl_allows(NULL, pub, "pub", "x", 1) == R);
	T(acl_allows(NULL, pub, "ns", "lib", 1) == 0);
	T(acl_allows(u, pub, "ns", "app", 1) == (W | R));
	/* by access token: the owner's rights narrowed to its scopes, the
	 * most specific scope winning; the public grants stay */
	json_object_set_new(u, "via_token", json_loads("{\"ns\": \"admin\", "
	    "\"other/x\": \"read\", \"*\": \"write\"}", 0, NULL));
	T(acl_allows(u, NULL, "ns", "app", 1) == W);
	T(acl_allows(u, NULL, "ns", "lib", 1) == R);
	T(acl_allows(u, NULL, "other", "x", 1) == R);
	T(acl_allows(u, NULL, "other", "y", 1) == W);
	T(acl_allows(u, NULL, "alice", "y", 1) == W);
	T(acl_allows(u, pub, "pub", "x", 1) == R);
	T(acl_allows(u, pub, "ns", "app", 1) == (W | R));
	/* a writer's read token: nothing over v1, pull over v2 */
	json_object_set_new(u, "via_token", json_loads("{\"ns\": \"read\"}",
	    0, NULL));
	T(acl_allows(u, NULL, "ns", "app", 1) == ACL_V2PULL);
	json_object_set_new(root, "via_token", json_loads("{\"ns/a/b\": "
	    "\"read\"}", 0, NULL));
	T(acl_allows(root, NULL, "ns", "a/b", 0) == R);
	T(acl_allows(root, NULL, "ns", "a", 0) == 0);
	/* the administrator: by token only with admin on "*" */
	T(!acl_admin(NULL) && !acl_admin(u) && !acl_admin(off));
	T(!acl_admin(root));
	json_object_set_new(root, "via_token", json_loads("{\"*\": "
	    "\"admin\"}", 0, NULL));
	T(acl_admin(root) && acl_account(root, "alice"));
	json_object_del(root, "via_token");
	T(acl_admin(root) && acl_account(root, "alice"));
	/* one's own account: by password only */
	T(!acl_account(u, "alice") && !acl_account(NULL, ""));
	json_object_del(u, "via_token");
	T(acl_account(u, "alice") && !acl_account(u, "bob"));
	json_decref(u);
	json_decref(pub);
	json_decref(off);
	json_decref(root);
	return t_done();
}
