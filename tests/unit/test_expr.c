/*
 * test_expr.c - the answer-key language (analysis/expr.c) and the field index
 * it reads (analysis/findex.c), on captures the project made (tests/data).
 *
 * Every construct of the parser; every function; the rule that a condition
 * is read in the part of the frame its value came from; != as "no member
 * equal"; every parse error with its place and a message that names the
 * problem; the evaluation errors; the origins that --explain prints; and
 * hostile expressions (deep, long, huge numbers, backtracking patterns, huge
 * computed texts and lists), each of which must give an error quickly.
 *
 * The expected values were read with tshark 4.0 from the same captures; the
 * command is given beside each group (tshark -2 -r F -T fields -e FIELD -Y
 * FILTER, or -Y FILTER | wc -l for a count of frames).  Fields tshark lacks
 * (tq.*) and the functions' own results are checked against what those
 * tshark figures imply.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <jansson.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tq.h"
#include "testutil.h"

/* The captures (tests/data). */
#define S4 "smtp-starttls-25-eth-ipv4.pcap"        /* SMTP, STARTTLS, TLS 1.2, IPv4: 31 frames */
#define S6 "smtp-starttls-25-tls13-eth-ipv6.pcap"  /* the same with TLS 1.3 over IPv6 */
#define TH "tcp-handshake-eth-ipv4.pcap"           /* a short TCP exchange: 12 frames */
#define IC "icmp-echo-eth-ipv4.pcap"               /* pings, a time exceeded quoting a ping: 19 frames */
#define EC "tls12-ecdsa.pcap"                      /* TLS 1.2, a certificate from a CA: 21 frames */

/* ------------------------------------------------------------------ helpers */

/* A check that fails is reported and counted, and the test goes on to the
 * next one; done() at the end of each test fails it if any did. */
static int failures;
#define FAIL(...) do { print_error(__VA_ARGS__); print_error("\n"); failures++; } while (0)

static void
done(void)
{
	int n = failures;
	failures = 0;
	if (n)
		fail_msg("%d check%s failed", n, n == 1 ? "" : "s");
}

static struct {
	const char *name;
	struct tq_capture *cap;
} caps[16];

static struct tq_capture *
cap_of(const char *name)
{
	size_t i;
	for (i = 0; i < sizeof(caps) / sizeof(caps[0]) && caps[i].name; i++)
		if (!strcmp(caps[i].name, name))
			return caps[i].cap;
	assert_true(i < sizeof(caps) / sizeof(caps[0]));
	char path[4096], err[512];
	snprintf(path, sizeof(path), "%s/%s", tq_test_data_dir(), name);
	struct tq_capture *cap;
	if (tq_capture_open_file(path, &cap, err, sizeof(err)) != 0)
		fail_msg("cannot open %s: %s", path, err);
	caps[i].name = name;
	caps[i].cap = cap;
	return cap;
}

static int
free_caps(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(caps) / sizeof(caps[0]); i++) {
		tq_capture_free(caps[i].cap);
		caps[i].name = NULL;
		caps[i].cap = NULL;
	}
	return 0;
}

static double
now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* The value of src on the capture as compact JSON (malloc'd), or NULL with
 * err set; *from, when asked, the origins as compact JSON (NULL when none). */
static char *
eval_on(const char *name, const char *src, struct tq_expr_error *err, char **from_out)
{
	struct tq_expr *e;
	struct tq_expr_error pe;
	if (tq_expr_parse(src, &e, &pe) != 0)
		fail_msg("%.80s: does not parse: %s (at %d)", src, pe.msg, pe.pos);
	assert_non_null(e);
	assert_string_equal(tq_expr_source(e), src);
	struct tq_findex *ix;
	char ebuf[256];
	if (tq_findex_build(cap_of(name), &e, 1, NULL, &ix, ebuf, sizeof(ebuf)) != 0)
		fail_msg("%s: index: %s", name, ebuf);
	json_t *from = NULL;
	memset(err, 0, sizeof(*err));
	json_t *v = tq_expr_eval(ix, e, from_out ? &from : NULL, err);
	char *s = v ? json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY) : NULL;
	if (from_out)
		*from_out = from ? json_dumps(from, JSON_COMPACT) : NULL;
	if (!v && from)
		fail_msg("%.80s: origins without a value", src);
	json_decref(v);
	json_decref(from);
	tq_findex_free(ix);
	tq_expr_free(e);
	return s;
}

/* src evaluates to want (compact JSON: 23, "TLS 1.2", [1,2], true). */
static void
value_is(const char *name, const char *src, const char *want)
{
	struct tq_expr_error err;
	char *got = eval_on(name, src, &err, NULL);
	if (!got)
		FAIL("%.200s on %s: error at %d: %s (want %.200s)", src, name, err.pos, err.msg, want);
	else if (strcmp(got, want) != 0)
		FAIL("%.200s on %s: %.200s, want %.200s", src, name, got, want);
	free(got);
}

/* src evaluates to the text want. */
static void
text_is(const char *name, const char *src, const char *want)
{
	json_t *j = json_string(want);
	char *w = json_dumps(j, JSON_COMPACT | JSON_ENCODE_ANY);
	value_is(name, src, w);
	free(w);
	json_decref(j);
}

/* src evaluates to a number within 1e-9 of want. */
static void
real_is(const char *name, const char *src, double want)
{
	struct tq_expr_error err;
	char *got = eval_on(name, src, &err, NULL);
	if (!got) {
		FAIL("%s on %s: error at %d: %s (want %.9f)", src, name, err.pos, err.msg, want);
		return;
	}
	char *end;
	double d = strtod(got, &end);
	if (*end || fabs(d - want) > 1e-9)
		FAIL("%s on %s: %s, want %.9f", src, name, got, want);
	free(got);
}

/* count(frame where filter) is want (the number of lines tshark -Y filter prints). */
static void
count_is(const char *name, const char *filter, long want)
{
	char src[1024], w[32];
	snprintf(src, sizeof(src), "count(frame where %s)", filter);
	snprintf(w, sizeof(w), "%ld", want);
	value_is(name, src, w);
}

/* src evaluates, with origins, to want and comes from origins. */
static void
origins_are(const char *name, const char *src, const char *want, const char *origins)
{
	struct tq_expr_error err;
	char *from = NULL;
	char *got = eval_on(name, src, &err, &from);
	if (!got)
		FAIL("%s on %s: error at %d: %s", src, name, err.pos, err.msg);
	else if (strcmp(got, want) != 0)
		FAIL("%s on %s: %s, want %s", src, name, got, want);
	else if (!from || strcmp(from, origins) != 0)
		FAIL("%s on %s: from %s, want %s", src, name, from ? from : "(none)", origins);
	free(got);
	free(from);
}

/* src does not parse: the error is at pos and its message holds part. */
static void
parse_error(const char *src, int pos, const char *part)
{
	struct tq_expr *e = (struct tq_expr *)&e;
	struct tq_expr_error err;
	memset(&err, 0x55, sizeof(err));
	if (tq_expr_parse(src, &e, &err) == 0) {
		FAIL("%.80s: parses, want an error at %d (%s)", src, pos, part);
		tq_expr_free(e);
		return;
	}
	assert_null(e);
	assert_non_null(memchr(err.msg, '\0', sizeof(err.msg)));
	if (err.pos != pos || !strstr(err.msg, part))
		FAIL("%.80s: error at %d: \"%s\"; want at %d: \"...%s...\"", src, err.pos, err.msg, pos, part);
}

/* src parses but has no value on the capture: the error is at pos (-1: no
 * place) and its message holds part.  Returns the seconds it took. */
static double
eval_error(const char *name, const char *src, int pos, const char *part)
{
	struct tq_expr_error err;
	char *from = (char *)&from;
	double t0 = now();
	char *got = eval_on(name, src, &err, &from);
	double t = now() - t0;
	if (got) {
		FAIL("%.80s on %s: %.80s, want an error (%s)", src, name, got, part);
		free(got);
		free(from);
		return t;
	}
	assert_null(from);
	if (err.pos != pos || !strstr(err.msg, part))
		FAIL("%.80s on %s: error at %d: \"%s\"; want at %d: \"...%s...\"", src, name, err.pos, err.msg, pos, part);
	return t;
}

/* A string of n copies of s, then tail (malloc'd). */
static char *
repeat(const char *head, const char *s, size_t n, const char *mid, const char *s2, size_t n2)
{
	size_t ls = strlen(s), l2 = strlen(s2), lh = strlen(head), lm = strlen(mid);
	char *r = malloc(lh + ls * n + lm + l2 * n2 + 1);
	assert_non_null(r);
	char *p = r;
	memcpy(p, head, lh);
	p += lh;
	for (size_t i = 0; i < n; i++, p += ls)
		memcpy(p, s, ls);
	memcpy(p, mid, lm);
	p += lm;
	for (size_t i = 0; i < n2; i++, p += l2)
		memcpy(p, s2, l2);
	*p = '\0';
	return r;
}

/* ------------------------------------------------------------------ comparisons */

/* Each count is the number of frames tshark shows:
 *   tshark -r tests/data/smtp-starttls-25-eth-ipv4.pcap -Y 'FILTER' | wc -l */
/* Application protocols' values as text, and names with a hyphen (tshark -Y agrees:
 * urlencoded-form.value of http-post-8080's form POST is alice, s3cret) */
static void
test_application_values(void **state)
{
	(void)state;
	value_is("http-post-8080.pcap", "list(urlencoded-form.value)", "[\"alice\",\"s3cret\"]");
	value_is("http-post-8080.pcap", "count(frame where urlencoded-form)", "1");
	text_is("http-post-8080.pcap", "first(http.file_data)", "user=alice&pass=s3cret");
	value_is("http-post-8080.pcap", "first(tcp.len) - 1", "-1");
	value_is("http-post-8080.pcap", "first(tcp.len)-1", "-1");
	value_is("http-keepalive.pcap", "count(frame where data-text-lines)", "4");
	text_is("telnet-login.pcap", "join(list(telnet.data where tq.from_client == 1 and frame.number > 47 and frame.number < 57), \"\")", "test");
	text_is("dns-udp.pcap", "first(dns.qry.name where dns.flags.response == 0)", "tq.test");
}

static void
test_comparisons(void **state)
{
	(void)state;
	count_is(S4, "tcp.len == 50", 1);
	count_is(S4, "tcp.len != 0", 23);
	count_is(S4, "tcp.len > 50", 12);
	count_is(S4, "tcp.len >= 50", 13);
	count_is(S4, "tcp.len < 50", 18);
	count_is(S4, "tcp.len <= 50", 19);
	count_is(S4, "tcp.len eq 50", 1);
	count_is(S4, "tcp.len ne 0", 23);
	count_is(S4, "tcp.len lt 43", 15);
	count_is(S4, "tcp.len gt 43", 14);
	count_is(S4, "tcp.len le 43", 17);
	count_is(S4, "tcp.len ge 43", 16);
	/* the language's own (tshark 4.0 refuses these): '=', a literal on the left */
	count_is(S4, "tcp.len = 50", 1);
	count_is(S4, "50 == tcp.len", 1);
	count_is(S4, "43 < tcp.len", 14);
	/* two fields */
	count_is(S4, "tcp.srcport > tcp.dstport", 15);
	/* frame.len >= 100 and frame.len <= 200: 14 */
	count_is(S4, "frame.len >= 100 and frame.len <= 200", 14);
	/* reals against times: tcp.time_delta > 0.001: 2; frame.time_relative >= 0.006: 17 */
	count_is(S4, "tcp.time_delta > 0.001", 2);
	count_is(S4, "frame.time_relative >= 0.006", 17);
	/* booleans: tcp.flags.syn == 1 and tcp.flags.ack == 0: 1 */
	count_is(S4, "tcp.flags.syn == 1 and tcp.flags.ack == 0", 1);
	count_is(S4, "tcp.flags.syn == \"Set\"", 2);         /* tshark: 2 */
	count_is(S4, "tcp.flags.syn == true", 2);            /* the language's own */
	done();
}

/* contains, matches (case-insensitive by default, as tshark 4.0's; (?i) and
 * (?-i) inline), in with sets and ranges:
 *   tshark -r S4 -Y 'tcp.payload contains 32:32:30' | wc -l          2
 *   ... 'smtp.rsp.parameter contains "TLS"'                           2
 *   ... 'smtp.rsp.parameter matches "starttls"'                       1
 *   ... 'smtp.rsp.parameter matches "(?-i)starttls"'                  0
 *   ... 'tcp.len in {0, 50, 104}'                                     10
 *   ... 'tcp.len in {30..60}'                                         11
 *   ... 'tcp.len in {30..60, 104}'                                    12
 *   ... 'tcp.window_size_value in {63, 64}'                           20  */
static void
test_contains_matches_in(void **state)
{
	(void)state;
	count_is(S4, "tcp.payload contains 32:32:30", 2);
	count_is(S4, "tcp.payload contains \"220\"", 2);
	count_is(S4, "smtp.rsp.parameter contains \"TLS\"", 2);
	count_is(S4, "smtp.req.parameter contains \"example\"", 1);
	count_is(S4, "smtp.rsp.parameter matches \"starttls\"", 1);
	count_is(S4, "smtp.rsp.parameter matches \"(?i)starttls\"", 1);
	count_is(S4, "smtp.rsp.parameter matches \"(?-i)starttls\"", 0);
	count_is(S4, "smtp.rsp.parameter matches \"^[0-9.]+ Ready\"", 1);
	count_is(S4, "smtp.rsp.parameter ~ \"HELP$\"", 1);
	count_is(S4, "tcp.len in {0, 50, 104}", 10);
	count_is(S4, "tcp.len in {0 50 104}", 10);         /* the language's own: tshark 4.0 wants commas */
	count_is(S4, "tcp.len in {30..60}", 11);
	count_is(S4, "tcp.len in {30..60, 104}", 12);
	count_is(S4, "tcp.window_size_value in {63, 64}", 20);
	count_is(S4, "tls.handshake.type in {\"Server Hello\" \"Finished\"}", 1);   /* names in a set: the language's own */
	/* a computed list contains a value; text contains text */
	value_is(S4, "list(tcp.len) contains 1241", "true");
	value_is(S4, "list(tcp.len) contains 1242", "false");
	value_is(S4, "first(smtp.rsp.parameter) contains \"ESMTP\"", "true");
	value_is(S4, "\"abc\" matches \"B\"", "true");
	value_is(S4, "5 in {1..4}", "false");
	value_is(S4, "5 in {1..4, 5}", "true");
	done();
}

/* and/or/not, && || !, precedence (and before or, as tshark 4.0), parentheses:
 *   tshark -r S4 -Y 'tcp.srcport == 25 && tcp.len > 0' | wc -l                 12
 *   ... 'tcp.srcport == 25 || tcp.len == 0'                                      20
 *   ... 'tcp.srcport == 25 or tcp.len == 0 and frame.number == 1'                17
 *   ... 'not (tcp.len == 0)'                                                     23
 *   ... 'not tcp.len == 0 and tcp.srcport == 25'                                 12
 *   ... 'tcp.len > 0 and (tcp.srcport == 25 or frame.len < 100)'                 15
 *   ... '!(tcp.srcport == 25) && tcp.len > 100'                                  2
 *   ... 'tcp.len > 0 and not tls'                                                5
 *   ... 'ip.ttl == 64 && !(tcp.len > 100)'                                       25
 *   ... '!tcp.len'                                                               0  */
static void
test_logic(void **state)
{
	(void)state;
	count_is(S4, "tcp.srcport == 25 && tcp.len > 0", 12);
	count_is(S4, "tcp.srcport == 25 and tcp.len > 0", 12);
	count_is(S4, "tcp.srcport == 25 || tcp.len == 0", 20);
	count_is(S4, "tcp.srcport == 25 or tcp.len == 0", 20);
	count_is(S4, "tcp.srcport == 25 or tcp.len == 0 and frame.number == 1", 17);
	count_is(S4, "(tcp.srcport == 25 or tcp.len == 0) and frame.number == 1", 1);
	count_is(S4, "not (tcp.len == 0)", 23);
	count_is(S4, "not tcp.len == 0 and tcp.srcport == 25", 12);
	count_is(S4, "tcp.len > 0 and (tcp.srcport == 25 or frame.len < 100)", 15);
	count_is(S4, "!(tcp.srcport == 25) && tcp.len > 100", 2);
	count_is(S4, "tcp.len > 0 and not tls", 5);
	count_is(S4, "ip.ttl == 64 && !(tcp.len > 100)", 25);
	count_is(S4, "!tcp.len", 0);
	count_is(S4, "not not tls", 18);
	count_is(S4, "((((tls))))", 18);
	value_is(S4, "true and not false", "true");
	value_is(S4, "false or 0 or \"\"", "false");
	done();
}

/* Integers in decimal, hex, octal and binary; strings with escapes:
 *   tshark -r S4 -Y 'tcp.len == 0x32' | wc -l       1   (and 062, 0b110010, 50)
 *   ... 'tcp.payload contains "\x32\x32\x30"'         2
 *   ... 'tcp.payload contains "\062\062\060"'         2
 *   ... 'ip.id == 0x934c'                             1  */
static void
test_literals(void **state)
{
	(void)state;
	count_is(S4, "tcp.len == 50", 1);
	count_is(S4, "tcp.len == 0x32", 1);
	count_is(S4, "tcp.len == 0X32", 1);
	count_is(S4, "tcp.len == 062", 1);
	count_is(S4, "tcp.len == 0b110010", 1);
	count_is(S4, "ip.id == 0x934c", 1);
	count_is(S4, "tcp.len == \"0x32\"", 1);    /* a number in quotes beside a number field: the language's own */
	value_is(S4, "0x7fffffffffffffff", "9223372036854775807");
	value_is(S4, "0b101 + 0x10 + 010 + 10", "39");
	value_is(S4, "1.5 * 2", "3.0");
	count_is(S4, "tcp.payload contains \"\\x32\\x32\\x30\"", 2);
	count_is(S4, "tcp.payload contains \"\\062\\062\\060\"", 2);
	value_is(S4, "\"a\\tb\\n\\r\\\\\\\"\"", "\"a\\tb\\n\\r\\\\\\\"\"");
	value_is(S4, "len(\"a\\tb\\n\")", "4");
	value_is(S4, "\"\\x41\\101\" == \"AA\"", "true");
	value_is(S4, "'single' + \"double\"", "\"singledouble\"");
	value_is(S4, "'it\\'s'", "\"it's\"");
	value_is(S4, "true", "true");
	value_is(S4, "false", "false");
	done();
}

/* Addresses and bytes as typed by the field they meet:
 *   tshark -r S4 -Y 'ip.src == 198.51.100.1' | wc -l          15
 *   ... 'ip.src != 198.51.100.1'                                16
 *   ... 'ip.dst == 198.51.100.0/24'                             31
 *   ... 'ip.dst != 198.51.100.2/31'                             16
 *   ... 'ip.dst in {10.0.0.0/8, 198.51.100.1/32}'               16
 *   ... 'eth.src == 02:00:00:00:25:01'                          15
 *   tshark -r S6 -Y 'ipv6.src == 2001:db8:25::1' | wc -l       15
 *   ... 'ipv6.src == 2001:db8:25::/48'                          31
 *   ... 'ipv6.addr == 2001:db8:26::/48'                         0  */
static void
test_addresses(void **state)
{
	(void)state;
	count_is(S4, "ip.src == 198.51.100.1", 15);
	count_is(S4, "ip.src != 198.51.100.1", 16);
	count_is(S4, "ip.src == \"198.51.100.1\"", 15);
	count_is(S4, "ip.dst == 198.51.100.0/24", 31);
	count_is(S4, "ip.dst == 198.51.100.2/32", 15);
	count_is(S4, "ip.dst != 198.51.100.2/31", 16);
	count_is(S4, "ip.dst in {10.0.0.0/8, 198.51.100.1/32}", 16);
	count_is(S4, "eth.src == 02:00:00:00:25:01", 15);
	count_is(S4, "eth.src == 02.00.00.00.25.01", 15);
	count_is(S6, "ipv6.src == 2001:db8:25::1", 15);
	count_is(S6, "ipv6.src == 2001:db8:25::/48", 31);
	count_is(S6, "ipv6.addr == 2001:db8:26::/48", 0);
	/* written as Wireshark writes them */
	text_is(S4, "first(ip.src)", "198.51.100.1");
	text_is(S4, "first(eth.src)", "02:00:00:00:25:01");
	text_is(S6, "first(ipv6.src)", "2001:db8:25::1");
	/* an address value against an unquoted or quoted literal */
	value_is(S4, "first(ip.src) == 198.51.100.1", "true");
	value_is(S4, "first(ip.src) == \"198.51.100.1\"", "true");
	value_is(S4, "first(eth.src) == 02:00:00:00:25:01", "true");
	/* bytes: hex digits without separators are bytes, as tshark reads them
	 * (tshark -r S4 -Y 'tcp.payload contains 32': 6, 'contains 323230': 2);
	 * 0x32 is the byte 0x32 */
	count_is(S4, "tcp.payload contains 32", 6);
	count_is(S4, "tcp.payload contains 0x32", 6);
	count_is(S4, "tcp.payload contains 323230", 2);
	done();
}

/* A value's name in quotes beside a field with named values:
 *   tshark -r S4 -Y 'tls.handshake.type == "Server Hello"' | wc -l     1
 *   ... 'tls.handshake.type == "Client Hello"'                          1
 *   tshark -r S6 -T fields -e tls.handshake.extensions.supported_version -Y 'tls.handshake.type == 2'
 *                                                                       0x0304 (TLS 1.3) */
static void
test_value_names(void **state)
{
	(void)state;
	count_is(S4, "tls.handshake.type == \"Server Hello\"", 1);
	count_is(S4, "tls.handshake.type == \"Client Hello\"", 1);
	count_is(S4, "tls.handshake.type == \"server hello\"", 1);
	value_is(S4, "first(tls.handshake.length where tls.handshake.type == \"Server Key Exchange\")", "296");
	value_is(S6, "first(tls.handshake.extensions.supported_version where tls.handshake.type == 2)", "772");
	text_is(S6, "label(first(tls.handshake.extensions.supported_version where tls.handshake.type == 2))", "TLS 1.3");
	count_is(S6, "tls.handshake.extensions.supported_version == \"TLS 1.3\"", 2);
	done();
}

/* ------------------------------------------------------------------ arithmetic, ?? */

static void
test_arithmetic(void **state)
{
	(void)state;
	value_is(S4, "2 + 3 * 4", "14");
	value_is(S4, "(2 + 3) * 4", "20");
	value_is(S4, "10 - 2 - 3", "5");
	value_is(S4, "7 / 2", "3.5");
	value_is(S4, "6 / 2", "3");
	value_is(S4, "7 % 3", "1");
	value_is(S4, "-7 % 3", "-1");
	value_is(S4, "7.5 % 2", "1.5");
	value_is(S4, "-3 + 5", "2");
	value_is(S4, "- -3", "3");
	value_is(S4, "-(1.5)", "-1.5");
	value_is(S4, "-(2 * 3)", "-6");
	value_is(S4, "1 - -1", "2");
	/* tshark -r S4 -T fields -e tcp.len | paste -sd+ | bc: 2992; 31 frames */
	value_is(S4, "sum(tcp.len)", "2992");
	real_is(S4, "sum(tcp.len) / count(frame)", 2992.0 / 31);
	value_is(S4, "-first(tcp.len where tcp.len > 0)", "-50");
	value_is(S4, "max(frame.len) - min(frame.len)", "1241");
	/* text joins text */
	text_is(S4, "\"a\" + 1 + 2.5", "a12.5");
	text_is(S4, "\"port \" + first(tcp.srcport)", "port 58674");
	text_is(S4, "first(ip.src) + \"\"", "198.51.100.1");
	done();
}

/*   tshark -r S4 -T fields -e smtp.response.code -Y smtp.response.code: 220, 250, 220 */
static void
test_fallback(void **state)
{
	(void)state;
	value_is(S4, "first(tcp.len where tcp.len > 5000) ?? -1", "-1");
	value_is(S4, "first(tcp.len) ?? 7", "0");
	text_is(S4, "word(\"a b\", 5) ?? \"none\"", "none");
	value_is(S4, "nth(9, smtp.response.code) ?? nth(3, smtp.response.code)", "220");
	value_is(S4, "int(\"x\") ?? 0", "0");
	value_is(S4, "(1 / 0) ?? 2", "2");
	value_is(S4, "first(smtp.req.command where frame.number == 99) ?? first(tcp.len where tcp.len > 9999) ?? 3", "3");
	done();
}

/* ------------------------------------------------------------------ aggregates */

/*   tshark -r S4 -T fields -e smtp.response.code -Y smtp.response.code      220 / 250 / 220
 *   ... -e tls.handshake.type -Y tls.handshake                               1 / 2,11,12,14 / 16 / 4
 *   ... -e tls.handshake.length -Y 'frame.number == 12'                      61,848,296,0
 *   ... -e tcp.window_size_value                                             min 63
 *   ... -e frame.len                                                          max 1307, min 66
 *   ... -e frame.number -Y 'tcp.len > 0'                                     last 28
 *   ... -e tcp.len -Y 'tcp.srcport == 25' | paste -sd+ | bc                  2078
 *   ... -e tcp.srcport -Y 'tcp.len > 100'                                    25 58674 25 25 25 58674
 *   ... -e tcp.len (distinct, in order of appearance)                        21 values
 *   ... -e smtp.rsp.parameter                                                 7 values */
static void
test_aggregates(void **state)
{
	(void)state;
	value_is(S4, "first(smtp.response.code)", "220");
	value_is(S4, "last(smtp.response.code)", "220");
	value_is(S4, "nth(2, smtp.response.code)", "250");
	value_is(S4, "nth(-1, smtp.response.code)", "220");
	value_is(S4, "nth(-2, smtp.response.code)", "250");
	value_is(S4, "nth(-3, smtp.response.code)", "220");
	value_is(S4, "nth(1 + 1, smtp.response.code)", "250");
	value_is(S4, "nth(-1, frame.number where tcp.len > 0)", "28");
	value_is(S4, "count(smtp.response.code)", "3");
	value_is(S4, "count(frame)", "31");
	value_is(S4, "count(tls.handshake.type)", "7");
	value_is(S4, "count(tcp.len where tcp.len > 5000)", "0");
	value_is(S4, "distinct(smtp.response.code)", "[220,250]");
	value_is(S4, "distinct(tls.handshake.type)", "[1,2,11,12,14,16,4]");
	value_is(S4, "len(distinct(tcp.len))", "21");
	value_is(S4, "distinct(ip.src)", "[\"198.51.100.1\",\"198.51.100.2\"]");
	value_is(S4, "min(tcp.window_size_value)", "63");
	value_is(S4, "max(frame.len)", "1307");
	value_is(S4, "min(frame.len)", "66");
	text_is(S4, "min(smtp.rsp.parameter)", "2.0.0 Ready to start TLS");
	text_is(S4, "max(smtp.rsp.parameter)", "mail.example.org Hello client.example.org");
	value_is(S4, "sum(tcp.len where tcp.srcport == 25)", "2078");
	value_is(S4, "sum(tcp.len where tcp.len > 5000)", "0");
	value_is(S4, "list(tcp.srcport where tcp.len > 100)", "[25,58674,25,25,25,58674]");
	value_is(S4, "list(tcp.len where tcp.len > 5000)", "[]");
	value_is(S4, "len(list(smtp.rsp.parameter))", "7");
	value_is(S4, "list(tls.handshake.length where frame.number == 12)", "[61,848,296,0]");
	/* aggregates over computed values */
	value_is(S4, "list(tcp.len * 2 where tcp.len > 300)", "[2482,726]");
	value_is(S4, "max(len(smtp.rsp.parameter))", "44");
	value_is(S4, "first(count(frame) where tcp.len > 0)", "31");
	/* nested: an aggregate in another's condition (README's example on S4):
	 * frames with data the client sends before its first encrypted one (13):
	 * 6 (EHLO), 9 (STARTTLS), 11 (Client Hello) */
	value_is(S4, "first(frame.number where tq.encrypted == 1 and tq.from_client == 1)", "13");
	value_is(S4, "count(frame where tq.from_client == 1 and tcp.len > 0 and not tcp.analysis.retransmission and "
	    "frame.number < first(frame.number where tq.encrypted == 1 and tq.from_client == 1))", "3");
	/* reals:  tshark -r TH -T fields -e tcp.analysis.ack_rtt: 0.000017 first, 0.043736 max,
	 * sum 0.043913; -e frame.time_relative -Y 'tcp.flags.fin == 1': 0.057718 */
	real_is(TH, "first(tcp.analysis.ack_rtt)", 0.000017);
	real_is(TH, "max(tcp.analysis.ack_rtt)", 0.043736);
	real_is(TH, "sum(tcp.analysis.ack_rtt)", 0.043913);
	real_is(TH, "first(frame.time_relative where tcp.flags.fin == 1)", 0.057718);
	real_is(TH, "min(frame.time_relative where tcp.len > 0)", 0.007379);
	/* tshark -r TH -T fields -e frame.time -Y 'frame.number == 1' (TZ=UTC) */
	text_is(TH, "first(frame.time)", "Nov 28, 2026 04:24:23.288681000 UTC");
	/* tshark -r TH -T fields -e tcp.options.mss_val -Y 'tcp.srcport == 50001': 1460;
	 * -e tcp.nxtseq: last 26 */
	value_is(TH, "first(tcp.options.mss_val where tq.from_client == 0)", "1460");
	value_is(TH, "last(tcp.nxtseq)", "26");
	/* tshark -r IC -T fields -e icmp.ident: 8 distinct; -e icmp.resp_to -e frame.number */
	value_is(IC, "distinct(icmp.ident)", "[27405,27406,27407,27408,27409,27410,27411,27413]");
	value_is(IC, "first(frame.number where icmp.resp_to == 11)", "12");
	count_is(IC, "ip.dst == 255.255.255.255", 1);
	count_is(IC, "icmp.type == 8", 11);
	count_is(IC, "icmp.type == 0", 8);
	done();
}

/* The condition is read in the part of the frame the value came from: frame
 * 12 of S4 carries a Server Hello (61 bytes), a Certificate (848), a Server
 * Key Exchange (296) and a Server Hello Done (0), each with its own type:
 *   tshark -r S4 -T fields -e tls.handshake.type -e tls.handshake.length -Y 'frame.number == 12'
 *   2,11,12,14    61,848,296,0
 * A condition read in the whole frame would give 61 (the first length) for
 * every one of them. */
static void
test_condition_binds_to_pdu(void **state)
{
	(void)state;
	value_is(S4, "first(tls.handshake.length where tls.handshake.type == 2)", "61");
	value_is(S4, "first(tls.handshake.length where tls.handshake.type == 11)", "848");
	value_is(S4, "first(tls.handshake.length where tls.handshake.type == 12)", "296");
	value_is(S4, "first(tls.handshake.length where tls.handshake.type == 14)", "0");
	value_is(S4, "list(tls.handshake.length where tls.handshake.type != 11 and frame.number == 12)", "[61,296,0]");
	/* a field of the frame (tq.from_client sits in TCP) is read from the frame */
	value_is(S4, "list(tls.handshake.type where tq.from_client == 0 and frame.number == 12)", "[2,11,12,14]");
	/* the TLS version of the Server Hello: tshark -r S4 -T fields -e tls.handshake.version
	 * -Y 'tls.handshake.type == 2': 0x0303 */
	text_is(S4, "label(first(tls.handshake.version where tls.handshake.type == 2))", "TLS 1.2");
	/* the names under the issuer, not the subject:
	 *   tshark -r EC -T fields -e x509sat.uTF8String -Y 'frame.number == 6'
	 *   Tracequiz Test CA,Tracequiz Root,ec.tq.example
	 * (tshark -V: the issuer holds the first two, the subject the third) */
	text_is(EC, "first(x509sat.uTF8String where under(x509af.issuer))", "Tracequiz Test CA");
	value_is(EC, "list(x509sat.uTF8String where under(x509af.issuer))", "[\"Tracequiz Test CA\",\"Tracequiz Root\"]");
	value_is(EC, "list(x509sat.uTF8String where under(x509af.subject))", "[\"ec.tq.example\"]");
	value_is(EC, "list(x509sat.uTF8String where not under(x509af.issuer))", "[\"ec.tq.example\"]");
	value_is(EC, "count(x509sat.uTF8String where under(tls))", "3");
	/* an ICMP time exceeded (frame 18) quotes the ping it answers: two IP
	 * headers, two ICMP types
	 *   tshark -r IC -T fields -e icmp.type -e ip.ttl -Y 'ip.ttl == 1'
	 *   8  1 / 8  1 / 11,8  64,1 */
	value_is(IC, "list(ip.ttl where frame.number == 18)", "[64,1]");
	value_is(IC, "list(icmp.type where ip.ttl == 1)", "[8,8,11,8]");
	done();
}

/* != is "no member equal", as tshark's: a frame with ip.addr == A (as its
 * source or destination) is not one where ip.addr != A.
 *   tshark -r S4 -Y 'ip.addr != 198.51.100.1' | wc -l        0
 *   ... 'ip.addr == 198.51.100.2'                              31
 *   ... 'tls.handshake.type != 2'                              3  (11, 13, 14; frame 12 has a 2)
 *   ... 'tls.record.version != 0x0303'                         1  */
static void
test_not_equal(void **state)
{
	(void)state;
	count_is(S4, "ip.addr != 198.51.100.1", 0);
	count_is(S4, "ip.addr == 198.51.100.2", 31);
	count_is(S4, "tls.handshake.type != 2", 3);
	count_is(S4, "tls.record.version != 0x0303", 1);
	count_is(S4, "!(ip.addr == 198.51.100.1)", 0);
	/* a frame without the field is not one where it differs */
	count_is(S4, "smtp.response.code != 220", 1);
	done();
}

/* ------------------------------------------------------------------ functions */

/*   tshark -r S4 -T fields -e smtp.rsp.parameter -Y 'smtp.response.code == 220'
 *   mail.example.org ESMTP tracequiz test server / 2.0.0 Ready to start TLS
 *   tshark -r S4 -T fields -e smtp.req.command -Y smtp.req: ehlo / STAR (sic)
 *   tshark -r S4 -T fields -e tls.handshake.ciphersuite -Y 'tls.handshake.type == 2': 0xc02f
 *   tshark -r S4 -V -Y 'frame.number == 1' | grep Syn: "...1. = Syn: Set" */
static void
test_functions(void **state)
{
	(void)state;
	text_is(S4, "word(first(smtp.rsp.parameter where smtp.response.code == 220), 1)", "mail.example.org");
	text_is(S4, "word(first(smtp.rsp.parameter), -1)", "server");
	text_is(S4, "word(first(smtp.rsp.parameter), \"2\")", "ESMTP");
	text_is(S4, "word(\"  a\\t b\\n c  \", 3)", "c");
	text_is(S4, "lower(\"MiXeD 1\")", "mixed 1");
	text_is(S4, "upper(first(smtp.req.command))", "EHLO");
	text_is(S4, "trim(\"  a b \\t\")", "a b");
	value_is(S4, "split(first(smtp.rsp.parameter where smtp.response.code == 220), \" \")",
	    "[\"mail.example.org\",\"ESMTP\",\"tracequiz\",\"test\",\"server\"]");
	value_is(S4, "split(\"a,b,,c\", \",\")", "[\"a\",\"b\",\"\",\"c\"]");
	text_is(S4, "split(\"a,b,,c\", \",\", 3)", "");
	text_is(S4, "split(first(smtp.rsp.parameter), \" \", -1)", "server");
	text_is(S4, "split(\"k=v; k2=v2\", \"; \", 2)", "k2=v2");
	value_is(S4, "len(first(smtp.rsp.parameter))", "44");
	value_is(S4, "len(list(tcp.len where tcp.len > 1000))", "1");
	value_is(S4, "len(split(\"a b c\", \" \"))", "3");
	value_is(S4, "len(\"\")", "0");
	value_is(S4, "len(first(ip.src))", "12");
	text_is(S4, "label(first(tls.handshake.type))", "Client Hello");
	text_is(S4, "label(first(tls.handshake.ciphersuite where tls.handshake.type == 2))",
	    "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256");
	text_is(S4, "label(first(tcp.flags.syn))", "Set");
	text_is(S4, "label(first(tcp.srcport))", "58674");
	text_is(S4, "label(\"text\")", "text");
	text_is(S4, "str(first(tcp.srcport))", "58674");
	text_is(S4, "str(1.5)", "1.5");
	text_is(S4, "str(true)", "true");
	text_is(S4, "str(list(smtp.response.code))", "220, 250, 220");
	value_is(S4, "int(\"0x10\") + int(\" 42 \")", "58");
	value_is(S4, "int(2.9)", "2");
	value_is(S4, "int(word(first(smtp.rsp.parameter where smtp.response.code == 250), 2)) ?? 0", "0");
	value_is(S4, "int(split(first(smtp.rsp.parameter where smtp.rsp.parameter contains \"SIZE\"), \" \", 2))",
	    "10240000");
	text_is(S4, "join(list(tls.handshake.type where frame.number == 12), \"/\")", "2/11/12/14");
	text_is(S4, "join(distinct(ip.src), \" and \")", "198.51.100.1 and 198.51.100.2");
	text_is(S4, "join(split(\"a b\", \" \"), \"\")", "ab");
	text_is(S4, "join(list(tcp.len where tcp.len > 5000), \",\")", "");
	done();
}

/* ------------------------------------------------------------------ origins */

static void
test_explain(void **state)
{
	(void)state;
	origins_are(S4, "word(first(smtp.rsp.parameter where smtp.response.code == 220), 1)",
	    "\"mail.example.org\"", "[{\"frame\":4,\"field\":\"smtp.rsp.parameter\"}]");
	origins_are(S4, "label(first(tls.handshake.version where tls.handshake.type == 2))",
	    "\"TLS 1.2\"", "[{\"frame\":12,\"field\":\"tls.handshake.version\"}]");
	origins_are(S4, "count(frame where tq.from_client == 1 and tcp.len > 0 and frame.number < 12)", "3",
	    "[{\"frame\":6,\"field\":\"frame\"},{\"frame\":9,\"field\":\"frame\"},{\"frame\":11,\"field\":\"frame\"}]");
	origins_are(S4, "count(smtp.response.code where smtp.response.code == 250)", "1",
	    "[{\"frame\":8,\"field\":\"smtp.response.code\"}]");
	origins_are(S4, "distinct(smtp.response.code)", "[220,250]",
	    "[{\"frame\":4,\"field\":\"smtp.response.code\"},{\"frame\":8,\"field\":\"smtp.response.code\"}]");
	origins_are(S4, "sum(tcp.len where tcp.len > 1000 or tcp.len == 363)", "1604",
	    "[{\"frame\":12,\"field\":\"tcp.len\"},{\"frame\":23,\"field\":\"tcp.len\"}]");
	origins_are(S4, "first(tcp.len where tcp.len > 1000) + last(frame.len)", "1307",
	    "[{\"frame\":12,\"field\":\"tcp.len\"},{\"frame\":31,\"field\":\"frame.len\"}]");
	/* a value the trace has no part in */
	origins_are(S4, "1 + 1", "2", "[]");
	/* the first occurrence of a field outside any aggregate */
	origins_are(S4, "smtp.response.code", "220", "[{\"frame\":4,\"field\":\"smtp.response.code\"}]");
	done();
}

/* ------------------------------------------------------------------ errors */

static void
test_parse_errors(void **state)
{
	(void)state;
	/* unknown field, with the closest name */
	parse_error("tcp.lenn > 0", 0, "unknown field 'tcp.lenn' (did you mean 'tcp.len'?)");
	parse_error("count(frame where tcp.lenn > 0)", 18, "did you mean 'tcp.len'?");
	parse_error("count(frame where zzzzqqq > 0)", 18, "unknown field 'zzzzqqq' (text goes in quotes");
	parse_error("smtp.req.command == ehlo", 20, "unknown field 'ehlo'");
	/* unknown function */
	parse_error("frist(tcp.len)", 0, "unknown function 'frist'");
	parse_error("1 + nope(2)", 4, "unknown function 'nope'");
	/* wrong number of arguments */
	parse_error("word(\"a b\")", 0, "word() takes 2 arguments, not 1");
	parse_error("lower()", 0, "lower() takes 1 argument, not 0");
	parse_error("split(\"a\")", 0, "split() takes 2 to 3 arguments, not 1");
	parse_error("split(\"a\", \"b\", 1, 2)", 0, "split() takes 2 to 3 arguments, not 4");
	parse_error("join(list(tcp.len), \",\", 3, 4, 5)", 31, "join() takes at most 2 arguments");
	parse_error("nth(3 tcp.len)", 6, "expected ',' after nth's position");
	/* unclosed string, paren, call, set */
	parse_error("\"abc", 0, "the string has no closing quote");
	parse_error("x509sat.uTF8String == 'abc", 22, "the string has no closing quote");
	parse_error("(1", 0, "this '(' has no closing ')'");
	parse_error("1 + (2 * (3 + 4)", 4, "this '(' has no closing ')'");
	parse_error("first(tcp.len", 0, "first( has no closing ')'");
	parse_error("count(frame where (tcp.len > 0)", 0, "count( has no closing ')'");
	parse_error("tcp.len in {1, 2", 16, "expected '}'");
	parse_error("(1 2)", 3, "expected ')', found '2'");
	/* trailing garbage */
	parse_error("tcp.len > 0 tcp.len", 12, "unexpected 'tcp.len' after a complete expression");
	parse_error("tcp.len > 0 )", 12, "unexpected ')' after a complete expression");
	/* bad characters, bad tokens */
	parse_error("tcp.len ^ 1", 8, "unexpected character");
	parse_error("tcp.len | 1", 8, "unexpected character '|'");
	parse_error("tcp.len @ 3", 8, "unexpected character");
	parse_error("1 ? 2", 2, "a fallback is '?\?'");
	parse_error("\"\\x\"", 0, "\\x needs one or two hex digits");
	parse_error(")", 0, "expected a field, a value or '(', found ')'");
	parse_error("first(tcp.len where)", 19, "found ')'");
	parse_error("1 +", 3, "the expression ends too early");
	parse_error("", 0, "the expression is empty");
	parse_error("  \t ", 0, "the expression is empty");
	/* empty set */
	parse_error("tcp.len in {}", 11, "the set is empty");
	/* a literal of the wrong type for its field */
	parse_error("tcp.len == \"abc\"", 11, "tcp.len is an unsigned integer; \"abc\" is neither a number nor the name");
	parse_error("ip.src == 1.2.3", 10, "ip.src is an IPv4 address; 1.2.3 is not one");
	parse_error("ip.src == \"hello\"", 10, "ip.src is an IPv4 address");
	parse_error("ipv6.src == 10.0.0.1", 12, "ipv6.src is an IPv6 address; 10.0.0.1 is not one");
	parse_error("eth.src == 01:02:03", 11, "eth.src is an Ethernet address; 01:02:03 is not one");
	parse_error("smtp.rsp.parameter == mail.example.org", 22,
	    "unknown field 'mail.example.org' (text goes in quotes: \"mail.example.org\")");
	parse_error("smtp.rsp.parameter == 2.0.0", 22, "smtp.rsp.parameter is text: put 2.0.0 in quotes");
	parse_error("tcp.analysis.flags == 1", 22, "tcp.analysis.flags has no value to compare");
	parse_error("tcp.len contains \"a\"", 17, "tcp.len is an unsigned integer");
	parse_error("tcp.flags.syn == 1.5", 17, "tcp.flags.syn is a boolean");
	parse_error("tcp.len in {1 \"x\"}", 14, "\"x\" is neither a number");
	parse_error("ip.dst == 198.51.100.0/33", 23, "a subnet's prefix length is 0 to 32 bits");
	/* regular expressions */
	parse_error("smtp.rsp.parameter matches \"a(\"", 30, "bad regular expression: missing closing parenthesis");
	parse_error("smtp.rsp.parameter matches \"[z-a]\"", 31, "bad regular expression");
	parse_error("smtp.rsp.parameter matches tcp.len", 27, "matches takes a regular expression in quotes");
	parse_error("tcp.analysis.flags matches \"x\"", 0, "tcp.analysis.flags has no value to match");
	/* the rules of nth() and under() */
	parse_error("nth(frame.number, tcp.len)", 4, "nth()'s position must not depend on the frame");
	parse_error("first(tcp.len where under(1))", 26, "under() takes a field");
	/* numbers */
	parse_error("tcp.len == 99999999999999999999", 11, "the number is too large (64 bits at most)");
	parse_error("0x10000000000000000", 0, "the number is too large");
	parse_error("1.0e999", 0, "the number is too large");
	done();
}

/* The limits: too long, too deep, too many parts. */
static void
test_parse_limits(void **state)
{
	(void)state;
	char *s = repeat("\"", "a", TQ_EXPR_MAX_LEN, "\"", "", 0);
	parse_error(s, TQ_EXPR_MAX_LEN, "the expression is too long (4098 bytes; 4096 at most)");
	free(s);
	/* 64 levels of parentheses are fine, 65 are not */
	s = repeat("", "(", 63, "1", ")", 63);
	struct tq_expr *e;
	struct tq_expr_error err;
	assert_int_equal(tq_expr_parse(s, &e, &err), 0);
	tq_expr_free(e);
	free(s);
	s = repeat("", "(", 64, "1", ")", 64);
	parse_error(s, 64, "the expression nests too deeply (more than 64 levels)");
	free(s);
	s = repeat("", "first(", 64, "tcp.len", ")", 64);
	parse_error(s, 6 * 64, "nests too deeply");
	free(s);
	/* the whole expression is a level: the 64th not is one too many */
	s = repeat("", "not ", 100, "tls", "", 0);
	parse_error(s, 4 * 63, "nests too deeply");
	free(s);
	s = repeat("0 + ", "-", 100, "1", "", 0);
	parse_error(s, 4 + 63, "nests too deeply");
	free(s);
	/* 1024 parts: "1+1+...": each 1 and each + is a part */
	s = repeat("1", "+1", 600, "", "", 0);
	parse_error(s, 1025, "the expression is too long (more than 1024 parts)");
	free(s);
	s = repeat("tcp.len in {", "1 ", 257, "}", "", 0);
	parse_error(s, 12 + 2 * 256, "a set holds at most 256 members");
	free(s);
	done();
}

/*   tshark -r S4 -T fields -e smtp.response.code: 3 of them */
static void
test_eval_errors(void **state)
{
	(void)state;
	/* nothing matched */
	eval_error(S4, "first(frame.number where tcp.len > 5000)", 0, "no frame has frame.number where tcp.len > 5000");
	eval_error(S4, "last(smtp.req.parameter where smtp.req.command == \"QUIT\")", 0,
	    "no frame has smtp.req.parameter where smtp.req.command == \"QUIT\"");
	eval_error(S4, "min(x509sat.printableString)", 0, "no frame has x509sat.printableString");
	eval_error(S4, "x509sat.printableString", 0, "no frame has x509sat.printableString");
	eval_error(S4, "1 + first(tcp.len where tcp.len < 0)", 4, "no frame has tcp.len where tcp.len < 0");
	eval_error(S4, "nth(4, smtp.response.code)", 0, "there are only 3 smtp.response.code, not 4");
	eval_error(S4, "nth(-5, smtp.response.code where smtp.response.code == 220)", 0,
	    "there are only 2 smtp.response.code where smtp.response.code == 220, not 5");
	eval_error(S4, "nth(0, smtp.response.code)", 4, "nth() counts from 1");
	eval_error(S4, "word(\"a b\", 3)", 0, "has no value: word 3 of a text with 2 words");
	eval_error(S4, "split(\"a,b\", \",\", -3)", 0, "part -3 of a text with 2 parts");
	eval_error(S4, "int(\"x1\")", 0, "\"x1\" is not an integer");
	text_is(S4, "label(first(tls.handshake.type + 100))", "101");      /* a computed number: its text */
	/* type mismatch */
	eval_error(S4, "count(frame where first(tcp.len) == \"abc\")", 18,
	    "cannot compare first(tcp.len) (an integer) with \"abc\" (text)");
	eval_error(S4, "first(ip.src) + 1", 0, "arithmetic needs numbers; first(ip.src) is bytes");
	eval_error(S4, "sum(smtp.rsp.parameter)", 4, "sum() adds numbers; smtp.rsp.parameter is text");
	eval_error(S4, "-\"abc\"", 1, "cannot negate");
	eval_error(S4, "join(first(tcp.len), \",\")", 5, "join() takes a list");
	eval_error(S4, "word(list(tcp.len), 1)", 5, "is a list; this takes text");
	eval_error(S4, "list(tcp.len) == 1", 0, "cannot compare");
	eval_error(S4, "max(list(tcp.len) where frame.number < 3)", 4, "cannot order");
	eval_error(S4, "count(frame where first(tcp.len) in {\"a\"..\"b\"})", 37, "cannot compare an integer with this range");
	eval_error(S4, "split(\"abc\", \"\")", 13, "split() needs a separator that is not empty");
	eval_error(S4, "int(list(tcp.len))", 4, "int() cannot read");
	eval_error(S4, "under(x509af.issuer)", 0, "under() belongs in the condition of an aggregate");
	/* division by zero */
	eval_error(S4, "first(frame.number) / 0", 0, "division by zero");
	eval_error(S4, "7 % (3 - 3)", 0, "division by zero");
	eval_error(S4, "1.5 / 0", 0, "division by zero");
	/* overflow */
	eval_error(S4, "9223372036854775807 + 1", 0, "the result does not fit in 64 bits");
	eval_error(S4, "-9223372036854775807 - 2", 0, "the result does not fit in 64 bits");
	eval_error(S4, "9223372036854775807 * 2", 0, "the result does not fit in 64 bits");
	eval_error(S4, "(-9223372036854775807 - 1) / -1", 1, "the result does not fit in 64 bits");
	eval_error(S4, "(-9223372036854775807 - 1) % -1", 1, "the result does not fit in 64 bits");
	eval_error(S4, "0 - -(-9223372036854775807 - 1)", 4, "the result does not fit in 64 bits");
	eval_error(S4, "1.0e300 * 1.0e300", 0, "the result is too large for a number");
	eval_error(S4, "sum(tcp.len * 9223372036854775807 where tcp.len > 1000)", 4, "does not fit in 64 bits");
	value_is(S4, "sum(tcp.len * 4611686018427387904 where tcp.len == 0)", "0");
	done();
}

/* ------------------------------------------------------------------ the index and the API */

static void
test_shared_index(void **state)
{
	(void)state;
	const char *srcs[] = {
		"word(first(smtp.rsp.parameter where smtp.response.code == 220), 1)",
		"label(first(tls.handshake.version where tls.handshake.type == 2))",
		"count(frame where ip.src == 198.51.100.1)",
		"list(tls.handshake.length where frame.number == 12)",
	};
	const char *want[] = { "\"mail.example.org\"", "\"TLS 1.2\"", "15", "[61,848,296,0]" };
	struct tq_expr *e[4];
	struct tq_expr_error err;
	for (int i = 0; i < 4; i++)
		assert_int_equal(tq_expr_parse(srcs[i], &e[i], &err), 0);
	struct tq_findex *ix;
	char ebuf[256];
	assert_int_equal(tq_findex_build(cap_of(S4), e, 4, NULL, &ix, ebuf, sizeof(ebuf)), 0);
	for (int round = 0; round < 2; round++) {
		for (int i = 0; i < 4; i++) {
			json_t *v = tq_expr_eval(ix, e[i], NULL, &err);
			assert_non_null(v);
			char *s = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
			assert_string_equal(s, want[i]);
			free(s);
			json_decref(v);
		}
	}
	/* an expression the index was not built for */
	struct tq_expr *other;
	assert_int_equal(tq_expr_parse("first(ipv6.src)", &other, &err), 0);
	assert_null(tq_expr_eval(ix, other, NULL, &err));
	assert_non_null(strstr(err.msg, "the index was built without ipv6.src"));
	assert_int_equal(err.pos, -1);
	assert_null(tq_expr_eval(NULL, other, NULL, &err));
	assert_null(tq_expr_eval(ix, NULL, NULL, &err));
	tq_expr_free(other);
	tq_findex_free(ix);
	/* an index of no field at all */
	assert_int_equal(tq_findex_build(cap_of(S4), e, 0, NULL, &ix, ebuf, sizeof(ebuf)), 0);
	tq_findex_free(ix);
	for (int i = 0; i < 4; i++)
		tq_expr_free(e[i]);
	/* the parser's odd inputs */
	struct tq_expr *x = (struct tq_expr *)&x;
	assert_int_equal(tq_expr_parse(NULL, &x, &err), TQ_EINVAL);
	assert_null(x);
	assert_int_equal(tq_expr_parse("1", &x, NULL), 0);
	tq_expr_free(x);
	assert_int_equal(tq_expr_parse("1 +", &x, NULL), TQ_EINVAL);
	tq_expr_free(NULL);
	assert_string_equal(tq_expr_source(NULL), "");
	done();
}

/* tq_expr_eval is thread-safe: the index and the expression are only read. */
struct par {
	struct tq_findex *ix;
	struct tq_expr *e;
	int ok;
};

static void *
par_eval(void *arg)
{
	struct par *p = arg;
	p->ok = 1;
	for (int i = 0; i < 20; i++) {
		struct tq_expr_error err;
		json_t *from = NULL;
		json_t *v = tq_expr_eval(p->ix, p->e, i % 2 ? &from : NULL, &err);
		if (!v || json_integer_value(v) != 3)
			p->ok = 0;
		json_decref(v);
		json_decref(from);
	}
	return NULL;
}

static void
test_threads(void **state)
{
	(void)state;
	struct tq_expr *e;
	struct tq_expr_error err;
	assert_int_equal(tq_expr_parse("count(frame where tq.from_client == 1 and tcp.len > 0 and frame.number < "
	    "first(frame.number where tq.encrypted == 1))", &e, &err), 0);
	struct tq_findex *ix;
	char ebuf[256];
	assert_int_equal(tq_findex_build(cap_of(S4), &e, 1, NULL, &ix, ebuf, sizeof(ebuf)), 0);
	pthread_t th[4];
	struct par p[4];
	for (int i = 0; i < 4; i++) {
		p[i] = (struct par){ ix, e, 0 };
		assert_int_equal(pthread_create(&th[i], NULL, par_eval, &p[i]), 0);
	}
	for (int i = 0; i < 4; i++) {
		pthread_join(th[i], NULL);
		assert_true(p[i].ok);
	}
	tq_findex_free(ix);
	tq_expr_free(e);
	done();
}

/* ------------------------------------------------------------------ limits (struct tq_limits) */

/* The largest capture here: 178 frames, 130 of them with TCP payload (152,432 bytes). */
#define PR "tls-port-reuse-eth-ipv4.pcap"

/* Indexes the n expressions srcs on a capture under lim (may be NULL) and
 * returns, malloc'd, each one's value and origins as compact JSON, a line
 * each (or its evaluation error); NULL when the build failed, with *rc and
 * msg set and the index not made. */
static char *
values_under(const char *name, const char *const *srcs, size_t n, const struct tq_limits *lim, int *rc,
    char *msg, size_t msglen)
{
	struct tq_expr *e[8];
	struct tq_expr_error err;
	assert_true(n <= 8);
	for (size_t i = 0; i < n; i++)
		assert_int_equal(tq_expr_parse(srcs[i], &e[i], &err), 0);
	struct tq_findex *ix = (struct tq_findex *)&ix;
	msg[0] = '\0';
	*rc = tq_findex_build(cap_of(name), e, n, lim, &ix, msg, msglen);
	char *out = NULL;
	if (*rc == 0) {
		assert_non_null(ix);
		struct tq_sbuf sb;
		tq_sbuf_init(&sb, 0);
		for (size_t i = 0; i < n; i++) {
			json_t *from = NULL;
			json_t *v = tq_expr_eval(ix, e[i], &from, &err);
			char *vs = v ? json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY) : NULL;
			char *fs = from ? json_dumps(from, JSON_COMPACT) : NULL;
			tq_sbuf_printf(&sb, "%s %s\n", vs ? vs : err.msg, fs ? fs : "-");
			free(vs);
			free(fs);
			json_decref(v);
			json_decref(from);
		}
		out = strdup(sb.s ? sb.s : "");
		tq_sbuf_free(&sb);
		tq_findex_free(ix);
	} else {
		assert_null(ix);
		assert_true(msg[0] != '\0');
	}
	for (size_t i = 0; i < n; i++)
		tq_expr_free(e[i]);
	return out;
}

/* The frame K of "(stopped at frame K of N)" in msg, checking N; 0 if absent. */
static unsigned
stopped_at(const char *msg, unsigned nframes)
{
	const char *p = strstr(msg, "(stopped at frame ");
	unsigned k = 0, of = 0;
	if (!p || sscanf(p, "(stopped at frame %u of %u)", &k, &of) != 2)
		return 0;
	if (of != nframes)
		FAIL("\"%s\": not \"of %u\"", msg, nframes);
	if (k < 1 || k > nframes)
		FAIL("\"%s\": no such frame", msg);
	return k;
}

/* Fields of every kind the index copies: numbers, addresses, bytes, strings. */
static const char *const limit_srcs[] = {
	"count(frame where tcp.len > 0)",
	"list(ip.src where tcp.flags.syn == 1)",
	"sum(tcp.len where tq.from_client == 1)",
	"last(tcp.payload)",
	"first(tls.handshake.version where tls.handshake.type == 2)",
	"distinct(tcp.srcport)",
};
#define NLIMIT_SRCS (sizeof(limit_srcs) / sizeof(limit_srcs[0]))

/* No limits, zero limits and limits never reached give the same values. */
static void
test_limits_same_values(void **state)
{
	(void)state;
	const char *names[] = { S4, PR, EC };
	for (size_t c = 0; c < 3; c++) {
		char msg[256];
		int rc;
		char *none = values_under(names[c], limit_srcs, NLIMIT_SRCS, NULL, &rc, msg, sizeof(msg));
		assert_int_equal(rc, 0);
		struct tq_limits zero = { 0, 0 };
		char *z = values_under(names[c], limit_srcs, NLIMIT_SRCS, &zero, &rc, msg, sizeof(msg));
		assert_int_equal(rc, 0);
		struct tq_limits ample = { tq_monotonic_ns() + 60 * UINT64_C(1000000000), (size_t)1 << 30 };
		char *a = values_under(names[c], limit_srcs, NLIMIT_SRCS, &ample, &rc, msg, sizeof(msg));
		assert_int_equal(rc, 0);
		assert_string_equal(z, none);
		assert_string_equal(a, none);
		/* and they are values, not a line of errors */
		if (!strstr(none, "[{\"frame\""))
			FAIL("%s: no origins in\n%s", names[c], none);
		free(none);
		free(z);
		free(a);
	}
	done();
}

static void
test_limits_deadline(void **state)
{
	(void)state;
	char msg[256];
	int rc;
	assert_string_not_equal(tq_strerror(TQ_ETIMEOUT), tq_strerror(12345));
	/* long past, and just past */
	uint64_t past[] = { 1, tq_monotonic_ns() };
	for (int i = 0; i < 2; i++) {
		struct tq_limits lim = { past[i], 0 };
		assert_null(values_under(S4, limit_srcs, NLIMIT_SRCS, &lim, &rc, msg, sizeof(msg)));
		assert_int_equal(rc, TQ_ETIMEOUT);
		if (!strstr(msg, "the time allowed had run out before indexing the trace began"))
			FAIL("a deadline past: \"%s\"", msg);
	}
	/* an index of no field reads no frame, so it has no time to run out of */
	struct tq_limits gone = { 1, 0 };
	char *v = values_under(S4, limit_srcs, 0, &gone, &rc, msg, sizeof(msg));
	assert_int_equal(rc, 0);
	free(v);
	/* Budgets from 1 us up, doubling, until the build ends in time: each one
	 * short of that stops at a frame where the deadline is read (1, 33, 65 ...)
	 * and says so; several land inside the trace, whatever the machine's speed. */
	unsigned inside = 0, tries = 0;
	char *full = values_under(PR, limit_srcs, NLIMIT_SRCS, NULL, &rc, msg, sizeof(msg));
	for (uint64_t budget = 1000; ; budget *= 2) {
		assert_true(budget < 30 * UINT64_C(1000000000));
		struct tq_limits lim = { tq_monotonic_ns() + budget, 0 };
		v = values_under(PR, limit_srcs, NLIMIT_SRCS, &lim, &rc, msg, sizeof(msg));
		if (rc == 0) {
			assert_string_equal(v, full);
			free(v);
			break;
		}
		tries++;
		assert_int_equal(rc, TQ_ETIMEOUT);
		unsigned k = stopped_at(msg, 178);
		if (strstr(msg, "the time allowed had run out before indexing the trace began"))
			continue;
		if (strncmp(msg, "indexing the trace took longer than the ", 40) != 0 || !strstr(msg, " allowed (stopped at frame ") ||
		    (!strstr(msg, " µs allowed") && !strstr(msg, " ms allowed") && !strstr(msg, " s allowed")))
			FAIL("budget %llu ns: \"%s\"", (unsigned long long)budget, msg);
		if (k % 32 != 1)
			FAIL("budget %llu ns: stopped where the deadline is not read: \"%s\"", (unsigned long long)budget, msg);
		if (k > 1)
			inside++;
	}
	free(full);
	if (!inside)
		FAIL("none of %u budgets too short stopped inside the trace", tries);
	done();
}

static void
test_limits_memory(void **state)
{
	(void)state;
	char msg[256];
	int rc;
	/* too little for the index's own tables */
	struct tq_limits tiny = { 0, 1 };
	assert_null(values_under(S4, limit_srcs, NLIMIT_SRCS, &tiny, &rc, msg, sizeof(msg)));
	assert_int_equal(rc, TQ_ETOOBIG);
	if (!strstr(msg, "the field index would take more than the 1 B allowed: for a trace of 31 frames it needs "))
		FAIL("max_bytes 1: \"%s\"", msg);
	/* 1 KiB to 16 MiB: refused, refused inside the trace, then always the same values */
	char *full = values_under(PR, limit_srcs, NLIMIT_SRCS, NULL, &rc, msg, sizeof(msg));
	int ok = 0;
	unsigned inside = 0;
	for (unsigned k = 10; k <= 24; k++) {
		struct tq_limits lim = { 0, (size_t)1 << k };
		char *v = values_under(PR, limit_srcs, NLIMIT_SRCS, &lim, &rc, msg, sizeof(msg));
		if (rc == 0) {
			assert_string_equal(v, full);
			free(v);
			ok = 1;
			continue;
		}
		if (ok)
			FAIL("%zu bytes refused, fewer were enough: \"%s\"", lim.max_bytes, msg);
		assert_int_equal(rc, TQ_ETOOBIG);
		char want[64];
		snprintf(want, sizeof(want), "the field index would take more than the %u %s allowed", k < 20 ? 1u << (k - 10) : 1u << (k - 20),
		    k < 20 ? "KiB" : "MiB");
		if (strncmp(msg, want, strlen(want)) != 0)
			FAIL("%zu bytes: \"%s\", not \"%s\"", lim.max_bytes, msg, want);
		if (stopped_at(msg, 178) > 1)
			inside++;
	}
	assert_true(ok);
	if (!inside)
		FAIL("no memory limit stopped the index inside the trace");
	free(full);
	done();
}

/* ------------------------------------------------------------------ hostile expressions */

/* Each gives an error, quickly: none may crash (the sanitizer build) or hang. */
static void
test_hostile(void **state)
{
	(void)state;
	double t0 = now();
	/* 10,000 levels: too long before it is too deep; 2,000 levels within the length: too deep */
	char *s = repeat("", "(", 10000, "1", ")", 10000);
	parse_error(s, TQ_EXPR_MAX_LEN, "too long (20001 bytes");
	free(s);
	s = repeat("", "(", 2000, "1", ")", 2000);
	parse_error(s, 64, "nests too deeply");
	free(s);
	s = repeat("", "-", 4000, "1", "", 0);
	parse_error(s, 63, "nests too deeply");
	free(s);
	s = repeat("", "!", 4000, "tls", "", 0);
	parse_error(s, 63, "nests too deeply");
	free(s);
	/* the value of the 64th count is one level too many */
	s = repeat("", "count(frame where ", 200, "tls", ")", 200);
	parse_error(s, 18 * 63 + 6, "nests too deeply");
	free(s);
	/* { } groups arithmetic (Wireshark 4.0): as deep as parentheses */
	s = repeat("", "{", 2000, "", "}", 2000);
	parse_error(s, 64, "nests too deeply");
	free(s);
	s = repeat("tcp.len in ", "{", 2000, "", "}", 2000);
	parse_error(s, 12 + 64, "nests too deeply");
	free(s);
	/* 1 MB */
	s = repeat("", "tcp.len == 1 or ", 65536, "tls", "", 0);
	parse_error(s, TQ_EXPR_MAX_LEN, "the expression is too long (1048579 bytes; 4096 at most)");
	free(s);
	s = repeat("\"", "\\x41", 1000, "\"", "", 0);
	char *want = repeat("\"", "A", 1000, "\"", "", 0);
	value_is(S4, s, want);
	free(want);
	free(s);
	/* huge integers */
	s = repeat("", "9", 4000, "", "", 0);
	parse_error(s, 0, "the number is too large (64 bits at most)");
	free(s);
	s = repeat("tcp.len == 0x", "f", 4000, "", "", 0);
	parse_error(s, 11, "the number is too large");
	free(s);
	s = repeat("tcp.len == \"", "7", 100, "\"", "", 0);
	parse_error(s, 11, "neither a number nor the name");
	free(s);
	parse_error("-9223372036854775808", 1, "the number is too large");
	value_is(S4, "-9223372036854775807 - 1", "-9223372036854775808");
	value_is(S4, "9223372036854775807 + 0", "9223372036854775807");
	eval_error(S4, "nth(-9223372036854775807 - 1, frame.number)", 4, "goes back 100000 values at most");
	eval_error(S4, "nth(9223372036854775807, frame.number)", 0, "there are only 31 frame.number");
	eval_error(S4, "word(\"a b\", -9223372036854775807 - 1)", 0, "word -9223372036854775808 of a text with 2 words");
	eval_error(S4, "word(\"a b\", 9223372036854775807)", 0, "of a text with 2 words");
	eval_error(S4, "int(\"99999999999999999999\")", 0, "is not an integer");
	eval_error(S4, "int(1.0e19)", 0, "the number does not fit in 64 bits");
	/* backtracking without end: the match limit stops it on one text */
	eval_error(S4, "count(frame where tcp.payload matches \"(a|aa|.)+$\" and tcp.payload matches \"^(.*?,){11}P\")",
	    -1, "");
	eval_error(S4, "count(frame where tcp.payload matches \"(.*)*(.*)*(.*)*\\\\x00\\\\x01\")", 18,
	    "the regular expression takes too long on this text");
	eval_error(S4, "count(frame where join(list(tcp.payload), \"\") matches \"(\\\\w|\\\\w\\\\w|:)+$\")", 18,
	    "the regular expression takes too long on this text");
	/* ... and the steps stop a pattern that takes long on every text, below the
	 * match limit on each (before they counted, it ran to the end, however long) */
	eval_error(S4, "count(frame where tcp.payload matches \"[^\\\\n]*[^\\\\n]*[YZ]$\")", -1,
	    "the expression takes too long on this trace");
	/* huge texts and lists from split, join, list and +: bounded */
	eval_error(S4, "join(list(tcp.len), join(list(frame.number), str(list(tcp.payload))))", 0,
	    "a computed string is longer than 1048576 bytes");
	eval_error(S4, "split(join(list(ip.addr), str(list(tcp.payload))), \":\")", 0, "split() makes more than 100000 parts");
	eval_error(S4, "len(str(list(tcp.payload)) + join(list(tcp.len), join(list(ip.addr), str(list(tcp.payload)))))",
	    29, "a computed string is longer than 1048576 bytes");
	/* 23 payloads of 2992 bytes in all (tshark -e tcp.len): 2969 colons in
	 * their text, 30 times over between the 31 frame numbers */
	value_is(S4, "len(split(join(list(frame.number), str(list(tcp.payload))), \":\"))", "89071");
	/* a condition that makes big texts on every frame: bounded in steps and
	 * memory (each frame's are given back) */
	value_is(S4, "count(frame where count(frame where len(join(list(ip.addr), str(list(tcp.payload)))) > 0) > 0 and "
	    "count(ip.addr where len(join(list(tcp.payload), join(list(ip.addr), \"x\"))) > 0) > 0 and "
	    "len(join(list(ip.addr), str(list(tcp.payload)))) > 0 and len(join(list(ip.addr), str(list(tcp.payload)))) > 0)",
	    "31");
	/* the deepest trees the limits allow: chains of 1023 parts, evaluated by
	 * recursion (on every frame for the condition) */
	s = repeat("1", "+1", 511, "", "", 0);
	value_is(S4, s, "512");
	free(s);
	s = repeat("count(frame where tcp.len == 1", " or tcp.len == 1", 254, ")", "", 0);
	value_is(S4, s, "0");
	free(s);
	/* nested aggregates: each computed once (8 frames have tcp.len 0, the
	 * others 10 or more: tshark -r S4 -T fields -e tcp.len) */
	s = repeat("", "count(frame where tcp.len < ", 40, "1", ")", 40);
	value_is(S4, s, "8");
	free(s);
	s = repeat("", "first(", 60, "tcp.len", ")", 60);
	value_is(S4, s, "0");
	free(s);
	s = repeat("", "max(frame.number where frame.number <= ", 50, "100", ")", 50);
	value_is(S4, s, "31");
	free(s);
	s = repeat("", "max(frame.number where frame.number < ", 50, "100", ")", 50);
	/* from the inside 31, 30, ...: the 19th from the outside finds no frame below 1 */
	eval_error(S4, s, 18 * 38, "no frame has frame.number where frame.number < max(");
	free(s);
	/* all of it well within the limits' second (allowing for sanitizers and a loaded machine) */
	double t = now() - t0;
	if (t > 60)
		fail_msg("the hostile expressions took %.1f s", t);
	done();
}

/* ------------------------------------------------------------------ text, slices, lists, if */

static void
test_lists_and_text(void **state)
{
	(void)state;
	/* text(): bytes as text, CR and LF kept (tshark -T fields -e tcp.payload, frame 4) */
	text_is(S4, "text(first(tcp.payload where tcp.len > 0))", "220 mail.example.org ESMTP tracequiz test server\r\n");
	text_is(S4, "trim(text(first(tcp.payload where tcp.len > 0)))", "220 mail.example.org ESMTP tracequiz test server");
	/* other bytes as \xHH: the Client Hello's random starts b9 e9 */
	text_is(S4, "text(first(tls.handshake.random))[0:8]", "\\xb9\\xe9");
	text_is(S4, "text(\"caf\xc3\xa9\")", "caf\xc3\xa9");
	/* slices of a computed text and list: [i:n], [i-j], [i], [-1], [i:] */
	text_is(S4, "first(smtp.req.command)[0:2]", "eh");
	value_is(S4, "list(smtp.response.code)", "[220,250,220]");
	value_is(S4, "list(smtp.response.code)[1]", "250");
	value_is(S4, "list(smtp.response.code)[-1]", "220");
	value_is(S4, "list(smtp.response.code)[1:]", "[250,220]");
	value_is(S4, "list(smtp.response.code)[0-1]", "[220,250]");
	eval_error(S4, "list(smtp.response.code)[1:3]", 0, "the list has 3 values: the slice falls outside it");
	eval_error(S4, "(1 + 2)[0]", 1, "only text, bytes and lists can be sliced");
	/* sets, in the first list's order, each value once */
	value_is(S4, "intersect(list(smtp.response.code), list(smtp.response.code where smtp.response.code == 220))", "[220]");
	value_is(S4, "difference(list(smtp.response.code), list(smtp.response.code where smtp.response.code == 250))", "[220]");
	value_is(S4, "union(list(smtp.response.code where smtp.response.code == 250), list(smtp.response.code))", "[250,220]");
	value_is(S4, "difference(list(smtp.response.code), list(smtp.response.code))", "[]");
	/* lists compare whole, in order */
	value_is(S4, "list(smtp.response.code) == list(smtp.response.code)", "true");
	value_is(S4, "list(smtp.response.code) == distinct(smtp.response.code)", "false");
	value_is(S4, "distinct(smtp.response.code) != union(list(smtp.response.code), list(smtp.response.code))", "false");
	eval_error(S4, "list(smtp.response.code) < list(smtp.response.code)", 0, "lists compare with == and != only");
	/* index(): where a value first is, from 0; in a text, the offset */
	value_is(S4, "index(list(smtp.response.code), 250)", "1");
	value_is(S4, "index(list(smtp.response.code), 221) ?? -1", "-1");
	value_is(S4, "index(first(smtp.req.command), \"l\")", "2");
	/* x in LIST, and a list holds a value with contains */
	value_is(S4, "250 in list(smtp.response.code)", "true");
	value_is(S4, "221 in distinct(smtp.response.code)", "false");
	value_is(S4, "list(smtp.response.code) contains 250", "true");
	/* filter(list, cond): 'it' names each item, even in an aggregate's condition */
	value_is(S4, "filter(list(smtp.response.code), it != 250)", "[220,220]");
	value_is(S4, "filter(distinct(smtp.response.code), count(frame where smtp.response.code == it) > 1)", "[220]");
	value_is(S4, "filter(list(smtp.response.code), it > 300)", "[]");
	value_is(S4, "len(filter(split(\"a.b,c\", \",\"), len(filter(split(it, \".\"), it == \"b\")) > 0))", "1");
	parse_error("filter(list(smtp.response.code), 1) + it", 38, "'it' is the item of filter(list, condition), and only there");
	parse_error("it == 1", 0, "'it' is the item of filter(list, condition), and only there");
	/* label() of a list labels every value */
	value_is(S4, "label(distinct(tls.handshake.type))[0:3]", "[\"Client Hello\",\"Server Hello\",\"Certificate\"]");
	/* if / then / else */
	text_is(S4, "if count(frame where tls) > 10 then \"long\" else \"short\"", "long");
	value_is(S4, "if count(frame where smtp.req.command == \"QUIT\") > 0 then 1 else 2", "2");
	parse_error("if 1 then 2", 11, "'else' (an if has both branches)");
	parse_error("if 1 else 2", 5, "'then' after if's condition");
	done();
}

/* ------------------------------------------------------------------ display filters */

/* The frames filter src selects on capture name, as "1,2,3" ("-" for none). */
static void
selects(const char *name, const char *src, const char *want)
{
	struct tq_expr *e;
	struct tq_expr_error err;
	if (tq_filter_parse(src, &e, &err) != 0)
		fail_msg("%s: %s", src, err.msg);
	struct tq_capture *cap = cap_of(name);
	struct tq_findex *ix;
	char msg[256];
	assert_int_equal(tq_findex_build(cap, &e, 1, NULL, &ix, msg, sizeof(msg)), 0);
	uint32_t n = tq_capture_count(cap);
	uint8_t *sel = malloc(n);
	assert_non_null(sel);
	assert_int_equal(tq_filter_select(ix, e, sel, &err), 0);
	char got[512] = "";
	size_t o = 0;
	for (uint32_t i = 0; i < n && o < sizeof(got) - 12; i++) {
		assert_true(sel[i] <= 1);
		if (sel[i])
			o += (size_t)snprintf(got + o, sizeof(got) - o, "%s%u", o ? "," : "", i + 1);
	}
	if (!o)
		strcpy(got, "-");
	if (strcmp(got, want))
		fail_msg("%s on %s: selects %s, want %s", src, name, got, want);
	free(sel);
	tq_findex_free(ix);
	tq_expr_free(e);
}

/* A display filter is Wireshark 4.0's language alone; the same text may be a key. */
static void
filter_refused(const char *src, int pos, const char *msg_part, int key_ok)
{
	struct tq_expr *e = (struct tq_expr *)1;
	struct tq_expr_error err;
	if (tq_filter_parse(src, &e, &err) == 0)
		fail_msg("%s: a display filter, want an error", src);
	assert_null(e);
	if (err.pos != pos || !strstr(err.msg, msg_part))
		fail_msg("%s: error at %d \"%s\"; want at %d \"...%s...\"", src, err.pos, err.msg, pos, msg_part);
	if (key_ok) {
		assert_int_equal(tq_expr_parse(src, &e, &err), 0);
		tq_expr_free(e);
	}
}

static void
test_filters(void **state)
{
	(void)state;
	/* tshark -2 -r tcp-handshake-eth-ipv4.pcap -Y FILTER -T fields -e frame.number */
	selects("tcp-handshake-eth-ipv4.pcap", "tcp.flags.syn == 1", "1,2");
	selects("tcp-handshake-eth-ipv4.pcap", "tcp.flags & 0x12 == 0x12", "2");
	selects("tcp-handshake-eth-ipv4.pcap", "tcp.port === 50001", "-");
	selects("tcp-handshake-eth-ipv4.pcap", "tcp.port !== 50001", "1,2,3,4,5,6,7,8,9,10,11,12");
	selects("tcp-handshake-eth-ipv4.pcap", "ip.src[3] == 1", "1,3,5,6,9,10,12");
	selects("tcp-handshake-eth-ipv4.pcap", "count(tcp.option_kind) == 5", "1,2");
	selects("tcp-handshake-eth-ipv4.pcap", "max(tcp.srcport, tcp.dstport) > 50000 && {tcp.len * 2} > 4", "4,6,8");
	/* a field no frame has: the index holds no occurrence at all (fuzz_expr, UBSan) */
	selects("tcp-handshake-eth-ipv4.pcap", "x509sat.printableString", "-");
	selects("tcp-handshake-eth-ipv4.pcap", "!x509sat.printableString && frame.number < 3", "1,2");

	filter_refused("tcp.flags.syn == true", 17, "not a display-filter value", 1);
	filter_refused("tcp.port in {25 80}", 16, "separated by commas", 1);
	filter_refused("first(tcp.port) == 80", 0, "function 'first' does not exist", 1);
	filter_refused("tcp.port ?? 1", 9, "no fallback", 1);
	filter_refused("ip.src ~ \"192\"", 0, "cannot take part in a 'matches'", 1);
	filter_refused("tcp.analysis[0] == 1", 0, "cannot be sliced", 0);
	filter_refused("string(tcp) contains \"x\"", 7, "string conversion for field \"tcp\" is not supported", 0);
	/* a protocol's value: its own bytes, and for contains and matches all it was given */
	selects(S4, "frame[12-13] == 08:00 && frame.number < 3", "1,2");
	selects(S4, "len(tcp) == 40", "1,2");
	selects(S4, "tcp contains \"ehlo\"", "6");
	selects(S4, "tcp[13] & 0x12 == 0x12", "2");
	selects(S4, "ip[0] == 45 && tcp[13] & 02", "1,2");
	filter_refused("tcp.payload[1:x] == 00", 11, "a slice is", 0);
	filter_refused("tcp.payload[0:4", 11, "no closing ']'", 0);
	filter_refused("count(tcp.port + 1) == 2", 6, "count() takes a field", 0);
}

/* ------------------------------------------------------------------ regressions */

/* Inputs that broke expr.c once (found by reading it and by fuzz_expr). */
static void
test_regressions(void **state)
{
	(void)state;
	/* INT64_MIN % -1 trapped (SIGFPE) while deciding whether a division is exact */
	eval_error(S4, "(-9223372036854775807 - 1) / -1", 1, "does not fit in 64 bits");
	value_is(S4, "(-9223372036854775807 - 1) / 1", "-9223372036854775808");
	value_is(S4, "(-9223372036854775807 - 1) / 2", "-4611686018427387904");
	/* -INT64_MIN in nth() and word() (UBSan) */
	eval_error(S4, "nth(int(\"-9223372036854775808\"), frame.number)", 4, "goes back 100000 values at most");
	eval_error(S4, "word(\"a\", int(\"-9223372036854775808\"))", 0, "word -9223372036854775808");
	/* word() and split() counted 4096 pieces at most: the last of a longer
	 * text was wrong.  The text: the 31 frame numbers joined by the text of
	 * the payloads, 89071 parts at ':' (test_hostile); the last is the last
	 * byte of the last payload, then "31" (tshark -r S4 -T fields -e tcp.payload
	 * -Y 'frame.number == 28' ends in cd) */
	text_is(S4, "split(join(list(frame.number), str(list(tcp.payload))), \":\", -1)", "cd31");
	text_is(S4, "split(join(list(frame.number), str(list(tcp.payload))), \":\", 89071)", "cd31");
	eval_error(S4, "split(join(list(frame.number), str(list(tcp.payload))), \":\", 89072)", 0,
	    "part 89072 of a text with 89071 parts");
	text_is(S4, "word(join(split(join(list(frame.number), str(list(tcp.payload))), \":\"), \" \"), -1)", "cd31");
	value_is(S4, "len(word(join(split(join(list(frame.number), str(list(tcp.payload))), \":\"), \" \"), 5000)) == 2",
	    "true");
	char *s;
	/* an infinite number had no JSON and was reported as "out of memory" */
	eval_error(S4, "1.0e300 * 1.0e300", 0, "too large");
	parse_error("1.0e400", 0, "the number is too large");
	/* matches was case-sensitive, unlike tshark 4.0's */
	count_is(S4, "smtp.rsp.parameter matches \"starttls\"", 1);
	/* a subnet was read as a division and failed when evaluated */
	count_is(S4, "ip.dst == 198.51.100.0/24", 31);
	/* distinct() compared each value with every other (quadratic): the same answer by hash */
	value_is(S4, "distinct(tcp.len where tcp.len < 100)", "[0,50,25,10,30,93,54,76,43,56,35,66,65,44,31]");
	value_is(S4, "distinct(split(\"b a b c a\", \" \") where frame.number == 1)", "[[\"b\",\"a\",\"b\",\"c\",\"a\"]]");
	value_is(S4, "distinct(tcp.time_delta * 0 where tcp.len > 0)", "[0.0]");
	value_is(S4, "len(distinct(frame.time_relative))", "31");
	value_is(S4, "distinct(label(tls.handshake.type))", "[\"Client Hello\",\"Server Hello\",\"Certificate\","
	    "\"Server Key Exchange\",\"Server Hello Done\",\"Client Key Exchange\",\"New Session Ticket\"]");
	/* parentheses counted three levels each: 22 were too deep */
	s = repeat("", "(", 40, "1", ")", 40);
	value_is(S4, s, "1");
	free(s);
	s = repeat("", "first(", 40, "tcp.len", ")", 40);
	value_is(S4, s, "0");
	free(s);
	done();
}

int
main(void)
{
	setenv("TZ", "UTC", 1);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_comparisons),
		cmocka_unit_test(test_application_values),
		cmocka_unit_test(test_contains_matches_in),
		cmocka_unit_test(test_logic),
		cmocka_unit_test(test_literals),
		cmocka_unit_test(test_addresses),
		cmocka_unit_test(test_value_names),
		cmocka_unit_test(test_arithmetic),
		cmocka_unit_test(test_fallback),
		cmocka_unit_test(test_aggregates),
		cmocka_unit_test(test_condition_binds_to_pdu),
		cmocka_unit_test(test_not_equal),
		cmocka_unit_test(test_functions),
		cmocka_unit_test(test_explain),
		cmocka_unit_test(test_parse_errors),
		cmocka_unit_test(test_parse_limits),
		cmocka_unit_test(test_eval_errors),
		cmocka_unit_test(test_shared_index),
		cmocka_unit_test(test_threads),
		cmocka_unit_test(test_limits_same_values),
		cmocka_unit_test(test_limits_deadline),
		cmocka_unit_test(test_limits_memory),
		cmocka_unit_test(test_hostile),
		cmocka_unit_test(test_lists_and_text),
		cmocka_unit_test(test_filters),
		cmocka_unit_test(test_regressions),
	};
	return cmocka_run_group_tests(tests, NULL, free_caps);
}
