// SPDX-License-Identifier: MIT
/*
 * libFuzzer: structure-aware traces (tracegen.c) through the export
 * commands, to memory (-o -) and, for the SQL tables, to a scratch directory.
 */
#include "fuzz_cmds.h"

TRACEGEN_TARGET({ "export", "--perfetto", "--no-progress", "-o", "-" },
		{ "export", "--format", "json", "-o", "-" },
		{ "export", "--parquet", "/tmp/schedtape-fuzz-parquet" },
		{ "export", "--csv", "/tmp/schedtape-fuzz-csv" })
