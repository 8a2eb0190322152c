// SPDX-License-Identifier: MIT
/*
 * Workloads with known scheduling behaviour, for demos and end-to-end tests.
 * Each names its threads and prints what it measured itself as key=value
 * lines, so a test can hold the analyzer's numbers against the truth.
 *
 *   workload sleeper   one thread sleeping 50 x 20 ms in nanosleep
 *   workload pingpong  threads "ping" and "pong" bouncing a byte over pipes
 *   workload hogs      threads "hog1" and "hog2" spinning on CPU 0 for 1 s
 *   workload blockio   thread "blockio" writing and fdatasync'ing a file (D state)
 *   workload relay     "relayA" wakes "relayB" wakes "relayC", 50 times
 *   workload threads   2000 threads created and joined at once (forks, exits)
 *   workload all       hogs, then all the others at once (not threads)
 *
 * Built with frame pointers so user stacks unwind.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static pid_t gettid_(void)
{
	return (pid_t)syscall(SYS_gettid);
}

static void report(const char *who, const char *key, unsigned long long v)
{
	printf("%s.%s=%llu\n", who, key, v);
	fflush(stdout);
}

/*
 * What the kernel itself counted for the calling thread, at the end of its
 * work: the truth an analysis of the trace is held against (k_ prefix).
 */
static void kernel_report(const char *who)
{
	unsigned long long run = 0, wait = 0, slices = 0, vol = 0, invol = 0, v, rus = 0, cputime = 0;
	char line[256];
	struct rusage ru;
	FILE *st = fopen("/proc/thread-self/status", "r"), *ss;

	/* Everything opened and read before the counters, then one write. */
	ss = fopen("/proc/thread-self/schedstat", "r");
	while (st && fgets(line, sizeof(line), st)) {
		if (sscanf(line, "voluntary_ctxt_switches: %llu", &v) == 1)
			vol = v;
		else if (sscanf(line, "nonvoluntary_ctxt_switches: %llu", &v) == 1)
			invol = v;
	}
	if (ss && fscanf(ss, "%llu %llu %llu", &run, &wait, &slices) != 3)
		run = wait = slices = 0;
	/*
	 * schedstat's runtime (and getrusage's) stops at the last tick or switch;
	 * the thread CPU clock brings the slice in progress up to date.
	 */
	struct timespec cpu;
	if (clock_gettime(CLOCK_THREAD_CPUTIME_ID, &cpu) == 0)
		cputime = (unsigned long long)cpu.tv_sec * 1000000000ull + (unsigned long long)cpu.tv_nsec;
	if (getrusage(RUSAGE_THREAD, &ru) == 0)
		rus = ((unsigned long long)ru.ru_utime.tv_sec + (unsigned long long)ru.ru_stime.tv_sec) *
			      1000000000ull +
		      ((unsigned long long)ru.ru_utime.tv_usec + (unsigned long long)ru.ru_stime.tv_usec) *
			      1000ull;
	/* When it was read (the trace's clock), so a test can end its window there. */
	uint64_t ts = now_ns();
	printf("%s.k_run_ns=%llu\n%s.k_wait_ns=%llu\n%s.k_timeslices=%llu\n%s.k_voluntary=%llu\n"
	       "%s.k_involuntary=%llu\n%s.k_rusage_ns=%llu\n%s.k_cputime_ns=%llu\n%s.k_ts_ns=%llu\n",
	       who, run, who, wait, who, slices, who, vol, who, invol, who, rus, who, cputime, who,
	       (unsigned long long)ts);
	fflush(stdout);
	if (st)
		fclose(st);
	if (ss)
		fclose(ss);
}

/* --- sleeper ---------------------------------------------------------------- */

__attribute__((noinline)) static void sleeper_nap(uint64_t *slept)
{
	struct timespec req = { 0, 20 * 1000 * 1000 };
	uint64_t t = now_ns();

	while (nanosleep(&req, &req) && errno == EINTR)
		;
	*slept += now_ns() - t;
}

static void *sleeper_main(void *arg)
{
	uint64_t slept = 0;

	(void)arg;
	pthread_setname_np(pthread_self(), "sleeper");
	report("sleeper", "tid", (unsigned long long)gettid_());
	for (int i = 0; i < 50; i++)
		sleeper_nap(&slept);
	report("sleeper", "sleep_ns", slept);
	kernel_report("sleeper");
	return NULL;
}

/* --- pingpong --------------------------------------------------------------- */

static int ping_to_pong[2], pong_to_ping[2];
#define ROUNDS 20000

__attribute__((noinline)) static void ping_write(void)
{
	char b = 'p';

	if (write(ping_to_pong[1], &b, 1) != 1)
		abort();
}

static void *ping_main(void *arg)
{
	char b;

	(void)arg;
	pthread_setname_np(pthread_self(), "ping");
	report("ping", "tid", (unsigned long long)gettid_());
	for (int i = 0; i < ROUNDS; i++) {
		ping_write();
		if (read(pong_to_ping[0], &b, 1) != 1)
			abort();
	}
	kernel_report("ping");
	return NULL;
}

__attribute__((noinline)) static int pong_read(char *b)
{
	return (int)read(ping_to_pong[0], b, 1);
}

static void *pong_main(void *arg)
{
	char b;

	(void)arg;
	pthread_setname_np(pthread_self(), "pong");
	report("pong", "tid", (unsigned long long)gettid_());
	for (int i = 0; i < ROUNDS; i++) {
		if (pong_read(&b) != 1 || write(pong_to_ping[1], &b, 1) != 1)
			abort();
	}
	kernel_report("pong");
	return NULL;
}

/* --- hogs ------------------------------------------------------------------- */

__attribute__((noinline)) static uint64_t hog_spin(uint64_t until)
{
	uint64_t n = 0;

	while (now_ns() < until)
		n++;
	return n;
}

static void *hog_main(void *arg)
{
	cpu_set_t set;
	const char *name = arg;

	pthread_setname_np(pthread_self(), name);
	CPU_ZERO(&set);
	CPU_SET(0, &set);
	pthread_setaffinity_np(pthread_self(), sizeof(set), &set);
	report(name, "tid", (unsigned long long)gettid_());
	uint64_t t0 = now_ns();
	hog_spin(t0 + 1000ull * 1000 * 1000);
	report(name, "wall_ns", now_ns() - t0);
	kernel_report(name);
	return NULL;
}

/* --- blockio ---------------------------------------------------------------- */

__attribute__((noinline)) static void blockio_sync(int fd)
{
	if (fdatasync(fd))
		perror("fdatasync");
}

static void *blockio_main(void *arg)
{
	static char buf[64 * 1024];
	char path[] = "./workload-blockio-XXXXXX";
	int fd = mkstemp(path);

	(void)arg;
	pthread_setname_np(pthread_self(), "blockio");
	report("blockio", "tid", (unsigned long long)gettid_());
	if (fd < 0) {
		fd = open("/var/tmp", O_TMPFILE | O_RDWR, 0600);
		if (fd < 0)
			return NULL;
	} else {
		unlink(path);
	}
	memset(buf, 'x', sizeof(buf));
	for (int i = 0; i < 20; i++) {
		if (pwrite(fd, buf, sizeof(buf), (off_t)i * (off_t)sizeof(buf)) < 0)
			break;
		blockio_sync(fd);
	}
	close(fd);
	kernel_report("blockio");
	return NULL;
}

/* --- relay ------------------------------------------------------------------ */

static int a_to_b[2], b_to_c[2];

__attribute__((noinline)) static void relay_pass(int fd)
{
	char b = 'r';

	if (write(fd, &b, 1) != 1)
		abort();
}

static void *relay_a(void *arg)
{
	struct timespec req = { 0, 10 * 1000 * 1000 };

	(void)arg;
	pthread_setname_np(pthread_self(), "relayA");
	report("relayA", "tid", (unsigned long long)gettid_());
	for (int i = 0; i < 50; i++) {
		nanosleep(&req, NULL);
		relay_pass(a_to_b[1]);
	}
	kernel_report("relayA");
	return NULL;
}

static void *relay_b(void *arg)
{
	char b;

	(void)arg;
	pthread_setname_np(pthread_self(), "relayB");
	report("relayB", "tid", (unsigned long long)gettid_());
	for (int i = 0; i < 50; i++) {
		if (read(a_to_b[0], &b, 1) != 1)
			abort();
		hog_spin(now_ns() + 1000 * 1000);
		relay_pass(b_to_c[1]);
	}
	kernel_report("relayB");
	return NULL;
}

static void *relay_c(void *arg)
{
	char b;

	(void)arg;
	pthread_setname_np(pthread_self(), "relayC");
	report("relayC", "tid", (unsigned long long)gettid_());
	for (int i = 0; i < 50; i++)
		if (read(b_to_c[0], &b, 1) != 1)
			abort();
	kernel_report("relayC");
	return NULL;
}

/* ----------------------------------------------------------------------------- */

struct job {
	const char *name;
	void *(*fn)(void *);
	void *arg;
};

/* --- threads: a burst of short-lived threads (forks and exits to count) ---- */

#define BURST 2000

static void *burst_one(void *arg)
{
	return arg;
}

static void threads_burst(void)
{
	static pthread_t t[BURST];
	unsigned int made = 0;

	for (unsigned int i = 0; i < BURST; i++)
		made += pthread_create(&t[i], NULL, burst_one, NULL) == 0;
	for (unsigned int i = 0; i < made; i++)
		pthread_join(t[i], NULL);
	report("threads", "created", made);
}

static const struct job jobs[] = {
	{ "sleeper", sleeper_main, NULL },   { "pingpong", ping_main, NULL },
	{ "pingpong", pong_main, NULL },     { "hogs", hog_main, "hog1" },
	{ "hogs", hog_main, "hog2" },	     { "blockio", blockio_main, NULL },
	{ "relay", relay_a, NULL },	     { "relay", relay_b, NULL },
	{ "relay", relay_c, NULL },
};
#define NJOBS (sizeof(jobs) / sizeof(jobs[0]))

static void run(const char *which, bool exclude_hogs)
{
	pthread_t t[NJOBS];
	bool started[NJOBS] = { false };

	for (size_t i = 0; i < NJOBS; i++) {
		bool all = !strcmp(which, "all");
		if (all ? (exclude_hogs && !strcmp(jobs[i].name, "hogs")) : strcmp(which, jobs[i].name))
			continue;
		if (pthread_create(&t[i], NULL, jobs[i].fn, jobs[i].arg) == 0)
			started[i] = true;
	}
	for (size_t i = 0; i < NJOBS; i++)
		if (started[i])
			pthread_join(t[i], NULL);
}

int main(int argc, char **argv)
{
	const char *which = argc > 1 ? argv[1] : "all";

	if (pipe(ping_to_pong) || pipe(pong_to_ping) || pipe(a_to_b) || pipe(b_to_c)) {
		perror("pipe");
		return 1;
	}
	report("workload", "pid", (unsigned long long)getpid());
	if (!strcmp(which, "all")) {
		run("hogs", false);
		run("all", true);
	} else if (!strcmp(which, "threads")) {
		threads_burst();
	} else {
		bool known = false;
		for (size_t i = 0; i < NJOBS; i++)
			known |= !strcmp(which, jobs[i].name);
		if (!known) {
			fprintf(stderr,
				"usage: workload [sleeper|pingpong|hogs|blockio|relay|threads|all]\n");
			return 2;
		}
		run(which, false);
	}
	return 0;
}
