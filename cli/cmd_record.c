// SPDX-License-Identifier: MIT
/* schedtape record: BPF on the scheduler tracepoints into a trace file. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "base/clock.h"
#include "cli.h"
#include "record/cgroup.h"
#include "record/session.h"
#include "record_ring.h"

static volatile sig_atomic_t stop_signals, dump_signals;

static void on_dump_signal(int sig)
{
	(void)sig;
	dump_signals++;
}

static void on_stop_signal(int sig)
{
	/* The second interrupt aborts at once: every complete chunk is already on disk. */
	if (++stop_signals >= 2 && sig == SIGINT)
		_exit(130);
}

struct record_args {
	const char *output;
	bool output_given;
	struct ring_args ring;
	bool force, quiet, all;
	double duration;
	size_t buffer_bytes;
	int max_stack;
	bool no_stacks, no_user_stacks, preempt_stacks, embed_symbols;
	int level;
	const char *btf;
	const char *cgroup;
	uint32_t pids[64];
	int npids;
	char **command;
};

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: %s record [OPTIONS] [-o FILE] [-- COMMAND [ARGS...]]\n"
		"Record scheduler events system-wide, of some processes, or of a command.\n\n"
		"  -o, --output FILE     trace file (default schedtape.tape; '-' for stdout,\n"
		"                        and then COMMAND's stdout goes to stderr)\n"
		"  -f, --force           overwrite an existing file\n"
		"  -d, --duration SECS   stop after SECS seconds\n"
		"  -p, --pid PID[,PID]   only these processes (and their new children)\n"
		"  -a, --all             with COMMAND: record system-wide, not just the command\n"
		"  -G, --cgroup PATH     only tasks in this cgroup v2 directory and below\n"
		"  -b, --buffer-size SZ  perf buffer per CPU, e.g. 8M (default 8M)\n"
		"      --no-stacks       no stacks at all\n"
		"      --no-user-stacks  kernel stacks only\n"
		"      --max-stack N     frames per stack, 1-%d (default %d)\n"
		"      --preempt-stacks  take stacks on preemption too\n"
		"      --symbols=embed   name user frames now, from this host's binaries,\n"
		"                        so the file is complete anywhere (default: none)\n"
		"  -z, --level N         zstd level (default 2)\n"
		"      --btf PATH        kernel BTF to use instead of /sys/kernel/btf/vmlinux\n"
		"  -q, --quiet           no status line and no summary, except of losses\n"
		RING_OPTIONS_HELP,
		prog_name, 127, 127);
}

static int parse_pids(struct record_args *a, const char *s)
{
	char *copy = strdup(s), *save = NULL;

	if (!copy)
		return -ENOMEM;
	for (char *tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		char *end;
		errno = 0;
		unsigned long v = strtoul(tok, &end, 10);
		if (errno || *end || !v || v > 0x7fffffff || a->npids == 64) {
			free(copy);
			return -EINVAL;
		}
		a->pids[a->npids++] = (uint32_t)v;
	}
	free(copy);
	return 0;
}

static int parse_args(int argc, char **argv, struct record_args *a)
{
	enum { OPT_NO_STACKS = 256, OPT_NO_USTACKS, OPT_MAX_STACK, OPT_PREEMPT, OPT_BTF, OPT_SYMBOLS,
	       OPT_CGROUP };
	static const struct option opts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "force", no_argument, NULL, 'f' },
		{ "duration", required_argument, NULL, 'd' },
		{ "pid", required_argument, NULL, 'p' },
		{ "all", no_argument, NULL, 'a' },
		{ "buffer-size", required_argument, NULL, 'b' },
		{ "no-stacks", no_argument, NULL, OPT_NO_STACKS },
		{ "no-user-stacks", no_argument, NULL, OPT_NO_USTACKS },
		{ "max-stack", required_argument, NULL, OPT_MAX_STACK },
		{ "preempt-stacks", no_argument, NULL, OPT_PREEMPT },
		{ "level", required_argument, NULL, 'z' },
		{ "btf", required_argument, NULL, OPT_BTF },
		{ "symbols", required_argument, NULL, OPT_SYMBOLS },
		{ "cgroup", required_argument, NULL, OPT_CGROUP },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	struct option all[sizeof(opts) / sizeof(opts[0]) + 16];
	size_t nopts = sizeof(opts) / sizeof(opts[0]) - 1, k = 0;
	char *end;
	int c;

	memcpy(all, opts, nopts * sizeof(*opts));
	while (ring_options[k].name)
		all[nopts++] = ring_options[k++];
	all[nopts] = (struct option){ 0 };
	ring_args__init(&a->ring);
	a->output = "schedtape.tape";
	a->buffer_bytes = 8u << 20;
	a->max_stack = 127;
	a->level = 2;
	/* '+': stop at the first non-option, the command. */
	while ((c = getopt_long(argc, argv, "+o:fd:p:aG:b:z:qh", all, NULL)) != -1) {
		if (c >= RING_OPT_BASE) {
			if (ring_args__option(&a->ring, c, optarg))
				return EXIT_USAGE;
			continue;
		}
		switch (c) {
		case 'o': a->output = optarg; a->output_given = true; break;
		case 'f': a->force = true; break;
		case 'q': a->quiet = true; break;
		case 'a': a->all = true; break;
		case 'd':
			a->duration = strtod(optarg, &end);
			if (*end || !(a->duration > 0)) {
				cli__error("record", "--duration: '%s' is not a positive number", optarg);
				return EXIT_USAGE;
			}
			break;
		case 'p':
			if (parse_pids(a, optarg)) {
				cli__error("record", "--pid: '%s' is not a list of process ids", optarg);
				return EXIT_USAGE;
			}
			break;
		case 'b':
			if (record__parse_size(optarg, 4096, 1u << 30, &a->buffer_bytes)) {
				cli__error("record", "--buffer-size: '%s' is not a size from 4K to 1G",
					   optarg);
				return EXIT_USAGE;
			}
			break;
		case 'z':
			a->level = (int)strtol(optarg, &end, 10);
			if (*end || a->level < 1 || a->level > 19) {
				cli__error("record", "--level: '%s' is not 1-19", optarg);
				return EXIT_USAGE;
			}
			break;
		case OPT_NO_STACKS: a->no_stacks = true; break;
		case OPT_NO_USTACKS: a->no_user_stacks = true; break;
		case OPT_PREEMPT: a->preempt_stacks = true; break;
		case OPT_BTF: a->btf = optarg; break;
		case OPT_CGROUP: case 'G': a->cgroup = optarg; break;
		case OPT_SYMBOLS:
			if (strcmp(optarg, "embed") && strcmp(optarg, "none")) {
				cli__error("record", "--symbols: '%s' is not 'embed' or 'none'", optarg);
				return EXIT_USAGE;
			}
			a->embed_symbols = !strcmp(optarg, "embed");
			break;
		case OPT_MAX_STACK:
			a->max_stack = (int)strtol(optarg, &end, 10);
			if (*end || a->max_stack < 1 || a->max_stack > 127) {
				cli__error("record", "--max-stack: '%s' is not 1-127", optarg);
				return EXIT_USAGE;
			}
			break;
		case 'h':
			usage(stdout);
			return -1;
		default:
			return EXIT_USAGE;
		}
	}
	if (optind < argc)
		a->command = argv + optind;
	else if (optind > 1 && !strcmp(argv[optind - 1], "--")) {
		cli__error("record", "'--' with no command after it");
		return EXIT_USAGE;
	}
	/* A process that is not there would make a recording of nothing. */
	for (int i = 0; i < a->npids; i++)
		if (kill((pid_t)a->pids[i], 0) && errno == ESRCH) {
			cli__error("record", "--pid: no process %u", a->pids[i]);
			return EXIT_USAGE;
		}
	if (!!a->command + !!a->npids + !!a->cgroup > 1) {
		cli__error("record", "give one of --pid, --cgroup or a command");
		return EXIT_USAGE;
	}
	/* The flight recorder writes files named by time, into -o DIR (default: here). */
	if (ring_args__active(&a->ring) && !a->output_given)
		a->output = ".";
	if (ring_args__active(&a->ring) && a->force) {
		cli__error("record", "--force: the flight recorder never overwrites a file");
		return EXIT_USAGE;
	}
	return ring_args__check(&a->ring, a->output);
}

/* The output: 0600, never through a symlink, never over a file unless --force. */
static int open_output(const struct record_args *a)
{
	if (!strcmp(a->output, "-")) {
		if (isatty(STDOUT_FILENO)) {
			cli__error("record", "refusing to write a binary trace to a terminal");
			return -1;
		}
		return STDOUT_FILENO;
	}
	int flags = O_WRONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC | (a->force ? O_TRUNC : O_EXCL);
	int fd = open(a->output, flags, 0600);
	if (fd < 0) {
		if (errno == EEXIST)
			cli__error(a->output, "exists (use --force to overwrite)");
		else if (errno == ELOOP)
			cli__error(a->output, "is a symbolic link: refusing to follow it");
		else
			cli__error(a->output, "cannot create: %s", strerror(errno));
		return -1;
	}
	/* A device or a FIFO (-o /dev/full, a named pipe) keeps its own mode. */
	struct stat st;
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && fchmod(fd, 0600)) {
		cli__error(a->output, "cannot set mode 0600: %s", strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

/* Only a regular file this recording wrote is removed when nothing was recorded. */
static void output__discard(const struct record_args *a, int fd)
{
	struct stat st;

	if (fd != STDOUT_FILENO && fstat(fd, &st) == 0 && S_ISREG(st.st_mode))
		unlink(a->output);
}

/*
 * Fork the command, held until recording starts. Returns its pid, or -1.
 * With @stdout_is_trace its output goes to stderr, not into the trace.
 */
static pid_t spawn_held(char **command, int *go_fd, bool stdout_is_trace)
{
	int p[2];

	if (pipe2(p, O_CLOEXEC))
		return -1;
	pid_t pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		char b;
		close(p[1]);
		signal(SIGINT, SIG_DFL);
		signal(SIGTERM, SIG_DFL);
		signal(SIGPIPE, SIG_DFL);
		if (read(p[0], &b, 1) != 1)
			_exit(127); /* the recorder gave up */
		if (stdout_is_trace && dup2(STDERR_FILENO, STDOUT_FILENO) < 0)
			_exit(127);
		execvp(command[0], command);
		fprintf(stderr, "%s: %s: %s\n", prog_name, command[0], strerror(errno));
		_exit(127);
	}
	close(p[0]);
	*go_fd = p[1];
	return pid;
}

/* "schedtape record ARGS...", for the trace's metadata. */
static char *join_args(int argc, char **argv)
{
	/* argv[0] is "schedtape: record" (for getopt's messages): say "record". */
	size_t len = strlen(prog_name) + 9;
	for (int i = 1; i < argc; i++)
		len += strlen(argv[i]) + 1;
	char *s = calloc(1, len);
	if (s)
		snprintf(s, len, "%s record", prog_name);
	for (int i = 1; s && i < argc; i++) {
		strcat(s, " ");
		strcat(s, argv[i]);
	}
	return s;
}

static void status_line(const struct session_stats *st, double secs, uint64_t prev_events,
			double dt)
{
	uint64_t lost = st->lost_buffer + st->lost_writer;

	fprintf(stderr, "\r%s: %.0f s, %s events/s, lost %s, %s written, ratio %.1fx   ",
		prog_name, secs, fmt__count(dt > 0 ? (uint64_t)((double)(st->events - prev_events) / dt) : 0),
		fmt__count(lost), fmt__bytes(st->file_bytes),
		st->file_bytes ? (double)st->raw_bytes / (double)st->file_bytes : 0.0);
}

/* With @quiet only losses are told: they are never silent. */
static void summary(const char *out, const struct session_stats *st, double secs, bool quiet)
{
	uint64_t lost = st->lost_buffer + st->lost_writer + st->lost_decode + st->lost_unwritten;

	if (quiet)
		goto losses;
	fprintf(stderr, "%s: recorded %s events in %.1f s to %s: %s (%.2f bytes/event, ratio %.1fx)\n",
		prog_name,
		fmt__count(st->events > st->lost_unwritten ? st->events - st->lost_unwritten : 0), secs,
		out,
		fmt__bytes(st->file_bytes),
		st->events ? (double)st->file_bytes / (double)st->events : 0.0,
		st->file_bytes ? (double)st->raw_bytes / (double)st->file_bytes : 0.0);
	fprintf(stderr, "%s: stacks: %s kernel, %s user distinct; %s captures failed\n", prog_name,
		fmt__count(st->kstacks), fmt__count(st->ustacks), fmt__count(st->stack_failures));
	if (!lost) {
		fprintf(stderr, "%s: no events lost\n", prog_name);
		return;
	}
losses:
	if (!lost)
		return;
	fprintf(stderr, "%s: LOST %s events (buffer full %s, writer behind %s, undecodable %s",
		prog_name, fmt__count(lost), fmt__count(st->lost_buffer),
		fmt__count(st->lost_writer), fmt__count(st->lost_decode));
	if (st->lost_unwritten)
		fprintf(stderr, ", not written: the file took no more %s",
			fmt__count(st->lost_unwritten));
	fprintf(stderr, ")");
	for (uint32_t c = 0; c < st->ncpus; c++)
		if (st->lost_per_cpu[c])
			fprintf(stderr, "; cpu %u: %s", c, fmt__count(st->lost_per_cpu[c]));
	fprintf(stderr, "\n");
}

int cmd_record(int argc, char **argv)
{
	struct record_args a = { 0 };
	char why[256] = "";
	int ret = parse_args(argc, argv, &a), go_fd = -1, out_fd;
	pid_t child = -1;
	int child_status = 0;
	bool child_done = false;
	struct session *s = NULL;
	struct utsname u;

	if (ret) {
		ring_args__fini(&a.ring);
		return ret < 0 ? EXIT_OK : ret;
	}
	bool ring = ring_args__active(&a.ring);
	struct cgroup_target cg = { 0 };
	if (a.cgroup) {
		int cerr = cgroup__resolve(a.cgroup, &cg);
		if (cerr) {
			cli__error(a.cgroup, "%s", cerr == -ENOTDIR ? "not a cgroup v2 directory"
								   : strerror(-cerr));
			ring_args__fini(&a.ring);
			return EXIT_USAGE;
		}
	}
	out_fd = ring ? -1 : open_output(&a);
	if (out_fd < 0 && !ring) {
		ring_args__fini(&a.ring);
		return EXIT_FAIL;
	}
	bool started = false;

	char *cmdline = join_args(argc, argv), opts[512];
	int on = snprintf(opts, sizeof(opts), "buffer_size=%zu max_stack=%d user_stacks=%d stacks=%d "
			  "preempt_stacks=%d level=%d symbols=%s", a.buffer_bytes, a.max_stack,
			  !a.no_user_stacks, !a.no_stacks, a.preempt_stacks, a.level,
			  a.embed_symbols ? "embed" : "none");
	if (a.ring.ring && on > 0 && (size_t)on < sizeof(opts))
		on += snprintf(opts + on, sizeof(opts) - (size_t)on, " ring=%s", a.ring.ring);
	if (a.ring.rotate_bytes && on > 0 && (size_t)on < sizeof(opts))
		on += snprintf(opts + on, sizeof(opts) - (size_t)on, " rotate=%zu keep=%u",
			       a.ring.rotate_bytes, a.ring.keep);
	for (size_t i = 0; i < a.ring.ntriggers && on > 0 && (size_t)on < sizeof(opts); i++)
		on += snprintf(opts + on, sizeof(opts) - (size_t)on, " trigger=%s",
			       a.ring.triggers[i].spec);
	char start_at[32] = "";
	if (a.ring.start_at)
		snprintf(start_at, sizeof(start_at), "%llu.%09llu",
			 (unsigned long long)(a.ring.start_realtime_ns / 1000000000ull),
			 (unsigned long long)(a.ring.start_realtime_ns % 1000000000ull));
	uname(&u);
	char target[300];
	if (a.command && !a.all)
		snprintf(target, sizeof(target), "command");
	else if (a.npids)
		snprintf(target, sizeof(target), "pid %u%s", a.pids[0], a.npids > 1 ? " ..." : "");
	else if (a.cgroup)
		snprintf(target, sizeof(target), "cgroup %.280s", a.cgroup);
	else
		snprintf(target, sizeof(target), "system");
	/* Filled in once the command's pid is known. */
	char target_pids[ST_MAX_STR] = "";
	if (a.cgroup)
		cgroup__pids(a.cgroup, target_pids, sizeof(target_pids)); /* children join by fork */
	const char *meta[] = { "recorder", "schedtape " SCHEDTAPE_VERSION, "host", u.nodename,
			       "kernel", u.release, "machine", u.machine, "cmdline",
			       cmdline ? cmdline : "", "options", opts, "target", target,
			       "target_pids", target_pids, "start_at", start_at, NULL };

	struct session_opts so = {
		.out_fd = out_fd,
		.buffer_bytes = a.buffer_bytes,
		.kstack_frames = a.no_stacks ? 0 : (unsigned int)a.max_stack,
		.ustack_frames = a.no_stacks || a.no_user_stacks ? 0 : (unsigned int)a.max_stack,
		.preempt_stacks = a.preempt_stacks,
		.filter = a.npids > 0 || a.cgroup || (a.command && !a.all),
		.cgroup_id = cg.id,
		.cgroup_level = cg.level,
		.zstd_level = a.level,
		.chunk_bytes = 1u << 20,
		.flush_ms = 500,
		/* SCHEDTAPE_QUEUE_BYTES: tests make it small, to see the queue empties. */
		.queue_bytes = getenv("SCHEDTAPE_QUEUE_BYTES")
				       ? strtoull(getenv("SCHEDTAPE_QUEUE_BYTES"), NULL, 10)
				       : 256u << 20,
		.btf_path = a.btf,
		.embed_user_symbols = a.embed_symbols,
		.meta = meta,
	};
	ring_args__session(&a.ring, a.output, &so.ring);

	struct sigaction sa = { .sa_handler = on_stop_signal };
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	if (ring) {
		struct sigaction su = { .sa_handler = on_dump_signal };
		sigaction(SIGUSR1, &su, NULL);
	}

	if (a.command) {
		child = spawn_held(a.command, &go_fd, out_fd == STDOUT_FILENO);
		if (child < 0) {
			cli__error("record", "cannot start %s: %s", a.command[0], strerror(errno));
			ret = EXIT_FAIL;
			goto out;
		}
	}
	int err = session__open(&s, &so, why, sizeof(why));
	if (err) {
		cli__error("record", "%s", why);
		ret = EXIT_FAIL;
		goto out;
	}
	for (int i = 0; i < a.npids; i++) {
		session__add_target(s, a.pids[i]);
		snprintf(target_pids + strlen(target_pids), sizeof(target_pids) - strlen(target_pids),
			 "%s%u", i ? "," : "", a.pids[i]);
	}
	if (child > 0 && so.filter) {
		session__add_target(s, (uint32_t)child);
		snprintf(target_pids, sizeof(target_pids), "%d", (int)child);
	}
	/* Loaded and verified: what is left before the instant is a few ms. */
	if (ring_args__wait_start(&a.ring, &stop_signals)) {
		ret = EXIT_FAIL;
		goto out;
	}
	err = session__start(s, why, sizeof(why));
	if (err) {
		/* Write errors are the output file's: name it. */
		bool io = err == -ENOSPC || err == -EFBIG || err == -EDQUOT || err == -EIO ||
			  err == -EPIPE || err == -EROFS;
		cli__error(io ? a.output : "record", "%s", why);
		ret = EXIT_FAIL;
		goto out;
	}
	started = true;
	const char *what = a.command ? (a.all ? "system-wide while running the command" : "the command")
			   : a.npids ? "the given processes" : a.cgroup ? "the cgroup" : "system-wide";
	if (ring && a.ring.ring)
		fprintf(stderr, "%s: flight recorder: keeping the last %s of %s on %d CPUs in memory; "
			"dumps to %s on SIGUSR1 (kill -USR1 %d)%s and at exit\n", prog_name,
			a.ring.ring, what, (int)sysconf(_SC_NPROCESSORS_CONF), a.output, (int)getpid(),
			a.ring.ntriggers ? ", on a trigger" : "");
	else if (ring)
		fprintf(stderr, "%s: recording %s on %d CPUs into files of %s in %s%s\n", prog_name,
			what, (int)sysconf(_SC_NPROCESSORS_CONF), fmt__bytes(a.ring.rotate_bytes),
			a.output, a.ring.keep ? " (keeping the newest)" : "");
	else
		fprintf(stderr, "%s: recording %s on %d CPUs to %s; press Ctrl-C to stop\n",
			prog_name, what, (int)sysconf(_SC_NPROCESSORS_CONF), a.output);
	if (go_fd >= 0) {
		if (write(go_fd, "g", 1) != 1)
			cli__error("record", "cannot release the command");
		close(go_fd);
		go_fd = -1;
	}

	bool tty = isatty(STDERR_FILENO) && !a.quiet;
	uint64_t t0 = clock__monotonic_ns(), last_status = t0, prev_events = 0;
	sig_atomic_t dumps_seen = 0;
	while (!stop_signals) {
		err = session__poll(s, 100);
		if (err)
			break;
		if (ring) {
			if (dump_signals != dumps_seen) {
				dumps_seen = dump_signals;
				if (session__request_dump(s, "signal"))
					cli__error("record", "cannot queue a dump: %s", strerror(ENOMEM));
			}
			ring__report_dumps(s, a.quiet);
		}
		uint64_t now = clock__monotonic_ns();
		if (a.duration > 0 && (double)(now - t0) / 1e9 >= a.duration)
			break;
		if (child > 0 && !child_done && waitpid(child, &child_status, WNOHANG) == child) {
			child_done = true;
			break;
		}
		if (tty && now - last_status >= 1000000000ull) {
			struct session_stats st;
			session__stats(s, &st);
			status_line(&st, (double)(now - t0) / 1e9, prev_events,
				    (double)(now - last_status) / 1e9);
			prev_events = st.events;
			last_status = now;
		}
	}
	if (tty)
		fprintf(stderr, "\n");
	double secs = (double)(clock__monotonic_ns() - t0) / 1e9;
	int stop_err = session__stop(s, true);
	err = err ? err : stop_err;
	struct session_stats st;
	session__stats(s, &st);
	if (ring && ring__report_dumps(s, a.quiet) && !ret)
		ret = EXIT_FAIL;
	summary(a.output, &st, secs, a.quiet);
	if (ring && !a.quiet)
		fprintf(stderr, "%s: flight recorder: %s dumps (%s) to %s; %s triggers fired, %s within "
			"a cooldown; %s of events held at the end, task table of %s threads\n",
			prog_name, fmt__count(st.dumps), fmt__bytes(st.dump_bytes), a.output,
			fmt__count(st.triggers_fired), fmt__count(st.triggers_suppressed),
			fmt__bytes(st.ring_bytes), fmt__count(st.ring_threads));
	if (err == -ENOSPC || err == -EFBIG || err == -EDQUOT) {
		cli__error(a.output, "disk full: recording stopped; %s kept, readable",
			   fmt__bytes(st.file_bytes));
		ret = EXIT_FAIL;
	} else if (err == -EPIPE) {
		cli__error(a.output, "the reader of the output went away; recording stopped");
		ret = EXIT_FAIL;
	} else if (err) {
		cli__error(a.output, "%s; %s kept", st_strerror(err), fmt__bytes(st.file_bytes));
		ret = EXIT_FAIL;
	}
	if (child > 0) {
		if (!child_done) {
			if (stop_signals || a.duration > 0)
				kill(child, SIGTERM);
			waitpid(child, &child_status, 0);
			child_done = true;
		}
		if (WIFSIGNALED(child_status))
			fprintf(stderr, "%s: %s was killed by signal %d (%s)\n", prog_name,
				a.command[0], WTERMSIG(child_status), strsignal(WTERMSIG(child_status)));
		if (!ret)
			ret = WIFEXITED(child_status) ? WEXITSTATUS(child_status)
						      : 128 + WTERMSIG(child_status);
	}
out:
	if (go_fd >= 0)
		close(go_fd); /* the held command sees EOF and exits */
	if (child > 0 && !child_done)
		waitpid(child, NULL, 0);
	session__free(s);
	/* Nothing was recorded: leave no file behind. */
	if (!started && out_fd >= 0)
		output__discard(&a, out_fd);
	if (out_fd >= 0 && out_fd != STDOUT_FILENO && close(out_fd) && !ret) {
		cli__error(a.output, "%s", strerror(errno));
		ret = EXIT_FAIL;
	}
	free(cmdline);
	ring_args__fini(&a.ring);
	return ret;
}
