/* body: a request body as JSON, whether sent as JSON or as a form. */
#ifndef BODY_H
#define BODY_H

#include <jansson.h>

#include "http.h"

/* Content-Type decides; without one JSON is tried, then a form (an object
 * of strings, the first of repeated keys wins); an empty body is {}. 0 with
 * *out a new object, 400 malformed, not an object or nested deeper than
 * LIM_JSON_DEPTH, 415 another type. */
int	body_object(const struct http_req *, json_t **out);
/* The body as JSON of any type, with the same limits (depth, duplicate
 * keys refused). 0 with *out a new reference, 400 empty or malformed. */
int	body_json(const struct http_req *, json_t **out);
/* A string field of a body object: "" when absent, NULL when present as
 * anything but a string (the caller answers 400). */
const char *body_str(const json_t *body, const char *key);

#endif
