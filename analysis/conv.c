/* conv.c - conversations (endpoint pairs) and per-frame protocol data, built in pass 1. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "internal.h"

struct tq_conv_table {
	struct tq_conv **slots;
	size_t cap, n;
};

struct pdata_ent {
	uint64_t key;
	void *data;
};

struct tq_pdata {
	struct pdata_ent *ents;
	size_t cap, n;
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

/* The capture's table of conversations, made on first use (pass 1, under the write lock). */
static struct tq_conv_table *
conv_table(struct tq_capture *cap)
{
	struct tq_conv_table *t = cap->convs;

	if (t)
		return t;
	t = calloc(1, sizeof(*t));
	if (!t)
		return NULL;
	t->cap = 256;
	t->slots = calloc(t->cap, sizeof(*t->slots));
	if (!t->slots) {
		free(t);
		return NULL;
	}
	cap->convs = t;
	return t;
}

/* A new conversation on this key, from frame `from` on. */
static struct tq_conv *
conv_insert(struct tq_capture *cap, struct tq_conv_table *t, int kind, const struct tq_addr *src,
    const struct tq_addr *dst, uint16_t sport, uint16_t dport, uint32_t extra, uint32_t from)
{
	if (t->n + 1 > t->cap) {
		size_t ncap = t->cap * 2;
		struct tq_conv **ns = calloc(ncap, sizeof(*ns));
		if (!ns)
			return NULL;
		for (size_t i = 0; i < t->cap; i++) {
			struct tq_conv *c = t->slots[i];
			while (c) {
				struct tq_conv *next = c->hnext;
				uint64_t hh = conv_hash(c->kind, &c->a, &c->b, c->pa, c->pb, c->extra);
				c->hnext = ns[hh & (ncap - 1)];
				ns[hh & (ncap - 1)] = c;
				c = next;
			}
		}
		free(t->slots);
		t->slots = ns;
		t->cap = ncap;
	}
	uint64_t h = conv_hash(kind, src, dst, sport, dport, extra);
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
	c->hnext = t->slots[h & (t->cap - 1)];
	t->slots[h & (t->cap - 1)] = c;
	t->n++;
	return c;
}

/*
 * While a capture loads on threads (capture.c), pass 2 may look up what
 * pass 1 is still adding to: lookups that may come from pass 2 take the
 * read lock, pass 1's additions the write lock.  Pass 1 is the only writer,
 * so its own lookups need no lock.
 */
static int
tables_read(struct tq_capture *cap)
{
	/* pass 1 clears the flag when it ends, after its last change */
	if (!__atomic_load_n(&cap->tables_locked, __ATOMIC_ACQUIRE))
		return 0;
	pthread_rwlock_rdlock(&cap->tables_lock);
	return 1;
}

static int
tables_write(struct tq_capture *cap)
{
	if (!__atomic_load_n(&cap->tables_locked, __ATOMIC_RELAXED))
		return 0;
	pthread_rwlock_wrlock(&cap->tables_lock);
	return 1;
}

static void
tables_done(struct tq_capture *cap, int locked)
{
	if (locked)
		pthread_rwlock_unlock(&cap->tables_lock);
}

/* Of the conversations on this key (several when ports were reused), the
 * one started last at or before frame num, as Wireshark's lookup. */
static struct tq_conv *
conv_lookup(const struct tq_conv_table *t, int kind, const struct tq_addr *src,
    const struct tq_addr *dst, uint16_t sport, uint16_t dport, uint32_t extra, uint32_t num)
{
	if (!t)
		return NULL;
	uint64_t h = conv_hash(kind, src, dst, sport, dport, extra);
	struct tq_conv *best = NULL;
	for (struct tq_conv *c = t->slots[h & (t->cap - 1)]; c; c = c->hnext) {
		if (c->first_frame <= num && (!best || c->first_frame > best->first_frame) &&
		    conv_match(c, kind, src, dst, sport, dport, extra))
			best = c;
	}
	return best;
}

struct tq_conv *
tq_conv_find_at(struct tq_capture *cap, int kind, const struct tq_addr *src,
    const struct tq_addr *dst, uint16_t sport, uint16_t dport, uint32_t extra, int create, uint32_t num)
{
	if (!create) {
		int locked = tables_read(cap);
		struct tq_conv *c = conv_lookup(cap->convs, kind, src, dst, sport, dport, extra, num);
		tables_done(cap, locked);
		return c;
	}
	struct tq_conv *c = conv_lookup(cap->convs, kind, src, dst, sport, dport, extra, num);
	if (c)
		return c;
	int locked = tables_write(cap);
	struct tq_conv_table *t = conv_table(cap);
	c = t ? conv_insert(cap, t, kind, src, dst, sport, dport, extra, 0) : NULL;
	tables_done(cap, locked);
	return c;
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
	int locked = tables_write(cap);
	struct tq_conv_table *t = conv_table(cap);
	struct tq_conv *c = t ? conv_insert(cap, t, kind, src, dst, sport, dport, extra, num) : NULL;
	tables_done(cap, locked);
	return c;
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

static uint64_t
pkey(uint32_t num, uint32_t key)
{
	return (uint64_t)num << 32 | key;
}

/*
 * The slot of a key.  mix(0, k) was k plus a constant: the frame number, in
 * the high half, never reached the low bits that pick the slot, so every entry
 * of one kind (one per UDP frame, say) started probing at the same slot and
 * pass 1 went quadratic.  MurmurHash3's finalizer spreads all 64 bits.
 */
static size_t
pslot(uint64_t k, size_t cap)
{
	k ^= k >> 33;
	k *= 0xff51afd7ed558ccdULL;
	k ^= k >> 33;
	k *= 0xc4ceb9fe1a85ec53ULL;
	k ^= k >> 33;
	return (size_t)(k & (cap - 1));
}

static void *
pdata_get(const struct tq_pdata *pd, uint32_t num, uint32_t key)
{
	if (!pd || !pd->n)
		return NULL;
	uint64_t k = pkey(num, key);
	size_t i = pslot(k, pd->cap);
	while (pd->ents[i].key) {
		if (pd->ents[i].key == k)
			return pd->ents[i].data;
		i = (i + 1) & (pd->cap - 1);
	}
	return NULL;
}

void *
tq_pdata_get(struct tq_capture *cap, uint32_t num, uint32_t key)
{
	int locked = tables_read(cap);
	void *d = pdata_get(cap->pdata, num, key);
	tables_done(cap, locked);
	return d;
}

static int pdata_put(struct tq_capture *cap, uint32_t num, uint32_t key, void *data);

int
tq_pdata_put(struct tq_capture *cap, uint32_t num, uint32_t key, void *data)
{
	int locked = tables_write(cap);
	int rc = pdata_put(cap, num, key, data);
	tables_done(cap, locked);
	return rc;
}

static int
pdata_put(struct tq_capture *cap, uint32_t num, uint32_t key, void *data)
{
	struct tq_pdata *pd = cap->pdata;
	if (!pd) {
		pd = calloc(1, sizeof(*pd));
		if (!pd)
			return TQ_ENOMEM;
		cap->pdata = pd;
	}
	if ((pd->n + 1) * 2 > pd->cap) {
		size_t ncap = pd->cap ? pd->cap * 2 : 256;
		struct pdata_ent *ne = calloc(ncap, sizeof(*ne));
		if (!ne)
			return TQ_ENOMEM;
		for (size_t i = 0; i < pd->cap; i++) {
			if (!pd->ents[i].key)
				continue;
			size_t j = pslot(pd->ents[i].key, ncap);
			while (ne[j].key)
				j = (j + 1) & (ncap - 1);
			ne[j] = pd->ents[i];
		}
		free(pd->ents);
		pd->ents = ne;
		pd->cap = ncap;
	}
	uint64_t k = pkey(num, key);
	size_t i = pslot(k, pd->cap);
	while (pd->ents[i].key && pd->ents[i].key != k)
		i = (i + 1) & (pd->cap - 1);
	if (!pd->ents[i].key)
		pd->n++;
	pd->ents[i].key = k;
	pd->ents[i].data = data;
	return 0;
}

void tq_conv_free_all(struct tq_capture *cap);
void
tq_conv_free_all(struct tq_capture *cap)
{
	if (cap->convs) {
		free(cap->convs->slots);
		free(cap->convs);
		cap->convs = NULL;
	}
	if (cap->pdata) {
		free(cap->pdata->ents);
		free(cap->pdata);
		cap->pdata = NULL;
	}
}
