/*
 * auth: credentials on the wire and at rest: libscrypt MCF hashes, or
 * imported SHA-1 ones (AUTH_LEGACY, checked with libgcrypt). Buffers that
 * held a password are wiped before they go out of scope.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <gcrypt.h>
#include <libscrypt.h>

#include "auth.h"
#include "log.h"

enum auth_scheme
auth_scheme(const char *val, size_t len, const char **rest, size_t *restlen)
{
	static const char *const words[] = {
		[AUTH_BASIC] = "basic", [AUTH_TOKEN] = "token",
		[AUTH_BEARER] = "bearer"
	};
	size_t w = 0, i;
	int s;

	*rest = val + len;
	*restlen = 0;
	if (len == 0)
		return AUTH_NONE;
	while (w < len && val[w] != ' ' && val[w] != '\t')
		w++;
	if (w == len)
		return AUTH_OTHER;
	for (i = w; i < len && (val[i] == ' ' || val[i] == '\t'); i++)
		;
	*rest = val + i;
	*restlen = len - i;
	for (s = AUTH_BASIC; s <= AUTH_BEARER; s++)
		if (strlen(words[s]) == w && strncasecmp(val, words[s], w) == 0)
			return s;
	return AUTH_OTHER;
}

int
auth_parse_basic(const char *s, size_t len, struct auth_basic *out)
{
	unsigned char raw[LIM_USER + 1 + LIM_PASSWORD + 3];
	size_t n, ulen;
	unsigned char *colon;
	int rc = -1;

	memset(out, 0, sizeof(*out));
	if (bytes_b64_decode(s, len, raw, sizeof(raw), &n) == -1 ||
	    memchr(raw, '\0', n) != NULL ||
	    (colon = memchr(raw, ':', n)) == NULL)
		goto out;
	ulen = (size_t)(colon - raw);
	if (ulen == 0 || ulen > LIM_USER || n - ulen - 1 > LIM_PASSWORD)
		goto out;
	memcpy(out->user, raw, ulen);
	memcpy(out->pass, colon + 1, n - ulen - 1);
	rc = 0;
out:
	bytes_wipe(raw, sizeof(raw));
	if (rc == -1)
		bytes_wipe(out, sizeof(*out));
	return rc;
}

/* Copy a token value of the right shape into dst (size cap). */
static int
token_field(const char *v, size_t vlen, char *dst, size_t cap, int sig)
{
	size_t i;

	if (vlen == 0 || vlen >= cap)
		return -1;
	for (i = 0; i < vlen; i++)
		if ((unsigned char)v[i] <= ' ' || v[i] == 0x7f || (sig &&
		    !strchr("_.-", v[i]) && !((v[i] | 0x20) >= 'a' &&
		    (v[i] | 0x20) <= 'z') && !(v[i] >= '0' && v[i] <= '9')))
			return -1;
	memcpy(dst, v, vlen);
	dst[vlen] = '\0';
	return 0;
}

/* One key[=:]["]value["] pair at *p; advances *p. 0 ok, -1 malformed. */
static int
token_pair(const char **p, const char *end, struct auth_token *out)
{
	const char *k = *p, *v, *ve;
	size_t klen;
	int quoted;

	while (*p < end && **p != '=' && **p != ':')
		(*p)++;
	klen = (size_t)(*p - k);
	if (*p == end || klen == 0)
		return -1;
	v = ++(*p);
	quoted = v < end && *v == '"';
	v += quoted;
	for (ve = v; ve < end && *ve != (quoted ? '"' : ','); ve++)
		;
	if (quoted && ve == end)
		return -1;
	*p = ve + quoted;
	while (!quoted && ve > v && (ve[-1] == ' ' || ve[-1] == '\t'))
		ve--;
	if (klen == 9 && memcmp(k, "signature", 9) == 0)
		return token_field(v, ve - v, out->sig, sizeof(out->sig), 1);
	if (klen == 10 && memcmp(k, "repository", 10) == 0)
		return token_field(v, ve - v, out->repo, sizeof(out->repo), 0);
	if (klen == 6 && memcmp(k, "access", 6) == 0)
		return token_field(v, ve - v, out->access, sizeof(out->access),
		    0);
	return 0;	/* unknown keys are ignored */
}

int
auth_parse_token(const char *s, size_t len, struct auth_token *out)
{
	const char *p = s, *end = s + len;

	memset(out, 0, sizeof(*out));
	while (p < end) {
		while (p < end && (*p == ' ' || *p == '\t' || *p == ','))
			p++;
		if (p == end)
			break;
		if (token_pair(&p, end, out) == -1)
			return -1;
		if (p < end && *p != ',' && *p != ' ' && *p != '\t')
			return -1;
	}
	return out->sig[0] ? 0 : -1;
}

int
auth_hash_password(const char *pw, uint32_t n, uint32_t r, uint32_t p,
    char out[AUTH_MCF_LEN])
{
	if (libscrypt_hash(out, pw, n, (uint8_t)r, (uint8_t)p) <= 0) {
		log_msg(LOG_ERR, "libscrypt_hash failed");
		return -1;
	}
	return 0;
}

int
auth_is_legacy(const char *hash)
{
	return strncmp(hash, AUTH_LEGACY, strlen(AUTH_LEGACY)) == 0;
}

/* The SHA-1 of pw in hex against the hex of an AUTH_LEGACY hash (its
 * shape is record.c's to check). */
static int
check_legacy(const char *hex, const char *pw)
{
	unsigned char md[20];
	char mine[2 * sizeof(md) + 1];
	size_t i;
	int rc;

	if (strlen(hex) != 2 * sizeof(md))
		return -1;
	gcry_check_version(NULL);
	gcry_md_hash_buffer(GCRY_MD_SHA1, md, pw, strlen(pw));
	for (i = 0; i < sizeof(md); i++)
		snprintf(mine + 2 * i, 3, "%02x", md[i]);
	rc = bytes_equal(mine, hex, 2 * sizeof(md));
	bytes_wipe(md, sizeof(md));
	bytes_wipe(mine, sizeof(mine));
	return rc;
}

int
auth_check_password(const char *mcf, const char *pw)
{
	char copy[AUTH_MCF_LEN];
	int rc;

	if (auth_is_legacy(mcf))
		return check_legacy(mcf + strlen(AUTH_LEGACY), pw);
	/* libscrypt_check writes into its argument */
	if ((size_t)snprintf(copy, sizeof(copy), "%s", mcf) >= sizeof(copy))
		return -1;
	rc = libscrypt_check(copy, pw);
	return rc > 0 ? 1 : rc == 0 ? 0 : -1;
}

int
auth_check_dummy(uint32_t n, uint32_t r, uint32_t p, const char *pw)
{
	static const uint8_t salt[SCRYPT_SALT_LEN] = "dindex-no-user!";
	uint8_t out[SCRYPT_HASH_LEN];

	/* a cached dummy hash would cost a second run in every new process */
	libscrypt_scrypt((const uint8_t *)pw, strlen(pw), salt, sizeof(salt),
	    n, r, p, out, sizeof(out));
	bytes_wipe(out, sizeof(out));
	return 0;
}

int
auth_needs_rehash(const char *mcf, uint32_t n, uint32_t r, uint32_t p)
{
	char want[16];

	/* "$s1$" then two hex digits each of log2(N), r and p */
	if (strncmp(mcf, "$s1$", 4) != 0 || strlen(mcf) < 11)
		return 1;
	snprintf(want, sizeof(want), "%02x%02x%02x",
	    (unsigned)__builtin_ctz(n), (unsigned)r, (unsigned)p);
	return strncmp(mcf + 4, want, 6) != 0;
}
