/*
 * fuzz_rewrite.c - libFuzzer harness: the input is a capture file, rewritten
 * into a variant (analysis/rewrite.c) with every rewrite on and the seed
 * taken from its first bytes.  A rewrite must succeed or say why, keep the
 * file's size, give the same bytes twice for one seed, and leave a capture
 * that opens as the original does, with as many frames.  See README.md.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "rewrite.h"
#include "tq.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint32_t
frames(const uint8_t *b, size_t len, int *ok)
{
	struct tq_capture *cap = NULL;
	char err[256];
	*ok = tq_capture_open_mem(b, len, &cap, err, sizeof(err)) == 0 &&
	      tq_capture_wait_read(cap, err, sizeof(err)) == 0;
	uint32_t n = *ok ? tq_capture_count(cap) : 0;
	tq_capture_free(cap);
	return n;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tq_rewrite rw;
	tq_rewrite_init(&rw);
	rw.what = TQ_RW_ADDR | TQ_RW_MAC | TQ_RW_PORTS | TQ_RW_ISN | TQ_RW_IPID | TQ_RW_TIME | TQ_RW_NAMES;
	memcpy(&rw.seed, data, size < 8 ? size : 8);
	rw.shift = 86400;
	rw.scale = 0.2;
	static const struct tq_rw_name names[] = { { "tq.test", "ab.cdef" }, { "example", "exampel" } };
	rw.names = names;
	rw.nnames = 2;
	uint8_t *a = NULL, *b = NULL;
	char err[256] = "";
	int rc = tq_rewrite_capture(data, size, &rw, &a, NULL, err, sizeof(err));
	if (rc != 0) {
		if (a || !err[0])
			abort();                /* a failure says why and leaves nothing */
		return 0;
	}
	if (tq_rewrite_capture(data, size, &rw, &b, NULL, err, sizeof(err)) != 0 || memcmp(a, b, size))
		abort();                        /* one seed, one variant */
	int ok_in, ok_out;
	uint32_t n_in = frames(data, size, &ok_in), n_out = frames(a, size, &ok_out);
	if (ok_in != ok_out || n_in != n_out)
		abort();                        /* the variant opens as the original does */
	free(a);
	free(b);
	return 0;
}
