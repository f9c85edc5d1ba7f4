/*
 * reasm.c - IP fragment reassembly: pass 1 collects the fragments of each
 * datagram and notes the frame that completes it, pass 2 rebuilds the
 * datagram there and shows the fragments as Wireshark 4.0 does
 * (epan/reassemble.c: fragment_add_check, show_fragment_tree).
 */
#include "config.h"

#include <string.h>

#include "reasm.h"

/* What can be wrong with a fragment (Wireshark's FD_* flags). */
#define FR_OVERLAP       0x01
#define FR_CONFLICT      0x02
#define FR_MULTITAILS    0x04
#define FR_TOOLONG       0x08
#define FR_ILLEGAL       (FR_CONFLICT | FR_MULTITAILS | FR_TOOLONG)

struct frag {
	uint32_t frame;
	uint32_t off;                /* offset in the datagram */
	uint32_t len;
	uint64_t data;               /* where its payload is in cap->base */
	uint8_t flags;
	struct frag *next;           /* by offset; equal offsets in arrival order */
};

/* One datagram, being or once reassembled. */
struct dgram {
	struct frag *frags;
	uint32_t nfrags;
	uint32_t datalen;            /* known once a last fragment is seen */
	int have_len;
	uint8_t flags;
	uint32_t done;               /* the frame that completed it, 0 while incomplete */
};

/* The datagrams in progress between two addresses with one identification, one per direction. */
struct fragconv {
	struct dgram *cur[2];
};

#define MAX_FRAGS 4096
#define MAX_DATAGRAM (1u << 20)

void
tq_reasm_register(struct tq_reasm_fields *rf)
{
	struct tq_field *const f[] = {
		&rf->fragments, &rf->fragment, &rf->overlap, &rf->overlap_conflict, &rf->multiple_tails,
		&rf->too_long, &rf->error, &rf->count, &rf->in, &rf->length, &rf->data,
	};
	tq_fields_register(f, sizeof(f) / sizeof(f[0]));
}

static uint32_t
pdata_key(const struct tq_pkt *pk, int kind)
{
	return (uint32_t)pk->depth << 16 | (uint32_t)kind << 8 | PD_IPFRAG;
}

/* Nonzero when the fragments reach datalen without a hole (fragment_add_work's test). */
static int
covered(const struct dgram *d)
{
	if (!d->have_len)
		return 0;
	uint32_t max = 0;
	for (const struct frag *f = d->frags; f; f = f->next)
		if (f->off <= max && f->off + f->len > max)
			max = f->off + f->len;
	return max >= d->datalen;
}

/*
 * Copies the fragments into buf (d->datalen bytes) as Wireshark does, in
 * offset order.  With mark (pass 1), also flags those that overlap what is
 * already there (and whether their bytes differ) or run past the end.
 */
static void
rebuild(const struct tq_capture *cap, const struct dgram *d, uint8_t *buf, struct dgram *mark)
{
	uint32_t dfpos = 0;
	uint8_t none = 0;
	for (struct frag *f = d->frags; f; f = f->next) {
		uint8_t *flags = mark ? &f->flags : &none;
		const uint8_t *p = cap->base + f->data;
		if (!f->len)
			continue;
		if (f->off + f->len > dfpos) {
			if (f->off >= d->datalen) {
				*flags |= FR_TOOLONG;
				continue;
			}
			if (dfpos < f->off)
				continue;            /* a hole: cannot happen once covered */
			uint32_t fraglen = f->len;
			if (f->off + fraglen > d->datalen) {
				*flags |= FR_TOOLONG;
				fraglen = d->datalen - f->off;
			}
			uint32_t overlap = dfpos - f->off;
			if (overlap) {
				uint32_t cmp = f->len < overlap ? f->len : overlap;
				*flags |= FR_OVERLAP;
				if (memcmp(buf + f->off, p, cmp) != 0)
					*flags |= FR_CONFLICT;
			}
			if (overlap < fraglen) {
				memcpy(buf + dfpos, p + overlap, fraglen - overlap);
				dfpos = f->off + fraglen;
			}
		} else {
			*flags |= FR_OVERLAP;
			if (memcmp(buf + f->off, p, f->len) != 0)
				*flags |= FR_CONFLICT;
		}
	}
	if (mark)
		for (const struct frag *f = d->frags; f; f = f->next)
			mark->flags |= f->flags;
}

/*
 * Pass 1: adds the fragment to its datagram.  Returns the rebuilt datagram
 * (in pk->arena) when this fragment completes it, NULL otherwise.
 */
static const struct dgram *
pass1_add(struct tq_pkt *pk, int kind, const struct tq_ip_frag *fr, const struct tq_slice *pl, uint8_t **out)
{
	struct tq_capture *cap = pk->cap;
	/* only payloads that lie in the frame itself can be rebuilt from it later */
	if (pl->ds != 0 || pl->len != pl->rlen)
		return NULL;
	const struct tq_frame *me = &cap->frames[pk->num - 1];
	if (pl->pos > me->caplen || me->caplen - pl->pos < pl->len)
		return NULL;
	struct tq_conv *c = tq_conv_find(cap, kind, fr->src, fr->dst, 0, 0, fr->ident, 1);
	if (!c)
		return NULL;
	struct fragconv *fc = c->data;
	if (!fc) {
		fc = tq_arena_alloc(&cap->state, sizeof(*fc));
		if (!fc)
			return NULL;
		c->data = fc;
	}
	int dir = tq_conv_from_a(c, fr->src, 0) ? 0 : 1;
	struct dgram *d = fc->cur[dir];
	if (!d) {
		d = tq_arena_alloc(&cap->state, sizeof(*d));
		if (!d)
			return NULL;
		fc->cur[dir] = d;
	}
	if (d->nfrags >= MAX_FRAGS || fr->offset > MAX_DATAGRAM || pl->len > MAX_DATAGRAM)
		return NULL;
	struct frag *f = tq_arena_alloc(&cap->state, sizeof(*f));
	if (!f)
		return NULL;
	f->frame = pk->num;
	f->off = fr->offset;
	f->len = pl->len;
	f->data = me->off + pl->pos;
	if (!fr->more) {
		if (d->have_len && d->datalen != f->off + f->len) {
			f->flags |= FR_MULTITAILS;
		} else {
			d->datalen = f->off + f->len;
			d->have_len = 1;
		}
	}
	struct frag **pp = &d->frags;
	while (*pp && (*pp)->off <= f->off)
		pp = &(*pp)->next;
	f->next = *pp;
	*pp = f;
	d->nfrags++;
	tq_pdata_put(cap, pk->num, pdata_key(pk, kind), d);
	if (!covered(d))
		return NULL;
	/* complete: find the overlaps now, while the bytes of every fragment are at hand */
	uint8_t *buf = tq_arena_alloc(pk->arena, d->datalen ? d->datalen : 1);
	if (!buf)
		return NULL;
	rebuild(cap, d, buf, d);
	d->done = pk->num;
	fc->cur[dir] = NULL;         /* a later fragment with this identification starts afresh */
	*out = buf;
	return d;
}

static void
fragments_tree(struct tq_pkt *pk, struct tq_reasm_fields *rf, const struct dgram *d,
    struct tq_node *iptree, const struct tq_slice *w)
{
	if (!iptree)
		return;
	struct tq_sbuf lb;
	tq_sbuf_init(&lb, 0);
	tq_sbuf_printf(&lb, "%u %s (%u byte%s): ", d->nfrags, d->nfrags == 1 ? rf->fragment.name : rf->fragments.name,
	    w->len, w->len == 1 ? "" : "s");
	for (const struct frag *f = d->frags; f; f = f->next)
		tq_sbuf_printf(&lb, "%s#%u(%u)", f == d->frags ? "" : ", ", f->frame, f->len);
	struct tq_node *t = tq_gen(tq_add(pk, iptree, &rf->fragments, w, 0, w->len));
	tq_set_label(pk, t, "%s", tq_sbuf_str(&lb));
	tq_sbuf_free(&lb);
	for (const struct frag *f = d->frags; f; f = f->next) {
		const struct tq_field *hf = (f->flags & FR_ILLEGAL) ? &rf->error : &rf->fragment;
		struct tq_node *n = tq_gen(tq_add_u(pk, t, hf, w, f->off, f->len, f->frame));
		if (f->len)
			tq_set_label(pk, n, "Frame: %u, payload: %u-%u (%u byte%s)", f->frame, f->off,
			    f->off + f->len - 1, f->len, f->len == 1 ? "" : "s");
		else
			tq_set_label(pk, n, "Frame: %u (no data)", f->frame);
		if (f->flags & FR_OVERLAP)
			tq_add_gen(pk, n, &rf->overlap, w, 0, 1);
		if (f->flags & FR_CONFLICT)
			tq_add_gen(pk, n, &rf->overlap_conflict, w, 0, 1);
		if (f->flags & FR_MULTITAILS)
			tq_add_gen(pk, n, &rf->multiple_tails, w, 0, 1);
		if (f->flags & FR_TOOLONG)
			tq_add_gen(pk, n, &rf->too_long, w, 0, 1);
	}
	tq_add_gen(pk, t, &rf->count, w, 0, d->nfrags);
	tq_add_gen(pk, t, &rf->length, w, 0, w->len);
	tq_gen(tq_add(pk, t, &rf->data, w, 0, w->len));
}

int
tq_reasm_ip(struct tq_pkt *pk, struct tq_reasm_fields *rf, int kind, const struct tq_ip_frag *fr,
    const struct tq_slice *payload, struct tq_node *iptree, const struct tq_slice *at,
    struct tq_slice *whole, uint32_t *reassembled_in, int *illegal)
{
	*reassembled_in = 0;
	*illegal = 0;
	if (pk->in_error)
		return TQ_REASM_PART;
	if (pk->pass == 1) {
		/* the datagram is dissected in pass 1 too, for the state its protocols keep */
		uint8_t *buf = NULL;
		const struct dgram *d = pass1_add(pk, kind, fr, payload, &buf);
		if (!d)
			return TQ_REASM_PART;
		whole->p = buf;
		whole->len = whole->rlen = d->datalen;
		whole->pos = 0;
		whole->ds = 0;
		*illegal = (d->flags & FR_ILLEGAL) != 0;
		return TQ_REASM_WHOLE;
	}
	const struct dgram *d = tq_pdata_get(pk->cap, pk->num, pdata_key(pk, kind));
	if (!d || !d->done)
		return TQ_REASM_PART;
	*reassembled_in = d->done;
	if (d->done != pk->num) {
		tq_gen(tq_add_u(pk, iptree, &rf->in, at, 0, 0, d->done));
		return TQ_REASM_PART;
	}
	uint8_t *buf = tq_arena_alloc(pk->arena, d->datalen ? d->datalen : 1);
	if (!buf)
		return TQ_REASM_PART;
	rebuild(pk->cap, d, buf, NULL);
	whole->p = buf;
	whole->len = whole->rlen = d->datalen;
	whole->pos = 0;
	whole->ds = 0;
	if (pk->tree) {
		int ds = tq_add_ds(pk, buf, d->datalen,
		    tq_arena_printf(pk->arena, "Reassembled %s (%u bytes)", rf->name, d->datalen));
		if (ds < 0)
			return TQ_REASM_PART;
		whole->ds = (uint8_t)ds;
	}
	fragments_tree(pk, rf, d, iptree, whole);
	*illegal = (d->flags & FR_ILLEGAL) != 0;
	return TQ_REASM_WHOLE;
}
