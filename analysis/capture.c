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
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <pcap/pcap.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "internal.h"

void tq_pass1_frame(struct tq_capture *cap, uint32_t num, struct tq_arena *scratch);
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

/* Where each pcapng section starts, and the index in cap->ifaces of its first interface. */
struct sections {
	size_t *off;
	uint32_t *first;
	uint32_t n;
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
 */
static int
pcapng_scan_ifaces(struct tq_capture *cap, struct sections *sc)
{
	size_t off = 0;
	int swap = 0;
	uint32_t local = 0;

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
				return 0;
			/* a new section numbers its interfaces from 0 again */
			size_t *no = realloc(sc->off, (sc->n + 1) * sizeof(*no));
			if (!no)
				return TQ_ENOMEM;
			sc->off = no;
			uint32_t *nf = realloc(sc->first, (sc->n + 1) * sizeof(*nf));
			if (!nf)
				return TQ_ENOMEM;
			sc->first = nf;
			sc->off[sc->n] = off;
			sc->first[sc->n] = cap->nifaces;
			sc->n++;
			local = 0;
		} else {
			type = swap ? __builtin_bswap32(type) : type;
		}
		uint32_t blen = rd32(b + 4, swap);
		if (blen < 12 || blen % 4 || blen > cap->size - off)
			return 0;
		if (type == 1 && blen >= 20 && sc->n) {     /* Interface Description Block */
			struct tq_iface *ni = realloc(cap->ifaces, (cap->nifaces + 1) * sizeof(*ni));
			if (!ni)
				return TQ_ENOMEM;
			cap->ifaces = ni;
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
static void
release_below(struct tq_capture *cap, size_t off)
{
	const size_t step = 4u << 20;
	if (!cap->mapped || off < cap->dropped + step)
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

void
tq_capture_release(struct tq_capture *cap, uint32_t num)
{
	if (!cap || !cap->mapped || num == 0 || num > cap->nframes)
		return;
	size_t off = (size_t)cap->frames[num - 1].off;
	if (off < cap->dropped)
		cap->dropped = 0;                /* a new pass over the file */
	release_below(cap, off);
}

static int
add_frame(struct tq_capture *cap, const struct pcap_pkthdr *h, uint64_t off, uint32_t iface)
{
	if (cap->nframes == cap->cap_frames) {
		uint32_t n = cap->cap_frames ? cap->cap_frames * 2 : 1024;
		struct tq_frame *f = realloc(cap->frames, (size_t)n * sizeof(*f));
		if (!f)
			return TQ_ENOMEM;
		cap->frames = f;
		cap->cap_frames = n;
	}
	struct tq_frame *fr = &cap->frames[cap->nframes++];
	memset(fr, 0, sizeof(*fr));
	fr->off = off;
	/* nanoseconds (opened with nano precision); libpcap scales a pcap record's
	 * fraction without checking it is under a second, so carry the excess */
	uint64_t frac = h->ts.tv_usec > 0 ? (uint64_t)h->ts.tv_usec : 0;
	fr->sec = (int64_t)h->ts.tv_sec + (int64_t)(frac / 1000000000u);
	fr->nsec = (uint32_t)(frac % 1000000000u);
	fr->caplen = h->caplen;
	fr->len = h->len;
	fr->iface = iface;
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
#define PAGER_AHEAD     (8u << 20)
#define PAGER_BEHIND    (4u << 20)   /* pass 1 reaches back for reassembled PDUs */
#define PAGER_STEP      (1u << 20)   /* the reader reports every megabyte */
#define PAGER_DROP      (4u << 20)   /* pages given back at a time: each madvise() interrupts the reader */

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

/* Starts the helper for a large mapped file on more than one core; 0 when there is none. */
static int
pager_start(struct pager *pg, struct tq_capture *cap)
{
	memset(pg, 0, sizeof(*pg));
	const char *t = getenv("TQ_THREADS");
	if (!cap->mapped || cap->size < PAGER_MIN || sysconf(_SC_NPROCESSORS_ONLN) < 2 || (t && atoi(t) == 1))
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

static int
read_records(struct tq_capture *cap, const struct sections *sc, char *err, size_t errlen)
{
	char ebuf[PCAP_ERRBUF_SIZE] = "";
	struct memfile mf = { cap->base, cap->size, 0 };
	static const cookie_io_functions_t io = { memfile_read, NULL, memfile_seek, NULL };
	FILE *fp = fopencookie(&mf, "rb", io);
	if (!fp) {
		seterr(err, errlen, "cannot read the capture: %s", strerror(errno));
		return TQ_EIO;
	}
	/* libpcap reads record by record: let stdio refill its buffer rarely */
	setvbuf(fp, NULL, _IOFBF, 1 << 18);
	pcap_t *p = pcap_fopen_offline_with_tstamp_precision(fp, PCAP_TSTAMP_PRECISION_NANO, ebuf);
	if (!p) {
		fclose(fp);
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
		return TQ_ELINK;
	}
	int snaplen = pcap_snapshot(p);
	int swapped = pcap_is_swapped(p);
	/* pass 1 runs on each record as soon as libpcap returns it, while its bytes are in the cache */
	struct tq_arena scratch;
	tq_arena_init(&scratch, 0);
	struct pager pg;
	int paged = pager_start(&pg, cap);
	size_t told = 0;
	long pos = ftell(fp);        /* where the next record starts (pcap), or the last one ended */

	for (;;) {
		struct pcap_pkthdr *h;
		const u_char *data;
		long before = pos;
		if (before > 0 && !paged)
			release_below(cap, (size_t)before);
		else if (before > 0 && (size_t)before >= told + PAGER_STEP)
			pager_follow(&pg, told = (size_t)before);
		int rc = pcap_next_ex(p, &h, &data);
		if (rc == PCAP_ERROR_BREAK)
			break;
		if (rc != 1) {
			const char *msg = pcap_geterr(p);
			char w[512];
			unsigned caplen, limit;
			if (strstr(msg, "truncated"))
				snprintf(w, sizeof(w), "truncated last record: frame %u is cut short (%s); kept the %u frames before it",
				    cap->nframes + 1, msg, cap->nframes);
			else if (too_big(msg, &caplen, &limit) && limit >= TQ_MAX_CAPLEN)
				snprintf(w, sizeof(w), "frame %u: captured length %u is larger than 256 KiB (%s); kept the %u frames before it",
				    cap->nframes + 1, caplen, msg, cap->nframes);
			else if (too_big(msg, &caplen, &limit))
				snprintf(w, sizeof(w), "frame %u: captured length %u is larger than the snapshot length %u of its interface (%s); kept the %u frames before it",
				    cap->nframes + 1, caplen, limit, msg, cap->nframes);
			else
				snprintf(w, sizeof(w), "frame %u: %s; kept the %u frames before it", cap->nframes + 1, msg, cap->nframes);
			cap->warning = strdup(w);
			break;
		}
		uint64_t off;
		uint32_t iface = 0;
		if (!cap->pcapng) {
			/* record header at `before`: its incl_len tells whether libpcap cut the record */
			if (before < 0 || (size_t)before + 16 > cap->size) {
				cap->warning = strdup("cannot locate a record in the file");
				break;
			}
			uint32_t incl = rd32(cap->base + before + 8, swapped);
			if (incl != h->caplen) {
				char w[256];
				snprintf(w, sizeof(w), "frame %u: captured length %u is larger than the snapshot length %d in the file header; kept the %u frames before it",
				    cap->nframes + 1, incl, snaplen, cap->nframes);
				cap->warning = strdup(w);
				break;
			}
			off = (uint64_t)before + 16;
			if (off + h->caplen > cap->size || memcmp(cap->base + off, data, h->caplen) != 0) {
				cap->warning = strdup("cannot locate a record in the file");
				break;
			}
			pos = (long)(off + h->caplen);   /* records follow each other */
		} else if ((pos = ftell(fp)) < 0 || pcapng_locate(cap, (size_t)pos, data, h->caplen, &off, &iface) != 0) {
			char w[256];
			snprintf(w, sizeof(w), "frame %u: captured length is larger than the interface's snapshot length or the block is damaged; kept the %u frames before it",
			    cap->nframes + 1, cap->nframes);
			cap->warning = strdup(w);
			break;
		}
		if (cap->pcapng)
			iface = global_iface(cap, sc, off, iface);
		if (h->caplen > TQ_MAX_CAPLEN) {
			char w[256];
			snprintf(w, sizeof(w), "frame %u: captured length %u is larger than 256 KiB; kept the %u frames before it",
			    cap->nframes + 1, h->caplen, cap->nframes);
			cap->warning = strdup(w);
			break;
		}
		if (add_frame(cap, h, off, iface) != 0) {
			tq_arena_free(&scratch);
			if (paged)
				pager_stop(&pg);
			pcap_close(p);
			seterr(err, errlen, "out of memory after %u frames", cap->nframes);
			return TQ_ENOMEM;
		}
		tq_pass1_frame(cap, cap->nframes, &scratch);
	}
	tq_arena_free(&scratch);
	if (paged)
		pager_stop(&pg);
	pcap_close(p);      /* closes fp too */
	/* a damaged first record leaves nothing to show: that is a failure, not a warning */
	if (cap->nframes == 0 && cap->warning) {
		seterr(err, errlen, "%s", cap->warning);
		return TQ_EBADREC;
	}
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
open_common(struct tq_capture *cap, struct tq_capture **out, char *err, size_t errlen)
{
	struct sections sc = { NULL, NULL, 0 };
	int rc = check_header(cap, err, errlen);
	if (rc == 0 && cap->pcapng)
		rc = pcapng_scan_ifaces(cap, &sc);
	if (rc == 0)
		rc = read_records(cap, &sc, err, errlen);
	sections_free(&sc);
	if (rc != 0) {
		if (rc == TQ_ENOMEM && err && !err[0])
			seterr(err, errlen, "out of memory");
		tq_capture_free(cap);
		return rc;
	}
	cap->dropped = 0;
	*out = cap;
	return 0;
}

static struct tq_capture *
cap_new(void)
{
	struct tq_capture *cap = calloc(1, sizeof(*cap));
	if (cap)
		tq_arena_init(&cap->state, 0);
	return cap;
}

int
tq_capture_open_file(const char *path, struct tq_capture **out, char *err, size_t errlen)
{
	*out = NULL;
	if (err && errlen)
		err[0] = '\0';
	tq_init();
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
	struct tq_capture *cap = cap_new();
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
	return open_common(cap, out, err, errlen);
}

int
tq_capture_open_mem(const void *buf, size_t len, struct tq_capture **out, char *err, size_t errlen)
{
	*out = NULL;
	if (err && errlen)
		err[0] = '\0';
	tq_init();
	struct tq_capture *cap = cap_new();
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
	return open_common(cap, out, err, errlen);
}

void
tq_capture_free(struct tq_capture *cap)
{
	if (!cap)
		return;
	if (cap->mapped)
		munmap(cap->base, cap->size);
	else
		free(cap->base);
	tq_conv_free_all(cap);
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
