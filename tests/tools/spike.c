// SPDX-License-Identifier: MIT
/*
 * A workload with one run-queue spike at a known moment, for the flight
 * recorder's trigger test: "victim" sleeps 1 ms at a time on CPU @cpu; at
 * @at seconds "hog" takes that CPU at SCHED_FIFO for @ms, so the victim's
 * next wakeup waits that long for it. Prints its own clock's view
 * (CLOCK_MONOTONIC, the trace clock): victim.tid=, spike_start_ns=,
 * spike_end_ns=.
 *
 * Usage: spike SECONDS AT MS CPU
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static double total, at, ms;
static int cpu;
static volatile int done;

static unsigned long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (unsigned long long)ts.tv_sec * 1000000000ull + (unsigned long long)ts.tv_nsec;
}

static void pin(void)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	sched_setaffinity(0, sizeof(set), &set);
}

static void *victim(void *arg)
{
	struct timespec ms1 = { 0, 1000000 };

	(void)arg;
	prctl(PR_SET_NAME, "victim");
	pin();
	printf("victim.tid=%ld\n", (long)syscall(SYS_gettid));
	fflush(stdout);
	while (!done)
		nanosleep(&ms1, NULL);
	return NULL;
}

static void *hog(void *arg)
{
	unsigned long long t0 = *(unsigned long long *)arg;
	struct sched_param rt = { .sched_priority = 50 }, normal = { 0 };
	struct timespec until = { (time_t)((t0 + (unsigned long long)(at * 1e9)) / 1000000000ull),
				  (long)((t0 + (unsigned long long)(at * 1e9)) % 1000000000ull) };

	prctl(PR_SET_NAME, "hog");
	pin();
	clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &until, NULL);
	if (pthread_setschedparam(pthread_self(), SCHED_FIFO, &rt)) {
		fprintf(stderr, "spike: cannot take SCHED_FIFO\n");
		exit(1);
	}
	unsigned long long s = now_ns(), e = s + (unsigned long long)(ms * 1e6);
	while (now_ns() < e)
		;
	pthread_setschedparam(pthread_self(), SCHED_OTHER, &normal);
	printf("spike_start_ns=%llu\nspike_end_ns=%llu\n", s, now_ns());
	fflush(stdout);
	return NULL;
}

int main(int argc, char **argv)
{
	pthread_t v, h;
	unsigned long long t0 = now_ns();

	if (argc != 5) {
		fprintf(stderr, "usage: spike SECONDS AT MS CPU\n");
		return 2;
	}
	total = atof(argv[1]);
	at = atof(argv[2]);
	ms = atof(argv[3]);
	cpu = atoi(argv[4]);
	pthread_create(&v, NULL, victim, NULL);
	pthread_create(&h, NULL, hog, &t0);
	struct timespec end = { (time_t)((t0 + (unsigned long long)(total * 1e9)) / 1000000000ull),
				(long)((t0 + (unsigned long long)(total * 1e9)) % 1000000000ull) };
	clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &end, NULL);
	done = 1;
	pthread_join(v, NULL);
	pthread_join(h, NULL);
	return 0;
}
