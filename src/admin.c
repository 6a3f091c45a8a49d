/*
 * admin: users and teams. Invariants kept here: there is always an
 * enabled administrator; a disabled or deleted user has no credentials
 * left ("token:", "refresh:", "atok:", "session:" records naming them);
 * "*" (the public pseudo-user) only holds grants. Who is in a team is the
 * "teams" set of each member's user record and nowhere else, so a login
 * reads it with the user. A deleted user leaves every team's owners, a
 * deleted team every user's teams.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "account.h"
#include "acl.h"
#include "admin.h"
#include "lim.h"
#include "names.h"
#include "record.h"

/* What each operation does besides its own change of the record. */
static const struct {
	const char	*flag;		/* the boolean field it sets, or NULL */
	int		 on;
	int		 guard;		/* refused for the last enabled admin */
	int		 revoke;	/* every credential of the user dies */
	int		 public;	/* allowed on "*" */
} ops[] = {
	[ADMIN_ENABLE] = { "enabled", 1, 0, 0, 0 },
	[ADMIN_DISABLE] = { "enabled", 0, 1, 1, 0 },
	[ADMIN_PROMOTE] = { "admin", 1, 0, 0, 0 },
	[ADMIN_DEMOTE] = { "admin", 0, 1, 0, 0 },
	[ADMIN_DELETE] = { NULL, 0, 1, 1, 0 },
	[ADMIN_GRANT] = { NULL, 0, 0, 0, 1 },
	[ADMIN_REVOKE] = { NULL, 0, 0, 0, 1 },
	[ADMIN_PASSWD] = { NULL, 0, 0, 0, 0 },	/* revokes with a hash */
};

int
admin_of_user(const char *key, json_t *val, void *name)
{
	(void)key;
	return strcmp(record_str(val, "user"), name) == 0;
}

static int
of_repo(const char *key, json_t *val, void *name)
{
	(void)key;
	return strcmp(record_str(val, "repo"), name) == 0;
}

/* A key with no '/' past the prefix arg: not a nested name's. */
static int
leaf(const char *key, json_t *val, void *prefix)
{
	(void)val;
	return strchr(key + strlen(prefix), '/') == NULL;
}

/* 1 deleted, 0 absent, -1 error. */
static int
del_one(struct store *st, const char *prefix, const char *name)
{
	char key[LIM_KEY];
	int rc;

	snprintf(key, sizeof(key), "%s%s", prefix, name);
	rc = store_del(st, key);
	return rc == 0 ? 1 : rc == 1 ? 0 : -1;
}

int
admin_repo_remove(struct store *st, const char *name)
{
	char hist[LIM_KEY];
	int n[4];

	/* hist:<name>/<id> only: a nested name's history is not ours */
	snprintf(hist, sizeof(hist), "hist:%s/", name);
	n[0] = del_one(st, "repo:", name);
	n[1] = del_one(st, "hooks:", name);
	n[2] = store_purge(st, hist, leaf, hist);
	n[3] = store_purge(st, "token:", of_repo, (void *)name);
	return n[0] < 0 || n[1] < 0 || n[2] < 0 || n[3] < 0 ? -1 :
	    n[0] + n[1] + n[2] + n[3];
}

int
admin_enabled_admin(const json_t *u)
{
	return json_is_true(json_object_get(u, "enabled")) &&
	    json_is_true(json_object_get(u, "admin"));
}

static int
other_admin(const char *key, json_t *val, void *arg)
{
	return val != NULL && admin_enabled_admin(val) &&
	    strcmp(key + strlen("user:"), arg) != 0;
}

/* Every credential of the user dies: a new stamp (what was issued in
 * flight under the old one is refused on use) and the records go. */
static int
revoke_credentials(struct store *st, json_t *u, const char *name)
{
	return account_restamp(u) == 0 &&
	    store_purge(st, "token:", admin_of_user, (void *)name) >= 0 &&
	    store_purge(st, "refresh:", admin_of_user, (void *)name) >= 0 &&
	    store_purge(st, "atok:", admin_of_user, (void *)name) >= 0 &&
	    store_purge(st, "session:", admin_of_user, (void *)name) >= 0 ?
	    0 : -1;
}

/* Add name to (at most max) or remove it from the set field of rec. */
static int
toggle(json_t *rec, const char *field, const char *name, int add, size_t max)
{
	json_t *set = json_object_get(rec, field);

	/* rec may be a damaged record, not an object (store_each's null) */
	if (!json_is_object(set) && (!add || json_object_set_new(rec, field,
	    set = json_object()) == -1))
		return add ? RES_ERROR : RES_NOMEMBER;
	if (!add)
		return json_object_del(set, name) ? RES_NOMEMBER : RES_OK;
	if (json_object_size(set) >= max && !json_object_get(set, name))
		return RES_TEAMFULL;
	return json_object_set_new(set, name, json_true()) ? RES_ERROR : RES_OK;
}

struct collect {
	size_t	 skip;		/* of each key: the prefix length, or 0 */
	json_t	*all;
};

static int
collect(const char *key, json_t *val, void *arg)
{
	struct collect *c = arg;

	return json_object_set(c->all, key + c->skip, val ? val : json_null());
}

/* In st: name leaves the list field of every record under prefix. */
static int
strip(struct store *st, const char *prefix, const char *field,
    const char *name)
{
	struct collect c = { 0, json_object() };	/* by whole key */
	const char *key;
	json_t *rec;
	int rc = c.all && store_each(st, prefix, collect, &c) == 0 ? 0 : -1;

	json_object_foreach(c.all, key, rec)
		if (rc == 0 && toggle(rec, field, name, 0, 0) == RES_OK &&
		    store_put(st, key, rec) == -1)
			rc = -1;
	json_decref(c.all);
	return rc;
}

struct user_op {
	enum admin_op	 op;
	const char	*name, *a, *b;
	json_t		*u;	/* the record stored */
};

/* store_update of admin_user: the checks that need the store, then the
 * change of the record; "*" is created by its first grant. */
static int
user_op(struct store *st, json_t **u, void *arg)
{
	struct user_op *o = arg;
	json_t *perms;
	int rc;

	if (*u == NULL && o->op == ADMIN_GRANT && strcmp(o->name, "*") == 0 &&
	    (*u = json_pack("{s:s, s:{}}", "name", "*", "perms")) == NULL)
		return RES_ERROR;
	if (*u == NULL)
		return RES_NOUSER;
	if (!json_is_object(*u))	/* damaged outside dindex */
		return RES_ERROR;
	if (ops[o->op].guard && admin_enabled_admin(*u) &&
	    (rc = store_each(st, "user:", other_admin, (void *)o->name)) != 1)
		return rc == -1 ? RES_ERROR : RES_LAST;
	if (o->op == ADMIN_DELETE) {
		if ((rc = admin_ns_used(st, o->name, 0)) != 0)
			return rc == 1 ? RES_HASREPOS : RES_ERROR;
		if (strip(st, "team:", "owners", o->name) == -1)
			return RES_ERROR;
	}
	perms = json_object_get(*u, "perms");
	if (ops[o->op].flag != NULL)
		json_object_set_new(*u, ops[o->op].flag,
		    json_boolean(ops[o->op].on));
	if (o->op == ADMIN_GRANT)
		json_object_set_new(perms, o->a, json_string(o->b));
	if (o->op == ADMIN_REVOKE && json_object_del(perms, o->a) == -1)
		return RES_NOGRANT;
	if (o->op == ADMIN_PASSWD && o->b != NULL)
		json_object_set_new(*u, "email", json_string(o->b));
	if (o->op == ADMIN_PASSWD && o->a != NULL)
		json_object_set_new(*u, "hash", json_string(o->a));
	/* credentials die with the account, its enabled state or its
	 * password, however the password changes (v1, API, dindexctl) */
	if ((ops[o->op].revoke || (o->op == ADMIN_PASSWD && o->a != NULL)) &&
	    revoke_credentials(st, *u, o->name) == -1)
		return RES_ERROR;
	if (o->op == ADMIN_DELETE) {
		json_decref(*u);
		*u = NULL;
	}
	o->u = json_incref(*u);
	return RES_OK;
}

/* Hand u out without its hash (*out), or drop it. */
static int
hand_out(int rc, json_t *u, json_t **out)
{
	if (rc == RES_OK && u != NULL) {
		json_object_del(u, "hash");
		*out = u;
	} else
		json_decref(u);
	return rc;
}

int
admin_grant_check(const char *scope, const char *access)
{
	char ns[LIM_NS + 1], repo[LIM_NAME + 1];

	if (!name_scope_split(scope, ns, repo))
		return RES_BADSCOPE;
	return access != NULL && acl_bits(access) == -1 ? RES_BADACCESS :
	    RES_OK;
}

int
admin_user(const struct config *cfg, enum admin_op op, const char *name,
    const char *a, const char *b, json_t **out)
{
	struct user_op o = { op, name, a, b, NULL };
	char key[LIM_KEY];
	int rc;

	*out = NULL;
	if (!name_user_ok(name) && !(ops[op].public && strcmp(name, "*") == 0))
		return RES_BADNAME;
	if (op == ADMIN_PASSWD && b != NULL && b[0] != '\0' &&
	    !name_email_ok(b))
		return RES_BADEMAIL;
	if (op == ADMIN_GRANT && (rc = admin_grant_check(a, b ? b : "")))
		return rc;
	store_key(key, STORE_USER, name);
	rc = store_update(cfg->database, key, user_op, &o);
	return hand_out(rc, o.u, out);
}

/* store_update of admin_add: arg is the new record. */
static int
add_new(struct store *st, json_t **old, void *arg)
{
	(void)st;
	if (*old != NULL)
		return RES_EXISTS;
	*old = json_incref(arg);
	return RES_OK;
}

/* store_each: whether record val grants anything in namespace arg. */
static int
grants_in(const char *key, json_t *val, void *arg)
{
	const char *ns = arg, *scope;
	size_t n = strlen(ns);
	json_t *v;

	(void)key;
	json_object_foreach(json_object_get(val, "perms"), scope, v)
		if (strncmp(scope, ns, n) == 0 && (scope[n] == '\0' ||
		    scope[n] == '/'))
			return 1;
	return 0;
}

int
admin_ns_used(struct store *st, const char *ns, int grants)
{
	char prefix[LIM_KEY];
	int rc;

	snprintf(prefix, sizeof(prefix), "repo:%s/", ns);
	if ((rc = store_has(st, prefix)) != 0 || !grants ||
	    (rc = store_each(st, "user:", grants_in, (void *)ns)) != 0)
		return rc;
	return store_each(st, "team:", grants_in, (void *)ns);
}

int
admin_add(const struct config *cfg, const char *name, const char *pass,
    const char *email, int admin, int enabled, json_t **out)
{
	json_t *u;
	char key[LIM_KEY];

	*out = NULL;
	if (!name_user_ok(name))
		return RES_BADNAME;
	if (name_reserved(name))
		return RES_RESERVED;
	if (!name_password_ok(pass))
		return RES_BADPASS;
	if (email[0] != '\0' && !name_email_ok(email))
		return RES_BADEMAIL;
	/* scrypt runs before the lock is taken */
	if ((u = account_new(cfg, name, pass, email, enabled, admin)) == NULL)
		return RES_ERROR;
	store_key(key, STORE_USER, name);
	return hand_out(store_update(cfg->database, key, add_new, u), u, out);
}

int
admin_get(const struct config *cfg, const char *name, int public, json_t **out)
{
	char key[LIM_KEY];
	int rc, pub = public && strcmp(name, "*") == 0;

	*out = NULL;
	if (!pub && !name_user_ok(name))
		return RES_BADNAME;
	store_key(key, STORE_USER, name);
	rc = store_fetch(cfg->database, key, out);
	if (rc == 1 && pub)
		rc = (*out = json_pack("{s:s, s:{}}", "name", "*", "perms")) ?
		    0 : -1;
	if (rc == 0 && !json_is_object(*out)) {	/* damaged outside dindex */
		json_decref(*out);
		*out = NULL;
		rc = -1;
	}
	if (rc != 0)
		return rc == 1 ? RES_NOUSER : RES_ERROR;
	json_object_del(*out, "hash");
	return RES_OK;
}

int
admin_collect(const struct config *cfg, const char *prefix, json_t **out)
{
	struct collect c = { strlen(prefix), json_object() };
	struct store *st;
	int rc = -1;

	if (c.all != NULL && store_open(cfg->database, STORE_READ, &st) == 0) {
		rc = store_each(st, prefix, collect, &c);
		store_close(st);
	}
	*out = rc == 0 ? c.all : NULL;
	if (rc != 0)
		json_decref(c.all);
	return rc == 0 ? RES_OK : RES_ERROR;
}

int
admin_list(const struct config *cfg, json_t **out)
{
	const char *k;
	json_t *u;

	if (admin_collect(cfg, "user:", out) != RES_OK)
		return RES_ERROR;
	json_object_del(*out, "*");
	json_object_foreach(*out, k, u) {
		json_object_set_new(u, "legacy", json_boolean(auth_is_legacy(
		    record_str(u, "hash"))));
		json_object_del(u, "hash");
	}
	return RES_OK;
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

json_t *
admin_keys(json_t *obj)
{
	const char **keys = calloc(json_object_size(obj) + 1, sizeof(*keys));
	const char *k;
	json_t *arr = keys != NULL ? json_array() : NULL, *v;
	size_t i, n = 0;

	if (arr != NULL) {
		json_object_foreach(obj, k, v)
			keys[n++] = k;
		qsort(keys, n, sizeof(*keys), cmp_str);
		for (i = 0; i < n; i++)
			json_array_append_new(arr, json_string(keys[i]));
	}
	free(keys);
	return arr;
}

struct team_call {
	enum team_op	 op;
	const json_t	*caller;	/* must own the team; NULL: no check */
	const char	*team, *a, *b;
};

/* store_update of admin_team on "team:<team>"; joining and leaving change
 * the member's record (st) and store the team's unchanged. */
static int
team_change(struct store *st, json_t **t, void *arg)
{
	const struct team_call *o = arg;
	json_t *u = NULL, *perms = json_object_get(*t, "perms");
	int owners = o->op == TEAM_OWNER_ADD || o->op == TEAM_OWNER_RM, rc;
	char key[LIM_KEY];

	if (o->op == TEAM_ADD && *t == NULL)
		return (*t = json_pack("{s:s, s:{}, s:{}, s:I}", "name",
		    o->team, "owners", "perms", "created",
		    (json_int_t)time(NULL))) ? RES_OK : RES_ERROR;
	if (*t == NULL || o->op == TEAM_ADD)
		return *t == NULL ? RES_NOTEAM : RES_TEAMEXISTS;
	if (o->caller != NULL && !acl_team_owner(o->caller, *t))
		return RES_NOTOWNER;
	if (o->op == TEAM_DELETE) {
		json_decref(*t);
		*t = NULL;
		return strip(st, "user:", "teams", o->team) ? RES_ERROR : 0;
	}
	if (o->op == TEAM_GRANT)
		return json_object_set_new(perms, o->a, json_string(o->b)) ?
		    RES_ERROR : RES_OK;
	if (o->op == TEAM_REVOKE)
		return json_object_del(perms, o->a) ? RES_NOGRANT : RES_OK;
	store_key(key, STORE_USER, o->a);
	if ((rc = store_get(st, key, &u)) == 1 && o->op != TEAM_OWNER_RM)
		rc = RES_NOUSER;
	else if (rc == 0 || rc == 1)
		rc = owners ? toggle(*t, "owners", o->a, o->op == TEAM_OWNER_ADD,
		    LIM_TEAM_OWNERS) : toggle(u, "teams", o->team,
		    o->op == TEAM_MEMBER_ADD, LIM_TEAMS_USER);
	if (rc == RES_OK && !owners && store_put(st, key, u) == -1)
		rc = RES_ERROR;
	json_decref(u);
	return rc;
}

int
admin_team(const struct config *cfg, enum team_op op, const json_t *caller,
    const char *team, const char *a, const char *b)
{
	struct team_call o = { op, caller, team, a, b };
	char key[LIM_KEY];
	int rc;

	if (!name_team_ok(team))
		return RES_BADTEAM;
	if (op >= TEAM_OWNER_ADD && !name_user_ok(a))
		return RES_BADNAME;
	if (op == TEAM_GRANT && (rc = admin_grant_check(a, b ? b : "")))
		return rc;
	store_key(key, STORE_TEAM, team);
	return store_update(cfg->database, key, team_change, &o);
}

int
admin_team_get(const struct config *cfg, const char *name, json_t **out)
{
	json_t *users = NULL, *u, *tmp;
	char key[LIM_KEY];
	const char *k;
	int rc;

	*out = NULL;
	if (!name_team_ok(name))
		return RES_BADTEAM;
	store_key(key, STORE_TEAM, name);
	if ((rc = store_fetch(cfg->database, key, out)) != 0 ||
	    admin_collect(cfg, "user:", &users) != RES_OK)
		rc = rc == 1 ? RES_NOTEAM : RES_ERROR;
	json_object_foreach_safe(users, tmp, k, u)
		if (json_object_get(json_object_get(u, "teams"), name) == NULL)
			json_object_del(users, k);
	if (rc == 0 && (json_object_set_new(*out, "members",
	    admin_keys(users)) || json_object_set_new(*out, "owners",
	    admin_keys(json_object_get(*out, "owners")))))
		rc = RES_ERROR;
	json_decref(users);
	if (rc != RES_OK) {
		json_decref(*out);
		*out = NULL;
	}
	return rc;
}

/* Onto out, a row for each grant of perms at or below ns (repo "") or
 * on ns/repo. */
static void
rows(json_t *out, const char *who, const json_t *perms, const char *ns,
    const char *repo, const char *through)
{
	size_t n = strlen(ns);
	const char *s;
	json_t *a;

	json_object_foreach((json_t *)perms, s, a)
		if (strncmp(s, ns, n) == 0 && (s[n] == '\0' || (s[n] == '/' &&
		    (repo[0] == '\0' || strcmp(s + n + 1, repo) == 0))))
			json_array_append_new(out, json_pack("{s:s, s:O, s:s, "
			    "s:s}", "who", who, "right", a, "scope", s,
			    "through", through));
}

int
admin_who(const struct config *cfg, const char *ns, const char *repo,
    json_t **out)
{
	json_t *users = NULL, *teams = NULL, *names, *n, *u, *v;
	char team[LIM_TEAM + 8];
	const char *k, *t;
	size_t i;
	int rc = admin_collect(cfg, "user:", &users);

	if (rc == RES_OK)
		rc = admin_collect(cfg, "team:", &teams);
	*out = json_array();
	names = admin_keys(users);
	json_array_foreach(names, i, n) {
		u = json_object_get(users, k = json_string_value(n));
		if (!json_is_true(json_object_get(u, "enabled")) &&
		    strcmp(k, "*") != 0)
			continue;
		if (json_is_true(json_object_get(u, "admin")))
			json_array_append_new(*out, json_pack("{s:s, s:s, s:s, "
			    "s:s}", "who", k, "right", "admin", "scope", "*",
			    "through", "administrator"));
		rows(*out, k, json_object_get(u, "perms"), ns, repo, "grant");
		json_object_foreach(json_object_get(u, "teams"), t, v) {
			snprintf(team, sizeof(team), "team:%s", t);
			rows(*out, k, json_object_get(json_object_get(teams, t),
			    "perms"), ns, repo, team);
		}
	}
	json_decref(names);
	names = admin_keys(teams);
	json_array_foreach(names, i, n) {
		snprintf(team, sizeof(team), "team:%s", json_string_value(n));
		rows(*out, team, json_object_get(json_object_get(teams,
		    json_string_value(n)), "perms"), ns, repo, "grant");
	}
	json_decref(names);
	json_decref(users);
	json_decref(teams);
	return rc;
}
