/* table.c - dissector tables: who takes the bytes after an ethertype, an IP protocol, a port. */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

/*
 * As Wireshark's dissector tables: a dissector registers itself on the
 * tables it belongs to (ethertype 0x0800 for IPv4, udp.port 53 for DNS),
 * and the layer below looks the key up instead of switching on it.  The
 * tables are filled once by tq_init() and only read afterwards, so threads
 * share them; "decode as" rules are per capture and looked up first.
 */

#define MAX_DISSECTORS 64
#define MAX_ENTRIES 512
#define MAX_HEUR 8

struct entry {
	uint32_t key;
	const struct tq_dissector *d;
};

static struct {
	struct entry e[MAX_ENTRIES];
	unsigned n;
	const struct tq_dissector *heur[MAX_HEUR];
	unsigned nheur;
} tables[TQ_TAB_COUNT];

static struct tq_dissector *named[MAX_DISSECTORS];
static unsigned nnamed;

static const char *const table_names[TQ_TAB_COUNT] = {
	[TQ_TAB_ETHERTYPE] = "ethertype",
	[TQ_TAB_IP_PROTO] = "ip.proto",
	[TQ_TAB_TCP_PORT] = "tcp.port",
	[TQ_TAB_UDP_PORT] = "udp.port",
};

/* Gives d its id the first time it is seen; ids start at 1. */
static void
name_it(struct tq_dissector *d)
{
	if (d->id)
		return;
	if (nnamed >= MAX_DISSECTORS)
		abort();                     /* a programming error: raise MAX_DISSECTORS */
	named[nnamed++] = d;
	d->id = (uint8_t)nnamed;
}

void
tq_dissector_add(enum tq_table t, uint32_t key, struct tq_dissector *d)
{
	name_it(d);
	if (tables[t].n >= MAX_ENTRIES)
		abort();
	/* kept sorted by key, for bsearch; a later registration of a key replaces it */
	unsigned i = tables[t].n;
	while (i > 0 && tables[t].e[i - 1].key > key)
		i--;
	if (i > 0 && tables[t].e[i - 1].key == key) {
		tables[t].e[i - 1].d = d;
		return;
	}
	memmove(&tables[t].e[i + 1], &tables[t].e[i], (tables[t].n - i) * sizeof(struct entry));
	tables[t].e[i].key = key;
	tables[t].e[i].d = d;
	tables[t].n++;
}

void
tq_dissector_add_range(enum tq_table t, uint32_t lo, uint32_t hi, struct tq_dissector *d)
{
	for (uint32_t k = lo; k <= hi; k++)
		tq_dissector_add(t, k, d);
}

void
tq_heur_add(enum tq_table t, struct tq_dissector *d)
{
	name_it(d);
	if (tables[t].nheur >= MAX_HEUR || !d->heuristic)
		abort();
	tables[t].heur[tables[t].nheur++] = d;
}

void
tq_dissector_register(struct tq_dissector *d)
{
	name_it(d);
}

static int
cmp_entry(const void *k, const void *e)
{
	uint32_t a = *(const uint32_t *)k, b = ((const struct entry *)e)->key;
	return a < b ? -1 : a > b;
}

const struct tq_dissector *
tq_dissector_find(const struct tq_capture *cap, enum tq_table t, uint32_t key)
{
	if (cap) {
		for (unsigned i = 0; i < cap->ndecode_as; i++) {
			const struct tq_decode_as *r = &cap->decode_as[i];
			if (r->table == t && key >= r->lo && key <= r->hi)
				return named[r->proto - 1];
		}
	}
	const struct entry *e = bsearch(&key, tables[t].e, tables[t].n, sizeof(struct entry), cmp_entry);
	return e ? e->d : NULL;
}

const struct tq_dissector *
tq_heur_find(enum tq_table t, const struct tq_pkt *pk, const uint8_t *p, uint32_t len)
{
	for (unsigned i = 0; i < tables[t].nheur; i++)
		if (tables[t].heur[i]->heuristic(pk, p, len))
			return tables[t].heur[i];
	return NULL;
}

const struct tq_dissector *
tq_dissector_by_id(unsigned id)
{
	return id >= 1 && id <= nnamed ? named[id - 1] : NULL;
}

static const struct tq_dissector *
by_name(const char *name, size_t n)
{
	for (unsigned i = 0; i < nnamed; i++)
		if (strlen(named[i]->name) == n && !strncasecmp(named[i]->name, name, n))
			return named[i];
	return NULL;
}

const struct tq_dissector *
tq_dissector_named(const char *name)
{
	return by_name(name, strlen(name));
}

/* TQ_EINVAL, with "decode as \"RULE\": WHY" in err. */
static int
fail(char *err, size_t errlen, const char *rule, const char *why)
{
	if (err && errlen)
		snprintf(err, errlen, "decode as \"%s\": %s", rule, why);
	return TQ_EINVAL;
}

/* A number in decimal or 0x hex, at most max; the end of it in *end. */
static int
number(const char *s, const char **end, uint32_t max, uint32_t *v)
{
	if (!isdigit((unsigned char)*s))
		return -1;
	errno = 0;
	char *e;
	unsigned long x = strtoul(s, &e, 0);
	if (errno || x > max)
		return -1;
	*v = (uint32_t)x;
	*end = e;
	return 0;
}

int
tq_decode_as_parse(const char *rule, struct tq_decode_as *out, char *err, size_t errlen)
{
	tq_init();
	const char *eq = strstr(rule, "==");
	if (!eq)
		return fail(err, errlen, rule, "expected TABLE==VALUE,PROTOCOL, as tcp.port==2222,ssh");
	size_t tn = (size_t)(eq - rule);
	int t = -1;
	for (int i = 0; i < TQ_TAB_COUNT; i++)
		if (strlen(table_names[i]) == tn && !strncmp(rule, table_names[i], tn))
			t = i;
	if (t < 0)
		return fail(err, errlen, rule, "unknown table before == (known: tcp.port, udp.port, ip.proto, ethertype)");
	uint32_t max = t == TQ_TAB_IP_PROTO ? 255 : 65535, lo, hi;
	const char *p = eq + 2, *e;
	if (number(p, &e, max, &lo) != 0)
		return fail(err, errlen, rule, "the value after == must be a number up to 65535 (255 for ip.proto)");
	hi = lo;
	if (*e == '-' && (number(e + 1, &e, max, &hi) != 0 || hi < lo))
		return fail(err, errlen, rule, "a range is LOW-HIGH with LOW <= HIGH");
	if (*e != ',')
		return fail(err, errlen, rule, "expected a comma and a protocol name after the value");
	const struct tq_dissector *d = tq_dissector_named(e + 1);
	if (!d) {
		char why[200];
		int k = snprintf(why, sizeof(why), "no protocol named \"%.40s\"; known:", e + 1);
		for (unsigned i = 0; i < nnamed && k > 0 && (size_t)k < sizeof(why) - 12; i++)
			k += snprintf(why + k, sizeof(why) - (size_t)k, " %s", named[i]->name);
		return fail(err, errlen, rule, why);
	}
	out->table = (uint8_t)t;
	out->lo = (uint16_t)lo;
	out->hi = (uint16_t)hi;
	out->proto = d->id;
	return 0;
}
