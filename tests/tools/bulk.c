// SPDX-License-Identifier: GPL-2.0-only
/*
 * bulk: a one-connection bulk TCP transfer with a verifiable byte pattern
 * and timeouts, to see whether full-sized segments get through a path.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/tcp.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <linux/sockios.h>

#include "common.h"

#define CHUNK		(64 * 1024)

static const char bulk_usage[] =
"usage: bulk server [-l ADDR] -p PORT -b BYTES [-t SECONDS] [--mss N]\n"
"                   [--ready FILE]\n"
"       bulk client -c ADDR -p PORT -b BYTES [-t TOTAL_SECONDS]\n"
"                   [-i IDLE_SECONDS] [--mss N] [--info]\n"
"  BYTES may end in k, m or g (powers of 1024); byte i = (i * 7 + 13) & 0xff\n"
"  server: -l defaults to :: (dual stack) or 0.0.0.0; -t (default 30) bounds\n"
"          the wait for the connection, each send and the final close;\n"
"          exits 0 once the client acknowledged all data and closed\n"
"  client: -t bounds connect and the whole transfer (default 60), -i the\n"
"          time without data (default 5); --mss sets TCP_MAXSEG before\n"
"          connect; --info prints client: snd_mss=N after connect\n";

static uint8_t pat[CHUNK + 256];

static void init_pattern(void)
{
	size_t i;

	for (i = 0; i < sizeof(pat); i++)
		pat[i] = (uint8_t)(i * 7 + 13);
}

static unsigned long long parse_bytes(const char *s)
{
	unsigned long long v, mult = 1;
	char *end;

	errno = 0;
	v = strtoull(s, &end, 10);
	if (*end == 'k' || *end == 'K')
		mult = 1ULL << 10;
	else if (*end == 'm' || *end == 'M')
		mult = 1ULL << 20;
	else if (*end == 'g' || *end == 'G')
		mult = 1ULL << 30;
	if (mult > 1)
		end++;
	if (s[0] < '0' || s[0] > '9' || *end || errno || v > (~0ULL >> 1) / mult)
		usage_err("bad -b value '%s' (expected a byte count, e.g. 4m)", s);
	return v * mult;
}

static socklen_t make_sockaddr(const struct addr *a, unsigned int port,
			       struct sockaddr_storage *ss)
{
	memset(ss, 0, sizeof(*ss));
	if (a->family == AF_INET) {
		struct sockaddr_in *sin = (struct sockaddr_in *)ss;

		sin->sin_family = AF_INET;
		sin->sin_port = htons(port);
		sin->sin_addr = a->v4;
		return sizeof(*sin);
	} else {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;

		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons(port);
		sin6->sin6_addr = a->v6;
		sin6->sin6_scope_id = a->scope;
		return sizeof(*sin6);
	}
}

static unsigned int snd_mss(int fd)
{
	struct tcp_info ti;
	socklen_t len = sizeof(ti);

	memset(&ti, 0, sizeof(ti));
	if (getsockopt(fd, IPPROTO_TCP, TCP_INFO, &ti, &len) < 0)
		return 0;
	return ti.tcpi_snd_mss;
}

/* The peer's address; IPv4-mapped IPv6 addresses are shown as IPv4. */
static const char *peer_addr(const struct sockaddr_storage *ss, char *buf,
			     size_t size)
{
	static const uint8_t mapped[12] = {
		0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff
	};
	const struct sockaddr_in6 *sin6 = (const struct sockaddr_in6 *)ss;
	const struct sockaddr_in *sin = (const struct sockaddr_in *)ss;
	const uint8_t *a = sin6->sin6_addr.s6_addr;

	if (ss->ss_family == AF_INET)
		return fmt_addr(AF_INET, &sin->sin_addr, buf, size);
	if (!memcmp(a, mapped, sizeof(mapped)))
		return fmt_addr(AF_INET, a + 12, buf, size);
	return fmt_addr(AF_INET6, a, buf, size);
}

static void set_mss(int fd, int mss, const char *who)
{
	if (mss && setsockopt(fd, IPPROTO_TCP, TCP_MAXSEG, &mss, sizeof(mss)) < 0) {
		printf("%s: setsockopt TCP_MAXSEG %d failed: %s\n", who, mss,
		       strerror(errno));
		exit(1);
	}
}

/* Print one result line and return @rc. */
static int say(int rc, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int say(int rc, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
	return rc;
}

static int server(const char *laddr, unsigned int port,
		  unsigned long long bytes, int tmo, int mss, const char *ready)
{
	struct sockaddr_storage ss, peer;
	socklen_t sslen, plen = sizeof(peer);
	unsigned long long sent = 0;
	char pa[INET6_ADDRSTRLEN];
	struct pollfd pfd;
	struct addr a;
	int fd, cfd, one = 1, zero = 0, outq = 0;
	int64_t deadline;

	if (laddr) {
		if (parse_addr(laddr, &a))
			usage_err("bad -l value '%s' (expected an IPv4 or IPv6 address)",
				  laddr);
		fd = socket(a.family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	} else {
		parse_addr("::", &a);
		fd = socket(AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (fd >= 0) {
			setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &zero,
				   sizeof(zero));
		} else {
			parse_addr("0.0.0.0", &a);
			fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
		}
	}
	if (fd < 0)
		return say(1, "server: socket: %s", strerror(errno));
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	set_mss(fd, mss, "server");
	sslen = make_sockaddr(&a, port, &ss);
	if (bind(fd, (struct sockaddr *)&ss, sslen) < 0)
		return say(1, "server: bind to %s port %u: %s",
			   laddr ? laddr : "any", port, strerror(errno));
	if (listen(fd, 1) < 0)
		return say(1, "server: listen: %s", strerror(errno));
	if (ready)
		touch_file(ready);

	pfd = (struct pollfd){ fd, POLLIN, 0 };
	if (poll(&pfd, 1, tmo * 1000) <= 0)
		return say(1, "server: no connection within %d s", tmo);
	cfd = accept4(fd, (struct sockaddr *)&peer, &plen, SOCK_NONBLOCK);
	if (cfd < 0)
		return say(1, "server: accept: %s", strerror(errno));
	close(fd);

	printf("server: snd_mss=%u\n", snd_mss(cfd));
	printf("server: peer=%s\n", peer_addr(&peer, pa, sizeof(pa)));
	fflush(stdout);

	while (sent < bytes) {
		size_t n = bytes - sent < CHUNK ? bytes - sent : CHUNK;
		ssize_t r = send(cfd, pat + (sent & 0xff), n, MSG_NOSIGNAL);

		if (r > 0) {
			sent += r;
			continue;
		}
		if (r < 0 && errno != EAGAIN && errno != EINTR)
			return say(1, "server: send failed after %llu bytes: %s",
				   sent, strerror(errno));
		pfd = (struct pollfd){ cfd, POLLOUT, 0 };
		if (poll(&pfd, 1, tmo * 1000) == 0)
			return say(1, "server: send stalled after %llu bytes", sent);
	}
	shutdown(cfd, SHUT_WR);

	/* the client closes once it has everything */
	deadline = now_ms() + tmo * 1000LL;
	for (;;) {
		static uint8_t sink[4096];
		int64_t left = deadline - now_ms();
		ssize_t r;

		pfd = (struct pollfd){ cfd, POLLIN, 0 };
		if (left <= 0 || poll(&pfd, 1, (int)left) == 0) {
			ioctl(cfd, SIOCOUTQ, &outq);
			return say(1, "server: stalled: peer did not close within %d s, %d bytes unacknowledged",
				   tmo, outq);
		}
		r = recv(cfd, sink, sizeof(sink), 0);
		if (r == 0)
			break;
		if (r < 0 && errno != EAGAIN && errno != EINTR)
			return say(1, "server: connection failed after sending %llu bytes: %s",
				   sent, strerror(errno));
	}
	/* the FIN itself counts as one byte of the send queue */
	ioctl(cfd, SIOCOUTQ, &outq);
	if (outq > 1)
		return say(1, "server: peer closed with %d bytes unacknowledged",
			   outq);
	close(cfd);
	printf("server: done sent=%llu\n", sent);
	return 0;
}

static int client(const char *caddr, unsigned int port,
		  unsigned long long bytes, int total, int idle, int mss,
		  int info)
{
	static uint8_t buf[CHUNK];
	struct sockaddr_storage ss;
	unsigned long long got = 0;
	struct pollfd pfd;
	struct addr a;
	int64_t deadline = now_ms() + total * 1000LL;
	socklen_t sslen, elen;
	int fd, err = 0;

	if (parse_addr(caddr, &a))
		usage_err("bad -c value '%s' (expected an IPv4 or IPv6 address)",
			  caddr);
	fd = socket(a.family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return say(1, "client: connect failed: socket: %s", strerror(errno));
	set_mss(fd, mss, "client");
	sslen = make_sockaddr(&a, port, &ss);
	if (connect(fd, (struct sockaddr *)&ss, sslen) < 0) {
		if (errno != EINPROGRESS)
			return say(1, "client: connect failed: %s", strerror(errno));
		pfd = (struct pollfd){ fd, POLLOUT, 0 };
		if (poll(&pfd, 1, total * 1000) == 0)
			return say(1, "client: connect failed: timed out after %d s",
				   total);
		elen = sizeof(err);
		getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &elen);
		if (err)
			return say(1, "client: connect failed: %s", strerror(err));
	}
	if (info) {
		printf("client: snd_mss=%u\n", snd_mss(fd));
		fflush(stdout);
	}

	for (;;) {
		int64_t left = deadline - now_ms();
		int wait = left < idle * 1000LL ? (int)left : idle * 1000;
		size_t chk;
		ssize_t r;

		if (left <= 0)
			return say(1, "client: stalled received=%llu", got);
		pfd = (struct pollfd){ fd, POLLIN, 0 };
		r = poll(&pfd, 1, wait);
		if (r == 0)
			return say(1, "client: stalled received=%llu", got);
		if (r < 0)
			continue;
		r = recv(fd, buf, sizeof(buf), 0);
		if (r < 0 && (errno == EAGAIN || errno == EINTR))
			continue;
		if (r <= 0)
			break;
		chk = got + r > bytes ? bytes - got : (size_t)r;
		if (memcmp(buf, pat + (got & 0xff), chk)) {
			size_t i = 0;

			while (buf[i] == pat[(got + i) & 0xff])
				i++;
			return say(1, "client: corrupt at offset %llu", got + i);
		}
		if (chk < (size_t)r)
			return say(1, "client: corrupt at offset %llu", bytes);
		got += r;
	}
	close(fd);
	if (got != bytes)
		return say(1, "client: short received=%llu", got);
	return say(0, "client: ok received=%llu", got);
}

int main(int argc, char **argv)
{
	static const struct option lopts[] = {
		{ "ready",	required_argument, NULL, 'R' },
		{ "mss",	required_argument, NULL, 'M' },
		{ "info",	no_argument,	   NULL, 'I' },
		{ "help",	no_argument,	   NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	const char *mode, *laddr = NULL, *caddr = NULL, *ready = NULL;
	unsigned long long bytes = 0;
	int port = -1, tmo = -1, idle = 5, mss = 0, info = 0, have_b = 0;
	int is_server, opt;

	prog = "bulk";
	usage_text = bulk_usage;
	if (argc < 2)
		usage_err("missing mode (server or client)");
	mode = argv[1];
	if (!strcmp(mode, "-h") || !strcmp(mode, "--help"))
		usage(0);
	if (strcmp(mode, "server") && strcmp(mode, "client"))
		usage_err("bad mode '%s' (expected server or client)", mode);
	is_server = mode[0] == 's';
	argv++;
	argc--;

	while ((opt = getopt_long(argc, argv, "l:c:p:b:t:i:h", lopts, NULL)) != -1) {
		switch (opt) {
		case 'l':
			if (!is_server)
				usage_err("-l is a server option");
			laddr = optarg;
			break;
		case 'c':
			if (is_server)
				usage_err("-c is a client option");
			caddr = optarg;
			break;
		case 'p':
			port = (int)arg_num("-p", optarg, 1, 65535);
			break;
		case 'b':
			bytes = parse_bytes(optarg);
			have_b = 1;
			break;
		case 't':
			tmo = (int)arg_num("-t", optarg, 1, 86400);
			break;
		case 'i':
			if (is_server)
				usage_err("-i is a client option");
			idle = (int)arg_num("-i", optarg, 1, 86400);
			break;
		case 'M':
			mss = (int)arg_num("--mss", optarg, 1, 65535);
			break;
		case 'R':
			if (!is_server)
				usage_err("--ready is a server option");
			ready = optarg;
			break;
		case 'I':
			if (is_server)
				usage_err("--info is a client option");
			info = 1;
			break;
		case 'h':
			usage(0);
		default:
			usage(2);
		}
	}
	if (optind < argc)
		usage_err("unexpected argument '%s'", argv[optind]);
	if (port < 0)
		usage_err("-p PORT is required");
	if (!have_b)
		usage_err("-b BYTES is required");
	init_pattern();
	if (is_server)
		return server(laddr, port, bytes, tmo < 0 ? 30 : tmo, mss, ready);
	if (!caddr)
		usage_err("-c ADDR is required");
	return client(caddr, port, bytes, tmo < 0 ? 60 : tmo, idle, mss, info);
}
