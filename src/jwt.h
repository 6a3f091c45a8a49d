/*
 * jwt: registry v2 bearer tokens. scope.c parses the scopes a client asks
 * for; jwt.c signs the token (compact JWS). No store, no HTTP.
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
	int	actions;	/* asked, then narrowed to the granted */
};

struct scope_set {
	struct scope	res[LIM_SCOPES];
	size_t		n;
};

struct jwt_key;

#define JWT_THUMB_LEN	43	/* base64url of a SHA-256 */

/* token_kid: libtrust's key id (registry 2.x) or the thumbprint (3.x). */
enum jwt_kid { JWT_KID_LIBTRUST, JWT_KID_THUMBPRINT };

#define JWT_OUTDATED	-2	/* the certificate is not valid now */

/* Add space-separated "type:name:actions" scopes to set, merging repeats.
 * 0 ok, -1 malformed or more than LIM_SCOPES resources. */
int	scope_parse(const char *s, size_t len, struct scope_set *set);
/* The JWT "access" array, in the order asked. NULL when out of memory. */
json_t	*scope_access(const struct scope_set *set);

/* Load a PEM private key (EC P-256/384/521 or RSA >= 2048 bits) and, when
 * cert_path is not "" (it may be key_path), its chain, the key's own
 * certificate first, at most LIM_CHAIN; one expiring within
 * LIM_CERT_WARN_DAYS is warned of once. 0, -1 or JWT_OUTDATED (logged). */
int	 jwt_key_load(const char *key_path, const char *cert_path,
	    struct jwt_key **out);
void	 jwt_key_free(struct jwt_key *);
/* The public key as a JWK of the RFC 7638 required members only. */
json_t	*jwt_key_jwk(const struct jwt_key *);
/* Its RFC 7638 SHA-256 thumbprint into out (JWT_THUMB_LEN + 1). 0, -1. */
int	 jwt_thumbprint(const json_t *jwk, char *out);
const char *jwt_key_id(const struct jwt_key *, enum jwt_kid);
const char *jwt_key_alg(const struct jwt_key *);

/* iss, sub, aud, exp, nbf (now - 10), iat, a random jti, access (stolen) */
json_t	*jwt_claims(const char *iss, const char *sub, const char *aud,
	    long ttl, long long now, json_t *access);
/* header.claims.signature, base64url; x5c in the header when a chain was
 * loaded. malloc'd; NULL (logged) on failure. */
char	*jwt_sign(const struct jwt_key *, enum jwt_kid, const json_t *claims);

#endif
