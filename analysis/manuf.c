/*
 * manuf.c - Ethernet vendor names from a manuf file (Wireshark's format:
 * "OUI[/bits] <tab> short name <tab> long name"), as Wireshark names
 * addresses: "IntelCor_38:e9:78".  The well-known addresses of the wka file
 * beside it ("FF-FF-FF-FF-FF-FF Broadcast", "01-00-5E/25 IPv4mcast") come
 * first, as in Wireshark's eth_addr_resolve.  The files are read once, on
 * first use.
 */
#include "config.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

/* An exact address, a well-known range (its key is the masked address, the
 * mask is not kept, as in Wireshark), or a vendor's 24-bit OUI. */
enum { K_EXACT, K_RANGE, K_OUI };

/*
 * Some 52,600 entries: their names live in one pool, each entry naming its
 * two by their offsets there (the long name is the short one when the line
 * has none), so the table takes 2.9 MB (1.3 of entries, 1.6 of names)
 * rather than the 6 that pointers and two strdup()s per entry took, in
 * every process that shows a tree.
 */
struct manuf_ent {
	uint64_t prefix;         /* 48-bit address, masked */
	uint32_t sname, lname;   /* offsets in pool */
	uint8_t bits;
	uint8_t kind;            /* K_EXACT, K_RANGE or K_OUI */
};

static struct manuf_ent *ents;
static size_t nents;
static char *pool;
static size_t pool_len, pool_cap;
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
	if (x->kind != y->kind)
		return x->kind < y->kind ? -1 : 1;
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

static size_t ents_cap;

/* Copies s and its NUL into the pool; its offset, or UINT32_MAX when out of memory. */
static uint32_t
pool_add(const char *s)
{
	size_t n = strlen(s) + 1;
	if (pool_len + n > pool_cap) {
		size_t ncap = pool_cap ? pool_cap : 1u << 20;
		while (ncap < pool_len + n)
			ncap *= 2;
		if (ncap > UINT32_MAX)
			return UINT32_MAX;
		char *np = realloc(pool, ncap);
		if (!np)
			return UINT32_MAX;
		pool = np;
		pool_cap = ncap;
	}
	memcpy(pool + pool_len, s, n);
	pool_len += n;
	return (uint32_t)(pool_len - n);
}

/* Reads one file of entries; in manuf (is_manuf), the plain 24-bit lines are vendor OUIs. */
static void
load_file(const char *path, int is_manuf)
{
	FILE *fp = fopen(path, "re");
	if (!fp)
		return;
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
		int masked = *p == '/';
		if (masked) {
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
			while (*lname == '\t')
				lname++;
			lname[strcspn(lname, "\r\n")] = '\0';
		} else {
			sname[strcspn(sname, "\r\n")] = '\0';
		}
		if (!*sname)
			continue;
		if (nents == ents_cap) {
			size_t ncap = ents_cap ? ents_cap * 2 : 4096;
			struct manuf_ent *ne = realloc(ents, ncap * sizeof(*ne));
			if (!ne)
				break;
			ents = ne;
			ents_cap = ncap;
		}
		uint64_t mask = bits == 48 ? 0xffffffffffffULL : (0xffffffffffffULL << (48 - bits)) & 0xffffffffffffULL;
		ents[nents].prefix = pfx & mask;
		ents[nents].bits = (uint8_t)bits;
		ents[nents].kind = (uint8_t)(bits == 48 ? K_EXACT : is_manuf && bits == 24 && !masked ? K_OUI : K_RANGE);
		uint32_t so = pool_add(sname);
		uint32_t lo = lname && *lname ? pool_add(lname) : so;
		if (so == UINT32_MAX || lo == UINT32_MAX)
			break;
		ents[nents].sname = so;
		ents[nents].lname = lo;
		nents++;
	}
	fclose(fp);
}

static void
load_manuf(void)
{
	const char *path = manuf_path;
	if (!path)
		path = getenv("TQ_MANUF");
	if (!path)
		path = "/usr/share/wireshark/manuf";
	load_file(path, 1);
	/* the wka file lives beside manuf */
	const char *slash = strrchr(path, '/');
	size_t dir = slash ? (size_t)(slash - path) + 1 : 0;
	char wka[4096];
	if (dir + 4 < sizeof(wka)) {
		memcpy(wka, path, dir);
		memcpy(wka + dir, "wka", 4);
		load_file(wka, 0);
	}
	if (nents)                   /* no file: no table (qsort of NULL is undefined) */
		qsort(ents, nents, sizeof(*ents), ent_cmp);
	/* what grew by doubling, cut to size */
	struct manuf_ent *e = nents ? realloc(ents, nents * sizeof(*ents)) : NULL;
	if (e)
		ents = e;
	char *np = pool_len ? realloc(pool, pool_len) : NULL;
	if (np)
		pool = np;
}

static const struct manuf_ent *
find(uint64_t key, int kind)
{
	struct manuf_ent k = { .prefix = key, .kind = (uint8_t)kind };
	return nents ? bsearch(&k, ents, nents, sizeof(*ents), ent_cmp) : NULL;
}

static uint64_t
masked(uint64_t addr, int bits)
{
	return addr & ((0xffffffffffffULL << (48 - bits)) & 0xffffffffffffULL);
}

/* Formats "name_" and the bytes from index first on, the high keep bits of the first cleared. */
static void
put_suffix(char *buf, size_t len, const char *name, const uint8_t *a, int first, int keep)
{
	size_t o = (size_t)snprintf(buf, len, "%s_", name);
	for (int i = first; i < 6 && o < len; i++) {
		unsigned v = i == first ? a[i] & (0xffu >> keep) : a[i];
		o += (size_t)snprintf(buf + o, len - o, i > first ? ":%02x" : "%02x", v);
	}
}

/*
 * As Wireshark's eth_addr_resolve: an exact address; then the address cut
 * to 47 bits down to 24 looked up among the well-known ranges; then the
 * vendor's OUI (also with the group bit cleared); then ranges cut to 23
 * bits down to 1.  A range names the bytes past the whole bytes of the cut.
 */
static void
ether_name(const uint8_t *a, char *buf, size_t len)
{
	pthread_once(&manuf_once, load_manuf);
	uint64_t addr = 0;
	for (int i = 0; i < 6; i++)
		addr = addr << 8 | a[i];
	const struct manuf_ent *e = nents ? find(addr, K_EXACT) : NULL;
	if (e) {
		snprintf(buf, len, "%s", pool + e->sname);
		return;
	}
	for (int bits = 47; nents && bits >= 1; bits--) {
		if (bits == 23) {
			uint64_t oui = addr & 0xffffff000000ULL;
			e = find(oui, K_OUI);
			if (!e && (a[0] & 1))
				e = find(oui & ~0x010000000000ULL, K_OUI);
			if (e) {
				snprintf(buf, len, "%s_%02x:%02x:%02x", pool + e->sname, a[3], a[4], a[5]);
				return;
			}
		}
		e = find(masked(addr, bits), K_RANGE);
		if (e) {
			int first = bits / 8;
			put_suffix(buf, len, pool + e->sname, a, first, bits % 8);
			return;
		}
	}
	tq_ether_str(a, buf, len);
}

/*
 * The names of the addresses met last, per thread.  A capture has few
 * distinct addresses and every frame names its own several times (columns,
 * labels, eth.addr items), while a lookup is up to 26 binary searches of the
 * manuf and wka entries.  Slots are direct-mapped on the address; the table
 * never changes once loaded, so a name stays right.
 */
struct name_slot {
	uint64_t key;                /* address + 1; 0: empty */
	char name[56];
};
static __thread struct name_slot name_cache[256];

void
tq_ether_name(const uint8_t *a, char *buf, size_t len)
{
	uint64_t addr = 0;
	for (int i = 0; i < 6; i++)
		addr = addr << 8 | a[i];
	struct name_slot *s = &name_cache[(addr * 0x9e3779b97f4a7c15ULL) >> 56];
	if (s->key != addr + 1) {
		char tmp[sizeof(s->name)];
		ether_name(a, tmp, sizeof(tmp));
		if (strlen(tmp) + 1 >= sizeof(tmp)) {
			/* perhaps cut short: not cached */
			ether_name(a, buf, len);
			return;
		}
		memcpy(s->name, tmp, sizeof(tmp));
		s->key = addr + 1;
	}
	if (!len)
		return;
	size_t n = strlen(s->name);
	if (n >= len)
		n = len - 1;
	memcpy(buf, s->name, n);
	buf[n] = '\0';
}

const char *
tq_oui_name(const uint8_t *a)
{
	pthread_once(&manuf_once, load_manuf);
	if (!nents)
		return NULL;
	uint64_t addr = (uint64_t)a[0] << 40 | (uint64_t)a[1] << 32 | (uint64_t)a[2] << 24;
	const struct manuf_ent *e = find(addr, K_OUI);
	return e ? pool + e->lname : NULL;
}
