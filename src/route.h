/*
 * route: the routing table and what every handler gets. A handler returns
 * the HTTP status; when it is >= 400 and the handler set no body, the
 * router sends {"error": <reason>}.
 */
#ifndef ROUTE_H
#define ROUTE_H

#include <stddef.h>

#include <jansson.h>

#include "config.h"
#include "http.h"
#include "lim.h"

struct ctx {
	const struct config	*cfg;
	struct http_req		*req;
	struct http_resp	*resp;
	const char		*arg[LIM_SEGMENTS];	/* '*' segments matched */
	size_t			 narg;
	char			 user[LIM_USER + 1];	/* authenticated */
	char			 cred[24];	/* their stamp (account.h) */
	char			 atok[24];	/* "" or their access token */
	char			 login[LIM_USER + 1];	/* a refused name */
	char			 repo[LIM_NAME + 1];	/* for the log */
	int			 local;	/* dindexctl, as the host's admin */
};

enum {
	R_GET = 1 << HTTP_GET,
	R_POST = 1 << HTTP_POST,
	R_PUT = 1 << HTTP_PUT,
	R_DELETE = 1 << HTTP_DELETE
};

enum route_slash {
	R_ANY,		/* one trailing '/' is insignificant */
	R_NOSLASH,	/* matches only without a trailing '/' */
	R_SLASH		/* matches only with a trailing '/' */
};

struct route {
	int		 methods;	/* R_* bits; HEAD goes with GET */
	const char	*pattern;	/* "/users/ * /admin" sans blanks: '*'
					 * a segment, a last "**" one or more */
	enum route_slash slash;
	int		(*fn)(struct ctx *);
};

/* Tables of the route modules, each ended by an entry with fn NULL. */
extern const struct route route_v1_table[];
extern const struct route route_admin_table[];
extern const struct route route_v2_table[];
extern const struct route route_hooks_table[];
extern const struct route route_ui_table[];

/* Find the handler for ctx->req and run it; fills ctx->resp. */
void	route_dispatch(struct ctx *);

/* Set a JSON body (the reference stolen) or an error body; return status. */
int	route_json(struct ctx *, int status, json_t *body);
int	route_error(struct ctx *, int status, const char *msg);
/* Answer a result (result.h): its status, an error body unless RES_OK. */
int	route_result(struct ctx *, int result);

/* Authenticate the caller by HTTP Basic: 0 with *user the record (NULL:
 * no Authorization, anonymous), or 401 bad or non-Basic, 403 disabled,
 * 503 store failure. Sets ctx->user. */
int	route_basic(struct ctx *, json_t **user);
/* route_basic, or a console session ("Authorization: Bearer <session>",
 * ui.c) as that user: 401 for a bad or dead one. */
int	route_caller(struct ctx *, json_t **user);
/* The user of console session tok[0..len) (ui.c): 0 with *user, 1
 * unknown, expired, dead or admin_api off, -1 store failure. */
int	ui_session_user(const struct config *, const char *tok, size_t len,
	    json_t **user);
/* What the caller (route_caller, or anonymous) may do to ns/repo with the
 * public grants ("user:*"): 0 with *bits (acl.h) and *user (the record,
 * NULL for anonymous; the caller frees it), or the status to answer. */
int	route_access(struct ctx *, const char *ns, const char *repo,
	    int *bits, json_t **user);

#endif
