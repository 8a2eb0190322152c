// SPDX-License-Identifier: MIT
/*
 * A table as Parquet or CSV: see table.h. CSV (RFC 4180): a header line,
 * strings always quoted ("" inside), null as an empty field, booleans as
 * true/false, timestamps as "YYYY-MM-DD HH:MM:SS.nnnnnnnnn" (UTC).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "base/text.h"
#include "table.h"

static char *tmp_path(const char *path)
{
	size_t n = strlen(path) + 5;
	char *p = malloc(n);

	if (p)
		snprintf(p, n, "%s.tmp", path);
	return p;
}

int table__open(struct table *t, enum table_format format, const char *path,
		const struct pq_column *cols, unsigned ncols, uint32_t rows_per_group)
{
	memset(t, 0, sizeof(*t));
	t->format = format;
	t->cols = cols;
	t->ncols = ncols;
	t->path = strdup(path);
	t->tmp = tmp_path(path);
	if (!t->path || !t->tmp)
		return -ENOMEM;
	unlink(t->tmp); /* a leftover of an export that was killed */
	t->f = fopen(t->tmp, "wbx");
	if (!t->f)
		return -errno;
	if (format == TABLE_PARQUET)
		return t->err = pq__open(t->f, cols, ncols, rows_per_group, &t->pq);
	for (unsigned i = 0; i < ncols; i++)
		fprintf(t->f, "%s%s", i ? "," : "", cols[i].name);
	fputc('\n', t->f);
	return 0;
}

void table__meta(struct table *t, const char *key, const char *value)
{
	if (t->pq && pq__meta(t->pq, key, value) && !t->err)
		t->err = -ENOMEM;
}

static void csv__sep(struct table *t)
{
	if (t->col++)
		fputc(',', t->f);
}

void table__i64(struct table *t, int64_t v)
{
	if (t->pq) {
		pq__i64(t->pq, t->col++, v);
		return;
	}
	csv__sep(t);
	fprintf(t->f, "%lld", (long long)v);
}

void table__bool(struct table *t, bool v)
{
	if (t->pq) {
		pq__bool(t->pq, t->col++, v);
		return;
	}
	csv__sep(t);
	fputs(v ? "true" : "false", t->f);
}

void table__time(struct table *t, int64_t ns)
{
	if (t->pq) {
		pq__i64(t->pq, t->col++, ns);
		return;
	}
	int64_t s = ns / 1000000000, frac = ns % 1000000000;
	if (frac < 0) { /* before 1970: floor, a positive fraction */
		s--;
		frac += 1000000000;
	}
	time_t tt = (time_t)s;
	struct tm tm;
	char buf[32] = "?";
	if (gmtime_r(&tt, &tm))
		strftime(buf, sizeof(buf), "%Y-%m-%d %H:%M:%S", &tm);
	csv__sep(t);
	fprintf(t->f, "%s.%09lld", buf, (long long)frac);
}

void table__null(struct table *t)
{
	if (t->pq) {
		pq__null(t->pq, t->col++);
		return;
	}
	csv__sep(t);
}

/* @s as valid UTF-8: the bytes of invalid sequences become '?'. */
static const char *valid_utf8(struct table *t, const char *s, size_t *n)
{
	size_t i = 0;

	while (i < *n && !(s[i] & 0x80)) /* ASCII, the usual case */
		i++;
	while (i < *n) {
		size_t k = utf8__char_len((const unsigned char *)s + i, *n - i);
		if (!k)
			break;
		i += k;
	}
	if (i == *n)
		return s;
	if (*n > t->fixcap) {
		char *f = realloc(t->fix, *n);
		if (!f) {
			t->err = -ENOMEM;
			*n = 0;
			return "";
		}
		t->fix = f;
		t->fixcap = *n;
	}
	memcpy(t->fix, s, *n);
	for (i = 0; i < *n;) {
		size_t k = utf8__char_len((const unsigned char *)t->fix + i, *n - i);
		if (!k) {
			t->fix[i++] = '?';
			continue;
		}
		i += k;
	}
	return t->fix;
}

void table__strn(struct table *t, const char *s, size_t n)
{
	s = valid_utf8(t, s, &n);
	if (t->pq) {
		pq__str(t->pq, t->col++, s, n);
		return;
	}
	csv__sep(t);
	fputc('"', t->f);
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '"')
			fputc('"', t->f);
		fputc(s[i], t->f);
	}
	fputc('"', t->f);
}

void table__str(struct table *t, const char *s)
{
	table__strn(t, s, strlen(s));
}

int table__row(struct table *t)
{
	if (t->col != t->ncols && !t->err)
		t->err = -EINVAL;
	t->col = 0;
	if (t->pq) {
		int err = pq__row(t->pq);
		if (err && !t->err)
			t->err = err;
	} else {
		fputc('\n', t->f);
	}
	return t->err;
}

int table__close(struct table *t, bool keep)
{
	int err = t->err;

	if (t->pq) {
		int perr = pq__close(t->pq);
		err = err ? err : perr;
		t->pq = NULL;
	}
	if (t->f && fclose(t->f) && !err)
		err = -EIO;
	t->f = NULL;
	free(t->fix);
	t->fix = NULL;
	if (t->tmp) {
		if (!err && keep && rename(t->tmp, t->path))
			err = -errno;
		if (err || !keep)
			unlink(t->tmp);
	}
	free(t->tmp);
	free(t->path);
	t->tmp = t->path = NULL;
	return err;
}
