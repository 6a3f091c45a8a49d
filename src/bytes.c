/* bytes: random hex, constant-time comparison, wiping, strict base64. */
#include <sys/random.h>

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "bytes.h"
#include "log.h"

int
bytes_random_hex(char *out, size_t nbytes)
{
	unsigned char buf[256];
	ssize_t n;
	size_t i;

	if (nbytes > sizeof(buf))
		return -1;
	/* up to 256 bytes come whole; only the wait at boot is interrupted */
	while ((n = getrandom(buf, nbytes, 0)) == -1 && errno == EINTR)
		;
	if (n != (ssize_t)nbytes) {
		log_msg(LOG_ERR, "getrandom: %s", strerror(errno));
		return -1;
	}
	for (i = 0; i < nbytes; i++)
		snprintf(out + 2 * i, 3, "%02x", buf[i]);
	bytes_wipe(buf, sizeof(buf));
	return 0;
}

int
bytes_equal(const void *a, const void *b, size_t n)
{
	const volatile unsigned char *x = a, *y = b;
	unsigned char d = 0;
	size_t i;

	for (i = 0; i < n; i++)
		d |= x[i] ^ y[i];
	return d == 0;
}

void
bytes_wipe(void *p, size_t n)
{
	explicit_bzero(p, n);
}

static const char b64[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

int
bytes_b64_decode(const char *in, size_t len, unsigned char *out, size_t cap,
    size_t *outlen)
{
	const char *p;
	size_t i, o = 0, pad = 0;
	unsigned v = 0;
	int bits = 0;

	if (len % 4 != 0)
		return -1;
	if (len > 0 && in[len - 1] == '=')
		pad = len > 1 && in[len - 2] == '=' ? 2 : 1;
	for (i = 0; i < len - pad; i++) {
		if ((p = memchr(b64, in[i], 64)) == NULL)
			return -1;
		v = v << 6 | (unsigned)(p - b64);
		if ((bits += 6) < 8)
			continue;
		if (o == cap)
			return -1;
		bits -= 8;
		out[o++] = (unsigned char)(v >> bits);
	}
	*outlen = o;
	return 0;
}

size_t
bytes_b64_encode(const unsigned char *in, size_t len, char *out, size_t cap)
{
	size_t i, o = 0;
	unsigned v = 0;
	int bits = 0;

	if (cap < (len + 2) / 3 * 4 + 1)
		return 0;
	for (i = 0; i < len; i++) {
		v = v << 8 | in[i];
		for (bits += 8; bits >= 6; bits -= 6)
			out[o++] = b64[v >> (bits - 6) & 63];
	}
	if (bits > 0)
		out[o++] = b64[v << (6 - bits) & 63];
	while (o % 4 != 0)
		out[o++] = '=';
	out[o] = '\0';
	return o;
}
