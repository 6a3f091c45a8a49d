/*
 * jwt: registry v2 bearer tokens. scope.c parses the scopes a client asks
 * for (pure); jwt.c signs the token (compact JWS, ES256/384/512 or RS256),
 * the one user of libcrypto. No store, no HTTP.
 */
#ifndef JWT_H
#define JWT_H

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

struct jwt_key;

/* Parse space-separated "type:name:actions" scopes in s[0..len) into set,
 * merging a resource already there. 0 ok, -1 malformed or more than
 * LIM_SCOPES resources. */
int	scope_parse(const char *s, size_t len, struct scope_set *set);
/* The JWT "access" array: each resource with its actions, in the order
 * asked. NULL when out of memory. */
json_t	*scope_access(const struct scope_set *set);

/* Load a PEM private key (EC P-256/384/521 or RSA >= 2048 bits) and, when
 * cert_path is not "", the PEM certificate of its public key. 0 ok, -1
 * (logged) unreadable, unsupported, or a certificate of another key or
 * out of its validity. */
int	 jwt_key_load(const char *key_path, const char *cert_path,
	    struct jwt_key **out);
void	 jwt_key_free(struct jwt_key *);
/* The subject and expiry (unix time) of the PEM certificate at path.
 * 0 ok, -1 (logged when unreadable). */
int	 jwt_cert_info(const char *path, char *subject, size_t len,
	    long long *expires);
/* The claim set: iss, sub, aud (a string), exp, nbf (now - 10), iat as
 * integers, a random jti, and access (stolen). NULL on failure. */
json_t	*jwt_claims(const char *iss, const char *sub, const char *aud,
	    long ttl, long long now, json_t *access);
/* header.claims.signature, base64url without padding; the header has typ,
 * alg, kid (libtrust key id) and x5c when a certificate was loaded.
 * malloc'd; NULL (logged) on failure. */
char	*jwt_sign(const struct jwt_key *, const json_t *claims);

#endif
