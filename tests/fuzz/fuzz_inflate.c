/*
 * fuzz_inflate.c - libFuzzer harness for compressed bodies (analysis/inflate.c),
 * differential: a body is inflated three times, its output kept whole (a
 * tree), cut to 64 KiB (the packet list) and to 100 bytes; the three must
 * agree on success, on the length and on the bytes they share, since the
 * list and the tree of one frame must say the same.  The input's first byte
 * picks a wrapping (as is, gzip, zlib, raw deflate of the rest, then whole,
 * cut or with a bit flipped), so that valid streams, which random bytes
 * almost never are, get fuzzed too.  Any disagreement aborts.  See README.md.
 */
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

/* inflate.c's statics are what is compared: take the file in whole */
#define tq_uncompress fuzz_uncompress_unused
#include "../../analysis/inflate.c"
#undef tq_uncompress

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The rest of the input compressed with window bits wbits (31 gzip, 15 zlib, -15 raw). */
static uint8_t *
wrap(const uint8_t *p, size_t n, int wbits, size_t *outn)
{
	z_stream z;
	memset(&z, 0, sizeof(z));
	if (deflateInit2(&z, 6, Z_DEFLATED, wbits, 8, Z_DEFAULT_STRATEGY) != Z_OK)
		return NULL;
	size_t cap = deflateBound(&z, n);
	uint8_t *out = malloc(cap);
	if (out) {
		z.next_in = (Bytef *)(uintptr_t)p;
		z.avail_in = (uInt)n;
		z.next_out = out;
		z.avail_out = (uInt)cap;
		deflate(&z, Z_FINISH);
		*outn = cap - z.avail_out;
	}
	deflateEnd(&z);
	return out;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 3 || size > (1u << 20))
		return 0;
	uint8_t how = data[0], at = data[1];
	const uint8_t *p = data + 2;
	size_t n = size - 2;
	uint8_t *owned = NULL;
	static const int wbits[] = { 31, 15, -15 };
	if (how % 4) {
		owned = wrap(p, n, wbits[how % 4 - 1], &n);
		if (!owned)
			return 0;
		p = owned;
		if ((how >> 2) % 4 == 1 && n > 1)
			n = n * at / 256;                    /* cut short */
		else if ((how >> 2) % 4 == 2 && n > 0)
			owned[n * at / 256] ^= (uint8_t)(1u << (how >> 5));   /* one bit flipped */
	}
	static const size_t keeps[] = { OUT_LIMIT, 64u << 10, 100 };
	struct sink k[3];
	int64_t len[3];
	for (int i = 0; i < 3; i++) {
		k[i] = (struct sink){ .keep = keeps[i] };
		len[i] = ws_inflate(p, n, &k[i]);
	}
	for (int i = 1; i < 3; i++) {
		size_t both = len[0] < 0 ? 0 : (size_t)len[0] < keeps[i] ? (size_t)len[0] : keeps[i];
		if (len[i] != len[0] || (both && memcmp(k[0].buf, k[i].buf, both)))
			abort();
	}
	for (int i = 0; i < 3; i++)
		free(k[i].buf);
	free(owned);
	return 0;
}
