/*
 * jwt: the signed JSON Web Tokens a registry v2 verifies offline
 * (compact JWS, ES256/ES384/ES512 or RS256). libcrypto; no store, no HTTP.
 */
#ifndef JWT_H
#define JWT_H

#include <jansson.h>

struct jwt_key;

/* Load a PEM private key (EC P-256/384/521 or RSA >= 2048 bits) and, when
 * cert_path is not "", the PEM certificate of its public key. 0 ok, -1
 * (logged) unreadable, unsupported, or a certificate of another key. */
int	 jwt_key_load(const char *key_path, const char *cert_path,
	    struct jwt_key **out);
void	 jwt_key_free(struct jwt_key *);

/* The claim set: iss, sub, aud (a string), exp, nbf (now - 10), iat as
 * integers, a random jti, and access (stolen). NULL on failure. */
json_t	*jwt_claims(const char *iss, const char *sub, const char *aud,
	    long ttl, long long now, json_t *access);
/* header.claims.signature, base64url without padding; the header has typ,
 * alg, kid (libtrust key id) and x5c when a certificate was loaded.
 * malloc'd; NULL (logged) on failure. */
char	*jwt_sign(const struct jwt_key *, const json_t *claims);

#endif
