/*
 * manuf.c - Ethernet vendor names from a manuf file (Wireshark's format:
 * "OUI[/bits] <tab> short name <tab> long name"), as Wireshark names
 * addresses: "IntelCor_38:e9:78".  The file is read once, on first use.
 */
#include "config.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

struct manuf_ent {
	uint64_t prefix;         /* 48-bit address, masked */
	uint8_t bits;
	char *sname, *lname;
};

static struct manuf_ent *ents;
static size_t nents;
static const char *manuf_path;
static pthread_once_t manuf_once = PTHREAD_ONCE_INIT;

void
tq_set_manuf_path(const char *path)
{
	manuf_path = path;
}

static int
ent_cmp(const void *a, const void *b)
{
	const struct manuf_ent *x = a, *y = b;
	if (x->bits != y->bits)
		return x->bits < y->bits ? -1 : 1;
	if (x->prefix != y->prefix)
		return x->prefix < y->prefix ? -1 : 1;
	return 0;
}

static int
parse_hex_addr(const char *s, uint64_t *out, int *nbytes, const char **end)
{
	uint64_t v = 0;
	int n = 0;
	while (n < 6) {
		unsigned hi, lo;
		char c1 = s[0], c2 = s[1];
		if (!c1 || !c2)
			break;
		hi = (unsigned)(c1 >= 'a' ? c1 - 'a' + 10 : c1 >= 'A' ? c1 - 'A' + 10 : c1 - '0');
		lo = (unsigned)(c2 >= 'a' ? c2 - 'a' + 10 : c2 >= 'A' ? c2 - 'A' + 10 : c2 - '0');
		if (hi > 15 || lo > 15)
			break;
		v = v << 8 | (hi << 4 | lo);
		n++;
		s += 2;
		if (*s == ':' || *s == '-' || *s == '.')
			s++;
		else
			break;
	}
	if (n == 0)
		return -1;
	*out = v << (8 * (6 - n));
	*nbytes = n;
	*end = s;
	return 0;
}

static void
load_manuf(void)
{
	const char *path = manuf_path;
	if (!path)
		path = getenv("TQ_MANUF");
	if (!path)
		path = "/usr/share/wireshark/manuf";
	FILE *fp = fopen(path, "re");
	if (!fp)
		return;
	size_t cap = 0;
	char line[1024];
	while (fgets(line, sizeof(line), fp)) {
		if (line[0] == '#' || line[0] == '\n')
			continue;
		uint64_t pfx;
		int nb;
		const char *p;
		if (parse_hex_addr(line, &pfx, &nb, &p) != 0)
			continue;
		int bits = nb * 8;
		if (*p == '/') {
			bits = atoi(p + 1);
			while (*p && *p != '\t' && *p != ' ')
				p++;
		}
		if (bits <= 0 || bits > 48)
			continue;
		while (*p == '\t' || *p == ' ')
			p++;
		char *sname = (char *)p;
		char *tab = strchr(sname, '\t');
		char *lname = NULL;
		if (tab) {
			*tab = '\0';
			lname = tab + 1;
			lname[strcspn(lname, "\r\n")] = '\0';
		} else {
			sname[strcspn(sname, "\r\n")] = '\0';
		}
		if (!*sname)
			continue;
		if (nents == cap) {
			size_t ncap = cap ? cap * 2 : 4096;
			struct manuf_ent *ne = realloc(ents, ncap * sizeof(*ne));
			if (!ne)
				break;
			ents = ne;
			cap = ncap;
		}
		uint64_t mask = bits == 48 ? 0xffffffffffffULL : (0xffffffffffffULL << (48 - bits)) & 0xffffffffffffULL;
		ents[nents].prefix = pfx & mask;
		ents[nents].bits = (uint8_t)bits;
		ents[nents].sname = strdup(sname);
		ents[nents].lname = strdup(lname && *lname ? lname : sname);
		if (!ents[nents].sname || !ents[nents].lname) {
			free(ents[nents].sname);
			free(ents[nents].lname);
			break;
		}
		nents++;
	}
	fclose(fp);
	qsort(ents, nents, sizeof(*ents), ent_cmp);
}

static const struct manuf_ent *
find_bits(uint64_t addr, int bits)
{
	uint64_t mask = bits == 48 ? 0xffffffffffffULL : (0xffffffffffffULL << (48 - bits)) & 0xffffffffffffULL;
	struct manuf_ent key = { addr & mask, (uint8_t)bits, NULL, NULL };
	return bsearch(&key, ents, nents, sizeof(*ents), ent_cmp);
}

static const struct manuf_ent *
lookup(const uint8_t *a, int *bits_out)
{
	static const int order[] = { 48, 36, 28, 24 };
	pthread_once(&manuf_once, load_manuf);
	if (!nents)
		return NULL;
	uint64_t addr = 0;
	for (int i = 0; i < 6; i++)
		addr = addr << 8 | a[i];
	for (size_t i = 0; i < sizeof(order) / sizeof(order[0]); i++) {
		const struct manuf_ent *e = find_bits(addr, order[i]);
		if (e) {
			*bits_out = order[i];
			return e;
		}
	}
	return NULL;
}

void
tq_ether_name(const uint8_t *a, char *buf, size_t len)
{
	int bits = 0;
	const struct manuf_ent *e = lookup(a, &bits);
	if (!e) {
		tq_ether_str(a, buf, len);
		return;
	}
	if (bits == 48)
		snprintf(buf, len, "%s", e->sname);
	else
		snprintf(buf, len, "%s_%02x:%02x:%02x", e->sname, a[3], a[4], a[5]);
}

const char *
tq_oui_name(const uint8_t *a)
{
	pthread_once(&manuf_once, load_manuf);
	if (!nents)
		return NULL;
	uint64_t addr = (uint64_t)a[0] << 40 | (uint64_t)a[1] << 32 | (uint64_t)a[2] << 24;
	const struct manuf_ent *e = find_bits(addr, 24);
	return e ? e->lname : NULL;
}
