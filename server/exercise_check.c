/*
 * exercise_check.c - an exercise document checked whole before anything
 * is computed or stored: its questions, their kinds and keys, the view,
 * each error naming the place in the document it is about.
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

/* ------------------------------------------------------------------ checking */

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
		return ex_errf(ck->err, ck->errlen, "%s: expected a mapping (right, wrong, answers, fields), found %s", path,
		    ck_jtype(fb));
	static const char *const keys[] = { "right", "wrong", "answers", "fields", NULL };
	if (ck_only_keys(ck, path, fb, keys))
		return -1;
	char sub[300];
	ex_pathcat(sub, sizeof(sub), path, ".right");
	if (ck_want_string(ck, sub, json_object_get(fb, "right"), 0, 0))
		return -1;
	ex_pathcat(sub, sizeof(sub), path, ".wrong");
	if (ck_want_string(ck, sub, json_object_get(fb, "wrong"), 0, 0))
		return -1;
	json_t *ans = json_object_get(fb, "answers");
	if (ans) {
		ex_pathcat(sub, sizeof(sub), path, ".answers");
		if (!json_is_array(ans))
			return ex_errf(ck->err, ck->errlen, "%s: expected a list, found %s", sub, ck_jtype(ans));
		if (json_array_size(ans) > 100)
			return ex_errf(ck->err, ck->errlen, "%s has more than 100 items", sub);
		q->wrong_re = calloc(json_array_size(ans) + 1, sizeof(*q->wrong_re));
		if (!q->wrong_re)
			return ex_errf(ck->err, ck->errlen, "out of memory");
		q->nwrong = json_array_size(ans);
		size_t i;
		json_t *a;
		json_array_foreach(ans, i, a) {
			char sub2[340];
			snprintf(sub2, sizeof(sub2), "%s.answers[%zu]", path, i);
			static const char *const akeys[] = { "answer", "match", "feedback", NULL };
			if (!json_is_object(a))
				return ex_errf(ck->err, ck->errlen, "%s: expected a mapping (answer or match, feedback), found %s",
				    sub2, ck_jtype(a));
			if (ck_only_keys(ck, sub2, a, akeys))
				return -1;
			json_t *lit = json_object_get(a, "answer"), *m = json_object_get(a, "match");
			if (!!lit == !!m)
				return ex_errf(ck->err, ck->errlen, "%s: give either answer or match", sub2);
			if (lit && !json_is_string(lit) && !json_is_number(lit))
				return ex_errf(ck->err, ck->errlen, "%s.answer: expected text or a number, found %s", sub2, ck_jtype(lit));
			char sub3[360];
			ex_pathcat(sub3, sizeof(sub3), sub2, ".feedback");
			if (ck_want_string(ck, sub3, json_object_get(a, "feedback"), 1, 0))
				return -1;
			if (m) {
				ex_pathcat(sub3, sizeof(sub3), sub2, ".match");
				if (ck_want_string(ck, sub3, m, 1, 1) || ck_compile_regex(ck, sub3, json_string_value(m), &q->wrong_re[i]))
					return -1;
			}
		}
	}
	json_t *fields = json_object_get(fb, "fields");
	if (fields) {
		ex_pathcat(sub, sizeof(sub), path, ".fields");
		if (!json_is_object(fields))
			return ex_errf(ck->err, ck->errlen, "%s: expected a mapping from field to text, found %s", sub, ck_jtype(fields));
		const char *k;
		json_t *v;
		json_object_foreach(fields, k, v) {
			char sub2[512], key[90];
			snprintf(key, sizeof(key), ".%.80s", k);
			ex_pathcat(sub2, sizeof(sub2), sub, key);
			if (ck_known_field(ck, sub2, k) || ck_want_string(ck, sub2, v, 1, 0))
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
		return ex_errf(ck->err, ck->errlen, "%s: expected a mapping (id, kind, prompt, ...), found %s", path, ck_jtype(q));
	json_t *id = json_object_get(q, "id");
	char idpath[200];
	ex_pathcat(idpath, sizeof(idpath), path, ".id");
	if (ck_want_string(ck, idpath, id, 1, 1))
		return -1;
	const char *ids = json_string_value(id);
	if (strlen(ids) > 64 || strspn(ids, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-") != strlen(ids))
		return ex_errf(ck->err, ck->errlen, "%s.id: '%.64s' must be 1 to 64 letters, digits, '_' or '-'", path, ids);
	for (size_t j = 0; j < qi; j++)
		if (!strcmp(ex->q[j].id, ids))
			return ex_errf(ck->err, ck->errlen, "%s.id: '%s' is already the id of questions[%zu]", path, ids, j);
	Q->id = ids;
	Q->q = q;
	snprintf(path, sizeof(path), "questions[%zu] (%s)", qi, ids);

	json_t *kind = json_object_get(q, "kind");
	char sub[300];
	ex_pathcat(sub, sizeof(sub), path, ".kind");
	if (ck_want_string(ck, sub, kind, 1, 1))
		return -1;
	Q->kind = -1;
	for (int k = 0; k < Q_NKINDS; k++)
		if (!strcmp(ex_kind_names[k], json_string_value(kind)))
			Q->kind = k;
	if (Q->kind < 0)
		return ex_errf(ck->err, ck->errlen, "%s: unknown kind '%.40s' (text, number, choice, field or order)", sub,
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
					return ex_errf(ck->err, ck->errlen, "%s: '%s' belongs to %s questions, not %s ones", path, k,
					    ex_kind_names[kk], ex_kind_names[Q->kind]);
		char list[300] = "";
		for (size_t j = 0; j < na; j++) {
			if (j)
				strcat(list, ", ");
			strcat(list, allowed[j]);
		}
		return ex_errf(ck->err, ck->errlen, "%s: unknown key '%.60s' (the keys of a %s question are %s)", path, k,
		    ex_kind_names[Q->kind], list);
	}

	ex_pathcat(sub, sizeof(sub), path, ".prompt");
	if (ck_want_string(ck, sub, json_object_get(q, "prompt"), 1, 1))
		return -1;
	ex_pathcat(sub, sizeof(sub), path, ".points");
	json_t *pts = json_object_get(q, "points");
	if (ck_want_number(ck, sub, pts, 0))
		return -1;
	Q->points = pts ? json_number_value(pts) : 1.0;
	if (!pts)
		json_object_set_new(q, "points", json_integer(1));

	json_t *key = json_object_get(q, "key"), *lit = json_object_get(q, "answer");
	if (key && lit)
		return ex_errf(ck->err, ck->errlen, "%s: give a key (an expression) or an answer (a literal), not both", path);
	if (key) {
		ex_pathcat(sub, sizeof(sub), path, ".key");
		if (ck_want_string(ck, sub, key, 1, 1) || ck_compile_expr(ck, sub, json_string_value(key), &Q->key_expr))
			return -1;
	}
	if (lit) {
		if (Q->kind == Q_FIELD || Q->kind == Q_ORDER)
			return ex_errf(ck->err, ck->errlen, "%s: a %s question's key comes from the trace; remove 'answer'", path,
			    ex_kind_names[Q->kind]);
		if (!json_is_string(lit) && !json_is_number(lit) && !(Q->kind == Q_CHOICE && json_is_array(lit)))
			return ex_errf(ck->err, ck->errlen, "%s.answer: expected text or a number, found %s", path, ck_jtype(lit));
	}

	ex_pathcat(sub, sizeof(sub), path, ".feedback");
	if (check_feedback(ck, sub, json_object_get(q, "feedback"), Q))
		return -1;

	switch (Q->kind) {
	case Q_TEXT: {
		json_t *norm = json_object_get(q, "normalize");
		ck_listify(q, "normalize");
		norm = json_object_get(q, "normalize");
		ex_pathcat(sub, sizeof(sub), path, ".normalize");
		if (ck_want_list_of_strings(ck, sub, norm, 8))
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
					return ex_errf(ck->err, ck->errlen,
					    "%s[%zu]: unknown normalizer '%.40s' (case, trim, space, dot, ipv6 or int)", sub, i,
					    json_string_value(it));
				Q->norm |= bit;
			}
		}
		ck_listify(q, "accept");
		ex_pathcat(sub, sizeof(sub), path, ".accept");
		if (ck_want_list_of_strings(ck, sub, json_object_get(q, "accept"), 100))
			return -1;
		json_t *m = json_object_get(q, "match");
		ex_pathcat(sub, sizeof(sub), path, ".match");
		if (m && (ck_want_string(ck, sub, m, 1, 1) || ck_compile_regex(ck, sub, json_string_value(m), &Q->match)))
			return -1;
		if (!key && !lit && !m && !json_object_get(q, "accept"))
			return ex_errf(ck->err, ck->errlen, "%s: needs a key (an expression), an answer, accept or match", path);
		break;
	}
	case Q_NUMBER: {
		ex_pathcat(sub, sizeof(sub), path, ".tolerance");
		json_t *tol = json_object_get(q, "tolerance");
		if (ck_want_number(ck, sub, tol, 0))
			return -1;
		Q->tolerance = tol ? json_number_value(tol) : 0;
		if (lit && !json_is_number(lit)) {
			double d;
			char *end;
			d = strtod(json_string_value(lit), &end);
			if (*end || !isfinite(d))
				return ex_errf(ck->err, ck->errlen, "%s.answer: '%.40s' is not a number", path, json_string_value(lit));
		}
		if (!key && !lit)
			return ex_errf(ck->err, ck->errlen, "%s: needs a key (an expression) or an answer", path);
		break;
	}
	case Q_CHOICE: {
		json_t *ch = json_object_get(q, "choices");
		ex_pathcat(sub, sizeof(sub), path, ".choices");
		if (!ch || !json_is_array(ch) || json_array_size(ch) < 2)
			return ex_errf(ck->err, ck->errlen, "%s: a choice question needs a list of at least two choices", sub);
		if (json_array_size(ch) > TQ_EX_MAX_CHOICES)
			return ex_errf(ck->err, ck->errlen, "%s has more than %d choices", sub, TQ_EX_MAX_CHOICES);
		Q->nchoices = json_array_size(ch);
		Q->choice_expr = calloc(Q->nchoices, sizeof(*Q->choice_expr));
		Q->choice_valid = calloc(Q->nchoices, sizeof(*Q->choice_valid));
		if (!Q->choice_expr || !Q->choice_valid)
			return ex_errf(ck->err, ck->errlen, "out of memory");
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
				return ex_errf(ck->err, ck->errlen, "%s: expected a mapping (text, valid, feedback), found %s", sub2,
				    ck_jtype(c));
			static const char *const ckeys[] = { "text", "valid", "feedback", NULL };
			if (ck_only_keys(ck, sub2, c, ckeys))
				return -1;
			char sub3[360];
			ex_pathcat(sub3, sizeof(sub3), sub2, ".text");
			if (ck_want_string(ck, sub3, json_object_get(c, "text"), 1, 1))
				return -1;
			for (size_t j = 0; j < i; j++)
				if (!strcmp(json_string_value(json_object_get(json_array_get(ch, j), "text")),
				    json_string_value(json_object_get(c, "text"))))
					return ex_errf(ck->err, ck->errlen, "%s: the text '%.60s' is already choice %zu's", sub3,
					    json_string_value(json_object_get(c, "text")), j);
			ex_pathcat(sub3, sizeof(sub3), sub2, ".feedback");
			if (ck_want_string(ck, sub3, json_object_get(c, "feedback"), 0, 0))
				return -1;
			json_t *valid = json_object_get(c, "valid");
			ex_pathcat(sub3, sizeof(sub3), sub2, ".valid");
			Q->choice_valid[i] = 0;
			if (valid && json_is_boolean(valid)) {
				Q->choice_valid[i] = json_is_true(valid);
				any_valid |= Q->choice_valid[i];
			} else if (valid && json_is_string(valid)) {
				if (ck_compile_expr(ck, sub3, json_string_value(valid), &Q->choice_expr[i]))
					return -1;
				Q->choice_valid[i] = -1;     /* known once computed */
				any_valid = 1;
			} else if (valid) {
				return ex_errf(ck->err, ck->errlen, "%s: expected true, false or an expression, found %s", sub3,
				    ck_jtype(valid));
			}
		}
		json_t *mult = json_object_get(q, "multiple");
		if (mult && !json_is_boolean(mult))
			return ex_errf(ck->err, ck->errlen, "%s.multiple: expected true or false, found %s", path, ck_jtype(mult));
		Q->multiple = mult && json_is_true(mult);
		json_t *limit = json_object_get(q, "limit");
		if (limit && (!json_is_integer(limit) || json_integer_value(limit) < 0 ||
		    json_integer_value(limit) > TQ_EX_MAX_CHOICES))
			return ex_errf(ck->err, ck->errlen, "%s.limit: expected an integer from 0 (all) to %d", path, TQ_EX_MAX_CHOICES);
		Q->limit = limit ? (unsigned)json_integer_value(limit) : 0;
		if (Q->limit == 1)
			return ex_errf(ck->err, ck->errlen, "%s.limit: showing one choice leaves nothing to choose; use 0 (all) or 2 and more",
			    path);
		if (!key && !lit && !any_valid)
			return ex_errf(ck->err, ck->errlen, "%s: no choice is valid: mark one with 'valid: true' or give a key", path);
		if (lit && !json_is_array(lit)) {
			int found = 0;
			json_array_foreach(ch, i, c)
				if (json_is_string(lit) && !strcasecmp(json_string_value(json_object_get(c, "text")), json_string_value(lit)))
					found = 1;
			if (!found)
				return ex_errf(ck->err, ck->errlen, "%s.answer: no choice has that text", path);
		}
		break;
	}
	case Q_FIELD: {
		json_t *hide = json_object_get(q, "hide");
		ex_pathcat(sub, sizeof(sub), path, ".hide");
		if (!hide || !json_is_object(hide) || !json_object_size(hide))
			return ex_errf(ck->err, ck->errlen, "%s: a field question needs hide: a mapping from frame number to the fields to fill in", sub);
		if (key)
			return ex_errf(ck->err, ck->errlen, "%s: a field question's key comes from the trace; remove 'key'", path);
		const char *fk;
		json_t *fl;
		json_object_foreach(hide, fk, fl) {
			char sub2[340];
			snprintf(sub2, sizeof(sub2), "%s.%.20s", sub, fk);
			uint32_t fr;
			if (parse_frame_number(fk, &fr))
				return ex_errf(ck->err, ck->errlen, "%s: '%.20s' is not a frame number (1, 2, ...)", sub, fk);
			if (json_is_string(fl)) {
				json_t *a = json_array();
				json_array_append(a, fl);
				json_object_set_new(hide, fk, a);
				fl = a;
			}
			if (ck_want_list_of_strings(ck, sub2, fl, 64))
				return -1;
			if (!json_array_size(fl))
				return ex_errf(ck->err, ck->errlen, "%s: no field to hide", sub2);
			size_t i;
			json_t *f;
			json_array_foreach(fl, i, f) {
				char sub3[512], ix[32];
				snprintf(ix, sizeof(ix), "[%zu]", i);
				ex_pathcat(sub3, sizeof(sub3), sub2, ix);
				if (ck_known_field(ck, sub3, json_string_value(f)))
					return -1;
				if (!tq_field_has_value(tq_field_lookup(json_string_value(f))))
					return ex_errf(ck->err, ck->errlen, "%s: %s has no value to fill in", sub3, json_string_value(f));
			}
		}
		break;
	}
	case Q_ORDER: {
		json_t *fr = json_object_get(q, "frames");
		if (fr) {
			ex_pathcat(sub, sizeof(sub), path, ".frames");
			if (!json_is_array(fr) || json_array_size(fr) < 2 || json_array_size(fr) > 1000)
				return ex_errf(ck->err, ck->errlen, "%s: expected a list of 2 to 1000 frame numbers", sub);
			size_t i;
			json_t *f;
			json_array_foreach(fr, i, f) {
				if (!json_is_integer(f) || json_integer_value(f) < 1 || json_integer_value(f) > UINT32_MAX)
					return ex_errf(ck->err, ck->errlen, "%s[%zu]: expected a frame number (1, 2, ...)", sub, i);
				for (size_t j = 0; j < i; j++)
					if (json_integer_value(json_array_get(fr, j)) == json_integer_value(f))
						return ex_errf(ck->err, ck->errlen, "%s[%zu]: frame %" JSON_INTEGER_FORMAT " is there twice", sub, i,
						    json_integer_value(f));
			}
		}
		if (key)
			return ex_errf(ck->err, ck->errlen, "%s: an order question's key comes from the trace; remove 'key'", path);
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

int
ex_check_doc(struct tq_exercise *ex, char *err, size_t errlen)
{
	struct checker ck = { err, errlen };
	json_t *d = ex->doc;
	if (!json_is_object(d))
		return ex_errf(err, errlen, "an exercise is a mapping (title, intro, capture or captures, variants, view, attempts, questions), not %s",
		    ck_jtype(d));
	static const char *const keys[] = { "title", "intro", "capture", "captures", "variants", "view", "attempts",
		"questions", NULL };
	if (ck_only_keys(&ck, "the exercise", d, keys) || ex_check_variants(ex, err, errlen))
		return -1;
	json_t *att = json_object_get(d, "attempts");
	if (att) {
		/* a real such as 3.0 is refused too: YAML's 3 is an integer */
		if (!json_is_integer(att))
			return ex_errf(err, errlen, "attempts: expected an integer from 1 to %d (leave it out for no limit), found %s",
			    TQ_EX_MAX_ATTEMPTS, ck_jtype(att));
		if (json_integer_value(att) < 1 || json_integer_value(att) > TQ_EX_MAX_ATTEMPTS)
			return ex_errf(err, errlen, "attempts: %" JSON_INTEGER_FORMAT " is out of range (1 to %d; leave it out for no limit)",
			    json_integer_value(att), TQ_EX_MAX_ATTEMPTS);
		ex->attempts = (size_t)json_integer_value(att);
	}
	if (ck_want_string(&ck, "title", json_object_get(d, "title"), 1, 1) ||
	    ck_want_string(&ck, "intro", json_object_get(d, "intro"), 0, 0) ||
	    ck_want_string(&ck, "capture", json_object_get(d, "capture"), 0, 1))
		return -1;
	if (!json_object_get(d, "intro"))
		json_object_set_new(d, "intro", json_string(""));
	for (size_t pi = 0; pi < tq_exercise_pool_size(ex); pi++) {
		const char *name = tq_exercise_pool_name(ex, pi);
		if (name && !safe_relative_path(name))
			return ex_errf(err, errlen, "%s: '%.80s' must be a file inside the exercise's folder (no '/' first, no '..')",
			    json_object_get(d, "captures") ? "captures" : "capture", name);
	}
	json_t *cap = json_object_get(d, "captures") ? json_array_get(json_object_get(d, "captures"), 0)
						    : json_object_get(d, "capture");
	if (cap) {
		if (ex->dir) {
			size_t n = strlen(ex->dir) + json_string_length(cap) + 2;
			ex->capture_path = malloc(n);
			if (!ex->capture_path)
				return ex_errf(err, errlen, "out of memory");
			snprintf(ex->capture_path, n, "%s/%s", ex->dir, json_string_value(cap));
		}
	}
	json_t *view = json_object_get(d, "view");
	if (view) {
		if (!json_is_object(view))
			return ex_errf(err, errlen, "view: expected a mapping (exclude, redact), found %s", ck_jtype(view));
		static const char *const vkeys[] = { "exclude", "redact", "decode_as", NULL };
		if (ck_only_keys(&ck, "view", view, vkeys))
			return -1;
		ck_listify(view, "decode_as");
		json_t *da = json_object_get(view, "decode_as");
		if (ck_want_list_of_strings(&ck, "view.decode_as", da, TQ_MAX_DECODE_AS))
			return -1;
		size_t di;
		json_t *rule;
		json_array_foreach(da, di, rule) {
			char why[400];
			if (tq_decode_as_parse(json_string_value(rule), &ex->decode_as[di], why, sizeof(why)) != 0)
				return ex_errf(err, errlen, "view.decode_as[%zu]: %s", di, why);
			ex->ndecode_as = (unsigned)di + 1;
		}
		ck_listify(view, "exclude");
		ck_listify(view, "redact");
		for (int w = 0; w < 2; w++) {
			const char *name = w ? "redact" : "exclude";
			json_t *l = json_object_get(view, name);
			char path[40];
			snprintf(path, sizeof(path), "view.%s", name);
			if (ck_want_list_of_strings(&ck, path, l, 500))
				return -1;
			size_t i;
			json_t *it;
			json_array_foreach(l, i, it) {
				char sub[80];
				snprintf(sub, sizeof(sub), "%s[%zu]", path, i);
				if (ck_known_field(&ck, sub, json_string_value(it)))
					return -1;
			}
		}
	}
	json_t *qs = json_object_get(d, "questions");
	if (!qs)
		return ex_errf(err, errlen, "questions is missing");
	if (!json_is_array(qs))
		return ex_errf(err, errlen, "questions: expected a list, found %s", ck_jtype(qs));
	if (json_array_size(qs) > TQ_EX_MAX_QUESTIONS)
		return ex_errf(err, errlen, "questions: more than %d questions", TQ_EX_MAX_QUESTIONS);
	ex->nq = json_array_size(qs);
	ex->q = calloc(ex->nq ? ex->nq : 1, sizeof(*ex->q));
	if (!ex->q)
		return ex_errf(err, errlen, "out of memory");
	size_t i;
	json_t *q;
	json_array_foreach(qs, i, q)
		if (check_question(&ck, ex, i, q, &ex->q[i]))
			return -1;
	return 0;
}
