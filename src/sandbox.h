/* sandbox: filesystem confinement from inside the process (Landlock). */
#ifndef SANDBOX_H
#define SANDBOX_H

/* Leave this process only reading each of rd[] (a file, or a directory and
 * all below it) and reading and writing each of wr[]; nothing executes.
 * Both end with NULL; "" and missing paths are skipped (stay unreachable).
 * 0 confined, 1 no usable Landlock (ENOSYS, EOPNOTSUPP or ABI 1), -1 any
 * other failure, such as a seccomp filter refusing the calls; logged. */
int	sandbox_apply(const char *const rd[], const char *const wr[]);

#endif
