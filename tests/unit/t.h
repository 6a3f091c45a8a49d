/*
 * t.h: the unit tests' whole harness. T(cond) records one check; the
 * program's exit prints "N passed, M failed" (read by tests/run.py).
 */
#ifndef T_H
#define T_H

#include <stdio.h>
#include <stdlib.h>

static int t_pass, t_fail;

#define T(cond) do { \
	if (cond) \
		t_pass++; \
	else { \
		t_fail++; \
		fprintf(stderr, "FAIL %s:%d: %s\n", __FILE__, __LINE__, #cond); \
	} \
} while (0)

static inline int
t_done(void)
{
	printf("%d passed, %d failed\n", t_pass, t_fail);
	return t_fail ? 1 : 0;
}

#endif
