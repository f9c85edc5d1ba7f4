/* dissect.c - dispatch (link type -> ethertype -> IP protocol), the passes, data sources. */
#include "config.h"

#include <pcap/pcap.h>
#include <pthread.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

/* ------------------------------------------------------------------ layers and columns */

void
tq_layer(struct tq_pkt *pk, const char *name)
{
	if (!pk->tree)
		return;
	size_t n = strlen(name);
	if (pk->plen + n + 2 > sizeof(pk->protocols))
		return;
	if (pk->plen)
		pk->protocols[pk->plen++] = ':';
	memcpy(pk->protocols + pk->plen, name, n);
	pk->plen += n;
	pk->protocols[pk->plen] = '\0';
}

void
tq_col_proto(struct tq_pkt *pk, const char *proto)
{
	if (pk->want_cols && !pk->in_error)
		pk->col_proto = proto;
}

void
tq_col_info_clear(struct tq_pkt *pk)
{
	if (!pk->want_cols || pk->in_error)
		return;
	pk->info->len = pk->fence;
	if (pk->info->s)
		pk->info->s[pk->info->len] = '\0';
}

void
tq_col_info_set(struct tq_pkt *pk, const char *fmt, ...)
{
	if (!pk->want_cols || pk->in_error)
		return;
	tq_col_info_clear(pk);
	char tmp[1024];
	va_list ap;
	va_start(ap, fmt);
	tq_vformat(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	tq_sbuf_puts(pk->info, tmp);
}

void
tq_col_info_append(struct tq_pkt *pk, const char *fmt, ...)
{
	if (!pk->want_cols || pk->in_error)
		return;
	struct tq_sbuf *b = pk->info;
	va_list ap;
	va_start(ap, fmt);
	char *d = tq_sbuf_reserve(b, 256);
	int n = d ? tq_vformat(d, 256, fmt, ap) : -1;
	va_end(ap);
	if (n < 0)
		return;
	if (n < 256) {
		tq_sbuf_commit(b, (size_t)n);
		return;
	}
	char *big = tq_sbuf_reserve(b, (size_t)n + 1);
	if (!big)
		return;
	va_start(ap, fmt);
	tq_vformat(big, (size_t)n + 1, fmt, ap);
	va_end(ap);
	tq_sbuf_commit(b, (size_t)n);
}

void
tq_col_info_puts(struct tq_pkt *pk, const char *s)
{
	if (pk->want_cols && !pk->in_error)
		tq_sbuf_puts(pk->info, s);
}

void
tq_col_info_put_u(struct tq_pkt *pk, const char *prefix, uint64_t v)
{
	if (!pk->want_cols || pk->in_error)
		return;
	tq_sbuf_puts(pk->info, prefix);
	tq_sbuf_put_u64(pk->info, v);
}

void
tq_col_info_prepend(struct tq_pkt *pk, const char *s)
{
	if (!pk->want_cols || pk->in_error)
		return;
	size_t n = strlen(s);
	struct tq_sbuf *b = pk->info;
	tq_sbuf_put(b, s, n);           /* grow by n */
	if (b->err)
		return;
	memmove(b->s + n, b->s, b->len - n);
	memcpy(b->s, s, n);
	pk->fence += n;
}

void
tq_col_info_fence(struct tq_pkt *pk)
{
	if (pk->want_cols && !pk->in_error)
		pk->fence = pk->info->len;
}

int
tq_add_ds(struct tq_pkt *pk, const uint8_t *data, uint32_t len, const char *name)
{
	struct tq_tree *t = pk->tree;
	if (!t || t->nds >= TQ_MAX_DS)
		return -1;
	t->ds[t->nds].data = data;
	t->ds[t->nds].len = len;
	t->ds[t->nds].name = name;
	return (int)t->nds++;
}

/* ------------------------------------------------------------------ frame */

static const struct tq_vals encap_vals[] = {
	{ 1, "Ethernet" }, { 7, "Raw IP" }, { 15, "NULL/Loopback" },
	{ 25, "Linux cooked-mode capture v1" }, { 129, "Raw IPv4" }, { 130, "Raw IPv6" },
	{ 210, "Linux cooked-mode capture v2" }, { 174, "OpenBSD loopback" }, { 0, NULL },
};

static struct tq_field hf_frame = HF("frame", "Frame", FT_PROTOCOL, BASE_NONE, NULL, 0);
static struct tq_field hf_section = HF("frame.section_number", "Section number", FT_UINT32, BASE_DEC, NULL, 0);
static struct tq_field hf_iface_id = HF("frame.interface_id", "Interface id", FT_UINT32, BASE_DEC, NULL, 0);
static struct tq_field hf_iface_name = HF("frame.interface_name", "Interface name", FT_STRING, BASE_NONE, NULL, 0);
static struct tq_field hf_iface_desc = HF("frame.interface_description", "Interface description", FT_STRING, BASE_NONE, NULL, 0);
static struct tq_field hf_encap = HF("frame.encap_type", "Encapsulation type", FT_INT16, BASE_DEC, encap_vals, 0);
static struct tq_field hf_time = HF("frame.time", "Arrival Time", FT_ABSTIME, BASE_NONE, NULL, 0);
static struct tq_field hf_shift = HF("frame.offset_shift", "Time shift for this packet", FT_RELTIME, BASE_NONE, NULL, 0);
static struct tq_field hf_epoch = HF("frame.time_epoch", "Epoch Time", FT_RELTIME, BASE_NONE, NULL, 0);
static struct tq_field hf_delta = HF("frame.time_delta", "Time delta from previous captured frame", FT_RELTIME, BASE_NONE, NULL, 0);
static struct tq_field hf_delta_d = HF("frame.time_delta_displayed", "Time delta from previous displayed frame", FT_RELTIME, BASE_NONE, NULL, 0);
static struct tq_field hf_rel = HF("frame.time_relative", "Time since reference or first frame", FT_RELTIME, BASE_NONE, NULL, 0);
static struct tq_field hf_number = HF("frame.number", "Frame Number", FT_UINT32, BASE_DEC, NULL, 0);
static struct tq_field hf_len = HF("frame.len", "Frame Length", FT_UINT32, BASE_DEC, NULL, 0);
static struct tq_field hf_caplen = HF("frame.cap_len", "Capture Length", FT_UINT32, BASE_DEC, NULL, 0);
static struct tq_field hf_marked = HF("frame.marked", "Frame is marked", FT_BOOLEAN, BASE_NONE, NULL, 0);
static struct tq_field hf_ignored = HF("frame.ignored", "Frame is ignored", FT_BOOLEAN, BASE_NONE, NULL, 0);
static struct tq_field hf_protocols = HF("frame.protocols", "Protocols in frame", FT_STRING, BASE_NONE, NULL, 0);

static struct tq_field *const frame_fields[] = {
	&hf_frame, &hf_section, &hf_iface_id, &hf_iface_name, &hf_iface_desc, &hf_encap, &hf_time,
	&hf_shift, &hf_epoch, &hf_delta, &hf_delta_d, &hf_rel, &hf_number, &hf_len, &hf_caplen,
	&hf_marked, &hf_ignored, &hf_protocols,
};

void tq_register_expert(void);

void
tq_register_frame(void)
{
	TQ_REGISTER(frame_fields);
	tq_register_expert();
}

static int
wtap_encap(int dlt)
{
	switch (dlt) {
	case DLT_EN10MB: return 1;
	case 12: case 14: case 101: return 7;
	case DLT_NULL: return 15;
	case DLT_LINUX_SLL: return 25;
	case 228: return 129;
	case 229: return 130;
	case 276: return 210;
	case DLT_LOOP: return 174;              /* WTAP_ENCAP_LOOP */
	default: return 0;
	}
}

static void
frame_tree(struct tq_pkt *pk, const struct tq_slice *s)
{
	struct tq_capture *cap = pk->cap;
	const struct tq_frame *fr = pk->fr;
	struct tq_node *root = tq_root(pk);
	const char *ifname = NULL;

	struct tq_node *ft = tq_add_proto(pk, root, &hf_frame, s, 0, fr->caplen);
	pk->plen = 0;               /* "frame" itself is not listed in frame.protocols */
	pk->protocols[0] = '\0';
	pk->frame_node = ft;
	if (!ft)
		return;
	struct tq_sbuf lb;
	tq_sbuf_init(&lb, 0);
	tq_sbuf_printf(&lb, "Frame %u: %u byte%s on wire (%u bits), %u byte%s captured (%u bits)",
	    pk->num, fr->len, fr->len == 1 ? "" : "s", fr->len * 8, fr->caplen, fr->caplen == 1 ? "" : "s", fr->caplen * 8);
	const struct tq_iface *ifc = cap->pcapng && fr->iface < cap->nifaces ? &cap->ifaces[fr->iface] : NULL;
	uint32_t ifid = ifc ? ifc->id : 0;
	if (cap->pcapng) {
		ifname = ifc && ifc->name ? ifc->name : "unknown";
		tq_sbuf_printf(&lb, " on interface %s, id %u", ifname, ifid);
	}
	tq_set_label(pk, ft, "%s", tq_sbuf_str(&lb));
	tq_sbuf_free(&lb);

	if (cap->pcapng) {
		tq_add_u(pk, ft, &hf_section, s, 0, 0, ifc ? ifc->section : 1);
		struct tq_node *in = tq_add_u(pk, ft, &hf_iface_id, s, 0, 0, ifid);
		tq_set_valtext(pk, in, "%u (%s)", ifid, ifname);
		tq_add_str(pk, in, &hf_iface_name, s, 0, 0, ifname);
		if (ifc && ifc->desc)
			tq_add_str(pk, in, &hf_iface_desc, s, 0, 0, ifc->desc);
	}
	tq_add_u(pk, ft, &hf_encap, s, 0, 0, (uint64_t)wtap_encap(cap->linktype));
	tq_add_time(pk, ft, &hf_time, s, 0, 0, fr->sec, (int32_t)fr->nsec);
	tq_gen(tq_add_time(pk, ft, &hf_shift, s, 0, 0, 0, 0));
	tq_add_time(pk, ft, &hf_epoch, s, 0, 0, fr->sec, (int32_t)fr->nsec);

	int64_t ds;
	int32_t dns;
	const struct tq_frame *prev = pk->num > 1 ? fr - 1 : fr;
	tq_reltime_delta(fr->sec, (int32_t)fr->nsec, prev->sec, (int32_t)prev->nsec, &ds, &dns);
	tq_gen(tq_add_time(pk, ft, &hf_delta, s, 0, 0, ds, dns));
	tq_gen(tq_add_time(pk, ft, &hf_delta_d, s, 0, 0, ds, dns));
	const struct tq_frame *first = &cap->frames[0];
	tq_reltime_delta(fr->sec, (int32_t)fr->nsec, first->sec, (int32_t)first->nsec, &ds, &dns);
	tq_gen(tq_add_time(pk, ft, &hf_rel, s, 0, 0, ds, dns));
	tq_add_u(pk, ft, &hf_number, s, 0, 0, pk->num);
	struct tq_node *n = tq_add_u(pk, ft, &hf_len, s, 0, 0, fr->len);
	tq_set_valtext(pk, n, "%u byte%s (%u bits)", fr->len, fr->len == 1 ? "" : "s", fr->len * 8);
	n = tq_add_u(pk, ft, &hf_caplen, s, 0, 0, fr->caplen);
	tq_set_valtext(pk, n, "%u byte%s (%u bits)", fr->caplen, fr->caplen == 1 ? "" : "s", fr->caplen * 8);
	tq_add_gen(pk, ft, &hf_marked, s, 0, 0);
	tq_add_gen(pk, ft, &hf_ignored, s, 0, 0);
}

void
tq_dissect_frame(struct tq_pkt *pk)
{
	struct tq_capture *cap = pk->cap;
	const struct tq_frame *fr = pk->fr;
	struct tq_slice s = { cap->base + fr->off, fr->caplen, fr->len, 0, 0 };

	frame_tree(pk, &s);
	/* "frame" is recorded by tq_add_proto; the link layer follows */
	switch (cap->linktype) {
	case DLT_EN10MB: tq_dissect_eth(pk, &s); break;
	case DLT_LINUX_SLL: tq_dissect_sll(pk, &s); break;
	case 276: tq_dissect_sll2(pk, &s); break;
	case DLT_NULL: case DLT_LOOP: tq_dissect_null(pk, &s); break;
	case 12: case 14: case 101: case 228: case 229: tq_dissect_raw(pk, &s); break;
	default: tq_dissect_data(pk, &s); break;
	}
	if (pk->frame_node) {
		tq_gen(tq_add_str(pk, pk->frame_node, &hf_protocols, &s, 0, 0, pk->protocols));
	}
}

/* ------------------------------------------------------------------ dispatch */

/* The names of ethertypes, as tshark 4.0 gives eth.type (`tshark -G values`), in its order. */
const struct tq_vals tq_etype_vals[] = {
	{ 0x0800, "IPv4" }, { 0x86dd, "IPv6" }, { 0x8100, "802.1Q Virtual LAN" },
	{ 0x8102, "Simple Loop Protection Protocol" }, { 0x8103, "Virtual LACP" },
	{ 0x8104, "Simple Loop Protection Protocol (old)" }, { 0x0806, "ARP" },
	{ 0x872d, "Cisco Wireless Lan Context Control Protocol" },
	{ 0x8783, "Motorola Media Independent Network Transport" }, { 0x2452, "IEEE 802.11 (Centrino promiscuous)" },
	{ 0x0600, "XNS Internet Datagram Protocol" }, { 0x0805, "X.25 Layer 3" }, { 0x0842, "Wake on LAN" },
	{ 0x08f0, "WiMax Mac-to-Mac" }, { 0x3e3f, "EPL_V1" }, { 0x8035, "RARP" }, { 0x8038, "DEC LanBridge" },
	{ 0x809b, "AppleTalk LLAP bridging" }, { 0x80d5, "SNA-over-Ethernet" },
	{ 0x80e1, "EtherNet/IP Device Level Ring" }, { 0x80f3, "AARP" }, { 0x8137, "Netware IPX/SPX" },
	{ 0x0bad, "Vines IP" }, { 0x0baf, "Vines Echo" }, { 0x1984, "Netmon Train" }, { 0x9000, "Loopback" },
	{ 0x885a, "Foundry proprietary" }, { 0x80ff, "Wellfleet Compression Protocol" },
	{ 0x8181, "Spanning Tree Protocol" }, { 0x81fd, "Cabletron Interswitch Message Protocol" },
	{ 0x81ff, "Cabletron SFVLAN 1.8 Tag-Based Flood" }, { 0x8204, "QNX 6 QNET protocol" },
	{ 0x8863, "PPPoE Discovery" }, { 0x8864, "PPPoE Session" }, { 0x886c, "HomePNA, wlan link local tunnel" },
	{ 0x886d, "Intel ANS probe" }, { 0x886f, "MS NLB heartbeat" }, { 0x8870, "Jumbo LLC" },
	{ 0x8874, "Broadcom tag" }, { 0x887b, "Homeplug" }, { 0x88e1, "Homeplug AV" }, { 0x88e3, "MRP" },
	{ 0x88a8, "802.1ad Provider Bridge (Q-in-Q)" }, { 0x88e5, "802.1AE (MACsec)" },
	{ 0x893a, "1905.1a Convergent Digital Home Network for Heterogenous Technologies" },
	{ 0x88e7, "802.1ah Provider Backbone Bridge (mac-in-mac)" },
	{ 0x893f, "802.1br Bridge Port Extension E-Tag" }, { 0x888e, "802.1X Authentication" },
	{ 0x88c7, "802.11i Pre-Authentication" }, { 0x8847, "MPLS label switched packet" },
	{ 0x8848, "MPLS multicast label switched packet" }, { 0x3c07, "3Com NBP Datagram" }, { 0x6000, "DEC proto" },
	{ 0x6001, "DEC DNA Dump/Load" }, { 0x6002, "DEC DNA Remote Console" }, { 0x6003, "DEC DNA Routing" },
	{ 0x6004, "DEC LAT" }, { 0x6005, "DEC Diagnostics" }, { 0x6006, "DEC Customer use" },
	{ 0x6007, "DEC LAVC/SCA" }, { 0x8041, "DEC LAST" }, { 0x6558, "Transparent Ethernet bridging" },
	{ 0x2001, "Cisco Group Management Protocol" }, { 0x22e5, "Gigamon Header" },
	{ 0x22ea, "802.1Qat Multiple Stream Reservation Protocol" },
	{ 0x88f6, "802.1ak Multiple Mac Registration Protocol" }, { 0x894f, "Network Service Header" },
	{ 0x8988, "PA HB Backup" }, { 0x22f0, "IEEE 1722 Audio Video Transport Protocol" },
	{ 0x22f1, "Robust Header Compression(RoHC)" }, { 0x22f3, "Transparent Interconnection of Lots of Links" },
	{ 0x22f4, "Intermediate System to Intermediate System" }, { 0x8808, "MAC Control" },
	{ 0x8809, "Slow Protocols" }, { 0x9021, "Real-Time Media Access Control" },
	{ 0x9022, "Real-Time Configuration Protocol" }, { 0x8881, "CDMA2000 A10 Unstructured byte stream" },
	{ 0x8884, "ATM over Ethernet" }, { 0x8892, "PROFINET" }, { 0x8899, "Realtek Layer 2 Protocols" },
	{ 0x88a2, "ATA over Ethernet" }, { 0x88a4, "EtherCAT frame" }, { 0x88a1, "Telkonet powerline" },
	{ 0x88ab, "ETHERNET Powerlink v2" }, { 0x88ad, "XiMeta Technology" }, { 0x889b, "CSM_ENCAPS Protocol" },
	{ 0x88b5, "Local Experimental Ethertype 1" }, { 0x88b6, "Local Experimental Ethertype 2" },
	{ 0x88b7, "IEEE 802a OUI Extended Ethertype" }, { 0x88b8, "IEC 61850/GOOSE" },
	{ 0x88b9, "IEC 61850/GSE management services" }, { 0x88ba, "IEC 61850/SV (Sampled Value Transmission" },
	{ 0x88ca, "Transparent Inter Process Communication" },
	{ 0x88cc, "802.1 Link Layer Discovery Protocol (LLDP)" }, { 0x88d2, "CDMA2000 A10 3GPP2 Packet" },
	{ 0x891d, "TTEthernet Protocol Control Frame" },
	{ 0x88d8, "Circuit Emulation Services over Ethernet (MEF8)" },
	{ 0x88d9, "Link Layer Topology Discovery (LLTD)" }, { 0x88dc, "(WAVE) Short Message Protocol (WSM)" },
	{ 0x88de, "VMware Lab Manager" }, { 0x8819, "Cirrus Cobranet Packet" },
	{ 0x8133, "Juniper Netscreen Redundant Protocol" }, { 0x9104, "EERO Broadcast Packet" },
	{ 0x8021, "PPP IP Control Protocol" }, { 0xc021, "PPP Link Control Protocol" },
	{ 0xc023, "PPP Password Authentication Protocol" }, { 0x80fd, "PPP Compression Control Protocol" },
	{ 0xcafe, "Veritas Low Latency Transport (not officially registered)" },
	{ 0x8902, "IEEE 802.1ag Connectivity Fault Management (CFM) protocol" },
	{ 0x8903, "Data Center Ethernet (DCE) protocol(Cisco)" }, { 0x8906, "Fibre Channel over Ethernet" },
	{ 0x890d, "IEEE 802.11 data encapsulation" }, { 0x8911, "LINX IPC Protocol" },
	{ 0x8914, "FCoE Initialization Protocol" }, { 0x8917, "Media Independent Handover Protocol" },
	{ 0x88ee, "Ethernet Local Management Interface (MEF16)" }, { 0x88f7, "PTPv2 over Ethernet (IEEE1588)" },
	{ 0x88f8, "Network Controller Sideband Interface" },
	{ 0x88fb, "Parallel Redundancy Protocol (PRP) and HSR Supervision (IEC62439 Part 3)" },
	{ 0x8901, "Flow Layer Internal Protocol" }, { 0x8915, "RDMA over Converged Ethernet" },
	{ 0xd00d, "Digium TDM over Ethernet Protocol" }, { 0x88b4, "WAI Authentication Protocol" },
	{ 0x8926, "VN-Tag" }, { 0x892b, "Schweitzer Engineering Labs Layer 2 Protocol" },
	{ 0x892f, "High-availability Seamless Redundancy (IEC62439 Part 3)" }, { 0x08ff, "AX.25" },
	{ 0x8909, "CiscoMetaData" }, { 0x8947, "GeoNetworking" }, { 0xc0de, "eXpressive Internet Protocol" },
	{ 0xc0df, "Neighborhood Watch Protocol" }, { 0x892d, "bluecom Protocol" },
	{ 0x9100, "QinQ: old non-standard 802.1ad" },
	{ 0x99fe, "Technically Enhanced Capture Module Protocol (TECMP)" }, { 0xa0ed, "6LoWPAN" },
	{ 0xd28b, "Arista Timestamp" }, { 0xaefe, "eCPRI" }, { 0xb4e3, "CableLabs Layer-3 Protocol" },
	{ 0xe555, "EXos internal Extra Header" }, { 0xfff2, "Cisco ACI ARP gleaning" },
	{ 0xf1c1, "802.1CB Frame Replication and Elimination for Reliability" },
	{ 0, NULL },
};

int
tq_dissect_ethertype(struct tq_pkt *pk, uint16_t etype, struct tq_slice *s)
{
	tq_layer(pk, "ethertype");
	if (pk->depth++ > TQ_MAX_DEPTH) {
		pk->depth--;
		return tq_dissect_data(pk, s);
	}
	size_t plen = pk->plen;
	const struct tq_dissector *d = tq_dissector_find(pk->cap, TQ_TAB_ETHERTYPE, etype);
	int used = d ? d->dissect(pk, s) : 0;
	if ((used == 0 && s->len) || !d) {
		/* the dissector refused the bytes (as IPv6 does a bogus version): they
		 * are data, named after the ethertype, as packet-ethertype.c does */
		if (pk->tree && plen < sizeof(pk->protocols)) {
			pk->plen = plen;
			pk->protocols[plen] = '\0';
		}
		used = tq_dissect_data(pk, s);
		tq_col_proto(pk, tq_arena_printf(pk->arena, "0x%04x", etype));
		const char *name = tq_vals_find(tq_etype_vals, etype);
		if (name)
			tq_col_info_set(pk, "%s", name);
	}
	pk->depth--;
	return used;
}

int
tq_dissect_ipproto(struct tq_pkt *pk, uint8_t proto, struct tq_slice *s)
{
	if (pk->depth++ > TQ_MAX_DEPTH) {
		pk->depth--;
		return tq_dissect_data(pk, s);
	}
	const struct tq_dissector *d = tq_dissector_find(pk->cap, TQ_TAB_IP_PROTO, proto);
	int used = (d ? d : &tq_data_dissector)->dissect(pk, s);
	pk->depth--;
	return used;
}

/* ------------------------------------------------------------------ data */

struct tq_field tq_hf_data_proto = HF("data", "Data", FT_PROTOCOL, BASE_NONE, NULL, 0);
static struct tq_field hf_data = HF("data.data", "Data", FT_BYTES, BASE_NONE, NULL, 0);
static struct tq_field hf_data_len = HF("data.len", "Length", FT_INT32, BASE_DEC, NULL, 0);

static struct tq_field *const data_fields[] = { &tq_hf_data_proto, &hf_data, &hf_data_len };

struct tq_dissector tq_data_dissector = { .name = "data", .dissect = tq_dissect_data };

void
tq_register_data(void)
{
	TQ_REGISTER(data_fields);
	tq_dissector_register(&tq_data_dissector);
}

int
tq_dissect_data(struct tq_pkt *pk, struct tq_slice *s)
{
	if (s->len == 0)
		return 0;
	struct tq_node *d = tq_add_proto(pk, tq_root(pk), &tq_hf_data_proto, s, 0, s->len);
	tq_set_label(pk, d, "Data (%u byte%s)", s->len, s->len == 1 ? "" : "s");
	tq_add(pk, d, &hf_data, s, 0, s->len);
	tq_add_gen(pk, d, &hf_data_len, s, 0, s->len);
	return (int)s->len;
}

/* ------------------------------------------------------------------ passes */

/* A packet context for frame num of cap, in the given pass. */
static void
pkt_init(struct tq_pkt *pk, struct tq_capture *cap, uint32_t num, int pass, struct tq_arena *arena)
{
	memset(pk, 0, offsetof(struct tq_pkt, protocols));
	pk->protocols[0] = '\0';
	pk->cap = cap;
	pk->fr = &cap->frames[num - 1];
	pk->num = num;
	pk->pass = pass;
	pk->arena = arena;
}

/* Pass 1 over frame num, the frames before it done: it builds the state pass 2 reads. */
void
tq_pass1_frame(struct tq_capture *cap, uint32_t num, struct tq_arena *scratch)
{
	struct tq_pkt pk;
	pkt_init(&pk, cap, num, 1, scratch);
	tq_dissect_frame(&pk);
	tq_arena_reset(scratch);
}

struct tq_tree *
tq_dissect(struct tq_capture *cap, uint32_t num, int *err)
{
	return tq_dissect_ex(cap, num, 0, err);
}

struct tq_tree *
tq_dissect_ex(struct tq_capture *cap, uint32_t num, int flags, int *err)
{
	if (!cap || num == 0 || num > cap->nframes) {
		if (err)
			*err = TQ_ERANGE;
		return NULL;
	}
	struct tq_tree *t = calloc(1, sizeof(*t));
	if (!t) {
		if (err)
			*err = TQ_ENOMEM;
		return NULL;
	}
	tq_arena_init(&t->arena, 0);
	t->cap = cap;
	t->num = num;
	t->no_hidden = (flags & TQ_DISSECT_DISPLAY) != 0;
	t->no_text = (flags & TQ_DISSECT_VALUES) != 0;
	const struct tq_frame *fr = &cap->frames[num - 1];
	t->ds[0].data = cap->base + fr->off;
	t->ds[0].len = fr->caplen;
	t->ds[0].name = tq_arena_printf(&t->arena, "Frame (%u bytes)", fr->caplen);
	t->nds = 1;

	struct tq_pkt pk;
	pkt_init(&pk, cap, num, 2, &t->arena);
	pk.tree = t;
	tq_dissect_frame(&pk);
	if (err)
		*err = 0;
	return t;
}

void
tq_tree_free(struct tq_tree *t)
{
	if (!t)
		return;
	tq_arena_free(&t->arena);
	free(t);
}

/* ------------------------------------------------------------------ columns */

/*
 * Each thread's arena, reused from frame to frame since the packet list asks
 * for every one; freed when the thread ends (the server's workers come and
 * go), through the key's destructor.
 */
struct colstate {
	struct tq_arena arena;
};

static pthread_key_t col_key;
static pthread_once_t col_once = PTHREAD_ONCE_INIT;
static int col_key_ok;
static __thread struct colstate *col_mine;

static void
colstate_free(void *p)
{
	struct colstate *cs = p;
	tq_arena_free(&cs->arena);
	free(cs);
	col_mine = NULL;
}

static void
col_key_make(void)
{
	col_key_ok = pthread_key_create(&col_key, colstate_free) == 0;
}

static struct colstate *
colstate(void)
{
	if (col_mine)
		return col_mine;
	pthread_once(&col_once, col_key_make);
	struct colstate *cs = calloc(1, sizeof(*cs));
	if (!cs)
		return NULL;
	tq_arena_init(&cs->arena, 0);
	if (!col_key_ok || pthread_setspecific(col_key, cs) != 0) {
		free(cs);
		return NULL;
	}
	return col_mine = cs;
}

/* An address and its NUL, formatted in place. */
static void
addr_put(struct tq_sbuf *b, const struct tq_addr *a)
{
	enum { ADDR_MAX = 128 };
	char *d = tq_sbuf_reserve(b, ADDR_MAX);
	if (!d)
		return;
	tq_addr_str(a, d, ADDR_MAX);
	tq_sbuf_commit(b, strlen(d) + 1);
}

int
tq_columns_get(struct tq_capture *cap, uint32_t num, struct tq_columns *cols, struct tq_sbuf *scratch)
{
	if (!cap || num == 0 || num > cap->nframes)
		return TQ_ERANGE;
	struct colstate *cs = colstate();
	if (!cs)
		return TQ_ENOMEM;

	/* Info is written first, at the start of scratch; the other columns follow it */
	tq_sbuf_reset(scratch);
	struct tq_pkt pk;
	pkt_init(&pk, cap, num, 2, &cs->arena);
	pk.want_cols = 1;
	pk.info = scratch;
	tq_dissect_frame(&pk);
	tq_sbuf_putc(scratch, '\0');

	const struct tq_frame *fr = pk.fr, *first = &cap->frames[0];
	int64_t ds;
	int32_t dns;
	tq_reltime_delta(fr->sec, (int32_t)fr->nsec, first->sec, (int32_t)first->nsec, &ds, &dns);

	/* offsets into scratch; pointers are taken at the end, once it stops growing */
	size_t o_time = scratch->len;
	if (ds < 0 || dns < 0) {
		tq_sbuf_putc(scratch, '-');
		ds = ds < 0 ? -ds : ds;
		dns = dns < 0 ? -dns : dns;
	}
	{
		/* seconds, then the fraction at the file's resolution, zero-padded */
		tq_sbuf_put_u64(scratch, (uint64_t)ds);
		char frac[10];
		int digits = cap->nsec_file ? 9 : 6;
		uint32_t f = cap->nsec_file ? (uint32_t)dns : (uint32_t)dns / 1000;
		frac[0] = '.';
		for (int i = digits; i >= 1; i--) {
			frac[i] = (char)('0' + f % 10);
			f /= 10;
		}
		tq_sbuf_put(scratch, frac, (size_t)digits + 1);
	}
	tq_sbuf_putc(scratch, '\0');

	const struct tq_addr *src = pk.net_src.kind ? &pk.net_src : &pk.dl_src;
	const struct tq_addr *dst = pk.net_dst.kind ? &pk.net_dst : &pk.dl_dst;
	size_t o_src = scratch->len;
	addr_put(scratch, src);
	size_t o_dst = scratch->len;
	addr_put(scratch, dst);
	size_t o_proto = scratch->len;
	tq_sbuf_puts(scratch, pk.col_proto ? pk.col_proto : "");
	tq_arena_reset(&cs->arena);
	if (scratch->err)
		return scratch->err;

	cols->num = num;
	cols->time = scratch->s + o_time;
	cols->src = scratch->s + o_src;
	cols->dst = scratch->s + o_dst;
	cols->proto = scratch->s + o_proto;
	cols->info = scratch->s;
	cols->info_len = (uint32_t)strlen(cols->info);      /* up to a NUL a protocol may have put in it */
	cols->time_len = (uint32_t)(o_src - o_time - 1);
	cols->src_len = (uint32_t)(o_dst - o_src - 1);
	cols->dst_len = (uint32_t)(o_proto - o_dst - 1);
	cols->proto_len = (uint32_t)(scratch->len - o_proto);
	cols->len = fr->len;
	cols->addr_kind = src->kind == dst->kind ? src->kind : AT_NONE;
	return 0;
}

/* Pads as tshark's print_columns: number and time right-aligned (5, 10),
 * source right-aligned and destination left-aligned (12), an arrow between
 * them (tshark puts one between a source and a destination column, whatever
 * the addresses are). */
void
tq_columns_line(const struct tq_columns *c, struct tq_sbuf *out)
{
	static const char spaces[] = "            ";
	char num[12], len[12];
	int nk = 0, lk = 0;
	for (uint32_t v = c->num; nk == 0 || v; v /= 10)
		num[sizeof(num) - 1 - nk++] = (char)('0' + v % 10);
	for (uint32_t v = c->len; lk == 0 || v; v /= 10)
		len[sizeof(len) - 1 - lk++] = (char)('0' + v % 10);
	size_t pn = nk < 5 ? 5 - (size_t)nk : 0, pt = c->time_len < 10 ? 10 - c->time_len : 0;
	size_t ps = c->src_len < 12 ? 12 - c->src_len : 0, pd = c->dst_len < 12 ? 12 - c->dst_len : 0;
	size_t total = pn + (size_t)nk + 1 + pt + c->time_len + 1 + ps + c->src_len + 5 + c->dst_len + pd + 1 +
	    c->proto_len + 1 + (size_t)lk + 1 + c->info_len + 1;
	char *d = tq_sbuf_reserve(out, total);
	if (!d)
		return;
	char *p = d;
#define PUT(src, n) do { memcpy(p, (src), (n)); p += (n); } while (0)
	PUT(spaces, pn);
	PUT(num + sizeof(num) - nk, (size_t)nk);
	*p++ = ' ';
	PUT(spaces, pt);
	PUT(c->time, c->time_len);
	*p++ = ' ';
	PUT(spaces, ps);
	PUT(c->src, c->src_len);
	PUT(" \xe2\x86\x92 ", 5);
	PUT(c->dst, c->dst_len);
	PUT(spaces, pd);
	*p++ = ' ';
	PUT(c->proto, c->proto_len);
	*p++ = ' ';
	PUT(len + sizeof(len) - lk, (size_t)lk);
	*p++ = ' ';
	PUT(c->info, c->info_len);
	*p++ = '\n';
#undef PUT
	tq_sbuf_commit(out, (size_t)(p - d));
}
