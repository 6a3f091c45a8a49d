/*
 * refresh: v2 refresh tokens ("refresh:<hex>" records), made for clients
 * that ask for offline access. One lives while its user's credential
 * stamp is the one it was issued under (account_cred_ok), it names this
 * service, and it was used within refresh_ttl; a user holds at most
 * LIM_REFRESH_USER, the oldest revoked first. Each carries a short id so
 * an operator can list and revoke one without seeing the secret.
 */
#ifndef REFRESH_H
#define REFRESH_H

#include <jansson.h>

#include "config.h"
#include "lim.h"

/* Issue one for user (the record read at login) into tok (LIM_SIG + 1).
 * 0 ok, 1 the user's stamp changed since that read (a password change
 * raced the login: nothing is issued), -1 error. */
int	refresh_issue(const struct config *, const json_t *user,
	    char tok[LIM_SIG + 1]);
/* Check tok. 0 good (*user the record, new reference), 1 dead or
 * unknown, -1 store failure. Records the use (at most once per
 * LIM_REFRESH_TOUCH seconds, so a busy client does not write each time). */
int	refresh_use(const struct config *, const char *tok, json_t **user);
/* The user's refresh tokens without secrets: [{id, service, created,
 * used}], oldest first. NULL on error. */
json_t	*refresh_list(const struct config *, const char *user);
/* Revoke the user's refresh token id. 0 done, 1 no such, -1 error. */
int	refresh_revoke(const struct config *, const char *user,
	    const char *id);
/* In a write transaction: delete those unused for refresh_ttl. */
struct store;
int	refresh_gc(struct store *, const struct config *);

#endif
