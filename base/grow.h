/* SPDX-License-Identifier: MIT */
/* Growable arrays: room for at least @need items, doubling (never overflowing); new room is zeroed. */
#ifndef SCHEDTAPE_BASE_GROW_H
#define SCHEDTAPE_BASE_GROW_H

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* *@items holds *@cap items of @size bytes; make it hold @need. Returns 0 or -ENOMEM. */
static inline int grow(void *items, size_t *cap, size_t need, size_t size)
{
	void **p = items;
	size_t ncap = *cap ? *cap : 16;

	if (need <= *cap)
		return 0;
	while (ncap < need) {
		if (ncap > SIZE_MAX / 2)
			return -ENOMEM;
		ncap *= 2;
	}
	if (ncap > SIZE_MAX / size)
		return -ENOMEM;
	void *n = realloc(*p, ncap * size);
	if (!n)
		return -ENOMEM;
	memset((char *)n + *cap * size, 0, (ncap - *cap) * size);
	*p = n;
	*cap = ncap;
	return 0;
}

#endif
