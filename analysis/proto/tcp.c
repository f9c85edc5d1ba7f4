/*
 * tcp.c - TCP (RFC 9293): header, flags, options (RFC 7323, RFC 2018, RFC 2883),
 * stream indexes and Wireshark's SEQ/ACK analysis.
 *
 * Pass 1 runs the sequence analysis frame by frame and keeps its result in a
 * small record per frame (struct tq_tcp_frame) and per conversation; pass 2
 * shows them.  Relative sequence numbers use each direction's final base.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "../internal.h"

#define TH_FIN 0x001
#define TH_SYN 0x002
#define TH_RST 0x004
#define TH_PUSH 0x008
#define TH_ACK 0x010
#define TH_URG 0x020
#define TH_ECE 0x040
#define TH_CWR 0x080
#define TH_AE 0x100

/* analysis flags, as Wireshark's TCP_A_* */
#define TA_RETRANSMISSION        0x0001
#define TA_LOST_PACKET           0x0002
#define TA_ACK_LOST_PACKET       0x0004
#define TA_KEEP_ALIVE            0x0008
#define TA_DUPLICATE_ACK         0x0010
#define TA_ZERO_WINDOW           0x0020
#define TA_ZERO_WINDOW_PROBE     0x0040
#define TA_ZERO_WINDOW_PROBE_ACK 0x0080
#define TA_KEEP_ALIVE_ACK        0x0100
#define TA_OUT_OF_ORDER          0x0200
#define TA_FAST_RETRANSMISSION   0x0400
#define TA_WINDOW_UPDATE         0x0800
#define TA_WINDOW_FULL           0x1000
#define TA_REUSED_PORTS          0x2000
#define TA_SPURIOUS_RETRANSMISSION 0x4000

#define COMPL_SYN    0x01
#define COMPL_SYNACK 0x02
#define COMPL_ACK    0x04
#define COMPL_DATA   0x08
#define COMPL_FIN    0x10
#define COMPL_RST    0x20

#define MAX_UNACKED 10000

/* Sequence-space comparisons, modulo 2^32. */
#define LT_SEQ(x, y) ((int32_t)((x) - (y)) < 0)
#define GT_SEQ(x, y) ((int32_t)((y) - (x)) < 0)
#define LE_SEQ(x, y) ((int32_t)((x) - (y)) <= 0)
#define EQ_SEQ(x, y) ((x) == (y))

struct unacked {
	struct unacked *next;
	uint32_t frame, seq, nextseq;
	int64_t s;
	int32_t ns;
};

/* A SYN+ACK that moved its direction's base sequence number (see base_at). */
struct base_ev {
	struct base_ev *next;
	uint32_t frame, seq;
};

/* One direction of a connection. */
struct flow {
	uint32_t base_seq;
	int base_set;
	uint32_t synack_frame, synack_seq;   /* its first SYN+ACK */
	struct base_ev *base_evs;    /* later SYN+ACKs with another number, newest first */
	int win_scale;               /* -1 unknown, -2 no scaling, else the shift */
	uint32_t window;
	uint32_t nextseq, nextseqframe;
	int64_t nextseq_s;
	int32_t nextseq_ns;
	uint32_t maxseqtobeacked;
	uint32_t lastack;
	int64_t lastack_s;
	int32_t lastack_ns;
	uint32_t lastnondupack, dupacknum;
	uint32_t lastsegmentflags;
	int valid_bif;
	uint32_t push_bytes_sent;
	int push_set_last;
	struct unacked *segments;
	uint32_t segment_count;
	uint32_t sack_bytes;         /* bytes covered by the SACK blocks of its last segment */
	int closing_initiator;       /* sent its FIN before the other side did */
	int saw_fin;
	struct msp *msps;            /* PDUs spread over several segments, highest seq first */
};

/*
 * A PDU spread over several segments (Wireshark's tcp_multisegment_pdu with
 * its fragment table entry): from seq up to nxtpdu in one direction.
 */
struct msp {
	struct msp *next;
	uint32_t seq, nxtpdu;
	uint32_t first_frame, last_frame;
	uint32_t reassembled_in;     /* the frame that completed it, 0 while incomplete */
	uint32_t datalen;            /* its length once the last fragment is known */
	uint8_t entire;              /* the length is unknown: take the whole next segment */
	uint8_t have_last;
	uint8_t partial;             /* was rebuilt once, then found too short */
	uint32_t nfrags;
	struct tq_fragment *frags;   /* by offset */
};

/* A protocol's own state on one connection (SMTP, then TLS after STARTTLS; HTTP, then HTTP/2). */
struct app_slot {
	uint8_t id;                  /* the dissector's id, 0 when free */
	void *state;                 /* in pass 1 from the capture's arena */
};

struct tcp_conv {
	struct tq_conv *owner;       /* the conversation this is the state of */
	struct flow flow[2];         /* [0] from the conversation's side a */
	uint16_t server_port;        /* the port the first SYN went to, 0 if unseen */
	uint8_t switch_to;           /* after STARTTLS (or TLS found by its look on another
	                                port), the stream is this dissector's ... */
	uint8_t switch_smtp;         /* ... carrying SMTP (STARTTLS) */
	uint32_t switch_from;        /* ... from this frame on */
	struct app_slot app[3];
	struct unacked *spare;       /* acknowledged segment records, for reuse */
	uint8_t completeness;
	uint8_t first_is_synack;
	int client;                  /* index of the side that opened it, -1 unknown */
	int64_t first_s, mru_syn_s, irtt_s;
	int32_t first_ns, mru_syn_ns, irtt_ns;
	int have_syn, have_irtt;
	uint32_t first_frame;
	uint32_t prev_frame;         /* the stream's latest frame so far */
};

/* Analysis details only a few frames have, kept apart to keep the per-frame record small. */
struct tcp_rare {
	uint32_t dupack_num, dupack_frame;
	uint32_t rto_frame;
	int64_t rto;                 /* nanoseconds */
};

/*
 * What pass 1 found about one TCP frame; the times it shows come from the
 * frames it names (the ACK's RTT from the segment it acknowledges, the time
 * since the stream's previous frame from that frame), 40 bytes a frame.
 */
struct tq_tcp_frame {
	struct tcp_conv *conv;
	struct tcp_rare *rare;
	uint32_t acked_frame;
	uint32_t prev_frame;
	uint32_t bytes_in_flight, push_bytes_sent;
	uint16_t flags;
	uint8_t dir;
	uint8_t has_ta;
	uint8_t fin_active;
};

/* s1.ns1 - s0.ns0 in nanoseconds, held at +-INT64_MAX when a hostile capture's
 * times are centuries apart (about 292 years fit). */
static int64_t
ns_between(int64_t s1, int32_t ns1, int64_t s0, int32_t ns0)
{
	int64_t ds, ns;
	if (__builtin_sub_overflow(s1, s0, &ds) || __builtin_mul_overflow(ds, 1000000000LL, &ns) ||
	    __builtin_add_overflow(ns, (int64_t)ns1 - ns0, &ns))
		return s1 > s0 ? INT64_MAX : -INT64_MAX;
	return ns;
}

/* From frame a's time to this frame's, in nanoseconds; 0 when a is 0 (none). */
static int64_t
ns_since(const struct tq_pkt *pk, uint32_t a)
{
	if (a == 0)
		return 0;
	const struct tq_frame *f0 = &pk->cap->frames[a - 1];
	return ns_between(pk->fr->sec, (int32_t)pk->fr->nsec, f0->sec, (int32_t)f0->nsec);
}

static struct tcp_rare *
rare(struct tq_pkt *pk, struct tq_tcp_frame *tf)
{
	if (!tf->rare)
		tf->rare = tq_arena_alloc(&pk->cap->state, sizeof(*tf->rare));
	return tf->rare;
}

static struct tq_node *
add_ns(struct tq_pkt *pk, struct tq_node *parent, const struct tq_field *f, const struct tq_slice *s, int64_t ns)
{
	return tq_gen(tq_add_time(pk, parent, f, s, 0, 0, ns / 1000000000LL, (int32_t)(ns % 1000000000LL)));
}

/* ------------------------------------------------------------------ fields */

static struct tq_field hf_tcp = HF("tcp", "Transmission Control Protocol", FT_PROTOCOL, BASE_NONE, NULL, 0);
static struct tq_field hf_srcport = HF("tcp.srcport", "Source Port", FT_UINT16, BASE_DEC, NULL, 0);
static struct tq_field hf_dstport = HF("tcp.dstport", "Destination Port", FT_UINT16, BASE_DEC, NULL, 0);
static struct tq_field hf_port = HF("tcp.port", "Source or Destination Port", FT_UINT16, BASE_DEC, NULL, 0);
static struct tq_field hf_stream = HF("tcp.stream", "Stream index", FT_UINT32, BASE_DEC, NULL, 0);
static struct tq_field hf_completeness = HF("tcp.completeness", "Conversation completeness", FT_UINT8, BASE_DEC, NULL, 0);
static struct tq_field hf_len = HF("tcp.len", "TCP Segment Len", FT_UINT32, BASE_DEC, NULL, 0);
static struct tq_field hf_seq = HF("tcp.seq", "Sequence Number", FT_UINT32, BASE_DEC, NULL, 0);
static struct tq_field hf_seq_raw = HF("tcp.seq_raw", "Sequence Number (raw)", FT_UINT32, BASE_DEC, NULL, 0);
static struct tq_field hf_nxtseq = HF("tcp.nxtseq", "Next Sequence Number", FT_UINT32, BASE_DEC, NULL, 0);
static struct tq_field hf_ack = HF("tcp.ack", "Acknowledgment Number", FT_UINT32, BASE_DEC, NULL, 0);
static struct tq_field hf_ack_raw = HF("tcp.ack_raw", "Acknowledgment number (raw)", FT_UINT32, BASE_DEC, NULL, 0);
static struct tq_field hf_hdr_len = HF("tcp.hdr_len", "Header Length", FT_UINT8, BASE_DEC, NULL, 0xf0);
static struct tq_field hf_flags = HF("tcp.flags", "Flags", FT_UINT16, BASE_HEX, NULL, 0x0fff);
static struct tq_field hf_flags_res = HF("tcp.flags.res", "Reserved", FT_BOOLEAN, 12, &tq_tfs_set_notset, 0x0e00);
static struct tq_field hf_flags_ae = HF("tcp.flags.ae", "Accurate ECN", FT_BOOLEAN, 12, &tq_tfs_set_notset, 0x0100);
static struct tq_field hf_flags_cwr = HF("tcp.flags.cwr", "Congestion Window Reduced", FT_BOOLEAN, 12, &tq_tfs_set_notset, 0x0080);
static struct tq_field hf_flags_ece = HF("tcp.flags.ece", "ECN-Echo", FT_BOOLEAN, 12, &tq_tfs_set_notset, 0x0040);
static struct tq_field hf_flags_urg = HF("tcp.flags.urg", "Urgent", FT_BOOLEAN, 12, &tq_tfs_set_notset, 0x0020);
static struct tq_field hf_flags_ack = HF("tcp.flags.ack", "Acknowledgment", FT_BOOLEAN, 12, &tq_tfs_set_notset, 0x0010);
static struct tq_field hf_flags_push = HF("tcp.flags.push", "Push", FT_BOOLEAN, 12, &tq_tfs_set_notset, 0x0008);
static struct tq_field hf_flags_reset = HF("tcp.flags.reset", "Reset", FT_BOOLEAN, 12, &tq_tfs_set_notset, 0x0004);
static struct tq_field hf_flags_syn = HF("tcp.flags.syn", "Syn", FT_BOOLEAN, 12, &tq_tfs_set_notset, 0x0002);
static struct tq_field hf_flags_fin = HF("tcp.flags.fin", "Fin", FT_BOOLEAN, 12, &tq_tfs_set_notset, 0x0001);
static struct tq_field hf_flags_str = HF("tcp.flags.str", "TCP Flags", FT_STRING, BASE_NONE, NULL, 0);
static struct tq_field hf_window = HF("tcp.window_size_value", "Window", FT_UINT16, BASE_DEC, NULL, 0);
static struct tq_field hf_window_calc = HF("tcp.window_size", "Calculated window size", FT_UINT32, BASE_DEC, NULL, 0);
static struct tq_field hf_window_scale = HF("tcp.window_size_scalefactor", "Window size scaling factor", FT_INT32, BASE_DEC, NULL, 0);
static struct tq_field hf_checksum = HF("tcp.checksum", "Checksum", FT_UINT16, BASE_HEX, NULL, 0);
static const struct tq_vals cksum_status_vals[] = { { 0, "Bad" }, { 1, "Good" }, { 2, "Unverified" }, { 0, NULL } };
static struct tq_field hf_checksum_status = HF("tcp.checksum.status", "Checksum Status", FT_UINT8, BASE_NONE, cksum_status_vals, 0);
static struct tq_field hf_urgent = HF("tcp.urgent_pointer", "Urgent Pointer", FT_UINT16, BASE_DEC, NULL, 0);
static struct tq_field hf_options = HF("tcp.options", "Options", FT_BYTES, BASE_NONE, NULL, 0);
static struct tq_field hf_payload = HF("tcp.payload", "TCP payload", FT_BYTES, BASE_NONE, NULL, 0);
static struct tq_field hf_segment_data = HF("tcp.segment_data", "TCP segment data", FT_BYTES, BASE_NONE, NULL, 0);
static struct tq_field hf_time_rel = HF("tcp.time_relative", "Time since first frame in this TCP stream", FT_RELTIME, BASE_NONE, NULL, 0);
static struct tq_field hf_time_delta = HF("tcp.time_delta", "Time since previous frame in this TCP stream", FT_RELTIME, BASE_NONE, NULL, 0);
static struct tq_field hf_reassembled_in = HF("tcp.reassembled_in", "Reassembled PDU in frame", FT_FRAMENUM, BASE_NONE, NULL, 0);
static struct tq_field hf_segments = HF("tcp.segments", "Reassembled TCP Segments", FT_NONE, BASE_NONE, NULL, 0);
static struct tq_field hf_segment = HF("tcp.segment", "TCP Segment", FT_FRAMENUM, BASE_NONE, NULL, 0);
static struct tq_field hf_segment_count = HF("tcp.segment.count", "Segment count", FT_UINT32, BASE_DEC, NULL, 0);
static struct tq_field hf_reassembled_len = HF("tcp.reassembled.length", "Reassembled TCP length", FT_UINT32, BASE_DEC, NULL, 0);
static struct tq_field hf_reassembled_data = HF("tcp.reassembled.data", "Reassembled TCP Data", FT_BYTES, BASE_NONE, NULL, 0);
static struct tq_field hf_from_client = HF("tq.from_client", "Sent by the client", FT_BOOLEAN, BASE_NONE, NULL, 0);

static const struct tq_vals kind_vals[] = {
	{ 0, "End of Option List" }, { 1, "No-Operation" }, { 2, "Maximum Segment Size" },
	{ 3, "Window Scale" }, { 4, "SACK Permitted" }, { 5, "SACK" }, { 8, "Time Stamp Option" },
	{ 19, "MD5 signature" }, { 28, "User Timeout" }, { 29, "TCP Authentication Option" },
	{ 30, "Multipath TCP" }, { 34, "TCP Fast Open Cookie" }, { 253, "RFC3692-style Experiment 1" },
	{ 254, "RFC3692-style Experiment 2" }, { 0, NULL },
};

static struct tq_field hf_opt_kind = HF("tcp.option_kind", "Kind", FT_UINT8, BASE_DEC, kind_vals, 0);
static struct tq_field hf_opt_len = HF("tcp.option_len", "Length", FT_UINT8, BASE_DEC, NULL, 0);
static struct tq_field hf_opt_eol = HF("tcp.options.eol", "TCP Option - End of Option List (EOL)", FT_BYTES, BASE_NONE, NULL, 0);
static struct tq_field hf_opt_nop = HF("tcp.options.nop", "TCP Option - No-Operation (NOP)", FT_BYTES, BASE_NONE, NULL, 0);
static struct tq_field hf_opt_mss = HF("tcp.options.mss", "TCP Option - Maximum segment size", FT_BYTES, BASE_NONE, NULL, 0);
static struct tq_field hf_opt_mss_val = HF("tcp.options.mss_val", "MSS Value", FT_UINT16, BASE_DEC, NULL, 0);
static struct tq_field hf_opt_wscale = HF("tcp.options.wscale", "TCP Option - Window scale", FT_BYTES, BASE_NONE, NULL, 0);
static struct tq_field hf_opt_wscale_shift = HF("tcp.options.wscale.shift", "Shift count", FT_UINT8, BASE_DEC, NULL, 0);
static struct tq_field hf_opt_wscale_mult = HF("tcp.options.wscale.multiplier", "Multiplier", FT_UINT16, BASE_DEC, NULL, 0);
static struct tq_field hf_opt_sack_perm = HF("tcp.options.sack_perm", "TCP Option - SACK permitted", FT_BYTES, BASE_NONE, NULL, 0);
static struct tq_field hf_opt_sack = HF("tcp.options.sack", "TCP Option - SACK", FT_BYTES, BASE_NONE, NULL, 0);
static struct tq_field hf_opt_sack_le = HF("tcp.options.sack_le", "TCP SACK Left Edge", FT_UINT32, BASE_DEC, NULL, 0);
static struct tq_field hf_opt_sack_re = HF("tcp.options.sack_re", "TCP SACK Right Edge", FT_UINT32, BASE_DEC, NULL, 0);
static struct tq_field hf_opt_sack_count = HF("tcp.options.sack.count", "TCP SACK Count", FT_UINT8, BASE_DEC, NULL, 0);
static struct tq_field hf_opt_dsack_le = HF("tcp.options.sack.dsack_le", "TCP D-SACK Left Edge", FT_UINT32, BASE_DEC, NULL, 0);
static struct tq_field hf_opt_dsack_re = HF("tcp.options.sack.dsack_re", "TCP D-SACK Right Edge", FT_UINT32, BASE_DEC, NULL, 0);
static struct tq_field hf_opt_ts = HF("tcp.options.timestamp", "TCP Option - Timestamps", FT_BYTES, BASE_NONE, NULL, 0);
static struct tq_field hf_opt_tsval = HF("tcp.options.timestamp.tsval", "Timestamp value", FT_UINT32, BASE_DEC, NULL, 0);
static struct tq_field hf_opt_tsecr = HF("tcp.options.timestamp.tsecr", "Timestamp echo reply", FT_UINT32, BASE_DEC, NULL, 0);
static struct tq_field hf_opt_unknown = HF("tcp.options.unknown", "TCP Option - Unknown", FT_BYTES, BASE_NONE, NULL, 0);
static struct tq_field hf_opt_unknown_payload = HF("tcp.options.unknown.payload", "Payload", FT_BYTES, BASE_NONE, NULL, 0);

static struct tq_field hf_analysis = HF("tcp.analysis", "SEQ/ACK analysis", FT_NONE, BASE_NONE, NULL, 0);
static struct tq_field hf_an_flags = HF("tcp.analysis.flags", "TCP Analysis Flags", FT_NONE, BASE_NONE, NULL, 0);
static struct tq_field hf_an_acks_frame = HF("tcp.analysis.acks_frame", "This is an ACK to the segment in frame", FT_FRAMENUM, BASE_NONE, NULL, 0);
static struct tq_field hf_an_ack_rtt = HF("tcp.analysis.ack_rtt", "The RTT to ACK the segment was", FT_RELTIME, BASE_NONE, NULL, 0);
static struct tq_field hf_an_irtt = HF("tcp.analysis.initial_rtt", "iRTT", FT_RELTIME, BASE_NONE, NULL, 0);
static struct tq_field hf_an_bif = HF("tcp.analysis.bytes_in_flight", "Bytes in flight", FT_UINT32, BASE_DEC, NULL, 0);
static struct tq_field hf_an_push = HF("tcp.analysis.push_bytes_sent", "Bytes sent since last PSH flag", FT_UINT32, BASE_DEC, NULL, 0);
static struct tq_field hf_an_rto = HF("tcp.analysis.rto", "The RTO for this segment was", FT_RELTIME, BASE_NONE, NULL, 0);
static struct tq_field hf_an_rto_frame = HF("tcp.analysis.rto_frame", "RTO based on delta from frame", FT_FRAMENUM, BASE_NONE, NULL, 0);
static struct tq_field hf_an_dupack_num = HF("tcp.analysis.duplicate_ack_num", "Duplicate ACK #", FT_UINT32, BASE_DEC, NULL, 0);
static struct tq_field hf_an_dupack_frame = HF("tcp.analysis.duplicate_ack_frame", "Duplicate to the ACK in frame", FT_FRAMENUM, BASE_NONE, NULL, 0);
/* tcp_dissect_pdus's item for each PDU a protocol above finds in a segment */
static struct tq_field hf_pdu_size = HF("tcp.pdu.size", "PDU Size", FT_UINT32, BASE_DEC, NULL, 0);

static struct tq_expert ei_syn = EI("tcp.connection.syn", "Connection establish request (SYN)", PI_CHAT, PI_SEQUENCE);
static struct tq_expert ei_synack = EI("tcp.connection.synack", "Connection establish acknowledge (SYN+ACK)", PI_CHAT, PI_SEQUENCE);
static struct tq_expert ei_fin = EI("tcp.connection.fin", "Connection finish (FIN)", PI_CHAT, PI_SEQUENCE);
static struct tq_expert ei_fin_active = EI("tcp.connection.fin_active", "This frame initiates the connection closing", PI_NOTE, PI_SEQUENCE);
static struct tq_expert ei_fin_passive = EI("tcp.connection.fin_passive", "This frame undergoes the connection closing", PI_NOTE, PI_SEQUENCE);
static struct tq_expert ei_rst = EI("tcp.connection.rst", "Connection reset (RST)", PI_WARN, PI_SEQUENCE);
static struct tq_expert ei_dsack = EI("tcp.options.sack.dsack", "D-SACK Sequence", PI_WARN, PI_SEQUENCE);
static struct tq_expert ei_retrans = EI("tcp.analysis.retransmission", "This frame is a (suspected) retransmission", PI_NOTE, PI_SEQUENCE);
static struct tq_expert ei_fast_retrans = EI("tcp.analysis.fast_retransmission", "This frame is a (suspected) fast retransmission", PI_NOTE, PI_SEQUENCE);
static struct tq_expert ei_spurious = EI("tcp.analysis.spurious_retransmission", "This frame is a (suspected) spurious retransmission", PI_NOTE, PI_SEQUENCE);
static struct tq_expert ei_ooo = EI("tcp.analysis.out_of_order", "This frame is a (suspected) out-of-order segment", PI_WARN, PI_SEQUENCE);
static struct tq_expert ei_lost = EI("tcp.analysis.lost_segment", "Previous segment(s) not captured (common at capture start)", PI_WARN, PI_SEQUENCE);
static struct tq_expert ei_ack_lost = EI("tcp.analysis.ack_lost_segment", "ACKed segment that wasn't captured (common at capture start)", PI_WARN, PI_SEQUENCE);
static struct tq_expert ei_win_update = EI("tcp.analysis.window_update", "TCP window update", PI_CHAT, PI_SEQUENCE);
static struct tq_expert ei_win_full = EI("tcp.analysis.window_full", "TCP window specified by the receiver is now completely full", PI_WARN, PI_SEQUENCE);
static struct tq_expert ei_keepalive = EI("tcp.analysis.keep_alive", "TCP keep-alive segment", PI_NOTE, PI_SEQUENCE);
static struct tq_expert ei_keepalive_ack = EI("tcp.analysis.keep_alive_ack", "ACK to a TCP keep-alive segment", PI_NOTE, PI_SEQUENCE);
static struct tq_expert ei_dupack = EI("tcp.analysis.duplicate_ack", "Duplicate ACK", PI_NOTE, PI_SEQUENCE);
static struct tq_expert ei_zero_win = EI("tcp.analysis.zero_window", "TCP Zero Window segment", PI_WARN, PI_SEQUENCE);
static struct tq_expert ei_zwp = EI("tcp.analysis.zero_window_probe", "TCP Zero Window Probe", PI_NOTE, PI_SEQUENCE);
static struct tq_expert ei_reused = EI("tcp.analysis.reused_ports", "A new tcp session is started with the same ports as an earlier session in this trace", PI_NOTE, PI_SEQUENCE);
static struct tq_expert ei_zwp_ack = EI("tcp.analysis.zero_window_probe_ack", "ACK to a TCP Zero Window Probe", PI_NOTE, PI_SEQUENCE);

static struct tq_field *const fields[] = {
	&hf_pdu_size, &hf_tcp, &hf_srcport, &hf_dstport, &hf_port, &hf_stream, &hf_completeness, &hf_len, &hf_seq,
	&hf_seq_raw, &hf_nxtseq, &hf_ack, &hf_ack_raw, &hf_hdr_len, &hf_flags, &hf_flags_res, &hf_flags_ae,
	&hf_flags_cwr, &hf_flags_ece, &hf_flags_urg, &hf_flags_ack, &hf_flags_push, &hf_flags_reset,
	&hf_flags_syn, &hf_flags_fin, &hf_flags_str, &hf_window, &hf_window_calc, &hf_window_scale,
	&hf_checksum, &hf_checksum_status, &hf_urgent, &hf_options, &hf_payload, &hf_segment_data,
	&hf_time_rel, &hf_time_delta, &hf_from_client, &hf_reassembled_in, &hf_segments, &hf_segment,
	&hf_segment_count, &hf_reassembled_len, &hf_reassembled_data,
	&hf_opt_kind, &hf_opt_len, &hf_opt_eol, &hf_opt_nop, &hf_opt_mss, &hf_opt_mss_val, &hf_opt_wscale,
	&hf_opt_wscale_shift, &hf_opt_wscale_mult, &hf_opt_sack_perm, &hf_opt_sack, &hf_opt_sack_le,
	&hf_opt_sack_re, &hf_opt_sack_count, &hf_opt_dsack_le, &hf_opt_dsack_re, &hf_opt_ts,
	&hf_opt_tsval, &hf_opt_tsecr, &hf_opt_unknown, &hf_opt_unknown_payload,
	&hf_analysis, &hf_an_flags, &hf_an_acks_frame, &hf_an_ack_rtt, &hf_an_irtt, &hf_an_bif, &hf_an_push,
	&hf_an_rto, &hf_an_rto_frame, &hf_an_dupack_num, &hf_an_dupack_frame,
	&ei_syn.f, &ei_synack.f, &ei_fin.f, &ei_fin_active.f, &ei_fin_passive.f, &ei_rst.f, &ei_dsack.f,
	&ei_retrans.f, &ei_fast_retrans.f, &ei_spurious.f, &ei_ooo.f, &ei_lost.f, &ei_ack_lost.f,
	&ei_win_update.f, &ei_win_full.f, &ei_keepalive.f, &ei_keepalive_ack.f, &ei_dupack.f,
	&ei_zero_win.f, &ei_zwp.f, &ei_zwp_ack.f, &ei_reused.f,
};

static struct tq_dissector tcp = { .name = "tcp", .dissect = tq_dissect_tcp };

void
tq_register_tcp(void)
{
	TQ_REGISTER(fields);
	tq_dissector_add(TQ_TAB_IP_PROTO, 6, &tcp);
}

static const char *
completeness_text(unsigned v)
{
	switch (v) {
	case COMPL_SYN: return "Incomplete, SYN_SENT";
	case COMPL_SYN | COMPL_SYNACK: return "Incomplete, CLIENT_ESTABLISHED";
	case COMPL_SYN | COMPL_SYNACK | COMPL_ACK: return "Incomplete, ESTABLISHED";
	case COMPL_SYN | COMPL_SYNACK | COMPL_ACK | COMPL_DATA: return "Incomplete, DATA";
	case COMPL_SYN | COMPL_SYNACK | COMPL_ACK | COMPL_DATA | COMPL_FIN:
	case COMPL_SYN | COMPL_SYNACK | COMPL_ACK | COMPL_DATA | COMPL_RST:
	case COMPL_SYN | COMPL_SYNACK | COMPL_ACK | COMPL_DATA | COMPL_FIN | COMPL_RST:
		return "Complete, WITH_DATA";
	case COMPL_SYN | COMPL_SYNACK | COMPL_ACK | COMPL_FIN:
	case COMPL_SYN | COMPL_SYNACK | COMPL_ACK | COMPL_RST:
	case COMPL_SYN | COMPL_SYNACK | COMPL_ACK | COMPL_FIN | COMPL_RST:
		return "Complete, NO_DATA";
	default: return "Incomplete";
	}
}

/* ------------------------------------------------------------------ header */

struct tcph {
	uint16_t sport, dport;
	uint32_t seq, ack;
	uint8_t hlen;
	uint16_t flags;
	uint16_t win, cksum, urp;
	uint32_t seglen;
	/* options the analysis needs */
	int wscale;                  /* -1 when absent */
	int have_mss;
	uint32_t sack_bytes;         /* sum of the SACK blocks' lengths */
	int opts_truncated;          /* the capture cut the options */
};

static void
flags_str(uint16_t fl, char *buf, size_t len)
{
	static const char *const names[] = { "FIN", "SYN", "RST", "PSH", "ACK", "URG", "ECE", "CWR", "AE" };
	size_t k = 0;
	buf[0] = '\0';
	for (int i = 0; i < 9; i++) {
		if (!(fl & (1u << i)))
			continue;
		int n = snprintf(buf + k, len - k, "%s%s", k ? ", " : "", names[i]);
		if (n < 0 || (size_t)n >= len - k)
			break;
		k += (size_t)n;
	}
	if (fl & 0x0e00) {
		int n = snprintf(buf + k, len - k, "%sReserved", k ? ", " : "");
		if (n > 0 && (size_t)n < len - k)
			k += (size_t)n;
	}
	if (!k)
		snprintf(buf, len, "<None>");
}

/* ------------------------------------------------------------------ pass 1: analysis */

/* Pass 1: a conversation's TCP state, which knows its conversation. */
static void
conv_state_new(struct tq_pkt *pk, struct tq_conv *conv)
{
	struct tcp_conv *tc = tq_arena_alloc(&pk->cap->state, sizeof(*tc));
	if (tc)
		tc->owner = conv;
	conv->data = tc;
}

static struct tq_tcp_frame *
frame_rec(struct tq_pkt *pk)
{
	struct tq_tcp_frame *tf = pk->fr->tcp;
	if (!tf && pk->pass == 1) {
		tf = tq_arena_alloc(&pk->cap->state, sizeof(*tf));
		pk->fr->tcp = tf;
	}
	return tf;
}

static void
ta_set(struct tq_tcp_frame *tf, uint32_t flag)
{
	tf->has_ta = 1;
	tf->flags |= flag;
}

static void
analyze(struct tq_pkt *pk, struct tcp_conv *tc, int dir, const struct tcph *h, struct tq_tcp_frame *tf)
{
	struct flow *fwd = &tc->flow[dir], *rev = &tc->flow[!dir];
	uint32_t seq = h->seq, ack = h->ack, seglen = h->seglen, window = h->win;
	uint16_t flags = h->flags;
	int64_t ts = pk->fr->sec;
	int32_t tns = (int32_t)pk->fr->nsec;

	if (!fwd->base_set) {
		fwd->base_seq = (flags & TH_SYN) ? seq : seq - 1;
		fwd->base_set = 1;
	}
	if (!rev->base_set && (flags & TH_ACK)) {
		rev->base_seq = ack - 1;
		rev->base_set = 1;
	}
	if (flags & TH_ACK)
		rev->valid_bif = 1;

	/* zero window probe */
	if (seglen == 1 && seq == fwd->nextseq && rev->window == 0) {
		ta_set(tf, TA_ZERO_WINDOW_PROBE);
		goto finished_fwd;
	}
	/* zero window */
	if (window == 0 && !(flags & (TH_RST | TH_FIN | TH_SYN)))
		ta_set(tf, TA_ZERO_WINDOW);
	/* lost packet */
	if (fwd->nextseq && GT_SEQ(seq, fwd->nextseq) && !(flags & TH_RST)) {
		ta_set(tf, TA_LOST_PACKET);
		fwd->valid_bif = 0;
	}
	/* keep-alive */
	if (seglen <= 1 && seq == fwd->nextseq - 1 && !(flags & (TH_SYN | TH_FIN | TH_RST)))
		ta_set(tf, TA_KEEP_ALIVE);
	/* window update */
	if (seglen == 0 && window && window != fwd->window && seq == fwd->nextseq &&
	    ack == fwd->lastack && !(flags & (TH_SYN | TH_FIN | TH_RST)))
		ta_set(tf, TA_WINDOW_UPDATE);
	/* window full */
	if (seglen > 0 && rev->win_scale != -1 &&
	    seq + seglen == rev->lastack + (rev->window << (rev->win_scale < 0 ? 0 : rev->win_scale)) &&
	    !(flags & (TH_SYN | TH_FIN | TH_RST)))
		ta_set(tf, TA_WINDOW_FULL);
	/* keep-alive ack */
	if (seglen == 0 && window && window == fwd->window && seq == fwd->nextseq &&
	    ack == fwd->lastack && (rev->lastsegmentflags & TA_KEEP_ALIVE) &&
	    !(flags & (TH_SYN | TH_FIN | TH_RST))) {
		ta_set(tf, TA_KEEP_ALIVE_ACK);
		goto finished_fwd;
	}
	/* zero window probe ack */
	if (seglen == 0 && window == 0 && window == fwd->window && seq == fwd->nextseq &&
	    (ack == fwd->lastack || ack == fwd->lastack + 1) &&
	    (rev->lastsegmentflags & TA_ZERO_WINDOW_PROBE) && !(flags & (TH_SYN | TH_FIN | TH_RST))) {
		ta_set(tf, TA_ZERO_WINDOW_PROBE_ACK);
		goto finished_fwd;
	}
	/* duplicate ack */
	if (seglen == 0 && window && window == fwd->window && seq == fwd->nextseq &&
	    ack == fwd->lastack && !(flags & (TH_SYN | TH_FIN | TH_RST))) {
		fwd->dupacknum++;
		ta_set(tf, TA_DUPLICATE_ACK);
		struct tcp_rare *r = rare(pk, tf);
		if (r) {
			r->dupack_num = fwd->dupacknum;
			r->dupack_frame = fwd->lastnondupack;
		}
	}

finished_fwd:
	if (ack != fwd->lastack) {
		fwd->lastnondupack = pk->num;
		fwd->dupacknum = 0;
	}
	/* acked lost packet */
	if (rev->maxseqtobeacked && GT_SEQ(ack, rev->maxseqtobeacked) && (flags & TH_ACK)) {
		ta_set(tf, TA_ACK_LOST_PACKET);
		rev->maxseqtobeacked = rev->nextseq;
	}

	/* retransmission, fast retransmission, out-of-order */
	if (seglen > 0 || (flags & (TH_SYN | TH_FIN))) {
		int not_advanced = fwd->nextseq && LT_SEQ(seq, fwd->nextseq);
		if (tf->flags & TA_KEEP_ALIVE)
			goto finished_checking;
		if (seglen > 1 && fwd->nextseq - 1 == seq)
			not_advanced = 0;
		if (seglen > 0 && rev->lastack && LE_SEQ(seq + seglen, rev->lastack)) {
			ta_set(tf, TA_SPURIOUS_RETRANSMISSION);
			goto finished_checking;
		}
		if (not_advanced) {
			int64_t t = ns_between(ts, tns, rev->lastack_s, rev->lastack_ns);
			if (rev->dupacknum >= 2 && rev->lastack == seq && t < 20000000) {
				ta_set(tf, TA_FAST_RETRANSMISSION);
				goto finished_checking;
			}
			t = ns_between(ts, tns, fwd->nextseq_s, fwd->nextseq_ns);
			int64_t thres = tc->have_irtt ? ns_between(tc->irtt_s, tc->irtt_ns, 0, 0) : 3000000;
			if (t < thres && fwd->nextseq != seq + seglen) {
				ta_set(tf, TA_OUT_OF_ORDER);
				goto finished_checking;
			}
			ta_set(tf, TA_RETRANSMISSION);
			/* the RTO runs from the eldest segment still unacknowledged, which is
			 * most likely the one sent again; else from the last new data */
			const struct unacked *old = fwd->segments;
			while (old && old->next)
				old = old->next;
			struct tcp_rare *r = rare(pk, tf);
			if (r && old) {
				r->rto = ns_between(ts, tns, old->s, old->ns);
				r->rto_frame = old->frame;
			} else if (r) {
				r->rto = ns_between(ts, tns, fwd->nextseq_s, fwd->nextseq_ns);
				r->rto_frame = fwd->nextseqframe;
			}
		}
	}

finished_checking:;
	uint32_t nextseq = seq + seglen;
	if ((seglen || (flags & (TH_SYN | TH_FIN))) && fwd->segment_count < MAX_UNACKED) {
		struct unacked *u = tc->spare;
		if (u)
			tc->spare = u->next;
		else
			u = tq_arena_alloc(&pk->cap->state, sizeof(*u));
		if (u) {
			u->next = fwd->segments;
			fwd->segments = u;
			fwd->segment_count++;
			u->frame = pk->num;
			u->seq = seq;
			u->s = ts;
			u->ns = tns;
			if (flags & (TH_SYN | TH_FIN))
				nextseq += 1;
			u->nextseq = nextseq;
		}
	}
	if (GT_SEQ(nextseq, fwd->nextseq) || !fwd->nextseq) {
		if (!(tf->flags & TA_ZERO_WINDOW_PROBE)) {
			fwd->nextseq = nextseq;
			fwd->nextseqframe = pk->num;
			fwd->nextseq_s = ts;
			fwd->nextseq_ns = tns;
		}
	}
	if (EQ_SEQ(seq, fwd->maxseqtobeacked) || !fwd->maxseqtobeacked) {
		if (!(tf->flags & TA_ZERO_WINDOW_PROBE))
			fwd->maxseqtobeacked = fwd->nextseq;
	}
	fwd->window = window;
	fwd->lastack = ack;
	fwd->lastack_s = ts;
	fwd->lastack_ns = tns;
	fwd->lastsegmentflags = tf->has_ta ? tf->flags : 0;

	/* segments this ACK covers */
	if (flags & TH_ACK) {
		struct unacked *prev = NULL, *u = rev->segments;
		while (u) {
			if (ack == u->nextseq) {
				tf->has_ta = 1;
				tf->acked_frame = u->frame;      /* u->s, u->ns are its time */
			} else if (GT_SEQ(ack, u->seq) && LE_SEQ(ack, u->nextseq)) {
				u->seq = ack;
				prev = u;
				u = u->next;
				continue;
			} else if (GT_SEQ(u->nextseq, ack)) {
				prev = u;
				u = u->next;
				continue;
			}
			struct unacked *next = u->next;
			if (prev)
				prev->next = next;
			else
				rev->segments = next;
			rev->segment_count--;
			u->next = tc->spare;
			tc->spare = u;
			u = next;
		}
	}

	/* bytes in flight after this frame */
	struct unacked *u = fwd->segments;
	if (seglen != 0 && u && fwd->valid_bif) {
		uint32_t first = u->seq - fwd->base_seq, last = u->nextseq - fwd->base_seq;
		for (; u; u = u->next) {
			if (u->nextseq - fwd->base_seq > last)
				last = u->nextseq - fwd->base_seq;
			if (u->seq - fwd->base_seq < first)
				first = u->seq - fwd->base_seq;
		}
		/* data the receiver reported with SACK is no longer in flight */
		uint32_t in_flight = last - first - rev->sack_bytes;
		if (in_flight > 0 && in_flight < 2000000000u) {
			tf->has_ta = 1;
			tf->bytes_in_flight = in_flight;
			if (flags & (TH_SYN | TH_FIN))
				tf->bytes_in_flight -= 1;
		}
		if ((flags & TH_PUSH) && !fwd->push_set_last) {
			fwd->push_bytes_sent += seglen;
			fwd->push_set_last = 1;
		} else if ((flags & TH_PUSH) && fwd->push_set_last) {
			fwd->push_bytes_sent = seglen;
		} else if (fwd->push_set_last) {
			fwd->push_bytes_sent = seglen;
			fwd->push_set_last = 0;
		} else {
			fwd->push_bytes_sent += seglen;
		}
		tf->has_ta = 1;
		tf->push_bytes_sent = fwd->push_bytes_sent;
	}
}

static void
stream_start(struct tq_pkt *pk, struct tq_conv *c, struct tcp_conv *tc, const struct tcph *h)
{
	if (tc->first_frame)
		return;
	tc->first_frame = pk->num;
	tc->first_s = pk->fr->sec;
	tc->first_ns = (int32_t)pk->fr->nsec;
	tc->prev_frame = pk->num;
	tc->client = -1;
	tc->flow[0].win_scale = tc->flow[1].win_scale = -1;
	tc->first_is_synack = (h->flags & (TH_SYN | TH_ACK)) == (TH_SYN | TH_ACK);
	c->index = pk->cap->tcp_streams++;
}

/* Pass 1 for the TCP header inside an ICMP error: its stream and timing, no analysis. */
static void
pass1_error(struct tq_pkt *pk, struct tq_conv *c, struct tcp_conv *tc, int dir, const struct tcph *h)
{
	struct tq_tcp_frame *tf = frame_rec(pk);
	if (!tf || tf->conv)
		return;
	stream_start(pk, c, tc, h);
	tf->conv = tc;
	tf->dir = (uint8_t)dir;
	tf->prev_frame = tc->prev_frame;
	tc->prev_frame = pk->num;
}

/*
 * A SYN+ACK whose sequence number is not its direction's base (its SYN not
 * captured, say, on reused ports): Wireshark 4.0 keeps the stream, flags the
 * frame "ports reused" and takes its number as the new base.  It does so again
 * in pass 2 as it meets each SYN+ACK, starting from the base pass 1 ended
 * with; the records kept here let base_at() replay that.
 */
static void
synack_base(struct tq_pkt *pk, struct tcp_conv *tc, int dir, const struct tcph *h, struct tq_tcp_frame *tf)
{
	struct flow *fwd = &tc->flow[dir];
	if (!fwd->synack_frame) {
		fwd->synack_frame = pk->num;
		fwd->synack_seq = h->seq;
	} else if (h->seq != (fwd->base_evs ? fwd->base_evs->seq : fwd->synack_seq)) {
		struct base_ev *ev = tq_arena_alloc(&pk->cap->state, sizeof(*ev));
		if (ev) {
			ev->frame = pk->num;
			ev->seq = h->seq;
			ev->next = fwd->base_evs;
			fwd->base_evs = ev;
		}
	}
	if (fwd->base_set && h->seq != fwd->base_seq) {
		ta_set(tf, TA_REUSED_PORTS);
		fwd->base_seq = h->seq;
	}
}

/* The base sequence number of a direction as Wireshark's pass 2 has it at frame num. */
static uint32_t
base_at(const struct flow *f, uint32_t num)
{
	if (!f->base_evs)
		return f->base_seq;
	for (const struct base_ev *ev = f->base_evs; ev; ev = ev->next)
		if (ev->frame <= num)
			return ev->seq;
	return f->synack_frame <= num ? f->synack_seq : f->base_seq;
}

static void
pass1(struct tq_pkt *pk, struct tq_conv *c, struct tcp_conv *tc, int dir, const struct tcph *h)
{
	struct tq_tcp_frame *tf = frame_rec(pk);
	if (!tf)
		return;
	tf->conv = tc;
	tf->dir = (uint8_t)dir;
	int64_t ts = pk->fr->sec;
	int32_t tns = (int32_t)pk->fr->nsec;

	stream_start(pk, c, tc, h);
	tf->prev_frame = tc->prev_frame;
	tc->prev_frame = pk->num;

	if ((h->flags & (TH_SYN | TH_ACK)) == (TH_SYN | TH_ACK))
		synack_base(pk, tc, dir, h, tf);
	if (h->flags & TH_SYN) {
		if (h->flags & TH_ACK) {
			tc->completeness |= COMPL_SYNACK;
			if (tc->client < 0)
				tc->client = !dir;
		} else {
			tc->completeness |= COMPL_SYN;
			tc->client = dir;
			if (!tc->server_port)
				tc->server_port = h->dport;
			tc->mru_syn_s = ts;
			tc->mru_syn_ns = tns;
			tc->have_syn = 1;
		}
		/* window scaling: the option's shift, or none when a SYN lacks it */
		struct flow *fwd = &tc->flow[dir];
		if (h->wscale >= 0)
			fwd->win_scale = h->wscale > 14 ? 14 : h->wscale;
		if (fwd->win_scale == -1 && !h->opts_truncated) {
			fwd->win_scale = -2;
			if (h->flags & TH_ACK)
				tc->flow[!dir].win_scale = -2;
		}
	}
	if (tc->completeness & (COMPL_SYN | COMPL_SYNACK)) {
		if ((h->flags & TH_ACK) && !(h->flags & TH_SYN))
			tc->completeness |= COMPL_ACK;
		if (h->seglen)
			tc->completeness |= COMPL_DATA;
		if (h->flags & TH_FIN)
			tc->completeness |= COMPL_FIN;
		if (h->flags & TH_RST)
			tc->completeness |= COMPL_RST;
	}
	if (h->flags & TH_FIN) {
		struct flow *fwd = &tc->flow[dir];
		if (!fwd->saw_fin) {
			fwd->saw_fin = 1;
			fwd->closing_initiator = !tc->flow[!dir].saw_fin;
		}
		tf->fin_active = (uint8_t)fwd->closing_initiator;
	}
	if ((h->flags & (TH_SYN | TH_ACK)) == TH_ACK && tc->have_syn && !tc->have_irtt) {
		tq_reltime_delta(ts, tns, tc->mru_syn_s, tc->mru_syn_ns, &tc->irtt_s, &tc->irtt_ns);
		tc->have_irtt = 1;
	}
	analyze(pk, tc, dir, h, tf);
	tc->flow[dir].sack_bytes = h->sack_bytes;
}

/* ------------------------------------------------------------------ options */

struct optctx {
	struct tq_pkt *pk;
	struct tq_node *tree;
	const struct tq_slice *s;
	struct tcp_conv *tc;
	int dir;
	uint32_t ack;
	uint16_t flags;
	struct tq_sbuf *names;
	int truncated;               /* the options ran past what was captured */
};

static struct tq_node *
opt_item(struct optctx *o, const struct tq_field *f, uint32_t off, uint32_t len, uint8_t kind, int with_len)
{
	struct tq_node *n = tq_add(o->pk, o->tree, f, o->s, off, len);
	tq_set_label(o->pk, n, "%s", f->name);
	tq_add(o->pk, n, &hf_opt_kind, o->s, off, 1);
	if (with_len)
		tq_add(o->pk, n, &hf_opt_len, o->s, off + 1, 1);
	(void)kind;
	return n;
}

static uint32_t
rel(const struct optctx *o, int dir, uint32_t v)
{
	const struct flow *f = o->tc ? &o->tc->flow[dir] : NULL;
	return f ? v - base_at(f, o->pk->num) : v;
}

/* Walks the options; fills *h for the analysis and, with a tree, adds the items. */
static void
options(struct optctx *o, uint32_t off, uint32_t end, struct tcph *h)
{
	const struct tq_slice *s = o->s;
	struct tq_pkt *pk = o->pk;

	/* what the header says may be more than the capture kept: stop there */
	uint32_t have = end < s->len ? end : s->len;
	while (off < end) {
		if (off >= have) {
			o->truncated = 1;
			return;
		}
		uint8_t kind = s->p[off];
		if (kind == 0) {
			opt_item(o, &hf_opt_eol, off, 1, kind, 0);
			tq_sbuf_puts(o->names, ", End of Option List (EOL)");
			break;
		}
		if (kind == 1) {
			opt_item(o, &hf_opt_nop, off, 1, kind, 0);
			tq_sbuf_puts(o->names, ", No-Operation (NOP)");
			off++;
			continue;
		}
		if (end - off < 2) {
			tq_malformed(pk, "TCP");
			return;
		}
		if (have - off < 2) {
			o->truncated = 1;
			return;
		}
		uint8_t len = s->p[off + 1];
		if (len < 2 || len > end - off) {
			tq_malformed(pk, "TCP");
			return;
		}
		if (len > have - off) {
			/* cut by the capture: the option's item, its kind and length, no more */
			const struct tq_field *pf = kind == 2 ? &hf_opt_mss : kind == 3 ? &hf_opt_wscale :
			    kind == 4 ? &hf_opt_sack_perm : kind == 5 ? &hf_opt_sack : kind == 8 ? &hf_opt_ts : &hf_opt_unknown;
			struct tq_node *n = opt_item(o, pf, off, have - off, kind, 1);
			if (kind == 8 && len == 10 && have - off >= 6)
				tq_add(pk, n, &hf_opt_tsval, s, off + 2, 4);   /* TSval came before the cut */
			o->truncated = 1;
			return;
		}
		const uint8_t *d = s->p + off + 2;
		switch (kind) {
		case 2:
			if (len != 4)
				goto unknown;
			{
				uint16_t mss = (uint16_t)(d[0] << 8 | d[1]);
				struct tq_node *n = opt_item(o, &hf_opt_mss, off, len, kind, 1);
				tq_set_label(pk, n, "TCP Option - Maximum segment size: %u bytes", mss);
				tq_add(pk, n, &hf_opt_mss_val, s, off + 2, 2);
				tq_col_info_put_u(pk, " MSS=", mss);
				tq_sbuf_puts(o->names, ", Maximum segment size");
				h->have_mss = 1;
			}
			break;
		case 3:
			if (len != 3)
				goto unknown;
			{
				uint8_t shift = d[0];
				unsigned mult = 1u << (shift > 14 ? 14 : shift);
				struct tq_node *n = opt_item(o, &hf_opt_wscale, off, len, kind, 1);
				tq_set_label(pk, n, "TCP Option - Window scale: %u (multiply by %u)", shift, mult);
				tq_add(pk, n, &hf_opt_wscale_shift, s, off + 2, 1);
				tq_gen(tq_add_u(pk, n, &hf_opt_wscale_mult, s, off + 2, 1, mult));
				tq_col_info_put_u(pk, " WS=", mult);
				tq_sbuf_puts(o->names, ", Window scale");
				h->wscale = shift;
			}
			break;
		case 4:
			if (len != 2)
				goto unknown;
			opt_item(o, &hf_opt_sack_perm, off, len, kind, 1);
			tq_col_info_puts(pk, " SACK_PERM");
			tq_sbuf_puts(o->names, ", SACK permitted");
			break;
		case 5: {
			if ((len - 2) % 8)
				goto unknown;
			struct tq_node *n = opt_item(o, &hf_opt_sack, off, len, kind, 1);
			struct tq_sbuf lb;
			tq_sbuf_init(&lb, 0);
			tq_sbuf_puts(&lb, "TCP Option - SACK");
			unsigned count = 0;
			uint32_t first_le = 0, first_re = 0, second_le = 0, second_re = 0;
			for (uint32_t b = 2; b + 8 <= len; b += 8) {
				uint32_t le = tq_peek_be32(s->p, s->len, off + b);
				uint32_t re = tq_peek_be32(s->p, s->len, off + b + 4);
				uint32_t rle = rel(o, !o->dir, le), rre = rel(o, !o->dir, re);
				tq_set_label(pk, tq_add_u(pk, n, &hf_opt_sack_le, s, off + b, 4, rle), "left edge = %u (relative)", rle);
				tq_set_label(pk, tq_add_u(pk, n, &hf_opt_sack_re, s, off + b + 4, 4, rre), "right edge = %u (relative)", rre);
				tq_sbuf_printf(&lb, " %u-%u", rle, rre);
				h->sack_bytes += re - le;
				tq_col_info_put_u(pk, " SLE=", rle);
				tq_col_info_put_u(pk, " SRE=", rre);
				if (count == 0) {
					first_le = le;
					first_re = re;
				} else if (count == 1) {
					second_le = le;
					second_re = re;
				}
				count++;
			}
			tq_set_label(pk, n, "%s", tq_sbuf_str(&lb));
			tq_sbuf_free(&lb);
			tq_gen(tq_add_u(pk, n, &hf_opt_sack_count, s, off, 0, count));
			/* D-SACK (RFC 2883): the first block is below the ACK, or inside the second */
			int dsack = count && (((o->flags & TH_ACK) && LT_SEQ(first_le, o->ack)) ||
			    (count > 1 && LE_SEQ(second_le, first_le) && LE_SEQ(first_re, second_re)));
			if (dsack && n) {
				uint32_t rle = rel(o, !o->dir, first_le), rre = rel(o, !o->dir, first_re);
				tq_set_label(pk, tq_gen(tq_add_u(pk, n, &hf_opt_dsack_le, s, off + 2, 4, rle)), "D-SACK Left Edge = %u (relative)", rle);
				tq_set_label(pk, tq_gen(tq_add_u(pk, n, &hf_opt_dsack_re, s, off + 6, 4, rre)), "D-SACK Right Edge = %u (relative)", rre);
				struct tq_node *t = tq_add_text(pk, n, s, off + 2, 8, "D-SACK Sequence");
				tq_expert(pk, t, &ei_dsack, NULL);
			}
			tq_sbuf_puts(o->names, ", SACK");
			break;
		}
		case 8:
			if (len != 10)
				goto unknown;
			{
				uint32_t tsval = tq_peek_be32(s->p, s->len, off + 2);
				uint32_t tsecr = tq_peek_be32(s->p, s->len, off + 6);
				struct tq_node *n = opt_item(o, &hf_opt_ts, off, len, kind, 1);
				tq_set_label(pk, n, "TCP Option - Timestamps: TSval %u, TSecr %u", tsval, tsecr);
				tq_add(pk, n, &hf_opt_tsval, s, off + 2, 4);
				tq_add(pk, n, &hf_opt_tsecr, s, off + 6, 4);
				tq_col_info_put_u(pk, " TSval=", tsval);
				tq_col_info_put_u(pk, " TSecr=", tsecr);
				tq_sbuf_puts(o->names, ", Timestamps");
			}
			break;
		default:
		unknown: {
				struct tq_node *n = opt_item(o, &hf_opt_unknown, off, len, kind, 1);
				const char *kn = tq_vals_find(kind_vals, kind);
				tq_set_label(pk, n, "TCP Option - %s", kn ? kn : "Unknown");
				if (len > 2)
					tq_add(pk, n, &hf_opt_unknown_payload, s, off + 2, len - 2u);
				tq_sbuf_printf(o->names, ", %s", kn ? kn : "Unknown");
			}
			break;
		}
		off += len;
	}
}

/* ------------------------------------------------------------------ pass 2: the tree */

static void
seq_analysis_tree(struct tq_pkt *pk, struct tq_node *t, const struct tq_slice *s,
    const struct tq_tcp_frame *tf, const struct tcp_conv *tc, uint32_t xflags)
{
	if (!tf || (!tf->has_ta && !xflags))
		return;
	struct tq_node *a = tq_gen(tq_add(pk, t, &hf_analysis, s, 0, 0));
	if (tf->acked_frame) {
		tq_add_gen(pk, a, &hf_an_acks_frame, s, 0, tf->acked_frame);
		int64_t rtt = ns_since(pk, tf->acked_frame);
		if (rtt)
			add_ns(pk, a, &hf_an_ack_rtt, s, rtt);
	}
	if (tc->have_irtt && (tc->irtt_s || tc->irtt_ns))
		tq_gen(tq_add_time(pk, a, &hf_an_irtt, s, 0, 0, tc->irtt_s, tc->irtt_ns));
	if (tf->bytes_in_flight)
		tq_add_gen(pk, a, &hf_an_bif, s, 0, tf->bytes_in_flight);
	if (tf->push_bytes_sent)
		tq_add_gen(pk, a, &hf_an_push, s, 0, tf->push_bytes_sent);
	uint32_t f = tf->flags | xflags;
	if (!f)
		return;
	struct tq_node *fl = tq_gen(tq_add(pk, a, &hf_an_flags, s, 0, 0));
	if (f & TA_REUSED_PORTS) {
		tq_expert(pk, fl, &ei_reused, NULL);
		tq_col_info_prepend(pk, "[TCP Port numbers reused] ");
	}
	if (f & TA_RETRANSMISSION) {
		tq_expert(pk, fl, &ei_retrans, NULL);
		tq_col_info_prepend(pk, "[TCP Retransmission] ");
		if (tf->rare && tf->rare->rto) {
			add_ns(pk, fl, &hf_an_rto, s, tf->rare->rto);
			tq_add_gen(pk, fl, &hf_an_rto_frame, s, 0, tf->rare->rto_frame);
		}
	}
	if (f & TA_SPURIOUS_RETRANSMISSION) {
		/* tshark 4.0 flags a spurious retransmission as a retransmission too */
		tq_expert(pk, fl, &ei_spurious, NULL);
		tq_expert(pk, fl, &ei_retrans, NULL);
		tq_col_info_prepend(pk, "[TCP Spurious Retransmission] ");
	}
	if (f & TA_FAST_RETRANSMISSION) {
		tq_expert(pk, fl, &ei_fast_retrans, NULL);
		tq_expert(pk, fl, &ei_retrans, NULL);
		tq_col_info_prepend(pk, "[TCP Fast Retransmission] ");
	}
	if (f & TA_OUT_OF_ORDER) {
		tq_expert(pk, fl, &ei_ooo, NULL);
		tq_col_info_prepend(pk, "[TCP Out-Of-Order] ");
	}
	if (f & TA_LOST_PACKET) {
		tq_expert(pk, fl, &ei_lost, NULL);
		tq_col_info_prepend(pk, "[TCP Previous segment not captured] ");
	}
	if (f & TA_ACK_LOST_PACKET) {
		tq_expert(pk, fl, &ei_ack_lost, NULL);
		tq_col_info_prepend(pk, "[TCP ACKed unseen segment] ");
	}
	if (f & TA_WINDOW_UPDATE) {
		tq_expert(pk, fl, &ei_win_update, NULL);
		tq_col_info_prepend(pk, "[TCP Window Update] ");
	}
	if (f & TA_WINDOW_FULL) {
		tq_expert(pk, fl, &ei_win_full, NULL);
		tq_col_info_prepend(pk, "[TCP Window Full] ");
	}
	if (f & TA_KEEP_ALIVE) {
		tq_expert(pk, fl, &ei_keepalive, NULL);
		tq_col_info_prepend(pk, "[TCP Keep-Alive] ");
	}
	if (f & TA_KEEP_ALIVE_ACK) {
		tq_expert(pk, fl, &ei_keepalive_ack, NULL);
		tq_col_info_prepend(pk, "[TCP Keep-Alive ACK] ");
	}
	if (tf->rare && tf->rare->dupack_num) {
		const struct tcp_rare *r = tf->rare;
		if (f & TA_DUPLICATE_ACK) {
			/* a plain generated item here, the expert info goes on the frame number below */
			tq_set_label(pk, tq_add_gen(pk, fl, &ei_dupack.f, s, 0, 0), "This is a TCP duplicate ack");
			char b[64];
			snprintf(b, sizeof(b), "[TCP Dup ACK %u#%u] ", r->dupack_frame, r->dupack_num);
			tq_col_info_prepend(pk, b);
		}
		tq_add_gen(pk, a, &hf_an_dupack_num, s, 0, r->dupack_num);
		struct tq_node *df = tq_add_gen(pk, a, &hf_an_dupack_frame, s, 0, r->dupack_frame);
		tq_expert(pk, df, &ei_dupack, "Duplicate ACK (#%u)", r->dupack_num);
	}
	if (f & TA_ZERO_WINDOW_PROBE) {
		tq_expert(pk, fl, &ei_zwp, NULL);
		tq_col_info_prepend(pk, "[TCP ZeroWindowProbe] ");
	}
	if (f & TA_ZERO_WINDOW) {
		tq_expert(pk, fl, &ei_zero_win, NULL);
		tq_col_info_prepend(pk, "[TCP ZeroWindow] ");
	}
	if (f & TA_ZERO_WINDOW_PROBE_ACK) {
		tq_expert(pk, fl, &ei_zwp_ack, NULL);
		tq_col_info_prepend(pk, "[TCP ZeroWindowProbeAck] ");
	}
}

static void
flag_items(struct tq_pkt *pk, struct tq_node *fl, const struct tq_slice *s, const struct tcph *h,
    const struct tq_tcp_frame *tf)
{
	if (!fl)
		return;
	static struct tq_field *const hi[] = { &hf_flags_res, &hf_flags_ae };
	static struct tq_field *const lo[] = { &hf_flags_cwr, &hf_flags_ece, &hf_flags_urg, &hf_flags_ack,
		&hf_flags_push, &hf_flags_reset, &hf_flags_syn, &hf_flags_fin };
	uint16_t v = h->flags;

	/* each bit sits in the byte that holds it, as Wireshark 4 shows bitmask items */
	for (size_t i = 0; i < 2; i++)
		tq_add_u(pk, fl, hi[i], s, 12, 1, (v & hi[i]->mask) >> __builtin_ctzll(hi[i]->mask));
	for (size_t i = 0; i < 8; i++) {
		struct tq_node *n = tq_add_u(pk, fl, lo[i], s, 13, 1, (v & lo[i]->mask) ? 1 : 0);
		if (lo[i] == &hf_flags_syn && (v & TH_SYN)) {
			if (v & TH_ACK)
				tq_expert(pk, n, &ei_synack, "Connection establish acknowledge (SYN+ACK): server port %u", h->sport);
			else
				tq_expert(pk, n, &ei_syn, "Connection establish request (SYN): server port %u", h->dport);
		}
		if (lo[i] == &hf_flags_reset && (v & TH_RST))
			tq_expert(pk, n, &ei_rst, NULL);
		if (lo[i] == &hf_flags_fin && (v & TH_FIN))
			tq_expert(pk, n, &ei_fin, NULL);
	}
	/* "··········S·": one letter per bit that is set */
	static const char letters[] = "RRRACEUAPRSF";
	char str[64];
	size_t k = 0;
	for (int b = 11; b >= 0; b--) {
		if (v & (1u << b)) {
			str[k++] = letters[11 - b];
		} else {
			str[k++] = (char)0xc2;
			str[k++] = (char)0xb7;
		}
	}
	str[k] = '\0';
	struct tq_node *fs = tq_gen(tq_add_str(pk, fl, &hf_flags_str, s, 12, 2, str));
	if ((v & TH_FIN) && tf)
		tq_expert(pk, fs, tf->fin_active ? &ei_fin_active : &ei_fin_passive, NULL);
}

/* ------------------------------------------------------------------ payload and reassembly */

/*
 * The protocol on this stream (Wireshark's decode_tcp_ports): after
 * STARTTLS TLS, else the dissector of the port the connection was opened
 * to, else the lower port's, else the higher port's; NULL when none.  The
 * capture's decode-as rules come first in each lookup.
 */
static const struct tq_dissector *
stream_app(const struct tq_pkt *pk, const struct tcp_conv *tc, uint16_t sport, uint16_t dport, const char **inner)
{
	*inner = NULL;
	if (tc->switch_from && pk->num >= tc->switch_from) {
		if (tc->switch_smtp)
			*inner = "smtp";
		return tq_dissector_by_id(tc->switch_to);
	}
	const struct tq_dissector *d = NULL;
	uint16_t port = 0;
	if (tc->server_port)
		d = tq_dissector_find(pk->cap, TQ_TAB_TCP_PORT, port = tc->server_port);
	if (!d) {
		uint16_t lo = sport < dport ? sport : dport, hi = sport < dport ? dport : sport;
		if (!(d = tq_dissector_find(pk->cap, TQ_TAB_TCP_PORT, port = lo)))
			d = tq_dissector_find(pk->cap, TQ_TAB_TCP_PORT, port = hi);
	}
	/* SMTP over TLS from the first byte (SMTPS) */
	if (d && port == 465 && !strcmp(d->name, "tls"))
		*inner = "smtp";
	return d;
}

/* The stream protocol's state slot on this connection; NULL when it has none yet outside pass 1. */
static void **
app_state(struct tq_pkt *pk, struct tcp_conv *tc, const struct tq_dissector *d)
{
	if (!d)
		return NULL;
	size_t n = sizeof(tc->app) / sizeof(tc->app[0]);
	for (size_t i = 0; i < n; i++)
		if (tc->app[i].id == d->id)
			return &tc->app[i].state;
	if (pk->pass != 1)
		return NULL;
	for (size_t i = 0; i < n; i++)
		if (!tc->app[i].id) {
			tc->app[i].id = d->id;
			return &tc->app[i].state;
		}
	return NULL;
}

void **
tq_tcp_app_state(struct tq_pkt *pk, const struct tq_dissector *d)
{
	if (!pk->tcp || !pk->tcp->conv || !pk->tcp->conv->data)
		return NULL;
	return app_state(pk, pk->tcp->conv->data, d);
}

void
tq_tcp_pdu_size(struct tq_pkt *pk, const struct tq_slice *s, uint32_t off, uint32_t len)
{
	if (!pk->tree || !pk->tcp)
		return;
	struct tq_node *item = NULL;
	for (struct tq_node *n = tq_root(pk)->child; n; n = n->next)
		if (n->f == &hf_tcp)
			item = n;
	if (item)
		tq_gen(tq_add_u(pk, item, &hf_pdu_size, s, off, len, len));
}

void
tq_tcp_switch(struct tq_pkt *pk, const struct tq_dissector *d, int from_next_frame)
{
	if (pk->pass != 1 || !pk->tcp || !pk->tcp->conv || !d)
		return;
	struct tcp_conv *tc = pk->tcp->conv->data;
	if (tc && !tc->switch_from) {
		tc->switch_from = pk->num + (from_next_frame ? 1 : 0);
		tc->switch_to = d->id;
	}
}

void
tq_tcp_starttls(struct tq_pkt *pk)
{
	const struct tq_dissector *tls = tq_dissector_named("tls");
	struct tcp_conv *tc = pk->tcp && pk->tcp->conv ? pk->tcp->conv->data : NULL;
	if (pk->pass != 1 || !tc || tc->switch_from || !tls)
		return;
	tq_tcp_switch(pk, tls, 1);
	tc->switch_smtp = 1;
}

/*
 * Hands bytes to the stream's protocol (Wireshark's decode_tcp_ports): a
 * keep-alive's byte is data, and with Wireshark's default "do not call
 * subdissectors for error packets" an out-of-order segment goes nowhere.
 */
static int
call_app(struct tq_pkt *pk, const struct tq_dissector *app, const struct tq_tcp_frame *tf, struct tq_slice *s)
{
	pk->deseg_offset = pk->deseg_len = 0;
	uint32_t af = tf ? tf->flags : 0;
	if (af & TA_KEEP_ALIVE) {
		tq_dissect_data(pk, s);
		return 1;
	}
	if (af & (TA_RETRANSMISSION | TA_OUT_OF_ORDER))
		return 1;
	(app ? app : &tq_data_dissector)->dissect(pk, s);
	return 1;
}

static struct msp *
msp_exact(struct flow *f, uint32_t seq)
{
	for (struct msp *m = f->msps; m; m = m->next) {
		if (m->seq == seq)
			return m;
		if (LT_SEQ(m->seq, seq))
			break;
	}
	return NULL;
}

/* The PDU with the highest start at or below seq. */
static struct msp *
msp_le(struct flow *f, uint32_t seq)
{
	for (struct msp *m = f->msps; m; m = m->next)
		if (LE_SEQ(m->seq, seq))
			return m;
	return NULL;
}

static struct msp *
msp_new(struct tq_pkt *pk, struct flow *f, uint32_t seq, uint32_t nxtpdu)
{
	struct msp *m = tq_arena_alloc(&pk->cap->state, sizeof(*m));
	if (!m)
		return NULL;
	m->seq = seq;
	m->nxtpdu = nxtpdu;
	m->first_frame = m->last_frame = pk->num;
	struct msp **pp = &f->msps;
	while (*pp && GT_SEQ((*pp)->seq, seq))
		pp = &(*pp)->next;
	m->next = *pp;
	*pp = m;
	return m;
}

/* All of [0, datalen) is there. */
static int
msp_complete(const struct msp *m)
{
	if (!m->have_last)
		return 0;
	uint32_t reach = 0;
	for (const struct tq_fragment *f = m->frags; f; f = f->next) {
		if (f->off > reach)
			return 0;
		if (f->off + f->len > reach)
			reach = f->off + f->len;
	}
	return reach >= m->datalen;
}

/*
 * Pass 1: adds a fragment as Wireshark's fragment_add does, and marks the
 * PDU rebuilt in this frame when it is now whole.  Pass 2 changes nothing.
 * Returns the PDU when it is (or was, in pass 2) rebuilt, else NULL.
 */
static struct msp *
msp_add(struct tq_pkt *pk, struct msp *m, const struct tq_slice *seg, uint32_t segoff,
    uint32_t off, uint32_t len, int more)
{
	if (pk->pass == 1 && !m->reassembled_in) {
		m->partial = 0;              /* a new piece ends a partial rebuild, as fragment_add */
		if (seg->ds == 0 && seg->len == seg->rlen && segoff + len <= seg->len && m->nfrags < 4096) {
			struct tq_fragment *f = tq_arena_alloc(&pk->cap->state, sizeof(*f));
			if (f) {
				f->frame = pk->num;
				f->off = off;
				f->len = len;
				f->data_off = seg->pos + segoff;
				struct tq_fragment **pp = &m->frags;
				while (*pp && (*pp)->off <= off)
					pp = &(*pp)->next;
				f->next = *pp;
				*pp = f;
				m->nfrags++;
			}
		}
		if (!more) {
			m->have_last = 1;
			m->datalen = off + len;
		}
		if (msp_complete(m))
			m->reassembled_in = pk->num;
	}
	return m->reassembled_in ? m : NULL;
}

/*
 * Pass 1: the protocol found that a rebuilt PDU ends at byte `at` and the
 * bytes after start the next PDU, which it cannot finish yet (Wireshark's
 * split_msp).  m keeps [0, at) and stays rebuilt in this frame; the rest
 * moves to a new PDU, first seen in the earliest frame that holds any of it.
 * Returns the new PDU, whose end the caller sets.
 */
static struct msp *
msp_split(struct tq_pkt *pk, struct flow *f, struct msp *m, uint32_t at)
{
	uint32_t first = 0;
	for (const struct tq_fragment *fr = m->frags; fr; fr = fr->next) {
		if (fr->off + fr->len >= at && (!first || fr->frame < first))
			first = fr->frame;
	}
	struct msp *nm = msp_new(pk, f, m->seq + at, m->nxtpdu);
	if (!nm)
		return NULL;
	if (first)
		nm->first_frame = first;
	struct tq_fragment **tail = &nm->frags, **pp = &m->frags;
	uint32_t kept = 0;
	while (*pp) {
		struct tq_fragment *fr = *pp;
		if (fr->off + fr->len > at) {
			/* its bytes past the split go to the new PDU */
			struct tq_fragment *nf = tq_arena_alloc(&pk->cap->state, sizeof(*nf));
			if (nf) {
				uint32_t skip = fr->off < at ? at - fr->off : 0;
				nf->frame = fr->frame;
				nf->off = fr->off + skip - at;
				nf->len = fr->len - skip;
				nf->data_off = fr->data_off + skip;
				nf->next = NULL;
				*tail = nf;
				tail = &nf->next;
				nm->nfrags++;
			}
		}
		if (fr->off >= at) {
			*pp = fr->next;
			continue;
		}
		if (fr->off + fr->len > at)
			fr->len = at - fr->off;
		kept++;
		pp = &fr->next;
	}
	m->nfrags = kept;
	m->datalen = at;
	m->nxtpdu = m->seq + at;
	return nm;
}

/* Rebuilds a PDU from its fragments' frames into the tree's arena, as a new data source. */
static int
msp_rebuild(struct tq_pkt *pk, const struct msp *m, struct tq_slice *out)
{
	uint8_t *buf = tq_arena_alloc_raw(pk->arena, m->datalen ? m->datalen : 1);
	if (!buf)
		return -1;
	/* the fragments usually tile the PDU in order: zero it first only when they do not */
	uint64_t tiled = 0;          /* bytes from the start covered so far */
	for (const struct tq_fragment *f = m->frags; f && f->off <= tiled; f = f->next)
		if ((uint64_t)f->off + f->len > tiled)
			tiled = (uint64_t)f->off + f->len;
	if (tiled < m->datalen)
		memset(buf, 0, m->datalen ? m->datalen : 1);
	for (const struct tq_fragment *f = m->frags; f; f = f->next) {
		const struct tq_frame *ff = &pk->cap->frames[f->frame - 1];
		if (f->off >= m->datalen || f->data_off > ff->caplen || ff->caplen - f->data_off < f->len)
			return -1;
		uint32_t n = f->len < m->datalen - f->off ? f->len : m->datalen - f->off;
		memcpy(buf + f->off, pk->cap->base + ff->off + f->data_off, n);
	}
	int ds = 0;
	if (pk->tree) {
		ds = tq_add_ds(pk, buf, m->datalen, tq_arena_printf(pk->arena, "Reassembled TCP (%u bytes)", m->datalen));
		if (ds < 0)
			return -1;
	}
	out->p = buf;
	out->len = out->rlen = m->datalen;
	out->pos = 0;
	out->ds = (uint8_t)ds;
	return 0;
}

/* "[4 Reassembled TCP Segments (4359 bytes): #14(1220), ...]", placed right after the TCP item. */
static void
segments_tree(struct tq_pkt *pk, struct tq_node *tcp_item, const struct msp *m, const struct tq_slice *w)
{
	struct tq_node *root = tq_root(pk);
	if (!root || !tcp_item)
		return;
	struct tq_sbuf lb;
	tq_sbuf_init(&lb, 0);
	tq_sbuf_printf(&lb, "%u Reassembled TCP Segments (%u byte%s): ", m->nfrags, m->datalen, m->datalen == 1 ? "" : "s");
	for (const struct tq_fragment *f = m->frags; f; f = f->next)
		tq_sbuf_printf(&lb, "%s#%u(%u)", f == m->frags ? "" : ", ", f->frame, f->len);
	struct tq_node *t = tq_gen(tq_add(pk, root, &hf_segments, w, 0, w->len));
	tq_set_label(pk, t, "%s", tq_sbuf_str(&lb));
	tq_sbuf_free(&lb);
	for (const struct tq_fragment *f = m->frags; f; f = f->next) {
		struct tq_node *n = tq_gen(tq_add_u(pk, t, &hf_segment, w, f->off, f->len, f->frame));
		tq_set_label(pk, n, "Frame: %u, payload: %u-%u (%u byte%s)", f->frame, f->off, f->off + f->len - 1, f->len,
		    f->len == 1 ? "" : "s");
	}
	tq_add_gen(pk, t, &hf_segment_count, w, 0, m->nfrags);
	tq_add_gen(pk, t, &hf_reassembled_len, w, 0, m->datalen);
	tq_gen(tq_add(pk, t, &hf_reassembled_data, w, 0, w->len));
	/* move it from the end of the root's list to just after the TCP item */
	if (t && tcp_item->next != t) {
		struct tq_node *prev = tcp_item;
		while (prev->next && prev->next != t)
			prev = prev->next;
		if (prev->next == t) {
			prev->next = t->next;
			if (root->last == t)
				root->last = prev;
			t->next = tcp_item->next;
			tcp_item->next = t;
		}
	}
}

static void
segment_data_n(struct tq_pkt *pk, struct tq_node *tcp_tree, const struct tq_slice *seg, uint32_t off,
    uint32_t n, const char *what)
{
	struct tq_node *d = tq_add(pk, tcp_tree, &hf_segment_data, seg, off, n);
	tq_set_label(pk, d, "%sTCP segment data (%u byte%s)", what, n, n == 1 ? "" : "s");
}

static void
segment_data(struct tq_pkt *pk, struct tq_node *tcp_tree, const struct tq_slice *seg, uint32_t off, const char *what)
{
	uint32_t n = seg->len > off ? seg->len - off : 0;
	struct tq_node *d = tq_add(pk, tcp_tree, &hf_segment_data, seg, off, n);
	tq_set_label(pk, d, "%sTCP segment data (%u byte%s)", what, n, n == 1 ? "" : "s");
}

/*
 * Wireshark's TCP desegmentation: a stream protocol that cannot finish a PDU
 * asks for more, TCP keeps the pieces in a multisegment PDU and calls it again
 * on the rebuilt bytes in the frame that completes it.  Pass 1 builds the
 * PDUs; pass 2 walks the same path over them to build one frame's tree.
 */
static void
desegment(struct tq_pkt *pk, struct tcp_conv *tc, int dir, const struct tq_dissector *app, const struct tq_tcp_frame *tf,
    struct tq_node *tcp_tree, struct tq_node *tcp_item, const struct tq_slice *seg, uint32_t seq)
{
	struct flow *fwd = &tc->flow[dir];
	uint32_t nxtseq = seq + seg->len;
	uint32_t offset = 0;
	/* generated items sit at the start of the TCP header, as Wireshark's */
	struct tq_slice hdr = *seg;
	hdr.pos = tcp_item ? tcp_item->pos : seg->pos;

	for (int guard = 0; guard < 64 && offset < seg->len; guard++) {
		struct msp *head = NULL;
		int called = 0, must_desegment = 0;
		uint32_t another = 0, deseg_offset = offset, len = 0;
		pk->deseg_offset = pk->deseg_len = 0;

		struct msp *m = msp_exact(fwd, seq);
		if (m) {
			/* the start of a known PDU: its first frame, or a copy of it */
			if (m->first_frame == pk->num) {
				if (offset == 0) {
					tq_col_proto(pk, "TCP");
					tq_col_info_append(pk, " [TCP segment of a reassembled PDU]");
				}
				if (m->reassembled_in && m->reassembled_in != pk->num)
					tq_add_gen(pk, tcp_tree, &hf_reassembled_in, &hdr, 0, m->reassembled_in);
				segment_data(pk, tcp_tree, seg, offset, "");
			} else {
				segment_data(pk, tcp_tree, seg, offset, "Retransmitted ");
			}
			return;
		}
		if (tf && (tf->flags & TA_RETRANSMISSION)) {
			segment_data(pk, tcp_tree, seg, offset, "Retransmitted ");
			return;
		}
		/* tshark 4.0 leaves a spurious retransmission that does not start a
		 * known PDU alone: no segment data, no reassembly, no subdissector */
		if (tf && (tf->flags & TA_SPURIOUS_RETRANSMISSION))
			return;
		m = msp_le(fwd, seq - 1);
		if (m && LE_SEQ(m->seq, seq) && GT_SEQ(m->nxtpdu, seq)) {
			if (pk->pass == 1)
				m->last_frame = pk->num;
			len = m->entire ? seg->len - offset :
			    (LT_SEQ(nxtseq, m->nxtpdu) ? nxtseq : m->nxtpdu) - seq;
			head = msp_add(pk, m, seg, offset, seq - m->seq, len, LT_SEQ(nxtseq, m->nxtpdu));
			if (pk->pass == 1 && m->entire) {
				m->entire = 0;
				m->nxtpdu = nxtseq;
			}
			if (LT_SEQ(m->nxtpdu, nxtseq) && !LT_SEQ(m->nxtpdu, seq) && len > 0)
				another = m->nxtpdu - seq;
		} else {
			struct tq_slice rest = tq_sub_rest(seg, offset);
			called = call_app(pk, app, tf, &rest);
			if (pk->deseg_len) {
				must_desegment = 1;
				deseg_offset = offset + pk->deseg_offset;
			}
		}

		if (head && head->reassembled_in == pk->num) {
			/* this segment completes the PDU: dissect the whole of it */
			struct tq_slice w;
			if (msp_rebuild(pk, head, &w) == 0) {
				pk->tcp->is_reassembled = 1;
				called = call_app(pk, app, tf, &w);
				pk->tcp->is_reassembled = 0;
				if (pk->deseg_len) {
					/*
					 * It needs more than we thought (it asked for one more
					 * segment, say, and now knows how much).  When the PDU it
					 * could not finish starts in this segment, the bytes
					 * before stay one PDU, rebuilt here, and the rest starts
					 * the next one (Wireshark's split_msp); else this PDU
					 * grows, rebuilt again later.
					 */
					struct msp *grow = m;
					if (pk->deseg_offset == 0 || LE_SEQ(m->seq + pk->deseg_offset, seq)) {
						if (pk->pass == 1) {
							m->partial = 1;
							m->reassembled_in = 0;
							m->have_last = 0;
						}
					} else {
						if (pk->pass == 1)
							grow = msp_split(pk, fwd, m, pk->deseg_offset);
						segments_tree(pk, tcp_item, head, &w);
					}
					if (pk->pass == 1 && grow) {
						if (pk->deseg_len == TQ_DESEG_ONE_MORE) {
							grow->nxtpdu = (GT_SEQ(nxtseq, grow->nxtpdu) ? nxtseq : grow->nxtpdu) + 1;
							grow->entire = 1;
						} else if (!LT_SEQ(seq + len, grow->nxtpdu)) {
							grow->nxtpdu = seq + len + pk->deseg_len;
						} else {
							grow->nxtpdu += pk->deseg_len;
						}
					}
					/* nothing else can follow in this segment but more of it */
					if (!len)
						return;
					offset += len;
					seq += len;
					continue;
				}
				/* the bytes of this PDU only, when another one follows */
				segment_data_n(pk, tcp_tree, seg, offset, another ? another : seg->len - offset, "");
				segments_tree(pk, tcp_item, head, &w);
			}
		}

		if (must_desegment) {
			uint32_t deseg_seq = seq + (deseg_offset - offset);
			if (pk->pass == 1 && nxtseq - deseg_seq <= 1024 * 1024) {
				struct msp *nm;
				if (pk->deseg_len == TQ_DESEG_ONE_MORE) {
					nm = msp_new(pk, fwd, deseg_seq, nxtseq + 1);
					if (nm)
						nm->entire = 1;
				} else {
					nm = msp_new(pk, fwd, deseg_seq, nxtseq + pk->deseg_len);
				}
				if (nm)
					msp_add(pk, nm, seg, deseg_offset, 0, nxtseq - deseg_seq, LT_SEQ(nxtseq, nm->nxtpdu));
			} else if (pk->pass != 1) {
				/* pass 1 made a PDU of the rest: say where it was rebuilt */
				head = msp_exact(fwd, deseg_seq);
			}
		}

		if (!called || pk->deseg_len) {
			if (head && head->reassembled_in && head->reassembled_in != pk->num && !head->partial)
				tq_add_gen(pk, tcp_tree, &hf_reassembled_in, &hdr, 0, head->reassembled_in);
			/* after the first PDU Wireshark fences Info and locks Protocol */
			if (pk->deseg_offset == 0 && offset == 0) {
				tq_col_proto(pk, "TCP");
				tq_col_info_append(pk, " [TCP segment of a reassembled PDU]");
			}
			/* a segment (out of order, say) that ends one unfinished PDU and
			 * starts the next shows the first PDU's bytes only */
			if (!called && another)
				segment_data_n(pk, tcp_tree, seg, deseg_offset, another, "");
			else
				segment_data(pk, tcp_tree, seg, deseg_offset, "");
		}
		if (!another)
			return;
		offset += another;
		seq += another;
	}
}

static void
payload(struct tq_pkt *pk, struct tq_conv *conv, struct tcp_conv *tc, int dir, const struct tcph *h,
    const struct tq_tcp_frame *tf, struct tq_node *tcp_item, struct tq_slice *pl)
{
	if (!tc) {
		tq_dissect_data(pk, pl);
		return;
	}
	const char *inner;
	const struct tq_dissector *app = stream_app(pk, tc, h->sport, h->dport, &inner);
	/* Wireshark's heuristics (TLS's): between ports no dissector claims
	 * (some that do give up on data not theirs; we leave those alone), a
	 * segment that looks like the protocol makes the stream its own from
	 * there on */
	if (!app && pk->pass == 1 && !tc->switch_from && !(tf && (tf->flags & (TA_RETRANSMISSION | TA_OUT_OF_ORDER | TA_SPURIOUS_RETRANSMISSION))) &&
	    !tq_tcp_port_claimed(h->sport) && !tq_tcp_port_claimed(h->dport) &&
	    (app = tq_heur_find(TQ_TAB_TCP_PORT, pk, pl->p, pl->len)) != NULL) {
		tc->switch_from = pk->num;
		tc->switch_to = app->id;
	}
	struct tq_tcpinfo ti = {
		.conv = conv, .dir = dir, .from_client = tc->client >= 0 ? dir == tc->client : dir == 0,
		.seq = h->seq - tc->flow[dir].base_seq, .nxtseq = h->seq - tc->flow[dir].base_seq + h->seglen,
		.app_state = app_state(pk, tc, app), .inner = inner, .server_port = tc->server_port,
		.can_desegment = pl->len >= h->seglen,
	};
	struct tq_tcpinfo *saved = pk->tcp;
	pk->tcp = &ti;
	pk->sport = h->sport;
	pk->dport = h->dport;
	if (ti.can_desegment)
		desegment(pk, tc, dir, app, tf, tcp_item, tcp_item, pl, h->seq);
	else
		call_app(pk, app, tf, pl);   /* cut short by the snapshot length: no reassembly */
	pk->tcp = saved;
}

/*
 * The TCP header of the packet an ICMP error quotes: Wireshark shows it
 * without the segment length and without sequence analysis, so with the raw
 * sequence number, but in its stream.
 */
static void
error_tree(struct tq_pkt *pk, const struct tq_slice *s, struct tcph *h, const struct tq_conv *conv,
    const struct tcp_conv *tc, const struct tq_tcp_frame *tf, struct optctx *oc)
{
	struct tq_node *t = tq_add_proto(pk, tq_root(pk), &hf_tcp, s, 0, h->hlen < s->len ? h->hlen : s->len);
	tq_append(pk, t, ", Src Port: %u, Dst Port: %u, Seq: %u", h->sport, h->dport, h->seq);
	tq_add(pk, t, &hf_srcport, s, 0, 2);
	tq_add(pk, t, &hf_dstport, s, 2, 2);
	TQ_HIDDEN(pk, tq_add(pk, t, &hf_port, s, 0, 2));
	TQ_HIDDEN(pk, tq_add(pk, t, &hf_port, s, 2, 2));
	tq_add(pk, t, &hf_seq, s, 4, 4);
	if (conv && tc) {
		tq_add_gen(pk, t, &hf_stream, s, 0, conv->index);
		struct tq_node *cn = tq_add_gen(pk, t, &hf_completeness, s, 0, tc->completeness);
		tq_set_valtext(pk, cn, "%s (%u)", completeness_text(tc->completeness), tc->completeness);
	}
	tq_add(pk, t, &hf_ack, s, 8, 4);
	tq_add(pk, t, &hf_ack_raw, s, 8, 4);
	char bits[32], fs[64];
	tq_fmt_bits(bits, sizeof(bits), (uint64_t)h->hlen / 4 << 4, 0xf0, 8);
	tq_set_label(pk, tq_add_u(pk, t, &hf_hdr_len, s, 12, 1, h->hlen), "%sHeader Length: %u bytes (%u)",
	    bits, h->hlen, h->hlen / 4);
	flags_str(h->flags, fs, sizeof(fs));
	struct tq_node *fl = tq_add_u(pk, t, &hf_flags, s, 12, 2, h->flags);
	tq_set_label(pk, fl, "Flags: 0x%03x (%s)", h->flags, fs);
	flag_items(pk, fl, s, h, NULL);
	tq_add(pk, t, &hf_window, s, 14, 2);
	tq_gen(tq_add_u(pk, t, &hf_window_calc, s, 14, 2, h->win));
	tq_append(pk, tq_add(pk, t, &hf_checksum, s, 16, 2), " [unverified]");
	tq_gen(tq_add_u(pk, t, &hf_checksum_status, s, 16, 0, 2));
	tq_add(pk, t, &hf_urgent, s, 18, 2);
	if (h->hlen > 20) {
		uint32_t olen = (h->hlen < s->len ? h->hlen : s->len) - 20u;
		struct tq_node *on = tq_add(pk, t, &hf_options, s, 20, olen);
		oc->tree = on;
		options(oc, 20, h->hlen, h);
		tq_set_label(pk, on, "Options: (%u bytes)%s", h->hlen - 20u, tq_sbuf_str(oc->names));
	}
	if (tc && tf) {
		struct tq_node *ts = tq_gen(tq_add_text(pk, t, s, 0, 0, "Timestamps"));
		int64_t rs;
		int32_t rns;
		tq_reltime_delta(pk->fr->sec, (int32_t)pk->fr->nsec, tc->first_s, tc->first_ns, &rs, &rns);
		tq_gen(tq_add_time(pk, ts, &hf_time_rel, s, 0, 0, rs, rns));
		add_ns(pk, ts, &hf_time_delta, s, ns_since(pk, tf->prev_frame));
	}
}

int
tq_dissect_tcp(struct tq_pkt *pk, struct tq_slice *s)
{
	tq_col_proto(pk, "TCP");
	struct tq_cursor c = tq_cursor_make(s->p, s->len);
	struct tcph h;
	memset(&h, 0, sizeof(h));
	h.wscale = -1;
	h.sport = tq_get_be16(&c);
	h.dport = tq_get_be16(&c);
	h.seq = tq_get_be32(&c);
	h.ack = tq_get_be32(&c);
	uint16_t off_flags = tq_get_be16(&c);
	h.win = tq_get_be16(&c);
	h.cksum = tq_get_be16(&c);
	h.urp = tq_get_be16(&c);
	h.hlen = (uint8_t)((off_flags >> 12) * 4);
	h.flags = off_flags & 0x0fff;

	tq_col_info_clear(pk);
	tq_col_info_put_u(pk, "", h.sport);
	tq_col_info_put_u(pk, " \xe2\x86\x92 ", h.dport);
	if (c.err && (s->len < 16 || s->rlen < 20)) {
		/* the header is cut: by the capture (its snapshot length), or for real;
		 * with the window in, tshark shows the header up to there (below) */
		struct tq_node *t = tq_add_proto(pk, tq_root(pk), &hf_tcp, s, 0, s->len);
		if (s->len >= 4) {
			uint16_t sp = tq_peek_be16(s->p, s->len, 0), dp = tq_peek_be16(s->p, s->len, 2);
			tq_append(pk, t, ", Src Port: %u, Dst Port: %u", sp, dp);
			tq_add(pk, t, &hf_srcport, s, 0, 2);
			tq_add(pk, t, &hf_dstport, s, 2, 2);
			TQ_HIDDEN(pk, tq_add(pk, t, &hf_port, s, 0, 2));
			TQ_HIDDEN(pk, tq_add(pk, t, &hf_port, s, 2, 2));
		}
		if (s->rlen >= 20)
			tq_truncated(pk, "TCP");
		else
			tq_malformed(pk, "TCP");
		return (int)s->len;
	}
	if (h.hlen < 20 || h.hlen > s->rlen) {
		struct tq_node *t = tq_add_proto(pk, tq_root(pk), &hf_tcp, s, 0, s->len < 20 ? s->len : 20);
		tq_add(pk, t, &hf_srcport, s, 0, 2);
		tq_add(pk, t, &hf_dstport, s, 2, 2);
		tq_col_info_append(pk, h.hlen < 20 ? " [BOGUS TCP HEADER LENGTH %u, must be at least 20]" : " [BOGUS TCP HEADER LENGTH %u]", h.hlen);
		if (h.hlen >= 20)
			tq_malformed(pk, "TCP");
		return (int)s->len;
	}
	h.seglen = s->rlen - h.hlen;
	int analysis = pk->src.kind != AT_NONE;

	/* conversation: find it (pass 1 creates it), inside ICMP errors too */
	struct tq_conv *conv = NULL;
	struct tcp_conv *tc = NULL;
	int dir = 0, reused = 0;
	if (analysis) {
		/* pass 2: the conversation pass 1 found for this frame, when it is this header's */
		const struct tq_tcp_frame *seen = pk->pass != 1 && !pk->in_error ? pk->fr->tcp : NULL;
		if (seen && seen->conv && seen->conv->owner &&
		    tq_conv_is(seen->conv->owner, CONV_TCP, &pk->src, &pk->dst, h.sport, h.dport))
			conv = seen->conv->owner;
		else
			conv = tq_conv_find_at(pk->cap, CONV_TCP, &pk->src, &pk->dst, h.sport, h.dport, 0, pk->pass == 1, pk->num);
		if (conv) {
			if (!conv->data && pk->pass == 1)
				conv_state_new(pk, conv);
			tc = conv->data;
			dir = tq_conv_from_a(conv, &pk->src, h.sport) ? 0 : 1;
		}
		/*
		 * Ports reused: a SYN whose sequence number is not the one this
		 * direction started with opens a new conversation on the same
		 * addresses and ports, a new stream with all its state fresh
		 * (Wireshark 4.0's dissect_tcp; a SYN with the same number is a
		 * retransmission, even after a FIN or RST).  Later frames find
		 * the new one, earlier frames the old one.
		 */
		if (tc && pk->pass == 1 && !pk->in_error && (h.flags & (TH_SYN | TH_ACK)) == TH_SYN &&
		    tc->flow[dir].base_set && h.seq != tc->flow[dir].base_seq) {
			struct tq_conv *nc = tq_conv_new_from(pk->cap, CONV_TCP, &pk->src, &pk->dst, h.sport, h.dport, 0, pk->num);
			if (nc)
				conv_state_new(pk, nc);
			if (nc && nc->data) {
				conv = nc;
				tc = nc->data;
				dir = 0;
				reused = 1;
			}
		}
	}

	/* options first in pass 1: the window scale feeds the analysis */
	struct tq_sbuf names;
	tq_sbuf_init(&names, 0);
	struct optctx oc = { pk, NULL, s, tc, dir, h.ack, h.flags, &names, 0 };
	if (pk->pass == 1) {
		int wc = pk->want_cols;
		pk->want_cols = 0;
		if (h.hlen > 20)
			options(&oc, 20, h.hlen, &h);
		pk->want_cols = wc;
		h.opts_truncated = oc.truncated;
		if (tc && pk->in_error) {
			pass1_error(pk, conv, tc, dir, &h);
			tq_sbuf_free(&names);
			return (int)s->len;
		}
		if (tc)
			pass1(pk, conv, tc, dir, &h);
		if (reused && pk->fr->tcp && pk->fr->tcp->conv == tc)
			ta_set(pk->fr->tcp, TA_REUSED_PORTS);
		tq_sbuf_free(&names);
		if (tc && h.seglen > 0 && s->len > h.hlen) {
			struct tq_slice pl = tq_sub_rest(s, h.hlen);
			payload(pk, conv, tc, dir, &h, pk->fr->tcp, NULL, &pl);
		}
		return (int)s->len;
	}

	const struct tq_tcp_frame *tf = (tc && pk->fr->tcp && pk->fr->tcp->conv == tc) ? pk->fr->tcp : NULL;
	if (pk->in_error) {
		error_tree(pk, s, &h, conv, tc, tf, &oc);
		tq_sbuf_free(&names);
		return (int)s->len;
	}
	const struct flow *fwd = tc ? &tc->flow[dir] : NULL, *rev = tc ? &tc->flow[!dir] : NULL;
	uint32_t rseq = fwd ? h.seq - base_at(fwd, pk->num) : h.seq;
	uint32_t rack = (rev && (h.flags & TH_ACK)) ? h.ack - base_at(rev, pk->num) : h.ack;
	/* pass 2 flags a SYN+ACK that moves the base from where it was (synack_base) */
	uint32_t xflags = fwd && fwd->base_set && (h.flags & (TH_SYN | TH_ACK)) == (TH_SYN | TH_ACK) &&
	    base_at(fwd, pk->num - 1) != h.seq ? TA_REUSED_PORTS : 0;
	uint32_t nxtseq = rseq + h.seglen + ((h.flags & (TH_SYN | TH_FIN)) ? 1 : 0);
	uint32_t calc_win = h.win;
	int scale = fwd ? fwd->win_scale : -1;
	if (!(h.flags & TH_SYN) && scale >= 0)
		calc_win = (uint32_t)h.win << scale;

	char fs[64];
	flags_str(h.flags, fs, sizeof(fs));
	tq_col_info_puts(pk, " [");
	tq_col_info_puts(pk, fs);
	tq_col_info_put_u(pk, "] Seq=", rseq);
	if (h.flags & TH_ACK)
		tq_col_info_put_u(pk, " Ack=", rack);
	tq_col_info_put_u(pk, " Win=", calc_win);
	if (s->len >= 20) {
		/* tshark writes these once it has read the urgent pointer */
		if (h.flags & TH_URG)
			tq_col_info_put_u(pk, " Urg=", h.urp);
		tq_col_info_put_u(pk, " Len=", h.seglen);
	}

	struct tq_node *t = tq_add_proto(pk, tq_root(pk), &hf_tcp, s, 0, h.hlen < s->len ? h.hlen : s->len);
	tq_append(pk, t, ", Src Port: %u, Dst Port: %u, Seq: %u", h.sport, h.dport, rseq);
	if (h.flags & TH_ACK)
		tq_append(pk, t, ", Ack: %u", rack);
	tq_append(pk, t, ", Len: %u", h.seglen);
	tq_add(pk, t, &hf_srcport, s, 0, 2);
	tq_add(pk, t, &hf_dstport, s, 2, 2);
	TQ_HIDDEN(pk, tq_add(pk, t, &hf_port, s, 0, 2));
	TQ_HIDDEN(pk, tq_add(pk, t, &hf_port, s, 2, 2));
	if (conv && tc) {
		tq_add_gen(pk, t, &hf_stream, s, 0, conv->index);
		(void)0;
		unsigned compl = tc->completeness;
		if (tc->first_is_synack && tc->first_frame == pk->num)
			compl &= ~COMPL_SYNACK;
		struct tq_node *cn = tq_add_gen(pk, t, &hf_completeness, s, 0, compl);
		tq_set_valtext(pk, cn, "%s (%u)", completeness_text(compl), compl);
	}
	tq_add_gen(pk, t, &hf_len, s, 0, h.seglen);
	struct tq_node *n = tq_add_u(pk, t, &hf_seq, s, 4, 4, rseq);
	if (fwd)
		tq_set_valtext(pk, n, "%u    (relative sequence number)", rseq);
	tq_add(pk, t, &hf_seq_raw, s, 4, 4);
	if (h.seglen || (h.flags & (TH_SYN | TH_FIN)) || fwd) {
		n = tq_add_gen(pk, t, &hf_nxtseq, s, 0, fwd ? nxtseq : h.seq + h.seglen);
		if (fwd)
			tq_set_valtext(pk, n, "%u    (relative sequence number)", nxtseq);
	}
	n = tq_add_u(pk, t, &hf_ack, s, 8, 4, rack);
	if ((h.flags & TH_ACK) && rev)
		tq_set_valtext(pk, n, "%u    (relative ack number)", rack);
	tq_add(pk, t, &hf_ack_raw, s, 8, 4);
	if (t) {
		char bits[32];
		tq_fmt_bits(bits, sizeof(bits), off_flags >> 8, 0xf0, 8);
		tq_set_label(pk, tq_add_u(pk, t, &hf_hdr_len, s, 12, 1, h.hlen), "%sHeader Length: %u bytes (%u)",
		    bits, h.hlen, h.hlen / 4);
	}
	struct tq_node *fl = tq_add_u(pk, t, &hf_flags, s, 12, 2, h.flags);
	tq_set_label(pk, fl, "Flags: 0x%03x (%s)", h.flags, fs);
	flag_items(pk, fl, s, &h, tf);
	tq_add(pk, t, &hf_window, s, 14, 2);
	tq_gen(tq_add_u(pk, t, &hf_window_calc, s, 14, 2, calc_win));
	if (tc && !(h.flags & TH_SYN)) {
		struct tq_node *sc = tq_gen(tq_add_u(pk, t, &hf_window_scale, s, 14, 2,
		    (uint64_t)(int64_t)(scale >= 0 ? 1 << scale : scale)));
		if (scale == -1)
			tq_set_valtext(pk, sc, "-1 (unknown)");
		else if (scale == -2)
			tq_set_valtext(pk, sc, "-2 (no window scaling used)");
	}
	if (s->len < 20) {
		/* cut by the capture inside the fixed header */
		if (s->len >= 18) {
			tq_append(pk, tq_add(pk, t, &hf_checksum, s, 16, 2), " [unverified]");
			tq_gen(tq_add_u(pk, t, &hf_checksum_status, s, 16, 0, 2));
		}
		tq_sbuf_free(&names);
		tq_truncated(pk, "TCP");
		return (int)s->len;
	}
	tq_append(pk, tq_add(pk, t, &hf_checksum, s, 16, 2), " [unverified]");
	tq_gen(tq_add_u(pk, t, &hf_checksum_status, s, 16, 0, 2));
	tq_add(pk, t, &hf_urgent, s, 18, 2);
	if (h.hlen > 20) {
		uint32_t olen = (h.hlen < s->len ? h.hlen : s->len) - 20u;
		struct tq_node *on = tq_add(pk, t, &hf_options, s, 20, olen);
		oc.tree = on;
		options(&oc, 20, h.hlen, &h);
		tq_set_label(pk, on, "Options: (%u bytes)%s", h.hlen - 20u, tq_sbuf_str(&names));
	}
	tq_sbuf_free(&names);

	if (tc && tf) {
		struct tq_node *ts = tq_gen(tq_add_text(pk, t, s, 0, 0, "Timestamps"));
		int64_t rs;
		int32_t rns;
		tq_reltime_delta(pk->fr->sec, (int32_t)pk->fr->nsec, tc->first_s, tc->first_ns, &rs, &rns);
		tq_gen(tq_add_time(pk, ts, &hf_time_rel, s, 0, 0, rs, rns));
		add_ns(pk, ts, &hf_time_delta, s, ns_since(pk, tf->prev_frame));
		/* options cut short end the header before the analysis, as in tshark */
		if (!oc.truncated)
			seq_analysis_tree(pk, t, s, tf, tc, xflags);
		if (tc->client >= 0 || conv)
			TQ_HIDDEN(pk, tq_add_gen(pk, t, &hf_from_client, s, 0,
			    tc->client >= 0 ? (dir == tc->client) : (dir == 0)));
	}

	if (oc.truncated) {
		tq_truncated(pk, "TCP");
		return (int)s->len;
	}
	if (h.seglen > 0 && s->len > h.hlen) {
		/* the label counts the payload on the wire, the item what was captured */
		struct tq_node *p = tq_add(pk, t, &hf_payload, s, h.hlen, s->len - h.hlen);
		tq_set_label(pk, p, "TCP payload (%u byte%s)", h.seglen, h.seglen == 1 ? "" : "s");
		struct tq_slice pl = tq_sub_rest(s, h.hlen);
		payload(pk, conv, tc, dir, &h, tf, t, &pl);
	}
	return (int)s->len;
}
