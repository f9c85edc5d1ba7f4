/*
 * expr_agg.c - the aggregates: first, last, nth, count, sum, min, max,
 * list, distinct... over the frames of a trace, each occurrence's
 * condition read in the part of its frame it belongs to.
 */
#include "config.h"

#include "expr_int.h"

int
ev_list_push(struct ctx *c, struct val *l, size_t *cap, const struct val *v)
{
	if (l->nitems == *cap) {
		if (*cap >= MAX_LIST)
			return ev_fail(c, NULL, "a computed list has more than %d values", MAX_LIST);
		size_t nc = *cap ? *cap * 2 : 16;
		struct val *ni = ev_alloc(c, nc * sizeof(*ni));
		if (!ni)
			return ev_nomem(c);
		if (*cap)
			memcpy(ni, l->items, *cap * sizeof(*ni));
		l->items = ni;
		*cap = nc;
	}
	l->items[l->nitems++] = *v;
	return 0;
}

/* distinct(): the values met so far, by hash; a value equals another of the
 * same kind that ev_compare() finds equal (lists never do). */
struct vset {
	uint32_t *slot;              /* index + 1 in the list, 0 empty */
	size_t cap, n;
};

static uint64_t
val_hash(const struct val *v)
{
	uint64_t h = 1469598103934665603ull ^ v->k;
	const uint8_t *p;
	size_t n;
	double d;
	switch (v->k) {
	case V_INT:
	case V_BOOL:
		p = (const uint8_t *)&v->i;
		n = sizeof(v->i);
		break;
	case V_REAL:
		d = v->d == 0 ? 0 : isnan(v->d) ? NAN : v->d;     /* -0 is 0 */
		p = (const uint8_t *)&d;
		n = sizeof(d);
		break;
	default:
		p = (const uint8_t *)v->s;
		n = v->n;
		break;
	}
	h = tq_fnv1a64(h, p, n);
	return h ^ (h >> 29);
}

/* 1 when l already holds a value equal to v, 0 when not (and v's place is
 * taken for it: push v next), -1 out of memory. */
static int
vset_seen(struct vset *vs, const struct val *l, const struct val *v)
{
	if (v->k == V_LIST)
		return 0;
	if ((vs->n + 1) * 2 > vs->cap) {
		size_t nc = vs->cap ? vs->cap * 2 : 64;
		uint32_t *ns = calloc(nc, sizeof(*ns));
		if (!ns)
			return -1;
		for (size_t i = 0; i < vs->cap; i++) {
			if (!vs->slot[i])
				continue;
			size_t j = val_hash(&l->items[vs->slot[i] - 1]) & (nc - 1);
			while (ns[j])
				j = (j + 1) & (nc - 1);
			ns[j] = vs->slot[i];
		}
		free(vs->slot);
		vs->slot = ns;
		vs->cap = nc;
	}
	size_t j = val_hash(v) & (vs->cap - 1);
	while (vs->slot[j]) {
		const struct val *o = &l->items[vs->slot[j] - 1];
		if (o->k == v->k && ev_compare(o, v) == 0)
			return 1;
		j = (j + 1) & (vs->cap - 1);
	}
	vs->slot[j] = (uint32_t)l->nitems + 1;
	vs->n++;
	return 0;
}

/* The condition of an aggregate at one occurrence: read in the scratch
 * arena, emptied afterwards, and with no origins kept (none are shown). */
int
ev_cond(struct ctx *c, const struct node *n, const struct scope *sc, struct tq_arena *scratch, int *yes)
{
	struct tq_arena *saved = c->cur;
	int explain = c->explain;
	struct val cv;
	c->cur = scratch;
	c->explain = 0;
	int rc = ev_node(c, n, sc, &cv);
	c->cur = saved;
	c->explain = explain;
	if (rc == 0)
		*yes = ev_truthy(&cv);
	ev_scratch_reset(c, scratch);
	return rc;
}

static int
ev_agg_walk(struct ctx *c, const struct node *n, struct val *out, struct tq_arena *scratch, struct vset *vs)
{
	const struct tq_findex *ix = c->ix;
	int64_t want = 0;
	if (n->fn == F_NTH) {
		struct val k;
		struct scope top = { 0, NULL };
		if (ev_node(c, n->c, &top, &k) || ev_need_int(c, n->c, &k, &want))
			return -1;
		if (want == 0)
			return ev_fail(c, n->c, "nth() counts from 1 (or from -1, the last)");
		if (want < -(int64_t)MAX_LIST)
			return ev_fail(c, n->c, "nth() from the end goes back %d values at most", MAX_LIST);
	}
	uint32_t walk = n->f ? n->f->id : 0;
	int64_t count = 0, matched = 0;
	struct val acc = { .k = V_NONE }, list = { .k = V_LIST };
	size_t cap = 0;
	struct val *ring = NULL;     /* nth(-k): the last k values */
	int64_t back = want < 0 ? -want : 0;
	if (back) {
		ring = ev_alloc(c, (size_t)back * sizeof(*ring));
		if (!ring)
			return ev_nomem(c);
	}
	int sum_real = 0;
	double dsum = 0;
	int64_t isum = 0;
	int done = 0;
	const struct tq_field *frame_f = tq_field_lookup("frame");

	for (uint32_t fr = 1; fr <= ix->nframes && !done; fr++) {
		const struct fx_frame *F = &ix->frames[fr - 1];
		if (ev_step(c, 1 + F->nocc))
			return -1;
		for (uint32_t k = 0; k < F->nocc && !done; k++) {
			const struct fx_occ *o = &ix->occ[F->occ0 + k];
			if (walk ? o->f->id != walk : o->f->id != frame_f->id)
				continue;
			struct scope sc = { fr, o };
			if (n->b) {
				int yes = 0;
				if (ev_cond(c, n->b, &sc, scratch, &yes))
					return -1;
				if (!yes)
					continue;
			}
			matched++;
			if (n->fn == F_COUNT) {
				count++;
				if (c->explain && count <= MAX_FROM) {
					struct from fm = { fr, n->f ? n->f : frame_f };
					if (ev_from_add(c, &acc, &fm, 1))
						return -1;
				}
				continue;
			}
			struct val v;
			if (ev_node(c, n->a, &sc, &v))
				return -1;
			v = ev_scalar(&v);
			if (v.k == V_NONE)
				continue;
			switch (n->fn) {
			case F_FIRST:
				acc = v;
				done = 1;
				break;
			case F_LAST:
				acc = v;
				break;
			case F_NTH:
				if (want > 0) {
					if (++count == want) {
						acc = v;
						done = 1;
					}
				} else {
					ring[count % back] = v;
					count++;
				}
				break;
			case F_LIST:
				if (ev_list_push(c, &list, &cap, &v))
					return -1;
				break;
			case F_DISTINCT: {
				if (ev_step(c, 1))
					return -1;
				int seen = vset_seen(vs, &list, &v);
				if (seen < 0)
					return ev_nomem(c);
				if (!seen && ev_list_push(c, &list, &cap, &v))
					return -1;
				break;
			}
			case F_MIN:
			case F_MAX: {
				if (acc.k == V_NONE) {
					acc = v;
					break;
				}
				int r = ev_compare(&v, &acc);
				if (r == 2) {
					char t[128];
					return ev_fail(c, n->a, "min()/max() cannot order %s values of %s", ev_kind_desc(v.k),
					    ev_src_of(c, n->a, t, sizeof(t)));
				}
				if ((n->fn == F_MIN && r < 0) || (n->fn == F_MAX && r > 0))
					acc = v;
				break;
			}
			case F_SUM:
				if (v.k == V_REAL) {
					sum_real = 1;
					dsum += v.d;
				} else if (v.k == V_INT || v.k == V_BOOL) {
					if (__builtin_add_overflow(isum, v.i, &isum))
						return ev_fail(c, n, "the sum does not fit in 64 bits");
					dsum += (double)v.i;
				} else {
					char t[128];
					return ev_fail(c, n->a, "sum() adds numbers; %s is %s", ev_src_of(c, n->a, t, sizeof(t)), ev_kind_desc(v.k));
				}
				if (c->explain && acc.nfrom < MAX_FROM && ev_from_merge(c, &acc, &v))
					return -1;
				acc.k = V_INT;
				break;
			default:
				break;
			}
		}
	}

	char what[200], cond[200];
	ev_src_of(c, n->a, what, sizeof(what));
	if (n->b)
		ev_src_of(c, n->b, cond, sizeof(cond));
	switch (n->fn) {
	case F_COUNT:
		*out = (struct val){ .k = V_INT, .i = count, .from = acc.from, .nfrom = acc.nfrom };
		return 0;
	case F_LIST:
	case F_DISTINCT:
		for (size_t i = 0; i < list.nitems && c->explain; i++)
			if (ev_from_merge(c, &list, &list.items[i]))
				return -1;
		*out = list;
		return 0;
	case F_SUM:
		if (sum_real && !isfinite(dsum))
			return ev_fail(c, n, "the sum is too large for a number");
		if (sum_real)
			*out = (struct val){ .k = V_REAL, .d = dsum, .from = acc.from, .nfrom = acc.nfrom };
		else
			*out = (struct val){ .k = V_INT, .i = isum, .from = acc.from, .nfrom = acc.nfrom };
		return 0;
	case F_NTH:
		if (want < 0 && count >= back)
			acc = ring[(count - back) % back];
		if (acc.k == V_NONE)
			return ev_fail(c, n, "there %s only %" PRId64 " %s%s%s, not %" PRId64, count == 1 ? "is" : "are", count,
			    what, n->b ? " where " : "", n->b ? cond : "", want > 0 ? want : -want);
		*out = acc;
		return 0;
	default:
		if (acc.k == V_NONE) {
			if (matched && n->b)
				return ev_fail(c, n, "%s has no value in the frames where %s", what, cond);
			if (n->b)
				return ev_fail(c, n, "no frame has %s where %s", what, cond);
			return ev_fail(c, n, "no frame has %s", what);
		}
		*out = acc;
		return 0;
	}
}

int
ev_agg(struct ctx *c, const struct node *n, struct val *out)
{
	struct tq_arena scratch;
	struct vset vs = { NULL, 0, 0 };
	tq_arena_init(&scratch, 0);
	int rc = ev_agg_walk(c, n, out, &scratch, &vs);
	ev_scratch_free(c, &scratch);
	free(vs.slot);
	return rc;
}
