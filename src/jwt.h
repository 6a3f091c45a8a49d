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

#define JWT_THUMB_LEN	43	/* base64url of a SHA-256 */

/* The key id of a JWT header (config token_kid): libtrust's, which
 * registry 2.x matches, or the RFC 7638 thumbprint of 3.x. */
enum jwt_kid { JWT_KID_LIBTRUST, JWT_KID_THUMBPRINT };

/* jwt_key_load: the certificate is expired or not yet valid */
#define JWT_OUTDATED	-2

/* Parse space-separated "type:name:actions" scopes in s[0..len) into set,
 * merging a resource already there. 0 ok, -1 malformed or more than
 * LIM_SCOPES resources. */
int	scope_parse(const char *s, size_t len, struct scope_set *set);
/* The JWT "access" array: each resource with its actions, in the order
 * asked. NULL when out of memory. */
json_t	*scope_access(const struct scope_set *set);

/* Load a PEM private key (EC P-256/384/521 or RSA >= 2048 bits) and, when
 * cert_path is not "" (it may be key_path), its PEM certificate chain: the
 * certificate of its public key first, at most LIM_CHAIN. One expiring
 * within LIM_CERT_WARN_DAYS logs a warning, once per process. 0 ok, -1
 * unreadable, unsupported or not of the key, JWT_OUTDATED (all logged). */
int	 jwt_key_load(const char *key_path, const char *cert_path,
	    struct jwt_key **out);
void	 jwt_key_free(struct jwt_key *);
/* The public key as a JWK with the RFC 7638 required members only: kty
 * and crv, x, y (EC) or n, e (RSA). NULL when out of memory. */
json_t	*jwt_key_jwk(const struct jwt_key *);
/* The RFC 7638 SHA-256 thumbprint of such a JWK into out (JWT_THUMB_LEN
 * + 1). 0 ok, -1 failure. */
int	 jwt_thumbprint(const json_t *jwk, char *out);
const char *jwt_key_id(const struct jwt_key *, enum jwt_kid);
const char *jwt_key_alg(const struct jwt_key *);

/* The claim set: iss, sub, aud (a string), exp, nbf (now - 10), iat as
 * integers, a random jti, and access (stolen). NULL on failure. */
json_t	*jwt_claims(const char *iss, const char *sub, const char *aud,
	    long ttl, long long now, json_t *access);
/* header.claims.signature, base64url without padding; the header has typ,
 * alg, kid and x5c, the chain, when certificates were loaded. malloc'd;
 * NULL (logged) on failure. */
char	*jwt_sign(const struct jwt_key *, enum jwt_kid, const json_t *claims);

#endif
