/*
 * fuzz_stream.h - what fuzz_ssh.c and fuzz_telnet.c share: the input is not
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

static void
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

static void
fs_put32le(struct fs_buf *b, uint32_t v)
{
	uint8_t x[4] = { (uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24) };
	fs_put(b, x, 4);
}

static void
fs_put16be(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void
fs_put32be(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

struct fs_conn {
	struct fs_buf cap;
	uint32_t seq[2];
	uint32_t nframes, t;
	uint16_t port;
};

/* One frame from side dir (0: the client 198.51.100.10:40000, 1: the server .22 on port). */
static void
fs_frame(struct fs_conn *c, int dir, uint8_t flags, const uint8_t *pl, size_t n)
{
	if (c->nframes >= FS_MAX_FRAMES)
		return;
	uint8_t h[54];
	memset(h, 0, sizeof(h));
	static const uint8_t mac_c[6] = { 2, 0, 0, 0, 0, 0x10 }, mac_s[6] = { 2, 0, 0, 0, 0, 0x22 };
	memcpy(h, dir ? mac_c : mac_s, 6);
	memcpy(h + 6, dir ? mac_s : mac_c, 6);
	h[12] = 0x08;
	uint8_t *ip = h + 14;
	ip[0] = 0x45;
	fs_put16be(ip + 2, (uint32_t)(40 + n));
	ip[6] = 0x40;
	ip[8] = 64;
	ip[9] = 6;
	static const uint8_t a[4] = { 198, 51, 100, 10 }, b[4] = { 198, 51, 100, 22 };
	memcpy(ip + 12, dir ? b : a, 4);
	memcpy(ip + 16, dir ? a : b, 4);
	uint32_t s = 0;
	for (int i = 0; i < 20; i += 2)
		s += (uint32_t)(ip[i] << 8 | ip[i + 1]);
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	fs_put16be(ip + 10, ~s & 0xffff);
	uint8_t *tcp = ip + 20;
	fs_put16be(tcp, dir ? c->port : 40000);
	fs_put16be(tcp + 2, dir ? 40000 : c->port);
	fs_put32be(tcp + 4, c->seq[dir]);
	if (flags & 0x10)
		fs_put32be(tcp + 8, c->seq[!dir]);
	tcp[12] = 0x50;
	tcp[13] = flags;
	tcp[14] = 0xff;
	tcp[15] = 0xff;
	c->seq[dir] += (uint32_t)n + ((flags & 0x02) ? 1 : 0);
	c->t += 1000;
	fs_put32le(&c->cap, 1700000000);
	fs_put32le(&c->cap, c->t);
	fs_put32le(&c->cap, (uint32_t)(54 + n));
	fs_put32le(&c->cap, (uint32_t)(54 + n));
	fs_put(&c->cap, h, 54);
	fs_put(&c->cap, pl, n);
	c->nframes++;
}

static const uint8_t fs_marker[3] = { 0xff, 0xfe, 0xfd };

/* Runs the whole input on a connection to port (or to 2222 decoded as proto). */
static int
fs_run(const uint8_t *data, size_t size, uint16_t port, const char *proto)
{
	if (size < 2 || size > (1u << 20))
		return 0;
	struct fs_conn c;
	memset(&c, 0, sizeof(c));
	int decode = data[1] & 1;
	c.port = decode ? 2222 : port;
	size_t seg = 1 + (size_t)data[0] * 6;
	static const uint8_t gh[24] = { 0xd4, 0xc3, 0xb2, 0xa1, 2, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0, 0, 1, 0, 0, 0 };
	fs_put(&c.cap, gh, sizeof(gh));
	c.seq[0] = 1000;
	c.seq[1] = 5000;
	fs_frame(&c, 0, 0x02, NULL, 0);
	fs_frame(&c, 1, 0x12, NULL, 0);
	fs_frame(&c, 0, 0x10, NULL, 0);
	const uint8_t *p = data + 2, *end = data + size;
	for (int dir = 0; p < end; dir = !dir) {
		const uint8_t *q = p;
		while (q + 3 <= end && memcmp(q, fs_marker, 3))
			q++;
		if (q + 3 > end)
			q = end;
		for (const uint8_t *r = p; r < q && c.nframes < FS_MAX_FRAMES;) {
			size_t k = (size_t)(q - r) < seg ? (size_t)(q - r) : seg;
			fs_frame(&c, dir, 0x18, r, k);
			r += k;
		}
		p = q < end ? q + 3 : end;
	}

	struct tq_decode_as rule;
	char err[512];
	char spec[64];
	snprintf(spec, sizeof(spec), "tcp.port==2222,%s", proto);
	if (tq_decode_as_parse(spec, &rule, err, sizeof(err)) != 0)
		abort();
	struct tq_open_opts o = { .decode_as = &rule, .ndecode_as = decode ? 1 : 0 };
	struct tq_capture *cap = NULL;
	if (tq_capture_open_mem_opts(c.cap.p, c.cap.len, &o, &cap, err, sizeof(err)) != 0) {
		if (cap || !err[0])
			abort();
		free(c.cap.p);
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
	free(c.cap.p);
	return 0;
}

#endif
