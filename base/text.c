// SPDX-License-Identifier: MIT
#include <stdbool.h>
#include <string.h>

#include "text.h"

size_t utf8__char_len(const unsigned char *s, size_t left)
{
	unsigned char c = s[0];
	size_t n;
	unsigned int lo = 0x80, hi = 0xbf; /* the second byte's range */

	if (left == 0)
		return 0;
	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf) {
		n = 2;
	} else if (c >= 0xe0 && c <= 0xef) {
		n = 3;
		if (c == 0xe0)
			lo = 0xa0; /* overlong */
		else if (c == 0xed)
			hi = 0x9f; /* surrogates */
	} else if (c >= 0xf0 && c <= 0xf4) {
		n = 4;
		if (c == 0xf0)
			lo = 0x90;
		else if (c == 0xf4)
			hi = 0x8f; /* past U+10FFFF */
	} else {
		return 0;
	}
	if (left < n || s[1] < lo || s[1] > hi)
		return 0;
	for (size_t i = 2; i < n; i++)
		if (s[i] < 0x80 || s[i] > 0xbf)
			return 0;
	return n;
}

static void json_str(FILE *f, const char *s, bool script)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t left = s ? strlen(s) : 0;

	fputc('"', f);
	while (left) {
		size_t n = utf8__char_len(p, left);
		if (n == 0) {
			fputs("\\ufffd", f);
			n = 1;
		} else if (*p == '"' || *p == '\\') {
			fprintf(f, "\\%c", *p);
		} else if (*p < 0x20 || *p == 0x7f || (script && *p == '<')) {
			fprintf(f, "\\u%04x", *p);
		} else {
			fwrite(p, 1, n, f);
		}
		p += n;
		left -= n;
	}
	fputc('"', f);
}

void text__json(FILE *f, const char *s)
{
	json_str(f, s, false);
}

void text__json_script(FILE *f, const char *s)
{
	json_str(f, s, true);
}

void text__xml(FILE *f, const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;

	while (len) {
		size_t n = utf8__char_len(p, len);
		if (n == 0 || (*p < 0x20 && *p != '\t' && *p != '\n') || *p == 0x7f) {
			fputs("\xef\xbf\xbd", f); /* XML 1.0 holds no such character */
			n = n ? n : 1;
		} else if (*p == '&') {
			fputs("&amp;", f);
		} else if (*p == '<') {
			fputs("&lt;", f);
		} else if (*p == '>') {
			fputs("&gt;", f);
		} else if (*p == '"') {
			fputs("&quot;", f);
		} else if (*p == '\'') {
			fputs("&apos;", f);
		} else {
			fwrite(p, 1, n, f);
		}
		p += n;
		len -= n;
	}
}

char *text__terminal(char *dst, size_t cap, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t left = strlen(s), o = 0;

	if (!cap)
		return dst;
	while (left) {
		size_t n = utf8__char_len(p, left);
		if (n == 0 || *p < 0x20 || *p == 0x7f) {
			if (o + 5 > cap)
				break;
			static const char hex[] = "0123456789abcdef";
			dst[o++] = '\\';
			dst[o++] = 'x';
			dst[o++] = hex[*p >> 4];
			dst[o++] = hex[*p & 15];
			n = 1;
		} else {
			if (o + n + 1 > cap)
				break;
			memcpy(dst + o, p, n);
			o += n;
		}
		p += n;
		left -= n;
	}
	dst[o] = 0;
	return dst;
}

char *text__folded_frame(char *s, size_t cap)
{
	unsigned char *p = (unsigned char *)s;
	size_t left = strlen(s);

	while (left) {
		size_t n = utf8__char_len(p, left);
		if (n == 0 || *p < 0x20 || *p == 0x7f) {
			*p = '?';
			n = 1;
		} else if (*p == ';') {
			*p = ':';
		}
		p += n;
		left -= n;
	}
	size_t len = strlen(s);
	while (len && s[len - 1] == ' ')
		s[--len] = '_';
	if (!len && cap >= 2) {
		s[0] = '?';
		s[1] = 0;
	}
	return s;
}

char *text__hex(char *hex, const unsigned char *bytes, size_t len)
{
	static const char digits[] = "0123456789abcdef";

	for (size_t i = 0; i < len; i++) {
		hex[2 * i] = digits[bytes[i] >> 4];
		hex[2 * i + 1] = digits[bytes[i] & 15];
	}
	hex[2 * len] = 0;
	return hex;
}
