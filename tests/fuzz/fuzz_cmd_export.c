// SPDX-License-Identifier: MIT
/* libFuzzer: structure-aware traces (tracegen.c) through the export commands. */
#include "fuzz_cmds.h"

TRACEGEN_TARGET({ "export", "--perfetto", "-o", "/dev/stdout" })
