/* out_pdml.c - PDML with tshark's elements and attributes (name, showname, hide, size, pos, show, value). */
#include "config.h"

#include <string.h>
#include <time.h>

#include "internal.h"

static void
put_xml(struct tq_sbuf *out, const char *s, size_t n)
{
	size_t start = 0;
	for (size_t i = 0; i < n; i++) {
		const char *rep = NULL;
		char tmp[8];
		unsigned char c = (unsigned char)s[i];
		switch (c) {
		case '&': rep = "&amp;"; break;
		case '<': rep = "&lt;"; break;
		case '>': rep = "&gt;"; break;
		case '"': rep = "&quot;"; break;
		case '\'': rep = "&#x27;"; break;
		default:
			if (c < 0x20 && c != '\t' && c != '\n' && c != '\r') {
				snprintf(tmp, sizeof(tmp), "&#x%x;", c);
				rep = tmp;
			}
			break;
		}
		if (rep) {
			tq_sbuf_put(out, s + start, i - start);
			tq_sbuf_puts(out, rep);
			start = i + 1;
		}
	}
	tq_sbuf_put(out, s + start, n - start);
}

static void
indent(struct tq_sbuf *out, int depth)
{
	for (int i = 0; i < depth; i++)
		tq_sbuf_puts(out, "  ");
}

static void
put_hex(const struct tq_tree *t, const struct tq_node *n, struct tq_sbuf *out)
{
	uint32_t len;
	const char *b = tq_node_ds_bytes(t, n, &len);
	if (b)
		tq_hexstr((const uint8_t *)b, len, 0, out);
}

static int
is_int_type(int ty)
{
	return (ty >= FT_UINT8 && ty <= FT_INT64) || ty == FT_BOOLEAN;
}

static void
write_nodes(const struct tq_tree *t, const struct tq_node *parent, int depth, struct tq_sbuf *out,
    struct tq_sbuf *tmp)
{
	const struct tq_node *up = parent == &t->root ? NULL : parent;
	for (const struct tq_node *n = parent->child; n; n = n->next) {
		const struct tq_field *f = n->f;
		int wrap = depth == 1 && f == &tq_hf_data_proto;
		if (wrap) {
			indent(out, depth);
			tq_sbuf_puts(out, "<proto name=\"fake-field-wrapper\">\n");
		}
		indent(out, depth + wrap);
		const char *close;
		tq_sbuf_reset(tmp);
		tq_node_label(n, tmp);
		if (!f) {
			tq_sbuf_puts(out, "<field name=\"\" show=\"");
			put_xml(out, tmp->s ? tmp->s : "", tmp->len);
			tq_sbuf_printf(out, "\" size=\"%u\" pos=\"%u\"", n->len, tq_node_pdml_pos(up, n));
			if (n->len) {
				tq_sbuf_puts(out, " value=\"");
				put_hex(t, n, out);
				tq_sbuf_putc(out, '"');
			}
			close = "</field>";
		} else if (f == &tq_hf_data_proto) {
			tq_sbuf_puts(out, "<field name=\"data\" value=\"");
			put_hex(t, n, out);
			tq_sbuf_puts(out, "\"");
			close = "</field>";
		} else {
			int proto = f->type == FT_PROTOCOL && !(n->flags & NF_EXPERT);
			tq_sbuf_puts(out, proto ? "<proto name=\"" : "<field name=\"");
			put_xml(out, f->abbrev, strlen(f->abbrev));
			tq_sbuf_puts(out, "\" showname=\"");
			put_xml(out, tmp->s ? tmp->s : "", tmp->len);
			tq_sbuf_putc(out, '"');
			if (n->flags & NF_HIDDEN)
				tq_sbuf_puts(out, " hide=\"yes\"");
			tq_sbuf_printf(out, " size=\"%u\" pos=\"%u\"", n->len, tq_node_pdml_pos(up, n));
			if (f->type == FT_NONE) {
				tq_sbuf_puts(out, " show=\"\" value=\"\"");
			} else if (f->type != FT_PROTOCOL) {
				tq_sbuf_reset(tmp);
				tq_node_show(n, tmp);
				tq_sbuf_puts(out, " show=\"");
				put_xml(out, tmp->s ? tmp->s : "", tmp->len);
				tq_sbuf_putc(out, '"');
				if (n->len) {
					tq_sbuf_puts(out, " value=\"");
					if (f->mask && is_int_type(f->type)) {
						tq_sbuf_printf(out, "%llX\" unmaskedvalue=\"", (unsigned long long)n->v.u);
					}
					put_hex(t, n, out);
					tq_sbuf_putc(out, '"');
				}
			}
			close = proto ? "</proto>" : "</field>";
		}
		if (n->child || f == &tq_hf_data_proto) {
			tq_sbuf_puts(out, ">\n");
			write_nodes(t, n, depth + wrap + 1, out, tmp);
			indent(out, depth + wrap);
			tq_sbuf_puts(out, close);
			tq_sbuf_putc(out, '\n');
		} else {
			tq_sbuf_puts(out, "/>\n");
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
	write_nodes(t, &t->root, 1, out, &tmp);
	tq_sbuf_free(&tmp);
	tq_sbuf_puts(out, "</packet>\n\n\n");
}

void
tq_write_pdml_footer(struct tq_sbuf *out)
{
	tq_sbuf_puts(out, "</pdml>\n");
}
