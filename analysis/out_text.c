/* out_text.c - the frame tree as `tshark -V` prints it, with hex dumps of "data". */
#include "config.h"

#include <string.h>

#include "internal.h"

/* tshark's hex dump: "0000  xx xx ... xx   ascii", 16 bytes a line. */
static void
hexdump(const uint8_t *p, uint32_t n, struct tq_sbuf *out)
{
	static const char hx[] = "0123456789abcdef";
	for (uint32_t off = 0; off < n; off += 16) {
		char line[128];
		int k = 0;
		/* the offset, "%04x  " or "%08x  " (no snprintf: this is every line) */
		for (int sh = n > 0xffff ? 28 : 12; sh >= 0; sh -= 4)
			line[k++] = hx[(off >> sh) & 15];
		line[k++] = ' ';
		line[k++] = ' ';
		uint32_t m = n - off < 16 ? n - off : 16;
		for (uint32_t i = 0; i < 16; i++) {
			if (i < m) {
				line[k++] = hx[p[off + i] >> 4];
				line[k++] = hx[p[off + i] & 15];
				line[k++] = ' ';
			} else {
				line[k++] = ' ';
				line[k++] = ' ';
				line[k++] = ' ';
			}
		}
		line[k++] = ' ';
		line[k++] = ' ';
		for (uint32_t i = 0; i < m; i++) {
			uint8_t c = p[off + i];
			line[k++] = (c >= 0x20 && c < 0x7f) ? (char)c : '.';
		}
		line[k++] = '\n';
		tq_sbuf_put(out, line, (size_t)k);
	}
}

static void
write_node(const struct tq_tree *t, const struct tq_node *n, int depth, struct tq_sbuf *out)
{
	for (; n; n = n->next) {
		if (n->flags & NF_HIDDEN)
			continue;
		for (int i = 0; i < depth; i++)
			tq_sbuf_puts(out, "    ");
		if (n->flags & NF_GENERATED)
			tq_sbuf_putc(out, '[');
		tq_node_label(n, out);
		if (n->flags & NF_GENERATED)
			tq_sbuf_putc(out, ']');
		tq_sbuf_putc(out, '\n');
		if (n->f == &tq_hf_data_proto) {
			uint32_t len;
			const char *b = tq_node_ds_bytes(t, n, &len);
			if (b) {
				tq_sbuf_putc(out, '\n');
				hexdump((const uint8_t *)b, len, out);
			}
		}
		if (n->child)
			write_node(t, n->child, depth + 1, out);
	}
}

void
tq_write_text(struct tq_tree *t, struct tq_sbuf *out)
{
	write_node(t, t->root.child, 0, out);
	tq_sbuf_putc(out, '\n');
}
