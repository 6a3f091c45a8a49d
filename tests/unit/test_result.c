/*
 * test_result: the one table of results: every result has an error
 * status and a line, RES_OK alone a 2xx, failures and unknowns 503.
 */
#include <string.h>

#include "result.h"
#include "t.h"

int
main(void)
{
	int r, bad = 0;

	for (r = 0; r < RES_COUNT; r++)
		bad += result_status(r) < 200 || result_status(r) > 599 ||
		    result_msg(r) == NULL || result_msg(r)[0] == '\0' ||
		    (r != RES_OK) != (result_status(r) >= 400);
	T(bad == 0);
	T(result_status(RES_ERROR) == 503 && result_status(RES_COUNT) == 503);
	T(result_status(RES_NOHOOK) == 404 && result_status(RES_QUOTA) == 429);
	T(strstr(result_msg(RES_LAST), "last enabled administrator") != NULL);
	return t_done();
}
