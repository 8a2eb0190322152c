// SPDX-License-Identifier: MIT
#define _GNU_SOURCE
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "jitmaps.h"
#include "umaps.h"

/* Open @name of process @pid: through its root while it lives, else on this host. */
static FILE *jit_file__open(uint32_t pid, const char *name)
{
	char path[128];
	struct stat st;

	snprintf(path, sizeof(path), "/proc/%u/root/tmp/%s", pid, name);
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0) {
		snprintf(path, sizeof(path), "/tmp/%s", name);
		fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOFOLLOW);
	}
	/* A runtime writes a regular file; anything else is not read. */
	if (fd >= 0 && (fstat(fd, &st) || !S_ISREG(st.st_mode))) {
		close(fd);
		fd = -1;
	}
	FILE *f = fd >= 0 ? fdopen(fd, "r") : NULL;
	if (!f && fd >= 0)
		close(fd);
	return f;
}

static bool sym__add(struct st_chunk *c, struct jit_stats *st, uint64_t *budget, uint32_t map,
		     uint64_t addr, uint64_t size, const char *name)
{
	size_t n = strlen(name);

	if (!n)
		return true;
	if (n + 16 > *budget) {
		st->dropped++;
		return false;
	}
	*budget -= n + 16;
	struct st_sym sym = { .map = map, .addr = addr, .size = size, .name = name };
	st_chunk__add_sym(c, &sym);
	st->symbols++;
	return true;
}

/* "START SIZE name", both in hex, the name to the end of the line. */
static void perf_map__read(FILE *f, struct st_chunk *c, uint32_t map, uint64_t *budget,
			   struct jit_stats *st)
{
	char line[4096];

	while (fgets(line, sizeof(line), f)) {
		char *end;
		uint64_t start = strtoull(line, &end, 16);
		if (end == line || *end != ' ')
			continue;
		uint64_t size = strtoull(end + 1, &end, 16);
		if (*end != ' ')
			continue;
		char *name = end + 1;
		name[strcspn(name, "\n")] = 0;
		if (!sym__add(c, st, budget, map, start, size, name))
			return;
	}
}

/* jitdump (tools/perf/Documentation/jitdump-specification.txt): header, then records. */
#define JITDUMP_MAGIC 0x4A695444u
#define JIT_CODE_LOAD 0

static void jitdump__read(FILE *f, struct st_chunk *c, uint32_t map, uint64_t *budget,
			  struct jit_stats *st)
{
	struct {
		uint32_t magic, version, total_size, elf_mach, pad1, pid;
		uint64_t timestamp, flags;
	} h;
	struct {
		uint32_t id, total_size;
		uint64_t timestamp;
	} rec;
	struct {
		uint32_t pid, tid;
		uint64_t vma, code_addr, code_size, code_index;
	} load;
	char name[1024];

	if (fread(&h, sizeof(h), 1, f) != 1 || h.magic != JITDUMP_MAGIC || h.total_size < sizeof(h) ||
	    fseek(f, h.total_size, SEEK_SET))
		return;
	while (fread(&rec, sizeof(rec), 1, f) == 1 && rec.total_size >= sizeof(rec)) {
		long next = ftell(f) - (long)sizeof(rec) + (long)rec.total_size;
		if (rec.id == JIT_CODE_LOAD && rec.total_size > sizeof(rec) + sizeof(load) &&
		    fread(&load, sizeof(load), 1, f) == 1) {
			size_t k = 0;
			int ch;
			while (k + 1 < sizeof(name) && (ch = fgetc(f)) != EOF && ch)
				name[k++] = (char)ch;
			name[k] = 0;
			if (!sym__add(c, st, budget, map, load.code_addr, load.code_size, name))
				return;
		}
		if (fseek(f, next, SEEK_SET))
			return;
	}
}

void jitmaps__collect(struct umaps *u, struct st_chunk *c, uint64_t budget, struct jit_stats *st)
{
	uint32_t pid, map;
	char name[64];

	for (size_t i = 0; umaps__anon_at(u, i, &pid, &map); i++) {
		if (!map)
			continue;
		snprintf(name, sizeof(name), "perf-%u.map", pid);
		FILE *f = jit_file__open(pid, name);
		if (f) {
			perf_map__read(f, c, map, &budget, st);
			fclose(f);
		}
		snprintf(name, sizeof(name), "jit-%u.dump", pid);
		if ((f = jit_file__open(pid, name))) {
			jitdump__read(f, c, map, &budget, st);
			fclose(f);
		}
	}
}
