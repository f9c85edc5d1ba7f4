/*
 * fuzz_dns.c - libFuzzer harness for the DNS dissector: the input is one DNS
 * message (arbitrary bytes), put as the UDP payload of Ethernet/IPv4 frames
 * in a pcap made in memory: to port 53 and back from it (so queries and
 * responses are matched), to the mDNS and LLMNR ports, and over TCP port 53
 * after a 2-byte length (whole, then cut in two segments).  Every frame is
 * dissected and written as text, PDML, JSON and a packet-list line, as in
 * fuzz_dissect.c.  See README.md.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "tq.h"

#define MAX_MSG 65000
#define OUT_MAX (64u << 20)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct buf {
	uint8_t *p;
	size_t n, cap;
};

static void
put(struct buf *b, const void *p, size_t n)
{
	if (b->n + n > b->cap) {
		size_t cap = b->cap ? b->cap : 4096;
		while (cap < b->n + n)
			cap *= 2;
		uint8_t *q = realloc(b->p, cap);
		if (!q)
			abort();
		b->p = q;
		b->cap = cap;
	}
	memcpy(b->p + b->n, p, n);
	b->n += n;
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
	be16(p + 2, v & 0xffff);
}

/* One Ethernet/IPv4 frame with a UDP (proto 17) or TCP (6) header and payload. */
static void
frame(struct buf *b, uint32_t t, int fwd, int proto, uint16_t sport, uint16_t dport, uint32_t seq,
    const uint8_t *pl, size_t n)
{
	uint8_t h[16 + 14 + 20 + 20];
	size_t l4 = proto == 17 ? 8 : 20;
	size_t len = 14 + 20 + l4 + n;
	memset(h, 0, sizeof(h));
	le32(h, 1700000000 + t);
	le32(h + 8, (uint32_t)len);
	le32(h + 12, (uint32_t)len);
	uint8_t *e = h + 16;
	static const uint8_t a[4] = { 198, 51, 100, 10 }, s[4] = { 198, 51, 100, 53 };
	memcpy(e, "\x02\x00\x00\x00\x00\x02\x02\x00\x00\x00\x00\x01\x08\x00", 14);
	uint8_t *ip = e + 14;
	ip[0] = 0x45;
	be16(ip + 2, (uint32_t)(20 + l4 + n));
	ip[8] = 64;
	ip[9] = (uint8_t)proto;
	memcpy(ip + 12, fwd ? a : s, 4);
	memcpy(ip + 16, fwd ? s : a, 4);
	uint8_t *th = ip + 20;
	be16(th, fwd ? sport : dport);
	be16(th + 2, fwd ? dport : sport);
	if (proto == 17) {
		be16(th + 4, (uint32_t)(8 + n));
	} else {
		be32(th + 4, seq);
		be32(th + 8, 1);
		th[12] = 5 << 4;
		th[13] = 0x18;
		be16(th + 14, 65535);
	}
	put(b, h, 16 + 14 + 20 + l4);
	put(b, pl, n);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > MAX_MSG)
		size = MAX_MSG;
	struct buf b = { 0 };
	uint8_t gh[24];
	le32(gh, 0xa1b2c3d4);
	gh[4] = 2;
	gh[5] = 0;
	gh[6] = 4;
	gh[7] = 0;
	memset(gh + 8, 0, 8);
	le32(gh + 16, 262144);
	le32(gh + 20, 1);
	put(&b, gh, sizeof(gh));

	frame(&b, 0, 1, 17, 40000, 53, 0, data, size);       /* query to 53 */
	frame(&b, 1, 0, 17, 40000, 53, 0, data, size);       /* the same back: a response */
	frame(&b, 2, 1, 17, 5353, 5353, 0, data, size);      /* mDNS */
	frame(&b, 3, 1, 17, 40001, 5355, 0, data, size);     /* LLMNR */
	frame(&b, 4, 1, 17, 40002, 40003, 0, data, size);    /* the heuristic */
	/* TCP: the message after its length, whole, then in two segments */
	uint8_t *tm = malloc(size + 2);
	if (!tm)
		abort();
	be16(tm, (uint32_t)size);
	if (size)
		memcpy(tm + 2, data, size);
	frame(&b, 5, 1, 6, 41000, 53, 1, tm, size + 2);
	size_t cut = (size + 2) / 2;
	frame(&b, 6, 1, 6, 41000, 53, 1 + (uint32_t)size + 2, tm, cut);
	frame(&b, 7, 1, 6, 41000, 53, 1 + (uint32_t)size + 2 + (uint32_t)cut, tm + cut, size + 2 - cut);
	free(tm);

	struct tq_capture *cap = NULL;
	char err[512];
	if (tq_capture_open_mem(b.p, b.n, &cap, err, sizeof(err)) != 0) {
		free(b.p);
		abort();                    /* we made a valid capture */
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
	free(b.p);
	return 0;
}
