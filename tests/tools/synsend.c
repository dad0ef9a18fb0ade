// SPDX-License-Identifier: GPL-2.0-only
/*
 * synsend: craft TCP segments (IPv4 or IPv6, with options, extension headers,
 * fragments, truncation, bad checksums) and send them through a raw socket.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <net/if.h>
#include <sys/ioctl.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <linux/virtio_net.h>

#include "common.h"

#define TCP_FIN		0x01
#define TCP_SYN		0x02
#define TCP_RST		0x04
#define TCP_PSH		0x08
#define TCP_ACK		0x10
#define TCP_URG		0x20
#define TCP_ECE		0x40
#define TCP_CWR		0x80

#define NH_HOP		0
#define NH_TCP		6
#define NH_RT		43
#define NH_FRAG		44
#define NH_DST		60

#define MAX_OPTS	1024
#define MAX_EXT		16
#define MAX_PKT		(40 + MAX_EXT * 8 + 65535)
#define BATCH		64
#define BAD_CSUM_XOR	0x5555

static const char synsend_usage[] =
"usage: synsend [-4|-6] -s SRC -d DST [options]\n"
"  --sport N        source port (default 40000)\n"
"  --dport N        destination port (default 80)\n"
"  --flags STR      TCP flags from S,A,R,F,P,U,E,C (default S; \"\" = none)\n"
"  --mss N          add a 4-byte MSS option with value N\n"
"  --opts HEX       raw option bytes appended after the MSS option\n"
"  --doff N         force the data offset field (0..15); no padding\n"
"  --trunc N        send only N bytes of the TCP part\n"
"  --payload N      N bytes of data (byte i = i & 0xff)\n"
"  --seq N          sequence number (default 1)\n"
"  --ack N          acknowledgement number (default 0)\n"
"  --frag-off N     fragment offset in 8-byte units (IPv6: adds a\n"
"                   Fragment header)\n"
"  --mf             set the more-fragments flag\n"
"  --id N           IPv4 ID / IPv6 fragment identification (default random)\n"
"  --ext LIST       IPv6 extension headers before TCP, comma separated:\n"
"                   hop, dst, rt (type 253, segleft 0), frag (atomic)\n"
"  --bad-csum       send a wrong TCP checksum\n"
"  -n COUNT         packets to send (default 1)\n"
"  --src-count N    cycle the source through N consecutive addresses\n"
"  --print          print l4hex=HEX for each distinct packet\n"
"  --partial IFACE  send through a packet socket on IFACE (a veth) as\n"
"                   CHECKSUM_PARTIAL: the TCP checksum field holds the\n"
"                   pseudo-header seed, for the egress device or\n"
"                   skb_checksum_help() to complete (--print shows the\n"
"                   completed checksum); needs --dmac\n"
"  --dmac MAC       destination MAC address for --partial\n"
"  --rate PPS       send at most PPS packets a second (in batches of 64),\n"
"                   so that a slow receiver loses none\n"
"  --random SEED    send COUNT (-n) random segments, each its own: flags S\n"
"                   or SA (a few A, SR, SF), every data offset 5..15 with\n"
"                   its option space filled with option lists biased to\n"
"                   the edges (NOP and EOL runs, lengths 0, 1 and past\n"
"                   the end, several MSS options at odd and even offsets,\n"
"                   MSS values around 1200 and 536), sometimes data.  The\n"
"                   k-th segment (from 0) has sequence number --seq + k;\n"
"                   --mss, --opts, --doff and --payload are not used.\n"
"                   With --print, one l4hex=HEX line per segment.\n";

struct cfg {
	int family;
	struct addr src, dst;
	uint16_t sport, dport;
	uint8_t flags;
	int mss;			/* -1: no MSS option */
	uint8_t opts[MAX_OPTS];
	int optlen;
	int doff;			/* -1: computed */
	long trunc;			/* -1: whole segment */
	unsigned int payload;
	uint32_t seq, ack;
	long frag_off;			/* -1: not a fragment */
	int mf;
	int have_id;
	uint32_t id;
	int ext[MAX_EXT];
	int next;
	int bad_csum;
	unsigned long long count;
	uint32_t src_count;
	int print;
	int have_random;
	uint64_t random_seed;
	const char *partial_if;		/* NULL: raw IP socket */
	uint8_t dmac[6];
	int have_dmac;
	unsigned long rate;		/* packets per second, 0: no limit */
};

struct pkt {
	uint8_t buf[MAX_PKT];
	size_t len;
	size_t src_off;		/* source address in buf */
	size_t tcp_off;		/* start of the TCP part */
	uint16_t ip_csum;	/* IPv4 header checksum (host order) */
	uint16_t tcp_csum;	/* correct TCP checksum (host order) */
	int has_csum;		/* the TCP checksum field is within len */
};

static uint8_t parse_flags(const char *s)
{
	static const char letters[] = "FSRPAUEC";
	uint8_t f = 0;
	const char *p;

	if (!strcmp(s, "none"))
		return 0;
	for (p = s; *p; p++) {
		const char *l = strchr(letters, *p);

		if (!l)
			usage_err("bad --flags value '%s': unknown flag '%c' (use S,A,R,F,P,U,E,C)",
				  s, *p);
		f |= (uint8_t)(1 << (l - letters));
	}
	return f;
}

static void parse_ext(struct cfg *c, const char *s)
{
	char buf[256], *tok, *save = NULL;

	if (strlen(s) >= sizeof(buf))
		usage_err("bad --ext value '%s': too long", s);
	strcpy(buf, s);
	for (tok = strtok_r(buf, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		int nh;

		if (!strcmp(tok, "hop"))
			nh = NH_HOP;
		else if (!strcmp(tok, "dst"))
			nh = NH_DST;
		else if (!strcmp(tok, "rt"))
			nh = NH_RT;
		else if (!strcmp(tok, "frag"))
			nh = NH_FRAG;
		else
			usage_err("bad --ext value '%s': unknown header '%s' (use hop,dst,rt,frag)",
				  s, tok);
		if (c->next >= MAX_EXT - 1)
			usage_err("bad --ext value '%s': too many headers", s);
		c->ext[c->next++] = nh;
	}
}

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void put32(uint8_t *p, uint32_t v)
{
	put16(p, (uint16_t)(v >> 16));
	put16(p + 2, (uint16_t)v);
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

/* Build the TCP part at @seg; returns its length before truncation. */
static size_t build_tcp(const struct cfg *c, uint8_t *seg)
{
	size_t hlen = 20, i;
	int doff;

	memset(seg, 0, 60);
	put16(seg, c->sport);
	put16(seg + 2, c->dport);
	put32(seg + 4, c->seq);
	put32(seg + 8, c->ack);
	seg[13] = c->flags;
	put16(seg + 14, 64240);
	if (c->mss >= 0) {
		seg[hlen] = 2;
		seg[hlen + 1] = 4;
		put16(seg + hlen + 2, (uint16_t)c->mss);
		hlen += 4;
	}
	memcpy(seg + hlen, c->opts, c->optlen);
	hlen += c->optlen;
	if (c->doff >= 0) {
		doff = c->doff;
	} else {
		doff = (int)(hlen + 3) / 4;
		if (doff > 15)
			usage_err("TCP options too long: %zu bytes (max 40 without --doff)",
				  hlen - 20);
		memset(seg + hlen, 0, doff * 4 - hlen);
		hlen = doff * 4;
	}
	seg[12] = (uint8_t)(doff << 4);
	for (i = 0; i < c->payload; i++)
		seg[hlen + i] = (uint8_t)i;
	return hlen + c->payload;
}

static size_t build_ext(const struct cfg *c, uint8_t *p, uint8_t *first_nh)
{
	int frag_done = 0, i;
	size_t off = 0;

	*first_nh = c->next ? (uint8_t)c->ext[0] : NH_TCP;
	for (i = 0; i < c->next; i++) {
		uint8_t *h = p + off;

		memset(h, 0, 8);
		h[0] = i + 1 < c->next ? (uint8_t)c->ext[i + 1] : NH_TCP;
		switch (c->ext[i]) {
		case NH_HOP:
		case NH_DST:
			h[2] = 1;	/* PadN */
			h[3] = 4;
			break;
		case NH_RT:
			h[2] = 253;	/* RFC 4727 experimental type */
			h[3] = 0;	/* segments left */
			break;
		case NH_FRAG:
			if (!frag_done) {
				long fo = c->frag_off < 0 ? 0 : c->frag_off;

				put16(h + 2, (uint16_t)(fo << 3 | c->mf));
				frag_done = 1;
			}
			put32(h + 4, c->id);
			break;
		}
		off += 8;
	}
	return off;
}

static void build(const struct cfg *c, struct pkt *p)
{
	static uint8_t seg[65535 + MAX_OPTS + 64];
	size_t seglen, ehl = 0, iphl;
	uint8_t *ip = p->buf, nh;

	seglen = build_tcp(c, seg);
	if (c->trunc >= 0) {
		if ((size_t)c->trunc > seglen)
			usage_err("bad --trunc value '%ld': the segment has only %zu bytes",
				  c->trunc, seglen);
		seglen = c->trunc;
	}

	if (c->family == AF_INET) {
		iphl = 20;
		if (iphl + seglen > 65535)
			usage_err("packet too long: %zu bytes", iphl + seglen);
		memset(ip, 0, iphl);
		ip[0] = 0x45;
		put16(ip + 2, (uint16_t)(iphl + seglen));
		put16(ip + 4, (uint16_t)c->id);
		if (c->frag_off >= 0 || c->mf)
			put16(ip + 6, (uint16_t)((c->frag_off < 0 ? 0 : c->frag_off) |
						 (c->mf ? 0x2000 : 0)));
		else
			put16(ip + 6, 0x4000);
		ip[8] = 64;
		ip[9] = IPPROTO_TCP;
		memcpy(ip + 12, c->src.b, 4);
		memcpy(ip + 16, c->dst.b, 4);
		p->ip_csum = csum_fold(csum_add(0, ip, iphl));
		put16(ip + 10, p->ip_csum);
		p->src_off = 12;
	} else {
		ehl = build_ext(c, ip + 40, &nh);
		iphl = 40 + ehl;
		if (ehl + seglen > 65535)
			usage_err("packet too long: payload length %zu", ehl + seglen);
		memset(ip, 0, 40);
		ip[0] = 0x60;
		put16(ip + 4, (uint16_t)(ehl + seglen));
		ip[6] = nh;
		ip[7] = 64;
		memcpy(ip + 8, c->src.b, 16);
		memcpy(ip + 24, c->dst.b, 16);
		p->src_off = 8;
	}
	memcpy(ip + iphl, seg, seglen);
	p->tcp_off = iphl;
	p->len = iphl + seglen;
	p->has_csum = seglen >= 18;
	if (p->has_csum) {
		uint8_t *th = ip + iphl;

		p->tcp_csum = tcp_csum(c->family, c->src.b, c->dst.b, th, seglen);
		put16(th + 16, p->tcp_csum ^ (c->bad_csum ? BAD_CSUM_XOR : 0));
	}
}

/* The checksum field as sent: the seed for --partial, else as built. */
static void set_partial_seed(const struct cfg *c, uint8_t *ip, const struct pkt *p)
{
	size_t seglen = p->len - p->tcp_off;
	uint16_t seed;

	if (!c->partial_if || !p->has_csum)
		return;
	seed = tcp_pseudo_seed(c->family, ip + p->src_off,
			       ip + p->src_off + (c->family == AF_INET ? 4 : 16),
			       seglen);
	put16(ip + p->tcp_off + 16, seed ^ (c->bad_csum ? BAD_CSUM_XOR : 0));
}

/*
 * Turn a copy @dst of base packet @p into the packet of the @k-th source
 * address: only the address (its last 32 bits) and checksums change.
 */
static void patch_src(const struct cfg *c, const struct pkt *p, uint8_t *dst,
		      uint32_t k)
{
	size_t lo = p->src_off + (c->family == AF_INET ? 0 : 12);
	uint8_t addr[4];

	put32(addr, get32(p->buf + lo) + k);
	memcpy(dst + lo, addr, 4);
	if (c->family == AF_INET)
		put16(dst + 10, csum_replace(p->ip_csum, p->buf + lo, addr, 4));
	if (p->has_csum) {
		uint16_t s = csum_replace(p->tcp_csum, p->buf + lo, addr, 4);

		put16(dst + p->tcp_off + 16,
		      s ^ (c->bad_csum ? BAD_CSUM_XOR : 0));
	}
}

static void print_packets(const struct cfg *c, const struct pkt *p)
{
	static uint8_t tmp[MAX_PKT];
	static char hex[2 * MAX_PKT + 1];
	size_t l4 = c->family == AF_INET ? 20 : 40;
	unsigned long long n = c->count < c->src_count ? c->count : c->src_count;
	unsigned long long k;

	memcpy(tmp, p->buf, p->len);
	for (k = 0; k < n; k++) {
		patch_src(c, p, tmp, (uint32_t)k);
		hex_encode(hex, tmp + l4, p->len - l4);
		printf("l4hex=%s\n", hex);
	}
	fflush(stdout);
}

/* The virtio-net and Ethernet headers in front of each --partial packet. */
static uint8_t l2hdr[sizeof(struct virtio_net_hdr) + ETH_HLEN];
static struct sockaddr_ll l2addr;

static int open_packet_socket(const struct cfg *c, const struct pkt *p)
{
	struct virtio_net_hdr vh;
	struct ifreq ifr;
	int fd, one = 1, sndbuf = 4 << 20;
	uint16_t proto = c->family == AF_INET ? ETH_P_IP : ETH_P_IPV6;

	fd = socket(AF_PACKET, SOCK_RAW, 0);
	if (fd < 0)
		die(errno, "packet socket");
	if (setsockopt(fd, SOL_PACKET, PACKET_VNET_HDR, &one, sizeof(one)) < 0)
		die(errno, "PACKET_VNET_HDR");
	setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &sndbuf, sizeof(sndbuf));
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", c->partial_if);
	if (ioctl(fd, SIOCGIFHWADDR, &ifr) < 0)
		die(errno, "cannot get the address of '%s'", c->partial_if);
	memset(&l2addr, 0, sizeof(l2addr));
	l2addr.sll_family = AF_PACKET;
	l2addr.sll_protocol = htons(proto);
	l2addr.sll_ifindex = (int)if_nametoindex(c->partial_if);
	if (!l2addr.sll_ifindex)
		usage_err("bad --partial value '%s': no such interface",
			  c->partial_if);

	/* csum_start is from the start of the frame, Ethernet header included */
	memset(&vh, 0, sizeof(vh));
	vh.flags = VIRTIO_NET_HDR_F_NEEDS_CSUM;
	vh.gso_type = VIRTIO_NET_HDR_GSO_NONE;
	vh.csum_start = (uint16_t)(ETH_HLEN + p->tcp_off);
	vh.csum_offset = 16;
	memcpy(l2hdr, &vh, sizeof(vh));
	memcpy(l2hdr + sizeof(vh), c->dmac, 6);
	memcpy(l2hdr + sizeof(vh) + 6, ifr.ifr_hwaddr.sa_data, 6);
	put16(l2hdr + sizeof(vh) + 12, proto);
	return fd;
}

static int open_socket(const struct cfg *c, const struct pkt *p)
{
	int fd, one = 1, sndbuf = 4 << 20;

	if (c->partial_if)
		return open_packet_socket(c, p);
	fd = socket(c->family, SOCK_RAW, IPPROTO_RAW);
	if (fd < 0)
		die(errno, "raw socket");
	/* keep netfilter defrag in this namespace away from our fragments */
	if (c->family == AF_INET)
		setsockopt(fd, SOL_IP, IP_NODEFRAG, &one, sizeof(one));
	setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &sndbuf, sizeof(sndbuf));
	return fd;
}

static struct sockaddr_in dst4;
static struct sockaddr_in6 dst6;

/* Point @m at @len bytes of IP packet @buf, with the L2 header if needed. */
static void fill_msg(const struct cfg *c, struct mmsghdr *m, struct iovec *iov,
		     uint8_t *buf, size_t len)
{
	memset(m, 0, sizeof(*m));
	if (c->partial_if) {
		iov[0].iov_base = l2hdr;
		iov[0].iov_len = sizeof(l2hdr);
		iov[1].iov_base = buf;
		iov[1].iov_len = len;
		m->msg_hdr.msg_iov = iov;
		m->msg_hdr.msg_iovlen = 2;
		m->msg_hdr.msg_name = &l2addr;
		m->msg_hdr.msg_namelen = sizeof(l2addr);
		return;
	}
	iov[0].iov_base = buf;
	iov[0].iov_len = len;
	m->msg_hdr.msg_iov = iov;
	m->msg_hdr.msg_iovlen = 1;
	if (c->family == AF_INET) {
		m->msg_hdr.msg_name = &dst4;
		m->msg_hdr.msg_namelen = sizeof(dst4);
	} else {
		m->msg_hdr.msg_name = &dst6;
		m->msg_hdr.msg_namelen = sizeof(dst6);
	}
}

/* With --rate, wait until @sent packets are due since @t0 (ms). */
static void pace(const struct cfg *c, unsigned long long sent, int64_t t0)
{
	int64_t due;

	if (!c->rate)
		return;
	due = t0 + (int64_t)(sent * 1000 / c->rate);
	while (now_ms() < due)
		usleep(1000);
}

/* Send @n prepared messages; returns how many went before an error. */
static int send_batch(int fd, struct mmsghdr *msg, int n,
		      unsigned long long before)
{
	int done = 0;

	while (done < n) {
		int r = sendmmsg(fd, msg + done, n - done, 0);

		if (r < 0) {
			if (errno == ENOBUFS || errno == EAGAIN || errno == EINTR) {
				sched_yield();
				continue;
			}
			fprintf(stderr, "synsend: send failed after %llu packets: %s\n",
				before + done, strerror(errno));
			return done;
		}
		done += r;
	}
	return done;
}

static unsigned long long send_all(const struct cfg *c, int fd,
				   const struct pkt *p)
{
	static uint8_t slots[BATCH][MAX_PKT];
	struct mmsghdr msg[BATCH];
	struct iovec iov[BATCH][2];
	unsigned long long sent = 0;
	int64_t t0 = now_ms();
	int i, nslots = BATCH;

	if (c->count < BATCH)
		nslots = (int)c->count;
	for (i = 0; i < nslots; i++) {
		uint8_t *buf = (uint8_t *)p->buf;

		if (c->src_count > 1) {
			memcpy(slots[i], p->buf, p->len);
			buf = slots[i];
		}
		fill_msg(c, &msg[i], iov[i], buf, p->len);
	}

	while (sent < c->count) {
		unsigned long long left = c->count - sent;
		int n = left < (unsigned long long)nslots ? (int)left : nslots;
		int done;

		if (c->src_count > 1)
			for (i = 0; i < n; i++)
				patch_src(c, p, slots[i],
					  (uint32_t)((sent + i) % c->src_count));
		pace(c, sent, t0);
		done = send_batch(fd, msg, n, sent);
		sent += done;
		if (done < n)
			break;
	}
	return sent;
}

/* ---- --random ------------------------------------------------------------ */

static uint64_t rng;

static uint64_t rnd(void)	/* splitmix64 */
{
	uint64_t z = (rng += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static unsigned int rnd_below(unsigned int n)
{
	return (unsigned int)(rnd() % n);
}

/* MSS values around a limit of 1200 (the scenario's) and the usual ones. */
static uint16_t rnd_mss(void)
{
	static const uint16_t edge[] = {
		0, 1, 88, 535, 536, 1199, 1200, 1201, 1220, 1380, 1440, 1460,
		1500, 8960, 65495, 65535,
	};

	if (rnd_below(5))
		return edge[rnd_below(ARRAY_SIZE(edge))];
	return (uint16_t)rnd();
}

/* Kinds other than EOL, NOP and MSS: the usual ones, then any. */
static uint8_t rnd_kind(void)
{
	static const uint8_t kinds[] = { 3, 4, 5, 8, 19, 28, 29, 30, 34, 253, 254 };

	if (rnd_below(3))
		return kinds[rnd_below(ARRAY_SIZE(kinds))];
	return (uint8_t)(3 + rnd_below(253));
}

/*
 * Fill @len option bytes with a random list biased toward the edges; a
 * @tidy list draws only well-formed options (the last one may still be cut
 * by the end of the header, and the rest is NOPs or EOLs).
 */
static void rnd_opts(uint8_t *o, int len, int tidy)
{
	int i = 0;

	while (i < len) {
		static const uint8_t tidy_pick[] = {
			0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 14, 15, 20,
		};
		uint8_t e[64];
		int el = 0, k, room = len - i;
		unsigned int pick = tidy ? tidy_pick[rnd_below(ARRAY_SIZE(tidy_pick))] :
				    rnd_below(24);

		switch (pick) {
		case 0: case 1: case 2: case 3:		/* a run of NOPs */
			k = 1 + (int)rnd_below(rnd_below(4) ? 3 : 8);
			while (el < k)
				e[el++] = 1;
			break;
		case 4:					/* EOL, maybe a run */
			k = rnd_below(2) ? 1 : 1 + (int)rnd_below(6);
			while (el < k)
				e[el++] = 0;
			break;
		case 5: case 6: case 7: case 8: case 9: case 10: case 11: {
			uint16_t v = rnd_mss();		/* MSS */

			e[0] = 2;
			e[1] = 4;
			put16(e + 2, v);
			el = 4;
			break;
		}
		case 12: {			/* MSS of another length */
			static const uint8_t lens[] = { 0, 1, 2, 3, 5, 6, 8, 40, 255 };

			e[0] = 2;
			e[1] = lens[rnd_below(ARRAY_SIZE(lens))];
			el = 2;
			while (el < e[1] && el < 12)
				e[el++] = (uint8_t)rnd();
			break;
		}
		case 13:				/* window scale */
			e[0] = 3; e[1] = 3; e[2] = (uint8_t)rnd_below(15);
			el = 3;
			break;
		case 14:				/* SACK permitted */
			e[0] = 4; e[1] = 2;
			el = 2;
			break;
		case 15:				/* timestamps */
			e[0] = 8; e[1] = 10;
			for (el = 2; el < 10; el++)
				e[el] = (uint8_t)rnd();
			break;
		case 16: case 17:			/* length 0 or 1 */
			e[0] = rnd_below(4) ? rnd_kind() : 2;
			e[1] = (uint8_t)rnd_below(2);
			el = 2;
			break;
		case 18: case 19:		/* a length past the end */
			e[0] = rnd_below(4) ? rnd_kind() : 2;
			k = room + 1 + (int)rnd_below(rnd_below(2) ? 3 : 200);
			e[1] = (uint8_t)(k > 255 ? 255 : k);
			el = 2;
			while (el < room && el < 40)
				e[el++] = (uint8_t)rnd();
			break;
		case 20: {		/* any other option, a valid length */
			int l = 2 + (int)rnd_below(rnd_below(2) ? 4 : 12);

			e[0] = rnd_kind();
			e[1] = (uint8_t)l;
			for (el = 2; el < l; el++)
				e[el] = (uint8_t)rnd();
			break;
		}
		case 21:		/* an MSS cut by the end, or a lone kind */
			if (room <= 4) {
				e[0] = rnd_below(2) ? 2 : rnd_kind();
				e[1] = 4;
				e[2] = e[3] = 0xff;
				el = room;
			} else {
				e[0] = 1;
				el = 1;
			}
			break;
		default:				/* random bytes */
			k = 1 + (int)rnd_below(4);
			while (el < k)
				e[el++] = (uint8_t)rnd();
			break;
		}
		if (el > room) {
			if (tidy) {	/* pad with NOPs, or an EOL and zeros */
				memset(e, rnd_below(2), (size_t)room);
				el = room;
			}
			el = room;
		}
		memcpy(o + i, e, (size_t)el);
		i += el;
	}
}

/* Draw segment @k's flags, header and data into @c (a copy of the base). */
static void rnd_segment(struct cfg *c, const struct cfg *base,
			unsigned long long k)
{
	unsigned int f = rnd_below(40);
	int doff;

	c->flags = f < 19 ? TCP_SYN : f < 38 ? TCP_SYN | TCP_ACK :
		   f == 38 ? (rnd_below(2) ? TCP_ACK : TCP_SYN | TCP_RST) :
		   TCP_SYN | TCP_FIN;
	c->seq = base->seq + (uint32_t)k;
	c->ack = c->flags & TCP_ACK ? (uint32_t)rnd() : 0;
	/* every data offset 5..15, the long ones a little more often */
	doff = 5 + (int)rnd_below(11);
	if (doff < 10 && rnd_below(4) == 0)
		doff = 15 - (int)rnd_below(3);
	c->doff = doff;
	c->mss = -1;
	c->optlen = (doff - 5) * 4;
	rnd_opts(c->opts, c->optlen, rnd_below(2));
	c->payload = rnd_below(5) ? 0 : 1 + rnd_below(64);
}

static unsigned long long send_random(const struct cfg *base, int fd)
{
	static struct pkt pk[BATCH];
	static char hex[2 * MAX_PKT + 1];
	static struct cfg c;
	struct mmsghdr msg[BATCH];
	struct iovec iov[BATCH][2];
	size_t l4 = base->family == AF_INET ? 20 : 40;
	unsigned long long sent = 0;
	int64_t t0 = now_ms();

	rng = base->random_seed;
	while (sent < base->count) {
		unsigned long long left = base->count - sent;
		int n = left < BATCH ? (int)left : BATCH, i, done;

		for (i = 0; i < n; i++) {
			c = *base;
			rnd_segment(&c, base, sent + i);
			build(&c, &pk[i]);
			if (base->print) {
				hex_encode(hex, pk[i].buf + l4, pk[i].len - l4);
				printf("l4hex=%s\n", hex);
			}
			set_partial_seed(&c, pk[i].buf, &pk[i]);
			fill_msg(&c, &msg[i], iov[i], pk[i].buf, pk[i].len);
		}
		fflush(stdout);
		pace(base, sent, t0);
		done = send_batch(fd, msg, n, sent);
		sent += done;
		if (done < n)
			break;
	}
	return sent;
}

int main(int argc, char **argv)
{
	static struct cfg c;
	static struct pkt p;
	static const struct option lopts[] = {
		{ "sport",	required_argument, NULL, 'P' },
		{ "dport",	required_argument, NULL, 'D' },
		{ "flags",	required_argument, NULL, 'F' },
		{ "mss",	required_argument, NULL, 'M' },
		{ "opts",	required_argument, NULL, 'O' },
		{ "doff",	required_argument, NULL, 'o' },
		{ "trunc",	required_argument, NULL, 'T' },
		{ "payload",	required_argument, NULL, 'L' },
		{ "seq",	required_argument, NULL, 'q' },
		{ "ack",	required_argument, NULL, 'a' },
		{ "frag-off",	required_argument, NULL, 'f' },
		{ "mf",		no_argument,	   NULL, 'm' },
		{ "id",		required_argument, NULL, 'I' },
		{ "ext",	required_argument, NULL, 'E' },
		{ "bad-csum",	no_argument,	   NULL, 'B' },
		{ "src-count",	required_argument, NULL, 'C' },
		{ "print",	no_argument,	   NULL, 'p' },
		{ "partial",	required_argument, NULL, 'X' },
		{ "dmac",	required_argument, NULL, 'W' },
		{ "random",	required_argument, NULL, 'Z' },
		{ "rate",	required_argument, NULL, 'r' },
		{ "help",	no_argument,	   NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	const char *src = NULL, *dst = NULL;
	unsigned long long sent;
	int64_t t0;
	int fd, opt, want = 0;

	prog = "synsend";
	usage_text = synsend_usage;
	c.sport = 40000;
	c.dport = 80;
	c.flags = TCP_SYN;
	c.mss = -1;
	c.doff = -1;
	c.trunc = -1;
	c.seq = 1;
	c.frag_off = -1;
	c.count = 1;
	c.src_count = 1;

	while ((opt = getopt_long(argc, argv, "46s:d:n:h", lopts, NULL)) != -1) {
		switch (opt) {
		case '4':
			want = AF_INET;
			break;
		case '6':
			want = AF_INET6;
			break;
		case 's':
			src = optarg;
			break;
		case 'd':
			dst = optarg;
			break;
		case 'n':
			c.count = arg_num("-n", optarg, 1, ~0ULL);
			break;
		case 'P':
			c.sport = (uint16_t)arg_num("--sport", optarg, 0, 65535);
			break;
		case 'D':
			c.dport = (uint16_t)arg_num("--dport", optarg, 0, 65535);
			break;
		case 'F':
			c.flags = parse_flags(optarg);
			break;
		case 'M':
			c.mss = (int)arg_num("--mss", optarg, 0, 65535);
			break;
		case 'O':
			c.optlen = hex_decode(optarg, c.opts, sizeof(c.opts));
			if (c.optlen < 0)
				usage_err("bad --opts value '%s' (expected hex byte pairs)",
					  optarg);
			break;
		case 'o':
			c.doff = (int)arg_num("--doff", optarg, 0, 15);
			break;
		case 'T':
			c.trunc = (long)arg_num("--trunc", optarg, 0, 65535);
			break;
		case 'L':
			c.payload = (unsigned int)arg_num("--payload", optarg, 0, 65535);
			break;
		case 'q':
			c.seq = (uint32_t)arg_num("--seq", optarg, 0, 0xffffffffULL);
			break;
		case 'a':
			c.ack = (uint32_t)arg_num("--ack", optarg, 0, 0xffffffffULL);
			break;
		case 'f':
			c.frag_off = (long)arg_num("--frag-off", optarg, 0, 8191);
			break;
		case 'm':
			c.mf = 1;
			break;
		case 'I':
			c.id = (uint32_t)arg_num("--id", optarg, 0, 0xffffffffULL);
			c.have_id = 1;
			break;
		case 'E':
			parse_ext(&c, optarg);
			break;
		case 'B':
			c.bad_csum = 1;
			break;
		case 'C':
			c.src_count = (uint32_t)arg_num("--src-count", optarg, 1,
							0xffffffffULL);
			break;
		case 'p':
			c.print = 1;
			break;
		case 'X':
			c.partial_if = optarg;
			break;
		case 'W': {
			unsigned int m[6], i;
			char end;

			if (sscanf(optarg, "%x:%x:%x:%x:%x:%x%c", &m[0], &m[1],
				   &m[2], &m[3], &m[4], &m[5], &end) != 6)
				usage_err("bad --dmac value '%s' (expected xx:xx:xx:xx:xx:xx)",
					  optarg);
			for (i = 0; i < 6; i++) {
				if (m[i] > 255)
					usage_err("bad --dmac value '%s'", optarg);
				c.dmac[i] = (uint8_t)m[i];
			}
			c.have_dmac = 1;
			break;
		}
		case 'r':
			c.rate = (unsigned long)arg_num("--rate", optarg, 1, 100000000);
			break;
		case 'Z':
			c.random_seed = arg_num("--random", optarg, 0, ~0ULL);
			c.have_random = 1;
			break;
		case 'h':
			usage(0);
		default:
			usage(2);
		}
	}
	if (optind < argc)
		usage_err("unexpected argument '%s'", argv[optind]);
	if (!src || !dst)
		usage_err("-s SRC and -d DST are required");
	if (parse_addr(src, &c.src))
		usage_err("bad -s value '%s' (expected an IPv4 or IPv6 address)", src);
	if (parse_addr(dst, &c.dst))
		usage_err("bad -d value '%s' (expected an IPv4 or IPv6 address)", dst);
	c.family = want ? want : c.src.family;
	if (c.src.family != c.family)
		usage_err("bad -s value '%s': not an %s address", src,
			  c.family == AF_INET ? "IPv4" : "IPv6");
	if (c.dst.family != c.family)
		usage_err("bad -d value '%s': not an %s address", dst,
			  c.family == AF_INET ? "IPv4" : "IPv6");
	if (c.family == AF_INET) {
		if (c.next)
			usage_err("--ext is IPv6 only");
		if (c.have_id && c.id > 65535)
			usage_err("bad --id value '%u' (expected 0..65535 for IPv4)",
				  c.id);
	} else if ((c.frag_off >= 0 || c.mf)) {
		int i, have = 0;

		for (i = 0; i < c.next; i++)
			have |= c.ext[i] == NH_FRAG;
		if (!have)
			c.ext[c.next++] = NH_FRAG;
	}
	if (!c.have_id) {
		if (getrandom(&c.id, sizeof(c.id), 0) != sizeof(c.id))
			c.id = (uint32_t)getpid() * 2654435761u;
		if (c.family == AF_INET)
			c.id = (c.id & 0xffff) ? (c.id & 0xffff) : 1;
	}

	if (c.partial_if && !c.have_dmac)
		usage_err("--partial needs --dmac");
	if (c.partial_if && c.src_count > 1)
		usage_err("--partial does not go with --src-count");
	if (c.have_random && (c.src_count > 1 || c.trunc >= 0 ||
			      c.frag_off >= 0 || c.mf))
		usage_err("--random does not go with --src-count, --trunc, --frag-off or --mf");

	memset(&dst4, 0, sizeof(dst4));
	memset(&dst6, 0, sizeof(dst6));
	dst4.sin_family = AF_INET;
	dst4.sin_addr = c.dst.v4;
	dst6.sin6_family = AF_INET6;
	dst6.sin6_addr = c.dst.v6;
	dst6.sin6_scope_id = c.dst.scope;

	if (c.have_random) {
		/* the headers' layout (for --partial) is that of any segment */
		build(&c, &p);
		fd = open_socket(&c, &p);
		t0 = now_ms();
		sent = send_random(&c, fd);
	} else {
		build(&c, &p);
		if (c.print)
			print_packets(&c, &p);
		set_partial_seed(&c, p.buf, &p);
		fd = open_socket(&c, &p);
		t0 = now_ms();
		sent = send_all(&c, fd, &p);
	}
	fprintf(stderr, "sent %llu packets in %.3f s\n", sent,
		(double)(now_ms() - t0) / 1000.0);
	close(fd);
	return sent == c.count ? 0 : 1;
}
