/*
 * imf.c - Internet Message Format (RFC 5322): the header fields of a mail
 * message and its text, as Wireshark shows them after SMTP's DATA.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "../internal.h"

static struct tq_field hf_imf = HF("imf", "Internet Message Format", FT_PROTOCOL, BASE_NONE, NULL, 0);
static struct tq_field hf_date = HF("imf.date", "Date", FT_STRING, BASE_NONE, NULL, 0);
static struct tq_field hf_from = HF("imf.from", "From", FT_STRING, BASE_NONE, NULL, 0);
static struct tq_field hf_sender = HF("imf.sender", "Sender", FT_STRING, BASE_NONE, NULL, 0);
static struct tq_field hf_reply_to = HF("imf.reply_to", "Reply-To", FT_STRING, BASE_NONE, NULL, 0);
static struct tq_field hf_to = HF("imf.to", "To", FT_STRING, BASE_NONE, NULL, 0);
static struct tq_field hf_cc = HF("imf.cc", "Cc", FT_STRING, BASE_NONE, NULL, 0);
static struct tq_field hf_bcc = HF("imf.bcc", "Bcc", FT_STRING, BASE_NONE, NULL, 0);
static struct tq_field hf_message_id = HF("imf.message_id", "Message-ID", FT_STRING, BASE_NONE, NULL, 0);
static struct tq_field hf_in_reply_to = HF("imf.in_reply_to", "In-Reply-To", FT_STRING, BASE_NONE, NULL, 0);
static struct tq_field hf_references = HF("imf.references", "References", FT_STRING, BASE_NONE, NULL, 0);
static struct tq_field hf_subject = HF("imf.subject", "Subject", FT_STRING, BASE_NONE, NULL, 0);
static struct tq_field hf_comments = HF("imf.comments", "Comments", FT_STRING, BASE_NONE, NULL, 0);
static struct tq_field hf_keywords = HF("imf.keywords", "Keywords", FT_STRING, BASE_NONE, NULL, 0);
static struct tq_field hf_mime_version = HF("imf.mime_version", "MIME-Version", FT_STRING, BASE_NONE, NULL, 0);
static struct tq_field hf_content_type = HF("imf.content.type", "Content-Type", FT_STRING, BASE_NONE, NULL, 0);
static struct tq_field hf_content_te = HF("imf.content.transfer_encoding", "Content-Transfer-Encoding", FT_STRING, BASE_NONE, NULL, 0);
static struct tq_field hf_mailer = HF("imf.ext.mailer", "X-Mailer", FT_STRING, BASE_NONE, NULL, 0);
static struct tq_field hf_user_agent = HF("imf.user_agent", "User-Agent", FT_STRING, BASE_NONE, NULL, 0);
static struct tq_field hf_return_path = HF("imf.return_path", "Return-Path", FT_STRING, BASE_NONE, NULL, 0);
static struct tq_field hf_received = HF("imf.received", "Received", FT_STRING, BASE_NONE, NULL, 0);
static struct tq_field hf_extension = HF("imf.extension", "Extension", FT_STRING, BASE_NONE, NULL, 0);
static struct tq_field hf_ext_type = HF("imf.extension.type", "Type", FT_STRING, BASE_NONE, NULL, 0);
static struct tq_field hf_ext_value = HF("imf.extension.value", "Value", FT_STRING, BASE_NONE, NULL, 0);
static struct tq_field hf_mailbox_item = HF("imf.mailbox_list.item", "Item", FT_STRING, BASE_NONE, NULL, 0);
static struct tq_field hf_address_item = HF("imf.address_list.item", "Item", FT_STRING, BASE_NONE, NULL, 0);
static struct tq_field hf_display_name = HF("imf.display_name", "Display-Name", FT_STRING, BASE_NONE, NULL, 0);
static struct tq_field hf_address = HF("imf.address", "Address", FT_STRING, BASE_NONE, NULL, 0);
static struct tq_field hf_message_text = HF("imf.message_text", "Message-Text", FT_NONE, BASE_NONE, NULL, 0);

static struct tq_field *const fields[] = {
	&hf_imf, &hf_date, &hf_from, &hf_sender, &hf_reply_to, &hf_to, &hf_cc, &hf_bcc, &hf_message_id,
	&hf_in_reply_to, &hf_references, &hf_subject, &hf_comments, &hf_keywords, &hf_mime_version,
	&hf_content_type, &hf_content_te, &hf_mailer, &hf_user_agent, &hf_return_path, &hf_received,
	&hf_extension, &hf_ext_type, &hf_ext_value, &hf_mailbox_item, &hf_address_item, &hf_display_name,
	&hf_address, &hf_message_text,
};

void tq_register_imf(void);
int tq_dissect_imf(struct tq_pkt *pk, struct tq_slice *s);

void
tq_register_imf(void)
{
	TQ_REGISTER(fields);
}

enum { V_PLAIN, V_MAILBOXES, V_ADDRESSES };

static const struct header {
	const char *name;
	const struct tq_field *f;
	int kind;
} headers[] = {
	{ "date", &hf_date, V_PLAIN }, { "from", &hf_from, V_MAILBOXES },
	{ "sender", &hf_sender, V_MAILBOXES }, { "reply-to", &hf_reply_to, V_ADDRESSES },
	{ "to", &hf_to, V_ADDRESSES }, { "cc", &hf_cc, V_ADDRESSES }, { "bcc", &hf_bcc, V_ADDRESSES },
	{ "message-id", &hf_message_id, V_PLAIN }, { "in-reply-to", &hf_in_reply_to, V_PLAIN },
	{ "references", &hf_references, V_PLAIN }, { "subject", &hf_subject, V_PLAIN },
	{ "comments", &hf_comments, V_PLAIN }, { "keywords", &hf_keywords, V_PLAIN },
	{ "mime-version", &hf_mime_version, V_PLAIN }, { "content-type", &hf_content_type, V_PLAIN },
	{ "content-transfer-encoding", &hf_content_te, V_PLAIN }, { "x-mailer", &hf_mailer, V_PLAIN },
	{ "user-agent", &hf_user_agent, V_PLAIN }, { "return-path", &hf_return_path, V_PLAIN },
	{ "received", &hf_received, V_PLAIN },
};

/* A header field runs to the CRLF not followed by white space (folding). */
static uint32_t
field_end(const uint8_t *p, uint32_t len, uint32_t off)
{
	while (off < len) {
		const uint8_t *nl = memchr(p + off, '\n', len - off);
		if (!nl)
			return len;
		off = (uint32_t)(nl - p) + 1;
		if (off >= len || (p[off] != ' ' && p[off] != '\t'))
			return off;
	}
	return len;
}

/* The comma-separated items of an address or mailbox list. */
static unsigned
list_items(struct tq_pkt *pk, struct tq_node *parent, const struct tq_field *item_f, const struct tq_slice *s,
    uint32_t off, uint32_t end)
{
	unsigned n = 0;
	while (off < end) {
		uint32_t e = off;
		int inq = 0, ina = 0;
		while (e < end && (inq || ina || s->p[e] != ',')) {
			if (s->p[e] == '"')
				inq = !inq;
			else if (s->p[e] == '<')
				ina = 1;
			else if (s->p[e] == '>')
				ina = 0;
			e++;
		}
		uint32_t b = off;
		while (b < e && (s->p[b] == ' ' || s->p[b] == '\t'))
			b++;
		struct tq_node *it = tq_add(pk, parent, item_f, s, b, e - b);
		const uint8_t *lt = memchr(s->p + b, '<', e - b);
		const uint8_t *gt = lt ? memchr(lt, '>', (size_t)(s->p + e - lt)) : NULL;
		if (lt && gt) {
			uint32_t dn = (uint32_t)(lt - s->p);
			while (dn > b && s->p[dn - 1] == ' ')
				dn--;
			if (dn > b)
				tq_add(pk, it, &hf_display_name, s, b, dn - b);
			tq_add(pk, it, &hf_address, s, (uint32_t)(lt - s->p) + 1, (uint32_t)(gt - lt) - 1);
		} else {
			tq_add(pk, it, &hf_address, s, b, e - b);
		}
		n++;
		off = e + 1;
	}
	return n;
}

/* Wireshark's format_text_wsp: white space, CR and LF included, shown as spaces. */
static void
wsp_text(struct tq_sbuf *b, const uint8_t *p, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++) {
		uint8_t c = p[i];
		if (c == '\r' || c == '\n' || c == '\t')
			tq_sbuf_putc(b, ' ');
		else if (c >= 0x20 && c < 0x7f)
			tq_sbuf_putc(b, (char)c);
		else
			tq_sbuf_printf(b, "\\%03o", c);
	}
}

int
tq_dissect_imf(struct tq_pkt *pk, struct tq_slice *s)
{
	tq_col_proto(pk, "SMTP/IMF");
	struct tq_node *t = tq_add_proto(pk, tq_root(pk), &hf_imf, s, 0, s->len);
	struct tq_sbuf info;
	tq_sbuf_init(&info, 0);
	uint32_t off = 0;
	while (off < s->len) {
		if (s->p[off] == '\r' || s->p[off] == '\n')
			break;                      /* the empty line before the text */
		uint32_t end = field_end(s->p, s->len, off);
		const uint8_t *colon = memchr(s->p + off, ':', end - off);
		if (!colon)
			break;
		uint32_t nlen = (uint32_t)(colon - (s->p + off));
		uint32_t v = nlen + 1 + off;
		while (v < end && (s->p[v] == ' ' || s->p[v] == '\t'))
			v++;
		uint32_t ve = end;
		while (ve > v && (s->p[ve - 1] == '\r' || s->p[ve - 1] == '\n'))
			ve--;
		const struct header *h = NULL;
		for (size_t i = 0; i < sizeof(headers) / sizeof(headers[0]); i++)
			if (strlen(headers[i].name) == nlen && !strncasecmp(headers[i].name, (const char *)s->p + off, nlen))
				h = &headers[i];
		if (h) {
			struct tq_node *n = tq_add(pk, t, h->f, s, v, ve - v);
			if (h->kind != V_PLAIN) {
				/* the items run to the end of the field, its CRLF included */
				unsigned cnt = list_items(pk, n, h->kind == V_MAILBOXES ? &hf_mailbox_item : &hf_address_item,
				    s, v, end);
				tq_append(pk, n, ", %u item%s", cnt, cnt == 1 ? "" : "s");
			}
			if (h->f == &hf_from) {
				tq_sbuf_puts(&info, "from: ");
				wsp_text(&info, s->p + v, ve - v);
			} else if (h->f == &hf_subject) {
				tq_sbuf_puts(&info, info.len ? ", subject: " : "subject: ");
				wsp_text(&info, s->p + v, ve - v);
			}
		} else {
			struct tq_node *n = tq_add(pk, t, &hf_extension, s, off, end - off);
			tq_add(pk, n, &hf_ext_type, s, off, nlen);
			tq_add(pk, n, &hf_ext_value, s, v, ve - v);
		}
		off = end;
	}
	/* the blank line, then the text line by line */
	if (off < s->len) {
		tq_sbuf_puts(&info, ", ");
		const uint8_t *nl = memchr(s->p + off, '\n', s->len - off);
		off = nl ? (uint32_t)(nl - s->p) + 1 : s->len;
	}
	if (off < s->len) {
		struct tq_node *mt = tq_add(pk, t, &hf_message_text, s, off, s->len - off);
		while (off < s->len) {
			const uint8_t *nl = memchr(s->p + off, '\n', s->len - off);
			uint32_t e = nl ? (uint32_t)(nl - s->p) + 1 : s->len;
			struct tq_sbuf lb;
			tq_sbuf_init(&lb, 0);
			wsp_text(&lb, s->p + off, e - off);
			tq_add_text(pk, mt, s, off, e - off, "%s", tq_sbuf_str(&lb));
			tq_sbuf_puts(&info, ", ");
			tq_sbuf_puts(&info, tq_sbuf_str(&lb));
			tq_sbuf_free(&lb);
			off = e;
		}
	}
	tq_col_info_set(pk, "%s", tq_sbuf_str(&info));
	tq_sbuf_free(&info);
	return (int)s->len;
}
