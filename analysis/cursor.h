/* cursor.h - bounds-checked reads of untrusted bytes, with a sticky error. */
#ifndef TQ_CURSOR_H
#define TQ_CURSOR_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* Why a read failed, as Wireshark's two bounds exceptions tell it apart. */
#define TQ_ETRUNC 1      /* past the captured bytes, not past those on the wire: "Packet size limited during capture" */
#define TQ_EMALFORMED 2  /* past the bytes on the wire too: "Malformed Packet" */

/*
 * A cursor walks a buffer of captured bytes, knowing two lengths: the bytes
 * captured (left) and the bytes the packet had on the wire (rleft, never
 * fewer), as Wireshark's tvbuff does.  Every read checks what is left; a
 * short read sets err (TQ_ETRUNC or TQ_EMALFORMED), returns 0 and leaves
 * the cursor where it was, and every later read fails too.  Read a whole
 * header, then test err once.
 */
struct tq_cursor {
	const uint8_t *p;
	size_t left;                 /* captured bytes from p */
	size_t rleft;                /* bytes from p on the wire (>= left) */
	int err;
};

/* A cursor over len captured bytes whose length on the wire is not known: a short read is TQ_ETRUNC. */
static inline struct tq_cursor
tq_cursor_make(const uint8_t *p, size_t len)
{
	struct tq_cursor c = { p, len, SIZE_MAX, 0 };
	return c;
}

/* A cursor over len captured bytes of a packet that had rlen on the wire from there. */
static inline struct tq_cursor
tq_cursor_make2(const uint8_t *p, size_t len, size_t rlen)
{
	struct tq_cursor c = { p, len, rlen > len ? rlen : len, 0 };
	return c;
}

/* Whether [off, off + len) lies within the first size bytes (no overflow for any values). */
static inline int
tq_in_range(size_t size, size_t off, size_t len)
{
	return off <= size && len <= size - off;
}

/*
 * Whether the len bytes at off of a buffer can be read, where captured bytes
 * of it were captured and reported bytes were on the wire (captured <=
 * reported): 0 when they were all captured, else why not, as Wireshark's
 * tvbuff tells it: TQ_ETRUNC when they were on the wire (BoundsError),
 * TQ_EMALFORMED when they run past the reported length too
 * (ReportedBoundsError).  The one definition of a readable range: the
 * cursor's reads and the dissectors that read at offsets all ask it.
 */
static inline int
tq_check_range(size_t captured, size_t reported, size_t off, size_t len)
{
	if (tq_in_range(captured, off, len))
		return 0;
	return tq_in_range(reported, off, len) ? TQ_ETRUNC : TQ_EMALFORMED;
}

/* Whether n more bytes can be read; if not, the error says which length fell short. */
static inline int
tq_need(struct tq_cursor *c, size_t n)
{
	if (c->err)
		return 0;
	c->err = tq_check_range(c->left, c->rleft, 0, n);
	return !c->err;
}

/* Moves past n bytes tq_need allowed. */
static inline void
tq_advance(struct tq_cursor *c, size_t n)
{
	c->p += n;
	c->left -= n;
	c->rleft -= n;
}

static inline uint8_t
tq_get_u8(struct tq_cursor *c)
{
	if (!tq_need(c, 1))
		return 0;
	uint8_t v = c->p[0];
	tq_advance(c, 1);
	return v;
}

static inline uint16_t
tq_get_be16(struct tq_cursor *c)
{
	if (!tq_need(c, 2))
		return 0;
	uint16_t v = (uint16_t)(c->p[0] << 8 | c->p[1]);
	tq_advance(c, 2);
	return v;
}

static inline uint16_t
tq_get_le16(struct tq_cursor *c)
{
	if (!tq_need(c, 2))
		return 0;
	uint16_t v = (uint16_t)(c->p[1] << 8 | c->p[0]);
	tq_advance(c, 2);
	return v;
}

static inline uint32_t
tq_get_be24(struct tq_cursor *c)
{
	if (!tq_need(c, 3))
		return 0;
	uint32_t v = (uint32_t)c->p[0] << 16 | (uint32_t)c->p[1] << 8 | c->p[2];
	tq_advance(c, 3);
	return v;
}

static inline uint32_t
tq_get_be32(struct tq_cursor *c)
{
	if (!tq_need(c, 4))
		return 0;
	uint32_t v = (uint32_t)c->p[0] << 24 | (uint32_t)c->p[1] << 16 |
	    (uint32_t)c->p[2] << 8 | c->p[3];
	tq_advance(c, 4);
	return v;
}

static inline uint32_t
tq_get_le32(struct tq_cursor *c)
{
	if (!tq_need(c, 4))
		return 0;
	uint32_t v = (uint32_t)c->p[3] << 24 | (uint32_t)c->p[2] << 16 |
	    (uint32_t)c->p[1] << 8 | c->p[0];
	tq_advance(c, 4);
	return v;
}

static inline uint64_t
tq_get_be64(struct tq_cursor *c)
{
	if (!tq_need(c, 8))
		return 0;
	uint64_t hi = tq_get_be32(c);
	return hi << 32 | tq_get_be32(c);
}

/* Copies n bytes into dst (zeroes on a short read). */
static inline void
tq_get_bytes(struct tq_cursor *c, void *dst, size_t n)
{
	if (!tq_need(c, n)) {
		memset(dst, 0, n);
		return;
	}
	memcpy(dst, c->p, n);
	tq_advance(c, n);
}

static inline void
tq_skip(struct tq_cursor *c, size_t n)
{
	if (!tq_need(c, n))
		return;
	tq_advance(c, n);
}

/* Reads at a fixed offset of a buffer without a cursor; 0 when out of range. */
static inline uint8_t
tq_peek_u8(const uint8_t *p, size_t len, size_t off)
{
	if (!tq_in_range(len, off, 1))
		return 0;
	return p[off];
}

static inline uint16_t
tq_peek_be16(const uint8_t *p, size_t len, size_t off)
{
	if (!tq_in_range(len, off, 2))
		return 0;
	return (uint16_t)(p[off] << 8 | p[off + 1]);
}

static inline uint32_t
tq_peek_be24(const uint8_t *p, size_t len, size_t off)
{
	if (!tq_in_range(len, off, 3))
		return 0;
	return (uint32_t)p[off] << 16 | (uint32_t)p[off + 1] << 8 | p[off + 2];
}

static inline uint32_t
tq_peek_be32(const uint8_t *p, size_t len, size_t off)
{
	if (!tq_in_range(len, off, 4))
		return 0;
	return (uint32_t)p[off] << 24 | (uint32_t)p[off + 1] << 16 |
	    (uint32_t)p[off + 2] << 8 | p[off + 3];
}

#endif
