// SPDX-License-Identifier: MIT
/* libFuzzer: structure-aware traces (tracegen.c) through the info commands. */
#include "fuzz_cmds.h"

TRACEGEN_TARGET({ "info" }, { "info", "--json" }, { "info", "--maps" }, { "dump" }, { "dump", "-g" })
