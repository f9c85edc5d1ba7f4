/*
 * grade.c - grading answers against an exercise's computed keys, with feedback.
 *
 * Feedback comes, in this order, from: the choice picked; an expected wrong
 * answer the instructor listed (feedback.answers); the field of a field
 * question that is wrong (feedback.fields); and, for a wrong text or number
 * that is no listed mistake, the trace itself: when the answer is the value
 * of some other field, the student is told which ("That is Acknowledgment
 * Number (tcp.ack) of frame 5.").  Then feedback.right or feedback.wrong.
 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "exercise_int.h"

/* Frames searched for the field a wrong answer came from. */
#define AUTO_FEEDBACK_FRAMES 5000

/* ------------------------------------------------------------------ normalizing */

static int
is_space(int c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v';
}

/* An integer in any base: 6, 0x06, 0X6, 0b110, 0o6, 06, -3. */
static int
any_base_int(const char *s, long long *out)
{
	while (is_space((unsigned char)*s))
		s++;
	int neg = 0;
	if (*s == '-' || *s == '+')
		neg = *s++ == '-';
	int base = 10;
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		base = 16, s += 2;
	else if (s[0] == '0' && (s[1] == 'b' || s[1] == 'B'))
		base = 2, s += 2;
	else if (s[0] == '0' && (s[1] == 'o' || s[1] == 'O'))
		base = 8, s += 2;
	if (!*s)
		return -1;
	char *end;
	errno = 0;
	unsigned long long v = strtoull(s, &end, base);
	while (is_space((unsigned char)*end))
		end++;
	if (errno || *end || (s[0] == '-') || v > (unsigned long long)LLONG_MAX)
		return -1;
	*out = neg ? -(long long)v : (long long)v;
	return 0;
}

/* The text of an answer or a key, normalized as the question says. */
static void
normalize(const char *s, size_t n, unsigned norm, struct tq_sbuf *out)
{
	tq_sbuf_reset(out);
	if (norm & N_TRIM) {
		while (n && is_space((unsigned char)*s))
			s++, n--;
		while (n && is_space((unsigned char)s[n - 1]))
			n--;
	}
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if ((norm & N_SPACE) && is_space((unsigned char)c)) {
			while (i + 1 < n && is_space((unsigned char)s[i + 1]))
				i++;
			c = ' ';
		}
		if ((norm & N_CASE) && c >= 'A' && c <= 'Z')
			c = (char)(c - 'A' + 'a');
		tq_sbuf_putc(out, c);
	}
	if (out->err)
		return;
	if ((norm & N_DOT) && out->len > 1 && out->s[out->len - 1] == '.' && out->s[out->len - 2] != '.') {
		out->s[--out->len] = '\0';
	}
	if ((norm & N_IPV6) && out->len && out->len < 64 && strchr(out->s, ':')) {
		unsigned char a[16];
		char buf[64];
		if (inet_pton(AF_INET6, out->s, a) == 1 && inet_ntop(AF_INET6, a, buf, sizeof(buf))) {
			tq_sbuf_reset(out);
			tq_sbuf_puts(out, buf);
		}
	}
	if ((norm & N_INT) && out->len) {
		long long v;
		if (any_base_int(out->s, &v) == 0) {
			tq_sbuf_reset(out);
			tq_sbuf_printf(out, "%lld", v);
		}
	}
}

/* A JSON scalar as text: strings as they are, numbers written out. */
static int
json_text(const json_t *j, struct tq_sbuf *out)
{
	tq_sbuf_reset(out);
	if (json_is_string(j))
		tq_sbuf_put(out, json_string_value(j), json_string_length(j));
	else if (json_is_integer(j))
		tq_sbuf_printf(out, "%" JSON_INTEGER_FORMAT, json_integer_value(j));
	else if (json_is_real(j))
		tq_sbuf_printf(out, "%.15g", json_real_value(j));
	else if (json_is_boolean(j))
		tq_sbuf_puts(out, json_is_true(j) ? "true" : "false");
	else
		return -1;
	return out->err ? -1 : 0;
}

static int
same_text(const json_t *a, const json_t *b, unsigned norm)
{
	struct tq_sbuf x, y, nx, ny;
	tq_sbuf_init(&x, 1 << 20);
	tq_sbuf_init(&y, 1 << 20);
	tq_sbuf_init(&nx, 1 << 20);
	tq_sbuf_init(&ny, 1 << 20);
	int r = 0;
	if (json_text(a, &x) == 0 && json_text(b, &y) == 0) {
		normalize(x.s ? x.s : "", x.len, norm, &nx);
		normalize(y.s ? y.s : "", y.len, norm, &ny);
		r = !nx.err && !ny.err && nx.len == ny.len && (!nx.len || !memcmp(nx.s, ny.s, nx.len));
	}
	tq_sbuf_free(&x);
	tq_sbuf_free(&y);
	tq_sbuf_free(&nx);
	tq_sbuf_free(&ny);
	return r;
}

static int
regex_hit(pcre2_code *re, const char *s, size_t n)
{
	pcre2_match_data *md = pcre2_match_data_create(1, NULL);
	pcre2_match_context *mc = pcre2_match_context_create(NULL);
	int hit = 0;
	if (md && mc) {
		pcre2_set_match_limit(mc, 1000000);
		pcre2_set_depth_limit(mc, 10000);
		hit = pcre2_match(re, (PCRE2_SPTR)s, n, 0, 0, md, mc) >= 0;
	}
	pcre2_match_data_free(md);
	pcre2_match_context_free(mc);
	return hit;
}

/* A number from an answer: a JSON number, or text holding one (any base for integers). */
static int
answer_number(const json_t *a, double *out)
{
	if (json_is_number(a)) {
		*out = json_number_value(a);
		return 0;
	}
	if (!json_is_string(a))
		return -1;
	long long v;
	if (any_base_int(json_string_value(a), &v) == 0) {
		*out = (double)v;
		return 0;
	}
	char *end;
	const char *s = json_string_value(a);
	errno = 0;
	double d = strtod(s, &end);
	while (is_space((unsigned char)*end))
		end++;
	if (end == s || *end || errno || !isfinite(d))
		return -1;
	*out = d;
	return 0;
}

/* ------------------------------------------------------------------ automatic feedback */

struct autofind {
	const json_t *answer;
	int numeric;
	double num;
	unsigned norm;
	struct tq_sbuf show, na, ns;
	uint32_t frame;
	const struct tq_field *found;
};

static int
value_matches(struct autofind *af, const struct tq_node *n)
{
	tq_sbuf_reset(&af->show);
	tq_node_value_show(n, &af->show);
	if (af->show.err || !af->show.len)
		return 0;
	if (af->numeric) {
		long long v;
		return any_base_int(af->show.s, &v) == 0 && (double)v == af->num;
	}
	normalize(af->show.s, af->show.len, af->norm | N_CASE | N_TRIM, &af->ns);
	return af->ns.len == af->na.len && !memcmp(af->ns.s, af->na.s, af->na.len);
}

static int
walk_find(struct autofind *af, const struct tq_node *n, int depth)
{
	for (const struct tq_node *c = tq_node_child(n); c; c = tq_node_next(c)) {
		const struct tq_field *f = tq_node_field(c);
		if (f && tq_field_has_value(f) && !tq_node_is_hidden(c) && value_matches(af, c)) {
			af->found = f;
			return 1;
		}
		if (depth < 64 && walk_find(af, c, depth + 1))
			return 1;
	}
	return 0;
}

/* Which field of which frame holds this wrong answer, if any is distinctive enough to say. */
static int
find_source(struct tq_capture *cap, const json_t *answer, int numeric, unsigned norm, uint32_t *frame,
    const struct tq_field **field)
{
	struct autofind af = { .answer = answer, .numeric = numeric, .norm = norm };
	if (numeric) {
		if (answer_number(answer, &af.num) || af.num != floor(af.num) || fabs(af.num) < 100)
			return 0;    /* small numbers are everywhere: saying where would mislead */
	}
	tq_sbuf_init(&af.show, 1 << 16);
	tq_sbuf_init(&af.na, 1 << 16);
	tq_sbuf_init(&af.ns, 1 << 16);
	struct tq_sbuf raw;
	tq_sbuf_init(&raw, 1 << 16);
	int found = 0;
	if (!numeric) {
		if (json_text(answer, &raw) || raw.len > 1000)
			goto out;
		normalize(raw.s ? raw.s : "", raw.len, norm | N_CASE | N_TRIM, &af.na);
		if (af.na.len < 4)
			goto out;
	}
	uint32_t n = tq_capture_count(cap);
	if (n > AUTO_FEEDBACK_FRAMES)
		n = AUTO_FEEDBACK_FRAMES;
	for (uint32_t i = 1; i <= n && !found; i++) {
		int e;
		struct tq_tree *t = tq_dissect_ex(cap, i, TQ_DISSECT_VALUES | TQ_DISSECT_DISPLAY, &e);
		if (!t)
			break;
		if (walk_find(&af, tq_tree_root(t), 0)) {
			*frame = i;
			*field = af.found;
			found = 1;
		}
		tq_tree_free(t);
	}
out:
	tq_sbuf_free(&af.show);
	tq_sbuf_free(&af.na);
	tq_sbuf_free(&af.ns);
	tq_sbuf_free(&raw);
	return found;
}

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
listed_mistake(const struct question *q, const json_t *answer)
{
	json_t *ans = json_object_get(json_object_get(q->q, "feedback"), "answers");
	struct tq_sbuf t;
	tq_sbuf_init(&t, 1 << 20);
	const char *hit = NULL;
	for (size_t i = 0; i < json_array_size(ans) && !hit; i++) {
		json_t *a = json_array_get(ans, i);
		if (q->wrong_re[i]) {
			if (json_text(answer, &t) == 0 && regex_hit(q->wrong_re[i], t.s ? t.s : "", t.len))
				hit = json_string_value(json_object_get(a, "feedback"));
		} else {
			json_t *lit = json_object_get(a, "answer");
			double x, y;
			if (q->kind == Q_NUMBER ? (answer_number(answer, &x) == 0 && answer_number(lit, &y) == 0 && x == y) :
			    same_text(answer, lit, q->norm | N_TRIM))
				hit = json_string_value(json_object_get(a, "feedback"));
		}
	}
	tq_sbuf_free(&t);
	return hit;
}

static void
grade_text(const struct question *q, const json_t *a, struct result *r)
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
				ok |= same_text(a, k, q->norm);
		} else {
			ok = same_text(a, q->key, q->norm);
		}
	}
	json_t *acc = json_object_get(q->q, "accept");
	for (size_t i = 0; i < json_array_size(acc) && !ok; i++)
		ok = same_text(a, json_array_get(acc, i), q->norm);
	if (!ok && q->match) {
		struct tq_sbuf t;
		tq_sbuf_init(&t, 1 << 20);
		if (json_text(a, &t) == 0) {
			const char *s = t.s ? t.s : "";
			size_t n = t.len;
			if (q->norm & N_TRIM) {
				while (n && is_space((unsigned char)*s))
					s++, n--;
				while (n && is_space((unsigned char)s[n - 1]))
					n--;
			}
			ok = regex_hit(q->match, s, n);
		}
		tq_sbuf_free(&t);
	}
	r->correct = ok;
}

static void
grade_number(const struct question *q, const json_t *a, struct result *r)
{
	double x, k;
	if (answer_number(a, &x)) {
		say(r, "The answer should be a number.");
		return;
	}
	if (answer_number(q->key, &k)) {
		say(r, "This question's key is not a number; tell your instructor.");
		return;
	}
	r->correct = fabs(x - k) <= q->tolerance + 1e-9 * fmax(1.0, fabs(k));
}

static void
grade_choice(const struct question *q, const json_t *a, struct result *r)
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
	int ok = 1;
	for (size_t c = 0; c < q->nchoices; c++) {
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
	if (json_text(given, &g) == 0) {
		long long x, y;
		const char *gs = g.s ? g.s : "";
		if (any_base_int(expected, &x) == 0 && any_base_int(gs, &y) == 0) {
			ok = x == y;
		} else {
			json_t *e = json_string(expected);
			ok = same_text(e, given, N_TRIM | N_CASE | N_SPACE | N_IPV6 | N_DOT);
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
		ok = answer_number(json_array_get(a, i), &x) == 0 && x == (double)json_integer_value(json_array_get(q->key, i));
	}
	r->correct = ok;
}

json_t *
tq_exercise_grade(const struct tq_exercise *ex, struct tq_capture *cap, const json_t *answers, char *err, size_t errlen)
{
	if (!json_is_object(answers)) {
		snprintf(err, errlen, "the answers must be a mapping from question id to answer");
		return NULL;
	}
	if (!ex->keys_ready) {
		snprintf(err, errlen, "the keys have not been computed");
		return NULL;
	}
	/* an answer to no question is a mistake worth saying */
	const char *k;
	json_t *v;
	json_object_foreach((json_t *)answers, k, v) {
		int known = 0;
		for (size_t i = 0; i < ex->nq && !known; i++)
			known = !strcmp(ex->q[i].id, k);
		if (!known) {
			snprintf(err, errlen, "there is no question '%.64s' in this exercise", k);
			return NULL;
		}
	}
	json_t *qs = json_array();
	double score = 0, max = 0;
	for (size_t i = 0; i < ex->nq; i++) {
		const struct question *q = &ex->q[i];
		struct result r = { 0 };
		tq_sbuf_init(&r.fb, 1 << 20);
		const json_t *a = json_object_get(answers, q->id);
		max += q->points;
		if (!q->key && q->kind != Q_CHOICE && !(q->kind == Q_TEXT && (q->match || json_object_get(q->q, "accept")))) {
			say(&r, "This question's key could not be computed on this trace; tell your instructor.");
		} else if (!a || json_is_null(a)) {
			say(&r, "No answer.");
		} else {
			switch (q->kind) {
			case Q_TEXT: grade_text(q, a, &r); break;
			case Q_NUMBER: grade_number(q, a, &r); break;
			case Q_CHOICE: grade_choice(q, a, &r); break;
			case Q_FIELD: grade_field(q, a, &r); break;
			default: grade_order(q, a, &r); break;
			}
			if (!r.correct && (q->kind == Q_TEXT || q->kind == Q_NUMBER)) {
				const char *m = listed_mistake(q, a);
				uint32_t fr;
				const struct tq_field *f;
				if (m) {
					say(&r, m);
				} else if (cap && find_source(cap, a, q->kind == Q_NUMBER, q->norm, &fr, &f)) {
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
			snprintf(err, errlen, "out of memory");
			return NULL;
		}
		json_array_append_new(qs, o);
	}
	return json_pack("{s:f,s:f,s:o}", "score", score, "max", max, "questions", qs);
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
