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
#include <sys/random.h>
#include <sys/socket.h>

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
"  --print          print l4hex=HEX for each distinct packet\n";

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

static int open_socket(const struct cfg *c)
{
	int fd, one = 1, sndbuf = 4 << 20;

	fd = socket(c->family, SOCK_RAW, IPPROTO_RAW);
	if (fd < 0)
		die(errno, "raw socket");
	/* keep netfilter defrag in this namespace away from our fragments */
	if (c->family == AF_INET)
		setsockopt(fd, SOL_IP, IP_NODEFRAG, &one, sizeof(one));
	setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &sndbuf, sizeof(sndbuf));
	return fd;
}

static unsigned long long send_all(const struct cfg *c, int fd,
				   const struct pkt *p)
{
	static uint8_t slots[BATCH][MAX_PKT];
	struct mmsghdr msg[BATCH];
	struct iovec iov[BATCH];
	struct sockaddr_in sin;
	struct sockaddr_in6 sin6;
	unsigned long long sent = 0;
	int i, nslots = BATCH;

	memset(&sin, 0, sizeof(sin));
	memset(&sin6, 0, sizeof(sin6));
	sin.sin_family = AF_INET;
	sin.sin_addr = c->dst.v4;
	sin6.sin6_family = AF_INET6;
	sin6.sin6_addr = c->dst.v6;
	sin6.sin6_scope_id = c->dst.scope;

	if (c->count < BATCH)
		nslots = (int)c->count;
	memset(msg, 0, sizeof(msg));
	for (i = 0; i < nslots; i++) {
		if (c->src_count > 1) {
			memcpy(slots[i], p->buf, p->len);
			iov[i].iov_base = slots[i];
		} else {
			iov[i].iov_base = (void *)p->buf;
		}
		iov[i].iov_len = p->len;
		msg[i].msg_hdr.msg_iov = &iov[i];
		msg[i].msg_hdr.msg_iovlen = 1;
		if (c->family == AF_INET) {
			msg[i].msg_hdr.msg_name = &sin;
			msg[i].msg_hdr.msg_namelen = sizeof(sin);
		} else {
			msg[i].msg_hdr.msg_name = &sin6;
			msg[i].msg_hdr.msg_namelen = sizeof(sin6);
		}
	}

	while (sent < c->count) {
		unsigned long long left = c->count - sent;
		int n = left < (unsigned long long)nslots ? (int)left : nslots;
		int done = 0;

		if (c->src_count > 1)
			for (i = 0; i < n; i++)
				patch_src(c, p, slots[i],
					  (uint32_t)((sent + i) % c->src_count));
		while (done < n) {
			int r = sendmmsg(fd, msg + done, n - done, 0);

			if (r < 0) {
				if (errno == ENOBUFS || errno == EAGAIN ||
				    errno == EINTR) {
					sched_yield();
					continue;
				}
				fprintf(stderr, "synsend: send failed after %llu packets: %s\n",
					sent + done, strerror(errno));
				return sent + done;
			}
			done += r;
		}
		sent += n;
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

	build(&c, &p);
	if (c.print)
		print_packets(&c, &p);

	fd = open_socket(&c);
	t0 = now_ms();
	sent = send_all(&c, fd, &p);
	fprintf(stderr, "sent %llu packets in %.3f s\n", sent,
		(double)(now_ms() - t0) / 1000.0);
	close(fd);
	return sent == c.count ? 0 : 1;
}
