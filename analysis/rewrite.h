/* rewrite.h - a variant of a capture: the same conversations with other
 * addresses, ports, sequence numbers, names and times. */
#ifndef TQ_REWRITE_H
#define TQ_REWRITE_H

#include <stddef.h>
#include <stdint.h>

/*
 * What a rewrite changes (tq_rewrite.what).  Every change is consistent
 * over the whole capture (an address is mapped to the same address in every
 * header and payload it appears in, a connection's sequence numbers move by
 * the same amount in both directions' seq, ack and SACK) and every checksum
 * is updated by the change it saw (RFC 1624), so a checksum that was right
 * stays right, one that was wrong stays as wrong, and one a capture cut
 * short is still consistent with the bytes it covers.  No length changes:
 * the file keeps its size, format, blocks and comments.
 */
enum {
	TQ_RW_ADDR  = 1 << 0,  /* IPv4 and IPv6 unicast addresses into the prefixes */
	TQ_RW_MAC   = 1 << 1,  /* unicast MAC addresses (the vendor's OUI kept) */
	TQ_RW_PORTS = 1 << 2,  /* the clients' TCP and UDP ports (servers' stay) */
	TQ_RW_ISN   = 1 << 3,  /* TCP sequence numbers and timestamps, per connection */
	TQ_RW_IPID  = 1 << 4,  /* IPv4 identification, IPv6 flow label, DNS ID */
	TQ_RW_TIME  = 1 << 5,  /* frame times: a shift, and the gaps scaled */
	TQ_RW_NAMES = 1 << 6,  /* names, as text and as DNS labels */
};

#define TQ_RW_MAX_NAMES 64

struct tq_rw_name {
	const char *from;
	const char *to;          /* the same length, dots at the same places */
};

struct tq_rewrite {
	unsigned what;
	uint64_t seed;           /* one variant: everything random comes from it */
	uint8_t v4[4];           /* IPv4 addresses go into v4/v4len (default 198.51.100.0/24) */
	unsigned v4len;
	uint8_t v6[16];          /* IPv6 ones into v6/v6len (default 2001:db8::/32) */
	unsigned v6len;
	double shift;            /* seconds: times move by up to this (TQ_RW_TIME) */
	double scale;            /* 0 to 0.5: the gaps between frames scaled by one factor, 1 +- up to this */
	const struct tq_rw_name *names;
	size_t nnames;
};

/* What a rewrite found to change (distinct values mapped). */
struct tq_rewrite_stats {
	uint32_t frames;
	uint32_t v4, v6, macs, ports, names;
};

/* The defaults above, nothing selected. */
void tq_rewrite_init(struct tq_rewrite *rw);

/* Checks a name pair as tq_rewrite needs it: 0, or -1 with err set. */
int tq_rewrite_name_ok(const char *from, const char *to, char *err, size_t errlen);

/*
 * Rewrites a capture file (pcap or pcapng, as read from disk) into *out
 * (malloc'd, *outlen bytes, the same as len).  Frames of link types or
 * protocols it does not know are copied as they are.  0, or a negative
 * tq_err with err set: a file it cannot walk, a prefix too small for the
 * addresses to map into it, no memory.
 */
int tq_rewrite_capture(const uint8_t *in, size_t len, const struct tq_rewrite *rw, uint8_t **out,
    struct tq_rewrite_stats *stats, char *err, size_t errlen);

#endif
