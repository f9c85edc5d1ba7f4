/*
 * tls.c - TLS 1.0-1.3 and SSL 3.0 over TCP (RFC 8446, 5246, 4346, 2246,
 * 6101) as Wireshark 4.0 shows it without keys: the record layer, the
 * handshake messages in the clear with their extensions (RFC 6066, 7301,
 * 7627, 8422, 8446 ...), JA3/JA3S, certificates (x509.c) and stapled OCSP
 * responses (ocsp.c), and the records that stay encrypted.
 *
 * Pass 1 follows each connection: the version the Server Hello chose, the
 * suite, the server's side, each direction's first Change Cipher Spec and
 * the application protocol the server picked with ALPN.  Pass 2 shows every
 * frame with the connection's final state, which is what Wireshark's
 * two-pass view does (so a Client Hello is already labelled "TLSv1.3").
 */
#include "config.h"

#include <openssl/evp.h>
#include <stdio.h>
#include <string.h>

#include "tls.h"

/* The tls.port table of Wireshark 4.0: server ports (in order) and what TLS carries there. */
struct tls_port { uint16_t port; const char *proto; };
static const struct tls_port tls_ports[] = {
	{ 324, "RPKI-Router Protocol" }, { 443, "Hypertext Transfer Protocol" },
	{ 465, "Simple Mail Transfer Protocol" }, { 636, "Lightweight Directory Access Protocol" },
	{ 802, "Modbus/TCP" }, { 853, "Domain Name System" }, { 993, "Internet Message Access Protocol" },
	{ 995, "Post Office Protocol" }, { 1300, "Q.931" }, { 2221, "EtherNet/IP (Industrial Protocol)" },
	{ 2443, "Skinny Client Control Protocol" },
	{ 3249, "Intel Omni-Path FE Header - Omni-Path Fabric Executive Header" },
	{ 3250, "Intel Omni-Path FE Header - Omni-Path Fabric Executive Header" },
	{ 3251, "Intel Omni-Path FE Header - Omni-Path Fabric Executive Header" },
	{ 3252, "Intel Omni-Path FE Header - Omni-Path Fabric Executive Header" },
	{ 3389, "TPKT - ISO on TCP - RFC1006" }, { 3496, "DoIP (ISO13400) Protocol" },
	{ 5061, "Session Initiation Protocol" }, { 5671, "Advanced Message Queuing Protocol" },
	{ 5684, "Constrained Application Protocol" }, { 5868, "Diameter Protocol" },
	{ 8883, "MQ Telemetry Transport Protocol" }, { 11207, "Couchbase Protocol" },
	{ 19999, "Distributed Network Protocol 3.0" }, { 27017, "Mongo Wire Protocol" },
	{ 0, NULL },
};

/* The ALPN names a server may pick that select a dissector (Wireshark's tls.alpn table). */
struct tls_alpn { const char *name; const char *proto; int prefix; };
static const struct tls_alpn tls_alpns[] = {
	{ "http/1.1", "Hypertext Transfer Protocol", 0 }, { "http/1.0", "Hypertext Transfer Protocol", 0 },
	{ "h2", "HyperText Transfer Protocol 2", 0 }, { "h2-", "HyperText Transfer Protocol 2", 1 },
	{ "dot", "Domain Name System", 0 }, { "imap", "Internet Message Access Protocol", 0 },
	{ "pop3", "Post Office Protocol", 0 }, { "mqtt", "MQ Telemetry Transport Protocol", 0 },
	{ "ftp", "File Transfer Protocol (FTP)", 0 }, { "sip/2", "Session Initiation Protocol", 0 },
	{ "xmpp-client", "XMPP Protocol", 0 }, { "xmpp-server", "XMPP Protocol", 0 },
	{ "stun.turn", "Session Traversal Utilities for NAT", 0 },
	{ "stun.nat-discovery", "Session Traversal Utilities for NAT", 0 },
	{ NULL, NULL, 0 },
};

static const struct tq_tfs tfs_encrypted = { "True", "False" };

/* ------------------------------------------------------------------ fields */

static struct tq_field hf_tls = HF("tls", "Transport Layer Security", FT_PROTOCOL, BASE_NONE, NULL, 0);
static struct tq_field hf_record = HF("tls.record", "Record Layer", FT_NONE, BASE_NONE, NULL, 0);
static struct tq_field hf_content_type = HF("tls.record.content_type", "Content Type", FT_UINT8, BASE_DEC, tq_tls_content_type_vals, 0);
static struct tq_field hf_opaque_type = HF("tls.record.opaque_type", "Opaque Type", FT_UINT8, BASE_DEC, tq_tls_content_type_vals, 0);
static struct tq_field hf_record_version = HF("tls.record.version", "Version", FT_UINT16, BASE_HEX, tq_tls_version_vals, 0);
static struct tq_field hf_record_length = HF("tls.record.length", "Length", FT_UINT16, BASE_DEC, NULL, 0);
static struct tq_field hf_app_data = HF("tls.app_data", "Encrypted Application Data", FT_BYTES, BASE_NONE, NULL, 0);
static struct tq_field hf_app_proto = HF("tls.app_data_proto", "Application Data Protocol", FT_STRING, BASE_NONE, NULL, 0);
static struct tq_field hf_ccs = HF("tls.change_cipher_spec", "Change Cipher Spec Message", FT_NONE, BASE_NONE, NULL, 0);
static struct tq_field hf_alert = HF("tls.alert_message", "Alert Message", FT_NONE, BASE_NONE, NULL, 0);
static struct tq_field hf_alert_level = HF("tls.alert_message.level", "Level", FT_UINT8, BASE_DEC, tq_tls_alert_level_vals, 0);
static struct tq_field hf_alert_desc = HF("tls.alert_message.desc", "Description", FT_UINT8, BASE_DEC, tq_tls_alert_desc_vals, 0);
static struct tq_field hf_hb = HF("tls.heartbeat_message", "Heartbeat Message", FT_NONE, BASE_NONE, NULL, 0);
static struct tq_field hf_encrypted = HF("tq.encrypted", "Encrypted", FT_BOOLEAN, BASE_NONE, &tfs_encrypted, 0);

static struct tq_field hf_hs = HF("tls.handshake", "Handshake Protocol", FT_NONE, BASE_NONE, NULL, 0);
static struct tq_field hf_hs_type = HF("tls.handshake.type", "Handshake Type", FT_UINT8, BASE_DEC, tq_tls_hs_type_vals, 0);
static struct tq_field hf_hs_length = HF("tls.handshake.length", "Length", FT_UINT24, BASE_DEC, NULL, 0);
static struct tq_field hf_hs_version = HF("tls.handshake.version", "Version", FT_UINT16, BASE_HEX, tq_tls_version_vals, 0);
static struct tq_field hf_random = HF("tls.handshake.random", "Random", FT_BYTES, BASE_NONE, NULL, 0);
static struct tq_field hf_random_time = HF("tls.handshake.random_time", "GMT Unix Time", FT_ABSTIME, BASE_NONE, NULL, 0);
static struct tq_field hf_random_bytes = HF("tls.handshake.random_bytes", "Random Bytes", FT_BYTES, BASE_NONE, NULL, 0);
static struct tq_field hf_sid_len = HF("tls.handshake.session_id_length", "Session ID Length", FT_UINT8, BASE_DEC, NULL, 0);
static struct tq_field hf_sid = HF("tls.handshake.session_id", "Session ID", FT_BYTES, BASE_NONE, NULL, 0);
static struct tq_field hf_cs_len = HF("tls.handshake.cipher_suites_length", "Cipher Suites Length", FT_UINT16, BASE_DEC, NULL, 0);
static struct tq_field hf_css = HF("tls.handshake.ciphersuites", "Cipher Suites", FT_NONE, BASE_NONE, NULL, 0);
static struct tq_field hf_cs = HF("tls.handshake.ciphersuite", "Cipher Suite", FT_UINT16, BASE_HEX, tq_tls_cipher_vals, 0);
static struct tq_field hf_comp_len = HF("tls.handshake.comp_methods_length", "Compression Methods Length", FT_UINT8, BASE_DEC, NULL, 0);
static struct tq_field hf_comps = HF("tls.handshake.comp_methods", "Compression Methods", FT_NONE, BASE_NONE, NULL, 0);
static struct tq_field hf_comp = HF("tls.handshake.comp_method", "Compression Method", FT_UINT8, BASE_DEC, tq_tls_comp_vals, 0);
static struct tq_field hf_ja3_full = HF("tls.handshake.ja3_full", "JA3 Fullstring", FT_STRING, BASE_NONE, NULL, 0);
static struct tq_field hf_ja3 = HF("tls.handshake.ja3", "JA3", FT_STRING, BASE_NONE, NULL, 0);
static struct tq_field hf_ja3s_full = HF("tls.handshake.ja3s_full", "JA3S Fullstring", FT_STRING, BASE_NONE, NULL, 0);
static struct tq_field hf_ja3s = HF("tls.handshake.ja3s", "JA3S", FT_STRING, BASE_NONE, NULL, 0);

static struct tq_field hf_exts_len = HF("tls.handshake.extensions_length", "Extensions Length", FT_UINT16, BASE_DEC, NULL, 0);
static struct tq_field hf_ext_type = HF("tls.handshake.extension.type", "Type", FT_UINT16, BASE_DEC, tq_tls_ext_type_vals, 0);
static struct tq_field hf_ext_len = HF("tls.handshake.extension.len", "Length", FT_UINT16, BASE_DEC, NULL, 0);
static struct tq_field hf_ext_data = HF("tls.handshake.extension.data", "Data", FT_BYTES, BASE_NONE, NULL, 0);
static struct tq_field hf_sni_list_len = HF("tls.handshake.extensions_server_name_list_len", "Server Name list length", FT_UINT16, BASE_DEC, NULL, 0);
static struct tq_field hf_sni_type = HF("tls.handshake.extensions_server_name_type", "Server Name Type", FT_UINT8, BASE_DEC, tq_tls_sni_type_vals, 0);
static struct tq_field hf_sni_len = HF("tls.handshake.extensions_server_name_len", "Server Name length", FT_UINT16, BASE_DEC, NULL, 0);
static struct tq_field hf_sni = HF("tls.handshake.extensions_server_name", "Server Name", FT_STRING, BASE_NONE, NULL, 0);
static struct tq_field hf_groups_len = HF("tls.handshake.extensions_supported_groups_length", "Supported Groups List Length", FT_UINT16, BASE_DEC, NULL, 0);
static struct tq_field hf_groups = HF("tls.handshake.extensions_supported_groups", "Supported Groups List", FT_NONE, BASE_NONE, NULL, 0);
static struct tq_field hf_group = HF("tls.handshake.extensions_supported_group", "Supported Group", FT_UINT16, BASE_HEX, tq_tls_group_vals, 0);
static struct tq_field hf_ecpf_len = HF("tls.handshake.extensions_ec_point_formats_length", "EC point formats Length", FT_UINT8, BASE_DEC, NULL, 0);
static struct tq_field hf_ecpfs = HF("tls.handshake.extensions_ec_point_formats", "EC point formats", FT_NONE, BASE_NONE, NULL, 0);
static struct tq_field hf_ecpf = HF("tls.handshake.extensions_ec_point_format", "EC point format", FT_UINT8, BASE_DEC, tq_tls_ecpf_vals, 0);
static struct tq_field hf_sigalgs_len = HF("tls.handshake.sig_hash_alg_len", "Signature Hash Algorithms Length", FT_UINT16, BASE_DEC, NULL, 0);
static struct tq_field hf_sigalgs = HF("tls.handshake.sig_hash_algs", "Signature Algorithms", FT_NONE, BASE_NONE, NULL, 0);
static struct tq_field hf_sigalg = HF("tls.handshake.sig_hash_alg", "Signature Algorithm", FT_UINT16, BASE_HEX, tq_tls_sigalg_vals, 0);
static struct tq_field hf_sig_hash = HF("tls.handshake.sig_hash_hash", "Signature Hash Algorithm Hash", FT_UINT8, BASE_DEC, tq_tls_hash_vals, 0);
static struct tq_field hf_sig_sig = HF("tls.handshake.sig_hash_sig", "Signature Hash Algorithm Signature", FT_UINT8, BASE_DEC, tq_tls_sig_vals, 0);
static struct tq_field hf_alpn_len = HF("tls.handshake.extensions_alpn_len", "ALPN Extension Length", FT_UINT16, BASE_DEC, NULL, 0);
static struct tq_field hf_alpn_list = HF("tls.handshake.extensions_alpn_list", "ALPN Protocol", FT_NONE, BASE_NONE, NULL, 0);
static struct tq_field hf_alpn_str_len = HF("tls.handshake.extensions_alpn_str_len", "ALPN string length", FT_UINT8, BASE_DEC, NULL, 0);
static struct tq_field hf_alpn_str = HF("tls.handshake.extensions_alpn_str", "ALPN Next Protocol", FT_STRING, BASE_NONE, NULL, 0);
static struct tq_field hf_npn_len = HF("tls.handshake.extensions_npn_str_len", "Protocol string length", FT_UINT8, BASE_DEC, NULL, 0);
static struct tq_field hf_npn = HF("tls.handshake.extensions_npn", "Next Protocol", FT_STRING, BASE_NONE, NULL, 0);
static struct tq_field hf_reneg_len = HF("tls.handshake.extensions_reneg_info_len", "Renegotiation info extension length", FT_UINT8, BASE_DEC, NULL, 0);
static struct tq_field hf_reneg = HF("tls.handshake.extensions_reneg_info", "Renegotiation info", FT_BYTES, BASE_NONE, NULL, 0);
static struct tq_field hf_ks_client_len = HF("tls.handshake.extensions_key_share_client_length", "Client Key Share Length", FT_UINT16, BASE_DEC, NULL, 0);
static struct tq_field hf_ks_group = HF("tls.handshake.extensions_key_share_group", "Group", FT_UINT16, BASE_DEC, tq_tls_group_vals, 0);
static struct tq_field hf_ks_kx_len = HF("tls.handshake.extensions_key_share_key_exchange_length", "Key Exchange Length", FT_UINT16, BASE_DEC, NULL, 0);
static struct tq_field hf_ks_kx = HF("tls.handshake.extensions_key_share_key_exchange", "Key Exchange", FT_BYTES, BASE_NONE, NULL, 0);
static struct tq_field hf_ks_selected = HF("tls.handshake.extensions_key_share_selected_group", "Selected Group", FT_UINT16, BASE_DEC, tq_tls_group_vals, 0);
static struct tq_field hf_psk_ids_len = HF("tls.handshake.extensions.psk.identities.length", "Identities Length", FT_UINT16, BASE_DEC, NULL, 0);
static struct tq_field hf_psk_id_len = HF("tls.handshake.extensions.psk.identity.identity_length", "Identity Length", FT_UINT16, BASE_DEC, NULL, 0);
static struct tq_field hf_psk_id = HF("tls.handshake.extensions.psk.identity.identity", "Identity", FT_BYTES, BASE_NONE, NULL, 0);
static struct tq_field hf_psk_age = HF("tls.handshake.extensions.psk.identity.obfuscated_ticket_age", "Obfuscated Ticket Age", FT_UINT32, BASE_DEC, NULL, 0);
static struct tq_field hf_psk_binders_len = HF("tls.handshake.extensions.psk.binders_len", "PSK Binders length", FT_UINT16, BASE_DEC, NULL, 0);
static struct tq_field hf_psk_binders = HF("tls.handshake.extensions.psk.binders", "PSK Binders", FT_NONE, BASE_NONE, NULL, 0);
static struct tq_field hf_psk_selected = HF("tls.handshake.extensions.psk.identity.selected", "Selected Identity", FT_UINT16, BASE_DEC, NULL, 0);
static struct tq_field hf_max_early = HF("tls.early_data.max_early_data_size", "Maximum Early Data Size", FT_UINT32, BASE_DEC, NULL, 0);
static struct tq_field hf_sv_len = HF("tls.handshake.extensions.supported_versions_len", "Supported Versions length", FT_UINT8, BASE_DEC, NULL, 0);
static struct tq_field hf_sv = HF("tls.handshake.extensions.supported_version", "Supported Version", FT_UINT16, BASE_HEX, tq_tls_version_vals, 0);
static struct tq_field hf_cookie_len = HF("tls.handshake.extensions.cookie_len", "Cookie length", FT_UINT16, BASE_DEC, NULL, 0);
static struct tq_field hf_cookie = HF("tls.handshake.extensions.cookie", "Cookie", FT_BYTES, BASE_NONE, NULL, 0);
static struct tq_field hf_psk_modes_len = HF("tls.extension.psk_ke_modes_length", "PSK Key Exchange Modes Length", FT_UINT8, BASE_DEC, NULL, 0);
static struct tq_field hf_psk_mode = HF("tls.extension.psk_ke_mode", "PSK Key Exchange Mode", FT_UINT8, BASE_DEC, tq_tls_psk_mode_vals, 0);
static struct tq_field hf_padding = HF("tls.handshake.extensions_padding_data", "Padding Data", FT_BYTES, BASE_NONE, NULL, 0);
static struct tq_field hf_status_type = HF("tls.handshake.extensions_status_request_type", "Certificate Status Type", FT_UINT8, BASE_DEC, tq_tls_status_type_vals, 0);
static struct tq_field hf_status_len = HF("tls.handshake.extensions_status_request_len", "Certificate Status Length", FT_UINT16, BASE_DEC, NULL, 0);
static struct tq_field hf_status_rids_len = HF("tls.handshake.extensions_status_request_responder_ids_len", "Responder ID list Length", FT_UINT16, BASE_DEC, NULL, 0);
static struct tq_field hf_status_exts_len = HF("tls.handshake.extensions_status_request_exts_len", "Request Extensions Length", FT_UINT16, BASE_DEC, NULL, 0);
static struct tq_field hf_status_list_len = HF("tls.handshake.extensions_status_request_list_len", "Certificate Status List Length", FT_UINT16, BASE_DEC, NULL, 0);
static struct tq_field hf_hb_mode = HF("tls.handshake.extension.heartbeat.mode", "Mode", FT_UINT8, BASE_DEC, tq_tls_hb_mode_vals, 0);
static struct tq_field hf_rsl = HF("tls.record_size_limit", "Record Size Limit", FT_UINT16, BASE_DEC, NULL, 0);
static struct tq_field hf_cc_algs_len = HF("tls.compress_certificate.algorithms_length", "Algorithms Length", FT_UINT8, BASE_DEC, NULL, 0);
static struct tq_field hf_cc_alg = HF("tls.compress_certificate.algorithm", "Algorithm", FT_UINT16, BASE_DEC, tq_tls_compress_alg_vals, 0);
static struct tq_field hf_cc_ulen = HF("tls.compress_certificate.uncompressed_length", "Uncompressed Length", FT_UINT24, BASE_DEC, NULL, 0);
static struct tq_field hf_cc_mlen = HF("tls.compress_certificate.compressed_certificate_message.length", "Length", FT_UINT24, BASE_DEC, NULL, 0);
static struct tq_field hf_cc_msg = HF("tls.compress_certificate.compressed_certificate_message", "Compressed Certificate Message", FT_BYTES, BASE_NONE, NULL, 0);

static struct tq_field hf_certs_len = HF("tls.handshake.certificates_length", "Certificates Length", FT_UINT24, BASE_DEC, NULL, 0);
static struct tq_field hf_certs = HF("tls.handshake.certificates", "Certificates", FT_NONE, BASE_NONE, NULL, 0);
static struct tq_field hf_cert_len = HF("tls.handshake.certificate_length", "Certificate Length", FT_UINT24, BASE_DEC, NULL, 0);
static struct tq_field hf_cert = HF("tls.handshake.certificate", "Certificate", FT_BYTES, BASE_NONE, NULL, 0);
static struct tq_field hf_crc_len = HF("tls.handshake.certificate_request_context_length", "Certificate Request Context Length", FT_UINT8, BASE_DEC, NULL, 0);
static struct tq_field hf_crc = HF("tls.handshake.certificate_request_context", "Certificate Request Context", FT_BYTES, BASE_NONE, NULL, 0);
static struct tq_field hf_cert_types_count = HF("tls.handshake.cert_types_count", "Certificate types count", FT_UINT8, BASE_DEC, NULL, 0);
static struct tq_field hf_cert_types = HF("tls.handshake.cert_types", "Certificate types", FT_NONE, BASE_NONE, NULL, 0);
static struct tq_field hf_cert_type = HF("tls.handshake.cert_type", "Certificate type", FT_UINT8, BASE_DEC, tq_tls_cert_type_vals, 0);
static struct tq_field hf_dnames_len = HF("tls.handshake.dnames_len", "Distinguished Names Length", FT_UINT16, BASE_DEC, NULL, 0);
static struct tq_field hf_dnames = HF("tls.handshake.dnames", "Distinguished Names", FT_NONE, BASE_NONE, NULL, 0);
static struct tq_field hf_dname_len = HF("tls.handshake.dname_len", "Distinguished Name Length", FT_UINT16, BASE_DEC, NULL, 0);
static struct tq_field hf_dname = HF("tls.handshake.dname", "Distinguished Name", FT_NONE, BASE_NONE, NULL, 0);
static struct tq_field hf_ocsp_len = HF("tls.handshake.ocsp_response_len", "OCSP Response Length", FT_UINT24, BASE_DEC, NULL, 0);
static struct tq_field hf_ocsp_list_len = HF("tls.handshake.ocsp_response_list_len", "OCSP Response List Length", FT_UINT24, BASE_DEC, NULL, 0);

static struct tq_field hf_curve_type = HF("tls.handshake.server_curve_type", "Curve Type", FT_UINT8, BASE_HEX, tq_tls_curve_type_vals, 0);
static struct tq_field hf_named_curve = HF("tls.handshake.server_named_curve", "Named Curve", FT_UINT16, BASE_HEX, tq_tls_group_vals, 0);
static struct tq_field hf_srv_point_len = HF("tls.handshake.server_point_len", "Pubkey Length", FT_UINT8, BASE_DEC, NULL, 0);
static struct tq_field hf_srv_point = HF("tls.handshake.server_point", "Pubkey", FT_BYTES, BASE_NONE, NULL, 0);
static struct tq_field hf_cli_point_len = HF("tls.handshake.client_point_len", "Pubkey Length", FT_UINT8, BASE_DEC, NULL, 0);
static struct tq_field hf_cli_point = HF("tls.handshake.client_point", "Pubkey", FT_BYTES, BASE_NONE, NULL, 0);
static struct tq_field hf_p_len = HF("tls.handshake.p_len", "p Length", FT_UINT16, BASE_DEC, NULL, 0);
static struct tq_field hf_p = HF("tls.handshake.p", "p", FT_BYTES, BASE_NONE, NULL, 0);
static struct tq_field hf_g_len = HF("tls.handshake.g_len", "g Length", FT_UINT16, BASE_DEC, NULL, 0);
static struct tq_field hf_g = HF("tls.handshake.g", "g", FT_BYTES, BASE_NONE, NULL, 0);
static struct tq_field hf_ys_len = HF("tls.handshake.ys_len", "Pubkey Length", FT_UINT16, BASE_DEC, NULL, 0);
static struct tq_field hf_ys = HF("tls.handshake.ys", "Pubkey", FT_BYTES, BASE_NONE, NULL, 0);
static struct tq_field hf_yc_len = HF("tls.handshake.yc_len", "Pubkey Length", FT_UINT16, BASE_DEC, NULL, 0);
static struct tq_field hf_yc = HF("tls.handshake.yc", "Pubkey", FT_BYTES, BASE_NONE, NULL, 0);
static struct tq_field hf_epms_len = HF("tls.handshake.epms_len", "Encrypted PreMaster length", FT_UINT16, BASE_DEC, NULL, 0);
static struct tq_field hf_epms = HF("tls.handshake.epms", "Encrypted PreMaster", FT_BYTES, BASE_NONE, NULL, 0);
static struct tq_field hf_hint_len = HF("tls.handshake.hint_len", "Hint Length", FT_UINT16, BASE_DEC, NULL, 0);
static struct tq_field hf_hint = HF("tls.handshake.hint", "Hint", FT_BYTES, BASE_NONE, NULL, 0);
static struct tq_field hf_identity_len = HF("tls.handshake.identity_len", "Identity Length", FT_UINT16, BASE_DEC, NULL, 0);
static struct tq_field hf_identity = HF("tls.handshake.identity", "Identity", FT_BYTES, BASE_NONE, NULL, 0);
static struct tq_field hf_sig_len = HF("tls.handshake.sig_len", "Signature Length", FT_UINT16, BASE_DEC, NULL, 0);
static struct tq_field hf_sig = HF("tls.handshake.sig", "Signature", FT_BYTES, BASE_NONE, NULL, 0);
static struct tq_field hf_cv_sig_len = HF("tls.handshake.client_cert_vrfy.sig_len", "Signature length", FT_UINT16, BASE_DEC, NULL, 0);
static struct tq_field hf_cv_sig = HF("tls.handshake.client_cert_vrfy.sig", "Signature", FT_BYTES, BASE_NONE, NULL, 0);
static struct tq_field hf_ticket_hint = HF("tls.handshake.session_ticket_lifetime_hint", "Session Ticket Lifetime Hint", FT_UINT32, BASE_DEC, NULL, 0);
static struct tq_field hf_ticket_age_add = HF("tls.handshake.session_ticket_age_add", "Session Ticket Age Add", FT_UINT32, BASE_DEC, NULL, 0);
static struct tq_field hf_ticket_nonce_len = HF("tls.handshake.session_ticket_nonce_length", "Session Ticket Nonce Length", FT_UINT8, BASE_DEC, NULL, 0);
static struct tq_field hf_ticket_nonce = HF("tls.handshake.session_ticket_nonce", "Session Ticket Nonce", FT_BYTES, BASE_NONE, NULL, 0);
static struct tq_field hf_ticket_len = HF("tls.handshake.session_ticket_length", "Session Ticket Length", FT_UINT16, BASE_DEC, NULL, 0);
static struct tq_field hf_ticket = HF("tls.handshake.session_ticket", "Session Ticket", FT_BYTES, BASE_NONE, NULL, 0);
static struct tq_field hf_finished = HF("tls.handshake.verify_data", "Verify Data", FT_NONE, BASE_NONE, NULL, 0);
static struct tq_field hf_md5_hash = HF("tls.handshake.md5_hash", "MD5 Hash", FT_NONE, BASE_NONE, NULL, 0);
static struct tq_field hf_sha_hash = HF("tls.handshake.sha_hash", "SHA-1 Hash", FT_NONE, BASE_NONE, NULL, 0);
static struct tq_field hf_hs_reassembled_in = HF("tls.handshake.reassembled_in", "Reassembled Handshake Message in frame", FT_FRAMENUM, BASE_NONE, NULL, 0);
static struct tq_field hf_hs_fragments = HF("tls.handshake.fragments", "Reassembled Handshake Fragments", FT_NONE, BASE_NONE, NULL, 0);
static struct tq_field hf_hs_fragment = HF("tls.handshake.fragment", "Handshake Fragment", FT_FRAMENUM, BASE_NONE, NULL, 0);
static struct tq_field hf_hs_fragment_count = HF("tls.handshake.fragment.count", "Handshake Fragment count", FT_UINT32, BASE_DEC, NULL, 0);
static struct tq_field hf_key_update = HF("tls.handshake.key_update.request_update", "Key Update Request", FT_UINT8, BASE_DEC, tq_tls_key_update_vals, 0);

static struct tq_field hf_sct_list_len = HF("tls.sct.scts_length", "Serialized SCT List Length", FT_UINT16, BASE_DEC, NULL, 0);
static struct tq_field hf_sct_len = HF("tls.sct.sct_length", "Serialized SCT Length", FT_UINT16, BASE_DEC, NULL, 0);
static struct tq_field hf_sct_version = HF("tls.sct.sct_version", "SCT Version", FT_UINT8, BASE_DEC, NULL, 0);
static struct tq_field hf_sct_logid = HF("tls.sct.sct_logid", "Log ID", FT_BYTES, BASE_NONE, NULL, 0);
static struct tq_field hf_sct_time = HF("tls.sct.sct_timestamp", "Timestamp", FT_ABSTIME, BASE_NONE, NULL, 0);
static struct tq_field hf_sct_exts_len = HF("tls.sct.sct_extensions_length", "Extensions length", FT_UINT16, BASE_DEC, NULL, 0);
static struct tq_field hf_sct_exts = HF("tls.sct.sct_extensions", "Extensions", FT_NONE, BASE_NONE, NULL, 0);
static struct tq_field hf_sct_sig_len = HF("tls.sct.sct_signature_length", "Signature Length", FT_UINT16, BASE_DEC, NULL, 0);
static struct tq_field hf_sct_sig = HF("tls.sct.sct_signature", "Signature", FT_BYTES, BASE_NONE, NULL, 0);

static struct tq_expert ei_ignored = EI("tls.ignored_unknown_record", "Ignored Unknown Record", PI_WARN, PI_PROTOCOL);
static struct tq_expert ei_resumed = EI("tls.resumed", "This session reuses previously negotiated keys (Session resumption)", PI_NOTE, PI_SEQUENCE);
static struct tq_expert ei_vec_len = EI("tls.malformed.vector_length", "Variable vector length is outside the permitted range", PI_WARN, PI_PROTOCOL);
static struct tq_expert ei_too_small = EI("tls.malformed.buffer_too_small", "Malformed message, not enough data is available", PI_ERROR, PI_PROTOCOL);
static struct tq_expert ei_trailing = EI("tls.malformed.trailing_data", "Undecoded trailing data is present", PI_WARN, PI_PROTOCOL);
static struct tq_expert ei_record_len = EI("tls.record.length.invalid", "Record length is invalid", PI_ERROR, PI_MALFORMED);
static struct tq_expert ei_unexpected = EI("tls.unexpected_message", "Unexpected message", PI_ERROR, PI_PROTOCOL);

static struct tq_field *const fields[] = {
	&hf_tls, &hf_record, &hf_content_type, &hf_opaque_type, &hf_record_version, &hf_record_length,
	&hf_app_data, &hf_app_proto, &hf_ccs, &hf_alert, &hf_alert_level, &hf_alert_desc, &hf_hb, &hf_encrypted,
	&hf_hs, &hf_hs_type, &hf_hs_length, &hf_hs_version, &hf_random, &hf_random_time, &hf_random_bytes,
	&hf_sid_len, &hf_sid, &hf_cs_len, &hf_css, &hf_cs, &hf_comp_len, &hf_comps, &hf_comp,
	&hf_ja3_full, &hf_ja3, &hf_ja3s_full, &hf_ja3s,
	&hf_exts_len, &hf_ext_type, &hf_ext_len, &hf_ext_data, &hf_sni_list_len, &hf_sni_type, &hf_sni_len,
	&hf_sni, &hf_groups_len, &hf_groups, &hf_group, &hf_ecpf_len, &hf_ecpfs, &hf_ecpf, &hf_sigalgs_len,
	&hf_sigalgs, &hf_sigalg, &hf_sig_hash, &hf_sig_sig, &hf_alpn_len, &hf_alpn_list, &hf_alpn_str_len,
	&hf_alpn_str, &hf_npn_len, &hf_npn, &hf_reneg_len, &hf_reneg, &hf_ks_client_len, &hf_ks_group,
	&hf_ks_kx_len, &hf_ks_kx, &hf_ks_selected, &hf_psk_ids_len, &hf_psk_id_len, &hf_psk_id, &hf_psk_age,
	&hf_psk_binders_len, &hf_psk_binders, &hf_psk_selected, &hf_max_early, &hf_sv_len, &hf_sv,
	&hf_cookie_len, &hf_cookie, &hf_psk_modes_len, &hf_psk_mode, &hf_padding, &hf_status_type,
	&hf_status_len, &hf_status_rids_len, &hf_status_exts_len, &hf_status_list_len, &hf_hb_mode, &hf_rsl,
	&hf_cc_algs_len, &hf_cc_alg, &hf_cc_ulen, &hf_cc_mlen, &hf_cc_msg,
	&hf_certs_len, &hf_certs, &hf_cert_len, &hf_cert, &hf_crc_len, &hf_crc, &hf_cert_types_count,
	&hf_cert_types, &hf_cert_type, &hf_dnames_len, &hf_dnames, &hf_dname_len, &hf_dname, &hf_ocsp_len,
	&hf_ocsp_list_len, &hf_curve_type, &hf_named_curve, &hf_srv_point_len, &hf_srv_point,
	&hf_cli_point_len, &hf_cli_point, &hf_p_len, &hf_p, &hf_g_len, &hf_g, &hf_ys_len, &hf_ys, &hf_yc_len,
	&hf_yc, &hf_epms_len, &hf_epms, &hf_hint_len, &hf_hint, &hf_identity_len, &hf_identity, &hf_sig_len,
	&hf_sig, &hf_cv_sig_len, &hf_cv_sig, &hf_ticket_hint, &hf_ticket_age_add, &hf_ticket_nonce_len,
	&hf_ticket_nonce, &hf_ticket_len, &hf_ticket, &hf_finished, &hf_md5_hash, &hf_sha_hash, &hf_key_update,
	&hf_hs_reassembled_in, &hf_hs_fragments, &hf_hs_fragment, &hf_hs_fragment_count,
	&hf_sct_list_len, &hf_sct_len, &hf_sct_version, &hf_sct_logid, &hf_sct_time, &hf_sct_exts_len,
	&hf_sct_exts, &hf_sct_sig_len, &hf_sct_sig,
	&ei_ignored.f, &ei_resumed.f, &ei_vec_len.f, &ei_too_small.f, &ei_trailing.f, &ei_record_len.f,
	&ei_unexpected.f,
};

static int
heuristic(const struct tq_pkt *pk, const uint8_t *p, uint32_t len)
{
	(void)pk;
	return tq_tls_heuristic(p, len);
}

static struct tq_dissector tls = { .name = "tls", .dissect = tq_dissect_tls, .heuristic = heuristic };

void
tq_register_tls(void)
{
	TQ_REGISTER(fields);
	tq_register_x509();
	tq_register_ocsp();
	/* every tls.port is a tcp.port of TLS but 3389, which TPKT holds */
	for (size_t i = 0; tls_ports[i].proto; i++)
		if (tls_ports[i].port != 3389)
			tq_dissector_add(TQ_TAB_TCP_PORT, tls_ports[i].port, &tls);
	tq_heur_add(TQ_TAB_TCP_PORT, &tls);
}

/* ------------------------------------------------------------------ state */

enum {
	CT_CCS = 20, CT_ALERT = 21, CT_HANDSHAKE = 22, CT_APP_DATA = 23, CT_HEARTBEAT = 24, CT_CID = 25,
};

enum {
	HS_HELLO_REQUEST = 0, HS_CLIENT_HELLO = 1, HS_SERVER_HELLO = 2, HS_HELLO_VERIFY = 3,
	HS_NEW_SESSION_TICKET = 4, HS_END_OF_EARLY_DATA = 5, HS_HELLO_RETRY = 6, HS_ENCRYPTED_EXTENSIONS = 8,
	HS_CERTIFICATE = 11, HS_SERVER_KEY_EXCHANGE = 12, HS_CERT_REQUEST = 13, HS_SERVER_HELLO_DONE = 14,
	HS_CERT_VERIFY = 15, HS_CLIENT_KEY_EXCHANGE = 16, HS_FINISHED = 20, HS_CERT_URL = 21,
	HS_CERT_STATUS = 22, HS_SUPPLEMENTAL = 23, HS_KEY_UPDATE = 24, HS_COMPRESSED_CERT = 25,
	HS_NPN_ENCRYPTED_EXTS = 67,
};

#define V_SSL3 0x0300
#define V_TLS10 0x0301
#define V_TLS11 0x0302
#define V_TLS12 0x0303
#define V_TLS13 0x0304
#define V_TLCP 0x0101

/*
 * One TLS connection, kept in *pk->tcp->app_state.  Pass 1 writes it as the
 * frames go by; pass 2 only reads it, so a frame's tree shows what Wireshark
 * shows after its first pass.
 */
struct hs_reasm;

/* One piece of a handshake message that spans records (pass 1 copies its bytes). */
struct hs_frag {
	struct hs_frag *next;        /* in the connection's list, newest first */
	struct hs_frag *rnext;       /* in its message, in order */
	struct hs_reasm *reasm;
	uint64_t key;                /* the record that holds it (record_key) */
	uint32_t frame;
	uint32_t offset, len;        /* where it goes in the message */
	uint8_t is_last;
	const uint8_t *bytes;
};

/* A handshake message being put together from several records. */
struct hs_reasm {
	uint8_t type;
	uint32_t have;               /* bytes so far */
	uint32_t reassembled_in;     /* the frame that completed it, 0 while incomplete */
	uint32_t nfrags;
	struct hs_frag *frags, *last;
};

#define HS_REASM_MAX (1u << 20)  /* a message is not put together past 1 MiB */

struct tls_conn {
	uint16_t version;            /* the session's version, 0 while unknown */
	uint16_t cipher;             /* the suite of the last Server Hello */
	uint8_t draft;               /* TLS 1.3 draft of the Server Hello, 0 for the RFC */
	int8_t server_dir;           /* pk->tcp->dir of the server's side, -1 unknown */
	uint8_t resumed;             /* a Server Hello without a Server Hello Done (yet) */
	const char *alpn;            /* the application protocol the server picked, NULL if none */
	uint32_t ccs_frame[2];       /* [from server] first Change Cipher Spec (not TLS 1.3) */
	uint64_t ccs_key[2];         /* [from server] where the first CCS record was, 0 none */
	uint32_t resumed_ccs_frame;  /* the server's CCS of an abbreviated handshake */
	struct hs_reasm *hs_cur[2];  /* [from server] the message still missing bytes, pass 1 */
	struct hs_frag *frags;       /* every fragment, for pass 2 to find its record's */
};

/* What one call works with: the bytes, the connection and the direction. */
struct tls_ctx {
	struct tq_pkt *pk;
	const struct tq_slice *s;
	struct tls_conn *c;          /* NULL when TCP keeps no state for the stream */
	int from_server;
	int pass1;
	/*
	 * A read went past the bytes: Wireshark's exception, TQ_ETRUNC past the
	 * captured bytes (BoundsError) or TQ_EMALFORMED past the record or
	 * message too (ReportedBoundsError); 0 while none did.
	 */
	int cut;
	const char *cut_proto;       /* the protocol that raised it, NULL for TLS */
	uint32_t lim;                /* the reported end of what is read */
};

/* The captured bytes of a slice at off, as cursor.h's peeks read them (0 past them). */
static uint8_t
u8(const struct tq_slice *s, uint32_t off)
{
	return tq_peek_u8(s->p, s->len, off);
}

static uint16_t
u16(const struct tq_slice *s, uint32_t off)
{
	return tq_peek_be16(s->p, s->len, off);
}

static uint32_t
u24(const struct tq_slice *s, uint32_t off)
{
	return tq_peek_be24(s->p, s->len, off);
}

static uint32_t
u32(const struct tq_slice *s, uint32_t off)
{
	return tq_peek_be32(s->p, s->len, off);
}

/*
 * Adding items as Wireshark's proto_tree_add_* do on bytes that were not all
 * captured: a protocol or FT_NONE item stops at the captured bytes, any
 * other item there raises the bounds exception that ends the frame's
 * dissection; an item past the reported end (of the frame, or of the
 * reassembled message) raises the "malformed" exception instead.  x->cut
 * records the exception; once set nothing more is added (the caller reports
 * it with tq_truncated() or tq_malformed()).  Which bytes can be read, and
 * why not, is cursor.h's tq_check_range() on the slice, its reported end
 * cut at x->lim.
 */
static int
fits(struct tls_ctx *x, const struct tq_field *f, uint32_t off, uint32_t *len)
{
	const struct tq_slice *s = x->s;
	uint32_t lim = x->lim < s->rlen ? x->lim : s->rlen;
	uint32_t cap = s->len < lim ? s->len : lim;
	if (x->cut)
		return 0;
	int err = tq_check_range(cap, lim, off, *len);
	if (!err)
		return 1;
	if (f && (f->type == FT_NONE || f->type == FT_PROTOCOL) && off <= cap) {
		*len = cap - off;
		return 1;
	}
	x->cut = err;
	return 0;
}

/*
 * Whether the len bytes at off can be read, as the tvb_get_* calls that
 * Wireshark makes without adding an item: if not, x->cut is set as fits()
 * sets it and the caller stops.
 */
static int
readable(struct tls_ctx *x, uint32_t off, uint32_t len)
{
	return fits(x, NULL, off, &len);
}

static struct tq_node *
add(struct tls_ctx *x, struct tq_node *parent, const struct tq_field *f, uint32_t off, uint32_t len)
{
	if (!fits(x, f, off, &len))
		return NULL;
	return tq_add(x->pk, parent, f, x->s, off, len);
}

static struct tq_node *
add_u(struct tls_ctx *x, struct tq_node *parent, const struct tq_field *f, uint32_t off, uint32_t len, uint64_t v)
{
	if (!fits(x, f, off, &len))
		return NULL;
	return tq_add_u(x->pk, parent, f, x->s, off, len, v);
}

static struct tq_node *
add_text(struct tls_ctx *x, struct tq_node *parent, uint32_t off, uint32_t len, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
static struct tq_node *
add_text(struct tls_ctx *x, struct tq_node *parent, uint32_t off, uint32_t len, const char *fmt, ...)
{
	char buf[256];
	va_list ap;
	if (!fits(x, NULL, off, &len))
		return NULL;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	return tq_add_text(x->pk, parent, x->s, off, len, "%s", buf);
}

static const char *
version_short(uint16_t v, const char *dflt)
{
	const char *n = tq_vals_find(tq_tls_version_short_vals, v);
	return n ? n : dflt;
}

/* tls_ports is sorted by port: TCP asks for every segment, so search it by halves */
static const char *
port_proto(uint16_t port)
{
	size_t lo = 0, hi = sizeof(tls_ports) / sizeof(tls_ports[0]) - 1;   /* without the end mark */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (tls_ports[mid].port < port)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < sizeof(tls_ports) / sizeof(tls_ports[0]) - 1 && tls_ports[lo].port == port ? tls_ports[lo].proto : NULL;
}

int
tq_tls_heuristic(const uint8_t *p, uint32_t len)
{
	struct tq_cursor c = tq_cursor_make(p, len);
	uint8_t ct = tq_get_u8(&c);
	uint16_t v = tq_get_be16(&c), rlen = tq_get_be16(&c);
	if (c.err || (ct != CT_HANDSHAKE && ct != CT_APP_DATA))
		return 0;
	if (v != V_SSL3 && v != V_TLS10 && v != V_TLS11 && v != V_TLS12 && v != V_TLCP)
		return 0;
	return rlen != 0 && rlen < 16384 + 2048;
}

static int
valid_content_type(uint8_t t)
{
	return t >= CT_CCS && t <= CT_HEARTBEAT;
}

/* ssl_is_valid_handshake_type (TLS, not DTLS) */
static int
valid_hs_type(uint8_t t)
{
	switch (t) {
	case HS_HELLO_REQUEST: case HS_CLIENT_HELLO: case HS_SERVER_HELLO: case HS_NEW_SESSION_TICKET:
	case HS_END_OF_EARLY_DATA: case HS_HELLO_RETRY: case HS_ENCRYPTED_EXTENSIONS: case HS_CERTIFICATE:
	case HS_SERVER_KEY_EXCHANGE: case HS_CERT_REQUEST: case HS_SERVER_HELLO_DONE: case HS_CERT_VERIFY:
	case HS_CLIENT_KEY_EXCHANGE: case HS_FINISHED: case HS_CERT_URL: case HS_CERT_STATUS:
	case HS_SUPPLEMENTAL: case HS_KEY_UPDATE: case HS_COMPRESSED_CERT: case HS_NPN_ENCRYPTED_EXTS:
		return 1;
	default:
		return 0;
	}
}

/* A TLS 1.3 draft number from a version (0x7fXX, or Facebook's 0xfb1X), 0 otherwise. */
static uint8_t
tls13_draft(uint16_t v)
{
	if ((v & 0xff00) == 0x7f00)
		return (uint8_t)(v & 0xff);
	if (v == 0xfb17 || v == 0xfb1a)
		return (uint8_t)(v & 0xff);
	return 0;
}

/*
 * ssl_try_set_version: the first authoritative message (anything but a
 * Client Hello) sets the session version, a Server Hello always does.
 * Pass 1 only.
 */
static void
try_set_version(struct tls_ctx *x, uint8_t ct, uint8_t hs_type, uint16_t v)
{
	if (!x->pass1 || !x->c)
		return;
	int authoritative = (ct == CT_HANDSHAKE && valid_hs_type(hs_type) && hs_type != HS_CLIENT_HELLO) ||
	    (ct != CT_HANDSHAKE && valid_content_type(ct));
	if (!authoritative)
		return;
	uint8_t draft = 0;
	if (ct == CT_HANDSHAKE && hs_type == HS_SERVER_HELLO) {
		draft = tls13_draft(v);
		if (draft)
			v = V_TLS13;
	}
	if (v < V_SSL3 || v > V_TLS13)
		return;
	x->c->version = v;
	x->c->draft = draft;
}

/*
 * Where a record sits in the stream: frames in order, in a frame the bytes
 * TCP rebuilt before the frame's own.  The same in both passes (pass 1 has
 * no data sources, so is_reassembled tells them apart, not the slice's ds).
 */
static uint64_t
record_key(const struct tls_ctx *x, uint32_t off)
{
	int rebuilt = x->pk->tcp && x->pk->tcp->is_reassembled;
	return (uint64_t)x->pk->num << 33 | (uint64_t)!rebuilt << 32 | (uint64_t)(x->s->pos + off);
}

static int
is_grease(uint16_t v)
{
	return (v & 0x0f0f) == 0x0a0a && (v >> 8) == (v & 0xff);
}

/* Appends ", str" (or str to an empty column), as col_append_sep_str with the default separator. */
static void
info_add(struct tq_pkt *pk, const char *str)
{
	if (!pk->want_cols || pk->in_error)
		return;
	tq_col_info_append(pk, "%s%s", pk->info->len ? ", " : "", str);
}

/* "2 hours", "1 day, 3 minutes": Wireshark's unsigned_time_secs_to_str. */
static void
time_secs_str(uint32_t t, char *buf, size_t len)
{
	static const struct { uint32_t secs; const char *unit; } units[] = {
		{ 86400, "day" }, { 3600, "hour" }, { 60, "minute" }, { 1, "second" },
	};
	size_t k = 0;
	buf[0] = '\0';
	if (t == 0) {
		snprintf(buf, len, "0 seconds");
		return;
	}
	for (size_t i = 0; i < 4; i++) {
		uint32_t n = t / units[i].secs;
		t %= units[i].secs;
		if (!n)
			continue;
		int w = snprintf(buf + k, len - k, "%s%u %s%s", k ? ", " : "", n, units[i].unit, n == 1 ? "" : "s");
		if (w < 0 || (size_t)w >= len - k)
			return;
		k += (size_t)w;
	}
}

/*
 * ssl_add_vector: adds the length of a vector of size `size` bytes at off;
 * returns its value, cut to what is left before end (with Wireshark's
 * expert info) so the caller never reads past end.  *ok is cleared when the
 * length was cut or the length itself does not fit.
 */
static uint32_t
vec(struct tls_ctx *x, struct tq_node *t, const struct tq_field *f, uint32_t off, uint32_t end,
    unsigned size, uint32_t min, uint32_t max, int *ok)
{
	struct tq_pkt *pk = x->pk;
	const struct tq_slice *s = x->s;
	*ok = 1;
	if (end < off || end - off < size) {
		struct tq_node *n = add_text(x, t, off, end > off ? end - off : 0, "%s",
		    ei_too_small.f.name);
		tq_expert(pk, n, &ei_too_small, "No more room for vector of length %u", size);
		*ok = 0;
		return 0;
	}
	uint32_t v = size == 1 ? u8(s, off) : size == 2 ? u16(s, off) : u24(s, off);
	struct tq_node *n = add_u(x, t, f, off, size, v);
	off += size;
	if (v < min)
		tq_expert(pk, n, &ei_vec_len, "Vector length %u is smaller than minimum %u", v, min);
	else if (v > max)
		tq_expert(pk, n, &ei_vec_len, "Vector length %u is larger than maximum %u", v, max);
	if (end - off < v) {
		tq_expert(pk, n, &ei_too_small, "Vector length %u is too large, truncating it to %u", v, end - off);
		*ok = 0;
		return end - off;
	}
	return v;
}

/* ssl_end_vector: flags bytes left over (or read past) at the end of a vector. */
static void
end_vec(struct tls_ctx *x, struct tq_node *t, uint32_t off, uint32_t end)
{
	if (off < end) {
		uint32_t n = end - off;
		struct tq_node *e = add_text(x, t, off, n, "%s", ei_trailing.f.name);
		tq_expert(x->pk, e, &ei_trailing, "%u trailing byte%s unprocessed", n, n == 1 ? " was" : "s were");
	}
}

/* ------------------------------------------------------------------ MD5 for JA3 */

static void
md5_hex(const char *str, char out[33])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	out[0] = '\0';
	if (!EVP_Digest(str, strlen(str), md, &mdlen, EVP_md5(), NULL) || mdlen != 16)
		return;
	for (unsigned i = 0; i < 16; i++)
		snprintf(out + 2 * i, 3, "%02x", md[i]);
}

/* The JA3 pieces of a hello while its extensions are walked. */
struct ja3 {
	struct tq_sbuf exts, groups, ecpf;
	int active;
};

static void
ja3_num(struct tq_sbuf *b, unsigned v)
{
	tq_sbuf_printf(b, "%s%u", b->len ? "-" : "", v);
}

/* ------------------------------------------------------------------ signatures */

/* tls_dissect_signature_algorithm */
static void
sigalg(struct tls_ctx *x, struct tq_node *t, uint32_t off)
{
	uint16_t v = u16(x->s, off);
	struct tq_node *n = add(x, t, &hf_sigalg, off, 2);
	add(x, n, &hf_sig_hash, off, 1);
	add(x, n, &hf_sig_sig, off + 1, 1);
	if (!tq_vals_find(tq_tls_sigalg_vals, v)) {
		const char *h = tq_vals_find(tq_tls_hash_vals, v >> 8), *g = tq_vals_find(tq_tls_sig_vals, v & 0xff);
		tq_set_label(x->pk, n, "Signature Algorithm: %s %s (0x%04x)", h ? h : "Unknown", g ? g : "Unknown", v);
	}
}

/* ssl_dissect_digitally_signed: returns the offset after the signature. */
static uint32_t
digitally_signed(struct tls_ctx *x, struct tq_node *t, uint32_t off, uint32_t end, uint16_t version,
    const struct tq_field *f_len, const struct tq_field *f_sig)
{
	if (version == V_TLS12 || version == V_TLS13) {
		sigalg(x, t, off);
		off += 2;
	}
	int ok;
	uint32_t n = vec(x, t, f_len, off, end, 2, 0, 0xffff, &ok);
	if (!ok && n == 0 && (end < off || end - off < 2))
		return end;
	off += 2;
	add(x, t, f_sig, off, n);
	return off + n;
}

/* ssl_dissect_hash_alg_list */
static uint32_t
sigalg_list(struct tls_ctx *x, struct tq_node *t, uint32_t off, uint32_t end)
{
	int ok;
	uint32_t n = vec(x, t, &hf_sigalgs_len, off, end, 2, 2, 0xfffe, &ok);
	if (!ok)
		return end;
	off += 2;
	uint32_t next = off + n;
	struct tq_node *l = add(x, t, &hf_sigalgs, off, n);
	tq_set_label(x->pk, l, "Signature Hash Algorithms (%u algorithm%s)", n / 2, n / 2 == 1 ? "" : "s");
	for (; off + 2 <= next; off += 2)
		sigalg(x, l, off);
	end_vec(x, l, off, next);
	return next;
}

/* ------------------------------------------------------------------ extensions */

static uint32_t
ext_key_share_entry(struct tls_ctx *x, struct tq_node *t, uint32_t off, uint32_t end)
{
	uint16_t group = u16(x->s, off);
	struct tq_node *e = add_text(x, t, off, 4, "Key Share Entry");
	add(x, e, &hf_ks_group, off, 2);
	off += 2;
	const char *gn = tq_vals_find(tq_tls_group_vals, group);
	char gbuf[32];
	if (!gn) {
		snprintf(gbuf, sizeof(gbuf), "Unknown (%u)", group);
		gn = gbuf;
	}
	int ok;
	uint32_t n = vec(x, e, &hf_ks_kx_len, off, end, 2, 1, 0xffff, &ok);
	if (!ok && (end < off || end - off < 2)) {
		tq_set_label(x->pk, e, "Key Share Entry: Group: %s", gn);
		return end;
	}
	off += 2;
	tq_set_len(e, 4 + n);
	tq_set_label(x->pk, e, "Key Share Entry: Group: %s, Key Exchange length: %u", gn, n);
	add(x, e, &hf_ks_kx, off, n);
	return ok ? off + n : end;
}

static uint32_t
ext_status_request(struct tls_ctx *x, struct tq_node *t, uint32_t off, uint32_t end, int has_length)
{
	uint8_t type = u8(x->s, off);
	add(x, t, &hf_status_type, off, 1);
	off++;
	if (has_length) {
		add(x, t, &hf_status_len, off, 2);
		off += 2;
	}
	if (type == 1 || type == 2) {
		int ok;
		uint32_t n = vec(x, t, &hf_status_rids_len, off, end, 2, 0, 0xffff, &ok);
		if (!ok)
			return end;
		off += 2 + n;
		n = vec(x, t, &hf_status_exts_len, off, end, 2, 0, 0xffff, &ok);
		if (!ok)
			return end;
		off += 2 + n;
	}
	return off;
}

static uint32_t
ocsp_response(struct tls_ctx *x, struct tq_node *t, uint32_t off, uint32_t end)
{
	int ok;
	uint32_t n = vec(x, t, &hf_ocsp_len, off, end, 3, 1, 0xffffff, &ok);
	if (!ok && (end < off || end - off < 3))
		return end;
	off += 3;
	if (x->cut)
		return end;
	if (!readable(x, off, n)) {
		/* the OCSP dissector's item stops at the captured bytes, its BER reads raise the exception */
		tq_ocsp_response(x->pk, t, x->s, off, off <= x->s->len ? x->s->len - off : 0);
		x->cut_proto = "OCSP";
		return end;
	}
	tq_ocsp_response(x->pk, t, x->s, off, n);
	return off + n;
}

/* tls_dissect_hnd_certificate_status */
static uint32_t
cert_status(struct tls_ctx *x, struct tq_node *t, uint32_t off, uint32_t end)
{
	uint8_t type = u8(x->s, off);
	add(x, t, &hf_status_type, off, 1);
	off++;
	if (type == 1)
		return ocsp_response(x, t, off, end);
	if (type == 2) {
		int ok;
		uint32_t n = vec(x, t, &hf_ocsp_list_len, off, end, 3, 1, 0xffffff, &ok);
		if (!ok)
			return end;
		off += 3;
		uint32_t next = off + n;
		while (off < next)
			off = ocsp_response(x, t, off, next);
	}
	return off;
}

static void
alpn_pick(struct tls_ctx *x, uint32_t off, uint32_t n)
{
	if (!x->pass1 || !x->c)
		return;
	for (const struct tls_alpn *a = tls_alpns; a->name; a++) {
		size_t l = strlen(a->name);
		if ((a->prefix ? n >= l : n == l) && tq_in_range(x->s->len, off, l) && memcmp(x->s->p + off, a->name, l) == 0) {
			x->c->alpn = a->proto;
			return;
		}
	}
}

/*
 * ssl_dissect_hnd_extension: the extensions of a Client Hello, Server Hello,
 * Hello Retry Request, Encrypted Extensions, Certificate entry, Certificate
 * Request or New Session Ticket.  Returns the offset after them.
 */
static uint32_t
extensions(struct tls_ctx *x, struct tq_node *t, uint32_t off, uint32_t end, int hnd, struct ja3 *ja3)
{
	struct tq_pkt *pk = x->pk;
	const struct tq_slice *s = x->s;
	int is_tls13 = x->c && x->c->version == V_TLS13;
	int ok;
	uint32_t n = vec(x, t, &hf_exts_len, off, end, 2, 0, 0xffff, &ok);
	if (!ok && (end < off || end - off < 2))
		return end;
	off += 2;
	end = off + n;

	while (end - off >= 4) {
		uint16_t type = u16(s, off);
		uint16_t elen = u16(s, off + 2);
		const char *tn = tq_vals_find(tq_tls_ext_type_vals, type);
		struct tq_node *e;
		if (tn)
			e = add_text(x, t, off, 4u + elen, "Extension: %s (len=%u)", tn, elen);
		else
			e = add_text(x, t, off, 4u + elen, "Extension: Unknown type %u (len=%u)", type, elen);
		add(x, e, &hf_ext_type, off, 2);
		if (ja3 && ja3->active && !is_grease(type))
			ja3_num(&ja3->exts, type);
		off += 2;
		uint32_t len = vec(x, e, &hf_ext_len, off, end, 2, 0, 0xffff, &ok);
		if (!ok)
			return end;
		off += 2;
		uint32_t next = off + len;

		switch (type) {
		case 0:                      /* server_name */
			if (off == next)
				break;
			{
				struct tq_node *st = add_text(x, e, off, len, "Server Name Indication extension");
				uint32_t l = vec(x, st, &hf_sni_list_len, off, next, 2, 1, 0xffff, &ok);
				if (!ok) {
					off = next;
					break;
				}
				off += 2;
				uint32_t lend = off + l;
				while (off < lend) {
					add(x, st, &hf_sni_type, off, 1);
					off++;
					uint32_t nl = vec(x, st, &hf_sni_len, off, lend, 2, 1, 0xffff, &ok);
					if (!ok) {
						off = lend;
						break;
					}
					off += 2;
					add(x, st, &hf_sni, off, nl);
					off += nl;
				}
			}
			break;
		case 5:                      /* status_request */
			if (hnd == HS_CLIENT_HELLO)
				off = ext_status_request(x, e, off, next, 0);
			else if (is_tls13 && hnd == HS_CERTIFICATE)
				off = cert_status(x, e, off, next);
			break;
		case 17:                     /* status_request_v2 */
			if (hnd == HS_CLIENT_HELLO) {
				uint32_t l = vec(x, e, &hf_status_list_len, off, next, 2, 1, 0xffff, &ok);
				if (!ok) {
					off = next;
					break;
				}
				off += 2;
				uint32_t lend = off + l;
				while (off < lend)
					off = ext_status_request(x, e, off, lend, 1);
			}
			break;
		case 10: {                   /* supported_groups */
			uint32_t l = vec(x, e, &hf_groups_len, off, next, 2, 2, 0xffff, &ok);
			if (!ok) {
				off = next;
				break;
			}
			off += 2;
			uint32_t lend = off + l;
			struct tq_node *g = add(x, e, &hf_groups, off, l);
			tq_set_label(pk, g, "Supported Groups (%u group%s)", l / 2, l / 2 == 1 ? "" : "s");
			/* as Wireshark: the loop runs to the extension's end */
			for (; off + 2 <= next; off += 2) {
				add(x, g, &hf_group, off, 2);
				if (ja3 && ja3->active && !is_grease(u16(s, off)))
					ja3_num(&ja3->groups, u16(s, off));
			}
			end_vec(x, g, off, lend);
			if (off < lend)
				off = lend;
			break;
		}
		case 11: {                   /* ec_point_formats */
			uint8_t l = u8(s, off);
			add(x, e, &hf_ecpf_len, off, 1);
			off++;
			struct tq_node *g = add(x, e, &hf_ecpfs, off, l);
			tq_set_label(pk, g, "Elliptic curves point formats (%u)", l);
			for (; l > 0 && off < next; l--, off++) {
				add(x, g, &hf_ecpf, off, 1);
				if (ja3 && ja3->active)
					ja3_num(&ja3->ecpf, u8(s, off));
			}
			break;
		}
		case 13: case 50:            /* signature_algorithms, signature_algorithms_cert */
			off = sigalg_list(x, e, off, next);
			break;
		case 15:                     /* heartbeat */
			add(x, e, &hf_hb_mode, off, 1);
			off++;
			break;
		case 16: {                   /* application_layer_protocol_negotiation */
			uint32_t l = vec(x, e, &hf_alpn_len, off, next, 2, 2, 0xffff, &ok);
			if (!ok) {
				off = next;
				break;
			}
			off += 2;
			uint32_t lend = off + l;
			struct tq_node *a = add(x, e, &hf_alpn_list, off, l);
			uint32_t first = 0, first_len = 0;
			int have = 0;
			while (off < lend) {
				uint32_t nl = vec(x, a, &hf_alpn_str_len, off, lend, 1, 1, 0xff, &ok);
				if (!ok) {
					off = lend;
					break;
				}
				off++;
				add(x, a, &hf_alpn_str, off, nl);
				if (hnd == HS_SERVER_HELLO || hnd == HS_ENCRYPTED_EXTENSIONS) {
					first = off;
					first_len = nl;
					have = 1;
				}
				off += nl;
			}
			if (have)
				alpn_pick(x, first, first_len);
			break;
		}
		case 18:                     /* signed_certificate_timestamp */
			if (hnd == HS_SERVER_HELLO || hnd == HS_ENCRYPTED_EXTENSIONS || hnd == HS_CERTIFICATE) {
				tq_tls_sct_list(pk, e, s, off, next);
				off = next;
			}
			break;
		case 19: case 20: case 9: { /* client/server_certificate_type, cert_type */
			if (hnd == HS_CLIENT_HELLO) {
				off += 1;     /* a list; shown by Wireshark only as raw fields, rare */
				off = next;
			} else {
				off = next;
			}
			break;
		}
		case 21:                     /* padding */
			add(x, e, &hf_padding, off, len);
			off += len;
			break;
		case 22: case 23: case 49:   /* encrypt_then_mac, extended_master_secret, post_handshake_auth */
			break;
		case 27:                     /* compress_certificate */
			if (hnd == HS_CLIENT_HELLO || hnd == HS_CERT_REQUEST) {
				uint32_t l = vec(x, e, &hf_cc_algs_len, off, next, 1, 1, 0xfe, &ok);
				if (!ok) {
					off = next;
					break;
				}
				off++;
				uint32_t lend = off + l;
				for (; off < lend; off += 2)
					add(x, e, &hf_cc_alg, off, 2);
			}
			break;
		case 28:                     /* record_size_limit */
			add(x, e, &hf_rsl, off, 2);
			off += 2;
			break;
		case 35: {                   /* session_ticket */
			struct tq_node *d = add(x, e, &hf_ext_data, off, len);
			tq_set_label(pk, d, "Data (%u byte%s)", len, len == 1 ? "" : "s");
			off += len;
			break;
		}
		case 40: case 51:            /* key_share (old and new) */
			if (next <= off)
				break;
			{
				struct tq_node *k = add_text(x, e, off, len, "Key Share extension");
				if (hnd == HS_CLIENT_HELLO) {
					uint32_t l = vec(x, k, &hf_ks_client_len, off, next, 2, 0, 0xffff, &ok);
					if (!ok) {
						off = next;
						break;
					}
					off += 2;
					uint32_t lend = off + l;
					while (off + 4 <= lend)
						off = ext_key_share_entry(x, k, off, lend);
					end_vec(x, k, off, lend);
					if (off != lend)
						off = next;
				} else if (hnd == HS_SERVER_HELLO) {
					off = ext_key_share_entry(x, k, off, next);
				} else if (hnd == HS_HELLO_RETRY) {
					add(x, k, &hf_ks_selected, off, 2);
					off += 2;
				}
			}
			break;
		case 41: {                   /* pre_shared_key */
			struct tq_node *p = add_text(x, e, off, len, "Pre-Shared Key extension");
			if (hnd == HS_CLIENT_HELLO) {
				uint32_t l = vec(x, p, &hf_psk_ids_len, off, next, 2, 7, 0xffff, &ok);
				if (!ok) {
					off = next;
					break;
				}
				off += 2;
				uint32_t iend = off + l;
				while (off < iend) {
					struct tq_node *id = add_text(x, p, off, 4, "PSK Identity (");
					uint32_t il = vec(x, id, &hf_psk_id_len, off, iend, 2, 1, 0xffff, &ok);
					if (!ok) {
						off = iend;
						break;
					}
					off += 2;
					tq_set_label(pk, id, "PSK Identity (length: %u)", il);
					add(x, id, &hf_psk_id, off, il);
					off += il;
					add(x, id, &hf_psk_age, off, 4);
					off += 4;
					tq_set_len(id, 2 + il + 4);
				}
				end_vec(x, p, off, iend);
				if (off > iend)
					off = iend;
				uint32_t bl = vec(x, p, &hf_psk_binders_len, off, next, 2, 33, 0xffff, &ok);
				if (!ok) {
					off = next;
					break;
				}
				off += 2;
				add(x, p, &hf_psk_binders, off, bl);
				off += bl;
			} else if (hnd == HS_SERVER_HELLO) {
				add(x, p, &hf_psk_selected, off, 2);
				off += 2;
			}
			break;
		}
		case 42: case 46:            /* early_data, ticket_early_data_info */
			if (hnd == HS_NEW_SESSION_TICKET) {
				add(x, e, &hf_max_early, off, 4);
				off += 4;
			}
			break;
		case 43:                     /* supported_versions */
			if (hnd == HS_CLIENT_HELLO) {
				uint32_t l = vec(x, e, &hf_sv_len, off, next, 1, 2, 254, &ok);
				if (!ok) {
					off = next;
					break;
				}
				off++;
				uint32_t lend = off + l;
				for (; off + 2 <= lend; off += 2)
					add(x, e, &hf_sv, off, 2);
				end_vec(x, e, off, lend);
				off = lend;
			} else if (hnd == HS_SERVER_HELLO || hnd == HS_HELLO_RETRY) {
				add(x, e, &hf_sv, off, 2);
				off += 2;
			}
			break;
		case 44: {                   /* cookie */
			uint32_t l = vec(x, e, &hf_cookie_len, off, next, 2, 1, 0xffff, &ok);
			if (!ok) {
				off = next;
				break;
			}
			off += 2;
			add(x, e, &hf_cookie, off, l);
			off += l;
			break;
		}
		case 45: {                   /* psk_key_exchange_modes */
			uint32_t l = vec(x, e, &hf_psk_modes_len, off, next, 1, 1, 255, &ok);
			if (!ok) {
				off = next;
				break;
			}
			off++;
			uint32_t lend = off + l;
			for (; off < lend; off++)
				add(x, e, &hf_psk_mode, off, 1);
			break;
		}
		case 13172: {                /* next_protocol_negotiation */
			if (off == next)
				break;
			struct tq_node *np = add_text(x, e, off, len, "Next Protocol Negotiation");
			while (off < next) {
				uint32_t l = vec(x, np, &hf_npn_len, off, next, 1, 1, 0xff, &ok);
				if (!ok) {
					off = next;
					break;
				}
				off++;
				add(x, np, &hf_npn, off, l);
				off += l;
			}
			break;
		}
		case 65281: {                /* renegotiation_info */
			struct tq_node *r = add_text(x, e, off, len, "Renegotiation Info extension");
			uint32_t l = vec(x, r, &hf_reneg_len, off, next, 1, 0, 255, &ok);
			if (!ok) {
				off = next;
				break;
			}
			off++;
			if (l > 0) {
				add(x, r, &hf_reneg, off, l);
				off += l;
			}
			break;
		}
		default:
			add(x, e, &hf_ext_data, off, len);
			off += len;
			break;
		}
		if (off != next) {
			end_vec(x, e, off, next);
			off = next;
		}
	}
	end_vec(x, t, off, end);
	return end;
}

/* ------------------------------------------------------------------ hellos */

/* ssl_dissect_hnd_hello_common: random and session id */
static uint32_t
hello_common(struct tls_ctx *x, struct tq_node *t, uint32_t off, int from_server, int is_hrr)
{
	struct tq_pkt *pk = x->pk;
	const struct tq_slice *s = x->s;
	uint16_t version = x->c ? x->c->version : 0;
	uint8_t draft = x->c ? x->c->draft : 0;

	struct tq_node *r = add(x, t, &hf_random, off, 32);
	if (version != V_TLS13) {
		tq_add_time(pk, r, &hf_random_time, s, off, 4, u32(s, off), 0);
		add(x, r, &hf_random_bytes, off + 4, 28);
	} else if (is_hrr) {
		tq_append(pk, r, " (HelloRetryRequest magic)");
	}
	off += 32;
	if (!from_server || !(version == V_TLS13 && draft > 0 && draft < 22)) {
		uint8_t n = u8(s, off);
		add(x, t, &hf_sid_len, off, 1);
		off++;
		if (n > 0) {
			add(x, t, &hf_sid, off, n);
			off += n;
		}
	}
	return off;
}

static void
client_hello(struct tls_ctx *x, struct tq_node *t, uint32_t off, uint32_t end)
{
	struct tq_pkt *pk = x->pk;
	const struct tq_slice *s = x->s;
	struct ja3 ja3;
	struct tq_sbuf full;
	int ok;

	memset(&ja3, 0, sizeof(ja3));
	ja3.active = t != NULL;
	tq_sbuf_init(&ja3.exts, 0);
	tq_sbuf_init(&ja3.groups, 0);
	tq_sbuf_init(&ja3.ecpf, 0);
	tq_sbuf_init(&full, 0);

	uint16_t cv = u16(s, off);
	add(x, t, &hf_hs_version, off, 2);
	tq_sbuf_printf(&full, "%u,", cv);
	off += 2;
	off = hello_common(x, t, off, 0, 0);

	uint32_t n = vec(x, t, &hf_cs_len, off, end, 2, 2, 0xffff, &ok);
	if (!ok && (end < off || end - off < 2))
		goto done;
	off += 2;
	uint32_t next = off + n;
	struct tq_node *cs = add(x, t, &hf_css, off, n);
	tq_set_label(pk, cs, "Cipher Suites (%u suite%s)", n / 2, n / 2 == 1 ? "" : "s");
	int first = 1;
	for (; off + 2 <= next; off += 2) {
		add(x, cs, &hf_cs, off, 2);
		uint16_t v = u16(s, off);
		if (!is_grease(v)) {
			tq_sbuf_printf(&full, "%s%u", first ? "" : "-", v);
			first = 0;
		}
	}
	end_vec(x, cs, off, next);
	off = next;
	if (!ok)
		goto done;

	n = vec(x, t, &hf_comp_len, off, end, 1, 1, 0xff, &ok);
	if (!ok && (end < off || end - off < 1))
		goto done;
	off++;
	next = off + n;
	struct tq_node *cm = add(x, t, &hf_comps, off, n);
	tq_set_label(pk, cm, "Compression Methods (%u method%s)", n, n == 1 ? "" : "s");
	for (; off < next; off++) {
		uint8_t m = u8(s, off);
		struct tq_node *mn = add(x, cm, &hf_comp, off, 1);
		if (m > 63 && m < 193)
			tq_set_valtext(pk, mn, "Reserved - to be assigned by IANA (%u)", m);
		else if (m >= 193)
			tq_set_valtext(pk, mn, "Private use range (%u)", m);
	}
	uint32_t ja3_off = off;
	if (off < end)
		extensions(x, t, off, end, HS_CLIENT_HELLO, &ja3);
	tq_sbuf_printf(&full, ",%s,%s,%s", tq_sbuf_str(&ja3.exts), tq_sbuf_str(&ja3.groups),
	    tq_sbuf_str(&ja3.ecpf));
	if (t && !x->cut) {
		char md5[33];
		md5_hex(tq_sbuf_str(&full), md5);
		tq_gen(tq_add_str(pk, t, &hf_ja3_full, s, ja3_off, 0, tq_sbuf_str(&full)));
		tq_gen(tq_add_str(pk, t, &hf_ja3, s, ja3_off, 0, md5));
	}
done:
	tq_sbuf_free(&ja3.exts);
	tq_sbuf_free(&ja3.groups);
	tq_sbuf_free(&ja3.ecpf);
	tq_sbuf_free(&full);
}

static void
server_hello(struct tls_ctx *x, struct tq_node *t, uint32_t off, uint32_t end, int is_hrr)
{
	struct tq_pkt *pk = x->pk;
	const struct tq_slice *s = x->s;
	struct ja3 ja3;
	uint16_t version = x->c ? x->c->version : 0;
	uint8_t draft = x->c ? x->c->draft : 0;

	tq_col_proto(pk, version_short(version, "SSL"));
	if (x->pass1 && x->c)
		x->c->resumed = 1;

	memset(&ja3, 0, sizeof(ja3));
	ja3.active = t != NULL;
	tq_sbuf_init(&ja3.exts, 0);
	tq_sbuf_init(&ja3.groups, 0);
	tq_sbuf_init(&ja3.ecpf, 0);
	uint16_t sv = u16(s, off);
	add(x, t, &hf_hs_version, off, 2);
	off += 2;
	off = hello_common(x, t, off, 1, is_hrr);
	uint16_t suite = u16(s, off);
	if (x->pass1 && x->c)
		x->c->cipher = suite;
	add(x, t, &hf_cs, off, 2);
	off += 2;
	if (!(version == V_TLS13 && draft > 0 && draft < 22)) {
		add(x, t, &hf_comp, off, 1);
		off++;
	}
	uint32_t ja3_off = off;
	if (off < end)
		extensions(x, t, off, end, is_hrr ? HS_HELLO_RETRY : HS_SERVER_HELLO, &ja3);
	if (t && !x->cut) {
		char buf[64], md5[33];
		struct tq_sbuf full;
		tq_sbuf_init(&full, 0);
		snprintf(buf, sizeof(buf), "%u,%u,", sv, suite);
		tq_sbuf_puts(&full, buf);
		tq_sbuf_puts(&full, tq_sbuf_str(&ja3.exts));
		md5_hex(tq_sbuf_str(&full), md5);
		tq_gen(tq_add_str(pk, t, &hf_ja3s_full, s, ja3_off, 0, tq_sbuf_str(&full)));
		tq_gen(tq_add_str(pk, t, &hf_ja3s, s, ja3_off, 0, md5));
		tq_sbuf_free(&full);
	}
	tq_sbuf_free(&ja3.exts);
	tq_sbuf_free(&ja3.groups);
	tq_sbuf_free(&ja3.ecpf);
}

/*
 * tls_scan_server_hello: the version a Server Hello picks (supported_versions
 * first) and whether it is a HelloRetryRequest.  Its reads past the
 * captured bytes raise the exception, as Wireshark's do (x->cut).
 */
static uint16_t
scan_server_hello(struct tls_ctx *x, uint32_t off, uint32_t end, int *is_hrr)
{
	const struct tq_slice *s = x->s;
	static const uint8_t hrr_magic[32] = {
		0xcf, 0x21, 0xad, 0x74, 0xe5, 0x9a, 0x61, 0x11, 0xbe, 0x1d, 0x8c, 0x02, 0x1e, 0x65, 0xb8, 0x91,
		0xc2, 0xa2, 0x11, 0x16, 0x7a, 0xbb, 0x8c, 0x5e, 0x07, 0x9e, 0x09, 0xe2, 0xc8, 0xa8, 0x33, 0x9c,
	};
	*is_hrr = 0;
	if (!readable(x, off, 2))
		return 0;
	uint16_t v = u16(s, off);
	if (v != V_TLS12 || end < off || end - off < 46)
		return v;
	off += 2;
	/* a Random not all captured is not the HelloRetryRequest one: a test that raises nothing */
	*is_hrr = tq_in_range(s->len, off, 32) && memcmp(s->p + off, hrr_magic, 32) == 0;
	off += 32;
	if (!readable(x, off, 1))
		return v;
	uint8_t sid = u8(s, off);
	off++;
	if (end - off < sid + 5u)
		return v;
	off += sid + 5u;
	while (end - off >= 6) {
		if (!readable(x, off, 4))
			return v;
		uint16_t type = u16(s, off), len = u16(s, off + 2);
		if (end - off < 4u + len)
			break;
		if (type == 43 && len == 2) {
			if (!readable(x, off + 4, 2))
				return v;
			return u16(s, off + 4);
		}
		off += 4u + len;
	}
	return v;
}

/* ------------------------------------------------------------------ other handshake messages */

static void
certificate(struct tls_ctx *x, struct tq_node *t, uint32_t off, uint32_t end)
{
	struct tq_pkt *pk = x->pk;
	const struct tq_slice *s = x->s;
	int is_tls13 = x->c && x->c->version == V_TLS13;
	int ok;

	if (is_tls13) {
		uint32_t n = vec(x, t, &hf_crc_len, off, end, 1, 0, 255, &ok);
		if (!ok)
			return;
		off++;
		if (n > 0) {
			add(x, t, &hf_crc, off, n);
			off += n;
		}
	}
	uint32_t list = vec(x, t, &hf_certs_len, off, end, 3, 0, 0xffffff, &ok);
	if (!ok)
		return;
	off += 3;
	uint32_t next = off + list;
	struct tq_node *sub = t;
	if (list > 0) {
		sub = add(x, t, &hf_certs, off, list);
		tq_set_label(pk, sub, "Certificates (%u bytes)", list);
	}
	while (off < next) {
		uint32_t n = vec(x, sub, &hf_cert_len, off, next, 3, 1, 0xffffff, &ok);
		if (!ok)
			return;
		off += 3;
		uint32_t cl = n;
		if (!fits(x, &hf_cert, off, &cl))
			return;
		tq_x509_certificate(pk, sub, &hf_cert, s, off, n);
		off += n;
		if (is_tls13)
			off = extensions(x, sub, off, next, HS_CERTIFICATE, NULL);
	}
}

/* tls_dissect_certificate_authorities */
static uint32_t
cert_authorities(struct tls_ctx *x, struct tq_node *t, uint32_t off, uint32_t end)
{
	int ok;
	uint32_t n = vec(x, t, &hf_dnames_len, off, end, 2, 0, 0xffff, &ok);
	if (!ok)
		return end;
	off += 2;
	uint32_t next = off + n;
	if (n > 0) {
		struct tq_node *d = add(x, t, &hf_dnames, off, n);
		tq_set_label(x->pk, d, "Distinguished Names (%u byte%s)", n, n == 1 ? "" : "s");
		while (off < next) {
			uint32_t l = vec(x, d, &hf_dname_len, off, next, 2, 1, 0xffff, &ok);
			if (!ok)
				return next;
			off += 2;
			uint32_t dl = l;
			if (!fits(x, &hf_ext_data, off, &dl))
				return next;
			tq_x509_dname(x->pk, d, &hf_dname, x->s, off, l);
			off += l;
		}
	}
	return off;
}

static void
cert_request(struct tls_ctx *x, struct tq_node *t, uint32_t off, uint32_t end)
{
	struct tq_pkt *pk = x->pk;
	uint16_t version = x->c ? x->c->version : 0;
	uint8_t draft = x->c ? x->c->draft : 0;
	int is_tls13 = version == V_TLS13;
	int ok;

	if (!t)
		return;
	if (is_tls13) {
		uint32_t n = vec(x, t, &hf_crc_len, off, end, 1, 0, 255, &ok);
		if (!ok)
			return;
		off++;
		if (n > 0) {
			add(x, t, &hf_crc, off, n);
			off += n;
		}
	} else {
		uint32_t n = vec(x, t, &hf_cert_types_count, off, end, 1, 1, 255, &ok);
		if (!ok)
			return;
		off++;
		uint32_t next = off + n;
		struct tq_node *ct = add(x, t, &hf_cert_types, off, n);
		tq_set_label(pk, ct, "Certificate types (%u type%s)", n, n == 1 ? "" : "s");
		for (; off < next; off++)
			add(x, ct, &hf_cert_type, off, 1);
	}
	if (version == V_TLS12 || (is_tls13 && draft > 0 && draft < 19))
		off = sigalg_list(x, t, off, end);
	if (is_tls13 && (draft == 0 || draft >= 19))
		extensions(x, t, off, end, HS_CERT_REQUEST, NULL);
	else
		cert_authorities(x, t, off, end);
}

static void
new_session_ticket(struct tls_ctx *x, struct tq_node *t, uint32_t off, uint32_t end)
{
	struct tq_pkt *pk = x->pk;
	const struct tq_slice *s = x->s;
	int is_tls13 = x->c && x->c->version == V_TLS13;
	uint8_t draft = x->c ? x->c->draft : 0;
	int ok;

	struct tq_node *st = add_text(x, t, off, end - off, "TLS Session Ticket");
	uint32_t hint = u32(s, off);
	struct tq_node *h = add(x, st, &hf_ticket_hint, off, 4);
	tq_set_valtext(pk, h, "%u second%s", hint, hint == 1 ? "" : "s");
	if (hint >= 60) {
		char buf[96];
		time_secs_str(hint, buf, sizeof(buf));
		tq_append(pk, h, " (%s)", buf);
	}
	off += 4;
	if (is_tls13) {
		add(x, st, &hf_ticket_age_add, off, 4);
		off += 4;
		if (draft == 0 || draft >= 21) {
			uint32_t n = vec(x, st, &hf_ticket_nonce_len, off, end, 1, 0, 255, &ok);
			if (!ok)
				return;
			off++;
			add(x, st, &hf_ticket_nonce, off, n);
			off += n;
		}
	}
	uint32_t n = vec(x, st, &hf_ticket_len, off, end, 2, is_tls13 ? 1 : 0, 0xffff, &ok);
	if (!ok)
		return;
	off += 2;
	add(x, st, &hf_ticket, off, n);
	off += n;
	if (is_tls13)
		extensions(x, st, off, end, HS_NEW_SESSION_TICKET, NULL);
}

enum kex {
	KEX_OTHER, KEX_RSA, KEX_DH_ANON, KEX_DH_DSS, KEX_DH_RSA, KEX_DHE_DSS, KEX_DHE_RSA, KEX_DHE_PSK,
	KEX_ECDH_ANON, KEX_ECDH_ECDSA, KEX_ECDH_RSA, KEX_ECDHE_ECDSA, KEX_ECDHE_RSA, KEX_ECDHE_PSK,
	KEX_KRB5, KEX_PSK, KEX_RSA_PSK, KEX_SRP, KEX_ECJPAKE,
};

/* ssl_get_keyex_alg: the key exchange of each suite, sorted by suite. */
static const struct { uint16_t suite; uint8_t kex; } kex_table[] = {
	{ 0x0001, KEX_RSA }, { 0x0002, KEX_RSA }, { 0x0003, KEX_RSA }, { 0x0004, KEX_RSA },
	{ 0x0005, KEX_RSA }, { 0x0006, KEX_RSA }, { 0x0007, KEX_RSA }, { 0x0008, KEX_RSA },
	{ 0x0009, KEX_RSA }, { 0x000a, KEX_RSA }, { 0x000b, KEX_DH_DSS }, { 0x000c, KEX_DH_DSS },
	{ 0x000d, KEX_DH_DSS }, { 0x000e, KEX_DH_RSA }, { 0x000f, KEX_DH_RSA }, { 0x0010, KEX_DH_RSA },
	{ 0x0011, KEX_DHE_DSS }, { 0x0012, KEX_DHE_DSS }, { 0x0013, KEX_DHE_DSS },
	{ 0x0014, KEX_DHE_RSA }, { 0x0015, KEX_DHE_RSA }, { 0x0016, KEX_DHE_RSA },
	{ 0x0017, KEX_DH_ANON }, { 0x0018, KEX_DH_ANON }, { 0x0019, KEX_DH_ANON },
	{ 0x001a, KEX_DH_ANON }, { 0x001b, KEX_DH_ANON }, { 0x001e, KEX_KRB5 }, { 0x001f, KEX_KRB5 },
	{ 0x0020, KEX_KRB5 }, { 0x0021, KEX_KRB5 }, { 0x0022, KEX_KRB5 }, { 0x0023, KEX_KRB5 },
	{ 0x0024, KEX_KRB5 }, { 0x0025, KEX_KRB5 }, { 0x0026, KEX_KRB5 }, { 0x0027, KEX_KRB5 },
	{ 0x0028, KEX_KRB5 }, { 0x0029, KEX_KRB5 }, { 0x002a, KEX_KRB5 }, { 0x002b, KEX_KRB5 },
	{ 0x002c, KEX_PSK }, { 0x002d, KEX_DHE_PSK }, { 0x002e, KEX_RSA_PSK }, { 0x002f, KEX_RSA },
	{ 0x0030, KEX_DH_DSS }, { 0x0031, KEX_DH_RSA }, { 0x0032, KEX_DHE_DSS }, { 0x0033, KEX_DHE_RSA },
	{ 0x0034, KEX_DH_ANON }, { 0x0035, KEX_RSA }, { 0x0036, KEX_DH_DSS }, { 0x0037, KEX_DH_RSA },
	{ 0x0038, KEX_DHE_DSS }, { 0x0039, KEX_DHE_RSA }, { 0x003a, KEX_DH_ANON }, { 0x003b, KEX_RSA },
	{ 0x003c, KEX_RSA }, { 0x003d, KEX_RSA }, { 0x003e, KEX_DH_DSS }, { 0x003f, KEX_DH_RSA },
	{ 0x0040, KEX_DHE_DSS }, { 0x0041, KEX_RSA }, { 0x0042, KEX_DH_DSS }, { 0x0043, KEX_DH_RSA },
	{ 0x0044, KEX_DHE_DSS }, { 0x0045, KEX_DHE_RSA }, { 0x0046, KEX_DH_ANON }, { 0x0060, KEX_RSA },
	{ 0x0061, KEX_RSA }, { 0x0062, KEX_RSA }, { 0x0063, KEX_DHE_DSS }, { 0x0064, KEX_RSA },
	{ 0x0065, KEX_DHE_DSS }, { 0x0066, KEX_DHE_DSS }, { 0x0067, KEX_DHE_RSA }, { 0x0068, KEX_DH_DSS },
	{ 0x0069, KEX_DH_RSA }, { 0x006a, KEX_DHE_DSS }, { 0x006b, KEX_DHE_RSA }, { 0x006c, KEX_DH_ANON },
	{ 0x006d, KEX_DH_ANON }, { 0x0084, KEX_RSA }, { 0x0085, KEX_DH_DSS }, { 0x0086, KEX_DH_RSA },
	{ 0x0087, KEX_DHE_DSS }, { 0x0088, KEX_DHE_RSA }, { 0x0089, KEX_DH_ANON }, { 0x008a, KEX_PSK },
	{ 0x008b, KEX_PSK }, { 0x008c, KEX_PSK }, { 0x008d, KEX_PSK }, { 0x008e, KEX_DHE_PSK },
	{ 0x008f, KEX_DHE_PSK }, { 0x0090, KEX_DHE_PSK }, { 0x0091, KEX_DHE_PSK },
	{ 0x0092, KEX_RSA_PSK }, { 0x0093, KEX_RSA_PSK }, { 0x0094, KEX_RSA_PSK },
	{ 0x0095, KEX_RSA_PSK }, { 0x0096, KEX_RSA }, { 0x0097, KEX_DH_DSS }, { 0x0098, KEX_DH_RSA },
	{ 0x0099, KEX_DHE_DSS }, { 0x009a, KEX_DHE_RSA }, { 0x009b, KEX_DH_ANON }, { 0x009c, KEX_RSA },
	{ 0x009d, KEX_RSA }, { 0x009e, KEX_DHE_RSA }, { 0x009f, KEX_DHE_RSA }, { 0x00a0, KEX_DH_RSA },
	{ 0x00a1, KEX_DH_RSA }, { 0x00a2, KEX_DHE_DSS }, { 0x00a3, KEX_DHE_DSS }, { 0x00a4, KEX_DH_DSS },
	{ 0x00a5, KEX_DH_DSS }, { 0x00a6, KEX_DH_ANON }, { 0x00a7, KEX_DH_ANON }, { 0x00a8, KEX_PSK },
	{ 0x00a9, KEX_PSK }, { 0x00aa, KEX_DHE_PSK }, { 0x00ab, KEX_DHE_PSK }, { 0x00ac, KEX_RSA_PSK },
	{ 0x00ad, KEX_RSA_PSK }, { 0x00ae, KEX_PSK }, { 0x00af, KEX_PSK }, { 0x00b0, KEX_PSK },
	{ 0x00b1, KEX_PSK }, { 0x00b2, KEX_DHE_PSK }, { 0x00b3, KEX_DHE_PSK }, { 0x00b4, KEX_DHE_PSK },
	{ 0x00b5, KEX_DHE_PSK }, { 0x00b6, KEX_RSA_PSK }, { 0x00b7, KEX_RSA_PSK },
	{ 0x00b8, KEX_RSA_PSK }, { 0x00b9, KEX_RSA_PSK }, { 0x00ba, KEX_RSA }, { 0x00bb, KEX_DH_DSS },
	{ 0x00bc, KEX_DH_RSA }, { 0x00bd, KEX_DHE_DSS }, { 0x00be, KEX_DHE_RSA }, { 0x00bf, KEX_DH_ANON },
	{ 0x00c0, KEX_RSA }, { 0x00c1, KEX_DH_DSS }, { 0x00c2, KEX_DH_RSA }, { 0x00c3, KEX_DHE_DSS },
	{ 0x00c4, KEX_DHE_RSA }, { 0x00c5, KEX_DH_ANON }, { 0xc001, KEX_ECDH_ECDSA },
	{ 0xc002, KEX_ECDH_ECDSA }, { 0xc003, KEX_ECDH_ECDSA }, { 0xc004, KEX_ECDH_ECDSA },
	{ 0xc005, KEX_ECDH_ECDSA }, { 0xc006, KEX_ECDHE_ECDSA }, { 0xc007, KEX_ECDHE_ECDSA },
	{ 0xc008, KEX_ECDHE_ECDSA }, { 0xc009, KEX_ECDHE_ECDSA }, { 0xc00a, KEX_ECDHE_ECDSA },
	{ 0xc00b, KEX_ECDH_RSA }, { 0xc00c, KEX_ECDH_RSA }, { 0xc00d, KEX_ECDH_RSA },
	{ 0xc00e, KEX_ECDH_RSA }, { 0xc00f, KEX_ECDH_RSA }, { 0xc010, KEX_ECDHE_RSA },
	{ 0xc011, KEX_ECDHE_RSA }, { 0xc012, KEX_ECDHE_RSA }, { 0xc013, KEX_ECDHE_RSA },
	{ 0xc014, KEX_ECDHE_RSA }, { 0xc015, KEX_ECDH_ANON }, { 0xc016, KEX_ECDH_ANON },
	{ 0xc017, KEX_ECDH_ANON }, { 0xc018, KEX_ECDH_ANON }, { 0xc019, KEX_ECDH_ANON },
	{ 0xc01a, KEX_SRP }, { 0xc01b, KEX_SRP }, { 0xc01c, KEX_SRP }, { 0xc01d, KEX_SRP },
	{ 0xc01e, KEX_SRP }, { 0xc01f, KEX_SRP }, { 0xc020, KEX_SRP }, { 0xc021, KEX_SRP },
	{ 0xc022, KEX_SRP }, { 0xc023, KEX_ECDHE_ECDSA }, { 0xc024, KEX_ECDHE_ECDSA },
	{ 0xc025, KEX_ECDH_ECDSA }, { 0xc026, KEX_ECDH_ECDSA }, { 0xc027, KEX_ECDHE_RSA },
	{ 0xc028, KEX_ECDHE_RSA }, { 0xc029, KEX_ECDH_RSA }, { 0xc02a, KEX_ECDH_RSA },
	{ 0xc02b, KEX_ECDHE_ECDSA }, { 0xc02c, KEX_ECDHE_ECDSA }, { 0xc02d, KEX_ECDH_ECDSA },
	{ 0xc02e, KEX_ECDH_ECDSA }, { 0xc02f, KEX_ECDHE_RSA }, { 0xc030, KEX_ECDHE_RSA },
	{ 0xc031, KEX_ECDH_RSA }, { 0xc032, KEX_ECDH_RSA }, { 0xc033, KEX_ECDHE_PSK },
	{ 0xc034, KEX_ECDHE_PSK }, { 0xc035, KEX_ECDHE_PSK }, { 0xc036, KEX_ECDHE_PSK },
	{ 0xc037, KEX_ECDHE_PSK }, { 0xc038, KEX_ECDHE_PSK }, { 0xc039, KEX_ECDHE_PSK },
	{ 0xc03a, KEX_ECDHE_PSK }, { 0xc03b, KEX_ECDHE_PSK }, { 0xc064, KEX_PSK }, { 0xc065, KEX_PSK },
	{ 0xc072, KEX_ECDHE_ECDSA }, { 0xc073, KEX_ECDHE_ECDSA }, { 0xc074, KEX_ECDH_ECDSA },
	{ 0xc075, KEX_ECDH_ECDSA }, { 0xc076, KEX_ECDHE_RSA }, { 0xc077, KEX_ECDHE_RSA },
	{ 0xc078, KEX_ECDH_RSA }, { 0xc079, KEX_ECDH_RSA }, { 0xc07a, KEX_RSA }, { 0xc07b, KEX_RSA },
	{ 0xc07c, KEX_DHE_RSA }, { 0xc07d, KEX_DHE_RSA }, { 0xc07e, KEX_DH_RSA }, { 0xc07f, KEX_DH_RSA },
	{ 0xc080, KEX_DHE_DSS }, { 0xc081, KEX_DHE_DSS }, { 0xc082, KEX_DH_DSS }, { 0xc083, KEX_DH_DSS },
	{ 0xc084, KEX_DH_ANON }, { 0xc085, KEX_DH_ANON }, { 0xc086, KEX_ECDHE_ECDSA },
	{ 0xc087, KEX_ECDHE_ECDSA }, { 0xc088, KEX_ECDH_ECDSA }, { 0xc089, KEX_ECDH_ECDSA },
	{ 0xc08a, KEX_ECDHE_RSA }, { 0xc08b, KEX_ECDHE_RSA }, { 0xc08c, KEX_ECDH_RSA },
	{ 0xc08d, KEX_ECDH_RSA }, { 0xc08e, KEX_PSK }, { 0xc08f, KEX_PSK }, { 0xc090, KEX_DHE_PSK },
	{ 0xc091, KEX_DHE_PSK }, { 0xc092, KEX_RSA_PSK }, { 0xc093, KEX_RSA_PSK }, { 0xc094, KEX_PSK },
	{ 0xc095, KEX_PSK }, { 0xc096, KEX_DHE_PSK }, { 0xc097, KEX_DHE_PSK }, { 0xc098, KEX_RSA_PSK },
	{ 0xc099, KEX_RSA_PSK }, { 0xc09a, KEX_ECDHE_PSK }, { 0xc09b, KEX_ECDHE_PSK },
	{ 0xc09c, KEX_RSA }, { 0xc09d, KEX_RSA }, { 0xc09e, KEX_DHE_RSA }, { 0xc09f, KEX_DHE_RSA },
	{ 0xc0a0, KEX_RSA }, { 0xc0a1, KEX_RSA }, { 0xc0a2, KEX_DHE_RSA }, { 0xc0a3, KEX_DHE_RSA },
	{ 0xc0a4, KEX_PSK }, { 0xc0a5, KEX_PSK }, { 0xc0a6, KEX_DHE_PSK }, { 0xc0a7, KEX_DHE_PSK },
	{ 0xc0a8, KEX_PSK }, { 0xc0a9, KEX_PSK }, { 0xc0aa, KEX_DHE_PSK }, { 0xc0ab, KEX_DHE_PSK },
	{ 0xc0ac, KEX_ECDHE_ECDSA }, { 0xc0ad, KEX_ECDHE_ECDSA }, { 0xc0ae, KEX_ECDHE_ECDSA },
	{ 0xc0af, KEX_ECDHE_ECDSA }, { 0xc0ff, KEX_ECJPAKE }, { 0xcca8, KEX_ECDHE_RSA },
	{ 0xcca9, KEX_ECDHE_ECDSA }, { 0xccaa, KEX_DHE_RSA }, { 0xccab, KEX_PSK },
	{ 0xccac, KEX_ECDHE_PSK }, { 0xccad, KEX_DHE_PSK }, { 0xccae, KEX_RSA_PSK }, { 0xe410, KEX_RSA },
	{ 0xe411, KEX_RSA }, { 0xe412, KEX_ECDHE_RSA }, { 0xe413, KEX_ECDHE_RSA },
	{ 0xe414, KEX_ECDHE_ECDSA }, { 0xe415, KEX_ECDHE_ECDSA }, { 0xe416, KEX_PSK },
	{ 0xe417, KEX_PSK }, { 0xe418, KEX_ECDHE_PSK }, { 0xe419, KEX_ECDHE_PSK },
	{ 0xe41a, KEX_RSA_PSK }, { 0xe41b, KEX_RSA_PSK }, { 0xe41c, KEX_DHE_PSK },
	{ 0xe41d, KEX_DHE_PSK }, { 0xe41e, KEX_DHE_RSA }, { 0xe41f, KEX_DHE_RSA }, { 0xfefe, KEX_RSA },
	{ 0xfeff, KEX_RSA }, { 0xffe0, KEX_RSA }, { 0xffe1, KEX_RSA },
};

static enum kex
suite_kex(uint16_t suite)
{
	size_t lo = 0, hi = sizeof(kex_table) / sizeof(kex_table[0]);
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (kex_table[mid].suite < suite)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < sizeof(kex_table) / sizeof(kex_table[0]) && kex_table[lo].suite == suite)
		return (enum kex)kex_table[lo].kex;
	return KEX_OTHER;
}

static void
server_key_exchange(struct tls_ctx *x, struct tq_node *t, uint32_t off, uint32_t end)
{
	const struct tq_slice *s = x->s;
	uint16_t version = x->c ? x->c->version : 0;
	enum kex k = suite_kex(x->c ? x->c->cipher : 0);

	switch (k) {
	case KEX_ECDH_ANON:
	case KEX_ECDH_ECDSA:
	case KEX_ECDH_RSA:
	case KEX_ECDHE_ECDSA:
	case KEX_ECDHE_RSA: {
		struct tq_node *p = add_text(x, t, off, end - off, "EC Diffie-Hellman Server Params");
		uint8_t ct = u8(s, off);
		add(x, p, &hf_curve_type, off, 1);
		off++;
		if (ct != 3)
			return;
		add(x, p, &hf_named_curve, off, 2);
		off += 2;
		uint8_t pl = u8(s, off);
		add(x, p, &hf_srv_point_len, off, 1);
		add(x, p, &hf_srv_point, off + 1, pl);
		off += 1u + pl;
		if (k != KEX_ECDH_ANON)
			digitally_signed(x, p, off, end, version, &hf_sig_len, &hf_sig);
		break;
	}
	case KEX_DH_ANON:
	case KEX_DHE_DSS:
	case KEX_DHE_RSA: {
		struct tq_node *p = add_text(x, t, off, end - off, "Diffie-Hellman Server Params");
		uint16_t l = u16(s, off);
		add(x, p, &hf_p_len, off, 2);
		add(x, p, &hf_p, off + 2, l);
		off += 2u + l;
		l = u16(s, off);
		add(x, p, &hf_g_len, off, 2);
		add(x, p, &hf_g, off + 2, l);
		off += 2u + l;
		l = u16(s, off);
		add(x, p, &hf_ys_len, off, 2);
		add(x, p, &hf_ys, off + 2, l);
		off += 2u + l;
		if (k != KEX_DH_ANON)
			digitally_signed(x, p, off, end, version, &hf_sig_len, &hf_sig);
		break;
	}
	case KEX_PSK:
	case KEX_RSA_PSK: {
		uint16_t l = u16(s, off);
		if (2u + l != end - off)
			return;
		struct tq_node *p = add_text(x, t, off, end - off, "PSK Server Params");
		add(x, p, &hf_hint_len, off, 2);
		add(x, p, &hf_hint, off + 2, l);
		break;
	}
	default:
		break;
	}
}

static void
client_key_exchange(struct tls_ctx *x, struct tq_node *t, uint32_t off, uint32_t len)
{
	const struct tq_slice *s = x->s;
	uint16_t version = x->c ? x->c->version : 0;

	switch (suite_kex(x->c ? x->c->cipher : 0)) {
	case KEX_DH_ANON:
	case KEX_DH_DSS:
	case KEX_DH_RSA:
	case KEX_DHE_DSS:
	case KEX_DHE_RSA: {
		struct tq_node *p = add_text(x, t, off, len, "Diffie-Hellman Client Params");
		uint16_t l = u16(s, off);
		add(x, p, &hf_yc_len, off, 2);
		add(x, p, &hf_yc, off + 2, l);
		break;
	}
	case KEX_ECDH_ANON:
	case KEX_ECDH_ECDSA:
	case KEX_ECDH_RSA:
	case KEX_ECDHE_ECDSA:
	case KEX_ECDHE_RSA: {
		struct tq_node *p = add_text(x, t, off, len, "EC Diffie-Hellman Client Params");
		uint8_t l = u8(s, off);
		add(x, p, &hf_cli_point_len, off, 1);
		add(x, p, &hf_cli_point, off + 1, l);
		break;
	}
	case KEX_RSA: {
		struct tq_node *p = add_text(x, t, off, len, "RSA Encrypted PreMaster Secret");
		uint32_t l = len;
		if (version != V_SSL3) {
			l = u16(s, off);
			add(x, p, &hf_epms_len, off, 2);
			off += 2;
		}
		add(x, p, &hf_epms, off, l);
		break;
	}
	case KEX_PSK: {
		struct tq_node *p = add_text(x, t, off, len, "PSK Client Params");
		uint16_t l = u16(s, off);
		add(x, p, &hf_identity_len, off, 2);
		add(x, p, &hf_identity, off + 2, l);
		break;
	}
	case KEX_RSA_PSK: {
		struct tq_node *p = add_text(x, t, off, len, "RSA PSK Client Params");
		uint16_t l = u16(s, off);
		add(x, p, &hf_identity_len, off, 2);
		add(x, p, &hf_identity, off + 2, l);
		off += 2u + l;
		l = u16(s, off);
		add(x, p, &hf_epms_len, off, 2);
		add(x, p, &hf_epms, off + 2, l);
		break;
	}
	default:
		break;
	}
}

/* ------------------------------------------------------------------ handshake protocol */

/*
 * tls_show_handshake_details: the Info column, the record's label and the
 * Handshake Protocol item of one message.
 */
static struct tq_node *
hs_details(struct tls_ctx *x, struct tq_node *rec, uint16_t version, uint8_t type, int encrypted,
    int first, int complete, uint32_t off, uint32_t len)
{
	struct tq_pkt *pk = x->pk;
	const char *name = "Encrypted Handshake Message";
	if (x->cut)
		return NULL;
	if (!encrypted) {
		const char *n = tq_vals_find(tq_tls_hs_type_vals, type);
		if (n)
			name = n;
	}
	if (complete) {
		info_add(pk, name);
	} else if (first) {
		char buf[96];
		snprintf(buf, sizeof(buf), "[%s Fragment]", name);
		info_add(pk, buf);
	}
	if (first) {
		tq_set_label(pk, rec, "%s Record Layer: Handshake Protocol: %s%s", version_short(version, "TLS"),
		    name, !complete && !encrypted ? " (fragment)" : "");
	} else {
		tq_set_label(pk, rec, "%s Record Layer: Handshake Protocol: Multiple Handshake Messages",
		    version_short(version, "TLS"));
	}
	struct tq_node *h = add(x, rec, &hf_hs, off, len);     /* FT_NONE: stops at the captured bytes */
	tq_set_label(pk, h, "Handshake Protocol: %s%s", name, !complete && !encrypted ? " (fragment)" : "");
	return h;
}

/* is_encrypted_handshake_message */
static int
hs_looks_encrypted(struct tls_ctx *x, uint32_t off, uint32_t end)
{
	const struct tq_slice *s = x->s;
	if (end - off < 16)
		return 0;
	/* five zero bytes: the explicit nonce of a first GCM/CCM record */
	int enc = u8(s, off) == 0 && u32(s, off + 1) == 0;
	if (!enc && x->c) {
		uint32_t ccs = x->c->ccs_frame[x->from_server ? 1 : 0];
		enc = ccs != 0 && x->pk->num > ccs;
	}
	if (!enc) {
		uint8_t type = u8(s, off);
		enc = tq_vals_find(tq_tls_hs_type_vals, type) == NULL;
		if (!enc)
			enc = u24(s, off + 1) >= 0x10000;
	}
	return enc;
}

/* dissect_tls_handshake_full: one whole message at off. */
static void
hs_message(struct tls_ctx *x, struct tq_node *rec, uint32_t off, uint16_t version, int first)
{
	const struct tq_slice *s = x->s;
	uint8_t type = u8(s, off);
	uint32_t length = u24(s, off + 1);
	const char *type_name = tq_vals_find(tq_tls_hs_type_vals, type);
	int is_hrr = 0;

	if (!type_name && !first)
		return;
	if (first && type == HS_SERVER_HELLO && length > 2) {
		uint16_t sv = scan_server_hello(x, off + 4, off + 4 + length, &is_hrr);
		if (x->cut)
			return;
		try_set_version(x, CT_HANDSHAKE, HS_SERVER_HELLO, sv);
		/* pass 2 sees the version the Server Hello set, as Wireshark's second pass */
	}
	struct tq_node *h = hs_details(x, rec, version, is_hrr ? HS_HELLO_RETRY : type, 0, first, 1, off, length + 4);
	if (!type_name)
		return;
	add_u(x, h, &hf_hs_type, off, 1, type);
	add_u(x, h, &hf_hs_length, off + 1, 3, length);
	uint32_t body = off + 4, end = off + 4 + length;

	switch (type) {
	case HS_CLIENT_HELLO:
		if (x->pass1 && x->c && x->pk->tcp)
			x->c->server_dir = (int8_t)!x->pk->tcp->dir;
		client_hello(x, h, body, end);
		break;
	case HS_SERVER_HELLO:
		server_hello(x, h, body, end, is_hrr);
		break;
	case HS_NEW_SESSION_TICKET:
		new_session_ticket(x, h, body, end);
		break;
	case HS_ENCRYPTED_EXTENSIONS:
		extensions(x, h, body, end, HS_ENCRYPTED_EXTENSIONS, NULL);
		break;
	case HS_CERTIFICATE:
		certificate(x, h, body, end);
		break;
	case HS_SERVER_KEY_EXCHANGE:
		server_key_exchange(x, h, body, end);
		break;
	case HS_CERT_REQUEST:
		cert_request(x, h, body, end);
		break;
	case HS_SERVER_HELLO_DONE:
		if (x->pass1 && x->c)
			x->c->resumed = 0;
		break;
	case HS_CERT_VERIFY:
		digitally_signed(x, h, body, end, x->c ? x->c->version : 0, &hf_cv_sig_len, &hf_cv_sig);
		break;
	case HS_CLIENT_KEY_EXCHANGE:
		client_key_exchange(x, h, body, length);
		break;
	case HS_FINISHED:
		if (x->c && x->c->version == V_SSL3) {
			add(x, h, &hf_md5_hash, body, 16);
			add(x, h, &hf_sha_hash, body + 16, 20);
		} else {
			add(x, h, &hf_finished, body, length);
		}
		break;
	case HS_CERT_STATUS:
		cert_status(x, h, body, end);
		break;
	case HS_KEY_UPDATE:
		add(x, rec, &hf_key_update, body, 1);
		break;
	case HS_COMPRESSED_CERT: {
		add(x, h, &hf_cc_alg, body, 2);
		add(x, h, &hf_cc_ulen, body + 2, 3);
		int ok;
		uint32_t n = vec(x, h, &hf_cc_mlen, body + 5, end, 3, 1, 0xffffff, &ok);
		if (ok || n)
			add(x, h, &hf_cc_msg, body + 8, n);
		break;
	}
	default:
		break;
	}
}

/* Pass 1: records a piece of a handshake message; NULL when out of memory or past the cap. */
static struct hs_frag *
frag_add(struct tls_ctx *x, struct hs_reasm *r, uint64_t key, uint32_t off, uint32_t len, int is_last)
{
	struct tq_arena *a = &x->pk->cap->state;
	if (r->have > HS_REASM_MAX || len > HS_REASM_MAX - r->have)
		return NULL;
	struct hs_frag *f = tq_arena_alloc(a, sizeof(*f));
	uint8_t *b = tq_arena_alloc(a, len ? len : 1);
	if (!f || !b)
		return NULL;
	memcpy(b, x->s->p + off, len);
	f->bytes = b;
	f->reasm = r;
	f->key = key;
	f->frame = x->pk->num;
	f->offset = r->have;
	f->len = len;
	f->is_last = (uint8_t)is_last;
	if (r->last)
		r->last->rnext = f;
	else
		r->frags = f;
	r->last = f;
	r->have += len;
	r->nfrags++;
	if (is_last)
		r->reassembled_in = x->pk->num;
	f->next = x->c->frags;
	x->c->frags = f;
	return f;
}

/* Pass 2: the fragment pass 1 recorded for this record, the one that starts a message or not. */
static struct hs_frag *
frag_find(const struct tls_conn *c, uint64_t key, int starts)
{
	for (struct hs_frag *f = c->frags; f; f = f->next)
		if (f->key == key && (f->offset == 0) == starts)
			return f;
	return NULL;
}

/* The message length of a reassembly, from its first four bytes (which may span fragments). */
static uint32_t
reasm_msg_len(const struct hs_reasm *r, const struct tq_slice *s, uint32_t off, uint32_t avail)
{
	uint8_t h[4];
	uint32_t k = 0;
	for (const struct hs_frag *f = r->frags; f && k < 4; f = f->rnext)
		for (uint32_t i = 0; i < f->len && k < 4; i++)
			h[k++] = f->bytes[i];
	for (uint32_t i = 0; i < avail && k < 4; i++)
		h[k++] = u8(s, off + i);
	if (k < 4)
		return 0;
	return 4 + ((uint32_t)h[1] << 16 | (uint32_t)h[2] << 8 | h[3]);
}

static void
reassembled_in(struct tls_ctx *x, struct tq_node *rec, const struct hs_reasm *r)
{
	if (r && r->reassembled_in)
		add_u(x, rec, &hf_hs_reassembled_in, 0, 0, r->reassembled_in);
}

/*
 * The last piece of a message: rebuilds the message in the tree's arena (a
 * data source of its own when there is a tree), shows the fragments and
 * dissects the whole message.
 */
static void
reasm_dissect(struct tls_ctx *x, struct tq_node *rec, const struct hs_reasm *r, uint16_t version)
{
	struct tq_pkt *pk = x->pk;
	uint8_t *buf = tq_arena_alloc(pk->arena, r->have ? r->have : 1);
	if (!buf)
		return;
	for (const struct hs_frag *f = r->frags; f; f = f->rnext)
		if (f->offset <= r->have && f->len <= r->have - f->offset)
			memcpy(buf + f->offset, f->bytes, f->len);
	struct tq_slice ms = { buf, r->have, r->have, 0, 0 };
	if (pk->tree) {
		int ds = tq_add_ds(pk, buf, r->have,
		    tq_arena_printf(pk->arena, "Reassembled TLS Handshake (%u bytes)", r->have));
		if (ds < 0)
			return;
		ms.ds = (uint8_t)ds;
		struct tq_sbuf lb;
		tq_sbuf_init(&lb, 0);
		tq_sbuf_printf(&lb, "%u %s (%u byte%s): ", r->nfrags, hf_hs_fragments.name, r->have,
		    r->have == 1 ? "" : "s");
		for (const struct hs_frag *f = r->frags; f; f = f->rnext)
			tq_sbuf_printf(&lb, "%s#%u(%u)", f == r->frags ? "" : ", ", f->frame, f->len);
		struct tq_node *ft = tq_gen(tq_add(pk, rec, &hf_hs_fragments, &ms, 0, r->have));
		tq_set_label(pk, ft, "%s", tq_sbuf_str(&lb));
		tq_sbuf_free(&lb);
		for (const struct hs_frag *f = r->frags; f; f = f->rnext) {
			struct tq_node *n = tq_gen(tq_add_u(pk, ft, &hf_hs_fragment, &ms, f->offset, f->len, f->frame));
			tq_set_label(pk, n, "Frame: %u, payload: %u-%u (%u byte%s)", f->frame, f->offset,
			    f->offset + f->len - 1, f->len, f->len == 1 ? "" : "s");
		}
		tq_add_gen(pk, ft, &hf_hs_fragment_count, &ms, 0, r->nfrags);
	}
	struct tls_ctx y = *x;
	y.s = &ms;
	y.lim = ms.rlen;
	if (r->have >= 4 && 4 + u24(&ms, 1) <= r->have)
		hs_message(&y, rec, 0, version, 1);
	if (y.cut) {
		x->cut = y.cut;
		x->cut_proto = y.cut_proto;
	}
}

/*
 * dissect_tls_handshake: the messages of one Handshake record at [off, end),
 * with the pieces of messages that span records put together (pass 1) and
 * shown where the last piece arrives (pass 2).
 */
static void
handshake(struct tls_ctx *x, struct tq_node *rec, uint32_t off, uint32_t end, uint16_t version, uint64_t key)
{
	struct tq_pkt *pk = x->pk;
	struct hs_frag *fi = NULL;
	int d = x->from_server ? 1 : 0;
	int first = 1;

	if (x->c && x->pass1) {
		struct hs_reasm *r = x->c->hs_cur[d];
		if (r) {
			/* the continuation of a message an earlier record began */
			uint32_t subset = end - off;
			uint32_t msg_len = reasm_msg_len(r, x->s, off, subset);
			if (msg_len && subset > msg_len - r->have)
				subset = msg_len > r->have ? msg_len - r->have : 0;
			if (!tq_in_range(x->s->len, off, subset)) {
				x->c->hs_cur[d] = NULL;
			} else {
				int last = msg_len && r->have + subset == msg_len;
				fi = frag_add(x, r, key, off, subset, last);
				if (last || !fi)
					x->c->hs_cur[d] = NULL;
			}
		}
	} else if (x->c) {
		fi = frag_find(x->c, key, 0);
	}

	if (fi) {
		const struct hs_reasm *r = fi->reasm;
		if (!fi->is_last) {
			hs_details(x, rec, version, r->type, 0, 0, 0, off, end - off);
			reassembled_in(x, rec, r);
			return;
		}
		const char *tn = tq_vals_find(tq_tls_hs_type_vals, r->type);
		struct tq_node *h = add(x, rec, &hf_hs, off, fi->len);
		tq_set_label(pk, h, "Handshake Protocol: %s (last fragment)", tn ? tn : "Encrypted Handshake Message");
		off += fi->len;
		reasm_dissect(x, rec, r, version);
		first = 0;
	} else if (end - off >= 16 && !readable(x, off, 5)) {
		return;             /* is_encrypted_handshake_message's reads raise the exception */
	} else if (hs_looks_encrypted(x, off, end)) {
		hs_details(x, rec, version, 0, 1, 1, 1, off, end - off);
		return;
	}
	while (off < end && !x->cut) {
		uint32_t left = end - off, msg_len = 0;
		if (left >= 4)
			msg_len = 4 + u24(x->s, off + 1);
		if (msg_len == 0 || left < msg_len) {
			/* a message continued in the next records */
			struct hs_frag *start = NULL;
			uint8_t type = u8(x->s, off);
			if (x->c && x->pass1) {
				struct hs_reasm *r = tq_arena_alloc(&pk->cap->state, sizeof(*r));
				if (r && tq_in_range(x->s->len, off, left)) {
					r->type = type;
					start = frag_add(x, r, key, off, left, 0);
					x->c->hs_cur[d] = start ? r : NULL;
				}
			} else if (x->c) {
				start = frag_find(x->c, key, 1);
			}
			if (start)
				type = start->reasm->type;
			hs_details(x, rec, version, type, 0, first, 0, off, left);
			if (start)
				reassembled_in(x, rec, start->reasm);
			break;
		}
		hs_message(x, rec, off, version, first);
		off += msg_len;
		first = 0;
	}
}

/* ------------------------------------------------------------------ records */

static void
alert(struct tls_ctx *x, struct tq_node *rec, uint32_t off, uint32_t len)
{
	struct tq_pkt *pk = x->pk;
	uint16_t sv = x->c ? x->c->version : 0;
	struct tq_node *a = add(x, rec, &hf_alert, off, len);
	if (len != 2) {
		info_add(pk, "Encrypted Alert");
		tq_set_label(pk, rec, "%s Record Layer: Encrypted Alert", version_short(sv, "TLS"));
		tq_set_label(pk, a, "Alert Message: Encrypted Alert");
		return;
	}
	if (!readable(x, off, 2))
		return;
	uint8_t lv = u8(x->s, off), ds = u8(x->s, off + 1);
	const char *level = tq_vals_find(tq_tls_alert_level_vals, lv), *desc = tq_vals_find(tq_tls_alert_desc_vals, ds);
	if (!level)
		level = "Unknown";
	if (!desc)
		desc = "Unknown";
	char buf[160];
	snprintf(buf, sizeof(buf), "Alert (Level: %s, Description: %s)", level, desc);
	info_add(pk, buf);
	tq_set_label(pk, rec, "%s Record Layer: Alert (Level: %s, Description: %s)", version_short(sv, "TLS"),
	    level, desc);
	add(x, a, &hf_alert_level, off, 1);
	add(x, a, &hf_alert_desc, off + 1, 1);
}

/* The application protocol shown for Application Data (session app handle, else by port). */
static const char *
app_proto(struct tls_ctx *x)
{
	if (x->c && x->c->alpn)
		return x->c->alpn;
	if (x->pk->tcp && x->pk->tcp->inner) {
		if (!strcmp(x->pk->tcp->inner, "smtp"))
			return "Simple Mail Transfer Protocol";
		if (!strcmp(x->pk->tcp->inner, "imap"))
			return "Internet Message Access Protocol";
		if (!strcmp(x->pk->tcp->inner, "pop"))
			return "Post Office Protocol";
	}
	const char *p = port_proto(x->pk->sport);
	return p ? p : port_proto(x->pk->dport);
}

enum { REC_DONE, REC_DESEG };

/*
 * dissect_ssl3_record: one record at *off.  Advances *off, or sets the
 * desegmentation request and returns REC_DESEG.
 */
static int
record(struct tls_ctx *x, struct tq_node *tls_tree, uint32_t *offp)
{
	struct tq_pkt *pk = x->pk;
	const struct tq_slice *s = x->s;
	uint32_t off = *offp;
	uint32_t avail = s->rlen - off;
	uint16_t sv = x->c ? x->c->version : 0;

	if (!readable(x, off, 1)) {
		/* the record's first byte was not captured: the read raises the exception */
		return REC_DONE;
	}
	if ((sv == V_TLS10 || sv == V_TLS11 || sv == V_TLS12 || sv == V_TLCP) && avail >= 1 &&
	    !valid_content_type(u8(s, off))) {
		struct tq_node *n = add_text(x, tls_tree, off, avail, "%s", ei_ignored.f.name);
		tq_expert(pk, n, &ei_ignored, NULL);
		info_add(pk, "Ignored Unknown Record");
		*offp = off + avail;
		return REC_DONE;
	}
	if (avail < 5) {
		if (pk->tcp && pk->tcp->can_desegment) {
			pk->deseg_offset = off;
			pk->deseg_len = TQ_DESEG_ONE_MORE;
			return REC_DESEG;
		}
		*offp = off + avail;
		return REC_DONE;
	}
	uint8_t ct = u8(s, off);
	uint16_t rv = u16(s, off + 1);
	uint32_t rlen = u16(s, off + 3);
	if (!valid_content_type(ct)) {
		info_add(pk, "Continuation Data");
		*offp = off + 5 + rlen;
		return REC_DONE;
	}
	if (avail < rlen + 5) {
		if (pk->tcp && pk->tcp->can_desegment) {
			pk->deseg_offset = off;
			pk->deseg_len = rlen + 5 - avail;
			return REC_DESEG;
		}
		*offp = off + avail;
		return REC_DONE;
	}

	if (!readable(x, off, 5)) {
		/* the header itself was not captured */
		return REC_DONE;
	}
	/* FT_NONE: a record that runs past the captured bytes stops at them, as Wireshark's does */
	struct tq_node *rec = add(x, tls_tree, &hf_record, off, 5 + rlen);
	struct tq_node *ctn;
	if (sv == V_TLS13 && ct == CT_APP_DATA)
		ctn = add(x, rec, &hf_opaque_type, off, 1);
	else
		ctn = add(x, rec, &hf_content_type, off, 1);
	add(x, rec, &hf_record_version, off + 1, 2);
	struct tq_node *ln = add_u(x, rec, &hf_record_length, off + 3, 2, rlen);
	uint64_t key = record_key(x, off);
	off += 5;

	uint16_t version;
	if (sv == 0) {
		try_set_version(x, ct, u8(s, off), rv);
		tq_col_proto(pk, version_short(rv, "SSL"));
		version = rv;
	} else {
		version = sv;
	}
	uint32_t maxlen = 16384 + (version == V_TLS13 ? 256 : 2048);
	if (rlen > maxlen)
		tq_expert(pk, ln, &ei_record_len, "TLSCiphertext length MUST NOT exceed 2^14 + %u", maxlen - 16384);

	int encrypted = 0;
	int fs = x->from_server ? 1 : 0;
	switch (ct) {
	case CT_CCS:
		if (version == V_TLS13 && x->c && x->c->draft > 0 && x->c->draft < 22) {
			tq_expert(pk, ctn, &ei_unexpected, "Record type is not allowed in TLS 1.3");
			break;
		}
		info_add(pk, "Change Cipher Spec");
		tq_set_label(pk, rec, "%s Record Layer: Change Cipher Spec Protocol: Change Cipher Spec",
		    version_short(sv, "SSL"));
		{
			struct tq_node *c = add(x, rec, &hf_ccs, off, 1);
			if (x->c && x->pass1) {
				if (!x->c->ccs_key[fs])
					x->c->ccs_key[fs] = key;
				if (x->c->version != V_TLS13 && !x->c->ccs_frame[fs])
					x->c->ccs_frame[fs] = pk->num;
				if (x->c->version != V_TLS13 && x->from_server && x->c->resumed &&
				    !x->c->resumed_ccs_frame)
					x->c->resumed_ccs_frame = pk->num;
			}
			if (x->c && sv != V_TLS13 && x->from_server && x->c->resumed_ccs_frame == pk->num)
				tq_expert(pk, c, &ei_resumed, NULL);
		}
		break;
	case CT_ALERT:
		alert(x, rec, off, rlen);
		encrypted = x->c && x->c->ccs_key[fs] && key > x->c->ccs_key[fs];
		break;
	case CT_HANDSHAKE:
		handshake(x, rec, off, off + rlen, version, key);
		encrypted = x->c && x->c->ccs_key[fs] && key > x->c->ccs_key[fs];
		break;
	case CT_APP_DATA: {
		info_add(pk, "Application Data");
		const char *ap = app_proto(x);
		const char *ctname = tq_vals_find(tq_tls_content_type_vals, ct);
		tq_set_label(pk, rec, "%s Record Layer: %s Protocol: %s", version_short(version, "SSL"),
		    ctname, ap ? ap : "Application Data");
		add(x, rec, &hf_app_data, off, rlen);
		if (ap && !x->cut)
			tq_gen(tq_add_str(pk, rec, &hf_app_proto, s, 0, 0, ap));
		encrypted = 1;
		break;
	}
	case CT_HEARTBEAT:
		if (version == V_TLS13) {
			tq_expert(pk, ctn, &ei_unexpected, "Record type is not allowed in TLS 1.3");
			break;
		}
		{
			uint8_t ht = u8(s, off);
			uint16_t pl = u16(s, off + 1);
			int plain = !(x->c && x->c->ccs_key[fs] && key > x->c->ccs_key[fs]);
			if (rlen <= 19u || 3u + pl + 16 <= rlen)
				plain = 1;
			struct tq_node *hb = add(x, rec, &hf_hb, off, rlen);
			(void)hb;
			if ((ht == 1 || ht == 2) && plain) {
				char buf[64];
				snprintf(buf, sizeof(buf), "Heartbeat %s", ht == 1 ? "Request" : "Response");
				info_add(pk, buf);
				tq_set_label(pk, rec, "%s Record Layer: Heartbeat %s", version_short(sv, "SSL"),
				    ht == 1 ? "Request" : "Response");
			} else {
				info_add(pk, "Encrypted Heartbeat");
				encrypted = 1;
			}
		}
		break;
	default:
		break;
	}
	if (sv == V_TLS13 && ct == CT_APP_DATA)
		encrypted = 1;
	if (!x->cut)
		TQ_HIDDEN(pk, tq_add_gen(pk, rec, &hf_encrypted, s, off - 5, encrypted));
	*offp = off + rlen;
	return REC_DONE;
}

/* ssl_looks_like_sslv3 */
static int
looks_like_sslv3(const struct tq_slice *s, uint32_t off)
{
	if (!valid_content_type(u8(s, off)))
		return 0;
	uint16_t v = u16(s, off + 1);
	return v == V_SSL3 || v == V_TLS10 || v == V_TLS11 || v == V_TLS12 || v == V_TLCP;
}

static struct tls_conn *
conn_of(struct tq_pkt *pk)
{
	if (!pk->tcp || !pk->tcp->app_state)
		return NULL;
	struct tls_conn *c = *pk->tcp->app_state;
	if (!c && pk->pass == 1) {
		c = tq_arena_alloc(&pk->cap->state, sizeof(*c));
		if (!c)
			return NULL;
		c->server_dir = -1;
		*pk->tcp->app_state = c;
	}
	return c;
}

/* ssl_packet_from_server */
static int
from_server(struct tq_pkt *pk, const struct tls_conn *c)
{
	if (c && c->server_dir >= 0 && pk->tcp)
		return pk->tcp->dir == c->server_dir;
	if (pk->tcp && pk->tcp->inner)
		return !pk->tcp->from_client;
	return port_proto(pk->sport) != NULL;
}

/* A read past the bytes (x->cut): Wireshark's exception ends the frame's dissection here. */
static int
stop(struct tq_pkt *pk, const struct tls_ctx *x)
{
	const char *proto = x->cut_proto ? x->cut_proto : "TLS";
	if (x->cut == TQ_EMALFORMED)
		tq_malformed(pk, proto);
	else
		tq_truncated(pk, proto);
	return (int)x->s->len;
}

int
tq_dissect_tls(struct tq_pkt *pk, struct tq_slice *s)
{
	/* four printable characters: not TLS (a plaintext protocol, or a stream caught midway) */
	if (s->len > 4) {
		int printable = 1;
		for (int i = 0; i < 4; i++)
			if (s->p[i] < 0x20 || s->p[i] > 0x7e)
				printable = 0;
		if (printable)
			return tq_dissect_data(pk, s);
	}
	struct tls_ctx x;
	memset(&x, 0, sizeof(x));
	x.pk = pk;
	x.s = s;
	x.lim = s->rlen;
	x.c = conn_of(pk);
	x.pass1 = pk->pass == 1;
	x.from_server = from_server(pk, x.c);

	uint16_t sv = x.c ? x.c->version : 0;
	tq_col_proto(pk, version_short(sv, "SSL"));
	tq_col_info_clear(pk);
	struct tq_node *t = tq_add_proto(pk, tq_root(pk), &hf_tls, s, 0, s->len);

	uint32_t off = 0;
	while (off < s->rlen) {
		sv = x.c ? x.c->version : 0;
		uint32_t left = s->rlen - off;
		if (left < 5) {
			if (pk->tcp && pk->tcp->can_desegment) {
				pk->deseg_offset = off;
				pk->deseg_len = TQ_DESEG_ONE_MORE;
				return (int)off;
			}
			off = s->rlen;
			break;
		}
		int r;
		int known = sv == V_SSL3 || sv == V_TLS10 || sv == V_TLS11 || sv == V_TLS12 || sv == V_TLCP;
		if (!known && !readable(&x, off, 3)) {
			/* the reads that look for a record header go past the captured bytes */
			return stop(pk, &x);
		}
		if (known || looks_like_sslv3(s, off)) {
			r = record(&x, t, &off);
		} else {
			/* SSLv2 and anything else: the rest is continuation data */
			off = s->rlen;
			info_add(pk, "Continuation Data");
			r = REC_DONE;
		}
		if (r == REC_DESEG)
			return (int)pk->deseg_offset;
		if (x.cut)
			return stop(pk, &x);
	}
	tq_col_info_fence(pk);
	return (int)(off < s->rlen ? off : s->rlen);
}

/* ------------------------------------------------------------------ signed certificate timestamps */

/* ct_logids: the logs Wireshark 4.0 names (its packet-tls-utils.c table, by log ID). */
struct ct_log { uint8_t id[32]; const char *name; };
/* Generated from Wireshark's ct_logids table (tools/make-tls-ct-logids.py, 83 entries). */
static const struct ct_log ct_logs[] = {
	{ { 0xfa, 0xd4, 0xc9, 0x7c, 0xc4, 0x9e, 0xe2, 0xf8, 0xac, 0x85, 0xc5, 0xea, 0x5c, 0xea, 0x09, 0xd0,
	    0x22, 0x0d, 0xbb, 0xf4, 0xe4, 0x9c, 0x6b, 0x50, 0x66, 0x2f, 0xf8, 0x68, 0xf8, 0x6b, 0x8c, 0x28 },
	  "Google 'Argon2017' log" },
	{ { 0xa4, 0x50, 0x12, 0x69, 0x05, 0x5a, 0x15, 0x54, 0x5e, 0x62, 0x11, 0xab, 0x37, 0xbc, 0x10, 0x3f,
	    0x62, 0xae, 0x55, 0x76, 0xa4, 0x5e, 0x4b, 0x17, 0x14, 0x45, 0x3e, 0x1b, 0x22, 0x10, 0x6a, 0x25 },
	  "Google 'Argon2018' log" },
	{ { 0x63, 0xf2, 0xdb, 0xcd, 0xe8, 0x3b, 0xcc, 0x2c, 0xcf, 0x0b, 0x72, 0x84, 0x27, 0x57, 0x6b, 0x33,
	    0xa4, 0x8d, 0x61, 0x77, 0x8f, 0xbd, 0x75, 0xa6, 0x38, 0xb1, 0xc7, 0x68, 0x54, 0x4b, 0xd8, 0x8d },
	  "Google 'Argon2019' log" },
	{ { 0xb2, 0x1e, 0x05, 0xcc, 0x8b, 0xa2, 0xcd, 0x8a, 0x20, 0x4e, 0x87, 0x66, 0xf9, 0x2b, 0xb9, 0x8a,
	    0x25, 0x20, 0x67, 0x6b, 0xda, 0xfa, 0x70, 0xe7, 0xb2, 0x49, 0x53, 0x2d, 0xef, 0x8b, 0x90, 0x5e },
	  "Google 'Argon2020' log" },
	{ { 0xf6, 0x5c, 0x94, 0x2f, 0xd1, 0x77, 0x30, 0x22, 0x14, 0x54, 0x18, 0x08, 0x30, 0x94, 0x56, 0x8e,
	    0xe3, 0x4d, 0x13, 0x19, 0x33, 0xbf, 0xdf, 0x0c, 0x2f, 0x20, 0x0b, 0xcc, 0x4e, 0xf1, 0x64, 0xe3 },
	  "Google 'Argon2021' log" },
	{ { 0x29, 0x79, 0xbe, 0xf0, 0x9e, 0x39, 0x39, 0x21, 0xf0, 0x56, 0x73, 0x9f, 0x63, 0xa5, 0x77, 0xe5,
	    0xbe, 0x57, 0x7d, 0x9c, 0x60, 0x0a, 0xf8, 0xf9, 0x4d, 0x5d, 0x26, 0x5c, 0x25, 0x5d, 0xc7, 0x84 },
	  "Google 'Argon2022' log" },
	{ { 0xe8, 0x3e, 0xd0, 0xda, 0x3e, 0xf5, 0x06, 0x35, 0x32, 0xe7, 0x57, 0x28, 0xbc, 0x89, 0x6b, 0xc9,
	    0x03, 0xd3, 0xcb, 0xd1, 0x11, 0x6b, 0xec, 0xeb, 0x69, 0xe1, 0x77, 0x7d, 0x6d, 0x06, 0xbd, 0x6e },
	  "Google 'Argon2023' log" },
	{ { 0xb1, 0x0c, 0xd5, 0x59, 0xa6, 0xd6, 0x78, 0x46, 0x81, 0x1f, 0x7d, 0xf9, 0xa5, 0x15, 0x32, 0x73,
	    0x9a, 0xc4, 0x8d, 0x70, 0x3b, 0xea, 0x03, 0x23, 0xda, 0x5d, 0x38, 0x75, 0x5b, 0xc0, 0xad, 0x4e },
	  "Google 'Xenon2018' log" },
	{ { 0x08, 0x41, 0x14, 0x98, 0x00, 0x71, 0x53, 0x2c, 0x16, 0x19, 0x04, 0x60, 0xbc, 0xfc, 0x47, 0xfd,
	    0xc2, 0x65, 0x3a, 0xfa, 0x29, 0x2c, 0x72, 0xb3, 0x7f, 0xf8, 0x63, 0xae, 0x29, 0xcc, 0xc9, 0xf0 },
	  "Google 'Xenon2019' log" },
	{ { 0x07, 0xb7, 0x5c, 0x1b, 0xe5, 0x7d, 0x68, 0xff, 0xf1, 0xb0, 0xc6, 0x1d, 0x23, 0x15, 0xc7, 0xba,
	    0xe6, 0x57, 0x7c, 0x57, 0x94, 0xb7, 0x6a, 0xee, 0xbc, 0x61, 0x3a, 0x1a, 0x69, 0xd3, 0xa2, 0x1c },
	  "Google 'Xenon2020' log" },
	{ { 0x7d, 0x3e, 0xf2, 0xf8, 0x8f, 0xff, 0x88, 0x55, 0x68, 0x24, 0xc2, 0xc0, 0xca, 0x9e, 0x52, 0x89,
	    0x79, 0x2b, 0xc5, 0x0e, 0x78, 0x09, 0x7f, 0x2e, 0x6a, 0x97, 0x68, 0x99, 0x7e, 0x22, 0xf0, 0xd7 },
	  "Google 'Xenon2021' log" },
	{ { 0x46, 0xa5, 0x55, 0xeb, 0x75, 0xfa, 0x91, 0x20, 0x30, 0xb5, 0xa2, 0x89, 0x69, 0xf4, 0xf3, 0x7d,
	    0x11, 0x2c, 0x41, 0x74, 0xbe, 0xfd, 0x49, 0xb8, 0x85, 0xab, 0xf2, 0xfc, 0x70, 0xfe, 0x6d, 0x47 },
	  "Google 'Xenon2022' log" },
	{ { 0xad, 0xf7, 0xbe, 0xfa, 0x7c, 0xff, 0x10, 0xc8, 0x8b, 0x9d, 0x3d, 0x9c, 0x1e, 0x3e, 0x18, 0x6a,
	    0xb4, 0x67, 0x29, 0x5d, 0xcf, 0xb1, 0x0c, 0x24, 0xca, 0x85, 0x86, 0x34, 0xeb, 0xdc, 0x82, 0x8a },
	  "Google 'Xenon2023' log" },
	{ { 0x68, 0xf6, 0x98, 0xf8, 0x1f, 0x64, 0x82, 0xbe, 0x3a, 0x8c, 0xee, 0xb9, 0x28, 0x1d, 0x4c, 0xfc,
	    0x71, 0x51, 0x5d, 0x67, 0x93, 0xd4, 0x44, 0xd1, 0x0a, 0x67, 0xac, 0xbb, 0x4f, 0x4f, 0xfb, 0xc4 },
	  "Google 'Aviator' log" },
	{ { 0x29, 0x3c, 0x51, 0x96, 0x54, 0xc8, 0x39, 0x65, 0xba, 0xaa, 0x50, 0xfc, 0x58, 0x07, 0xd4, 0xb7,
	    0x6f, 0xbf, 0x58, 0x7a, 0x29, 0x72, 0xdc, 0xa4, 0xc3, 0x0c, 0xf4, 0xe5, 0x45, 0x47, 0xf4, 0x78 },
	  "Google 'Icarus' log" },
	{ { 0xa4, 0xb9, 0x09, 0x90, 0xb4, 0x18, 0x58, 0x14, 0x87, 0xbb, 0x13, 0xa2, 0xcc, 0x67, 0x70, 0x0a,
	    0x3c, 0x35, 0x98, 0x04, 0xf9, 0x1b, 0xdf, 0xb8, 0xe3, 0x77, 0xcd, 0x0e, 0xc8, 0x0d, 0xdc, 0x10 },
	  "Google 'Pilot' log" },
	{ { 0xee, 0x4b, 0xbd, 0xb7, 0x75, 0xce, 0x60, 0xba, 0xe1, 0x42, 0x69, 0x1f, 0xab, 0xe1, 0x9e, 0x66,
	    0xa3, 0x0f, 0x7e, 0x5f, 0xb0, 0x72, 0xd8, 0x83, 0x00, 0xc4, 0x7b, 0x89, 0x7a, 0xa8, 0xfd, 0xcb },
	  "Google 'Rocketeer' log" },
	{ { 0xbb, 0xd9, 0xdf, 0xbc, 0x1f, 0x8a, 0x71, 0xb5, 0x93, 0x94, 0x23, 0x97, 0xaa, 0x92, 0x7b, 0x47,
	    0x38, 0x57, 0x95, 0x0a, 0xab, 0x52, 0xe8, 0x1a, 0x90, 0x96, 0x64, 0x36, 0x8e, 0x1e, 0xd1, 0x85 },
	  "Google 'Skydiver' log" },
	{ { 0xa8, 0x99, 0xd8, 0x78, 0x0c, 0x92, 0x90, 0xaa, 0xf4, 0x62, 0xf3, 0x18, 0x80, 0xcc, 0xfb, 0xd5,
	    0x24, 0x51, 0xe9, 0x70, 0xd0, 0xfb, 0xf5, 0x91, 0xef, 0x75, 0xb0, 0xd9, 0x9b, 0x64, 0x56, 0x81 },
	  "Google 'Submariner' log" },
	{ { 0x1d, 0x02, 0x4b, 0x8e, 0xb1, 0x49, 0x8b, 0x34, 0x4d, 0xfd, 0x87, 0xea, 0x3e, 0xfc, 0x09, 0x96,
	    0xf7, 0x50, 0x6f, 0x23, 0x5d, 0x1d, 0x49, 0x70, 0x61, 0xa4, 0x77, 0x3c, 0x43, 0x9c, 0x25, 0xfb },
	  "Google 'Daedalus' log" },
	{ { 0xb0, 0xcc, 0x83, 0xe5, 0xa5, 0xf9, 0x7d, 0x6b, 0xaf, 0x7c, 0x09, 0xcc, 0x28, 0x49, 0x04, 0x87,
	    0x2a, 0xc7, 0xe8, 0x8b, 0x13, 0x2c, 0x63, 0x50, 0xb7, 0xc6, 0xfd, 0x26, 0xe1, 0x6c, 0x6c, 0x77 },
	  "Google 'Testtube' log" },
	{ { 0xc3, 0xbf, 0x03, 0xa7, 0xe1, 0xca, 0x88, 0x41, 0xc6, 0x07, 0xba, 0xe3, 0xff, 0x42, 0x70, 0xfc,
	    0xa5, 0xec, 0x45, 0xb1, 0x86, 0xeb, 0xbe, 0x4e, 0x2c, 0xf3, 0xfc, 0x77, 0x86, 0x30, 0xf5, 0xf6 },
	  "Google 'Crucible' log" },
	{ { 0x52, 0xeb, 0x4b, 0x22, 0x5e, 0xc8, 0x96, 0x97, 0x48, 0x50, 0x67, 0x5f, 0x23, 0xe4, 0x3b, 0xc1,
	    0xd0, 0x21, 0xe3, 0x21, 0x4c, 0xe5, 0x2e, 0xcd, 0x5f, 0xa8, 0x7c, 0x20, 0x3c, 0xdf, 0xca, 0x03 },
	  "Google 'Solera2018' log" },
	{ { 0x0b, 0x76, 0x0e, 0x9a, 0x8b, 0x9a, 0x68, 0x2f, 0x88, 0x98, 0x5b, 0x15, 0xe9, 0x47, 0x50, 0x1a,
	    0x56, 0x44, 0x6b, 0xba, 0x88, 0x30, 0x78, 0x5c, 0x38, 0x42, 0x99, 0x43, 0x86, 0x45, 0x0c, 0x00 },
	  "Google 'Solera2019' log" },
	{ { 0x1f, 0xc7, 0x2c, 0xe5, 0xa1, 0xb7, 0x99, 0xf4, 0x00, 0xc3, 0x59, 0xbf, 0xf9, 0x6c, 0xa3, 0x91,
	    0x35, 0x48, 0xe8, 0x64, 0x42, 0x20, 0x61, 0x09, 0x52, 0xe9, 0xba, 0x17, 0x74, 0xf7, 0xba, 0xc7 },
	  "Google 'Solera2020' log" },
	{ { 0xa3, 0xc9, 0x98, 0x45, 0xe8, 0x0a, 0xb7, 0xce, 0x00, 0x15, 0x7b, 0x37, 0x42, 0xdf, 0x02, 0x07,
	    0xdd, 0x27, 0x2b, 0x2b, 0x60, 0x2e, 0xcf, 0x98, 0xee, 0x2c, 0x12, 0xdb, 0x9c, 0x5a, 0xe7, 0xe7 },
	  "Google 'Solera2021' log" },
	{ { 0x69, 0x7a, 0xaf, 0xca, 0x1a, 0x6b, 0x53, 0x6f, 0xae, 0x21, 0x20, 0x50, 0x46, 0xde, 0xba, 0xd7,
	    0xe0, 0xea, 0xea, 0x13, 0xd2, 0x43, 0x2e, 0x6e, 0x9d, 0x8f, 0xb3, 0x79, 0xf2, 0xb9, 0xaa, 0xf3 },
	  "Google 'Solera2022' log" },
	{ { 0xf9, 0x7e, 0x97, 0xb8, 0xd3, 0x3e, 0xf7, 0xa1, 0x59, 0x02, 0xa5, 0x3a, 0x19, 0xe1, 0x79, 0x90,
	    0xe5, 0xdc, 0x40, 0x6a, 0x03, 0x18, 0x25, 0xba, 0xad, 0x93, 0xe9, 0x8f, 0x9b, 0x9c, 0x69, 0xcb },
	  "Google 'Solera2023' log" },
	{ { 0x1f, 0xbc, 0x36, 0xe0, 0x02, 0xed, 0xe9, 0x7f, 0x40, 0x19, 0x9e, 0x86, 0xb3, 0x57, 0x3b, 0x8a,
	    0x42, 0x17, 0xd8, 0x01, 0x87, 0x74, 0x6a, 0xd0, 0xda, 0x03, 0xa0, 0x60, 0x54, 0xd2, 0x0d, 0xf4 },
	  "Cloudflare 'Nimbus2017' Log" },
	{ { 0xdb, 0x74, 0xaf, 0xee, 0xcb, 0x29, 0xec, 0xb1, 0xfe, 0xca, 0x3e, 0x71, 0x6d, 0x2c, 0xe5, 0xb9,
	    0xaa, 0xbb, 0x36, 0xf7, 0x84, 0x71, 0x83, 0xc7, 0x5d, 0x9d, 0x4f, 0x37, 0xb6, 0x1f, 0xbf, 0x64 },
	  "Cloudflare 'Nimbus2018' Log" },
	{ { 0x74, 0x7e, 0xda, 0x83, 0x31, 0xad, 0x33, 0x10, 0x91, 0x21, 0x9c, 0xce, 0x25, 0x4f, 0x42, 0x70,
	    0xc2, 0xbf, 0xfd, 0x5e, 0x42, 0x20, 0x08, 0xc6, 0x37, 0x35, 0x79, 0xe6, 0x10, 0x7b, 0xcc, 0x56 },
	  "Cloudflare 'Nimbus2019' Log" },
	{ { 0x5e, 0xa7, 0x73, 0xf9, 0xdf, 0x56, 0xc0, 0xe7, 0xb5, 0x36, 0x48, 0x7d, 0xd0, 0x49, 0xe0, 0x32,
	    0x7a, 0x91, 0x9a, 0x0c, 0x84, 0xa1, 0x12, 0x12, 0x84, 0x18, 0x75, 0x96, 0x81, 0x71, 0x45, 0x58 },
	  "Cloudflare 'Nimbus2020' Log" },
	{ { 0x44, 0x94, 0x65, 0x2e, 0xb0, 0xee, 0xce, 0xaf, 0xc4, 0x40, 0x07, 0xd8, 0xa8, 0xfe, 0x28, 0xc0,
	    0xda, 0xe6, 0x82, 0xbe, 0xd8, 0xcb, 0x31, 0xb5, 0x3f, 0xd3, 0x33, 0x96, 0xb5, 0xb6, 0x81, 0xa8 },
	  "Cloudflare 'Nimbus2021' Log" },
	{ { 0x41, 0xc8, 0xca, 0xb1, 0xdf, 0x22, 0x46, 0x4a, 0x10, 0xc6, 0xa1, 0x3a, 0x09, 0x42, 0x87, 0x5e,
	    0x4e, 0x31, 0x8b, 0x1b, 0x03, 0xeb, 0xeb, 0x4b, 0xc7, 0x68, 0xf0, 0x90, 0x62, 0x96, 0x06, 0xf6 },
	  "Cloudflare 'Nimbus2022' Log" },
	{ { 0x7a, 0x32, 0x8c, 0x54, 0xd8, 0xb7, 0x2d, 0xb6, 0x20, 0xea, 0x38, 0xe0, 0x52, 0x1e, 0xe9, 0x84,
	    0x16, 0x70, 0x32, 0x13, 0x85, 0x4d, 0x3b, 0xd2, 0x2b, 0xc1, 0x3a, 0x57, 0xa3, 0x52, 0xeb, 0x52 },
	  "Cloudflare 'Nimbus2023' Log" },
	{ { 0x56, 0x14, 0x06, 0x9a, 0x2f, 0xd7, 0xc2, 0xec, 0xd3, 0xf5, 0xe1, 0xbd, 0x44, 0xb2, 0x3e, 0xc7,
	    0x46, 0x76, 0xb9, 0xbc, 0x99, 0x11, 0x5c, 0xc0, 0xef, 0x94, 0x98, 0x55, 0xd6, 0x89, 0xd0, 0xdd },
	  "DigiCert Log Server" },
	{ { 0x87, 0x75, 0xbf, 0xe7, 0x59, 0x7c, 0xf8, 0x8c, 0x43, 0x99, 0x5f, 0xbd, 0xf3, 0x6e, 0xff, 0x56,
	    0x8d, 0x47, 0x56, 0x36, 0xff, 0x4a, 0xb5, 0x60, 0xc1, 0xb4, 0xea, 0xff, 0x5e, 0xa0, 0x83, 0x0f },
	  "DigiCert Log Server 2" },
	{ { 0xc1, 0x16, 0x4a, 0xe0, 0xa7, 0x72, 0xd2, 0xd4, 0x39, 0x2d, 0xc8, 0x0a, 0xc1, 0x07, 0x70, 0xd4,
	    0xf0, 0xc4, 0x9b, 0xde, 0x99, 0x1a, 0x48, 0x40, 0xc1, 0xfa, 0x07, 0x51, 0x64, 0xf6, 0x33, 0x60 },
	  "DigiCert Yeti2018 Log" },
	{ { 0xe2, 0x69, 0x4b, 0xae, 0x26, 0xe8, 0xe9, 0x40, 0x09, 0xe8, 0x86, 0x1b, 0xb6, 0x3b, 0x83, 0xd4,
	    0x3e, 0xe7, 0xfe, 0x74, 0x88, 0xfb, 0xa4, 0x8f, 0x28, 0x93, 0x01, 0x9d, 0xdd, 0xf1, 0xdb, 0xfe },
	  "DigiCert Yeti2019 Log" },
	{ { 0xf0, 0x95, 0xa4, 0x59, 0xf2, 0x00, 0xd1, 0x82, 0x40, 0x10, 0x2d, 0x2f, 0x93, 0x88, 0x8e, 0xad,
	    0x4b, 0xfe, 0x1d, 0x47, 0xe3, 0x99, 0xe1, 0xd0, 0x34, 0xa6, 0xb0, 0xa8, 0xaa, 0x8e, 0xb2, 0x73 },
	  "DigiCert Yeti2020 Log" },
	{ { 0x5c, 0xdc, 0x43, 0x92, 0xfe, 0xe6, 0xab, 0x45, 0x44, 0xb1, 0x5e, 0x9a, 0xd4, 0x56, 0xe6, 0x10,
	    0x37, 0xfb, 0xd5, 0xfa, 0x47, 0xdc, 0xa1, 0x73, 0x94, 0xb2, 0x5e, 0xe6, 0xf6, 0xc7, 0x0e, 0xca },
	  "DigiCert Yeti2021 Log" },
	{ { 0x22, 0x45, 0x45, 0x07, 0x59, 0x55, 0x24, 0x56, 0x96, 0x3f, 0xa1, 0x2f, 0xf1, 0xf7, 0x6d, 0x86,
	    0xe0, 0x23, 0x26, 0x63, 0xad, 0xc0, 0x4b, 0x7f, 0x5d, 0xc6, 0x83, 0x5c, 0x6e, 0xe2, 0x0f, 0x02 },
	  "DigiCert Yeti2022 Log" },
	{ { 0x35, 0xcf, 0x19, 0x1b, 0xbf, 0xb1, 0x6c, 0x57, 0xbf, 0x0f, 0xad, 0x4c, 0x6d, 0x42, 0xcb, 0xbb,
	    0xb6, 0x27, 0x20, 0x26, 0x51, 0xea, 0x3f, 0xe1, 0x2a, 0xef, 0xa8, 0x03, 0xc3, 0x3b, 0xd6, 0x4c },
	  "DigiCert Yeti2023 Log" },
	{ { 0x6f, 0xf1, 0x41, 0xb5, 0x64, 0x7e, 0x42, 0x22, 0xf7, 0xef, 0x05, 0x2c, 0xef, 0xae, 0x7c, 0x21,
	    0xfd, 0x60, 0x8e, 0x27, 0xd2, 0xaf, 0x5a, 0x6e, 0x9f, 0x4b, 0x8a, 0x37, 0xd6, 0x63, 0x3e, 0xe5 },
	  "DigiCert Nessie2018 Log" },
	{ { 0xfe, 0x44, 0x61, 0x08, 0xb1, 0xd0, 0x1a, 0xb7, 0x8a, 0x62, 0xcc, 0xfe, 0xab, 0x6a, 0xb2, 0xb2,
	    0xba, 0xbf, 0xf3, 0xab, 0xda, 0xd8, 0x0a, 0x4d, 0x8b, 0x30, 0xdf, 0x2d, 0x00, 0x08, 0x83, 0x0c },
	  "DigiCert Nessie2019 Log" },
	{ { 0xc6, 0x52, 0xa0, 0xec, 0x48, 0xce, 0xb3, 0xfc, 0xab, 0x17, 0x09, 0x92, 0xc4, 0x3a, 0x87, 0x41,
	    0x33, 0x09, 0xe8, 0x00, 0x65, 0xa2, 0x62, 0x52, 0x40, 0x1b, 0xa3, 0x36, 0x2a, 0x17, 0xc5, 0x65 },
	  "DigiCert Nessie2020 Log" },
	{ { 0xee, 0xc0, 0x95, 0xee, 0x8d, 0x72, 0x64, 0x0f, 0x92, 0xe3, 0xc3, 0xb9, 0x1b, 0xc7, 0x12, 0xa3,
	    0x69, 0x6a, 0x09, 0x7b, 0x4b, 0x6a, 0x1a, 0x14, 0x38, 0xe6, 0x47, 0xb2, 0xcb, 0xed, 0xc5, 0xf9 },
	  "DigiCert Nessie2021 Log" },
	{ { 0x51, 0xa3, 0xb0, 0xf5, 0xfd, 0x01, 0x79, 0x9c, 0x56, 0x6d, 0xb8, 0x37, 0x78, 0x8f, 0x0c, 0xa4,
	    0x7a, 0xcc, 0x1b, 0x27, 0xcb, 0xf7, 0x9e, 0x88, 0x42, 0x9a, 0x0d, 0xfe, 0xd4, 0x8b, 0x05, 0xe5 },
	  "DigiCert Nessie2022 Log" },
	{ { 0xb3, 0x73, 0x77, 0x07, 0xe1, 0x84, 0x50, 0xf8, 0x63, 0x86, 0xd6, 0x05, 0xa9, 0xdc, 0x11, 0x09,
	    0x4a, 0x79, 0x2d, 0xb1, 0x67, 0x0c, 0x0b, 0x87, 0xdc, 0xf0, 0x03, 0x0e, 0x79, 0x36, 0xa5, 0x9a },
	  "DigiCert Nessie2023 Log" },
	{ { 0xdd, 0xeb, 0x1d, 0x2b, 0x7a, 0x0d, 0x4f, 0xa6, 0x20, 0x8b, 0x81, 0xad, 0x81, 0x68, 0x70, 0x7e,
	    0x2e, 0x8e, 0x9d, 0x01, 0xd5, 0x5c, 0x88, 0x8d, 0x3d, 0x11, 0xc4, 0xcd, 0xb6, 0xec, 0xbe, 0xcc },
	  "Symantec log" },
	{ { 0xbc, 0x78, 0xe1, 0xdf, 0xc5, 0xf6, 0x3c, 0x68, 0x46, 0x49, 0x33, 0x4d, 0xa1, 0x0f, 0xa1, 0x5f,
	    0x09, 0x79, 0x69, 0x20, 0x09, 0xc0, 0x81, 0xb4, 0xf3, 0xf6, 0x91, 0x7f, 0x3e, 0xd9, 0xb8, 0xa5 },
	  "Symantec 'Vega' log" },
	{ { 0xa7, 0xce, 0x4a, 0x4e, 0x62, 0x07, 0xe0, 0xad, 0xde, 0xe5, 0xfd, 0xaa, 0x4b, 0x1f, 0x86, 0x76,
	    0x87, 0x67, 0xb5, 0xd0, 0x02, 0xa5, 0x5d, 0x47, 0x31, 0x0e, 0x7e, 0x67, 0x0a, 0x95, 0xea, 0xb2 },
	  "Symantec Deneb" },
	{ { 0x15, 0x97, 0x04, 0x88, 0xd7, 0xb9, 0x97, 0xa0, 0x5b, 0xeb, 0x52, 0x51, 0x2a, 0xde, 0xe8, 0xd2,
	    0xe8, 0xb4, 0xa3, 0x16, 0x52, 0x64, 0x12, 0x1a, 0x9f, 0xab, 0xfb, 0xd5, 0xf8, 0x5a, 0xd9, 0x3f },
	  "Symantec 'Sirius' log" },
	{ { 0xcd, 0xb5, 0x17, 0x9b, 0x7f, 0xc1, 0xc0, 0x46, 0xfe, 0xea, 0x31, 0x13, 0x6a, 0x3f, 0x8f, 0x00,
	    0x2e, 0x61, 0x82, 0xfa, 0xf8, 0x89, 0x6f, 0xec, 0xc8, 0xb2, 0xf5, 0xb5, 0xab, 0x60, 0x49, 0x00 },
	  "Certly.IO log" },
	{ { 0x74, 0x61, 0xb4, 0xa0, 0x9c, 0xfb, 0x3d, 0x41, 0xd7, 0x51, 0x59, 0x57, 0x5b, 0x2e, 0x76, 0x49,
	    0xa4, 0x45, 0xa8, 0xd2, 0x77, 0x09, 0xb0, 0xcc, 0x56, 0x4a, 0x64, 0x82, 0xb7, 0xeb, 0x41, 0xa3 },
	  "Izenpe log" },
	{ { 0x89, 0x41, 0x44, 0x9c, 0x70, 0x74, 0x2e, 0x06, 0xb9, 0xfc, 0x9c, 0xe7, 0xb1, 0x16, 0xba, 0x00,
	    0x24, 0xaa, 0x36, 0xd5, 0x9a, 0xf4, 0x4f, 0x02, 0x04, 0x40, 0x4f, 0x00, 0xf7, 0xea, 0x85, 0x66 },
	  "Izenpe 'Argi' log" },
	{ { 0x9e, 0x4f, 0xf7, 0x3d, 0xc3, 0xce, 0x22, 0x0b, 0x69, 0x21, 0x7c, 0x89, 0x9e, 0x46, 0x80, 0x76,
	    0xab, 0xf8, 0xd7, 0x86, 0x36, 0xd5, 0xcc, 0xfc, 0x85, 0xa3, 0x1a, 0x75, 0x62, 0x8b, 0xa8, 0x8b },
	  "WoSign CT log #1" },
	{ { 0x41, 0xb2, 0xdc, 0x2e, 0x89, 0xe6, 0x3c, 0xe4, 0xaf, 0x1b, 0xa7, 0xbb, 0x29, 0xbf, 0x68, 0xc6,
	    0xde, 0xe6, 0xf9, 0xf1, 0xcc, 0x04, 0x7e, 0x30, 0xdf, 0xfa, 0xe3, 0xb3, 0xba, 0x25, 0x92, 0x63 },
	  "WoSign log" },
	{ { 0x63, 0xd0, 0x00, 0x60, 0x26, 0xdd, 0xe1, 0x0b, 0xb0, 0x60, 0x1f, 0x45, 0x24, 0x46, 0x96, 0x5e,
	    0xe2, 0xb6, 0xea, 0x2c, 0xd4, 0xfb, 0xc9, 0x5a, 0xc8, 0x66, 0xa5, 0x50, 0xaf, 0x90, 0x75, 0xb7 },
	  "WoSign log 2" },
	{ { 0xc9, 0xcf, 0x89, 0x0a, 0x21, 0x10, 0x9c, 0x66, 0x6c, 0xc1, 0x7a, 0x3e, 0xd0, 0x65, 0xc9, 0x30,
	    0xd0, 0xe0, 0x13, 0x5a, 0x9f, 0xeb, 0xa8, 0x5a, 0xf1, 0x42, 0x10, 0xb8, 0x07, 0x24, 0x21, 0xaa },
	  "GDCA CT log #1" },
	{ { 0x92, 0x4a, 0x30, 0xf9, 0x09, 0x33, 0x6f, 0xf4, 0x35, 0xd6, 0x99, 0x3a, 0x10, 0xac, 0x75, 0xa2,
	    0xc6, 0x41, 0x72, 0x8e, 0x7f, 0xc2, 0xd6, 0x59, 0xae, 0x61, 0x88, 0xff, 0xad, 0x40, 0xce, 0x01 },
	  "GDCA CT log #2" },
	{ { 0x71, 0x7e, 0xa7, 0x42, 0x09, 0x75, 0xbe, 0x84, 0xa2, 0x72, 0x35, 0x53, 0xf1, 0x77, 0x7c, 0x26,
	    0xdd, 0x51, 0xaf, 0x4e, 0x10, 0x21, 0x44, 0x09, 0x4d, 0x90, 0x19, 0xb4, 0x62, 0xfb, 0x66, 0x68 },
	  "GDCA Log 1" },
	{ { 0x14, 0x30, 0x8d, 0x90, 0xcc, 0xd0, 0x30, 0x13, 0x50, 0x05, 0xc0, 0x1c, 0xa5, 0x26, 0xd8, 0x1e,
	    0x84, 0xe8, 0x76, 0x24, 0xe3, 0x9b, 0x62, 0x48, 0xe0, 0x8f, 0x72, 0x4a, 0xea, 0x3b, 0xb4, 0x2a },
	  "GDCA Log 2" },
	{ { 0xdb, 0x76, 0xfd, 0xad, 0xac, 0x65, 0xe7, 0xd0, 0x95, 0x08, 0x88, 0x6e, 0x21, 0x59, 0xbd, 0x8b,
	    0x90, 0x35, 0x2f, 0x5f, 0xea, 0xd3, 0xe3, 0xdc, 0x5e, 0x22, 0xeb, 0x35, 0x0a, 0xcc, 0x7b, 0x98 },
	  "Sectigo 'Dodo' CT log" },
	{ { 0x55, 0x81, 0xd4, 0xc2, 0x16, 0x90, 0x36, 0x01, 0x4a, 0xea, 0x0b, 0x9b, 0x57, 0x3c, 0x53, 0xf0,
	    0xc0, 0xe4, 0x38, 0x78, 0x70, 0x25, 0x08, 0x17, 0x2f, 0xa3, 0xaa, 0x1d, 0x07, 0x13, 0xd3, 0x0c },
	  "Sectigo 'Sabre' CT log" },
	{ { 0x6f, 0x53, 0x76, 0xac, 0x31, 0xf0, 0x31, 0x19, 0xd8, 0x99, 0x00, 0xa4, 0x51, 0x15, 0xff, 0x77,
	    0x15, 0x1c, 0x11, 0xd9, 0x02, 0xc1, 0x00, 0x29, 0x06, 0x8d, 0xb2, 0x08, 0x9a, 0x37, 0xd9, 0x13 },
	  "Sectigo 'Mammoth' CT log" },
	{ { 0xac, 0x3b, 0x9a, 0xed, 0x7f, 0xa9, 0x67, 0x47, 0x57, 0x15, 0x9e, 0x6d, 0x7d, 0x57, 0x56, 0x72,
	    0xf9, 0xd9, 0x81, 0x00, 0x94, 0x1e, 0x9b, 0xde, 0xff, 0xec, 0xa1, 0x31, 0x3b, 0x75, 0x78, 0x2d },
	  "Venafi log" },
	{ { 0x03, 0x01, 0x9d, 0xf3, 0xfd, 0x85, 0xa6, 0x9a, 0x8e, 0xbd, 0x1f, 0xac, 0xc6, 0xda, 0x9b, 0xa7,
	    0x3e, 0x46, 0x97, 0x74, 0xfe, 0x77, 0xf5, 0x79, 0xfc, 0x5a, 0x08, 0xb8, 0x32, 0x8c, 0x1d, 0x6b },
	  "Venafi Gen2 CT log" },
	{ { 0xa5, 0x77, 0xac, 0x9c, 0xed, 0x75, 0x48, 0xdd, 0x8f, 0x02, 0x5b, 0x67, 0xa2, 0x41, 0x08, 0x9d,
	    0xf8, 0x6e, 0x0f, 0x47, 0x6e, 0xc2, 0x03, 0xc2, 0xec, 0xbe, 0xdb, 0x18, 0x5f, 0x28, 0x26, 0x38 },
	  "CNNIC CT log" },
	{ { 0x34, 0xbb, 0x6a, 0xd6, 0xc3, 0xdf, 0x9c, 0x03, 0xee, 0xa8, 0xa4, 0x99, 0xff, 0x78, 0x91, 0x48,
	    0x6c, 0x9d, 0x5e, 0x5c, 0xac, 0x92, 0xd0, 0x1f, 0x7b, 0xfd, 0x1b, 0xce, 0x19, 0xdb, 0x48, 0xef },
	  "StartCom log" },
	{ { 0xe0, 0x12, 0x76, 0x29, 0xe9, 0x04, 0x96, 0x56, 0x4e, 0x3d, 0x01, 0x47, 0x98, 0x44, 0x98, 0xaa,
	    0x48, 0xf8, 0xad, 0xb1, 0x66, 0x00, 0xeb, 0x79, 0x02, 0xa1, 0xef, 0x99, 0x09, 0x90, 0x62, 0x73 },
	  "PuChuangSiDa CT log" },
	{ { 0x53, 0x7b, 0x69, 0xa3, 0x56, 0x43, 0x35, 0xa9, 0xc0, 0x49, 0x04, 0xe3, 0x95, 0x93, 0xb2, 0xc2,
	    0x98, 0xeb, 0x8d, 0x7a, 0x6e, 0x83, 0x02, 0x36, 0x35, 0xc6, 0x27, 0x24, 0x8c, 0xd6, 0xb4, 0x40 },
	  "Nordu 'flimsy' log" },
	{ { 0xaa, 0xe7, 0x0b, 0x7f, 0x3c, 0xb8, 0xd5, 0x66, 0xc8, 0x6c, 0x2f, 0x16, 0x97, 0x9c, 0x9f, 0x44,
	    0x5f, 0x69, 0xab, 0x0e, 0xb4, 0x53, 0x55, 0x89, 0xb2, 0xf7, 0x7a, 0x03, 0x01, 0x04, 0xf3, 0xcd },
	  "Nordu 'plausible' log" },
	{ { 0xcf, 0x55, 0xe2, 0x89, 0x23, 0x49, 0x7c, 0x34, 0x0d, 0x52, 0x06, 0xd0, 0x53, 0x53, 0xae, 0xb2,
	    0x58, 0x34, 0xb5, 0x2f, 0x1f, 0x8d, 0xc9, 0x52, 0x68, 0x09, 0xf2, 0x12, 0xef, 0xdd, 0x7c, 0xa6 },
	  "SHECA CT log 1" },
	{ { 0x32, 0xdc, 0x59, 0xc2, 0xd4, 0xc4, 0x19, 0x68, 0xd5, 0x6e, 0x14, 0xbc, 0x61, 0xac, 0x8f, 0x0e,
	    0x45, 0xdb, 0x39, 0xfa, 0xf3, 0xc1, 0x55, 0xaa, 0x42, 0x52, 0xf5, 0x00, 0x1f, 0xa0, 0xc6, 0x23 },
	  "SHECA CT log 2" },
	{ { 0x96, 0x06, 0xc0, 0x2c, 0x69, 0x00, 0x33, 0xaa, 0x1d, 0x14, 0x5f, 0x59, 0xc6, 0xe2, 0x64, 0x8d,
	    0x05, 0x49, 0xf0, 0xdf, 0x96, 0xaa, 0xb8, 0xdb, 0x91, 0x5a, 0x70, 0xd8, 0xec, 0xf3, 0x90, 0xa5 },
	  "Akamai CT Log" },
	{ { 0x39, 0x37, 0x6f, 0x54, 0x5f, 0x7b, 0x46, 0x07, 0xf5, 0x97, 0x42, 0xd7, 0x68, 0xcd, 0x5d, 0x24,
	    0x37, 0xbf, 0x34, 0x73, 0xb6, 0x53, 0x4a, 0x48, 0x34, 0xbc, 0xf7, 0x2e, 0x68, 0x1c, 0x83, 0xc9 },
	  "Alpha CT Log" },
	{ { 0x65, 0x9b, 0x33, 0x50, 0xf4, 0x3b, 0x12, 0xcc, 0x5e, 0xa5, 0xab, 0x4e, 0xc7, 0x65, 0xd3, 0xfd,
	    0xe6, 0xc8, 0x82, 0x43, 0x77, 0x77, 0x78, 0xe7, 0x20, 0x03, 0xf9, 0xeb, 0x2b, 0x8c, 0x31, 0x29 },
	  "Let's Encrypt 'Oak2019' log" },
	{ { 0xe7, 0x12, 0xf2, 0xb0, 0x37, 0x7e, 0x1a, 0x62, 0xfb, 0x8e, 0xc9, 0x0c, 0x61, 0x84, 0xf1, 0xea,
	    0x7b, 0x37, 0xcb, 0x56, 0x1d, 0x11, 0x26, 0x5b, 0xf3, 0xe0, 0xf3, 0x4b, 0xf2, 0x41, 0x54, 0x6e },
	  "Let's Encrypt 'Oak2020' log" },
	{ { 0x94, 0x20, 0xbc, 0x1e, 0x8e, 0xd5, 0x8d, 0x6c, 0x88, 0x73, 0x1f, 0x82, 0x8b, 0x22, 0x2c, 0x0d,
	    0xd1, 0xda, 0x4d, 0x5e, 0x6c, 0x4f, 0x94, 0x3d, 0x61, 0xdb, 0x4e, 0x2f, 0x58, 0x4d, 0xa2, 0xc2 },
	  "Let's Encrypt 'Oak2021' log" },
	{ { 0xdf, 0xa5, 0x5e, 0xab, 0x68, 0x82, 0x4f, 0x1f, 0x6c, 0xad, 0xee, 0xb8, 0x5f, 0x4e, 0x3e, 0x5a,
	    0xea, 0xcd, 0xa2, 0x12, 0xa4, 0x6a, 0x5e, 0x8e, 0x3b, 0x12, 0xc0, 0x20, 0x44, 0x5c, 0x2a, 0x73 },
	  "Let's Encrypt 'Oak2022' log" },
	{ { 0x29, 0x6a, 0xfa, 0x2d, 0x56, 0x8b, 0xca, 0x0d, 0x2e, 0xa8, 0x44, 0x95, 0x6a, 0xe9, 0x72, 0x1f,
	    0xc3, 0x5f, 0xa3, 0x55, 0xec, 0xda, 0x99, 0x69, 0x3a, 0xaf, 0xd4, 0x58, 0xa7, 0x1a, 0xef, 0xdd },
	  "Let's Encrypt 'Clicky' log" },
	{ { 0xb0, 0xb7, 0x84, 0xbc, 0x81, 0xc0, 0xdd, 0xc4, 0x75, 0x44, 0xe8, 0x83, 0xf0, 0x59, 0x85, 0xbb,
	    0x90, 0x77, 0xd1, 0x34, 0xd8, 0xab, 0x88, 0xb2, 0xb2, 0xe5, 0x33, 0x98, 0x0b, 0x8e, 0x50, 0x8b },
	  "Up In The Air 'Behind the Sofa' log" },
};


static const char *
ct_log_name(const struct tq_slice *s, uint32_t off)
{
	if (!tq_in_range(s->len, off, 32))
		return "Unknown Log";
	for (size_t i = 0; i < sizeof(ct_logs) / sizeof(ct_logs[0]); i++)
		if (memcmp(ct_logs[i].id, s->p + off, 32) == 0)
			return ct_logs[i].name;
	return "Unknown Log";
}

void
tq_tls_sct_list(struct tq_pkt *pk, struct tq_node *t, const struct tq_slice *s, uint32_t off, uint32_t end)
{
	struct tls_ctx xs;
	memset(&xs, 0, sizeof(xs));
	xs.pk = pk;
	xs.s = s;
	xs.lim = end;
	struct tls_ctx *x = &xs;
	if (end > s->len)
		end = s->len;
	int ok;
	uint32_t n = vec(x, t, &hf_sct_list_len, off, end, 2, 1, 0xffff, &ok);
	(void)n;
	if (!ok)
		return;
	off += 2;
	while (off < end) {
		struct tq_node *st = add_text(x, t, off, 2, "Signed Certificate Timestamp");
		uint32_t l = vec(x, st, &hf_sct_len, off, end, 2, 1, 0xffff, &ok);
		if (!ok)
			return;
		off += 2;
		uint32_t next = off + l;
		tq_set_len(st, 2 + l);
		uint8_t v = u8(s, off);
		add(x, st, &hf_sct_version, off, 1);
		off++;
		if (v == 0) {
			add(x, st, &hf_sct_logid, off, 32);
			tq_append(pk, st, " (%s)", ct_log_name(s, off));
			off += 32;
			uint64_t ms = (uint64_t)u32(s, off) << 32 | u32(s, off + 4);
			tq_add_time(pk, st, &hf_sct_time, s, off, 8, (int64_t)(ms / 1000), (int32_t)(ms % 1000) * 1000000);
			off += 8;
			uint32_t el = vec(x, st, &hf_sct_exts_len, off, next, 2, 0, 0xffff, &ok);
			if (!ok) {
				off = next;
				continue;
			}
			off += 2;
			if (el > 0) {
				add(x, st, &hf_sct_exts, off, el);
				off += el;
			}
			off = digitally_signed(x, st, off, next, V_TLS12, &hf_sct_sig_len, &hf_sct_sig);
		}
		end_vec(x, st, off, next);
		off = next;
	}
}
