/* fields.c - the field registry: Wireshark abbrevs -> definitions. */
#include "config.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

const struct tq_tfs tq_tfs_set_notset = { "Set", "Not set" };
const struct tq_tfs tq_tfs_yes_no = { "Yes", "No" };
const struct tq_tfs tq_tfs_true_false = { "True", "False" };

/*
 * Open-addressing table from abbrev to the first field registered with it.
 * Built once by tq_init(), read-only afterwards, so threads share it freely.
 */
static struct tq_field **table;
static size_t table_cap, table_n;
static uint32_t next_id = 1;

static uint32_t
hash_str(const char *s)
{
	uint32_t h = 2166136261u;
	while (*s)
		h = (h ^ (uint8_t)*s++) * 16777619u;
	return h;
}

static int
table_grow(void)
{
	size_t cap = table_cap ? table_cap * 2 : 1024;
	struct tq_field **t = calloc(cap, sizeof(*t));
	if (!t)
		return -1;
	for (size_t i = 0; i < table_cap; i++) {
		struct tq_field *f = table[i];
		if (!f)
			continue;
		size_t j = hash_str(f->abbrev) & (cap - 1);
		while (t[j])
			j = (j + 1) & (cap - 1);
		t[j] = f;
	}
	free(table);
	table = t;
	table_cap = cap;
	return 0;
}

void
tq_fields_register(struct tq_field *const *fields, size_t n)
{
	for (size_t k = 0; k < n; k++) {
		struct tq_field *f = fields[k];
		size_t nl = strlen(f->name);
		f->name_len = (uint16_t)(nl < UINT16_MAX ? nl : 0);
		size_t al = strlen(f->abbrev);
		f->abbrev_len = (uint16_t)(al < UINT16_MAX ? al : 0);
		if ((table_n + 1) * 2 > table_cap && table_grow() != 0)
			return;
		size_t j = hash_str(f->abbrev) & (table_cap - 1);
		while (table[j] && strcmp(table[j]->abbrev, f->abbrev) != 0)
			j = (j + 1) & (table_cap - 1);
		if (table[j]) {
			f->id = table[j]->id;
			continue;
		}
		f->id = next_id++;
		table[j] = f;
		table_n++;
	}
}

const struct tq_field *
tq_field_lookup(const char *abbrev)
{
	tq_init();
	if (!table_cap)
		return NULL;
	size_t j = hash_str(abbrev) & (table_cap - 1);
	while (table[j]) {
		if (strcmp(table[j]->abbrev, abbrev) == 0)
			return table[j];
		j = (j + 1) & (table_cap - 1);
	}
	return NULL;
}

uint32_t
tq_field_id(const struct tq_field *f)
{
	return f->id;
}

uint32_t
tq_field_id_limit(void)
{
	tq_init();
	return next_id;
}

/* Levenshtein distance of a and b, or more than cap when it exceeds cap. */
static size_t
edit_distance(const char *a, const char *b, size_t cap)
{
	size_t la = strlen(a), lb = strlen(b);
	if (la > 128 || lb > 128)
		return cap + 1;
	if ((la > lb ? la - lb : lb - la) > cap)
		return cap + 1;
	size_t row[129];
	for (size_t j = 0; j <= lb; j++)
		row[j] = j;
	for (size_t i = 1; i <= la; i++) {
		size_t diag = row[0], best = i;
		row[0] = i;
		for (size_t j = 1; j <= lb; j++) {
			size_t up = row[j];
			size_t v = diag + (a[i - 1] != b[j - 1]);
			if (up + 1 < v)
				v = up + 1;
			if (row[j - 1] + 1 < v)
				v = row[j - 1] + 1;
			row[j] = v;
			diag = up;
			if (v < best)
				best = v;
		}
		if (best > cap)
			return cap + 1;
	}
	return row[lb];
}

const char *
tq_field_suggest(const char *abbrev)
{
	tq_init();
	size_t len = strlen(abbrev);
	size_t cap = len < 6 ? 2 : len / 3;
	const char *best = NULL;
	size_t best_d = cap + 1;
	for (size_t i = 0; i < table_cap; i++) {
		if (!table[i])
			continue;
		size_t d = edit_distance(abbrev, table[i]->abbrev, cap);
		if (d <= cap && (d < best_d || (d == best_d && strcmp(table[i]->abbrev, best) < 0))) {
			best_d = d;
			best = table[i]->abbrev;
		}
	}
	return best_d <= cap ? best : NULL;
}

const char *
tq_field_abbrev(const struct tq_field *f)
{
	return f ? f->abbrev : "";
}

const char *
tq_vals_find(const struct tq_vals *vs, uint32_t v)
{
	for (; vs && vs->s; vs++)
		if (vs->v == v)
			return vs->s;
	return NULL;
}

const char *
tq_rvals_find(const struct tq_rvals *vs, uint32_t v)
{
	for (; vs && vs->s; vs++)
		if (v >= vs->lo && v <= vs->hi)
			return vs->s;
	return NULL;
}

const char *
tq_val_str(const struct tq_field *f, uint64_t v)
{
	switch (f->skind) {
	case SK_VALS: return tq_vals_find(f->strings, (uint32_t)v);
	case SK_RVALS: return tq_rvals_find(f->strings, (uint32_t)v);
	case SK_TFS: {
		const struct tq_tfs *t = f->strings;
		return v ? t->t : t->f;
	}
	default: return NULL;
	}
}

/* A type's name as Wireshark's "Display Filter Expression" dialog gives it. */
static const char *
ftype_name(int t)
{
	static const char *const names[] = {
		[FT_NONE] = "Label", [FT_PROTOCOL] = "Protocol", [FT_BOOLEAN] = "Boolean",
		[FT_UINT8] = "Unsigned integer (8 bits)", [FT_UINT16] = "Unsigned integer (16 bits)",
		[FT_UINT24] = "Unsigned integer (24 bits)", [FT_UINT32] = "Unsigned integer (32 bits)",
		[FT_UINT40] = "Unsigned integer (40 bits)", [FT_UINT48] = "Unsigned integer (48 bits)",
		[FT_UINT56] = "Unsigned integer (56 bits)", [FT_UINT64] = "Unsigned integer (64 bits)",
		[FT_INT8] = "Signed integer (8 bits)", [FT_INT16] = "Signed integer (16 bits)",
		[FT_INT24] = "Signed integer (24 bits)", [FT_INT32] = "Signed integer (32 bits)",
		[FT_INT64] = "Signed integer (64 bits)", [FT_FRAMENUM] = "Frame number",
		[FT_DOUBLE] = "Floating point (double-precision)", [FT_ABSTIME] = "Date and time",
		[FT_RELTIME] = "Time offset", [FT_ETHER] = "Ethernet or other MAC address",
		[FT_IPV4] = "IPv4 address", [FT_IPV6] = "IPv6 address", [FT_BYTES] = "Byte sequence",
		[FT_STRING] = "Character string",
	};
	return t >= 0 && (size_t)t < sizeof(names) / sizeof(names[0]) && names[t] ? names[t] : "Label";
}

void
tq_fields_each(tq_field_each_fn fn, void *arg)
{
	tq_init();
	for (size_t i = 0; i < table_cap; i++)
		if (table[i])
			fn(arg, table[i]->abbrev, table[i]->name, ftype_name(table[i]->type));
}

static void
register_all(void)
{
	tq_register_frame();
	tq_register_data();
	tq_register_eth();
	tq_register_arp();
	tq_register_sll();
	tq_register_null();
	tq_register_ipv4();
	tq_register_ipv6();
	tq_register_tcp();
	tq_register_udp();
	tq_register_icmp();
	tq_register_icmpv6();
	tq_register_smtp();
	tq_register_tls();
	tq_register_http();
	tq_register_ssh();
	tq_register_telnet();
	tq_register_dns();
	tq_register_http2();
	tq_register_websocket();
}

static pthread_once_t init_once = PTHREAD_ONCE_INIT;

void
tq_init(void)
{
	pthread_once(&init_once, register_all);
}
