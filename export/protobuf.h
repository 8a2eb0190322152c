/* SPDX-License-Identifier: MIT */
/*
 * A small streaming protobuf writer (wire format only, no schema): fields
 * appended to a growable buffer, nested messages by a length placeholder
 * patched when the message ends. The placeholder is a 4-byte varint
 * (redundant continuation bits, as protozero writes them), so a nested
 * message is written once, in place, without measuring it first; 4 bytes
 * bound a message at 256 MiB, far above any one packet written here.
 */
#ifndef SCHEDTAPE_EXPORT_PROTOBUF_H
#define SCHEDTAPE_EXPORT_PROTOBUF_H

#include <stddef.h>
#include <stdint.h>

#include "format/tape.h"

/*
 * The bytes go to format's growable buffer (struct st_buf); its err latches
 * the first failure (-ENOMEM, or -E2BIG for a nested message too long), and
 * writes after a failure do nothing.
 */

enum pb_wire { PB_VARINT = 0, PB_I64 = 1, PB_LEN = 2, PB_I32 = 5 };

void pb__varint(struct st_buf *b, uint64_t v);
/* A varint field (uint32/uint64/bool/enum; int32 and int64 as two's complement). */
void pb__uint(struct st_buf *b, uint32_t field, uint64_t v);
void pb__int(struct st_buf *b, uint32_t field, int64_t v);
void pb__fixed64(struct st_buf *b, uint32_t field, uint64_t v);
void pb__bytes(struct st_buf *b, uint32_t field, const void *p, size_t n);
void pb__str(struct st_buf *b, uint32_t field, const char *s);
/* A nested message (or packed field): returns a mark for pb__end. */
size_t pb__begin(struct st_buf *b, uint32_t field);
void pb__end(struct st_buf *b, size_t mark);
/* Append raw bytes (an already-encoded message body). */
void pb__raw(struct st_buf *b, const void *p, size_t n);

void pb__reset(struct st_buf *b);
void pb__free(struct st_buf *b);

#endif
