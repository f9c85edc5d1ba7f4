/* ip_common.h - value tables shared by IPv4 and IPv6 (DSCP, ECN). */
#ifndef TQ_IP_COMMON_H
#define TQ_IP_COMMON_H

#include "../internal.h"

extern const struct tq_vals tq_dscp_vals[];
extern const struct tq_vals tq_ecn_vals[];
const char *tq_dscp_short(unsigned dscp);
const char *tq_ecn_short(unsigned ecn);

#endif
