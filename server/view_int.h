/* view_int.h - what the view's files share: the restatement table, the masked values, text masking. */
#ifndef TQ_VIEW_INT_H
#define TQ_VIEW_INT_H

#include <stddef.h>

#include <jansson.h>

#include "view.h"

/* How a frame says a field's value again (view_text.c's table, described there). */
enum restate_how {
	R_TWIN,         /* other holds the same value in another form: masked as the field */
	R_ALIAS,        /* other is a filter alias (tcp.port): masked where it holds the field's value */
	R_DERIVED,      /* other is computed from the field: masked as the field */
	R_DROP,         /* other tells the field's value by being there: left out */
	R_AFTER,        /* the word after text, in the labels of other (NULL: any label; INFO: the Info column) */
	R_WORD,         /* the words text themselves, in other */
	R_SAID,         /* as R_AFTER, and said ("??") where the frame leaves it out (the said[] table) */
	R_ARROW,        /* the Info column's port before ("<") or after (">") its arrow */
	R_FLAG,         /* a TCP flag (bits): its name (text) in the flags summaries, its letter in tcp.flags.str */
	R_NAMED,        /* the name of its value ("Echo (ping) request"), wherever the frame says it */
};

/* The "field" of the packet list's Info column in the table. */
#define VIEW_INFO "#info"

struct restate {
	const char *field;
	enum restate_how how;
	const char *other;
	const char *text;
	unsigned bits;
};

extern const struct restate view_restate[];
extern const size_t view_nrestate;
/* The numbers that give a dealt frame's place away; what a dealt frame does not show at all. */
extern const char *const view_dealt_mask[], *const view_dealt_drop[];

/* The values a view masked in one frame, to mask wherever the frame repeats them. */
struct view_masks {
	size_t n;
	struct {
		char field[64];
		char value[160];
	} m[96];
	/* made by view_masks_index: the table's entries that quote a remembered field, and its flags */
	unsigned short said[160];
	size_t nsaid;
	unsigned flags;
};

/* The field a masked value's name is remembered under. */
#define VIEW_NAME_OF "#name"

void view_remember(struct view_masks *ms, const char *field, const char *value);
void view_remember_name(struct view_masks *ms, const char *label, const char *value);
int view_alias_masked(const struct view_masks *ms, const char *f, const char *value);
/* After the last view_remember: what view_mask_text needs. */
void view_masks_index(struct view_masks *ms);
/*
 * s with what restates the masked values of ms masked: malloc'd, or NULL
 * when nothing in s says one.  where is the field of the tree item s labels
 * (NULL for a text item), or VIEW_INFO for the packet list's columns; frame
 * is the frame's number.
 */
char *view_mask_text(const char *s, const struct view_masks *ms, const char *where, unsigned long frame);
/* Whether the Info column says field f's value in a way the table knows. */
int view_said_in_info(const char *f);

int view_in_list(const json_t *list, const char *s);
int view_in_names(const char *const *names, const char *s);

#endif
