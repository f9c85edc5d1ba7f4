/*
 * serve.c - tracequiz serve: libmicrohttpd with an internal thread pool, a
 * SQLite connection per worker thread, exercises kept loaded (capture open,
 * keys computed) so grading reads memory, and the JSON REST API.
 *
 * A request is answered in three steps: the first call checks the method and
 * the announced length (413 before reading a byte too many); the body is then
 * gathered up to its cap; the last call routes it.  Every error is JSON,
 * {"error": "what was wrong"}, with its HTTP status.
 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "server.h"

#ifndef TQ_SRCDIR
#define TQ_SRCDIR "."
#endif

/* ------------------------------------------------------------------ per-thread store */

static pthread_key_t store_key;
static pthread_once_t store_once = PTHREAD_ONCE_INIT;

static void
store_free(void *p)
{
	tq_store_close(p);
}

static void
store_key_make(void)
{
	pthread_key_create(&store_key, store_free);
}

struct tq_store *
app_store(struct app *a)
{
	pthread_once(&store_once, store_key_make);
	struct tq_store *st = pthread_getspecific(store_key);
	if (!st) {
		char err[512];
		if (tq_store_open(a->o.db, &st, err, sizeof(err)) != 0) {
			fprintf(stderr, "tracequiz: %s\n", err);
			return NULL;
		}
		tq_store_no_autocheckpoint(st);     /* the checkpointer thread does it */
		pthread_setspecific(store_key, st);
	}
	return st;
}

/*
 * Checkpoints the write-ahead log every second in a thread of its own, so
 * that no request waits for one: SQLite's automatic checkpoint would copy the
 * log into the database inside whichever commit crosses 1,000 pages.
 */
struct checkpointer {
	struct app *a;
	pthread_t th;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int stop;
};

static void *
checkpoint_loop(void *arg)
{
	struct checkpointer *ck = arg;
	struct tq_store *st;
	char err[512];
	if (tq_store_open(ck->a->o.db, &st, err, sizeof(err)) != 0) {
		fprintf(stderr, "tracequiz: checkpoints: %s\n", err);
		return NULL;
	}
	pthread_mutex_lock(&ck->mu);
	while (!ck->stop) {
		struct timespec until;
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_sec += 1;
		pthread_cond_timedwait(&ck->cv, &ck->mu, &until);
		pthread_mutex_unlock(&ck->mu);
		if (tq_store_checkpoint(st, 0) != 0)
			fprintf(stderr, "tracequiz: %s\n", tq_store_error(st));
		pthread_mutex_lock(&ck->mu);
	}
	pthread_mutex_unlock(&ck->mu);
	tq_store_checkpoint(st, 1);             /* the log emptied at the end */
	tq_store_close(st);
	return NULL;
}

/* ------------------------------------------------------------------ loaded exercises */

/* What a student may see of an exercise: its questions without keys,
 * expected answers, validity or feedback. */
static json_t *
public_doc(const json_t *doc)
{
	json_t *d = json_deep_copy(doc);
	json_t *qs = json_object_get(d, "questions");
	size_t i;
	json_t *q;
	json_array_foreach(qs, i, q) {
		json_object_del(q, "key");
		json_object_del(q, "answer");
		json_object_del(q, "accept");
		json_object_del(q, "match");
		json_object_del(q, "feedback");
		json_object_del(q, "tolerance");
		json_object_del(q, "normalize");
		size_t c;
		json_t *ch;
		json_array_foreach(json_object_get(q, "choices"), c, ch) {
			json_object_del(ch, "valid");
			json_object_del(ch, "feedback");
		}
	}
	return d;
}

static void
loaded_free(struct loaded *l)
{
	if (!l)
		return;
	tq_exercise_free(l->ex);
	tq_capture_free(l->cap);
	json_decref(l->public_doc);
	free(l);
}

void
app_release(struct loaded *l)
{
	if (l && __atomic_sub_fetch(&l->refs, 1, __ATOMIC_ACQ_REL) == 0)
		loaded_free(l);
}

static struct loaded *
hold(struct loaded *l)
{
	__atomic_add_fetch(&l->refs, 1, __ATOMIC_ACQ_REL);
	return l;
}

/* Adds l to *list unless another thread was quicker; returns the one kept, held. */
static struct loaded *
keep(struct app *a, struct loaded **list, struct loaded *l, size_t max)
{
	pthread_rwlock_wrlock(&a->lock);
	size_t n = 0;
	for (struct loaded *o = *list; o; o = o->next, n++)
		if (!strcmp(o->slug, l->slug)) {
			hold(o);
			pthread_rwlock_unlock(&a->lock);
			loaded_free(l);
			return o;
		}
	/* a bounded list loses its oldest */
	if (max && n >= max) {
		struct loaded **pp = list;
		while ((*pp)->next)
			pp = &(*pp)->next;
		struct loaded *old = *pp;
		*pp = NULL;
		app_release(old);
	}
	l->refs = 2;                 /* the list's and the caller's */
	l->next = *list;
	*list = l;
	pthread_rwlock_unlock(&a->lock);
	return l;
}

static struct loaded *
find_held(struct app *a, struct loaded *const *list, const char *slug)
{
	pthread_rwlock_rdlock(&a->lock);
	for (struct loaded *l = *list; l; l = l->next)
		if (!strcmp(l->slug, slug)) {
			hold(l);
			pthread_rwlock_unlock(&a->lock);
			return l;
		}
	pthread_rwlock_unlock(&a->lock);
	return NULL;
}

void
app_forget(struct app *a, const char *slug)
{
	pthread_rwlock_wrlock(&a->lock);
	for (struct loaded **pp = &a->exercises; *pp; pp = &(*pp)->next)
		if (!strcmp((*pp)->slug, slug)) {
			struct loaded *l = *pp;
			*pp = l->next;
			app_release(l);
			break;
		}
	pthread_rwlock_unlock(&a->lock);
}

/* Reads a stored capture into memory and opens it. */
static int
open_stored(struct tq_store *st, int64_t capture_id, struct tq_capture **cap, char *sha, char *err, size_t errlen)
{
	void *data = NULL;
	size_t size = 0;
	int rc = tq_store_capture_get(st, capture_id, &data, &size, sha);
	if (rc || !data) {
		snprintf(err, errlen, "the capture cannot be read from the database: %s", rc ? tq_store_error(st) : "out of memory");
		free(data);
		return -1;
	}
	rc = tq_capture_open_mem(data, size, cap, err, errlen);
	free(data);
	return rc ? -1 : 0;
}

struct loaded *
app_exercise(struct app *a, const char *slug, char *err, size_t errlen)
{
	struct loaded *l = find_held(a, &a->exercises, slug);
	if (l)
		return l;
	struct tq_store *st = app_store(a);
	if (!st) {
		snprintf(err, errlen, "the database cannot be opened");
		return NULL;
	}
	struct tq_exrow row;
	int rc = tq_store_exercise_get(st, slug, &row);
	if (rc) {
		snprintf(err, errlen, rc == TQ_STORE_NOTFOUND ? "there is no exercise '%.100s'" : "%s", rc == TQ_STORE_NOTFOUND ? slug :
		    tq_store_error(st));
		return NULL;
	}
	l = calloc(1, sizeof(*l));
	json_error_t je;
	json_t *doc = json_loads(row.doc, 0, &je);
	if (!l || !doc) {
		snprintf(err, errlen, !l ? "out of memory" : "exercise '%.100s' is damaged in the database", slug);
		goto fail;
	}
	snprintf(l->slug, sizeof(l->slug), "%s", row.slug);
	l->id = row.id;
	l->course_id = row.course_id;
	l->capture_id = row.capture_id;
	l->published = row.published;
	{
		/* the version: a save that changes the document or the capture changes the ETags */
		char h[65];
		tq_sha256_hex(row.doc, strlen(row.doc), h);
		snprintf(l->version, sizeof(l->version), "%.8s%lld", h, (long long)row.capture_id);
	}
	if (tq_exercise_from_json(doc, NULL, &l->ex, err, errlen) != 0 ||
	    open_stored(st, row.capture_id, &l->cap, l->sha256, err, errlen) != 0 ||
	    tq_exercise_compute_keys(l->ex, l->cap, err, errlen) != 0)
		goto fail;
	l->public_doc = public_doc(tq_exercise_doc(l->ex));
	json_decref(doc);
	tq_exrow_free(&row);
	return keep(a, &a->exercises, l, 0);
fail:
	json_decref(doc);
	tq_exrow_free(&row);
	loaded_free(l);
	return NULL;
}

struct loaded *
app_trace(struct app *a, const struct tq_capmeta *m, char *err, size_t errlen)
{
	struct loaded *l = find_held(a, &a->traces, m->sha256);
	if (l)
		return l;
	struct tq_store *st = app_store(a);
	if (!st) {
		snprintf(err, errlen, "the database cannot be opened");
		return NULL;
	}
	l = calloc(1, sizeof(*l));
	if (!l) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	snprintf(l->slug, sizeof(l->slug), "%s", m->sha256);
	l->id = -m->id;              /* apart from the exercises' ids in ETags */
	snprintf(l->version, sizeof(l->version), "t");
	l->capture_id = m->id;
	if (open_stored(st, m->id, &l->cap, l->sha256, err, errlen) != 0) {
		loaded_free(l);
		return NULL;
	}
	return keep(a, &a->traces, l, 8);
}

/* ------------------------------------------------------------------ first start */

/* Stores an exercise folder: its capture once, the document and its keys. */
static int
store_exercise_dir(struct tq_store *st, const char *dir, const char *slug, int64_t course_id, char *err, size_t errlen)
{
	struct tq_exercise *ex = NULL;
	struct tq_capture *cap = NULL;
	void *data = NULL;
	int rc = -1;
	if (tq_exercise_load(dir, &ex, err, errlen) != 0)
		return -1;
	const char *cp = tq_exercise_capture_path(ex);
	if (!cp) {
		snprintf(err, errlen, "%s has no capture", dir);
		goto out;
	}
	FILE *fp = fopen(cp, "rb");
	struct stat sb;
	if (!fp || fstat(fileno(fp), &sb) != 0 || !(data = malloc((size_t)sb.st_size + 1)) ||
	    fread(data, 1, (size_t)sb.st_size, fp) != (size_t)sb.st_size) {
		snprintf(err, errlen, "%s: %s", cp, strerror(errno ? errno : EIO));
		if (fp)
			fclose(fp);
		goto out;
	}
	fclose(fp);
	if (tq_capture_open_mem(data, (size_t)sb.st_size, &cap, err, errlen) != 0 ||
	    tq_exercise_compute_keys(ex, cap, err, errlen) != 0)
		goto out;
	char sha[65];
	tq_sha256_hex(data, (size_t)sb.st_size, sha);
	json_t *keys = tq_exercise_keys_json(ex);
	char *doc = json_dumps(tq_exercise_doc(ex), JSON_COMPACT);
	char *ks = json_dumps(keys, JSON_COMPACT);
	json_decref(keys);
	const char *base = strrchr(cp, '/');
	int64_t cid, eid;
	if (doc && ks && tq_store_begin(st) == 0 &&
	    tq_store_capture_put(st, sha, base ? base + 1 : cp, data, (size_t)sb.st_size, tq_capture_count(cap), &cid) == 0 &&
	    tq_store_exercise_put(st, slug, course_id, doc, cid, ks, 1, &eid) == 0 && tq_store_commit(st) == 0)
		rc = 0;
	else {
		snprintf(err, errlen, "storing %s: %s", slug, tq_store_error(st));
		tq_store_rollback(st);
	}
	free(doc);
	free(ks);
out:
	free(data);
	tq_capture_free(cap);
	tq_exercise_free(ex);
	return rc;
}

static const char *
find_dir(const char *given, const char *rel)
{
	static char buf[2][4096];
	static int k;
	if (given)
		return given;
	struct stat sb;
	if (stat(rel, &sb) == 0 && S_ISDIR(sb.st_mode))
		return rel;
	k ^= 1;
	snprintf(buf[k], sizeof(buf[k]), "%s/%s", TQ_SRCDIR, rel);
	return buf[k];
}

/* A fresh database gets the demo exercise and an admin whose password is printed once. */
static int
first_start(struct app *a)
{
	struct tq_store *st = app_store(a);
	if (!st)
		return -1;
	int64_t users;
	if (tq_store_user_count(st, &users) != 0) {
		fprintf(stderr, "tracequiz: %s\n", tq_store_error(st));
		return -1;
	}
	char err[1024];
	/* the demo course is open: every account sees its exercise */
	int64_t course;
	struct tq_course dc;
	int rc = tq_store_course_get(st, "demo", &dc);
	if (rc == TQ_STORE_NOTFOUND)
		rc = tq_store_course_add(st, "demo", "Demo course", 1, &course);
	else
		course = dc.id;
	if (rc != 0) {
		fprintf(stderr, "tracequiz: %s\n", tq_store_error(st));
		return -1;
	}
	struct tq_exrow row;
	if (tq_store_exercise_get(st, "smtp-over-tls", &row) == 0) {
		tq_exrow_free(&row);
	} else {
		const char *seed = a->o.seed;
		if (store_exercise_dir(st, seed, "smtp-over-tls", course, err, sizeof(err)) != 0) {
			fprintf(stderr, "tracequiz: the demo exercise: %s\n", err);
			return -1;
		}
		fprintf(stderr, "tracequiz: loaded the demo exercise smtp-over-tls from %s\n", seed);
	}
	if (users == 0) {
		char pw[33], hash[160];
		int64_t id;
		tq_secret(pw, 16);
		if (tq_password_hash(pw, hash, sizeof(hash)) != 0 || tq_store_user_add(st, "admin", "admin", hash, 0, &id) != 0 ||
		    tq_store_teacher_add(st, course, id) != 0) {
			fprintf(stderr, "tracequiz: creating the admin account: %s\n", tq_store_error(st));
			return -1;
		}
		printf("tracequiz: created the account 'admin' with the password %s (shown once: keep it)\n", pw);
		fflush(stdout);
	}
	return 0;
}

/* ------------------------------------------------------------------ requests */

void
reply_json(struct reply *r, unsigned status, json_t *j)
{
	r->status = status;
	json_decref(r->json);
	r->json = j;
}

void
reply_error(struct reply *r, unsigned status, const char *fmt, ...)
{
	char msg[768];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	reply_json(r, status, json_pack("{s:s}", "error", msg));
}

const char *
header(struct MHD_Connection *c, const char *name)
{
	return MHD_lookup_connection_value(c, MHD_HEADER_KIND, name);
}

/* The account behind "Authorization: Bearer TOKEN", or 401/403 set in r. */
int
bearer_user(struct app *a, struct MHD_Connection *c, struct reply *r, struct tq_user *u)
{
	const char *h = header(c, "Authorization");
	if (!h || strncasecmp(h, "Bearer ", 7) != 0 || !h[7]) {
		reply_error(r, 401, "this needs an API token: Authorization: Bearer TOKEN (tracequiz token add NAME)");
		return -1;
	}
	uint8_t hash[32];
	tq_sha256(h + 7, strlen(h + 7), hash);
	struct tq_store *st = app_store(a);
	int rc = st ? tq_store_token_user(st, hash, u) : TQ_STORE_ERROR;
	if (rc == TQ_STORE_NOTFOUND) {
		reply_error(r, 401, "the API token is not valid");
		return -1;
	}
	if (rc) {
		reply_error(r, 500, "the database failed: %s", st ? tq_store_error(st) : "cannot open");
		return -1;
	}
	return 0;
}

json_t *
parse_body(const struct req *q, struct reply *r)
{
	if (!q->len) {
		reply_error(r, 400, "the request needs a JSON body");
		return NULL;
	}
	json_error_t je;
	json_t *j = json_loadb(q->body, q->len, JSON_REJECT_DUPLICATES, &je);
	if (!j) {
		reply_error(r, 400, "the body is not valid JSON: %s (line %d, column %d)", je.text, je.line, je.column);
		return NULL;
	}
	if (!json_is_object(j)) {
		json_decref(j);
		reply_error(r, 400, "the body must be a JSON object");
		return NULL;
	}
	return j;
}

/* POST /api/v1/grade: {"exercise", "student", "answers"} -> the grade, stored first. */
static void
route_grade(struct app *a, struct MHD_Connection *c, const struct req *q, struct reply *r)
{
	struct tq_user who;
	if (bearer_user(a, c, r, &who))
		return;
	if (strcmp(who.role, "instructor") && strcmp(who.role, "admin")) {
		reply_error(r, 403, "only instructors' and admins' tokens may grade");
		return;
	}
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
	if (!slug || !*slug) {
		reply_error(r, 400, "exercise: expected the exercise's slug as text");
		goto out;
	}
	if (!student || !*student || strlen(student) > 100) {
		reply_error(r, 400, "student: expected the student's id as text (1 to 100 characters)");
		goto out;
	}
	if (!json_is_object(answers)) {
		reply_error(r, 400, "answers: expected an object from question id to answer");
		goto out;
	}
	char err[600];
	l = app_exercise(a, slug, err, sizeof(err));
	if (!l) {
		reply_error(r, strstr(err, "there is no exercise") ? 404 : 500, "%s", err);
		goto out;
	}
	struct tq_store *st = app_store(a);
	if (strcmp(who.role, "admin") && tq_store_teaches(st, l->course_id, who.id) != 1) {
		reply_error(r, 403, "your token's account does not teach the course of '%.100s'", slug);
		goto out;
	}
	json_t *res = tq_exercise_grade(l->ex, l->cap, answers, err, sizeof(err));
	if (!res) {
		reply_error(r, 400, "answers: %s", err);
		goto out;
	}
	/* the submission is committed before the grade is sent */
	char *ans = json_dumps(answers, JSON_COMPACT);
	char *rs = json_dumps(res, JSON_COMPACT);
	struct tq_user stu;
	int rc = ans && rs ? tq_store_begin(st) : TQ_STORE_ERROR;
	if (rc == 0) {
		rc = tq_store_user_by_name(st, student, &stu);
		if (rc == TQ_STORE_NOTFOUND)
			rc = tq_store_user_add(st, student, "student", NULL, 1, &stu.id);
		else if (rc == 0 && strcmp(stu.role, "student"))
			rc = 1;
		if (rc == 0)
			rc = tq_store_enrol(st, l->course_id, stu.id);
		if (rc == 0)
			rc = tq_store_submission_add(st, l->id, stu.id, ans, json_number_value(json_object_get(res, "score")),
			    json_number_value(json_object_get(res, "max")), rs, NULL);
		if (rc == 0)
			rc = tq_store_commit(st);
		if (rc)
			tq_store_rollback(st);
	}
	if (rc == 1)
		reply_error(r, 409, "'%.100s' is an account that is not a student's", student);
	else if (rc)
		reply_error(r, 503, "the submission could not be stored (%s); nothing was kept, try again", tq_store_error(st));
	else
		reply_json(r, 200, json_incref(res));
	json_decref(res);
	free(ans);
	free(rs);
out:
	app_release(l);
	json_decref(body);
}

/* doc/openapi.json, compiled in (server/openapi.c) */
extern const char tq_openapi[];
extern const size_t tq_openapi_len;

static void
route_api(struct app *a, struct MHD_Connection *c, const char *method, const char *path, const struct req *q,
    struct reply *r)
{
	if (!strcmp(path, "/api/v1/openapi.json")) {
		if (strcmp(method, "GET") && strcmp(method, "HEAD")) {
			reply_error(r, 405, "use GET for the OpenAPI document");
		} else if ((r->raw = malloc(tq_openapi_len))) {
			memcpy(r->raw, tq_openapi, tq_openapi_len);
			r->rawlen = tq_openapi_len;
			r->status = 200;
			r->ctype = "application/json";
		} else {
			reply_error(r, 500, "out of memory");
		}
		return;
	}
	if (api_session(a, c, method, path, q, r) || api_exercise_routes(a, c, method, path, q, r) ||
	    api_author_routes(a, c, method, path, q, r))
		return;
	if (!strcmp(path, "/api/v1/grade")) {
		if (strcmp(method, "POST"))
			reply_error(r, 405, "use POST for /api/v1/grade");
		else
			route_grade(a, c, q, r);
		return;
	}
	reply_error(r, 404, "there is no API route %.200s", path);
}

/* ------------------------------------------------------------------ static files */

static const char *
mime(const char *path)
{
	const char *dot = strrchr(path, '.');
	static const struct { const char *ext, *type; } types[] = {
		{ ".html", "text/html; charset=utf-8" }, { ".js", "text/javascript; charset=utf-8" },
		{ ".css", "text/css; charset=utf-8" }, { ".json", "application/json" }, { ".svg", "image/svg+xml" },
		{ ".png", "image/png" }, { ".ico", "image/x-icon" }, { ".txt", "text/plain; charset=utf-8" },
	};
	for (size_t i = 0; dot && i < sizeof(types) / sizeof(types[0]); i++)
		if (!strcmp(dot, types[i].ext))
			return types[i].type;
	return "application/octet-stream";
}

static void
route_static(struct app *a, const char *method, const char *path, struct reply *r)
{
	if (strcmp(method, "GET") && strcmp(method, "HEAD")) {
		reply_error(r, 405, "use GET for %.200s", path);
		return;
	}
	/* only plain names: letters, digits, '-', '_', '.', '/', and no ".." */
	if (strstr(path, "..") || strspn(path, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./") != strlen(path) ||
	    strlen(path) > 200) {
		reply_error(r, 404, "there is no page %.200s", path);
		return;
	}
	char file[4400];
	snprintf(file, sizeof(file), "%s%s%s", a->o.www, path, path[strlen(path) - 1] == '/' ? "index.html" : "");
	int fd = open(file, O_RDONLY | O_CLOEXEC);
	struct stat sb;
	if (fd < 0 || fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode)) {
		if (fd >= 0)
			close(fd);
		reply_error(r, 404, "there is no page %.200s", path);
		return;
	}
	r->status = 200;
	r->fd = fd;
	r->fdlen = (size_t)sb.st_size;
	r->ctype = mime(file);
}

/* ------------------------------------------------------------------ libmicrohttpd glue */

static enum MHD_Result
send_reply(struct MHD_Connection *c, struct reply *r)
{
	struct MHD_Response *resp;
	if (r->not_modified) {
		resp = MHD_create_response_from_buffer(0, (char *)"", MHD_RESPMEM_PERSISTENT);
		r->status = 304;
	} else if (r->fd >= 0) {
		resp = MHD_create_response_from_fd(r->fdlen, r->fd);
	} else if (r->raw) {
		resp = MHD_create_response_from_buffer(r->rawlen, r->raw, MHD_RESPMEM_MUST_FREE);
		r->raw = NULL;
	} else {
		if (!r->json)
			reply_error(r, 500, "no reply");
		char *s = json_dumps(r->json, JSON_COMPACT);
		size_t n = s ? strlen(s) : 0;
		if (s && n < SIZE_MAX - 2) {
			char *t = realloc(s, n + 2);
			if (t) {
				s = t;
				s[n++] = '\n';
				s[n] = '\0';
			}
		}
		resp = MHD_create_response_from_buffer(n, s ? s : (char *)"", s ? MHD_RESPMEM_MUST_FREE : MHD_RESPMEM_PERSISTENT);
		r->ctype = "application/json";
	}
	if (!resp)
		return MHD_NO;
	MHD_add_response_header(resp, "Content-Type", r->ctype ? r->ctype : "application/json");
	MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
	MHD_add_response_header(resp, "Content-Security-Policy", "default-src 'self'; frame-ancestors 'none'");
	MHD_add_response_header(resp, "Referrer-Policy", "no-referrer");
	if (r->status == 405)
		MHD_add_response_header(resp, "Allow", "GET, HEAD, POST, PUT, DELETE");
	if (r->cookie[0])
		MHD_add_response_header(resp, "Set-Cookie", r->cookie);
	if (r->disposition[0])
		MHD_add_response_header(resp, "Content-Disposition", r->disposition);
	if (r->etag[0]) {
		/* a stored capture never changes: its views may be kept, but asked again */
		MHD_add_response_header(resp, "ETag", r->etag);
		MHD_add_response_header(resp, "Cache-Control", "private, no-cache");
	} else {
		MHD_add_response_header(resp, "Cache-Control", "no-store");
	}
	enum MHD_Result ret = MHD_queue_response(c, r->status, resp);
	MHD_destroy_response(resp);
	json_decref(r->json);
	r->json = NULL;
	return ret;
}

/* Captures and exercise folders may be large; every other body is small. */
static size_t
body_cap(const struct app *a, const char *method, const char *url)
{
	size_t n = strcspn(url, "?");
	int post = !strcmp(method, "POST"), put = !strcmp(method, "PUT");
	if ((post && n == 14 && !strncmp(url, "/api/v1/traces", 14)) ||
	    (post && n == 17 && !strncmp(url, "/api/v1/exercises", 17)) ||
	    (put && n > 18 && !strncmp(url, "/api/v1/exercises/", 18) && !memchr(url + 18, '/', n - 18)))
		return a->o.max_upload;
	return a->o.max_body;
}

static enum MHD_Result
on_request(void *cls, struct MHD_Connection *c, const char *url, const char *method, const char *version,
    const char *upload, size_t *upload_size, void **con_cls)
{
	(void)version;
	struct app *a = cls;
	struct req *q = *con_cls;
	struct reply r = { .fd = -1 };
	if (!q) {
		q = calloc(1, sizeof(*q));
		if (!q)
			return MHD_NO;
		q->max = body_cap(a, method, url);
		*con_cls = q;
		/* refuse an announced body past its cap before reading it */
		const char *cl = header(c, "Content-Length");
		if (cl && strtoull(cl, NULL, 10) > q->max) {
			reply_error(&r, 413, "the body is larger than %zu bytes", q->max);
			return send_reply(c, &r);
		}
		return MHD_YES;
	}
	if (*upload_size) {
		if (!q->too_big) {
			if (q->len + *upload_size > q->max) {
				q->too_big = 1;
				free(q->body);
				q->body = NULL;
				q->len = q->cap = 0;
			} else {
				if (q->len + *upload_size + 1 > q->cap) {
					size_t nc = q->cap ? q->cap : 4096;
					while (nc < q->len + *upload_size + 1)
						nc *= 2;
					char *nb = realloc(q->body, nc);
					if (!nb)
						return MHD_NO;
					q->body = nb;
					q->cap = nc;
				}
				memcpy(q->body + q->len, upload, *upload_size);
				q->len += *upload_size;
				q->body[q->len] = '\0';
			}
		}
		*upload_size = 0;
		return MHD_YES;
	}
	if (q->too_big) {
		reply_error(&r, 413, "the body is larger than %zu bytes", q->max);
		return send_reply(c, &r);
	}
	/* the path without its query string */
	char path[1024];
	size_t pl = strcspn(url, "?");
	if (pl >= sizeof(path)) {
		reply_error(&r, 414, "the URL is too long");
		return send_reply(c, &r);
	}
	memcpy(path, url, pl);
	path[pl] = '\0';
	if (!strcmp(path, "/healthz")) {
		if (strcmp(method, "GET") && strcmp(method, "HEAD"))
			reply_error(&r, 405, "use GET for /healthz");
		else
			reply_json(&r, 200, json_pack("{s:s}", "status", "ok"));
	} else if (!strncmp(path, "/api/", 5)) {
		route_api(a, c, method, path, q, &r);
	} else {
		route_static(a, method, path, &r);
	}
	return send_reply(c, &r);
}

static void
on_completed(void *cls, struct MHD_Connection *c, void **con_cls, enum MHD_RequestTerminationCode toe)
{
	(void)cls;
	(void)c;
	(void)toe;
	struct req *q = *con_cls;
	if (q) {
		free(q->body);
		free(q);
		*con_cls = NULL;
	}
}

static int
parse_listen(const char *s, struct sockaddr_in *sa)
{
	char host[64];
	const char *colon = strrchr(s, ':');
	if (!colon || (size_t)(colon - s) >= sizeof(host))
		return -1;
	memcpy(host, s, (size_t)(colon - s));
	host[colon - s] = '\0';
	char *end;
	long port = strtol(colon + 1, &end, 10);
	if (*end || port < 0 || port > 65535)
		return -1;
	memset(sa, 0, sizeof(*sa));
	sa->sin_family = AF_INET;
	sa->sin_port = htons((uint16_t)port);
	return inet_pton(AF_INET, *host ? host : "0.0.0.0", &sa->sin_addr) == 1 ? 0 : -1;
}

static void
app_free(struct app *a)
{
	struct loaded *lists[] = { a->exercises, a->traces };
	for (size_t i = 0; i < 2; i++)
		for (struct loaded *l = lists[i], *n; l; l = n) {
			n = l->next;
			app_release(l);
		}
	pthread_rwlock_destroy(&a->lock);
	free(a);
}

/* Listens until SIGINT or SIGTERM; a's exercises are loaded. */
static int
run(struct app *a, const struct sockaddr_in *sa)
{
	/* SIGINT and SIGTERM are waited for here, not delivered to workers */
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);

	struct MHD_Daemon *d = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ERROR_LOG,
	    0, NULL, NULL, on_request, a,
	    MHD_OPTION_SOCK_ADDR, (const struct sockaddr *)sa,
	    MHD_OPTION_THREAD_POOL_SIZE, (unsigned)(a->o.threads ? a->o.threads : 4),
	    MHD_OPTION_CONNECTION_LIMIT, (unsigned)1024,
	    MHD_OPTION_PER_IP_CONNECTION_LIMIT, (unsigned)256,
	    MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)30,
	    MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)(64 * 1024),
	    MHD_OPTION_NOTIFY_COMPLETED, on_completed, a,
	    MHD_OPTION_END);
	if (!d) {
		fprintf(stderr, "tracequiz: cannot listen on %s: %s\n", a->o.listen, strerror(errno));
		return 1;
	}
	const union MHD_DaemonInfo *di = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
	printf("tracequiz: serving http://%s:%u/ (database %s)\n", inet_ntoa(sa->sin_addr),
	    di ? di->port : ntohs(sa->sin_port), a->o.db);
	fflush(stdout);
	struct checkpointer ck = { .a = a, .mu = PTHREAD_MUTEX_INITIALIZER, .cv = PTHREAD_COND_INITIALIZER };
	int ck_started = pthread_create(&ck.th, NULL, checkpoint_loop, &ck) == 0;
	int sig = 0;
	sigwait(&set, &sig);
	fprintf(stderr, "tracequiz: %s: finishing the requests in flight\n", sig == SIGINT ? "SIGINT" : "SIGTERM");
	MHD_stop_daemon(d);        /* waits for the workers */
	if (ck_started) {
		pthread_mutex_lock(&ck.mu);
		ck.stop = 1;
		pthread_cond_signal(&ck.cv);
		pthread_mutex_unlock(&ck.mu);
		pthread_join(ck.th, NULL);
	}
	return 0;
}

int
tq_serve(const struct tq_server_opts *o)
{
	struct sockaddr_in sa;
	if (parse_listen(o->listen, &sa) != 0) {
		fprintf(stderr, "tracequiz: --listen %s: give ADDR:PORT, such as 127.0.0.1:8080\n", o->listen);
		return 2;
	}
	struct app *a = calloc(1, sizeof(*a));
	if (!a)
		return 1;
	a->o = *o;
	pthread_rwlock_init(&a->lock, NULL);
	int rc = first_start(a) != 0 ? 1 : run(a, &sa);
	app_free(a);
	return rc;
}

/* ------------------------------------------------------------------ commands */

int
cmd_serve(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "listen", required_argument, NULL, 'l' }, { "db", required_argument, NULL, 'd' },
		{ "www", required_argument, NULL, 'w' }, { "seed", required_argument, NULL, 's' },
		{ "threads", required_argument, NULL, 't' }, { "max-upload", required_argument, NULL, 'u' },
		{ NULL, 0, NULL, 0 },
	};
	struct tq_server_opts o = { .listen = "127.0.0.1:8080", .db = "tracequiz.db", .max_body = 1u << 20,
	    .max_upload = 64u << 20, .threads = 0 };
	const char *www = NULL, *seed = NULL;
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "l:d:w:s:t:u:", opts, NULL)) != -1) {
		switch (c) {
		case 'l': o.listen = optarg; break;
		case 'd': o.db = optarg; break;
		case 'w': www = optarg; break;
		case 's': seed = optarg; break;
		case 't': o.threads = (unsigned)strtoul(optarg, NULL, 10); break;
		case 'u': o.max_upload = (size_t)strtoull(optarg, NULL, 10) << 20; break;
		default:
			fprintf(stderr, "usage: tracequiz serve [--listen ADDR:PORT] [--db FILE] [--www DIR] [--seed DIR] [--threads N]\n");
			return 2;
		}
	}
	if (!o.threads) {
		long n = sysconf(_SC_NPROCESSORS_ONLN);
		o.threads = n > 0 && n < 64 ? (unsigned)n * 2 : 4;
	}
	o.www = find_dir(www, "www");
	o.seed = find_dir(seed, "db/seed/smtp-over-tls");
	return tq_serve(&o);
}

static const char *
db_arg(int argc, char **argv)
{
	for (int i = 0; i < argc - 1; i++)
		if (!strcmp(argv[i], "--db"))
			return argv[i + 1];
	return "tracequiz.db";
}

/* tracequiz user add NAME --role student|instructor|admin [--db FILE] */
int
cmd_user(int argc, char **argv)
{
	if (argc < 3 || strcmp(argv[1], "add")) {
		fprintf(stderr, "usage: tracequiz user add NAME --role student|instructor|admin [--db FILE]\n");
		return 2;
	}
	const char *name = argv[2], *role = NULL;
	for (int i = 3; i < argc - 1; i++)
		if (!strcmp(argv[i], "--role"))
			role = argv[i + 1];
	if (!role || (strcmp(role, "student") && strcmp(role, "instructor") && strcmp(role, "admin"))) {
		fprintf(stderr, "tracequiz: give --role student, instructor or admin\n");
		return 2;
	}
	if (!*name || strlen(name) > 100) {
		fprintf(stderr, "tracequiz: a user name has 1 to 100 characters\n");
		return 2;
	}
	char pw[256] = "", hash[160], err[512];
	if (!isatty(STDIN_FILENO) && fgets(pw, sizeof(pw), stdin)) {
		pw[strcspn(pw, "\r\n")] = '\0';
	}
	int generated = !*pw;
	if (generated)
		tq_secret(pw, 12);
	struct tq_store *st;
	if (tq_store_open(db_arg(argc, argv), &st, err, sizeof(err)) != 0) {
		fprintf(stderr, "tracequiz: %s\n", err);
		return 1;
	}
	int64_t id;
	int rc = tq_password_hash(pw, hash, sizeof(hash)) == 0 ? tq_store_user_add(st, name, role, hash, 0, &id) : -1;
	if (rc == TQ_STORE_EXISTS)
		fprintf(stderr, "tracequiz: there is already a user '%s'\n", name);
	else if (rc)
		fprintf(stderr, "tracequiz: %s\n", tq_store_error(st));
	else if (generated)
		printf("%s %s\n", name, pw);
	tq_store_close(st);
	return rc ? 1 : 0;
}

/* tracequiz token add NAME [--db FILE]: an API token for an instructor or admin */
int
cmd_token(int argc, char **argv)
{
	if (argc < 3 || strcmp(argv[1], "add")) {
		fprintf(stderr, "usage: tracequiz token add NAME [--db FILE]\n");
		return 2;
	}
	char err[512];
	struct tq_store *st;
	if (tq_store_open(db_arg(argc, argv), &st, err, sizeof(err)) != 0) {
		fprintf(stderr, "tracequiz: %s\n", err);
		return 1;
	}
	struct tq_user u;
	int rc = tq_store_user_by_name(st, argv[2], &u);
	if (rc == TQ_STORE_NOTFOUND)
		fprintf(stderr, "tracequiz: there is no user '%s'\n", argv[2]);
	else if (rc)
		fprintf(stderr, "tracequiz: %s\n", tq_store_error(st));
	else if (strcmp(u.role, "instructor") && strcmp(u.role, "admin")) {
		fprintf(stderr, "tracequiz: '%s' is a %s; tokens are for instructors and admins\n", u.name, u.role);
		rc = 1;
	} else {
		char tok[65];
		uint8_t hash[32];
		tq_secret(tok, 32);
		tq_sha256(tok, strlen(tok), hash);
		rc = tq_store_token_add(st, u.id, hash, "cli", NULL);
		if (rc)
			fprintf(stderr, "tracequiz: %s\n", tq_store_error(st));
		else
			printf("%s\n", tok);
	}
	tq_store_close(st);
	return rc ? 1 : 0;
}
