/*
 * api_submissions.c - answers graded and stored: a student's submission
 * (graded, counted and stored in one transaction, then answered), the
 * submissions listed, every submission graded again on new keys, and the
 * auto-grader's endpoint (POST /api/v1/grade).
 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "lti.h"
#include "server.h"

struct sublist {
	json_t *list;
	int staff;
};

static int
sub_one(void *arg, const struct tq_subrow *row)
{
	struct sublist *sl = arg;
	json_t *res = json_loads(row->result ? row->result : "null", 0, NULL);
	json_t *ans = json_loads(row->answers ? row->answers : "null", 0, NULL);
	json_t *o = json_pack("{s:I,s:s,s:f,s:f,s:I,s:I,s:o*,s:o*}", "id", (json_int_t)row->id, "student",
	    row->student ? row->student : "", "score", row->score, "max", row->max, "created", (json_int_t)row->created,
	    "key_version", (json_int_t)row->key_version, "answers", ans, "result", res);
	json_t *hist = row->regrades ? json_loads(row->regrades, 0, NULL) : NULL;
	if (hist)
		json_object_set_new(o, "regrades", hist);
	json_array_append_new(sl->list, o);
	return json_array_size(sl->list) >= 10000;
}

void
submissions_list(struct app *a, const struct loaded *l, const struct tq_user *u, int staff, struct reply *r)
{
	/* a student sees their own; the course's instructors see all */
	struct sublist sl = { json_array(), staff };
	if (tq_store_submissions(app_store(a), l->id, staff ? -1 : u->id, sub_one, &sl) != 0) {
		json_decref(sl.list);
		reply_error(r, 503, "the database failed; try again");
	} else {
		reply_json(r, 200, json_pack("{s:o}", "submissions", sl.list));
	}
}

/* The key of an auto-grader's student for tq_store_begin_for: a hash of course and id, negative
 * (apart from the accounts' ids, the keys of their submissions). */
static int64_t
student_key(int64_t course_id, const char *student)
{
	uint64_t h = 14695981039346656037ull ^ (uint64_t)course_id;   /* FNV-1a */
	for (const unsigned char *p = (const unsigned char *)student; *p; p++)
		h = (h ^ *p) * 1099511628211ull;
	return -(int64_t)(h >> 1) - 1;
}

/*
 * Grades answers and stores them, one transaction: the submission is
 * committed before its grade is sent.  A student's submissions are counted
 * in it too (opts.submit_per_minute, the exercise's attempts), so two at
 * once cannot both pass the limit.  The student is the account user_id, or
 * (external not NULL) an auto-grader's student of the exercise's course,
 * made and enrolled on first use in the same transaction.  0 with *res (the
 * grade, with its id) and r untouched; -1 with r set.
 */
static int
grade_and_store(struct app *a, struct loaded *l, int64_t user_id, const char *external, const json_t *answers,
    const json_t *graded, const struct tq_grade_opts *opts, int limits, json_t **res, struct reply *r)
{
	char err[600];
	*res = tq_exercise_grade(l->ex, l->cap, graded, opts, err, sizeof(err));
	if (!*res) {
		reply_error(r, strstr(err, "too long") || strstr(err, "too large") ? 413 : 400, "answers: %s", err);
		return -1;
	}
	struct tq_store *st = app_store(a);
	char *ans = json_dumps(answers, JSON_COMPACT), *rs = json_dumps(*res, JSON_COMPACT);
	int64_t id = 0, total = 0, recent = 0;
	size_t max_attempts = tq_exercise_attempts(l->ex);
	char course_slug[128];
	int rc = ans && rs && st ? 0 : TQ_STORE_ERROR;
	if (rc == 0 && external)
		rc = tq_store_course_slug(st, l->course_id, course_slug, sizeof(course_slug));
	/* the attempts counted and the submission stored are the student's alone: only its own writers wait */
	if (rc == 0)
		rc = tq_store_begin_for(st, external ? student_key(l->course_id, external) : user_id);
	if (rc == 0 && external && (rc = tq_store_external_user(st, l->course_id, course_slug, external, &user_id)) == 0)
		rc = tq_store_enrol(st, l->course_id, user_id);
	if (rc == 0 && limits)
		rc = tq_store_attempts(st, l->id, user_id, (int64_t)time(NULL) - 60, &total, &recent);
	if (rc == 0 && limits && recent >= a->o.submit_per_minute) {
		reply_error(r, 429, "you submitted %lld times in the last minute: wait a minute before the next", (long long)recent);
		r->retry_after = 60;
		rc = 1;
	} else if (rc == 0 && limits && max_attempts && (size_t)total >= max_attempts) {
		reply_error(r, 403, "you have used your %zu attempts at this exercise", max_attempts);
		rc = 1;
	}
	if (rc == 0)
		rc = tq_store_submission_add(st, l->id, user_id, ans, json_number_value(json_object_get(*res, "score")),
		    json_number_value(json_object_get(*res, "max")), rs, l->key_version, &id);
	/* a student who came from an LMS: their best goes to its grade column, queued with the submission */
	int64_t queued = 0;
	if (rc == 0 && !external)
		rc = tq_store_lti_score_queue(st, l->id, user_id, &queued);
	if (rc == 0)
		rc = tq_store_commit(st);
	if (rc == 0 && queued)
		lti_grades_wake(a);
	if (rc && st)
		tq_store_rollback(st);
	if (rc < 0)
		reply_error(r, 503, "the submission could not be stored (%s); nothing was kept, try again",
		    st ? tq_store_error(st) : "no database");
	free(ans);
	free(rs);
	if (rc) {
		json_decref(*res);
		*res = NULL;
		return -1;
	}
	json_object_set_new(*res, "id", json_integer(id));
	json_object_set_new(*res, "key_version", json_integer(l->key_version));
	if (limits && max_attempts)
		json_object_set_new(*res, "attempts_left", json_integer((json_int_t)(max_attempts - (size_t)total - 1)));
	return 0;
}

/*
 * A student's answers as they are graded (a new copy): an order answer lists
 * places, graded as the frames dealt there.  Submissions are stored as given,
 * so the student's history does not tell them the deal.
 */
static json_t *
as_graded(const struct loaded *l, int64_t user, const json_t *answers)
{
	struct shuffle sh;
	shuffle_for(l, user, &sh);
	json_t *graded = json_deep_copy(answers);
	size_t i;
	json_t *qn;
	json_array_foreach(json_object_get(tq_exercise_doc(l->ex), "questions"), i, qn) {
		const char *id = json_string_value(json_object_get(qn, "id"));
		json_t *ans = id ? json_object_get(graded, id) : NULL;
		size_t k;
		json_t *v;
		if (!sh.n || !json_is_array(ans) || !question_is(qn, "order"))
			continue;
		json_array_foreach(ans, k, v)
			if (json_is_integer(v) && json_integer_value(v) > 0 && json_integer_value(v) <= UINT32_MAX)
				json_array_set_new(ans, k, json_integer(shuffled(&sh, (uint32_t)json_integer_value(v), NULL)));
	}
	return graded;
}

void
submit(struct app *a, struct loaded *l, const struct tq_user *u, const struct req *q, struct reply *r)
{
	json_t *body = parse_body(q, r);
	if (!body)
		return;
	json_t *answers = json_object_get(body, "answers");
	if (!json_is_object(answers) || json_object_size(body) != 1) {
		reply_error(r, 400, "the body is {\"answers\": {question id: answer, ...}}");
		json_decref(body);
		return;
	}
	json_t *graded = as_graded(l, u->id, answers);
	/* graded against the choices the student was shown */
	struct tq_grade_opts opts = { .choice_seed = choice_seed(l, u->id), .limit_choices = 1 };
	json_t *res;
	if (grade_and_store(a, l, u->id, NULL, answers, graded, &opts, 1, &res, r) == 0)
		reply_json(r, 201, res);
	json_decref(graded);
	json_decref(body);
}

/* ------------------------------------------------------------------ regrading */

struct regrade_sub {
	struct tq_regrade_row row;   /* answers owned */
	json_t *res;                 /* the new grade, NULL when it could not be made */
};

struct regrade_list {
	struct regrade_sub *v;
	size_t n, cap;
	int nomem;
};

static int
regrade_take(void *arg, const struct tq_regrade_row *row)
{
	struct regrade_list *rl = arg;
	if (rl->n == rl->cap) {
		size_t nc = rl->cap ? rl->cap * 2 : 64;
		struct regrade_sub *v = realloc(rl->v, nc * sizeof(*v));
		if (!v) {
			rl->nomem = 1;
			return 1;
		}
		rl->v = v;
		rl->cap = nc;
	}
	struct regrade_sub *s = &rl->v[rl->n];
	s->row = *row;
	s->res = NULL;
	if (!(s->row.answers = strdup(row->answers ? row->answers : "{}"))) {
		rl->nomem = 1;
		return 1;
	}
	rl->n++;
	return 0;
}

/*
 * A stored submission graded again on l's keys, as it was graded when it was
 * made: a student's against their deal, an auto-grader's as given.  Answers
 * to a question the exercise no longer has are left out.  NULL when it cannot
 * be graded (its answers are damaged).
 */
static json_t *
regrade_one(const struct loaded *l, const struct tq_regrade_row *row)
{
	json_t *given = json_loads(row->answers, 0, NULL), *kept = json_object();
	size_t i;
	json_t *qn;
	json_array_foreach(json_object_get(tq_exercise_doc(l->ex), "questions"), i, qn) {
		const char *id = json_string_value(json_object_get(qn, "id"));
		json_t *v = id ? json_object_get(given, id) : NULL;
		if (v)
			json_object_set(kept, id, v);
	}
	char err[600];
	json_t *res;
	if (row->external) {
		res = tq_exercise_grade(l->ex, l->cap, kept, NULL, err, sizeof(err));
	} else {
		json_t *graded = as_graded(l, row->user_id, kept);
		struct tq_grade_opts opts = { .choice_seed = choice_seed(l, row->user_id), .limit_choices = 1 };
		res = tq_exercise_grade(l->ex, l->cap, graded, &opts, err, sizeof(err));
		json_decref(graded);
	}
	json_decref(given);
	json_decref(kept);
	return res;
}

/*
 * POST .../regrade: every submission graded again against the exercise's
 * current keys, in one transaction.  One whose score or key version changes
 * gets the new grade and a line of history (who, when, old and new); the
 * others are left as they are.  Replies with the counts.
 */
void
regrade(struct app *a, const struct loaded *l, const struct tq_user *u, struct reply *r)
{
	struct tq_store *st = app_store(a);
	struct regrade_list rl = { 0 };
	if (!st || tq_store_regrade_list(st, l->id, regrade_take, &rl) != 0 || rl.nomem) {
		reply_error(r, 503, rl.nomem ? "out of memory" : "the database failed; try again");
		goto out;
	}
	size_t changed = 0, scores = 0, failed = 0;
	for (size_t i = 0; i < rl.n; i++)
		if (!(rl.v[i].res = regrade_one(l, &rl.v[i].row)))
			failed++;
	int rc = tq_store_begin(st);
	for (size_t i = 0; rc == 0 && i < rl.n; i++) {
		struct regrade_sub *s = &rl.v[i];
		if (!s->res)
			continue;
		double score = json_number_value(json_object_get(s->res, "score"));
		double max = json_number_value(json_object_get(s->res, "max"));
		if (score == s->row.score && max == s->row.max && s->row.key_version == l->key_version)
			continue;
		char *text = json_dumps(s->res, JSON_COMPACT);
		rc = text ? tq_store_regrade_set(st, &s->row, score, max, text, l->key_version, u->id) : TQ_STORE_ERROR;
		free(text);
		changed++;
		scores += score != s->row.score || max != s->row.max;
	}
	if (rc == 0)
		rc = tq_store_commit(st);
	if (rc) {
		tq_store_rollback(st);
		reply_error(r, 503, "the regrade could not be stored (%s); no score was changed, try again", tq_store_error(st));
		goto out;
	}
	reply_json(r, 200, json_pack("{s:s,s:I,s:I,s:I,s:I,s:I,s:I}", "exercise", l->slug, "key_version",
	    (json_int_t)l->key_version, "submissions", (json_int_t)rl.n, "regraded", (json_int_t)changed, "scores_changed",
	    (json_int_t)scores, "unchanged", (json_int_t)(rl.n - changed - failed), "failed", (json_int_t)failed));
out:
	for (size_t i = 0; i < rl.n; i++) {
		free((char *)rl.v[i].row.answers);
		json_decref(rl.v[i].res);
	}
	free(rl.v);
}

/* ------------------------------------------------------------------ the auto-grader */

static int
has_control(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return 1;
	return 0;
}

/*
 * POST /api/v1/grade {"exercise", "student", "answers"}: an auto-grader's
 * submission for one of its students.  The student is an external id in the
 * namespace of the exercise's course (never a local account), made and
 * enrolled on first use.  A token limited to some courses or exercises grades
 * those only.  The grade is stored before it is sent.
 */
void
route_grade(struct app *a, struct MHD_Connection *c, const char *method, const char *path, struct req *q,
    struct reply *r)
{
	(void)c, (void)method, (void)path;
	json_t *body = parse_body(q, r);
	if (!body)
		return;
	struct loaded *l = NULL;
	const char *slug = json_string_value(json_object_get(body, "exercise"));
	const char *student = json_string_value(json_object_get(body, "student"));
	json_t *answers = json_object_get(body, "answers");
	const char *k;
	json_t *v;
	json_object_foreach(body, k, v)
		if (strcmp(k, "exercise") && strcmp(k, "student") && strcmp(k, "answers")) {
			reply_error(r, 400, "unknown key '%.60s' (the keys are exercise, student and answers)", k);
			goto out;
		}
	if (!slug || !*slug || strlen(slug) > 100) {
		reply_error(r, 400, "exercise: expected the exercise's slug as text");
		goto out;
	}
	if (!student || !*student || strlen(student) > 100 || has_control(student)) {
		reply_error(r, 400, "student: expected the student's id as text (1 to 100 characters, no control characters)");
		goto out;
	}
	if (!json_is_object(answers)) {
		reply_error(r, 400, "answers: expected an object from question id to answer");
		goto out;
	}
	struct tq_store *st = app_store(a);
	struct tq_exmeta m;
	if (exercise_meta(a, slug, &m, r) != 0)
		goto out;
	int allowed = may_manage(st, &q->user, m.course_id);
	if (allowed == 1 && q->token.limited)
		allowed = tq_store_token_granted(st, q->token.id, m.course_id, m.id);
	if (allowed < 0) {
		reply_error(r, 503, "the database failed; try again");
		goto out;
	}
	if (!allowed) {
		reply_error(r, 403, q->token.limited ? "this token may not grade '%.100s'" :
		    "your account does not teach the course of '%.100s'", slug);
		goto out;
	}
	/* loading the exercise is heavy work: done on the heavy pool */
	if (!q->on_pool && !app_exercise_ready(a, slug)) {
		q->defer = 1;
		goto out;
	}
	char err[600];
	unsigned status;
	if (!(l = app_exercise(a, slug, &m, &status, err, sizeof(err)))) {
		reply_error(r, status == 404 ? 404 : 503, "%s", err);
		goto out;
	}
	json_t *res;
	if (grade_and_store(a, l, 0, student, answers, answers, NULL, 0, &res, r) == 0) {
		json_object_del(res, "id");
		reply_json(r, 200, res);
	}
out:
	app_release(l);
	json_decref(body);
}
