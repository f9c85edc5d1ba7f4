/* reasm.c - IP fragment reassembly: pass 1 collects fragments, pass 2 rebuilds the datagram. */
#include "config.h"

#include <string.h>

#include "reasm.h"

/* One datagram being (or once) reassembled. */
struct dgram {
	struct tq_fragment *frags;   /* sorted by offset */
	uint32_t nfrags;
	uint32_t total;              /* known once the last fragment is seen */
	uint32_t done;               /* the frame that completed it, 0 while incomplete */
	int have_last;
};

#define MAX_FRAGS 4096

void
tq_reasm_register(struct tq_reasm_fields *rf)
{
	struct tq_field *const f[] = { &rf->fragments, &rf->fragment, &rf->count, &rf->length, &rf->data, &rf->in };
	tq_fields_register(f, sizeof(f) / sizeof(f[0]));
}

/* Nonzero when the fragments cover [0, total) without a hole. */
static int
complete(const struct dgram *d)
{
	if (!d->have_last)
		return 0;
	uint32_t reach = 0;
	for (const struct tq_fragment *f = d->frags; f; f = f->next) {
		if (f->off > reach)
			return 0;
		if (f->off + f->len > reach)
			reach = f->off + f->len;
	}
	return reach >= d->total;
}

static void
pass1_add(struct tq_pkt *pk, int kind, const struct tq_ip_frag *fr, const struct tq_slice *pl)
{
	struct tq_capture *cap = pk->cap;
	/* only fragments whose payload lies whole in the frame itself can be rebuilt later */
	if (pl->ds != 0 || pl->len != pl->rlen)
		return;
	struct tq_conv *c = tq_conv_find(cap, kind, fr->src, fr->dst, 0, 0, fr->ident, 1);
	if (!c)
		return;
	struct dgram *d = c->data;
	if (!d) {
		d = tq_arena_alloc(&cap->state, sizeof(*d));
		if (!d)
			return;
		c->data = d;
	}
	if (d->nfrags >= MAX_FRAGS)
		return;
	struct tq_fragment *f = tq_arena_alloc(&cap->state, sizeof(*f));
	if (!f)
		return;
	f->frame = pk->num;
	f->off = fr->offset;
	f->len = pl->len;
	f->data_off = pl->pos;
	struct tq_fragment **pp = &d->frags;
	while (*pp && (*pp)->off <= f->off)
		pp = &(*pp)->next;
	f->next = *pp;
	*pp = f;
	d->nfrags++;
	if (!fr->more) {
		d->have_last = 1;
		d->total = fr->offset + pl->len;
	}
	tq_pdata_put(cap, pk->num, (uint32_t)kind << 8 | PD_IPFRAG, d);
	if (complete(d)) {
		d->done = pk->num;
		c->data = NULL;          /* the next fragment with this id starts a new datagram */
	}
}

static void
fragments_tree(struct tq_pkt *pk, struct tq_reasm_fields *rf, const struct dgram *d, const struct tq_slice *w)
{
	struct tq_node *root = tq_root(pk);
	if (!root)
		return;
	struct tq_sbuf lb;
	tq_sbuf_init(&lb, 0);
	tq_sbuf_printf(&lb, "%u %s Fragments (%u bytes): ", d->nfrags, rf->name, d->total);
	for (const struct tq_fragment *f = d->frags; f; f = f->next)
		tq_sbuf_printf(&lb, "%s#%u(%u)", f == d->frags ? "" : ", ", f->frame, f->len);
	struct tq_node *t = tq_gen(tq_add(pk, root, &rf->fragments, w, 0, w->len));
	tq_set_label(pk, t, "%s", tq_sbuf_str(&lb));
	tq_sbuf_free(&lb);
	for (const struct tq_fragment *f = d->frags; f; f = f->next) {
		struct tq_node *n = tq_gen(tq_add_u(pk, t, &rf->fragment, w, f->off, f->len, f->frame));
		tq_set_label(pk, n, "Frame: %u, payload: %u-%u (%u bytes)", f->frame, f->off,
		    f->off + f->len - 1, f->len);
	}
	tq_add_gen(pk, t, &rf->count, w, 0, d->nfrags);
	tq_add_gen(pk, t, &rf->length, w, 0, d->total);
	tq_gen(tq_add(pk, t, &rf->data, w, 0, w->len));
}

int
tq_reasm_ip(struct tq_pkt *pk, struct tq_reasm_fields *rf, int kind, const struct tq_ip_frag *fr,
    const struct tq_slice *payload, struct tq_node *iptree, struct tq_slice *whole, uint32_t *reassembled_in)
{
	*reassembled_in = 0;
	if (fr->offset == 0 && !fr->more)
		return TQ_REASM_NOT_FRAGMENT;
	if (pk->pass == 1 && !pk->in_error) {
		pass1_add(pk, kind, fr, payload);
		return TQ_REASM_PART;
	}
	const struct dgram *d = tq_pdata_get(pk->cap, pk->num, (uint32_t)kind << 8 | PD_IPFRAG);
	if (!d || !d->done || pk->in_error)
		return TQ_REASM_PART;
	*reassembled_in = d->done;
	if (d->done != pk->num) {
		struct tq_node *n = tq_gen(tq_add_u(pk, iptree, &rf->in, payload, 0, 0, d->done));
		(void)n;
		return TQ_REASM_PART;
	}
	/* rebuild the datagram from the fragments' frames */
	uint8_t *buf = tq_arena_alloc(pk->arena, d->total ? d->total : 1);
	if (!buf)
		return TQ_REASM_PART;
	const struct tq_capture *cap = pk->cap;
	for (const struct tq_fragment *f = d->frags; f; f = f->next) {
		const struct tq_frame *ff = &cap->frames[f->frame - 1];
		if (f->data_off > ff->caplen || ff->caplen - f->data_off < f->len || f->off > d->total)
			return TQ_REASM_PART;
		uint32_t n = f->len;
		if (n > d->total - f->off)
			n = d->total - f->off;
		memcpy(buf + f->off, cap->base + ff->off + f->data_off, n);
	}
	int ds = tq_add_ds(pk, buf, d->total, tq_arena_printf(pk->arena, "Reassembled %s (%u bytes)", rf->name, d->total));
	whole->p = buf;
	whole->len = whole->rlen = d->total;
	whole->pos = 0;
	whole->ds = (uint8_t)(ds < 0 ? 0 : ds);
	if (ds < 0 && pk->tree) {
		/* no room for another data source: show the fragment as data */
		return TQ_REASM_PART;
	}
	fragments_tree(pk, rf, d, whole);
	return TQ_REASM_WHOLE;
}
