// SPDX-License-Identifier: GPL-2.0-only
/*
 * vpnmss-probe: find the largest packet that gets through to a host, with
 * the DF bit set, even where ICMP "fragmentation needed" is filtered, and
 * print the MSS that goes into a VPNMSS rule.  See vpnmss-probe(8).
 *
 * A binary search between a floor and the interface MTU.  Each size ends
 * in one of: an answer (it fits); a local EMSGSIZE or an ICMP
 * "fragmentation needed" / "packet too big" read from the socket's error
 * queue (too big; the MTU it carries is tried next); or silence after
 * --tries sends of --wait each (too big: packetization-layer PMTUD,
 * RFC 4821/8899).  Modelled on iputils' tracepath and ping.
 */
#define _GNU_SOURCE
/* glibc's headers first: linux/libc-compat.h then skips what they define. */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <net/if.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>
#include <linux/errqueue.h>
#include <linux/icmp.h>
#include <linux/icmpv6.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/tcp.h>

#include "../include/vpnmss_profiles.h"

#ifndef IP_PMTUDISC_PROBE
#define IP_PMTUDISC_PROBE 3
#endif
#ifndef IPV6_PMTUDISC_PROBE
#define IPV6_PMTUDISC_PROBE 3
#endif
#ifndef ICMP_FILTER
#define ICMP_FILTER 1
#endif
#ifndef ICMPV6_FILTER
#define ICMPV6_FILTER 1
#endif

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define MAGIC 0x766d7370u	/* "vmsp": the start of every probe's payload */

enum { EXIT_FOUND = 0, EXIT_NOPATH = 1, EXIT_USAGE = 2 };
enum kind { K_ICMP, K_UDP, K_TCP };
/* The outcome of one size. */
enum res { R_FITS, R_LOCAL, R_ICMP, R_SILENT, R_UNREACH, R_BUDGET };

/* --- options and state ---------------------------------------------------- */

static struct {
	int af;			/* 0 until -4/-6 or the address decide */
	enum kind kind;
	unsigned int port;
	const char *iface;
	unsigned int min, max;	/* 0: the default */
	unsigned int link;
	const char *profile;
	const char *subnet;
	int numeric;
	unsigned int tries;
	double wait, interval, total;
	unsigned int max_probes;
	int verbose;
} opt = {
	.kind = K_ICMP, .tries = 3, .wait = 0.5, .interval = 0.05,
	.total = 60, .max_probes = 50,
};

static const char *prog = "vpnmss-probe";
static struct sockaddr_storage dst;
static socklen_t dstlen;
static char dststr[INET6_ADDRSTRLEN];
static unsigned int iphdr;	/* 20 or 40 */
static int sock = -1;		/* ICMP/UDP: one socket for the whole run */
static int rawsock;		/* ICMP over a raw socket (else datagram) */
static uint16_t icmp_id;
static uint16_t seq;
static unsigned int nprobes;
static double t_start, t_last;
static unsigned int size_sends;	/* the sends of the size being probed */
static double size_t0;		/* ... and the time of its first */

/* What ended the search above: the smallest size found too big. */
static enum res bad_res = R_FITS;
static unsigned int bad_info;		/* the MTU an ICMP or EMSGSIZE gave */
static char bad_from[INET6_ADDRSTRLEN];	/* the ICMP's sender */
/* The same for the last probe: an answer may follow a "too big". */
static unsigned int cur_info;
static char cur_from[INET6_ADDRSTRLEN];
static int unreach_type, unreach_code;
static unsigned int tcp_cap;		/* TCP: the largest size it can send */
static int tcp_peer;			/* ... because of the server's MSS */
static unsigned int ifmtu;		/* the outgoing interface's MTU */

static void usage_error(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nTry '%s --help'.\n", prog);
	exit(EXIT_USAGE);
}

static void fail(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(EXIT_NOPATH);
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void help(void)
{
	printf(
"Usage: %s [OPTIONS] HOST\n"
"Find the path MTU to HOST with DF-flagged probes, even where ICMP\n"
"\"fragmentation needed\" is filtered, and print the MSS for a VPNMSS rule.\n"
"\n"
"  -4, -6             IPv4 or IPv6 only (default: as HOST resolves)\n"
"  -I, --interface IF send through interface IF (SO_BINDTODEVICE)\n"
"      --icmp         ICMP echo probes (the default)\n"
"      --udp PORT     UDP probes to PORT: a reply or a port unreachable\n"
"      --tcp PORT     TCP: a connection to open PORT, one padded segment\n"
"      --min N        floor, assumed to fit once it answers (576; IPv6 1280)\n"
"      --max N        ceiling (default: the outgoing interface's MTU)\n"
"      --link MTU     with --profile: the link MTU under the tunnel\n"
"      --profile NAME also print the MSS of profile NAME@MTU; warn if it\n"
"                     does not fit the probed path MTU\n"
"      --profiles     list the profiles' MSS at --link MTU (1500) and exit\n"
"      --subnet CIDR  the subnet in the printed rule (default HOST/32, /128)\n"
"  -n, --numeric      no name lookups: HOST must be an address\n"
"      --tries N      sends of one size before silence means too big (3)\n"
"      --wait SECS    wait for an answer to each send (0.5)\n"
"      --interval SECS  at least this long between two sends (0.05, >= 0.01)\n"
"      --max-probes N stop after N sends in all (50, <= 1000)\n"
"      --timeout SECS stop after SECS in all (60)\n"
"  -v, --verbose      one line per probe on stderr\n"
"  -h, --help         this help\n"
"\n"
"Exit status: 0 path MTU found, 1 no path (no route, no answer, no socket),\n"
"2 bad arguments.\n", prog);
}

/* Parse an unsigned decimal in [lo, hi] or fail naming the option. */
static unsigned int parse_uint(const char *name, const char *s,
			       unsigned int lo, unsigned int hi)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (!*s || *end || errno || *s == '-' || v < lo || v > hi)
		usage_error("%s '%s': not a number from %u to %u", name, s, lo, hi);
	return (unsigned int)v;
}

static double parse_secs(const char *name, const char *s, double lo, double hi)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (!*s || *end || errno || !(v >= lo && v <= hi))
		usage_error("%s '%s': not a number of seconds from %g to %g",
			    name, s, lo, hi);
	return v;
}

static const struct vpnmss_profile *profile_find(const char *name)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(vpnmss_profiles); i++)
		if (!strcmp(vpnmss_profiles[i].name, name))
			return &vpnmss_profiles[i];
	return NULL;
}

static void list_profiles(unsigned int link)
{
	size_t i;

	printf("profile        inner-MTU@%u  MSS-IPv4  MSS-IPv6\n", link);
	for (i = 0; i < ARRAY_SIZE(vpnmss_profiles); i++) {
		int m = vpnmss_inner_mtu(&vpnmss_profiles[i], link);

		printf("%-14s %12d  %8d  %8d\n", vpnmss_profiles[i].name, m,
		       m - 40, m - 60);
	}
}

/* --- the route: outgoing interface and its MTU ------------------------------ */

/* The interface index the kernel's route to dst uses, 0 if none. */
static int route_oif(void)
{
	struct {
		struct nlmsghdr n;
		struct rtmsg r;
		char buf[64];
	} req;
	char reply[8192];
	struct rtattr *rta;
	struct nlmsghdr *h;
	int fd, len, oif = 0, alen;
	const void *a;

	memset(&req, 0, sizeof(req));
	req.n.nlmsg_len = NLMSG_LENGTH(sizeof(struct rtmsg));
	req.n.nlmsg_type = RTM_GETROUTE;
	req.n.nlmsg_flags = NLM_F_REQUEST;
	req.r.rtm_family = opt.af;
	if (opt.af == AF_INET) {
		a = &((struct sockaddr_in *)&dst)->sin_addr;
		alen = 4;
	} else {
		a = &((struct sockaddr_in6 *)&dst)->sin6_addr;
		alen = 16;
	}
	req.r.rtm_dst_len = alen * 8;
	rta = (struct rtattr *)((char *)&req + NLMSG_ALIGN(req.n.nlmsg_len));
	rta->rta_type = RTA_DST;
	rta->rta_len = RTA_LENGTH(alen);
	memcpy(RTA_DATA(rta), a, alen);
	req.n.nlmsg_len = NLMSG_ALIGN(req.n.nlmsg_len) + RTA_ALIGN(rta->rta_len);
	if (opt.iface) {
		rta = (struct rtattr *)((char *)&req + req.n.nlmsg_len);
		rta->rta_type = RTA_OIF;
		rta->rta_len = RTA_LENGTH(4);
		oif = (int)if_nametoindex(opt.iface);
		memcpy(RTA_DATA(rta), &oif, 4);
		req.n.nlmsg_len += RTA_ALIGN(rta->rta_len);
		oif = 0;
	}

	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	if (fd < 0)
		fail("netlink socket: %s", strerror(errno));
	if (send(fd, &req, req.n.nlmsg_len, 0) < 0)
		fail("netlink: %s", strerror(errno));
	len = (int)recv(fd, reply, sizeof(reply), 0);
	close(fd);
	if (len < 0)
		fail("netlink: %s", strerror(errno));
	for (h = (struct nlmsghdr *)reply; NLMSG_OK(h, (unsigned int)len);
	     h = NLMSG_NEXT(h, len)) {
		struct rtmsg *r;
		int rl;

		if (h->nlmsg_type == NLMSG_ERROR) {
			struct nlmsgerr *e = NLMSG_DATA(h);

			errno = -e->error;
			return 0;
		}
		if (h->nlmsg_type != RTM_NEWROUTE)
			continue;
		r = NLMSG_DATA(h);
		rl = RTM_PAYLOAD(h);
		for (rta = RTM_RTA(r); RTA_OK(rta, rl); rta = RTA_NEXT(rta, rl))
			if (rta->rta_type == RTA_OIF)
				memcpy(&oif, RTA_DATA(rta), 4);
		if (r->rtm_type == RTN_UNREACHABLE || r->rtm_type == RTN_BLACKHOLE ||
		    r->rtm_type == RTN_PROHIBIT) {
			errno = r->rtm_type == RTN_PROHIBIT ? EACCES : ENETUNREACH;
			return 0;
		}
	}
	if (!oif)
		errno = ENETUNREACH;
	return oif;
}

static unsigned int if_mtu(const char *name)
{
	struct ifreq ifr;
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", name);
	if (fd < 0 || ioctl(fd, SIOCGIFMTU, &ifr) < 0)
		fail("interface %s: %s", name, strerror(errno));
	close(fd);
	return (unsigned int)ifr.ifr_mtu;
}

/* --- sockets ----------------------------------------------------------------- */

static void set_pmtu(int fd, int v4, int v6)
{
	int on = 1;

	if (opt.af == AF_INET) {
		if (setsockopt(fd, IPPROTO_IP, IP_MTU_DISCOVER, &v4, sizeof(v4)) < 0 ||
		    setsockopt(fd, IPPROTO_IP, IP_RECVERR, &on, sizeof(on)) < 0)
			fail("IP_MTU_DISCOVER/IP_RECVERR: %s", strerror(errno));
	} else {
		if (setsockopt(fd, IPPROTO_IPV6, IPV6_MTU_DISCOVER, &v6, sizeof(v6)) < 0 ||
		    setsockopt(fd, IPPROTO_IPV6, IPV6_RECVERR, &on, sizeof(on)) < 0)
			fail("IPV6_MTU_DISCOVER/IPV6_RECVERR: %s", strerror(errno));
		if (opt.kind != K_TCP)
			setsockopt(fd, IPPROTO_IPV6, IPV6_DONTFRAG, &on, sizeof(on));
	}
	if (opt.iface &&
	    setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, opt.iface,
		       strlen(opt.iface) + 1) < 0)
		fail("-I %s: SO_BINDTODEVICE: %s", opt.iface, strerror(errno));
}

static void open_icmp(void)
{
	int proto = opt.af == AF_INET ? IPPROTO_ICMP : IPPROTO_ICMPV6;
	int e1;

	/* Unprivileged first (net.ipv4.ping_group_range), then raw. */
	sock = socket(opt.af, SOCK_DGRAM | SOCK_CLOEXEC, proto);
	if (sock < 0) {
		e1 = errno;
		sock = socket(opt.af, SOCK_RAW | SOCK_CLOEXEC, proto);
		if (sock < 0)
			fail("no ICMP socket: datagram: %s (net.ipv4.ping_group_range); raw: %s (needs CAP_NET_RAW); try --udp or --tcp",
			     strerror(e1), strerror(errno));
		rawsock = 1;
		icmp_id = (uint16_t)(getpid() ^ (unsigned int)(now() * 1000));
		if (opt.af == AF_INET) {
			/* Only echo replies as data: errors come as errors. */
			uint32_t filt = ~(1u << ICMP_ECHOREPLY);

			setsockopt(sock, SOL_RAW, ICMP_FILTER, &filt, sizeof(filt));
		} else {
			struct icmp6_filter f;

			memset(&f, 0xff, sizeof(f));	/* block all ... */
			f.data[ICMPV6_ECHO_REPLY >> 5] &=
				~(1u << (ICMPV6_ECHO_REPLY & 31));
			setsockopt(sock, IPPROTO_ICMPV6, ICMPV6_FILTER, &f, sizeof(f));
		}
	}
	set_pmtu(sock, IP_PMTUDISC_PROBE, IPV6_PMTUDISC_PROBE);
	if (connect(sock, (struct sockaddr *)&dst, dstlen) < 0)
		fail("connect %s: %s", dststr, strerror(errno));
	if (!rawsock) {
		struct sockaddr_storage ss;
		socklen_t l = sizeof(ss);

		getsockname(sock, (struct sockaddr *)&ss, &l);
		icmp_id = ntohs(opt.af == AF_INET ?
				((struct sockaddr_in *)&ss)->sin_port :
				((struct sockaddr_in6 *)&ss)->sin6_port);
	}
}

static void open_udp(void)
{
	sock = socket(opt.af, SOCK_DGRAM | SOCK_CLOEXEC, IPPROTO_UDP);
	if (sock < 0)
		fail("UDP socket: %s", strerror(errno));
	set_pmtu(sock, IP_PMTUDISC_PROBE, IPV6_PMTUDISC_PROBE);
	if (connect(sock, (struct sockaddr *)&dst, dstlen) < 0)
		fail("connect %s: %s", dststr, strerror(errno));
}

static uint16_t csum(const void *p, size_t n)
{
	const uint8_t *b = p;
	uint32_t s = 0;

	for (; n > 1; n -= 2, b += 2)
		s += (uint32_t)b[0] << 8 | b[1];
	if (n)
		s += (uint32_t)b[0] << 8;
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return htons((uint16_t)~s);
}

/* --- one size ---------------------------------------------------------------- */

static uint16_t seq_size[65536];	/* the size each sequence number probed */

/*
 * Read the error queue.  Returns 1 with *res set if the entry concerns
 * size n (or cannot be told apart), 0 if stale, -1 if empty.
 */
static int read_errqueue(unsigned int n, enum res *res)
{
	char data[2048], cbuf[512];
	struct sockaddr_storage from;
	struct iovec iov = { data, sizeof(data) };
	struct msghdr m = { 0 };
	struct cmsghdr *c;
	struct sock_extended_err *ee = NULL;
	ssize_t len;

	m.msg_name = &from;
	m.msg_namelen = sizeof(from);
	m.msg_iov = &iov;
	m.msg_iovlen = 1;
	m.msg_control = cbuf;
	m.msg_controllen = sizeof(cbuf);
	len = recvmsg(sock, &m, MSG_ERRQUEUE | MSG_DONTWAIT);
	if (len < 0)
		return -1;
	for (c = CMSG_FIRSTHDR(&m); c; c = CMSG_NXTHDR(&m, c))
		if ((c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_RECVERR) ||
		    (c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_RECVERR))
			ee = (struct sock_extended_err *)CMSG_DATA(c);
	if (!ee)
		return 0;
	/* Our own send's EMSGSIZE, the MTU of the local route in ee_info. */
	if (ee->ee_origin == SO_EE_ORIGIN_LOCAL) {
		if (ee->ee_errno != EMSGSIZE)
			return 0;
		*res = R_LOCAL;
		cur_info = ee->ee_info;
		return 1;
	}
	/* Which probe: ICMP has its sequence number, UDP our tag, if quoted. */
	if (opt.kind == K_ICMP && len >= 8) {
		uint16_t s = (uint16_t)((uint8_t)data[6] << 8 | (uint8_t)data[7]);

		if (seq_size[s] != n)
			return 0;
	} else if (opt.kind == K_UDP && len >= 8) {
		uint32_t mg, sz;

		memcpy(&mg, data, 4);
		memcpy(&sz, data + 4, 4);
		if (ntohl(mg) == MAGIC && ntohl(sz) != n)
			return 0;
	}
	cur_from[0] = 0;
	if (ee->ee_origin == SO_EE_ORIGIN_ICMP || ee->ee_origin == SO_EE_ORIGIN_ICMP6) {
		struct sockaddr *off = SO_EE_OFFENDER(ee);

		if (off->sa_family == AF_INET)
			inet_ntop(AF_INET, &((struct sockaddr_in *)off)->sin_addr,
				  cur_from, sizeof(cur_from));
		else if (off->sa_family == AF_INET6)
			inet_ntop(AF_INET6, &((struct sockaddr_in6 *)off)->sin6_addr,
				  cur_from, sizeof(cur_from));
	}
	if ((ee->ee_origin == SO_EE_ORIGIN_ICMP && ee->ee_type == ICMP_DEST_UNREACH &&
	     ee->ee_code == ICMP_FRAG_NEEDED) ||
	    (ee->ee_origin == SO_EE_ORIGIN_ICMP6 && ee->ee_type == ICMPV6_PKT_TOOBIG)) {
		*res = R_ICMP;
		cur_info = ee->ee_info;
		return 1;
	}
	/* A port unreachable from HOST itself: the probe got there. */
	if (opt.kind == K_UDP &&
	    ((ee->ee_origin == SO_EE_ORIGIN_ICMP && ee->ee_type == ICMP_DEST_UNREACH &&
	      ee->ee_code == ICMP_PORT_UNREACH) ||
	     (ee->ee_origin == SO_EE_ORIGIN_ICMP6 && ee->ee_type == ICMPV6_DEST_UNREACH &&
	      ee->ee_code == ICMPV6_PORT_UNREACH))) {
		*res = R_FITS;
		return 1;
	}
	if (ee->ee_origin == SO_EE_ORIGIN_ICMP || ee->ee_origin == SO_EE_ORIGIN_ICMP6) {
		*res = R_UNREACH;
		unreach_type = ee->ee_type;
		unreach_code = ee->ee_code;
		return 1;
	}
	return 0;
}

/* Read one datagram; 1 if it answers size n. */
static int read_answer(unsigned int n)
{
	uint8_t buf[65536];
	ssize_t len = recv(sock, buf, sizeof(buf), MSG_DONTWAIT);
	const uint8_t *p = buf;
	uint16_t s;

	if (len < 0)
		return 0;
	if (opt.kind == K_UDP) {
		uint32_t mg, sz;

		if (len < 8)
			return 1;	/* a responder's own reply */
		memcpy(&mg, buf, 4);
		memcpy(&sz, buf + 4, 4);
		return ntohl(mg) != MAGIC || ntohl(sz) == n;
	}
	if (rawsock && opt.af == AF_INET) {
		unsigned int hl = (buf[0] & 15) * 4;

		if (len < (ssize_t)hl + 8)
			return 0;
		p += hl;
		len -= hl;
	}
	if (len < 8)
		return 0;
	if (p[0] != (opt.af == AF_INET ? ICMP_ECHOREPLY : ICMPV6_ECHO_REPLY))
		return 0;
	if (rawsock && (uint16_t)(p[4] << 8 | p[5]) != icmp_id)
		return 0;
	s = (uint16_t)(p[6] << 8 | p[7]);
	return seq_size[s] == n;
}

static void pace(void)
{
	double t = now(), next = t_last + opt.interval;

	if (nprobes && t < next) {
		struct timespec ts = { (time_t)(next - t),
				       (long)((next - t - (time_t)(next - t)) * 1e9) };

		nanosleep(&ts, NULL);
	}
	t_last = now();
	if (!size_sends++)
		size_t0 = t_last;
}

static int budget_left(void)
{
	return nprobes < opt.max_probes && now() - t_start < opt.total;
}

/* Send one ICMP or UDP datagram making an IP packet of n bytes. */
static int send_dgram(unsigned int n)
{
	static uint8_t pkt[65536];
	unsigned int len = n - iphdr;
	uint32_t v;

	memset(pkt, 0, len);
	if (opt.kind == K_UDP) {
		len -= 8;
		v = htonl(MAGIC);
		memcpy(pkt, &v, 4);
		v = htonl(n);
		memcpy(pkt + 4, &v, 4);
	} else {
		seq++;
		seq_size[seq] = (uint16_t)n;
		pkt[0] = opt.af == AF_INET ? ICMP_ECHO : ICMPV6_ECHO_REQUEST;
		pkt[4] = icmp_id >> 8;
		pkt[5] = icmp_id & 0xff;
		pkt[6] = seq >> 8;
		pkt[7] = seq & 0xff;
		v = htonl(MAGIC);
		memcpy(pkt + 8, &v, 4);
		v = htonl(n);
		memcpy(pkt + 12, &v, 4);
		if (rawsock && opt.af == AF_INET) {
			uint16_t c = csum(pkt, len);

			memcpy(pkt + 2, &c, 2);
		}
	}
	pace();
	nprobes++;
	if (send(sock, pkt, len, 0) >= 0)
		return 0;
	return errno;
}

static enum res probe_dgram(unsigned int n)
{
	unsigned int t;
	enum res r;
	char c;

	while (read_errqueue(0, &r) >= 0)	/* stale errors */
		;
	while (recv(sock, &c, sizeof(c), MSG_DONTWAIT | MSG_TRUNC) >= 0)
		;	/* stale answers */
	cur_info = 0;
	cur_from[0] = 0;
	for (t = 0; t < opt.tries; t++) {
		double until;
		int e;

		if (!budget_left())
			return R_BUDGET;	/* not an answer either way */
		e = send_dgram(n);

		if (e == EMSGSIZE) {
			cur_info = 0;
			while (read_errqueue(n, &r) == 0)
				;
			return R_LOCAL;
		}
		if (e && e != ECONNREFUSED && e != EHOSTUNREACH &&
		    e != ENETUNREACH && e != EACCES)
			fail("send %u bytes to %s: %s", n, dststr, strerror(e));
		until = now() + opt.wait;
		for (;;) {
			struct pollfd pfd = { sock, POLLIN, 0 };
			double left = until - now();
			int rc;

			if (left <= 0)
				break;
			rc = poll(&pfd, 1, (int)(left * 1000) + 1);
			if (rc < 0 && errno != EINTR)
				fail("poll: %s", strerror(errno));
			if (rc <= 0)
				continue;
			if (pfd.revents & POLLERR) {
				int k;

				while ((k = read_errqueue(n, &r)) >= 0)
					if (k == 1)
						return r;
			}
			if ((pfd.revents & POLLIN) && read_answer(n))
				return R_FITS;
		}
	}
	return R_SILENT;
}

/*
 * TCP: a new connection for each size, its MSS set so that one full
 * segment is an IP packet of n bytes; the size fits if the segment is
 * acknowledged.  The kernel keeps ICMP frag-needed to itself (it lowers
 * the connection's MSS and resends smaller): its path MTU, read back
 * with TCP_INFO, is how the probe sees one.
 */
static enum res probe_tcp(unsigned int n)
{
	struct tcp_info ti;
	socklen_t l = sizeof(ti);
	int fd, on = 1, mss, v4 = IP_PMTUDISC_DO, v6 = IPV6_PMTUDISC_DO;
	unsigned int opts, full, len, i;
	char *buf;
	double until, ct;
	uint64_t acked0;
	struct timeval tv;

	fd = socket(opt.af, SOCK_STREAM | SOCK_CLOEXEC, IPPROTO_TCP);
	if (fd < 0)
		fail("TCP socket: %s", strerror(errno));
	set_pmtu(fd, v4, v6);
	mss = (int)(n - iphdr - 20);
	if (setsockopt(fd, IPPROTO_TCP, TCP_MAXSEG, &mss, sizeof(mss)) < 0)
		fail("TCP_MAXSEG %d: %s", mss, strerror(errno));
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof(on));
	/* A connect without an answer gives up, as a blocking one would not. */
	ct = opt.wait * opt.tries < 3 ? 3 : opt.wait * opt.tries;
	tv.tv_sec = (time_t)ct;
	tv.tv_usec = (suseconds_t)((ct - (double)tv.tv_sec) * 1e6);
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	pace();
	nprobes++;
	if (connect(fd, (struct sockaddr *)&dst, dstlen) < 0) {
		if (errno == EINPROGRESS || errno == EAGAIN)
			fail("connect to %s port %u: no answer in %.1f s", dststr,
			     opt.port, ct);
		fail("connect to %s port %u: %s", dststr, opt.port, strerror(errno));
	}
	memset(&ti, 0, sizeof(ti));
	getsockopt(fd, IPPROTO_TCP, TCP_INFO, &ti, &l);
	if (ti.tcpi_pmtu && ti.tcpi_pmtu < n && ti.tcpi_pmtu >= ifmtu) {
		/* Above the interface's MTU. */
		close(fd);
		tcp_cap = ti.tcpi_pmtu;
		tcp_peer = 0;
		return R_LOCAL;
	}
	if (ti.tcpi_pmtu && ti.tcpi_pmtu < n) {
		/* The kernel already knows a smaller path MTU (an earlier ICMP). */
		close(fd);
		cur_info = ti.tcpi_pmtu;
		cur_from[0] = 0;
		return R_ICMP;
	}
	opts = ti.tcpi_options & TCPI_OPT_TIMESTAMPS ? 12 : 0;
	full = iphdr + 20 + opts + ti.tcpi_snd_mss;
	if (full < n) {
		/* The server's MSS allows no more than this. */
		tcp_cap = full;
		tcp_peer = 1;
		close(fd);
		return R_LOCAL;
	}
	len = ti.tcpi_snd_mss;
	buf = malloc(len);
	if (!buf)
		fail("out of memory");
	i = (unsigned int)snprintf(buf, len, "GET / HTTP/1.0\r\nX-Vpnmss-Probe: ");
	if (i > len)
		i = len;
	memset(buf + i, 'a', len - i);
	if (len >= i + 4)
		memcpy(buf + len - 4, "\r\n\r\n", 4);
	acked0 = ti.tcpi_bytes_acked;
	if (send(fd, buf, len, 0) != (ssize_t)len)
		fail("send to %s port %u: %s", dststr, opt.port, strerror(errno));
	free(buf);
	until = now() + opt.wait * opt.tries;
	while (now() < until) {
		struct timespec ts = { 0, 10 * 1000 * 1000 };

		l = sizeof(ti);
		getsockopt(fd, IPPROTO_TCP, TCP_INFO, &ti, &l);
		if (ti.tcpi_pmtu && ti.tcpi_pmtu < n) {
			close(fd);
			cur_info = ti.tcpi_pmtu;
			cur_from[0] = 0;
			return R_ICMP;
		}
		if (ti.tcpi_bytes_acked - acked0 >= len) {
			close(fd);
			return R_FITS;
		}
		nanosleep(&ts, NULL);
	}
	close(fd);
	return R_SILENT;
}

static enum res probe(unsigned int n)
{
	enum res r;

	cur_info = 0;
	cur_from[0] = 0;
	size_sends = 0;
	r = opt.kind == K_TCP ? probe_tcp(n) : probe_dgram(n);
	if (r != R_FITS) {
		bad_info = cur_info;
		memcpy(bad_from, cur_from, sizeof(bad_from));
	}

	/* The sends and the time from the first: an answer slower than
	 * --wait shows as a size answered after more than one send. */
	if (opt.verbose)
		fprintf(stderr, "%s: %u: %s (%u send%s, %.3f s)\n", prog, n,
			r == R_FITS ? "answer" : r == R_LOCAL ? "too big locally" :
			r == R_ICMP ? "ICMP too big" : r == R_SILENT ? "no answer" :
			r == R_BUDGET ? "stopped" : "unreachable",
			size_sends, size_sends == 1 ? "" : "s",
			size_sends ? now() - size_t0 : 0.0);
	return r;
}

static const char *unreach_name(void)
{
	static char b[64];

	if (opt.af == AF_INET && unreach_type == ICMP_DEST_UNREACH)
		switch (unreach_code) {
		case ICMP_NET_UNREACH: return "network unreachable";
		case ICMP_HOST_UNREACH: return "host unreachable";
		case ICMP_PROT_UNREACH: return "protocol unreachable";
		case ICMP_PORT_UNREACH: return "port unreachable";
		case ICMP_NET_ANO: case ICMP_HOST_ANO: case ICMP_PKT_FILTERED:
			return "administratively prohibited";
		}
	if (opt.af == AF_INET6 && unreach_type == ICMPV6_DEST_UNREACH)
		switch (unreach_code) {
		case ICMPV6_NOROUTE: return "no route";
		case ICMPV6_ADM_PROHIBITED: return "administratively prohibited";
		case ICMPV6_ADDR_UNREACH: return "address unreachable";
		case ICMPV6_PORT_UNREACH: return "port unreachable";
		}
	snprintf(b, sizeof(b), "ICMP type %d code %d", unreach_type, unreach_code);
	return b;
}

/* --- main ---------------------------------------------------------------------- */

static void resolve(const char *host)
{
	struct addrinfo hints = { 0 }, *ai;
	int rc;

	hints.ai_family = opt.af;
	hints.ai_socktype = SOCK_DGRAM;
	hints.ai_flags = opt.numeric ? AI_NUMERICHOST : 0;
	rc = getaddrinfo(host, NULL, &hints, &ai);
	if (rc) {
		if (opt.numeric || rc == EAI_NONAME)
			usage_error("HOST '%s': %s", host, opt.numeric ?
				    "not a numeric address (-n)" : gai_strerror(rc));
		fail("HOST '%s': %s", host, gai_strerror(rc));
	}
	memcpy(&dst, ai->ai_addr, ai->ai_addrlen);
	dstlen = ai->ai_addrlen;
	opt.af = ai->ai_family;
	freeaddrinfo(ai);
	if (opt.af == AF_INET) {
		((struct sockaddr_in *)&dst)->sin_port = htons(opt.port);
		inet_ntop(AF_INET, &((struct sockaddr_in *)&dst)->sin_addr,
			  dststr, sizeof(dststr));
	} else {
		((struct sockaddr_in6 *)&dst)->sin6_port = htons(opt.port);
		inet_ntop(AF_INET6, &((struct sockaddr_in6 *)&dst)->sin6_addr,
			  dststr, sizeof(dststr));
	}
}

/* Check --subnet: ADDR/PLEN of HOST's family. */
static void check_subnet(const char *s)
{
	char a[64];
	const char *slash = strchr(s, '/');
	unsigned char buf[16];
	unsigned int max = opt.af == AF_INET ? 32 : 128;

	if (!slash || (size_t)(slash - s) >= sizeof(a))
		usage_error("--subnet '%s': not ADDRESS/PREFIXLEN", s);
	memcpy(a, s, slash - s);
	a[slash - s] = 0;
	if (inet_pton(opt.af, a, buf) != 1)
		usage_error("--subnet '%s': not an %s address/prefix, as HOST is",
			    s, opt.af == AF_INET ? "IPv4" : "IPv6");
	parse_uint("--subnet prefix length", slash + 1, 0, max);
}

int main(int argc, char **argv)
{
	enum { O_ICMP = 256, O_UDP, O_TCP, O_MIN, O_MAX, O_LINK, O_PROFILE,
	       O_PROFILES, O_SUBNET, O_TRIES, O_WAIT, O_INTERVAL, O_MAXPROBES,
	       O_TIMEOUT };
	static const struct option lo[] = {
		{ "interface", required_argument, 0, 'I' },
		{ "icmp", no_argument, 0, O_ICMP },
		{ "udp", required_argument, 0, O_UDP },
		{ "tcp", required_argument, 0, O_TCP },
		{ "min", required_argument, 0, O_MIN },
		{ "max", required_argument, 0, O_MAX },
		{ "link", required_argument, 0, O_LINK },
		{ "profile", required_argument, 0, O_PROFILE },
		{ "profiles", no_argument, 0, O_PROFILES },
		{ "subnet", required_argument, 0, O_SUBNET },
		{ "numeric", no_argument, 0, 'n' },
		{ "tries", required_argument, 0, O_TRIES },
		{ "wait", required_argument, 0, O_WAIT },
		{ "interval", required_argument, 0, O_INTERVAL },
		{ "max-probes", required_argument, 0, O_MAXPROBES },
		{ "timeout", required_argument, 0, O_TIMEOUT },
		{ "verbose", no_argument, 0, 'v' },
		{ "help", no_argument, 0, 'h' },
		{ 0, 0, 0, 0 }
	};
	const struct vpnmss_profile *prof = NULL;
	char ifname[IF_NAMESIZE] = "";
	unsigned int floor_, ceil_, good, bad, next, hint = 0, mss;
	int c, kinds = 0, profiles = 0;
	enum res r;
	double secs;

	while ((c = getopt_long(argc, argv, "46I:nvh", lo, NULL)) != -1) {
		switch (c) {
		case '4': opt.af = AF_INET; break;
		case '6': opt.af = AF_INET6; break;
		case 'I':
			if (!*optarg || strlen(optarg) >= IF_NAMESIZE ||
			    !if_nametoindex(optarg))
				usage_error("-I '%s': no such interface", optarg);
			opt.iface = optarg;
			break;
		case O_ICMP: opt.kind = K_ICMP; kinds++; break;
		case O_UDP:
			opt.kind = K_UDP; kinds++;
			opt.port = parse_uint("--udp", optarg, 1, 65535);
			break;
		case O_TCP:
			opt.kind = K_TCP; kinds++;
			opt.port = parse_uint("--tcp", optarg, 1, 65535);
			break;
		case O_MIN: opt.min = parse_uint("--min", optarg, 68, 65535); break;
		case O_MAX: opt.max = parse_uint("--max", optarg, 68, 65535); break;
		case O_LINK: opt.link = parse_uint("--link", optarg, 68, 65535); break;
		case O_PROFILE:
			prof = profile_find(optarg);
			if (!prof)
				usage_error("--profile '%s': no such profile (--profiles lists them)",
					    optarg);
			opt.profile = optarg;
			break;
		case O_PROFILES: profiles = 1; break;
		case O_SUBNET: opt.subnet = optarg; break;
		case 'n': opt.numeric = 1; break;
		case O_TRIES: opt.tries = parse_uint("--tries", optarg, 1, 10); break;
		case O_WAIT: opt.wait = parse_secs("--wait", optarg, 0.01, 10); break;
		case O_INTERVAL:
			opt.interval = parse_secs("--interval", optarg, 0.01, 60);
			break;
		case O_MAXPROBES:
			opt.max_probes = parse_uint("--max-probes", optarg, 1, 1000);
			break;
		case O_TIMEOUT:
			opt.total = parse_secs("--timeout", optarg, 0.1, 3600);
			break;
		case 'v': opt.verbose = 1; break;
		case 'h': help(); return EXIT_FOUND;
		default:
			fprintf(stderr, "Try '%s --help'.\n", prog);
			return EXIT_USAGE;
		}
	}
	if (profiles) {
		list_profiles(opt.link ? opt.link : 1500);
		return EXIT_FOUND;
	}
	if (kinds > 1)
		usage_error("--icmp, --udp and --tcp: choose one");
	if (!!opt.link != !!opt.profile)
		usage_error("%s: --link MTU and --profile NAME go together",
			    opt.link ? "--link" : "--profile");
	if (optind >= argc)
		usage_error("no HOST");
	if (optind + 1 < argc)
		usage_error("'%s': one HOST only", argv[optind + 1]);
	resolve(argv[optind]);
	iphdr = opt.af == AF_INET ? 20 : 40;
	if (opt.subnet)
		check_subnet(opt.subnet);

	floor_ = opt.min ? opt.min : opt.af == AF_INET ? 576 : 1280;
	if (opt.af == AF_INET6 && floor_ < 1280)
		usage_error("--min %u: below IPv6's minimum MTU, 1280", floor_);
	if (opt.kind == K_TCP && floor_ < iphdr + 20 + 88 + 12)
		usage_error("--min %u: below what a TCP probe can send (%u)",
			    floor_, iphdr + 20 + 88 + 12);

	t_start = now();
	if (opt.iface) {
		snprintf(ifname, sizeof(ifname), "%s", opt.iface);
	} else {
		int oif = route_oif();

		if (!oif || !if_indextoname((unsigned int)oif, ifname))
			fail("no route to %s: %s", dststr, strerror(errno));
	}
	ifmtu = if_mtu(ifname);
	ceil_ = opt.max ? opt.max : ifmtu;
	if (floor_ > ceil_)
		usage_error("--min %u is above the ceiling %u (%s)", floor_, ceil_,
			    opt.max ? "--max" : ifname);

	if (opt.kind == K_ICMP)
		open_icmp();
	else if (opt.kind == K_UDP)
		open_udp();

	/* The floor must answer, or there is no path at all. */
	r = probe(floor_);
	if (r == R_UNREACH)
		fail("%s: %s (from %s)", dststr, unreach_name(),
		     bad_from[0] ? bad_from : "?");
	if (r == R_LOCAL && opt.kind == K_TCP && tcp_peer)
		fail("%s port %u: the floor %u is above what the server's MSS allows (%u): lower --min",
		     dststr, opt.port, floor_, tcp_cap);
	if (r == R_LOCAL)
		fail("%s: the floor %u is too big for %s (local MTU %u): lower --min",
		     dststr, floor_, ifname, opt.kind == K_TCP ? tcp_cap :
		     bad_info ? bad_info : ifmtu);
	if (r == R_ICMP)
		fail("%s: the floor %u is too big: ICMP %s from %s (MTU %u): lower --min",
		     dststr, floor_, opt.af == AF_INET ? "fragmentation needed" :
		     "packet too big", bad_from[0] ? bad_from : "the kernel's path MTU",
		     bad_info);
	if (r != R_FITS)
		fail("%s: no answer at the floor size %u via %s (no ICMP either): unreachable, or %s filtered",
		     dststr, floor_, ifname, opt.kind == K_ICMP ? "ICMP echo" :
		     opt.kind == K_UDP ? "UDP" : "TCP");
	good = floor_;
	bad = ceil_ + 1;
	next = ceil_;
	while (bad - good > 1 && budget_left()) {
		r = probe(next);
		if (r == R_BUDGET)
			break;
		if (r == R_UNREACH)
			fail("%s: %s at %u bytes (from %s)", dststr, unreach_name(),
			     next, bad_from[0] ? bad_from : "?");
		hint = 0;
		if (r == R_FITS) {
			good = next;
		} else {
			unsigned int m = 0;

			bad = next;
			bad_res = r;
			/*
			 * The MTU an ICMP, the local route or the server's MSS
			 * gives is a bound: everything above it fails there.
			 * It is tried next.
			 */
			if (r == R_LOCAL && opt.kind == K_TCP)
				m = tcp_cap;
			else if (r == R_ICMP || r == R_LOCAL)
				m = bad_info;
			if (m >= good && m < bad) {
				bad = m + 1;
				if (m > good)
					hint = m;
			}
		}
		next = hint ? hint : good + (bad - good) / 2;
	}
	secs = now() - t_start;

	printf("path MTU to %s via %s: %u (probed %u..%u, %u probes, %.1f s)\n",
	       dststr, ifname, good, floor_, ceil_, nprobes, secs);
	if (bad - good > 1) {
		printf("  %u..%u untested: stopped by %s; %u is a lower bound\n",
		       good + 1, bad - 1,
		       nprobes >= opt.max_probes ? "--max-probes" : "--timeout", good);
	} else if (bad > ceil_) {
		printf("  %u is the ceiling (%s)\n", ceil_,
		       opt.max ? "--max" : "the interface MTU");
	} else if (bad_res == R_SILENT) {
		printf("  %u and above: no answer (no ICMP either: a black hole)\n", bad);
	} else if (bad_res == R_ICMP) {
		if (bad_from[0])
			printf("  %u and above: ICMP %s from %s (MTU %u)\n", bad,
			       opt.af == AF_INET ? "fragmentation needed" :
			       "packet too big", bad_from, bad_info);
		else
			printf("  %u and above: too big, the kernel's path MTU is %u (an ICMP %s)\n",
			       bad, bad_info, opt.af == AF_INET ?
			       "fragmentation needed" : "packet too big");
	} else if (opt.kind == K_TCP && tcp_peer) {
		printf("  %u and above: beyond the server's MSS (%u bytes at most)\n",
		       bad, tcp_cap);
	} else {
		printf("  %u and above: too big for %s (local MTU %u)\n", bad,
		       ifname, opt.kind == K_TCP ? tcp_cap : bad_info ? bad_info : ifmtu);
	}
	mss = good - iphdr - 20;
	printf("MSS: %u (%s)\n", mss, opt.af == AF_INET ? "IPv4" : "IPv6");
	if (prof) {
		int inner = vpnmss_inner_mtu(prof, opt.link);
		int pmss = inner - (int)iphdr - 20;

		printf("profile %s@%u: MSS %d (inner MTU %d)", opt.profile,
		       opt.link, pmss, inner);
		if (pmss > (int)mss)
			printf("\nwarning: %s@%u does not fit: its MSS %d is above the probed %u\n",
			       opt.profile, opt.link, pmss, mss);
		else if (pmss == (int)mss)
			printf(": the probed value\n");
		else
			printf(": fits, %u below the probed value\n", mss - pmss);
	}
	if (opt.subnet)
		printf("rule: --vpn-mss %s=%u\n", opt.subnet, mss);
	else
		printf("rule: --vpn-mss %s/%u=%u\n", dststr,
		       opt.af == AF_INET ? 32 : 128, mss);
	return EXIT_FOUND;
}
