/* null.c - BSD loopback (DLT_NULL, DLT_LOOP) and raw IP (DLT_RAW, DLT_IPV4, DLT_IPV6) link layers; see pcap-linktype(7). */
#include "config.h"

#include <pcap/pcap.h>

#include "../internal.h"

/* Address families as BSDs number them; IPv6 differs between systems. */
static const struct tq_vals family_vals[] = {
	{ 2, "IP" }, { 7, "OSI" }, { 16, "Appletalk" }, { 23, "Netware IPX/SPX" },
	{ 24, "IPv6" }, { 28, "IPv6" }, { 30, "IPv6" }, { 0, NULL },
};

static struct tq_field hf_null = HF("null", "Null/Loopback", FT_PROTOCOL, BASE_NONE, NULL, 0);
static struct tq_field hf_family = HF("null.family", "Family", FT_UINT32, BASE_DEC, family_vals, 0);
static struct tq_field hf_raw = HF("raw", "Raw packet data", FT_PROTOCOL, BASE_NONE, NULL, 0);

static struct tq_field *const fields[] = { &hf_null, &hf_family, &hf_raw };

void
tq_register_null(void)
{
	TQ_REGISTER(fields);
}

static int
dissect_by_version(struct tq_pkt *pk, struct tq_slice *s)
{
	uint8_t v = s->len ? s->p[0] >> 4 : 0;
	if (v == 4)
		return tq_dissect_ipv4(pk, s);
	if (v == 6)
		return tq_dissect_ipv6(pk, s);
	return tq_dissect_data(pk, s);
}

/*
 * DLT_NULL's family is in the byte order of the host that captured (a value
 * with its high half set was written by the other byte order); DLT_LOOP's
 * is in network order.  Wireshark 4.0 shows both as "Null/Loopback".
 */
int
tq_dissect_null(struct tq_pkt *pk, struct tq_slice *s)
{
	int loop = pk->cap->linktype == DLT_LOOP;
	/* packet-null.c looks for a PPP header in the first 2 bytes, then sets
	 * placeholders for the layer above to overwrite, then reads the family */
	uint32_t need = 2;
	if (s->len >= 2) {
		tq_col_proto(pk, "N/A");
		tq_col_info_set(pk, "Null/Loopback");
		tq_addr_set(&pk->dl_src, AT_NA, NULL);
		tq_addr_set(&pk->dl_dst, AT_NA, NULL);
		need = 4;
	}
	if (s->len < 4) {
		tq_layer(pk, "null");
		if (s->rlen >= need)
			tq_truncated(pk, "Null");
		else
			tq_malformed(pk, "Null");
		return (int)s->len;
	}
	struct tq_node *t = tq_add_proto(pk, tq_root(pk), &hf_null, s, 0, 4);
	uint32_t be = tq_peek_be32(s->p, s->len, 0);
	uint32_t fam = be;
	if (!loop && (be & 0xffff0000u))
		fam = __builtin_bswap32(be);
	tq_add_u(pk, t, &hf_family, s, 0, 4, fam);
	struct tq_slice pl = tq_sub_rest(s, 4);
	if (fam == 2)
		tq_dissect_ipv4(pk, &pl);
	else if (fam == 24 || fam == 28 || fam == 30)
		tq_dissect_ipv6(pk, &pl);
	else
		tq_dissect_data(pk, &pl);
	return (int)s->len;
}

/* LINKTYPE_RAW has a "Raw packet data" item; LINKTYPE_IPV4 and _IPV6 go straight to IP. */
int
tq_dissect_raw(struct tq_pkt *pk, struct tq_slice *s)
{
	int lt = pk->cap->linktype;
	if (lt == 228)
		return tq_dissect_ipv4(pk, s);
	if (lt == 229)
		return tq_dissect_ipv6(pk, s);
	tq_col_proto(pk, "Raw");
	tq_add_proto(pk, tq_root(pk), &hf_raw, s, 0, s->len);
	dissect_by_version(pk, s);
	return (int)s->len;
}
