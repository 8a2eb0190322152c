// SPDX-License-Identifier: MIT
#define _GNU_SOURCE
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "harness.h"
#include "synth.h"

int synth__memfd(const uint8_t *data, size_t len)
{
	int fd = memfd_create("synth", 0);

	if (fd >= 0 && len && write(fd, data, len) != (ssize_t)len) {
		close(fd);
		return -1;
	}
	return fd;
}

int synth__open(struct st_writer **w)
{
	int fd = synth__memfd(NULL, 0);

	*w = st_writer__new(fd, 3);
	return fd;
}

void synth__put(struct st_writer *w, struct st_chunk *c)
{
	int err = st_writer__add(w, c);

	if (err)
		test__fail(__FILE__, __LINE__, "st_writer__add: %s", st_strerror(err));
	st_chunk__reset(c);
}

uint8_t *synth__slurp(int fd, size_t *len)
{
	off_t end = lseek(fd, 0, SEEK_END);
	uint8_t *buf = malloc(end > 0 ? (size_t)end : 1);

	if (buf && pread(fd, buf, (size_t)end, 0) != end) {
		free(buf);
		return NULL;
	}
	*len = (size_t)end;
	return buf;
}
