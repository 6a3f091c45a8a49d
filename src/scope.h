/*
 * scope: the registry v2 token scope grammar ("type:name:actions",
 * space-separated) and the access list of a JWT. Pure functions.
 */
#ifndef SCOPE_H
#define SCOPE_H

#include <stddef.h>

#include <jansson.h>

#include "lim.h"

enum {
	SCOPE_PULL = 1 << 0,
	SCOPE_PUSH = 1 << 1,
	SCOPE_DELETE = 1 << 2,
	SCOPE_STAR = 1 << 3	/* the action "*" */
};

struct scope {
	char	type[LIM_SCOPE_TYPE + 1];	/* without the class */
	char	name[LIM_NAME + 1];		/* as sent (host:port/ too) */
	int	actions;	/* SCOPE_* asked, unknown ones dropped; the
				 * token server narrows them to the granted */
};

struct scope_set {
	struct scope	res[LIM_SCOPES];
	size_t		n;
};

/* Parse space-separated scopes in s[0..len) into set, merging a resource
 * already there. 0 ok, -1 malformed or more than LIM_SCOPES resources. */
int	scope_parse(const char *s, size_t len, struct scope_set *set);
/* The JWT "access" array: each resource with its actions, in the order
 * asked. NULL when out of memory. */
json_t	*scope_access(const struct scope_set *set);

#endif
