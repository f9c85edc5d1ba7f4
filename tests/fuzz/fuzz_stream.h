/*
 * fuzz_stream.h - what the protocol harnesses share: a capture written in
 * memory (Ethernet, IPv4, UDP or a TCP connection), dissected and written
 * in every format.  For fuzz_ssh.c, fuzz_telnet.c and fuzz_http.c the input is not
 * a capture but the bytes of a TCP connection (Ethernet, IPv4, a three-way
 * handshake) on a port the harness chooses, wrapped into a pcap capture in
 * memory, then every frame is dissected and written as text, PDML, JSON and
 * a packet-list line, as fuzz_dissect.c does.  See README.md.
 *
 * Input: byte 0 sets the segment size (1 + 6 * byte, so 1 to 1531 bytes);
 * byte 1, when odd, decodes the connection's server port as the protocol
 * with a decode-as rule instead of its usual port.  The rest is a series of
 * pieces separated by the marker 0xff 0xfe 0xfd, sent alternately by the
 * client and by the server, each cut into segments of that size.
 */
#ifndef FUZZ_STREAM_H
#define FUZZ_STREAM_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "tq.h"

#define FS_MAX_FRAMES 128
#define FS_OUT_MAX (64u << 20)

struct fs_buf {
	uint8_t *p;
	size_t len, cap;
};

static inline void
fs_put(struct fs_buf *b, const void *p, size_t n)
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

static inline void
fs_put32le(struct fs_buf *b, uint32_t v)
{
	uint8_t x[4] = { (uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24) };
	fs_put(b, x, 4);
}

static inline void
fs_put16be(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static inline void
fs_put32be(uint8_t *p, uint32_t v)
{
	fs_put16be(p, v >> 16);
	fs_put16be(p + 2, v & 0xffff);
}

/* A pcap file header: microseconds, Ethernet, snapshot length 65535. */
static inline void
fs_pcap_header(struct fs_buf *b)
{
	static const uint8_t gh[24] = { 0xd4, 0xc3, 0xb2, 0xa1, 2, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0, 0, 1, 0, 0, 0 };
	fs_put(b, gh, sizeof(gh));
}

/* Where a frame goes: between the client 198.51.100.10 and the server 198.51.100.host. */
struct fs_ends {
	uint8_t host;                /* the server's last address byte */
	int proto;                   /* 6 (TCP) or 17 (UDP) */
	uint16_t cport, sport;       /* the client's and the server's ports */
};

/*
 * One Ethernet/IPv4 frame of b's capture at time t (microseconds) from the
 * server (dir 1) or the client (0): a UDP datagram, or a TCP segment with
 * seq, ack (sent when flags has ACK) and flags.
 */
static inline void
fs_ip_frame(struct fs_buf *b, uint32_t t, const struct fs_ends *e, int dir, uint32_t seq, uint32_t ack,
    uint8_t flags, const uint8_t *pl, size_t n)
{
	size_t l4 = e->proto == 17 ? 8 : 20, hl = 14 + 20 + l4;
	uint8_t h[54];
	memset(h, 0, sizeof(h));
	uint8_t mac_c[6] = { 2, 0, 0, 0, 0, 0x10 }, mac_s[6] = { 2, 0, 0, 0, 0, e->host };
	memcpy(h, dir ? mac_c : mac_s, 6);
	memcpy(h + 6, dir ? mac_s : mac_c, 6);
	h[12] = 0x08;
	uint8_t *ip = h + 14;
	ip[0] = 0x45;
	fs_put16be(ip + 2, (uint32_t)(20 + l4 + n));
	ip[6] = 0x40;
	ip[8] = 64;
	ip[9] = (uint8_t)e->proto;
	uint8_t a[4] = { 198, 51, 100, 10 }, s4[4] = { 198, 51, 100, e->host };
	memcpy(ip + 12, dir ? s4 : a, 4);
	memcpy(ip + 16, dir ? a : s4, 4);
	uint32_t s = 0;
	for (int i = 0; i < 20; i += 2)
		s += (uint32_t)(ip[i] << 8 | ip[i + 1]);
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	fs_put16be(ip + 10, ~s & 0xffff);
	uint8_t *th = ip + 20;
	fs_put16be(th, dir ? e->sport : e->cport);
	fs_put16be(th + 2, dir ? e->cport : e->sport);
	if (e->proto == 17) {
		fs_put16be(th + 4, (uint32_t)(8 + n));
	} else {
		fs_put32be(th + 4, seq);
		if (flags & 0x10)
			fs_put32be(th + 8, ack);
		th[12] = 0x50;
		th[13] = flags;
		th[14] = 0xff;
		th[15] = 0xff;
	}
	fs_put32le(b, 1700000000 + t / 1000000);
	fs_put32le(b, t % 1000000);
	fs_put32le(b, (uint32_t)(hl + n));
	fs_put32le(b, (uint32_t)(hl + n));
	fs_put(b, h, hl);
	fs_put(b, pl, n);
}

/* A TCP connection being written into a capture. */
struct fs_conn {
	struct fs_buf cap;
	struct fs_ends ends;
	uint32_t seq[2];
	uint32_t nframes, max_frames, t;
};

/* Starts c: the capture's header and a three-way handshake, client port 40000. */
static inline void fs_frame(struct fs_conn *c, int dir, uint8_t flags, const uint8_t *pl, size_t n);

static inline void
fs_open(struct fs_conn *c, uint8_t host, uint16_t port, uint32_t max_frames)
{
	memset(c, 0, sizeof(*c));
	c->ends = (struct fs_ends){ host, 6, 40000, port };
	c->max_frames = max_frames;
	c->seq[0] = 1000;
	c->seq[1] = 5000;
	fs_pcap_header(&c->cap);
	fs_frame(c, 0, 0x02, NULL, 0);
	fs_frame(c, 1, 0x12, NULL, 0);
	fs_frame(c, 0, 0x10, NULL, 0);
}

/* One segment from side dir (0: the client, 1: the server), 1 ms after the last. */
static inline void
fs_frame(struct fs_conn *c, int dir, uint8_t flags, const uint8_t *pl, size_t n)
{
	if (c->nframes >= c->max_frames)
		return;
	c->t += 1000;
	fs_ip_frame(&c->cap, c->t, &c->ends, dir, c->seq[dir], c->seq[!dir], flags, pl, n);
	c->seq[dir] += (uint32_t)n + ((flags & 0x02) ? 1 : 0);
	c->nframes++;
}

/*
 * Opens the capture in b with o's decode-as rules (NULL: none), dissects
 * every frame and writes it as text, PDML, JSON and a packet-list line;
 * aborts when the library breaks its contract.  Frees b's bytes.
 */
static inline int
fs_dissect_all(struct fs_buf *b, const struct tq_open_opts *o)
{
	struct tq_capture *cap = NULL;
	char err[512];
	if (tq_capture_open_mem_opts(b->p, b->len, o, &cap, err, sizeof(err)) != 0) {
		if (cap || !err[0])
			abort();
		free(b->p);
		return 0;
	}
	struct tq_sbuf out, line;
	tq_sbuf_init(&out, FS_OUT_MAX);
	tq_sbuf_init(&line, FS_OUT_MAX);
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
	free(b->p);
	return 0;
}

/* The decode-as rule "TABLE==PORT,PROTO" in *r, for opts. */
static inline struct tq_open_opts
fs_decode_as(struct tq_decode_as *r, const char *table, unsigned port, const char *proto)
{
	char spec[96], err[512];
	snprintf(spec, sizeof(spec), "%s==%u,%s", table, port, proto);
	if (tq_decode_as_parse(spec, r, err, sizeof(err)) != 0)
		abort();
	struct tq_open_opts o = { .decode_as = r, .ndecode_as = 1 };
	return o;
}

static const uint8_t fs_marker[3] = { 0xff, 0xfe, 0xfd };

/* Splits off the piece of [p, end) before the next marker; returns what follows the marker. */
static inline const uint8_t *
fs_next_piece(const uint8_t *p, const uint8_t *end, size_t *n)
{
	const uint8_t *q = p;
	while (q + 3 <= end && memcmp(q, fs_marker, 3))
		q++;
	if (q + 3 > end)
		q = end;
	*n = (size_t)(q - p);
	return q < end ? q + 3 : end;
}

/* Runs the whole input on a connection to port (or to 2222 decoded as proto). */
static inline int
fs_run(const uint8_t *data, size_t size, uint16_t port, const char *proto)
{
	if (size < 2 || size > (1u << 20))
		return 0;
	struct fs_conn c;
	int decode = data[1] & 1;
	fs_open(&c, 22, decode ? 2222 : port, FS_MAX_FRAMES);
	size_t seg = 1 + (size_t)data[0] * 6;
	const uint8_t *p = data + 2, *end = data + size;
	for (int dir = 0; p < end; dir = !dir) {
		size_t n;
		const uint8_t *next = fs_next_piece(p, end, &n);
		for (const uint8_t *r = p; r < p + n && c.nframes < FS_MAX_FRAMES;) {
			size_t k = (size_t)(p + n - r) < seg ? (size_t)(p + n - r) : seg;
			fs_frame(&c, dir, 0x18, r, k);
			r += k;
		}
		p = next;
	}
	struct tq_decode_as rule;
	struct tq_open_opts o = fs_decode_as(&rule, "tcp.port", 2222, proto);
	o.ndecode_as = decode ? 1 : 0;
	return fs_dissect_all(&c.cap, &o);
}

#endif
