/*
 * fuzz_http: the request-head parser, the chunked decoder and the form
 * decoder over arbitrary bytes.
 */
#include <stdint.h>
#include <string.h>

#include <jansson.h>

#include "http.h"

static struct http_req req;
static char out[65536];

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data;
	json_t *j = NULL;
	size_t len, outlen;
	int head;

	head = http_parse_head(s, size, &req);
	if (head > 0 && (size_t)head > size)
		__builtin_trap();
	if (head > 0 && http_header(&req, "Host") != NULL)
		http_header_is(&req, "Connection", "close");
	if (size <= sizeof(out)) {
		memcpy(out, s, size);
		len = size;
		outlen = 0;
		if (http_dechunk(out, &len, sizeof(out), &outlen) > (long)len ||
		    outlen > len)
			__builtin_trap();
	}
	/* whatever it accepts is UTF-8 text Jansson takes (no 5xx later) */
	if (http_form_get(s, size, "scope", out, 256) == 1 &&
	    (j = json_string(out)) == NULL)
		__builtin_trap();
	json_decref(j);
	return 0;
}
