/*
 * http2.c - HTTP/2 (RFC 7540, 9113) and HPACK (RFC 7541) as Wireshark 4.0
 * shows them: the connection preface, every frame type with its flags, the
 * header blocks decoded (libnghttp2's inflater, one per direction, fed in
 * pass 1 in order; what it emits is kept per frame and shown in pass 2 from
 * a "Decompressed Header" data source), DATA bodies reassembled per stream
 * and handed on by content type.
 *
 * Reached by decode as (tshark -d tcp.port==N,http2), or from HTTP/1.x: the
 * HTTP dissector hands a stream over after the prior-knowledge preface or a
 * "101 Switching Protocols" to h2c (tq_tcp_switch with
 * tq_dissector_named("http2")).  Wireshark 4.0 has HTTP/2 heuristics on the
 * "http" and "tls" lists only, none on TCP: .heuristic is for HTTP to call.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <nghttp2/nghttp2.h>

#include "../internal.h"

#define FRAME_HEADER_LENGTH 9
#define MAGIC_LENGTH 24
#define MAX_HEADER_SIZE (256 * 1024)
#define MAX_HEADER_LINES 200

static const uint8_t magic[MAGIC_LENGTH] = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";

enum {
	T_DATA, T_HEADERS, T_PRIORITY, T_RST_STREAM, T_SETTINGS, T_PUSH_PROMISE, T_PING, T_GOAWAY,
	T_WINDOW_UPDATE, T_CONTINUATION, T_ALTSVC, T_BLOCKED, T_ORIGIN, T_PRIORITY_UPDATE = 16,
};

#define FL_ACK 0x01
#define FL_END_STREAM 0x01
#define FL_END_HEADERS 0x04
#define FL_PADDED 0x08
#define FL_PRIORITY 0x20

static const struct tq_vals type_vals[] = {
	{ T_DATA, "DATA" }, { T_HEADERS, "HEADERS" }, { T_PRIORITY, "PRIORITY" }, { T_RST_STREAM, "RST_STREAM" },
	{ T_SETTINGS, "SETTINGS" }, { T_PUSH_PROMISE, "PUSH_PROMISE" }, { T_PING, "PING" }, { T_GOAWAY, "GOAWAY" },
	{ T_WINDOW_UPDATE, "WINDOW_UPDATE" }, { T_CONTINUATION, "CONTINUATION" }, { T_ALTSVC, "ALTSVC" },
	{ T_BLOCKED, "BLOCKED" }, { T_ORIGIN, "ORIGIN" }, { T_PRIORITY_UPDATE, "PRIORITY_UPDATE" }, { 0, NULL },
};

static const struct tq_vals error_vals[] = {
	{ 0, "NO_ERROR" }, { 1, "PROTOCOL_ERROR" }, { 2, "INTERNAL_ERROR" }, { 3, "FLOW_CONTROL_ERROR" },
	{ 4, "SETTINGS_TIMEOUT" }, { 5, "STREAM_CLOSED" }, { 6, "FRAME_SIZE_ERROR" }, { 7, "REFUSED_STREAM" },
	{ 8, "CANCEL" }, { 9, "COMPRESSION_ERROR" }, { 10, "CONNECT_ERROR" }, { 11, "ENHANCE_YOUR_CALM" },
	{ 12, "INADEQUATE_SECURITY" }, { 13, "HTTP_1_1_REQUIRED" }, { 0, NULL },
};

static const struct tq_vals settings_vals[] = {
	{ 1, "Header table size" }, { 2, "Enable PUSH" }, { 3, "Max concurrent streams" },
	{ 4, "Initial Windows size" }, { 5, "Max frame size" }, { 6, "Max header list size" },
	{ 8, "Extended CONNECT" }, { 0, NULL },
};

/* Wireshark's vals_http_status_code (packet-http.c). */
static const struct tq_vals status_vals[] = {
	{ 100, "Continue" }, { 101, "Switching Protocols" }, { 102, "Processing" }, { 103, "Early Hints" },
	{ 199, "Informational - Others" }, { 200, "OK" }, { 201, "Created" }, { 202, "Accepted" },
	{ 203, "Non-authoritative Information" }, { 204, "No Content" }, { 205, "Reset Content" },
	{ 206, "Partial Content" }, { 207, "Multi-Status" }, { 208, "Already Reported" }, { 226, "IM Used" },
	{ 299, "Success - Others" }, { 300, "Multiple Choices" }, { 301, "Moved Permanently" }, { 302, "Found" },
	{ 303, "See Other" }, { 304, "Not Modified" }, { 305, "Use Proxy" }, { 307, "Temporary Redirect" },
	{ 308, "Permanent Redirect" }, { 399, "Redirection - Others" }, { 400, "Bad Request" },
	{ 401, "Unauthorized" }, { 402, "Payment Required" }, { 403, "Forbidden" }, { 404, "Not Found" },
	{ 405, "Method Not Allowed" }, { 406, "Not Acceptable" }, { 407, "Proxy Authentication Required" },
	{ 408, "Request Time-out" }, { 409, "Conflict" }, { 410, "Gone" }, { 411, "Length Required" },
	{ 412, "Precondition Failed" }, { 413, "Request Entity Too Large" }, { 414, "Request-URI Too Long" },
	{ 415, "Unsupported Media Type" }, { 416, "Requested Range Not Satisfiable" }, { 417, "Expectation Failed" },
	{ 418, "I'm a teapot" }, { 421, "Misdirected Request" }, { 422, "Unprocessable Entity" }, { 423, "Locked" },
	{ 424, "Failed Dependency" }, { 425, "Too Early" }, { 426, "Upgrade Required" },
	{ 428, "Precondition Required" }, { 429, "Too Many Requests" }, { 431, "Request Header Fields Too Large" },
	{ 451, "Unavailable For Legal Reasons" }, { 499, "Client Error - Others" },
	{ 500, "Internal Server Error" }, { 501, "Not Implemented" }, { 502, "Bad Gateway" },
	{ 503, "Service Unavailable" }, { 504, "Gateway Time-out" }, { 505, "HTTP Version not supported" },
	{ 506, "Variant Also Negotiates" }, { 507, "Insufficient Storage" }, { 508, "Loop Detected" },
	{ 510, "Not Extended" }, { 511, "Network Authentication Required" }, { 599, "Server Error - Others" },
	{ 0, NULL },
};

/* Header representations, as Wireshark names them (http2_header_repr_type). */
enum {
	HD_NONE, HD_INDEXED, HD_LIT_INDEXING_INDEXED_NAME, HD_LIT_INDEXING_NEW_NAME, HD_LIT_INDEXED_NAME,
	HD_LIT_NEW_NAME, HD_LIT_NEVER_INDEXED_NAME, HD_LIT_NEVER_NEW_NAME, HD_TABLE_SIZE_UPDATE,
};
static const char *const repr_names[] = {
	"", "Indexed Header Field", "Literal Header Field with Incremental Indexing - Indexed Name",
	"Literal Header Field with Incremental Indexing - New Name", "Literal Header Field without Indexing - Indexed Name",
	"Literal Header Field without Indexing - New Name", "Literal Header Field never Indexed - Indexed Name",
	"Literal Header Field never Indexed - New Name", "Maximum Header Table Size Change",
};

/* ------------------------------------------------------------------ fields */

static struct tq_field hf_http2 = HF("http2", "HyperText Transfer Protocol 2", FT_PROTOCOL, BASE_NONE, NULL, 0);
static struct tq_field hf_stream = HF("http2.stream", "Stream", FT_NONE, BASE_NONE, NULL, 0);
static struct tq_field hf_length = HF("http2.length", "Length", FT_UINT24, BASE_DEC, NULL, 0);
static struct tq_field hf_type = HF("http2.type", "Type", FT_UINT8, BASE_DEC, type_vals, 0);
static struct tq_field hf_r = HF("http2.r", "Reserved", FT_UINT32, BASE_HEX, NULL, 0x80000000);
static struct tq_field hf_weight = HF("http2.headers.weight", "Weight", FT_UINT8, BASE_DEC, NULL, 0);
static struct tq_field hf_weight_real = HF("http2.headers.weight_real", "Weight real", FT_UINT8, BASE_DEC, NULL, 0);
static struct tq_field hf_streamid = HF("http2.streamid", "Stream Identifier", FT_UINT32, BASE_DEC, NULL, 0x7fffffff);
static struct tq_field hf_magic = HF("http2.magic", "Magic", FT_STRING, BASE_NONE, NULL, 0);
static struct tq_field hf_unknown = HF("http2.unknown", "Unknown", FT_BYTES, BASE_NONE, NULL, 0);
static struct tq_field hf_flags = HF("http2.flags", "Flags", FT_UINT8, BASE_HEX, NULL, 0);
static struct tq_field hf_fl_end_stream = HF("http2.flags.end_stream", "End Stream", FT_BOOLEAN, 8, NULL, 0x01);
static struct tq_field hf_fl_eh = HF("http2.flags.eh", "End Headers", FT_BOOLEAN, 8, NULL, 0x04);
static struct tq_field hf_fl_padded = HF("http2.flags.padded", "Padded", FT_BOOLEAN, 8, NULL, 0x08);
static struct tq_field hf_fl_priority = HF("http2.flags.priority", "Priority", FT_BOOLEAN, 8, NULL, 0x20);
static struct tq_field hf_fl_ack_ping = HF("http2.flags.ack.ping", "ACK", FT_BOOLEAN, 8, NULL, 0x01);
static struct tq_field hf_fl_ack_settings = HF("http2.flags.ack.settings", "ACK", FT_BOOLEAN, 8, NULL, 0x01);
static struct tq_field hf_fl_unused = HF("http2.flags.unused", "Unused", FT_UINT8, BASE_HEX, NULL, 0xff);
static struct tq_field hf_fl_unused_settings = HF("http2.flags.unused_settings", "Unused", FT_UINT8, BASE_HEX, NULL, 0xfe);
static struct tq_field hf_fl_unused_ping = HF("http2.flags.unused_ping", "Unused", FT_UINT8, BASE_HEX, NULL, 0xfe);
static struct tq_field hf_fl_unused_cont = HF("http2.flags.unused_continuation", "Unused", FT_UINT8, BASE_HEX, NULL, 0xfb);
static struct tq_field hf_fl_unused_pp = HF("http2.flags.unused_push_promise", "Unused", FT_UINT8, BASE_HEX, NULL, 0xf3);
static struct tq_field hf_fl_unused_data = HF("http2.flags.unused_data", "Unused", FT_UINT8, BASE_HEX, NULL, 0xf6);
static struct tq_field hf_fl_unused_headers = HF("http2.flags.unused_headers", "Unused", FT_UINT8, BASE_HEX, NULL, 0xd2);
static struct tq_field hf_padding = HF("http2.padding", "Pad Length", FT_UINT8, BASE_HEX, NULL, 0);
static struct tq_field hf_pad_length = HF("http2.pad_length", "Pad Length", FT_UINT16, BASE_DEC, NULL, 0);
static struct tq_field hf_exclusive = HF("http2.exclusive", "Exclusive", FT_BOOLEAN, 32, NULL, 0x80000000);
static struct tq_field hf_dependency = HF("http2.stream_dependency", "Stream Dependency", FT_UINT32, BASE_DEC, NULL, 0x7fffffff);
static struct tq_field hf_data_data = HF("http2.data.data", "Data", FT_BYTES, BASE_NONE, NULL, 0);
static struct tq_field hf_data_padding = HF("http2.data.padding", "Padding", FT_BYTES, BASE_NONE, NULL, 0);
static struct tq_field hf_body_fragments = HF("http2.body.fragments", "Body fragments", FT_NONE, BASE_NONE, NULL, 0);
static struct tq_field hf_body_fragment = HF("http2.body.fragment", "Body fragment", FT_FRAMENUM, BASE_NONE, NULL, 0);
static struct tq_field hf_body_count = HF("http2.body.fragment.count", "Body fragment count", FT_UINT32, BASE_DEC, NULL, 0);
static struct tq_field hf_body_in = HF("http2.body.reassembled.in", "Reassembled body in frame", FT_FRAMENUM, BASE_NONE, NULL, 0);
static struct tq_field hf_body_length = HF("http2.body.reassembled.length", "Reassembled body length", FT_UINT32, BASE_DEC, NULL, 0);
static struct tq_field hf_body_data = HF("http2.body.reassembled.data", "Reassembled body data", FT_BYTES, BASE_NONE, NULL, 0);
static struct tq_field hf_headers = HF("http2.headers", "Header Block Fragment", FT_BYTES, BASE_NONE, NULL, 0);
static struct tq_field hf_headers_padding = HF("http2.headers.padding", "Padding", FT_BYTES, BASE_NONE, NULL, 0);
static struct tq_field hf_header = HF("http2.header", "Header", FT_NONE, BASE_NONE, NULL, 0);
static struct tq_field hf_header_length = HF("http2.header.length", "Header Length", FT_UINT32, BASE_DEC, NULL, 0);
static struct tq_field hf_header_count = HF("http2.header.count", "Header Count", FT_UINT32, BASE_DEC, NULL, 0);
static struct tq_field hf_name_length = HF("http2.header.name.length", "Name Length", FT_UINT32, BASE_DEC, NULL, 0);
static struct tq_field hf_name = HF("http2.header.name", "Name", FT_STRING, BASE_NONE, NULL, 0);
static struct tq_field hf_value_length = HF("http2.header.value.length", "Value Length", FT_UINT32, BASE_DEC, NULL, 0);
static struct tq_field hf_value = HF("http2.header.value", "Value", FT_STRING, BASE_NONE, NULL, 0);
static struct tq_field hf_unescaped = HF("http2.header.unescaped", "Unescaped", FT_STRING, BASE_NONE, NULL, 0);
static struct tq_field hf_repr = HF("http2.header.repr", "Representation", FT_STRING, BASE_NONE, NULL, 0);
static struct tq_field hf_index = HF("http2.header.index", "Index", FT_UINT32, BASE_DEC, NULL, 0);
static struct tq_field hf_tsu = HF("http2.header_table_size_update", "Header table size update", FT_NONE, BASE_NONE, NULL, 0);
static struct tq_field hf_tsu_size = HF("http2.header_table_size_update.header_table_size", "Header table size", FT_UINT32, BASE_DEC, NULL, 0);
static struct tq_field hf_full_uri = HF("http2.request.full_uri", "Full request URI", FT_STRING, BASE_NONE, NULL, 0);
static struct tq_field hf_rst_error = HF("http2.rst_stream.error", "Error", FT_UINT32, BASE_DEC, error_vals, 0);
static struct tq_field hf_settings = HF("http2.settings", "Settings", FT_NONE, BASE_NONE, NULL, 0);
static struct tq_field hf_settings_id = HF("http2.settings.id", "Settings Identifier", FT_UINT16, BASE_DEC, settings_vals, 0);
static struct tq_field hf_set_hts = HF("http2.settings.header_table_size", "Header table size", FT_UINT32, BASE_DEC, NULL, 0);
static struct tq_field hf_set_push = HF("http2.settings.enable_push", "Enable PUSH", FT_UINT32, BASE_DEC, NULL, 0);
static struct tq_field hf_set_mcs = HF("http2.settings.max_concurrent_streams", "Max concurrent streams", FT_UINT32, BASE_DEC, NULL, 0);
static struct tq_field hf_set_iws = HF("http2.settings.initial_window_size", "Initial Windows Size", FT_UINT32, BASE_DEC, NULL, 0);
static struct tq_field hf_set_mfs = HF("http2.settings.max_frame_size", "Max frame size", FT_UINT32, BASE_DEC, NULL, 0);
static struct tq_field hf_set_mhls = HF("http2.settings.max_header_list_size", "Max header list size", FT_UINT32, BASE_DEC, NULL, 0);
static struct tq_field hf_set_xconn = HF("http2.settings.extended_connect", "Extended CONNECT", FT_UINT32, BASE_DEC, NULL, 0);
static struct tq_field hf_set_unknown = HF("http2.settings.unknown", "Unknown Settings", FT_UINT32, BASE_DEC, NULL, 0);
static struct tq_field hf_pp_r = HF("http2.push_promise.r", "Reserved", FT_UINT32, BASE_HEX, NULL, 0x80000000);
static struct tq_field hf_pp_id = HF("http2.push_promise.promised_stream_id", "Promised-Stream-ID", FT_UINT32, BASE_DEC, NULL, 0x7fffffff);
static struct tq_field hf_pp_header = HF("http2.push_promise.header", "Header Block Fragment", FT_BYTES, BASE_NONE, NULL, 0);
static struct tq_field hf_pp_padding = HF("http2.push_promise.padding", "Padding", FT_BYTES, BASE_NONE, NULL, 0);
static struct tq_field hf_ping = HF("http2.ping", "Ping", FT_BYTES, BASE_NONE, NULL, 0);
static struct tq_field hf_pong = HF("http2.pong", "Pong", FT_BYTES, BASE_NONE, NULL, 0);
static struct tq_field hf_goaway_r = HF("http2.goway.r", "Reserved", FT_UINT32, BASE_HEX, NULL, 0x80000000);
static struct tq_field hf_goaway_last = HF("http2.goaway.last_stream_id", "Last-Stream-ID", FT_UINT32, BASE_DEC, NULL, 0x7fffffff);
static struct tq_field hf_goaway_error = HF("http2.goaway.error", "Error", FT_UINT32, BASE_DEC, error_vals, 0);
static struct tq_field hf_goaway_addata = HF("http2.goaway.addata", "Additional Debug Data", FT_BYTES, BASE_NONE, NULL, 0);
static struct tq_field hf_wu_r = HF("http2.window_update.r", "Reserved", FT_UINT32, BASE_HEX, NULL, 0x80000000);
static struct tq_field hf_wu_inc = HF("http2.window_update.window_size_increment", "Window Size Increment", FT_UINT32, BASE_DEC, NULL, 0x7fffffff);
static struct tq_field hf_cont_header = HF("http2.continuation.header", "Continuation Header", FT_STRING, BASE_NONE, NULL, 0);
static struct tq_field hf_cont_padding = HF("http2.continuation.padding", "Padding", FT_BYTES, BASE_NONE, NULL, 0);
static struct tq_field hf_altsvc_origin_len = HF("http2.altsvc.origin.len", "Origin Length", FT_UINT16, BASE_DEC, NULL, 0);
static struct tq_field hf_altsvc_origin = HF("http2.altsvc.origin", "Origin", FT_STRING, BASE_NONE, NULL, 0);
static struct tq_field hf_altsvc_value = HF("http2.altsvc.field_value", "Field/Value", FT_STRING, BASE_NONE, NULL, 0);
static struct tq_field hf_origin = HF("http2.origin", "Origin", FT_NONE, BASE_NONE, NULL, 0);
static struct tq_field hf_origin_len = HF("http2.origin.origin_len", "Origin Length", FT_UINT16, BASE_DEC, NULL, 0);
static struct tq_field hf_origin_origin = HF("http2.origin.origin", "Origin", FT_STRING, BASE_NONE, NULL, 0);
static struct tq_field hf_pu_id = HF("http2.priority_update_stream_id", "Priority Update Stream ID", FT_UINT64, BASE_DEC, NULL, 0);
static struct tq_field hf_pu_value = HF("http2.priority_update_field_value", "Priority Update Field Value", FT_STRING, BASE_NONE, NULL, 0);
static struct tq_field hf_enc_entity = HF("http2.encoded_entity", "Content-encoded entity body", FT_NONE, BASE_NONE, NULL, 0);

static struct tq_expert ei_header_size = EI("http2.header_size_exceeded", "Decompression stopped.", PI_ERROR, PI_UNDECODED);
static struct tq_expert ei_header_lines = EI("http2.header_lines_exceeded", "Decompression stopped after 200 header lines.", PI_ERROR, PI_UNDECODED);
static struct tq_expert ei_body_decomp = EI("http2.body_decompression_failed", "Body decompression failed", PI_WARN, PI_UNDECODED);

/* The headers Wireshark gives a field of their own (register_static_headers). */
static struct tq_field hf_h_status = HF("http2.headers.status", ":status", FT_UINT16, BASE_DEC, NULL, 0);
#define HS(ab, nm) HF("http2.headers." ab, nm, FT_STRING, BASE_NONE, NULL, 0)
#define HU(ab, nm) HF("http2.headers." ab, nm, FT_UINT64, BASE_DEC, NULL, 0)
static struct tq_field named_headers[] = {
	HS("authority", ":authority"), HS("path", ":path"), HS("method", ":method"), HS("scheme", ":scheme"),
	HS("accept", "accept"), HS("accept_charset", "accept-charset"), HS("accept_encoding", "accept-encoding"),
	HS("accept_language", "accept-language"), HS("accept_ranges", "accept-ranges"),
	HS("access_control_allow_origin", "access-control-allow-origin"), HU("age", "age"), HS("allow", "allow"),
	HS("authorization", "authorization"), HS("cache_control", "cache-control"),
	HS("content_disposition", "content-disposition"), HS("content_encoding", "content-encoding"),
	HS("content_language", "content-language"), HU("content_length", "content-length"),
	HS("content_location", "content-location"), HS("content_range", "content-range"),
	HS("content_type", "content-type"), HS("cookie", "cookie"), HS("date", "date"), HS("etag", "etag"),
	HS("expect", "expect"), HS("expires", "expires"), HS("from", "from"), HS("if_match", "if-match"),
	HS("if_modified_since", "if-modified-since"), HS("if_none_match", "if-none-match"), HS("if_range", "if-range"),
	HS("if_unmodified_since", "if-unmodified-since"), HS("last_modified", "last-modified"), HS("link", "link"),
	HS("location", "location"), HU("max_forwards", "max-forwards"), HS("proxy_authenticate", "proxy-authenticate"),
	HS("proxy_authorization", "proxy-authorization"), HS("range", "range"), HS("referer", "referer"),
	HS("refresh", "refresh"), HS("retry_after", "retry-after"), HS("server", "server"),
	HS("set_cookie", "set-cookie"), HS("strict_transport_security", "strict-transport-security"),
	HS("user_agent", "user-agent"), HS("vary", "vary"), HS("via", "via"), HS("www_authenticate", "www-authenticate"),
};
#define N_NAMED (sizeof(named_headers) / sizeof(named_headers[0]))

/* Line-based text data, for bodies whose media type Wireshark gives to data-text-lines. */
static struct tq_field hf_text_lines = HF("data-text-lines", "Line-based text data", FT_PROTOCOL, BASE_NONE, NULL, 0);

static struct tq_field *const fields[] = {
	&hf_http2, &hf_stream, &hf_length, &hf_type, &hf_r, &hf_weight, &hf_weight_real, &hf_streamid, &hf_magic,
	&hf_unknown, &hf_flags, &hf_fl_end_stream, &hf_fl_eh, &hf_fl_padded, &hf_fl_priority, &hf_fl_ack_ping,
	&hf_fl_ack_settings, &hf_fl_unused, &hf_fl_unused_settings, &hf_fl_unused_ping, &hf_fl_unused_cont,
	&hf_fl_unused_pp, &hf_fl_unused_data, &hf_fl_unused_headers, &hf_padding, &hf_pad_length, &hf_exclusive,
	&hf_dependency, &hf_data_data, &hf_data_padding, &hf_body_fragments, &hf_body_fragment, &hf_body_count,
	&hf_body_in, &hf_body_length, &hf_body_data, &hf_headers, &hf_headers_padding, &hf_header,
	&hf_header_length, &hf_header_count, &hf_name_length, &hf_name, &hf_value_length, &hf_value,
	&hf_unescaped, &hf_repr, &hf_index, &hf_tsu, &hf_tsu_size, &hf_full_uri, &hf_rst_error, &hf_settings,
	&hf_settings_id, &hf_set_hts, &hf_set_push, &hf_set_mcs, &hf_set_iws, &hf_set_mfs, &hf_set_mhls,
	&hf_set_xconn, &hf_set_unknown, &hf_pp_r, &hf_pp_id, &hf_pp_header, &hf_pp_padding, &hf_ping, &hf_pong,
	&hf_goaway_r, &hf_goaway_last, &hf_goaway_error, &hf_goaway_addata, &hf_wu_r, &hf_wu_inc,
	&hf_cont_header, &hf_cont_padding, &hf_altsvc_origin_len, &hf_altsvc_origin, &hf_altsvc_value,
	&hf_origin, &hf_origin_len, &hf_origin_origin, &hf_pu_id, &hf_pu_value, &hf_enc_entity,
	&ei_header_size.f, &ei_header_lines.f, &ei_body_decomp.f, &hf_h_status, &hf_text_lines,
};

static int dissect_http2(struct tq_pkt *pk, struct tq_slice *s);
static int heuristic(const struct tq_pkt *pk, const uint8_t *p, uint32_t len);

static struct tq_dissector http2 = { .name = "http2", .dissect = dissect_http2, .heuristic = heuristic };

void
tq_register_http2(void)
{
	TQ_REGISTER(fields);
	struct tq_field *nf[N_NAMED];
	for (size_t i = 0; i < N_NAMED; i++)
		nf[i] = &named_headers[i];
	tq_fields_register(nf, N_NAMED);
	/* on no table: reached by decode as, and from HTTP by name */
	tq_dissector_register(&http2);
}

/* The connection preface: what HTTP's heuristic list (Wireshark's "http2_tcp") looks for. */
static int
heuristic(const struct tq_pkt *pk, const uint8_t *p, uint32_t len)
{
	(void)pk;
	return len >= MAGIC_LENGTH && !memcmp(p, magic, MAGIC_LENGTH);
}

/* ------------------------------------------------------------------ state */

/* One entry of a decoded header block (http2_header_t). */
struct hdr {
	uint8_t type;                /* HD_* */
	uint32_t length;             /* encoded bytes of this entry in this block */
	uint32_t idx;                /* index, or the table size of an update */
	const uint8_t *data;         /* name length, name, value length, value; NULL for an update */
	uint32_t datalen;
};

struct block {
	struct hdr *h;
	uint32_t n;
	uint32_t size_reached, size_attempted;
	int lines_exceeded;
};

/* A header representation being read (http2_header_repr_info_t). */
struct repr_info {
	int type;
	uint32_t integer;
	uint32_t next_shift;
	int complete;
};

struct settings_q {
	uint32_t hts, min_hts;
	int has_hts;
	struct settings_q *next;
};

struct frag {
	uint32_t frame;
	uint32_t len;
	const uint8_t *data;
};

/* A DATA body of one stream and direction (Wireshark's reassembly). */
struct body {
	struct frag *frags;          /* in frame order */
	uint32_t nfrags, cap, len;
	uint32_t done;               /* frame it was completed in, 0 while open */
	int single;                  /* one fragment, never copied: dissected where it lies */
	struct body *next;
};

struct oneway {
	const char *ctype, *ctype_params, *cenc;
	int partial_content;
	uint64_t data_initiated_in;
	int has_te;
	uint64_t header_start_in, header_end_in;
	struct body *bodies;         /* newest first */
	struct body *open;           /* being reassembled */
};

struct stream {
	uint32_t id;
	int is_connect;
	struct oneway w[2];
	struct stream *next;
};

#define NBUCKETS 256

struct session {
	int first_dir;
	nghttp2_hd_inflater *inf[2];
	struct repr_info repr[2];
	struct settings_q *sq_head[2], *sq_tail[2];
	struct stream *buckets[NBUCKETS];
	struct tq_arena *arena;
	nghttp2_mem mem;
};

/* What pass 1 decoded of one header block, by the position of its frame. */
struct rec {
	struct block *hb;
};

#define PD_HTTP2_BASE 0x80000000u

static uint32_t
rec_key(const struct tq_pkt *pk, const struct tq_slice *s)
{
	int reas = pk->tcp && pk->tcp->is_reassembled;
	return PD_HTTP2_BASE | (reas ? 0x40000000u : 0) | (s->pos & 0x3fffffffu);
}

/* The order of HTTP/2 frames within the capture (get_http2_frame_num). */
static uint64_t
frame_num(const struct tq_pkt *pk, const struct tq_slice *s)
{
	int reas = pk->tcp && pk->tcp->is_reassembled;
	return (uint64_t)pk->num << 32 | (reas ? 0 : 0x80000000u) | (s->pos & 0x7fffffffu);
}

/* nghttp2's memory from the capture's pass-1 arena, freed with it (each
 * block keeps its size for realloc; free gives nothing back). */
static void *
mem_malloc(size_t size, void *ud)
{
	struct tq_arena *a = ud;
	if (size > (1u << 30))
		return NULL;
	size_t *p = tq_arena_alloc_raw(a, size + 16);
	if (!p)
		return NULL;
	p[0] = size;
	return (char *)p + 16;
}

static void
mem_free(void *ptr, void *ud)
{
	(void)ptr;
	(void)ud;
}

static void *
mem_calloc(size_t n, size_t size, void *ud)
{
	if (size && n > (1u << 30) / size)
		return NULL;
	void *p = mem_malloc(n * size, ud);
	if (p)
		memset(p, 0, n * size);
	return p;
}

static void *
mem_realloc(void *ptr, size_t size, void *ud)
{
	if (!ptr)
		return mem_malloc(size, ud);
	size_t old = *(size_t *)((char *)ptr - 16);
	if (size <= old)
		return ptr;
	void *n = mem_malloc(size, ud);
	if (n)
		memcpy(n, ptr, old);
	return n;
}

static struct session *
session_of(struct tq_pkt *pk)
{
	/* our own slot, whoever calls us (HTTP hands a stream over with its own in app_state) */
	void **slot = pk->tcp ? tq_tcp_app_state(pk, &http2) : NULL;
	if (!slot)
		return NULL;
	struct session *ss = *slot;
	if (!ss && pk->pass == 1) {
		ss = tq_arena_alloc(&pk->cap->state, sizeof(*ss));
		if (!ss)
			return NULL;
		ss->first_dir = pk->tcp->dir;
		ss->arena = &pk->cap->state;
		ss->mem.mem_user_data = ss->arena;
		ss->mem.malloc = mem_malloc;
		ss->mem.free = mem_free;
		ss->mem.calloc = mem_calloc;
		ss->mem.realloc = mem_realloc;
		if (nghttp2_hd_inflate_new2(&ss->inf[0], &ss->mem) != 0)
			ss->inf[0] = NULL;
		if (nghttp2_hd_inflate_new2(&ss->inf[1], &ss->mem) != 0)
			ss->inf[1] = NULL;
		*slot = ss;
	}
	return ss;
}

static int
flow_index(const struct tq_pkt *pk, const struct session *ss)
{
	return pk->tcp && pk->tcp->dir == ss->first_dir ? 0 : 1;
}

static struct stream *
stream_get(struct tq_pkt *pk, struct session *ss, uint32_t id)
{
	if (!ss)
		return NULL;
	struct stream **b = &ss->buckets[(id * 2654435761u) >> 24 & (NBUCKETS - 1)];
	for (struct stream *st = *b; st; st = st->next)
		if (st->id == id)
			return st;
	if (pk->pass != 1)
		return NULL;
	struct stream *st = tq_arena_alloc(&pk->cap->state, sizeof(*st));
	if (!st)
		return NULL;
	st->id = id;
	st->next = *b;
	*b = st;
	return st;
}

/* ------------------------------------------------------------------ one frame's context */

struct ctx {
	struct tq_pkt *pk;
	struct session *ss;
	struct stream *st;           /* NULL outside a session (no TCP), or in pass 2 for an unseen stream */
	struct oneway *ow;           /* this direction of st */
	int fi;                      /* flow index */
	uint32_t streamid;
	struct tq_slice s;           /* the HTTP/2 frame (PDU) */
	struct tq_node *proto;       /* the protocol item */
	struct tq_node *t;           /* the Stream item */
	uint64_t fnum;
};

/* ------------------------------------------------------------------ strings */

static int
hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* g_uri_unescape_string(s, NULL): NULL on a bad escape or an escaped NUL. */
static char *
uri_unescape(struct tq_arena *a, const char *s)
{
	size_t n = strlen(s);
	char *o = tq_arena_alloc_raw(a, n + 1);
	if (!o)
		return NULL;
	size_t k = 0;
	for (size_t i = 0; i < n; i++) {
		if (s[i] != '%') {
			o[k++] = s[i];
			continue;
		}
		int h = i + 1 < n ? hexval((unsigned char)s[i + 1]) : -1;
		int l = i + 2 < n ? hexval((unsigned char)s[i + 2]) : -1;
		if (h < 0 || l < 0)
			return NULL;
		int c = h * 16 + l;
		if (c == 0)
			return NULL;
		o[k++] = (char)c;
		i += 2;
	}
	o[k] = '\0';
	return o;
}

/* ws_strtou64(s, NULL, &v) */
static int
strtou64_full(const char *s, uint64_t max, uint64_t *v)
{
	if (s[0] == '-' || s[0] == '+')
		return 0;
	while (*s == ' ' || (*s >= '\t' && *s <= '\r'))
		s++;
	if (*s < '0' || *s > '9')
		return 0;
	uint64_t x = 0;
	for (; *s >= '0' && *s <= '9'; s++) {
		uint64_t d = (uint64_t)(*s - '0');
		if (x > (UINT64_MAX - d) / 10)
			return 0;
		x = x * 10 + d;
	}
	if (*s || x > max)
		return 0;
	*v = x;
	return 1;
}

/* strtoul(s, NULL, 10) as the reason phrase lookup reads it */
static unsigned long
strtoul_lax(const char *s)
{
	return strtoul(s, NULL, 10);
}

/* ------------------------------------------------------------------ HPACK (pass 1) */

static uint32_t
read_integer(struct repr_info *ri, const uint8_t *buf, uint32_t len, uint32_t p, unsigned prefix)
{
	uint32_t k = (1u << prefix) - 1;
	uint32_t n = ri->integer;
	uint32_t shift = ri->next_shift;
	if (n == 0) {
		if (p >= len)
			return p;
		if ((buf[p] & k) != k) {
			ri->integer = buf[p] & k;
			ri->complete = 1;
			return p + 1;
		}
		n = k;
		++p;
	}
	for (; p < len; ++p, shift += 7) {
		if (shift < 32)
			n += (uint32_t)(buf[p] & 0x7f) << shift;
		if ((buf[p] & 0x80) == 0) {
			ri->complete = 1;
			++p;
			break;
		}
	}
	ri->integer = n;
	ri->next_shift = shift;
	return p;
}

static void
repr_reset(struct repr_info *ri)
{
	memset(ri, 0, sizeof(*ri));
}

struct hdrvec {
	struct hdr *h;
	uint32_t n, cap;
	struct tq_arena *a;
};

static struct hdr *
hv_push(struct hdrvec *v)
{
	if (v->n == v->cap) {
		uint32_t nc = v->cap ? v->cap * 2 : 16;
		struct hdr *nh = tq_arena_alloc(v->a, nc * sizeof(*nh));
		if (!nh)
			return NULL;
		if (v->n)
			memcpy(nh, v->h, v->n * sizeof(*nh));
		v->h = nh;
		v->cap = nc;
	}
	struct hdr *h = &v->h[v->n++];
	memset(h, 0, sizeof(*h));
	return h;
}

/* process_http2_header_repr_info: table size updates, then the first header's kind. */
static uint32_t
process_repr(struct hdrvec *hv, struct repr_info *ri, const uint8_t *buf, uint32_t len)
{
	if (ri->type != HD_NONE && ri->type != HD_TABLE_SIZE_UPDATE && ri->complete)
		return 0;
	uint32_t start = 0;
	for (uint32_t i = 0; i < len;) {
		if (ri->type == HD_NONE) {
			uint8_t c = buf[i];
			if ((c & 0xe0) == 0x20) {
				ri->type = HD_TABLE_SIZE_UPDATE;
				i = read_integer(ri, buf, len, i, 5);
			} else if (c & 0x80) {
				ri->type = HD_INDEXED;
				i = read_integer(ri, buf, len, i, 7);
			} else if (c == 0x40 || c == 0 || c == 0x10) {
				ri->complete = 1;
				if (c & 0x40)
					ri->type = HD_LIT_INDEXING_NEW_NAME;
				else if ((c & 0xf0) == 0x10)
					ri->type = HD_LIT_NEVER_NEW_NAME;
				else
					ri->type = HD_LIT_NEW_NAME;
			} else if (c & 0x40) {
				ri->type = HD_LIT_INDEXING_INDEXED_NAME;
				i = read_integer(ri, buf, len, i, 6);
			} else if ((c & 0xf0) == 0x10) {
				ri->type = HD_LIT_NEVER_INDEXED_NAME;
				i = read_integer(ri, buf, len, i, 4);
			} else {
				ri->type = HD_LIT_INDEXED_NAME;
				i = read_integer(ri, buf, len, i, 4);
			}
		} else {
			uint32_t ni = read_integer(ri, buf, len, i, 8);
			if (ni == i)
				break;
			i = ni;
		}
		if (ri->complete) {
			if (ri->type == HD_TABLE_SIZE_UPDATE) {
				struct hdr *h = hv_push(hv);
				if (h) {
					h->type = HD_TABLE_SIZE_UPDATE;
					h->length = i - start;
					h->idx = ri->integer;
				}
				repr_reset(ri);
				start = i;
			} else {
				break;
			}
		}
	}
	return start;
}

/* Inflates one header block fragment in pass 1 (inflate_http2_header_block's first part). */
static struct block *
inflate_block(struct ctx *x, const uint8_t *buf, uint32_t len, int final)
{
	struct tq_arena *a = &x->pk->cap->state;
	struct block *b = tq_arena_alloc(a, sizeof(*b));
	if (!b)
		return NULL;
	nghttp2_hd_inflater *inf = x->ss->inf[x->fi];
	struct repr_info *ri = &x->ss->repr[x->fi];
	struct hdrvec hv = { NULL, 0, 0, a };
	uint32_t decompressed = 0;
	if (!inf)
		return b;
	for (;;) {
		if (hv.n >= MAX_HEADER_LINES) {
			b->lines_exceeded = 1;
			break;
		}
		nghttp2_nv nv;
		int flags = 0;
		ssize_t rv = nghttp2_hd_inflate_hd2(inf, &nv, &flags, buf, len, final);
		if (rv < 0)
			break;
		uint32_t used = (uint32_t)rv;
		buf += used;
		len -= used;
		used -= process_repr(&hv, ri, buf - rv, (uint32_t)rv);
		if (flags & NGHTTP2_HD_INFLATE_EMIT) {
			uint64_t datalen = 8 + (uint64_t)nv.namelen + nv.valuelen;
			if (decompressed + datalen >= MAX_HEADER_SIZE) {
				b->size_reached = decompressed;
				b->size_attempted = (uint32_t)(decompressed + datalen);
				break;
			}
			struct hdr *h = hv_push(&hv);
			uint8_t *d = tq_arena_alloc_raw(a, (size_t)datalen);
			if (!h || !d)
				break;
			h->type = (uint8_t)ri->type;
			h->length = used;
			h->idx = ri->integer;
			h->datalen = (uint32_t)datalen;
			d[0] = (uint8_t)(nv.namelen >> 24);
			d[1] = (uint8_t)(nv.namelen >> 16);
			d[2] = (uint8_t)(nv.namelen >> 8);
			d[3] = (uint8_t)nv.namelen;
			memcpy(d + 4, nv.name, nv.namelen);
			uint8_t *v = d + 4 + nv.namelen;
			v[0] = (uint8_t)(nv.valuelen >> 24);
			v[1] = (uint8_t)(nv.valuelen >> 16);
			v[2] = (uint8_t)(nv.valuelen >> 8);
			v[3] = (uint8_t)nv.valuelen;
			memcpy(v + 4, nv.value, nv.valuelen);
			h->data = d;
			decompressed += (uint32_t)datalen;
			repr_reset(ri);
		}
		if (flags & NGHTTP2_HD_INFLATE_FINAL) {
			nghttp2_hd_inflate_end_headers(inf);
			break;
		}
		if (!(flags & NGHTTP2_HD_INFLATE_EMIT) && len == 0)
			break;
	}
	b->h = hv.h;
	b->n = hv.n;
	return b;
}

/* ------------------------------------------------------------------ header tracking (pass 1) */

static int
in_header_context(const struct ctx *x)
{
	const struct oneway *w = x->ow;
	return x->fnum >= w->header_start_in && (w->header_end_in == 0 || x->fnum <= w->header_end_in);
}

static void
track_header(struct ctx *x, const char *name, const char *value, uint32_t vlen)
{
	struct oneway *w = x->ow;
	struct tq_arena *a = &x->pk->cap->state;
	if (!strcmp(name, "content-encoding") && !w->cenc)
		w->cenc = tq_arena_strdup(a, value, strnlen(value, vlen));
	if (!strcmp(name, ":status") && !strcmp(value, "206"))
		w->partial_content = 1;
	if ((!strcmp(name, ":status") || !strcmp(name, ":method")) && !w->data_initiated_in)
		w->data_initiated_in = x->fnum;
	if (!strcmp(name, "transfer-encoding"))
		w->has_te = 1;
	if (!strcmp(name, ":method") && !strcmp(value, "CONNECT"))
		x->st->is_connect = 1;
	if (!strcmp(name, "content-type") && !w->ctype) {
		size_t n = strnlen(value, vlen);
		char *ct = tq_arena_strdup(a, value, n);
		if (!ct)
			return;
		size_t i = 0;
		while (ct[i] && ct[i] != ';' && ct[i] != ' ' && !(ct[i] >= '\t' && ct[i] <= '\r')) {
			if (ct[i] >= 'A' && ct[i] <= 'Z')
				ct[i] = (char)(ct[i] - 'A' + 'a');
			i++;
		}
		const char *pp = value + i;
		ct[i] = '\0';
		w->ctype = ct;
		if (*pp) {
			while (*pp == ';' || *pp == ' ' || (*pp >= '\t' && *pp <= '\r'))
				pp++;
			if (*pp)
				w->ctype_params = tq_arena_strdup(a, pp, strlen(pp));
		}
	}
}

/* ------------------------------------------------------------------ header display */

static const struct tq_field *
named_field(const char *name)
{
	if (!strcmp(name, ":status"))
		return &hf_h_status;
	for (size_t i = 0; i < N_NAMED; i++)
		if (!strcmp(named_headers[i].name, name))
			return &named_headers[i];
	return NULL;
}

static uint32_t
be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* Shows a decoded block: off is where the block's bytes start in the frame. */
static void
show_block(struct ctx *x, const struct block *b, uint32_t off, int track)
{
	struct tq_pkt *pk = x->pk;
	struct tq_node *tree = x->t;
	if (!b || b->n == 0)
		return;
	/* the decompressed header: each header as name length, name, value length, value */
	uint32_t hlen = 0;
	for (uint32_t i = 0; i < b->n; i++)
		if (b->h[i].type != HD_TABLE_SIZE_UPDATE)
			hlen += b->h[i].datalen;
	uint8_t *hbuf = NULL;
	struct tq_slice hs = { NULL, 0, 0, 0, 0 };
	if (pk->tree) {
		hbuf = tq_arena_alloc_raw(pk->arena, hlen ? hlen : 1);
		if (!hbuf)
			return;
		uint32_t at = 0;
		for (uint32_t i = 0; i < b->n; i++)
			if (b->h[i].type != HD_TABLE_SIZE_UPDATE) {
				memcpy(hbuf + at, b->h[i].data, b->h[i].datalen);
				at += b->h[i].datalen;
			}
		int ds = tq_add_ds(pk, hbuf, hlen, "Decompressed Header");
		hs.p = hbuf;
		hs.len = hs.rlen = hlen;
		hs.ds = (uint8_t)(ds < 0 ? 0 : ds);
	}
	struct tq_node *n = tq_gen(tq_add_u(pk, tree, &hf_header_length, &hs, 0, 1, hlen));
	if (b->size_attempted)
		tq_expert(pk, n, &ei_header_size, "Decompression stopped after %u bytes (%u attempted).",
		    b->size_reached, b->size_attempted);
	n = tq_gen(tq_add_u(pk, tree, &hf_header_count, &hs, 0, 1, b->n));
	if (b->lines_exceeded)
		tq_expert(pk, n, &ei_header_lines, NULL);

	const char *method = NULL, *path = NULL, *scheme = NULL, *authority = NULL;
	uint32_t hoff = 0;
	for (uint32_t i = 0; i < b->n; i++) {
		const struct hdr *h = &b->h[i];
		if (h->type == HD_TABLE_SIZE_UPDATE) {
			struct tq_node *u = tq_add(pk, tree, &hf_tsu, &x->s, off, h->length);
			tq_add_u(pk, u, &hf_tsu_size, &x->s, off, h->length, h->idx);
			off += h->length;
			continue;
		}
		const uint8_t *d = h->data;
		uint32_t nl = be32(d), vl = be32(d + 4 + nl);
		const char *name = tq_ascii_string(pk->arena, d + 4, nl, NULL);
		size_t vslen = 0;
		const char *value = tq_ascii_string(pk->arena, d + 8 + nl, vl, &vslen);
		if (!name || !value)
			return;
		struct tq_node *hn = tq_add(pk, tree, &hf_header, &x->s, off, h->length);
		tq_add_u(pk, hn, &hf_name_length, &hs, hoff, 4, nl);
		hoff += 4;
		tq_add_str(pk, hn, &hf_name, &hs, hoff, nl, name);
		hoff += nl;
		tq_add_u(pk, hn, &hf_value_length, &hs, hoff, 4, vl);
		hoff += 4;
		tq_add_str(pk, hn, &hf_value, &hs, hoff, vl, value);
		const struct tq_field *nf = hn ? named_field(name) : NULL;
		if (nf) {
			uint64_t v;
			if (nf->type == FT_UINT16) {
				if (strtou64_full(value, UINT32_MAX, &v))
					tq_add_u(pk, hn, nf, &hs, hoff, vl, v);
			} else if (nf->type == FT_UINT64) {
				if (strtou64_full(value, UINT64_MAX, &v))
					tq_add_u(pk, hn, nf, &hs, hoff, vl, v);
			} else {
				tq_add_str(pk, hn, nf, &hs, hoff, vl, value);
			}
		}
		if (hn) {
			char *unesc = uri_unescape(pk->arena, value);
			if (unesc)
				tq_gen(tq_add_str(pk, hn, &hf_unescaped, &hs, hoff, vl, unesc));
		}
		hoff += vl;
		if (track && pk->pass == 1 && x->st && in_header_context(x))
			track_header(x, name, value, (uint32_t)vslen);
		tq_add_str(pk, hn, &hf_repr, &x->s, off, 1, repr_names[h->type < 9 ? h->type : 0]);
		if (h->type == HD_INDEXED || h->type == HD_LIT_INDEXING_INDEXED_NAME || h->type == HD_LIT_INDEXED_NAME ||
		    h->type == HD_LIT_NEVER_INDEXED_NAME)
			tq_add_u(pk, hn, &hf_index, &x->s, off, h->type == HD_INDEXED ? h->length : 1, h->idx);
		if (hn)
			tq_append(pk, hn, ": %s: %s", name, value);
		if (!strcmp(name, ":method") || !strcmp(name, ":path")) {
			if (name[1] == 'm')
				method = value;
			else
				path = value;
			if (method && path) {
				tq_col_info_append(pk, "%s%s %s", pk->info && pk->info->len ? ": " : "", method, path);
				tq_append(pk, tree, ", %s %s", method, path);
			}
		} else if (!strcmp(name, ":status")) {
			const char *reason = tq_vals_find(status_vals, (uint32_t)strtoul_lax(value));
			if (!reason)
				reason = "Unknown";
			tq_col_info_append(pk, "%s%s %s", pk->info && pk->info->len ? ": " : "", value, reason);
			tq_append(pk, hn, " %s", reason);
			tq_append(pk, tree, ", %s %s", value, reason);
		} else if (!strcmp(name, ":scheme")) {
			scheme = value;
		} else if (!strcmp(name, ":authority")) {
			authority = value;
		}
		off += h->length;
	}
	if (scheme && authority && path) {
		char *uri = tq_arena_printf(pk->arena, "%s://%s%s", scheme, authority, path);
		if (uri)
			tq_gen(tq_add_str(pk, tree, &hf_full_uri, &x->s, 0, 0, uri));
	}
}

/* A header block fragment at off, headlen bytes: decoded in pass 1, shown from the record. */
static void
header_block(struct ctx *x, uint32_t off, uint32_t headlen, uint8_t flags)
{
	struct tq_pkt *pk = x->pk;
	if (!x->ss)
		return;
	uint32_t key = rec_key(pk, &x->s);
	struct rec *r = tq_pdata_get(pk->cap, pk->num, key);
	int fresh = 0;
	if (!r && pk->pass == 1) {
		r = tq_arena_alloc(&pk->cap->state, sizeof(*r));
		if (!r)
			return;
		if (off <= x->s.len && x->s.len - off >= headlen)
			r->hb = inflate_block(x, x->s.p + off, headlen, flags & FL_END_HEADERS);
		tq_pdata_put(pk->cap, pk->num, key, r);
		fresh = 1;
	}
	if (r)
		show_block(x, r->hb, off, fresh);
}

/* ------------------------------------------------------------------ bodies */

/* The completed body of this stream and direction that frame num took part in
 * (what fragment_add_seq_next finds for a visited frame), NULL if none. */
static const struct body *
body_of_frame(const struct oneway *w, uint32_t num)
{
	for (const struct body *b = w->bodies; b; b = b->next) {
		if (!b->done)
			continue;
		if (b->single) {
			if (b->done == num)
				return b;
			continue;
		}
		uint32_t lo = 0, hi = b->nfrags;
		while (lo < hi) {
			uint32_t mid = (lo + hi) / 2;
			if (b->frags[mid].frame < num)
				lo = mid + 1;
			else
				hi = mid;
		}
		if (lo < b->nfrags && b->frags[lo].frame == num)
			return b;
	}
	return NULL;
}

static int
body_add(struct tq_pkt *pk, struct body *b, const uint8_t *p, uint32_t len)
{
	if (b->nfrags == b->cap) {
		uint32_t nc = b->cap ? b->cap * 2 : 8;
		struct frag *nf = tq_arena_alloc(&pk->cap->state, nc * sizeof(*nf));
		if (!nf)
			return -1;
		if (b->nfrags)
			memcpy(nf, b->frags, b->nfrags * sizeof(*nf));
		b->frags = nf;
		b->cap = nc;
	}
	uint8_t *d = NULL;
	if (len) {
		d = tq_arena_alloc_raw(&pk->cap->state, len);
		if (!d)
			return -1;
		memcpy(d, p, len);
	}
	b->frags[b->nfrags].frame = pk->num;
	b->frags[b->nfrags].len = len;
	b->frags[b->nfrags].data = d;
	b->nfrags++;
	b->len += len;
	return 0;
}

/* fragment_end_seq_next in pass 1: the open body ends here. */
static void
body_end(struct tq_pkt *pk, struct oneway *w)
{
	if (pk->pass == 1 && w && w->open) {
		w->open->done = pk->num;
		w->open = NULL;
	}
}

static int
should_reassemble(const struct ctx *x)
{
	return x->ow && x->ow->data_initiated_in && !x->ow->has_te && !x->st->is_connect;
}

/* Line-based text data (packet-text-media.c), for the media types Wireshark 4.0 gives it. */
static int
text_media(const char *ct)
{
	static const char *const types[] = {
		"text/plain", "text/richtext", "text/enriched", "text/parameters", "text/html", "text/css",
		"text/javascript", "application/javascript", "application/x-javascript",
		"application/x-ns-proxy-autoconfig", "text/vnd.sun.j2me.app-descriptor",
		"application/vnd.poc.refer-to", "application/x-wms-logplaystats", "application/x-rtsp-udp-packetpair",
		"application/x-tia-p25-issi", "application/x-tia-p25-sndcp", NULL,
	};
	for (int i = 0; types[i]; i++)
		if (!strcmp(ct, types[i]))
			return 1;
	return 0;
}

static void
text_lines(struct tq_pkt *pk, struct tq_node *parent, const struct tq_slice *s, const char *ct)
{
	tq_col_info_append(pk, "%s(%s)", pk->info && pk->info->len ? " " : "", ct);
	struct tq_node *t = tq_add_proto(pk, parent, &hf_text_lines, s, 0, s->len);
	if (!t)
		return;
	uint32_t off = 0, lines = 0;
	struct tq_sbuf b;
	tq_sbuf_init(&b, 0);
	while (off < s->len) {
		uint32_t e = off;
		while (e < s->len && s->p[e] != '\n' && s->p[e] != '\r')
			e++;
		if (e < s->len) {
			if (s->p[e] == '\r' && e + 1 < s->len && s->p[e + 1] == '\n')
				e += 2;
			else
				e++;
		}
		tq_sbuf_reset(&b);
		tq_format_text(&b, s->p + off, e - off);
		tq_add_text(pk, t, s, off, e - off, "%s", tq_sbuf_str(&b));
		off = e;
		lines++;
	}
	tq_sbuf_free(&b);
	tq_append(pk, t, ": %s (%u lines)", ct, lines);
}

/* dissect_body_data: the Data item, then the body by its media type at the protocol's level. */
static void
body_data(struct ctx *x, struct tq_node *tree, const struct tq_slice *s)
{
	tq_add(x->pk, tree, &hf_data_data, s, 0, s->len);
	const char *ct = x->ow ? x->ow->ctype : NULL;
	if (ct && text_media(ct))
		text_lines(x->pk, x->proto, s, ct);
}

/* dissect_http2_data_full_body */
static void
full_body(struct ctx *x, const struct tq_slice *s)
{
	struct tq_pkt *pk = x->pk;
	const char *enc = x->ow ? x->ow->cenc : NULL;
	int zl = enc && !x->ow->partial_content && (!strncmp(enc, "gzip", 4) || !strncmp(enc, "deflate", 7));
	if (!zl) {
		body_data(x, x->t, s);
		return;
	}
	struct tq_node *e = tq_add(pk, x->t, &hf_enc_entity, s, 0, s->len);
	tq_set_label(pk, e, "Content-encoded entity body (%s): %u bytes", enc, s->len);
	uint32_t ulen = 0, ukept = 0;
	uint8_t *u = s->len == s->rlen ? tq_uncompress(pk->arena, s->p, s->len, 0, &ulen, &ukept) : NULL;
	if (u) {
		int ds = tq_add_ds(pk, u, ulen, "Uncompressed entity body");
		struct tq_slice us = { u, ulen, ulen, 0, (uint8_t)(ds < 0 ? 0 : ds) };
		tq_append(pk, e, " -> %u bytes", ulen);
		struct tq_node *saved = x->t;
		x->t = e;
		body_data(x, e, &us);
		x->t = saved;
	} else {
		struct tq_node *xn = tq_expert(pk, e, &ei_body_decomp, NULL);
		(void)xn;
		body_data(x, e, s);
	}
}

/* process_reassembled_data for a body completed in this frame: the rebuilt
 * bytes (a data source of their own when there were several fragments). */
static int
reassembled(struct ctx *x, const struct body *b, const struct tq_slice *here, struct tq_slice *out)
{
	struct tq_pkt *pk = x->pk;
	if (b->single) {
		*out = *here;
		return 0;
	}
	uint8_t *buf = tq_arena_alloc_raw(pk->arena, b->len ? b->len : 1);
	if (!buf)
		return -1;
	uint32_t at = 0;
	for (uint32_t i = 0; i < b->nfrags; i++) {
		if (b->frags[i].len)
			memcpy(buf + at, b->frags[i].data, b->frags[i].len);
		at += b->frags[i].len;
	}
	int ds = tq_add_ds(pk, buf, b->len, "Reassembled body");
	struct tq_slice w = { buf, b->len, b->len, 0, (uint8_t)(ds < 0 ? 0 : ds) };
	*out = w;
	struct tq_node *fr = tq_gen(tq_add(pk, x->t, &hf_body_fragments, &w, 0, b->len));
	if (fr) {
		struct tq_sbuf lb;
		tq_sbuf_init(&lb, 0);
		tq_sbuf_printf(&lb, "%u %s (%u byte%s): ", b->nfrags, b->nfrags == 1 ? "Body fragment" : "Body fragments",
		    b->len, b->len == 1 ? "" : "s");
		uint32_t o = 0;
		for (uint32_t i = 0; i < b->nfrags; i++) {
			const struct frag *f = &b->frags[i];
			tq_sbuf_printf(&lb, "%s#%u(%u)", i ? ", " : "", f->frame, f->len);
			struct tq_node *n = tq_gen(tq_add_u(pk, fr, &hf_body_fragment, &w, o, f->len, f->frame));
			if (f->len)
				tq_set_label(pk, n, "Frame: %u, payload: %u-%u (%u byte%s)", f->frame, o, o + f->len - 1,
				    f->len, f->len == 1 ? "" : "s");
			else
				tq_set_label(pk, n, "Frame: %u (no data)", f->frame);
			o += f->len;
		}
		tq_set_label(pk, fr, "%s", tq_sbuf_str(&lb));
		tq_sbuf_free(&lb);
		tq_add_gen(pk, fr, &hf_body_count, &w, 0, b->nfrags);
		tq_add_gen(pk, fr, &hf_body_length, &w, 0, b->len);
		tq_gen(tq_add(pk, fr, &hf_body_data, &w, 0, b->len));
	}
	return 0;
}

/* ------------------------------------------------------------------ frame types */

/* dissect_frame_padding: returns the offset after the Pad Length octet. */
static uint32_t
padding(struct ctx *x, uint32_t off, uint8_t flags, uint32_t *pad)
{
	uint32_t plen = 0;
	*pad = 0;
	if (flags & FL_PADDED) {
		*pad = tq_peek_u8(x->s.p, x->s.len, off);
		tq_add(x->pk, x->t, &hf_padding, &x->s, off, 1);
		off++;
		plen = 1;
	}
	tq_gen(tq_add_u(x->pk, x->t, &hf_pad_length, &x->s, off - plen, plen, *pad));
	return off;
}

static uint32_t
prio(struct ctx *x, uint32_t off, uint8_t flags)
{
	if (flags & FL_PRIORITY) {
		tq_add(x->pk, x->t, &hf_exclusive, &x->s, off, 4);
		tq_add(x->pk, x->t, &hf_dependency, &x->s, off, 4);
		off += 4;
		tq_add(x->pk, x->t, &hf_weight, &x->s, off, 1);
		uint32_t w = tq_peek_u8(x->s.p, x->s.len, off);
		tq_gen(tq_add_u(x->pk, x->t, &hf_weight_real, &x->s, off, 1, w + 1));
		off++;
	}
	return off;
}

/* Bytes of the frame from off, as tvb_reported_length_remaining; -1 past its end. */
static int64_t
remaining(const struct ctx *x, uint32_t off)
{
	return (int64_t)x->s.rlen - off;
}

/* The bytes at off..off+len must exist, else Wireshark's exception ends the frame. */
static int
need(struct ctx *x, uint32_t off, uint32_t len)
{
	return tq_have(x->pk, &x->s, off, len, "HTTP2");
}

static int
do_data(struct ctx *x, uint32_t off, uint8_t flags)
{
	struct tq_pkt *pk = x->pk;
	uint32_t pad;
	if ((flags & FL_PADDED) && !need(x, off, 1))
		return -1;
	off = padding(x, off, flags, &pad);
	int64_t dl = remaining(x, off) - pad;
	if (dl < 0) {
		tq_malformed(pk, "HTTP2");
		return -1;
	}
	uint32_t datalen = (uint32_t)dl;
	int end = flags & FL_END_STREAM;
	const struct body *head = NULL;
	int reas = x->st && should_reassemble(x);
	if (reas && pk->pass == 1) {
		struct oneway *w = x->ow;
		if (end && datalen == 0) {
			body_end(pk, w);
		} else if (!w->open && end) {
			struct body *b = tq_arena_alloc(&pk->cap->state, sizeof(*b));
			if (b) {
				b->single = 1;
				b->done = pk->num;
				b->len = datalen;
				b->next = w->bodies;
				w->bodies = b;
			}
		} else if (off <= x->s.len && x->s.len - off >= datalen) {
			if (!w->open) {
				struct body *b = tq_arena_alloc(&pk->cap->state, sizeof(*b));
				if (b) {
					b->next = w->bodies;
					w->bodies = b;
					w->open = b;
				}
			}
			if (w->open && body_add(pk, w->open, x->s.p + off, datalen) == 0 && end)
				body_end(pk, w);
		}
	} else if (reas) {
		head = body_of_frame(x->ow, pk->num);
	}
	struct tq_slice full;
	if (head && end && head->done == pk->num) {
		struct tq_slice here = tq_sub_rest(&x->s, off);
		if (reassembled(x, head, &here, &full) == 0) {
			full_body(x, &full);
			goto pad;
		}
	}
	if (head && !end)
		tq_add_u(pk, x->t, &hf_body_in, &x->s, 0, 0, head->done);
	if (!end)
		tq_append(pk, x->t, " (partial entity body)");
	if (x->ow && x->ow->has_te)
		tq_append(pk, x->t, " (transfer-encoded body)");
	if (x->st && x->st->is_connect)
		tq_append(pk, x->t, " (tunneled data)");
	if (!need(x, off, datalen))
		return -1;
	tq_add(pk, x->t, &hf_data_data, &x->s, off, datalen);
pad:
	off += datalen;
	if (pad) {
		if (!need(x, off, pad))
			return -1;
		tq_add(pk, x->t, &hf_data_padding, &x->s, off, pad);
	}
	return 0;
}

static int
do_headers(struct ctx *x, uint32_t off, uint8_t flags, int type)
{
	struct tq_pkt *pk = x->pk;
	uint32_t pad;
	if (type == T_HEADERS) {
		if (flags & FL_END_STREAM) {
			if (pk->pass == 1) {
				body_end(pk, x->ow);
			} else if (x->ow) {
				const struct body *b = body_of_frame(x->ow, pk->num);
				struct tq_slice full;
				if (b && b->done == pk->num && !b->single && reassembled(x, b, &x->s, &full) == 0)
					full_body(x, &full);
			}
		}
		if (pk->pass == 1 && x->ow) {
			if (!x->ow->header_start_in)
				x->ow->header_start_in = x->fnum;
			if (!x->ow->header_end_in && (flags & FL_END_HEADERS))
				x->ow->header_end_in = x->fnum;
		}
	} else if (type == T_CONTINUATION && pk->pass == 1 && x->ow && (flags & FL_END_HEADERS)) {
		if (x->ow->header_start_in && !x->ow->header_end_in)
			x->ow->header_end_in = x->fnum;
	}
	if ((flags & FL_PADDED) && !need(x, off, 1))
		return -1;
	off = padding(x, off, flags, &pad);
	if (type == T_HEADERS) {
		if ((flags & FL_PRIORITY) && !need(x, off, 5))
			return -1;
		off = prio(x, off, flags);
	} else if (type == T_PUSH_PROMISE) {
		if (!need(x, off, 4))
			return -1;
		tq_add(pk, x->t, &hf_pp_r, &x->s, off, 4);
		tq_add(pk, x->t, &hf_pp_id, &x->s, off, 4);
		off += 4;
	}
	int64_t hl = remaining(x, off);
	if (hl < pad) {
		tq_malformed(pk, "HTTP2");
		return -1;
	}
	uint32_t headlen = (uint32_t)(hl - pad);
	const struct tq_field *bf = type == T_HEADERS ? &hf_headers : type == T_PUSH_PROMISE ? &hf_pp_header : &hf_cont_header;
	if (type == T_CONTINUATION) {
		uint32_t avail = off <= x->s.len ? x->s.len - off : 0;
		uint32_t n = headlen < avail ? headlen : avail;
		char *str = tq_ascii_string(pk->arena, x->s.p + off, n, NULL);
		if (str)
			tq_add_str(pk, x->t, bf, &x->s, off, headlen, str);
	} else {
		tq_add(pk, x->t, bf, &x->s, off, headlen);
	}
	if (!need(x, off, headlen))
		return -1;
	header_block(x, off, headlen, flags);
	off += headlen;
	if (pad) {
		if (!need(x, off, pad))
			return -1;
		tq_add(pk, x->t, type == T_HEADERS ? &hf_headers_padding : type == T_PUSH_PROMISE ? &hf_pp_padding :
		    &hf_cont_padding, &x->s, off, pad);
	}
	return 0;
}

static int
do_settings(struct ctx *x, uint32_t off, uint8_t flags)
{
	struct tq_pkt *pk = x->pk;
	uint32_t hts = 0, min_hts = 0xffffffffu;
	int found = 0;
	while (remaining(x, off) > 0) {
		if (!need(x, off, 6))
			return -1;
		uint16_t id = tq_peek_be16(x->s.p, x->s.len, off);
		uint32_t v = tq_peek_be32(x->s.p, x->s.len, off + 2);
		struct tq_node *it = tq_add(pk, x->t, &hf_settings, &x->s, off, 6);
		tq_add(pk, it, &hf_settings_id, &x->s, off, 2);
		const char *nm = tq_vals_find(settings_vals, id);
		if (nm)
			tq_append(pk, it, " - %s", nm);
		else
			tq_append(pk, it, " - Unknown (%u)", id);
		const struct tq_field *f;
		switch (id) {
		case 1:
			f = &hf_set_hts;
			found = 1;
			hts = v;
			if (min_hts > v)
				min_hts = v;
			break;
		case 2: f = &hf_set_push; break;
		case 3: f = &hf_set_mcs; break;
		case 4: f = &hf_set_iws; break;
		case 5: f = &hf_set_mfs; break;
		case 6: f = &hf_set_mhls; break;
		case 8: f = &hf_set_xconn; break;
		default: f = &hf_set_unknown; break;
		}
		tq_add(pk, it, f, &x->s, off + 2, 4);
		tq_append(pk, it, " : %u", v);
		off += 6;
	}
	if (pk->pass == 1 && x->ss) {
		struct session *ss = x->ss;
		if (flags & FL_ACK) {
			/* the peer's settings now apply to what it receives from us: our inflater */
			int q = x->fi ^ 1;
			struct settings_q *sq = ss->sq_head[q];
			if (sq) {
				ss->sq_head[q] = sq->next;
				if (!sq->next)
					ss->sq_tail[q] = NULL;
				nghttp2_hd_inflater *inf = ss->inf[x->fi];
				if (sq->has_hts && inf) {
					if (sq->min_hts < sq->hts)
						nghttp2_hd_inflate_change_table_size(inf, sq->min_hts);
					nghttp2_hd_inflate_change_table_size(inf, sq->hts);
				}
			}
		} else {
			struct settings_q *sq = tq_arena_alloc(&pk->cap->state, sizeof(*sq));
			if (sq) {
				sq->hts = hts;
				sq->min_hts = min_hts;
				sq->has_hts = found;
				if (ss->sq_tail[x->fi])
					ss->sq_tail[x->fi]->next = sq;
				else
					ss->sq_head[x->fi] = sq;
				ss->sq_tail[x->fi] = sq;
			}
		}
	}
	return 0;
}

/*
 * The settings of an HTTP2-Settings header (RFC 7540 3.2.1), decoded from
 * base64 by HTTP, shown under parent as Wireshark's
 * dissect_http2_settings_ext does: items only, no state.
 */
void
tq_http2_settings_ext(struct tq_pkt *pk, struct tq_node *parent, const struct tq_slice *s)
{
	struct ctx x;
	memset(&x, 0, sizeof(x));
	x.pk = pk;
	x.s = *s;
	x.t = parent;
	do_settings(&x, 0, 0);       /* no session: nothing queued for HPACK */
}

/* One HTTP/2 frame (dissect_http2_pdu). */
static void
dissect_pdu(struct tq_pkt *pk, struct session *ss, struct tq_slice *s)
{
	struct ctx x;
	memset(&x, 0, sizeof(x));
	x.pk = pk;
	x.ss = ss;
	x.s = *s;
	x.fnum = frame_num(pk, s);
	/* one protocol item per HTTP/2 frame, one layer per call (dissect_http2) */
	x.proto = tq_add(pk, tq_root(pk), &hf_http2, s, 0, s->len);
	x.t = tq_add(pk, x.proto, &hf_stream, s, 0, s->len);
	const char *info_sep = pk->info && pk->info->len ? ", " : "";

	if (s->len >= MAGIC_LENGTH && !memcmp(s->p, magic, MAGIC_LENGTH)) {
		tq_col_info_append(pk, "%sMagic", info_sep);
		tq_set_len(x.t, MAGIC_LENGTH);
		tq_append(pk, x.t, ": Magic");
		tq_add(pk, x.t, &hf_magic, s, 0, MAGIC_LENGTH);
		return;
	}
	if (!need(&x, 0, FRAME_HEADER_LENGTH))
		return;
	uint32_t length = tq_peek_be32(s->p, s->len, 0) >> 8;
	uint8_t type = s->p[3], flags = s->p[4];
	uint32_t streamid = tq_peek_be32(s->p, s->len, 5) & 0x7fffffffu;
	tq_add(pk, x.t, &hf_length, s, 0, 3);
	tq_add(pk, x.t, &hf_type, s, 3, 1);
	const char *tstr = tq_vals_find(type_vals, type);
	char tbuf[32];
	if (!tstr) {
		snprintf(tbuf, sizeof(tbuf), "Unknown type (%d)", type);
		tstr = tbuf;
	}

	/* the flags, with the names of those set appended */
	struct tq_node *fl = tq_add(pk, x.t, &hf_flags, s, 4, 1);
	const struct tq_field *ff[6];
	int nff = 0;
	switch (type) {
	case T_DATA:
		ff[nff++] = &hf_fl_unused_data; ff[nff++] = &hf_fl_padded; ff[nff++] = &hf_fl_end_stream;
		break;
	case T_HEADERS:
		ff[nff++] = &hf_fl_unused_headers; ff[nff++] = &hf_fl_priority; ff[nff++] = &hf_fl_padded;
		ff[nff++] = &hf_fl_eh; ff[nff++] = &hf_fl_end_stream;
		break;
	case T_SETTINGS:
		ff[nff++] = &hf_fl_unused_settings; ff[nff++] = &hf_fl_ack_settings;
		break;
	case T_PUSH_PROMISE:
		ff[nff++] = &hf_fl_unused_pp; ff[nff++] = &hf_fl_padded; ff[nff++] = &hf_fl_eh;
		break;
	case T_CONTINUATION:
		ff[nff++] = &hf_fl_unused_cont; ff[nff++] = &hf_fl_eh;
		break;
	case T_PING:
		ff[nff++] = &hf_fl_unused_ping; ff[nff++] = &hf_fl_ack_ping;
		break;
	default:
		ff[nff++] = &hf_fl_unused;
		break;
	}
	for (int i = 0; i < nff; i++) {
		tq_add(pk, fl, ff[i], s, 4, 1);
		if (ff[i]->type == FT_BOOLEAN && (flags & ff[i]->mask))
			tq_append(pk, fl, ", %s", ff[i]->name);
	}
	tq_add(pk, x.t, &hf_r, s, 5, 4);
	tq_add(pk, x.t, &hf_streamid, s, 5, 4);
	tq_append(pk, x.t, ": %s, Stream ID: %u, Length %u", tstr, streamid, length);
	tq_col_info_append(pk, "%s%s[%u]", info_sep, tstr, streamid);

	x.streamid = streamid;
	if (ss) {
		x.fi = flow_index(pk, ss);
		x.st = stream_get(pk, ss, streamid);
		x.ow = x.st ? &x.st->w[x.fi] : NULL;
	}
	uint32_t off = FRAME_HEADER_LENGTH;
	switch (type) {
	case T_DATA:
		do_data(&x, off, flags);
		break;
	case T_HEADERS:
	case T_PUSH_PROMISE:
	case T_CONTINUATION:
		do_headers(&x, off, flags, type);
		break;
	case T_PRIORITY:
		if (need(&x, off, 5))
			prio(&x, off, flags | FL_PRIORITY);
		break;
	case T_RST_STREAM:
		if (need(&x, off, 4))
			tq_add(pk, x.t, &hf_rst_error, s, off, 4);
		break;
	case T_SETTINGS:
		do_settings(&x, off, flags);
		break;
	case T_PING:
		if (need(&x, off, 8))
			tq_add(pk, x.t, flags & FL_ACK ? &hf_pong : &hf_ping, s, off, 8);
		break;
	case T_GOAWAY:
		if (!need(&x, off, 8))
			break;
		tq_add(pk, x.t, &hf_goaway_r, s, off, 4);
		tq_add(pk, x.t, &hf_goaway_last, s, off, 4);
		tq_add(pk, x.t, &hf_goaway_error, s, off + 4, 4);
		off += 8;
		if (remaining(&x, off) > 0 && need(&x, off, s->rlen - off))
			tq_add(pk, x.t, &hf_goaway_addata, s, off, s->rlen - off);
		break;
	case T_WINDOW_UPDATE:
		if (need(&x, off, 4)) {
			tq_add(pk, x.t, &hf_wu_r, s, off, 4);
			tq_add(pk, x.t, &hf_wu_inc, s, off, 4);
		}
		break;
	case T_ALTSVC: {
		if (!need(&x, off, 2))
			break;
		uint32_t olen = tq_peek_be16(s->p, s->len, off);
		tq_add(pk, x.t, &hf_altsvc_origin_len, s, off, 2);
		off += 2;
		if (!need(&x, off, olen))
			break;
		tq_add(pk, x.t, &hf_altsvc_origin, s, off, olen);
		off += olen;
		int64_t rem = (int64_t)length - 2 - olen;
		if (rem > 0 && need(&x, off, (uint32_t)rem))
			tq_add(pk, x.t, &hf_altsvc_value, s, off, (uint32_t)rem);
		break;
	}
	case T_BLOCKED:
		break;
	case T_ORIGIN:
		while (remaining(&x, off) > 0) {
			if (!need(&x, off, 2))
				break;
			uint32_t olen = tq_peek_be16(s->p, s->len, off);
			struct tq_node *o = tq_add(pk, x.t, &hf_origin, s, off, 2 + olen);
			tq_add(pk, o, &hf_origin_len, s, off, 2);
			if (!need(&x, off + 2, olen))
				break;
			tq_add(pk, o, &hf_origin_origin, s, off + 2, olen);
			off += 2 + olen;
		}
		break;
	case T_PRIORITY_UPDATE:
		if (!need(&x, off, 4))
			break;
		tq_add(pk, x.t, &hf_pu_id, s, off, 4);
		off += 4;
		if (remaining(&x, off) > 0 && need(&x, off, s->rlen - off))
			tq_add(pk, x.t, &hf_pu_value, s, off, s->rlen - off);
		break;
	default:
		if (need(&x, off, s->rlen > off ? s->rlen - off : 0))
			tq_add(pk, x.t, &hf_unknown, s, off, s->rlen > off ? s->rlen - off : 0);
		break;
	}
}

/* ------------------------------------------------------------------ the stream (tcp_dissect_pdus) */

static int
dissect_http2(struct tq_pkt *pk, struct tq_slice *s)
{
	struct session *ss = session_of(pk);
	int can_deseg = pk->tcp && pk->tcp->can_desegment;
	tq_col_proto(pk, "HTTP2");
	tq_col_info_clear(pk);
	/* after an HTTP upgrade or HTTP's prior-knowledge hand-over: "tcp:http:http2" */
	tq_http_upgraded_layer(pk);
	tq_layer(pk, "http2");
	uint32_t off = 0;
	while (off < s->rlen) {
		uint32_t avail = off < s->len ? s->len - off : 0;
		if (can_deseg && avail < FRAME_HEADER_LENGTH) {
			pk->deseg_offset = off;
			pk->deseg_len = TQ_DESEG_ONE_MORE;
			return (int)off;
		}
		uint64_t plen;
		if (avail >= MAGIC_LENGTH && !memcmp(s->p + off, magic, MAGIC_LENGTH)) {
			plen = MAGIC_LENGTH;
		} else {
			if (avail < 3) {
				/* the length field itself was not captured */
				if (off + 3 <= s->rlen)
					tq_truncated(pk, "HTTP2");
				else
					tq_malformed(pk, "HTTP2");
				return (int)s->len;
			}
			plen = (uint64_t)(tq_peek_be32(s->p + off, avail, 0) >> 8 & 0xffffff) + FRAME_HEADER_LENGTH;
			if (avail < 4)
				plen = ((uint64_t)s->p[off] << 16 | (uint64_t)s->p[off + 1] << 8 | s->p[off + 2]) + FRAME_HEADER_LENGTH;
		}
		if (can_deseg && avail < plen) {
			pk->deseg_offset = off;
			pk->deseg_len = (uint32_t)(plen - avail);
			return (int)off;
		}
		tq_tcp_pdu_size(pk, s, off, (uint32_t)plen);
		struct tq_slice pdu = tq_sub(s, off, (uint32_t)plen);
		pdu.rlen = (uint32_t)plen;
		dissect_pdu(pk, ss, &pdu);
		if (pdu.len < plen)
			break;          /* cut by the snapshot length: Wireshark's exception ends the frame */
		off += (uint32_t)plen;
	}
	/* what follows in this frame (after a reassembled PDU) appends to Info */
	tq_col_info_fence(pk);
	return (int)(off < s->len ? off : s->len);
}
