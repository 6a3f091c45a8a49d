/*
 * floor: the least a per-connection handler can do. Reads one request head,
 * writes a fixed 200 and exits. Linked with the four libraries of the
 * design (make bench), it is the cost of fork, exec and dynamic loading
 * that dindex is allowed; with libcrypto, what that library adds; static,
 * the cost without any library. Built with FLOOR_KDF it also verifies
 * "benchmark" against the scrypt hash in argv[1] once per request: the
 * least a Basic-auth request can cost.
 */
#define _GNU_SOURCE	/* memmem */
#include <string.h>
#include <unistd.h>
#ifdef FLOOR_KDF
#include <libscrypt.h>
#endif

int
main(int argc, char *argv[])
{
	static const char resp[] = "HTTP/1.1 200 OK\r\nContent-Length: 4\r\n"
	    "Content-Type: application/json\r\nConnection: close\r\n\r\ntrue";
	char buf[8192];
	size_t len = 0;
	ssize_t n;

	while (len < sizeof(buf)) {
		n = read(0, buf + len, sizeof(buf) - len);
		if (n <= 0)
			return 1;
		len += (size_t)n;
		if (memmem(buf, len, "\r\n\r\n", 4) != NULL)
			break;
	}
#ifdef FLOOR_KDF
	/* libscrypt_check() writes into the hash it is given: pass a copy */
	if (argc != 2 || strlen(argv[1]) >= sizeof(buf))
		return 1;
	memcpy(buf, argv[1], strlen(argv[1]) + 1);
	if (libscrypt_check(buf, "benchmark") <= 0)
		return 1;
#else
	(void)argc, (void)argv;
#endif
	return write(1, resp, sizeof(resp) - 1) == sizeof(resp) - 1 ? 0 : 1;
}
