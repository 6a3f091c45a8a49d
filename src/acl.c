/*
 * acl: what a caller may do to a repository; the rules are in acl.h.
 */
#include <stdio.h>
#include <string.h>

#include "acl.h"
#include "lim.h"
#include "names.h"
#include "record.h"

int
acl_bits(const char *access)
{
	static const char *const words[] = { "read", "write", "admin" };
	static const int bits[] = { ACL_PULL | ACL_V2PULL,
	    ACL_PUSH | ACL_V2PULL, ACL_ALL };
	size_t i;

	for (i = 0; access != NULL && i < LEN(words); i++)
		if (strcmp(access, words[i]) == 0)
			return bits[i];
	return -1;
}

/* The most specific grant of perms ("*" only a token's): 1 and *bits
 * when it has one. */
static int
grant(const json_t *perms, const char *ns, const char *repo, int *bits)
{
	char scope[LIM_NAME + 2];
	const char *a;

	snprintf(scope, sizeof(scope), "%s/%s", ns, repo);
	if ((a = json_string_value(json_object_get(perms, scope))) == NULL &&
	    (a = json_string_value(json_object_get(perms, ns))) == NULL &&
	    (a = json_string_value(json_object_get(perms, "*"))) == NULL)
		return 0;
	*bits = acl_bits(a) < 0 ? 0 : acl_bits(a);
	return 1;
}

int
acl_allows(const json_t *user, const json_t *public, const char *ns,
    const char *repo, int own_namespace)
{
	const json_t *via = json_object_get(user, "via_token");
	const char *name = json_string_value(json_object_get(user, "name"));
	int mine = 0, everyone = 0, token = ACL_ALL;

	if (user != NULL && !json_is_true(json_object_get(user, "enabled")))
		return 0;
	if (json_is_true(json_object_get(user, "admin")))
		mine = ACL_ALL;
	else if (!grant(json_object_get(user, "perms"), ns, repo, &mine) &&
	    own_namespace && name != NULL && strcmp(name, ns) == 0 &&
	    !name_reserved(name))
		mine = ACL_ALL;
	if (via != NULL && !grant(via, ns, repo, &token))
		token = 0;
	/* none when public is NULL */
	grant(json_object_get(public, "perms"), ns, repo, &everyone);
	return (mine & token) | everyone;
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
