/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Shared helpers of the vpnmss test tools: Internet checksum, the TCP
 * option walk, hex dump/parse, address and number parsing.
 */
#ifndef VPNMSS_TOOLS_COMMON_H
#define VPNMSS_TOOLS_COMMON_H

#include <stddef.h>
#include <stdint.h>
#include <netinet/in.h>

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

/* ---- checksum ---------------------------------------------------------- */

/*
 * Add @len bytes at @buf as big-endian 16-bit words to @sum (an odd trailing
 * byte is padded with zero).  Chained calls must use even lengths except
 * for the last one.
 */
uint64_t csum_add(uint64_t sum, const void *buf, size_t len);

/* Fold @sum to 16 bits and complement it: the value for the checksum field. */
uint16_t csum_fold(uint64_t sum);

/*
 * TCP checksum of a @len byte segment over the IPv4 (@family AF_INET, 4-byte
 * addresses) or IPv6 (16-byte addresses) pseudo-header.  With the checksum
 * field zeroed the result is the value to store (host order); over a segment
 * that carries a correct checksum the result is 0.
 */
uint16_t tcp_csum(int family, const void *src, const void *dst,
		  const void *seg, size_t len);

/*
 * Incremental update (RFC 1624, eqn. 3) of checksum @check (host order) when
 * the @len (even) bytes @from are replaced by @to.
 */
uint16_t csum_replace(uint16_t check, const void *from, const void *to,
		      size_t len);

/*
 * The folded (not complemented) sum of the TCP pseudo-header for a @len
 * byte segment: what Linux stores in the checksum field of a
 * CHECKSUM_PARTIAL segment, for the device to complete.
 */
uint16_t tcp_pseudo_seed(int family, const void *src, const void *dst,
			 size_t len);

/*
 * Complete the checksum of CHECKSUM_PARTIAL segment @seg (@len bytes, the
 * seed in its checksum field) the way a device or skb_checksum_help() does:
 * the returned value (host order) is the folded complement of the sum of
 * all @len bytes from the start of the TCP header.
 */
uint16_t tcp_csum_complete(const void *seg, size_t len);

/* ---- TCP options --------------------------------------------------------- */

#define TCP_OPT_MSS_MAX	20	/* 40 option bytes hold at most 10 MSS options */

/* What the receiver reads from an option list, as far as MSS goes. */
struct tcp_opt_mss {
	int n;			/* MSS options parsed before the stop point */
	uint16_t mss[TCP_OPT_MSS_MAX];	/* their values, in order */
	size_t off[TCP_OPT_MSS_MAX];	/* offset of each one's kind byte */
	int malformed;		/* the walk stopped at a malformed option */
	size_t stop;		/* offset where the walk stopped (len if at the end) */
};

/*
 * Walk the option bytes of a TCP header the way Linux tcp_parse_options()
 * does: stop at EOL (kind 0); skip NOP (kind 1); stop when fewer than 2
 * bytes remain for a kind, at a length below 2, or at a length that runs
 * past the end.  The last three stops are "malformed"; EOL and the end of
 * the list are not.  Every MSS option (kind 2) of length exactly 4 parsed
 * before the stop point is recorded in @o (the first TCP_OPT_MSS_MAX values
 * and offsets; @o->n counts them all), as the receiver keeps each one it
 * parsed; MSS options of other lengths are skipped like any other option,
 * and nothing after the stop point counts.  Returns @o->n.
 */
int tcp_opt_mss(const uint8_t *opt, size_t len, struct tcp_opt_mss *o);

/*
 * Format the result of tcp_opt_mss(): the values "a,b,..." or "none", then
 * ",malformed" when the walk stopped at a malformed option; "malformed"
 * alone when it did so before any MSS option.
 */
void fmt_mss(char *buf, size_t size, const struct tcp_opt_mss *o);

/*
 * The model of the clamp, applied to TCP segment @seg (@len bytes): if it
 * is a SYN without RST whose header (data offset 5 or more) fits in @len,
 * lower every MSS option tcp_opt_mss() finds to @limit where it is above
 * it.  Touches nothing else, the checksum field included.  Returns the
 * number of values lowered; *@odd (if not NULL) gets how many of them sit
 * at an odd offset from the start of the TCP header.
 */
int tcp_clamp_model(uint8_t *seg, size_t len, uint16_t limit, int *odd);

/* Format TCP flag byte @f (plus ECE/CWR) as letters in order FSRPAUEC. */
void fmt_flags(char *buf, uint8_t f);

/* ---- hex ----------------------------------------------------------------- */

/* Write 2 * @len lowercase hex digits plus a NUL to @out. */
void hex_encode(char *out, const void *buf, size_t len);

/*
 * Parse a string of hex digit pairs (optionally "0x"-prefixed) into @out.
 * Returns the byte count, or -1 on a bad digit, odd length or overflow.
 */
int hex_decode(const char *s, uint8_t *out, size_t max);

/* ---- addresses ----------------------------------------------------------- */

struct addr {
	int family;		/* AF_INET or AF_INET6 */
	union {
		struct in_addr v4;
		struct in6_addr v6;
		uint8_t b[16];
	};
	unsigned int scope;	/* IPv6 "%iface" suffix, else 0 */
};

/* Parse a numeric IPv4 or IPv6 address (IPv6 may carry "%iface"). */
int parse_addr(const char *s, struct addr *a);

/* inet_ntop() into @buf; "?" on failure. */
const char *fmt_addr(int family, const void *a, char *buf, size_t size);

/* ---- command line -------------------------------------------------------- */

/* Set by each tool before parsing its arguments. */
extern const char *prog;
extern const char *usage_text;

/* Print "prog: message", then the usage text, and exit 2. */
void __attribute__((noreturn, format(printf, 1, 2))) usage_err(const char *fmt, ...);

/* Print the usage text and exit with @code. */
void __attribute__((noreturn)) usage(int code);

/* Print "prog: message" (plus ": strerror(errno)" if @err) and exit 1. */
void __attribute__((noreturn, format(printf, 2, 3))) die(int err, const char *fmt, ...);

/*
 * Parse an unsigned decimal (or 0x-hex) number in [min, max] for option
 * @opt; a bad value is reported with usage_err().
 */
unsigned long long arg_num(const char *opt, const char *s,
			   unsigned long long min, unsigned long long max);

/* Create (or truncate) @path; dies on error. */
void touch_file(const char *path);

/* CLOCK_MONOTONIC in milliseconds. */
int64_t now_ms(void);

#endif
