// SPDX-License-Identifier: MIT
/* libFuzzer: structure-aware traces (tracegen.c) through the HTML report, to memory (-o -). */
#include "fuzz_cmds.h"

TRACEGEN_TARGET({ "report", "-o", "-" })
