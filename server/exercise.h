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

/* The document as YAML, as tq_exercise_load_yaml reads it back. */
int tq_exercise_to_yaml(const json_t *doc, struct tq_sbuf *out);

/*
 * Computes every question's key on cap, in one pass over it (one field
 * index for all the expressions).  A key that cannot be computed keeps its
 * error and the others are still computed; the function fails only when the
 * capture cannot be read at all.
 */
int tq_exercise_compute_keys(struct tq_exercise *ex, struct tq_capture *cap, char *err, size_t errlen);
/* {"questions": [{"id", "kind", "key", "error", "from"}, ...]} after compute_keys. */
json_t *tq_exercise_keys_json(const struct tq_exercise *ex);

/*
 * Grades answers ({"q1": "...", "q2": "TLS 1.2", "q3": 3, ...}) against the
 * computed keys; cap (the one the keys came from) lets feedback name the
 * field a wrong answer came from.  Returns
 * {"score", "max", "questions": [{"id", "correct", "score", "max", "feedback"}]};
 * NULL with err set when answers is not an object.
 */
json_t *tq_exercise_grade(const struct tq_exercise *ex, struct tq_capture *cap, const json_t *answers,
    char *err, size_t errlen);

/* The choices a student sees for a choice question with a limit: a random
 * subset (by seed) that always holds a valid one, as indexes in *idx. */
size_t tq_exercise_pick_choices(const struct tq_exercise *ex, size_t question, uint64_t seed,
    size_t *idx, size_t cap);
/* SplitMix64's next number from *state: the generator of every per-student
 * deal (the choices above, the frames of an order question). */
uint64_t tq_splitmix64(uint64_t *state);

#endif
