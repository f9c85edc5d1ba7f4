/*
 * api_traces.c - /api/v1/traces: captures uploaded (stored once, by
 * SHA-256, whoever uploads them), listed, downloaded and previewed, and an
 * exercise's capture sent.  An instructor may use the captures they
 * uploaded and those of the exercises of their courses; an admin all.
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
		return reply_db_error(r, st);
	*created = tq_store_capture_meta(st, sha, m) == TQ_STORE_NOTFOUND;
	int64_t id;
	if (tq_store_begin(st) != 0 || tq_store_capture_put(st, sha, name, data, len, frames, &id) != 0 ||
	    tq_store_capture_own(st, id, u->id) != 0 || tq_store_commit(st) != 0) {
		tq_store_rollback(st);
		return reply_db_error(r, st);
	}
	if (tq_store_capture_meta(st, sha, m) != 0)
		return reply_db_error(r, st);
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
int
usable_capture(struct app *a, const struct tq_user *u, const char *sha, struct tq_capmeta *m, struct reply *r)
{
	struct tq_store *st = app_store(a);
	if (!st)
		return reply_db_error(r, st);
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
		return reply_db_error(r, st);
	if (role_of(u) == ROLE_ADMIN)
		return 0;
	rc = tq_store_capture_usable(st, m->id, u->id);
	if (rc < 0)
		return reply_db_error(r, st);
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
		reply_db_error(r, st);
		return;
	}
	r->status = 200;
	r->raw = data;
	r->rawlen = size;
	r->ctype = "application/vnd.tcpdump.pcap";
	snprintf(r->disposition, sizeof(r->disposition), "attachment; filename=\"%s\"", name);
}

void
api_traces(struct app *a, struct MHD_Connection *c, const char *method, const char *path, struct req *q,
    struct reply *r)
{
	const struct tq_user *u = &q->user;
	int get = !strcmp(method, "GET") || !strcmp(method, "HEAD");
	if (!strcmp(path, "/api/v1/traces")) {
		if (!strcmp(method, "POST")) {
			trace_upload(a, c, u, q, r);
		} else if (get) {
			json_t *l = tq_store_captures(app_store(a), u->id, role_of(u) == ROLE_ADMIN);
			if (!l)
				reply_db_error(r, app_store(a));
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
