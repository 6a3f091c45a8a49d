/*
 * result: what the rules of admin.c and hook.c answer, and the one table
 * (result.c) of the HTTP status and message of each. The management API
 * answers that status with {"error": message}; dindexctl, which runs
 * those handlers in-process, exits 0 on a 2xx and otherwise 1 with the
 * message. Knows nothing of HTTP but the numbers.
 */
#ifndef RESULT_H
#define RESULT_H

enum result {
	RES_OK = 0,
	RES_NOUSER,
	RES_EXISTS,		/* that user exists */
	RES_NOGRANT,
	RES_LAST,		/* would leave no enabled administrator */
	RES_BADNAME,
	RES_BADPASS,
	RES_BADEMAIL,
	RES_BADSCOPE,
	RES_BADACCESS,
	RES_RESERVED,		/* a reserved name (names.c) */
	RES_HASREPOS,		/* the user's namespace holds repositories */
	RES_NOHOOK,		/* no such webhook */
	RES_HOOKEXISTS,		/* that URL is registered already */
	RES_BADHOOK,		/* bad URL, events or secret */
	RES_HOOKFULL,		/* LIM_HOOKS reached */
	RES_HOOKREFUSED,	/* an address webhook_allow_networks does not
				 * allow */
	RES_QUOTA,		/* LIM_PINGS_REPO or LIM_PINGS_USER queued */
	RES_COUNT,
	RES_ERROR = -1		/* store or spool failure (logged) */
};

/* The HTTP status of a result (503 for RES_ERROR and unknown ones). */
int	result_status(int);
/* One line saying what a result means. */
const char *result_msg(int);

#endif
