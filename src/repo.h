/*
 * repo: repository records ("repo:<ns>/<repo>") and the image lists that
 * push and pull carry. Pure functions over JSON; no store, no HTTP.
 */
#ifndef REPO_H
#define REPO_H

#include <jansson.h>

/* Check a request's image list: an array of at most LIM_IMAGES objects,
 * each with a valid "id", an optional "checksum" string and an optional
 * "Tag". NULL when good, else what is wrong. */
const char *repo_list_check(const json_t *list);
/* A new, empty record pushed by pusher. */
json_t	*repo_new(const char *pusher);
/* Merge a checked list into rec: no id is dropped, a known checksum is
 * kept, Tags wait in "pending" for repo_complete. 0, 1 when rec would
 * hold more than LIM_IMAGES ids (rec is not to be stored), or -1. */
int	 repo_merge(json_t *rec, const json_t *list);
/* Pending tags take effect (the last for a tag wins), state "complete".
 * 1 when a tag is new or moved (event "new"), 0 if not ("existing"), -1. */
int	 repo_complete(json_t *rec);
/* The list a pull returns: [{"id", "checksum"?}], never an object; only
 * the ids keep(id, arg) accepts (id NULL: a record without), or all when
 * keep is NULL. */
json_t	*repo_images(const json_t *rec, int (*keep)(const char *id,
	    const void *arg), const void *arg);
int	 repo_has_image(const json_t *rec, const char *id);

#endif
