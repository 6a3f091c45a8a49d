/* acl: what a caller may do to a repository; the rules are in acl.h. */
#include <stdio.h>
#include <string.h>

#include "acl.h"
#include "lim.h"
#include "names.h"
#include "record.h"

int
acl_bits(const char *access)
{
	if (access == NULL)
		return -1;
	return strcmp(access, "read") == 0 ? ACL_PULL | ACL_V2PULL :
	    strcmp(access, "write") == 0 ? ACL_PUSH | ACL_V2PULL :
	    strcmp(access, "admin") == 0 ? ACL_ALL : -1;
}

/* The most specific entry of perms ("*" only a token's): 2 ns/repo, 1 ns,
 * 0 "*" with *bits, or -1 when none. */
static int
grant(const json_t *perms, const char *ns, const char *repo, int *bits)
{
	char scope[LIM_NAME + 2];
	const char *keys[] = { "*", ns, scope }, *a;
	int level;

	snprintf(scope, sizeof(scope), "%s/%s", ns, repo);
	for (level = 2; level >= 0; level--) {
		a = json_string_value(json_object_get(perms, keys[level]));
		if (a != NULL) {
			*bits = acl_bits(a) < 0 ? 0 : acl_bits(a);
			return level;
		}
	}
	return -1;
}

static int
own_rights(const json_t *user, const char *ns, const char *repo,
    int own_namespace)
{
	const char *name = record_str(user, "name"), *team;
	int best, bits = 0, b = 0, level;
	json_t *perms;

	if (json_is_true(json_object_get(user, "admin")))
		return ACL_ALL;
	best = grant(json_object_get(user, "perms"), ns, repo, &bits);
	if (best < 0 && own_namespace && strcmp(name, ns) == 0 &&
	    !name_reserved(name)) {
		best = 1;
		bits = ACL_ALL;
	}
	json_object_foreach(json_object_get(user, "via_teams"), team, perms) {
		if ((level = grant(perms, ns, repo, &b)) > best)
			bits = 0;
		if (level >= best && level >= 0) {
			best = level;
			bits |= b;
		}
	}
	return bits;
}

int
acl_allows(const json_t *user, const json_t *public, const char *ns,
    const char *repo, int own_namespace)
{
	const json_t *via = json_object_get(user, "via_token");
	int mine = 0, everyone = 0, token = ACL_ALL;

	if (user != NULL && !json_is_true(json_object_get(user, "enabled")))
		return 0;
	if (user != NULL)
		mine = own_rights(user, ns, repo, own_namespace);
	if (via != NULL && grant(via, ns, repo, &token) < 0)
		token = 0;
	grant(json_object_get(public, "perms"), ns, repo, &everyone);
	return (mine & token) | everyone;
}

int
acl_may_grant(const json_t *user, const char *ns, const char *repo,
    const char *access, int own_namespace)
{
	int want = access != NULL ? acl_bits(access) : 0;

	if (acl_allows(user, NULL, ns, "", own_namespace) != ACL_ALL)
		return ACL_NOT_NS_ADMIN;
	if ((acl_allows(user, NULL, ns, repo, own_namespace) & want) != want)
		return ACL_NOT_HELD;
	return 0;
}

int
acl_team_owner(const json_t *user, const json_t *team)
{
	return acl_admin(user) || (json_object_get(user, "via_token") == NULL &&
	    json_is_true(json_object_get(user, "enabled")) &&
	    json_object_get(json_object_get(team, "owners"),
	    record_str(user, "name")) != NULL);
}

int
acl_admin(const json_t *user)
{
	const json_t *via = json_object_get(user, "via_token");

	return json_is_true(json_object_get(user, "enabled")) &&
	    json_is_true(json_object_get(user, "admin")) && (via == NULL ||
	    acl_bits(json_string_value(json_object_get(via, "*"))) == ACL_ALL);
}

int
acl_account(const json_t *user, const char *name)
{
	return acl_admin(user) || (json_object_get(user, "via_token") == NULL &&
	    user != NULL && strcmp(record_str(user, "name"), name) == 0);
}
