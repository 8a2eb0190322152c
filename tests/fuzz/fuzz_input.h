/* SPDX-License-Identifier: MIT */
/* The fuzzers' input as a trace file: the reader reads fds, so give it one. */
#ifndef SCHEDTAPE_FUZZ_INPUT_H
#define SCHEDTAPE_FUZZ_INPUT_H

#include <stdint.h>
#include <sys/mman.h>
#include <unistd.h>

#include "format/tape.h"

/* Open @data as a trace; returns the fd to close after st_reader__free, or -1. */
static inline int fuzz__open(const uint8_t *data, size_t size, struct st_reader **r)
{
	int fd = memfd_create("fuzz", 0);

	if (fd < 0)
		return -1;
	if ((size && write(fd, data, size) != (ssize_t)size) || st_reader__open_fd(fd, 0, r)) {
		close(fd);
		return -1;
	}
	return fd;
}

#endif
