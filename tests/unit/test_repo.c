/*
 * test_repo: image lists, pure: checks of a list, merging in announcement
 * order, the event of a completed push, the pull view.
 */
#include <string.h>

#include "lim.h"
#include "repo.h"
#include "t.h"

#define A "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
#define B "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"

static json_t *
list(const char *text)
{
	return json_loads(text, 0, NULL);
}

static void
test_check(void)
{
	static const struct {
		const char	*list;
		int		 ok;
	} cases[] = {
		{ "[]", 1 },
		{ "[{\"id\": \"" A "\"}]", 1 },
		{ "[{\"id\": \"" A "\", \"checksum\": \"x\", \"Tag\": \"v1\"}]",
		    1 },
		{ "[{\"id\": \"" A "\", \"Tag\": null}]", 1 },
		{ "{}", 0 },
		{ "[{\"id\": \"xyz\"}]", 0 },
		{ "[\"" A "\"]", 0 },
		{ "[{\"id\": \"" A "\", \"Tag\": \"-bad\"}]", 0 },
		{ "[{\"id\": \"" A "\", \"checksum\": 5}]", 0 },
	};
	json_t *l;
	size_t i;

	for (i = 0; i < LEN(cases); i++) {
		l = list(cases[i].list);
		T((repo_list_check(l) == NULL) == cases[i].ok);
		json_decref(l);
	}
}

static void
test_push(void)
{
	json_t *rec = repo_new("alice"), *l, *pull;

	T(rec != NULL && strcmp(json_string_value(json_object_get(rec,
	    "state")), "pushing") == 0);
	/* parents first; a known checksum is kept; the tag waits */
	l = list("[{\"id\": \"" B "\"}, {\"id\": \"" A "\", \"checksum\": "
	    "\"s1\", \"Tag\": \"latest\"}]");
	T(repo_merge(rec, l) == 0);
	json_decref(l);
	l = list("[{\"id\": \"" A "\", \"checksum\": \"s2\"}]");
	T(repo_merge(rec, l) == 0);
	json_decref(l);
	T(json_array_size(json_object_get(rec, "images")) == 2);
	T(json_object_get(json_object_get(rec, "tags"), "latest") == NULL);
	T(repo_has_image(rec, A) && repo_has_image(rec, B) &&
	    !repo_has_image(rec, "c"));
	/* a tag that moves is "new", one that stays "existing" */
	T(repo_complete(rec) == 1);
	T(strcmp(json_string_value(json_object_get(json_object_get(rec,
	    "tags"), "latest")), A) == 0);
	T(json_object_get(rec, "pending") == NULL);
	l = list("[{\"id\": \"" A "\", \"Tag\": \"latest\"}]");
	T(repo_merge(rec, l) == 0 && repo_complete(rec) == 0);
	json_decref(l);
	pull = repo_images(rec, NULL, NULL);
	T(json_array_size(pull) == 2 && json_object_get(json_array_get(pull,
	    0), "checksum") == NULL && strcmp(json_string_value(
	    json_object_get(json_array_get(pull, 1), "checksum")), "s1") == 0);
	json_decref(pull);
	json_decref(rec);
}

/* LIM_IMAGES bounds the repository, not only one list: pushes that each
 * announce new ids stop there */
static void
test_images_bounded(void)
{
	json_t *rec = repo_new("alice"), *l = json_array(), *again;
	char id[LIM_IMAGE_ID + 1];
	size_t i;

	for (i = 0; i < LIM_IMAGES; i++) {
		snprintf(id, sizeof(id), "%064zx", i);
		json_array_append_new(l, json_pack("{s:s}", "id", id));
	}
	T(repo_list_check(l) == NULL && repo_merge(rec, l) == 0);
	T(repo_merge(rec, l) == 0);	/* known ids: nothing added */
	again = list("[{\"id\": \"" A "\"}]");
	T(repo_merge(rec, again) == 1);
	T(json_array_size(json_object_get(rec, "images")) == LIM_IMAGES);
	json_decref(again);
	json_decref(l);
	json_decref(rec);
}

int
main(void)
{
	test_check();
	test_push();
	test_images_bounded();
	return t_done();
}
