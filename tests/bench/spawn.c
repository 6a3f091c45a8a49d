/*
 * spawn: run argv[1..] once with this process's stdin and stdout and print
 * its CPU microseconds (user + system, what perf's task-clock counts),
 * page faults and maximum RSS in KiB, from wait4(). A process started
 * straight from the benchmark's Python would inherit Python's RSS as its
 * high-water mark; started from this small one, the figure is the child's.
 */
#include <sys/resource.h>
#include <sys/wait.h>

#include <stdio.h>
#include <unistd.h>

int
main(int argc, char *argv[])
{
	struct rusage ru;
	pid_t pid;
	int status;

	if (argc < 2)
		return 2;
	if ((pid = fork()) == -1)
		return 1;
	if (pid == 0) {
		execv(argv[1], argv + 1);
		_exit(127);
	}
	if (wait4(pid, &status, 0, &ru) == -1)
		return 1;
	fprintf(stderr, "%ld %ld %ld\n", ru.ru_utime.tv_sec * 1000000L +
	    ru.ru_utime.tv_usec + ru.ru_stime.tv_sec * 1000000L +
	    ru.ru_stime.tv_usec, ru.ru_minflt + ru.ru_majflt, ru.ru_maxrss);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}
