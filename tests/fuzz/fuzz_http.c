/*
 * fuzz_http.c - libFuzzer harness for the HTTP dissector: the input is an
 * HTTP stream.  It is cut into TCP segments of a connection to port 80 (a
 * byte 0xff switches direction and starts a new segment, a byte 0xfe only
 * starts a new segment), wrapped with a handshake into an Ethernet/IPv4
 * pcap in memory, and every frame is dissected and written as text, PDML,
 * JSON and a packet-list line, as fuzz_dissect.c does with whole captures.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "tq.h"

#define MAX_SEGS 64
#define OUT_MAX (64u << 20)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct pcapbuf {
	uint8_t *p;
	size_t len, cap;
};

static void
put(struct pcapbuf *b, const void *d, size_t n)
{
	if (b->len + n > b->cap) {
		size_t c = b->cap ? b->cap * 2 : 4096;
		while (c < b->len + n)
			c *= 2;
		uint8_t *np = realloc(b->p, c);
		if (!np)
			abort();
		b->p = np;
		b->cap = c;
	}
	memcpy(b->p + b->len, d, n);
	b->len += n;
}

static void
le32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

static void
be16(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void
be32(uint8_t *p, uint32_t v)
{
	be16(p, v >> 16);
	be16(p + 2, v);
}

/* One Ethernet/IPv4/TCP frame; checksums left 0 (unverified, as tshark's default). */
static void
frame(struct pcapbuf *b, uint32_t t, int from_client, uint32_t seq, uint32_t ack, uint8_t flags,
    const uint8_t *pl, size_t n)
{
	uint8_t h[54];
	memset(h, 0, sizeof(h));
	static const uint8_t cmac[6] = { 2, 0, 0, 0, 0, 1 }, smac[6] = { 2, 0, 0, 0, 0, 2 };
	memcpy(h, from_client ? smac : cmac, 6);
	memcpy(h + 6, from_client ? cmac : smac, 6);
	h[12] = 0x08;
	uint8_t *ip = h + 14;
	ip[0] = 0x45;
	be16(ip + 2, (uint32_t)(40 + n));
	ip[6] = 0x40;
	ip[8] = 64;
	ip[9] = 6;
	static const uint8_t ca[4] = { 192, 0, 2, 1 }, sa[4] = { 192, 0, 2, 2 };
	memcpy(ip + 12, from_client ? ca : sa, 4);
	memcpy(ip + 16, from_client ? sa : ca, 4);
	uint8_t *tcp = ip + 20;
	be16(tcp, from_client ? 40000 : 80);
	be16(tcp + 2, from_client ? 80 : 40000);
	be32(tcp + 4, seq);
	be32(tcp + 8, ack);
	tcp[12] = 5 << 4;
	tcp[13] = flags;
	be16(tcp + 14, 65535);
	uint8_t rec[16];
	le32(rec, 1700000000 + t);
	le32(rec + 4, 0);
	le32(rec + 8, (uint32_t)(54 + n));
	le32(rec + 12, (uint32_t)(54 + n));
	put(b, rec, 16);
	put(b, h, 54);
	if (n)
		put(b, pl, n);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pcapbuf b = { 0 };
	uint8_t gh[24];
	le32(gh, 0xa1b2c3d4);
	be16(gh + 4, 0);
	gh[4] = 2;
	gh[5] = 0;
	gh[6] = 4;
	gh[7] = 0;
	memset(gh + 8, 0, 8);
	le32(gh + 16, 65535);
	le32(gh + 20, 1);
	put(&b, gh, 24);
	uint32_t cseq = 1001, sseq = 5001, t = 0;
	frame(&b, t++, 1, 1000, 0, 0x02, NULL, 0);
	frame(&b, t++, 0, 5000, 1001, 0x12, NULL, 0);
	frame(&b, t++, 1, 1001, 5001, 0x10, NULL, 0);
	int client = 1, segs = 0;
	size_t start = 0;
	for (size_t i = 0; i <= size && segs < MAX_SEGS; i++) {
		if (i < size && data[i] != 0xff && data[i] != 0xfe)
			continue;
		size_t n = i - start;
		if (n > 4000)
			n = 4000;
		if (n) {
			if (client) {
				frame(&b, t++, 1, cseq, sseq, 0x18, data + start, n);
				cseq += (uint32_t)n;
			} else {
				frame(&b, t++, 0, sseq, cseq, 0x18, data + start, n);
				sseq += (uint32_t)n;
			}
			segs++;
		}
		if (i < size && data[i] == 0xff)
			client = !client;
		start = i + 1;
	}
	frame(&b, t++, 1, cseq, sseq, 0x11, NULL, 0);
	frame(&b, t++, 0, sseq, cseq + 1, 0x11, NULL, 0);

	struct tq_capture *cap = NULL;
	char err[512];
	if (tq_capture_open_mem(b.p, b.len, &cap, err, sizeof(err)) != 0)
		abort();                /* the harness made a good capture */
	struct tq_sbuf out, line;
	tq_sbuf_init(&out, OUT_MAX);
	tq_sbuf_init(&line, OUT_MAX);
	uint32_t nf = tq_capture_count(cap);
	tq_write_pdml_header(cap, "fuzz", &out);
	for (uint32_t i = 1; i <= nf; i++) {
		int e = -1;
		struct tq_tree *tr = tq_dissect(cap, i, &e);
		if (!tr || e != 0)
			abort();
		tq_sbuf_reset(&out);
		tq_write_text(tr, &out);
		tq_sbuf_reset(&out);
		tq_write_pdml_packet(tr, &out);
		tq_sbuf_reset(&out);
		tq_write_json(tr, &out);
		if (out.err)
			abort();
		tq_tree_free(tr);
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
	free(b.p);
	return 0;
}
