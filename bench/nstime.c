// SPDX-License-Identifier: GPL-2.0-only
/*
 * bench-nstime [--drain N] CMD [ARG...]: runs CMD and prints "ns=T" on
 * stderr, the CLOCK_MONOTONIC nanoseconds from just before the fork to
 * just after the child was reaped, then exits with CMD's status.  Under
 * QEMU -icount shift=0 the guest's clock advances one nanosecond per
 * instruction, so T is the instructions the guest executed meanwhile
 * (synsend itself only reports milliseconds).
 *
 * --drain N: the packets CMD sent may still wait in a CPU's backlog when
 * it exits (ksoftirqd took the softirq work over), and their forwarding
 * belongs in T.  So T ends only once the kernel has received N more packets
 * than before the fork (the "processed" column of /proc/net/softnet_stat,
 * summed over the CPUs), yielding the CPU to that work meanwhile, for at
 * most a second.  It also prints "drain_short=K", the packets still
 * missing then (0: all of them were received within T).
 */
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/wait.h>

static unsigned long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (unsigned long long)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

/* Packets received so far, all CPUs: the first column of softnet_stat. */
static unsigned long long processed(void)
{
	unsigned long long sum = 0;
	char line[512];
	FILE *f = fopen("/proc/net/softnet_stat", "r");

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		sum += strtoull(line, NULL, 16);
	fclose(f);
	return sum;
}

int main(int argc, char **argv)
{
	unsigned long long t0, t1, tw, p0 = 0, drain = 0, got = 0;
	int status, arg = 1;
	pid_t pid;

	if (argc > 2 && !strcmp(argv[1], "--drain")) {
		char *end;

		drain = strtoull(argv[2], &end, 10);
		if (*argv[2] == '\0' || *end != '\0') {
			fprintf(stderr, "bench-nstime: --drain '%s' is not a number\n", argv[2]);
			return 2;
		}
		arg = 3;
	}
	if (argc <= arg) {
		fprintf(stderr, "usage: bench-nstime [--drain N] CMD [ARG...]\n");
		return 2;
	}
	if (drain)
		p0 = processed();
	t0 = now_ns();
	pid = fork();
	if (pid < 0) {
		perror("bench-nstime: fork");
		return 2;
	}
	if (pid == 0) {
		execvp(argv[arg], argv + arg);
		perror("bench-nstime: exec");
		_exit(127);
	}
	if (waitpid(pid, &status, 0) < 0) {
		perror("bench-nstime: waitpid");
		return 2;
	}
	t1 = now_ns();
	if (drain) {
		tw = t1;
		for (;;) {
			got = processed() - p0;
			t1 = now_ns();
			if (got >= drain || t1 - tw > 1000000000ULL)
				break;
			sched_yield();
		}
		fprintf(stderr, "drain_short=%llu\n", got >= drain ? 0 : drain - got);
	}
	fprintf(stderr, "ns=%llu\n", t1 - t0);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
}
