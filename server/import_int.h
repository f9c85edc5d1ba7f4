/* import_int.h - what the INGInious import (import.c) and export (export.c) share. */
#ifndef TQ_IMPORT_INT_H
#define TQ_IMPORT_INT_H

#include <jansson.h>

#include "exercise.h"
#include "import.h"

#define MAX_TASK_FILE (1u << 20)         /* task.yaml */
#define MAX_CAPTURE   (256u << 20)       /* the capture copied */

struct imp {
	const char *taskdir;
	const char *name;            /* taskdir as the messages call it */
	char shown_path[1400];       /* shown()'s */
	struct tq_sbuf *rep;
	char *err;
	size_t errlen;
	char *run;                   /* the task's run script, read (never run), or NULL */
	const char *cap_path;        /* the capture, once found */
	struct tq_capture *cap;      /* opened by trace_cap() */
	int cap_failed;
	const struct tq_limits *lim; /* the work's budget, NULL: none */
};

/* The error message of the import or export: -1. */
int imp_fail(struct imp *m, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* A line of the report. */
void imp_say(struct imp *m, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* A string member of o, "" when it is not one. */
const char *imp_str_of(const json_t *o, const char *key);
int imp_is_file(const char *path);
/* Writes the n files beside each other under temporary names, then renames them in order
 * (the last one last): all of them, or none. */
int imp_write_files(struct imp *m, const char *dir, size_t n, const char *const *names, const void *const *data,
    const size_t *lens);

/* import_fields.c: the course's text as Markdown (NULL when v is no text), and the course's
 * field names (a name, a list or {}) as the fields they mean, appended to list without repeats:
 * in frame (from 1) the fields of a plugin's label that frame holds, with 0 all of them; each
 * name read as another said in the report. */
json_t *imp_md_of(struct imp *m, const json_t *v, const char *where);
void imp_map_fields(struct imp *m, json_t *list, const char *name, uint32_t frame, const char *where);
void imp_add_fields(struct imp *m, json_t *list, const json_t *v, uint32_t frame, const char *where);
/* The questions (and, for a network-trace problem, the view) a task's problem pid gives (import_problems.c). */
void imp_trace_problem(struct imp *m, const char *pid, const json_t *p, json_t *view, json_t *questions);
void imp_choice_problem(struct imp *m, const char *pid, const json_t *p, json_t *questions);
void imp_text_problem(struct imp *m, const char *pid, const json_t *p, const char *type, json_t *questions);

#endif
