// SPDX-License-Identifier: MIT
/* libFuzzer: structure-aware traces (tracegen.c) through the perf-sched-like views and dump. */
#include "fuzz_cmds.h"

TRACEGEN_TARGET({ "latency", "--json", "-P" }, { "map" }, { "cpus", "--json" }, { "dump", "-g", "--json" })
