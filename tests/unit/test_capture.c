/*
 * test_capture.c - opening captures (analysis/capture.c): pcap in microseconds
 * and nanoseconds and pcapng, from a file and from memory, give the same
 * frames and timestamps; every kind of bad input gives its error code and a
 * message that names the problem.  The bad inputs are made here from the
 * bytes of real captures in tests/data, not committed as files.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "internal.h"
#include "tq.h"

/* ------------------------------------------------------------------ helpers */

struct buf {
	uint8_t *p;
	size_t n;
};

static const char *
data_dir(void)
{
	const char *d = getenv("TQ_DATA");
	return d && *d ? d : "tests/data";
}

static void
data_path(char *out, size_t len, const char *name)
{
	snprintf(out, len, "%s/%s", data_dir(), name);
}

/* The whole of tests/data/name; fails the test when it cannot be read. */
static struct buf
slurp(const char *name)
{
	char path[4096];
	data_path(path, sizeof(path), name);
	FILE *fp = fopen(path, "rb");
	if (!fp)
		fail_msg("cannot open %s: %s", path, strerror(errno));
	struct buf b = { NULL, 0 };
	size_t cap = 0;
	for (;;) {
		if (b.n == cap) {
			cap = cap ? cap * 2 : 8192;
			b.p = realloc(b.p, cap);
			assert_non_null(b.p);
		}
		size_t r = fread(b.p + b.n, 1, cap - b.n, fp);
		if (r == 0)
			break;
		b.n += r;
	}
	fclose(fp);
	return b;
}

/* An exact-size heap copy of the first n bytes, so that ASan sees any read past n. */
static struct buf
prefix(const struct buf *b, size_t n)
{
	struct buf r = { malloc(n ? n : 1), n };
	assert_non_null(r.p);
	memcpy(r.p, b->p, n);
	return r;
}

static uint32_t
le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static void
put_le32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

static void
put_le16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

/* Offset of record i (0-based) of a little-endian pcap, or the file size past the end. */
static size_t
pcap_record(const struct buf *b, unsigned i)
{
	size_t off = 24;
	while (i-- && off + 16 <= b->n)
		off += 16 + le32(b->p + off + 8);
	return off;
}

static unsigned
pcap_count(const struct buf *b)
{
	unsigned n = 0;
	for (size_t off = 24; off + 16 <= b->n; off += 16 + le32(b->p + off + 8))
		n++;
	return n;
}

/* A microsecond pcap with the frames of a nanosecond one: magic changed, fractions cut. */
static struct buf
nsec_to_usec(const struct buf *ns)
{
	struct buf u = prefix(ns, ns->n);
	assert_int_equal(le32(u.p), 0xa1b23c4du);
	put_le32(u.p, 0xa1b2c3d4u);
	for (size_t off = 24; off + 16 <= u.n; off += 16 + le32(u.p + off + 8))
		put_le32(u.p + off + 4, le32(u.p + off + 4) / 1000);
	return u;
}

struct growbuf {
	uint8_t *p;
	size_t n, cap;
};

static void
gput(struct growbuf *g, const void *src, size_t n)
{
	if (n == 0)
		return;
	if (g->n + n > g->cap) {
		g->cap = (g->n + n) * 2;
		g->p = realloc(g->p, g->cap);
		assert_non_null(g->p);
	}
	memcpy(g->p + g->n, src, n);
	g->n += n;
}

static void
gput32(struct growbuf *g, uint32_t v)
{
	uint8_t b[4];
	put_le32(b, v);
	gput(g, b, 4);
}

static void
gput16(struct growbuf *g, uint16_t v)
{
	uint8_t b[2];
	put_le16(b, v);
	gput(g, b, 2);
}

/* One pcapng option, padded to 4 bytes. */
static void
gopt(struct growbuf *g, uint16_t code, const void *val, uint16_t len)
{
	static const uint8_t zero[4];
	gput16(g, code);
	gput16(g, len);
	gput(g, val, len);
	gput(g, zero, (4u - len % 4u) % 4u);
}

/*
 * A pcapng with the frames of a nanosecond pcap: one section, one interface
 * named ifname with if_tsresol 9 (or the default microseconds when usec), and
 * an Enhanced Packet Block per frame.
 */
static struct buf
nsec_to_pcapng(const struct buf *ns, const char *ifname, int usec)
{
	struct growbuf g = { NULL, 0, 0 };
	/* Section Header Block: no options */
	gput32(&g, 0x0a0d0d0a);
	gput32(&g, 28);
	gput32(&g, 0x1a2b3c4d);
	gput16(&g, 1);
	gput16(&g, 0);
	gput32(&g, 0xffffffff);
	gput32(&g, 0xffffffff);
	gput32(&g, 28);
	/* Interface Description Block */
	struct growbuf o = { NULL, 0, 0 };
	gopt(&o, 2, ifname, (uint16_t)strlen(ifname));
	if (!usec) {
		uint8_t res = 9;
		gopt(&o, 9, &res, 1);
	}
	gopt(&o, 0, NULL, 0);
	uint32_t idb = 20 + (uint32_t)o.n;
	gput32(&g, 1);
	gput32(&g, idb);
	gput16(&g, (uint16_t)le32(ns->p + 20));
	gput16(&g, 0);
	gput32(&g, le32(ns->p + 16));
	gput(&g, o.p, o.n);
	gput32(&g, idb);
	free(o.p);
	for (size_t off = 24; off + 16 <= ns->n; off += 16 + le32(ns->p + off + 8)) {
		uint32_t incl = le32(ns->p + off + 8);
		uint64_t t = (uint64_t)le32(ns->p + off) * 1000000000u + le32(ns->p + off + 4);
		if (usec)
			t /= 1000;
		uint32_t pad = (4u - incl % 4u) % 4u;
		uint32_t blen = 32 + incl + pad;
		static const uint8_t zero[4];
		gput32(&g, 6);
		gput32(&g, blen);
		gput32(&g, 0);
		gput32(&g, (uint32_t)(t >> 32));
		gput32(&g, (uint32_t)t);
		gput32(&g, incl);
		gput32(&g, le32(ns->p + off + 12));
		gput(&g, ns->p + off + 16, incl);
		gput(&g, zero, pad);
		gput32(&g, blen);
	}
	struct buf b = { g.p, g.n };
	return b;
}

static struct tq_capture *
open_ok(const struct buf *b)
{
	struct tq_capture *cap = NULL;
	char err[512] = "";
	int rc = tq_capture_open_mem(b->p, b->n, &cap, err, sizeof(err));
	if (rc != 0)
		fail_msg("open failed (%d): %s", rc, err);
	assert_non_null(cap);
	return cap;
}

/* Opens b from memory expecting failure rc; returns the message. */
static void
open_fails(const struct buf *b, int want, char *err, size_t errlen)
{
	struct tq_capture *cap = (struct tq_capture *)&cap;     /* must be reset to NULL */
	err[0] = '\0';
	int rc = tq_capture_open_mem(b->p, b->n, &cap, err, errlen);
	if (rc != want)
		fail_msg("wanted %d (%s), got %d: '%s'", want, tq_strerror(want), rc, err);
	assert_null(cap);
	assert_true(strlen(err) > 10);
}

static void
assert_contains(const char *s, const char *want)
{
	if (!s || !strstr(s, want))
		fail_msg("'%s' does not contain '%s'", s ? s : "(null)", want);
}

/* Every frame's bytes lie inside the capture's copy of the file. */
static void
assert_frames_inside(const struct tq_capture *cap)
{
	for (uint32_t i = 1; i <= tq_capture_count(cap); i++) {
		uint32_t caplen = 0;
		const uint8_t *p = tq_capture_frame_bytes(cap, i, &caplen);
		assert_non_null(p);
		assert_true(p >= cap->base);
		assert_true((size_t)(p - cap->base) + caplen <= cap->size);
		assert_true(caplen <= cap->frames[i - 1].len || cap->frames[i - 1].len == 0);
	}
}

/* Dissects every frame and writes it as text, so that ASan sees every byte read. */
static void
dissect_all(struct tq_capture *cap)
{
	struct tq_sbuf out;
	tq_sbuf_init(&out, 0);
	for (uint32_t i = 1; i <= tq_capture_count(cap); i++) {
		int e = -1;
		struct tq_tree *t = tq_dissect(cap, i, &e);
		assert_non_null(t);
		assert_int_equal(e, 0);
		tq_sbuf_reset(&out);
		tq_write_text(t, &out);
		assert_true(out.len > 0);
		tq_tree_free(t);
	}
	tq_sbuf_free(&out);
}

/* The frames of a and b: same count, bytes, lengths; timestamps within tol nanoseconds. */
static void
assert_same_frames(const struct tq_capture *a, const struct tq_capture *b, int64_t tol)
{
	assert_int_equal(tq_capture_count(a), tq_capture_count(b));
	assert_int_equal(tq_capture_linktype(a), tq_capture_linktype(b));
	for (uint32_t i = 1; i <= tq_capture_count(a); i++) {
		uint32_t la, lb;
		const uint8_t *pa = tq_capture_frame_bytes(a, i, &la);
		const uint8_t *pb = tq_capture_frame_bytes(b, i, &lb);
		assert_int_equal(la, lb);
		assert_memory_equal(pa, pb, la);
		const struct tq_frame *fa = &a->frames[i - 1], *fb = &b->frames[i - 1];
		assert_int_equal(fa->len, fb->len);
		int64_t ta = fa->sec * 1000000000 + fa->nsec, tb = fb->sec * 1000000000 + fb->nsec;
		int64_t d = ta > tb ? ta - tb : tb - ta;
		if (d > tol)
			fail_msg("frame %u: timestamps %lld and %lld differ by %lld ns", i,
			    (long long)ta, (long long)tb, (long long)d);
	}
}

/*
 * The "Epoch Time" of every frame as tshark printed it in name (a .text file
 * written by tests/tools/mkexpect.sh), in nanoseconds.
 */
static unsigned
tshark_epochs(const char *name, int64_t *out, unsigned max)
{
	struct buf b = slurp(name);
	unsigned n = 0;
	b.p = realloc(b.p, b.n + 1);
	assert_non_null(b.p);
	b.p[b.n] = '\0';
	const char *key = "    Epoch Time: ";
	for (char *s = strstr((char *)b.p, key); s && n < max; s = strstr(s + 1, key)) {
		long long sec;
		char frac[16];
		if (sscanf(s + strlen(key), "%lld.%9[0-9]", &sec, frac) != 2)
			fail_msg("cannot read '%.40s'", s);
		assert_int_equal(strlen(frac), 9);
		out[n++] = sec * 1000000000 + atoll(frac);
	}
	free(b.p);
	return n;
}

/* ------------------------------------------------------------------ same frames */

/* Nanosecond pcap, file and memory: the timestamps tshark printed, to the nanosecond. */
static void
test_pcap_nsec_timestamps(void **state)
{
	(void)state;
	char path[4096], err[256] = "";
	data_path(path, sizeof(path), "link-eth-nsec.pcap");
	struct tq_capture *f = NULL;
	assert_int_equal(tq_capture_open_file(path, &f, err, sizeof(err)), 0);
	assert_string_equal(err, "");
	assert_null(tq_capture_warning(f));
	assert_int_equal(tq_capture_linktype(f), 1);
	assert_int_equal(f->nsec_file, 1);

	int64_t want[64];
	unsigned n = tshark_epochs("link-eth-nsec.text", want, 64);
	assert_int_equal(n, 34);
	assert_int_equal(tq_capture_count(f), n);
	for (unsigned i = 0; i < n; i++)
		assert_true(f->frames[i].sec * 1000000000 + f->frames[i].nsec == want[i]);
	/* at least one timestamp has digits past the microsecond, or the check proves little */
	int finer = 0;
	for (unsigned i = 0; i < n; i++)
		finer |= want[i] % 1000 != 0;
	assert_true(finer);

	struct buf b = slurp("link-eth-nsec.pcap");
	struct tq_capture *m = open_ok(&b);
	assert_same_frames(f, m, 0);
	assert_frames_inside(m);
	tq_capture_free(m);
	tq_capture_free(f);
	free(b.p);
}

/*
 * The microsecond pcap taken at the same time (by another tcpdump, whose
 * socket stamps each packet on its own) gives the same frames, at times a
 * few microseconds apart at most.
 */
static void
test_pcap_usec_same_frames(void **state)
{
	(void)state;
	struct buf bn = slurp("link-eth-nsec.pcap"), bu = slurp("link-eth.pcap");
	struct tq_capture *ns = open_ok(&bn), *us = open_ok(&bu);
	assert_int_equal(us->nsec_file, 0);
	assert_same_frames(ns, us, 20000);
	for (uint32_t i = 0; i < tq_capture_count(us); i++)
		assert_int_equal(us->frames[i].nsec % 1000, 0);

	int64_t want[64];
	unsigned n = tshark_epochs("link-eth.text", want, 64);
	assert_int_equal(n, tq_capture_count(us));
	for (unsigned i = 0; i < n; i++)
		assert_true(us->frames[i].sec * 1000000000 + us->frames[i].nsec == want[i]);

	/* the same file rewritten in microseconds here: exactly the cut timestamps */
	struct buf cut = nsec_to_usec(&bn);
	struct tq_capture *c = open_ok(&cut);
	assert_same_frames(ns, c, 999);
	for (uint32_t i = 0; i < tq_capture_count(c); i++)
		assert_int_equal(c->frames[i].nsec, ns->frames[i].nsec / 1000 * 1000);
	tq_capture_free(c);
	tq_capture_free(ns);
	tq_capture_free(us);
	free(cut.p);
	free(bn.p);
	free(bu.p);
}

/* The same frames written as pcapng (nanosecond and default microsecond resolution). */
static void
test_pcapng_same_frames(void **state)
{
	(void)state;
	struct buf bn = slurp("link-eth-nsec.pcap");
	struct buf ng = nsec_to_pcapng(&bn, "vtq0", 0);
	struct buf ngu = nsec_to_pcapng(&bn, "eth7", 1);
	struct tq_capture *ns = open_ok(&bn), *a = open_ok(&ng), *u = open_ok(&ngu);
	assert_int_equal(a->pcapng, 1);
	assert_same_frames(ns, a, 0);
	assert_same_frames(ns, u, 999);
	assert_frames_inside(a);

	/* the interface name is in the frame's tree */
	struct tq_sbuf out;
	tq_sbuf_init(&out, 0);
	struct tq_tree *t = tq_dissect(a, 5, NULL);
	assert_non_null(t);
	tq_write_text(t, &out);
	assert_contains(tq_sbuf_str(&out), "Frame 5: 98 bytes on wire (784 bits), 98 bytes captured (784 bits) on interface vtq0, id 0\n");
	assert_contains(tq_sbuf_str(&out), "        Interface name: vtq0\n");
	tq_tree_free(t);
	tq_sbuf_reset(&out);
	t = tq_dissect(u, 1, NULL);
	tq_write_text(t, &out);
	assert_contains(tq_sbuf_str(&out), "on interface eth7, id 0\n");
	tq_tree_free(t);
	tq_sbuf_free(&out);

	tq_capture_free(ns);
	tq_capture_free(a);
	tq_capture_free(u);
	free(ng.p);
	free(ngu.p);
	free(bn.p);
}

/* dumpcap's pcapng of two interfaces: names, a description and timestamps as tshark shows them. */
static void
test_pcapng_two_interfaces(void **state)
{
	(void)state;
	char path[4096], err[256];
	data_path(path, sizeof(path), "link-ifaces.pcapng");
	struct tq_capture *cap = NULL;
	assert_int_equal(tq_capture_open_file(path, &cap, err, sizeof(err)), 0);
	assert_int_equal(cap->nifaces, 2);
	int64_t want[16];
	unsigned n = tshark_epochs("link-ifaces.text", want, 16);
	assert_int_equal(n, 8);
	assert_int_equal(tq_capture_count(cap), 8);
	for (unsigned i = 0; i < n; i++)
		assert_true(cap->frames[i].sec * 1000000000 + cap->frames[i].nsec == want[i]);

	struct tq_sbuf out;
	tq_sbuf_init(&out, 0);
	struct tq_tree *t = tq_dissect(cap, 1, NULL);
	tq_write_text(t, &out);
	assert_contains(tq_sbuf_str(&out), "on interface vtq0, id 0\n");
	assert_null(strstr(tq_sbuf_str(&out), "Interface description"));
	tq_tree_free(t);
	tq_sbuf_reset(&out);
	t = tq_dissect(cap, 5, NULL);
	tq_write_text(t, &out);
	assert_contains(tq_sbuf_str(&out), "on interface lo, id 1\n");
	assert_contains(tq_sbuf_str(&out), "    Interface id: 1 (lo)\n        Interface name: lo\n        Interface description: Loopback\n");
	tq_tree_free(t);
	tq_sbuf_free(&out);

	struct buf b = slurp("link-ifaces.pcapng");
	struct tq_capture *m = open_ok(&b);
	assert_same_frames(cap, m, 0);
	for (uint32_t i = 0; i < 8; i++)
		assert_int_equal(m->frames[i].iface, cap->frames[i].iface);
	tq_capture_free(m);
	tq_capture_free(cap);
	free(b.p);
}

/*
 * Two pcapng files end to end make one file of two sections, each numbering
 * its interfaces from 0: every frame keeps its own section's interface.
 */
static void
test_pcapng_two_sections(void **state)
{
	(void)state;
	struct buf a = slurp("link-ifaces.pcapng"), n = slurp("link-eth-nsec.pcap");
	struct buf b = nsec_to_pcapng(&n, "eth7", 0);
	struct buf two = { malloc(a.n + b.n), a.n + b.n };
	assert_non_null(two.p);
	memcpy(two.p, a.p, a.n);
	memcpy(two.p + a.n, b.p, b.n);
	struct tq_capture *cap = open_ok(&two);
	assert_null(tq_capture_warning(cap));
	assert_int_equal(tq_capture_count(cap), 8 + 34);
	assert_int_equal(cap->nifaces, 3);

	static const struct { uint32_t num; const char *want; } cases[] = {
		{ 1, "on interface vtq0, id 0\n    Section number: 1\n    Interface id: 0 (vtq0)\n" },
		{ 5, "on interface lo, id 1\n    Section number: 1\n    Interface id: 1 (lo)\n        Interface name: lo\n        Interface description: Loopback\n" },
		{ 9, "on interface eth7, id 0\n    Section number: 2\n    Interface id: 0 (eth7)\n        Interface name: eth7\n    Encapsulation" },
		{ 42, "on interface eth7, id 0\n    Section number: 2\n" },
	};
	struct tq_sbuf out;
	tq_sbuf_init(&out, 0);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct tq_tree *t = tq_dissect(cap, cases[i].num, NULL);
		assert_non_null(t);
		tq_sbuf_reset(&out);
		tq_write_text(t, &out);
		assert_contains(tq_sbuf_str(&out), cases[i].want);
		tq_tree_free(t);
	}
	tq_sbuf_free(&out);
	tq_capture_free(cap);
	free(two.p);
	free(a.p);
	free(b.p);
	free(n.p);
}

/* Every capture in tests/data opens the same from its file and from memory. */
static void
test_file_and_memory_agree(void **state)
{
	(void)state;
	static const char *const names[] = {
		"link-eth.pcap", "link-eth-nsec.pcap", "link-sll.pcap", "link-sll2.pcap",
		"link-snap60.pcap", "link-ifaces.pcapng", "link-eth-vlan.pcap", "link-eth-pad.pcap",
		"link-raw.pcap", "link-raw-ipv4.pcap", "link-raw-ipv6.pcap", "link-null-le.pcap",
		"link-null-be.pcap", "link-loop.pcap",
	};
	static const int linktypes[] = { 1, 1, 113, 276, 1, 1, 1, 1, 12, 228, 229, 0, 0, 108 };
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		char path[4096], err[256];
		data_path(path, sizeof(path), names[i]);
		struct tq_capture *f = NULL;
		if (tq_capture_open_file(path, &f, err, sizeof(err)) != 0)
			fail_msg("%s: %s", names[i], err);
		struct buf b = slurp(names[i]);
		struct tq_capture *m = open_ok(&b);
		assert_int_equal(tq_capture_linktype(f), linktypes[i]);
		assert_true(tq_capture_count(f) > 0);
		assert_null(tq_capture_warning(f));
		assert_same_frames(f, m, 0);
		assert_frames_inside(f);
		assert_frames_inside(m);
		tq_capture_free(f);
		tq_capture_free(m);
		free(b.p);
	}
}

/* A snaplen-limited capture: caplen is what was kept, len what was on the wire. */
static void
test_snaplen_frames(void **state)
{
	(void)state;
	struct buf b = slurp("link-snap60.pcap");
	struct tq_capture *cap = open_ok(&b);
	int cut = 0;
	for (uint32_t i = 1; i <= tq_capture_count(cap); i++) {
		uint32_t caplen;
		tq_capture_frame_bytes(cap, i, &caplen);
		assert_true(caplen <= 60);
		assert_true(caplen <= cap->frames[i - 1].len);
		cut += caplen < cap->frames[i - 1].len;
	}
	assert_true(cut > 20);
	assert_frames_inside(cap);
	dissect_all(cap);
	tq_capture_free(cap);
	free(b.p);
}

/* ------------------------------------------------------------------ bad inputs */

static void
test_empty(void **state)
{
	(void)state;
	char err[256];
	struct buf e = { malloc(1), 0 };
	open_fails(&e, TQ_ENOTCAP, err, sizeof(err));
	assert_contains(err, "empty");
	free(e.p);

	char path[] = "/tmp/tq-test-empty-XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	close(fd);
	struct tq_capture *cap = (struct tq_capture *)&cap;
	assert_int_equal(tq_capture_open_file(path, &cap, err, sizeof(err)), TQ_ENOTCAP);
	assert_null(cap);
	assert_contains(err, "empty");
	unlink(path);
}

static void
test_missing_file_and_directory(void **state)
{
	(void)state;
	char err[512];
	struct tq_capture *cap = NULL;
	assert_int_equal(tq_capture_open_file("/nonexistent/x.pcap", &cap, err, sizeof(err)), TQ_EIO);
	assert_null(cap);
	assert_contains(err, "/nonexistent/x.pcap");
	assert_contains(err, "No such file");
	assert_int_equal(tq_capture_open_file(data_dir(), &cap, err, sizeof(err)), TQ_EIO);
	assert_contains(err, "not a regular file");
	/* a NULL or zero-length message buffer is allowed */
	assert_int_equal(tq_capture_open_file("/nonexistent/x.pcap", &cap, NULL, 0), TQ_EIO);
}

static void
test_not_a_capture(void **state)
{
	(void)state;
	char err[256];
	/* the start of a PNG: signature and IHDR chunk */
	static const uint8_t png[] = {
		0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n', 0, 0, 0, 13, 'I', 'H', 'D', 'R',
		0, 0, 0, 16, 0, 0, 0, 16, 8, 6, 0, 0, 0, 0x1f, 0xf3, 0xff, 0x61,
	};
	struct buf p = { (uint8_t *)png, sizeof(png) };
	open_fails(&p, TQ_ENOTCAP, err, sizeof(err));
	assert_contains(err, "not a capture file");
	assert_contains(err, "0x89504e47");

	/* a text file: tshark's packet list of a capture */
	struct buf t = slurp("link-eth.list");
	open_fails(&t, TQ_ENOTCAP, err, sizeof(err));
	assert_contains(err, "not a capture file");
	free(t.p);

	/* a pcapng section header with a bad byte-order magic */
	struct buf ng = slurp("link-ifaces.pcapng");
	put_le32(ng.p + 8, 0x12345678);
	open_fails(&ng, TQ_ENOTCAP, err, sizeof(err));
	assert_contains(err, "byte-order magic");
	free(ng.p);
}

static void
test_unknown_linktype(void **state)
{
	(void)state;
	char err[256];
	struct buf b = slurp("link-eth.pcap");
	put_le32(b.p + 20, 147);                /* LINKTYPE_USER0 */
	open_fails(&b, TQ_ELINK, err, sizeof(err));
	assert_contains(err, "unknown link type 147");
	put_le32(b.p + 20, 105);                /* LINKTYPE_IEEE802_11 */
	open_fails(&b, TQ_ELINK, err, sizeof(err));
	assert_contains(err, "unknown link type 105");
	assert_contains(err, "802_11");         /* libpcap's name for it */
	free(b.p);

	/* in pcapng the link type is the interface's */
	struct buf n = slurp("link-eth-nsec.pcap");
	struct buf ng = nsec_to_pcapng(&n, "wlan0", 0);
	put_le16(ng.p + 28 + 8, 105);
	open_fails(&ng, TQ_ELINK, err, sizeof(err));
	assert_contains(err, "unknown link type 105");
	free(ng.p);
	free(n.p);
}

static void
test_truncated_header(void **state)
{
	(void)state;
	char err[256];
	struct buf b = slurp("link-eth.pcap");
	for (size_t n = 1; n < 24; n++) {
		struct buf p = prefix(&b, n);
		open_fails(&p, TQ_ETRUNCHDR, err, sizeof(err));
		assert_contains(err, "truncated file header");
		free(p.p);
	}
	/* the bare 24-byte header is a capture with no frames */
	struct buf h = prefix(&b, 24);
	struct tq_capture *cap = open_ok(&h);
	assert_int_equal(tq_capture_count(cap), 0);
	assert_null(tq_capture_warning(cap));
	tq_capture_free(cap);
	free(h.p);
	free(b.p);

	/* pcapng: cut anywhere inside the 180-byte section header block */
	struct buf ng = slurp("link-ifaces.pcapng");
	uint32_t shb = le32(ng.p + 4);
	assert_int_equal(shb, 180);
	for (size_t n = 1; n < shb; n++) {
		struct buf p = prefix(&ng, n);
		open_fails(&p, TQ_ETRUNCHDR, err, sizeof(err));
		assert_contains(err, "truncated file header");
		free(p.p);
	}
	free(ng.p);
}

/* A file cut inside its last record keeps the frames before it and says so. */
static void
test_truncated_last_record(void **state)
{
	(void)state;
	struct buf b = slurp("link-eth.pcap");
	unsigned n = pcap_count(&b);
	size_t last = pcap_record(&b, n - 1);
	/* inside the record header, then inside the record data */
	size_t cuts[] = { last + 1, last + 15, last + 16, last + 17, b.n - 1 };
	for (size_t i = 0; i < sizeof(cuts) / sizeof(cuts[0]); i++) {
		struct buf p = prefix(&b, cuts[i]);
		struct tq_capture *cap = open_ok(&p);
		assert_int_equal(tq_capture_count(cap), n - 1);
		const char *w = tq_capture_warning(cap);
		assert_contains(w, "truncated last record");
		assert_contains(w, "frame 34");
		assert_contains(w, "kept the 33 frames before it");
		assert_frames_inside(cap);
		dissect_all(cap);
		tq_capture_free(cap);
		free(p.p);
	}

	/* pcapng: cut inside the last packet block */
	struct buf ng = slurp("link-ifaces.pcapng");
	size_t off = 0, last_epb = 0;
	unsigned epbs = 0;
	while (off + 8 <= ng.n) {
		if (le32(ng.p + off) == 6) {
			last_epb = off;
			epbs++;
		}
		off += le32(ng.p + off + 4);
	}
	assert_int_equal(epbs, 8);
	struct buf p = prefix(&ng, last_epb + 40);
	struct tq_capture *cap = open_ok(&p);
	assert_int_equal(tq_capture_count(cap), 7);
	assert_contains(tq_capture_warning(cap), "truncated last record");
	assert_contains(tq_capture_warning(cap), "kept the 7 frames before it");
	assert_frames_inside(cap);
	tq_capture_free(cap);
	free(p.p);
	free(ng.p);

	/* cut inside the first record: nothing to keep, so the open fails */
	char err[256];
	struct buf one = prefix(&b, 24 + 16 + 10);
	open_fails(&one, TQ_EBADREC, err, sizeof(err));
	assert_contains(err, "truncated last record");
	assert_contains(err, "frame 1");
	free(one.p);
	free(b.p);
}

/* A record longer than the file's snapshot length: refused, the frames before it kept. */
static void
test_caplen_past_snaplen(void **state)
{
	(void)state;
	struct buf b = slurp("link-eth.pcap");
	put_le32(b.p + 16, 80);                 /* snaplen 80: frame 5 (98 bytes) is the first past it */
	struct tq_capture *cap = open_ok(&b);
	assert_int_equal(tq_capture_count(cap), 4);
	const char *w = tq_capture_warning(cap);
	assert_contains(w, "frame 5");
	assert_contains(w, "captured length 98 is larger than the snapshot length 80");
	assert_contains(w, "kept the 4 frames before it");
	assert_frames_inside(cap);
	tq_capture_free(cap);

	char err[256];
	put_le32(b.p + 16, 60);                 /* the first frame is past it: nothing to keep */
	open_fails(&b, TQ_EBADREC, err, sizeof(err));
	assert_contains(err, "captured length 70 is larger than the snapshot length 60");
	free(b.p);

	/* pcapng: the snapshot length is each interface's; frames 3 and 4 are 118 bytes */
	struct buf ng = slurp("link-ifaces.pcapng");
	for (size_t off = 0; off + 16 <= ng.n; off += le32(ng.p + off + 4))
		if (le32(ng.p + off) == 1)
			put_le32(ng.p + off + 12, 100);
	cap = open_ok(&ng);
	assert_int_equal(tq_capture_count(cap), 2);
	assert_contains(tq_capture_warning(cap), "frame 3: captured length 118 is larger than the snapshot length 100 of its interface");
	assert_contains(tq_capture_warning(cap), "kept the 2 frames before it");
	tq_capture_free(cap);
	free(ng.p);
}

/* A record claiming more than 256 KiB is refused before its bytes are read. */
static void
test_caplen_past_256k(void **state)
{
	(void)state;
	struct buf b = slurp("link-eth.pcap");
	size_t r = pcap_record(&b, 4);
	put_le32(b.p + r + 8, 300000);
	put_le32(b.p + r + 12, 300000);
	struct tq_capture *cap = open_ok(&b);
	assert_int_equal(tq_capture_count(cap), 4);
	assert_contains(tq_capture_warning(cap), "frame 5: captured length 300000 is larger than 256 KiB");
	assert_contains(tq_capture_warning(cap), "kept the 4 frames before it");
	tq_capture_free(cap);

	/* pcapng: the third packet block claims 300000 bytes */
	struct buf ng = slurp("link-ifaces.pcapng");
	unsigned epb = 0;
	for (size_t off = 0; off + 24 <= ng.n; off += le32(ng.p + off + 4))
		if (le32(ng.p + off) == 6 && ++epb == 3)
			put_le32(ng.p + off + 20, 300000);
	cap = open_ok(&ng);
	assert_int_equal(tq_capture_count(cap), 2);
	assert_contains(tq_capture_warning(cap), "frame 3: captured length 300000 is larger than 256 KiB");
	tq_capture_free(cap);
	free(ng.p);

	/* just past the limit, with the bytes really there */
	struct growbuf g = { NULL, 0, 0 };
	gput(&g, b.p, 24);
	put_le32(g.p + 16, 0x7fffffff);
	uint8_t rec[16];
	memcpy(rec, b.p + 24, 8);
	put_le32(rec + 8, TQ_MAX_CAPLEN + 1);
	put_le32(rec + 12, TQ_MAX_CAPLEN + 1);
	gput(&g, rec, 16);
	uint8_t *big = calloc(1, TQ_MAX_CAPLEN + 1);
	assert_non_null(big);
	gput(&g, big, TQ_MAX_CAPLEN + 1);
	free(big);
	struct buf gb = { g.p, g.n };
	char err[256];
	open_fails(&gb, TQ_EBADREC, err, sizeof(err));
	assert_contains(err, "256 KiB");
	assert_contains(err, "frame 1");

	/* and exactly at the limit it is a frame */
	put_le32(g.p + 24 + 8, TQ_MAX_CAPLEN);
	put_le32(g.p + 24 + 12, TQ_MAX_CAPLEN);
	gb.n = g.n - 1;
	cap = open_ok(&gb);
	assert_int_equal(tq_capture_count(cap), 1);
	uint32_t caplen;
	assert_non_null(tq_capture_frame_bytes(cap, 1, &caplen));
	assert_int_equal(caplen, TQ_MAX_CAPLEN);
	tq_capture_free(cap);
	free(g.p);
	free(b.p);
}

/*
 * A pcap record whose microseconds are a second or more (found by the fuzzer:
 * libpcap scales them unchecked, and the frame's time went negative):
 * the excess is carried into the seconds.
 */
static void
test_usec_past_a_second(void **state)
{
	(void)state;
	struct buf b = slurp("link-eth.pcap");
	uint32_t sec = le32(b.p + 24);
	put_le32(b.p + 24 + 4, 1500000);
	size_t r2 = pcap_record(&b, 1);
	put_le32(b.p + r2 + 4, 0xffffffffu);
	struct tq_capture *cap = open_ok(&b);
	assert_true(cap->frames[0].sec == (int64_t)sec + 1);
	assert_int_equal(cap->frames[0].nsec, 500000000);
	/* libpcap's 32-bit scaling loses this one; it must still be a valid time */
	assert_true(cap->frames[1].sec >= (int64_t)le32(b.p + r2));
	for (uint32_t i = 0; i < tq_capture_count(cap); i++)
		assert_true(cap->frames[i].nsec < 1000000000u);
	dissect_all(cap);
	tq_capture_free(cap);
	free(b.p);
}

/* ------------------------------------------------------------------ limits */

/* capture.c's limits on a pcapng file, as its messages name them. */
#define MAX_IFACES   65536u
#define MAX_SECTIONS 65536u

/* A Section Header Block without options. */
static void
gshb(struct growbuf *g)
{
	gput32(g, 0x0a0d0d0a);
	gput32(g, 28);
	gput32(g, 0x1a2b3c4d);
	gput16(g, 1);
	gput16(g, 0);
	gput32(g, 0xffffffff);
	gput32(g, 0xffffffff);
	gput32(g, 28);
}

/* An Ethernet Interface Description Block, with an if_name when name is not NULL. */
static void
gidb(struct growbuf *g, const char *name)
{
	struct growbuf o = { NULL, 0, 0 };
	if (name) {
		gopt(&o, 2, name, (uint16_t)strlen(name));
		gopt(&o, 0, NULL, 0);
	}
	uint32_t len = 20 + (uint32_t)o.n;
	gput32(g, 1);
	gput32(g, len);
	gput16(g, 1);
	gput16(g, 0);
	gput32(g, 262144);
	gput(g, o.p, o.n);
	gput32(g, len);
	free(o.p);
}

/* Record i of the microsecond pcap as an Enhanced Packet Block on interface iface. */
static void
gepb(struct growbuf *g, const struct buf *pcap, unsigned i, uint32_t iface)
{
	static const uint8_t zero[4];
	size_t off = pcap_record(pcap, i);
	uint32_t incl = le32(pcap->p + off + 8), pad = (4u - incl % 4u) % 4u;
	uint64_t t = (uint64_t)le32(pcap->p + off) * 1000000u + le32(pcap->p + off + 4);
	uint32_t blen = 32 + incl + pad;
	gput32(g, 6);
	gput32(g, blen);
	gput32(g, iface);
	gput32(g, (uint32_t)(t >> 32));
	gput32(g, (uint32_t)t);
	gput32(g, incl);
	gput32(g, le32(pcap->p + off + 12));
	gput(g, pcap->p + off + 16, incl);
	gput(g, zero, pad);
	gput32(g, blen);
}

/*
 * A hostile pcapng: nsec sections, the last of them with nidb interfaces
 * (the first named "first", the last "last"), then frames 1 and 2 of
 * link-eth.pcap on its first and its last interface.
 */
static struct buf
many_blocks(const struct buf *eth, uint32_t nsec, uint32_t nidb)
{
	struct growbuf g = { NULL, 0, 0 };
	for (uint32_t i = 0; i < nsec; i++)
		gshb(&g);
	for (uint32_t i = 0; i < nidb; i++)
		gidb(&g, i == 0 ? "first" : i == nidb - 1 ? "last" : NULL);
	gepb(&g, eth, 0, 0);
	gepb(&g, eth, 1, nidb - 1);
	struct buf b = { g.p, g.n };
	return b;
}

/* The text of frame num holds want. */
static void
assert_frame_text(struct tq_capture *cap, uint32_t num, const char *want)
{
	struct tq_sbuf out;
	tq_sbuf_init(&out, 0);
	struct tq_tree *t = tq_dissect(cap, num, NULL);
	assert_non_null(t);
	tq_write_text(t, &out);
	assert_contains(tq_sbuf_str(&out), want);
	tq_tree_free(t);
	tq_sbuf_free(&out);
}

/*
 * 200,000 interface description blocks (once 0.9 s to open, and over ten
 * minutes under ASan, as the interface table grew by one each time): past
 * the limit the file is refused, and says so; at the limit it opens, and
 * frames find their interfaces at both ends of the table.
 */
static void
test_pcapng_many_interfaces(void **state)
{
	(void)state;
	char err[512];
	struct buf eth = slurp("link-eth.pcap");
	struct buf b = many_blocks(&eth, 1, 200000);
	open_fails(&b, TQ_ETOOBIG, err, sizeof(err));
	assert_contains(err, "interfaces");
	assert_contains(err, "65536");
	free(b.p);

	b = many_blocks(&eth, 1, MAX_IFACES + 1);
	open_fails(&b, TQ_ETOOBIG, err, sizeof(err));
	assert_contains(err, "65536");
	free(b.p);

	b = many_blocks(&eth, 1, MAX_IFACES);
	struct tq_capture *cap = open_ok(&b);
	assert_null(tq_capture_warning(cap));
	assert_int_equal(cap->nifaces, MAX_IFACES);
	assert_int_equal(tq_capture_count(cap), 2);
	assert_int_equal(cap->frames[0].iface, 0);
	assert_int_equal(cap->frames[1].iface, MAX_IFACES - 1);
	assert_string_equal(cap->ifaces[MAX_IFACES - 1].name, "last");
	assert_true(tq_capture_memory(cap) >= b.n + MAX_IFACES * sizeof(struct tq_iface));
	for (uint32_t i = 0; i < 2; i++) {
		uint32_t caplen;
		const uint8_t *p = tq_capture_frame_bytes(cap, i + 1, &caplen);
		size_t off = pcap_record(&eth, i);
		assert_int_equal(caplen, le32(eth.p + off + 8));
		assert_memory_equal(p, eth.p + off + 16, caplen);
	}
	assert_frames_inside(cap);
	assert_frame_text(cap, 1, "on interface first, id 0\n");
	assert_frame_text(cap, 2, "on interface last, id 65535\n");
	tq_capture_free(cap);
	free(b.p);
	free(eth.p);
}

/* The same for sections: one past the limit is refused, as many as it allows open. */
static void
test_pcapng_many_sections(void **state)
{
	(void)state;
	char err[512];
	struct buf eth = slurp("link-eth.pcap");
	struct buf b = many_blocks(&eth, MAX_SECTIONS + 1, 2);
	open_fails(&b, TQ_ETOOBIG, err, sizeof(err));
	assert_contains(err, "sections");
	assert_contains(err, "65536");
	free(b.p);

	b = many_blocks(&eth, MAX_SECTIONS, 2);
	struct tq_capture *cap = open_ok(&b);
	assert_int_equal(cap->nifaces, 2);
	assert_int_equal(tq_capture_count(cap), 2);
	assert_frame_text(cap, 2, "on interface last, id 1\n    Section number: 65536\n");
	tq_capture_free(cap);
	free(b.p);
	free(eth.p);
}

/* Frame accessors refuse what does not exist. */
static void
test_frame_range(void **state)
{
	(void)state;
	struct buf b = slurp("link-eth.pcap");
	struct tq_capture *cap = open_ok(&b);
	uint32_t caplen = 12345;
	assert_null(tq_capture_frame_bytes(cap, 0, &caplen));
	assert_null(tq_capture_frame_bytes(cap, 35, &caplen));
	assert_int_equal(caplen, 12345);
	assert_non_null(tq_capture_frame_bytes(cap, 34, &caplen));
	assert_int_equal(caplen, cap->frames[33].caplen);
	int e = 0;
	assert_null(tq_dissect(cap, 0, &e));
	assert_int_equal(e, TQ_ERANGE);
	assert_null(tq_dissect(cap, 35, &e));
	assert_int_equal(e, TQ_ERANGE);
	assert_null(tq_capture_frame_bytes(NULL, 1, &caplen));
	assert_int_equal(tq_capture_count(NULL), 0);
	tq_capture_free(NULL);
	tq_capture_free(cap);
	free(b.p);
}

/* ------------------------------------------------------------------ memory */

/*
 * tq_capture_memory(), for a cache of captures: at least the file and its
 * frame table, not far past them (the table's first 1,024 entries and an
 * arena block are the floor), more for a larger capture, and the same
 * whether the file was copied or mapped.  Loading on threads, the figure
 * only grows up to the one the capture ends with.
 */
static void
test_capture_memory(void **state)
{
	(void)state;
	static const char *const names[] = {
		"tcp-handshake-eth-ipv4.pcap",      /* 1 KB */
		"tls-port-reuse-eth-ipv4.pcap",     /* 170 KB */
	};
	size_t mem[2];
	assert_int_equal(tq_capture_memory(NULL), 0);
	for (size_t i = 0; i < 2; i++) {
		struct buf b = slurp(names[i]);
		struct tq_capture *cap = open_ok(&b);
		mem[i] = tq_capture_memory(cap);
		if (mem[i] < b.n + tq_capture_count(cap) * sizeof(struct tq_frame) || mem[i] > 4 * b.n + (128u << 10))
			fail_msg("%s: %zu bytes of memory for a file of %zu", names[i], mem[i], b.n);
		/* pass 2 keeps nothing in the capture */
		dissect_all(cap);
		assert_int_equal(tq_capture_memory(cap), mem[i]);
		tq_capture_free(cap);

		char path[4096], err[256];
		data_path(path, sizeof(path), names[i]);
		assert_int_equal(tq_capture_open_file(path, &cap, err, sizeof(err)), 0);
		assert_int_equal(tq_capture_memory(cap), mem[i]);
		tq_capture_free(cap);
		free(b.p);
	}
	assert_true(mem[1] > mem[0]);

	/* a pcap file (only those load on threads), however small */
	char path[4096], err[256];
	data_path(path, sizeof(path), "tcp-bulk-eth-ipv6.pcap");
	setenv("TQ_ASYNC_MIN", "0", 1);
	struct tq_capture *cap = NULL;
	assert_int_equal(tq_capture_open_file_async(path, &cap, err, sizeof(err)), 0);
	unsetenv("TQ_ASYNC_MIN");
	size_t early = tq_capture_memory(cap);
	tq_capture_wait_loaded(cap);
	size_t late = tq_capture_memory(cap);
	assert_true(early >= cap->size);
	assert_true(early <= late);
	assert_true(late >= cap->size + tq_capture_count(cap) * sizeof(struct tq_frame) + cap->state.total);
	tq_capture_free(cap);
}

/* The Protocol column of frame num of b opened with the decode-as rules (NULL: none). */
static char *
proto_with(const struct buf *b, uint32_t num, const char *const *rules)
{
	struct tq_decode_as r[TQ_MAX_DECODE_AS];
	struct tq_open_opts o = { .decode_as = r };
	char err[400];
	for (; rules && *rules; rules++) {
		if (tq_decode_as_parse(*rules, &r[o.ndecode_as], err, sizeof(err)) != 0)
			fail_msg("%s: %s", *rules, err);
		o.ndecode_as++;
	}
	struct tq_capture *cap = NULL;
	assert_int_equal(tq_capture_open_mem_opts(b->p, b->n, &o, &cap, err, sizeof(err)), 0);
	struct tq_columns cols;
	struct tq_sbuf scratch;
	tq_sbuf_init(&scratch, 0);
	assert_int_equal(tq_columns_get(cap, num, &cols, &scratch), 0);
	char *p = strdup(cols.proto);
	tq_sbuf_free(&scratch);
	tq_capture_free(cap);
	return p;
}

static void
test_decode_as(void **state)
{
	(void)state;
	struct tq_decode_as r;
	char err[400];
	static const struct { const char *rule, *says; } bad[] = {
		{ "tcp.port=25,smtp", "expected TABLE==VALUE,PROTOCOL" },
		{ "tcpp.port==25,smtp", "unknown table" },
		{ "tcp.port==70000,smtp", "a number up to 65535" },
		{ "ip.proto==256,tcp", "a number up to 65535 (255 for ip.proto)" },
		{ "tcp.port==x,smtp", "a number" },
		{ "tcp.port==30-20,smtp", "LOW <= HIGH" },
		{ "tcp.port==25", "a comma and a protocol" },
		{ "tcp.port==25,nosuch", "no protocol named \"nosuch\"; known: data" },
		{ "tcp.port==25,", "no protocol named" },
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err[0] = '\0';
		assert_int_equal(tq_decode_as_parse(bad[i].rule, &r, err, sizeof(err)), TQ_EINVAL);
		if (!strstr(err, bad[i].says) || !strstr(err, bad[i].rule))
			fail_msg("%s: \"%s\" does not say \"%s\"", bad[i].rule, err, bad[i].says);
	}
	assert_int_equal(tq_decode_as_parse("tcp.port==8000-8010,TLS", &r, err, sizeof(err)), 0);
	assert_int_equal(r.lo, 8000);
	assert_int_equal(r.hi, 8010);
	assert_int_equal(tq_decode_as_parse("ethertype==0x0800,ip", &r, err, sizeof(err)), 0);
	assert_int_equal(r.lo, 0x0800);

	/* SMTP on port 25 as it is, then its port decoded as data; frame 4 is the server's greeting */
	struct buf b = slurp("smtp-plain-25-eth-ipv6.pcap");
	static const char *const as_data[] = { "tcp.port==25,data", NULL };
	char *p = proto_with(&b, 4, NULL);
	assert_string_equal(p, "SMTP");
	free(p);
	p = proto_with(&b, 4, as_data);
	assert_string_equal(p, "TCP");
	free(p);
	free(b.p);

	/* TLS found by its look on port 5556, then the port decoded as SMTP: the rule beats the heuristic */
	b = slurp("tls-heuristic-port.pcap");
	static const char *const as_smtp[] = { "tcp.port==5556,smtp", NULL };
	p = proto_with(&b, 5, NULL);
	assert_string_equal(p, "TLSv1.2");
	free(p);
	p = proto_with(&b, 5, as_smtp);
	assert_string_equal(p, "SMTP");
	free(p);
	free(b.p);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pcap_nsec_timestamps),
		cmocka_unit_test(test_decode_as),
		cmocka_unit_test(test_pcap_usec_same_frames),
		cmocka_unit_test(test_pcapng_same_frames),
		cmocka_unit_test(test_pcapng_two_interfaces),
		cmocka_unit_test(test_pcapng_two_sections),
		cmocka_unit_test(test_file_and_memory_agree),
		cmocka_unit_test(test_snaplen_frames),
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_missing_file_and_directory),
		cmocka_unit_test(test_not_a_capture),
		cmocka_unit_test(test_unknown_linktype),
		cmocka_unit_test(test_truncated_header),
		cmocka_unit_test(test_truncated_last_record),
		cmocka_unit_test(test_caplen_past_snaplen),
		cmocka_unit_test(test_caplen_past_256k),
		cmocka_unit_test(test_usec_past_a_second),
		cmocka_unit_test(test_pcapng_many_interfaces),
		cmocka_unit_test(test_pcapng_many_sections),
		cmocka_unit_test(test_frame_range),
		cmocka_unit_test(test_capture_memory),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
