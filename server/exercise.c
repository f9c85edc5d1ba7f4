/*
 * exercise.c - the exercise model: loading it, compiling its expressions
 * and computing its keys.  Reading and writing its YAML is exercise_yaml.c's,
 * checking a document whole exercise_check.c's.
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

int
ex_errf(char *err, size_t errlen, const char *fmt, ...)
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
void
ex_pathcat(char *buf, size_t len, const char *base, const char *suffix)
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

/* ------------------------------------------------------------------ loading */

int
tq_exercise_from_json(json_t *doc, const char *dir, struct tq_exercise **out, char *err, size_t errlen)
{
	*out = NULL;
	struct tq_exercise *ex = calloc(1, sizeof(*ex));
	if (!ex)
		return ex_errf(err, errlen, "out of memory");
	if (pthread_mutex_init(&ex->fb_lock, NULL) != 0) {
		free(ex);
		return ex_errf(err, errlen, "out of memory");
	}
	ex->doc = json_incref(doc);
	if (dir && !(ex->dir = strdup(dir))) {
		tq_exercise_free(ex);
		return ex_errf(err, errlen, "out of memory");
	}
	if (ex_check_doc(ex, err, errlen)) {
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
		return ex_errf(err, errlen, "%s: the path is too long", path);
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
		return ex_errf(err, errlen, "%s: too large (%u bytes at most)", file, TQ_EX_MAX_FILE);
	if (!buf)
		return ex_errf(err, errlen, "%s: %s", file, strerror(errno));
	char inner[512];
	int rc = tq_exercise_load_yaml(buf, len, dir, out, inner, sizeof(inner));
	free(buf);
	if (rc)
		ex_errf(err, errlen, "%s: %s", file, inner);
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
		return ex_errf(err, errlen, "out of memory");
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
		ex_errf(err, errlen, "%s", ierr);
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
		ex_errf(err, errlen, "the time allowed had run out before the keys were computed");
	} else {
		char d[32];
		ex_errf(err, errlen, "computing the keys took longer than the %s allowed (stopped at question %zu of %zu, '%s')",
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
		json_t *o = json_pack("{s:s,s:s}", "id", q->id, "kind", ex_kind_names[q->kind]);
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
			return ex_errf(err, errlen, "the stored keys have none for question '%s': save the exercise again", ex->q[i].id);
		json_t *states = json_object_get(e, "states");
		if (ex->q[i].kind == Q_CHOICE && states && json_array_size(states) != ex->q[i].nchoices)
			return ex_errf(err, errlen, "the stored keys of question '%s' have %zu choices, the question %zu",
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
