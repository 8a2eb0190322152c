/* SPDX-License-Identifier: MIT */
/* Decoders for the non-event records; used by the reader and its tests. */
#ifndef SCHEDTAPE_FORMAT_DECODE_H
#define SCHEDTAPE_FORMAT_DECODE_H

#include "tape.h"

/*
 * Each decodes one record body and returns 0 or -ST_ERECORD. Bytes after the
 * known fields are ignored: that is how a newer minor version adds fields. Strings and frames are written to the caller's
 * buffers: @frames must hold ST_MAX_FRAMES; strings point into @body and
 * are returned with their lengths (not NUL-terminated).
 */
int st_decode_stack(const uint8_t *body, size_t len, struct st_stack *s, struct st_frame *frames);

struct st_str {
	const char *s;
	uint32_t len;
};

int st_decode_task(const uint8_t *body, size_t len, struct st_task *t, struct st_str *cmdline);
int st_decode_cgroup(const uint8_t *body, size_t len, struct st_cgroup *g, struct st_str *path);
int st_decode_map(const uint8_t *body, size_t len, struct st_map *m, struct st_str *path);
int st_decode_sym(uint8_t type, const uint8_t *body, size_t len, struct st_sym *s,
		  struct st_str *name);
int st_decode_kv(const uint8_t *body, size_t len, struct st_str *key, struct st_str *value);
int st_decode_stat(const uint8_t *body, size_t len, struct st_str *key, uint64_t *value);
int st_decode_index(const uint8_t *body, size_t len, struct st_chunk_info *e);

/* Bytes a SWITCH_C or WAKING_C record's known fields can span at most. */
#define ST_COMPACT_MAX 96

/* Whether the compact decoder uses BMI2 pext (set at start-up; tests flip it). */
extern bool st_decode_pext;

#endif
