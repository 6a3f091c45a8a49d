/* names: the shapes of names on the wire (names.c). Pure functions. */
#ifndef NAMES_H
#define NAMES_H

#include <stddef.h>

#include "lim.h"

int	name_user_ok(const char *s);	/* [a-z0-9_]{4,30} */
int	name_team_ok(const char *s);	/* [a-z0-9_-]{2,30} */
int	name_ns_ok(const char *s);	/* [a-z0-9_-]{2,255}, no '-' at ends */
int	name_repo_ok(const char *s);	/* [a-z0-9_.-]{1,255}, not "." ".." */
int	name_hex_ok(const char *s, size_t n);	/* n lower-case hex digits */
int	name_image_ok(const char *s);	/* 64 (or 16) lower-case hex */
int	name_tag_ok(const char *s);	/* [A-Za-z0-9_][A-Za-z0-9_.-]{0,127} */
/* An access token starts so (atok.h); a password does not. */
#define NAME_ATOK_PREFIX	"dxt_"
int	name_password_ok(const char *s);	/* 5 to 256 bytes, not dxt_... */
int	name_email_ok(const char *s);	/* text@text, no blanks, <= 254 */
int	name_digest_ok(const char *s);	/* algo ":" 32 to 128 lower hex */
/* The one grammar of names: a scope is "ns" or a repository "ns/repo",
 * where repo is one or more name_repo_ok components joined by '/'
 * (v2 nests: "team/tools/app"), LIM_NAME bytes at most. Splits into ns
 * and repo (repo "" for a namespace). 1 ok, 0 invalid. */
int	name_scope_split(const char *s, char ns[LIM_NS + 1],
	    char repo[LIM_NAME + 1]);
/* name_scope_split of a repository: repo must not be empty. */
int	name_repo_split(const char *s, char ns[LIM_NS + 1],
	    char repo[LIM_NAME + 1]);
/* A repository as a client names it: one component "x" is "library/x"
 * (v1 and v2 alike), else as name_repo_split. 1 ok, 0 invalid. */
int	name_repo_parse(const char *s, char ns[LIM_NS + 1],
	    char repo[LIM_NAME + 1]);
/* Names no one may register or own a namespace by (names.c: reserved). */
int	name_reserved(const char *s);

#endif
