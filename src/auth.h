/*
 * auth: credentials on the wire (Basic and Token Authorization values)
 * and password hashing with scrypt; random tokens, constant-time compare
 * and wiping are bytes.h's. Pure functions; no store, no HTTP.
 */
#ifndef AUTH_H
#define AUTH_H

#include <stddef.h>
#include <stdint.h>

#include "bytes.h"
#include "lim.h"

enum auth_scheme {
	AUTH_NONE,	/* no Authorization header */
	AUTH_BASIC,
	AUTH_TOKEN,
	AUTH_BEARER,
	AUTH_OTHER
};

struct auth_basic {
	char	user[LIM_USER + 1];
	char	pass[LIM_PASSWORD + 1];
};

struct auth_token {
	char	sig[LIM_SIG + 1];
	char	repo[LIM_NAME + 1];	/* "ns/repo" as sent, "" if absent */
	char	access[8];		/* read, write, delete; "" if absent */
};

#define AUTH_MCF_LEN	128	/* a libscrypt MCF string fits */
/* A hash imported from ekristen/docker-index: "sha1$" and the unsalted
 * SHA-1 of the password in lower-case hex; replaced on the first login. */
#define AUTH_LEGACY	"sha1$"
#define AUTH_LEGACY_LEN	(5 + 40)

/* The scheme of an Authorization value; *rest and *restlen get what follows
 * the scheme word and its blanks. */
enum auth_scheme auth_scheme(const char *val, size_t len, const char **rest,
	    size_t *restlen);
/* Decode "base64(user:pass)" (split at the first ':'). 0 ok, -1 malformed
 * (bad base64, no ':', empty user, user or password too long, NUL). */
int	auth_parse_basic(const char *b64, size_t len, struct auth_basic *out);
/* Parse the registry's grammar: key[=:]["]value["] pairs separated by ','
 * and blanks, by key (signature, repository, access), last one wins.
 * 0 ok (signature present and well formed), -1 malformed. */
int	auth_parse_token(const char *s, size_t len, struct auth_token *out);

/* scrypt MCF hash of pw with N, r, p. 0 ok, -1 error. */
int	auth_hash_password(const char *pw, uint32_t n, uint32_t r, uint32_t p,
	    char out[AUTH_MCF_LEN]);
/* 1 the password matches, 0 it does not, -1 the hash is malformed.
 * mcf (scrypt MCF or AUTH_LEGACY) is not modified (a copy is checked). */
int	auth_check_password(const char *mcf, const char *pw);
/* One scrypt run with n, r, p: what checking a real hash costs. 0. */
int	auth_check_dummy(uint32_t n, uint32_t r, uint32_t p, const char *pw);
int	auth_is_legacy(const char *hash);
/* 1 when mcf was made with other parameters than n, r, p (or is legacy). */
int	auth_needs_rehash(const char *mcf, uint32_t n, uint32_t r, uint32_t p);

#endif
