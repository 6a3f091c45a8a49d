/*
 * acl: who may do what to a repository; pure logic over user records.
 * Grants, a user's and each team's (a login carries them as "via_teams"
 * {team: perms}, account.h): "perms": {"ns"|"ns/repo": access}, access
 * read (pull), write (push only) or admin (pull, push, delete). The most
 * specific entry among the user's own and their teams' wins, entries
 * equally specific add up. With own_namespace a user has an implicit
 * "ns": admin on the namespace of their name unless an entry of their own
 * names it; the admin flag allows everything; a disabled user nothing.
 * The grants of the pseudo-user "*" are everyone's, anonymous included,
 * added to the caller's own. A login by access token (atok.h) carries its
 * scopes as "via_token" {"*"|ns|ns/repo: access}: the user's own rights
 * narrowed to its most specific entry, the public grants as for anyone.
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
/* What user (NULL: anonymous) may do to ns/repo; public: "*" or NULL. */
int	acl_allows(const json_t *user, const json_t *public, const char *ns,
	    const char *repo, int own_namespace);
/* Whether user may manage the grants on ns[/repo] (repo "": the namespace)
 * and, with access, grant that, by their own and their teams' rights (not
 * the public's): 0 yes, else what is missing. */
enum { ACL_NOT_NS_ADMIN = 1, ACL_NOT_HELD };
int	acl_may_grant(const json_t *user, const char *ns, const char *repo,
	    const char *access, int own_namespace);
/* Whether user may manage the members and owners of team (its record):
 * an administrator, or an enabled owner logged in by password. */
int	acl_team_owner(const json_t *user, const json_t *team);
/* An enabled administrator; by token, only with admin on "*". */
int	acl_admin(const json_t *user);
/* Whether user may manage account name (its password, its access
 * tokens): an administrator, or name itself logged in by password. */
int	acl_account(const json_t *user, const char *name);

#endif
