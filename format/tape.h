/* SPDX-License-Identifier: MIT */
/*
 * The schedtape trace file: constants, decoded record types, writer and
 * reader. docs/FORMAT.md is the byte-level specification this implements.
 * Portable C11: no Linux headers, no libbpf.
 *
 * Conventions: functions return 0 or a negative error code (-errno or
 * -ST_E*); st_strerror() turns either into words.
 */
#ifndef SCHEDTAPE_FORMAT_TAPE_H
#define SCHEDTAPE_FORMAT_TAPE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ST_MAGIC "SCHDTAPE"
#define ST_MAGIC_LEN 8
#define ST_VERSION_MAJOR 1
#define ST_VERSION_MINOR 3
#define ST_FILE_HEADER_SIZE 64
#define ST_CHUNK_HEADER_SIZE 64
#define ST_CHUNK_MAGIC 0x4B4E4843u /* "CHNK" little-endian */

/* Hard caps a reader enforces before allocating anything. */
#ifndef ST_MAX_RAW /* fuzzing builds lower it: the same checks, cheaper bombs */
#define ST_MAX_RAW (16u << 20)
#endif
#define ST_MAX_STORED (ST_MAX_RAW + (ST_MAX_RAW >> 7) + 4096)
#define ST_MAX_CPU 4096

/*
 * Budgets against compression bombs, from the file's size: all chunks may
 * unpack to 64 times it (every analysis pass unpacks the events again), the
 * tables held in memory to 16 times it; with floors for small files. Real
 * recordings unpack 4-6 times their size.
 */
#define ST_BUDGET_RAW_RATIO 64u
#define ST_BUDGET_RAW_FLOOR (256ull << 20)
#define ST_BUDGET_TABLE_RATIO 16u
#define ST_BUDGET_TABLE_FLOOR (32ull << 20)
#define ST_MAX_FRAMES 255
#define ST_MAX_STR 4096
#define ST_MAX_BUILD_ID 64
#define ST_COMM_LEN 16
#define ST_CPU_NONE 0xFFFFFFFFu
#define ST_MAX_LOSS (1ull << 48) /* a LOSS count at or past this is malformed */
#define ST_MAX_SPAN_NS (366ull * 24 * 3600 * 1000000000ull) /* events over more: a problem */

/* Stack ids in events: 0 means none was taken; LOST that capture failed. */
#define ST_STACK_NONE 0u
#define ST_STACK_LOST 0xFFFFFFFFu

/* Feature flags; see FORMAT.md. */
#define ST_COMPAT_KNOWN 0ull
#define ST_INCOMPAT_COMPACT_SCHED 0x1ull /* SWITCH_C and WAKING_C records */
#define ST_INCOMPAT_QUEUE 0x2ull /* SWITCH_C flag 0x80: ext byte (run-queue wait, steal) */
#define ST_INCOMPAT_KNOWN (ST_INCOMPAT_COMPACT_SCHED | ST_INCOMPAT_QUEUE)

enum st_chunk_type {
	ST_CHUNK_META = 1,
	ST_CHUNK_EVENTS = 2,
	ST_CHUNK_STACKS = 3,
	ST_CHUNK_TASKS = 4,
	ST_CHUNK_MAPS = 5,
	ST_CHUNK_KSYMS = 6,
	ST_CHUNK_USYMS = 7,
	ST_CHUNK_STATS = 8,
	ST_CHUNK_INDEX = 9,
	ST_CHUNK_CGROUPS = 10,
	ST_CHUNK_TYPE_MAX = 10,
};

enum st_rec_type {
	ST_REC_KV = 0x01,
	ST_REC_SWITCH = 0x10,
	ST_REC_WAKING = 0x11,
	ST_REC_WAKEUP_NEW = 0x12,
	ST_REC_FORK = 0x13,
	ST_REC_EXEC = 0x14,
	ST_REC_EXIT = 0x15,
	ST_REC_RENAME = 0x16,
	ST_REC_LOSS = 0x17,
	ST_REC_SWITCH_C = 0x18, /* decoded as ST_REC_SWITCH */
	ST_REC_WAKING_C = 0x19, /* decoded as ST_REC_WAKING */
	ST_REC_STACK = 0x30,
	ST_REC_TASK = 0x40,
	ST_REC_MAP = 0x50,
	ST_REC_KSYM = 0x60,
	ST_REC_USYM = 0x70,
	ST_REC_STAT = 0x80,
	ST_REC_INDEX = 0x90,
	ST_REC_CGROUP = 0xA0,
};

/* SWITCH_C flags: which fields are left out (FORMAT.md). */
#define ST_SWC_PREV_CURRENT 0x01      /* prev is the chunk's current task */
#define ST_SWC_NEXT_PID_IS_TID 0x02
#define ST_SWC_PREV_PRIO_DEFAULT 0x04 /* prev_prio is 120 */
#define ST_SWC_NEXT_PRIO_DEFAULT 0x08
#define ST_SWC_KSTACK 0x10	      /* present; else 0 */
#define ST_SWC_USTACK 0x20
#define ST_SWC_PREV_PID_IS_TID 0x40
#define ST_SWC_EXT 0x80		      /* an ext byte follows (incompat 0x2) */
#define ST_SWX_QUEUED 0x01	      /* ext: next's queue delay follows */
#define ST_SWX_EXCLUDED 0x02	      /* ext: prev's uncharged time follows */
#define ST_SWX_CHARGED 0x04	      /* ext: prev's runtime as the kernel charged it follows */
#define ST_SWX_KNOWN (ST_SWX_QUEUED | ST_SWX_EXCLUDED | ST_SWX_CHARGED)
/* WAKING_C flags. */
#define ST_WKC_WAKER_CURRENT 0x01
#define ST_WKC_WAKEE_PID_IS_TID 0x02
#define ST_WKC_TARGET_THIS_CPU 0x04
#define ST_WKC_CTX 0x08		      /* present; else 0 (task) */
#define ST_WKC_KSTACK 0x10
#define ST_WKC_USTACK 0x20
#define ST_WKC_WAKER_PID_IS_TID 0x40
#define ST_DEFAULT_PRIO 120

/* Where a wakeup was issued from. */
enum st_wake_ctx {
	ST_CTX_TASK = 0,
	ST_CTX_HARDIRQ = 1,
	ST_CTX_SOFTIRQ = 2,
	ST_CTX_NMI = 3,
};

/* Why events were lost. */
enum st_loss_cause {
	ST_LOSS_BUFFER_FULL = 1,  /* the kernel's per-CPU buffer overflowed */
	ST_LOSS_WRITER_BEHIND = 2, /* the writer thread's queue was full */
	ST_LOSS_DECODE = 3,        /* the recorder got a sample it could not parse */
};

enum st_errors {
	ST_E_BASE = 4096,
	ST_EMAGIC,	/* not a schedtape file */
	ST_EVERSION,	/* unsupported major version */
	ST_EINCOMPAT,	/* unknown incompatible feature */
	ST_EHEADER,	/* file header corrupt */
	ST_ECHUNKHDR,	/* chunk header corrupt */
	ST_ECRC,	/* payload checksum mismatch */
	ST_ETRUNC,	/* file ends inside a chunk */
	ST_ETOOBIG,	/* declared size over the hard cap */
	ST_EZSTD,	/* payload is not a valid zstd frame */
	ST_ESIZE,	/* decompressed size differs from declared */
	ST_ERECORD,	/* malformed record */
	ST_ECOUNT,	/* record count differs from chunk header */
	ST_ETIME,	/* timestamps out of order or outside the chunk's span */
	ST_ESEQ,	/* chunk sequence numbers skip: chunks are missing */
	ST_ERANGE,	/* a field is out of its valid range */
	ST_EBUDGET,	/* the file unpacks to more than a file of its size may */
	ST_E_END,
};

/* Words for an error code returned by any function here (or a -errno). */
const char *st_strerror(int err);

/* --- decoded records ---------------------------------------------------- */

struct st_event {
	uint64_t ts; /* ns, the trace clock (see meta clock_id) */
	uint32_t cpu;
	uint8_t type; /* enum st_rec_type, event kinds only */
	union {
		struct {
			uint32_t prev_tid, prev_pid, next_tid, next_pid;
			char prev_state; /* 'R' preempted, 'S', 'D', 'T', 't', 'X', 'Z', 'P', 'I' */
			uint8_t prev_prio, next_prio;
			uint32_t kstack, ustack; /* prev's stack ids */
			/*
			 * How long next waited on run queues since it last ran, as the
			 * kernel's schedstat run delay counts it (when has_queued).
			 */
			uint64_t next_queued;
			bool has_queued;
			/*
			 * Of prev's time on the CPU since its switch-in, ns the kernel
			 * charged to no task: host steal (and IRQs, where counted).
			 */
			uint64_t prev_excluded;
			/* The runtime the kernel charged prev for the slice (has_charged). */
			uint64_t prev_charged;
			bool has_charged;
		} sw;
		/* ST_REC_WAKING and ST_REC_WAKEUP_NEW */
		struct {
			uint32_t waker_tid, waker_pid, wakee_tid, wakee_pid;
			uint32_t target_cpu;
			uint8_t ctx; /* enum st_wake_ctx */
			uint32_t kstack, ustack; /* the waker's */
		} wake;
		struct {
			uint32_t parent_tid, parent_pid, child_tid, child_pid;
		} fork;
		/* ST_REC_EXEC, ST_REC_EXIT, ST_REC_RENAME */
		struct {
			uint32_t tid, pid;
			char comm[ST_COMM_LEN]; /* new comm; for EXIT the last one */
			const char *filename;	/* EXEC only; points into the chunk */
			uint32_t filename_len;
		} task;
		/* Events on this CPU in [ts, end_ts] were lost. */
		struct {
			uint64_t end_ts;
			uint64_t count;
			uint8_t cause; /* enum st_loss_cause */
		} loss;
	};
};

/* One frame: a kernel address (map 0), or a file offset in map @map. */
struct st_frame {
	uint64_t addr;
	uint32_t map;
};

enum st_stack_kind { ST_STACK_KERNEL = 1, ST_STACK_USER = 2 };
#define ST_STACK_TRUNCATED 0x1 /* deeper than the capture limit */

struct st_stack {
	uint32_t id;
	uint8_t kind;
	uint8_t flags;
	uint16_t nframes;
	const struct st_frame *frames; /* innermost first */
};

#define ST_TASK_SNAPSHOT 0x1 /* existed when recording started */
#define ST_TASK_KTHREAD 0x2

struct st_task {
	uint64_t ts; /* when this was true */
	uint32_t tid, pid, ppid;
	uint32_t flags;
	char comm[ST_COMM_LEN];
	const char *cmdline; /* arguments joined by spaces, may be empty */
	uint64_t cgroup;     /* cgroup v2 id (since 1.3; 0: unknown) */
};

/* A cgroup v2 directory: its id (the directory's inode), depth and path below the root. */
struct st_cgroup {
	uint64_t id;
	uint32_t level;
	const char *path; /* "/system.slice/x.service"; "/" for the root */
};

struct st_map {
	uint32_t id; /* user frames refer to this */
	uint32_t pid;
	uint64_t start, end, pgoff;
	uint8_t build_id_len;
	uint8_t build_id[ST_MAX_BUILD_ID];
	const char *path;
};

struct st_sym {
	uint32_t map; /* 0 for kernel symbols */
	uint64_t addr, size;
	const char *name;
};

/* --- chunk building (encoding) ------------------------------------------ */

/* A growable byte buffer; err latches the first allocation failure. */
struct st_buf {
	uint8_t *data;
	size_t len, cap;
	int err;
};

/* Room for @extra more bytes (doubling from 4 KiB). Returns 0 or the latched error. */
int st_buf__reserve(struct st_buf *b, size_t extra);

/* The raw (uncompressed) payload of one chunk being built. */
struct st_chunk {
	uint16_t type;
	uint32_t cpu;
	uint32_t count;
	uint64_t first_ts, last_ts;
	uint64_t clamped; /* events whose timestamp went backwards, stored as last_ts */
	struct st_buf buf;
	/* The current task (the latest switch's next), which compact records refer to. */
	uint32_t cur_tid, cur_pid;
	bool has_cur;
	bool legacy_sched; /* write SWITCH and WAKING, as format 1.0 did (tests) */
};

void st_chunk__init(struct st_chunk *c, uint16_t type, uint32_t cpu);
void st_chunk__reset(struct st_chunk *c);
void st_chunk__free(struct st_chunk *c);

/* Each returns 0, -ENOMEM, or -EINVAL for a value the format cannot hold. */
int st_chunk__add_event(struct st_chunk *c, const struct st_event *e);
int st_chunk__add_stack(struct st_chunk *c, const struct st_stack *s);
int st_chunk__add_task(struct st_chunk *c, const struct st_task *t);
int st_chunk__add_map(struct st_chunk *c, const struct st_map *m);
int st_chunk__add_cgroup(struct st_chunk *c, const struct st_cgroup *g);
int st_chunk__add_sym(struct st_chunk *c, const struct st_sym *s);
int st_chunk__add_kv(struct st_chunk *c, const char *key, const char *value);
int st_chunk__add_stat(struct st_chunk *c, const char *key, uint64_t value);
struct st_chunk_info;
int st_chunk__add_index(struct st_chunk *c, const struct st_chunk_info *e);

/* --- writing ------------------------------------------------------------- */

struct st_writer;

/*
 * Start a trace on @fd (a file or a pipe; never seeks) and write the file
 * header. Returns NULL with errno set on failure.
 */
struct st_writer *st_writer__new(int fd, int zstd_level);

/*
 * Compress @c and append it as one chunk. Returns 0, or -errno from
 * write(2) (-ENOSPC, -EPIPE...), or -ENOMEM. After an error the file still
 * ends on a chunk boundary unless the error was a short write.
 */
int st_writer__add(struct st_writer *w, const struct st_chunk *c);

/* Append the index chunk. Returns 0 or -errno. Does not close the fd. */
int st_writer__finish(struct st_writer *w);

void st_writer__free(struct st_writer *w);

/*
 * A chunk compressed ahead of the trace it goes into (the flight recorder
 * keeps its window so, and writes it to a new trace on demand).
 */
struct st_packed {
	uint16_t type;
	uint32_t cpu, count;
	uint64_t first_ts, last_ts;
	uint32_t raw_size, stored_size;
	uint8_t *data; /* stored_size bytes: one zstd frame */
};

struct st_packer;
/* Returns NULL with errno set. */
struct st_packer *st_packer__new(int zstd_level);
/* Compress @c into @out (its data allocated). Returns 0 or -errno. */
int st_packer__pack(struct st_packer *p, const struct st_chunk *c, struct st_packed *out);
void st_packer__free(struct st_packer *p);
/* @pk's raw payload into @out (replacing what it held). Returns 0 or a negative error. */
int st_packed__unpack(const struct st_packed *pk, struct st_buf *out);
void st_packed__free(struct st_packed *pk);
/* Append a packed chunk, numbered in this file's sequence. Returns 0 or -errno. */
int st_writer__add_packed(struct st_writer *w, const struct st_packed *pk);

struct st_writer_stats {
	uint64_t chunks, raw_bytes, file_bytes, records;
};
void st_writer__stats(const struct st_writer *w, struct st_writer_stats *s);

/* --- reading ------------------------------------------------------------- */

/* A chunk as its (verified) header describes it. */
struct st_chunk_info {
	uint64_t offset; /* of the chunk header in the file */
	uint16_t type;
	uint32_t cpu;
	uint32_t count;
	uint64_t seq;
	uint64_t first_ts, last_ts;
	uint32_t stored_size, raw_size;
	uint32_t crc;
};

/* Something wrong with the file that the reader worked around. */
struct st_problem {
	uint64_t offset;
	int err;
	char detail[96];
};

struct st_file_info {
	uint16_t major, minor;
	uint64_t compat, incompat;
	uint64_t file_size;
	bool finalized;		/* ends with an index chunk that matches the scan */
	bool has_index;
	uint64_t truncated_at;	/* offset of an incomplete trailing chunk, or 0 */
	uint64_t first_ts, last_ts; /* span of all event chunks */
	uint64_t raw_bytes;	/* sum of raw sizes of readable chunks */
	uint32_t ncpus_seen;	/* 1 + highest CPU with events */
};

#define ST_READ_STRICT 0x1 /* the first problem fails the call */

struct st_reader;

/*
 * Open a trace: check the header, scan chunk headers, load the metadata,
 * stack, task, map and symbol tables. A non-seekable @fd is first copied
 * to an unlinked temporary file. The reader does not own @fd.
 * Returns 0 and sets *out, or a negative error.
 */
int st_reader__open_fd(int fd, unsigned int flags, struct st_reader **out);
int st_reader__open(const char *path, unsigned int flags, struct st_reader **out);
void st_reader__free(struct st_reader *r);

const struct st_file_info *st_reader__info(const struct st_reader *r);
size_t st_reader__nchunks(const struct st_reader *r);
const struct st_chunk_info *st_reader__chunk(const struct st_reader *r, size_t i);
const struct st_problem *st_reader__problems(const struct st_reader *r, size_t *n);

/*
 * Read, verify and decompress chunk @i. *raw stays valid until the next
 * call or st_reader__free, and is followed by ST_DECODE_SLACK zero bytes
 * (for st_decode_event_padded). Returns 0 or a negative error (also
 * recorded as a problem).
 */
int st_reader__load(struct st_reader *r, size_t i, const uint8_t **raw, size_t *len);

/*
 * After decoding chunk @i: check that it held @records records ending at
 * @last_ts, as its header says. Returns 0, or the error recorded as a
 * problem when in strict mode.
 */
int st_reader__chunk_done(struct st_reader *r, size_t i, uint32_t records, uint64_t last_ts);

/*
 * Call @fn for every LOSS record, chunk by chunk (no merge). Returns 0 or
 * the first error @fn returns; unreadable chunks are reader problems.
 */
int st_reader__each_loss(struct st_reader *r, int (*fn)(void *ctx, const struct st_event *e),
			 void *ctx);

/* Metadata value for @key, or NULL. */
const char *st_reader__meta(const struct st_reader *r, const char *key);
size_t st_reader__nmeta(const struct st_reader *r);
void st_reader__meta_at(const struct st_reader *r, size_t i, const char **key, const char **value);

/* Statistics written by the recorder. Returns true if @key is present. */
bool st_reader__stat(const struct st_reader *r, const char *key, uint64_t *value);
size_t st_reader__nstats(const struct st_reader *r);
void st_reader__stat_at(const struct st_reader *r, size_t i, const char **key, uint64_t *value);

/* Stack by id, or NULL (unknown id, NONE, LOST). */
const struct st_stack *st_reader__stack(const struct st_reader *r, uint32_t id);
size_t st_reader__nstacks(const struct st_reader *r);
/* Stacks in id order, 0 <= i < st_reader__nstacks(). */
const struct st_stack *st_reader__stack_at(const struct st_reader *r, size_t i);

/* The cgroup with @id, or NULL; and all of them in id order. */
const struct st_cgroup *st_reader__cgroup(const struct st_reader *r, uint64_t id);
size_t st_reader__ncgroups(const struct st_reader *r);
const struct st_cgroup *st_reader__cgroup_at(const struct st_reader *r, size_t i);

size_t st_reader__ntasks(const struct st_reader *r);
const struct st_task *st_reader__task(const struct st_reader *r, size_t i);

const struct st_map *st_reader__map(const struct st_reader *r, uint32_t id);
size_t st_reader__nmaps(const struct st_reader *r);
/* Maps in id order, 0 <= i < st_reader__nmaps(). */
const struct st_map *st_reader__map_at(const struct st_reader *r, size_t i);

/* The kernel symbol containing @addr, or NULL. */
const struct st_sym *st_reader__ksym(const struct st_reader *r, uint64_t addr);
/* The embedded user symbol containing @offset in map @map, or NULL. */
const struct st_sym *st_reader__usym(const struct st_reader *r, uint32_t map, uint64_t offset);
size_t st_reader__nksyms(const struct st_reader *r);
size_t st_reader__nusyms(const struct st_reader *r);

/*
 * Iterate the records of one raw chunk payload. Returns 1 with *type and
 * *body set, 0 at the end, or -ST_ERECORD.
 */
struct st_rec_iter {
	const uint8_t *p;
	size_t left;
};
int st_rec_iter__next(struct st_rec_iter *it, uint8_t *type, const uint8_t **body,
		      size_t *body_len);

/*
 * What decoding the events of one chunk carries from record to record: the
 * previous timestamp (the chunk's first_ts before the first event), and the
 * current task, which compact records refer to. Start each chunk with
 * st_decode_state__init.
 */
struct st_decode_state {
	uint64_t prev_ts;
	uint32_t cpu;
	uint32_t cur_tid, cur_pid;
	bool has_cur;
	uint64_t incompat; /* the file's incompatible features: which records may appear */
};

static inline void st_decode_state__init(struct st_decode_state *ds, uint64_t first_ts,
					 uint32_t cpu, uint64_t incompat)
{
	ds->prev_ts = first_ts;
	ds->cpu = cpu;
	ds->cur_tid = ds->cur_pid = 0;
	ds->has_cur = false;
	ds->incompat = incompat;
}

/*
 * Decode one event record body and advance @ds. Compact records come out as
 * ST_REC_SWITCH and ST_REC_WAKING. Returns 0, -ST_ERECORD, or -ENOENT for a
 * type that is not an event (skip it).
 */
int st_decode_event(uint8_t type, const uint8_t *body, size_t len, struct st_decode_state *ds,
		    struct st_event *e);

/*
 * Bytes readable (and zero) after every decompressed chunk, so that the
 * event decoder can read varints without checking each byte against the end.
 */
#define ST_DECODE_SLACK 128

/*
 * st_decode_event for a body inside a buffer with ST_DECODE_SLACK bytes
 * after it (a chunk from st_reader__load): the same results, without a
 * bounds check per byte of compact switches and wakings.
 */
int st_decode_event_padded(uint8_t type, const uint8_t *body, size_t len,
			   struct st_decode_state *ds, struct st_event *e);

/*
 * Events of all CPUs merged in time order (ties: lower CPU first, then file
 * order). Memory: one decoded chunk per CPU. A chunk that fails to load
 * becomes a reader problem and is skipped (an error in strict mode).
 */
struct st_event_iter;
int st_event_iter__new(struct st_reader *r, struct st_event_iter **out);
/*
 * Returns 1 with *e set, 0 at the end, or a negative error. Strings in *e
 * stay valid until the next call.
 */
int st_event_iter__next(struct st_event_iter *it, struct st_event *e);
void st_event_iter__free(struct st_event_iter *it);

/* Human names. */
const char *st_chunk_type_name(uint16_t type);
const char *st_rec_type_name(uint8_t type);
const char *st_loss_cause_name(uint8_t cause);
/* "task", "hardirq", "softirq", "nmi" (enum st_wake_ctx). */
const char *st_wake_ctx_name(uint8_t ctx);

#endif
