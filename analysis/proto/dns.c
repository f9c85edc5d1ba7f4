/*
 * dns.c - DNS (RFC 1034, 1035) over UDP and TCP, mDNS (RFC 6762) and LLMNR
 * (RFC 4795), as Wireshark 4.0's packet-dns.c shows them: the header and
 * its flags, the four sections with name compression, the record types in
 * common use (DNSSEC, EDNS options, SVCB/HTTPS, CAA...), the Info column,
 * query/response matching with retransmissions, DNS over TCP with its
 * length prefix (several messages in a segment, one over several), and
 * Wireshark's DNS-over-UDP heuristic.
 *
 * Names are expanded as Wireshark does it, faults included: at most 255
 * pointers are followed ("<Name contains a pointer that loops>"), a name of
 * 254 characters or more is "<Name too long>", a label type 0x80 or a read
 * past the message is a malformed packet.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../internal.h"

/* per-packet data keys (kept clear of the PD_ enum of internal.h) */
#define PD_DNS_MSG   0x444e5300u     /* + 0x10000 * message index in the frame */
#define PD_DNS_CONV  0x444e5380u     /* + conversation kind; num is the conversation index */

#define MAX_DNAME_LEN 255
#define RETRANSMISSION_SECS 5

enum {
	T_A = 1, T_NS = 2, T_MD = 3, T_MF = 4, T_CNAME = 5, T_SOA = 6, T_MB = 7, T_MG = 8, T_MR = 9,
	T_NULL = 10, T_WKS = 11, T_PTR = 12, T_HINFO = 13, T_MINFO = 14, T_MX = 15, T_TXT = 16,
	T_RP = 17, T_AFSDB = 18, T_X25 = 19, T_ISDN = 20, T_RT = 21, T_NSAP = 22, T_NSAP_PTR = 23,
	T_SIG = 24, T_KEY = 25, T_PX = 26, T_GPOS = 27, T_AAAA = 28, T_LOC = 29, T_NXT = 30,
	T_SRV = 33, T_NAPTR = 35, T_KX = 36, T_CERT = 37, T_A6 = 38, T_DNAME = 39, T_OPT = 41,
	T_APL = 42, T_DS = 43, T_SSHFP = 44, T_IPSECKEY = 45, T_RRSIG = 46, T_NSEC = 47,
	T_DNSKEY = 48, T_DHCID = 49, T_NSEC3 = 50, T_NSEC3PARAM = 51, T_TLSA = 52, T_HIP = 55,
	T_CDS = 59, T_CDNSKEY = 60, T_OPENPGPKEY = 61, T_CSYNC = 62, T_ZONEMD = 63, T_SVCB = 64,
	T_HTTPS = 65, T_SPF = 99, T_NID = 104, T_L32 = 105, T_L64 = 106, T_LP = 107, T_EUI48 = 108,
	T_EUI64 = 109, T_TKEY = 249, T_TSIG = 250, T_IXFR = 251, T_AXFR = 252, T_CAA = 257,
	T_DLV = 32769, T_WINS = 65281, T_WINS_R = 65282,
};

#define F_RESPONSE 0x8000
#define F_OPCODE 0x7800
#define F_AUTHENTIC 0x0020
#define F_RCODE 0x000f
#define OPCODE_UPDATE 5
#define OPCODE_DSO 6

/* ------------------------------------------------------------------ value strings */

static const struct tq_vals opcode_vals[] = {
	{ 0, "Standard query" }, { 1, "Inverse query" }, { 2, "Server status request" },
	{ 4, "Zone change notification" }, { 5, "Dynamic update" }, { 6, "DNS Stateful operations (DSO)" },
	{ 0, NULL },
};

static const struct tq_vals rcode_vals[] = {
	{ 0, "No error" }, { 1, "Format error" }, { 2, "Server failure" }, { 3, "No such name" },
	{ 4, "Not implemented" }, { 5, "Refused" }, { 6, "Name exists" }, { 7, "RRset exists" },
	{ 8, "RRset does not exist" }, { 9, "Not authoritative" }, { 10, "Name out of zone" },
	{ 11, "DSO-Type not implemented" }, { 16, "Bad OPT Version or TSIG Signature Failure" },
	{ 17, "Key not recognized" }, { 18, "Signature out of time window" }, { 19, "Bad TKEY Mode" },
	{ 20, "Duplicate key name" }, { 21, "Algorithm not supported" }, { 22, "Bad Truncation" },
	{ 23, "Bad/missing Server Cookie" }, { 0, NULL },
};

/* the short names, for the Info column and subtree labels (note MAILB/MAILA, as Wireshark's) */
static const struct tq_vals type_vals[] = {
	{ 0, "Unused" }, { 1, "A" }, { 2, "NS" }, { 3, "MD" }, { 4, "MF" }, { 5, "CNAME" }, { 6, "SOA" },
	{ 7, "MB" }, { 8, "MG" }, { 9, "MR" }, { 10, "NULL" }, { 11, "WKS" }, { 12, "PTR" }, { 13, "HINFO" },
	{ 14, "MINFO" }, { 15, "MX" }, { 16, "TXT" }, { 17, "RP" }, { 18, "AFSDB" }, { 19, "X25" },
	{ 20, "ISDN" }, { 21, "RT" }, { 22, "NSAP" }, { 23, "NSAP-PTR" }, { 24, "SIG" }, { 25, "KEY" },
	{ 26, "PX" }, { 27, "GPOS" }, { 28, "AAAA" }, { 29, "LOC" }, { 30, "NXT" }, { 31, "EID" },
	{ 32, "NIMLOC" }, { 33, "SRV" }, { 34, "ATMA" }, { 35, "NAPTR" }, { 36, "KX" }, { 37, "CERT" },
	{ 38, "A6" }, { 39, "DNAME" }, { 40, "SINK" }, { 41, "OPT" }, { 42, "APL" }, { 43, "DS" },
	{ 44, "SSHFP" }, { 45, "IPSECKEY" }, { 46, "RRSIG" }, { 47, "NSEC" }, { 48, "DNSKEY" },
	{ 49, "DHCID" }, { 50, "NSEC3" }, { 51, "NSEC3PARAM" }, { 52, "TLSA" }, { 55, "HIP" },
	{ 57, "RKEY" }, { 58, "TALINK" }, { 59, "CDS" }, { 60, "CDNSKEY" }, { 61, "OPENPGPKEY" },
	{ 62, "CSYNC" }, { 63, "ZONEMD" }, { 64, "SVCB" }, { 65, "HTTPS" }, { 99, "SPF" }, { 100, "UINFO" },
	{ 101, "UID" }, { 102, "GID" }, { 103, "UNSPEC" }, { 104, "NID" }, { 105, "L32" }, { 106, "L64" },
	{ 107, "LP" }, { 108, "EUI48" }, { 109, "EUI64" }, { 249, "TKEY" }, { 250, "TSIG" }, { 251, "IXFR" },
	{ 252, "AXFR" }, { 253, "MAILA" }, { 254, "MAILB" }, { 255, "ANY" }, { 256, "URI" }, { 257, "CAA" },
	{ 32768, "TA" }, { 32769, "DLV" }, { 65281, "WINS" }, { 65282, "WINS-R" }, { 65422, "XPF" },
	{ 0, NULL },
};

static const struct tq_vals type_desc_vals[] = {
	{ 0, "Unused" }, { 1, "A (Host Address)" }, { 2, "NS (authoritative Name Server)" },
	{ 3, "MD (Mail Destination)" }, { 4, "MF (Mail Forwarder)" }, { 5, "CNAME (Canonical NAME for an alias)" },
	{ 6, "SOA (Start Of a zone of Authority)" }, { 7, "MB (MailBox domain name)" },
	{ 8, "MG (Mail Group member)" }, { 9, "MR (Mail Rename domain)" }, { 10, "NULL RR" },
	{ 11, "WKS (Well Known Service)" }, { 12, "PTR (domain name PoinTeR)" }, { 13, "HINFO (host information)" },
	{ 14, "MINFO (Mailbox or mail list information)" }, { 15, "MX (Mail eXchange)" },
	{ 16, "TXT (Text strings)" }, { 17, "RP (Responsible Person)" }, { 18, "AFSDB (AFS Data Base location)" },
	{ 19, "X25 (XX.25 PSDN address)" }, { 20, "ISDN (ISDN address)" }, { 21, "RT (Route Through)" },
	{ 22, "NSAP (NSAP address)" }, { 23, "NSAP-PTR (NSAP domain name pointer)" },
	{ 24, "SIG (security signature)" }, { 25, "KEY (security key)" },
	{ 26, "PX (X.400 mail mapping information)" }, { 27, "GPOS (Geographical Position)" },
	{ 28, "AAAA (IPv6 Address)" }, { 29, "LOC (Location Information)" }, { 30, "NXT (Next Domain)" },
	{ 31, "EID (Endpoint Identifier)" }, { 32, "NIMLOC (Nimrod Locator)" }, { 33, "SRV (Server Selection)" },
	{ 34, "ATMA (ATM Address)" }, { 35, "NAPTR (Naming Authority Pointer)" }, { 36, "KX (Key Exchanger)" },
	{ 37, "CERT" }, { 38, "A6 (OBSOLETE - use AAAA)" }, { 39, "DNAME" }, { 40, "SINK" }, { 41, "OPT" },
	{ 42, "APL" }, { 43, "DS (Delegation Signer)" }, { 44, "SSHFP (SSH Key Fingerprint)" },
	{ 45, "IPSECKEY" }, { 46, "RRSIG (Resource Record Signature)" }, { 47, "NSEC (Next Secure)" },
	{ 48, "DNSKEY (DNS Public Key)" }, { 49, "DHCID" }, { 50, "NSEC3" }, { 51, "NSEC3PARAM" },
	{ 52, "TLSA" }, { 55, "HIP (Host Identity Protocol)" }, { 57, "RKEY" }, { 58, "TALINK (Trust Anchor LINK)" },
	{ 59, "CDS (Child DS)" }, { 60, "CDNSKEY (DNSKEY(s) the Child wants reflected in DS)" },
	{ 61, "OPENPGPKEY (OpenPGP Key)" }, { 62, "CSYNC (Child-to-Parent Synchronization)" },
	{ 63, "ZONEMD" }, { 64, "SVCB (General Purpose Service Endpoints)" },
	{ 65, "HTTPS (HTTPS Specific Service Endpoints)" }, { 99, "SPF" }, { 100, "UINFO" }, { 101, "UID" },
	{ 102, "GID" }, { 103, "UNSPEC" }, { 104, "NID (NodeID)" }, { 105, "L32 (Locator32)" },
	{ 106, "L64 (Locator64)" }, { 107, "LP (Locator FQDN)" }, { 108, "EUI48" }, { 109, "EUI64" },
	{ 249, "TKEY (Transaction Key)" }, { 250, "TSIG (Transaction Signature)" },
	{ 251, "IXFR (incremental transfer)" }, { 252, "AXFR (transfer of an entire zone)" },
	{ 253, "MAILB (mailbox-related RRs)" }, { 254, "MAILA (mail agent RRs)" },
	{ 255, "* (A request for all records the server/cache has available)" }, { 256, "URI" },
	{ 257, "CAA (Certification Authority Restriction)" }, { 32768, "TA (DNSSEC Trust Authorities)" },
	{ 32769, "DLV (DNSSEC Lookaside Validation)" }, { 65281, "WINS" }, { 65282, "WINS-R" }, { 65422, "XPF" },
	{ 0, NULL },
};

static const struct tq_vals class_vals[] = {
	{ 1, "IN" }, { 2, "CS" }, { 3, "CH" }, { 4, "HS" }, { 254, "NONE" }, { 255, "ANY" }, { 0, NULL },
};

static const struct tq_vals opt_code_vals[] = {
	{ 0, "Reserved" }, { 1, "LLQ - Long-lived query" }, { 2, "UL - Update lease" },
	{ 3, "NSID - Name Server Identifier" }, { 4, "Owner (reserved)" },
	{ 5, "DAU - DNSSEC Algorithm Understood (RFC6975)" }, { 6, "DHU - DS Hash Understood (RFC6975)" },
	{ 7, "N3U - NSEC3 Hash Understood (RFC6975)" }, { 20730, "Experimental - CSUBNET - Client subnet" },
	{ 8, "CSUBNET - Client subnet" }, { 9, "EDNS EXPIRE (RFC7314)" }, { 10, "COOKIE" },
	{ 11, "EDNS TCP Keepalive" }, { 12, "PADDING" }, { 13, "CHAIN" }, { 15, "Extended DNS Error" },
	{ 0, NULL },
};

static const struct tq_vals algo_vals[] = {
	{ 1, "RSA/MD5" }, { 2, "Diffie-Hellman" }, { 3, "DSA" }, { 4, "Elliptic curve crypto" },
	{ 5, "RSA/SHA1" }, { 6, "DSA + NSEC3/SHA1" }, { 7, "RSA/SHA1 + NSEC3/SHA1" }, { 8, "RSA/SHA-256" },
	{ 10, "RSA/SHA-512" }, { 12, "GOST R 34.10-2001" }, { 13, "ECDSA Curve P-256 with SHA-256" },
	{ 14, "ECDSA Curve P-386 with SHA-386" }, { 15, "Ed25519" }, { 16, "Ed448" }, { 157, "HMAC/MD5" },
	{ 252, "Indirect key" }, { 253, "Private, domain name" }, { 254, "Private, OID" }, { 0, NULL },
};

static const struct tq_vals ds_digest_vals[] = {
	{ 0, "Reserved digest" }, { 1, "SHA-1" }, { 2, "SHA-256" }, { 3, "GOST R 34.11-94" }, { 4, "SHA-384" },
	{ 0, NULL },
};

static const struct tq_vals hash_algo_vals[] = { { 0, "Reserved" }, { 1, "SHA-1" }, { 0, NULL } };

static const struct tq_vals svcb_key_vals[] = {
	{ 0, "mandatory" }, { 1, "alpn" }, { 2, "no-default-alpn" }, { 3, "port" }, { 4, "ipv4hint" },
	{ 5, "echconfig" }, { 6, "ipv6hint" }, { 32769, "odohconfig" }, { 65535, "key65535" }, { 0, NULL },
};

static const struct tq_vals sshfp_algo_vals[] = {
	{ 0, "Reserved" }, { 1, "RSA" }, { 2, "DSA" }, { 3, "ECDSA" }, { 4, "Ed25519" }, { 5, "XMSS" }, { 0, NULL },
};
static const struct tq_vals sshfp_fp_vals[] = { { 0, "Reserved" }, { 1, "SHA1" }, { 2, "SHA256" }, { 0, NULL } };

static const struct tq_vals tlsa_usage_vals[] = {
	{ 0, "CA constraint (PKIX-TA)" }, { 1, "Service certificate constraint (PKIX-EE)" },
	{ 2, "Trust anchor assertion (DANE-TA)" }, { 3, "Domain-issued certificate (DANE-EE)" }, { 0, NULL },
};
static const struct tq_vals tlsa_selector_vals[] = {
	{ 0, "Full certificate (Cert)" }, { 1, "SubjectPublicKeyInfo (SPKI)" }, { 0, NULL },
};
static const struct tq_vals tlsa_matching_vals[] = {
	{ 0, "No Hash Used (Full)" }, { 1, "256 bit hash by SHA2 (SHA2-256)" },
	{ 2, "512 bit hash by SHA2 (SHA2-512)" }, { 0, NULL },
};

static const struct tq_vals afamily_vals[] = { { 1, "IPv4" }, { 2, "IPv6" }, { 0, NULL } };

static const struct tq_rvals ext_err_rvals[] = {
	{ 0, 0, "Other Error" }, { 1, 1, "Unsupported DNSKEY Algorithm" }, { 2, 2, "Unsupported DS Digest Type" },
	{ 3, 3, "Stale Answer" }, { 4, 4, "Forged Answer" }, { 5, 5, "DNSSEC Indeterminate" },
	{ 6, 6, "DNSSEC Bogus" }, { 7, 7, "Signature Expired" }, { 8, 8, "Signature Not Yet Valid" },
	{ 9, 9, "DNSKEY Missing" }, { 10, 10, "RRSIGs Missing" }, { 11, 11, "No Zone Key Bit Set" },
	{ 12, 12, "NSEC Missing" }, { 13, 13, "Cached Error" }, { 14, 14, "Not Ready" }, { 15, 15, "Blocked" },
	{ 16, 16, "Censored" }, { 17, 17, "Filtered" }, { 18, 18, "Prohibited" },
	{ 19, 19, "Stale NXDomain Answer" }, { 20, 20, "Not Authoritative" }, { 21, 21, "Not Supported" },
	{ 22, 22, "No Reachable Authority" }, { 23, 23, "Network Error" }, { 24, 24, "Invalid Data" },
	{ 25, 25, "Signature Expired before Valid" }, { 26, 26, "Too Early" },
	{ 27, 27, "Unsupported NSEC3 Iterations Value" }, { 28, 28, "Unable to conform to policy" },
	{ 29, 29, "Synthesized" }, { 30, 49151, "Unassigned" }, { 49152, 65535, "Reserved for Private Use" },
	{ 0, 0, NULL },
};

static const struct tq_tfs tfs_response = { "Message is a response", "Message is a query" };
static const struct tq_tfs tfs_authoritative = { "Server is an authority for domain", "Server is not an authority for domain" };
static const struct tq_tfs tfs_conflict_query = { "The sender received multiple responses", "None" };
static const struct tq_tfs tfs_conflict_response = { "The name is not considered unique", "The name is considered unique" };
static const struct tq_tfs tfs_truncated = { "Message is truncated", "Message is not truncated" };
static const struct tq_tfs tfs_recdesired = { "Do query recursively", "Don't do query recursively" };
static const struct tq_tfs tfs_tentative = { "Tentative", "Not tentative" };
static const struct tq_tfs tfs_recavail = { "Server can do recursive queries", "Server can't do recursive queries" };
static const struct tq_tfs tfs_z = { "reserved - incorrect!", "reserved (0)" };
static const struct tq_tfs tfs_authenticated = {
	"Answer/authority portion was authenticated by the server",
	"Answer/authority portion was not authenticated by the server",
};
static const struct tq_tfs tfs_checkdisable = { "Acceptable", "Unacceptable" };
static const struct tq_tfs tfs_do = { "Accepts DNSSEC security RRs", "Cannot handle DNSSEC security RRs" };
static const struct tq_tfs tfs_zone_key = { "This is the zone key for specified zone", "This it not a zone key" };
static const struct tq_tfs tfs_optout = { "Additional insecure delegations allowed", "Additional insecure delegations forbidden" };
static const struct tq_tfs tfs_critical = { "Critical", "Not critical" };

/* ------------------------------------------------------------------ fields */

static struct tq_field hf_dns = HF("dns", "Domain Name System", FT_PROTOCOL, BASE_NONE, NULL, 0);
static struct tq_field hf_mdns = HF("mdns", "Multicast Domain Name System", FT_PROTOCOL, BASE_NONE, NULL, 0);
static struct tq_field hf_llmnr = HF("llmnr", "Link-local Multicast Name Resolution", FT_PROTOCOL, BASE_NONE, NULL, 0);
static struct tq_field hf_length = HF("dns.length", "Length", FT_UINT16, BASE_DEC, NULL, 0);
static struct tq_field hf_id = HF("dns.id", "Transaction ID", FT_UINT16, BASE_HEX, NULL, 0);
static struct tq_field hf_flags = HF("dns.flags", "Flags", FT_UINT16, BASE_HEX, NULL, 0);
static struct tq_field hf_f_response = HF("dns.flags.response", "Response", FT_BOOLEAN, 16, &tfs_response, 0x8000);
static struct tq_field hf_f_opcode = HF("dns.flags.opcode", "Opcode", FT_UINT16, BASE_DEC, opcode_vals, 0x7800);
static struct tq_field hf_f_authoritative = HF("dns.flags.authoritative", "Authoritative", FT_BOOLEAN, 16, &tfs_authoritative, 0x0400);
static struct tq_field hf_f_conflict_q = HF("dns.flags.conflict", "Conflict", FT_BOOLEAN, 16, &tfs_conflict_query, 0x0400);
static struct tq_field hf_f_conflict_r = HF("dns.flags.conflict", "Conflict", FT_BOOLEAN, 16, &tfs_conflict_response, 0x0400);
static struct tq_field hf_f_truncated = HF("dns.flags.truncated", "Truncated", FT_BOOLEAN, 16, &tfs_truncated, 0x0200);
static struct tq_field hf_f_recdesired = HF("dns.flags.recdesired", "Recursion desired", FT_BOOLEAN, 16, &tfs_recdesired, 0x0100);
static struct tq_field hf_f_tentative = HF("dns.flags.tentative", "Tentative", FT_BOOLEAN, 16, &tfs_tentative, 0x0100);
static struct tq_field hf_f_recavail = HF("dns.flags.recavail", "Recursion available", FT_BOOLEAN, 16, &tfs_recavail, 0x0080);
static struct tq_field hf_f_z = HF("dns.flags.z", "Z", FT_BOOLEAN, 16, &tfs_z, 0x0040);
static struct tq_field hf_f_authenticated = HF("dns.flags.authenticated", "Answer authenticated", FT_BOOLEAN, 16, &tfs_authenticated, 0x0020);
static struct tq_field hf_f_ad = HF("dns.flags.authenticated", "AD bit", FT_BOOLEAN, 16, &tq_tfs_set_notset, 0x0020);
static struct tq_field hf_f_checkdisable = HF("dns.flags.checkdisable", "Non-authenticated data", FT_BOOLEAN, 16, &tfs_checkdisable, 0x0010);
static struct tq_field hf_f_rcode = HF("dns.flags.rcode", "Reply code", FT_UINT16, BASE_DEC, rcode_vals, 0x000f);
static struct tq_field hf_count_queries = HF("dns.count.queries", "Questions", FT_UINT16, BASE_DEC, NULL, 0);
static struct tq_field hf_count_zones = HF("dns.count.zones", "Zones", FT_UINT16, BASE_DEC, NULL, 0);
static struct tq_field hf_count_answers = HF("dns.count.answers", "Answer RRs", FT_UINT16, BASE_DEC, NULL, 0);
static struct tq_field hf_count_prereq = HF("dns.count.prerequisites", "Prerequisites", FT_UINT16, BASE_DEC, NULL, 0);
static struct tq_field hf_count_auth = HF("dns.count.auth_rr", "Authority RRs", FT_UINT16, BASE_DEC, NULL, 0);
static struct tq_field hf_count_updates = HF("dns.count.updates", "Updates", FT_UINT16, BASE_DEC, NULL, 0);
static struct tq_field hf_count_add = HF("dns.count.add_rr", "Additional RRs", FT_UINT16, BASE_DEC, NULL, 0);

static struct tq_field hf_qry_name = HF("dns.qry.name", "Name", FT_STRING, BASE_NONE, NULL, 0);
static struct tq_field hf_qry_name_len = HF("dns.qry.name.len", "Name Length", FT_UINT16, BASE_DEC, NULL, 0);
static struct tq_field hf_count_labels = HF("dns.count.labels", "Label Count", FT_UINT16, BASE_DEC, NULL, 0);
static struct tq_field hf_qry_type = HF("dns.qry.type", "Type", FT_UINT16, BASE_DEC, type_desc_vals, 0);
static struct tq_field hf_qry_class = HF("dns.qry.class", "Class", FT_UINT16, BASE_HEX, class_vals, 0);
static struct tq_field hf_qry_class_mdns = HF("dns.qry.class", "Class", FT_UINT16, BASE_HEX, class_vals, 0x7fff);
static struct tq_field hf_qry_qu = HF("dns.qry.qu", "\"QU\" question", FT_BOOLEAN, 16, NULL, 0x8000);

static struct tq_field hf_rr_name = HF("dns.resp.name", "Name", FT_STRING, BASE_NONE, NULL, 0);
static struct tq_field hf_rr_type = HF("dns.resp.type", "Type", FT_UINT16, BASE_DEC, type_desc_vals, 0);
static struct tq_field hf_rr_class = HF("dns.resp.class", "Class", FT_UINT16, BASE_HEX, class_vals, 0);
static struct tq_field hf_rr_class_mdns = HF("dns.resp.class", "Class", FT_UINT16, BASE_HEX, class_vals, 0x7fff);
static struct tq_field hf_rr_cache_flush = HF("dns.resp.cache_flush", "Cache flush", FT_BOOLEAN, 16, NULL, 0x8000);
static struct tq_field hf_rr_ttl = HF("dns.resp.ttl", "Time to live", FT_UINT32, BASE_DEC, NULL, 0);
static struct tq_field hf_rr_len = HF("dns.resp.len", "Data length", FT_UINT16, BASE_DEC, NULL, 0);
static struct tq_field hf_srv_service = HF("dns.srv.service", "Service", FT_STRING, BASE_NONE, NULL, 0);
static struct tq_field hf_srv_proto = HF("dns.srv.proto", "Protocol", FT_STRING, BASE_NONE, NULL, 0);
static struct tq_field hf_srv_name = HF("dns.srv.name", "Name", FT_STRING, BASE_NONE, NULL, 0);
static struct tq_field hf_udp_payload_size = HF("dns.rr.udp_payload_size", "UDP payload size", FT_UINT16, BASE_DEC, NULL, 0);
static struct tq_field hf_udp_payload_size_mdns = HF("dns.rr.udp_payload_size", "UDP payload size", FT_UINT16, BASE_HEX, NULL, 0x7fff);
static struct tq_field hf_ext_rcode = HF("dns.resp.ext_rcode", "Higher bits in extended RCODE", FT_UINT8, BASE_HEX, NULL, 0);
static struct tq_field hf_edns0_version = HF("dns.resp.edns0_version", "EDNS0 version", FT_UINT8, BASE_DEC, NULL, 0);
static struct tq_field hf_rr_z = HF("dns.resp.z", "Z", FT_UINT16, BASE_HEX, NULL, 0);
static struct tq_field hf_rr_z_do = HF("dns.resp.z.do", "DO bit", FT_BOOLEAN, 16, &tfs_do, 0x8000);
static struct tq_field hf_rr_z_reserved = HF("dns.resp.z.reserved", "Reserved", FT_UINT16, BASE_HEX, NULL, 0x7fff);

static struct tq_field hf_a = HF("dns.a", "Address", FT_IPV4, BASE_NONE, NULL, 0);
static struct tq_field hf_aaaa = HF("dns.aaaa", "AAAA Address", FT_IPV6, BASE_NONE, NULL, 0);
static struct tq_field hf_ns = HF("dns.ns", "Name Server", FT_STRING, BASE_NONE, NULL, 0);
static struct tq_field hf_cname = HF("dns.cname", "CNAME", FT_STRING, BASE_NONE, NULL, 0);
static struct tq_field hf_md = HF("dns.md", "Mail Destination", FT_STRING, BASE_NONE, NULL, 0);
static struct tq_field hf_mf = HF("dns.mf", "Mail Forwarder", FT_STRING, BASE_NONE, NULL, 0);
static struct tq_field hf_mb = HF("dns.mb", "MailBox Domaine", FT_STRING, BASE_NONE, NULL, 0);
static struct tq_field hf_mg = HF("dns.mg", "Mail Group member", FT_STRING, BASE_NONE, NULL, 0);
static struct tq_field hf_mr = HF("dns.mr", "Mail Rename domaine", FT_STRING, BASE_NONE, NULL, 0);
static struct tq_field hf_null = HF("dns.null", "Null (data)", FT_BYTES, BASE_NONE, NULL, 0);
static struct tq_field hf_soa_mname = HF("dns.soa.mname", "Primary name server", FT_STRING, BASE_NONE, NULL, 0);
static struct tq_field hf_soa_rname = HF("dns.soa.rname", "Responsible authority's mailbox", FT_STRING, BASE_NONE, NULL, 0);
static struct tq_field hf_soa_serial = HF("dns.soa.serial_number", "Serial Number", FT_UINT32, BASE_DEC, NULL, 0);
static struct tq_field hf_soa_refresh = HF("dns.soa.refresh_interval", "Refresh Interval", FT_UINT32, BASE_DEC, NULL, 0);
static struct tq_field hf_soa_retry = HF("dns.soa.retry_interval", "Retry Interval", FT_UINT32, BASE_DEC, NULL, 0);
static struct tq_field hf_soa_expire = HF("dns.soa.expire_limit", "Expire limit", FT_UINT32, BASE_DEC, NULL, 0);
static struct tq_field hf_soa_minimum = HF("dns.soa.minimum_ttl", "Minimum TTL", FT_UINT32, BASE_DEC, NULL, 0);
static struct tq_field hf_ptr = HF("dns.ptr.domain_name", "Domain Name", FT_STRING, BASE_NONE, NULL, 0);
static struct tq_field hf_hinfo_cpu_len = HF("dns.hinfo.cpu_length", "CPU Length", FT_UINT8, BASE_DEC, NULL, 0);
static struct tq_field hf_hinfo_cpu = HF("dns.hinfo.cpu", "CPU", FT_STRING, BASE_NONE, NULL, 0);
static struct tq_field hf_hinfo_os_len = HF("dns.hinfo.os_length", "OS Length", FT_UINT8, BASE_DEC, NULL, 0);
static struct tq_field hf_hinfo_os = HF("dns.hinfo.os", "OS", FT_STRING, BASE_NONE, NULL, 0);
static struct tq_field hf_minfo_r = HF("dns.minfo.r", "Responsible Mailbox", FT_STRING, BASE_NONE, NULL, 0);
static struct tq_field hf_minfo_e = HF("dns.minfo.e", "Error Mailbox", FT_STRING, BASE_NONE, NULL, 0);
static struct tq_field hf_mx_pref = HF("dns.mx.preference", "Preference", FT_UINT16, BASE_DEC, NULL, 0);
static struct tq_field hf_mx_exchange = HF("dns.mx.mail_exchange", "Mail Exchange", FT_STRING, BASE_NONE, NULL, 0);
static struct tq_field hf_txt_len = HF("dns.txt.length", "TXT Length", FT_UINT8, BASE_DEC, NULL, 0);
static struct tq_field hf_txt = HF("dns.txt", "TXT", FT_STRING, BASE_NONE, NULL, 0);
static struct tq_field hf_spf_len = HF("dns.spf.length", "SPF Length", FT_UINT8, BASE_DEC, NULL, 0);
static struct tq_field hf_spf = HF("dns.spf", "SPF", FT_STRING, BASE_NONE, NULL, 0);
static struct tq_field hf_rp_mailbox = HF("dns.rp.mailbox", "Mailbox", FT_STRING, BASE_NONE, NULL, 0);
static struct tq_field hf_rp_txt = HF("dns.rp.txt_rr", "TXT RR", FT_STRING, BASE_NONE, NULL, 0);
static struct tq_field hf_afsdb_subtype = HF("dns.afsdb.subtype", "Subtype", FT_UINT16, BASE_DEC, NULL, 0);
static struct tq_field hf_afsdb_host = HF("dns.afsdb.hostname", "Hostname", FT_STRING, BASE_NONE, NULL, 0);
static struct tq_field hf_rt_pref = HF("dns.rt.subtype", "Preference", FT_UINT16, BASE_DEC, NULL, 0);
static struct tq_field hf_rt_host = HF("dns.rt.intermediate_host", "Intermediate Hostname", FT_STRING, BASE_NONE, NULL, 0);
static struct tq_field hf_kx_pref = HF("dns.kx.preference", "Preference", FT_UINT16, BASE_DEC, NULL, 0);
static struct tq_field hf_kx_exchange = HF("dns.kx.key_exchange", "Key Exchange", FT_STRING, BASE_NONE, NULL, 0);
static struct tq_field hf_px_pref = HF("dns.px.preference", "Preference", FT_UINT16, BASE_DEC, NULL, 0);
static struct tq_field hf_px_map822 = HF("dns.px.map822", "MAP822", FT_STRING, BASE_NONE, NULL, 0);
static struct tq_field hf_px_map400 = HF("dns.px.map400", "MAPX400", FT_STRING, BASE_NONE, NULL, 0);
static struct tq_field hf_srv_priority = HF("dns.srv.priority", "Priority", FT_UINT16, BASE_DEC, NULL, 0);
static struct tq_field hf_srv_weight = HF("dns.srv.weight", "Weight", FT_UINT16, BASE_DEC, NULL, 0);
static struct tq_field hf_srv_port = HF("dns.srv.port", "Port", FT_UINT16, BASE_DEC, NULL, 0);
static struct tq_field hf_srv_target = HF("dns.srv.target", "Target", FT_STRING, BASE_NONE, NULL, 0);
static struct tq_field hf_naptr_order = HF("dns.naptr.order", "Order", FT_UINT16, BASE_DEC, NULL, 0);
static struct tq_field hf_naptr_pref = HF("dns.naptr.preference", "Preference", FT_UINT16, BASE_DEC, NULL, 0);
static struct tq_field hf_naptr_flags_len = HF("dns.naptr.flags_length", "Flags Length", FT_UINT8, BASE_DEC, NULL, 0);
static struct tq_field hf_naptr_flags = HF("dns.naptr.flags", "Flags", FT_STRING, BASE_NONE, NULL, 0);
static struct tq_field hf_naptr_service_len = HF("dns.naptr.service_length", "Service Length", FT_UINT8, BASE_DEC, NULL, 0);
static struct tq_field hf_naptr_service = HF("dns.naptr.service", "Service", FT_STRING, BASE_NONE, NULL, 0);
static struct tq_field hf_naptr_regex_len = HF("dns.naptr.regex_length", "Regex Length", FT_UINT8, BASE_DEC, NULL, 0);
static struct tq_field hf_naptr_regex = HF("dns.naptr.regex", "Regex", FT_STRING, BASE_NONE, NULL, 0);
static struct tq_field hf_naptr_repl_len = HF("dns.naptr.replacement_length", "Replacement Length", FT_UINT8, BASE_DEC, NULL, 0);
static struct tq_field hf_naptr_repl = HF("dns.naptr.replacement", "Replacement", FT_STRING, BASE_NONE, NULL, 0);
static struct tq_field hf_dname = HF("dns.dname", "Dname", FT_STRING, BASE_NONE, NULL, 0);
static struct tq_field hf_loc_version = HF("dns.loc.version", "Version", FT_UINT8, BASE_DEC, NULL, 0);
static struct tq_field hf_loc_size = HF("dns.loc.size", "Size", FT_UINT8, BASE_DEC, NULL, 0);
static struct tq_field hf_loc_hprec = HF("dns.loc.horizontal_precision", "Horizontal Precision", FT_UINT8, BASE_DEC, NULL, 0);
static struct tq_field hf_loc_vprec = HF("dns.loc.vertical_precision", "Vertical Precision", FT_UINT8, BASE_DEC, NULL, 0);
static struct tq_field hf_loc_lat = HF("dns.loc.latitude", "Latitude", FT_UINT32, BASE_DEC, NULL, 0);
static struct tq_field hf_loc_long = HF("dns.loc.longitude", "Longitude", FT_UINT32, BASE_DEC, NULL, 0);
static struct tq_field hf_loc_alt = HF("dns.loc.altitude", "Altitude", FT_UINT32, BASE_DEC, NULL, 0);
static struct tq_field hf_loc_unknown = HF("dns.loc.unknown_data", "Unknown data", FT_BYTES, BASE_NONE, NULL, 0);
static struct tq_field hf_nxt_next = HF("dns.nxt.next_domain_name", "Next Domain Name", FT_STRING, BASE_NONE, NULL, 0);

static struct tq_field hf_opt = HF("dns.opt", "Option", FT_NONE, BASE_NONE, NULL, 0);
static struct tq_field hf_opt_code = HF("dns.opt.code", "Option Code", FT_UINT16, BASE_DEC, opt_code_vals, 0);
static struct tq_field hf_opt_len = HF("dns.opt.len", "Option Length", FT_UINT16, BASE_DEC, NULL, 0);
static struct tq_field hf_opt_data = HF("dns.opt.data", "Option Data", FT_BYTES, BASE_NONE, NULL, 0);
static struct tq_field hf_opt_dau = HF("dns.opt.dau", "DAU", FT_UINT8, BASE_DEC, algo_vals, 0);
static struct tq_field hf_opt_dhu = HF("dns.opt.dhu", "DHU", FT_UINT8, BASE_DEC, ds_digest_vals, 0);
static struct tq_field hf_opt_n3u = HF("dns.opt.n3u", "N3U", FT_UINT8, BASE_DEC, hash_algo_vals, 0);
static struct tq_field hf_opt_client_family = HF("dns.opt.client.family", "Family", FT_UINT16, BASE_DEC, afamily_vals, 0);
static struct tq_field hf_opt_client_netmask = HF("dns.opt.client.netmask", "Source Netmask", FT_UINT8, BASE_DEC, NULL, 0);
static struct tq_field hf_opt_client_scope = HF("dns.opt.client.scope", "Scope Netmask", FT_UINT8, BASE_DEC, NULL, 0);
static struct tq_field hf_opt_client_addr = HF("dns.opt.client.addr", "Client Subnet", FT_BYTES, BASE_NONE, NULL, 0);
static struct tq_field hf_opt_client_addr4 = HF("dns.opt.client.addr4", "Client Subnet", FT_IPV4, BASE_NONE, NULL, 0);
static struct tq_field hf_opt_client_addr6 = HF("dns.opt.client.addr6", "Client Subnet", FT_IPV6, BASE_NONE, NULL, 0);
static struct tq_field hf_opt_cookie_client = HF("dns.opt.cookie.client", "Client Cookie", FT_BYTES, BASE_NONE, NULL, 0);
static struct tq_field hf_opt_cookie_server = HF("dns.opt.cookie.server", "Server Cookie", FT_BYTES, BASE_NONE, NULL, 0);
static struct tq_field hf_opt_keepalive = HF("dns.opt.edns_tcp_keepalive.timeout", "Timeout", FT_UINT16, BASE_DEC, NULL, 0);
static struct tq_field hf_opt_padding = HF("dns.opt.padding", "Padding", FT_BYTES, BASE_NONE, NULL, 0);
static struct tq_field hf_opt_chain = HF("dns.opt.chain.fqdn", "Closest Trust Point", FT_STRING, BASE_NONE, NULL, 0);
static struct tq_field hf_opt_ext_code = HF("dns.opt.ext_error.info_code", "Info Code", FT_UINT16, BASE_DEC, ext_err_rvals, 0);
static struct tq_field hf_opt_ext_text = HF("dns.opt.ext_error.extra_text", "Extra Text", FT_STRING, BASE_NONE, NULL, 0);

static struct tq_field hf_ds_key_id = HF("dns.ds.key_id", "Key id", FT_UINT16, BASE_HEX, NULL, 0);
static struct tq_field hf_ds_algorithm = HF("dns.ds.algorithm", "Algorithm", FT_UINT8, BASE_DEC, algo_vals, 0);
static struct tq_field hf_ds_digest_type = HF("dns.ds.digest_type", "Digest Type", FT_UINT8, BASE_DEC, ds_digest_vals, 0);
static struct tq_field hf_ds_digest = HF("dns.ds.digest", "Digest", FT_BYTES, BASE_NONE, NULL, 0);
static struct tq_field hf_sshfp_algo = HF("dns.sshfp.algorithm", "Algorithm", FT_UINT8, BASE_DEC, sshfp_algo_vals, 0);
static struct tq_field hf_sshfp_fptype = HF("dns.sshfp.fingerprint.type", "Fingerprint type", FT_UINT8, BASE_DEC, sshfp_fp_vals, 0);
static struct tq_field hf_sshfp_fp = HF("dns.sshfp.fingerprint", "Fingerprint", FT_BYTES, BASE_NONE, NULL, 0);
static struct tq_field hf_rrsig_type = HF("dns.rrsig.type_covered", "Type Covered", FT_UINT16, BASE_DEC, type_desc_vals, 0);
static struct tq_field hf_rrsig_algo = HF("dns.rrsig.algorithm", "Algorithm", FT_UINT8, BASE_DEC, algo_vals, 0);
static struct tq_field hf_rrsig_labels = HF("dns.rrsig.labels", "Labels", FT_UINT8, BASE_DEC, NULL, 0);
static struct tq_field hf_rrsig_ttl = HF("dns.rrsig.original_ttl", "Original TTL", FT_UINT32, BASE_DEC, NULL, 0);
static struct tq_field hf_rrsig_exp = HF("dns.rrsig.signature_expiration", "Signature Expiration", FT_ABSTIME, BASE_NONE, NULL, 0);
static struct tq_field hf_rrsig_inc = HF("dns.rrsig.signature_inception", "Signature Inception", FT_ABSTIME, BASE_NONE, NULL, 0);
static struct tq_field hf_rrsig_key_tag = HF("dns.rrsig.key_tag", "Key Tag", FT_UINT16, BASE_DEC, NULL, 0);
static struct tq_field hf_rrsig_signer = HF("dns.rrsig.signers_name", "Signer's name", FT_STRING, BASE_NONE, NULL, 0);
static struct tq_field hf_rrsig_sig = HF("dns.rrsig.signature", "Signature", FT_BYTES, BASE_NONE, NULL, 0);
static struct tq_field hf_nsec_next = HF("dns.nsec.next_domain_name", "Next Domain Name", FT_STRING, BASE_NONE, NULL, 0);
static struct tq_field hf_dnskey_flags = HF("dns.dnskey.flags", "Flags", FT_UINT16, BASE_HEX, NULL, 0);
static struct tq_field hf_dnskey_zone = HF("dns.dnskey.flags.zone_key", "Zone Key", FT_BOOLEAN, 16, &tfs_zone_key, 0x0100);
static struct tq_field hf_dnskey_revoked = HF("dns.dnskey.flags.key_revoked", "Key Revoked", FT_BOOLEAN, 16, &tq_tfs_yes_no, 0x0080);
static struct tq_field hf_dnskey_sep = HF("dns.dnskey.flags.secure_entry_point", "Key Signing Key", FT_BOOLEAN, 16, &tq_tfs_yes_no, 0x0001);
static struct tq_field hf_dnskey_reserved = HF("dns.dnskey.flags.reserved", "Key Signing Key", FT_UINT16, BASE_HEX, NULL, 0xfe7e);
static struct tq_field hf_dnskey_protocol = HF("dns.dnskey.protocol", "Protocol", FT_UINT8, BASE_DEC, NULL, 0);
static struct tq_field hf_dnskey_algo = HF("dns.dnskey.algorithm", "Algorithm", FT_UINT8, BASE_DEC, algo_vals, 0);
static struct tq_field hf_dnskey_key_id = HF("dns.dnskey.key_id", "Key id", FT_UINT16, BASE_DEC, NULL, 0);
static struct tq_field hf_dnskey_pubkey = HF("dns.dnskey.public_key", "Public Key", FT_BYTES, BASE_NONE, NULL, 0);
static struct tq_field hf_nsec3_algo = HF("dns.nsec3.algo", "Hash algorithm", FT_UINT8, BASE_DEC, hash_algo_vals, 0);
static struct tq_field hf_nsec3_flags = HF("dns.nsec3.flags", "NSEC3 flags", FT_UINT8, BASE_DEC, NULL, 0);
static struct tq_field hf_nsec3_optout = HF("dns.nsec3.flags.opt_out", "NSEC3 Opt-out flag", FT_BOOLEAN, 8, &tfs_optout, 0x01);
static struct tq_field hf_nsec3_iter = HF("dns.nsec3.iterations", "NSEC3 iterations", FT_UINT16, BASE_DEC, NULL, 0);
static struct tq_field hf_nsec3_salt_len = HF("dns.nsec3.salt_length", "Salt length", FT_UINT8, BASE_DEC, NULL, 0);
static struct tq_field hf_nsec3_salt = HF("dns.nsec3.salt_value", "Salt value", FT_BYTES, BASE_NONE, NULL, 0);
static struct tq_field hf_nsec3_hash_len = HF("dns.nsec3.hash_length", "Hash length", FT_UINT8, BASE_DEC, NULL, 0);
static struct tq_field hf_nsec3_hash = HF("dns.nsec3.hash_value", "Next hashed owner", FT_STRING, BASE_NONE, NULL, 0);
static struct tq_field hf_tlsa_usage = HF("dns.tlsa.certificate_usage", "Certificate Usage", FT_UINT8, BASE_DEC, tlsa_usage_vals, 0);
static struct tq_field hf_tlsa_selector = HF("dns.tlsa.selector", "Selector", FT_UINT8, BASE_DEC, tlsa_selector_vals, 0);
static struct tq_field hf_tlsa_matching = HF("dns.tlsa.matching_type", "Matching Type", FT_UINT8, BASE_DEC, tlsa_matching_vals, 0);
static struct tq_field hf_tlsa_data = HF("dns.tlsa.certificate_association_data", "Certificate Association Data", FT_BYTES, BASE_NONE, NULL, 0);
static struct tq_field hf_caa_flags = HF("dns.caa.flags", "CAA Flags", FT_UINT8, BASE_HEX, NULL, 0);
static struct tq_field hf_caa_critical = HF("dns.caa.flags.issuer_critical", "Issuer Critical", FT_BOOLEAN, 8, &tfs_critical, 0x80);
static struct tq_field hf_caa_issue = HF("dns.caa.issue", "Issue", FT_STRING, BASE_NONE, NULL, 0);
static struct tq_field hf_caa_issuewild = HF("dns.caa.issuewild", "Issue Wildcard", FT_STRING, BASE_NONE, NULL, 0);
static struct tq_field hf_caa_iodef = HF("dns.caa.iodef", "Report URL", FT_STRING, BASE_NONE, NULL, 0);
static struct tq_field hf_caa_unknown = HF("dns.caa.unknown", "Unknown tag", FT_STRING, BASE_NONE, NULL, 0);
static struct tq_field hf_caa_tag_len = HF("dns.caa.tag_length", "Tag length", FT_UINT8, BASE_DEC, NULL, 0);
static struct tq_field hf_caa_tag = HF("dns.caa.tag", "Tag", FT_STRING, BASE_NONE, NULL, 0);
static struct tq_field hf_caa_value = HF("dns.caa.value", "Value", FT_STRING, BASE_NONE, NULL, 0);
static struct tq_field hf_svcb_priority = HF("dns.svcb.svcpriority", "SvcPriority", FT_UINT16, BASE_DEC, NULL, 0);
static struct tq_field hf_svcb_target = HF("dns.svcb.targetname", "TargetName", FT_STRING, BASE_NONE, NULL, 0);
static struct tq_field hf_svcb_param = HF("dns.svcb.svcparam", "SvcParam", FT_NONE, BASE_NONE, NULL, 0);
static struct tq_field hf_svcb_key = HF("dns.svcb.svcparam.key", "SvcParamKey", FT_UINT16, BASE_DEC, svcb_key_vals, 0);
static struct tq_field hf_svcb_len = HF("dns.svcb.svcparam.value.length", "SvcParamValue length", FT_UINT16, BASE_DEC, NULL, 0);
static struct tq_field hf_svcb_value = HF("dns.svcb.svcparam.value", "SvcParamValue", FT_BYTES, BASE_NONE, NULL, 0);
static struct tq_field hf_svcb_mandatory = HF("dns.svcb.svcparam.mandatory.key", "Mandatory key", FT_UINT16, BASE_DEC, svcb_key_vals, 0);
static struct tq_field hf_svcb_alpn_len = HF("dns.svcb.svcparam.alpn.length", "ALPN length", FT_UINT8, BASE_DEC, NULL, 0);
static struct tq_field hf_svcb_alpn = HF("dns.svcb.svcparam.alpn", "ALPN", FT_STRING, BASE_NONE, NULL, 0);
static struct tq_field hf_svcb_port = HF("dns.svcb.svcparam.port", "Port", FT_UINT16, BASE_DEC, NULL, 0);
static struct tq_field hf_svcb_ipv4 = HF("dns.svcb.svcparam.ipv4hint.ip", "IP", FT_IPV4, BASE_NONE, NULL, 0);
static struct tq_field hf_svcb_ipv6 = HF("dns.svcb.svcparam.ipv6hint.ip", "IP", FT_IPV6, BASE_NONE, NULL, 0);
static struct tq_field hf_svcb_ech = HF("dns.svcb.svcparam.echconfig", "ECHConfig", FT_BYTES, BASE_NONE, NULL, 0);
static struct tq_field hf_svcb_odoh = HF("dns.svcb.svcparam.odohconfig", "ODoHConfig", FT_BYTES, BASE_NONE, NULL, 0);
static struct tq_field hf_dhcid = HF("dns.dhcid.rdata", "DHCID Data", FT_BYTES, BASE_NONE, NULL, 0);
static struct tq_field hf_openpgpkey = HF("dns.openpgpkey", "OpenPGP Key", FT_STRING, BASE_NONE, NULL, 0);
static struct tq_field hf_eui48 = HF("dns.eui48", "EUI48 Address", FT_ETHER, BASE_NONE, NULL, 0);
static struct tq_field hf_data = HF("dns.data", "Data", FT_BYTES, BASE_NONE, NULL, 0);

static struct tq_field hf_response_in = HF("dns.response_in", "Response In", FT_FRAMENUM, BASE_NONE, NULL, 0);
static struct tq_field hf_response_to = HF("dns.response_to", "Request In", FT_FRAMENUM, BASE_NONE, NULL, 0);
static struct tq_field hf_retransmission = HF("dns.retransmission", "Retransmission", FT_BOOLEAN, BASE_NONE, NULL, 0);
static struct tq_field hf_retrans_req_in = HF("dns.retransmit_request_in", "Retransmitted request. Original request in", FT_FRAMENUM, BASE_NONE, NULL, 0);
static struct tq_field hf_retrans_resp_in = HF("dns.retransmit_response_in", "Retransmitted response. Original response in", FT_FRAMENUM, BASE_NONE, NULL, 0);
static struct tq_field hf_time = HF("dns.time", "Time", FT_RELTIME, BASE_NONE, NULL, 0);
static struct tq_field hf_unsolicited = HF("dns.unsolicited", "Unsolicited", FT_BOOLEAN, BASE_NONE, NULL, 0);
static struct tq_field hf_extraneous_data = HF("dns.extraneous.data", "Extraneous Data Bytes", FT_BYTES, BASE_NONE, NULL, 0);
static struct tq_field hf_extraneous_len = HF("dns.extraneous.length", "Extraneous Data Length", FT_INT32, BASE_DEC, NULL, 0);

static struct tq_expert ei_undecoded = EI("dns.undecoded.type", "Undecoded option", PI_NOTE, PI_UNDECODED);
static struct tq_expert ei_depr_opc = EI("dns.depr.opc", "Deprecated opcode", PI_WARN, PI_PROTOCOL);
static struct tq_expert ei_opt_bad_length = EI("dns.rr.opt.bad_length", "Length too long for any type of IP address.", PI_ERROR, PI_MALFORMED);
static struct tq_expert ei_ttl_high = EI("dns.ttl.high_bit_set", "The uppermost bit of the TTL is set (RFC 2181, section 8)", PI_WARN, PI_PROTOCOL);
static struct tq_expert ei_key_id_short = EI("dns.key_id_buffer_too_short", "Buffer too short to compute a key id", PI_WARN, PI_PROTOCOL);
static struct tq_expert ei_retrans_req = EI("dns.retransmit_request", "DNS query retransmission", PI_WARN, PI_PROTOCOL);
static struct tq_expert ei_retrans_resp = EI("dns.retransmit_response", "DNS response retransmission", PI_WARN, PI_PROTOCOL);
static struct tq_expert ei_extraneous = EI("dns.extraneous", "Extraneous data", PI_NOTE, PI_UNDECODED);

static struct tq_field *const fields[] = {
	&hf_dns, &hf_mdns, &hf_llmnr, &hf_length, &hf_id, &hf_flags, &hf_f_response, &hf_f_opcode,
	&hf_f_authoritative, &hf_f_conflict_q, &hf_f_conflict_r, &hf_f_truncated, &hf_f_recdesired,
	&hf_f_tentative, &hf_f_recavail, &hf_f_z, &hf_f_authenticated, &hf_f_ad, &hf_f_checkdisable,
	&hf_f_rcode, &hf_count_queries, &hf_count_zones, &hf_count_answers, &hf_count_prereq,
	&hf_count_auth, &hf_count_updates, &hf_count_add,
	&hf_qry_name, &hf_qry_name_len, &hf_count_labels, &hf_qry_type, &hf_qry_class, &hf_qry_class_mdns,
	&hf_qry_qu, &hf_rr_name, &hf_rr_type, &hf_rr_class, &hf_rr_class_mdns, &hf_rr_cache_flush,
	&hf_rr_ttl, &hf_rr_len, &hf_srv_service, &hf_srv_proto, &hf_srv_name, &hf_udp_payload_size,
	&hf_udp_payload_size_mdns, &hf_ext_rcode, &hf_edns0_version, &hf_rr_z, &hf_rr_z_do, &hf_rr_z_reserved,
	&hf_a, &hf_aaaa, &hf_ns, &hf_cname, &hf_md, &hf_mf, &hf_mb, &hf_mg, &hf_mr, &hf_null,
	&hf_soa_mname, &hf_soa_rname, &hf_soa_serial, &hf_soa_refresh, &hf_soa_retry, &hf_soa_expire,
	&hf_soa_minimum, &hf_ptr, &hf_hinfo_cpu_len, &hf_hinfo_cpu, &hf_hinfo_os_len, &hf_hinfo_os,
	&hf_minfo_r, &hf_minfo_e, &hf_mx_pref, &hf_mx_exchange, &hf_txt_len, &hf_txt, &hf_spf_len, &hf_spf,
	&hf_rp_mailbox, &hf_rp_txt, &hf_afsdb_subtype, &hf_afsdb_host, &hf_rt_pref, &hf_rt_host,
	&hf_kx_pref, &hf_kx_exchange, &hf_px_pref, &hf_px_map822, &hf_px_map400,
	&hf_srv_priority, &hf_srv_weight, &hf_srv_port, &hf_srv_target, &hf_naptr_order, &hf_naptr_pref,
	&hf_naptr_flags_len, &hf_naptr_flags, &hf_naptr_service_len, &hf_naptr_service, &hf_naptr_regex_len,
	&hf_naptr_regex, &hf_naptr_repl_len, &hf_naptr_repl, &hf_dname, &hf_loc_version, &hf_loc_size,
	&hf_loc_hprec, &hf_loc_vprec, &hf_loc_lat, &hf_loc_long, &hf_loc_alt, &hf_loc_unknown, &hf_nxt_next,
	&hf_opt, &hf_opt_code, &hf_opt_len, &hf_opt_data, &hf_opt_dau, &hf_opt_dhu, &hf_opt_n3u,
	&hf_opt_client_family, &hf_opt_client_netmask, &hf_opt_client_scope, &hf_opt_client_addr,
	&hf_opt_client_addr4, &hf_opt_client_addr6, &hf_opt_cookie_client, &hf_opt_cookie_server,
	&hf_opt_keepalive, &hf_opt_padding, &hf_opt_chain, &hf_opt_ext_code, &hf_opt_ext_text,
	&hf_ds_key_id, &hf_ds_algorithm, &hf_ds_digest_type, &hf_ds_digest, &hf_sshfp_algo, &hf_sshfp_fptype,
	&hf_sshfp_fp, &hf_rrsig_type, &hf_rrsig_algo, &hf_rrsig_labels, &hf_rrsig_ttl, &hf_rrsig_exp,
	&hf_rrsig_inc, &hf_rrsig_key_tag, &hf_rrsig_signer, &hf_rrsig_sig, &hf_nsec_next, &hf_dnskey_flags,
	&hf_dnskey_zone, &hf_dnskey_revoked, &hf_dnskey_sep, &hf_dnskey_reserved, &hf_dnskey_protocol,
	&hf_dnskey_algo, &hf_dnskey_key_id, &hf_dnskey_pubkey, &hf_nsec3_algo, &hf_nsec3_flags,
	&hf_nsec3_optout, &hf_nsec3_iter, &hf_nsec3_salt_len, &hf_nsec3_salt, &hf_nsec3_hash_len,
	&hf_nsec3_hash, &hf_tlsa_usage, &hf_tlsa_selector, &hf_tlsa_matching, &hf_tlsa_data, &hf_caa_flags,
	&hf_caa_critical, &hf_caa_issue, &hf_caa_issuewild, &hf_caa_iodef, &hf_caa_unknown, &hf_caa_tag_len,
	&hf_caa_tag, &hf_caa_value, &hf_svcb_priority, &hf_svcb_target, &hf_svcb_param, &hf_svcb_key,
	&hf_svcb_len, &hf_svcb_value, &hf_svcb_mandatory, &hf_svcb_alpn_len, &hf_svcb_alpn, &hf_svcb_port,
	&hf_svcb_ipv4, &hf_svcb_ipv6, &hf_svcb_ech, &hf_svcb_odoh, &hf_dhcid, &hf_openpgpkey, &hf_eui48,
	&hf_data, &hf_response_in, &hf_response_to, &hf_retransmission, &hf_retrans_req_in,
	&hf_retrans_resp_in, &hf_time, &hf_unsolicited, &hf_extraneous_data, &hf_extraneous_len,
	&ei_undecoded.f, &ei_depr_opc.f, &ei_opt_bad_length.f, &ei_ttl_high.f, &ei_key_id_short.f,
	&ei_retrans_req.f, &ei_retrans_resp.f, &ei_extraneous.f,
};

/* ------------------------------------------------------------------ registration */

static int dissect_dns_udp(struct tq_pkt *pk, struct tq_slice *s);
static int dissect_dns_tcp(struct tq_pkt *pk, struct tq_slice *s);
static int dissect_mdns(struct tq_pkt *pk, struct tq_slice *s);
static int dissect_llmnr(struct tq_pkt *pk, struct tq_slice *s);
static int dns_heuristic(const struct tq_pkt *pk, const uint8_t *p, uint32_t len);
static int dissect_dns_heur(struct tq_pkt *pk, struct tq_slice *s);

static int dissect_dns(struct tq_pkt *pk, struct tq_slice *s);

/* one "dns" for both transports (decode as), as Wireshark's dissect_dns */
static struct tq_dissector dns_dissector = { .name = "dns", .dissect = dissect_dns };
static struct tq_dissector mdns = { .name = "mdns", .dissect = dissect_mdns };
static struct tq_dissector llmnr = { .name = "llmnr", .dissect = dissect_llmnr };
static struct tq_dissector dns_heur = { .name = "dns_udp", .dissect = dissect_dns_heur, .heuristic = dns_heuristic };

void tq_register_dns(void);

void
tq_register_dns(void)
{
	TQ_REGISTER(fields);
	tq_dissector_add(TQ_TAB_UDP_PORT, 53, &dns_dissector);
	tq_dissector_add(TQ_TAB_UDP_PORT, 5353, &mdns);
	tq_dissector_add(TQ_TAB_UDP_PORT, 5355, &llmnr);
	tq_dissector_add(TQ_TAB_TCP_PORT, 53, &dns_dissector);
	tq_dissector_add(TQ_TAB_TCP_PORT, 5353, &dns_dissector);
	tq_heur_add(TQ_TAB_UDP_PORT, &dns_heur);
}

/* ------------------------------------------------------------------ transactions */

/* One query and what answered it, in a conversation (pass 1 writes, pass 2 reads). */
struct trans {
	struct trans *next;          /* older transactions in the same bucket */
	uint16_t id;
	uint32_t req_frame, rep_frame;
	int64_t sec;
	int32_t nsec;
	int multiple;                /* AXFR/IXFR: several responses are normal */
};

/*
 * A conversation's transactions: a list while it has few (most have one or
 * two: a client's port per query), buckets by ID once it has more.
 */
#define TBUCKETS 64
#define TLIST_MAX 8
struct conv_state {
	struct trans *list;          /* newest first, while b is NULL */
	struct trans **b;            /* TBUCKETS chains, newest first */
	unsigned n;
};

/* The chain the transactions with this ID are on (made into buckets as the list grows). */
static struct trans **
trans_chain(struct tq_pkt *pk, struct conv_state *cs, uint16_t id)
{
	if (!cs->b && cs->n == TLIST_MAX) {        /* once: a list that could not be converted stays one */
		struct trans **b = tq_arena_alloc(&pk->cap->state, TBUCKETS * sizeof(*b));
		if (b) {
			/* oldest first onto the chains' heads: each chain stays newest first */
			struct trans *old[TLIST_MAX];
			unsigned k = 0;
			for (struct trans *t = cs->list; t && k < TLIST_MAX; t = t->next)
				old[k++] = t;
			while (k--) {
				struct trans *t = old[k];
				t->next = b[t->id % TBUCKETS];
				b[t->id % TBUCKETS] = t;
			}
			cs->b = b;
			cs->list = NULL;
		}
	}
	return cs->b ? &cs->b[id % TBUCKETS] : &cs->list;
}

/*
 * What pass 1 found for one DNS message of a frame, kept in the per-frame
 * table as one word (there is one per message, millions in a busy capture):
 * the transaction, and in its low bit, free since arena memory is 8-aligned,
 * whether it allowed several responses (AXFR, IXFR) when this message was
 * checked.  NULL: none.
 */
struct msg_info {
	const struct trans *t;
	int multiple;
};

static void *
msg_pack(const struct trans *t, int multiple)
{
	return t ? (void *)((uintptr_t)t | (multiple != 0)) : NULL;
}

static struct msg_info
msg_unpack(const void *v)
{
	uintptr_t w = (uintptr_t)v;
	return (struct msg_info){ (const struct trans *)(w & ~(uintptr_t)1), (int)(w & 1) };
}

/* ------------------------------------------------------------------ dissection state */

struct dctx {
	struct tq_pkt *pk;
	const struct tq_slice *s;    /* the DNS message (for TCP, from its length field) */
	uint32_t base;               /* where the message starts in s: compression pointers count from here */
	int mdns, llmnr;
	const char *proto;           /* for exceptions: "DNS", "mDNS", "LLMNR" */
	int err;                     /* sticky: a read went past the message, reported */
	int multiple;                /* a question asked for AXFR or IXFR */
};

/* Whether len bytes at off are there; if not, reports it as Wireshark's exception would and
 * stops the dissection of this message. */
static int
have(struct dctx *d, uint32_t off, uint32_t len)
{
	if (d->err)
		return 0;
	if (!tq_have(d->pk, d->s, off, len, d->proto)) {
		d->err = 1;
		return 0;
	}
	return 1;
}

static void
malformed(struct dctx *d)
{
	if (d->err)
		return;
	tq_malformed(d->pk, d->proto);
	d->err = 1;
}

static uint8_t
u8(const struct dctx *d, uint32_t off)
{
	return tq_peek_u8(d->s->p, d->s->len, off);
}

static uint16_t
u16(const struct dctx *d, uint32_t off)
{
	return tq_peek_be16(d->s->p, d->s->len, off);
}

static uint32_t
u32(const struct dctx *d, uint32_t off)
{
	return tq_peek_be32(d->s->p, d->s->len, off);
}

/* Adds a field read from its bytes, after checking they are there (d->err tells a
 * failure: the node is NULL too when no tree is built). */
static struct tq_node *
itemn(struct dctx *d, struct tq_node *t, const struct tq_field *f, uint32_t off, uint32_t len)
{
	if (!have(d, off, len))
		return NULL;
	return tq_add(d->pk, t, f, d->s, off, len);
}

/* The same, returning whether the bytes were there. */
static int
item(struct dctx *d, struct tq_node *t, const struct tq_field *f, uint32_t off, uint32_t len)
{
	itemn(d, t, f, off, len);
	return !d->err;
}

/* "1 day, 3 minutes": Wireshark's unsigned_time_secs_to_str. */
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

/* A 32-bit field with its value as a duration appended. */
static struct tq_node *
item_secs(struct dctx *d, struct tq_node *t, const struct tq_field *f, uint32_t off)
{
	struct tq_node *n = itemn(d, t, f, off, 4);
	if (n && !d->pk->tree->no_text) {
		char buf[96];
		time_secs_str(u32(d, off), buf, sizeof(buf));
		tq_append(d->pk, n, " (%s)", buf);
	}
	return n;
}

/* A string field of ASCII bytes, those captured (the string ends where they do). */
static char *
ascii_str(struct dctx *d, uint32_t off, uint32_t len)
{
	uint32_t avail = off < d->s->len ? d->s->len - off : 0;
	return tq_ascii_string(d->pk->arena, d->s->p + (avail ? off : 0), len < avail ? len : avail, NULL);
}

static struct tq_node *
item_ascii(struct dctx *d, struct tq_node *t, const struct tq_field *f, uint32_t off, uint32_t len)
{
	if (!have(d, off, len))
		return NULL;
	if (!t)
		return NULL;
	char *str = ascii_str(d, off, len);
	return str ? tq_add_str(d->pk, t, f, d->s, off, len, str) : NULL;
}

/* ------------------------------------------------------------------ names */

struct dname {
	char s[MAX_DNAME_LEN + 64];  /* the name's characters (NULs possible), or a message */
	uint32_t n;                  /* its length */
	uint32_t used;               /* bytes it took where it starts */
	const char *text;            /* as shown: format_text of s (in the arena) */
};

static void
set_special(struct dname *nm, const char *msg)
{
	size_t n = strlen(msg);
	memcpy(nm->s, msg, n + 1);
	nm->n = (uint32_t)n;
}

/*
 * Expands the name at off as Wireshark's expand_dns_name: labels joined by
 * dots up to 254 characters (then "<Name too long>"), compression pointers
 * followed at most 255 times (then, or for a pointer just past itself,
 * "<Name contains a pointer that loops>"), RFC 2673 bitstring labels.
 * Returns 0 when a read failed (reported, d->err set).
 */
static int
expand_name(struct dctx *d, uint32_t off, struct dname *nm)
{
	uint32_t start = off, cur = off;
	int64_t len = -1;
	unsigned ptrs = 0;
	int maxname = MAX_DNAME_LEN;
	size_t k = 0;

	nm->n = 0;
	for (;;) {
		if (!have(d, cur, 1))
			return 0;
		uint8_t c = u8(d, cur++);
		if (c == 0)
			break;
		switch (c & 0xc0) {
		case 0x00:
			if (k) {
				if (maxname > 0) {
					nm->s[k++] = '.';
					nm->n++;
					maxname--;
				}
			} else {
				maxname--;
			}
			while (c > 0) {
				if (!have(d, cur, 1))
					return 0;
				if (maxname > 0) {
					nm->s[k++] = (char)u8(d, cur);
					nm->n++;
					maxname--;
				}
				c--;
				cur++;
			}
			break;
		case 0x40:
			if ((c & 0x3f) == 0x01) {
				/* a bitstring label: "\[x<hex>/<bits>]" (not counted in the length) */
				if (!have(d, cur, 1))
					return 0;
				unsigned bits = u8(d, cur++);
				int label_len = ((int)bits - 1) / 8 + 1;
				char tmp[16];
				int w;
				if (maxname > 0) {
					w = snprintf(tmp, sizeof(tmp), "\\[x");
					if (w <= maxname) {
						memcpy(nm->s + k, tmp, (size_t)w);
						k += (size_t)w;
						maxname -= w;
					} else {
						maxname = 0;
					}
				}
				while (label_len-- > 0) {
					if (!have(d, cur, 1))
						return 0;
					if (maxname > 0) {
						w = snprintf(tmp, sizeof(tmp), "%02x", u8(d, cur));
						if (w <= maxname) {
							memcpy(nm->s + k, tmp, (size_t)w);
							k += (size_t)w;
							maxname -= w;
						} else {
							maxname = 0;
						}
					}
					cur++;
				}
				if (maxname > 0) {
					w = snprintf(tmp, sizeof(tmp), "/%u]", bits);
					if (w <= maxname) {
						memcpy(nm->s + k, tmp, (size_t)w);
						k += (size_t)w;
						maxname -= w;
					} else {
						maxname = 0;
					}
				}
				break;
			}
			/* Wireshark measures from the start even after a pointer was followed:
			 * a jump backwards makes that negative, an exception */
			set_special(nm, "<Unknown extended label>");
			if ((int64_t)cur - (int64_t)start < 1) {
				malformed(d);
				return 0;
			}
			nm->used = cur - start;
			return 1;
		case 0x80:
			malformed(d);
			return 0;
		default: {
			if (!have(d, cur, 1))
				return 0;
			uint32_t indir = d->base + ((uint32_t)(c & 0x3f) << 8 | u8(d, cur));
			cur++;
			ptrs++;
			if (len < 0)
				len = cur - start;
			if (indir == cur + 2 || ptrs > MAX_DNAME_LEN) {
				set_special(nm, "<Name contains a pointer that loops>");
				nm->used = (uint32_t)len;
				return 1;
			}
			cur = indir;
			break;
		}
		}
	}
	if (maxname > 0)
		nm->s[k] = '\0';
	else
		set_special(nm, "<Name too long>");
	nm->used = len < 0 ? cur - start : (uint32_t)len;
	return 1;
}

/* Wireshark's get_dns_name: the root as "<Root>", and the names it rejects; then the
 * name as labels show it. */
static int
get_name(struct dctx *d, uint32_t off, struct dname *nm)
{
	if (!expand_name(d, off, nm))
		return 0;
	if (nm->s[0] == '\0' && nm->used <= 2) {
		set_special(nm, "<Root>");
	} else if (nm->used < 2 || (nm->used > 2 && nm->n == 0)) {
		malformed(d);
		return 0;
	}
	struct tq_sbuf b;
	tq_sbuf_init(&b, 0);
	tq_format_text(&b, (const uint8_t *)nm->s, nm->n);
	const char *t = tq_sbuf_str(&b);
	nm->text = tq_arena_strdup(d->pk->arena, t, strlen(t));
	tq_sbuf_free(&b);
	if (!nm->text)
		nm->text = "";
	return 1;
}

static unsigned
label_count(const struct dname *nm)
{
	unsigned labels = 0;
	if (nm->n > 1) {
		for (uint32_t i = 0; i < nm->n; i++)
			if (nm->s[i] == '.')
				labels++;
		labels++;
	}
	return labels;
}

/* The name as a C string stops at its first NUL (Info columns of some types use it so). */
static const char *
raw_name(const struct dname *nm)
{
	return nm->s;
}

/* ------------------------------------------------------------------ queries */

static uint32_t
dissect_query(struct dctx *d, struct tq_node *qt, uint32_t off)
{
	struct tq_pkt *pk = d->pk;
	struct dname nm;
	if (!get_name(d, off, &nm))
		return 0;
	uint32_t nlen = nm.used;
	if (!have(d, off + nlen, 4))
		return 0;
	uint16_t type = u16(d, off + nlen), cls = u16(d, off + nlen + 2);
	int qu = 0;
	if (d->mdns) {
		qu = cls & 0x8000;
		cls &= 0x7fff;
	}
	if (type == T_AXFR || type == T_IXFR)
		d->multiple = 1;
	const char *tname = tq_vals_find(type_vals, type);
	char tbuf[32];
	if (!tname) {
		snprintf(tbuf, sizeof(tbuf), "Unknown (%u)", type);
		tname = tbuf;
	}
	tq_col_info_append(pk, " %s %s", tname, nm.text);
	if (d->mdns)
		tq_col_info_append(pk, ", \"%s\" question", qu ? "QU" : "QM");
	if (!qt)
		return nlen + 4;
	const char *cname = tq_vals_find(class_vals, cls);
	struct tq_node *q = tq_add_text(pk, qt, d->s, off, nlen + 4, "%s: type %s, class %s", nm.text, tname,
	    cname ? cname : "Unknown");
	if (d->mdns)
		tq_append(pk, q, ", \"%s\" question", qu ? "QU" : "QM");
	tq_add_str(pk, q, &hf_qry_name, d->s, off, nlen, nm.text);
	tq_gen(tq_add_u(pk, q, &hf_qry_name_len, d->s, off, nlen, nm.n > 1 ? nm.n : 0));
	tq_gen(tq_add_u(pk, q, &hf_count_labels, d->s, off, nlen, label_count(&nm)));
	tq_add(pk, q, &hf_qry_type, d->s, off + nlen, 2);
	if (d->mdns) {
		tq_add_u(pk, q, &hf_qry_class_mdns, d->s, off + nlen + 2, 2, cls);
		tq_add_u(pk, q, &hf_qry_qu, d->s, off + nlen + 2, 2, qu ? 1 : 0);
	} else {
		tq_add_u(pk, q, &hf_qry_class, d->s, off + nlen + 2, 2, cls);
	}
	return nlen + 4;
}

/* ------------------------------------------------------------------ resource records */

/* Wireshark's compute_key_id (RFC 4034 appendix B) over size bytes at off. */
static int
key_id(struct dctx *d, struct tq_node *rr, uint32_t off, int size, uint8_t algo, uint16_t *id)
{
	if (size < 4) {
		*id = 0;
		struct tq_node *x = tq_expert(d->pk, rr, &ei_key_id_short, NULL);
		(void)x;
		return 0;
	}
	if (algo == 1) {
		*id = (uint16_t)(u8(d, off + (uint32_t)size - 3) << 8 | u8(d, off + (uint32_t)size - 2));
		return 1;
	}
	uint32_t ac = 0;
	for (; size > 1; size -= 2, off += 2)
		ac += (uint32_t)u8(d, off) << 8 | u8(d, off + 1);
	if (size > 0)
		ac += (uint32_t)u8(d, off) << 8;
	ac += (ac >> 16) & 0xffff;
	*id = (uint16_t)(ac & 0xffff);
	return 1;
}

/* The types of an NSEC/NSEC3 bitmap, one item per type. */
static void
type_bitmap(struct dctx *d, struct tq_node *rr, uint32_t off, int rr_len)
{
	while (rr_len > 0 && !d->err) {
		if (!have(d, off, 2))
			return;
		unsigned block = u8(d, off), size = u8(d, off + 1);
		off += 2;
		rr_len -= 2;
		uint32_t type = block * 256;
		for (; size; size--) {
			if (!have(d, off, 1))
				return;
			uint8_t bits = u8(d, off);
			for (int i = 0; i < 8; i++, type++) {
				if (!(bits & (0x80 >> i)))
					continue;
				struct tq_node *n = tq_add_u(d->pk, rr, &hf_rr_type, d->s, off, 1, type);
				const char *s = tq_vals_find(type_desc_vals, type);
				if (s)
					tq_set_label(d->pk, n, "RR type in bit map: %s", s);
				else
					tq_set_label(d->pk, n, "RR type in bit map: Unknown (%u)", type);
			}
			off++;
			rr_len--;
		}
	}
}

/* A name-valued field: the name at off, added as a string item; returns its length (0: error). */
static uint32_t
name_item(struct dctx *d, struct tq_node *rr, const struct tq_field *f, uint32_t off, struct dname *nm)
{
	if (!get_name(d, off, nm))
		return 0;
	tq_add_str(d->pk, rr, f, d->s, off, nm->used, nm->text);
	return nm->used;
}

static void
base64(const uint8_t *p, size_t n, struct tq_sbuf *out)
{
	static const char tab[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	size_t i = 0;
	for (; i + 3 <= n; i += 3) {
		uint32_t v = (uint32_t)p[i] << 16 | (uint32_t)p[i + 1] << 8 | p[i + 2];
		tq_sbuf_putc(out, tab[v >> 18]);
		tq_sbuf_putc(out, tab[(v >> 12) & 63]);
		tq_sbuf_putc(out, tab[(v >> 6) & 63]);
		tq_sbuf_putc(out, tab[v & 63]);
	}
	if (n - i == 1) {
		uint32_t v = (uint32_t)p[i] << 16;
		tq_sbuf_putc(out, tab[v >> 18]);
		tq_sbuf_putc(out, tab[(v >> 12) & 63]);
		tq_sbuf_puts(out, "==");
	} else if (n - i == 2) {
		uint32_t v = (uint32_t)p[i] << 16 | (uint32_t)p[i + 1] << 8;
		tq_sbuf_putc(out, tab[v >> 18]);
		tq_sbuf_putc(out, tab[(v >> 12) & 63]);
		tq_sbuf_putc(out, tab[(v >> 6) & 63]);
		tq_sbuf_putc(out, '=');
	}
}

/* RFC 1876 sizes: "(%g m)". */
static double
loc_size(uint8_t v)
{
	double size = (v & 0xf0) >> 4;
	for (unsigned e = v & 0x0f; e; e--)
		size *= 10;
	return size / 100;
}

static void
loc_angle(uint32_t angle, int longitude, char *buf, size_t len)
{
	char dir;
	if (angle < 0x80000000u) {
		angle = 0x80000000u - angle;
		dir = longitude ? 'W' : 'S';
	} else {
		angle -= 0x80000000u;
		dir = longitude ? 'E' : 'N';
	}
	if (longitude ? angle > 648000000u : angle > 324000000u) {
		snprintf(buf, len, "Value out of range");
		return;
	}
	unsigned tsecs = angle % 1000;
	angle /= 1000;
	unsigned secs = angle % 60;
	angle /= 60;
	unsigned minutes = angle % 60;
	unsigned degrees = angle / 60;
	snprintf(buf, len, "%u deg %u min %u.%03u sec %c", degrees, minutes, secs, tsecs, dir);
}

static void
opt_options(struct dctx *d, struct tq_node *rr, uint32_t cur, int rropt_len)
{
	struct tq_pkt *pk = d->pk;
	while (rropt_len > 0 && !d->err) {
		if (!have(d, cur, 4))
			return;
		uint16_t code = u16(d, cur), optlen = u16(d, cur + 2);
		rropt_len -= 4;
		struct tq_node *o = itemn(d, rr, &hf_opt, cur, 4u + optlen);
		if (d->err)
			return;
		const char *cs = tq_vals_find(opt_code_vals, code);
		if (cs)
			tq_append(pk, o, ": %s", cs);
		else
			tq_append(pk, o, ": Unknown (%u)", code);
		struct tq_node *codeitem = tq_add(pk, o, &hf_opt_code, d->s, cur, 2);
		cur += 2;
		struct tq_node *lenitem = tq_add(pk, o, &hf_opt_len, d->s, cur, 2);
		cur += 2;
		if (!item(d, o, &hf_opt_data, cur, optlen))
			return;
		switch (code) {
		case 5: case 6: case 7: {
			const struct tq_field *f = code == 5 ? &hf_opt_dau : code == 6 ? &hf_opt_dhu : &hf_opt_n3u;
			for (; optlen; optlen--, cur++, rropt_len--)
				tq_add(pk, o, f, d->s, cur, 1);
			break;
		}
		case 0x50fa:
			tq_expert(pk, codeitem, &ei_depr_opc, "Deprecated opcode. Client subnet OPT assigned as %d.", 8);
			/* fall through */
		case 8: {
			uint16_t family = u16(d, cur);
			uint16_t addr_len = (uint16_t)(optlen - 4);
			if (!item(d, o, &hf_opt_client_family, cur, 2))
				return;
			cur += 2;
			if (!item(d, o, &hf_opt_client_netmask, cur, 1))
				return;
			cur += 1;
			if (!item(d, o, &hf_opt_client_scope, cur, 1))
				return;
			cur += 1;
			if (addr_len > 16) {
				tq_expert(pk, lenitem, &ei_opt_bad_length, NULL);
				addr_len = 16;
			}
			if (!have(d, cur, addr_len))
				return;
			uint8_t ab[16] = { 0 };
			for (unsigned i = 0; i < addr_len; i++)
				ab[i] = u8(d, cur + i);
			if (family == 1 || family == 2) {
				struct tq_node *n = tq_add(pk, o, family == 1 ? &hf_opt_client_addr4 : &hf_opt_client_addr6,
				    d->s, cur, addr_len);
				if (n) {
					/* the address is the bytes there, zero-padded */
					uint8_t *cp = tq_arena_alloc(pk->arena, 16);
					if (cp) {
						memcpy(cp, ab, 16);
						n->v.b.p = cp;
						n->v.b.n = family == 1 ? 4 : 16;
						n->flags |= NF_LOCAL;
					}
				}
			} else {
				if (!item(d, o, &hf_opt_client_addr, cur, (uint16_t)(optlen - 4)))
					return;
			}
			cur += (uint16_t)(optlen - 4);
			rropt_len -= optlen;
			break;
		}
		case 10:
			if (!item(d, o, &hf_opt_cookie_client, cur, 8))
				return;
			cur += 8;
			rropt_len -= 8;
			optlen = (uint16_t)(optlen - 8);
			if (!item(d, o, &hf_opt_cookie_server, cur, optlen))
				return;
			cur += optlen;
			rropt_len -= optlen;
			break;
		case 11:
			if (optlen == 2 && !item(d, o, &hf_opt_keepalive, cur, 2))
				return;
			cur += optlen;
			rropt_len -= optlen;
			break;
		case 12:
			if (!item(d, o, &hf_opt_padding, cur, optlen))
				return;
			cur += optlen;
			rropt_len -= optlen;
			break;
		case 13:
			if (optlen && (item_ascii(d, o, &hf_opt_chain, cur, optlen), d->err))
				return;
			cur += optlen;
			rropt_len -= optlen;
			break;
		case 15:
			if (optlen >= 2) {
				if (!item(d, o, &hf_opt_ext_code, cur, 2))
					return;
				cur += 2;
				rropt_len -= 2;
				if (optlen > 2) {
					if (!have(d, cur, optlen - 2u))
						return;
					tq_add(pk, o, &hf_opt_ext_text, d->s, cur, optlen - 2u);
					cur += optlen - 2u;
					rropt_len -= optlen - 2;
				}
			}
			break;
		default:
			cur += optlen;
			rropt_len -= optlen;
			break;
		}
	}
}

static void
svcb(struct dctx *d, struct tq_node *rr, uint32_t cur, uint32_t data_len)
{
	struct tq_pkt *pk = d->pk;
	uint32_t start = cur;
	struct dname nm;
	if (!item(d, rr, &hf_svcb_priority, cur, 2))
		return;
	cur += 2;
	uint32_t used = name_item(d, rr, &hf_svcb_target, cur, &nm);
	if (!used)
		return;
	cur += used;
	while (data_len > cur - start && !d->err) {
		uint32_t pstart = cur;
		struct tq_node *p = tq_add(pk, rr, &hf_svcb_param, d->s, cur, d->s->len > cur ? d->s->len - cur : 0);
		if (!item(d, p, &hf_svcb_key, cur, 2))
			return;
		uint16_t key = u16(d, cur);
		cur += 2;
		if (!item(d, p, &hf_svcb_len, cur, 2))
			return;
		uint16_t plen = u16(d, cur);
		cur += 2;
		const char *ks = tq_vals_find(svcb_key_vals, key);
		if (ks)
			tq_append(pk, p, ": %s", ks);
		else
			tq_append(pk, p, ": key%u", key);
		tq_set_len(p, plen + 4u);
		(void)pstart;
		switch (key) {
		case 0:
			for (uint32_t o = 0; o < plen; o += 2) {
				if (!item(d, p, &hf_svcb_mandatory, cur, 2))
					return;
				uint16_t k = u16(d, cur);
				const char *s = tq_vals_find(svcb_key_vals, k);
				if (s)
					tq_append(pk, p, "%c%s", o == 0 ? '=' : ',', s);
				else
					tq_append(pk, p, "%ckey%u", o == 0 ? '=' : ',', k);
				cur += 2;
			}
			break;
		case 1:
			for (uint32_t o = 0; o < plen;) {
				if (!item(d, p, &hf_svcb_alpn_len, cur, 1))
					return;
				uint8_t al = u8(d, cur);
				cur += 1;
				struct tq_node *a = item_ascii(d, p, &hf_svcb_alpn, cur, al);
				if (d->err)
					return;
				tq_append(pk, p, "%c%s", o == 0 ? '=' : ',', a ? (const char *)a->v.b.p : "");
				cur += al;
				o += 1u + al;
			}
			break;
		case 2:
			break;
		case 3:
			if (!item(d, p, &hf_svcb_port, cur, 2))
				return;
			tq_append(pk, p, "=%u", u16(d, cur));
			cur += 2;
			break;
		case 4:
			for (uint32_t o = 0; o < plen; o += 4) {
				if (!item(d, p, &hf_svcb_ipv4, cur, 4))
					return;
				char buf[32];
				tq_ipv4_str(d->s->p + cur, buf, sizeof(buf));
				tq_append(pk, p, "%c%s", o == 0 ? '=' : ',', buf);
				cur += 4;
			}
			break;
		case 6:
			for (uint32_t o = 0; o < plen; o += 16) {
				if (!item(d, p, &hf_svcb_ipv6, cur, 16))
					return;
				char buf[64];
				tq_ipv6_str(d->s->p + cur, buf, sizeof(buf));
				tq_append(pk, p, "%c%s", o == 0 ? '=' : ',', buf);
				cur += 16;
			}
			break;
		case 5:
		case 32769: {
			struct tq_node *n = itemn(d, p, key == 5 ? &hf_svcb_ech : &hf_svcb_odoh, cur, plen);
			if (d->err)
				return;
			struct tq_sbuf b;
			tq_sbuf_init(&b, 0);
			base64(d->s->p + cur, plen, &b);
			tq_set_valtext(pk, n, "%s", tq_sbuf_str(&b));
			tq_append(pk, p, "=%s", tq_sbuf_str(&b));
			tq_sbuf_free(&b);
			cur += plen;
			break;
		}
		default:
			if (plen > 0) {
				if (!item(d, p, &hf_svcb_value, cur, plen))
					return;
				struct tq_sbuf b;
				tq_sbuf_init(&b, 0);
				tq_format_text(&b, d->s->p + cur, plen);
				tq_append(pk, p, "=%s", tq_sbuf_str(&b));
				tq_sbuf_free(&b);
				cur += plen;
			}
			break;
		}
	}
}

static void
caa(struct dctx *d, struct tq_node *rr, uint32_t cur, uint16_t data_len)
{
	struct tq_pkt *pk = d->pk;
	struct tq_node *fl = itemn(d, rr, &hf_caa_flags, cur, 1);
	if (d->err)
		return;
	tq_add(pk, fl, &hf_caa_critical, d->s, cur, 1);
	cur++;
	if (!have(d, cur, 1))
		return;
	uint8_t tag_len = u8(d, cur);
	if (!have(d, cur + 1, tag_len))
		return;
	char *tag = ascii_str(d, cur + 1, tag_len);
	uint16_t value_len = (uint16_t)(data_len - (tag_len + 2));
	if (!have(d, cur + 1 + tag_len, value_len))
		return;
	char *raw = ascii_str(d, cur + 1 + tag_len, value_len);
	if (!tag || !raw)
		return;
	struct tq_sbuf b;
	tq_sbuf_init(&b, 0);
	tq_format_text(&b, (const uint8_t *)raw, strlen(raw));
	const char *value = tq_arena_strdup(pk->arena, tq_sbuf_str(&b), b.len);
	tq_sbuf_free(&b);
	if (!value)
		return;
	const struct tq_field *f = &hf_caa_unknown;
	if (!strncmp(tag, "issue", tag_len))
		f = &hf_caa_issue;
	else if (!strncmp(tag, "issuewild", tag_len))
		f = &hf_caa_issuewild;
	else if (!strncmp(tag, "iodef", tag_len))
		f = &hf_caa_iodef;
	struct tq_node *ci = tq_add_str(pk, rr, f, d->s, cur, 1u + tag_len + value_len, value);
	tq_add_u(pk, ci, &hf_caa_tag_len, d->s, cur, 1, tag_len);
	tq_add_str(pk, ci, &hf_caa_tag, d->s, cur + 1, tag_len, tag);
	tq_add_str(pk, ci, &hf_caa_value, d->s, cur + 1 + tag_len, value_len, value);
}

static const char *
type_name(uint16_t type, char *buf, size_t len)
{
	const char *s = tq_vals_find(type_vals, type);
	if (s)
		return s;
	snprintf(buf, len, "Unknown (%u)", type);
	return buf;
}

/* One resource record at off; returns its length, 0 on an error (reported). */
static uint32_t
dissect_rr(struct dctx *d, struct tq_node *sect, uint32_t off)
{
	struct tq_pkt *pk = d->pk;
	struct dname nm;
	if (!get_name(d, off, &nm))
		return 0;
	uint32_t nlen = nm.used;
	if (!have(d, off + nlen, 4))
		return 0;
	uint16_t type = u16(d, off + nlen), cls = u16(d, off + nlen + 2);
	int flush = 0;
	if (d->mdns) {
		flush = cls & 0x8000;
		cls &= 0x7fff;
	}
	char tbuf[32];
	const char *tname = type_name(type, tbuf, sizeof(tbuf));
	const char *cname = tq_vals_find(class_vals, cls);
	if (!cname)
		cname = "Unknown";
	uint32_t lenoff = off + nlen + 8;
	if (!have(d, lenoff, 2))
		return 0;
	uint16_t data_len = u16(d, lenoff);
	uint32_t cur = lenoff + 2;

	tq_col_info_append(pk, " %s", tname);
	if (d->mdns && flush)
		tq_col_info_append(pk, ", cache flush");

	struct tq_node *rr = NULL;
	if (sect) {
		uint32_t rrlen = cur - off + data_len;
		/* the record's item spans all of it: Wireshark's throws before it is
		 * added when the record goes past the captured bytes */
		if (!have(d, off, rrlen))
			return 0;
		if (type != T_OPT) {
			rr = tq_add_text(pk, sect, d->s, off, rrlen, "%s: type %s, class %s", nm.text, tname, cname);
			if (type == T_SRV && nm.text[0]) {
				/* _service._proto.name */
				const char *a = nm.text, *dot1 = strchr(a, '.');
				if (!dot1) {
					tq_add_str(pk, rr, &hf_srv_service, d->s, off, nlen, a);
				} else {
					char *svc = tq_arena_strdup(pk->arena, a, (size_t)(dot1 - a));
					const char *b = dot1 + 1, *dot2 = strchr(b, '.');
					tq_add_str(pk, rr, &hf_srv_service, d->s, off, nlen, svc ? svc : "");
					if (!dot2) {
						tq_add_str(pk, rr, &hf_srv_proto, d->s, off, nlen, b);
					} else {
						char *pr = tq_arena_strdup(pk->arena, b, (size_t)(dot2 - b));
						tq_add_str(pk, rr, &hf_srv_proto, d->s, off, nlen, pr ? pr : "");
						tq_add_str(pk, rr, &hf_srv_name, d->s, off, nlen, dot2 + 1);
					}
				}
			} else {
				tq_add_str(pk, rr, &hf_rr_name, d->s, off, nlen, nm.text);
			}
			tq_add(pk, rr, &hf_rr_type, d->s, off + nlen, 2);
			if (d->mdns) {
				tq_add(pk, rr, &hf_rr_class_mdns, d->s, off + nlen + 2, 2);
				tq_add(pk, rr, &hf_rr_cache_flush, d->s, off + nlen + 2, 2);
			} else {
				tq_add(pk, rr, &hf_rr_class, d->s, off + nlen + 2, 2);
			}
			if (!have(d, off + nlen + 4, 4))
				return 0;
			struct tq_node *ttl = tq_add(pk, rr, &hf_rr_ttl, d->s, off + nlen + 4, 4);
			uint32_t ttlv = u32(d, off + nlen + 4);
			if (!pk->tree->no_text) {
				char buf[96];
				time_secs_str(ttlv, buf, sizeof(buf));
				tq_append(pk, ttl, " (%s)", buf);
			}
			if (ttlv & 0x80000000u)
				tq_expert(pk, ttl, &ei_ttl_high, NULL);
			tq_add(pk, rr, &hf_rr_len, d->s, lenoff, 2);
		} else {
			rr = tq_add_text(pk, sect, d->s, off, rrlen, "%s: type %s", nm.text, tname);
			tq_add_str(pk, rr, &hf_rr_name, d->s, off, nlen, nm.text);
			tq_add(pk, rr, &hf_rr_type, d->s, off + nlen, 2);
			if (d->mdns) {
				tq_add(pk, rr, &hf_udp_payload_size_mdns, d->s, off + nlen + 2, 2);
				tq_add(pk, rr, &hf_rr_cache_flush, d->s, off + nlen + 2, 2);
			} else {
				tq_add(pk, rr, &hf_udp_payload_size, d->s, off + nlen + 2, 2);
			}
			if (!have(d, off + nlen + 4, 4))
				return 0;
			tq_add(pk, rr, &hf_ext_rcode, d->s, off + nlen + 4, 1);
			tq_add(pk, rr, &hf_edns0_version, d->s, off + nlen + 5, 1);
			struct tq_node *z = tq_add(pk, rr, &hf_rr_z, d->s, off + nlen + 6, 2);
			tq_add(pk, z, &hf_rr_z_do, d->s, off + nlen + 6, 2);
			tq_add(pk, z, &hf_rr_z_reserved, d->s, off + nlen + 6, 2);
			tq_add(pk, rr, &hf_rr_len, d->s, lenoff, 2);
		}
		if (d->mdns && flush)
			tq_append(pk, rr, ", cache flush");
	}
	if (data_len == 0)
		return cur - off;

	struct dname n2;
	uint32_t used;
	const char *owner = raw_name(&nm);
	switch (type) {
	case T_A: {
		if (!have(d, cur, 4))
			return 0;
		char buf[32];
		tq_ipv4_str(d->s->p + cur, buf, sizeof(buf));
		tq_col_info_append(pk, " %s", buf);
		tq_append(pk, rr, ", addr %s", buf);
		tq_add(pk, rr, &hf_a, d->s, cur, 4);
		break;
	}
	case T_AAAA: {
		if (!have(d, cur, 16))
			return 0;
		char buf[64];
		tq_ipv6_str(d->s->p + cur, buf, sizeof(buf));
		tq_col_info_append(pk, " %s", buf);
		tq_append(pk, rr, ", addr %s", buf);
		tq_add(pk, rr, &hf_aaaa, d->s, cur, 16);
		break;
	}
	case T_NS:
	case T_CNAME:
	case T_PTR:
	case T_DNAME: {
		if (!get_name(d, cur, &n2))
			return 0;
		tq_col_info_append(pk, " %s", n2.text);
		const struct tq_field *f = type == T_NS ? &hf_ns : type == T_CNAME ? &hf_cname :
		    type == T_PTR ? &hf_ptr : &hf_dname;
		tq_append(pk, rr, type == T_NS ? ", ns %s" : type == T_CNAME ? ", cname %s" :
		    type == T_PTR ? ", %s" : ", dname %s", n2.text);
		tq_add_str(pk, rr, f, d->s, cur, n2.used, n2.text);
		break;
	}
	case T_MD: case T_MF: case T_MB: case T_MG: case T_MR: case T_NSAP_PTR: {
		tq_col_info_append(pk, " %s", owner);
		const struct tq_field *f = type == T_MD ? &hf_md : type == T_MF ? &hf_mf : type == T_MB ? &hf_mb :
		    type == T_MG ? &hf_mg : type == T_MR ? &hf_mr : &hf_data;
		if (type == T_NSAP_PTR)
			goto unknown;
		if (!name_item(d, rr, f, cur, &n2))
			return 0;
		break;
	}
	case T_NULL:
		tq_col_info_append(pk, " %s", owner);
		if (!item(d, rr, &hf_null, cur, data_len))
			return 0;
		break;
	case T_SOA: {
		if (!get_name(d, cur, &n2))
			return 0;
		tq_col_info_append(pk, " %s", n2.text);
		tq_append(pk, rr, ", mname %s", n2.text);
		tq_add_str(pk, rr, &hf_soa_mname, d->s, cur, n2.used, n2.text);
		cur += n2.used;
		if (!(used = name_item(d, rr, &hf_soa_rname, cur, &n2)))
			return 0;
		cur += used;
		if (!item(d, rr, &hf_soa_serial, cur, 4))
			return 0;
		cur += 4;
		const struct tq_field *iv[] = { &hf_soa_refresh, &hf_soa_retry, &hf_soa_expire, &hf_soa_minimum };
		for (int i = 0; i < 4; i++, cur += 4)
			if ((item_secs(d, rr, iv[i], cur), d->err))
				return 0;
		break;
	}
	case T_HINFO: {
		if (!have(d, cur, 1))
			return 0;
		uint8_t cl = u8(d, cur);
		if (!have(d, cur + 1, cl) || !have(d, cur + 1 + cl, 1))
			return 0;
		uint8_t ol = u8(d, cur + 1 + cl);
		if (!have(d, cur + 2 + cl, ol))
			return 0;
		char *cpu = ascii_str(d, cur + 1, cl), *os = ascii_str(d, cur + 2 + cl, ol);
		if (cpu && os) {
			tq_col_info_append(pk, " %.*s %.*s", (int)cl, cpu, (int)ol, os);
			tq_append(pk, rr, ", CPU %.*s, OS %.*s", (int)cl, cpu, (int)ol, os);
		}
		tq_add(pk, rr, &hf_hinfo_cpu_len, d->s, cur, 1);
		item_ascii(d, rr, &hf_hinfo_cpu, cur + 1, cl);
		tq_add(pk, rr, &hf_hinfo_os_len, d->s, cur + 1 + cl, 1);
		item_ascii(d, rr, &hf_hinfo_os, cur + 2 + cl, ol);
		break;
	}
	case T_MINFO:
	case T_RP: {
		tq_col_info_append(pk, " %s", owner);
		if (!(used = name_item(d, rr, type == T_RP ? &hf_rp_mailbox : &hf_minfo_r, cur, &n2)))
			return 0;
		cur += used;
		if (!name_item(d, rr, type == T_RP ? &hf_rp_txt : &hf_minfo_e, cur, &n2))
			return 0;
		break;
	}
	case T_MX:
	case T_KX: {
		if (!have(d, cur, 2))
			return 0;
		uint16_t pref = u16(d, cur);
		if (!get_name(d, cur + 2, &n2))
			return 0;
		tq_col_info_append(pk, " %u %s", pref, n2.text);
		if (type == T_MX) {
			tq_append(pk, rr, ", preference %u, mx %s", pref, n2.text);
			tq_add(pk, rr, &hf_mx_pref, d->s, cur, 2);
			tq_add_str(pk, rr, &hf_mx_exchange, d->s, cur + 2, n2.used, n2.text);
		} else {
			tq_append(pk, rr, ", preference %u, kx %s", pref, n2.text);
			tq_add(pk, rr, &hf_kx_pref, d->s, cur, 2);
			tq_add_str(pk, rr, &hf_kx_exchange, d->s, cur + 2, n2.used, n2.text);
		}
		break;
	}
	case T_AFSDB:
	case T_RT: {
		tq_col_info_append(pk, " %s", owner);
		if (!get_name(d, cur + 2, &n2))
			return 0;
		if (!item(d, rr, type == T_AFSDB ? &hf_afsdb_subtype : &hf_rt_pref, cur, 2))
			return 0;
		tq_add_str(pk, rr, type == T_AFSDB ? &hf_afsdb_host : &hf_rt_host, d->s, cur + 2, n2.used, n2.text);
		break;
	}
	case T_PX: {
		tq_col_info_append(pk, " %s", owner);
		if (!item(d, rr, &hf_px_pref, cur, 2))
			return 0;
		cur += 2;
		if (!(used = name_item(d, rr, &hf_px_map822, cur, &n2)))
			return 0;
		cur += used;
		if (!name_item(d, rr, &hf_px_map400, cur, &n2))
			return 0;
		break;
	}
	case T_TXT:
	case T_SPF: {
		int rr_len = data_len;
		uint32_t o = cur;
		while (rr_len != 0 && !d->err) {
			if (!have(d, o, 1))
				return 0;
			uint8_t tl = u8(d, o);
			tq_add(pk, rr, type == T_TXT ? &hf_txt_len : &hf_spf_len, d->s, o, 1);
			o++;
			rr_len--;
			if (type == T_TXT && d->mdns) {
				if (!item(d, rr, &hf_txt, o, tl))
					return 0;
			} else if (!item_ascii(d, rr, type == T_TXT ? &hf_txt : &hf_spf, o, tl) && d->err) {
				return 0;
			}
			o += tl;
			rr_len -= tl;
		}
		break;
	}
	case T_SRV: {
		if (!item(d, rr, &hf_srv_priority, cur, 2) || !item(d, rr, &hf_srv_weight, cur + 2, 2) ||
		    !item(d, rr, &hf_srv_port, cur + 4, 2))
			return 0;
		uint16_t pri = u16(d, cur), w = u16(d, cur + 2), port = u16(d, cur + 4);
		if (!name_item(d, rr, &hf_srv_target, cur + 6, &n2))
			return 0;
		tq_col_info_append(pk, " %u %u %u %s", pri, w, port, n2.text);
		tq_append(pk, rr, ", priority %u, weight %u, port %u, target %s", pri, w, port, n2.text);
		break;
	}
	case T_NAPTR: {
		uint32_t o = cur;
		if (!item(d, rr, &hf_naptr_order, o, 2) || !item(d, rr, &hf_naptr_pref, o + 2, 2))
			return 0;
		uint16_t order = u16(d, o), pref = u16(d, o + 2);
		o += 4;
		if (!item(d, rr, &hf_naptr_flags_len, o, 1))
			return 0;
		uint8_t fl = u8(d, o++);
		struct tq_node *fn = item_ascii(d, rr, &hf_naptr_flags, o, fl);
		if (d->err)
			return 0;
		const char *flags = fn ? (const char *)fn->v.b.p : "";
		char *flags_s = ascii_str(d, o, fl);
		if (flags_s)
			flags = flags_s;
		o += fl;
		if (!item(d, rr, &hf_naptr_service_len, o, 1))
			return 0;
		uint8_t sl = u8(d, o++);
		if (!item_ascii(d, rr, &hf_naptr_service, o, sl) && d->err)
			return 0;
		o += sl;
		if (!item(d, rr, &hf_naptr_regex_len, o, 1))
			return 0;
		uint8_t rl = u8(d, o++);
		if (!item_ascii(d, rr, &hf_naptr_regex, o, rl) && d->err)
			return 0;
		o += rl;
		if (!get_name(d, o, &n2))
			return 0;
		tq_gen(tq_add_u(pk, rr, &hf_naptr_repl_len, d->s, o, 0, n2.n & 0xff));
		tq_add_str(pk, rr, &hf_naptr_repl, d->s, o, n2.used, n2.text);
		tq_col_info_append(pk, " %u %u %s", order, pref, flags);
		tq_append(pk, rr, ", order %u, preference %u, flags %s", order, pref, flags);
		break;
	}
	case T_LOC: {
		if (!item(d, rr, &hf_loc_version, cur, 1))
			return 0;
		if (u8(d, cur) != 0) {
			if (!item(d, rr, &hf_loc_unknown, cur, data_len))
				return 0;
			break;
		}
		cur++;
		const struct tq_field *sz[] = { &hf_loc_size, &hf_loc_hprec, &hf_loc_vprec };
		for (int i = 0; i < 3; i++, cur++) {
			struct tq_node *n = itemn(d, rr, sz[i], cur, 1);
			if (d->err)
				return 0;
			tq_append(pk, n, " (%g m)", loc_size(u8(d, cur)));
		}
		char buf[64];
		for (int i = 0; i < 2; i++, cur += 4) {
			struct tq_node *n = itemn(d, rr, i ? &hf_loc_long : &hf_loc_lat, cur, 4);
			if (d->err)
				return 0;
			loc_angle(u32(d, cur), i, buf, sizeof(buf));
			tq_append(pk, n, " (%s)", buf);
		}
		struct tq_node *n = itemn(d, rr, &hf_loc_alt, cur, 4);
		if (d->err)
			return 0;
		tq_append(pk, n, " (%g m)", ((double)(int32_t)u32(d, cur) - 10000000) / 100.0);
		break;
	}
	case T_NXT: {
		if (!get_name(d, cur, &n2))
			return 0;
		tq_col_info_append(pk, " %s", n2.text);
		tq_append(pk, rr, ", next domain name %s", n2.text);
		tq_add_str(pk, rr, &hf_nxt_next, d->s, cur, n2.used, n2.text);
		goto unknown_tail;
	}
	case T_OPT:
		opt_options(d, rr, cur, data_len);
		if (d->err)
			return 0;
		break;
	case T_DS:
	case T_CDS:
	case T_DLV: {
		int rr_len = data_len;
		if (!item(d, rr, &hf_ds_key_id, cur, 2) || !item(d, rr, &hf_ds_algorithm, cur + 2, 1) ||
		    !item(d, rr, &hf_ds_digest_type, cur + 3, 1))
			return 0;
		rr_len -= 4;
		if (!item(d, rr, &hf_ds_digest, cur + 4, rr_len < 0 ? 0 : (uint32_t)rr_len))
			return 0;
		break;
	}
	case T_SSHFP: {
		int rr_len = data_len - 2;
		if (!item(d, rr, &hf_sshfp_algo, cur, 1) || !item(d, rr, &hf_sshfp_fptype, cur + 1, 1))
			return 0;
		if (rr_len > 0 && !item(d, rr, &hf_sshfp_fp, cur + 2, (uint32_t)rr_len))
			return 0;
		break;
	}
	case T_RRSIG:
	case T_SIG: {
		int rr_len = data_len;
		if (!item(d, rr, &hf_rrsig_type, cur, 2) || !item(d, rr, &hf_rrsig_algo, cur + 2, 1) ||
		    !item(d, rr, &hf_rrsig_labels, cur + 3, 1) || !(item_secs(d, rr, &hf_rrsig_ttl, cur + 4), !d->err))
			return 0;
		cur += 8;
		for (int i = 0; i < 2; i++, cur += 4) {
			if (!have(d, cur, 4))
				return 0;
			tq_add_time(pk, rr, i ? &hf_rrsig_inc : &hf_rrsig_exp, d->s, cur, 4, u32(d, cur), 0);
		}
		if (!item(d, rr, &hf_rrsig_key_tag, cur, 2))
			return 0;
		cur += 2;
		rr_len -= 18;
		if (!(used = name_item(d, rr, &hf_rrsig_signer, cur, &n2)))
			return 0;
		cur += used;
		rr_len -= (int)used;
		if (rr_len != 0 && !item(d, rr, &hf_rrsig_sig, cur, (uint32_t)rr_len))
			return 0;
		break;
	}
	case T_NSEC: {
		if (!get_name(d, cur, &n2))
			return 0;
		tq_col_info_append(pk, " %s", n2.text);
		tq_append(pk, rr, ", next domain name %s", n2.text);
		tq_add_str(pk, rr, &hf_nsec_next, d->s, cur, n2.used, n2.text);
		type_bitmap(d, rr, cur + n2.used, data_len - (int)n2.used);
		if (d->err)
			return 0;
		break;
	}
	case T_DNSKEY:
	case T_CDNSKEY: {
		int rr_len = data_len;
		struct tq_node *fl = itemn(d, rr, &hf_dnskey_flags, cur, 2);
		if (d->err)
			return 0;
		tq_add(pk, fl, &hf_dnskey_zone, d->s, cur, 2);
		tq_add(pk, fl, &hf_dnskey_revoked, d->s, cur, 2);
		tq_add(pk, fl, &hf_dnskey_sep, d->s, cur, 2);
		tq_add(pk, fl, &hf_dnskey_reserved, d->s, cur, 2);
		if (!item(d, rr, &hf_dnskey_protocol, cur + 2, 1) || !item(d, rr, &hf_dnskey_algo, cur + 3, 1))
			return 0;
		uint8_t algo = u8(d, cur + 3);
		rr_len -= 4;
		uint16_t kid;
		if (!have(d, cur, (uint32_t)(rr_len + 4 > 0 ? rr_len + 4 : 0)))
			return 0;
		if (key_id(d, rr, cur, rr_len + 4, algo, &kid))
			tq_gen(tq_add_u(pk, rr, &hf_dnskey_key_id, d->s, 0, 0, kid));
		if (!item(d, rr, &hf_dnskey_pubkey, cur + 4, rr_len < 0 ? 0 : (uint32_t)rr_len))
			return 0;
		break;
	}
	case T_NSEC3: {
		uint32_t init = cur;
		if (!item(d, rr, &hf_nsec3_algo, cur, 1))
			return 0;
		cur++;
		struct tq_node *fl = itemn(d, rr, &hf_nsec3_flags, cur, 1);
		if (d->err)
			return 0;
		tq_add(pk, fl, &hf_nsec3_optout, d->s, cur, 1);
		cur++;
		if (!item(d, rr, &hf_nsec3_iter, cur, 2) || !item(d, rr, &hf_nsec3_salt_len, cur + 2, 1))
			return 0;
		uint8_t salt_len = u8(d, cur + 2);
		cur += 3;
		if (!item(d, rr, &hf_nsec3_salt, cur, salt_len))
			return 0;
		cur += salt_len;
		if (!item(d, rr, &hf_nsec3_hash_len, cur, 1))
			return 0;
		uint8_t hash_len = u8(d, cur);
		cur++;
		if (hash_len) {
			/* base32hex (RFC 4648), no padding, 5 bits at a time */
			static const char b32[] = "0123456789abcdefghijklmnopqrstuv";
			if (!have(d, cur, hash_len))
				return 0;
			char *h = tq_arena_alloc(pk->arena, (size_t)hash_len * 8 / 5 + 3);
			if (h) {
				size_t k = 0;
				for (uint32_t bit = 0; bit / 8 < hash_len; bit += 5) {
					uint32_t byte = cur + bit / 8;
					unsigned v = (unsigned)u8(d, byte) << 8 | (bit / 8 + 1 < hash_len ? u8(d, byte + 1) :
					    u8(d, byte + 1));
					if (bit / 8 + 1 >= hash_len && !have(d, byte + 1, (bit % 8) > 3 ? 1 : 0))
						return 0;
					h[k++] = b32[(v >> (11 - bit % 8)) & 31];
				}
				h[k] = '\0';
				tq_gen(tq_add_str(pk, rr, &hf_nsec3_hash, d->s, cur, hash_len, h));
			}
			cur += hash_len;
		}
		type_bitmap(d, rr, cur, (int)data_len - (int)(cur - init));
		if (d->err)
			return 0;
		break;
	}
	case T_NSEC3PARAM: {
		tq_col_info_append(pk, " %s", owner);
		if (!item(d, rr, &hf_nsec3_algo, cur, 1) || !item(d, rr, &hf_nsec3_flags, cur + 1, 1) ||
		    !item(d, rr, &hf_nsec3_iter, cur + 2, 2) || !item(d, rr, &hf_nsec3_salt_len, cur + 4, 1))
			return 0;
		if (!item(d, rr, &hf_nsec3_salt, cur + 5, u8(d, cur + 4)))
			return 0;
		break;
	}
	case T_TLSA: {
		tq_col_info_append(pk, " %s", owner);
		if (!item(d, rr, &hf_tlsa_usage, cur, 1) || !item(d, rr, &hf_tlsa_selector, cur + 1, 1) ||
		    !item(d, rr, &hf_tlsa_matching, cur + 2, 1))
			return 0;
		if (!item(d, rr, &hf_tlsa_data, cur + 3, data_len >= 3 ? data_len - 3u : 0))
			return 0;
		break;
	}
	case T_DHCID:
		tq_col_info_append(pk, " %s", owner);
		if (!item(d, rr, &hf_dhcid, cur, data_len))
			return 0;
		break;
	case T_OPENPGPKEY:
		if ((item_ascii(d, rr, &hf_openpgpkey, cur, data_len), d->err))
			return 0;
		break;
	case T_EUI48:
		if (!item(d, rr, &hf_eui48, cur, 6))
			return 0;
		break;
	case T_SVCB:
	case T_HTTPS:
		svcb(d, rr, cur, data_len);
		if (d->err)
			return 0;
		break;
	case T_CAA:
		caa(d, rr, cur, data_len);
		if (d->err)
			return 0;
		break;
	default:
	unknown:
		tq_expert(pk, rr, &ei_undecoded, "Dissector for DNS Type (%d) code not implemented, Contact Wireshark developers if you want this supported", type);
		if (!item(d, rr, &hf_data, cur, data_len))
			return 0;
		break;
	}
	return lenoff + 2 + data_len - off;

unknown_tail:
	/* NXT's bitmap is not shown by us (rare) */
	return lenoff + 2 + data_len - off;
}

static uint32_t
dissect_section(struct dctx *d, struct tq_node *t, uint32_t off, unsigned count, const char *title, int queries)
{
	uint32_t start = off;
	struct tq_node *sect = NULL;
	/* the section's item runs to the end of the bytes (Wireshark's length -1),
	 * which throws when none is left */
	if (t && !have(d, off, 1))
		return 0;
	if (t)
		sect = tq_add_text(d->pk, t, d->s, off, d->s->len > off ? d->s->len - off : 0, "%s", title);
	while (count-- > 0) {
		uint32_t n = queries ? dissect_query(d, sect, off) : dissect_rr(d, sect, off);
		if (!n || d->err)
			return 0;
		off += n;
	}
	tq_set_len(sect, off - start);
	return off - start;
}

/* ------------------------------------------------------------------ transactions */

static struct conv_state *
conv_state(struct tq_pkt *pk, int create)
{
	struct tq_conv *c = NULL;
	int kind = CONV_UDP;
	if (pk->tcp && pk->tcp->conv) {
		c = pk->tcp->conv;
		kind = CONV_TCP;
	} else if (pk->src.kind) {
		c = tq_conv_find(pk->cap, CONV_UDP, &pk->src, &pk->dst, pk->sport, pk->dport, 0, create);
	}
	if (!c)
		return NULL;
	/* keyed by the conversation's index and kind (several captures may run at once) */
	uint32_t key = PD_DNS_CONV + (uint32_t)kind;
	uint32_t num = c->index;
	struct cs_hdr { struct tq_conv *c; struct conv_state st; } *h = tq_pdata_get(pk->cap, num, key);
	if (h && h->c == c)
		return &h->st;
	if (!create)
		return NULL;
	h = tq_arena_alloc(&pk->cap->state, sizeof(*h));
	if (!h)
		return NULL;
	h->c = c;
	tq_pdata_put(pk->cap, num, key, h);
	return &h->st;
}

/* Pass 1: Wireshark's transaction tracking for one message of this frame. */
static void
track(struct tq_pkt *pk, unsigned msg, uint16_t id, int response, int multiple)
{
	struct conv_state *cs = conv_state(pk, 1);
	if (!cs)
		return;
	struct trans **bucket = trans_chain(pk, cs, id);
	struct trans *t = *bucket;
	while (t && t->id != id)
		t = t->next;
	if (!response) {
		int fresh = 1;
		if (t && !t->rep_frame) {
			int64_t ds;
			int32_t dns;
			tq_reltime_delta(pk->fr->sec, (int32_t)pk->fr->nsec, t->sec, t->nsec, &ds, &dns);
			double secs = (double)ds + (double)dns / 1e9;
			if (secs < RETRANSMISSION_SECS)
				fresh = 0;
		}
		if (fresh) {
			t = tq_arena_alloc(&pk->cap->state, sizeof(*t));
			if (!t)
				return;
			t->id = id;
			t->req_frame = pk->num;
			t->sec = pk->fr->sec;
			t->nsec = (int32_t)pk->fr->nsec;
			t->next = *bucket;
			*bucket = t;
			cs->n++;
		}
	} else if (t && !t->rep_frame) {
		t->rep_frame = pk->num;
	}
	void *mi = msg_pack(t, t && t->multiple);
	if (t && multiple >= 0)
		t->multiple = multiple;
	if (mi)
		tq_pdata_put(pk->cap, pk->num, PD_DNS_MSG + 0x10000u * msg, mi);
}

/* ------------------------------------------------------------------ one message */

/*
 * Dissects one DNS message: s is the UDP payload, or for TCP the PDU from its
 * length field (base 2).  msg numbers the messages of this frame.
 */
static void
dissect_message(struct tq_pkt *pk, struct tq_slice *s, uint32_t base, int is_mdns, int is_llmnr, unsigned msg)
{
	struct dctx d = {
		.pk = pk, .s = s, .base = base, .mdns = is_mdns, .llmnr = is_llmnr,
		.proto = is_llmnr ? "LLMNR" : is_mdns ? "mDNS" : "DNS",
	};
	tq_col_info_clear(pk);

	uint16_t id = u16(&d, base), flags = u16(&d, base + 2);
	unsigned opcode = (flags & F_OPCODE) >> 11, rcode = flags & F_RCODE;
	int response = (flags & F_RESPONSE) != 0;

	/* a later message of a TCP segment is no new layer in frame.protocols */
	const struct tq_field *pf = is_llmnr ? &hf_llmnr : is_mdns ? &hf_mdns : &hf_dns;
	/* the ID and flags are read before the protocol item is added */
	if (!have(&d, base, 4)) {
		if (msg == 0)
			tq_layer(pk, pf->abbrev);
		return;
	}
	struct tq_node *t = msg == 0 ? tq_add_proto(pk, tq_root(pk), pf, s, 0, s->len) :
	    pk->tree ? tq_add(pk, tq_root(pk), pf, s, 0, s->len) : NULL;
	tq_set_label(pk, t, "%s (%s)", is_llmnr ? "Link-local Multicast Name Resolution" :
	    is_mdns ? "Multicast Domain Name System" : "Domain Name System", response ? "response" : "query");

	const char *op = tq_vals_find(opcode_vals, opcode);
	if (op)
		tq_col_info_set(pk, "%s%s 0x%04x", op, response ? " response" : "", id);
	else
		tq_col_info_set(pk, "Unknown operation (%u)%s 0x%04x", opcode, response ? " response" : "", id);
	if (response && rcode) {
		const char *rc = tq_vals_find(rcode_vals, rcode);
		if (rc)
			tq_col_info_append(pk, " %s", rc);
		else
			tq_col_info_append(pk, " Unknown error (%u)", rcode);
	}
	int isupdate = opcode == OPCODE_UPDATE;

	if (base == 2)
		tq_add(pk, t, &hf_length, s, 0, 2);
	struct tq_node *idn = tq_add(pk, t, &hf_id, s, base, 2);
	struct tq_node *fl = tq_add(pk, t, &hf_flags, s, base + 2, 2);
	tq_append(pk, fl, " %s", op ? op : "Unknown operation");
	if (response) {
		const char *rc = tq_vals_find(rcode_vals, rcode);
		tq_append(pk, fl, " response, %s", rc ? rc : "Unknown error");
	}
	tq_add(pk, fl, &hf_f_response, s, base + 2, 2);
	tq_add(pk, fl, &hf_f_opcode, s, base + 2, 2);
	if (is_llmnr) {
		tq_add(pk, fl, response ? &hf_f_conflict_r : &hf_f_conflict_q, s, base + 2, 2);
		tq_add(pk, fl, &hf_f_truncated, s, base + 2, 2);
		tq_add(pk, fl, &hf_f_tentative, s, base + 2, 2);
		if (response)
			tq_add(pk, fl, &hf_f_rcode, s, base + 2, 2);
	} else {
		if (response)
			tq_add(pk, fl, &hf_f_authoritative, s, base + 2, 2);
		tq_add(pk, fl, &hf_f_truncated, s, base + 2, 2);
		tq_add(pk, fl, &hf_f_recdesired, s, base + 2, 2);
		if (response)
			tq_add(pk, fl, &hf_f_recavail, s, base + 2, 2);
		tq_add(pk, fl, &hf_f_z, s, base + 2, 2);
		if (response)
			tq_add(pk, fl, &hf_f_authenticated, s, base + 2, 2);
		else if (flags & F_AUTHENTIC)
			tq_add(pk, fl, &hf_f_ad, s, base + 2, 2);
		tq_add(pk, fl, &hf_f_checkdisable, s, base + 2, 2);
		if (response)
			tq_add(pk, fl, &hf_f_rcode, s, base + 2, 2);
	}

	/* the transaction, tracked in pass 1 (not inside an ICMP error) */
	struct msg_info mi = { NULL, 0 };
	int retrans = 0;
	if (!pk->in_error) {
		if (pk->pass == 1) {
			/* the sections are dissected first: an AXFR question marks the transaction */
		} else {
			mi = msg_unpack(tq_pdata_get(pk->cap, pk->num, PD_DNS_MSG + 0x10000u * msg));
		}
	}

	unsigned counts[4] = { 0, 0, 0, 0 };
	uint32_t cur = base + 12;
	int have_quest = 0;
	static const struct tq_field *const cnt_f[4] = { &hf_count_queries, &hf_count_answers, &hf_count_auth, &hf_count_add };
	static const struct tq_field *const upd_f[4] = { &hf_count_zones, &hf_count_prereq, &hf_count_updates, &hf_count_add };
	for (int i = 0; i < 4; i++) {
		if (!have(&d, base + 4 + 2 * i, 2))
			goto done;
		counts[i] = u16(&d, base + 4 + 2 * i);
		tq_add(pk, t, isupdate ? upd_f[i] : cnt_f[i], s, base + 4 + 2 * i, 2);
	}
	if (opcode == OPCODE_DSO && !counts[0] && !counts[1] && !counts[2] && !counts[3]) {
		/* DSO TLVs: not decoded (shown as extraneous data below) */
	}
	have_quest = counts[0] > 0;
	if (counts[0]) {
		uint32_t n = dissect_section(&d, t, cur, counts[0], isupdate ? "Zone" : "Queries", 1);
		if (d.err)
			goto done;
		cur += n;
	}
	if (counts[1]) {
		uint32_t n = dissect_section(&d, t, cur, counts[1], isupdate ? "Prerequisites" : "Answers", 0);
		if (d.err)
			goto done;
		cur += n;
	}
	if (counts[2]) {
		uint32_t n = dissect_section(&d, t, cur, counts[2], isupdate ? "Updates" : "Authoritative nameservers", 0);
		if (d.err)
			goto done;
		cur += n;
	}
	if (counts[3]) {
		uint32_t n = dissect_section(&d, t, cur, counts[3], "Additional records", 0);
		if (d.err)
			goto done;
		cur += n;
	}

done:
	/* Wireshark records the transaction before the sections; an exception in
	 * them leaves it recorded but adds no state items */
	if (!pk->in_error && pk->pass == 1) {
		track(pk, msg, id, response, have_quest ? d.multiple : -1);
		return;
	}
	if (d.err)
		return;

	const struct trans *tr = mi.t;
	uint32_t req_frame = tr ? tr->req_frame : 0, rep_frame = tr ? tr->rep_frame : 0;
	if (tr) {
		if (!response && tr->req_frame != pk->num) {
			rep_frame = 0;
			retrans = 1;
		} else if (response && tr->rep_frame != pk->num && !mi.multiple) {
			retrans = 1;
		}
	}
	static const struct tq_slice zero = { NULL, 0, 0, 0, 0 };
	(void)zero;
	if (!response) {
		if (retrans && req_frame && !pk->in_error) {
			tq_expert(pk, idn, &ei_retrans_req, "DNS query retransmission. Original request in frame %u", req_frame);
			tq_gen(tq_add_u(pk, t, &hf_retrans_req_in, s, 0, 0, req_frame));
			tq_gen(tq_add_u(pk, t, &hf_retransmission, s, 0, 0, 1));
		} else if (rep_frame) {
			tq_gen(tq_add_u(pk, t, &hf_response_in, s, 0, 0, rep_frame));
		}
	} else if (req_frame) {
		if (retrans && rep_frame && !pk->in_error) {
			tq_expert(pk, idn, &ei_retrans_resp, "DNS response retransmission. Original response in frame %u", rep_frame);
			tq_gen(tq_add_u(pk, t, &hf_retrans_resp_in, s, 0, 0, rep_frame));
			tq_gen(tq_add_u(pk, t, &hf_retransmission, s, 0, 0, 1));
		} else {
			tq_gen(tq_add_u(pk, t, &hf_response_to, s, 0, 0, req_frame));
			int64_t ds;
			int32_t dns;
			tq_reltime_delta(pk->fr->sec, (int32_t)pk->fr->nsec, tr->sec, tr->nsec, &ds, &dns);
			tq_gen(tq_add_time(pk, t, &hf_time, s, 0, 0, ds, dns));
		}
	} else if (!retrans) {
		tq_gen(tq_add_u(pk, t, &hf_unsolicited, s, 0, 0, 1));
	}

	/* bytes after the last record */
	if (s->rlen > cur) {
		uint32_t ext = s->rlen - cur;
		struct tq_node *x = tq_add_text(pk, t, s, cur, ext, "Extraneous Data (%u bytes)", ext);
		if (x) {
			if (!have(&d, cur, ext))
				return;
			tq_add(pk, x, &hf_extraneous_data, s, cur, ext);
			struct tq_node *l = tq_gen(tq_add_u(pk, x, &hf_extraneous_len, s, 0, 0, ext));
			(void)l;
			/* Wireshark's proto_tree_add_expert: a text item over the bytes, holding the expert info */
			struct tq_node *e = TQ_HIDDEN(pk, tq_add_text(pk, x, s, cur, ext, "%s", ei_extraneous.f.name));
			tq_expert(pk, e, &ei_extraneous, NULL);
		}
	}
}

/* ------------------------------------------------------------------ transports */

/* Wireshark's Info column holds COL_MAX_INFO_LEN (4096) bytes with its NUL: a response
 * with hundreds of records is cut there (not inside a UTF-8 character). */
#define COL_MAX_INFO 4095
static void
info_limit(struct tq_pkt *pk)
{
	if (!pk->want_cols || pk->in_error || !pk->info || pk->info->len <= COL_MAX_INFO || !pk->info->s)
		return;
	size_t n = COL_MAX_INFO;
	while (n > 0 && ((uint8_t)pk->info->s[n] & 0xc0) == 0x80)
		n--;
	pk->info->len = n;
	pk->info->s[n] = '\0';
}

static int
dissect_dns_udp(struct tq_pkt *pk, struct tq_slice *s)
{
	tq_col_proto(pk, "DNS");
	dissect_message(pk, s, 0, 0, 0, 0);
	info_limit(pk);
	return s->len ? (int)s->len : 1;
}

static int
dissect_mdns(struct tq_pkt *pk, struct tq_slice *s)
{
	tq_col_proto(pk, "MDNS");
	dissect_message(pk, s, 0, 1, 0, 0);
	info_limit(pk);
	return s->len ? (int)s->len : 1;
}

static int
dissect_llmnr(struct tq_pkt *pk, struct tq_slice *s)
{
	tq_col_proto(pk, "LLMNR");
	dissect_message(pk, s, 0, 0, 1, 0);
	info_limit(pk);
	return s->len ? (int)s->len : 1;
}

/* The UDP ports Wireshark 4.0 gives to a dissector by number (`tshark -G decodes`,
 * udp.port): its heuristics are tried only when neither port's dissector took the
 * datagram, so ours leaves those alone. */
static const uint16_t udp_ports[] = {
	0, 7, 13, 19, 37, 49, 53, 67, 68, 69, 88, 111, 123, 137, 138, 161, 162, 173, 177, 213, 269,
	319, 320, 389, 427, 434, 464, 473, 496, 500, 502, 513, 514, 520, 521, 524, 525, 539, 546, 547,
	573, 623, 631, 646, 654, 664, 698, 699, 701, 750, 853, 854, 910, 921, 925, 1001, 1044, 1052,
	1069, 1089, 1090, 1091, 1101, 1113, 1153, 1194, 1293, 1547, 1628, 1629, 1645, 1646, 1700,
	1701, 1718, 1719, 1745, 1755, 1812, 1813, 1900, 1985, 2029, 2048, 2055, 2067, 2099, 2123,
	2152, 2157, 2190, 2221, 2222, 2231, 2246, 2268, 2269, 2313, 2345, 2424, 2427, 2428, 2727,
	2887, 2944, 2945, 2948, 2949, 2960, 3000, 3121, 3130, 3205, 3222, 3250, 3333, 3343, 3357,
	3386, 3389, 3452, 3455, 3478, 3483, 3503, 3540, 3544, 3567, 3622, 3671, 3784, 3785, 3792,
	3799, 3804, 3819, 3863, 3956, 4000, 4011, 4058, 4305, 4306, 4307, 4341, 4342, 4500, 4533,
	4534, 4551, 4555, 4556, 4569, 4665, 4672, 4713, 4729, 4739, 4754, 4784, 4789, 4790, 4791,
	4991, 5000, 5001, 5031, 5050, 5060, 5072, 5094, 5246, 5247, 5264, 5265, 5350, 5351, 5353,
	5355, 5404, 5405, 5436, 5555, 5567, 5678, 5683, 5684, 5868, 6060, 6073, 6081, 6084, 6087,
	6118, 6160, 6343, 6543, 6635, 6666, 6696, 6784, 6970, 7000, 7001, 7002, 7003, 7004, 7005,
	7006, 7007, 7008, 7009, 7010, 7021, 7074, 7075, 7255, 7275, 7784, 8000, 8116, 8161, 8200,
	8211, 8600, 8611, 8612, 8613, 8614, 8755, 8767, 8805, 8848, 9003, 9200, 9201, 9202, 9203,
	9214, 9600, 9875, 9877, 9899, 9901, 9955, 9956, 9996, 9999, 10253, 10500, 11211, 11273, 11898,
	12000, 12001, 12002, 12003, 12004, 12220, 12222, 12223, 13400, 13819, 13907, 13910, 17220,
	17500, 17754, 17755, 17756, 18246, 19132, 19788, 19948, 19999, 20000, 20561, 22222, 23272,
	24576, 24577, 25826, 26000, 27036, 27500, 27910, 27950, 27951, 27952, 27953, 27960, 27961,
	27962, 27963, 30030, 32000, 32512, 34962, 34980, 37008, 41170, 44818, 45564, 47000, 47808,
	49999, 54328, 56000, 56001, 56500, 56501, 57000, 57001, 57032, 57033, 57500, 57501, 57532,
	57533, 59000, 59001, 59032, 59033, 59500, 59501, 59532, 59533, 60001
};

static int
cmp_port(const void *a, const void *b)
{
	return (int)*(const uint16_t *)a - (int)*(const uint16_t *)b;
}

static int
udp_port_claimed(uint16_t port)
{
	return bsearch(&port, udp_ports, sizeof(udp_ports) / sizeof(udp_ports[0]), sizeof(udp_ports[0]), cmp_port) != NULL;
}

/* Wireshark's dissect_dns_heur: a standard query with one question and nothing else,
 * or a response with few records. */
static int
dns_heuristic(const struct tq_pkt *pk, const uint8_t *p, uint32_t len)
{
	if (udp_port_claimed(pk->sport) || udp_port_claimed(pk->dport))
		return 0;
	if (len <= 12)
		return 0;
	uint16_t flags = tq_peek_be16(p, len, 2);
	if (flags & F_OPCODE)
		return 0;
	uint16_t quest = tq_peek_be16(p, len, 4), ans = tq_peek_be16(p, len, 6), auth = tq_peek_be16(p, len, 8);
	if (!(flags & F_RESPONSE)) {
		if (quest != 1 || ans != 0 || auth != 0)
			return 0;
	} else if (quest > 1 || ans > 100 || auth > 10) {
		return 0;
	}
	return tq_peek_be16(p, len, 10) <= 10;
}

static int
dissect_dns_heur(struct tq_pkt *pk, struct tq_slice *s)
{
	return dissect_dns_udp(pk, s);
}

/*
 * DNS over TCP (Wireshark's tcp_dissect_pdus with a 2-byte length): each
 * message is dissected on its own; one cut by the segment asks TCP for the
 * bytes still missing.
 */
static int
dissect_dns_tcp(struct tq_pkt *pk, struct tq_slice *s)
{
	uint32_t off = 0;
	unsigned msg = 0;
	int can = pk->tcp && pk->tcp->can_desegment;
	while (off < s->rlen) {
		uint32_t left = s->len > off ? s->len - off : 0;
		if (can && left < 2) {
			pk->deseg_offset = off;
			pk->deseg_len = TQ_DESEG_ONE_MORE;
			return (int)s->len;
		}
		tq_col_proto(pk, "DNS");
		if (left < 2) {
			/* the length itself is cut: Wireshark's exception */
			struct tq_node *t = tq_add_proto(pk, tq_root(pk), &hf_dns, s, off, left);
			(void)t;
			tq_have(pk, s, off, 2, "DNS");
			return (int)s->len;
		}
		uint32_t plen = (uint32_t)tq_peek_be16(s->p, s->len, off) + 2;
		if (can && left < plen) {
			pk->deseg_offset = off;
			pk->deseg_len = plen - left;
			return (int)s->len;
		}
		tq_tcp_pdu_size(pk, s, off, plen);
		/* each message clears Info: the last one's is shown, as tshark does */
		struct tq_slice m = tq_sub(s, off, plen);
		m.rlen = plen;
		if (m.len > plen)
			m.len = plen;
		dissect_message(pk, &m, 2, 0, 0, msg);
		info_limit(pk);
		msg++;
		off += plen;
	}
	return (int)s->len;
}

static int
dissect_dns(struct tq_pkt *pk, struct tq_slice *s)
{
	return pk->tcp ? dissect_dns_tcp(pk, s) : dissect_dns_udp(pk, s);
}
