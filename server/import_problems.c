/*
 * import_problems.c - an INGInious task's problems made questions: a
 * network-trace problem gives the view and field or order questions, a
 * multiple_choice problem a choice question, a free-text problem a text
 * question when its answer is in task.yaml or in the task's run script.
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "import_int.h"

/* ------------------------------------------------------------------ problems */

const char *
imp_str_of(const json_t *o, const char *key)
{
	const json_t *v = json_object_get(o, key);
	return json_is_string(v) ? json_string_value(v) : "";
}

/* The prompt of a problem: its header, else its name. */
static json_t *
prompt_of(struct imp *m, const char *pid, const json_t *p)
{
	char where[160];
	snprintf(where, sizeof(where), "problem %s", pid);
	json_t *t = imp_md_of(m, json_object_get(p, "header"), where);
	if (!t)
		t = imp_md_of(m, json_object_get(p, "name"), where);
	return t ? t : json_sprintf("Problem %s", pid);
}

/* A network-trace problem: the view, a field question (hide), an order question (shuffle). */
void
imp_trace_problem(struct imp *m, const char *pid, const json_t *p, json_t *view, json_t *questions)
{
	char where[160];
	snprintf(where, sizeof(where), "problem %s", pid);
	imp_add_fields(m, json_object_get(view, "exclude"), json_object_get(p, "exclude"), 0, where);
	imp_add_fields(m, json_object_get(view, "redact"), json_object_get(p, "redact"), 0, where);
	const json_t *hide = json_object_get(p, "hide");
	json_t *h = json_object();
	const char *k;
	json_t *v;
	size_t nf = 0;
	json_object_foreach((json_t *)hide, k, v) {
		char *end;
		errno = 0;
		long idx = strtol(k, &end, 10);
		if (*end || errno || idx < 0 || idx >= 1000000) {
			imp_say(m, "- %s: `hide` names `%s`, which is not a frame's index: left out", where, k);
			continue;
		}
		json_t *fs = json_array();
		imp_add_fields(m, fs, v, (uint32_t)idx + 1, where);
		if (!json_array_size(fs)) {
			json_decref(fs);
			continue;
		}
		char frame[24];
		snprintf(frame, sizeof(frame), "%ld", idx + 1);     /* INGInious counts from 0 */
		nf += json_array_size(fs);
		json_object_set_new(h, frame, fs);
	}
	int shuffle = json_is_true(json_object_get(p, "shuffle"));
	if (json_object_size(h)) {
		json_t *q = json_pack("{s:s,s:s,s:o,s:o}", "id", pid, "kind", "field", "prompt", prompt_of(m, pid, p), "hide", h);
		json_t *fb = json_object_get(p, "feedback"), *fields = json_object();
		json_object_foreach(fb, k, v) {
			json_t *fs = json_array(), *t = imp_md_of(m, v, where);
			imp_map_fields(m, fs, k, 0, where);
			size_t i;
			json_t *f;
			json_array_foreach(fs, i, f)
				if (t)
					json_object_set(fields, json_string_value(f), t);
			json_decref(t);
			json_decref(fs);
		}
		if (json_object_size(fields))
			json_object_set_new(q, "feedback", json_pack("{s:o}", "fields", fields));
		else
			json_decref(fields);
		json_array_append_new(questions, q);
		imp_say(m, "- problem %s: a field question, %zu field%s to fill in (INGInious's frame indexes count from 0, "
		    "tracequiz's frames from 1)", pid, nf, nf == 1 ? "" : "s");
	} else {
		json_decref(h);
	}
	if (shuffle) {
		char id[160];
		snprintf(id, sizeof(id), "%s%s", pid, nf ? "-order" : "");
		json_t *q = json_pack("{s:s,s:s,s:o}", "id", id, "kind", "order", "prompt", prompt_of(m, pid, p));
		json_t *t = imp_md_of(m, json_object_get(p, "shuffle-feedback"), where);
		if (t)
			json_object_set_new(q, "feedback", json_pack("{s:o}", "wrong", t));
		json_array_append_new(questions, q);
		imp_say(m, "- problem %s: an order question over every frame", pid);
	}
	if (!nf && !shuffle)
		imp_say(m, "- problem %s: the trace, shown beside the questions", pid);
}

void
imp_choice_problem(struct imp *m, const char *pid, const json_t *p, json_t *questions)
{
	char where[160];
	snprintf(where, sizeof(where), "problem %s", pid);
	json_t *choices = json_array();
	size_t i, nvalid = 0;
	json_t *c;
	json_array_foreach(json_object_get(p, "choices"), i, c) {
		json_t *t = imp_md_of(m, json_object_get(c, "text"), where);
		if (!t)
			continue;
		json_t *o = json_pack("{s:o}", "text", t);
		if (json_is_true(json_object_get(c, "valid"))) {
			json_object_set_new(o, "valid", json_true());
			nvalid++;
		}
		json_t *fb = imp_md_of(m, json_object_get(c, "feedback"), where);
		if (fb)
			json_object_set_new(o, "feedback", fb);
		json_array_append_new(choices, o);
	}
	json_t *q = json_pack("{s:s,s:s,s:o,s:o}", "id", pid, "kind", "choice", "prompt", prompt_of(m, pid, p),
	    "choices", choices);
	if (json_is_true(json_object_get(p, "multiple")))
		json_object_set_new(q, "multiple", json_true());
	json_int_t limit = json_integer_value(json_object_get(p, "limit"));
	if (limit > 0 && (size_t)limit < json_array_size(choices))
		json_object_set_new(q, "limit", json_integer(limit));
	json_array_append_new(questions, q);
	imp_say(m, "- problem %s: a choice question, %zu choices, %zu valid as the course says%s", pid,
	    json_array_size(choices), nvalid, json_is_true(json_object_get(p, "multiple")) ? " (several may be)" : "");
}

/*
 * The answer a run script compares problem pid's input with, found by
 * reading it (never running it): the first line that names pid beside the
 * word "input" (get_input("q1"), getinput q1), then, in it or the 12 lines
 * after, the first literal a comparison names (== "x", == 'x', = "x" in a
 * test, == 28).  0 with lit, its line and whether it is a number, or -1.
 */
static int
run_answer(const char *run, const char *pid, char *lit, size_t len, int *line, int *num)
{
	size_t pl = strlen(pid);
	int ln = 1, from = 0;
	for (const char *p = run; *p; ln++) {
		const char *eol = strchr(p, '\n');
		size_t n = eol ? (size_t)(eol - p) : strlen(p);
		if (!from) {
			const char *h = memmem(p, n, "input", 5);
			for (const char *q = h ? memmem(p, n, pid, pl) : NULL; q; q = memmem(q + 1, n - (size_t)(q + 1 - p), pid, pl)) {
				char b = q > p ? q[-1] : ' ', a = q + pl < p + n ? q[pl] : ' ';
				if (!(isalnum((unsigned char)b) || b == '_') && !(isalnum((unsigned char)a) || a == '_')) {
					from = ln;
					break;
				}
			}
		}
		if (from && ln <= from + 12) {
			for (const char *q = p; q < p + n; q++) {
				if (!((q[0] == '=' && q + 1 < p + n && q[1] == '=') || (q[0] == '=' && q > p && q[-1] == ' ' &&
				    q + 1 < p + n && q[1] == ' ')))
					continue;
				const char *v = q + (q[1] == '=' ? 2 : 1);
				while (v < p + n && *v == ' ')
					v++;
				if (v < p + n && (*v == '"' || *v == '\'')) {
					const char *e = memchr(v + 1, *v, (size_t)(p + n - v - 1));
					if (e && e > v + 1 && (size_t)(e - v - 1) < len && *(v + 1) != '$') {
						memcpy(lit, v + 1, (size_t)(e - v - 1));
						lit[e - v - 1] = '\0';
						*line = ln;
						char *end;
						strtoll(lit, &end, 10);
						*num = !*end;
						return 0;
					}
				} else if (v < p + n && isdigit((unsigned char)*v)) {
					size_t k = 0;
					while (v + k < p + n && isdigit((unsigned char)v[k]) && k + 1 < len)
						k++;
					memcpy(lit, v, k);
					lit[k] = '\0';
					*line = ln;
					*num = 1;
					return 0;
				}
			}
		}
		if (from && ln > from + 12)
			from = 0;       /* another mention of pid may come */
		if (!eol)
			break;
		p = eol + 1;
	}
	return -1;
}

void
imp_text_problem(struct imp *m, const char *pid, const json_t *p, const char *type, json_t *questions)
{
	const json_t *ans = json_object_get(p, "answer"), *key = json_object_get(p, "key");
	if (json_is_string(key) && *json_string_value(key)) {
		/* a task tracequiz exported: the key, computed from the trace */
		json_t *q = json_pack("{s:s,s:s,s:o,s:O}", "id", pid, "kind", json_is_number(ans) ? "number" : "text",
		    "prompt", prompt_of(m, pid, p), "key", key);
		if (!json_is_number(ans))
			json_object_set_new(q, "normalize", json_pack("[ss]", "case", "trim"));
		json_array_append_new(questions, q);
		imp_say(m, "- problem %s (%s): a %s question, its key as task.yaml gives it (`%.200s`)", pid, type,
		    json_is_number(ans) ? "number" : "text", json_string_value(key));
		return;
	}
	if (json_is_string(ans) || json_is_number(ans)) {
		json_t *q = json_pack("{s:s,s:s,s:o,s:O}", "id", pid, "kind", json_is_number(ans) ? "number" : "text",
		    "prompt", prompt_of(m, pid, p), "answer", ans);
		if (json_is_string(ans))
			json_object_set_new(q, "normalize", json_pack("[ss]", "case", "trim"));
		json_array_append_new(questions, q);
		imp_say(m, "- problem %s (%s): a %s question, its answer as task.yaml gives it", pid, type,
		    json_is_number(ans) ? "number" : "text");
		return;
	}
	char lit[256];
	int line, num;
	if (m->run && run_answer(m->run, pid, lit, sizeof(lit), &line, &num) == 0) {
		json_t *a = num ? json_integer(strtoll(lit, NULL, 10)) : json_string(lit);
		json_t *q = json_pack("{s:s,s:s,s:o,s:o}", "id", pid, "kind", num ? "number" : "text",
		    "prompt", prompt_of(m, pid, p), "answer", a);
		if (!num)
			json_object_set_new(q, "normalize", json_pack("[ss]", "case", "trim"));
		json_array_append_new(questions, q);
		imp_say(m, "- problem %s (%s): a %s question, its answer `%s` read from line %d of the `run` script (found by "
		    "a pattern, the script not run: check it)", pid, type, num ? "number" : "text", lit, line);
		return;
	}
	imp_say(m, "- **problem %s (%s) needs you**: its answer is checked by the task's `run` script%s: write its key "
	    "(or `answer:`) in exercise.yaml. Its prompt: %.200s", pid, type,
	    m->run ? ", where no simple comparison gives it" : ", which is not in the task folder",
	    imp_str_of(p, "header")[0] ? imp_str_of(p, "header") : imp_str_of(p, "name"));
}
