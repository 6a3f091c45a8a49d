/*
 * jwt: sign registry v2 bearer tokens. The algorithm follows the key; JWS
 * wants ECDSA signatures as raw r||s, each padded to the curve size, not
 * DER. The header names the key twice: kid, which registry 2.x matches
 * against its rootcertbundle (3.x: the thumbprint, without one), and x5c,
 * token_cert's chain, which every registry verifies when it is there.
 */
#include <dlfcn.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ecdsa.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "bytes.h"
#include "jwt.h"
#include "lim.h"
#include "log.h"

#define KID_LEN	59	/* 12 groups of 4 base32 digits and 11 ':' */
#define B64_LEN(n)	(4 * (((size_t)(n) + 2) / 3))

/* libcrypto is opened on the first key: linked, it costs every connection
 * ~0.5 ms and ~120 page faults, and only /v2/token signs (README). */
#define OSSL(X) \
	X(BN_bn2binpad) X(BN_free) X(BN_num_bits) X(CRYPTO_free) \
	X(d2i_ECDSA_SIG) X(ECDSA_SIG_free) X(ECDSA_SIG_get0) \
	X(ERR_clear_error) X(ERR_peek_last_error) X(ERR_reason_error_string) \
	X(EVP_Digest) X(EVP_DigestSign) X(EVP_DigestSignInit) \
	X(EVP_MD_CTX_free) X(EVP_MD_CTX_new) X(EVP_PKEY_eq) X(EVP_PKEY_free) \
	X(EVP_PKEY_get_bits) X(EVP_PKEY_get_bn_param) \
	X(EVP_PKEY_get_group_name) X(EVP_PKEY_get_size) X(EVP_PKEY_is_a) \
	X(EVP_PKEY_set_utf8_string_param) X(EVP_sha256) X(EVP_sha384) \
	X(EVP_sha512) X(i2d_PUBKEY) X(i2d_X509) X(PEM_read_PrivateKey) \
	X(PEM_read_X509) X(X509_cmp_current_time) X(X509_cmp_time) \
	X(X509_free) X(X509_get0_notAfter) X(X509_get0_notBefore) \
	X(X509_get0_pubkey)
#define OSSL_MEMBER(f)	__typeof__(f) *f;
static struct { OSSL(OSSL_MEMBER) } ossl;

static int
ossl_load(void)
{
	static void *lib;
	static int ready;

	if (ready)
		return 0;
	if (lib == NULL && (lib = dlopen(LIBCRYPTO, RTLD_NOW | RTLD_LOCAL)) ==
	    NULL) {
		log_msg(LOG_ERR, "cannot load libcrypto: %s", dlerror());
		return -1;
	}
#define OSSL_RESOLVE(f)	\
	if ((*(void **)&ossl.f = dlsym(lib, #f)) == NULL) { \
		log_msg(LOG_ERR, "%s: no %s", LIBCRYPTO, #f); \
		return -1; \
	}
	OSSL(OSSL_RESOLVE)
	ready = 1;	/* a kept-alive connection signs again: resolved once */
	return 0;
}

static const struct alg {
	const char	*group;		/* NULL: RSA */
	const char	*crv;		/* the JWK's; NULL for RSA */
	const char	*alg;
	int		 coord;		/* bytes of r and of s; 0 for RSA */
	const EVP_MD	*(**md)(void);
} algs[] = {
	{ NULL, NULL, "RS256", 0, &ossl.EVP_sha256 },
	{ "prime256v1", "P-256", "ES256", 32, &ossl.EVP_sha256 },
	{ "secp384r1", "P-384", "ES384", 48, &ossl.EVP_sha384 },
	{ "secp521r1", "P-521", "ES512", 66, &ossl.EVP_sha512 },
};

struct jwt_key {
	EVP_PKEY		*pkey;
	const struct alg	*a;		/* of algs[] */
	char			 kid[KID_LEN + 1];
	char			 thumb[JWT_THUMB_LEN + 1];
	json_t			*x5c;	/* base64 of each certificate's DER */
};

static const char *
ossl_error(void)
{
	const char *s = ossl.ERR_reason_error_string(ossl.ERR_peek_last_error());

	return s ? s : "unsupported or malformed";
}

/* Never prompt on a terminal for the passphrase of an encrypted key. */
static int
no_passphrase(char *buf, int size, int rw, void *arg)
{
	(void)buf, (void)size, (void)rw, (void)arg;
	return -1;
}

static FILE *
pem_open(const char *path)
{
	FILE *f = fopen(path, "r");

	if (f == NULL)
		log_msg(LOG_ERR, "%s: %s", path, strerror(errno));
	return f;
}

/* base64url without padding into out (B64_LEN(len) + 1); its length. */
static size_t
b64url(const unsigned char *in, size_t len, char *out)
{
	size_t i, n = bytes_b64_encode(in, len, out, B64_LEN(len) + 1);

	while (n > 0 && out[n - 1] == '=')
		n--;
	out[n] = '\0';
	for (i = 0; i < n; i++)
		out[i] = out[i] == '+' ? '-' : out[i] == '/' ? '_' : out[i];
	return n;
}

/* libtrust: SHA-256 of the SubjectPublicKeyInfo DER, first 240 bits,
 * base32, grouped by four. */
static int
key_id(EVP_PKEY *pkey, char *out)
{
	static const char digits[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
	unsigned char *der = NULL, h[EVP_MAX_MD_SIZE];
	unsigned int acc = 0, hlen;
	int len, i, bits = 0, n = 0, o = 0;

	if ((len = ossl.i2d_PUBKEY(pkey, &der)) <= 0)
		return -1;
	i = ossl.EVP_Digest(der, len, h, &hlen, ossl.EVP_sha256(), NULL);
	ossl.CRYPTO_free(der, __FILE__, __LINE__);
	if (i != 1)
		return -1;
	for (i = 0; i < 30; i++) {
		acc = acc << 8 | h[i];
		for (bits += 8; bits >= 5; bits -= 5, n++) {
			if (n > 0 && n % 4 == 0)
				out[o++] = ':';
			out[o++] = digits[(acc >> (bits - 5)) & 31];
		}
	}
	out[o] = '\0';
	return 0;
}

static int
pick_alg(struct jwt_key *k, const char *path)
{
	char group[64] = "";
	size_t i;
	int rsa = ossl.EVP_PKEY_is_a(k->pkey, "RSA") &&
	    ossl.EVP_PKEY_get_bits(k->pkey) >= 2048;

	if (ossl.EVP_PKEY_is_a(k->pkey, "EC"))
		ossl.EVP_PKEY_get_group_name(k->pkey, group, sizeof(group), NULL);
	for (i = 0; i < LEN(algs); i++)
		if (algs[i].group ? strcmp(group, algs[i].group) == 0 : rsa) {
			k->a = &algs[i];
			/* libtrust hashes the uncompressed point */
			if (!rsa)
				ossl.EVP_PKEY_set_utf8_string_param(k->pkey,
				    OSSL_PKEY_PARAM_EC_POINT_CONVERSION_FORMAT,
				    "uncompressed");
			return 0;
		}
	log_msg(LOG_ERR, "%s: need an EC P-256, P-384, P-521 or an RSA "
	    "(2048 bits or more) key", path);
	return -1;
}

/* The registry checks the x5c chain with its dates: an outdated leaf
 * would have every token refused. */
static int
check_leaf(const struct jwt_key *k, const X509 *x, const char *path)
{
	static int warned;
	time_t soon = time(NULL) + LIM_CERT_WARN_DAYS * 86400L;

	if (ossl.EVP_PKEY_eq(ossl.X509_get0_pubkey(x), k->pkey) != 1) {
		log_msg(LOG_ERR, "%s: not the certificate of token_key", path);
		return -1;
	}
	if (ossl.X509_cmp_current_time(ossl.X509_get0_notBefore(x)) >= 0 ||
	    ossl.X509_cmp_current_time(ossl.X509_get0_notAfter(x)) <= 0) {
		log_msg(LOG_ERR, "%s: the certificate is expired or not yet "
		    "valid; the registry would refuse every token", path);
		return JWT_OUTDATED;
	}
	if (!warned && ossl.X509_cmp_time(ossl.X509_get0_notAfter(x),
	    &soon) < 0) {
		warned = 1;
		log_msg(LOG_WARNING, "%s: the certificate expires within %d "
		    "days, then every token is refused (dindexctl key rotate)",
		    path, LIM_CERT_WARN_DAYS);
	}
	return 0;
}

static int
add_x5c(json_t *x5c, X509 *x, const char *path)
{
	unsigned char *der = NULL;
	char *b = NULL;
	int len, rc = -1;

	if (json_array_size(x5c) == LIM_CHAIN)
		log_msg(LOG_ERR, "%s: more than %d certificates", path,
		    LIM_CHAIN);
	else if ((len = ossl.i2d_X509(x, &der)) > 0 &&
	    (b = malloc(B64_LEN(len) + 1)) != NULL) {
		bytes_b64_encode(der, len, b, B64_LEN(len) + 1);
		rc = json_array_append_new(x5c, json_string(b));
	}
	ossl.CRYPTO_free(der, __FILE__, __LINE__);
	free(b);
	return rc;
}

/* The key's own file when they are one: then a rename between two opens
 * (dindexctl key rotate) cannot pair the key with another's. */
static int
load_cert(struct jwt_key *k, const char *path, FILE *key_file)
{
	X509 *x;
	FILE *f = key_file;
	int n = 0, rc = 0;

	if (f != NULL)
		rewind(f);
	else if ((f = pem_open(path)) == NULL)
		return -1;
	k->x5c = json_array();
	while (rc == 0 && (x = ossl.PEM_read_X509(f, NULL, no_passphrase,
	    NULL)) != NULL) {
		if (n++ == 0)
			rc = check_leaf(k, x, path);
		if (rc == 0)
			rc = add_x5c(k->x5c, x, path);
		ossl.X509_free(x);
	}
	if (f != key_file)
		fclose(f);
	if (n == 0)
		log_msg(LOG_ERR, "%s: no PEM certificate: %s", path,
		    ossl_error());
	ossl.ERR_clear_error();	/* the end of the file is in the queue */
	return n == 0 ? -1 : rc;
}

/* A key parameter as base64url, padded to len bytes (0: unpadded). */
static json_t *
param_b64(const EVP_PKEY *pkey, const char *name, int len)
{
	BIGNUM *bn = NULL;
	unsigned char *bin;
	json_t *j = NULL;

	if (ossl.EVP_PKEY_get_bn_param(pkey, name, &bn) != 1)
		return NULL;
	len = len ? len : (ossl.BN_num_bits(bn) + 7) / 8;
	if ((bin = malloc(len + B64_LEN(len) + 1)) != NULL &&
	    ossl.BN_bn2binpad(bn, bin, len) == len) {
		b64url(bin, len, (char *)bin + len);
		j = json_string((char *)bin + len);
	}
	ossl.BN_free(bn);
	free(bin);
	return j;
}

json_t *
jwt_key_jwk(const struct jwt_key *k)
{
	if (k->a->crv == NULL)
		return json_pack("{s:s, s:o, s:o}", "kty", "RSA", "n",
		    param_b64(k->pkey, OSSL_PKEY_PARAM_RSA_N, 0), "e",
		    param_b64(k->pkey, OSSL_PKEY_PARAM_RSA_E, 0));
	return json_pack("{s:s, s:s, s:o, s:o}", "kty", "EC", "crv",
	    k->a->crv, "x", param_b64(k->pkey, OSSL_PKEY_PARAM_EC_PUB_X,
	    k->a->coord), "y", param_b64(k->pkey, OSSL_PKEY_PARAM_EC_PUB_Y,
	    k->a->coord));
}

int
jwt_thumbprint(const json_t *jwk, char *out)
{
	unsigned char h[EVP_MAX_MD_SIZE];
	unsigned int hlen;
	char *s, b[B64_LEN(32) + 1];	/* b64url writes the padding first */
	int rc = -1;

	/* RFC 7638 3: the required members in lexical order, no blanks */
	if (ossl_load() == -1 || (s = json_dumps(jwk, JSON_COMPACT |
	    JSON_SORT_KEYS)) == NULL)
		return -1;
	if (ossl.EVP_Digest(s, strlen(s), h, &hlen, ossl.EVP_sha256(),
	    NULL) == 1 && b64url(h, 32, b) == JWT_THUMB_LEN) {
		memcpy(out, b, JWT_THUMB_LEN + 1);
		rc = 0;
	}
	free(s);
	return rc;
}

const char *
jwt_key_id(const struct jwt_key *k, enum jwt_kid which)
{
	return which == JWT_KID_THUMBPRINT ? k->thumb : k->kid;
}

const char *
jwt_key_alg(const struct jwt_key *k)
{
	return k->a->alg;
}

int
jwt_key_load(const char *key_path, const char *cert_path,
    struct jwt_key **out)
{
	struct jwt_key *k;
	json_t *jwk = NULL;
	FILE *f;
	int rc = -1;

	if (ossl_load() == -1 || (*out = k = calloc(1, sizeof(*k))) == NULL)
		return -1;
	if ((f = pem_open(key_path)) != NULL && (k->pkey =
	    ossl.PEM_read_PrivateKey(f, NULL, no_passphrase, NULL)) == NULL)
		log_msg(LOG_ERR, "%s: no PEM private key: %s", key_path,
		    ossl_error());
	if (k->pkey != NULL && pick_alg(k, key_path) == 0 &&
	    key_id(k->pkey, k->kid) == 0 && (jwk = jwt_key_jwk(k)) != NULL &&
	    jwt_thumbprint(jwk, k->thumb) == 0)
		rc = cert_path[0] == '\0' ? 0 : load_cert(k, cert_path,
		    strcmp(cert_path, key_path) ? NULL : f);
	json_decref(jwk);
	if (f != NULL)
		fclose(f);
	if (rc != 0) {
		jwt_key_free(k);
		*out = NULL;
	}
	return rc;
}

void
jwt_key_free(struct jwt_key *k)
{
	if (k == NULL)
		return;
	ossl.EVP_PKEY_free(k->pkey);
	json_decref(k->x5c);
	free(k);
}

json_t *
jwt_claims(const char *iss, const char *sub, const char *aud, long ttl,
    long long now, json_t *access)
{
	char jti[2 * 16 + 1];

	if (bytes_random_hex(jti, 16) == -1) {
		json_decref(access);
		return NULL;
	}
	return json_pack("{s:s, s:s, s:s, s:I, s:I, s:I, s:s, s:o}",
	    "iss", iss, "sub", sub, "aud", aud, "exp", (json_int_t)(now + ttl),
	    "nbf", (json_int_t)(now - 10), "iat", (json_int_t)now,
	    "jti", jti, "access", access);
}

/* Into sig (EVP_PKEY_get_size bytes, r||s is shorter); its length or 0. */
static size_t
sign(const struct jwt_key *k, const char *msg, size_t len,
    unsigned char *sig)
{
	EVP_MD_CTX *ctx;
	ECDSA_SIG *es;
	const BIGNUM *r, *s;
	const unsigned char *p = sig;
	size_t n = ossl.EVP_PKEY_get_size(k->pkey);
	int c = k->a->coord;

	if ((ctx = ossl.EVP_MD_CTX_new()) == NULL ||
	    ossl.EVP_DigestSignInit(ctx, NULL, (*k->a->md)(), NULL,
	    k->pkey) != 1 ||
	    ossl.EVP_DigestSign(ctx, sig, &n, (const unsigned char *)msg,
	    len) != 1)
		n = 0;
	ossl.EVP_MD_CTX_free(ctx);
	if (n == 0 || c == 0)
		return n;
	if ((es = ossl.d2i_ECDSA_SIG(NULL, &p, n)) == NULL)
		return 0;
	ossl.ECDSA_SIG_get0(es, &r, &s);
	n = ossl.BN_bn2binpad(r, sig, c) == c &&
	    ossl.BN_bn2binpad(s, sig + c, c) == c ? 2 * (size_t)c : 0;
	ossl.ECDSA_SIG_free(es);
	return n;
}

char *
jwt_sign(const struct jwt_key *k, enum jwt_kid kid, const json_t *claims)
{
	json_t *hdr;
	char *h = NULL, *c = NULL, *out = NULL;
	unsigned char *sig = NULL;
	size_t hl, cl, sl = ossl.EVP_PKEY_get_size(k->pkey), n;

	hdr = json_pack("{s:s, s:s, s:s, s:O*}", "typ", "JWT", "alg",
	    k->a->alg, "kid", jwt_key_id(k, kid), "x5c", k->x5c);
	if (hdr == NULL || (h = json_dumps(hdr, JSON_COMPACT)) == NULL ||
	    (c = json_dumps(claims, JSON_COMPACT)) == NULL)
		goto done;
	hl = strlen(h);
	cl = strlen(c);
	if ((sig = malloc(sl)) == NULL || (out = malloc(B64_LEN(hl) +
	    B64_LEN(cl) + B64_LEN(sl) + 3)) == NULL)
		goto done;
	n = b64url((unsigned char *)h, hl, out);
	out[n++] = '.';
	n += b64url((unsigned char *)c, cl, out + n);
	if ((sl = sign(k, out, n, sig)) == 0) {
		log_msg(LOG_ERR, "cannot sign a token: %s", ossl_error());
		free(out);
		out = NULL;
		goto done;
	}
	out[n++] = '.';
	b64url(sig, sl, out + n);
done:
	json_decref(hdr);
	free(h);
	free(c);
	free(sig);
	return out;
}
