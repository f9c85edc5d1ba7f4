/*
 * icmp.c - ICMP for IPv4 (RFC 792; RFC 1191 next-hop MTU, RFC 1256 router
 * discovery, RFC 4884 original datagram length), as Wireshark's packet-icmp.c
 * shows it: value labels, checksum verification, echo request/reply matching,
 * the timestamp ping puts in its data, and the invoking packet of an error
 * dissected inside the ICMP item.  Also the checksum and echo-matching helpers
 * that icmpv6.c shares.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "../internal.h"

enum {
	T_ECHOREPLY = 0, T_UNREACH = 3, T_SOURCEQUENCH = 4, T_REDIRECT = 5, T_ALTHOST = 6,
	T_ECHO = 8, T_RTRADVERT = 9, T_RTRSOLICIT = 10, T_TIMXCEED = 11, T_PARAMPROB = 12,
	T_TSTAMP = 13, T_TSTAMPREPLY = 14, T_IREQ = 15, T_IREQREPLY = 16, T_MASKREQ = 17,
	T_MASKREPLY = 18, T_PHOTURIS = 40, T_EXTECHO = 42, T_EXTECHOREPLY = 43,
};

static const struct tq_vals type_vals[] = {
	{ 0, "Echo (ping) reply" }, { 1, "Reserved" }, { 2, "Reserved" },
	{ 3, "Destination unreachable" }, { 4, "Source quench (flow control)" }, { 5, "Redirect" },
	{ 6, "Alternate host address" }, { 8, "Echo (ping) request" }, { 9, "Router advertisement" },
	{ 10, "Router solicitation" }, { 11, "Time-to-live exceeded" }, { 12, "Parameter problem" },
	{ 13, "Timestamp request" }, { 14, "Timestamp reply" }, { 15, "Information request" },
	{ 16, "Information reply" }, { 17, "Address mask request" }, { 18, "Address mask reply" },
	{ 19, "Reserved (for security)" }, { 30, "Traceroute" }, { 31, "Datagram Conversion Error" },
	{ 32, "Mobile Host Redirect" }, { 33, "IPv6 Where-Are-You" }, { 34, "IPv6 I-Am-Here" },
	{ 35, "Mobile Registration Request" }, { 36, "Mobile Registration Reply" },
	{ 37, "Domain Name Request" }, { 38, "Domain Name Reply" }, { 39, "SKIP" }, { 40, "Photuris" },
	{ 41, "Experimental mobility protocols" }, { 42, "Extended Echo request" },
	{ 43, "Extended Echo reply" }, { 0, NULL },
};
static const struct tq_vals unreach_vals[] = {
	{ 0, "Network unreachable" }, { 1, "Host unreachable" }, { 2, "Protocol unreachable" },
	{ 3, "Port unreachable" }, { 4, "Fragmentation needed" }, { 5, "Source route failed" },
	{ 6, "Destination network unknown" }, { 7, "Destination host unknown" },
	{ 8, "Source host isolated" }, { 9, "Network administratively prohibited" },
	{ 10, "Host administratively prohibited" }, { 11, "Network unreachable for TOS" },
	{ 12, "Host unreachable for TOS" }, { 13, "Communication administratively filtered" },
	{ 14, "Host precedence violation" }, { 15, "Precedence cutoff in effect" }, { 0, NULL },
};
static const struct tq_vals redirect_vals[] = {
	{ 0, "Redirect for network" }, { 1, "Redirect for host" },
	{ 2, "Redirect for TOS and network" }, { 3, "Redirect for TOS and host" }, { 0, NULL },
};
static const struct tq_vals althost_vals[] = { { 0, "Alternate address for host" }, { 0, NULL } };
static const struct tq_vals rtradvert_vals[] = {
	{ 0, "Normal router advertisement" }, { 16, "Does not route common traffic" }, { 0, NULL },
};
static const struct tq_vals timxceed_vals[] = {
	{ 0, "Time to live exceeded in transit" }, { 1, "Fragment reassembly time exceeded" }, { 0, NULL },
};
static const struct tq_vals paramprob_vals[] = {
	{ 0, "Pointer indicates the error" }, { 1, "Required option missing" }, { 2, "Bad length" }, { 0, NULL },
};
static const struct tq_vals photuris_vals[] = {
	{ 0, "Bad SPI" }, { 1, "Authentication Failed" }, { 2, "Decompression Failed" },
	{ 3, "Decryption Failed" }, { 4, "Need Authentication" }, { 5, "Need Authorization" }, { 0, NULL },
};
static const struct tq_vals extecho_vals[] = { { 0, "No error" }, { 0, NULL } };
static const struct tq_vals extechoreply_vals[] = {
	{ 0, "No error" }, { 1, "Malformed Query" }, { 2, "No Such Interface" },
	{ 3, "No Such Table Entry" }, { 4, "Multiple Interfaces Satisfy Query" }, { 0, NULL },
};
static const struct tq_vals mip_ext_vals[] = {
	{ 0, "One byte padding extension" }, { 16, "Mobility Agent Advertisement Extension" },
	{ 19, "Prefix Lengths Extension" }, { 24, "Challenge Extension" }, { 0, NULL },
};
static const struct tq_vals cksum_status_vals[] = {
	{ 0, "Bad" }, { 1, "Good" }, { 2, "Unverified" }, { 3, "Not present" }, { 4, "Illegal" }, { 0, NULL },
};

static struct tq_field hf_icmp = HF("icmp", "Internet Control Message Protocol", FT_PROTOCOL, BASE_NONE, NULL, 0);
static struct tq_field hf_type = HF("icmp.type", "Type", FT_UINT8, BASE_DEC, NULL, 0);
static struct tq_field hf_code = HF("icmp.code", "Code", FT_UINT8, BASE_DEC, NULL, 0);
static struct tq_field hf_checksum = HF("icmp.checksum", "Checksum", FT_UINT16, BASE_HEX, NULL, 0);
static struct tq_field hf_checksum_status = HF("icmp.checksum.status", "Checksum Status", FT_UINT8, BASE_NONE, cksum_status_vals, 0);
static struct tq_field hf_unused = HF("icmp.unused", "Unused", FT_BYTES, BASE_NONE, NULL, 0);
static struct tq_field hf_ident = HF("icmp.ident", "Identifier (BE)", FT_UINT16, BASE_DEC_HEX, NULL, 0);
static struct tq_field hf_ident_le = HF("icmp.ident_le", "Identifier (LE)", FT_UINT16, BASE_DEC_HEX, NULL, 0);
static struct tq_field hf_seq = HF("icmp.seq", "Sequence Number (BE)", FT_UINT16, BASE_DEC_HEX, NULL, 0);
static struct tq_field hf_seq_le = HF("icmp.seq_le", "Sequence Number (LE)", FT_UINT16, BASE_DEC_HEX, NULL, 0);
static struct tq_field hf_mtu = HF("icmp.mtu", "MTU of next hop", FT_UINT16, BASE_DEC, NULL, 0);
static struct tq_field hf_num_addrs = HF("icmp.num_addrs", "Number of addresses", FT_UINT8, BASE_DEC, NULL, 0);
static struct tq_field hf_addr_entry_size = HF("icmp.addr_entry_size", "Address entry size", FT_UINT8, BASE_DEC, NULL, 0);
static struct tq_field hf_lifetime = HF("icmp.lifetime", "Lifetime", FT_UINT16, BASE_DEC, NULL, 0);
static struct tq_field hf_pointer = HF("icmp.pointer", "Pointer", FT_UINT32, BASE_DEC, NULL, 0);
static struct tq_field hf_router_address = HF("icmp.router_address", "Router address", FT_IPV4, BASE_NONE, NULL, 0);
static struct tq_field hf_pref_level = HF("icmp.pref_level", "Preference level", FT_INT32, BASE_DEC, NULL, 0);
static struct tq_field hf_orig_ts = HF("icmp.originate_timestamp", "Originate Timestamp", FT_UINT32, BASE_DEC, NULL, 0);
static struct tq_field hf_recv_ts = HF("icmp.receive_timestamp", "Receive Timestamp", FT_UINT32, BASE_DEC, NULL, 0);
static struct tq_field hf_xmit_ts = HF("icmp.transmit_timestamp", "Transmit Timestamp", FT_UINT32, BASE_DEC, NULL, 0);
static struct tq_field hf_address_mask = HF("icmp.address_mask", "Address Mask", FT_IPV4, BASE_NONE, NULL, 0);
static struct tq_field hf_redir_gw = HF("icmp.redir_gw", "Gateway Address", FT_IPV4, BASE_NONE, NULL, 0);
static struct tq_field hf_length = HF("icmp.length", "Length", FT_UINT8, BASE_DEC, NULL, 0);
static struct tq_field hf_length_orig = HF("icmp.length.original_datagram", "Length of original datagram", FT_UINT8, BASE_DEC, NULL, 0);
static struct tq_field hf_resp_in = HF("icmp.resp_in", "Response frame", FT_FRAMENUM, BASE_NONE, NULL, 0);
static struct tq_field hf_no_resp = HF("icmp.no_resp", "No response seen", FT_NONE, BASE_NONE, NULL, 0);
static struct tq_field hf_resp_to = HF("icmp.resp_to", "Request frame", FT_FRAMENUM, BASE_NONE, NULL, 0);
static struct tq_field hf_resptime = HF("icmp.resptime", "Response time", FT_DOUBLE, BASE_NONE, NULL, 0);
static struct tq_field hf_data_time = HF("icmp.data_time", "Timestamp from icmp data", FT_ABSTIME, BASE_NONE, NULL, 0);
static struct tq_field hf_data_time_rel = HF("icmp.data_time_relative", "Timestamp from icmp data (relative)", FT_RELTIME, BASE_NONE, NULL, 0);

/* Mobile IP agent advertisement extensions (RFC 5944, 3012) */
static struct tq_field hf_mip_type = HF("icmp.mip.type", "Extension Type", FT_UINT8, BASE_DEC, mip_ext_vals, 0);
static struct tq_field hf_mip_length = HF("icmp.mip.length", "Length", FT_UINT8, BASE_DEC, NULL, 0);
static struct tq_field hf_mip_prefix_length = HF("icmp.mip.prefixlength", "Prefix Length", FT_UINT8, BASE_DEC, NULL, 0);
static struct tq_field hf_mip_seq = HF("icmp.mip.seq", "Sequence Number", FT_UINT16, BASE_DEC, NULL, 0);
static struct tq_field hf_mip_life = HF("icmp.mip.life", "Registration Lifetime", FT_UINT16, BASE_DEC, NULL, 0);
static struct tq_field hf_mip_flags = HF("icmp.mip.flags", "Flags", FT_UINT16, BASE_HEX, NULL, 0);
static struct tq_field hf_mip_r = HF("icmp.mip.r", "Registration Required", FT_BOOLEAN, 16, NULL, 0x8000);
static struct tq_field hf_mip_b = HF("icmp.mip.b", "Busy", FT_BOOLEAN, 16, NULL, 0x4000);
static struct tq_field hf_mip_h = HF("icmp.mip.h", "Home Agent", FT_BOOLEAN, 16, NULL, 0x2000);
static struct tq_field hf_mip_f = HF("icmp.mip.f", "Foreign Agent", FT_BOOLEAN, 16, NULL, 0x1000);
static struct tq_field hf_mip_m = HF("icmp.mip.m", "Minimal Encapsulation", FT_BOOLEAN, 16, NULL, 0x0800);
static struct tq_field hf_mip_g = HF("icmp.mip.g", "GRE", FT_BOOLEAN, 16, NULL, 0x0400);
static struct tq_field hf_mip_v = HF("icmp.mip.v", "VJ Comp", FT_BOOLEAN, 16, NULL, 0x0200);
static struct tq_field hf_mip_rt = HF("icmp.mip.rt", "Reverse tunneling", FT_BOOLEAN, 16, NULL, 0x0100);
static struct tq_field hf_mip_u = HF("icmp.mip.u", "UDP tunneling", FT_BOOLEAN, 16, NULL, 0x0080);
static struct tq_field hf_mip_x = HF("icmp.mip.x", "Revocation support", FT_BOOLEAN, 16, NULL, 0x0040);
static struct tq_field hf_mip_reserved = HF("icmp.mip.reserved", "Reserved", FT_UINT16, BASE_HEX, NULL, 0x003f);
static struct tq_field hf_mip_coa = HF("icmp.mip.coa", "Care-Of-Address", FT_IPV4, BASE_NONE, NULL, 0);
static struct tq_field hf_mip_challenge = HF("icmp.mip.challenge", "Challenge", FT_BYTES, BASE_NONE, NULL, 0);
static struct tq_field hf_mip_content = HF("icmp.mip.content", "Content", FT_BYTES, BASE_NONE, NULL, 0);

/* multi-part extensions (RFC 4884) and the MPLS label stack object (RFC 4950) */
static const struct tq_vals ext_class_vals[] = {
	{ 1, "MPLS Label Stack Class" }, { 2, "Interface Information Object" },
	{ 3, "Interface Identification Object" }, { 0, NULL },
};
static struct tq_field hf_ext = HF("icmp.ext", "ICMP Extensions", FT_NONE, BASE_NONE, NULL, 0);
static struct tq_field hf_ext_version = HF("icmp.ext.version", "Version", FT_UINT8, BASE_DEC, NULL, 0);
static struct tq_field hf_ext_res = HF("icmp.ext.res", "Reserved", FT_UINT16, BASE_HEX, NULL, 0x0fff);
static struct tq_field hf_ext_checksum = HF("icmp.ext.checksum", "Checksum", FT_UINT16, BASE_HEX, NULL, 0);
static struct tq_field hf_ext_checksum_status = HF("icmp.ext.checksum.status", "Checksum Status", FT_UINT8, BASE_NONE, cksum_status_vals, 0);
static struct tq_field hf_ext_length = HF("icmp.ext.length", "Length", FT_UINT16, BASE_DEC, NULL, 0);
static struct tq_field hf_ext_class = HF("icmp.ext.class", "Class", FT_UINT8, BASE_DEC, ext_class_vals, 0);
static struct tq_field hf_ext_ctype = HF("icmp.ext.ctype", "C-Type", FT_UINT8, BASE_DEC, NULL, 0);
static struct tq_field hf_ext_data = HF("icmp.ext.data", "Data", FT_BYTES, BASE_NONE, NULL, 0);
static struct tq_field hf_mpls_label = HF("icmp.mpls.label", "Label", FT_UINT24, BASE_DEC, NULL, 0xfffff0);
static struct tq_field hf_mpls_exp = HF("icmp.mpls.exp", "Experimental", FT_UINT24, BASE_DEC, NULL, 0x0e);
static struct tq_field hf_mpls_s = HF("icmp.mpls.s", "Stack bit", FT_BOOLEAN, 24, &tq_tfs_set_notset, 0x01);
static struct tq_field hf_mpls_ttl = HF("icmp.mpls.ttl", "Time to live", FT_UINT8, BASE_DEC, NULL, 0);
static struct tq_field hf_mpls_data = HF("icmp.mpls.data", "Data", FT_BYTES, BASE_NONE, NULL, 0);

static struct tq_expert ei_resp_not_found = EI("icmp.resp_not_found", "Response not found", PI_WARN, PI_SEQUENCE);
static struct tq_expert ei_checksum = EI("icmp.checksum_bad", "Bad checksum", PI_WARN, PI_CHECKSUM);
static struct tq_expert ei_ext_checksum = EI("icmp.ext.checksum_bad", "Bad checksum", PI_WARN, PI_CHECKSUM);

static struct tq_field *const fields[] = {
	&hf_icmp, &hf_type, &hf_code, &hf_checksum, &hf_checksum_status, &hf_unused, &hf_ident,
	&hf_ident_le, &hf_seq, &hf_seq_le, &hf_mtu, &hf_num_addrs, &hf_addr_entry_size, &hf_lifetime,
	&hf_pointer, &hf_router_address, &hf_pref_level, &hf_orig_ts, &hf_recv_ts, &hf_xmit_ts,
	&hf_address_mask, &hf_redir_gw, &hf_length, &hf_length_orig, &hf_resp_in, &hf_no_resp,
	&hf_resp_to, &hf_resptime, &hf_data_time, &hf_data_time_rel,
	&hf_mip_type, &hf_mip_length, &hf_mip_prefix_length, &hf_mip_seq, &hf_mip_life, &hf_mip_flags,
	&hf_mip_r, &hf_mip_b, &hf_mip_h, &hf_mip_f, &hf_mip_m, &hf_mip_g, &hf_mip_v, &hf_mip_rt,
	&hf_mip_u, &hf_mip_x, &hf_mip_reserved, &hf_mip_coa, &hf_mip_challenge, &hf_mip_content,
	&hf_ext, &hf_ext_version, &hf_ext_res, &hf_ext_checksum, &hf_ext_checksum_status, &hf_ext_length,
	&hf_ext_class, &hf_ext_ctype, &hf_ext_data, &hf_mpls_label, &hf_mpls_exp, &hf_mpls_s, &hf_mpls_ttl,
	&hf_mpls_data,
	&ei_resp_not_found.f, &ei_checksum.f, &ei_ext_checksum.f,
};

static const struct tq_cksum_fields cksum_fields = { &hf_checksum, &hf_checksum_status, &ei_checksum };
static const struct tq_cksum_fields ext_cksum_fields = { &hf_ext_checksum, &hf_ext_checksum_status, &ei_ext_checksum };

static struct tq_dissector icmp = { .name = "icmp", .dissect = tq_dissect_icmp };

void
tq_register_icmp(void)
{
	TQ_REGISTER(fields);
	tq_dissector_add(TQ_TAB_IP_PROTO, 1, &icmp);
}

/* ------------------------------------------------------------------ shared with ICMPv6 */

uint32_t
tq_cksum_add(uint32_t sum, const uint8_t *p, size_t n)
{
	size_t i;
	for (i = 0; i + 1 < n; i += 2) {
		sum += (uint32_t)(p[i] << 8 | p[i + 1]);
		sum = (sum & 0xffff) + (sum >> 16);
	}
	if (i < n) {
		sum += (uint32_t)p[i] << 8;
		sum = (sum & 0xffff) + (sum >> 16);
	}
	return sum;
}

uint16_t
tq_cksum_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)sum;
}

void
tq_icmp_checksum(struct tq_pkt *pk, struct tq_node *t, const struct tq_slice *s, uint32_t off,
    const struct tq_cksum_fields *cf, int verify, uint32_t sum, const char *why)
{
	struct tq_node *ck = tq_add(pk, t, cf->ck, s, off, 2);
	if (!ck)
		return;
	uint16_t have = tq_peek_be16(s->p, s->len, off);
	if (!verify) {
		tq_append(pk, ck, " [unverified] [%s]", why);
		tq_gen(tq_add_u(pk, t, cf->status, s, off, 0, 2));
		return;
	}
	uint16_t folded = tq_cksum_fold(sum);
	if (folded == 0xffff) {
		tq_append(pk, ck, " [correct]");
		tq_gen(tq_add_u(pk, t, cf->status, s, off, 0, 1));
		return;
	}
	/* what the field should hold: the sum without it, complemented */
	uint32_t rest = tq_cksum_fold((uint32_t)folded + (uint16_t)~have);
	uint16_t should = (uint16_t)~rest;
	tq_append(pk, ck, " incorrect, should be 0x%04x", should);
	tq_expert(pk, ck, cf->bad, "Bad checksum [should be 0x%04x]", should);
	tq_gen(tq_add_u(pk, t, cf->status, s, off, 0, 0));
}

/* The requests of one address pair not yet answered, by key (open addressing). */
struct echo_ent {
	uint32_t ck, idseq;
	struct tq_icmp_echo *tr;
};
struct echo_tab {
	struct echo_ent *e;
	uint32_t n, cap;
};

static uint32_t
echo_hash(uint32_t ck, uint32_t idseq)
{
	uint64_t h = ((uint64_t)ck << 32 | idseq) * 0x9e3779b97f4a7c15ULL;
	return (uint32_t)(h >> 32);
}

static struct echo_ent *
echo_slot(struct echo_tab *tb, uint32_t ck, uint32_t idseq)
{
	uint32_t i = echo_hash(ck, idseq) & (tb->cap - 1);
	while (tb->e[i].tr && (tb->e[i].ck != ck || tb->e[i].idseq != idseq))
		i = (i + 1) & (tb->cap - 1);
	return &tb->e[i];
}

static int
echo_grow(struct tq_arena *a, struct echo_tab *tb)
{
	uint32_t ncap = tb->cap ? tb->cap * 2 : 8;
	struct echo_ent *ne = tq_arena_alloc(a, ncap * sizeof(*ne));
	if (!ne)
		return -1;
	struct echo_tab nt = { ne, 0, ncap };
	for (uint32_t i = 0; i < tb->cap; i++) {
		if (tb->e[i].tr) {
			*echo_slot(&nt, tb->e[i].ck, tb->e[i].idseq) = tb->e[i];
			nt.n++;
		}
	}
	*tb = nt;
	return 0;
}

void
tq_icmp_echo_track(struct tq_pkt *pk, int convkind, uint32_t pdkey, int reply, uint32_t ck, uint32_t idseq)
{
	struct tq_arena *a = &pk->cap->state;
	struct tq_conv *c = tq_conv_find(pk->cap, convkind, &pk->src, &pk->dst, 0, 0, 0, !reply);
	if (!c)
		return;
	struct echo_tab *tb = c->data;
	if (!tb) {
		if (reply)
			return;
		tb = tq_arena_alloc(a, sizeof(*tb));
		if (!tb || echo_grow(a, tb) < 0)
			return;
		c->data = tb;
	}
	if (reply) {
		struct echo_ent *e = echo_slot(tb, ck, idseq);
		/* a second reply to one request is not matched */
		if (!e->tr || e->tr->resp)
			return;
		e->tr->resp = pk->num;
		tq_pdata_put(pk->cap, pk->num, pdkey, e->tr);
		return;
	}
	if ((tb->n + 1) * 2 > tb->cap && echo_grow(a, tb) < 0)
		return;
	struct tq_icmp_echo *tr = tq_arena_alloc(a, sizeof(*tr));
	if (!tr)
		return;
	tr->req = pk->num;
	tr->sec = pk->fr->sec;
	tr->nsec = (int32_t)pk->fr->nsec;
	/* a later request with the same key takes the place of an earlier one */
	struct echo_ent *e = echo_slot(tb, ck, idseq);
	if (!e->tr)
		tb->n++;
	e->ck = ck;
	e->idseq = idseq;
	e->tr = tr;
	tq_pdata_put(pk->cap, pk->num, pdkey, tr);
}

/* An MPLS label stack object's entries (RFC 4950); returns 1 if its C-Type is
 * unknown, -1 if the capture ends inside it. */
static int
mpls_stack_object(struct tq_pkt *pk, struct tq_node *o, const struct tq_slice *s, uint32_t off, uint32_t end)
{
	uint8_t ctype = tq_peek_u8(s->p, s->len, off + 3);
	tq_add(pk, o, &hf_ext_ctype, s, off + 3, 1);
	if (ctype != 1)
		return 1;
	tq_set_label(pk, o, "MPLS Stack Entry");
	uint32_t p = off + 4;
	for (; p + 4 <= end && p + 4 <= s->rlen; p += 4) {
		if (!tq_have(pk, s, 0, p + 4, "ICMP"))
			return -1;
		uint32_t label = (uint32_t)tq_peek_be16(s->p, s->len, p) << 4 | s->p[p + 2] >> 4;
		uint8_t tmp = s->p[p + 2], ttl = s->p[p + 3];
		struct tq_node *e = tq_add_text(pk, o, s, p, 4, "Label: %u, Exp: %u, S: %u, TTL: %u",
		    label, (tmp >> 1) & 7, tmp & 1, ttl);
		tq_add(pk, e, &hf_mpls_label, s, p, 3);
		tq_add_u(pk, e, &hf_mpls_exp, s, p + 2, 1, (tmp >> 1) & 7);
		tq_add_u(pk, e, &hf_mpls_s, s, p + 2, 1, tmp & 1);
		tq_add(pk, e, &hf_mpls_ttl, s, p + 3, 1);
	}
	if (p < end)
		tq_add(pk, o, &hf_mpls_data, s, p, end - p);
	return 0;
}

void
tq_icmp_extensions(struct tq_pkt *pk, struct tq_node *t, const struct tq_slice *s, uint32_t off)
{
	if (off >= s->rlen)
		return;
	uint32_t rlen = s->rlen - off;
	if (!tq_have(pk, s, 0, off + 4, "ICMP"))
		return;
	struct tq_node *x = tq_add(pk, t, &hf_ext, s, off, rlen);
	tq_set_label(pk, x, "ICMP Multi-Part Extensions");
	uint8_t version = s->p[off] >> 4;
	tq_add_u(pk, x, &hf_ext_version, s, off, 1, version);
	tq_add(pk, x, &hf_ext_res, s, off, 2);
	if (off + rlen <= s->len)
		tq_icmp_checksum(pk, x, s, off + 2, &ext_cksum_fields, 1, tq_cksum_add(0, s->p + off, rlen), NULL);
	else
		tq_icmp_checksum(pk, x, s, off + 2, &ext_cksum_fields, 0, 0, "fragmented datagram");
	if (version != 1 && version != 2) {
		tq_append(pk, x, " (unsupported version)");
		return;
	}
	for (off += 4; s->rlen - off >= 4 && off < s->rlen;) {
		if (!tq_have(pk, s, 0, off + 4, "ICMP"))
			return;
		uint16_t olen = tq_peek_be16(s->p, s->len, off);
		uint32_t trunc = olen < s->rlen - off ? olen : s->rlen - off;
		uint8_t cls = s->p[off + 2], ctype = s->p[off + 3];
		struct tq_node *o = tq_add_text(pk, x, s, off, trunc > 4 ? trunc : 4, "Unknown object");
		tq_add_u(pk, o, &hf_ext_length, s, off, 2, olen);
		tq_add(pk, o, &hf_ext_class, s, off + 2, 1);
		if (olen < 4) {
			tq_set_label(pk, o, "Object with bad length");
			return;
		}
		int unknown = 1;
		if (cls == 1)
			unknown = mpls_stack_object(pk, o, s, off, off + trunc);
		if (unknown < 0)
			return;
		if (unknown) {
			tq_add(pk, o, &hf_ext_ctype, s, off + 3, 1);
			tq_set_label(pk, o, "Unknown object (%u/%u)", cls, ctype);
			if (trunc > 4)
				tq_add(pk, o, &hf_ext_data, s, off + 4, trunc - 4);
		}
		if (trunc < olen)
			tq_append(pk, o, " (truncated)");
		off += trunc;
	}
}

/* ------------------------------------------------------------------ time strings */

/* Wireshark's time_secs_to_str / time_msecs_to_str: "1 hour, 2 minutes, 3.004 seconds". */
static void
duration_str(uint32_t v, unsigned msecs, char *buf, size_t len)
{
	size_t k = 0;
	int n;
	if (v == 0 && msecs == 0) {
		snprintf(buf, len, "0 seconds");
		return;
	}
	unsigned secs = v % 60, mins = v / 60 % 60, hours = v / 3600 % 24, days = v / 86400;
	buf[0] = '\0';
#define PL(x) ((x) == 1 ? "" : "s")
#define PUT(...) do { n = snprintf(buf + k, len - k, __VA_ARGS__); if (n > 0 && (size_t)n < len - k) k += (size_t)n; } while (0)
	if (days)
		PUT("%u day%s", days, PL(days));
	if (hours)
		PUT("%s%u hour%s", k ? ", " : "", hours, PL(hours));
	if (mins)
		PUT("%s%u minute%s", k ? ", " : "", mins, PL(mins));
	if (secs || msecs) {
		if (msecs)
			PUT("%s%u.%03u second%s", k ? ", " : "", secs, msecs, PL(secs));
		else
			PUT("%s%u second%s", k ? ", " : "", secs, PL(secs));
	}
#undef PUT
#undef PL
}

#define MS_PER_DAY 86400000u

/* RFC 792 timestamps are ms since midnight UT in either byte order: pick the likelier. */
static uint32_t
best_mstimeofday(const struct tq_slice *s, uint32_t off, uint32_t comp)
{
	uint32_t be = tq_peek_be32(s->p, s->len, off) & 0x7fffffff;
	uint32_t le = 0;
	if (off + 4 <= s->len)
		le = ((uint32_t)s->p[off + 3] << 24 | (uint32_t)s->p[off + 2] << 16 |
		    (uint32_t)s->p[off + 1] << 8 | s->p[off]) & 0x7fffffff;
	if (be < MS_PER_DAY && le >= MS_PER_DAY)
		return be;
	if (le < MS_PER_DAY && be >= MS_PER_DAY)
		return le;
	if (be < MS_PER_DAY && le < MS_PER_DAY) {
		uint32_t b = be, l = le;
		if (b < comp && b <= MS_PER_DAY / 4 && comp >= MS_PER_DAY - MS_PER_DAY / 4)
			b += MS_PER_DAY;
		if (l < comp && l <= MS_PER_DAY / 4 && comp >= MS_PER_DAY - MS_PER_DAY / 4)
			l += MS_PER_DAY;
		return (uint32_t)(b - comp) < (uint32_t)(l - comp) ? be : le;
	}
	return (uint32_t)(be - comp) < (uint32_t)(le - comp) ? be : le;
}

static void
timestamp_item(struct tq_pkt *pk, struct tq_node *t, const struct tq_slice *s, const struct tq_field *f,
    uint32_t off, uint32_t comp)
{
	char d[96];
	uint32_t ms = best_mstimeofday(s, off, comp);
	duration_str(ms / 1000, ms % 1000, d, sizeof(d));
	tq_append(pk, tq_add(pk, t, f, s, off, 4), " (%s after midnight UTC)", d);
}

/* ------------------------------------------------------------------ dissection */

/* Mobile IP extensions after a router advertisement's addresses. */
static void
mip_extensions(struct tq_pkt *pk, struct tq_node *t, const struct tq_slice *s, uint32_t off)
{
	while (off < s->rlen) {
		uint8_t type = tq_peek_u8(s->p, s->len, off);
		uint8_t len = type ? tq_peek_u8(s->p, s->len, off + 1) : 0;
		if (!tq_have(pk, s, 0, off + (type ? 2 : 1), "ICMP"))
			return;
		const char *name = tq_vals_find(mip_ext_vals, type);
		struct tq_node *e = tq_add_text(pk, t, s, off, type ? len + 2u : 1u, "Ext: %s", name ? name : "Unknown");
		if (!name)
			tq_set_label(pk, e, "Ext: Unknown ext %u", type);
		tq_add(pk, e, &hf_mip_type, s, off, 1);
		if (type == 0) {
			off++;
			continue;
		}
		tq_add(pk, e, &hf_mip_length, s, off + 1, 1);
		uint32_t d = off + 2;
		switch (type) {
		case 16: {
			tq_add(pk, e, &hf_mip_seq, s, d, 2);
			tq_add(pk, e, &hf_mip_life, s, d + 2, 2);
			struct tq_node *fl = tq_add(pk, e, &hf_mip_flags, s, d + 4, 2);
			static const struct tq_field *const bits[] = {
				&hf_mip_r, &hf_mip_b, &hf_mip_h, &hf_mip_f, &hf_mip_m, &hf_mip_g, &hf_mip_v,
				&hf_mip_rt, &hf_mip_u, &hf_mip_x, &hf_mip_reserved,
			};
			for (size_t i = 0; i < sizeof(bits) / sizeof(bits[0]); i++)
				tq_add(pk, fl, bits[i], s, d + 4, 2);
			for (uint32_t a = 6; a + 4 <= len; a += 4)
				tq_add(pk, e, &hf_mip_coa, s, d + a, 4);
			break;
		}
		case 19:
			for (uint32_t i = 0; i < len; i++)
				tq_add(pk, e, &hf_mip_prefix_length, s, d + i, 1);
			break;
		case 24:
			tq_add(pk, e, &hf_mip_challenge, s, d, len);
			break;
		default:
			tq_add(pk, e, &hf_mip_content, s, d, len);
			break;
		}
		off = d + len;
	}
}

/* Runs fn on sub with the protocols it adds going under parent. */
static void
dissect_under(struct tq_pkt *pk, struct tq_node *parent, int (*fn)(struct tq_pkt *, struct tq_slice *),
    struct tq_slice *sub)
{
	struct tq_node *saved = pk->parent;
	if (parent)
		pk->parent = parent;
	fn(pk, sub);
	pk->parent = saved;
}

static int
invoking_ip(struct tq_pkt *pk, struct tq_slice *s)
{
	if (s->len && (s->p[0] >> 4) == 6)
		return tq_dissect_ipv6(pk, s);
	return tq_dissect_ipv4(pk, s);
}

/* The IP header and first bytes of the datagram that caused an error (RFC 792, 4884). */
static void
invoking_packet(struct tq_pkt *pk, struct tq_node *t, struct tq_slice *inner)
{
	int saved_err = pk->in_error;
	struct tq_addr src = pk->src, dst = pk->dst;
	uint8_t ipproto = pk->ipproto, ttl = pk->ttl;

	if (inner->len == 0 && inner->rlen == 0)
		return;
	pk->in_error = 1;
	if (pk->depth++ > TQ_MAX_DEPTH)
		dissect_under(pk, t, tq_dissect_data, inner);
	else
		dissect_under(pk, t, invoking_ip, inner);
	pk->depth--;
	pk->in_error = saved_err;
	pk->src = src;
	pk->dst = dst;
	pk->ipproto = ipproto;
	pk->ttl = ttl;
}

/* Echo matching, pass 2: what pass 1 found for this frame. */
static void
echo_result(struct tq_pkt *pk, struct tq_node *t, const struct tq_slice *s, int reply)
{
	static const struct tq_slice none = { NULL, 0, 0, 0, 0 };
	const struct tq_icmp_echo *tr = tq_pdata_get(pk->cap, pk->num, PD_ICMP_ECHO);
	if (reply) {
		if (!tr || tr->resp != pk->num)
			return;
		tq_gen(tq_add_u(pk, t, &hf_resp_to, s, 0, 0, tr->req));
		int64_t ds;
		int32_t dns;
		tq_reltime_delta(pk->fr->sec, (int32_t)pk->fr->nsec, tr->sec, tr->nsec, &ds, &dns);
		double ms = (double)ds * 1000.0 + (double)dns / 1000000.0;
		struct tq_node *rt = tq_gen(tq_add_u(pk, t, &hf_resptime, s, 0, 0, 0));
		if (rt) {
			rt->v.d = ms;
			tq_set_valtext(pk, rt, "%.3f ms", ms);
		}
		tq_col_info_append(pk, " (request in %u)", tr->req);
		return;
	}
	if (tr && tr->resp) {
		tq_gen(tq_add_u(pk, t, &hf_resp_in, s, 0, 0, tr->resp));
		tq_col_info_append(pk, " (reply in %u)", tr->resp);
		return;
	}
	uint8_t a0 = pk->dst.a[0];
	int bcast = pk->dst.kind == AT_IPV4 && !memcmp(pk->dst.a, "\xff\xff\xff\xff", 4);
	if (pk->dst.kind == AT_IPV4 && (bcast || (a0 & 0xf0) == 0xe0)) {
		tq_col_info_append(pk, bcast ? " (broadcast)" : " (multicast)");
		return;
	}
	/* generated with no bytes: PDML shows it at the ICMP item's start */
	struct tq_node *nr = tq_gen(tq_add_u(pk, t, &hf_no_resp, &none, 0, 0, 0));
	tq_col_info_append(pk, " (no response found!)");
	tq_expert(pk, nr, &ei_resp_not_found, "No response seen to ICMP request");
}

/* The timestamp ping(8) puts first in its data: seconds and microseconds, either byte order. */
static int
data_timestamp(struct tq_pkt *pk, struct tq_node *t, const struct tq_slice *s, uint32_t off)
{
	int64_t now = pk->fr->sec;
	int64_t sec = tq_peek_be32(s->p, s->len, off);
	uint32_t usec = tq_peek_be32(s->p, s->len, off + 4);
	/* Wireshark compares through an int, so the difference wraps at 32 bits */
	int32_t d = (int32_t)(uint32_t)(sec - now);
	if ((d < 0 ? -(int64_t)d : d) >= 86400 || usec >= 1000000) {
		const uint8_t *p = s->p + off;
		sec = (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 | p[0];
		usec = (uint32_t)p[7] << 24 | (uint32_t)p[6] << 16 | (uint32_t)p[5] << 8 | p[4];
		d = (int32_t)(uint32_t)(sec - now);
	}
	if ((d < 0 ? -(int64_t)d : d) >= 86400 || usec >= 1000000)
		return 0;
	tq_add_time(pk, t, &hf_data_time, s, off, 8, sec, (int32_t)usec * 1000);
	int64_t rs;
	int32_t rns;
	tq_reltime_delta(now, (int32_t)pk->fr->nsec, sec, (int32_t)usec * 1000, &rs, &rns);
	tq_gen(tq_add_time(pk, t, &hf_data_time_rel, s, off, 8, rs, rns));
	return 1;
}

static const char *
code_name(uint8_t type, uint8_t code, char *buf, size_t len)
{
	const struct tq_vals *vs;
	switch (type) {
	case T_UNREACH: vs = unreach_vals; break;
	case T_REDIRECT: vs = redirect_vals; break;
	case T_ALTHOST: vs = althost_vals; break;
	case T_RTRADVERT: vs = rtradvert_vals; break;
	case T_TIMXCEED: vs = timxceed_vals; break;
	case T_PARAMPROB: vs = paramprob_vals; break;
	case T_PHOTURIS: vs = photuris_vals; break;
	case T_EXTECHO: vs = extecho_vals; break;
	case T_EXTECHOREPLY: vs = extechoreply_vals; break;
	default: return NULL;
	}
	const char *n = tq_vals_find(vs, code);
	if (n)
		return n;
	snprintf(buf, len, "Unknown code: %u", code);
	return buf;
}

int
tq_dissect_icmp(struct tq_pkt *pk, struct tq_slice *s)
{
	tq_col_proto(pk, "ICMP");
	tq_col_info_clear(pk);
	if (s->len < 6) {
		/* Wireshark reads the type, code and RFC 4884 length before adding anything */
		tq_layer(pk, "icmp");
		tq_have(pk, s, 0, 6, "ICMP");
		return (int)s->rlen;
	}
	uint8_t type = s->p[0], code = s->p[1];
	uint16_t cksum = tq_peek_be16(s->p, s->len, 2);
	uint16_t id = tq_peek_be16(s->p, s->len, 4), seq = tq_peek_be16(s->p, s->len, 6);
	uint8_t odl = s->p[5];      /* RFC 4884: 32-bit words of original datagram, or 0 */
	int is_echo = type == T_ECHO || type == T_ECHOREPLY;

	/* pass 1 only matches requests and replies */
	if (pk->pass == 1) {
		if (is_echo && !pk->in_error && pk->src.kind) {
			uint32_t key = cksum;
			if (type == T_ECHO)          /* the checksum the reply will carry: type 8 -> 0 */
				key = (uint16_t)~tq_cksum_fold((uint32_t)(uint16_t)~cksum + 0xf7ff);
			else if (key == 0xffff)
				key = 0;
			tq_icmp_echo_track(pk, CONV_ICMP, PD_ICMP_ECHO, type == T_ECHOREPLY, key, (uint32_t)id << 16 | seq);
		}
		if (type == T_UNREACH || type == T_TIMXCEED || type == T_PARAMPROB ||
		    type == T_SOURCEQUENCH || type == T_REDIRECT) {
			struct tq_slice inner = tq_sub_rest(s, 8);
			invoking_packet(pk, NULL, &inner);
		}
		return (int)s->rlen;
	}

	const char *type_str = tq_vals_find(type_vals, type);
	if (!type_str)
		type_str = "Unknown ICMP (obsolete or malformed?)";
	if (type == T_RTRADVERT && (code == 0 || code == 16))
		type_str = "Mobile IP Advertisement";
	if (type == T_ALTHOST)
		odl = 0;
	char cbuf[32];
	const char *code_str = code_name(type, code, cbuf, sizeof(cbuf));

	tq_col_info_set(pk, "%-20s", type_str);
	if (code_str)
		tq_col_info_append(pk, " (%s)", code_str);

	struct tq_node *t = tq_add_proto(pk, tq_root(pk), &hf_icmp, s, 0, s->len);
	tq_append(pk, tq_add(pk, t, &hf_type, s, 0, 1), " (%s)", type_str);
	struct tq_node *cn = tq_add(pk, t, &hf_code, s, 1, 1);
	if (code_str)
		tq_append(pk, cn, " (%s)", code_str);
	if (s->len >= s->rlen && !pk->in_error)
		tq_icmp_checksum(pk, t, s, 2, &cksum_fields, 1, tq_cksum_add(0, s->p, s->rlen), NULL);
	else
		tq_icmp_checksum(pk, t, s, 2, &cksum_fields, 0, 0,
		    pk->in_error ? "in ICMP error packet" : "fragmented datagram");

	/* the second four bytes */
#define NEED(end) do { if (!tq_have(pk, s, 0, (end), "ICMP")) return (int)s->rlen; } while (0)
	uint32_t num_addrs = 0, entry_size = 0;
	switch (type) {
	case T_ECHOREPLY: case T_ECHO: case T_TSTAMP: case T_TSTAMPREPLY:
	case T_IREQ: case T_IREQREPLY: case T_MASKREQ: case T_MASKREPLY:
		tq_add(pk, t, &hf_ident, s, 4, 2);
		tq_add_u(pk, t, &hf_ident_le, s, 4, 2, (uint16_t)(id >> 8 | id << 8));
		NEED(8);
		tq_add(pk, t, &hf_seq, s, 6, 2);
		tq_add_u(pk, t, &hf_seq_le, s, 6, 2, (uint16_t)(seq >> 8 | seq << 8));
		tq_col_info_append(pk, " id=0x%04x, seq=%u/%u", id, seq, (uint16_t)(seq >> 8 | seq << 8));
		if (pk->src.kind == AT_IPV4)
			tq_col_info_append(pk, ", ttl=%u", pk->ttl);
		break;
	case T_UNREACH:
	case T_TIMXCEED:
		if (odl) {
			tq_add(pk, t, &hf_unused, s, 4, 1);
			tq_add(pk, t, &hf_length, s, 5, 1);
			tq_gen(tq_add_u(pk, t, &hf_length_orig, s, 5, 1, odl * 4u));
			NEED(8);
			if (type == T_UNREACH && code == 4)
				tq_add(pk, t, &hf_mtu, s, 6, 2);
			else
				tq_add(pk, t, &hf_unused, s, 6, 2);
		} else if (type == T_UNREACH && code == 4) {
			tq_add(pk, t, &hf_unused, s, 4, 2);
			NEED(8);
			tq_add(pk, t, &hf_mtu, s, 6, 2);
		} else {
			NEED(8);
			tq_add(pk, t, &hf_unused, s, 4, 4);
		}
		break;
	case T_RTRADVERT: {
		num_addrs = s->p[4];
		entry_size = s->p[5];
		tq_add(pk, t, &hf_num_addrs, s, 4, 1);
		tq_add(pk, t, &hf_addr_entry_size, s, 5, 1);
		NEED(8);
		char d[96];
		duration_str(tq_peek_be16(s->p, s->len, 6), 0, d, sizeof(d));
		tq_append(pk, tq_add(pk, t, &hf_lifetime, s, 6, 2), " (%s)", d);
		break;
	}
	case T_PARAMPROB:
		tq_add(pk, t, &hf_pointer, s, 4, 1);
		if (odl) {
			tq_add(pk, t, &hf_length, s, 5, 1);
			tq_gen(tq_add_u(pk, t, &hf_length_orig, s, 5, 1, odl * 4u));
			NEED(8);
			tq_add(pk, t, &hf_unused, s, 6, 2);
		} else {
			NEED(8);
			tq_add(pk, t, &hf_unused, s, 5, 3);
		}
		break;
	case T_REDIRECT:
		NEED(8);
		tq_add(pk, t, &hf_redir_gw, s, 4, 4);
		break;
	default:
		break;
	}

	/* what follows */
	switch (type) {
	case T_UNREACH: case T_TIMXCEED: case T_PARAMPROB: case T_SOURCEQUENCH: case T_REDIRECT: {
		struct tq_slice inner = tq_sub_rest(s, 8);
		uint8_t ihl = tq_peek_u8(s->p, s->len, 8) & 0x0f;
		if (type == T_REDIRECT)
			NEED(9);                     /* Wireshark reads the header length at 8 */
		if (type == T_REDIRECT)
			inner = tq_sub(s, 8, ihl * 4u + 8);
		else if (odl && s->rlen > 8u + odl * 4u && tq_peek_be16(s->p, s->len, 10) > odl * 4u)
			inner = tq_sub(s, 8, (ihl + (uint32_t)odl) * 4u);
		invoking_packet(pk, t, &inner);
		/* RFC 4884 extensions when the original datagram leaves room for them */
		if (s->rlen > 8 + 128 && s->len >= 12 && tq_peek_be16(s->p, s->len, 10) <= 128)
			tq_icmp_extensions(pk, t, s, (odl ? odl * 4u : 128u) + 8);
		break;
	}
	case T_ECHOREPLY: case T_ECHO:
		if (!pk->in_error)
			echo_result(pk, t, s, type == T_ECHOREPLY);
		if (s->len - 8 < 8) {
			if (s->len > 8) {
				struct tq_slice d = tq_sub_rest(s, 8);
				dissect_under(pk, t, tq_dissect_data, &d);
			}
			break;
		}
		{
			struct tq_slice d = tq_sub_rest(s, data_timestamp(pk, t, s, 8) ? 16 : 8);
			dissect_under(pk, t, tq_dissect_data, &d);
		}
		break;
	case T_RTRADVERT:
		if (entry_size == 2) {
			uint32_t i;
			for (i = 0; i < num_addrs; i++) {
				NEED(12 + i * 8);
				tq_add(pk, t, &hf_router_address, s, 8 + i * 8, 4);
				NEED(16 + i * 8);
				tq_add(pk, t, &hf_pref_level, s, 12 + i * 8, 4);
			}
			if (code == 0 || code == 16)
				mip_extensions(pk, t, s, 8 + i * 8);
		} else {
			struct tq_slice d = tq_sub_rest(s, 8);
			dissect_under(pk, t, tq_dissect_data, &d);
		}
		break;
	case T_TSTAMP: case T_TSTAMPREPLY: {
		uint32_t frame_ts = (uint32_t)((pk->fr->sec * 1000 + pk->fr->nsec / 1000000) % MS_PER_DAY);
		NEED(12);
		timestamp_item(pk, t, s, &hf_orig_ts, 8, frame_ts);
		NEED(16);
		timestamp_item(pk, t, s, &hf_recv_ts, 12, frame_ts);
		NEED(20);
		timestamp_item(pk, t, s, &hf_xmit_ts, 16, frame_ts);
		break;
	}
	case T_MASKREQ: case T_MASKREPLY:
		NEED(12);
		tq_add(pk, t, &hf_address_mask, s, 8, 4);
		break;
	default:
		break;
	}
#undef NEED
	return (int)s->rlen;
}
