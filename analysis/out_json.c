/*
 * out_json.c - the compact JSON the browser reads (doc/json.md): one object
 * per frame with its data sources and its tree, keys as sharkd's.
 *
 * Written straight from the tree into the output buffer, one item after the
 * other: no document is built.  A view (struct tq_json_view) may edit each
 * item as it is written (leave it out, relabel it, drop its value or its
 * children) and mask byte ranges in the hex of the sources; the student's
 * view of an exercise is applied this way.
 */
#include "config.h"

#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "internal.h"

/* ------------------------------------------------------------------ strings */

static void
put_u16_escape(struct tq_sbuf *out, unsigned cp)
{
	static const char hex[] = "0123456789ABCDEF";
	char e[6] = { '\\', 'u', hex[cp >> 12 & 15], hex[cp >> 8 & 15], hex[cp >> 4 & 15], hex[cp & 15] };
	tq_sbuf_put(out, e, sizeof(e));
}

/* Whether one of the eight bytes at s is a control character, '"', '\\' or not ASCII. */
static inline int
needs_escape8(const unsigned char *s)
{
	const uint64_t ones = 0x0101010101010101u, high = 0x8080808080808080u;
	uint64_t x;
	memcpy(&x, s, 8);
	uint64_t q = x ^ (ones * '"'), b = x ^ (ones * '\\');
	uint64_t hit = (x | ((x - ones * 0x20) & ~x) | ((q - ones) & ~q) | ((b - ones) & ~b)) & high;
	return hit != 0;
}

/* How many of the n bytes at s need no escaping, from the first: a string's labels are mostly plain ASCII. */
static size_t
plain_prefix(const unsigned char *s, size_t n)
{
	size_t i = 0;
#ifdef __SSE2__
	/* sixteen at a time: a signed compare below 0x20 also catches the bytes from 0x80 */
	const __m128i space = _mm_set1_epi8(0x20), quote = _mm_set1_epi8('"'), bs = _mm_set1_epi8('\\');
	for (; n - i >= 16; i += 16) {
		__m128i x = _mm_loadu_si128((const __m128i *)(const void *)(s + i));
		__m128i bad = _mm_or_si128(_mm_cmplt_epi8(x, space), _mm_or_si128(_mm_cmpeq_epi8(x, quote), _mm_cmpeq_epi8(x, bs)));
		unsigned m = (unsigned)_mm_movemask_epi8(bad);
		if (m)
			return i + (size_t)__builtin_ctz(m);
	}
#endif
	while (n - i >= 8 && !needs_escape8(s + i))
		i += 8;
	while (i < n && s[i] >= 0x20 && s[i] < 0x80 && s[i] != '"' && s[i] != '\\')
		i++;
	return i;
}

void
tq_json_string(struct tq_sbuf *out, const char *str, size_t n)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t run = 0;
	tq_sbuf_putc(out, '"');
	for (size_t i = 0; i < n;) {
		i += plain_prefix(s + i, n - i);
		if (i == n)
			break;
		unsigned char c = s[i];
		tq_sbuf_put(out, str + run, i - run);
		if (c < 0x80) {
			const char *e = c == '"' ? "\\\"" : c == '\\' ? "\\\\" : c == '\b' ? "\\b" : c == '\f' ? "\\f" :
			    c == '\n' ? "\\n" : c == '\r' ? "\\r" : c == '\t' ? "\\t" : NULL;
			if (e)
				tq_sbuf_put(out, e, 2);
			else
				put_u16_escape(out, c);
			i++;
		} else {
			/* ASCII out: other characters as \u escapes, a byte that is not UTF-8 as U+FFFD */
			uint32_t cp;
			size_t k = tq_utf8_next(s + i, n - i, &cp);
			if (!k) {
				cp = 0xfffd;
				k = 1;
			}
			if (cp >= 0x10000) {
				put_u16_escape(out, 0xd800 | (unsigned)((cp - 0x10000) >> 10));
				put_u16_escape(out, 0xdc00 | (unsigned)((cp - 0x10000) & 0x3ff));
			} else {
				put_u16_escape(out, (unsigned)cp);
			}
			i += k;
		}
		run = i;
	}
	tq_sbuf_put(out, str + run, n - run);
	tq_sbuf_putc(out, '"');
}

/* ------------------------------------------------------------------ the frame */

struct writer {
	const struct tq_tree *t;
	struct tq_sbuf *out;
	struct tq_sbuf label, value;     /* scratch, reused item after item */
	const struct tq_json_view *view;
};

static int
has_shown_child(const struct tq_node *n)
{
	for (const struct tq_node *c = n->child; c; c = c->next)
		if (!(c->flags & NF_HIDDEN))
			return 1;
	return 0;
}

static void write_items(struct writer *w, const struct tq_node *first, int depth);

/* Whether n's value is its own bytes (tcp.payload, tls.app_data): "vb" then stands for "v". */
static int
value_is_span(const struct writer *w, const struct tq_node *n)
{
	return n->f->type == FT_BYTES && n->len && n->ds < w->t->nds && n->v.b.n == n->len &&
	    n->v.b.p == w->t->ds[n->ds].data + n->pos;
}

/*
 * What the node writes at out from `from` (after an opening quote) made a
 * JSON string: closed as it is when nothing in it needs escaping, the
 * common case, else written again escaped.
 */
static void
close_string(struct writer *w, size_t from)
{
	struct tq_sbuf *out = w->out;
	if (out->err)
		return;
	if (plain_prefix((const unsigned char *)out->s + from, out->len - from) < out->len - from) {
		tq_sbuf_reset(&w->label);
		tq_sbuf_put(&w->label, out->s + from, out->len - from);
		out->len = from - 1;
		tq_json_string(out, w->label.s, w->label.len);
		return;
	}
	tq_sbuf_putc(out, '"');
}

/* The item's label and value, and their keys ("l", "f", "v"), as the view edits them. */
static int
write_words(struct writer *w, const struct tq_node *n, struct tq_json_item *it, int *count)
{
	struct tq_sbuf *out = w->out;
	tq_sbuf_reset(&w->label);
	tq_node_label(n, &w->label);
	it->label = tq_sbuf_str(&w->label);
	if (n->f) {
		tq_sbuf_reset(&w->value);
		tq_node_show(n, &w->value);
		it->value = w->value.len ? tq_sbuf_str(&w->value) : NULL;
	}
	w->view->item(w->view->arg, it);
	if (it->drop)
		return 0;
	if ((*count)++)
		tq_sbuf_putc(out, ',');
	tq_sbuf_puts(out, "{\"l\":");
	if (it->new_label)
		tq_json_string(out, it->new_label, strlen(it->new_label));
	else
		tq_json_string(out, it->label, w->label.len);
	if (n->f) {
		tq_sbuf_puts(out, ",\"f\":");
		tq_json_string(out, n->f->abbrev, strlen(n->f->abbrev));
		if (it->value && !it->no_value && value_is_span(w, n)) {
			tq_sbuf_puts(out, ",\"vb\":true");
		} else if (it->value && !it->no_value) {
			tq_sbuf_puts(out, ",\"v\":");
			tq_json_string(out, it->value, w->value.len);
		}
	}
	return 1;
}

/* The same with no view: label and value rendered straight into out. */
static void
write_words_plain(struct writer *w, const struct tq_node *n, int *count)
{
	struct tq_sbuf *out = w->out;
	if ((*count)++)
		tq_sbuf_putc(out, ',');
	tq_sbuf_puts(out, "{\"l\":\"");
	size_t from = out->len;
	tq_node_label(n, out);
	close_string(w, from);
	if (!n->f)
		return;
	size_t an = strlen(n->f->abbrev);
	char *d = tq_sbuf_reserve(out, an + 8);
	if (!d)
		return;
	memcpy(d, ",\"f\":\"", 6);
	memcpy(d + 6, n->f->abbrev, an);        /* a filter name: nothing to escape */
	d[6 + an] = '"';
	tq_sbuf_commit(out, an + 7);
	size_t at = out->len;
	if (value_is_span(w, n)) {
		tq_sbuf_puts(out, ",\"vb\":true");
		return;
	}
	if (n->f->type == FT_STRING) {
		/* the only values that may hold quotes, controls or UTF-8 */
		tq_sbuf_reset(&w->value);
		tq_node_show(n, &w->value);
		if (w->value.len) {
			tq_sbuf_puts(out, ",\"v\":");
			tq_json_string(out, w->value.s, w->value.len);
		}
		return;
	}
	tq_sbuf_puts(out, ",\"v\":\"");
	size_t mark = out->len;
	tq_node_show(n, out);
	if (out->len == mark)
		out->len = at;                      /* no value: no key */
	else
		tq_sbuf_putc(out, '"');
}

/* Decimal v at d; returns the end. */
static char *
put_dec(char *d, uint32_t v)
{
	if (v < 10) {
		*d = (char)('0' + v);
		return d + 1;
	}
	char tmp[10];
	unsigned k = sizeof(tmp);
	while (v >= 100) {
		memcpy(tmp + (k -= 2), tq_digit_pairs + 2 * (v % 100), 2);
		v /= 100;
	}
	if (v >= 10)
		memcpy(tmp + (k -= 2), tq_digit_pairs + 2 * v, 2);
	else
		tmp[--k] = (char)('0' + v);
	memcpy(d, tmp + k, sizeof(tmp) - k);
	return d + sizeof(tmp) - k;
}

/* An item's "h", "ds", "g", "e" and "hidden", in one piece: most items are small. */
static void
write_span(struct tq_sbuf *out, const struct tq_node *n, int hidden)
{
	static const char h[] = ",\"h\":[", ds[] = ",\"ds\":", g[] = ",\"g\":true", e[] = ",\"e\":true",
	    hid[] = ",\"hidden\":true";
	char *start = tq_sbuf_reserve(out, 96), *d = start;
	if (!d)
		return;
	memcpy(d, h, sizeof(h) - 1);
	d = put_dec(d + sizeof(h) - 1, n->pos);
	*d++ = ',';
	d = put_dec(d, n->len);
	*d++ = ']';
	if (n->ds) {
		memcpy(d, ds, sizeof(ds) - 1);
		d = put_dec(d + sizeof(ds) - 1, n->ds);
	}
	if (n->flags & NF_GENERATED) {
		memcpy(d, g, sizeof(g) - 1);
		d += sizeof(g) - 1;
	}
	if (n->flags & NF_EXPERT) {
		memcpy(d, e, sizeof(e) - 1);
		d += sizeof(e) - 1;
	}
	if (hidden) {
		memcpy(d, hid, sizeof(hid) - 1);
		d += sizeof(hid) - 1;
	}
	tq_sbuf_commit(out, (size_t)(d - start));
}

static void
write_item(struct writer *w, const struct tq_node *n, int depth, int *count)
{
	struct tq_sbuf *out = w->out;
	struct tq_json_item it = { .node = n, .depth = depth, .ds = n->ds, .pos = n->pos, .len = n->len };
	if (w->view && w->view->item) {
		if (!write_words(w, n, &it, count))
			return;
	} else {
		write_words_plain(w, n, count);
	}
	write_span(out, n, it.hidden);
	if (!it.no_kids && has_shown_child(n)) {
		tq_sbuf_puts(out, ",\"n\":[");
		write_items(w, n->child, depth + 1);
		tq_sbuf_putc(out, ']');
	}
	tq_sbuf_putc(out, '}');
}

static void
write_items(struct writer *w, const struct tq_node *first, int depth)
{
	int count = 0;
	for (const struct tq_node *n = first; n && !w->out->err; n = n->next)
		if (!(n->flags & NF_HIDDEN))
			write_item(w, n, depth, &count);
}

/* The bytes of data source i as lowercase hex, the view's masked ranges as "??". */
static void
write_bytes(struct writer *w, const struct tq_tree *t, unsigned i)
{
	const struct tq_ds *d = &t->ds[i];
	size_t start = w->out->len;
	tq_hexstr(d->data, d->len, 0, w->out);
	if (w->out->err || !w->view)
		return;
	for (size_t k = 0; k < w->view->nmasked; k++) {
		const struct tq_json_span *m = &w->view->masked[k];
		if (m->ds != i || m->pos >= d->len)
			continue;
		uint32_t end = m->len > d->len - m->pos ? d->len : m->pos + m->len;
		memset(w->out->s + start + 2 * (size_t)m->pos, '?', 2 * (size_t)(end - m->pos));
	}
}

int
tq_write_json_view(struct tq_tree *t, const struct tq_json_view *view, struct tq_sbuf *out)
{
	struct writer w = { .t = t, .out = out, .view = view };
	tq_sbuf_init(&w.label, 0);
	tq_sbuf_init(&w.value, 0);
	tq_sbuf_puts(out, "{\"frame\":");
	tq_sbuf_put_u64(out, view && view->frame ? view->frame : t->num);
	tq_sbuf_puts(out, ",\"sources\":[");
	for (unsigned i = 0; i < t->nds; i++) {
		const char *name = t->ds[i].name ? t->ds[i].name : "";
		tq_sbuf_puts(out, i ? ",{\"name\":" : "{\"name\":");
		tq_json_string(out, name, strlen(name));
		tq_sbuf_puts(out, ",\"bytes\":\"");
		write_bytes(&w, t, i);
		tq_sbuf_puts(out, "\"}");
	}
	tq_sbuf_puts(out, "],\"tree\":[");
	write_items(&w, t->root.child, 0);
	tq_sbuf_puts(out, "]}");
	int err = out->err ? out->err : w.label.err ? w.label.err : w.value.err;
	tq_sbuf_free(&w.label);
	tq_sbuf_free(&w.value);
	return err;
}

void
tq_write_json(struct tq_tree *t, struct tq_sbuf *out)
{
	tq_write_json_view(t, NULL, out);
}
