/* ctl_key: key init's files and refusals, the x5c chain verifying to the
 * CA with libcrypto, rotation under the same CA, show, JWKS fields and
 * the kid token_kid selects. */
#include <sys/stat.h>

#include <dirent.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <openssl/pem.h>
#include <openssl/x509.h>

#include "config.h"
#include "ctl.h"
#include "jwt.h"
#include "t.h"

static char dir[] = "/tmp/test_ctl_key.XXXXXX";
static struct config cfg;

static const char *
str(const json_t *o, const char *k)
{
	const char *s = json_string_value(json_object_get(o, k));

	return s ? s : "";
}

/* Run a key command with these options (stolen); its answer or NULL. */
static json_t *
run(int (*fn)(struct ctl *), const char *word, json_t *opt, int *rc)
{
	char *argv[] = { "key", (char *)word, NULL };
	struct ctl ctl = { .cfg = &cfg, .opt = opt, .argv = argv };

	*rc = fn(&ctl);
	json_decref(opt);
	return ctl.out;
}

static long long
num(const json_t *o, const char *k)
{
	return json_integer_value(json_object_get(o, k));
}

static int
mode_of(const char *d, const char *name)
{
	char p[256];
	struct stat sb;

	snprintf(p, sizeof(p), "%s/%s", d, name);
	return stat(p, &sb) == 0 ? (int)(sb.st_mode & 07777) : -1;
}

static int
entries(const char *d)
{
	DIR *dp = opendir(d);
	int n = 0;

	while (dp != NULL && readdir(dp) != NULL)
		n++;
	if (dp != NULL)
		closedir(dp);
	return n - 2;
}

static X509 *
der_cert(const char *b64)
{
	unsigned char der[8192];
	const unsigned char *p = der;
	int n = EVP_DecodeBlock(der, (const unsigned char *)b64, strlen(b64));

	/* d2i reads the DER's own length, not the padding's zeros */
	return n > 0 ? d2i_X509(NULL, &p, n) : NULL;
}

/* A token signed with token.pem: its x5c chain (leaf, CA) verifies to
 * ca.pem with libcrypto; the header kid is the one asked for. */
static void
chain_verifies(const char *d, enum jwt_kid kid)
{
	char tp[256], cp[256], hbuf[8192];
	struct jwt_key *key = NULL;
	X509_STORE *store = X509_STORE_new();
	X509_STORE_CTX *ctx = X509_STORE_CTX_new();
	STACK_OF(X509) *rest = sk_X509_new_null();
	X509 *leaf = NULL, *ca;
	json_t *claims, *hdr = NULL, *x5c;
	char *tok = NULL, *dot;
	size_t i, len;
	int n;

	snprintf(tp, sizeof(tp), "%s/token.pem", d);
	snprintf(cp, sizeof(cp), "%s/ca.pem", d);
	T(jwt_key_load(tp, tp, &key) == 0);
	claims = jwt_claims("iss", "u", "svc", 60, time(NULL), json_array());
	if (key != NULL)
		tok = jwt_sign(key, kid, claims);
	dot = tok ? strchr(tok, '.') : NULL;
	if (dot != NULL) {
		len = dot - tok;
		for (i = 0; i < len; i++)
			tok[i] = tok[i] == '-' ? '+' : tok[i] == '_' ? '/' :
			    tok[i];
		while (i % 4)
			tok[i++] = '=';
		n = EVP_DecodeBlock((unsigned char *)hbuf,
		    (unsigned char *)tok, i);
		hdr = json_loadb(hbuf, n - (i - len), 0, NULL);
	}
	T(strcmp(str(hdr, "kid"), key ? jwt_key_id(key, kid) : "?") == 0);
	x5c = json_object_get(hdr, "x5c");
	T(json_array_size(x5c) == 2);
	for (i = 0; i < json_array_size(x5c); i++) {
		ca = der_cert(json_string_value(json_array_get(x5c, i)));
		if (i == 0)
			leaf = ca;
		else
			sk_X509_push(rest, ca);
	}
	T(X509_STORE_load_file(store, cp) == 1);
	T(leaf != NULL && X509_STORE_CTX_init(ctx, store, leaf, rest) == 1 &&
	    X509_verify_cert(ctx) == 1);
	X509_STORE_CTX_free(ctx);
	X509_STORE_free(store);
	sk_X509_pop_free(rest, X509_free);
	X509_free(leaf);
	json_decref(hdr);
	json_decref(claims);
	free(tok);
	jwt_key_free(key);
}

/* The JWKS of token_key as token_kid selects its kid. */
static void
jwks(const char *kty, const char *alg)
{
	char thumb[JWT_THUMB_LEN + 1];
	json_t *out, *k, *req;
	int rc, which;

	for (which = 0; which < 2; which++) {
		cfg.token_kid = which;
		out = run(ctl_key_jwks, "jwks", json_object(), &rc);
		T(rc == CTL_OK && json_array_size(json_object_get(out,
		    "keys")) == 1);
		k = json_array_get(json_object_get(out, "keys"), 0);
		T(strcmp(str(k, "kty"), kty) == 0);
		T(strcmp(str(k, "use"), "sig") == 0);
		T(strcmp(str(k, "alg"), alg) == 0);
		if (strcmp(kty, "EC") == 0) {
			T(strcmp(str(k, "crv"), alg[2] == '3' ? "P-384" :
			    "P-256") == 0);
			req = json_pack("{s:s, s:s, s:s, s:s}", "kty", "EC",
			    "crv", str(k, "crv"), "x", str(k, "x"), "y",
			    str(k, "y"));
		} else {
			T(strcmp(str(k, "e"), "AQAB") == 0);
			T(strlen(str(k, "n")) == 512);	/* 3072 bits */
			req = json_pack("{s:s, s:s, s:s}", "kty", "RSA", "n",
			    str(k, "n"), "e", str(k, "e"));
		}
		T(jwt_thumbprint(req, thumb) == 0);
		/* thumbprint: the kid is the JWK's own; libtrust: 59 chars */
		T(which ? strcmp(str(k, "kid"), thumb) == 0 :
		    strlen(str(k, "kid")) == 59);
		json_decref(req);
		json_decref(out);
	}
	cfg.token_kid = 0;
}

/* key rotate with this one option is refused and answers nothing */
static int
refuses(const char *opt, const char *value)
{
	int rc;
	json_t *out = run(ctl_key_make, "rotate", json_pack("{s:s}", opt,
	    value), &rc);

	json_decref(out);
	return rc == CTL_REFUSED && out == NULL;
}

static void
slurp(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "r");
	size_t n = f ? fread(buf, 1, len - 1, f) : 0;

	buf[n] = '\0';
	if (f != NULL)
		fclose(f);
}

int
main(void)
{
	char d[128], d2[128], tp[256], cp[256], before[8192], after[8192];
	char kid[128];
	json_t *out;
	time_t now = time(NULL);
	int rc;

	if (mkdtemp(dir) == NULL)
		return 1;
	config_defaults(&cfg);
	snprintf(cfg.database, sizeof(cfg.database), "%s/index.db", dir);
	snprintf(cfg.token_issuer, sizeof(cfg.token_issuer), "idx");
	snprintf(d, sizeof(d), "%s/keys", dir);
	snprintf(tp, sizeof(tp), "%s/token.pem", d);
	snprintf(cp, sizeof(cp), "%s/ca.pem", d);

	/* init: three files, modes, nothing else left; the snippet */
	out = run(ctl_key_make, "init", json_pack("{s:s, s:s}", "dir", d,
	    "realm", "http://idx/v2/token"), &rc);
	T(rc == CTL_OK);
	T(strcmp(str(out, "token_key"), tp) == 0);
	T(strcmp(str(out, "rootcertbundle"), cp) == 0);
	T(strcmp(str(out, "realm"), "http://idx/v2/token") == 0);
	T(strcmp(str(out, "issuer"), "idx") == 0);
	T(strcmp(str(out, "service"), "registry") == 0);
	/* dindex.conf: what it lacks; never a key it has (given twice) */
	snprintf(before, sizeof(before), "token_key = %s\ntoken_cert = %s\n"
	    "token_service = registry\n", tp, tp);
	T(strcmp(str(out, "conf"), before) == 0);
	json_decref(out);
	T(mode_of(d, "ca.key") == 0600);
	T(mode_of(d, "ca.pem") == 0644);
	T(mode_of(d, "token.pem") == 0640);
	T(entries(d) == 3);
	chain_verifies(d, JWT_KID_LIBTRUST);
	chain_verifies(d, JWT_KID_THUMBPRINT);

	/* never over existing keys */
	slurp(tp, before, sizeof(before));
	out = run(ctl_key_make, "init", json_pack("{s:s}", "dir", d), &rc);
	T(rc == CTL_REFUSED && out == NULL);
	slurp(tp, after, sizeof(after));
	T(strcmp(before, after) == 0 && entries(d) == 3);

	/* show and jwks read token_key and token_cert */
	snprintf(cfg.token_key, sizeof(cfg.token_key), "%s", tp);
	snprintf(cfg.token_cert, sizeof(cfg.token_cert), "%s", tp);
	out = run(ctl_key_show, "show", json_object(), &rc);
	T(rc == CTL_OK && strcmp(str(out, "alg"), "ES256") == 0);
	T(strlen(str(out, "kid_libtrust")) == 59);
	T(strlen(str(out, "kid_thumbprint")) == JWT_THUMB_LEN);
	T(strcmp(str(out, "subject"), "/CN=dindex token signer") == 0);
	T(llabs(num(out, "expires") - (now + 365 * 86400LL)) < 600);
	T(llabs(num(out, "ca_expires") - (now + LIM_CA_DAYS * 86400LL)) < 600);
	snprintf(kid, sizeof(kid), "%s", str(out, "kid_thumbprint"));
	json_decref(out);
	jwks("EC", "ES256");

	/* rotate: a new key under the same CA; DIR from token_key */
	slurp(cp, before, sizeof(before));
	out = run(ctl_key_make, "rotate", json_pack("{s:s, s:s}", "days", "30",
	    "curve", "P-384"), &rc);
	T(rc == CTL_OK && strcmp(str(out, "alg"), "ES384") == 0);
	T(strcmp(str(out, "kid_thumbprint"), kid) != 0);
	T(llabs(num(out, "expires") - (now + 30 * 86400LL)) < 600);
	json_decref(out);
	slurp(cp, after, sizeof(after));
	T(strcmp(before, after) == 0 && entries(d) == 3);
	T(mode_of(d, "token.pem") == 0640);
	chain_verifies(d, JWT_KID_LIBTRUST);
	jwks("EC", "ES384");

	/* refusals: bad options, no CA */
	T(refuses("days", "0") && refuses("days", "3651"));
	T(refuses("days", "9x") && refuses("curve", "P-521"));
	T(refuses("dir", dir));	/* no CA there */

	/* RSA-3072 */
	snprintf(d2, sizeof(d2), "%s/rsa", dir);
	out = run(ctl_key_make, "init", json_pack("{s:s, s:s}", "dir", d2,
	    "curve", "RSA-3072"), &rc);
	T(rc == CTL_OK);
	T(strncmp(str(out, "conf"), "# change: token_key = ", 22) == 0);
	T(strstr(str(out, "conf"), "\n# change: token_cert = ") != NULL);
	json_decref(out);
	chain_verifies(d2, JWT_KID_THUMBPRINT);
	snprintf(cfg.token_key, sizeof(cfg.token_key), "%s/token.pem", d2);
	jwks("RSA", "RS256");

	snprintf(tp, sizeof(tp), "rm -rf %s", dir);
	T(system(tp) == 0);
	return t_done();
}
