/*
 * acl: what a caller may do to a repository; the rules are in acl.h.
 */
#include <stdio.h>
#include <string.h>

#include "acl.h"
#include "lim.h"
#include "names.h"

int
acl_bits(const char *access)
{
	static const char *const words[] = { "read", "write", "admin" };
	static const int bits[] = { ACL_PULL, ACL_PUSH, ACL_ALL };
	size_t i;

	for (i = 0; access != NULL && i < LEN(words); i++)
		if (strcmp(access, words[i]) == 0)
			return bits[i];
	return -1;
}

/* The most specific grant of a record: 1 and *bits when it has one. */
static int
grant(const json_t *rec, const char *ns, const char *repo, int *bits)
{
	const json_t *perms = json_object_get(rec, "perms");
	char scope[LIM_NAME + 2];
	const char *a;

	snprintf(scope, sizeof(scope), "%s/%s", ns, repo);
	if ((a = json_string_value(json_object_get(perms, scope))) == NULL &&
	    (a = json_string_value(json_object_get(perms, ns))) == NULL)
		return 0;
	*bits = acl_bits(a) < 0 ? 0 : acl_bits(a);
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
	grant(public, ns, repo, &everyone);	/* none when public NULL */
	return mine | everyone;
}
