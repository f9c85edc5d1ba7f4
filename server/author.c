/*
 * author.c - the routes that make and run a course: courses and enrolments,
 * traces (upload, download, preview), exercises (list, read, create, update,
 * delete, re-keyed on every save), the live evaluation of an expression,
 * statistics and the CSV export, API tokens and accounts.
 *
 * An instructor manages the courses they teach and nothing else; an admin
 * manages all.  A capture is stored once, by SHA-256, whoever uploads it; an
 * instructor may use the captures they uploaded and those of the exercises
 * of their courses.  Every save is checked whole before anything is written
 * (a 422 says what was wrong) and written in one transaction.
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

/* ------------------------------------------------------------------ helpers */

static int
role_is(const struct tq_user *u, const char *role)
{
	return !strcmp(u->role, role);
}

/* Slugs of courses and exercises: lowercase letters, digits and '-', 1 to 64. */
static int
slug_ok(const char *s)
{
	size_t n = s ? strlen(s) : 0;
	if (n == 0 || n > 64 || s[0] == '-')
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!islower((unsigned char)s[i]) && !isdigit((unsigned char)s[i]) && s[i] != '-')
			return 0;
	return 1;
}

/* A file name as given by a browser, reduced to a safe base name. */
void
file_name(const char *in, char *out, size_t len)
{
	const char *base = in ? in : "";
	for (const char *p = base; *p; p++)
		if (*p == '/' || *p == '\\')
			base = p + 1;
	size_t o = 0;
	for (const char *p = base; *p && o + 1 < len && o < 100; p++)
		out[o++] = isalnum((unsigned char)*p) || *p == '.' || *p == '-' || *p == '_' ? *p : '_';
	out[o] = '\0';
	if (!o || out[0] == '.')
		snprintf(out, len, "capture.pcap");
}

static int
db_error(struct reply *r, struct tq_store *st)
{
	reply_error(r, 500, "the database failed: %s", st ? tq_store_error(st) : "cannot open");
	return -1;
}

/* The last path segment after prefix, or NULL. */
static const char *
after(const char *path, const char *prefix)
{
	size_t n = strlen(prefix);
	return strncmp(path, prefix, n) ? NULL : path + n;
}

int
managed_course(struct tq_store *st, const struct tq_user *u, const char *slug, struct tq_course *c, struct reply *r)
{
	int rc = tq_store_course_get(st, slug, c);
	if (rc == TQ_STORE_NOTFOUND) {
		reply_error(r, 404, "there is no course '%.100s'", slug);
		return -1;
	}
	if (rc)
		return db_error(r, st);
	if (role_is(u, "admin"))
		return 0;
	rc = is_staff(u) ? tq_store_teaches(st, c->id, u->id) : 0;
	if (rc < 0)
		return db_error(r, st);
	if (!rc) {
		reply_error(r, 403, "you do not teach the course '%.100s'", slug);
		return -1;
	}
	return 0;
}

/* ------------------------------------------------------------------ traces */

json_t *
capture_json(const struct tq_capmeta *m)
{
	return json_pack("{s:s,s:s,s:I,s:I,s:I}", "sha256", m->sha256, "name", m->name, "size", (json_int_t)m->size,
	    "frames", (json_int_t)m->frames, "created", (json_int_t)m->created);
}

/*
 * Checks that data is a capture the library reads, and stores it once (by
 * SHA-256), owned by u too.  0 with *m set and *created 1 when it is new;
 * -1 with r set (422 and the library's message when it is not a capture).
 */
int
store_capture(struct app *a, const struct tq_user *u, const void *data, size_t len, const char *name,
    struct tq_capmeta *m, int *created, struct reply *r)
{
	char err[512];
	struct tq_capture *cap = NULL;
	if (!len) {
		reply_error(r, 422, "the capture is empty");
		return -1;
	}
	if (tq_capture_open_mem(data, len, &cap, err, sizeof(err)) != 0) {
		reply_error(r, 422, "%s is not a capture tracequiz can read: %s", name, err);
		return -1;
	}
	uint32_t frames = tq_capture_count(cap);
	const char *warn = tq_capture_warning(cap);
	if (warn) {
		/* a capture cut short is refused: its last frames would be missing from every key */
		reply_error(r, 422, "%s: %s; upload the whole file", name, warn);
		tq_capture_free(cap);
		return -1;
	}
	tq_capture_free(cap);
	if (!frames) {
		reply_error(r, 422, "%s holds no frames", name);
		return -1;
	}
	char sha[65];
	tq_sha256_hex(data, len, sha);
	struct tq_store *st = app_store(a);
	if (!st)
		return db_error(r, st);
	*created = tq_store_capture_meta(st, sha, m) == TQ_STORE_NOTFOUND;
	int64_t id;
	if (tq_store_begin(st) != 0 || tq_store_capture_put(st, sha, name, data, len, frames, &id) != 0 ||
	    tq_store_capture_own(st, id, u->id) != 0 || tq_store_commit(st) != 0) {
		tq_store_rollback(st);
		return db_error(r, st);
	}
	if (tq_store_capture_meta(st, sha, m) != 0)
		return db_error(r, st);
	return 0;
}

static void
trace_upload(struct app *a, struct MHD_Connection *c, const struct tq_user *u, struct req *q, struct reply *r)
{
	char name[128];
	struct tq_capmeta m;
	int created = 0;
	if (req_is_multipart(c)) {
		struct part *p = req_part(q, "file");
		if (!p || !p->in_file) {
			reply_error(r, 400, "the form needs the capture in a part named 'file'");
			return;
		}
		file_name(p->filename, name, sizeof(name));
	} else {
		file_name(MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "name"), name, sizeof(name));
	}
	/* the capture was streamed to a file, mapped now: never read into the heap whole */
	if (store_capture(a, u, q->file, q->flen, name, &m, &created, r) == 0) {
		json_t *j = capture_json(&m);
		json_object_set_new(j, "new", json_boolean(created));
		reply_json(r, created ? 201 : 200, j);
	}
}

/* A stored capture the user may use; 0 or -1 with r set. */
static int
usable_capture(struct app *a, const struct tq_user *u, const char *sha, struct tq_capmeta *m, struct reply *r)
{
	struct tq_store *st = app_store(a);
	if (!st)
		return db_error(r, st);
	if (strlen(sha) != 64 || strspn(sha, "0123456789abcdef") != 64) {
		reply_error(r, 404, "a trace is named by its SHA-256, 64 lowercase hex digits");
		return -1;
	}
	int rc = tq_store_capture_meta(st, sha, m);
	if (rc == TQ_STORE_NOTFOUND) {
		reply_error(r, 404, "there is no trace %.64s", sha);
		return -1;
	}
	if (rc)
		return db_error(r, st);
	if (role_is(u, "admin"))
		return 0;
	rc = tq_store_capture_usable(st, m->id, u->id);
	if (rc < 0)
		return db_error(r, st);
	if (!rc) {
		reply_error(r, 403, "trace %.64s is neither yours nor one of your courses'", sha);
		return -1;
	}
	return 0;
}

/* The capture's bytes as a download. */
static void
send_capture(struct app *a, int64_t id, const char *name, struct reply *r)
{
	struct tq_store *st = app_store(a);
	void *data = NULL;
	size_t size = 0;
	if (!st || tq_store_capture_get(st, id, &data, &size, NULL) != 0 || !data) {
		free(data);
		db_error(r, st);
		return;
	}
	r->status = 200;
	r->raw = data;
	r->rawlen = size;
	r->ctype = "application/vnd.tcpdump.pcap";
	snprintf(r->disposition, sizeof(r->disposition), "attachment; filename=\"%s\"", name);
}

static void
traces_routes(struct app *a, struct MHD_Connection *c, const char *method, const char *path, const struct tq_user *u,
    struct req *q, struct reply *r)
{
	int get = !strcmp(method, "GET") || !strcmp(method, "HEAD");
	if (!strcmp(path, "/api/v1/traces")) {
		if (!strcmp(method, "POST")) {
			trace_upload(a, c, u, q, r);
		} else if (get) {
			json_t *l = tq_store_captures(app_store(a), u->id, role_is(u, "admin"));
			if (!l)
				db_error(r, app_store(a));
			else
				reply_json(r, 200, json_pack("{s:o}", "traces", l));
		} else {
			reply_error(r, 405, "use GET to list traces, POST to upload one");
		}
		return;
	}
	/* /api/v1/traces/SHA[/download|/frames|/frames/N|/follow] */
	const char *p = path + strlen("/api/v1/traces/");
	char sha[65];
	size_t n = strcspn(p, "/");
	if (n >= sizeof(sha)) {
		reply_error(r, 404, "a trace is named by its SHA-256, 64 lowercase hex digits");
		return;
	}
	memcpy(sha, p, n);
	sha[n] = '\0';
	const char *rest = p[n] ? p + n + 1 : NULL;
	if (!get) {
		reply_error(r, 405, "use GET for a trace");
		return;
	}
	struct tq_capmeta m;
	if (usable_capture(a, u, sha, &m, r) != 0)
		return;
	if (!rest) {
		reply_json(r, 200, capture_json(&m));
	} else if (!strcmp(rest, "download")) {
		send_capture(a, m.id, m.name, r);
	} else if (!strcmp(rest, "frames") || !strncmp(rest, "frames/", 7) || !strcmp(rest, "follow")) {
		char err[512];
		struct loaded *l = app_trace(a, &m, err, sizeof(err));
		if (!l) {
			reply_error(r, 503, "%s", err);
			return;
		}
		if (!strcmp(rest, "follow"))
			follow_stream(a, c, q, l, 0, r);
		else if (rest[6])
			frame_tree(c, l, 0, rest + 7, r);
		else
			frames_page(a, c, q, l, 0, r);
		app_release(l);
	} else {
		reply_error(r, 404, "there is no route %.200s", path);
	}
}

/* GET /api/v1/exercises/SLUG/trace: staff always; a student only when the view hides nothing
 * and no question asks to put frames in order. */
void
exercise_trace(struct app *a, const struct loaded *l, int staff, struct reply *r)
{
	const json_t *doc = tq_exercise_doc(l->ex);
	/* hidden fields, or frames to put in order: the file would give the answer */
	if (!staff && !trace_downloadable(doc)) {
		reply_error(r, 403, "this exercise hides parts of its trace: it can be read here, not downloaded");
		return;
	}
	const char *name = json_string_value(json_object_get(doc, "capture"));
	char fn[128];
	file_name(name ? name : l->slug, fn, sizeof(fn));
	send_capture(a, l->capture_id, fn, r);
}

/* ------------------------------------------------------------------ exercises */

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
	if (o && (row->teaching || role_is(el->u, "admin")))
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
		db_error(r, st);
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
			db_error(r, st);
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
		db_error(r, st);
		return;
	}
	if (!slug_ok(slug)) {
		reply_error(r, 422, "slug: 1 to 64 lowercase letters, digits and '-' (not first), such as smtp-over-tls");
		return;
	}
	struct tq_exrow old;
	int rc = tq_store_exercise_get(st, slug, &old);
	if (rc && rc != TQ_STORE_NOTFOUND) {
		db_error(r, st);
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
	if (update && !role_is(u, "admin") && tq_store_teaches(st, old_course, u->id) != 1) {
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
	if (tq_store_capture_get(st, m.id, &data, &size, sha) != 0 || !data) {
		db_error(r, st);
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
		db_error(r, st);
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
		db_error(r, st);
		return;
	}
	int64_t id = row.id, course = row.course_id, n = 0;
	tq_exrow_free(&row);
	if (!role_is(u, "admin") && (!is_staff(u) || tq_store_teaches(st, course, u->id) != 1)) {
		reply_error(r, 403, "you do not teach the course of '%.100s'", slug);
		return;
	}
	if (tq_store_exercise_submissions(st, id, &n) != 0) {
		db_error(r, st);
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
		db_error(r, st);
		return;
	}
	app_forget(a, slug);
	reply_json(r, 200, json_pack("{s:s,s:I}", "deleted", slug, "submissions_deleted", (json_int_t)n));
}

static void
exercises_routes(struct app *a, struct MHD_Connection *c, const char *method, const char *path, const struct tq_user *u,
    struct req *q, struct reply *r)
{
	int get = !strcmp(method, "GET") || !strcmp(method, "HEAD");
	if (!strcmp(path, "/api/v1/exercises")) {
		if (!strcmp(method, "POST")) {
			exercise_save_route(a, c, u, NULL, 0, q, r);
		} else if (get) {
			struct tq_store *st = app_store(a);
			struct exlist el = { json_array(), u };
			if (!st || tq_store_exercises_for(st, u->id, role_is(u, "admin"), exercise_list_one, &el) != 0) {
				json_decref(el.list);
				db_error(r, st);
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

/* ------------------------------------------------------------------ statistics and CSV */

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
		db_error(r, app_store(a));
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
		db_error(r, app_store(a));
		return;
	}
	r->status = 200;
	r->rawlen = b.len;
	r->raw = b.s;                /* handed over: the reply frees it */
	r->ctype = "text/csv; charset=utf-8";
	snprintf(r->disposition, sizeof(r->disposition), "attachment; filename=\"%s-submissions.csv\"", l->slug);
}

/* ------------------------------------------------------------------ eval */

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
static void
route_eval(struct app *a, const struct tq_user *u, const struct req *q, struct reply *r)
{
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
static void
route_suggest(struct app *a, const struct tq_user *u, const struct req *q, struct reply *r)
{
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

/* ------------------------------------------------------------------ courses */

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
		db_error(r, st);
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
		} else if (rc == 0 && strcmp(u.role, "student")) {
			tq_store_rollback(st);
			reply_error(r, 409, "students[%zu]: '%.100s' is an account of a %s, not a student's; nobody was enrolled", i,
			    name, u.role);
			goto out;
		}
		if (rc == 0)
			rc = tq_store_enrol(st, course->id, u.id);
		if (rc) {
			tq_store_rollback(st);
			db_error(r, st);
			goto out;
		}
		json_array_append_new(out, pw[0] ? json_pack("{s:s,s:s}", "name", name, "password", pw) :
		    json_pack("{s:s}", "name", name));
	}
	if (tq_store_commit(st) != 0) {
		tq_store_rollback(st);
		db_error(r, st);
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
		db_error(r, st);
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
			db_error(r, st);
		else
			reply_json(r, 201, json_pack("{s:s,s:s,s:b}", "slug", slug, "title", title, "open", json_is_true(open)));
	}
	json_decref(body);
}

static void
courses_routes(struct app *a, struct MHD_Connection *c, const char *method, const char *path, const struct tq_user *u,
    const struct req *q, struct reply *r)
{
	(void)c;
	int get = !strcmp(method, "GET") || !strcmp(method, "HEAD");
	struct tq_store *st = app_store(a);
	if (!st) {
		db_error(r, st);
		return;
	}
	if (!strcmp(path, "/api/v1/courses")) {
		if (!strcmp(method, "POST")) {
			course_create(a, u, q, r);
		} else if (get) {
			json_t *l = tq_store_courses(st, u->id, role_is(u, "admin"));
			if (!l)
				db_error(r, st);
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
		if (rc == TQ_STORE_NOTFOUND || (rc == 0 && !role_is(u, "admin") && tq_store_can_see(st, course.id, u->id) != 1)) {
			reply_error(r, 404, "there is no course '%.100s'", slug);
			return;
		}
		if (rc) {
			db_error(r, st);
			return;
		}
		json_t *j = json_pack("{s:s,s:s,s:b,s:o*}", "slug", course.slug, "title", course.title, "open", course.open,
		    "teachers", tq_store_course_people(st, course.id, 1));
		if (role_is(u, "admin") || tq_store_teaches(st, course.id, u->id) == 1)
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
		} else if (!role_is(u, "admin")) {
			reply_error(r, 403, "only admins choose who teaches a course");
		} else if ((body = parse_body(q, r))) {
			if (!(name = json_string_value(json_object_get(body, "name"))) || tq_store_user_by_name(st, name, &t) != 0)
				reply_error(r, 422, "name: the name of an instructor's account");
			else if (!is_staff(&t))
				reply_error(r, 422, "'%.100s' is a student's account: make it an instructor's first", name);
			else if (tq_store_teacher_add(st, course.id, t.id) != 0)
				db_error(r, st);
			else
				reply_json(r, 200, json_pack("{s:s,s:s}", "course", slug, "teacher", name));
		}
		json_decref(body);
	} else {
		reply_error(r, 404, "there is no route %.200s", path);
	}
}

/* ------------------------------------------------------------------ tokens and users */

/* The slugs of a JSON array (at most max, each a string), into out; -1 when it is not one. */
static int
slugs(const json_t *arr, const char **out, size_t max, size_t *n)
{
	*n = 0;
	if (!arr)
		return 0;
	if (!json_is_array(arr) || json_array_size(arr) > max)
		return -1;
	size_t i;
	json_t *v;
	json_array_foreach(arr, i, v) {
		if (!slug_ok(json_string_value(v)))
			return -1;
		out[(*n)++] = json_string_value(v);
	}
	return 0;
}

/*
 * POST /api/v1/tokens {"name", "scope"?, "courses"?, "exercises"?, "days"?}:
 * a token of the caller's, shown once.  Its scope is admin (the default),
 * read or grade; a grade token may be limited to courses and exercises the
 * caller teaches; days sets an expiry.  A token never makes a token beyond
 * itself: a token's token expires no later than it.
 */
static void
token_create(struct app *a, const struct tq_user *u, const struct req *q, struct reply *r)
{
	struct tq_store *st = app_store(a);
	json_t *body = parse_body(q, r);
	if (!body)
		return;
	const char *name = json_string_value(json_object_get(body, "name"));
	json_t *scope_j = json_object_get(body, "scope"), *days_j = json_object_get(body, "days");
	const char *courses[64], *exercises[64];
	size_t nc, ne;
	int scope = scope_j ? tq_scope_parse(json_string_value(scope_j)) : TQ_SCOPE_ADMIN;
	const char *k;
	json_t *v;
	json_object_foreach(body, k, v)
		if (strcmp(k, "name") && strcmp(k, "scope") && strcmp(k, "courses") && strcmp(k, "exercises") && strcmp(k, "days")) {
			reply_error(r, 400, "unknown key '%.60s' (the keys are name, scope, courses, exercises and days)", k);
			goto out;
		}
	if (!name || !*name || strlen(name) > 100) {
		reply_error(r, 422, "name: what the token is for, 1 to 100 characters (\"course LMS\")");
		goto out;
	}
	if (scope == TQ_SCOPE_NONE) {
		reply_error(r, 422, "scope: admin (all you may do), read (only read) or grade (only POST /api/v1/grade)");
		goto out;
	}
	if (slugs(json_object_get(body, "courses"), courses, 64, &nc) || slugs(json_object_get(body, "exercises"), exercises, 64,
	    &ne)) {
		reply_error(r, 422, "courses, exercises: lists of at most 64 slugs");
		goto out;
	}
	if ((nc || ne) && scope != TQ_SCOPE_GRADE) {
		reply_error(r, 422, "courses and exercises limit a grade token (scope grade)");
		goto out;
	}
	if (days_j && (!json_is_integer(days_j) || json_integer_value(days_j) < 1 || json_integer_value(days_j) > 3650)) {
		reply_error(r, 422, "days: the token's life in days, 1 to 3650 (none: it does not expire)");
		goto out;
	}
	int64_t expires = days_j ? (int64_t)time(NULL) + json_integer_value(days_j) * 86400 : 0;
	if (q->token.scope != TQ_SCOPE_NONE && q->token.expires && (!expires || expires > q->token.expires))
		expires = q->token.expires;
	char tok[65], err[300];
	int64_t id;
	int rc = token_mint(st, u, name, scope, courses, nc, exercises, ne, expires, tok, &id, err, sizeof(err));
	if (rc > 0) {
		reply_error(r, 422, "%s", err);
	} else if (rc) {
		reply_error(r, 503, "%s", err);
	} else {
		reply_json(r, 201, json_pack("{s:I,s:s,s:s,s:s}", "id", (json_int_t)id, "name", name, "scope",
		    tq_scope_name(scope), "token", tok));
		if (expires)
			json_object_set_new(r->json, "expires", json_integer(expires));
	}
out:
	json_decref(body);
}

static void
tokens_routes(struct app *a, const char *method, const char *path, const struct tq_user *u, const struct req *q,
    struct reply *r)
{
	struct tq_store *st = app_store(a);
	if (!st) {
		db_error(r, st);
		return;
	}
	if (!strcmp(path, "/api/v1/tokens")) {
		if (!strcmp(method, "POST")) {
			token_create(a, u, q, r);
		} else {
			json_t *l = tq_store_tokens(st, u->id);
			if (!l)
				db_error(r, st);
			else
				reply_json(r, 200, json_pack("{s:o}", "tokens", l));
		}
		return;
	}
	char *end;
	errno = 0;
	long long id = strtoll(path + strlen("/api/v1/tokens/"), &end, 10);
	if (errno || *end || id <= 0 || tq_store_token_delete(st, id, u->id) != 0)
		reply_error(r, 404, "you have no token %.40s", path + strlen("/api/v1/tokens/"));
	else
		reply_json(r, 200, json_pack("{s:I}", "revoked", (json_int_t)id));
}

/*
 * POST /api/v1/users/NAME/password {"password"?} (admins): a new password,
 * given or generated (shown once); the account's sessions, tokens and reset
 * code end.
 */
static void
password_set(struct app *a, const struct tq_user *who, const struct req *q, struct reply *r)
{
	struct tq_store *st = app_store(a);
	json_t *body = q->len ? parse_body(q, r) : json_object();
	if (!body)
		return;
	json_t *given = json_object_get(body, "password");
	char pw[33], hash[160];
	if ((given && (!json_is_string(given) || json_string_length(given) < 8 || json_string_length(given) > 1000)) ||
	    json_object_size(body) > (given ? 1u : 0u)) {
		reply_error(r, 422, "the body is empty (a password is made) or {\"password\": 8 to 1000 characters}");
	} else {
		if (!given)
			tq_secret(pw, 16);
		if ((given ? tq_password_hash(json_string_value(given), hash, sizeof(hash)) :
		    tq_password_hash_random(pw, hash, sizeof(hash))) != 0 || tq_store_user_set_password(st, who->id, hash) != 0)
			db_error(r, st);
		else
			reply_json(r, 200, given ? json_pack("{s:s}", "name", who->name) :
			    json_pack("{s:s,s:s}", "name", who->name, "password", pw));
	}
	json_decref(body);
}

/*
 * POST /api/v1/users/NAME/reset-code: a one-time code (and a link) for the
 * account's student to set a new password with, shown once to be handed
 * over.  Course staff never set a password themselves, and hand codes only
 * to the accounts their course's enrolment made and that study nowhere
 * else: enrolling someone else's student grants nothing over them.  Admins
 * for any account.
 */
static void
reset_code_route(struct app *a, const struct tq_user *u, const struct tq_user *who, struct reply *r)
{
	struct tq_store *st = app_store(a);
	if (role_of(u) != ROLE_ADMIN) {
		int64_t elsewhere = 0;
		int rc = role_of(who) == ROLE_STUDENT && who->origin_course ? tq_store_teaches(st, who->origin_course, u->id) : 0;
		if (rc == 1 && tq_store_courses_elsewhere(st, who->id, who->origin_course, &elsewhere) != 0)
			rc = -1;
		if (rc < 0) {
			db_error(r, st);
			return;
		}
		if (rc != 1 || elsewhere) {
			reply_error(r, 403, "'%.100s' is not an account your course made, or it studies elsewhere too: ask an admin to "
			    "reset its password", who->name);
			return;
		}
	}
	json_t *j = reset_code(a, who, u, r);
	if (j)
		reply_json(r, 200, j);
}

/* PATCH /api/v1/users/NAME {"role"}: an admin changes an account's role; its sessions and tokens end. */
static void
user_change(struct app *a, const struct tq_user *u, const struct tq_user *who, const struct req *q, struct reply *r)
{
	struct tq_store *st = app_store(a);
	json_t *body = parse_body(q, r);
	if (!body)
		return;
	const char *role = json_string_value(json_object_get(body, "role"));
	if (!role || json_object_size(body) != 1 || (strcmp(role, "student") && strcmp(role, "instructor") && strcmp(role, "admin"))) {
		reply_error(r, 422, "the body is {\"role\": \"student\", \"instructor\" or \"admin\"}");
	} else if (who->external) {
		reply_error(r, 422, "'%.100s' is an auto-grader's student: it has no role to change", who->name);
	} else if (who->id == u->id && strcmp(role, "admin")) {
		reply_error(r, 422, "an admin cannot take their own admin role: ask another admin");
	} else if (tq_store_user_set_role(st, who->id, role) != 0) {
		db_error(r, st);
	} else {
		reply_json(r, 200, json_pack("{s:s,s:s}", "name", who->name, "role", role));
	}
	json_decref(body);
}

static void
users_routes(struct app *a, const char *method, const char *path, const struct tq_user *u, const struct req *q,
    struct reply *r)
{
	struct tq_store *st = app_store(a);
	if (!st) {
		db_error(r, st);
		return;
	}
	const char *rest = after(path, "/api/v1/users/");
	if (rest) {
		/* /api/v1/users/NAME[/password|/reset-code] */
		char name[200];
		size_t n = strcspn(rest, "/");
		struct tq_user who;
		if (n >= sizeof(name)) {
			reply_error(r, 404, "there is no account '%.100s'", rest);
			return;
		}
		memcpy(name, rest, n);
		name[n] = '\0';
		int rc = tq_store_user_by_name(st, name, &who);
		if (rc == TQ_STORE_NOTFOUND) {
			reply_error(r, 404, "there is no account '%.100s'", name);
			return;
		}
		if (rc) {
			db_error(r, st);
			return;
		}
		if (!rest[n])
			user_change(a, u, &who, q, r);
		else if (!strcmp(rest + n, "/password"))
			password_set(a, &who, q, r);
		else
			reset_code_route(a, u, &who, r);
		return;
	}
	if (!strcmp(method, "GET")) {
		json_t *l = tq_store_users(st);
		if (!l)
			db_error(r, st);
		else
			reply_json(r, 200, json_pack("{s:o}", "users", l));
		return;
	}
	json_t *body = parse_body(q, r);
	if (!body)
		return;
	const char *name = json_string_value(json_object_get(body, "name"));
	const char *role = json_string_value(json_object_get(body, "role"));
	const char *given = json_string_value(json_object_get(body, "password"));
	char pw[33], hash[160];
	int64_t id;
	if (!name_ok(name) || !role || (strcmp(role, "student") && strcmp(role, "instructor") && strcmp(role, "admin")) ||
	    (json_object_get(body, "password") && (!given || strlen(given) < 8 || strlen(given) > 1000))) {
		reply_error(r, 422, "give name (1 to 100 printable characters, no space, ',' or '/'), role (student, instructor "
		    "or admin) and, if you choose it, password (8 to 1000 characters)");
	} else {
		if (!given)
			tq_secret(pw, 16);
		int rc = (given ? tq_password_hash(given, hash, sizeof(hash)) : tq_password_hash_random(pw, hash, sizeof(hash))) ?
		    TQ_STORE_ERROR : tq_store_user_add(st, name, role, hash, 0, &id);
		if (rc == TQ_STORE_EXISTS)
			reply_error(r, 409, "there is an account '%.100s' already", name);
		else if (rc)
			db_error(r, st);
		else
			reply_json(r, 201, given ? json_pack("{s:s,s:s}", "name", name, "role", role) :
			    json_pack("{s:s,s:s,s:s}", "name", name, "role", role, "password", pw));
	}
	json_decref(body);
}

/* ------------------------------------------------------------------ routing */

/* The routes of routes.c's table that are this file's, by their first segments. */
void
api_author_routes(struct app *a, struct MHD_Connection *c, const char *method, const char *path, struct req *q,
    struct reply *r)
{
	const struct tq_user *u = &q->user;
	if (!strcmp(path, "/api/v1/traces") || after(path, "/api/v1/traces/"))
		traces_routes(a, c, method, path, u, q, r);
	else if (!strcmp(path, "/api/v1/exercises") || after(path, "/api/v1/exercises/"))
		exercises_routes(a, c, method, path, u, q, r);
	else if (!strcmp(path, "/api/v1/courses") || after(path, "/api/v1/courses/"))
		courses_routes(a, c, method, path, u, q, r);
	else if (!strcmp(path, "/api/v1/eval"))
		route_eval(a, u, q, r);
	else if (!strcmp(path, "/api/v1/suggest"))
		route_suggest(a, u, q, r);
	else if (!strcmp(path, "/api/v1/tokens") || after(path, "/api/v1/tokens/"))
		tokens_routes(a, method, path, u, q, r);
	else
		users_routes(a, method, path, u, q, r);
}
