// SPDX-License-Identifier: GPL-2.0-only
/*
 * Shared helpers of the vpnmss test tools.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <net/if.h>

#include "common.h"

const char *prog = "tool";
const char *usage_text = "";

/* ---- checksum ---------------------------------------------------------- */

uint64_t csum_add(uint64_t sum, const void *buf, size_t len)
{
	const uint8_t *p = buf;

	while (len > 1) {
		sum += (uint32_t)p[0] << 8 | p[1];
		p += 2;
		len -= 2;
	}
	if (len)
		sum += (uint32_t)p[0] << 8;
	return sum;
}

uint16_t csum_fold(uint64_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

/* The folded complement of the pseudo-header sum alone. */
static uint16_t tcp_csum_sum(int family, const void *src, const void *dst,
			     size_t len)
{
	size_t alen = family == AF_INET ? 4 : 16;
	uint64_t sum = 0;

	sum = csum_add(sum, src, alen);
	sum = csum_add(sum, dst, alen);
	/* IPv4: zero, proto, 16-bit length; IPv6: 32-bit length, 0, 0, 0, nh */
	sum += IPPROTO_TCP;
	sum += len & 0xffff;
	sum += (uint64_t)len >> 16;
	return csum_fold(sum);
}

uint16_t tcp_csum(int family, const void *src, const void *dst,
		  const void *seg, size_t len)
{
	uint64_t sum = (uint16_t)~tcp_csum_sum(family, src, dst, len);

	sum = csum_add(sum, seg, len);
	return csum_fold(sum);
}

uint16_t csum_replace(uint16_t check, const void *from, const void *to,
		      size_t len)
{
	const uint8_t *f = from;
	uint64_t sum = (uint16_t)~check;
	size_t i;

	for (i = 0; i + 1 < len; i += 2)
		sum += (uint16_t)~((uint32_t)f[i] << 8 | f[i + 1]);
	sum = csum_add(sum, to, len);
	return csum_fold(sum);
}

uint16_t tcp_pseudo_seed(int family, const void *src, const void *dst,
			 size_t len)
{
	return (uint16_t)~tcp_csum_sum(family, src, dst, len);
}

uint16_t tcp_csum_complete(const void *seg, size_t len)
{
	return csum_fold(csum_add(0, seg, len));
}

/* ---- TCP options --------------------------------------------------------- */

int tcp_opt_mss(const uint8_t *opt, size_t len, struct tcp_opt_mss *o)
{
	size_t i = 0;

	memset(o, 0, sizeof(*o));
	while (i < len) {
		uint8_t kind = opt[i], olen;

		if (kind == 0)		/* EOL */
			break;
		if (kind == 1) {	/* NOP */
			i++;
			continue;
		}
		if (len - i < 2)
			goto malformed;
		olen = opt[i + 1];
		if (olen < 2 || olen > len - i)
			goto malformed;
		if (kind == 2 && olen == 4) {
			if (o->n < TCP_OPT_MSS_MAX) {
				o->mss[o->n] = (uint16_t)(opt[i + 2] << 8 | opt[i + 3]);
				o->off[o->n] = i;
			}
			o->n++;
		}
		i += olen;
	}
	o->stop = i;
	return o->n;
malformed:
	o->malformed = 1;
	o->stop = i;
	return o->n;
}

void fmt_mss(char *buf, size_t size, const struct tcp_opt_mss *o)
{
	size_t off = 0;
	int i;

	buf[0] = '\0';
	if (o->n == 0) {
		snprintf(buf, size, "%s", o->malformed ? "malformed" : "none");
		return;
	}
	for (i = 0; i < o->n && i < TCP_OPT_MSS_MAX && off < size; i++)
		off += snprintf(buf + off, size - off, "%s%u", i ? "," : "",
				o->mss[i]);
	if (o->malformed && off < size)
		snprintf(buf + off, size - off, ",malformed");
}

int tcp_clamp_model(uint8_t *seg, size_t len, uint16_t limit, int *odd)
{
	struct tcp_opt_mss o;
	size_t hl;
	int i, n = 0;

	if (odd)
		*odd = 0;
	if (len < 20 || !(seg[13] & 0x02) || (seg[13] & 0x04))
		return 0;
	hl = (size_t)(seg[12] >> 4) * 4;
	if (hl < 20 || hl > len)
		return 0;
	tcp_opt_mss(seg + 20, hl - 20, &o);
	for (i = 0; i < o.n && i < TCP_OPT_MSS_MAX; i++) {
		uint8_t *p = seg + 20 + o.off[i] + 2;

		if (o.mss[i] <= limit)
			continue;
		p[0] = (uint8_t)(limit >> 8);
		p[1] = (uint8_t)limit;
		n++;
		if (odd && ((20 + o.off[i] + 2) & 1))
			(*odd)++;
	}
	return n;
}

void fmt_flags(char *buf, uint8_t f)
{
	static const struct {
		uint8_t bit;
		char c;
	} order[] = {
		{ 0x01, 'F' }, { 0x02, 'S' }, { 0x04, 'R' }, { 0x08, 'P' },
		{ 0x10, 'A' }, { 0x20, 'U' }, { 0x40, 'E' }, { 0x80, 'C' },
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(order); i++)
		if (f & order[i].bit)
			*buf++ = order[i].c;
	*buf = '\0';
}

/* ---- hex ----------------------------------------------------------------- */

void hex_encode(char *out, const void *buf, size_t len)
{
	static const char digits[] = "0123456789abcdef";
	const uint8_t *p = buf;
	size_t i;

	for (i = 0; i < len; i++) {
		*out++ = digits[p[i] >> 4];
		*out++ = digits[p[i] & 15];
	}
	*out = '\0';
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int hex_decode(const char *s, uint8_t *out, size_t max)
{
	size_t n = 0;

	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		s += 2;
	while (*s) {
		int hi = hexval(s[0]), lo;

		if (hi < 0 || !s[1])
			return -1;
		lo = hexval(s[1]);
		if (lo < 0 || n >= max)
			return -1;
		out[n++] = (uint8_t)(hi << 4 | lo);
		s += 2;
	}
	return (int)n;
}

/* ---- addresses ----------------------------------------------------------- */

int parse_addr(const char *s, struct addr *a)
{
	char tmp[INET6_ADDRSTRLEN + IF_NAMESIZE + 1];
	char *pct;

	memset(a, 0, sizeof(*a));
	if (inet_pton(AF_INET, s, &a->v4) == 1) {
		a->family = AF_INET;
		return 0;
	}
	if (strlen(s) >= sizeof(tmp))
		return -1;
	strcpy(tmp, s);
	pct = strchr(tmp, '%');
	if (pct) {
		*pct++ = '\0';
		a->scope = if_nametoindex(pct);
		if (!a->scope)
			return -1;
	}
	if (inet_pton(AF_INET6, tmp, &a->v6) != 1)
		return -1;
	a->family = AF_INET6;
	return 0;
}

const char *fmt_addr(int family, const void *a, char *buf, size_t size)
{
	if (!inet_ntop(family, a, buf, (socklen_t)size))
		snprintf(buf, size, "?");
	return buf;
}

/* ---- command line -------------------------------------------------------- */

void usage(int code)
{
	fputs(usage_text, code ? stderr : stdout);
	exit(code);
}

void usage_err(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	usage(2);
}

void die(int err, const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	fprintf(stderr, "%s: ", prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	if (err)
		fprintf(stderr, ": %s", strerror(err));
	fputc('\n', stderr);
	exit(1);
}

unsigned long long arg_num(const char *opt, const char *s,
			   unsigned long long min, unsigned long long max)
{
	unsigned long long v;
	char *end;
	int base = 10;

	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		base = 16;
	errno = 0;
	v = strtoull(s, &end, base);
	if (s[0] < '0' || s[0] > '9' || *end || errno || v < min || v > max)
		usage_err("bad %s value '%s' (expected %llu..%llu)",
			  opt, s, min, max);
	return v;
}

void touch_file(const char *path)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);

	if (fd < 0)
		die(errno, "cannot create ready file '%s'", path);
	close(fd);
}

int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}
