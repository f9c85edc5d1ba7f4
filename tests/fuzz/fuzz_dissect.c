/*
 * fuzz_dissect.c - libFuzzer harness: the input is a capture file (pcap,
 * pcap-nsec or pcapng) opened from memory; every frame is dissected and
 * written as text, PDML, JSON and a packet-list line.  See README.md.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "tq.h"

/* Frames past this many are left out, so that one input stays fast. */
#define MAX_FRAMES 256
#define OUT_MAX (64u << 20)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tq_capture *cap = NULL;
	char err[512];

	if (tq_capture_open_mem(data, size, &cap, err, sizeof(err)) != 0) {
		if (cap || !err[0])
			abort();                /* a failure must say why and leave nothing behind */
		return 0;
	}
	struct tq_sbuf out, line;
	tq_sbuf_init(&out, OUT_MAX);
	tq_sbuf_init(&line, OUT_MAX);
	uint32_t n = tq_capture_count(cap);
	if (n > MAX_FRAMES)
		n = MAX_FRAMES;
	tq_sbuf_reset(&out);
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
	/* Follow Stream on the first streams of each kind, within limits as the server sets them */
	for (int proto = TQ_FOLLOW_TCP; proto <= TQ_FOLLOW_HTTP2 && n == tq_capture_count(cap); proto++)
		for (uint32_t s = 0; s < 2; s++) {
			struct tq_follow *fw = NULL;
			struct tq_limits lim = { .deadline_ns = 0, .max_bytes = 1u << 20 };
			if (tq_follow_build(cap, proto, proto == TQ_FOLLOW_HTTP2 ? 0 : s, s, &lim, &fw, err, sizeof(err)) != 0) {
				if (fw || !err[0])
					abort();
				continue;
			}
			const struct tq_follow_record *rec;
			size_t nr = tq_follow_records(fw, &rec);
			for (size_t k = 0; k < nr; k++)
				if (!rec[k].len || rec[k].node > 1 || !rec[k].frame || rec[k].frame > n)
					abort();     /* a record holds bytes, from one of the two ends, in a frame of the capture */
			for (int fmt = TQ_FOLLOW_ASCII; fmt <= TQ_FOLLOW_RAW; fmt++) {
				tq_sbuf_reset(&out);
				tq_follow_write(fw, fmt, &out);
			}
			tq_follow_free(fw);
		}
	tq_sbuf_free(&out);
	tq_sbuf_free(&line);
	tq_capture_free(cap);
	return 0;
}
