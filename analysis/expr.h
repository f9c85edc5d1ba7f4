/* expr.h - what the expression evaluator (expr.c) and the field index (findex.c) share. */
#ifndef TQ_EXPR_H
#define TQ_EXPR_H

#include <string.h>

#include "internal.h"

/* The fields an expression reads, each once. */
size_t tq_expr_fields(const struct tq_expr *e, const struct tq_field *const **out);
/* Those of them that are protocols whose bytes it reads ('tcp contains',
 * 'frame[12:2]'): the index keeps their bytes, not only that they are there. */
size_t tq_expr_byte_fields(const struct tq_expr *e, const struct tq_field *const **out);

/*
 * The field index: every occurrence, in every frame, of the fields a set of
 * expressions reads, with the tree around it (its ancestors) so that a
 * condition can be read in the part of the frame its value came from.  Built
 * in one pass over the capture: each frame is dissected once, however many
 * expressions and questions read it.
 */

/* Kinds of recorded values. */
enum fx_kind {
	FX_NONE,        /* a protocol or a text item: present, no value */
	FX_INT,         /* integers, booleans, frame numbers */
	FX_REAL,        /* doubles, relative times in seconds */
	FX_STR,         /* strings, absolute times as Wireshark shows them */
	FX_BYTES,       /* bytes, addresses (ftype says which) */
	FX_PROTO,       /* a protocol whose bytes are read: the bytes it was
	                 * given (fx_bytes), its own length before them (fx_proto_len) */
};

/* A node of a frame's tree that holds recorded occurrences: its preorder
 * number, the last preorder number under it, and its parent's entry. */
struct fx_anc {
	uint32_t pre, end;
	uint32_t parent;             /* FX_NOANC at the tree's root */
};

#define FX_NOANC UINT32_MAX
#define FX_WANT_BYTES 2

struct fx_occ {
	const struct tq_field *f;
	uint32_t self;               /* its own entry in anc */
	uint8_t kind;
	union {
		int64_t i;
		double d;
		struct { uint32_t off, len; } b;   /* in ix->bytes */
	} v;
};

struct fx_frame {
	uint32_t occ0, nocc;         /* its occurrences, in tree order */
};

struct tq_findex {
	struct tq_capture *cap;
	uint32_t nframes;
	struct fx_frame *frames;     /* [nframes] */
	struct fx_occ *occ;
	size_t nocc, capocc;
	struct fx_anc *anc;
	size_t nanc, capanc;
	uint8_t *bytes;
	size_t nbytes, capbytes;
	uint8_t *want;               /* by field id: recorded; FX_WANT_BYTES: with its bytes */
	uint32_t idlimit;
};

static inline const uint8_t *
fx_bytes(const struct tq_findex *ix, const struct fx_occ *o)
{
	return ix->bytes + o->v.b.off;
}

static inline uint32_t
fx_proto_len(const struct tq_findex *ix, const struct fx_occ *o)
{
	uint32_t n;
	memcpy(&n, ix->bytes + o->v.b.off - sizeof(n), sizeof(n));
	return n;
}

#endif
