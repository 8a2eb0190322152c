// SPDX-License-Identifier: MIT
/* libFuzzer: structure-aware traces (tracegen.c) through the waitfor commands. */
#include "fuzz_cmds.h"

TRACEGEN_TARGET({ "waitfor", "--comm", "." }, { "waitfor", "--json", "--comm", "." })
