/*
 * smtp.c - SMTP (RFC 5321) as Wireshark shows it: command lines, replies
 * (multi-line ones as one Response item with a parameter per line), the
 * message after DATA (reassembled until the "." line and handed to IMF), and
 * the STARTTLS switch (RFC 3207): after the server's 220 to STARTTLS the
 * rest of the stream is TLS.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "../internal.h"

static const struct tq_vals code_vals[] = {
	{ 211, "System status, or system help reply" },
	{ 214, "Help message" },
	{ 220, "<domain> Service ready" },
	{ 221, "<domain> Service closing transmission channel" },
	{ 235, "Authentication successful" },
	{ 250, "Requested mail action okay, completed" },
	{ 251, "User not local; will forward to <forward-path>" },
	{ 252, "Cannot VRFY user, but will accept message and attempt delivery" },
	{ 334, "AUTH input" },
	{ 354, "Start mail input; end with <CRLF>.<CRLF>" },
	{ 421, "<domain> Service not available, closing transmission channel" },
	{ 432, "A password transition is needed" },
	{ 450, "Requested mail action not taken: mailbox unavailable" },
	{ 451, "Requested action aborted: local error in processing" },
	{ 452, "Requested action not taken: insufficient system storage" },
	{ 454, "Temporary authenticate failure" },
	{ 500, "Syntax error, command unrecognized" },
	{ 501, "Syntax error in parameters or arguments" },
	{ 502, "Command not implemented" },
	{ 503, "Bad sequence of command" },
	{ 504, "Command parameter not implemented" },
	{ 530, "Authentication required" },
	{ 534, "Authentication mechanism is too weak" },
	{ 535, "Authentication credentials invalid" },
	{ 538, "Encryption required for requested authentication mechanism" },
	{ 550, "Requested action not taken: mailbox unavailable" },
	{ 551, "User not local; please try <forward-path>" },
	{ 552, "Requested mail action aborted: exceeded storage allocation" },
	{ 553, "Requested action not taken: mailbox name not allowed" },
	{ 554, "Transaction failed" },
	{ 0, NULL },
};

static struct tq_field hf_smtp = HF("smtp", "Simple Mail Transfer Protocol", FT_PROTOCOL, BASE_NONE, NULL, 0);
static struct tq_field hf_req = HF("smtp.req", "Request", FT_BOOLEAN, BASE_NONE, NULL, 0);
static struct tq_field hf_rsp = HF("smtp.rsp", "Response", FT_BOOLEAN, BASE_NONE, NULL, 0);
static struct tq_field hf_command_line = HF("smtp.command_line", "Command Line", FT_STRING, BASE_NONE, NULL, 0);
static struct tq_field hf_req_command = HF("smtp.req.command", "Command", FT_STRING, BASE_NONE, NULL, 0);
static struct tq_field hf_req_parameter = HF("smtp.req.parameter", "Request parameter", FT_STRING, BASE_NONE, NULL, 0);
static struct tq_field hf_response = HF("smtp.response", "Response", FT_STRING, BASE_NONE, NULL, 0);
static struct tq_field hf_response_code = HF("smtp.response.code", "Response code", FT_UINT32, BASE_DEC, code_vals, 0);
static struct tq_field hf_rsp_parameter = HF("smtp.rsp.parameter", "Response parameter", FT_STRING, BASE_NONE, NULL, 0);
static struct tq_field hf_eom = HF("smtp.eom", "C: .", FT_NONE, BASE_NONE, NULL, 0);
static struct tq_field hf_message = HF("smtp.message", "Message", FT_STRING, BASE_NONE, NULL, 0);
static struct tq_field hf_data_fragments = HF("smtp.data.fragments", "DATA fragments", FT_NONE, BASE_NONE, NULL, 0);
static struct tq_field hf_data_fragment = HF("smtp.data.fragment", "DATA fragment", FT_FRAMENUM, BASE_NONE, NULL, 0);
static struct tq_field hf_data_count = HF("smtp.data.fragment.count", "DATA fragment count", FT_UINT32, BASE_DEC, NULL, 0);
static struct tq_field hf_data_len = HF("smtp.data.reassembled.length", "Reassembled DATA length", FT_UINT32, BASE_DEC, NULL, 0);
static struct tq_field hf_data_in = HF("smtp.data.reassembled.in", "Reassembled DATA in frame", FT_FRAMENUM, BASE_NONE, NULL, 0);

static struct tq_field *const fields[] = {
	&hf_smtp, &hf_req, &hf_rsp, &hf_command_line, &hf_req_command, &hf_req_parameter, &hf_response,
	&hf_response_code, &hf_rsp_parameter, &hf_eom, &hf_message, &hf_data_fragments, &hf_data_fragment,
	&hf_data_count, &hf_data_len, &hf_data_in,
};

void tq_register_imf(void);

static struct tq_dissector smtp = { .name = "smtp", .dissect = tq_dissect_smtp };

void
tq_register_smtp(void)
{
	TQ_REGISTER(fields);
	tq_register_imf();
	tq_dissector_add(TQ_TAB_TCP_PORT, 25, &smtp);
	tq_dissector_add(TQ_TAB_TCP_PORT, 587, &smtp);
}

int tq_dissect_imf(struct tq_pkt *pk, struct tq_slice *s);

/* ------------------------------------------------------------------ state */

enum { ST_COMMANDS, ST_DATA };

/* One piece of a message body. */
struct body_frag {
	struct body_frag *next;
	uint32_t frame, data_off, len;
};

struct body {
	struct body_frag *frags, **tail;
	uint32_t nfrags, len;
	uint32_t done;               /* frame with the "." line, 0 while open */
};

struct session {
	int state;                   /* the client's side: commands or message data */
	int starttls_sent;           /* the client asked for STARTTLS, no reply yet */
	struct body *body;           /* the message being sent, in ST_DATA */
};

/* What pass 1 decided about the client bytes of one frame. */
struct frame_info {
	int data;                    /* message data rather than commands */
	struct body *body;
	int eom_here;
};

static int
is_request(const struct tq_pkt *pk)
{
	const struct tq_tcpinfo *ti = pk->tcp;
	if (ti && ti->server_port)
		return pk->dport == ti->server_port;
	return pk->dport == 25 || pk->dport == 587 || pk->dport == 465;
}

/* Length of the line at p (CRLF included), 0 if no LF in the len bytes. */
static uint32_t
line_len(const uint8_t *p, uint32_t len)
{
	const uint8_t *nl = memchr(p, '\n', len);
	return nl ? (uint32_t)(nl - p) + 1 : 0;
}

/* The length of the line at off, CRLF included; 0 when the bytes end before
 * its LF, after asking TCP for more from there. */
static uint32_t
next_line(struct tq_pkt *pk, const struct tq_slice *s, uint32_t off)
{
	uint32_t ll = line_len(s->p + off, s->len - off);
	if (!ll && !pk->tcp->can_desegment)
		return s->len - off;    /* a segment cut short: its bytes are the line */
	if (!ll) {
		pk->deseg_offset = off;
		pk->deseg_len = TQ_DESEG_ONE_MORE;
	}
	return ll;
}

static uint32_t
strip_eol(const uint8_t *p, uint32_t n)
{
	if (n && p[n - 1] == '\n')
		n--;
	if (n && p[n - 1] == '\r')
		n--;
	return n;
}

/* Info-column text of a line: printable as Wireshark's format_text shows it. */
static void
info_text(struct tq_sbuf *b, const uint8_t *p, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++) {
		uint8_t c = p[i];
		if (c >= 0x20 && c < 0x7f)
			tq_sbuf_putc(b, (char)c);
		else if (c == '\t')
			tq_sbuf_puts(b, "\\t");
		else
			tq_sbuf_printf(b, "\\%03o", c);
	}
}

/* ------------------------------------------------------------------ commands and replies */

static void
dissect_commands(struct tq_pkt *pk, struct tq_node *t, struct tq_slice *s, struct session *ss, struct tq_sbuf *info)
{
	uint32_t off = 0;
	while (off < s->len) {
		uint32_t ll = next_line(pk, s, off);
		if (!ll)
			return;             /* a command line cut by the segment */
		const uint8_t *p = s->p + off;
		uint32_t n = strip_eol(p, ll);
		struct tq_node *cl = tq_add(pk, t, &hf_command_line, s, off, ll);
		/* Wireshark takes the first four characters as the command and what
		 * follows the fifth as its parameter ("STARTTLS": "STAR", "TLS") */
		uint32_t cmdlen = 0;
		while (cmdlen < n && p[cmdlen] != ' ')
			cmdlen++;
		if (n >= 4) {
			tq_add(pk, cl, &hf_req_command, s, off, 4);
			if (n > 5)
				tq_add(pk, cl, &hf_req_parameter, s, off + 5, n - 5);
		} else {
			tq_add(pk, cl, &hf_req_command, s, off, n);
		}
		tq_sbuf_puts(info, info->len ? " | " : "C: ");
		info_text(info, p, n);

		if (pk->pass == 1 && ss) {
			if (cmdlen == 4 && !strncasecmp((const char *)p, "DATA", 4)) {
				ss->state = ST_DATA;
			} else if (cmdlen == 8 && !strncasecmp((const char *)p, "STARTTLS", 8)) {
				ss->starttls_sent = 1;
			}
		}
		off += ll;
		if (ss && ss->state == ST_DATA && pk->pass == 1)
			break;          /* what follows in this segment is message data */
	}
}

static void
dissect_replies(struct tq_pkt *pk, struct tq_node *t, struct tq_slice *s, struct session *ss, struct tq_sbuf *info)
{
	uint32_t off = 0;
	struct tq_node *rsp = NULL;
	int first = 1;
	while (off < s->len) {
		uint32_t ll = next_line(pk, s, off);
		if (!ll)
			return;
		const uint8_t *p = s->p + off;
		uint32_t n = strip_eol(p, ll);
		int cont = n >= 4 && p[3] == '-';
		uint32_t code = 0;
		int have_code = n >= 3;
		for (int i = 0; i < 3 && have_code; i++) {
			if (p[i] < '0' || p[i] > '9')
				have_code = 0;
			else
				code = code * 10 + (uint32_t)(p[i] - '0');
		}
		if (first) {
			/* one Response item for a whole multi-line reply, at its first line */
			rsp = tq_add(pk, t, &hf_response, s, off, ll);
			if (have_code)
				tq_add_u(pk, rsp, &hf_response_code, s, off, 3, code);
			tq_sbuf_puts(info, info->len ? " | " : "S: ");
			info_text(info, p, n);
		} else {
			tq_sbuf_puts(info, " | ");
			info_text(info, n >= 4 ? p + 4 : p + n, n >= 4 ? n - 4 : 0);
		}
		if (n >= 4)
			tq_add(pk, rsp, &hf_rsp_parameter, s, off + 4, n - 4);

		if (pk->pass == 1 && ss && ss->starttls_sent && !cont) {
			ss->starttls_sent = 0;
			if (code == 220)
				tq_tcp_starttls(pk);
		}
		off += ll;
		first = !cont;
	}
}

/* ------------------------------------------------------------------ message data */

/* Where the message ends: the CRLF before the "." line (which is not part of
 * the message), or the "." line itself at the very start of the data. */
static const uint8_t *
find_eom(const uint8_t *p, uint32_t n, int at_line_start)
{
	if (at_line_start && n >= 3 && !memcmp(p, ".\r\n", 3))
		return p;
	for (uint32_t i = 0; i + 5 <= n; i++)
		if (p[i] == '\r' && !memcmp(p + i, "\r\n.\r\n", 5))
			return p + i;
	return NULL;
}

static void
dissect_data(struct tq_pkt *pk, struct tq_node *t, struct tq_slice *s, struct session *ss,
    struct body *b, struct tq_sbuf *info)
{
	const uint8_t *eom = find_eom(s->p, s->len, !b || b->len == 0);
	uint32_t dlen = eom ? (uint32_t)(eom - s->p) : s->len;

	if (pk->pass == 1 && b && !b->done) {
		if (dlen && s->ds == 0) {
			struct body_frag *f = tq_arena_alloc(&pk->cap->state, sizeof(*f));
			if (f) {
				f->frame = pk->num;
				f->data_off = s->pos;
				f->len = dlen;
				*b->tail = f;
				b->tail = &f->next;
				b->nfrags++;
				b->len += dlen;
			}
		}
		if (eom) {
			b->done = pk->num;
			ss->body = NULL;
			ss->state = ST_COMMANDS;
		}
		return;
	}
	if (!b)
		return;
	if (b->done != pk->num) {
		tq_sbuf_printf(info, "C: DATA fragment, %u byte%s", dlen, dlen == 1 ? "" : "s");
		if (b->done)
			tq_add_gen(pk, t, &hf_data_in, s, 0, b->done);
		return;
	}
	/* the message is whole: the "." line, the fragments, then IMF on the body */
	tq_add(pk, t, &hf_eom, s, 0, 0);
	uint8_t *buf = tq_arena_alloc(pk->arena, b->len ? b->len : 1);
	if (!buf)
		return;
	uint32_t at = 0;
	for (const struct body_frag *f = b->frags; f; f = f->next) {
		const struct tq_frame *ff = &pk->cap->frames[f->frame - 1];
		if (f->data_off > ff->caplen || ff->caplen - f->data_off < f->len || at + f->len > b->len)
			return;
		memcpy(buf + at, pk->cap->base + ff->off + f->data_off, f->len);
		at += f->len;
	}
	int ds = tq_add_ds(pk, buf, b->len, tq_arena_printf(pk->arena, "Reassembled SMTP (%u bytes)", b->len));
	struct tq_slice w = { buf, b->len, b->len, 0, (uint8_t)(ds < 0 ? 0 : ds) };
	/* in the rebuilt message's own data source, as Wireshark places it */
	struct tq_node *fr = tq_gen(tq_add(pk, t, &hf_data_fragments, &w, 0, b->len));
	if (fr) {
		struct tq_sbuf lb;
		tq_sbuf_init(&lb, 0);
		tq_sbuf_printf(&lb, "%u DATA fragment%s (%u bytes): ", b->nfrags, b->nfrags == 1 ? "" : "s", b->len);
		uint32_t o = 0;
		for (const struct body_frag *f = b->frags; f; f = f->next) {
			tq_sbuf_printf(&lb, "%s#%u(%u)", f == b->frags ? "" : ", ", f->frame, f->len);
			struct tq_node *n = tq_gen(tq_add_u(pk, fr, &hf_data_fragment, &w, o, f->len, f->frame));
			tq_set_label(pk, n, "Frame: %u, payload: %u-%u (%u bytes)", f->frame, o, o + f->len - 1, f->len);
			o += f->len;
		}
		tq_set_label(pk, fr, "%s", tq_sbuf_str(&lb));
		tq_sbuf_free(&lb);
		tq_add_gen(pk, fr, &hf_data_count, &w, 0, b->nfrags);
		tq_add_gen(pk, fr, &hf_data_len, &w, 0, b->len);
	}
	if (ds >= 0 || !pk->tree)
		tq_dissect_imf(pk, &w);
}

/* ------------------------------------------------------------------ entry */

int
tq_dissect_smtp(struct tq_pkt *pk, struct tq_slice *s)
{
	struct session *ss = NULL;
	if (pk->tcp && pk->tcp->app_state) {
		ss = *pk->tcp->app_state;
		if (!ss && pk->pass == 1) {
			ss = tq_arena_alloc(&pk->cap->state, sizeof(*ss));
			*pk->tcp->app_state = ss;
		}
	}
	int request = is_request(pk);

	/* which kind of client bytes this frame carries, decided once in pass 1 */
	struct frame_info *fi = tq_pdata_get(pk->cap, pk->num, PD_SMTP);
	if (pk->pass == 1 && request && !fi) {
		fi = tq_arena_alloc(&pk->cap->state, sizeof(*fi));
		if (fi) {
			fi->data = ss && ss->state == ST_DATA;
			tq_pdata_put(pk->cap, pk->num, PD_SMTP, fi);
		}
	}
	int data = request && fi && fi->data;

	tq_col_proto(pk, "SMTP");
	struct tq_node *t = tq_add_proto(pk, tq_root(pk), &hf_smtp, s, 0, s->len);
	struct tq_sbuf info;
	tq_sbuf_init(&info, 0);
	if (data) {
		if (pk->pass == 1 && ss) {
			if (!ss->body) {
				ss->body = tq_arena_alloc(&pk->cap->state, sizeof(*ss->body));
				if (ss->body)
					ss->body->tail = &ss->body->frags;
			}
			fi->body = ss->body;
		}
		dissect_data(pk, t, s, ss, fi->body, &info);
	} else if (request) {
		tq_gen(TQ_HIDDEN(pk, tq_add_u(pk, t, &hf_req, s, 0, 0, 1)));
		dissect_commands(pk, t, s, ss, &info);
	} else {
		tq_gen(TQ_HIDDEN(pk, tq_add_u(pk, t, &hf_rsp, s, 0, 0, 1)));
		dissect_replies(pk, t, s, ss, &info);
	}
	if (info.len)
		tq_col_info_set(pk, "%s", tq_sbuf_str(&info));
	tq_sbuf_free(&info);
	if (pk->deseg_len)
		tq_set_len(t, pk->deseg_offset);
	return (int)s->len;
}
