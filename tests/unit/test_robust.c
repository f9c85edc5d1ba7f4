/*
 * test_robust.c - the dissectors and writers on damaged input: every frame of
 * every capture in tests/data (and tests/data/regress) is dissected whole;
 * then one frame of each shape is cut short at many lengths (every length up
 * to 256 bytes) and changed at random, each time as a one-frame capture made
 * in memory; and rounds of random changes go over whole captures.  Each tree
 * is built and every writer run (text, PDML, JSON, packet-list columns).
 * Meant for the sanitizer build (--enable-sanitizers), where a read past the
 * captured bytes, a leak or undefined behaviour fails the run; the defaults
 * keep that run near a minute or two.
 *
 *   TQ_ROBUST_SEED    seed of the random changes (default 1; printed at the start)
 *   TQ_ROBUST_FLIPS   changed copies of each frame (default 64; 300 for a deeper run)
 *   TQ_ROBUST_ROUNDS  rounds of changes spread over a whole capture, which
 *                     reach conversation and reassembly state (default 8)
 *   TQ_ROBUST_CUTS    cut lengths of a frame longer than 256 bytes past its
 *                     first 128 and last 16 (default 128, spread evenly);
 *                     "all": every length from 0 to the frame's caplen
 *   TQ_ROBUST_SHAPES  frames of one shape (same protocols in frame, same
 *                     caplen) that are cut and changed one by one (default 1;
 *                     0: every frame).  A bulk transfer repeats one shape
 *                     many times over; every frame is still dissected whole
 *                     and takes part in the whole-capture rounds.
 *   TQ_ROBUST_ONLY    a substring: only the captures whose name contains it
 *   TQ_ROBUST_PART    K/N: only the K-th of every N captures in name order
 *                     (make check runs 1/2 and 2/2 side by side: see
 *                     tests/robust-part.sh); part 1 also runs the regressions
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "internal.h"
#include "tq.h"

#define OUT_MAX (64u << 20)     /* no writer should need this much for one frame */

static uint64_t rng;
static unsigned nflips = 64, nrounds = 8, nshapes = 1;
static unsigned ncuts = 128;            /* 0: every length */
static const char *only;
static unsigned part_k = 1, part_n = 1;  /* TQ_ROBUST_PART */
static unsigned long long dissected;

/* splitmix64: small, seeded, the same on every platform */
static uint64_t
rnd(void)
{
	uint64_t z = (rng += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static unsigned
env_uint(const char *name, unsigned def)
{
	const char *s = getenv(name);
	if (!s || !*s)
		return def;
	char *end;
	unsigned long v = strtoul(s, &end, 0);
	return *end ? def : (unsigned)v;
}

struct buf {
	uint8_t *p;
	size_t n;
};

static struct buf
slurp(const char *path)
{
	FILE *fp = fopen(path, "rb");
	if (!fp)
		fail_msg("cannot open %s: %s", path, strerror(errno));
	struct buf b = { NULL, 0 };
	size_t cap = 0;
	for (;;) {
		if (b.n == cap) {
			cap = cap ? cap * 2 : 65536;
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

static void
put_le32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

/* ------------------------------------------------------------------ checks */

/* Every node names a data source the tree has; its bytes, where shown, lie inside it. */
static void
check_nodes(const struct tq_tree *t, const struct tq_node *n, int depth)
{
	assert_true(depth < 200);
	for (; n; n = n->next) {
		assert_true(n->ds < t->nds);
		uint32_t len;
		const char *b = tq_node_ds_bytes(t, n, &len);
		if (b) {
			const struct tq_ds *d = &t->ds[n->ds];
			assert_true((const uint8_t *)b >= d->data);
			assert_true((const uint8_t *)b + len <= d->data + d->len);
		}
		check_nodes(t, n->child, depth + 1);
	}
}

/*
 * Builds frame num's tree, runs every writer on it and checks what they
 * wrote; the JSON is parsed back when parse is set (jansson's parse costs
 * as much as the rest under ASan, so cut and changed frames sample it).
 */
static void
dissect_write(struct tq_capture *cap, uint32_t num, struct tq_sbuf *out, int parse)
{
	int e = -1;
	struct tq_tree *t = tq_dissect(cap, num, &e);
	assert_non_null(t);
	assert_int_equal(e, 0);
	assert_non_null(tq_tree_root(t)->child);          /* at least the frame item */
	check_nodes(t, tq_tree_root(t)->child, 0);

	tq_sbuf_reset(out);
	tq_write_text(t, out);
	assert_int_equal(out->err, 0);
	assert_true(out->len > 0);
	assert_int_equal(strlen(tq_sbuf_str(out)), out->len);   /* no NUL inside */

	tq_sbuf_reset(out);
	tq_write_pdml_header(cap, "robust", out);
	tq_write_pdml_packet(t, out);
	tq_write_pdml_footer(out);
	assert_int_equal(out->err, 0);
	assert_non_null(strstr(tq_sbuf_str(out), "</packet>"));
	assert_int_equal(strlen(tq_sbuf_str(out)), out->len);

	tq_sbuf_reset(out);
	tq_write_json(t, out);
	assert_int_equal(out->err, 0);
	assert_true(out->len > 2 && out->s[0] == '{' && out->s[out->len - 1] == '}');
	if (parse) {
		json_error_t jerr;
		json_t *j = json_loadb(out->s, out->len, 0, &jerr);
		if (!j)
			fail_msg("frame %u: JSON does not parse: %s", num, jerr.text);
		json_decref(j);
	}
	tq_tree_free(t);

	struct tq_columns cols;
	tq_sbuf_reset(out);
	assert_int_equal(tq_columns_get(cap, num, &cols, out), 0);
	assert_int_equal(cols.num, num);
	struct tq_sbuf line;
	tq_sbuf_init(&line, OUT_MAX);
	tq_columns_line(&cols, &line);
	assert_int_equal(line.err, 0);
	assert_true(line.len > 0 && line.s[line.len - 1] == '\n');
	tq_sbuf_free(&line);
	dissected++;
}

/* Opens buf; when it opens, dissects and writes every frame. */
static void
open_dissect_all(const uint8_t *p, size_t n, struct tq_sbuf *out)
{
	struct tq_capture *cap = NULL;
	char err[512];
	if (tq_capture_open_mem(p, n, &cap, err, sizeof(err)) != 0) {
		assert_null(cap);
		assert_true(err[0] != '\0');
		return;
	}
	for (uint32_t i = 1; i <= tq_capture_count(cap); i++)
		dissect_write(cap, i, out, 1);
	tq_capture_free(cap);
}

/* ------------------------------------------------------------------ one-frame captures */

/* The LINKTYPE_ value a pcap file carries for a libpcap DLT_ value. */
static uint32_t
linktype_of(int dlt)
{
	return dlt == 12 || dlt == 14 ? 101 : (uint32_t)dlt;
}

/*
 * A nanosecond pcap holding one frame: data[0..caplen) as captured, len on
 * the wire.  The record's bytes sit at the very end of an exact-size heap
 * buffer, so that a read past them is out of bounds for ASan.
 */
static struct buf
one_frame(int dlt, const struct tq_frame *fr, const uint8_t *data, uint32_t caplen)
{
	struct buf b = { malloc(24 + 16 + (size_t)caplen), 24 + 16 + (size_t)caplen };
	assert_non_null(b.p);
	put_le32(b.p, 0xa1b23c4du);
	b.p[4] = 2, b.p[5] = 0, b.p[6] = 4, b.p[7] = 0;
	put_le32(b.p + 8, 0);
	put_le32(b.p + 12, 0);
	put_le32(b.p + 16, TQ_MAX_CAPLEN);
	put_le32(b.p + 20, linktype_of(dlt));
	put_le32(b.p + 24, (uint32_t)fr->sec);
	put_le32(b.p + 28, fr->nsec);
	put_le32(b.p + 32, caplen);
	put_le32(b.p + 36, fr->len > caplen ? fr->len : caplen);
	memcpy(b.p + 40, data, caplen);
	return b;
}

/* Dissects the one-frame capture in b, which must open. */
static void
dissect_one(const struct buf *b, struct tq_sbuf *out, const char *what, int parse)
{
	struct tq_capture *cap = NULL;
	char err[512];
	if (tq_capture_open_mem(b->p, b->n, &cap, err, sizeof(err)) != 0)
		fail_msg("%s: %s", what, err);
	assert_int_equal(tq_capture_count(cap), 1);
	dissect_write(cap, 1, out, parse);
	tq_capture_free(cap);
}

/* Changes 1 to 4 random bytes of data[0..n): random values, and the edge values 0x00/0xff/0x80. */
static void
flip(uint8_t *data, uint32_t n)
{
	if (n == 0)
		return;
	unsigned k = 1 + (unsigned)(rnd() % 4);
	for (unsigned i = 0; i < k; i++) {
		uint32_t at = (uint32_t)(rnd() % n);
		uint64_t r = rnd();
		switch (r % 8) {
		case 0: data[at] = 0x00; break;
		case 1: data[at] = 0xff; break;
		case 2: data[at] ^= 0x80; break;
		default: data[at] ^= (uint8_t)(1 + (r >> 8) % 255); break;
		}
	}
}

struct names_count {
	char **key;
	unsigned *count;
	size_t n;
};

/* "protocols/caplen" of frame num, as its tree's frame.protocols says. */
static void
frame_shape(struct tq_capture *cap, uint32_t num, char *buf, size_t len)
{
	struct tq_tree *t = tq_dissect(cap, num, NULL);
	assert_non_null(t);
	const char *protos = "";
	int plen = 0;
	for (const struct tq_node *n = tq_tree_root(t)->child ? tq_tree_root(t)->child->child : NULL; n; n = n->next) {
		if (n->f && !strcmp(n->f->abbrev, "frame.protocols")) {
			protos = (const char *)n->v.b.p;
			plen = (int)n->v.b.n;
		}
	}
	snprintf(buf, len, "%.*s/%u", plen, protos, cap->frames[num - 1].caplen);
	tq_tree_free(t);
}

/* Whether another frame of this shape is still to be cut and changed. */
static int
want_shape(struct names_count *seen, const char *shape)
{
	if (nshapes == 0)
		return 1;
	for (size_t i = 0; i < seen->n; i++) {
		if (!strcmp(seen->key[i], shape))
			return seen->count[i]++ < nshapes;
	}
	seen->key = realloc(seen->key, (seen->n + 1) * sizeof(*seen->key));
	seen->count = realloc(seen->count, (seen->n + 1) * sizeof(*seen->count));
	assert_non_null(seen->key);
	assert_non_null(seen->count);
	seen->key[seen->n] = strdup(shape);
	seen->count[seen->n] = 1;
	seen->n++;
	return 1;
}

/*
 * The cut length after k for a frame of caplen bytes: every length when the
 * frame is short (or ncuts is 0), else the first 128 and the last 16 lengths,
 * where headers begin and end, and ncuts lengths spread between them.
 */
static uint32_t
next_cut(uint32_t k, uint32_t caplen)
{
	if (ncuts == 0 || caplen <= 256 || k < 128 || k + 16 >= caplen)
		return k + 1;
	uint32_t step = (caplen - 144) / ncuts + 1;
	uint32_t n = k + step;
	return n + 16 > caplen ? caplen - 16 : n;
}

/* Cuts of every frame of cap, then nflips changed copies of each (nshapes of a shape). */
static void
frames_one_by_one(struct tq_capture *cap, struct tq_sbuf *out, const char *name)
{
	int dlt = tq_capture_linktype(cap);
	struct names_count seen = { NULL, NULL, 0 };
	for (uint32_t i = 1; i <= tq_capture_count(cap); i++) {
		uint32_t caplen;
		const uint8_t *data = tq_capture_frame_bytes(cap, i, &caplen);
		const struct tq_frame *fr = &cap->frames[i - 1];
		char what[512];
		frame_shape(cap, i, what, sizeof(what));
		if (!want_shape(&seen, what))
			continue;
		for (uint32_t k = 0; k <= caplen; k = next_cut(k, caplen)) {
			struct buf b = one_frame(dlt, fr, data, k);
			snprintf(what, sizeof(what), "%s frame %u cut to %u", name, i, k);
			dissect_one(&b, out, what, k % 16 == 0 || k == caplen);
			free(b.p);
		}
		struct buf b = one_frame(dlt, fr, data, caplen);
		for (unsigned f = 0; f < nflips; f++) {
			memcpy(b.p + 40, data, caplen);
			flip(b.p + 40, caplen);
			snprintf(what, sizeof(what), "%s frame %u flip %u", name, i, f);
			dissect_one(&b, out, what, f % 16 == 0);
		}
		free(b.p);
	}
	for (size_t i = 0; i < seen.n; i++)
		free(seen.key[i]);
	free(seen.key);
	free(seen.count);
}

/*
 * Rounds of changes spread over the frames of the whole file (never its
 * headers), which reach conversation, stream and reassembly state.
 */
static void
whole_capture_rounds(const struct buf *file, struct tq_capture *cap, struct tq_sbuf *out)
{
	uint32_t n = tq_capture_count(cap);
	if (n == 0)
		return;
	struct buf w = { malloc(file->n), file->n };
	assert_non_null(w.p);
	for (unsigned r = 0; r < nrounds; r++) {
		memcpy(w.p, file->p, file->n);
		unsigned changes = 1 + (unsigned)(rnd() % (2 * n + 1));
		for (unsigned c = 0; c < changes; c++) {
			const struct tq_frame *fr = &cap->frames[rnd() % n];
			flip(w.p + fr->off, fr->caplen);
		}
		open_dissect_all(w.p, w.n, out);
	}
	free(w.p);
}

/* ------------------------------------------------------------------ captures */

struct names {
	char **v;
	size_t n;
};

static void
add_dir(struct names *nm, const char *dir)
{
	DIR *d = opendir(dir);
	if (!d)
		return;
	struct dirent *e;
	while ((e = readdir(d))) {
		size_t l = strlen(e->d_name);
		int cap = (l > 5 && !strcmp(e->d_name + l - 5, ".pcap")) ||
		    (l > 7 && !strcmp(e->d_name + l - 7, ".pcapng"));
		if (!cap || (only && !strstr(e->d_name, only)))
			continue;
		nm->v = realloc(nm->v, (nm->n + 1) * sizeof(*nm->v));
		assert_non_null(nm->v);
		size_t len = strlen(dir) + l + 2;
		nm->v[nm->n] = malloc(len);
		assert_non_null(nm->v[nm->n]);
		snprintf(nm->v[nm->n], len, "%s/%s", dir, e->d_name);
		nm->n++;
	}
	closedir(d);
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static const char *
data_dir(void)
{
	const char *d = getenv("TQ_DATA");
	return d && *d ? d : "tests/data";
}

static struct names
all_captures(const char *sub)
{
	struct names nm = { NULL, 0 };
	char dir[4096];
	if (sub)
		snprintf(dir, sizeof(dir), "%s/%s", data_dir(), sub);
	else
		snprintf(dir, sizeof(dir), "%s", data_dir());
	add_dir(&nm, dir);
	if (nm.n)
		qsort(nm.v, nm.n, sizeof(*nm.v), cmp_str);
	return nm;
}

static void
free_names(struct names *nm)
{
	for (size_t i = 0; i < nm->n; i++)
		free(nm->v[i]);
	free(nm->v);
}

/* Whole captures of tests/data, every frame, every writer, then cut and changed. */
static void
test_captures(void **state)
{
	(void)state;
	struct names nm = all_captures(NULL);
	if (!only)
		assert_true(nm.n >= 14);          /* the link-layer captures at least */
	struct tq_sbuf out;
	tq_sbuf_init(&out, OUT_MAX);
	for (size_t i = 0; i < nm.n; i++) {
		if (i % part_n != part_k - 1)
			continue;
		clock_t t0 = clock();
		unsigned long long before = dissected;
		struct buf file = slurp(nm.v[i]);
		struct tq_capture *cap = NULL;
		char err[512];
		if (tq_capture_open_mem(file.p, file.n, &cap, err, sizeof(err)) != 0)
			fail_msg("%s: %s", nm.v[i], err);
		for (uint32_t f = 1; f <= tq_capture_count(cap); f++)
			dissect_write(cap, f, &out, 1);
		frames_one_by_one(cap, &out, nm.v[i]);
		whole_capture_rounds(&file, cap, &out);
		tq_capture_free(cap);
		free(file.p);
		print_message("  %-48s %7llu dissections %6.2f s\n", strrchr(nm.v[i], '/') + 1,
		    dissected - before, (double)(clock() - t0) / CLOCKS_PER_SEC);
	}
	tq_sbuf_free(&out);
	free_names(&nm);
}

/*
 * Inputs that broke the library once (tests/data/regress, from the fuzzer or
 * from this test): each opens or fails cleanly, and its frames dissect.
 */
static void
test_regressions(void **state)
{
	(void)state;
	if (part_k != 1) {
		print_message("  the regressions are part 1's\n");
		return;
	}
	struct names nm = all_captures("regress");
	struct tq_sbuf out;
	tq_sbuf_init(&out, OUT_MAX);
	for (size_t i = 0; i < nm.n; i++) {
		struct buf file = slurp(nm.v[i]);
		open_dissect_all(file.p, file.n, &out);
		/* and every cut of the file itself, which reaches capture.c's record checks */
		for (size_t k = 0; k < file.n; k++) {
			struct buf c = { malloc(k ? k : 1), k };
			assert_non_null(c.p);
			memcpy(c.p, file.p, k);
			open_dissect_all(c.p, c.n, &out);
			free(c.p);
		}
		free(file.p);
	}
	print_message("  %zu regression inputs\n", nm.n);
	tq_sbuf_free(&out);
	free_names(&nm);
}

int
main(void)
{
	rng = env_uint("TQ_ROBUST_SEED", 1);
	nflips = env_uint("TQ_ROBUST_FLIPS", 64);
	nrounds = env_uint("TQ_ROBUST_ROUNDS", 8);
	nshapes = env_uint("TQ_ROBUST_SHAPES", 1);
	const char *cuts = getenv("TQ_ROBUST_CUTS");
	ncuts = cuts && !strcmp(cuts, "all") ? 0 : env_uint("TQ_ROBUST_CUTS", 128);
	only = getenv("TQ_ROBUST_ONLY");
	if (only && !*only)
		only = NULL;
	const char *part = getenv("TQ_ROBUST_PART");
	if (part && *part && (sscanf(part, "%u/%u", &part_k, &part_n) != 2 || part_n == 0 ||
	    part_k == 0 || part_k > part_n)) {
		fprintf(stderr, "test_robust: TQ_ROBUST_PART must be K/N with 1 <= K <= N, not '%s'\n", part);
		return 2;
	}
	print_message("seed %llu, %u flips a frame, %u whole-capture rounds, %u frames a shape, "
	    "%u spread cuts (0: all) (TQ_ROBUST_SEED, _FLIPS, _ROUNDS, _SHAPES, _CUTS)\n",
	    (unsigned long long)rng, nflips, nrounds, nshapes, ncuts);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_captures),
		cmocka_unit_test(test_regressions),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);
	print_message("%llu frames dissected and written\n", dissected);
	return rc;
}
