/*
 * fuzz_config: the configuration parser.
 */
#include <stdint.h>

#include "config.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct config c;
	char err[512];

	config_defaults(&c);
	config_parse((const char *)data, size, "fuzz", &c, err, sizeof(err));
	return 0;
}
