// SPDX-License-Identifier: GPL-2.0-only
/*
 * failnth.so: an LD_PRELOAD shim that injects one allocation failure into
 * the one system call of an iptables run that carries the ruleset, through
 * the kernel's per-task fault injection (/proc/thread-self/fail-nth, with
 * failslab and fail_page_alloc set up in debugfs by the caller).
 *
 *   FAILNTH=N          fail the Nth allocation of that call (N >= 1)
 *   FAILNTH_REPORT=F   append one line per such call to F:
 *                        "call=NAME armed=N left=L ret=R errno=E"
 *                      left=0 means the fault was injected; left>0 means the
 *                      call made only N-L allocations, so N is past its last
 *                      allocation point.  A call after the first is reported
 *                      with armed=0 and not armed.
 *   FAILNTH_CALL=C     which call to arm (default "ruleset"):
 *                        ruleset  setsockopt IPT_SO_SET_REPLACE or
 *                                 IP6T_SO_SET_REPLACE (iptables-legacy), or
 *                                 a sendto/sendmsg on a NETLINK_NETFILTER
 *                                 socket that starts an nfnetlink batch
 *                                 (iptables-nft, nft)
 *                        unshare  unshare(2) with CLONE_NEWNET (ip netns add)
 *   FAILNTH_FILE=F     the counter (default /proc/thread-self/fail-nth): a
 *                      plain file tests the shim's plumbing without fault
 *                      injection (every call then looks unconsumed)
 *
 * The counter is armed right before the call and read back and cleared
 * right after it, so nothing else the program does (exec, the dynamic
 * loader, reading the kernel's ruleset) counts.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <linux/netlink.h>

#define SO_SET_REPLACE		64	/* IPT_ and IP6T_SO_SET_REPLACE */
#define NFNL_MSG_BATCH_BEGIN	NLMSG_MIN_TYPE

static int done;	/* the first matching call has been armed */

static const char *want(void)
{
	const char *c = getenv("FAILNTH_CALL");

	return c && *c ? c : "ruleset";
}

static void *real(const char *name)
{
	void *f = dlsym(RTLD_NEXT, name);

	if (!f) {
		fprintf(stderr, "failnth: no %s\n", name);
		abort();
	}
	return f;
}

static void report(const char *call, unsigned long armed, long left,
		   long ret, int err)
{
	const char *path = getenv("FAILNTH_REPORT");
	char line[160];
	int fd, len;

	if (!path || !*path)
		return;
	len = snprintf(line, sizeof(line),
		       "call=%s armed=%lu left=%ld ret=%ld errno=%d\n",
		       call, armed, left, ret, err);
	fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
	if (fd < 0)
		return;
	if (write(fd, line, len) != len)
		fprintf(stderr, "failnth: short write to %s\n", path);
	close(fd);
}

/*
 * Opens fail-nth and arms it with FAILNTH: the file, or -1 when there is
 * nothing to do, -2 for a matching call after the first (reported only).
 */
static int arm(unsigned long *n)
{
	const char *s = getenv("FAILNTH");
	char buf[24];
	int fd, len;

	if (!s || !*s)
		return -1;
	if (done)
		return -2;
	done = 1;
	*n = strtoul(s, NULL, 10);
	if (!*n)
		return -1;
	s = getenv("FAILNTH_FILE");
	if (s && *s)
		fd = open(s, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	else
		fd = open(s = "/proc/thread-self/fail-nth", O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		fprintf(stderr, "failnth: %s: %s\n", s, strerror(errno));
		exit(125);
	}
	len = snprintf(buf, sizeof(buf), "%lu", *n);
	if (write(fd, buf, len) != len) {
		fprintf(stderr, "failnth: arming fail-nth: %s\n",
			strerror(errno));
		exit(125);
	}
	return fd;
}

/* Reads what is left of the counter and disarms it. */
static long disarm(int fd)
{
	char buf[24];
	ssize_t len;
	long left;

	len = pread(fd, buf, sizeof(buf) - 1, 0);
	if (write(fd, "0", 1) != 1 || len <= 0) {
		fprintf(stderr, "failnth: reading fail-nth back failed\n");
		exit(125);
	}
	buf[len] = '\0';
	left = strtol(buf, NULL, 10);
	close(fd);
	return left;
}

/* The body of a wrapper: @expr is the real call, @name its report name. */
#define WRAP(name, expr) do {						\
	unsigned long n = 0;						\
	int fd = arm(&n), err;						\
	long ret, left = 0;						\
									\
	if (fd == -1)							\
		return (expr);						\
	ret = (expr);							\
	err = errno;							\
	if (fd >= 0)							\
		left = disarm(fd);					\
	report(name, n, left, ret, ret < 0 ? err : 0);			\
	errno = err;							\
	return ret;							\
} while (0)

static int nfnl_batch(int sock, const void *buf, size_t len)
{
	const struct nlmsghdr *nlh = buf;
	int v;
	socklen_t vl = sizeof(v);

	if (strcmp(want(), "ruleset") || len < sizeof(*nlh) ||
	    nlh->nlmsg_type != NFNL_MSG_BATCH_BEGIN)
		return 0;
	if (getsockopt(sock, SOL_SOCKET, SO_DOMAIN, &v, &vl) || v != AF_NETLINK)
		return 0;
	vl = sizeof(v);
	if (getsockopt(sock, SOL_SOCKET, SO_PROTOCOL, &v, &vl) ||
	    v != NETLINK_NETFILTER)
		return 0;
	return 1;
}

int setsockopt(int sock, int level, int opt, const void *val, socklen_t len)
{
	static int (*f)(int, int, int, const void *, socklen_t);

	if (!f)
		f = real("setsockopt");
	if ((level != SOL_IP && level != SOL_IPV6) || opt != SO_SET_REPLACE ||
	    strcmp(want(), "ruleset"))
		return f(sock, level, opt, val, len);
	WRAP("setsockopt", f(sock, level, opt, val, len));
}

ssize_t sendto(int sock, const void *buf, size_t len, int flags,
	       const struct sockaddr *to, socklen_t tolen)
{
	static ssize_t (*f)(int, const void *, size_t, int,
			    const struct sockaddr *, socklen_t);

	if (!f)
		f = real("sendto");
	if (!nfnl_batch(sock, buf, len))
		return f(sock, buf, len, flags, to, tolen);
	WRAP("sendto", f(sock, buf, len, flags, to, tolen));
}

ssize_t sendmsg(int sock, const struct msghdr *msg, int flags)
{
	static ssize_t (*f)(int, const struct msghdr *, int);

	if (!f)
		f = real("sendmsg");
	if (!msg->msg_iovlen ||
	    !nfnl_batch(sock, msg->msg_iov[0].iov_base, msg->msg_iov[0].iov_len))
		return f(sock, msg, flags);
	WRAP("sendmsg", f(sock, msg, flags));
}

int unshare(int flags)
{
	static int (*f)(int);

	if (!f)
		f = real("unshare");
	if (!(flags & CLONE_NEWNET) || strcmp(want(), "unshare"))
		return f(flags);
	WRAP("unshare", f(flags));
}
