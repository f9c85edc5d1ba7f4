/* ip_common.h - what IPv4 and IPv6 share: DSCP and ECN names, the Info column check. */
#ifndef TQ_IP_COMMON_H
#define TQ_IP_COMMON_H

#include "../internal.h"

extern const struct tq_vals tq_dscp_vals[];
extern const struct tq_vals tq_ecn_vals[];
const char *tq_dscp_short(unsigned dscp);
const char *tq_ecn_short(unsigned ecn);

/*
 * What the Info column held before a protocol was called, to tell afterwards
 * whether it wrote anything (Wireshark names a protocol it has no dissector
 * for in the Info column; here the data dissector writes nothing).
 */
struct tq_info_mark {
	char text[256];
	size_t len;
	int valid;
};
void tq_info_mark(struct tq_pkt *pk, struct tq_info_mark *m);
int tq_info_unchanged(const struct tq_pkt *pk, const struct tq_info_mark *m);

#endif
