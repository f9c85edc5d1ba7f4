/*
 * http.c - HTTP/1.x (RFC 9110, 9112) as Wireshark 4.0 shows it: the request
 * and status lines, every header, request/response linking, bodies over
 * several segments (Content-Length, chunked), content codings (gzip,
 * deflate) into a new data source, and the body handed on by media type to
 * JSON, "Line-based text data", "HTML Form URL Encoded" or "Media Type".
 * The upgrade after "101 Switching Protocols" hands the rest of the stream
 * to the protocol named by Upgrade (or to data when there is none).
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "http.h"

/* ------------------------------------------------------------------ fields */

static const struct tq_vals status_vals[] = {
	{ 100, "Continue" }, { 101, "Switching Protocols" }, { 102, "Processing" }, { 103, "Early Hints" },
	{ 199, "Informational - Others" },
	{ 200, "OK" }, { 201, "Created" }, { 202, "Accepted" }, { 203, "Non-authoritative Information" },
	{ 204, "No Content" }, { 205, "Reset Content" }, { 206, "Partial Content" }, { 207, "Multi-Status" },
	{ 208, "Already Reported" }, { 226, "IM Used" }, { 299, "Success - Others" },
	{ 300, "Multiple Choices" }, { 301, "Moved Permanently" }, { 302, "Found" }, { 303, "See Other" },
	{ 304, "Not Modified" }, { 305, "Use Proxy" }, { 307, "Temporary Redirect" }, { 308, "Permanent Redirect" },
	{ 399, "Redirection - Others" },
	{ 400, "Bad Request" }, { 401, "Unauthorized" }, { 402, "Payment Required" }, { 403, "Forbidden" },
	{ 404, "Not Found" }, { 405, "Method Not Allowed" }, { 406, "Not Acceptable" },
	{ 407, "Proxy Authentication Required" }, { 408, "Request Time-out" }, { 409, "Conflict" }, { 410, "Gone" },
	{ 411, "Length Required" }, { 412, "Precondition Failed" }, { 413, "Request Entity Too Large" },
	{ 414, "Request-URI Too Long" }, { 415, "Unsupported Media Type" }, { 416, "Requested Range Not Satisfiable" },
	{ 417, "Expectation Failed" }, { 418, "I'm a teapot" }, { 421, "Misdirected Request" },
	{ 422, "Unprocessable Entity" }, { 423, "Locked" }, { 424, "Failed Dependency" }, { 425, "Too Early" },
	{ 426, "Upgrade Required" }, { 428, "Precondition Required" }, { 429, "Too Many Requests" },
	{ 431, "Request Header Fields Too Large" }, { 451, "Unavailable For Legal Reasons" },
	{ 499, "Client Error - Others" },
	{ 500, "Internal Server Error" }, { 501, "Not Implemented" }, { 502, "Bad Gateway" },
	{ 503, "Service Unavailable" }, { 504, "Gateway Time-out" }, { 505, "HTTP Version not supported" },
	{ 506, "Variant Also Negotiates" }, { 507, "Insufficient Storage" }, { 508, "Loop Detected" },
	{ 510, "Not Extended" }, { 511, "Network Authentication Required" }, { 599, "Server Error - Others" },
	{ 0, NULL },
};

static struct tq_field hf_http = HF("http", "Hypertext Transfer Protocol", FT_PROTOCOL, BASE_NONE, NULL, 0);
static struct tq_field hf_notification = HF("http.notification", "Notification", FT_BOOLEAN, BASE_NONE, &tq_tfs_true_false, 0);
static struct tq_field hf_response = HF("http.response", "Response", FT_BOOLEAN, BASE_NONE, &tq_tfs_true_false, 0);
static struct tq_field hf_request = HF("http.request", "Request", FT_BOOLEAN, BASE_NONE, &tq_tfs_true_false, 0);
static struct tq_field hf_response_number = HF("http.response_number", "Response number", FT_UINT32, BASE_DEC, NULL, 0);
static struct tq_field hf_request_number = HF("http.request_number", "Request number", FT_UINT32, BASE_DEC, NULL, 0);
static struct tq_field hf_response_line = HF("http.response.line", "Response line", FT_STRING, BASE_NONE, NULL, 0);
static struct tq_field hf_request_line = HF("http.request.line", "Request line", FT_STRING, BASE_NONE, NULL, 0);
static struct tq_field hf_method = HF("http.request.method", "Request Method", FT_STRING, BASE_NONE, NULL, 0);
static struct tq_field hf_uri = HF("http.request.uri", "Request URI", FT_STRING, BASE_NONE, NULL, 0);
static struct tq_field hf_uri_path = HF("http.request.uri.path", "Request URI Path", FT_STRING, BASE_NONE, NULL, 0);
static struct tq_field hf_uri_query = HF("http.request.uri.query", "Request URI Query", FT_STRING, BASE_NONE, NULL, 0);
static struct tq_field hf_uri_param = HF("http.request.uri.query.parameter", "Request URI Query Parameter", FT_STRING, BASE_NONE, NULL, 0);
static struct tq_field hf_req_version = HF("http.request.version", "Request Version", FT_STRING, BASE_NONE, NULL, 0);
static struct tq_field hf_resp_version = HF("http.response.version", "Response Version", FT_STRING, BASE_NONE, NULL, 0);
static struct tq_field hf_full_uri = HF("http.request.full_uri", "Full request URI", FT_STRING, BASE_NONE, NULL, 0);
static struct tq_field hf_code = HF("http.response.code", "Status Code", FT_UINT16, BASE_DEC, NULL, 0);
static struct tq_field hf_code_desc = HF("http.response.code.desc", "Status Code Description", FT_STRING, BASE_NONE, NULL, 0);
static struct tq_field hf_for_uri = HF("http.response_for.uri", "Request URI", FT_STRING, BASE_NONE, NULL, 0);
static struct tq_field hf_phrase = HF("http.response.phrase", "Response Phrase", FT_STRING, BASE_NONE, NULL, 0);
static struct tq_field hf_authorization = HF("http.authorization", "Authorization", FT_STRING, BASE_NONE, NULL, 0);
static struct tq_field hf_proxy_authenticate = HF("http.proxy_authenticate", "Proxy-Authenticate", FT_STRING, BASE_NONE, NULL, 0);
static struct tq_field hf_proxy_authorization = HF("http.proxy_authorization", "Proxy-Authorization", FT_STRING, BASE_NONE, NULL, 0);
static struct tq_field hf_www_authenticate = HF("http.www_authenticate", "WWW-Authenticate", FT_STRING, BASE_NONE, NULL, 0);
static struct tq_field hf_content_type = HF("http.content_type", "Content-Type", FT_STRING, BASE_NONE, NULL, 0);
static struct tq_field hf_content_length_header = HF("http.content_length_header", "Content-Length", FT_STRING, BASE_NONE, NULL, 0);
static struct tq_field hf_content_length = HF("http.content_length", "Content length", FT_UINT64, BASE_DEC, NULL, 0);
static struct tq_field hf_content_encoding = HF("http.content_encoding", "Content-Encoding", FT_STRING, BASE_NONE, NULL, 0);
static struct tq_field hf_transfer_encoding = HF("http.transfer_encoding", "Transfer-Encoding", FT_STRING, BASE_NONE, NULL, 0);
static struct tq_field hf_upgrade = HF("http.upgrade", "Upgrade", FT_STRING, BASE_NONE, NULL, 0);
static struct tq_field hf_user_agent = HF("http.user_agent", "User-Agent", FT_STRING, BASE_NONE, NULL, 0);
static struct tq_field hf_host = HF("http.host", "Host", FT_STRING, BASE_NONE, NULL, 0);
static struct tq_field hf_connection = HF("http.connection", "Connection", FT_STRING, BASE_NONE, NULL, 0);
static struct tq_field hf_cookie = HF("http.cookie", "Cookie", FT_STRING, BASE_NONE, NULL, 0);
static struct tq_field hf_cookie_pair = HF("http.cookie_pair", "Cookie pair", FT_STRING, BASE_NONE, NULL, 0);
static struct tq_field hf_accept = HF("http.accept", "Accept", FT_STRING, BASE_NONE, NULL, 0);
static struct tq_field hf_referer = HF("http.referer", "Referer", FT_STRING, BASE_NONE, NULL, 0);
static struct tq_field hf_accept_language = HF("http.accept_language", "Accept-Language", FT_STRING, BASE_NONE, NULL, 0);
static struct tq_field hf_accept_encoding = HF("http.accept_encoding", "Accept Encoding", FT_STRING, BASE_NONE, NULL, 0);
static struct tq_field hf_date = HF("http.date", "Date", FT_STRING, BASE_NONE, NULL, 0);
static struct tq_field hf_cache_control = HF("http.cache_control", "Cache-Control", FT_STRING, BASE_NONE, NULL, 0);
static struct tq_field hf_server = HF("http.server", "Server", FT_STRING, BASE_NONE, NULL, 0);
static struct tq_field hf_location = HF("http.location", "Location", FT_STRING, BASE_NONE, NULL, 0);
static struct tq_field hf_ws_accept = HF("http.sec_websocket_accept", "Sec-WebSocket-Accept", FT_STRING, BASE_NONE, NULL, 0);
static struct tq_field hf_ws_extensions = HF("http.sec_websocket_extensions", "Sec-WebSocket-Extensions", FT_STRING, BASE_NONE, NULL, 0);
static struct tq_field hf_ws_key = HF("http.sec_websocket_key", "Sec-WebSocket-Key", FT_STRING, BASE_NONE, NULL, 0);
static struct tq_field hf_ws_protocol = HF("http.sec_websocket_protocol", "Sec-WebSocket-Protocol", FT_STRING, BASE_NONE, NULL, 0);
static struct tq_field hf_ws_version = HF("http.sec_websocket_version", "Sec-WebSocket-Version", FT_STRING, BASE_NONE, NULL, 0);
static struct tq_field hf_set_cookie = HF("http.set_cookie", "Set-Cookie", FT_STRING, BASE_NONE, NULL, 0);
static struct tq_field hf_last_modified = HF("http.last_modified", "Last-Modified", FT_STRING, BASE_NONE, NULL, 0);
static struct tq_field hf_x_forwarded_for = HF("http.x_forwarded_for", "X-Forwarded-For", FT_STRING, BASE_NONE, NULL, 0);
static struct tq_field hf_http2_settings = HF("http.http2_settings", "HTTP2-Settings", FT_STRING, BASE_NONE, NULL, 0);
static struct tq_field hf_request_in = HF("http.request_in", "Request in frame", FT_FRAMENUM, BASE_NONE, NULL, 0);
static struct tq_field hf_response_in = HF("http.response_in", "Response in frame", FT_FRAMENUM, BASE_NONE, NULL, 0);
static struct tq_field hf_next_request_in = HF("http.next_request_in", "Next request in frame", FT_FRAMENUM, BASE_NONE, NULL, 0);
static struct tq_field hf_next_response_in = HF("http.next_response_in", "Next response in frame", FT_FRAMENUM, BASE_NONE, NULL, 0);
static struct tq_field hf_prev_request_in = HF("http.prev_request_in", "Prev request in frame", FT_FRAMENUM, BASE_NONE, NULL, 0);
static struct tq_field hf_prev_response_in = HF("http.prev_response_in", "Prev response in frame", FT_FRAMENUM, BASE_NONE, NULL, 0);
static struct tq_field hf_time = HF("http.time", "Time since request", FT_RELTIME, BASE_NONE, NULL, 0);
static struct tq_field hf_trailer_part = HF("http.chunked_trailer_part", "trailer-part", FT_STRING, BASE_NONE, NULL, 0);
static struct tq_field hf_chunk_boundary = HF("http.chunk_boundary", "Chunk boundary", FT_BYTES, BASE_NONE, NULL, 0);
static struct tq_field hf_chunk_size = HF("http.chunk_size", "Chunk size", FT_UINT32, BASE_DEC, NULL, 0);
static struct tq_field hf_chunk_data = HF("http.chunk_data", "Chunk data", FT_BYTES, BASE_NONE, NULL, 0);
static struct tq_field hf_file_data = HF("http.file_data", "File Data", FT_STRING, BASE_NONE, NULL, 0);
static struct tq_field hf_unknown_header = HF("http.unknown_header", "Unknown header", FT_STRING, BASE_NONE, NULL, 0);

static struct tq_expert ei_chat = EI("http.chat", "Formatted text", PI_CHAT, PI_SEQUENCE);
static struct tq_expert ei_te_and_length = EI("http.te_and_length",
    "The Content-Length and Transfer-Encoding header must not be set together", PI_WARN, PI_MALFORMED);
static struct tq_expert ei_te_unknown = EI("http.te_unknown",
    "Unknown transfer coding name in Transfer-Encoding header", PI_WARN, PI_UNDECODED);
static struct tq_expert ei_leading_crlf = EI("http.leading_crlf",
    "Leading CRLF previous message in the stream may have extra CRLF", PI_ERROR, PI_MALFORMED);
static struct tq_expert ei_bad_header_name = EI("http.bad_header_name",
    "Illegal characters found in header name", PI_WARN, PI_PROTOCOL);
static struct tq_expert ei_decompression_failed = EI("http.decompression_failed",
    "Decompression failed", PI_WARN, PI_UNDECODED);

/* The bodies: urlencoded-form, media, data-text-lines (JSON is in json.c). */
static struct tq_field hf_form = HF("urlencoded-form", "HTML Form URL Encoded", FT_PROTOCOL, BASE_NONE, NULL, 0);
static struct tq_field hf_form_key = HF("urlencoded-form.key", "Key", FT_STRING, BASE_NONE, NULL, 0);
static struct tq_field hf_form_value = HF("urlencoded-form.value", "Value", FT_STRING, BASE_NONE, NULL, 0);
static struct tq_field hf_media = HF("media", "Media Type", FT_PROTOCOL, BASE_NONE, NULL, 0);
static struct tq_field hf_media_type = HF("media.type", "Media type", FT_BYTES, BASE_NONE, NULL, 0);
static struct tq_field hf_text_lines = HF("data-text-lines", "Line-based text data", FT_PROTOCOL, BASE_NONE, NULL, 0);
/* Only the top of these two: their insides are not dissected here. */
static struct tq_field hf_xml = HF("xml", "eXtensible Markup Language", FT_PROTOCOL, BASE_NONE, NULL, 0);
static struct tq_field hf_png = HF("png", "Portable Network Graphics", FT_PROTOCOL, BASE_NONE, NULL, 0);
static const struct tq_tfs tfs_ancillary = { "This is an ANCILLARY chunk", "This is a CRITICAL chunk" };
static const struct tq_tfs tfs_private = { "This is a PRIVATE chunk", "This is a PUBLIC chunk" };
static const struct tq_tfs tfs_stc = { "This chunk is SAFE to copy", "This chunk is NOT safe to copy" };
static const struct tq_vals colour_vals[] = {
	{ 0, "Greyscale" }, { 2, "Truecolour" }, { 3, "Indexed-colour" }, { 4, "Greyscale with alpha" },
	{ 6, "Truecolour with alpha" }, { 0, NULL },
};
static const struct tq_vals compression_vals[] = { { 0, "Deflate" }, { 0, NULL } };
static const struct tq_vals filter_vals[] = { { 0, "Adaptive" }, { 0, NULL } };
static const struct tq_vals interlace_vals[] = { { 0, "No interlace" }, { 1, "Adam7" }, { 0, NULL } };
static struct tq_field hf_png_sig = HF("png.signature", "PNG Signature", FT_BYTES, BASE_NONE, NULL, 0);
static struct tq_field hf_png_len = HF("png.chunk.len", "Len", FT_UINT32, BASE_DEC, NULL, 0);
static struct tq_field hf_png_type = HF("png.chunk.type", "Chunk", FT_STRING, BASE_NONE, NULL, 0);
static struct tq_field hf_png_anc = HF("png.chunk.flag.ancillary", "Ancillary", FT_BOOLEAN, 32, &tfs_ancillary, 0x20000000);
static struct tq_field hf_png_priv = HF("png.chunk.flag.private", "Private", FT_BOOLEAN, 32, &tfs_private, 0x00200000);
static struct tq_field hf_png_stc = HF("png.chunk.flag.stc", "Safe To Copy", FT_BOOLEAN, 32, &tfs_stc, 0x00000020);
static struct tq_field hf_png_width = HF("png.ihdr.width", "Width", FT_UINT32, BASE_DEC, NULL, 0);
static struct tq_field hf_png_height = HF("png.ihdr.height", "Height", FT_UINT32, BASE_DEC, NULL, 0);
static struct tq_field hf_png_depth = HF("png.ihdr.bitdepth", "Bit Depth", FT_UINT8, BASE_DEC, NULL, 0);
static struct tq_field hf_png_colour = HF("png.ihdr.colour_type", "Colour Type", FT_UINT8, BASE_DEC, colour_vals, 0);
static struct tq_field hf_png_comp = HF("png.ihdr.compression_method", "Compression Method", FT_UINT8, BASE_DEC, compression_vals, 0);
static struct tq_field hf_png_filter = HF("png.ihdr.filter_method", "Filter Method", FT_UINT8, BASE_DEC, filter_vals, 0);
static struct tq_field hf_png_interlace = HF("png.ihdr.interlace_method", "Interlace Method", FT_UINT8, BASE_DEC, interlace_vals, 0);
static struct tq_field hf_png_data = HF("png.chunk.data", "Data", FT_NONE, BASE_NONE, NULL, 0);
static struct tq_field hf_png_crc = HF("png.chunk.crc", "CRC", FT_UINT32, BASE_HEX, NULL, 0);
static struct tq_expert ei_subdissector_failed = EI("http.subdissector_failed",
    "HTTP body subdissector failed, trying heuristic subdissector", PI_NOTE, PI_MALFORMED);

static struct tq_field *const fields[] = {
	&hf_http, &hf_notification, &hf_response, &hf_request, &hf_response_number, &hf_request_number,
	&hf_response_line, &hf_request_line, &hf_method, &hf_uri, &hf_uri_path, &hf_uri_query, &hf_uri_param,
	&hf_req_version, &hf_resp_version, &hf_full_uri, &hf_code, &hf_code_desc, &hf_for_uri, &hf_phrase,
	&hf_authorization, &hf_proxy_authenticate, &hf_proxy_authorization, &hf_www_authenticate,
	&hf_content_type, &hf_content_length_header, &hf_content_length, &hf_content_encoding,
	&hf_transfer_encoding, &hf_upgrade, &hf_user_agent, &hf_host, &hf_connection, &hf_cookie,
	&hf_cookie_pair, &hf_accept, &hf_referer, &hf_accept_language, &hf_accept_encoding, &hf_date,
	&hf_cache_control, &hf_server, &hf_location, &hf_ws_accept, &hf_ws_extensions, &hf_ws_key,
	&hf_ws_protocol, &hf_ws_version, &hf_set_cookie, &hf_last_modified, &hf_x_forwarded_for,
	&hf_http2_settings, &hf_request_in, &hf_response_in, &hf_next_request_in, &hf_next_response_in,
	&hf_prev_request_in, &hf_prev_response_in, &hf_time, &hf_trailer_part, &hf_chunk_boundary,
	&hf_chunk_size, &hf_chunk_data, &hf_file_data, &hf_unknown_header,
	&ei_chat.f, &ei_te_and_length.f, &ei_te_unknown.f, &ei_leading_crlf.f, &ei_bad_header_name.f,
	&ei_decompression_failed.f,
	&hf_form, &hf_form_key, &hf_form_value, &hf_media, &hf_media_type, &hf_text_lines,
	&hf_xml, &hf_png, &ei_subdissector_failed.f,
	&hf_png_sig, &hf_png_len, &hf_png_type, &hf_png_anc, &hf_png_priv, &hf_png_stc, &hf_png_width,
	&hf_png_height, &hf_png_depth, &hf_png_colour, &hf_png_comp, &hf_png_filter, &hf_png_interlace,
	&hf_png_data, &hf_png_crc,
};

int tq_dissect_http(struct tq_pkt *pk, struct tq_slice *s);

static struct tq_dissector http = { .name = "http", .dissect = tq_dissect_http };

void
tq_register_http(void)
{
	TQ_REGISTER(fields);
	tq_register_json();
	/* Wireshark 4.0's default HTTP TCP ports ("80,3128,3132,5985,8080,8088,11371,1900,2869,2710") */
	static const uint16_t ports[] = { 80, 3128, 3132, 5985, 8080, 8088, 11371, 1900, 2869, 2710 };
	for (size_t i = 0; i < sizeof(ports) / sizeof(ports[0]); i++)
		tq_dissector_add(TQ_TAB_TCP_PORT, ports[i], &http);
}

/* ------------------------------------------------------------------ state */

#define PD_HTTP 0x48545450u          /* "HTTP": this module's per-frame data key */

/* One request and the response that answered it (Wireshark's http_req_res_t). */
struct reqres {
	struct reqres *prev, *next;
	uint32_t number;
	uint32_t req_frame, res_frame;
	int64_t sec;
	int32_t nsec;
	int have_ts;
	const char *method;          /* the request's method, NULL when there was no request */
	const char *for_uri;         /* what the response's "Request URI" shows, NULL if none */
};

/* Per connection, written in pass 1 only. */
struct hconv {
	struct reqres *tail;
	uint32_t count;
	const char *request_method;  /* of the latest request, as pass 1 goes */
	const char *request_uri;
	const char *full_uri;
	int seen_request;            /* a request URI was seen somewhere on the stream */
	uint32_t response_code;
	uint32_t startframe, startoffset;   /* after an upgrade: the stream is another protocol's */
	const struct tq_dissector *next_handle;
	int h2_prior;                /* the HTTP/2 preface was seen: HTTP/2 "with prior knowledge" */
};

/* Per frame: the last request or response it carried (Wireshark keeps one). */
struct hframe {
	struct reqres *curr;
};

enum { T_REQUEST, T_RESPONSE, T_NOTIFICATION, T_OTHERS };

/* A per-message context. */
struct msg {
	struct tq_pkt *pk;
	struct hconv *hc;            /* NULL when there is no connection state */
	struct tq_slice *s;
	int type;
	/* from the headers */
	char content_type[128];
	int have_content_type;
	int have_content_length;
	int64_t content_length;
	char content_encoding[64];
	int have_content_encoding;
	int te;                      /* transfer coding other than chunked */
	int te_chunked;
	char upgrade[64];
	int have_upgrade;
	/* from the first line */
	const char *request_uri;     /* of this message, NULL if none */
	const char *http_host;
	uint32_t response_code;
	const char *method;
};

enum { TE_NONE, TE_COMPRESS, TE_DEFLATE, TE_GZIP, TE_IDENTITY, TE_UNKNOWN };

static char *
pdup(struct tq_pkt *pk, const char *p, size_t n)
{
	/* pass 1 state outlives the frame */
	return tq_arena_strdup(pk->pass == 1 ? &pk->cap->state : pk->arena, p, n);
}

/* ------------------------------------------------------------------ lines */

/*
 * Wireshark's tvb_find_line_end over the captured bytes of s from off: the
 * length of the line without its end, and where the next one starts; -1
 * when no end is found and desegment is set (or a CR ends the bytes).
 */
static int64_t
find_line_end(const struct tq_slice *s, uint32_t off, uint32_t *next, int desegment)
{
	if (off > s->len)
		off = s->len;
	uint32_t n = s->len - off;
	const uint8_t *p = s->p + off;
	/* the first CR or LF: an LF, then a CR before it (memchr reads many bytes at a time) */
	const uint8_t *lf = memchr(p, '\n', n);
	uint32_t lim = lf ? (uint32_t)(lf - p) : n;
	const uint8_t *cr = memchr(p, '\r', lim);
	uint32_t i = cr ? (uint32_t)(cr - p) : lim;
	if (i == n) {
		if (desegment)
			return -1;
		*next = s->len;
		return n;
	}
	uint32_t eol = i;
	if (p[i] == '\r') {
		if (i + 1 >= n) {
			if (desegment)
				return -1;
		} else if (p[i + 1] == '\n') {
			i++;
		}
	}
	*next = off + i + 1;
	return eol;
}

/* Wireshark's get_token_len: the token up to a space, and where the next starts. */
static uint32_t
token_len(const uint8_t *line, const uint8_t *end, const uint8_t **next)
{
	const uint8_t *sp = memchr(line, ' ', (size_t)(end - line));
	if (!sp) {
		*next = end;
		return (uint32_t)(end - line);
	}
	uint32_t n = (uint32_t)(sp - line);
	while (sp < end && *sp == ' ')
		sp++;
	*next = sp;
	return n;
}

static char *
fmt_text(struct tq_pkt *pk, const uint8_t *p, size_t n)
{
	struct tq_sbuf b;
	tq_sbuf_init(&b, 0);
	tq_format_text(&b, p, n);
	char *r = tq_arena_strdup(pk->arena, tq_sbuf_str(&b), b.len);
	tq_sbuf_free(&b);
	return r ? r : "";
}

static const char *cut_label(struct tq_pkt *pk, const char *text);

/* A line's bytes as its item's label: formatted only when labels are wanted
 * (the packet list and pass 1 build none, and the lines are most of the work). */
static const char *
line_label(struct tq_pkt *pk, const uint8_t *p, size_t n)
{
	return tq_want_text(pk) ? cut_label(pk, fmt_text(pk, p, n)) : "";
}

/* A label set as proto_item_set_text does: over 239 bytes it is cut and
 * marked "[truncated]" at its start (label_mark_truncated at position 0). */
static const char *
cut_label(struct tq_pkt *pk, const char *text)
{
	size_t n = strlen(text);
	if (n < 240)
		return text;
	size_t keep = 226;     /* as tshark 4.0 prints it: 238 bytes in all */
	while (keep > 0 && ((unsigned char)text[keep] & 0xc0) == 0x80)
		keep--;
	return tq_arena_printf(pk->arena, " [truncated]%.*s", (int)keep, text);
}

/* An ASCII string as Wireshark's ENC_ASCII makes it ("" when out of memory). */
static char *
ascii_str(struct tq_pkt *pk, const uint8_t *p, size_t n)
{
	char *r = tq_ascii_string(pk->arena, p, n, NULL);
	return r ? r : "";
}

/* The File Data string as tshark writes it: ENC_ASCII (U+FFFD for high
 * bytes), control characters other than tab, CR and LF as \xNN, up to a NUL. */
static char *
file_str(struct tq_pkt *pk, const uint8_t *p, size_t n)
{
	struct tq_sbuf b;
	tq_sbuf_init(&b, 0);
	for (size_t i = 0; i < n && p[i]; i++) {
		uint8_t c = p[i];
		if (c >= 0x80)
			tq_sbuf_puts(&b, "\xef\xbf\xbd");
		else if (c < 0x20 && c != '\t' && c != '\r' && c != '\n')
			tq_sbuf_printf(&b, "\\x%02x", c);
		else
			tq_sbuf_putc(&b, (char)c);
	}
	char *r = tq_arena_strdup(pk->arena, tq_sbuf_str(&b), b.len);
	tq_sbuf_free(&b);
	return r ? r : "";
}

/* ------------------------------------------------------------------ first lines */

static int
is_request_or_reply(const uint8_t *data, int64_t linelen, int *type, uint32_t *mlen)
{
	if (linelen >= 2 && !memcmp(data, "M-", 2)) {
		data += 2;
		linelen -= 2;
	}
	if ((linelen >= 5 && !memcmp(data, "HTTP/", 5)) || (linelen >= 3 && !memcmp(data, "ICY", 3))) {
		*type = T_RESPONSE;
		return 1;
	}
	int64_t i = 0;
	while (i < linelen && data[i] != ' ')
		i++;
	if (i == 0)
		return 0;
	static const struct { const char *m; int t; } methods[] = {
		{ "GET", T_REQUEST }, { "PUT", T_REQUEST }, { "COPY", T_REQUEST }, { "HEAD", T_REQUEST },
		{ "LOCK", T_REQUEST }, { "MOVE", T_REQUEST }, { "POLL", T_REQUEST }, { "POST", T_REQUEST },
		{ "BCOPY", T_REQUEST }, { "BMOVE", T_REQUEST }, { "MKCOL", T_REQUEST }, { "TRACE", T_REQUEST },
		{ "PATCH", T_REQUEST }, { "LABEL", T_REQUEST }, { "MERGE", T_REQUEST },
		{ "DELETE", T_REQUEST }, { "SEARCH", T_REQUEST }, { "UNLOCK", T_REQUEST }, { "REPORT", T_REQUEST },
		{ "UPDATE", T_REQUEST }, { "NOTIFY", T_NOTIFICATION },
		{ "BDELETE", T_REQUEST }, { "CONNECT", T_REQUEST }, { "OPTIONS", T_REQUEST }, { "CHECKIN", T_REQUEST },
		{ "PROPFIND", T_REQUEST }, { "CHECKOUT", T_REQUEST }, { "CCM_POST", T_REQUEST },
		{ "SUBSCRIBE", T_NOTIFICATION }, { "PROPPATCH", T_REQUEST }, { "BPROPFIND", T_REQUEST },
		{ "BPROPPATCH", T_REQUEST }, { "UNCHECKOUT", T_REQUEST }, { "MKACTIVITY", T_REQUEST },
		{ "MKWORKSPACE", T_REQUEST }, { "RPC_CONNECT", T_REQUEST }, { "RPC_IN_DATA", T_REQUEST },
		{ "UNSUBSCRIBE", T_NOTIFICATION }, { "RPC_OUT_DATA", T_REQUEST }, { "VERSION-CONTROL", T_REQUEST },
		{ "BASELINE-CONTROL", T_REQUEST }, { "SSTP_DUPLEX_POST", T_REQUEST },
	};
	for (size_t k = 0; k < sizeof(methods) / sizeof(methods[0]); k++) {
		if (data[0] == (uint8_t)methods[k].m[0] && (size_t)i == strlen(methods[k].m) &&
		    !memcmp(data, methods[k].m, (size_t)i)) {
			*type = methods[k].t;
			if (mlen)
				*mlen = (uint32_t)i;
			return 1;
		}
	}
	return 0;
}

static uint32_t
parse_status_code(const uint8_t *line, const uint8_t *end)
{
	const uint8_t *next;
	if (!token_len(line, end, &next))
		return 0;
	line = next;
	if (token_len(line, end, &next) != 3)
		return 0;
	uint32_t v = 0;
	for (int i = 0; i < 3; i++) {
		if (!isdigit(line[i]))
			return 0;
		v = v * 10 + (uint32_t)(line[i] - '0');
	}
	return v;
}

static void
request_line(struct msg *m, struct tq_node *t, uint32_t off, const uint8_t *line, const uint8_t *end)
{
	struct tq_pkt *pk = m->pk;
	const struct tq_slice *s = m->s;
	const uint8_t *next;
	uint32_t n = token_len(line, end, &next);
	if (!n)
		return;
	tq_add(pk, t, &hf_method, s, off, n);
	if (next - line > 2 && next[-1] == ' ' && next[-2] == ' ')
		next--;                 /* two spaces: an empty URI */
	off += (uint32_t)(next - line);
	line = next;
	n = token_len(line, end, &next);
	char *uri = ascii_str(pk, line, n);
	m->request_uri = uri;
	if (m->hc && pk->pass == 1) {
		m->hc->request_uri = pdup(pk, uri, strlen(uri));
		m->hc->seen_request = 1;
	}
	struct tq_node *u = tq_add_str(pk, t, &hf_uri, s, off, n, uri);
	const char *q = strchr(uri, '?');
	if (q && strlen(q) > 1) {
		q++;
		uint32_t qlen = (uint32_t)strlen(q), ulen = (uint32_t)strlen(uri);
		uint32_t plen = ulen - qlen;
		uint32_t qoff = off + plen;
		tq_add_str(pk, u, &hf_uri_path, s, off, plen - 1, tq_arena_strdup(pk->arena, uri, plen - 1));
		struct tq_node *qn = tq_add_str(pk, u, &hf_uri_query, s, qoff, qlen, q);
		/* strtok on '&': empty parameters vanish, and the offsets run on by one each */
		const char *p = q;
		while (*p) {
			while (*p == '&')
				p++;
			if (!*p)
				break;
			const char *e = strchr(p, '&');
			uint32_t pl = e ? (uint32_t)(e - p) : (uint32_t)strlen(p);
			tq_add_str(pk, qn, &hf_uri_param, s, qoff, pl, tq_arena_strdup(pk->arena, p, pl));
			qoff += pl + 1;
			p += pl;
		}
	}
	off += (uint32_t)(next - line);
	line = next;
	tq_add(pk, t, &hf_req_version, s, off, (uint32_t)(end - line));
}

static void
response_line(struct msg *m, struct tq_node *t, uint32_t off, const uint8_t *line, const uint8_t *end)
{
	struct tq_pkt *pk = m->pk;
	const struct tq_slice *s = m->s;
	const uint8_t *next;
	uint32_t n = token_len(line, end, &next);
	if (!n)
		return;
	tq_add(pk, t, &hf_resp_version, s, off, n);
	off += (uint32_t)(next - line);
	line = next;
	n = token_len(line, end, &next);
	if (n < 3)
		return;
	char code3[4] = { (char)line[0], (char)line[1], (char)line[2], 0 };
	uint32_t code = (uint32_t)strtoul(code3, NULL, 10);
	m->response_code = code;
	if (m->hc && pk->pass == 1)
		m->hc->response_code = code;
	tq_add_u(pk, t, &hf_code, s, off, 3, code);
	const char *desc = tq_vals_find(status_vals, code);
	char buf[32];
	if (!desc) {
		snprintf(buf, sizeof(buf), "Unknown (%u)", code);
		desc = buf;
	}
	tq_gen(tq_add_str(pk, t, &hf_code_desc, s, off, 3, desc));
	off += (uint32_t)(next - line);
	line = next;
	if (end > line)
		tq_add(pk, t, &hf_phrase, s, off, (uint32_t)(end - line));
}

/* ------------------------------------------------------------------ headers */

enum {
	H_PLAIN, H_AUTHORIZATION, H_AUTHENTICATE, H_CONTENT_TYPE, H_CONTENT_LENGTH, H_CONTENT_ENCODING,
	H_TRANSFER_ENCODING, H_HOST, H_UPGRADE, H_HTTP2_SETTINGS, H_COOKIE, H_WS_PROTOCOL, H_WS_EXTENSIONS, H_REFERER, H_LOCATION,
};

#define HDR(name, f, special) { name, sizeof(name) - 1, f, special }
static const struct header {
	const char *name;
	size_t len;                  /* strlen(name) */
	const struct tq_field *f;
	int special;
} headers[] = {
	HDR("Authorization", &hf_authorization, H_AUTHORIZATION),
	HDR("Proxy-Authorization", &hf_proxy_authorization, H_AUTHORIZATION),
	HDR("Proxy-Authenticate", &hf_proxy_authenticate, H_AUTHENTICATE),
	HDR("WWW-Authenticate", &hf_www_authenticate, H_AUTHENTICATE),
	HDR("Content-Type", &hf_content_type, H_CONTENT_TYPE),
	HDR("Content-Length", &hf_content_length_header, H_CONTENT_LENGTH),
	HDR("Content-Encoding", &hf_content_encoding, H_CONTENT_ENCODING),
	HDR("Transfer-Encoding", &hf_transfer_encoding, H_TRANSFER_ENCODING),
	HDR("Upgrade", &hf_upgrade, H_UPGRADE),
	HDR("User-Agent", &hf_user_agent, H_PLAIN),
	HDR("Host", &hf_host, H_HOST),
	HDR("Connection", &hf_connection, H_PLAIN),
	HDR("Cookie", &hf_cookie, H_COOKIE),
	HDR("Accept", &hf_accept, H_PLAIN),
	HDR("Referer", &hf_referer, H_REFERER),
	HDR("Accept-Language", &hf_accept_language, H_PLAIN),
	HDR("Accept-Encoding", &hf_accept_encoding, H_PLAIN),
	HDR("Date", &hf_date, H_PLAIN),
	HDR("Cache-Control", &hf_cache_control, H_PLAIN),
	HDR("Server", &hf_server, H_PLAIN),
	HDR("Location", &hf_location, H_LOCATION),
	HDR("Sec-WebSocket-Accept", &hf_ws_accept, H_PLAIN),
	HDR("Sec-WebSocket-Extensions", &hf_ws_extensions, H_WS_EXTENSIONS),
	HDR("Sec-WebSocket-Key", &hf_ws_key, H_PLAIN),
	HDR("Sec-WebSocket-Protocol", &hf_ws_protocol, H_WS_PROTOCOL),
	HDR("Sec-WebSocket-Version", &hf_ws_version, H_PLAIN),
	HDR("Set-Cookie", &hf_set_cookie, H_PLAIN),
	HDR("Last-Modified", &hf_last_modified, H_PLAIN),
	HDR("X-Forwarded-For", &hf_x_forwarded_for, H_PLAIN),
	HDR("HTTP2-Settings", &hf_http2_settings, H_HTTP2_SETTINGS),
};
#undef HDR

static int
is_token_char(uint8_t c)
{
	static const char other[] = "!#$%&\\:*+-.^_`|~";
	uint8_t l = c | 0x20;
	return (l >= 'a' && l <= 'z') || (c >= '0' && c <= '9') || (c && memchr(other, c, sizeof(other) - 1));
}

/* Wireshark's http_parse_transfer_coding: whether every name was understood. */
static int
parse_transfer_coding(const char *v, struct msg *m)
{
	int ok = 1;
	m->te = TE_UNKNOWN;
	while (*v) {
		while (*v == ' ' || *v == '\t' || *v == ',')
			v++;
		if (!*v)
			break;
		if (!strncmp(v, "chunked", 7)) {
			m->te_chunked = 1;
			v += 7;
			continue;
		}
		if (m->te != TE_UNKNOWN) {
			ok = 0;
			break;
		}
		static const struct { const char *n; int te; } codings[] = {
			{ "compress", TE_COMPRESS }, { "deflate", TE_DEFLATE }, { "gzip", TE_GZIP },
			{ "identity", TE_IDENTITY }, { "x-compress", TE_COMPRESS }, { "x-gzip", TE_GZIP },
		};
		size_t k;
		for (k = 0; k < sizeof(codings) / sizeof(codings[0]); k++) {
			size_t l = strlen(codings[k].n);
			if (!strncmp(v, codings[k].n, l)) {
				m->te = codings[k].te;
				v += l;
				break;
			}
		}
		if (k == sizeof(codings) / sizeof(codings[0])) {
			ok = 0;
			v = strchr(v, ',');
			if (!v)
				break;
		}
	}
	return ok;
}

/* Decodes base64url (RFC 4648 section 5; '+' and '/' accepted too) up to the first
 * other character into out (room for n / 4 * 3 + 3 bytes); returns its length. */
static uint32_t
base64url_decode(const char *in, size_t n, uint8_t *out)
{
	uint32_t acc = 0, bits = 0, len = 0;
	for (size_t i = 0; i < n; i++) {
		int c = (unsigned char)in[i], v;
		if (c >= 'A' && c <= 'Z')
			v = c - 'A';
		else if (c >= 'a' && c <= 'z')
			v = c - 'a' + 26;
		else if (c >= '0' && c <= '9')
			v = c - '0' + 52;
		else if (c == '-' || c == '+')
			v = 62;
		else if (c == '_' || c == '/')
			v = 63;
		else
			break;
		acc = (acc << 6 | (uint32_t)v) & 0xffffff;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			out[len++] = (uint8_t)(acc >> bits);
		}
	}
	return len;
}

static void
process_header(struct msg *m, struct tq_node *t, uint32_t off, uint32_t next, const uint8_t *line,
    uint32_t linelen, uint32_t colon)
{
	struct tq_pkt *pk = m->pk;
	const struct tq_slice *s = m->s;
	uint32_t len = next - off;
	uint32_t hlen = colon - off;
	int valid = hlen != 0;
	for (uint32_t i = 0; valid && i < hlen; i++)
		if (!line[i] || !is_token_char(line[i]))
			valid = 0;
	const struct tq_field *linef = m->type == T_REQUEST ? &hf_request_line :
	    m->type == T_RESPONSE ? &hf_response_line : &hf_unknown_header;
	if (!valid) {
		struct tq_node *it = tq_add(pk, t, linef, s, off, len);
		tq_set_label(pk, it, "%s", line_label(pk, line, len));
		tq_expert(pk, it, &ei_bad_header_name, NULL);
		return;
	}
	const struct header *h = NULL;
	for (size_t i = 0; i < sizeof(headers) / sizeof(headers[0]); i++)
		if (headers[i].len == hlen && !strncasecmp(headers[i].name, (const char *)line, hlen)) {
			h = &headers[i];
			break;
		}
	uint32_t voff = colon + 1, lend = off + linelen;
	while (voff < lend && (line[voff - off] == ' ' || line[voff - off] == '\t'))
		voff++;
	uint32_t vlen = lend - voff;
	/* the value up to a NUL, as the C string Wireshark makes of it */
	char *value = tq_arena_alloc_raw(pk->arena, vlen + 1);
	if (!value)
		return;
	memcpy(value, line + (voff - off), vlen);
	value[vlen] = '\0';
	size_t vslen = strlen(value);

	if (!h) {
		struct tq_node *it;
		if (m->type == T_REQUEST || m->type == T_RESPONSE) {
			it = tq_add(pk, t, linef, s, off, len);
			tq_set_label(pk, it, "%s", line_label(pk, line, len));
		} else {
			char *str = pk->tree ? fmt_text(pk, line, len) : "";
			it = tq_add_str(pk, t, &hf_unknown_header, s, off, len, str);
			tq_set_label(pk, it, "%s", cut_label(pk, str));
		}
		return;
	}
	struct tq_node *hi = tq_add_str(pk, t, h->f, s, off, len, t ? ascii_str(pk, (const uint8_t *)value, vslen) : "");
	tq_set_label(pk, hi, "%s", line_label(pk, line, len));

	switch (h->special) {
	case H_CONTENT_TYPE: {
		size_t i = 0, n = 0;
		while (i < vslen && value[i] != ';' && !isspace((unsigned char)value[i]) && n + 1 < sizeof(m->content_type))
			m->content_type[n++] = (char)tolower((unsigned char)value[i++]);
		m->content_type[n] = '\0';
		m->have_content_type = 1;
		break;
	}
	case H_CONTENT_LENGTH: {
		errno = 0;
		char *e;
		long long v = strtoll(value, &e, 10);
		if (v < 0 || e == value || errno == ERANGE || (*e && !isspace((unsigned char)*e))) {
			m->have_content_length = 0;
		} else {
			m->have_content_length = 1;
			m->content_length = v;
			tq_gen(tq_add_u(pk, hi, &hf_content_length, s, off, len, (uint64_t)v));
			if (m->te != TE_NONE)
				tq_expert(pk, hi, &ei_te_and_length, NULL);
		}
		break;
	}
	case H_CONTENT_ENCODING: {
		size_t n = vslen < sizeof(m->content_encoding) - 1 ? vslen : sizeof(m->content_encoding) - 1;
		memcpy(m->content_encoding, value, n);
		m->content_encoding[n] = '\0';
		m->have_content_encoding = 1;
		break;
	}
	case H_TRANSFER_ENCODING:
		if (m->have_content_length)
			tq_expert(pk, hi, &ei_te_and_length, NULL);
		if (!parse_transfer_coding(value, m))
			tq_expert(pk, hi, &ei_te_unknown, NULL);
		break;
	case H_HOST:
		m->http_host = tq_arena_strdup(pk->arena, value, vslen);
		break;
	case H_UPGRADE: {
		size_t n = vslen < sizeof(m->upgrade) - 1 ? vslen : sizeof(m->upgrade) - 1;
		for (size_t i = 0; i < n; i++)
			m->upgrade[i] = (char)tolower((unsigned char)value[i]);
		m->upgrade[n] = '\0';
		m->have_upgrade = 1;
		break;
	}
	case H_HTTP2_SETTINGS: {
		/* an h2c upgrade's SETTINGS payload, base64url: shown decoded, as HTTP/2 shows SETTINGS */
		uint8_t *raw = pk->tree ? tq_arena_alloc_raw(pk->arena, vslen / 4 * 3 + 3) : NULL;
		if (!raw)
			break;
		uint32_t n = base64url_decode(value, vslen, raw);
		int ds = tq_add_ds(pk, raw, n, "Base64uri decoded");
		if (ds >= 0) {
			struct tq_slice b = { raw, n, n, 0, (uint8_t)ds };
			tq_http2_settings_ext(pk, hi, &b);
		}
		break;
	}
	case H_COOKIE:
		for (size_t i = 0; i < vslen;) {
			while (i < vslen && (value[i] == ';' || isspace((unsigned char)value[i])))
				i++;
			if (i >= vslen)
				break;
			const char *pe = memchr(value + i, ';', vslen - i);
			size_t pl = pe ? (size_t)(pe - (value + i)) : vslen - i;
			tq_add(pk, hi, &hf_cookie_pair, s, voff + (uint32_t)i, (uint32_t)pl);
			i += pl;
		}
		break;
	default:
		break;
	}
	if (m->type == T_REQUEST || m->type == T_RESPONSE)
		TQ_HIDDEN(pk, tq_add(pk, t, linef, s, off, len));
}

/* ------------------------------------------------------------------ reassembly */

/*
 * Wireshark's req_resp_hdrs_do_reassembly: whether the message from off is
 * all here (headers, then the body by Content-Length or chunks); if not it
 * asks TCP for the rest and returns 0.
 */
static int
do_reassembly(struct tq_pkt *pk, const struct tq_slice *s, uint32_t off, int desegment_body, int until_fin)
{
	if (!pk->tcp || !pk->tcp->can_desegment)
		return 1;
	uint32_t next = off, sav;
	int64_t linelen;
	int cl_found = 0, chunked = 0;
	long long cl = 0;
	for (;;) {
		sav = next;
		if (s->rlen <= next) {
			pk->deseg_offset = off;
			pk->deseg_len = TQ_DESEG_ONE_MORE;
			return 0;
		}
		linelen = find_line_end(s, next, &next, 1);
		if (linelen < 0 && s->len >= s->rlen) {
			pk->deseg_offset = off;
			pk->deseg_len = TQ_DESEG_ONE_MORE;
			return 0;
		}
		if (linelen < 0)
			return 1;        /* cut by the snapshot length: no more will come */
		if (linelen == 0)
			break;
		if (!desegment_body)
			continue;
		const char *l = (const char *)s->p + sav;
		uint8_t c0 = (uint8_t)l[0];
		if (!(c0 == 'c' || c0 == 'C' || c0 == 't' || c0 == 'T'))
			continue;
		char buf[256];
		size_t n = (size_t)linelen < sizeof(buf) - 1 ? (size_t)linelen : sizeof(buf) - 1;
		memcpy(buf, l, n);
		buf[n] = '\0';
		if (!strncasecmp(buf, "Content-Length:", 15)) {
			char *v = buf + 15, *e;
			while (isspace((unsigned char)*v))
				v++;
			size_t vl = strlen(v);
			while (vl && isspace((unsigned char)v[vl - 1]))
				v[--vl] = '\0';
			errno = 0;
			long long x = strtoll(v, &e, 10);
			if (*v && !*e && errno != ERANGE && x >= 0 && x <= INT32_MAX) {
				cl = x;
				cl_found = 1;
			}
		} else if (!strncasecmp(buf, "Transfer-Encoding:", 18)) {
			const char *v = buf + 18;
			while (*v == ' ' || *v == '\t')
				v++;
			if (!strncasecmp(v, "chunked", 7))
				chunked = 1;
		}
	}
	if (!desegment_body)
		return 1;
	if (chunked) {
		for (;;) {
			if (s->rlen <= next) {
				pk->deseg_offset = off;
				pk->deseg_len = TQ_DESEG_ONE_MORE;
				return 0;
			}
			uint32_t chunk_off;
			linelen = find_line_end(s, next, &chunk_off, 1);
			if (linelen < 0) {
				if (s->len >= s->rlen) {
					pk->deseg_offset = off;
					pk->deseg_len = TQ_DESEG_ONE_MORE;
					return 0;
				}
				return 1;
			}
			char buf[64];
			size_t n = (size_t)linelen < sizeof(buf) - 1 ? (size_t)linelen : sizeof(buf) - 1;
			memcpy(buf, s->p + next, n);
			buf[n] = '\0';
			char *semi = strchr(buf, ';');
			if (semi)
				*semi = '\0';
			unsigned int size;
			if (sscanf(buf, "%x", &size) < 1)
				return 1;
			if (size > 1U << 31)
				return 1;
			if (size == 0) {
				uint32_t after;
				linelen = find_line_end(s, chunk_off, &after, 1);
				if (linelen < 0 && s->len >= s->rlen) {
					pk->deseg_offset = off;
					pk->deseg_len = TQ_DESEG_ONE_MORE;
					return 0;
				}
				return 1;
			}
			if ((uint64_t)s->rlen - next > size) {
				next = chunk_off + size + 2;
			} else {
				pk->deseg_offset = off;
				pk->deseg_len = TQ_DESEG_ONE_MORE;
				return 0;
			}
		}
	}
	if (cl_found) {
		if ((uint64_t)s->len < (uint64_t)next + (uint64_t)cl) {
			if (s->len < s->rlen)
				return 1;
			pk->deseg_offset = off;
			pk->deseg_len = (uint32_t)((uint64_t)cl - (s->len - next));
			return 0;
		}
		return 1;
	}
	(void)until_fin;     /* "until the connection closes": TCP here cannot wait for FIN */
	return 1;
}

/* ------------------------------------------------------------------ bodies */

/* The chunked body from the start of s; returns its length (0 if none) and
 * the dechunked bytes in *out, *outlen. */
static uint32_t
dechunk(struct tq_pkt *pk, struct tq_node *t, const struct tq_slice *s, uint8_t **out, uint32_t *outlen)
{
	uint32_t datalen = s->rlen, orig = s->rlen, off = 0;
	struct tq_node *ct = tq_add_text(pk, t, s, 0, s->len, "HTTP chunked response");
	uint8_t *raw = tq_arena_alloc_raw(pk->arena, s->len ? s->len : 1);
	uint32_t rawlen = 0;
	if (!raw)
		return 0;
	while (datalen > 0) {
		uint32_t chunk_off;
		int64_t linelen = find_line_end(s, off, &chunk_off, 1);
		if (linelen <= 0)
			break;
		char buf[64];
		size_t n = (size_t)linelen < sizeof(buf) - 1 ? (size_t)linelen : sizeof(buf) - 1;
		memcpy(buf, s->p + off, n);
		buf[n] = '\0';
		char *semi = strchr(buf, ';');
		if (semi)
			*semi = '\0';
		uint32_t size = (uint32_t)strtol(buf, NULL, 16);
		if (size > datalen)
			size = datalen;
		/* the bytes there are (Wireshark's tvb_memcpy would throw past them) */
		if (chunk_off > s->len || size > s->len - chunk_off) {
			tq_have(pk, s, chunk_off, size, "HTTP");
			break;
		}
		memcpy(raw + rawlen, s->p + chunk_off, size);
		rawlen += size;
		struct tq_node *cn;
		uint32_t clen = chunk_off - off + size + 2;
		if (size == 0)
			cn = tq_add_text(pk, ct, s, off, clen, "End of chunked encoding");
		else
			cn = tq_add_text(pk, ct, s, off, clen, "Data chunk (%u octets)", size);
		struct tq_node *sz = tq_add_u(pk, cn, &hf_chunk_size, s, off, chunk_off - off, size);
		tq_set_label(pk, sz, "Chunk size: %u octets", size);
		if (size > 0) {
			tq_add(pk, cn, &hf_chunk_data, s, chunk_off, size);
			tq_add(pk, cn, &hf_chunk_boundary, s, chunk_off + size, 2);
		}
		off = chunk_off + size;
		if (size > 0)
			off += 2;
		datalen = off < s->rlen ? s->rlen - off : 0;
		if (size == 0) {
			uint32_t toff = off, tlen;
			int64_t hl;
			do {
				tlen = toff - off;
				uint32_t nx = toff;
				struct tq_slice lim = *s;
				if (lim.len > off + datalen)
					lim.len = off + datalen;
				hl = find_line_end(&lim, toff, &nx, 1);
				if (hl >= 0)
					toff = nx;
			} while (hl > 0);
			if (tlen > 0) {
				tq_add(pk, ct, &hf_trailer_part, s, off, tlen);
				off += tlen;
				datalen -= tlen;
			}
			if (hl == 0) {
				tq_add_text(pk, ct, s, off, toff - off, "%s", fmt_text(pk, s->p + off, toff - off));
				datalen -= toff - off;
			}
			break;
		}
	}
	if (datalen < orig) {
		tq_set_len(ct, orig - datalen);
		*out = raw;
		*outlen = rawlen;
	}
	return orig - datalen;
}

int
tq_dissect_text_lines(struct tq_pkt *pk, struct tq_slice *s, const char *media)
{
	return tq_text_lines(pk, s, media, 1);
}

int
tq_text_lines(struct tq_pkt *pk, struct tq_slice *s, const char *media, int info)
{
	struct tq_node *t = tq_add_proto(pk, tq_root(pk), &hf_text_lines, s, 0, s->len);
	if (info && media)
		tq_col_info_append(pk, " (%s)", media);
	if (!t)
		return 1;               /* no tree: nothing more to show */
	uint32_t off = 0, lines = 0;
	while (off < s->len) {
		uint32_t next;
		find_line_end(s, off, &next, 0);
		tq_add_text(pk, t, s, off, next - off, "%s", line_label(pk, s->p + off, next - off));
		lines++;
		off = next;
	}
	if (media)
		tq_set_label(pk, t, "Line-based text data: %s (%u lines)", media, lines);
	else
		tq_set_label(pk, t, "Line-based text data (%u lines)", lines);
	return 1;
}

static void
dissect_media(struct tq_pkt *pk, struct tq_slice *s, const char *media)
{
	struct tq_node *t = tq_add_proto(pk, tq_root(pk), &hf_media, s, 0, s->len);
	struct tq_node *n = tq_add(pk, t, &hf_media_type, s, 0, s->len);
	tq_set_label(pk, n, "Media type: %s (%u byte%s)", media, s->len, s->len == 1 ? "" : "s");
	tq_col_info_append(pk, " (%s)", media);
}

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

/* Wireshark's unescape of a form key or value: '+' is a space, %XX a byte. */
static char *
form_unescape(struct tq_pkt *pk, const uint8_t *p, uint32_t n)
{
	char *r = tq_arena_alloc_raw(pk->arena, (size_t)n * 3 + 1);
	if (!r)
		return "";
	size_t o = 0;
	for (uint32_t i = 0; i < n; i++) {
		uint8_t c = p[i];
		if (c == '+') {
			r[o++] = ' ';
		} else if (c == '%' && i + 2 < n && hexval(p[i + 1]) >= 0 && hexval(p[i + 2]) >= 0) {
			uint8_t b = (uint8_t)(hexval(p[i + 1]) << 4 | hexval(p[i + 2]));
			i += 2;
			if (b >= 0x80) {
				r[o++] = (char)0xef;
				r[o++] = (char)0xbf;
				r[o++] = (char)0xbd;
			} else {
				r[o++] = (char)b;
			}
		} else if (c >= 0x80) {
			r[o++] = (char)0xef;
			r[o++] = (char)0xbf;
			r[o++] = (char)0xbd;
		} else {
			r[o++] = (char)c;
		}
	}
	r[o] = '\0';
	return r;
}

static void
dissect_form(struct tq_pkt *pk, struct tq_slice *s, const char *media)
{
	struct tq_node *t = tq_add_proto(pk, tq_root(pk), &hf_form, s, 0, s->len);
	if (media) {
		tq_set_label(pk, t, "HTML Form URL Encoded: %s", media);
		tq_col_info_append(pk, " (%s)", media);
	}
	uint32_t off = 0;
	while (off < s->len) {
		uint32_t ks = off, ke = off;
		while (ke < s->len && s->p[ke] != '=' && s->p[ke] != '&')
			ke++;
		uint32_t vs = ke + 1, ve = vs;
		if (ke < s->len && s->p[ke] == '=') {
			while (ve < s->len && s->p[ve] != '&')
				ve++;
		} else {
			ve = vs;
		}
		char *key = form_unescape(pk, s->p + ks, ke - ks);
		char *val = vs <= s->len ? form_unescape(pk, s->p + vs, ve > vs ? ve - vs : 0) : "";
		uint32_t end = ve > s->len ? s->len : ve;
		if (end < ke)
			end = ke;
		struct tq_node *it = tq_add_text(pk, t, s, ks, end - ks, "Form item: \"%s\" = \"%s\"", key, val);
		tq_add_str(pk, it, &hf_form_key, s, ks, ke - ks, key);
		tq_add_str(pk, it, &hf_form_value, s, vs, ve - vs, val);
		off = ve + 1;
		if (ke < s->len && s->p[ke] == '&')
			off = ke + 1;
	}
}

/* PNG (RFC 2083): the signature and the chunks. */
static void
dissect_png(struct tq_pkt *pk, struct tq_slice *b)
{
	struct tq_node *t = tq_add_proto(pk, tq_root(pk), &hf_png, b, 0, b->len);
	tq_add(pk, t, &hf_png_sig, b, 0, 8);
	uint32_t off = 8;
	while (off < b->len) {
		if (!tq_have(pk, b, off, 8, "PNG"))
			return;
		uint32_t len = tq_peek_be32(b->p, b->len, off);
		char type[5];
		memcpy(type, b->p + off + 4, 4);
		type[4] = '\0';
		const char *name = !strcmp(type, "IHDR") ? "Image Header" : !strcmp(type, "IDAT") ? "Image data chunk" :
		    !strcmp(type, "IEND") ? "Image Trailer" : NULL;
		uint64_t clen = (uint64_t)len + 12;
		uint32_t tlen = clen > b->len - off ? b->len - off : (uint32_t)clen;
		struct tq_node *c = name ? tq_add_text(pk, t, b, off, tlen, "%s (%s)", name, type) :
		    tq_add_text(pk, t, b, off, tlen, "%s", fmt_text(pk, (const uint8_t *)type, 4));
		tq_add(pk, c, &hf_png_len, b, off, 4);
		tq_add_str(pk, c, &hf_png_type, b, off + 4, 4, ascii_str(pk, (const uint8_t *)type, 4));
		tq_add(pk, c, &hf_png_anc, b, off + 4, 4);
		tq_add(pk, c, &hf_png_priv, b, off + 4, 4);
		tq_add(pk, c, &hf_png_stc, b, off + 4, 4);
		if (!strcmp(type, "IHDR") && len >= 13 && tq_have(pk, b, off + 8, 13, "PNG")) {
			tq_add(pk, c, &hf_png_width, b, off + 8, 4);
			tq_add(pk, c, &hf_png_height, b, off + 12, 4);
			tq_add(pk, c, &hf_png_depth, b, off + 16, 1);
			tq_add(pk, c, &hf_png_colour, b, off + 17, 1);
			tq_add(pk, c, &hf_png_comp, b, off + 18, 1);
			tq_add(pk, c, &hf_png_filter, b, off + 19, 1);
			tq_add(pk, c, &hf_png_interlace, b, off + 20, 1);
		} else if (len > 0) {
			tq_add(pk, c, &hf_png_data, b, off + 8, len);
		}
		if (clen > (uint64_t)b->len - off) {
			tq_have(pk, b, off + 8, len + 4, "PNG");
			return;
		}
		tq_add(pk, c, &hf_png_crc, b, off + 8 + len, 4);
		off += (uint32_t)clen;
		if (!strcmp(type, "IEND"))
			break;
	}
}

/* The media types of Wireshark 4.0's "media_type" table that we dissect. */
static const char *const text_types[] = {
	"text/html", "text/plain", "text/css", "text/javascript", "application/x-javascript", "text/richtext",
	"text/enriched", "text/parameters", "text/vnd.sun.j2me.app-descriptor", "application/vnd.poc.refer-to",
	"application/vnd.drm.message", "application/x-wms-logconnectstats", "application/x-wms-logplaystats",
	"application/x-wms-sendevent", "application/x-tia", "text/x-alto", NULL,
};
static const char *const xml_types[] = {
	"text/xml", "application/xml", "text/vnd.wap.wml", "application/soap+xml", "application/rss+xml",
	"image/svg+xml", "application/atom+xml", "application/xslt+xml", "application/mathml+xml",
	"application/rdf+xml", "application/xml-dtd", "application/auth-policy+xml", "application/pidf+xml",
	"application/resource-lists+xml", "application/rlmi+xml", "application/rls-services+xml",
	"application/simple-filter+xml", "application/vnd.wv.csp+xml", "application/watcherinfo+xml",
	"application/xcap-att+xml", "application/xcap-caps+xml", "application/xcap-diff+xml",
	"application/xcap-el+xml", "application/xcap-error+xml", "application/xcap-ns+xml",
	"application/conference-info+xml", "application/dialog-info+xml", "application/xmpp+xml",
	"application/vnd.oma.xdm-apd+xml", "application/vnd.oma.xdm-prs+xml", "application/cpim-pidf+xml",
	"application/vnd.3gpp.sms+xml", "application/vnd.3gpp.ussd+xml", "application/vnd.etsi.aoc+xml",
	"application/timestamp-reply+xml", "application/vnd.ms-sync.wbxml+xml", "application/reginfo+xml",
	"application/vnd.3gpp.mid-call+xml", "application/vnd.3gpp.state-and-event-info+xml",
	"application/vnd.etsi.cug+xml", "application/vnd.etsi.iptvcommand+xml", "application/vnd.etsi.sci+xml",
	"application/vnd.3gpp.cw+xml", "application/vnd.ms-wmp.playlist+xml", "application/ccmp+xml",
	"application/im-iscomposing+xml", "application/media_control+xml", "application/poc-settings+xml",
	"application/vnd.etsi.pstn+xml", "application/vnd.3gpp.access-transfer-events+xml",
	"application/kpml-request+xml", "application/kpml-response+xml", "application/pidf-diff+xml",
	"application/rlmi+xml", "application/xcon-conference-info+xml", "application/xcon-conference-info-diff+xml",
	"application/vnd.oma.poc.detailed-progress-report+xml", "application/vnd.oma.poc.final-report+xml",
	"application/vnd.oma.poc.groups+xml", "application/vnd.oma.poc.invocation-descriptor+xml",
	"application/vnd.oma.poc.optimized-progress-report+xml", "application/vnd.oma.xcap-directory+xml",
	"application/vnd.oma.group-usage-list+xml", "application/vnd.oma.search+xml",
	"application/vnd.oma.xdm-hi+xml", "application/vnd.oma.xdm-rhi+xml", "application/vnd.oma.xdm-xcdir+xml",
	"application/vnd.oma.drm.roap-pdu+xml", "application/vnd.oma.drm.roap-trigger+xml",
	"application/vnd.3gpp.bsf+xml", "application/vnd.ms-playready.initiator+xml", "application/vnd.wap.wbxml",
	"application/xml-external-parsed-entity", "text/xml-external-parsed-entity", NULL,
};
static const char *const image_types[] = {
	"image/gif", "image/jpeg", "image/jpg", "image/jfif", "image/pjpeg", "image/bmp", "image/x-ms-bmp", NULL,
};
static const char *const json_types[] = {
	"application/json", "application/json-rpc", "application/jsonrequest", "application/x-ndjson",
	"application/dds-web+json", "application/vnd.oma.lwm2m+json", NULL,
};

static int
in_list(const char *const *l, const char *v)
{
	for (; *l; l++)
		if (!strcmp(*l, v))
			return 1;
	return 0;
}

/*
 * Without a tree (the packet list) a decompressed body only decides the
 * columns: whether it inflates at all, and what the media dissectors below
 * read of it for theirs (PNG's signature and header, 33 bytes).  So only its
 * first LIST_KEEP bytes are kept.
 */
#define LIST_KEEP 256u

/* Hands the entity body to the dissector of its media type; returns 1 when one took it. */
static int
dissect_body(struct tq_pkt *pk, struct tq_slice *b, const struct msg *m)
{
	if (!m->have_content_type)
		return 0;
	const char *ct = m->content_type;
	if (in_list(text_types, ct))
		return tq_dissect_text_lines(pk, b, ct);
	if (in_list(json_types, ct))
		return tq_dissect_json(pk, b, ct);
	if (!strcmp(ct, "application/x-www-form-urlencoded")) {
		dissect_form(pk, b, ct);
		return 1;
	}
	if (in_list(xml_types, ct)) {
		if (pk->col_proto && !strcmp(pk->col_proto, "HTTP"))
			tq_col_proto(pk, "HTTP/XML");
		tq_add_proto(pk, tq_root(pk), &hf_xml, b, 0, b->len);
		return 1;
	}
	if (!strcmp(ct, "image/png")) {
		static const uint8_t sig[8] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n' };
		if (b->len >= 33 && !memcmp(b->p, sig, 8) && !memcmp(b->p + 12, "IHDR", 4)) {
			dissect_png(pk, b);
			tq_col_info_append(pk, " (PNG)");
			return 1;
		}
		return -1;
	}
	if (in_list(image_types, ct))
		return -1;      /* Wireshark's image dissectors: left as media here */
	return 0;
}

/* ------------------------------------------------------------------ messages */

static void
add_data(struct tq_pkt *pk, struct tq_slice *s)
{
	tq_dissect_data(pk, s);
}

static int
dissect_message(struct tq_pkt *pk, struct tq_slice *s, uint32_t offset, struct hconv *hc, struct hframe *hfr)
{
	struct msg m;
	memset(&m, 0, sizeof(m));
	m.pk = pk;
	m.hc = hc;
	m.s = s;
	m.type = T_OTHERS;

	if (s->rlen <= offset)
		return -1;
	int leading_crlf = 0;
	if (s->rlen - offset > 3 && tq_peek_be16(s->p, s->len, offset) == 0x0d0a) {
		leading_crlf = 1;
		offset += 2;
	}
	int have_seen_http = hc && hc->seen_request;
	if (offset >= s->len) {
		tq_have(pk, s, offset, 1, "HTTP");
		return -1;
	}
	if (!isprint(s->p[offset])) {
		if (have_seen_http) {
			tq_col_proto(pk, "HTTP");
			tq_col_info_set(pk, "Continuation");
			struct tq_node *t = tq_add_proto(pk, tq_root(pk), &hf_http, s, offset, s->len - offset);
			struct tq_slice rest = tq_sub_rest(s, offset);
			struct tq_node *saved = pk->parent;
			if (t)
				pk->parent = t;
			add_data(pk, &rest);
			pk->parent = saved;
		}
		return -1;
	}
	uint32_t next;
	int64_t first_len = find_line_end(s, offset, &next, 1);
	if (first_len < 0) {
		if (!do_reassembly(pk, s, offset, 1, 0))
			return -1;
	}
	const uint8_t *firstline = s->p + offset;
	int is_rr = first_len >= 0 && is_request_or_reply(firstline, first_len, &m.type, NULL);
	if (is_rr) {
		tq_col_info_set(pk, "%s ", fmt_text(pk, firstline, (size_t)first_len));
		int try_body = 1;
		if (m.type == T_RESPONSE) {
			uint32_t code = parse_status_code(firstline, firstline + first_len);
			const char *method = NULL;
			if (pk->pass == 1 || !hfr || !hfr->curr)
				method = hc ? hc->request_method : NULL;
			else
				method = hfr->curr->method;
			if ((method && !strcmp(method, "HEAD")) ||
			    (code / 100 == 2 && method && (!strcmp(method, "CONNECT") || !strcmp(method, "SSTP_DUPLEX_POST"))) ||
			    code / 100 == 1 || code == 204 || code == 304)
				try_body = 0;
		}
		if (!do_reassembly(pk, s, offset, try_body, m.type == T_RESPONSE))
			return -1;
	} else if (have_seen_http) {
		tq_col_info_set(pk, "Continuation");
	}
	struct tq_node *t = NULL;
	uint32_t orig = offset;
	if (is_rr || have_seen_http) {
		tq_col_proto(pk, "HTTP");
		t = tq_add_proto(pk, tq_root(pk), &hf_http, s, offset, s->len - offset);
		if (leading_crlf)
			tq_expert(pk, tq_add_text(pk, t, s, offset - 2, 2, "%s", ei_leading_crlf.f.name), &ei_leading_crlf, NULL);
	}
	m.type = T_OTHERS;
	int saw = 0;
	int had_tree = is_rr || have_seen_http;
	while (offset < s->len) {
		int64_t ll = find_line_end(s, offset, &next, 0);
		const uint8_t *line = s->p + offset;
		uint32_t colon = 0;
		uint32_t mlen = 0;
		int rr = is_request_or_reply(line, ll, &m.type, &mlen);
		if (!rr && ll != 0) {
			const uint8_t *c = memchr(line, ':', (size_t)ll);
			if (!c) {
				if (saw && offset + (uint64_t)ll + 1 > s->len) {
					/* an unfinished header line: Wireshark's bounds exception */
					tq_have(pk, s, offset, (uint32_t)ll + 1, "HTTP");
					return -1;
				}
				break;
			}
			colon = offset + (uint32_t)(c - line);
		}
		if (!had_tree) {
			had_tree = 1;
			t = tq_add_proto(pk, tq_root(pk), &hf_http, s, orig, s->len - orig);
			if (leading_crlf)
				tq_expert(pk, tq_add_text(pk, t, s, orig - 2, 2, "%s", ei_leading_crlf.f.name), &ei_leading_crlf, NULL);
		}
		if (ll == 0) {
			tq_add_text(pk, t, s, offset, next - offset, "%s", line_label(pk, line, next - offset));
			offset = next;
			break;
		}
		saw = 1;
		if (rr) {
			char *text = pk->tree ? fmt_text(pk, line, next - offset) : "";
			struct tq_node *rt = tq_add_text(pk, t, s, offset, next - offset, "%s", cut_label(pk, text));
			tq_expert(pk, rt, &ei_chat, "%s", text);
			if (m.type == T_RESPONSE) {
				response_line(&m, rt, offset, line, line + ll);
			} else {
				if (line[0] == 'M' && ll >= 2 && line[1] == '-') {
					/* the mandatory-extension prefix is part of the method token */
				}
				m.method = tq_arena_strdup(pk->arena, (const char *)line + (line[0] == 'M' && ll > 1 && line[1] == '-' ? 2 : 0), mlen);
				if (hc && pk->pass == 1 && m.method)
					hc->request_method = pdup(pk, m.method, strlen(m.method));
				request_line(&m, rt, offset, line, line + ll);
			}
		} else {
			process_header(&m, t, offset, next, line, (uint32_t)ll, colon);
		}
		offset = next;
	}

	/* the full URI, and the request it answers */
	if (m.http_host && m.request_uri) {
		const char *method = pk->pass == 1 && hc ? hc->request_method : m.method;
		char *uri;
		if (!strncasecmp(m.request_uri, "http://", 7) || !strncasecmp(m.request_uri, "https://", 8) ||
		    (method && !strncasecmp(method, "CONNECT", 7))) {
			uri = tq_arena_strdup(pk->arena, m.request_uri, strlen(m.request_uri));
		} else {
			const char *h = m.http_host;
			size_t hl = strlen(h);
			while (hl && isspace((unsigned char)*h)) {
				h++;
				hl--;
			}
			while (hl && isspace((unsigned char)h[hl - 1]))
				hl--;
			uri = tq_arena_printf(pk->arena, "http://%.*s%s", (int)hl, h, m.request_uri);
		}
		if (hc && pk->pass == 1 && uri)
			hc->full_uri = pdup(pk, uri, strlen(uri));
		if (uri)
			tq_gen(tq_add_str(pk, t, &hf_full_uri, s, 0, 0, uri));
	}

	if (pk->pass == 1 && hc && hfr && (m.type == T_REQUEST || m.type == T_RESPONSE)) {
		struct reqres *rr = NULL;
		if (m.type == T_REQUEST || !hc->tail || hc->tail->res_frame > 0) {
			rr = tq_arena_alloc(&pk->cap->state, sizeof(*rr));
			if (rr) {
				rr->number = ++hc->count;
				rr->prev = hc->tail;
				if (hc->tail)
					hc->tail->next = rr;
				hc->tail = rr;
			}
		} else {
			rr = hc->tail;
		}
		if (rr) {
			if (m.type == T_REQUEST) {
				rr->req_frame = pk->num;
				rr->sec = pk->fr->sec;
				rr->nsec = (int32_t)pk->fr->nsec;
				rr->have_ts = 1;
				rr->method = hc->request_method;
			} else {
				rr->res_frame = pk->num;
				rr->for_uri = hc->full_uri ? hc->full_uri : hc->request_uri;
			}
			hfr->curr = rr;
		}
	}

	if (t) {
		struct reqres *curr = hfr ? hfr->curr : NULL;
		struct reqres *prev = curr ? curr->prev : NULL, *nx = curr ? curr->next : NULL;
		uint32_t total = hc ? hc->count : 0;
		struct tq_node *n;
		switch (m.type) {
		case T_NOTIFICATION:
			TQ_HIDDEN(pk, tq_add_u(pk, t, &hf_notification, s, 0, 0, 1));
			break;
		case T_RESPONSE:
			TQ_HIDDEN(pk, tq_add_u(pk, t, &hf_response, s, 0, 0, 1));
			if (curr) {
				n = tq_gen(tq_add_u(pk, t, &hf_response_number, s, 0, 0, curr->number));
				tq_set_label(pk, n, "HTTP response %u/%u", curr->number, total);
				if (curr->have_ts) {
					int64_t ds;
					int32_t dns;
					tq_reltime_delta(pk->fr->sec, (int32_t)pk->fr->nsec, curr->sec, curr->nsec, &ds, &dns);
					tq_gen(tq_add_time(pk, t, &hf_time, s, 0, 0, ds, dns));
				}
			}
			if (prev && prev->req_frame)
				tq_gen(tq_add_u(pk, t, &hf_prev_request_in, s, 0, 0, prev->req_frame));
			if (prev && prev->res_frame)
				tq_gen(tq_add_u(pk, t, &hf_prev_response_in, s, 0, 0, prev->res_frame));
			if (curr && curr->req_frame)
				tq_gen(tq_add_u(pk, t, &hf_request_in, s, 0, 0, curr->req_frame));
			if (nx && nx->req_frame)
				tq_gen(tq_add_u(pk, t, &hf_next_request_in, s, 0, 0, nx->req_frame));
			if (nx && nx->res_frame)
				tq_gen(tq_add_u(pk, t, &hf_next_response_in, s, 0, 0, nx->res_frame));
			{
				const char *fu = NULL;
				if (pk->pass == 1 && hc)
					fu = hc->full_uri ? hc->full_uri : hc->request_uri;
				else if (curr)
					fu = curr->for_uri;
				if (fu)
					tq_gen(tq_add_str(pk, t, &hf_for_uri, s, 0, 0, fu));
			}
			break;
		case T_REQUEST:
			TQ_HIDDEN(pk, tq_add_u(pk, t, &hf_request, s, 0, 0, 1));
			if (curr) {
				n = tq_gen(tq_add_u(pk, t, &hf_request_number, s, 0, 0, curr->number));
				tq_set_label(pk, n, "HTTP request %u/%u", curr->number, total);
			}
			if (prev && prev->req_frame)
				tq_gen(tq_add_u(pk, t, &hf_prev_request_in, s, 0, 0, prev->req_frame));
			if (curr && curr->res_frame)
				tq_gen(tq_add_u(pk, t, &hf_response_in, s, 0, 0, curr->res_frame));
			if (nx && nx->req_frame)
				tq_gen(tq_add_u(pk, t, &hf_next_request_in, s, 0, 0, nx->req_frame));
			break;
		default:
			break;
		}
	}

	/* the body */
	uint32_t datalen = offset < s->len ? s->len - offset : 0;
	int64_t rdatalen = offset < s->rlen ? s->rlen - offset : 0;
	if (m.have_content_length && m.te == TE_NONE) {
		if (datalen > m.content_length)
			datalen = (uint32_t)m.content_length;
		if (rdatalen > m.content_length)
			rdatalen = m.content_length;
	} else if (m.type == T_REQUEST) {
		if (m.te == TE_NONE)
			datalen = 0;
		else
			rdatalen = -1;
	} else if (m.type == T_RESPONSE) {
		if (m.response_code / 100 == 1 || m.response_code == 204 || m.response_code == 304)
			datalen = 0;
		else
			rdatalen = -1;
	} else {
		rdatalen = -1;
	}
	if (datalen > 0) {
		struct tq_slice b = tq_sub(s, offset, datalen);
		if (rdatalen >= 0)
			b.rlen = (uint32_t)rdatalen;
		else
			b.rlen = s->rlen - offset;
		if (b.len > b.rlen)
			b.len = b.rlen;
		struct tq_slice body = b;
		uint8_t *dech = NULL;
		uint32_t dechlen = 0;
		if (m.te_chunked) {
			uint32_t clen = dechunk(pk, t, &b, &dech, &dechlen);
			if (clen == 0)
				goto done;
			int ds = tq_add_ds(pk, dech, dechlen, "De-chunked entity body");
			body = (struct tq_slice){ dech, dechlen, dechlen, 0, (uint8_t)(ds < 0 ? b.ds : ds) };
			if (ds < 0 && pk->tree)
				goto done;
			datalen = clen;
		}
		/* pass 1 keeps no state from a body past its length: left to pass 2 */
		if (pk->pass == 1)
			goto done;
		if (m.te == TE_COMPRESS || m.te == TE_DEFLATE || m.te == TE_GZIP) {
			add_data(pk, &body);
			goto done;
		}
		if (m.have_content_encoding && strcasecmp(m.content_encoding, "identity")) {
			uint8_t *u = NULL;
			uint32_t ulen = 0, ukept = 0;
			const char *ce = m.content_encoding;
			if (!strcasecmp(ce, "gzip") || !strcasecmp(ce, "deflate") || !strcasecmp(ce, "x-gzip") ||
			    !strcasecmp(ce, "x-deflate"))
				u = tq_uncompress(pk->arena, body.p, body.len, pk->tree ? 0 : LIST_KEEP, &ulen, &ukept);
			struct tq_node *e = tq_add_text(pk, t, &body, 0, body.len, "Content-encoded entity body (%s): %u bytes",
			    ce, body.len);
			if (u) {
				tq_append(pk, e, " -> %u bytes", ulen);
				int ds = tq_add_ds(pk, u, ulen, "Uncompressed entity body");
				if (ds < 0 && pk->tree)
					goto done;
				body = (struct tq_slice){ u, ukept, ukept, 0, (uint8_t)(ds < 0 ? 0 : ds) };
			} else {
				tq_expert(pk, e, &ei_decompression_failed, NULL);
				struct tq_node *saved = pk->parent;
				if (e)
					pk->parent = e;
				add_data(pk, &body);
				pk->parent = saved;
				goto done;
			}
		}
		{
			struct tq_node *fd = tq_add_str(pk, t, &hf_file_data, &body, 0, body.len,
			    t ? file_str(pk, body.p, body.len) : "");
			tq_set_valtext(pk, fd, "%u bytes", body.len);
		}
		if (body.len == 0)
			goto done;
		int octet = m.have_content_type && !strcmp(m.content_type, "application/octet-stream");
		int took = octet ? 0 : dissect_body(pk, &body, &m);
		if (took < 0)
			tq_expert(pk, t, &ei_subdissector_failed, NULL);
		if (octet) {
			/* the media type table gives it to data, which takes it all */
			if (t)
				tq_set_len(t, offset);
			add_data(pk, &body);
		} else if (took > 0) {
			if (t)
				tq_set_len(t, offset);
		} else if (m.have_content_type) {
			dissect_media(pk, &body, m.content_type);
		} else {
			add_data(pk, &body);
		}
done:
		offset += datalen;
	}

	/* an upgrade proceeds after the response's headers */
	if (hc && pk->pass == 1 && hc->request_method && m.type == T_RESPONSE && !pk->deseg_len) {
		int acked = 0;
		const struct tq_dissector *nh = NULL;
		if (!strcmp(hc->request_method, "SSTP_DUPLEX_POST") && hc->response_code == 200)
			acked = 1;
		if (m.have_upgrade && hc->response_code == 101) {
			if (!strcmp(m.upgrade, "websocket"))
				nh = tq_dissector_named("websocket");
			else if (!strcmp(m.upgrade, "h2c"))
				nh = tq_dissector_named("http2");
			acked = 1;
		}
		if (acked && !hc->startframe) {
			hc->startframe = pk->num;
			hc->startoffset = offset;
			hc->next_handle = nh;
			if (nh)
				tq_tcp_switch(pk, nh, 1);
		}
	}
	/* as Wireshark: the leading CRLF is not counted */
	return (int)(offset - orig);
}

/* ------------------------------------------------------------------ entry */

void
tq_http_upgraded_layer(struct tq_pkt *pk)
{
	/* pass 2 only: the lookup makes no slot there; nothing when HTTP called
	 * the protocol itself (its layer is then the last one) */
	size_t n = strnlen(pk->protocols, sizeof(pk->protocols));
	if (pk->pass == 1 || !pk->tcp || (n >= 5 && !memcmp(pk->protocols + n - 5, ":http", 5)))
		return;
	void **hs = tq_tcp_app_state(pk, &http);
	if (hs && *hs)
		tq_layer(pk, "http");
}

int
tq_dissect_http(struct tq_pkt *pk, struct tq_slice *s)
{
	struct hconv *hc = NULL;
	if (pk->tcp && pk->tcp->app_state) {
		hc = *pk->tcp->app_state;
		if (!hc && pk->pass == 1) {
			hc = tq_arena_alloc(&pk->cap->state, sizeof(*hc));
			*pk->tcp->app_state = hc;
		}
	}
	struct hframe *hfr = tq_pdata_get(pk->cap, pk->num, PD_HTTP);
	if (!hfr && pk->pass == 1) {
		hfr = tq_arena_alloc(&pk->cap->state, sizeof(*hfr));
		if (hfr)
			tq_pdata_put(pk->cap, pk->num, PD_HTTP, hfr);
	}
	/* HTTP/2 with prior knowledge: its heuristic on HTTP's payload takes the
	 * preface, and then the whole connection is HTTP/2, frames before included */
	const struct tq_dissector *h2 = tq_dissector_named("http2");
	if (h2 && hc && !hc->startframe && pk->pass == 1 && s->len >= 24 &&
	    !memcmp(s->p, "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", 24)) {
		hc->h2_prior = 1;
		tq_tcp_switch(pk, h2, 0);
	}
	if (h2 && hc && hc->h2_prior && !hc->startframe && pk->tcp) {
		void **saved = pk->tcp->app_state;
		pk->tcp->app_state = tq_tcp_app_state(pk, h2);
		h2->dissect(pk, s);
		pk->tcp->app_state = saved;
		return (int)s->len;
	}
	uint32_t offset = 0;
	int guard = 0;
	while (offset < s->rlen && guard++ < 10000) {
		if (hc && hc->startframe && (pk->num > hc->startframe ||
		    (pk->num == hc->startframe && offset >= hc->startoffset))) {
			struct tq_slice rest = tq_sub_rest(s, offset);
			if (hc->next_handle && pk->tcp) {
				/* the other protocol's own state slot on this stream */
				void **saved = pk->tcp->app_state;
				pk->tcp->app_state = tq_tcp_app_state(pk, hc->next_handle);
				pk->deseg_offset = pk->deseg_len = 0;
				hc->next_handle->dissect(pk, &rest);
				if (pk->deseg_len)
					pk->deseg_offset += offset;
				pk->tcp->app_state = saved;
			} else {
				add_data(pk, &rest);
			}
			break;
		}
		int len = dissect_message(pk, s, offset, hc, hfr);
		if (len < 0)
			break;
		if (len == 0)
			break;
		offset += (uint32_t)len;
		tq_col_info_fence(pk);
		if (offset >= s->len)
			break;
	}
	return (int)s->len;
}
