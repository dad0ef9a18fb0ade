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

/* ---- TCP options --------------------------------------------------------- */

#define TCP_MSS_MALFORMED	(-1)

/*
 * Walk the option bytes of a TCP header the way Linux tcp_parse_options()
 * does: stop at EOL, skip NOP, give up on an option of length < 2 or one that
 * runs past the end.  MSS options (kind 2) of length 4 are collected into
 * @mss (at most @max are stored); MSS options of other lengths are ignored.
 * Returns the number of MSS options found, or TCP_MSS_MALFORMED.
 */
int tcp_opt_mss(const uint8_t *opt, size_t len, uint16_t *mss, int max);

/* Format the result of tcp_opt_mss() as "none", "malformed" or "a,b,...". */
void fmt_mss(char *buf, size_t size, int n, const uint16_t *mss, int max);

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
