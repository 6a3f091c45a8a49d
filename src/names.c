/*
 * names: the shapes of names on the wire (PROTOCOL.md 2.2): the safe
 * intersection of what docker clients and docker-registry accept.
 */
#include <stdio.h>
#include <string.h>

#include "names.h"

/* Every byte of s[0..len) in the set; lower-case letters and digits are
 * always allowed. */
static int
only(const char *s, size_t len, const char *extra)
{
	size_t i;

	for (i = 0; i < len; i++) {
		if ((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9'))
			continue;
		if (s[i] == '\0' || strchr(extra, s[i]) == NULL)
			return 0;
	}
	return 1;
}

int
name_user_ok(const char *s)
{
	size_t n = strlen(s);

	return n >= LIM_USER_MIN && n <= LIM_USER && only(s, n, "_");
}

int
name_ns_ok(const char *s)
{
	size_t n = strlen(s);

	return n >= 2 && n <= LIM_NS && only(s, n, "_-") && s[0] != '-' &&
	    s[n - 1] != '-';
}

int
name_repo_ok(const char *s)
{
	size_t n = strlen(s);

	return n >= 1 && n <= LIM_REPO && only(s, n, "_.-") &&
	    strcmp(s, ".") != 0 && strcmp(s, "..") != 0;
}

int
name_image_ok(const char *s)
{
	size_t n = strlen(s), i;

	if (n != LIM_IMAGE_ID && n != 16)
		return 0;
	for (i = 0; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return 0;
	return 1;
}

int
name_tag_ok(const char *s)
{
	size_t n = strlen(s), i;

	if (n < 1 || n > LIM_TAG || s[0] == '.' || s[0] == '-')
		return 0;
	for (i = 0; i < n; i++)
		if (!((s[i] >= 'A' && s[i] <= 'Z') || strchr("_.-", s[i]) ||
		    only(s + i, 1, "")))
			return 0;
	return 1;
}

int
name_email_ok(const char *s)
{
	const char *at = strchr(s, '@');
	size_t n = strlen(s), i;

	if (n > LIM_EMAIL || at == NULL || at == s || at[1] == '\0' ||
	    strchr(at + 1, '@') != NULL)
		return 0;
	for (i = 0; i < n; i++)
		if ((unsigned char)s[i] <= ' ' || s[i] == 0x7f ||
		    strchr("\"<>\\,;", s[i]))
			return 0;
	return 1;
}

int
name_scope_split(const char *s, char ns[LIM_NS + 1], char repo[LIM_REPO + 1])
{
	const char *slash = strchr(s, '/');
	size_t nslen = slash ? (size_t)(slash - s) : strlen(s);

	if (nslen > LIM_NS || (slash && strlen(slash + 1) > LIM_REPO))
		return 0;
	memcpy(ns, s, nslen);
	ns[nslen] = '\0';
	snprintf(repo, LIM_REPO + 1, "%s", slash ? slash + 1 : "");
	if (!name_ns_ok(ns))
		return 0;
	return slash == NULL || name_repo_ok(repo);
}
