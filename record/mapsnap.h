/* SPDX-License-Identifier: MIT */
/*
 * Executable mappings of processes read the moment the BPF side asks (a
 * process's first new user stack), on a thread of their own: the drain
 * thread reaches a stack up to a batch period later, when a short-lived
 * process (a compiler pass, a shell command) may be gone. Only those
 * lines are kept, for a bounded number of processes, newest first.
 */
#ifndef SCHEDTAPE_RECORD_MAPSNAP_H
#define SCHEDTAPE_RECORD_MAPSNAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct mapsnap;

/* The most text a snapshot holds, with its NUL. */
#define MAPSNAP_TEXT_MAX 16384

/* Start reading requests from the ring buffer map @ring_fd. Returns 0 or -errno. */
int mapsnap__start(int ring_fd, struct mapsnap **out);
void mapsnap__stop(struct mapsnap *m);

/*
 * The executable lines of /proc/@pid/maps as last read, copied into @buf
 * (NUL-terminated), with *same_root telling whether the process saw this
 * host's root (its paths open here as they are). False if none was taken.
 */
bool mapsnap__get(struct mapsnap *m, uint32_t pid, char *buf, size_t len, bool *same_root);

/* Requests served and dropped (none kept, or the process was gone already). */
void mapsnap__counts(struct mapsnap *m, uint64_t *read, uint64_t *missed);

#endif
