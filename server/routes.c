/*
 * routes.c - every route of the server in one table: its method and path,
 * who may call it, what body it takes, whether it is heavy work, and the
 * handler that answers it.
 *
 * http.c looks a request up here as soon as its headers are in: a path no
 * row has is 404, a method no row of the path has is 405 with its Allow
 * list, and the row's need (anyone, any account, a student, staff, an
 * admin) is checked against the credentials before a byte of the body is
 * taken.  What depends on the resource itself (teaching this course, being
 * enrolled in that one) is the handler's to check.  doc/openapi.json
 * describes the same routes for clients.
 */
#include "config.h"

#include <ctype.h>

#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lti.h"
#include "server.h"

static route_fn route_fields;

static const struct route routes[] = {
	{ "GET", "/healthz", NEED_ANYONE, BODY_NONE, 0, route_healthz },
	/* LTI 1.3: the tool's keys, the login an LMS starts, the launch it posts (api_lti.c) */
	{ "GET", "/lti/jwks", NEED_ANYONE, BODY_NONE, 0, api_lti },
	{ "GET", "/lti/login", NEED_ANYONE, BODY_NONE, 0, api_lti },
	{ "POST", "/lti/login", NEED_ANYONE, BODY_FORM, R_CROSS_SITE, api_lti },
	{ "POST", "/lti/launch", NEED_ANYONE, BODY_FORM, R_CROSS_SITE, api_lti },
	{ "POST", "/lti/deeplink", NEED_ANYONE, BODY_FORM, 0, api_lti },
	{ "GET", "/api/v1/openapi.json", NEED_ANYONE, BODY_NONE, 0, route_openapi },
	/* the fields a display filter or a key may name: the filter bar's completion */
	{ "GET", "/api/v1/fields", NEED_USER, BODY_NONE, 0, route_fields },
	/* sessions: log in (anyone), who am I, log out; a reset code redeemed */
	{ "POST", "/api/v1/session", NEED_ANYONE, BODY_JSON, R_SMALL, api_session },
	{ "GET", "/api/v1/session", NEED_USER, BODY_NONE, 0, api_session },
	{ "DELETE", "/api/v1/session", NEED_USER, BODY_NONE, 0, api_session },
	{ "POST", "/api/v1/password-reset", NEED_ANYONE, BODY_JSON, R_SMALL, api_password_reset },
	{ "POST", "/api/v1/account/password", NEED_USER, BODY_JSON, R_SMALL, api_account_password },
	/* the auto-grader's endpoint: loads its exercise, named in the body (route_grade defers itself) */
	{ "POST", "/api/v1/grade", NEED_STAFF, BODY_JSON, R_GRADE, route_grade },
	/* traces */
	{ "GET", "/api/v1/traces", NEED_STAFF, BODY_NONE, 0, api_traces },
	{ "POST", "/api/v1/traces", NEED_STAFF, BODY_UPLOAD, R_HEAVY | R_RAW, api_traces },
	{ "GET", "/api/v1/traces/*", NEED_STAFF, BODY_NONE, 0, api_traces },
	{ "GET", "/api/v1/traces/*/download", NEED_STAFF, BODY_NONE, 0, api_traces },
	{ "GET", "/api/v1/traces/*/frames", NEED_STAFF, BODY_NONE, R_LOADS_TR, api_traces },
	{ "GET", "/api/v1/traces/*/frames/*", NEED_STAFF, BODY_NONE, R_LOADS_TR, api_traces },
	{ "GET", "/api/v1/traces/*/follow", NEED_STAFF, BODY_NONE, R_LOADS_TR, api_traces },
	/* exercises */
	{ "GET", "/api/v1/exercises", NEED_USER, BODY_NONE, 0, api_exercises },
	{ "POST", "/api/v1/exercises", NEED_STAFF, BODY_UPLOAD, R_HEAVY, api_exercises },
	{ "GET", "/api/v1/exercises/*", NEED_USER, BODY_NONE, R_LOADS_EX, api_exercises },
	{ "PUT", "/api/v1/exercises/*", NEED_STAFF, BODY_UPLOAD, R_HEAVY, api_exercises },
	{ "DELETE", "/api/v1/exercises/*", NEED_STAFF, BODY_NONE, 0, api_exercises },
	{ "GET", "/api/v1/exercises/*/frames", NEED_USER, BODY_NONE, R_LOADS_EX, api_exercise_routes },
	{ "GET", "/api/v1/exercises/*/frames/*", NEED_USER, BODY_NONE, R_LOADS_EX, api_exercise_routes },
	{ "GET", "/api/v1/exercises/*/follow", NEED_USER, BODY_NONE, R_LOADS_EX, api_exercise_routes },
	{ "GET", "/api/v1/exercises/*/submissions", NEED_USER, BODY_NONE, R_LOADS_EX, api_exercise_routes },
	{ "POST", "/api/v1/exercises/*/submissions", NEED_STUDENT, BODY_JSON, R_LOADS_EX, api_exercise_routes },
	{ "GET", "/api/v1/exercises/*/keys", NEED_STAFF, BODY_NONE, R_LOADS_EX, api_exercise_routes },
	{ "GET", "/api/v1/exercises/*/stats", NEED_STAFF, BODY_NONE, R_LOADS_EX, api_exercise_routes },
	{ "GET", "/api/v1/exercises/*/submissions.csv", NEED_STAFF, BODY_NONE, R_LOADS_EX, api_exercise_routes },
	{ "GET", "/api/v1/exercises/*/trace", NEED_USER, BODY_NONE, R_LOADS_EX, api_exercise_routes },
	/* every submission graded again against the current keys */
	{ "POST", "/api/v1/exercises/*/regrade", NEED_STAFF, BODY_NONE, R_HEAVY, api_exercise_routes },
	/* courses */
	{ "GET", "/api/v1/courses", NEED_USER, BODY_NONE, 0, api_courses },
	{ "POST", "/api/v1/courses", NEED_STAFF, BODY_JSON, 0, api_courses },
	{ "GET", "/api/v1/courses/*", NEED_USER, BODY_NONE, 0, api_courses },
	{ "GET", "/api/v1/courses/*/students", NEED_STAFF, BODY_NONE, 0, api_courses },
	{ "POST", "/api/v1/courses/*/students", NEED_STAFF, BODY_JSON, 0, api_courses },
	{ "DELETE", "/api/v1/courses/*/students/*", NEED_STAFF, BODY_NONE, 0, api_courses },
	{ "POST", "/api/v1/courses/*/teachers", NEED_ADMIN, BODY_JSON, 0, api_courses },
	{ "GET", "/api/v1/courses/*/gradebook", NEED_STAFF, BODY_NONE, 0, api_gradebook },
	{ "GET", "/api/v1/courses/*/gradebook.csv", NEED_STAFF, BODY_NONE, 0, api_gradebook },
	/* the scores sent to the course's LMS (LTI): those not taken yet; every one sent again */
	{ "GET", "/api/v1/courses/*/lti-grades", NEED_STAFF, BODY_NONE, 0, api_lti_grades },
	{ "POST", "/api/v1/courses/*/lti-grades", NEED_STAFF, BODY_NONE, 0, api_lti_grades },
	/* the course's members as its LMS lists them (NRPS), made accounts of the course */
	{ "POST", "/api/v1/courses/*/lti-members", NEED_STAFF, BODY_NONE, R_HEAVY, api_lti_members },
	/* a key's live preview: an expression over a whole trace */
	{ "POST", "/api/v1/eval", NEED_STAFF, BODY_JSON, R_HEAVY, api_eval },
	{ "POST", "/api/v1/suggest", NEED_STAFF, BODY_JSON, R_HEAVY, api_suggest },
	/* an INGInious task's folder as a zip or tar.gz, made an exercise draft */
	{ "POST", "/api/v1/import", NEED_STAFF, BODY_UPLOAD, R_HEAVY | R_RAW, api_import },
	/* API tokens and accounts */
	{ "GET", "/api/v1/tokens", NEED_STAFF, BODY_NONE, 0, api_tokens },
	{ "POST", "/api/v1/tokens", NEED_STAFF, BODY_JSON, 0, api_tokens },
	{ "DELETE", "/api/v1/tokens/*", NEED_STAFF, BODY_NONE, 0, api_tokens },
	{ "GET", "/api/v1/users", NEED_ADMIN, BODY_NONE, 0, api_users },
	{ "POST", "/api/v1/users", NEED_ADMIN, BODY_JSON, 0, api_users },
	{ "PATCH", "/api/v1/users/*", NEED_ADMIN, BODY_JSON, 0, api_users },
	{ "POST", "/api/v1/users/*/password", NEED_ADMIN, BODY_JSON, 0, api_users },
	{ "POST", "/api/v1/users/*/reset-code", NEED_STAFF, BODY_NONE, 0, api_users },
	/* the server's own figures: its cache, what it is receiving, its heavy work */
	{ "GET", "/api/v1/server", NEED_ADMIN, BODY_NONE, 0, route_server },
	/* the web app */
	{ "GET", "/**", NEED_ANYONE, BODY_NONE, 0, route_static },
};

void
routes_print(FILE *fp)
{
	static const char *const needs[] = { "anyone", "user", "student", "staff", "admin" };
	for (size_t i = 0; i < sizeof(routes) / sizeof(routes[0]); i++)
		fprintf(fp, "%-6s %-40s %s\n", routes[i].method, routes[i].pattern, needs[routes[i].need]);
}

/* Whether path matches pattern, segment by segment. */
static int
matches(const char *pattern, const char *path)
{
	const char *p = pattern, *s = path;
	while (*p && *s) {
		if (*p == '/' && *s == '/') {
			p++;
			s++;
			continue;
		}
		size_t pl = strcspn(p, "/"), sl = strcspn(s, "/");
		if (pl == 2 && !strncmp(p, "**", 2))
			return sl > 0;       /* the rest, one segment at least */
		if (!sl)
			return 0;
		if (!(pl == 1 && *p == '*') && (pl != sl || strncmp(p, s, pl)))
			return 0;
		p += pl;
		s += sl;
	}
	return (!*p && !*s) || !strcmp(p, "**");     /* "/" is the web app's too */
}

/* GET also answers HEAD. */
static int
method_is(const struct route *rt, const char *method)
{
	return !strcmp(rt->method, method) || (!strcmp(method, "HEAD") && !strcmp(rt->method, "GET"));
}

const struct route *
route_find(const char *method, const char *path, unsigned *status, char *allow, size_t allowlen)
{
	int api = !strncmp(path, "/api/", 5) || !strcmp(path, "/api");
	size_t o = 0;
	allow[0] = '\0';
	for (size_t i = 0; i < sizeof(routes) / sizeof(routes[0]); i++) {
		const struct route *rt = &routes[i];
		/* the web app's catch-all is not for the API's paths */
		if ((api && !strcmp(rt->pattern, "/**")) || !matches(rt->pattern, path))
			continue;
		if (method_is(rt, method))
			return rt;
		if (o + strlen(rt->method) + 8 < allowlen && !strstr(allow, rt->method)) {
			int w = snprintf(allow + o, allowlen - o, "%s%s%s", o ? ", " : "", rt->method,
			    strcmp(rt->method, "GET") ? "" : ", HEAD");
			o += w > 0 ? (size_t)w : 0;
		}
	}
	*status = o ? 405 : 404;
	return NULL;
}

/* Segment k of path (0 is the one after the first '/'), or "" when too long or absent. */
static void
segment(const char *path, int k, char *buf, size_t len)
{
	const char *s = path;
	for (int i = 0; i <= k; i++) {
		if (*s != '/') {
			buf[0] = '\0';
			return;
		}
		s++;
		if (i < k)
			s += strcspn(s, "/");
	}
	size_t n = strcspn(s, "/");
	if (n >= len)
		n = 0;
	memcpy(buf, s, n);
	buf[n] = '\0';
}

int
route_is_heavy(struct app *a, const struct route *rt, const char *path)
{
	if (rt->flags & R_HEAVY)
		return 1;
	char name[128];
	if (rt->flags & R_LOADS_EX) {
		segment(path, 3, name, sizeof(name));
		return *name && !app_exercise_ready(a, name);
	}
	if (rt->flags & R_LOADS_TR) {
		segment(path, 3, name, sizeof(name));
		return *name && !app_trace_ready(a, name);
	}
	return 0;
}

/* ------------------------------------------------------------------ small routes */

void
route_healthz(struct app *a, struct MHD_Connection *c, const char *method, const char *path, struct req *q,
    struct reply *r)
{
	(void)c, (void)method, (void)path, (void)q;
	/* for a load balancer or a monitor: whether this node can serve, its database answering */
	struct tq_store *st = app_store(a);
	int64_t users;
	if (!st || tq_store_user_count(st, &users) != 0) {
		reply_json(r, 503, json_pack("{s:s,s:s}", "status", "unavailable", "error",
		    st ? tq_store_error(st) : "the database cannot be opened"));
		return;
	}
	reply_json(r, 200, json_pack("{s:s,s:s}", "status", "ok", "database", "ok"));
}

/* GET /api/v1/server: what an admin watches, and the tests measure. */
void
route_server(struct app *a, struct MHD_Connection *c, const char *method, const char *path, struct req *q,
    struct reply *r)
{
	(void)c, (void)method, (void)path, (void)q;
	size_t ncaps, bytes, nex;
	app_cache_figures(a, &ncaps, &bytes, &nex);
	reply_json(r, 200, json_pack("{s:{s:I,s:I,s:I,s:I},s:{s:I,s:I},s:{s:I,s:I},s:{s:I,s:I}}",
	    "cache", "captures", (json_int_t)ncaps, "bytes", (json_int_t)bytes, "exercises", (json_int_t)nex, "budget",
	    (json_int_t)a->o.cache_bytes,
	    "bodies", "bytes", (json_int_t)__atomic_load_n(&a->inflight, __ATOMIC_RELAXED), "budget", (json_int_t)a->o.max_inflight,
	    "heavy", "jobs", (json_int_t)(a->heavy ? pool_load(a->heavy) : 0), "threads", (json_int_t)a->o.heavy_threads,
	    "connections", "open", (json_int_t)http_connections(a), "max", (json_int_t)a->o.max_conns));
}

/* doc/openapi.json, compiled in (server/openapi.c) */
extern const char tq_openapi[];
extern const size_t tq_openapi_len;

void
route_openapi(struct app *a, struct MHD_Connection *c, const char *method, const char *path, struct req *q,
    struct reply *r)
{
	(void)a, (void)c, (void)method, (void)path, (void)q;
	if (!(r->raw = malloc(tq_openapi_len))) {
		reply_error(r, 503, "out of memory");
		return;
	}
	memcpy(r->raw, tq_openapi, tq_openapi_len);
	r->rawlen = tq_openapi_len;
	r->status = 200;
	r->ctype = "application/json";
}

/* Every field, sorted by abbrev, as JSON: made once, the registry never changes. */
static char *fields_json;
static size_t fields_len;

static void
field_one(void *arg, const char *abbrev, const char *name, const char *kind)
{
	json_array_append_new(arg, json_pack("{s:s,s:s,s:s}", "f", abbrev, "n", name, "t", kind));
}

static int
by_abbrev(const void *a, const void *b)
{
	return strcmp(json_string_value(json_object_get(*(json_t *const *)a, "f")),
	    json_string_value(json_object_get(*(json_t *const *)b, "f")));
}

static void
fields_make(void)
{
	json_t *list = json_array();
	tq_fields_each(field_one, list);
	size_t n = json_array_size(list);
	json_t **v = malloc((n ? n : 1) * sizeof(*v));
	json_t *sorted = json_array();
	if (v) {
		for (size_t i = 0; i < n; i++)
			v[i] = json_array_get(list, i);
		qsort(v, n, sizeof(*v), by_abbrev);
		for (size_t i = 0; i < n; i++)
			json_array_append(sorted, v[i]);
		free(v);
		json_t *doc = json_pack("{s:o}", "fields", sorted);
		fields_json = json_dumps(doc, JSON_COMPACT);
		fields_len = fields_json ? strlen(fields_json) : 0;
		json_decref(doc);
	} else {
		json_decref(sorted);
	}
	json_decref(list);
}

static void
route_fields(struct app *a, struct MHD_Connection *c, const char *method, const char *path, struct req *q,
    struct reply *r)
{
	(void)a, (void)method, (void)path, (void)q;
	static pthread_once_t once = PTHREAD_ONCE_INIT;
	pthread_once(&once, fields_make);
	snprintf(r->etag, sizeof(r->etag), "\"fields-%s-%zu\"", PACKAGE_VERSION, fields_len);
	if (reply_not_modified(c, r))
		return;
	if (!fields_json || !(r->raw = malloc(fields_len))) {
		reply_error(r, 503, "out of memory");
		return;
	}
	memcpy(r->raw, fields_json, fields_len);
	r->rawlen = fields_len;
	r->status = 200;
	r->ctype = "application/json";
}

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

void
route_static(struct app *a, struct MHD_Connection *c, const char *method, const char *path, struct req *q,
    struct reply *r)
{
	(void)c, (void)method, (void)q;
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
	/* the app's page may be shown inside a registered LMS's frame (LTI) */
	if (!strncmp(r->ctype, "text/html", 9))
		lti_frame_ancestors(a, r->frame_ancestors, sizeof(r->frame_ancestors));
}

/* ------------------------------------------------------------------ path helpers */

int
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

const char *
path_after(const char *path, const char *prefix)
{
	size_t n = strlen(prefix);
	return strncmp(path, prefix, n) ? NULL : path + n;
}
