/*
 * api_courses.c - /api/v1/courses: courses created and listed, students
 * enrolled (their accounts made when missing, all or nothing) and removed,
 * teachers added.  An instructor manages the courses they teach and nothing
 * else; an admin manages all.
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

#define MAX_ENROL 5000               /* names in one enrolment request */

int
managed_course(struct tq_store *st, const struct tq_user *u, const char *slug, struct tq_course *c, struct reply *r)
{
	int rc = tq_store_course_get(st, slug, c);
	if (rc == TQ_STORE_NOTFOUND) {
		reply_error(r, 404, "there is no course '%.100s'", slug);
		return -1;
	}
	if (rc)
		return reply_db_error(r, st);
	rc = may_manage(st, u, c->id);
	if (rc < 0)
		return reply_db_error(r, st);
	if (!rc) {
		reply_error(r, 403, "you do not teach the course '%.100s'", slug);
		return -1;
	}
	return 0;
}


/* Enrols the names given, creating the student accounts that do not exist
 * (their passwords are returned once); all or nothing. */
static void
enrol(struct app *a, const struct tq_course *course, const struct req *q, struct reply *r)
{
	json_t *body = parse_body(q, r);
	if (!body)
		return;
	json_t *names = json_object_get(body, "students");
	struct tq_store *st = app_store(a);
	json_t *out = json_array();
	size_t i;
	json_t *n;
	if (!json_is_array(names) || !json_array_size(names) || json_array_size(names) > MAX_ENROL ||
	    json_object_size(body) != 1) {
		reply_error(r, 400, "the body is {\"students\": [name, ...]} with 1 to %d names", MAX_ENROL);
		goto out;
	}
	json_array_foreach(names, i, n)
		if (!name_ok(json_string_value(n))) {
			reply_error(r, 422, "students[%zu]: a name is 1 to 100 printable characters without space, ',' or '/'", i);
			goto out;
		}
	if (tq_store_begin(st) != 0) {
		reply_db_error(r, st);
		goto out;
	}
	json_array_foreach(names, i, n) {
		const char *name = json_string_value(n);
		struct tq_user u;
		int rc = tq_store_user_by_name(st, name, &u);
		char pw[33] = "", hash[160];
		if (rc == TQ_STORE_NOTFOUND) {
			/* a new account is the course's: its instructors may hand its student a reset code */
			tq_secret(pw, 16);
			rc = tq_password_hash_random(pw, hash, sizeof(hash)) ? TQ_STORE_ERROR :
			    tq_store_user_add(st, name, "student", hash, course->id, &u.id);
		} else if (rc == 0 && role_of(&u) != ROLE_STUDENT) {
			tq_store_rollback(st);
			reply_error(r, 409, "students[%zu]: '%.100s' is an account of a %s, not a student's; nobody was enrolled", i,
			    name, u.role);
			goto out;
		}
		if (rc == 0)
			rc = tq_store_enrol(st, course->id, u.id);
		if (rc) {
			tq_store_rollback(st);
			reply_db_error(r, st);
			goto out;
		}
		json_array_append_new(out, pw[0] ? json_pack("{s:s,s:s}", "name", name, "password", pw) :
		    json_pack("{s:s}", "name", name));
	}
	if (tq_store_commit(st) != 0) {
		tq_store_rollback(st);
		reply_db_error(r, st);
		goto out;
	}
	reply_json(r, 200, json_pack("{s:s,s:O}", "course", course->slug, "enrolled", out));
out:
	json_decref(out);
	json_decref(body);
}

static void
course_create(struct app *a, const struct tq_user *u, const struct req *q, struct reply *r)
{
	if (!is_staff(u)) {
		reply_error(r, 403, "courses are made by instructors and admins");
		return;
	}
	json_t *body = parse_body(q, r);
	if (!body)
		return;
	const char *slug = json_string_value(json_object_get(body, "slug"));
	const char *title = json_string_value(json_object_get(body, "title"));
	json_t *open = json_object_get(body, "open");
	struct tq_store *st = app_store(a);
	int64_t id;
	if (!slug_ok(slug) || !title || !*title || strlen(title) > 200 || (open && !json_is_boolean(open))) {
		reply_error(r, 422, "give slug (1 to 64 lowercase letters, digits and '-'), title (1 to 200 characters) "
		    "and, if every account may see it, open: true");
	} else if (tq_store_begin(st) != 0) {
		reply_db_error(r, st);
	} else {
		int rc = tq_store_course_add(st, slug, title, json_is_true(open), &id);
		if (rc == 0)
			rc = tq_store_teacher_add(st, id, u->id);
		if (rc == 0)
			rc = tq_store_commit(st);
		if (rc)
			tq_store_rollback(st);
		if (rc == TQ_STORE_EXISTS)
			reply_error(r, 409, "there is a course '%.100s' already", slug);
		else if (rc)
			reply_db_error(r, st);
		else
			reply_json(r, 201, json_pack("{s:s,s:s,s:b}", "slug", slug, "title", title, "open", json_is_true(open)));
	}
	json_decref(body);
}

void
api_courses(struct app *a, struct MHD_Connection *c, const char *method, const char *path, struct req *q,
    struct reply *r)
{
	const struct tq_user *u = &q->user;
	(void)c;
	int get = !strcmp(method, "GET") || !strcmp(method, "HEAD");
	struct tq_store *st = app_store(a);
	if (!st) {
		reply_db_error(r, st);
		return;
	}
	if (!strcmp(path, "/api/v1/courses")) {
		if (!strcmp(method, "POST")) {
			course_create(a, u, q, r);
		} else if (get) {
			json_t *l = tq_store_courses(st, u->id, role_of(u) == ROLE_ADMIN);
			if (!l)
				reply_db_error(r, st);
			else
				reply_json(r, 200, json_pack("{s:o}", "courses", l));
		} else {
			reply_error(r, 405, "use GET to list courses, POST to create one");
		}
		return;
	}
	/* /api/v1/courses/SLUG[/students[/NAME]|/teachers] */
	const char *p = path + strlen("/api/v1/courses/");
	char slug[128];
	size_t n = strcspn(p, "/");
	if (n >= sizeof(slug)) {
		reply_error(r, 404, "there is no such course");
		return;
	}
	memcpy(slug, p, n);
	slug[n] = '\0';
	const char *rest = p[n] ? p + n + 1 : "";
	struct tq_course course;
	if (!*rest && get) {
		int rc = tq_store_course_get(st, slug, &course);
		if (rc == TQ_STORE_NOTFOUND || (rc == 0 && role_of(u) != ROLE_ADMIN && tq_store_can_see(st, course.id, u->id) != 1)) {
			reply_error(r, 404, "there is no course '%.100s'", slug);
			return;
		}
		if (rc) {
			reply_db_error(r, st);
			return;
		}
		json_t *j = json_pack("{s:s,s:s,s:b,s:o*}", "slug", course.slug, "title", course.title, "open", course.open,
		    "teachers", tq_store_course_people(st, course.id, 1));
		if (may_manage(st, u, course.id) == 1)
			json_object_set_new(j, "students", tq_store_course_people(st, course.id, 0));
		reply_json(r, 200, j);
		return;
	}
	if (!*rest) {
		reply_error(r, 405, "use GET for a course");
		return;
	}
	if (managed_course(st, u, slug, &course, r) != 0)
		return;
	if (!strcmp(rest, "students")) {
		if (!strcmp(method, "POST"))
			enrol(a, &course, q, r);
		else if (get)
			reply_json(r, 200, json_pack("{s:o*}", "students", tq_store_course_people(st, course.id, 0)));
		else
			reply_error(r, 405, "use GET to list the students, POST to enrol some");
	} else if (!strncmp(rest, "students/", 9)) {
		struct tq_user s;
		if (strcmp(method, "DELETE")) {
			reply_error(r, 405, "use DELETE to unenrol a student");
		} else if (tq_store_user_by_name(st, rest + 9, &s) != 0 || tq_store_unenrol(st, course.id, s.id) != 0) {
			reply_error(r, 404, "'%.100s' is not enrolled in '%.100s'", rest + 9, slug);
		} else {
			reply_json(r, 200, json_pack("{s:s,s:s}", "unenrolled", s.name, "course", slug));
		}
	} else if (!strcmp(rest, "teachers")) {
		json_t *body = NULL;
		const char *name;
		struct tq_user t;
		if (strcmp(method, "POST")) {
			reply_error(r, 405, "use POST to add a teacher");
		} else if (role_of(u) != ROLE_ADMIN) {
			reply_error(r, 403, "only admins choose who teaches a course");
		} else if ((body = parse_body(q, r))) {
			if (!(name = json_string_value(json_object_get(body, "name"))) || tq_store_user_by_name(st, name, &t) != 0)
				reply_error(r, 422, "name: the name of an instructor's account");
			else if (!is_staff(&t))
				reply_error(r, 422, "'%.100s' is a student's account: make it an instructor's first", name);
			else if (tq_store_teacher_add(st, course.id, t.id) != 0)
				reply_db_error(r, st);
			else
				reply_json(r, 200, json_pack("{s:s,s:s}", "course", slug, "teacher", name));
		}
		json_decref(body);
	} else {
		reply_error(r, 404, "there is no route %.200s", path);
	}
}
