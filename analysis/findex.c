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
 *
 * Without a budget (the command line) the frames are indexed on every core:
 * workers index chunks of CHUNK frames each into an index of their own, and
 * the caller's thread appends them in order, moving their offsets, and gives
 * the capture's pages back behind them.  Workers follow pass 1 when it still
 * runs (tq_capture_wait_frames), as the packet list's do.
 */
#include "config.h"

#include <inttypes.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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
	} else if (f->type == FT_PROTOCOL && (ix->want[f->id] & FX_WANT_BYTES)) {
		/* its own length, then the bytes it was given */
		uint32_t len = n->v.b.n, own = n->len < len ? n->len : len;
		GROW(w, ix->bytes, ix->nbytes, ix->capbytes, sizeof(own) + len + 1, fail);
		memcpy(ix->bytes + ix->nbytes, &own, sizeof(own));
		ix->nbytes += sizeof(own);
		if (len)
			memcpy(ix->bytes + ix->nbytes, n->v.b.p, len);
		ix->bytes[ix->nbytes + len] = '\0';
		o->kind = FX_PROTO;
		o->v.b.off = (uint32_t)ix->nbytes;
		o->v.b.len = len;
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

/* ---------------------------------------------------------------- on every core */

#define CHUNK 1024u                  /* frames a worker indexes at a time */
#define MAX_WORKERS 8

struct piece {
	struct tq_findex ix;         /* its frames: [first, first + count) */
	int state;                   /* 0 to do, 1 done, -1 failed */
	int err;                     /* failed: the frame's error (0: memory) */
	uint32_t bad;                /* the frame that failed */
};

struct pool {
	struct tq_capture *cap;
	const struct tq_findex *ix;  /* the index being made: nframes, want, idlimit */
	uint32_t nchunks, next, merged, window;
	struct piece *pieces;        /* window of them: chunk k in pieces[k % window] */
	int stop;
	pthread_mutex_t mu;
	pthread_cond_t done, room;
};

static void
piece_reset(struct piece *pc)
{
	pc->ix.nocc = pc->ix.nanc = pc->ix.nbytes = 0;
	pc->state = 0;
}

/* Indexes frames a..b into pc (its frames table from a). */
static void
index_chunk(struct pool *p, struct piece *pc, struct walk *w, uint32_t a, uint32_t b)
{
	pc->ix.want = p->ix->want;
	pc->ix.idlimit = p->ix->idlimit;
	tq_capture_wait_frames(p->cap, b);
	for (uint32_t num = a; num <= b; num++) {
		int e = 0;
		struct tq_tree *t = tq_dissect_ex(p->cap, num, TQ_DISSECT_VALUES, &e);
		if (!t) {
			pc->err = e ? e : TQ_ENOMEM;
			pc->bad = num;
			pc->state = -1;
			return;
		}
		pc->ix.frames[num - a].occ0 = (uint32_t)pc->ix.nocc;
		int wr = index_tree(&pc->ix, w, tq_tree_root(t));
		tq_tree_free(t);
		if (wr != 0) {
			pc->err = 0;
			pc->bad = num;
			pc->state = -1;
			return;
		}
		pc->ix.frames[num - a].nocc = (uint32_t)pc->ix.nocc - pc->ix.frames[num - a].occ0;
	}
	pc->state = 1;
}

static void *
pool_worker(void *arg)
{
	struct pool *p = arg;
	struct walk w = { 0 };
	pthread_mutex_lock(&p->mu);
	for (;;) {
		while (!p->stop && p->next < p->nchunks && p->next >= p->merged + p->window)
			pthread_cond_wait(&p->room, &p->mu);
		if (p->stop || p->next >= p->nchunks)
			break;
		uint32_t k = p->next++;
		struct piece *pc = &p->pieces[k % p->window];
		pthread_mutex_unlock(&p->mu);
		uint32_t a = k * CHUNK + 1, b = p->ix->nframes - (a - 1) < CHUNK ? p->ix->nframes : a + CHUNK - 1;
		struct piece done = *pc;
		index_chunk(p, &done, &w, a, b);
		pthread_mutex_lock(&p->mu);
		*pc = done;
		pthread_cond_broadcast(&p->done);
	}
	pthread_mutex_unlock(&p->mu);
	free(w.st);
	return NULL;
}

/* Appends piece pc (frames a..) to ix: its offsets moved past what ix holds.  0, or -1. */
static int
append_piece(struct tq_findex *ix, struct walk *w, const struct piece *pc, uint32_t a, uint32_t count)
{
	const struct tq_findex *q = &pc->ix;
	uint32_t occ0 = (uint32_t)ix->nocc, anc0 = (uint32_t)ix->nanc, bytes0 = (uint32_t)ix->nbytes;
	if (ix->nocc + q->nocc > UINT32_MAX / 2 || ix->nbytes + q->nbytes > UINT32_MAX / 2 ||
	    ix->nanc + q->nanc > UINT32_MAX / 2)
		return -2;
	GROW(w, ix->occ, ix->nocc, ix->capocc, q->nocc, fail);
	GROW(w, ix->anc, ix->nanc, ix->capanc, q->nanc, fail);
	GROW(w, ix->bytes, ix->nbytes, ix->capbytes, q->nbytes + 1, fail);
	for (size_t i = 0; i < q->nocc; i++) {
		struct fx_occ o = q->occ[i];
		o.self += anc0;
		if (o.kind == FX_STR || o.kind == FX_BYTES || o.kind == FX_PROTO)
			o.v.b.off += bytes0;
		ix->occ[ix->nocc++] = o;
	}
	for (size_t i = 0; i < q->nanc; i++) {
		struct fx_anc x = q->anc[i];
		if (x.parent != FX_NOANC)
			x.parent += anc0;
		ix->anc[ix->nanc++] = x;
	}
	if (q->nbytes)
		memcpy(ix->bytes + ix->nbytes, q->bytes, q->nbytes);
	ix->nbytes += q->nbytes;
	for (uint32_t i = 0; i < count; i++) {
		ix->frames[a - 1 + i].occ0 = q->frames[i].occ0 + occ0;
		ix->frames[a - 1 + i].nocc = q->frames[i].nocc;
	}
	return 0;
fail:
	return -1;
}

/* Worker threads: the cores, or TQ_THREADS (1: this thread alone), as the packet list's. */
static unsigned
cores(void)
{
	const char *env = getenv("TQ_THREADS");
	long n = env && *env ? strtol(env, NULL, 10) : sysconf(_SC_NPROCESSORS_ONLN);
	return n < 1 ? 1 : n > MAX_WORKERS ? MAX_WORKERS : (unsigned)n;
}

/* Indexes every frame of ix on nw worker threads; 0, or an error with err set. */
static int
build_parallel(struct tq_capture *cap, struct tq_findex *ix, unsigned nw, char *err, size_t errlen)
{
	struct pool p = { .cap = cap, .ix = ix, .window = 2 * nw };
	p.nchunks = (ix->nframes + CHUNK - 1) / CHUNK;
	p.pieces = calloc(p.window, sizeof(*p.pieces));
	struct walk w = { 0 };
	pthread_t th[MAX_WORKERS];
	unsigned started = 0;
	int rc = 0;
	if (!p.pieces)
		return TQ_ENOMEM;
	for (unsigned i = 0; i < p.window; i++) {
		p.pieces[i].ix.frames = calloc(CHUNK, sizeof(struct fx_frame));
		if (!p.pieces[i].ix.frames)
			rc = TQ_ENOMEM;
	}
	pthread_mutex_init(&p.mu, NULL);
	pthread_cond_init(&p.done, NULL);
	pthread_cond_init(&p.room, NULL);
	for (; rc == 0 && started < nw; started++)
		if (pthread_create(&th[started], NULL, pool_worker, &p) != 0)
			break;
	if (rc == 0 && !started)
		rc = TQ_ENOMEM;
	for (uint32_t k = 0; rc == 0 && k < p.nchunks; k++) {
		struct piece *pc = &p.pieces[k % p.window];
		pthread_mutex_lock(&p.mu);
		while (!pc->state)
			pthread_cond_wait(&p.done, &p.mu);
		pthread_mutex_unlock(&p.mu);
		uint32_t a = k * CHUNK + 1, count = ix->nframes - (a - 1) < CHUNK ? ix->nframes - (a - 1) : CHUNK;
		if (pc->state < 0) {
			rc = pc->err ? pc->err : TQ_ENOMEM;
			if (pc->err)
				snprintf(err, errlen, "frame %u: %s", pc->bad, tq_strerror(pc->err));
			break;
		}
		int ar = append_piece(ix, &w, pc, a, count);
		if (ar == -2) {
			snprintf(err, errlen, "the field index would hold more than its own limit of 2,147,483,647 values "
			    "or 2 GiB of text (stopped at frame %u of %u)", a, ix->nframes);
			rc = TQ_ETOOBIG;
			break;
		}
		if (ar != 0) {
			rc = TQ_ENOMEM;
			break;
		}
		tq_capture_release(cap, a + count - 1);
		pthread_mutex_lock(&p.mu);
		piece_reset(pc);
		p.merged = k + 1;
		pthread_cond_broadcast(&p.room);
		pthread_mutex_unlock(&p.mu);
	}
	pthread_mutex_lock(&p.mu);
	p.stop = 1;
	pthread_cond_broadcast(&p.room);
	pthread_mutex_unlock(&p.mu);
	for (unsigned i = 0; i < started; i++)
		pthread_join(th[i], NULL);
	for (unsigned i = 0; i < p.window; i++) {
		free(p.pieces[i].ix.frames);
		free(p.pieces[i].ix.occ);
		free(p.pieces[i].ix.anc);
		free(p.pieces[i].ix.bytes);
	}
	free(p.pieces);
	pthread_mutex_destroy(&p.mu);
	pthread_cond_destroy(&p.done);
	pthread_cond_destroy(&p.room);
	if (rc == TQ_ENOMEM && !*err)
		snprintf(err, errlen, "%s", tq_strerror(TQ_ENOMEM));
	return rc;
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
	if (!exprs && n == TQ_FINDEX_ALL) {
		/* every field (key discovery) */
		memset(ix->want, 1, ix->idlimit);
		nwant = ix->idlimit;
		n = 0;
	}
	for (size_t i = 0; i < n; i++) {
		const struct tq_field *const *fs;
		size_t k = tq_expr_fields(exprs[i], &fs);
		for (size_t j = 0; j < k; j++) {
			if (fs[j]->id < ix->idlimit && !ix->want[fs[j]->id]) {
				ix->want[fs[j]->id] = 1;
				nwant++;
			}
		}
		k = tq_expr_byte_fields(exprs[i], &fs);
		for (size_t j = 0; j < k; j++)
			if (fs[j]->id < ix->idlimit)
				ix->want[fs[j]->id] |= FX_WANT_BYTES;
	}
	unsigned nw = cores();
	if (nwant && !lim && nw > 1 && ix->nframes > 2 * CHUNK) {
		if (errlen)
			err[0] = '\0';
		rc = build_parallel(cap, ix, nw, err, errlen);
		if (rc != 0)
			goto fail;
		*out = ix;
		return 0;
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
