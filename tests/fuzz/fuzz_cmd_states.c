// SPDX-License-Identifier: MIT
/* libFuzzer: structure-aware traces (tracegen.c) through the states commands. */
#include "fuzz_cmds.h"

TRACEGEN_TARGET({ "states", "--json" }, { "states", "--anomalies" }, { "states", "-P" }, { "hist", "--per-thread" }, { "hist", "--part", "queue", "--json" }, { "timeline", "--json", "--comm", "." })
