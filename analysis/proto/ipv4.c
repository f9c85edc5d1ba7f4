/* ipv4.c - IPv4 (RFC 791): header, flags, options, checksum and fragment reassembly. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "../internal.h"
#include "../reasm.h"
#include "ip_common.h"

static const struct tq_vals cksum_status_vals[] = {
	{ 0, "Bad" }, { 1, "Good" }, { 2, "Unverified" }, { 0, NULL },
};

static struct tq_field hf_ip = HF("ip", "Internet Protocol Version 4", FT_PROTOCOL, BASE_NONE, NULL, 0);
static struct tq_field hf_version = HF("ip.version", "Version", FT_UINT8, BASE_DEC, NULL, 0xf0);
static struct tq_field hf_hdr_len = HF("ip.hdr_len", "Header Length", FT_UINT8, BASE_DEC, NULL, 0x0f);
static struct tq_field hf_dsfield = HF("ip.dsfield", "Differentiated Services Field", FT_UINT8, BASE_HEX, NULL, 0);
static struct tq_field hf_dscp = HF("ip.dsfield.dscp", "Differentiated Services Codepoint", FT_UINT8, BASE_DEC, tq_dscp_vals, 0xfc);
static struct tq_field hf_ecn = HF("ip.dsfield.ecn", "Explicit Congestion Notification", FT_UINT8, BASE_DEC, tq_ecn_vals, 0x03);
static struct tq_field hf_len = HF("ip.len", "Total Length", FT_UINT16, BASE_DEC, NULL, 0);
static struct tq_field hf_id = HF("ip.id", "Identification", FT_UINT16, BASE_HEX_DEC, NULL, 0);
static struct tq_field hf_flags = HF("ip.flags", "Flags", FT_UINT8, BASE_HEX, NULL, 0xe0);
static struct tq_field hf_flags_rb = HF("ip.flags.rb", "Reserved bit", FT_BOOLEAN, 8, &tq_tfs_set_notset, 0x80);
static struct tq_field hf_flags_df = HF("ip.flags.df", "Don't fragment", FT_BOOLEAN, 8, &tq_tfs_set_notset, 0x40);
static struct tq_field hf_flags_mf = HF("ip.flags.mf", "More fragments", FT_BOOLEAN, 8, &tq_tfs_set_notset, 0x20);
static struct tq_field hf_frag_offset = HF("ip.frag_offset", "Fragment Offset", FT_UINT16, BASE_DEC, NULL, 0x1fff);
static struct tq_field hf_ttl = HF("ip.ttl", "Time to Live", FT_UINT8, BASE_DEC, NULL, 0);
static struct tq_field hf_proto = HF("ip.proto", "Protocol", FT_UINT8, BASE_DEC, tq_ipproto_vals, 0);
static struct tq_field hf_checksum = HF("ip.checksum", "Header Checksum", FT_UINT16, BASE_HEX, NULL, 0);
static struct tq_field hf_checksum_status = HF("ip.checksum.status", "Header checksum status", FT_UINT8, BASE_NONE, cksum_status_vals, 0);
static struct tq_field hf_src = HF("ip.src", "Source Address", FT_IPV4, BASE_NONE, NULL, 0);
static struct tq_field hf_dst = HF("ip.dst", "Destination Address", FT_IPV4, BASE_NONE, NULL, 0);
static struct tq_field hf_addr = HF("ip.addr", "Source or Destination Address", FT_IPV4, BASE_NONE, NULL, 0);
static struct tq_field hf_src_host = HF("ip.src_host", "Source Host", FT_STRING, BASE_NONE, NULL, 0);
static struct tq_field hf_dst_host = HF("ip.dst_host", "Destination Host", FT_STRING, BASE_NONE, NULL, 0);
static struct tq_field hf_host = HF("ip.host", "Source or Destination Host", FT_STRING, BASE_NONE, NULL, 0);

/* options (RFC 791 3.1, RFC 2113) */
static const struct tq_vals opt_type_vals[] = {
	{ 0, "End of Options List (EOL)" }, { 1, "No-Operation (NOP)" }, { 7, "Record Route" },
	{ 68, "Time Stamp" }, { 130, "Security" }, { 131, "Loose Source Route" },
	{ 136, "Stream ID" }, { 137, "Strict Source Route" }, { 148, "Router Alert" }, { 0, NULL },
};
static const struct tq_vals opt_class_vals[] = {
	{ 0, "Control" }, { 1, "Reserved for future use" }, { 2, "Debugging and measurement" },
	{ 3, "Reserved for future use" }, { 0, NULL },
};
static const struct tq_vals opt_number_vals[] = {
	{ 0, "End of Option List (EOL)" }, { 1, "No-Operation (NOP)" }, { 2, "Security" },
	{ 3, "Loose source route" }, { 4, "Time stamp" }, { 7, "Record route" }, { 8, "Stream identifier" },
	{ 9, "Strict source route" }, { 20, "Router Alert" }, { 0, NULL },
};
static const struct tq_vals rtalert_vals[] = { { 0, "Router shall examine packet" }, { 0, NULL } };

static struct tq_field hf_options = HF("ip.options", "Options", FT_BYTES, BASE_NONE, NULL, 0);
static struct tq_field hf_opt = HF("ip.opt", "IP Option", FT_NONE, BASE_NONE, NULL, 0);
static struct tq_field hf_opt_type = HF("ip.opt.type", "Type", FT_UINT8, BASE_DEC, opt_type_vals, 0);
static struct tq_field hf_opt_copy = HF("ip.opt.type.copy", "Copy on fragmentation", FT_BOOLEAN, 8, &tq_tfs_yes_no, 0x80);
static struct tq_field hf_opt_class = HF("ip.opt.type.class", "Class", FT_UINT8, BASE_DEC, opt_class_vals, 0x60);
static struct tq_field hf_opt_number = HF("ip.opt.type.number", "Number", FT_UINT8, BASE_DEC, opt_number_vals, 0x1f);
static struct tq_field hf_opt_len = HF("ip.opt.len", "Length", FT_UINT8, BASE_DEC, NULL, 0);
static struct tq_field hf_opt_ptr = HF("ip.opt.ptr", "Pointer", FT_UINT8, BASE_DEC, NULL, 0);
static struct tq_field hf_opt_rec_rt = HF("ip.rec_rt", "Recorded Route", FT_IPV4, BASE_NONE, NULL, 0);
static struct tq_field hf_opt_src_rt = HF("ip.src_rt", "Source Route", FT_IPV4, BASE_NONE, NULL, 0);
static struct tq_field hf_opt_empty_rt = HF("ip.empty_rt", "Empty Route", FT_IPV4, BASE_NONE, NULL, 0);
static struct tq_field hf_opt_ra = HF("ip.opt.ra", "Router Alert", FT_UINT16, BASE_DEC, rtalert_vals, 0);
static struct tq_field hf_opt_data = HF("ip.opt.data", "Data", FT_BYTES, BASE_NONE, NULL, 0);

static struct tq_field *const fields[] = {
	&hf_ip, &hf_version, &hf_hdr_len, &hf_dsfield, &hf_dscp, &hf_ecn, &hf_len, &hf_id, &hf_flags,
	&hf_flags_rb, &hf_flags_df, &hf_flags_mf, &hf_frag_offset, &hf_ttl, &hf_proto, &hf_checksum,
	&hf_checksum_status, &hf_src, &hf_dst, &hf_addr, &hf_src_host, &hf_dst_host, &hf_host,
	&hf_options, &hf_opt, &hf_opt_type, &hf_opt_copy, &hf_opt_class, &hf_opt_number, &hf_opt_len,
	&hf_opt_ptr, &hf_opt_rec_rt, &hf_opt_src_rt, &hf_opt_empty_rt, &hf_opt_ra, &hf_opt_data,
};

static struct tq_reasm_fields reasm_fields = TQ_REASM_FIELDS("ip", "IPv4");

void
tq_register_ipv4(void)
{
	TQ_REGISTER(fields);
	tq_reasm_register(&reasm_fields);
}

static const char *
opt_name(uint8_t type)
{
	const char *n = tq_vals_find(opt_type_vals, type);
	return n ? n : "Unknown";
}

/* The options of one header, between off and end (both within s). */
static void
options(struct tq_pkt *pk, struct tq_node *ip, const struct tq_slice *s, uint32_t off, uint32_t end)
{
	struct tq_node *t = tq_add(pk, ip, &hf_options, s, off, end - off);
	if (!t)
		return;
	struct tq_sbuf lb;
	tq_sbuf_init(&lb, 0);
	tq_sbuf_printf(&lb, "Options: (%u bytes)", end - off);
	while (off < end) {
		uint8_t type = s->p[off];
		uint32_t len = 1;
		if (type != 0 && type != 1) {
			if (end - off < 2 || s->p[off + 1] < 2 || s->p[off + 1] > end - off) {
				tq_malformed(pk, "IPv4");
				break;
			}
			len = s->p[off + 1];
		}
		tq_sbuf_printf(&lb, ", %s", opt_name(type));
		struct tq_node *o = tq_add(pk, t, &hf_opt, s, off, len);
		if (len > 1)
			tq_set_label(pk, o, "IP Option - %s (%u bytes)", opt_name(type), len);
		else
			tq_set_label(pk, o, "IP Option - %s", opt_name(type));
		struct tq_node *ty = tq_add(pk, o, &hf_opt_type, s, off, 1);
		tq_add(pk, ty, &hf_opt_copy, s, off, 1);
		tq_add(pk, ty, &hf_opt_class, s, off, 1);
		tq_add(pk, ty, &hf_opt_number, s, off, 1);
		if (len > 1)
			tq_add(pk, o, &hf_opt_len, s, off + 1, 1);
		if (type == 7 || type == 131 || type == 137) {
			uint8_t ptr = len > 2 ? s->p[off + 2] : 0;
			struct tq_node *pn = tq_add(pk, o, &hf_opt_ptr, s, off + 2, 1);
			tq_set_valtext(pk, pn, "%u", ptr);
			for (uint32_t a = 3; a + 4 <= len; a += 4) {
				const struct tq_field *f = type == 7 ? (a + 1 < ptr ? &hf_opt_rec_rt : &hf_opt_empty_rt) : &hf_opt_src_rt;
				tq_add(pk, o, f, s, off + a, 4);
			}
		} else if (type == 148 && len == 4) {
			tq_add(pk, o, &hf_opt_ra, s, off + 2, 2);
		} else if (len > 2) {
			tq_add(pk, o, &hf_opt_data, s, off + 2, len - 2);
		}
		off += len;
		if (type == 0)
			break;
	}
	tq_set_label(pk, t, "%s", tq_sbuf_str(&lb));
	tq_sbuf_free(&lb);
}

static void
addr_fields(struct tq_pkt *pk, struct tq_node *t, const struct tq_slice *s, uint32_t off,
    const struct tq_field *f, const struct tq_field *fhost)
{
	char a[32];
	tq_ipv4_str(s->p + off, a, sizeof(a));
	tq_add(pk, t, f, s, off, 4);
	tq_hide(tq_add(pk, t, &hf_addr, s, off, 4));
	tq_hide(tq_add_str(pk, t, fhost, s, off, 4, a));
	tq_hide(tq_add_str(pk, t, &hf_host, s, off, 4, a));
}

int
tq_dissect_ipv4(struct tq_pkt *pk, struct tq_slice *s)
{
	tq_col_proto(pk, "IPv4");
	struct tq_cursor c = tq_cursor_make(s->p, s->len);
	uint8_t vhl = tq_get_u8(&c);
	uint8_t tos = tq_get_u8(&c);
	uint16_t tlen = tq_get_be16(&c);
	uint16_t id = tq_get_be16(&c);
	uint16_t foff = tq_get_be16(&c);
	tq_skip(&c, 1);
	uint8_t proto = tq_get_u8(&c);
	uint32_t hl = (vhl & 0x0f) * 4u;

	if (c.err || s->len < 20 || hl < 20 || hl > s->len) {
		struct tq_node *t = tq_add_proto(pk, tq_root(pk), &hf_ip, s, 0, s->len);
		if (s->len >= 1) {
			tq_add(pk, t, &hf_version, s, 0, 1);
			tq_set_label(pk, tq_add_u(pk, t, &hf_hdr_len, s, 0, 1, hl), "Header Length: %u bytes (%u)%s",
			    hl, vhl & 0x0f, hl < 20 ? " (bogus, must be at least 20)" : "");
		}
		tq_col_info_set(pk, "Bogus IPv4 header length (%u, must be at least 20)", hl);
		if (hl >= 20)
			tq_malformed(pk, "IPv4");
		return (int)s->len;
	}
	const uint8_t *src = s->p + 12, *dst = s->p + 16;
	if (!pk->in_error) {
		tq_addr_set(&pk->net_src, AT_IPV4, src);
		tq_addr_set(&pk->net_dst, AT_IPV4, dst);
	}
	tq_addr_set(&pk->src, AT_IPV4, src);
	tq_addr_set(&pk->dst, AT_IPV4, dst);
	pk->ttl = s->p[8];

	struct tq_node *t = tq_add_proto(pk, tq_root(pk), &hf_ip, s, 0, hl);
	if (t) {
		char sa[32], da[32], bits[64];
		tq_ipv4_str(src, sa, sizeof(sa));
		tq_ipv4_str(dst, da, sizeof(da));
		tq_append(pk, t, ", Src: %s, Dst: %s", sa, da);
		tq_add(pk, t, &hf_version, s, 0, 1);
		tq_fmt_bits(bits, sizeof(bits), vhl, 0x0f, 8);
		tq_set_label(pk, tq_add_u(pk, t, &hf_hdr_len, s, 0, 1, hl), "%sHeader Length: %u bytes (%u)",
		    bits, hl, vhl & 0x0f);
		struct tq_node *ds = tq_add(pk, t, &hf_dsfield, s, 1, 1);
		tq_set_valtext(pk, ds, "0x%02x (DSCP: %s, ECN: %s)", tos, tq_dscp_short(tos >> 2), tq_ecn_short(tos & 3));
		tq_add(pk, ds, &hf_dscp, s, 1, 1);
		tq_add(pk, ds, &hf_ecn, s, 1, 1);
		tq_add(pk, t, &hf_len, s, 2, 2);
		tq_add(pk, t, &hf_id, s, 4, 2);
		struct tq_node *fl = tq_add(pk, t, &hf_flags, s, 6, 1);
		if (foff & 0x8000)
			tq_append(pk, fl, ", Reserved bit");
		if (foff & 0x4000)
			tq_append(pk, fl, ", Don't fragment");
		if (foff & 0x2000)
			tq_append(pk, fl, ", More fragments");
		tq_add(pk, fl, &hf_flags_rb, s, 6, 1);
		tq_add(pk, fl, &hf_flags_df, s, 6, 1);
		tq_add(pk, fl, &hf_flags_mf, s, 6, 1);
		tq_add(pk, t, &hf_frag_offset, s, 6, 2);
		tq_add(pk, t, &hf_ttl, s, 8, 1);
		tq_add(pk, t, &hf_proto, s, 9, 1);
		struct tq_node *ck = tq_add(pk, t, &hf_checksum, s, 10, 2);
		tq_append(pk, ck, " [validation disabled]");
		tq_gen(tq_add_u(pk, t, &hf_checksum_status, s, 10, 0, 2));
		addr_fields(pk, t, s, 12, &hf_src, &hf_src_host);
		addr_fields(pk, t, s, 16, &hf_dst, &hf_dst_host);
		if (hl > 20)
			options(pk, t, s, 20, hl);
	}
	if (tlen < hl) {
		tq_col_info_set(pk, "Bogus IPv4 total length (%u, less than header length %u)", tlen, hl);
		return (int)s->len;
	}
	uint32_t end = tlen <= s->rlen ? tlen : s->rlen;
	struct tq_slice ip = tq_sub(s, 0, end);
	struct tq_slice pl = tq_sub_rest(&ip, hl);
	pk->ipproto = proto;

	struct tq_ip_frag fr = {
		.src = &pk->src, .dst = &pk->dst, .ident = id,
		.offset = (uint32_t)(foff & 0x1fff) * 8, .more = (foff & 0x2000) != 0, .proto = proto,
	};
	struct tq_slice whole;
	uint32_t rin = 0;
	int r = tq_reasm_ip(pk, &reasm_fields, CONV_IPFRAG, &fr, &pl, t, &whole, &rin);
	if (r == TQ_REASM_NOT_FRAGMENT) {
		tq_dissect_ipproto(pk, proto, &pl);
	} else if (r == TQ_REASM_WHOLE) {
		tq_dissect_ipproto(pk, proto, &whole);
	} else {
		const char *pn = tq_vals_find(tq_ipproto_vals, proto);
		tq_col_info_set(pk, "Fragmented IP protocol (proto=%s %u, off=%u, ID=%04x)",
		    pn ? pn : "Unknown", proto, fr.offset, id);
		if (rin)
			tq_col_info_append(pk, " [Reassembled in #%u]", rin);
		tq_dissect_data(pk, &pl);
	}
	return (int)end;
}
