/*
 * suggest.c - key discovery: from a literal answer ("TLS 1.2", 28,
 * "www.computer-networking.info"), the expressions whose value on the trace
 * is that answer, so that a typed answer can become a key computed from the
 * trace.
 *
 * The index holds every field (TQ_FINDEX_ALL).  Each occurrence whose value
 * reads as the answer (its text, its number, its label, its first word)
 * gives candidates from the simplest up: first(F), last(F), the same in the
 * client's or the server's frames, where a small-valued field of the same
 * frame has its value there (tls.handshake.type == 2), nth(k, F).  A whole
 * number also gives counts: count(F), count(frame where F), in one
 * direction, where such a field has a value, and len(distinct(F)).  Every
 * candidate is evaluated on the index, as a key would be, and kept only when
 * its value is the answer; the kept ones are ranked by the form (counts first
 * when the question asks "how many"), then by how rare the field is.
 */
#include "config.h"

#include <ctype.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <jansson.h>

#include "expr.h"

#define MAX_TRIES   6000        /* candidates evaluated */
#define MAX_DIST    16          /* a condition field has at most this many values in the trace */
#define MAX_CONDS   12          /* condition fields tried per occurrence */
#define MAX_MATCHES 400         /* occurrences whose value is the answer, looked at */

struct cand {
	char *src;
	int score;
};

struct sg {
	const struct tq_findex *ix;
	char ans[512];
	int is_int;
	int64_t n;
	int counting;                /* the question asks how many */
	uint32_t *count;             /* by field id: occurrences in the trace */
	uint8_t *ndist;              /* by field id: distinct values, up to MAX_DIST + 1 */
	int64_t *dist;               /* by field id: [MAX_DIST] of them */
	uint32_t dir_id;             /* tq.from_client's id, 0 when unknown */
	char **tried;
	size_t ntried, captried;
	struct cand *c;
	size_t nc, capc;
	int oom;
};

/* Text as a grader compares it: white space around, case and a final dot aside. */
static void
norm(const char *s, size_t n, char *out, size_t len)
{
	while (n && isspace((unsigned char)*s))
		s++, n--;
	while (n && isspace((unsigned char)s[n - 1]))
		n--;
	if (n > 1 && s[n - 1] == '.')
		n--;
	size_t k = 0;
	for (; k < n && k + 1 < len; k++)
		out[k] = (char)tolower((unsigned char)s[k]);
	out[k] = '\0';
}

static int
parse_whole(const char *s, int64_t *v)
{
	while (isspace((unsigned char)*s))
		s++;
	if (!*s)
		return -1;
	char *end;
	long long x = strtoll(s, &end, 0);
	while (isspace((unsigned char)*end))
		end++;
	if (*end)
		return -1;
	*v = x;
	return 0;
}

/* Whether the value v reads as the answer. */
static int
is_answer(const struct sg *g, const json_t *v)
{
	char t[512];
	if (json_is_integer(v)) {
		if (g->is_int)
			return json_integer_value(v) == g->n;
		snprintf(t, sizeof(t), "%" JSON_INTEGER_FORMAT, json_integer_value(v));
		return !strcmp(t, g->ans);
	}
	if (json_is_string(v)) {
		norm(json_string_value(v), json_string_length(v), t, sizeof(t));
		if (!strcmp(t, g->ans))
			return 1;
		int64_t x;
		return g->is_int && parse_whole(json_string_value(v), &x) == 0 && x == g->n;
	}
	return 0;
}

/* Evaluates the candidate made of fmt, once; kept when it gives the answer. */
static void
try_expr(struct sg *g, int score, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static void
try_expr(struct sg *g, int score, const char *fmt, ...)
{
	if (g->oom || g->ntried >= MAX_TRIES)
		return;
	char src[600];
	va_list ap;
	va_start(ap, fmt);
	int k = vsnprintf(src, sizeof(src), fmt, ap);
	va_end(ap);
	if (k < 0 || (size_t)k >= sizeof(src))
		return;
	for (size_t i = 0; i < g->ntried; i++)
		if (!strcmp(g->tried[i], src))
			return;
	if (g->ntried == g->captried) {
		size_t cap = g->captried ? g->captried * 2 : 256;
		char **t = realloc(g->tried, cap * sizeof(*t));
		if (!t) {
			g->oom = 1;
			return;
		}
		g->tried = t;
		g->captried = cap;
	}
	if (!(g->tried[g->ntried] = strdup(src))) {
		g->oom = 1;
		return;
	}
	g->ntried++;
	struct tq_expr *e;
	struct tq_expr_error err;
	if (tq_expr_parse(src, &e, &err) != 0)
		return;
	json_t *v = tq_expr_eval(g->ix, e, NULL, &err);
	tq_expr_free(e);
	int hit = v && is_answer(g, v);
	json_decref(v);
	if (!hit)
		return;
	if (g->nc == g->capc) {
		size_t cap = g->capc ? g->capc * 2 : 16;
		struct cand *c = realloc(g->c, cap * sizeof(*c));
		if (!c) {
			g->oom = 1;
			return;
		}
		g->c = c;
		g->capc = cap;
	}
	if (!(g->c[g->nc].src = strdup(src))) {
		g->oom = 1;
		return;
	}
	g->c[g->nc++].score = score;
}

/* The value of integer occurrence o of a small-valued field, as a condition can name it. */
static int
is_cond_field(const struct sg *g, const struct fx_occ *o)
{
	return o->kind == FX_INT && g->ndist[o->f->id] >= 2 && g->ndist[o->f->id] <= MAX_DIST &&
	    o->f->id != g->dir_id && o->f->type != FT_FRAMENUM;
}

/* tq.from_client in frame fr: 0, 1, or -1 when it is not there. */
static int
direction(const struct sg *g, uint32_t fr)
{
	const struct fx_frame *F = &g->ix->frames[fr - 1];
	for (uint32_t k = 0; k < F->nocc; k++) {
		const struct fx_occ *o = &g->ix->occ[F->occ0 + k];
		if (o->f->id == g->dir_id && o->kind == FX_INT)
			return o->v.i != 0;
	}
	return -1;
}

/* Conditions that hold in frame fr around occurrence at (its index in the frame): "G == v". */
static size_t
conditions(const struct sg *g, uint32_t fr, uint32_t at, uint32_t self, char conds[][160], size_t max)
{
	const struct fx_frame *F = &g->ix->frames[fr - 1];
	size_t n = 0;
	/* the nearest before it first, then after; fields named .type first */
	for (int pass = 0; pass < 2 && n < max; pass++) {
		for (uint32_t d = 0; d < F->nocc && n < max; d++) {
			int64_t k = pass == 0 ? (int64_t)at - 1 - d : (int64_t)at + 1 + d;
			if (k < 0 || k >= F->nocc)
				continue;
			const struct fx_occ *o = &g->ix->occ[F->occ0 + (uint32_t)k];
			if (o->f->id == self || !is_cond_field(g, o))
				continue;
			char c[160];
			snprintf(c, sizeof(c), "%s == %" PRId64, o->f->abbrev, o->v.i);
			int dup = 0;
			for (size_t i = 0; i < n; i++)
				dup |= !strcmp(conds[i], c);
			if (!dup)
				memcpy(conds[n++], c, sizeof(c));
		}
	}
	/* a message's type or code says most: those first, in the order found */
	for (size_t i = 0, j = 0; i < n; i++) {
		const char *eq = strstr(conds[i], " == ");
		size_t al = eq ? (size_t)(eq - conds[i]) : 0;
		int typed = (al > 5 && !memcmp(conds[i] + al - 5, ".type", 5)) || (al > 5 && !memcmp(conds[i] + al - 5, ".code", 5));
		if (typed) {
			char t[160];
			memcpy(t, conds[i], sizeof(t));
			memmove(conds[j + 1], conds[j], (i - j) * sizeof(conds[0]));
			memcpy(conds[j], t, sizeof(t));
			j++;
		}
	}
	return n;
}

/* How a value reads as the answer. */
enum { AS_NONE = -1, AS_VALUE, AS_LABEL, AS_WORD };

/* How the occurrence reads as the answer: its value, its label, its first word, or AS_NONE. */
static int
reads_as(const struct sg *g, const struct fx_occ *o)
{
	char t[512];
	if (o->kind == FX_INT) {
		if (g->is_int && o->v.i == g->n)
			return AS_VALUE;
		snprintf(t, sizeof(t), "%" PRId64, o->v.i);
		if (!strcmp(t, g->ans))
			return AS_VALUE;
		const char *l = tq_val_str(o->f, (uint64_t)o->v.i);
		if (l) {
			norm(l, strlen(l), t, sizeof(t));
			if (!strcmp(t, g->ans))
				return AS_LABEL;
		}
		return AS_NONE;
	}
	if (o->kind != FX_STR)
		return AS_NONE;
	const char *s = (const char *)fx_bytes(g->ix, o);
	size_t n = o->v.b.len;
	norm(s, n, t, sizeof(t));
	if (!strcmp(t, g->ans))
		return AS_VALUE;
	size_t w = 0;
	while (w < n && isspace((unsigned char)s[w]))
		w++;
	size_t e = w;
	while (e < n && !isspace((unsigned char)s[e]))
		e++;
	if (e < n) {
		norm(s + w, e - w, t, sizeof(t));
		if (!strcmp(t, g->ans))
			return AS_WORD;
	}
	return AS_NONE;
}

static int
by_score(const void *a, const void *b)
{
	const struct cand *x = a, *y = b;
	return (x->score > y->score) - (x->score < y->score);
}

/* The candidate agg, read as the answer was: as it is, its label, its first word. */
static void
try_as(struct sg *g, int score, int how, const char *agg)
{
	if (how == AS_LABEL)
		try_expr(g, score, "label(%s)", agg);
	else if (how == AS_WORD)
		try_expr(g, score, "word(%s, 1)", agg);
	else
		try_expr(g, score, "%s", agg);
}

/* Candidates from occurrence o (the k-th of its field, from 1) in frame fr, at its place in the frame. */
static void
from_value(struct sg *g, const struct fx_occ *o, uint32_t fr, uint32_t at, uint32_t k, int how)
{
	const char *F = o->f->abbrev;
	int rare = g->count[o->f->id] < 99 ? (int)g->count[o->f->id] : 99;
	int base = (g->counting ? 1000 : 0) + (how != AS_VALUE ? 20 : 0) + rare;
	char agg[600];
	snprintf(agg, sizeof(agg), "first(%s)", F);
	try_as(g, base, how, agg);
	snprintf(agg, sizeof(agg), "last(%s)", F);
	try_as(g, base + 100, how, agg);
	int d = direction(g, fr);
	if (d >= 0) {
		snprintf(agg, sizeof(agg), "first(%s where tq.from_client == %d)", F, d);
		try_as(g, base + 200, how, agg);
	}
	char conds[MAX_CONDS][160];
	size_t nc = conditions(g, fr, at, o->f->id, conds, MAX_CONDS);
	for (size_t i = 0; i < nc; i++) {
		snprintf(agg, sizeof(agg), "first(%.200s where %.159s)", F, conds[i]);
		try_as(g, base + 300 + (int)i, how, agg);
	}
	snprintf(agg, sizeof(agg), "nth(%u, %s)", k, F);
	try_as(g, base + 500, how, agg);
}

/* Counts that may give a whole number: of field f, first met in frame fr at place at. */
static void
counts_of(struct sg *g, const struct tq_field *f, uint32_t fr, uint32_t at)
{
	const char *F = f->abbrev;
	int rare = g->count[f->id] < 99 ? (int)g->count[f->id] : 99;
	int base = (g->counting ? 0 : 1000) + rare;
	try_expr(g, base, "count(%s)", F);
	try_expr(g, base + 100, "count(frame where %s)", F);
	try_expr(g, base + 150, "len(distinct(%s))", F);
	for (int d = 0; d < 2; d++)
		try_expr(g, base + 200, "count(%s where tq.from_client == %d)", F, d);
	char conds[MAX_CONDS][160];
	size_t nc = conditions(g, fr, at, f->id, conds, MAX_CONDS);
	for (size_t i = 0; i < nc; i++)
		try_expr(g, base + 300 + (int)i, "count(%s where %s)", F, conds[i]);
}

int
tq_suggest(const struct tq_findex *ix, const char *answer, const char *prompt, size_t max, char ***out, size_t *n)
{
	*out = NULL;
	*n = 0;
	struct sg g = { .ix = ix };
	norm(answer, strlen(answer), g.ans, sizeof(g.ans));
	g.is_int = parse_whole(answer, &g.n) == 0;
	if (prompt) {
		char p[512];
		norm(prompt, strlen(prompt), p, sizeof(p));
		g.counting = strstr(p, "how many") || strstr(p, "number of") || strstr(p, "combien");
	}
	const struct tq_field *dir = tq_field_lookup("tq.from_client");
	g.dir_id = dir ? dir->id : 0;
	g.count = calloc(ix->idlimit, sizeof(*g.count));
	g.ndist = calloc(ix->idlimit, 1);
	g.dist = calloc((size_t)ix->idlimit * MAX_DIST, sizeof(*g.dist));
	uint32_t *first_fr = calloc(ix->idlimit, sizeof(*first_fr)), *first_at = calloc(ix->idlimit, sizeof(*first_at));
	uint32_t *seen = calloc(ix->idlimit, sizeof(*seen));
	int rc = -1;
	if (!g.count || !g.ndist || !g.dist || !first_fr || !first_at || !seen)
		goto out;
	/* how often each field occurs, and the values of the small-valued ones */
	for (uint32_t fr = 1; fr <= ix->nframes; fr++) {
		const struct fx_frame *F = &ix->frames[fr - 1];
		for (uint32_t k = 0; k < F->nocc; k++) {
			const struct fx_occ *o = &ix->occ[F->occ0 + k];
			uint32_t id = o->f->id;
			if (!g.count[id]++) {
				first_fr[id] = fr;
				first_at[id] = k;
			}
			if (o->kind != FX_INT || g.ndist[id] > MAX_DIST)
				continue;
			int64_t *dv = g.dist + (size_t)id * MAX_DIST;
			int have = 0;
			for (uint8_t i = 0; i < g.ndist[id] && !have; i++)
				have = dv[i] == o->v.i;
			if (!have) {
				if (g.ndist[id] < MAX_DIST)
					dv[g.ndist[id]] = o->v.i;
				g.ndist[id]++;
			}
		}
	}
	/* the values that read as the answer */
	size_t matched = 0;
	for (uint32_t fr = 1; fr <= ix->nframes && matched < MAX_MATCHES && !g.oom; fr++) {
		const struct fx_frame *F = &ix->frames[fr - 1];
		for (uint32_t k = 0; k < F->nocc && matched < MAX_MATCHES; k++) {
			const struct fx_occ *o = &ix->occ[F->occ0 + k];
			uint32_t kth = ++seen[o->f->id];
			int how = reads_as(&g, o);
			if (how != AS_NONE) {
				matched++;
				from_value(&g, o, fr, k, kth, how);
			}
		}
	}
	/* a whole number may be a count */
	if (g.is_int && g.n > 0)
		for (uint32_t id = 1; id < ix->idlimit && !g.oom; id++)
			if (g.count[id] && first_fr[id]) {
				const struct fx_occ *o = &ix->occ[ix->frames[first_fr[id] - 1].occ0 + first_at[id]];
				if (o->f->id != g.dir_id)
					counts_of(&g, o->f, first_fr[id], first_at[id]);
			}
	if (g.oom)
		goto out;
	if (g.nc)
		qsort(g.c, g.nc, sizeof(*g.c), by_score);
	size_t keep = g.nc < max ? g.nc : max;
	char **r = calloc(keep ? keep : 1, sizeof(*r));
	if (!r)
		goto out;
	for (size_t i = 0; i < keep; i++) {
		r[i] = g.c[i].src;
		g.c[i].src = NULL;
	}
	*out = r;
	*n = keep;
	rc = 0;
out:
	for (size_t i = 0; i < g.nc; i++)
		free(g.c[i].src);
	free(g.c);
	for (size_t i = 0; i < g.ntried; i++)
		free(g.tried[i]);
	free(g.tried);
	free(g.count);
	free(g.ndist);
	free(g.dist);
	free(first_fr);
	free(first_at);
	free(seen);
	return rc;
}
