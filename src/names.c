/*
 * names: the shapes of names on the wire (PROTOCOL.md 2.2): the safe
 * intersection of what docker clients and docker-registry accept.
 */
#include <stdio.h>
#include <string.h>

#include "names.h"

#define LOWER	"abcdefghijklmnopqrstuvwxyz0123456789"
#define HEX	"0123456789abcdef"

static int
span_ok(const char *s, size_t min, size_t max, const char *set)
{
	size_t n = strlen(s);

	return n >= min && n <= max && strspn(s, set) == n;
}

int
name_user_ok(const char *s)
{
	return span_ok(s, LIM_USER_MIN, LIM_USER, LOWER "_");
}

int
name_team_ok(const char *s)
{
	return span_ok(s, 2, LIM_TEAM, LOWER "_-");
}

int
name_ns_ok(const char *s)
{
	return span_ok(s, 2, LIM_NS, LOWER "_-") && s[0] != '-' &&
	    s[strlen(s) - 1] != '-';
}

int
name_repo_ok(const char *s)
{
	return span_ok(s, 1, LIM_REPO, LOWER "_.-") && strcmp(s, ".") != 0 &&
	    strcmp(s, "..") != 0;
}

int
name_hex_ok(const char *s, size_t n)
{
	return span_ok(s, n, n, HEX);
}

int
name_image_ok(const char *s)
{
	return name_hex_ok(s, LIM_IMAGE_ID) || name_hex_ok(s, 16);
}

int
name_tag_ok(const char *s)
{
	return span_ok(s, 1, LIM_TAG, "ABCDEFGHIJKLMNOPQRSTUVWXYZ" LOWER
	    "_.-") && s[0] != '.' && s[0] != '-';
}

int
name_digest_ok(const char *s)
{
	const char *colon = strchr(s, ':');
	size_t n;

	if (colon == NULL || colon == s || strlen(s) > LIM_DIGEST ||
	    strspn(s, LOWER) != (size_t)(colon - s))
		return 0;
	n = strspn(colon + 1, HEX);
	return colon[1 + n] == '\0' && n >= 32 && n <= 128;
}

int
name_password_ok(const char *s)
{
	size_t n = strlen(s);

	return n >= LIM_PASSWORD_MIN && n <= LIM_PASSWORD &&
	    strncmp(s, NAME_ATOK_PREFIX, strlen(NAME_ATOK_PREFIX)) != 0;
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

/* Never a user, and so never an implicit namespace owner: "library"
 * holds the official images (one-component names mean library/<x>). */
static const char *const reserved[] = { "library", "root", "docker",
    "dindex", "official" };

int
name_reserved(const char *s)
{
	size_t i;

	for (i = 0; i < LEN(reserved); i++)
		if (strcmp(s, reserved[i]) == 0)
			return 1;
	return 0;
}

int
name_scope_split(const char *s, char ns[LIM_NS + 1], char repo[LIM_NAME + 1])
{
	const char *slash = strchr(s, '/');
	size_t nslen = slash ? (size_t)(slash - s) : strlen(s);
	char comps[LIM_NAME + 1], *p = comps;

	if (nslen > LIM_NS || strlen(s) > LIM_NAME)
		return 0;
	snprintf(ns, LIM_NS + 1, "%.*s", (int)nslen, s);
	snprintf(repo, LIM_NAME + 1, "%s", slash ? slash + 1 : "");
	snprintf(comps, sizeof(comps), "%s", repo);
	if (!name_ns_ok(ns))
		return 0;
	while (slash != NULL && p != NULL)	/* strsep: "a//b" has "" */
		if (!name_repo_ok(strsep(&p, "/")))
			return 0;
	return 1;
}

int
name_repo_split(const char *s, char ns[LIM_NS + 1], char repo[LIM_NAME + 1])
{
	return name_scope_split(s, ns, repo) && repo[0] != '\0';
}

int
name_repo_parse(const char *s, char ns[LIM_NS + 1], char repo[LIM_NAME + 1])
{
	char full[LIM_NAME + 1];

	if (strchr(s, '/') != NULL)
		return name_repo_split(s, ns, repo);
	/* a longer s fails as an overlong component, truncated or not */
	snprintf(full, sizeof(full), "library/%s", s);
	return name_repo_split(full, ns, repo);
}
