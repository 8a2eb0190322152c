// SPDX-License-Identifier: MIT
/*
 * The terminal boundary: what analysis commands print comes partly from the
 * trace (names, symbols, metadata), and a hostile trace must not drive the
 * terminal (ESC sequences) or break a UTF-8 reader. stdout and stderr are
 * replaced by streams that pass text through and show control bytes (but
 * newline and tab) and bytes of no UTF-8 character as \xNN. Output already
 * escaped for its format (JSON, folded stacks) passes unchanged.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "base/text.h"
#include "cli.h"

struct safe_stream {
	int fd;
	unsigned char pend[4]; /* the start of a character the next write completes */
	size_t npend;
};

static int write_all(int fd, const void *buf, size_t n)
{
	const char *p = buf;

	while (n) {
		ssize_t w = write(fd, p, n);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/* Escape and write @n bytes of @p; keep an incomplete character at the end if @more may follow. */
static int safe__emit(struct safe_stream *s, const unsigned char *p, size_t n, bool more)
{
	unsigned char out[4096];
	size_t o = 0;

	while (n) {
		size_t len = utf8__char_len(p, n);
		if (len == 0 && more && n < 4 && *p >= 0xc2 && *p <= 0xf4) {
			memcpy(s->pend, p, n); /* perhaps completed by the next write */
			s->npend = n;
			break;
		}
		if (o + 8 > sizeof(out)) {
			if (write_all(s->fd, out, o))
				return -1;
			o = 0;
		}
		if (len == 0 || (*p < 0x20 && *p != '\n' && *p != '\t') || *p == 0x7f) {
			static const char hex[] = "0123456789abcdef";
			out[o++] = '\\';
			out[o++] = 'x';
			out[o++] = (unsigned char)hex[*p >> 4];
			out[o++] = (unsigned char)hex[*p & 15];
			len = 1;
		} else {
			memcpy(out + o, p, len);
			o += len;
		}
		p += len;
		n -= len;
	}
	return o ? write_all(s->fd, out, o) : 0;
}

static ssize_t safe__write(void *cookie, const char *buf, size_t size)
{
	struct safe_stream *s = cookie;
	const unsigned char *p = (const unsigned char *)buf;
	size_t n = size;

	/* Finish a character the last write left open. */
	while (s->npend && n) {
		s->pend[s->npend++] = *p++;
		n--;
		size_t len = utf8__char_len(s->pend, s->npend);
		if (len || s->npend == 4 || s->pend[s->npend - 1] < 0x80 || s->pend[s->npend - 1] > 0xbf) {
			size_t k = s->npend;
			s->npend = 0;
			if (safe__emit(s, s->pend, k, false))
				return -1;
		}
	}
	if (n && safe__emit(s, p, n, true))
		return -1;
	return (ssize_t)size;
}

static int safe__close(void *cookie)
{
	struct safe_stream *s = cookie;
	size_t k = s->npend;

	s->npend = 0;
	return k ? safe__emit(s, s->pend, k, false) : 0;
}

static FILE *safe__open(struct safe_stream *s, int fd, int mode)
{
	cookie_io_functions_t io = { .write = safe__write, .close = safe__close };
	FILE *f;

	s->fd = fd;
	s->npend = 0;
	f = fopencookie(s, "w", io);
	if (f)
		setvbuf(f, NULL, mode, BUFSIZ);
	return f;
}

void safe_stdio__install(void)
{
	static struct safe_stream out, err;
	FILE *o, *e;

	fflush(stdout);
	fflush(stderr);
	o = safe__open(&out, STDOUT_FILENO, isatty(STDOUT_FILENO) ? _IOLBF : _IOFBF);
	e = safe__open(&err, STDERR_FILENO, _IONBF);
	if (o)
		stdout = o;
	if (e)
		stderr = e;
}
