/* ip_common.c - value tables shared by IPv4 and IPv6: DSCP (RFC 2474, 4594, 8622), ECN (RFC 3168), IP protocols. */
#include "config.h"

#include <stdio.h>

#include "ip_common.h"

const struct tq_vals tq_dscp_vals[] = {
	{ 0, "Default" }, { 1, "Lower Effort" }, { 8, "Class Selector 1" }, { 10, "Assured Forwarding 11" },
	{ 12, "Assured Forwarding 12" }, { 14, "Assured Forwarding 13" }, { 16, "Class Selector 2" },
	{ 18, "Assured Forwarding 21" }, { 20, "Assured Forwarding 22" }, { 22, "Assured Forwarding 23" },
	{ 24, "Class Selector 3" }, { 26, "Assured Forwarding 31" }, { 28, "Assured Forwarding 32" },
	{ 30, "Assured Forwarding 33" }, { 32, "Class Selector 4" }, { 34, "Assured Forwarding 41" },
	{ 36, "Assured Forwarding 42" }, { 38, "Assured Forwarding 43" }, { 40, "Class Selector 5" },
	{ 44, "Voice Admit" }, { 46, "Expedited Forwarding" }, { 48, "Class Selector 6" },
	{ 56, "Class Selector 7" }, { 0, NULL },
};

static const struct tq_vals dscp_short[] = {
	{ 0, "CS0" }, { 1, "LE" }, { 8, "CS1" }, { 10, "AF11" }, { 12, "AF12" }, { 14, "AF13" },
	{ 16, "CS2" }, { 18, "AF21" }, { 20, "AF22" }, { 22, "AF23" }, { 24, "CS3" }, { 26, "AF31" },
	{ 28, "AF32" }, { 30, "AF33" }, { 32, "CS4" }, { 34, "AF41" }, { 36, "AF42" }, { 38, "AF43" },
	{ 40, "CS5" }, { 44, "VA" }, { 46, "EF" }, { 48, "CS6" }, { 56, "CS7" }, { 0, NULL },
};

const struct tq_vals tq_ecn_vals[] = {
	{ 0, "Not ECN-Capable Transport" }, { 1, "ECN-Capable Transport codepoint '01'" },
	{ 2, "ECN-Capable Transport codepoint '10'" }, { 3, "Congestion Experienced" }, { 0, NULL },
};

static const struct tq_vals ecn_short[] = {
	{ 0, "Not-ECT" }, { 1, "ECT(1)" }, { 2, "ECT(0)" }, { 3, "CE" }, { 0, NULL },
};

const char *
tq_dscp_short(unsigned dscp)
{
	const char *s = tq_vals_find(dscp_short, dscp);
	return s ? s : "Unknown";
}

const char *
tq_ecn_short(unsigned ecn)
{
	const char *s = tq_vals_find(ecn_short, ecn);
	return s ? s : "Unknown";
}

/* IANA protocol numbers, named as Wireshark's ipproto_val. */
const struct tq_vals tq_ipproto_vals[] = {
	{ 0, "IPv6 Hop-by-Hop Option" }, { 1, "ICMP" }, { 2, "IGMP" }, { 3, "Gateway-to-Gateway" },
	{ 4, "IPIP" }, { 5, "Stream" }, { 6, "TCP" }, { 8, "EGP" }, { 9, "IGRP" }, { 17, "UDP" },
	{ 27, "Reliable Datagram Protocol" }, { 29, "ISO Transport Protocol Class 4" },
	{ 33, "Datagram Congestion Control Protocol" }, { 41, "IPv6" }, { 43, "Routing Header for IPv6" },
	{ 44, "Fragment Header for IPv6" }, { 46, "Reservation Protocol" }, { 47, "Generic Routing Encapsulation" },
	{ 50, "Encap Security Payload" }, { 51, "Authentication Header" }, { 58, "ICMPv6" },
	{ 59, "IPv6 No Next Header" }, { 60, "Destination Options for IPv6" }, { 88, "EIGRP" },
	{ 89, "OSPF IGP" }, { 94, "IP-within-IP Encapsulation Protocol" }, { 97, "Ethernet-within-IP Encapsulation" },
	{ 103, "Protocol Independent Multicast" }, { 108, "IP Payload Compression Protocol" },
	{ 112, "Virtual Router Redundancy Protocol" }, { 115, "Layer 2 Tunneling Protocol" },
	{ 132, "Stream Control Transmission Protocol" }, { 135, "Mobile IPv6 Extension Header" },
	{ 136, "Lightweight User Datagram Protocol" }, { 137, "MPLS in IP" }, { 139, "Host Identity Protocol" },
	{ 140, "Shim6 Protocol" }, { 0, NULL },
};
