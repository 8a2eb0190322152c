/* SPDX-License-Identifier: MIT */
/* The command-line layer: the only code that prints to the user and exits. */
#ifndef SCHEDTAPE_CLI_H
#define SCHEDTAPE_CLI_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "format/tape.h"

#define SCHEDTAPE_VERSION "0.1.0"

/* Exit codes. */
enum { EXIT_OK = 0, EXIT_FAIL = 1, EXIT_USAGE = 2 };

extern const char *prog_name;

/* "schedtape: <what>: <message>" on stderr. */
void cli__error(const char *what, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/*
 * A string from the trace, for a line of text: control bytes (newlines too)
 * and bad UTF-8 as \xNN. Valid until eight more calls.
 */
const char *tx(const char *s);

/* Make stdout and stderr show control bytes and bad UTF-8 as \xNN (safe_stdio.c). */
void safe_stdio__install(void);

/*
 * Open a trace ("-" is standard input) and print its recoverable problems as
 * warnings. On failure prints one line naming the file and returns NULL.
 */
struct st_reader *cli__open_trace(const char *path, unsigned int flags);

/* Print the problems the reader met since the last call, as warnings. */
void cli__warn_problems(const char *path, struct st_reader *r);

/*
 * A report file (flame, export, diff): "-" is stdout; created 0644, never
 * through a symlink. NULL after printing why.
 */
FILE *cli__open_output(const char *path);
/* Close (or flush stdout); returns 0 or -errno. */
int cli__close_output(FILE *f);

/*
 * Options that choose one of several (@opt, e.g. "--offcpu"): *@picked keeps
 * the first; another one is an error. Returns 0 or EXIT_USAGE (printed).
 */
int cli__pick(const char *cmd, const char **picked, const char *opt);

struct filter;
/* Commands about particular threads: 0 if @f names some, else EXIT_USAGE (printed). */
int analyze_args__need_threads(const struct filter *f, const char *cmd);

/* JSON string literal, escaped. */
void json__str(FILE *f, const char *s);

/* The terminal's width for tables (COLUMNS, else the tty's), 0 when not a terminal. */
unsigned int term__width(void);
/* Whether stdout takes colour: a terminal, TERM not dumb, NO_COLOR unset. */
bool term__color(void);
/* Set graphic rendition @code ("1" bold, "33" yellow, "0" reset) where colour is on. */
void term__sgr(const char *code);

/* A progress line on stderr, if a terminal, while command @cmd reads traces (progress.c). */
void progress__start(const char *cmd);
/* Clear it. */
void progress__stop(void);

/* 1234567 -> "1,234,567" in a static rotating buffer. */
const char *fmt__count(uint64_t n);
/* Bytes with a binary unit: "1.5 MiB". */
const char *fmt__bytes(uint64_t n);

struct analyze_args;
struct fold_opts;
struct fold_line;
struct symbolizer;
/*
 * Off-CPU (or with @wake off-wake) folded lines of the trace @a names; opens
 * *r and *sym for the caller to free. Returns 0, or non-zero after printing.
 */
int offcpu__collect(struct analyze_args *a, bool wake, const struct fold_opts *fo,
		    struct st_reader **r, struct symbolizer **sym, struct fold_line **lines, long *n);

struct sym_opts;
/*
 * Once per process: how many user frames went unnamed, by binary and why, and
 * which binaries cut stacks short for want of frame pointers, on stderr;
 * with @json also as ,"symbols":{...} there (inside the caller's object).
 */
void cli__symbols_hint(const char *path, struct symbolizer *sym, const struct sym_opts *o,
		       FILE *json);


int cmd_info(int argc, char **argv);
int cmd_buildids(int argc, char **argv);
int cmd_symbolize(int argc, char **argv);
int cmd_dump(int argc, char **argv);
int cmd_states(int argc, char **argv);
int cmd_timeline(int argc, char **argv);
int cmd_hist(int argc, char **argv);
int cmd_latency(int argc, char **argv);
int cmd_map(int argc, char **argv);
int cmd_cpus(int argc, char **argv);
int cmd_offcpu(int argc, char **argv);
int cmd_offwake(int argc, char **argv);
int cmd_chains(int argc, char **argv);
int cmd_waitfor(int argc, char **argv);
int cmd_flame(int argc, char **argv);
int cmd_export(int argc, char **argv);
int cmd_diff(int argc, char **argv);
int cmd_report(int argc, char **argv);
#ifdef HAVE_RECORD
int cmd_record(int argc, char **argv);
#endif

#endif
