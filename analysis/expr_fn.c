/*
 * expr_fn.c - the expression language's plain functions: text (word, len,
 * lower, ...), numbers, slices, label(), filter(), index(), sets.
 */
#include "config.h"

#include "expr_int.h"

static int
need_str(struct ctx *c, const struct node *arg, const struct val *v, struct val *out)
{
	struct val s = ev_scalar(v);
	if (s.k == V_LIST) {
		char t[128];
		return ev_fail(c, arg, "%s is a list; this takes text", ev_src_of(c, arg, t, sizeof(t)));
	}
	if (s.k == V_NONE) {
		*out = s;
		return 0;
	}
	return ev_to_str(c, &s, out);
}

int
ev_need_int(struct ctx *c, const struct node *arg, const struct val *v, int64_t *out)
{
	struct val s = ev_scalar(v);
	if (s.k == V_INT || s.k == V_BOOL) {
		*out = s.i;
		return 0;
	}
	if (s.k == V_STR && expr_parse_int(s.s, s.n, out) == 0)
		return 0;
	char t[128];
	return ev_fail(c, arg, "%s must be an integer, not %s", ev_src_of(c, arg, t, sizeof(t)), ev_kind_desc(s.k));
}

static int
is_space(char ch)
{
	return ch == ' ' || ch == '\t' || ch == '\r' || ch == '\n' || ch == '\f' || ch == '\v';
}

/* The pieces of a text: cut at sep, or at runs of white space when sep is NULL. */
struct cut {
	const char *p, *end, *sep;
	size_t seplen;
	int done;
};

static int
cut_next(struct cut *ct, const char **start, size_t *len)
{
	if (ct->done)
		return 0;
	if (!ct->sep) {
		const char *p = ct->p;
		while (p < ct->end && is_space(*p))
			p++;
		if (p == ct->end) {
			ct->done = 1;
			return 0;
		}
		const char *q = p;
		while (q < ct->end && !is_space(*q))
			q++;
		*start = p;
		*len = (size_t)(q - p);
		ct->p = q;
		return 1;
	}
	const char *q = memmem(ct->p, (size_t)(ct->end - ct->p), ct->sep, ct->seplen);
	if (!q) {
		q = ct->end;
		ct->done = 1;
	}
	*start = ct->p;
	*len = (size_t)(q - ct->p);
	ct->p = ct->done ? q : q + ct->seplen;
	return 1;
}

/* Piece k (1-based; negative: from the end) of s cut at sep, or at runs of
 * white space when sep is NULL; a NONE value saying why when there is none. */
static int
piece(struct ctx *c, const struct val *s, const char *sep, size_t seplen, int64_t k, struct val *out)
{
	if (ev_step(c, 1 + s->n / 64))
		return -1;
	struct cut ct = { s->s, s->s + s->n, sep, seplen, 0 };
	const char *p;
	size_t len, n = 0;
	while (cut_next(&ct, &p, &len))
		n++;
	/* |k| without overflow, INT64_MIN included */
	uint64_t mag = k < 0 ? (uint64_t)(-(k + 1)) + 1 : (uint64_t)k;
	if (k == 0 || mag > n) {
		char *why = ev_printf(c, "%s %" PRId64 " of a text with %zu %s", sep ? "part" : "word",
		    k, n, sep ? (n == 1 ? "part" : "parts") : (n == 1 ? "word" : "words"));
		*out = ev_none(why);
		return 0;
	}
	size_t want = k > 0 ? (size_t)mag - 1 : n - (size_t)mag;
	struct cut c2 = { s->s, s->s + s->n, sep, seplen, 0 };
	for (size_t i = 0; cut_next(&c2, &p, &len); i++)
		if (i == want)
			break;
	*out = (struct val){ .k = V_STR, .s = p, .n = len, .from = s->from, .nfrom = s->nfrom };
	return 0;
}

/* under(G): the occurrence an aggregate is at lies inside an occurrence of G
 * (x509sat.printableString under x509af.issuer, not under the subject). */
static int
ev_under(struct ctx *c, const struct node *n, const struct scope *sc, struct val *out)
{
	const struct tq_findex *ix = c->ix;
	const struct tq_field *g = n->args[0]->f;
	*out = (struct val){ .k = V_BOOL, .i = 0 };
	if (!sc->frame || !sc->occ)
		return ev_fail(c, n, "under() belongs in the condition of an aggregate, such as first(F where under(%s))",
		    g->abbrev);
	const struct fx_frame *F = &ix->frames[sc->frame - 1];
	if (ev_step(c, F->nocc))
		return -1;
	uint32_t pre = ix->anc[sc->occ->self].pre;
	for (uint32_t k = 0; k < F->nocc; k++) {
		const struct fx_occ *o = &ix->occ[F->occ0 + k];
		if (o->f->id != g->id || o == sc->occ)
			continue;
		const struct fx_anc *a = &ix->anc[o->self];
		if (pre > a->pre && pre <= a->end) {
			out->i = 1;
			break;
		}
	}
	return 0;
}


/* The range [*lo, *end) slice n takes of len items; 0 when it falls outside them. */
static int
slice_range(const struct node *n, int64_t len, int64_t *lo, int64_t *end)
{
	*lo = n->lit.i;
	if (*lo < 0)
		*lo += len;
	switch (n->op) {
	case 0: *end = *lo + 1; break;
	case 1: *end = *lo + (int64_t)n->lit.n; break;
	case 2: {
		int64_t hi = (int64_t)n->lit.d;
		if (hi < 0)
			hi += len;
		*end = hi + 1;
		break;
	}
	default: *end = len; break;
	}
	return *lo >= 0 && *end <= len && *lo < *end;
}

/* A slice of each occurrence: bytes, or nothing where the range falls outside it.
 * In answer keys also of a computed text (its bytes) or list ([i]: an item). */
int
ev_slice(struct ctx *c, const struct node *n, const struct scope *sc, struct val *out)
{
	struct val a;
	if (ev_node(c, n->a, sc, &a))
		return -1;
	int64_t lo, end;
	if ((a.k == V_STR || a.k == V_BYTES) && n->a->kind != N_FIELD) {
		if (!slice_range(n, (int64_t)a.n, &lo, &end)) {
			*out = ev_none(ev_printf(c, "the text has %zu bytes: the slice falls outside it", a.n));
			return 0;
		}
		struct val v = a;
		v.s += lo;
		v.n = (size_t)(end - lo);
		*out = v;
		return 0;
	}
	if (a.k == V_LIST && !a.multi) {
		if (!slice_range(n, (int64_t)a.nitems, &lo, &end)) {
			*out = ev_none(ev_printf(c, "the list has %zu values: the slice falls outside it", a.nitems));
			return 0;
		}
		if (n->op == 0) {
			*out = a.items[lo];
			return 0;
		}
		struct val v = a;
		v.items += lo;
		v.nitems = (size_t)(end - lo);
		*out = v;
		return 0;
	}
	if (a.k != V_LIST && a.k != V_NONE && n->a->kind != N_FIELD) {
		char t[128];
		return ev_fail(c, n->a, "only text, bytes and lists can be sliced; %s is %s", ev_src_of(c, n->a, t, sizeof(t)),
		    ev_kind_desc(a.k));
	}
	const struct val *it;
	size_t cnt;
	ev_members(&a, &it, &cnt);
	struct val l = { .k = V_LIST, .multi = 1 };
	size_t cap = 0;
	for (size_t k = 0; k < cnt; k++) {
		if (it[k].k != V_BYTES && it[k].k != V_STR)
			continue;
		if (!slice_range(n, (int64_t)it[k].n, &lo, &end))
			continue;
		struct val v = { .k = V_BYTES, .ftype = FT_BYTES, .s = it[k].s + lo, .n = (size_t)(end - lo) };
		if (ev_from_merge(c, &v, &it[k]) || ev_list_push(c, &l, &cap, &v))
			return -1;
	}
	*out = l;
	return 0;
}

/* A display filter's function: on every occurrence of its arguments in the frame. */
static int
ev_filter_fn(struct ctx *c, const struct node *n, const struct scope *sc, struct val *out)
{
	struct val l = { .k = V_LIST, .multi = 1 }, best = { .k = V_NONE };
	size_t cap = 0;
	for (uint32_t i = 0; i < n->nargs; i++) {
		struct val a;
		if (ev_node(c, n->args[i], sc, &a))
			return -1;
		const struct val *it;
		size_t cnt;
		ev_members(&a, &it, &cnt);
		if (n->fn == F_FCOUNT) {
			*out = (struct val){ .k = V_INT, .i = (int64_t)cnt };
			return 0;
		}
		if (ev_step(c, cnt))
			return -1;
		for (size_t k = 0; k < cnt; k++) {
			struct val v = it[k];
			switch (n->fn) {
			case F_FLEN:
				if (v.k != V_STR && v.k != V_BYTES)
					return ev_fail(c, n->args[i], "len() takes bytes or text");
				v = (struct val){ .k = V_INT, .i = (int64_t)it[k].n };
				break;
			case F_FSTRING:
				if (ev_to_str(c, &it[k], &v))
					return -1;
				break;
			case F_FUPPER:
			case F_FLOWER: {
				if (v.k != V_STR)
					return ev_fail(c, n->args[i], "%s() takes text", fns[n->fn].name);
				char *s = ev_alloc(c, v.n + 1);
				if (!s)
					return ev_nomem(c);
				for (size_t j = 0; j < v.n; j++) {
					char ch = v.s[j];
					s[j] = n->fn == F_FUPPER ? (ch >= 'a' && ch <= 'z' ? (char)(ch - 32) : ch) :
					    (ch >= 'A' && ch <= 'Z' ? (char)(ch + 32) : ch);
				}
				s[v.n] = '\0';
				v.s = s;
				break;
			}
			case F_FABS:
				if (v.k == V_INT)
					v.i = v.i < 0 && v.i != INT64_MIN ? -v.i : v.i;
				else if (v.k == V_REAL)
					v.d = fabs(v.d);
				else
					return ev_fail(c, n->args[i], "abs() takes numbers");
				break;
			default: {          /* max, min */
				if (v.k != V_INT && v.k != V_REAL)
					return ev_fail(c, n->args[i], "%s() takes numbers", fns[n->fn].name);
				int r = best.k == V_NONE ? 0 : ev_compare(&v, &best);
				if (best.k == V_NONE || (n->fn == F_FMAX ? r > 0 : r < 0))
					best = v;
				continue;
			}
			}
			if (ev_list_push(c, &l, &cap, &v))
				return -1;
		}
	}
	if (n->fn == F_FMAX || n->fn == F_FMIN) {
		*out = best.k == V_NONE ? l : best;
		return 0;
	}
	*out = l;
	return 0;
}

/* Wireshark's name for a value (a field's value string or true/false), else its text. */
static int
label_of(struct ctx *c, const struct val *v, struct val *out)
{
	struct val s = ev_scalar(v);
	if (s.k == V_NONE) {
		*out = s;
		return 0;
	}
	if (s.f && (s.k == V_INT || s.k == V_BOOL) &&
	    (s.f->skind != SK_NONE || s.f->type == FT_BOOLEAN)) {
		const char *name = s.f->skind != SK_NONE ? tq_val_str(s.f, (uint64_t)s.i) :
		    (s.i ? tq_tfs_true_false.t : tq_tfs_true_false.f);
		if (name) {
			*out = (struct val){ .k = V_STR, .s = name, .n = strlen(name), .from = s.from, .nfrom = s.nfrom };
			return 0;
		}
		char *why = ev_printf(c, "%s has no name for the value %" PRId64, s.f->abbrev, s.i);
		*out = ev_none(why);
		return 0;
	}
	return ev_to_str(c, &s, out);
}

/*
 * Bytes as text: printable ASCII, valid UTF-8 and the white space \t \n \r
 * as they are (so that trim() and split() work on them), any other byte as
 * \xHH.  Text stays as it is; numbers and addresses give their text.
 */
static int
text_of(struct ctx *c, const struct val *v, struct val *out)
{
	struct val s = ev_scalar(v);
	if (s.k == V_NONE || s.k == V_STR) {
		*out = s;
		return 0;
	}
	if (s.k != V_BYTES || s.ftype != FT_BYTES)
		return ev_to_str(c, &s, out);
	if (s.n > MAX_STR / 4)
		return ev_fail(c, NULL, "a computed string is longer than %u bytes", MAX_STR);
	if (ev_step(c, 1 + s.n / 64))
		return -1;
	char *r = ev_alloc(c, s.n * 4 + 1);
	if (!r)
		return ev_nomem(c);
	const uint8_t *p = (const uint8_t *)s.s;
	size_t o = 0;
	for (size_t i = 0; i < s.n;) {
		uint8_t b = p[i];
		size_t k = 0;        /* a valid UTF-8 sequence's length */
		if ((b >= 0x20 && b < 0x7f) || b == '\t' || b == '\n' || b == '\r') {
			k = 1;
		} else if (b >= 0xc2 && b <= 0xf4) {
			size_t need = b < 0xe0 ? 2 : b < 0xf0 ? 3 : 4;
			if (i + need <= s.n) {
				k = need;
				for (size_t j = 1; j < need; j++)
					if ((p[i + j] & 0xc0) != 0x80)
						k = 0;
				/* no overlong forms, no surrogates, nothing past U+10FFFF */
				if (k && ((b == 0xe0 && p[i + 1] < 0xa0) || (b == 0xed && p[i + 1] >= 0xa0) ||
				    (b == 0xf0 && p[i + 1] < 0x90) || (b == 0xf4 && p[i + 1] >= 0x90)))
					k = 0;
			}
		}
		if (k) {
			memcpy(r + o, p + i, k);
			o += k;
			i += k;
		} else {
			static const char hex[] = "0123456789abcdef";
			r[o++] = '\\';
			r[o++] = 'x';
			r[o++] = hex[b >> 4];
			r[o++] = hex[b & 15];
			i++;
		}
	}
	r[o] = '\0';
	*out = (struct val){ .k = V_STR, .s = r, .n = o, .from = s.from, .nfrom = s.nfrom };
	return 0;
}

/* Whether list l holds a value equal to v. */
static int
holds(const struct val *l, const struct val *v)
{
	for (size_t i = 0; i < l->nitems; i++)
		if (ev_compare(&l->items[i], v) == 0)
			return 1;
	return 0;
}

/*
 * intersect(a, b), union(a, b), difference(a, b): each value once, in the
 * order first met (a's, then b's for a union).  A single value counts as a
 * list of one; a field's occurrences as the list of them.
 */
static int
set_op(struct ctx *c, const struct node *n, const struct val *args, struct val *out)
{
	struct val in[2] = { ev_as_list(&args[0]), ev_as_list(&args[1]) };
	if (ev_step(c, 1 + (in[0].nitems + in[1].nitems) * (in[0].nitems + in[1].nitems) / 64))
		return -1;
	struct val l = { .k = V_LIST };
	size_t cap = 0;
	for (int side = 0; side < (n->fn == F_UNION ? 2 : 1); side++) {
		for (size_t i = 0; i < in[side].nitems; i++) {
			const struct val *v = &in[side].items[i];
			int keep = n->fn == F_UNION ? 1 : n->fn == F_INTERSECT ? holds(&in[1], v) : !holds(&in[1], v);
			if (keep && !holds(&l, v) && ev_list_push(c, &l, &cap, v))
				return -1;
		}
	}
	*out = l;
	return 0;
}

/*
 * index(list, v): where v first is in the list, counting from 0 as slices do;
 * index(text, t): the offset of the first t in the text.  No value when it is
 * not there.
 */
static int
ev_index(struct ctx *c, const struct val *a, struct val *out)
{
	struct val x = ev_scalar(&a[1]);
	if (a[0].k == V_NONE || x.k == V_NONE) {
		*out = a[0].k == V_NONE ? a[0] : x;
		return 0;
	}
	if (a[0].k == V_STR || a[0].k == V_BYTES) {
		struct val t;
		if (x.k == V_STR || x.k == V_BYTES)
			t = x;
		else if (ev_to_str(c, &x, &t))
			return -1;
		if (ev_step(c, 1 + a[0].n / 64))
			return -1;
		const char *p = ev_find_bytes(a[0].s, a[0].n, t.s, t.n);
		if (p)
			*out = (struct val){ .k = V_INT, .i = p - a[0].s };
		else
			*out = (struct val){ .k = V_NONE, .s = "the text does not hold what index() looks for" };
		return 0;
	}
	struct val l = ev_as_list(&a[0]);
	if (ev_step(c, 1 + l.nitems))
		return -1;
	for (size_t i = 0; i < l.nitems; i++) {
		if (ev_compare(&l.items[i], &x) == 0) {
			*out = (struct val){ .k = V_INT, .i = (int64_t)i };
			return 0;
		}
	}
	*out = (struct val){ .k = V_NONE, .s = "the list does not hold what index() looks for" };
	return 0;
}

/* filter(list, cond): the items for which cond holds, 'it' naming each. */
static int
ev_filter(struct ctx *c, const struct node *n, const struct scope *sc, struct val *out)
{
	struct val a;
	if (ev_node(c, n->args[0], sc, &a))
		return -1;
	if (a.k == V_NONE) {
		*out = a;
		return 0;
	}
	struct val in = ev_as_list(&a), l = { .k = V_LIST };
	size_t cap = 0;
	const struct val *saved = c->item;
	int rc = 0;
	for (size_t i = 0; i < in.nitems && !rc; i++) {
		struct val t;
		c->item = &in.items[i];
		rc = ev_node(c, n->args[1], sc, &t);
		if (!rc && ev_truthy(&t))
			rc = ev_list_push(c, &l, &cap, &in.items[i]);
	}
	c->item = saved;
	if (rc)
		return -1;
	*out = l;
	return 0;
}

int
ev_call(struct ctx *c, const struct node *n, const struct scope *sc, struct val *out)
{
	if (n->fn == F_UNDER)
		return ev_under(c, n, sc, out);
	if (n->fn == F_FILTER)
		return ev_filter(c, n, sc, out);
	if (n->fn >= F_FCOUNT)
		return ev_filter_fn(c, n, sc, out);
	struct val a[3];
	for (uint32_t i = 0; i < n->nargs; i++)
		if (ev_node(c, n->args[i], sc, &a[i]))
			return -1;
	switch (n->fn) {
	case F_LOWER:
	case F_UPPER:
	case F_TRIM: {
		struct val s;
		if (need_str(c, n->args[0], &a[0], &s))
			return -1;
		if (s.k == V_NONE) {
			*out = s;
			return 0;
		}
		if (ev_step(c, 1 + s.n / 64))
			return -1;
		if (n->fn == F_TRIM) {
			const char *p = s.s, *e = s.s + s.n;
			while (p < e && is_space(*p))
				p++;
			while (e > p && is_space(e[-1]))
				e--;
			s.s = p;
			s.n = (size_t)(e - p);
			*out = s;
			return 0;
		}
		char *d = ev_alloc(c, s.n + 1);
		if (!d)
			return ev_nomem(c);
		for (size_t i = 0; i < s.n; i++) {
			char ch = s.s[i];
			if (n->fn == F_LOWER && ch >= 'A' && ch <= 'Z')
				ch = (char)(ch - 'A' + 'a');
			else if (n->fn == F_UPPER && ch >= 'a' && ch <= 'z')
				ch = (char)(ch - 'a' + 'A');
			d[i] = ch;
		}
		d[s.n] = '\0';
		s.s = d;
		*out = s;
		return 0;
	}
	case F_WORD: {
		struct val s;
		int64_t k;
		if (need_str(c, n->args[0], &a[0], &s) || ev_need_int(c, n->args[1], &a[1], &k))
			return -1;
		if (s.k == V_NONE) {
			*out = s;
			return 0;
		}
		return piece(c, &s, NULL, 0, k, out);
	}
	case F_SPLIT: {
		struct val s, sep;
		if (need_str(c, n->args[0], &a[0], &s) || need_str(c, n->args[1], &a[1], &sep))
			return -1;
		if (s.k == V_NONE || sep.k == V_NONE) {
			*out = s.k == V_NONE ? s : sep;
			return 0;
		}
		if (!sep.n)
			return ev_fail(c, n->args[1], "split() needs a separator that is not empty");
		if (n->nargs == 3) {
			int64_t k;
			if (ev_need_int(c, n->args[2], &a[2], &k))
				return -1;
			return piece(c, &s, sep.s, sep.n, k, out);
		}
		/* the whole list */
		struct val l = { .k = V_LIST };
		size_t cap = 0;
		struct cut ct = { s.s, s.s + s.n, sep.s, sep.n, 0 };
		const char *p;
		size_t plen;
		if (ev_step(c, 1 + s.n / 64))
			return -1;
		while (cut_next(&ct, &p, &plen)) {
			if (ev_step(c, 1))
				return -1;
			if (l.nitems == cap) {
				if (cap >= MAX_LIST)
					return ev_fail(c, n, "split() makes more than %d parts", MAX_LIST);
				size_t nc = cap ? cap * 2 : 8;
				struct val *ni = ev_alloc(c, nc * sizeof(*ni));
				if (!ni)
					return ev_nomem(c);
				if (cap)
					memcpy(ni, l.items, cap * sizeof(*ni));
				l.items = ni;
				cap = nc;
			}
			l.items[l.nitems++] = (struct val){ .k = V_STR, .s = p, .n = plen };
		}
		*out = l;
		return ev_from_merge(c, out, &s);
	}
	case F_LEN: {
		struct val s = ev_scalar(&a[0]);
		if (a[0].k == V_LIST && !a[0].multi)
			s = a[0];
		if (s.k == V_LIST) {
			*out = (struct val){ .k = V_INT, .i = (int64_t)s.nitems };
		} else if (s.k == V_NONE) {
			*out = s;
			return 0;
		} else {
			struct val t;
			if (ev_to_str(c, &s, &t))
				return -1;
			*out = (struct val){ .k = V_INT, .i = (int64_t)t.n };
		}
		return ev_from_merge(c, out, &s);
	}
	case F_LABEL:
		if (a[0].k == V_LIST && !a[0].multi) {
			/* every item labelled */
			struct val l = { .k = V_LIST };
			size_t cap = 0;
			for (size_t i = 0; i < a[0].nitems; i++) {
				struct val v;
				if (label_of(c, &a[0].items[i], &v) || ev_list_push(c, &l, &cap, &v))
					return -1;
			}
			*out = l;
			return 0;
		}
		return label_of(c, &a[0], out);
	case F_TEXT:
		if (a[0].k == V_LIST && !a[0].multi) {
			struct val l = { .k = V_LIST };
			size_t cap = 0;
			for (size_t i = 0; i < a[0].nitems; i++) {
				struct val v;
				if (text_of(c, &a[0].items[i], &v) || ev_list_push(c, &l, &cap, &v))
					return -1;
			}
			*out = l;
			return 0;
		}
		return text_of(c, &a[0], out);
	case F_INDEX:
		return ev_index(c, a, out);
	case F_INTERSECT:
	case F_UNION:
	case F_DIFFERENCE:
		return set_op(c, n, a, out);
	case F_STR: {
		struct val s = a[0].k == V_LIST && !a[0].multi ? a[0] : ev_scalar(&a[0]);
		if (s.k == V_NONE) {
			*out = s;
			return 0;
		}
		return ev_to_str(c, &s, out);
	}
	case F_INT: {
		struct val s = ev_scalar(&a[0]);
		if (s.k == V_NONE) {
			*out = s;
			return 0;
		}
		int64_t v;
		if (s.k == V_REAL) {
			if (!(s.d > -9.2e18 && s.d < 9.2e18))
				return ev_fail(c, n, "the number does not fit in 64 bits");
			v = (int64_t)s.d;
		} else if (s.k == V_STR) {
			struct val t;
			if (ev_to_str(c, &s, &t))
				return -1;
			/* leading and trailing white space is fine */
			const char *p = t.s, *e = t.s + t.n;
			while (p < e && is_space(*p))
				p++;
			while (e > p && is_space(e[-1]))
				e--;
			if (expr_parse_int(p, (size_t)(e - p), &v) != 0) {
				char *why = ev_printf(c, "\"%.*s\" is not an integer", (int)((e - p) > 60 ? 60 : e - p), p);
				*out = ev_none(why);
				return 0;
			}
		} else if (s.k == V_INT || s.k == V_BOOL) {
			v = s.i;
		} else {
			char t[128];
			return ev_fail(c, n->args[0], "int() cannot read %s (%s)", ev_src_of(c, n->args[0], t, sizeof(t)), ev_kind_desc(s.k));
		}
		*out = (struct val){ .k = V_INT, .i = v, .from = s.from, .nfrom = s.nfrom };
		return 0;
	}
	case F_JOIN: {
		struct val sep;
		if (need_str(c, n->args[1], &a[1], &sep))
			return -1;
		if (a[0].k != V_LIST) {
			char t[128];
			return ev_fail(c, n->args[0], "join() takes a list; %s is %s", ev_src_of(c, n->args[0], t, sizeof(t)),
			    ev_kind_desc(a[0].k));
		}
		struct tq_sbuf b;
		tq_sbuf_init(&b, MAX_STR);
		for (size_t i = 0; i < a[0].nitems && !b.err; i++) {
			if (i && sep.k == V_STR)
				tq_sbuf_put(&b, sep.s, sep.n);
			ev_val_str(&a[0].items[i], &b);
		}
		if (b.err) {
			tq_sbuf_free(&b);
			return b.err == TQ_ETOOBIG ? ev_fail(c, n, "a computed string is longer than %u bytes", MAX_STR) : ev_nomem(c);
		}
		if (ev_step(c, 1 + a[0].nitems + b.len / 64)) {
			tq_sbuf_free(&b);
			return -1;
		}
		char *s = ev_strdup(c, b.s ? b.s : "", b.len);
		size_t len = b.len;
		tq_sbuf_free(&b);
		if (!s)
			return ev_nomem(c);
		*out = (struct val){ .k = V_STR, .s = s, .n = len };
		return ev_from_merge(c, out, &a[0]);
	}
	default:
		return ev_fail(c, n, "internal error: function %d", n->fn);
	}
}
