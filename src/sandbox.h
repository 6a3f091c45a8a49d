/*
 * sandbox: filesystem confinement from inside the process (Landlock),
 * standing in for the unit's mount-namespace options.
 */
#ifndef SANDBOX_H
#define SANDBOX_H

/* Leave this process (and anything it would start) only: reading each of
 * rd[] (a file, or a directory and all below it) and reading and writing
 * each of wr[] the same way. Both lists end with NULL; "" and paths that
 * do not exist are skipped (they stay unreachable). Nothing is executable.
 * Returns 0 when confined, 1 when the kernel offers no usable Landlock
 * (ENOSYS, EOPNOTSUPP or ABI 1; logged), -1 on any other failure, such
 * as a seccomp filter refusing the calls (logged). */
int	sandbox_apply(const char *const rd[], const char *const wr[]);

#endif
