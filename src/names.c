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
name_digest_ok(const char *s)
{
	const char *colon = strchr(s, ':');
	size_t n;

	if (colon == NULL || colon == s || strlen(s) > LIM_DIGEST ||
	    !only(s, (size_t)(colon - s), ""))
		return 0;
	n = strspn(colon + 1, "0123456789abcdef");
	return colon[1 + n] == '\0' && n >= 32 && n <= 128;
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
	const char *slash = strchr(s, '/'), *p, *e;
	size_t nslen = slash ? (size_t)(slash - s) : strlen(s), n;
	char comp[LIM_REPO + 1];

	if (nslen > LIM_NS || strlen(s) > LIM_NAME)
		return 0;
	memcpy(ns, s, nslen);
	ns[nslen] = '\0';
	snprintf(repo, LIM_NAME + 1, "%s", slash ? slash + 1 : "");
	if (!name_ns_ok(ns))
		return 0;
	for (p = repo; slash != NULL; p = e + 1) {
		e = strchr(p, '/');
		n = e ? (size_t)(e - p) : strlen(p);
		if (n > LIM_REPO)
			return 0;
		memcpy(comp, p, n);
		comp[n] = '\0';
		if (!name_repo_ok(comp))
			return 0;
		if (e == NULL)
			break;
	}
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
	if (strlen(s) > LIM_REPO)
		return 0;
	snprintf(full, sizeof(full), "library/%s", s);
	return name_repo_split(full, ns, repo);
}
