/*
 * api_import.c - POST /api/v1/import: an INGInious task folder, uploaded as
 * a zip or a tar.gz, made an exercise draft (doc/import.md).
 *
 * The import runs as `tracequiz import inginious` does, in a private
 * temporary folder removed before the reply.  Its capture is stored as a
 * trace (once, by SHA-256, as any upload), and the exercise comes back
 * unsaved, with the import's report: the editor opens it, the instructor
 * reads what needs them, chooses the course and saves.  Nothing else is
 * stored, so an import the instructor drops leaves no exercise behind.
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "exercise.h"
#include "import.h"
#include "server.h"

/* A slug from the task's name: "q-pkt-tls-1" from "q-pkt-tls-1" or "Q_pkt tls-1.zip". */
static void
slug_of(const char *base, char *out, size_t len)
{
	size_t o = 0;
	for (const char *p = base; *p && o + 1 < len && o < 64; p++) {
		if (*p == '.' && p != base)
			break;                       /* the archive's extension */
		char c = (char)tolower((unsigned char)*p);
		if (isalnum((unsigned char)c))
			out[o++] = c;
		else if (o && out[o - 1] != '-')
			out[o++] = '-';
	}
	while (o && out[o - 1] == '-')
		o--;
	out[o] = '\0';
}

void
api_import(struct app *a, struct MHD_Connection *c, const char *method, const char *path, struct req *q,
    struct reply *r)
{
	(void)method;
	(void)path;
	char name[128] = "task";
	if (req_is_multipart(c)) {
		struct part *p = req_part(q, "file");
		if (!p || !p->in_file) {
			reply_error(r, 400, "the form needs the task's archive in a part named 'file'");
			return;
		}
		if (p->filename[0])
			file_name(p->filename, name, sizeof(name));
	} else {
		const char *n = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "name");
		if (n && *n)
			file_name(n, name, sizeof(name));
	}
	if (!q->flen) {
		reply_error(r, 422, "the archive is empty: send the task folder as a zip or a tar.gz");
		return;
	}

	char dir[1024], exdir[1100];
	snprintf(dir, sizeof(dir), "%s/tracequiz-import-XXXXXX", a->o.tmpdir);
	if (!mkdtemp(dir)) {
		reply_error(r, 503, "a temporary folder for the import: %s", strerror(errno));
		return;
	}
	snprintf(exdir, sizeof(exdir), "%s/exercise", dir);
	struct tq_sbuf rep;
	tq_sbuf_init(&rep, 1u << 20);
	char err[1024], task[256];
	struct tq_exercise *ex = NULL;
	char *cap = NULL;
	/* a job's budget, as an upload's keys have: the capture comes from the archive */
	struct tq_limits lim = job_limits(a);
	struct tq_archive_opts o = { .name = name, .tmpdir = a->o.tmpdir, .task = task, .tasklen = sizeof(task), .lim = &lim };
	if (tq_import_inginious_archive(q->file, q->flen, &o, exdir, &rep, err, sizeof(err)) != 0) {
		/* the report says what was read before it went wrong */
		utf8_clean(err);
		json_t *j = json_pack("{s:s}", "error", err);
		if (rep.s) {
			utf8_clean(rep.s);
			json_object_set_new(j, "report", json_string(rep.s));
		}
		reply_json(r, 422, j);
		goto out;
	}
	size_t len;
	const char *cp;
	if (tq_exercise_load(exdir, &ex, err, sizeof(err)) != 0 || !(cp = tq_exercise_capture_path(ex)) ||
	    !(cap = tq_read_file(cp, SIZE_MAX - 1, &len))) {
		reply_error(r, 500, "the imported exercise cannot be read back: %s", ex ? strerror(errno) : err);
		goto out;
	}
	const char *base = strrchr(cp, '/') ? strrchr(cp, '/') + 1 : cp;
	struct tq_capmeta m;
	int created;
	if (store_capture(a, &q->user, cap, len, base, &m, &created, r) != 0)
		goto out;
	json_t *doc = json_deep_copy(tq_exercise_doc(ex));
	json_object_del(doc, "capture");           /* the trace is named by its SHA-256 */
	char slug[72];
	slug_of(task, slug, sizeof(slug));
	if (rep.s)
		utf8_clean(rep.s);
	json_t *trace = capture_json(&m);
	json_object_set_new(trace, "new", json_boolean(created));
	reply_json(r, 200, json_pack("{s:o,s:o,s:s,s:s}", "exercise", doc, "trace", trace, "report", rep.s ? rep.s : "",
	    "slug", slug));
out:
	free(cap);
	tq_exercise_free(ex);
	tq_sbuf_free(&rep);
	tq_remove_tree(dir);
}
