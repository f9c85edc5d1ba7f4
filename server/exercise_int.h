/* exercise_int.h - what exercise.c (the model, keys) and grade.c (grading) share. */
#ifndef TQ_EXERCISE_INT_H
#define TQ_EXERCISE_INT_H

#include <pthread.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "exercise.h"
#include "../analysis/rewrite.h"
#include "../analysis/tq.h"

enum { Q_TEXT, Q_NUMBER, Q_CHOICE, Q_FIELD, Q_ORDER, Q_NKINDS };

/* Normalizers of text answers. */
#define N_CASE  0x01    /* case does not matter */
#define N_TRIM  0x02    /* white space around it does not */
#define N_SPACE 0x04    /* runs of white space inside count as one space */
#define N_DOT   0x08    /* a domain name's trailing dot does not */
#define N_IPV6  0x10    /* IPv6 addresses compare in canonical form (RFC 5952) */
#define N_INT   0x20    /* integers compare by value, in any base (6, 0x06, 0b110) */

struct question {
	json_t *q;                   /* its part of the document (borrowed) */
	const char *id;
	int kind;
	double points;
	struct tq_expr *key_expr;
	unsigned norm;
	pcre2_code *match;           /* text: accepted by a regular expression */
	pcre2_code **wrong_re;       /* feedback.answers[i].match, NULL for a literal */
	size_t nwrong;
	double tolerance;
	size_t nchoices;
	struct tq_expr **choice_expr;     /* a choice whose validity is an expression */
	int *choice_valid;           /* 1 valid, 0 not, -1 unknown (its expression failed) */
	int multiple;
	unsigned limit;
	/* computed by tq_exercise_compute_keys */
	json_t *key;
	json_t *from;
	char *key_error;
};

struct fb_index;

struct tq_exercise {
	json_t *doc;
	char *dir;
	char *capture_path;
	struct question *q;
	size_t nq;
	int keys_ready;
	size_t attempts;             /* 0: unlimited */
	/* view.decode_as: how its capture is opened (tq_exercise_open_opts) */
	struct tq_decode_as decode_as[TQ_MAX_DECODE_AS];
	unsigned ndecode_as;
	/* variants (variants.c): npool captures, per_capture variants of each, rewritten by rw */
	size_t npool, per_capture;
	int rewrites;
	struct tq_rewrite rw;
	json_t *names;               /* variants.rewrite's names (in doc) */
	uint64_t seed;
	int has_seed;
	/* the capture the keys were computed on (borrowed; compared, never read) */
	struct tq_capture *keys_cap;
	/*
	 * Automatic feedback's index of the field values of keys_cap, built by
	 * the first grading that needs it (grade.c).  Several threads grade one
	 * exercise at once: fb and fb_tried are read and written under fb_lock
	 * only; once built, the index is read-only until compute_keys or
	 * tq_exercise_free drops it (neither runs while grading does).
	 */
	pthread_mutex_t fb_lock;
	struct fb_index *fb;
	int fb_tried;
};

/* Drops the automatic feedback's index (grade.c): compute_keys and tq_exercise_free call it. */
void tq_ex_feedback_drop(struct tq_exercise *ex);

/* ---- shared by exercise.c, exercise_yaml.c and exercise_check.c */

/* The message into err (when given): -1. */
int ex_errf(char *err, size_t errlen, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* base then suffix into buf, cut to fit: the paths of error messages. */
void ex_pathcat(char *buf, size_t len, const char *base, const char *suffix);
/* The kinds' names, by Q_ kind. */
extern const char *const ex_kind_names[Q_NKINDS];
/* Checks ex's document whole, builds its questions (exercise_check.c): 0, or -1 with err set. */
int ex_check_doc(struct tq_exercise *ex, char *err, size_t errlen);
/* captures: and variants: (variants.c). */
int ex_check_variants(struct tq_exercise *ex, char *err, size_t errlen);

/* ---- shared by grade.c and feedback.c */

/* Normalizing answers (grade.c): text as a question's norm says, an integer in any base, a
 * value as text, an answer as a number. */
void gr_normalize(const char *s, size_t n, unsigned norm, struct tq_sbuf *out);
int gr_any_base_int(const char *s, long long *out);
int gr_json_text(const json_t *j, struct tq_sbuf *out);
int gr_answer_number(const json_t *a, double *out);
int gr_is_space(int c);
/* Whether a and b are the same answer under the normalizers norm. */
int gr_same_text(const json_t *a, const json_t *b, unsigned norm);

/*
 * Regular expressions on answers (a question's match, feedback.answers[].match)
 * are the instructor's and the text is the student's: a pattern that
 * backtracks badly on a long answer can take a second, and one submission
 * may run hundreds.  So a match may take RE_CALL_LIMIT steps (PCRE2's match
 * limit, with its depth and heap limits), and one grading RE_BUDGET in all.
 * PCRE2 does not say how many steps a match took: a match is tried with
 * RE_FIRST_LIMIT steps, then ten times more up to RE_CALL_LIMIT, and each try
 * is charged for its limit.  A plain pattern costs 1,000 of the budget, the
 * worst 111,000, and the budget pays for 2,000 plain matches.  An answer that
 * reaches a limit is not matched (RE_TOO_COMPLEX).
 */
#define RE_FIRST_LIMIT 1000u
#define RE_CALL_LIMIT 100000u
#define RE_BUDGET 2000000u
#define RE_DEPTH_LIMIT 10000u
#define RE_HEAP_LIMIT_KIB 4096u

enum { RE_NO, RE_YES, RE_TOO_COMPLEX };

/* One grading's matching: its context, its match data and what is left of its budget. */
struct regex_run {
	pcre2_match_context *mc;
	pcre2_match_data *md;
	uint32_t left;
};
void gr_regex_run_init(struct regex_run *rr);
void gr_regex_run_free(struct regex_run *rr);
/* RE_YES, RE_NO, or RE_TOO_COMPLEX when a limit stopped the match (or memory ran out). */
int gr_regex_hit(struct regex_run *rr, const pcre2_code *re, const char *s, size_t n);

/* The trace's values, indexed for feedback (feedback.c). */
struct fb_index;
/* An index for a capture other than the keys' one, for one grading. */
struct fb_own {
	struct fb_index *ix;
	int tried;
};

void fb_free(struct fb_index *ix);
/* Whether answer is the value of a field of cap: 1 with *frame and *field set. */
int fb_find_source(const struct tq_exercise *ex, struct tq_capture *cap, struct fb_own *own, const json_t *answer,
    int numeric, unsigned norm, uint32_t *frame, const struct tq_field **field);

/* The checks of exercise_want.c: each returns 0, or what ex_errf returns with the error, naming the
 * place path, written into ck.  ck_jtype names a value's JSON type; ck_listify makes a lone string a
 * list of one. */
struct checker {
	char *err;
	size_t errlen;
};
const char *ck_jtype(const json_t *j);
int ck_only_keys(struct checker *ck, const char *path, const json_t *o, const char *const *allowed);
int ck_want_string(struct checker *ck, const char *path, const json_t *v, int required, int nonempty);
int ck_want_list_of_strings(struct checker *ck, const char *path, json_t *v, size_t max);
int ck_known_field(struct checker *ck, const char *path, const char *abbrev);
void ck_listify(json_t *o, const char *key);
int ck_want_number(struct checker *ck, const char *path, const json_t *v, double min);
int ck_compile_expr(struct checker *ck, const char *path, const char *src, struct tq_expr **out);
int ck_compile_regex(struct checker *ck, const char *path, const char *re, pcre2_code **out);

#endif
