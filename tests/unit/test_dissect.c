/*
 * test_dissect.c - every dissector against tshark, on captures the project made.
 *
 * For each tests/data/NAME.pcap(ng) with a NAME.fields beside it (written once
 * from tshark 4.0 by tests/tools/mkexpect.sh), every frame is dissected and:
 *  - each field tshark shows for the protocols listed in NAME.fields must be
 *    in our tree at the same position, with the same value and label;
 *  - each packet-list line of NAME.list whose protocol we dissect must be
 *    identical to ours;
 *  - NAME.text, when every frame's protocols are ours, must equal our -V text.
 * No tshark is needed at test time.
 */
#include <dirent.h>
#include <unistd.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "internal.h"
#include "testutil.h"

/* Protocol columns of the layers this library dissects today. */
static const char *const our_protos[] = {
	"TCP", "UDP", "ICMP", "ICMPv6", "IPv4", "IPv6", "Ethernet", "SLL", "NULL", "LOOP", "Raw", "VLAN",
	"TLSv1.2", "TLSv1.3", "TLSv1", "SSL", "SMTP", "SMTP/IMF", "HTTP2", "HTTP", "HTTP/JSON", "HTTP/XML", "SSH", "SSHv2", "SSHv1", "TELNET", "DNS", "MDNS", "LLMNR", "WebSocket", NULL,
};

static int
ours(const char *proto)
{
	for (int i = 0; our_protos[i]; i++)
		if (!strcmp(our_protos[i], proto))
			return 1;
	return 0;
}

/* As the expected lines were made: the PDML attribute read back by an XML
 * parser (a CR LF, CR, LF or tab becomes one space), then escaped as
 * pdml2fields.py does. */
static void
esc(struct tq_sbuf *out, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		switch (s[i]) {
		case '\\': tq_sbuf_puts(out, "\\\\"); break;
		case '\r':
			if (i + 1 < n && s[i + 1] == '\n')
				i++;
			tq_sbuf_putc(out, ' ');
			break;
		case '\t':
		case '\n': tq_sbuf_putc(out, ' '); break;
		default:
			/* tshark's PDML writes the other controls as \x1b, a backslash pdml2fields doubles */
			if ((unsigned char)s[i] < 0x20)
				tq_sbuf_printf(out, "\\\\x%x", (unsigned char)s[i]);
			else
				tq_sbuf_putc(out, s[i]);
			break;
		}
	}
}

/* Our tree as pdml2fields.py lines: frame, proto, name, pos, size, show, showname.
 * up is the parent (NULL at the top): positions are PDML's (tq_node_pdml_pos). */
static void
flatten(const struct tq_node *up, const struct tq_node *n, const char *proto, uint32_t num, struct tq_sbuf *out,
    struct tq_sbuf *tmp)
{
	for (; n; n = n->next) {
		const char *top = proto;
		if (n->f && n->f->type == FT_PROTOCOL && !(n->flags & NF_EXPERT) && n->f != &tq_hf_data_proto)
			top = n->f->abbrev;
		if (!proto[0] && n->f == &tq_hf_data_proto)
			top = "fake-field-wrapper";
		if (n->f && !(n->flags & NF_HIDDEN)) {
			int data = n->f == &tq_hf_data_proto;
			tq_sbuf_printf(out, "%u\t%s\t%s\t%u\t%u\t", num, top, n->f->abbrev,
			    data ? 0 : tq_node_pdml_pos(up, n), data ? 0 : n->len);
			tq_sbuf_reset(tmp);
			if (!data)
				tq_node_show(n, tmp);
			esc(out, tmp->s ? tmp->s : "", tmp->len);
			tq_sbuf_putc(out, '\t');
			tq_sbuf_reset(tmp);
			if (!data)
				tq_node_label(n, tmp);
			esc(out, tmp->s ? tmp->s : "", tmp->len);
			tq_sbuf_putc(out, '\n');
		}
		flatten(n, n->child, top, num, out, tmp);
	}
}

struct line {
	char *s;
	int used;
};

static size_t
split_lines(char *buf, struct line **out)
{
	size_t n = 0, cap = 64;
	struct line *v = malloc(cap * sizeof(*v));
	for (char *p = buf; p && *p;) {
		char *nl = strchr(p, '\n');
		if (nl)
			*nl = '\0';
		if (n == cap) {
			cap *= 2;
			v = realloc(v, cap * sizeof(*v));
		}
		v[n].s = p;
		v[n].used = 0;
		n++;
		p = nl ? nl + 1 : NULL;
	}
	*out = v;
	return n;
}

/* The key of a field line: its first five columns (frame, proto, name, pos, size). */
static size_t
key_len(const char *s)
{
	const char *p = s;
	for (int tabs = 0; *p; p++)
		if (*p == '\t' && ++tabs == 5)
			return (size_t)(p - s);
	return strlen(s);
}

static int
check_fields(const char *name, const char *expect_path, struct tq_capture *cap)
{
	char *want = tq_test_slurp(expect_path, NULL);
	if (!want)
		return 0;
	struct tq_sbuf got, tmp;
	tq_sbuf_init(&got, 0);
	tq_sbuf_init(&tmp, 0);
	for (uint32_t i = 1; i <= tq_capture_count(cap); i++) {
		int e;
		struct tq_tree *t = tq_dissect(cap, i, &e);
		assert_non_null(t);
		flatten(NULL, t->root.child, "", i, &got, &tmp);
		tq_tree_free(t);
	}
	struct line *wl, *gl;
	size_t nw = split_lines(want, &wl);
	char *gbuf = strdup(tq_sbuf_str(&got));
	size_t ng = split_lines(gbuf, &gl);
	int bad = 0;
	size_t from = 0;
	for (size_t i = 0; i < nw; i++) {
		size_t kl = key_len(wl[i].s);
		size_t j, k;
		/* ours come in the same order; search onwards from the last match, then all */
		for (k = 0, j = from; k < ng; k++, j = (j + 1) % ng)
			if (!gl[j].used && key_len(gl[j].s) == kl && !strncmp(gl[j].s, wl[i].s, kl))
				break;
		if (k == ng) {
			if (bad++ < 15)
				print_message("%s: missing: %s\n", name, wl[i].s);
			continue;
		}
		gl[j].used = 1;
		from = j;
		if (strcmp(gl[j].s, wl[i].s) != 0 && bad++ < 15)
			print_message("%s: differs:\n  tshark %s\n  ours   %s\n", name, wl[i].s, gl[j].s);
	}
	free(wl);
	free(gl);
	free(gbuf);
	free(want);
	tq_sbuf_free(&got);
	tq_sbuf_free(&tmp);
	return bad;
}

/* The protocol column of a tshark packet-list line. */
static void
line_proto(const char *line, char *proto, size_t len)
{
	char buf[8192];
	snprintf(buf, sizeof(buf), "%s", line);
	char *save = NULL, *tok[8] = { 0 };
	int n = 0;
	for (char *p = strtok_r(buf, " ", &save); p && n < 8; p = strtok_r(NULL, " ", &save))
		tok[n++] = p;
	const char *pr = n > 5 && !strcmp(tok[3], "\xe2\x86\x92") ? tok[5] : n > 4 ? tok[4] : "";
	snprintf(proto, len, "%s", pr ? pr : "");
}

static int
check_list(const char *name, const char *expect_path, struct tq_capture *cap, int *all_ours)
{
	char *want = tq_test_slurp(expect_path, NULL);
	*all_ours = 1;
	if (!want)
		return 0;
	struct line *wl;
	size_t nw = split_lines(want, &wl);
	int bad = 0;
	struct tq_sbuf scratch, line;
	tq_sbuf_init(&scratch, 0);
	tq_sbuf_init(&line, 0);
	assert_int_equal(nw, tq_capture_count(cap));
	for (size_t i = 0; i < nw; i++) {
		char proto[64];
		line_proto(wl[i].s, proto, sizeof(proto));
		if (!ours(proto)) {
			*all_ours = 0;
			continue;
		}
		struct tq_columns cols;
		assert_int_equal(tq_columns_get(cap, (uint32_t)i + 1, &cols, &scratch), 0);
		tq_sbuf_reset(&line);
		tq_columns_line(&cols, &line);
		line.s[--line.len] = '\0';           /* the newline */
		if (strcmp(line.s, wl[i].s) != 0 && bad++ < 10)
			print_message("%s: packet list differs:\n  tshark %s\n  ours   %s\n", name, wl[i].s, line.s);
	}
	free(wl);
	free(want);
	tq_sbuf_free(&scratch);
	tq_sbuf_free(&line);
	return bad;
}

static int
check_text(const char *name, const char *expect_path, struct tq_capture *cap)
{
	char *want = tq_test_slurp(expect_path, NULL);
	if (!want)
		return 0;
	struct tq_sbuf got;
	tq_sbuf_init(&got, 0);
	for (uint32_t i = 1; i <= tq_capture_count(cap); i++) {
		int e;
		struct tq_tree *t = tq_dissect(cap, i, &e);
		assert_non_null(t);
		tq_write_text(t, &got);
		tq_tree_free(t);
	}
	int bad = 0;
	const char *a = want, *b = tq_sbuf_str(&got);
	for (int ln = 1; *a || *b; ln++) {
		const char *ea = strchr(a, '\n'), *eb = strchr(b, '\n');
		size_t la = ea ? (size_t)(ea - a) : strlen(a), lb = eb ? (size_t)(eb - b) : strlen(b);
		if (la != lb || memcmp(a, b, la) != 0) {
			print_message("%s: text differs at line %d:\n  tshark %.*s\n  ours   %.*s\n", name, ln,
			    (int)la, a, (int)lb, b);
			bad = 1;
			break;
		}
		a = ea ? ea + 1 : a + la;
		b = eb ? eb + 1 : b + lb;
	}
	free(want);
	tq_sbuf_free(&got);
	return bad;
}

/* NAME.decode beside a capture: tshark's -d rules it was dissected with, one per line. */
static void
decode_rules(const char *base, struct tq_decode_as *rules, struct tq_open_opts *o)
{
	char path[1100], line[200], err[400];
	snprintf(path, sizeof(path), "%s.decode", base);
	o->decode_as = rules;
	o->ndecode_as = 0;
	FILE *fp = fopen(path, "r");
	if (!fp)
		return;
	while (fgets(line, sizeof(line), fp) && o->ndecode_as < TQ_MAX_DECODE_AS) {
		line[strcspn(line, "\r\n")] = '\0';
		if (!line[0])
			continue;
		if (tq_decode_as_parse(line, &rules[o->ndecode_as], err, sizeof(err)) != 0)
			fail_msg("%s: %s", path, err);
		o->ndecode_as++;
	}
	fclose(fp);
}

static void
test_captures_match_tshark(void **state)
{
	(void)state;
	const char *dir = tq_test_data_dir();
	DIR *d = opendir(dir);
	assert_non_null(d);
	struct dirent *de;
	int checked = 0, failed = 0;
	while ((de = readdir(d))) {
		const char *dot = strrchr(de->d_name, '.');
		if (!dot || (strcmp(dot, ".pcap") && strcmp(dot, ".pcapng")))
			continue;
		char base[1024], path[1100], exp[1100];
		snprintf(base, sizeof(base), "%s/%.*s", dir, (int)(dot - de->d_name), de->d_name);
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		snprintf(exp, sizeof(exp), "%s.fields", base);
		if (access(exp, R_OK) != 0)
			continue;
		char err[256];
		struct tq_capture *cap;
		struct tq_decode_as rules[TQ_MAX_DECODE_AS];
		struct tq_open_opts o;
		decode_rules(base, rules, &o);
		assert_int_equal(tq_capture_open_file_opts(path, &o, &cap, err, sizeof(err)), 0);
		int bad = check_fields(de->d_name, exp, cap);
		int all_ours;
		snprintf(exp, sizeof(exp), "%s.list", base);
		bad += check_list(de->d_name, exp, cap, &all_ours);
		snprintf(exp, sizeof(exp), "%s.text", base);
		if (all_ours)
			bad += check_text(de->d_name, exp, cap);
		if (bad) {
			print_message("%s: %d difference(s) with tshark\n", de->d_name, bad);
			failed++;
		}
		checked++;
		tq_capture_free(cap);
	}
	closedir(d);
	print_message("compared %d captures with tshark's output, %d differ\n", checked, failed);
	assert_true(checked > 0);
	assert_int_equal(failed, 0);
}

/* A frame's tree carries the positions the hex pane needs: children lie inside their protocol. */
static void
test_positions_nest(void **state)
{
	(void)state;
	char path[1024];
	snprintf(path, sizeof(path), "%s/%s", tq_test_data_dir(), "tcp-handshake-eth-ipv4.pcap");
	struct tq_capture *cap;
	char err[256];
	if (tq_capture_open_file(path, &cap, err, sizeof(err)) != 0)
		skip();
	for (uint32_t i = 1; i <= tq_capture_count(cap); i++) {
		struct tq_tree *t = tq_dissect(cap, i, NULL);
		uint32_t caplen;
		tq_capture_frame_bytes(cap, i, &caplen);
		for (const struct tq_node *p = t->root.child; p; p = p->next) {
			assert_true(p->pos + p->len <= caplen);
			for (const struct tq_node *c = p->child; c; c = c->next)
				if (c->len && c->ds == p->ds)
					assert_true(c->pos >= p->pos && c->pos + c->len <= caplen);
		}
		tq_tree_free(t);
	}
	tq_capture_free(cap);
}

/* The value of the first field named abbrev in frame num's tree, -1 if none. */
static int64_t
field_value(struct tq_capture *cap, uint32_t num, const char *abbrev)
{
	struct tq_tree *t = tq_dissect(cap, num, NULL);
	assert_non_null(t);
	const struct tq_node *stack[64];
	int sp = 0;
	int64_t v = -1;
	for (const struct tq_node *n = t->root.child; n || sp;) {
		if (!n) {
			n = stack[--sp]->next;
			continue;
		}
		if (n->f && !strcmp(n->f->abbrev, abbrev)) {
			v = (int64_t)n->v.u;
			break;
		}
		if (n->child && sp < 64) {
			stack[sp++] = n;
			n = n->child;
		} else {
			n = n->next;
		}
	}
	tq_tree_free(t);
	return v;
}

/* tq.from_client: the side that sent the first SYN (TCP) or datagram (UDP) is the client. */
static void
test_from_client(void **state)
{
	(void)state;
	char path[1024];
	struct tq_capture *cap;
	char err[256];

	snprintf(path, sizeof(path), "%s/%s", tq_test_data_dir(), "tcp-handshake-eth-ipv4.pcap");
	assert_int_equal(tq_capture_open_file(path, &cap, err, sizeof(err)), 0);
	assert_int_equal(field_value(cap, 1, "tcp.flags.syn"), 1);
	assert_int_equal(field_value(cap, 1, "tq.from_client"), 1);    /* SYN */
	assert_int_equal(field_value(cap, 2, "tq.from_client"), 0);    /* SYN, ACK */
	assert_int_equal(field_value(cap, 3, "tq.from_client"), 1);    /* ACK */
	tq_capture_free(cap);

	snprintf(path, sizeof(path), "%s/%s", tq_test_data_dir(), "udp-eth-ipv4.pcap");
	assert_int_equal(tq_capture_open_file(path, &cap, err, sizeof(err)), 0);
	assert_int_equal(field_value(cap, 1, "udp.srcport"), 50004);
	assert_int_equal(field_value(cap, 1, "tq.from_client"), 1);    /* the first datagram */
	assert_int_equal(field_value(cap, 2, "tq.from_client"), 0);    /* the answer */
	tq_capture_free(cap);
}

/* ENC_UTF_8 strings: one U+FFFD for each maximal ill-formed part, as Wireshark 4.0. */
static void
test_utf8_strings(void **state)
{
	(void)state;
#define R "\xef\xbf\xbd"
	static const struct { const char *in; size_t n; const char *out; } cases[] = {
		{ "abc", 3, "abc" },
		{ "\xc3\xa9t\xc3\xa9", 6, "\xc3\xa9t\xc3\xa9" },
		{ "\xf0\x9f\x98\x80!", 5, "\xf0\x9f\x98\x80!" },
		{ "\xe0\x80\x80", 3, R R R },                /* overlong: E0 wants A0..BF next */
		{ "\xed\xa0\x80", 3, R R R },                /* a surrogate */
		{ "\xf4\x90\x80\x80", 4, R R R R },          /* past U+10FFFF */
		{ "\xf8\x88\x80\x80\x80", 5, R R R R R },   /* no five-byte forms */
		{ "\xf0\x9f\x98", 3, R },                    /* cut short: one part */
		{ "\xe2\x82" "A", 3, R "A" },
		{ "\xc0\xaf", 2, R R },
		{ "a\0b", 3, "a" },                           /* up to a NUL */
	};
#undef R
	struct tq_arena a;
	tq_arena_init(&a, 0);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *got = tq_utf8_string(&a, (const uint8_t *)cases[i].in, cases[i].n);
		assert_non_null(got);
		assert_string_equal(got, cases[i].out);
	}
	tq_arena_free(&a);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_captures_match_tshark),
		cmocka_unit_test(test_positions_nest),
		cmocka_unit_test(test_from_client),
		cmocka_unit_test(test_utf8_strings),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
