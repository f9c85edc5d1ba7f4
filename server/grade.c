/*
 * grade.c - grading answers against an exercise's computed keys, with feedback.
 *
 * Feedback comes, in this order, from: the choice picked; an expected wrong
 * answer the instructor listed (feedback.answers); the field of a field
 * question that is wrong (feedback.fields); and, for a wrong text or number
 * that is no listed mistake, the trace itself: when the answer is the value
 * of some other field, the student is told which ("That is Acknowledgment
 * Number (tcp.ack) of frame 5.").  Then feedback.right or feedback.wrong.
 *
 * A submission is the student's, so what it may cost is bounded: its size
 * (answers_fit, with the caps of exercise.h), the regular expressions run
 * on it (struct regex_run), and the search of the trace, done once per
 * exercise into an index of the trace's values that later gradings share
 * (struct fb_index).  A choice question with a limit is graded on the
 * choices the student was shown (tq_grade_opts).
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

/* ------------------------------------------------------------------ normalizing */

static int
is_space(int c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v';
}

/* An integer in any base: 6, 0x06, 0X6, 0b110, 0o6, 06, -3. */
static int
any_base_int(const char *s, long long *out)
{
	while (is_space((unsigned char)*s))
		s++;
	int neg = 0;
	if (*s == '-' || *s == '+')
		neg = *s++ == '-';
	int base = 10;
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		base = 16, s += 2;
	else if (s[0] == '0' && (s[1] == 'b' || s[1] == 'B'))
		base = 2, s += 2;
	else if (s[0] == '0' && (s[1] == 'o' || s[1] == 'O'))
		base = 8, s += 2;
	if (!*s)
		return -1;
	char *end;
	errno = 0;
	unsigned long long v = strtoull(s, &end, base);
	while (is_space((unsigned char)*end))
		end++;
	if (errno || *end || (s[0] == '-') || v > (unsigned long long)LLONG_MAX)
		return -1;
	*out = neg ? -(long long)v : (long long)v;
	return 0;
}

/* The text of an answer or a key, normalized as the question says. */
static void
normalize(const char *s, size_t n, unsigned norm, struct tq_sbuf *out)
{
	tq_sbuf_reset(out);
	if (norm & N_TRIM) {
		while (n && is_space((unsigned char)*s))
			s++, n--;
		while (n && is_space((unsigned char)s[n - 1]))
			n--;
	}
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if ((norm & N_SPACE) && is_space((unsigned char)c)) {
			while (i + 1 < n && is_space((unsigned char)s[i + 1]))
				i++;
			c = ' ';
		}
		if ((norm & N_CASE) && c >= 'A' && c <= 'Z')
			c = (char)(c - 'A' + 'a');
		tq_sbuf_putc(out, c);
	}
	if (out->err)
		return;
	if ((norm & N_DOT) && out->len > 1 && out->s[out->len - 1] == '.' && out->s[out->len - 2] != '.') {
		out->s[--out->len] = '\0';
	}
	if ((norm & N_IPV6) && out->len && out->len < 64 && strchr(out->s, ':')) {
		unsigned char a[16];
		char buf[64];
		if (inet_pton(AF_INET6, out->s, a) == 1 && inet_ntop(AF_INET6, a, buf, sizeof(buf))) {
			tq_sbuf_reset(out);
			tq_sbuf_puts(out, buf);
		}
	}
	if ((norm & N_INT) && out->len) {
		long long v;
		if (any_base_int(out->s, &v) == 0) {
			tq_sbuf_reset(out);
			tq_sbuf_printf(out, "%lld", v);
		}
	}
}

/* A JSON scalar as text: strings as they are, numbers written out. */
static int
json_text(const json_t *j, struct tq_sbuf *out)
{
	tq_sbuf_reset(out);
	if (json_is_string(j))
		tq_sbuf_put(out, json_string_value(j), json_string_length(j));
	else if (json_is_integer(j))
		tq_sbuf_printf(out, "%" JSON_INTEGER_FORMAT, json_integer_value(j));
	else if (json_is_real(j))
		tq_sbuf_printf(out, "%.15g", json_real_value(j));
	else if (json_is_boolean(j))
		tq_sbuf_puts(out, json_is_true(j) ? "true" : "false");
	else
		return -1;
	return out->err ? -1 : 0;
}

static int
same_text(const json_t *a, const json_t *b, unsigned norm)
{
	struct tq_sbuf x, y, nx, ny;
	tq_sbuf_init(&x, 1 << 20);
	tq_sbuf_init(&y, 1 << 20);
	tq_sbuf_init(&nx, 1 << 20);
	tq_sbuf_init(&ny, 1 << 20);
	int r = 0;
	if (json_text(a, &x) == 0 && json_text(b, &y) == 0) {
		normalize(x.s ? x.s : "", x.len, norm, &nx);
		normalize(y.s ? y.s : "", y.len, norm, &ny);
		r = !nx.err && !ny.err && nx.len == ny.len && (!nx.len || !memcmp(nx.s, ny.s, nx.len));
	}
	tq_sbuf_free(&x);
	tq_sbuf_free(&y);
	tq_sbuf_free(&nx);
	tq_sbuf_free(&ny);
	return r;
}

/*
 * Regular expressions on answers (a question's match, feedback.answers[].match)
 * are the instructor's and the text is the student's: a pattern that
 * backtracks badly on a long answer can take a second, and one submission
 * may run hundreds.  So a match may take RE_CALL_LIMIT steps (PCRE2's match
 * limit, with its depth and heap limits), and one grading RE_BUDGET in all.
 * PCRE2 does not say how many steps a match took: a match is tried with
 * RE_FIRST_LIMIT steps, then ten times more up to RE_CALL_LIMIT, and each try
 * is charged for its limit.  A plain pattern costs 1,000 of the budget, the
 * worst 111,000, and the budget pays for 2,000 plain matches.  An answer that
 * reaches a limit is not matched (RE_TOO_COMPLEX).
 */
#define RE_FIRST_LIMIT 1000u
#define RE_CALL_LIMIT 100000u
#define RE_BUDGET 2000000u
#define RE_DEPTH_LIMIT 10000u
#define RE_HEAP_LIMIT_KIB 4096u

enum { RE_NO, RE_YES, RE_TOO_COMPLEX };

/* One grading's matching: its context, its match data and what is left of its budget. */
struct regex_run {
	pcre2_match_context *mc;
	pcre2_match_data *md;
	uint32_t left;
};

static void
regex_run_init(struct regex_run *rr)
{
	rr->md = pcre2_match_data_create(1, NULL);
	rr->mc = pcre2_match_context_create(NULL);
	rr->left = RE_BUDGET;
	if (rr->mc) {
		pcre2_set_depth_limit(rr->mc, RE_DEPTH_LIMIT);
		pcre2_set_heap_limit(rr->mc, RE_HEAP_LIMIT_KIB);
	}
}

static void
regex_run_free(struct regex_run *rr)
{
	pcre2_match_data_free(rr->md);
	pcre2_match_context_free(rr->mc);
}

/* RE_YES, RE_NO, or RE_TOO_COMPLEX when a limit stopped the match (or memory ran out). */
static int
regex_hit(struct regex_run *rr, const pcre2_code *re, const char *s, size_t n)
{
	if (!rr->md || !rr->mc)
		return RE_TOO_COMPLEX;
	for (uint32_t limit = RE_FIRST_LIMIT;; limit *= 10) {
		if (limit > RE_CALL_LIMIT)
			limit = RE_CALL_LIMIT;
		uint32_t lim = limit < rr->left ? limit : rr->left;
		if (!lim)
			return RE_TOO_COMPLEX;
		rr->left -= lim;
		pcre2_set_match_limit(rr->mc, lim);
		int rc = pcre2_match(re, (PCRE2_SPTR)s, n, 0, 0, rr->md, rr->mc);
		if (rc >= 0)
			return RE_YES;
		if (rc == PCRE2_ERROR_NOMATCH)
			return RE_NO;
		if (rc != PCRE2_ERROR_MATCHLIMIT || lim == RE_CALL_LIMIT || lim < limit)
			return RE_TOO_COMPLEX;    /* the depth or heap limit, the last try, or the budget */
	}
}

/* A number from an answer: a JSON number, or text holding one (any base for integers). */
static int
answer_number(const json_t *a, double *out)
{
	if (json_is_number(a)) {
		*out = json_number_value(a);
		return 0;
	}
	if (!json_is_string(a))
		return -1;
	long long v;
	if (any_base_int(json_string_value(a), &v) == 0) {
		*out = (double)v;
		return 0;
	}
	char *end;
	const char *s = json_string_value(a);
	errno = 0;
	double d = strtod(s, &end);
	while (is_space((unsigned char)*end))
		end++;
	if (end == s || *end || errno || !isfinite(d))
		return -1;
	*out = d;
	return 0;
}

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

static void
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
	if (ix->numbers && any_base_int(w->show.s, &v) == 0 &&
	    (v >= AUTO_FEEDBACK_MIN_NUMBER || v <= -AUTO_FEEDBACK_MIN_NUMBER))
		fb_add(ix, 0, NULL, 0, (uint64_t)v, w->frame, f);
	for (size_t k = 0; k < ix->nnorms && !ix->full; k++) {
		normalize(w->show.s, w->show.len, ix->norms[k], &w->norm);
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

/* An index for a capture other than the keys' one, for one grading. */
struct fb_own {
	struct fb_index *ix;
	int tried;
};

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
	if (answer_number(a, &d) || d != floor(d))
		return -1;
	if (json_is_integer(a))
		*out = json_integer_value(a);
	else if (!json_is_string(a) || any_base_int(json_string_value(a), out) != 0) {
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
static int
find_source(const struct tq_exercise *ex, struct tq_capture *cap, struct fb_own *own, const json_t *answer,
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
		if (json_text(answer, &raw) == 0 && raw.len <= AUTO_FEEDBACK_MAX_VALUE) {
			norm |= N_CASE | N_TRIM;
			normalize(raw.s ? raw.s : "", raw.len, norm, &na);
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

/* ------------------------------------------------------------------ grading */

struct result {
	int correct;
	double score;
	struct tq_sbuf fb;
};

static void
say(struct result *r, const char *text)
{
	if (!text || !*text)
		return;
	if (r->fb.len)
		tq_sbuf_putc(&r->fb, '\n');
	tq_sbuf_puts(&r->fb, text);
}

static const char *
fb_text(const struct question *q, const char *which)
{
	return json_string_value(json_object_get(json_object_get(q->q, "feedback"), which));
}

/* feedback.answers: a listed wrong answer's feedback, NULL if none is this one. */
static const char *
listed_mistake(const struct question *q, const json_t *answer, struct regex_run *rr)
{
	json_t *ans = json_object_get(json_object_get(q->q, "feedback"), "answers");
	struct tq_sbuf t;
	tq_sbuf_init(&t, 1 << 20);
	const char *hit = NULL;
	for (size_t i = 0; i < json_array_size(ans) && !hit; i++) {
		json_t *a = json_array_get(ans, i);
		if (q->wrong_re[i]) {
			if (json_text(answer, &t) == 0 && regex_hit(rr, q->wrong_re[i], t.s ? t.s : "", t.len) == RE_YES)
				hit = json_string_value(json_object_get(a, "feedback"));
		} else {
			json_t *lit = json_object_get(a, "answer");
			double x, y;
			if (q->kind == Q_NUMBER ? (answer_number(answer, &x) == 0 && answer_number(lit, &y) == 0 && x == y) :
			    same_text(answer, lit, q->norm | N_TRIM))
				hit = json_string_value(json_object_get(a, "feedback"));
		}
	}
	tq_sbuf_free(&t);
	return hit;
}

static void
grade_text(const struct question *q, const json_t *a, struct result *r, struct regex_run *rr)
{
	if (!json_is_string(a) && !json_is_number(a)) {
		say(r, "The answer should be text.");
		return;
	}
	int ok = 0;
	if (q->key) {
		if (json_is_array(q->key)) {
			size_t i;
			json_t *k;
			json_array_foreach(q->key, i, k)
				ok |= same_text(a, k, q->norm);
		} else {
			ok = same_text(a, q->key, q->norm);
		}
	}
	json_t *acc = json_object_get(q->q, "accept");
	for (size_t i = 0; i < json_array_size(acc) && !ok; i++)
		ok = same_text(a, json_array_get(acc, i), q->norm);
	if (!ok && q->match) {
		struct tq_sbuf t;
		tq_sbuf_init(&t, 1 << 20);
		if (json_text(a, &t) == 0) {
			const char *s = t.s ? t.s : "";
			size_t n = t.len;
			if (q->norm & N_TRIM) {
				while (n && is_space((unsigned char)*s))
					s++, n--;
				while (n && is_space((unsigned char)s[n - 1]))
					n--;
			}
			int hit = regex_hit(rr, q->match, s, n);
			ok = hit == RE_YES;
			if (hit == RE_TOO_COMPLEX)
				say(r, "This answer could not be checked: comparing it with the accepted answers takes too long. "
				    "Try a shorter, simpler answer, or ask your instructor.");
		}
		tq_sbuf_free(&t);
	}
	r->correct = ok;
}

static void
grade_number(const struct question *q, const json_t *a, struct result *r)
{
	double x, k;
	if (answer_number(a, &x)) {
		say(r, "The answer should be a number.");
		return;
	}
	if (answer_number(q->key, &k)) {
		say(r, "This question's key is not a number; tell your instructor.");
		return;
	}
	r->correct = fabs(x - k) <= q->tolerance + 1e-9 * fmax(1.0, fabs(k));
}

/* shown: the choices the student was shown (NULL: all). */
static void
grade_choice(const struct question *q, const json_t *a, const int *shown, struct result *r)
{
	json_t *ch = json_object_get(q->q, "choices");
	for (size_t c = 0; c < q->nchoices; c++)
		if (q->choice_valid[c] < 0) {
			say(r, "This question's key could not be computed; tell your instructor.");
			return;
		}
	/* picked: the answer's choices, by text (case aside) */
	int picked[TQ_EX_MAX_CHOICES] = { 0 };
	size_t npicked = 0;
	const json_t *items = a;
	json_t *one = NULL;
	if (!json_is_array(a)) {
		one = json_array();
		json_array_append(one, (json_t *)a);
		items = one;
	}
	size_t i;
	json_t *it;
	json_array_foreach(items, i, it) {
		int found = 0;
		for (size_t c = 0; c < q->nchoices; c++) {
			const char *t = json_string_value(json_object_get(json_array_get(ch, c), "text"));
			if (shown && !shown[c])
				continue;
			if (json_is_string(it) && !strcasecmp(t, json_string_value(it))) {
				if (!picked[c])
					npicked++;
				picked[c] = 1;
				found = 1;
			}
		}
		if (!found) {
			json_decref(one);
			say(r, "That is not one of the choices.");
			return;
		}
	}
	json_decref(one);
	if (!npicked) {
		say(r, "No choice was picked.");
		return;
	}
	if (!q->multiple && npicked > 1) {
		say(r, "Pick one choice only.");
		return;
	}
	/* with multiple, the right answer is every valid choice shown */
	int ok = 1;
	for (size_t c = 0; c < q->nchoices; c++) {
		if (shown && !shown[c])
			continue;
		if (q->multiple ? picked[c] != (q->choice_valid[c] == 1) : (picked[c] && q->choice_valid[c] != 1))
			ok = 0;
		if (picked[c])
			say(r, json_string_value(json_object_get(json_array_get(ch, c), "feedback")));
	}
	r->correct = ok;
}

/* A field's expected shown value against what the student wrote. */
static int
same_field_value(const char *expected, const json_t *given)
{
	struct tq_sbuf g;
	tq_sbuf_init(&g, 1 << 16);
	int ok = 0;
	if (json_text(given, &g) == 0) {
		long long x, y;
		const char *gs = g.s ? g.s : "";
		if (any_base_int(expected, &x) == 0 && any_base_int(gs, &y) == 0) {
			ok = x == y;
		} else {
			json_t *e = json_string(expected);
			ok = same_text(e, given, N_TRIM | N_CASE | N_SPACE | N_IPV6 | N_DOT);
			json_decref(e);
		}
	}
	tq_sbuf_free(&g);
	return ok;
}

static void
grade_field(const struct question *q, const json_t *a, struct result *r)
{
	if (!json_is_object(a)) {
		say(r, "The answer should give a value for each hidden field.");
		return;
	}
	json_t *ffb = json_object_get(json_object_get(q->q, "feedback"), "fields");
	size_t total = 0, right = 0;
	const char *frame;
	json_t *fields;
	json_object_foreach(q->key, frame, fields) {
		/* {"FRAME": {"field": value}}, or {"field": value} when one frame has hidden fields */
		const json_t *given = json_object_get(a, frame);
		if (!given && json_object_size(q->key) == 1)
			given = a;
		const char *abbrev;
		json_t *expected;
		json_object_foreach(fields, abbrev, expected) {
			total++;
			const json_t *g = json_is_object(given) ? json_object_get(given, abbrev) : NULL;
			if (g && same_field_value(json_string_value(expected), g)) {
				right++;
				continue;
			}
			char line[400];
			snprintf(line, sizeof(line), "Frame %s, %s: %s", frame, abbrev, g ? "not right." : "no value given.");
			say(r, line);
			say(r, json_string_value(json_object_get(ffb, abbrev)));
		}
	}
	r->correct = total && right == total;
	r->score = total ? q->points * (double)right / (double)total : 0;
}

static void
grade_order(const struct question *q, const json_t *a, struct result *r)
{
	if (!json_is_array(a)) {
		say(r, "The answer should be the list of frames in order.");
		return;
	}
	int ok = json_array_size(a) == json_array_size(q->key);
	for (size_t i = 0; ok && i < json_array_size(a); i++) {
		double x;
		ok = answer_number(json_array_get(a, i), &x) == 0 && x == (double)json_integer_value(json_array_get(q->key, i));
	}
	r->correct = ok;
}

/* ------------------------------------------------------------------ the size of answers */

/* The length of a string as JSON text (quoted and escaped, as jansson writes it). */
static size_t
json_string_len(const char *s, size_t n, size_t cap)
{
	if (n + 2 > cap)
		return cap + 1;    /* escaping only adds */
	size_t len = 2;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == '"' || c == '\\' || c == '\b' || c == '\f' || c == '\n' || c == '\r' || c == '\t')
			len += 2;
		else
			len += c < 0x20 ? 6 : 1;
	}
	return len;
}

/*
 * The length of j as compact JSON text, or cap + 1 once it is known to be
 * longer than cap: the work is bounded by cap, not by j (every value costs
 * at least one byte).
 */
static size_t
json_len(const json_t *j, size_t cap)
{
	char buf[64];
	size_t len = 2;
	switch (json_typeof(j)) {
	case JSON_STRING:
		return json_string_len(json_string_value(j), json_string_length(j), cap);
	case JSON_INTEGER:
		return (size_t)snprintf(buf, sizeof(buf), "%" JSON_INTEGER_FORMAT, json_integer_value(j));
	case JSON_REAL:
		return (size_t)snprintf(buf, sizeof(buf), "%.17g", json_real_value(j)) + 2;
	case JSON_TRUE:
	case JSON_NULL:
		return 4;
	case JSON_FALSE:
		return 5;
	case JSON_ARRAY: {
		size_t i;
		json_t *v;
		json_array_foreach(j, i, v) {
			len += (i > 0) + json_len(v, cap);
			if (len > cap)
				return cap + 1;
		}
		return len;
	}
	case JSON_OBJECT: {
		const char *k;
		json_t *v;
		size_t i = 0;
		json_object_foreach((json_t *)j, k, v) {
			len += (i++ > 0) + json_string_len(k, strlen(k), cap) + 1 + json_len(v, cap);
			if (len > cap)
				return cap + 1;
		}
		return len;
	}
	default:
		return cap + 1;
	}
}

/* The frames an order question puts in order (TQ_EX_MAX_ORDER when its key is unknown). */
static size_t
order_frames(const struct question *q)
{
	if (json_is_array(q->key))
		return json_array_size(q->key);
	json_t *frames = json_object_get(q->q, "frames");
	return frames ? json_array_size(frames) : TQ_EX_MAX_ORDER;
}

/* The most bytes (as JSON) an answer to q may have: exercise.h says why. */
static size_t
answer_cap(const struct question *q)
{
	size_t cap = TQ_EX_MAX_ANSWER;
	if (q->kind == Q_CHOICE) {
		json_t *ch = json_object_get(q->q, "choices");
		for (size_t c = 0; c < q->nchoices; c++) {
			const char *t = json_string_value(json_object_get(json_array_get(ch, c), "text"));
			cap += json_string_len(t ? t : "", t ? strlen(t) : 0, SIZE_MAX / 4) + 1;
		}
	} else if (q->kind == Q_FIELD) {
		size_t n = 0;
		const char *fk;
		json_t *fl;
		json_object_foreach(json_object_get(q->q, "hide"), fk, fl)
			n += json_array_size(fl);
		cap *= n ? n : 1;
	} else if (q->kind == Q_ORDER) {
		cap += 11 * order_frames(q);    /* a frame number has at most 10 digits, and a comma */
	}
	return cap;
}

/* The answers within the limits of exercise.h; else -1 with err saying which is past which. */
static int
answers_fit(const struct tq_exercise *ex, const json_t *answers, char *err, size_t errlen)
{
	size_t total = 2, n = 0;
	const char *k;
	json_t *v;
	json_object_foreach((json_t *)answers, k, v) {
		const struct question *q = NULL;
		for (size_t i = 0; i < ex->nq && !q; i++)
			if (!strcmp(ex->q[i].id, k))
				q = &ex->q[i];
		if (!q) {
			snprintf(err, errlen, "there is no question '%.64s' in this exercise", k);
			return -1;
		}
		size_t cap = answer_cap(q);
		size_t len = json_len(v, cap);
		if (len > cap) {
			snprintf(err, errlen, "the answer to '%s' is too long: more than %zu bytes as JSON, the most this question takes",
			    q->id, cap);
			return -1;
		}
		if (q->kind == Q_CHOICE && json_array_size(v) > q->nchoices) {
			snprintf(err, errlen, "the answer to '%s' lists %zu choices; the question has %zu", q->id, json_array_size(v),
			    q->nchoices);
			return -1;
		}
		if (q->kind == Q_ORDER && json_array_size(v) > order_frames(q)) {
			snprintf(err, errlen, "the answer to '%s' lists %zu frames; the question puts %zu in order", q->id,
			    json_array_size(v), order_frames(q));
			return -1;
		}
		total += (n++ > 0) + json_string_len(k, strlen(k), SIZE_MAX / 4) + 1 + len;
	}
	if (total > TQ_EX_MAX_ANSWERS) {
		snprintf(err, errlen, "the answers are too long: %zu bytes as JSON, %u at most in all", total, TQ_EX_MAX_ANSWERS);
		return -1;
	}
	return 0;
}

/* ------------------------------------------------------------------ grading, whole */

json_t *
tq_exercise_grade(const struct tq_exercise *ex, struct tq_capture *cap, const json_t *answers,
    const struct tq_grade_opts *opts, char *err, size_t errlen)
{
	if (!json_is_object(answers)) {
		snprintf(err, errlen, "the answers must be a mapping from question id to answer");
		return NULL;
	}
	if (!ex->keys_ready) {
		snprintf(err, errlen, "the keys have not been computed");
		return NULL;
	}
	/* an answer to no question is a mistake worth saying, and so is one past the limits */
	if (answers_fit(ex, answers, err, errlen))
		return NULL;
	struct regex_run rr;
	regex_run_init(&rr);
	struct fb_own own = { NULL, 0 };
	json_t *qs = json_array();
	double score = 0, max = 0;
	for (size_t i = 0; i < ex->nq; i++) {
		const struct question *q = &ex->q[i];
		struct result r = { 0 };
		tq_sbuf_init(&r.fb, 1 << 20);
		const json_t *a = json_object_get(answers, q->id);
		max += q->points;
		/* the choices this student was shown, when the question shows a few */
		int shown[TQ_EX_MAX_CHOICES];
		const int *shownp = NULL;
		if (q->kind == Q_CHOICE && opts && opts->limit_choices && q->limit && q->limit < q->nchoices) {
			size_t idx[TQ_EX_MAX_CHOICES];
			size_t k = tq_exercise_pick_choices(ex, i, opts->choice_seed, idx, TQ_EX_MAX_CHOICES);
			memset(shown, 0, sizeof(shown));
			for (size_t j = 0; j < k; j++)
				shown[idx[j]] = 1;
			shownp = shown;
		}
		if (!q->key && q->kind != Q_CHOICE && !(q->kind == Q_TEXT && (q->match || json_object_get(q->q, "accept")))) {
			say(&r, "This question's key could not be computed on this trace; tell your instructor.");
		} else if (!a || json_is_null(a)) {
			say(&r, "No answer.");
		} else {
			switch (q->kind) {
			case Q_TEXT: grade_text(q, a, &r, &rr); break;
			case Q_NUMBER: grade_number(q, a, &r); break;
			case Q_CHOICE: grade_choice(q, a, shownp, &r); break;
			case Q_FIELD: grade_field(q, a, &r); break;
			default: grade_order(q, a, &r); break;
			}
			if (!r.correct && (q->kind == Q_TEXT || q->kind == Q_NUMBER)) {
				const char *m = listed_mistake(q, a, &rr);
				uint32_t fr;
				const struct tq_field *f;
				if (m) {
					say(&r, m);
				} else if (cap && find_source(ex, cap, &own, a, q->kind == Q_NUMBER, q->norm, &fr, &f)) {
					char line[400];
					snprintf(line, sizeof(line), "That is %s (%s) of frame %u.", tq_field_name(f), tq_field_abbrev(f), fr);
					say(&r, line);
				}
			}
		}
		if (r.correct && q->kind != Q_FIELD)
			r.score = q->points;
		say(&r, fb_text(q, r.correct ? "right" : "wrong"));
		score += r.score;
		json_t *o = json_pack("{s:s,s:b,s:f,s:f,s:s}", "id", q->id, "correct", r.correct, "score", r.score, "max",
		    q->points, "feedback", r.fb.s ? r.fb.s : "");
		tq_sbuf_free(&r.fb);
		if (!o) {
			json_decref(qs);
			qs = NULL;
			break;
		}
		json_array_append_new(qs, o);
	}
	regex_run_free(&rr);
	fb_free(own.ix);
	json_t *res = qs ? json_pack("{s:f,s:f,s:o}", "score", score, "max", max, "questions", qs) : NULL;
	if (!res)
		snprintf(err, errlen, "out of memory");
	return res;
}

/* ------------------------------------------------------------------ choices shown */

uint64_t
tq_splitmix64(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ull);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

size_t
tq_exercise_pick_choices(const struct tq_exercise *ex, size_t question, uint64_t seed, size_t *idx, size_t cap)
{
	if (question >= ex->nq)
		return 0;
	const struct question *q = &ex->q[question];
	size_t n = q->nchoices, want = q->limit && q->limit < n ? q->limit : n;
	if (want > cap)
		want = cap;
	int take[TQ_EX_MAX_CHOICES] = { 0 };
	uint64_t s = seed ^ (0x51ed270b27a3c9d1ull * (question + 1));
	size_t got = 0;
	if (want < n) {
		/* one valid choice first, then others at random */
		size_t nvalid = 0;
		for (size_t c = 0; c < n; c++)
			nvalid += q->choice_valid[c] == 1;
		if (nvalid) {
			size_t pick = (size_t)(tq_splitmix64(&s) % nvalid);
			for (size_t c = 0; c < n; c++)
				if (q->choice_valid[c] == 1 && pick-- == 0) {
					take[c] = 1;
					got++;
					break;
				}
		}
		while (got < want) {
			size_t c = (size_t)(tq_splitmix64(&s) % n);
			if (!take[c]) {
				take[c] = 1;
				got++;
			}
		}
	} else {
		for (size_t c = 0; c < want; c++)
			take[c] = 1;
	}
	size_t k = 0;
	for (size_t c = 0; c < n && k < want; c++)
		if (take[c])
			idx[k++] = c;
	return k;
}
