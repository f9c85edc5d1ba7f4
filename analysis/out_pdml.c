/* out_pdml.c - PDML with tshark's elements and attributes (name, showname, hide, size, pos, show, value). */
#include "config.h"

#include <string.h>
#include <time.h>

#include "internal.h"

/* Bytes put_xml must replace: the five XML specials and the controls other
 * than tab, newline and carriage return, which tshark writes as \x1b (XML 1.0
 * has no way to write them). */
static const uint8_t xml_special[256] = {
	[0x00] = 1, [0x01] = 1, [0x02] = 1, [0x03] = 1, [0x04] = 1, [0x05] = 1, [0x06] = 1, [0x07] = 1,
	[0x08] = 1, [0x0b] = 1, [0x0c] = 1, [0x0e] = 1, [0x0f] = 1, [0x10] = 1, [0x11] = 1, [0x12] = 1,
	[0x13] = 1, [0x14] = 1, [0x15] = 1, [0x16] = 1, [0x17] = 1, [0x18] = 1, [0x19] = 1, [0x1a] = 1,
	[0x1b] = 1, [0x1c] = 1, [0x1d] = 1, [0x1e] = 1, [0x1f] = 1,
	['&'] = 1, ['<'] = 1, ['>'] = 1, ['"'] = 1, ['\''] = 1,
};

static void
put_xml(struct tq_sbuf *out, const char *s, size_t n)
{
	size_t start = 0;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (!xml_special[c])
			continue;
		tq_sbuf_put(out, s + start, i - start);
		switch (c) {
		case '&': tq_sbuf_put(out, "&amp;", 5); break;
		case '<': tq_sbuf_put(out, "&lt;", 4); break;
		case '>': tq_sbuf_put(out, "&gt;", 4); break;
		case '"': tq_sbuf_put(out, "&quot;", 6); break;
		case '\'': tq_sbuf_put(out, "&#x27;", 6); break;
		default:
			tq_sbuf_put(out, "\\x", 2);
			tq_sbuf_put_hex(out, c, 1, 0);
			break;
		}
		start = i + 1;
	}
	tq_sbuf_put(out, s + start, n - start);
}

/* Nonzero if p holds a byte put_xml replaces; eight bytes at a time. */
static int
needs_xml_escape(const unsigned char *p, size_t len)
{
	const uint64_t ones = 0x0101010101010101ULL, highs = 0x8080808080808080ULL;
	size_t i = 0;
	for (; i + 8 <= len; i += 8) {
		uint64_t x;
		memcpy(&x, p + i, 8);
		/* a byte below 0x20, or equal to one of & < > " ' */
		uint64_t m = (x - ones * 0x20) & ~x;
		uint64_t a = x ^ (ones * '&'), b = x ^ (ones * '<'), c = x ^ (ones * '>');
		uint64_t d = x ^ (ones * '"'), e = x ^ (ones * '\'');
		m |= (a - ones) & ~a;
		m |= (b - ones) & ~b;
		m |= (c - ones) & ~c;
		m |= (d - ones) & ~d;
		m |= (e - ones) & ~e;
		if (m & highs)
			break;
	}
	for (; i < len; i++)
		if (xml_special[p[i]])
			return 1;
	return 0;
}

/* Writes n's label as an attribute value: straight into out, and escaped
 * only in the rare case it holds something XML needs replaced. */
static void
put_label(struct tq_sbuf *out, const struct tq_node *n, struct tq_sbuf *tmp)
{
	size_t start = out->len;
	tq_node_label(n, out);
	if (out->err)
		return;
	const unsigned char *p = (const unsigned char *)out->s + start;
	size_t len = out->len - start;
	if (!needs_xml_escape(p, len))
		return;
	tq_sbuf_reset(tmp);
	tq_sbuf_put(tmp, (const char *)p, len);
	out->len = start;
	put_xml(out, tmp->s, tmp->len);
}

static void
indent(struct tq_sbuf *out, int depth)
{
	static const char spaces[] = "                                                                ";
	size_t n = (size_t)depth * 2;
	while (n > sizeof(spaces) - 1) {
		tq_sbuf_put(out, spaces, sizeof(spaces) - 1);
		n -= sizeof(spaces) - 1;
	}
	tq_sbuf_put(out, spaces, n);
}

static void
put_hex(const struct tq_tree *t, const struct tq_node *n, struct tq_sbuf *out)
{
	uint32_t len;
	const char *b = tq_node_ds_bytes(t, n, &len);
	if (b)
		tq_hexstr((const uint8_t *)b, len, 0, out);
}

/* "%X", as tshark writes a masked field's value. */
static void
put_upper_hex(struct tq_sbuf *out, uint64_t v)
{
	static const char hx[] = "0123456789ABCDEF";
	char tmp[20], *end = tmp + sizeof(tmp), *d = end;
	do {
		*--d = hx[v & 15];
		v >>= 4;
	} while (v);
	tq_sbuf_put(out, d, (size_t)(end - d));
}

static int
is_int_type(int ty)
{
	return (ty >= FT_UINT8 && ty <= FT_INT64) || ty == FT_BOOLEAN;
}

/* Shows that never hold a character XML would need escaped. */
static int
show_is_plain(int ty)
{
	return ty != FT_STRING && ty != FT_ABSTIME;
}

static void
put_size_pos(struct tq_sbuf *out, uint32_t size, uint32_t pos)
{
	tq_sbuf_put(out, " size=\"", 7);
	tq_sbuf_put_u64(out, size);
	tq_sbuf_put(out, "\" pos=\"", 7);
	tq_sbuf_put_u64(out, pos);
	tq_sbuf_putc(out, '"');
}

static void
write_nodes(const struct tq_tree *t, const struct tq_node *parent, const struct tq_node *n, int depth,
    struct tq_sbuf *out, struct tq_sbuf *tmp)
{
	for (; n; n = n->next) {
		const struct tq_field *f = n->f;
		int wrap = depth == 1 && f == &tq_hf_data_proto;
		if (wrap) {
			indent(out, depth);
			tq_sbuf_puts(out, "<proto name=\"fake-field-wrapper\">\n");
		}
		indent(out, depth + wrap);
		const char *close;
		uint32_t pos = tq_node_pdml_pos(parent, n);
		if (!f) {
			tq_sbuf_puts(out, "<field name=\"\" show=\"");
			put_label(out, n, tmp);
			tq_sbuf_putc(out, '"');
			put_size_pos(out, n->len, pos);
			if (n->len) {
				tq_sbuf_puts(out, " value=\"");
				put_hex(t, n, out);
				tq_sbuf_putc(out, '"');
			}
			close = "</field>";
		} else if (f == &tq_hf_data_proto) {
			tq_sbuf_puts(out, "<field name=\"data\" value=\"");
			put_hex(t, n, out);
			tq_sbuf_putc(out, '"');
			close = "</field>";
		} else {
			int proto = f->type == FT_PROTOCOL && !(n->flags & NF_EXPERT);
			if (proto)
				tq_sbuf_put(out, "<proto name=\"", 13);
			else
				tq_sbuf_put(out, "<field name=\"", 13);
			/* abbrevs are ours: dots, letters, digits and underscores */
			if (f->abbrev_len)
				tq_sbuf_put(out, f->abbrev, f->abbrev_len);
			else
				put_xml(out, f->abbrev, strlen(f->abbrev));
			tq_sbuf_put(out, "\" showname=\"", 12);
			put_label(out, n, tmp);
			tq_sbuf_putc(out, '"');
			if (n->flags & NF_HIDDEN)
				tq_sbuf_put(out, " hide=\"yes\"", 11);
			put_size_pos(out, n->len, pos);
			if (f->type == FT_NONE) {
				tq_sbuf_puts(out, " show=\"\" value=\"\"");
			} else if (f->type != FT_PROTOCOL) {
				tq_sbuf_put(out, " show=\"", 7);
				if (show_is_plain(f->type)) {
					tq_node_show(n, out);
				} else {
					tq_sbuf_reset(tmp);
					tq_node_show(n, tmp);
					put_xml(out, tmp->s ? tmp->s : "", tmp->len);
				}
				tq_sbuf_putc(out, '"');
				if (n->len) {
					tq_sbuf_put(out, " value=\"", 8);
					if (f->mask && is_int_type(f->type)) {
						uint64_t v = n->v.u;
						if (f->type >= FT_INT8 && f->type <= FT_INT32)
							v &= 0xffffffffu;
						put_upper_hex(out, v);
						tq_sbuf_put(out, "\" unmaskedvalue=\"", 17);
					}
					put_hex(t, n, out);
					tq_sbuf_putc(out, '"');
				}
			}
			close = proto ? "</proto>" : "</field>";
		}
		if (n->child || f == &tq_hf_data_proto) {
			tq_sbuf_put(out, ">\n", 2);
			write_nodes(t, n, n->child, depth + wrap + 1, out, tmp);
			indent(out, depth + wrap);
			tq_sbuf_puts(out, close);
			tq_sbuf_putc(out, '\n');
		} else {
			tq_sbuf_put(out, "/>\n", 3);
		}
		if (wrap) {
			indent(out, depth);
			tq_sbuf_puts(out, "</proto>\n");
		}
	}
}

void
tq_write_pdml_header(struct tq_capture *cap, const char *name, struct tq_sbuf *out)
{
	(void)cap;
	char when[64];
	time_t now = time(NULL);
	struct tm tm;
	localtime_r(&now, &tm);
	strftime(when, sizeof(when), "%a %b %e %H:%M:%S %Y", &tm);
	tq_sbuf_puts(out, "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
	    "<?xml-stylesheet type=\"text/xsl\" href=\"pdml2html.xsl\"?>\n");
	tq_sbuf_printf(out, "<pdml version=\"0\" creator=\"tracequiz/%s\" time=\"%s\" capture_file=\"", PACKAGE_VERSION, when);
	put_xml(out, name ? name : "", name ? strlen(name) : 0);
	tq_sbuf_puts(out, "\">\n");
}

void
tq_write_pdml_packet(struct tq_tree *t, struct tq_sbuf *out)
{
	const struct tq_frame *fr = &t->cap->frames[t->num - 1];
	char when[80];
	tq_fmt_abstime(fr->sec, (int32_t)fr->nsec, when, sizeof(when));
	tq_sbuf_puts(out, "<packet>\n");
	tq_sbuf_printf(out, "  <proto name=\"geninfo\" pos=\"0\" showname=\"General information\" size=\"%u\">\n", fr->caplen);
	tq_sbuf_printf(out, "    <field name=\"num\" pos=\"0\" show=\"%u\" showname=\"Number\" value=\"%x\" size=\"%u\"/>\n", t->num, t->num, fr->caplen);
	tq_sbuf_printf(out, "    <field name=\"len\" pos=\"0\" show=\"%u\" showname=\"Frame Length\" value=\"%x\" size=\"%u\"/>\n", fr->len, fr->len, fr->caplen);
	tq_sbuf_printf(out, "    <field name=\"caplen\" pos=\"0\" show=\"%u\" showname=\"Captured Length\" value=\"%x\" size=\"%u\"/>\n", fr->caplen, fr->caplen, fr->caplen);
	tq_sbuf_printf(out, "    <field name=\"timestamp\" pos=\"0\" show=\"%s\" showname=\"Captured Time\" value=\"%lld.%09u\" size=\"%u\"/>\n",
	    when, (long long)fr->sec, fr->nsec, fr->caplen);
	tq_sbuf_puts(out, "  </proto>\n");
	struct tq_sbuf tmp;
	tq_sbuf_init(&tmp, 0);
	write_nodes(t, NULL, t->root.child, 1, out, &tmp);
	tq_sbuf_free(&tmp);
	tq_sbuf_puts(out, "</packet>\n\n\n");
}

void
tq_write_pdml_footer(struct tq_sbuf *out)
{
	tq_sbuf_puts(out, "</pdml>\n");
}
