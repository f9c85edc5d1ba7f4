/* conv.c - conversations (endpoint pairs) and per-frame protocol data, built in pass 1. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "internal.h"

/*
 * Both tables are written by pass 1 alone and read by pass 2, which may run
 * on other threads while pass 1 goes on (capture.c).  Neither takes a lock:
 * an entry is filled in before it is published with a release store, and a
 * reader finds it with an acquire load.  Nothing is ever removed, and a table
 * that grows is copied and the copy published, the old one kept until the
 * capture is freed, so a reader that still walks it sees what it saw before.
 * A frame pass 2 renders was published by pass 1 after everything it put
 * there, so its entries are always found.
 */

/* Conversations: open addressing on pointers, at most half full. */
struct tq_conv_table {
	struct tq_conv **slots;
	size_t cap, n;
	struct tq_conv_table *older; /* the tables it replaced, freed with it */
};

/* Per-frame data: a list of (key, data) for each frame, in pages of frames. */
#define PD_PAGE_BITS 16
#define PD_PAGES     (1u << (32 - PD_PAGE_BITS))

struct pdata_ent {
	uint32_t key;
	void *data;
	struct pdata_ent *next;
};

struct tq_pdata {
	struct pdata_ent **pages[PD_PAGES];
};

static uint64_t
mix(uint64_t h, uint64_t v)
{
	h ^= v + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2);
	return h;
}

static uint64_t
addr_hash(const struct tq_addr *a)
{
	uint64_t x, y;
	memcpy(&x, a->a, 8);
	memcpy(&y, a->a + 8, 8);
	return mix(mix(a->kind, x), y);
}

/* MurmurHash3's finalizer: every input bit reaches every output bit. */
static uint64_t
fmix64(uint64_t k)
{
	k ^= k >> 33;
	k *= 0xff51afd7ed558ccdULL;
	k ^= k >> 33;
	k *= 0xc4ceb9fe1a85ec53ULL;
	k ^= k >> 33;
	return k;
}

/*
 * Order-independent hash of the two endpoints, so both directions meet.
 * Each endpoint is hashed whole first: mixing the ports in with shifts and
 * adds left the low bits (the slot) nearly the same for one address pair
 * with many ports, and 4,000 TCP streams on loopback shared 32 slots.
 */
static uint64_t
conv_hash(int kind, const struct tq_addr *s, const struct tq_addr *d, uint16_t sp, uint16_t dp, uint32_t extra)
{
	uint64_t hs = fmix64(addr_hash(s) + sp * 0x9e3779b97f4a7c15ULL);
	uint64_t hd = fmix64(addr_hash(d) + dp * 0x9e3779b97f4a7c15ULL);
	uint64_t lo = hs < hd ? hs : hd, hi = hs < hd ? hd : hs;
	return fmix64((lo * 0x9e3779b97f4a7c15ULL) ^ hi ^ ((uint64_t)kind << 56) ^ extra);
}

static int
conv_match(const struct tq_conv *c, int kind, const struct tq_addr *s, const struct tq_addr *d,
    uint16_t sp, uint16_t dp, uint32_t extra)
{
	if (c->kind != kind || c->extra != extra)
		return 0;
	if (c->pa == sp && c->pb == dp && !tq_addr_cmp(&c->a, s) && !tq_addr_cmp(&c->b, d))
		return 1;
	if (c->pa == dp && c->pb == sp && !tq_addr_cmp(&c->a, d) && !tq_addr_cmp(&c->b, s))
		return 1;
	return 0;
}

static struct tq_conv_table *
table_new(size_t cap)
{
	struct tq_conv_table *t = calloc(1, sizeof(*t));
	if (!t)
		return NULL;
	t->cap = cap;
	t->slots = calloc(cap, sizeof(*t->slots));
	if (!t->slots) {
		free(t);
		return NULL;
	}
	return t;
}

/* Puts c in the first free slot of its probe sequence, then publishes it. */
static void
table_put(struct tq_conv_table *t, struct tq_conv *c)
{
	size_t i = c->hash & (t->cap - 1);
	while (t->slots[i])
		i = (i + 1) & (t->cap - 1);
	__atomic_store_n(&t->slots[i], c, __ATOMIC_RELEASE);
	t->n++;
}

/* A new conversation on this key, from frame `from` on (pass 1). */
static struct tq_conv *
conv_insert(struct tq_capture *cap, int kind, const struct tq_addr *src,
    const struct tq_addr *dst, uint16_t sport, uint16_t dport, uint32_t extra, uint32_t from)
{
	struct tq_conv_table *t = cap->convs;
	if (!t || (t->n + 1) * 2 > t->cap) {
		struct tq_conv_table *nt = table_new(t ? t->cap * 2 : 256);
		if (!nt)
			return NULL;
		for (size_t i = 0; t && i < t->cap; i++)
			if (t->slots[i])
				table_put(nt, t->slots[i]);
		nt->older = t;
		__atomic_store_n(&cap->convs, nt, __ATOMIC_RELEASE);
		t = nt;
	}
	struct tq_conv *c = tq_arena_alloc(&cap->state, sizeof(*c));
	if (!c)
		return NULL;
	c->a = *src;
	c->b = *dst;
	c->pa = sport;
	c->pb = dport;
	c->kind = (uint8_t)kind;
	c->extra = extra;
	c->first_frame = from;
	c->hash = conv_hash(kind, src, dst, sport, dport, extra);
	table_put(t, c);
	return c;
}

/* Of the conversations on this key (several when ports were reused), the
 * one started last at or before frame num, as Wireshark's lookup. */
static struct tq_conv *
conv_lookup(struct tq_capture *cap, int kind, const struct tq_addr *src,
    const struct tq_addr *dst, uint16_t sport, uint16_t dport, uint32_t extra, uint32_t num)
{
	const struct tq_conv_table *t = __atomic_load_n(&cap->convs, __ATOMIC_ACQUIRE);
	if (!t)
		return NULL;
	uint64_t h = conv_hash(kind, src, dst, sport, dport, extra);
	struct tq_conv *best = NULL, *c;
	for (size_t i = h & (t->cap - 1); (c = __atomic_load_n(&t->slots[i], __ATOMIC_ACQUIRE));
	    i = (i + 1) & (t->cap - 1)) {
		if (c->hash == h && c->first_frame <= num && (!best || c->first_frame > best->first_frame) &&
		    conv_match(c, kind, src, dst, sport, dport, extra))
			best = c;
	}
	return best;
}

struct tq_conv *
tq_conv_find_at(struct tq_capture *cap, int kind, const struct tq_addr *src,
    const struct tq_addr *dst, uint16_t sport, uint16_t dport, uint32_t extra, int create, uint32_t num)
{
	struct tq_conv *c = conv_lookup(cap, kind, src, dst, sport, dport, extra, num);
	if (c || !create)
		return c;
	return conv_insert(cap, kind, src, dst, sport, dport, extra, 0);
}

struct tq_conv *
tq_conv_find(struct tq_capture *cap, int kind, const struct tq_addr *src,
    const struct tq_addr *dst, uint16_t sport, uint16_t dport, uint32_t extra, int create)
{
	return tq_conv_find_at(cap, kind, src, dst, sport, dport, extra, create, UINT32_MAX);
}

struct tq_conv *
tq_conv_new_from(struct tq_capture *cap, int kind, const struct tq_addr *src,
    const struct tq_addr *dst, uint16_t sport, uint16_t dport, uint32_t extra, uint32_t num)
{
	return conv_insert(cap, kind, src, dst, sport, dport, extra, num);
}

int
tq_conv_is(const struct tq_conv *c, int kind, const struct tq_addr *src, const struct tq_addr *dst,
    uint16_t sport, uint16_t dport)
{
	return conv_match(c, kind, src, dst, sport, dport, 0);
}

int
tq_conv_from_a(const struct tq_conv *c, const struct tq_addr *src, uint16_t sport)
{
	return c->pa == sport && !tq_addr_cmp(&c->a, src);
}

/* ------------------------------------------------------------------ per-frame data */

/* The head of frame num's list, or NULL when its page is not there (or create fails). */
static struct pdata_ent **
pdata_head(struct tq_capture *cap, uint32_t num, int create)
{
	struct tq_pdata *pd = __atomic_load_n(&cap->pdata, __ATOMIC_ACQUIRE);
	if (!pd) {
		if (!create || !(pd = calloc(1, sizeof(*pd))))
			return NULL;
		__atomic_store_n(&cap->pdata, pd, __ATOMIC_RELEASE);
	}
	struct pdata_ent ***slot = &pd->pages[num >> PD_PAGE_BITS];
	struct pdata_ent **page = __atomic_load_n(slot, __ATOMIC_ACQUIRE);
	if (!page) {
		if (!create || !(page = calloc((size_t)1 << PD_PAGE_BITS, sizeof(*page))))
			return NULL;
		__atomic_store_n(slot, page, __ATOMIC_RELEASE);
	}
	return &page[num & ((1u << PD_PAGE_BITS) - 1)];
}

void *
tq_pdata_get(struct tq_capture *cap, uint32_t num, uint32_t key)
{
	struct pdata_ent **head = pdata_head(cap, num, 0);
	if (!head)
		return NULL;
	for (struct pdata_ent *e = __atomic_load_n(head, __ATOMIC_ACQUIRE); e; e = e->next)
		if (e->key == key)
			return __atomic_load_n(&e->data, __ATOMIC_ACQUIRE);
	return NULL;
}

int
tq_pdata_put(struct tq_capture *cap, uint32_t num, uint32_t key, void *data)
{
	struct pdata_ent **head = pdata_head(cap, num, 1);
	if (!head)
		return TQ_ENOMEM;
	for (struct pdata_ent *e = *head; e; e = e->next)
		if (e->key == key) {
			__atomic_store_n(&e->data, data, __ATOMIC_RELEASE);
			return 0;
		}
	struct pdata_ent *e = tq_arena_alloc(&cap->state, sizeof(*e));
	if (!e)
		return TQ_ENOMEM;
	e->key = key;
	e->data = data;
	e->next = *head;
	__atomic_store_n(head, e, __ATOMIC_RELEASE);
	return 0;
}

void tq_conv_free_all(struct tq_capture *cap);
void
tq_conv_free_all(struct tq_capture *cap)
{
	for (struct tq_conv_table *t = cap->convs, *o; t; t = o) {
		o = t->older;
		free(t->slots);
		free(t);
	}
	cap->convs = NULL;
	if (cap->pdata) {
		for (size_t i = 0; i < PD_PAGES; i++)
			free(cap->pdata->pages[i]);
		free(cap->pdata);
		cap->pdata = NULL;
	}
}
