// SPDX-License-Identifier: GPL-2.0-only
/*
 * xt_VPNMSS: clamp the TCP MSS of SYN and SYN-ACK packets per tunnel subnet.
 *
 * One rule holds a table of prefixes, each with the largest MSS that fits
 * through its tunnel.  A SYN whose source and/or destination falls in a
 * prefix has its MSS option lowered to that value; the longest prefix wins.
 * The MSS is never raised, no option is inserted, and nothing is dropped.
 *
 * An "auto" entry takes its value from the path the tunnel side of the
 * connection uses: the route and IPsec bundle back to the source, or the
 * packet's own route toward the destination, minus the IP and TCP headers.
 *
 * checkentry flattens the prefixes into sorted, disjoint address ranges, so
 * the per-packet lookup is a branch-free binary search over their first
 * addresses (32-bit keys for IPv4), kept apart from the ranges' values,
 * with no lock and no allocation.
 *
 * A rule may name its table (--vpn-name).  The table then counts, per entry
 * and per CPU, what happened to the SYNs that entry decided, and shows it
 * at /proc/net/xt_vpnmss{,6}/NAME in the rule's network namespace.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/percpu.h>
#include <linux/proc_fs.h>
#include <linux/sched.h>
#include <linux/seq_file.h>
#include <linux/skbuff.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <linux/string.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/tcp.h>
#include <net/checksum.h>
#include <net/dst.h>
#include <net/net_namespace.h>
#include <net/netns/generic.h>
#include <net/tcp.h>
#include <net/xfrm.h>
#include <linux/netfilter.h>
#include <linux/netfilter/x_tables.h>

#include "include/xt_vpnmss.h"

/* An address in one 128-bit space: IPv4 maps to ::a.b.c.d (prefix + 96). */
struct vpnmss_key {
	u64 hi;
	u64 lo;
};

/* What became of a SYN that an entry decided; the counters' index. */
enum vpnmss_verdict {
	VPNMSS_CLAMPED,
	VPNMSS_NOT_ABOVE,	/* every MSS option at or below the limit */
	VPNMSS_NO_OPTION,
	VPNMSS_MALFORMED,
	VPNMSS_UNWRITABLE,
	VPNMSS_AUTOFAIL,	/* "auto" entry, but no route or bundle */
	VPNMSS_NR_VERDICTS
};

/* One entry's counters on one CPU. */
struct vpnmss_ctr {
	u64 n[VPNMSS_NR_VERDICTS];
};

/* What a range of addresses decides, 16 bytes: the range starts at the
 * lookup table's key of the same index and ends where the next one starts;
 * @mss is 0 where no prefix covers it.  @ctr is the entry's counters in a
 * named table, else NULL: counting is one per-CPU increment through the
 * line the lookup has just read.
 */
struct vpnmss_range {
	struct vpnmss_ctr __percpu *ctr;
	u16 mss;
	u16 entry;
	u8 flags;		/* the entry's XT_VPNMSS_E_* */
};

struct vpnmss_set;

/*
 * The lookup table: @nr ranges, and their first addresses in the same
 * order in a separate array, so that the search reads only keys (4 bytes
 * for IPv4, 16 for IPv6) and one value at the end.  @first4 is set for an
 * IPv4 rule, @first for an IPv6 one.  Range 0 starts at address 0.
 */
/*
 * Both get a direct-indexed first level: the window of VPNMSS_BUCKETS
 * buckets of 2^@shift addresses each from @base4 (or @base6), chosen in
 * checkentry to cover every range boundary from the second to the one
 * before the last (the last may lie in the bucket above).  @bucket[j]
 * says which ranges bucket j's addresses lie in: the one holding its
 * first address in the low 16 bits, and how many more ranges start
 * within it in the high 16 bits, so that a bucket holding no boundary
 * after its start needs no search.  Bucket VPNMSS_BUCKETS stands for
 * everything above the window, and addresses below it lie in range 0.
 *
 * An IPv4 window counts addresses.  An IPv6 one counts the high 64 bits
 * of an address, or, when those boundaries all share their high 64 bits
 * (@low6: prefixes within one /64, @top6), the low 64 bits below them.
 */
#define VPNMSS_BUCKETS	256

struct vpnmss_lpm {
	struct vpnmss_set *set;	/* in the named table, or NULL */
	unsigned int nr;
	const u32 *first4;
	const struct vpnmss_key *first;
	u32 base4;
	unsigned int shift;
	u64 base6;
	u64 top6;
	bool low6;
	u32 bucket[VPNMSS_BUCKETS + 1];
	struct vpnmss_range range[];
};

/* A validated entry, in the common address space. */
struct vpnmss_pfx {
	struct vpnmss_key first;
	struct vpnmss_key last;
	u16 mss;
	u8 plen;
	u8 flags;
};

/* At most ten 4-byte MSS options fit into 40 bytes of TCP options. */
#define VPNMSS_MAX_MSSOPT	(MAX_TCP_OPTION_SPACE / TCPOLEN_MSS)

struct vpnmss_opts {
	unsigned int nr_mss;
	unsigned int nr_above;
	bool malformed;			/* the walk stopped at a bad option */
	u8 above[VPNMSS_MAX_MSSOPT];	/* offsets of values above the limit */
};

static bool vpnmss_key_lt(const struct vpnmss_key *a,
			  const struct vpnmss_key *b)
{
	return a->hi < b->hi || (a->hi == b->hi && a->lo < b->lo);
}

static bool vpnmss_key_eq(const struct vpnmss_key *a,
			  const struct vpnmss_key *b)
{
	return a->hi == b->hi && a->lo == b->lo;
}

static void vpnmss_key4(struct vpnmss_key *k, __be32 addr)
{
	k->hi = 0;
	k->lo = ntohl(addr);
}

static void vpnmss_key6(struct vpnmss_key *k, const __be32 *addr)
{
	k->hi = (u64)ntohl(addr[0]) << 32 | ntohl(addr[1]);
	k->lo = (u64)ntohl(addr[2]) << 32 | ntohl(addr[3]);
}

/* The host part of a /plen prefix, plen in 0..128. */
static void vpnmss_hostmask(struct vpnmss_key *m, unsigned int plen)
{
	m->hi = plen >= 64 ? 0 : plen == 0 ? ~0ULL : ~0ULL >> plen;
	m->lo = plen >= 128 ? 0 : plen <= 64 ? ~0ULL : ~0ULL >> (plen - 64);
}

/*
 * Fills in @p from an address and prefix length in the common space.
 * Returns false if host bits are set.
 */
static bool vpnmss_pfx_init(struct vpnmss_pfx *p, const struct vpnmss_key *a,
			    unsigned int plen, u16 mss, u8 flags)
{
	struct vpnmss_key m;

	vpnmss_hostmask(&m, plen);
	if ((a->hi & m.hi) || (a->lo & m.lo))
		return false;
	p->first = *a;
	p->last.hi = a->hi | m.hi;
	p->last.lo = a->lo | m.lo;
	p->plen = plen;
	p->mss = mss;
	p->flags = flags;
	return true;
}

static bool vpnmss_pfx_has(const struct vpnmss_pfx *p,
			   const struct vpnmss_key *k)
{
	return !vpnmss_key_lt(k, &p->first) && !vpnmss_key_lt(&p->last, k);
}

/* Entries must be strictly ascending by address, then prefix length. */
static bool vpnmss_pfx_after(const struct vpnmss_pfx *prev,
			     const struct vpnmss_pfx *p)
{
	if (vpnmss_key_eq(&prev->first, &p->first))
		return prev->plen < p->plen;
	return vpnmss_key_lt(&prev->first, &p->first);
}

static int vpnmss_key_cmp(const void *a, const void *b)
{
	if (vpnmss_key_lt(a, b))
		return -1;
	return vpnmss_key_lt(b, a);
}

#define VPNMSS_NO_ENTRY	U16_MAX

/*
 * Flattens @n prefixes into disjoint ranges.  Every range boundary is the
 * first address of a prefix or the address just past one, and within a
 * range the longest covering prefix does not change, so it is enough to
 * resolve each boundary once.  O(n^2) for n <= 256, in process context.
 */
static struct vpnmss_lpm *vpnmss_lpm_build(const struct vpnmss_pfx *p,
					   unsigned int n, bool v4)
{
	struct vpnmss_key *pts;
	struct vpnmss_lpm *lpm;
	void *keys;
	unsigned int i, j, nr_pts = 0;
	size_t ksize = v4 ? sizeof(u32) : sizeof(struct vpnmss_key);
	size_t size;

	pts = kmalloc_array(2 * n + 1, sizeof(*pts), GFP_KERNEL);
	if (!pts)
		return NULL;
	/* the ranges, then their keys (aligned for either kind) */
	size = ALIGN(struct_size(lpm, range, 2 * n + 1), sizeof(u64));
	lpm = kmalloc(size + (2 * n + 1) * ksize, GFP_KERNEL);
	if (!lpm) {
		kfree(pts);
		return NULL;
	}
	keys = (u8 *)lpm + size;

	pts[nr_pts++] = (struct vpnmss_key){ 0, 0 };
	for (i = 0; i < n; i++) {
		pts[nr_pts++] = p[i].first;
		if (~p[i].last.hi || ~p[i].last.lo) {
			pts[nr_pts] = p[i].last;
			if (++pts[nr_pts].lo == 0)
				pts[nr_pts].hi++;
			nr_pts++;
		}
	}
	sort(pts, nr_pts, sizeof(*pts), vpnmss_key_cmp, NULL);

	lpm->set = NULL;
	lpm->nr = 0;
	for (i = 0; i < nr_pts; i++) {
		unsigned int best = VPNMSS_NO_ENTRY;
		struct vpnmss_range *r;

		if (i && vpnmss_key_eq(&pts[i], &pts[i - 1]))
			continue;
		/* IPv4 addresses end at ::255.255.255.255: no key reaches
		 * the range past a prefix that ends there.
		 */
		if (v4 && (pts[i].hi || pts[i].lo > U32_MAX))
			break;
		for (j = 0; j < n; j++)
			if (vpnmss_pfx_has(&p[j], &pts[i]) &&
			    (best == VPNMSS_NO_ENTRY || p[j].plen > p[best].plen))
				best = j;
		if (lpm->nr && lpm->range[lpm->nr - 1].entry == best)
			continue;
		/* compacts pts in place: lpm->nr <= i, pts[i - 1] was read */
		pts[lpm->nr] = pts[i];
		r = &lpm->range[lpm->nr++];
		r->ctr = NULL;
		r->entry = best;
		r->mss = best == VPNMSS_NO_ENTRY ? 0 : p[best].mss;
		r->flags = best == VPNMSS_NO_ENTRY ? 0 : p[best].flags;
	}
	if (v4) {
		u32 *f4 = keys;

		for (i = 0; i < lpm->nr; i++)
			f4[i] = pts[i].lo;
		lpm->first4 = f4;
		lpm->first = NULL;
	} else {
		memcpy(keys, pts, lpm->nr * sizeof(*pts));
		lpm->first4 = NULL;
		lpm->first = keys;
	}
	kfree(pts);
	return lpm;
}

/*
 * The index of the range holding @k: the last first address at or below
 * it.  The search halves a window of @n keys starting at @base a fixed
 * number of times, ceil(log2(nr)), with a conditional move and no branch
 * on the data; key 0 is 0, so there is always one.
 */
static __always_inline unsigned int
vpnmss_search4(const u32 *first, unsigned int n, u32 k)
{
	const u32 *base = first;

	while (n > 1) {
		unsigned int half = n / 2;

		base = READ_ONCE(base[half]) <= k ? base + half : base;
		n -= half;
	}
	return base - first;
}

static __always_inline unsigned int
vpnmss_search6(const struct vpnmss_key *first, unsigned int n,
	       const struct vpnmss_key *k)
{
	unsigned int base = 0;

	while (n > 1) {
		unsigned int half = n / 2;

		base = vpnmss_key_lt(k, &first[base + half]) ? base : base + half;
		n -= half;
	}
	return base;
}

/* The index of the range of an IPv4 table holding @k (host order). */
static __always_inline unsigned int
vpnmss_index4(const struct vpnmss_lpm *lpm, u32 k)
{
	unsigned int j, lo;
	u32 b;

	if (k < lpm->base4)
		return 0;
	j = min_t(u32, (k - lpm->base4) >> lpm->shift, VPNMSS_BUCKETS);
	b = lpm->bucket[j];
	lo = b & 0xffff;
	if (likely(!(b >> 16)))
		return lo;
	return lo + vpnmss_search4(lpm->first4 + lo, (b >> 16) + 1, k);
}

/* The index of the range of an IPv6 table holding @k. */
static __always_inline unsigned int
vpnmss_index6(const struct vpnmss_lpm *lpm, const struct vpnmss_key *k)
{
	unsigned int j, lo;
	u64 w = k->hi;
	u32 b;

	if (lpm->low6) {
		if (unlikely(k->hi != lpm->top6))
			return k->hi < lpm->top6 ? 0 : lpm->nr - 1;
		w = k->lo;
	}
	if (w < lpm->base6)
		return 0;
	j = min_t(u64, (w - lpm->base6) >> lpm->shift, VPNMSS_BUCKETS);
	b = lpm->bucket[j];
	lo = b & 0xffff;
	if (likely(!(b >> 16)))
		return lo;
	return lo + vpnmss_search6(lpm->first + lo, (b >> 16) + 1, k);
}

/* The range of an IPv4 rule holding @addr. */
static __always_inline const struct vpnmss_range *
vpnmss_lpm_lookup4(const struct vpnmss_lpm *lpm, __be32 addr)
{
	return &lpm->range[vpnmss_index4(lpm, ntohl(addr))];
}

/* The range holding @k, in either family's table (an IPv4 key is ::a.b.c.d). */
static const struct vpnmss_range *
vpnmss_lpm_lookup(const struct vpnmss_lpm *lpm, const struct vpnmss_key *k)
{
	if (lpm->first4)
		return &lpm->range[vpnmss_index4(lpm, k->lo)];
	return &lpm->range[vpnmss_index6(lpm, k)];
}

/*
 * The first level of an IPv4 table: the narrowest buckets whose window
 * holds every boundary from the second (the first is 0) to the one before
 * the last, and each bucket's ranges.  O(VPNMSS_BUCKETS log nr), in checkentry.
 */
static void vpnmss_buckets4(struct vpnmss_lpm *lpm)
{
	const u32 *f = lpm->first4;
	u32 lo = lpm->nr > 1 ? f[1] : 0, hi = f[lpm->nr - 1];
	unsigned int shift = 0, j;

	/* the last boundary may start bucket VPNMSS_BUCKETS */
	while ((hi >> shift) - (lo >> shift) > VPNMSS_BUCKETS)
		shift++;
	lpm->shift = shift;
	lpm->base4 = lo >> shift << shift;
	for (j = 0; j <= VPNMSS_BUCKETS; j++) {
		u64 a = (u64)lpm->base4 + ((u64)j << shift);
		u64 z = j < VPNMSS_BUCKETS ? a + (1ULL << shift) - 1 : U32_MAX;
		unsigned int first, last;

		/* a bucket past the end of the address space is never used */
		first = a > U32_MAX ? lpm->nr - 1 : vpnmss_search4(f, lpm->nr, a);
		last = z > U32_MAX ? lpm->nr - 1 : vpnmss_search4(f, lpm->nr, z);
		lpm->bucket[j] = (last - first) << 16 | first;
	}
}

/*
 * The first level of an IPv6 table, the same way over one 64-bit half of
 * the address: the low half if every boundary from the second to the last
 * has the same high half, else the high half.  O(VPNMSS_BUCKETS log nr).
 */
static void vpnmss_buckets6(struct vpnmss_lpm *lpm)
{
	const struct vpnmss_key *f = lpm->first;
	struct vpnmss_key lo = lpm->nr > 1 ? f[1] : f[0], hi = f[lpm->nr - 1];
	unsigned int shift = 0, j;
	u64 l, h, room;

	lpm->low6 = lo.hi == hi.hi;
	lpm->top6 = lo.hi;
	l = lpm->low6 ? lo.lo : lo.hi;
	h = lpm->low6 ? hi.lo : hi.hi;
	/* 2^64 / VPNMSS_BUCKETS: shift stays below 64 */
	while ((h >> shift) - (l >> shift) > VPNMSS_BUCKETS)
		shift++;
	lpm->shift = shift;
	lpm->base6 = l >> shift << shift;
	/* the buckets whose first half-address exists */
	room = (U64_MAX - lpm->base6) >> shift;
	for (j = 0; j <= VPNMSS_BUCKETS; j++) {
		struct vpnmss_key a, z;
		unsigned int first, last;
		u64 wa, wz;

		if (j > room) {
			/* past the end of the address space: never used */
			lpm->bucket[j] = lpm->nr - 1;
			continue;
		}
		wa = lpm->base6 + ((u64)j << shift);
		wz = j < VPNMSS_BUCKETS && wa <= U64_MAX - ((1ULL << shift) - 1) ?
		     wa + ((1ULL << shift) - 1) : U64_MAX;
		if (lpm->low6) {
			a = (struct vpnmss_key){ lpm->top6, wa };
			z = (struct vpnmss_key){ lpm->top6, wz };
		} else {
			a = (struct vpnmss_key){ wa, 0 };
			z = (struct vpnmss_key){ wz, U64_MAX };
		}
		first = vpnmss_search6(f, lpm->nr, &a);
		last = vpnmss_search6(f, lpm->nr, &z);
		lpm->bucket[j] = (last - first) << 16 | first;
	}
}

/* "auto" reads the packet's route, so it needs a hook after routing. */
#define VPNMSS_AUTO_HOOKS	(BIT(NF_INET_FORWARD) | BIT(NF_INET_LOCAL_OUT) | \
				 BIT(NF_INET_POST_ROUTING))

/* What an "auto" entry needs to know about the packet. */
struct vpnmss_pkt {
	struct sk_buff *skb;
	const struct xt_action_param *par;
	const struct tcphdr *th;
};

/*
 * The MTU of the path back to the packet's source, looked up the way the
 * stack will send the reply: a route, then the IPsec policy and bundle for
 * the whole flow, so that ESP and NAT-T overhead and the path MTU toward
 * the peer count (xfrm_state_mtu()).  0 if there is no such path.
 */
static unsigned int vpnmss_reverse_mtu(const struct vpnmss_pkt *pkt)
{
	const struct sk_buff *skb = pkt->skb;
	struct net *net = xt_net(pkt->par);
	u8 family = xt_family(pkt->par);
	struct dst_entry *dst = NULL;
	struct flowi fl = {};
	unsigned int mtu;

	/* The packet's mark selects the reply's route and policy too, as
	 * with CONNMARK --restore-mark; iif and VRF (l3mdev) are not used.
	 */
	if (family == NFPROTO_IPV4) {
		fl.u.ip4.daddr = ip_hdr(skb)->saddr;
		fl.u.ip4.flowi4_mark = skb->mark;
	} else {
		fl.u.ip6.daddr = ipv6_hdr(skb)->saddr;
		fl.u.ip6.flowi6_mark = skb->mark;
	}
	if (nf_route(net, &dst, &fl, false, family) || !dst)
		return 0;

	/* The route lookup wants no foreign source; the policy does. */
	if (family == NFPROTO_IPV4) {
		fl.u.ip4.saddr = ip_hdr(skb)->daddr;
		fl.u.ip4.flowi4_proto = IPPROTO_TCP;
		fl.u.ip4.fl4_sport = pkt->th->dest;
		fl.u.ip4.fl4_dport = pkt->th->source;
	} else {
		fl.u.ip6.saddr = ipv6_hdr(skb)->daddr;
		fl.u.ip6.flowi6_proto = IPPROTO_TCP;
		fl.u.ip6.fl6_sport = pkt->th->dest;
		fl.u.ip6.fl6_dport = pkt->th->source;
	}
	dst = xfrm_lookup(net, dst, &fl, NULL, 0);
	if (IS_ERR(dst))
		return 0;
	mtu = dst_mtu(dst);
	dst_release(dst);
	return mtu;
}

/*
 * The MSS an "auto" entry allows, 0 when the path is unknown.  checkentry
 * cannot always tell the hook: nft_compat checks a rule of a user chain
 * with hook_mask 0, and the chain may be reached from any hook later.
 */
static u16 vpnmss_auto(const struct vpnmss_pkt *pkt, bool source)
{
	unsigned int hdrs = sizeof(struct tcphdr), mtu = 0;

	if (!(BIT(xt_hooknum(pkt->par)) & VPNMSS_AUTO_HOOKS))
		return 0;

	hdrs += xt_family(pkt->par) == NFPROTO_IPV4 ? sizeof(struct iphdr) :
						     sizeof(struct ipv6hdr);
	if (source)
		mtu = vpnmss_reverse_mtu(pkt);
	else if (skb_dst(pkt->skb))
		mtu = dst_mtu(skb_dst(pkt->skb));
	if (mtu < hdrs + XT_VPNMSS_MSS_MIN)
		return 0;
	return min_t(unsigned int, mtu - hdrs, XT_VPNMSS_MSS_MAX);
}

/* Out of line, so that the common path keeps no vpnmss_pkt on its stack. */
static noinline u16 vpnmss_auto_of(struct sk_buff *skb,
				   const struct xt_action_param *par,
				   const struct tcphdr *th, bool source)
{
	struct vpnmss_pkt pkt = { .skb = skb, .par = par, .th = th };

	return vpnmss_auto(&pkt, source);
}

/* @par is NULL when the table holds no "auto" entry (KUnit). */
static __always_inline u16 vpnmss_value(const struct vpnmss_range *r,
					struct sk_buff *skb,
					const struct xt_action_param *par,
					const struct tcphdr *th, bool source)
{
	if (likely(!(r->flags & XT_VPNMSS_E_AUTO)))
		return r->mss;
	return par ? vpnmss_auto_of(skb, par, th, source) : 0;
}

/*
 * The range whose entry decides a packet's MSS limit, which goes to
 * *@limit, or NULL when no entry covers the packet.  With both directions
 * the smaller limit decides.  *@limit is 0 when the deciding entry is an
 * "auto" one without a path.  @pkt may be NULL when the table holds no
 * "auto" entry.
 */
static __always_inline const struct vpnmss_range *
vpnmss_decide(const struct vpnmss_range *rs, const struct vpnmss_range *rd,
	      struct sk_buff *skb, const struct xt_action_param *par,
	      const struct tcphdr *th, u16 *limit)
{
	u16 s = 0, d = 0;

	if (rs && rs->entry == VPNMSS_NO_ENTRY)
		rs = NULL;
	if (rd && rd->entry == VPNMSS_NO_ENTRY)
		rd = NULL;
	if (rs)
		s = vpnmss_value(rs, skb, par, th, true);
	if (rd)
		d = vpnmss_value(rd, skb, par, th, false);
	if (s && (!d || s <= d)) {
		*limit = s;
		return rs;
	}
	*limit = d;
	return d || !rs ? rd : rs;
}

static const struct vpnmss_range *
vpnmss_limit(const struct vpnmss_lpm *lpm, u8 dir,
	     const struct vpnmss_key *src, const struct vpnmss_key *dst,
	     const struct vpnmss_pkt *pkt, u16 *limit)
{
	return vpnmss_decide(dir & XT_VPNMSS_DIR_SRC ?
			     vpnmss_lpm_lookup(lpm, src) : NULL,
			     dir & XT_VPNMSS_DIR_DST ?
			     vpnmss_lpm_lookup(lpm, dst) : NULL,
			     pkt ? pkt->skb : NULL, pkt ? pkt->par : NULL,
			     pkt ? pkt->th : NULL, limit);
}

/* Counts a SYN in the deciding entry's counters, if the table is named. */
static void vpnmss_count(const struct vpnmss_range *r,
			 enum vpnmss_verdict v)
{
	if (r->ctr)
		this_cpu_inc(r->ctr->n[v]);
}

/*
 * Walks the options the way tcp_parse_options() does on the receiver: stop
 * at End-of-Option-List, skip NOPs, and stop at a length below 2 or past
 * the end.  An MSS option counts only with length 4, as on the receiver.
 * The receiver keeps every MSS it parsed before it stopped, so those count
 * even when a malformed option follows; nothing after that point does.
 */
static void vpnmss_parse_opts(const u8 *opt, unsigned int len, u16 limit,
			      struct vpnmss_opts *o)
{
	unsigned int i = 0;

	o->nr_mss = 0;
	o->nr_above = 0;
	o->malformed = false;
	while (i < len) {
		unsigned int size;

		if (opt[i] == TCPOPT_EOL)
			break;
		if (opt[i] == TCPOPT_NOP) {
			i++;
			continue;
		}
		if (len - i < 2)
			goto malformed;
		size = opt[i + 1];
		if (size < 2 || size > len - i)
			goto malformed;
		if (opt[i] == TCPOPT_MSS && size == TCPOLEN_MSS) {
			u16 mss = opt[i + 2] << 8 | opt[i + 3];

			o->nr_mss++;
			if (mss > limit)
				o->above[o->nr_above++] = i + 2;
		}
		i += size;
	}
	return;
malformed:
	o->malformed = true;
}

/*
 * Replaces the 16-bit value at @p, @off bytes into the TCP header, and
 * updates the checksum.  The incremental update works on 16-bit words of
 * the segment; at an odd offset the value's bytes sit in the low half of
 * one word and the high half of the next, so the update takes them byte-
 * swapped (RFC 1071, 2.(B): the sum is byte-order independent).
 */
static void vpnmss_replace16(struct sk_buff *skb, struct tcphdr *th, u8 *p,
			     unsigned int off, u16 val)
{
	u16 old = p[0] << 8 | p[1];

	p[0] = val >> 8;
	p[1] = val & 0xff;
	if (off & 1) {
		old = swab16(old);
		val = swab16(val);
	}
	inet_proto_csum_replace2(&th->check, skb, htons(old), htons(val),
				 false);
}

/*
 * vpnmss_replace16() with inet_proto_csum_replace2(.., false) spelled out:
 * unless the checksum is left to the device (CHECKSUM_PARTIAL), it is
 * updated in place by csum_replace2() (RFC 1624's equation 3); skb->csum
 * needs nothing, since value and checksum change by opposite amounts.
 */
static __always_inline void vpnmss_replace16_inline(struct sk_buff *skb,
						    struct tcphdr *th, u8 *p,
						    unsigned int off, u16 old,
						    u16 val)
{
	p[0] = val >> 8;
	p[1] = val & 0xff;
	if (unlikely(skb->ip_summed == CHECKSUM_PARTIAL))
		return;
	if (off & 1) {
		old = swab16(old);
		val = swab16(val);
	}
	csum_replace2(&th->check, htons(old), htons(val));
}

/*
 * The walk of vpnmss_parse_opts(), in one pass over the writable options
 * of @th, from offset @i of the @len option bytes on, lowering every MSS
 * value above @limit on the way; @any and @above say what the options
 * before @i held.
 */
static noinline enum vpnmss_verdict
vpnmss_walk(struct sk_buff *skb, struct tcphdr *th, unsigned int len,
	    u16 limit, unsigned int i, bool any, bool above)
{
	u8 *opt = (u8 *)(th + 1);

	while (i < len) {
		unsigned int size;

		if (opt[i] == TCPOPT_EOL)
			break;
		if (opt[i] == TCPOPT_NOP) {
			i++;
			continue;
		}
		if (len - i < 2)
			goto malformed;
		size = opt[i + 1];
		if (size < 2 || size > len - i)
			goto malformed;
		if (opt[i] == TCPOPT_MSS && size == TCPOLEN_MSS) {
			u16 mss = opt[i + 2] << 8 | opt[i + 3];

			any = true;
			if (mss > limit) {
				above = true;
				vpnmss_replace16_inline(skb, th, opt + i + 2,
							sizeof(*th) + i + 2,
							mss, limit);
			}
		}
		i += size;
	}
	if (!any)
		return VPNMSS_NO_OPTION;
	return above ? VPNMSS_CLAMPED : VPNMSS_NOT_ABOVE;
malformed:
	if (!any)
		return VPNMSS_MALFORMED;
	return above ? VPNMSS_CLAMPED : VPNMSS_NOT_ABOVE;
}

/*
 * The usual SYN starts with its MSS option, in a private linear header:
 * for that case, the verdict of that first option, lowered if above
 * @limit at an offset known to be even; the options after it (a TCP
 * header length @doff above 24) are then still to be walked, from byte
 * TCPOLEN_MSS.  For any
 * other packet VPNMSS_NR_VERDICTS, having changed nothing.
 */
static __always_inline enum vpnmss_verdict
vpnmss_clamp_first(struct sk_buff *skb, unsigned int thoff,
		   unsigned int doff, u16 limit)
{
	struct tcphdr *wth;
	__be16 old, val;
	u8 *opt;

	/* skb_ensure_writable()'s own test for a linear, private header */
	if (unlikely(doff < sizeof(*wth) + TCPOLEN_MSS || skb_cloned(skb) ||
		     thoff + doff > skb_headlen(skb)))
		return VPNMSS_NR_VERDICTS;
	wth = (struct tcphdr *)(skb->data + thoff);
	opt = (u8 *)(wth + 1);
	if (unlikely(opt[0] != TCPOPT_MSS || opt[1] != TCPOLEN_MSS))
		return VPNMSS_NR_VERDICTS;
	memcpy(&old, opt + 2, sizeof(old));
	if (ntohs(old) <= limit)
		return VPNMSS_NOT_ABOVE;
	val = htons(limit);
	memcpy(opt + 2, &val, sizeof(val));
	if (likely(skb->ip_summed != CHECKSUM_PARTIAL))
		csum_replace2(&wth->check, old, val);
	return VPNMSS_CLAMPED;
}

/*
 * vpnmss_clamp() for a packet that cannot be made writable: the same
 * verdict from a read-only walk, and UNWRITABLE where it would write.
 */
static noinline enum vpnmss_verdict vpnmss_clamp_ro(struct sk_buff *skb,
						    unsigned int thoff,
						    unsigned int doff,
						    u16 limit)
{
	u8 _opt[MAX_TCP_OPTION_SPACE];
	struct vpnmss_opts o;
	const u8 *opt;

	opt = skb_header_pointer(skb, thoff + sizeof(struct tcphdr),
				 doff - sizeof(struct tcphdr), _opt);
	if (!opt)
		return VPNMSS_MALFORMED;
	vpnmss_parse_opts(opt, doff - sizeof(struct tcphdr), limit, &o);
	if (!o.nr_mss)
		return o.malformed ? VPNMSS_MALFORMED : VPNMSS_NO_OPTION;
	return o.nr_above ? VPNMSS_UNWRITABLE : VPNMSS_NOT_ABOVE;
}

/*
 * vpnmss_clamp() without its first step: the whole walk.  Like TCPMSS, the
 * header is made writable first (a no-op for the usual private, linear
 * skb), so that the options are walked and written in one pass.
 */
static noinline enum vpnmss_verdict
vpnmss_clamp_all(struct sk_buff *skb, unsigned int thoff,
		 const struct tcphdr *th, u16 limit)
{
	unsigned int doff = th->doff * 4;

	if (doff < sizeof(*th))
		return VPNMSS_MALFORMED;
	if (doff == sizeof(*th))
		return VPNMSS_NO_OPTION;
	if (unlikely(skb_cloned(skb) || thoff + doff > skb_headlen(skb)) &&
	    skb_ensure_writable(skb, thoff + doff))
		return vpnmss_clamp_ro(skb, thoff, doff, limit);
	return vpnmss_walk(skb, (struct tcphdr *)(skb->data + thoff),
			   doff - sizeof(*th), limit, 0, false, false);
}

/*
 * Lowers every MSS option of the TCP header at @thoff that is above @limit.
 * @th is a copy of that header, already known to carry SYN.
 */
static __always_inline enum vpnmss_verdict
vpnmss_clamp(struct sk_buff *skb, unsigned int thoff, const struct tcphdr *th,
	     u16 limit)
{
	unsigned int doff = th->doff * 4;
	enum vpnmss_verdict v = vpnmss_clamp_first(skb, thoff, doff, limit);

	if (unlikely(v == VPNMSS_NR_VERDICTS))
		return vpnmss_clamp_all(skb, thoff, th, limit);
	if (unlikely(doff > sizeof(*th) + TCPOLEN_MSS))
		return vpnmss_walk(skb, (struct tcphdr *)(skb->data + thoff),
				   doff - sizeof(*th), limit, TCPOLEN_MSS,
				   true, v == VPNMSS_CLAMPED);
	return v;
}

/* vpnmss_clamp() and vpnmss_count(), out of line: a tail call away. */
static noinline unsigned int vpnmss_clamp_count(struct sk_buff *skb,
						unsigned int thoff,
						const struct tcphdr *th,
						const struct vpnmss_range *r,
						u16 limit)
{
	vpnmss_count(r, vpnmss_clamp(skb, thoff, th, limit));
	return XT_CONTINUE;
}

/* The rest of the walk after the first MSS option, and vpnmss_count(). */
static noinline unsigned int vpnmss_walk_count(struct sk_buff *skb,
					       unsigned int thoff,
					       unsigned int doff,
					       const struct vpnmss_range *r,
					       bool above)
{
	vpnmss_count(r, vpnmss_walk(skb, (struct tcphdr *)(skb->data + thoff),
				    doff - sizeof(struct tcphdr), r->mss,
				    TCPOLEN_MSS, true, above));
	return XT_CONTINUE;
}

/* Clamp to @limit and count it, or count that an "auto" entry had none. */
static void vpnmss_clamp_or_fail(struct sk_buff *skb, unsigned int thoff,
				 const struct tcphdr *th,
				 const struct vpnmss_range *r, u16 limit)
{
	vpnmss_count(r, limit ? vpnmss_clamp(skb, thoff, th, limit) :
				VPNMSS_AUTOFAIL);
}

/* The walk and rewrite in three passes, as before; for KUnit's comparison. */
static enum vpnmss_verdict __maybe_unused
vpnmss_clamp_3pass(struct sk_buff *skb, unsigned int thoff,
		   const struct tcphdr *th, u16 limit)
{
	unsigned int doff = th->doff * 4, i;
	u8 _opt[MAX_TCP_OPTION_SPACE];
	struct vpnmss_opts o;
	struct tcphdr *wth;
	const u8 *opt;
	u8 *wopt;

	if (doff < sizeof(*th))
		return VPNMSS_MALFORMED;
	if (doff == sizeof(*th))
		return VPNMSS_NO_OPTION;
	opt = skb_header_pointer(skb, thoff + sizeof(*th), doff - sizeof(*th),
				 _opt);
	if (!opt)
		return VPNMSS_MALFORMED;
	vpnmss_parse_opts(opt, doff - sizeof(*th), limit, &o);
	if (!o.nr_mss)
		return o.malformed ? VPNMSS_MALFORMED : VPNMSS_NO_OPTION;
	if (!o.nr_above)
		return VPNMSS_NOT_ABOVE;

	if (skb_ensure_writable(skb, thoff + doff))
		return VPNMSS_UNWRITABLE;
	wth = (struct tcphdr *)(skb->data + thoff);
	wopt = (u8 *)(wth + 1);
	for (i = 0; i < o.nr_above; i++)
		vpnmss_replace16(skb, wth, wopt + o.above[i],
				 sizeof(*wth) + o.above[i], limit);
	return VPNMSS_CLAMPED;
}

/* A copy of the TCP header if this is a SYN or SYN-ACK, else NULL. */
static const struct tcphdr *vpnmss_syn(const struct sk_buff *skb,
				       const struct xt_action_param *par,
				       struct tcphdr *buf)
{
	const struct tcphdr *th;

	if (par->fragoff)
		return NULL;
	th = skb_header_pointer(skb, par->thoff, sizeof(*buf), buf);
	if (!th || !th->syn || th->rst)
		return NULL;
	return th;
}

/*
 * vpnmss_syn4() for both directions: the general decision of
 * vpnmss_decide().
 */
static noinline unsigned int vpnmss_syn4_any(struct sk_buff *skb,
					     const struct xt_action_param *par,
					     const struct tcphdr *th)
{
	const struct xt_vpnmss_tginfo4 *info = par->targinfo;
	const struct iphdr *iph = ip_hdr(skb);
	const struct vpnmss_lpm *lpm = info->lpm;
	const struct vpnmss_range *r;
	u8 dir = info->hdr.dir;
	u16 limit;

	r = vpnmss_decide(dir & XT_VPNMSS_DIR_SRC ?
			  vpnmss_lpm_lookup4(lpm, iph->saddr) : NULL,
			  dir & XT_VPNMSS_DIR_DST ?
			  vpnmss_lpm_lookup4(lpm, iph->daddr) : NULL,
			  skb, par, th, &limit);
	if (r)
		vpnmss_clamp_or_fail(skb, par->thoff, th, r, limit);
	return XT_CONTINUE;
}

/* vpnmss_syn_one() for a range @r with an "auto" entry. */
static noinline unsigned int vpnmss_syn_auto(struct sk_buff *skb,
					     const struct xt_action_param *par,
					     const struct tcphdr *th,
					     const struct vpnmss_range *r,
					     bool source)
{
	u16 limit = vpnmss_auto_of(skb, par, th, source);

	vpnmss_clamp_or_fail(skb, par->thoff, th, r, limit);
	return XT_CONTINUE;
}

/*
 * Clamps and counts a SYN or SYN-ACK, TCP header @th, by the range @r that
 * one direction's lookup found.  An entry with a fixed MSS is decided
 * here: a range's mss is 0 only where no entry covers it or its entry is
 * "auto".
 */
static __always_inline unsigned int
vpnmss_syn_one(struct sk_buff *skb, const struct xt_action_param *par,
	       const struct tcphdr *th, const struct vpnmss_range *r,
	       bool source)
{
	enum vpnmss_verdict v;
	unsigned int doff;

	if (unlikely(!r->mss)) {
		if (r->entry == VPNMSS_NO_ENTRY)
			return XT_CONTINUE;
		return vpnmss_syn_auto(skb, par, th, r, source);
	}
	doff = th->doff * 4;
	v = vpnmss_clamp_first(skb, par->thoff, doff, r->mss);
	if (unlikely(v == VPNMSS_NR_VERDICTS))
		return vpnmss_clamp_count(skb, par->thoff, th, r, r->mss);
	if (unlikely(doff > sizeof(*th) + TCPOLEN_MSS))
		return vpnmss_walk_count(skb, par->thoff, doff, r,
					 v == VPNMSS_CLAMPED);
	vpnmss_count(r, v);
	return XT_CONTINUE;
}

/*
 * The TCP header's place @th, in place or a copy, of a segment with SYN:
 * if it is a SYN or SYN-ACK of the IPv4 packet, look up, clamp, count.  Out
 * of line, so that vpnmss_tg4() saves no registers for the segments without
 * SYN and reaches this by a tail call.  The checks that only a SYN needs
 * are here, not there: the protocol (nft_compat takes the rule's word for
 * it), a first fragment, no RST.
 */
static noinline unsigned int vpnmss_syn4(struct sk_buff *skb,
					 const struct xt_action_param *par,
					 const struct tcphdr *th)
{
	const struct xt_vpnmss_tginfo4 *info = par->targinfo;
	const struct iphdr *iph = ip_hdr(skb);
	u8 dir = info->hdr.dir;

	if (iph->protocol != IPPROTO_TCP || par->fragoff || th->rst)
		return XT_CONTINUE;
	if (unlikely(dir == XT_VPNMSS_DIR_BOTH))
		return vpnmss_syn4_any(skb, par, th);
	return vpnmss_syn_one(skb, par, th,
			      vpnmss_lpm_lookup4(info->lpm,
						 dir == XT_VPNMSS_DIR_SRC ?
						 iph->saddr : iph->daddr),
			      dir == XT_VPNMSS_DIR_SRC);
}

/* vpnmss_tg4() for a TCP header outside the linear area: a copy of it. */
static noinline unsigned int vpnmss_tg4_copy(struct sk_buff *skb,
					     const struct xt_action_param *par)
{
	struct tcphdr _th;
	const struct tcphdr *th;

	th = skb_header_pointer(skb, par->thoff, sizeof(_th), &_th);
	if (th && th->syn)
		return vpnmss_syn4(skb, par, th);
	return XT_CONTINUE;
}

/*
 * The common case reads the TCP header in place and keeps nothing on the
 * stack.  A segment without SYN costs one bound and one bit: its flags byte
 * lies in the linear area whatever the packet is, so reading it needs no
 * other check first.
 */
static unsigned int vpnmss_tg4(struct sk_buff *skb,
			       const struct xt_action_param *par)
{
	const struct tcphdr *th;

	if (unlikely(skb_headlen(skb) < par->thoff + sizeof(*th)))
		return vpnmss_tg4_copy(skb, par);
	th = (const struct tcphdr *)(skb->data + par->thoff);
	if (th->syn)
		return vpnmss_syn4(skb, par, th);
	return XT_CONTINUE;
}

#if IS_ENABLED(CONFIG_IPV6)
/*
 * Whether the first fragment's TCP header, as ipv6_find_hdr() sees the
 * packet, is at @thoff.  ip6_tables leaves thoff at 0 for an entry without
 * IP6T_F_PROTO, and nft_compat sets it to whatever transport header there
 * is, so @thoff alone does not say that this is TCP.  Asked for SYNs only.
 */
static bool vpnmss_is_tcp6(struct sk_buff *skb, unsigned int thoff)
{
	unsigned int off = 0;

	return ipv6_find_hdr(skb, &off, IPPROTO_TCP, NULL, NULL) == IPPROTO_TCP &&
	       off == thoff;
}

/* vpnmss_syn6() for both directions: the general decision. */
static noinline unsigned int vpnmss_syn6_any(struct sk_buff *skb,
					     const struct xt_action_param *par,
					     const struct tcphdr *th)
{
	const struct xt_vpnmss_tginfo6 *info = par->targinfo;
	struct vpnmss_pkt pkt = { .skb = skb, .par = par, .th = th };
	const struct ipv6hdr *ip6h = ipv6_hdr(skb);
	const struct vpnmss_range *r;
	struct vpnmss_key src, dst;
	u16 limit;

	vpnmss_key6(&src, ip6h->saddr.s6_addr32);
	vpnmss_key6(&dst, ip6h->daddr.s6_addr32);
	r = vpnmss_limit(info->lpm, info->hdr.dir, &src, &dst, &pkt, &limit);
	if (r)
		vpnmss_clamp_or_fail(skb, par->thoff, th, r, limit);
	return XT_CONTINUE;
}

/*
 * vpnmss_syn4() for IPv6: @th is the TCP header, at par->thoff, of a first
 * fragment, with SYN.
 */
static noinline unsigned int vpnmss_syn6(struct sk_buff *skb,
					 const struct xt_action_param *par,
					 const struct tcphdr *th)
{
	const struct xt_vpnmss_tginfo6 *info = par->targinfo;
	const struct ipv6hdr *ip6h = ipv6_hdr(skb);
	u8 dir = info->hdr.dir;
	struct vpnmss_key k;

	if (th->rst)
		return XT_CONTINUE;
	if (unlikely(dir == XT_VPNMSS_DIR_BOTH))
		return vpnmss_syn6_any(skb, par, th);
	vpnmss_key6(&k, dir == XT_VPNMSS_DIR_SRC ? ip6h->saddr.s6_addr32 :
						   ip6h->daddr.s6_addr32);
	return vpnmss_syn_one(skb, par, th,
			      &info->lpm->range[vpnmss_index6(info->lpm, &k)],
			      dir == XT_VPNMSS_DIR_SRC);
}

/*
 * vpnmss_tg6() for any other layout: extension headers, a fragment, a TCP
 * header outside the linear area, a rule that gave no transport offset.
 */
static noinline unsigned int vpnmss_tg6_any(struct sk_buff *skb,
					    const struct xt_action_param *par)
{
	const struct tcphdr *th;
	struct tcphdr _th;

	th = vpnmss_syn(skb, par, &_th);
	if (!th || !vpnmss_is_tcp6(skb, par->thoff))
		return XT_CONTINUE;
	return vpnmss_syn6(skb, par, th);
}

/*
 * As vpnmss_tg4(): a segment without SYN costs one bound and one bit.  A
 * SYN with TCP right behind the fixed header needs no walk over extension
 * headers: @thoff is where the header is.
 */
static unsigned int vpnmss_tg6(struct sk_buff *skb,
			       const struct xt_action_param *par)
{
	const struct tcphdr *th;

	if (unlikely(skb_headlen(skb) < par->thoff + sizeof(*th)))
		return vpnmss_tg6_any(skb, par);
	th = (const struct tcphdr *)(skb->data + par->thoff);
	if (!th->syn)
		return XT_CONTINUE;
	if (unlikely(ipv6_hdr(skb)->nexthdr != IPPROTO_TCP ||
		     par->thoff != skb_network_offset(skb) + sizeof(struct ipv6hdr)))
		return vpnmss_tg6_any(skb, par);
	return vpnmss_syn6(skb, par, th);
}
#endif

static int vpnmss_check_hdr(const struct xt_vpnmss_hdr *h, unsigned int max)
{
	if (h->count == 0 || h->count > max) {
		pr_info_ratelimited("%u entries: must be 1 to %u\n",
				    h->count, max);
		return -ERANGE;
	}
	if (!h->dir || h->dir & ~XT_VPNMSS_DIR_BOTH) {
		pr_info_ratelimited("invalid direction %u\n", h->dir);
		return -EINVAL;
	}
	if (h->flags & ~XT_VPNMSS_F_MASK) {
		pr_info_ratelimited("unknown flags 0x%x (kernel too old?)\n",
				    h->flags & ~XT_VPNMSS_F_MASK);
		return -EINVAL;
	}
	if (h->reserved) {
		pr_info_ratelimited("reserved header fields must be zero\n");
		return -EINVAL;
	}
	if (!(h->flags & XT_VPNMSS_F_NAME)) {
		if (memchr_inv(h->name, 0, sizeof(h->name))) {
			pr_info_ratelimited("a name without the name flag\n");
			return -EINVAL;
		}
		return 0;
	}
	if (xt_check_proc_name(h->name, sizeof(h->name))) {
		pr_info_ratelimited("invalid table name \"%.*s\"\n",
				    (int)sizeof(h->name), h->name);
		return -EINVAL;
	}
	if (memchr_inv(h->name + strlen(h->name), 0,
		       sizeof(h->name) - strlen(h->name))) {
		pr_info_ratelimited("table name \"%s\": bytes after the NUL\n",
				    h->name);
		return -EINVAL;
	}
	return 0;
}

/* Checks one entry, already converted to @p; @idx names it in messages. */
static int vpnmss_check_entry(const struct vpnmss_pfx *p,
			      const struct vpnmss_pfx *prev, unsigned int idx)
{
	if (p->flags & XT_VPNMSS_E_AUTO) {
		if (p->mss) {
			pr_info_ratelimited("entry %u: auto entry with MSS %u\n",
					    idx, p->mss);
			return -EINVAL;
		}
	} else if (p->mss < XT_VPNMSS_MSS_MIN || p->mss > XT_VPNMSS_MSS_MAX) {
		pr_info_ratelimited("entry %u: MSS %u out of range %u-%u\n",
				    idx, p->mss, XT_VPNMSS_MSS_MIN,
				    XT_VPNMSS_MSS_MAX);
		return -ERANGE;
	}
	if (p->flags & ~XT_VPNMSS_E_MASK) {
		pr_info_ratelimited("entry %u: unknown flags 0x%x (kernel too old?)\n",
				    idx, p->flags & ~XT_VPNMSS_E_MASK);
		return -EINVAL;
	}
	if (prev && !vpnmss_pfx_after(prev, p)) {
		pr_info_ratelimited("entry %u: duplicate or out of order\n",
				    idx);
		return -EINVAL;
	}
	return 0;
}

static int vpnmss_conv4(struct vpnmss_pfx *p, const void *entry,
			unsigned int idx)
{
	const struct xt_vpnmss_entry4 *e = entry;
	struct vpnmss_key k;

	if (e->plen > 32) {
		pr_info_ratelimited("entry %u: prefix length %u > 32\n",
				    idx, e->plen);
		return -EINVAL;
	}
	vpnmss_key4(&k, e->addr);
	if (!vpnmss_pfx_init(p, &k, e->plen + 96, e->mss, e->flags)) {
		pr_info_ratelimited("entry %u: %pI4/%u has host bits set\n",
				    idx, &e->addr, e->plen);
		return -EINVAL;
	}
	return 0;
}

static int vpnmss_conv6(struct vpnmss_pfx *p, const void *entry,
			unsigned int idx)
{
	const struct xt_vpnmss_entry6 *e = entry;
	struct vpnmss_key k;

	if (e->plen > 128) {
		pr_info_ratelimited("entry %u: prefix length %u > 128\n",
				    idx, e->plen);
		return -EINVAL;
	}
	vpnmss_key6(&k, e->addr);
	if (!vpnmss_pfx_init(p, &k, e->plen, e->mss, e->flags)) {
		pr_info_ratelimited("entry %u: %pI6c/%u has host bits set\n",
				    idx, e->addr, e->plen);
		return -EINVAL;
	}
	return 0;
}

struct vpnmss_family {
	unsigned int max;
	size_t esize;
	unsigned int index;	/* 0 for IPv4, 1 for IPv6 */
	int (*conv)(struct vpnmss_pfx *p, const void *entry, unsigned int idx);
};

static const struct vpnmss_family vpnmss_family4 = {
	.index	= 0,
	.max	= XT_VPNMSS_MAX4,
	.esize	= sizeof(struct xt_vpnmss_entry4),
	.conv	= vpnmss_conv4,
};

static const struct vpnmss_family vpnmss_family6 = {
	.index	= 1,
	.max	= XT_VPNMSS_MAX6,
	.esize	= sizeof(struct xt_vpnmss_entry6),
	.conv	= vpnmss_conv6,
};

/*
 * Named tables.
 *
 * A name, per network namespace and family, is one table of counters.  The
 * counters belong to prefixes (cells), so that a prefix keeps its counters
 * whenever some rule naming the table holds it; a table lives as long as
 * some rule names it.
 *
 * Rules that name a table should hold the same entries, but need not: a
 * rule that replaces another (iptables-restore, iptables -R, a firewalld
 * reload, a daemon's update) is checked while the old one is still in
 * place, and checkentry cannot tell a replacement from a second rule.  So
 * the rules naming a table may hold several entry lists (sets).  The one
 * loaded last is the table's and is what /proc shows, with a line counting
 * the rules that still hold others; each goes with its last rule.
 */
struct vpnmss_cell {
	struct list_head list;
	struct vpnmss_key first;
	u8 plen;
	unsigned int refs;			/* sets holding this prefix */
	struct vpnmss_ctr __percpu *ctr;
};

struct vpnmss_table;

struct vpnmss_set {
	struct list_head list;			/* in table->sets, oldest first */
	struct vpnmss_table *table;
	unsigned int refs;		/* rules holding it; changed under both locks */
	unsigned int nr;
	struct vpnmss_pfx *pfx;
	struct vpnmss_cell **cell;
};

struct vpnmss_table {
	struct list_head list;			/* in vpnmss_net->tables */
	char name[XT_VPNMSS_NAME_LEN];
	unsigned int index;			/* vpnmss_family.index */
	struct list_head sets;
	struct list_head cells;
	struct mutex lock;			/* sets and cells vs. readers */
	struct proc_dir_entry *pde;
};

struct vpnmss_net {
	struct list_head tables;
	struct proc_dir_entry *dir[2];		/* xt_vpnmss, xt_vpnmss6 */
};

static const char *const vpnmss_dir_name[] = { "xt_vpnmss", "xt_vpnmss6" };

static unsigned int vpnmss_net_id __read_mostly;

/* Tables, sets and cells; readers of a table take only table->lock. */
static DEFINE_MUTEX(vpnmss_mutex);

static struct vpnmss_net *vpnmss_pernet(struct net *net)
{
	return net_generic(net, vpnmss_net_id);
}

static struct vpnmss_set *vpnmss_newest(const struct vpnmss_table *t)
{
	return list_last_entry(&t->sets, struct vpnmss_set, list);
}

/* Unused without CONFIG_PROC_FS, where proc_create_single_data() is a macro. */
static int __maybe_unused vpnmss_show(struct seq_file *seq, void *v)
{
	struct vpnmss_table *t = seq->private;
	const struct vpnmss_set *s, *newest;
	unsigned int i, older = 0;
	int cpu;

	mutex_lock(&t->lock);
	if (list_empty(&t->sets))
		goto out;
	newest = vpnmss_newest(t);
	for (i = 0; i < newest->nr; i++) {
		const struct vpnmss_pfx *p = &newest->pfx[i];
		u64 n[VPNMSS_NR_VERDICTS] = {};
		unsigned int v;

		for_each_possible_cpu(cpu) {
			const struct vpnmss_ctr *c;

			c = per_cpu_ptr(newest->cell[i]->ctr, cpu);
			for (v = 0; v < VPNMSS_NR_VERDICTS; v++)
				n[v] += c->n[v];
		}
		if (t->index == 0) {
			__be32 a = htonl((u32)p->first.lo);

			seq_printf(seq, "%pI4/%u", &a, p->plen - 96);
		} else {
			__be64 a[2] = { cpu_to_be64(p->first.hi),
					cpu_to_be64(p->first.lo) };

			seq_printf(seq, "%pI6c/%u", a, p->plen);
		}
		if (p->flags & XT_VPNMSS_E_AUTO)
			seq_puts(seq, "=auto");
		else
			seq_printf(seq, "=%u", p->mss);
		seq_printf(seq, " seen=%llu clamped=%llu below=%llu nomss=%llu skipped=%llu",
			   n[VPNMSS_CLAMPED] + n[VPNMSS_NOT_ABOVE] +
			   n[VPNMSS_NO_OPTION] + n[VPNMSS_MALFORMED] +
			   n[VPNMSS_UNWRITABLE] + n[VPNMSS_AUTOFAIL],
			   n[VPNMSS_CLAMPED], n[VPNMSS_NOT_ABOVE],
			   n[VPNMSS_NO_OPTION],
			   n[VPNMSS_MALFORMED] + n[VPNMSS_UNWRITABLE]);
		if (p->flags & XT_VPNMSS_E_AUTO)
			seq_printf(seq, " autofail=%llu", n[VPNMSS_AUTOFAIL]);
		seq_putc(seq, '\n');
	}
	list_for_each_entry(s, &t->sets, list)
		if (s != newest)
			older += s->refs;
	if (older)
		seq_printf(seq, "# %u older rule(s) still hold other entries\n",
			   older);
out:
	mutex_unlock(&t->lock);
	return 0;
}

static struct vpnmss_table *vpnmss_table_get(struct net *net,
					     unsigned int index,
					     const char *name)
{
	struct vpnmss_net *vn = vpnmss_pernet(net);
	struct vpnmss_table *t;
	kuid_t uid;
	kgid_t gid;

	list_for_each_entry(t, &vn->tables, list)
		if (t->index == index && !strcmp(t->name, name))
			return t;

	if (!vn->dir[index])
		return ERR_PTR(-ENOENT);
	t = kzalloc(sizeof(*t), GFP_KERNEL);
	if (!t)
		return ERR_PTR(-ENOMEM);
	strscpy(t->name, name, sizeof(t->name));
	t->index = index;
	INIT_LIST_HEAD(&t->sets);
	INIT_LIST_HEAD(&t->cells);
	mutex_init(&t->lock);
	t->pde = proc_create_single_data(t->name, 0440, vn->dir[index],
					 vpnmss_show, t);
	if (!t->pde) {
		mutex_destroy(&t->lock);
		kfree(t);
		return ERR_PTR(-ENOMEM);
	}
	/* Readable by the namespace's root only, like xt_recent's tables. */
	uid = make_kuid(net->user_ns, 0);
	gid = make_kgid(net->user_ns, 0);
	if (uid_valid(uid) && gid_valid(gid))
		proc_set_user(t->pde, uid, gid);
	list_add_tail(&t->list, &vn->tables);
	return t;
}

/* Frees @t if no set is left in it. */
static void vpnmss_table_put(struct vpnmss_table *t)
{
	if (!list_empty(&t->sets))
		return;
	list_del(&t->list);
	proc_remove(t->pde);	/* waits for readers */
	mutex_destroy(&t->lock);
	kfree(t);
}

static bool vpnmss_pfx_same(const struct vpnmss_pfx *a,
			    const struct vpnmss_pfx *b)
{
	return vpnmss_key_eq(&a->first, &b->first) && a->plen == b->plen;
}

static void vpnmss_cell_put(struct vpnmss_cell *c)
{
	if (--c->refs)
		return;
	list_del(&c->list);
	free_percpu(c->ctr);
	kfree(c);
}

static struct vpnmss_cell *vpnmss_cell_get(struct vpnmss_table *t,
					   const struct vpnmss_pfx *p)
{
	struct vpnmss_cell *c;

	list_for_each_entry(c, &t->cells, list)
		if (vpnmss_key_eq(&c->first, &p->first) && c->plen == p->plen) {
			c->refs++;
			return c;
		}
	c = kzalloc(sizeof(*c), GFP_KERNEL);
	if (!c)
		return NULL;
	c->ctr = alloc_percpu(struct vpnmss_ctr);
	if (!c->ctr) {
		kfree(c);
		return NULL;
	}
	c->first = p->first;
	c->plen = p->plen;
	c->refs = 1;
	list_add_tail(&c->list, &t->cells);
	return c;
}

static void vpnmss_set_free(struct vpnmss_set *s)
{
	unsigned int i;

	for (i = 0; i < s->nr; i++)
		if (s->cell[i])
			vpnmss_cell_put(s->cell[i]);
	kfree(s->cell);
	kfree(s->pfx);
	kfree(s);
}

static struct vpnmss_set *vpnmss_set_new(struct vpnmss_table *t,
					 const struct vpnmss_pfx *p,
					 unsigned int n)
{
	struct vpnmss_set *s;
	unsigned int i;

	s = kzalloc(sizeof(*s), GFP_KERNEL);
	if (!s)
		return NULL;
	s->table = t;
	s->refs = 1;
	s->pfx = kmemdup(p, n * sizeof(*p), GFP_KERNEL);
	s->cell = kcalloc(n, sizeof(*s->cell), GFP_KERNEL);
	if (!s->pfx || !s->cell)
		goto fail;
	s->nr = n;	/* vpnmss_set_free() walks the cells */
	for (i = 0; i < n; i++) {
		s->cell[i] = vpnmss_cell_get(t, &p[i]);
		if (!s->cell[i])
			goto fail;
	}
	return s;
fail:
	vpnmss_set_free(s);
	return NULL;
}

static bool vpnmss_set_equal(const struct vpnmss_set *s,
			     const struct vpnmss_pfx *p, unsigned int n)
{
	unsigned int i;

	if (s->nr != n)
		return false;
	for (i = 0; i < n; i++)
		if (!vpnmss_pfx_same(&s->pfx[i], &p[i]) ||
		    s->pfx[i].mss != p[i].mss || s->pfx[i].flags != p[i].flags)
			return false;
	return true;
}

/*
 * Joins the rule whose validated entries are @p to the table @name names,
 * and points @lpm's ranges at the entries' counters.
 */
static int vpnmss_name_get(const struct vpnmss_family *f,
			   const struct xt_tgchk_param *par, const char *name,
			   const struct vpnmss_pfx *p, unsigned int n,
			   struct vpnmss_lpm *lpm)
{
	struct vpnmss_set *s, *found = NULL;
	struct vpnmss_table *t;
	unsigned int i;
	int ret = 0;

	mutex_lock(&vpnmss_mutex);
	t = vpnmss_table_get(par->net, f->index, name);
	if (IS_ERR(t)) {
		ret = PTR_ERR(t);
		pr_info_ratelimited("table %s: cannot create it (%d)\n",
				    name, ret);
		goto out;
	}
	list_for_each_entry(s, &t->sets, list)
		if (vpnmss_set_equal(s, p, n))
			found = s;
	if (found) {
		mutex_lock(&t->lock);
		found->refs++;
		mutex_unlock(&t->lock);
	} else {
		found = vpnmss_set_new(t, p, n);
		if (!found) {
			vpnmss_table_put(t);
			ret = -ENOMEM;
			goto out;
		}
		mutex_lock(&t->lock);
		list_add_tail(&found->list, &t->sets);
		mutex_unlock(&t->lock);
	}
	lpm->set = found;
	for (i = 0; i < lpm->nr; i++) {
		struct vpnmss_range *r = &lpm->range[i];

		if (r->entry != VPNMSS_NO_ENTRY)
			r->ctr = found->cell[r->entry]->ctr;
	}
out:
	mutex_unlock(&vpnmss_mutex);
	return ret;
}

static void vpnmss_name_put(struct vpnmss_set *s)
{
	struct vpnmss_table *t = s->table;

	bool last;

	mutex_lock(&vpnmss_mutex);
	mutex_lock(&t->lock);
	last = !--s->refs;
	if (last)
		list_del(&s->list);
	mutex_unlock(&t->lock);
	if (last) {
		vpnmss_set_free(s);
		vpnmss_table_put(t);
	}
	mutex_unlock(&vpnmss_mutex);
}

static void vpnmss_lpm_free(struct vpnmss_lpm *lpm)
{
	if (lpm && lpm->set)
		vpnmss_name_put(lpm->set);
	kfree(lpm);
}

static int __net_init vpnmss_net_init(struct net *net)
{
	struct vpnmss_net *vn = vpnmss_pernet(net);
	unsigned int i;

	INIT_LIST_HEAD(&vn->tables);
	if (!IS_ENABLED(CONFIG_PROC_FS))
		return 0;
	for (i = 0; i < ARRAY_SIZE(vn->dir); i++) {
		vn->dir[i] = proc_mkdir(vpnmss_dir_name[i], net->proc_net);
		if (!vn->dir[i])
			goto fail;
	}
	return 0;
fail:
	while (i--)
		remove_proc_entry(vpnmss_dir_name[i], net->proc_net);
	return -ENOMEM;
}

/*
 * May run before the namespace's rules are destroyed (vpnmss_name_put()),
 * which must then no longer touch /proc.
 */
static void __net_exit vpnmss_net_exit(struct net *net)
{
	struct vpnmss_net *vn = vpnmss_pernet(net);
	struct vpnmss_table *t;
	unsigned int i;

	mutex_lock(&vpnmss_mutex);
	list_for_each_entry(t, &vn->tables, list) {
		proc_remove(t->pde);
		t->pde = NULL;
	}
	for (i = 0; i < ARRAY_SIZE(vn->dir); i++) {
		if (vn->dir[i])
			remove_proc_entry(vpnmss_dir_name[i], net->proc_net);
		vn->dir[i] = NULL;
	}
	mutex_unlock(&vpnmss_mutex);
}

static struct pernet_operations vpnmss_net_ops = {
	.init	= vpnmss_net_init,
	.exit	= vpnmss_net_exit,
	.id	= &vpnmss_net_id,
	.size	= sizeof(struct vpnmss_net),
};

/*
 * Re-validates everything userspace sent (a crafted blob must never harm
 * the kernel) and builds the lookup structure into *@lpm.
 */
static int vpnmss_check(const struct vpnmss_family *f,
			const struct xt_tgchk_param *par,
			const struct xt_vpnmss_hdr *h, const u8 *entries,
			struct vpnmss_lpm **lpm)
{
	bool any_auto = false;
	struct vpnmss_pfx *p;
	unsigned int i;
	int ret;

	ret = vpnmss_check_hdr(h, f->max);
	if (ret)
		return ret;
	if (memchr_inv(entries + h->count * f->esize, 0,
		       (f->max - h->count) * f->esize)) {
		pr_info_ratelimited("unused entries must be zero\n");
		return -EINVAL;
	}

	p = kmalloc_array(h->count, sizeof(*p), GFP_KERNEL);
	if (!p)
		return -ENOMEM;
	for (i = 0; i < h->count; i++) {
		ret = f->conv(&p[i], entries + i * f->esize, i);
		if (!ret)
			ret = vpnmss_check_entry(&p[i], i ? &p[i - 1] : NULL, i);
		if (ret)
			goto out;
		any_auto |= p[i].flags & XT_VPNMSS_E_AUTO;
	}
	if (any_auto && par->hook_mask & ~VPNMSS_AUTO_HOOKS) {
		pr_info_ratelimited("auto entries need FORWARD, OUTPUT or POSTROUTING\n");
		ret = -EINVAL;
		goto out;
	}
	*lpm = vpnmss_lpm_build(p, h->count, f->index == 0);
	if (!*lpm) {
		ret = -ENOMEM;
		goto out;
	}
	if ((*lpm)->first4)
		vpnmss_buckets4(*lpm);
	else
		vpnmss_buckets6(*lpm);
	if (h->flags & XT_VPNMSS_F_NAME) {
		ret = vpnmss_name_get(f, par, h->name, p, h->count, *lpm);
		if (ret) {
			kfree(*lpm);
			*lpm = NULL;
		}
	}
out:
	kfree(p);
	return ret;
}

static int vpnmss_tg4_check(const struct xt_tgchk_param *par)
{
	struct xt_vpnmss_tginfo4 *info = par->targinfo;

	return vpnmss_check(&vpnmss_family4, par, &info->hdr,
			    (const u8 *)info->entries, &info->lpm);
}

static void vpnmss_tg4_destroy(const struct xt_tgdtor_param *par)
{
	const struct xt_vpnmss_tginfo4 *info = par->targinfo;

	vpnmss_lpm_free(info->lpm);
}

#if IS_ENABLED(CONFIG_IPV6)
static int vpnmss_tg6_check(const struct xt_tgchk_param *par)
{
	struct xt_vpnmss_tginfo6 *info = par->targinfo;

	return vpnmss_check(&vpnmss_family6, par, &info->hdr,
			    (const u8 *)info->entries, &info->lpm);
}

static void vpnmss_tg6_destroy(const struct xt_tgdtor_param *par)
{
	const struct xt_vpnmss_tginfo6 *info = par->targinfo;

	vpnmss_lpm_free(info->lpm);
}
#endif

static struct xt_target vpnmss_tg_reg[] __read_mostly = {
	{
		.name		= "VPNMSS",
		.revision	= 0,
		.family		= NFPROTO_IPV4,
		.proto		= IPPROTO_TCP,
		.table		= "mangle",
		.target		= vpnmss_tg4,
		.checkentry	= vpnmss_tg4_check,
		.destroy	= vpnmss_tg4_destroy,
		.targetsize	= sizeof(struct xt_vpnmss_tginfo4),
		.usersize	= offsetof(struct xt_vpnmss_tginfo4, lpm),
		.me		= THIS_MODULE,
	},
#if IS_ENABLED(CONFIG_IPV6)
	{
		.name		= "VPNMSS",
		.revision	= 0,
		.family		= NFPROTO_IPV6,
		.proto		= IPPROTO_TCP,
		.table		= "mangle",
		.target		= vpnmss_tg6,
		.checkentry	= vpnmss_tg6_check,
		.destroy	= vpnmss_tg6_destroy,
		.targetsize	= sizeof(struct xt_vpnmss_tginfo6),
		.usersize	= offsetof(struct xt_vpnmss_tginfo6, lpm),
		.me		= THIS_MODULE,
	},
#endif
};

static int __init vpnmss_tg_init(void)
{
	int ret;

	ret = register_pernet_subsys(&vpnmss_net_ops);
	if (ret)
		return ret;
	ret = xt_register_targets(vpnmss_tg_reg, ARRAY_SIZE(vpnmss_tg_reg));
	if (ret)
		unregister_pernet_subsys(&vpnmss_net_ops);
	return ret;
}

static void __exit vpnmss_tg_exit(void)
{
	xt_unregister_targets(vpnmss_tg_reg, ARRAY_SIZE(vpnmss_tg_reg));
	unregister_pernet_subsys(&vpnmss_net_ops);
}

module_init(vpnmss_tg_init);
module_exit(vpnmss_tg_exit);

MODULE_AUTHOR("The vpnmss developers");
MODULE_DESCRIPTION("Xtables: per-subnet TCP MSS clamping for VPN tunnels");
MODULE_LICENSE("GPL");
MODULE_VERSION(VPNMSS_VERSION);
MODULE_ALIAS("ipt_VPNMSS");
MODULE_ALIAS("ip6t_VPNMSS");

#if IS_ENABLED(CONFIG_XT_VPNMSS_KUNIT_TEST)
#include "tests/kunit/xt_vpnmss_test.c"
#endif
