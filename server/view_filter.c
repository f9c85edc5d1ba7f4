/*
 * view_filter.c - the display filters a student may not apply.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "../analysis/tq.h"
#include "exercise.h"
#include "view_int.h"

/*
 * What a student's display filter may not read: a filter that selects frames
 * by a masked value tells the value (frame 5 is in the list for
 * tcp.seq == 1000 and not for 1001).  So, for a student whose view masks
 * anything, a filter is refused when it names
 *  - a field the exercise hides (in any frame), redacts or excludes, or, when
 *    frames are dealt to other places, one of the numbers and times that tell
 *    a dealt frame's place;
 *  - an item that says such a value again (the restatement table: tcp.port
 *    for tcp.srcport, tcp.nxtseq for tcp.seq, tcp.flags for tcp.flags.syn);
 * and when it reads the value (not only the presence) of
 *  - an item whose abbrev begins a masked field's (ip.flags holds ip.flags.df);
 *  - a protocol, a label or bytes (frame[54:4], tcp.payload contains "x"): their
 *    bytes hold the masked ones;
 *  - text, when the view hides or redacts a field (a dealt frame's numbers are
 *    not quoted in text fields): a line of text quotes the fields in it.
 * Existence tests stay allowed: the tree shows which items each frame has.
 */
struct refusal {
	const json_t *hidden, *redact, *exclude;
	int dealing, words;          /* frames dealt; fields hidden or redacted */
	char *why;
	size_t len;
	int refused;
};

static int
masked_anywhere(const struct refusal *rf, const char *f)
{
	if (view_in_list(rf->hidden, f) || view_in_list(rf->redact, f) || view_in_list(rf->exclude, f))
		return 1;
	/* an excluded item goes with everything under it */
	size_t i;
	json_t *v;
	json_array_foreach(rf->exclude, i, v) {
		const char *x = json_string_value(v);
		size_t n = x ? strlen(x) : 0;
		if (n && !strncmp(f, x, n) && f[n] == '.')
			return 1;
	}
	if (rf->dealing && (view_in_names(view_dealt_mask, f) || view_in_names(view_dealt_drop, f) || !strncmp(f, "tcp.analysis.", 13) ||
	    !strncmp(f, "frame.time", 10)))
		return 1;
	return 0;
}

/* Whether some masked field's abbrev begins with f and a dot. */
static const char *
holds_masked(const json_t *list, const char *f)
{
	size_t n = strlen(f), i;
	json_t *v;
	json_array_foreach(list, i, v) {
		const char *m = json_string_value(v);
		if (m && !strncmp(m, f, n) && m[n] == '.')
			return m;
	}
	return NULL;
}

static void
refuse_use(void *arg, const struct tq_field_use *u)
{
	struct refusal *rf = arg;
	if (rf->refused)
		return;
	const char *f = u->abbrev, *m = NULL;
	if (masked_anywhere(rf, f)) {
		snprintf(rf->why, rf->len, "%s is hidden in this exercise: a filter on it would tell what the trace hides", f);
		rf->refused = 1;
		return;
	}
	for (size_t k = 0; k < view_nrestate; k++) {
		const char *o = view_restate[k].other;
		if (o && strcmp(o, VIEW_INFO) && !strcmp(o, f) && (u->value || view_restate[k].how == R_DROP) &&
		    masked_anywhere(rf, view_restate[k].field)) {
			snprintf(rf->why, rf->len, "%s says the value of %s again, which this exercise hides: "
			    "a filter on it would tell what the trace hides", f, view_restate[k].field);
			rf->refused = 1;
			return;
		}
	}
	if (!u->value)
		return;
	if ((m = holds_masked(rf->hidden, f)) || (m = holds_masked(rf->redact, f)) ||
	    (rf->dealing && !strcmp(f, "tcp.options.timestamp"))) {
		snprintf(rf->why, rf->len, "%s holds %s, which this exercise hides: a filter may only ask whether %s is there",
		    f, m ? m : "the timestamps", f);
		rf->refused = 1;
		return;
	}
	if ((u->raw && (rf->words || rf->dealing)) || (u->text && rf->words)) {
		snprintf(rf->why, rf->len, "%s holds the %s of fields this exercise hides: a filter may only ask whether %s is there",
		    f, u->raw ? "bytes" : "words", f);
		rf->refused = 1;
	}
}

int
tq_view_filter_refused(const struct tq_exercise *ex, int dealing, const struct tq_expr *e, char *why, size_t len)
{
	if (!ex)
		return 0;
	const json_t *doc = tq_exercise_doc(ex);
	json_t *view = json_object_get(doc, "view"), *hidden = json_array();
	if (!hidden) {
		snprintf(why, len, "out of memory");
		return 1;
	}
	size_t i;
	json_t *q;
	json_array_foreach(json_object_get(doc, "questions"), i, q) {
		const char *frame;
		json_t *list;
		json_object_foreach(json_object_get(q, "hide"), frame, list) {
			size_t k;
			json_t *f;
			json_array_foreach(list, k, f)
				if (!view_in_list(hidden, json_string_value(f)))
					json_array_append(hidden, f);
		}
	}
	struct refusal rf = {
		.hidden = hidden, .redact = json_object_get(view, "redact"), .exclude = json_object_get(view, "exclude"),
		.dealing = dealing, .why = why, .len = len,
	};
	rf.words = json_array_size(rf.hidden) || json_array_size(rf.redact);
	if (rf.words || rf.dealing || json_array_size(rf.exclude))
		tq_expr_uses(e, refuse_use, &rf);
	json_decref(hidden);
	return rf.refused;
}
