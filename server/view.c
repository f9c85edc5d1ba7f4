/*
 * view.c - what a student sees of a frame: the exercise's view applied.
 *
 * Three kinds of field lose their value: those a field question hides in
 * this frame (shown "??"), those the view redacts in every frame
 * ("(redacted)"), and, in a frame dealt to another place by an order
 * question, the numbers that would tell its place (sequence and
 * acknowledgment numbers, TCP timestamps, SACK edges, IPv4
 * identification, ICMP sequence numbers).  Such a field loses its label's
 * value, its "v", its children and its bytes ("??" in the hex), and hiding
 * is total within the frame: the restatement table below says, field by
 * field, where else the frame says the value (a twin such as tcp.seq_raw,
 * a generated field computed from it such as tcp.nxtseq, the words of a
 * summary line such as "Seq: " or "TSecr ", the flags summaries, the
 * packet list's Info column), and each is masked there too, in the tree
 * (labels and values) and in the packet-list row.  A masked value of three
 * characters or more (an address, a port) is also masked wherever it
 * stands as a word.  Excluded fields are left out; a dealt frame also loses
 * its times and the fields that name other frames.  Other frames are left
 * as they are.
 *
 * This is masking after the fact, on the library's JSON and columns: the
 * dissectors write their summaries unaware of the view, so the table must
 * follow their wording (doc/exercises.md, "What hiding masks", and
 * tests/integration/test_hiding.py check it field by field).
 */
#include "config.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "server.h"

/* The numbers that give a dealt frame's place away. */
static const char *const dealt_mask[] = {
	"tcp.seq", "tcp.seq_raw", "tcp.nxtseq", "tcp.ack", "tcp.ack_raw", "tcp.options.timestamp.tsval",
	"tcp.options.timestamp.tsecr", "tcp.options.sack_le", "tcp.options.sack_re", "tcp.options.sack.dsack_le",
	"tcp.options.sack.dsack_re", "ip.id", "icmp.seq", "icmp.seq_le", "icmpv6.echo.sequence_number", NULL,
};

/* What a dealt frame does not show at all: its times and the fields that name other frames. */
static const char *const dealt_drop[] = {
	"frame.time", "frame.time_epoch", "frame.time_delta", "frame.time_delta_displayed", "frame.time_relative",
	"frame.offset_shift", "frame.number", "tcp.time_relative", "tcp.time_delta", "tcp.analysis", "tcp.reassembled_in",
	"tcp.segments", "ip.reassembled_in", "ipv6.reassembled_in", "udp.time_relative", "udp.time_delta", NULL,
};

/*
 * How a frame says a field's value again, field by field: the restatement
 * table.  A field the view masks takes along, in its frame only, the items
 * that hold its value in another form (R_TWIN: tcp.seq_raw), the generated
 * items computed from it (R_DERIVED: tcp.nxtseq from tcp.seq, tcp.len and
 * the SYN and FIN flags), the items whose mere presence tells it (R_DROP:
 * an ICMPv6 echo's "Response In" says it is a request) and, in the labels
 * of the tree and in the packet list's Info column, the words that quote it
 * (R_AFTER, R_WORD, R_ARROW, R_FLAG, R_NAMED).  A masked value of three
 * characters or more is also masked wherever it stands as a word.
 */
enum restate_how {
	R_TWIN,         /* other holds the same value in another form: masked as the field */
	R_ALIAS,        /* other is a filter alias (tcp.port): masked where it holds the field's value */
	R_DERIVED,      /* other is computed from the field: masked as the field */
	R_DROP,         /* other tells the field's value by being there: left out */
	R_AFTER,        /* the word after text, in the labels of other (NULL: any label; INFO: the Info column) */
	R_WORD,         /* the words text themselves, in other */
	R_SAID,         /* as R_AFTER, and said ("??") where the frame leaves it out (the said[] table) */
	R_ARROW,        /* the Info column's port before ("<") or after (">") its arrow */
	R_FLAG,         /* a TCP flag (bits): its name (text) in the flags summaries, its letter in tcp.flags.str */
	R_NAMED,        /* the name of its value ("Echo (ping) request"), wherever the frame says it */
};

#define INFO "#info"

static const struct restate {
	const char *field;
	enum restate_how how;
	const char *other;
	const char *text;
	unsigned bits;
} restate[] = {
	/* TCP: "Transmission Control Protocol, Src Port: 37652, Dst Port: 50001, Seq: 0, Ack: 1, Len: 0",
	 * "37652 → 50001 [SYN, ACK] Seq=0 Ack=1 Win=65160 Len=0 MSS=1460 SACK_PERM TSval=1 TSecr=0 WS=1024" */
	{ "tcp.srcport", R_ALIAS, "tcp.port", NULL, 0 },
	{ "tcp.srcport", R_AFTER, "tcp", "Src Port: ", 0 },
	{ "tcp.srcport", R_AFTER, NULL, "server port ", 0 },
	{ "tcp.srcport", R_ARROW, INFO, "<", 0 },
	{ "tcp.dstport", R_ALIAS, "tcp.port", NULL, 0 },
	{ "tcp.dstport", R_AFTER, "tcp", "Dst Port: ", 0 },
	{ "tcp.dstport", R_AFTER, NULL, "server port ", 0 },
	{ "tcp.dstport", R_ARROW, INFO, ">", 0 },
	{ "tcp.seq", R_TWIN, "tcp.seq_raw", NULL, 0 },
	{ "tcp.seq", R_DERIVED, "tcp.nxtseq", NULL, 0 },
	{ "tcp.seq", R_AFTER, "tcp", "Seq: ", 0 },
	{ "tcp.seq", R_AFTER, INFO, "Seq=", 0 },
	{ "tcp.ack", R_TWIN, "tcp.ack_raw", NULL, 0 },
	{ "tcp.ack", R_AFTER, "tcp", "Ack: ", 0 },
	{ "tcp.ack", R_AFTER, INFO, "Ack=", 0 },
	{ "tcp.len", R_DERIVED, "tcp.nxtseq", NULL, 0 },
	{ "tcp.len", R_DERIVED, "tcp.analysis.bytes_in_flight", NULL, 0 },
	{ "tcp.len", R_DERIVED, "tcp.analysis.push_bytes_sent", NULL, 0 },
	{ "tcp.len", R_DERIVED, "data.len", NULL, 0 },
	{ "tcp.len", R_AFTER, "tcp", "Len: ", 0 },
	{ "tcp.len", R_AFTER, "tcp.payload", "TCP payload (", 0 },
	{ "tcp.len", R_AFTER, "tcp.segment_data", "TCP segment data (", 0 },
	{ "tcp.len", R_AFTER, "data", "Data (", 0 },
	{ "tcp.len", R_AFTER, INFO, "Len=", 0 },
	{ "tcp.window_size_value", R_DERIVED, "tcp.window_size", NULL, 0 },
	{ "tcp.window_size", R_AFTER, INFO, "Win=", 0 },
	{ "tcp.window_size_value", R_AFTER, INFO, "Win=", 0 },
	{ "tcp.urgent_pointer", R_AFTER, INFO, "Urg=", 0 },
	{ "tcp.flags.fin", R_FLAG, "tcp.flags", "FIN", 0x001 },
	{ "tcp.flags.syn", R_FLAG, "tcp.flags", "SYN", 0x002 },
	{ "tcp.flags.reset", R_FLAG, "tcp.flags", "RST", 0x004 },
	{ "tcp.flags.push", R_FLAG, "tcp.flags", "PSH", 0x008 },
	{ "tcp.flags.ack", R_FLAG, "tcp.flags", "ACK", 0x010 },
	{ "tcp.flags.urg", R_FLAG, "tcp.flags", "URG", 0x020 },
	{ "tcp.flags.ece", R_FLAG, "tcp.flags", "ECE", 0x040 },
	{ "tcp.flags.cwr", R_FLAG, "tcp.flags", "CWR", 0x080 },
	{ "tcp.flags.ae", R_FLAG, "tcp.flags", "AE", 0x100 },
	{ "tcp.flags.res", R_FLAG, "tcp.flags", "Reserved", 0xe00 },
	/* SYN and FIN count in the next sequence number; the conversation's completeness lists the flags seen */
	{ "tcp.flags.syn", R_DERIVED, "tcp.nxtseq", NULL, 0 },
	{ "tcp.flags.fin", R_DERIVED, "tcp.nxtseq", NULL, 0 },
	{ "tcp.flags.fin", R_DERIVED, "tcp.completeness", NULL, 0 },
	{ "tcp.flags.syn", R_DERIVED, "tcp.completeness", NULL, 0 },
	{ "tcp.flags.reset", R_DERIVED, "tcp.completeness", NULL, 0 },
	{ "tcp.flags.ack", R_DERIVED, "tcp.completeness", NULL, 0 },
	{ "tcp.flags.push", R_DERIVED, "tcp.completeness", NULL, 0 },
	/* without ACK the frame says no acknowledgment number: it says "??" whether it is set or not */
	{ "tcp.flags.ack", R_DERIVED, "tcp.ack", NULL, 0 },
	{ "tcp.flags.ack", R_DERIVED, "tcp.ack_raw", NULL, 0 },
	{ "tcp.flags.ack", R_DROP, "tcp.analysis.acks_frame", NULL, 0 },
	{ "tcp.flags.ack", R_DROP, "tcp.analysis.ack_rtt", NULL, 0 },
	{ "tcp.flags.ack", R_SAID, "tcp", ", Ack: ", 0 },
	{ "tcp.flags.ack", R_SAID, INFO, " Ack=", 0 },
	{ "tcp.flags.urg", R_SAID, INFO, " Urg=", 0 },
	/* options: "TCP Option - Timestamps: TSval 982314545, TSecr 3537797759" */
	{ "tcp.options.mss_val", R_AFTER, NULL, "Maximum segment size: ", 0 },
	{ "tcp.options.mss_val", R_AFTER, INFO, "MSS=", 0 },
	{ "tcp.options.wscale.shift", R_DERIVED, "tcp.options.wscale.multiplier", NULL, 0 },
	{ "tcp.options.wscale.shift", R_AFTER, NULL, "Window scale: ", 0 },
	{ "tcp.options.wscale.multiplier", R_AFTER, NULL, "multiply by ", 0 },
	{ "tcp.options.wscale.multiplier", R_AFTER, INFO, "WS=", 0 },
	{ "tcp.options.timestamp.tsval", R_AFTER, NULL, "TSval ", 0 },
	{ "tcp.options.timestamp.tsval", R_AFTER, INFO, "TSval=", 0 },
	{ "tcp.options.timestamp.tsecr", R_AFTER, NULL, "TSecr ", 0 },
	{ "tcp.options.timestamp.tsecr", R_AFTER, INFO, "TSecr=", 0 },
	{ "tcp.options.sack_le", R_AFTER, INFO, "SLE=", 0 },
	{ "tcp.options.sack_re", R_AFTER, INFO, "SRE=", 0 },
	/* UDP: "User Datagram Protocol, Src Port: 50004, Dst Port: 50003", "50004 → 50003 Len=300" */
	{ "udp.srcport", R_ALIAS, "udp.port", NULL, 0 },
	{ "udp.srcport", R_AFTER, "udp", "Src Port: ", 0 },
	{ "udp.srcport", R_ARROW, INFO, "<", 0 },
	{ "udp.dstport", R_ALIAS, "udp.port", NULL, 0 },
	{ "udp.dstport", R_AFTER, "udp", "Dst Port: ", 0 },
	{ "udp.dstport", R_ARROW, INFO, ">", 0 },
	{ "udp.length", R_DERIVED, "data.len", NULL, 0 },
	{ "udp.length", R_AFTER, "udp.payload", "UDP payload (", 0 },
	{ "udp.length", R_AFTER, "data", "Data (", 0 },
	{ "udp.length", R_AFTER, INFO, "Len=", 0 },
	/* IPv4: "Internet Protocol Version 4, Src: 192.0.2.1, Dst: 192.0.2.2" */
	{ "ip.src", R_TWIN, "ip.src_host", NULL, 0 },
	{ "ip.src", R_ALIAS, "ip.addr", NULL, 0 },
	{ "ip.src", R_ALIAS, "ip.host", NULL, 0 },
	{ "ip.src", R_AFTER, "ip", "Src: ", 0 },
	{ "ip.dst", R_TWIN, "ip.dst_host", NULL, 0 },
	{ "ip.dst", R_ALIAS, "ip.addr", NULL, 0 },
	{ "ip.dst", R_ALIAS, "ip.host", NULL, 0 },
	{ "ip.dst", R_AFTER, "ip", "Dst: ", 0 },
	/* a protocol number's name ("Protocol: UDP (17)") is said by the Protocol column too */
	{ "ip.proto", R_NAMED, NULL, NULL, 0 },
	{ "ip.ttl", R_AFTER, INFO, "ttl=", 0 },
	{ "ip.id", R_AFTER, INFO, "ID=", 0 },
	{ "ip.frag_offset", R_AFTER, INFO, "off=", 0 },
	/* IPv6: "Internet Protocol Version 6, Src: fd00:9::1, Dst: fd00:9::2",
	 * "IPv6 fragment (off=1232 more=y ident=0x243aa276 nxt=17)", "[Frame: 2, payload: 1232-2463 (1232 bytes)]" */
	{ "ipv6.src", R_TWIN, "ipv6.src_host", NULL, 0 },
	{ "ipv6.src", R_ALIAS, "ipv6.addr", NULL, 0 },
	{ "ipv6.src", R_ALIAS, "ipv6.host", NULL, 0 },
	{ "ipv6.src", R_AFTER, "ipv6", "Src: ", 0 },
	{ "ipv6.dst", R_TWIN, "ipv6.dst_host", NULL, 0 },
	{ "ipv6.dst", R_ALIAS, "ipv6.addr", NULL, 0 },
	{ "ipv6.dst", R_ALIAS, "ipv6.host", NULL, 0 },
	{ "ipv6.dst", R_AFTER, "ipv6", "Dst: ", 0 },
	{ "ipv6.nxt", R_NAMED, NULL, NULL, 0 },
	{ "ipv6.fraghdr.nxt", R_NAMED, NULL, NULL, 0 },
	{ "ipv6.hlim", R_AFTER, INFO, "hop limit=", 0 },
	{ "ipv6.fraghdr.offset", R_AFTER, INFO, "off=", 0 },
	{ "ipv6.fraghdr.offset", R_AFTER, "ipv6.fragment", "Frame: #, payload: ", 0 },
	{ "ipv6.fraghdr.more", R_AFTER, INFO, "more=", 0 },
	{ "ipv6.fraghdr.ident", R_AFTER, INFO, "ident=", 0 },
	{ "ipv6.fraghdr.nxt", R_AFTER, INFO, "nxt=", 0 },
	/* ICMP and ICMPv6: "Echo (ping) request id=0x6c0c, seq=1, hop limit=64 (reply in 4)" */
	{ "icmpv6.type", R_NAMED, NULL, NULL, 0 },
	{ "icmpv6.type", R_WORD, INFO, "request", 0 },
	{ "icmpv6.type", R_WORD, INFO, "reply", 0 },
	{ "icmpv6.type", R_DROP, "icmpv6.resp_in", NULL, 0 },
	{ "icmpv6.type", R_DROP, "icmpv6.resp_to", NULL, 0 },
	{ "icmpv6.type", R_DROP, "icmpv6.resptime", NULL, 0 },
	{ "icmpv6.echo.identifier", R_AFTER, INFO, "id=", 0 },
	{ "icmpv6.echo.sequence_number", R_AFTER, INFO, "seq=", 0 },
	{ "icmp.type", R_NAMED, NULL, NULL, 0 },
	{ "icmp.type", R_WORD, INFO, "request", 0 },
	{ "icmp.type", R_WORD, INFO, "reply", 0 },
	{ "icmp.type", R_DROP, "icmp.resp_in", NULL, 0 },
	{ "icmp.type", R_DROP, "icmp.resp_to", NULL, 0 },
	{ "icmp.type", R_DROP, "icmp.resptime", NULL, 0 },
	{ "icmp.ident", R_AFTER, INFO, "id=", 0 },
	{ "icmp.seq", R_AFTER, INFO, "seq=", 0 },
	{ "icmp.seq_le", R_AFTER, INFO, "seq=", 0 },
};

#define N_RESTATE (sizeof(restate) / sizeof(restate[0]))

/* Where an R_SAID item goes when the frame leaves it out: after the word that follows `after`. */
static const struct {
	const char *text, *after;
} said[] = {
	{ ", Ack: ", "Seq: " }, { " Ack=", "Seq=" }, { " Urg=", "Win=" },
};

static const char *
said_after(const char *text)
{
	for (size_t k = 0; k < sizeof(said) / sizeof(said[0]); k++)
		if (!strcmp(said[k].text, text))
			return said[k].after;
	return NULL;
}

/* The field a masked value's name is remembered under (struct view_masks). */
#define NAME_OF "#name"

static int
in_list(const json_t *list, const char *s)
{
	size_t i;
	json_t *v;
	json_array_foreach(list, i, v)
		if (json_is_string(v) && !strcmp(json_string_value(v), s))
			return 1;
	return 0;
}

static int
in_names(const char *const *names, const char *s)
{
	for (int k = 0; names[k]; k++)
		if (!strcmp(names[k], s))
			return 1;
	return 0;
}

void
view_rules(const struct loaded *l, uint32_t real, int dealt, struct view_rules *vr)
{
	memset(vr, 0, sizeof(*vr));
	const json_t *doc = l->ex ? tq_exercise_doc(l->ex) : NULL;
	json_t *view = json_object_get(doc, "view");
	vr->exclude = json_object_get(view, "exclude");
	vr->redact = json_object_get(view, "redact");
	vr->dealt = dealt;
	vr->hidden = json_array();
	char key[16];
	snprintf(key, sizeof(key), "%u", real);
	size_t i;
	json_t *q;
	json_array_foreach(json_object_get(doc, "questions"), i, q) {
		size_t k;
		json_t *f;
		json_array_foreach(json_object_get(json_object_get(q, "hide"), key), k, f)
			json_array_append(vr->hidden, f);
	}
}

void
view_rules_free(struct view_rules *vr)
{
	json_decref(vr->hidden);
	vr->hidden = NULL;
}

int
view_masks_anything(const struct view_rules *vr)
{
	return vr->dealt || json_array_size(vr->hidden) || json_array_size(vr->redact);
}

/* How field f itself is masked: 0 not, 'h' hidden ("??"), 'r' redacted. */
static int
direct_kind(const struct view_rules *vr, const char *f)
{
	if (in_list(vr->hidden, f) || (vr->dealt && in_names(dealt_mask, f)))
		return 'h';
	return in_list(vr->redact, f) ? 'r' : 0;
}

/* How field f is masked, itself or as the twin of, or computed from, a masked field. */
static int
mask_kind(const struct view_rules *vr, const char *f)
{
	int kind = direct_kind(vr, f);
	for (size_t k = 0; k < N_RESTATE && kind != 'h'; k++) {
		if ((restate[k].how != R_TWIN && restate[k].how != R_DERIVED) || strcmp(restate[k].other, f))
			continue;
		int by = direct_kind(vr, restate[k].field);
		if (by == 'h' || (by && !kind))
			kind = by;
	}
	return kind;
}

/* Whether field f tells, by being there, the value of a masked field (R_DROP). */
static int
dropped(const struct view_rules *vr, const char *f)
{
	for (size_t k = 0; k < N_RESTATE; k++)
		if (restate[k].how == R_DROP && !strcmp(restate[k].other, f) && direct_kind(vr, restate[k].field))
			return 1;
	return 0;
}

/* Whether the rules mask a field whose value has a name to mask too (R_NAMED). */
static int
masks_named(const struct view_rules *vr)
{
	for (size_t k = 0; k < N_RESTATE; k++)
		if (restate[k].how == R_NAMED && direct_kind(vr, restate[k].field))
			return 1;
	return 0;
}

static int
has_how(const char *f, enum restate_how how)
{
	for (size_t k = 0; k < N_RESTATE; k++)
		if (restate[k].how == how && !strcmp(restate[k].field, f))
			return 1;
	return 0;
}

static void
remember(struct view_masks *ms, const char *field, const char *value)
{
	if (ms->n == sizeof(ms->m) / sizeof(ms->m[0]) || !value || !*value)
		return;
	for (size_t i = 0; i < ms->n; i++)
		if (!strcmp(ms->m[i].field, field) && !strcmp(ms->m[i].value, value))
			return;
	snprintf(ms->m[ms->n].field, sizeof(ms->m[0].field), "%s", field);
	snprintf(ms->m[ms->n].value, sizeof(ms->m[0].value), "%s", value);
	ms->n++;
}

static int
remembered(const struct view_masks *ms, const char *field)
{
	for (size_t i = 0; i < ms->n; i++)
		if (!strcmp(ms->m[i].field, field))
			return 1;
	return 0;
}

/* Whether field f, a filter alias (tcp.port), holds the value of a masked field it stands for. */
static int
alias_masked(const struct view_masks *ms, const char *f, const char *value)
{
	if (!value)
		return 0;
	for (size_t k = 0; k < N_RESTATE; k++) {
		if (restate[k].how != R_ALIAS || strcmp(restate[k].other, f))
			continue;
		for (size_t i = 0; i < ms->n; i++)
			if (!strcmp(ms->m[i].field, restate[k].field) && !strcmp(ms->m[i].value, value))
				return 1;
	}
	return 0;
}

/* ------------------------------------------------------------------ text */

static int
word_char(char c)
{
	return isalnum((unsigned char)c);
}

/* Replaces (*s)[at, at+n) by with; the string is reallocated.  0, or -1 when out of memory (unchanged). */
static int
substitute(char **s, size_t at, size_t n, const char *with)
{
	size_t len = strlen(*s), wn = strlen(with);
	char *t = malloc(len - n + wn + 1);
	if (!t)
		return -1;
	memcpy(t, *s, at);
	memcpy(t + at, with, wn);
	memcpy(t + at + wn, *s + at + n, len - at - n + 1);
	free(*s);
	*s = t;
	return 0;
}

/* Where the word that starts at p ends: a space, a comma, a closing bracket or the end. */
static size_t
word_end(const char *s, size_t p)
{
	while (s[p] && !strchr(" ,;)]", s[p]))
		p++;
	return p;
}

/* v, where it stands as a word (a value of three characters or more). */
static void
mask_value(char **s, const char *v)
{
	size_t vn = strlen(v);
	if (vn < 3 || !strcmp(v, "??"))
		return;
	for (size_t at = 0;;) {
		const char *hit = strstr(*s + at, v);
		if (!hit)
			return;
		size_t p = (size_t)(hit - *s);
		if ((p == 0 || !word_char((*s)[p - 1]) || !word_char(v[0])) &&
		    (!word_char((*s)[p + vn]) || !word_char(v[vn - 1]))) {
			if (substitute(s, p, vn, "??"))
				return;
			at = p + 2;
		} else {
			at = p + 1;
		}
	}
}

/* The word after each `before` in s ("Seq: 0" -> "Seq: ??"), or `before` itself when whole. */
static void
mask_after(char **s, const char *before, int whole)
{
	size_t bn = strlen(before);
	for (size_t at = 0;;) {
		const char *hit = strstr(*s + at, before);
		if (!hit)
			return;
		size_t p = (size_t)(hit - *s);
		if (p > 0 && word_char(before[0]) && word_char((*s)[p - 1])) {
			at = p + 1;
			continue;
		}
		if (whole) {
			if (word_char((*s)[p + bn]) || substitute(s, p, bn, "??"))
				at = p + 1;
			else
				at = p + 2;
			continue;
		}
		size_t from = p + bn, to = word_end(*s, from);
		if (to > from && substitute(s, from, to - from, "??"))
			return;
		at = from + (to > from ? 2 : 0);
	}
}

/* The Info column's source port (left) or destination port (right): "37652 → 50001" */
static void
mask_arrow(char **s, int right)
{
	static const char arrow[] = " \xe2\x86\x92 ";
	const char *hit = strstr(*s, arrow);
	if (!hit)
		return;
	size_t a = (size_t)(hit - *s);
	if (right) {
		size_t from = a + sizeof(arrow) - 1, to = word_end(*s, from);
		if (to > from)
			substitute(s, from, to - from, "??");
	} else {
		size_t from = a;
		while (from > 0 && (*s)[from - 1] != ' ' && (*s)[from - 1] != ']')
			from--;
		if (a > from)
			substitute(s, from, a - from, "??");
	}
}

static const char *const flag_names[] = { "FIN", "SYN", "RST", "PSH", "ACK", "URG", "ECE", "CWR", "AE", "Reserved", "<None>", NULL };

/*
 * A list of TCP flag names (s[from, to): "SYN, ACK") without the hidden ones,
 * and "??" last whether they were set or not: "ACK, ??".  0 when it is not
 * such a list.
 */
static int
mask_flag_list(char **s, size_t from, size_t to, unsigned hidden)
{
	char out[160] = "", item[16];
	size_t k = 0;
	for (size_t p = from; p < to;) {
		size_t e = p;
		while (e < to && (*s)[e] != ',')
			e++;
		if (e - p >= sizeof(item))
			return 0;
		memcpy(item, *s + p, e - p);
		item[e - p] = '\0';
		int i = 0;
		while (flag_names[i] && strcmp(flag_names[i], item))
			i++;
		if (!flag_names[i])
			return 0;
		unsigned bit = i < 9 ? 1u << i : i == 9 ? 0xe00u : 0;
		if (!(bit & hidden) && bit)
			k += (size_t)snprintf(out + k, sizeof(out) - k, "%s, ", item);
		p = e < to ? e + 2 : e;
	}
	snprintf(out + k, sizeof(out) - k, "??");
	return substitute(s, from, to - from, out) == 0;
}

/* The hidden flags in the flags summaries: "Flags: 0x??? (ACK, ??)", "[ACK, ??]", "TCP Flags: ·······A··?·". */
static void
mask_flags(char **s, const char *where, unsigned hidden)
{
	if (!strcmp(where, "tcp.flags")) {
		char *h = strstr(*s, "0x");
		if (h)
			for (char *p = h + 2; isxdigit((unsigned char)*p); p++)
				*p = '?';
		char *open = strrchr(*s, '('), *close = open ? strchr(open, ')') : NULL;
		if (close)
			mask_flag_list(s, (size_t)(open - *s) + 1, (size_t)(close - *s), hidden);
	} else if (!strcmp(where, "tcp.flags.str")) {
		const char *colon = strstr(*s, ": ");
		size_t p = colon ? (size_t)(colon - *s) + 2 : 0;
		/* twelve characters, bit 11 first; "·" is two bytes */
		for (int bit = 11; bit >= 0 && (*s)[p]; bit--) {
			size_t n = ((unsigned char)(*s)[p] & 0x80) ? 2 : 1;
			if (hidden & (1u << bit)) {
				if (substitute(s, p, n, "?"))
					return;
				n = 1;
			}
			p += n;
		}
	} else if (!strcmp(where, INFO)) {
		for (size_t at = 0;;) {
			char *open = strchr(*s + at, '['), *close = open ? strchr(open, ']') : NULL;
			if (!close)
				return;
			size_t from = (size_t)(open - *s) + 1;
			if (mask_flag_list(s, from, (size_t)(close - *s), hidden))
				return;
			at = from;
		}
	}
}

/*
 * s with what restates the masked values of ms masked: malloc'd, or NULL
 * when nothing in s says one.  where is the field of the tree item s labels
 * (NULL for a text item), or INFO for the packet list's columns; frame is
 * the frame's number.
 */
static char *
mask_text(const char *s, const struct view_masks *ms, const char *where, unsigned long frame)
{
	char *out = strdup(s);
	if (!out)
		return NULL;
	int info = where && !strcmp(where, INFO);
	unsigned flags = 0;
	for (size_t i = 0; i < ms->n; i++)
		mask_value(&out, ms->m[i].value);
	for (size_t k = 0; k < N_RESTATE; k++) {
		const struct restate *r = &restate[k];
		if (r->how < R_AFTER || !remembered(ms, r->field))
			continue;
		if (r->how == R_FLAG) {
			flags |= r->bits;
			continue;
		}
		int here = r->other ? where && !strcmp(r->other, where) : !info;
		if (!here)
			continue;
		if (r->how == R_AFTER && strchr(r->text, '#')) {
			char before[64];
			const char *hash = strchr(r->text, '#');
			snprintf(before, sizeof(before), "%.*s%lu%s", (int)(hash - r->text), r->text, frame, hash + 1);
			mask_after(&out, before, 0);
		} else if (r->how == R_AFTER || r->how == R_WORD) {
			mask_after(&out, r->text, r->how == R_WORD);
		} else if (r->how == R_SAID) {
			const char *after = said_after(r->text), *a = after ? strstr(out, after) : NULL;
			if (strstr(out, r->text)) {
				mask_after(&out, r->text, 0);
			} else if (a) {
				char with[64];
				snprintf(with, sizeof(with), "%s??", r->text);
				substitute(&out, word_end(out, (size_t)(a - out) + strlen(after)), 0, with);
			}
		} else if (r->how == R_ARROW) {
			mask_arrow(&out, r->text[0] == '>');
		}
	}
	if (flags && where)
		mask_flags(&out, where, flags);
	if (!strcmp(out, s)) {
		free(out);
		return NULL;
	}
	return out;
}

char *
view_mask_text(const char *s, const struct view_masks *ms)
{
	return mask_text(s, ms, INFO, 0);
}

/* Whether the Info column says field f's value in a way the table knows (a prefix, a word, the arrow, a flag). */
static int
said_in_info(const char *f)
{
	for (size_t k = 0; k < N_RESTATE; k++)
		if (!strcmp(restate[k].field, f) && (restate[k].how == R_FLAG || (restate[k].how >= R_AFTER && restate[k].other &&
		    !strcmp(restate[k].other, INFO))))
			return 1;
	return 0;
}

int
view_row_maskable(const struct view_rules *vr, const struct view_masks *ms)
{
	size_t i;
	json_t *h;
	json_array_foreach(vr->hidden, i, h) {
		const char *f = json_string_value(h);
		if (!f || said_in_info(f))
			continue;
		/* not in the table: found only as a word, which a value of one or two characters is not */
		for (size_t k = 0; k < ms->n; k++)
			if (!strcmp(ms->m[k].field, f) && strlen(ms->m[k].value) < 3)
				return 0;
	}
	return 1;
}

/* ------------------------------------------------------------------ the tree */

/* Masks the bytes [off, off+len) of a source's hex as "??". */
static void
mask_bytes(json_t *sources, json_int_t ds, json_int_t off, json_int_t len)
{
	json_t *src = json_array_get(sources, (size_t)ds);
	const char *hex = json_string_value(json_object_get(src, "bytes"));
	if (!hex || off < 0 || len <= 0)
		return;
	size_t n = strlen(hex);
	char *m = strdup(hex);
	if (!m)
		return;
	for (json_int_t i = off; i < off + len && (size_t)(2 * i + 1) < n; i++)
		m[2 * i] = m[2 * i + 1] = '?';
	json_object_set_new(src, "bytes", json_string(m));
	free(m);
}

/* The name of a value as its label says it: "Type: Echo (ping) request (128)" -> "Echo (ping) request". */
static void
remember_name(struct view_masks *ms, const char *label, const char *value)
{
	const char *colon = label ? strstr(label, ": ") : NULL;
	if (!colon || !value)
		return;
	char name[160];
	snprintf(name, sizeof(name), "%s", colon + 2);
	size_t n = strlen(name), vn = strlen(value);
	if (n > vn + 3 && name[n - 1] == ')' && !strncmp(name + n - vn - 1, value, vn) && name[n - vn - 3] == ' ' &&
	    name[n - vn - 2] == '(')
		name[n - vn - 3] = '\0';
	if (strcmp(name, value))
		remember(ms, NAME_OF, name);
}

/* The first pass: fields left out, masked ones emptied; 1 when nodes held a masked one. */
static int
mask_nodes(json_t *nodes, const struct view_rules *vr, json_t *sources, struct view_masks *ms)
{
	int any = 0;
	for (size_t i = 0; i < json_array_size(nodes);) {
		json_t *n = json_array_get(nodes, i);
		const char *f = json_string_value(json_object_get(n, "f"));
		if (f && (in_list(vr->exclude, f) || (vr->dealt && in_names(dealt_drop, f)) || dropped(vr, f))) {
			json_array_remove(nodes, i);
			continue;
		}
		const char *v = json_string_value(json_object_get(n, "v"));
		int kind = f ? mask_kind(vr, f) : 0;
		if (!kind && f && alias_masked(ms, f, v))
			kind = 'h';
		json_t *kids = json_object_get(n, "n");
		if (kind) {
			const struct tq_field *fd = tq_field_lookup(f);
			remember(ms, f, v);
			if (has_how(f, R_NAMED))
				remember_name(ms, json_string_value(json_object_get(n, "l")), v);
			json_object_set_new(n, "l", json_sprintf("%s: %s", fd ? tq_field_name(fd) : f, kind == 'h' ? "??" : "(redacted)"));
			json_object_del(n, "v");
			json_object_del(n, "n");
			if (kind == 'h')
				json_object_set_new(n, "hidden", json_true());
			json_t *h = json_object_get(n, "h");
			mask_bytes(sources, json_integer_value(json_object_get(n, "ds")), json_integer_value(json_array_get(h, 0)),
			    json_integer_value(json_array_get(h, 1)));
			any = 1;
		} else if (kids) {
			/* an item that holds a masked one says its value too: its own value goes */
			if (mask_nodes(kids, vr, sources, ms)) {
				json_object_del(n, "v");
				any = 1;
			}
			if (!f && !json_array_size(kids) && vr->dealt) {
				json_array_remove(nodes, i);     /* a text item left empty ("Timestamps") */
				continue;
			}
		}
		i++;
	}
	return any;
}

/* The second pass: the masked values wherever a label or a value says them again. */
static void
mask_labels(json_t *nodes, const struct view_masks *ms, unsigned long frame)
{
	size_t i;
	json_t *n;
	json_array_foreach(nodes, i, n) {
		if (json_is_true(json_object_get(n, "hidden")))
			continue;
		const char *f = json_string_value(json_object_get(n, "f"));
		const char *l = json_string_value(json_object_get(n, "l"));
		const char *v = json_string_value(json_object_get(n, "v"));
		char *ml = l ? mask_text(l, ms, f, frame) : NULL;
		char *mv = v ? mask_text(v, ms, f, frame) : NULL;
		if (ml || mv) {
			/* a value said again: the label masked, the item's value and what explains it gone */
			if (ml)
				json_object_set_new(n, "l", json_string(ml));
			json_object_del(n, "v");
			if (f && !strcmp(f, "tcp.flags.str"))
				json_object_del(n, "n");     /* the expert info of a FIN */
			free(ml);
			free(mv);
		}
		mask_labels(json_object_get(n, "n"), ms, frame);
	}
}

void
view_frame(json_t *frame, const struct view_rules *vr, struct view_masks *ms)
{
	json_t *tree = json_object_get(frame, "tree");
	mask_nodes(tree, vr, json_object_get(frame, "sources"), ms);
	if (ms->n)
		mask_labels(tree, ms, (unsigned long)json_integer_value(json_object_get(frame, "frame")));
}

/* Gathers the values the view masks in a frame's tree of values. */
static void
gather(const struct tq_node *n, const struct view_rules *vr, struct view_masks *ms, struct tq_sbuf *b, int depth)
{
	for (const struct tq_node *c = tq_node_child(n); c; c = tq_node_next(c)) {
		const struct tq_field *f = tq_node_field(c);
		if (f && tq_field_has_value(f) && mask_kind(vr, tq_field_abbrev(f))) {
			tq_sbuf_reset(b);
			tq_node_value_show(c, b);
			if (!b->err && b->len)
				remember(ms, tq_field_abbrev(f), b->s);
		}
		if (depth < 64)
			gather(c, vr, ms, b, depth + 1);
	}
}

int
view_frame_masks(struct tq_capture *cap, uint32_t real, const struct view_rules *vr, struct view_masks *ms)
{
	ms->n = 0;
	if (!view_masks_anything(vr))
		return 0;
	int err;
	if (masks_named(vr)) {
		/* a value's name is in its label: the tree as shown, masked as frame_tree() masks it */
		struct tq_tree *t = tq_dissect_ex(cap, real, TQ_DISSECT_DISPLAY, &err);
		if (!t)
			return err;
		struct tq_sbuf out;
		tq_sbuf_init(&out, 64u << 20);
		tq_write_json(t, &out);
		tq_tree_free(t);
		json_t *j = out.err ? NULL : json_loadb(out.s, out.len, 0, NULL);
		err = out.err ? out.err : j ? 0 : TQ_ENOMEM;
		tq_sbuf_free(&out);
		if (j)
			view_frame(j, vr, ms);
		json_decref(j);
		return err;
	}
	struct tq_tree *t = tq_dissect_ex(cap, real, TQ_DISSECT_VALUES, &err);
	if (!t)
		return err;
	struct tq_sbuf b;
	tq_sbuf_init(&b, 1 << 16);
	gather(tq_tree_root(t), vr, ms, &b, 0);
	tq_sbuf_free(&b);
	tq_tree_free(t);
	return 0;
}

/* ------------------------------------------------------------------ filters */

/*
 * What a student's display filter may not read: a filter that selects frames
 * by a masked value tells the value (frame 5 is in the list for
 * tcp.seq == 1000 and not for 1001).  So, for a student whose view masks
 * anything, a filter is refused when it names
 *  - a field the exercise hides (in any frame), redacts or excludes, or, when
 *    frames are dealt to other places, one of the numbers and times that tell
 *    a dealt frame's place;
 *  - an item that says such a value again (the restatement table: tcp.port
 *    for tcp.srcport, tcp.nxtseq for tcp.seq, tcp.flags for tcp.flags.syn);
 * and when it reads the value (not only the presence) of
 *  - an item whose abbrev begins a masked field's (ip.flags holds ip.flags.df);
 *  - a protocol, a label or bytes (frame[54:4], tcp.payload contains "x"): their
 *    bytes hold the masked ones;
 *  - text, when the view hides or redacts a field (a dealt frame's numbers are
 *    not quoted in text fields): a line of text quotes the fields in it.
 * Existence tests stay allowed: the tree shows which items each frame has.
 */
struct refusal {
	const struct view_rules *vr;
	int dealing, words;          /* frames dealt; fields hidden or redacted */
	char *why;
	size_t len;
	int refused;
};

static int
masked_anywhere(const struct refusal *rf, const char *f)
{
	const struct view_rules *vr = rf->vr;
	if (in_list(vr->hidden, f) || in_list(vr->redact, f) || in_list(vr->exclude, f))
		return 1;
	/* an excluded item goes with everything under it */
	size_t i;
	json_t *v;
	json_array_foreach(vr->exclude, i, v) {
		const char *x = json_string_value(v);
		size_t n = x ? strlen(x) : 0;
		if (n && !strncmp(f, x, n) && f[n] == '.')
			return 1;
	}
	if (rf->dealing && (in_names(dealt_mask, f) || in_names(dealt_drop, f) || !strncmp(f, "tcp.analysis.", 13) ||
	    !strncmp(f, "frame.time", 10)))
		return 1;
	return 0;
}

/* Whether some masked field's abbrev begins with f and a dot. */
static const char *
holds_masked(const json_t *list, const char *f)
{
	size_t n = strlen(f), i;
	json_t *v;
	json_array_foreach(list, i, v) {
		const char *m = json_string_value(v);
		if (m && !strncmp(m, f, n) && m[n] == '.')
			return m;
	}
	return NULL;
}

static void
refuse_use(void *arg, const struct tq_field_use *u)
{
	struct refusal *rf = arg;
	if (rf->refused)
		return;
	const char *f = u->abbrev, *m = NULL;
	if (masked_anywhere(rf, f)) {
		snprintf(rf->why, rf->len, "%s is hidden in this exercise: a filter on it would tell what the trace hides", f);
		rf->refused = 1;
		return;
	}
	for (size_t k = 0; k < N_RESTATE; k++) {
		const char *o = restate[k].other;
		if (o && strcmp(o, INFO) && !strcmp(o, f) && (u->value || restate[k].how == R_DROP) &&
		    masked_anywhere(rf, restate[k].field)) {
			snprintf(rf->why, rf->len, "%s says the value of %s again, which this exercise hides: "
			    "a filter on it would tell what the trace hides", f, restate[k].field);
			rf->refused = 1;
			return;
		}
	}
	if (!u->value)
		return;
	if ((m = holds_masked(rf->vr->hidden, f)) || (m = holds_masked(rf->vr->redact, f)) ||
	    (rf->dealing && !strcmp(f, "tcp.options.timestamp"))) {
		snprintf(rf->why, rf->len, "%s holds %s, which this exercise hides: a filter may only ask whether %s is there",
		    f, m ? m : "the timestamps", f);
		rf->refused = 1;
		return;
	}
	if ((u->raw && (rf->words || rf->dealing)) || (u->text && rf->words)) {
		snprintf(rf->why, rf->len, "%s holds the %s of fields this exercise hides: a filter may only ask whether %s is there",
		    f, u->raw ? "bytes" : "words", f);
		rf->refused = 1;
	}
}

int
view_filter_refused(const struct loaded *l, int dealing, const struct tq_expr *e, char *why, size_t len)
{
	if (!l->ex)
		return 0;
	struct view_rules vr;
	memset(&vr, 0, sizeof(vr));
	const json_t *doc = tq_exercise_doc(l->ex);
	json_t *view = json_object_get(doc, "view");
	vr.exclude = json_object_get(view, "exclude");
	vr.redact = json_object_get(view, "redact");
	vr.hidden = json_array();
	size_t i;
	json_t *q;
	json_array_foreach(json_object_get(doc, "questions"), i, q) {
		const char *frame;
		json_t *list;
		json_object_foreach(json_object_get(q, "hide"), frame, list) {
			size_t k;
			json_t *f;
			json_array_foreach(list, k, f)
				if (!in_list(vr.hidden, json_string_value(f)))
					json_array_append(vr.hidden, f);
		}
	}
	struct refusal rf = {
		.vr = &vr, .dealing = dealing, .why = why, .len = len,
		.words = json_array_size(vr.hidden) || json_array_size(vr.redact),
	};
	if (rf.words || rf.dealing || json_array_size(vr.exclude))
		tq_expr_uses(e, refuse_use, &rf);
	json_decref(vr.hidden);
	return rf.refused;
}
