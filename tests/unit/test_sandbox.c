/*
 * test_sandbox: after sandbox_apply, in a forked child (Landlock cannot be
 * lifted), writes succeed below the writable directory and fail with
 * EACCES everywhere else, the readable file reads but does not write,
 * a cross-directory rename inside the writable tree works (the spool's
 * commit), and nothing outside can even be read. A kernel without
 * Landlock fails this test: it is what the sandbox is for.
 */
#include <sys/stat.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "sandbox.h"
#include "t.h"

static char	base[] = "/tmp/test_sandbox.XXXXXX";
static char	wdir[256], odir[256], rfile[256], ofile[256];

/* open(path, flags); 0 on success, else errno */
static int
try_open(const char *path, int flags)
{
	int fd = open(path, flags | O_CLOEXEC, 0600);

	if (fd == -1)
		return errno;
	close(fd);
	return 0;
}

static int
in_child(void)
{
	const char *rd[] = { rfile, "", "/nonexistent/x", NULL };
	const char *wr[] = { wdir, NULL };
	char p[512], q[512];

	T(sandbox_apply(rd, wr) == 0);
	snprintf(p, sizeof(p), "%s/tmp/a", wdir);
	T(try_open(p, O_WRONLY | O_CREAT | O_EXCL) == 0);
	snprintf(q, sizeof(q), "%s/new/a", wdir);
	T(rename(p, q) == 0);
	T(unlink(q) == 0);
	snprintf(p, sizeof(p), "%s/sub", wdir);
	T(mkdir(p, 0700) == 0 && rmdir(p) == 0);
	snprintf(p, sizeof(p), "%s/b", odir);
	T(try_open(p, O_WRONLY | O_CREAT | O_EXCL) == EACCES);
	T(try_open(ofile, O_WRONLY | O_APPEND) == EACCES);
	T(try_open(ofile, O_RDONLY) == EACCES);
	T(try_open("/tmp/test_sandbox.escape", O_WRONLY | O_CREAT) == EACCES);
	T(truncate(ofile, 0) == -1 && errno == EACCES);
	T(try_open(rfile, O_RDONLY) == 0);
	T(try_open(rfile, O_WRONLY) == EACCES);
	T(try_open("/etc/passwd", O_RDONLY) == EACCES);
	T(link(rfile, q) == -1 && errno == EXDEV);	/* no refer from outside */
	execl("/bin/true", "true", (char *)NULL);
	T(errno == EACCES);
	printf("child: ");
	t_done();
	fflush(stdout);
	return t_fail;
}

int
main(void)
{
	pid_t pid;
	int st = 0;

	T(mkdtemp(base) != NULL);
	snprintf(wdir, sizeof(wdir), "%s/w", base);
	snprintf(odir, sizeof(odir), "%s/o", base);
	snprintf(rfile, sizeof(rfile), "%s/key.pem", base);
	snprintf(ofile, sizeof(ofile), "%s/o/f", base);
	T(mkdir(wdir, 0700) == 0 && mkdir(odir, 0700) == 0);
	{
		char p[512];

		snprintf(p, sizeof(p), "%s/tmp", wdir);
		T(mkdir(p, 0700) == 0);
		snprintf(p, sizeof(p), "%s/new", wdir);
		T(mkdir(p, 0700) == 0);
	}
	T(try_open(rfile, O_WRONLY | O_CREAT) == 0);
	T(try_open(ofile, O_WRONLY | O_CREAT) == 0);
	fflush(stdout);
	if ((pid = fork()) == 0)
		_exit(in_child());
	T(pid > 0 && waitpid(pid, &st, 0) == pid);
	T(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	/* the parent is not confined: it can still clean up */
	{
		char cmd[600];

		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", base);
		T(system(cmd) == 0);
	}
	return t_done();
}
