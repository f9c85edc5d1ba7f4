/*
 * api.c - the REST routes a person uses: sessions (log in and out), an
 * exercise's trace (packet list in pages, one frame's tree and bytes, with
 * HTTP caching) and submissions.
 *
 * What a student sees of a trace follows the exercise's view: excluded fields
 * are left out, redacted ones lose their value, and the fields a field
 * question hides lose theirs too, with their bytes masked as "??" in the hex
 * and the frame's packet-list line blanked, since a line such as
 * "Seq=0 Ack=1" would give the answer away.
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

#define SESSION_SECONDS (12 * 3600)
#define LOGIN_WINDOW 900             /* seconds in which failures count */
#define LOGIN_MAX_PER_USER 10
#define LOGIN_MAX_PER_ADDR 50

/* ------------------------------------------------------------------ who is asking */

static void
client_addr(struct MHD_Connection *c, char *buf, size_t len)
{
	const union MHD_ConnectionInfo *ci = MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	snprintf(buf, len, "?");
	if (!ci || !ci->client_addr)
		return;
	if (ci->client_addr->sa_family == AF_INET)
		inet_ntop(AF_INET, &((const struct sockaddr_in *)ci->client_addr)->sin_addr, buf, (socklen_t)len);
	else if (ci->client_addr->sa_family == AF_INET6)
		inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)ci->client_addr)->sin6_addr, buf, (socklen_t)len);
}

int
request_user(struct app *a, struct MHD_Connection *c, const char *method, struct reply *r, struct tq_user *u)
{
	if (header(c, "Authorization"))
		return bearer_user(a, c, r, u);
	const char *cookie = MHD_lookup_connection_value(c, MHD_COOKIE_KIND, "tq_session");
	if (!cookie || strlen(cookie) != 64) {
		reply_error(r, 401, "log in first (POST /api/v1/session), or give an API token");
		return -1;
	}
	uint8_t hash[32];
	tq_sha256(cookie, 64, hash);
	struct tq_store *st = app_store(a);
	char csrf[80];
	int rc = st ? tq_store_session_user(st, hash, (int64_t)time(NULL), u, csrf, sizeof(csrf)) : TQ_STORE_ERROR;
	if (rc == TQ_STORE_NOTFOUND) {
		reply_error(r, 401, "the session has ended: log in again");
		return -1;
	}
	if (rc) {
		reply_error(r, 500, "the database failed: %s", st ? tq_store_error(st) : "cannot open");
		return -1;
	}
	/* a cookie travels by itself: a change needs the token the page was given too */
	if (strcmp(method, "GET") && strcmp(method, "HEAD")) {
		const char *x = header(c, "X-CSRF-Token");
		if (!x || strcmp(x, csrf)) {
			reply_error(r, 403, "this request needs the session's X-CSRF-Token header");
			return -1;
		}
	}
	return 0;
}

/* ------------------------------------------------------------------ sessions */

static void
session_login(struct app *a, struct MHD_Connection *c, const struct req *q, struct reply *r)
{
	json_t *body = parse_body(q, r);
	if (!body)
		return;
	const char *name = json_string_value(json_object_get(body, "name"));
	const char *pw = json_string_value(json_object_get(body, "password"));
	if (!name || !pw || strlen(name) > 100 || strlen(pw) > 1000) {
		reply_error(r, 400, "give name and password as text");
		json_decref(body);
		return;
	}
	struct tq_store *st = app_store(a);
	char addr[64], who_user[140], who_addr[80];
	client_addr(c, addr, sizeof(addr));
	snprintf(who_user, sizeof(who_user), "user:%s", name);
	snprintf(who_addr, sizeof(who_addr), "addr:%s", addr);
	int64_t nu = 0, na = 0, since = (int64_t)time(NULL) - LOGIN_WINDOW;
	if (!st || tq_store_login_failures(st, who_user, since, &nu) || tq_store_login_failures(st, who_addr, since, &na)) {
		reply_error(r, 500, "the database failed");
		json_decref(body);
		return;
	}
	if (nu >= LOGIN_MAX_PER_USER || na >= LOGIN_MAX_PER_ADDR) {
		reply_error(r, 429, "too many failed logins: wait %d minutes", LOGIN_WINDOW / 60);
		json_decref(body);
		return;
	}
	struct tq_user u;
	int rc = tq_store_user_by_name(st, name, &u);
	if (rc || tq_password_check(u.pw_hash, pw) != 0) {
		tq_store_login_failed(st, who_user);
		tq_store_login_failed(st, who_addr);
		reply_error(r, 401, "wrong name or password");
		json_decref(body);
		return;
	}
	char tok[65], csrf[65];
	uint8_t hash[32];
	tq_secret(tok, 32);          /* 256 random bits */
	tq_secret(csrf, 32);
	tq_sha256(tok, 64, hash);
	if (tq_store_session_add(st, hash, u.id, csrf, (int64_t)time(NULL) + SESSION_SECONDS) != 0) {
		reply_error(r, 500, "the session could not be stored: %s", tq_store_error(st));
		json_decref(body);
		return;
	}
	snprintf(r->cookie, sizeof(r->cookie), "tq_session=%s; Path=/; HttpOnly; SameSite=Strict; Max-Age=%d", tok,
	    SESSION_SECONDS);
	reply_json(r, 200, json_pack("{s:s,s:s,s:s}", "name", u.name, "role", u.role, "csrf", csrf));
	json_decref(body);
}

int
api_session(struct app *a, struct MHD_Connection *c, const char *method, const char *path, const struct req *q,
    struct reply *r)
{
	if (strcmp(path, "/api/v1/session"))
		return 0;
	if (!strcmp(method, "POST")) {
		session_login(a, c, q, r);
	} else if (!strcmp(method, "GET")) {
		struct tq_user u;
		if (request_user(a, c, method, r, &u) != 0)
			return 1;
		reply_json(r, 200, json_pack("{s:s,s:s}", "name", u.name, "role", u.role));
		/* a page loaded again finds its session's CSRF token here (the cookie is HttpOnly) */
		const char *cookie = MHD_lookup_connection_value(c, MHD_COOKIE_KIND, "tq_session");
		uint8_t hash[32];
		char csrf[80];
		struct tq_user again;
		if (!header(c, "Authorization") && cookie && strlen(cookie) == 64) {
			tq_sha256(cookie, 64, hash);
			if (tq_store_session_user(app_store(a), hash, (int64_t)time(NULL), &again, csrf, sizeof(csrf)) == 0)
				json_object_set_new(r->json, "csrf", json_string(csrf));
		}
	} else if (!strcmp(method, "DELETE")) {
		struct tq_user u;
		if (request_user(a, c, method, r, &u) != 0)
			return 1;
		const char *cookie = MHD_lookup_connection_value(c, MHD_COOKIE_KIND, "tq_session");
		if (cookie && strlen(cookie) == 64) {
			uint8_t hash[32];
			tq_sha256(cookie, 64, hash);
			tq_store_session_delete(app_store(a), hash);
		}
		snprintf(r->cookie, sizeof(r->cookie), "tq_session=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0");
		reply_json(r, 200, json_pack("{s:b}", "logged_out", 1));
	} else {
		reply_error(r, 405, "use POST to log in, GET to see who you are, DELETE to log out");
	}
	return 1;
}

/* ------------------------------------------------------------------ the trace view */

int
is_staff(const struct tq_user *u)
{
	return !strcmp(u->role, "instructor") || !strcmp(u->role, "admin");
}

static int
in_list(const json_t *list, const char *s)
{
	size_t i;
	json_t *v;
	json_array_foreach(list, i, v)
		if (json_is_string(v) && !strcmp(json_string_value(v), s))
			return 1;
	return 0;
}

/* The fields hidden in frame num by the exercise's field questions. */
static json_t *
hidden_fields(const json_t *doc, uint32_t num)
{
	char key[16];
	snprintf(key, sizeof(key), "%u", num);
	json_t *out = json_array();
	size_t i;
	json_t *q;
	json_array_foreach(json_object_get(doc, "questions"), i, q) {
		json_t *fl = json_object_get(json_object_get(q, "hide"), key);
		size_t k;
		json_t *f;
		json_array_foreach(fl, k, f)
			json_array_append(out, f);
	}
	return out;
}

/* Masks the bytes [off, off+len) of a source's hex as "??". */
static void
mask_bytes(json_t *sources, json_int_t ds, json_int_t off, json_int_t len)
{
	json_t *src = json_array_get(sources, (size_t)ds);
	const char *hex = json_string_value(json_object_get(src, "bytes"));
	if (!hex || off < 0 || len <= 0)
		return;
	size_t n = strlen(hex);
	char *m = strdup(hex);
	if (!m)
		return;
	for (json_int_t i = off; i < off + len && (size_t)(2 * i + 1) < n; i++)
		m[2 * i] = m[2 * i + 1] = '?';
	json_object_set_new(src, "bytes", json_string(m));
	free(m);
}

/* Applies a student's view to an array of tree nodes; 1 when node i was removed. */
static void
student_view(json_t *nodes, const json_t *exclude, const json_t *redact, const json_t *hidden, json_t *sources)
{
	for (size_t i = 0; i < json_array_size(nodes);) {
		json_t *n = json_array_get(nodes, i);
		const char *f = json_string_value(json_object_get(n, "f"));
		if (f && in_list(exclude, f)) {
			json_array_remove(nodes, i);
			continue;
		}
		if (f && (in_list(redact, f) || in_list(hidden, f))) {
			const struct tq_field *fd = tq_field_lookup(f);
			int hide = in_list(hidden, f);
			json_object_set_new(n, "l", json_sprintf("%s: %s", fd ? tq_field_name(fd) : f, hide ? "??" : "(redacted)"));
			json_object_del(n, "v");
			json_object_del(n, "n");
			if (hide) {
				json_object_set_new(n, "hidden", json_true());
				json_t *h = json_object_get(n, "h");
				json_int_t ds = json_integer_value(json_object_get(n, "ds"));
				mask_bytes(sources, ds, json_integer_value(json_array_get(h, 0)), json_integer_value(json_array_get(h, 1)));
			}
		} else if (json_object_get(n, "n")) {
			student_view(json_object_get(n, "n"), exclude, redact, hidden, sources);
		}
		i++;
	}
}

/* "ETag" for what a user sees of an exercise's trace: the exercise, its
 * version (its document and capture: a save may change what is hidden), the
 * viewer's kind and what is asked. */
static int
etag_check(struct MHD_Connection *c, struct reply *r, const struct loaded *l, int staff, const char *what)
{
	/* the exercise's id names it: the slug may be long */
	snprintf(r->etag, sizeof(r->etag), "\"x%lld-%s-%c-%.30s\"", (long long)l->id, l->version, staff ? 'i' : 's', what);
	const char *inm = header(c, "If-None-Match");
	if (inm && !strcmp(inm, r->etag)) {
		r->status = 304;
		r->not_modified = 1;
		return 1;
	}
	return 0;
}

/*
 * Order questions: a student puts frames back in order, so their view must not
 * give the order away.  For each student the frames of an order question are
 * dealt to their places in another order: the row and the tree at place p
 * show frame shuffled(p), numbered p, with the times and the fields that
 * name other frames left out; an answer lists places, and is turned back into
 * frames before it is graded.  A question over more than SHUFFLE_MAX frames
 * is not shuffled in the view (doc/exercises.md).
 */
#define SHUFFLE_MAX 256

int
question_is(const json_t *q, const char *kind)
{
	const char *k = json_string_value(json_object_get(q, "kind"));
	return k && !strcmp(k, kind);
}

struct shuffle {
	uint32_t n;
	uint32_t place[SHUFFLE_MAX], frame[SHUFFLE_MAX];
};

static int
cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	return x < y ? -1 : x > y;
}

/* The student's deal for the exercise (nothing for staff: user 0). */
static void
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
		for (const char *c = id ? id : ""; *c; c++)
			seed = (seed ^ (uint8_t)*c) * 0x100000001b3ULL;
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
static uint32_t
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

/* What a dealt frame does not show: its times and the fields that name other frames. */
static const char *const dealt_hide[] = {
	"frame.time", "frame.time_epoch", "frame.time_delta", "frame.time_delta_displayed", "frame.time_relative",
	"frame.offset_shift", "frame.number", "tcp.time_relative", "tcp.time_delta", "tcp.analysis", "tcp.reassembled_in",
	"tcp.segments", "ip.reassembled_in", "ipv6.reassembled_in", "udp.time_relative", "udp.time_delta", NULL,
};

static void
hide_dealt(json_t *nodes)
{
	for (size_t i = 0; i < json_array_size(nodes);) {
		json_t *n = json_array_get(nodes, i);
		const char *f = json_string_value(json_object_get(n, "f"));
		int drop = 0;
		for (int k = 0; f && dealt_hide[k] && !drop; k++)
			drop = !strcmp(f, dealt_hide[k]);
		json_t *kids = json_object_get(n, "n");
		if (!drop && kids) {
			hide_dealt(kids);
			drop = !f && !json_array_size(kids);     /* a text item left empty ("Timestamps") */
		}
		if (drop)
			json_array_remove(nodes, i);
		else
			i++;
	}
}

void
frames_page(struct MHD_Connection *c, struct loaded *l, int64_t viewer, struct reply *r)
{
	int staff = viewer == 0;
	const char *sf = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "from");
	const char *sc = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "count");
	char *end;
	unsigned long from = 1, count = 100;
	if (sf) {
		errno = 0;
		from = strtoul(sf, &end, 10);
		if (errno || *end || !from) {
			reply_error(r, 400, "from: a frame number from 1");
			return;
		}
	}
	if (sc) {
		errno = 0;
		count = strtoul(sc, &end, 10);
		if (errno || *end || !count || count > 1000) {
			reply_error(r, 400, "count: 1 to 1000 frames");
			return;
		}
	}
	struct shuffle sh;
	shuffle_for(l, viewer, &sh);
	char what[64];
	snprintf(what, sizeof(what), sh.n ? "list-%lu-%lu-u%lld" : "list-%lu-%lu", from, count, (long long)viewer);
	if (etag_check(c, r, l, staff, what))
		return;
	uint32_t total = tq_capture_count(l->cap);
	json_t *list = json_array();
	struct tq_sbuf scratch;
	tq_sbuf_init(&scratch, 0);
	const json_t *doc = l->ex ? tq_exercise_doc(l->ex) : NULL;
	for (unsigned long i = from; i < from + count && i <= total; i++) {
		struct tq_columns col;
		int dealt;
		uint32_t real = shuffled(&sh, (uint32_t)i, &dealt);
		if (tq_columns_get(l->cap, real, &col, &scratch) != 0)
			break;
		json_t *h = staff || !doc ? NULL : hidden_fields(doc, real);
		int masked = h && json_array_size(h);
		json_decref(h);
		json_array_append_new(list, json_pack("{s:I,s:s,s:s,s:s,s:s,s:I,s:s}", "no", (json_int_t)i, "time",
		    dealt ? "??" : col.time, "src", masked ? "??" : col.src, "dst", masked ? "??" : col.dst, "proto", col.proto,
		    "len", (json_int_t)col.len, "info", masked ? "??" : col.info));
	}
	tq_sbuf_free(&scratch);
	reply_json(r, 200, json_pack("{s:I,s:o}", "total", (json_int_t)total, "frames", list));
}

void
frame_tree(struct MHD_Connection *c, struct loaded *l, int64_t viewer, const char *num_s, struct reply *r)
{
	int staff = viewer == 0;
	char *end;
	errno = 0;
	unsigned long num = strtoul(num_s, &end, 10);
	if (errno || *end || !num || num > tq_capture_count(l->cap)) {
		reply_error(r, 404, "there is no frame %.20s in this trace (%u frames)", num_s, tq_capture_count(l->cap));
		return;
	}
	struct shuffle sh;
	shuffle_for(l, viewer, &sh);
	int dealt;
	uint32_t real = shuffled(&sh, (uint32_t)num, &dealt);
	char what[64];
	snprintf(what, sizeof(what), sh.n ? "frame-%lu-u%lld" : "frame-%lu", num, (long long)viewer);
	if (etag_check(c, r, l, staff, what))
		return;
	int err;
	struct tq_tree *t = tq_dissect_ex(l->cap, real, TQ_DISSECT_DISPLAY, &err);
	if (!t) {
		reply_error(r, 500, "frame %lu: %s", num, tq_strerror(err));
		return;
	}
	struct tq_sbuf out;
	tq_sbuf_init(&out, 64u << 20);
	tq_write_json(t, &out);
	tq_tree_free(t);
	if (staff || !l->ex)
		tq_sbuf_putc(&out, '\n');
	if (!out.err && (staff || !l->ex)) {
		/* nothing to hide: the library's JSON as it is */
		r->status = 200;
		r->ctype = "application/json";
		r->rawlen = out.len;
		r->raw = out.s;
		return;
	}
	json_error_t je;
	json_t *j = out.err ? NULL : json_loadb(out.s, out.len, 0, &je);
	tq_sbuf_free(&out);
	if (!j) {
		reply_error(r, 500, "frame %lu could not be written", num);
		return;
	}
	if (!staff && l->ex) {
		const json_t *doc = tq_exercise_doc(l->ex);
		json_t *view = json_object_get(doc, "view");
		json_t *hidden = hidden_fields(doc, real);
		student_view(json_object_get(j, "tree"), json_object_get(view, "exclude"), json_object_get(view, "redact"), hidden,
		    json_object_get(j, "sources"));
		json_decref(hidden);
	}
	if (dealt) {
		/* frame `real` shown at place num: "Frame 2: 74 bytes..." becomes "Frame 3: 74 bytes..." */
		json_t *tree = json_object_get(j, "tree");
		hide_dealt(tree);
		json_t *top = json_array_get(tree, 0);
		const char *label = json_string_value(json_object_get(top, "l"));
		const char *colon = label && !strncmp(label, "Frame ", 6) ? strchr(label, ':') : NULL;
		if (colon)
			json_object_set_new(top, "l", json_sprintf("Frame %lu%s", num, colon));
		json_object_set_new(j, "frame", json_integer((json_int_t)num));
	}
	reply_json(r, 200, j);
}

/* ------------------------------------------------------------------ submissions */

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
	json_t *o = json_pack("{s:I,s:s,s:f,s:f,s:I,s:o*,s:o*}", "id", (json_int_t)row->id, "student", row->student ? row->student : "",
	    "score", row->score, "max", row->max, "created", (json_int_t)row->created, "answers", ans, "result", res);
	json_array_append_new(sl->list, o);
	return json_array_size(sl->list) >= 10000;
}

static void
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
	/* an order answer lists places: graded as the frames dealt there (stored as given,
	 * so the student's history does not tell them the deal) */
	struct shuffle sh;
	shuffle_for(l, u->id, &sh);
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
	char err[600];
	json_t *res = tq_exercise_grade(l->ex, l->cap, graded, err, sizeof(err));
	json_decref(graded);
	if (!res) {
		reply_error(r, 400, "answers: %s", err);
		json_decref(body);
		return;
	}
	struct tq_store *st = app_store(a);
	char *ans = json_dumps(answers, JSON_COMPACT), *rs = json_dumps(res, JSON_COMPACT);
	int64_t id = 0;
	int rc = ans && rs ? tq_store_submission_add(st, l->id, u->id, ans, json_number_value(json_object_get(res, "score")),
	    json_number_value(json_object_get(res, "max")), rs, &id) : TQ_STORE_ERROR;
	if (rc)
		reply_error(r, 503, "the submission could not be stored; nothing was kept, try again");
	else {
		json_object_set_new(res, "id", json_integer(id));
		reply_json(r, 201, json_incref(res));
	}
	free(ans);
	free(rs);
	json_decref(res);
	json_decref(body);
}

/*
 * Who may do what with an exercise: admins and the course's teachers all
 * (staff); a student reads a published exercise of a course they are enrolled
 * in, or of an open one.  0, or -1 with the reply set.
 */
int
exercise_access(struct app *a, const struct tq_user *u, const struct loaded *l, int *staff, struct reply *r)
{
	struct tq_store *st = app_store(a);
	int teaches = st && is_staff(u) ? tq_store_teaches(st, l->course_id, u->id) : 0;
	*staff = !strcmp(u->role, "admin") || teaches == 1;
	if (*staff)
		return 0;
	int sees = st ? tq_store_can_see(st, l->course_id, u->id) : -1;
	if (sees < 0 || teaches < 0) {
		reply_error(r, 500, "the database failed");
		return -1;
	}
	if (!l->published) {
		reply_error(r, 404, "there is no exercise '%.100s'", l->slug);
		return -1;
	}
	if (!sees) {
		reply_error(r, 403, "you are not enrolled in the course of '%.100s': ask its instructor", l->slug);
		return -1;
	}
	return 0;
}

int
api_exercise_routes(struct app *a, struct MHD_Connection *c, const char *method, const char *path, const struct req *q,
    struct reply *r)
{
	/* /api/v1/exercises/SLUG/{frames[/N],submissions,keys,stats,submissions.csv,trace} */
	const char *p = path + strlen("/api/v1/exercises/");
	const char *slash = strchr(p, '/');
	if (strncmp(path, "/api/v1/exercises/", 18) || !slash)
		return 0;
	char slug[128];
	if ((size_t)(slash - p) >= sizeof(slug) || slash == p) {
		reply_error(r, 404, "there is no such exercise");
		return 1;
	}
	memcpy(slug, p, (size_t)(slash - p));
	slug[slash - p] = '\0';
	const char *rest = slash + 1;
	int get = !strcmp(method, "GET") || !strcmp(method, "HEAD");
	struct tq_user u;
	if (request_user(a, c, method, r, &u) != 0)
		return 1;
	char err[600];
	struct loaded *l = app_exercise(a, slug, err, sizeof(err));
	if (!l) {
		reply_error(r, strstr(err, "there is no exercise") ? 404 : 500, "%s", err);
		return 1;
	}
	int staff;
	if (exercise_access(a, &u, l, &staff, r) != 0)
		goto out;
	if (!strcmp(rest, "frames")) {
		if (!get)
			reply_error(r, 405, "use GET for frames");
		else
			frames_page(c, l, staff ? 0 : u.id, r);
	} else if (!strncmp(rest, "frames/", 7)) {
		if (!get)
			reply_error(r, 405, "use GET for a frame");
		else
			frame_tree(c, l, staff ? 0 : u.id, rest + 7, r);
	} else if (!strcmp(rest, "submissions")) {
		if (!strcmp(method, "POST")) {
			if (strcmp(u.role, "student"))
				reply_error(r, 403, "submissions are a student's; instructors grade through POST /api/v1/grade");
			else
				submit(a, l, &u, q, r);
		} else if (get) {
			/* a student sees their own; the course's instructors see all */
			struct sublist sl = { json_array(), staff };
			if (tq_store_submissions(app_store(a), l->id, staff ? -1 : u.id, sub_one, &sl) != 0) {
				json_decref(sl.list);
				reply_error(r, 500, "the database failed");
			} else {
				reply_json(r, 200, json_pack("{s:o}", "submissions", sl.list));
			}
		} else {
			reply_error(r, 405, "use GET or POST for submissions");
		}
	} else if (!strcmp(rest, "keys")) {
		if (!staff)
			reply_error(r, 403, "only the course's instructors see the keys");
		else if (!get)
			reply_error(r, 405, "use GET for keys");
		else
			reply_json(r, 200, tq_exercise_keys_json(l->ex));
	} else if (!strcmp(rest, "stats") || !strcmp(rest, "submissions.csv")) {
		if (!staff)
			reply_error(r, 403, "only the course's instructors see the statistics and the submissions of all");
		else if (!get)
			reply_error(r, 405, "use GET for %s", rest);
		else if (rest[0] == 's' && rest[1] == 't')
			exercise_stats(a, l, r);
		else
			exercise_csv(a, l, r);
	} else if (!strcmp(rest, "trace")) {
		if (!get)
			reply_error(r, 405, "use GET to download the trace");
		else
			exercise_trace(a, l, staff, r);
	} else {
		reply_error(r, 404, "there is no route %.200s", path);
	}
out:
	app_release(l);
	return 1;
}
