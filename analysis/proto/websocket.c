/*
 * websocket.c - WebSocket (RFC 6455) as Wireshark 4.0 shows it after HTTP's
 * "101 Switching Protocols" (or by decode as): each frame's header (FIN,
 * reserved bits, opcode, mask, the payload length and its 16- or 64-bit
 * extension, the masking key), the payload unmasked into a data source of its
 * own ("Unmasked data", at most 256 KiB of it, as Wireshark's default
 * preference), text as "Line-based text data", binary as data, and the
 * control frames (Close with its status code and reason, Ping, Pong).
 *
 * Frames are PDUs of the TCP stream (tcp_dissect_pdus with a 2-byte fixed
 * part), so one split over segments is reassembled and several in one
 * segment are each shown.
 *
 * Not done: the reassembly of a message fragmented over several frames.
 * Each fragment shows what Wireshark's shows of it (the first its payload
 * item, the middle ones their "Continue" bytes as well), but the last lacks
 * the fragment list Wireshark adds, and a frame after a middle fragment in
 * the same segment is dissected, where Wireshark leaves its data alone;
 * permessage-deflate (compressed payloads show as the bytes sent), and the
 * ws.port / ws.protocol sub-dissector tables (no protocol above WebSocket).
 */
#include "config.h"

#include <string.h>

#include "../internal.h"
#include "http.h"

enum { WS_CONTINUE = 0x0, WS_TEXT = 0x1, WS_BINARY = 0x2, WS_CLOSE = 0x8, WS_PING = 0x9, WS_PONG = 0xa };

#define MAX_UNMASKED (256u * 1024u)     /* Wireshark's max_unmasked_len preference */

static const struct tq_vals opcode_vals[] = {
	{ WS_CONTINUE, "Continuation" }, { WS_TEXT, "Text" }, { WS_BINARY, "Binary" },
	{ WS_CLOSE, "Connection Close" }, { WS_PING, "Ping" }, { WS_PONG, "Pong" }, { 0, NULL },
};

static const struct tq_vals close_status_vals[] = {
	{ 1000, "Normal Closure" }, { 1001, "Going Away" }, { 1002, "Protocol error" },
	{ 1003, "Unsupported Data" }, { 1004, "---Reserved----" }, { 1005, "No Status Rcvd" },
	{ 1006, "Abnormal Closure" }, { 1007, "Invalid frame payload data" }, { 1008, "Policy Violation" },
	{ 1009, "Message Too Big" }, { 1010, "Mandatory Ext." }, { 1011, "Internal Server" },
	{ 1015, "TLS handshake" }, { 0, NULL },
};

static struct tq_field hf_ws = HF("websocket", "WebSocket", FT_PROTOCOL, BASE_NONE, NULL, 0);
static struct tq_field hf_fin = HF("websocket.fin", "Fin", FT_BOOLEAN, 8, NULL, 0x80);
static struct tq_field hf_rsv = HF("websocket.rsv", "Reserved", FT_UINT8, BASE_HEX, NULL, 0x70);
static struct tq_field hf_opcode = HF("websocket.opcode", "Opcode", FT_UINT8, BASE_DEC, opcode_vals, 0x0f);
static struct tq_field hf_mask = HF("websocket.mask", "Mask", FT_BOOLEAN, 8, NULL, 0x80);
static struct tq_field hf_len = HF("websocket.payload_length", "Payload length", FT_UINT8, BASE_DEC, NULL, 0x7f);
static struct tq_field hf_len16 = HF("websocket.payload_length_ext_16", "Extended Payload length (16 bits)", FT_UINT16, BASE_DEC, NULL, 0);
static struct tq_field hf_len64 = HF("websocket.payload_length_ext_64", "Extended Payload length (64 bits)", FT_UINT64, BASE_DEC, NULL, 0);
static struct tq_field hf_masking_key = HF("websocket.masking_key", "Masking-Key", FT_BYTES, BASE_NONE, NULL, 0);
static struct tq_field hf_payload = HF("websocket.payload", "Payload", FT_NONE, BASE_NONE, NULL, 0);
static struct tq_field hf_masked_payload = HF("websocket.masked_payload", "Masked payload", FT_NONE, BASE_NONE, NULL, 0);
static struct tq_field hf_continue = HF("websocket.payload.continue", "Continue", FT_BYTES, BASE_NONE, NULL, 0);
static struct tq_field hf_text = HF("websocket.payload.text", "Text", FT_STRING, BASE_NONE, NULL, 0);
static struct tq_field hf_close = HF("websocket.payload.close", "Close", FT_NONE, BASE_NONE, NULL, 0);
static struct tq_field hf_close_status = HF("websocket.payload.close.status_code", "Status code", FT_UINT16, BASE_DEC, close_status_vals, 0);
static struct tq_field hf_close_reason = HF("websocket.payload.close.reason", "Reason", FT_STRING, BASE_NONE, NULL, 0);
static struct tq_field hf_ping = HF("websocket.payload.ping", "Ping", FT_BYTES, BASE_NONE, NULL, 0);
static struct tq_field hf_pong = HF("websocket.payload.pong", "Pong", FT_BYTES, BASE_NONE, NULL, 0);
static struct tq_field hf_unknown = HF("websocket.payload.unknown", "Unknown", FT_BYTES, BASE_NONE, NULL, 0);

static struct tq_expert ei_unknown =
	EI("websocket.payload.unknown.expert", "Dissector for Websocket Opcode", PI_NOTE, PI_UNDECODED);
static struct tq_expert ei_not_unmasked =
	EI("websocket.payload.not.fully.unmasked", "Payload not fully unmasked", PI_NOTE, PI_UNDECODED);

static struct tq_field *const fields[] = {
	&hf_ws, &hf_fin, &hf_rsv, &hf_opcode, &hf_mask, &hf_len, &hf_len16, &hf_len64, &hf_masking_key,
	&hf_payload, &hf_masked_payload, &hf_continue, &hf_text, &hf_close, &hf_close_status,
	&hf_close_reason, &hf_ping, &hf_pong, &hf_unknown, &ei_unknown.f, &ei_not_unmasked.f,
};

static int dissect_websocket(struct tq_pkt *pk, struct tq_slice *s);

static struct tq_dissector websocket = { .name = "websocket", .dissect = dissect_websocket };

void
tq_register_websocket(void)
{
	TQ_REGISTER(fields);
	/* on no table: reached from HTTP's upgrade by name, and by decode as */
	tq_dissector_register(&websocket);
}

/* ------------------------------------------------------------------ payload */

/* A string field of UTF-8 bytes (ENC_UTF_8). */
static void
add_utf8(struct tq_pkt *pk, struct tq_node *parent, const struct tq_field *f, const struct tq_slice *s,
    uint32_t off, uint32_t len)
{
	const char *u = parent ? tq_utf8_string(pk->arena, s->p + off, len) : NULL;
	if (u)
		tq_add_str(pk, parent, f, s, off, len, u);
}

/* An opcode Wireshark has no dissector for: its bytes and a note saying so. */
static void
unknown_opcode(struct tq_pkt *pk, struct tq_node *parent, const struct tq_slice *pl, uint8_t opcode)
{
	if (!tq_have(pk, pl, 0, pl->len, "WebSocket"))
		return;
	struct tq_node *n = tq_add(pk, parent, &hf_unknown, pl, 0, pl->len);
	tq_expert(pk, n, &ei_unknown, "Dissector for Websocket Opcode (%d) code not implemented, "
	    "Contact Wireshark developers if you want this supported", opcode);
}

static void
control_frame(struct tq_pkt *pk, struct tq_node *pl_tree, const struct tq_slice *pl, uint8_t opcode)
{
	uint32_t len = pl->rlen;
	switch (opcode) {
	case WS_CLOSE: {
		struct tq_node *c = tq_add(pk, pl_tree, &hf_close, pl, 0, len < pl->len ? len : pl->len);
		if (len >= 2) {
			if (!tq_have(pk, pl, 0, 2, "WebSocket"))
				return;
			tq_add(pk, c, &hf_close_status, pl, 0, 2);
			if (len > 2 && tq_have(pk, pl, 2, len - 2, "WebSocket"))
				add_utf8(pk, c, &hf_close_reason, pl, 2, len - 2);
		}
		break;
	}
	case WS_PING:
	case WS_PONG:
		if (tq_have(pk, pl, 0, len, "WebSocket"))
			tq_add(pk, pl_tree, opcode == WS_PING ? &hf_ping : &hf_pong, pl, 0, len);
		break;
	default:
		unknown_opcode(pk, pl_tree, pl, opcode);
		break;
	}
}

static void
data_frame(struct tq_pkt *pk, struct tq_node *pl_tree, struct tq_slice *pl, uint8_t opcode)
{
	switch (opcode) {
	case WS_TEXT:
		/* the text as far as it was captured, then as lines (Wireshark's default for text) */
		add_utf8(pk, pl_tree, &hf_text, pl, 0, pl->len);
		tq_text_lines(pk, pl, NULL, 0);
		break;
	case WS_BINARY:
		tq_dissect_data(pk, pl);
		break;
	default:
		unknown_opcode(pk, pl_tree, pl, opcode);
		break;
	}
}

/* The payload (unmasked) under the frame's item ws; opcode and fin from its header. */
static void
payload(struct tq_pkt *pk, struct tq_node *ws, struct tq_slice *pl, uint8_t fin, uint8_t opcode,
    uint32_t masked_len)
{
	struct tq_node *pl_tree = tq_add(pk, ws, &hf_payload, pl, 0, pl->rlen < pl->len ? pl->rlen : pl->len);
	if (masked_len > pl->len)
		tq_expert(pk, pl_tree, &ei_not_unmasked, "Payload not fully unmasked. %u bytes not yet unmasked "
		    "due to the preference of max unmasked length limit (%u bytes).", masked_len - pl->len, MAX_UNMASKED);
	if (opcode & 8) {                   /* control frames have the high bit set */
		control_frame(pk, pl_tree, pl, opcode);
		return;
	}
	if (!fin || opcode == WS_CONTINUE) {
		/* a fragment: its data is not dissected; a middle one's bytes are shown in the frame's tree */
		if (opcode == WS_CONTINUE && !fin && tq_have(pk, pl, 0, pl->rlen, "WebSocket"))
			tq_add(pk, tq_root(pk), &hf_continue, pl, 0, pl->rlen);
		return;
	}
	data_frame(pk, pl_tree, pl, opcode);
}

/* ------------------------------------------------------------------ frames */

/*
 * The length of the frame at off (its header, masking key and payload), as
 * Wireshark's get_websocket_frame_length computes it in 32 bits; 0 when the
 * extended length is not within the reported bytes yet.  Its reads are
 * checked: -1 when one went past the captured bytes (reported as the
 * exception).
 */
static int64_t
frame_length(struct tq_pkt *pk, const struct tq_slice *s, uint32_t off)
{
	uint32_t rleft = s->rlen - off;
	if (!tq_have(pk, s, off, 2, "WebSocket"))
		return -1;
	uint8_t b1 = s->p[off + 1];
	uint32_t len = b1 & 0x7f, flen = 2;
	if (len == 126 || len == 127) {
		uint32_t ext = len == 126 ? 2 : 8;
		if (rleft - 2 < ext)
			return 0;
		if (!tq_have(pk, s, off + 2, ext, "WebSocket"))
			return -1;
		len = len == 126 ? tq_peek_be16(s->p, s->len, off + 2) : (uint32_t)tq_peek_be32(s->p, s->len, off + 6);
		flen += ext;
	}
	if (b1 & 0x80)
		flen += 4;
	return (uint32_t)(flen + len);     /* wraps as Wireshark's guint does */
}

/* One frame: f is the PDU, its rlen the frame's length. */
static void
frame(struct tq_pkt *pk, struct tq_slice *f)
{
	uint8_t b0 = f->p[0], b1 = f->p[1];
	uint8_t short_len = b1 & 0x7f, fin = b0 & 0x80, opcode = b0 & 0x0f, masked = b1 & 0x80;
	uint32_t mask_off = 2, plen = short_len;
	if (short_len == 126) {
		plen = tq_peek_be16(f->p, f->len, 2);
		mask_off += 2;
	} else if (short_len == 127) {
		plen = tq_peek_be32(f->p, f->len, 6);    /* the low 32 bits, as Wireshark's cast keeps */
		mask_off += 8;
	}
	uint32_t pl_off = mask_off + (masked ? 4 : 0);

	tq_col_proto(pk, "WebSocket");
	tq_col_info_set(pk, "WebSocket");
	const char *op = tq_vals_find(opcode_vals, opcode);
	tq_col_info_append(pk, " %s%s%s", op ? op : "Unknown Opcode", fin ? " [FIN]" : "[FRAGMENT] ",
	    masked ? " [MASKED]" : " ");

	struct tq_node *ws = tq_add(pk, tq_root(pk), &hf_ws, f, 0, pl_off < f->len ? pl_off : f->len);
	tq_add(pk, ws, &hf_fin, f, 0, 1);
	tq_add(pk, ws, &hf_rsv, f, 0, 1);
	tq_add(pk, ws, &hf_opcode, f, 0, 1);
	tq_add(pk, ws, &hf_mask, f, 1, 1);
	struct tq_node *ln = tq_add(pk, ws, &hf_len, f, 1, 1);
	if (short_len == 126) {
		tq_append(pk, ln, " Extended Payload Length (16 bits)");
		tq_add(pk, ws, &hf_len16, f, 2, 2);
	} else if (short_len == 127) {
		tq_append(pk, ln, " Extended Payload Length (64 bits)");
		tq_add(pk, ws, &hf_len64, f, 2, 8);
	}
	if (masked) {
		if (!tq_have(pk, f, mask_off, 4, "WebSocket"))
			return;
		tq_add(pk, ws, &hf_masking_key, f, mask_off, 4);
	}
	if (plen == 0)
		return;

	struct tq_slice pl;
	if (masked) {
		tq_add(pk, ws, &hf_masked_payload, f, pl_off, pl_off < f->len ? (f->len - pl_off < plen ? f->len - pl_off : plen) : 0);
		uint32_t n = plen < MAX_UNMASKED ? plen : MAX_UNMASKED;
		if (!tq_have(pk, f, pl_off, n, "WebSocket"))
			return;
		uint8_t *u = tq_arena_alloc_raw(pk->arena, n ? n : 1);
		if (!u)
			return;
		const uint8_t *key = f->p + mask_off, *src = f->p + pl_off;
		for (uint32_t i = 0; i < n; i++)
			u[i] = src[i] ^ key[i & 3];
		int ds = tq_add_ds(pk, u, n, "Unmasked data");
		if (ds < 0 && pk->tree)
			return;                     /* no room for another data source: shown no further */
		pl = (struct tq_slice){ u, n, plen, 0, (uint8_t)(ds < 0 ? 0 : ds) };
	} else {
		pl = tq_sub(f, pl_off, plen);
		pl.rlen = plen;
		if (pl.len > plen)
			pl.len = plen;
	}
	payload(pk, ws, &pl, fin, opcode, masked ? plen : 0);
}

/* The stream: frames as tcp_dissect_pdus finds them (a fixed part of 2 bytes). */
static int
dissect_websocket(struct tq_pkt *pk, struct tq_slice *s)
{
	int can_deseg = pk->tcp && pk->tcp->can_desegment;
	/* after the upgrade Wireshark reaches WebSocket through HTTP: "tcp:http:websocket" */
	tq_http_upgraded_layer(pk);
	tq_layer(pk, "websocket");          /* once a call, however many frames it finds */
	uint32_t off = 0;
	while (off < s->rlen) {
		uint32_t avail = off < s->len ? s->len - off : 0;
		if (can_deseg && s->rlen - off < 2) {
			pk->deseg_offset = off;
			pk->deseg_len = TQ_DESEG_ONE_MORE;
			return (int)off;
		}
		int64_t flen = frame_length(pk, s, off);
		if (flen < 0)
			return (int)s->len;
		if (flen < 2) {
			if (flen == 0 && can_deseg) {
				pk->deseg_offset = off;
				pk->deseg_len = TQ_DESEG_ONE_MORE;
				return (int)off;
			}
			tq_malformed(pk, "WebSocket");
			return (int)s->len;
		}
		uint32_t plen = (uint32_t)flen;
		if (can_deseg && s->rlen - off < plen) {
			pk->deseg_offset = off;
			pk->deseg_len = plen - (s->rlen - off);
			return (int)off;
		}
		tq_tcp_pdu_size(pk, s, off, plen);
		struct tq_slice f = tq_sub(s, off, plen);
		f.rlen = plen;
		if (f.len > plen)
			f.len = plen;
		frame(pk, &f);
		if (avail < plen)
			break;          /* cut by the snapshot length: Wireshark's exception ends the frame */
		off += plen;
	}
	tq_col_info_fence(pk);
	return (int)(off < s->len ? off : s->len);
}
