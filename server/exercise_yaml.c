/*
 * exercise_yaml.c - exercise files in YAML: read into the same JSON
 * document the API takes (libyaml's parser; plain scalars typed as YAML
 * 1.2's core schema types them, quoted ones text; bounded in depth and in
 * values, aliases counted), and written back as YAML (libyaml's emitter)
 * for the import and the export.
 */
#include "config.h"

#define PCRE2_CODE_UNIT_WIDTH 8

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <pcre2.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "exercise_int.h"

/* ------------------------------------------------------------------ YAML -> JSON */

#define YAML_MAX_DEPTH 32
#define YAML_MAX_NODES 200000

struct yconv {
	yaml_document_t *doc;
	size_t visited;
	char *err;
	size_t errlen;
};

static int
plain_is(const char *s, const char *const *words)
{
	for (; *words; words++)
		if (!strcmp(s, *words))
			return 1;
	return 0;
}

/* A plain scalar as YAML 1.2's core schema types it. */
static json_t *
plain_scalar(const char *s, size_t n)
{
	static const char *const nulls[] = { "", "~", "null", "Null", "NULL", NULL };
	static const char *const trues[] = { "true", "True", "TRUE", NULL };
	static const char *const falses[] = { "false", "False", "FALSE", NULL };
	if (strlen(s) != n)
		return json_stringn(s, n);    /* a NUL inside: text */
	if (plain_is(s, nulls))
		return json_null();
	if (plain_is(s, trues))
		return json_true();
	if (plain_is(s, falses))
		return json_false();
	const char *p = s + (*s == '-' || *s == '+');
	if (*p >= '0' && *p <= '9') {
		char *end;
		errno = 0;
		int base = p[0] == '0' && (p[1] == 'x' || p[1] == 'o') ? (p[1] == 'x' ? 16 : 8) : 10;
		const char *digits = base == 10 ? s : p + 2;
		long long v = strtoll(digits, &end, base);
		if (!*end && !errno && end != digits)
			return json_integer(*s == '-' && base != 10 ? -v : v);
		errno = 0;
		double d = strtod(s, &end);
		if (!*end && !errno && isfinite(d))
			return json_real(d);
	}
	return json_stringn(s, n);
}

static json_t *
ynode(struct yconv *c, yaml_node_t *n, int depth, const char *path)
{
	if (!n) {
		ex_errf(c->err, c->errlen, "%s: a YAML alias to nothing", path);
		return NULL;
	}
	if (depth > YAML_MAX_DEPTH) {
		ex_errf(c->err, c->errlen, "%s (line %zu): nested more than %d levels deep", path,
		    (size_t)n->start_mark.line + 1, YAML_MAX_DEPTH);
		return NULL;
	}
	if (++c->visited > YAML_MAX_NODES) {
		ex_errf(c->err, c->errlen, "the file has more than %d values (aliases included)", YAML_MAX_NODES);
		return NULL;
	}
	switch (n->type) {
	case YAML_SCALAR_NODE: {
		const char *s = (const char *)n->data.scalar.value;
		size_t len = n->data.scalar.length;
		json_t *j = n->data.scalar.style == YAML_PLAIN_SCALAR_STYLE ? plain_scalar(s, len) : json_stringn(s, len);
		if (!j)
			ex_errf(c->err, c->errlen, "%s (line %zu): text that is not valid UTF-8", path,
			    (size_t)n->start_mark.line + 1);
		return j;
	}
	case YAML_SEQUENCE_NODE: {
		json_t *a = json_array();
		size_t i = 0;
		for (yaml_node_item_t *it = n->data.sequence.items.start; a && it < n->data.sequence.items.top; it++, i++) {
			char sub[256];
			snprintf(sub, sizeof(sub), "%s[%zu]", path, i);
			json_t *v = ynode(c, yaml_document_get_node(c->doc, *it), depth + 1, sub);
			if (!v || json_array_append_new(a, v)) {
				json_decref(a);
				return NULL;
			}
		}
		return a;
	}
	case YAML_MAPPING_NODE: {
		json_t *o = json_object();
		for (yaml_node_pair_t *p = n->data.mapping.pairs.start; o && p < n->data.mapping.pairs.top; p++) {
			yaml_node_t *k = yaml_document_get_node(c->doc, p->key);
			if (!k || k->type != YAML_SCALAR_NODE) {
				ex_errf(c->err, c->errlen, "%s (line %zu): a key must be plain text", path,
				    k ? (size_t)k->start_mark.line + 1 : 0);
				json_decref(o);
				return NULL;
			}
			const char *key = (const char *)k->data.scalar.value;
			if (strlen(key) != k->data.scalar.length || json_object_get(o, key)) {
				ex_errf(c->err, c->errlen, "%s (line %zu): the key '%.60s' is there twice", path,
				    (size_t)k->start_mark.line + 1, key);
				json_decref(o);
				return NULL;
			}
			char sub[256];
			snprintf(sub, sizeof(sub), "%s%s%.60s", path, *path ? "." : "", key);
			json_t *v = ynode(c, yaml_document_get_node(c->doc, p->value), depth + 1, sub);
			if (!v || json_object_set_new(o, key, v)) {
				json_decref(o);
				return NULL;
			}
		}
		return o;
	}
	default:
		ex_errf(c->err, c->errlen, "%s: an empty YAML node", path);
		return NULL;
	}
}

json_t *
tq_yaml_to_json(const char *text, size_t len, char *err, size_t errlen)
{
	if (len > TQ_EX_MAX_FILE) {
		ex_errf(err, errlen, "the exercise file is too large (%zu bytes; %u at most)", len, TQ_EX_MAX_FILE);
		return NULL;
	}
	yaml_parser_t parser;
	yaml_document_t doc;
	if (!yaml_parser_initialize(&parser)) {
		ex_errf(err, errlen, "out of memory");
		return NULL;
	}
	yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
	json_t *j = NULL;
	if (!yaml_parser_load(&parser, &doc)) {
		ex_errf(err, errlen, "YAML error at line %zu, column %zu: %s%s%s", (size_t)parser.problem_mark.line + 1,
		    (size_t)parser.problem_mark.column + 1, parser.problem ? parser.problem : "unreadable",
		    parser.context ? " " : "", parser.context ? parser.context : "");
		yaml_parser_delete(&parser);
		return NULL;
	}
	yaml_node_t *root = yaml_document_get_root_node(&doc);
	if (!root) {
		ex_errf(err, errlen, "the exercise file is empty");
	} else {
		struct yconv c = { &doc, 0, err, errlen };
		j = ynode(&c, root, 0, "");
	}
	yaml_document_delete(&doc);
	yaml_parser_delete(&parser);
	return j;
}

/* ------------------------------------------------------------------ JSON -> YAML */

static int
emit(yaml_emitter_t *em, yaml_event_t *ev)
{
	return yaml_emitter_emit(em, ev) ? 0 : -1;
}

static int
emit_scalar(yaml_emitter_t *em, const char *s, size_t n, int plain_ok)
{
	yaml_event_t ev;
	yaml_scalar_style_t style = YAML_ANY_SCALAR_STYLE;
	if (memchr(s, '\n', n))
		style = YAML_LITERAL_SCALAR_STYLE;
	else if (!plain_ok)
		style = YAML_DOUBLE_QUOTED_SCALAR_STYLE;
	if (!yaml_scalar_event_initialize(&ev, NULL, NULL, (yaml_char_t *)s, (int)n, plain_ok, !plain_ok ? 1 : 1, style))
		return -1;
	return emit(em, &ev);
}

static int
emit_json(yaml_emitter_t *em, const json_t *j)
{
	yaml_event_t ev;
	char buf[64];
	switch (json_typeof(j)) {
	case JSON_OBJECT: {
		if (!yaml_mapping_start_event_initialize(&ev, NULL, NULL, 1, YAML_BLOCK_MAPPING_STYLE) || emit(em, &ev))
			return -1;
		const char *k;
		json_t *v;
		json_object_foreach((json_t *)j, k, v) {
			if (emit_scalar(em, k, strlen(k), 1) || emit_json(em, v))
				return -1;
		}
		return yaml_mapping_end_event_initialize(&ev) ? emit(em, &ev) : -1;
	}
	case JSON_ARRAY: {
		int flow = 1;
		size_t i;
		json_t *v;
		json_array_foreach(j, i, v)
			if (json_is_object(v) || json_is_array(v) || (json_is_string(v) && strchr(json_string_value(v), '\n')))
				flow = 0;
		if (!yaml_sequence_start_event_initialize(&ev, NULL, NULL, 1,
		    flow && json_array_size(j) ? YAML_FLOW_SEQUENCE_STYLE : YAML_BLOCK_SEQUENCE_STYLE) || emit(em, &ev))
			return -1;
		json_array_foreach(j, i, v)
			if (emit_json(em, v))
				return -1;
		return yaml_sequence_end_event_initialize(&ev) ? emit(em, &ev) : -1;
	}
	case JSON_STRING: {
		/* text that would read back as something else is quoted */
		const char *s = json_string_value(j);
		size_t n = json_string_length(j);
		json_t *back = plain_scalar(s, n);
		int plain_ok = back && json_is_string(back);
		json_decref(back);
		return emit_scalar(em, s, n, plain_ok);
	}
	case JSON_INTEGER:
		snprintf(buf, sizeof(buf), "%" JSON_INTEGER_FORMAT, json_integer_value(j));
		return emit_scalar(em, buf, strlen(buf), 1);
	case JSON_REAL:
		snprintf(buf, sizeof(buf), "%.17g", json_real_value(j));
		if (!strpbrk(buf, ".eE"))
			strcat(buf, ".0");
		return emit_scalar(em, buf, strlen(buf), 1);
	case JSON_TRUE:
		return emit_scalar(em, "true", 4, 1);
	case JSON_FALSE:
		return emit_scalar(em, "false", 5, 1);
	default:
		return emit_scalar(em, "null", 4, 1);
	}
}

static int
sbuf_writer(void *data, unsigned char *buffer, size_t size)
{
	tq_sbuf_put(data, (const char *)buffer, size);
	return !((struct tq_sbuf *)data)->err;
}

int
tq_exercise_to_yaml(const json_t *doc, struct tq_sbuf *out)
{
	yaml_emitter_t em;
	yaml_event_t ev;
	if (!yaml_emitter_initialize(&em))
		return TQ_ENOMEM;
	yaml_emitter_set_output(&em, sbuf_writer, out);
	yaml_emitter_set_unicode(&em, 1);
	yaml_emitter_set_width(&em, 100);
	int rc = 0;
	if (!yaml_stream_start_event_initialize(&ev, YAML_UTF8_ENCODING) || emit(&em, &ev) ||
	    !yaml_document_start_event_initialize(&ev, NULL, NULL, NULL, 1) || emit(&em, &ev) ||
	    emit_json(&em, doc) ||
	    !yaml_document_end_event_initialize(&ev, 1) || emit(&em, &ev) ||
	    !yaml_stream_end_event_initialize(&ev) || emit(&em, &ev))
		rc = TQ_ENOMEM;
	yaml_emitter_delete(&em);
	return rc ? rc : out->err;
}
