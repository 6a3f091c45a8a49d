/*
 * bench-gen: fill a database with N users and N repositories for the
 * scaling benchmark. Every generated user shares one precomputed hash
 * (scrypt per record would take hours at a million); none can log in
 * with a known password, which the benchmark does not need.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "auth.h"
#include "store.h"

#define BATCH	10000	/* records per write transaction */

static int
put_batch(const char *db, long from, long to)
{
	struct store *st;
	char key[64];
	json_t *u, *r;
	long i;
	int rc = 0;

	if (store_open(db, STORE_WRITE, &st) == -1)
		return -1;
	for (i = from; i < to && rc == 0; i++) {
		snprintf(key, sizeof(key), "user:gen%07ld", i);
		u = json_pack("{s:s, s:s, s:s, s:b, s:b, s:i, s:{s:s}}",
		    "name", key + 5, "hash", "$s1$0a0801$x$y", "email", "",
		    "enabled", 1, "admin", 0, "created", 0, "perms",
		    "gens", "read");
		rc = store_put(st, key, u);
		json_decref(u);
		snprintf(key, sizeof(key), "repo:gens/r%07ld", i);
		r = json_pack("{s:[{s:s}], s:{}, s:s, s:i, s:i, s:s}",
		    "images", "id", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
		    "tags", "state", "complete", "created", 0, "updated", 0,
		    "pusher", "gen");
		if (rc == 0)
			rc = store_put(st, key, r);
		json_decref(r);
	}
	return store_close(st) == -1 ? -1 : rc;
}

/*
 * Microseconds one scrypt verification takes with N:r:p (mean of 5).
 * The benchmark runs eight of these at once to see what the KDF costs
 * at the concurrency of its load, where memory bandwidth is shared.
 */
static int
time_scrypt(const char *params)
{
	unsigned long n, r, p;
	char mcf[AUTH_MCF_LEN];
	struct timespec t0, t1;
	int i;

	if (sscanf(params, "%lu:%lu:%lu", &n, &r, &p) != 3 ||
	    auth_hash_password("benchmark", n, r, p, mcf) == -1)
		return 2;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (i = 0; i < 5; i++)
		auth_check_password(mcf, "benchmark");
	clock_gettime(CLOCK_MONOTONIC, &t1);
	printf("%.0f\n", ((t1.tv_sec - t0.tv_sec) * 1e6 +
	    (t1.tv_nsec - t0.tv_nsec) / 1e3) / 5);
	return 0;
}

/* Print the hash of "benchmark" with N:r:p, for floor-kdf. */
static int
print_hash(const char *params)
{
	unsigned long n, r, p;
	char mcf[AUTH_MCF_LEN];

	if (sscanf(params, "%lu:%lu:%lu", &n, &r, &p) != 3 ||
	    auth_hash_password("benchmark", n, r, p, mcf) == -1)
		return 2;
	puts(mcf);
	return 0;
}

int
main(int argc, char *argv[])
{
	long n, i;

	if (argc == 3 && strcmp(argv[1], "-s") == 0)
		return time_scrypt(argv[2]);
	if (argc == 3 && strcmp(argv[1], "-H") == 0)
		return print_hash(argv[2]);
	if (argc != 3 || (n = strtol(argv[2], NULL, 10)) <= 0) {
		fprintf(stderr, "usage: bench-gen DATABASE COUNT | -s N:r:p | -H N:r:p\n");
		return 2;
	}
	for (i = 0; i < n; i += BATCH)
		if (put_batch(argv[1], i, i + BATCH < n ? i + BATCH : n) == -1)
			return 1;
	return 0;
}
