// SPDX-License-Identifier: GPL-2.0-only
/*
 * selftest: host-side checks of the pure logic shared by the tools
 * (checksums, the TCP option walk, hex and address helpers).
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <string.h>
#include <arpa/inet.h>

#include "common.h"

static int passed, failed;

#define CHECK(cond, ...) do {					\
	if (cond) {						\
		passed++;					\
	} else {						\
		failed++;					\
		printf("FAIL %s:%d: ", __FILE__, __LINE__);	\
		printf(__VA_ARGS__);				\
		putchar('\n');					\
	}							\
} while (0)

static size_t unhex(const char *s, uint8_t *out, size_t max)
{
	int n = hex_decode(s, out, max);

	if (n < 0) {
		printf("FAIL bad test vector '%s'\n", s);
		failed++;
		return 0;
	}
	return (size_t)n;
}

/* IPv4 header checksum example (RFC 1071 style, widely published). */
static void test_ip_header(void)
{
	uint8_t h[20];

	unhex("450000730000400040110000c0a80001c0a800c7", h, sizeof(h));
	CHECK(csum_fold(csum_add(0, h, sizeof(h))) == 0xb861,
	      "IPv4 header checksum %04x != b861",
	      csum_fold(csum_add(0, h, sizeof(h))));
	h[10] = 0xb8;
	h[11] = 0x61;
	CHECK(csum_fold(csum_add(0, h, sizeof(h))) == 0,
	      "IPv4 header with checksum does not verify");
}

/*
 * SYNs whose checksums were computed by the Linux kernel in software (veth
 * with tx checksum offload off): 10.99.0.1 -> 10.99.0.2 and fd00:99::1 ->
 * fd00:99::2.
 */
static void test_tcp_known(void)
{
	static const struct {
		int family;
		const char *src, *dst, *seg;
		uint16_t csum;
	} v[] = {
		{ AF_INET, "10.99.0.1", "10.99.0.2",
		  "e3d01389ddc00c7100000000a002faf010fb0000020405b40402080a9f9ba621000000000103030a",
		  0x10fb },
		{ AF_INET6, "fd00:99::1", "fd00:99::2",
		  "99f813893eeb4ae600000000a002fd20d1320000020405a00402080aaa609cd3000000000103030a",
		  0xd132 },
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(v); i++) {
		struct addr s, d;
		uint8_t seg[64];
		size_t len = unhex(v[i].seg, seg, sizeof(seg));
		uint16_t r;

		CHECK(!parse_addr(v[i].src, &s) && !parse_addr(v[i].dst, &d),
		      "parse %s %s", v[i].src, v[i].dst);
		r = tcp_csum(v[i].family, s.b, d.b, seg, len);
		CHECK(r == 0, "known packet %zu does not verify (%04x)", i, r);
		seg[16] = seg[17] = 0;
		r = tcp_csum(v[i].family, s.b, d.b, seg, len);
		CHECK(r == v[i].csum, "known packet %zu: %04x != %04x", i, r,
		      v[i].csum);
		/* a flipped bit must be detected */
		seg[16] = (uint8_t)(v[i].csum >> 8);
		seg[17] = (uint8_t)v[i].csum;
		seg[len - 1] ^= 0x10;
		CHECK(tcp_csum(v[i].family, s.b, d.b, seg, len) != 0,
		      "known packet %zu: corruption not detected", i);
	}
}

/* Odd lengths pad with a zero byte. */
static void test_odd(void)
{
	const uint8_t a[3] = { 0x12, 0x34, 0x56 };
	const uint8_t b[4] = { 0x12, 0x34, 0x56, 0x00 };

	CHECK(csum_fold(csum_add(0, a, 3)) == csum_fold(csum_add(0, b, 4)),
	      "odd length");
	CHECK(csum_fold(csum_add(0, a, 3)) == (uint16_t)~(0x1234 + 0x5600),
	      "odd length value");
}

/* Incremental source-address updates agree with full recomputation. */
static void test_replace(void)
{
	static const uint32_t addrs[] = {
		0x0a000001, 0x00000000, 0xffffffff, 0x0a00ffff, 0x0a010000,
		0x7fffffff, 0x80000000, 0xc0a80001, 0x0000ffff, 0xffff0000,
	};
	uint8_t seg[40], base[4] = { 10, 0, 0, 1 }, dst[4] = { 10, 0, 0, 2 };
	size_t i, j;

	unhex("9c40005000000001000000006002faf00000000002040578", seg,
	      sizeof(seg));
	for (i = 0; i < ARRAY_SIZE(addrs); i++) {
		uint32_t a = htonl(addrs[i]);
		uint16_t c0 = tcp_csum(AF_INET, base, dst, seg, 24);
		uint16_t inc = csum_replace(c0, base, &a, 4);
		uint16_t full = tcp_csum(AF_INET, &a, dst, seg, 24);

		CHECK(inc == full, "csum_replace %08x: %04x != %04x",
		      addrs[i], inc, full);
	}
	/* and over a run of consecutive IPv6 low words with payload data */
	for (j = 0; j < 300; j++) {
		struct addr s, d, n;
		uint8_t data[40];
		uint32_t lo;
		uint16_t c0, inc, full;

		parse_addr("2001:db8::fffe:ff00", &s);
		parse_addr("2001:db8:1::1", &d);
		memcpy(data, seg, 24);
		memset(data + 24, (int)j, sizeof(data) - 24);
		n = s;
		memcpy(&lo, s.b + 12, 4);
		lo = htonl(ntohl(lo) + (uint32_t)j * 977);
		memcpy(n.b + 12, &lo, 4);
		c0 = tcp_csum(AF_INET6, s.b, d.b, data, sizeof(data));
		inc = csum_replace(c0, s.b + 12, n.b + 12, 4);
		full = tcp_csum(AF_INET6, n.b, d.b, data, sizeof(data));
		CHECK(inc == full, "csum_replace v6 step %zu: %04x != %04x",
		      j, inc, full);
	}
}

static void test_options(void)
{
	static const struct {
		const char *name, *hex, *want, *offs;
	} v[] = {
		{ "empty",		"",				"none", "" },
		{ "plain MSS",		"020405b4",			"1460", "0" },
		{ "EOL first",		"00020405b4",			"none", "" },
		{ "NOP padding",	"0101020405b4",			"1460", "2" },
		{ "one NOP (odd)",	"01020405b4000000",		"1460", "1" },
		{ "three NOPs (odd)",	"010101020405b4",		"1460", "3" },
		{ "two MSS, both odd",	"01020405b401020405dc",		"1460,1500", "1,6" },
		{ "odd, then even",	"01020405b4010101020405dc",	"1460,1500", "1,8" },
		{ "NOPs only",		"01010101",			"none", "" },
		{ "len 0",		"0800020405b4",			"malformed", "" },
		{ "len 1",		"0801020405b4",			"malformed", "" },
		{ "MSS len 0",		"0200",				"malformed", "" },
		{ "MSS len 1",		"020105b4",			"malformed", "" },
		{ "len past header",	"080a00000000",			"malformed", "" },
		{ "MSS past header",	"0101010102040",		"-", "" },
		{ "MSS cut at end",	"01010101020405",		"malformed", "" },
		{ "kind only at end",	"020405b408",			"1460,malformed", "0" },
		{ "MSS len 3",		"0203050101",			"none", "" },
		{ "MSS len 6",		"020605b40000",			"none", "" },
		{ "MSS len 3 then MSS",	"020305020405b4",		"1460", "3" },
		{ "MSS at very end",	"01010402080a00000000000000000101020405b4",
									"1460", "16" },
		{ "two MSS",		"020405140204051401010101",	"1300,1300", "0,4" },
		{ "two MSS differ",	"020405b4020405dc",		"1460,1500", "0,4" },
		{ "MSS after EOL",	"010100020405b4",		"none", "" },
		{ "MSS, EOL, MSS",	"020405b400020405dc",		"1460", "0" },
		{ "EOL then garbage",	"020405b400ff",			"1460", "0" },
		{ "MSS then len 0",	"020405b40800",			"1460,malformed", "0" },
		{ "MSS then len 1",	"020405b408010000",		"1460,malformed", "0" },
		{ "MSS then past end",	"020405b4080a0000",		"1460,malformed", "0" },
		{ "MSS, bad, MSS",	"020405b40800020405dc",		"1460,malformed", "0" },
		{ "NOP MSS MSS bad",	"01020405b4020405dc0300",	"1460,1500,malformed", "1,5" },
		{ "MSS len 5 then MSS",	"020505b401020405dc",		"1500", "5" },
		{ "MSS inside option",	"0806020405b4",			"none", "" },
		{ "SACK-perm, TS, WS",	"020405b40402080a0000000100000000010303070000",
									"1460", "0" },
		{ "MSS value 0",	"02040000",			"0", "0" },
		{ "MSS value 65535",	"0204ffff",			"65535", "0" },
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(v); i++) {
		struct tcp_opt_mss o;
		uint8_t opt[64];
		char out[128], offs[128];
		size_t off = 0;
		int n, len, j;

		if (!strcmp(v[i].want, "-")) {
			/* an odd hex string is not a valid vector */
			CHECK(hex_decode(v[i].hex, opt, sizeof(opt)) < 0,
			      "odd hex accepted");
			continue;
		}
		len = hex_decode(v[i].hex, opt, sizeof(opt));
		CHECK(len >= 0, "%s: bad vector", v[i].name);
		n = tcp_opt_mss(opt, (size_t)len, &o);
		CHECK(n == o.n, "%s: returns %d, n %d", v[i].name, n, o.n);
		fmt_mss(out, sizeof(out), &o);
		CHECK(!strcmp(out, v[i].want), "%s (%s): got %s, want %s",
		      v[i].name, v[i].hex, out, v[i].want);
		offs[0] = '\0';
		for (j = 0; j < o.n; j++)
			off += snprintf(offs + off, sizeof(offs) - off, "%s%zu",
					j ? "," : "", o.off[j]);
		CHECK(!strcmp(offs, v[i].offs), "%s (%s): offsets %s, want %s",
		      v[i].name, v[i].hex, offs, v[i].offs);
	}
}

/*
 * The clamp model over whole segments: which bytes change, odd offsets,
 * flags and data offsets that leave a segment alone; and that an
 * incremental checksum update done right (byte-swapped at an odd offset)
 * agrees with recomputing the sum, where the aligned formula does not.
 */
static void test_clamp_model(void)
{
	static const struct {
		const char *name, *seg, *want;
		int n, odd;
	} v[] = {
		{ "even MSS",
		  "9c400050000000010000000060020000000000000204ffff",
		  "9c40005000000001000000006002000000000000020404b0", 1, 0 },
		{ "MSS after one NOP",
		  "9c40005000000001000000007002000000000000010204ffff000000",
		  "9c4000500000000100000000700200000000000001020404b0000000", 1, 1 },
		{ "MSS then len 0: clamped",
		  "9c400050000000010000000070020000000000000204ffff08000000",
		  "9c40005000000001000000007002000000000000020404b008000000", 1, 0 },
		{ "len 0 then MSS: left",
		  "9c400050000000010000000070020000000000000800020405b40000",
		  "9c400050000000010000000070020000000000000800020405b40000", 0, 0 },
		{ "below the limit: left",
		  "9c4000500000000100000000600200000000000002040400",
		  "9c4000500000000100000000600200000000000002040400", 0, 0 },
		{ "equal to the limit: left",
		  "9c40005000000001000000006002000000000000020404b0",
		  "9c40005000000001000000006002000000000000020404b0", 0, 0 },
		{ "SYN-ACK, two odd MSS",
		  "9c40005000000001000000008012000000000000010204ffff0101020405b400",
		  "9c4000500000000100000000801200000000000001020404b00101020404b000", 2, 2 },
		{ "ACK: left",
		  "9c400050000000010000000060100000000000000204ffff",
		  "9c400050000000010000000060100000000000000204ffff", 0, 0 },
		{ "SYN+RST: left",
		  "9c400050000000010000000060060000000000000204ffff",
		  "9c400050000000010000000060060000000000000204ffff", 0, 0 },
		{ "doff 4: left",
		  "9c400050000000010000000040020000000000000204ffff",
		  "9c400050000000010000000040020000000000000204ffff", 0, 0 },
		{ "doff past the segment: left",
		  "9c400050000000010000000070020000000000000204ffff",
		  "9c400050000000010000000070020000000000000204ffff", 0, 0 },
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(v); i++) {
		uint8_t seg[64], want[64];
		size_t len = unhex(v[i].seg, seg, sizeof(seg));
		int n, odd;

		unhex(v[i].want, want, sizeof(want));
		n = tcp_clamp_model(seg, len, 1200, &odd);
		CHECK(n == v[i].n && odd == v[i].odd,
		      "model %s: lowered %d (%d odd)", v[i].name, n, odd);
		CHECK(!memcmp(seg, want, len), "model %s: wrong bytes", v[i].name);
	}

	/* The checksum of a value replaced at an odd offset. */
	{
		uint8_t seg[28], src[4] = { 10, 0, 1, 2 }, dst[4] = { 10, 0, 2, 2 };
		uint8_t oldv[2], newv[2], sw_old[2], sw_new[2];
		uint16_t c0, full, aligned, swapped;

		unhex("9c40005000000001000000007002faf000000000010204b4ff000000",
		      seg, sizeof(seg));
		c0 = tcp_csum(AF_INET, src, dst, seg, sizeof(seg));
		memcpy(oldv, seg + 23, 2);
		newv[0] = 0x04;
		newv[1] = 0xb0;
		memcpy(seg + 23, newv, 2);
		full = tcp_csum(AF_INET, src, dst, seg, sizeof(seg));
		aligned = csum_replace(c0, oldv, newv, 2);
		sw_old[0] = oldv[1];
		sw_old[1] = oldv[0];
		sw_new[0] = newv[1];
		sw_new[1] = newv[0];
		swapped = csum_replace(c0, sw_old, sw_new, 2);
		CHECK(swapped == full, "odd offset: swapped update %04x != %04x",
		      swapped, full);
		CHECK(aligned != full, "odd offset: the aligned update %04x happens to be right",
		      aligned);
	}
}

static void test_flags(void)
{
	static const struct {
		uint8_t f;
		const char *want;
	} v[] = {
		{ 0x02, "S" }, { 0x12, "SA" }, { 0x06, "SR" }, { 0x00, "" },
		{ 0x11, "FA" }, { 0xff, "FSRPAUEC" }, { 0xc2, "SEC" },
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(v); i++) {
		char out[16];

		fmt_flags(out, v[i].f);
		CHECK(!strcmp(out, v[i].want), "flags %02x: %s != %s", v[i].f,
		      out, v[i].want);
	}
}

static void test_hex(void)
{
	uint8_t b[4];
	char s[9];

	CHECK(hex_decode("0x0aFf", b, sizeof(b)) == 2 && b[0] == 0x0a &&
	      b[1] == 0xff, "hex 0x prefix / case");
	CHECK(hex_decode("abc", b, sizeof(b)) < 0, "hex odd length");
	CHECK(hex_decode("zz", b, sizeof(b)) < 0, "hex bad digit");
	CHECK(hex_decode("0102030405", b, sizeof(b)) < 0, "hex overflow");
	CHECK(hex_decode("", b, sizeof(b)) == 0, "hex empty");
	hex_encode(s, "\x01\xab\x00\xff", 4);
	CHECK(!strcmp(s, "01ab00ff"), "hex encode %s", s);
}

static void test_addr(void)
{
	struct addr a;
	char buf[INET6_ADDRSTRLEN];

	CHECK(!parse_addr("10.0.0.1", &a) && a.family == AF_INET &&
	      a.b[3] == 1, "parse 10.0.0.1");
	CHECK(!parse_addr("2001:db8::1", &a) && a.family == AF_INET6 &&
	      a.b[15] == 1, "parse 2001:db8::1");
	CHECK(parse_addr("10.0.0.256", &a), "reject 10.0.0.256");
	CHECK(parse_addr("example.com", &a), "reject a name");
	CHECK(parse_addr("fe80::1%no-such-if0", &a), "reject a bad scope");
	CHECK(!parse_addr("::ffff:192.0.2.7", &a) &&
	      !strcmp(fmt_addr(AF_INET6, a.b, buf, sizeof(buf)),
		       "::ffff:192.0.2.7"),
	      "mapped address formatting");
	CHECK(!parse_addr("fd00::2", &a) &&
	      !strcmp(fmt_addr(AF_INET6, a.b, buf, sizeof(buf)), "fd00::2"),
	      "IPv6 address formatting");
}

int main(void)
{
	test_ip_header();
	test_tcp_known();
	test_odd();
	test_replace();
	test_options();
	test_clamp_model();
	test_flags();
	test_hex();
	test_addr();
	printf("%d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
