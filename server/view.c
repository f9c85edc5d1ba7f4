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
 * is total within the frame: the restatement table (view_text.c) says,
 * field by field, where else the frame says the value (a twin such as
 * tcp.seq_raw, a generated field computed from it such as tcp.nxtseq, the
 * words of a summary line such as "Seq: " or "TSecr ", the flags
 * summaries, the packet list's Info column), and each is masked there too,
 * in the tree (labels and values) and in the packet-list row.  A masked
 * value of three characters or more (an address, a port) is also masked
 * wherever it stands as a word.  Excluded fields are left out; a dealt
 * frame also loses its times and the fields that name other frames.  Other
 * frames are left as they are.
 *
 * A frame is masked in two passes over its tree, with no document built:
 * the first decides what each item becomes and gathers the values masked
 * (an item's label may quote a value found further down, "Seq: 0" before
 * tcp.seq), the second is the JSON writer (tq_write_json_view), which asks
 * at each item what the first decided and masks what its label quotes.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../analysis/tq.h"
#include "exercise.h"
#include "view_int.h"

/* What the first pass decided for an item (the items not named keep what they are). */
enum { D_DROP = 1, D_HIDE, D_REDACT, D_NO_VALUE };

/* What the rules do to a field, computed once per frame (struct tq_view's cls). */
#define C_DONE   0x80
#define C_DROP   0x01       /* left out */
#define C_HIDE   0x02       /* "??" */
#define C_REDACT 0x04       /* "(redacted)" */
#define C_ALIAS  0x08       /* a filter alias: masked where it holds a masked field's value */
#define C_NAMED  0x10       /* its value has a name to mask too */

struct tq_view {
	const struct tq_exercise *ex;
	const json_t *exclude, *redact;  /* borrowed from the exercise */
	json_t *hidden;                  /* the fields hidden in this frame */
	int dealt, named;
	uint32_t real, shown;
	unsigned char *cls;              /* by field id */
	uint32_t ncls;
	/* the first pass: decisions by item, an open-addressing table */
	const struct tq_node **keys;
	unsigned char *vals;
	size_t cap, used;
	struct tq_json_span *spans;      /* the bytes masked */
	size_t nspans, spancap;
	struct tq_sbuf buf;
	char *label;                     /* the label the writer is writing, when the view made it */
	struct view_masks ms;
};

struct tq_view *
tq_view_new(const struct tq_exercise *ex)
{
	struct tq_view *v = calloc(1, sizeof(*v));
	if (!v)
		return NULL;
	v->ex = ex;
	const json_t *view = json_object_get(tq_exercise_doc(ex), "view");
	v->exclude = json_object_get(view, "exclude");
	v->redact = json_object_get(view, "redact");
	v->ncls = tq_field_id_limit();
	v->cls = calloc(v->ncls ? v->ncls : 1, 1);
	v->hidden = json_array();
	tq_sbuf_init(&v->buf, 1 << 20);
	if (!v->cls || !v->hidden) {
		tq_view_free(v);
		return NULL;
	}
	return v;
}

void
tq_view_free(struct tq_view *v)
{
	if (!v)
		return;
	json_decref(v->hidden);
	free(v->cls);
	free(v->keys);
	free(v->vals);
	free(v->spans);
	free(v->label);
	tq_sbuf_free(&v->buf);
	free(v);
}

/* How field f itself is masked: 0 not, 'h' hidden ("??"), 'r' redacted. */
static int
direct_kind(const struct tq_view *v, const char *f)
{
	if (view_in_list(v->hidden, f) || (v->dealt && view_in_names(view_dealt_mask, f)))
		return 'h';
	return view_in_list(v->redact, f) ? 'r' : 0;
}

/* Whether the rules mask a field whose value has a name to mask too (R_NAMED). */
static int
masks_named(const struct tq_view *v)
{
	for (size_t k = 0; k < view_nrestate; k++)
		if (view_restate[k].how == R_NAMED && direct_kind(v, view_restate[k].field))
			return 1;
	return 0;
}

int
tq_view_frame(struct tq_view *v, uint32_t real, uint32_t shown, int dealt)
{
	v->real = real;
	v->shown = shown;
	v->dealt = dealt;
	v->ms.n = 0;
	view_masks_index(&v->ms);
	v->nspans = 0;
	if (v->used) {
		memset(v->keys, 0, v->cap * sizeof(*v->keys));
		v->used = 0;
	}
	memset(v->cls, 0, v->ncls);
	json_array_clear(v->hidden);
	const json_t *doc = tq_exercise_doc(v->ex);
	char key[16];
	snprintf(key, sizeof(key), "%u", real);
	size_t i;
	json_t *q;
	json_array_foreach(json_object_get(doc, "questions"), i, q) {
		size_t k;
		json_t *f;
		json_array_foreach(json_object_get(json_object_get(q, "hide"), key), k, f)
			if (json_array_append(v->hidden, f) != 0)
				return TQ_ENOMEM;
	}
	v->named = masks_named(v);
	return 0;
}

int
tq_view_masks_anything(const struct tq_view *v)
{
	return v->dealt || json_array_size(v->hidden) || json_array_size(v->redact);
}

int
tq_view_hides(const struct tq_view *v)
{
	return json_array_size(v->hidden) != 0;
}

/* ------------------------------------------------------------------ the rules, field by field */

/* What the rules do to field f (abbrev a): C_ bits. */
static unsigned
classify(const struct tq_view *v, const char *a)
{
	unsigned c = 0;
	if (view_in_list(v->exclude, a) || (v->dealt && view_in_names(view_dealt_drop, a)))
		c |= C_DROP;
	int kind = direct_kind(v, a);
	for (size_t k = 0; k < view_nrestate; k++) {
		const struct restate *r = &view_restate[k];
		if (r->how == R_NAMED && !strcmp(r->field, a))
			c |= C_NAMED;
		if (!r->other || strcmp(r->other, a))
			continue;
		if (r->how == R_ALIAS)
			c |= C_ALIAS;
		if (r->how == R_DROP && direct_kind(v, r->field))
			c |= C_DROP;
		if ((r->how == R_TWIN || r->how == R_DERIVED) && kind != 'h') {
			/* the twin of, or computed from, a masked field: masked as it is */
			int by = direct_kind(v, r->field);
			if (by == 'h' || (by && !kind))
				kind = by;
		}
	}
	return c | (kind == 'h' ? C_HIDE : kind == 'r' ? C_REDACT : 0);
}

static unsigned
class_of(struct tq_view *v, const struct tq_field *f)
{
	uint32_t id = tq_field_id(f);
	if (id >= v->ncls)
		return classify(v, tq_field_abbrev(f));
	if (!v->cls[id])
		v->cls[id] = (unsigned char)(C_DONE | classify(v, tq_field_abbrev(f)));
	return v->cls[id];
}

/* ------------------------------------------------------------------ decisions by item */

static size_t
slot(const struct tq_view *v, const struct tq_node *n)
{
	size_t h = (size_t)(((uintptr_t)n >> 4) * 0x9e3779b97f4a7c15u);
	for (size_t i = h & (v->cap - 1);; i = (i + 1) & (v->cap - 1))
		if (!v->keys[i] || v->keys[i] == n)
			return i;
}

static int
decide(struct tq_view *v, const struct tq_node *n, unsigned char d)
{
	if ((v->used + 1) * 2 > v->cap) {
		size_t cap = v->cap ? v->cap * 2 : 64;
		const struct tq_node **keys = calloc(cap, sizeof(*keys));
		unsigned char *vals = malloc(cap);
		if (!keys || !vals) {
			free(keys);
			free(vals);
			return TQ_ENOMEM;
		}
		const struct tq_node **ok = v->keys;
		unsigned char *ov = v->vals;
		size_t ocap = v->cap;
		v->keys = keys;
		v->vals = vals;
		v->cap = cap;
		for (size_t i = 0; i < ocap; i++)
			if (ok[i]) {
				size_t s = slot(v, ok[i]);
				v->keys[s] = ok[i];
				v->vals[s] = ov[i];
			}
		free(ok);
		free(ov);
	}
	size_t s = slot(v, n);
	if (!v->keys[s])
		v->used++;
	v->keys[s] = n;
	v->vals[s] = d;
	return 0;
}

static unsigned char
decided(const struct tq_view *v, const struct tq_node *n)
{
	if (!v->used)
		return 0;
	size_t s = slot(v, n);
	return v->keys[s] ? v->vals[s] : 0;
}

static int
mask_span(struct tq_view *v, const struct tq_node *n)
{
	if (v->nspans == v->spancap) {
		size_t cap = v->spancap ? v->spancap * 2 : 16;
		struct tq_json_span *s = realloc(v->spans, cap * sizeof(*s));
		if (!s)
			return TQ_ENOMEM;
		v->spans = s;
		v->spancap = cap;
	}
	struct tq_json_span *s = &v->spans[v->nspans];
	tq_node_span(n, &s->ds, &s->pos, &s->len);
	if (s->len)
		v->nspans++;
	return 0;
}

/* The value of n as the JSON says it, in v->buf. */
static const char *
shown_value(struct tq_view *v, const struct tq_node *n)
{
	tq_sbuf_reset(&v->buf);
	tq_node_value_show(n, &v->buf);
	return v->buf.err ? "" : tq_sbuf_str(&v->buf);
}

/*
 * The first pass over the items under parent: the excluded left out, the
 * masked emptied, their values remembered.  *masked: whether one of them
 * was masked; *kept: how many stay.  0 or a tq_err.
 */
static int
first_pass(struct tq_view *v, const struct tq_node *parent, int *masked, int *kept)
{
	int rc = 0;
	for (const struct tq_node *n = tq_node_child(parent); n && !rc; n = tq_node_next(n)) {
		if (tq_node_is_hidden(n))
			continue;
		const struct tq_field *f = tq_node_field(n);
		unsigned c = f ? class_of(v, f) : 0;
		if (c & C_DROP) {
			rc = decide(v, n, D_DROP);
			continue;
		}
		int hide = (c & C_HIDE) != 0, redact = (c & C_REDACT) != 0;
		if (!hide && !redact && (c & C_ALIAS) && view_alias_masked(&v->ms, tq_field_abbrev(f), shown_value(v, n)))
			hide = 1;
		if (hide || redact) {
			const char *a = tq_field_abbrev(f);
			char value[160];
			snprintf(value, sizeof(value), "%s", shown_value(v, n));
			view_remember(&v->ms, a, value);
			if (c & C_NAMED) {
				tq_sbuf_reset(&v->buf);
				tq_node_label(n, &v->buf);
				if (!v->buf.err)
					view_remember_name(&v->ms, tq_sbuf_str(&v->buf), value);
			}
			rc = decide(v, n, hide ? D_HIDE : D_REDACT);
			if (!rc)
				rc = mask_span(v, n);
			*masked = 1;
			(*kept)++;
			continue;
		}
		const struct tq_node *kids = tq_node_child(n);
		while (kids && tq_node_is_hidden(kids))
			kids = tq_node_next(kids);
		if (kids) {
			int under = 0, left = 0;
			rc = first_pass(v, n, &under, &left);
			if (!rc && under) {
				/* an item that holds a masked one says its value too: its own value goes */
				rc = decide(v, n, D_NO_VALUE);
				*masked = 1;
			}
			if (!rc && !f && !left && v->dealt) {
				rc = decide(v, n, D_DROP);     /* a text item left empty ("Timestamps") */
				continue;
			}
		}
		(*kept)++;
	}
	return rc;
}

/* ------------------------------------------------------------------ the second pass: writing */

static void
edit_item(void *arg, struct tq_json_item *it)
{
	struct tq_view *v = arg;
	free(v->label);
	v->label = NULL;
	unsigned char d = decided(v, it->node);
	if (d == D_DROP) {
		it->drop = 1;
		return;
	}
	const struct tq_field *f = tq_node_field(it->node);
	const char *label = it->label, *where = f ? tq_field_abbrev(f) : NULL;
	char *masked = NULL;
	if (d == D_HIDE || d == D_REDACT) {
		if (asprintf(&v->label, "%s: %s", tq_field_name(f), d == D_HIDE ? "??" : "(redacted)") < 0)
			v->label = NULL;
		it->new_label = v->label ? v->label : "??";
		it->no_value = it->no_kids = 1;
		it->hidden = d == D_HIDE;
		if (d == D_HIDE || !v->ms.n || !v->label)
			return;
		label = v->label;
	}
	if (d == D_NO_VALUE)
		it->no_value = 1;
	if (v->ms.n) {
		masked = view_mask_text(label, &v->ms, where, v->real);
		char *mv = it->value && !it->no_value ? view_mask_text(it->value, &v->ms, where, v->real) : NULL;
		if (masked || mv) {
			/* a value said again: the label masked, the item's value and what explains it gone */
			it->no_value = 1;
			if (where && !strcmp(where, "tcp.flags.str"))
				it->no_kids = 1;     /* the expert info of a FIN */
		}
		free(mv);
		if (masked) {
			free(v->label);
			v->label = masked;
			label = masked;
			it->new_label = masked;
		}
	}
	if (it->depth == 0 && v->dealt && !strncmp(label, "Frame ", 6) && strchr(label, ':')) {
		/* frame `real` shown at place `shown`: "Frame 2: 74 bytes..." becomes "Frame 3: 74 bytes..." */
		char *relabel;
		if (asprintf(&relabel, "Frame %lu%s", (unsigned long)v->shown, strchr(label, ':')) >= 0) {
			free(v->label);
			v->label = relabel;
			it->new_label = relabel;
		}
	}
}

int
tq_view_write_json(struct tq_view *v, struct tq_tree *t, struct tq_sbuf *out)
{
	int masked = 0, kept = 0;
	int rc = first_pass(v, tq_tree_root(t), &masked, &kept);
	if (rc)
		return rc;
	view_masks_index(&v->ms);
	struct tq_json_view jv = {
		.frame = v->shown, .item = edit_item, .arg = v, .masked = v->spans, .nmasked = v->nspans,
	};
	rc = tq_write_json_view(t, &jv, out);
	free(v->label);
	v->label = NULL;
	return rc;
}

/* ------------------------------------------------------------------ the packet-list row */

/* Gathers the values the view masks in a frame's tree of values, wherever they are. */
static void
gather(struct tq_view *v, const struct tq_node *n, int depth)
{
	for (const struct tq_node *c = tq_node_child(n); c; c = tq_node_next(c)) {
		const struct tq_field *f = tq_node_field(c);
		if (f && tq_field_has_value(f) && (class_of(v, f) & (C_HIDE | C_REDACT))) {
			const char *value = shown_value(v, c);
			if (*value)
				view_remember(&v->ms, tq_field_abbrev(f), value);
		}
		if (depth < 64)
			gather(v, c, depth + 1);
	}
}

int
tq_view_gather(struct tq_view *v, struct tq_capture *cap)
{
	v->ms.n = 0;
	view_masks_index(&v->ms);
	if (!tq_view_masks_anything(v))
		return 0;
	int err, masked = 0, kept = 0;
	/* a value's name is in its label: the tree as shown, masked as the frame's tree is */
	struct tq_tree *t = tq_dissect_ex(cap, v->real, v->named ? TQ_DISSECT_DISPLAY : TQ_DISSECT_VALUES, &err);
	if (!t)
		return err;
	if (v->named)
		err = first_pass(v, tq_tree_root(t), &masked, &kept);
	else
		gather(v, tq_tree_root(t), 0);
	tq_tree_free(t);
	view_masks_index(&v->ms);
	return err;
}

char *
tq_view_mask_row(const struct tq_view *v, const char *s)
{
	return v->ms.n ? view_mask_text(s, &v->ms, VIEW_INFO, 0) : NULL;
}

int
tq_view_row_maskable(const struct tq_view *v)
{
	size_t i;
	json_t *h;
	json_array_foreach(v->hidden, i, h) {
		const char *f = json_string_value(h);
		if (!f || view_said_in_info(f))
			continue;
		/* not in the table: found only as a word, which a value of one or two characters is not */
		for (size_t k = 0; k < v->ms.n; k++)
			if (!strcmp(v->ms.m[k].field, f) && strlen(v->ms.m[k].value) < 3)
				return 0;
	}
	return 1;
}
