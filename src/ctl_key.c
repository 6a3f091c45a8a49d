/*
 * ctl_key: dindexctl key, the v2 signing keys without openssl by hand.
 * DIR (--dir, else token_key's directory, else KEY_DIR) holds ca.key
 * (0600, dindexctl's only), ca.pem (the registry's rootcertbundle) and
 * token.pem (0640, the database directory's group): the signing key, its
 * certificate and the CA's, token_key and token_cert both, so rotate
 * swaps them in one rename. dindex reads the key per token request and
 * the registry trusts the CA: neither restarts.
 */
#include <sys/stat.h>

#include <errno.h>
#include <libgen.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include "ctl.h"
#include "http.h"
#include "jwt.h"
#include "log.h"

#define KEY_DIR		"/etc/dindex/keys"
#define KEY_DAYS	365	/* --days unless given */
#define SUBJ_LEN	256	/* of X509_NAME_oneline */

static const char *const curves[][2] = {	/* --curve, EC group */
	{ "P-256", "prime256v1" }, { "P-384", "secp384r1" }, { "RSA-3072" },
};

enum { CA_KEY, CA_CERT, SIGNER, NFILES };
static const char *const names[] = { "ca.key", "ca.pem", "token.pem" };
static const mode_t modes[] = { 0600, 0644, 0640 };

struct kctx {
	char		 dir[LIM_PATH - 64];	/* room for the names */
	char		 path[NFILES][LIM_PATH];
	int		 curve;		/* of curves[] */
	long		 days;
	gid_t		 gid;		/* of token.pem; 0 left alone */
	int		 linked[NFILES];	/* by init: to remove on failure */
};

/* DIR, --curve, --days and the group dindex reads token.pem with. */
static int
prepare(const struct ctl *ctl, struct kctx *kc)
{
	const char *dir = NULL, *curve = "P-256", *days = NULL;
	char tmp[LIM_PATH];
	struct stat sb;
	int i;

	memset(kc, 0, sizeof(*kc));
	json_unpack(ctl->opt, "{s?s, s?s, s?s}", "dir", &dir, "curve", &curve,
	    "days", &days);
	snprintf(tmp, sizeof(tmp), "%s", ctl->cfg->token_key);
	if (snprintf(kc->dir, sizeof(kc->dir), "%s", dir ? dir : tmp[0] ?
	    dirname(tmp) : KEY_DIR) >= (int)sizeof(kc->dir))
		return ctl_refuse("--dir: too long");
	for (i = 0; i < NFILES; i++)
		snprintf(kc->path[i], LIM_PATH, "%s/%s", kc->dir, names[i]);
	kc->days = days ? http_decimal(days, strlen(days)) : KEY_DAYS;
	if (kc->days < 1 || kc->days > LIM_CERT_DAYS)
		return ctl_refuse("--days: 1 to %d", LIM_CERT_DAYS);
	while (kc->curve < (int)LEN(curves) &&
	    strcmp(curve, curves[kc->curve][0]) != 0)
		kc->curve++;
	if (kc->curve == LEN(curves))
		return ctl_refuse("--curve: P-256, P-384 or RSA-3072");
	snprintf(tmp, sizeof(tmp), "%s", ctl->cfg->database);
	if (getuid() == 0 && stat(dirname(tmp), &sb) == 0)
		kc->gid = sb.st_gid;
	return CTL_OK;
}

static int
add_ext(X509 *x, X509V3_CTX *v3, int nid, const char *value)
{
	X509_EXTENSION *e = X509V3_EXT_conf_nid(NULL, v3, nid, value);
	int ok = e != NULL && X509_add_ext(x, e, -1) == 1;

	X509_EXTENSION_free(e);
	return ok;
}

/* A new key of curve c (*key, the caller's to free) and its certificate
 * for days: the CA's own (ca NULL) or one the CA signs. NULL on failure. */
static X509 *
new_cert(int c, long days, X509 *ca, EVP_PKEY *ca_key, EVP_PKEY **key)
{
	const char *cn = ca ? "dindex token signer" : "dindex token CA";
	X509 *x = X509_new();
	BIGNUM *serial = BN_new();
	X509V3_CTX v3;
	int ok;

	*key = curves[c][1] == NULL ? EVP_PKEY_Q_keygen(NULL, NULL, "RSA",
	    (size_t)3072) : EVP_PKEY_Q_keygen(NULL, NULL, "EC", curves[c][1]);
	/* notBefore a little back: the registry's clock may be behind */
	ok = *key != NULL && x != NULL && serial != NULL &&
	    X509_set_version(x, 2) &&
	    BN_rand(serial, 127, BN_RAND_TOP_ANY, BN_RAND_BOTTOM_ANY) &&
	    BN_to_ASN1_INTEGER(serial, X509_get_serialNumber(x)) &&
	    X509_gmtime_adj(X509_getm_notBefore(x), -300) &&
	    X509_time_adj_ex(X509_getm_notAfter(x), days, 0, NULL) &&
	    X509_set_pubkey(x, *key) &&
	    X509_NAME_add_entry_by_txt(X509_get_subject_name(x), "CN",
	    MBSTRING_ASC, (const unsigned char *)cn, -1, -1, 0) &&
	    X509_set_issuer_name(x, X509_get_subject_name(ca ? ca : x));
	X509V3_set_ctx(&v3, ca ? ca : x, x, NULL, NULL, 0);
	ok = ok && add_ext(x, &v3, NID_basic_constraints, ca ?
	    "critical,CA:FALSE" : "critical,CA:TRUE,pathlen:0") &&
	    add_ext(x, &v3, NID_key_usage, ca ? "critical,digitalSignature" :
	    "critical,keyCertSign,cRLSign") &&
	    add_ext(x, &v3, NID_subject_key_identifier, "hash") &&
	    (ca == NULL || add_ext(x, &v3, NID_authority_key_identifier,
	    "keyid")) && X509_sign(x, ca ? ca_key : *key, EVP_sha256()) > 0;
	BN_free(serial);
	if (ok)
		return x;
	X509_free(x);
	return NULL;
}

/* key, x and ca as PEM into file f: a temp file (its mode set first)
 * synced, renamed over f (rotate) or linked where no f is, DIR synced. */
static int
put(struct kctx *kc, int f, EVP_PKEY *key, X509 *x, X509 *ca, int rotate)
{
	char tmp[LIM_PATH];
	FILE *fp;
	int ok;

	snprintf(tmp, sizeof(tmp), "%s/%s.%ld.tmp", kc->dir, names[f],
	    (long)getpid());
	if ((fp = fopen(tmp, "wxe")) == NULL)
		return ctl_refuse("%s: %s", tmp, strerror(errno));
	ok = fchmod(fileno(fp), modes[f]) == 0 && (f != SIGNER ||
	    kc->gid == 0 || fchown(fileno(fp), -1, kc->gid) == 0) &&
	    (key == NULL || PEM_write_PrivateKey(fp, key, NULL, NULL, 0, NULL,
	    NULL)) && (x == NULL || PEM_write_X509(fp, x)) && (ca == NULL ||
	    PEM_write_X509(fp, ca)) && fflush(fp) == 0 &&
	    fsync(fileno(fp)) == 0;
	ok = fclose(fp) == 0 && ok && (rotate ? rename(tmp, kc->path[f]) :
	    link(tmp, kc->path[f])) == 0;
	if (!ok)
		ctl_refuse("cannot write %s: %s", kc->path[f], strerror(errno));
	if (!ok || !rotate)
		unlink(tmp);
	kc->linked[f] = ok && !rotate;
	return ok ? ctl_sync_dir_of(kc->path[f]) : CTL_REFUSED;
}

/* A new signing key that the CA certifies, into token.pem. */
static int
make_signer(struct kctx *kc, X509 *ca, EVP_PKEY *ca_key, int rotate)
{
	EVP_PKEY *k;
	X509 *x = new_cert(kc->curve, kc->days, ca, ca_key, &k);
	time_t end = time(NULL) + kc->days * 86400L;
	int rc = CTL_REFUSED;

	if (X509_cmp_time(X509_get0_notAfter(ca), &end) < 0)
		ctl_refuse("the CA expires within --days: key init a new DIR");
	else if (x == NULL)
		ctl_refuse("cannot make a key: %s",
		    ERR_reason_error_string(ERR_peek_last_error()));
	else
		rc = put(kc, SIGNER, k, x, ca, rotate);
	X509_free(x);
	EVP_PKEY_free(k);
	return rc;
}

/* The CA of key init: made (ca.key and ca.pem linked) or read. */
static int
get_ca(struct kctx *kc, int rotate, X509 **ca, EVP_PKEY **ca_key)
{
	FILE *f;

	if (!rotate) {
		if ((*ca = new_cert(kc->curve, LIM_CA_DAYS, NULL, NULL,
		    ca_key)) == NULL)
			return ctl_refuse("cannot make the CA: %s",
			    ERR_reason_error_string(ERR_peek_last_error()));
		return put(kc, CA_KEY, *ca_key, NULL, NULL, 0) ? CTL_REFUSED :
		    put(kc, CA_CERT, NULL, *ca, NULL, 0);
	}
	if ((f = fopen(kc->path[CA_KEY], "r")) != NULL) {
		*ca_key = PEM_read_PrivateKey(f, NULL, NULL, NULL);
		fclose(f);
	}
	if ((f = fopen(kc->path[CA_CERT], "r")) != NULL) {
		*ca = PEM_read_X509(f, NULL, NULL, NULL);
		fclose(f);
	}
	if (*ca == NULL || *ca_key == NULL || X509_check_private_key(*ca,
	    *ca_key) != 1)
		return ctl_refuse("%s: no CA of key init here", kc->dir);
	return CTL_OK;
}

static json_t *
expiry(const X509 *x)
{
	struct tm tm;

	return x && ASN1_TIME_to_tm(X509_get0_notAfter(x), &tm) == 1 ?
	    json_integer(timegm(&tm)) : NULL;
}

/* The subject (into subj, kept when none) and expiry of PEM file f's first
 * certificate and the expiry of its last, the CA's; f (or NULL) closed. */
static void
read_chain(FILE *f, char *subj, json_t **expires, json_t **ca_expires)
{
	X509 *x, *leaf = NULL, *ca = NULL;

	while (f != NULL && (x = PEM_read_X509(f, NULL, NULL, NULL)) != NULL)
		if (leaf == NULL)
			leaf = x;
		else {
			X509_free(ca);
			ca = x;
		}
	if (f != NULL)
		fclose(f);
	if (leaf != NULL)
		X509_NAME_oneline(X509_get_subject_name(leaf), subj, SUBJ_LEN);
	*expires = expiry(leaf);
	*ca_expires = expiry(ca ? ca : leaf);
	X509_free(ca);
	X509_free(leaf);
}

/* ctl->out: the key's algorithm and ids, then read_chain of cert. */
static int
describe(struct ctl *ctl, const char *key, const char *cert)
{
	struct jwt_key *k;
	json_t *expires, *ca_expires;
	char subj[SUBJ_LEN] = "-";

	if (jwt_key_load(key, "", &k) != 0)
		return ctl_refuse("token key '%s' is unusable", key);
	read_chain(fopen(cert, "r"), subj, &expires, &ca_expires);
	ctl->out = json_pack("{s:s, s:s, s:s, s:s, s:o*, s:o*}", "alg",
	    jwt_key_alg(k), "kid_libtrust", jwt_key_id(k, JWT_KID_LIBTRUST),
	    "kid_thumbprint", jwt_key_id(k, JWT_KID_THUMBPRINT), "subject",
	    subj, "expires", expires, "ca_expires", ca_expires);
	jwt_key_free(k);
	return ctl->out ? CTL_OK : ctl_refuse("out of memory");
}

json_t *
ctl_key_cert(const char *path)
{
	json_t *expires, *ca_expires;
	char subj[SUBJ_LEN] = "-";
	FILE *f = path[0] != '\0' ? fopen(path, "r") : NULL;

	if (path[0] != '\0' && f == NULL)
		log_msg(LOG_ERR, "%s: %s", path, strerror(errno));
	read_chain(f, subj, &expires, &ca_expires);
	json_decref(ca_expires);
	return expires ? json_pack("{s:s, s:o}", "subject", subj,
	    "expires_at", expires) : json_null();
}

/* What key init adds to dindex.conf: a key the file sets already comes
 * commented out (given twice, it would stop dindex). */
static json_t *
conf_lines(const struct config *cfg, const char *pem)
{
	return json_sprintf("%stoken_key = %s\n%stoken_cert = %s\n%s%s",
	    cfg->token_key[0] ? "# change: " : "", pem, cfg->token_cert[0] ?
	    "# change: " : "", pem, cfg->token_issuer[0] ? "" :
	    "token_issuer = dindex\n", cfg->token_service[0] ? "" :
	    "token_service = registry\n");
}

/* key init, then the lines for dindex.conf and the registry's config
 * (all three files new, or none left), or key rotate, then show. */
int
ctl_key_make(struct ctl *ctl)
{
	const char *realm = "https://DINDEX-HOST/v2/token";
	const struct config *cfg = ctl->cfg;
	int f, rc, rotate = strcmp(ctl->argv[1], "rotate") == 0;
	struct kctx kc;
	EVP_PKEY *ca_key = NULL;
	X509 *ca = NULL;

	if ((rc = prepare(ctl, &kc)) != CTL_OK)
		return rc;
	if (!rotate && mkdir(kc.dir, 0755) == -1 && errno != EEXIST)
		return ctl_refuse("mkdir %s: %s", kc.dir, strerror(errno));
	for (f = 0; !rotate && f < NFILES; f++)
		if (access(kc.path[f], F_OK) == 0)
			return ctl_refuse("%s exists: init overwrites no key "
			    "(rotate replaces the signing key)", kc.path[f]);
	if ((rc = get_ca(&kc, rotate, &ca, &ca_key)) == CTL_OK)
		rc = make_signer(&kc, ca, ca_key, rotate);
	json_unpack(ctl->opt, "{s?s}", "realm", &realm);
	if (rc == CTL_OK && rotate)
		rc = describe(ctl, kc.path[SIGNER], kc.path[SIGNER]);
	else if (rc == CTL_OK && (ctl->out = json_pack("{s:s, s:s, s:s, s:s, "
	    "s:s, s:o}", "token_key", kc.path[SIGNER], "rootcertbundle",
	    kc.path[CA_CERT], "realm", realm, "issuer", cfg->token_issuer[0] ?
	    cfg->token_issuer : "dindex", "service", cfg->token_service[0] ?
	    cfg->token_service : "registry", "conf", conf_lines(cfg,
	    kc.path[SIGNER]))) == NULL)
		rc = ctl_refuse("out of memory");
	for (f = 0; rc != CTL_OK && f < NFILES; f++)
		if (kc.linked[f])
			unlink(kc.path[f]);
	X509_free(ca);
	EVP_PKEY_free(ca_key);
	return rc;
}

int
ctl_key_show(struct ctl *ctl)
{
	return describe(ctl, ctl->cfg->token_key, ctl->cfg->token_cert);
}

/* For a registry configured with jwks: instead of a rootcertbundle. */
int
ctl_key_jwks(struct ctl *ctl)
{
	struct jwt_key *k;
	json_t *jwk;

	if (jwt_key_load(ctl->cfg->token_key, "", &k) != 0)
		return ctl_refuse("token key '%s' is unusable",
		    ctl->cfg->token_key);
	if ((jwk = jwt_key_jwk(k)) != NULL)
		json_object_update_new(jwk, json_pack("{s:s, s:s, s:s}", "use",
		    "sig", "alg", jwt_key_alg(k), "kid", jwt_key_id(k,
		    ctl->cfg->token_kid)));
	ctl->out = json_pack("{s:[o]}", "keys", jwk);
	jwt_key_free(k);
	return ctl->out ? CTL_OK : ctl_refuse("out of memory");
}
