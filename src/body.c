/*
 * body: request bodies into JSON objects. Both parsers work on the
 * (pointer, length) the HTTP layer read, already bounded by max_body.
 * JSON nesting is counted before jansson sees the bytes; forms are decoded
 * strictly: a bad %XX, a NUL (raw or %00) or text that is not UTF-8 makes
 * the whole body a 400.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "body.h"
#include "lim.h"

enum kind { K_ANY, K_JSON, K_FORM, K_OTHER };

static int
is(const char *s, size_t n, const char *word)
{
	return strlen(word) == n && strncasecmp(s, word, n) == 0;
}

static enum kind
media_type(const struct http_req *req)
{
	const struct http_hdr *h = http_header(req, "Content-Type");
	size_t n = 0;

	if (h == NULL)
		return K_ANY;
	/* parameters such as "; charset=utf-8" do not matter */
	while (n < h->val_len && strchr("; \t", h->val[n]) == NULL)
		n++;
	if (is(h->val, n, "application/json"))
		return K_JSON;
	if (is(h->val, n, "application/x-www-form-urlencoded"))
		return K_FORM;
	return K_OTHER;
}

static int
too_deep(const char *s, size_t n)
{
	size_t i;
	int depth = 0, instr = 0;

	for (i = 0; i < n; i++) {
		if (instr) {
			if (s[i] == '\\')
				i++;
			else if (s[i] == '"')
				instr = 0;
		} else if (s[i] == '"')
			instr = 1;
		else if ((s[i] == '[' || s[i] == '{') &&
		    ++depth > LIM_JSON_DEPTH)
			return 1;
		else if (s[i] == ']' || s[i] == '}')
			depth--;
	}
	return 0;
}

static json_t *
parse_any(const char *s, size_t n)
{
	json_error_t err;

	if (too_deep(s, n))
		return NULL;
	return json_loadb(s, n, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY,
	    &err);
}

static json_t *
parse_json(const char *s, size_t n)
{
	json_t *j = parse_any(s, n);

	if (json_is_object(j))
		return j;
	json_decref(j);
	return NULL;
}

int
body_json(const struct http_req *req, json_t **out)
{
	*out = req->body && req->body_len ? parse_any(req->body,
	    req->body_len) : NULL;
	return *out != NULL ? 0 : 400;
}

const char *
body_str(const json_t *body, const char *key)
{
	const json_t *v = json_object_get(body, key);

	return v == NULL ? "" : json_string_value(v);
}

/* A form component as a JSON string; NULL if bad. */
static json_t *
decode(const char *s, size_t n)
{
	json_t *j = NULL;
	char *buf;
	long len;

	if ((buf = malloc(n + 1)) == NULL)
		return NULL;
	if ((len = http_form_decode(s, n, buf, n + 1)) >= 0)
		j = json_stringn(buf, (size_t)len);
	free(buf);
	return j;
}

static json_t *
parse_form(const char *s, size_t n)
{
	const char *end = s + n, *amp, *eq;
	json_t *obj = json_object(), *k, *v;
	int ok;

	while (obj != NULL && s < end) {
		if ((amp = memchr(s, '&', end - s)) == NULL)
			amp = end;
		if ((eq = memchr(s, '=', amp - s)) == NULL)
			eq = amp;
		if (amp > s) {
			k = decode(s, eq - s);
			v = eq < amp ? decode(eq + 1, amp - eq - 1) :
			    json_string("");
			ok = k != NULL && v != NULL &&
			    json_string_length(k) > 0;
			if (ok && json_object_get(obj,
			    json_string_value(k)) == NULL)
				ok = json_object_set(obj,
				    json_string_value(k), v) == 0;
			json_decref(k);
			json_decref(v);
			if (!ok) {
				json_decref(obj);
				return NULL;
			}
		}
		s = amp < end ? amp + 1 : end;
	}
	return obj;
}

int
body_object(const struct http_req *req, json_t **out)
{
	enum kind kind = media_type(req);

	*out = NULL;
	if (kind == K_OTHER)
		return 415;
	if (req->body == NULL || req->body_len == 0)
		return (*out = json_object()) != NULL ? 0 : 400;
	if (kind != K_FORM)
		*out = parse_json(req->body, req->body_len);
	if (*out == NULL && kind != K_JSON)
		*out = parse_form(req->body, req->body_len);
	return *out != NULL ? 0 : 400;
}
