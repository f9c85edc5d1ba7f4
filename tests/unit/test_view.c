/*
 * test_view.c - the student's view rules (server/view.c) on the demo
 * exercise's real capture: hiding, redaction, exclusion, dealt frames, the
 * packet-list row and the display filters a student may not apply, each
 * checked on the frame JSON as the server sends it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "../../server/exercise.h"
#include "../../server/view.h"
#include "testutil.h"

static char seed[4096];
static struct tq_capture *cap;

static int
setup(void **state)
{
	(void)state;
	snprintf(seed, sizeof(seed), "%s/../../db/seed/smtp-over-tls", tq_test_data_dir());
	char path[4200], err[256];
	snprintf(path, sizeof(path), "%s/smtp-tls.pcap", seed);
	if (tq_capture_open_file(path, &cap, err, sizeof(err)) != 0)
		fail_msg("%s: %s", path, err);
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	tq_capture_free(cap);
	return 0;
}

static struct tq_exercise *
exercise(const char *view, const char *hide)
{
	char yaml[2048], err[512];
	if (strcmp(hide, "{}"))
		snprintf(yaml, sizeof(yaml), "title: view rules\ncapture: smtp-tls.pcap\n%s\nquestions:\n"
		    "  - id: q\n    kind: field\n    prompt: What is hidden?\n    hide: %s\n", view, hide);
	else        /* nothing hidden: a question of another kind */
		snprintf(yaml, sizeof(yaml), "title: view rules\ncapture: smtp-tls.pcap\n%s\nquestions:\n"
		    "  - id: q\n    kind: number\n    prompt: How many frames?\n    key: count(frame)\n", view);
	struct tq_exercise *ex = NULL;
	if (tq_exercise_load_yaml(yaml, strlen(yaml), seed, &ex, err, sizeof(err)) != 0)
		fail_msg("%s\n%s", err, yaml);
	return ex;
}

/* Frame real as the view writes it, shown at place shown, parsed back. */
static json_t *
student_frame(struct tq_view *v, uint32_t real, uint32_t shown, int dealt, char **text)
{
	int err;
	struct tq_tree *t = tq_dissect_ex(cap, real, TQ_DISSECT_DISPLAY, &err);
	assert_non_null(t);
	struct tq_sbuf out;
	tq_sbuf_init(&out, 0);
	assert_int_equal(tq_view_frame(v, real, shown, dealt), 0);
	assert_int_equal(tq_view_write_json(v, t, &out), 0);
	tq_tree_free(t);
	json_error_t je;
	json_t *j = json_loadb(out.s, out.len, 0, &je);
	if (!j)
		fail_msg("frame %u: not JSON: %s", real, je.text);
	if (text)
		*text = strdup(out.s);
	tq_sbuf_free(&out);
	return j;
}

static char *
staff_frame(uint32_t real)
{
	int err;
	struct tq_tree *t = tq_dissect_ex(cap, real, TQ_DISSECT_DISPLAY, &err);
	assert_non_null(t);
	struct tq_sbuf out;
	tq_sbuf_init(&out, 0);
	tq_write_json(t, &out);
	tq_tree_free(t);
	char *s = strdup(out.s);
	tq_sbuf_free(&out);
	return s;
}

/* The first item of field f in the tree (depth first), NULL when none. */
static json_t *
item(json_t *nodes, const char *f)
{
	size_t i;
	json_t *n;
	json_array_foreach(nodes, i, n) {
		const char *nf = json_string_value(json_object_get(n, "f"));
		if (nf && !strcmp(nf, f))
			return n;
		json_t *k = item(json_object_get(n, "n"), f);
		if (k)
			return k;
	}
	return NULL;
}

static const char *
label(json_t *frame, const char *f)
{
	json_t *n = item(json_object_get(frame, "tree"), f);
	if (!n)
		fail_msg("no %s in the frame", f);
	return json_string_value(json_object_get(n, "l"));
}

/* The hex of source 0 at the bytes of field f. */
static char *
bytes_of(json_t *frame, const char *f)
{
	json_t *n = item(json_object_get(frame, "tree"), f);
	assert_non_null(n);
	json_t *h = json_object_get(n, "h");
	size_t off = (size_t)json_integer_value(json_array_get(h, 0)), len = (size_t)json_integer_value(json_array_get(h, 1));
	const char *hex = json_string_value(json_object_get(json_array_get(json_object_get(frame, "sources"), 0), "bytes"));
	assert_true(strlen(hex) >= 2 * (off + len));
	return strndup(hex + 2 * off, 2 * len);
}

/* A view that masks nothing writes what the staff see, byte for byte, in every frame. */
static void
test_nothing_masked(void **state)
{
	(void)state;
	struct tq_exercise *ex = exercise("", "{}");
	struct tq_view *v = tq_view_new(ex);
	assert_non_null(v);
	for (uint32_t f = 1; f <= tq_capture_count(cap); f++) {
		char *mine, *staff = staff_frame(f);
		json_decref(student_frame(v, f, f, 0, &mine));
		assert_false(tq_view_masks_anything(v));
		assert_string_equal(mine, staff);
		free(mine);
		free(staff);
	}
	tq_view_free(v);
	tq_exercise_free(ex);
}

/* Frame 2 (SYN, ACK) with its acknowledgment number and TSval hidden; frame 3 keeps them. */
static void
test_hidden_fields(void **state)
{
	(void)state;
	struct tq_exercise *ex = exercise("", "{2: [tcp.ack, tcp.options.timestamp.tsval]}");
	struct tq_view *v = tq_view_new(ex);
	char *text;
	json_t *f2 = student_frame(v, 2, 2, 0, &text);
	assert_true(tq_view_masks_anything(v));
	assert_true(tq_view_hides(v));
	json_t *ack = item(json_object_get(f2, "tree"), "tcp.ack");
	assert_string_equal(json_string_value(json_object_get(ack, "l")), "Acknowledgment Number: ??");
	assert_true(json_is_true(json_object_get(ack, "hidden")));
	assert_null(json_object_get(ack, "v"));
	assert_null(json_object_get(ack, "n"));
	/* its twin and the summaries that quote it */
	assert_string_equal(label(f2, "tcp.ack_raw"), "Acknowledgment number (raw): ??");
	assert_non_null(strstr(label(f2, "tcp"), "Ack: ??"));
	assert_non_null(strstr(label(f2, "tcp.options.timestamp"), "TSval ??"));
	/* the value nowhere, its bytes "??" */
	assert_null(strstr(text, "3944301722"));
	char *b = bytes_of(f2, "tcp.options.timestamp.tsval");
	assert_string_equal(b, "????????");
	free(b);
	free(text);
	json_decref(f2);
	/* frame 3 says the same TSval as its TSecr: other frames are left as they are */
	json_t *f3 = student_frame(v, 3, 3, 0, &text);
	assert_false(tq_view_hides(v));
	assert_non_null(strstr(text, "3944301722"));
	assert_non_null(strstr(label(f3, "tcp"), "Ack: 1"));
	free(text);
	json_decref(f3);
	tq_view_free(v);
	tq_exercise_free(ex);
}

/* Redacted in every frame, "(redacted)" and not hidden; excluded items left out with all under them. */
static void
test_redact_and_exclude(void **state)
{
	(void)state;
	struct tq_exercise *ex = exercise("view:\n  redact: [ipv6.src]\n  exclude: [tcp.options]", "{}");
	struct tq_view *v = tq_view_new(ex);
	for (uint32_t f = 1; f <= 6; f++) {
		char *text;
		json_t *j = student_frame(v, f, f, 0, &text);
		json_t *src = item(json_object_get(j, "tree"), "ipv6.src");
		assert_string_equal(json_string_value(json_object_get(src, "l")), "Source Address: (redacted)");
		assert_null(json_object_get(src, "hidden"));
		assert_non_null(strstr(label(j, "ipv6"), "Src: ??"));
		assert_null(item(json_object_get(j, "tree"), "tcp.options"));
		assert_null(item(json_object_get(j, "tree"), "tcp.options.timestamp.tsval"));
		/* the address of whoever sent the frame, as a word, nowhere */
		const char *who = f == 2 || f == 4 ? "2001:db8:25::1" : "2001:db8:25::2";
		assert_null(strstr(text, who));
		free(text);
		json_decref(j);
	}
	tq_view_free(v);
	tq_exercise_free(ex);
}

/* A frame dealt to another place: shown there, its numbers masked, its times and links gone. */
static void
test_dealt(void **state)
{
	(void)state;
	struct tq_exercise *ex = exercise("", "{}");
	struct tq_view *v = tq_view_new(ex);
	char *text;
	json_t *j = student_frame(v, 5, 2, 1, &text);
	assert_int_equal(json_integer_value(json_object_get(j, "frame")), 2);
	assert_true(!strncmp(label(j, "frame"), "Frame 2: ", 9));
	assert_null(item(json_object_get(j, "tree"), "frame.time"));
	assert_null(item(json_object_get(j, "tree"), "frame.number"));
	assert_null(item(json_object_get(j, "tree"), "tcp.analysis"));
	assert_string_equal(label(j, "tcp.seq"), "Sequence Number: ??");
	assert_non_null(strstr(label(j, "tcp"), "Seq: ??, Ack: ??"));
	assert_null(strstr(text, "2001491636"));        /* its TSval */
	free(text);
	json_decref(j);
	tq_view_free(v);
	tq_exercise_free(ex);
}

/* The packet-list row masked as the tree is: "Ack=??", the TSval gone from the Info column. */
static void
test_row(void **state)
{
	(void)state;
	struct tq_exercise *ex = exercise("", "{2: [tcp.ack, tcp.options.timestamp.tsval]}");
	struct tq_view *v = tq_view_new(ex);
	struct tq_sbuf scratch;
	tq_sbuf_init(&scratch, 0);
	struct tq_columns col;
	assert_int_equal(tq_columns_get(cap, 2, &col, &scratch), 0);
	assert_int_equal(tq_view_frame(v, 2, 2, 0), 0);
	assert_int_equal(tq_view_gather(v, cap), 0);
	assert_true(tq_view_row_maskable(v));
	char *info = tq_view_mask_row(v, col.info);
	assert_non_null(info);
	assert_non_null(strstr(info, "Ack=??"));
	assert_non_null(strstr(info, "TSval=??"));
	assert_null(strstr(info, "3944301722"));
	assert_non_null(strstr(info, "Seq=0"));
	free(info);
	/* frame 3 hides nothing: its row is its own */
	assert_int_equal(tq_columns_get(cap, 3, &col, &scratch), 0);
	assert_int_equal(tq_view_frame(v, 3, 3, 0), 0);
	assert_int_equal(tq_view_gather(v, cap), 0);
	assert_null(tq_view_mask_row(v, col.info));
	tq_sbuf_free(&scratch);
	tq_view_free(v);
	tq_exercise_free(ex);
}

static int
refused(const struct tq_exercise *ex, int dealing, const char *filter, char *why, size_t len)
{
	struct tq_expr *e;
	struct tq_expr_error ee;
	if (tq_filter_parse(filter, &e, &ee) != 0)
		fail_msg("%s: %s", filter, ee.msg);
	int r = tq_view_filter_refused(ex, dealing, e, why, len);
	tq_expr_free(e);
	return r;
}

/* A filter that would select frames by a masked value is refused, with the reason; others pass. */
static void
test_filters(void **state)
{
	(void)state;
	struct tq_exercise *ex = exercise("", "{2: [tcp.ack]}");
	char why[300];
	assert_true(refused(ex, 0, "tcp.ack == 1", why, sizeof(why)));
	assert_non_null(strstr(why, "tcp.ack is hidden"));
	assert_true(refused(ex, 0, "tcp.ack_raw > 5", why, sizeof(why)));
	assert_non_null(strstr(why, "says the value of tcp.ack again"));
	assert_true(refused(ex, 0, "frame contains 41:43:4b", why, sizeof(why)));
	assert_false(refused(ex, 0, "smtp && tcp.srcport == 587", why, sizeof(why)));
	assert_false(refused(ex, 0, "tcp.seq == 1", why, sizeof(why)));
	/* dealing frames to other places hides their numbers and times */
	assert_true(refused(ex, 1, "tcp.seq == 1", why, sizeof(why)));
	assert_true(refused(ex, 1, "frame.time_relative > 1", why, sizeof(why)));
	tq_exercise_free(ex);
	struct tq_exercise *plain = exercise("", "{}");
	assert_false(refused(plain, 0, "tcp.ack == 1 || frame contains 41", why, sizeof(why)));
	tq_exercise_free(plain);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_nothing_masked),
		cmocka_unit_test(test_hidden_fields),
		cmocka_unit_test(test_redact_and_exclude),
		cmocka_unit_test(test_dealt),
		cmocka_unit_test(test_row),
		cmocka_unit_test(test_filters),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
