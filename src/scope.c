/*
 * scope: parse what a registry v2 client asks a token for, syntax only:
 * "type[(class)]:name:action[,action...]". The type ends at the first ':',
 * the actions start after the last: names may carry a "host:port/". The
 * class ("repository(plugin)") is dropped: the registry checks the type.
 */
#include <string.h>

#include "jwt.h"

static const char *const action_names[] = { "pull", "push", "delete", "*" };

/* [a-z0-9]+, and '*' too when star is set */
static int
is_word(const char *s, size_t len, int star)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (!(s[i] >= 'a' && s[i] <= 'z') &&
		    !(s[i] >= '0' && s[i] <= '9') && !(star && s[i] == '*'))
			return 0;
	return len > 0;
}

/* Comma-separated action words; unknown ones are dropped. */
static int
parse_actions(const char *s, size_t len, int *bits)
{
	const char *e, *end = s + len;
	size_t i, n;

	*bits = 0;
	for (;; s = e + 1) {
		e = memchr(s, ',', end - s);
		n = (e ? e : end) - s;
		if (!is_word(s, n, 1))
			return -1;
		for (i = 0; i < LEN(action_names); i++)
			if (strlen(action_names[i]) == n &&
			    memcmp(action_names[i], s, n) == 0)
				*bits |= 1 << i;
		if (e == NULL)
			return 0;
	}
}

static int
parse_one(const char *s, size_t len, struct scope *out)
{
	const char *c1 = memchr(s, ':', len), *c2, *p;
	size_t i, tlen, nlen;

	if (c1 == NULL || (c2 = memrchr(c1 + 1, ':', s + len - (c1 + 1))) ==
	    NULL)
		return -1;
	/* "type(class)": the class must be a word too */
	p = memchr(s, '(', c1 - s);
	if (p != NULL && (c1[-1] != ')' || !is_word(p + 1, c1 - 1 - (p + 1),
	    0)))
		return -1;
	tlen = (p ? p : c1) - s;
	nlen = c2 - (c1 + 1);
	if (tlen > LIM_SCOPE_TYPE || !is_word(s, tlen, 0) || nlen == 0 ||
	    nlen > LIM_NAME)
		return -1;
	for (i = 1; i <= nlen; i++)
		if (c1[i] <= ' ' || c1[i] > '~' || c1[i] == '"')
			return -1;
	memcpy(out->type, s, tlen);
	out->type[tlen] = '\0';
	memcpy(out->name, c1 + 1, nlen);
	out->name[nlen] = '\0';
	return parse_actions(c2 + 1, s + len - (c2 + 1), &out->actions);
}

int
scope_parse(const char *s, size_t len, struct scope_set *set)
{
	const char *e, *end = s + len;
	struct scope sc;
	size_t i;

	for (; s < end; s = e + 1) {
		if ((e = memchr(s, ' ', end - s)) == NULL)
			e = end;
		if (e == s)
			continue;
		if (parse_one(s, e - s, &sc) == -1)
			return -1;
		for (i = 0; i < set->n; i++)
			if (strcmp(set->res[i].type, sc.type) == 0 &&
			    strcmp(set->res[i].name, sc.name) == 0)
				break;
		if (i < set->n)
			set->res[i].actions |= sc.actions;
		else if (set->n < LIM_SCOPES)
			set->res[set->n++] = sc;
		else
			return -1;
	}
	return 0;
}

json_t *
scope_access(const struct scope_set *set)
{
	json_t *access, *acts, *o;
	size_t i, a;

	if ((access = json_array()) == NULL)
		return NULL;
	for (i = 0; i < set->n; i++) {
		acts = json_array();
		for (a = 0; acts != NULL && a < LEN(action_names); a++)
			if (set->res[i].actions & (1 << a))
				json_array_append_new(acts,
				    json_string(action_names[a]));
		o = json_pack("{s:s, s:s, s:o}", "type", set->res[i].type,
		    "name", set->res[i].name, "actions", acts);
		if (o == NULL || json_array_append_new(access, o) == -1) {
			json_decref(access);
			return NULL;
		}
	}
	return access;
}
