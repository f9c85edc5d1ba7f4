/*
 * json.c - JavaScript Object Notation (RFC 8259) as Wireshark 4.0's JSON
 * dissector shows a body: objects, arrays, members with their keys, values
 * and the generated paths.  A body that is not JSON goes to "Line-based
 * text data", as Wireshark does.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "http.h"

static struct tq_field hf_json = HF("json", "JavaScript Object Notation", FT_PROTOCOL, BASE_NONE, NULL, 0);
static struct tq_field hf_array = HF("json.array", "Array", FT_NONE, BASE_NONE, NULL, 0);
static struct tq_field hf_object = HF("json.object", "Object", FT_NONE, BASE_NONE, NULL, 0);
static struct tq_field hf_member = HF("json.member", "Member", FT_STRING, BASE_NONE, NULL, 0);
static struct tq_field hf_key = HF("json.key", "Key", FT_STRING, BASE_NONE, NULL, 0);
static struct tq_field hf_path = HF("json.path", "Path", FT_STRING, BASE_NONE, NULL, 0);
static struct tq_field hf_path_with_value = HF("json.path_with_value", "Path with value", FT_STRING, BASE_NONE, NULL, 0);
static struct tq_field hf_member_with_value = HF("json.member_with_value", "Member with value", FT_STRING, BASE_NONE, NULL, 0);
static struct tq_field hf_string = HF("json.value.string", "String value", FT_STRING, BASE_NONE, NULL, 0);
static struct tq_field hf_number = HF("json.value.number", "Number value", FT_STRING, BASE_NONE, NULL, 0);
static struct tq_field hf_false = HF("json.value.false", "False value", FT_NONE, BASE_NONE, NULL, 0);
static struct tq_field hf_null = HF("json.value.null", "Null value", FT_NONE, BASE_NONE, NULL, 0);
static struct tq_field hf_true = HF("json.value.true", "True value", FT_NONE, BASE_NONE, NULL, 0);

static struct tq_field *const fields[] = {
	&hf_json, &hf_array, &hf_object, &hf_member, &hf_key, &hf_path, &hf_path_with_value,
	&hf_member_with_value, &hf_string, &hf_number, &hf_false, &hf_null, &hf_true,
};

void
tq_register_json(void)
{
	TQ_REGISTER(fields);
}

#define MAX_DEPTH 64

struct jp {
	struct tq_pkt *pk;
	const struct tq_slice *s;
	const uint8_t *p;
	uint32_t n, i;
	int build;
};

static void
ws(struct jp *j)
{
	while (j->i < j->n && (j->p[j->i] == ' ' || j->p[j->i] == '\t' || j->p[j->i] == '\r' || j->p[j->i] == '\n'))
		j->i++;
}

static int
hex4(const uint8_t *p, uint32_t *v)
{
	*v = 0;
	for (int k = 0; k < 4; k++) {
		uint8_t c = p[k];
		int h = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 :
		    c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
		if (h < 0)
			return 0;
		*v = *v << 4 | (uint32_t)h;
	}
	return 1;
}

static void
put_utf8(struct tq_sbuf *b, uint32_t cp)
{
	if (cp < 0x80) {
		tq_sbuf_putc(b, (char)cp);
	} else if (cp < 0x800) {
		tq_sbuf_putc(b, (char)(0xc0 | cp >> 6));
		tq_sbuf_putc(b, (char)(0x80 | (cp & 0x3f)));
	} else if (cp < 0x10000) {
		tq_sbuf_putc(b, (char)(0xe0 | cp >> 12));
		tq_sbuf_putc(b, (char)(0x80 | ((cp >> 6) & 0x3f)));
		tq_sbuf_putc(b, (char)(0x80 | (cp & 0x3f)));
	} else {
		tq_sbuf_putc(b, (char)(0xf0 | cp >> 18));
		tq_sbuf_putc(b, (char)(0x80 | ((cp >> 12) & 0x3f)));
		tq_sbuf_putc(b, (char)(0x80 | ((cp >> 6) & 0x3f)));
		tq_sbuf_putc(b, (char)(0x80 | (cp & 0x3f)));
	}
}

/* A string at j->i (its quote); its unescaped text goes to out when given. */
static int
string(struct jp *j, struct tq_sbuf *out)
{
	if (j->i >= j->n || j->p[j->i] != '"')
		return 0;
	j->i++;
	while (j->i < j->n) {
		uint8_t c = j->p[j->i];
		if (c == '"') {
			j->i++;
			return 1;
		}
		if (c < 0x20)
			return 0;
		if (c == '\\') {
			if (j->i + 1 >= j->n)
				return 0;
			uint8_t e = j->p[j->i + 1];
			const char *map = strchr("\"\\/bfnrt", e);
			if (e && map) {
				static const char rep[] = "\"\\/\b\f\n\r\t";
				if (out)
					tq_sbuf_putc(out, rep[map - "\"\\/bfnrt"]);
				j->i += 2;
			} else if (e == 'u') {
				uint32_t v;
				if (j->i + 6 > j->n || !hex4(j->p + j->i + 2, &v))
					return 0;
				j->i += 6;
				if (v >= 0xd800 && v < 0xdc00 && j->i + 6 <= j->n && j->p[j->i] == '\\' &&
				    j->p[j->i + 1] == 'u') {
					uint32_t lo;
					if (hex4(j->p + j->i + 2, &lo) && lo >= 0xdc00 && lo < 0xe000) {
						v = 0x10000 + ((v - 0xd800) << 10) + (lo - 0xdc00);
						j->i += 6;
					}
				}
				if (out)
					put_utf8(out, v);
			} else {
				return 0;
			}
			continue;
		}
		if (out)
			tq_sbuf_putc(out, (char)c);
		j->i++;
	}
	return 0;
}

static int
number(struct jp *j)
{
	uint32_t st = j->i;
	if (j->i < j->n && j->p[j->i] == '-')
		j->i++;
	uint32_t d = j->i;
	while (j->i < j->n && j->p[j->i] >= '0' && j->p[j->i] <= '9')
		j->i++;
	if (j->i == d)
		return 0;
	if (j->i < j->n && j->p[j->i] == '.') {
		j->i++;
		d = j->i;
		while (j->i < j->n && j->p[j->i] >= '0' && j->p[j->i] <= '9')
			j->i++;
		if (j->i == d)
			return 0;
	}
	if (j->i < j->n && (j->p[j->i] == 'e' || j->p[j->i] == 'E')) {
		j->i++;
		if (j->i < j->n && (j->p[j->i] == '+' || j->p[j->i] == '-'))
			j->i++;
		d = j->i;
		while (j->i < j->n && j->p[j->i] >= '0' && j->p[j->i] <= '9')
			j->i++;
		if (j->i == d)
			return 0;
	}
	return j->i > st;
}

static int
literal(struct jp *j, const char *w)
{
	size_t l = strlen(w);
	if (j->n - j->i < l || memcmp(j->p + j->i, w, l))
		return 0;
	j->i += (uint32_t)l;
	return 1;
}

static int value(struct jp *j, struct tq_node *parent, const char *path, const char *key, int depth);

static const char *
kpath(struct jp *j, const char *path, const char *key)
{
	return tq_arena_printf(j->pk->arena, "%s/%s", path, key);
}

static int
object(struct jp *j, struct tq_node *parent, const char *path, int depth)
{
	uint32_t st = j->i;
	j->i++;
	struct tq_node *o = j->build ? tq_add(j->pk, parent, &hf_object, j->s, st, 0) : NULL;
	ws(j);
	if (j->i < j->n && j->p[j->i] == '}') {
		j->i++;
		tq_set_len(o, j->i - st);
		return 1;
	}
	for (;;) {
		ws(j);
		uint32_t ks = j->i;
		struct tq_sbuf kb;
		tq_sbuf_init(&kb, 0);
		if (!string(j, &kb)) {
			tq_sbuf_free(&kb);
			return 0;
		}
		uint32_t ke = j->i;
		const char *key = j->build ? tq_arena_strdup(j->pk->arena, tq_sbuf_str(&kb), kb.len) : "";
		tq_sbuf_free(&kb);
		ws(j);
		if (j->i >= j->n || j->p[j->i] != ':')
			return 0;
		j->i++;
		ws(j);
		struct tq_node *m = NULL;
		const char *mp = NULL;
		if (j->build) {
			m = tq_add_str(j->pk, o, &hf_member, j->s, ks, 0, key);
			mp = kpath(j, path, key);
		}
		if (!value(j, m, mp, key, depth + 1))
			return 0;
		if (j->build) {
			tq_set_len(m, j->i - ks);
			tq_add_str(j->pk, m, &hf_key, j->s, ks, ke - ks, key);
			tq_gen(tq_add_str(j->pk, m, &hf_path, j->s, ks, j->i - ks, mp));
		}
		ws(j);
		if (j->i < j->n && j->p[j->i] == ',') {
			j->i++;
			continue;
		}
		if (j->i < j->n && j->p[j->i] == '}') {
			j->i++;
			tq_set_len(o, j->i - st);
			return 1;
		}
		return 0;
	}
}

static int
array(struct jp *j, struct tq_node *parent, const char *path, int depth)
{
	uint32_t st = j->i;
	j->i++;
	struct tq_node *a = j->build ? tq_add(j->pk, parent, &hf_array, j->s, st, 0) : NULL;
	const char *ep = j->build ? kpath(j, path, "[]") : NULL;
	ws(j);
	if (j->i < j->n && j->p[j->i] == ']') {
		j->i++;
		tq_set_len(a, j->i - st);
		return 1;
	}
	for (;;) {
		ws(j);
		if (!value(j, a, ep, "[]", depth + 1))
			return 0;
		ws(j);
		if (j->i < j->n && j->p[j->i] == ',') {
			j->i++;
			continue;
		}
		if (j->i < j->n && j->p[j->i] == ']') {
			j->i++;
			tq_set_len(a, j->i - st);
			return 1;
		}
		return 0;
	}
}

/* A scalar's generated paths, then its item. */
static void
scalar(struct jp *j, struct tq_node *parent, const char *path, const char *key, const struct tq_field *f,
    uint32_t st, const char *text)
{
	if (!j->build)
		return;
	struct tq_pkt *pk = j->pk;
	uint32_t len = j->i - st;
	if (path) {
		tq_gen(tq_add_str(pk, parent, &hf_path_with_value, j->s, st, len, tq_arena_printf(pk->arena, "%s:%s", path, text)));
		tq_gen(tq_add_str(pk, parent, &hf_member_with_value, j->s, st, len, tq_arena_printf(pk->arena, "%s:%s", key, text)));
	}
	if (f->type == FT_STRING)
		tq_add_str(pk, parent, f, j->s, st, len, text);
	else
		tq_add(pk, parent, f, j->s, st, len);
}

static int
value(struct jp *j, struct tq_node *parent, const char *path, const char *key, int depth)
{
	if (depth > MAX_DEPTH || j->i >= j->n)
		return 0;
	uint32_t st = j->i;
	uint8_t c = j->p[j->i];
	if (c == '{')
		return object(j, parent, path ? path : "", depth);
	if (c == '[')
		return array(j, parent, path ? path : "", depth);
	if (c == '"') {
		struct tq_sbuf b;
		tq_sbuf_init(&b, 0);
		int ok = string(j, j->build ? &b : NULL);
		if (ok)
			scalar(j, parent, path, key, &hf_string, st, tq_sbuf_str(&b));
		tq_sbuf_free(&b);
		return ok;
	}
	if (literal(j, "true")) {
		scalar(j, parent, path, key, &hf_true, st, "true");
		return 1;
	}
	if (literal(j, "false")) {
		scalar(j, parent, path, key, &hf_false, st, "false");
		return 1;
	}
	if (literal(j, "null")) {
		scalar(j, parent, path, key, &hf_null, st, "null");
		return 1;
	}
	if (number(j)) {
		if (j->build) {
			char *t = tq_arena_strdup(j->pk->arena, (const char *)j->p + st, j->i - st);
			scalar(j, parent, path, key, &hf_number, st, t ? t : "");
		}
		return 1;
	}
	return 0;
}

/* Whether the bytes are one JSON value (objects and arrays, as Wireshark's
 * validator wants), with white space around it. */
static int
parse(struct jp *j, struct tq_node *t)
{
	j->i = 0;
	ws(j);
	if (j->i >= j->n)
		return 0;
	int ok = value(j, t, NULL, NULL, 0);
	ws(j);
	return ok && j->i == j->n;
}

int
tq_dissect_json(struct tq_pkt *pk, struct tq_slice *s, const char *media)
{
	tq_col_proto(pk, "HTTP/JSON");
	tq_col_info_append(pk, ", JavaScript Object Notation (%s)", media);
	struct tq_node *t = tq_add_proto(pk, tq_root(pk), &hf_json, s, 0, s->len);
	if (media)
		tq_set_label(pk, t, "JavaScript Object Notation: %s", media);
	if (!pk->tree)
		return 1;               /* the columns are set whatever the body holds */
	struct jp j = { pk, s, s->p, s->len, 0, 0 };
	if (!parse(&j, NULL)) {
		tq_text_lines(pk, s, media, 0);
		return 1;
	}
	if (pk->tree) {
		j.build = 1;
		parse(&j, t);
	}
	return 1;
}
