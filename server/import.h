/* import.h - an INGInious task made a tracequiz exercise (import.c, doc/import.md). */
#ifndef TQ_IMPORT_H
#define TQ_IMPORT_H

#include <jansson.h>

#include "tq.h"

/*
 * Imports the INGInious task in taskdir (its task.yaml and the capture its
 * network-trace problems show) into outdir, created if it is not there
 * (name: what the report and the messages call taskdir, NULL for itself):
 * outdir/exercise.yaml, the capture beside it, and outdir/import-report.md.
 * report gets the same report, in Markdown: what was imported, each name
 * mapped to another, each key computed, and what needs the instructor.
 * Nothing in taskdir is executed.  lim (NULL: none) bounds the work on the
 * capture: the keys, the index of its values, the check of the course's
 * answers (a server's job budget).  0, or -1 with err set and nothing
 * written (an outdir that already holds an exercise is refused).
 */
int tq_import_inginious(const char *taskdir, const char *name, const struct tq_limits *lim, const char *outdir,
    struct tq_sbuf *report, char *err, size_t errlen);

/*
 * The same from an archive of the task's folder (zip, or tar compressed
 * with gzip, bzip2 or xz or not): task.yaml at its top or in the one folder
 * at its top.  The archive is unpacked into a private temporary folder
 * under o->tmpdir, removed before returning: only folders and regular
 * files, none outside it, within caps on entries and bytes (unpack.c).
 */
#define TQ_IMPORT_MAX_ARCHIVE (300u << 20)   /* an archive of a task folder, read whole */
struct tq_archive_opts {
	const char *name;            /* the archive's file name, for the report and the messages */
	const char *tmpdir;          /* where to unpack; NULL: $TMPDIR, else /tmp */
	char *task;                  /* gets the task's own name (its folder's, else the archive's */
	size_t tasklen;              /* without its extension); NULL and 0 when not wanted */
	const struct tq_limits *lim; /* the work's budget (tq_import_inginious), NULL: none */
};
int tq_import_inginious_archive(const void *data, size_t len, const struct tq_archive_opts *o, const char *outdir,
    struct tq_sbuf *report, char *err, size_t errlen);

/*
 * A choice question's validity, as a course typed it, checked against the
 * trace indexed in ix (every field: TQ_FINDEX_ALL): the choices that are one
 * sentence with another value are looked up by key discovery, and each such
 * group said in report, as agreeing, disagreeing (in bold, with the
 * evidence) or the course's word (choices.c).  The number of groups that
 * disagree, or -1 when out of memory.
 */
int tq_check_choices(const struct tq_findex *ix, const json_t *question, struct tq_sbuf *report);

/* Removes dir and everything under it, following no link. */
void tq_remove_tree(const char *dir);

/*
 * The other way: exdir's exercise as an INGInious task folder in outdir
 * (task.yaml, the capture and its PDML from tracequiz's PDML writer), for
 * the network-trace plugin.  Field and order questions become network-trace
 * problems (hide counting frames from 0), choices multiple_choice (their
 * validity as computed on the trace), text and number questions
 * code_single_line with the answer computed on the trace (`answer:`) and
 * the key (`key:`, which tracequiz reads back).  0, or -1 with err set.
 */
int tq_export_inginious(const char *exdir, const char *outdir, struct tq_sbuf *report, char *err, size_t errlen);

#endif
