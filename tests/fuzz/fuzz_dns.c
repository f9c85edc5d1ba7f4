/*
 * fuzz_dns.c - libFuzzer harness for the DNS dissector: the input is one DNS
 * message (arbitrary bytes), put as the UDP payload of Ethernet/IPv4 frames
 * in a pcap made in memory: to port 53 and back from it (so queries and
 * responses are matched), to the mDNS and LLMNR ports, and over TCP port 53
 * after a 2-byte length (whole, then cut in two segments).  Every frame is
 * dissected and written as text, PDML, JSON and a packet-list line, as in
 * fuzz_dissect.c.  See README.md.
 */
#include "fuzz_stream.h"

#define MAX_MSG 65000

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
udp(struct fs_buf *b, uint32_t t, uint16_t cport, uint16_t sport, int dir, const uint8_t *m, size_t n)
{
	struct fs_ends e = { 53, 17, cport, sport };
	fs_ip_frame(b, t * 1000000, &e, dir, 0, 0, 0, m, n);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > MAX_MSG)
		size = MAX_MSG;
	struct fs_buf b = { 0 };
	fs_pcap_header(&b);
	udp(&b, 0, 40000, 53, 0, data, size);          /* query to 53 */
	udp(&b, 1, 40000, 53, 1, data, size);          /* the same back: a response */
	udp(&b, 2, 5353, 5353, 0, data, size);         /* mDNS */
	udp(&b, 3, 40001, 5355, 0, data, size);        /* LLMNR */
	udp(&b, 4, 40002, 40003, 0, data, size);       /* the heuristic */
	/* TCP: the message after its length, whole, then in two segments */
	uint8_t *tm = malloc(size + 2);
	if (!tm)
		abort();
	fs_put16be(tm, (uint32_t)size);
	if (size)
		memcpy(tm + 2, data, size);
	struct fs_ends e = { 53, 6, 41000, 53 };
	size_t cut = (size + 2) / 2;
	fs_ip_frame(&b, 5000000, &e, 0, 1, 1, 0x18, tm, size + 2);
	fs_ip_frame(&b, 6000000, &e, 0, 1 + (uint32_t)size + 2, 1, 0x18, tm, cut);
	fs_ip_frame(&b, 7000000, &e, 0, 1 + (uint32_t)size + 2 + (uint32_t)cut, 1, 0x18, tm + cut, size + 2 - cut);
	free(tm);
	return fs_dissect_all(&b, NULL);
}
