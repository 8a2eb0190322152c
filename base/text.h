/* SPDX-License-Identifier: MIT */
/*
 * Bytes from a trace (names, symbols, metadata) are untrusted: any byte may
 * be in them. These put them into an output format so that the output stays
 * what it claims to be: valid UTF-8, and no control bytes for a terminal.
 */
#ifndef SCHEDTAPE_BASE_TEXT_H
#define SCHEDTAPE_BASE_TEXT_H

#include <stddef.h>
#include <stdio.h>

/*
 * The length (1-4) of the well-formed UTF-8 character at @s, of at most
 * @left bytes, or 0 if none starts there (a stray byte, an overlong or
 * surrogate form, a sequence cut short). ASCII control bytes count as
 * characters here: callers decide about them.
 */
size_t utf8__char_len(const unsigned char *s, size_t left);

/* @s as the contents of a JSON string: control bytes \u00XX, bad UTF-8 \ufffd. */
void text__json(FILE *f, const char *s);
/* The same, and '<' as \u003c: the string can sit inside an HTML <script> element. */
void text__json_script(FILE *f, const char *s);

/* @len bytes of @s as XML text or attribute: & < > " ' escaped, what XML cannot hold U+FFFD. */
void text__xml(FILE *f, const char *s, size_t len);

/*
 * @s into @dst (@cap bytes with the NUL) for a terminal: control bytes and
 * bytes of no UTF-8 character become \xNN. Returns @dst.
 */
char *text__terminal(char *dst, size_t cap, const char *s);

/*
 * Replace, in place, what would break a folded-stacks line (frame;frame N):
 * ';' by ':', control bytes and bad UTF-8 by '?', a space at the end by '_'.
 * An empty name becomes "?" when @cap allows. Returns @s.
 */
char *text__folded_frame(char *s, size_t cap);

/* @len bytes as lowercase hex into @hex (2 * @len + 1 bytes): build-ids. Returns @hex. */
char *text__hex(char *hex, const unsigned char *bytes, size_t len);

#endif
