/*
 * exercise.c - the exercise model: reading and writing its YAML, checking a
 * document whole, compiling its expressions and computing its keys.
 *
 * YAML and the API's JSON meet in one place: the YAML file is turned into a
 * JSON document (plain scalars typed as YAML's core schema does: true/false,
 * null, integers, reals; quoted ones stay text), and one checker reads that
 * document for both.  The checker fills in defaults, so the rest of the code
 * (grading, the server) reads a complete document.
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

/* ------------------------------------------------------------------ errors */

static int
errf(char *err, size_t errlen, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static int
errf(char *err, size_t errlen, const char *fmt, ...)
{
	if (err && errlen) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return -1;
}

/* base then suffix into buf, cut to fit: the paths of error messages */
static void
pathcat(char *buf, size_t len, const char *base, const char *suffix)
{
	size_t a = strlen(base), b = strlen(suffix);
	if (a > len - 1)
		a = len - 1;
	memcpy(buf, base, a);
	if (b > len - 1 - a)
		b = len - 1 - a;
	memcpy(buf + a, suffix, b);
	buf[a + b] = '\0';
}

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
		errf(c->err, c->errlen, "%s: a YAML alias to nothing", path);
		return NULL;
	}
	if (depth > YAML_MAX_DEPTH) {
		errf(c->err, c->errlen, "%s (line %zu): nested more than %d levels deep", path,
		    (size_t)n->start_mark.line + 1, YAML_MAX_DEPTH);
		return NULL;
	}
	if (++c->visited > YAML_MAX_NODES) {
		errf(c->err, c->errlen, "the file has more than %d values (aliases included)", YAML_MAX_NODES);
		return NULL;
	}
	switch (n->type) {
	case YAML_SCALAR_NODE: {
		const char *s = (const char *)n->data.scalar.value;
		size_t len = n->data.scalar.length;
		json_t *j = n->data.scalar.style == YAML_PLAIN_SCALAR_STYLE ? plain_scalar(s, len) : json_stringn(s, len);
		if (!j)
			errf(c->err, c->errlen, "%s (line %zu): text that is not valid UTF-8", path,
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
				errf(c->err, c->errlen, "%s (line %zu): a key must be plain text", path,
				    k ? (size_t)k->start_mark.line + 1 : 0);
				json_decref(o);
				return NULL;
			}
			const char *key = (const char *)k->data.scalar.value;
			if (strlen(key) != k->data.scalar.length || json_object_get(o, key)) {
				errf(c->err, c->errlen, "%s (line %zu): the key '%.60s' is there twice", path,
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
		errf(c->err, c->errlen, "%s: an empty YAML node", path);
		return NULL;
	}
}

json_t *
tq_yaml_to_json(const char *text, size_t len, char *err, size_t errlen)
{
	if (len > TQ_EX_MAX_FILE) {
		errf(err, errlen, "the exercise file is too large (%zu bytes; %u at most)", len, TQ_EX_MAX_FILE);
		return NULL;
	}
	yaml_parser_t parser;
	yaml_document_t doc;
	if (!yaml_parser_initialize(&parser)) {
		errf(err, errlen, "out of memory");
		return NULL;
	}
	yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
	json_t *j = NULL;
	if (!yaml_parser_load(&parser, &doc)) {
		errf(err, errlen, "YAML error at line %zu, column %zu: %s%s%s", (size_t)parser.problem_mark.line + 1,
		    (size_t)parser.problem_mark.column + 1, parser.problem ? parser.problem : "unreadable",
		    parser.context ? " " : "", parser.context ? parser.context : "");
		yaml_parser_delete(&parser);
		return NULL;
	}
	yaml_node_t *root = yaml_document_get_root_node(&doc);
	if (!root) {
		errf(err, errlen, "the exercise file is empty");
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

/* ------------------------------------------------------------------ checking */

struct checker {
	char *err;
	size_t errlen;
};

static const char *
jtype(const json_t *j)
{
	switch (json_typeof(j)) {
	case JSON_OBJECT: return "a mapping";
	case JSON_ARRAY: return "a list";
	case JSON_STRING: return "text";
	case JSON_INTEGER: return "an integer";
	case JSON_REAL: return "a number";
	case JSON_TRUE: case JSON_FALSE: return "true or false";
	default: return "nothing (null)";
	}
}

/* Every key of o is in allowed; else an error naming the stray one. */
static int
only_keys(struct checker *ck, const char *path, const json_t *o, const char *const *allowed)
{
	const char *k;
	json_t *v;
	json_object_foreach((json_t *)o, k, v) {
		int ok = 0;
		for (const char *const *a = allowed; *a && !ok; a++)
			ok = !strcmp(*a, k);
		if (!ok) {
			char list[400] = "";
			for (const char *const *a = allowed; *a; a++) {
				if (*list)
					strncat(list, ", ", sizeof(list) - strlen(list) - 1);
				strncat(list, *a, sizeof(list) - strlen(list) - 1);
			}
			return errf(ck->err, ck->errlen, "%s: unknown key '%.60s' (the keys here are %s)", path, k, list);
		}
	}
	return 0;
}

static int
want_string(struct checker *ck, const char *path, const json_t *v, int required, int nonempty)
{
	if (!v) {
		if (required)
			return errf(ck->err, ck->errlen, "%s is missing", path);
		return 0;
	}
	if (!json_is_string(v))
		return errf(ck->err, ck->errlen, "%s: expected text, found %s", path, jtype(v));
	if (nonempty && !json_string_length(v))
		return errf(ck->err, ck->errlen, "%s is empty", path);
	if (json_string_length(v) > TQ_EX_MAX_TEXT)
		return errf(ck->err, ck->errlen, "%s is too long (%zu bytes; %u at most)", path, json_string_length(v),
		    TQ_EX_MAX_TEXT);
	if (strlen(json_string_value(v)) != json_string_length(v))
		return errf(ck->err, ck->errlen, "%s holds a NUL character", path);
	return 0;
}

static int
want_list_of_strings(struct checker *ck, const char *path, json_t *v, size_t max)
{
	if (!v)
		return 0;
	if (!json_is_array(v))
		return errf(ck->err, ck->errlen, "%s: expected a list, found %s", path, jtype(v));
	if (json_array_size(v) > max)
		return errf(ck->err, ck->errlen, "%s has more than %zu items", path, max);
	size_t i;
	json_t *it;
	json_array_foreach(v, i, it) {
		char sub[300];
		snprintf(sub, sizeof(sub), "%s[%zu]", path, i);
		if (want_string(ck, sub, it, 1, 1))
			return -1;
	}
	return 0;
}

static int
known_field(struct checker *ck, const char *path, const char *abbrev)
{
	if (tq_field_lookup(abbrev))
		return 0;
	const char *near = tq_field_suggest(abbrev);
	if (near)
		return errf(ck->err, ck->errlen, "%s: unknown field '%.80s' (did you mean '%s'?)", path, abbrev, near);
	return errf(ck->err, ck->errlen, "%s: unknown field '%.80s'", path, abbrev);
}

/* A list given as one string is made a list of one ("redact: tcp.flags"). */
static void
listify(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);
	if (v && json_is_string(v)) {
		json_t *a = json_array();
		json_array_append(a, v);
		json_object_set_new(o, key, a);
	}
}

static int
want_number(struct checker *ck, const char *path, const json_t *v, double min)
{
	if (!v)
		return 0;
	if (!json_is_number(v))
		return errf(ck->err, ck->errlen, "%s: expected a number, found %s", path, jtype(v));
	double d = json_number_value(v);
	if (!isfinite(d) || d < min || d > 1e9)
		return errf(ck->err, ck->errlen, "%s: %g is out of range (%g to 1e9)", path, d, min);
	return 0;
}

static int
compile_expr(struct checker *ck, const char *path, const char *src, struct tq_expr **out)
{
	struct tq_expr_error ee;
	if (tq_expr_parse(src, out, &ee) == 0)
		return 0;
	if (ee.pos >= 0)
		return errf(ck->err, ck->errlen, "%s: %s (at character %d of \"%.200s\")", path, ee.msg, ee.pos + 1, src);
	return errf(ck->err, ck->errlen, "%s: %s", path, ee.msg);
}

static int
compile_regex(struct checker *ck, const char *path, const char *re, pcre2_code **out)
{
	int ec;
	PCRE2_SIZE eo;
	*out = pcre2_compile((PCRE2_SPTR)re, PCRE2_ZERO_TERMINATED, PCRE2_NEVER_BACKSLASH_C, &ec, &eo, NULL);
	if (*out)
		return 0;
	PCRE2_UCHAR msg[160];
	pcre2_get_error_message(ec, msg, sizeof(msg));
	return errf(ck->err, ck->errlen, "%s: bad regular expression at character %zu: %s", path, (size_t)eo + 1,
	    (const char *)msg);
}

static const char *const kind_names[] = { [Q_TEXT] = "text", [Q_NUMBER] = "number", [Q_CHOICE] = "choice",
	[Q_FIELD] = "field", [Q_ORDER] = "order" };

static const struct {
	const char *name;
	unsigned bit;
} norm_names[] = {
	{ "case", N_CASE }, { "trim", N_TRIM }, { "space", N_SPACE }, { "dot", N_DOT }, { "ipv6", N_IPV6 },
	{ "int", N_INT },
};

static int
check_feedback(struct checker *ck, const char *path, json_t *fb, struct question *q)
{
	if (!fb)
		return 0;
	if (!json_is_object(fb))
		return errf(ck->err, ck->errlen, "%s: expected a mapping (right, wrong, answers, fields), found %s", path,
		    jtype(fb));
	static const char *const keys[] = { "right", "wrong", "answers", "fields", NULL };
	if (only_keys(ck, path, fb, keys))
		return -1;
	char sub[300];
	pathcat(sub, sizeof(sub), path, ".right");
	if (want_string(ck, sub, json_object_get(fb, "right"), 0, 0))
		return -1;
	pathcat(sub, sizeof(sub), path, ".wrong");
	if (want_string(ck, sub, json_object_get(fb, "wrong"), 0, 0))
		return -1;
	json_t *ans = json_object_get(fb, "answers");
	if (ans) {
		pathcat(sub, sizeof(sub), path, ".answers");
		if (!json_is_array(ans))
			return errf(ck->err, ck->errlen, "%s: expected a list, found %s", sub, jtype(ans));
		if (json_array_size(ans) > 100)
			return errf(ck->err, ck->errlen, "%s has more than 100 items", sub);
		q->wrong_re = calloc(json_array_size(ans) + 1, sizeof(*q->wrong_re));
		if (!q->wrong_re)
			return errf(ck->err, ck->errlen, "out of memory");
		q->nwrong = json_array_size(ans);
		size_t i;
		json_t *a;
		json_array_foreach(ans, i, a) {
			char sub2[340];
			snprintf(sub2, sizeof(sub2), "%s.answers[%zu]", path, i);
			static const char *const akeys[] = { "answer", "match", "feedback", NULL };
			if (!json_is_object(a))
				return errf(ck->err, ck->errlen, "%s: expected a mapping (answer or match, feedback), found %s",
				    sub2, jtype(a));
			if (only_keys(ck, sub2, a, akeys))
				return -1;
			json_t *lit = json_object_get(a, "answer"), *m = json_object_get(a, "match");
			if (!!lit == !!m)
				return errf(ck->err, ck->errlen, "%s: give either answer or match", sub2);
			if (lit && !json_is_string(lit) && !json_is_number(lit))
				return errf(ck->err, ck->errlen, "%s.answer: expected text or a number, found %s", sub2, jtype(lit));
			char sub3[360];
			pathcat(sub3, sizeof(sub3), sub2, ".feedback");
			if (want_string(ck, sub3, json_object_get(a, "feedback"), 1, 0))
				return -1;
			if (m) {
				pathcat(sub3, sizeof(sub3), sub2, ".match");
				if (want_string(ck, sub3, m, 1, 1) || compile_regex(ck, sub3, json_string_value(m), &q->wrong_re[i]))
					return -1;
			}
		}
	}
	json_t *fields = json_object_get(fb, "fields");
	if (fields) {
		pathcat(sub, sizeof(sub), path, ".fields");
		if (!json_is_object(fields))
			return errf(ck->err, ck->errlen, "%s: expected a mapping from field to text, found %s", sub, jtype(fields));
		const char *k;
		json_t *v;
		json_object_foreach(fields, k, v) {
			char sub2[512], key[90];
			snprintf(key, sizeof(key), ".%.80s", k);
			pathcat(sub2, sizeof(sub2), sub, key);
			if (known_field(ck, sub2, k) || want_string(ck, sub2, v, 1, 0))
				return -1;
		}
	}
	return 0;
}

static int
parse_frame_number(const char *s, uint32_t *out)
{
	char *end;
	errno = 0;
	unsigned long v = strtoul(s, &end, 10);
	if (errno || *end || end == s || v == 0 || v > UINT32_MAX)
		return -1;
	*out = (uint32_t)v;
	return 0;
}

static int
check_question(struct checker *ck, struct tq_exercise *ex, size_t qi, json_t *q, struct question *Q)
{
	char path[160];
	snprintf(path, sizeof(path), "questions[%zu]", qi);
	if (!json_is_object(q))
		return errf(ck->err, ck->errlen, "%s: expected a mapping (id, kind, prompt, ...), found %s", path, jtype(q));
	json_t *id = json_object_get(q, "id");
	char idpath[200];
	pathcat(idpath, sizeof(idpath), path, ".id");
	if (want_string(ck, idpath, id, 1, 1))
		return -1;
	const char *ids = json_string_value(id);
	if (strlen(ids) > 64 || strspn(ids, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-") != strlen(ids))
		return errf(ck->err, ck->errlen, "%s.id: '%.64s' must be 1 to 64 letters, digits, '_' or '-'", path, ids);
	for (size_t j = 0; j < qi; j++)
		if (!strcmp(ex->q[j].id, ids))
			return errf(ck->err, ck->errlen, "%s.id: '%s' is already the id of questions[%zu]", path, ids, j);
	Q->id = ids;
	Q->q = q;
	snprintf(path, sizeof(path), "questions[%zu] (%s)", qi, ids);

	json_t *kind = json_object_get(q, "kind");
	char sub[300];
	pathcat(sub, sizeof(sub), path, ".kind");
	if (want_string(ck, sub, kind, 1, 1))
		return -1;
	Q->kind = -1;
	for (int k = 0; k < Q_NKINDS; k++)
		if (!strcmp(kind_names[k], json_string_value(kind)))
			Q->kind = k;
	if (Q->kind < 0)
		return errf(ck->err, ck->errlen, "%s: unknown kind '%.40s' (text, number, choice, field or order)", sub,
		    json_string_value(kind));

	static const char *const common[] = { "id", "kind", "prompt", "points", "key", "answer", "feedback" };
	static const char *const per_kind[Q_NKINDS][6] = {
		[Q_TEXT] = { "normalize", "accept", "match" },
		[Q_NUMBER] = { "tolerance" },
		[Q_CHOICE] = { "choices", "multiple", "limit" },
		[Q_FIELD] = { "hide" },
		[Q_ORDER] = { "frames" },
	};
	const char *allowed[16];
	size_t na = 0;
	for (size_t k = 0; k < sizeof(common) / sizeof(common[0]); k++)
		allowed[na++] = common[k];
	for (size_t k = 0; k < 6 && per_kind[Q->kind][k]; k++)
		allowed[na++] = per_kind[Q->kind][k];
	allowed[na] = NULL;
	const char *k;
	json_t *v;
	json_object_foreach(q, k, v) {
		int ok = 0;
		for (size_t j = 0; j < na && !ok; j++)
			ok = !strcmp(allowed[j], k);
		if (ok)
			continue;
		for (int kk = 0; kk < Q_NKINDS; kk++)
			for (size_t j = 0; j < 6 && per_kind[kk][j]; j++)
				if (!strcmp(per_kind[kk][j], k))
					return errf(ck->err, ck->errlen, "%s: '%s' belongs to %s questions, not %s ones", path, k,
					    kind_names[kk], kind_names[Q->kind]);
		char list[300] = "";
		for (size_t j = 0; j < na; j++) {
			if (j)
				strcat(list, ", ");
			strcat(list, allowed[j]);
		}
		return errf(ck->err, ck->errlen, "%s: unknown key '%.60s' (the keys of a %s question are %s)", path, k,
		    kind_names[Q->kind], list);
	}

	pathcat(sub, sizeof(sub), path, ".prompt");
	if (want_string(ck, sub, json_object_get(q, "prompt"), 1, 1))
		return -1;
	pathcat(sub, sizeof(sub), path, ".points");
	json_t *pts = json_object_get(q, "points");
	if (want_number(ck, sub, pts, 0))
		return -1;
	Q->points = pts ? json_number_value(pts) : 1.0;
	if (!pts)
		json_object_set_new(q, "points", json_integer(1));

	json_t *key = json_object_get(q, "key"), *lit = json_object_get(q, "answer");
	if (key && lit)
		return errf(ck->err, ck->errlen, "%s: give a key (an expression) or an answer (a literal), not both", path);
	if (key) {
		pathcat(sub, sizeof(sub), path, ".key");
		if (want_string(ck, sub, key, 1, 1) || compile_expr(ck, sub, json_string_value(key), &Q->key_expr))
			return -1;
	}
	if (lit) {
		if (Q->kind == Q_FIELD || Q->kind == Q_ORDER)
			return errf(ck->err, ck->errlen, "%s: a %s question's key comes from the trace; remove 'answer'", path,
			    kind_names[Q->kind]);
		if (!json_is_string(lit) && !json_is_number(lit) && !(Q->kind == Q_CHOICE && json_is_array(lit)))
			return errf(ck->err, ck->errlen, "%s.answer: expected text or a number, found %s", path, jtype(lit));
	}

	pathcat(sub, sizeof(sub), path, ".feedback");
	if (check_feedback(ck, sub, json_object_get(q, "feedback"), Q))
		return -1;

	switch (Q->kind) {
	case Q_TEXT: {
		json_t *norm = json_object_get(q, "normalize");
		listify(q, "normalize");
		norm = json_object_get(q, "normalize");
		pathcat(sub, sizeof(sub), path, ".normalize");
		if (want_list_of_strings(ck, sub, norm, 8))
			return -1;
		if (!norm) {
			Q->norm = N_TRIM;
		} else {
			size_t i;
			json_t *it;
			json_array_foreach(norm, i, it) {
				unsigned bit = 0;
				for (size_t j = 0; j < sizeof(norm_names) / sizeof(norm_names[0]); j++)
					if (!strcmp(norm_names[j].name, json_string_value(it)))
						bit = norm_names[j].bit;
				if (!bit)
					return errf(ck->err, ck->errlen,
					    "%s[%zu]: unknown normalizer '%.40s' (case, trim, space, dot, ipv6 or int)", sub, i,
					    json_string_value(it));
				Q->norm |= bit;
			}
		}
		listify(q, "accept");
		pathcat(sub, sizeof(sub), path, ".accept");
		if (want_list_of_strings(ck, sub, json_object_get(q, "accept"), 100))
			return -1;
		json_t *m = json_object_get(q, "match");
		pathcat(sub, sizeof(sub), path, ".match");
		if (m && (want_string(ck, sub, m, 1, 1) || compile_regex(ck, sub, json_string_value(m), &Q->match)))
			return -1;
		if (!key && !lit && !m && !json_object_get(q, "accept"))
			return errf(ck->err, ck->errlen, "%s: needs a key (an expression), an answer, accept or match", path);
		break;
	}
	case Q_NUMBER: {
		pathcat(sub, sizeof(sub), path, ".tolerance");
		json_t *tol = json_object_get(q, "tolerance");
		if (want_number(ck, sub, tol, 0))
			return -1;
		Q->tolerance = tol ? json_number_value(tol) : 0;
		if (lit && !json_is_number(lit)) {
			double d;
			char *end;
			d = strtod(json_string_value(lit), &end);
			if (*end || !isfinite(d))
				return errf(ck->err, ck->errlen, "%s.answer: '%.40s' is not a number", path, json_string_value(lit));
		}
		if (!key && !lit)
			return errf(ck->err, ck->errlen, "%s: needs a key (an expression) or an answer", path);
		break;
	}
	case Q_CHOICE: {
		json_t *ch = json_object_get(q, "choices");
		pathcat(sub, sizeof(sub), path, ".choices");
		if (!ch || !json_is_array(ch) || json_array_size(ch) < 2)
			return errf(ck->err, ck->errlen, "%s: a choice question needs a list of at least two choices", sub);
		if (json_array_size(ch) > TQ_EX_MAX_CHOICES)
			return errf(ck->err, ck->errlen, "%s has more than %d choices", sub, TQ_EX_MAX_CHOICES);
		Q->nchoices = json_array_size(ch);
		Q->choice_expr = calloc(Q->nchoices, sizeof(*Q->choice_expr));
		Q->choice_valid = calloc(Q->nchoices, sizeof(*Q->choice_valid));
		if (!Q->choice_expr || !Q->choice_valid)
			return errf(ck->err, ck->errlen, "out of memory");
		int any_valid = 0;
		size_t i;
		json_t *c;
		json_array_foreach(ch, i, c) {
			char sub2[340];
			snprintf(sub2, sizeof(sub2), "%s[%zu]", sub, i);
			if (json_is_string(c)) {
				/* a choice given as its text alone */
				json_t *o = json_pack("{s:O}", "text", c);
				json_array_set_new(ch, i, o);
				c = o;
			}
			if (!json_is_object(c))
				return errf(ck->err, ck->errlen, "%s: expected a mapping (text, valid, feedback), found %s", sub2,
				    jtype(c));
			static const char *const ckeys[] = { "text", "valid", "feedback", NULL };
			if (only_keys(ck, sub2, c, ckeys))
				return -1;
			char sub3[360];
			pathcat(sub3, sizeof(sub3), sub2, ".text");
			if (want_string(ck, sub3, json_object_get(c, "text"), 1, 1))
				return -1;
			for (size_t j = 0; j < i; j++)
				if (!strcmp(json_string_value(json_object_get(json_array_get(ch, j), "text")),
				    json_string_value(json_object_get(c, "text"))))
					return errf(ck->err, ck->errlen, "%s: the text '%.60s' is already choice %zu's", sub3,
					    json_string_value(json_object_get(c, "text")), j);
			pathcat(sub3, sizeof(sub3), sub2, ".feedback");
			if (want_string(ck, sub3, json_object_get(c, "feedback"), 0, 0))
				return -1;
			json_t *valid = json_object_get(c, "valid");
			pathcat(sub3, sizeof(sub3), sub2, ".valid");
			Q->choice_valid[i] = 0;
			if (valid && json_is_boolean(valid)) {
				Q->choice_valid[i] = json_is_true(valid);
				any_valid |= Q->choice_valid[i];
			} else if (valid && json_is_string(valid)) {
				if (compile_expr(ck, sub3, json_string_value(valid), &Q->choice_expr[i]))
					return -1;
				Q->choice_valid[i] = -1;     /* known once computed */
				any_valid = 1;
			} else if (valid) {
				return errf(ck->err, ck->errlen, "%s: expected true, false or an expression, found %s", sub3,
				    jtype(valid));
			}
		}
		json_t *mult = json_object_get(q, "multiple");
		if (mult && !json_is_boolean(mult))
			return errf(ck->err, ck->errlen, "%s.multiple: expected true or false, found %s", path, jtype(mult));
		Q->multiple = mult && json_is_true(mult);
		json_t *limit = json_object_get(q, "limit");
		if (limit && (!json_is_integer(limit) || json_integer_value(limit) < 0 ||
		    json_integer_value(limit) > TQ_EX_MAX_CHOICES))
			return errf(ck->err, ck->errlen, "%s.limit: expected an integer from 0 (all) to %d", path, TQ_EX_MAX_CHOICES);
		Q->limit = limit ? (unsigned)json_integer_value(limit) : 0;
		if (Q->limit == 1)
			return errf(ck->err, ck->errlen, "%s.limit: showing one choice leaves nothing to choose; use 0 (all) or 2 and more",
			    path);
		if (!key && !lit && !any_valid)
			return errf(ck->err, ck->errlen, "%s: no choice is valid: mark one with 'valid: true' or give a key", path);
		if (lit && !json_is_array(lit)) {
			int found = 0;
			json_array_foreach(ch, i, c)
				if (json_is_string(lit) && !strcasecmp(json_string_value(json_object_get(c, "text")), json_string_value(lit)))
					found = 1;
			if (!found)
				return errf(ck->err, ck->errlen, "%s.answer: no choice has that text", path);
		}
		break;
	}
	case Q_FIELD: {
		json_t *hide = json_object_get(q, "hide");
		pathcat(sub, sizeof(sub), path, ".hide");
		if (!hide || !json_is_object(hide) || !json_object_size(hide))
			return errf(ck->err, ck->errlen, "%s: a field question needs hide: a mapping from frame number to the fields to fill in", sub);
		if (key)
			return errf(ck->err, ck->errlen, "%s: a field question's key comes from the trace; remove 'key'", path);
		const char *fk;
		json_t *fl;
		json_object_foreach(hide, fk, fl) {
			char sub2[340];
			snprintf(sub2, sizeof(sub2), "%s.%.20s", sub, fk);
			uint32_t fr;
			if (parse_frame_number(fk, &fr))
				return errf(ck->err, ck->errlen, "%s: '%.20s' is not a frame number (1, 2, ...)", sub, fk);
			if (json_is_string(fl)) {
				json_t *a = json_array();
				json_array_append(a, fl);
				json_object_set_new(hide, fk, a);
				fl = a;
			}
			if (want_list_of_strings(ck, sub2, fl, 64))
				return -1;
			if (!json_array_size(fl))
				return errf(ck->err, ck->errlen, "%s: no field to hide", sub2);
			size_t i;
			json_t *f;
			json_array_foreach(fl, i, f) {
				char sub3[512], ix[32];
				snprintf(ix, sizeof(ix), "[%zu]", i);
				pathcat(sub3, sizeof(sub3), sub2, ix);
				if (known_field(ck, sub3, json_string_value(f)))
					return -1;
				if (!tq_field_has_value(tq_field_lookup(json_string_value(f))))
					return errf(ck->err, ck->errlen, "%s: %s has no value to fill in", sub3, json_string_value(f));
			}
		}
		break;
	}
	case Q_ORDER: {
		json_t *fr = json_object_get(q, "frames");
		if (fr) {
			pathcat(sub, sizeof(sub), path, ".frames");
			if (!json_is_array(fr) || json_array_size(fr) < 2 || json_array_size(fr) > 1000)
				return errf(ck->err, ck->errlen, "%s: expected a list of 2 to 1000 frame numbers", sub);
			size_t i;
			json_t *f;
			json_array_foreach(fr, i, f) {
				if (!json_is_integer(f) || json_integer_value(f) < 1 || json_integer_value(f) > UINT32_MAX)
					return errf(ck->err, ck->errlen, "%s[%zu]: expected a frame number (1, 2, ...)", sub, i);
				for (size_t j = 0; j < i; j++)
					if (json_integer_value(json_array_get(fr, j)) == json_integer_value(f))
						return errf(ck->err, ck->errlen, "%s[%zu]: frame %" JSON_INTEGER_FORMAT " is there twice", sub, i,
						    json_integer_value(f));
			}
		}
		if (key)
			return errf(ck->err, ck->errlen, "%s: an order question's key comes from the trace; remove 'key'", path);
		break;
	}
	default:
		break;
	}
	return 0;
}

static int
safe_relative_path(const char *p)
{
	if (!*p || *p == '/' || strlen(p) > 255)
		return 0;
	for (const char *s = p; *s;) {
		const char *e = strchr(s, '/');
		size_t n = e ? (size_t)(e - s) : strlen(s);
		if (n == 0 || (n == 2 && !strncmp(s, "..", 2)) || (n == 1 && *s == '.'))
			return 0;
		s += n + (e ? 1 : 0);
	}
	return 1;
}

static int
check_doc(struct tq_exercise *ex, char *err, size_t errlen)
{
	struct checker ck = { err, errlen };
	json_t *d = ex->doc;
	if (!json_is_object(d))
		return errf(err, errlen, "an exercise is a mapping (title, intro, capture, view, attempts, questions), not %s",
		    jtype(d));
	static const char *const keys[] = { "title", "intro", "capture", "view", "attempts", "questions", NULL };
	if (only_keys(&ck, "the exercise", d, keys))
		return -1;
	json_t *att = json_object_get(d, "attempts");
	if (att) {
		/* a real such as 3.0 is refused too: YAML's 3 is an integer */
		if (!json_is_integer(att))
			return errf(err, errlen, "attempts: expected an integer from 1 to %d (leave it out for no limit), found %s",
			    TQ_EX_MAX_ATTEMPTS, jtype(att));
		if (json_integer_value(att) < 1 || json_integer_value(att) > TQ_EX_MAX_ATTEMPTS)
			return errf(err, errlen, "attempts: %" JSON_INTEGER_FORMAT " is out of range (1 to %d; leave it out for no limit)",
			    json_integer_value(att), TQ_EX_MAX_ATTEMPTS);
		ex->attempts = (size_t)json_integer_value(att);
	}
	if (want_string(&ck, "title", json_object_get(d, "title"), 1, 1) ||
	    want_string(&ck, "intro", json_object_get(d, "intro"), 0, 0) ||
	    want_string(&ck, "capture", json_object_get(d, "capture"), 0, 1))
		return -1;
	if (!json_object_get(d, "intro"))
		json_object_set_new(d, "intro", json_string(""));
	json_t *cap = json_object_get(d, "capture");
	if (cap) {
		if (!safe_relative_path(json_string_value(cap)))
			return errf(err, errlen, "capture: '%.80s' must be a file inside the exercise's folder (no '/' first, no '..')",
			    json_string_value(cap));
		if (ex->dir) {
			size_t n = strlen(ex->dir) + json_string_length(cap) + 2;
			ex->capture_path = malloc(n);
			if (!ex->capture_path)
				return errf(err, errlen, "out of memory");
			snprintf(ex->capture_path, n, "%s/%s", ex->dir, json_string_value(cap));
		}
	}
	json_t *view = json_object_get(d, "view");
	if (view) {
		if (!json_is_object(view))
			return errf(err, errlen, "view: expected a mapping (exclude, redact), found %s", jtype(view));
		static const char *const vkeys[] = { "exclude", "redact", "decode_as", NULL };
		if (only_keys(&ck, "view", view, vkeys))
			return -1;
		listify(view, "decode_as");
		json_t *da = json_object_get(view, "decode_as");
		if (want_list_of_strings(&ck, "view.decode_as", da, TQ_MAX_DECODE_AS))
			return -1;
		size_t di;
		json_t *rule;
		json_array_foreach(da, di, rule) {
			char why[400];
			if (tq_decode_as_parse(json_string_value(rule), &ex->decode_as[di], why, sizeof(why)) != 0)
				return errf(err, errlen, "view.decode_as[%zu]: %s", di, why);
			ex->ndecode_as = (unsigned)di + 1;
		}
		listify(view, "exclude");
		listify(view, "redact");
		for (int w = 0; w < 2; w++) {
			const char *name = w ? "redact" : "exclude";
			json_t *l = json_object_get(view, name);
			char path[40];
			snprintf(path, sizeof(path), "view.%s", name);
			if (want_list_of_strings(&ck, path, l, 500))
				return -1;
			size_t i;
			json_t *it;
			json_array_foreach(l, i, it) {
				char sub[80];
				snprintf(sub, sizeof(sub), "%s[%zu]", path, i);
				if (known_field(&ck, sub, json_string_value(it)))
					return -1;
			}
		}
	}
	json_t *qs = json_object_get(d, "questions");
	if (!qs)
		return errf(err, errlen, "questions is missing");
	if (!json_is_array(qs))
		return errf(err, errlen, "questions: expected a list, found %s", jtype(qs));
	if (json_array_size(qs) > TQ_EX_MAX_QUESTIONS)
		return errf(err, errlen, "questions: more than %d questions", TQ_EX_MAX_QUESTIONS);
	ex->nq = json_array_size(qs);
	ex->q = calloc(ex->nq ? ex->nq : 1, sizeof(*ex->q));
	if (!ex->q)
		return errf(err, errlen, "out of memory");
	size_t i;
	json_t *q;
	json_array_foreach(qs, i, q)
		if (check_question(&ck, ex, i, q, &ex->q[i]))
			return -1;
	return 0;
}

/* ------------------------------------------------------------------ loading */

int
tq_exercise_from_json(json_t *doc, const char *dir, struct tq_exercise **out, char *err, size_t errlen)
{
	*out = NULL;
	struct tq_exercise *ex = calloc(1, sizeof(*ex));
	if (!ex)
		return errf(err, errlen, "out of memory");
	if (pthread_mutex_init(&ex->fb_lock, NULL) != 0) {
		free(ex);
		return errf(err, errlen, "out of memory");
	}
	ex->doc = json_incref(doc);
	if (dir && !(ex->dir = strdup(dir))) {
		tq_exercise_free(ex);
		return errf(err, errlen, "out of memory");
	}
	if (check_doc(ex, err, errlen)) {
		tq_exercise_free(ex);
		return -1;
	}
	*out = ex;
	return 0;
}

int
tq_exercise_load_yaml(const char *text, size_t len, const char *dir, struct tq_exercise **out, char *err, size_t errlen)
{
	*out = NULL;
	json_t *doc = tq_yaml_to_json(text, len, err, errlen);
	if (!doc)
		return -1;
	int rc = tq_exercise_from_json(doc, dir, out, err, errlen);
	json_decref(doc);
	return rc;
}

int
tq_exercise_load(const char *path, struct tq_exercise **out, char *err, size_t errlen)
{
	*out = NULL;
	char file[4200], dir[4096];
	size_t n = strlen(path);
	if (n >= sizeof(dir) - 20)
		return errf(err, errlen, "%s: the path is too long", path);
	if (n > 5 && (!strcmp(path + n - 5, ".yaml") || !strcmp(path + n - 4, ".yml"))) {
		snprintf(file, sizeof(file), "%s", path);
		snprintf(dir, sizeof(dir), "%s", path);
		char *slash = strrchr(dir, '/');
		if (slash)
			*slash = '\0';
		else
			snprintf(dir, sizeof(dir), ".");
	} else {
		snprintf(dir, sizeof(dir), "%s", path);
		while (strlen(dir) > 1 && dir[strlen(dir) - 1] == '/')
			dir[strlen(dir) - 1] = '\0';
		snprintf(file, sizeof(file), "%s/exercise.yaml", dir);
	}
	size_t len;
	char *buf = tq_read_file(file, TQ_EX_MAX_FILE, &len);
	if (!buf && errno == EFBIG)
		return errf(err, errlen, "%s: too large (%u bytes at most)", file, TQ_EX_MAX_FILE);
	if (!buf)
		return errf(err, errlen, "%s: %s", file, strerror(errno));
	char inner[512];
	int rc = tq_exercise_load_yaml(buf, len, dir, out, inner, sizeof(inner));
	free(buf);
	if (rc)
		errf(err, errlen, "%s: %s", file, inner);
	return rc;
}

void
tq_exercise_free(struct tq_exercise *ex)
{
	if (!ex)
		return;
	for (size_t i = 0; i < ex->nq; i++) {
		struct question *q = &ex->q[i];
		tq_expr_free(q->key_expr);
		for (size_t c = 0; c < q->nchoices; c++)
			if (q->choice_expr)
				tq_expr_free(q->choice_expr[c]);
		free(q->choice_expr);
		free(q->choice_valid);
		pcre2_code_free(q->match);
		for (size_t w = 0; w < q->nwrong; w++)
			pcre2_code_free(q->wrong_re[w]);
		free(q->wrong_re);
		json_decref(q->key);
		json_decref(q->from);
		free(q->key_error);
	}
	free(ex->q);
	free(ex->dir);
	free(ex->capture_path);
	json_decref(ex->doc);
	tq_ex_feedback_drop(ex);
	pthread_mutex_destroy(&ex->fb_lock);
	free(ex);
}

json_t *
tq_exercise_doc(const struct tq_exercise *ex)
{
	return ex->doc;
}

struct tq_open_opts
tq_exercise_open_opts(const struct tq_exercise *ex)
{
	struct tq_open_opts o = { .decode_as = ex->decode_as, .ndecode_as = ex->ndecode_as };
	return o;
}

const char *
tq_exercise_capture_path(const struct tq_exercise *ex)
{
	return ex->capture_path;
}

size_t
tq_exercise_count(const struct tq_exercise *ex)
{
	return ex->nq;
}

size_t
tq_exercise_attempts(const struct tq_exercise *ex)
{
	return ex->attempts;
}

/* ------------------------------------------------------------------ keys */

static void
set_key_error(struct question *q, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void
set_key_error(struct question *q, const char *fmt, ...)
{
	char buf[600];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	free(q->key_error);
	q->key_error = strdup(buf);
	json_decref(q->key);
	q->key = NULL;
}

/* The key of a field question: {"FRAME": {"field": "shown value"}}. */
static void
field_key(struct question *q, struct tq_capture *cap)
{
	json_t *hide = json_object_get(q->q, "hide"), *key = json_object(), *from = json_array();
	const char *fk;
	json_t *fl;
	uint32_t nframes = tq_capture_count(cap);
	json_object_foreach(hide, fk, fl) {
		uint32_t fr = (uint32_t)strtoul(fk, NULL, 10);
		if (fr > nframes) {
			set_key_error(q, "frame %u is past the end of the trace (%u frames)", fr, nframes);
			json_decref(key);
			json_decref(from);
			return;
		}
		json_t *per = json_object();
		json_object_set_new(key, fk, per);
		size_t i;
		json_t *f;
		json_array_foreach(fl, i, f) {
			struct tq_sbuf sb;
			tq_sbuf_init(&sb, 1 << 16);
			int rc = tq_frame_field_show(cap, fr, json_string_value(f), &sb);
			if (rc <= 0) {
				if (rc == 0)
					set_key_error(q, "frame %u has no %s", fr, json_string_value(f));
				else
					set_key_error(q, "frame %u: %s", fr, tq_strerror(rc));
				tq_sbuf_free(&sb);
				json_decref(key);
				json_decref(from);
				return;
			}
			json_object_set_new(per, json_string_value(f), json_stringn(sb.s ? sb.s : "", sb.len));
			json_array_append_new(from, json_pack("{s:i,s:s}", "frame", (json_int_t)fr, "field", json_string_value(f)));
			tq_sbuf_free(&sb);
		}
	}
	q->key = key;
	q->from = from;
}

static void
order_key(struct question *q, struct tq_capture *cap)
{
	json_t *frames = json_object_get(q->q, "frames");
	uint32_t n = tq_capture_count(cap);
	json_t *key = json_array();
	if (frames) {
		/* the original order: ascending frame numbers */
		size_t k = json_array_size(frames);
		json_int_t *v = malloc(k * sizeof(*v));
		if (!v) {
			json_decref(key);
			set_key_error(q, "out of memory");
			return;
		}
		for (size_t i = 0; i < k; i++)
			v[i] = json_integer_value(json_array_get(frames, i));
		for (size_t i = 1; i < k; i++)
			for (size_t j = i; j > 0 && v[j - 1] > v[j]; j--) {
				json_int_t t = v[j];
				v[j] = v[j - 1];
				v[j - 1] = t;
			}
		for (size_t i = 0; i < k; i++) {
			if ((uint64_t)v[i] > n) {
				set_key_error(q, "frame %" JSON_INTEGER_FORMAT " is past the end of the trace (%u frames)", v[i], n);
				free(v);
				json_decref(key);
				return;
			}
			json_array_append_new(key, json_integer(v[i]));
		}
		free(v);
	} else {
		if (n > 1000) {
			set_key_error(q, "the trace has %u frames: list the frames to put in order (frames: [...])", n);
			json_decref(key);
			return;
		}
		for (uint32_t i = 1; i <= n; i++)
			json_array_append_new(key, json_integer(i));
	}
	q->key = key;
}

/* Whether lim (may be NULL) has a deadline and it has passed. */
static int
past_deadline(const struct tq_limits *lim)
{
	return lim && lim->deadline_ns && tq_monotonic_ns() >= lim->deadline_ns;
}

int
tq_exercise_compute_keys(struct tq_exercise *ex, struct tq_capture *cap, const struct tq_limits *lim,
    char *err, size_t errlen)
{
	uint64_t start = lim && lim->deadline_ns ? tq_monotonic_ns() : 0;
	ex->keys_ready = 0;
	/* the automatic feedback's index (grade.c) is of the capture the keys come from */
	tq_ex_feedback_drop(ex);
	ex->keys_cap = cap;
	/* every expression of the exercise, for one index */
	size_t n = 0;
	for (size_t i = 0; i < ex->nq; i++)
		n += (ex->q[i].key_expr != NULL) + ex->q[i].nchoices;
	struct tq_expr **exprs = calloc(n ? n : 1, sizeof(*exprs));
	if (!exprs)
		return errf(err, errlen, "out of memory");
	n = 0;
	for (size_t i = 0; i < ex->nq; i++) {
		if (ex->q[i].key_expr)
			exprs[n++] = ex->q[i].key_expr;
		for (size_t c = 0; c < ex->q[i].nchoices; c++)
			if (ex->q[i].choice_expr[c])
				exprs[n++] = ex->q[i].choice_expr[c];
	}
	struct tq_findex *ix = NULL;
	char ierr[256];
	int rc = tq_findex_build(cap, exprs, n, lim, &ix, ierr, sizeof(ierr));
	free(exprs);
	if (rc != 0) {
		errf(err, errlen, "%s", ierr);
		return rc;
	}

	/* an evaluation may take up to TQ_EXPR_MAX_STEPS: the deadline is read before each */
	size_t i;
	for (i = 0; i < ex->nq; i++) {
		struct question *q = &ex->q[i];
		if (past_deadline(lim))
			goto timeout;
		free(q->key_error);
		q->key_error = NULL;
		json_decref(q->key);
		json_decref(q->from);
		q->key = q->from = NULL;
		struct tq_expr_error ee;
		if (q->key_expr) {
			q->key = tq_expr_eval(ix, q->key_expr, &q->from, &ee);
			if (!q->key)
				set_key_error(q, "%s", ee.msg);
		} else if (json_object_get(q->q, "answer")) {
			q->key = json_incref(json_object_get(q->q, "answer"));
		}
		if (q->kind == Q_FIELD)
			field_key(q, cap);
		else if (q->kind == Q_ORDER)
			order_key(q, cap);
		for (size_t c = 0; c < q->nchoices; c++) {
			if (!q->choice_expr[c])
				continue;
			if (past_deadline(lim))
				goto timeout;
			json_t *v = tq_expr_eval(ix, q->choice_expr[c], NULL, &ee);
			if (!v) {
				set_key_error(q, "choices[%zu].valid: %s", c, ee.msg);
				q->choice_valid[c] = -1;
				continue;
			}
			q->choice_valid[c] = !(json_is_false(v) || json_is_null(v) || (json_is_integer(v) && !json_integer_value(v)) ||
			    (json_is_string(v) && !json_string_length(v)) || (json_is_array(v) && !json_array_size(v)));
			json_decref(v);
		}
		if (q->kind == Q_CHOICE && q->key && !q->key_error) {
			/* the key picks the choices whose text it equals */
			json_t *ch = json_object_get(q->q, "choices");
			int found = 0;
			for (size_t c = 0; c < q->nchoices; c++) {
				const char *t = json_string_value(json_object_get(json_array_get(ch, c), "text"));
				int hit = 0;
				if (json_is_array(q->key)) {
					size_t k;
					json_t *it;
					json_array_foreach(q->key, k, it)
						if (json_is_string(it) && !strcasecmp(json_string_value(it), t))
							hit = 1;
				} else if (json_is_string(q->key)) {
					hit = !strcasecmp(json_string_value(q->key), t);
				} else if (json_is_integer(q->key)) {
					char buf[32];
					snprintf(buf, sizeof(buf), "%" JSON_INTEGER_FORMAT, json_integer_value(q->key));
					hit = !strcmp(buf, t);
				}
				q->choice_valid[c] = hit;
				found |= hit;
			}
			if (!found) {
				char *s = json_dumps(q->key, JSON_ENCODE_ANY | JSON_COMPACT);
				set_key_error(q, "the key %s is none of the choices", s ? s : "?");
				free(s);
			}
		}
	}
	tq_findex_free(ix);
	ex->keys_ready = 1;
	return 0;
timeout:
	tq_findex_free(ix);
	if (lim->deadline_ns <= start) {
		errf(err, errlen, "the time allowed had run out before the keys were computed");
	} else {
		char d[32];
		errf(err, errlen, "computing the keys took longer than the %s allowed (stopped at question %zu of %zu, '%s')",
		    tq_fmt_duration(lim->deadline_ns - start, d, sizeof(d)), i + 1, ex->nq, ex->q[i].id);
	}
	return TQ_ETIMEOUT;
}

json_t *
tq_exercise_keys_json(const struct tq_exercise *ex)
{
	json_t *qs = json_array();
	for (size_t i = 0; i < ex->nq; i++) {
		const struct question *q = &ex->q[i];
		json_t *o = json_pack("{s:s,s:s}", "id", q->id, "kind", kind_names[q->kind]);
		json_object_set(o, "key", q->key && !q->key_error ? q->key : json_null());
		json_object_set_new(o, "error", q->key_error ? json_string(q->key_error) : json_null());
		json_object_set_new(o, "from", q->from ? json_incref(q->from) : json_array());
		if (q->kind == Q_CHOICE) {
			json_t *valid = json_array();
			json_t *ch = json_object_get(q->q, "choices");
			for (size_t c = 0; c < q->nchoices; c++)
				if (q->choice_valid[c] == 1)
					json_array_append(valid, json_object_get(json_array_get(ch, c), "text"));
			json_object_set_new(o, "valid", valid);
			/* each choice's state (1 valid, 0 not, -1 unknown), for tq_exercise_set_keys */
			json_t *states = json_array();
			for (size_t c = 0; c < q->nchoices; c++)
				json_array_append_new(states, json_integer(q->choice_valid[c]));
			json_object_set_new(o, "states", states);
		}
		json_array_append_new(qs, o);
	}
	return json_pack("{s:o}", "questions", qs);
}

/* The entry of question id in a keys document, or NULL. */
static json_t *
keys_entry(const json_t *keys, const char *id, size_t hint)
{
	json_t *qs = json_object_get(keys, "questions");
	json_t *e = json_array_get(qs, hint);
	if (json_is_string(json_object_get(e, "id")) && !strcmp(json_string_value(json_object_get(e, "id")), id))
		return e;
	size_t i;
	json_array_foreach(qs, i, e)
		if (json_is_string(json_object_get(e, "id")) && !strcmp(json_string_value(json_object_get(e, "id")), id))
			return e;
	return NULL;
}

int
tq_exercise_set_keys(struct tq_exercise *ex, const json_t *keys, struct tq_capture *cap, char *err, size_t errlen)
{
	ex->keys_ready = 0;
	tq_ex_feedback_drop(ex);
	ex->keys_cap = cap;
	/* every question has its entry before anything is changed */
	for (size_t i = 0; i < ex->nq; i++) {
		json_t *e = keys_entry(keys, ex->q[i].id, i);
		if (!e)
			return errf(err, errlen, "the stored keys have none for question '%s': save the exercise again", ex->q[i].id);
		json_t *states = json_object_get(e, "states");
		if (ex->q[i].kind == Q_CHOICE && states && json_array_size(states) != ex->q[i].nchoices)
			return errf(err, errlen, "the stored keys of question '%s' have %zu choices, the question %zu",
			    ex->q[i].id, json_array_size(states), ex->q[i].nchoices);
	}
	for (size_t i = 0; i < ex->nq; i++) {
		struct question *q = &ex->q[i];
		json_t *e = keys_entry(keys, q->id, i);
		json_t *key = json_object_get(e, "key"), *error = json_object_get(e, "error"), *from = json_object_get(e, "from");
		free(q->key_error);
		json_decref(q->key);
		json_decref(q->from);
		q->key_error = json_is_string(error) ? strdup(json_string_value(error)) : NULL;
		q->key = key && !json_is_null(key) ? json_deep_copy(key) : NULL;
		q->from = json_is_array(from) ? json_deep_copy(from) : json_array();
		if (q->kind != Q_CHOICE)
			continue;
		json_t *states = json_object_get(e, "states"), *valid = json_object_get(e, "valid");
		json_t *ch = json_object_get(q->q, "choices");
		for (size_t c = 0; c < q->nchoices; c++) {
			if (states) {
				json_int_t v = json_integer_value(json_array_get(states, c));
				q->choice_valid[c] = v == 1 ? 1 : v < 0 ? -1 : 0;
				continue;
			}
			/* keys stored before the states were: a choice is valid when its text is listed */
			const char *t = json_string_value(json_object_get(json_array_get(ch, c), "text"));
			size_t k;
			json_t *v;
			q->choice_valid[c] = 0;
			json_array_foreach(valid, k, v)
				if (t && json_is_string(v) && !strcmp(json_string_value(v), t))
					q->choice_valid[c] = 1;
		}
	}
	ex->keys_ready = 1;
	return 0;
}

/* What grading reads of a question's keys entry: its key (null when it failed) and its valid choices. */
static int
same_key(const json_t *a, const json_t *b)
{
	json_t *ka = json_object_get(a, "key"), *kb = json_object_get(b, "key");
	json_t *sa = json_object_get(a, "states"), *sb = json_object_get(b, "states");
	if (!sa || !sb) {
		sa = json_object_get(a, "valid");
		sb = json_object_get(b, "valid");
	}
	return json_equal(ka ? ka : json_null(), kb ? kb : json_null()) &&
	    ((!sa && !sb) || (sa && sb && json_equal(sa, sb)));
}

json_t *
tq_exercise_keys_diff(const json_t *old_keys, const json_t *new_keys)
{
	json_t *out = json_array();
	size_t i;
	json_t *e;
	json_array_foreach(json_object_get(new_keys, "questions"), i, e) {
		const char *id = json_string_value(json_object_get(e, "id"));
		if (!id)
			continue;
		json_t *o = keys_entry(old_keys, id, i);
		if (o && same_key(o, e))
			continue;
		json_t *ok = o ? json_object_get(o, "key") : NULL, *nk = json_object_get(e, "key");
		json_t *c = json_pack("{s:s,s:O,s:O}", "id", id, "old", ok ? ok : json_null(), "new", nk ? nk : json_null());
		if (o && json_object_get(o, "valid"))
			json_object_set(c, "old_valid", json_object_get(o, "valid"));
		if (json_object_get(e, "valid"))
			json_object_set(c, "new_valid", json_object_get(e, "valid"));
		if (!o)
			json_object_set_new(c, "added", json_true());
		json_array_append_new(out, c);
	}
	json_array_foreach(json_object_get(old_keys, "questions"), i, e) {
		const char *id = json_string_value(json_object_get(e, "id"));
		if (id && !keys_entry(new_keys, id, i))
			json_array_append_new(out, json_pack("{s:s,s:O,s:n,s:b}", "id", id,
			    "old", json_object_get(e, "key") ? json_object_get(e, "key") : json_null(), "new", "removed", 1));
	}
	return out;
}
