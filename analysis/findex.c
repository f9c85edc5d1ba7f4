/*
 * findex.c - the field index: the occurrences of the fields a set of
 * expressions reads, gathered in one pass over a capture.
 *
 * Each frame is dissected once, for values only (TQ_DISSECT_VALUES: no label
 * is written), and its tree walked depth first.  A node whose field is wanted
 * is recorded with its value and an ancestor entry for itself; the entries of
 * its ancestors are made on demand, so only the parts of the tree that hold
 * wanted fields are kept.  Frames, occurrences and entries live in three
 * growing arrays; values that are bytes are copied into a fourth, since the
 * tree they came from is freed at once.
 *
 * A budget (struct tq_limits) bounds the pass.  Every growth of an array is
 * charged to it and refused past max_bytes, so the arrays never take more
 * than it allows in all (realloc's copy aside), rather than being found too
 * big after the fact; the deadline is read every 32 frames, a clock read of
 * some 50 ns against the microseconds each frame takes.
 */
#include "config.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "expr.h"

/* The deadline is read when (frame number & DEADLINE_EVERY) == 1. */
#define DEADLINE_EVERY 31u

/* One level of the walk: the node, its preorder number, its entry if made. */
struct level {
	const struct tq_node *n;
	uint32_t pre;
	uint32_t anc;
};

struct walk {
	struct level *st;
	size_t depth, cap;
	size_t held;            /* bytes of the index's arrays and of st */
	size_t max;             /* what they may take in all; 0: no limit */
	int over;               /* a growth was refused for max */
};

/*
 * Makes room in *arr (*cap elements of el bytes, n of them used) for need
 * more: doubles it, or takes what is left of the budget when doubling would
 * pass it.  0, or -1 when out of memory or (w->over set) past the budget.
 */
static int
grow(struct walk *w, void **arr, size_t *cap, size_t n, size_t need, size_t el)
{
	size_t nc = *cap ? *cap * 2 : 1024;
	while (nc < n + need)
		nc *= 2;
	if (w->max) {
		size_t room = w->held < w->max ? (w->max - w->held) / el : 0;
		if (nc - *cap > room)
			nc = *cap + room;
		if (nc < n + need) {
			w->over = 1;
			return -1;
		}
	}
	void *p = realloc(*arr, nc * el);
	if (!p)
		return -1;
	*arr = p;
	w->held += (nc - *cap) * el;
	*cap = nc;
	return 0;
}

/* The common case, room already there, stays inline. */
#define GROW(w, arr, n, cap, need, fail) do { \
	if ((n) + (need) > (cap)) { \
		void *p_ = (arr); \
		if (grow((w), &p_, &(cap), (n), (need), sizeof(*(arr))) != 0) \
			goto fail; \
		(arr) = p_; \
	} \
} while (0)

static int
is_uint_type(int t)
{
	return (t >= FT_UINT8 && t <= FT_UINT64) || t == FT_FRAMENUM || t == FT_BOOLEAN;
}

static int
is_int_type(int t)
{
	return t >= FT_INT8 && t <= FT_INT64;
}

/* The entry of level k, made (with those of the levels above it) if missing. */
static uint32_t
anc_of(struct tq_findex *ix, struct walk *w, size_t k)
{
	size_t top = k + 1;
	while (top > 0 && w->st[top - 1].anc == FX_NOANC)
		top--;
	/* levels [top, k] need entries, each below the one before */
	for (size_t j = top; j <= k; j++) {
		GROW(w, ix->anc, ix->nanc, ix->capanc, 1, fail);
		struct fx_anc *a = &ix->anc[ix->nanc];
		a->pre = w->st[j].pre;
		a->end = UINT32_MAX;      /* set when the walk leaves it */
		a->parent = j ? w->st[j - 1].anc : FX_NOANC;
		w->st[j].anc = (uint32_t)ix->nanc++;
	}
	return w->st[k].anc;
fail:
	return FX_NOANC;
}

static int
record(struct tq_findex *ix, struct walk *w, const struct tq_node *n, uint32_t self)
{
	GROW(w, ix->occ, ix->nocc, ix->capocc, 1, fail);
	struct fx_occ *o = &ix->occ[ix->nocc];
	memset(o, 0, sizeof(*o));
	const struct tq_field *f = n->f;
	o->f = f;
	o->self = self;
	if (is_uint_type(f->type)) {
		o->kind = FX_INT;
		o->v.i = (int64_t)n->v.u;
	} else if (is_int_type(f->type)) {
		o->kind = FX_INT;
		o->v.i = n->v.i;
	} else if (f->type == FT_DOUBLE) {
		o->kind = FX_REAL;
		o->v.d = n->v.d;
	} else if (f->type == FT_RELTIME) {
		o->kind = FX_REAL;
		o->v.d = (double)n->v.t.s + n->v.t.ns / 1e9;
	} else if (f->type == FT_ABSTIME || f->type == FT_STRING || f->type == FT_ETHER ||
	    f->type == FT_IPV4 || f->type == FT_IPV6 || f->type == FT_BYTES) {
		char buf[128];
		const uint8_t *p = n->v.b.p;
		size_t len = n->v.b.n;
		if (f->type == FT_ABSTIME) {
			tq_fmt_abstime(n->v.t.s, n->v.t.ns, buf, sizeof(buf));
			p = (const uint8_t *)buf;
			len = strlen(buf);
		} else if (f->type == FT_STRING) {
			len = p ? strnlen((const char *)p, len) : 0;   /* a string ends at a NUL */
		}
		o->kind = f->type == FT_ABSTIME || f->type == FT_STRING ? FX_STR : FX_BYTES;
		GROW(w, ix->bytes, ix->nbytes, ix->capbytes, len + 1, fail);
		if (len)
			memcpy(ix->bytes + ix->nbytes, p, len);
		ix->bytes[ix->nbytes + len] = '\0';
		o->v.b.off = (uint32_t)ix->nbytes;
		o->v.b.len = (uint32_t)len;
		ix->nbytes += len + 1;
	} else {
		o->kind = FX_NONE;
	}
	ix->nocc++;
	return 0;
fail:
	return -1;
}

/* Walks one frame's tree; 0, or -1 when memory or (w->over) the budget ran
 * out.  Most nodes are leaves: they are numbered and looked at without a
 * level of their own. */
static int
index_tree(struct tq_findex *ix, struct walk *w, const struct tq_node *root)
{
	const uint8_t *want = ix->want;
	const uint32_t idlimit = ix->idlimit;
	uint32_t pre = 0;
	w->depth = 0;
	GROW(w, w->st, w->depth, w->cap, 1, fail);
	w->st[0] = (struct level){ root, pre++, FX_NOANC };
	w->depth = 1;
	/* the root always has an entry: a condition falls back to the whole frame */
	if (anc_of(ix, w, 0) == FX_NOANC)
		goto fail;
	const struct tq_node *n = root->child;
	while (w->depth) {
		while (n) {
			const struct tq_field *f = n->f;
			int wanted = f && f->id < idlimit && want[f->id];
			if (!n->child) {
				if (wanted) {
					uint32_t parent = anc_of(ix, w, w->depth - 1);
					if (parent == FX_NOANC)
						goto fail;
					GROW(w, ix->anc, ix->nanc, ix->capanc, 1, fail);
					ix->anc[ix->nanc] = (struct fx_anc){ pre, pre, parent };
					if (record(ix, w, n, (uint32_t)ix->nanc++) != 0)
						goto fail;
				}
				pre++;
				n = n->next;
				continue;
			}
			GROW(w, w->st, w->depth, w->cap, 1, fail);
			w->st[w->depth] = (struct level){ n, pre++, FX_NOANC };
			if (wanted) {
				uint32_t self = anc_of(ix, w, w->depth);
				if (self == FX_NOANC || record(ix, w, n, self) != 0)
					goto fail;
			}
			w->depth++;
			n = n->child;
		}
		/* leave the level on top: its subtree ends at the last number given */
		struct level *l = &w->st[--w->depth];
		if (l->anc != FX_NOANC)
			ix->anc[l->anc].end = pre - 1;
		n = w->depth ? l->n->next : NULL;
	}
	return 0;
fail:
	return -1;
}

/* v with commas between the thousands (165,012), in buf. */
static const char *
fmt_count(uint64_t v, char buf[32])
{
	char d[24];
	int n = snprintf(d, sizeof(d), "%" PRIu64, v);
	size_t o = 0;
	for (int i = 0; i < n; i++) {
		if (i > 0 && (n - i) % 3 == 0)
			buf[o++] = ',';
		buf[o++] = d[i];
	}
	buf[o] = '\0';
	return buf;
}

/* A size as a person reads it: 256 MiB, 1.5 GiB, 100 B. */
static const char *
fmt_bytes(uint64_t v, char buf[32])
{
	static const char *const unit[] = { "B", "KiB", "MiB", "GiB", "TiB" };
	unsigned u = 0;
	while (u < 4 && v >= (UINT64_C(1024) << (10 * u)))
		u++;
	uint64_t one = UINT64_C(1) << (10 * u);
	if (v % one == 0)
		snprintf(buf, 32, "%" PRIu64 " %s", v / one, unit[u]);
	else
		snprintf(buf, 32, "%.1f %s", (double)v / (double)one, unit[u]);
	return buf;
}

int
tq_findex_build(struct tq_capture *cap, struct tq_expr *const *exprs, size_t n,
    const struct tq_limits *lim, struct tq_findex **out, char *err, size_t errlen)
{
	*out = NULL;
	uint64_t deadline = lim ? lim->deadline_ns : 0;
	uint64_t start = deadline ? tq_monotonic_ns() : 0;
	struct walk w = { .max = lim ? lim->max_bytes : 0 };
	struct tq_findex *ix = NULL;
	char a[32], b[32], c[32];
	int rc;
	/* what is made before any frame is read: the index, its frame table and its table of wanted fields */
	uint32_t nframes = tq_capture_count(cap);
	w.held = sizeof(*ix) + (nframes ? nframes : 1) * sizeof(*ix->frames) + tq_field_id_limit();
	if (w.max && w.held > w.max) {
		snprintf(err, errlen, "the field index would take more than the %s allowed: for a trace of %s frames "
		    "it needs %s before reading any", fmt_bytes(w.max, a), fmt_count(nframes, b), fmt_bytes(w.held, c));
		return TQ_ETOOBIG;
	}
	ix = calloc(1, sizeof(*ix));
	if (!ix)
		goto nomem;
	ix->cap = cap;
	ix->idlimit = tq_field_id_limit();
	ix->want = calloc(ix->idlimit, 1);
	ix->nframes = nframes;
	ix->frames = calloc(ix->nframes ? ix->nframes : 1, sizeof(*ix->frames));
	if (!ix->want || !ix->frames)
		goto nomem;
	size_t nwant = 0;
	for (size_t i = 0; i < n; i++) {
		const struct tq_field *const *fs;
		size_t k = tq_expr_fields(exprs[i], &fs);
		for (size_t j = 0; j < k; j++) {
			if (fs[j]->id < ix->idlimit && !ix->want[fs[j]->id]) {
				ix->want[fs[j]->id] = 1;
				nwant++;
			}
		}
	}
	for (uint32_t num = 1; nwant && num <= ix->nframes; num++) {
		/* from the first frame on, so that a deadline already past stops it at once */
		if (deadline && (num & DEADLINE_EVERY) == 1 && tq_monotonic_ns() >= deadline) {
			if (deadline <= start)
				snprintf(err, errlen, "the time allowed had run out before indexing the trace began");
			else
				snprintf(err, errlen, "indexing the trace took longer than the %s allowed (stopped at frame %s of %s)",
				    tq_fmt_duration(deadline - start, a, sizeof(a)), fmt_count(num, b), fmt_count(ix->nframes, c));
			rc = TQ_ETIMEOUT;
			goto fail;
		}
		int e = 0;
		struct tq_tree *t = tq_dissect_ex(cap, num, TQ_DISSECT_VALUES, &e);
		if (!t) {
			snprintf(err, errlen, "frame %u: %s", num, tq_strerror(e));
			rc = e ? e : TQ_ENOMEM;
			goto fail;
		}
		ix->frames[num - 1].occ0 = (uint32_t)ix->nocc;
		int wr = index_tree(ix, &w, tq_tree_root(t));
		tq_tree_free(t);
		if (wr != 0 && w.over) {
			snprintf(err, errlen, "the field index would take more than the %s allowed (stopped at frame %s of %s); "
			    "a shorter trace, or expressions that read fewer fields, would need less",
			    fmt_bytes(w.max, a), fmt_count(num, b), fmt_count(ix->nframes, c));
			rc = TQ_ETOOBIG;
			goto fail;
		}
		if (wr != 0)
			goto nomem;
		if (ix->nocc > UINT32_MAX / 2 || ix->nbytes > UINT32_MAX / 2) {
			/* the offsets in fx_occ and fx_frame are 32 bits */
			snprintf(err, errlen, "the field index would hold more than %s, its own limit (stopped at frame %s of %s)",
			    ix->nocc > UINT32_MAX / 2 ? "2,147,483,647 values" : "2 GiB of text",
			    fmt_count(num, b), fmt_count(ix->nframes, c));
			rc = TQ_ETOOBIG;
			goto fail;
		}
		ix->frames[num - 1].nocc = (uint32_t)ix->nocc - ix->frames[num - 1].occ0;
		if ((num & 1023) == 0)
			tq_capture_release(cap, num);
	}
	free(w.st);
	*out = ix;
	return 0;
nomem:
	snprintf(err, errlen, "%s", tq_strerror(TQ_ENOMEM));
	rc = TQ_ENOMEM;
fail:
	free(w.st);
	tq_findex_free(ix);
	return rc;
}

void
tq_findex_free(struct tq_findex *ix)
{
	if (!ix)
		return;
	free(ix->frames);
	free(ix->occ);
	free(ix->anc);
	free(ix->bytes);
	free(ix->want);
	free(ix);
}
