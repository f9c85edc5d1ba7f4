/*
 * icmpv6.c - ICMPv6 (RFC 4443) with neighbor discovery (RFC 4861, 4191,
 * 8106, 8781, 8910), MLD (RFC 2710) and MLDv2 (RFC 3810), as Wireshark's
 * packet-icmpv6.c shows it: checksum over the pseudo-header, echo
 * request/reply matching, ND options, and the invoking packet of an error
 * dissected inside the ICMPv6 item.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "../internal.h"

enum {
	T_UNREACH = 1, T_TOOBIG = 2, T_TIMEEX = 3, T_PARAMPROB = 4, T_ECHO = 128, T_ECHOREPLY = 129,
	T_MLQUERY = 130, T_MLREPORT = 131, T_MLDONE = 132, T_RS = 133, T_RA = 134, T_NS = 135,
	T_NA = 136, T_REDIRECT = 137, T_MLDV2REPORT = 143,
};

static const struct tq_vals type_vals[] = {
	{ 1, "Destination Unreachable" }, { 2, "Packet Too Big" }, { 3, "Time Exceeded" },
	{ 4, "Parameter Problem" }, { 100, "Private experimentation" }, { 101, "Private experimentation" },
	{ 127, "Reserved for expansion of ICMPv6 error messages" }, { 128, "Echo (ping) request" },
	{ 129, "Echo (ping) reply" }, { 130, "Multicast Listener Query" }, { 131, "Multicast Listener Report" },
	{ 132, "Multicast Listener Done" }, { 133, "Router Solicitation" }, { 134, "Router Advertisement" },
	{ 135, "Neighbor Solicitation" }, { 136, "Neighbor Advertisement" }, { 137, "Redirect" },
	{ 138, "Router Renumbering" }, { 139, "Node Information Query" }, { 140, "Node Information Reply" },
	{ 141, "Inverse Neighbor Discovery Solicitation" }, { 142, "Inverse Neighbor Discovery Advertisement" },
	{ 143, "Multicast Listener Report Message v2" }, { 144, "Home Agent Address Discovery Request" },
	{ 145, "Home Agent Address Discovery Reply" }, { 146, "Mobile Prefix Solicitation" },
	{ 147, "Mobile Prefix Advertisement" }, { 148, "Certification Path Solicitation" },
	{ 149, "Certification Path Advertisement" }, { 150, "Experimental Mobility" },
	{ 151, "Multicast Router Advertisement" }, { 152, "Multicast Router Solicitation" },
	{ 153, "Multicast Router Termination" }, { 154, "FMIPv6" }, { 155, "RPL Control" },
	{ 156, "Locator Update" }, { 157, "Duplicate Address Request" }, { 158, "Duplicate Address Confirmation" },
	{ 159, "MPL Control Message" }, { 160, "Extended Echo request" }, { 161, "Extended Echo reply" },
	{ 200, "Private experimentation" }, { 201, "Private experimentation" },
	{ 255, "Reserved for expansion of ICMPv6 informational messages" }, { 0, NULL },
};
static const struct tq_vals unreach_vals[] = {
	{ 0, "no route to destination" }, { 1, "Administratively prohibited" },
	{ 2, "Beyond scope of source address" }, { 3, "Address unreachable" }, { 4, "Port unreachable" },
	{ 5, "Source address failed ingress/egress policy" }, { 6, "Reject route to destination" },
	{ 7, "Error in Source Routing Header" }, { 0, NULL },
};
static const struct tq_vals timeex_vals[] = {
	{ 0, "hop limit exceeded in transit" }, { 1, "fragment reassembly time exceeded" }, { 0, NULL },
};
static const struct tq_vals paramprob_vals[] = {
	{ 0, "erroneous header field encountered" }, { 1, "unrecognized Next Header type encountered" },
	{ 2, "unrecognized IPv6 option encountered" },
	{ 3, "IPv6 First Fragment has incomplete IPv6 Header Chain" }, { 0, NULL },
};
static const struct tq_vals rr_vals[] = {
	{ 0, "Command" }, { 1, "Result" }, { 255, "Sequence number reset" }, { 0, NULL },
};
static const struct tq_vals niq_vals[] = {
	{ 0, "Query subject = IPv6 addresses" }, { 1, "Query subject = DNS name or empty" },
	{ 2, "Query subject = IPv4 addresses" }, { 0, NULL },
};
static const struct tq_vals nir_vals[] = {
	{ 0, "Successful" }, { 1, "Refused" }, { 2, "Unknown query type" }, { 0, NULL },
};
static const struct tq_vals extecho_vals[] = { { 0, "No error" }, { 0, NULL } };
static const struct tq_vals extechoreply_vals[] = {
	{ 0, "No error" }, { 1, "Malformed Query" }, { 2, "No Such Interface" },
	{ 3, "No Such Table Entry" }, { 4, "Multiple Interfaces Satisfy Query" }, { 0, NULL },
};
static const struct tq_vals opt_type_vals[] = {
	{ 1, "Source link-layer address" }, { 2, "Target link-layer address" }, { 3, "Prefix information" },
	{ 4, "Redirected header" }, { 5, "MTU" }, { 6, "NBMA Shortcut Limit Option" },
	{ 7, "Advertisement Interval" }, { 8, "Home Agent Information" }, { 9, "Source Address List" },
	{ 10, "Target Address List" }, { 11, "CGA" }, { 12, "RSA Signature" }, { 13, "Timestamp" },
	{ 14, "Nonce" }, { 15, "Trust Anchor" }, { 16, "Certificate" }, { 17, "IP Address/Prefix Option" },
	{ 18, "New Router Prefix Information" }, { 19, "Link-layer Address" },
	{ 20, "Neighbor Advertisement Acknowledgment" }, { 23, "MAP" }, { 24, "Route Information" },
	{ 25, "Recursive DNS Server" }, { 26, "RA Flags Extension" }, { 27, "Handover Key Request" },
	{ 28, "Handover Key Reply" }, { 29, "Handover Assist Information" },
	{ 30, "Mobile Node Identifier Option" }, { 31, "DNS Search List Option" },
	{ 32, "Proxy Signature (PS)" }, { 33, "Address Registration Option" },
	{ 34, "6LoWPAN Context Option" }, { 35, "Authoritative Border Router" },
	{ 36, "6LoWPAN Capability Indication Option" }, { 37, "DHCP Captive-Portal" },
	{ 38, "PREF64 Option" }, { 138, "CARD Request" }, { 139, "CARD Reply" },
	{ 253, "RFC3692-style Experiment 1" }, { 254, "RFC3692-style Experiment 2" }, { 0, NULL },
};
static const struct tq_vals prf_vals[] = {
	{ 0, "Medium" }, { 1, "High" }, { 2, "Reserved" }, { 3, "Low" }, { 0, NULL },
};
static const struct tq_vals record_type_vals[] = {
	{ 1, "Include" }, { 2, "Exclude" }, { 3, "Changed to include" }, { 4, "Changed to exclude" },
	{ 5, "Allow new sources" }, { 6, "Block old sources" }, { 0, NULL },
};
static const struct tq_vals plc_vals[] = {
	{ 0, "96 bits prefix length" }, { 1, "64 bits prefix length" }, { 2, "56 bits prefix length" },
	{ 3, "48 bits prefix length" }, { 4, "40 bits prefix length" }, { 5, "32 bits prefix length" }, { 0, NULL },
};
static const struct tq_vals cksum_status_vals[] = {
	{ 0, "Bad" }, { 1, "Good" }, { 2, "Unverified" }, { 3, "Not present" }, { 4, "Illegal" }, { 0, NULL },
};

static struct tq_field hf_icmpv6 = HF("icmpv6", "Internet Control Message Protocol v6", FT_PROTOCOL, BASE_NONE, NULL, 0);
static struct tq_field hf_type = HF("icmpv6.type", "Type", FT_UINT8, BASE_DEC, type_vals, 0);
static struct tq_field hf_code = HF("icmpv6.code", "Code", FT_UINT8, BASE_DEC, NULL, 0);
static struct tq_field hf_checksum = HF("icmpv6.checksum", "Checksum", FT_UINT16, BASE_HEX, NULL, 0);
static struct tq_field hf_checksum_status = HF("icmpv6.checksum.status", "Checksum Status", FT_UINT8, BASE_NONE, cksum_status_vals, 0);
static struct tq_field hf_reserved = HF("icmpv6.reserved", "Reserved", FT_BYTES, BASE_NONE, NULL, 0);
static struct tq_field hf_data = HF("icmpv6.data", "Data", FT_BYTES, BASE_NONE, NULL, 0);
static struct tq_field hf_mtu = HF("icmpv6.mtu", "MTU", FT_UINT32, BASE_DEC, NULL, 0);
static struct tq_field hf_pointer = HF("icmpv6.pointer", "Pointer", FT_UINT32, BASE_DEC, NULL, 0);
static struct tq_field hf_length = HF("icmpv6.length", "Length of original datagram", FT_UINT8, BASE_DEC, NULL, 0);
static struct tq_field hf_echo_id = HF("icmpv6.echo.identifier", "Identifier", FT_UINT16, BASE_HEX, NULL, 0);
static struct tq_field hf_echo_seq = HF("icmpv6.echo.sequence_number", "Sequence", FT_UINT16, BASE_DEC, NULL, 0);
static struct tq_field hf_resp_in = HF("icmpv6.resp_in", "Response In", FT_FRAMENUM, BASE_NONE, NULL, 0);
static struct tq_field hf_no_resp = HF("icmpv6.no_resp", "No response seen", FT_NONE, BASE_NONE, NULL, 0);
static struct tq_field hf_resp_to = HF("icmpv6.resp_to", "Response To", FT_FRAMENUM, BASE_NONE, NULL, 0);
static struct tq_field hf_resptime = HF("icmpv6.resptime", "Response Time", FT_DOUBLE, BASE_NONE, NULL, 0);

/* neighbor discovery */
static struct tq_field hf_ra_hop_limit = HF("icmpv6.nd.ra.cur_hop_limit", "Cur hop limit", FT_UINT8, BASE_DEC, NULL, 0);
static struct tq_field hf_ra_flag = HF("icmpv6.nd.ra.flag", "Flags", FT_UINT8, BASE_HEX, NULL, 0);
static struct tq_field hf_ra_flag_m = HF("icmpv6.nd.ra.flag.m", "Managed address configuration", FT_BOOLEAN, 8, &tq_tfs_set_notset, 0x80);
static struct tq_field hf_ra_flag_o = HF("icmpv6.nd.ra.flag.o", "Other configuration", FT_BOOLEAN, 8, &tq_tfs_set_notset, 0x40);
static struct tq_field hf_ra_flag_h = HF("icmpv6.nd.ra.flag.h", "Home Agent", FT_BOOLEAN, 8, &tq_tfs_set_notset, 0x20);
static struct tq_field hf_ra_flag_prf = HF("icmpv6.nd.ra.flag.prf", "Prf (Default Router Preference)", FT_UINT8, BASE_DEC, prf_vals, 0x18);
static struct tq_field hf_ra_flag_p = HF("icmpv6.nd.ra.flag.p", "Proxy", FT_BOOLEAN, 8, &tq_tfs_set_notset, 0x04);
static struct tq_field hf_ra_flag_rsv = HF("icmpv6.nd.ra.flag.rsv", "Reserved", FT_UINT8, BASE_DEC, NULL, 0x03);
static struct tq_field hf_ra_lifetime = HF("icmpv6.nd.ra.router_lifetime", "Router lifetime (s)", FT_UINT16, BASE_DEC, NULL, 0);
static struct tq_field hf_ra_reachable = HF("icmpv6.nd.ra.reachable_time", "Reachable time (ms)", FT_UINT32, BASE_DEC, NULL, 0);
static struct tq_field hf_ra_retrans = HF("icmpv6.nd.ra.retrans_timer", "Retrans timer (ms)", FT_UINT32, BASE_DEC, NULL, 0);
static struct tq_field hf_ns_target = HF("icmpv6.nd.ns.target_address", "Target Address", FT_IPV6, BASE_NONE, NULL, 0);
static struct tq_field hf_na_flag = HF("icmpv6.nd.na.flag", "Flags", FT_UINT32, BASE_HEX, NULL, 0);
static struct tq_field hf_na_flag_r = HF("icmpv6.nd.na.flag.r", "Router", FT_BOOLEAN, 32, &tq_tfs_set_notset, 0x80000000);
static struct tq_field hf_na_flag_s = HF("icmpv6.nd.na.flag.s", "Solicited", FT_BOOLEAN, 32, &tq_tfs_set_notset, 0x40000000);
static struct tq_field hf_na_flag_o = HF("icmpv6.nd.na.flag.o", "Override", FT_BOOLEAN, 32, &tq_tfs_set_notset, 0x20000000);
static struct tq_field hf_na_flag_rsv = HF("icmpv6.nd.na.flag.rsv", "Reserved", FT_UINT32, BASE_DEC, NULL, 0x1fffffff);
static struct tq_field hf_na_target = HF("icmpv6.nd.na.target_address", "Target Address", FT_IPV6, BASE_NONE, NULL, 0);
static struct tq_field hf_rd_target = HF("icmpv6.nd.rd.target_address", "Target Address", FT_IPV6, BASE_NONE, NULL, 0);
static struct tq_field hf_rd_dst = HF("icmpv6.rd.na.destination_address", "Destination Address", FT_IPV6, BASE_NONE, NULL, 0);

/* options */
static struct tq_field hf_opt = HF("icmpv6.opt", "ICMPv6 Option", FT_NONE, BASE_NONE, NULL, 0);
static struct tq_field hf_opt_type = HF("icmpv6.opt.type", "Type", FT_UINT8, BASE_DEC, opt_type_vals, 0);
static struct tq_field hf_opt_length = HF("icmpv6.opt.length", "Length", FT_UINT8, BASE_DEC, NULL, 0);
static struct tq_field hf_opt_reserved = HF("icmpv6.opt.reserved", "Reserved", FT_NONE, BASE_NONE, NULL, 0);
static struct tq_field hf_opt_padding = HF("icmpv6.opt.padding", "Padding", FT_NONE, BASE_NONE, NULL, 0);
static struct tq_field hf_opt_linkaddr_mac = HF("icmpv6.opt.linkaddr", "Link-layer address", FT_ETHER, BASE_NONE, NULL, 0);
static struct tq_field hf_opt_src_linkaddr_mac = HF("icmpv6.opt.src_linkaddr", "Source Link-layer address", FT_ETHER, BASE_NONE, NULL, 0);
static struct tq_field hf_opt_target_linkaddr_mac = HF("icmpv6.opt.target_linkaddr", "Target Link-layer address", FT_ETHER, BASE_NONE, NULL, 0);
static struct tq_field hf_opt_linkaddr = HF("icmpv6.opt.linkaddr", "Link-layer address", FT_BYTES, BASE_NONE, NULL, 0);
static struct tq_field hf_opt_src_linkaddr = HF("icmpv6.opt.src_linkaddr", "Source Link-layer address", FT_BYTES, BASE_NONE, NULL, 0);
static struct tq_field hf_opt_target_linkaddr = HF("icmpv6.opt.target_linkaddr", "Target Link-layer address", FT_BYTES, BASE_NONE, NULL, 0);
static struct tq_field hf_opt_linkaddr_eui64 = HF("icmpv6.opt.linkaddr_eui64", "Link-layer address", FT_BYTES, BASE_NONE, NULL, 0);
static struct tq_field hf_opt_src_linkaddr_eui64 = HF("icmpv6.opt.src_linkaddr_eui64", "Source Link-layer address", FT_BYTES, BASE_NONE, NULL, 0);
static struct tq_field hf_opt_target_linkaddr_eui64 = HF("icmpv6.opt.target_linkaddr_eui64", "Target Link-layer address", FT_BYTES, BASE_NONE, NULL, 0);
static struct tq_field hf_opt_prefix_len = HF("icmpv6.opt.prefix.length", "Prefix Length", FT_UINT8, BASE_DEC, NULL, 0);
static struct tq_field hf_opt_prefix_flag = HF("icmpv6.opt.prefix.flag", "Flag", FT_UINT8, BASE_HEX, NULL, 0);
static struct tq_field hf_opt_prefix_flag_l = HF("icmpv6.opt.prefix.flag.l", "On-link flag(L)", FT_BOOLEAN, 8, &tq_tfs_set_notset, 0x80);
static struct tq_field hf_opt_prefix_flag_a = HF("icmpv6.opt.prefix.flag.a", "Autonomous address-configuration flag(A)", FT_BOOLEAN, 8, &tq_tfs_set_notset, 0x40);
static struct tq_field hf_opt_prefix_flag_r = HF("icmpv6.opt.prefix.flag.r", "Router address flag(R)", FT_BOOLEAN, 8, &tq_tfs_set_notset, 0x20);
static struct tq_field hf_opt_prefix_flag_rsv = HF("icmpv6.opt.prefix.flag.reserved", "Reserved", FT_UINT8, BASE_DEC, NULL, 0x1f);
static struct tq_field hf_opt_prefix_valid = HF("icmpv6.opt.prefix.valid_lifetime", "Valid Lifetime", FT_UINT32, BASE_DEC, NULL, 0);
static struct tq_field hf_opt_prefix_preferred = HF("icmpv6.opt.prefix.preferred_lifetime", "Preferred Lifetime", FT_UINT32, BASE_DEC, NULL, 0);
static struct tq_field hf_opt_prefix = HF("icmpv6.opt.prefix", "Prefix", FT_IPV6, BASE_NONE, NULL, 0);
static struct tq_field hf_opt_route_flag = HF("icmpv6.opt.route_info.flag", "Flag", FT_UINT8, BASE_HEX, NULL, 0);
static struct tq_field hf_opt_route_pref = HF("icmpv6.opt.route_info.flag.route_preference", "Route Preference", FT_UINT8, BASE_DEC, prf_vals, 0x18);
static struct tq_field hf_opt_route_rsv = HF("icmpv6.opt.route_info.flag.reserved", "Reserved", FT_UINT8, BASE_DEC, NULL, 0xe7);
static struct tq_field hf_opt_route_lifetime = HF("icmpv6.opt.route_lifetime", "Route Lifetime", FT_UINT32, BASE_DEC, NULL, 0);
static struct tq_field hf_opt_redirected = HF("icmpv6.opt.redirected_packet", "Redirected Packet", FT_NONE, BASE_NONE, NULL, 0);
static struct tq_field hf_opt_mtu = HF("icmpv6.opt.mtu", "MTU", FT_UINT32, BASE_DEC, NULL, 0);
static struct tq_field hf_opt_nbma = HF("icmpv6.opt.nbma.shortcut_limit", "Shortcut Limit", FT_UINT8, BASE_DEC, NULL, 0);
static struct tq_field hf_opt_adv_interval = HF("icmpv6.opt.advertisement_interval", "Advertisement Interval", FT_UINT32, BASE_DEC, NULL, 0);
static struct tq_field hf_opt_ha_pref = HF("icmpv6.opt.home_agent_preference", "Home Agent Preference", FT_UINT16, BASE_DEC, NULL, 0);
static struct tq_field hf_opt_ha_lifetime = HF("icmpv6.opt.home_agent_lifetime", "Home Agent Preference", FT_UINT16, BASE_DEC, NULL, 0);
static struct tq_field hf_opt_ipv6_address = HF("icmpv6.opt.ipv6_address", "IPv6 Address", FT_IPV6, BASE_NONE, NULL, 0);
static struct tq_field hf_opt_nonce = HF("icmpv6.opt.nonce", "Nonce", FT_BYTES, BASE_NONE, NULL, 0);
static struct tq_field hf_opt_rdnss_lifetime = HF("icmpv6.opt.rdnss.lifetime", "Lifetime", FT_UINT32, BASE_DEC, NULL, 0);
static struct tq_field hf_opt_rdnss = HF("icmpv6.opt.rdnss", "Recursive DNS Servers", FT_IPV6, BASE_NONE, NULL, 0);
static struct tq_field hf_opt_dnssl_lifetime = HF("icmpv6.opt.dnssl.lifetime", "Lifetime", FT_UINT32, BASE_DEC, NULL, 0);
static struct tq_field hf_opt_dnssl = HF("icmpv6.opt.dnssl", "Domain Names", FT_STRING, BASE_NONE, NULL, 0);
static struct tq_field hf_opt_efo = HF("icmpv6.opt.efo", "Flags Expansion Option", FT_UINT16, BASE_HEX, NULL, 0);
static struct tq_field hf_opt_efo_m = HF("icmpv6.opt.efo.m", "Managed address configuration", FT_BOOLEAN, 16, &tq_tfs_set_notset, 0x8000);
static struct tq_field hf_opt_efo_o = HF("icmpv6.opt.efo.o", "Other configuration", FT_BOOLEAN, 16, &tq_tfs_set_notset, 0x4000);
static struct tq_field hf_opt_efo_h = HF("icmpv6.opt.efo.h", "Home Agent", FT_BOOLEAN, 16, &tq_tfs_set_notset, 0x2000);
static struct tq_field hf_opt_efo_prf = HF("icmpv6.opt.efo.prf", "Prf (Default Router Preference)", FT_UINT16, BASE_DEC, prf_vals, 0x1800);
static struct tq_field hf_opt_efo_p = HF("icmpv6.opt.efo.p", "Proxy", FT_BOOLEAN, 16, &tq_tfs_set_notset, 0x0400);
static struct tq_field hf_opt_efo_rsv = HF("icmpv6.opt.efo.rsv", "Reserved", FT_UINT16, BASE_DEC, NULL, 0x02ff);
static struct tq_field hf_opt_captive = HF("icmpv6.opt.captive_portal", "Captive Portal", FT_STRING, BASE_NONE, NULL, 0);
static struct tq_field hf_opt_pref64_lifetime = HF("icmpv6.opt.pref64.scaled_lifetime", "Scaled Lifetime", FT_UINT16, BASE_DEC, NULL, 0xfff8);
static struct tq_field hf_opt_pref64_plc = HF("icmpv6.opt.pref64.plc", "PLC (Prefix Length Code)", FT_UINT16, BASE_HEX, plc_vals, 0x0007);
static struct tq_field hf_opt_pref64_prefix = HF("icmpv6.opt.pref64.prefix", "Prefix", FT_IPV6, BASE_NONE, NULL, 0);

/* MLD, MLDv2 */
static struct tq_field hf_mld_mrd = HF("icmpv6.mld.maximum_response_delay", "Maximum Response Delay [ms]", FT_UINT16, BASE_DEC, NULL, 0);
static struct tq_field hf_mld_maddr = HF("icmpv6.mld.multicast_address", "Multicast Address", FT_IPV6, BASE_NONE, NULL, 0);
static struct tq_field hf_mld_mrc = HF("icmpv6.mld.maximum_response_code", "Maximum Response Code", FT_UINT16, BASE_DEC, NULL, 0);
static struct tq_field hf_mld_flag = HF("icmpv6.mld.flag", "Flags", FT_UINT8, BASE_HEX, NULL, 0);
static struct tq_field hf_mld_flag_s = HF("icmpv6.mld.flag.s", "Suppress Router-Side Processing", FT_BOOLEAN, 8, NULL, 0x08);
static struct tq_field hf_mld_flag_qrv = HF("icmpv6.mld.flag.qrv", "QRV (Querier's Robustness Variable)", FT_UINT8, BASE_DEC, NULL, 0x07);
static struct tq_field hf_mld_flag_rsv = HF("icmpv6.mld.flag.reserved", "Reserved", FT_UINT8, BASE_DEC, NULL, 0xf0);
static struct tq_field hf_mld_qqi = HF("icmpv6.mld.qqi", "QQIC (Querier's Query Interval Code)", FT_UINT8, BASE_DEC, NULL, 0);
static struct tq_field hf_mld_nb_sources = HF("icmpv6.mld.nb_sources", "Number of Sources", FT_UINT16, BASE_DEC, NULL, 0);
static struct tq_field hf_mld_source = HF("icmpv6.mld.source_address", "Source Address", FT_IPV6, BASE_NONE, NULL, 0);
static struct tq_field hf_mldr_nb_records = HF("icmpv6.mldr.nb_mcast_records", "Number of Multicast Address Records", FT_UINT16, BASE_DEC, NULL, 0);
static struct tq_field hf_mldr_mar = HF("icmpv6.mldr.mar", "Multicast Address Record", FT_NONE, BASE_NONE, NULL, 0);
static struct tq_field hf_mldr_record_type = HF("icmpv6.mldr.mar.record_type", "Record Type", FT_UINT8, BASE_DEC, record_type_vals, 0);
static struct tq_field hf_mldr_aux_len = HF("icmpv6.mldr.mar.aux_data_len", "Aux Data Len", FT_UINT8, BASE_DEC, NULL, 0);
static struct tq_field hf_mldr_nb_sources = HF("icmpv6.mldr.mar.nb_sources", "Number of Sources", FT_UINT16, BASE_DEC, NULL, 0);
static struct tq_field hf_mldr_maddr = HF("icmpv6.mldr.mar.multicast_address", "Multicast Address", FT_IPV6, BASE_NONE, NULL, 0);
static struct tq_field hf_mldr_source = HF("icmpv6.mldr.mar.source_address", "Source Address", FT_IPV6, BASE_NONE, NULL, 0);
static struct tq_field hf_mldr_aux = HF("icmpv6.mldr.mar.auxiliary_data", "Auxiliary Data", FT_BYTES, BASE_NONE, NULL, 0);

static struct tq_expert ei_resp_not_found = EI("icmpv6.resp_not_found", "Response not found", PI_WARN, PI_SEQUENCE);
static struct tq_expert ei_checksum = EI("icmpv6.checksum_bad.expert", "Bad checksum", PI_WARN, PI_CHECKSUM);
static struct tq_expert ei_invalid_opt_len = EI("icmpv6.invalid_option_length", "Invalid Option Length", PI_ERROR, PI_MALFORMED);
static struct tq_expert ei_undecoded_option = EI("icmpv6.undecoded.option", "Undecoded option", PI_NOTE, PI_UNDECODED);
static struct tq_expert ei_undecoded_type = EI("icmpv6.undecoded.type", "Undecoded type", PI_NOTE, PI_UNDECODED);

static struct tq_field *const fields[] = {
	&hf_icmpv6, &hf_type, &hf_code, &hf_checksum, &hf_checksum_status, &hf_reserved, &hf_data,
	&hf_mtu, &hf_pointer, &hf_length, &hf_echo_id, &hf_echo_seq, &hf_resp_in, &hf_no_resp,
	&hf_resp_to, &hf_resptime,
	&hf_ra_hop_limit, &hf_ra_flag, &hf_ra_flag_m, &hf_ra_flag_o, &hf_ra_flag_h, &hf_ra_flag_prf,
	&hf_ra_flag_p, &hf_ra_flag_rsv, &hf_ra_lifetime, &hf_ra_reachable, &hf_ra_retrans, &hf_ns_target,
	&hf_na_flag, &hf_na_flag_r, &hf_na_flag_s, &hf_na_flag_o, &hf_na_flag_rsv, &hf_na_target,
	&hf_rd_target, &hf_rd_dst,
	&hf_opt, &hf_opt_type, &hf_opt_length, &hf_opt_reserved, &hf_opt_padding, &hf_opt_linkaddr_mac,
	&hf_opt_src_linkaddr_mac, &hf_opt_target_linkaddr_mac, &hf_opt_linkaddr, &hf_opt_src_linkaddr,
	&hf_opt_target_linkaddr, &hf_opt_linkaddr_eui64, &hf_opt_src_linkaddr_eui64,
	&hf_opt_target_linkaddr_eui64, &hf_opt_prefix_len, &hf_opt_prefix_flag, &hf_opt_prefix_flag_l,
	&hf_opt_prefix_flag_a, &hf_opt_prefix_flag_r, &hf_opt_prefix_flag_rsv, &hf_opt_prefix_valid,
	&hf_opt_prefix_preferred, &hf_opt_prefix, &hf_opt_route_flag, &hf_opt_route_pref, &hf_opt_route_rsv,
	&hf_opt_route_lifetime, &hf_opt_redirected, &hf_opt_mtu, &hf_opt_nbma, &hf_opt_adv_interval,
	&hf_opt_ha_pref, &hf_opt_ha_lifetime, &hf_opt_ipv6_address, &hf_opt_nonce, &hf_opt_rdnss_lifetime,
	&hf_opt_rdnss, &hf_opt_dnssl_lifetime, &hf_opt_dnssl, &hf_opt_efo, &hf_opt_efo_m, &hf_opt_efo_o,
	&hf_opt_efo_h, &hf_opt_efo_prf, &hf_opt_efo_p, &hf_opt_efo_rsv, &hf_opt_captive,
	&hf_opt_pref64_lifetime, &hf_opt_pref64_plc, &hf_opt_pref64_prefix,
	&hf_mld_mrd, &hf_mld_maddr, &hf_mld_mrc, &hf_mld_flag, &hf_mld_flag_s, &hf_mld_flag_qrv,
	&hf_mld_flag_rsv, &hf_mld_qqi, &hf_mld_nb_sources, &hf_mld_source, &hf_mldr_nb_records,
	&hf_mldr_mar, &hf_mldr_record_type, &hf_mldr_aux_len, &hf_mldr_nb_sources, &hf_mldr_maddr,
	&hf_mldr_source, &hf_mldr_aux,
	&ei_resp_not_found.f, &ei_checksum.f, &ei_invalid_opt_len.f, &ei_undecoded_option.f,
	&ei_undecoded_type.f,
};

static const struct tq_cksum_fields cksum_fields = { &hf_checksum, &hf_checksum_status, &ei_checksum };
static const struct tq_slice none = { NULL, 0, 0, 0, 0 };

static struct tq_dissector icmpv6 = { .name = "icmpv6", .dissect = tq_dissect_icmpv6 };

void
tq_register_icmpv6(void)
{
	TQ_REGISTER(fields);
	tq_dissector_add(TQ_TAB_IP_PROTO, 58, &icmpv6);
}

/* ------------------------------------------------------------------ helpers */

/*
 * Adds the children of a flags item and appends to its label what
 * proto_tree_add_bitmask shows: the names of the set booleans and
 * "Name: value" for the enumerated fields.
 */
static void
flag_items(struct tq_pkt *pk, struct tq_node *fl, const struct tq_slice *s, uint32_t off, uint32_t len,
    const struct tq_field *const *bits, size_t n)
{
	uint64_t v = 0;
	for (uint32_t i = 0; i < len; i++)
		v = v << 8 | tq_peek_u8(s->p, s->len, off + i);
	for (size_t i = 0; i < n; i++) {
		const struct tq_field *f = bits[i];
		tq_add(pk, fl, f, s, off, len);
		uint64_t x = (v & f->mask) >> __builtin_ctzll(f->mask);
		if (f->type == FT_BOOLEAN) {
			if (x)
				tq_append(pk, fl, ", %s", f->name);
		} else if (f->skind == SK_VALS) {
			const char *vs = tq_vals_find(f->strings, (uint32_t)x);
			tq_append(pk, fl, ", %s: %s", f->name, vs ? vs : "Unknown");
		}
	}
}

/* A 32-bit lifetime whose value strings only name special values. */
static void
lifetime_item(struct tq_pkt *pk, struct tq_node *t, const struct tq_field *f, const struct tq_slice *s,
    uint32_t off, const char *zero)
{
	struct tq_node *n = tq_add(pk, t, f, s, off, 4);
	uint32_t v = tq_peek_be32(s->p, s->len, off);
	if (v == 0xffffffff)
		tq_set_valtext(pk, n, "Infinity (%u)", v);
	else if (v == 0 && zero)
		tq_set_valtext(pk, n, "%s (0)", zero);
}

/* An IPv6 prefix of len bytes, shown as an address padded with zeros. */
static struct tq_node *
prefix_item(struct tq_pkt *pk, struct tq_node *t, const struct tq_field *f, const struct tq_slice *s,
    uint32_t off, uint32_t len, char *str, size_t slen)
{
	uint8_t a[16];
	memset(a, 0, sizeof(a));
	for (uint32_t i = 0; i < len && i < 16; i++)
		a[i] = tq_peek_u8(s->p, s->len, off + i);
	tq_ipv6_str(a, str, slen);
	struct tq_node *n = tq_add(pk, t, f, s, off, len);
	if (n && len != 16) {
		uint8_t *copy = tq_arena_alloc(pk->arena, 16);
		if (copy) {
			memcpy(copy, a, 16);
			n->v.b.p = copy;
			n->v.b.n = 16;
			n->flags |= NF_LOCAL;
		}
	}
	return n;
}

static void
ipv6_at(const struct tq_slice *s, uint32_t off, char *buf, size_t len)
{
	uint8_t a[16];
	for (uint32_t i = 0; i < 16; i++)
		a[i] = tq_peek_u8(s->p, s->len, off + i);
	tq_ipv6_str(a, buf, len);
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

/* The packet inside an error or a redirected header: IPv6 if it says so, else data. */
static void
contained(struct tq_pkt *pk, struct tq_node *t, struct tq_slice *inner)
{
	int saved_err = pk->in_error;
	struct tq_addr src = pk->src, dst = pk->dst;
	uint8_t ipproto = pk->ipproto, ttl = pk->ttl;
	int v6 = inner->len && (inner->p[0] & 0xf0) == 0x60;

	pk->in_error = 1;
	if (pk->depth++ > TQ_MAX_DEPTH || !v6)
		dissect_under(pk, t, tq_dissect_data, inner);
	else
		dissect_under(pk, t, tq_dissect_ipv6, inner);
	pk->depth--;
	pk->in_error = saved_err;
	pk->src = src;
	pk->dst = dst;
	pk->ipproto = ipproto;
	pk->ttl = ttl;
}

/* A domain name of the DNSSL option (RFC 1035 labels); returns its encoded length. */
static uint32_t
dns_name(const struct tq_slice *s, uint32_t off, uint32_t end, char *buf, size_t len)
{
	size_t k = 0;
	uint32_t p = off;
	buf[0] = '\0';
	while (p < end && p < s->len) {
		uint8_t l = s->p[p++];
		if (l == 0)
			break;
		if (l >= 0xc0) {             /* compression has no place here: stop */
			p++;
			break;
		}
		if (k && k + 1 < len)
			buf[k++] = '.';
		for (uint32_t i = 0; i < l && p < s->len && p < end; i++, p++) {
			char c = (char)s->p[p];
			if (k + 1 < len)
				buf[k++] = (c >= 0x20 && c < 0x7f) ? c : '?';
		}
	}
	buf[k < len ? k : len - 1] = '\0';
	return p - off;
}

/* ------------------------------------------------------------------ options */

/* Neighbor discovery options (RFC 4861 4.6) from off to the end of the message. */
static void
nd_options(struct tq_pkt *pk, struct tq_node *t, const struct tq_slice *s, uint32_t off)
{
	char a[64];
	while (off < s->rlen) {
		if (!tq_have(pk, s, 0, off + 2, "ICMPv6"))
			return;
		uint8_t type = s->p[off];
		uint32_t olen = s->p[off + 1] * 8u;
		struct tq_node *o = tq_add(pk, t, &hf_opt, s, off, olen);
		const char *tn = tq_vals_find(opt_type_vals, type);
		char tbuf[32];
		if (!tn) {
			snprintf(tbuf, sizeof(tbuf), "Unknown %u", type);
			tn = tbuf;
		}
		tq_append(pk, o, " (%s", tn);
		tq_add(pk, o, &hf_opt_type, s, off, 1);
		struct tq_node *ln = tq_add(pk, o, &hf_opt_length, s, off + 1, 1);
		tq_append(pk, ln, " (%u bytes)", olen);
		if (olen == 0) {
			tq_expert(pk, ln, &ei_invalid_opt_len, "Invalid option length (Zero)");
			return;
		}
		uint32_t d = off + 2, dlen = olen - 2;
		switch (type) {
		case 1: case 2: {
			int src = type == 1;
			if (!tq_have(pk, s, 0, d + (dlen == 14 ? 14 : dlen), "ICMPv6"))
				return;
			if (dlen == 6) {
				char mac[32];
				tq_add(pk, o, &hf_opt_linkaddr_mac, s, d, 6);
				TQ_HIDDEN(pk, tq_add(pk, o, src ? &hf_opt_src_linkaddr_mac : &hf_opt_target_linkaddr_mac, s, d, 6));
				tq_ether_str(s->p + d, mac, sizeof(mac));
				tq_col_info_append(pk, src ? " from %s" : " is at %s", mac);
				tq_append(pk, o, " : %s", mac);
			} else if (dlen == 14 && !tq_peek_be32(s->p, s->len, d + 8) && !tq_peek_be16(s->p, s->len, d + 12)) {
				struct tq_sbuf hx;
				tq_sbuf_init(&hx, 0);
				tq_hexstr(s->p + d, 8, ':', &hx);
				const char *e = tq_sbuf_str(&hx);
				tq_set_valtext(pk, tq_add(pk, o, &hf_opt_linkaddr_eui64, s, d, 8), "%s (%s)", e, e);
				tq_set_valtext(pk, TQ_HIDDEN(pk, tq_add(pk, o, src ? &hf_opt_src_linkaddr_eui64 : &hf_opt_target_linkaddr_eui64, s, d, 8)), "%s (%s)", e, e);
				if (src) {
					TQ_HIDDEN(pk, tq_add(pk, o, &hf_opt_linkaddr, s, d, 8));
					TQ_HIDDEN(pk, tq_add(pk, o, &hf_opt_src_linkaddr, s, d, 8));
				}
				tq_add(pk, o, &hf_opt_padding, s, d + 8, 6);
				tq_col_info_append(pk, " from %s", e);
				tq_append(pk, o, " : %s", e);
				tq_sbuf_free(&hx);
			} else {
				tq_add(pk, o, &hf_opt_linkaddr, s, d, dlen);
				TQ_HIDDEN(pk, tq_add(pk, o, src ? &hf_opt_src_linkaddr : &hf_opt_target_linkaddr, s, d, dlen));
			}
			break;
		}
		case 3: {
			uint8_t plen = tq_peek_u8(s->p, s->len, d);
			if (!tq_have(pk, s, 0, d + 1, "ICMPv6"))
				return;
			tq_add(pk, o, &hf_opt_prefix_len, s, d, 1);
			if (!tq_have(pk, s, 0, d + 2, "ICMPv6"))
				return;
			static const struct tq_field *const bits[] = {
				&hf_opt_prefix_flag_l, &hf_opt_prefix_flag_a, &hf_opt_prefix_flag_r, &hf_opt_prefix_flag_rsv,
			};
			struct tq_node *fl = tq_add(pk, o, &hf_opt_prefix_flag, s, d + 1, 1);
			flag_items(pk, fl, s, d + 1, 1, bits, 4);
			if (!tq_have(pk, s, 0, d + 6, "ICMPv6"))
				return;
			lifetime_item(pk, o, &hf_opt_prefix_valid, s, d + 2, NULL);
			if (!tq_have(pk, s, 0, d + 10, "ICMPv6"))
				return;
			lifetime_item(pk, o, &hf_opt_prefix_preferred, s, d + 6, NULL);
			tq_add(pk, o, &hf_opt_reserved, s, d + 10, 4);
			if (!tq_have(pk, s, 0, d + 30, "ICMPv6"))
				return;
			prefix_item(pk, o, &hf_opt_prefix, s, d + 14, 16, a, sizeof(a));
			tq_append(pk, o, " : %s/%u", a, plen);
			break;
		}
		case 4: {
			tq_add(pk, o, &hf_opt_reserved, s, d, 6);
			tq_add(pk, o, &hf_opt_redirected, s, d + 6, s->len - (d + 6));
			struct tq_slice inner = tq_sub_rest(s, d + 6);
			contained(pk, o, &inner);
			break;
		}
		case 5: {
			tq_add(pk, o, &hf_opt_reserved, s, d, 2);
			if (!tq_have(pk, s, 0, d + 6, "ICMPv6"))
				return;
			tq_add(pk, o, &hf_opt_mtu, s, d + 2, 4);
			tq_append(pk, o, " : %u", tq_peek_be32(s->p, s->len, d + 2));
			break;
		}
		case 6:
			if (!tq_have(pk, s, 0, d + 1, "ICMPv6"))
				return;
			tq_add(pk, o, &hf_opt_nbma, s, d, 1);
			tq_append(pk, o, " : %u", tq_peek_u8(s->p, s->len, d));
			tq_add(pk, o, &hf_opt_reserved, s, d, 1);
			tq_add(pk, o, &hf_opt_reserved, s, d + 1, 4);
			break;
		case 7:
			tq_add(pk, o, &hf_opt_reserved, s, d, 2);
			if (!tq_have(pk, s, 0, d + 6, "ICMPv6"))
				return;
			tq_add(pk, o, &hf_opt_adv_interval, s, d + 2, 4);
			tq_append(pk, o, " : %u", tq_peek_be32(s->p, s->len, d + 2));
			break;
		case 8:
			tq_add(pk, o, &hf_opt_reserved, s, d, 2);
			if (!tq_have(pk, s, 0, d + 4, "ICMPv6"))
				return;
			tq_add(pk, o, &hf_opt_ha_pref, s, d + 2, 2);
			if (!tq_have(pk, s, 0, d + 6, "ICMPv6"))
				return;
			tq_add(pk, o, &hf_opt_ha_lifetime, s, d + 4, 2);
			break;
		case 9: case 10:
			tq_add(pk, o, &hf_opt_reserved, s, d, 6);
			for (uint32_t p = d + 6; p + 16 <= off + olen; p += 16) {
				if (!tq_have(pk, s, 0, p + 16, "ICMPv6"))
					return;
				tq_add(pk, o, &hf_opt_ipv6_address, s, p, 16);
				ipv6_at(s, p, a, sizeof(a));
				tq_append(pk, o, " %s", a);
			}
			break;
		case 14:
			if (!tq_have(pk, s, 0, d + dlen, "ICMPv6"))
				return;
			tq_add(pk, o, &hf_opt_nonce, s, d, dlen);
			break;
		case 24: {
			uint8_t plen = tq_peek_u8(s->p, s->len, d);
			uint8_t pref = (tq_peek_u8(s->p, s->len, d + 1) & 0x18) >> 3;
			if (!tq_have(pk, s, 0, d + 1, "ICMPv6"))
				return;
			tq_add(pk, o, &hf_opt_prefix_len, s, d, 1);
			if (!tq_have(pk, s, 0, d + 2, "ICMPv6"))
				return;
			static const struct tq_field *const bits[] = { &hf_opt_route_pref, &hf_opt_route_rsv };
			struct tq_node *fl = tq_add(pk, o, &hf_opt_route_flag, s, d + 1, 1);
			flag_items(pk, fl, s, d + 1, 1, bits, 2);
			tq_append(pk, o, " : %s", tq_vals_find(prf_vals, pref));
			if (!tq_have(pk, s, 0, d + 6, "ICMPv6"))
				return;
			lifetime_item(pk, o, &hf_opt_route_lifetime, s, d + 2, NULL);
			if (olen == 8) {
				tq_append(pk, o, " ::/%u", plen);
			} else if (olen == 16 || olen == 24) {
				if (!tq_have(pk, s, 0, d + 6 + olen - 8, "ICMPv6"))
					return;
				prefix_item(pk, o, &hf_opt_prefix, s, d + 6, olen - 8, a, sizeof(a));
				tq_append(pk, o, " %s/%u", a, plen);
			}
			break;
		}
		case 25:
			tq_add(pk, o, &hf_opt_reserved, s, d, 2);
			if (!tq_have(pk, s, 0, d + 6, "ICMPv6"))
				return;
			lifetime_item(pk, o, &hf_opt_rdnss_lifetime, s, d + 2, "RDNSS address MUST no longer be used");
			for (uint32_t p = d + 6; p < off + olen; p += 16) {
				if (!tq_have(pk, s, 0, p + 16, "ICMPv6"))
					return;
				tq_add(pk, o, &hf_opt_rdnss, s, p, 16);
				ipv6_at(s, p, a, sizeof(a));
				tq_append(pk, o, " %s", a);
			}
			break;
		case 26: {
			static const struct tq_field *const bits[] = {
				&hf_opt_efo_m, &hf_opt_efo_o, &hf_opt_efo_h, &hf_opt_efo_prf, &hf_opt_efo_p, &hf_opt_efo_rsv,
			};
			if (!tq_have(pk, s, 0, d + 2, "ICMPv6"))
				return;
			struct tq_node *fl = tq_add(pk, o, &hf_opt_efo, s, d, 2);
			flag_items(pk, fl, s, d, 2, bits, 6);
			tq_add(pk, o, &hf_opt_reserved, s, d + 2, 4);
			break;
		}
		case 31: {
			tq_add(pk, o, &hf_opt_reserved, s, d, 2);
			if (!tq_have(pk, s, 0, d + 6, "ICMPv6"))
				return;
			lifetime_item(pk, o, &hf_opt_dnssl_lifetime, s, d + 2, "DNSSL domain name MUST no longer be used");
			uint32_t end = off + olen;
			if (!tq_have(pk, s, 0, end, "ICMPv6"))       /* the names are read whole */
				return;
			for (uint32_t p = d + 6; p < end;) {
				if (s->p[p] == 0) {
					tq_add(pk, o, &hf_opt_padding, s, p, end - p);
					break;
				}
				char name[256];
				uint32_t n = dns_name(s, p, end, name, sizeof(name));
				tq_add_str(pk, o, &hf_opt_dnssl, s, p, n, name);
				tq_append(pk, o, " %s", name);
				p += n;
			}
			break;
		}
		case 37: {
			if (!tq_have(pk, s, 0, d + dlen, "ICMPv6"))
				return;
			char url[256];
			size_t k = 0;
			for (uint32_t i = 0; i < dlen && k + 1 < sizeof(url) && s->p[d + i]; i++)
				k++;
			memcpy(url, s->p + d, k);
			url[k] = '\0';
			tq_add_str(pk, o, &hf_opt_captive, s, d, dlen, url);
			break;
		}
		case 38: {
			static const uint8_t plen[] = { 12, 8, 7, 6, 5, 4 };
			uint8_t plc = tq_peek_u8(s->p, s->len, d + 1) & 7;
			if (!tq_have(pk, s, 0, d + 2, "ICMPv6"))
				return;
			tq_add(pk, o, &hf_opt_pref64_lifetime, s, d, 2);
			tq_add(pk, o, &hf_opt_pref64_plc, s, d, 2);
			if (plc < sizeof(plen) && !tq_have(pk, s, 0, d + 2 + plen[plc], "ICMPv6"))
				return;
			if (plc < sizeof(plen))
				prefix_item(pk, o, &hf_opt_pref64_prefix, s, d + 2, plen[plc], a, sizeof(a));
			break;
		}
		default:
			tq_expert(pk, o, &ei_undecoded_option, "Dissector for ICMPv6 Option (%u) code not implemented, "
			    "Contact Wireshark developers if you want this supported", type);
			if (!tq_have(pk, s, 0, d + dlen, "ICMPv6"))
				return;
			tq_add(pk, o, &hf_data, s, d, dlen);
			break;
		}
		tq_append(pk, o, ")");
		off += olen;
	}
}

/* ------------------------------------------------------------------ messages */

/* MLDv2 codes (RFC 3810 5.1.1, 5.1.9): a mantissa and exponent past the linear range. */
static uint32_t
mld_mrc(uint16_t c)
{
	return c < 32768 ? c : (uint32_t)((c & 0x0fff) | 0x1000) << (((c >> 12) & 7) + 3);
}

static uint32_t
mld_qqic(uint8_t c)
{
	return c < 128 ? c : (uint32_t)((c & 0x0f) | 0x10) << (((c >> 4) & 7) + 3);
}

static void
mld(struct tq_pkt *pk, struct tq_node *t, const struct tq_slice *s, uint8_t type)
{
	if (type == T_MLQUERY && s->rlen > 24) {
		if (!tq_have(pk, s, 0, 6, "ICMPv6"))
			return;
		tq_add_u(pk, t, &hf_mld_mrc, s, 4, 2, mld_mrc(tq_peek_be16(s->p, s->len, 4)));
		if (!tq_have(pk, s, 0, 8, "ICMPv6"))
			return;
		tq_add(pk, t, &hf_reserved, s, 6, 2);
		if (!tq_have(pk, s, 0, 24, "ICMPv6"))
			return;
		tq_add(pk, t, &hf_mld_maddr, s, 8, 16);
		if (!tq_have(pk, s, 0, 25, "ICMPv6"))
			return;
		static const struct tq_field *const bits[] = { &hf_mld_flag_s, &hf_mld_flag_qrv, &hf_mld_flag_rsv };
		struct tq_node *fl = tq_add(pk, t, &hf_mld_flag, s, 24, 1);
		flag_items(pk, fl, s, 24, 1, bits, 3);
		if (!tq_have(pk, s, 0, 26, "ICMPv6"))
			return;
		tq_add_u(pk, t, &hf_mld_qqi, s, 25, 1, mld_qqic(tq_peek_u8(s->p, s->len, 25)));
		if (!tq_have(pk, s, 0, 28, "ICMPv6"))
			return;
		tq_add(pk, t, &hf_mld_nb_sources, s, 26, 2);
		uint16_t n = tq_peek_be16(s->p, s->len, 26);
		for (uint32_t i = 0; i < n; i++) {
			if (!tq_have(pk, s, 0, 28 + (i + 1) * 16, "ICMPv6"))
				return;
			tq_add(pk, t, &hf_mld_source, s, 28 + i * 16, 16);
		}
		return;
	}
	if (!tq_have(pk, s, 0, 6, "ICMPv6"))
		return;
	tq_add(pk, t, &hf_mld_mrd, s, 4, 2);
	if (!tq_have(pk, s, 0, 8, "ICMPv6"))
		return;
	tq_add(pk, t, &hf_reserved, s, 6, 2);
	if (!tq_have(pk, s, 0, 24, "ICMPv6"))
		return;
	tq_add(pk, t, &hf_mld_maddr, s, 8, 16);
}

static void
mldv2_report(struct tq_pkt *pk, struct tq_node *t, const struct tq_slice *s)
{
	if (!tq_have(pk, s, 0, 6, "ICMPv6"))
		return;
	tq_add(pk, t, &hf_reserved, s, 4, 2);
	if (!tq_have(pk, s, 0, 8, "ICMPv6"))
		return;
	tq_add(pk, t, &hf_mldr_nb_records, s, 6, 2);
	uint16_t n = tq_peek_be16(s->p, s->len, 6);
	uint32_t off = 8;
	for (uint32_t i = 0; i < n; i++) {
		if (!tq_have(pk, s, 0, off + 4, "ICMPv6"))
			return;
		uint8_t rtype = s->p[off], aux = s->p[off + 1];
		uint16_t ns = tq_peek_be16(s->p, s->len, off + 2);
		uint32_t rlen = 20 + ns * 16u + aux * 4u;
		if (!tq_have(pk, s, 0, off + 20, "ICMPv6"))
			return;
		char a[64];
		ipv6_at(s, off + 4, a, sizeof(a));
		const char *rn = tq_vals_find(record_type_vals, rtype);
		struct tq_node *r = tq_add(pk, t, &hf_mldr_mar, s, off, rlen);
		tq_set_label(pk, r, "Multicast Address Record %s: %s", rn ? rn : "Unknown", a);
		tq_add(pk, r, &hf_mldr_record_type, s, off, 1);
		tq_add(pk, r, &hf_mldr_aux_len, s, off + 1, 1);
		tq_add(pk, r, &hf_mldr_nb_sources, s, off + 2, 2);
		tq_add(pk, r, &hf_mldr_maddr, s, off + 4, 16);
		uint32_t p = off + 20;
		for (uint32_t k = 0; k < ns; k++, p += 16) {
			if (!tq_have(pk, s, 0, p + 16, "ICMPv6"))
				return;
			tq_add(pk, r, &hf_mldr_source, s, p, 16);
		}
		if (aux) {
			if (!tq_have(pk, s, 0, p + aux * 4u, "ICMPv6"))
				return;
			tq_add(pk, r, &hf_mldr_aux, s, p, aux * 4u);
		}
		off += rlen;
	}
}

/* Echo matching, pass 2: what pass 1 found for this frame. */
static void
echo_result(struct tq_pkt *pk, struct tq_node *t, const struct tq_slice *s, int reply)
{
	const struct tq_icmp_echo *tr = tq_pdata_get(pk->cap, pk->num, PD_ICMPV6_ECHO);
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
	if (pk->dst.kind == AT_IPV6 && pk->dst.a[0] == 0xff) {
		tq_col_info_append(pk, " (multicast)");
		return;
	}
	struct tq_node *nr = tq_gen(tq_add_u(pk, t, &hf_no_resp, &none, 0, 0, 0));
	tq_col_info_append(pk, " (no response found!)");
	tq_expert(pk, nr, &ei_resp_not_found, "No response seen to ICMPv6 request in frame %u", pk->num);
}

static const char *
code_name(uint8_t type, uint8_t code, char *buf, size_t len)
{
	const struct tq_vals *vs;
	switch (type) {
	case T_UNREACH:
		vs = tq_vals_find(unreach_vals, code) ? unreach_vals : NULL;
		return vs ? tq_vals_find(vs, code) : "Unknown";
	case T_TIMEEX: vs = timeex_vals; break;
	case T_PARAMPROB: vs = paramprob_vals; break;
	case 138: vs = rr_vals; break;
	case 139: vs = niq_vals; break;
	case 140: vs = nir_vals; break;
	case 160: vs = extecho_vals; break;
	case 161: vs = extechoreply_vals; break;
	default: return NULL;
	}
	const char *n = tq_vals_find(vs, code);
	if (n)
		return n;
	snprintf(buf, len, "Unknown (%u)", code);
	return buf;
}

/* The sum over the pseudo-header (RFC 8200 8.1) and the message. */
static uint32_t
checksum_sum(const struct tq_pkt *pk, const struct tq_slice *s)
{
	uint8_t ph[8] = { 0 };
	ph[0] = (uint8_t)(s->rlen >> 24);
	ph[1] = (uint8_t)(s->rlen >> 16);
	ph[2] = (uint8_t)(s->rlen >> 8);
	ph[3] = (uint8_t)s->rlen;
	ph[7] = 58;
	uint32_t sum = tq_cksum_add(0, pk->src.a, 16);
	sum = tq_cksum_add(sum, pk->dst.a, 16);
	sum = tq_cksum_add(sum, ph, 8);
	return tq_cksum_add(sum, s->p, s->rlen);
}

int
tq_dissect_icmpv6(struct tq_pkt *pk, struct tq_slice *s)
{
	tq_col_proto(pk, "ICMPv6");
	tq_col_info_clear(pk);
	if (s->len < 4) {
		/* what Wireshark adds before the read that throws */
		struct tq_node *t = tq_add_proto(pk, tq_root(pk), &hf_icmpv6, s, 0, s->len);
		if (tq_have(pk, s, 0, 1, "ICMPv6")) {
			tq_add(pk, t, &hf_type, s, 0, 1);
			const char *tn = tq_vals_find(type_vals, s->p[0]);
			if (tn)
				tq_col_info_set(pk, "%s", tn);
			else
				tq_col_info_set(pk, "Unknown (%u)", s->p[0]);
			if (tq_have(pk, s, 0, 2, "ICMPv6"))
				tq_add(pk, t, &hf_code, s, 1, 1);
			if (s->len >= 2)
				tq_have(pk, s, 0, 4, "ICMPv6");
		}
		return (int)s->rlen;
	}
	uint8_t type = s->p[0], code = s->p[1];
	uint16_t cksum = tq_peek_be16(s->p, s->len, 2);
	int is_echo = (type == T_ECHO || type == T_ECHOREPLY) && s->len >= 8;
	uint16_t id = tq_peek_be16(s->p, s->len, 4), seq = tq_peek_be16(s->p, s->len, 6);
	int is_error = type == T_UNREACH || type == T_TOOBIG || type == T_TIMEEX || type == T_PARAMPROB;

	if (pk->pass == 1) {
		if (is_echo && !pk->in_error && pk->src.kind) {
			uint32_t key = cksum;
			if (type == T_ECHO)          /* the checksum the reply will carry: type 128 -> 129 */
				key = (uint16_t)~tq_cksum_fold((uint32_t)(uint16_t)~cksum + 0x0100);
			else if (key == 0xffff)
				key = 0;
			tq_icmp_echo_track(pk, CONV_ICMPV6, PD_ICMPV6_ECHO, type == T_ECHOREPLY, key, (uint32_t)id << 16 | seq);
		}
		if (is_error && s->len > 8) {
			struct tq_slice inner = tq_sub_rest(s, 8);
			contained(pk, NULL, &inner);
		}
		return (int)s->rlen;
	}

	const char *tn = tq_vals_find(type_vals, type);
	char cbuf[32];
	const char *code_str = code_name(type, code, cbuf, sizeof(cbuf));
	if (tn)
		tq_col_info_set(pk, "%s", tn);
	else
		tq_col_info_set(pk, "Unknown (%u)", type);
	if (code_str)
		tq_col_info_append(pk, " (%s)", code_str);

	struct tq_node *t = tq_add_proto(pk, tq_root(pk), &hf_icmpv6, s, 0, s->len);
	tq_add(pk, t, &hf_type, s, 0, 1);
	struct tq_node *cn = tq_add(pk, t, &hf_code, s, 1, 1);
	if (code_str)
		tq_append(pk, cn, " (%s)", code_str);
	if (!pk->in_error && s->len >= s->rlen && pk->src.kind == AT_IPV6)
		tq_icmp_checksum(pk, t, s, 2, &cksum_fields, 1, checksum_sum(pk, s), NULL);
	else
		tq_icmp_checksum(pk, t, s, 2, &cksum_fields, 0, 0,
		    pk->in_error ? "in ICMP error packet" : "fragmented datagram");

	char a[64];
#define NEED(end) do { if (!tq_have(pk, s, 0, (end), "ICMPv6")) return (int)s->rlen; } while (0)
	switch (type) {
	case T_UNREACH:
	case T_TIMEEX: {
		NEED(5);
		uint8_t olen = tq_peek_u8(s->p, s->len, 4);
		struct tq_slice inner = tq_sub_rest(s, 8);
		if (olen) {
			/* RFC 4884: the original datagram is olen 64-bit words, extensions follow */
			tq_add(pk, t, &hf_length, s, 4, 1);
			NEED(8);
			tq_add(pk, t, &hf_reserved, s, 5, 3);
			inner = tq_sub(s, 8, olen * 8u);
		} else {
			NEED(8);
			tq_add(pk, t, &hf_reserved, s, 4, 4);
		}
		contained(pk, t, &inner);
		if (olen && s->rlen > 8u + olen * 8u) {
			tq_layer(pk, "icmp");        /* Wireshark calls ICMP's extension dissector by handle */
			tq_icmp_extensions(pk, t, s, 8u + olen * 8u);
		}
		break;
	}
	case T_TOOBIG: {
		NEED(8);
		tq_add(pk, t, &hf_mtu, s, 4, 4);
		struct tq_slice inner = tq_sub_rest(s, 8);
		contained(pk, t, &inner);
		break;
	}
	case T_PARAMPROB: {
		NEED(8);
		tq_add(pk, t, &hf_pointer, s, 4, 4);
		struct tq_slice inner = tq_sub_rest(s, 8);
		contained(pk, t, &inner);
		break;
	}
	case T_ECHO:
	case T_ECHOREPLY: {
		NEED(6);
		tq_add(pk, t, &hf_echo_id, s, 4, 2);
		NEED(8);
		tq_add(pk, t, &hf_echo_seq, s, 6, 2);
		tq_col_info_append(pk, " id=0x%04x, seq=%u", id, seq);
		if (pk->src.kind == AT_IPV6)
			tq_col_info_append(pk, ", hop limit=%u", pk->ttl);
		if (!pk->in_error)
			echo_result(pk, t, s, type == T_ECHOREPLY);
		struct tq_slice d = tq_sub_rest(s, 8);
		dissect_under(pk, t, tq_dissect_data, &d);
		break;
	}
	case T_MLQUERY: case T_MLREPORT: case T_MLDONE:
		mld(pk, t, s, type);
		break;
	case T_MLDV2REPORT:
		mldv2_report(pk, t, s);
		break;
	case T_RS:
		NEED(8);
		tq_add(pk, t, &hf_reserved, s, 4, 4);
		nd_options(pk, t, s, 8);
		break;
	case T_RA: {
		NEED(5);
		tq_add(pk, t, &hf_ra_hop_limit, s, 4, 1);
		NEED(6);
		static const struct tq_field *const bits[] = {
			&hf_ra_flag_m, &hf_ra_flag_o, &hf_ra_flag_h, &hf_ra_flag_prf, &hf_ra_flag_p, &hf_ra_flag_rsv,
		};
		struct tq_node *fl = tq_add(pk, t, &hf_ra_flag, s, 5, 1);
		flag_items(pk, fl, s, 5, 1, bits, 6);
		NEED(8);
		tq_add(pk, t, &hf_ra_lifetime, s, 6, 2);
		NEED(12);
		tq_add(pk, t, &hf_ra_reachable, s, 8, 4);
		NEED(16);
		tq_add(pk, t, &hf_ra_retrans, s, 12, 4);
		nd_options(pk, t, s, 16);
		break;
	}
	case T_NS:
		NEED(8);
		tq_add(pk, t, &hf_reserved, s, 4, 4);
		NEED(24);
		tq_add(pk, t, &hf_ns_target, s, 8, 16);
		ipv6_at(s, 8, a, sizeof(a));
		tq_col_info_append(pk, " for %s", a);
		nd_options(pk, t, s, 24);
		break;
	case T_NA: {
		NEED(8);
		uint32_t f = tq_peek_be32(s->p, s->len, 4);
		static const struct tq_field *const bits[] = { &hf_na_flag_r, &hf_na_flag_s, &hf_na_flag_o, &hf_na_flag_rsv };
		struct tq_node *fl = tq_add(pk, t, &hf_na_flag, s, 4, 4);
		flag_items(pk, fl, s, 4, 4, bits, 4);
		NEED(24);
		tq_add(pk, t, &hf_na_target, s, 8, 16);
		ipv6_at(s, 8, a, sizeof(a));
		char fs[32];
		snprintf(fs, sizeof(fs), "%s%s%s%s%s", (f & 0x80000000) ? "rtr" : "",
		    (f & 0x80000000) && (f & 0x60000000) ? ", " : "", (f & 0x40000000) ? "sol" : "",
		    (f & 0x40000000) && (f & 0x20000000) ? ", " : "", (f & 0x20000000) ? "ovr" : "");
		tq_col_info_append(pk, " %s (%s)", a, (f & 0xe0000000) ? fs : "none");
		nd_options(pk, t, s, 24);
		break;
	}
	case T_REDIRECT:
		NEED(8);
		tq_add(pk, t, &hf_reserved, s, 4, 4);
		NEED(24);
		tq_add(pk, t, &hf_rd_target, s, 8, 16);
		NEED(40);
		tq_add(pk, t, &hf_rd_dst, s, 24, 16);
		nd_options(pk, t, s, 40);
		break;
	default:
		tq_expert(pk, t, &ei_undecoded_type, "Dissector for ICMPv6 Type (%u) code not implemented, "
		    "Contact Wireshark developers if you want this supported", type);
		tq_add(pk, t, &hf_data, s, 4, s->len - 4);
		break;
	}
#undef NEED
	return (int)s->rlen;
}
