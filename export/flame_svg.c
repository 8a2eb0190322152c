// SPDX-License-Identifier: MIT
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "base/text.h"
#include "flame_svg.h"

#define FRAME_H 16
#define TOP 44
#define BOTTOM 30
#define PAD 10
#define MIN_PX 0.3

/* A node of the merged stack tree; children in a singly linked list. */
struct node {
	const char *name; /* points into a line: not NUL-terminated */
	size_t len;
	uint64_t value, before;
	struct node *child, *next;
};

struct tree {
	struct node root;
	unsigned int depth;
	int err;
};

static struct node *child__get(struct tree *t, struct node *parent, const char *name, size_t len)
{
	struct node **p = &parent->child;

	for (; *p; p = &(*p)->next)
		if ((*p)->len == len && !memcmp((*p)->name, name, len))
			return *p;
	struct node *n = calloc(1, sizeof(*n));
	if (!n) {
		t->err = -ENOMEM;
		return NULL;
	}
	n->name = name;
	n->len = len;
	*p = n;
	return n;
}

static void tree__add(struct tree *t, const struct flame_line *l)
{
	struct node *n = &t->root;
	const char *p = l->stack;
	unsigned int depth = 0;

	n->value += l->value;
	n->before += l->before;
	while (*p && n) {
		size_t len = strcspn(p, ";");
		n = child__get(t, n, p, len);
		if (!n)
			return;
		n->value += l->value;
		n->before += l->before;
		depth++;
		p += len;
		if (*p == ';')
			p++;
	}
	if (depth > t->depth)
		t->depth = depth;
}

static void tree__free(struct node *n)
{
	while (n) {
		struct node *next = n->next;
		tree__free(n->child);
		free(n);
		n = next;
	}
}

enum kind { K_USER, K_KERNEL, K_WAKER, K_SEP, K_COMM };

/* The frame's kind from its mark, and its name without the mark. */
static enum kind kind_of(const struct node *n, unsigned int depth, size_t *len)
{
	*len = n->len;
	if (n->len >= 4 && n->name[n->len - 4] == '_' && n->name[n->len - 3] == '[' &&
	    n->name[n->len - 1] == ']') {
		*len = n->len - 4;
		if (n->name[n->len - 2] == 'k')
			return K_KERNEL;
		if (n->name[n->len - 2] == 'w')
			return K_WAKER;
	}
	if ((n->len == 2 && !memcmp(n->name, "--", 2)) || (n->len == 1 && n->name[0] == '-'))
		return K_SEP;
	return depth == 1 ? K_COMM : K_USER;
}

static unsigned int hash(const char *s, size_t len)
{
	unsigned int h = 2166136261u;

	for (size_t i = 0; i < len; i++)
		h = (h ^ (unsigned char)s[i]) * 16777619u;
	return h;
}

static void color(char *out, size_t sz, const struct node *n, enum kind k, size_t len,
		  const struct flame_opts *o)
{
	unsigned int h = hash(n->name, len), v = h % 55, w = (h >> 8) % 55;

	if (o->differential) {
		/* Red where it grew, blue where it shrank, white unchanged. */
		double a = (double)n->before, b = (double)n->value, d = b - a;
		double m = (a > b ? a : b) ? d / (a > b ? a : b) : 0;
		int c = 255 - (int)(210 * (m < 0 ? -m : m));
		if (m > 0)
			snprintf(out, sz, "rgb(255,%d,%d)", c, c);
		else
			snprintf(out, sz, "rgb(%d,%d,255)", c, c);
		return;
	}
	switch (k) {
	case K_KERNEL: snprintf(out, sz, "rgb(%u,%u,%u)", 200 + v % 55, 110 + w, 30); break;
	case K_WAKER: snprintf(out, sz, "rgb(%u,%u,%u)", 60 + v, 120 + w, 220); break;
	case K_SEP: snprintf(out, sz, "rgb(200,200,200)"); break;
	case K_COMM: snprintf(out, sz, "rgb(170,170,%u)", 150 + v); break;
	default: snprintf(out, sz, "rgb(%u,%u,%u)", 225 + v % 30, 60 + w * 2, 50 + v); break;
	}
}

static void xml(FILE *f, const char *s, size_t len)
{
	text__xml(f, s, len);
}

struct render {
	FILE *f;
	const struct flame_opts *o;
	double scale; /* px per unit */
	uint64_t total;
	unsigned int height;
};

static void node__render(struct render *r, const struct node *n, unsigned int depth, double x)
{
	double w = (double)n->value * r->scale;
	size_t len;

	if (w < MIN_PX)
		return;
	if (depth > 0) {
		enum kind k = kind_of(n, depth, &len);
		char fill[40];
		double y = r->height - BOTTOM - (double)depth * FRAME_H;
		color(fill, sizeof(fill), n, k, len, r->o);
		fprintf(r->f, "<g class=\"f\"><title>");
		xml(r->f, n->name, len);
		if (r->o->per_unit > 1)
			fprintf(r->f, " (%.3f %s, %.2f%%", (double)n->value / (double)r->o->per_unit,
				r->o->countname,
				100.0 * (double)n->value / (double)r->total);
		else
			fprintf(r->f, " (%llu %s, %.2f%%", (unsigned long long)n->value, r->o->countname,
			100.0 * (double)n->value / (double)r->total);
		if (r->o->differential)
			fprintf(r->f, "; before %llu", (unsigned long long)n->before);
		fprintf(r->f, ")</title><rect x=\"%.1f\" y=\"%.0f\" width=\"%.1f\" height=\"%d\" "
			      "fill=\"%s\" rx=\"2\"/><text x=\"%.1f\" y=\"%.0f\">",
			x, y, w, FRAME_H - 1, fill, x + 3, y + 11.5);
		/* About 7 px a character at this size; the script redoes this when zooming. */
		size_t fit = w > 21 ? (size_t)((w - 6) / 7) : 0;
		if (fit >= len) {
			xml(r->f, n->name, len);
		} else if (fit > 2) {
			xml(r->f, n->name, fit - 2);
			fputs("..", r->f);
		}
		fputs("</text></g>\n", r->f);
	}
	for (const struct node *c = n->child; c; c = c->next) {
		node__render(r, c, depth + 1, x);
		x += (double)c->value * r->scale;
	}
}

/* Zoom, search and details: plain DOM script, no libraries. */
static const char script[] =
	"<script type=\"text/ecmascript\"><![CDATA[\n"
	"var frames, details, matched, svg;\n"
	"function init(evt) {\n"
	"  svg = document.documentElement;\n"
	"  details = document.getElementById('details').firstChild;\n"
	"  matched = document.getElementById('matched');\n"
	"  frames = Array.prototype.slice.call(document.querySelectorAll('g.f'));\n"
	"  frames.forEach(function (g) {\n"
	"    var r = g.querySelector('rect'), t = g.querySelector('text');\n"
	"    g.ox = +r.getAttribute('x'); g.ow = +r.getAttribute('width');\n"
	"    g.oy = +r.getAttribute('y');\n"
	"    g.label = g.querySelector('title').textContent.replace(/ \\([^(]*\\)$/, '');\n"
	"    g.addEventListener('click', function () { zoom(g); });\n"
	"    g.addEventListener('mouseover', function () {\n"
	"      details.nodeValue = g.querySelector('title').textContent; });\n"
	"    g.addEventListener('mouseout', function () { details.nodeValue = ' '; });\n"
	"  });\n"
	"}\n"
	"function fit(g, w) {\n"
	"  var t = g.querySelector('text'), n = Math.floor((w - 6) / 7);\n"
	"  t.textContent = n >= g.label.length ? g.label : n > 2 ? g.label.substr(0, n - 2) + '..' : '';\n"
	"}\n"
	"function zoom(z) {\n"
	"  var left = z.ox, width = z.ow, full = +svg.getAttribute('width') - 20;\n"
	"  frames.forEach(function (g) {\n"
	"    var r = g.querySelector('rect'), t = g.querySelector('text');\n"
	"    var inside = g.ox >= left - 0.01 && g.ox + g.ow <= left + width + 0.01;\n"
	"    var below = g.oy > z.oy && g.ox <= left + 0.01 && g.ox + g.ow >= left + width - 0.01;\n"
	"    if (!inside && !below) { g.style.display = 'none'; return; }\n"
	"    g.style.display = '';\n"
	"    var x = below ? 10 : 10 + (g.ox - left) * full / width;\n"
	"    var w = below ? full : g.ow * full / width;\n"
	"    r.setAttribute('x', x); r.setAttribute('width', w);\n"
	"    t.setAttribute('x', x + 3); fit(g, w);\n"
	"    g.style.opacity = below ? 0.6 : 1;\n"
	"  });\n"
	"  document.getElementById('unzoom').style.opacity = 1;\n"
	"}\n"
	"function unzoom() {\n"
	"  frames.forEach(function (g) {\n"
	"    var r = g.querySelector('rect'), t = g.querySelector('text');\n"
	"    g.style.display = ''; g.style.opacity = 1;\n"
	"    r.setAttribute('x', g.ox); r.setAttribute('width', g.ow);\n"
	"    t.setAttribute('x', g.ox + 3); fit(g, g.ow);\n"
	"  });\n"
	"  document.getElementById('unzoom').style.opacity = 0;\n"
	"}\n"
	"function search() {\n"
	"  var term = prompt('Search for (regular expression):', '');\n"
	"  if (term === null) return;\n"
	"  var re = new RegExp(term), hit = 0, total = 0, seen = [];\n"
	"  frames.forEach(function (g) {\n"
	"    var r = g.querySelector('rect');\n"
	"    if (!g.orig) g.orig = r.getAttribute('fill');\n"
	"    if (term && re.test(g.label)) {\n"
	"      r.setAttribute('fill', 'rgb(230,0,230)');\n"
	"      /* count the outermost matches only */\n"
	"      if (!seen.some(function (s) { return g.ox >= s[0] && g.ox + g.ow <= s[1] + 0.01; })) {\n"
	"        seen.push([g.ox, g.ox + g.ow]); hit += g.ow; }\n"
	"    } else r.setAttribute('fill', g.orig);\n"
	"  });\n"
	"  total = +svg.getAttribute('width') - 20;\n"
	"  matched.firstChild.nodeValue = term ? 'Matched: ' + (100 * hit / total).toFixed(1) + '%' : ' ';\n"
	"}\n"
	"]]></script>\n";

int flame_svg__write(FILE *out, const struct flame_line *lines, long n, const struct flame_opts *o)
{
	struct tree t = { 0 };
	struct render r = { .f = out, .o = o };
	unsigned int width = o->width ? o->width : 1200;

	for (long i = 0; i < n && !t.err; i++)
		tree__add(&t, &lines[i]);
	if (t.err) {
		tree__free(t.root.child);
		return t.err;
	}
	r.total = t.root.value ? t.root.value : 1;
	r.scale = (double)(width - 2 * PAD) / (double)r.total;
	r.height = TOP + BOTTOM + (t.depth + 1) * FRAME_H;

	fprintf(out, "<?xml version=\"1.0\" standalone=\"no\"?>\n"
		     "<svg version=\"1.1\" width=\"%u\" height=\"%u\" onload=\"init(evt)\" "
		     "viewBox=\"0 0 %u %u\" xmlns=\"http://www.w3.org/2000/svg\">\n",
		width, r.height, width, r.height);
	fprintf(out, "<style>text { font-family: Verdana, sans-serif; font-size: 12px; fill: #000; }"
		     " g.f:hover rect { stroke: #000; stroke-width: 0.5; cursor: pointer; }"
		     " .title { font-size: 17px; } .ui { cursor: pointer; }</style>\n");
	fputs(script, out);
	fprintf(out, "<rect x=\"0\" y=\"0\" width=\"%u\" height=\"%u\" fill=\"rgb(248,248,245)\"/>\n",
		width, r.height);
	fprintf(out, "<text class=\"title\" x=\"%u\" y=\"24\" text-anchor=\"middle\">", width / 2);
	xml(out, o->title ? o->title : "Flame Graph", strlen(o->title ? o->title : "Flame Graph"));
	fprintf(out, "</text>\n<text id=\"unzoom\" class=\"ui\" x=\"%d\" y=\"24\" opacity=\"0\" "
		     "onclick=\"unzoom()\">Reset Zoom</text>\n",
		PAD);
	fprintf(out, "<text class=\"ui\" x=\"%u\" y=\"24\" text-anchor=\"end\" onclick=\"search()\">"
		     "Search</text>\n",
		width - PAD);
	fprintf(out, "<text id=\"matched\" x=\"%u\" y=\"%u\" text-anchor=\"end\"> </text>\n",
		width - PAD, r.height - 10);
	fprintf(out, "<text id=\"details\" x=\"%d\" y=\"%u\"> </text>\n", PAD, r.height - 10);
	node__render(&r, &t.root, 0, PAD);
	fprintf(out, "</svg>\n");
	tree__free(t.root.child);
	return ferror(out) ? -EIO : 0;
}
