/* SPDX-License-Identifier: MIT */
/*
 * A minimal test harness: TEST(name) registers a function; CHECK* record a
 * failure and continue; SKIP(reason) marks the test skipped. main() prints
 * one PASS/FAIL/SKIP line per test and the "N passed, N failed" summary.
 */
#ifndef SCHEDTAPE_TEST_HARNESS_H
#define SCHEDTAPE_TEST_HARNESS_H

#include <stdio.h>
#include <string.h>

struct test_case {
	const char *name;
	void (*fn)(void);
	struct test_case *next;
};

void test__register(struct test_case *t);
void test__fail(const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void test__skip(const char *reason);

#define TEST(name)                                                                                 \
	static void test_##name(void);                                                            \
	static struct test_case tc_##name = { #name, test_##name, NULL };                          \
	__attribute__((constructor)) static void reg_##name(void)                                  \
	{                                                                                          \
		test__register(&tc_##name);                                                        \
	}                                                                                          \
	static void test_##name(void)

#define CHECK(cond)                                                                                \
	do {                                                                                       \
		if (!(cond))                                                                       \
			test__fail(__FILE__, __LINE__, "%s", #cond);                               \
	} while (0)

#define CHECK_EQ(a, b)                                                                             \
	do {                                                                                       \
		unsigned long long _a = (unsigned long long)(a), _b = (unsigned long long)(b);     \
		if (_a != _b)                                                                      \
			test__fail(__FILE__, __LINE__, "%s == %s: %llu != %llu", #a, #b, _a, _b);  \
	} while (0)

#define CHECK_STR(a, b)                                                                            \
	do {                                                                                       \
		const char *_a = (a), *_b = (b);                                                   \
		if (!_a || !_b || strcmp(_a, _b))                                                  \
			test__fail(__FILE__, __LINE__, "%s == \"%s\": got \"%s\"", #a, _b ? _b : "", \
				   _a ? _a : "(null)");                                            \
	} while (0)

#define SKIP(reason)                                                                               \
	do {                                                                                       \
		test__skip(reason);                                                                \
		return;                                                                            \
	} while (0)

#endif
