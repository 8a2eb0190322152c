/* SPDX-License-Identifier: MIT */
/*
 * Byte-wise little-endian access and a bounded read cursor.
 * File bytes are never overlaid with structs: every field is decoded here,
 * and every read checks the remaining length first.
 */
#ifndef SCHEDTAPE_FORMAT_BYTES_H
#define SCHEDTAPE_FORMAT_BYTES_H

#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

static inline uint16_t le16_get(const uint8_t *p)
{
	return (uint16_t)(p[0] | (uint16_t)p[1] << 8);
}

static inline uint32_t le32_get(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static inline uint64_t le64_get(const uint8_t *p)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	uint64_t v;

	memcpy(&v, p, 8); /* one load: the varint decoder reads 8 bytes at a time */
	return v;
#else
	return (uint64_t)le32_get(p) | (uint64_t)le32_get(p + 4) << 32;
#endif
}

static inline void le16_put(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static inline void le32_put(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static inline void le64_put(uint8_t *p, uint64_t v)
{
	le32_put(p, (uint32_t)v);
	le32_put(p + 4, (uint32_t)(v >> 32));
}

struct cursor {
	const uint8_t *p;
	size_t left;
};

static inline int cursor__u8(struct cursor *c, uint8_t *v)
{
	if (c->left < 1)
		return -EBADMSG;
	*v = c->p[0];
	c->p++;
	c->left--;
	return 0;
}

static inline int cursor__u64(struct cursor *c, uint64_t *v)
{
	if (c->left < 8)
		return -EBADMSG;
	*v = le64_get(c->p);
	c->p += 8;
	c->left -= 8;
	return 0;
}

/* Unsigned LEB128, at most 10 bytes; a value over 64 bits is malformed. */
static inline int cursor__uvar(struct cursor *c, uint64_t *v)
{
	uint64_t x = 0;

	/* Most values are small: one byte, no loop. */
	if (__builtin_expect(c->left > 0 && *c->p < 0x80, 1)) {
		*v = *c->p++;
		c->left--;
		return 0;
	}
	for (unsigned int i = 0; i < 10; i++) {
		if (c->left == 0)
			return -EBADMSG;
		uint8_t b = *c->p++;
		c->left--;
		if (i == 9 && b > 1)
			return -EBADMSG;
		x |= (uint64_t)(b & 0x7f) << (7 * i);
		if (!(b & 0x80)) {
			*v = x;
			return 0;
		}
	}
	return -EBADMSG;
}

/* A uvarint that must fit 32 bits. */
static inline int cursor__uvar32(struct cursor *c, uint32_t *v)
{
	uint64_t x;
	int err = cursor__uvar(c, &x);

	if (err)
		return err;
	if (x > UINT32_MAX)
		return -EBADMSG;
	*v = (uint32_t)x;
	return 0;
}

static inline int cursor__svar(struct cursor *c, int64_t *v)
{
	uint64_t x;
	int err = cursor__uvar(c, &x);

	if (err)
		return err;
	*v = (int64_t)(x >> 1) ^ -(int64_t)(x & 1);
	return 0;
}

/*
 * A length-prefixed string of at most @cap bytes with no NUL inside.
 * The result points into the cursor's buffer and is not NUL-terminated.
 */
static inline int cursor__str(struct cursor *c, size_t cap, const char **s, uint32_t *len)
{
	uint32_t n;
	int err = cursor__uvar32(c, &n);

	if (err)
		return err;
	if (n > cap || n > c->left)
		return -EBADMSG;
	if (memchr(c->p, 0, n))
		return -EBADMSG;
	*s = (const char *)c->p;
	*len = n;
	c->p += n;
	c->left -= n;
	return 0;
}

static inline int cursor__bytes(struct cursor *c, size_t n, const uint8_t **b)
{
	if (n > c->left)
		return -EBADMSG;
	*b = c->p;
	c->p += n;
	c->left -= n;
	return 0;
}

#endif
