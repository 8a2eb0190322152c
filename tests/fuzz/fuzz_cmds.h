/* SPDX-License-Identifier: MIT */
/*
 * What the per-family command fuzzers share: a trace from tracegen, the
 * CLI's own command functions run on it (stdout through the same terminal
 * filter as the binary's), and a check of each command's output: UTF-8
 * without control bytes, and well-formed JSON where JSON was asked for.
 * Run with -close_fd_mask=2: the commands' warnings are not wanted.
 */
#ifndef SCHEDTAPE_FUZZ_CMDS_H
#define SCHEDTAPE_FUZZ_CMDS_H

#define _GNU_SOURCE
#include <stdbool.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "base/text.h"
#include "cli/cli.h"
#include "tracegen.h"

#define CMD_ARGS 8

const char *prog_name = "schedtape";

static int cmd_for(const char *name, int argc, char **argv)
{
	static const struct {
		const char *name;
		int (*fn)(int, char **);
	} cmds[] = {
		{ "info", cmd_info },	      { "dump", cmd_dump },	  { "states", cmd_states },
		{ "timeline", cmd_timeline }, { "hist", cmd_hist },	  { "offcpu", cmd_offcpu },
		{ "offwake", cmd_offwake },   { "chains", cmd_chains },	  { "waitfor", cmd_waitfor },
		{ "flame", cmd_flame },	      { "export", cmd_export },	  { "diff", cmd_diff },
		{ "report", cmd_report },     { "latency", cmd_latency }, { "map", cmd_map },
		{ "cpus", cmd_cpus },	      { "buildids", cmd_buildids }, { "symbolize", cmd_symbolize },
	};
	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		if (!strcmp(name, cmds[i].name))
			return cmds[i].fn(argc, argv);
	__builtin_trap();
}

/* --- a small JSON syntax check (RFC 8259), for what --json wrote --------- */

struct js {
	const unsigned char *p, *end;
	int depth;
};

static void js__ws(struct js *j)
{
	while (j->p < j->end && (*j->p == ' ' || *j->p == '\n' || *j->p == '\t' || *j->p == '\r'))
		j->p++;
}

static bool js__value(struct js *j);

static bool js__string(struct js *j)
{
	if (j->p >= j->end || *j->p++ != '"')
		return false;
	while (j->p < j->end && *j->p != '"') {
		if (*j->p < 0x20)
			return false;
		if (*j->p++ != '\\')
			continue;
		if (j->p >= j->end || !strchr("\"\\/bfnrtu", *j->p))
			return false;
		if (*j->p++ == 'u')
			for (int i = 0; i < 4; i++, j->p++)
				if (j->p >= j->end || !strchr("0123456789abcdefABCDEF", *j->p))
					return false;
	}
	return j->p++ < j->end;
}

static bool js__number(struct js *j)
{
	const unsigned char *s = j->p;

	if (j->p < j->end && *j->p == '-')
		j->p++;
	while (j->p < j->end && strchr("0123456789.eE+-", *j->p))
		j->p++;
	return j->p > s && (j->p[-1] >= '0' && j->p[-1] <= '9');
}

static bool js__items(struct js *j, char close, bool keys)
{
	j->p++;
	js__ws(j);
	if (j->p < j->end && *j->p == close)
		return j->p++, true;
	for (;;) {
		js__ws(j);
		if (keys) {
			if (!js__string(j))
				return false;
			js__ws(j);
			if (j->p >= j->end || *j->p++ != ':')
				return false;
		}
		if (!js__value(j))
			return false;
		js__ws(j);
		if (j->p < j->end && *j->p == ',') {
			j->p++;
			continue;
		}
		return j->p < j->end && *j->p++ == close;
	}
}

static bool js__value(struct js *j)
{
	js__ws(j);
	if (j->p >= j->end || ++j->depth > 64)
		return false;
	bool ok;
	if (*j->p == '{')
		ok = js__items(j, '}', true);
	else if (*j->p == '[')
		ok = js__items(j, ']', false);
	else if (*j->p == '"')
		ok = js__string(j);
	else if (!strncmp((const char *)j->p, "true", 4) || !strncmp((const char *)j->p, "null", 4))
		ok = (j->p += 4, true);
	else if (!strncmp((const char *)j->p, "false", 5))
		ok = (j->p += 5, true);
	else
		ok = js__number(j);
	j->depth--;
	return ok;
}

/* --- running the commands ------------------------------------------------- */

static int out_fd = -1;

static void out__begin(void)
{
	static bool filtered;

	if (!filtered) { /* as the binary does for every analysis command */
		filtered = true;
		safe_stdio__install();
	}
	fflush(stdout);
	if (out_fd >= 0)
		close(out_fd);
	out_fd = memfd_create("out", 0);
	dup2(out_fd, STDOUT_FILENO);
}

static void out__check(bool json)
{
	static unsigned char buf[4 << 20];

	fflush(stdout);
	ssize_t n = pread(out_fd, buf, sizeof(buf), 0);
	if (n <= 0 || n == (ssize_t)sizeof(buf))
		return; /* nothing, or more than we look at */
	for (ssize_t i = 0; i < n;) {
		size_t len = utf8__char_len(buf + i, (size_t)(n - i));
		if (len == 0 || (buf[i] < 0x20 && buf[i] != '\n' && buf[i] != '\t') || buf[i] == 0x7f)
			__builtin_trap();
		i += (ssize_t)len;
	}
	if (json) {
		struct js j = { buf, buf + n, 0 };
		if (!js__value(&j))
			__builtin_trap();
		js__ws(&j);
		if (j.p != j.end)
			__builtin_trap();
	}
}

static void run_all(const uint8_t *data, size_t size, const char *const (*argvs)[CMD_ARGS], size_t n)
{
	int fd = tracegen__write(data, size);
	char path[64];

	if (fd < 0)
		return;
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	for (size_t i = 0; i < n; i++) {
		char *argv[CMD_ARGS + 2];
		int argc = 0;
		bool json = false, binary = false;
		for (; argc < CMD_ARGS && argvs[i][argc]; argc++) {
			argv[argc] = (char *)argvs[i][argc];
			json |= !strcmp(argv[argc], "--json") ||
				(argc && !strcmp(argv[argc - 1], "--format") && !strcmp(argv[argc], "json"));
			binary |= !strcmp(argv[argc], "--perfetto");
		}
		binary &= !json; /* the protobuf: bytes, checked by the writer's own tests */
		argv[argc++] = path;
		argv[argc] = NULL;
		optind = 0; /* getopt starts over for each command */
		out__begin();
		int ret = cmd_for(argv[0], argc, argv);
		if (ret != 0 && ret != 1)
			__builtin_trap(); /* a usage error: the target's own command line is wrong */
		if (ret == 0 && !binary)
			out__check(json);
	}
	close(fd);
}

#define TRACEGEN_TARGET(...)                                                                       \
	static const char *const argvs[][CMD_ARGS] = { __VA_ARGS__ };                              \
	int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)                               \
	{                                                                                          \
		run_all(data, size, argvs, sizeof(argvs) / sizeof(argvs[0]));                      \
		return 0;                                                                          \
	}

#endif
