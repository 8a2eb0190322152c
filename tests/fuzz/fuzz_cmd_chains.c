// SPDX-License-Identifier: MIT
/* libFuzzer: structure-aware traces (tracegen.c) through the chains commands. */
#include "fuzz_cmds.h"

TRACEGEN_TARGET({ "chains", "--comm", "." }, { "chains", "--json", "--comm", "." }, { "chains", "--folded", "--comm", "." })
