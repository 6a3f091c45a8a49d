/*
 * fuzz_net: webhook URLs (from request bodies) and CIDR lists through the
 * address policy and the log redaction.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "net.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1), out[256];

	if (s == NULL)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	net_list_parse(s);
	net_url_allowed(s, "127.0.0.0/8, ::1/128");
	net_url_redact(s, out, sizeof(out));
	free(s);
	return 0;
}
