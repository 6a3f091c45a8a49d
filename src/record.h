/* record: what a valid record of each key type is; store_put refuses any
 * other, load a dump holding one, check reports them. Pure functions. */
#ifndef RECORD_H
#define RECORD_H

#include <jansson.h>

/* The string field key of a record, "" when absent or not a string. */
const char *record_str(const json_t *rec, const char *key);
/* What is wrong with val as the record under key, NULL when it is valid.
 * The text is static, overwritten by the next call. */
const char *record_check(const char *key, const json_t *val);
/* What is wrong with a valid record given every record (all: key ->
 * value): the user or repository a credential names must exist. */
const char *record_check_refs(const char *key, const json_t *val,
	    const json_t *all);

#endif
