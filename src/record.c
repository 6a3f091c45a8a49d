/*
 * record: one validator per record type, so a handler reading a stored
 * record never meets a field it cannot use. Unknown fields are left alone.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "acl.h"
#include "auth.h"
#include "lim.h"
#include "names.h"
#include "record.h"
#include "store.h"

static char why_buf[LIM_KEY + 128];

static const char *
why(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why_buf, sizeof(why_buf), fmt, ap);
	va_end(ap);
	return why_buf;
}

static int
one_of(const char *s, const char *const *words)
{
	for (; *words != NULL; words++)
		if (strcmp(s, *words) == 0)
			return 1;
	return 0;
}

/* Field key of o is a string, null or missing. */
static int
opt_str(const json_t *o, const char *key)
{
	const json_t *v = json_object_get(o, key);

	return v == NULL || json_is_string(v) || json_is_null(v);
}

static int
image_ok(const json_t *v)
{
	return json_is_string(v) && name_image_ok(json_string_value(v));
}

static int
legacy_ok(const char *hash)
{
	size_t n = strlen(AUTH_LEGACY);

	return strncmp(hash, AUTH_LEGACY, n) == 0 && name_hex_ok(hash + n,
	    AUTH_LEGACY_LEN - n);
}

static const char *
perms_bad(const json_t *perms)
{
	char ns[LIM_NS + 1], repo[LIM_NAME + 1];
	const char *scope;
	json_t *access;

	if (!json_is_object(perms))
		return "perms is not an object";
	json_object_foreach((json_t *)perms, scope, access)
		if (!name_scope_split(scope, ns, repo) ||
		    acl_bits(json_string_value(access)) < 0)
			return why("invalid grant %s", scope);
	return NULL;
}

/* A set {name: true} of at most max names that ok accepts. */
static int
names_ok(const json_t *set, size_t max, int (*ok)(const char *))
{
	const char *name;
	json_t *v;

	if (!json_is_object(set) || json_object_size(set) > max)
		return 0;
	json_object_foreach((json_t *)set, name, v)
		if (!json_is_true(v) || !ok(name))
			return 0;
	return 1;
}

static const char *
check_team(const char *name, const json_t *t)
{
	const char *n = "";
	json_t *owners = NULL, *perms = NULL;
	json_int_t created;

	if (json_unpack((json_t *)t, "{s:s, s:o, s:o, s:I}", "name", &n,
	    "owners", &owners, "perms", &perms, "created", &created))
		return "name, owners, perms or created missing or of the wrong "
		    "type";
	if (strcmp(n, name) != 0 || !name_team_ok(name))
		return "invalid team name, or it differs from the key";
	if (!names_ok(owners, LIM_TEAM_OWNERS, name_user_ok))
		return "owners must be a set of user names, not too many";
	return perms_bad(perms);
}

static const char *
check_user(const char *name, const json_t *u)
{
	const char *n = "", *hash = "", *email;
	json_t *perms = NULL, *teams;
	int en, ad, pub = strcmp(name, "*") == 0;

	/* the public grants "*" have no password and no flags */
	if (json_unpack((json_t *)u, pub ? "{s:s, s:o}" :
	    "{s:s, s:o, s:s, s:b, s:b}", "name", &n, "perms", &perms, "hash",
	    &hash, "enabled", &en, "admin", &ad))
		return "name, hash, enabled, admin (true or false) or perms "
		    "missing or of the wrong type";
	if (strcmp(n, name) != 0)
		return "name differs from the key";
	if (!pub && !name_user_ok(name))
		return "invalid user name";
	/* libscrypt's MCF: $s1$<N, r, p in hex>$<salt>$<hash>, or an
	 * imported SHA-1 (auth.h) */
	if (!pub && (strncmp(hash, "$s1$", 4) != 0 ||
	    strchr(hash + 4, '$') == NULL) && !legacy_ok(hash))
		return "invalid password hash";
	if (!opt_str(u, "email") || !opt_str(u, "cred"))
		return "email or cred is not a string";
	email = record_str(u, "email");
	if (email[0] != '\0' && !name_email_ok(email))
		return "invalid e-mail address";
	teams = json_object_get(u, "teams");
	if (teams != NULL && (pub || !names_ok(teams, LIM_TEAMS_USER,
	    name_team_ok)))
		return "teams must be a set of team names, not too many";
	return perms_bad(perms);
}

/* A tag points at a v1 image id or a v2 manifest digest. */
static int
tag_map_ok(const json_t *tags)
{
	const char *tag, *to;
	json_t *v;

	if (tags != NULL && !json_is_object(tags))
		return 0;
	json_object_foreach((json_t *)tags, tag, v) {
		to = json_string_value(v);
		if (!name_tag_ok(tag) || to == NULL || (!name_image_ok(to) &&
		    !name_digest_ok(to)))
			return 0;
	}
	return 1;
}

static const char *
check_repo(const char *name, const json_t *r)
{
	static const char *const states[] = { "pushing", "complete",
	    "deleted", NULL };
	char ns[LIM_NS + 1], repo[LIM_NAME + 1];
	const char *state = "", *pusher = "";
	json_t *images = NULL, *v;
	size_t i;

	if (!name_repo_split(name, ns, repo))
		return "invalid repository name";
	if (json_unpack((json_t *)r, "{s:o, s:s, s?s}", "images", &images,
	    "state", &state, "pusher", &pusher) || !json_is_array(images))
		return "images (a list) or state missing or of the wrong type";
	json_array_foreach(images, i, v)
		if (!image_ok(json_object_get(v, "id")) ||
		    !opt_str(v, "checksum") || !opt_str(v, "tag"))
			return why("invalid image id at images[%zu]", i);
	if (!tag_map_ok(json_object_get(r, "tags")) ||
	    !tag_map_ok(json_object_get(r, "pending")))
		return "invalid tag (a tag maps to an image id or a digest)";
	return one_of(state, states) ? NULL : "invalid state";
}

static const char *
check_token(const char *key, const json_t *t)
{
	static const char *const accesses[] = { "read", "write", "delete",
	    NULL };
	char ns[LIM_NS + 1], repo[LIM_NAME + 1];
	const char *user = "", *name = "", *access = "", *atok = "";
	json_int_t expires;
	json_t *ids = NULL, *cred = NULL, *v;
	size_t i;

	(void)key;
	if (json_unpack((json_t *)t, "{s:s, s:s, s:s, s:I, s?o, s?o, s?s}",
	    "user", &user, "repo", &name, "access", &access, "expires",
	    &expires, "ids", &ids, "cred", &cred, "atok", &atok))
		return "user, repo, access or expires (no expiry time) missing "
		    "or of the wrong type";
	if (!name_user_ok(user) || !name_repo_split(name, ns, repo))
		return "invalid user or repository name";
	if (!one_of(access, accesses))
		return "access must be read, write or delete";
	if (ids != NULL && !json_is_array(ids))
		return "ids is not a list";
	json_array_foreach(ids, i, v)
		if (!image_ok(v))
			return why("invalid image id at ids[%zu]", i);
	/* the access token a login by token was made with (atok.h) */
	if (atok[0] != '\0' && !name_hex_ok(atok, 16))
		return "atok is not an access token id";
	return cred == NULL || json_is_string(cred) ? NULL :
	    "cred is not a string";
}

static const char *
check_refresh(const char *key, const json_t *t)
{
	const char *user = "", *service = "", *id = "", *cred = "";
	json_int_t created, used = 0;

	(void)key;
	if (json_unpack((json_t *)t, "{s:s, s:s, s:I, s?I, s?s, s?s}", "user",
	    &user, "service", &service, "created", &created, "used", &used,
	    "id", &id, "cred", &cred))
		return "user, service or created missing or of the wrong type";
	return name_user_ok(user) ? NULL : "invalid user name";
}

static const char *
check_session(const char *key, const json_t *t)
{
	const char *user = "", *cred = "";
	json_int_t created, expires;

	(void)key;
	if (json_unpack((json_t *)t, "{s:s, s:s, s:I, s:I}", "user", &user,
	    "cred", &cred, "created", &created, "expires", &expires))
		return "user, cred, created or expires missing or of the wrong "
		    "type";
	return name_user_ok(user) ? NULL : "invalid user name";
}

static const char *
check_atok(const char *key, const json_t *t)
{
	char ns[LIM_NS + 1], repo[LIM_NAME + 1];
	const char *user = "", *name = "", *hash = "", *scope;
	json_t *scopes = NULL, *right;
	json_int_t created, expires, used;
	size_t n;

	(void)key;
	if (json_unpack((json_t *)t, "{s:s, s:s, s:s, s:o, s:I, s:I, s?I}",
	    "user", &user, "name", &name, "hash", &hash, "scopes", &scopes,
	    "created", &created, "expires", &expires, "used", &used) ||
	    !name_user_ok(user) || (n = strlen(name)) < 1 ||
	    n > LIM_ATOK_NAME || strspn(name, "abcdefghijklmnopqrstuvwxyzABCDEF"
	    "GHIJKLMNOPQRSTUVWXYZ0123456789_.-") != n ||
	    !name_hex_ok(hash, LIM_SIG) ||
	    json_object_size(scopes) < 1 ||
	    json_object_size(scopes) > LIM_ATOK_SCOPES)
		return "user, name, hash, scopes (1 to 16), created or expires "
		    "missing or invalid";
	json_object_foreach(scopes, scope, right)
		if ((strcmp(scope, "*") != 0 && !name_scope_split(scope, ns,
		    repo)) || acl_bits(json_string_value(right)) < 0)
			return why("invalid scope %s", scope);
	return NULL;
}

static const char *
check_hooks(const char *key, const json_t *all)
{
	static const char *const kinds[] = { "new", "existing", NULL };
	const char *id, *url = "", *secret = "";
	json_t *h, *events = NULL, *e;
	json_int_t created;
	size_t i;
	int active;

	(void)key;
	json_object_foreach((json_t *)all, id, h) {
		if (!name_hex_ok(id, 16) ||
		    json_unpack(h, "{s:s, s:o, s:s, s:b, s:I}", "url", &url,
		    "events", &events, "secret", &secret, "active", &active,
		    "created", &created) || !json_is_array(events))
			return why("webhook %.32s: bad id, url, events, secret, "
			    "active or created", id);
		json_array_foreach(events, i, e)
			if (!json_is_string(e) ||
			    !one_of(json_string_value(e), kinds))
				return why("webhook %s: events must be new or "
				    "existing", id);
	}
	return NULL;
}

static const char *
check_hist(const char *key, const json_t *list)
{
	json_int_t t, status;
	json_t *a;
	size_t i;

	(void)key;
	json_array_foreach((json_t *)list, i, a)
		if (json_unpack(a, "{s:I, s:I}", "time", &t, "status",
		    &status))
			return why("attempt %zu: time or status missing", i);
	return NULL;
}

/* stats:deliver, dindex-deliver's counters (drain.c) */
static const char *
check_stats(const char *name, const json_t *s)
{
	json_int_t n, failed, last;
	const char *result;

	if (strcmp(name, "deliver") != 0)
		return "unknown counters";
	if (json_unpack((json_t *)s, "{s:I, s:I, s:I, s:s}", "attempts", &n,
	    "failed", &failed, "last_at", &last, "result", &result) ||
	    n < failed || failed < 0)
		return "attempts, failed, last_at or result missing or wrong";
	return NULL;
}

const char *
record_str(const json_t *rec, const char *key)
{
	const char *s = json_string_value(json_object_get(rec, key));

	return s != NULL ? s : "";
}

static const char *(*const checks[])(const char *, const json_t *) = {
	[STORE_USER] = check_user, [STORE_REPO] = check_repo,
	[STORE_TOKEN] = check_token, [STORE_REFRESH] = check_refresh,
	[STORE_HOOKS] = check_hooks, [STORE_HIST] = check_hist,
	[STORE_ATOK] = check_atok, [STORE_STATS] = check_stats,
	[STORE_TEAM] = check_team, [STORE_SESSION] = check_session,
};

const char *
record_check(const char *key, const json_t *v)
{
	const char *name;
	int kind = store_kind(key, &name);

	if (kind == -1 || kind == STORE_SEARCH)
		return "unknown record type";
	if (v == NULL || json_is_null(v))
		return "does not parse as JSON";
	if (kind == STORE_HIST)
		return json_is_array(v) ? checks[kind](name, v) : "not a list";
	return json_is_object(v) ? checks[kind](name, v) : "not an object";
}

static int
exists(const json_t *all, enum store_kind kind, const char *name)
{
	char key[LIM_KEY];

	return name[0] != '\0' && store_key(key, kind, name) == 0 &&
	    json_object_get(all, key) != NULL;
}

const char *
record_check_refs(const char *key, const json_t *v, const json_t *all)
{
	const char *user = record_str(v, "user"), *repo = record_str(v, "repo");
	int kind = store_kind(key, NULL);
	int of = kind == STORE_USER ? STORE_TEAM : STORE_USER;
	json_t *names = json_object_get(v, of == STORE_TEAM ? "teams" :
	    "owners"), *t;
	const char *n;

	/* a user's teams, a team's owners */
	if (kind != STORE_USER && kind != STORE_TEAM)
		names = NULL;
	json_object_foreach(names, n, t)
		if (!exists(all, of, n))
			return why("%s '%s' does not exist", of == STORE_TEAM ?
			    "team" : "user", n);
	if (kind != STORE_TOKEN && kind != STORE_REFRESH && kind != STORE_ATOK &&
	    kind != STORE_SESSION)
		return NULL;
	if (!exists(all, STORE_USER, user))
		return why("user '%s' does not exist", user);
	if (kind == STORE_TOKEN && !exists(all, STORE_REPO, repo))
		return why("repository '%s' does not exist", repo);
	return NULL;
}
