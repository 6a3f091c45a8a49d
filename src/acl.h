/*
 * acl: who may do what to a repository. Pure logic over user records
 * (json objects as stored under "user:<name>").
 *
 * Grants are per user and per team: "perms": {"ns": access, "ns/repo":
 * access} with access read (pull), write (push only), admin (pull, push,
 * delete). A login carries the grants of the user's teams as "via_teams"
 * {team: perms} (account.h). The most specific entry among the user's own
 * and all their teams' wins (ns/repo over ns); entries equally specific
 * add up (read and write: pull and push). With own_namespace a user has
 * an implicit "ns": admin on the namespace named after them unless an
 * entry of their own names it; the admin flag allows everything; grants
 * of the pseudo-user "*" apply to everyone, anonymous callers included,
 * and are added to the caller's own. A disabled user may do nothing. A
 * login by access token (atok.h) carries its scopes as "via_token" {"*"|
 * ns|ns/repo: access}: the user's own rights narrowed to them (the most
 * specific entry wins), the public grants as for anyone.
 */
#ifndef ACL_H
#define ACL_H

#include <jansson.h>

enum {
	ACL_PULL = 1 << 0,
	ACL_PUSH = 1 << 1,
	ACL_DELETE = 1 << 2,
	ACL_V2PULL = 1 << 3,	/* every grant: v2 write is pull, push, and a
				 * writer's read token pulls over v2 */
	ACL_ALL = ACL_PULL | ACL_PUSH | ACL_DELETE | ACL_V2PULL
};

/* Access bits of an access word ("read", "write", "admin"); -1 unknown. */
int	acl_bits(const char *access);
/* What user (NULL: anonymous) may do to ns/repo, given the "*" record
 * (NULL when none). */
int	acl_allows(const json_t *user, const json_t *public, const char *ns,
	    const char *repo, int own_namespace);
/* Whether user may manage the grants on scope ns[/repo] (repo "": the
 * namespace) and, with access, grant that: 0 yes, else what is missing.
 * Only the user's own and their teams' rights count, not the public's. */
enum { ACL_NOT_NS_ADMIN = 1, ACL_NOT_HELD };
int	acl_may_grant(const json_t *user, const char *ns, const char *repo,
	    const char *access, int own_namespace);
/* Whether user may manage the members and owners of team (its record):
 * an administrator, or an enabled owner logged in by password. */
int	acl_team_owner(const json_t *user, const json_t *team);
/* Whether user is an enabled administrator: by token only with admin on
 * "*". */
int	acl_admin(const json_t *user);
/* Whether user may manage account name (its password, its access
 * tokens): an administrator, or name itself logged in by password. */
int	acl_account(const json_t *user, const char *name);

#endif
