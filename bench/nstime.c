// SPDX-License-Identifier: GPL-2.0-only
/*
 * bench-nstime CMD [ARG...]: runs CMD and prints "ns=N" on stderr, the
 * CLOCK_MONOTONIC nanoseconds from just before the fork to just after the
 * child was reaped, then exits with CMD's status.  Under QEMU -icount
 * shift=0 the guest's clock advances one nanosecond per instruction, so N
 * is the instructions the guest executed meanwhile (synsend itself only
 * reports milliseconds).
 */
#include <stdio.h>
#include <time.h>
#include <unistd.h>
#include <sys/wait.h>

static unsigned long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (unsigned long long)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

int main(int argc, char **argv)
{
	unsigned long long t0, t1;
	int status;
	pid_t pid;

	if (argc < 2) {
		fprintf(stderr, "usage: bench-nstime CMD [ARG...]\n");
		return 2;
	}
	t0 = now_ns();
	pid = fork();
	if (pid < 0) {
		perror("bench-nstime: fork");
		return 2;
	}
	if (pid == 0) {
		execvp(argv[1], argv + 1);
		perror("bench-nstime: exec");
		_exit(127);
	}
	if (waitpid(pid, &status, 0) < 0) {
		perror("bench-nstime: waitpid");
		return 2;
	}
	t1 = now_ns();
	fprintf(stderr, "ns=%llu\n", t1 - t0);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
}
