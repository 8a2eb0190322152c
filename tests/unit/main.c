// SPDX-License-Identifier: MIT
#include <stdarg.h>
#include <stdlib.h>

#include "harness.h"

static struct test_case *tests, **tail = &tests;
static int failed_checks;
static const char *skip_reason;

void test__register(struct test_case *t)
{
	*tail = t;
	tail = &t->next;
}

void test__fail(const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	if (failed_checks++ < 10) {
		fprintf(stderr, "    %s:%d: ", file, line);
		va_start(ap, fmt);
		vfprintf(stderr, fmt, ap);
		va_end(ap);
		fputc('\n', stderr);
	}
}

void test__skip(const char *reason)
{
	skip_reason = reason;
}

int main(int argc, char **argv)
{
	int passed = 0, failed = 0, skipped = 0;

	for (struct test_case *t = tests; t; t = t->next) {
		if (argc > 1 && !strstr(t->name, argv[1]))
			continue;
		failed_checks = 0;
		skip_reason = NULL;
		t->fn();
		if (failed_checks) {
			printf("FAIL unit/%s\n", t->name);
			failed++;
		} else if (skip_reason) {
			printf("SKIP unit/%s: %s\n", t->name, skip_reason);
			skipped++;
		} else {
			printf("PASS unit/%s\n", t->name);
			passed++;
		}
		fflush(stdout);
	}
	printf("%d passed, %d failed, %d skipped\n", passed, failed, skipped);
	return failed ? 1 : 0;
}
