/*
 * variants.c - an exercise's variants: a pool of captures (captures:) and
 * rewritten copies of each (variants:), which student gets which, and the
 * bytes of one.  doc/variants.md describes the format.
 */
#include "config.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "exercise.h"
#include "exercise_int.h"

#define DEFAULT_COUNT  30
#define DEFAULT_SHIFT  (30 * 86400.0)   /* seconds: up to a month */
#define DEFAULT_SCALE  0.0             /* gaps kept: a scaled gap is rounded to the resolution */

static const char *const rewrite_words =
    "all, addresses, ipv4, ipv6, mac, ports, isn, ip_id, time, names";

/* "198.51.100.0/24" into addr and *len; 0, or -1 when it is not a prefix of that family. */
static int
parse_prefix(const char *s, int v6, uint8_t *addr, unsigned *len)
{
	char buf[INET6_ADDRSTRLEN + 8];
	const char *slash = strchr(s, '/');
	if (!slash || (size_t)(slash - s) >= sizeof(buf))
		return -1;
	memcpy(buf, s, (size_t)(slash - s));
	buf[slash - s] = 0;
	char *end;
	unsigned long l = strtoul(slash + 1, &end, 10);
	if (*end || end == slash + 1 || l > (v6 ? 128u : 32u))
		return -1;
	if (inet_pton(v6 ? AF_INET6 : AF_INET, buf, addr) != 1)
		return -1;
	*len = (unsigned)l;
	return 0;
}

static int
check_prefix(struct checker *ck, struct tq_exercise *ex, int v6, const json_t *v, const char *path)
{
	const char *s = json_string_value(v);
	uint8_t a[16] = { 0 };
	unsigned len;
	if (!s || parse_prefix(s, v6, a, &len))
		return ex_errf(ck->err, ck->errlen, "%s: expected an %s prefix such as %s", path, v6 ? "IPv6" : "IPv4",
		    v6 ? "2001:db8::/32" : "198.51.100.0/24");
	if (!v6 && (len < 8 || len > 30 || a[0] == 0 || a[0] == 127 || a[0] >= 224))
		return ex_errf(ck->err, ck->errlen, "%s: %s: the prefix is /8 to /30, of unicast addresses", path, s);
	if (v6 && (len < 16 || len > 64 || a[0] == 0xff || (a[0] == 0xfe && (a[1] & 0xc0) == 0x80) || a[0] == 0))
		return ex_errf(ck->err, ck->errlen, "%s: %s: the prefix is /16 to /64, of global unicast addresses", path, s);
	struct tq_rewrite *rw = &ex->rw;
	memcpy(v6 ? rw->v6 : rw->v4, a, v6 ? 16 : 4);
	*(v6 ? &rw->v6len : &rw->v4len) = len;
	rw->what |= TQ_RW_ADDR;
	return 0;
}

static int
check_time(struct checker *ck, struct tq_exercise *ex, const json_t *v)
{
	ex->rw.what |= TQ_RW_TIME;
	ex->rw.shift = DEFAULT_SHIFT;
	ex->rw.scale = DEFAULT_SCALE;
	if (!v)
		return 0;
	static const char *const keys[] = { "shift", "scale", NULL };
	if (!json_is_object(v))
		return ex_errf(ck->err, ck->errlen, "variants.rewrite: time: expected a mapping (shift, scale), found %s",
		    ck_jtype(v));
	if (ck_only_keys(ck, "variants.rewrite: time", v, keys) ||
	    ck_want_number(ck, "variants.rewrite: time.shift", json_object_get(v, "shift"), 0) ||
	    ck_want_number(ck, "variants.rewrite: time.scale", json_object_get(v, "scale"), 0))
		return -1;
	if (json_object_get(v, "shift"))
		ex->rw.shift = json_number_value(json_object_get(v, "shift"));
	if (json_object_get(v, "scale")) {
		ex->rw.scale = json_number_value(json_object_get(v, "scale"));
		if (ex->rw.scale > 0.5)
			return ex_errf(ck->err, ck->errlen,
			    "variants.rewrite: time.scale: %g is out of range (0 to 0.5: the gaps between frames are "
			    "scaled by one factor, from 1 - scale to 1 + scale)", ex->rw.scale);
	}
	return 0;
}

/* names: {from: to, [to, ...] or random}: each variant takes one of the
 * names, or one made of random letters and digits (the last label kept). */
static int
check_names(struct checker *ck, struct tq_exercise *ex, json_t *v)
{
	if (!json_is_object(v) || !json_object_size(v))
		return ex_errf(ck->err, ck->errlen, "variants.rewrite: names: expected a mapping of names to the names "
		    "that replace them, found %s", ck_jtype(v));
	if (json_object_size(v) > TQ_RW_MAX_NAMES)
		return ex_errf(ck->err, ck->errlen, "variants.rewrite: names: more than %d names", TQ_RW_MAX_NAMES);
	const char *from;
	json_t *to;
	json_object_foreach(v, from, to) {
		char path[400], why[600];
		snprintf(path, sizeof(path), "variants.rewrite: names.%.200s", from);
		if (json_is_string(to) && !strcmp(json_string_value(to), "random")) {
			if (tq_rewrite_name_ok(from, from, why, sizeof(why)))
				return ex_errf(ck->err, ck->errlen, "%s: %s", path, why);
			continue;
		}
		if (json_is_string(to)) {
			json_t *l = json_array();
			json_array_append(l, to);
			json_object_set_new(v, from, l);
			to = l;
		}
		if (!json_is_array(to) || !json_array_size(to) || json_array_size(to) > 1000)
			return ex_errf(ck->err, ck->errlen, "%s: expected a name, a list of 1 to 1000 names, or random", path);
		size_t i;
		json_t *t;
		json_array_foreach(to, i, t) {
			if (!json_is_string(t))
				return ex_errf(ck->err, ck->errlen, "%s[%zu]: expected a name, found %s", path, i, ck_jtype(t));
			if (tq_rewrite_name_ok(from, json_string_value(t), why, sizeof(why)))
				return ex_errf(ck->err, ck->errlen, "%s: %s", path, why);
		}
	}
	ex->names = v;
	ex->rw.what |= TQ_RW_NAMES;
	return 0;
}

static int
check_rewrite_item(struct checker *ck, struct tq_exercise *ex, json_t *it, size_t i)
{
	const char *word = json_string_value(it);
	json_t *arg = NULL;
	if (json_is_object(it) && json_object_size(it) == 1) {
		void *iter = json_object_iter(it);
		word = json_object_iter_key(iter);
		arg = json_object_iter_value(iter);
	}
	if (!word)
		return ex_errf(ck->err, ck->errlen, "variants.rewrite[%zu]: expected one of %s (a word, or a mapping of "
		    "one of them to its options), found %s", i, rewrite_words, ck_jtype(it));
	static const struct { const char *w; unsigned what; } plain[] = {
		{ "all", TQ_RW_ADDR | TQ_RW_MAC | TQ_RW_PORTS | TQ_RW_ISN | TQ_RW_IPID },
		{ "addresses", TQ_RW_ADDR }, { "mac", TQ_RW_MAC }, { "ports", TQ_RW_PORTS },
		{ "isn", TQ_RW_ISN }, { "ip_id", TQ_RW_IPID },
	};
	char path[80];
	snprintf(path, sizeof(path), "variants.rewrite[%zu]: %s", i, word);
	if (!strcmp(word, "ipv4") || !strcmp(word, "ipv6"))
		return check_prefix(ck, ex, word[3] == '6', arg, path);
	if (!strcmp(word, "time"))
		return check_time(ck, ex, arg);
	if (!strcmp(word, "names"))
		return check_names(ck, ex, arg);
	for (size_t k = 0; k < sizeof(plain) / sizeof(plain[0]); k++) {
		if (strcmp(word, plain[k].w))
			continue;
		if (arg && !json_is_true(arg))
			return ex_errf(ck->err, ck->errlen, "%s takes no options", path);
		ex->rw.what |= plain[k].what;
		if (!strcmp(word, "all"))
			return check_time(ck, ex, NULL);
		return 0;
	}
	return ex_errf(ck->err, ck->errlen, "variants.rewrite[%zu]: unknown rewrite '%.60s' (the rewrites are %s)", i,
	    word, rewrite_words);
}

int
ex_check_variants(struct tq_exercise *ex, char *err, size_t errlen)
{
	struct checker ck = { err, errlen };
	json_t *d = ex->doc, *pool = json_object_get(d, "captures");
	tq_rewrite_init(&ex->rw);
	ex->per_capture = 1;
	ex->npool = 1;
	if (pool) {
		if (json_object_get(d, "capture"))
			return ex_errf(err, errlen, "capture and captures: give one capture, or a list of them, not both");
		if (ck_want_list_of_strings(&ck, "captures", pool, TQ_EX_MAX_POOL))
			return -1;
		if (!json_array_size(pool))
			return ex_errf(err, errlen, "captures: the list is empty");
		ex->npool = json_array_size(pool);
	}
	json_t *v = json_object_get(d, "variants");
	if (!v)
		return 0;
	if (!json_is_object(v))
		return ex_errf(err, errlen, "variants: expected a mapping (count, seed, rewrite), found %s", ck_jtype(v));
	static const char *const keys[] = { "count", "seed", "rewrite", NULL };
	if (ck_only_keys(&ck, "variants", v, keys))
		return -1;
	json_t *count = json_object_get(v, "count"), *seed = json_object_get(v, "seed");
	if (count && (!json_is_integer(count) || json_integer_value(count) < 1 ||
	    json_integer_value(count) > TQ_EX_MAX_VARIANTS))
		return ex_errf(err, errlen, "variants.count: expected an integer from 1 to %d", TQ_EX_MAX_VARIANTS);
	if (seed && (!json_is_integer(seed) || json_integer_value(seed) < 0))
		return ex_errf(err, errlen, "variants.seed: expected an integer from 0 (leave it out: the capture's "
		    "bytes choose it)");
	ex->per_capture = count ? (size_t)json_integer_value(count) : DEFAULT_COUNT;
	if (ex->npool * ex->per_capture > TQ_EX_MAX_VARIANTS)
		return ex_errf(err, errlen, "variants.count: %zu captures of %zu variants each are more than %d variants",
		    ex->npool, ex->per_capture, TQ_EX_MAX_VARIANTS);
	ex->seed = seed ? (uint64_t)json_integer_value(seed) : 0;
	ex->has_seed = seed != NULL;
	ex->rewrites = 1;
	ck_listify(v, "rewrite");
	json_t *rw = json_object_get(v, "rewrite");
	if (!rw) {
		json_t *all = json_string("all");
		int rc = all ? check_rewrite_item(&ck, ex, all, 0) : ex_errf(err, errlen, "out of memory");
		json_decref(all);
		return rc;
	}
	if (!json_is_array(rw) || !json_array_size(rw))
		return ex_errf(err, errlen, "variants.rewrite: expected a list of rewrites (%s)", rewrite_words);
	size_t i;
	json_t *it;
	json_array_foreach(rw, i, it)
		if (check_rewrite_item(&ck, ex, it, i))
			return -1;
	return 0;
}

size_t
tq_exercise_variant_count(const struct tq_exercise *ex)
{
	return ex->npool * ex->per_capture;
}

size_t
tq_exercise_pool_size(const struct tq_exercise *ex)
{
	return ex->npool;
}

const char *
tq_exercise_pool_name(const struct tq_exercise *ex, size_t i)
{
	json_t *pool = json_object_get(ex->doc, "captures");
	if (pool)
		return json_string_value(json_array_get(pool, i));
	return i == 0 ? json_string_value(json_object_get(ex->doc, "capture")) : NULL;
}

int
tq_exercise_has_variants(const struct tq_exercise *ex)
{
	return json_object_get(ex->doc, "captures") || json_object_get(ex->doc, "variants");
}

int
tq_exercise_rewrites(const struct tq_exercise *ex)
{
	return ex->rewrites;
}

char *
tq_exercise_pool_path(const struct tq_exercise *ex, size_t i)
{
	const char *name = tq_exercise_pool_name(ex, i);
	if (!name || !ex->dir)
		return NULL;
	size_t n = strlen(ex->dir) + strlen(name) + 2;
	char *p = malloc(n);
	if (p)
		snprintf(p, n, "%s/%s", ex->dir, name);
	return p;
}

size_t
tq_exercise_variant_capture(const struct tq_exercise *ex, size_t v)
{
	return v / ex->per_capture;
}

size_t
tq_exercise_deal(const char *exercise, const char *student, size_t n)
{
	if (n <= 1)
		return 0;
	uint64_t h = tq_fnv1a64(0xcbf29ce484222325ULL, exercise, strlen(exercise) + 1);
	h = tq_fnv1a64(h, student, strlen(student));
	return (size_t)(tq_splitmix64(&h) % n);
}

/* name with each letter and digit of its labels but the last drawn anew: "smtp.campus.example" may be
 * "qkzv.wbtrfe.example". */
static char *
random_name(const char *name, uint64_t *state)
{
	char *s = strdup(name), *last = s ? strrchr(s, '.') : NULL;
	if (!s)
		return NULL;
	for (char *p = s; *p && (!last || p < last); p++) {
		uint64_t r = tq_splitmix64(state);
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z'))
			*p = (char)('a' + r % 26);
		else if (*p >= '0' && *p <= '9')
			*p = (char)('0' + r % 10);
	}
	return s;
}

int
tq_exercise_make_variant(const struct tq_exercise *ex, size_t v, const uint8_t *in, size_t len, uint8_t **out,
    char *err, size_t errlen)
{
	*out = NULL;
	if (v >= tq_exercise_variant_count(ex))
		return ex_errf(err, errlen, "there is no variant %zu (the exercise has %zu)", v + 1,
		    tq_exercise_variant_count(ex));
	if (!ex->rewrites) {
		if (!(*out = malloc(len ? len : 1)))
			return ex_errf(err, errlen, "out of memory");
		memcpy(*out, in, len);
		return 0;
	}
	struct tq_rewrite rw = ex->rw;
	uint64_t base = ex->has_seed ? ex->seed : tq_fnv1a64(0xcbf29ce484222325ULL, in, len);
	uint64_t state = base ^ (0x9e3779b97f4a7c15ULL * (v + 1));
	rw.seed = tq_splitmix64(&state);
	struct tq_rw_name names[TQ_RW_MAX_NAMES];
	char *made[TQ_RW_MAX_NAMES] = { 0 };
	size_t n = 0;
	const char *from;
	json_t *to;
	int rc = 0;
	json_object_foreach(ex->names, from, to) {
		names[n].from = from;
		if (json_is_string(to)) {                         /* random */
			if (!(made[n] = random_name(from, &state))) {
				rc = ex_errf(err, errlen, "out of memory");
				break;
			}
			names[n].to = made[n];
		} else {
			names[n].to = json_string_value(json_array_get(to, tq_splitmix64(&state) % json_array_size(to)));
		}
		n++;
	}
	rw.names = names;
	rw.nnames = n;
	if (!rc && tq_rewrite_capture(in, len, &rw, out, NULL, err, errlen) != 0)
		rc = -1;
	for (size_t i = 0; i < n; i++)
		free(made[i]);
	return rc;
}
