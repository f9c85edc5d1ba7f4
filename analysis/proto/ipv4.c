/*
 * ipv4.c - IPv4 (RFC 791): header, flags, options (RFC 791 3.1, RFC 1108,
 * RFC 1393, RFC 2113), and fragment reassembly, as Wireshark 4.0's
 * packet-ip.c shows them.
 *
 * Wireshark stops at the first read past the data with an exception; here
 * each read is checked first (tq_have()) and ends the dissection the same way:
 * "[Packet size limited during capture]" when the bytes were on the wire but
 * not captured, "[Malformed Packet]" when they were not even on the wire.
 */
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
static struct tq_field hf_cur_rt = HF("ip.cur_rt", "Current Route", FT_IPV4, BASE_NONE, NULL, 0);
static struct tq_field hf_cur_rt_host = HF("ip.cur_rt_host", "Current Route Host", FT_STRING, BASE_NONE, NULL, 0);

static struct tq_expert ei_bogus_hdr_len = EI("ip.bogus_header_length", "Bogus IP header length", PI_ERROR, PI_PROTOCOL);
static struct tq_expert ei_bogus_ip_len = EI("ip.bogus_ip_length", "Bogus IP length", PI_ERROR, PI_PROTOCOL);
static struct tq_expert ei_bogus_version = EI("ip.bogus_ip_version", "Bogus IP version", PI_ERROR, PI_PROTOCOL);
static struct tq_expert ei_ttl_lncb = EI("ip.ttl.lncb", "Time To Live", PI_NOTE, PI_SEQUENCE);
static struct tq_expert ei_ttl_small = EI("ip.ttl.too_small", "Time To Live", PI_NOTE, PI_SEQUENCE);

/* options (RFC 791 3.1; RFC 1108 security; RFC 1191 MTU; RFC 1393 traceroute; RFC 2113 router alert) */
static const struct tq_vals opt_class_vals[] = {
	{ 0, "Control" }, { 1, "Reserved for future use" }, { 2, "Debugging and measurement" },
	{ 3, "Reserved for future use" }, { 0, NULL },
};
static const struct tq_vals opt_number_vals[] = {
	{ 0, "End of Option List (EOL)" }, { 1, "No-Operation (NOP)" }, { 2, "Security" },
	{ 3, "Loose source route" }, { 4, "Time stamp" }, { 5, "Extended security" },
	{ 6, "Commercial IP security option" }, { 7, "Record route" }, { 8, "Stream identifier" },
	{ 9, "Strict source route" }, { 10, "Experimental Measurement" }, { 11, "MTU probe" },
	{ 12, "MTU Reply" }, { 13, "Experimental Flow Control" }, { 14, "Experimental Access Control" },
	{ 15, "Ask Estrin" }, { 16, "IMI Traffic Descriptor" }, { 17, "Extended Internet Protocol" },
	{ 18, "Traceroute" }, { 19, "Address Extension" }, { 20, "Router Alert" },
	{ 21, "Selective Directed Broadcast" }, { 22, "Unassigned" }, { 23, "Dynamic Packet State" },
	{ 24, "Upstream Multicast Packet" }, { 25, "Quick-Start" }, { 30, "RFC 3692-style experiment" },
	{ 0, NULL },
};
static const struct tq_rvals ra_rvals[] = {
	{ 0, 0, "Router shall examine packet" }, { 1, 65535, "Reserved" }, { 0, 0, NULL },
};
static const struct tq_vals ts_flag_vals[] = {
	{ 0, "Time stamps only" }, { 1, "Time stamp and address" },
	{ 3, "Time stamps for prespecified addresses" }, { 0, NULL },
};
static const struct tq_vals sec_vals[] = {
	{ 0x0000, "Unclassified" }, { 0xf135, "Confidential" }, { 0x789a, "EFTO" }, { 0xbc4d, "MMMM" },
	{ 0x5e26, "PROG" }, { 0xaf13, "Restricted" }, { 0xd788, "Secret" }, { 0x6bc5, "Top secret" },
	{ 0x35e2, "Reserved" }, { 0x9af1, "Reserved" }, { 0x4d78, "Reserved" }, { 0x24bd, "Reserved" },
	{ 0x135e, "Reserved" }, { 0x89af, "Reserved" }, { 0xc4d6, "Reserved" }, { 0xe26b, "Reserved" },
	{ 0, NULL },
};

static struct tq_field hf_opt_type = HF("ip.opt.type", "Type", FT_UINT8, BASE_DEC, NULL, 0);
static struct tq_field hf_opt_copy = HF("ip.opt.type.copy", "Copy on fragmentation", FT_BOOLEAN, 8, &tq_tfs_yes_no, 0x80);
static struct tq_field hf_opt_class = HF("ip.opt.type.class", "Class", FT_UINT8, BASE_DEC, opt_class_vals, 0x60);
static struct tq_field hf_opt_number = HF("ip.opt.type.number", "Number", FT_UINT8, BASE_DEC, opt_number_vals, 0x1f);
static struct tq_field hf_opt_len = HF("ip.opt.len", "Length", FT_UINT8, BASE_DEC, NULL, 0);
static struct tq_field hf_opt_ptr = HF("ip.opt.ptr", "Pointer", FT_UINT8, BASE_DEC, NULL, 0);
static struct tq_field hf_opt_sid = HF("ip.opt.sid", "Stream Identifier", FT_UINT16, BASE_DEC, NULL, 0);
static struct tq_field hf_opt_mtu = HF("ip.opt.mtu", "MTU", FT_UINT16, BASE_DEC, NULL, 0);
static struct tq_field hf_opt_id_number = HF("ip.opt.id_number", "ID Number", FT_UINT16, BASE_DEC, NULL, 0);
static struct tq_field hf_opt_ohc = HF("ip.opt.ohc", "Outbound Hop Count", FT_UINT16, BASE_DEC, NULL, 0);
static struct tq_field hf_opt_rhc = HF("ip.opt.rhc", "Return Hop Count", FT_UINT16, BASE_DEC, NULL, 0);
static struct tq_field hf_opt_originator = HF("ip.opt.originator", "Originator IP Address", FT_IPV4, BASE_NONE, NULL, 0);
static struct tq_field hf_opt_ra = HF("ip.opt.ra", "Router Alert", FT_UINT16, BASE_DEC, ra_rvals, 0);
static struct tq_field hf_opt_addr = HF("ip.opt.addr", "IP Address", FT_IPV4, BASE_NONE, NULL, 0);
static struct tq_field hf_opt_sec = HF("ip.opt.sec_rfc791_sec", "Security", FT_UINT16, BASE_HEX, sec_vals, 0);
static struct tq_field hf_opt_sec_comp = HF("ip.opt.sec_rfc791_comp", "Compartments", FT_UINT16, BASE_DEC, NULL, 0);
static struct tq_field hf_opt_sec_hr = HF("ip.opt.sec_rfc791_hr", "Handling Restrictions", FT_STRING, BASE_NONE, NULL, 0);
static struct tq_field hf_opt_sec_tcc = HF("ip.opt.sec_rfc791_tcc", "Transmission Control Code", FT_STRING, BASE_NONE, NULL, 0);
static struct tq_field hf_opt_overflow = HF("ip.opt.overflow", "Overflow", FT_UINT8, BASE_DEC, NULL, 0xf0);
static struct tq_field hf_opt_flag = HF("ip.opt.flag", "Flag", FT_UINT8, BASE_HEX, ts_flag_vals, 0x0f);
static struct tq_field hf_opt_ts = HF("ip.opt.time_stamp", "Time stamp", FT_UINT32, BASE_DEC, NULL, 0);
static struct tq_field hf_opt_ts_addr = HF("ip.opt.time_stamp_addr", "Address", FT_IPV4, BASE_NONE, NULL, 0);
static struct tq_field hf_rec_rt = HF("ip.rec_rt", "Recorded Route", FT_IPV4, BASE_NONE, NULL, 0);
static struct tq_field hf_rec_rt_host = HF("ip.rec_rt_host", "Recorded Route Host", FT_STRING, BASE_NONE, NULL, 0);
static struct tq_field hf_src_rt = HF("ip.src_rt", "Source Route", FT_IPV4, BASE_NONE, NULL, 0);
static struct tq_field hf_src_rt_host = HF("ip.src_rt_host", "Source Route Host", FT_STRING, BASE_NONE, NULL, 0);
static struct tq_field hf_empty_rt = HF("ip.empty_rt", "Empty Route", FT_IPV4, BASE_NONE, NULL, 0);
static struct tq_field hf_empty_rt_host = HF("ip.empty_rt_host", "Empty Route Host", FT_STRING, BASE_NONE, NULL, 0);

static struct tq_expert ei_opt_len_invalid = EI("ip.opt.len.invalid", "Invalid length for option", PI_WARN, PI_PROTOCOL);
static struct tq_expert ei_opt_ptr_before = EI("ip.opt.ptr.before_address", "Pointer points before first address", PI_WARN, PI_PROTOCOL);
static struct tq_expert ei_opt_ptr_middle = EI("ip.opt.ptr.middle_address", "Pointer points to middle of address", PI_WARN, PI_PROTOCOL);
static struct tq_expert ei_subopt_too_long = EI("ip.subopt_too_long", "Suboption would go past end of option", PI_WARN, PI_PROTOCOL);
static struct tq_expert ei_nop = EI("ip.nop", "4 NOP in a row - a router may have removed some options", PI_WARN, PI_PROTOCOL);

/* The options with a dissector of their own: each is a field (Wireshark registers them as protocols). */
enum {
	O_EOL, O_NOP, O_SEC, O_LSR, O_TS, O_EXTSEC, O_CIPSO, O_RR, O_SID, O_SSR, O_MTUP, O_MTUR,
	O_TR, O_RA, O_SDB, O_QS, O_COUNT
};
static struct tq_field hf_options[O_COUNT] = {
	[O_EOL] = HF("ip.options.eol", "IP Option - End of Options List (EOL)", FT_BYTES, BASE_NONE, NULL, 0),
	[O_NOP] = HF("ip.options.nop", "IP Option - No-Operation (NOP)", FT_BYTES, BASE_NONE, NULL, 0),
	[O_SEC] = HF("ip.options.security", "IP Option - Security", FT_BYTES, BASE_NONE, NULL, 0),
	[O_LSR] = HF("ip.options.route", "IP Option - Loose Source Route", FT_BYTES, BASE_NONE, NULL, 0),
	[O_TS] = HF("ip.options.timestamp", "IP Option - Time Stamp", FT_BYTES, BASE_NONE, NULL, 0),
	[O_EXTSEC] = HF("ip.options.ext_security", "IP Option - Extended Security", FT_BYTES, BASE_NONE, NULL, 0),
	[O_CIPSO] = HF("ip.options.cipso", "IP Option - Commercial Security", FT_BYTES, BASE_NONE, NULL, 0),
	[O_RR] = HF("ip.options.record_route", "IP Option - Record Route", FT_BYTES, BASE_NONE, NULL, 0),
	[O_SID] = HF("ip.options.sid", "IP Option - Stream ID", FT_BYTES, BASE_NONE, NULL, 0),
	[O_SSR] = HF("ip.options.source_route", "IP Option - Strict Source Route", FT_BYTES, BASE_NONE, NULL, 0),
	[O_MTUP] = HF("ip.options.mtu_probe", "IP Option - MTU Probe", FT_BYTES, BASE_NONE, NULL, 0),
	[O_MTUR] = HF("ip.options.mtu_reply", "IP Option - MTU Reply", FT_BYTES, BASE_NONE, NULL, 0),
	[O_TR] = HF("ip.options.traceroute", "IP Option - Traceroute", FT_BYTES, BASE_NONE, NULL, 0),
	[O_RA] = HF("ip.options.routeralert", "IP Option - Router Alert", FT_BYTES, BASE_NONE, NULL, 0),
	[O_SDB] = HF("ip.options.sdb", "IP Option - Selective Directed Broadcast", FT_BYTES, BASE_NONE, NULL, 0),
	[O_QS] = HF("ip.options.qs", "IP Option - Quick-Start", FT_BYTES, BASE_NONE, NULL, 0),
};

/* Option type -> its dissector (index in hf_options), or -1. */
static int
opt_index(uint8_t type)
{
	switch (type) {
	case 0: return O_EOL;
	case 1: return O_NOP;
	case 130: return O_SEC;
	case 131: return O_LSR;
	case 68: return O_TS;
	case 133: return O_EXTSEC;
	case 134: return O_CIPSO;
	case 7: return O_RR;
	case 136: return O_SID;
	case 137: return O_SSR;
	case 11: return O_MTUP;
	case 12: return O_MTUR;
	case 82: return O_TR;
	case 148: return O_RA;
	case 149: return O_SDB;
	case 25: return O_QS;
	default: return -1;
	}
}

/* The option's short name: its field name without "IP Option - ". */
static const char *
opt_short(int idx)
{
	return hf_options[idx].name + strlen("IP Option - ");
}

static struct tq_field *const fields[] = {
	&hf_ip, &hf_version, &hf_hdr_len, &hf_dsfield, &hf_dscp, &hf_ecn, &hf_len, &hf_id, &hf_flags,
	&hf_flags_rb, &hf_flags_df, &hf_flags_mf, &hf_frag_offset, &hf_ttl, &hf_proto, &hf_checksum,
	&hf_checksum_status, &hf_src, &hf_dst, &hf_addr, &hf_src_host, &hf_dst_host, &hf_host,
	&hf_cur_rt, &hf_cur_rt_host,
	&ei_bogus_hdr_len.f, &ei_bogus_ip_len.f, &ei_bogus_version.f, &ei_ttl_lncb.f,
	&ei_ttl_small.f,
	&hf_opt_type, &hf_opt_copy, &hf_opt_class, &hf_opt_number, &hf_opt_len, &hf_opt_ptr, &hf_opt_sid,
	&hf_opt_mtu, &hf_opt_id_number, &hf_opt_ohc, &hf_opt_rhc, &hf_opt_originator, &hf_opt_ra,
	&hf_opt_addr, &hf_opt_sec, &hf_opt_sec_comp, &hf_opt_sec_hr, &hf_opt_sec_tcc, &hf_opt_overflow,
	&hf_opt_flag, &hf_opt_ts, &hf_opt_ts_addr, &hf_rec_rt, &hf_rec_rt_host, &hf_src_rt,
	&hf_src_rt_host, &hf_empty_rt, &hf_empty_rt_host,
	&ei_opt_len_invalid.f, &ei_opt_ptr_before.f, &ei_opt_ptr_middle.f, &ei_subopt_too_long.f, &ei_nop.f,
	&hf_options[O_EOL], &hf_options[O_NOP], &hf_options[O_SEC], &hf_options[O_LSR], &hf_options[O_TS],
	&hf_options[O_EXTSEC], &hf_options[O_CIPSO], &hf_options[O_RR], &hf_options[O_SID],
	&hf_options[O_SSR], &hf_options[O_MTUP], &hf_options[O_MTUR], &hf_options[O_TR], &hf_options[O_RA],
	&hf_options[O_SDB], &hf_options[O_QS],
};

static struct tq_reasm_fields reasm_fields = TQ_REASM_FIELDS("ip", "IPv4", "ip.reassembled_in", FT_BYTES);

static struct tq_dissector ip_dissector = { .name = "ip", .dissect = tq_dissect_ipv4 };

void
tq_register_ipv4(void)
{
	TQ_REGISTER(fields);
	tq_reasm_register(&reasm_fields);
	tq_dissector_add(TQ_TAB_ETHERTYPE, 0x0800, &ip_dissector);
	tq_dissector_add(TQ_TAB_IP_PROTO, 4, &ip_dissector);
}

/* ------------------------------------------------------------------ reads past the end */

/* ------------------------------------------------------------------ options */

/* An address of a route option, with its hidden host name. */
static void
route_addr(struct tq_pkt *pk, struct tq_node *t, const struct tq_slice *o, uint32_t off,
    const struct tq_field *f, const struct tq_field *fhost, int next)
{
	char a[32];
	tq_ipv4_str(o->p + off, a, sizeof(a));
	struct tq_node *n = tq_add(pk, t, f, o, off, 4);
	if (next)
		tq_set_valtext(pk, n, "%s <- (next)", a);
	TQ_HIDDEN(pk, tq_gen(tq_add_str(pk, t, fhost, o, off, 4, a)));
}

static void
addr_fields(struct tq_pkt *pk, struct tq_node *t, const struct tq_slice *s, uint32_t off,
    const struct tq_field *f, const struct tq_field *fhost)
{
	if (!t)
		return;        /* no tree (the packet list, pass 1): nothing to name */
	char a[32];
	tq_ipv4_str(s->p + off, a, sizeof(a));
	tq_add(pk, t, f, s, off, 4);
	TQ_HIDDEN(pk, tq_add(pk, t, &hf_addr, s, off, 4));
	TQ_HIDDEN(pk, tq_gen(tq_add_str(pk, t, fhost, s, off, 4, a)));
	TQ_HIDDEN(pk, tq_gen(tq_add_str(pk, t, &hf_host, s, off, 4, a)));
}

/* The type byte and its three parts. */
static void
opt_type(struct tq_pkt *pk, struct tq_node *t, const struct tq_slice *o)
{
	struct tq_node *ty = tq_add(pk, t, &hf_opt_type, o, 0, 1);
	tq_add(pk, ty, &hf_opt_copy, o, 0, 1);
	tq_add(pk, ty, &hf_opt_class, o, 0, 1);
	tq_add(pk, ty, &hf_opt_number, o, 0, 1);
}

/*
 * The pointer of a route or time stamp option: 1-origin, first at first.
 * Returns it 0-origin, or 0 when it points before the first slot or into the
 * middle of one (shown as such).
 */
static uint32_t
opt_pointer(struct tq_pkt *pk, struct tq_node *t, const struct tq_slice *o, uint32_t first)
{
	uint8_t ptr = o->p[2];
	struct tq_node *n = tq_add(pk, t, &hf_opt_ptr, o, 2, 1);
	if (ptr < first) {
		tq_set_valtext(pk, n, "%u (points before first address)", ptr);
		tq_expert(pk, n, &ei_opt_ptr_before, NULL);
		return 0;
	}
	if ((ptr - first) & 3) {
		tq_set_valtext(pk, n, "%u (points to middle of address)", ptr);
		tq_expert(pk, n, &ei_opt_ptr_middle, NULL);
		return 0;
	}
	return ptr - 1u;
}

/*
 * Record route, loose and strict source route.  dst_at is where the final
 * destination of a source route is (0 if none): shown as ip.dst.
 */
static int
opt_route(struct tq_pkt *pk, struct tq_node *t, const struct tq_slice *o, int idx, uint32_t dst_at)
{
	if (!tq_have(pk, o, 2, 1, "IPv4"))
		return -1;
	uint32_t ptr = opt_pointer(pk, t, o, 4);
	if (!ptr)
		return 0;
	for (uint32_t a = 3; a < o->len; a += 4) {
		if (a + 4 > o->len) {
			struct tq_node *x = tq_add_text(pk, t, o, a, o->len - a, "%s", ei_subopt_too_long.f.name);
			tq_expert(pk, x, &ei_subopt_too_long, NULL);
			return 0;
		}
		if (idx != O_RR && dst_at && a == dst_at) {
			addr_fields(pk, t, o, a, &hf_dst, &hf_dst_host);
			continue;
		}
		if (a < ptr)
			route_addr(pk, t, o, a, &hf_rec_rt, &hf_rec_rt_host, 0);
		else if (idx == O_RR)
			route_addr(pk, t, o, a, &hf_empty_rt, &hf_empty_rt_host, a == ptr);
		else
			route_addr(pk, t, o, a, &hf_src_rt, &hf_src_rt_host, a == ptr);
	}
	return 0;
}

static int
opt_timestamp(struct tq_pkt *pk, struct tq_node *t, const struct tq_slice *o)
{
	if (!tq_have(pk, o, 2, 1, "IPv4"))
		return -1;
	uint32_t ptr = opt_pointer(pk, t, o, 5);
	if (!ptr)
		return 0;
	if (!tq_have(pk, o, 3, 1, "IPv4"))
		return -1;
	uint8_t flag = o->p[3] & 0x0f;
	tq_add(pk, t, &hf_opt_overflow, o, 3, 1);
	tq_add(pk, t, &hf_opt_flag, o, 3, 1);
	uint32_t off = 4, left = o->len - 4;
	while (left > 0) {
		if (flag == 1 || flag == 3) {
			if (left < 4)
				break;
			char a[32] = "-";
			if (tq_peek_be32(o->p, o->len, off))
				tq_ipv4_str(o->p + off, a, sizeof(a));
			tq_set_valtext(pk, tq_add(pk, t, &hf_opt_ts_addr, o, off, 4), "%s", a);
			off += 4;
			left -= 4;
		}
		if (left < 4)
			break;
		tq_add(pk, t, &hf_opt_ts, o, off, 4);
		off += 4;
		left -= 4;
	}
	if (left > 0) {
		struct tq_node *x = tq_add_text(pk, t, o, off, left, "%s", ei_subopt_too_long.f.name);
		tq_expert(pk, x, &ei_subopt_too_long, NULL);
	}
	return 0;
}

/* A string field of n bytes, shown up to its first NUL as Wireshark does. */
static void
opt_string(struct tq_pkt *pk, struct tq_node *t, const struct tq_field *f, const struct tq_slice *o,
    uint32_t off, uint32_t n)
{
	char buf[16];
	size_t k = 0;
	while (k < n && k < sizeof(buf) - 1 && o->p[off + k]) {
		buf[k] = (char)o->p[off + k];
		k++;
	}
	buf[k] = '\0';
	tq_add_str(pk, t, f, o, off, n, buf);
}

/*
 * One option with a dissector, in its own slice o (its length is o->len).
 * Returns 0, or -1 after a read past the option (the dissection ends).
 */
static int
option(struct tq_pkt *pk, struct tq_node *opts, const struct tq_slice *o, int idx, uint32_t dst_at)
{
	struct tq_node *t = tq_add(pk, opts, &hf_options[idx], o, 0, o->len);
	tq_set_label(pk, t, "%s (%u bytes)", hf_options[idx].name, o->len);
	opt_type(pk, t, o);
	tq_add(pk, t, &hf_opt_len, o, 1, 1);
	switch (idx) {
	case O_RR:
	case O_LSR:
	case O_SSR:
		return opt_route(pk, t, o, idx, dst_at);
	case O_TS:
		return opt_timestamp(pk, t, o);
	case O_RA:
		if (!tq_have(pk, o, 2, 2, "IPv4"))
			return -1;
		{
			uint16_t v = tq_peek_be16(o->p, o->len, 2);
			tq_add(pk, t, &hf_opt_ra, o, 2, 2);
			tq_append(pk, t, ": %s (%u)", v ? "Reserved" : "Router shall examine packet", v);
		}
		return 0;
	case O_SID:
		if (!tq_have(pk, o, 2, 2, "IPv4"))
			return -1;
		tq_add(pk, t, &hf_opt_sid, o, 2, 2);
		return 0;
	case O_MTUP:
	case O_MTUR:
		if (!tq_have(pk, o, 2, 2, "IPv4"))
			return -1;
		tq_add(pk, t, &hf_opt_mtu, o, 2, 2);
		return 0;
	case O_SDB:
		for (uint32_t a = 2; a + 4 <= o->len; a += 4)
			tq_add(pk, t, &hf_opt_addr, o, a, 4);
		return 0;
	case O_TR:
		if (!tq_have(pk, o, 2, 10, "IPv4"))
			return -1;
		tq_add(pk, t, &hf_opt_id_number, o, 2, 2);
		tq_add(pk, t, &hf_opt_ohc, o, 4, 2);
		tq_add(pk, t, &hf_opt_rhc, o, 6, 2);
		tq_add(pk, t, &hf_opt_originator, o, 8, 4);
		return 0;
	case O_SEC:
		if (!tq_have(pk, o, 2, 9, "IPv4"))
			return -1;
		tq_add(pk, t, &hf_opt_sec, o, 2, 2);
		tq_add(pk, t, &hf_opt_sec_comp, o, 4, 2);
		opt_string(pk, t, &hf_opt_sec_hr, o, 6, 2);
		opt_string(pk, t, &hf_opt_sec_tcc, o, 8, 3);
		return 0;
	default:
		return 0;
	}
}

/*
 * The options between off and end of s (both captured).  opts is the
 * "Options: (n bytes)" item, named after each option shown.  Returns 0, or
 * -1 after an exception.
 */
static int
options(struct tq_pkt *pk, struct tq_node *opts, const struct tq_slice *s, uint32_t off, uint32_t end,
    uint32_t dst_at)
{
	unsigned nops = 0;
	while (off < end) {
		uint8_t type = s->p[off];
		int idx = opt_index(type);
		if (type == 0 || type == 1) {
			if (type == 1) {
				if (nops == 0 || off % 4) {
					/* NOPs in a row within one 32-bit word of the header */
					if (++nops == 4)
						tq_expert(pk, opts, &ei_nop, NULL);
				} else {
					nops = 0;
				}
			}
			struct tq_slice o = tq_sub(s, off, 1);
			struct tq_node *t = tq_add(pk, opts, &hf_options[idx], &o, 0, 1);
			tq_set_label(pk, t, "%s", hf_options[idx].name);
			opt_type(pk, t, &o);
			off++;
			if (type == 0)
				break;
			continue;
		}
		char unk[32];
		const char *name = idx >= 0 ? opt_short(idx) : unk;
		if (idx < 0)
			snprintf(unk, sizeof(unk), "Unknown (0x%02x)", type);
		uint32_t left = end - off - 1;
		if (left == 0) {
			struct tq_node *x = tq_add_text(pk, opts, s, off, 1, "%s (length byte past end of options)", name);
			tq_expert(pk, x, &ei_opt_len_invalid, "%s (length byte past end of options)", name);
			return 0;
		}
		uint8_t olen = s->p[off + 1];
		left--;
		if (olen < 2) {
			struct tq_node *x = tq_add_text(pk, opts, s, off, 2, "%s (with too-short option length = %u byte%s)",
			    name, olen, olen == 1 ? "" : "s");
			tq_expert(pk, x, &ei_opt_len_invalid, "%s (with too-short option length = %u byte%s)", name, olen,
			    olen == 1 ? "" : "s");
			return 0;
		}
		if (olen - 2u > left) {
			struct tq_node *x = tq_add_text(pk, opts, s, off, left,
			    "%s (option length = %u byte%s says option goes past end of options)", name, olen,
			    olen == 1 ? "" : "s");
			tq_expert(pk, x, &ei_opt_len_invalid,
			    "%s (option length = %u byte%s says option goes past end of options)", name, olen,
			    olen == 1 ? "" : "s");
			return 0;
		}
		if (idx < 0) {
			tq_add_text(pk, opts, s, off, olen, "%s (%u byte%s)", name, olen, olen == 1 ? "" : "s");
		} else {
			struct tq_slice o = tq_sub(s, off, olen);
			uint32_t at = dst_at >= off && dst_at < off + olen ? dst_at - off : 0;
			if (option(pk, opts, &o, idx, at) < 0)
				return -1;
			tq_append(pk, opts, ", %s", name);
		}
		off += olen;
	}
	return 0;
}

/*
 * Where the final destination of a source-routed datagram is: the last
 * address of a loose or strict source route whose pointer has not run past
 * it (RFC 791 3.1), as Wireshark's get_dst_offset().  0 if none; -1 after
 * an exception.
 */
static int
source_route_dst(struct tq_pkt *pk, const struct tq_slice *s, uint32_t hl)
{
	uint32_t off = 20;
	while (off < hl) {
		if (!tq_have(pk, s, off, 1, "IPv4"))
			return -1;
		uint8_t type = s->p[off];
		if (type == 0)
			return 0;
		if (type == 1) {
			off++;
			continue;
		}
		if (off + 1 >= hl)
			return 0;
		if (!tq_have(pk, s, off + 1, 1, "IPv4"))
			return -1;
		uint8_t olen = s->p[off + 1];
		if (olen < 2)
			return 0;
		if (type == 131 || type == 137) {
			if (olen < 7 || off + olen > hl)
				return 0;
			if (!tq_have(pk, s, off + 2, 1, "IPv4"))
				return -1;
			uint8_t ptr = s->p[off + 2];
			if (ptr < 4 || (ptr & 3) || ptr > olen)
				return 0;
			return (int)(off + olen - 4);
		}
		off += olen;
	}
	return 0;
}

/* ------------------------------------------------------------------ the header */

static const char *
ipproto_name(uint8_t proto)
{
	const char *n = tq_vals_find(tq_ipproto_vals, proto);
	return n ? n : "Unknown";
}

/* 224.0.0.0/24, the Local Network Control Block (RFC 3171). */
static int
is_lncb(const uint8_t *a)
{
	return a[0] == 224 && a[1] == 0 && a[2] == 0;
}

/*
 * The payload to the protocol it carries.  When nothing took it but data,
 * the Info column names the protocol, as packet-ip.c does for a protocol it
 * has no dissector for.
 */
static void
upper(struct tq_pkt *pk, uint8_t proto, struct tq_slice *pl)
{
	struct tq_info_mark m;
	tq_info_mark(pk, &m);
	tq_dissect_ipproto(pk, proto, pl);
	if (tq_info_unchanged(pk, &m))
		tq_col_info_set(pk, "%s (%u)", ipproto_name(proto), proto);
}

/*
 * The TTL a datagram to 224.0.0.last should have: 1 (RFC 3171), but 255 for
 * VRRP (RFC 3768), GLBP and mDNS (RFC 6762), and any for LLMNR (RFC 4795):
 * Wireshark's exceptions.  -1 for any.
 */
static int
lncb_ttl(uint8_t last)
{
	switch (last) {
	case 18: case 102: case 251: return 255;
	case 252: return -1;
	default: return 1;
	}
}

int
tq_dissect_ipv4(struct tq_pkt *pk, struct tq_slice *s)
{
	if (!s->len) {
		tq_col_proto(pk, "IPv4");
		tq_have(pk, s, 0, 1, "IPv4");
		return 0;
	}
	uint8_t vhl = s->p[0];
	tq_col_proto(pk, "IPv4");
	tq_col_info_clear(pk);
	uint32_t hl = (vhl & 0x0f) * 4u;
	uint32_t ilen = hl < s->len ? hl : s->len;
	struct tq_node *t = tq_add_proto(pk, tq_root(pk), &hf_ip, s, 0, ilen);
	struct tq_node *vn = tq_add(pk, t, &hf_version, s, 0, 1);
	if ((vhl >> 4) != 4) {
		tq_col_info_set(pk, "Bogus IPv4 version (%u, must be 4)", vhl >> 4);
		tq_expert(pk, vn, &ei_bogus_version, "Bogus IPv4 version");
		/* an IPv6 packet behind the IPv4 ethertype is shown as IPv6 too */
		if ((vhl >> 4) == 6)
			return tq_dissect_ipv6(pk, s);
		return (int)s->len;
	}
	struct tq_node *hn = tq_add_u(pk, t, &hf_hdr_len, s, 0, 1, hl);
	if (hn) {
		char bits[64];
		tq_fmt_bits(bits, sizeof(bits), vhl, 0x0f, 8);
		tq_set_label(pk, hn, "%sHeader Length: %u bytes (%u)", bits, hl, vhl & 0x0f);
	}
	if (hl < 20) {
		tq_col_info_set(pk, "Bogus IP header length (%u, must be at least 20)", hl);
		tq_expert(pk, hn, &ei_bogus_hdr_len, "Bogus IP header length (%u, must be at least 20)", hl);
		return (int)s->len;
	}

	if (!tq_have(pk, s, 1, 1, "IPv4"))
		return (int)s->len;
	uint8_t tos = s->p[1];
	struct tq_node *ds = tq_add(pk, t, &hf_dsfield, s, 1, 1);
	tq_set_valtext(pk, ds, "0x%02x (DSCP: %s, ECN: %s)", tos, tq_dscp_short(tos >> 2), tq_ecn_short(tos & 3));
	tq_add(pk, ds, &hf_dscp, s, 1, 1);
	tq_add(pk, ds, &hf_ecn, s, 1, 1);

	if (!tq_have(pk, s, 2, 2, "IPv4"))
		return (int)s->len;
	uint32_t tlen = tq_peek_be16(s->p, s->len, 2);
	struct tq_slice ip = *s;
	if (tlen == 0) {
		/* "TCP segmentation offload": the length is what is there */
		tlen = s->rlen;
		struct tq_node *n = tq_gen(tq_add_u(pk, t, &hf_len, s, 2, 2, tlen));
		tq_set_valtext(pk, n, "%u bytes (reported as 0, presumed to be because of \"TCP segmentation offload\" (TSO))",
		    tlen);
	} else if (tlen < hl) {
		tq_col_info_set(pk, "Bogus IP length (%u, less than header length %u)", tlen, hl);
		struct tq_node *n = tq_add(pk, t, &hf_len, s, 2, 2);
		tq_set_valtext(pk, n, "%u bytes (bogus, less than header length %u)", tlen, hl);
		tq_expert(pk, n, &ei_bogus_ip_len, NULL);
		return (int)s->len;
	} else {
		struct tq_node *n = tq_add(pk, t, &hf_len, s, 2, 2);
		if (tlen <= s->rlen)
			ip = tq_sub(s, 0, tlen);
		else if (!pk->in_error)      /* an ICMP error quotes only the start of a datagram */
			tq_expert(pk, n, &ei_bogus_ip_len, "IPv4 total length exceeds packet length (%u bytes)", s->rlen);
	}

	if (!tq_have(pk, s, 4, 2, "IPv4"))
		return (int)s->len;
	uint16_t id = tq_peek_be16(s->p, s->len, 4);
	tq_add(pk, t, &hf_id, s, 4, 2);

	if (!tq_have(pk, s, 6, 2, "IPv4"))
		return (int)s->len;
	uint16_t foff = tq_peek_be16(s->p, s->len, 6);
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
	uint32_t frag_bytes = (uint32_t)(foff & 0x1fff) * 8;
	tq_set_valtext(pk, tq_add(pk, t, &hf_frag_offset, s, 6, 2), "%u", frag_bytes);

	if (!tq_have(pk, s, 8, 2, "IPv4"))
		return (int)s->len;
	uint8_t ttl = s->p[8];
	uint8_t proto = s->p[9];
	struct tq_node *ttl_item = tq_add(pk, t, &hf_ttl, s, 8, 1);
	tq_add(pk, t, &hf_proto, s, 9, 1);
	if (!tq_have(pk, s, 10, 2, "IPv4"))
		return (int)s->len;
	tq_append(pk, tq_add(pk, t, &hf_checksum, s, 10, 2), " [validation disabled]");
	tq_gen(tq_add_u(pk, t, &hf_checksum_status, s, 10, 0, 2));

	if (!tq_have(pk, s, 12, 4, "IPv4"))
		return (int)s->len;
	const uint8_t *src = s->p + 12;
	char sa[32] = "", da[32] = "", ca[32];
	if (t)
		tq_ipv4_str(src, sa, sizeof(sa));
	if (!pk->in_error)
		tq_addr_set(&pk->net_src, AT_IPV4, src);
	tq_addr_set(&pk->src, AT_IPV4, src);
	tq_append(pk, t, ", Src: %s", sa);
	addr_fields(pk, t, s, 12, &hf_src, &hf_src_host);

	int dst_at = hl > 20 ? source_route_dst(pk, s, hl) : 0;
	if (dst_at < 0)
		return (int)s->len;
	uint32_t dpos = dst_at ? (uint32_t)dst_at : 16;
	if (!tq_have(pk, s, dpos, 4, "IPv4") || !tq_have(pk, s, 16, 4, "IPv4"))
		return (int)s->len;
	const uint8_t *dst = s->p + dpos;
	if (t)
		tq_ipv4_str(dst, da, sizeof(da));
	if (!pk->in_error)
		tq_addr_set(&pk->net_dst, AT_IPV4, dst);
	tq_addr_set(&pk->dst, AT_IPV4, dst);
	pk->ttl = ttl;
	if (is_lncb(dst)) {
		int want = lncb_ttl(dst[3]);
		if (want >= 0 && ttl != want)
			tq_expert(pk, ttl_item, &ei_ttl_lncb,
			    "\"Time To Live\" != %d for a packet sent to the Local Network Control Block (see RFC 3171)", want);
	} else if ((dst[0] & 0xf0) != 0xe0 && ttl < 5 && proto != 103) {
		tq_expert(pk, ttl_item, &ei_ttl_small, "\"Time To Live\" only %u", ttl);
	}
	if (dst_at) {
		tq_ipv4_str(s->p + 16, ca, sizeof(ca));
		tq_append(pk, t, ", Dst: %s, Via: %s", da, ca);
		tq_add(pk, t, &hf_cur_rt, s, 16, 4);
		TQ_HIDDEN(pk, tq_gen(tq_add_str(pk, t, &hf_cur_rt_host, s, 16, 4, ca)));
	} else {
		tq_append(pk, t, ", Dst: %s", da);
		addr_fields(pk, t, s, 16, &hf_dst, &hf_dst_host);
	}

	if (hl > 20) {
		if (!tq_have(pk, s, 20, hl - 20, "IPv4"))
			return (int)s->len;
		struct tq_node *opts = tq_add_text(pk, t, s, 20, hl - 20, "Options: (%u bytes)", hl - 20);
		if (options(pk, opts, s, 20, hl, (uint32_t)dst_at) < 0)
			return (int)s->len;
	}

	struct tq_slice pl = tq_sub_rest(&ip, hl);
	pk->ipproto = proto;

	/* fragments: reassembled when the whole payload was captured (packet-ip.c's conditions) */
	if (foff & 0x3fff) {
		struct tq_slice whole;
		uint32_t rin = 0;
		int illegal = 0, r = TQ_REASM_PART;
		if (tlen > hl && pl.len == tlen - hl && pl.rlen == pl.len) {
			struct tq_ip_frag fr = {
				.src = &pk->src, .dst = &pk->dst, .ident = (uint32_t)proto << 16 | id,
				.offset = frag_bytes, .more = (foff & 0x2000) != 0,
			};
			r = tq_reasm_ip(pk, &reasm_fields, CONV_IPFRAG, &fr, &pl, t, s, &whole, &rin, &illegal);
		}
		if (r == TQ_REASM_WHOLE) {
			if (illegal) {
				/* Wireshark then leaves the Info column to the protocol carried */
				tq_col_info_set(pk, "[Illegal IPv4 fragments]");
				tq_dissect_ipproto(pk, proto, &whole);
			} else {
				upper(pk, proto, &whole);
			}
			return (int)ip.len;
		}
		tq_col_info_set(pk, "Fragmented IP protocol (proto=%s %u, off=%u, ID=%04x)", ipproto_name(proto), proto,
		    frag_bytes, id);
		if (rin)
			tq_col_info_append(pk, " [Reassembled in #%u]", rin);
		tq_dissect_data(pk, &pl);
		return (int)ip.len;
	}
	upper(pk, proto, &pl);
	return (int)ip.len;
}
