/* icmp.c - ICMP for IPv4 (RFC 792). */
#include "config.h"

#include "../internal.h"

static struct tq_field hf_icmp = HF("icmp", "Internet Control Message Protocol", FT_PROTOCOL, BASE_NONE, NULL, 0);
static struct tq_field *const fields[] = { &hf_icmp };

void
tq_register_icmp(void)
{
	TQ_REGISTER(fields);
}

int
tq_dissect_icmp(struct tq_pkt *pk, struct tq_slice *s)
{
	tq_col_proto(pk, "ICMP");
	tq_add_proto(pk, tq_root(pk), &hf_icmp, s, 0, s->len);
	return (int)s->len;
}
