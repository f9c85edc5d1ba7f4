/*
 * view.h - what a student sees of a trace: an exercise's view applied to its
 * frames, their packet-list rows and the display filters a student types.
 *
 * One view serves one request: made for an exercise (tq_view_new), then set
 * to each frame in turn (tq_view_frame).  The rules are in view.c's head
 * comment and in doc/exercises.md, "What hiding masks".
 */
#ifndef TQ_VIEW_H
#define TQ_VIEW_H

#include <stddef.h>
#include <stdint.h>

struct tq_view;
struct tq_exercise;
struct tq_tree;
struct tq_capture;
struct tq_sbuf;
struct tq_expr;

/* A view of ex (borrowed: it must outlive the view); NULL when out of memory. */
struct tq_view *tq_view_new(const struct tq_exercise *ex);
void tq_view_free(struct tq_view *v);

/*
 * Sets the view to frame real of the capture, shown at place shown (the same
 * number unless dealt: an order question moved it, and its numbers and times
 * are masked).  Forgets the values masked in the previous frame.  0, or
 * TQ_ENOMEM.
 */
int tq_view_frame(struct tq_view *v, uint32_t real, uint32_t shown, int dealt);

/* Whether the view masks any value in this frame (else it is shown as it is, but for exclusions). */
int tq_view_masks_anything(const struct tq_view *v);
/* Whether a question hides a field in this frame. */
int tq_view_hides(const struct tq_view *v);

/* Tree t of this frame as the frame JSON (doc/json.md), the view applied as it is written. 0 or a tq_err. */
int tq_view_write_json(struct tq_view *v, struct tq_tree *t, struct tq_sbuf *out);

/* Reads the values the view masks in this frame of cap, for its packet-list row. 0 or a tq_err. */
int tq_view_gather(struct tq_view *v, struct tq_capture *cap);
/* Packet-list text s with the values gathered masked ("??"): malloc'd, or NULL when nothing in s says one. */
char *tq_view_mask_row(const struct tq_view *v, const char *s);
/* Whether the row can be masked word by word (tq_view_mask_row): every field hidden in the frame is said
 * in the Info column in a way the restatement table knows, or has a value long enough to be found as a
 * word.  When not, the row's Info is "??" whole. */
int tq_view_row_maskable(const struct tq_view *v);

/* Whether a student may not apply display filter e to ex's capture (dealing: the exercise deals this
 * student frames to other places): 1 with a sentence in why that says why, else 0. */
int tq_view_filter_refused(const struct tq_exercise *ex, int dealing, const struct tq_expr *e, char *why, size_t len);

#endif
