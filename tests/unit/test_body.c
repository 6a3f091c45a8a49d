/*
 * test_body: request bodies into objects, JSON and forms, and every
 * refusal.
 */
#include <string.h>

#include "body.h"
#include "t.h"

static struct http_req req;

static int
parse(const char *ctype, const char *body, json_t **out)
{
	memset(&req, 0, sizeof(req));
	if (ctype != NULL) {
		req.hdr[0].name = "Content-Type";
		req.hdr[0].name_len = strlen("Content-Type");
		req.hdr[0].val = ctype;
		req.hdr[0].val_len = strlen(ctype);
		req.nhdr = 1;
	}
	req.body = (char *)body;
	req.body_len = body ? strlen(body) : 0;
	return body_object(&req, out);
}

/* The body parses and has field key equal to val. */
static int
has(const char *ctype, const char *body, const char *key, const char *val)
{
	json_t *o;
	const char *s;
	int ok;

	if (parse(ctype, body, &o) != 0)
		return 0;
	s = json_string_value(json_object_get(o, key));
	ok = s != NULL && strcmp(s, val) == 0;
	json_decref(o);
	return ok;
}

static int
status(const char *ctype, const char *body)
{
	json_t *o;
	int rc = parse(ctype, body, &o);

	json_decref(o);
	return rc;
}

/* An object holding n - 1 nested arrays: n levels. */
static const char *
nested(char *buf, int n)
{
	int i;

	strcpy(buf, "{\"a\":");
	for (i = 1; i < n; i++)
		strcat(buf, "[");
	for (i = 1; i < n; i++)
		strcat(buf, "]");
	strcat(buf, "}");
	return buf;
}

int
main(void)
{
	static const char *const form = "application/x-www-form-urlencoded";
	static const char *const js = "application/json";
	char deep[256], ok[128];
	json_t *o;

	T(has(js, "{\"username\": \"bob\"}", "username", "bob"));
	T(has("application/json; charset=utf-8", "{\"a\":\"b\"}", "a", "b"));
	T(has("APPLICATION/JSON", "{\"a\":\"b\"}", "a", "b"));
	T(has(form, "username=bob&password=s3cret", "password", "s3cret"));
	T(has(form, "a=x+y%20z%2B%26", "a", "x y z+&"));
	T(has(form, "a=%C3%A9", "a", "\xc3\xa9"));
	T(has(form, "a=1&a=2", "a", "1"));		/* first wins */
	T(has(form, "&&a=1&", "a", "1"));
	T(has(form, "flag", "flag", ""));
	T(has(form, "a=", "a", ""));
	T(has(form, "a==b", "a", "=b"));
	/* no Content-Type: JSON, then a form */
	T(has(NULL, "{\"a\":\"j\"}", "a", "j"));
	T(has(NULL, "a=f", "a", "f"));
	/* empty bodies are empty objects */
	T(parse(js, NULL, &o) == 0 && json_object_size(o) == 0);
	json_decref(o);
	T(parse(form, "", &o) == 0 && json_object_size(o) == 0);
	json_decref(o);
	T(parse("text/plain", "", &o) == 415 && o == NULL);

	T(status(js, "{bad") == 400);
	T(status(js, "[1]") == 400);
	T(status(js, "\"s\"") == 400);
	T(status(js, "{\"a\":1,\"a\":2}") == 400);
	T(status(js, "{\"a\":\"\\u0000\"}") == 400);
	T(status(js, "a=b") == 400);	/* the type decides */
	T(status(form, "a=%zz") == 400);
	T(status(form, "a=%4") == 400);
	T(status(form, "a=%") == 400);
	T(status(form, "a=%00") == 400);
	T(status(form, "a=%ff") == 400);	/* not UTF-8 */
	T(status(form, "=b") == 400);
	T(status("text/plain", "a=b") == 415);
	T(status("application/jsonx", "{}") == 415);
	T(status("multipart/form-data; boundary=x", "a=b") == 415);

	/* depth: LIM_JSON_DEPTH levels pass, one more does not; brackets
	 * inside strings do not count */
	snprintf(ok, sizeof(ok), "{\"a\":\"%s\"}", "[[[[[[[[[[[[[[[[[[[[[[[["
	    "[[[[[[[[[[[[[[[[[[[[[[");
	T(status(js, ok) == 0);
	T(status(js, nested(deep, LIM_JSON_DEPTH)) == 0);
	T(status(js, nested(deep, LIM_JSON_DEPTH + 1)) == 400);
	T(status(js, "{\"a\":\"\\\"[[[[\"}") == 0);
	return t_done();
}
