/*
 * import_fields.c - the names INGInious tasks give fields, read as the
 * fields they mean: PDML's geninfo, the course's misspellings, and the
 * labels of the network-trace plugin's own dissector (doc/import.md has
 * the tables); and the task's reStructuredText made tracequiz's Markdown.
 */
#include "config.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>

#include "import_int.h"

/* ------------------------------------------------------------------ text */

/* s starts with the inline markup `text <url>`_ (or __): its parts. */
static int
rst_link(const char *s, const char **text, size_t *tn, const char **url, size_t *un, size_t *len)
{
	if (*s != '`')
		return 0;
	const char *close = strstr(s + 1, ">`_");
	const char *lt = close ? memchr(s + 1, '<', (size_t)(close - s - 1)) : NULL;
	if (!close || !lt || memchr(s + 1, '\n', (size_t)(close - s - 1)))
		return 0;
	const char *t = s + 1, *te = lt;
	while (te > t && te[-1] == ' ')
		te--;
	*text = t;
	*tn = (size_t)(te - t);
	*url = lt + 1;
	*un = (size_t)(close - lt - 1);
	*len = (size_t)(close + 3 - s) + (close[3] == '_');
	return *tn && *un;
}

/*
 * reStructuredText as tracequiz's Markdown subset: ``code`` as `code`,
 * `text <url>`_ as [text](url), emphasis as it is; a directive (.. raw::
 * html and its script) is left out, with what it holds.
 */
static char *
rst_to_md(struct imp *m, const char *in, const char *where)
{
	struct tq_sbuf o;
	tq_sbuf_init(&o, 0);
	const char *p = in;
	int skipping = 0, dropped = 0;
	size_t dir_indent = 0;
	while (*p) {
		const char *eol = strchr(p, '\n');
		size_t n = eol ? (size_t)(eol - p) : strlen(p);
		size_t ind = 0;
		while (ind < n && (p[ind] == ' ' || p[ind] == '\t'))
			ind++;
		int blank = ind == n;
		if (skipping && (blank || ind > dir_indent)) {
			p += n + (eol != NULL);
			continue;
		}
		skipping = 0;
		if (n - ind > 3 && !memcmp(p + ind, ".. ", 3) && memmem(p + ind, n - ind, "::", 2)) {
			skipping = 1;
			dir_indent = ind;
			dropped++;
			p += n + (eol != NULL);
			continue;
		}
		for (size_t i = 0; i < n;) {
			const char *t, *u;
			size_t tn, un, len;
			if (p[i] == '`' && i + 1 < n && p[i + 1] == '`') {
				const char *end = memmem(p + i + 2, n - i - 2, "``", 2);
				if (end) {
					tq_sbuf_putc(&o, '`');
					tq_sbuf_put(&o, p + i + 2, (size_t)(end - (p + i + 2)));
					tq_sbuf_putc(&o, '`');
					i = (size_t)(end + 2 - p);
					continue;
				}
			}
			if (rst_link(p + i, &t, &tn, &u, &un, &len) && i + len <= n) {
				tq_sbuf_printf(&o, "[%.*s](%.*s)", (int)tn, t, (int)un, u);
				i += len;
				continue;
			}
			tq_sbuf_putc(&o, p[i++]);
		}
		tq_sbuf_putc(&o, '\n');
		p += n + (eol != NULL);
	}
	while (o.len && (o.s[o.len - 1] == '\n' || o.s[o.len - 1] == ' '))
		o.len--;
	if (dropped)
		imp_say(m, "- %s: %d reStructuredText directive%s left out (`.. raw:: html` and the like: tracequiz shows no "
		    "HTML or script from a course)", where, dropped, dropped == 1 ? "" : "s");
	char *r = strndup(o.s ? o.s : "", o.len);
	tq_sbuf_free(&o);
	return r;
}

/* A text of task.yaml as a JSON string in Markdown, or NULL when it is empty. */
json_t *
imp_md_of(struct imp *m, const json_t *v, const char *where)
{
	if (!json_is_string(v) || !*json_string_value(v))
		return NULL;
	char *s = rst_to_md(m, json_string_value(v), where);
	json_t *j = s && *s ? json_string(s) : NULL;
	free(s);
	return j;
}

/* ------------------------------------------------------------------ fields */

/*
 * Names the course's files use for fields tracequiz knows under another:
 * PDML's "General information" pseudo-protocol, and spellings Wireshark
 * never had.  doc/import.md lists them.
 */
static const struct {
	const char *from, *to, *why;
} renames[] = {
	{ "geninfo.num", "frame.number", "PDML's frame number" },
	{ "geninfo.len", "frame.len", "PDML's frame length" },
	{ "geninfo.caplen", "frame.cap_len", "PDML's captured length" },
	{ "geninfo.timestamp", "frame.time", "PDML's arrival time" },
	{ "ip6", "ipv6", "Wireshark calls the protocol ipv6" },
	{ "tcp.flags.psh", "tcp.flags.push", "Wireshark's name for the PSH flag" },
	{ "tcp.flags.rst", "tcp.flags.reset", "Wireshark's name for the RST flag" },
};

/*
 * The labels of the network-trace plugin's own dissector (its
 * protocols/all.yaml), which older tasks name fields by: "M flag",
 * "Identification".  A label may name several fields (the plugin hides
 * every field of that label in the packet): a hidden one is read as those
 * of them its frame holds, an excluded or redacted one as all of them.
 */
static const struct {
	const char *proto, *label, *field;
} labels[] = {
	{ "IPv6", "Version", "ipv6.version" },
	{ "IPv6", "Traffic Class UB", "ipv6.tclass" },
	{ "IPv6", "Traffic Class LB", "ipv6.tclass" },
	{ "IPv6", "Flow Label UB", "ipv6.flow" },
	{ "IPv6", "Flow Label LB", "ipv6.flow" },
	{ "IPv6", "Payload Length", "ipv6.plen" },
	{ "IPv6", "Next Header", "ipv6.nxt" },
	{ "IPv6", "Hop Limit", "ipv6.hlim" },
	{ "IPv6", "Source Address", "ipv6.src" },
	{ "IPv6", "Destination Address", "ipv6.dst" },
	{ "Header Hop-by-Hop", "Next Header", "ipv6.hopopts.nxt" },
	{ "Header Hop-by-Hop", "Hdr Ext Len", "ipv6.hopopts.len" },
	{ "Header Routing", "Next Header", "ipv6.routing.nxt" },
	{ "Header Routing", "Hdr Ext Len", "ipv6.routing.len" },
	{ "Header Routing", "Routing Type", "ipv6.routing.type" },
	{ "Header Routing", "Segments Left", "ipv6.routing.segleft" },
	{ "Header Fragment", "Next Header", "ipv6.fraghdr.nxt" },
	{ "Header Fragment", "Reserved", "ipv6.fraghdr.reserved_octet" },
	{ "Header Fragment", "Fragment Offset", "ipv6.fraghdr.offset" },
	{ "Header Fragment", "Res", "ipv6.fraghdr.reserved_bits" },
	{ "Header Fragment", "M flag", "ipv6.fraghdr.more" },
	{ "Header Fragment", "Identification", "ipv6.fraghdr.ident" },
	{ "Header Destination", "Next Header", "ipv6.dstopts.nxt" },
	{ "Header Destination", "Hdr Ext Len", "ipv6.dstopts.len" },
	{ "ICMPv6", "Type", "icmpv6.type" },
	{ "ICMPv6", "Code", "icmpv6.code" },
	{ "ICMPv6", "Checksum", "icmpv6.checksum" },
	{ "ICMPv6", "Unused", "icmpv6.reserved" },
	{ "ICMPv6", "Reserved", "icmpv6.reserved" },
	{ "ICMPv6 Packet Too Big", "MTU", "icmpv6.mtu" },
	{ "ICMPv6 Echo", "Identifier", "icmpv6.echo.identifier" },
	{ "ICMPv6 Echo", "Sequence Number", "icmpv6.echo.sequence_number" },
	{ "ICMPv6 Router Advertisement", "Cur Hop Limit", "icmpv6.nd.ra.cur_hop_limit" },
	{ "ICMPv6 Router Advertisement", "M", "icmpv6.nd.ra.flag.m" },
	{ "ICMPv6 Router Advertisement", "O", "icmpv6.nd.ra.flag.o" },
	{ "ICMPv6 Router Advertisement", "Router Lifetime", "icmpv6.nd.ra.router_lifetime" },
	{ "ICMPv6 Router Advertisement", "Reachable Time", "icmpv6.nd.ra.reachable_time" },
	{ "ICMPv6 Router Advertisement", "Retrans Timer", "icmpv6.nd.ra.retrans_timer" },
	{ "ICMPv6 Neighbor Solicitation", "Target Address", "icmpv6.nd.ns.target_address" },
	{ "ICMPv6 Neighbor Advertisement", "R", "icmpv6.nd.na.flag.r" },
	{ "ICMPv6 Neighbor Advertisement", "S", "icmpv6.nd.na.flag.s" },
	{ "ICMPv6 Neighbor Advertisement", "O", "icmpv6.nd.na.flag.o" },
	{ "ICMPv6 Neighbor Advertisement", "Target Address", "icmpv6.nd.na.target_address" },
	{ "ICMPv6 Redirect", "Target Address", "icmpv6.nd.rd.target_address" },
	{ "ICMPv6 options", "Type", "icmpv6.opt.type" },
	{ "ICMPv6 options", "Length", "icmpv6.opt.length" },
	{ "ICMPv6 options", "Link-Layer Address", "icmpv6.opt.linkaddr" },
	{ "ICMPv6 options", "Prefix Length", "icmpv6.opt.prefix.length" },
	{ "ICMPv6 options", "L", "icmpv6.opt.prefix.flag.l" },
	{ "ICMPv6 options", "A", "icmpv6.opt.prefix.flag.a" },
	{ "ICMPv6 options", "Valid Lifetime", "icmpv6.opt.prefix.valid_lifetime" },
	{ "ICMPv6 options", "Preferred Lifetime", "icmpv6.opt.prefix.preferred_lifetime" },
	{ "ICMPv6 options", "Prefix", "icmpv6.opt.prefix" },
	{ "ICMPv6 options", "MTU", "icmpv6.opt.mtu" },
	{ "TCP", "Source Port", "tcp.srcport" },
	{ "TCP", "Destination Port", "tcp.dstport" },
	{ "TCP", "Sequence Number", "tcp.seq" },
	{ "TCP", "Acknowledgment Number", "tcp.ack" },
	{ "TCP", "Data Offset", "tcp.hdr_len" },
	{ "TCP", "Reserved", "tcp.flags.res" },
	{ "TCP", "NS", "tcp.flags.ae" },
	{ "TCP", "CWR", "tcp.flags.cwr" },
	{ "TCP", "ECE", "tcp.flags.ece" },
	{ "TCP", "URG", "tcp.flags.urg" },
	{ "TCP", "ACK", "tcp.flags.ack" },
	{ "TCP", "PSH", "tcp.flags.push" },
	{ "TCP", "RST", "tcp.flags.reset" },
	{ "TCP", "SYN", "tcp.flags.syn" },
	{ "TCP", "FIN", "tcp.flags.fin" },
	{ "TCP", "Window", "tcp.window_size_value" },
	{ "TCP", "Checksum", "tcp.checksum" },
	{ "TCP", "Urgent Pointer", "tcp.urgent_pointer" },
	{ "TCP", "Data", "tcp.payload" },
	{ "TCP options", "Kind", "tcp.option_kind" },
	{ "TCP options", "Length", "tcp.option_len" },
	{ "TCP options", "Max Seg Size", "tcp.options.mss_val" },
	{ "TCP options", "WSO", "tcp.options.wscale.shift" },
	{ "TCP options", "TS Value", "tcp.options.timestamp.tsval" },
	{ "TCP options", "TS Echo Reply", "tcp.options.timestamp.tsecr" },
	{ "TCP options", "Left", "tcp.options.sack_le" },
	{ "TCP options", "Right", "tcp.options.sack_re" },
	{ "UDP", "Source Port", "udp.srcport" },
	{ "UDP", "Destination Port", "udp.dstport" },
	{ "UDP", "Length", "udp.length" },
	{ "UDP", "Checksum", "udp.checksum" },
	{ "UDP", "Data", "udp.payload" },
};

/* The field name means: itself when known, its mapping, or NULL (said in the report). */
static const char *
map_field(struct imp *m, const char *name, const char *where)
{
	for (size_t i = 0; i < sizeof(renames) / sizeof(renames[0]); i++)
		if (!strcmp(name, renames[i].from)) {
			imp_say(m, "- %s: `%s` read as `%s` (%s)", where, name, renames[i].to, renames[i].why);
			return renames[i].to;
		}
	if (tq_field_lookup(name))
		return name;
	const char *near = tq_field_suggest(name);
	if (near)
		imp_say(m, "- %s: `%s` is no field tracequiz knows (did the course mean `%s`?): left out", where, name, near);
	else
		imp_say(m, "- %s: `%s` is no field tracequiz knows: left out", where, name);
	return NULL;
}

/* The capture, opened once when a label must be checked against a frame; NULL when it cannot be read. */
static struct tq_capture *
trace_cap(struct imp *m)
{
	char err[256];
	if (!m->cap && !m->cap_failed && tq_capture_open_file(m->cap_path, &m->cap, err, sizeof(err)) != 0)
		m->cap_failed = 1;
	return m->cap;
}

static void
append_unique(json_t *list, const char *f)
{
	size_t k;
	json_t *y;
	json_array_foreach(list, k, y)
		if (!strcmp(json_string_value(y), f))
			return;
	json_array_append_new(list, json_string(f));
}

/*
 * name, a field or one of the plugin's labels, appended to list as the
 * fields it means: in frame (from 1), those of them the frame holds; with
 * frame 0, every field of the label.
 */
void
imp_map_fields(struct imp *m, json_t *list, const char *name, uint32_t frame, const char *where)
{
	int label = 0;
	for (size_t i = 0; i < sizeof(labels) / sizeof(labels[0]); i++)
		label |= !strcmp(labels[i].label, name);
	if (!label) {
		const char *f = map_field(m, name, where);
		if (f)
			append_unique(list, f);
		return;
	}
	size_t before = json_array_size(list);
	struct tq_sbuf show;
	tq_sbuf_init(&show, 4096);
	for (size_t i = 0; i < sizeof(labels) / sizeof(labels[0]); i++) {
		if (strcmp(labels[i].label, name))
			continue;
		tq_sbuf_reset(&show);
		if (frame && trace_cap(m) && tq_frame_field_show(m->cap, frame, labels[i].field, &show) != 1)
			continue;
		imp_say(m, "- %s: `%s` (the network-trace plugin's label in %s) read as `%s`", where, name, labels[i].proto,
		    labels[i].field);
		append_unique(list, labels[i].field);
	}
	tq_sbuf_free(&show);
	if (json_array_size(list) == before)
		imp_say(m, "- %s: `%s`, a label of the network-trace plugin, names no field of frame %u: left out", where, name,
		    (unsigned)frame);
}

/* A list of field names (a string, a list, or {} for none) mapped, appended to list without repeats. */
void
imp_add_fields(struct imp *m, json_t *list, const json_t *v, uint32_t frame, const char *where)
{
	json_t *one = json_is_string(v) ? json_pack("[O]", v) : NULL;
	const json_t *src = one ? one : v;
	size_t i;
	json_t *x;
	json_array_foreach(src, i, x)
		if (json_is_string(x))
			imp_map_fields(m, list, json_string_value(x), frame, where);
	json_decref(one);
}
