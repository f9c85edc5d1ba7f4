/* util.c - growable buffers, arenas, address and time formatting. */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "internal.h"


/* ------------------------------------------------------------------ files */

char *
tq_read_file(const char *path, size_t max, size_t *len)
{
	FILE *fp = fopen(path, "rb");
	if (!fp)
		return NULL;
	char *buf = NULL;
	size_t n = 0, cap = 0;
	int e = 0;
	for (;;) {
		if (cap - n < 65536 + 1) {
			size_t ncap = cap ? cap * 2 : 65536 * 2;
			char *nb = realloc(buf, ncap);
			if (!nb) {
				e = ENOMEM;
				break;
			}
			buf = nb;
			cap = ncap;
		}
		size_t k = fread(buf + n, 1, 65536, fp);
		n += k;
		if (n > max) {
			e = EFBIG;
			break;
		}
		if (k < 65536) {
			if (ferror(fp))
				e = EIO;
			break;
		}
	}
	fclose(fp);
	if (e) {
		free(buf);
		errno = e;
		return NULL;
	}
	buf[n] = '\0';
	*len = n;
	return buf;
}

/* ------------------------------------------------------------------ formatting */

/*
 * A vsnprintf for the conversions labels use (%d %i %u %x %X %c %s %%, with
 * flags '0' and '-', a width, a precision for %s, and the h, l, ll, z
 * lengths), several times faster than the C library's.  Returns the length
 * the whole result needs, or -1 for anything else, which the callers then
 * hand to vsnprintf.
 */
static int
fast_vformat(char *buf, size_t cap, const char *fmt, va_list ap)
{
	size_t n = 0;
#define PUTC(ch) do { if (n + 1 < cap) buf[n] = (ch); n++; } while (0)
	for (const char *p = fmt; *p; p++) {
		if (*p != '%') {
			PUTC(*p);
			continue;
		}
		p++;
		int zero = 0, left = 0, width = 0, prec = -1, lng = 0;
		for (;; p++) {
			if (*p == '0')
				zero = 1;
			else if (*p == '-')
				left = 1;
			else
				break;
		}
		if (*p == '*') {
			width = va_arg(ap, int);
			p++;
		} else {
			while (*p >= '0' && *p <= '9')
				width = width * 10 + (*p++ - '0');
		}
		if (*p == '.') {
			p++;
			prec = 0;
			if (*p == '*') {
				prec = va_arg(ap, int);
				p++;
			} else {
				while (*p >= '0' && *p <= '9')
					prec = prec * 10 + (*p++ - '0');
			}
		}
		while (*p == 'h')
			p++;
		while (*p == 'l') {
			lng++;
			p++;
		}
		if (*p == 'z') {
			lng = 2;
			p++;
		}
		char tmp[32];
		const char *str = tmp;
		size_t len = 0;
		int neg = 0;
		switch (*p) {
		case '%':
			PUTC('%');
			continue;
		case 'c':
			tmp[0] = (char)va_arg(ap, int);
			len = 1;
			break;
		case 's':
			str = va_arg(ap, const char *);
			if (!str)
				str = "(null)";
			if (prec >= 0) {
				const char *z = memchr(str, '\0', (size_t)prec);
				len = z ? (size_t)(z - str) : (size_t)prec;
			} else {
				len = strlen(str);
			}
			break;
		case 'd':
		case 'i':
		case 'u':
		case 'x':
		case 'X': {
			uint64_t v;
			if (*p == 'd' || *p == 'i') {
				int64_t sv = lng >= 2 ? va_arg(ap, long long) : lng == 1 ? va_arg(ap, long) : va_arg(ap, int);
				neg = sv < 0;
				v = neg ? (uint64_t)0 - (uint64_t)sv : (uint64_t)sv;
			} else {
				v = lng >= 2 ? va_arg(ap, unsigned long long) : lng == 1 ? va_arg(ap, unsigned long) : va_arg(ap, unsigned int);
			}
			const char *digits = *p == 'X' ? "0123456789ABCDEF" : "0123456789abcdef";
			unsigned base = (*p == 'x' || *p == 'X') ? 16 : 10;
			char *e = tmp + sizeof(tmp), *d = e;
			do {
				*--d = digits[v % base];
				v /= base;
			} while (v);
			str = d;
			len = (size_t)(e - d);
			if (prec >= 0)
				return -1;
			break;
		}
		default:
			return -1;
		}
		size_t total = len + (size_t)neg;
		size_t pad = width > 0 && (size_t)width > total ? (size_t)width - total : 0;
		if (*p == 's' || *p == 'c')
			zero = 0;
		if (!left && !zero)
			while (pad--)
				PUTC(' ');
		if (neg)
			PUTC('-');
		if (!left && zero)
			while (pad--)
				PUTC('0');
		for (size_t i = 0; i < len; i++)
			PUTC(str[i]);
		if (left)
			while (pad--)
				PUTC(' ');
	}
	if (cap)
		buf[n < cap ? n : cap - 1] = '\0';
#undef PUTC
	return n > INT32_MAX ? -1 : (int)n;
}

int
tq_vformat(char *buf, size_t cap, const char *fmt, va_list ap)
{
	va_list ap2;
	va_copy(ap2, ap);
	int n = fast_vformat(buf, cap, fmt, ap2);
	va_end(ap2);
	if (n < 0)
		n = vsnprintf(buf, cap, fmt, ap);
	return n;
}

/* ------------------------------------------------------------------ sbuf */

void
tq_sbuf_init(struct tq_sbuf *b, size_t max)
{
	memset(b, 0, sizeof(*b));
	b->max = max;
}

void
tq_sbuf_free(struct tq_sbuf *b)
{
	if (!b)
		return;
	free(b->s);
	b->s = NULL;
	b->len = b->cap = 0;
}

void
tq_sbuf_reset(struct tq_sbuf *b)
{
	b->len = 0;
	b->err = 0;
	if (b->s)
		b->s[0] = '\0';
}

int
tq_sbuf_grow(struct tq_sbuf *b, size_t n)
{
	if (b->err)
		return 0;
	if (b->len + n + 1 <= b->cap)
		return 1;
	if (b->max && b->len + n > b->max) {
		b->err = TQ_ETOOBIG;
		return 0;
	}
	size_t cap = b->cap ? b->cap : 256;
	while (cap < b->len + n + 1) {
		if (cap > SIZE_MAX / 2) {
			b->err = TQ_ENOMEM;
			return 0;
		}
		cap *= 2;
	}
	char *s = realloc(b->s, cap);
	if (!s) {
		b->err = TQ_ENOMEM;
		return 0;
	}
	b->s = s;
	b->cap = cap;
	return 1;
}

char *
tq_sbuf_reserve(struct tq_sbuf *b, size_t n)
{
	if (!tq_sbuf_grow(b, n))
		return NULL;
	return b->s + b->len;
}

void
tq_sbuf_commit(struct tq_sbuf *b, size_t n)
{
	b->len += n;
	b->s[b->len] = '\0';
}

const char tq_digit_pairs[201] =
    "00010203040506070809101112131415161718192021222324252627282930313233343536373839"
    "40414243444546474849505152535455565758596061626364656667686970717273747576777879"
    "8081828384858687888990919293949596979899";

/* Decimal digits of v, written backwards from end; returns the first. */
static char *
u64_digits(char *end, uint64_t v)
{
	while (v >= 0x100000000ULL) {      /* 64-bit division only while it is needed */
		*--end = (char)('0' + v % 10);
		v /= 10;
	}
	uint32_t w = (uint32_t)v;
	while (w >= 100) {
		uint32_t r = w % 100;
		w /= 100;
		end -= 2;
		end[0] = tq_digit_pairs[2 * r];
		end[1] = tq_digit_pairs[2 * r + 1];
	}
	if (w >= 10) {
		end -= 2;
		end[0] = tq_digit_pairs[2 * w];
		end[1] = tq_digit_pairs[2 * w + 1];
	} else {
		*--end = (char)('0' + w);
	}
	return end;
}

void
tq_sbuf_put_u64(struct tq_sbuf *b, uint64_t v)
{
	char tmp[24];
	char *d = u64_digits(tmp + sizeof(tmp), v);
	tq_sbuf_put(b, d, (size_t)(tmp + sizeof(tmp) - d));
}

void
tq_sbuf_put_i64(struct tq_sbuf *b, int64_t v)
{
	if (v < 0) {
		tq_sbuf_putc(b, '-');
		tq_sbuf_put_u64(b, (uint64_t)0 - (uint64_t)v);
	} else {
		tq_sbuf_put_u64(b, (uint64_t)v);
	}
}

void
tq_sbuf_put_hex(struct tq_sbuf *b, uint64_t v, unsigned width, int prefix)
{
	static const char hx[] = "0123456789abcdef";
	char tmp[24];
	char *end = tmp + sizeof(tmp), *d = end;
	unsigned n = 0;
	do {
		*--d = hx[v & 15];
		v >>= 4;
		n++;
	} while (v && n < 16);
	while (n < width && n < 16) {
		*--d = '0';
		n++;
	}
	if (prefix) {
		*--d = 'x';
		*--d = '0';
	}
	tq_sbuf_put(b, d, (size_t)(end - d));
}

void
tq_sbuf_printf(struct tq_sbuf *b, const char *fmt, ...)
{
	va_list ap;
	char tmp[256];

	va_start(ap, fmt);
	int n = tq_vformat(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n < sizeof(tmp)) {
		tq_sbuf_put(b, tmp, (size_t)n);
		return;
	}
	if (!tq_sbuf_grow(b, (size_t)n))
		return;
	va_start(ap, fmt);
	tq_vformat(b->s + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

const char *
tq_sbuf_str(struct tq_sbuf *b)
{
	if (!b->s)
		return "";
	return b->s;
}

/* ------------------------------------------------------------------ arena */

struct tq_arena_blk {
	struct tq_arena_blk *next;
	size_t size, used;
	max_align_t data[];
};

#define ARENA_BLK 16384
#define ARENA_SPARE_MAX (1u << 20)

/*
 * A capture's state grows to tens of MiB in blocks that are never given back
 * before the end.  Past ARENA_HUGE_AFTER an arena takes blocks of 2 MiB,
 * aligned so that the kernel can back each with one huge page: a page fault
 * per 2 MiB instead of one per 4 KiB (on the HTTP benchmark the faults were
 * a twentieth of the packet list's time).
 */
#define ARENA_HUGE_AFTER (8u << 20)
#define ARENA_HUGE (2u << 20)

static struct tq_arena_blk *
huge_block(void)
{
	void *p = NULL;
	if (posix_memalign(&p, ARENA_HUGE, ARENA_HUGE) != 0)
		return NULL;
#ifdef MADV_HUGEPAGE
	madvise(p, ARENA_HUGE, MADV_HUGEPAGE);   /* a hint: small pages do too */
#endif
	return p;
}

void
tq_arena_init(struct tq_arena *a, size_t max)
{
	memset(a, 0, sizeof(*a));
	a->max = max;
}

void *
tq_arena_alloc(struct tq_arena *a, size_t n)
{
	void *p = tq_arena_alloc_raw(a, n);
	if (p)
		memset(p, 0, n);
	return p;
}

void *
tq_arena_alloc_raw(struct tq_arena *a, size_t n)
{
	/* 8 is enough for everything the library keeps in arenas */
	const size_t align = 8;

	n = (n + align - 1) & ~(align - 1);
	if (n == 0)
		n = align;
	struct tq_arena_blk *b = a->head;
	if (!b || b->size - b->used < n) {
		size_t size = n > ARENA_BLK ? n : ARENA_BLK;
		if (a->spare && a->spare->size >= size) {
			b = a->spare;            /* a reassembled PDU as large as the last frame's */
			a->spare = NULL;
			size = b->size;
		} else {
			b = NULL;
		}
		if (a->max && a->total + size > a->max) {
			if (b)
				a->spare = b;
			return NULL;
		}
		if (!b && a->total >= ARENA_HUGE_AFTER && sizeof(*b) + n <= ARENA_HUGE &&
		    (!a->max || a->total + ARENA_HUGE <= a->max) && (b = huge_block()) != NULL)
			size = ARENA_HUGE - sizeof(*b);
		if (!b)
			b = malloc(sizeof(*b) + size);
		if (!b)
			return NULL;
		b->size = size;
		b->used = 0;
		b->next = a->head;
		a->head = b;
		a->total += size;
	}
	void *p = (char *)b->data + b->used;
	b->used += n;
	a->used += n;
	return p;
}

char *
tq_arena_strdup(struct tq_arena *a, const char *s, size_t n)
{
	char *d = tq_arena_alloc_raw(a, n + 1);
	if (!d)
		return NULL;
	memcpy(d, s, n);
	d[n] = '\0';
	return d;
}

/* The length of the well-formed UTF-8 character at p (Unicode's table 3-7),
 * or of the maximal part of one that starts well (0 when p[0] cannot start
 * one); *ok is set only for a whole character. */
static size_t
utf8_char(const uint8_t *p, size_t n, int *ok)
{
	uint8_t c = p[0];
	size_t need;
	uint8_t lo = 0x80, hi = 0xbf;       /* the second byte's range */
	*ok = 0;
	if (c < 0x80) {
		*ok = 1;
		return 1;
	} else if (c >= 0xc2 && c <= 0xdf) {
		need = 1;
	} else if (c >= 0xe0 && c <= 0xef) {
		need = 2;
		if (c == 0xe0)
			lo = 0xa0;
		else if (c == 0xed)
			hi = 0x9f;
	} else if (c >= 0xf0 && c <= 0xf4) {
		need = 3;
		if (c == 0xf0)
			lo = 0x90;
		else if (c == 0xf4)
			hi = 0x8f;
	} else {
		return 0;
	}
	size_t k = 1;
	for (; k <= need && k < n; k++) {
		uint8_t b = p[k];
		if (k == 1 ? (b < lo || b > hi) : (b & 0xc0) != 0x80)
			return k;
	}
	*ok = k == need + 1;
	return k;
}

char *
tq_ascii_string(struct tq_arena *a, const uint8_t *p, size_t n, size_t *outlen)
{
	size_t high = 0;
	for (size_t i = 0; i < n; i++)
		high += p[i] >= 0x80;
	char *r = tq_arena_alloc_raw(a, n + 2 * high + 1);
	if (!r)
		return NULL;
	size_t k = 0;
	for (size_t i = 0; i < n; i++) {
		if (p[i] < 0x80) {
			r[k++] = (char)p[i];
		} else {
			memcpy(r + k, "\xef\xbf\xbd", 3);
			k += 3;
		}
	}
	r[k] = '\0';
	if (outlen)
		*outlen = k;
	return r;
}

char *
tq_utf8_string(struct tq_arena *a, const uint8_t *p, size_t n)
{
	/* at most three bytes out for each byte in (U+FFFD for one bad byte) */
	char *d = tq_arena_alloc_raw(a, n * 3 + 1);
	if (!d)
		return NULL;
	size_t o = 0;
	for (size_t i = 0; i < n && p[i];) {
		int ok;
		size_t k = utf8_char(p + i, n - i, &ok);
		if (ok) {
			memcpy(d + o, p + i, k);
			o += k;
			i += k;
		} else {
			memcpy(d + o, "\xef\xbf\xbd", 3);
			o += 3;
			i += k ? k : 1;
		}
	}
	d[o] = '\0';
	return d;
}

char *
tq_arena_vprintf(struct tq_arena *a, const char *fmt, va_list ap)
{
	char tmp[512];
	va_list ap2;

	/* most labels are short: write straight into the current block when
	 * it has room, and keep what was written */
	struct tq_arena_blk *b = a->head;
	if (b && b->size - b->used >= 256) {
		char *d = (char *)b->data + b->used;
		va_copy(ap2, ap);
		int n = tq_vformat(d, b->size - b->used, fmt, ap2);
		va_end(ap2);
		if (n >= 0 && (size_t)n < b->size - b->used) {
			/* the block's used count is a multiple of 8, so the
			 * rounded size still fits and the bytes kept are d's */
			if (tq_arena_alloc_raw(a, (size_t)n + 1) == d)
				return d;
		}
	}
	va_copy(ap2, ap);
	int n = tq_vformat(tmp, sizeof(tmp), fmt, ap2);
	va_end(ap2);
	if (n < 0)
		return NULL;
	if ((size_t)n < sizeof(tmp))
		return tq_arena_strdup(a, tmp, (size_t)n);
	char *d = tq_arena_alloc(a, (size_t)n + 1);
	if (!d)
		return NULL;
	tq_vformat(d, (size_t)n + 1, fmt, ap);
	return d;
}

char *
tq_arena_printf(struct tq_arena *a, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *s = tq_arena_vprintf(a, fmt, ap);
	va_end(ap);
	return s;
}

void
tq_arena_reset(struct tq_arena *a)
{
	struct tq_arena_blk *b = a->head, *keep = NULL;

	while (b) {
		struct tq_arena_blk *next = b->next;
		if (!next && b->size == ARENA_BLK) {
			keep = b;
			break;
		}
		/* the largest block up to 1 MiB is kept for the next frame's large allocation */
		if (b->size > ARENA_BLK && b->size <= ARENA_SPARE_MAX && (!a->spare || a->spare->size < b->size)) {
			free(a->spare);
			a->spare = b;
		} else {
			free(b);
		}
		b = next;
	}
	a->head = keep;
	a->total = keep ? keep->size : 0;
	a->used = 0;
	if (keep)
		keep->used = 0;
}

void
tq_arena_free(struct tq_arena *a)
{
	struct tq_arena_blk *b = a->head;
	while (b) {
		struct tq_arena_blk *next = b->next;
		free(b);
		b = next;
	}
	free(a->spare);
	a->head = a->spare = NULL;
	a->total = a->used = 0;
}

/* ------------------------------------------------------------------ addresses */

void
tq_addr_set(struct tq_addr *ad, int kind, const uint8_t *p)
{
	memset(ad, 0, sizeof(*ad));
	ad->kind = (uint8_t)kind;
	switch (kind) {
	case AT_ETHER: memcpy(ad->a, p, 6); break;
	case AT_IPV4: memcpy(ad->a, p, 4); break;
	case AT_IPV6: memcpy(ad->a, p, 16); break;
	default: break;
	}
}

int
tq_addr_cmp(const struct tq_addr *x, const struct tq_addr *y)
{
	if (x->kind != y->kind)
		return x->kind < y->kind ? -1 : 1;
	return memcmp(x->a, y->a, sizeof(x->a));
}

/*
 * Address formatting is on every frame's path (the Source and Destination
 * columns, each address field's label and show), so it is written out by
 * hand rather than through snprintf; the output is what the printf forms
 * wrote.
 */

/* Copies the n bytes of s to buf as snprintf(buf, len, "%s", s) would. */
static void
copy_out(char *buf, size_t len, const char *s, size_t n)
{
	if (!len)
		return;
	if (n >= len)
		n = len - 1;
	memcpy(buf, s, n);
	buf[n] = '\0';
}

static size_t
put_dec8(char *p, unsigned v)
{
	size_t k = 0;
	if (v >= 100)
		p[k++] = (char)('0' + v / 100);
	if (v >= 10)
		p[k++] = (char)('0' + v / 10 % 10);
	p[k++] = (char)('0' + v % 10);
	return k;
}

static const char hexdig[] = "0123456789abcdef";

void
tq_ipv4_str(const uint8_t *a, char *buf, size_t len)
{
	char tmp[16];
	size_t k = 0;
	for (int i = 0; i < 4; i++) {
		if (i)
			tmp[k++] = '.';
		k += put_dec8(tmp + k, a[i]);
	}
	copy_out(buf, len, tmp, k);
}

static void ipv6_format(const uint8_t *a, char *buf, size_t len);

void
tq_ipv6_str(const uint8_t *a, char *buf, size_t len)
{
	/* a capture names the same few addresses over and over: remember the
	 * last ones formatted (per thread) */
	static __thread struct { uint8_t a[16]; uint8_t n; char s[INET6_ADDRSTRLEN]; } cache[4];
	static __thread unsigned next;
	for (unsigned i = 0; i < 4; i++) {
		if (cache[i].n && !memcmp(cache[i].a, a, 16)) {
			copy_out(buf, len, cache[i].s, cache[i].n);
			return;
		}
	}
	ipv6_format(a, buf, len);
	size_t n = strlen(buf);
	if (n && n < sizeof(cache[0].s) && n + 1 < len) {
		unsigned slot = next++ & 3;
		memcpy(cache[slot].a, a, 16);
		memcpy(cache[slot].s, buf, n + 1);
		cache[slot].n = (uint8_t)n;
	}
}

static void
ipv6_format(const uint8_t *a, char *buf, size_t len)
{
	char tmp[INET6_ADDRSTRLEN];
	size_t k = 0;

	/* inet_ntop follows RFC 5952 as Wireshark does, except that it writes
	 * an embedded IPv4 address for ::ffff:0:0/96 and ::/96 forms too;
	 * Wireshark does the same for those two prefixes.  Those forms (the
	 * first 80 bits zero) still go to inet_ntop; the rest is inet_ntop's
	 * algorithm: the longest run of two or more zero groups, the first of
	 * equals, becomes "::"; groups in lowercase hex without leading zeros. */
	static const uint8_t zero10[10];
	if (!memcmp(a, zero10, sizeof(zero10))) {
		if (!inet_ntop(AF_INET6, a, tmp, sizeof(tmp)))
			tmp[0] = '\0';
		copy_out(buf, len, tmp, strlen(tmp));
		return;
	}
	unsigned w[8];
	int best = -1, bestlen = 0, cur = -1, curlen = 0;
	for (int i = 0; i < 8; i++) {
		w[i] = (unsigned)a[2 * i] << 8 | a[2 * i + 1];
		if (w[i] == 0) {
			if (cur < 0) {
				cur = i;
				curlen = 0;
			}
			curlen++;
		} else if (cur >= 0) {
			if (curlen > bestlen) {
				best = cur;
				bestlen = curlen;
			}
			cur = -1;
		}
	}
	if (cur >= 0 && curlen > bestlen) {
		best = cur;
		bestlen = curlen;
	}
	if (bestlen < 2)
		best = -1;
	for (int i = 0; i < 8; i++) {
		if (best >= 0 && i >= best && i < best + bestlen) {
			if (i == best)
				tmp[k++] = ':';
			continue;
		}
		if (i)
			tmp[k++] = ':';
		unsigned v = w[i];
		int shift = v >= 0x1000 ? 12 : v >= 0x100 ? 8 : v >= 0x10 ? 4 : 0;
		for (; shift >= 0; shift -= 4)
			tmp[k++] = hexdig[(v >> shift) & 15];
	}
	if (best >= 0 && best + bestlen == 8)
		tmp[k++] = ':';
	copy_out(buf, len, tmp, k);
}

void
tq_ether_str(const uint8_t *a, char *buf, size_t len)
{
	char tmp[18];
	size_t k = 0;
	for (int i = 0; i < 6; i++) {
		if (i)
			tmp[k++] = ':';
		tmp[k++] = hexdig[a[i] >> 4];
		tmp[k++] = hexdig[a[i] & 15];
	}
	copy_out(buf, len, tmp, k);
}

void
tq_addr_str(const struct tq_addr *ad, char *buf, size_t len)
{
	switch (ad->kind) {
	case AT_ETHER: tq_ether_name(ad->a, buf, len); break;
	case AT_IPV4: tq_ipv4_str(ad->a, buf, len); break;
	case AT_IPV6: tq_ipv6_str(ad->a, buf, len); break;
	case AT_NA: snprintf(buf, len, "N/A"); break;
	default: if (len) buf[0] = '\0'; break;
	}
}

/* ------------------------------------------------------------------ time */

void
tq_fmt_abstime(int64_t sec, int32_t nsec, char *buf, size_t len)
{
	static const char *mon[] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun",
	    "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
	/* frames come in bursts within one second: the date and time up to the
	 * second, and the zone, are formatted once per second (per thread) */
	static __thread int64_t last_sec = INT64_MIN;
	static __thread char head[64], zone[64];
	static __thread int ok;

	if (sec != last_sec) {
		time_t t = (time_t)sec;
		struct tm tm;
		last_sec = sec;
		ok = localtime_r(&t, &tm) != NULL;
		if (ok) {
			if (strftime(zone, sizeof(zone), "%Z", &tm) == 0)
				zone[0] = '\0';
			snprintf(head, sizeof(head), "%s %2d, %d %02d:%02d:%02d", mon[tm.tm_mon], tm.tm_mday,
			    tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
		}
	}
	if (!ok) {
		snprintf(buf, len, "Not representable");
		return;
	}
	char frac[11];
	uint32_t f = nsec < 0 ? 0 : (uint32_t)nsec;
	frac[0] = '.';
	for (int i = 9; i >= 1; i--) {
		frac[i] = (char)('0' + f % 10);
		f /= 10;
	}
	frac[10] = '\0';
	size_t hl = strlen(head), zl = strlen(zone);
	if (hl + 10 + 1 + zl + 1 > len) {
		/* a short buffer: as much as fits, as snprintf would */
		char tmp[256];
		size_t n = 0;
		const char *parts[] = { head, frac, " ", zone };
		for (size_t k = 0; k < 4; k++)
			for (const char *p = parts[k]; *p && n < sizeof(tmp); p++)
				tmp[n++] = *p;
		copy_out(buf, len, tmp, n < sizeof(tmp) ? n : sizeof(tmp) - 1);
		return;
	}
	memcpy(buf, head, hl);
	memcpy(buf + hl, frac, 10);
	buf[hl + 10] = ' ';
	memcpy(buf + hl + 11, zone, zl + 1);
}

void
tq_fmt_reltime(int64_t sec, int32_t nsec, char *buf, size_t len)
{
	/* "[-]S.NNNNNNNNN", written by hand: every frame has several */
	char tmp[40], *e = tmp + sizeof(tmp), *d = e;
	int neg = sec < 0 || nsec < 0;
	uint64_t s = sec < 0 ? (uint64_t)0 - (uint64_t)sec : (uint64_t)sec;
	uint32_t ns = nsec < 0 ? (uint32_t)(-(int64_t)nsec) : (uint32_t)nsec;
	for (int i = 0; i < 9; i++) {
		*--d = (char)('0' + ns % 10);
		ns /= 10;
	}
	*--d = '.';
	do {
		*--d = (char)('0' + s % 10);
		s /= 10;
	} while (s);
	if (neg)
		*--d = '-';
	size_t n = (size_t)(e - d);
	if (!len)
		return;
	if (n >= len)
		n = len - 1;
	memcpy(buf, d, n);
	buf[n] = '\0';
}

void
tq_reltime_delta(int64_t s1, int32_t ns1, int64_t s0, int32_t ns0, int64_t *s, int32_t *ns)
{
	int64_t ds = s1 - s0;
	int64_t dn = (int64_t)ns1 - ns0;

	if (ds > 0 && dn < 0) {
		dn += 1000000000;
		ds--;
	} else if (ds < 0 && dn > 0) {
		dn -= 1000000000;
		ds++;
	}
	*s = ds;
	*ns = (int32_t)dn;
}

size_t
tq_utf8_next(const unsigned char *s, size_t n, uint32_t *cp)
{
	static const uint32_t least[5] = { 0, 0, 0x80, 0x800, 0x10000 };
	unsigned char c = s[0];
	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	size_t len = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc0 ? 2 : 0;
	if (!len || c >= 0xf5 || len > n)
		return 0;
	uint32_t v = c & (0x7fu >> len);
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		v = (v << 6) | (s[i] & 0x3fu);
	}
	if (v < least[len] || v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff))
		return 0;
	*cp = v;
	return len;
}

void
tq_hexstr(const uint8_t *p, size_t n, char sep, struct tq_sbuf *out)
{
	/* the two hex digits of every byte value, side by side */
	static const char pairs[] =
	    "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"
	    "202122232425262728292a2b2c2d2e2f303132333435363738393a3b3c3d3e3f"
	    "404142434445464748494a4b4c4d4e4f505152535455565758595a5b5c5d5e5f"
	    "606162636465666768696a6b6c6d6e6f707172737475767778797a7b7c7d7e7f"
	    "808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f"
	    "a0a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3b4b5b6b7b8b9babbbcbdbebf"
	    "c0c1c2c3c4c5c6c7c8c9cacbcccdcecfd0d1d2d3d4d5d6d7d8d9dadbdcdddedf"
	    "e0e1e2e3e4e5e6e7e8e9eaebecedeeeff0f1f2f3f4f5f6f7f8f9fafbfcfdfeff";
	if (!n)
		return;
	size_t need = sep ? n * 3 - 1 : n * 2;
	char *d = tq_sbuf_reserve(out, need);
	if (!d)
		return;
	char *w = d;
	if (!sep) {
		size_t i = 0;
#ifdef __SSE2__
		/* sixteen bytes at a time: each nibble to '0'-'9' or 'a'-'f', high nibble first */
		const __m128i low = _mm_set1_epi8(0x0f), nine = _mm_set1_epi8(9), zero = _mm_set1_epi8('0'),
		    gap = _mm_set1_epi8('a' - '0' - 10);
		for (; n - i >= 16; i += 16, w += 32) {
			__m128i x = _mm_loadu_si128((const __m128i *)(const void *)(p + i));
			__m128i hi = _mm_and_si128(_mm_srli_epi16(x, 4), low), lo = _mm_and_si128(x, low);
			hi = _mm_add_epi8(_mm_add_epi8(hi, zero), _mm_and_si128(_mm_cmpgt_epi8(hi, nine), gap));
			lo = _mm_add_epi8(_mm_add_epi8(lo, zero), _mm_and_si128(_mm_cmpgt_epi8(lo, nine), gap));
			_mm_storeu_si128((__m128i *)(void *)w, _mm_unpacklo_epi8(hi, lo));
			_mm_storeu_si128((__m128i *)(void *)(w + 16), _mm_unpackhi_epi8(hi, lo));
		}
#endif
		for (; i < n; i++, w += 2)
			memcpy(w, pairs + 2 * p[i], 2);
	} else {
		memcpy(w, pairs + 2 * p[0], 2);
		w += 2;
		for (size_t i = 1; i < n; i++, w += 3) {
			w[0] = sep;
			memcpy(w + 1, pairs + 2 * p[i], 2);
		}
	}
	tq_sbuf_commit(out, (size_t)(w - d));
}

const char *
tq_strerror(int err)
{
	switch (err) {
	case TQ_OK: return "success";
	case TQ_ENOMEM: return "out of memory";
	case TQ_ENOTCAP: return "not a capture file";
	case TQ_ELINK: return "unknown link type";
	case TQ_ETRUNCHDR: return "truncated file header";
	case TQ_EIO: return "read error";
	case TQ_EBADREC: return "bad record";
	case TQ_ERANGE: return "no such frame";
	case TQ_EINVAL: return "invalid argument";
	case TQ_ETOOBIG: return "too large";
	case TQ_ETIMEOUT: return "took too long";
	default: return "unknown error";
	}
}

const char *
tq_fmt_duration(uint64_t ns, char *buf, size_t len)
{
	if (ns < 999500u) {
		uint64_t us = (ns + 500u) / 1000u;
		snprintf(buf, len, "%" PRIu64 " µs", us ? us : 1);
	} else if (ns < 999500000u) {
		snprintf(buf, len, "%" PRIu64 " ms", (ns + 500000u) / 1000000u);
	} else {
		uint64_t tenths = (ns + 50000000u) / 100000000u;
		if (tenths % 10 == 0)
			snprintf(buf, len, "%" PRIu64 " s", tenths / 10);
		else
			snprintf(buf, len, "%" PRIu64 ".%" PRIu64 " s", tenths / 10, tenths % 10);
	}
	return buf;
}

uint64_t
tq_monotonic_ns(void)
{
	struct timespec ts;
	/* cannot fail for CLOCK_MONOTONIC with a valid pointer */
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}
