/*
 * api.c - an exercise as its viewer may read it: what a student is dealt
 * (an order question's frames to other places, a limited choice question's
 * choices), who may read an exercise (its teachers, the students of its
 * course once it is published), and the routes under
 * /api/v1/exercises/SLUG/, each answered by the file of its resource
 * (api_frames.c, api_submissions.c, api_results.c).
 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "server.h"

/*
 * Order questions: a student puts frames back in order, so their view must not
 * give the order away.  For each student the frames of an order question are
 * dealt to their places in another order: the row and the tree at place p
 * show frame shuffled(p), numbered p, with the times and the fields that
 * name other frames left out; an answer lists places, and is turned back into
 * frames before it is graded.  A question over more than SHUFFLE_MAX frames
 * is not shuffled in the view (doc/exercises.md).
 */
int
question_is(const json_t *q, const char *kind)
{
	const char *k = json_string_value(json_object_get(q, "kind"));
	return k && !strcmp(k, kind);
}

static int
cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	return x < y ? -1 : x > y;
}

/* The student's deal for the exercise (nothing for staff: user 0). */
void
shuffle_for(const struct loaded *l, int64_t user, struct shuffle *sh)
{
	sh->n = 0;
	if (!user || !l->ex)
		return;
	uint32_t total = tq_capture_count(l->cap);
	size_t i;
	json_t *q;
	json_array_foreach(json_object_get(tq_exercise_doc(l->ex), "questions"), i, q) {
		if (!question_is(q, "order"))
			continue;
		uint32_t f[SHUFFLE_MAX], n = 0;
		json_t *list = json_object_get(q, "frames");
		if (list) {
			size_t k;
			json_t *v;
			if (json_array_size(list) > SHUFFLE_MAX)
				continue;
			json_array_foreach(list, k, v)
				if (json_integer_value(v) >= 1 && json_integer_value(v) <= total)
					f[n++] = (uint32_t)json_integer_value(v);
		} else if (total <= SHUFFLE_MAX) {
			for (uint32_t k = 1; k <= total; k++)
				f[n++] = k;
		}
		/* a frame already dealt by an earlier question keeps its place */
		uint32_t m = 0;
		for (uint32_t k = 0; k < n; k++) {
			int seen = 0;
			for (uint32_t j = 0; j < sh->n && !seen; j++)
				seen = sh->place[j] == f[k];
			for (uint32_t j = 0; j < m && !seen; j++)
				seen = f[j] == f[k];
			if (!seen)
				f[m++] = f[k];
		}
		if (m < 2 || sh->n + m > SHUFFLE_MAX)
			continue;
		qsort(f, m, sizeof(*f), cmp_u32);
		uint32_t d[SHUFFLE_MAX];
		memcpy(d, f, m * sizeof(*f));
		const char *id = json_string_value(json_object_get(q, "id"));
		uint64_t seed = (uint64_t)user * 0x100000001b3ULL ^ (uint64_t)l->id << 32;
		seed = tq_fnv1a64(seed, id ? id : "", id ? strlen(id) : 0);
		for (uint32_t k = m - 1; k > 0; k--) {
			uint32_t j = (uint32_t)(tq_splitmix64(&seed) % (k + 1));
			uint32_t t = d[k];
			d[k] = d[j];
			d[j] = t;
		}
		if (!memcmp(d, f, m * sizeof(*f))) {
			/* never the right order: turn it by one */
			uint32_t t = d[0];
			memmove(d, d + 1, (m - 1) * sizeof(*d));
			d[m - 1] = t;
		}
		for (uint32_t k = 0; k < m; k++) {
			sh->place[sh->n] = f[k];
			sh->frame[sh->n++] = d[k];
		}
	}
}

/* The frame shown at place p (p itself when it is not dealt); *dealt says whether it is. */
uint32_t
shuffled(const struct shuffle *sh, uint32_t p, int *dealt)
{
	for (uint32_t k = 0; k < sh->n; k++)
		if (sh->place[k] == p) {
			if (dealt)
				*dealt = 1;
			return sh->frame[k];
		}
	if (dealt)
		*dealt = 0;
	return p;
}

/*
 * The frames display filter src selects (a student's refused when it would
 * tell what the view hides): held (fsel_release), or NULL with the reply
 * set, or NULL with q->defer set when the capture must be read for it (heavy
 * work: done on the heavy pool, and kept with the capture).
 */
/* ------------------------------------------------------------------ what a student is dealt */

uint64_t
choice_seed(const struct loaded *l, int64_t user)
{
	uint64_t s = (uint64_t)user * 0x9e3779b97f4a7c15ull ^ (uint64_t)l->id * 0xc2b2ae3d27d4eb4full;
	return tq_splitmix64(&s);
}

int
trace_downloadable(const json_t *doc)
{
	const json_t *view = json_object_get(doc, "view");
	if (json_array_size(json_object_get(view, "exclude")) || json_array_size(json_object_get(view, "redact")))
		return 0;
	size_t i;
	json_t *qn;
	json_array_foreach(json_object_get(doc, "questions"), i, qn)
		if (json_object_size(json_object_get(qn, "hide")) > 0 || question_is(qn, "order"))
			return 0;
	return 1;
}

json_t *
student_doc(const struct loaded *l, int64_t user)
{
	json_t *d = json_deep_copy(l->public_doc);
	/* whether GET .../trace gives this student the file: the page offers the link, or says why not */
	json_object_set_new(d, "downloadable", json_boolean(trace_downloadable(tq_exercise_doc(l->ex))));
	size_t i;
	json_t *qn;
	/* a choice question with a limit shows each student their own few choices (doc/exercises.md) */
	json_array_foreach(json_object_get(d, "questions"), i, qn) {
		json_t *all = json_object_get(qn, "choices");
		if (!question_is(qn, "choice") || !json_integer_value(json_object_get(qn, "limit")))
			continue;
		size_t idx[TQ_EX_MAX_CHOICES];
		size_t n = tq_exercise_pick_choices(l->ex, i, choice_seed(l, user), idx, TQ_EX_MAX_CHOICES);
		json_t *shown = json_array();
		for (size_t k = 0; k < n; k++)
			json_array_append(shown, json_array_get(all, idx[k]));
		json_object_set_new(qn, "choices", shown);
		json_object_del(qn, "limit");
	}
	return d;
}

/*
 * Who may do what with an exercise: admins and the course's teachers all
 * (staff); a student reads a published exercise of a course they are enrolled
 * in, or of an open one.  To anyone else it does not exist: the same 404
 * whether it does or not.  0, or -1 with the reply set.
 */
static int
access_of(struct app *a, const struct tq_user *u, const char *slug, int64_t course_id, int published, int *staff,
    struct reply *r)
{
	struct tq_store *st = app_store(a);
	int teaches = st ? may_manage(st, u, course_id) : role_of(u) == ROLE_ADMIN;
	*staff = teaches == 1;
	if (*staff)
		return 0;
	int sees = st && published ? tq_store_can_see(st, course_id, u->id) : 0;
	if (!st || sees < 0 || teaches < 0) {
		reply_error(r, 503, "the database failed; try again");
		return -1;
	}
	if (!sees) {
		reply_error(r, 404, "there is no exercise '%.100s'", slug);
		return -1;
	}
	return 0;
}

int
exercise_access(struct app *a, const struct tq_user *u, const struct loaded *l, int *staff, struct reply *r)
{
	return access_of(a, u, l->slug, l->course_id, l->published, staff, r);
}

/* An exercise's id, course and whether it is published, from its row; 0, or -1 with r set (404, 503). */
int
exercise_meta(struct app *a, const char *slug, struct tq_exmeta *m, struct reply *r)
{
	struct tq_store *st = app_store(a);
	int rc = st ? tq_store_exercise_meta(st, slug, m) : TQ_STORE_ERROR;
	if (rc == TQ_STORE_NOTFOUND)
		reply_error(r, 404, "there is no exercise '%.100s'", slug);
	else if (rc)
		reply_error(r, 503, "the database failed; try again");
	return rc ? -1 : 0;
}

struct loaded *
exercise_open(struct app *a, const struct tq_user *u, const char *slug, int *staff, struct reply *r)
{
	struct tq_exmeta m;
	/* who may see it is known before it is loaded: nobody makes the server load what they may not see */
	if (exercise_meta(a, slug, &m, r) != 0 || access_of(a, u, slug, m.course_id, m.published, staff, r) != 0)
		return NULL;
	char err[600];
	unsigned status;
	struct loaded *l = app_exercise(a, slug, &m, &status, err, sizeof(err));
	if (!l)
		reply_error(r, status, "%s", err);
	return l;
}

void
api_exercise_routes(struct app *a, struct MHD_Connection *c, const char *method, const char *path, struct req *q,
    struct reply *r)
{
	/* /api/v1/exercises/SLUG/{frames[/N],submissions,keys,stats,submissions.csv,trace,regrade} */
	const char *p = path + strlen("/api/v1/exercises/");
	const char *slash = strchr(p, '/');
	char slug[128];
	if (!slash || (size_t)(slash - p) >= sizeof(slug) || slash == p) {
		reply_error(r, 404, "there is no such exercise");
		return;
	}
	memcpy(slug, p, (size_t)(slash - p));
	slug[slash - p] = '\0';
	const char *rest = slash + 1;
	const struct tq_user *u = &q->user;
	int staff;
	struct loaded *l = exercise_open(a, u, slug, &staff, r);
	if (!l)
		return;
	if (!strcmp(rest, "frames")) {
		frames_page(a, c, q, l, staff ? 0 : u->id, r);
	} else if (!strncmp(rest, "frames/", 7)) {
		frame_tree(c, l, staff ? 0 : u->id, rest + 7, r);
	} else if (!strcmp(rest, "follow")) {
		follow_stream(a, c, q, l, staff ? 0 : u->id, r);
	} else if (!strcmp(rest, "submissions")) {
		if (!strcmp(method, "POST")) {
			submit(a, l, u, q, r);
		} else {
			submissions_list(a, l, u, staff, r);
		}
	} else if (!strcmp(rest, "trace")) {
		exercise_trace(a, l, staff, r);
	} else if (!staff) {
		reply_error(r, 403, "only the course's instructors see the keys, the statistics and the submissions of all");
	} else if (!strcmp(rest, "keys")) {
		json_t *k = tq_exercise_keys_json(l->ex);
		json_object_set_new(k, "key_version", json_integer(l->key_version));
		reply_json(r, 200, k);
	} else if (!strcmp(rest, "regrade")) {
		regrade(a, l, u, r);
	} else if (!strcmp(rest, "stats")) {
		exercise_stats(a, l, r);
	} else if (!strcmp(rest, "submissions.csv")) {
		exercise_csv(a, l, r);
	}
	app_release(l);
}
