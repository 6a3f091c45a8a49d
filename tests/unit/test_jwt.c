/* jwt: key ids known answers (libtrust, RFC 7638), kid selection, header,
 * claim types, signatures per alg, the certificate chain in x5c. */
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/bn.h>
#include <openssl/ecdsa.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "jwt.h"
#include "t.h"

/* The ECDSA key of the distribution token spec (docs/spec/auth/jwt.md),
 * its JWK turned into SEC1 PEM, and the kid the spec prints for it. */
static const char spec_pem[] =
    "-----BEGIN EC PRIVATE KEY-----\n"
    "MHcCAQEEIEezp23zGg+Sdo5exnhPBEqOwpx0gZv9TdpPSF2BayiQoAoGCCqGSM49\n"
    "AwEHoUQDQgAEm7zUpx3b+zmVE5cymSs64POG9QcyEpJaYCD82+549/R1TduLPyxn\n"
    "/wY8H6h2bxbHPeU0OvXFwBBA9Bo5yvV+Zw==\n"
    "-----END EC PRIVATE KEY-----\n";
static const char spec_kid[] =
    "PYYO:TEWU:V7JH:26JV:AQTZ:LJC3:SXVJ:XGHA:34F2:2LAQ:ZRMK:Z7Q6";
/* Its JWK (x, y from the point, by hand) and the RFC 7638 thumbprint of
 * that, computed apart from dindex (sha256 of the sorted compact JSON). */
static const char spec_x[] = "m7zUpx3b-zmVE5cymSs64POG9QcyEpJaYCD82-549_Q";
static const char spec_y[] = "dU3biz8sZ_8GPB-odm8Wxz3lNDr1xcAQQPQaOcr1fmc";
static const char spec_thumb[] = "8qjioA3ZA7ti2JIE7c-U8smBFuZolQZvhSHDPU3hhB8";
/* RFC 7638 3.1: the example RSA key and its thumbprint */
static const char rfc_n[] =
    "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aP"
    "FFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl9"
    "3lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdA"
    "ZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3"
    "XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw";
static const char rfc_thumb[] = "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs";
static char dir[] = "/tmp/test_jwt.XXXXXX";

/* base64url (no padding) or standard base64 into out; its length, or -1. */
static int
unb64(const char *in, size_t len, unsigned char *out)
{
	char buf[8192];
	size_t i, pad = 0;
	int n;

	if (len + 3 >= sizeof(buf))
		return -1;
	for (i = 0; i < len; i++)
		buf[i] = in[i] == '-' ? '+' : in[i] == '_' ? '/' : in[i];
	while (i % 4)
		buf[i++] = '=';
	for (; pad < i && buf[i - 1 - pad] == '='; pad++)
		;
	n = EVP_DecodeBlock(out, (unsigned char *)buf, i);
	return n < 0 ? -1 : n - (int)pad;
}

/* A JWS signature over msg is valid for pub. */
static int
verify(EVP_PKEY *pub, const char *msg, size_t mlen, const unsigned char *sig,
    size_t slen)
{
	const EVP_MD *md = EVP_sha256();
	unsigned char *der = NULL;
	ECDSA_SIG *es;
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	int ok, dlen;

	if (EVP_PKEY_is_a(pub, "EC")) {
		md = slen == 96 ? EVP_sha384() : slen == 132 ? EVP_sha512() :
		    md;
		es = ECDSA_SIG_new();
		ECDSA_SIG_set0(es, BN_bin2bn(sig, slen / 2, NULL),
		    BN_bin2bn(sig + slen / 2, slen / 2, NULL));
		dlen = i2d_ECDSA_SIG(es, &der);
		ECDSA_SIG_free(es);
		sig = der;
		slen = dlen;
	}
	ok = EVP_DigestVerifyInit(ctx, NULL, md, NULL, pub) == 1 &&
	    EVP_DigestVerify(ctx, sig, slen, (const unsigned char *)msg,
	    mlen) == 1;
	EVP_MD_CTX_free(ctx);
	OPENSSL_free(der);
	return ok;
}

static void
write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	fputs(text, f);
	fclose(f);
}

static void
write_key(const char *path, EVP_PKEY *k, X509 *x)
{
	FILE *f = fopen(path, "w");

	if (x != NULL)
		PEM_write_X509(f, x);
	else
		PEM_write_PrivateKey(f, k, NULL, NULL, 0, NULL, NULL);
	fclose(f);
}

static X509 *
selfsign(EVP_PKEY *k)
{
	X509 *x = X509_new();

	X509_set_version(x, 2);
	ASN1_INTEGER_set(X509_get_serialNumber(x), 1);
	X509_gmtime_adj(X509_getm_notBefore(x), 0);
	X509_gmtime_adj(X509_getm_notAfter(x), 3600);
	X509_set_pubkey(x, k);
	X509_NAME_add_entry_by_txt(X509_get_subject_name(x), "CN",
	    MBSTRING_ASC, (const unsigned char *)"dindex", -1, -1, 0);
	X509_set_issuer_name(x, X509_get_subject_name(x));
	X509_sign(x, k, EVP_sha256());
	return x;
}

/* Sign claims with key, split the token, check the header and the
 * signature; returns the decoded header (caller frees) or NULL. */
static json_t *
sign_kid(struct jwt_key *key, EVP_PKEY *pub, size_t siglen, enum jwt_kid kid)
{
	unsigned char buf[8192];
	json_t *claims, *hdr;
	const char *d1, *d2;
	char *tok;
	int n;

	claims = jwt_claims("iss", "alice", "svc", 60, time(NULL),
	    json_array());
	tok = jwt_sign(key, kid, claims);
	json_decref(claims);
	T(tok != NULL);
	if (tok == NULL)
		return NULL;
	T(strpbrk(tok, "+/= \n") == NULL);
	d1 = strchr(tok, '.');
	d2 = d1 ? strchr(d1 + 1, '.') : NULL;
	T(d2 != NULL && strchr(d2 + 1, '.') == NULL);
	n = unb64(d2 + 1, strlen(d2 + 1), buf);
	T(n == (int)siglen);
	T(verify(pub, tok, d2 - tok, buf, n));
	buf[0] ^= 1;
	T(!verify(pub, tok, d2 - tok, buf, n));
	n = unb64(tok, d1 - tok, buf);
	hdr = json_loadb((char *)buf, n > 0 ? n : 0, 0, NULL);
	T(json_is_string(json_object_get(hdr, "typ")) &&
	    strcmp(json_string_value(json_object_get(hdr, "typ")), "JWT") == 0);
	free(tok);
	return hdr;
}

static json_t *
sign_check(struct jwt_key *key, EVP_PKEY *pub, size_t siglen)
{
	return sign_kid(key, pub, siglen, JWT_KID_LIBTRUST);
}

static const char *
str(const json_t *o, const char *k)
{
	const char *s = json_string_value(json_object_get(o, k));

	return s ? s : "";
}

/* A generated key of each kind: alg, signature length, x5c. */
static void
kind(const char *type, const char *param, size_t bits, const char *alg,
    size_t siglen)
{
	char kp[64], cp[64];
	unsigned char der[4096], *cd = NULL;
	struct jwt_key *key = NULL;
	EVP_PKEY *k;
	X509 *x;
	json_t *hdr, *x5c;
	int n, m;

	k = param ? EVP_PKEY_Q_keygen(NULL, NULL, type, param) :
	    EVP_PKEY_Q_keygen(NULL, NULL, type, bits);
	x = selfsign(k);
	snprintf(kp, sizeof(kp), "%s/%s.key", dir, alg);
	snprintf(cp, sizeof(cp), "%s/%s.crt", dir, alg);
	write_key(kp, k, NULL);
	write_key(cp, k, x);
	T(jwt_key_load(kp, cp, &key) == 0);
	hdr = key ? sign_check(key, k, siglen) : NULL;
	T(strcmp(str(hdr, "alg"), alg) == 0);
	T(strlen(str(hdr, "kid")) == 59);
	x5c = json_object_get(hdr, "x5c");
	T(json_array_size(x5c) == 1);
	n = json_string_length(json_array_get(x5c, 0));
	T(n > 0 && n % 4 == 0);	/* standard base64 keeps its padding */
	n = unb64(json_string_value(json_array_get(x5c, 0)), n, der);
	m = i2d_X509(x, &cd);
	T(n > 0 && n == m && memcmp(der, cd, n) == 0);
	OPENSSL_free(cd);
	json_decref(hdr);
	jwt_key_free(key);
	X509_free(x);
	EVP_PKEY_free(k);
}

static void
refused(const char *type, const char *param, size_t bits)
{
	char kp[64];
	struct jwt_key *key = NULL;
	EVP_PKEY *k;

	k = param ? EVP_PKEY_Q_keygen(NULL, NULL, type, param) :
	    EVP_PKEY_Q_keygen(NULL, NULL, type, bits);
	snprintf(kp, sizeof(kp), "%s/refused.key", dir);
	write_key(kp, k, NULL);
	T(jwt_key_load(kp, "", &key) == -1 && key == NULL);
	EVP_PKEY_free(k);
}

/* RFC 7638 known answers, the JWK of a P-256 key, kid selection. */
static void
thumbprints(const char *kp, EVP_PKEY *spec)
{
	char out[JWT_THUMB_LEN + 1];
	struct jwt_key *key = NULL;
	json_t *jwk, *hdr;

	jwk = json_pack("{s:s, s:s, s:s}", "kty", "RSA", "n", rfc_n, "e",
	    "AQAB");
	T(jwt_thumbprint(jwk, out) == 0 && strcmp(out, rfc_thumb) == 0);
	json_decref(jwk);
	T(jwt_key_load(kp, "", &key) == 0);
	jwk = key ? jwt_key_jwk(key) : NULL;
	T(json_object_size(jwk) == 4);	/* the required members only */
	T(strcmp(str(jwk, "kty"), "EC") == 0);
	T(strcmp(str(jwk, "crv"), "P-256") == 0);
	T(strcmp(str(jwk, "x"), spec_x) == 0);
	T(strcmp(str(jwk, "y"), spec_y) == 0);
	T(jwt_thumbprint(jwk, out) == 0 && strcmp(out, spec_thumb) == 0);
	json_decref(jwk);
	T(key && strcmp(jwt_key_id(key, JWT_KID_THUMBPRINT), spec_thumb) == 0);
	T(key && strcmp(jwt_key_id(key, JWT_KID_LIBTRUST), spec_kid) == 0);
	T(key && strcmp(jwt_key_alg(key), "ES256") == 0);
	hdr = key ? sign_kid(key, spec, 64, JWT_KID_THUMBPRINT) : NULL;
	T(strcmp(str(hdr, "kid"), spec_thumb) == 0);
	json_decref(hdr);
	hdr = key ? sign_kid(key, spec, 64, JWT_KID_LIBTRUST) : NULL;
	T(strcmp(str(hdr, "kid"), spec_kid) == 0);
	json_decref(hdr);
	jwt_key_free(key);
}

/* RSA: n and e as RFC 7518 6.3.1 puts them, no leading zero byte. */
static void
rsa_jwk(void)
{
	char kp[64], out[JWT_THUMB_LEN + 1];
	struct jwt_key *key = NULL;
	EVP_PKEY *k = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)2048);
	json_t *jwk;

	snprintf(kp, sizeof(kp), "%s/rsa.key", dir);
	write_key(kp, k, NULL);
	T(jwt_key_load(kp, "", &key) == 0);
	jwk = key ? jwt_key_jwk(key) : NULL;
	T(json_object_size(jwk) == 3 && strcmp(str(jwk, "kty"), "RSA") == 0);
	T(strcmp(str(jwk, "e"), "AQAB") == 0);
	T(strlen(str(jwk, "n")) == 342);	/* 256 bytes */
	T(jwt_thumbprint(jwk, out) == 0 &&
	    strcmp(out, jwt_key_id(key, JWT_KID_THUMBPRINT)) == 0);
	json_decref(jwk);
	jwt_key_free(key);
	EVP_PKEY_free(k);
}

static void
write_all(const char *path, EVP_PKEY *k, X509 *x, X509 *other)
{
	FILE *f = fopen(path, "w");

	PEM_write_PrivateKey(f, k, NULL, NULL, 0, NULL, NULL);
	PEM_write_X509(f, x);
	if (other != NULL)
		PEM_write_X509(f, other);
	fclose(f);
}

/* Key, certificate and a second certificate in one file: x5c holds both
 * in order; an expired certificate is JWT_OUTDATED. */
static void
chain_and_expiry(EVP_PKEY *spec)
{
	char kp[64];
	struct jwt_key *key = NULL;
	X509 *x = selfsign(spec), *other = selfsign(spec);
	json_t *hdr, *x5c;
	FILE *f;
	int i;

	snprintf(kp, sizeof(kp), "%s/all.pem", dir);
	write_all(kp, spec, x, other);
	T(jwt_key_load(kp, kp, &key) == 0);
	hdr = key ? sign_check(key, spec, 64) : NULL;
	x5c = json_object_get(hdr, "x5c");
	T(json_array_size(x5c) == 2);
	T(x5c && strcmp(json_string_value(json_array_get(x5c, 0)),
	    json_string_value(json_array_get(x5c, 1))) != 0);
	json_decref(hdr);
	jwt_key_free(key);
	/* LIM_CHAIN certificates, then one more */
	f = fopen(kp, "w");
	PEM_write_PrivateKey(f, spec, NULL, NULL, 0, NULL, NULL);
	for (i = 0; i < LIM_CHAIN; i++)
		PEM_write_X509(f, i ? other : x);
	fflush(f);
	T(jwt_key_load(kp, kp, &key) == 0);
	jwt_key_free(key);
	PEM_write_X509(f, other);
	fclose(f);
	T(jwt_key_load(kp, kp, &key) == -1 && key == NULL);
	X509_gmtime_adj(X509_getm_notAfter(x), -60);
	X509_sign(x, spec, EVP_sha256());
	write_all(kp, spec, x, NULL);
	T(jwt_key_load(kp, kp, &key) == JWT_OUTDATED && key == NULL);
	X509_free(x);
	X509_free(other);
}

int
main(void)
{
	char kp[64], cp[64], cmd[128];
	struct jwt_key *key = NULL;
	json_t *c, *c2, *hdr;
	EVP_PKEY *spec;
	X509 *x;
	FILE *f;
	long long now = 1700000000;

	if (mkdtemp(dir) == NULL)
		return 1;
	snprintf(kp, sizeof(kp), "%s/spec.key", dir);
	write_file(kp, spec_pem);
	f = fopen(kp, "r");
	spec = PEM_read_PrivateKey(f, NULL, NULL, NULL);
	fclose(f);

	/* kid known answer; no certificate, no x5c */
	T(jwt_key_load(kp, "", &key) == 0);
	hdr = key ? sign_check(key, spec, 64) : NULL;
	T(strcmp(str(hdr, "alg"), "ES256") == 0);
	T(strcmp(str(hdr, "kid"), spec_kid) == 0);
	printf("kid %s\n", str(hdr, "kid"));
	T(json_object_get(hdr, "x5c") == NULL);
	json_decref(hdr);
	jwt_key_free(key);
	/* the same key stored with a compressed point has the same kid */
	EVP_PKEY_set_utf8_string_param(spec, "point-format", "compressed");
	snprintf(cp, sizeof(cp), "%s/compressed.key", dir);
	write_key(cp, spec, NULL);
	T(jwt_key_load(cp, "", &key) == 0);
	hdr = key ? sign_check(key, spec, 64) : NULL;
	T(strcmp(str(hdr, "kid"), spec_kid) == 0);
	json_decref(hdr);
	jwt_key_free(key);

	kind("EC", "P-256", 0, "ES256", 64);
	kind("EC", "P-384", 0, "ES384", 96);
	kind("EC", "P-521", 0, "ES512", 132);
	kind("RSA", NULL, 2048, "RS256", 256);
	refused("EC", "P-224", 0);
	refused("RSA", NULL, 1024);
	refused("ED25519", NULL, 0);

	/* a certificate of another key, a missing file, not a key */
	x = selfsign(spec);
	snprintf(cp, sizeof(cp), "%s/spec.crt", dir);
	write_key(cp, spec, x);
	T(jwt_key_load(kp, cp, &key) == 0);
	jwt_key_free(key);
	snprintf(cp, sizeof(cp), "%s/ES384.crt", dir);
	T(jwt_key_load(kp, cp, &key) == -1);
	snprintf(cp, sizeof(cp), "%s/missing", dir);
	T(jwt_key_load(kp, cp, &key) == -1);
	T(jwt_key_load(cp, "", &key) == -1);
	write_file(cp, "not a key\n");
	T(jwt_key_load(cp, "", &key) == -1);
	X509_free(x);

	snprintf(kp, sizeof(kp), "%s/spec.key", dir);
	thumbprints(kp, spec);
	rsa_jwk();
	chain_and_expiry(spec);

	/* claim types: aud a string, times integers, a random jti */
	c = jwt_claims("issuer", "", "registry", 900, now, json_array());
	c2 = jwt_claims("issuer", "", "registry", 900, now, json_array());
	T(strcmp(str(c, "iss"), "issuer") == 0);
	T(json_is_string(json_object_get(c, "sub")) &&
	    strcmp(str(c, "sub"), "") == 0);
	T(json_is_string(json_object_get(c, "aud")) &&
	    strcmp(str(c, "aud"), "registry") == 0);
	T(json_is_integer(json_object_get(c, "exp")) &&
	    json_integer_value(json_object_get(c, "exp")) == now + 900);
	T(json_is_integer(json_object_get(c, "nbf")) &&
	    json_integer_value(json_object_get(c, "nbf")) == now - 10);
	T(json_is_integer(json_object_get(c, "iat")) &&
	    json_integer_value(json_object_get(c, "iat")) == now);
	T(strlen(str(c, "jti")) == 32);
	T(strcmp(str(c, "jti"), str(c2, "jti")) != 0);
	T(json_is_array(json_object_get(c, "access")));
	json_decref(c);
	json_decref(c2);
	EVP_PKEY_free(spec);

	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	T(system(cmd) == 0);
	return t_done();
}
