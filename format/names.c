// SPDX-License-Identifier: MIT
/* Words for error codes, chunk and record types. */
#include <string.h>

#include "tape.h"

static const char *const error_words[] = {
	[ST_EMAGIC - ST_E_BASE] = "not a schedtape trace (bad magic)",
	[ST_EVERSION - ST_E_BASE] = "unsupported format version",
	[ST_EINCOMPAT - ST_E_BASE] = "uses an incompatible feature this reader does not know",
	[ST_EHEADER - ST_E_BASE] = "file header is corrupt",
	[ST_ECHUNKHDR - ST_E_BASE] = "chunk header is corrupt",
	[ST_ECRC - ST_E_BASE] = "chunk payload checksum mismatch",
	[ST_ETRUNC - ST_E_BASE] = "file ends inside a chunk (truncated)",
	[ST_ETOOBIG - ST_E_BASE] = "declared size exceeds the limit",
	[ST_EZSTD - ST_E_BASE] = "chunk payload is not a valid zstd frame",
	[ST_ESIZE - ST_E_BASE] = "decompressed size differs from the declared size",
	[ST_ERECORD - ST_E_BASE] = "malformed record",
	[ST_ECOUNT - ST_E_BASE] = "record count differs from the chunk header",
	[ST_ETIME - ST_E_BASE] = "timestamps out of order",
	[ST_ESEQ - ST_E_BASE] = "chunks missing (sequence gap)",
	[ST_ERANGE - ST_E_BASE] = "value out of range",
	[ST_EBUDGET - ST_E_BASE] = "unpacks to far more data than a file of its size holds "
				   "(a compression bomb?)",
};

const char *st_strerror(int err)
{
	if (err < 0)
		err = -err;
	if (err > ST_E_BASE && err < ST_E_END)
		return error_words[err - ST_E_BASE];
	return strerror(err);
}

const char *st_chunk_type_name(uint16_t type)
{
	static const char *const names[] = {
		[ST_CHUNK_META] = "meta",     [ST_CHUNK_EVENTS] = "events", [ST_CHUNK_STACKS] = "stacks",
		[ST_CHUNK_TASKS] = "tasks",   [ST_CHUNK_MAPS] = "maps",	    [ST_CHUNK_KSYMS] = "ksyms",
		[ST_CHUNK_USYMS] = "usyms",   [ST_CHUNK_STATS] = "stats",   [ST_CHUNK_INDEX] = "index",
		[ST_CHUNK_CGROUPS] = "cgroups",
	};
	if (type >= 1 && type <= ST_CHUNK_TYPE_MAX)
		return names[type];
	return "unknown";
}

const char *st_rec_type_name(uint8_t type)
{
	switch (type) {
	case ST_REC_KV: return "kv";
	case ST_REC_SWITCH: return "switch";
	case ST_REC_WAKING: return "waking";
	case ST_REC_WAKEUP_NEW: return "wakeup_new";
	case ST_REC_FORK: return "fork";
	case ST_REC_EXEC: return "exec";
	case ST_REC_EXIT: return "exit";
	case ST_REC_RENAME: return "rename";
	case ST_REC_LOSS: return "loss";
	case ST_REC_STACK: return "stack";
	case ST_REC_TASK: return "task";
	case ST_REC_MAP: return "map";
	case ST_REC_KSYM: return "ksym";
	case ST_REC_USYM: return "usym";
	case ST_REC_STAT: return "stat";
	case ST_REC_INDEX: return "index";
	case ST_REC_CGROUP: return "cgroup";
	}
	return "unknown";
}

const char *st_wake_ctx_name(uint8_t ctx)
{
	static const char *const names[] = { "task", "hardirq", "softirq", "nmi" };

	return ctx <= ST_CTX_NMI ? names[ctx] : "unknown";
}

const char *st_loss_cause_name(uint8_t cause)
{
	switch (cause) {
	case ST_LOSS_BUFFER_FULL: return "buffer full";
	case ST_LOSS_WRITER_BEHIND: return "writer behind";
	case ST_LOSS_DECODE: return "undecodable sample";
	}
	return "unknown cause";
}
