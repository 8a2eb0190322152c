// SPDX-License-Identifier: MIT
/* The inline u64 table against its rules: nonzero keys, growth, collisions. */
#include <errno.h>

#include "base/htab.h"
#include "harness.h"

TEST(htab64_finds_what_it_holds_across_growth)
{
	struct htab64 h = { 0 };
	const uint64_t n = 5000; /* several doublings past the first 1024 slots */

	CHECK(htab64__find(&h, 7) == NULL);
	CHECK_EQ(htab64__insert(&h, 0, 1), -EINVAL);
	for (uint64_t i = 1; i <= n; i++) {
		/* Keys that share their low bits collide in the slot index. */
		CHECK_EQ(htab64__insert(&h, i << 40, i * 3), 0);
	}
	CHECK_EQ(h.n, n);
	for (uint64_t i = 1; i <= n; i++) {
		uint64_t *v = htab64__find(&h, i << 40);
		CHECK(v && *v == i * 3);
	}
	CHECK(htab64__find(&h, (n + 1) << 40) == NULL);
	CHECK(htab64__find(&h, 0) == NULL);
	htab64__free(&h);
	CHECK(htab64__find(&h, 1ull << 40) == NULL);
}
