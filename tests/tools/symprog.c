// SPDX-License-Identifier: MIT
/*
 * A program for the symbol tests, built by them in several ways (stripped
 * with a debug file, with .gnu_debuglink, with MiniDebugInfo, without frame
 * pointers). It sleeps where its stacks are taken, in functions with known
 * names: sym_outer, into which sym_inlined is inlined, calls sym_leaf.
 *   symprog sleep N    N sleeps of 2 ms through libc
 *   symprog raw N      N sleeps by its own syscall instruction (frame 0 in here)
 *   symprog jit N      N sleeps in generated code it names in /tmp/perf-PID.map
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static const struct timespec two_ms = { 0, 2 * 1000 * 1000 };
static volatile long sink;

__attribute__((noinline)) void sym_leaf(int how)
{
	if (how == 0) {
		nanosleep(&two_ms, NULL);
	} else {
		long ret;
		/* The kernel is entered from this function: the sample's ip is here. */
		__asm__ volatile("syscall"
				 : "=a"(ret)
				 : "0"((long)SYS_nanosleep), "D"(&two_ms), "S"(0L)
				 : "rcx", "r11", "memory");
		sink += ret;
	}
	sink++;
}

static inline __attribute__((always_inline)) void sym_inlined(int how, int i)
{
	if (i >= 0)
		sym_leaf(how);
	sink += i;
}

__attribute__((noinline)) void sym_outer(int how, int n)
{
	for (int i = 0; i < n; i++) {
		sym_inlined(how, i);
		sink ^= i;
	}
}

typedef long (*jit_fn)(const struct timespec *);

/* mov eax, SYS_nanosleep; xor esi, esi; syscall; ret */
static const unsigned char jit_code[] = { 0xb8, SYS_nanosleep, 0, 0, 0, 0x31, 0xf6, 0x0f, 0x05, 0xc3 };

__attribute__((noinline)) static int sym_run_jit(int n)
{
	unsigned char *code = mmap(NULL, 4096, PROT_READ | PROT_WRITE | PROT_EXEC,
				   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	char path[64];

	if (code == MAP_FAILED)
		return 1;
	memcpy(code + 64, jit_code, sizeof(jit_code));
	snprintf(path, sizeof(path), "/tmp/perf-%d.map", getpid());
	FILE *f = fopen(path, "w");
	if (!f)
		return 1;
	fprintf(f, "%lx %zx jit_sleeper_fn\n", (unsigned long)(code + 64), sizeof(jit_code));
	fclose(f);
	jit_fn fn = (jit_fn)(void *)(code + 64);
	for (int i = 0; i < n; i++)
		sink += fn(&two_ms);
	return 0;
}

int main(int argc, char **argv)
{
	int n = argc > 2 ? atoi(argv[2]) : 1;

	if (argc < 2)
		return 2;
	if (!strcmp(argv[1], "jit"))
		return sym_run_jit(n);
	sym_outer(!strcmp(argv[1], "raw"), n);
	return 0;
}
