// SPDX-License-Identifier: MIT
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "base/grow.h"
#include "idle_overlap.h"

enum cpu_state { CPU_UNKNOWN, CPU_BUSY, CPU_IDLE };

struct cpu_idle {
	uint8_t state;
	uint64_t since;	     /* CPU_IDLE: idle from */
	uint64_t known_from; /* idle periods before this were not seen (first switch, after a loss) */
	uint64_t ring[IDLE_HISTORY][2];
	uint32_t head, n;    /* ring: the newest at head - 1 */
	bool dropped;	     /* periods fell out of the ring */
};

struct piece {
	uint64_t s, e;
};

struct idle_overlap {
	struct cpu_idle *cpu;
	size_t ncpus, cap;
	struct piece *pieces; /* scratch for idle_overlap__of */
	size_t npieces_cap;
};

int idle_overlap__new(struct idle_overlap **out)
{
	*out = calloc(1, sizeof(**out));
	return *out ? 0 : -ENOMEM;
}

void idle_overlap__free(struct idle_overlap *io)
{
	if (!io)
		return;
	free(io->cpu);
	free(io->pieces);
	free(io);
}

static struct cpu_idle *cpu_of(struct idle_overlap *io, uint32_t cpu)
{
	if (cpu >= ST_MAX_CPU)
		return NULL;
	if (cpu >= io->ncpus) {
		if (grow(&io->cpu, &io->cap, cpu + 1, sizeof(*io->cpu)))
			return NULL;
		memset(io->cpu + io->ncpus, 0, (cpu + 1 - io->ncpus) * sizeof(*io->cpu));
		io->ncpus = cpu + 1;
	}
	return &io->cpu[cpu];
}

static void remember(struct cpu_idle *c, uint64_t s, uint64_t e)
{
	if (c->n == IDLE_HISTORY)
		c->dropped = true;
	else
		c->n++;
	c->ring[c->head][0] = s;
	c->ring[c->head][1] = e;
	c->head = (c->head + 1) % IDLE_HISTORY;
}

void idle_overlap__event(struct idle_overlap *io, const struct st_event *e)
{
	struct cpu_idle *c;

	if (e->type != ST_REC_SWITCH && e->type != ST_REC_LOSS)
		return;
	c = cpu_of(io, e->cpu);
	if (!c)
		return;
	if (e->type == ST_REC_LOSS) {
		c->state = CPU_UNKNOWN;
		c->n = 0;
		c->dropped = false;
		return;
	}
	if (c->state == CPU_UNKNOWN)
		c->known_from = e->ts;
	if (c->state == CPU_IDLE && e->ts > c->since)
		remember(c, c->since, e->ts);
	if (e->sw.next_tid == 0) {
		c->state = CPU_IDLE;
		c->since = e->ts;
	} else {
		c->state = CPU_BUSY;
	}
}

static int by_start(const void *a, const void *b)
{
	const struct piece *x = a, *y = b;

	return x->s < y->s ? -1 : x->s > y->s;
}

uint64_t idle_overlap__of(struct idle_overlap *io, uint32_t cpu, uint64_t start, uint64_t end,
			  bool *partial)
{
	size_t np = 0;

	*partial = false;
	if (end <= start)
		return 0;
	for (size_t i = 0; i < io->ncpus; i++) {
		struct cpu_idle *c = &io->cpu[i];
		if (i == cpu)
			continue;
		size_t need = np + c->n + 1;
		if (grow(&io->pieces, &io->npieces_cap, need, sizeof(*io->pieces))) {
			*partial = true;
			break;
		}
		if (c->state == CPU_IDLE && c->since < end)
			io->pieces[np++] = (struct piece){ c->since > start ? c->since : start, end };
		uint64_t oldest = UINT64_MAX;
		for (uint32_t k = 0; k < c->n; k++) {
			uint32_t at = (c->head + IDLE_HISTORY - 1 - k) % IDLE_HISTORY;
			uint64_t s = c->ring[at][0], e = c->ring[at][1];
			oldest = s;
			if (e <= start) {
				oldest = 0; /* reached back: older ones end earlier still */
				break;
			}
			if (s < end)
				io->pieces[np++] = (struct piece){ s > start ? s : start,
								   e < end ? e : end };
		}
		if ((c->dropped && oldest > start) || c->known_from > start || c->state == CPU_UNKNOWN)
			*partial = true;
	}
	if (!np)
		return 0;
	/* The union of the pieces: two idle CPUs at once count once. */
	qsort(io->pieces, np, sizeof(*io->pieces), by_start);
	uint64_t total = 0, reach = 0;
	for (size_t i = 0; i < np; i++) {
		uint64_t s = io->pieces[i].s > reach ? io->pieces[i].s : reach;
		if (io->pieces[i].e > s) {
			total += io->pieces[i].e - s;
			reach = io->pieces[i].e;
		}
	}
	return total;
}
