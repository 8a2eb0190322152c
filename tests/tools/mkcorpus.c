// SPDX-License-Identifier: MIT
/*
 * Writes the crafted bad traces of tests/corpus/bad/ that need real payloads
 * (tests/corpus/make_bad.py derives the byte-level ones from a good trace).
 * Usage: mkcorpus DIR
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "format/tape.h"

static int start(const char *dir, const char *name, struct st_writer **w)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/%s.tape", dir, name);
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0 || !(*w = st_writer__new(fd, 19))) {
		perror(path);
		return -1;
	}
	return fd;
}

static void expect(const char *dir, const char *name, int status, const char *text)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/%s.expect", dir, name);
	FILE *f = fopen(path, "w");
	if (f) {
		fprintf(f, "%d\n%s\n", status, text);
		fclose(f);
	}
}

static void finish(int fd, struct st_writer *w, struct st_chunk *c)
{
	st_writer__finish(w);
	st_writer__free(w);
	st_chunk__free(c);
	close(fd);
}

int main(int argc, char **argv)
{
	const char *dir = argc > 1 ? argv[1] : "tests/corpus/bad";
	struct st_writer *w;
	struct st_chunk c;
	int fd;

	/* Events naming stacks the file never defines, and tasks it never declares. */
	if ((fd = start(dir, "stack_ids_out_of_range", &w)) < 0)
		return 1;
	st_chunk__init(&c, ST_CHUNK_EVENTS, 0);
	for (uint32_t i = 0; i < 100; i++) {
		struct st_event e = { .ts = 1000 + i * 10, .type = ST_REC_SWITCH };
		e.sw.prev_tid = e.sw.prev_pid = 4242 + (i % 2);
		e.sw.next_tid = e.sw.next_pid = 4242 + !(i % 2);
		e.sw.prev_state = 'S';
		e.sw.kstack = 999999 + i;
		e.sw.ustack = 0xFFFFFFFEu;
		st_chunk__add_event(&c, &e);
		struct st_event k = { .ts = 1005 + i * 10, .type = ST_REC_WAKING };
		k.wake.waker_tid = 4242;
		k.wake.wakee_tid = 77777 + i;
		k.wake.kstack = 123456;
		st_chunk__add_event(&c, &k);
	}
	st_writer__add(w, &c);
	finish(fd, w, &c);
	expect(dir, "stack_ids_out_of_range", 0, "");

	/* A zstd bomb within the caps: 16 MiB of tiny records from a few hundred bytes. */
	if ((fd = start(dir, "zstd_bomb", &w)) < 0)
		return 1;
	st_chunk__init(&c, ST_CHUNK_STATS, ST_CPU_NONE);
	while (c.buf.len + 8 < ST_MAX_RAW)
		st_chunk__add_stat(&c, "k", 0);
	st_writer__add(w, &c);
	finish(fd, w, &c);
	expect(dir, "zstd_bomb", 0, "too many entries");
	return 0;
}
