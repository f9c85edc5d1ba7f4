/*
 * expr_eval.c - evaluating an expression on the field index: values,
 * comparisons, functions, and the aggregates that walk the frames.
 */
#include "config.h"

#include "expr_int.h"

int
ev_fail(struct ctx *c, const struct node *n, const char *fmt, ...)
{
	c->err.pos = n ? (int)n->start : -1;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(c->err.msg, sizeof(c->err.msg), fmt, ap);
	va_end(ap);
	return -1;
}

int
ev_step(struct ctx *c, uint64_t n)
{
	c->steps += n;
	if (c->steps > TQ_EXPR_MAX_STEPS) {
		c->hard = 1;
		c->err.pos = -1;
		snprintf(c->err.msg, sizeof(c->err.msg),
		    "the expression takes too long on this trace (more than %u steps)", TQ_EXPR_MAX_STEPS);
		return -1;
	}
	return 0;
}

int
ev_nomem(struct ctx *c)
{
	c->hard = 1;
	c->err.pos = -1;
	snprintf(c->err.msg, sizeof(c->err.msg), "out of memory");
	return -1;
}

const char *
ev_src_of(const struct ctx *c, const struct node *n, char *buf, size_t len)
{
	size_t k = n->end - n->start;
	if (k > 120)
		snprintf(buf, len, "%.117s...", c->e->src + n->start);
	else
		snprintf(buf, len, "%.*s", (int)k, c->e->src + n->start);
	return buf;
}

/* ---- memory (NULL past MAX_MEM or when malloc fails) */

void *
ev_alloc(struct ctx *c, size_t n)
{
	if (n > MAX_MEM || c->mem + n > MAX_MEM)
		return NULL;
	struct tq_arena *a = c->cur;
	size_t before = a->total;
	void *p = tq_arena_alloc_raw(a, n);
	c->mem += a->total - before;
	return p && c->mem <= MAX_MEM ? p : NULL;
}

char *
ev_strdup(struct ctx *c, const char *s, size_t n)
{
	char *d = ev_alloc(c, n + 1);
	if (d) {
		memcpy(d, s, n);
		d[n] = '\0';
	}
	return d;
}

char *
ev_printf(struct ctx *c, const char *fmt, ...)
{
	char buf[256];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n < 0)
		return NULL;
	return ev_strdup(c, buf, (size_t)n < sizeof(buf) ? (size_t)n : sizeof(buf) - 1);
}

/* Empties a scratch arena, giving its bytes back to the count. */
void
ev_scratch_reset(struct ctx *c, struct tq_arena *a)
{
	size_t before = a->total;
	tq_arena_reset(a);
	c->mem -= before - a->total;
}

void
ev_scratch_free(struct ctx *c, struct tq_arena *a)
{
	c->mem -= a->total;
	tq_arena_free(a);
}

struct val
ev_none(const char *why)
{
	struct val v = { .k = V_NONE, .s = why };
	return v;
}

/* ---- origins (only with explain) */

int
ev_from_add(struct ctx *c, struct val *v, const struct from *f, size_t n)
{
	if (!c->explain || !n || v->nfrom >= MAX_FROM)
		return 0;
	if (n > MAX_FROM - v->nfrom)
		n = MAX_FROM - v->nfrom;
	struct from *m = ev_alloc(c, (v->nfrom + n) * sizeof(*m));
	if (!m)
		return ev_nomem(c);
	if (v->nfrom)
		memcpy(m, v->from, v->nfrom * sizeof(*m));
	memcpy(m + v->nfrom, f, n * sizeof(*m));
	v->from = m;
	v->nfrom += n;
	return 0;
}

int
ev_from_merge(struct ctx *c, struct val *v, const struct val *a)
{
	return ev_from_add(c, v, a->from, a->nfrom);
}

/* ---- values of occurrences */

static struct val
occ_val(const struct ctx *c, const struct fx_occ *o, uint32_t frame)
{
	struct val v = { .f = o->f, .ftype = o->f->type };
	switch (o->kind) {
	case FX_INT:
		v.k = o->f->type == FT_BOOLEAN ? V_BOOL : V_INT;
		v.i = o->v.i;
		break;
	case FX_REAL:
		v.k = V_REAL;
		v.d = o->v.d;
		break;
	case FX_STR:
		v.k = V_STR;
		v.s = (const char *)fx_bytes(c->ix, o);
		v.n = o->v.b.len;
		break;
	case FX_BYTES:
		v.k = V_BYTES;
		v.s = (const char *)fx_bytes(c->ix, o);
		v.n = o->v.b.len;
		break;
	case FX_PROTO:
		/* its own bytes; contains and matches search all it was given (i) */
		v.k = V_BYTES;
		v.s = (const char *)fx_bytes(c->ix, o);
		v.n = fx_proto_len(c->ix, o);
		v.i = o->v.b.len;
		break;
	default:
		v.k = V_BOOL;       /* a protocol: there */
		v.i = 1;
		break;
	}
	(void)frame;
	return v;
}

static int
occ_in(const struct tq_findex *ix, const struct fx_occ *o, const struct fx_anc *a)
{
	uint32_t pre = ix->anc[o->self].pre;
	return pre >= a->pre && pre <= a->end;
}

/* The occurrences of f that a scope sees: the aggregate's own occurrence when
 * f is its field; else those in the smallest subtree around that occurrence
 * that has any; else (no occurrence) those of the whole frame. */
static int
field_val(struct ctx *c, const struct node *n, const struct scope *sc, struct val *out)
{
	const struct tq_findex *ix = c->ix;
	const struct tq_field *f = n->f;
	if (!sc->frame) {
		/* outside any aggregate: the field's first value in the trace */
		for (uint32_t fr = 1; fr <= ix->nframes; fr++) {
			const struct fx_frame *F = &ix->frames[fr - 1];
			if (ev_step(c, F->nocc + 1))
				return -1;
			for (uint32_t k = 0; k < F->nocc; k++) {
				const struct fx_occ *o = &ix->occ[F->occ0 + k];
				if (o->f->id == f->id) {
					*out = occ_val(c, o, fr);
					struct from fm = { fr, f };
					return ev_from_add(c, out, &fm, 1);
				}
			}
		}
		return ev_fail(c, n, "no frame has %s", f->abbrev);
	}
	const struct fx_frame *F = &ix->frames[sc->frame - 1];
	if (ev_step(c, F->nocc + 1))
		return -1;
	if (!F->nocc) {
		/* nothing in this frame (and maybe in none: then the index has no occurrences at all) */
		*out = (struct val){ .k = V_LIST, .multi = 1, .f = f, .ftype = f->type };
		return 0;
	}
	const struct fx_occ *occ = ix->occ + F->occ0, *end = occ + F->nocc;
	const struct fx_anc *scope = NULL;
	/* none, or only one: that one is in every scope that holds any */
	const struct fx_occ *only = NULL;
	size_t k = 0;
	for (const struct fx_occ *o = occ; o < end && k < 2; o++) {
		if (o->f->id == f->id) {
			only = o;
			k++;
		}
	}
	if (k < 2 && !(sc->occ && sc->occ->f->id == f->id)) {
		struct val v = { .k = V_LIST, .multi = 1, .f = f, .ftype = f->type };
		if (k) {
			v.items = ev_alloc(c, sizeof(*v.items));
			if (!v.items)
				return ev_nomem(c);
			v.items[0] = occ_val(c, only, sc->frame);
			struct from fm = { sc->frame, f };
			if (ev_from_add(c, &v.items[0], &fm, 1))
				return -1;
			v.nitems = 1;
		}
		*out = v;
		return 0;
	}
	if (sc->occ) {
		if (sc->occ->f->id == f->id) {
			*out = occ_val(c, sc->occ, sc->frame);
			out->multi = 0;
			struct from fm = { sc->frame, f };
			return ev_from_add(c, out, &fm, 1);
		}
		for (uint32_t a = sc->occ->self; a != FX_NOANC; a = ix->anc[a].parent) {
			const struct fx_anc *A = &ix->anc[a];
			for (const struct fx_occ *o = occ; o < end; o++) {
				if (o->f->id == f->id && occ_in(ix, o, A)) {
					scope = A;
					break;
				}
			}
			if (scope)
				break;
			if (ev_step(c, F->nocc))
				return -1;
		}
	}
	k = 0;
	for (const struct fx_occ *o = occ; o < end; o++)
		if (o->f->id == f->id && (!scope || occ_in(ix, o, scope)))
			k++;
	struct val v = { .k = V_LIST, .multi = 1, .f = f, .ftype = f->type };
	if (k) {
		v.items = ev_alloc(c, k * sizeof(*v.items));
		if (!v.items)
			return ev_nomem(c);
		for (const struct fx_occ *o = occ; o < end; o++) {
			if (o->f->id == f->id && (!scope || occ_in(ix, o, scope))) {
				v.items[v.nitems] = occ_val(c, o, sc->frame);
				struct from fm = { sc->frame, f };
				if (ev_from_add(c, &v.items[v.nitems], &fm, 1))
					return -1;
				v.nitems++;
			}
		}
	}
	*out = v;
	return 0;
}

/* ---- conversions */

static void
bytes_str(const struct val *v, struct tq_sbuf *out)
{
	char buf[64];
	const uint8_t *p = (const uint8_t *)v->s;
	if (v->ftype == FT_IPV4 && v->n == 4) {
		tq_ipv4_str(p, buf, sizeof(buf));
		tq_sbuf_puts(out, buf);
	} else if (v->ftype == FT_IPV6 && v->n == 16) {
		tq_ipv6_str(p, buf, sizeof(buf));
		tq_sbuf_puts(out, buf);
	} else {
		tq_hexstr(p, v->n, ':', out);
	}
}

static void
real_str(double d, struct tq_sbuf *out)
{
	if (d == floor(d) && fabs(d) < 1e15)
		tq_sbuf_printf(out, "%.1f", d);
	else
		tq_sbuf_printf(out, "%.15g", d);
}

/* A scalar's text; lists as their items joined with ", ". */
void
ev_val_str(const struct val *v, struct tq_sbuf *out)
{
	switch (v->k) {
	case V_BOOL: tq_sbuf_puts(out, v->i ? "true" : "false"); break;
	case V_INT: tq_sbuf_put_i64(out, v->i); break;
	case V_REAL: real_str(v->d, out); break;
	case V_STR: tq_sbuf_put(out, v->s, v->n); break;
	case V_BYTES: bytes_str(v, out); break;
	case V_LIST:
		for (size_t i = 0; i < v->nitems; i++) {
			if (i)
				tq_sbuf_puts(out, ", ");
			ev_val_str(&v->items[i], out);
		}
		break;
	default: break;
	}
}

/* A value as a string in the evaluation's arena. */
int
ev_to_str(struct ctx *c, const struct val *v, struct val *out)
{
	if (v->k == V_STR) {
		*out = *v;
		return 0;
	}
	struct tq_sbuf b;
	tq_sbuf_init(&b, MAX_STR);
	ev_val_str(v, &b);
	if (b.err) {
		tq_sbuf_free(&b);
		return b.err == TQ_ETOOBIG ? ev_fail(c, NULL, "a computed string is longer than %u bytes", MAX_STR) : ev_nomem(c);
	}
	if (ev_step(c, 1 + (v->k == V_LIST ? v->nitems : 0) + b.len / 64)) {
		tq_sbuf_free(&b);
		return -1;
	}
	char *s = ev_strdup(c, b.s ? b.s : "", b.len);
	size_t n = b.len;
	tq_sbuf_free(&b);
	if (!s)
		return ev_nomem(c);
	struct val r = { .k = V_STR, .s = s, .n = n, .f = v->f, .from = v->from, .nfrom = v->nfrom };
	*out = r;
	return 0;
}

/* The first value of a field's occurrences (a scalar stays as it is). */
struct val
ev_scalar(const struct val *v)
{
	if (v->k == V_LIST && v->multi)
		return v->nitems ? v->items[0] : ev_none(NULL);
	return *v;
}

int
ev_truthy(const struct val *v)
{
	switch (v->k) {
	case V_BOOL:
	case V_INT: return v->i != 0;
	case V_REAL: return v->d != 0;
	case V_STR: return v->n != 0;
	case V_BYTES:
		if (v->mask) {
			for (size_t i = 0; i < v->n; i++)
				if (v->s[i])
					return 1;
			return 0;
		}
		return v->n != 0;
	case V_LIST: return v->nitems != 0;   /* a field: present */
	default: return 0;
	}
}

/* Compares two scalars: -1, 0, 1, or 2 when they cannot be compared. */
int
ev_compare(const struct val *a, const struct val *b)
{
	int an = a->k == V_INT || a->k == V_BOOL || a->k == V_REAL;
	int bn = b->k == V_INT || b->k == V_BOOL || b->k == V_REAL;
	if (an && bn) {
		if (a->k != V_REAL && b->k != V_REAL)
			return a->i < b->i ? -1 : a->i > b->i;
		double x = a->k == V_REAL ? a->d : (double)a->i, y = b->k == V_REAL ? b->d : (double)b->i;
		return x < y ? -1 : x > y;
	}
	if ((a->k == V_STR || a->k == V_BYTES) && (b->k == V_STR || b->k == V_BYTES)) {
		if (a->k == V_BYTES && b->k == V_STR && a->ftype != FT_BYTES) {
			/* an address against text: compare the address as Wireshark writes it */
			struct tq_sbuf s;
			tq_sbuf_init(&s, 0);
			bytes_str(a, &s);
			struct val t = { .k = V_STR, .s = s.s ? s.s : "", .n = s.len };
			int r = ev_compare(&t, b);
			tq_sbuf_free(&s);
			return r;
		}
		if (a->k == V_STR && b->k == V_BYTES && b->ftype != FT_BYTES) {
			int r = ev_compare(b, a);
			return r == 2 ? 2 : -r;
		}
		if (a->k == V_BYTES && b->k == V_BYTES && (a->subnet || b->subnet) && a->n == b->n) {
			/* an address in a subnet: equal when the prefix is */
			unsigned bits = a->subnet && b->subnet ? (a->plen < b->plen ? a->plen : b->plen) :
			    a->subnet ? a->plen : b->plen;
			const uint8_t *x = (const uint8_t *)a->s, *y = (const uint8_t *)b->s;
			int r = bits / 8 ? memcmp(x, y, bits / 8) : 0;
			if (r)
				return r < 0 ? -1 : 1;
			if (bits % 8) {
				uint8_t m = (uint8_t)(0xff << (8 - bits % 8));
				if ((x[bits / 8] & m) != (y[bits / 8] & m))
					return (x[bits / 8] & m) < (y[bits / 8] & m) ? -1 : 1;
			}
			return 0;
		}
		size_t n = a->n < b->n ? a->n : b->n;
		int r = n ? memcmp(a->s, b->s, n) : 0;
		if (r)
			return r < 0 ? -1 : 1;
		return a->n < b->n ? -1 : a->n > b->n;
	}
	if (an && b->k == V_STR) {
		int64_t v;
		if (expr_parse_int(b->s, b->n, &v) == 0) {
			struct val t = { .k = V_INT, .i = v };
			return ev_compare(a, &t);
		}
		return 2;
	}
	if (a->k == V_STR && bn) {
		int r = ev_compare(b, a);
		return r == 2 ? 2 : -r;
	}
	return 2;
}

static int
cmp_true(int op, int r)
{
	switch (op) {
	case OP_EQ: return r == 0;
	case OP_NE: return r != 0;
	case OP_LT: return r < 0;
	case OP_GT: return r > 0;
	case OP_LE: return r <= 0;
	case OP_ALLEQ: return r == 0;
	case OP_ANYNE: return r != 0;
	default: return r >= 0;
	}
}

const char *
ev_kind_desc(int k)
{
	switch (k) {
	case V_BOOL: return "a boolean";
	case V_INT: return "an integer";
	case V_REAL: return "a number";
	case V_STR: return "text";
	case V_BYTES: return "bytes";
	case V_LIST: return "a list";
	default: return "nothing";
	}
}


/* Evaluates n as a member of an any/all comparison: a field's occurrences are
 * its members; anything else is one member. */
int
ev_members(const struct val *v, const struct val **items, size_t *n)
{
	if (v->k == V_LIST && v->multi) {
		*items = v->items;
		*n = v->nitems;
	} else if (v->k == V_NONE) {
		*items = NULL;
		*n = 0;
	} else {
		*items = v;
		*n = 1;
	}
	return 0;
}

/* A value as a list: a computed list as it is, a field's occurrences as the
 * list of them, a single value as a list of one. */
struct val
ev_as_list(const struct val *v)
{
	if (v->k == V_LIST)
		return *v;
	const struct val *it;
	size_t n;
	ev_members(v, &it, &n);
	return (struct val){ .k = V_LIST, .items = (struct val *)it, .nitems = n };
}

static int
ev_cmp(struct ctx *c, const struct node *n, const struct scope *sc, struct val *out)
{
	struct val a, b;
	if (ev_node(c, n->a, sc, &a) || ev_node(c, n->b, sc, &b))
		return -1;
	if (a.k == V_LIST && !a.multi && b.k == V_LIST && !b.multi) {
		/* two computed lists: equal when they hold equal values in the same order */
		if (n->op != OP_EQ && n->op != OP_NE)
			return ev_fail(c, n, "lists compare with == and != only");
		int eq = a.nitems == b.nitems;
		if (ev_step(c, a.nitems))
			return -1;
		for (size_t i = 0; eq && i < a.nitems; i++)
			eq = ev_compare(&a.items[i], &b.items[i]) == 0;
		*out = (struct val){ .k = V_BOOL, .i = n->op == OP_EQ ? eq : !eq };
		return 0;
	}
	const struct val *ai, *bi;
	size_t an, bn;
	ev_members(&a, &ai, &an);
	ev_members(&b, &bi, &bn);
	if (ev_step(c, an * bn))
		return -1;
	int any = 0, all_ne = 1, all_eq = 1;
	for (size_t i = 0; i < an; i++) {
		for (size_t j = 0; j < bn; j++) {
			int r = ev_compare(&ai[i], &bi[j]);
			if (r == 2) {
				char t1[128], t2[128];
				return ev_fail(c, n, "cannot compare %s (%s) with %s (%s)", ev_src_of(c, n->a, t1, sizeof(t1)),
				    ev_kind_desc(ai[i].k), ev_src_of(c, n->b, t2, sizeof(t2)), ev_kind_desc(bi[j].k));
			}
			if (r == 0)
				all_ne = 0;
			else
				all_eq = 0;
			if (n->op != OP_NE && cmp_true(n->op, r))
				any = 1;
		}
	}
	/* != is "no member equal", === "every member equal", as Wireshark's; the others "some member" */
	*out = (struct val){ .k = V_BOOL, .i = n->op == OP_NE ? (an && bn && all_ne) :
	    n->op == OP_ALLEQ ? (an && bn && all_eq) : any };
	return 0;
}

const void *
ev_find_bytes(const void *h, size_t hn, const void *nd, size_t nn)
{
	if (!nn)
		return h;
	return memmem(h, hn, nd, nn);
}

static int
ev_contains(struct ctx *c, const struct node *n, const struct scope *sc, struct val *out)
{
	struct val a, b;
	if (ev_node(c, n->a, sc, &a) || ev_node(c, n->b, sc, &b))
		return -1;
	struct val x = ev_scalar(&b);
	*out = (struct val){ .k = V_BOOL, .i = 0 };
	if (x.k == V_NONE)
		return 0;
	if (a.k == V_LIST && !a.multi) {
		/* a computed list holds the value */
		if (ev_step(c, a.nitems))
			return -1;
		for (size_t i = 0; i < a.nitems; i++)
			if (ev_compare(&a.items[i], &x) == 0)
				out->i = 1;
		return 0;
	}
	const struct val *ai;
	size_t an;
	ev_members(&a, &ai, &an);
	struct val xs;
	if (x.k != V_STR && x.k != V_BYTES) {
		if (ev_to_str(c, &x, &xs))
			return -1;
	} else {
		xs = x;
	}
	for (size_t i = 0; i < an; i++) {
		struct val h;
		if (ai[i].k == V_STR || ai[i].k == V_BYTES) {
			h = ai[i];
			if (h.ftype == FT_PROTOCOL)
				h.n = (size_t)h.i;
		} else if (ai[i].k == V_LIST) {
			if (ev_step(c, ai[i].nitems))
				return -1;
			for (size_t j = 0; j < ai[i].nitems; j++)
				if (ev_compare(&ai[i].items[j], &x) == 0)
					out->i = 1;
			continue;
		} else {
			char t[128];
			return ev_fail(c, n, "contains needs text, bytes or a list; %s is %s", ev_src_of(c, n->a, t, sizeof(t)),
			    ev_kind_desc(ai[i].k));
		}
		if (ev_step(c, 1 + h.n / 64))
			return -1;
		if (ev_find_bytes(h.s, h.n, xs.s, xs.n))
			out->i = 1;
	}
	return 0;
}

/* Called by PCRE2 before each item of a pattern it tries. */
static int
re_callout(pcre2_callout_block *cb, void *data)
{
	struct ctx *c = data;
	(void)cb;
	c->steps += RE_STEPS;
	return c->steps > TQ_EXPR_MAX_STEPS ? PCRE2_ERROR_CALLOUT : 0;
}

static int
regex_match(struct ctx *c, const struct node *n, const struct val *v, int *hit)
{
	struct val s;
	if (v->k == V_STR || v->k == V_BYTES)
		s = *v;
	else if (ev_to_str(c, v, &s))
		return -1;
	if (s.k == V_BYTES && s.ftype == FT_PROTOCOL)
		s.n = (size_t)s.i;   /* all it was given */
	if (0)
		return -1;
	if (!c->md) {
		c->md = pcre2_match_data_create(1, NULL);
		c->mc = pcre2_match_context_create(NULL);
		if (!c->md || !c->mc)
			return ev_nomem(c);
		/* a pattern that backtracks without end stops with an error */
		pcre2_set_match_limit(c->mc, 1000000);
		pcre2_set_depth_limit(c->mc, 10000);
		pcre2_set_callout(c->mc, re_callout, c);
	}
	if (ev_step(c, 1 + s.n / 16))
		return -1;
	int rc = pcre2_match(n->re, (PCRE2_SPTR)(s.s ? s.s : ""), s.n, 0, 0, c->md, c->mc);
	if (rc >= 0) {
		*hit = 1;
		return 0;
	}
	if (rc == PCRE2_ERROR_NOMATCH)
		return 0;
	if (rc == PCRE2_ERROR_CALLOUT)
		return ev_step(c, 0);          /* past the steps: the message says so */
	if (rc == PCRE2_ERROR_MATCHLIMIT || rc == PCRE2_ERROR_DEPTHLIMIT) {
		c->hard = 1;
		return ev_fail(c, n, "the regular expression takes too long on this text (simplify it)");
	}
	return ev_fail(c, n, "the regular expression failed (PCRE2 error %d)", rc);
}

static int
ev_matches(struct ctx *c, const struct node *n, const struct scope *sc, struct val *out)
{
	struct val a;
	if (ev_node(c, n->a, sc, &a))
		return -1;
	const struct val *ai;
	size_t an;
	ev_members(&a, &ai, &an);
	int hit = 0;
	for (size_t i = 0; i < an && !hit; i++)
		if (regex_match(c, n, &ai[i], &hit))
			return -1;
	*out = (struct val){ .k = V_BOOL, .i = hit };
	return 0;
}

static int
ev_in(struct ctx *c, const struct node *n, const struct scope *sc, struct val *out)
{
	struct val a;
	if (ev_node(c, n->a, sc, &a))
		return -1;
	const struct val *ai;
	size_t an;
	ev_members(&a, &ai, &an);
	int hit = 0;
	for (uint32_t k = 0; k < n->nargs && !hit; k++) {
		const struct node *m = n->args[k];
		if (m->kind == N_RANGE) {
			struct val lo, hi;
			if (ev_node(c, m->a, sc, &lo) || ev_node(c, m->b, sc, &hi))
				return -1;
			lo = ev_scalar(&lo);
			hi = ev_scalar(&hi);
			for (size_t i = 0; i < an; i++) {
				int r1 = ev_compare(&ai[i], &lo), r2 = ev_compare(&ai[i], &hi);
				if (r1 == 2 || r2 == 2)
					return ev_fail(c, m, "cannot compare %s with this range", ev_kind_desc(ai[i].k));
				if (r1 >= 0 && r2 <= 0)
					hit = 1;
			}
		} else {
			struct val v;
			if (ev_node(c, m, sc, &v))
				return -1;
			struct val vl = ev_as_list(&v);        /* a computed list: any of its items */
			const struct val *vi = vl.items;
			size_t vn = vl.nitems;
			if (ev_step(c, an * vn))
				return -1;
			for (size_t i = 0; i < an; i++) {
				for (size_t j = 0; j < vn; j++) {
					int r = ev_compare(&ai[i], &vi[j]);
					if (r == 2)
						return ev_fail(c, m, "cannot compare %s with %s", ev_kind_desc(ai[i].k), ev_kind_desc(vi[j].k));
					if (r == 0)
						hit = 1;
				}
			}
		}
	}
	*out = (struct val){ .k = V_BOOL, .i = hit };
	return 0;
}

static int
ev_arith(struct ctx *c, const struct node *n, const struct scope *sc, struct val *out)
{
	struct val a0, b0;
	if (ev_node(c, n->a, sc, &a0) || ev_node(c, n->b, sc, &b0))
		return -1;
	struct val a = ev_scalar(&a0), b = ev_scalar(&b0);
	if (a.k == V_NONE || b.k == V_NONE) {
		*out = ev_none(a.k == V_NONE ? a.s : b.s);
		return 0;
	}
	if (n->op == OP_ADD && (a.k == V_STR || b.k == V_STR)) {
		/* text joins text */
		struct val as, bs;
		if (ev_to_str(c, &a, &as) || ev_to_str(c, &b, &bs))
			return -1;
		if (as.n + bs.n > MAX_STR)
			return ev_fail(c, n, "a computed string is longer than %u bytes", MAX_STR);
		if (ev_step(c, 1 + (as.n + bs.n) / 64))
			return -1;
		char *s = ev_alloc(c, as.n + bs.n + 1);
		if (!s)
			return ev_nomem(c);
		memcpy(s, as.s, as.n);
		memcpy(s + as.n, bs.s, bs.n);
		s[as.n + bs.n] = '\0';
		*out = (struct val){ .k = V_STR, .s = s, .n = as.n + bs.n };
		return ev_from_merge(c, out, &a) || ev_from_merge(c, out, &b) ? -1 : 0;
	}
	if (n->op == OP_BAND && a.k == V_BYTES && b.k == V_BYTES) {
		/* bytes and bytes, as long as the shorter (tcp[13] & 0x12) */
		size_t k = a.n < b.n ? a.n : b.n;
		char *d = ev_alloc(c, k + 1);
		if (!d)
			return ev_nomem(c);
		for (size_t i = 0; i < k; i++)
			d[i] = (char)(a.s[i] & b.s[i]);
		*out = (struct val){ .k = V_BYTES, .ftype = FT_BYTES, .mask = 1, .s = d, .n = k };
		return ev_from_merge(c, out, &a) || ev_from_merge(c, out, &b) ? -1 : 0;
	}
	int an = a.k == V_INT || a.k == V_BOOL || a.k == V_REAL, bn = b.k == V_INT || b.k == V_BOOL || b.k == V_REAL;
	if (!an || !bn) {
		char t[128];
		const struct node *bad = an ? n->b : n->a;
		return ev_fail(c, bad, "arithmetic needs numbers; %s is %s", ev_src_of(c, bad, t, sizeof(t)),
		    ev_kind_desc(an ? b.k : a.k));
	}
	struct val r = { .k = V_INT };
	if (n->op == OP_BAND) {
		if (a.k == V_REAL || b.k == V_REAL)
			return ev_fail(c, n, "'&' needs whole numbers");
		r.i = a.i & b.i;
		*out = r;
		return ev_from_merge(c, out, &a) || ev_from_merge(c, out, &b) ? -1 : 0;
	}
	/* an integer division with a remainder gives a real (INT64_MIN % -1 traps) */
	if (a.k == V_REAL || b.k == V_REAL || (n->op == OP_DIV && b.i != 0 && b.i != -1 && a.i % b.i != 0)) {
		double x = a.k == V_REAL ? a.d : (double)a.i, y = b.k == V_REAL ? b.d : (double)b.i;
		r.k = V_REAL;
		switch (n->op) {
		case OP_ADD: r.d = x + y; break;
		case OP_SUB: r.d = x - y; break;
		case OP_MUL: r.d = x * y; break;
		case OP_DIV:
			if (y == 0)
				return ev_fail(c, n, "division by zero");
			r.d = x / y;
			break;
		default:
			if (y == 0)
				return ev_fail(c, n, "division by zero");
			r.d = fmod(x, y);
			break;
		}
		if (!isfinite(r.d) && isfinite(x) && isfinite(y))
			return ev_fail(c, n, "the result is too large for a number");
	} else {
		int64_t x = a.i, y = b.i, z = 0;
		int ovf = 0;
		switch (n->op) {
		case OP_ADD: ovf = __builtin_add_overflow(x, y, &z); break;
		case OP_SUB: ovf = __builtin_sub_overflow(x, y, &z); break;
		case OP_MUL: ovf = __builtin_mul_overflow(x, y, &z); break;
		case OP_DIV:
		case OP_MOD:
			if (y == 0)
				return ev_fail(c, n, "division by zero");
			if (x == INT64_MIN && y == -1) {
				ovf = 1;
				break;
			}
			z = n->op == OP_DIV ? x / y : x % y;
			break;
		}
		if (ovf)
			return ev_fail(c, n, "the result does not fit in 64 bits");
		r.i = z;
	}
	*out = r;
	return ev_from_merge(c, out, &a) || ev_from_merge(c, out, &b) ? -1 : 0;
}

int
ev_node(struct ctx *c, const struct node *n, const struct scope *sc, struct val *out)
{
	if (ev_step(c, 1))
		return -1;
	switch (n->kind) {
	case N_LIT:
	case N_RAW:
		*out = n->lit;
		return 0;
	case N_FIELD:
		return field_val(c, n, sc, out);
	case N_SLICE:
		return ev_slice(c, n, sc, out);
	case N_IF: {
		struct val cond;
		if (ev_node(c, n->a, sc, &cond))
			return -1;
		return ev_node(c, ev_truthy(&cond) ? n->b : n->c, sc, out);
	}
	case N_NOT: {
		struct val a;
		if (ev_node(c, n->a, sc, &a))
			return -1;
		*out = (struct val){ .k = V_BOOL, .i = !ev_truthy(&a) };
		return 0;
	}
	case N_AND:
	case N_OR: {
		struct val a;
		if (ev_node(c, n->a, sc, &a))
			return -1;
		int t = ev_truthy(&a);
		if ((n->kind == N_AND && !t) || (n->kind == N_OR && t)) {
			*out = (struct val){ .k = V_BOOL, .i = t };
			return 0;
		}
		struct val b;
		if (ev_node(c, n->b, sc, &b))
			return -1;
		*out = (struct val){ .k = V_BOOL, .i = ev_truthy(&b) };
		return 0;
	}
	case N_CMP:
		return ev_cmp(c, n, sc, out);
	case N_CONTAINS:
		return ev_contains(c, n, sc, out);
	case N_MATCHES:
		return ev_matches(c, n, sc, out);
	case N_IN:
		return ev_in(c, n, sc, out);
	case N_ARITH:
		return ev_arith(c, n, sc, out);
	case N_NEG: {
		struct val a0;
		if (ev_node(c, n->a, sc, &a0))
			return -1;
		struct val a = ev_scalar(&a0);
		if (a.k == V_INT && a.i == INT64_MIN) {
			return ev_fail(c, n, "the result does not fit in 64 bits");
		} else if (a.k == V_INT) {
			a.i = -a.i;
		} else if (a.k == V_REAL) {
			a.d = -a.d;
		} else if (a.k != V_NONE) {
			char t[128];
			return ev_fail(c, n->a, "cannot negate %s (%s)", ev_src_of(c, n->a, t, sizeof(t)), ev_kind_desc(a.k));
		}
		a.f = NULL;
		*out = a;
		return 0;
	}
	case N_CALL:
		return ev_call(c, n, sc, out);
	case N_ITEM:
		*out = *c->item;
		return 0;
	case N_AGG: {
		/* an aggregate reads its own frames: once per evaluation, or once
		 * per item when its condition reads filter()'s item */
		struct memo *m = &c->memo[n->id];
		if (n->item_dep) {
			struct tq_arena *saved = c->cur;
			c->cur = &c->arena;
			int rc = ev_agg(c, n, out);
			c->cur = saved;
			return rc;
		}
		if (m->state == 1) {
			*out = m->v;
			return 0;
		}
		if (m->state == 2) {
			c->err = m->err;
			return -1;
		}
		/* made where it lasts: it is remembered, even when met in a condition */
		struct tq_arena *saved = c->cur;
		c->cur = &c->arena;
		int rc = ev_agg(c, n, out);
		c->cur = saved;
		if (rc) {
			if (c->hard)
				return -1;
			m->state = 2;
			m->err = c->err;
			return -1;
		}
		m->state = 1;
		m->v = *out;
		return 0;
	}
	case N_FALLBACK: {
		struct val a;
		if (ev_node(c, n->a, sc, &a) == 0 && ev_scalar(&a).k != V_NONE && !(a.k == V_LIST && a.multi && !a.nitems)) {
			*out = a;
			return 0;
		}
		if (c->hard)
			return -1;
		return ev_node(c, n->b, sc, out);
	}
	default:
		return ev_fail(c, n, "this cannot be evaluated here");
	}
}

/* ---- results */

/* Text as JSON wants it: valid UTF-8, other bytes as U+FFFD. */
static json_t *
json_text(const char *s, size_t n)
{
	size_t i = 0;
	int ok = 1;
	while (i < n) {
		unsigned char ch = (unsigned char)s[i];
		size_t k = ch < 0x80 ? 1 : (ch >> 5) == 6 ? 2 : (ch >> 4) == 14 ? 3 : (ch >> 3) == 30 ? 4 : 0;
		if (!k || i + k > n || !ch) {
			ok = 0;
			break;
		}
		for (size_t j = 1; j < k; j++)
			if (((unsigned char)s[i + j] >> 6) != 2)
				ok = 0;
		if (!ok)
			break;
		i += k;
	}
	if (ok)
		return json_stringn(s, n);
	struct tq_sbuf b;
	tq_sbuf_init(&b, 0);
	for (i = 0; i < n;) {
		unsigned char ch = (unsigned char)s[i];
		size_t k = ch < 0x80 ? 1 : (ch >> 5) == 6 ? 2 : (ch >> 4) == 14 ? 3 : (ch >> 3) == 30 ? 4 : 0;
		int good = k && i + k <= n && ch;
		for (size_t j = 1; good && j < k; j++)
			if (((unsigned char)s[i + j] >> 6) != 2)
				good = 0;
		if (good) {
			tq_sbuf_put(&b, s + i, k);
			i += k;
		} else {
			tq_sbuf_puts(&b, "\xef\xbf\xbd");
			i++;
		}
	}
	json_t *j = json_stringn(b.s ? b.s : "", b.len);
	tq_sbuf_free(&b);
	return j;
}

/* JSON has no infinities (a field of the trace may hold one). */
static int
all_finite(const struct val *v)
{
	if (v->k == V_REAL)
		return isfinite(v->d);
	for (size_t i = 0; v->k == V_LIST && i < v->nitems; i++)
		if (!all_finite(&v->items[i]))
			return 0;
	return 1;
}

static json_t *
to_json(const struct val *v)
{
	switch (v->k) {
	case V_BOOL: return json_boolean(v->i);
	case V_INT: return json_integer(v->i);
	case V_REAL: return json_real(v->d);
	case V_STR: return json_text(v->s, v->n);
	case V_BYTES: {
		struct tq_sbuf b;
		tq_sbuf_init(&b, 0);
		bytes_str(v, &b);
		json_t *j = json_stringn(b.s ? b.s : "", b.len);
		tq_sbuf_free(&b);
		return j;
	}
	case V_LIST: {
		json_t *a = json_array();
		for (size_t i = 0; a && i < v->nitems; i++)
			if (json_array_append_new(a, to_json(&v->items[i])) != 0) {
				json_decref(a);
				return NULL;
			}
		return a;
	}
	default: return json_null();
	}
}

/* Whether every field e reads is in the index (else err says which is not). */
static int
indexed(const struct tq_findex *ix, const struct tq_expr *e, struct tq_expr_error *err)
{
	if (!ix || !e) {
		expr_set_err(err, -1, "nothing to evaluate");
		return 0;
	}
	for (size_t i = 0; i < e->nfields; i++) {
		if (e->fields[i]->id >= ix->idlimit || !ix->want[e->fields[i]->id]) {
			expr_set_err(err, -1, "internal error: the index was built without %s", e->fields[i]->abbrev);
			return 0;
		}
	}
	return 1;
}

static int
ctx_init(struct ctx *c, const struct tq_findex *ix, const struct tq_expr *e, int explain, struct tq_expr_error *err)
{
	*c = (struct ctx){ .ix = ix, .e = e, .explain = explain };
	tq_arena_init(&c->arena, 0);
	c->cur = &c->arena;
	c->memo = calloc(e->nnodes ? e->nnodes : 1, sizeof(*c->memo));
	if (!c->memo) {
		expr_set_err(err, -1, "out of memory");
		return -1;
	}
	return 0;
}

static void
ctx_free(struct ctx *c)
{
	if (c->md)
		pcre2_match_data_free(c->md);
	if (c->mc)
		pcre2_match_context_free(c->mc);
	free(c->memo);
	tq_arena_free(&c->arena);
}

int
tq_filter_select(const struct tq_findex *ix, const struct tq_expr *e, uint8_t *sel, struct tq_expr_error *err)
{
	if (!indexed(ix, e, err))
		return -1;
	struct ctx c;
	if (ctx_init(&c, ix, e, 0, err) != 0) {
		ctx_free(&c);
		return -1;
	}
	struct tq_arena scratch;
	tq_arena_init(&scratch, 0);
	int rc = 0;
	for (uint32_t fr = 1; fr <= ix->nframes && rc == 0; fr++) {
		struct scope sc = { fr, NULL };
		int yes = 0;
		rc = ev_cond(&c, e->root, &sc, &scratch, &yes);
		sel[fr - 1] = (uint8_t)(rc == 0 && yes);
	}
	if (rc != 0 && err)
		*err = c.err;
	tq_arena_free(&scratch);
	ctx_free(&c);
	return rc ? -1 : 0;
}

json_t *
tq_expr_eval(const struct tq_findex *ix, const struct tq_expr *e, json_t **from, struct tq_expr_error *err)
{
	if (from)
		*from = NULL;
	if (!indexed(ix, e, err))
		return NULL;
	struct ctx c;
	json_t *result = NULL;
	if (ctx_init(&c, ix, e, from != NULL, err) != 0)
		goto out;
	struct scope top = { 0, NULL };
	struct val v;
	if (ev_node(&c, e->root, &top, &v)) {
		if (err)
			*err = c.err;
		goto out;
	}
	if (v.k == V_LIST && v.multi)
		v = ev_scalar(&v);
	if (v.k == V_NONE) {
		char t[200];
		if (v.s)
			expr_set_err(err, (int)e->root->start, "%s has no value: %s", ev_src_of(&c, e->root, t, sizeof(t)), v.s);
		else
			expr_set_err(err, (int)e->root->start, "%s has no value on this trace", ev_src_of(&c, e->root, t, sizeof(t)));
		goto out;
	}
	if (!all_finite(&v)) {
		char t[200];
		expr_set_err(err, (int)e->root->start, "%s is not a finite number", ev_src_of(&c, e->root, t, sizeof(t)));
		goto out;
	}
	result = to_json(&v);
	if (!result) {
		expr_set_err(err, -1, "out of memory");
		goto out;
	}
	if (from) {
		json_t *a = json_array();
		for (size_t i = 0; a && i < v.nfrom; i++) {
			/* each (frame, field) once, in the order met */
			int dup = 0;
			for (size_t j = 0; j < i && !dup; j++)
				dup = v.from[j].frame == v.from[i].frame && v.from[j].f->id == v.from[i].f->id;
			if (!dup)
				json_array_append_new(a, json_pack("{s:I,s:s}", "frame", (json_int_t)v.from[i].frame,
				    "field", v.from[i].f->abbrev));
		}
		*from = a;
	}
out:
	ctx_free(&c);
	return result;
}
