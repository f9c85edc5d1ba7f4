/* exercise.h - exercises: the model, its YAML file, answer keys and grading. */
#ifndef TQ_EXERCISE_H
#define TQ_EXERCISE_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "../analysis/tq.h"

/*
 * An exercise is a folder: exercise.yaml beside its capture.  The YAML (or
 * the same document as JSON, from the API) is checked whole when loaded: an
 * unknown key, a value of the wrong type, a question without a prompt or an
 * expression that does not parse is an error naming its place
 * ("questions[2].choices[1]: unknown key 'vaild'"), and nothing is loaded.
 * doc/exercises.md describes the format.
 */
struct tq_exercise;

/* Limits on an exercise file, so a hostile upload costs little. */
#define TQ_EX_MAX_FILE      (1u << 20)   /* bytes of YAML or JSON */
#define TQ_EX_MAX_QUESTIONS 200
#define TQ_EX_MAX_CHOICES   64
#define TQ_EX_MAX_TEXT      65536        /* bytes in one string */
#define TQ_EX_MAX_ATTEMPTS  1000         /* the document's attempts: 1 to this */

/*
 * Limits on a submission, so a student cannot make grading costly: an
 * answer is measured as compact JSON text.  A text, number or choice answer
 * may have TQ_EX_MAX_ANSWER bytes (a choice answer also the length of all its
 * question's choices, so that listing every choice always fits), a field
 * answer TQ_EX_MAX_ANSWER per hidden field, an order answer TQ_EX_MAX_ANSWER
 * plus 11 per frame of the question; the whole answers object
 * TQ_EX_MAX_ANSWERS.  A multiple-choice list may name at most as many choices
 * as the question has, an order list at most as many frames as the question
 * has (TQ_EX_MAX_ORDER when its key is unknown).
 */
#define TQ_EX_MAX_ANSWER    4096
#define TQ_EX_MAX_ANSWERS   (256u << 10)
#define TQ_EX_MAX_ORDER     1000

/* Loads an exercise folder (DIR/exercise.yaml) or a YAML file. */
int tq_exercise_load(const char *path, struct tq_exercise **out, char *err, size_t errlen);
/* From YAML text; dir is where its capture is (may be NULL). */
int tq_exercise_load_yaml(const char *text, size_t len, const char *dir, struct tq_exercise **out,
    char *err, size_t errlen);
/* From a JSON document (the API's), which the exercise keeps a reference to. */
int tq_exercise_from_json(json_t *doc, const char *dir, struct tq_exercise **out, char *err, size_t errlen);
void tq_exercise_free(struct tq_exercise *ex);

/* The checked document, with defaults filled in (borrowed). */
json_t *tq_exercise_doc(const struct tq_exercise *ex);
/* The capture's path (the folder joined with its capture key), NULL if none. */
const char *tq_exercise_capture_path(const struct tq_exercise *ex);
size_t tq_exercise_count(const struct tq_exercise *ex);
/* How its capture is to be opened: its view.decode_as rules (tshark -d). */
struct tq_open_opts tq_exercise_open_opts(const struct tq_exercise *ex);

/*
 * Variants (doc/variants.md): an exercise has a pool of captures
 * (captures:, or its one capture:) and, with variants:, count rewritten
 * copies of each.  Variant v (0-based) comes from the pool's capture
 * tq_exercise_variant_capture(v).
 */
#define TQ_EX_MAX_POOL      64
#define TQ_EX_MAX_VARIANTS  1000
size_t tq_exercise_variant_count(const struct tq_exercise *ex);
size_t tq_exercise_pool_size(const struct tq_exercise *ex);
/* The name the document gives the pool's capture i (as written, relative to its folder). */
const char *tq_exercise_pool_name(const struct tq_exercise *ex, size_t i);
/* Its path (the folder joined with its name), malloc'd; NULL without a folder or memory. */
char *tq_exercise_pool_path(const struct tq_exercise *ex, size_t i);
/* 1 when the document has captures: or variants: (which the server does not deal yet). */
int tq_exercise_has_variants(const struct tq_exercise *ex);
#define TQ_EX_NO_VARIANTS "variants: this server does not deal a trace per student yet: make and check " \
	"the variants with `tracequiz variants` (doc/variants.md), and give the server one capture"
/* 1 when the variants are rewritten copies, 0 when they are the pool's captures as they are. */
int tq_exercise_rewrites(const struct tq_exercise *ex);
size_t tq_exercise_variant_capture(const struct tq_exercise *ex, size_t v);
/* The variant a student is dealt, of n: the same at every call, spread evenly by a hash. */
size_t tq_exercise_deal(const char *exercise, const char *student, size_t n);
/* Variant v's capture file, made from the bytes of its pool capture (in): a
 * malloc'd copy of len bytes, rewritten when the exercise says so.  0, or -1
 * with err set. */
int tq_exercise_make_variant(const struct tq_exercise *ex, size_t v, const uint8_t *in, size_t len, uint8_t **out,
    char *err, size_t errlen);

/* YAML text (at most TQ_EX_MAX_FILE bytes) as JSON: mappings, lists and
 * scalars (plain ones typed: numbers, true/false, null), or NULL with err set. */
json_t *tq_yaml_to_json(const char *text, size_t len, char *err, size_t errlen);
/* The document as YAML, as tq_exercise_load_yaml reads it back. */
int tq_exercise_to_yaml(const json_t *doc, struct tq_sbuf *out);

/*
 * Computes every question's key on cap, in one pass over it (one field
 * index for all the expressions).  A key that cannot be computed keeps its
 * error and the others are still computed.  The function fails only when the
 * capture cannot be read at all, or when lim (NULL: no limits) is reached:
 * its max_bytes bounds the field index, its deadline the index and the
 * evaluation, read between one expression and the next.  Then the result is
 * TQ_ETIMEOUT or TQ_ETOOBIG and err says which limit and where the work
 * stopped (the caller maps these to "try a shorter trace", not to a broken
 * exercise); other failures give another negative tq_err.  After a failure
 * the exercise has no keys (grading refuses it) until a call succeeds.
 */
int tq_exercise_compute_keys(struct tq_exercise *ex, struct tq_capture *cap, const struct tq_limits *lim,
    char *err, size_t errlen);
/* {"questions": [{"id", "kind", "key", "error", "from"[, "valid", "states"]}, ...]}
 * after compute_keys: what the store keeps as the exercise's frozen keys. */
json_t *tq_exercise_keys_json(const struct tq_exercise *ex);
/*
 * Gives ex the keys tq_exercise_keys_json made earlier (of this document),
 * computed on cap, without computing anything: grading then uses them as
 * they were frozen.  0, or -1 with err set when they do not fit the
 * document (a question without its entry); ex has no keys then.
 */
int tq_exercise_set_keys(struct tq_exercise *ex, const json_t *keys, struct tq_capture *cap, char *err, size_t errlen);
/*
 * The questions whose key differs between two keys documents (what
 * grading reads: the key and the valid choices), as a new array of
 * {"id", "old", "new"[, "old_valid", "new_valid", "added", "removed"]}.
 */
json_t *tq_exercise_keys_diff(const json_t *old_keys, const json_t *new_keys);

/* What a grading needs to know of the student; NULL: all choices shown, as
 * for staff and auto-graders. */
struct tq_grade_opts {
	uint64_t choice_seed;        /* the student's seed for tq_exercise_pick_choices */
	int limit_choices;           /* 1: a choice question with a limit is graded on the choices shown */
};

/*
 * Grades answers ({"q1": "...", "q2": "TLS 1.2", "q3": 3, ...}) against the
 * computed keys; cap (the one the keys came from) lets feedback name the
 * field a wrong answer came from.  Several threads may grade one exercise at
 * once (not while compute_keys runs on it).  Returns
 * {"score", "max", "questions": [{"id", "correct", "score", "max", "feedback"}]},
 * which the caller frees with json_decref; NULL with err set when answers is
 * not an object, names no question of the exercise, or is past a limit above
 * ("the answer to 'q3' is too long ..."): the caller's mistake, a 4xx; also
 * NULL when the keys are not computed or memory runs out.
 * Regular expressions on answers are bounded (100,000 backtracking steps a
 * call, 2,000,000 a grading): past that an answer is not matched, and the
 * question's own match says the answer could not be checked.
 */
json_t *tq_exercise_grade(const struct tq_exercise *ex, struct tq_capture *cap, const json_t *answers,
    const struct tq_grade_opts *opts, char *err, size_t errlen);
/* The document's attempts: how many submissions a student may make, 0 for no limit. */
size_t tq_exercise_attempts(const struct tq_exercise *ex);

/* The choices a student sees for a choice question with a limit: a random
 * subset (by seed) that always holds a valid one, as indexes in *idx. */
size_t tq_exercise_pick_choices(const struct tq_exercise *ex, size_t question, uint64_t seed,
    size_t *idx, size_t cap);
/* SplitMix64's next number from *state: the generator of every per-student
 * deal (the choices above, the frames of an order question). */
uint64_t tq_splitmix64(uint64_t *state);

#endif
