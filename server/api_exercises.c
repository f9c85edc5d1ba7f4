/*
 * api_exercises.c - /api/v1/exercises: exercises listed, read, created,
 * updated (re-keyed on every save, the keys of a published exercise with
 * submissions changed only when confirmed) and deleted.  Every save is
 * checked whole before anything is written (a 422 says what was wrong) and
 * written in one transaction.
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

struct exlist {
	json_t *list;
	const struct tq_user *u;
};

static int
exercise_list_one(void *arg, const struct tq_exrow *row)
{
	struct exlist *el = arg;
	json_t *doc = json_loads(row->doc, 0, NULL);
	json_t *o = json_pack("{s:s,s:s,s:s?,s:I,s:b,s:I}", "slug", row->slug, "course", row->course, "title",
	    json_string_value(json_object_get(doc, "title")), "questions",
	    (json_int_t)json_array_size(json_object_get(doc, "questions")), "published", row->published, "updated",
	    (json_int_t)row->updated);
	if (o && (row->teaching || role_of(el->u) == ROLE_ADMIN))
		json_object_set_new(o, "manage", json_true());
	if (o && !is_staff(el->u)) {
		/* a student's own attempts: the home page shows them without a request each */
		json_object_set_new(o, "attempts", json_integer(row->attempts));
		if (row->attempts)
			json_object_set_new(o, "best", json_pack("{s:f,s:f}", "score", row->best_score, "max", row->best_max));
	}
	json_array_append_new(el->list, o);
	json_decref(doc);
	return 0;
}

static int
key_errors(const json_t *keys, char *msg, size_t len)
{
	size_t i, n = 0, o = 0;
	json_t *k;
	msg[0] = '\0';
	json_array_foreach(json_object_get(keys, "questions"), i, k) {
		const char *e = json_string_value(json_object_get(k, "error"));
		if (!e)
			continue;
		if (n++ < 3 && o < len) {
			int w = snprintf(msg + o, len - o, "%s%s: %s", o ? "; " : "", json_string_value(json_object_get(k, "id")), e);
			o += w > 0 ? (size_t)w : 0;
		}
	}
	return (int)n;
}

/*
 * Whether a save may change the keys: always, unless the exercise is
 * published and has submissions, whose grades the changed keys would not
 * match.  Then it is a 409 listing each changed question (old key, new key,
 * how many submissions answered it), until the save says confirm.  changes
 * (tq_exercise_keys_diff's) gets each one's count.  0, or -1 with r set.
 */
static int
key_changes(struct tq_store *st, int64_t id, int published, int confirm, json_t *changes, struct reply *r)
{
	int64_t total = 0;
	if (!json_array_size(changes) || !published)
		return 0;
	if (tq_store_exercise_submissions(st, id, &total) != 0) {
		reply_db_error(r, st);
		return -1;
	}
	if (!total)
		return 0;
	size_t i;
	json_t *c;
	json_array_foreach(changes, i, c) {
		int64_t n = total;
		/* an added or removed question changes every grade's maximum */
		if (!json_object_get(c, "added") && !json_object_get(c, "removed") &&
		    tq_store_key_answered(st, id, json_string_value(json_object_get(c, "id")), &n) != 0) {
			reply_db_error(r, st);
			return -1;
		}
		json_object_set_new(c, "submissions", json_integer(n));
	}
	if (confirm)
		return 0;
	reply_json(r, 409, json_pack("{s:s,s:O,s:I}", "error", "the keys of this published exercise change, and it has "
	    "submissions: their scores stay as graded until you regrade them (POST .../regrade). Save again with confirm: "
	    "true to store the new keys", "key_changes", changes, "submissions", (json_int_t)total));
	return -1;
}

/* What a save was given: the document, and the capture as bytes or as a stored one. */
struct save {
	json_t *doc;                 /* owned */
	const char *course;
	const void *data;            /* an uploaded capture, or NULL */
	size_t len;
	char name[128];
	const char *sha;             /* or a stored one */
	int published;               /* -1: unchanged (1 for a new exercise) */
	int confirm;                 /* 1: store keys that change a published exercise's grades */
};

/*
 * Checks and stores an exercise: the course (taught by u), the document, the
 * capture, the keys computed on it.  A published exercise must have every
 * key; a draft may be saved with some that fail, so its author can see why.
 */
static void
save_exercise(struct app *a, const struct tq_user *u, const char *slug, int update, struct save *sv, struct reply *r)
{
	struct tq_store *st = app_store(a);
	if (!st) {
		reply_db_error(r, st);
		return;
	}
	if (!slug_ok(slug)) {
		reply_error(r, 422, "slug: 1 to 64 lowercase letters, digits and '-' (not first), such as smtp-over-tls");
		return;
	}
	struct tq_exrow old;
	int rc = tq_store_exercise_get(st, slug, &old);
	if (rc && rc != TQ_STORE_NOTFOUND) {
		reply_db_error(r, st);
		return;
	}
	int exists = rc == 0;
	int64_t old_course = exists ? old.course_id : 0, old_capture = exists ? old.capture_id : 0;
	int64_t old_id = exists ? old.id : 0, old_version = exists ? old.key_version : 0;
	int old_published = exists ? old.published : 1;
	json_t *old_keys = NULL;        /* read when they are compared, past the early returns */
	if (exists)
		tq_exrow_free(&old);
	if (update && !exists) {
		reply_error(r, 404, "there is no exercise '%.100s'", slug);
		return;
	}
	if (!update && exists) {
		reply_error(r, 409, "there is an exercise '%.100s' already: choose another slug, or change that one (PUT)", slug);
		return;
	}
	if (update && may_manage(st, u, old_course) != 1) {
		reply_error(r, 403, "you do not teach the course of '%.100s'", slug);
		return;
	}
	struct tq_course course = { .id = old_course };
	if (sv->course) {
		if (managed_course(st, u, sv->course, &course, r) != 0)
			return;
	} else if (!update) {
		reply_error(r, 422, "course: the slug of the course the exercise belongs to");
		return;
	}
	if (!sv->doc) {
		reply_error(r, 422, "exercise: the exercise document is missing");
		return;
	}

	/* the capture: uploaded now, named by SHA-256, or the one it had */
	struct tq_capmeta m = { .id = old_capture };
	int created;
	if (sv->data) {
		if (store_capture(a, u, sv->data, sv->len, sv->name, &m, &created, r) != 0)
			return;
	} else if (sv->sha) {
		if (usable_capture(a, u, sv->sha, &m, r) != 0)
			return;
	} else if (!update) {
		reply_error(r, 422, "trace: a new exercise needs a capture (upload one, or give a trace's SHA-256)");
		return;
	}

	char err[1024];
	struct tq_exercise *ex = NULL;
	struct tq_capture *cap = NULL;
	void *data = NULL;
	size_t size = 0;
	char sha[65];
	json_t *keys = NULL;
	char *doc_s = NULL, *keys_s = NULL;
	if (tq_exercise_from_json(sv->doc, NULL, &ex, err, sizeof(err)) != 0) {
		reply_error(r, 422, "exercise: %s", err);
		goto out;
	}
	if (tq_exercise_has_variants(ex)) {
		reply_error(r, 422, "%s", TQ_EX_NO_VARIANTS);
		goto out;
	}
	if (tq_store_capture_get(st, m.id, &data, &size, sha) != 0 || !data) {
		reply_db_error(r, st);
		goto out;
	}
	struct tq_limits lim = job_limits(a);
	struct tq_open_opts oo = tq_exercise_open_opts(ex);
	if (tq_capture_open_mem_opts(data, size, &oo, &cap, err, sizeof(err)) != 0 ||
	    tq_exercise_compute_keys(ex, cap, &lim, err, sizeof(err)) != 0) {
		reply_error(r, 422, "the trace: %s", err);
		goto out;
	}
	keys = tq_exercise_keys_json(ex);
	int published = sv->published >= 0 ? sv->published : old_published;
	char kmsg[600];
	int bad = key_errors(keys, kmsg, sizeof(kmsg));
	if (bad && published) {
		char full[800];
		snprintf(full, sizeof(full), "%d key%s cannot be computed on this trace: %s (save it with published: false to "
		    "keep it as a draft)", bad, bad == 1 ? "" : "s", kmsg);
		reply_json(r, 422, json_pack("{s:s,s:O}", "error", full, "keys", keys));
		goto out;
	}
	/* keys that change grades already given: the author sees what changes, and says so */
	if (exists && tq_store_exercise_get(st, slug, &old) == 0) {
		old_keys = json_loads(old.keys, 0, NULL);
		tq_exrow_free(&old);
	}
	if (exists && !old_keys)
		old_keys = json_object();      /* unreadable: every key counts as changed */
	json_t *changes = exists ? tq_exercise_keys_diff(old_keys, keys) : json_array();
	if (key_changes(st, old_id, old_published && published, sv->confirm, changes, r) != 0) {
		json_decref(changes);
		goto out;
	}
	int new_keys = json_array_size(changes) > 0;
	json_decref(changes);
	/* the stored document names its capture by the stored name */
	json_t *doc = tq_exercise_doc(ex);
	struct tq_capmeta cm;
	if (tq_store_capture_meta(st, sha, &cm) == 0)
		json_object_set_new(doc, "capture", json_string(cm.name));
	doc_s = json_dumps(doc, JSON_COMPACT);
	keys_s = json_dumps(keys, JSON_COMPACT);
	int64_t id;
	if (!doc_s || !keys_s || tq_store_begin(st) != 0 ||
	    tq_store_exercise_put(st, slug, course.id, doc_s, m.id, keys_s, PACKAGE_VERSION, new_keys, published, &id) != 0 ||
	    tq_store_commit(st) != 0) {
		tq_store_rollback(st);
		reply_db_error(r, st);
		goto out;
	}
	app_forget(a, slug);
	json_t *j = json_pack("{s:s,s:s,s:b,s:O,s:I}", "slug", slug, "trace", sha, "published", published, "keys", keys,
	    "key_version", (json_int_t)(exists ? old_version + new_keys : 1));
	if (sv->course)
		json_object_set_new(j, "course", json_string(sv->course));
	reply_json(r, update ? 200 : 201, j);
out:
	json_decref(old_keys);
	free(doc_s);
	free(keys_s);
	free(data);
	json_decref(keys);
	tq_capture_free(cap);
	tq_exercise_free(ex);
}

/* An exercise document as YAML or JSON text. */
static json_t *
doc_from_text(const char *text, size_t len, struct reply *r)
{
	size_t i = 0;
	while (i < len && isspace((unsigned char)text[i]))
		i++;
	if (i < len && text[i] == '{') {
		json_error_t je;
		json_t *d = json_loadb(text, len, JSON_REJECT_DUPLICATES, &je);
		if (!d)
			reply_error(r, 422, "exercise: not valid JSON: %s (line %d, column %d)", je.text, je.line, je.column);
		return d;
	}
	char err[1024];
	struct tq_exercise *ex;
	if (tq_exercise_load_yaml(text, len, NULL, &ex, err, sizeof(err)) != 0) {
		reply_error(r, 422, "exercise.yaml: %s", err);
		return NULL;
	}
	json_t *d = json_deep_copy(tq_exercise_doc(ex));
	tq_exercise_free(ex);
	return d;
}

/* Reads a save from a JSON body or from a form (an exercise folder uploaded). */
static int
read_save(struct MHD_Connection *c, struct req *q, struct save *sv, json_t **body, const char **slug, struct reply *r)
{
	memset(sv, 0, sizeof(*sv));
	sv->published = -1;
	*body = NULL;
	if (req_is_multipart(c)) {
		struct part *ep = req_part(q, "exercise");
		if (!ep || ep->in_file || !ep->data) {
			reply_error(r, 400, "the form needs the exercise (exercise.yaml) in a part named 'exercise'");
			return -1;
		}
		if (strlen(ep->data) != ep->len || ep->len > TQ_EX_MAX_FILE) {
			reply_error(r, 422, "exercise.yaml: not a text file of at most %u bytes", TQ_EX_MAX_FILE);
			return -1;
		}
		if (!(sv->doc = doc_from_text(ep->data, ep->len, r)))
			return -1;
		struct part *cp = req_part(q, "capture");
		if (cp) {
			/* streamed to the request's file: its bytes are the mapping */
			sv->data = q->file ? (const void *)q->file : "";
			sv->len = q->flen;
			file_name(cp->filename[0] ? cp->filename : json_string_value(json_object_get(sv->doc, "capture")), sv->name,
			    sizeof(sv->name));
		}
		sv->sha = req_part_text(q, "trace");
		sv->course = req_part_text(q, "course");
		const char *pub = req_part_text(q, "published");
		if (pub)
			sv->published = !strcmp(pub, "true") || !strcmp(pub, "1") || !strcmp(pub, "on");
		const char *conf = req_part_text(q, "confirm");
		sv->confirm = conf && (!strcmp(conf, "true") || !strcmp(conf, "1") || !strcmp(conf, "on"));
		if (slug && !*slug)
			*slug = req_part_text(q, "slug");
		return 0;
	}
	json_t *b = parse_body(q, r);
	if (!b)
		return -1;
	*body = b;
	static const char *const known[] = { "slug", "course", "trace", "exercise", "published", "confirm", NULL };
	const char *k;
	json_t *v;
	json_object_foreach(b, k, v) {
		int ok = 0;
		for (int i = 0; known[i]; i++)
			ok |= !strcmp(k, known[i]);
		if (!ok) {
			reply_error(r, 400, "unknown key '%.60s' (the keys are slug, course, trace, exercise, published and confirm)", k);
			return -1;
		}
	}
	json_t *pub = json_object_get(b, "published"), *ex = json_object_get(b, "exercise");
	if ((pub && !json_is_boolean(pub)) || (ex && !json_is_object(ex) && !json_is_string(ex)) ||
	    (json_object_get(b, "course") && !json_is_string(json_object_get(b, "course"))) ||
	    (json_object_get(b, "trace") && !json_is_string(json_object_get(b, "trace"))) ||
	    (json_object_get(b, "slug") && !json_is_string(json_object_get(b, "slug"))) ||
	    (json_object_get(b, "confirm") && !json_is_boolean(json_object_get(b, "confirm")))) {
		reply_error(r, 400, "slug, course and trace are text, exercise an object (or YAML text), published and confirm "
		    "true or false");
		return -1;
	}
	sv->confirm = json_is_true(json_object_get(b, "confirm"));
	if (pub)
		sv->published = json_is_true(pub);
	sv->course = json_string_value(json_object_get(b, "course"));
	sv->sha = json_string_value(json_object_get(b, "trace"));
	if (json_is_string(ex)) {
		if (!(sv->doc = doc_from_text(json_string_value(ex), json_string_length(ex), r)))
			return -1;
	} else if (ex) {
		sv->doc = json_incref(ex);
	}
	if (slug && !*slug)
		*slug = json_string_value(json_object_get(b, "slug"));
	return 0;
}

static void
exercise_save_route(struct app *a, struct MHD_Connection *c, const struct tq_user *u, const char *slug, int update,
    struct req *q, struct reply *r)
{
	struct save sv;
	json_t *body;
	const char *s = update ? slug : NULL;
	if (read_save(c, q, &sv, &body, update ? NULL : &s, r) == 0) {
		if (update && json_object_get(body, "slug") && strcmp(json_string_value(json_object_get(body, "slug")), slug))
			reply_error(r, 422, "slug: an exercise keeps its slug (its address); create a new one to rename it");
		else
			save_exercise(a, u, s ? s : "", update, &sv, r);
	}
	json_decref(sv.doc);
	json_decref(body);
}

static void
exercise_delete(struct app *a, struct MHD_Connection *c, const struct tq_user *u, const char *slug, struct reply *r)
{
	struct tq_store *st = app_store(a);
	struct tq_exrow row;
	int rc = st ? tq_store_exercise_get(st, slug, &row) : TQ_STORE_ERROR;
	if (rc == TQ_STORE_NOTFOUND) {
		reply_error(r, 404, "there is no exercise '%.100s'", slug);
		return;
	}
	if (rc) {
		reply_db_error(r, st);
		return;
	}
	int64_t id = row.id, course = row.course_id, n = 0;
	tq_exrow_free(&row);
	if (may_manage(st, u, course) != 1) {
		reply_error(r, 403, "you do not teach the course of '%.100s'", slug);
		return;
	}
	if (tq_store_exercise_submissions(st, id, &n) != 0) {
		reply_db_error(r, st);
		return;
	}
	const char *force = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "submissions");
	if (n && (!force || strcmp(force, "delete"))) {
		reply_error(r, 409, "'%.100s' has %lld submission%s: export them (submissions.csv), then DELETE with "
		    "?submissions=delete to delete them with it", slug, (long long)n, n == 1 ? "" : "s");
		json_object_set_new(r->json, "submissions", json_integer(n));
		return;
	}
	if (tq_store_exercise_delete(st, id) != 0) {
		reply_db_error(r, st);
		return;
	}
	app_forget(a, slug);
	reply_json(r, 200, json_pack("{s:s,s:I}", "deleted", slug, "submissions_deleted", (json_int_t)n));
}

void
api_exercises(struct app *a, struct MHD_Connection *c, const char *method, const char *path, struct req *q,
    struct reply *r)
{
	const struct tq_user *u = &q->user;
	int get = !strcmp(method, "GET") || !strcmp(method, "HEAD");
	if (!strcmp(path, "/api/v1/exercises")) {
		if (!strcmp(method, "POST")) {
			exercise_save_route(a, c, u, NULL, 0, q, r);
		} else if (get) {
			struct tq_store *st = app_store(a);
			struct exlist el = { json_array(), u };
			if (!st || tq_store_exercises_for(st, u->id, role_of(u) == ROLE_ADMIN, exercise_list_one, &el) != 0) {
				json_decref(el.list);
				reply_db_error(r, st);
			} else {
				reply_json(r, 200, json_pack("{s:o}", "exercises", el.list));
			}
		} else {
			reply_error(r, 405, "use GET to list exercises, POST to create one");
		}
		return;
	}
	const char *slug = path + strlen("/api/v1/exercises/");
	if (!strcmp(method, "PUT")) {
		exercise_save_route(a, c, u, slug, 1, q, r);
		return;
	}
	if (!strcmp(method, "DELETE")) {
		exercise_delete(a, c, u, slug, r);
		return;
	}
	if (!get) {
		reply_error(r, 405, "use GET to read an exercise, PUT to change it, DELETE to delete it");
		return;
	}
	int staff;
	struct loaded *l = exercise_open(a, u, slug, &staff, r);
	if (l) {
		json_t *j = json_pack("{s:s,s:o,s:I,s:b}", "slug", l->slug, "exercise",
		    staff ? json_incref(tq_exercise_doc(l->ex)) : student_doc(l, u->id), "frames",
		    (json_int_t)tq_capture_count(l->cap), "published", l->published);
		if (staff) {
			char course[128];
			if (tq_store_course_slug(app_store(a), l->course_id, course, sizeof(course)) == 0)
				json_object_set_new(j, "course", json_string(course));
			json_object_set_new(j, "keys", tq_exercise_keys_json(l->ex));
			json_object_set_new(j, "key_version", json_integer(l->key_version));
			json_object_set_new(j, "trace", json_string(l->sha256));
			json_object_set_new(j, "manage", json_true());
		}
		reply_json(r, 200, j);
	}
	app_release(l);
}
