/* SPDX-License-Identifier: MIT */
/* Traces built from fuzzer input with the format library: valid checksums, hostile contents. */
#ifndef SCHEDTAPE_FUZZ_TRACEGEN_H
#define SCHEDTAPE_FUZZ_TRACEGEN_H

#include <getopt.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "format/tape.h"

#define TRACEGEN_CPUS 3

/* A memory file holding the trace @data describes; -1 on failure. */
int tracegen__write(const uint8_t *data, size_t size);

#endif
