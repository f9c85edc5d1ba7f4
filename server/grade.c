/*
 * grade.c - grading answers against an exercise's computed keys, with feedback.
 *
 * Feedback comes, in this order, from: the choice picked; an expected wrong
 * answer the instructor listed (feedback.answers); the field of a field
 * question that is wrong (feedback.fields); and, for a wrong text or number
 * that is no listed mistake, the trace itself: when the answer is the value
 * of some other field, the student is told which ("That is Acknowledgment
 * Number (tcp.ack) of frame 5.").  Then feedback.right or feedback.wrong.
 *
 * A submission is the student's, so what it may cost is bounded: its size
 * (answers_fit, with the caps of exercise.h), the regular expressions run
 * on it (struct regex_run), and the search of the trace, done once per
 * exercise into an index of the trace's values that later gradings share
 * (struct fb_index).  A choice question with a limit is graded on the
 * choices the student was shown (tq_grade_opts).
 */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "exercise_int.h"

/* ------------------------------------------------------------------ grading */

struct result {
	int correct;
	double score;
	struct tq_sbuf fb;
};

static void
say(struct result *r, const char *text)
{
	if (!text || !*text)
		return;
	if (r->fb.len)
		tq_sbuf_putc(&r->fb, '\n');
	tq_sbuf_puts(&r->fb, text);
}

static const char *
fb_text(const struct question *q, const char *which)
{
	return json_string_value(json_object_get(json_object_get(q->q, "feedback"), which));
}

/* feedback.answers: a listed wrong answer's feedback, NULL if none is this one. */
static const char *
listed_mistake(const struct question *q, const json_t *answer, struct regex_run *rr)
{
	json_t *ans = json_object_get(json_object_get(q->q, "feedback"), "answers");
	struct tq_sbuf t;
	tq_sbuf_init(&t, 1 << 20);
	const char *hit = NULL;
	for (size_t i = 0; i < json_array_size(ans) && !hit; i++) {
		json_t *a = json_array_get(ans, i);
		if (q->wrong_re[i]) {
			if (gr_json_text(answer, &t) == 0 && gr_regex_hit(rr, q->wrong_re[i], t.s ? t.s : "", t.len) == RE_YES)
				hit = json_string_value(json_object_get(a, "feedback"));
		} else {
			json_t *lit = json_object_get(a, "answer");
			double x, y;
			if (q->kind == Q_NUMBER ? (gr_answer_number(answer, &x) == 0 && gr_answer_number(lit, &y) == 0 && x == y) :
			    gr_same_text(answer, lit, q->norm | N_TRIM))
				hit = json_string_value(json_object_get(a, "feedback"));
		}
	}
	tq_sbuf_free(&t);
	return hit;
}

static void
grade_text(const struct question *q, const json_t *a, struct result *r, struct regex_run *rr)
{
	if (!json_is_string(a) && !json_is_number(a)) {
		say(r, "The answer should be text.");
		return;
	}
	int ok = 0;
	if (q->key) {
		if (json_is_array(q->key)) {
			size_t i;
			json_t *k;
			json_array_foreach(q->key, i, k)
				ok |= gr_same_text(a, k, q->norm);
		} else {
			ok = gr_same_text(a, q->key, q->norm);
		}
	}
	json_t *acc = json_object_get(q->q, "accept");
	for (size_t i = 0; i < json_array_size(acc) && !ok; i++)
		ok = gr_same_text(a, json_array_get(acc, i), q->norm);
	if (!ok && q->match) {
		struct tq_sbuf t;
		tq_sbuf_init(&t, 1 << 20);
		if (gr_json_text(a, &t) == 0) {
			const char *s = t.s ? t.s : "";
			size_t n = t.len;
			if (q->norm & N_TRIM) {
				while (n && gr_is_space((unsigned char)*s))
					s++, n--;
				while (n && gr_is_space((unsigned char)s[n - 1]))
					n--;
			}
			int hit = gr_regex_hit(rr, q->match, s, n);
			ok = hit == RE_YES;
			if (hit == RE_TOO_COMPLEX)
				say(r, "This answer could not be checked: comparing it with the accepted answers takes too long. "
				    "Try a shorter, simpler answer, or ask your instructor.");
		}
		tq_sbuf_free(&t);
	}
	r->correct = ok;
}

static void
grade_number(const struct question *q, const json_t *a, struct result *r)
{
	double x, k;
	if (gr_answer_number(a, &x)) {
		say(r, "The answer should be a number.");
		return;
	}
	if (gr_answer_number(q->key, &k)) {
		say(r, "This question's key is not a number; tell your instructor.");
		return;
	}
	r->correct = fabs(x - k) <= q->tolerance + 1e-9 * fmax(1.0, fabs(k));
}

/* shown: the choices the student was shown (NULL: all). */
static void
grade_choice(const struct question *q, const json_t *a, const int *shown, struct result *r)
{
	json_t *ch = json_object_get(q->q, "choices");
	for (size_t c = 0; c < q->nchoices; c++)
		if (q->choice_valid[c] < 0) {
			say(r, "This question's key could not be computed; tell your instructor.");
			return;
		}
	/* picked: the answer's choices, by text (case aside) */
	int picked[TQ_EX_MAX_CHOICES] = { 0 };
	size_t npicked = 0;
	const json_t *items = a;
	json_t *one = NULL;
	if (!json_is_array(a)) {
		one = json_array();
		json_array_append(one, (json_t *)a);
		items = one;
	}
	size_t i;
	json_t *it;
	json_array_foreach(items, i, it) {
		int found = 0;
		for (size_t c = 0; c < q->nchoices; c++) {
			const char *t = json_string_value(json_object_get(json_array_get(ch, c), "text"));
			if (shown && !shown[c])
				continue;
			if (json_is_string(it) && !strcasecmp(t, json_string_value(it))) {
				if (!picked[c])
					npicked++;
				picked[c] = 1;
				found = 1;
			}
		}
		if (!found) {
			json_decref(one);
			say(r, "That is not one of the choices.");
			return;
		}
	}
	json_decref(one);
	if (!npicked) {
		say(r, "No choice was picked.");
		return;
	}
	if (!q->multiple && npicked > 1) {
		say(r, "Pick one choice only.");
		return;
	}
	/* with multiple, the right answer is every valid choice shown */
	int ok = 1;
	for (size_t c = 0; c < q->nchoices; c++) {
		if (shown && !shown[c])
			continue;
		if (q->multiple ? picked[c] != (q->choice_valid[c] == 1) : (picked[c] && q->choice_valid[c] != 1))
			ok = 0;
		if (picked[c])
			say(r, json_string_value(json_object_get(json_array_get(ch, c), "feedback")));
	}
	r->correct = ok;
}

/* A field's expected shown value against what the student wrote. */
static int
same_field_value(const char *expected, const json_t *given)
{
	struct tq_sbuf g;
	tq_sbuf_init(&g, 1 << 16);
	int ok = 0;
	if (gr_json_text(given, &g) == 0) {
		long long x, y;
		const char *gs = g.s ? g.s : "";
		if (gr_any_base_int(expected, &x) == 0 && gr_any_base_int(gs, &y) == 0) {
			ok = x == y;
		} else {
			json_t *e = json_string(expected);
			ok = gr_same_text(e, given, N_TRIM | N_CASE | N_SPACE | N_IPV6 | N_DOT);
			json_decref(e);
		}
	}
	tq_sbuf_free(&g);
	return ok;
}

static void
grade_field(const struct question *q, const json_t *a, struct result *r)
{
	if (!json_is_object(a)) {
		say(r, "The answer should give a value for each hidden field.");
		return;
	}
	json_t *ffb = json_object_get(json_object_get(q->q, "feedback"), "fields");
	size_t total = 0, right = 0;
	const char *frame;
	json_t *fields;
	json_object_foreach(q->key, frame, fields) {
		/* {"FRAME": {"field": value}}, or {"field": value} when one frame has hidden fields */
		const json_t *given = json_object_get(a, frame);
		if (!given && json_object_size(q->key) == 1)
			given = a;
		const char *abbrev;
		json_t *expected;
		json_object_foreach(fields, abbrev, expected) {
			total++;
			const json_t *g = json_is_object(given) ? json_object_get(given, abbrev) : NULL;
			if (g && same_field_value(json_string_value(expected), g)) {
				right++;
				continue;
			}
			char line[400];
			snprintf(line, sizeof(line), "Frame %s, %s: %s", frame, abbrev, g ? "not right." : "no value given.");
			say(r, line);
			say(r, json_string_value(json_object_get(ffb, abbrev)));
		}
	}
	r->correct = total && right == total;
	r->score = total ? q->points * (double)right / (double)total : 0;
}

static void
grade_order(const struct question *q, const json_t *a, struct result *r)
{
	if (!json_is_array(a)) {
		say(r, "The answer should be the list of frames in order.");
		return;
	}
	int ok = json_array_size(a) == json_array_size(q->key);
	for (size_t i = 0; ok && i < json_array_size(a); i++) {
		double x;
		ok = gr_answer_number(json_array_get(a, i), &x) == 0 && x == (double)json_integer_value(json_array_get(q->key, i));
	}
	r->correct = ok;
}

/* ------------------------------------------------------------------ the size of answers */

/* The length of a string as JSON text (quoted and escaped, as jansson writes it). */
static size_t
json_string_len(const char *s, size_t n, size_t cap)
{
	if (n + 2 > cap)
		return cap + 1;    /* escaping only adds */
	size_t len = 2;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == '"' || c == '\\' || c == '\b' || c == '\f' || c == '\n' || c == '\r' || c == '\t')
			len += 2;
		else
			len += c < 0x20 ? 6 : 1;
	}
	return len;
}

/*
 * The length of j as compact JSON text, or cap + 1 once it is known to be
 * longer than cap: the work is bounded by cap, not by j (every value costs
 * at least one byte).
 */
static size_t
json_len(const json_t *j, size_t cap)
{
	char buf[64];
	size_t len = 2;
	switch (json_typeof(j)) {
	case JSON_STRING:
		return json_string_len(json_string_value(j), json_string_length(j), cap);
	case JSON_INTEGER:
		return (size_t)snprintf(buf, sizeof(buf), "%" JSON_INTEGER_FORMAT, json_integer_value(j));
	case JSON_REAL:
		return (size_t)snprintf(buf, sizeof(buf), "%.17g", json_real_value(j)) + 2;
	case JSON_TRUE:
	case JSON_NULL:
		return 4;
	case JSON_FALSE:
		return 5;
	case JSON_ARRAY: {
		size_t i;
		json_t *v;
		json_array_foreach(j, i, v) {
			len += (i > 0) + json_len(v, cap);
			if (len > cap)
				return cap + 1;
		}
		return len;
	}
	case JSON_OBJECT: {
		const char *k;
		json_t *v;
		size_t i = 0;
		json_object_foreach((json_t *)j, k, v) {
			len += (i++ > 0) + json_string_len(k, strlen(k), cap) + 1 + json_len(v, cap);
			if (len > cap)
				return cap + 1;
		}
		return len;
	}
	default:
		return cap + 1;
	}
}

/* The frames an order question puts in order (TQ_EX_MAX_ORDER when its key is unknown). */
static size_t
order_frames(const struct question *q)
{
	if (json_is_array(q->key))
		return json_array_size(q->key);
	json_t *frames = json_object_get(q->q, "frames");
	return frames ? json_array_size(frames) : TQ_EX_MAX_ORDER;
}

/* The most bytes (as JSON) an answer to q may have: exercise.h says why. */
static size_t
answer_cap(const struct question *q)
{
	size_t cap = TQ_EX_MAX_ANSWER;
	if (q->kind == Q_CHOICE) {
		json_t *ch = json_object_get(q->q, "choices");
		for (size_t c = 0; c < q->nchoices; c++) {
			const char *t = json_string_value(json_object_get(json_array_get(ch, c), "text"));
			cap += json_string_len(t ? t : "", t ? strlen(t) : 0, SIZE_MAX / 4) + 1;
		}
	} else if (q->kind == Q_FIELD) {
		size_t n = 0;
		const char *fk;
		json_t *fl;
		json_object_foreach(json_object_get(q->q, "hide"), fk, fl)
			n += json_array_size(fl);
		cap *= n ? n : 1;
	} else if (q->kind == Q_ORDER) {
		cap += 11 * order_frames(q);    /* a frame number has at most 10 digits, and a comma */
	}
	return cap;
}

/* The answers within the limits of exercise.h; else -1 with err saying which is past which. */
static int
answers_fit(const struct tq_exercise *ex, const json_t *answers, char *err, size_t errlen)
{
	size_t total = 2, n = 0;
	const char *k;
	json_t *v;
	json_object_foreach((json_t *)answers, k, v) {
		const struct question *q = NULL;
		for (size_t i = 0; i < ex->nq && !q; i++)
			if (!strcmp(ex->q[i].id, k))
				q = &ex->q[i];
		if (!q) {
			snprintf(err, errlen, "there is no question '%.64s' in this exercise", k);
			return -1;
		}
		size_t cap = answer_cap(q);
		size_t len = json_len(v, cap);
		if (len > cap) {
			snprintf(err, errlen, "the answer to '%s' is too long: more than %zu bytes as JSON, the most this question takes",
			    q->id, cap);
			return -1;
		}
		if (q->kind == Q_CHOICE && json_array_size(v) > q->nchoices) {
			snprintf(err, errlen, "the answer to '%s' lists %zu choices; the question has %zu", q->id, json_array_size(v),
			    q->nchoices);
			return -1;
		}
		if (q->kind == Q_ORDER && json_array_size(v) > order_frames(q)) {
			snprintf(err, errlen, "the answer to '%s' lists %zu frames; the question puts %zu in order", q->id,
			    json_array_size(v), order_frames(q));
			return -1;
		}
		total += (n++ > 0) + json_string_len(k, strlen(k), SIZE_MAX / 4) + 1 + len;
	}
	if (total > TQ_EX_MAX_ANSWERS) {
		snprintf(err, errlen, "the answers are too long: %zu bytes as JSON, %u at most in all", total, TQ_EX_MAX_ANSWERS);
		return -1;
	}
	return 0;
}

/* ------------------------------------------------------------------ grading, whole */

json_t *
tq_exercise_grade(const struct tq_exercise *ex, struct tq_capture *cap, const json_t *answers,
    const struct tq_grade_opts *opts, char *err, size_t errlen)
{
	if (!json_is_object(answers)) {
		snprintf(err, errlen, "the answers must be a mapping from question id to answer");
		return NULL;
	}
	if (!ex->keys_ready) {
		snprintf(err, errlen, "the keys have not been computed");
		return NULL;
	}
	/* an answer to no question is a mistake worth saying, and so is one past the limits */
	if (answers_fit(ex, answers, err, errlen))
		return NULL;
	struct regex_run rr;
	gr_regex_run_init(&rr);
	struct fb_own own = { NULL, 0 };
	json_t *qs = json_array();
	double score = 0, max = 0;
	for (size_t i = 0; i < ex->nq; i++) {
		const struct question *q = &ex->q[i];
		struct result r = { 0 };
		tq_sbuf_init(&r.fb, 1 << 20);
		const json_t *a = json_object_get(answers, q->id);
		max += q->points;
		/* the choices this student was shown, when the question shows a few */
		int shown[TQ_EX_MAX_CHOICES];
		const int *shownp = NULL;
		if (q->kind == Q_CHOICE && opts && opts->limit_choices && q->limit && q->limit < q->nchoices) {
			size_t idx[TQ_EX_MAX_CHOICES];
			size_t k = tq_exercise_pick_choices(ex, i, opts->choice_seed, idx, TQ_EX_MAX_CHOICES);
			memset(shown, 0, sizeof(shown));
			for (size_t j = 0; j < k; j++)
				shown[idx[j]] = 1;
			shownp = shown;
		}
		if (!q->key && q->kind != Q_CHOICE && !(q->kind == Q_TEXT && (q->match || json_object_get(q->q, "accept")))) {
			say(&r, "This question's key could not be computed on this trace; tell your instructor.");
		} else if (!a || json_is_null(a)) {
			say(&r, "No answer.");
		} else {
			switch (q->kind) {
			case Q_TEXT: grade_text(q, a, &r, &rr); break;
			case Q_NUMBER: grade_number(q, a, &r); break;
			case Q_CHOICE: grade_choice(q, a, shownp, &r); break;
			case Q_FIELD: grade_field(q, a, &r); break;
			default: grade_order(q, a, &r); break;
			}
			if (!r.correct && (q->kind == Q_TEXT || q->kind == Q_NUMBER)) {
				const char *m = listed_mistake(q, a, &rr);
				uint32_t fr;
				const struct tq_field *f;
				if (m) {
					say(&r, m);
				} else if (cap && fb_find_source(ex, cap, &own, a, q->kind == Q_NUMBER, q->norm, &fr, &f)) {
					char line[400];
					snprintf(line, sizeof(line), "That is %s (%s) of frame %u.", tq_field_name(f), tq_field_abbrev(f), fr);
					say(&r, line);
				}
			}
		}
		if (r.correct && q->kind != Q_FIELD)
			r.score = q->points;
		say(&r, fb_text(q, r.correct ? "right" : "wrong"));
		score += r.score;
		json_t *o = json_pack("{s:s,s:b,s:f,s:f,s:s}", "id", q->id, "correct", r.correct, "score", r.score, "max",
		    q->points, "feedback", r.fb.s ? r.fb.s : "");
		tq_sbuf_free(&r.fb);
		if (!o) {
			json_decref(qs);
			qs = NULL;
			break;
		}
		json_array_append_new(qs, o);
	}
	gr_regex_run_free(&rr);
	fb_free(own.ix);
	json_t *res = qs ? json_pack("{s:f,s:f,s:o}", "score", score, "max", max, "questions", qs) : NULL;
	if (!res)
		snprintf(err, errlen, "out of memory");
	return res;
}

/* ------------------------------------------------------------------ choices shown */

uint64_t
tq_splitmix64(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ull);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

size_t
tq_exercise_pick_choices(const struct tq_exercise *ex, size_t question, uint64_t seed, size_t *idx, size_t cap)
{
	if (question >= ex->nq)
		return 0;
	const struct question *q = &ex->q[question];
	size_t n = q->nchoices, want = q->limit && q->limit < n ? q->limit : n;
	if (want > cap)
		want = cap;
	int take[TQ_EX_MAX_CHOICES] = { 0 };
	uint64_t s = seed ^ (0x51ed270b27a3c9d1ull * (question + 1));
	size_t got = 0;
	if (want < n) {
		/* one valid choice first, then others at random */
		size_t nvalid = 0;
		for (size_t c = 0; c < n; c++)
			nvalid += q->choice_valid[c] == 1;
		if (nvalid) {
			size_t pick = (size_t)(tq_splitmix64(&s) % nvalid);
			for (size_t c = 0; c < n; c++)
				if (q->choice_valid[c] == 1 && pick-- == 0) {
					take[c] = 1;
					got++;
					break;
				}
		}
		while (got < want) {
			size_t c = (size_t)(tq_splitmix64(&s) % n);
			if (!take[c]) {
				take[c] = 1;
				got++;
			}
		}
	} else {
		for (size_t c = 0; c < want; c++)
			take[c] = 1;
	}
	size_t k = 0;
	for (size_t c = 0; c < n && k < want; c++)
		if (take[c])
			idx[k++] = c;
	return k;
}
