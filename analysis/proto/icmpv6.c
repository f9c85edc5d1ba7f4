/* icmpv6.c - ICMPv6 (RFC 4443) and neighbor discovery (RFC 4861). */
#include "config.h"

#include "../internal.h"

static struct tq_field hf_icmpv6 = HF("icmpv6", "Internet Control Message Protocol v6", FT_PROTOCOL, BASE_NONE, NULL, 0);
static struct tq_field *const fields[] = { &hf_icmpv6 };

void
tq_register_icmpv6(void)
{
	TQ_REGISTER(fields);
}

int
tq_dissect_icmpv6(struct tq_pkt *pk, struct tq_slice *s)
{
	tq_col_proto(pk, "ICMPv6");
	tq_add_proto(pk, tq_root(pk), &hf_icmpv6, s, 0, s->len);
	return (int)s->len;
}
