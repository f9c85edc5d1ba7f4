/*
 * gradebook.c - a course's gradebook: every person against every exercise
 * of the course, the best score and the number of attempts, as JSON for the
 * web app (GET /api/v1/courses/SLUG/gradebook) and as CSV for a spreadsheet
 * (.../gradebook.csv).
 *
 * Only the course's teachers and admins read it, the rule of the course's
 * other staff routes (api_courses.c's managed_course).  People come in three
 * kinds, kept apart: students (local accounts), external (an auto-grader's
 * students, made by POST /api/v1/grade) and staff (instructors and admins
 * who tried an exercise: tests, not grades).  The cells come from one GROUP
 * BY in the store (tq_store_gradebook); a person enrolled who never
 * submitted has a row of empty cells.  The CSV defuses what a spreadsheet
 * would run as a formula, as the submissions' export does.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "server.h"

#define GRADEBOOK_MAX_CSV (256u << 20)

/* The kinds of people, in the order their rows are listed. */
static const char *const kinds[] = { "student", "external", "staff" };

static const char *
kind_of(const struct tq_gradecell *c)
{
	if (c->external)
		return "external";
	return strcmp(c->role, "student") ? "staff" : "student";
}

/*
 * The course named in path (/api/v1/courses/SLUG/...) when u may read its
 * gradebook: an admin, or a teacher of the course.  0 with *course set; -1
 * with r set (404 no such course, 403 not theirs, 503 the database).
 */
static int
gradebook_course(struct app *a, const struct tq_user *u, const char *path, struct tq_course *course, struct reply *r)
{
	const char *p = path + strlen("/api/v1/courses/");
	char slug[128];
	size_t n = strcspn(p, "/");
	struct tq_store *st = app_store(a);
	if (!n || n >= sizeof(slug)) {
		reply_error(r, 404, "there is no such course");
		return -1;
	}
	memcpy(slug, p, n);
	slug[n] = '\0';
	if (!st) {
		reply_error(r, 503, "the database cannot be opened; try again");
		return -1;
	}
	return managed_course(st, u, slug, course, r);
}

/* ------------------------------------------------------------------ the rows */

/* The rows as they are made: one per person, in the store's order (by name). */
struct book {
	json_t *rows;
	json_t *row;                 /* the current person's, borrowed from rows */
	int err;                     /* out of memory */
};

/*
 * A person's row: {user, name, kind, cells: {slug: {best, max, attempts}},
 * total, attempts}.  name is what the person is known as: an auto-grader's
 * student id for an external one, else the account's name.
 */
static int
book_cell(void *arg, const struct tq_gradecell *c)
{
	struct book *b = arg;
	const char *cur = b->row ? json_string_value(json_object_get(b->row, "user")) : NULL;
	if (!cur || strcmp(cur, c->user)) {
		b->row = json_pack("{s:s,s:s,s:s,s:{},s:f,s:I}", "user", c->user, "name",
		    c->external && c->ext_id ? c->ext_id : c->user, "kind", kind_of(c), "cells", "total", 0.0, "attempts",
		    (json_int_t)0);
		if (!b->row || json_array_append_new(b->rows, b->row) != 0) {
			b->row = NULL;
			b->err = 1;
			return 1;
		}
	}
	if (!c->slug)
		return 0;
	json_t *cell = json_pack("{s:f,s:f,s:I}", "best", c->best, "max", c->max, "attempts", (json_int_t)c->attempts);
	if (!cell || json_object_set_new(json_object_get(b->row, "cells"), c->slug, cell) != 0) {
		b->err = 1;
		return 1;
	}
	json_t *total = json_object_get(b->row, "total"), *attempts = json_object_get(b->row, "attempts");
	json_real_set(total, json_real_value(total) + c->best);
	json_integer_set(attempts, json_integer_value(attempts) + c->attempts);
	return 0;
}

/*
 * The course's exercises and its rows, students first, then external ones,
 * then staff, by name within each kind.  0 with both set (the caller owns
 * them); -1 with r set.
 */
static int
gradebook_read(struct app *a, const struct tq_course *course, json_t **exercises, json_t **rows, struct reply *r)
{
	struct tq_store *st = app_store(a);
	struct book b = { json_array(), NULL, 0 };
	*exercises = tq_store_course_exercises(st, course->id);
	*rows = NULL;
	if (!*exercises || !b.rows || tq_store_gradebook(st, course->id, book_cell, &b) != 0 || b.err) {
		if (b.err || !b.rows)
			reply_error(r, 503, "out of memory");
		else
			reply_error(r, 500, "the database failed: %s", tq_store_error(st));
		json_decref(*exercises);
		json_decref(b.rows);
		*exercises = NULL;
		return -1;
	}
	*rows = json_array();
	for (size_t k = 0; *rows && k < sizeof(kinds) / sizeof(kinds[0]); k++) {
		size_t i;
		json_t *row;
		json_array_foreach(b.rows, i, row)
			if (!strcmp(json_string_value(json_object_get(row, "kind")), kinds[k]))
				json_array_append(*rows, row);
	}
	json_decref(b.rows);
	if (!*rows) {
		reply_error(r, 503, "out of memory");
		json_decref(*exercises);
		*exercises = NULL;
		return -1;
	}
	return 0;
}

/* ------------------------------------------------------------------ CSV */

/* A header cell: "SLUG what". */
static void
csv_head(struct tq_sbuf *b, const char *slug, const char *what)
{
	char col[200];
	snprintf(col, sizeof(col), "%s %s", slug, what);
	tq_sbuf_putc(b, ',');
	csv_cell(b, col);
}

/* One line per person: user, name, kind, then each exercise's best and attempts, then the total. */
static int
gradebook_csv(const struct tq_course *course, const json_t *exercises, const json_t *rows, struct reply *r)
{
	struct tq_sbuf b;
	size_t i, k;
	json_t *ex, *row;
	char num[64];
	tq_sbuf_init(&b, GRADEBOOK_MAX_CSV);
	tq_sbuf_puts(&b, "user,name,kind");
	json_array_foreach(exercises, i, ex) {
		const char *slug = json_string_value(json_object_get(ex, "slug"));
		csv_head(&b, slug ? slug : "", "best");
		csv_head(&b, slug ? slug : "", "attempts");
	}
	tq_sbuf_puts(&b, ",total\r\n");
	json_array_foreach(rows, k, row) {
		json_t *cells = json_object_get(row, "cells");
		csv_cell(&b, json_string_value(json_object_get(row, "user")));
		tq_sbuf_putc(&b, ',');
		csv_cell(&b, json_string_value(json_object_get(row, "name")));
		tq_sbuf_putc(&b, ',');
		csv_cell(&b, json_string_value(json_object_get(row, "kind")));
		json_array_foreach(exercises, i, ex) {
			json_t *cell = json_object_get(cells, json_string_value(json_object_get(ex, "slug")));
			if (cell)
				snprintf(num, sizeof(num), ",%g,%lld", json_number_value(json_object_get(cell, "best")),
				    (long long)json_integer_value(json_object_get(cell, "attempts")));
			else
				snprintf(num, sizeof(num), ",,0");
			tq_sbuf_puts(&b, num);
		}
		snprintf(num, sizeof(num), ",%g\r\n", json_number_value(json_object_get(row, "total")));
		tq_sbuf_puts(&b, num);
	}
	if (b.err) {
		tq_sbuf_free(&b);
		reply_error(r, 503, "the gradebook is too large to export");
		return -1;
	}
	r->status = 200;
	r->rawlen = b.len;
	r->raw = b.s;                /* handed over: the reply frees it */
	r->ctype = "text/csv; charset=utf-8";
	snprintf(r->disposition, sizeof(r->disposition), "attachment; filename=\"%s-gradebook.csv\"", course->slug);
	return 0;
}

/* ------------------------------------------------------------------ the route */

/*
 * GET /api/v1/courses/SLUG/gradebook: {course, title, exercises: [{slug,
 * title, max, published}], rows: [{user, name, kind, cells, total,
 * attempts}]}; .../gradebook.csv: the same as CSV.
 */
void
api_gradebook(struct app *a, struct MHD_Connection *c, const char *method, const char *path, struct req *q,
    struct reply *r)
{
	(void)c, (void)method;
	struct tq_course course;
	json_t *exercises, *rows;
	if (gradebook_course(a, &q->user, path, &course, r) != 0 || gradebook_read(a, &course, &exercises, &rows, r) != 0)
		return;
	size_t n = strlen(path);
	if (n > 4 && !strcmp(path + n - 4, ".csv")) {
		gradebook_csv(&course, exercises, rows, r);
		json_decref(exercises);
		json_decref(rows);
		return;
	}
	reply_json(r, 200, json_pack("{s:s,s:s,s:o,s:o}", "course", course.slug, "title", course.title, "exercises", exercises,
	    "rows", rows));
}
