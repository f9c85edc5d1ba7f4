/* out_text.c - the frame tree as `tshark -V` prints it, with hex dumps of "data". */
#include "config.h"

#include <string.h>

#include "internal.h"

/* tshark's hex dump: "0000  xx xx ... xx   ascii", 16 bytes a line. */
static void
hexdump(const uint8_t *p, uint32_t n, struct tq_sbuf *out)
{
	static const char hx[] = "0123456789abcdef";
	int odigits = n > 0xffff ? 8 : 4;
	size_t linelen = (size_t)odigits + 2 + 48 + 2 + 16 + 1;
	for (uint32_t off = 0; off < n; off += 16) {
		char *line = tq_sbuf_reserve(out, linelen);
		if (!line)
			return;
		char *w = line;
		/* the offset, "%04x  " or "%08x  " (no snprintf: this is every line) */
		for (int sh = odigits * 4 - 4; sh >= 0; sh -= 4)
			*w++ = hx[(off >> sh) & 15];
		*w++ = ' ';
		*w++ = ' ';
		uint32_t m = n - off < 16 ? n - off : 16;
		for (uint32_t i = 0; i < m; i++) {
			w[0] = hx[p[off + i] >> 4];
			w[1] = hx[p[off + i] & 15];
			w[2] = ' ';
			w += 3;
		}
		memset(w, ' ', (16 - m) * 3 + 2);
		w += (16 - m) * 3 + 2;
		for (uint32_t i = 0; i < m; i++) {
			uint8_t c = p[off + i];
			*w++ = (c >= 0x20 && c < 0x7f) ? (char)c : '.';
		}
		*w++ = '\n';
		tq_sbuf_commit(out, (size_t)(w - line));
	}
}

static void
write_node(const struct tq_tree *t, const struct tq_node *n, int depth, struct tq_sbuf *out)
{
	static const char spaces[] = "                                                                ";
	size_t ind = (size_t)depth * 4;
	for (; n; n = n->next) {
		if (n->flags & NF_HIDDEN)
			continue;
		if (ind < sizeof(spaces))
			tq_sbuf_put(out, spaces, ind);
		else
			for (int i = 0; i < depth; i++)
				tq_sbuf_put(out, spaces, 4);
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
