/*
 * view.c - what a student sees of a frame: the exercise's view applied.
 *
 * Three kinds of field lose their value: those a field question hides in
 * this frame (shown "??"), those the view redacts in every frame
 * ("(redacted)"), and, in a frame dealt to another place by an order
 * question, the numbers that would tell its place (sequence and
 * acknowledgment numbers, TCP timestamps, SACK edges, IPv4
 * identification, ICMP sequence numbers).  Such a field loses its label's
 * value, its "v", its children and its bytes ("??" in the hex), and the
 * value is masked wherever the frame says it again: in the labels of the
 * tree (a protocol's summary line, "Seq: 1, Ack: 1"), in the values of the
 * items that hold it (an options block's bytes) and in the packet list's
 * row ("Seq=1 Ack=1 ... TSval=..."), so that the answer is not one line
 * above its "??".  A value is masked where it stands as a word (a value
 * of three characters or more: an address, a port, a name) or after the
 * words its field is announced by ("Seq=", "Src Port: ") for the short
 * ones.  Excluded fields are left out; a dealt frame also loses its
 * times and the fields that name other frames.
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

/* How a frame's summaries announce a field's value: the words before it. */
static const struct {
	const char *field;
	const char *before[3];
} announced[] = {
	{ "tcp.srcport", { "Src Port: ", NULL } }, { "tcp.dstport", { "Dst Port: ", NULL } },
	{ "udp.srcport", { "Src Port: ", NULL } }, { "udp.dstport", { "Dst Port: ", NULL } },
	{ "tcp.seq", { "Seq: ", "Seq=", NULL } }, { "tcp.ack", { "Ack: ", "Ack=", NULL } },
	{ "tcp.len", { "Len: ", "Len=", NULL } }, { "udp.length", { "Len=", NULL } },
	{ "tcp.window_size", { "Win=", NULL } }, { "tcp.options.mss_val", { "MSS=", NULL } },
	{ "tcp.options.wscale.multiplier", { "WS=", NULL } },
	{ "tcp.options.timestamp.tsval", { "TSval ", "TSval=", NULL } },
	{ "tcp.options.timestamp.tsecr", { "TSecr ", "TSecr=", NULL } },
	{ "tcp.options.sack_le", { "SLE=", NULL } }, { "tcp.options.sack_re", { "SRE=", NULL } },
	{ "ip.ttl", { "ttl=", "TTL: ", NULL } }, { "ip.id", { "id=", NULL } }, { "icmp.seq", { "seq=", NULL } },
	{ "icmp.seq_le", { "seq=", NULL } }, { "icmp.ident", { "id=", NULL } },
	{ "icmpv6.echo.sequence_number", { "seq=", NULL } }, { "icmpv6.echo.identifier", { "id=", NULL } },
};

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

/* How field f is masked: 0 not, 'h' hidden ("??"), 'r' redacted. */
static int
mask_kind(const struct view_rules *vr, const char *f)
{
	if (in_list(vr->hidden, f) || (vr->dealt && in_names(dealt_mask, f)))
		return 'h';
	return in_list(vr->redact, f) ? 'r' : 0;
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

/* ------------------------------------------------------------------ text */

static int
word_char(char c)
{
	return isalnum((unsigned char)c);
}

/* Replaces s[at, at+n) by "??" in the growing copy out (NULL until a first change). */
static char *
splice(char *out, const char *s, size_t at, size_t n)
{
	size_t len = strlen(s);
	char *t = malloc(len - n + 3);
	if (!t)
		return out;
	memcpy(t, s, at);
	memcpy(t + at, "??", 2);
	memcpy(t + at + 2, s + at + n, len - at - n + 1);
	free(out);
	return t;
}

char *
view_mask_text(const char *s, const struct view_masks *ms)
{
	char *out = NULL;
	for (size_t i = 0; i < ms->n; i++) {
		const char *v = ms->m[i].value;
		size_t vn = strlen(v);
		/* where the value stands as a word */
		for (size_t at = 0; vn >= 3;) {
			const char *cur = out ? out : s;
			const char *hit = strstr(cur + at, v);
			if (!hit)
				break;
			size_t p = (size_t)(hit - cur);
			if ((p == 0 || !word_char(cur[p - 1]) || !word_char(v[0])) &&
			    (!word_char(cur[p + vn]) || !word_char(v[vn - 1]))) {
				out = splice(out, cur, p, vn);
				at = p + 2;
			} else {
				at = p + 1;
			}
		}
		/* after the words that announce it */
		for (size_t k = 0; k < sizeof(announced) / sizeof(announced[0]); k++) {
			if (strcmp(announced[k].field, ms->m[i].field))
				continue;
			for (int b = 0; announced[k].before[b]; b++) {
				const char *w = announced[k].before[b];
				size_t wn = strlen(w);
				for (size_t at = 0;;) {
					const char *cur = out ? out : s;
					const char *hit = strstr(cur + at, w);
					if (!hit)
						break;
					size_t p = (size_t)(hit - cur) + wn;
					if (!strncmp(cur + p, v, vn) && !word_char(cur[p + vn])) {
						out = splice(out, cur, p, vn);
						at = p + 2;
					} else {
						at = p;
					}
				}
			}
		}
	}
	return out;
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

/* The first pass: fields left out, masked ones emptied; 1 when nodes held a masked one. */
static int
mask_nodes(json_t *nodes, const struct view_rules *vr, json_t *sources, struct view_masks *ms)
{
	int any = 0;
	for (size_t i = 0; i < json_array_size(nodes);) {
		json_t *n = json_array_get(nodes, i);
		const char *f = json_string_value(json_object_get(n, "f"));
		if (f && (in_list(vr->exclude, f) || (vr->dealt && in_names(dealt_drop, f)))) {
			json_array_remove(nodes, i);
			continue;
		}
		int kind = f ? mask_kind(vr, f) : 0;
		json_t *kids = json_object_get(n, "n");
		if (kind) {
			const struct tq_field *fd = tq_field_lookup(f);
			remember(ms, f, json_string_value(json_object_get(n, "v")));
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

/* The second pass: the masked values wherever a label says them again. */
static void
mask_labels(json_t *nodes, const struct view_masks *ms)
{
	size_t i;
	json_t *n;
	json_array_foreach(nodes, i, n) {
		if (json_is_true(json_object_get(n, "hidden")))
			continue;
		const char *l = json_string_value(json_object_get(n, "l"));
		char *m = l ? view_mask_text(l, ms) : NULL;
		if (m) {
			json_object_set_new(n, "l", json_string(m));
			free(m);
		}
		mask_labels(json_object_get(n, "n"), ms);
	}
}

void
view_frame(json_t *frame, const struct view_rules *vr, struct view_masks *ms)
{
	json_t *tree = json_object_get(frame, "tree");
	mask_nodes(tree, vr, json_object_get(frame, "sources"), ms);
	if (ms->n)
		mask_labels(tree, ms);
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
