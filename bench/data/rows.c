/* The names a result's cells carry, shared by the writer and the reader:
 * errno names and op flag names (rows.h). */
#include "rows.h"
#include "oprec.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct { int e; const char *n; } errnames[] = {
#define E(x) { x, #x }
	E(EPERM), E(ENOENT), E(ESRCH), E(EINTR), E(EIO), E(ENXIO), E(E2BIG),
	E(EBADF), E(ECHILD), E(EAGAIN), E(ENOMEM), E(EACCES), E(EFAULT),
	E(EBUSY), E(EEXIST), E(ENODEV), E(ENOTDIR), E(EISDIR), E(EINVAL),
	E(ENFILE), E(EMFILE), E(ENOTTY), E(EFBIG), E(ENOSPC), E(ESPIPE),
	E(EROFS), E(EMLINK), E(EPIPE), E(ERANGE), E(EDEADLK), E(ENAMETOOLONG),
	E(ENOSYS), E(ENOTSUP), E(ETIMEDOUT), E(EOVERFLOW), E(EDQUOT),
	E(ECANCELED), E(EOWNERDEAD),
#undef E
};

const char *errno_name(int e)
{
	static __thread char buf[16];

	if (!e)
		return "0";
	for (size_t i = 0; i < sizeof(errnames) / sizeof(errnames[0]); i++)
		if (errnames[i].e == e)
			return errnames[i].n;
	snprintf(buf, sizeof(buf), "E%d", e);
	return buf;
}

int errno_from_name(const char *s, int *e)
{
	char *end;
	long v;

	if (!strcmp(s, "0")) {
		*e = 0;
		return 0;
	}
	for (size_t i = 0; i < sizeof(errnames) / sizeof(errnames[0]); i++)
		if (!strcmp(errnames[i].n, s)) {
			*e = errnames[i].e;
			return 0;
		}
	if (s[0] == 'E' && s[1]) {
		v = strtol(s + 1, &end, 10);
		if (!*end && v > 0 && v < 4096) {
			*e = (int)v;
			return 0;
		}
	}
	return -EINVAL;
}

/* The workloads' OPF_* bits are the schema's flag names, bit for bit. */
#define X(e, n) _Static_assert(OPF_##e == 1u << SB_OPF_BIT_##e, "OPF_" #e " is not columns.h's bit");
SB_OP_FLAGS(X)
#undef X

const char *const sb_opflag_names[SB_OPF_NR] = {
#define X(e, n) [SB_OPF_BIT_##e] = n,
	SB_OP_FLAGS(X)
#undef X
};

const char *opflags_str(unsigned int flags, char *buf, size_t len)
{
	size_t off = 0;

	buf[0] = 0;
	for (unsigned int i = 0; i < SB_OPF_NR; i++) {
		if (!(flags & (1u << i)))
			continue;
		off += (size_t)snprintf(buf + off, off < len ? len - off : 0, "%s%s",
					off ? "|" : "", sb_opflag_names[i]);
	}
	return buf;
}
