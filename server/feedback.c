/*
 * feedback.c - automatic feedback for a wrong answer: the field of the
 * trace whose value it is ("That is Acknowledgment Number (tcp.ack) of
 * frame 5."), looked up in an index of the trace's values built once per
 * exercise and capture.
 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "exercise_int.h"

/* ------------------------------------------------------------------ automatic feedback */

/*
 * When a wrong text or number answer is the value of some field of the
 * trace, the feedback names it.  The values come from an index built once
 * per exercise and capture, by the first wrong answer that needs it (a
 * lookup is then one hash probe, where each wrong answer used to dissect up
 * to 5,000 frames: 20 of them cost a submission seconds on a large trace).
 * The rules are those of the search it replaces: a number is told apart
 * only when it is an integer of at least 100 in magnitude (small numbers are
 * everywhere: saying where would mislead), a text only when it has at least
 * 4 characters normalized as its question normalizes (case and trim always
 * on), and the field named is the first holding the value, frame by frame
 * and in tree order.
 *
 * The index holds nothing the student is not shown.  A field the view
 * excludes or redacts, or that a field question hides, is left out with
 * everything under it, as the student's tree leaves it out.  A field hidden
 * in one frame is left out of every frame: the rule is simple to check, and
 * a field's value is often told by the same field of a nearby frame (an
 * ACK's number is the next segment's sequence number, a retransmission
 * repeats the original).  The frames an order question deals to other places
 * are left out too, since a frame's number would give the order away.
 *
 * Its memory is bounded: the first AUTO_FEEDBACK_FRAMES frames, values of at
 * most AUTO_FEEDBACK_MAX_VALUE bytes once normalized (no longer answer is
 * looked up), and AUTO_FEEDBACK_MAX_BYTES for the table and the texts.  When
 * that is reached, indexing stops: what is in the index is still the first
 * occurrence of its value, and a value first seen in a later frame gets no
 * "That is" line, as a value past frame 5,000 does.
 */
#define AUTO_FEEDBACK_FRAMES 5000
#define AUTO_FEEDBACK_MAX_VALUE 1000
#define AUTO_FEEDBACK_MAX_BYTES (16u << 20)
#define AUTO_FEEDBACK_MIN_NUMBER 100
#define AUTO_FEEDBACK_MIN_TEXT 4
/* the distinct normalizations of text questions: N_SPACE, N_DOT, N_IPV6 and N_INT, on or off */
#define FB_MAX_NORMS 16

struct fb_entry {
	uint64_t key;                /* a number's value, or the offset of its text in the pool */
	const struct tq_field *field;
	uint32_t frame;
	uint32_t len;                /* of the text */
	uint32_t hash;
	uint8_t kind;                /* 0: a number; 1 + i: a text normalized with norms[i] */
};

struct fb_index {
	uint32_t *slot;              /* open addressing: 0 empty, else 1 + an index in entry */
	size_t nslot;                /* a power of two, more than twice n */
	struct fb_entry *entry;
	size_t n, entry_cap;
	char *pool;                  /* the texts, one after another, without NULs */
	size_t pool_len, pool_cap;
	unsigned norms[FB_MAX_NORMS];
	size_t nnorms;
	int numbers;                 /* numbers are indexed: the exercise has a number question */
	int full;                    /* AUTO_FEEDBACK_MAX_BYTES was reached */
};

void
fb_free(struct fb_index *ix)
{
	if (!ix)
		return;
	free(ix->slot);
	free(ix->entry);
	free(ix->pool);
	free(ix);
}

/* FNV-1a over the text (or the number), then MurmurHash3's finalizer: every bit reaches the slot. */
static uint32_t
fb_hash(int kind, const char *s, size_t n, uint64_t num)
{
	uint64_t h = 14695981039346656037ull ^ (uint64_t)kind;
	if (kind == 0) {
		h ^= num;
	} else {
		h = tq_fnv1a64(h, s, n);
	}
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdull;
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53ull;
	h ^= h >> 33;
	return (uint32_t)h;
}

static const struct fb_entry *
fb_find(const struct fb_index *ix, uint32_t h, int kind, const char *s, size_t n, uint64_t num)
{
	if (!ix->nslot)
		return NULL;
	for (size_t j = h & (ix->nslot - 1); ix->slot[j]; j = (j + 1) & (ix->nslot - 1)) {
		const struct fb_entry *e = &ix->entry[ix->slot[j] - 1];
		if (e->hash != h || e->kind != kind)
			continue;
		if (kind == 0 ? e->key == num : e->len == n && !memcmp(ix->pool + e->key, s, n))
			return e;
	}
	return NULL;
}

/* The index's memory if its parts had these sizes. */
static size_t
fb_bytes(size_t nslot, size_t entry_cap, size_t pool_cap)
{
	return nslot * sizeof(uint32_t) + entry_cap * sizeof(struct fb_entry) + pool_cap;
}

/* Adds a value unless it is there already (the first frame and field keep it); sets full past the cap. */
static void
fb_add(struct fb_index *ix, int kind, const char *s, size_t n, uint64_t num, uint32_t frame, const struct tq_field *f)
{
	uint32_t h = fb_hash(kind, s, n, num);
	if (fb_find(ix, h, kind, s, n, num))
		return;
	size_t nslot = ix->nslot, entry_cap = ix->entry_cap, pool_cap = ix->pool_cap;
	if ((ix->n + 1) * 2 > nslot)
		nslot = nslot ? nslot * 2 : 1024;
	if (ix->n == entry_cap)
		entry_cap = entry_cap ? entry_cap * 2 : 512;
	if (ix->pool_len + n > pool_cap)
		pool_cap = pool_cap * 2 > ix->pool_len + n + 4096 ? pool_cap * 2 : ix->pool_len + n + 4096;
	if (fb_bytes(nslot, entry_cap, pool_cap) > AUTO_FEEDBACK_MAX_BYTES || ix->n >= UINT32_MAX - 1) {
		ix->full = 1;
		return;
	}
	if (entry_cap != ix->entry_cap) {
		struct fb_entry *e = realloc(ix->entry, entry_cap * sizeof(*e));
		if (!e) {
			ix->full = 1;
			return;
		}
		ix->entry = e;
		ix->entry_cap = entry_cap;
	}
	if (pool_cap != ix->pool_cap) {
		char *p = realloc(ix->pool, pool_cap);
		if (!p) {
			ix->full = 1;
			return;
		}
		ix->pool = p;
		ix->pool_cap = pool_cap;
	}
	if (nslot != ix->nslot) {
		uint32_t *t = calloc(nslot, sizeof(*t));
		if (!t) {
			ix->full = 1;
			return;
		}
		for (size_t i = 0; i < ix->n; i++) {
			size_t j = ix->entry[i].hash & (nslot - 1);
			while (t[j])
				j = (j + 1) & (nslot - 1);
			t[j] = (uint32_t)(i + 1);
		}
		free(ix->slot);
		ix->slot = t;
		ix->nslot = nslot;
	}
	struct fb_entry *e = &ix->entry[ix->n];
	e->hash = h;
	e->kind = (uint8_t)kind;
	e->frame = frame;
	e->field = f;
	e->len = (uint32_t)n;
	if (kind == 0) {
		e->key = num;
	} else {
		memcpy(ix->pool + ix->pool_len, s, n);
		e->key = ix->pool_len;
		ix->pool_len += n;
	}
	size_t j = h & (ix->nslot - 1);
	while (ix->slot[j])
		j = (j + 1) & (ix->nslot - 1);
	ix->slot[j] = (uint32_t)(++ix->n);
}

struct fb_walk {
	struct fb_index *ix;
	const unsigned char *unseen; /* by field id: 1 when the student does not see it */
	uint32_t nid;
	uint32_t frame;
	struct tq_sbuf show, norm;
};

static void
fb_add_value(struct fb_walk *w, const struct tq_node *n, const struct tq_field *f)
{
	struct fb_index *ix = w->ix;
	tq_sbuf_reset(&w->show);
	tq_node_value_show(n, &w->show);
	if (w->show.err || !w->show.len)
		return;
	long long v;
	if (ix->numbers && gr_any_base_int(w->show.s, &v) == 0 &&
	    (v >= AUTO_FEEDBACK_MIN_NUMBER || v <= -AUTO_FEEDBACK_MIN_NUMBER))
		fb_add(ix, 0, NULL, 0, (uint64_t)v, w->frame, f);
	for (size_t k = 0; k < ix->nnorms && !ix->full; k++) {
		gr_normalize(w->show.s, w->show.len, ix->norms[k], &w->norm);
		if (!w->norm.err && w->norm.len >= AUTO_FEEDBACK_MIN_TEXT && w->norm.len <= AUTO_FEEDBACK_MAX_VALUE)
			fb_add(ix, (int)k + 1, w->norm.s, w->norm.len, 0, w->frame, f);
	}
}

/* Depth first, each node before its children: the order the search went in. */
static void
fb_walk_tree(struct fb_walk *w, const struct tq_node *n, int depth)
{
	for (const struct tq_node *c = tq_node_child(n); c && !w->ix->full; c = tq_node_next(c)) {
		const struct tq_field *f = tq_node_field(c);
		if (f && tq_field_id(f) < w->nid && w->unseen[tq_field_id(f)])
			continue;    /* excluded, redacted or hidden: neither it nor what is under it */
		if (f && tq_field_has_value(f) && !tq_node_is_hidden(c))
			fb_add_value(w, c, f);
		if (depth < 64)
			fb_walk_tree(w, c, depth + 1);
	}
}

static void
fb_unseen(unsigned char *unseen, uint32_t nid, const json_t *list)
{
	size_t i;
	json_t *it;
	json_array_foreach(list, i, it) {
		const struct tq_field *f = tq_field_lookup(json_string_value(it));
		if (f && tq_field_id(f) < nid)
			unseen[tq_field_id(f)] = 1;
	}
}

/*
 * Builds the index of cap's values for ex's questions.  NULL when out of
 * memory; the caller frees the result with fb_free.
 */
static struct fb_index *
fb_build(const struct tq_exercise *ex, struct tq_capture *cap)
{
	struct fb_index *ix = calloc(1, sizeof(*ix));
	if (!ix)
		return NULL;
	for (size_t i = 0; i < ex->nq; i++) {
		const struct question *q = &ex->q[i];
		if (q->kind == Q_NUMBER)
			ix->numbers = 1;
		if (q->kind != Q_TEXT)
			continue;
		unsigned norm = q->norm | N_CASE | N_TRIM;
		size_t k = 0;
		while (k < ix->nnorms && ix->norms[k] != norm)
			k++;
		if (k == ix->nnorms && k < FB_MAX_NORMS)
			ix->norms[ix->nnorms++] = norm;
	}
	if (!ix->numbers && !ix->nnorms)
		return ix;    /* no question is looked up */

	/* what the student is not shown: fields, and frames dealt to other places */
	const json_t *view = json_object_get(ex->doc, "view");
	uint32_t nid = tq_field_id_limit();
	uint32_t n = tq_capture_count(cap);
	if (n > AUTO_FEEDBACK_FRAMES)
		n = AUTO_FEEDBACK_FRAMES;
	unsigned char *unseen = calloc(nid ? nid : 1, 1);
	unsigned char *dealt = calloc((size_t)n + 1, 1);
	if (!unseen || !dealt) {
		free(unseen);
		free(dealt);
		fb_free(ix);
		return NULL;
	}
	fb_unseen(unseen, nid, json_object_get(view, "exclude"));
	fb_unseen(unseen, nid, json_object_get(view, "redact"));
	for (size_t i = 0; i < ex->nq; i++) {
		const struct question *q = &ex->q[i];
		if (q->kind == Q_FIELD) {
			const char *fk;
			json_t *fl;
			json_object_foreach(json_object_get(q->q, "hide"), fk, fl)
				fb_unseen(unseen, nid, fl);
		} else if (q->kind == Q_ORDER) {
			json_t *frames = json_object_get(q->q, "frames");
			if (!frames)
				memset(dealt, 1, (size_t)n + 1);
			size_t k;
			json_t *v;
			json_array_foreach(frames, k, v)
				if (json_integer_value(v) >= 1 && json_integer_value(v) <= n)
					dealt[json_integer_value(v)] = 1;
		}
	}

	struct fb_walk w = { .ix = ix, .unseen = unseen, .nid = nid };
	tq_sbuf_init(&w.show, 1 << 16);
	tq_sbuf_init(&w.norm, 1 << 16);
	for (uint32_t i = 1; i <= n && !ix->full; i++) {
		if (dealt[i])
			continue;
		int e;
		struct tq_tree *t = tq_dissect_ex(cap, i, TQ_DISSECT_VALUES | TQ_DISSECT_DISPLAY, &e);
		if (!t)
			break;
		w.frame = i;
		fb_walk_tree(&w, tq_tree_root(t), 0);
		tq_tree_free(t);
	}
	tq_sbuf_free(&w.show);
	tq_sbuf_free(&w.norm);
	free(unseen);
	free(dealt);
	return ix;
}

void
tq_ex_feedback_drop(struct tq_exercise *ex)
{
	pthread_mutex_lock(&ex->fb_lock);
	fb_free(ex->fb);
	ex->fb = NULL;
	ex->fb_tried = 0;
	pthread_mutex_unlock(&ex->fb_lock);
}

/*
 * The index of cap: the exercise's own when cap is the one its keys came
 * from (the first caller builds it, the others wait on the lock and share
 * it), else one for this grading only, in *own.  NULL when out of memory.
 */
static const struct fb_index *
fb_get(const struct tq_exercise *ex, struct tq_capture *cap, struct fb_own *own)
{
	if (cap != ex->keys_cap) {
		if (!own->tried) {
			own->ix = fb_build(ex, cap);
			own->tried = 1;
		}
		return own->ix;
	}
	/* a cache: the const exercise is changed only under its lock */
	struct tq_exercise *mex = (struct tq_exercise *)ex;
	pthread_mutex_lock(&mex->fb_lock);
	if (!mex->fb_tried) {
		mex->fb = fb_build(ex, cap);
		mex->fb_tried = 1;
	}
	const struct fb_index *ix = mex->fb;
	pthread_mutex_unlock(&mex->fb_lock);
	return ix;
}

/* An answer as an integer: a JSON number, or text holding one (any base for integers). */
static int
answer_integer(const json_t *a, long long *out)
{
	double d;
	if (gr_answer_number(a, &d) || d != floor(d))
		return -1;
	if (json_is_integer(a))
		*out = json_integer_value(a);
	else if (!json_is_string(a) || gr_any_base_int(json_string_value(a), out) != 0) {
		if (fabs(d) >= 9.2e18)
			return -1;
		*out = (long long)d;
	}
	return 0;
}

/*
 * Which field of which frame holds this wrong answer, if it is distinctive
 * enough to say: 1 with *frame and *field set, else 0.  The index is built
 * only for an answer that can be looked up.
 */
int
fb_find_source(const struct tq_exercise *ex, struct tq_capture *cap, struct fb_own *own, const json_t *answer,
    int numeric, unsigned norm, uint32_t *frame, const struct tq_field **field)
{
	const struct fb_entry *e = NULL;
	if (numeric) {
		long long v;
		if (answer_integer(answer, &v) || (v < AUTO_FEEDBACK_MIN_NUMBER && v > -AUTO_FEEDBACK_MIN_NUMBER))
			return 0;
		const struct fb_index *ix = fb_get(ex, cap, own);
		if (ix && ix->numbers)
			e = fb_find(ix, fb_hash(0, NULL, 0, (uint64_t)v), 0, NULL, 0, (uint64_t)v);
	} else {
		struct tq_sbuf raw, na;
		tq_sbuf_init(&raw, 1 << 16);
		tq_sbuf_init(&na, 1 << 16);
		if (gr_json_text(answer, &raw) == 0 && raw.len <= AUTO_FEEDBACK_MAX_VALUE) {
			norm |= N_CASE | N_TRIM;
			gr_normalize(raw.s ? raw.s : "", raw.len, norm, &na);
			const struct fb_index *ix = NULL;
			if (!na.err && na.len >= AUTO_FEEDBACK_MIN_TEXT && na.len <= AUTO_FEEDBACK_MAX_VALUE)
				ix = fb_get(ex, cap, own);
			for (size_t k = 0; ix && k < ix->nnorms; k++)
				if (ix->norms[k] == norm)
					e = fb_find(ix, fb_hash((int)k + 1, na.s, na.len, 0), (int)k + 1, na.s, na.len, 0);
		}
		tq_sbuf_free(&raw);
		tq_sbuf_free(&na);
	}
	if (!e)
		return 0;
	*frame = e->frame;
	*field = e->field;
	return 1;
}
