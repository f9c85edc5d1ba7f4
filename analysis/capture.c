/*
 * capture.c - open pcap/pcapng captures from a file or from memory with libpcap,
 * index their frames and run pass 1.
 *
 * libpcap parses and validates the records.  The whole file stays in memory
 * (mapped or copied), so pass 2 reads any frame's bytes where they lie; each
 * frame's offset is found from the stream position libpcap leaves behind and
 * checked against the bytes libpcap returned.  pcapng interface names and
 * time resolutions, which libpcap does not expose, come from a bounded walk
 * of the interface description blocks.
 *
 * Pass 1 runs on each record as libpcap returns it.  On a large mapped file a
 * helper thread maps the pages ahead of it (the pager); opened with
 * tq_capture_open_file_async(), pass 1 runs on a thread of its own and a
 * scout lets pass 2 follow it ("loading on threads" below).
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <pcap/pcap.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "internal.h"

void tq_conv_free_all(struct tq_capture *cap);

#define PCAP_MAGIC      0xa1b2c3d4u
#define PCAP_MAGIC_NS   0xa1b23c4du
#define PCAPNG_SHB      0x0a0d0d0au

static uint32_t
rd32(const uint8_t *p, int swap)
{
	uint32_t v = (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
	return swap ? __builtin_bswap32(v) : v;
}

static uint16_t
rd16(const uint8_t *p, int swap)
{
	uint16_t v = (uint16_t)(p[0] | p[1] << 8);
	return swap ? __builtin_bswap16(v) : v;
}

static int
supported_linktype(int dlt)
{
	switch (dlt) {
	case DLT_NULL:
	case DLT_EN10MB:
	case 12:                /* DLT_RAW as most systems number it */
	case 14:                /* DLT_RAW on OpenBSD */
	case 101:               /* LINKTYPE_RAW */
	case DLT_LOOP:
	case DLT_LINUX_SLL:
	case 276:               /* DLT_LINUX_SLL2 */
	case 228:               /* DLT_IPV4 */
	case 229:               /* DLT_IPV6 */
		return 1;
	default:
		return 0;
	}
}

static void
seterr(char *err, size_t errlen, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static void
seterr(char *err, size_t errlen, const char *fmt, ...)
{
	if (!err || !errlen)
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

/*
 * A pcapng file may have at most this many interfaces, in all its sections
 * together, and this many sections.  A real capture has a handful of each
 * (dumpcap writes an interface per device it listened on, joined files a
 * section each); tens of thousands only come in files made to cost their
 * reader time and memory.  At the limits the interface table takes 2 MiB
 * and the section table 768 KiB; 65,536 is also the id space of the
 * obsolete Packet Block's 16-bit interface id.
 */
#define MAX_IFACES      65536u
#define MAX_SECTIONS    65536u

/* Where each pcapng section starts, and the index in cap->ifaces of its first interface. */
struct sections {
	size_t *off;
	uint32_t *first;
	uint32_t n, room;            /* room: entries off and first have space for */
};

static void
sections_free(struct sections *sc)
{
	free(sc->off);
	free(sc->first);
	memset(sc, 0, sizeof(*sc));
}

/*
 * Walks the pcapng blocks to collect interface names and time resolutions.
 * Every length is checked against what is left of the file; a bad block
 * ends the walk (libpcap reports the damage itself).  Interfaces of every
 * section are kept, in file order; sc says where each section's begin.
 * The tables double as they grow.  Past MAX_IFACES or MAX_SECTIONS the
 * file is refused: TQ_ETOOBIG, and err says which limit.
 */
static int
pcapng_scan_ifaces(struct tq_capture *cap, struct sections *sc, char *err, size_t errlen)
{
	size_t off = 0;
	int swap = 0;
	uint32_t local = 0, room = 0;

	while (cap->size - off >= 12) {
		const uint8_t *b = cap->base + off;
		uint32_t type = rd32(b, 0);
		if (type == PCAPNG_SHB) {
			uint32_t bom = rd32(b + 8, 0);
			if (bom == 0x1a2b3c4d)
				swap = 0;
			else if (bom == 0x4d3c2b1a)
				swap = 1;
			else
				break;
			if (sc->n == MAX_SECTIONS) {
				seterr(err, errlen, "too many sections: the pcapng file has more than %u sections "
				    "(section header blocks), the most tracequiz accepts; a capture has a few", MAX_SECTIONS);
				return TQ_ETOOBIG;
			}
			if (sc->n == sc->room) {
				uint32_t n = sc->room ? sc->room * 2 : 4;
				size_t *no = realloc(sc->off, n * sizeof(*no));
				if (!no)
					return TQ_ENOMEM;
				sc->off = no;
				uint32_t *nf = realloc(sc->first, n * sizeof(*nf));
				if (!nf)
					return TQ_ENOMEM;
				sc->first = nf;
				sc->room = n;
			}
			/* a new section numbers its interfaces from 0 again */
			sc->off[sc->n] = off;
			sc->first[sc->n] = cap->nifaces;
			sc->n++;
			local = 0;
		} else {
			type = swap ? __builtin_bswap32(type) : type;
		}
		uint32_t blen = rd32(b + 4, swap);
		if (blen < 12 || blen % 4 || blen > cap->size - off)
			break;
		if (type == 1 && blen >= 20 && sc->n) {     /* Interface Description Block */
			if (cap->nifaces == MAX_IFACES) {
				seterr(err, errlen, "too many interfaces: the pcapng file describes more than %u interfaces "
				    "(interface description blocks), the most tracequiz accepts; a capture has a few", MAX_IFACES);
				return TQ_ETOOBIG;
			}
			if (cap->nifaces == room) {
				uint32_t n = room ? room * 2 : 4;
				struct tq_iface *ni = realloc(cap->ifaces, n * sizeof(*ni));
				if (!ni)
					return TQ_ENOMEM;
				cap->ifaces = ni;
				room = n;
			}
			struct tq_iface *ifc = &cap->ifaces[cap->nifaces++];
			memset(ifc, 0, sizeof(*ifc));
			ifc->linktype = rd16(b + 8, swap);
			ifc->section = sc->n;
			ifc->id = local++;
			size_t o = 16, end = blen - 4;
			while (o + 4 <= end) {
				uint16_t code = rd16(b + o, swap), olen = rd16(b + o + 2, swap);
				if (code == 0 || o + 4 + olen > end)
					break;
				if (code == 2 && !ifc->name)         /* if_name */
					ifc->name = tq_arena_strdup(&cap->state, (const char *)b + o + 4, olen);
				else if (code == 3 && !ifc->desc)    /* if_description */
					ifc->desc = tq_arena_strdup(&cap->state, (const char *)b + o + 4, olen);
				else if (code == 9 && olen >= 1 && !(b[o + 4] & 0x80) && b[o + 4] > 6)
					cap->nsec_file = 1;              /* if_tsresol finer than 1 us */
				o += 4 + ((olen + 3u) & ~3u);
			}
		}
		off += blen;
	}
	/* the table stays for the capture's life: no room left unused (tq_capture_memory counts it) */
	if (room > cap->nifaces && cap->nifaces) {
		struct tq_iface *ni = realloc(cap->ifaces, cap->nifaces * sizeof(*ni));
		if (ni)
			cap->ifaces = ni;
	}
	return 0;
}

/* The index in cap->ifaces of interface id of the section holding the block at off; UINT32_MAX if none. */
static uint32_t
global_iface(const struct tq_capture *cap, const struct sections *sc, uint64_t off, uint32_t id)
{
	uint32_t lo = 0, hi = sc->n;
	while (hi - lo > 1) {
		uint32_t mid = lo + (hi - lo) / 2;
		if (sc->off[mid] <= off)
			lo = mid;
		else
			hi = mid;
	}
	if (!sc->n || sc->off[lo] > off)
		return UINT32_MAX;
	uint32_t end = lo + 1 < sc->n ? sc->first[lo + 1] : cap->nifaces;
	if (id >= end - sc->first[lo])
		return UINT32_MAX;
	return sc->first[lo] + id;
}

/*
 * A mapped capture is read front to back, by libpcap and by pass 1: the
 * pages already read are given back every few megabytes, so the program's
 * memory stays small however large the file (they are read again from the
 * page cache if a frame is needed later).
 */
#define RELEASE_STEP    (2u << 20)   /* pages given back at a time */

static void
release_below(struct tq_capture *cap, size_t off)
{
	if (!cap->mapped || off < cap->dropped + RELEASE_STEP)
		return;
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	size_t end = off & ~(page - 1);
	if (end > cap->dropped)
		madvise(cap->base + cap->dropped, end - cap->dropped, MADV_DONTNEED);
	cap->dropped = end;
}

/* Maps the pages of [p, p + n) now, in one call rather than a fault each. */
static void
populate(const uint8_t *p, size_t n)
{
#ifdef MADV_POPULATE_READ
	if (madvise((void *)p, n, MADV_POPULATE_READ) == 0)
		return;
#endif
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	for (size_t i = 0; i < n; i += page)
		(void)*(volatile const uint8_t *)(p + i);
}

void
tq_capture_prefetch(struct tq_capture *cap, uint32_t from, uint32_t to)
{
	if (!cap || !cap->mapped || from == 0 || from > to || to > cap->nframes)
		return;
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	size_t a = (size_t)cap->frames[from - 1].off & ~(page - 1);
	size_t b = (size_t)cap->frames[to - 1].off + cap->frames[to - 1].caplen;
	if (b > a)
		populate(cap->base + a, b - a);
}

/* A record as libpcap returned it, and where its bytes lie in the file. */
struct rec {
	uint64_t off;
	int64_t sec;
	uint64_t frac;               /* nanoseconds, as libpcap scaled them (may pass a second) */
	uint32_t caplen, len, iface;
};

/* Writes frame idx (0-based); the caller counts.  A reserved array never grows. */
static int
add_frame(struct tq_capture *cap, uint32_t idx, const struct rec *r)
{
	if (idx >= cap->cap_frames) {
		uint32_t n = cap->cap_frames ? cap->cap_frames * 2 : 1024;
		if (cap->frames_mapped || n <= cap->cap_frames)
			return TQ_ENOMEM;
		struct tq_frame *f = realloc(cap->frames, (size_t)n * sizeof(*f));
		if (!f)
			return TQ_ENOMEM;
		cap->frames = f;
		cap->cap_frames = n;
	}
	struct tq_frame *fr = &cap->frames[idx];
	memset(fr, 0, sizeof(*fr));
	fr->off = r->off;
	/* libpcap scales a pcap record's fraction without checking it is under a
	 * second, so carry the excess */
	fr->sec = r->sec + (int64_t)(r->frac / 1000000000u);
	fr->nsec = (uint32_t)(r->frac % 1000000000u);
	fr->caplen = r->caplen;
	fr->len = r->len;
	fr->iface = r->iface;
	return 0;
}

/*
 * Finds where libpcap's copy of a pcapng packet lies in the file: the block
 * ends at the stream position, its total length is repeated in its last four
 * bytes, and the data sits at a fixed offset after the block header.
 */
static int
pcapng_locate(const struct tq_capture *cap, size_t end, const uint8_t *data, uint32_t caplen,
    uint64_t *off, uint32_t *iface)
{
	for (int swap = 0; swap < 2; swap++) {
		if (end < 12 || end > cap->size)
			return -1;
		uint32_t blen = rd32(cap->base + end - 4, swap);
		if (blen < 12 || blen > end)
			continue;
		const uint8_t *b = cap->base + end - blen;
		if (rd32(b + 4, swap) != blen)
			continue;
		uint32_t type = rd32(b, swap);
		size_t doff;
		uint32_t ifc = 0;
		if (type == 6 || type == 2) {          /* EPB, obsolete PB */
			doff = 28;
			ifc = type == 6 ? rd32(b + 8, swap) : rd16(b + 8, swap);
		} else if (type == 3) {                /* SPB */
			doff = 12;
		} else {
			continue;
		}
		if (doff + caplen > blen || memcmp(b + doff, data, caplen) != 0)
			continue;
		*off = (uint64_t)(b - cap->base) + doff;
		*iface = ifc;
		return 0;
	}
	return -1;
}

/*
 * Reads libpcap's "invalid packet capture length N, bigger than snaplen of M"
 * (M is 262144 when the record passed libpcap's own maximum, else the pcapng
 * interface's snapshot length).  Returns 1 when msg is that message.
 */
static int
too_big(const char *msg, unsigned *caplen, unsigned *limit)
{
	const char *a = strstr(msg, "capture length ");
	const char *b = strstr(msg, "bigger than ");
	const char *c = b ? strstr(b, " of ") : NULL;
	if (!a || !c)
		return 0;
	return sscanf(a, "capture length %u", caplen) == 1 && sscanf(c, " of %u", limit) == 1;
}

/*
 * Reading a large mapped file, mapping its pages costs about as much as
 * libpcap's copies.  A helper thread maps the next megabytes ahead of the
 * reader (MADV_POPULATE_READ, or a read of each page) and gives back those
 * far enough behind it, so the reading thread, which runs pass 1 too, does
 * neither.  It only ever calls madvise() on the read-only mapping.
 */
#define PAGER_MIN       (8u << 20)   /* smaller files are mapped as they are read */
#define PAGER_AHEAD     (2u << 20)
#define PAGER_BEHIND    (1u << 20)   /* pass 1 reaches back for reassembled PDUs */
#define PAGER_STEP      (1u << 20)   /* the reader reports every megabyte */
#define PAGER_DROP      (1u << 20)   /* pages given back at a time: each madvise() interrupts the reader */

struct pager {
	struct tq_capture *cap;
	pthread_t th;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	size_t pos;                  /* where the reader is (mu) */
	int stop;                    /* (mu) */
	size_t mapped, dropped;      /* the helper's own marks */
};

static void *
pager_main(void *arg)
{
	struct pager *pg = arg;
	const struct tq_capture *cap = pg->cap;
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	pthread_mutex_lock(&pg->mu);
	while (!pg->stop) {
		size_t pos = pg->pos;
		size_t want = cap->size - pos > PAGER_AHEAD ? pos + PAGER_AHEAD : cap->size;
		size_t drop = pos > PAGER_BEHIND ? (pos - PAGER_BEHIND) & ~(page - 1) : 0;
		if (pg->mapped >= want && drop < pg->dropped + PAGER_DROP) {
			pthread_cond_wait(&pg->cv, &pg->mu);
			continue;
		}
		pthread_mutex_unlock(&pg->mu);
		if (pg->mapped < want) {
			size_t from = pg->mapped > pos ? pg->mapped : pos & ~(page - 1);
			populate(cap->base + from, want - from);
			pg->mapped = want;
		}
		if (drop >= pg->dropped + PAGER_DROP) {
			madvise(cap->base + pg->dropped, drop - pg->dropped, MADV_DONTNEED);
			pg->dropped = drop;
		}
		pthread_mutex_lock(&pg->mu);
	}
	pthread_mutex_unlock(&pg->mu);
	return NULL;
}

/* Whether loading may take more threads: more than one core, and TQ_THREADS is not 1. */
static int
threads_allowed(void)
{
	const char *t = getenv("TQ_THREADS");
	return sysconf(_SC_NPROCESSORS_ONLN) >= 2 && !(t && atoi(t) == 1);
}

/* Starts the helper for a large mapped file when threads are allowed; 0 when there is none. */
static int
pager_start(struct pager *pg, struct tq_capture *cap)
{
	memset(pg, 0, sizeof(*pg));
	if (!cap->mapped || cap->size < PAGER_MIN || !threads_allowed())
		return 0;
	pg->cap = cap;
	pthread_mutex_init(&pg->mu, NULL);
	pthread_cond_init(&pg->cv, NULL);
	if (pthread_create(&pg->th, NULL, pager_main, pg) != 0) {
		pthread_mutex_destroy(&pg->mu);
		pthread_cond_destroy(&pg->cv);
		pg->cap = NULL;
		return 0;
	}
	return 1;
}

/* The reader is at off: the helper maps ahead of it and gives back behind it. */
static void
pager_follow(struct pager *pg, size_t off)
{
	pthread_mutex_lock(&pg->mu);
	pg->pos = off;
	pthread_cond_signal(&pg->cv);
	pthread_mutex_unlock(&pg->mu);
}

static void
pager_stop(struct pager *pg)
{
	pthread_mutex_lock(&pg->mu);
	pg->stop = 1;
	pthread_cond_signal(&pg->cv);
	pthread_mutex_unlock(&pg->mu);
	pthread_join(pg->th, NULL);
	pthread_mutex_destroy(&pg->mu);
	pthread_cond_destroy(&pg->cv);
	pg->cap->dropped = pg->dropped;
}

/*
 * libpcap reads a stdio stream: this one reads the capture where it lies in
 * memory (fmemopen() does the same, with more work per read).
 */
struct memfile {
	const uint8_t *base;
	size_t size, pos;
};

static ssize_t
memfile_read(void *cookie, char *buf, size_t n)
{
	struct memfile *m = cookie;
	size_t left = m->size - m->pos;
	if (n > left)
		n = left;
	memcpy(buf, m->base + m->pos, n);
	m->pos += n;
	return (ssize_t)n;
}

static int
memfile_seek(void *cookie, off64_t *off, int whence)
{
	struct memfile *m = cookie;
	off64_t base = whence == SEEK_SET ? 0 : whence == SEEK_CUR ? (off64_t)m->pos : (off64_t)m->size;
	if ((whence != SEEK_SET && whence != SEEK_CUR && whence != SEEK_END) ||
	    *off < -base || base + *off > (off64_t)m->size)
		return -1;
	m->pos = (size_t)(base + *off);
	*off = (off64_t)m->pos;
	return 0;
}

static uint64_t
mix64(uint64_t h, uint64_t v)
{
	h = (h ^ v) * 0x9e3779b97f4a7c15ULL;
	return h ^ h >> 32;
}

static uint64_t
endpoint_hash(uint64_t h, const uint8_t *addr, size_t alen, const uint8_t *port)
{
	for (size_t i = 0; i < alen; i += 4)
		h = mix64(h, rd32(addr + i, 0));
	return mix64(h, (uint32_t)port[0] << 8 | port[1]);
}

/*
 * The flow of a frame, for the loader: a 64-bit hash of its IP addresses
 * and TCP or UDP ports, the same both ways (never 0); 0 for a barrier.  The
 * dissectors decide what a frame is; this only has to be sure which
 * conversation a plain TCP or UDP frame can touch.
 */
static uint64_t
flow_of(int linktype, const uint8_t *p, uint32_t n)
{
	uint32_t off = 0, type = 0;
	switch (linktype) {
	case DLT_EN10MB:
		if (n < 14)
			return 0;
		type = (uint32_t)p[12] << 8 | p[13];
		off = 14;
		while ((type == 0x8100 || type == 0x88a8 || type == 0x9100) && n >= off + 4) {
			type = (uint32_t)p[off + 2] << 8 | p[off + 3];
			off += 4;
		}
		break;
	case DLT_LINUX_SLL:
		if (n < 16)
			return 0;
		type = (uint32_t)p[14] << 8 | p[15];
		off = 16;
		break;
	case 276:                    /* DLT_LINUX_SLL2 */
		if (n < 20)
			return 0;
		type = (uint32_t)p[0] << 8 | p[1];
		off = 20;
		break;
	case DLT_NULL:
	case DLT_LOOP: {
		if (n < 4)
			return 0;
		uint32_t le = rd32(p, 0), be = __builtin_bswap32(le);
		type = le == 2 || be == 2 ? 0x0800 :
		    le == 24 || le == 28 || le == 30 || be == 24 || be == 28 || be == 30 ? 0x86dd : 0;
		off = 4;
		break;
	}
	default:                     /* raw IP */
		if (n < 1)
			return 0;
		type = p[0] >> 4 == 4 ? 0x0800 : p[0] >> 4 == 6 ? 0x86dd : 0;
		break;
	}
	if (off > n)
		return 0;
	const uint8_t *ip = p + off, *a, *b, *l4;
	size_t alen;
	uint8_t proto;
	n -= off;
	if (type == 0x0800) {
		/* fragments go through IP reassembly, shared by every flow between two hosts */
		if (n < 20 || ip[0] >> 4 != 4 || (ip[0] & 15) < 5 || (((uint32_t)ip[6] << 8 | ip[7]) & 0x3fff))
			return 0;
		uint32_t hl = (ip[0] & 15) * 4u;
		if (n < hl + 4)
			return 0;
		proto = ip[9];
		a = ip + 12, b = ip + 16, alen = 4;
		l4 = ip + hl;
	} else if (type == 0x86dd) {
		if (n < 44 || ip[0] >> 4 != 6)
			return 0;
		proto = ip[6];
		a = ip + 8, b = ip + 24, alen = 16;
		l4 = ip + 40;
	} else {
		return 0;
	}
	if (proto != 6 && proto != 17)
		return 0;
	/* the lower endpoint first, so both directions hash alike */
	int c = memcmp(a, b, alen);
	int swap = c > 0 || (c == 0 && memcmp(l4, l4 + 2, 2) > 0);
	uint64_t h = mix64(0x243f6a8885a308d3ULL, proto);
	h = endpoint_hash(h, swap ? b : a, alen, swap ? l4 + 2 : l4);
	h = endpoint_hash(h, swap ? a : b, alen, swap ? l4 : l4 + 2);
	return h ? h : 1;
}

/*
 * The loader's flows: an open-addressing table from a flow's hash to its
 * number (1, 2, ...; 0 is the barriers'), and each number's last frame.
 * Two flows whose hashes collide only wait for each other.
 */
struct flows {
	uint64_t *keys;
	uint32_t *ids;
	size_t cap, n;
	uint32_t *last;              /* by number */
	size_t last_cap;
	int failed;                  /* out of memory: pass 2 waits for the end of pass 1 */
};

static void
flows_free(struct flows *f)
{
	free(f->keys);
	free(f->ids);
	free(f->last);
	memset(f, 0, sizeof(*f));
}

static int
flows_grow(struct flows *f)
{
	size_t ncap = f->cap ? f->cap * 2 : 1024;
	uint64_t *nk = calloc(ncap, sizeof(*nk));
	uint32_t *ni = calloc(ncap, sizeof(*ni));
	if (!nk || !ni) {
		free(nk);
		free(ni);
		return -1;
	}
	for (size_t i = 0; i < f->cap; i++) {
		if (!f->keys[i])
			continue;
		size_t j = (size_t)(f->keys[i] >> 7) & (ncap - 1);
		while (nk[j])
			j = (j + 1) & (ncap - 1);
		nk[j] = f->keys[i];
		ni[j] = f->ids[i];
	}
	free(f->keys);
	free(f->ids);
	f->keys = nk;
	f->ids = ni;
	f->cap = ncap;
	return 0;
}

/* The number of flow h (0 for a barrier), and frame num noted as its last. */
static uint32_t
flows_note(struct flows *f, uint64_t h, uint32_t num)
{
	uint32_t id = 0;
	if (h) {
		if ((f->n + 1) * 2 > f->cap && flows_grow(f) != 0)
			goto fail;
		size_t j = (size_t)(h >> 7) & (f->cap - 1);
		while (f->keys[j] && f->keys[j] != h)
			j = (j + 1) & (f->cap - 1);
		if (!f->keys[j]) {
			if (f->n + 1 >= UINT32_MAX)
				goto fail;
			f->keys[j] = h;
			f->ids[j] = (uint32_t)++f->n;
		}
		id = f->ids[j];
	}
	if (id >= f->last_cap) {
		size_t ncap = f->last_cap ? f->last_cap * 2 : 1024;
		uint32_t *nl = realloc(f->last, ncap * sizeof(*nl));
		if (!nl)
			goto fail;
		memset(nl + f->last_cap, 0, (ncap - f->last_cap) * sizeof(*nl));
		f->last = nl;
		f->last_cap = ncap;
	}
	f->last[id] = num;
	return id;
fail:
	f->failed = 1;
	return 0;
}

/* Why reading stopped early, as a message to keep. */
static char *
stopped(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static char *
stopped(const char *fmt, ...)
{
	char w[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(w, sizeof(w), fmt, ap);
	va_end(ap);
	return strdup(w);
}

/* libpcap's message when a record cannot be read, in words a person can act
 * on ("kept the N frames before it"). */
static char *
record_error(const char *msg, uint32_t n)
{
	unsigned caplen, limit;
	if (strstr(msg, "truncated"))
		return stopped("truncated last record: frame %u is cut short (%s); kept the %u frames before it",
		    n + 1, msg, n);
	if (too_big(msg, &caplen, &limit) && limit >= TQ_MAX_CAPLEN)
		return stopped("frame %u: captured length %u is larger than 256 KiB (%s); kept the %u frames before it",
		    n + 1, caplen, msg, n);
	if (too_big(msg, &caplen, &limit))
		return stopped("frame %u: captured length %u is larger than the snapshot length %u of its interface (%s); kept the %u frames before it",
		    n + 1, caplen, limit, msg, n);
	return stopped("frame %u: %s; kept the %u frames before it", n + 1, msg, n);
}

/* ------------------------------------------------------------------ loading on threads */

/*
 * tq_capture_open_file_async() on a large pcap file: pass 1 (with its
 * reader) runs on a thread of its own, and a second libpcap reader, the
 * scout, reads the file itself (not the mapping) on another thread, to note
 * each frame's flow.  The scout is done long before pass 1 is; from then
 * on each frame knows which frame pass 1 must have passed before the frame
 * can be dissected again in pass 2: the last frame of every flow seen up to
 * it, and the last "barrier" after it if there is one (a frame that is not
 * TCP or UDP over unfragmented IP, which may touch any state).  So pass 2
 * can follow pass 1 closely on other threads (tq_capture_wait_frames),
 * reading only state that pass 1 will not change again; the conversation
 * and per-frame tables, which pass 1 grows meanwhile, publish each entry
 * with a release store, so pass 2 reads them without a lock (conv.c).  When
 * the scout stops early (a damaged record), pass 2 waits for the end of
 * pass 1.
 */
#define ASYNC_MIN       (8u << 20)   /* smaller files load on the caller's thread */
#define PUBLISH_EVERY   256          /* frames between two reports of pass 1 */

struct tq_loader {
	pthread_t scout, pass;
	int scout_started;
	pthread_mutex_t mu;
	pthread_cond_t cv;           /* broadcast on progress */
	char *path;
	pcap_t *p;                   /* pass 1's reader */
	FILE *fp;
	struct memfile *mf;          /* fp's */
	size_t caller_dropped;       /* pages tq_capture_release() gave back below this */
	/* under mu */
	int scout_done, scout_clean; /* clean: read to the end, as pass 1 will */
	uint32_t *ready;             /* per frame: the frame pass 1 must have passed; NULL: the end */
	uint32_t npass;              /* frames through pass 1 */
	int pass_done;
	uint32_t pass_count;
	char *pass_warning;
	int pass_rc;
};

/* Pass 1's side of reading: each record indexed and through pass 1 at once. */
struct loading {
	struct tq_capture *cap;
	struct tq_loader *ld;        /* NULL: on the caller's thread */
	struct tq_arena scratch;
	struct pager pg;
	int paged;
	size_t told;
	uint32_t n;                  /* frames indexed */
};

static int
emit_frame(struct loading *lo, const struct rec *r)
{
	struct tq_capture *cap = lo->cap;
	if (add_frame(cap, lo->n, r) != 0)
		return TQ_ENOMEM;
	lo->n++;
	if (!lo->ld)
		cap->nframes = lo->n;    /* on threads, the count is the scout's until pass 1 ends */
	tq_pass1_frame(cap, lo->n, &lo->scratch);
	if (!lo->paged)
		release_below(cap, (size_t)r->off);
	else if (r->off >= lo->told + PAGER_STEP)
		pager_follow(&lo->pg, lo->told = (size_t)r->off);
	if (lo->ld && lo->n % PUBLISH_EVERY == 0) {
		pthread_mutex_lock(&lo->ld->mu);
		lo->ld->npass = lo->n;
		pthread_cond_broadcast(&lo->ld->cv);
		pthread_mutex_unlock(&lo->ld->mu);
	}
	return 0;
}

/*
 * libpcap's loop over the mapped file: each record checked, located in the
 * file, indexed and through pass 1, until the end or damage (*warning).
 * Returns 0, or TQ_ENOMEM.
 */
static int
read_loop(struct loading *lo, pcap_t *p, FILE *fp, const struct sections *sc, char **warning)
{
	struct tq_capture *cap = lo->cap;
	int swapped = pcap_is_swapped(p), snaplen = pcap_snapshot(p), rc = 0;
	long pos = ftell(fp);        /* where the next record starts (pcap), or the last one ended */
	tq_arena_init(&lo->scratch, 0);
	lo->paged = pager_start(&lo->pg, cap);
	for (;;) {
		struct pcap_pkthdr *h;
		const u_char *data;
		long before = pos;
		int prc = pcap_next_ex(p, &h, &data);
		if (prc == PCAP_ERROR_BREAK)
			break;
		uint32_t n = lo->n;
		if (prc != 1) {
			*warning = record_error(pcap_geterr(p), n);
			break;
		}
		struct rec r = { .sec = h->ts.tv_sec, .frac = h->ts.tv_usec > 0 ? (uint64_t)h->ts.tv_usec : 0,
		    .caplen = h->caplen, .len = h->len };
		if (!cap->pcapng) {
			/* record header at `before`: its incl_len tells whether libpcap cut the record */
			if (before < 0 || (size_t)before + 16 > cap->size) {
				*warning = stopped("cannot locate a record in the file");
				break;
			}
			uint32_t incl = rd32(cap->base + before + 8, swapped);
			if (incl != h->caplen) {
				*warning = stopped("frame %u: captured length %u is larger than the snapshot length %d in the file header; kept the %u frames before it",
				    n + 1, incl, snaplen, n);
				break;
			}
			r.off = (uint64_t)before + 16;
			if (r.off + h->caplen > cap->size || memcmp(cap->base + r.off, data, h->caplen) != 0) {
				*warning = stopped("cannot locate a record in the file");
				break;
			}
			pos = (long)(r.off + h->caplen);  /* records follow each other */
		} else {
			if ((pos = ftell(fp)) < 0 || pcapng_locate(cap, (size_t)pos, data, h->caplen, &r.off, &r.iface) != 0) {
				*warning = stopped("frame %u: captured length is larger than the interface's snapshot length or the block is damaged; kept the %u frames before it",
				    n + 1, n);
				break;
			}
			r.iface = global_iface(cap, sc, r.off, r.iface);
		}
		if (h->caplen > TQ_MAX_CAPLEN) {
			*warning = stopped("frame %u: captured length %u is larger than 256 KiB; kept the %u frames before it",
			    n + 1, h->caplen, n);
			break;
		}
		if ((rc = emit_frame(lo, &r)) != 0)
			break;
	}
	if (lo->paged)
		pager_stop(&lo->pg);
	tq_arena_free(&lo->scratch);
	return rc;
}

/* Once the scout has every frame's flow: the frame pass 1 must pass before each can be dissected. */
static void
settle(uint32_t *ready, uint32_t n, const struct flows *f)
{
	uint32_t upto = 0, barrier = f->last ? f->last[0] : 0;
	for (uint32_t i = 0; i < n; i++) {
		uint32_t l = f->last[ready[i]];
		if (l > upto)
			upto = l;
		ready[i] = i + 1 < barrier && barrier > upto ? barrier : upto;
	}
}

static void *
scout_main(void *arg)
{
	struct tq_capture *cap = arg;
	struct tq_loader *ld = cap->load;
	char ebuf[PCAP_ERRBUF_SIZE];
	struct flows flows = { 0 };
	uint32_t *ready = NULL, n = 0;
	size_t rcap = 0;
	int clean = 0;
	/* its own stream on the file, with a buffer large enough to read it in few calls */
	FILE *sfp = fopen(ld->path, "rbe");
	pcap_t *p = NULL;
	if (sfp) {
		setvbuf(sfp, NULL, _IOFBF, 1 << 20);
		p = pcap_fopen_offline_with_tstamp_precision(sfp, PCAP_TSTAMP_PRECISION_NANO, ebuf);
		if (!p)
			fclose(sfp);
	}
	if (p && pcap_datalink(p) == cap->linktype) {
		int swapped = pcap_is_swapped(p), snaplen = pcap_snapshot(p);
		uint64_t pos = 24;       /* pcap only: records follow the file header and each other */
		for (;;) {
			struct pcap_pkthdr *h;
			const u_char *data;
			int rc = pcap_next_ex(p, &h, &data);
			if (rc == PCAP_ERROR_BREAK) {
				clean = 1;
				break;
			}
			if (rc != 1 || h->caplen > TQ_MAX_CAPLEN || pos + 16 + h->caplen > cap->size)
				break;
			/* libpcap cuts a record longer than the snapshot length to it: pass 1's reader stops there */
			if (h->caplen == (bpf_u_int32)snaplen && rd32(cap->base + pos + 8, swapped) != h->caplen)
				break;
			pos += 16 + (uint64_t)h->caplen;
			if (n == rcap) {
				size_t ncap = rcap ? rcap * 2 : 4096;
				uint32_t *nr = realloc(ready, ncap * sizeof(*nr));
				if (!nr)
					break;
				ready = nr;
				rcap = ncap;
			}
			ready[n] = flows_note(&flows, flow_of(cap->linktype, data, h->caplen), n + 1);
			n++;
			if (flows.failed)
				break;
		}
	}
	if (p)
		pcap_close(p);
	if (clean && n)
		settle(ready, n, &flows);
	flows_free(&flows);
	pthread_mutex_lock(&ld->mu);
	ld->scout_done = 1;
	ld->scout_clean = clean;
	if (clean) {
		ld->ready = ready;
		cap->nframes = n;        /* pass 1 reads as many */
		ready = NULL;
	}
	pthread_cond_broadcast(&ld->cv);
	pthread_mutex_unlock(&ld->mu);
	free(ready);
	return NULL;
}

static void *
pass_main(void *arg)
{
	struct tq_capture *cap = arg;
	struct tq_loader *ld = cap->load;
	struct loading lo = { .cap = cap, .ld = ld };
	char *warning = NULL;
	int rc = read_loop(&lo, ld->p, ld->fp, NULL, &warning);
	pcap_close(ld->p);           /* closes fp too */
	ld->p = NULL;
	free(ld->mf);
	ld->mf = NULL;
	pthread_mutex_lock(&ld->mu);
	ld->npass = lo.n;
	ld->pass_count = lo.n;
	ld->pass_warning = warning;
	ld->pass_rc = rc;
	ld->pass_done = 1;
	pthread_cond_broadcast(&ld->cv);
	pthread_mutex_unlock(&ld->mu);
	return NULL;
}

/*
 * Whether to load on threads: a large mapped file, threads allowed, and pcap
 * only, since the scout counts record offsets, which pcapng blocks do not
 * allow without asking the stream each time.
 */
static int
want_async(const struct tq_capture *cap, const char *path)
{
	const char *min = getenv("TQ_ASYNC_MIN");     /* tests: the size from which to */
	size_t at = min ? (size_t)strtoull(min, NULL, 10) : ASYNC_MIN;
	return path && cap->mapped && !cap->pcapng && cap->size >= at && threads_allowed();
}

static void
loader_free(struct tq_loader *ld)
{
	if (ld->p)
		pcap_close(ld->p);
	free(ld->mf);
	free(ld->path);
	free(ld->ready);
	free(ld->pass_warning);
	pthread_mutex_destroy(&ld->mu);
	pthread_cond_destroy(&ld->cv);
	free(ld);
}

/*
 * Starts pass 1 and the scout on threads of their own; 1 when they run,
 * 0 when the capture must load on the caller's thread (libpcap's p and fp
 * are still the caller's then).
 */
static int
start_async(struct tq_capture *cap, const char *path, pcap_t *p, FILE *fp, struct memfile *mf)
{
	struct tq_loader *ld = calloc(1, sizeof(*ld));
	if (!ld)
		return 0;
	ld->path = strdup(path);
	/* room for every record the file can hold (16 bytes each at least): reserved, not used */
	size_t bound = cap->size / 16 + 1;
	void *fr = bound <= UINT32_MAX && bound <= SIZE_MAX / sizeof(struct tq_frame) ?
	    mmap(NULL, bound * sizeof(struct tq_frame), PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0) : MAP_FAILED;
	if (!ld->path || fr == MAP_FAILED) {
		if (fr != MAP_FAILED)
			munmap(fr, bound * sizeof(struct tq_frame));
		free(ld->path);
		free(ld);
		return 0;
	}
	pthread_mutex_init(&ld->mu, NULL);
	pthread_cond_init(&ld->cv, NULL);
	ld->mf = mf;
	ld->fp = fp;
	ld->p = p;
	cap->frames = fr;
	cap->cap_frames = (uint32_t)bound;
	cap->frames_mapped = 1;
	cap->load = ld;
	if (pthread_create(&ld->pass, NULL, pass_main, cap) != 0) {
		cap->load = NULL;
		munmap(fr, bound * sizeof(struct tq_frame));
		cap->frames = NULL;
		cap->cap_frames = 0;
		cap->frames_mapped = 0;
		ld->p = NULL;
		ld->mf = NULL;
		loader_free(ld);
		return 0;
	}
	ld->scout_started = pthread_create(&ld->scout, NULL, scout_main, cap) == 0;
	if (!ld->scout_started) {
		pthread_mutex_lock(&ld->mu);
		ld->scout_done = 1;      /* pass 2 then waits for the end of pass 1 */
		pthread_mutex_unlock(&ld->mu);
	}
	return 1;
}

int
tq_capture_wait_read(struct tq_capture *cap, char *err, size_t errlen)
{
	struct tq_loader *ld = cap->load;
	if (ld) {
		pthread_mutex_lock(&ld->mu);
		while (!ld->scout_done)
			pthread_cond_wait(&ld->cv, &ld->mu);
		int clean = ld->scout_clean;
		pthread_mutex_unlock(&ld->mu);
		if (!clean)
			tq_capture_wait_loaded(cap);     /* the count and the warning are pass 1's */
	}
	if (cap->load_rc) {
		seterr(err, errlen, "out of memory after %u frames", cap->nframes);
		return cap->load_rc;
	}
	/* a damaged first record leaves nothing to show: that is a failure, not a warning */
	if (cap->nframes == 0 && cap->warning) {
		seterr(err, errlen, "%s", cap->warning);
		return TQ_EBADREC;
	}
	return 0;
}

void
tq_capture_wait_frames(struct tq_capture *cap, uint32_t num)
{
	struct tq_loader *ld = cap->load;
	if (!ld)
		return;
	pthread_mutex_lock(&ld->mu);
	while (!ld->scout_done)
		pthread_cond_wait(&ld->cv, &ld->mu);
	uint32_t need = UINT32_MAX;
	if (ld->ready && num >= 1 && num <= cap->nframes)
		need = ld->ready[num - 1];
	while (!ld->pass_done && ld->npass < need)
		pthread_cond_wait(&ld->cv, &ld->mu);
	pthread_mutex_unlock(&ld->mu);
}

int
tq_capture_loading(struct tq_capture *cap)
{
	struct tq_loader *ld = cap->load;
	if (!ld)
		return 0;
	pthread_mutex_lock(&ld->mu);
	int loading = !ld->pass_done;
	pthread_mutex_unlock(&ld->mu);
	return loading;
}

void
tq_capture_wait_loaded(struct tq_capture *cap)
{
	struct tq_loader *ld = cap ? cap->load : NULL;
	if (!ld)
		return;
	pthread_join(ld->pass, NULL);
	if (ld->scout_started)
		pthread_join(ld->scout, NULL);
	/* pass 1's reading is the truth; the scout, when clean, counted as many */
	cap->nframes = ld->pass_count;
	if (!cap->warning) {
		cap->warning = ld->pass_warning;
		ld->pass_warning = NULL;
	}
	cap->load_rc = ld->pass_rc;
	cap->load = NULL;
	cap->dropped = 0;
	loader_free(ld);
}

void
tq_capture_release(struct tq_capture *cap, uint32_t num)
{
	if (!cap || !cap->mapped || num == 0 || num > cap->nframes)
		return;
	size_t off = (size_t)cap->frames[num - 1].off;
	struct tq_loader *ld = cap->load;
	if (ld) {
		/* pass 1 still runs, giving back pages behind itself; this caller,
		 * following it, gives back those it mapped again */
		size_t page = (size_t)sysconf(_SC_PAGESIZE), end = off & ~(page - 1);
		if (end >= ld->caller_dropped + RELEASE_STEP) {
			madvise(cap->base + ld->caller_dropped, end - ld->caller_dropped, MADV_DONTNEED);
			ld->caller_dropped = end;
		}
		return;
	}
	if (off < cap->dropped)
		cap->dropped = 0;                /* a new pass over the file */
	release_below(cap, off);
}

/* Opens libpcap on the mapped file and checks its link type; *mf is the stream's, freed after it. */
static int
open_pcap(struct tq_capture *cap, struct memfile **mfp, pcap_t **pp, FILE **fpp, char *err, size_t errlen)
{
	char ebuf[PCAP_ERRBUF_SIZE] = "";
	static const cookie_io_functions_t io = { memfile_read, NULL, memfile_seek, NULL };
	struct memfile *mf = malloc(sizeof(*mf));
	FILE *fp = NULL;
	if (mf) {
		*mf = (struct memfile){ cap->base, cap->size, 0 };
		fp = fopencookie(mf, "rb", io);
	}
	if (!fp) {
		free(mf);
		seterr(err, errlen, "cannot read the capture: %s", strerror(errno));
		return TQ_EIO;
	}
	/* libpcap reads record by record: let stdio refill its buffer rarely */
	setvbuf(fp, NULL, _IOFBF, 1 << 18);
	pcap_t *p = pcap_fopen_offline_with_tstamp_precision(fp, PCAP_TSTAMP_PRECISION_NANO, ebuf);
	if (!p) {
		fclose(fp);
		free(mf);
		if (strstr(ebuf, "truncated")) {
			seterr(err, errlen, "truncated file header: the file ends before its capture header does (%s)", ebuf);
			return TQ_ETRUNCHDR;
		}
		seterr(err, errlen, "not a capture file: %s", ebuf);
		return TQ_ENOTCAP;
	}
	cap->linktype = pcap_datalink(p);
	if (!supported_linktype(cap->linktype)) {
		const char *name = pcap_datalink_val_to_name(cap->linktype);
		seterr(err, errlen, "unknown link type %d%s%s%s: tracequiz reads Ethernet, Linux cooked (v1, v2), raw IP and BSD loopback captures",
		    cap->linktype, name ? " (" : "", name ? name : "", name ? ")" : "");
		pcap_close(p);
		free(mf);
		return TQ_ELINK;
	}
	*mfp = mf;
	*pp = p;
	*fpp = fp;
	return 0;
}

/* Reads every record and runs pass 1, on threads when async allows it (1 then), else at once. */
static int
read_records(struct tq_capture *cap, const char *path, int async, const struct sections *sc, int *started,
    char *err, size_t errlen)
{
	struct memfile *mf;
	pcap_t *p;
	FILE *fp;
	int rc = open_pcap(cap, &mf, &p, &fp, err, errlen);
	if (rc != 0)
		return rc;
	if (async && want_async(cap, path) && start_async(cap, path, p, fp, mf)) {
		*started = 1;
		return 0;
	}
	struct loading lo = { .cap = cap };
	char *warning = NULL;
	rc = read_loop(&lo, p, fp, sc, &warning);
	pcap_close(p);               /* closes fp too */
	free(mf);
	cap->warning = warning;
	cap->load_rc = rc;
	return 0;
}

/* Checks the magic number and header size before libpcap sees the file. */
static int
check_header(struct tq_capture *cap, char *err, size_t errlen)
{
	if (cap->size == 0) {
		seterr(err, errlen, "not a capture file: the file is empty");
		return TQ_ENOTCAP;
	}
	if (cap->size < 4) {
		seterr(err, errlen, "truncated file header: only %zu bytes", cap->size);
		return TQ_ETRUNCHDR;
	}
	uint32_t m = rd32(cap->base, 0);
	if (m == PCAP_MAGIC || m == __builtin_bswap32(PCAP_MAGIC) ||
	    m == PCAP_MAGIC_NS || m == __builtin_bswap32(PCAP_MAGIC_NS)) {
		cap->nsec_file = m == PCAP_MAGIC_NS || m == __builtin_bswap32(PCAP_MAGIC_NS);
		if (cap->size < 24) {
			seterr(err, errlen, "truncated file header: a pcap header is 24 bytes, the file has %zu", cap->size);
			return TQ_ETRUNCHDR;
		}
		return 0;
	}
	if (m == PCAPNG_SHB) {
		cap->pcapng = 1;
		if (cap->size < 28) {
			seterr(err, errlen, "truncated file header: a pcapng section header is at least 28 bytes, the file has %zu", cap->size);
			return TQ_ETRUNCHDR;
		}
		uint32_t bom = rd32(cap->base + 8, 0);
		int swap = bom == 0x4d3c2b1a;
		if (bom != 0x1a2b3c4d && !swap) {
			seterr(err, errlen, "not a capture file: pcapng section header with a bad byte-order magic");
			return TQ_ENOTCAP;
		}
		uint32_t blen = rd32(cap->base + 4, swap);
		if (blen > cap->size) {
			seterr(err, errlen, "truncated file header: the section header block is %u bytes, the file has %zu", blen, cap->size);
			return TQ_ETRUNCHDR;
		}
		return 0;
	}
	seterr(err, errlen, "not a capture file: no pcap or pcapng magic number at the start (found 0x%08x)",
	    __builtin_bswap32(m));
	return TQ_ENOTCAP;
}

static int
open_common(struct tq_capture *cap, const char *path, int async, struct tq_capture **out, char *err, size_t errlen)
{
	struct sections sc = { NULL, NULL, 0, 0 };
	int started = 0;
	int rc = check_header(cap, err, errlen);
	if (rc == 0 && cap->pcapng)
		rc = pcapng_scan_ifaces(cap, &sc, err, errlen);
	if (rc == 0)
		rc = read_records(cap, path, async, &sc, &started, err, errlen);
	sections_free(&sc);
	if (rc == 0 && !started)
		rc = tq_capture_wait_read(cap, err, errlen);
	if (rc != 0) {
		if (rc == TQ_ENOMEM && err && !err[0])
			seterr(err, errlen, "out of memory");
		tq_capture_free(cap);
		return rc;
	}
	if (!started)
		cap->dropped = 0;
	*out = cap;
	return 0;
}

static struct tq_capture *
cap_new(const struct tq_open_opts *opts)
{
	struct tq_capture *cap = calloc(1, sizeof(*cap));
	if (!cap)
		return NULL;
	tq_arena_init(&cap->state, 0);
	if (opts && opts->decode_as) {
		unsigned n = opts->ndecode_as < TQ_MAX_DECODE_AS ? opts->ndecode_as : TQ_MAX_DECODE_AS;
		for (unsigned i = 0; i < n; i++) {
			const struct tq_decode_as *r = &opts->decode_as[i];
			if (r->table < TQ_TAB_COUNT && tq_dissector_by_id(r->proto) && r->lo <= r->hi)
				cap->decode_as[cap->ndecode_as++] = *r;
		}
	}
	return cap;
}

int
tq_capture_open_file_opts(const char *path, const struct tq_open_opts *opts, struct tq_capture **out, char *err, size_t errlen)
{
	*out = NULL;
	if (err && errlen)
		err[0] = '\0';
	tq_init();
	int async = opts && opts->async;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		seterr(err, errlen, "cannot open %s: %s", path, strerror(errno));
		return TQ_EIO;
	}
	struct stat st;
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		seterr(err, errlen, "cannot read %s: not a regular file", path);
		close(fd);
		return TQ_EIO;
	}
	struct tq_capture *cap = cap_new(opts);
	if (!cap) {
		close(fd);
		seterr(err, errlen, "out of memory");
		return TQ_ENOMEM;
	}
	cap->size = (size_t)st.st_size;
	if (cap->size > 0) {
		void *m = mmap(NULL, cap->size, PROT_READ, MAP_PRIVATE, fd, 0);
		if (m == MAP_FAILED) {
			seterr(err, errlen, "cannot map %s: %s", path, strerror(errno));
			close(fd);
			free(cap);
			return TQ_EIO;
		}
		cap->base = m;
		cap->mapped = 1;
	}
	close(fd);
	return open_common(cap, path, async, out, err, errlen);
}

int
tq_capture_open_file(const char *path, struct tq_capture **out, char *err, size_t errlen)
{
	return tq_capture_open_file_opts(path, NULL, out, err, errlen);
}

int
tq_capture_open_file_async(const char *path, struct tq_capture **out, char *err, size_t errlen)
{
	struct tq_open_opts o = { .async = 1 };
	return tq_capture_open_file_opts(path, &o, out, err, errlen);
}

int
tq_capture_open_mem(const void *buf, size_t len, struct tq_capture **out, char *err, size_t errlen)
{
	return tq_capture_open_mem_opts(buf, len, NULL, out, err, errlen);
}

int
tq_capture_open_mem_opts(const void *buf, size_t len, const struct tq_open_opts *opts, struct tq_capture **out, char *err, size_t errlen)
{
	*out = NULL;
	if (err && errlen)
		err[0] = '\0';
	tq_init();
	struct tq_capture *cap = cap_new(opts);
	if (!cap) {
		seterr(err, errlen, "out of memory");
		return TQ_ENOMEM;
	}
	cap->size = len;
	cap->base = malloc(len ? len : 1);
	if (!cap->base) {
		free(cap);
		seterr(err, errlen, "out of memory");
		return TQ_ENOMEM;
	}
	if (len)
		memcpy(cap->base, buf, len);
	return open_common(cap, NULL, 0, out, err, errlen);
}

void
tq_capture_free(struct tq_capture *cap)
{
	if (!cap)
		return;
	tq_capture_wait_loaded(cap);
	if (cap->mapped)
		munmap(cap->base, cap->size);
	else
		free(cap->base);
	tq_conv_free_all(cap);
	if (cap->frames_mapped)
		munmap(cap->frames, (size_t)cap->cap_frames * sizeof(*cap->frames));
	else
		free(cap->frames);
	free(cap->ifaces);
	free(cap->warning);
	tq_arena_free(&cap->state);
	free(cap);
}

uint32_t
tq_capture_count(const struct tq_capture *cap)
{
	return cap ? cap->nframes : 0;
}

const char *
tq_capture_warning(const struct tq_capture *cap)
{
	return cap ? cap->warning : NULL;
}

int
tq_capture_linktype(const struct tq_capture *cap)
{
	return cap ? cap->linktype : -1;
}

/*
 * What the capture holds, from sizes kept as it grew: O(1).  A mapped file
 * is counted whole, as a copy is: its pages are the page cache's and given
 * back behind the reader, but they come back as frames are dissected, and a
 * cache should not weigh one capture two ways by how it was opened.  The
 * state arena is never reset, so its total is its blocks (their 32-byte
 * headers aside).  Not counted: conv.c's hash tables of conversations and
 * per-frame data, opaque here, at most 16 bytes a conversation and 64 a
 * datum, beside the conversations and data themselves, which the arena holds.
 */
size_t
tq_capture_memory(const struct tq_capture *cap)
{
	if (!cap)
		return 0;
	size_t n = sizeof(*cap) + cap->size + (size_t)cap->nifaces * sizeof(*cap->ifaces);
	struct tq_loader *ld = cap->load;
	if (ld) {
		/* loading on threads: the frames table is a reservation, of which
		 * pass 1 has written npass entries; its state is not to be read
		 * before it ends, nor the scout's count */
		pthread_mutex_lock(&ld->mu);
		uint32_t npass = ld->npass;
		int done = ld->pass_done;
		pthread_mutex_unlock(&ld->mu);
		n += (size_t)npass * sizeof(*cap->frames);
		if (!done)
			return n;
	} else {
		/* of a reserved table, only the pages written to are memory */
		uint32_t frames = cap->frames_mapped ? cap->nframes : cap->cap_frames;
		n += (size_t)frames * sizeof(*cap->frames);
	}
	n += cap->state.total;
	if (cap->warning)
		n += strlen(cap->warning) + 1;
	return n;
}

const uint8_t *
tq_capture_frame_bytes(const struct tq_capture *cap, uint32_t num, uint32_t *caplen)
{
	if (!cap || num == 0 || num > cap->nframes)
		return NULL;
	const struct tq_frame *fr = &cap->frames[num - 1];
	if (caplen)
		*caplen = fr->caplen;
	return cap->base + fr->off;
}
