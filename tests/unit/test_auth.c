/*
 * test_auth: base64, Basic and Token values, scheme words, scrypt hashes,
 * random hex, constant-time compare.
 */
#include <string.h>

#include "auth.h"
#include "t.h"

static void
test_b64(void)
{
	static const char *const plain[] = { "", "f", "fo", "foo", "foob",
	    "fooba", "foobar" };
	static const char *const bad[] = { "Zm9v=", "Zm9", "Zm=v", "Z===",
	    "Zm9v\n", "Zm 9v", "Zm9v!A==" };
	unsigned char out[64];
	char enc[64];
	size_t i, n;

	for (i = 0; i < sizeof(plain) / sizeof(plain[0]); i++) {
		n = bytes_b64_encode((const unsigned char *)plain[i],
		    strlen(plain[i]), enc, sizeof(enc));
		T(n == (strlen(plain[i]) + 2) / 3 * 4);
		T(bytes_b64_decode(enc, n, out, sizeof(out), &n) == 0 &&
		    n == strlen(plain[i]) && memcmp(out, plain[i], n) == 0);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		T(bytes_b64_decode(bad[i], strlen(bad[i]), out, sizeof(out), &n)
		    == -1);
	T(bytes_b64_decode("Zm9vYmFy", 8, out, 5, &n) == -1);
	T(bytes_b64_encode((const unsigned char *)"foo", 3, enc, 4) == 0);
}

static int
basic(const char *plain, struct auth_basic *b)
{
	char enc[1024];
	size_t n = bytes_b64_encode((const unsigned char *)plain, strlen(plain),
	    enc, sizeof(enc));

	return auth_parse_basic(enc, n, b);
}

static void
test_basic(void)
{
	struct auth_basic b;
	char big[400];

	T(basic("user:pa:ss", &b) == 0 && strcmp(b.user, "user") == 0 &&
	    strcmp(b.pass, "pa:ss") == 0);
	T(basic("user:", &b) == 0 && b.pass[0] == '\0');
	T(basic("nocolon", &b) == -1);
	T(basic(":pass", &b) == -1);
	T(auth_parse_basic("!!!!", 4, &b) == -1);
	memset(big, 'a', sizeof(big));
	big[sizeof(big) - 1] = '\0';
	big[31] = ':';
	T(basic(big, &b) == -1);		/* user of 31 */
	big[31] = 'a';
	big[10] = ':';
	T(basic(big, &b) == -1);		/* password over 256 */
	T(auth_parse_basic("dQB4OnA=", 8, &b) == -1);	/* "u\0x:p" */
}

static void
test_token(void)
{
	static const struct {
		const char	*in;
		int		 ok;
		const char	*sig, *repo, *access;
	} cases[] = {
		{ "signature=abc,repository=\"foo/bar\",access=write", 1,
		    "abc", "foo/bar", "write" },
		{ "signature=abc, repository=\"foo/bar\", access=read", 1,
		    "abc", "foo/bar", "read" },
		{ "signature:abc,repository:foo/bar,access:delete", 1,
		    "abc", "foo/bar", "delete" },
		{ "signature=a,repository=\"x/y\",access=read,signature=b", 1,
		    "b", "x/y", "read" },
		{ "signature=abc,other=1", 1, "abc", "", "" },
		{ "repository=\"foo/bar\",access=write", 0, 0, 0, 0 },
		{ "signature=abc,repository=\"foo/bar", 0, 0, 0, 0 },
		{ "signature=ab c", 0, 0, 0, 0 },
		{ "garbage", 0, 0, 0, 0 },
		{ "", 0, 0, 0, 0 },
		{ "=x", 0, 0, 0, 0 },
		{ "signature=abc,access=writeeeeeeee", 0, 0, 0, 0 },
		{ "signature=a$c", 0, 0, 0, 0 },
	};
	struct auth_token t;
	size_t i;
	int rc;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		rc = auth_parse_token(cases[i].in, strlen(cases[i].in), &t);
		T(cases[i].ok ? rc == 0 : rc == -1);
		if (rc == 0 && cases[i].ok)
			T(strcmp(t.sig, cases[i].sig) == 0 &&
			    strcmp(t.repo, cases[i].repo) == 0 &&
			    strcmp(t.access, cases[i].access) == 0);
	}
}

static void
test_scheme(void)
{
	const char *rest;
	size_t n;

	T(auth_scheme("Basic abc", 9, &rest, &n) == AUTH_BASIC && n == 3);
	T(auth_scheme("basic  abc", 10, &rest, &n) == AUTH_BASIC && n == 3);
	T(auth_scheme("Token s=1", 9, &rest, &n) == AUTH_TOKEN);
	T(auth_scheme("Bearer x", 8, &rest, &n) == AUTH_BEARER);
	T(auth_scheme("Basic", 5, &rest, &n) == AUTH_OTHER);
	T(auth_scheme("Digest x", 8, &rest, &n) == AUTH_OTHER);
	T(auth_scheme("", 0, &rest, &n) == AUTH_NONE);
}

static void
test_hash(void)
{
	char mcf[AUTH_MCF_LEN], copy[AUTH_MCF_LEN], a[65], b[65];

	T(auth_hash_password("secret1", 1024, 8, 1, mcf) == 0);
	memcpy(copy, mcf, sizeof(copy));
	T(auth_check_password(mcf, "secret1") == 1);
	T(strcmp(copy, mcf) == 0);
	T(auth_check_password(mcf, "secret2") == 0);
	T(auth_check_password("$s1$garbage", "x") != 1);
	T(auth_needs_rehash(mcf, 1024, 8, 1) == 0);
	T(auth_needs_rehash(mcf, 2048, 8, 1) == 1);
	T(auth_needs_rehash("junk", 1024, 8, 1) == 1);
	T(auth_check_dummy(1024, 8, 1, "x") == 0);
	T(bytes_random_hex(a, 32) == 0 && strlen(a) == 64 &&
	    strspn(a, "0123456789abcdef") == 64);
	T(bytes_random_hex(b, 32) == 0 && strcmp(a, b) != 0);
	T(bytes_equal("abc", "abc", 3) && !bytes_equal("abc", "abd", 3));
}

/* imported from ekristen/docker-index: sha1("secret1") in hex */
static void
test_legacy(void)
{
	const char *h = "sha1$00cafd126182e8a9e7c01bb2f0dfd00496be724f";

	T(auth_is_legacy(h) && !auth_is_legacy("$s1$0e0801$a$b"));
	T(auth_check_password(h, "secret1") == 1);
	T(auth_check_password(h, "secret2") == 0);
	T(auth_check_password(h, "") == 0);
	T(auth_check_password("sha1$00cafd", "secret1") == -1);
	T(auth_needs_rehash(h, 1024, 8, 1) == 1);
}

int
main(void)
{
	test_b64();
	test_basic();
	test_token();
	test_scheme();
	test_hash();
	test_legacy();
	return t_done();
}
