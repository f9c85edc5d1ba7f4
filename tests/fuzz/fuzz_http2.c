/*
 * fuzz_http2.c - libFuzzer harness for the HTTP/2 dissector and its HPACK
 * decoding.  The input is not a capture: it becomes the payload of a TCP
 * connection on port 80 (Ethernet, IPv4, a three-way handshake) that is
 * decoded as HTTP/2 (tshark's -d tcp.port==80,http2), cut into segments of a
 * size the input chooses, so that reassembly across segments is fuzzed too.
 * Every frame is dissected and written as text, PDML, JSON and a packet-list
 * line, as fuzz_dissect.c does.  See README.md.
 *
 * The first byte chooses the mode:
 *   even: the rest is the client's stream after the connection preface
 *         ("PRI * HTTP/2.0..."), the second byte the segment size; bytes
 *         after a 0xff 0xfe 0xfd marker go the other way (the server's);
 *   odd:  the rest is a series of HPACK header blocks (separated by the
 *         marker), each sent in a HEADERS frame, or split into HEADERS and
 *         CONTINUATION frames when the block's first byte is odd, on streams
 *         1, 3, 5, ... alternately from the client and the server, after a
 *         SETTINGS frame whose header table size the second byte sets.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "tq.h"

#define MAX_FRAMES 192
#define OUT_MAX (64u << 20)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct buf {
	uint8_t *p;
	size_t len, cap;
};

static void
put(struct buf *b, const void *p, size_t n)
{
	if (b->len + n > b->cap) {
		size_t nc = (b->len + n) * 2 + 256;
		uint8_t *np = realloc(b->p, nc);
		if (!np)
			abort();
		b->p = np;
		b->cap = nc;
	}
	if (n)
		memcpy(b->p + b->len, p, n);
	b->len += n;
}

static void
put32le(struct buf *b, uint32_t v)
{
	uint8_t x[4] = { (uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24) };
	put(b, x, 4);
}

static uint16_t
cksum(const uint8_t *p, size_t n)
{
	uint32_t s = 0;
	for (size_t i = 0; i + 1 < n; i += 2)
		s += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (n & 1)
		s += (uint32_t)p[n - 1] << 8;
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)~s;
}

struct conn {
	struct buf cap;
	uint32_t seq[2];
	uint32_t nframes;
	uint32_t t;
};

/* One Ethernet/IPv4/TCP frame from side dir (0: client 198.51.100.10:40000, 1: server .80:80). */
static void
frame(struct conn *c, int dir, uint8_t flags, const uint8_t *pl, size_t n)
{
	if (c->nframes >= MAX_FRAMES)
		return;
	uint8_t h[54];
	memset(h, 0, sizeof(h));
	static const uint8_t mac_c[6] = { 2, 0, 0, 0, 0, 0x10 }, mac_s[6] = { 2, 0, 0, 0, 0, 0x80 };
	memcpy(h, dir ? mac_c : mac_s, 6);
	memcpy(h + 6, dir ? mac_s : mac_c, 6);
	h[12] = 0x08;
	uint8_t *ip = h + 14;
	ip[0] = 0x45;
	uint16_t tot = (uint16_t)(20 + 20 + n);
	ip[2] = (uint8_t)(tot >> 8);
	ip[3] = (uint8_t)tot;
	ip[6] = 0x40;
	ip[8] = 64;
	ip[9] = 6;
	uint8_t a[4] = { 198, 51, 100, 10 }, b[4] = { 198, 51, 100, 80 };
	memcpy(ip + 12, dir ? b : a, 4);
	memcpy(ip + 16, dir ? a : b, 4);
	uint16_t ck = cksum(ip, 20);
	ip[10] = (uint8_t)(ck >> 8);
	ip[11] = (uint8_t)ck;
	uint8_t *tcp = ip + 20;
	uint16_t sp = dir ? 80 : 40000, dp = dir ? 40000 : 80;
	tcp[0] = (uint8_t)(sp >> 8);
	tcp[1] = (uint8_t)sp;
	tcp[2] = (uint8_t)(dp >> 8);
	tcp[3] = (uint8_t)dp;
	uint32_t s = c->seq[dir], ack = c->seq[!dir];
	tcp[4] = (uint8_t)(s >> 24); tcp[5] = (uint8_t)(s >> 16); tcp[6] = (uint8_t)(s >> 8); tcp[7] = (uint8_t)s;
	if (flags & 0x10) {
		tcp[8] = (uint8_t)(ack >> 24); tcp[9] = (uint8_t)(ack >> 16); tcp[10] = (uint8_t)(ack >> 8); tcp[11] = (uint8_t)ack;
	}
	tcp[12] = 0x50;
	tcp[13] = flags;
	tcp[14] = 0xff;
	tcp[15] = 0xff;
	c->seq[dir] += (uint32_t)n + ((flags & 0x02) ? 1 : 0);
	c->t += 1000;
	put32le(&c->cap, 1700000000);
	put32le(&c->cap, c->t);
	put32le(&c->cap, (uint32_t)(54 + n));
	put32le(&c->cap, (uint32_t)(54 + n));
	put(&c->cap, h, 54);
	put(&c->cap, pl, n);
	c->nframes++;
}

/* Sends n bytes from dir in segments of seg bytes, each acknowledged. */
static void
send_bytes(struct conn *c, int dir, const uint8_t *p, size_t n, size_t seg)
{
	while (n && c->nframes < MAX_FRAMES) {
		size_t k = n < seg ? n : seg;
		frame(c, dir, 0x18, p, k);
		frame(c, !dir, 0x10, NULL, 0);
		p += k;
		n -= k;
	}
}

static const uint8_t marker[3] = { 0xff, 0xfe, 0xfd };

static const uint8_t *
next_piece(const uint8_t *p, const uint8_t *end, size_t *n)
{
	const uint8_t *q = p;
	while (q + 3 <= end && memcmp(q, marker, 3))
		q++;
	if (q + 3 > end)
		q = end;
	*n = (size_t)(q - p);
	return q < end ? q + 3 : end;
}

static void
h2frame(struct buf *b, uint8_t type, uint8_t flags, uint32_t sid, const uint8_t *p, size_t n)
{
	uint8_t h[9] = { (uint8_t)(n >> 16), (uint8_t)(n >> 8), (uint8_t)n, type, flags,
	    (uint8_t)(sid >> 24), (uint8_t)(sid >> 16), (uint8_t)(sid >> 8), (uint8_t)sid };
	put(b, h, 9);
	if (n)
		put(b, p, n);
}

static void
build(struct conn *c, const uint8_t *data, size_t size)
{
	static const uint8_t preface[24] = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";
	uint8_t mode = data[0], arg = size > 1 ? data[1] : 0;
	const uint8_t *p = data + (size > 1 ? 2 : 1), *end = data + size;
	size_t seg = arg < 8 ? 1 + (size_t)arg * 2 : 16 + (size_t)arg * 6;   /* 1 to 1546 bytes */
	c->seq[0] = 1000;
	c->seq[1] = 5000;
	frame(c, 0, 0x02, NULL, 0);
	frame(c, 1, 0x12, NULL, 0);
	frame(c, 0, 0x10, NULL, 0);
	if (!(mode & 1)) {
		size_t n;
		const uint8_t *rest = next_piece(p, end, &n);
		struct buf cl = { 0 };
		put(&cl, preface, sizeof(preface));
		put(&cl, p, n);
		send_bytes(c, 0, cl.p, cl.len, seg);
		free(cl.p);
		if (rest < end)
			send_bytes(c, 1, rest, (size_t)(end - rest), seg);
		return;
	}
	/* HPACK blocks */
	struct buf st[2] = { { 0 }, { 0 } };
	put(&st[0], preface, sizeof(preface));
	uint32_t hts = (uint32_t)arg * 64;
	uint8_t set[6] = { 0, 1, (uint8_t)(hts >> 24), (uint8_t)(hts >> 16), (uint8_t)(hts >> 8), (uint8_t)hts };
	h2frame(&st[0], 4, 0, 0, set, 6);
	h2frame(&st[1], 4, 0, 0, set, 6);
	h2frame(&st[0], 4, 1, 0, NULL, 0);
	h2frame(&st[1], 4, 1, 0, NULL, 0);
	uint32_t sid = 1;
	int dir = 0;
	while (p < end) {
		size_t n;
		const uint8_t *nx = next_piece(p, end, &n);
		if (n && (p[0] & 1) && n > 1) {
			size_t h = n / 2;
			h2frame(&st[dir], 1, 0x01, sid, p, h);
			h2frame(&st[dir], 9, 0x04, sid, p + h, n - h);
		} else {
			h2frame(&st[dir], 1, 0x05, sid, p, n);
		}
		if (dir)
			sid += 2;
		dir = !dir;
		p = nx;
	}
	send_bytes(c, 0, st[0].p, st[0].len, seg);
	send_bytes(c, 1, st[1].p, st[1].len, seg);
	free(st[0].p);
	free(st[1].p);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1 || size > (1u << 20))
		return 0;
	struct conn c;
	memset(&c, 0, sizeof(c));
	uint8_t gh[24] = { 0xd4, 0xc3, 0xb2, 0xa1, 2, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0, 0, 1, 0, 0, 0 };
	put(&c.cap, gh, sizeof(gh));
	build(&c, data, size);

	struct tq_decode_as rule;
	char err[512];
	if (tq_decode_as_parse("tcp.port==80,http2", &rule, err, sizeof(err)) != 0)
		abort();
	struct tq_open_opts o = { .decode_as = &rule, .ndecode_as = 1 };
	struct tq_capture *cap = NULL;
	if (tq_capture_open_mem_opts(c.cap.p, c.cap.len, &o, &cap, err, sizeof(err)) != 0) {
		if (cap || !err[0])
			abort();
		free(c.cap.p);
		return 0;
	}
	struct tq_sbuf out, line;
	tq_sbuf_init(&out, OUT_MAX);
	tq_sbuf_init(&line, OUT_MAX);
	uint32_t n = tq_capture_count(cap);
	tq_write_pdml_header(cap, "fuzz", &out);
	for (uint32_t i = 1; i <= n; i++) {
		int e = -1;
		struct tq_tree *t = tq_dissect(cap, i, &e);
		if (!t || e != 0)
			abort();
		tq_sbuf_reset(&out);
		tq_write_text(t, &out);
		tq_sbuf_reset(&out);
		tq_write_pdml_packet(t, &out);
		tq_sbuf_reset(&out);
		tq_write_json(t, &out);
		if (out.err)
			abort();
		tq_tree_free(t);
		struct tq_columns cols;
		if (tq_columns_get(cap, i, &cols, &out) != 0)
			abort();
		tq_sbuf_reset(&line);
		tq_columns_line(&cols, &line);
	}
	tq_write_pdml_footer(&out);
	tq_sbuf_free(&out);
	tq_sbuf_free(&line);
	tq_capture_free(cap);
	free(c.cap.p);
	return 0;
}
