/*
 * api_results.c - an exercise's results for its teachers: statistics per
 * question (success rate, the most common wrong answers) and the
 * submissions as CSV.
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "server.h"

struct stats {
	json_t *questions;           /* id -> {answered, correct, wrong: {answer: count}} */
	json_t *students;            /* name -> best score */
	size_t n;
};

static int
stats_one(void *arg, const struct tq_subrow *row)
{
	struct stats *s = arg;
	s->n++;
	json_t *res = json_loads(row->result ? row->result : "null", 0, NULL);
	json_t *ans = json_loads(row->answers ? row->answers : "null", 0, NULL);
	json_t *best = json_object_get(s->students, row->student ? row->student : "");
	if (!best || json_real_value(best) < row->score)
		json_object_set_new(s->students, row->student ? row->student : "", json_real(row->score));
	size_t i;
	json_t *qr;
	json_array_foreach(json_object_get(res, "questions"), i, qr) {
		const char *id = json_string_value(json_object_get(qr, "id"));
		json_t *qs = id ? json_object_get(s->questions, id) : NULL;
		json_t *a = id ? json_object_get(ans, id) : NULL;
		if (!qs || !a)
			continue;
		json_object_set_new(qs, "answered", json_integer(json_integer_value(json_object_get(qs, "answered")) + 1));
		if (json_is_true(json_object_get(qr, "correct"))) {
			json_object_set_new(qs, "correct", json_integer(json_integer_value(json_object_get(qs, "correct")) + 1));
			continue;
		}
		char *text = json_is_string(a) ? strdup(json_string_value(a)) : json_dumps(a, JSON_COMPACT | JSON_ENCODE_ANY);
		if (text) {
			json_t *w = json_object_get(qs, "wrong");
			if (json_object_size(w) < 10000 || json_object_get(w, text))
				json_object_set_new(w, text, json_integer(json_integer_value(json_object_get(w, text)) + 1));
			free(text);
		}
	}
	json_decref(res);
	json_decref(ans);
	return 0;
}

static int
by_count(const void *x, const void *y)
{
	json_int_t a = json_integer_value(json_object_get(*(json_t *const *)x, "count"));
	json_int_t b = json_integer_value(json_object_get(*(json_t *const *)y, "count"));
	if (a != b)
		return a < b ? 1 : -1;
	return strcmp(json_string_value(json_object_get(*(json_t *const *)x, "answer")),
	    json_string_value(json_object_get(*(json_t *const *)y, "answer")));
}

/* GET .../stats: per question, how many answered, the success rate and the most common wrong answers. */
void
exercise_stats(struct app *a, const struct loaded *l, struct reply *r)
{
	struct stats s = { json_object(), json_object(), 0 };
	const json_t *doc = tq_exercise_doc(l->ex);
	size_t i;
	json_t *q;
	json_array_foreach(json_object_get(doc, "questions"), i, q)
		json_object_set_new(s.questions, json_string_value(json_object_get(q, "id")),
		    json_pack("{s:i,s:i,s:o}", "answered", 0, "correct", 0, "wrong", json_object()));
	if (tq_store_submissions(app_store(a), l->id, -1, stats_one, &s) != 0) {
		json_decref(s.questions);
		json_decref(s.students);
		reply_db_error(r, app_store(a));
		return;
	}
	json_t *out = json_array();
	json_array_foreach(json_object_get(doc, "questions"), i, q) {
		const char *id = json_string_value(json_object_get(q, "id"));
		json_t *qs = json_object_get(s.questions, id);
		json_int_t answered = json_integer_value(json_object_get(qs, "answered"));
		json_int_t correct = json_integer_value(json_object_get(qs, "correct"));
		size_t nw = json_object_size(json_object_get(qs, "wrong"));
		json_t **w = calloc(nw ? nw : 1, sizeof(*w));
		size_t k = 0;
		const char *ans;
		json_t *cnt;
		json_object_foreach(json_object_get(qs, "wrong"), ans, cnt)
			if (w)
				w[k++] = json_pack("{s:s,s:O}", "answer", ans, "count", cnt);
		if (w)
			qsort(w, k, sizeof(*w), by_count);
		json_t *top = json_array();
		for (size_t j = 0; j < k; j++) {
			if (j < 5)
				json_array_append(top, w[j]);
			json_decref(w[j]);
		}
		free(w);
		json_array_append_new(out, json_pack("{s:s,s:I,s:I,s:f,s:o}", "id", id, "answered", answered, "correct", correct,
		    "success_rate", answered ? (double)correct / (double)answered : 0.0, "common_wrong", top));
	}
	double sum = 0;
	const char *name;
	json_t *best;
	json_object_foreach(s.students, name, best)
		sum += json_real_value(best);
	size_t ns = json_object_size(s.students);
	reply_json(r, 200, json_pack("{s:s,s:I,s:I,s:f,s:o}", "slug", l->slug, "submissions", (json_int_t)s.n, "students",
	    (json_int_t)ns, "mean_best_score", ns ? sum / (double)ns : 0.0, "questions", out));
	json_decref(s.questions);
	json_decref(s.students);
}

void
csv_cell(struct tq_sbuf *b, const char *s)
{
	int formula = *s && strchr("=+-@\t\r", s[0]) != NULL;
	if (!formula && !strpbrk(s, ",\"\r\n")) {
		tq_sbuf_puts(b, s);
		return;
	}
	tq_sbuf_putc(b, '"');
	if (formula)
		tq_sbuf_putc(b, '\'');
	for (; *s; s++) {
		if (*s == '"')
			tq_sbuf_putc(b, '"');
		tq_sbuf_putc(b, *s);
	}
	tq_sbuf_putc(b, '"');
}

struct csv {
	struct tq_sbuf *b;
	const json_t *questions;
};

static int
csv_one(void *arg, const struct tq_subrow *row)
{
	struct csv *cv = arg;
	char num[64];
	snprintf(num, sizeof(num), "%lld,", (long long)row->id);
	tq_sbuf_puts(cv->b, num);
	csv_cell(cv->b, row->student ? row->student : "");
	time_t t = (time_t)row->created;
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(num, sizeof(num), ",%Y-%m-%dT%H:%M:%SZ", &tm);
	tq_sbuf_puts(cv->b, num);
	snprintf(num, sizeof(num), ",%g,%g,%lld", row->score, row->max, (long long)row->key_version);
	tq_sbuf_puts(cv->b, num);
	json_t *ans = json_loads(row->answers ? row->answers : "null", 0, NULL);
	json_t *res = json_loads(row->result ? row->result : "null", 0, NULL);
	size_t i;
	json_t *q;
	json_array_foreach(cv->questions, i, q) {
		const char *id = json_string_value(json_object_get(q, "id"));
		json_t *a = json_object_get(ans, id);
		char *text = !a ? strdup("") : json_is_string(a) ? strdup(json_string_value(a)) :
		    json_dumps(a, JSON_COMPACT | JSON_ENCODE_ANY);
		tq_sbuf_putc(cv->b, ',');
		csv_cell(cv->b, text ? text : "");
		free(text);
		const char *ok = "";
		size_t k;
		json_t *qr;
		json_array_foreach(json_object_get(res, "questions"), k, qr)
			if (!strcmp(json_string_value(json_object_get(qr, "id")) ? json_string_value(json_object_get(qr, "id")) : "", id))
				ok = json_is_true(json_object_get(qr, "correct")) ? "1" : "0";
		tq_sbuf_putc(cv->b, ',');
		tq_sbuf_puts(cv->b, ok);
	}
	tq_sbuf_puts(cv->b, "\r\n");
	json_decref(ans);
	json_decref(res);
	return cv->b->err != 0;
}

/* GET .../submissions.csv: one line per submission, an answer and a 1/0 column per question (RFC 4180). */
void
exercise_csv(struct app *a, const struct loaded *l, struct reply *r)
{
	struct tq_sbuf b;
	tq_sbuf_init(&b, 256u << 20);
	const json_t *qs = json_object_get(tq_exercise_doc(l->ex), "questions");
	tq_sbuf_puts(&b, "id,student,time,score,max,key version");
	size_t i;
	json_t *q;
	json_array_foreach(qs, i, q) {
		const char *id = json_string_value(json_object_get(q, "id"));
		char col[160];
		tq_sbuf_putc(&b, ',');
		csv_cell(&b, id);
		snprintf(col, sizeof(col), "%s correct", id);
		tq_sbuf_putc(&b, ',');
		csv_cell(&b, col);
	}
	tq_sbuf_puts(&b, "\r\n");
	struct csv cv = { &b, qs };
	if (tq_store_submissions(app_store(a), l->id, -1, csv_one, &cv) != 0 || b.err) {
		tq_sbuf_free(&b);
		reply_db_error(r, app_store(a));
		return;
	}
	r->status = 200;
	r->rawlen = b.len;
	r->raw = b.s;                /* handed over: the reply frees it */
	r->ctype = "text/csv; charset=utf-8";
	snprintf(r->disposition, sizeof(r->disposition), "attachment; filename=\"%s-submissions.csv\"", l->slug);
}
