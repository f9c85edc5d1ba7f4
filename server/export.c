/*
 * export.c - `tracequiz export inginious EXERCISE OUTDIR`: an exercise as a
 * task folder the INGInious network-trace plugin runs (task.yaml, the
 * capture, its PDML from tracequiz's own writer), which the import reads
 * back as the same exercise (doc/import.md).
 */
#include "config.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>

#include "import_int.h"

/* tracequiz's Markdown subset as reStructuredText: `code` as ``code``, [text](url) as `text <url>`_. */
static char *
md_to_rst(const char *in)
{
	struct tq_sbuf o;
	tq_sbuf_init(&o, 0);
	for (const char *p = in; *p;) {
		if (*p == '`') {
			const char *e = strchr(p + 1, '`');
			if (e) {
				tq_sbuf_printf(&o, "``%.*s``", (int)(e - p - 1), p + 1);
				p = e + 1;
				continue;
			}
		}
		if (*p == '[') {
			const char *rb = strstr(p, "](");
			const char *rp = rb ? strchr(rb + 2, ')') : NULL;
			if (rb && rp && !memchr(p, '\n', (size_t)(rp - p))) {
				tq_sbuf_printf(&o, "`%.*s <%.*s>`_", (int)(rb - p - 1), p + 1, (int)(rp - rb - 2), rb + 2);
				p = rp + 1;
				continue;
			}
		}
		tq_sbuf_putc(&o, *p++);
	}
	char *r = strndup(o.s ? o.s : "", o.len);
	tq_sbuf_free(&o);
	return r;
}

static json_t *
rst_of(const json_t *v)
{
	if (!json_is_string(v))
		return json_string("");
	char *s = md_to_rst(json_string_value(v));
	json_t *j = json_string(s ? s : "");
	free(s);
	return j;
}

/* A field question, an order question or the view alone: a network-trace problem. */
static json_t *
trace_of(const json_t *doc, const json_t *q, const char *trace)
{
	const json_t *view = json_object_get(doc, "view");
	json_t *exclude = json_object_get(view, "exclude"), *redact = json_object_get(view, "redact");
	exclude = exclude ? json_incref(exclude) : json_array();
	redact = redact ? json_incref(redact) : json_array();
	json_t *p = json_pack("{s:s,s:s,s:o,s:s,s:o,s:o,s:o,s:o,s:b,s:o}", "type", "network-trace",
	    "name", q ? json_string_value(json_object_get(q, "id")) : "The trace",
	    "header", rst_of(q ? json_object_get(q, "prompt") : NULL), "trace", trace, "exclude", exclude,
	    "redact", redact, "hide", json_object(), "feedback", json_object(),
	    "shuffle", q && !strcmp(imp_str_of(q, "kind"), "order"), "shuffle-feedback", json_string(""));
	if (!p)
		return NULL;
	if (!q)
		return p;
	const char *k;
	json_t *v;
	json_object_foreach(json_object_get(q, "hide"), k, v) {
		char idx[24];
		snprintf(idx, sizeof(idx), "%ld", strtol(k, NULL, 10) - 1);     /* INGInious counts from 0 */
		json_object_set(json_object_get(p, "hide"), idx, v);
	}
	json_object_foreach(json_object_get(json_object_get(q, "feedback"), "fields"), k, v)
		json_object_set_new(json_object_get(p, "feedback"), k, rst_of(v));
	const json_t *wrong = json_object_get(json_object_get(q, "feedback"), "wrong");
	if (json_is_string(wrong) && !strcmp(imp_str_of(q, "kind"), "order"))
		json_object_set_new(p, "shuffle-feedback", rst_of(wrong));
	return p;
}

int
tq_export_inginious(const char *exdir, const char *outdir, struct tq_sbuf *report, char *err, size_t errlen)
{
	struct imp m = { .taskdir = exdir, .name = exdir, .rep = report, .err = err, .errlen = errlen };
	err[0] = '\0';
	struct tq_exercise *ex = NULL;
	struct tq_capture *cap = NULL;
	json_t *task = NULL;
	char *cap_data = NULL;
	int rc = -1;
	if (tq_exercise_load(exdir, &ex, err, errlen) != 0)
		return -1;
	const char *cap_path = tq_exercise_capture_path(ex);
	if (!cap_path) {
		imp_fail(&m, "%s has no capture: an INGInious network-trace task needs one", exdir);
		goto out;
	}
	struct tq_open_opts oo = tq_exercise_open_opts(ex);
	char e2[512];
	if (tq_capture_open_file_opts(cap_path, &oo, &cap, e2, sizeof(e2)) != 0 ||
	    tq_exercise_compute_keys(ex, cap, NULL, e2, sizeof(e2)) != 0) {
		imp_fail(&m, "%s: %s", cap_path, e2);
		goto out;
	}
	const json_t *doc = tq_exercise_doc(ex);
	json_t *keys = tq_exercise_keys_json(ex);
	const char *cap_name = strrchr(cap_path, '/') ? strrchr(cap_path, '/') + 1 : cap_path;
	char trace[300];
	snprintf(trace, sizeof(trace), "%s.xml", cap_name);
	imp_say(&m, "# Export of %s\n", exdir);
	task = json_pack("{s:b,s:s,s:o,s:s,s:s,s:s,s:o}", "accessible", 1, "author", "", "context",
	    rst_of(json_object_get(doc, "intro")), "environment_id", "mcq", "environment_type", "mcq", "name",
	    imp_str_of(doc, "title"), "problems", json_object());
	json_t *problems = json_object_get(task, "problems");
	int traced = 0;
	size_t i;
	json_t *q;
	json_array_foreach(json_object_get(doc, "questions"), i, q) {
		const char *id = imp_str_of(q, "id"), *kind = imp_str_of(q, "kind");
		if (!strcmp(kind, "field") || !strcmp(kind, "order")) {
			if (!strcmp(kind, "order") && json_array_size(json_object_get(q, "frames")))
				imp_say(&m, "- %s: INGInious shuffles every frame: the order question's `frames` are not kept", id);
			json_object_set_new(problems, id, trace_of(doc, q, trace));
			traced = 1;
		} else if (!strcmp(kind, "choice")) {
			json_t *cs = json_array(), *c;
			size_t k;
			const json_t *states = json_object_get(json_array_get(json_object_get(keys, "questions"), i), "states");
			json_array_foreach(json_object_get(q, "choices"), k, c) {
				json_t *o = json_pack("{s:o}", "text", rst_of(json_object_get(c, "text")));
				/* valid as computed on the trace (a valid: expression is written as its value) */
				if (json_is_true(json_array_get(states, k)) || json_integer_value(json_array_get(states, k)) == 1)
					json_object_set_new(o, "valid", json_true());
				if (json_object_get(c, "feedback"))
					json_object_set_new(o, "feedback", rst_of(json_object_get(c, "feedback")));
				json_array_append_new(cs, o);
			}
			json_t *p = json_pack("{s:s,s:s,s:o,s:o,s:b,s:I}", "type", "multiple_choice", "name", id, "header",
			    rst_of(json_object_get(q, "prompt")), "choices", cs, "multiple",
			    json_is_true(json_object_get(q, "multiple")), "limit",
			    (json_int_t)json_integer_value(json_object_get(q, "limit")));
			json_object_set_new(problems, id, p);
		} else {
			/* text and number: the answer as computed on this trace, and the key for tracequiz */
			const json_t *kq = json_array_get(json_object_get(keys, "questions"), i);
			json_t *p = json_pack("{s:s,s:s,s:o,s:s}", "type", "code_single_line", "name", id, "header",
			    rst_of(json_object_get(q, "prompt")), "default", "");
			const json_t *kv = json_object_get(kq, "key");
			if (json_is_string(kv) || json_is_number(kv))
				json_object_set(p, "answer", (json_t *)kv);
			if (json_is_string(json_object_get(q, "key")))
				json_object_set(p, "key", json_object_get(q, "key"));
			json_object_set_new(problems, id, p);
			imp_say(&m, "- %s: a code_single_line problem; INGInious's run script must check its answer (`answer:` "
			    "holds it, as computed on the trace)", id);
		}
	}
	if (!traced)
		json_object_set_new(problems, "trace", trace_of(doc, NULL, trace));
	json_decref(keys);

	/* the capture, its PDML, task.yaml */
	if (mkdir(outdir, 0755) != 0 && errno != EEXIST) {
		imp_fail(&m, "%s: %s", outdir, strerror(errno));
		goto out;
	}
	char path[1200];
	snprintf(path, sizeof(path), "%s/task.yaml", outdir);
	if (imp_is_file(path)) {
		imp_fail(&m, "%s already holds a task: export into a new folder", outdir);
		goto out;
	}
	size_t cap_len;
	if (!(cap_data = tq_read_file(cap_path, MAX_CAPTURE, &cap_len))) {
		imp_fail(&m, "%s: %s", cap_path, strerror(errno));
		goto out;
	}
	struct tq_sbuf pdml, y;
	tq_sbuf_init(&pdml, 0);
	tq_sbuf_init(&y, 0);
	tq_write_pdml_header(cap, cap_name, &pdml);
	for (uint32_t f = 1; f <= tq_capture_count(cap) && !pdml.err; f++) {
		int de;
		struct tq_tree *t = tq_dissect_ex(cap, f, 0, &de);
		if (!t) {
			imp_fail(&m, "frame %u: %s", f, tq_strerror(de));
			break;
		}
		tq_write_pdml_packet(t, &pdml);
		tq_tree_free(t);
	}
	tq_write_pdml_footer(&pdml);
	int ok = !m.err[0] && !pdml.err && tq_exercise_to_yaml(task, &y) == 0 && !y.err;
	const char *files[] = { cap_name, trace, "task.yaml" };
	const void *data[] = { cap_data, pdml.s, y.s };
	size_t lens[] = { cap_len, pdml.len, y.len };
	int wr = ok ? imp_write_files(&m, outdir, 3, files, data, lens) : -1;
	tq_sbuf_free(&pdml);
	tq_sbuf_free(&y);
	if (wr != 0) {
		if (!m.err[0])
			imp_fail(&m, "the task could not be written");
		goto out;
	}
	imp_say(&m, "- the task: task.yaml, %s and its PDML %s (made by tracequiz's PDML writer)", cap_name, trace);
	rc = 0;
out:
	free(cap_data);
	json_decref(task);
	tq_capture_free(cap);
	tq_exercise_free(ex);
	return rc;
}
