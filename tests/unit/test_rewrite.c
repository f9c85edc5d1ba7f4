/*
 * test_rewrite.c - variants of captures (analysis/rewrite.c): on every
 * capture of tests/data, a rewrite keeps the file's size and records, is the
 * same for a seed and differs between seeds; on a capture made here, the
 * map of addresses is one-to-one into the prefix and every checksum is
 * right; on thousands of damaged captures, nothing is read out of bounds.
 */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "rewrite.h"
#include "tq.h"
#include "testutil.h"

#define ALL (TQ_RW_ADDR | TQ_RW_MAC | TQ_RW_PORTS | TQ_RW_ISN | TQ_RW_IPID | TQ_RW_TIME)

static uint64_t
next_rand(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static struct tq_rewrite
all_of(uint64_t seed)
{
	struct tq_rewrite rw;
	tq_rewrite_init(&rw);
	rw.what = ALL;
	rw.seed = seed;
	rw.shift = 86400;
	rw.scale = 0.1;
	return rw;
}

/* The captures of tests/data, by name (pcap and pcapng). */
static char **
captures(size_t *n)
{
	DIR *d = opendir(tq_test_data_dir());
	assert_non_null(d);
	char **names = NULL;
	*n = 0;
	struct dirent *e;
	while ((e = readdir(d))) {
		const char *dot = strrchr(e->d_name, '.');
		if (!dot || (strcmp(dot, ".pcap") && strcmp(dot, ".pcapng")))
			continue;
		names = realloc(names, (*n + 1) * sizeof(*names));
		assert_non_null(names);
		names[(*n)++] = strdup(e->d_name);
	}
	closedir(d);
	assert_true(*n > 50);
	return names;
}

static uint8_t *
read_capture(const char *name, size_t *len)
{
	char path[4096];
	snprintf(path, sizeof(path), "%s/%s", tq_test_data_dir(), name);
	uint8_t *b = (uint8_t *)tq_test_slurp(path, len);
	if (!b)
		fail_msg("cannot read %s", path);
	return b;
}

static uint32_t
frames_of(const uint8_t *b, size_t len, uint32_t *caplens, uint32_t max)
{
	struct tq_capture *cap;
	char err[256];
	assert_int_equal(tq_capture_open_mem(b, len, &cap, err, sizeof(err)), 0);
	assert_int_equal(tq_capture_wait_read(cap, err, sizeof(err)), 0);
	uint32_t n = tq_capture_count(cap);
	for (uint32_t i = 0; i < n && i < max; i++)
		tq_capture_frame_bytes(cap, i + 1, &caplens[i]);
	tq_capture_free(cap);
	return n;
}

/* Every capture: the same size and records; one seed, one result; two seeds, two. */
static void
test_every_capture(void **state)
{
	(void)state;
	size_t n;
	char **names = captures(&n);
	static uint32_t ca[1 << 16], cb[1 << 16];
	for (size_t i = 0; i < n; i++) {
		size_t len;
		uint8_t *in = read_capture(names[i], &len), *a, *a2, *b;
		struct tq_rewrite r1 = all_of(1), r2 = all_of(2);
		struct tq_rewrite_stats st;
		char err[256];
		if (tq_rewrite_capture(in, len, &r1, &a, &st, err, sizeof(err)) != 0)
			fail_msg("%s: %s", names[i], err);
		assert_int_equal(tq_rewrite_capture(in, len, &r1, &a2, NULL, err, sizeof(err)), 0);
		assert_int_equal(tq_rewrite_capture(in, len, &r2, &b, NULL, err, sizeof(err)), 0);
		assert_memory_equal(a, a2, len);
		if (st.v4 + st.v6 + st.macs > 0 && !memcmp(a, b, len))
			fail_msg("%s: seeds 1 and 2 made the same variant", names[i]);
		uint32_t fo = frames_of(in, len, ca, 1 << 16), fa = frames_of(a, len, cb, 1 << 16);
		assert_int_equal(fo, fa);
		assert_int_equal(st.frames, fo);
		assert_memory_equal(ca, cb, (fo < (1 << 16) ? fo : (1 << 16)) * sizeof(ca[0]));
		free(in);
		free(a);
		free(a2);
		free(b);
		free(names[i]);
	}
	free(names);
}

/* ------------------------------------------------------------------ a capture made here */

static uint16_t
csum_fold(uint32_t s)
{
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)s;
}

static uint32_t
csum_add(uint32_t s, const uint8_t *p, size_t n)
{
	for (size_t i = 0; i + 1 < n; i += 2)
		s += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (n & 1)
		s += (uint32_t)p[n - 1] << 8;
	return s;
}

#define HOSTS 200

/* HOSTS UDP datagrams over Ethernet, host i (10.i/8) to 8.8.8.8 port 53 from port 40000+i, right checksums. */
static uint8_t *
make_udp_capture(size_t *len)
{
	size_t rec = 16 + 14 + 20 + 8 + 4;
	*len = 24 + HOSTS * rec;
	uint8_t *b = calloc(1, *len), *p = b + 24;
	uint32_t hdr[6] = { 0xa1b2c3d4, 0x00040002, 0, 0, 65535, 1 };
	memcpy(b, hdr, 24);
	for (int i = 0; i < HOSTS; i++, p += rec) {
		uint32_t r[4] = { 1700000000u + (uint32_t)i, 0, 46, 46 };
		memcpy(p, r, 16);
		uint8_t *f = p + 16, *ip = f + 14, *udp = ip + 20;
		uint8_t mac[12] = { 2, 0, 0, 0, 0, 1, 2, 0, 0, 0, 1, (uint8_t)i };
		memcpy(f, mac, 12);
		f[12] = 0x08;
		uint8_t iph[20] = { 0x45, 0, 0, 32, 0, (uint8_t)i, 0, 0, 64, 17, 0, 0, 10, (uint8_t)i, 0, 1, 8, 8, 8, 8 };
		memcpy(ip, iph, 20);
		uint16_t ck = (uint16_t)~csum_fold(csum_add(0, ip, 20));
		ip[10] = (uint8_t)(ck >> 8);
		ip[11] = (uint8_t)ck;
		uint16_t sp = (uint16_t)(40000 + i);
		uint8_t uh[12] = { (uint8_t)(sp >> 8), (uint8_t)sp, 0, 53, 0, 12, 0, 0, 't', 'e', 's', 't' };
		memcpy(udp, uh, 12);
		uint8_t ph[4] = { 0, 17, 0, 12 };
		uint32_t s = csum_add(csum_add(csum_add(0, ip + 12, 8), ph, 4), udp, 12);
		ck = (uint16_t)~csum_fold(s);
		udp[6] = (uint8_t)(ck >> 8);
		udp[7] = (uint8_t)ck;
	}
	return b;
}

static void
test_one_to_one_and_checksums(void **state)
{
	(void)state;
	size_t len;
	uint8_t *in = make_udp_capture(&len), *out;
	struct tq_rewrite rw = all_of(42);
	static const uint8_t pfx[4] = { 203, 0, 113, 0 };
	memcpy(rw.v4, pfx, 4);
	rw.v4len = 24;
	struct tq_rewrite_stats st;
	char err[256];
	assert_int_equal(tq_rewrite_capture(in, len, &rw, &out, &st, err, sizeof(err)), 0);
	assert_int_equal(st.v4, HOSTS + 1);                /* the hosts and 8.8.8.8 */
	assert_int_equal(st.ports, HOSTS);                  /* 53 stays */
	uint8_t seen[256] = { 0 }, dst = 0;
	size_t rec = 16 + 14 + 20 + 8 + 4;
	uint16_t ports[HOSTS];
	for (int i = 0; i < HOSTS; i++) {
		const uint8_t *ip = out + 24 + i * rec + 16 + 14, *udp = ip + 20;
		assert_memory_equal(ip + 12, pfx, 3);
		assert_memory_equal(ip + 16, pfx, 3);
		assert_true(ip[15] != 0 && ip[15] != 255);      /* neither the network's nor broadcast */
		assert_int_equal(seen[ip[15]], 0);
		seen[ip[15]] = 1;
		if (i == 0)
			dst = ip[19];
		assert_int_equal(ip[19], dst);                  /* 8.8.8.8 is one address everywhere */
		assert_int_equal(csum_fold(csum_add(0, ip, 20)), 0xffff);
		uint8_t ph[4] = { 0, 17, 0, 12 };
		assert_int_equal(csum_fold(csum_add(csum_add(csum_add(0, ip + 12, 8), ph, 4), udp, 12)), 0xffff);
		ports[i] = (uint16_t)(udp[0] << 8 | udp[1]);
		assert_true(ports[i] >= 49152);
		assert_int_equal(udp[2] << 8 | udp[3], 53);
		for (int j = 0; j < i; j++)
			assert_int_not_equal(ports[i], ports[j]);
		assert_memory_equal(udp + 8, "test", 4);
	}
	assert_int_equal(seen[dst], 0);                     /* and is none of theirs */
	free(out);
	/* 201 addresses cannot go into a /25's 126 */
	rw.v4len = 25;
	assert_int_equal(tq_rewrite_capture(in, len, &rw, &out, NULL, err, sizeof(err)), TQ_ETOOBIG);
	assert_null(out);
	assert_non_null(strstr(err, "more IPv4 addresses than 203.0.113.0/25 holds"));
	free(in);
}

/* Names: their text and their DNS labels, the same length; a bad pair refused. */
static void
test_names(void **state)
{
	(void)state;
	char err[256];
	assert_int_equal(tq_rewrite_name_ok("www.tq.test", "www.ab.cdef", err, sizeof(err)), 0);
	assert_int_equal(tq_rewrite_name_ok("tq.test", "tqx.test", err, sizeof(err)), -1);
	assert_non_null(strstr(err, "differ in length"));
	assert_int_equal(tq_rewrite_name_ok("tq.test", "tqte.st", err, sizeof(err)), -1);
	assert_non_null(strstr(err, "dots in different places"));
	assert_int_equal(tq_rewrite_name_ok("a..b", "c..d", err, sizeof(err)), -1);
	size_t len;
	uint8_t *in = read_capture("dns-udp.pcap", &len), *out;
	struct tq_rewrite rw;
	tq_rewrite_init(&rw);
	struct tq_rw_name nm = { "tq.test", "ab.cdef" };
	rw.what = TQ_RW_NAMES;
	rw.names = &nm;
	rw.nnames = 1;
	struct tq_rewrite_stats st;
	assert_int_equal(tq_rewrite_capture(in, len, &rw, &out, &st, err, sizeof(err)), 0);
	assert_true(st.names > 10);
	assert_null(memmem(out, len, "\002tq\004test", 8));
	assert_non_null(memmem(out, len, "\002ab\004cdef", 8));
	assert_non_null(memmem(in, len, "\002tq\004test", 8));
	free(in);
	free(out);
}

/* Damaged captures: bytes flipped in frames and headers, files cut anywhere. */
static void
test_damaged(void **state)
{
	(void)state;
	size_t n;
	char **names = captures(&n);
	uint64_t rnd = 0x1234567;
	unsigned runs = 0;
	for (size_t i = 0; i < n; i++) {
		size_t len;
		uint8_t *in = read_capture(names[i], &len);
		for (int k = 0; k < 96; k++, runs++) {
			uint8_t *m = malloc(len), *out;
			memcpy(m, in, len);
			size_t mlen = len;
			int flips = 1 + (int)(next_rand(&rnd) % 16);
			for (int f = 0; f < flips && len > 24; f++)
				m[24 + next_rand(&rnd) % (len - 24)] = (uint8_t)next_rand(&rnd);
			if (k % 4 == 3)
				mlen = (size_t)(next_rand(&rnd) % (len + 1));
			uint8_t *exact = malloc(mlen ? mlen : 1);       /* so that ASan sees a read past the end */
			memcpy(exact, m, mlen);
			struct tq_rewrite rw = all_of(next_rand(&rnd));
			char err[256];
			int rc = tq_rewrite_capture(exact, mlen, &rw, &out, NULL, err, sizeof(err));
			if (rc == 0)
				free(out);
			else
				assert_true(rc == TQ_ENOTCAP || rc == TQ_ETRUNCHDR || rc == TQ_ETOOBIG);
			free(exact);
			free(m);
		}
		free(in);
		free(names[i]);
	}
	free(names);
	print_message("%u damaged captures rewritten\n", runs);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_capture),
		cmocka_unit_test(test_one_to_one_and_checksums),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_damaged),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
