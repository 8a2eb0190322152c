/* SPDX-License-Identifier: MIT */
/* Synthetic traces in memory files, written with the format library itself. */
#ifndef SCHEDTAPE_TEST_SYNTH_H
#define SCHEDTAPE_TEST_SYNTH_H

#include <stdint.h>

#include "events.h"
#include "format/tape.h"

/* A new anonymous file holding a trace header; writer returned in *w. */
int synth__open(struct st_writer **w);
/* Write chunk @c and reset it. Fails the test on error. */
void synth__put(struct st_writer *w, struct st_chunk *c);
/* Whole file contents into a malloc'd buffer. */
uint8_t *synth__slurp(int fd, size_t *len);
/* A memory file holding @len bytes of @data. */
int synth__memfd(const uint8_t *data, size_t len);


#endif
