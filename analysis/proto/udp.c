/* udp.c - UDP (RFC 768): ports, length, checksum, stream index and timestamps. */
#include "config.h"

#include <string.h>

#include "../internal.h"

static const struct tq_vals cksum_status_vals[] = {
	{ 0, "Bad" }, { 1, "Good" }, { 2, "Unverified" }, { 0, NULL },
};

static struct tq_field hf_udp = HF("udp", "User Datagram Protocol", FT_PROTOCOL, BASE_NONE, NULL, 0);
static struct tq_field hf_srcport = HF("udp.srcport", "Source Port", FT_UINT16, BASE_DEC, NULL, 0);
static struct tq_field hf_dstport = HF("udp.dstport", "Destination Port", FT_UINT16, BASE_DEC, NULL, 0);
static struct tq_field hf_port = HF("udp.port", "Source or Destination Port", FT_UINT16, BASE_DEC, NULL, 0);
static struct tq_field hf_length = HF("udp.length", "Length", FT_UINT16, BASE_DEC, NULL, 0);
static struct tq_field hf_checksum = HF("udp.checksum", "Checksum", FT_UINT16, BASE_HEX, NULL, 0);
static struct tq_field hf_checksum_status = HF("udp.checksum.status", "Checksum Status", FT_UINT8, BASE_NONE, cksum_status_vals, 0);
static struct tq_field hf_stream = HF("udp.stream", "Stream index", FT_UINT32, BASE_DEC, NULL, 0);
static struct tq_field hf_time_rel = HF("udp.time_relative", "Time since first frame", FT_RELTIME, BASE_NONE, NULL, 0);
static struct tq_field hf_time_delta = HF("udp.time_delta", "Time since previous frame", FT_RELTIME, BASE_NONE, NULL, 0);
static struct tq_field hf_payload = HF("udp.payload", "UDP payload", FT_BYTES, BASE_NONE, NULL, 0);
static struct tq_field hf_from_client = HF("tq.from_client", "Sent by the client", FT_BOOLEAN, BASE_NONE, NULL, 0);

/* LBL traceroute's ports: 32768 + 666, plus one per probe, three probes a
 * hop, for ten hops (the range Wireshark checks) */
#define TRACEROUTE_FIRST 33435
#define TRACEROUTE_LAST 33464
static struct tq_expert ei_traceroute = EI("udp.possible_traceroute", "Possible traceroute", PI_CHAT, PI_SEQUENCE);

static struct tq_field *const fields[] = {
	&ei_traceroute.f,
	&hf_udp, &hf_srcport, &hf_dstport, &hf_port, &hf_length, &hf_checksum, &hf_checksum_status,
	&hf_stream, &hf_time_rel, &hf_time_delta, &hf_payload, &hf_from_client,
};

static struct tq_dissector udp = { .name = "udp", .dissect = tq_dissect_udp };

void
tq_register_udp(void)
{
	TQ_REGISTER(fields);
	tq_dissector_add(TQ_TAB_IP_PROTO, 17, &udp);
}

struct udp_conv {
	int64_t first_s;
	int32_t first_ns;
	uint32_t prev_frame;         /* the stream's latest frame so far */
};

/* What pass 1 keeps per frame: its stream, and the stream's frame before it
 * (0 inside an ICMP error), whose time the time delta is counted from. */
struct udp_frame {
	struct tq_conv *conv;
	uint32_t prev_frame;
};

/* Pass 1: the datagram's conversation, created on first sight; inside an
 * ICMP error only its stream index is wanted (no timing). */
static struct udp_frame *
track(struct tq_pkt *pk, uint16_t sport, uint16_t dport, unsigned rank)
{
	struct tq_conv *c = tq_conv_find(pk->cap, CONV_UDP, &pk->src, &pk->dst, sport, dport, 0, 1);
	struct udp_frame *uf = tq_arena_alloc(&pk->cap->state, sizeof(*uf));
	if (!c || !uf)
		return NULL;
	int64_t ts = pk->fr->sec;
	int32_t tns = (int32_t)pk->fr->nsec;
	struct udp_conv *uc = c->data;
	if (!uc) {
		uc = tq_arena_alloc(&pk->cap->state, sizeof(*uc));
		if (!uc)
			return NULL;
		c->data = uc;
		c->index = pk->cap->udp_streams++;
		uc->first_s = ts;
		uc->first_ns = tns;
		uc->prev_frame = pk->num;
	}
	uf->conv = c;
	if (!pk->in_error) {
		uf->prev_frame = uc->prev_frame;
		uc->prev_frame = pk->num;
	}
	/* the first UDP header of a frame (all but odd tunnels have one) keeps its
	 * data in the frame; later ones in the per-packet table, by their rank */
	if (rank == 0)
		pk->fr->udp = uf;
	else
		tq_pdata_put(pk->cap, pk->num, PD_UDP + 0x100 * rank, uf);
	return uf;
}

static void
traceroute(struct tq_pkt *pk, struct tq_node *port_item, uint16_t port)
{
	if (port < TRACEROUTE_FIRST || port > TRACEROUTE_LAST)
		return;
	unsigned n = port - TRACEROUTE_FIRST;
	tq_expert(pk, port_item, &ei_traceroute, "Possible traceroute: hop #%u, attempt #%u", n / 3 + 1, n % 3 + 1);
}

/*
 * Hands the payload on as Wireshark's decode_udp_ports does: the lower
 * port's dissector, then the higher port's (a dissector may refuse bytes
 * that are not its own), then the heuristics, then data.
 */
static void
payload(struct tq_pkt *pk, uint16_t sport, uint16_t dport, struct tq_slice *pl)
{
	uint16_t lo = sport < dport ? sport : dport, hi = sport < dport ? dport : sport;
	const struct tq_dissector *d;
	pk->sport = sport;
	pk->dport = dport;
	if (lo && (d = tq_dissector_find(pk->cap, TQ_TAB_UDP_PORT, lo)) && d->dissect(pk, pl))
		return;
	if (hi != lo && (d = tq_dissector_find(pk->cap, TQ_TAB_UDP_PORT, hi)) && d->dissect(pk, pl))
		return;
	if ((d = tq_heur_find(TQ_TAB_UDP_PORT, pk, pl->p, pl->len)) && d->dissect(pk, pl))
		return;
	tq_dissect_data(pk, pl);
}

int
tq_dissect_udp(struct tq_pkt *pk, struct tq_slice *s)
{
	tq_col_proto(pk, "UDP");
	/* the header may be cut by the capture, or really too short */
	if (s->len < 8) {
		struct tq_node *t = tq_add_proto(pk, tq_root(pk), &hf_udp, s, 0, s->len);
		if (s->len >= 4) {
			uint16_t sp = tq_peek_be16(s->p, s->len, 0), dp = tq_peek_be16(s->p, s->len, 2);
			tq_append(pk, t, ", Src Port: %u, Dst Port: %u", sp, dp);
			tq_add(pk, t, &hf_srcport, s, 0, 2);
			tq_add(pk, t, &hf_dstport, s, 2, 2);
			TQ_HIDDEN(pk, tq_add(pk, t, &hf_port, s, 0, 2));
			TQ_HIDDEN(pk, tq_add(pk, t, &hf_port, s, 2, 2));
			if (s->len >= 6) {
				uint16_t ul = tq_peek_be16(s->p, s->len, 4);
				tq_add(pk, t, &hf_length, s, 4, 2);
				tq_col_info_set(pk, "%u \xe2\x86\x92 %u Len=%u", sp, dp, ul >= 8 ? ul - 8u : 0);
			}
		}
		if (s->rlen >= 8)
			tq_truncated(pk, "UDP");
		else
			tq_malformed(pk, "UDP");
		return (int)s->len;
	}
	uint16_t sport = tq_peek_be16(s->p, s->len, 0), dport = tq_peek_be16(s->p, s->len, 2);
	uint16_t ulen = tq_peek_be16(s->p, s->len, 4);
	uint32_t plen = ulen >= 8 ? ulen - 8u : 0;
	if (8 + plen > s->rlen)
		plen = s->rlen - 8;

	tq_col_info_set(pk, "%u \xe2\x86\x92 %u Len=%u", sport, dport, plen);

	struct udp_frame *uf = NULL;
	if (pk->src.kind) {
		unsigned rank = pk->udp_seen++;
		if (pk->pass == 1) {
			/* the payload's protocol keeps state too (DNS links queries and answers) */
			track(pk, sport, dport, rank);
			uint32_t avail = s->len - 8 < plen ? s->len - 8 : plen;
			if (avail && !pk->in_error) {
				struct tq_slice pl = tq_sub(s, 8, avail);
				pl.rlen = plen;          /* its length on the wire (see below) */
				payload(pk, sport, dport, &pl);
			}
			return (int)s->len;
		}
		uf = rank == 0 ? pk->fr->udp : tq_pdata_get(pk->cap, pk->num, PD_UDP + 0x100 * rank);
	}

	struct tq_node *t = tq_add_proto(pk, tq_root(pk), &hf_udp, s, 0, 8);
	tq_append(pk, t, ", Src Port: %u, Dst Port: %u", sport, dport);
	struct tq_node *sn = tq_add(pk, t, &hf_srcport, s, 0, 2);
	struct tq_node *dn = tq_add(pk, t, &hf_dstport, s, 2, 2);
	traceroute(pk, sn, sport);
	traceroute(pk, dn, dport);
	TQ_HIDDEN(pk, tq_add(pk, t, &hf_port, s, 0, 2));
	TQ_HIDDEN(pk, tq_add(pk, t, &hf_port, s, 2, 2));
	tq_add(pk, t, &hf_length, s, 4, 2);
	tq_append(pk, tq_add(pk, t, &hf_checksum, s, 6, 2), " [unverified]");
	tq_gen(tq_add_u(pk, t, &hf_checksum_status, s, 6, 0, 2));
	if (uf && uf->conv) {
		const struct tq_conv *c = uf->conv;
		const struct udp_conv *uc = c->data;
		tq_add_gen(pk, t, &hf_stream, s, 8, c->index);
		if (!pk->in_error) {
			struct tq_node *ts = tq_gen(tq_add_text(pk, t, s, 0, 0, "Timestamps"));
			int64_t rs;
			int32_t rns;
			tq_reltime_delta(pk->fr->sec, (int32_t)pk->fr->nsec, uc->first_s, uc->first_ns, &rs, &rns);
			tq_gen(tq_add_time(pk, ts, &hf_time_rel, s, 0, 0, rs, rns));
			int64_t ds = 0;
			int32_t dns = 0;
			if (uf->prev_frame) {
				const struct tq_frame *pf = &pk->cap->frames[uf->prev_frame - 1];
				tq_reltime_delta(pk->fr->sec, (int32_t)pk->fr->nsec, pf->sec, (int32_t)pf->nsec, &ds, &dns);
			}
			tq_gen(tq_add_time(pk, ts, &hf_time_delta, s, 0, 0, ds, dns));
			TQ_HIDDEN(pk, tq_add_gen(pk, t, &hf_from_client, s, 0, tq_conv_from_a(c, &pk->src, sport)));
		}
	}
	uint32_t avail = s->len - 8 < plen ? s->len - 8 : plen;
	if (avail) {
		struct tq_node *p = tq_add(pk, t, &hf_payload, s, 8, avail);
		tq_set_label(pk, p, "UDP payload (%u byte%s)", avail, avail == 1 ? "" : "s");
		struct tq_slice pl = tq_sub(s, 8, avail);
		pl.rlen = plen;                  /* its length on the wire: a read past the snapshot length is not malformed */
		/* the payload goes to the top of the tree, even inside an ICMP error, as in Wireshark */
		struct tq_node *saved = pk->parent;
		pk->parent = NULL;
		payload(pk, sport, dport, &pl);
		pk->parent = saved;
	}
	return (int)(8 + plen);
}
