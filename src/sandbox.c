/*
 * sandbox: unveil(2) done with Landlock, in place of the unit's
 * ProtectSystem= and friends, which cost ~25 ms per spawned connection.
 * Below ABI 2 (no rename across directories, which the spool needs) only
 * the unit confines. Open descriptors are untouched.
 */
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include <linux/landlock.h>

#include "log.h"
#include "sandbox.h"

/* newer than the headers of Debian 12 (Linux 6.1) */
#ifndef LANDLOCK_ACCESS_FS_TRUNCATE
#define LANDLOCK_ACCESS_FS_TRUNCATE	(1ULL << 14)	/* ABI 3 */
#endif
#ifndef LANDLOCK_ACCESS_FS_IOCTL_DEV
#define LANDLOCK_ACCESS_FS_IOCTL_DEV	(1ULL << 15)	/* ABI 5 */
#endif

#define R_FILE	(LANDLOCK_ACCESS_FS_READ_FILE)
#define R_DIR	(R_FILE | LANDLOCK_ACCESS_FS_READ_DIR)
#define W_FILE	(R_FILE | LANDLOCK_ACCESS_FS_WRITE_FILE | \
		 LANDLOCK_ACCESS_FS_TRUNCATE)
/* the store and the spool make, rename and remove regular files only */
#define W_DIR	(R_DIR | W_FILE | LANDLOCK_ACCESS_FS_REMOVE_DIR | \
		 LANDLOCK_ACCESS_FS_REMOVE_FILE | LANDLOCK_ACCESS_FS_MAKE_DIR | \
		 LANDLOCK_ACCESS_FS_MAKE_REG | LANDLOCK_ACCESS_FS_REFER)

static int
allow(int ruleset, const char *path, uint64_t dir, uint64_t file,
    uint64_t mask)
{
	struct landlock_path_beneath_attr pb;
	struct stat sb;
	int rc = -1;

	if (path[0] == '\0')
		return 0;
	if ((pb.parent_fd = open(path, O_PATH | O_CLOEXEC)) == -1 &&
	    errno == ENOENT)
		return 0;	/* granted nothing, so still refused */
	if (pb.parent_fd != -1 && fstat(pb.parent_fd, &sb) == 0) {
		pb.allowed_access = (S_ISDIR(sb.st_mode) ? dir : file) & mask;
		rc = (int)syscall(SYS_landlock_add_rule, ruleset,
		    LANDLOCK_RULE_PATH_BENEATH, &pb, 0);
	}
	if (rc == -1)
		log_msg(LOG_ERR, "sandbox: %s: %s", path, strerror(errno));
	if (pb.parent_fd != -1)
		close(pb.parent_fd);
	return rc;
}

int
sandbox_apply(const char *const rd[], const char *const wr[])
{
	struct landlock_ruleset_attr attr = { 0 };
	int abi, fd, rc = -1;

	abi = (int)syscall(SYS_landlock_create_ruleset, NULL, 0,
	    LANDLOCK_CREATE_RULESET_VERSION);
	if (abi == -1 && errno != ENOSYS && errno != EOPNOTSUPP) {
		/* a seccomp filter, not the kernel: fail closed */
		log_msg(LOG_ERR, "landlock_create_ruleset: %s (allow the "
		    "landlock_* system calls in SystemCallFilter=)",
		    strerror(errno));
		return -1;
	}
	if (abi < 2) {
		log_msg(LOG_WARNING, "no Landlock (%s): the filesystem is "
		    "confined by the unit only", abi < 0 ? strerror(errno) :
		    "ABI 1 cannot rename across directories");
		return 1;
	}
	/* ABI 1 is EXECUTE .. MAKE_SYM, bits 0-12 */
	attr.handled_access_fs = ((LANDLOCK_ACCESS_FS_MAKE_SYM << 1) - 1) |
	    LANDLOCK_ACCESS_FS_REFER |
	    (abi >= 3 ? LANDLOCK_ACCESS_FS_TRUNCATE : 0) |
	    (abi >= 5 ? LANDLOCK_ACCESS_FS_IOCTL_DEV : 0);
	fd = (int)syscall(SYS_landlock_create_ruleset, &attr, sizeof(attr), 0);
	if (fd == -1) {
		log_msg(LOG_ERR, "landlock_create_ruleset: %s", strerror(errno));
		return -1;
	}
	for (; *rd; rd++)
		if (allow(fd, *rd, R_DIR, R_FILE, attr.handled_access_fs))
			goto out;
	for (; *wr; wr++)
		if (allow(fd, *wr, W_DIR, W_FILE, attr.handled_access_fs))
			goto out;
	/* Landlock asks for no_new_privs; dindex never executes anything */
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == -1 ||
	    syscall(SYS_landlock_restrict_self, fd, 0) == -1) {
		log_msg(LOG_ERR, "landlock_restrict_self: %s", strerror(errno));
		goto out;
	}
	rc = 0;
out:
	close(fd);
	return rc;
}
