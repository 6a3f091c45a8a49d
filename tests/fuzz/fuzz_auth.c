/*
 * fuzz_auth: Authorization values: the scheme word, Basic and Token.
 */
#include <stdint.h>
#include <string.h>

#include "auth.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *rest;
	struct auth_basic b;
	struct auth_token t;
	size_t restlen;

	switch (auth_scheme((const char *)data, size, &rest, &restlen)) {
	case AUTH_BASIC:
		if (auth_parse_basic(rest, restlen, &b) == 0 &&
		    (strlen(b.user) > LIM_USER || strlen(b.pass) > LIM_PASSWORD))
			__builtin_trap();
		break;
	case AUTH_TOKEN:
		if (auth_parse_token(rest, restlen, &t) == 0 &&
		    (t.sig[0] == '\0' || strlen(t.sig) > LIM_SIG))
			__builtin_trap();
		break;
	default:
		auth_parse_token((const char *)data, size, &t);
		auth_parse_basic((const char *)data, size, &b);
		break;
	}
	return 0;
}
