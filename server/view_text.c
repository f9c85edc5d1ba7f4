/*
 * view_text.c - where a frame says a masked value again: the restatement
 * table, and the masking of labels and packet-list columns by it.
 *
 * The dissectors write their summaries unaware of the view, so the table
 * must follow their wording (doc/exercises.md, "What hiding masks", and
 * tests/integration/test_hiding.py check it field by field).
 */
#include "config.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "view_int.h"

/* The numbers that give a dealt frame's place away. */
const char *const view_dealt_mask[] = {
	"tcp.seq", "tcp.seq_raw", "tcp.nxtseq", "tcp.ack", "tcp.ack_raw", "tcp.options.timestamp.tsval",
	"tcp.options.timestamp.tsecr", "tcp.options.sack_le", "tcp.options.sack_re", "tcp.options.sack.dsack_le",
	"tcp.options.sack.dsack_re", "ip.id", "icmp.seq", "icmp.seq_le", "icmpv6.echo.sequence_number", NULL,
};

/* What a dealt frame does not show at all: its times and the fields that name other frames. */
const char *const view_dealt_drop[] = {
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

const struct restate view_restate[] = {
	/* TCP: "Transmission Control Protocol, Src Port: 37652, Dst Port: 50001, Seq: 0, Ack: 1, Len: 0",
	 * "37652 → 50001 [SYN, ACK] Seq=0 Ack=1 Win=65160 Len=0 MSS=1460 SACK_PERM TSval=1 TSecr=0 WS=1024" */
	{ "tcp.srcport", R_ALIAS, "tcp.port", NULL, 0 },
	{ "tcp.srcport", R_AFTER, "tcp", "Src Port: ", 0 },
	{ "tcp.srcport", R_AFTER, NULL, "server port ", 0 },
	{ "tcp.srcport", R_ARROW, VIEW_INFO, "<", 0 },
	{ "tcp.dstport", R_ALIAS, "tcp.port", NULL, 0 },
	{ "tcp.dstport", R_AFTER, "tcp", "Dst Port: ", 0 },
	{ "tcp.dstport", R_AFTER, NULL, "server port ", 0 },
	{ "tcp.dstport", R_ARROW, VIEW_INFO, ">", 0 },
	{ "tcp.seq", R_TWIN, "tcp.seq_raw", NULL, 0 },
	{ "tcp.seq", R_DERIVED, "tcp.nxtseq", NULL, 0 },
	{ "tcp.seq", R_AFTER, "tcp", "Seq: ", 0 },
	{ "tcp.seq", R_AFTER, VIEW_INFO, "Seq=", 0 },
	{ "tcp.ack", R_TWIN, "tcp.ack_raw", NULL, 0 },
	{ "tcp.ack", R_AFTER, "tcp", "Ack: ", 0 },
	{ "tcp.ack", R_AFTER, VIEW_INFO, "Ack=", 0 },
	{ "tcp.len", R_DERIVED, "tcp.nxtseq", NULL, 0 },
	{ "tcp.len", R_DERIVED, "tcp.analysis.bytes_in_flight", NULL, 0 },
	{ "tcp.len", R_DERIVED, "tcp.analysis.push_bytes_sent", NULL, 0 },
	{ "tcp.len", R_DERIVED, "data.len", NULL, 0 },
	{ "tcp.len", R_AFTER, "tcp", "Len: ", 0 },
	{ "tcp.len", R_AFTER, "tcp.payload", "TCP payload (", 0 },
	{ "tcp.len", R_AFTER, "tcp.segment_data", "TCP segment data (", 0 },
	{ "tcp.len", R_AFTER, "data", "Data (", 0 },
	{ "tcp.len", R_AFTER, VIEW_INFO, "Len=", 0 },
	{ "tcp.window_size_value", R_DERIVED, "tcp.window_size", NULL, 0 },
	{ "tcp.window_size", R_AFTER, VIEW_INFO, "Win=", 0 },
	{ "tcp.window_size_value", R_AFTER, VIEW_INFO, "Win=", 0 },
	{ "tcp.urgent_pointer", R_AFTER, VIEW_INFO, "Urg=", 0 },
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
	{ "tcp.flags.ack", R_SAID, VIEW_INFO, " Ack=", 0 },
	{ "tcp.flags.urg", R_SAID, VIEW_INFO, " Urg=", 0 },
	/* options: "TCP Option - Timestamps: TSval 982314545, TSecr 3537797759" */
	{ "tcp.options.mss_val", R_AFTER, NULL, "Maximum segment size: ", 0 },
	{ "tcp.options.mss_val", R_AFTER, VIEW_INFO, "MSS=", 0 },
	{ "tcp.options.wscale.shift", R_DERIVED, "tcp.options.wscale.multiplier", NULL, 0 },
	{ "tcp.options.wscale.shift", R_AFTER, NULL, "Window scale: ", 0 },
	{ "tcp.options.wscale.multiplier", R_AFTER, NULL, "multiply by ", 0 },
	{ "tcp.options.wscale.multiplier", R_AFTER, VIEW_INFO, "WS=", 0 },
	{ "tcp.options.timestamp.tsval", R_AFTER, NULL, "TSval ", 0 },
	{ "tcp.options.timestamp.tsval", R_AFTER, VIEW_INFO, "TSval=", 0 },
	{ "tcp.options.timestamp.tsecr", R_AFTER, NULL, "TSecr ", 0 },
	{ "tcp.options.timestamp.tsecr", R_AFTER, VIEW_INFO, "TSecr=", 0 },
	{ "tcp.options.sack_le", R_AFTER, VIEW_INFO, "SLE=", 0 },
	{ "tcp.options.sack_re", R_AFTER, VIEW_INFO, "SRE=", 0 },
	/* UDP: "User Datagram Protocol, Src Port: 50004, Dst Port: 50003", "50004 → 50003 Len=300" */
	{ "udp.srcport", R_ALIAS, "udp.port", NULL, 0 },
	{ "udp.srcport", R_AFTER, "udp", "Src Port: ", 0 },
	{ "udp.srcport", R_ARROW, VIEW_INFO, "<", 0 },
	{ "udp.dstport", R_ALIAS, "udp.port", NULL, 0 },
	{ "udp.dstport", R_AFTER, "udp", "Dst Port: ", 0 },
	{ "udp.dstport", R_ARROW, VIEW_INFO, ">", 0 },
	{ "udp.length", R_DERIVED, "data.len", NULL, 0 },
	{ "udp.length", R_AFTER, "udp.payload", "UDP payload (", 0 },
	{ "udp.length", R_AFTER, "data", "Data (", 0 },
	{ "udp.length", R_AFTER, VIEW_INFO, "Len=", 0 },
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
	{ "ip.ttl", R_AFTER, VIEW_INFO, "ttl=", 0 },
	{ "ip.id", R_AFTER, VIEW_INFO, "ID=", 0 },
	{ "ip.frag_offset", R_AFTER, VIEW_INFO, "off=", 0 },
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
	{ "ipv6.hlim", R_AFTER, VIEW_INFO, "hop limit=", 0 },
	{ "ipv6.fraghdr.offset", R_AFTER, VIEW_INFO, "off=", 0 },
	{ "ipv6.fraghdr.offset", R_AFTER, "ipv6.fragment", "Frame: #, payload: ", 0 },
	{ "ipv6.fraghdr.more", R_AFTER, VIEW_INFO, "more=", 0 },
	{ "ipv6.fraghdr.ident", R_AFTER, VIEW_INFO, "ident=", 0 },
	{ "ipv6.fraghdr.nxt", R_AFTER, VIEW_INFO, "nxt=", 0 },
	/* ICMP and ICMPv6: "Echo (ping) request id=0x6c0c, seq=1, hop limit=64 (reply in 4)" */
	{ "icmpv6.type", R_NAMED, NULL, NULL, 0 },
	{ "icmpv6.type", R_WORD, VIEW_INFO, "request", 0 },
	{ "icmpv6.type", R_WORD, VIEW_INFO, "reply", 0 },
	{ "icmpv6.type", R_DROP, "icmpv6.resp_in", NULL, 0 },
	{ "icmpv6.type", R_DROP, "icmpv6.resp_to", NULL, 0 },
	{ "icmpv6.type", R_DROP, "icmpv6.resptime", NULL, 0 },
	{ "icmpv6.echo.identifier", R_AFTER, VIEW_INFO, "id=", 0 },
	{ "icmpv6.echo.sequence_number", R_AFTER, VIEW_INFO, "seq=", 0 },
	{ "icmp.type", R_NAMED, NULL, NULL, 0 },
	{ "icmp.type", R_WORD, VIEW_INFO, "request", 0 },
	{ "icmp.type", R_WORD, VIEW_INFO, "reply", 0 },
	{ "icmp.type", R_DROP, "icmp.resp_in", NULL, 0 },
	{ "icmp.type", R_DROP, "icmp.resp_to", NULL, 0 },
	{ "icmp.type", R_DROP, "icmp.resptime", NULL, 0 },
	{ "icmp.ident", R_AFTER, VIEW_INFO, "id=", 0 },
	{ "icmp.seq", R_AFTER, VIEW_INFO, "seq=", 0 },
	{ "icmp.seq_le", R_AFTER, VIEW_INFO, "seq=", 0 },
};

const size_t view_nrestate = sizeof(view_restate) / sizeof(view_restate[0]);

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


int
view_in_list(const json_t *list, const char *s)
{
	size_t i;
	json_t *v;
	json_array_foreach(list, i, v)
		if (json_is_string(v) && !strcmp(json_string_value(v), s))
			return 1;
	return 0;
}

int
view_in_names(const char *const *names, const char *s)
{
	for (int k = 0; names[k]; k++)
		if (!strcmp(names[k], s))
			return 1;
	return 0;
}

/* ------------------------------------------------------------------ masked values */

void
view_remember(struct view_masks *ms, const char *field, const char *value)
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
int
view_alias_masked(const struct view_masks *ms, const char *f, const char *value)
{
	if (!value)
		return 0;
	for (size_t k = 0; k < view_nrestate; k++) {
		if (view_restate[k].how != R_ALIAS || strcmp(view_restate[k].other, f))
			continue;
		for (size_t i = 0; i < ms->n; i++)
			if (!strcmp(ms->m[i].field, view_restate[k].field) && !strcmp(ms->m[i].value, value))
				return 1;
	}
	return 0;
}

/* The name of a value as its label says it: "Type: Echo (ping) request (128)" -> "Echo (ping) request". */
void
view_remember_name(struct view_masks *ms, const char *label, const char *value)
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
		view_remember(ms, VIEW_NAME_OF, name);
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
	} else if (!strcmp(where, VIEW_INFO)) {
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

void
view_masks_index(struct view_masks *ms)
{
	ms->nsaid = 0;
	ms->flags = 0;
	for (size_t k = 0; k < view_nrestate; k++) {
		const struct restate *r = &view_restate[k];
		if (r->how < R_AFTER || !remembered(ms, r->field))
			continue;
		if (r->how == R_FLAG)
			ms->flags |= r->bits;
		else if (ms->nsaid < sizeof(ms->said) / sizeof(ms->said[0]))
			ms->said[ms->nsaid++] = (unsigned short)k;
	}
}

char *
view_mask_text(const char *s, const struct view_masks *ms, const char *where, unsigned long frame)
{
	char *out = strdup(s);
	if (!out)
		return NULL;
	int info = where && !strcmp(where, VIEW_INFO);
	for (size_t i = 0; i < ms->n; i++)
		mask_value(&out, ms->m[i].value);
	for (size_t j = 0; j < ms->nsaid; j++) {
		const struct restate *r = &view_restate[ms->said[j]];
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
	if (ms->flags && where)
		mask_flags(&out, where, ms->flags);
	if (!strcmp(out, s)) {
		free(out);
		return NULL;
	}
	return out;
}

int
view_said_in_info(const char *f)
{
	for (size_t k = 0; k < view_nrestate; k++)
		if (!strcmp(view_restate[k].field, f) && (view_restate[k].how == R_FLAG ||
		    (view_restate[k].how >= R_AFTER && view_restate[k].other && !strcmp(view_restate[k].other, VIEW_INFO))))
			return 1;
	return 0;
}
