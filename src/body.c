/*
 * body: request bodies, already bounded by max_body, into JSON. JSON
 * nesting is counted before jansson sees the bytes; a form component that
 * http_form_decode refuses makes the whole body a 400.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "body.h"
#include "lim.h"

enum kind { K_ANY, K_JSON, K_FORM, K_OTHER };

static enum kind
media_type(const struct http_req *req)
{
	static const char *const types[] = { [K_JSON] = "application/json",
	    [K_FORM] = "application/x-www-form-urlencoded" };
	const struct http_hdr *h = http_header(req, "Content-Type");
	size_t n = 0;
	enum kind k;

	if (h == NULL)
		return K_ANY;
	/* parameters such as "; charset=utf-8" do not matter */
	while (n < h->val_len && strchr("; \t", h->val[n]) == NULL)
		n++;
	for (k = K_JSON; k < K_OTHER; k++)
		if (strlen(types[k]) == n &&
		    strncasecmp(h->val, types[k], n) == 0)
			return k;
	return K_OTHER;
}

static json_t *
parse_json(const char *s, size_t n)
{
	size_t i;
	int depth = 0, instr = 0;

	for (i = 0; i < n; i++) {
		if (instr && s[i] == '\\')
			i++;
		else if (s[i] == '"')
			instr = !instr;
		else if (!instr && (s[i] == '[' || s[i] == '{') &&
		    ++depth > LIM_JSON_DEPTH)
			return NULL;
		else if (!instr && (s[i] == ']' || s[i] == '}'))
			depth--;
	}
	return json_loadb(s, n, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, NULL);
}

int
body_json(const struct http_req *req, json_t **out)
{
	*out = req->body && req->body_len ? parse_json(req->body,
	    req->body_len) : NULL;
	return *out != NULL ? 0 : 400;
}

const char *
body_str(const json_t *body, const char *key)
{
	const json_t *v = json_object_get(body, key);

	return v == NULL ? "" : json_string_value(v);
}

/* Each key=value pair is decoded into buf: the key, its NUL, the value. */
static json_t *
parse_form(const char *s, size_t n)
{
	const char *end = s + n, *amp, *eq, *v;
	char *buf = malloc(n + 2);
	json_t *obj = buf != NULL ? json_object() : NULL;
	long k, vl;

	for (; obj != NULL && s < end; s = amp + (amp < end)) {
		if ((amp = memchr(s, '&', end - s)) == NULL)
			amp = end;
		if (amp == s)
			continue;
		eq = memchr(s, '=', amp - s);
		v = eq != NULL ? eq + 1 : amp;
		k = http_form_decode(s, (eq ? eq : amp) - s, buf, n + 2);
		vl = k > 0 ? http_form_decode(v, amp - v, buf + k + 1,
		    n + 1 - (size_t)k) : -1;
		if (vl < 0 || (json_object_get(obj, buf) == NULL &&
		    json_object_set_new(obj, buf, json_stringn(buf + k + 1,
		    (size_t)vl)) != 0)) {
			json_decref(obj);
			obj = NULL;
		}
	}
	free(buf);
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
	if (kind != K_FORM && (*out = parse_json(req->body,
	    req->body_len)) != NULL && !json_is_object(*out)) {
		json_decref(*out);
		*out = NULL;
	}
	if (*out == NULL && kind != K_JSON)
		*out = parse_form(req->body, req->body_len);
	return *out != NULL ? 0 : 400;
}
