/*
 * drain: what dindex-deliver does: every due delivery of the spool,
 * attempted once.
 */
#ifndef DRAIN_H
#define DRAIN_H

#include "config.h"

/* Attempt every delivery in new/ and every due one in deferred/.
 * 0 when the spool could be worked, -1 on a spool or store failure. */
int	drain_spool(const struct config *);

#endif
