// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit suite for xt_vpnmss.  It is #included at the end of xt_vpnmss.c
 * when CONFIG_XT_VPNMSS_KUNIT_TEST is set, so that it drives the module's
 * own static functions rather than copies of them.  The references it
 * checks against (prefix matching, checksums) are computed here, by
 * simpler means than the code under test.
 */
#include <kunit/test.h>
#include <net/ip.h>
#include <net/ipv6.h>
#include <net/ip6_checksum.h>

/* -------------------------------------------------------------------------
 * The TCP option walk
 */

struct vpnmss_opts_case {
	const char *name;
	u8 opt[MAX_TCP_OPTION_SPACE];
	unsigned int len;
	bool malformed;		/* the walk stops at a bad option */
	unsigned int nr_mss;	/* MSS options parsed before it stops */
	unsigned int nr_above;
	u8 above[2];
};

/* The limit is 1300 (0x0514) throughout; 0x05b4 is 1460. */
static const struct vpnmss_opts_case vpnmss_opts_cases[] = {
	{ "empty list", { 0 }, 0, false, 0, 0 },
	{ "MSS above", { 2, 4, 0x05, 0xb4 }, 4, false, 1, 1, { 2 } },
	{ "MSS equal", { 2, 4, 0x05, 0x14 }, 4, false, 1, 0 },
	{ "MSS below", { 2, 4, 0x02, 0x18 }, 4, false, 1, 0 },
	{ "MSS zero", { 2, 4, 0, 0 }, 4, false, 1, 0 },
	{ "NOPs before the MSS", { 1, 1, 2, 4, 0x05, 0xb4, 1, 1 }, 8, false,
	  1, 1, { 4 } },
	{ "Linux SYN options",
	  { 2, 4, 0x05, 0xb4, 4, 2, 8, 10, 1, 2, 3, 4, 0, 0, 0, 0, 1, 3, 3, 7 },
	  20, false, 1, 1, { 2 } },
	{ "End-of-List first", { 0, 0, 2, 4, 0x05, 0xb4, 0, 0 }, 8, false, 0, 0 },
	{ "MSS after End-of-List", { 2, 4, 0x05, 0x14, 0, 2, 4, 0x05, 0xb4 },
	  12, false, 1, 0 },
	{ "MSS, then length 0", { 2, 4, 0x05, 0xb4, 8, 0, 0, 0 }, 8, true,
	  1, 1, { 2 } },
	{ "MSS, then length 1", { 2, 4, 0x05, 0xb4, 8, 1, 0, 0 }, 8, true,
	  1, 1, { 2 } },
	{ "MSS, then a length past the end", { 2, 4, 0x05, 0xb4, 8, 10, 0, 0 },
	  8, true, 1, 1, { 2 } },
	{ "length 0, then MSS", { 8, 0, 2, 4, 0x05, 0xb4, 0, 0 }, 8, true, 0, 0 },
	{ "kind without length at the end", { 1, 1, 1, 8 }, 4, true, 0, 0 },
	{ "MSS of length 3 is ignored", { 2, 3, 0x05, 1, 0, 0, 0, 0 }, 8,
	  false, 0, 0 },
	{ "MSS of length 5 is ignored", { 2, 5, 0x05, 0xb4, 1, 0, 0, 0 }, 8,
	  false, 0, 0 },
	{ "MSS cut by the header end", { [0 ... 37] = 1, [38] = 2, [39] = 4 },
	  40, true, 0, 0 },
	{ "MSS as the very last option",
	  { [0 ... 35] = 1, [36] = 2, [37] = 4, [38] = 0x05, [39] = 0xb4 },
	  40, false, 1, 1, { 38 } },
	{ "two MSS options", { 2, 4, 0x05, 0xb4, 2, 4, 0x05, 0xb4 }, 8, false,
	  2, 2, { 2, 6 } },
	{ "one of two MSS options above", { 2, 4, 0x05, 0x00, 2, 4, 0x05, 0xb4 },
	  8, false, 2, 1, { 6 } },
	{ "MSS at an odd offset", { 1, 2, 4, 0x05, 0xb4, 1, 1, 1 }, 8, false,
	  1, 1, { 3 } },
};

static void vpnmss_opts_desc(const struct vpnmss_opts_case *c, char *desc)
{
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "option walk: %s", c->name);
}

KUNIT_ARRAY_PARAM(vpnmss_opts, vpnmss_opts_cases, vpnmss_opts_desc);

static void vpnmss_test_opts(struct kunit *test)
{
	const struct vpnmss_opts_case *c = test->param_value;
	struct vpnmss_opts o;
	unsigned int i;
	u8 *opt;

	/* An exact-size heap copy, so KASAN sees any read past the end. */
	opt = kunit_kmalloc(test, c->len ?: 1, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, opt);
	memcpy(opt, c->opt, c->len);

	vpnmss_parse_opts(opt, c->len, 1300, &o);
	KUNIT_EXPECT_EQ(test, o.malformed, c->malformed);
	KUNIT_EXPECT_EQ(test, o.nr_mss, c->nr_mss);
	KUNIT_ASSERT_EQ(test, o.nr_above, c->nr_above);
	for (i = 0; i < o.nr_above; i++)
		KUNIT_EXPECT_EQ(test, o.above[i], c->above[i]);
}

/* -------------------------------------------------------------------------
 * Rules, packets and the target
 */

/* A v4 rule with the given "a.b.c.d/plen=mss" entries, checked. */
static struct xt_vpnmss_tginfo4 *vpnmss_test_rule4(struct kunit *test,
						   u8 dir, unsigned int n,
						   const struct xt_vpnmss_entry4 *e)
{
	struct xt_vpnmss_tginfo4 *info;
	struct xt_tgchk_param par = {};

	info = kunit_kzalloc(test, sizeof(*info), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, info);
	info->hdr.count = n;
	info->hdr.dir = dir;
	memcpy(info->entries, e, n * sizeof(*e));
	par.targinfo = info;
	KUNIT_ASSERT_EQ(test, vpnmss_tg4_check(&par), 0);
	return info;
}

static void vpnmss_test_free4(struct xt_vpnmss_tginfo4 *info)
{
	struct xt_tgdtor_param par = { .targinfo = info };

	vpnmss_tg4_destroy(&par);
}

#define E4(a, b, c, d, len, value) \
	{ .addr = htonl((a) << 24 | (b) << 16 | (c) << 8 | (d)), \
	  .plen = (len), .mss = (value) }

/* An IPv4 TCP segment from @saddr, options @opt, and @payload data bytes. */
static struct sk_buff *vpnmss_test_skb4(struct kunit *test, __be32 saddr,
					const u8 *opt, unsigned int optlen,
					u8 flags, unsigned int payload,
					bool partial)
{
	unsigned int thlen = sizeof(struct tcphdr) + optlen;
	unsigned int len = thlen + payload;
	__be32 daddr = htonl(0xc0000202);
	struct sk_buff *skb;
	struct tcphdr *th;
	struct iphdr *iph;

	skb = alloc_skb(LL_MAX_HEADER + sizeof(*iph) + len, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, skb);
	skb_reserve(skb, LL_MAX_HEADER);
	skb->protocol = htons(ETH_P_IP);
	skb_reset_network_header(skb);
	iph = skb_put_zero(skb, sizeof(*iph));
	iph->version = 4;
	iph->ihl = 5;
	iph->ttl = 64;
	iph->protocol = IPPROTO_TCP;
	iph->saddr = saddr;
	iph->daddr = daddr;
	iph->tot_len = htons(sizeof(*iph) + len);
	ip_send_check(iph);

	skb_set_transport_header(skb, sizeof(*iph));
	th = skb_put_zero(skb, thlen);
	th->source = htons(40000);
	th->dest = htons(80);
	th->seq = htonl(0x12345678);
	th->doff = thlen / 4;
	tcp_flag_byte(th) = flags;
	th->window = htons(64240);
	memcpy(th + 1, opt, optlen);
	memset(skb_put(skb, payload), 0xa5, payload);

	if (partial) {
		th->check = ~tcp_v4_check(len, saddr, daddr, 0);
		skb->ip_summed = CHECKSUM_PARTIAL;
		skb->csum_start = skb_transport_header(skb) - skb->head;
		skb->csum_offset = offsetof(struct tcphdr, check);
	} else {
		th->check = tcp_v4_check(len, saddr, daddr,
					 csum_partial(th, len, 0));
		skb->ip_summed = CHECKSUM_NONE;
	}
	return skb;
}

/* The checksum, completed if still partial, verified from scratch. */
static bool vpnmss_test_csum4_ok(struct kunit *test, struct sk_buff *skb)
{
	const struct iphdr *iph = ip_hdr(skb);
	unsigned int len = skb->len - ip_hdrlen(skb);

	if (skb->ip_summed == CHECKSUM_PARTIAL)
		KUNIT_ASSERT_EQ(test, skb_checksum_help(skb), 0);
	return tcp_v4_check(len, iph->saddr, iph->daddr,
			    skb_checksum(skb, ip_hdrlen(skb), len, 0)) == 0;
}

/* The value of the first MSS option, at option offset 2, as sent. */
static u16 vpnmss_test_mss(const struct sk_buff *skb, unsigned int thoff)
{
	const u8 *p = skb->data + thoff + sizeof(struct tcphdr) + 2;

	return p[0] << 8 | p[1];
}

/*
 * The receiver's view, written from tcp_parse_options() (net/ipv4/tcp_input.c)
 * and not shared with the module: the offsets, within @opt, of the values of
 * the MSS options that the receiving stack parses before it stops.
 */
static unsigned int vpnmss_ref_mss(const u8 *opt, unsigned int len, u8 *offs)
{
	const u8 *ptr = opt;
	int length = len;
	unsigned int n = 0;

	while (length > 0) {
		int opcode = *ptr++;
		int opsize;

		if (opcode == TCPOPT_EOL)
			return n;
		if (opcode == TCPOPT_NOP) {
			length--;
			continue;
		}
		if (length < 2)
			return n;
		opsize = *ptr++;
		if (opsize < 2)		/* "silly options" */
			return n;
		if (opsize > length)	/* don't parse partial options */
			return n;
		if (opcode == TCPOPT_MSS && opsize == TCPOLEN_MSS)
			offs[n++] = ptr - opt;
		ptr += opsize - 2;
		length -= opsize;
	}
	return n;
}

/*
 * @skb after the target, against @before (the packet as it was): every MSS
 * value the receiver parses is min(value, @limit), every other byte but the
 * checksum is unchanged, and the checksum verifies from scratch.
 */
static bool vpnmss_test_expect_clamped(struct kunit *test, const u8 *before,
				       struct sk_buff *skb, unsigned int thoff,
				       u16 limit, bool v6)
{
	unsigned int optlen = tcp_hdr(skb)->doff * 4 - sizeof(struct tcphdr);
	unsigned int csum = thoff + offsetof(struct tcphdr, check);
	unsigned int i, n, bad = 0;
	u8 offs[MAX_TCP_OPTION_SPACE], *want;
	const u8 *opt = before + thoff + sizeof(struct tcphdr);

	want = kunit_kmalloc(test, skb->len, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, want);
	memcpy(want, before, skb->len);
	n = vpnmss_ref_mss(opt, optlen, offs);
	for (i = 0; i < n; i++) {
		u8 *p = want + thoff + sizeof(struct tcphdr) + offs[i];

		if ((p[0] << 8 | p[1]) > limit) {
			p[0] = limit >> 8;
			p[1] = limit & 0xff;
		}
	}
	if (skb->ip_summed == CHECKSUM_PARTIAL)
		KUNIT_ASSERT_EQ(test, skb_checksum_help(skb), 0);
	for (i = 0; i < skb->len; i++)
		if (i != csum && i != csum + 1 && skb->data[i] != want[i]) {
			KUNIT_FAIL(test, "byte %u: %02x, want %02x", i,
				   skb->data[i], want[i]);
			bad++;
			break;
		}
	if (v6) {
		const struct ipv6hdr *ip6h = ipv6_hdr(skb);
		unsigned int len = skb->len - thoff;

		if (csum_ipv6_magic(&ip6h->saddr, &ip6h->daddr, len,
				    IPPROTO_TCP,
				    skb_checksum(skb, thoff, len, 0))) {
			KUNIT_FAIL(test, "bad IPv6 checksum");
			bad++;
		}
	} else if (!vpnmss_test_csum4_ok(test, skb)) {
		KUNIT_FAIL(test, "bad checksum");
		bad++;
	}
	return !bad;
}

struct vpnmss_clamp_case {
	const char *name;
	u16 entry;
	u16 mss;
	u8 flags;
	bool partial;
	u16 fragoff;
	u16 want;
};

static const struct vpnmss_clamp_case vpnmss_clamp_cases[] = {
	{ "SYN above the entry", 1300, 1460, TCPHDR_SYN, false, 0, 1300 },
	{ "SYN above, CHECKSUM_PARTIAL", 1300, 1460, TCPHDR_SYN, true, 0, 1300 },
	{ "SYN-ACK above", 1300, 1460, TCPHDR_SYN | TCPHDR_ACK, false, 0, 1300 },
	{ "SYN-ACK above, CHECKSUM_PARTIAL", 1300, 1460,
	  TCPHDR_SYN | TCPHDR_ACK, true, 0, 1300 },
	{ "SYN equal to the entry", 1300, 1300, TCPHDR_SYN, false, 0, 1300 },
	{ "SYN below the entry", 1300, 536, TCPHDR_SYN, false, 0, 536 },
	{ "odd values", 1333, 65495, TCPHDR_SYN, false, 0, 1333 },
	{ "minimum entry", 88, 65535, TCPHDR_SYN, true, 0, 88 },
	{ "ACK is left alone", 1300, 1460, TCPHDR_ACK, false, 0, 1460 },
	{ "SYN+RST is left alone", 1300, 1460, TCPHDR_SYN | TCPHDR_RST, false,
	  0, 1460 },
	{ "non-first fragment is left alone", 1300, 1460, TCPHDR_SYN, false,
	  1, 1460 },
};

static void vpnmss_clamp_desc(const struct vpnmss_clamp_case *c, char *desc)
{
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "clamp: %s", c->name);
}

KUNIT_ARRAY_PARAM(vpnmss_clamp, vpnmss_clamp_cases, vpnmss_clamp_desc);

static void vpnmss_test_clamp(struct kunit *test)
{
	const struct vpnmss_clamp_case *c = test->param_value;
	const struct xt_vpnmss_entry4 e[] = { E4(10, 1, 0, 0, 16, c->entry) };
	u8 opt[8] = { 1, 1, 2, 4, c->mss >> 8, c->mss & 0xff, 1, 0 };
	struct xt_vpnmss_tginfo4 *info;
	struct xt_action_param par = {};
	struct sk_buff *skb;

	info = vpnmss_test_rule4(test, XT_VPNMSS_DIR_SRC, 1, e);
	skb = vpnmss_test_skb4(test, htonl(0x0a010203), opt + 2, 4, c->flags,
			       0, c->partial);
	par.targinfo = info;
	par.thoff = ip_hdrlen(skb);
	par.fragoff = c->fragoff;

	KUNIT_EXPECT_EQ(test, vpnmss_tg4(skb, &par), XT_CONTINUE);
	KUNIT_EXPECT_EQ(test, vpnmss_test_mss(skb, par.thoff), c->want);
	KUNIT_EXPECT_TRUE(test, vpnmss_test_csum4_ok(test, skb));
	kfree_skb(skb);
	vpnmss_test_free4(info);
}

/* Segments the target must leave byte for byte as they are. */
static void vpnmss_test_untouched(struct kunit *test)
{
	static const struct {
		u8 opt[12];
		unsigned int len;
		int doff;	/* overrides th->doff when >= 0 */
		unsigned int trunc;	/* bytes of TCP header kept */
	} cases[] = {
		{ { 8, 0, 2, 4, 0x05, 0xb4, 0, 0 }, 8, -1, 0 },
		{ { 8, 1, 2, 4, 0x05, 0xb4, 0, 0 }, 8, -1, 0 },
		{ { 8, 10, 2, 4, 0x05, 0xb4, 0, 0 }, 8, -1, 0 },
		{ { 2, 4, 0x05, 0xb4 }, 4, 4, 0 },
		{ { 2, 4, 0x05, 0xb4 }, 4, 15, 0 },
		{ { 2, 4, 0x05, 0xb4 }, 4, -1, 10 },
		{ { 0, 0, 0, 0, 2, 4, 0x05, 0xb4 }, 8, -1, 0 },
		{ { 2, 3, 0x05, 0xb4 }, 4, -1, 0 },
		{ { 1, 1, 1, 1 }, 4, -1, 0 },
	};
	const struct xt_vpnmss_entry4 e[] = { E4(10, 0, 0, 0, 8, 1300) };
	struct xt_vpnmss_tginfo4 *info;
	unsigned int i;

	info = vpnmss_test_rule4(test, XT_VPNMSS_DIR_BOTH, 1, e);
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		struct xt_action_param par = { .targinfo = info };
		struct sk_buff *skb;
		struct tcphdr *th;
		u8 *before;

		skb = vpnmss_test_skb4(test, htonl(0x0a000001), cases[i].opt,
				       cases[i].len, TCPHDR_SYN, 0, false);
		par.thoff = ip_hdrlen(skb);
		th = tcp_hdr(skb);
		if (cases[i].doff >= 0)
			th->doff = cases[i].doff;
		if (cases[i].trunc)
			skb_trim(skb, par.thoff + cases[i].trunc);
		before = kunit_kmalloc(test, skb->len, GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, before);
		memcpy(before, skb->data, skb->len);

		vpnmss_tg4(skb, &par);
		KUNIT_EXPECT_EQ_MSG(test, memcmp(before, skb->data, skb->len), 0,
				    "case %u was changed", i);
		kfree_skb(skb);
	}
	vpnmss_test_free4(info);
}

/* @skb with all but the first @head bytes of its data in a page fragment. */
static struct sk_buff *vpnmss_test_nonlinear(struct kunit *test,
					     struct sk_buff *skb,
					     unsigned int head)
{
	unsigned int rest = skb->len - head;
	struct sk_buff *n;
	struct page *page;

	n = alloc_skb(LL_MAX_HEADER + head, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, n);
	skb_reserve(n, LL_MAX_HEADER);
	n->protocol = skb->protocol;
	skb_reset_network_header(n);
	skb_put_data(n, skb->data, head);
	skb_set_transport_header(n, head);
	page = alloc_page(GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, page);
	memcpy(page_address(page), skb->data + head, rest);
	skb_add_rx_frag(n, 0, page, 0, rest, PAGE_SIZE);
	n->ip_summed = skb->ip_summed;
	kfree_skb(skb);
	return n;
}

/*
 * The IPv4 target rewrites a TCP SYN only, wherever its header lies: not a
 * UDP, ICMP or GRE payload that reads as one (a rule that nft_compat was told
 * is -p tcp without a protocol match), in the linear area or in a page
 * fragment; the same bytes as TCP are clamped in both.
 */
static void vpnmss_test_ipv4_not_tcp(struct kunit *test)
{
	static const u8 protos[] = { IPPROTO_UDP, IPPROTO_ICMP, IPPROTO_GRE,
				     IPPROTO_TCP };
	const struct xt_vpnmss_entry4 e[] = { E4(10, 0, 0, 0, 8, 1300) };
	static const u8 opt[4] = { 2, 4, 0x05, 0xb4 };
	struct xt_vpnmss_tginfo4 *info;
	unsigned int i, nonlinear;

	info = vpnmss_test_rule4(test, XT_VPNMSS_DIR_SRC, 1, e);
	for (nonlinear = 0; nonlinear <= 1; nonlinear++) {
		for (i = 0; i < ARRAY_SIZE(protos); i++) {
			struct xt_action_param par = { .targinfo = info };
			struct sk_buff *skb;
			u8 *before, *after;
			u8 mss[2];

			skb = vpnmss_test_skb4(test, htonl(0x0a000001), opt,
					       sizeof(opt), TCPHDR_SYN, 0, false);
			ip_hdr(skb)->protocol = protos[i];
			ip_send_check(ip_hdr(skb));
			par.thoff = ip_hdrlen(skb);
			if (nonlinear)
				skb = vpnmss_test_nonlinear(test, skb,
							    par.thoff);
			KUNIT_ASSERT_EQ(test, skb_headlen(skb) > par.thoff,
					!nonlinear);
			before = kunit_kmalloc(test, skb->len, GFP_KERNEL);
			after = kunit_kmalloc(test, skb->len, GFP_KERNEL);
			KUNIT_ASSERT_NOT_NULL(test, before);
			KUNIT_ASSERT_NOT_NULL(test, after);
			KUNIT_ASSERT_EQ(test, skb_copy_bits(skb, 0, before,
							    skb->len), 0);

			KUNIT_EXPECT_EQ(test, vpnmss_tg4(skb, &par),
					XT_CONTINUE);
			KUNIT_ASSERT_EQ(test, skb_copy_bits(skb, 0, after,
							    skb->len), 0);
			KUNIT_ASSERT_EQ(test, skb_copy_bits(skb, par.thoff +
							    sizeof(struct tcphdr) + 2,
							    mss, 2), 0);
			if (protos[i] != IPPROTO_TCP) {
				KUNIT_EXPECT_EQ_MSG(test,
						    memcmp(before, after, skb->len), 0,
						    "protocol %u (%s) was changed",
						    protos[i], nonlinear ?
						    "nonlinear" : "linear");
			} else {
				KUNIT_EXPECT_EQ_MSG(test, mss[0] << 8 | mss[1], 1300,
						    "TCP (%s) was not clamped",
						    nonlinear ? "nonlinear" : "linear");
				KUNIT_EXPECT_TRUE(test,
						  vpnmss_test_csum4_ok(test, skb));
			}
			kfree_skb(skb);
		}
	}
	vpnmss_test_free4(info);
}

/* Clamping a cloned skb writes to a private copy, not the shared data. */
static void vpnmss_test_cloned(struct kunit *test)
{
	const struct xt_vpnmss_entry4 e[] = { E4(10, 0, 0, 0, 8, 1300) };
	const u8 opt[4] = { 2, 4, 0x05, 0xb4 };
	struct xt_vpnmss_tginfo4 *info;
	struct xt_action_param par = {};
	struct sk_buff *skb, *clone;

	info = vpnmss_test_rule4(test, XT_VPNMSS_DIR_SRC, 1, e);
	skb = vpnmss_test_skb4(test, htonl(0x0a000001), opt, 4, TCPHDR_SYN,
			       0, false);
	/* A clone shares the data: the target must copy before writing. */
	clone = skb_clone(skb, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, clone);
	par.targinfo = info;
	par.thoff = ip_hdrlen(skb);
	vpnmss_tg4(skb, &par);
	KUNIT_EXPECT_EQ(test, vpnmss_test_mss(skb, par.thoff), 1300);
	KUNIT_EXPECT_EQ(test, vpnmss_test_mss(clone, par.thoff), 1460);
	KUNIT_EXPECT_TRUE(test, vpnmss_test_csum4_ok(test, skb));
	KUNIT_EXPECT_TRUE(test, vpnmss_test_csum4_ok(test, clone));
	kfree_skb(clone);
	kfree_skb(skb);
	vpnmss_test_free4(info);
}

/*
 * Option layouts the receiver parses in full or in part: MSS values at odd
 * offsets (after an odd number of NOPs), several MSS options, and an MSS
 * followed by a malformed option, which the receiver still honours.
 */
struct vpnmss_layout_case {
	const char *name;
	u8 opt[MAX_TCP_OPTION_SPACE];
	unsigned int len;
};

static const struct vpnmss_layout_case vpnmss_layout_cases[] = {
	{ "MSS after one NOP (value at TCP offset 23)",
	  { 1, 2, 4, 0x05, 0xb4, 1, 1, 1 }, 8 },
	{ "two MSS options at odd offsets",
	  { 1, 2, 4, 0x05, 0xb4, 2, 4, 0x05, 0xb4, 1, 1, 1 }, 12 },
	{ "odd and even MSS options",
	  { 1, 1, 1, 2, 4, 0x05, 0xb4, 1, 2, 4, 0xff, 0xff }, 12 },
	{ "odd MSS with a high low byte",
	  { 1, 1, 1, 2, 4, 0xff, 0x01, 0 }, 8 },
	{ "odd MSS among the Linux SYN options",
	  { 1, 2, 4, 0x05, 0xb4, 4, 2, 8, 10, 1, 2, 3, 4, 0, 0, 0, 0, 1, 3, 3, 7,
	    0, 0, 0 }, 24 },
	{ "MSS before an option of length 0",
	  { 2, 4, 0x05, 0xb4, 99, 0, 0, 0 }, 8 },
	{ "MSS before an option of length 1",
	  { 2, 4, 0x05, 0xb4, 99, 1, 0, 0 }, 8 },
	{ "MSS before an option past the end",
	  { 2, 4, 0x05, 0xb4, 99, 10, 0, 0 }, 8 },
	{ "odd MSS before a kind without length",
	  { 1, 2, 4, 0x05, 0xb4, 1, 1, 8 }, 8 },
	{ "MSS after a malformed option is not parsed",
	  { 99, 0, 2, 4, 0x05, 0xb4, 0, 0 }, 8 },
	{ "MSS cut by the header end after an MSS",
	  { [0 ... 33] = 1, [34] = 2, [35] = 4, [36] = 0x05, [37] = 0xb4,
	    [38] = 2, [39] = 4 }, 40 },
};

static void vpnmss_layout_desc(const struct vpnmss_layout_case *c, char *desc)
{
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "layout: %s", c->name);
}

KUNIT_ARRAY_PARAM(vpnmss_layout, vpnmss_layout_cases, vpnmss_layout_desc);

static void vpnmss_test_layout(struct kunit *test)
{
	const struct vpnmss_layout_case *c = test->param_value;
	const struct xt_vpnmss_entry4 e[] = { E4(10, 1, 0, 0, 16, 1300) };
	struct xt_vpnmss_tginfo4 *info;
	unsigned int partial;

	info = vpnmss_test_rule4(test, XT_VPNMSS_DIR_SRC, 1, e);
	for (partial = 0; partial <= 1; partial++) {
		struct xt_action_param par = { .targinfo = info };
		struct sk_buff *skb;
		u8 *before;

		skb = vpnmss_test_skb4(test, htonl(0x0a010203), c->opt, c->len,
				       TCPHDR_SYN, 3, partial);
		before = kunit_kmalloc(test, skb->len, GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, before);
		memcpy(before, skb->data, skb->len);
		par.thoff = ip_hdrlen(skb);
		vpnmss_tg4(skb, &par);
		KUNIT_EXPECT_TRUE_MSG(test,
				      vpnmss_test_expect_clamped(test, before, skb,
								 par.thoff, 1300,
								 false),
				      "%s", partial ? "CHECKSUM_PARTIAL" :
						      "CHECKSUM_NONE");
		kfree_skb(skb);
	}
	vpnmss_test_free4(info);
}

/* An IPv6 packet from @saddr whose payload @l4 follows a @nexthdr header. */
static struct sk_buff *vpnmss_test_skb6(struct kunit *test, const u8 *saddr,
					u8 nexthdr, const u8 *l4,
					unsigned int len)
{
	struct ipv6hdr *ip6h;
	struct sk_buff *skb;

	skb = alloc_skb(LL_MAX_HEADER + sizeof(*ip6h) + len, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, skb);
	skb_reserve(skb, LL_MAX_HEADER);
	skb->protocol = htons(ETH_P_IPV6);
	skb_reset_network_header(skb);
	ip6h = skb_put_zero(skb, sizeof(*ip6h));
	ip6h->version = 6;
	ip6h->nexthdr = nexthdr;
	ip6h->hop_limit = 64;
	ip6h->payload_len = htons(len);
	memcpy(ip6h->saddr.s6_addr, saddr, 16);
	ip6h->daddr.s6_addr32[0] = htonl(0xfd000002);
	ip6h->daddr.s6_addr32[3] = htonl(2);
	skb_set_transport_header(skb, sizeof(*ip6h));
	skb_put_data(skb, l4, len);
	return skb;
}

/*
 * The IPv6 target rewrites TCP only: not a UDP or ICMPv6 payload that a
 * rule without a protocol match (nft_compat without "meta l4proto") sends
 * to it, and not the IPv6 header itself when ip6_tables, for an entry
 * without IP6T_F_PROTO, leaves thoff at 0.
 */
static void vpnmss_test_ipv6_not_tcp(struct kunit *test)
{
	/* fd12:0:6002::204:5b4: read as TCP at offset 0, doff 6, SYN, and
	 * "MSS 1460" as its option.
	 */
	static const u8 trap[16] = { 0xfd, 0x12, 0, 0, 0x60, 0x02, 0, 0,
				     0, 0, 0, 0, 2, 4, 0x05, 0xb4 };
	static const u8 syn[24] = { 0x9c, 0x40, 0, 80, 0, 0, 0, 1, 0, 0, 0, 0,
				    0x60, TCPHDR_SYN, 0xfa, 0xf0, 0, 0, 0, 0,
				    2, 4, 0x05, 0xb4 };
	static const struct {
		const char *what;
		u8 nexthdr;
		unsigned int thoff;
	} cases[] = {
		{ "UDP payload", IPPROTO_UDP, sizeof(struct ipv6hdr) },
		{ "ICMPv6 payload", IPPROTO_ICMPV6, sizeof(struct ipv6hdr) },
		{ "TCP, thoff 0", IPPROTO_TCP, 0 },
	};
	struct xt_vpnmss_tginfo6 *info;
	struct xt_tgchk_param cp = {};
	struct xt_tgdtor_param dp = {};
	unsigned int i;

	info = kunit_kzalloc(test, sizeof(*info), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, info);
	info->hdr.count = 1;
	info->hdr.dir = XT_VPNMSS_DIR_SRC;
	info->entries[0].addr[0] = htonl(0xfd120000);
	info->entries[0].plen = 16;
	info->entries[0].mss = 1200;
	cp.targinfo = info;
	KUNIT_ASSERT_EQ(test, vpnmss_tg6_check(&cp), 0);

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		struct xt_action_param par = { .targinfo = info };
		struct sk_buff *skb;
		u8 *before;

		skb = vpnmss_test_skb6(test, trap, cases[i].nexthdr, syn,
				       sizeof(syn));
		before = kunit_kmalloc(test, skb->len, GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, before);
		memcpy(before, skb->data, skb->len);
		par.thoff = cases[i].thoff;
		vpnmss_tg6(skb, &par);
		KUNIT_EXPECT_EQ_MSG(test, memcmp(before, skb->data, skb->len), 0,
				    "%s was changed", cases[i].what);
		kfree_skb(skb);
	}
	/* The same segment as real TCP at the right offset is clamped. */
	{
		struct xt_action_param par = { .targinfo = info };
		struct sk_buff *skb;

		skb = vpnmss_test_skb6(test, trap, IPPROTO_TCP, syn, sizeof(syn));
		par.thoff = sizeof(struct ipv6hdr);
		vpnmss_tg6(skb, &par);
		KUNIT_EXPECT_EQ(test, vpnmss_test_mss(skb, par.thoff), 1200);
		kfree_skb(skb);
	}
	dp.targinfo = info;
	vpnmss_tg6_destroy(&dp);
}

/* IPv6 with extension headers, located the way ip6_tables locates them. */
static void vpnmss_test_ipv6_exthdr(struct kunit *test)
{
	static const u8 exthdrs[] = {
		/* hop-by-hop: next = destination options, PadN */
		NEXTHDR_DEST, 0, 1, 4, 0, 0, 0, 0,
		/* destination options: next = fragment, PadN */
		NEXTHDR_FRAGMENT, 0, 1, 4, 0, 0, 0, 0,
		/* fragment: next = TCP, offset (patched below), id */
		NEXTHDR_TCP, 0, 0, 0, 0, 0, 0, 42,
	};
	const u8 opt[4] = { 2, 4, 0x05, 0xb4 };
	unsigned int hlen = sizeof(exthdrs);
	unsigned int thlen = sizeof(struct tcphdr) + sizeof(opt);
	unsigned int tcpoff = sizeof(struct ipv6hdr) + hlen;
	struct xt_vpnmss_tginfo6 *info;
	int fragoff_units;

	info = kunit_kzalloc(test, sizeof(*info), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, info);
	info->hdr.count = 1;
	info->hdr.dir = XT_VPNMSS_DIR_SRC;
	info->entries[0].addr[0] = htonl(0xfd120000);
	info->entries[0].plen = 16;
	info->entries[0].mss = 1200;
	{
		struct xt_tgchk_param cp = { .targinfo = info };

		KUNIT_ASSERT_EQ(test, vpnmss_tg6_check(&cp), 0);
	}

	for (fragoff_units = 0; fragoff_units <= 1; fragoff_units++) {
		struct xt_action_param par = { .targinfo = info };
		unsigned short fragoff = 0;
		struct ipv6hdr *ip6h;
		struct sk_buff *skb;
		unsigned int thoff;
		struct tcphdr *th;
		u8 *x;
		int proto;

		skb = alloc_skb(LL_MAX_HEADER + sizeof(*ip6h) + hlen + thlen,
				GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, skb);
		skb_reserve(skb, LL_MAX_HEADER);
		skb->protocol = htons(ETH_P_IPV6);
		skb_reset_network_header(skb);
		ip6h = skb_put_zero(skb, sizeof(*ip6h));
		ip6h->version = 6;
		ip6h->nexthdr = NEXTHDR_HOP;
		ip6h->hop_limit = 64;
		ip6h->payload_len = htons(hlen + thlen);
		ip6h->saddr.s6_addr32[0] = htonl(0xfd120000);
		ip6h->saddr.s6_addr32[3] = htonl(5);
		ip6h->daddr.s6_addr32[0] = htonl(0xfd000002);
		ip6h->daddr.s6_addr32[3] = htonl(2);
		x = skb_put_data(skb, exthdrs, hlen);
		/* offset field: 13 bits in units of 8 bytes, then flags */
		x[16 + 3] = fragoff_units << 3;
		th = skb_put_zero(skb, thlen);
		th->doff = thlen / 4;
		th->syn = 1;
		memcpy(th + 1, opt, sizeof(opt));
		th->check = csum_ipv6_magic(&ip6h->saddr, &ip6h->daddr, thlen,
					    IPPROTO_TCP,
					    csum_partial(th, thlen, 0));

		/* As ip6_packet_match(): a non-first fragment leaves the
		 * offset alone and reports the fragment offset.
		 */
		thoff = 0;
		proto = ipv6_find_hdr(skb, &thoff, -1, &fragoff, NULL);
		KUNIT_ASSERT_EQ(test, proto, IPPROTO_TCP);
		if (fragoff_units)
			KUNIT_EXPECT_NE(test, fragoff, 0);
		else
			KUNIT_EXPECT_EQ(test, thoff, tcpoff);
		par.thoff = thoff;
		par.fragoff = fragoff;
		KUNIT_EXPECT_EQ(test, vpnmss_tg6(skb, &par), XT_CONTINUE);
		KUNIT_EXPECT_EQ(test, vpnmss_test_mss(skb, tcpoff),
				fragoff_units ? 1460 : 1200);
		th = (struct tcphdr *)(skb->data + tcpoff);
		KUNIT_EXPECT_EQ(test, csum_ipv6_magic(&ip6h->saddr, &ip6h->daddr,
						      thlen, IPPROTO_TCP,
						      csum_partial(th, thlen, 0)),
				0);
		kfree_skb(skb);
	}
	{
		struct xt_tgdtor_param dp = { .targinfo = info };

		vpnmss_tg6_destroy(&dp);
	}
}

/* -------------------------------------------------------------------------
 * Longest-prefix lookup against a reference that scans every entry
 */

/* xorshift32: the same pseudo-random tables on every run. */
static u32 vpnmss_test_rand(u32 *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 17;
	*s ^= *s << 5;
	return *s;
}

static u32 vpnmss_test_mask4(unsigned int plen)
{
	return plen ? ~0U << (32 - plen) : 0;
}

static int vpnmss_test_cmp4(const void *a, const void *b)
{
	const struct xt_vpnmss_entry4 *x = a, *y = b;

	if (x->addr != y->addr)
		return ntohl(x->addr) < ntohl(y->addr) ? -1 : 1;
	return x->plen - y->plen;
}

static u16 vpnmss_test_ref4(const struct xt_vpnmss_entry4 *e, unsigned int n,
			    u32 a)
{
	int best = -1;
	unsigned int i;
	u16 mss = 0;

	for (i = 0; i < n; i++)
		if ((a & vpnmss_test_mask4(e[i].plen)) == ntohl(e[i].addr) &&
		    (int)e[i].plen > best) {
			best = e[i].plen;
			mss = e[i].mss;
		}
	return mss;
}

static void vpnmss_test_check_addr4(struct kunit *test,
				    const struct xt_vpnmss_tginfo4 *info,
				    u32 a)
{
	struct vpnmss_key k;

	vpnmss_key4(&k, htonl(a));
	KUNIT_EXPECT_EQ_MSG(test, vpnmss_lpm_lookup(info->lpm, &k)->mss,
			    vpnmss_test_ref4(info->entries, info->hdr.count, a),
			    "address %08x", a);
}

/* Random nested and adjacent prefixes in a few /8s, up to capacity. */
static void vpnmss_test_lpm4(struct kunit *test)
{
	static const unsigned int sizes[] = { 1, 2, 16, XT_VPNMSS_MAX4 };
	struct xt_vpnmss_entry4 *e;
	unsigned int s;
	u32 seed = 0x5eed0004;

	e = kunit_kcalloc(test, XT_VPNMSS_MAX4, sizeof(*e), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, e);
	for (s = 0; s < ARRAY_SIZE(sizes); s++) {
		struct xt_vpnmss_tginfo4 *info;
		unsigned int n = 0, i;

		while (n < sizes[s]) {
			u32 r = vpnmss_test_rand(&seed);
			unsigned int plen = r % 33;
			u32 a = ((r >> 8) % 3 + 10) << 24 |
				(vpnmss_test_rand(&seed) & 0x00ffffff);

			if (n && r % 4 == 0)	/* adjacent to the previous */
				a = ntohl(e[n - 1].addr) +
				    (plen ? 1U << (32 - plen) : 0);
			a &= vpnmss_test_mask4(plen);
			for (i = 0; i < n; i++)
				if (ntohl(e[i].addr) == a && e[i].plen == plen)
					break;
			if (i < n)
				continue;
			e[n].addr = htonl(a);
			e[n].plen = plen;
			e[n].mss = 88 + vpnmss_test_rand(&seed) % 1400;
			n++;
		}
		sort(e, n, sizeof(*e), vpnmss_test_cmp4, NULL);
		info = vpnmss_test_rule4(test, XT_VPNMSS_DIR_SRC, n, e);

		for (i = 0; i < n; i++) {
			u32 first = ntohl(e[i].addr);
			u32 last = first | ~vpnmss_test_mask4(e[i].plen);

			vpnmss_test_check_addr4(test, info, first);
			vpnmss_test_check_addr4(test, info, last);
			vpnmss_test_check_addr4(test, info, first - 1);
			vpnmss_test_check_addr4(test, info, last + 1);
		}
		for (i = 0; i < 4000; i++)
			vpnmss_test_check_addr4(test, info,
						((vpnmss_test_rand(&seed) % 4 + 9) << 24) |
						(vpnmss_test_rand(&seed) & 0x00ffffff));
		vpnmss_test_check_addr4(test, info, 0);
		vpnmss_test_check_addr4(test, info, ~0U);
		vpnmss_test_free4(info);
	}
	{
		/* Prefixes that end at 255.255.255.255: the range past them
		 * lies outside the 32-bit keys of the IPv4 table.
		 */
		const struct xt_vpnmss_entry4 top[] = {
			E4(0, 0, 0, 0, 0, 1000), E4(255, 255, 255, 0, 24, 1200),
			E4(255, 255, 255, 255, 32, 1300) };
		static const u32 probe[] = { 0, 1, 0xfffffeff, 0xffffff00,
					     0xfffffffe, 0xffffffff };
		struct xt_vpnmss_tginfo4 *info;
		unsigned int i;

		info = vpnmss_test_rule4(test, XT_VPNMSS_DIR_SRC, 3, top);
		for (i = 0; i < ARRAY_SIZE(probe); i++)
			vpnmss_test_check_addr4(test, info, probe[i]);
		KUNIT_EXPECT_EQ(test, info->lpm->nr, 3U);
		vpnmss_test_free4(info);
	}
}

/* The same in IPv6, with the reference working on bytes. */
static bool vpnmss_test_in6(const u8 *a, const u8 *net, unsigned int plen)
{
	unsigned int full = plen / 8, rest = plen % 8;

	if (memcmp(a, net, full))
		return false;
	return !rest || !((a[full] ^ net[full]) & (0xff00 >> rest));
}

/*
 * IPv6 tables of 128 random, nested prefixes: spread over two /16s (the
 * first level over the high half of the address), or all inside one /64
 * (over the low half), also the last /64 of the space, where the window
 * reaches the end of the address space.
 */
static const struct vpnmss_lpm6_case {
	const char *name;
	bool one64;	/* every entry inside the /64 of @head */
	u8 head[8];
	u8 bytes[3];	/* what the other bytes are made of */
} vpnmss_lpm6_cases[] = {
	{ "fd12::/15", false, { 0xfd, 0x12 }, { 0, 0x55, 0xaa } },
	{ "fd12::/64", true, { 0xfd, 0x12 }, { 0, 0x55, 0xaa } },
	{ "ffff:ffff:ffff:ffff::/64", true,
	  { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff }, { 0x55, 0xaa, 0xff } },
};

static void vpnmss_lpm6_desc(const struct vpnmss_lpm6_case *c, char *desc)
{
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "%s", c->name);
}

KUNIT_ARRAY_PARAM(vpnmss_lpm6, vpnmss_lpm6_cases, vpnmss_lpm6_desc);

static void vpnmss_test_lpm6(struct kunit *test)
{
	const struct vpnmss_lpm6_case *c = test->param_value;
	struct xt_vpnmss_tginfo6 *info;
	struct xt_tgchk_param cp = {};
	struct xt_tgdtor_param dp = {};
	struct xt_vpnmss_entry6 *e;
	unsigned int n = 0, i, j;
	u32 seed = 0x5eed0006;

	info = kunit_kzalloc(test, sizeof(*info), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, info);
	e = info->entries;
	while (n < XT_VPNMSS_MAX6) {
		u32 r = vpnmss_test_rand(&seed);
		unsigned int plen = c->one64 ? 65 + r % 64 : r % 129;
		u8 a[16];

		memcpy(a, c->head, 8);
		if (!c->one64)
			a[1] += (r >> 8) % 2;
		for (i = c->one64 ? 8 : 2; i < 16; i++)	/* nesting */
			a[i] = c->bytes[vpnmss_test_rand(&seed) % 3];
		for (i = 0; i < 16; i++) {
			unsigned int keep = plen > i * 8 ? plen - i * 8 : 0;

			if (keep < 8)
				a[i] &= 0xff00 >> keep;
		}
		/* inside the /64: ending before its last address, but at the
		 * top of the space, where no range follows
		 */
		if (c->one64 && c->head[0] != 0xff) {
			for (i = 8; i < 16; i++) {
				unsigned int keep = plen > i * 8 ? plen - i * 8 : 0;

				if ((a[i] | (keep < 8 ? 0xff >> keep : 0)) != 0xff)
					break;
			}
			if (i == 16)
				continue;
		}
		for (i = 0; i < n; i++)
			if (!memcmp(e[i].addr, a, 16) && e[i].plen == plen)
				break;
		if (i < n)
			continue;
		/* insertion sort: ascending address, then prefix length */
		for (i = n; i > 0; i--) {
			int d = memcmp(e[i - 1].addr, a, 16);

			if (d < 0 || (d == 0 && e[i - 1].plen < plen))
				break;
			e[i] = e[i - 1];
		}
		memcpy(e[i].addr, a, 16);
		e[i].plen = plen;
		e[i].mss = 88 + vpnmss_test_rand(&seed) % 1400;
		e[i].flags = 0;
		n++;
	}
	info->hdr.count = n;
	info->hdr.dir = XT_VPNMSS_DIR_DST;
	cp.targinfo = info;
	KUNIT_ASSERT_EQ(test, vpnmss_tg6_check(&cp), 0);
	/* the first level is over the half of the address it should be */
	KUNIT_EXPECT_EQ(test, info->lpm->low6, c->one64);

	for (i = 0; i < 6000; i++) {
		u8 a[16];
		struct vpnmss_key k;
		int best = -1;
		u16 want = 0;

		/* an entry's address with a random tail, or a random one */
		memcpy(a, e[vpnmss_test_rand(&seed) % n].addr, 16);
		for (j = 16 - vpnmss_test_rand(&seed) % 17; j < 16; j++)
			a[j] = c->bytes[vpnmss_test_rand(&seed) % 3] +
			       vpnmss_test_rand(&seed) % 2;
		for (j = 0; j < n; j++)
			if (vpnmss_test_in6(a, (const u8 *)e[j].addr, e[j].plen) &&
			    (int)e[j].plen > best) {
				best = e[j].plen;
				want = e[j].mss;
			}
		vpnmss_key6(&k, (const __be32 *)a);
		KUNIT_EXPECT_EQ_MSG(test, vpnmss_lpm_lookup(info->lpm, &k)->mss,
				    want, "address %pI6c", a);
	}
	dp.targinfo = info;
	vpnmss_tg6_destroy(&dp);
}

/* The limit vpnmss_limit() finds, 0 when no entry decides. */
static u16 vpnmss_test_limit(const struct xt_vpnmss_tginfo4 *info, u8 dir,
			     const struct vpnmss_key *src,
			     const struct vpnmss_key *dst)
{
	u16 limit = 0;

	if (!vpnmss_limit(info->lpm, dir, src, dst, NULL, &limit))
		return 0;
	return limit;
}

static void vpnmss_test_dir(struct kunit *test)
{
	const struct xt_vpnmss_entry4 e[] = {
		E4(10, 1, 0, 0, 16, 1300), E4(10, 2, 0, 0, 16, 1200),
	};
	struct xt_vpnmss_tginfo4 *info;
	struct vpnmss_key a, b, c;
	u16 limit;

	info = vpnmss_test_rule4(test, XT_VPNMSS_DIR_BOTH, 2, e);
	vpnmss_key4(&a, htonl(0x0a010001));
	vpnmss_key4(&b, htonl(0x0a020001));
	vpnmss_key4(&c, htonl(0x0b000001));
	KUNIT_EXPECT_EQ(test, vpnmss_test_limit(info, XT_VPNMSS_DIR_SRC, &a, &b), 1300);
	KUNIT_EXPECT_EQ(test, vpnmss_test_limit(info, XT_VPNMSS_DIR_DST, &a, &b), 1200);
	KUNIT_EXPECT_EQ(test, vpnmss_test_limit(info, XT_VPNMSS_DIR_BOTH, &a, &b), 1200);
	KUNIT_EXPECT_EQ(test, vpnmss_test_limit(info, XT_VPNMSS_DIR_BOTH, &b, &a), 1200);
	KUNIT_EXPECT_EQ(test, vpnmss_test_limit(info, XT_VPNMSS_DIR_BOTH, &a, &c), 1300);
	KUNIT_EXPECT_EQ(test, vpnmss_test_limit(info, XT_VPNMSS_DIR_BOTH, &c, &a), 1300);
	KUNIT_EXPECT_EQ(test, vpnmss_test_limit(info, XT_VPNMSS_DIR_SRC, &c, &a), 0);
	KUNIT_EXPECT_EQ(test, vpnmss_test_limit(info, XT_VPNMSS_DIR_BOTH, &c, &c), 0);
	/* The deciding entry is the one whose limit applies. */
	KUNIT_EXPECT_PTR_EQ(test, vpnmss_limit(info->lpm, XT_VPNMSS_DIR_BOTH,
					       &a, &b, NULL, &limit),
			    vpnmss_lpm_lookup(info->lpm, &b));
	KUNIT_EXPECT_NULL(test, vpnmss_limit(info->lpm, XT_VPNMSS_DIR_BOTH,
					     &c, &c, NULL, &limit));
	vpnmss_test_free4(info);
}

/* -------------------------------------------------------------------------
 * checkentry with crafted blobs
 */

enum vpnmss_mutation {
	M_VALID, M_COUNT0, M_COUNT_OVER, M_DIR0, M_DIR4, M_FLAGS, M_RESERVED,
	M_NAME, M_PLEN, M_MSS_LOW, M_MSS_HIGH, M_EFLAGS, M_HOSTBITS, M_DUP,
	M_UNSORTED, M_UNUSED, M_AUTO, M_AUTO_MSS, M_AUTO_PREROUTING,
	M_AUTO_INPUT, M_NAME_OK, M_NAME_EMPTY, M_NAME_DOTDOT, M_NAME_SLASH,
	M_NAME_LONG, M_NAME_TAIL,
};

struct vpnmss_check_case {
	const char *name;
	enum vpnmss_mutation m;
	int want;
};

static const struct vpnmss_check_case vpnmss_check_cases[] = {
	{ "valid", M_VALID, 0 },
	{ "no entries", M_COUNT0, -ERANGE },
	{ "count above capacity", M_COUNT_OVER, -ERANGE },
	{ "direction 0", M_DIR0, -EINVAL },
	{ "unknown direction bit", M_DIR4, -EINVAL },
	{ "unknown rule flag", M_FLAGS, -EINVAL },
	{ "reserved field set", M_RESERVED, -EINVAL },
	{ "name without the name flag", M_NAME, -EINVAL },
	{ "named table", M_NAME_OK, 0 },
	{ "empty name", M_NAME_EMPTY, -EINVAL },
	{ "name ..", M_NAME_DOTDOT, -EINVAL },
	{ "name with a slash", M_NAME_SLASH, -EINVAL },
	{ "name without a NUL", M_NAME_LONG, -EINVAL },
	{ "bytes after the name's NUL", M_NAME_TAIL, -EINVAL },
	{ "prefix length too long", M_PLEN, -EINVAL },
	{ "MSS below 88", M_MSS_LOW, -ERANGE },
	{ "MSS above 65495", M_MSS_HIGH, -ERANGE },
	{ "unknown entry flag", M_EFLAGS, -EINVAL },
	{ "host bits set", M_HOSTBITS, -EINVAL },
	{ "duplicate prefix", M_DUP, -EINVAL },
	{ "entries out of order", M_UNSORTED, -EINVAL },
	{ "unused entry not zero", M_UNUSED, -EINVAL },
	{ "auto entry in FORWARD", M_AUTO, 0 },
	{ "auto entry with an MSS", M_AUTO_MSS, -EINVAL },
	{ "auto entry in PREROUTING", M_AUTO_PREROUTING, -EINVAL },
	{ "auto entry in INPUT and FORWARD", M_AUTO_INPUT, -EINVAL },
};

static void vpnmss_check_desc(const struct vpnmss_check_case *c, char *desc)
{
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "checkentry: %s", c->name);
}

KUNIT_ARRAY_PARAM(vpnmss_check, vpnmss_check_cases, vpnmss_check_desc);

static void vpnmss_test_check4(struct kunit *test)
{
	const struct vpnmss_check_case *c = test->param_value;
	struct xt_vpnmss_tginfo4 *info;
	struct xt_tgchk_param cp = {};
	struct xt_vpnmss_entry4 *e;
	int ret;

	info = kunit_kzalloc(test, sizeof(*info), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, info);
	e = info->entries;
	info->hdr.count = 3;
	info->hdr.dir = XT_VPNMSS_DIR_BOTH;
	e[0] = (struct xt_vpnmss_entry4)E4(10, 0, 0, 0, 8, 1400);
	e[1] = (struct xt_vpnmss_entry4)E4(10, 1, 0, 0, 16, 1300);
	e[2] = (struct xt_vpnmss_entry4)E4(192, 168, 12, 0, 24, 1334);

	switch (c->m) {
	case M_VALID:
		break;
	case M_COUNT0:
		info->hdr.count = 0;
		break;
	case M_COUNT_OVER:
		info->hdr.count = XT_VPNMSS_MAX4 + 1;
		break;
	case M_DIR0:
		info->hdr.dir = 0;
		break;
	case M_DIR4:
		info->hdr.dir = 4 | XT_VPNMSS_DIR_SRC;
		break;
	case M_FLAGS:
		info->hdr.flags = 0x80;
		break;
	case M_RESERVED:
		info->hdr.reserved = 1;
		break;
	case M_NAME:
		info->hdr.name[XT_VPNMSS_NAME_LEN - 1] = 'x';
		break;
	case M_NAME_OK:
		info->hdr.flags = XT_VPNMSS_F_NAME;
		strscpy(info->hdr.name, "kunit-check", XT_VPNMSS_NAME_LEN);
		break;
	case M_NAME_EMPTY:
		info->hdr.flags = XT_VPNMSS_F_NAME;
		break;
	case M_NAME_DOTDOT:
		info->hdr.flags = XT_VPNMSS_F_NAME;
		strscpy(info->hdr.name, "..", XT_VPNMSS_NAME_LEN);
		break;
	case M_NAME_SLASH:
		info->hdr.flags = XT_VPNMSS_F_NAME;
		strscpy(info->hdr.name, "a/b", XT_VPNMSS_NAME_LEN);
		break;
	case M_NAME_LONG:
		info->hdr.flags = XT_VPNMSS_F_NAME;
		memset(info->hdr.name, 'n', XT_VPNMSS_NAME_LEN);
		break;
	case M_NAME_TAIL:
		info->hdr.flags = XT_VPNMSS_F_NAME;
		strscpy(info->hdr.name, "ab", XT_VPNMSS_NAME_LEN);
		info->hdr.name[4] = 'x';
		break;
	case M_PLEN:
		e[2].plen = 33;
		break;
	case M_MSS_LOW:
		e[1].mss = 87;
		break;
	case M_MSS_HIGH:
		e[1].mss = 65496;
		break;
	case M_EFLAGS:
		e[0].flags = 0x80;
		break;
	case M_HOSTBITS:
		e[2].addr = htonl(0xc0a80c01);
		break;
	case M_DUP:
		e[2] = e[1];
		break;
	case M_UNSORTED:
		swap(e[0], e[1]);
		break;
	case M_UNUSED:
		e[XT_VPNMSS_MAX4 - 1].mss = 1;
		break;
	case M_AUTO:
		e[1].flags = XT_VPNMSS_E_AUTO;
		e[1].mss = 0;
		cp.hook_mask = 1 << NF_INET_FORWARD;
		break;
	case M_AUTO_MSS:
		e[1].flags = XT_VPNMSS_E_AUTO;
		break;
	case M_AUTO_PREROUTING:
		e[1].flags = XT_VPNMSS_E_AUTO;
		e[1].mss = 0;
		cp.hook_mask = 1 << NF_INET_PRE_ROUTING;
		break;
	case M_AUTO_INPUT:
		e[1].flags = XT_VPNMSS_E_AUTO;
		e[1].mss = 0;
		cp.hook_mask = 1 << NF_INET_LOCAL_IN | 1 << NF_INET_FORWARD;
		break;
	}

	cp.net = &init_net;
	cp.family = NFPROTO_IPV4;
	cp.targinfo = info;
	ret = vpnmss_tg4_check(&cp);
	KUNIT_EXPECT_EQ(test, ret, c->want);
	if (ret == 0) {
		KUNIT_EXPECT_NOT_NULL(test, info->lpm);
		vpnmss_test_free4(info);
	}
}

static void vpnmss_test_check6(struct kunit *test)
{
	struct xt_vpnmss_tginfo6 *info;
	struct xt_tgchk_param cp = {};
	struct xt_tgdtor_param dp = {};

	info = kunit_kzalloc(test, sizeof(*info), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, info);
	cp.targinfo = info;
	dp.targinfo = info;
	info->hdr.dir = XT_VPNMSS_DIR_SRC;
	info->hdr.count = 2;
	info->entries[0].addr[0] = htonl(0xfd120000);
	info->entries[0].plen = 16;
	info->entries[0].mss = 1300;
	info->entries[1].addr[0] = htonl(0xfd120034);
	info->entries[1].plen = 32;
	info->entries[1].mss = 1200;
	KUNIT_ASSERT_EQ(test, vpnmss_tg6_check(&cp), 0);
	vpnmss_tg6_destroy(&dp);

	info->entries[1].plen = 129;
	KUNIT_EXPECT_EQ(test, vpnmss_tg6_check(&cp), -EINVAL);
	info->entries[1].plen = 16;	/* host bits under /16 */
	KUNIT_EXPECT_EQ(test, vpnmss_tg6_check(&cp), -EINVAL);
	info->entries[1] = info->entries[0];
	KUNIT_EXPECT_EQ(test, vpnmss_tg6_check(&cp), -EINVAL);
	info->hdr.count = XT_VPNMSS_MAX6 + 1;
	KUNIT_EXPECT_EQ(test, vpnmss_tg6_check(&cp), -ERANGE);
}

/* -------------------------------------------------------------------------
 * Named tables
 */

/* A named v4 rule over the shared entries @e, checked; NULL if refused. */
static struct xt_vpnmss_tginfo4 *
vpnmss_test_named4(struct kunit *test, const char *name, unsigned int n,
		   const struct xt_vpnmss_entry4 *e, int want)
{
	struct xt_vpnmss_tginfo4 *info;
	struct xt_tgchk_param par = {
		.net = &init_net,
		.family = NFPROTO_IPV4,
		.hook_mask = 1 << NF_INET_FORWARD,
	};
	int ret;

	info = kunit_kzalloc(test, sizeof(*info), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, info);
	info->hdr.count = n;
	info->hdr.dir = XT_VPNMSS_DIR_SRC;
	info->hdr.flags = XT_VPNMSS_F_NAME;
	strscpy(info->hdr.name, name, sizeof(info->hdr.name));
	memcpy(info->entries, e, n * sizeof(*e));
	par.targinfo = info;
	ret = vpnmss_tg4_check(&par);
	KUNIT_EXPECT_EQ(test, ret, want);
	return ret ? NULL : info;
}

/* One entry's counters, summed over the CPUs. */
static void vpnmss_test_sum(const struct vpnmss_set *s, unsigned int idx,
			    u64 *n)
{
	int cpu;
	unsigned int v;

	memset(n, 0, VPNMSS_NR_VERDICTS * sizeof(*n));
	for_each_possible_cpu(cpu)
		for (v = 0; v < VPNMSS_NR_VERDICTS; v++)
			n[v] += per_cpu_ptr(s->cell[idx]->ctr, cpu)->n[v];
}

/*
 * Rules naming one table may hold different entry lists (sets), whoever
 * loads them and in whatever order: a replacement is always possible.  The
 * table shows the set loaded last; a prefix keeps its counters in every set
 * that holds it.
 */
static void vpnmss_test_named_sets(struct kunit *test)
{
	const struct xt_vpnmss_entry4 a[] = {
		E4(10, 1, 0, 0, 16, 1300), E4(10, 2, 0, 0, 16, 1200),
	};
	const struct xt_vpnmss_entry4 b[] = {
		E4(10, 1, 0, 0, 16, 1300), E4(10, 3, 0, 0, 16, 1100),
	};
	const struct xt_vpnmss_entry4 c[] = { E4(10, 4, 0, 0, 16, 1000) };
	struct xt_vpnmss_tginfo4 *r1, *r2, *r3, *r4, *r5, *other;
	struct vpnmss_table *t;

	r1 = vpnmss_test_named4(test, "kunit-sets", 2, a, 0);
	KUNIT_ASSERT_NOT_NULL(test, r1);
	t = r1->lpm->set->table;
	/* The same entries: the same set, the same counters. */
	r2 = vpnmss_test_named4(test, "kunit-sets", 2, a, 0);
	KUNIT_ASSERT_NOT_NULL(test, r2);
	KUNIT_EXPECT_PTR_EQ(test, r1->lpm->set, r2->lpm->set);
	KUNIT_EXPECT_EQ(test, r1->lpm->set->refs, 2U);

	/*
	 * Other entries from the same task while the first set is held (the
	 * second block of an iptables-restore --noflush, a daemon's next
	 * update): a replacement, and 10.1/16 keeps its counters.
	 */
	r3 = vpnmss_test_named4(test, "kunit-sets", 2, b, 0);
	KUNIT_ASSERT_NOT_NULL(test, r3);
	KUNIT_EXPECT_PTR_NE(test, r3->lpm->set, r1->lpm->set);
	KUNIT_EXPECT_PTR_EQ(test, r3->lpm->set->table, t);
	KUNIT_EXPECT_PTR_EQ(test, r3->lpm->set->cell[0], r1->lpm->set->cell[0]);
	KUNIT_EXPECT_PTR_NE(test, r3->lpm->set->cell[1], r1->lpm->set->cell[1]);
	KUNIT_EXPECT_PTR_EQ(test, vpnmss_newest(t), r3->lpm->set);
	/* The outgoing list again (iptables-legacy re-checks every rule):
	 * it joins its set, and the newest stays the newest.
	 */
	r5 = vpnmss_test_named4(test, "kunit-sets", 2, a, 0);
	KUNIT_ASSERT_NOT_NULL(test, r5);
	KUNIT_EXPECT_PTR_EQ(test, r5->lpm->set, r1->lpm->set);
	KUNIT_EXPECT_PTR_EQ(test, vpnmss_newest(t), r3->lpm->set);
	vpnmss_test_free4(r5);
	/* A third list while two are held: taken too, and it is newest. */
	r4 = vpnmss_test_named4(test, "kunit-sets", 1, c, 0);
	KUNIT_ASSERT_NOT_NULL(test, r4);
	KUNIT_EXPECT_PTR_EQ(test, vpnmss_newest(t), r4->lpm->set);
	KUNIT_EXPECT_EQ(test, list_count_nodes(&t->sets), 3U);
	/* Another name is another table. */
	other = vpnmss_test_named4(test, "kunit-other", 1, c, 0);
	KUNIT_ASSERT_NOT_NULL(test, other);
	KUNIT_EXPECT_PTR_NE(test, other->lpm->set->table, t);
	vpnmss_test_free4(other);

	/* The newest set going first: the newest remaining one is shown. */
	vpnmss_test_free4(r4);
	KUNIT_EXPECT_PTR_EQ(test, vpnmss_newest(t), r3->lpm->set);
	vpnmss_test_free4(r1);
	vpnmss_test_free4(r2);
	KUNIT_EXPECT_TRUE(test, list_is_singular(&t->sets));
	vpnmss_test_free4(r3);
	mutex_lock(&vpnmss_mutex);
	KUNIT_EXPECT_TRUE(test, list_empty(&vpnmss_pernet(&init_net)->tables));
	mutex_unlock(&vpnmss_mutex);
}

/* Every outcome lands in the deciding entry's counter. */
static void vpnmss_test_named_count(struct kunit *test)
{
	const struct xt_vpnmss_entry4 e[] = {
		E4(10, 1, 0, 0, 16, 1300), E4(10, 1, 2, 0, 24, 1200),
	};
	static const struct {
		__be32 src;
		u8 opt[8];
		unsigned int optlen;
		u8 flags;
		unsigned int entry;
		enum vpnmss_verdict v;
	} pkts[] = {
		{ htonl(0x0a010101), { 2, 4, 0x05, 0xb4 }, 4, TCPHDR_SYN,
		  0, VPNMSS_CLAMPED },
		{ htonl(0x0a010102), { 2, 4, 0x04, 0x00 }, 4, TCPHDR_SYN,
		  0, VPNMSS_NOT_ABOVE },
		{ htonl(0x0a010103), { 2, 4, 0x05, 0x14 }, 4,
		  TCPHDR_SYN | TCPHDR_ACK, 0, VPNMSS_NOT_ABOVE },
		{ htonl(0x0a010104), { 1, 1, 1, 1 }, 4, TCPHDR_SYN,
		  0, VPNMSS_NO_OPTION },
		{ htonl(0x0a010105), { 2, 4, 0x05, 0xb4 }, 0, TCPHDR_SYN,
		  0, VPNMSS_NO_OPTION },
		{ htonl(0x0a010106), { 8, 1, 0, 0 }, 4, TCPHDR_SYN,
		  0, VPNMSS_MALFORMED },
		{ htonl(0x0a010107), { 2, 4, 0x05, 0xb4, 8, 1, 0, 0 }, 8,
		  TCPHDR_SYN, 0, VPNMSS_CLAMPED },
		{ htonl(0x0a010201), { 2, 4, 0x05, 0xb4 }, 4, TCPHDR_SYN,
		  1, VPNMSS_CLAMPED },
		{ htonl(0x0a010202), { 2, 4, 0x04, 0xb0 }, 4, TCPHDR_SYN,
		  1, VPNMSS_NOT_ABOVE },
	};
	u64 want[2][VPNMSS_NR_VERDICTS] = {}, n[VPNMSS_NR_VERDICTS];
	struct xt_vpnmss_tginfo4 *info;
	unsigned int i, j;

	info = vpnmss_test_named4(test, "kunit-count", 2, e, 0);
	KUNIT_ASSERT_NOT_NULL(test, info);
	for (i = 0; i < ARRAY_SIZE(pkts); i++) {
		struct xt_action_param par = { .targinfo = info };
		struct sk_buff *skb;

		skb = vpnmss_test_skb4(test, pkts[i].src, pkts[i].opt,
				       pkts[i].optlen, pkts[i].flags, 0, false);
		par.thoff = ip_hdrlen(skb);
		vpnmss_tg4(skb, &par);
		want[pkts[i].entry][pkts[i].v]++;
		kfree_skb(skb);
	}
	/* Not counted: no SYN, a RST, no entry. */
	for (i = 0; i < 3; i++) {
		static const u8 mss[4] = { 2, 4, 0x05, 0xb4 };
		struct xt_action_param par = { .targinfo = info };
		struct sk_buff *skb;

		skb = vpnmss_test_skb4(test,
				       htonl(i == 2 ? 0x0b000001 : 0x0a010101),
				       mss, 4,
				       i == 0 ? TCPHDR_ACK :
				       i == 1 ? TCPHDR_SYN | TCPHDR_RST :
						TCPHDR_SYN, 0, false);
		par.thoff = ip_hdrlen(skb);
		vpnmss_tg4(skb, &par);
		kfree_skb(skb);
	}
	for (i = 0; i < 2; i++) {
		vpnmss_test_sum(info->lpm->set, i, n);
		for (j = 0; j < VPNMSS_NR_VERDICTS; j++)
			KUNIT_EXPECT_EQ_MSG(test, n[j], want[i][j],
					    "entry %u, counter %u", i, j);
	}
	vpnmss_test_free4(info);
}

/*
 * An "auto" entry in a chain that nft_compat checked with hook_mask 0 (a
 * user chain), then reached from INPUT: the hook is known only at packet
 * time, and there "auto" must not clamp to the local route's 65495.
 */
static void vpnmss_test_auto_hook(struct kunit *test)
{
	static const u8 opt[4] = { 2, 4, 0x05, 0xb4 };
	struct xt_vpnmss_entry4 e[] = { E4(10, 1, 0, 0, 16, 0) };
	struct nf_hook_state state = {
		.pf = NFPROTO_IPV4,
		.net = &init_net,
	};
	u64 n[VPNMSS_NR_VERDICTS];
	struct xt_vpnmss_tginfo4 *info;
	struct net_device *lo = init_net.loopback_dev;
	unsigned int i;
	struct rtable *rt;

	e[0].flags = XT_VPNMSS_E_AUTO;
	info = kunit_kzalloc(test, sizeof(*info), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, info);
	info->hdr.count = 1;
	info->hdr.dir = XT_VPNMSS_DIR_DST;
	info->hdr.flags = XT_VPNMSS_F_NAME;
	strscpy(info->hdr.name, "kunit-auto", sizeof(info->hdr.name));
	info->entries[0] = e[0];
	{
		struct xt_tgchk_param cp = {
			.net = &init_net, .family = NFPROTO_IPV4,
			.targinfo = info, .nft_compat = true,
		};

		KUNIT_ASSERT_EQ(test, vpnmss_tg4_check(&cp), 0);
	}

	/* A local route to give the packet a dst, as in INPUT. */
	rtnl_lock();
	dev_open(lo, NULL);
	rtnl_unlock();
	for (i = 0; i < 2; i++) {
		struct xt_action_param par = { .targinfo = info,
					       .state = &state };
		struct sk_buff *skb;

		state.hook = i ? NF_INET_FORWARD : NF_INET_LOCAL_IN;
		skb = vpnmss_test_skb4(test, htonl(0x0b000001), opt, 4,
				       TCPHDR_SYN, 0, false);
		ip_hdr(skb)->daddr = htonl(0x0a010001);
		rt = ip_route_output(&init_net, htonl(INADDR_LOOPBACK), 0, 0, 0);
		KUNIT_ASSERT_FALSE(test, IS_ERR(rt));
		skb_dst_set(skb, &rt->dst);
		par.thoff = ip_hdrlen(skb);
		vpnmss_tg4(skb, &par);
		KUNIT_EXPECT_EQ(test, vpnmss_test_mss(skb, par.thoff), 1460);
		kfree_skb(skb);
	}
	/* INPUT: not an "auto" hook; FORWARD: the route's MTU, 65536. */
	vpnmss_test_sum(info->lpm->set, 0, n);
	KUNIT_EXPECT_EQ(test, n[VPNMSS_AUTOFAIL], 1ULL);
	KUNIT_EXPECT_EQ(test, n[VPNMSS_NOT_ABOVE], 1ULL);
	vpnmss_test_free4(info);
}

/* -------------------------------------------------------------------------
 * Fuzzing.  The seed is random unless xt_vpnmss.fuzz_seed is set, and is
 * printed, so that a failure can be replayed:
 *   VPNMSS_FUZZ_SEED=S VPNMSS_FUZZ_ITERS=N tests/kunit/run
 */
static unsigned int fuzz_seed;
module_param(fuzz_seed, uint, 0444);
MODULE_PARM_DESC(fuzz_seed, "KUnit fuzzing: the seed (0: random)");
static unsigned int fuzz_iters = 100000;
module_param(fuzz_iters, uint, 0444);
MODULE_PARM_DESC(fuzz_iters, "KUnit fuzzing: option lists per run");

static u32 vpnmss_fuzz_seed(struct kunit *test, u32 salt)
{
	u32 seed = fuzz_seed ?: get_random_u32() | 1;

	kunit_info(test, "seed %u (xt_vpnmss.fuzz_seed=%u to replay)\n",
		   seed, seed);
	return seed ^ salt ?: 1;
}

/* A random option list of @len bytes, biased toward the parser's edges. */
static void vpnmss_fuzz_opts(u32 *r, u8 *opt, unsigned int len, u16 limit)
{
	static const u16 values[] = { 0, 1, 88, 536, 1220, 1460, 65535 };
	static const u8 bad_len[] = { 0, 1, 2, 3, 5, 6, 40 };
	unsigned int i = 0;

	while (i < len) {
		unsigned int left = len - i, k = vpnmss_test_rand(r) % 16;
		u16 v;

		switch (k) {
		case 0 ... 3:
			opt[i++] = TCPOPT_NOP;
			break;
		case 4:
			opt[i++] = TCPOPT_EOL;
			break;
		case 5 ... 8:	/* MSS around the limit */
			k = vpnmss_test_rand(r) % 10;
			v = k < 7 ? values[k] : k == 7 ? limit - 1 :
			    k == 8 ? limit : limit + 1;
			opt[i++] = TCPOPT_MSS;
			if (i < len)
				opt[i++] = TCPOLEN_MSS;
			if (i < len)
				opt[i++] = v >> 8;
			if (i < len)
				opt[i++] = v & 0xff;
			break;
		case 9:		/* MSS of a wrong length */
			opt[i++] = TCPOPT_MSS;
			if (i < len)
				opt[i++] = bad_len[vpnmss_test_rand(r) %
						   ARRAY_SIZE(bad_len)];
			break;
		case 10:	/* silly length */
			opt[i++] = 3 + vpnmss_test_rand(r) % 253;
			if (i < len)
				opt[i++] = vpnmss_test_rand(r) % 2;
			break;
		case 11:	/* past the end */
			opt[i++] = 3 + vpnmss_test_rand(r) % 253;
			if (i < len)
				opt[i++] = left + vpnmss_test_rand(r) % 4;
			break;
		case 12:	/* a well-formed other option */
			k = 2 + vpnmss_test_rand(r) % 9;
			opt[i++] = 3 + vpnmss_test_rand(r) % 253;
			if (i < len)
				opt[i++] = k;
			for (k -= 2; k && i < len; k--)
				opt[i++] = vpnmss_test_rand(r);
			break;
		default:
			opt[i++] = vpnmss_test_rand(r);
			break;
		}
	}
}

/*
 * Random option lists through vpnmss_clamp(), compared with the reference
 * model of the receiver: every MSS it parses is lowered to the limit, no
 * other byte changes, and the checksum verifies, for every doff, odd
 * offsets, CHECKSUM_NONE and CHECKSUM_PARTIAL.  The one-pass walk and
 * rewrite must also give the verdict and bytes of the former three passes
 * (copy, walk, then write: vpnmss_clamp_3pass()).
 */
static void vpnmss_test_fuzz_opts(struct kunit *test)
{
	static const u16 limits[] = { 88, 536, 1300, 1334, 1460 };
	u32 r = vpnmss_fuzz_seed(test, 0x0f7c0de5);
	unsigned int it, failed = 0;
	u8 *before;

	before = kunit_kmalloc(test, 128, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, before);
	for (it = 0; it < fuzz_iters && !failed; it++) {
		u8 opt[MAX_TCP_OPTION_SPACE];
		unsigned int doff, payload, k;
		enum vpnmss_verdict v, v3;
		struct sk_buff *skb, *skb3;
		struct tcphdr th;
		bool partial, same;
		u16 limit;

		k = vpnmss_test_rand(&r);
		doff = k % 4 ? 15 : 5 + (k >> 2) % 11;
		payload = (k >> 8) % 4;
		k = vpnmss_test_rand(&r) % (ARRAY_SIZE(limits) + 1);
		limit = k < ARRAY_SIZE(limits) ? limits[k] :
			88 + vpnmss_test_rand(&r) % 65408;
		vpnmss_fuzz_opts(&r, opt, doff * 4 - 20, limit);
		partial = vpnmss_test_rand(&r) & 1;
		skb = vpnmss_test_skb4(test, htonl(0x0a010203), opt,
				       doff * 4 - 20, TCPHDR_SYN, payload,
				       partial);
		skb3 = vpnmss_test_skb4(test, htonl(0x0a010203), opt,
					doff * 4 - 20, TCPHDR_SYN, payload,
					partial);
		memcpy(before, skb->data, skb->len);
		memcpy(&th, tcp_hdr(skb), sizeof(th));
		v = vpnmss_clamp(skb, ip_hdrlen(skb), &th, limit);
		v3 = vpnmss_clamp_3pass(skb3, ip_hdrlen(skb3), &th, limit);
		/* compared before the check below completes a partial sum */
		same = v == v3 && skb->len == skb3->len &&
		       !memcmp(skb->data, skb3->data, skb->len);
		KUNIT_EXPECT_TRUE(test, same);
		if (!vpnmss_test_expect_clamped(test, before, skb,
						ip_hdrlen(skb), limit, false) ||
		    !same) {
			kunit_info(test, "iteration %u, limit %u, verdict %d (3 passes: %d), options %*ph\n",
				   it, limit, v, v3, doff * 4 - 20, opt);
			failed++;
		}
		kfree_skb(skb3);
		kfree_skb(skb);
	}
	kunit_info(test, "%u option lists\n", it);
	KUNIT_EXPECT_EQ(test, failed, 0U);
}

/*
 * What checkentry must accept, by the header's documented rules and
 * written apart from the module's checks: returns false if it must refuse.
 */
static bool vpnmss_ref_valid(const struct xt_vpnmss_hdr *h, const u8 *entries,
			     bool v6, unsigned int hook_mask)
{
	unsigned int max = v6 ? XT_VPNMSS_MAX6 : XT_VPNMSS_MAX4;
	size_t esize = v6 ? sizeof(struct xt_vpnmss_entry6) :
			    sizeof(struct xt_vpnmss_entry4);
	unsigned int i, j, alen = v6 ? 16 : 4, nlen;
	const u8 *prev = NULL;
	bool any_auto = false;

	if (!h->count || h->count > max || !h->dir || h->dir > 3 ||
	    h->flags & ~1 || h->reserved)
		return false;
	nlen = strnlen(h->name, sizeof(h->name));
	if (h->flags & XT_VPNMSS_F_NAME) {
		if (!nlen || nlen == sizeof(h->name) ||
		    memchr(h->name, '/', nlen) || !strcmp(h->name, ".") ||
		    !strcmp(h->name, ".."))
			return false;
	} else if (nlen) {
		return false;
	}
	for (i = nlen; i < sizeof(h->name); i++)
		if (h->name[i])
			return false;
	for (i = h->count * esize; i < max * esize; i++)
		if (entries[i])
			return false;
	for (i = 0; i < h->count; i++) {
		const u8 *e = entries + i * esize;
		u16 mss = *(const u16 *)(e + alen);
		u8 plen = e[alen + 2], fl = e[alen + 3];

		if (plen > alen * 8 || fl & ~1)
			return false;
		for (j = 0; j < alen * 8; j++)
			if (j >= plen && e[j / 8] & (0x80 >> (j % 8)))
				return false;
		if (fl ? mss != 0 : mss < 88 || mss > 65495)
			return false;
		any_auto |= fl;
		if (prev) {
			int c = memcmp(prev, e, alen);

			if (c > 0 || (c == 0 && prev[alen + 2] >= plen))
				return false;
		}
		prev = e;
	}
	return !(any_auto && hook_mask & ~(BIT(NF_INET_FORWARD) |
					    BIT(NF_INET_LOCAL_OUT) |
					    BIT(NF_INET_POST_ROUTING)));
}

/* A valid random blob, then 0 to 3 random mutations of it. */
static void vpnmss_fuzz_blob(u32 *r, struct xt_vpnmss_hdr *h, u8 *entries,
			     bool v6, unsigned int *hook_mask)
{
	unsigned int max = v6 ? XT_VPNMSS_MAX6 : XT_VPNMSS_MAX4;
	size_t esize = v6 ? sizeof(struct xt_vpnmss_entry6) :
			    sizeof(struct xt_vpnmss_entry4);
	static const u8 name_bytes[] = { 0, '/', '.', 'x', 0xff };
	unsigned int alen = v6 ? 16 : 4, n, i, m;
	u8 *e;

	memset(h, 0, sizeof(*h));
	memset(entries, 0, max * esize);
	n = 1 + vpnmss_test_rand(r) % 8;
	h->count = n;
	h->dir = 1 + vpnmss_test_rand(r) % 3;
	if (vpnmss_test_rand(r) % 4 == 0) {
		h->flags = XT_VPNMSS_F_NAME;
		snprintf(h->name, sizeof(h->name), "fuzz%u",
			 vpnmss_test_rand(r) % 4);
	}
	*hook_mask = vpnmss_test_rand(r) % 4 ? BIT(NF_INET_FORWARD) :
		     vpnmss_test_rand(r) & 0x1f;
	/* ascending /plen prefixes: 10.i.0.0/16 or fd00:i::/32 */
	for (i = 0; i < n; i++) {
		e = entries + i * esize;
		e[0] = v6 ? 0xfd : 10;
		e[v6 ? 2 : 1] = i;
		e[alen + 2] = v6 ? 32 : 16;
		*(u16 *)(e + alen) = 88 + vpnmss_test_rand(r) % 1400;
		if (vpnmss_test_rand(r) % 8 == 0) {
			e[alen + 3] = XT_VPNMSS_E_AUTO;
			*(u16 *)(e + alen) = 0;
		}
	}
	for (m = vpnmss_test_rand(r) % 4; m; m--) {
		unsigned int k = vpnmss_test_rand(r);

		e = entries + (k >> 8) % (n + 1) * esize;
		switch (k % 10) {
		case 0:
			((u8 *)h)[(k >> 8) % sizeof(*h)] = vpnmss_test_rand(r);
			break;
		case 1:
			h->count = vpnmss_test_rand(r) % (max + 3);
			break;
		case 2:		/* a prefix length */
			e[alen + 2] = vpnmss_test_rand(r) % (alen * 8 + 3);
			break;
		case 3:
			*(u16 *)(e + alen) = vpnmss_test_rand(r);
			break;
		case 4:
			e[alen + 3] = vpnmss_test_rand(r);
			break;
		case 5:		/* an address byte */
			e[(k >> 16) % alen] = vpnmss_test_rand(r);
			break;
		case 6:		/* a duplicate or an out-of-order entry */
			if (n > 1)
				memcpy(e, entries + (k >> 16) % n * esize, esize);
			break;
		case 7:		/* a byte of an unused entry */
			entries[n * esize + (k >> 8) % ((max - n) * esize)] =
				vpnmss_test_rand(r);
			break;
		case 8:
			*hook_mask = vpnmss_test_rand(r) & 0x1f;
			break;
		default:	/* a name byte */
			h->name[(k >> 8) % sizeof(h->name)] =
				name_bytes[(k >> 16) % ARRAY_SIZE(name_bytes)];
			break;
		}
	}
}

/* The lookup of an accepted rule, against the reference, at @a. */
static void vpnmss_fuzz_lookup(struct kunit *test, const struct vpnmss_lpm *lpm,
			       const u8 *entries, unsigned int n, bool v6,
			       const u8 *a)
{
	size_t esize = v6 ? sizeof(struct xt_vpnmss_entry6) :
			    sizeof(struct xt_vpnmss_entry4);
	unsigned int i, alen = v6 ? 16 : 4;
	const struct vpnmss_range *r;
	int best = -1, want = -1;
	struct vpnmss_key k;
	__be32 a4[4];

	for (i = 0; i < n; i++) {
		const u8 *e = entries + i * esize;
		u8 full[16] = {};

		memcpy(full, e, alen);
		if (vpnmss_test_in6(a, full, e[alen + 2]) &&
		    (int)e[alen + 2] > best) {
			best = e[alen + 2];
			want = i;
		}
	}
	memcpy(a4, a, 16);
	if (v6)
		vpnmss_key6(&k, a4);
	else
		vpnmss_key4(&k, a4[0]);
	r = vpnmss_lpm_lookup(lpm, &k);
	KUNIT_EXPECT_EQ(test, (int)(r->entry == VPNMSS_NO_ENTRY ? -1 : r->entry),
			want);
}

static void vpnmss_fuzz_check(struct kunit *test, bool v6)
{
	u32 r = vpnmss_fuzz_seed(test, v6 ? 0xb10b0006 : 0xb10b0004);
	unsigned int it, accepted = 0, iters = max(fuzz_iters / 10, 10000U);
	struct xt_vpnmss_tginfo4 *i4;
	struct xt_vpnmss_tginfo6 *i6;
	struct nf_hook_state state = { .net = &init_net, .hook = NF_INET_FORWARD };

	i4 = kunit_kzalloc(test, sizeof(*i4), GFP_KERNEL);
	i6 = kunit_kzalloc(test, sizeof(*i6), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, i4);
	KUNIT_ASSERT_NOT_NULL(test, i6);
	state.pf = v6 ? NFPROTO_IPV6 : NFPROTO_IPV4;
	for (it = 0; it < iters; it++) {
		struct xt_vpnmss_hdr *h = v6 ? &i6->hdr : &i4->hdr;
		u8 *entries = v6 ? (u8 *)i6->entries : (u8 *)i4->entries;
		struct xt_tgchk_param cp = {
			.net = &init_net, .targinfo = v6 ? (void *)i6 : i4,
			.family = state.pf,
		};
		struct xt_tgdtor_param dp = { .targinfo = cp.targinfo };
		struct vpnmss_lpm *lpm;
		bool valid;
		int ret, j;

		vpnmss_fuzz_blob(&r, h, entries, v6, &cp.hook_mask);
		valid = vpnmss_ref_valid(h, entries, v6, cp.hook_mask);
		ret = v6 ? vpnmss_tg6_check(&cp) : vpnmss_tg4_check(&cp);
		if (ret != 0 && ret != -EINVAL && ret != -ERANGE)
			KUNIT_FAIL(test, "blob %u: error %d", it, ret);
		if (!ret != valid)
			KUNIT_FAIL(test, "blob %u: checkentry %d, reference %s; %*ph",
				   it, ret, valid ? "valid" : "invalid",
				   (int)sizeof(*h), h);
		if (ret) {
			if (test->status == KUNIT_FAILURE)
				break;
			continue;
		}
		accepted++;
		lpm = v6 ? i6->lpm : i4->lpm;
		/* Every prefix's edges and a random address behave. */
		for (j = 0; j < h->count * 2 + 1; j++) {
			size_t esize = v6 ? sizeof(struct xt_vpnmss_entry6) :
					    sizeof(struct xt_vpnmss_entry4);
			u8 a[16] = {};

			if (j < h->count * 2) {
				memcpy(a, entries + j / 2 * esize, v6 ? 16 : 4);
				if (j & 1)
					a[v6 ? 15 : 3] ^= 1;
			} else {
				a[0] = v6 ? 0xfd : 10;
				a[v6 ? 2 : 1] = vpnmss_test_rand(&r) % 9;
				a[v6 ? 15 : 3] = vpnmss_test_rand(&r);
			}
			vpnmss_fuzz_lookup(test, lpm, entries, h->count, v6, a);
		}
		/* A SYN through it changes nothing but MSS and checksum. */
		if (!v6) {
			static const u8 opt[4] = { 2, 4, 0xff, 0xff };
			struct xt_action_param par = { .targinfo = i4,
						       .state = &state };
			struct sk_buff *skb;

			skb = vpnmss_test_skb4(test, htonl(0x0a000001 |
						      (vpnmss_test_rand(&r) % 9) << 16),
					       opt, 4, TCPHDR_SYN, 0, false);
			par.thoff = ip_hdrlen(skb);
			vpnmss_tg4(skb, &par);
			KUNIT_EXPECT_TRUE(test, vpnmss_test_csum4_ok(test, skb));
			kfree_skb(skb);
		}
		if (v6)
			vpnmss_tg6_destroy(&dp);
		else
			vpnmss_tg4_destroy(&dp);
		if (test->status == KUNIT_FAILURE)
			break;
	}
	kunit_info(test, "%u blobs, %u accepted\n", iters, accepted);
	mutex_lock(&vpnmss_mutex);
	KUNIT_EXPECT_TRUE(test, list_empty(&vpnmss_pernet(&init_net)->tables));
	mutex_unlock(&vpnmss_mutex);
}

static void vpnmss_test_fuzz_check4(struct kunit *test)
{
	vpnmss_fuzz_check(test, false);
}

static void vpnmss_test_fuzz_check6(struct kunit *test)
{
	vpnmss_fuzz_check(test, true);
}

static struct kunit_case vpnmss_test_cases[] = {
	KUNIT_CASE_PARAM(vpnmss_test_opts, vpnmss_opts_gen_params),
	KUNIT_CASE_PARAM(vpnmss_test_clamp, vpnmss_clamp_gen_params),
	KUNIT_CASE(vpnmss_test_untouched),
	KUNIT_CASE_PARAM(vpnmss_test_layout, vpnmss_layout_gen_params),
	KUNIT_CASE(vpnmss_test_cloned),
	KUNIT_CASE(vpnmss_test_ipv4_not_tcp),
	KUNIT_CASE(vpnmss_test_ipv6_not_tcp),
	KUNIT_CASE(vpnmss_test_ipv6_exthdr),
	KUNIT_CASE(vpnmss_test_lpm4),
	KUNIT_CASE_PARAM(vpnmss_test_lpm6, vpnmss_lpm6_gen_params),
	KUNIT_CASE(vpnmss_test_dir),
	KUNIT_CASE_PARAM(vpnmss_test_check4, vpnmss_check_gen_params),
	KUNIT_CASE(vpnmss_test_check6),
	KUNIT_CASE(vpnmss_test_named_sets),
	KUNIT_CASE(vpnmss_test_named_count),
	KUNIT_CASE(vpnmss_test_auto_hook),
	KUNIT_CASE(vpnmss_test_fuzz_opts),
	KUNIT_CASE(vpnmss_test_fuzz_check4),
	KUNIT_CASE(vpnmss_test_fuzz_check6),
	{}
};

static struct kunit_suite vpnmss_test_suite = {
	.name = "xt_vpnmss",
	.test_cases = vpnmss_test_cases,
};

kunit_test_suite(vpnmss_test_suite);
