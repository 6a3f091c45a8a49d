/*
 * test_acl: precedence, own namespace, the admin flag, disabled users,
 * anonymous callers, public grants, logins by access token, team grants
 * (as a login carries them, "via_teams") and the delegation predicates.
 */
#include "acl.h"
#include "lim.h"
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

/* The rights on ns/repo of a user with own grants and teams' grants. */
static int
with_teams(const char *own, const char *teams, int admin, const char *ns,
    const char *repo)
{
	json_t *u = user("carol", 1, admin, own);
	int bits;

	json_object_set_new(u, "via_teams", json_loads(teams, 0, NULL));
	bits = acl_allows(u, NULL, ns, repo, 1);
	json_decref(u);
	return bits;
}

static const struct {
	const char	*own, *teams;
	int		 admin;
	const char	*ns, *repo;
	int		 bits;
} team_cases[] = {
	{ "{}", "{\"t\": {\"acme\": \"read\"}}", 0, "acme", "app", R },
	{ "{}", "{\"t\": {\"acme/app\": \"write\"}}", 0, "acme", "app", W },
	{ "{}", "{\"t\": {\"acme/app\": \"write\"}}", 0, "acme", "lib", 0 },
	/* the most specific entry wins, whoever's it is */
	{ "{\"acme/app\": \"read\"}", "{\"t\": {\"acme\": \"admin\"}}", 0,
	    "acme", "app", R },
	{ "{\"acme\": \"admin\"}", "{\"t\": {\"acme/app\": \"read\"}}", 0,
	    "acme", "app", R },
	{ "{\"acme\": \"admin\"}", "{\"t\": {\"acme/app\": \"read\"}}", 0,
	    "acme", "lib", ACL_ALL },
	/* equally specific: added up, the strongest winning */
	{ "{}", "{\"a\": {\"acme\": \"read\"}, \"b\": {\"acme\": "
	    "\"admin\"}}", 0, "acme", "app", ACL_ALL },
	{ "{}", "{\"a\": {\"acme/app\": \"read\"}, \"b\": {\"acme/app\": "
	    "\"write\"}}", 0, "acme", "app", R | W },
	{ "{\"acme/app\": \"write\"}", "{\"a\": {\"acme/app\": \"read\"}}",
	    0, "acme", "app", R | W },
	/* a later, less specific team's entry never undoes a better one */
	{ "{}", "{\"a\": {\"acme/app\": \"read\"}, \"z\": {\"acme\": "
	    "\"admin\"}}", 0, "acme", "app", R },
	{ "{}", "{\"a\": {\"acme\": \"admin\"}, \"z\": {\"acme/app\": "
	    "\"read\"}}", 0, "acme", "app", R },
	/* a team that is gone (null) counts for nothing */
	{ "{}", "{\"gone\": null}", 0, "acme", "app", 0 },
	/* the admin flag; own namespace is an own namespace entry */
	{ "{}", "{\"t\": {\"acme/app\": \"read\"}}", 1, "acme", "app",
	    ACL_ALL },
	{ "{}", "{\"t\": {\"carol\": \"read\"}}", 0, "carol", "x",
	    ACL_ALL },
	{ "{}", "{\"t\": {\"carol/x\": \"read\"}}", 0, "carol", "x", R },
};

static void
test_teams(void)
{
	json_t *u = user("dave", 1, 0, "{\"acme\": \"admin\", "
	    "\"acme/secret\": \"read\"}");
	json_t *team = json_loads("{\"owners\": {\"dave\": true}}", 0, NULL);
	json_t *root = user("root", 1, 1, "{}");
	size_t i;

	for (i = 0; i < LEN(team_cases); i++)
		T(with_teams(team_cases[i].own, team_cases[i].teams,
		    team_cases[i].admin, team_cases[i].ns, team_cases[i].repo) ==
		    team_cases[i].bits);
	/* may grant: admin on the namespace, and no more than held */
	T(acl_may_grant(u, "acme", "app", "admin", 0) == 0);
	T(acl_may_grant(u, "acme", "", NULL, 0) == 0);
	T(acl_may_grant(u, "acme", "secret", "read", 0) == 0);
	T(acl_may_grant(u, "acme", "secret", "write", 0) == ACL_NOT_HELD);
	T(acl_may_grant(u, "other", "", NULL, 0) == ACL_NOT_NS_ADMIN);
	T(acl_may_grant(u, "dave", "x", "admin", 1) == 0);
	T(acl_may_grant(u, "dave", "x", "admin", 0) == ACL_NOT_NS_ADMIN);
	T(acl_may_grant(root, "any", "x", "admin", 0) == 0);
	json_object_set_new(u, "via_teams", json_loads("{\"t\": {\"ops\": "
	    "\"admin\"}}", 0, NULL));
	T(acl_may_grant(u, "ops", "x", "write", 0) == 0);
	/* team owners: by password, enabled; administrators own every team */
	T(acl_team_owner(u, team) && acl_team_owner(root, team));
	T(!acl_team_owner(NULL, team));
	json_object_set_new(u, "via_token", json_loads("{\"*\": \"admin\"}",
	    0, NULL));
	T(!acl_team_owner(u, team));
	json_object_del(u, "via_token");
	json_object_set_new(u, "enabled", json_false());
	T(!acl_team_owner(u, team));
	json_object_set_new(root, "name", json_string("dave"));
	json_object_set_new(root, "admin", json_false());
	json_object_del(team, "owners");
	T(!acl_team_owner(root, team));
	json_decref(u);
	json_decref(team);
	json_decref(root);
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
	test_teams();
	return t_done();
}
