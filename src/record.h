/*
 * record: what a valid record of each key type is (the schema in
 * store.c). One definition: store_put refuses what it rejects, so no
 * front end can write a bad record; dindexctl load refuses a dump that
 * holds one; dindexctl check reports them. Pure functions.
 */
#ifndef RECORD_H
#define RECORD_H

#include <jansson.h>

/* The string field key of a record, "" when absent or not a string. */
const char *record_str(const json_t *rec, const char *key);
/* What is wrong with val as the record under key, or NULL when it is
 * valid. The text is static, overwritten by the next call. */
const char *record_check(const char *key, const json_t *val);
/* What is wrong with the record under key given every record (all:
 * key -> value): the user or repository a credential names must exist.
 * NULL when nothing. */
const char *record_check_refs(const char *key, const json_t *val,
	    const json_t *all);

#endif
