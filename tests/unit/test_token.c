/*
 * test_token: the pure parts of v1 tokens: the header value an anonymous
 * grant gets, the claims a value may carry, the grant an access needs,
 * and values refused before the store is read.
 */
#include <string.h>

#include "acl.h"
#include "token.h"
#include "t.h"

static int
parse(const char *s, struct auth_token *t)
{
	return auth_parse_token(s, strlen(s), t);
}

static void
test_anonymous(void)
{
	struct token_grant g = { "", "", "", "library/busybox", "read", NULL };
	struct config cfg = { .token_ttl = 60 };
	char out[TOKEN_VALUE_LEN];
	struct auth_token t;

	/* not stored: no transaction is needed */
	T(token_issue(NULL, &cfg, &g, out) == 0);
	T(strcmp(out, "signature=anonymous,repository=\"library/busybox\","
	    "access=read") == 0);
	T(parse(out, &t) == 0 && strcmp(t.sig, "anonymous") == 0 &&
	    strcmp(t.repo, "library/busybox") == 0 &&
	    strcmp(t.access, "read") == 0);
	T(token_claims_fit(&t, "library/busybox", "read"));
	T(!token_claims_fit(&t, "library/other", "read"));
	T(!token_claims_fit(&t, "library/busybox", "write"));
}

static void
test_claims(void)
{
	struct auth_token t;

	/* what a value leaves out it does not claim */
	T(parse("signature=abc", &t) == 0);
	T(token_claims_fit(&t, "a/b", "read"));
	T(token_claims_fit(&t, "c/d", "delete"));
	T(parse("signature=abc,repository=\"a/b\"", &t) == 0);
	T(token_claims_fit(&t, "a/b", "write"));
	T(!token_claims_fit(&t, "a/bc", "write"));
	T(parse("signature=abc,access=write", &t) == 0);
	T(token_claims_fit(&t, "x/y", "write"));
	T(!token_claims_fit(&t, "x/y", "read"));
}

static void
test_needs(void)
{
	T(token_needs("read") == ACL_PULL);
	T(token_needs("write") == ACL_PUSH);
	T(token_needs("delete") == ACL_DELETE);
	/* anything else asks for the most */
	T(token_needs("admin") == ACL_DELETE);
}

static void
test_refused(void)
{
	static const char *const bad[] = {
		"", "repository=\"a/b\",access=read", "signature=",
		"signature=a b=c", "signature=\"abc", "signature=ab/c",
	};
	struct config cfg = { .database = "/nonexistent/index.db" };
	struct token_use u;
	size_t i;

	/* malformed values are invalid before the store is opened */
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		T(token_check(&cfg, bad[i], strlen(bad[i]), "a/b", 0, &u) ==
		    1);
		T(u.ids == NULL && u.rec == NULL && u.user[0] == '\0');
	}
	/* a well-formed one needs the store: its failure is -1 */
	T(token_check(&cfg, "signature=abc", 13, "a/b", 0, &u) == -1);
}

int
main(void)
{
	test_anonymous();
	test_claims();
	test_needs();
	test_refused();
	return t_done();
}
