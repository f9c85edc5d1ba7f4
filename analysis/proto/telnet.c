/*
 * telnet.c - Telnet (RFC 854, 855) as Wireshark 4.0 shows it: the data a
 * line at a time (a line ends at LF, CR LF or CR NUL), each command (IAC
 * and what follows) as an item named after it, option negotiation (WILL,
 * WONT, DO, DONT) and suboptions (SB ... SE) with the parameters of terminal
 * type and X display location, window size (NAWS), remote flow control and
 * encryption; the others' parameters as bytes.  Escaped IACs (IAC IAC) in a
 * suboption are unescaped into a data source of their own, as Wireshark's.
 * Info is always "Telnet Data ...".
 *
 * Not done: the authentication, output marking, tab stops, COM port, START
 * TLS and TN3270 suboption dissectors (their parameters show as "Option
 * data"), and TN3270/TN5250 detection.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "../internal.h"

#define TN_IAC 255
#define TN_DONT 254
#define TN_DO 253
#define TN_WONT 252
#define TN_WILL 251
#define TN_SB 250
#define TN_SE 240

static const struct tq_vals cmd_vals[] = {
	{ 236, "End of File" },
	{ 237, "Suspend Current Process" },
	{ 238, "Abort Process" },
	{ 239, "End of Record" },
	{ 240, "Suboption End" },
	{ 241, "No Operation" },
	{ 242, "Data Mark" },
	{ 243, "Break" },
	{ 244, "Interrupt Process" },
	{ 245, "Abort Output" },
	{ 246, "Are You There?" },
	{ 247, "Escape Character" },
	{ 248, "Erase Line" },
	{ 249, "Go Ahead" },
	{ 254, "Don't" },
	{ 253, "Do" },
	{ 252, "Won't" },
	{ 251, "Will" },
	{ 250, "Suboption" },
	{ 0, NULL },
};

static const struct tq_vals rfc_opt_vals[] = {
	{ 0, "OFF" }, { 1, "ON" }, { 2, "RESTART-ANY" }, { 3, "RESTART-XON" }, { 0, NULL },
};

static const struct tq_vals enc_cmd_vals[] = {
	{ 0, "IS" }, { 1, "SUPPORT" }, { 2, "REPLY" }, { 3, "START" }, { 4, "END" }, { 5, "REQUEST-START" },
	{ 6, "REQUEST-END" }, { 7, "ENC_KEYID" }, { 8, "DEC_KEYID" }, { 0, NULL },
};

static const struct tq_vals enc_type_vals[] = {
	{ 0, "NULL" }, { 1, "DES_CFB64" }, { 2, "DES_OFB64" }, { 3, "DES3_CFB64" }, { 4, "DES3_OFB64" },
	{ 8, "CAST5_40_CFB64" }, { 9, "CAST5_40_OFB64" }, { 10, "CAST128_CFB64" }, { 11, "CAST128_OFB64" },
	{ 0, NULL },
};

static struct tq_field hf_telnet = HF("telnet", "Telnet", FT_PROTOCOL, BASE_NONE, NULL, 0);
static struct tq_field hf_cmd = HF("telnet.cmd", "Command", FT_UINT8, BASE_DEC, cmd_vals, 0);
static struct tq_field hf_subcmd = HF("telnet.subcmd", "Subcommand", FT_UINT8, BASE_DEC, NULL, 0);
static struct tq_field hf_string_value = HF("telnet.string_subopt.value", "Value", FT_STRING, BASE_NONE, NULL, 0);
static struct tq_field hf_naws_width = HF("telnet.naws_subopt.width", "Width", FT_UINT16, BASE_DEC, NULL, 0);
static struct tq_field hf_naws_height = HF("telnet.naws_subopt.height", "Height", FT_UINT16, BASE_DEC, NULL, 0);
static struct tq_field hf_rfc_cmd = HF("telnet.rfc_subopt.cmd", "Command", FT_UINT8, BASE_DEC, rfc_opt_vals, 0);
static struct tq_field hf_enc_cmd = HF("telnet.enc.cmd", "Enc Cmd", FT_UINT8, BASE_DEC, enc_cmd_vals, 0);
static struct tq_field hf_enc_type = HF("telnet.enc.type", "Enc Type", FT_UINT8, BASE_DEC, enc_type_vals, 0);
static struct tq_field hf_enc_type_data = HF("telnet.enc.type_data", "Type-specific data", FT_BYTES, BASE_NONE, NULL, 0);
static struct tq_field hf_enc_key_id = HF("telnet.enc.key_id", "Key ID", FT_BYTES, BASE_NONE, NULL, 0);
static struct tq_field hf_data = HF("telnet.data", "Data", FT_STRING, BASE_NONE, NULL, 0);
static struct tq_field hf_option_data = HF("telnet.option_data", "Option data", FT_BYTES, BASE_NONE, NULL, 0);
static struct tq_field hf_subcommand_data = HF("telnet.subcommand_data", "Subcommand data", FT_BYTES, BASE_NONE, NULL, 0);

static struct tq_expert ei_suboption_length =
	EI("telnet.suboption_length.invalid", "Bogus suboption data", PI_WARN, PI_PROTOCOL);
static struct tq_expert ei_invalid_subcommand =
	EI("telnet.invalid_subcommand", "Invalid subcommand", PI_WARN, PI_PROTOCOL);
static struct tq_expert ei_enc_cmd_unknown =
	EI("telnet.enc.cmd.unknown", "Unknown encryption command", PI_WARN, PI_PROTOCOL);

static struct tq_field *const fields[] = {
	&hf_telnet, &hf_cmd, &hf_subcmd, &hf_string_value, &hf_naws_width, &hf_naws_height, &hf_rfc_cmd,
	&hf_enc_cmd, &hf_enc_type, &hf_enc_type_data, &hf_enc_key_id, &hf_data, &hf_option_data,
	&hf_subcommand_data, &ei_suboption_length.f, &ei_invalid_subcommand.f, &ei_enc_cmd_unknown.f,
};

static int dissect_telnet(struct tq_pkt *pk, struct tq_slice *s);

static struct tq_dissector telnet = { .name = "telnet", .dissect = dissect_telnet };

void
tq_register_telnet(void)
{
	TQ_REGISTER(fields);
	tq_dissector_add(TQ_TAB_TCP_PORT, 23, &telnet);
}

/* ------------------------------------------------------------------ options */

enum { NO_LENGTH, FIXED_LENGTH, VARIABLE_LENGTH };
enum { D_NONE, D_STRING, D_NAWS, D_RFC, D_ENC, D_OTHER };   /* D_OTHER: Wireshark's, not ours */

struct opt {
	const char *name;
	uint8_t len_type, optlen, dissect;
};

static const struct opt options[] = {
	{ "Binary Transmission", NO_LENGTH, 0, D_NONE },
	{ "Echo", NO_LENGTH, 0, D_NONE },
	{ "Reconnection", NO_LENGTH, 0, D_NONE },
	{ "Suppress Go Ahead", NO_LENGTH, 0, D_NONE },
	{ "Approx Message Size Negotiation", NO_LENGTH, 0, D_NONE },
	{ "Status", VARIABLE_LENGTH, 1, D_NONE },
	{ "Timing Mark", NO_LENGTH, 0, D_NONE },
	{ "Remote Controlled Trans and Echo", VARIABLE_LENGTH, 1, D_NONE },
	{ "Output Line Width", VARIABLE_LENGTH, 0, D_NONE },
	{ "Output Page Size", VARIABLE_LENGTH, 0, D_NONE },
	{ "Output Carriage-Return Disposition", FIXED_LENGTH, 2, D_NONE },
	{ "Output Horizontal Tab Stops", VARIABLE_LENGTH, 1, D_OTHER },
	{ "Output Horizontal Tab Disposition", FIXED_LENGTH, 2, D_NONE },
	{ "Output Formfeed Disposition", FIXED_LENGTH, 2, D_NONE },
	{ "Output Vertical Tabstops", VARIABLE_LENGTH, 1, D_NONE },
	{ "Output Vertical Tab Disposition", FIXED_LENGTH, 2, D_NONE },
	{ "Output Linefeed Disposition", FIXED_LENGTH, 2, D_NONE },
	{ "Extended ASCII", FIXED_LENGTH, 2, D_NONE },
	{ "Logout", NO_LENGTH, 0, D_NONE },
	{ "Byte Macro", VARIABLE_LENGTH, 2, D_NONE },
	{ "Data Entry Terminal", VARIABLE_LENGTH, 2, D_NONE },
	{ "SUPDUP", NO_LENGTH, 0, D_NONE },
	{ "SUPDUP Output", VARIABLE_LENGTH, 1, D_NONE },
	{ "Send Location", VARIABLE_LENGTH, 0, D_NONE },
	{ "Terminal Type", VARIABLE_LENGTH, 1, D_STRING },
	{ "End of Record", NO_LENGTH, 0, D_NONE },
	{ "TACACS User Identification", FIXED_LENGTH, 4, D_NONE },
	{ "Output Marking", VARIABLE_LENGTH, 1, D_OTHER },
	{ "Terminal Location Number", VARIABLE_LENGTH, 1, D_NONE },
	{ "Telnet 3270 Regime", VARIABLE_LENGTH, 1, D_OTHER },
	{ "X.3 PAD", VARIABLE_LENGTH, 1, D_NONE },
	{ "Negotiate About Window Size", FIXED_LENGTH, 4, D_NAWS },
	{ "Terminal Speed", VARIABLE_LENGTH, 1, D_NONE },
	{ "Remote Flow Control", FIXED_LENGTH, 1, D_RFC },
	{ "Linemode", VARIABLE_LENGTH, 1, D_NONE },
	{ "X Display Location", VARIABLE_LENGTH, 1, D_STRING },
	{ "Environment Option", VARIABLE_LENGTH, 1, D_NONE },
	{ "Authentication Option", VARIABLE_LENGTH, 1, D_OTHER },
	{ "Encryption Option", VARIABLE_LENGTH, 1, D_ENC },
	{ "New Environment Option", VARIABLE_LENGTH, 1, D_NONE },
	{ "TN3270E", VARIABLE_LENGTH, 1, D_OTHER },
	{ "XAUTH", VARIABLE_LENGTH, 1, D_NONE },
	{ "CHARSET", VARIABLE_LENGTH, 1, D_NONE },
	{ "Remote Serial Port", VARIABLE_LENGTH, 1, D_NONE },
	{ "COM Port Control", VARIABLE_LENGTH, 1, D_OTHER },
	{ "Suppress Local Echo", NO_LENGTH, 0, D_NONE },
	{ "Start TLS", FIXED_LENGTH, 1, D_OTHER },
	{ "KERMIT", VARIABLE_LENGTH, 1, D_NONE },
	{ "SEND-URL", VARIABLE_LENGTH, 1, D_NONE },
	{ "FORWARD_X", VARIABLE_LENGTH, 1, D_NONE },
};

static const struct opt opt_unknown = { "<unknown option>", VARIABLE_LENGTH, 0, D_NONE };

static const struct opt *
find_option(uint8_t b)
{
	return b < sizeof(options) / sizeof(options[0]) ? &options[b] : &opt_unknown;
}

/* ------------------------------------------------------------------ reading */

struct ctx {
	struct tq_pkt *pk;
	struct tq_slice *s;
	int stop;
};

static int
need(struct ctx *x, const struct tq_slice *s, uint32_t off, uint32_t len)
{
	if (x->stop)
		return 0;
	if (!tq_have(x->pk, s, off, len, "TELNET")) {
		x->stop = 1;
		return 0;
	}
	return 1;
}

static uint8_t
get8(struct ctx *x, const struct tq_slice *s, uint32_t off)
{
	return need(x, s, off, 1) ? s->p[off] : 0;
}

/* proto_tree_add_item: the bytes are checked with or without a tree. */
static struct tq_node *
add(struct ctx *x, struct tq_node *t, const struct tq_field *f, const struct tq_slice *s, uint32_t off, uint32_t len)
{
	if (!need(x, s, off, len))
		return NULL;
	return tq_add(x->pk, t, f, s, off, len);
}

/* proto_tree_add_uint, subtrees and formatted items: Wireshark checks their
 * bytes only with a tree, which tshark -2 builds in its second pass only. */
static int
tree_need(struct ctx *x, const struct tq_slice *s, uint32_t off, uint32_t len)
{
	if (x->stop)
		return 0;
	return x->pk->pass == 1 || need(x, s, off, len);
}

static struct tq_node *
add_u(struct ctx *x, struct tq_node *t, const struct tq_field *f, const struct tq_slice *s, uint32_t off,
    uint32_t len, uint64_t v)
{
	if (!tree_need(x, s, off, len) || !t)
		return NULL;
	return tq_add_u(x->pk, t, f, s, off, len, v);
}

/* An ASCII string as Wireshark 4.0 reads it: bytes past 0x7f become U+FFFD. */
static struct tq_node *
add_ascii(struct ctx *x, struct tq_node *t, const struct tq_field *f, const struct tq_slice *s, uint32_t off,
    uint32_t len)
{
	if (!need(x, s, off, len) || !t)
		return NULL;
	char *str = tq_ascii_string(x->pk->arena, s->p + off, len, NULL);
	return str ? tq_add_str(x->pk, t, f, s, off, len, str) : NULL;
}

/* ------------------------------------------------------------------ suboptions */

static void
string_subopt(struct ctx *x, const char *optname, const struct tq_slice *s, uint32_t off, int32_t len,
    struct tq_node *t, struct tq_node *item)
{
	uint8_t cmd = get8(x, s, off);
	if (x->stop)
		return;
	switch (cmd) {
	case 0:
		tq_set_label(x->pk, add_u(x, t, &hf_subcmd, s, off, 1, cmd), "Here's my %s", optname);
		off++;
		len--;
		if (len > 0)
			add_ascii(x, t, &hf_string_value, s, off, (uint32_t)len);
		break;
	case 1:
		tq_set_label(x->pk, add_u(x, t, &hf_subcmd, s, off, 1, cmd), "Send your %s", optname);
		off++;
		len--;
		if (len > 0 && tree_need(x, s, off, (uint32_t)len) && t)
			tq_set_label(x->pk, tq_add(x->pk, t, &hf_subcommand_data, s, off, (uint32_t)len), "Extra data");
		break;
	default:
		if (item)
			tq_expert(x->pk, item, &ei_invalid_subcommand, "Invalid %s subcommand %u", optname, cmd);
		off++;
		len--;
		if (len > 0)
			add(x, t, &hf_subcommand_data, s, off, (uint32_t)len);
		break;
	}
}

static void
enc_subopt(struct ctx *x, const struct tq_slice *s, uint32_t off, int32_t len, struct tq_node *t,
    struct tq_node *item)
{
	uint8_t ecmd = get8(x, s, off);
	if (x->stop)
		return;
	add_u(x, t, &hf_enc_cmd, s, off, 1, ecmd);
	off++;
	len--;
	switch (ecmd) {
	case 0:
	case 2:
		if (len > 0) {
			add_u(x, t, &hf_enc_type, s, off, 1, get8(x, s, off));
			off++;
			len--;
			add(x, t, &hf_enc_type_data, s, off, (uint32_t)len);
		}
		break;
	case 1:
		while (len > 0 && !x->stop) {
			add_u(x, t, &hf_enc_type, s, off, 1, get8(x, s, off));
			off++;
			len--;
		}
		break;
	case 3:
		if (len > 0) {
			uint8_t first = get8(x, s, off);
			if (tree_need(x, s, off, (uint32_t)len) && t)
				tq_set_label(x->pk, tq_add(x->pk, t, &hf_enc_key_id, s, off, (uint32_t)len), "%s",
				    first == 0 ? "Default key" : "Key ID");
		}
		break;
	case 4:
	case 6:
		break;
	case 5:
		if (len > 0 && tree_need(x, s, off, (uint32_t)len) && t)
			tq_set_label(x->pk, tq_add(x->pk, t, &hf_enc_key_id, s, off, (uint32_t)len), "Key ID (advisory)");
		break;
	case 7:
	case 8:
		if (len > 0)
			add(x, t, &hf_enc_key_id, s, off, (uint32_t)len);
		break;
	default:
		if (item)
			tq_expert(x->pk, item, &ei_enc_cmd_unknown, NULL);
	}
}

/* IAC SB option ... up to the next unescaped IAC; returns where that IAC is. */
static uint32_t
sub_option(struct ctx *x, struct tq_node *t, struct tq_node *item, uint32_t start)
{
	const struct tq_slice *s = x->s;
	uint32_t off = start + 2;
	uint8_t ob = get8(x, s, off);
	if (x->stop)
		return off;
	const struct opt *opt = find_option(ob);
	off++;
	uint32_t cur = off, len = s->rlen - off;
	int iac_data = 0;
	for (;;) {
		/* tvb_find_guint8 over len bytes from cur, within what was captured */
		uint32_t avail = cur < s->len ? s->len - cur : 0;
		uint32_t n = len < avail ? len : avail;
		const uint8_t *hit = n ? memchr(s->p + cur, TN_IAC, n) : NULL;
		if (!hit) {
			off += len;
			break;
		}
		uint32_t iac = (uint32_t)(hit - s->p);
		if (iac + 1 >= s->len || s->p[iac + 1] != TN_IAC) {
			off = iac;
			break;
		}
		cur = iac + 2;
		iac_data++;
	}
	int32_t sublen = (int32_t)(off - start) - 3;
	uint32_t sstart = start + 3;
	if (sublen <= 0)
		return off;
	if (opt->dissect != D_NONE) {
		int32_t have = sublen - iac_data;
		if (opt->len_type == FIXED_LENGTH && have != opt->optlen) {
			if (item)
				tq_expert(x->pk, item, &ei_suboption_length, "Suboption parameter length is %d, should be %d",
				    sublen, opt->optlen);
			return off;
		}
		if (opt->len_type == VARIABLE_LENGTH && have < opt->optlen) {
			if (item)
				tq_expert(x->pk, item, &ei_suboption_length,
				    "Suboption parameter length is %d, should be at least %d", sublen, opt->optlen);
			return off;
		}
	}
	/* the parameters, unescaped into a data source of their own when needed */
	struct tq_slice w = *s;
	uint32_t woff = sstart, wlen = (uint32_t)sublen;
	if (iac_data > 0) {
		if (!need(x, s, sstart, (uint32_t)sublen))
			return off;
		uint8_t *buf = tq_arena_alloc_raw(x->pk->arena, (size_t)sublen);
		if (!buf)
			return off;
		const uint8_t *sp = s->p + sstart, *last = sp + sublen - 1;
		uint32_t k = 0;
		for (int32_t l = sublen; l > 0;) {
			if (sp < last && sp[0] == 0xff && sp[1] == 0xff) {
				buf[k++] = 0xff;
				sp += 2;
				l -= 2;
				continue;
			}
			buf[k++] = *sp++;
			l--;
		}
		int ds = tq_add_ds(x->pk, buf, k, "Unpacked Telnet Option");
		if (ds < 0 && x->pk->tree)
			return off;
		w.p = buf;
		w.len = w.rlen = k;
		w.pos = 0;
		w.ds = (uint8_t)(ds < 0 ? 0 : ds);
		woff = 0;
		wlen = (uint32_t)(sublen - iac_data);
	}
	struct ctx y = { x->pk, &w, 0 };
	switch (opt->dissect) {
	case D_STRING:
		string_subopt(&y, opt->name, &w, woff, (int32_t)wlen, t, item);
		break;
	case D_NAWS:
		add(&y, t, &hf_naws_width, &w, woff, 2);
		add(&y, t, &hf_naws_height, &w, woff + 2, 2);
		break;
	case D_RFC:
		add(&y, t, &hf_rfc_cmd, &w, woff, 1);
		break;
	case D_ENC:
		enc_subopt(&y, &w, woff, (int32_t)wlen, t, item);
		break;
	default:
		add(&y, t, &hf_option_data, &w, woff, wlen);
		break;
	}
	if (y.stop)
		x->stop = 1;
	return off;
}

static uint32_t
command(struct ctx *x, struct tq_node *tree, uint32_t start)
{
	struct tq_pkt *pk = x->pk;
	const struct tq_slice *s = x->s;
	uint32_t off = start + 1;
	uint8_t code = get8(x, s, off);
	if (x->stop)
		return off;
	struct tq_node *ci = NULL;
	if (tree_need(x, s, start, 2) && tree)
		ci = tq_add_text(pk, tree, s, start, 2, "Command header");
	add(x, ci, &hf_cmd, s, off, 1);
	off++;
	if (x->stop)
		return off;
	const char *type = NULL, *optname;
	switch (code) {
	case TN_WILL: type = "Will"; break;
	case TN_WONT: type = "Won't"; break;
	case TN_DO: type = "Do"; break;
	case TN_DONT: type = "Don't"; break;
	case TN_SB: type = "Suboption"; break;
	}
	struct tq_node *sub = NULL;
	if (type) {
		uint8_t ob = get8(x, s, off);
		if (x->stop)
			return off;
		const struct opt *opt = find_option(ob);
		sub = add_u(x, ci, &hf_subcmd, s, off, 1, ob);
		tq_set_valtext(pk, sub, "%s", opt->name);
		off++;
		optname = ci ? tq_arena_printf(pk->arena, "%s %s", type, opt->name) : "";
	} else {
		optname = tq_vals_find(cmd_vals, code);
		if (!optname)
			optname = "<unknown option>";
	}
	if (ci)
		tq_set_label(pk, ci, "%s", optname ? optname : "");
	if (code == TN_SB)
		off = sub_option(x, sub, sub, start);
	tq_set_len(ci, off - start);
	return off;
}

/* The data a line at a time (telnet_add_text). */
static void
add_text(struct ctx *x, struct tq_node *tree, uint32_t off, uint32_t len)
{
	const struct tq_slice *s = x->s;
	while (len != 0 && off < s->len && !x->stop) {
		/* the search stops at the captured bytes, a line without an end
		 * runs to the reported length (and past the captured ones) */
		uint32_t n = s->len - off < len ? s->len - off : len;
		const uint8_t *p = s->p + off;
		uint32_t linelen = len, next = off + len;
		for (uint32_t i = 0; i < n; i++) {
			if (p[i] == '\r' || p[i] == '\n') {
				linelen = i;
				uint32_t eol = off + i;
				if (p[i] == '\r' && i + 1 < n && p[i + 1] == '\n')
					eol++;
				next = eol + 1;
				break;
			}
		}
		len -= next - off;
		/* a lone CR: what follows up to LF, or a NUL after a CR, is the same line */
		if (next == off + linelen + 1 && len >= 1 && s->p[off + linelen] == '\r') {
			int last_cr = 1;
			while (len != 0 && next < s->len) {
				uint8_t c = s->p[next];
				next++;
				len--;
				if (c == '\n' || (c == '\0' && last_cr))
					break;
				last_cr = c == '\r';
			}
		}
		add_ascii(x, tree, &hf_data, s, off, next - off);
		off = next;
	}
}

/* The next IAC that is not IAC IAC, -1 when none (find_unescaped_iac). */
static int64_t
find_iac(struct ctx *x, uint32_t off, uint32_t len)
{
	const struct tq_slice *s = x->s;
	for (;;) {
		uint32_t avail = off < s->len ? s->len - off : 0;
		uint32_t n = len < avail ? len : avail;
		const uint8_t *hit = n ? memchr(s->p + off, TN_IAC, n) : NULL;
		if (!hit)
			return -1;
		uint32_t iac = (uint32_t)(hit - s->p);
		if (get8(x, s, iac + 1) != TN_IAC || x->stop)
			return x->stop ? -1 : (int64_t)iac;
		off = iac + 2;
		len = s->rlen > off ? s->rlen - off : 0;
	}
}

static int
dissect_telnet(struct tq_pkt *pk, struct tq_slice *s)
{
	tq_col_proto(pk, "TELNET");
	tq_col_info_set(pk, "Telnet Data ...");
	struct tq_node *t = tq_add_proto(pk, tq_root(pk), &hf_telnet, s, 0, s->len);
	struct ctx x = { pk, s, 0 };
	uint32_t off = 0;
	while (off < s->rlen && !x.stop) {
		uint32_t len = s->rlen - off;
		int64_t iac = find_iac(&x, off, len);
		if (x.stop)
			break;
		if (iac >= 0) {
			if ((uint32_t)iac > off)
				add_text(&x, t, off, (uint32_t)iac - off);
			uint32_t next = command(&x, t, (uint32_t)iac);
			if (next <= off)
				break;
			off = next;
		} else {
			add_text(&x, t, off, len);
			break;
		}
	}
	return (int)s->len;
}
