/*
 * fuzz_expr.c - libFuzzer harness for the answer-key language: the input is
 * an expression's source (up to its first NUL).  It is parsed; when it parses
 * it is evaluated, with and without the explanation of where its value came
 * from, on a small capture of tests/data (SMTP, STARTTLS, TLS 1.2 with a
 * certificate, over TCP and IPv4: 31 frames).  Each input is also read as a
 * display filter (tq_filter_parse) and tried on every frame.  See README.md.
 *
 * It aborts when the library breaks its own contract: a failed parse that
 * leaves an expression, has no message or a position outside the source; a
 * parsed expression whose source is not the input; an index that cannot be
 * built; an evaluation with neither a value nor a message, or a value
 * without its origins when they were asked for.  AddressSanitizer and
 * UndefinedBehaviorSanitizer catch the rest; libFuzzer's -timeout catches an
 * evaluation that does not stop (the language's limits promise about a
 * second).
 *
 * The capture: $TQ_FUZZ_CAPTURE, else TQ_FUZZ_CAPTURE_DEFAULT (build.sh sets
 * it to tests/data/smtp-starttls-25-eth-ipv4.pcap of the source tree).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "expr.h"

#ifndef TQ_FUZZ_CAPTURE_DEFAULT
#define TQ_FUZZ_CAPTURE_DEFAULT "tests/data/smtp-starttls-25-eth-ipv4.pcap"
#endif

int LLVMFuzzerInitialize(int *argc, char ***argv);
/* Each field a filter names is registered and sits in its source. */
static void
check_use(void *arg, const struct tq_field_use *u)
{
	const char *src = arg;
	if (!u->abbrev || !tq_field_lookup(u->abbrev) || u->pos < 0 || (size_t)u->pos >= strlen(src))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct tq_capture *cap;

/*
 * Indexes by the set of fields they hold: an index depends only on the
 * capture and its fields, and most inputs read few, so building one (31
 * frames dissected) is done once per set, not once per input.
 */
#define NCACHE 64
#define MAXKEY 32
static struct {
	uint32_t key[MAXKEY];
	size_t nkey;
	struct tq_findex *ix;
} cache[NCACHE];
static unsigned cache_next;

static int
cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	return x < y ? -1 : x > y;
}

static struct tq_findex *
index_for(struct tq_expr *e, int *owned)
{
	const struct tq_field *const *fs;
	size_t n = tq_expr_fields(e, &fs);
	uint32_t key[MAXKEY];
	*owned = 0;
	if (n <= MAXKEY) {
		for (size_t i = 0; i < n; i++)
			key[i] = fs[i]->id;
		qsort(key, n, sizeof(key[0]), cmp_u32);
		for (unsigned i = 0; i < NCACHE; i++)
			if (cache[i].ix && cache[i].nkey == n && !memcmp(cache[i].key, key, n * sizeof(key[0])))
				return cache[i].ix;
	}
	struct tq_findex *ix;
	char err[256];
	if (tq_findex_build(cap, &e, 1, NULL, &ix, err, sizeof(err)) != 0 || !ix) {
		fprintf(stderr, "fuzz_expr: the index could not be built: %s\n", err);
		abort();
	}
	if (n > MAXKEY) {
		*owned = 1;
		return ix;
	}
	unsigned slot = cache_next++ % NCACHE;
	tq_findex_free(cache[slot].ix);
	memcpy(cache[slot].key, key, n * sizeof(key[0]));
	cache[slot].nkey = n;
	cache[slot].ix = ix;
	return ix;
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	const char *path = getenv("TQ_FUZZ_CAPTURE");
	if (!path || !*path)
		path = TQ_FUZZ_CAPTURE_DEFAULT;
	char err[512];
	if (tq_capture_open_file(path, &cap, err, sizeof(err)) != 0) {
		fprintf(stderr, "fuzz_expr: %s: %s (set TQ_FUZZ_CAPTURE)\n", path, err);
		abort();
	}
	return 0;
}

/* The same source as a display filter: parsed in filter mode, then tried on every frame. */
static void
as_filter(const char *src, size_t len)
{
	struct tq_expr *e = (struct tq_expr *)1;
	struct tq_expr_error err;
	memset(&err, 0x55, sizeof(err));
	if (tq_filter_parse(src, &e, &err) != 0) {
		if (e || !err.msg[0] || !memchr(err.msg, '\0', sizeof(err.msg)) || err.pos < -1 || err.pos > (int)len)
			abort();
		return;
	}
	if (!e || strcmp(tq_expr_source(e), src) != 0)
		abort();
	tq_expr_uses(e, check_use, (void *)src);
	int owned;
	struct tq_findex *ix = index_for(e, &owned);
	uint8_t sel[64];
	if (tq_capture_count(cap) > sizeof(sel))
		abort();
	memset(sel, 0x55, sizeof(sel));
	struct tq_expr_error ee;
	memset(&ee, 0x55, sizeof(ee));
	if (tq_filter_select(ix, e, sel, &ee) != 0) {
		if (!ee.msg[0] || !memchr(ee.msg, '\0', sizeof(ee.msg)) || ee.pos < -1 || ee.pos > (int)len)
			abort();
	} else {
		for (uint32_t i = 0; i < tq_capture_count(cap); i++)
			if (sel[i] > 1)
				abort();
	}
	if (owned)
		tq_findex_free(ix);
	tq_expr_free(e);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *src = malloc(size + 1);
	if (!src)
		return 0;
	memcpy(src, data, size);
	src[size] = '\0';
	size_t len = strlen(src);

	as_filter(src, len);

	struct tq_expr *e = (struct tq_expr *)1;
	struct tq_expr_error err;
	memset(&err, 0x55, sizeof(err));
	if (tq_expr_parse(src, &e, &err) != 0) {
		/* a failure says what and where, and leaves nothing */
		if (e || !err.msg[0] || !memchr(err.msg, '\0', sizeof(err.msg)) || err.pos < -1 ||
		    err.pos > (int)len)
			abort();
		free(src);
		return 0;
	}
	if (!e || strcmp(tq_expr_source(e), src) != 0)
		abort();

	int owned;
	struct tq_findex *ix = index_for(e, &owned);
	for (int explain = 0; explain < 2; explain++) {
		json_t *from = (json_t *)1;
		struct tq_expr_error ee;
		memset(&ee, 0x55, sizeof(ee));
		json_t *v = tq_expr_eval(ix, e, explain ? &from : NULL, &ee);
		if (!v) {
			if (!ee.msg[0] || !memchr(ee.msg, '\0', sizeof(ee.msg)) || ee.pos < -1 || ee.pos > (int)len)
				abort();
			if (explain && from)
				abort();
		} else {
			if (explain && !json_is_array(from))
				abort();
			/* the value is JSON that can be written */
			char *s = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
			if (!s)
				abort();
			free(s);
		}
		json_decref(v);
		if (explain)
			json_decref(from);
	}
	if (owned)
		tq_findex_free(ix);
	tq_expr_free(e);
	free(src);
	return 0;
}
