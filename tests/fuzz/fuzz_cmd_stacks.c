// SPDX-License-Identifier: MIT
/* libFuzzer: structure-aware traces (tracegen.c) through the stacks commands. */
#include "fuzz_cmds.h"

TRACEGEN_TARGET({ "offcpu" }, { "offwake" }, { "offwake", "--comm", "." }, { "flame", "--offwake", "-o", "/dev/null" }, { "flame", "--offcpu", "-o", "/dev/null" },
		{ "buildids", "--json" }, { "symbolize", "-f", "-o", "/dev/null" })
