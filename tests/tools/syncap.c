// SPDX-License-Identifier: GPL-2.0-only
/*
 * syncap: print one line per TCP segment arriving on an interface, with the
 * MSS option(s) as Linux would read them and the checksum status.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <net/if.h>
#include <net/if_arp.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <linux/virtio_net.h>

#include "common.h"

#define BUFSZ		(256 * 1024)
#define MAX_MSS		TCP_OPT_MSS_MAX

static const char syncap_usage[] =
"usage: syncap -i IFACE [options]\n"
"  -n COUNT         exit after COUNT matching segments\n"
"  -t MS            overall timeout in milliseconds\n"
"  --port N         only segments with source or destination port N\n"
"  --syn            only segments with SYN set\n"
"  --count          print only count=N at the end\n"
"  --ready FILE     create FILE once the socket is bound\n"
"  --dir DIR        in (default), out or any: direction of packets\n"
"  --gso            append gso=N (GSO segment size, 0 if none)\n"
"  --complete       complete the checksum of a CHECKSUM_PARTIAL segment as\n"
"                   the device would, and report csum=partial-ok|partial-bad\n"
"exit status: 0 if COUNT was reached or no -n was given, 1 otherwise; the\n"
"  packets the socket dropped (if any) are counted on stderr at the end\n"
"line: src= dst= sport= dport= flags= mss= csum= len= l4hex=\n"
"  len = TCP payload bytes (all bytes after the IP headers when the TCP\n"
"  header is truncated or its data offset is below 5).\n"
"  mss = the MSS options as the receiver's tcp_parse_options() reads them:\n"
"    N[,N...]     the values of the MSS options (length 4) it parsed\n"
"    none         no MSS option before the walk ended (EOL or the end)\n"
"    ...,malformed  the walk stopped at a malformed option (a length below\n"
"                 2 or past the end, or a kind without room for a length);\n"
"                 the values before it count, nothing after it does\n"
"    malformed    the same with no MSS option before it, or a data offset\n"
"                 below 5\n"
"    truncated    the header (data offset) runs past the captured segment\n"
"  csum = ok|bad|partial|partial-ok|partial-bad|n/a.  Non-first fragments\n"
"  print src= dst= frag off= mf= len= l4hex= and pass all filters.\n";

enum { DIR_IN, DIR_OUT, DIR_ANY };

struct cfg {
	int port;		/* -1: any */
	int syn;
	int count_only;
	int dir;
	int gso;
	int complete;
};

struct meta {
	int partial;		/* TP_STATUS_CSUMNOTREADY */
	unsigned int gso_size;
};

static volatile sig_atomic_t stop;
static char line[2 * BUFSZ + 512];

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static int link_hlen(int fd, const char *ifname)
{
	struct ifreq ifr;

	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
	if (ioctl(fd, SIOCGIFHWADDR, &ifr) < 0)
		die(errno, "cannot get link type of '%s'", ifname);
	switch (ifr.ifr_hwaddr.sa_family) {
	case ARPHRD_ETHER:
	case ARPHRD_LOOPBACK:
		return ETH_HLEN;
	case ARPHRD_NONE:
	case ARPHRD_PPP:
	case ARPHRD_TUNNEL:
	case ARPHRD_TUNNEL6:
	case ARPHRD_SIT:
	case ARPHRD_IPGRE:
	case 823:	/* ARPHRD_IP6GRE */
	case 519:	/* ARPHRD_RAWIP */
		return 0;
	}
	die(0, "interface '%s' has unsupported link type %u", ifname,
	    ifr.ifr_hwaddr.sa_family);
}

/* Whether completing the partial checksum of @th gives a valid one. */
static int partial_ok(int family, const uint8_t *saddr, const uint8_t *daddr,
		      const uint8_t *th, size_t tl)
{
	static uint8_t seg[BUFSZ];
	uint16_t c;

	memcpy(seg, th, tl);
	c = tcp_csum_complete(seg, tl);
	seg[16] = (uint8_t)(c >> 8);
	seg[17] = (uint8_t)c;
	return tcp_csum(family, saddr, daddr, seg, tl) == 0;
}

/*
 * Print the TCP segment @th (@tl bytes after all IP headers).  @l4/@l4len is
 * everything after the fixed IP header, for l4hex.  @verify is 0 when the
 * capture holds less than the IP length says.  A first fragment (MF set) is
 * verified over the bytes it carries.  Returns 1 if it matched.
 */
static int show_tcp(const struct cfg *c, const struct meta *m, int family,
		    const uint8_t *saddr, const uint8_t *daddr,
		    const uint8_t *th, size_t tl, const uint8_t *l4,
		    size_t l4len, int verify)
{
	char sa[INET6_ADDRSTRLEN], da[INET6_ADDRSTRLEN], sp[8], dp[8];
	char flags[16], mss[MAX_MSS * 6 + 16];
	const char *csum = "n/a";
	size_t plen = tl;
	int off;

	if (tl >= 4) {
		unsigned int s = th[0] << 8 | th[1], d = th[2] << 8 | th[3];

		if (c->port >= 0 && (int)s != c->port && (int)d != c->port)
			return 0;
		snprintf(sp, sizeof(sp), "%u", s);
		snprintf(dp, sizeof(dp), "%u", d);
	} else {
		if (c->port >= 0)
			return 0;
		strcpy(sp, "?");
		strcpy(dp, "?");
	}
	if (tl >= 14 && c->syn && !(th[13] & 0x02))
		return 0;
	if (tl < 14 && c->syn)
		return 0;

	if (tl < 20) {
		strcpy(flags, "?");
		strcpy(mss, "truncated");
	} else {
		size_t hl = (size_t)(th[12] >> 4) * 4;

		fmt_flags(flags, th[13]);
		if (hl < 20) {
			strcpy(mss, "malformed");
		} else if (hl > tl) {
			strcpy(mss, "truncated");
		} else {
			struct tcp_opt_mss o;

			tcp_opt_mss(th + 20, hl - 20, &o);
			fmt_mss(mss, sizeof(mss), &o);
			plen = tl - hl;
		}
		if (m->partial && c->complete && verify)
			csum = partial_ok(family, saddr, daddr, th, tl) ?
			       "partial-ok" : "partial-bad";
		else if (m->partial)
			csum = "partial";
		else if (verify)
			csum = tcp_csum(family, saddr, daddr, th, tl) ? "bad" : "ok";
	}
	if (c->count_only)
		return 1;

	off = snprintf(line, sizeof(line),
		       "src=%s dst=%s sport=%s dport=%s flags=%s mss=%s csum=%s len=%zu",
		       fmt_addr(family, saddr, sa, sizeof(sa)),
		       fmt_addr(family, daddr, da, sizeof(da)),
		       sp, dp, flags, mss, csum, plen);
	if (c->gso)
		off += snprintf(line + off, sizeof(line) - off, " gso=%u",
				m->gso_size);
	memcpy(line + off, " l4hex=", 7);
	off += 7;
	hex_encode(line + off, l4, l4len);
	off += (int)l4len * 2;
	line[off++] = '\n';
	fwrite(line, 1, off, stdout);
	fflush(stdout);
	return 1;
}

static int show_frag(const struct cfg *c, int family, const uint8_t *saddr,
		     const uint8_t *daddr, unsigned int off, int mf,
		     size_t datalen, const uint8_t *l4, size_t l4len)
{
	char sa[INET6_ADDRSTRLEN], da[INET6_ADDRSTRLEN];
	int n;

	if (c->count_only)
		return 1;
	n = snprintf(line, sizeof(line),
		     "src=%s dst=%s frag off=%u mf=%d len=%zu l4hex=",
		     fmt_addr(family, saddr, sa, sizeof(sa)),
		     fmt_addr(family, daddr, da, sizeof(da)), off, mf, datalen);
	hex_encode(line + n, l4, l4len);
	n += (int)l4len * 2;
	line[n++] = '\n';
	fwrite(line, 1, n, stdout);
	fflush(stdout);
	return 1;
}

static int parse_ipv4(const struct cfg *c, const struct meta *m,
		      const uint8_t *ip, size_t caplen)
{
	size_t ihl, tot, len;
	unsigned int fo;
	int complete;

	if (caplen < 20 || ip[0] >> 4 != 4 || ip[9] != IPPROTO_TCP)
		return 0;
	ihl = (size_t)(ip[0] & 15) * 4;
	tot = (size_t)ip[2] << 8 | ip[3];
	if (ihl < 20 || tot < ihl || caplen < ihl)
		return 0;
	len = tot < caplen ? tot : caplen;	/* strip link padding */
	complete = len == tot;
	fo = ((unsigned int)ip[6] << 8 | ip[7]) & 0x1fff;
	if (fo)
		return show_frag(c, AF_INET, ip + 12, ip + 16, fo,
				 !!(ip[6] & 0x20), len - ihl, ip + ihl, len - ihl);
	return show_tcp(c, m, AF_INET, ip + 12, ip + 16, ip + ihl, len - ihl,
			ip + ihl, len - ihl, complete);
}

static int parse_ipv6(const struct cfg *c, const struct meta *m,
		      const uint8_t *ip, size_t caplen)
{
	size_t len, off = 40;
	int complete;
	uint8_t nh;

	if (caplen < 40 || ip[0] >> 4 != 6)
		return 0;
	len = 40 + ((size_t)ip[4] << 8 | ip[5]);
	if (len == 40)			/* jumbogram / BIG TCP: take all */
		len = caplen;
	complete = len <= caplen;
	if (!complete)
		len = caplen;
	nh = ip[6];
	for (;;) {
		const uint8_t *h = ip + off;

		switch (nh) {
		case 0:		/* hop-by-hop */
		case 43:	/* routing */
		case 60:	/* destination options */
			if (len - off < 8)
				return 0;
			nh = h[0];
			off += ((size_t)h[1] + 1) * 8;
			break;
		case 51:	/* AH */
			if (len - off < 8)
				return 0;
			nh = h[0];
			off += ((size_t)h[1] + 2) * 4;
			break;
		case 44: {	/* fragment */
			unsigned int fo;

			if (len - off < 8)
				return 0;
			fo = ((unsigned int)h[2] << 8 | h[3]) >> 3;
			if (fo)
				return show_frag(c, AF_INET6, ip + 8, ip + 24,
						 fo, h[3] & 1, len - off - 8,
						 ip + 40, len - 40);
			nh = h[0];
			off += 8;
			break;
		}
		case IPPROTO_TCP:
			return show_tcp(c, m, AF_INET6, ip + 8, ip + 24,
					ip + off, len - off, ip + 40, len - 40,
					complete);
		default:
			return 0;
		}
		if (off > len)
			return 0;
	}
}

int main(int argc, char **argv)
{
	static const struct option lopts[] = {
		{ "port",	required_argument, NULL, 'P' },
		{ "syn",	no_argument,	   NULL, 'S' },
		{ "count",	no_argument,	   NULL, 'C' },
		{ "ready",	required_argument, NULL, 'R' },
		{ "dir",	required_argument, NULL, 'D' },
		{ "gso",	no_argument,	   NULL, 'G' },
		{ "complete",	no_argument,	   NULL, 'c' },
		{ "help",	no_argument,	   NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	static uint8_t buf[BUFSZ];
	struct cfg c = { .port = -1, .dir = DIR_IN };
	const char *ifname = NULL, *ready = NULL;
	unsigned long long want = 0, got = 0;
	long long timeout = -1;
	struct sockaddr_ll sll;
	struct sigaction sa;
	int64_t deadline = 0;
	int fd, opt, hlen, one = 1, rcvbuf = 32 << 20;
	size_t vlen = 0;

	prog = "syncap";
	usage_text = syncap_usage;
	while ((opt = getopt_long(argc, argv, "i:n:t:h", lopts, NULL)) != -1) {
		switch (opt) {
		case 'i':
			ifname = optarg;
			break;
		case 'n':
			want = arg_num("-n", optarg, 1, ~0ULL);
			break;
		case 't':
			timeout = (long long)arg_num("-t", optarg, 0, 1ULL << 40);
			break;
		case 'P':
			c.port = (int)arg_num("--port", optarg, 0, 65535);
			break;
		case 'S':
			c.syn = 1;
			break;
		case 'C':
			c.count_only = 1;
			break;
		case 'R':
			ready = optarg;
			break;
		case 'D':
			if (!strcmp(optarg, "in"))
				c.dir = DIR_IN;
			else if (!strcmp(optarg, "out"))
				c.dir = DIR_OUT;
			else if (!strcmp(optarg, "any"))
				c.dir = DIR_ANY;
			else
				usage_err("bad --dir value '%s' (expected in, out or any)",
					  optarg);
			break;
		case 'G':
			c.gso = 1;
			break;
		case 'c':
			c.complete = 1;
			break;
		case 'h':
			usage(0);
		default:
			usage(2);
		}
	}
	if (optind < argc)
		usage_err("unexpected argument '%s'", argv[optind]);
	if (!ifname)
		usage_err("-i IFACE is required");

	memset(&sll, 0, sizeof(sll));
	sll.sll_family = AF_PACKET;
	sll.sll_protocol = htons(ETH_P_ALL);
	sll.sll_ifindex = (int)if_nametoindex(ifname);
	if (!sll.sll_ifindex)
		usage_err("bad -i value '%s': no such interface", ifname);

	/* protocol 0: nothing is queued before bind() picks the interface */
	fd = socket(AF_PACKET, SOCK_RAW, 0);
	if (fd < 0)
		die(errno, "packet socket");
	hlen = link_hlen(fd, ifname);
	if (setsockopt(fd, SOL_PACKET, PACKET_AUXDATA, &one, sizeof(one)) < 0)
		die(errno, "PACKET_AUXDATA");
	if (c.gso) {
		if (setsockopt(fd, SOL_PACKET, PACKET_VNET_HDR, &one,
			       sizeof(one)) < 0)
			die(errno, "PACKET_VNET_HDR");
		vlen = sizeof(struct virtio_net_hdr);
	}
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf,
		       sizeof(rcvbuf)) < 0)
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
	if (bind(fd, (struct sockaddr *)&sll, sizeof(sll)) < 0)
		die(errno, "bind to '%s'", ifname);
	if (ready)
		touch_file(ready);

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	if (timeout >= 0)
		deadline = now_ms() + timeout;

	while (!stop && (!want || got < want)) {
		union {
			struct cmsghdr cm;
			char b[CMSG_SPACE(sizeof(struct tpacket_auxdata))];
		} ctl;
		struct iovec iov = { buf, sizeof(buf) };
		struct msghdr msg = {
			.msg_name = &sll, .msg_namelen = sizeof(sll),
			.msg_iov = &iov, .msg_iovlen = 1,
			.msg_control = &ctl, .msg_controllen = sizeof(ctl),
		};
		struct pollfd pfd = { fd, POLLIN, 0 };
		struct meta m = { 0, 0 };
		struct cmsghdr *cm;
		int wait = -1, outgoing;
		ssize_t n;

		if (timeout >= 0) {
			int64_t left = deadline - now_ms();

			if (left <= 0)
				break;
			wait = left > 1000000 ? 1000000 : (int)left;
		}
		n = poll(&pfd, 1, wait);
		if (n < 0 && errno != EINTR)
			die(errno, "poll");
		if (n <= 0)
			continue;
		n = recvmsg(fd, &msg, MSG_DONTWAIT);
		if (n < 0) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			die(errno, "recvmsg");
		}
		outgoing = sll.sll_pkttype == PACKET_OUTGOING;
		if ((c.dir == DIR_IN && outgoing) || (c.dir == DIR_OUT && !outgoing))
			continue;
		for (cm = CMSG_FIRSTHDR(&msg); cm; cm = CMSG_NXTHDR(&msg, cm)) {
			struct tpacket_auxdata aux;

			if (cm->cmsg_level != SOL_PACKET ||
			    cm->cmsg_type != PACKET_AUXDATA)
				continue;
			memcpy(&aux, CMSG_DATA(cm), sizeof(aux));
			m.partial = !!(aux.tp_status & TP_STATUS_CSUMNOTREADY);
		}
		if ((size_t)n < vlen + hlen)
			continue;
		if (vlen) {
			struct virtio_net_hdr vh;

			memcpy(&vh, buf, sizeof(vh));
			if (vh.gso_type != VIRTIO_NET_HDR_GSO_NONE)
				m.gso_size = vh.gso_size;
		}
		switch (ntohs(sll.sll_protocol)) {
		case ETH_P_IP:
			got += parse_ipv4(&c, &m, buf + vlen + hlen, n - vlen - hlen);
			break;
		case ETH_P_IPV6:
			got += parse_ipv6(&c, &m, buf + vlen + hlen, n - vlen - hlen);
			break;
		}
	}
	if (c.count_only) {
		printf("count=%llu\n", got);
		fflush(stdout);
	}
	{
		struct tpacket_stats st;
		socklen_t sl = sizeof(st);

		if (!getsockopt(fd, SOL_PACKET, PACKET_STATISTICS, &st, &sl) &&
		    st.tp_drops)
			fprintf(stderr, "syncap: the socket dropped %u packets (receive buffer full)\n",
				st.tp_drops);
	}
	close(fd);
	return want && got < want ? 1 : 0;
}
