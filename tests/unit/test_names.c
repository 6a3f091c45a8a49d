/*
 * test_names: the shapes of names, at and beyond every boundary.
 */
#include <string.h>

#include "names.h"
#include "t.h"

static char *
rep(char c, size_t n)
{
	static char buf[600];

	memset(buf, c, n);
	buf[n] = '\0';
	return buf;
}

int
main(void)
{
	char ns[LIM_NS + 1], repo[LIM_NAME + 1];

	T(name_user_ok("abcd") && name_user_ok(rep('a', 30)));
	T(!name_user_ok("abc") && !name_user_ok(rep('a', 31)));
	T(!name_user_ok("Abcd") && !name_user_ok("ab-cd") &&
	    name_user_ok("ab_9"));
	T(name_ns_ok("ab") && name_ns_ok("library") && name_ns_ok("a-b_c"));
	T(name_team_ok("ab") && name_team_ok("-a_b-") && !name_team_ok("a") &&
	    name_team_ok(rep('a', 30)) && !name_team_ok(rep('a', 31)) &&
	    !name_team_ok("A-b") && !name_team_ok("a.b") && !name_team_ok(""));
	T(!name_ns_ok("a") && name_ns_ok(rep('a', 255)) &&
	    !name_ns_ok(rep('a', 256)));
	T(!name_ns_ok("-ab") && !name_ns_ok("ab-") && !name_ns_ok("a.b"));
	T(name_repo_ok("a") && name_repo_ok("a.b-c_d") &&
	    name_repo_ok(rep('z', 255)) && !name_repo_ok(rep('z', 256)));
	T(!name_repo_ok("") && !name_repo_ok(".") && !name_repo_ok("..") &&
	    !name_repo_ok("A") && !name_repo_ok("a/b"));
	T(name_hex_ok("0123456789abcdef", 16) && name_hex_ok("", 0));
	T(!name_hex_ok("0123456789abcde", 16) && !name_hex_ok("0123456789abcdef0",
	    16) && !name_hex_ok("0123456789ABCDEF", 16) &&
	    !name_hex_ok("0123456789abcdeg", 16));
	T(name_image_ok(rep('a', 64)) && name_image_ok(rep('0', 16)));
	T(!name_image_ok(rep('a', 63)) && !name_image_ok(rep('a', 65)) &&
	    !name_image_ok(rep('A', 64)) && !name_image_ok(rep('g', 64)));
	T(name_tag_ok("latest") && name_tag_ok("V1.0-rc_1") &&
	    name_tag_ok(rep('a', 128)) && !name_tag_ok(rep('a', 129)));
	T(!name_tag_ok("") && !name_tag_ok(".x") && !name_tag_ok("-x") &&
	    !name_tag_ok("a/b") && !name_tag_ok("a:b"));
	T(name_password_ok("12345") && name_password_ok(rep('p', 256)));
	T(!name_password_ok("1234") && !name_password_ok(rep('p', 257)));
	T(!name_password_ok("dxt_password") && name_password_ok("dx_t_pass"));
	T(name_email_ok("a@b") && name_email_ok("x.y+z@ex.com"));
	T(!name_email_ok("ab") && !name_email_ok("@b") &&
	    !name_email_ok("a@") && !name_email_ok("a@b@c") &&
	    !name_email_ok("a b@c") && !name_email_ok("a\"@b"));
	T(name_scope_split("ns", ns, repo) && strcmp(ns, "ns") == 0 &&
	    repo[0] == '\0');
	T(name_scope_split("ns/re.po", ns, repo) && strcmp(repo, "re.po") == 0);
	/* one grammar: v2 nests repository components */
	T(name_scope_split("a-b/tools/app", ns, repo) && strcmp(ns, "a-b") ==
	    0 && strcmp(repo, "tools/app") == 0);
	T(name_repo_split("ns/r", ns, repo) && !name_repo_split("ns", ns,
	    repo));
	T(!name_scope_split("ns/", ns, repo) && !name_scope_split("/r", ns,
	    repo) && !name_scope_split("*", ns, repo) &&
	    !name_scope_split("N/r", ns, repo) &&
	    !name_scope_split("a/b//c", ns, repo) &&
	    !name_scope_split("a/b/", ns, repo) &&
	    !name_scope_split("a/b/..", ns, repo));
	T(name_repo_parse("x", ns, repo) && strcmp(ns, "library") == 0 &&
	    strcmp(repo, "x") == 0);
	T(name_repo_parse("ab/b/c", ns, repo) && strcmp(repo, "b/c") == 0);
	T(!name_repo_parse(rep('a', 256), ns, repo));
	T(name_reserved("library") && !name_reserved("alice"));
	T(name_digest_ok("sha256:0123456789abcdef0123456789abcdef") &&
	    !name_digest_ok("sha256:0123") && !name_digest_ok(":abc") &&
	    !name_digest_ok("SHA:0123456789abcdef0123456789abcdef") &&
	    !name_digest_ok(rep('a', 64)));
	return t_done();
}
