/*
 * fuzz_body: request bodies. The first byte picks the Content-Type; the
 * rest goes through body_object() (JSON or form, as the management API
 * reads it), through the image-list checks and merge of a v1 push, and
 * through the v2 scope parser. Traps when a checked list is merged into
 * something repo_images() cannot list.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "body.h"
#include "http.h"
#include "jwt.h"
#include "repo.h"

static const char *types[] = { NULL, "application/json",
    "application/x-www-form-urlencoded", "text/plain" };

static void
fuzz_object(const char *type, const char *data, size_t size)
{
	static struct http_req req;
	json_t *obj = NULL;

	memset(&req, 0, sizeof(req));
	if (type != NULL) {
		req.hdr[0].name = "Content-Type";
		req.hdr[0].name_len = strlen("Content-Type");
		req.hdr[0].val = type;
		req.hdr[0].val_len = strlen(type);
		req.nhdr = 1;
	}
	if ((req.body = malloc(size + 1)) == NULL)
		return;
	memcpy(req.body, data, size);
	req.body[size] = '\0';
	req.body_len = size;
	req.content_length = (long long)size;
	if (body_object(&req, &obj) == 0 && !json_is_object(obj))
		__builtin_trap();
	json_decref(obj);
	free(req.body);
}

static void
fuzz_push(const char *data, size_t size)
{
	json_error_t err;
	json_t *list, *rec, *images;

	list = json_loadb(data, size, JSON_REJECT_DUPLICATES, &err);
	if (list == NULL || repo_list_check(list) != NULL) {
		json_decref(list);
		return;
	}
	rec = repo_new("fuzz");
	if (rec != NULL && repo_merge(rec, list) == 0 &&
	    repo_complete(rec) != -1) {
		if ((images = repo_images(rec, NULL, NULL)) == NULL)
			__builtin_trap();
		json_decref(images);
	}
	json_decref(rec);
	json_decref(list);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct scope_set set;
	json_t *access;

	if (size == 0)
		return 0;
	fuzz_object(types[data[0] % 4], (const char *)data + 1, size - 1);
	fuzz_push((const char *)data + 1, size - 1);
	memset(&set, 0, sizeof(set));
	if (scope_parse((const char *)data + 1, size - 1, &set) == 0) {
		if (set.n > LIM_SCOPES || (access = scope_access(&set)) == NULL)
			__builtin_trap();
		json_decref(access);
	}
	return 0;
}
