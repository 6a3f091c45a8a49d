/*
 * drain: what dindex-deliver does: attempt every delivery in new/ and
 * every due one in deferred/, once. Linked only into dindex-deliver.
 */
#ifndef DRAIN_H
#define DRAIN_H

#include "config.h"

/* 0 when the spool could be worked, -1 on a spool or store failure. */
int	drain_spool(const struct config *);

#endif
