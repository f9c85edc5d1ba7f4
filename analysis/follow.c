/*
 * follow.c - Follow Stream: what the two ends of a TCP or UDP conversation
 * sent each other, in the order it was sent, as Wireshark's "Follow TCP
 * Stream" and `tshark -z follow,tcp|udp,ascii|hex|raw,N` give it.
 *
 * The frames of the stream are those of the display filter "tcp.stream eq
 * N" (or udp.stream).  Node 0 is the sender of the stream's first frame, as
 * Wireshark takes it (the client, when the capture has the SYN).  For TCP
 * the payload is put in sequence order as Wireshark's follow does:
 *  - a direction's next sequence number is the first one seen (after a
 *    SYN's); a segment that starts before it loses what was already
 *    delivered, one that starts after it waits (out of order) until the gap
 *    is filled;
 *  - a segment of the other direction whose acknowledgment number passes a
 *    waiting segment says that the bytes before it were received though not
 *    captured: "[N bytes missing in capture file]" stands for them (with
 *    its terminating NUL, as Wireshark writes it) and the waiting segments
 *    are delivered.
 * Only a protocol at the tree's top level counts: the TCP header an ICMP
 * error quotes is not part of the stream.
 *
 * An HTTP/2 stream is followed as Wireshark's follow tap gives it: each
 * HTTP/2 frame of the stream is a record, its 9-byte header included, except
 * HEADERS, PUSH_PROMISE and CONTINUATION, whose record is the decompressed
 * header block (each header as name length, name, value length, value).  As
 * tshark reads a capture in one pass, a connection is HTTP/2 from the
 * client's preface ("PRI * HTTP/2.0") or after an HTTP "101 Switching
 * Protocols": frames a second pass would show as HTTP/2 before that are
 * not followed.  Node 0 is the sender of the first record.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "expr.h"

struct seg {
	uint32_t frame, seq, len;
	uint8_t node;
	uint8_t *data;
};

struct dir {
	uint32_t next;               /* the next sequence number to deliver */
	int started;
	struct seg *wait;            /* out of order, in arrival order */
	size_t nwait, capwait;
};

struct tq_follow {
	int proto;
	uint32_t stream;
	uint32_t sub;                /* HTTP/2: the stream id */
	int live;                    /* HTTP/2: the connection is seen as HTTP/2 (preface or upgrade) */
	size_t first_live;           /* HTTP/2: records before it were sent before that */
	char addr[2][64];
	uint32_t port[2];
	int have_nodes;
	struct tq_follow_record *rec;
	size_t n, cap;
	uint32_t *frames;            /* every frame of the stream */
	size_t nframes, capframes;
	size_t bytes;                /* of data held, against the limit */
	size_t max_bytes;
	int err;
	struct dir dir[2];
};

/* Sequence numbers compared modulo 2^32. */
static int
seq_lt(uint32_t a, uint32_t b)
{
	return (int32_t)(a - b) < 0;
}

static int
push(struct tq_follow *fw, uint32_t frame, uint8_t node, const uint8_t *data, uint32_t len, uint8_t *owned)
{
	if (fw->err)
		goto fail;
	if (fw->max_bytes && fw->bytes + len > fw->max_bytes) {
		fw->err = TQ_ETOOBIG;
		goto fail;
	}
	if (fw->n == fw->cap) {
		size_t cap = fw->cap ? fw->cap * 2 : 64;
		struct tq_follow_record *r = realloc(fw->rec, cap * sizeof(*r));
		if (!r) {
			fw->err = TQ_ENOMEM;
			goto fail;
		}
		fw->rec = r;
		fw->cap = cap;
	}
	uint8_t *copy = owned;
	if (!copy) {
		copy = malloc(len ? len : 1);
		if (!copy) {
			fw->err = TQ_ENOMEM;
			return -1;
		}
		memcpy(copy, data, len);
	}
	fw->rec[fw->n++] = (struct tq_follow_record){ .frame = frame, .node = node, .len = len, .data = copy };
	fw->bytes += len;
	return 0;
fail:
	free(owned);
	return -1;
}

/* Delivers or drops one waiting segment of direction d that the stream has reached; 1 when one was. */
static int
flush_one(struct tq_follow *fw, int d)
{
	struct dir *dr = &fw->dir[d];
	for (size_t i = 0; i < dr->nwait; i++) {
		struct seg *s = &dr->wait[i];
		int done = 0;
		if (seq_lt(s->seq, dr->next)) {
			/* partly delivered already: its new bytes, if it has any */
			uint32_t end = s->seq + s->len;
			if (seq_lt(dr->next, end)) {
				uint32_t skip = dr->next - s->seq;
				push(fw, s->frame, s->node, s->data + skip, s->len - skip, NULL);
				dr->next = end;
			}
			free(s->data);
			done = 1;
		} else if (s->seq == dr->next) {
			dr->next += s->len;
			if (s->len)
				push(fw, s->frame, s->node, s->data, s->len, s->data);
			else
				free(s->data);
			done = 1;
		}
		if (done) {
			memmove(dr->wait + i, dr->wait + i + 1, (dr->nwait - i - 1) * sizeof(*dr->wait));
			dr->nwait--;
			return 1;
		}
	}
	return 0;
}

/* The other side acknowledged ack: waiting segments of d before it were received but not captured. */
static int
acked_gap(struct tq_follow *fw, int d, uint32_t ack, uint32_t frame)
{
	struct dir *dr = &fw->dir[d];
	if (flush_one(fw, d))
		return 1;
	if (!dr->nwait)
		return 0;
	uint32_t lowest = dr->wait[0].seq;
	for (size_t i = 1; i < dr->nwait; i++)
		if (seq_lt(dr->wait[i].seq, lowest))
			lowest = dr->wait[i].seq;
	if (!seq_lt(lowest, ack))
		return 0;
	char text[64];
	int n = snprintf(text, sizeof(text), "[%d bytes missing in capture file]", (int)(lowest - dr->next));
	push(fw, frame, (uint8_t)d, (const uint8_t *)text, (uint32_t)n + 1, NULL);
	dr->next = lowest;
	return 1;
}

/*
 * A segment of direction d: len bytes captured of its rlen (the snaplen may
 * cut it).  The stream moves on by what was sent, not by what was captured.
 */
static void
tcp_segment(struct tq_follow *fw, uint32_t frame, int d, uint32_t seq, uint32_t ack, int syn, int has_ack,
    const uint8_t *data, uint32_t len, uint32_t rlen)
{
	struct dir *dr = &fw->dir[d];
	if (syn)
		seq++;
	if (has_ack)
		while (fw->dir[!d].nwait && !fw->err && acked_gap(fw, !d, ack, frame))
			;
	if (!dr->started) {
		dr->next = seq;
		dr->started = 1;
	}
	if (seq_lt(seq, dr->next)) {
		uint32_t old = dr->next - seq;
		if (old >= len)
			return;
		data += old;
		len -= old;
		rlen = old < rlen ? rlen - old : 0;
		seq = dr->next;
	}
	if (!len)
		return;
	if (seq == dr->next) {
		dr->next += rlen > len ? rlen : len;
		push(fw, frame, (uint8_t)d, data, len, NULL);
		while (dr->nwait && !fw->err && flush_one(fw, d))
			;
		return;
	}
	if (dr->nwait == dr->capwait) {
		size_t cap = dr->capwait ? dr->capwait * 2 : 16;
		struct seg *w = realloc(dr->wait, cap * sizeof(*w));
		if (!w) {
			fw->err = TQ_ENOMEM;
			return;
		}
		dr->wait = w;
		dr->capwait = cap;
	}
	uint8_t *copy = malloc(len);
	if (!copy) {
		fw->err = TQ_ENOMEM;
		return;
	}
	memcpy(copy, data, len);
	dr->wait[dr->nwait++] = (struct seg){ .frame = frame, .seq = seq, .len = len, .node = (uint8_t)d, .data = copy };
}

static const struct tq_node *
child_field(const struct tq_node *n, const char *abbrev)
{
	for (const struct tq_node *c = n->child; c; c = c->next)
		if (c->f && !strcmp(c->f->abbrev, abbrev))
			return c;
	return NULL;
}

/* The HTTP/2 frames of one TCP frame (d: its sender), after its TCP item. */
static void
http2_frame(struct tq_follow *fw, const struct tq_tree *t, const struct tq_node *l4, int d)
{
	for (const struct tq_node *n = l4->next; n && !fw->err; n = n->next) {
		if (!n->f)
			continue;
		if (!strcmp(n->f->abbrev, "http")) {
			const struct tq_field *cf = tq_field_lookup("http.response.code");
			const struct tq_node *code = cf ? tq_node_find(n, cf->id) : NULL;
			if (code && code->v.u == 101 && !fw->live) {
				fw->live = 1;         /* HTTP/2 from here on, in one pass too */
				fw->first_live = fw->n;
			}
			continue;
		}
		if (strcmp(n->f->abbrev, "http2"))
			continue;
		const struct tq_node *st = child_field(n, "http2.stream");
		if (!st)
			continue;
		if (child_field(st, "http2.magic")) {
			/* the client's preface: not a frame, not followed */
			if (!fw->live) {
				fw->live = 1;
				fw->first_live = fw->n;
			}
			continue;
		}
		const struct tq_node *id = child_field(st, "http2.streamid");
		const struct tq_node *type = child_field(st, "http2.type");
		if (!id || !type || id->v.u != fw->sub)
			continue;
		if (type->v.u == 1 || type->v.u == 5 || type->v.u == 9) {
			/* HEADERS, PUSH_PROMISE, CONTINUATION: the decompressed block */
			const struct tq_node *hl = child_field(st, "http2.header.length");
			if (hl && hl->ds && hl->ds < t->nds && t->ds[hl->ds].len == hl->v.u && hl->v.u)
				push(fw, t->num, (uint8_t)d, t->ds[hl->ds].data, (uint32_t)hl->v.u, NULL);
			continue;
		}
		const struct tq_ds *ds = &t->ds[n->ds < t->nds ? n->ds : 0];
		if (n->pos > ds->len)
			continue;
		uint32_t len = n->len < ds->len - n->pos ? n->len : ds->len - n->pos;
		if (len)
			push(fw, t->num, (uint8_t)d, ds->data + n->pos, len, NULL);
	}
}

/*
 * A connection whose preface was seen: what came before it was not HTTP/2
 * in one pass.  Node 0 is then the sender of the first record.
 */
static void
http2_finish(struct tq_follow *fw)
{
	if (fw->live && fw->first_live) {
		for (size_t i = 0; i < fw->first_live; i++)
			free((void *)fw->rec[i].data);
		memmove(fw->rec, fw->rec + fw->first_live, (fw->n - fw->first_live) * sizeof(*fw->rec));
		fw->n -= fw->first_live;
	}
	if (!fw->n)
		fw->have_nodes = 0;     /* nothing was sent: no ends, as tshark prints it */
	if (fw->n && fw->rec[0].node) {
		char a[64];
		memcpy(a, fw->addr[0], sizeof(a));
		memcpy(fw->addr[0], fw->addr[1], sizeof(a));
		memcpy(fw->addr[1], a, sizeof(a));
		uint32_t p = fw->port[0];
		fw->port[0] = fw->port[1];
		fw->port[1] = p;
		for (size_t i = 0; i < fw->n; i++)
			fw->rec[i].node ^= 1;
	}
}

/* One frame of the stream: its top-level TCP or UDP item, and the IP item before it. */
static void
follow_frame(struct tq_follow *fw, struct tq_tree *t)
{
	const char *want = fw->proto == TQ_FOLLOW_UDP ? "udp" : "tcp";
	const struct tq_node *ip = NULL, *l4 = NULL;
	for (const struct tq_node *n = t->root.child; n; n = n->next) {
		if (!n->f)
			continue;
		if (!strcmp(n->f->abbrev, "ip") || !strcmp(n->f->abbrev, "ipv6"))
			ip = n;
		else if (!strcmp(n->f->abbrev, want)) {
			l4 = n;
			break;
		}
	}
	if (!l4 || !ip)
		return;
	const struct tq_node *stream = child_field(l4, fw->proto == TQ_FOLLOW_UDP ? "udp.stream" : "tcp.stream");
	if (!stream || stream->v.u != fw->stream)
		return;
	if (fw->nframes == fw->capframes) {
		size_t cap = fw->capframes ? fw->capframes * 2 : 64;
		uint32_t *f = realloc(fw->frames, cap * sizeof(*f));
		if (!f) {
			fw->err = TQ_ENOMEM;
			return;
		}
		fw->frames = f;
		fw->capframes = cap;
	}
	fw->frames[fw->nframes++] = t->num;
	const struct tq_node *sport = child_field(l4, fw->proto == TQ_FOLLOW_UDP ? "udp.srcport" : "tcp.srcport");
	const struct tq_node *dport = child_field(l4, fw->proto == TQ_FOLLOW_UDP ? "udp.dstport" : "tcp.dstport");
	if (!sport || !dport)
		return;
	const struct tq_ds *ds = &t->ds[l4->ds < t->nds ? l4->ds : 0];
	const struct tq_node *hlen = child_field(l4, "tcp.hdr_len");
	if (fw->proto != TQ_FOLLOW_UDP && (!hlen || l4->pos + hlen->v.u > ds->len))
		return;                    /* its header cut by the snaplen: Wireshark does not follow it */
	/* the addresses the packet list shows: a routing header's final destination, a tunnel's inner ends */
	struct tq_columns col;
	struct tq_sbuf scratch;
	tq_sbuf_init(&scratch, 0);
	if (tq_columns_get(t->cap, t->num, &col, &scratch) != 0) {
		tq_sbuf_free(&scratch);
		return;
	}
	char saddr[64];
	snprintf(saddr, sizeof(saddr), strchr(col.src, ':') ? "[%s]" : "%s", col.src);
	if (!fw->have_nodes) {
		memcpy(fw->addr[0], saddr, sizeof(saddr));
		snprintf(fw->addr[1], sizeof(fw->addr[1]), strchr(col.dst, ':') ? "[%s]" : "%s", col.dst);
		fw->port[0] = (uint32_t)sport->v.u;
		fw->port[1] = (uint32_t)dport->v.u;
		fw->have_nodes = 1;
	}
	tq_sbuf_free(&scratch);
	int d = !(strcmp(saddr, fw->addr[0]) == 0 && sport->v.u == fw->port[0]);
	if (fw->proto == TQ_FOLLOW_HTTP2) {
		http2_frame(fw, t, l4, d);
		return;
	}
	if (fw->proto == TQ_FOLLOW_UDP) {
		uint32_t at = l4->pos + 8;
		const struct tq_node *ulen = child_field(l4, "udp.length");
		uint32_t len = ulen && ulen->v.u >= 8 ? (uint32_t)ulen->v.u - 8 : 0;
		if (at > ds->len)
			return;
		if (len > ds->len - at)
			len = ds->len - at;
		if (len)
			push(fw, t->num, (uint8_t)d, ds->data + at, len, NULL);
		return;
	}
	/* the numbers relative to the flow's first, as Wireshark's follow reads them: a port reused with
	 * a new initial sequence number starts over from 0 (tcp.seq, tcp.ack) */
	const struct tq_node *seq = child_field(l4, "tcp.seq");
	const struct tq_node *ack = child_field(l4, "tcp.ack");
	if (!seq)
		seq = child_field(l4, "tcp.seq_raw");
	if (!ack)
		ack = child_field(l4, "tcp.ack_raw");
	const struct tq_node *flags = child_field(l4, "tcp.flags");
	const struct tq_node *tlen = child_field(l4, "tcp.len");
	if (!seq || !flags || !tlen)
		return;
	uint32_t at = l4->pos + (uint32_t)hlen->v.u, rlen = (uint32_t)tlen->v.u, len = rlen;
	if (len > ds->len - at)
		len = ds->len - at;        /* its payload cut: what was captured */
	tcp_segment(fw, t->num, d, (uint32_t)seq->v.u, ack ? (uint32_t)ack->v.u : 0, (flags->v.u & 0x002) != 0,
	    ack && (flags->v.u & 0x010), ds->data + at, len, rlen);
}

int
tq_follow_build(struct tq_capture *cap, int proto, uint32_t stream, uint32_t sub, const struct tq_limits *lim,
    struct tq_follow **out, char *err, size_t errlen)
{
	*out = NULL;
	char src[64];
	snprintf(src, sizeof(src), "%s.stream == %u", proto == TQ_FOLLOW_UDP ? "udp" : "tcp", stream);
	struct tq_expr *e = NULL;
	struct tq_expr_error ee;
	if (tq_filter_parse(src, &e, &ee) != 0) {
		snprintf(err, errlen, "%s", ee.msg);
		return TQ_EINVAL;
	}
	struct tq_findex *ix = NULL;
	int rc = tq_findex_build(cap, &e, 1, lim, &ix, err, errlen);
	if (rc != 0) {
		tq_expr_free(e);
		return rc;
	}
	uint32_t n = tq_capture_count(cap);
	uint8_t *sel = malloc(n ? n : 1);
	struct tq_follow *fw = calloc(1, sizeof(*fw));
	if (!sel || !fw) {
		rc = TQ_ENOMEM;
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	fw->proto = proto;
	fw->stream = stream;
	fw->sub = sub;
	fw->max_bytes = lim ? lim->max_bytes : 0;
	if (tq_filter_select(ix, e, sel, &ee) != 0) {
		rc = TQ_ETOOBIG;
		snprintf(err, errlen, "%s", ee.msg);
		goto out;
	}
	for (uint32_t i = 0; i < n && !fw->err; i++) {
		if (!sel[i])
			continue;
		if (lim && lim->deadline_ns && tq_monotonic_ns() > lim->deadline_ns) {
			fw->err = TQ_ETIMEOUT;
			break;
		}
		int derr;
		struct tq_tree *t = tq_dissect_ex(cap, i + 1, TQ_DISSECT_VALUES, &derr);
		if (!t) {
			fw->err = derr;
			break;
		}
		follow_frame(fw, t);
		tq_tree_free(t);
	}
	if (fw->err) {
		rc = fw->err;
		if (rc == TQ_ETOOBIG)
			snprintf(err, errlen, "the stream holds more than %zu bytes: too much to show", fw->max_bytes);
		else if (rc == TQ_ETIMEOUT)
			snprintf(err, errlen, "the stream could not be followed in the time allowed");
		else
			snprintf(err, errlen, "%s", rc == TQ_ENOMEM ? "out of memory" : "a frame of the stream could not be read");
		goto out;
	}
	if (proto == TQ_FOLLOW_HTTP2)
		http2_finish(fw);
	*out = fw;
	fw = NULL;
	rc = 0;
out:
	tq_follow_free(fw);
	free(sel);
	tq_findex_free(ix);
	tq_expr_free(e);
	return rc;
}

void
tq_follow_free(struct tq_follow *fw)
{
	if (!fw)
		return;
	for (size_t i = 0; i < fw->n; i++)
		free((void *)fw->rec[i].data);
	for (int d = 0; d < 2; d++) {
		for (size_t i = 0; i < fw->dir[d].nwait; i++)
			free(fw->dir[d].wait[i].data);
		free(fw->dir[d].wait);
	}
	free(fw->rec);
	free(fw->frames);
	free(fw);
}

size_t
tq_follow_frames(const struct tq_follow *fw, const uint32_t **out)
{
	*out = fw->frames;
	return fw->nframes;
}

size_t
tq_follow_records(const struct tq_follow *fw, const struct tq_follow_record **out)
{
	*out = fw->rec;
	return fw->n;
}

const char *
tq_follow_node(const struct tq_follow *fw, int node, uint32_t *port)
{
	*port = fw->have_nodes ? fw->port[node != 0] : 0;
	return fw->have_nodes ? fw->addr[node != 0] : "";
}

void
tq_follow_filter(const struct tq_follow *fw, char *buf, size_t len)
{
	if (fw->proto == TQ_FOLLOW_HTTP2)
		snprintf(buf, len, "tcp.stream eq %u and http2.streamid eq %u", fw->stream, fw->sub);
	else
		snprintf(buf, len, "%s.stream eq %u", fw->proto == TQ_FOLLOW_UDP ? "udp" : "tcp", fw->stream);
}

static int
printable(uint8_t c)
{
	return c >= 0x20 && c < 0x7f;
}

#define RULE "==================================================================="

void
tq_follow_write(const struct tq_follow *fw, int format, struct tq_sbuf *out)
{
	static const char *const fmt_names[] = { "ascii", "hex", "raw" };
	static const char *const proto_names[] = { "tcp", "udp", "http2" };
	char filter[96];
	tq_follow_filter(fw, filter, sizeof(filter));
	tq_sbuf_printf(out, "\n" RULE "\nFollow: %s,%s\nFilter: %s\n", proto_names[fw->proto], fmt_names[format], filter);
	for (int k = 0; k < 2; k++)
		tq_sbuf_printf(out, "Node %d: %s:%u\n", k, fw->have_nodes ? fw->addr[k] : "", fw->have_nodes ? fw->port[k] : 0);
	uint64_t pos[2] = { 0, 0 };
	for (size_t i = 0; i < fw->n; i++) {
		const struct tq_follow_record *r = &fw->rec[i];
		const char *tab = r->node ? "\t" : "";
		switch (format) {
		case TQ_FOLLOW_ASCII:
			tq_sbuf_printf(out, "%s%u\n", tab, r->len);
			for (uint32_t k = 0; k < r->len; k++) {
				uint8_t c = r->data[k];
				tq_sbuf_putc(out, printable(c) || c == '\n' || c == '\r' ? (char)c : '.');
			}
			tq_sbuf_putc(out, '\n');
			break;
		case TQ_FOLLOW_HEX:
			for (uint32_t k = 0; k < r->len; k += 16) {
				uint32_t m = r->len - k < 16 ? r->len - k : 16;
				tq_sbuf_printf(out, "%s%08llX  ", tab, (unsigned long long)(pos[r->node] + k));
				for (uint32_t j = 0; j < 16; j++) {
					if (j < m)
						tq_sbuf_printf(out, "%02x ", r->data[k + j]);
					else
						tq_sbuf_puts(out, "   ");
					if (j == 7)
						tq_sbuf_putc(out, ' ');
				}
				tq_sbuf_putc(out, ' ');
				for (uint32_t j = 0; j < m; j++) {
					tq_sbuf_putc(out, printable(r->data[k + j]) ? (char)r->data[k + j] : '.');
					if (j == 7)
						tq_sbuf_putc(out, ' ');
				}
				if (out->len && out->s[out->len - 1] == ' ')
					out->len--;      /* as tshark: one space at the end of a line goes */
				tq_sbuf_putc(out, '\n');
			}
			pos[r->node] += r->len;
			break;
		default:
			tq_sbuf_puts(out, tab);
			for (uint32_t k = 0; k < r->len; k++)
				tq_sbuf_printf(out, "%02x", r->data[k]);
			tq_sbuf_putc(out, '\n');
			break;
		}
	}
	tq_sbuf_puts(out, RULE "\n");
}
