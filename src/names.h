/*
 * names: what a user, namespace, repository, tag, image id, e-mail address
 * and permission scope may look like (PROTOCOL.md 2.2). Pure functions.
 */
#ifndef NAMES_H
#define NAMES_H

#include <stddef.h>

#include "lim.h"

int	name_user_ok(const char *s);	/* [a-z0-9_]{4,30} */
int	name_ns_ok(const char *s);	/* [a-z0-9_-]{2,255}, no '-' at ends */
int	name_repo_ok(const char *s);	/* [a-z0-9_.-]{1,255}, not "." ".." */
int	name_image_ok(const char *s);	/* 64 (or 16) lower-case hex */
int	name_tag_ok(const char *s);	/* [A-Za-z0-9_][A-Za-z0-9_.-]{0,127} */
int	name_email_ok(const char *s);	/* text@text, no blanks, <= 254 */
/* "ns" or "ns/repo" (also "*" is not a scope). Splits into ns and repo
 * (repo "" for a namespace scope). 1 ok, 0 invalid. */
int	name_scope_split(const char *s, char ns[LIM_NS + 1],
	    char repo[LIM_REPO + 1]);

#endif
