/*
 * import.c - an INGInious task made a tracequiz exercise: `tracequiz import
 * inginious TASKDIR OUTDIR` (doc/import.md).
 *
 * task.yaml is read as data, never run: its network-trace problems give the
 * capture, the view (exclude, redact), field questions (hide, feedback) and
 * order questions (shuffle); multiple_choice problems give choice questions,
 * with the course's validity kept as it is; a free-text problem gives a
 * question when task.yaml holds its answer, and is listed for the
 * instructor when its answer sits in the task's run script.  The names the
 * course files use that tracequiz does not know are mapped to the field they
 * mean (PDML's geninfo, the course's misspellings), each mapping said in the
 * report.  The exercise is checked and its keys computed on the capture
 * before anything is written; the files are then written beside each other
 * under temporary names and renamed, so that an import either gives a whole
 * exercise or nothing.
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

int
imp_fail(struct imp *m, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(m->err, m->errlen, fmt, ap);
	va_end(ap);
	return -1;
}

void
imp_say(struct imp *m, const char *fmt, ...)
{
	char line[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	tq_sbuf_puts(m->rep, line);
	tq_sbuf_putc(m->rep, '\n');
}

/* path under the task's folder as the instructor knows it (the folder unpacked from an archive is not). */
static const char *
shown(struct imp *m, const char *path)
{
	size_t n = strlen(m->taskdir);
	if (!strncmp(path, m->taskdir, n) && (path[n] == '/' || !path[n])) {
		snprintf(m->shown_path, sizeof(m->shown_path), "%s%s", m->name, path + n);
		return m->shown_path;
	}
	return path;
}

/* ------------------------------------------------------------------ the capture */

int
imp_is_file(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

static int
is_capture_name(const char *n)
{
	size_t k = strlen(n);
	return (k > 5 && !strcmp(n + k - 5, ".pcap")) || (k > 7 && !strcmp(n + k - 7, ".pcapng")) ||
	    (k > 4 && !strcmp(n + k - 4, ".cap"));
}

/*
 * The capture a problem's trace (its PDML: "x.pcap.xml", "dns-req.pdml")
 * was made from, in the task folder or its public/: the name less .xml or
 * .pdml, with .pcap or .pcapng added if need be; else the one capture whose
 * name starts with it; else the folder's only capture.  0 and path set, or -1.
 */
static int
find_capture(struct imp *m, const char *trace, char *path, size_t len)
{
	char stem[256];
	snprintf(stem, sizeof(stem), "%s", trace);
	for (int again = 1; again;) {
		size_t k = strlen(stem);
		again = 0;
		if (k > 4 && !strcmp(stem + k - 4, ".xml"))
			stem[k - 4] = '\0', again = 1;
		else if (k > 5 && !strcmp(stem + k - 5, ".pdml"))
			stem[k - 5] = '\0', again = 1;
	}
	if (strchr(stem, '/') || !strcmp(stem, "..")) {
		imp_say(m, "- the trace `%s` is not a file name inside the task", trace);
		return -1;
	}
	static const char *const dirs[] = { "", "/public" };
	static const char *const exts[] = { "", ".pcap", ".pcapng" };
	for (size_t d = 0; d < 2; d++)
		for (size_t e = 0; e < 3; e++) {
			snprintf(path, len, "%s%s/%s%s", m->taskdir, dirs[d], stem, exts[e]);
			if (is_capture_name(path) && imp_is_file(path))
				return 0;
		}
	/* no such name: one that starts with it, else the only one */
	char prefixed[1400] = "", only[1400] = "";
	int nprefixed = 0, ncaps = 0;
	for (size_t d = 0; d < 2; d++) {
		char dir[1024];
		snprintf(dir, sizeof(dir), "%s%s", m->taskdir, dirs[d]);
		DIR *dp = opendir(dir);
		struct dirent *de;
		while (dp && (de = readdir(dp))) {
			if (!is_capture_name(de->d_name))
				continue;
			char p[1400];
			snprintf(p, sizeof(p), "%s/%s", dir, de->d_name);
			if (!imp_is_file(p))
				continue;
			ncaps++;
			snprintf(only, sizeof(only), "%s", p);
			if (!strncmp(de->d_name, stem, strlen(stem))) {
				nprefixed++;
				snprintf(prefixed, sizeof(prefixed), "%s", p);
			}
		}
		if (dp)
			closedir(dp);
	}
	const char *pick = nprefixed == 1 ? prefixed : ncaps == 1 ? only : NULL;
	if (!pick) {
		imp_say(m, "- no capture for the trace `%s`: %d capture%s in the task folder, none named after it", trace, ncaps,
		    ncaps == 1 ? "" : "s");
		return -1;
	}
	size_t pl = strlen(pick);
	if (pl >= len) {
		imp_say(m, "- the path of the capture of `%s` is too long", trace);
		return -1;
	}
	memcpy(path, pick, pl + 1);
	imp_say(m, "- the trace `%s` is read from `%s` (%s)", trace, strrchr(pick, '/') + 1,
	    nprefixed == 1 ? "the capture whose name starts with its own" : "the task's only capture");
	return 0;
}

/* ------------------------------------------------------------------ writing */

/* Writes n bytes to dir/.name.import (created new), for write_commit. */
static int
write_temp(struct imp *m, const char *dir, const char *name, const void *data, size_t n)
{
	char tmp[1200];
	snprintf(tmp, sizeof(tmp), "%s/.%s.import", dir, name);
	int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return imp_fail(m, "%s: %s", tmp, strerror(errno));
	const char *p = data;
	while (n) {
		ssize_t k = write(fd, p, n);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0) {
			int e = errno;
			close(fd);
			unlink(tmp);
			return imp_fail(m, "%s: %s", tmp, strerror(k < 0 ? e : EIO));
		}
		p += k;
		n -= (size_t)k;
	}
	if (fsync(fd) != 0 || close(fd) != 0) {
		unlink(tmp);
		return imp_fail(m, "%s: %s", tmp, strerror(errno));
	}
	return 0;
}

static int
commit(struct imp *m, const char *dir, const char *name)
{
	char tmp[1200], dst[1200];
	snprintf(tmp, sizeof(tmp), "%s/.%s.import", dir, name);
	snprintf(dst, sizeof(dst), "%s/%s", dir, name);
	if (rename(tmp, dst) != 0)
		return imp_fail(m, "%s: %s", dst, strerror(errno));
	return 0;
}

static void
drop_temp(const char *dir, const char *name)
{
	char tmp[1200];
	snprintf(tmp, sizeof(tmp), "%s/.%s.import", dir, name);
	unlink(tmp);
}

/*
 * Writes n files into dir beside each other: each under a temporary name,
 * then each renamed, the last one last (the one that says the folder is
 * whole).  0, or -1 with the error set and none of them left.
 */
int
imp_write_files(struct imp *m, const char *dir, size_t n, const char *const *names, const void *const *data,
    const size_t *lens)
{
	size_t written = 0, committed = 0;
	while (written < n && write_temp(m, dir, names[written], data[written], lens[written]) == 0)
		written++;
	while (written == n && committed < n && commit(m, dir, names[committed]) == 0)
		committed++;
	if (committed == n)
		return 0;
	for (size_t i = 0; i < n; i++) {
		drop_temp(dir, names[i]);
		if (i < committed) {
			char path[1200];
			snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
			unlink(path);
		}
	}
	return -1;
}

/* ------------------------------------------------------------------ the task */

/*
 * The course's literal answers against the trace: a key computed from the
 * trace that gives the same (tracequiz suggest), or, when no value of the
 * trace reads as the answer, a flag for the instructor.  The course's answer
 * is never changed.
 */
static void
literal_answers(struct imp *m, const json_t *doc, struct tq_capture *cap)
{
	struct tq_findex *ix = NULL;
	size_t i;
	json_t *q;
	json_array_foreach(json_object_get(doc, "questions"), i, q) {
		const json_t *lit = json_object_get(q, "answer");
		char a[512], err[256];
		int choice = !strcmp(json_string_value(json_object_get(q, "kind")), "choice");
		if (!ix && (choice || json_is_string(lit) || json_is_integer(lit)) &&
		    tq_findex_build(cap, NULL, TQ_FINDEX_ALL, m->lim, &ix, err, sizeof(err)) != 0) {
			imp_say(m, "- the literal answers could not be checked against the trace: %s", err);
			return;
		}
		if (ix && m->lim && m->lim->deadline_ns && tq_monotonic_ns() > m->lim->deadline_ns) {
			imp_say(m, "- the literal answers from %s on were not checked against the trace: the import ran out of "
			    "time", json_string_value(json_object_get(q, "id")));
			break;
		}
		if (choice) {
			if (tq_check_choices(ix, q, m->rep) < 0)
				break;
			continue;
		}
		if (json_is_string(lit))
			snprintf(a, sizeof(a), "%s", json_string_value(lit));
		else if (json_is_integer(lit))
			snprintf(a, sizeof(a), "%" JSON_INTEGER_FORMAT, json_integer_value(lit));
		else
			continue;
		char **s;
		size_t n;
		const char *id = json_string_value(json_object_get(q, "id"));
		if (tq_suggest(ix, a, json_string_value(json_object_get(q, "prompt")), 1, &s, &n) != 0)
			break;
		if (n)
			imp_say(m, "- %s: the course's answer `%s` is, on this trace, `%s` (a key computed from the trace: "
			    "write it as `key:` to keep the question right on another trace)", id, a, s[0]);
		else
			imp_say(m, "- **%s: does the course's answer agree with the trace?** No value of the trace reads as "
			    "`%s`: check it before the exercise is used", id, a);
		for (size_t k = 0; k < n; k++)
			free(s[k]);
		free(s);
	}
	tq_findex_free(ix);
}

/* The keys computed on the capture, in the report; -1 when the exercise does not load. */
static int
check_keys(struct imp *m, json_t *doc, const char *outdir, const char *cap_path)
{
	struct tq_exercise *ex;
	char err[1024];
	if (tq_exercise_from_json(doc, outdir, &ex, err, sizeof(err)) != 0)
		return imp_fail(m, "the imported exercise does not load: %s", err);
	struct tq_capture *cap;
	struct tq_open_opts oo = tq_exercise_open_opts(ex);
	if (tq_capture_open_file_opts(cap_path, &oo, &cap, err, sizeof(err)) != 0) {
		tq_exercise_free(ex);
		return imp_fail(m, "%s: %s", shown(m, cap_path), err);
	}
	int rc = tq_exercise_compute_keys(ex, cap, m->lim, err, sizeof(err));
	if (rc != 0) {
		tq_capture_free(cap);
		tq_exercise_free(ex);
		return imp_fail(m, "%s: %s", shown(m, cap_path), err);
	}
	json_t *keys = tq_exercise_keys_json(ex);
	size_t i;
	json_t *q;
	imp_say(m, "\n## Keys, computed on the capture\n");
	json_array_foreach(json_object_get(keys, "questions"), i, q) {
		const json_t *e = json_object_get(q, "error");
		char *k = json_dumps(json_object_get(q, "key"), JSON_ENCODE_ANY | JSON_COMPACT);
		const json_t *states = json_object_get(q, "states");
		if (json_is_string(e)) {
			imp_say(m, "- %s: **no key**: %s", json_string_value(json_object_get(q, "id")), json_string_value(e));
		} else if (json_is_array(states)) {
			struct tq_sbuf l;
			tq_sbuf_init(&l, 0);
			size_t c;
			json_t *st;
			json_array_foreach(states, c, st)
				if (json_is_true(st) || json_integer_value(st) == 1)
					tq_sbuf_printf(&l, "%s%zu", l.len ? ", " : "", c + 1);
			imp_say(m, "- %s: valid choices %s of %zu", json_string_value(json_object_get(q, "id")),
			    l.len ? l.s : "none", json_array_size(states));
			tq_sbuf_free(&l);
		} else
			imp_say(m, "- %s: `%.300s%s`", json_string_value(json_object_get(q, "id")), k ? k : "?",
			    k && strlen(k) > 300 ? "..." : "");
		free(k);
	}
	json_decref(keys);
	literal_answers(m, doc, cap);
	tq_capture_free(cap);
	tq_exercise_free(ex);
	return 0;
}

int
tq_import_inginious(const char *taskdir, const char *name, const struct tq_limits *lim, const char *outdir,
    struct tq_sbuf *report, char *err, size_t errlen)
{
	struct imp m = { .taskdir = taskdir, .name = name ? name : taskdir, .rep = report, .err = err, .errlen = errlen,
	    .lim = lim };
	err[0] = '\0';
	char path[1024];
	snprintf(path, sizeof(path), "%s/task.yaml", taskdir);
	size_t len;
	char *text = tq_read_file(path, MAX_TASK_FILE, &len);
	if (!text)
		return imp_fail(&m, "%s: %s", shown(&m, path), errno == EFBIG ? "larger than 1 MiB: not a task.yaml" : strerror(errno));
	json_t *task = tq_yaml_to_json(text, len, err, errlen);
	free(text);
	if (!task)
		return -1;
	int rc = -1;
	json_t *doc = NULL;
	char *cap_data = NULL;
	const char *cap_name = NULL;
	json_t *problems = json_object_get(task, "problems");
	if (!json_is_object(task) || !json_is_object(problems) || !json_object_size(problems)) {
		imp_fail(&m, "%s: no problems: not an INGInious task", shown(&m, path));
		goto out;
	}
	const char *title = imp_str_of(task, "name");
	imp_say(&m, "# Import of %s\n", m.name);
	char run_path[1100];
	size_t run_len;
	snprintf(run_path, sizeof(run_path), "%s/run", taskdir);
	m.run = tq_read_file(run_path, MAX_TASK_FILE, &run_len);
	doc = json_pack("{s:s}", "title", *title ? title : "Imported task");
	json_t *intro = imp_md_of(&m, json_object_get(task, "context"), "the task's context");
	if (intro)
		json_object_set_new(doc, "intro", intro);

	/* the capture: the first network-trace problem's trace */
	char cap_path[1024] = "";
	const char *trace = NULL;
	const char *pid;
	json_t *p;
	json_object_foreach(problems, pid, p) {
		if (!strcmp(imp_str_of(p, "type"), "network-trace") && *imp_str_of(p, "trace")) {
			trace = imp_str_of(p, "trace");
			break;
		}
	}
	if (!trace) {
		imp_fail(&m, "%s: no network-trace problem: the task shows no trace", shown(&m, path));
		goto out;
	}
	if (find_capture(&m, trace, cap_path, sizeof(cap_path)) != 0) {
		imp_fail(&m, "%s: the capture of the trace '%s' is not in the task folder (nor in public/)", shown(&m, path), trace);
		goto out;
	}
	m.cap_path = cap_path;
	json_t *view = json_pack("{s:[],s:[]}", "exclude", "redact");
	json_t *questions = json_array();
	json_object_foreach(problems, pid, p) {
		const char *type = imp_str_of(p, "type");
		if (!strcmp(type, "network-trace")) {
			if (strcmp(imp_str_of(p, "trace"), trace)) {
				imp_say(&m, "- **problem %s shows another trace** (`%s`): an exercise shows one; it is left out", pid,
				    imp_str_of(p, "trace"));
				continue;
			}
			imp_trace_problem(&m, pid, p, view, questions);
		} else if (!strcmp(type, "multiple_choice")) {
			imp_choice_problem(&m, pid, p, questions);
		} else if (!strcmp(type, "code_single_line") || !strcmp(type, "code") || !strcmp(type, "match")) {
			imp_text_problem(&m, pid, p, type, questions);
		} else {
			imp_say(&m, "- **problem %s** is of the type `%s`, which tracequiz does not import", pid, type);
		}
	}
	cap_name = strrchr(cap_path, '/') + 1;
	json_object_set_new(doc, "capture", json_string(cap_name));
	if (!json_array_size(json_object_get(view, "exclude")))
		json_object_del(view, "exclude");
	if (!json_array_size(json_object_get(view, "redact")))
		json_object_del(view, "redact");
	if (json_object_size(view))
		json_object_set(doc, "view", view);
	json_decref(view);
	if (!json_array_size(questions)) {
		json_decref(questions);
		imp_fail(&m, "%s: no problem of the task could be made a question", shown(&m, path));
		goto out;
	}
	json_object_set_new(doc, "questions", questions);

	/* checked, keyed, then written: the capture, the exercise, the report */
	if (mkdir(outdir, 0755) != 0 && errno != EEXIST) {
		imp_fail(&m, "%s: %s", outdir, strerror(errno));
		goto out;
	}
	snprintf(path, sizeof(path), "%s/exercise.yaml", outdir);
	if (imp_is_file(path)) {
		imp_fail(&m, "%s already holds an exercise: import into a new folder", outdir);
		goto out;
	}
	if (check_keys(&m, doc, outdir, cap_path) != 0)
		goto out;
	size_t cap_len;
	cap_data = tq_read_file(cap_path, MAX_CAPTURE, &cap_len);
	if (!cap_data) {
		imp_fail(&m, "%s: %s", shown(&m, cap_path), strerror(errno));
		goto out;
	}
	struct tq_sbuf y;
	tq_sbuf_init(&y, 0);
	tq_sbuf_printf(&y, "# Imported from the INGInious task %s (tracequiz import inginious);\n"
	    "# import-report.md says what was mapped and what needs you.\n", m.name);
	if (tq_exercise_to_yaml(doc, &y) != 0 || y.err) {
		tq_sbuf_free(&y);
		imp_fail(&m, "the exercise cannot be written as YAML");
		goto out;
	}
	/* exercise.yaml last: there is an exercise only when everything is there */
	const char *files[] = { cap_name, "import-report.md", "exercise.yaml" };
	const void *data[] = { cap_data, report->s ? report->s : "", y.s };
	size_t lens[] = { cap_len, report->len, y.len };
	int wr = imp_write_files(&m, outdir, 3, files, data, lens);
	tq_sbuf_free(&y);
	if (wr != 0)
		goto out;
	rc = 0;
out:
	tq_capture_free(m.cap);
	free(m.run);
	free(cap_data);
	json_decref(doc);
	json_decref(task);
	return rc;
}
