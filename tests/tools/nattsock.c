// SPDX-License-Identifier: GPL-2.0-only
/*
 * nattsock: hold an ESP-in-UDP (NAT-T, RFC 3948) encapsulation socket open so
 * that the kernel decapsulates UDP-encapsulated ESP for xfrm states.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/udp.h>
#include <sys/socket.h>

#include "common.h"

static const char nattsock_usage[] =
"usage: nattsock [--ready FILE] PORT\n"
"  binds UDP 0.0.0.0:PORT with UDP_ENCAP_ESPINUDP, prints nattsock: ready\n"
"  and waits until killed\n";

int main(int argc, char **argv)
{
	static const struct option lopts[] = {
		{ "ready",	required_argument, NULL, 'R' },
		{ "help",	no_argument,	   NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	const char *ready = NULL;
	struct sockaddr_in sin;
	int fd, opt, encap = UDP_ENCAP_ESPINUDP;
	unsigned int port;

	prog = "nattsock";
	usage_text = nattsock_usage;
	while ((opt = getopt_long(argc, argv, "h", lopts, NULL)) != -1) {
		switch (opt) {
		case 'R':
			ready = optarg;
			break;
		case 'h':
			usage(0);
		default:
			usage(2);
		}
	}
	if (optind != argc - 1)
		usage_err(optind < argc ? "too many arguments" : "PORT is required");
	port = (unsigned int)arg_num("PORT", argv[optind], 1, 65535);

	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		die(errno, "socket");
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons(port);
	if (bind(fd, (struct sockaddr *)&sin, sizeof(sin)) < 0)
		die(errno, "bind to 0.0.0.0:%u", port);
	if (setsockopt(fd, SOL_UDP, UDP_ENCAP, &encap, sizeof(encap)) < 0)
		die(errno, "setsockopt UDP_ENCAP_ESPINUDP");
	printf("nattsock: ready\n");
	fflush(stdout);
	if (ready)
		touch_file(ready);
	for (;;)
		pause();
}
