/*
 * test_exercise.c - the exercise model: reading YAML (and refusing bad or
 * hostile files with a message that names the place), keys computed on the
 * demo exercise's real capture, every question kind and normalizer, feedback,
 * and writing YAML back.
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>
#include <jansson.h>

#include "../../server/exercise.h"
#include "testutil.h"

/* The demo exercise: tests/data/../../db/seed/smtp-over-tls */
static const char *
seed_dir(void)
{
	static char buf[4096];
	snprintf(buf, sizeof(buf), "%s/../../db/seed/smtp-over-tls", tq_test_data_dir());
	return buf;
}

static struct tq_capture *
open_cap(const char *path)
{
	char err[256];
	struct tq_capture *cap = NULL;
	int rc = tq_capture_open_file(path, &cap, err, sizeof(err));
	if (rc)
		fail_msg("%s: %s", path, err);
	return cap;
}

static struct tq_capture *
demo_cap(void)
{
	char path[4200];
	snprintf(path, sizeof(path), "%s/smtp-tls.pcap", seed_dir());
	return open_cap(path);
}

/* Loads YAML that must be refused; the message must hold want. */
static void
refused(const char *yaml, const char *want)
{
	struct tq_exercise *ex = (struct tq_exercise *)1;
	char err[600] = "";
	int rc = tq_exercise_load_yaml(yaml, strlen(yaml), NULL, &ex, err, sizeof(err));
	if (rc == 0)
		fail_msg("accepted: %.200s", yaml);
	assert_null(ex);
	if (!strstr(err, want))
		fail_msg("error \"%s\" does not say \"%s\"", err, want);
}

static struct tq_exercise *
loaded(const char *yaml)
{
	struct tq_exercise *ex = NULL;
	char err[600] = "";
	if (tq_exercise_load_yaml(yaml, strlen(yaml), NULL, &ex, err, sizeof(err)) != 0)
		fail_msg("refused: %s", err);
	return ex;
}

static json_t *
grade_opts(struct tq_exercise *ex, struct tq_capture *cap, const char *answers_json, const struct tq_grade_opts *opts)
{
	json_error_t je;
	json_t *a = json_loads(answers_json, 0, &je);
	assert_non_null(a);
	char err[300];
	json_t *r = tq_exercise_grade(ex, cap, a, opts, err, sizeof(err));
	json_decref(a);
	if (!r)
		fail_msg("grade: %s", err);
	return r;
}

static json_t *
grade(struct tq_exercise *ex, struct tq_capture *cap, const char *answers_json)
{
	return grade_opts(ex, cap, answers_json, NULL);
}

static json_t *
question(json_t *res, const char *id)
{
	size_t i;
	json_t *q;
	json_array_foreach(json_object_get(res, "questions"), i, q)
		if (!strcmp(json_string_value(json_object_get(q, "id")), id))
			return q;
	fail_msg("no question %s in the result", id);
	return NULL;
}

static int
correct(json_t *res, const char *id)
{
	return json_is_true(json_object_get(question(res, id), "correct"));
}

static const char *
feedback(json_t *res, const char *id)
{
	return json_string_value(json_object_get(question(res, id), "feedback"));
}

/* ------------------------------------------------------------------ the demo */

/* view.decode_as: the keys are computed on the capture as the rules decode it */
static void
test_decode_as_keys(void **state)
{
	(void)state;
	static const char *const yaml[2] = {
		"title: T\nquestions:\n  - {id: a, kind: number, prompt: P, key: 'count(frame where smtp)'}\n",
		"title: T\nview: {decode_as: 'tcp.port==587,data'}\n"
		"questions:\n  - {id: a, kind: number, prompt: P, key: 'count(frame where smtp)'}\n",
	};
	json_int_t n[2];
	for (int i = 0; i < 2; i++) {
		struct tq_exercise *ex = loaded(yaml[i]);
		char path[4200], err[600];
		snprintf(path, sizeof(path), "%s/smtp-tls.pcap", seed_dir());
		struct tq_open_opts o = tq_exercise_open_opts(ex);
		struct tq_capture *cap = NULL;
		assert_int_equal(tq_capture_open_file_opts(path, &o, &cap, err, sizeof(err)), 0);
		assert_int_equal(tq_exercise_compute_keys(ex, cap, NULL, err, sizeof(err)), 0);
		json_t *k = tq_exercise_keys_json(ex);
		n[i] = json_integer_value(json_object_get(json_array_get(json_object_get(k, "questions"), 0), "key"));
		json_decref(k);
		tq_capture_free(cap);
		tq_exercise_free(ex);
	}
	/* tshark -r smtp-tls.pcap -Y smtp | wc -l: 5 up to STARTTLS; none when port 587 is data */
	assert_int_equal(n[0], 5);
	assert_int_equal(n[1], 0);
}

static void
test_demo_keys(void **state)
{
	(void)state;
	struct tq_exercise *ex;
	char err[600];
	if (tq_exercise_load(seed_dir(), &ex, err, sizeof(err)) != 0)
		fail_msg("%s", err);
	assert_int_equal(tq_exercise_count(ex), 3);
	assert_non_null(strstr(tq_exercise_capture_path(ex), "smtp-tls.pcap"));
	struct tq_capture *cap = open_cap(tq_exercise_capture_path(ex));
	assert_int_equal(tq_exercise_compute_keys(ex, cap, NULL, err, sizeof(err)), 0);
	json_t *k = tq_exercise_keys_json(ex);
	json_t *qs = json_object_get(k, "questions");
	/* tshark -2 -r smtp-tls.pcap: frame 4 "S: 220 smtp.campus.example ESMTP Postfix",
	 * frame 12 Server Hello (TLS 1.2); the client's EHLO (6), STARTTLS (9) and Client Hello (11)
	 * come before its first encrypted record (13) */
	assert_string_equal(json_string_value(json_object_get(json_array_get(qs, 0), "key")), "smtp.campus.example");
	assert_string_equal(json_string_value(json_object_get(json_array_get(qs, 1), "key")), "TLS 1.2");
	assert_int_equal(json_integer_value(json_object_get(json_array_get(qs, 2), "key")), 3);
	json_t *from = json_object_get(json_array_get(qs, 0), "from");
	assert_int_equal(json_integer_value(json_object_get(json_array_get(from, 0), "frame")), 4);
	assert_string_equal(json_string_value(json_object_get(json_array_get(from, 0), "field")), "smtp.rsp.parameter");
	json_t *valid = json_object_get(json_array_get(qs, 1), "valid");
	assert_int_equal(json_array_size(valid), 1);
	assert_string_equal(json_string_value(json_array_get(valid, 0)), "TLS 1.2");
	json_decref(k);

	json_t *r = grade(ex, cap, "{\"q1\": \" SMTP.Campus.Example. \", \"q2\": \"tls 1.2\", \"q3\": \"0x3\"}");
	assert_true(correct(r, "q1"));
	assert_true(correct(r, "q2"));
	assert_true(correct(r, "q3"));
	assert_true(json_number_value(json_object_get(r, "score")) == 3.0);
	assert_true(json_number_value(json_object_get(r, "max")) == 3.0);
	json_decref(r);

	r = grade(ex, cap, "{\"q1\": \"smtp\", \"q2\": \"TLS 1.3\", \"q3\": 43540}");
	assert_false(correct(r, "q1"));
	assert_non_null(strstr(feedback(r, "q1"), "not a fully qualified domain name"));
	assert_non_null(strstr(feedback(r, "q2"), "Check the ServerHello"));
	assert_false(correct(r, "q3"));
	assert_true(json_number_value(json_object_get(r, "score")) == 0.0);
	json_decref(r);

	/* the client's port, 40082, is told apart as a field of the trace */
	r = grade(ex, cap, "{\"q3\": 40082}");
	assert_non_null(strstr(feedback(r, "q3"), "(tcp.srcport) of frame 1"));
	assert_non_null(strstr(feedback(r, "q1"), "No answer"));
	json_decref(r);

	tq_capture_free(cap);
	tq_exercise_free(ex);
}

/* ------------------------------------------------------------------ refusals */

static const char *const base_q = "title: T\nquestions:\n  - id: q1\n    kind: number\n    prompt: P\n    answer: 3\n";

static void
test_refusals(void **state)
{
	(void)state;
	refused("", "empty");
	refused("- a\n- b\n", "an exercise is a mapping");
	refused("title: T\n", "questions is missing");
	refused("questions: []\n", "title is missing");
	refused("title: T\nquestion: []\n", "unknown key 'question'");
	refused("title: [1]\nquestions: []\n", "title: expected text, found a list");
	refused("title: T\ncapture: ../etc/passwd\nquestions: []\n", "inside the exercise's folder");
	refused("title: T\ncapture: /etc/passwd\nquestions: []\n", "inside the exercise's folder");
	refused("title: T\nview: {exclude: [tcp.sqe]}\nquestions: []\n", "did you mean 'tcp.seq'");
	refused("title: T\nview: {decode_as: 'tcp.port==25,smpt'}\nquestions: []\n",
	    "view.decode_as[0]: decode as \"tcp.port==25,smpt\": no protocol named \"smpt\"");
	refused("title: T\nview: {decode_as: [1]}\nquestions: []\n", "view.decode_as[0]");
	refused("title: T\nquestions:\n  - id: q1\n    kind: essay\n    prompt: P\n", "unknown kind 'essay'");
	refused("title: T\nquestions:\n  - id: q 1\n    kind: text\n    prompt: P\n    answer: a\n", "letters, digits");
	refused("title: T\nquestions:\n  - {id: a, kind: number, prompt: P, answer: 1}\n  - {id: a, kind: number, prompt: P, answer: 2}\n",
	    "already the id of questions[0]");
	refused("title: T\nquestions:\n  - {id: a, kind: number, prompt: P}\n", "needs a key");
	refused("title: T\nquestions:\n  - {id: a, kind: number, prompt: P, key: count(frame), answer: 2}\n", "not both");
	refused("title: T\nquestions:\n  - {id: a, kind: number, prompt: P, key: 'count(fram)'}\n", "unknown field 'fram'");
	refused("title: T\nquestions:\n  - {id: a, kind: number, prompt: P, answer: 1, points: -1}\n", "out of range");
	refused("title: T\nquestions:\n  - {id: a, kind: number, prompt: P, answer: 1, choices: [x, y]}\n",
	    "'choices' belongs to choice questions, not number ones");
	refused("title: T\nquestions:\n  - {id: a, kind: text, prompt: P, answer: x, normalize: [shout]}\n", "unknown normalizer 'shout'");
	refused("title: T\nquestions:\n  - {id: a, kind: text, prompt: P, match: 'a(b'}\n", "bad regular expression");
	refused("title: T\nquestions:\n  - {id: a, kind: choice, prompt: P, choices: [x]}\n", "at least two choices");
	refused("title: T\nquestions:\n  - {id: a, kind: choice, prompt: P, choices: [x, y]}\n", "no choice is valid");
	refused("title: T\nquestions:\n  - {id: a, kind: choice, prompt: P, choices: [{text: x, vaild: true}, y]}\n",
	    "unknown key 'vaild'");
	refused("title: T\nquestions:\n  - {id: a, kind: choice, prompt: P, choices: [x, x], answer: x}\n", "already choice 0");
	refused("title: T\nquestions:\n  - {id: a, kind: field, prompt: P, hide: {one: [tcp.seq]}}\n", "not a frame number");
	refused("title: T\nquestions:\n  - {id: a, kind: field, prompt: P, hide: {1: [tcp]}}\n", "has no value to fill in");
	refused("title: T\nquestions:\n  - {id: a, kind: field, prompt: P, hide: {1: [tcp.ack]}, key: count(frame)}\n",
	    "comes from the trace");
	refused("title: T\nquestions:\n  - {id: a, kind: order, prompt: P, frames: [1, 1]}\n", "there twice");
	refused("title: T\nquestions:\n  - {id: a, kind: text, prompt: P, answer: x, feedback: {answers: [{feedback: f}]}}\n",
	    "either answer or match");
	refused("title: T\ntitle: U\nquestions: []\n", "there twice");
	refused("title: 'T\nquestions: []\n", "YAML error at line");
	refused("title: caf\xe9\nquestions: []\n", "YAML error");      /* Latin-1, not UTF-8 */
	/* the prompt is required, and so is its text */
	refused("title: T\nquestions:\n  - {id: a, kind: number, answer: 1}\n", "prompt is missing");
	/* sanity: the base question loads */
	tq_exercise_free(loaded(base_q));
}

static void
test_hostile_yaml(void **state)
{
	(void)state;
	/* a billion laughs: aliases count every time they are used */
	const char *laughs =
	    "a: &a [x, x, x, x, x, x, x, x, x, x]\n"
	    "b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
	    "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\n"
	    "d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\n"
	    "e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]\n"
	    "f: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e, *e]\n"
	    "g: [*f, *f, *f, *f, *f, *f, *f, *f, *f, *f]\n";
	refused(laughs, "more than");
	/* nesting deeper than anyone writes */
	size_t depth = 5000;
	char *deep = malloc(depth * 2 + 16);
	assert_non_null(deep);
	memset(deep, '[', depth);
	memset(deep + depth, ']', depth);
	deep[2 * depth] = '\0';
	refused(deep, "nested more than");
	free(deep);
	/* too large */
	size_t big = (1u << 20) + 10;
	char *huge = malloc(big + 1);
	assert_non_null(huge);
	memset(huge, '#', big);
	huge[big] = '\0';
	refused(huge, "too large");
	free(huge);
	/* binary junk */
	char junk[256];
	for (size_t i = 0; i < sizeof(junk) - 1; i++)
		junk[i] = (char)(i * 37 + 11);
	junk[sizeof(junk) - 1] = '\0';
	struct tq_exercise *ex;
	char err[600];
	assert_int_not_equal(tq_exercise_load_yaml(junk, strlen(junk), NULL, &ex, err, sizeof(err)), 0);
	/* a huge string value */
	size_t n = 70000;
	char *longtitle = malloc(n + 64);
	assert_non_null(longtitle);
	strcpy(longtitle, "title: ");
	memset(longtitle + 7, 'x', n);
	strcpy(longtitle + 7 + n, "\nquestions: []\n");
	refused(longtitle, "too long");
	free(longtitle);
	/* a missing file */
	assert_int_not_equal(tq_exercise_load("/nonexistent/exercise", &ex, err, sizeof(err)), 0);
	assert_non_null(strstr(err, "No such file"));
}

/* ------------------------------------------------------------------ kinds and normalizers */

static void
test_text_normalizers(void **state)
{
	(void)state;
	struct tq_capture *cap = demo_cap();
	struct tq_exercise *ex = loaded(
	    "title: T\n"
	    "questions:\n"
	    "  - {id: plain, kind: text, prompt: P, answer: 'Mail.Example'}\n"
	    "  - {id: case, kind: text, prompt: P, answer: 'Mail.Example', normalize: [case, trim]}\n"
	    "  - {id: dot, kind: text, prompt: P, answer: 'mail.example', normalize: [dot]}\n"
	    "  - {id: space, kind: text, prompt: P, answer: 'a  b', normalize: [space, trim]}\n"
	    "  - {id: ipv6, kind: text, prompt: P, answer: '2001:db8::1', normalize: [ipv6]}\n"
	    "  - {id: int, kind: text, prompt: P, answer: '6', normalize: [int]}\n"
	    "  - {id: accept, kind: text, prompt: P, answer: 'one', accept: [two, three]}\n"
	    "  - {id: re, kind: text, prompt: P, match: '(?i)^let.*encrypt'}\n");
	char err[300];
	assert_int_equal(tq_exercise_compute_keys(ex, cap, NULL, err, sizeof(err)), 0);
	json_t *r = grade(ex, cap,
	    "{\"plain\": \" Mail.Example \", \"case\": \"mail.EXAMPLE \", \"dot\": \"mail.example.\","
	    " \"space\": \" a \\t b \", \"ipv6\": \"2001:0DB8:0:0::0001\", \"int\": \"0b110\","
	    " \"accept\": \"three\", \"re\": \"Let's Encrypt\"}");
	const char *right[] = { "plain", "case", "dot", "space", "ipv6", "int", "accept", "re" };
	for (size_t i = 0; i < sizeof(right) / sizeof(right[0]); i++)
		if (!correct(r, right[i]))
			fail_msg("%s should be right", right[i]);
	json_decref(r);
	r = grade(ex, cap,
	    "{\"plain\": \"mail.example\", \"case\": \"mail.example.org\", \"dot\": \"mail.example..\","
	    " \"space\": \"ab\", \"ipv6\": \"2001:db8::2\", \"int\": \"0x7\", \"accept\": \"four\", \"re\": \"Verisign\"}");
	for (size_t i = 0; i < sizeof(right) / sizeof(right[0]); i++)
		if (correct(r, right[i]))
			fail_msg("%s should be wrong", right[i]);
	json_decref(r);
	/* a number where text is wanted is read as its text; a list is not */
	r = grade(ex, cap, "{\"int\": 6, \"plain\": [\"Mail.Example\"]}");
	assert_true(correct(r, "int"));
	assert_false(correct(r, "plain"));
	assert_non_null(strstr(feedback(r, "plain"), "should be text"));
	json_decref(r);
	tq_exercise_free(ex);
	tq_capture_free(cap);
}

/*
 * Keys frozen: what tq_exercise_keys_json stored, tq_exercise_set_keys gives
 * back without computing, and grading is the same; a stored choice that
 * could not be decided stays undecided; keys of another document are refused;
 * tq_exercise_keys_diff names exactly the questions whose key changed.
 */
static void
test_frozen_keys(void **state)
{
	(void)state;
	static const char yaml[] =
	    "title: T\n"
	    "questions:\n"
	    "  - {id: n, kind: number, prompt: P, key: 'count(frame where smtp)'}\n"
	    "  - id: c\n"
	    "    kind: choice\n"
	    "    prompt: P\n"
	    "    limit: 2\n"
	    "    choices:\n"
	    "      - {text: IPv6, valid: 'count(frame where ipv6) > 0'}\n"
	    "      - {text: IPv4, valid: 'count(frame where ip) > 0'}\n"
	    "      - {text: UDP, valid: 'first(udp.srcport where udp.dstport == 53)'}\n"
	    "      - {text: ARP, valid: false}\n"
	    "  - {id: f, kind: field, prompt: P, hide: {2: tcp.ack}}\n";
	struct tq_capture *cap = demo_cap();
	struct tq_exercise *ex = loaded(yaml), *frozen = loaded(yaml);
	char err[300];
	assert_int_equal(tq_exercise_compute_keys(ex, cap, NULL, err, sizeof(err)), 0);
	json_t *keys = tq_exercise_keys_json(ex);
	char *text = json_dumps(keys, JSON_COMPACT);
	json_t *stored = json_loads(text, 0, NULL);
	free(text);
	/* no key until set: grading refuses */
	json_t *a = json_loads("{\"n\": 5, \"c\": \"IPv6\", \"f\": {\"2\": {\"tcp.ack\": \"1\"}}}", 0, NULL);
	assert_null(tq_exercise_grade(frozen, cap, a, NULL, err, sizeof(err)));
	assert_int_equal(tq_exercise_set_keys(frozen, stored, cap, err, sizeof(err)), 0);
	json_t *back = tq_exercise_keys_json(frozen);
	assert_true(json_equal(back, keys));
	/* the unknown choice (its expression failed) stays unknown: -1 */
	json_t *states = json_object_get(json_array_get(json_object_get(back, "questions"), 1), "states");
	assert_int_equal(json_integer_value(json_array_get(states, 0)), 1);
	assert_int_equal(json_integer_value(json_array_get(states, 1)), 0);
	assert_int_equal(json_integer_value(json_array_get(states, 2)), -1);
	/* the same grades, and the same dealt choices, for several students */
	for (uint64_t seed = 1; seed < 40; seed++) {
		struct tq_grade_opts o = { .choice_seed = seed, .limit_choices = 1 };
		json_t *r1 = tq_exercise_grade(ex, cap, a, &o, err, sizeof(err));
		json_t *r2 = tq_exercise_grade(frozen, cap, a, &o, err, sizeof(err));
		assert_non_null(r1);
		assert_true(json_equal(r1, r2));
		json_decref(r1);
		json_decref(r2);
		size_t i1[8], i2[8];
		size_t n1 = tq_exercise_pick_choices(ex, 1, seed, i1, 8), n2 = tq_exercise_pick_choices(frozen, 1, seed, i2, 8);
		assert_int_equal(n1, n2);
		assert_memory_equal(i1, i2, n1 * sizeof(*i1));
	}
	/* the diff: none against itself; a changed key and a changed choice are named */
	json_t *d = tq_exercise_keys_diff(stored, keys);
	assert_int_equal(json_array_size(d), 0);
	json_decref(d);
	json_t *other = json_deep_copy(stored);
	json_t *oq = json_object_get(other, "questions");
	json_object_set_new(json_array_get(oq, 0), "key", json_integer(6));
	json_array_set_new(json_object_get(json_array_get(oq, 1), "states"), 3, json_integer(1));
	d = tq_exercise_keys_diff(stored, other);
	assert_int_equal(json_array_size(d), 2);
	assert_string_equal(json_string_value(json_object_get(json_array_get(d, 0), "id")), "n");
	assert_int_equal(json_integer_value(json_object_get(json_array_get(d, 0), "old")), 5);
	assert_int_equal(json_integer_value(json_object_get(json_array_get(d, 0), "new")), 6);
	assert_string_equal(json_string_value(json_object_get(json_array_get(d, 1), "id")), "c");
	json_decref(d);
	/* a question removed from the keys: refused, and the exercise has no keys */
	json_array_remove(oq, 2);
	assert_int_not_equal(tq_exercise_set_keys(frozen, other, cap, err, sizeof(err)), 0);
	assert_non_null(strstr(err, "none for question 'f'"));
	assert_null(tq_exercise_grade(frozen, cap, a, NULL, err, sizeof(err)));
	d = tq_exercise_keys_diff(stored, other);
	assert_true(json_is_true(json_object_get(json_array_get(d, json_array_size(d) - 1), "removed")));
	json_decref(d);
	json_decref(other);
	json_decref(a);
	json_decref(back);
	json_decref(stored);
	json_decref(keys);
	tq_exercise_free(frozen);
	tq_exercise_free(ex);
	tq_capture_free(cap);
}

static void
test_number_choice_field_order(void **state)
{
	(void)state;
	struct tq_capture *cap = demo_cap();
	struct tq_exercise *ex = loaded(
	    "title: T\n"
	    "questions:\n"
	    "  - {id: n, kind: number, prompt: P, key: 'count(frame where smtp)', points: 2}\n"
	    "  - {id: t, kind: number, prompt: P, answer: 0.5, tolerance: 0.1}\n"
	    "  - id: c\n"
	    "    kind: choice\n"
	    "    prompt: P\n"
	    "    multiple: true\n"
	    "    choices:\n"
	    "      - {text: IPv6, valid: 'count(frame where ipv6) > 0', feedback: yes IPv6}\n"
	    "      - {text: IPv4, valid: 'count(frame where ip) > 0', feedback: no IPv4 here}\n"
	    "      - {text: TCP, valid: true}\n"
	    "      - {text: UDP, valid: false}\n"
	    "  - id: f\n"
	    "    kind: field\n"
	    "    prompt: P\n"
	    "    hide: {1: [tcp.srcport, tcp.dstport], 2: tcp.ack}\n"
	    "    feedback: {fields: {tcp.ack: the SYN counts one}}\n"
	    "  - {id: o, kind: order, prompt: P, frames: [3, 1, 2]}\n");
	char err[300];
	assert_int_equal(tq_exercise_compute_keys(ex, cap, NULL, err, sizeof(err)), 0);
	json_t *k = tq_exercise_keys_json(ex);
	/* tshark -2 -r smtp-tls.pcap -Y smtp: frames 4, 6, 8, 9 and 10 */
	json_t *qs = json_object_get(k, "questions");
	json_int_t nsmtp = json_integer_value(json_object_get(json_array_get(qs, 0), "key"));
	assert_true(nsmtp == 5);
	json_t *fk = json_object_get(json_array_get(qs, 3), "key");
	/* tshark -2 -r smtp-tls.pcap -T fields -e tcp.srcport -e tcp.dstport -e tcp.ack: 40082 587 0, then 587 40082 1 */
	assert_string_equal(json_string_value(json_object_get(json_object_get(fk, "1"), "tcp.srcport")), "40082");
	assert_string_equal(json_string_value(json_object_get(json_object_get(fk, "2"), "tcp.ack")), "1");
	json_t *ok = json_object_get(json_array_get(qs, 4), "key");
	assert_int_equal(json_array_size(ok), 3);
	assert_int_equal(json_integer_value(json_array_get(ok, 0)), 1);
	assert_int_equal(json_integer_value(json_array_get(ok, 2)), 3);
	json_decref(k);

	char ans[600];
	snprintf(ans, sizeof(ans),
	    "{\"n\": %" JSON_INTEGER_FORMAT ", \"t\": \"0.58\", \"c\": [\"tcp\", \"IPv6\"],"
	    " \"f\": {\"1\": {\"tcp.srcport\": \"0x9c92\", \"tcp.dstport\": 587}, \"2\": {\"tcp.ack\": \"1\"}},"
	    " \"o\": [1, 2, 3]}", nsmtp);
	json_t *r = grade(ex, cap, ans);
	assert_true(correct(r, "n"));
	assert_true(correct(r, "t"));
	assert_true(correct(r, "c"));
	assert_non_null(strstr(feedback(r, "c"), "yes IPv6"));
	assert_true(correct(r, "f"));
	assert_true(correct(r, "o"));
	assert_true(json_number_value(json_object_get(r, "score")) == 6.0);
	json_decref(r);

	r = grade(ex, cap,
	    "{\"n\": 0, \"t\": 0.7, \"c\": [\"IPv6\"], \"f\": {\"1\": {\"tcp.srcport\": \"40082\", \"tcp.dstport\": 587},"
	    " \"2\": {\"tcp.ack\": 0}}, \"o\": [2, 1, 3]}");
	assert_false(correct(r, "n"));
	assert_false(correct(r, "t"));
	assert_false(correct(r, "c"));
	assert_false(correct(r, "f"));
	assert_false(correct(r, "o"));
	/* two fields of three: two thirds of the point */
	double fs = json_number_value(json_object_get(question(r, "f"), "score"));
	assert_true(fs > 0.66 && fs < 0.67);
	assert_non_null(strstr(feedback(r, "f"), "Frame 2, tcp.ack: not right."));
	assert_non_null(strstr(feedback(r, "f"), "the SYN counts one"));
	json_decref(r);

	/* the wrong shapes get a word, not a crash */
	r = grade(ex, cap, "{\"n\": \"many\", \"c\": \"SCTP\", \"f\": 3, \"o\": {\"a\": 1}}");
	assert_non_null(strstr(feedback(r, "n"), "should be a number"));
	assert_non_null(strstr(feedback(r, "c"), "not one of the choices"));
	assert_non_null(strstr(feedback(r, "f"), "value for each hidden field"));
	assert_non_null(strstr(feedback(r, "o"), "list of frames"));
	json_decref(r);

	/* answers to no question, and answers that are no mapping, are refused */
	json_t *bad = json_loads("{\"zz\": 1}", 0, NULL);
	assert_null(tq_exercise_grade(ex, cap, bad, NULL, err, sizeof(err)));
	assert_non_null(strstr(err, "no question 'zz'"));
	json_decref(bad);
	bad = json_loads("[1]", 0, NULL);
	assert_null(tq_exercise_grade(ex, cap, bad, NULL, err, sizeof(err)));
	json_decref(bad);
	tq_exercise_free(ex);
	tq_capture_free(cap);
}

static void
test_keys_that_fail(void **state)
{
	(void)state;
	struct tq_capture *cap = demo_cap();
	struct tq_exercise *ex = loaded(
	    "title: T\n"
	    "questions:\n"
	    "  - {id: dns, kind: text, prompt: P, key: 'first(udp.srcport where udp.dstport == 53)'}\n"
	    "  - {id: ok, kind: number, prompt: P, key: 'count(frame)'}\n"
	    "  - {id: far, kind: field, prompt: P, hide: {1000: [tcp.seq]}}\n"
	    "  - {id: none, kind: field, prompt: P, hide: {1: [udp.srcport]}}\n"
	    "  - {id: ch, kind: choice, prompt: P, key: 'str(count(frame))', choices: [one, two]}\n");
	char err[300];
	assert_int_equal(tq_exercise_compute_keys(ex, cap, NULL, err, sizeof(err)), 0);
	json_t *k = tq_exercise_keys_json(ex);
	json_t *qs = json_object_get(k, "questions");
	assert_true(json_is_null(json_object_get(json_array_get(qs, 0), "key")));
	assert_non_null(strstr(json_string_value(json_object_get(json_array_get(qs, 0), "error")), "no frame has"));
	/* tshark -2 -r smtp-tls.pcap | wc -l: 29 */
	assert_int_equal(json_integer_value(json_object_get(json_array_get(qs, 1), "key")), 29);
	assert_non_null(strstr(json_string_value(json_object_get(json_array_get(qs, 2), "error")), "past the end"));
	assert_non_null(strstr(json_string_value(json_object_get(json_array_get(qs, 3), "error")), "frame 1 has no udp.srcport"));
	assert_non_null(strstr(json_string_value(json_object_get(json_array_get(qs, 4), "error")), "none of the choices"));
	json_decref(k);
	json_t *r = grade(ex, cap, "{\"dns\": \"53\", \"ok\": 29}");
	assert_true(correct(r, "ok"));
	assert_false(correct(r, "dns"));
	assert_non_null(strstr(feedback(r, "dns"), "could not be computed"));
	json_decref(r);
	tq_exercise_free(ex);
	tq_capture_free(cap);
}

/* A budget reached fails the whole computation, not one key, and says which
 * limit and where; ample limits change nothing. */
static void
test_keys_limits(void **state)
{
	(void)state;
	struct tq_exercise *ex;
	char err[600];
	if (tq_exercise_load(seed_dir(), &ex, err, sizeof(err)) != 0)
		fail_msg("%s", err);
	struct tq_capture *cap = open_cap(tq_exercise_capture_path(ex));
	assert_int_equal(tq_exercise_compute_keys(ex, cap, NULL, err, sizeof(err)), 0);
	json_t *want = tq_exercise_keys_json(ex);

	struct tq_limits past = { 1, 0 };
	err[0] = '\0';
	assert_int_equal(tq_exercise_compute_keys(ex, cap, &past, err, sizeof(err)), TQ_ETIMEOUT);
	if (!strstr(err, "the time allowed had run out before indexing the trace began"))
		fail_msg("a deadline past: \"%s\"", err);
	struct tq_limits tiny = { 0, 1 };
	assert_int_equal(tq_exercise_compute_keys(ex, cap, &tiny, err, sizeof(err)), TQ_ETOOBIG);
	if (!strstr(err, "the field index would take more than the 1 B allowed"))
		fail_msg("max_bytes 1: \"%s\"", err);

	struct tq_limits ample = { tq_monotonic_ns() + 60 * UINT64_C(1000000000), (size_t)1 << 30 };
	assert_int_equal(tq_exercise_compute_keys(ex, cap, &ample, err, sizeof(err)), 0);
	json_t *got = tq_exercise_keys_json(ex);
	assert_true(json_equal(got, want));
	json_decref(got);
	json_decref(want);
	tq_exercise_free(ex);

	/* keys that need no index still stop at the deadline */
	ex = loaded("title: T\nquestions:\n  - {id: a, kind: number, prompt: P, answer: 3}\n");
	assert_int_equal(tq_exercise_compute_keys(ex, cap, &past, err, sizeof(err)), TQ_ETIMEOUT);
	if (!strstr(err, "the time allowed had run out before the keys were computed"))
		fail_msg("no index, a deadline past: \"%s\"", err);
	tq_exercise_free(ex);

	/* The deadline is read between keys: with budgets from 1 us up, each too
	 * short stops in the index or at a question, and says which; with 60
	 * questions that each walk the trace, some stop after the first. */
	struct tq_sbuf y;
	tq_sbuf_init(&y, 0);
	tq_sbuf_puts(&y, "title: T\nquestions:\n");
	for (int i = 1; i <= 60; i++)
		tq_sbuf_printf(&y, "  - {id: q%d, kind: number, prompt: P, key: 'count(frame where tcp.len > %d or frame.number == %d)'}\n",
		    i, i, i);
	ex = loaded(tq_sbuf_str(&y));
	tq_sbuf_free(&y);
	unsigned at_question = 0;
	for (uint64_t budget = 1000;; budget = budget * 3 / 2) {
		assert_true(budget < 30 * UINT64_C(1000000000));
		struct tq_limits lim = { tq_monotonic_ns() + budget, 0 };
		int rc = tq_exercise_compute_keys(ex, cap, &lim, err, sizeof(err));
		if (rc == 0)
			break;
		assert_int_equal(rc, TQ_ETIMEOUT);
		unsigned k = 0, of = 0;
		char id[16] = "";
		const char *p = strstr(err, "(stopped at question ");
		if (!strncmp(err, "computing the keys took longer than the ", 40) && p &&
		    sscanf(p, "(stopped at question %u of %u, '%15[^']')", &k, &of, id) == 3) {
			char want_id[16];
			snprintf(want_id, sizeof(want_id), "q%u", k);
			if (of != 60 || k < 1 || k > 60 || strcmp(id, want_id) != 0)
				fail_msg("budget %llu ns: \"%s\"", (unsigned long long)budget, err);
			if (k > 1)
				at_question++;
		} else if (!strstr(err, "indexing the trace") && !strstr(err, "had run out")) {
			fail_msg("budget %llu ns: \"%s\"", (unsigned long long)budget, err);
		}
	}
	if (!at_question)
		fail_msg("no budget stopped between two keys");
	/* the last, successful computation left every key */
	json_t *k = tq_exercise_keys_json(ex);
	json_t *q60 = json_array_get(json_object_get(k, "questions"), 59);
	assert_true(json_is_integer(json_object_get(q60, "key")));
	json_decref(k);
	tq_exercise_free(ex);
	tq_capture_free(cap);
}

static void
test_pick_choices(void **state)
{
	(void)state;
	struct tq_capture *cap = demo_cap();
	struct tq_exercise *ex = loaded(
	    "title: T\n"
	    "questions:\n"
	    "  - {id: c, kind: choice, prompt: P, limit: 3, choices: [a, b, {text: c, valid: true}, d, e, f, g]}\n");
	char err[300];
	assert_int_equal(tq_exercise_compute_keys(ex, cap, NULL, err, sizeof(err)), 0);
	int seen_c_first = 0, differ = 0;
	size_t prev[3] = { 0 };
	for (uint64_t seed = 0; seed < 200; seed++) {
		size_t idx[8];
		size_t n = tq_exercise_pick_choices(ex, 0, seed, idx, 8);
		assert_int_equal(n, 3);
		int has_valid = 0;
		for (size_t i = 0; i < n; i++) {
			has_valid |= idx[i] == 2;
			if (i)
				assert_true(idx[i] > idx[i - 1]);
		}
		assert_true(has_valid);
		if (seed && memcmp(prev, idx, sizeof(prev)))
			differ++;
		memcpy(prev, idx, sizeof(prev));
		seen_c_first |= idx[0] == 2;
		/* the same seed, the same choices */
		size_t again[8];
		tq_exercise_pick_choices(ex, 0, seed, again, 8);
		assert_memory_equal(idx, again, 3 * sizeof(size_t));
	}
	assert_true(differ > 50);
	assert_true(seen_c_first);
	tq_exercise_free(ex);
	tq_capture_free(cap);
}

static void
test_yaml_round_trip(void **state)
{
	(void)state;
	struct tq_exercise *ex;
	char err[600];
	if (tq_exercise_load(seed_dir(), &ex, err, sizeof(err)) != 0)
		fail_msg("%s", err);
	struct tq_sbuf out;
	tq_sbuf_init(&out, 0);
	assert_int_equal(tq_exercise_to_yaml(tq_exercise_doc(ex), &out), 0);
	struct tq_exercise *back;
	if (tq_exercise_load_yaml(out.s, out.len, NULL, &back, err, sizeof(err)) != 0)
		fail_msg("the written YAML does not read back: %s\n%s", err, out.s);
	assert_true(json_equal(tq_exercise_doc(ex), tq_exercise_doc(back)));
	/* text that YAML would read as something else stays text */
	struct tq_exercise *tricky = loaded("title: 'true'\nintro: '0x10'\nquestions:\n  - {id: a, kind: text, prompt: 'null', answer: '1.5'}\n");
	tq_sbuf_reset(&out);
	assert_int_equal(tq_exercise_to_yaml(tq_exercise_doc(tricky), &out), 0);
	struct tq_exercise *tricky2 = loaded(out.s);
	assert_true(json_equal(tq_exercise_doc(tricky), tq_exercise_doc(tricky2)));
	assert_string_equal(json_string_value(json_object_get(tq_exercise_doc(tricky2), "title")), "true");
	tq_exercise_free(tricky);
	tq_exercise_free(tricky2);
	tq_sbuf_free(&out);
	tq_exercise_free(back);
	tq_exercise_free(ex);
}

/* ------------------------------------------------------------------ automatic feedback */

static struct tq_capture *
data_cap(const char *name)
{
	char path[4200];
	snprintf(path, sizeof(path), "%s/%s", tq_test_data_dir(), name);
	return open_cap(path);
}

/* Loads yaml, computes its keys on cap and grades answers once; the caller frees the result. */
static json_t *
grade_once(const char *yaml, struct tq_capture *cap, const char *answers)
{
	struct tq_exercise *ex = loaded(yaml);
	char err[300];
	assert_int_equal(tq_exercise_compute_keys(ex, cap, NULL, err, sizeof(err)), 0);
	json_t *r = grade(ex, cap, answers);
	tq_exercise_free(ex);
	return r;
}

/* The feedback of question id, graded once, holds want (or, want NULL, no "That is" line). */
static void
feedback_is(const char *yaml, struct tq_capture *cap, const char *answers, const char *id, const char *want)
{
	json_t *r = grade_once(yaml, cap, answers);
	const char *fb = feedback(r, id);
	if (want ? !strstr(fb, want) : strstr(fb, "That is") != NULL)
		fail_msg("%s\n%s: feedback \"%s\", wanted %s%s", yaml, answers, fb, want ? "" : "no \"That is\" line",
		    want ? want : "");
	json_decref(r);
}

/*
 * The feedback never names a field the student is not shown.
 * tcp-handshake-eth-ipv4.fields: frame 1 alone holds tcp.seq_raw 3767280348
 * (frame 2 acknowledges 3767280349) and eth.src 02:00:00:00:77:01 first; the
 * client's port 37652 is tcp.srcport of frames 1 and 3.
 */
static void
test_feedback_hidden(void **state)
{
	(void)state;
	struct tq_capture *cap = data_cap("tcp-handshake-eth-ipv4.pcap");
	const char *qs = "questions:\n  - {id: n, kind: number, prompt: P, answer: 5}\n"
	                 "  - {id: t, kind: text, prompt: P, answer: x}\n";
	const char *ans = "{\"n\": 3767280348, \"t\": \"02:00:00:00:77:01\"}";
	char y[1000];
	/* shown: named */
	snprintf(y, sizeof(y), "title: T\n%s", qs);
	feedback_is(y, cap, ans, "n", "That is Sequence Number (raw) (tcp.seq_raw) of frame 1.");
	feedback_is(y, cap, ans, "t", "(eth.src) of frame 1.");
	/* hidden by a field question in that frame, or in another one */
	snprintf(y, sizeof(y), "title: T\n%s  - {id: f, kind: field, prompt: P, hide: {1: [tcp.seq_raw, eth.src]}}\n", qs);
	feedback_is(y, cap, ans, "n", NULL);
	feedback_is(y, cap, ans, "t", "(eth.dst) of frame 2.");    /* shown there: the reply's destination */
	snprintf(y, sizeof(y), "title: T\n%s  - {id: f, kind: field, prompt: P, hide: {3: tcp.seq_raw}}\n", qs);
	feedback_is(y, cap, ans, "n", NULL);
	/* redacted, excluded, or under a redacted protocol */
	snprintf(y, sizeof(y), "title: T\nview: {redact: [tcp.seq_raw]}\n%s", qs);
	feedback_is(y, cap, ans, "n", NULL);
	snprintf(y, sizeof(y), "title: T\nview: {exclude: [tcp]}\n%s", qs);
	feedback_is(y, cap, ans, "n", NULL);
	feedback_is(y, cap, "{\"n\": 37652}", "n", NULL);
	feedback_is(y, cap, ans, "t", "(eth.src) of frame 1.");   /* the rest is still there */
	snprintf(y, sizeof(y), "title: T\nview: {redact: tcp}\n%s", qs);
	feedback_is(y, cap, ans, "n", NULL);
	/* the frames an order question deals to other places are not named */
	snprintf(y, sizeof(y), "title: T\n%s", qs);
	feedback_is(y, cap, "{\"n\": 37652}", "n", "(tcp.srcport) of frame 1.");
	snprintf(y, sizeof(y), "title: T\n%s  - {id: o, kind: order, prompt: P, frames: [1, 2]}\n", qs);
	feedback_is(y, cap, "{\"n\": 37652}", "n", "(tcp.srcport) of frame 3.");
	tq_capture_free(cap);
}

struct grader {
	struct tq_exercise *ex;
	struct tq_capture *cap;
	int named;
};

static void *
grade_thread(void *arg)
{
	struct grader *g = arg;
	json_t *a = json_loads("{\"n\": 40082}", 0, NULL);
	for (int i = 0; i < 10; i++) {
		char err[300];
		json_t *r = tq_exercise_grade(g->ex, g->cap, a, NULL, err, sizeof(err));
		const char *fb = r ? json_string_value(json_object_get(json_array_get(json_object_get(r, "questions"), 0), "feedback")) : NULL;
		g->named += fb && strstr(fb, "(tcp.srcport) of frame 1.") != NULL;
		json_decref(r);
	}
	json_decref(a);
	return NULL;
}

/*
 * The index of values is built once and shared: threads grading at once get
 * the same feedback, and computing the keys on another capture rebuilds it.
 */
static void
test_feedback_index(void **state)
{
	(void)state;
	struct tq_exercise *ex = loaded("title: T\nquestions:\n  - {id: n, kind: number, prompt: P, answer: 5}\n");
	char err[600];
	struct tq_capture *demo = demo_cap();
	struct tq_capture *hs = data_cap("tcp-handshake-eth-ipv4.pcap");
	assert_int_equal(tq_exercise_compute_keys(ex, demo, NULL, err, sizeof(err)), 0);
	struct grader g[8];
	pthread_t t[8];
	for (int i = 0; i < 8; i++) {
		g[i] = (struct grader){ ex, demo, 0 };
		assert_int_equal(pthread_create(&t[i], NULL, grade_thread, &g[i]), 0);
	}
	for (int i = 0; i < 8; i++) {
		pthread_join(t[i], NULL);
		assert_int_equal(g[i].named, 10);
	}
	/* the keys on another capture: its values, not the first one's */
	assert_int_equal(tq_exercise_compute_keys(ex, hs, NULL, err, sizeof(err)), 0);
	json_t *r = grade(ex, hs, "{\"n\": 40082}");
	assert_null(strstr(feedback(r, "n"), "That is"));
	json_decref(r);
	r = grade(ex, hs, "{\"n\": 37652}");
	assert_non_null(strstr(feedback(r, "n"), "(tcp.srcport) of frame 1."));
	json_decref(r);
	/* a capture other than the keys' one is searched for itself, and leaves the index alone */
	r = grade(ex, demo, "{\"n\": 40082}");
	assert_non_null(strstr(feedback(r, "n"), "(tcp.srcport) of frame 1."));
	json_decref(r);
	r = grade(ex, hs, "{\"n\": 40082}");
	assert_null(strstr(feedback(r, "n"), "That is"));
	json_decref(r);
	tq_exercise_free(ex);
	tq_capture_free(hs);
	tq_capture_free(demo);

	/* The search is done once: on the largest test capture, 50 wrong numbers
	 * the trace does not hold cost the first submission one indexing of the
	 * trace and the next ones almost nothing (before the index, each wrong
	 * answer dissected every frame again, and every submission cost the same). */
	struct tq_capture *big = data_cap("tls-port-reuse-eth-ipv4.pcap");
	struct tq_sbuf y, a;
	tq_sbuf_init(&y, 0);
	tq_sbuf_init(&a, 0);
	tq_sbuf_puts(&y, "title: T\nquestions:\n");
	tq_sbuf_putc(&a, '{');
	for (int i = 0; i < 50; i++) {
		tq_sbuf_printf(&y, "  - {id: q%d, kind: number, prompt: P, answer: 5}\n", i);
		tq_sbuf_printf(&a, "%s\"q%d\": %d", i ? ", " : "", i, 987654300 + i);
	}
	tq_sbuf_putc(&a, '}');
	ex = loaded(tq_sbuf_str(&y));
	assert_int_equal(tq_exercise_compute_keys(ex, big, NULL, err, sizeof(err)), 0);
	double first = 0, next = 1e9;
	for (int i = 0; i < 4; i++) {
		struct timespec t0, t1;
		clock_gettime(CLOCK_MONOTONIC, &t0);
		json_decref(grade(ex, big, tq_sbuf_str(&a)));
		clock_gettime(CLOCK_MONOTONIC, &t1);
		double dt = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
		if (i == 0)
			first = dt;
		else if (dt < next)
			next = dt;
	}
	if (next * 4 > first)
		fail_msg("the first submission took %.2f ms, the next ones %.2f ms at best", first * 1e3, next * 1e3);
	tq_sbuf_free(&y);
	tq_sbuf_free(&a);
	tq_exercise_free(ex);
	tq_capture_free(big);
}

/* ------------------------------------------------------------------ limits on a submission */

/* n copies of c, as a JSON string's text (no quotes) */
static char *
repeat(char c, size_t n)
{
	char *s = malloc(n + 1);
	assert_non_null(s);
	memset(s, c, n);
	s[n] = '\0';
	return s;
}

/* Grading must refuse answers_json with an error holding want (and want2). */
static void
grade_refused(struct tq_exercise *ex, struct tq_capture *cap, const char *answers_json, const char *want, const char *want2)
{
	json_t *a = json_loads(answers_json, 0, NULL);
	assert_non_null(a);
	char err[300] = "";
	json_t *r = tq_exercise_grade(ex, cap, a, NULL, err, sizeof(err));
	json_decref(a);
	if (r) {
		json_decref(r);
		fail_msg("graded: %.200s", answers_json);
	}
	if (!strstr(err, want) || (want2 && !strstr(err, want2)))
		fail_msg("error \"%s\" does not say \"%s\" and \"%s\"", err, want, want2 ? want2 : "");
}

/* A pattern that backtracks exponentially stops at its limit: the student is
 * told the answer could not be checked, and one grading's budget runs out. */
static void
test_regex_limits(void **state)
{
	(void)state;
	struct tq_capture *cap = demo_cap();
	struct tq_exercise *ex = loaded(
	    "title: T\n"
	    "questions:\n"
	    "  - {id: re, kind: text, prompt: P, match: '^(a+)+$'}\n"
	    "  - id: fb\n"
	    "    kind: text\n"
	    "    prompt: P\n"
	    "    answer: x\n"
	    "    feedback: {answers: [{match: '^(b+)+$', feedback: all bees}]}\n");
	char err[300];
	assert_int_equal(tq_exercise_compute_keys(ex, cap, NULL, err, sizeof(err)), 0);
	json_t *r = grade(ex, cap, "{\"re\": \"aaaa\", \"fb\": \"bbbb\"}");
	assert_true(correct(r, "re"));
	assert_non_null(strstr(feedback(r, "fb"), "all bees"));
	json_decref(r);
	/* 2^28 ways to split the a's before the '!' fails them all */
	r = grade(ex, cap, "{\"re\": \"aaaaaaaaaaaaaaaaaaaaaaaaaaaa!\", \"fb\": \"bbbbbbbbbbbbbbbbbbbbbbbbbbbb!\"}");
	assert_false(correct(r, "re"));
	if (!strstr(feedback(r, "re"), "could not be checked"))
		fail_msg("feedback \"%s\"", feedback(r, "re"));
	assert_null(strstr(feedback(r, "fb"), "all bees"));
	assert_null(strstr(feedback(r, "fb"), "could not be checked"));    /* a listed mistake just does not match */
	json_decref(r);
	tq_exercise_free(ex);

	/* 25 such answers in one submission: past the budget, even a plain match is not run */
	struct tq_sbuf y, a;
	tq_sbuf_init(&y, 0);
	tq_sbuf_init(&a, 0);
	tq_sbuf_puts(&y, "title: T\nquestions:\n");
	tq_sbuf_puts(&a, "{");
	for (int i = 0; i < 25; i++) {
		tq_sbuf_printf(&y, "  - {id: p%d, kind: text, prompt: P, match: '^(a+)+$'}\n", i);
		tq_sbuf_printf(&a, "\"p%d\": \"aaaaaaaaaaaaaaaaaaaaaaaaaaaa!\", ", i);
	}
	tq_sbuf_puts(&y, "  - {id: ok, kind: text, prompt: P, match: '^ok$'}\n");
	tq_sbuf_puts(&a, "\"ok\": \"ok\"}");
	ex = loaded(tq_sbuf_str(&y));
	assert_int_equal(tq_exercise_compute_keys(ex, cap, NULL, err, sizeof(err)), 0);
	r = grade(ex, cap, tq_sbuf_str(&a));
	assert_false(correct(r, "ok"));
	assert_non_null(strstr(feedback(r, "ok"), "could not be checked"));
	json_decref(r);
	r = grade(ex, cap, "{\"ok\": \"ok\"}");    /* each grading has its own budget */
	assert_true(correct(r, "ok"));
	json_decref(r);
	tq_sbuf_free(&y);
	tq_sbuf_free(&a);
	tq_exercise_free(ex);
	tq_capture_free(cap);
}

/* An answer past its question's cap, a list longer than the question's, or
 * answers past the total cap are refused, naming the question and the cap. */
static void
test_answer_limits(void **state)
{
	(void)state;
	struct tq_capture *cap = demo_cap();
	struct tq_exercise *ex = loaded(
	    "title: T\n"
	    "questions:\n"
	    "  - {id: t, kind: text, prompt: P, answer: x}\n"
	    "  - {id: f, kind: field, prompt: P, hide: {1: [tcp.srcport, tcp.dstport]}}\n"
	    "  - {id: c, kind: choice, prompt: P, multiple: true, choices: [{text: a, valid: true}, b, c]}\n"
	    "  - {id: o, kind: order, prompt: P, frames: [1, 2, 3]}\n");
	char err[300];
	assert_int_equal(tq_exercise_compute_keys(ex, cap, NULL, err, sizeof(err)), 0);
	char *x = repeat('x', 9000);
	size_t len = 9100;
	char *buf = malloc(len);
	assert_non_null(buf);
	/* "x...x" is 4096 bytes of JSON with 4094 x's */
	snprintf(buf, len, "{\"t\": \"%.4094s\"}", x);
	json_decref(grade(ex, cap, buf));
	snprintf(buf, len, "{\"t\": \"%.4095s\"}", x);
	grade_refused(ex, cap, buf, "the answer to 't' is too long", "4096 bytes");
	snprintf(buf, len, "{\"t\": [\"%.4095s\"]}", x);
	grade_refused(ex, cap, buf, "the answer to 't' is too long", NULL);
	/* two hidden fields: twice the room */
	snprintf(buf, len, "{\"f\": {\"1\": {\"tcp.srcport\": \"%.6000s\"}}}", x);
	json_t *r = grade(ex, cap, buf);
	assert_false(correct(r, "f"));
	json_decref(r);
	snprintf(buf, len, "{\"f\": {\"1\": {\"tcp.srcport\": \"%.8200s\"}}}", x);
	grade_refused(ex, cap, buf, "the answer to 'f' is too long", "8192 bytes");
	/* lists: no more choices or frames than the question has */
	grade_refused(ex, cap, "{\"c\": [\"a\", \"b\", \"c\", \"a\"]}", "the answer to 'c' lists 4 choices; the question has 3", NULL);
	grade_refused(ex, cap, "{\"o\": [1, 2, 3, 1]}", "the answer to 'o' lists 4 frames", NULL);
	r = grade(ex, cap, "{\"c\": [\"a\", \"b\", \"c\"], \"o\": [1, 2, 3]}");
	assert_true(correct(r, "o"));
	json_decref(r);
	tq_exercise_free(ex);

	/* the whole: 60 answers of 4,000 bytes pass, 70 do not */
	struct tq_sbuf y, a;
	tq_sbuf_init(&y, 0);
	tq_sbuf_init(&a, 0);
	tq_sbuf_puts(&y, "title: T\nquestions:\n");
	for (int i = 0; i < 70; i++)
		tq_sbuf_printf(&y, "  - {id: q%d, kind: text, prompt: P, answer: x}\n", i);
	ex = loaded(tq_sbuf_str(&y));
	assert_int_equal(tq_exercise_compute_keys(ex, cap, NULL, err, sizeof(err)), 0);
	for (int n = 60; n <= 70; n += 10) {
		tq_sbuf_reset(&a);
		tq_sbuf_putc(&a, '{');
		for (int i = 0; i < n; i++)
			tq_sbuf_printf(&a, "%s\"q%d\": \"%.4000s\"", i ? ", " : "", i, x);
		tq_sbuf_putc(&a, '}');
		if (n == 60)
			json_decref(grade(ex, cap, tq_sbuf_str(&a)));
		else
			grade_refused(ex, cap, tq_sbuf_str(&a), "the answers are too long", "262144 at most");
	}
	tq_sbuf_free(&y);
	tq_sbuf_free(&a);
	tq_exercise_free(ex);
	free(x);
	free(buf);
	tq_capture_free(cap);
}

/* With a limit, each student is graded on the choices they were shown. */
static void
test_choice_limit(void **state)
{
	(void)state;
	struct tq_capture *cap = demo_cap();
	struct tq_exercise *ex = loaded(
	    "title: T\n"
	    "questions:\n"
	    "  - {id: c, kind: choice, prompt: P, limit: 3, choices: [a, b, {text: c, valid: true}, d, e, f, g]}\n"
	    "  - id: m\n"
	    "    kind: choice\n"
	    "    prompt: P\n"
	    "    multiple: true\n"
	    "    limit: 3\n"
	    "    choices: [{text: a, valid: true}, b, {text: c, valid: true}, d, {text: e, valid: true}, f, g]\n");
	char err[300];
	assert_int_equal(tq_exercise_compute_keys(ex, cap, NULL, err, sizeof(err)), 0);
	static const char *const letters[] = { "a", "b", "c", "d", "e", "f", "g" };
	int tried = 0;
	for (uint64_t seed = 1; seed < 100 && tried < 5; seed++) {
		size_t ic[8], im[8];
		size_t nc = tq_exercise_pick_choices(ex, 0, seed, ic, 8), nm = tq_exercise_pick_choices(ex, 1, seed, im, 8);
		assert_int_equal(nc, 3);
		assert_int_equal(nm, 3);
		int shown_c[7] = { 0 }, shown_m[7] = { 0 };
		for (size_t i = 0; i < 3; i++) {
			shown_c[ic[i]] = 1;
			shown_m[im[i]] = 1;
		}
		/* a seed that shows m one or two of its three valid choices */
		int valid_shown = shown_m[0] + shown_m[2] + shown_m[4];
		if (valid_shown == 3)
			continue;
		tried++;
		size_t hidden = 0;
		while (shown_c[hidden])
			hidden++;
		char right_m[64] = "", all_m[] = "[\"a\", \"c\", \"e\"]";
		for (size_t i = 0; i < 3; i++)
			if (im[i] == 0 || im[i] == 2 || im[i] == 4)
				snprintf(right_m + strlen(right_m), sizeof(right_m) - strlen(right_m), "%s\"%s\"", *right_m ? ", " : "",
				    letters[im[i]]);
		char ans[200];
		snprintf(ans, sizeof(ans), "{\"c\": \"%s\", \"m\": [%s]}", letters[hidden], right_m);
		struct tq_grade_opts opts = { seed, 1 };
		json_t *r = grade_opts(ex, cap, ans, &opts);
		assert_false(correct(r, "c"));
		assert_non_null(strstr(feedback(r, "c"), "not one of the choices"));
		assert_true(correct(r, "m"));
		json_decref(r);
		/* shown all (staff, auto-graders): a choice is a choice, and every valid one is wanted */
		r = grade_opts(ex, cap, ans, NULL);
		assert_null(strstr(feedback(r, "c"), "not one of the choices"));
		assert_false(correct(r, "m"));
		json_decref(r);
		struct tq_grade_opts off = { seed, 0 };
		r = grade_opts(ex, cap, ans, &off);
		assert_false(correct(r, "m"));
		json_decref(r);
		snprintf(ans, sizeof(ans), "{\"c\": \"C\", \"m\": %s}", all_m);
		r = grade_opts(ex, cap, ans, &opts);
		assert_true(correct(r, "c"));
		assert_false(correct(r, "m"));
		assert_non_null(strstr(feedback(r, "m"), "not one of the choices"));
		json_decref(r);
		r = grade_opts(ex, cap, ans, NULL);
		assert_true(correct(r, "m"));
		json_decref(r);
	}
	assert_int_equal(tried, 5);
	tq_exercise_free(ex);
	tq_capture_free(cap);
}

/* attempts: an optional integer from 1 to 1000, kept and written back. */
static void
test_attempts(void **state)
{
	(void)state;
	struct tq_exercise *ex = loaded("title: T\nattempts: 3\nquestions: []\n");
	assert_int_equal(tq_exercise_attempts(ex), 3);
	assert_int_equal(json_integer_value(json_object_get(tq_exercise_doc(ex), "attempts")), 3);
	struct tq_sbuf out;
	tq_sbuf_init(&out, 0);
	assert_int_equal(tq_exercise_to_yaml(tq_exercise_doc(ex), &out), 0);
	struct tq_exercise *back = loaded(out.s);
	assert_int_equal(tq_exercise_attempts(back), 3);
	assert_true(json_equal(tq_exercise_doc(ex), tq_exercise_doc(back)));
	tq_sbuf_free(&out);
	tq_exercise_free(back);
	tq_exercise_free(ex);
	ex = loaded(base_q);
	assert_int_equal(tq_exercise_attempts(ex), 0);
	tq_exercise_free(ex);
	ex = loaded("title: T\nattempts: 1000\nquestions: []\n");
	assert_int_equal(tq_exercise_attempts(ex), 1000);
	tq_exercise_free(ex);
	refused("title: T\nattempts: 0\nquestions: []\n", "attempts: 0 is out of range (1 to 1000");
	refused("title: T\nattempts: 1001\nquestions: []\n", "attempts: 1001 is out of range");
	refused("title: T\nattempts: -2\nquestions: []\n", "attempts: -2 is out of range");
	refused("title: T\nattempts: '3'\nquestions: []\n", "attempts: expected an integer from 1 to 1000 (leave it out for no limit), found text");
	refused("title: T\nattempts: 2.5\nquestions: []\n", "attempts: expected an integer");
	refused("title: T\nattempt: 3\nquestions: []\n", "unknown key 'attempt' (the keys here are title, intro, capture, captures, variants, view, attempts, questions)");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_demo_keys),
		cmocka_unit_test(test_decode_as_keys),
		cmocka_unit_test(test_refusals),
		cmocka_unit_test(test_hostile_yaml),
		cmocka_unit_test(test_text_normalizers),
		cmocka_unit_test(test_number_choice_field_order),
		cmocka_unit_test(test_frozen_keys),
		cmocka_unit_test(test_keys_that_fail),
		cmocka_unit_test(test_keys_limits),
		cmocka_unit_test(test_pick_choices),
		cmocka_unit_test(test_yaml_round_trip),
		cmocka_unit_test(test_feedback_hidden),
		cmocka_unit_test(test_feedback_index),
		cmocka_unit_test(test_regex_limits),
		cmocka_unit_test(test_answer_limits),
		cmocka_unit_test(test_choice_limit),
		cmocka_unit_test(test_attempts),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
