/*
 * result: what the rules of admin.c and hook.c answer, and each one's HTTP
 * status and message: the management API answers {"error": message};
 * dindexctl, running those handlers in-process, exits 0 on a 2xx, else 1.
 */
#ifndef RESULT_H
#define RESULT_H

enum result {
	RES_OK = 0,
	RES_NOUSER,
	RES_EXISTS,
	RES_NOGRANT,
	RES_LAST,
	RES_BADNAME,
	RES_BADPASS,
	RES_BADEMAIL,
	RES_BADSCOPE,
	RES_BADACCESS,
	RES_RESERVED,
	RES_HASREPOS,
	RES_NOHOOK,
	RES_HOOKEXISTS,
	RES_BADHOOK,
	RES_HOOKFULL,
	RES_HOOKREFUSED,
	RES_QUOTA,
	RES_NOATOK,
	RES_ATOKEXISTS,
	RES_ATOKFULL,
	RES_BADATOK,
	RES_BADTEAM,
	RES_NOTEAM,
	RES_TEAMEXISTS,
	RES_TEAMFULL,
	RES_NOMEMBER,
	RES_NOTOWNER,
	RES_STALE,
	RES_COUNT,
	RES_ERROR = -1		/* store or spool failure (logged) */
};

/* The HTTP status (503 for RES_ERROR and unknown ones) and message. */
int	result_status(int);
const char *result_msg(int);

#endif
