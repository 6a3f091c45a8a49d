/* bytes: what every program needs of secrets but the KDF, so that
 * dindex-deliver links no libscrypt. */
#ifndef BYTES_H
#define BYTES_H

#include <stddef.h>

/* nbytes of getrandom() as hex into out[2 * nbytes + 1]; -1 logged. */
int	bytes_random_hex(char *out, size_t nbytes);
/* 1 when a[0..n) equals b[0..n), in time independent of the contents. */
int	bytes_equal(const void *a, const void *b, size_t n);
/* Overwrite a secret so the compiler cannot elide it. */
void	bytes_wipe(void *p, size_t n);

/* Standard base64 with padding. decode: 0 ok, -1 bad input or no room. */
int	bytes_b64_decode(const char *in, size_t len, unsigned char *out,
	    size_t cap, size_t *outlen);
/* Writes NUL-terminated text; returns its length, or 0 if cap too small. */
size_t	bytes_b64_encode(const unsigned char *in, size_t len, char *out,
	    size_t cap);

#endif
