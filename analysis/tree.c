/* tree.c - the field tree: nodes in a per-frame arena, their labels and values. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "internal.h"

/* ------------------------------------------------------------------ slices */

struct tq_slice
tq_sub(const struct tq_slice *s, uint32_t off, uint32_t len)
{
	struct tq_slice r = *s;

	if (off > s->len) {
		r.p = s->p + s->len;
		r.len = 0;
	} else {
		r.p = s->p + off;
		r.len = s->len - off < len ? s->len - off : len;
	}
	r.rlen = off > s->rlen ? 0 : (s->rlen - off < len ? s->rlen - off : len);
	if (r.rlen < r.len)
		r.rlen = r.len;
	r.pos = s->pos + off;
	return r;
}

struct tq_slice
tq_sub_rest(const struct tq_slice *s, uint32_t off)
{
	return tq_sub(s, off, UINT32_MAX);
}

/* ------------------------------------------------------------------ nodes */

static unsigned
ftype_bits(int type)
{
	switch (type) {
	case FT_UINT8: case FT_INT8: return 8;
	case FT_UINT16: case FT_INT16: return 16;
	case FT_UINT24: case FT_INT24: return 24;
	case FT_UINT32: case FT_INT32: case FT_FRAMENUM: return 32;
	case FT_UINT40: return 40;
	case FT_UINT48: return 48;
	case FT_UINT56: return 56;
	case FT_UINT64: case FT_INT64: return 64;
	default: return 0;
	}
}

static int
is_uint(int type)
{
	return (type >= FT_UINT8 && type <= FT_UINT64) || type == FT_FRAMENUM;
}

static int
is_int(int type)
{
	return type >= FT_INT8 && type <= FT_INT64;
}

static unsigned
mask_shift(uint64_t mask)
{
	return mask ? (unsigned)__builtin_ctzll(mask) : 0;
}

static struct tq_node *
node_new(struct tq_pkt *pk, struct tq_node *parent, const struct tq_field *f,
    const struct tq_slice *s, uint32_t off, uint32_t len)
{
	struct tq_node *n = tq_arena_alloc_raw(pk->arena, sizeof(*n));
	if (!n)
		return NULL;
	memset(n, 0, sizeof(*n));
	n->f = f;
	n->pos = s ? s->pos + off : 0;
	n->ds = s ? s->ds : 0;
	n->len = len;
	if (s && (off > s->len || s->len - off < len)) {
		n->flags |= NF_TRUNC;
	}
	if (s && f && f->type == FT_PROTOCOL) {
		/* a protocol's value is every byte it was given, as Wireshark's
		 * tvb: 'tcp contains' searches the payload too */
		uint32_t o = off <= s->len ? off : s->len;
		n->v.b.p = s->p ? s->p + o : NULL;
		n->v.b.n = s->p ? s->len - o : 0;
	}
	if (parent->last)
		parent->last->next = n;
	else
		parent->child = n;
	parent->last = n;
	return n;
}

/* Reads len bytes big-endian at p (len <= 8). */
static uint64_t
read_be(const uint8_t *p, uint32_t len)
{
	uint64_t v = 0;
	for (uint32_t i = 0; i < len && i < 8; i++)
		v = v << 8 | p[i];
	return v;
}

static uint64_t
apply_mask(const struct tq_field *f, uint64_t v)
{
	if (f->mask)
		v = (v & f->mask) >> mask_shift(f->mask);
	return v;
}

struct tq_node *
tq_add(struct tq_pkt *pk, struct tq_node *parent, const struct tq_field *f,
    const struct tq_slice *s, uint32_t off, uint32_t len)
{
	if (!parent)
		return NULL;
	struct tq_node *n = node_new(pk, parent, f, s, off, len);
	if (!n)
		return NULL;
	uint32_t avail = off <= s->len ? s->len - off : 0;
	const uint8_t *p = s->p + (off <= s->len ? off : s->len);
	uint32_t have = len < avail ? len : avail;

	if (is_uint(f->type) || f->type == FT_BOOLEAN) {
		n->v.u = apply_mask(f, have == len ? read_be(p, len) : 0);
	} else if (is_int(f->type)) {
		uint64_t raw = have == len ? read_be(p, len) : 0;
		unsigned bits = len * 8;
		if (bits && bits < 64 && (raw >> (bits - 1)) & 1)
			raw |= ~0ULL << bits;
		n->v.i = (int64_t)raw;
	} else if (f->type != FT_PROTOCOL) {
		n->v.b.p = p;
		n->v.b.n = have;
	}
	return n;
}

struct tq_node *
tq_add_u(struct tq_pkt *pk, struct tq_node *parent, const struct tq_field *f,
    const struct tq_slice *s, uint32_t off, uint32_t len, uint64_t v)
{
	if (!parent)
		return NULL;
	struct tq_node *n = node_new(pk, parent, f, s, off, len);
	if (n)
		n->v.u = v;
	return n;
}

struct tq_node *
tq_add_gen(struct tq_pkt *pk, struct tq_node *parent, const struct tq_field *f,
    const struct tq_slice *s, uint32_t off, uint64_t v)
{
	return tq_gen(tq_add_u(pk, parent, f, s, off, 0, v));
}

struct tq_node *
tq_add_time(struct tq_pkt *pk, struct tq_node *parent, const struct tq_field *f,
    const struct tq_slice *s, uint32_t off, uint32_t len, int64_t sec, int32_t nsec)
{
	if (!parent)
		return NULL;
	struct tq_node *n = node_new(pk, parent, f, s, off, len);
	if (n) {
		n->v.t.s = sec;
		n->v.t.ns = nsec;
	}
	return n;
}

struct tq_node *
tq_add_str(struct tq_pkt *pk, struct tq_node *parent, const struct tq_field *f,
    const struct tq_slice *s, uint32_t off, uint32_t len, const char *str)
{
	if (!parent)
		return NULL;
	struct tq_node *n = node_new(pk, parent, f, s, off, len);
	if (!n)
		return NULL;
	size_t sl = strlen(str);
	n->v.b.p = (const uint8_t *)tq_arena_strdup(pk->arena, str, sl);
	n->v.b.n = n->v.b.p ? (uint32_t)sl : 0;
	n->flags |= NF_LOCAL;
	return n;
}

struct tq_node *
tq_add_proto(struct tq_pkt *pk, struct tq_node *parent, const struct tq_field *f,
    const struct tq_slice *s, uint32_t off, uint32_t len)
{
	tq_layer(pk, f->abbrev);
	if (!parent)
		return NULL;
	return node_new(pk, parent, f, s, off, len);
}

struct tq_node *
tq_add_text(struct tq_pkt *pk, struct tq_node *parent, const struct tq_slice *s,
    uint32_t off, uint32_t len, const char *fmt, ...)
{
	if (!parent)
		return NULL;
	struct tq_node *n = node_new(pk, parent, NULL, s, off, len);
	if (!n || pk->tree->no_text)
		return n;
	va_list ap;
	va_start(ap, fmt);
	n->text = tq_arena_vprintf(pk->arena, fmt, ap);
	va_end(ap);
	n->flags |= NF_LABEL;
	return n;
}

void
tq_set_label(struct tq_pkt *pk, struct tq_node *n, const char *fmt, ...)
{
	if (!n || pk->tree->no_text)
		return;
	va_list ap;
	va_start(ap, fmt);
	n->text = tq_arena_vprintf(pk->arena, fmt, ap);
	va_end(ap);
	n->flags = (uint8_t)((n->flags & ~NF_VALTEXT) | NF_LABEL);
	n->suffix = NULL;
}

void
tq_set_valtext(struct tq_pkt *pk, struct tq_node *n, const char *fmt, ...)
{
	if (!n || pk->tree->no_text)
		return;
	va_list ap;
	va_start(ap, fmt);
	n->text = tq_arena_vprintf(pk->arena, fmt, ap);
	va_end(ap);
	n->flags |= NF_VALTEXT;
}

void
tq_append(struct tq_pkt *pk, struct tq_node *n, const char *fmt, ...)
{
	if (!n || pk->tree->no_text)
		return;
	va_list ap;
	va_start(ap, fmt);
	char *add = tq_arena_vprintf(pk->arena, fmt, ap);
	va_end(ap);
	if (!add)
		return;
	if (n->suffix)
		n->suffix = tq_arena_printf(pk->arena, "%s%s", n->suffix, add);
	else
		n->suffix = add;
}

void
tq_set_len(struct tq_node *n, uint32_t len)
{
	if (n)
		n->len = len;
}

/* ------------------------------------------------------------------ expert info */

static const struct tq_vals severity_vals[] = {
	{ PI_COMMENT, "Comment" }, { PI_CHAT, "Chat" }, { PI_NOTE, "Note" },
	{ PI_WARN, "Warning" }, { PI_ERROR, "Error" }, { 0, NULL },
};

static const struct tq_vals group_vals[] = {
	{ PI_CHECKSUM, "Checksum" }, { PI_SEQUENCE, "Sequence" },
	{ PI_RESPONSE_CODE, "Response code" }, { PI_REQUEST_CODE, "Request code" },
	{ PI_UNDECODED, "Undecoded" }, { PI_REASSEMBLE, "Reassemble" },
	{ PI_MALFORMED, "Malformed" }, { 0x08000000, "Debug" }, { PI_PROTOCOL, "Protocol" },
	{ 0x0a000000, "Security" }, { 0x0b000000, "Comment" }, { 0x0c000000, "Decryption" },
	{ 0x0d000000, "Assumption" }, { PI_DEPRECATED, "Deprecated" }, { 0, NULL },
};

static struct tq_field hf_expert = HF("_ws.expert", "Expert Info", FT_PROTOCOL, BASE_NONE, NULL, 0);
static struct tq_field hf_expert_msg = HF("_ws.expert.message", "Message", FT_STRING, BASE_NONE, NULL, 0);
static struct tq_field hf_expert_sev = HF("_ws.expert.severity", "Severity level", FT_UINT32, BASE_NONE, severity_vals, 0);
static struct tq_field hf_expert_grp = HF("_ws.expert.group", "Group", FT_UINT32, BASE_NONE, group_vals, 0);
static struct tq_field hf_malformed = HF("_ws.malformed", "Malformed Packet", FT_PROTOCOL, BASE_NONE, NULL, 0);
static struct tq_field hf_short = HF("_ws.short", "Packet size limited during capture", FT_PROTOCOL, BASE_NONE, NULL, 0);
static struct tq_expert ei_malformed = EI("_ws.malformed.expert", "Malformed Packet (Exception occurred)", PI_ERROR, PI_MALFORMED);

static struct tq_field *const expert_fields[] = {
	&hf_expert, &hf_expert_msg, &hf_expert_sev, &hf_expert_grp, &hf_malformed, &hf_short,
	&ei_malformed.f,
};

void tq_register_expert(void);
void
tq_register_expert(void)
{
	TQ_REGISTER(expert_fields);
}

struct tq_node *
tq_expert(struct tq_pkt *pk, struct tq_node *n, const struct tq_expert *e, const char *fmt, ...)
{
	if (!n)
		return NULL;
	char msg[512];
	if (fmt) {
		va_list ap;
		va_start(ap, fmt);
		tq_vformat(msg, sizeof(msg), fmt, ap);
		va_end(ap);
	} else {
		snprintf(msg, sizeof(msg), "%s", e->f.name);
	}
	/* position 0, as Wireshark: PDML prints it at its parent's position */
	struct tq_slice at = { NULL, 0, 0, 0, n->ds };
	struct tq_node *x = node_new(pk, n, &hf_expert, &at, 0, 0);
	if (!x)
		return NULL;
	x->flags |= NF_GENERATED | NF_EXPERT | NF_LABEL;
	x->text = tq_arena_printf(pk->arena, "Expert Info (%s/%s): %s",
	    tq_vals_find(severity_vals, e->severity), tq_vals_find(group_vals, e->group), msg);
	struct tq_slice zero = { NULL, 0, 0, 0, 0 };
	struct tq_node *c = node_new(pk, x, &e->f, &zero, 0, 0);
	if (c) {
		c->flags |= NF_GENERATED | NF_LABEL;
		c->text = tq_arena_strdup(pk->arena, msg, strlen(msg));
	}
	tq_gen(TQ_HIDDEN(pk, tq_add_str(pk, x, &hf_expert_msg, &zero, 0, 0, msg)));
	tq_add_gen(pk, x, &hf_expert_sev, &zero, 0, e->severity);
	tq_add_gen(pk, x, &hf_expert_grp, &zero, 0, e->group);
	return x;
}

void
tq_malformed(struct tq_pkt *pk, const char *proto)
{
	tq_malformed_why(pk, proto, NULL);
}

void
tq_malformed_why(struct tq_pkt *pk, const char *proto, const char *why)
{
	if (pk->want_cols) {
		if (why)
			tq_col_info_append(pk, "[Malformed Packet: %s]", why);
		else
			tq_col_info_append(pk, "[Malformed Packet]");
	}
	/* at the top even inside an ICMP error, where Wireshark's exception ends up */
	struct tq_node *root = pk->tree ? &pk->tree->root : NULL;
	if (!root)
		return;
	struct tq_slice zero = { NULL, 0, 0, 0, 0 };
	struct tq_node *m = node_new(pk, root, &hf_malformed, &zero, 0, 0);
	if (!m)
		return;
	m->flags |= NF_LABEL;
	if (why)
		m->text = tq_arena_printf(pk->arena, "[Malformed Packet: %s: %s]", proto, why);
	else
		m->text = tq_arena_printf(pk->arena, "[Malformed Packet: %s]", proto);
	tq_expert(pk, m, &ei_malformed, NULL);
	/* not a layer: frame.protocols does not list _ws.malformed */
}

int
tq_have(struct tq_pkt *pk, const struct tq_slice *s, uint32_t off, uint32_t len, const char *proto)
{
	if (off <= s->len && s->len - off >= len)
		return 1;
	if (off <= s->rlen && s->rlen - off >= len)
		tq_truncated(pk, proto);
	else
		tq_malformed(pk, proto);
	return 0;
}

int
tq_cursor_report(struct tq_pkt *pk, const struct tq_cursor *c, const char *proto)
{
	if (c->err == TQ_ETRUNC)
		tq_truncated(pk, proto);
	else if (c->err)
		tq_malformed(pk, proto);
	return c->err;
}

void
tq_truncated(struct tq_pkt *pk, const char *proto)
{
	if (pk->want_cols)
		tq_col_info_append(pk, "[Packet size limited during capture]");
	struct tq_node *root = pk->tree ? &pk->tree->root : NULL;
	if (!root)
		return;
	struct tq_slice zero = { NULL, 0, 0, 0, 0 };
	struct tq_node *m = node_new(pk, root, &hf_short, &zero, 0, 0);
	if (!m)
		return;
	m->flags |= NF_LABEL;
	m->text = tq_arena_printf(pk->arena, "[Packet size limited during capture: %s truncated]", proto);
}

/* ------------------------------------------------------------------ labels */

/*
 * Wireshark's format_text (the labels of strings, and x509if's names):
 * printable ASCII and printable UTF-8 as they are, C escapes for control
 * characters ("\n", "\001"), \uXXXX for code points that do not print, and
 * U+FFFD for what is not UTF-8.
 */
static int
uc_printable(uint32_t uc)
{
	if (uc < 0x20 || (uc >= 0x7f && uc <= 0x9f))
		return 0;                /* controls */
	if (uc == 0xad || (uc >= 0x600 && uc <= 0x605) || uc == 0x61c || uc == 0x6dd || uc == 0x70f ||
	    uc == 0x180e || (uc >= 0x200b && uc <= 0x200f) || (uc >= 0x202a && uc <= 0x202e) ||
	    (uc >= 0x2060 && uc <= 0x2064) || (uc >= 0x2066 && uc <= 0x206f) || uc == 0xfeff ||
	    (uc >= 0xfff9 && uc <= 0xfffb) || uc == 0xe0001 || (uc >= 0xe0020 && uc <= 0xe007f))
		return 0;                /* format characters */
	if ((uc & 0xfffe) == 0xfffe || (uc >= 0xfdd0 && uc <= 0xfdef))
		return 0;                /* noncharacters */
	return 1;
}

static void
put_utf8(struct tq_sbuf *out, uint32_t uc)
{
	char b[4];
	size_t n;
	if (uc < 0x80) {
		b[0] = (char)uc;
		n = 1;
	} else if (uc < 0x800) {
		b[0] = (char)(0xc0 | uc >> 6);
		b[1] = (char)(0x80 | (uc & 0x3f));
		n = 2;
	} else if (uc < 0x10000) {
		b[0] = (char)(0xe0 | uc >> 12);
		b[1] = (char)(0x80 | ((uc >> 6) & 0x3f));
		b[2] = (char)(0x80 | (uc & 0x3f));
		n = 3;
	} else {
		b[0] = (char)(0xf0 | uc >> 18);
		b[1] = (char)(0x80 | ((uc >> 12) & 0x3f));
		b[2] = (char)(0x80 | ((uc >> 6) & 0x3f));
		b[3] = (char)(0x80 | (uc & 0x3f));
		n = 4;
	}
	tq_sbuf_put(out, b, n);
}

void
tq_format_text(struct tq_sbuf *out, const uint8_t *p, size_t n)
{
	static const char esc[] = "\aa\bb\ff\nn\rr\tt\vv";
	size_t i = 0;
	while (i < n) {
		uint8_t c = p[i++];
		if (c >= 0x20 && c < 0x7f) {
			tq_sbuf_putc(out, (char)c);
			continue;
		}
		if (c < 0x80) {
			const char *e = c ? memchr(esc, c, sizeof(esc) - 1) : NULL;
			if (e && (e - esc) % 2 == 0)
				tq_sbuf_printf(out, "\\%c", e[1]);
			else
				tq_sbuf_printf(out, "\\%03o", c);
			continue;
		}
		int more = (c & 0xe0) == 0xc0 ? 1 : (c & 0xf0) == 0xe0 ? 2 : (c & 0xf8) == 0xf0 ? 3 :
		    (c & 0xfc) == 0xf8 ? 4 : (c & 0xfe) == 0xfc ? 5 : -1;
		uint32_t uc = 0xfffd;
		if (more > 0) {
			uc = c & (0x3fu >> more);
			for (int j = 0; j < more; j++) {
				if (i >= n || (p[i] & 0xc0) != 0x80) {
					/* cut or broken: the next octet starts a new character */
					uc = 0xfffd;
					break;
				}
				uc = uc << 6 | (p[i++] & 0x3f);
			}
			if (uc >= 0x110000 || (uc >= 0xd800 && uc <= 0xdfff))
				uc = 0xfffd;
		}
		if (uc_printable(uc))
			put_utf8(out, uc);
		else if (uc <= 0xffff)
			tq_sbuf_printf(out, "\\u%04X", uc);
		else
			tq_sbuf_printf(out, "\\U%08X", uc);
	}
}

void
tq_fmt_bits(char *buf, size_t len, uint64_t val, uint64_t mask, unsigned width)
{
	size_t k = 0;

	if (!len)
		return;
	for (unsigned i = 0; i < width && k + 5 < len; i++) {
		uint64_t bit = 1ULL << (width - 1 - i);
		if (i && i % 4 == 0)
			buf[k++] = ' ';
		buf[k++] = (mask & bit) ? ((val & bit) ? '1' : '0') : '.';
	}
	memcpy(buf + k, " = ", 4);
}

/* A string's value as PDML's show gives it: the text itself, control
 * characters included, with invalid UTF-8 replaced by U+FFFD. */
static void
put_raw(struct tq_sbuf *out, const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		uint8_t c = p[i];
		if (c == 0)
			return;              /* Wireshark's strings end at a NUL */
		if (c < 0x80) {
			tq_sbuf_putc(out, (char)c);
			continue;
		}
		size_t need = (c & 0xe0) == 0xc0 ? 1 : (c & 0xf0) == 0xe0 ? 2 : (c & 0xf8) == 0xf0 ? 3 : 9;
		size_t k = 0;
		if (need < 4 && i + need < n)
			for (k = 0; k < need && (p[i + 1 + k] & 0xc0) == 0x80; k++)
				;
		if (need < 4 && k == need && c >= 0xc2 && c <= 0xf4) {
			tq_sbuf_put(out, (const char *)p + i, need + 1);
			i += need;
		} else {
			tq_sbuf_puts(out, "\xef\xbf\xbd");
		}
	}
}

static void
put_bits(struct tq_sbuf *out, uint64_t val, uint64_t mask, unsigned width)
{
	char buf[160];
	tq_fmt_bits(buf, sizeof(buf), val, mask, width);
	tq_sbuf_puts(out, buf);
}

static unsigned
hex_digits(const struct tq_field *f)
{
	unsigned bits;
	if (f->mask) {
		uint64_t m = f->mask >> mask_shift(f->mask);
		bits = 64 - (unsigned)__builtin_clzll(m);
	} else {
		bits = ftype_bits(f->type);
	}
	return (bits + 3) / 4;
}

static void
put_number(struct tq_sbuf *out, const struct tq_field *f, uint64_t v, int base)
{
	unsigned w = hex_digits(f);

	if (is_int(f->type)) {
		if (base == BASE_HEX)
			tq_sbuf_put_hex(out, v & (w >= 16 ? ~0ULL : ((1ULL << (w * 4)) - 1)), w, 1);
		else
			tq_sbuf_put_i64(out, (int64_t)v);
		return;
	}
	switch (base) {
	case BASE_HEX:
		tq_sbuf_put_hex(out, v, w, 1);
		break;
	case BASE_OCT:
		tq_sbuf_printf(out, "%#llo", (unsigned long long)v);
		break;
	case BASE_DEC_HEX:
		tq_sbuf_put_u64(out, v);
		tq_sbuf_puts(out, " (");
		tq_sbuf_put_hex(out, v, w, 1);
		tq_sbuf_putc(out, ')');
		break;
	case BASE_HEX_DEC:
		tq_sbuf_put_hex(out, v, w, 1);
		tq_sbuf_puts(out, " (");
		tq_sbuf_put_u64(out, v);
		tq_sbuf_putc(out, ')');
		break;
	default:
		tq_sbuf_put_u64(out, v);
		break;
	}
}

static void
put_value(struct tq_sbuf *out, const struct tq_node *n)
{
	const struct tq_field *f = n->f;
	char buf[128];

	if (n->flags & NF_VALTEXT) {
		tq_sbuf_puts(out, n->text);
		return;
	}
	switch (f->type) {
	case FT_BOOLEAN: {
		const struct tq_tfs *t = f->skind == SK_TFS ? f->strings : &tq_tfs_true_false;
		tq_sbuf_puts(out, n->v.u ? t->t : t->f);
		return;
	}
	case FT_ABSTIME:
		tq_fmt_abstime(n->v.t.s, n->v.t.ns, buf, sizeof(buf));
		tq_sbuf_puts(out, buf);
		return;
	case FT_RELTIME:
		tq_fmt_reltime(n->v.t.s, n->v.t.ns, buf, sizeof(buf));
		tq_sbuf_puts(out, buf);
		tq_sbuf_puts(out, " seconds");
		return;
	case FT_ETHER:
		if (n->v.b.n == 6) {
			char addr[32];
			tq_ether_name(n->v.b.p, buf, sizeof(buf));
			tq_ether_str(n->v.b.p, addr, sizeof(addr));
			tq_sbuf_printf(out, "%s (%s)", buf, addr);
		}
		return;
	case FT_IPV4:
		if (n->v.b.n == 4) {
			tq_ipv4_str(n->v.b.p, buf, sizeof(buf));
			tq_sbuf_puts(out, buf);
		}
		return;
	case FT_IPV6:
		if (n->v.b.n == 16) {
			tq_ipv6_str(n->v.b.p, buf, sizeof(buf));
			tq_sbuf_puts(out, buf);
		}
		return;
	case FT_BYTES:
		if (n->v.b.n == 0) {
			tq_sbuf_puts(out, "<MISSING>");
		} else if (n->v.b.n > 36) {
			tq_hexstr(n->v.b.p, 36, 0, out);
			tq_sbuf_puts(out, "\xe2\x80\xa6");
		} else {
			tq_hexstr(n->v.b.p, n->v.b.n, 0, out);
		}
		return;
	case FT_STRING:
		/* a string ends at a NUL, as Wireshark's C strings do */
		tq_format_text(out, n->v.b.p, n->v.b.p ? strnlen((const char *)n->v.b.p, n->v.b.n) : 0);
		return;
	case FT_DOUBLE:
		tq_sbuf_printf(out, "%.15g", n->v.d);   /* DBL_DIG, as Wireshark */
		return;
	default:
		break;
	}
	if (is_uint(f->type) || is_int(f->type)) {
		if (f->skind == SK_VALS || f->skind == SK_RVALS) {
			const char *s = tq_val_str(f, n->v.u);
			tq_sbuf_puts(out, s ? s : "Unknown");
			if (f->base == BASE_NONE)
				return;
			tq_sbuf_puts(out, " (");
			int b = f->base == BASE_DEC_HEX ? BASE_DEC : f->base == BASE_HEX_DEC ? BASE_HEX : f->base;
			put_number(out, f, n->v.u, b);
			tq_sbuf_putc(out, ')');
			return;
		}
		put_number(out, f, n->v.u, f->base);
	}
}

/* Wireshark's ITEM_LABEL_LENGTH less its terminating NUL. */
#define TQ_LABEL_LEN 239

void
tq_node_label(const struct tq_node *n, struct tq_sbuf *out)
{
	const struct tq_field *f = n->f;
	size_t start = out->len;

	if (!f || (n->flags & NF_LABEL)) {
		tq_sbuf_puts(out, n->text ? n->text : "");
	} else {
		if (f->mask && (is_uint(f->type) || is_int(f->type) || f->type == FT_BOOLEAN)) {
			unsigned width = f->type == FT_BOOLEAN ? f->base : ftype_bits(f->type);
			if (width)
				put_bits(out, n->v.u << mask_shift(f->mask), f->mask, width);
		}
		if (f->name_len)
			tq_sbuf_put(out, f->name, f->name_len);
		else
			tq_sbuf_puts(out, f->name);
		size_t name_end = out->len;
		if (f->type != FT_NONE && f->type != FT_PROTOCOL) {
			tq_sbuf_puts(out, ": ");
			put_value(out, n);
		}
		/* Wireshark's label buffer holds 239 bytes: a longer generated label
		 * says so after the field name ("Name [truncated]: value"), and
		 * label_mark_truncated() then keeps one byte less */
		if (!out->err && out->len - start > TQ_LABEL_LEN) {
			static const char mark[] = " [truncated]";
			size_t keep = start + TQ_LABEL_LEN - 1;
			tq_sbuf_put(out, mark, sizeof(mark) - 1);
			if (!out->err && name_end + sizeof(mark) - 1 < keep) {
				memmove(out->s + name_end + sizeof(mark) - 1, out->s + name_end, keep - name_end);
				memcpy(out->s + name_end, mark, sizeof(mark) - 1);
				out->len = keep;
				out->s[out->len] = '\0';
			}
		}
	}
	if (n->suffix)
		tq_sbuf_puts(out, n->suffix);
	/* and every label is cut there, appended text included */
	if (!out->err && out->len - start > TQ_LABEL_LEN) {
		out->len = start + TQ_LABEL_LEN;
		out->s[out->len] = '\0';
	}
}

void
tq_node_show(const struct tq_node *n, struct tq_sbuf *out)
{
	const struct tq_field *f = n->f;
	char buf[128];

	if (!f)
		return;
	switch (f->type) {
	case FT_NONE:
	case FT_PROTOCOL:
		return;
	case FT_BOOLEAN:
		tq_sbuf_putc(out, n->v.u ? '1' : '0');
		return;
	case FT_ABSTIME:
		tq_fmt_abstime(n->v.t.s, n->v.t.ns, buf, sizeof(buf));
		tq_sbuf_puts(out, buf);
		return;
	case FT_RELTIME:
		tq_fmt_reltime(n->v.t.s, n->v.t.ns, buf, sizeof(buf));
		tq_sbuf_puts(out, buf);
		return;
	case FT_ETHER:
		if (n->v.b.n == 6) {
			tq_ether_str(n->v.b.p, buf, sizeof(buf));
			tq_sbuf_puts(out, buf);
		}
		return;
	case FT_IPV4:
		if (n->v.b.n == 4) {
			tq_ipv4_str(n->v.b.p, buf, sizeof(buf));
			tq_sbuf_puts(out, buf);
		}
		return;
	case FT_IPV6:
		if (n->v.b.n == 16) {
			tq_ipv6_str(n->v.b.p, buf, sizeof(buf));
			tq_sbuf_puts(out, buf);
		}
		return;
	case FT_BYTES:
		tq_hexstr(n->v.b.p, n->v.b.n, ':', out);
		return;
	case FT_STRING:
		put_raw(out, n->v.b.p, n->v.b.n);
		return;
	case FT_DOUBLE:
		tq_sbuf_printf(out, "%.15g", n->v.d);   /* DBL_DIG, as Wireshark */
		return;
	default:
		break;
	}
	if (is_int(f->type)) {
		tq_sbuf_put_i64(out, n->v.i);
	} else if (f->base == BASE_HEX || f->base == BASE_HEX_DEC) {
		tq_sbuf_put_hex(out, n->v.u, ftype_bits(f->type) / 4, 1);
	} else if (f->base == BASE_OCT) {
		tq_sbuf_printf(out, "%#llo", (unsigned long long)n->v.u);
	} else {
		tq_sbuf_put_u64(out, n->v.u);
	}
}

/* ------------------------------------------------------------------ tree access */

struct tq_node *
tq_tree_root(struct tq_tree *t)
{
	return t ? &t->root : NULL;
}

struct tq_node *
tq_node_child(const struct tq_node *n)
{
	return n ? n->child : NULL;
}

struct tq_node *
tq_node_next(const struct tq_node *n)
{
	return n ? n->next : NULL;
}

const struct tq_field *
tq_node_field(const struct tq_node *n)
{
	return n ? n->f : NULL;
}

void
tq_node_value_show(const struct tq_node *n, struct tq_sbuf *out)
{
	if (n)
		tq_node_show(n, out);
}

void
tq_node_span(const struct tq_node *n, unsigned *ds, uint32_t *pos, uint32_t *len)
{
	*ds = n->ds;
	*pos = n->pos;
	*len = n->len;
}

int
tq_node_is_hidden(const struct tq_node *n)
{
	return n && (n->flags & NF_HIDDEN);
}

int
tq_node_is_generated(const struct tq_node *n)
{
	return n && (n->flags & NF_GENERATED);
}

const char *
tq_field_name(const struct tq_field *f)
{
	return f ? f->name : "";
}

int
tq_field_has_value(const struct tq_field *f)
{
	return f && f->type != FT_NONE && f->type != FT_PROTOCOL;
}

const struct tq_node *
tq_node_find(const struct tq_node *n, uint32_t id)
{
	for (const struct tq_node *c = n->child; c; c = c->next) {
		if (c->f && c->f->id == id)
			return c;
		const struct tq_node *r = tq_node_find(c, id);
		if (r)
			return r;
	}
	return NULL;
}

int
tq_frame_field_show(struct tq_capture *cap, uint32_t num, const char *abbrev, struct tq_sbuf *out)
{
	const struct tq_field *f = tq_field_lookup(abbrev);
	if (!f)
		return TQ_EINVAL;
	int err = 0;
	struct tq_tree *t = tq_dissect_ex(cap, num, TQ_DISSECT_VALUES, &err);
	if (!t)
		return err ? err : TQ_ENOMEM;
	const struct tq_node *n = tq_node_find(&t->root, f->id);
	if (n)
		tq_node_show(n, out);
	tq_tree_free(t);
	return n ? 1 : 0;
}

uint32_t
tq_node_pdml_pos(const struct tq_node *parent, const struct tq_node *n)
{
	if (parent && n->pos < parent->pos)
		return parent->pos + n->pos;
	return n->pos;
}

const char *
tq_node_ds_bytes(const struct tq_tree *t, const struct tq_node *n, uint32_t *len)
{
	if (n->ds >= t->nds) {
		*len = 0;
		return NULL;
	}
	const struct tq_ds *d = &t->ds[n->ds];
	if (n->pos > d->len) {
		*len = 0;
		return NULL;
	}
	uint32_t l = n->len;
	if (d->len - n->pos < l)
		l = d->len - n->pos;
	*len = l;
	return (const char *)d->data + n->pos;
}
