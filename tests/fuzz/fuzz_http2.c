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
#include "fuzz_stream.h"

#define MAX_FRAMES 192

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Sends n bytes from dir in segments of seg bytes, each acknowledged. */
static void
send_bytes(struct fs_conn *c, int dir, const uint8_t *p, size_t n, size_t seg)
{
	while (n && c->nframes < MAX_FRAMES) {
		size_t k = n < seg ? n : seg;
		fs_frame(c, dir, 0x18, p, k);
		fs_frame(c, !dir, 0x10, NULL, 0);
		p += k;
		n -= k;
	}
}

static void
h2frame(struct fs_buf *b, uint8_t type, uint8_t flags, uint32_t sid, const uint8_t *p, size_t n)
{
	uint8_t h[9] = { (uint8_t)(n >> 16), (uint8_t)(n >> 8), (uint8_t)n, type, flags,
	    (uint8_t)(sid >> 24), (uint8_t)(sid >> 16), (uint8_t)(sid >> 8), (uint8_t)sid };
	fs_put(b, h, 9);
	if (n)
		fs_put(b, p, n);
}

static void
build(struct fs_conn *c, const uint8_t *data, size_t size)
{
	static const uint8_t preface[24] = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";
	uint8_t mode = data[0], arg = size > 1 ? data[1] : 0;
	const uint8_t *p = data + (size > 1 ? 2 : 1), *end = data + size;
	size_t seg = arg < 8 ? 1 + (size_t)arg * 2 : 16 + (size_t)arg * 6;   /* 1 to 1546 bytes */
	if (!(mode & 1)) {
		size_t n;
		const uint8_t *rest = fs_next_piece(p, end, &n);
		struct fs_buf cl = { 0 };
		fs_put(&cl, preface, sizeof(preface));
		fs_put(&cl, p, n);
		send_bytes(c, 0, cl.p, cl.len, seg);
		free(cl.p);
		if (rest < end)
			send_bytes(c, 1, rest, (size_t)(end - rest), seg);
		return;
	}
	/* HPACK blocks */
	struct fs_buf st[2] = { { 0 }, { 0 } };
	fs_put(&st[0], preface, sizeof(preface));
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
		const uint8_t *nx = fs_next_piece(p, end, &n);
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
	struct fs_conn c;
	fs_open(&c, 80, 80, MAX_FRAMES);
	build(&c, data, size);
	struct tq_decode_as rule;
	struct tq_open_opts o = fs_decode_as(&rule, "tcp.port", 80, "http2");
	return fs_dissect_all(&c.cap, &o);
}
