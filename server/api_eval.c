/*
 * api_eval.c - POST /api/v1/eval and /api/v1/suggest: an expression
 * evaluated on a trace an instructor works on (the key's live preview), and
 * key discovery for a literal answer.
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

/*
 * The trace an instructor works on: an uploaded capture they may use (sha),
 * or the capture of an exercise of a course they teach (slug); NULL with r
 * set when it is neither.
 */
static struct loaded *
staff_trace(struct app *a, const struct tq_user *u, const char *sha, const char *slug, struct reply *r)
{
	char err[600];
	struct loaded *l;
	if (sha) {
		struct tq_capmeta m;
		if (usable_capture(a, u, sha, &m, r) != 0)
			return NULL;
		if (!(l = app_trace(a, &m, err, sizeof(err))))
			reply_error(r, 503, "%s", err);
		return l;
	}
	int staff;
	if (!(l = exercise_open(a, u, slug, &staff, r)))
		return NULL;
	if (!staff) {
		reply_error(r, 403, "you do not teach the course of '%.100s'", slug);
		app_release(l);
		return NULL;
	}
	return l;
}

/* POST /api/v1/eval {"expr", "trace": SHA | "exercise": SLUG}: a key's live preview. */
void
api_eval(struct app *a, struct MHD_Connection *c, const char *method, const char *path, struct req *q,
    struct reply *r)
{
	const struct tq_user *u = &q->user;
	(void)c;
	(void)method;
	(void)path;
	json_t *body = parse_body(q, r);
	if (!body)
		return;
	const char *src = json_string_value(json_object_get(body, "expr"));
	const char *sha = json_string_value(json_object_get(body, "trace"));
	const char *slug = json_string_value(json_object_get(body, "exercise"));
	struct loaded *l = NULL;
	struct tq_expr *e = NULL;
	struct tq_findex *ix = NULL;
	char err[600];
	if (!src || (!sha == !slug)) {
		reply_error(r, 400, "the body is {\"expr\": EXPRESSION, \"trace\": SHA-256} or {\"expr\", \"exercise\": SLUG}");
		goto out;
	}
	if (!(l = staff_trace(a, u, sha, slug, r)))
		goto out;
	struct tq_expr_error ee;
	if (tq_expr_parse(src, &e, &ee) != 0) {
		reply_json(r, 422, json_pack("{s:s,s:i}", "error", ee.msg, "position", ee.pos));
		goto out;
	}
	/* the index of a whole trace: within the job's time and memory */
	struct tq_limits lim = job_limits(a);
	int rc = tq_findex_build(l->cap, &e, 1, &lim, &ix, err, sizeof(err));
	if (rc != 0) {
		reply_error(r, rc == TQ_ETIMEOUT || rc == TQ_ETOOBIG ? 422 : 503, "%s", err);
		goto out;
	}
	json_t *from = NULL;
	json_t *v = tq_expr_eval(ix, e, &from, &ee);
	if (v)
		reply_json(r, 200, json_pack("{s:o,s:o}", "value", v, "from", from ? from : json_array()));
	else
		reply_json(r, 422, json_pack("{s:s,s:i}", "error", ee.msg, "position", ee.pos));
out:
	tq_findex_free(ix);
	tq_expr_free(e);
	app_release(l);
	json_decref(body);
}

/*
 * POST /api/v1/suggest {"answer", "prompt"?, "max"?, "trace": SHA | "exercise": SLUG}:
 * key discovery, the expressions whose value on the trace is the answer
 * ({"suggestions": [{"expr", "value"}]}, best first; tracequiz suggest).
 */
void
api_suggest(struct app *a, struct MHD_Connection *c, const char *method, const char *path, struct req *q,
    struct reply *r)
{
	const struct tq_user *u = &q->user;
	(void)c;
	(void)method;
	(void)path;
	json_t *body = parse_body(q, r);
	if (!body)
		return;
	const json_t *ans = json_object_get(body, "answer");
	const char *prompt = json_string_value(json_object_get(body, "prompt"));
	const char *sha = json_string_value(json_object_get(body, "trace"));
	const char *slug = json_string_value(json_object_get(body, "exercise"));
	json_int_t max = json_is_integer(json_object_get(body, "max")) ? json_integer_value(json_object_get(body, "max")) : 5;
	struct loaded *l = NULL;
	struct tq_findex *ix = NULL;
	char err[600], answer[512];
	if (json_is_string(ans) && json_string_length(ans) < sizeof(answer))
		snprintf(answer, sizeof(answer), "%s", json_string_value(ans));
	else if (json_is_integer(ans))
		snprintf(answer, sizeof(answer), "%" JSON_INTEGER_FORMAT, json_integer_value(ans));
	else
		answer[0] = '\0';
	if (!answer[0] || (!sha == !slug) || max < 1 || max > 20) {
		reply_error(r, 400, "the body is {\"answer\": TEXT (under 512 bytes) or NUMBER, \"trace\": SHA-256} or "
		    "{\"answer\", \"exercise\": SLUG}, with \"prompt\" and \"max\" (1 to 20) if you like");
		goto out;
	}
	if (!(l = staff_trace(a, u, sha, slug, r)))
		goto out;
	/* every field of the trace: within the job's time and memory */
	struct tq_limits lim = job_limits(a);
	int rc = tq_findex_build(l->cap, NULL, TQ_FINDEX_ALL, &lim, &ix, err, sizeof(err));
	if (rc != 0) {
		reply_error(r, rc == TQ_ETIMEOUT || rc == TQ_ETOOBIG ? 422 : 503, "%s", err);
		goto out;
	}
	char **s;
	size_t n;
	if (tq_suggest(ix, answer, prompt, (size_t)max, &s, &n) != 0) {
		reply_error(r, 503, "out of memory");
		goto out;
	}
	json_t *list = json_array();
	for (size_t i = 0; i < n; i++) {
		struct tq_expr *e;
		struct tq_expr_error ee;
		json_t *v = tq_expr_parse(s[i], &e, &ee) == 0 ? tq_expr_eval(ix, e, NULL, &ee) : NULL;
		if (v)
			tq_expr_free(e);
		json_array_append_new(list, json_pack("{s:s,s:o}", "expr", s[i], "value", v ? v : json_null()));
		free(s[i]);
	}
	free(s);
	reply_json(r, 200, json_pack("{s:o}", "suggestions", list));
out:
	tq_findex_free(ix);
	app_release(l);
	json_decref(body);
}
