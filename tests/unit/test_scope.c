/* scope: the v2 token scope grammar and the JWT access list. */
#include <string.h>

#include "jwt.h"
#include "t.h"

static int
parse(const char *s, struct scope_set *set)
{
	memset(set, 0, sizeof(*set));
	return scope_parse(s, strlen(s), set);
}

static int
has(const struct scope_set *set, size_t i, const char *type,
    const char *name, int actions)
{
	return i < set->n && strcmp(set->res[i].type, type) == 0 &&
	    strcmp(set->res[i].name, name) == 0 &&
	    set->res[i].actions == actions;
}

static const char *const garbage[] = {
	"repository", "repository:", "repository:foo", ":foo:pull",
	"repository::pull", "repository:foo:", "repository:foo:pull,",
	"repository:foo:,pull", "repository:foo:Pull", "Repository:foo:pull",
	"repository(:foo:pull", "repository():foo:pull",
	"repository(plugin:foo:pull", "repository(a(b)):foo:pull",
	"repo sitory:foo:pull", "repository:fo\"o:pull",
	"repository:fo\to:pull", "repository:foo:pu ll",
	"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa:foo:pull",
};

int
main(void)
{
	struct scope_set set;
	char big[LIM_NAME + 64], many[LIM_SCOPES * 24];
	json_t *a;
	char *s;
	size_t i;

	T(parse("repository:ns/repo:pull,push", &set) == 0);
	T(has(&set, 0, "repository", "ns/repo", SCOPE_PULL | SCOPE_PUSH));
	T(set.n == 1);

	/* host:port names: type at the first ':', actions after the last */
	T(parse("repository:localhost:5000/ns/repo:pull", &set) == 0);
	T(has(&set, 0, "repository", "localhost:5000/ns/repo", SCOPE_PULL));

	/* the plugin class is dropped */
	T(parse("repository(plugin):vieux/sshfs:pull", &set) == 0);
	T(has(&set, 0, "repository", "vieux/sshfs", SCOPE_PULL));

	T(parse("registry:catalog:*", &set) == 0);
	T(has(&set, 0, "registry", "catalog", SCOPE_STAR));

	/* repeated resources merge; blanks separate; order is kept */
	T(parse("repository:a/b:pull  repository:c:delete repository:a/b:push"
	    " repository(plugin):a/b:pull", &set) == 0);
	T(set.n == 2);
	T(has(&set, 0, "repository", "a/b", SCOPE_PULL | SCOPE_PUSH));
	T(has(&set, 1, "repository", "c", SCOPE_DELETE));
	/* a second parameter adds to the same set */
	T(scope_parse("repository:c:pull", 17, &set) == 0);
	T(set.n == 2 && has(&set, 1, "repository", "c",
	    SCOPE_DELETE | SCOPE_PULL));

	/* unknown actions are never granted but keep the resource */
	T(parse("repository:a:frobnicate,pull", &set) == 0);
	T(has(&set, 0, "repository", "a", SCOPE_PULL));
	T(parse("repository:a:frobnicate", &set) == 0);
	T(has(&set, 0, "repository", "a", 0));

	/* empty and blank-only lists ask for nothing */
	T(parse("", &set) == 0 && set.n == 0);
	T(parse("   ", &set) == 0 && set.n == 0);

	for (i = 0; i < sizeof(garbage) / sizeof(garbage[0]); i++) {
		T(parse(garbage[i], &set) == -1);
		if (parse(garbage[i], &set) != -1)
			fprintf(stderr, "accepted: %s\n", garbage[i]);
	}

	/* a name longer than LIM_NAME */
	memset(big, 'a', sizeof(big));
	memcpy(big, "repository:", 11);
	memcpy(big + sizeof(big) - 6, ":pull", 6);
	T(parse(big, &set) == -1);

	/* at most LIM_SCOPES resources */
	many[0] = '\0';
	for (i = 0; i < LIM_SCOPES; i++)
		sprintf(many + strlen(many), "repository:r%zu:pull ", i);
	T(parse(many, &set) == 0 && set.n == LIM_SCOPES);
	strcat(many, "repository:one_more:pull");
	T(parse(many, &set) == -1);
	/* ... but a repeat of one already there still merges */
	many[strlen(many) - strlen("repository:one_more:pull")] = '\0';
	strcat(many, "repository:r0:push");
	T(parse(many, &set) == 0 && has(&set, 0, "repository", "r0",
	    SCOPE_PULL | SCOPE_PUSH));

	/* the access list: every resource, with the granted actions */
	T(parse("repository:a/b:pull,push,delete registry:catalog:*",
	    &set) == 0);
	set.res[0].actions &= SCOPE_PULL | SCOPE_PUSH;
	set.res[1].actions = 0;
	a = scope_access(&set);
	s = json_dumps(a, JSON_COMPACT);
	T(s != NULL && strcmp(s, "[{\"type\":\"repository\",\"name\":\"a/b\","
	    "\"actions\":[\"pull\",\"push\"]},{\"type\":\"registry\","
	    "\"name\":\"catalog\",\"actions\":[]}]") == 0);
	free(s);
	json_decref(a);
	return t_done();
}
