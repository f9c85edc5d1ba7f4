/*
 * rewrite.c - a variant of a capture by consistent rewriting (rewrite.h).
 *
 * The file is copied and its frames are patched in place: nothing changes
 * length, so the records, blocks, options and comments stay as they were.
 * Three walks over the frames: the first finds which ports are servers'
 * (they stay, so dissectors still find their protocols), the second maps
 * every address in the order the capture shows them (a solicited-node
 * multicast address then finds the unicast address it was made from, even
 * when that appears later), the third writes.  Each layer reads the
 * original frame and writes the copy, and updates its checksum by the sum
 * of what changed under it, innermost first (RFC 1624): a checksum that was
 * right stays right, a wrong one stays as wrong, and a frame cut by the
 * snaplen stays consistent with the bytes it has.
 */
#include "config.h"

#include <arpa/inet.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "rewrite.h"

/* ------------------------------------------------------------------ randomness */

static uint64_t
mix64(uint64_t z)
{
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* A keyed hash of a tag and some bytes: every random choice of a variant. */
static uint64_t
khash(uint64_t seed, uint32_t tag, const void *p, size_t n)
{
	uint64_t h = tq_fnv1a64(0xcbf29ce484222325ULL ^ mix64(seed + tag), p, n);
	return mix64(h ^ seed);
}

/* ------------------------------------------------------------------ tables */

/* Maps 16-byte keys of a kind (4, 6, 'm') to 16-byte values; open addressing. */
struct rw_ent {
	uint8_t kind;                /* 0: empty */
	uint8_t key[16];
	uint8_t val[16];
};

struct rw_tab {
	struct rw_ent *e;
	size_t n, cap;
};

static size_t
tab_slot(const struct rw_tab *t, uint8_t kind, const uint8_t *key)
{
	size_t i = (size_t)khash(kind, 0, key, 16) & (t->cap - 1);
	while (t->e[i].kind && (t->e[i].kind != kind || memcmp(t->e[i].key, key, 16)))
		i = (i + 1) & (t->cap - 1);
	return i;
}

static struct rw_ent *
tab_find(const struct rw_tab *t, uint8_t kind, const uint8_t *key)
{
	if (!t->cap)
		return NULL;
	struct rw_ent *e = &t->e[tab_slot(t, kind, key)];
	return e->kind ? e : NULL;
}

static struct rw_ent *
tab_add(struct rw_tab *t, uint8_t kind, const uint8_t *key, const uint8_t *val)
{
	if ((t->n + 1) * 2 > t->cap) {
		size_t ncap = t->cap ? t->cap * 2 : 64;
		struct rw_ent *ne = calloc(ncap, sizeof *ne);
		if (!ne)
			return NULL;
		struct rw_tab nt = { ne, 0, ncap };
		for (size_t i = 0; i < t->cap; i++)
			if (t->e[i].kind)
				ne[tab_slot(&nt, t->e[i].kind, t->e[i].key)] = t->e[i];
		free(t->e);
		t->e = ne;
		t->cap = ncap;
	}
	struct rw_ent *e = &t->e[tab_slot(t, kind, key)];
	e->kind = kind;
	memcpy(e->key, key, 16);
	memcpy(e->val, val, 16);
	t->n++;
	return e;
}

/* ------------------------------------------------------------------ state */

enum { PASS_PORTS, PASS_MAP, PASS_WRITE };
enum { P_TCP, P_UDP };

struct rw {
	const struct tq_rewrite *o;
	int pass;
	struct rw_tab map;           /* original address -> its variant */
	struct rw_tab used;          /* variants given, so that no two originals share one */
	uint8_t *server[2];          /* per port: a server's (kept) */
	uint16_t *port[2];           /* per port: its variant, 0 until given */
	uint8_t *port_used[2];
	struct tq_rewrite_stats st;
	int full;                    /* a prefix ran out of addresses */
	int oom;                     /* memory ran out */
	uint8_t full_kind;
	const uint8_t *old;          /* the frame as it was (the new one is at the same offsets) */
	uint8_t *cur;
	uint32_t caplen;
	int depth;                   /* of packets inside ICMP errors */
	int timed;                   /* the frame's time moved, from t_old (ns) */
	int64_t t_old, shift;        /* and the capture's shift (ns) */
	uint8_t *nosyn;              /* per port: the lower of a TCP segment's without a SYN */
	int eth;                     /* offset of an Ethernet header, -1 if none */
	char **enc;                  /* the names as DNS labels (without the final 0) */
	struct dns_flow *dflows;     /* DNS over TCP: where messages start, per direction */
	size_t ndflows, dcap;
};

static uint16_t
be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t
be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void
put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void
put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

/* ------------------------------------------------------------------ addresses */

static int
v4_special(const uint8_t *a)
{
	return a[0] == 0 || a[0] == 127 || a[0] >= 224;     /* this network, loopback, multicast, reserved */
}

static int
v6_special(const uint8_t *a)
{
	static const uint8_t zero[15];
	return a[0] == 0xff || (!memcmp(a, zero, 15) && a[15] <= 1);   /* multicast, ::, ::1 */
}

static size_t
kind_len(uint8_t kind)
{
	return kind == 4 ? 4 : kind == 'm' ? 6 : 8;     /* IPv4, MAC, IPv6's network part or interface id */
}

/*
 * Gives orig (of kind_len(kind) bytes) a variant of its own: the first
 * plen bits of prefix, then random host bits up to bits: the first free
 * one from a keyed random start (up, wrapping round: every free one is
 * found), so the map is one-to-one.  avoid_ends
 * keeps the host parts of all zeros and all ones free (IPv4's network and
 * broadcast addresses).  NULL when the prefix is full or memory runs out.
 */
static const uint8_t *
assign(struct rw *r, uint8_t kind, const uint8_t *orig, const uint8_t *prefix, unsigned plen, unsigned bits,
    int avoid_ends)
{
	uint8_t key[16] = { 0 }, val[16];
	size_t n = kind_len(kind);
	memcpy(key, orig, n);
	struct rw_ent *e = tab_find(&r->map, kind, key);
	if (e)
		return e->val;
	unsigned hostbits = bits - plen;
	uint64_t room = hostbits >= 63 ? UINT64_MAX : (1ULL << hostbits) - (avoid_ends && hostbits >= 2 ? 2 : 0);
	uint64_t start = khash(r->o->seed, kind, key, 16);
	for (uint64_t i = 0; i < room && i < 1u << 24; i++) {
		memset(val, 0, sizeof val);
		memcpy(val, prefix, (plen + 7) / 8);
		if (plen % 8)
			val[plen / 8] &= (uint8_t)(0xff << (8 - plen % 8));
		uint64_t h[2];
		h[0] = i ? khash(r->o->seed, kind + (uint32_t)i * 256, key, 16) : start;
		h[1] = mix64(h[0] ^ 0x9e3779b97f4a7c15ULL);
		uint64_t hv = hostbits < 63 ? (start % room + i) % room + (avoid_ends && hostbits >= 2) : 0;
		for (unsigned b = 0; b < hostbits; b += 8) {            /* the host bits, from the last byte up */
			unsigned at = bits / 8 - 1 - b / 8;
			uint8_t mask = hostbits - b >= 8 ? 0xff : (uint8_t)((1u << (hostbits - b)) - 1);
			uint8_t byte = hostbits < 63 ? (uint8_t)(hv >> b) : ((const uint8_t *)h)[b / 8];
			val[at] = (uint8_t)((val[at] & ~mask) | (byte & mask));
		}
		uint8_t ukey[16] = { 0 };
		memcpy(ukey, val, n);
		if (tab_find(&r->used, kind, ukey))
			continue;
		if (!tab_add(&r->used, kind, ukey, ukey) || !(e = tab_add(&r->map, kind, key, ukey))) {
			r->oom = 1;
			return NULL;
		}
		if (kind == 4)
			r->st.v4++;
		else if (kind == 'm')
			r->st.macs++;
		return e->val;
	}
	r->full = 1;
	r->full_kind = kind;
	return NULL;
}

static void
map_v4(struct rw *r, uint8_t *a)
{
	if (!(r->o->what & TQ_RW_ADDR) || v4_special(a))
		return;
	const uint8_t *v = assign(r, 4, a, r->o->v4, r->o->v4len, 32, 1);
	if (v)
		memcpy(a, v, 4);
}

static void
map_mac(struct rw *r, uint8_t *m)
{
	static const uint8_t zero[6];
	if (!(r->o->what & TQ_RW_MAC) || (m[0] & 1) || !memcmp(m, zero, 6))
		return;
	const uint8_t *v = assign(r, 'm', m, m, 24, 48, 0);    /* the OUI kept, the rest mapped */
	if (v)
		memcpy(m, v, 6);
}

/* An interface identifier made from a MAC address (modified EUI-64): made
 * from its variant, so that both stay one host's. */
static const uint8_t *
eui64(struct rw *r, const uint8_t *iid)
{
	uint8_t key[16] = { 0 }, mac[6] = { (uint8_t)(iid[0] ^ 2), iid[1], iid[2], iid[5], iid[6], iid[7] };
	memcpy(key, iid, 8);
	struct rw_ent *e = tab_find(&r->map, 'i', key);
	if (e)
		return e->val;
	map_mac(r, mac);
	uint8_t val[16] = { (uint8_t)(mac[0] ^ 2), mac[1], mac[2], 0xff, 0xfe, mac[3], mac[4], mac[5] };
	e = tab_add(&r->map, 'i', key, val);
	return e ? e->val : NULL;
}

/*
 * An IPv6 address is its network part (the first 64 bits) mapped into the
 * prefix and its interface identifier mapped on its own, so that a host's
 * link-local and global addresses keep sharing their identifier.
 */
static void
map_v6(struct rw *r, uint8_t *a)
{
	if (!(r->o->what & TQ_RW_ADDR))
		return;
	static const uint8_t snm[13] = { 0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0xff };
	static const uint8_t v4mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };
	struct rw_ent *e = tab_find(&r->map, 6, a);
	if (e) {
		memcpy(a, e->val, 16);
		return;
	}
	uint8_t val[16];
	memcpy(val, a, 16);
	if (!memcmp(a, snm, 13)) {
		/* a solicited-node group follows the unicast address it is made of */
		for (size_t i = 0; i < r->map.cap; i++) {
			const struct rw_ent *u = &r->map.e[i];
			if (u->kind == 'i' && !memcmp(u->key + 5, a + 13, 3)) {
				memcpy(val + 13, u->val + 5, 3);
				break;
			}
		}
		if (!memcmp(val, a, 16))
			return;                 /* not known yet: not kept, a later walk may know it */
	} else if (!memcmp(a, v4mapped, 12)) {
		map_v4(r, val + 12);
	} else if (v6_special(a)) {
		return;
	} else {
		const uint8_t *net = a, *iid;
		if (!(a[0] == 0xfe && (a[1] & 0xc0) == 0x80))   /* link-local keeps fe80::/64 */
			net = assign(r, 'n', a, r->o->v6, r->o->v6len, 64, 0);
		if (a[11] == 0xff && a[12] == 0xfe)
			iid = eui64(r, a + 8);               /* made from a MAC address: follows it */
		else
			iid = assign(r, 'i', a + 8, a, 0, 64, 0);
		if (!net || !iid)
			return;
		memcpy(val, net, 8);
		memcpy(val + 8, iid, 8);
		r->st.v6++;
	}
	if (tab_add(&r->map, 6, a, val))
		memcpy(a, val, 16);
}

/* ------------------------------------------------------------------ ports, sequence numbers */

static uint16_t
map_port(struct rw *r, int proto, uint16_t p)
{
	if (!(r->o->what & TQ_RW_PORTS) || r->server[proto][p])
		return p;
	if (r->port[proto][p])
		return r->port[proto][p];
	uint16_t key[2] = { (uint16_t)proto, p };
	uint64_t start = khash(r->o->seed, 0x9000, key, sizeof key);
	for (uint32_t i = 0; i < 16384; i++) {                  /* the first free one from a random start */
		uint16_t v = (uint16_t)(49152 + ((start + i) & 16383));
		if (r->port_used[proto][v] || r->server[proto][v])
			continue;
		r->port_used[proto][v] = 1;
		r->port[proto][p] = v;
		r->st.ports++;
		return v;
	}
	return p;
}

/* The offset a direction of a connection moves by: from the original tuple. */
static uint32_t
flow_offset(const struct rw *r, uint32_t tag, const uint8_t *src, const uint8_t *dst, size_t alen,
    const uint8_t *ports, int reverse)
{
	uint8_t k[36];
	memcpy(k, reverse ? dst : src, alen);
	memcpy(k + alen, reverse ? src : dst, alen);
	k[2 * alen] = ports[reverse ? 2 : 0];
	k[2 * alen + 1] = ports[reverse ? 3 : 1];
	k[2 * alen + 2] = ports[reverse ? 0 : 2];
	k[2 * alen + 3] = ports[reverse ? 1 : 3];
	return (uint32_t)khash(r->o->seed, tag, k, 2 * alen + 4);
}

/* ------------------------------------------------------------------ checksums */

/* The one's complement sum of old[from, to) and of cur[from, to). */
static void
sums(const struct rw *r, uint32_t from, uint32_t to, uint32_t *olds, uint32_t *news)
{
	if (to > r->caplen)
		to = r->caplen;
	if (from < to) {
		*olds = tq_cksum_add(*olds, r->old + from, to - from);
		*news = tq_cksum_add(*news, r->cur + from, to - from);
	}
}

/* Moves the checksum at off by what changed: RFC 1624, eqn. 3. */
static void
fix_cksum(struct rw *r, uint32_t off, uint32_t olds, uint32_t news, int udp)
{
	if (off + 2 > r->caplen)
		return;
	uint16_t m = tq_cksum_fold(olds), m2 = tq_cksum_fold(news), hc = be16(r->cur + off);
	if (m == m2 || (udp && hc == 0))
		return;
	uint16_t v = (uint16_t)~tq_cksum_fold((uint32_t)(uint16_t)~hc + (uint16_t)~m + m2);
	if (udp && v == 0)
		v = 0xffff;
	put16(r->cur + off, v);
}

/* ------------------------------------------------------------------ names */

static void
names(struct rw *r, uint32_t from, uint32_t to)
{
	if (!(r->o->what & TQ_RW_NAMES) || r->pass != PASS_WRITE)
		return;
	if (to > r->caplen)
		to = r->caplen;
	for (size_t i = 0; i < r->o->nnames; i++) {
		const char *forms[2] = { r->o->names[i].from, r->enc[i] };
		for (int f = 0; f < 2; f++) {
			size_t n = strlen(forms[f]);
			const char *to_s = f ? r->enc[r->o->nnames + i] : r->o->names[i].to;
			uint8_t *p = r->cur + from, *end = r->cur + to;
			while (n && p + n <= end) {
				uint8_t *hit = memmem(p, (size_t)(end - p), forms[f], n);
				if (!hit)
					break;
				memcpy(hit, to_s, n);
				r->st.names++;
				p = hit + n;
			}
		}
	}
}

/* ------------------------------------------------------------------ DNS */

/* The end of the name at off in a message of n bytes, 0 if malformed. */
static uint32_t
dns_skip_name(const uint8_t *m, uint32_t n, uint32_t off)
{
	while (off < n) {
		uint8_t l = m[off];
		if (l == 0)
			return off + 1;
		if ((l & 0xc0) == 0xc0)
			return off + 2 <= n ? off + 2 : 0;
		if (l & 0xc0)
			return 0;
		off += 1u + l;
	}
	return 0;
}

/*
 * The DNS message of n bytes at from, of which the frame has have: its ID
 * (a query's and its answers' alike) and, when the whole message is there,
 * the addresses of its A and AAAA records.
 */
static void
dns(struct rw *r, uint32_t from, uint32_t n, uint32_t have)
{
	if (from + have > r->caplen || have < 2 || n < 12)     /* shorter than a header: not DNS */
		return;
	uint8_t *m = r->cur + from;
	if (r->o->what & TQ_RW_IPID)
		put16(m, be16(m) ^ (uint16_t)khash(r->o->seed, 7, "dns", 3));
	if (have < n)
		return;
	unsigned qd = be16(m + 4), rrs = (unsigned)be16(m + 6) + be16(m + 8) + be16(m + 10);
	uint32_t off = 12;
	for (unsigned i = 0; i < qd; i++) {
		if (!(off = dns_skip_name(m, n, off)) || (off += 4) > n)
			return;
	}
	for (unsigned i = 0; i < rrs; i++) {
		if (!(off = dns_skip_name(m, n, off)) || off + 10 > n)
			return;
		uint16_t type = be16(m + off), rdlen = be16(m + off + 8);
		off += 10;
		if (off + rdlen > n)
			return;
		if (type == 1 && rdlen == 4)
			map_v4(r, m + off);
		else if (type == 28 && rdlen == 16)
			map_v6(r, m + off);
		off += rdlen;
	}
}

static int
dns_port(uint16_t p)
{
	return p == 53 || p == 5353 || p == 5355;
}


/* ------------------------------------------------------------------ transport */

struct l3 {
	uint32_t src, dst;           /* offsets of the addresses in the frame */
	uint32_t dst_final;          /* the destination the transport checksum covers */
	int rpl_final;               /* ... or an RPL route's last address, rebuilt: */
	uint8_t fin_old[16], fin_new[16];
	size_t alen;
	uint32_t end;                /* end of the datagram (may be past caplen) */
	int inner;                   /* inside an ICMP error */
	int first_frag;              /* a fragment's: its payload is not the whole datagram */
	int frag;                    /* a later fragment's: no transport header */
};

/* The pseudo-header's addresses as they were and are. */
static void
pseudo_sums(const struct rw *r, const struct l3 *ip, uint32_t *olds, uint32_t *news)
{
	const uint8_t *fo = ip->rpl_final ? ip->fin_old : r->old + ip->dst_final;
	const uint8_t *fn = ip->rpl_final ? ip->fin_new : r->cur + ip->dst_final;
	*olds = tq_cksum_add(tq_cksum_add(0, r->old + ip->src, ip->alen), fo, ip->alen);
	*news = tq_cksum_add(tq_cksum_add(0, r->cur + ip->src, ip->alen), fn, ip->alen);
}

/*
 * IPv4's and TCP's options alike: kind 0 ends the list, kind 1 is a byte of
 * its own, any other is kind, length (of all three) and value.  Moves *p to
 * the next option before end and gives its kind and length; 0 at the end of
 * the list or at an option that does not fit.
 */
static int
next_option(const uint8_t *b, uint32_t *p, uint32_t end, uint8_t *kind, uint32_t *len)
{
	while (*p < end && b[*p] == 1)
		(*p)++;
	if (*p + 2 > end || b[*p] == 0 || b[*p + 1] < 2 || *p + b[*p + 1] > end)
		return 0;
	*kind = b[*p];
	*len = b[*p + 1];
	return 1;
}

/*
 * DNS over TCP: each message after its two-byte length, any number to a
 * segment and a message over several.  Each direction of a connection
 * keeps where its next message starts (in the original's sequence numbers)
 * and where the last ones started, so that a segment sent again is
 * rewritten as it was the first time.  The first segment with data, and
 * the first after data the capture lost, is taken to start a message.
 */
#define DNS_STARTS 32

struct dns_flow {
	uint8_t key[40];
	uint8_t used, known;
	uint32_t next;
	uint32_t starts[DNS_STARTS];
	unsigned nstarts;
};

static struct dns_flow *
dns_flow(struct rw *r, const struct l3 *ip, uint32_t off)
{
	uint8_t key[40] = { 0 };
	memcpy(key, r->old + ip->src, ip->alen);
	memcpy(key + 16, r->old + ip->dst, ip->alen);
	memcpy(key + 32, r->old + off, 4);
	if ((r->ndflows + 1) * 2 > r->dcap) {
		size_t ncap = r->dcap ? r->dcap * 2 : 16;
		struct dns_flow *nf = calloc(ncap, sizeof *nf);
		if (!nf)
			return NULL;
		for (size_t i = 0; i < r->dcap; i++) {
			if (!r->dflows[i].used)
				continue;
			size_t j = (size_t)khash(0, 8, r->dflows[i].key, 40) & (ncap - 1);
			while (nf[j].used)
				j = (j + 1) & (ncap - 1);
			nf[j] = r->dflows[i];
		}
		free(r->dflows);
		r->dflows = nf;
		r->dcap = ncap;
	}
	size_t j = (size_t)khash(0, 8, key, 40) & (r->dcap - 1);
	while (r->dflows[j].used && memcmp(r->dflows[j].key, key, 40))
		j = (j + 1) & (r->dcap - 1);
	struct dns_flow *f = &r->dflows[j];
	if (!f->used) {
		memset(f, 0, sizeof *f);
		memcpy(f->key, key, 40);
		f->used = 1;
		r->ndflows++;
	}
	return f;
}

/* The message starting at sequence number at, in the segment of seq s whose data is at data (have bytes of len). */
static uint32_t
dns_tcp_msg(struct rw *r, uint32_t s, uint32_t data, uint32_t have, uint32_t at, int *ok)
{
	uint32_t pos = data + (at - s);
	*ok = pos + 2 <= data + have;
	if (!*ok)
		return 0;
	uint32_t l = be16(r->old + pos);
	uint32_t in = data + have - (pos + 2);
	dns(r, pos + 2, l, in < l ? in : l);
	return at + 2 + l;
}

static void
dns_tcp(struct rw *r, const struct l3 *ip, uint32_t off, uint32_t data, uint32_t end)
{
	uint32_t s = be32(r->old + off + 4), len = (ip->end > data ? ip->end : data) - data;
	uint32_t have = end - data;
	if (!len)
		return;
	struct dns_flow *f = dns_flow(r, ip, off);
	if (!f)
		return;
	/* the messages this segment repeats */
	for (unsigned i = 0; i < f->nstarts && i < DNS_STARTS; i++) {
		uint32_t at = f->starts[i];
		int ok;
		if (f->known && at - s < len && (int32_t)(at - f->next) < 0)
			dns_tcp_msg(r, s, data, have, at, &ok);
	}
	if (!f->known || (int32_t)(f->next - s) < 0) {
		f->known = 1;                                  /* the first data, or data after a loss */
		f->next = s;
	}
	while (f->next - s < len) {
		int ok;
		uint32_t at = f->next, next = dns_tcp_msg(r, s, data, have, at, &ok);
		if (!ok) {                                     /* its length is not in this segment */
			f->known = 0;
			return;
		}
		f->starts[f->nstarts++ % DNS_STARTS] = at;
		f->next = next;
	}
}

/*
 * A TCP or UDP checksum at off + at.  A capture taken on the sender often
 * holds, instead of the checksum, the pseudo-header's sum the network card
 * was to finish (checksum offloading): when the whole segment is there, the
 * variant gets the checksum the wire carried.  Any other checksum is moved
 * by what changed, so a right one stays right and a wrong one as wrong.
 */
static void
l4_cksum(struct rw *r, const struct l3 *ip, uint32_t off, uint32_t at, uint8_t proto)
{
	uint32_t end = ip->end < r->caplen ? ip->end : r->caplen;
	uint32_t olds, news;
	pseudo_sums(r, ip, &olds, &news);
	if (off + at + 2 > r->caplen)
		return;
	uint16_t have = be16(r->old + off + at);
	if (ip->end <= r->caplen && !ip->first_frag && !(proto == 17 && have == 0)) {
		uint8_t tail[4] = { 0, proto, (uint8_t)((ip->end - off) >> 8), (uint8_t)(ip->end - off) };
		uint32_t pseudo = tq_cksum_add(olds, tail, 4);
		if (have == tq_cksum_fold(pseudo)) {
			uint32_t s = tq_cksum_add(tq_cksum_add(news, tail, 4), r->cur + off, at);
			s = tq_cksum_add(s, r->cur + off + at + 2, end - off - at - 2);
			uint16_t v = (uint16_t)~tq_cksum_fold(s);
			put16(r->cur + off + at, proto == 17 && v == 0 ? 0xffff : v);
			return;
		}
	}
	sums(r, off, end, &olds, &news);
	fix_cksum(r, off + at, olds, news, proto == 17);
}

static void
tcp(struct rw *r, const struct l3 *ip, uint32_t off)
{
	const uint8_t *o = r->old + off;
	uint8_t *c = r->cur + off;
	if (off + 4 > r->caplen)
		return;
	if (r->pass == PASS_PORTS) {
		uint16_t sp = be16(o), dp = be16(o + 2);
		if (off + 14 <= r->caplen && (o[13] & 0x12) == 0x02)
			r->server[P_TCP][dp] = 1;                 /* a SYN's destination listens */
		else if (!r->server[P_TCP][sp] && !r->server[P_TCP][dp])
			r->nosyn[sp < dp ? sp : dp] = 1;          /* a connection seen without its SYN */
		return;
	}
	put16(c, map_port(r, P_TCP, be16(o)));
	put16(c + 2, map_port(r, P_TCP, be16(o + 2)));
	const uint8_t *src = r->old + ip->src, *dst = r->old + ip->dst;
	int isn = r->o->what & TQ_RW_ISN;
	if (isn && off + 8 <= r->caplen)
		put32(c + 4, be32(o + 4) + flow_offset(r, 1, src, dst, ip->alen, o, 0));
	if (off + 20 > r->caplen)
		return;
	uint32_t ack_off = flow_offset(r, 1, src, dst, ip->alen, o, 1);
	if (isn && (o[13] & 0x10))
		put32(c + 8, be32(o + 8) + ack_off);
	uint32_t hlen = (uint32_t)(o[12] >> 4) * 4;
	if (isn && hlen > 20) {
		uint32_t end = off + hlen < r->caplen ? off + hlen : r->caplen, l;
		uint8_t kind;
		for (uint32_t p = off + 20; next_option(r->old, &p, end, &kind, &l); p += l) {
			if (kind == 5)                          /* SACK: edges of the peer's data */
				for (uint32_t b = p + 2; b + 4 <= p + l; b += 4)
					put32(r->cur + b, be32(r->old + b) + ack_off);
			else if (kind == 8 && l == 10) {        /* timestamps */
				put32(r->cur + p + 2, be32(r->old + p + 2) + flow_offset(r, 2, src, dst, ip->alen, o, 0));
				if (be32(r->old + p + 6))
					put32(r->cur + p + 6,
					    be32(r->old + p + 6) + flow_offset(r, 2, src, dst, ip->alen, o, 1));
			}
		}
	}
	uint32_t data = off + hlen, end = ip->end < r->caplen ? ip->end : r->caplen;
	if (hlen >= 20 && data <= end) {
		if ((dns_port(be16(o)) || dns_port(be16(o + 2))) && !ip->first_frag)
			dns_tcp(r, ip, off, data, end);
		names(r, data, end);
	}
	l4_cksum(r, ip, off, 16, 6);
}

static void
udp(struct rw *r, const struct l3 *ip, uint32_t off)
{
	const uint8_t *o = r->old + off;
	uint8_t *c = r->cur + off;
	if (off + 4 > r->caplen)
		return;
	uint16_t sp = be16(o), dp = be16(o + 2);
	if (r->pass == PASS_PORTS) {
		r->server[P_UDP][sp < dp ? sp : dp] = 1;        /* the lower port is taken for the service's */
		return;
	}
	put16(c, map_port(r, P_UDP, sp));
	put16(c + 2, map_port(r, P_UDP, dp));
	if (off + 8 > r->caplen)
		return;
	uint32_t end = ip->end < r->caplen ? ip->end : r->caplen;
	if (!ip->first_frag && (dns_port(sp) || dns_port(dp)))
		dns(r, off + 8, ip->end - off - 8, end - off - 8);
	names(r, off + 8, end);
	l4_cksum(r, ip, off, 6, 17);
}

static void ipv4(struct rw *r, uint32_t off, uint32_t limit, int inner);
static void ipv6(struct rw *r, uint32_t off, uint32_t limit, int inner);

/* The packet an ICMP error quotes (not the one an error quoted in it quotes). */
static void
quoted(struct rw *r, int v6, uint32_t off, uint32_t limit)
{
	if (r->depth)
		return;
	r->depth++;
	if (v6)
		ipv6(r, off, limit, 1);
	else
		ipv4(r, off, limit, 1);
	r->depth--;
}

/*
 * The time ping(8) writes first in an echo's data (seconds and
 * microseconds, big-endian or little-endian), found as dissectors find it:
 * within a day of the frame's time.  It moves by the capture's shift (not
 * the scaling of gaps): a reply carries the same data as its request.
 */
static void
ping_stamp(struct rw *r, uint32_t off)
{
	if (r->pass != PASS_WRITE || !r->timed)
		return;
	uint8_t *p = r->cur + off;
	for (int le = 0; le < 2; le++) {
		uint32_t sec = le ? (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 | p[0] : be32(p);
		uint32_t usec = le ? (uint32_t)p[7] << 24 | (uint32_t)p[6] << 16 | (uint32_t)p[5] << 8 | p[4] : be32(p + 4);
		int32_t d = (int32_t)(sec - (uint32_t)(r->t_old / 1000000000));
		if ((d < 0 ? -(int64_t)d : d) >= 86400 || usec >= 1000000)
			continue;
		int64_t us = (int64_t)sec * 1000000 + usec + r->shift / 1000;
		if (us < 0 || us / 1000000 > UINT32_MAX)
			return;
		uint32_t ns = (uint32_t)(us / 1000000), nu = (uint32_t)(us % 1000000);
		if (le) {
			for (int i = 0; i < 4; i++) {
				p[i] = (uint8_t)(ns >> (8 * i));
				p[4 + i] = (uint8_t)(nu >> (8 * i));
			}
		} else {
			put32(p, ns);
			put32(p + 4, nu);
		}
		return;
	}
}

static void
icmp(struct rw *r, const struct l3 *ip, uint32_t off)
{
	if (off + 8 > r->caplen || r->pass == PASS_PORTS || ip->frag)
		return;
	uint8_t type = r->old[off];
	uint32_t end = ip->end < r->caplen ? ip->end : r->caplen;
	if ((type == 0 || type == 8) && off + 16 <= end)
		ping_stamp(r, off + 8);
	if (type == 3 || type == 4 || type == 5 || type == 11 || type == 12)
		quoted(r, 0, off + 8, end);                     /* the datagram the error is about */
	if (type == 5)
		map_v4(r, r->cur + off + 4);                    /* the gateway of a redirect */
	uint32_t olds = 0, news = 0;
	sums(r, off, end, &olds, &news);
	fix_cksum(r, off + 2, olds, news, 0);
}

/* NDP options from off to end: link-layer addresses, and a redirected packet. */
static void
ndp_options(struct rw *r, uint32_t off, uint32_t end)
{
	while (off + 2 <= end) {
		uint8_t type = r->old[off];
		uint32_t l = (uint32_t)r->old[off + 1] * 8;
		if (!l || off + l > end)
			return;
		if ((type == 1 || type == 2) && l == 8)
			map_mac(r, r->cur + off + 2);
		else if (type == 4 && l > 8)
			quoted(r, 1, off + 8, off + l);
		off += l;
	}
}

static void
icmpv6(struct rw *r, const struct l3 *ip, uint32_t off)
{
	if (off + 8 > r->caplen || r->pass == PASS_PORTS || ip->frag)
		return;
	uint8_t type = r->old[off];
	uint32_t end = ip->end < r->caplen ? ip->end : r->caplen;
	if (type >= 1 && type <= 4)
		quoted(r, 1, off + 8, end);
	else if (type == 133)
		ndp_options(r, off + 8, end);
	else if (type == 134)
		ndp_options(r, off + 16, end);
	else if ((type == 135 || type == 136) && off + 24 <= end) {
		map_v6(r, r->cur + off + 8);
		ndp_options(r, off + 24, end);
	} else if (type == 137 && off + 40 <= end) {
		map_v6(r, r->cur + off + 8);
		map_v6(r, r->cur + off + 24);
		ndp_options(r, off + 40, end);
	}
	uint32_t olds, news;
	pseudo_sums(r, ip, &olds, &news);
	sums(r, off, end, &olds, &news);
	fix_cksum(r, off + 2, olds, news, 0);
}

static void
transport(struct rw *r, const struct l3 *ip, uint8_t proto, uint32_t off)
{
	if (ip->frag)
		return;
	if (proto == 6)
		tcp(r, ip, off);
	else if (proto == 17)
		udp(r, ip, off);
	else if (proto == 1 && ip->alen == 4)
		icmp(r, ip, off);
	else if (proto == 58 && ip->alen == 16)
		icmpv6(r, ip, off);
}

/* ------------------------------------------------------------------ IP */

static void
ipv4_options(struct rw *r, uint32_t start, uint32_t end)
{
	uint32_t l;
	uint8_t t;
	for (uint32_t off = start; next_option(r->old, &off, end, &t, &l); off += l) {
		if ((t == 7 || t == 131 || t == 137) && l >= 3)          /* record route, source routes */
			for (uint32_t a = off + 3; a + 4 <= off + l; a += 4)
				map_v4(r, r->cur + a);
		else if (t == 68 && l >= 4 && ((r->old[off + 3] & 0x0f) == 1 || (r->old[off + 3] & 0x0f) == 3))
			for (uint32_t a = off + 4; a + 8 <= off + l; a += 8)    /* timestamps with addresses */
				map_v4(r, r->cur + a);
	}
}

static void
ipv4(struct rw *r, uint32_t off, uint32_t limit, int inner)
{
	if (off + 20 > r->caplen || off + 20 > limit || (r->old[off] >> 4) != 4)
		return;
	const uint8_t *o = r->old + off;
	uint8_t *c = r->cur + off;
	uint32_t hlen = (uint32_t)(o[0] & 15) * 4, tot = be16(o + 2);
	if (hlen < 20)
		return;
	struct l3 ip = { .src = off + 12, .dst = off + 16, .dst_final = off + 16, .alen = 4, .inner = inner };
	ip.end = tot == 0 ? limit : off + (tot >= hlen ? tot : hlen);   /* 0: segmentation offload's */
	if (ip.end > limit)
		ip.end = limit;
	uint16_t frag = be16(o + 6);
	ip.frag = (frag & 0x1fff) != 0;
	ip.first_frag = !ip.frag && (frag & 0x2000);
	if (r->pass != PASS_PORTS) {
		map_v4(r, c + 12);
		map_v4(r, c + 16);
		if (hlen > 20)
			ipv4_options(r, off + 20, off + hlen < r->caplen ? off + hlen : r->caplen);
		if (r->o->what & TQ_RW_IPID)
			put16(c + 4, (uint16_t)(be16(o + 4) + khash(r->o->seed, 3, o + 12, 4)));
	}
	transport(r, &ip, o[9], off + hlen);
	if (r->pass == PASS_PORTS)
		return;
	uint32_t olds = 0, news = 0;
	sums(r, off, off + hlen, &olds, &news);
	fix_cksum(r, off + 10, olds, news, 0);
}

/*
 * An RPL source route (RFC 6554): addresses with their first CmprI bytes
 * (CmprE for the last) elided, those of the destination.  Each is rebuilt,
 * mapped, and written back when its variant still shares those bytes with
 * the destination's variant (it does when they are one /64's).
 */
static void
rpl_route(struct rw *r, struct l3 *ip, uint32_t p, uint32_t l, uint8_t left)
{
	uint8_t ci = r->old[p + 4] >> 4, ce = r->old[p + 4] & 15, pad = r->old[p + 5] >> 4;
	if (l < 8u + pad + (16u - ce))
		return;
	uint32_t body = l - 8 - pad, nfirst = (body - (16u - ce)) / (16u - ci);
	if (nfirst * (16u - ci) + (16u - ce) != body)
		return;
	const uint8_t *dold = r->old + ip->dst, *dnew = r->cur + ip->dst;
	uint32_t a = p + 8;
	for (uint32_t i = 0; i <= nfirst; i++) {
		uint8_t c = i < nfirst ? ci : ce, full[16];
		memcpy(full, dold, c);
		memcpy(full + c, r->old + a, 16u - c);
		if (i == nfirst)
			memcpy(ip->fin_old, full, 16);
		map_v6(r, full);
		if (!memcmp(full, dnew, c))
			memcpy(r->cur + a, full + c, 16u - c);
		if (i == nfirst) {
			memcpy(ip->fin_new, dnew, c);
			memcpy(ip->fin_new + c, r->cur + a, 16u - c);
			ip->rpl_final = left != 0;
		}
		a += 16u - c;
	}
}

static void
ipv6(struct rw *r, uint32_t off, uint32_t limit, int inner)
{
	if (off + 40 > r->caplen || off + 40 > limit || (r->old[off] >> 4) != 6)
		return;
	const uint8_t *o = r->old + off;
	uint8_t *c = r->cur + off;
	struct l3 ip = { .src = off + 8, .dst = off + 24, .dst_final = off + 24, .alen = 16, .inner = inner };
	ip.end = off + 40 + be16(o + 4);
	if (ip.end > limit || be16(o + 4) == 0)
		ip.end = limit;
	if (r->pass != PASS_PORTS) {
		uint32_t fl = be32(o) & 0xfffff;
		if ((r->o->what & TQ_RW_IPID) && fl) {
			uint32_t nfl = (fl ^ (uint32_t)khash(r->o->seed, 4, o + 8, 16)) & 0xfffff;
			put32(c, (be32(o) & 0xfff00000u) | (nfl ? nfl : 1));
		}
		map_v6(r, c + 8);
		map_v6(r, c + 24);
		/* a multicast frame's MAC address is the group's last 32 bits */
		if (r->eth >= 0 && !inner && r->old[r->eth] == 0x33 && r->old[r->eth + 1] == 0x33 &&
		    !memcmp(r->old + r->eth + 2, o + 36, 4))
			memcpy(r->cur + r->eth + 2, c + 36, 4);
	}
	uint8_t nh = o[6];
	uint32_t p = off + 40;
	for (int hops = 0; hops < 16; hops++) {
		if (nh != 0 && nh != 43 && nh != 44 && nh != 60)
			break;
		if (p + 8 > r->caplen || p + 8 > ip.end)
			return;
		uint32_t l = nh == 44 ? 8 : ((uint32_t)r->old[p + 1] + 1) * 8;
		if (nh == 44) {
			uint16_t fo = be16(r->old + p + 2);
			ip.frag = (fo & 0xfff8) != 0;
			ip.first_frag = !ip.frag && (fo & 1);
		} else if (nh == 43 && r->pass != PASS_PORTS && p + l <= r->caplen) {
			uint8_t rtype = r->old[p + 2], left = r->old[p + 3];
			uint32_t a0 = p + 8;
			if (rtype == 0 || rtype == 4) {               /* addresses, or SRH's segment list */
				for (uint32_t a = a0; a + 16 <= p + l; a += 16)
					map_v6(r, r->cur + a);
				if (left && rtype == 0)
					ip.dst_final = p + l - 16;
				else if (left && rtype == 4)
					ip.dst_final = a0;
			} else if (rtype == 2 && l == 24) {
				map_v6(r, r->cur + a0);             /* the checksum covers the header's destination */
			} else if (rtype == 3) {
				rpl_route(r, &ip, p, l, left);
			}
		}
		nh = r->old[p];
		p += l;
	}
	transport(r, &ip, nh, p);
}

/* ------------------------------------------------------------------ link layers */

static void
frame(struct rw *r, int linktype)
{
	uint32_t n = r->caplen;
	const uint8_t *o = r->old;
	uint32_t off = 0;
	uint16_t et = 0;
	r->eth = -1;
	switch (linktype) {
	case 1:                                                  /* Ethernet */
		if (n < 14)
			return;
		r->eth = 0;
		if (r->pass != PASS_PORTS) {
			map_mac(r, r->cur);
			map_mac(r, r->cur + 6);
		}
		off = 12;
		et = be16(o + off);
		while ((et == 0x8100 || et == 0x88a8) && off + 6 <= n) {
			off += 4;
			et = be16(o + off);
		}
		off += 2;
		break;
	case 113:                                                /* Linux cooked */
		if (n < 16)
			return;
		if (r->pass != PASS_PORTS && be16(o + 2) == 1 && be16(o + 4) == 6)
			map_mac(r, r->cur + 6);
		et = be16(o + 14);
		off = 16;
		break;
	case 276:                                                /* Linux cooked v2 */
		if (n < 20)
			return;
		if (r->pass != PASS_PORTS && be16(o + 8) == 1 && o[11] == 6)
			map_mac(r, r->cur + 12);
		et = be16(o);
		off = 20;
		break;
	case 0:                                                  /* BSD loopback, host order */
	case 108: {                                              /* OpenBSD loopback */
		if (n < 4)
			return;
		uint32_t le = (uint32_t)o[0] | (uint32_t)o[1] << 8 | (uint32_t)o[2] << 16 | (uint32_t)o[3] << 24;
		uint32_t fam = linktype == 108 || le > 0xffff ? be32(o) : le;
		et = fam == 2 ? 0x0800 : fam == 24 || fam == 28 || fam == 30 ? 0x86dd : 0;
		off = 4;
		break;
	}
	case 12: case 14: case 101: case 228: case 229:       /* raw IP */
		if (n < 1)
			return;
		et = (o[0] >> 4) == 4 ? 0x0800 : (o[0] >> 4) == 6 ? 0x86dd : 0;
		break;
	default:
		return;
	}
	if (et == 0x0800)
		ipv4(r, off, n, 0);
	else if (et == 0x86dd)
		ipv6(r, off, n, 0);
	else if (et == 0x0806 && r->pass != PASS_PORTS && off + 28 <= n && be16(o + off) == 1 &&
	    be16(o + off + 2) == 0x0800 && o[off + 4] == 6 && o[off + 5] == 4) {
		map_mac(r, r->cur + off + 8);                       /* ARP: sender, then target */
		map_v4(r, r->cur + off + 14);
		map_mac(r, r->cur + off + 18);
		map_v4(r, r->cur + off + 24);
	}
}

/* ------------------------------------------------------------------ files */

struct rec {
	uint32_t data, caplen;
	int linktype;
	uint32_t ts;                 /* offset of the timestamp, 0 if the record has none */
	int ts64;                    /* pcapng's two 32-bit halves, else pcap's seconds and fraction */
	uint64_t ups;                /* timestamp units per second */
	int swap;
};

typedef int (*rec_fn)(void *arg, const struct rec *rc);

static uint32_t
rd32(const uint8_t *p, int swap)
{
	uint32_t v;
	memcpy(&v, p, 4);
	return swap ? __builtin_bswap32(v) : v;
}

static uint16_t
rd16(const uint8_t *p, int swap)
{
	uint16_t v;
	memcpy(&v, p, 2);
	return swap ? __builtin_bswap16(v) : v;
}

static void
wr32(uint8_t *p, uint32_t v, int swap)
{
	if (swap)
		v = __builtin_bswap32(v);
	memcpy(p, &v, 4);
}

#define MAX_IFACES 4096

/* Calls fn on every record with bytes; stops at a record the file cuts short. */
static int
walk(const uint8_t *b, size_t len, rec_fn fn, void *arg, char *err, size_t errlen)
{
	if (len < 4) {
		snprintf(err, errlen, "the file is too short to be a capture");
		return TQ_ENOTCAP;
	}
	uint32_t m;
	memcpy(&m, b, 4);
	if (m == 0xa1b2c3d4 || m == 0xd4c3b2a1 || m == 0xa1b23c4d || m == 0x4d3cb2a1) {
		int swap = m == 0xd4c3b2a1 || m == 0x4d3cb2a1;
		if (len < 24) {
			snprintf(err, errlen, "the file ends inside its header");
			return TQ_ETRUNCHDR;
		}
		struct rec rc = { .linktype = (int)(rd32(b + 20, swap) & 0xffff), .swap = swap,
			.ups = m == 0xa1b23c4d || m == 0x4d3cb2a1 ? 1000000000u : 1000000u };
		for (size_t p = 24; p + 16 <= len;) {
			uint32_t incl = rd32(b + p + 8, swap);
			if (incl > len - p - 16)
				break;
			rc.ts = (uint32_t)p;
			rc.data = (uint32_t)(p + 16);
			rc.caplen = incl;
			int rv = fn(arg, &rc);
			if (rv)
				return rv;
			p += 16 + (size_t)incl;
		}
		return 0;
	}
	if (m != 0x0a0d0d0a) {
		snprintf(err, errlen, "not a pcap or pcapng file");
		return TQ_ENOTCAP;
	}
	struct { int linktype; uint64_t ups; } *ifc = calloc(MAX_IFACES, sizeof *ifc);
	if (!ifc)
		return TQ_ENOMEM;
	uint32_t nif = 0;
	int swap = 0, rv = 0;
	for (size_t p = 0; p + 12 <= len;) {
		uint32_t type = rd32(b + p, swap);
		if (type == 0x0a0d0d0a) {
			if (p + 12 > len)
				break;
			uint32_t bom;
			memcpy(&bom, b + p + 8, 4);
			swap = bom == 0x4d3c2b1a;
			nif = 0;
		}
		uint32_t blen = rd32(b + p + 4, swap);
		if (blen < 12 || blen % 4 || blen > len - p)
			break;
		const uint8_t *bk = b + p;
		if (type == 1 && blen >= 20 && nif < MAX_IFACES) {
			ifc[nif].linktype = rd16(bk + 8, swap);
			ifc[nif].ups = 1000000;
			for (uint32_t o = 16; o + 4 <= blen - 4;) {
				uint16_t code = rd16(bk + o, swap), ol = rd16(bk + o + 2, swap);
				if (code == 0 || o + 4 + ol > blen - 4)
					break;
				if (code == 9 && ol >= 1) {
					uint8_t v = bk[o + 4];
					uint64_t u = 1;
					for (unsigned i = 0; i < (v & 0x7f) && u <= 1000000000u; i++)
						u *= v & 0x80 ? 2 : 10;
					ifc[nif].ups = u;
				}
				o += 4 + ((ol + 3u) & ~3u);
			}
			nif++;
		} else if ((type == 6 || type == 2) && blen >= 32) {
			uint32_t id = type == 6 ? rd32(bk + 8, swap) : rd16(bk + 8, swap);
			uint32_t incl = rd32(bk + 20, swap);
			if (id < nif && incl <= blen - 32) {
				struct rec rc = { .data = (uint32_t)(p + 28), .caplen = incl, .linktype = ifc[id].linktype,
					.ts = (uint32_t)(p + 12), .ts64 = 1, .ups = ifc[id].ups, .swap = swap };
				if ((rv = fn(arg, &rc)))
					break;
			}
		} else if (type == 3 && blen >= 16 && nif > 0) {
			uint32_t orig = rd32(bk + 8, swap);
			struct rec rc = { .data = (uint32_t)(p + 12), .caplen = orig < blen - 16 ? orig : blen - 16,
				.linktype = ifc[0].linktype, .swap = swap };
			if ((rv = fn(arg, &rc)))
				break;
		}
		p += blen;
	}
	free(ifc);
	return rv;
}

/* ------------------------------------------------------------------ times */

struct timing {
	const struct tq_rewrite *o;
	int started;
	int64_t prev_old, prev_new;  /* ns */
	int64_t shift;
	double factor;               /* of every gap between frames */
	int timed;                   /* the last record's time was moved */
};

static int64_t
to_ns(uint64_t units, uint64_t ups)
{
	return (int64_t)((units / ups) * 1000000000u + (units % ups) * 1000000000u / ups);
}

static uint64_t
from_ns(int64_t ns, uint64_t ups)
{
	uint64_t u = ns < 0 ? 0 : (uint64_t)ns;
	return (u / 1000000000u) * ups + (u % 1000000000u) * ups / 1000000000u;
}

static void
retime(struct timing *t, uint8_t *file, const struct rec *rc)
{
	if (!rc->ts || !rc->ups || rc->ups > 1000000000u)
		return;
	uint8_t *p = file + rc->ts;
	/* times up to 2^32 s (pcap's limit), so that no sum below overflows */
	const int64_t max_ns = (int64_t)UINT32_MAX * 1000000000;
	int64_t ns;
	if (rc->ts64) {
		uint64_t units = (uint64_t)rd32(p, rc->swap) << 32 | rd32(p + 4, rc->swap);
		if (units / rc->ups > UINT32_MAX)
			return;
		ns = to_ns(units, rc->ups);
	} else {
		uint32_t frac = rd32(p + 4, rc->swap);
		if (frac >= rc->ups)
			return;
		ns = (int64_t)rd32(p, rc->swap) * 1000000000 + to_ns(frac, rc->ups);
	}
	/* in whole units of the record's resolution, so that no gap rounds to nothing */
	int64_t unit = rc->ups >= 1000000000u ? 1 : (int64_t)(1000000000u / rc->ups), nn;
	if (!t->started) {
		t->started = 1;
		nn = ns + t->shift / unit * unit;
	} else {
		int64_t gap = ns - t->prev_old, g = llround((double)gap * t->factor / (double)unit) * unit;
		if (gap > 0 && g < unit)
			g = unit;
		else if (gap < 0 && g > -unit)
			g = -unit;
		nn = t->prev_new + g;
	}
	if (nn < 0)
		nn = 0;
	else if (nn > max_ns)
		nn = max_ns;
	t->prev_old = ns;
	t->prev_new = nn;
	t->timed = 1;
	if (rc->ts64) {
		uint64_t u = from_ns(nn, rc->ups);
		wr32(p, (uint32_t)(u >> 32), rc->swap);
		wr32(p + 4, (uint32_t)u, rc->swap);
	} else {
		int64_t sec = nn / 1000000000;
		if (sec < 0 || sec > UINT32_MAX)
			return;
		wr32(p, (uint32_t)sec, rc->swap);
		wr32(p + 4, (uint32_t)from_ns(nn % 1000000000, rc->ups), rc->swap);
	}
}

/* ------------------------------------------------------------------ the rewrite */

struct job {
	struct rw *r;
	const uint8_t *in;
	uint8_t *out;
	uint8_t *scratch;            /* a frame's copy, in the walks that do not write */
	size_t scratch_len;
	struct timing t;
};

static int
on_record(void *arg, const struct rec *rc)
{
	struct job *j = arg;
	struct rw *r = j->r;
	r->old = j->in + rc->data;
	r->caplen = rc->caplen;
	if (r->pass == PASS_WRITE) {
		r->cur = j->out + rc->data;
		r->st.frames++;
		j->t.timed = 0;
		if (r->o->what & TQ_RW_TIME)
			retime(&j->t, j->out, rc);
		r->timed = j->t.timed;
		r->t_old = j->t.prev_old;
		r->shift = j->t.shift;
	} else {
		if (rc->caplen > j->scratch_len) {
			uint8_t *s = realloc(j->scratch, rc->caplen);
			if (!s)
				return TQ_ENOMEM;
			j->scratch = s;
			j->scratch_len = rc->caplen;
		}
		r->cur = j->scratch;
		memcpy(j->scratch, r->old, rc->caplen);
	}
	frame(r, rc->linktype);
	return r->oom ? TQ_ENOMEM : r->full ? TQ_ETOOBIG : 0;
}

void
tq_rewrite_init(struct tq_rewrite *rw)
{
	memset(rw, 0, sizeof *rw);
	static const uint8_t v4[4] = { 198, 51, 100, 0 }, v6[16] = { 0x20, 0x01, 0x0d, 0xb8 };
	memcpy(rw->v4, v4, 4);
	rw->v4len = 24;
	memcpy(rw->v6, v6, 16);
	rw->v6len = 32;
}

int
tq_rewrite_name_ok(const char *from, const char *to, char *err, size_t errlen)
{
	size_t n = strlen(from);
	if (!n || n > 253) {
		snprintf(err, errlen, "a name to replace has 1 to 253 characters");
		return -1;
	}
	if (strlen(to) != n) {
		snprintf(err, errlen, "'%s' and '%s' differ in length: a name is replaced by one of the same length "
		    "(no length in the capture changes)", from, to);
		return -1;
	}
	for (size_t i = 0; i < n; i++) {
		if ((from[i] == '.') != (to[i] == '.')) {
			snprintf(err, errlen, "'%s' and '%s' have their dots in different places: each label keeps "
			    "its length", from, to);
			return -1;
		}
		if (from[i] == '.' && (i == 0 || from[i - 1] == '.' || i + 1 == n)) {
			snprintf(err, errlen, "'%s' has an empty label", from);
			return -1;
		}
	}
	return 0;
}

/* "www.example.com" as DNS labels, without the root's 0: "\3www\7example\3com". */
static char *
labels(const char *name)
{
	size_t n = strlen(name);
	char *s = malloc(n + 2), *len = s;
	if (!s)
		return NULL;
	char *w = s + 1;
	*len = 0;
	for (const char *p = name; *p; p++) {
		if (*p == '.') {
			len = w++;
			*len = 0;
		} else {
			*w++ = *p;
			(*len)++;
		}
	}
	*w = 0;
	return s;
}

int
tq_rewrite_capture(const uint8_t *in, size_t len, const struct tq_rewrite *o, uint8_t **out,
    struct tq_rewrite_stats *stats, char *err, size_t errlen)
{
	*out = NULL;
	if (len > UINT32_MAX) {
		snprintf(err, errlen, "the capture is larger than 4 GiB");
		return TQ_ETOOBIG;
	}
	if (o->v4len > 30 || o->v6len > 64 || o->nnames > TQ_RW_MAX_NAMES || o->scale < 0 || o->scale > 0.5 ||
	    !(o->shift >= 0 && o->shift <= 1e9)) {
		snprintf(err, errlen, "rewrite options out of range");
		return TQ_EINVAL;
	}
	for (size_t i = 0; i < o->nnames; i++)
		if (tq_rewrite_name_ok(o->names[i].from, o->names[i].to, err, errlen))
			return TQ_EINVAL;
	struct rw r = { .o = o };
	struct job j = { .r = &r, .in = in, .t = { .o = o } };
	int rc = TQ_ENOMEM;
	for (int p = 0; p < 2; p++) {
		r.server[p] = calloc(65536, 1);
		r.port_used[p] = calloc(65536, 1);
		r.port[p] = calloc(65536, sizeof *r.port[p]);
		if (!r.server[p] || !r.port_used[p] || !r.port[p])
			goto out;
	}
	if (!(r.nosyn = calloc(65536, 1)))
		goto out;
	if (o->nnames && !(r.enc = calloc(2 * o->nnames, sizeof *r.enc)))
		goto out;
	for (size_t i = 0; i < o->nnames; i++)
		if (!(r.enc[i] = labels(o->names[i].from)) || !(r.enc[o->nnames + i] = labels(o->names[i].to)))
			goto out;
	j.scratch_len = 65536;
	if (!(j.scratch = malloc(j.scratch_len)) || !(j.out = malloc(len ? len : 1)))
		goto out;
	memcpy(j.out, in, len);
	if (o->what & TQ_RW_TIME) {
		uint64_t h = khash(o->seed, 6, "shift", 5);
		j.t.shift = (int64_t)((double)(h >> 11) / 9007199254740992.0 * o->shift * 1e9);
		h = khash(o->seed, 5, "scale", 5);
		j.t.factor = 1 + o->scale * ((double)(h >> 11) / 9007199254740992.0 * 2 - 1);
	}
	for (r.pass = PASS_PORTS; r.pass <= PASS_WRITE; r.pass++) {
		free(r.dflows);                                /* each walk follows the streams anew */
		r.dflows = NULL;
		r.ndflows = r.dcap = 0;
		if ((rc = walk(in, len, on_record, &j, err, errlen))) {
			if (rc == TQ_ETOOBIG) {
				char pfx[INET6_ADDRSTRLEN];
				int v4 = r.full_kind == 4;
				inet_ntop(v4 ? AF_INET : AF_INET6, v4 ? (const void *)o->v4 : o->v6, pfx, sizeof pfx);
				snprintf(err, errlen, "the capture has more %s than %s/%u holds: give a larger prefix",
				    v4 ? "IPv4 addresses" : r.full_kind == 'n' ? "IPv6 networks (/64)" : "addresses", pfx,
				    v4 ? o->v4len : o->v6len);
			}
			goto out;
		}
		if (r.pass == PASS_PORTS) {
			for (uint32_t i = 0; i < 65536; i++) {
				r.server[P_TCP][i] |= r.nosyn[i];
				for (int p = 0; p < 2; p++)
					r.server[p][i] |= i < 1024;    /* the well-known ports are services' */
			}
		}
	}
	*out = j.out;
	j.out = NULL;
	if (stats)
		*stats = r.st;
	rc = 0;
out:
	if (rc == TQ_ENOMEM)
		snprintf(err, errlen, "out of memory");
	for (int p = 0; p < 2; p++) {
		free(r.server[p]);
		free(r.port_used[p]);
		free(r.port[p]);
	}
	if (r.enc)
		for (size_t i = 0; i < 2 * o->nnames; i++)
			free(r.enc[i]);
	free(r.enc);
	free(r.nosyn);
	free(r.dflows);
	free(r.map.e);
	free(r.used.e);
	free(j.scratch);
	free(j.out);
	return rc;
}
