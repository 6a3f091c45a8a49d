/*
 * acl: resolve what a caller may do to a repository (see acl.h for the
 * rules). Pure functions over stored user records.
 */
#include <stdio.h>
#include <string.h>

#include "acl.h"
#include "lim.h"
#include "names.h"

int
acl_bits(const char *access)
{
	if (access == NULL)
		return -1;
	if (strcmp(access, "read") == 0)
		return ACL_PULL;
	if (strcmp(access, "write") == 0)
		return ACL_PUSH;
	if (strcmp(access, "admin") == 0)
		return ACL_ALL;
	return -1;
}

/* The most specific grant of a record: 1 and *bits when it has one. */
static int
grant(const json_t *rec, const char *ns, const char *repo, int *bits)
{
	const json_t *perms = json_object_get(rec, "perms");
	char scope[LIM_NAME + 2];
	const char *a;
	int b;

	snprintf(scope, sizeof(scope), "%s/%s", ns, repo);
	a = json_string_value(json_object_get(perms, scope));
	if (a == NULL)
		a = json_string_value(json_object_get(perms, ns));
	if (a == NULL)
		return 0;
	b = acl_bits(a);
	*bits = b < 0 ? 0 : b;
	return 1;
}

int
acl_allows(const json_t *user, const json_t *public, const char *ns,
    const char *repo, int own_namespace)
{
	const char *name;
	int mine = 0, everyone = 0;

	if (user != NULL) {
		if (!json_is_true(json_object_get(user, "enabled")))
			return 0;
		if (json_is_true(json_object_get(user, "admin")))
			return ACL_ALL;
		name = json_string_value(json_object_get(user, "name"));
		if (!grant(user, ns, repo, &mine) && own_namespace &&
		    name != NULL && strcmp(name, ns) == 0 &&
		    !name_reserved(name))
			mine = ACL_ALL;
	}
	if (public != NULL)
		grant(public, ns, repo, &everyone);
	return mine | everyone;
}
