/*
 * inflate.c - compressed HTTP bodies (Content-Encoding gzip and deflate),
 * decompressed with the answer Wireshark gives.
 *
 * Wireshark's tvb_uncompress does not ask zlib to recognise gzip: it first
 * inflates the bytes as a zlib stream; when that fails at once on a gzip
 * magic, it skips the gzip header by hand (the extra field, the file name and
 * the comment, not a header CRC) and tries again, first as zlib, then as raw
 * deflate; any other failure before the first output retries as raw deflate.
 * So a gzip trailer is never checked (a wrong CRC-32 or length still
 * decompresses) and a header with a CRC never decompresses.  Output comes in
 * passes of a fixed size (twice the input, from 32 KiB to 10 MiB): an error
 * in the first pass fails, an error later keeps the passes before it, and a
 * stream cut short keeps what came out.  tq_uncompress follows these steps
 * exactly, with zlib.
 *
 * libdeflate, which inflates a whole buffer at once, was tried first and
 * measured: the HTTP benchmark's packet list took 0.51 s instead of 0.66 s.
 * But it takes streams zlib refuses (length symbols 286 and 287, distance
 * symbols 30 and 31), so a corrupt body would decompress here and fail in
 * Wireshark; the fuzzer found one in seconds.  zlib stays, alone.
 */
#include "config.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <zlib.h>

#include "internal.h"

#define PASS_MIN   (32u << 10)       /* Wireshark's pass size: TVB_Z_MIN_BUFSIZ */
#define PASS_MAX   (10u << 20)       /* and TVB_Z_MAX_BUFSIZ */
#define OUT_LIMIT  (64u << 20)       /* ours: what one body may inflate to */

/* Where the output goes: its first `keep` bytes are kept, the rest only counted. */
struct sink {
	uint8_t *buf;
	size_t cap;
	size_t keep;
};

/*
 * Skips a gzip header as Wireshark does (10 bytes, then the extra field, the
 * file name and the comment when their flags say so); the offset of what
 * follows, or -1 when the header does not fit or the method is not deflate.
 */
static long
gzip_skip(const uint8_t *p, size_t n)
{
	if (n < 10 || p[2] != Z_DEFLATED)
		return -1;
	uint8_t flags = p[3];
	size_t c = 10;
	if (flags & 0x04) {                 /* FEXTRA: a little-endian length, read byte by byte */
		size_t x = 0;
		if (c < n)
			x = p[c++];
		if (c < n)
			x |= (size_t)p[c++] << 8;
		c += x;
	}
	for (uint8_t f = 0x08; f <= 0x10; f <<= 1) {   /* FNAME, FCOMMENT: up to a NUL */
		if (!(flags & f))
			continue;
		while (c < n && p[c])
			c++;
		c++;
	}
	return c > n ? -1 : (long)c;
}

/* Room for `want` more bytes of output, or NULL (then they are dropped into scratch). */
static uint8_t *
room(struct sink *s, size_t at, size_t want, size_t *got)
{
	if (at >= s->keep) {
		*got = 0;
		return NULL;
	}
	if (want > s->keep - at)
		want = s->keep - at;
	if (at + want > s->cap) {
		size_t ncap = s->cap ? s->cap : 64u << 10;
		while (ncap < at + want)
			ncap *= 2;
		uint8_t *nb = realloc(s->buf, ncap);
		if (!nb) {
			*got = 0;
			return NULL;
		}
		s->buf = nb;
		s->cap = ncap;
	}
	*got = want;
	return s->buf + at;
}

/*
 * One pass of Wireshark's loop: inflate into `pass` bytes of output, given in
 * pieces so that a body whose output is not kept needs no buffer of that
 * size.  Returns zlib's answer for the pass as one call would give it, and
 * the bytes it made in *made.
 */
static int
one_pass(z_stream *z, struct sink *s, size_t total, size_t pass, size_t *made)
{
	static __thread uint8_t scratch[64u << 10];
	size_t done = 0;
	int rc;
	for (;;) {
		size_t want = pass - done, got;
		uint8_t *to = room(s, total + done, want, &got);
		if (!to) {
			to = scratch;
			got = want < sizeof(scratch) ? want : sizeof(scratch);
		}
		z->next_out = to;
		z->avail_out = (uInt)got;
		uInt in_before = z->avail_in;
		/* Z_FINISH: zlib keeps no window for a stream that ends in this
		 * call, which saves a copy of its last 32 KiB.  It says Z_BUF_ERROR
		 * for every call that does not end it; Wireshark's Z_SYNC_FLUSH said
		 * Z_OK for one that made progress. */
		rc = inflate(z, Z_FINISH);
		size_t n = got - z->avail_out;
		if (rc == Z_BUF_ERROR && (n > 0 || z->avail_in != in_before))
			rc = Z_OK;
		done += n;
		if (rc != Z_OK || done == pass)
			break;
		if (z->avail_out != 0) {
			/* the input ran out: one call would have stopped here too */
			break;
		}
	}
	/* one call for the whole pass would have made progress in an earlier piece */
	if (rc == Z_BUF_ERROR && done > 0)
		rc = Z_OK;
	*made = done;
	return rc;
}

/* Wireshark's loop with zlib; the output's length, or -1 when it failed. */
static int64_t
ws_inflate(const uint8_t *p, size_t n, struct sink *s)
{
	size_t pass = n * 2 < PASS_MIN ? PASS_MIN : n * 2 > PASS_MAX ? PASS_MAX : n * 2;
	int wbits = MAX_WBITS, inits = 1;
	unsigned passes = 0;
	size_t total = 0;
	const uint8_t *next = p;
	size_t avail = n;
	z_stream z;
	memset(&z, 0, sizeof(z));
	if (inflateInit2(&z, wbits) != Z_OK)
		return -1;
	z.next_in = (Bytef *)(uintptr_t)next;
	z.avail_in = (uInt)avail;
	for (;;) {
		size_t made = 0;
		int rc = one_pass(&z, s, total, pass, &made);
		int restart = 0;
		if (rc == Z_OK || rc == Z_STREAM_END) {
			passes++;
			total += made;
			if (rc == Z_STREAM_END || total >= OUT_LIMIT)
				break;
		} else if (rc == Z_BUF_ERROR) {
			break;
		} else if (rc == Z_DATA_ERROR && inits == 1 && passes == 0 && n >= 2 && p[0] == 0x1f && p[1] == 0x8b) {
			long at = gzip_skip(p, n);
			if (at < 0)
				break;
			next = p + at;
			avail = n - (size_t)at;
			restart = 1;
		} else if (rc == Z_DATA_ERROR && passes == 0 && inits <= 3) {
			wbits = -MAX_WBITS;
			restart = 1;
		} else {
			break;
		}
		if (restart) {
			inflateEnd(&z);
			memset(&z, 0, sizeof(z));
			if (inflateInit2(&z, wbits) != Z_OK) {
				passes = 0;
				break;
			}
			z.next_in = (Bytef *)(uintptr_t)next;
			z.avail_in = (uInt)avail;
			inits++;
		}
	}
	inflateEnd(&z);
	return passes ? (int64_t)total : -1;
}

/*
 * The same body comes many times in one capture: a site's pages, style sheets
 * and scripts, fetched by every client, and nginx compresses a file the same
 * way each time.  Inflating is most of the work of an HTTP packet list, so
 * each thread remembers its answers, keyed on the compressed bytes themselves
 * (compared whole: a hit gives exactly what inflating would) and on `keep`:
 * MEMO_SLOTS entries, each of at most MEMO_ENTRY bytes (input and kept
 * output), MEMO_BUDGET bytes in all.
 */
#define MEMO_SLOTS  256
#define MEMO_ENTRY  (256u << 10)
#define MEMO_BUDGET (4u << 20)

struct memo_entry {
	uint8_t *bytes;              /* the input, then the kept output; NULL: empty */
	uint32_t n, keep;
	int64_t total;               /* ws_inflate's answer */
	uint32_t kept;
};

struct memo {
	size_t bytes;                /* held by all entries */
	struct memo_entry e[MEMO_SLOTS];
};

static pthread_key_t memo_key;
static pthread_once_t memo_once = PTHREAD_ONCE_INIT;
static int memo_ok;

static void
memo_free(void *arg)
{
	struct memo *m = arg;
	for (unsigned i = 0; i < MEMO_SLOTS; i++)
		free(m->e[i].bytes);
	free(m);
}

static void
memo_init(void)
{
	memo_ok = pthread_key_create(&memo_key, memo_free) == 0;
}

/* This thread's entries, or NULL when there are none to be had. */
static struct memo *
memo_get(void)
{
	pthread_once(&memo_once, memo_init);
	if (!memo_ok)
		return NULL;
	struct memo *m = pthread_getspecific(memo_key);
	if (!m && (m = calloc(1, sizeof(*m))) != NULL && pthread_setspecific(memo_key, m) != 0) {
		free(m);
		m = NULL;
	}
	return m;
}

/* The slot for an input: from its length and its first and last bytes. */
static struct memo_entry *
memo_slot(struct memo *m, const uint8_t *p, uint32_t n, uint32_t keep)
{
	uint64_t h = (uint64_t)n * 0x9e3779b97f4a7c15u ^ keep, w = 0;
	size_t k = n < 8 ? n : 8;
	memcpy(&w, p, k);
	h = (h ^ w) * 0xff51afd7ed558ccdu;
	w = 0;
	memcpy(&w, p + n - k, k);
	h = (h ^ w) * 0xc4ceb9fe1a85ec53u;
	return &m->e[(h >> 32) % MEMO_SLOTS];
}

static void
memo_store(struct memo *m, struct memo_entry *e, const uint8_t *p, uint32_t n, uint32_t keep, int64_t total,
    const uint8_t *out, uint32_t kept)
{
	size_t size = (size_t)n + kept, old = e->bytes ? (size_t)e->n + e->kept : 0;
	if (size > MEMO_ENTRY || m->bytes - old + size > MEMO_BUDGET)
		return;
	uint8_t *b = malloc(size);
	if (!b)
		return;
	memcpy(b, p, n);
	if (kept)
		memcpy(b + n, out, kept);
	free(e->bytes);
	m->bytes = m->bytes - old + size;
	*e = (struct memo_entry){ .bytes = b, .n = n, .keep = keep, .total = total, .kept = kept };
}

uint8_t *
tq_uncompress(struct tq_arena *a, const uint8_t *p, uint32_t n, uint32_t keep, uint32_t *outlen,
    uint32_t *keptlen)
{
	if (n == 0)
		return NULL;
	struct memo *m = n <= MEMO_ENTRY ? memo_get() : NULL;
	struct memo_entry *e = m ? memo_slot(m, p, n, keep) : NULL;
	struct sink s = { .keep = keep ? keep : OUT_LIMIT };
	int64_t total;
	size_t kept;
	const uint8_t *out;
	int hit = e && e->bytes && e->n == n && e->keep == keep && !memcmp(e->bytes, p, n);
	if (hit) {
		total = e->total;
		kept = e->kept;
		out = e->bytes + n;
	} else {
		total = ws_inflate(p, n, &s);
		kept = total < 0 ? 0 : (size_t)total < s.keep ? (size_t)total : s.keep;
		out = s.buf;
		if (e)
			memo_store(m, e, p, n, keep, total, out, (uint32_t)kept);
	}
	uint8_t *r = total < 0 ? NULL : tq_arena_alloc_raw(a, kept ? kept : 1);
	if (r && kept)
		memcpy(r, out, kept);
	free(s.buf);
	if (!r)
		return NULL;
	*outlen = (uint32_t)total;
	*keptlen = (uint32_t)kept;
	return r;
}
