/*
 * result: the one table of statuses and messages of enum result.
 */
#include "lim.h"
#include "result.h"

#define STR(x)	XSTR(x)
#define XSTR(x)	#x

static const struct {
	int		 status;
	const char	*msg;
} results[RES_COUNT] = {
	[RES_OK] = { 200, "done" },
	[RES_NOUSER] = { 404, "no such user" },
	[RES_EXISTS] = { 409, "user exists" },
	[RES_NOGRANT] = { 404, "no such permission" },
	[RES_LAST] = { 409, "refused: that is the last enabled administrator" },
	[RES_BADNAME] = { 400, "invalid user name (" STR(LIM_USER_MIN) " to "
	    STR(LIM_USER) " of a-z, 0-9 and _)" },
	[RES_BADPASS] = { 400, "password must be " STR(LIM_PASSWORD_MIN)
	    " to " STR(LIM_PASSWORD) " characters, not starting dxt_" },
	[RES_BADEMAIL] = { 400, "invalid e-mail address" },
	[RES_BADSCOPE] = { 400, "invalid scope (namespace or "
	    "namespace/repository)" },
	[RES_BADACCESS] = { 400, "access must be read, write or admin" },
	[RES_RESERVED] = { 400, "that name is reserved" },
	[RES_HASREPOS] = { 409, "refused: the user's namespace holds "
	    "repositories (remove them first, or a new account of that name "
	    "would own them)" },
	[RES_NOHOOK] = { 404, "no such webhook" },
	[RES_HOOKEXISTS] = { 409, "that URL has a webhook already" },
	[RES_BADHOOK] = { 400, "url must be http(s), events a subset of new, "
	    "existing, secret a string" },
	[RES_HOOKFULL] = { 409, "too many webhooks" },
	[RES_HOOKREFUSED] = { 400, "url is a loopback, private or link-local "
	    "address not in webhook_allow_networks" },
	[RES_QUOTA] = { 429, "too many pings waiting for delivery; try again "
	    "later" },
	[RES_NOATOK] = { 404, "no such access token" },
	[RES_ATOKEXISTS] = { 409, "the user has an access token of that name" },
	[RES_ATOKFULL] = { 409, "too many access tokens (at most "
	    STR(LIM_ATOK_USER) " a user)" },
	[RES_BADATOK] = { 400, "an access token needs a name (1 to "
	    STR(LIM_ATOK_NAME) " of A-Z, a-z, 0-9, _, ., -), scopes (a list of 1 "
	    "to " STR(LIM_ATOK_SCOPES) " \"SCOPE:RIGHT\", SCOPE *, ns or "
	    "ns/repo, each once; RIGHT read, write or admin) and may have "
	    "expires_days (1 to access_token_max_days)" },
	[RES_BADTEAM] = { 400, "invalid team name (2 to " STR(LIM_TEAM)
	    " of a-z, 0-9, _ and -)" },
	[RES_NOTEAM] = { 404, "no such team" },
	[RES_TEAMEXISTS] = { 409, "team exists" },
	[RES_TEAMFULL] = { 409, "too many (at most " STR(LIM_TEAMS_USER)
	    " teams a user, " STR(LIM_TEAM_OWNERS) " owners a team)" },
	[RES_NOMEMBER] = { 404, "not in that team" },
	[RES_NOTOWNER] = { 403, "an owner of the team or an administrator "
	    "required" },
	[RES_STALE] = { 401, "credentials changed meanwhile" },
};

int
result_status(int r)
{
	return r >= 0 && r < RES_COUNT ? results[r].status : 503;
}

const char *
result_msg(int r)
{
	return r >= 0 && r < RES_COUNT ? results[r].msg :
	    "database unavailable";
}
