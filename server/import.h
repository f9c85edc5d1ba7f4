/* import.h - an INGInious task made a tracequiz exercise (import.c, doc/import.md). */
#ifndef TQ_IMPORT_H
#define TQ_IMPORT_H

#include "tq.h"

/*
 * Imports the INGInious task in taskdir (its task.yaml and the capture its
 * network-trace problems show) into outdir, created if it is not there:
 * outdir/exercise.yaml, the capture beside it, and outdir/import-report.md.
 * report gets the same report, in Markdown: what was imported, each name
 * mapped to another, each key computed, and what needs the instructor.
 * Nothing in taskdir is executed.  0, or -1 with err set and nothing written
 * (an outdir that already holds an exercise is refused).
 */
int tq_import_inginious(const char *taskdir, const char *outdir, struct tq_sbuf *report, char *err, size_t errlen);

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
