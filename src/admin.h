/*
 * admin: user administration, shared by the management API and dindexctl
 * so both enforce the same rules. Each call is one store transaction;
 * RES_OK means it is on disk.
 */
#ifndef ADMIN_H
#define ADMIN_H

#include <jansson.h>

#include "config.h"
#include "result.h"
#include "store.h"

enum admin_op {
	ADMIN_ENABLE,
	ADMIN_DISABLE,	/* also revokes the user's credentials */
	ADMIN_PROMOTE,
	ADMIN_DEMOTE,
	ADMIN_DELETE,	/* refused while the user's namespace has repos */
	ADMIN_GRANT,	/* a = scope, b = read|write|admin */
	ADMIN_REVOKE,	/* a = scope */
	ADMIN_PASSWD	/* a = hash, b = e-mail (NULL: kept); a hash revokes */
};

/* Create a user; on RES_OK *out is the record without hash. */
/* Whether namespace ns holds a repository or, with grants, whether a
 * user or team holds a grant in it: 1, 0, -1 store failure. */
int	admin_ns_used(struct store *, const char *ns, int grants);
int	admin_add(const struct config *, const char *name, const char *pass,
	    const char *email, int admin, int enabled, json_t **out);
/* Whether scope and access (NULL: not asked) make a grant: RES_OK,
 * RES_BADSCOPE or RES_BADACCESS. */
int	admin_grant_check(const char *scope, const char *access);
/* Apply op to user name ("*" only for GRANT, which creates it, and
 * REVOKE). On RES_OK *out is the record without hash (NULL: deleted). */
int	admin_user(const struct config *, enum admin_op, const char *name,
	    const char *a, const char *b, json_t **out);
/* A user record without hash; "*" when public is set (empty if none). */
int	admin_get(const struct config *, const char *name, int public,
	    json_t **out);
/* Every record under prefix, keyed by the rest of the key (null for one
 * that does not parse), in one read transaction. */
int	admin_collect(const struct config *, const char *prefix, json_t **out);
/* Every user record but "*", without hashes: an object by name. */
int	admin_list(const struct config *, json_t **out);

enum team_op {
	TEAM_ADD, TEAM_DELETE,	/* a deleted team's grants go with it */
	TEAM_GRANT,		/* a = scope, b = read|write|admin */
	TEAM_REVOKE,		/* a = scope */
	TEAM_OWNER_ADD, TEAM_OWNER_RM,	/* a = user */
	TEAM_MEMBER_ADD, TEAM_MEMBER_RM	/* a = user */
};
/* Apply op to team; with caller, only if caller owns it (acl.h). */
int	admin_team(const struct config *, enum team_op, const json_t *caller,
	    const char *team, const char *a, const char *b);
/* The team's record and its "members" (sorted names). */
int	admin_team_get(const struct config *, const char *team, json_t **out);
/* Who holds what at or below ns (repo "") or on ns/repo: rows {"who"
 * (a user, "*" or "team:<t>"), "right", "scope", "through" ("grant",
 * "team:<t>" or "administrator")}, users first, sorted. */
int	admin_who(const struct config *, const char *ns, const char *repo,
	    json_t **out);

/* For store_purge: the record's "user" is the name arg. */
int	admin_of_user(const char *key, json_t *val, void *name);
/* Enabled with the admin flag: what "always an administrator" counts. */
int	admin_enabled_admin(const json_t *u);
/* In the write transaction st, remove repository name: its record,
 * webhooks, their history (leftovers included) and tokens; grants and
 * queued deliveries stay. How many records went, or -1 on error. */
int	admin_repo_remove(struct store *, const char *name);
/* The keys of obj, sorted, as a new array of strings. */
json_t	*admin_keys(json_t *obj);

#endif
