/*
 * repo: image lists. Merging keeps the order ids were first announced
 * (parents first, as docker sends them) and indexes ids in a hash object,
 * so a 100 000-image list merges in linear time.
 */
#include <string.h>
#include <time.h>

#include "names.h"
#include "repo.h"

const char *
repo_list_check(const json_t *list)
{
	const json_t *e, *sum, *tag;
	const char *id;
	size_t i;

	if (!json_is_array(list))
		return "body must be a JSON list of images";
	if (json_array_size(list) > LIM_IMAGES)
		return "too many images";
	json_array_foreach(list, i, e) {
		sum = tag = NULL;
		if (json_unpack((json_t *)e, "{s:s, s?o, s?o}", "id", &id,
		    "checksum", &sum, "Tag", &tag) == -1 || !name_image_ok(id))
			return "each image needs an id of 64 hex characters";
		if (sum != NULL && !json_is_null(sum) && (!json_is_string(sum)
		    || json_string_length(sum) > LIM_CHECKSUM))
			return "bad checksum";
		if (tag != NULL && !json_is_null(tag) && (!json_is_string(tag)
		    || !name_tag_ok(json_string_value(tag))))
			return "bad tag";
	}
	return NULL;
}

json_t *
repo_new(const char *pusher)
{
	json_int_t now = (json_int_t)time(NULL);

	return json_pack("{s:[], s:{}, s:s, s:I, s:I, s:s}", "images", "tags",
	    "state", "pushing", "created", now, "updated", now, "pusher",
	    pusher);
}

/* A Tag waits in pending so that the event compares tags before and after. */
static int
merge_one(json_t *images, json_t *idx, json_t *pending, const json_t *e)
{
	const char *id = json_string_value(json_object_get(e, "id"));
	const json_t *sum = json_object_get(e, "checksum");
	const json_t *tag = json_object_get(e, "Tag");
	json_t *have = json_object_get(idx, id);

	if (have == NULL && json_array_size(images) >= LIM_IMAGES)
		return 1;
	if (have == NULL && ((have = json_pack("{s:s}", "id", id)) == NULL ||
	    json_array_append_new(images, have) == -1 ||
	    json_object_set(idx, id, have) == -1))
		return -1;
	if (json_is_string(sum) && json_object_get(have, "checksum") == NULL)
		json_object_set(have, "checksum", (json_t *)sum);
	if (json_is_string(tag)) {
		json_object_set_new(pending, json_string_value(tag),
		    json_string(id));
		json_object_set(have, "tag", (json_t *)tag);
	}
	return 0;
}

/* The object rec[key], created when missing or of the wrong type. */
static json_t *
member(json_t *rec, const char *key, int array)
{
	json_t *v = json_object_get(rec, key);

	if (array ? json_is_array(v) : json_is_object(v))
		return v;
	json_object_set_new(rec, key, array ? json_array() : json_object());
	return json_object_get(rec, key);
}

int
repo_merge(json_t *rec, const json_t *list)
{
	json_t *images = member(rec, "images", 1);
	json_t *pending = member(rec, "pending", 0), *idx, *e;
	size_t i;
	int rc = 0;

	if (images == NULL || pending == NULL || (idx = json_object()) == NULL)
		return -1;
	json_array_foreach(images, i, e)	/* id -> its object */
		json_object_set(idx, json_string_value(json_object_get(e,
		    "id")), e);
	json_array_foreach(list, i, e)
		if ((rc = merge_one(images, idx, pending, e)) != 0)
			break;
	json_decref(idx);
	return rc;
}

int
repo_complete(json_t *rec)
{
	json_t *tags = member(rec, "tags", 0), *id, *old;
	const char *tag;
	int fresh = 0;

	if (tags == NULL)
		return -1;
	json_object_foreach(json_object_get(rec, "pending"), tag, id) {
		old = json_object_get(tags, tag);
		fresh |= old == NULL || !json_equal(old, id);
		json_object_set(tags, tag, id);
	}
	json_object_del(rec, "pending");
	json_object_set_new(rec, "state", json_string("complete"));
	return fresh;
}

json_t *
repo_images(const json_t *rec, int (*keep)(const char *, const void *),
    const void *arg)
{
	json_t *out = json_array(), *e, *id;
	size_t i;

	json_array_foreach(json_object_get(rec, "images"), i, e) {
		id = json_object_get(e, "id");
		if (keep == NULL || keep(json_string_value(id), arg))
			json_array_append_new(out, json_pack("{s:O, s:O*}",
			    "id", id, "checksum",
			    json_object_get(e, "checksum")));
	}
	return out;
}

int
repo_has_image(const json_t *rec, const char *id)
{
	const json_t *e;
	const char *have;
	size_t i;

	json_array_foreach(json_object_get(rec, "images"), i, e)
		if ((have = json_string_value(json_object_get(e, "id"))) !=
		    NULL && strcmp(have, id) == 0)
			return 1;
	return 0;
}
