/* store.h - the storage of tracequiz: the only code that speaks SQL (SQLite or PostgreSQL). */
#ifndef TQ_STORE_H
#define TQ_STORE_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

/*
 * One store is one database connection, SQLite or PostgreSQL (db/conn.h): a
 * server thread opens its own (SQLite's WAL, like PostgreSQL, lets readers
 * and a writer run together).  Every statement is prepared once per
 * connection and bound, never built from strings.  Functions return 0 on
 * success, TQ_STORE_NOTFOUND, TQ_STORE_EXISTS, or TQ_STORE_ERROR with the
 * store's last message (tq_store_error) saying what.
 */
struct tq_store;

enum { TQ_STORE_OK = 0, TQ_STORE_ERROR = -1, TQ_STORE_NOTFOUND = -2, TQ_STORE_EXISTS = -3 };

struct tq_user {
	int64_t id;
	char name[192];              /* an auto-grader's student: "COURSE/ID" */
	char role[16];               /* student, instructor, admin */
	char pw_hash[160];           /* empty: cannot log in */
	int external;                /* made by POST /grade: ext_course holds its namespace */
	int64_t origin_course;       /* the course whose enrolment made it, 0 if none */
	int64_t ext_course;
};

/* What an API token may do: everything its account may (admin), read only
 * (GET and HEAD), or grade only (POST /grade), in its grants when limited. */
enum tq_scope { TQ_SCOPE_NONE = 0, TQ_SCOPE_GRADE, TQ_SCOPE_READ, TQ_SCOPE_ADMIN };

struct tq_token {
	int64_t id;
	int scope;                   /* enum tq_scope */
	int limited;                 /* grade: only the courses and exercises granted */
	int64_t expires;             /* Unix time, 0: never */
};

/* "grade", "read", "admin" and back; -1 (TQ_SCOPE_NONE) for another name. */
const char *tq_scope_name(int scope);
int tq_scope_parse(const char *name);

struct tq_exrow {
	int64_t id, course_id, capture_id;
	char slug[128];
	char *doc;                   /* malloc'd JSON, freed by tq_exrow_free */
	char *keys;                  /* malloc'd JSON */
	int published;
	int64_t updated;
	int64_t key_version;         /* tq_store_exercise_get only: the keys' version (1, 2... one per change) */
	char keys_program[32];       /* and the tracequiz version that computed them ("": before keys were frozen) */
	int64_t revision;            /* and the row's revision: one more at each change */
	char course[128];            /* tq_store_exercises_for only: the course's slug */
	int teaching;                /* and whether the user teaches it */
	int64_t attempts;            /* and the user's submissions: how many, the best */
	double best_score, best_max;
};

struct tq_course {
	int64_t id;
	char slug[128];
	char title[256];
	int open;                    /* every account sees its published exercises */
};

struct tq_capmeta {
	int64_t id;
	char sha256[65];
	char name[128];
	int64_t size, frames, created;
};

/*
 * Opens the database and applies the migrations it lacks: where is an SQLite
 * file (made when missing), or a PostgreSQL URI, postgresql://USER@HOST/DB
 * (libpq's; the password from PGPASSWORD or ~/.pgpass).
 */
int tq_store_open(const char *where, struct tq_store **out, char *err, size_t errlen);
/* "sqlite" or "postgresql". */
const char *tq_store_kind(const struct tq_store *st);
/* 1 when where names an SQLite file, 0 for a PostgreSQL URI. */
int tq_store_is_file(const char *where);
/* where as it may be logged: a password in a URI (user:PASSWORD@, password=) written ***. */
void tq_store_describe(const char *where, char *out, size_t len);
void tq_store_close(struct tq_store *st);
/*
 * A consistent copy of the database in path (SQLite's online backup API: a
 * snapshot while the server goes on writing), written under a temporary
 * name, checked (PRAGMA quick_check), synced and renamed: path holds a whole
 * backup or what it held before.  0, or -1 with err set (always on
 * PostgreSQL: pg_dump backs it up, err says how).
 */
int tq_store_backup(struct tq_store *st, const char *path, char *err, size_t errlen);
const char *tq_store_error(const struct tq_store *st);
/* The schema version after migrating: the store's migrations applied (SQLite's PRAGMA
 * user_version, PostgreSQL's table tq_schema). */
int tq_store_version(struct tq_store *st);
/* The database's check of itself (SQLite's integrity_check; PostgreSQL: it answers): 0 when sound. */
int tq_store_integrity(struct tq_store *st);

/* A write transaction: writers take turns (SQLite: BEGIN IMMEDIATE and a turn among the
 * process's connections; PostgreSQL: an advisory lock every node takes). */
int tq_store_begin(struct tq_store *st);
/* A write transaction that only the writers of the same key wait for (on PostgreSQL; on
 * SQLite, as tq_store_begin): for work whose reads and writes are the key's alone, such as
 * one account's submissions (key: its id). */
int tq_store_begin_for(struct tq_store *st, int64_t key);
int tq_store_commit(struct tq_store *st);
void tq_store_rollback(struct tq_store *st);
/* Copies the write-ahead log into the database (truncate: and empties the log;
 * busy is not an error, the next one does it). */
int tq_store_checkpoint(struct tq_store *st, int truncate);
/* No checkpoint at commit: the server checkpoints in its own thread. */
void tq_store_no_autocheckpoint(struct tq_store *st);

/* A local account; origin_course (0: none) is the course whose enrolment made it.
 * TQ_STORE_EXISTS when the name is taken. */
int tq_store_user_add(struct tq_store *st, const char *name, const char *role, const char *pw_hash,
    int64_t origin_course, int64_t *id);
/* The auto-grader's student ext_id of a course, made (named "COURSE_SLUG/EXT_ID",
 * without a password) on first use.  Never a local account. */
int tq_store_external_user(struct tq_store *st, int64_t course_id, const char *course_slug, const char *ext_id,
    int64_t *id);
int tq_store_user_by_name(struct tq_store *st, const char *name, struct tq_user *out);
int tq_store_user_by_id(struct tq_store *st, int64_t id, struct tq_user *out);
int tq_store_user_count(struct tq_store *st, int64_t *n);

/* Tokens and sessions are found by the SHA-256 of their secret.  An expired
 * token is not found (TQ_STORE_NOTFOUND).  expires 0: never. */
int tq_store_token_add(struct tq_store *st, int64_t user_id, const uint8_t hash[32], const char *name, int scope,
    int limited, int64_t expires, int64_t *id);
/* Grants a limited grade token one course (exercise_id 0) or one exercise (course_id 0). */
int tq_store_token_grant(struct tq_store *st, int64_t token_id, int64_t course_id, int64_t exercise_id);
int tq_store_token_user(struct tq_store *st, const uint8_t hash[32], int64_t now, struct tq_user *out,
    struct tq_token *tok);
/* 1 when a limited token was granted the course or the exercise, 0 when not, TQ_STORE_ERROR. */
int tq_store_token_granted(struct tq_store *st, int64_t token_id, int64_t course_id, int64_t exercise_id);
int tq_store_session_add(struct tq_store *st, const uint8_t hash[32], int64_t user_id, const char *csrf, int64_t expires);
int tq_store_session_user(struct tq_store *st, const uint8_t hash[32], int64_t now, struct tq_user *out, char *csrf,
    size_t csrflen);
int tq_store_session_delete(struct tq_store *st, const uint8_t hash[32]);

int tq_store_teacher_add(struct tq_store *st, int64_t course_id, int64_t user_id);
/* 1 when user teaches course, 0 when not, TQ_STORE_ERROR when the database fails
 * (the caller answers 500, not 403). */
int tq_store_teaches(struct tq_store *st, int64_t course_id, int64_t user_id);

/* A capture is kept once, by SHA-256: *id is the existing row when it is there. */
int tq_store_capture_put(struct tq_store *st, const char *sha256hex, const char *name, const void *data, size_t size,
    uint32_t frames, int64_t *id);
/* *data is malloc'd. */
int tq_store_capture_get(struct tq_store *st, int64_t id, void **data, size_t *size, char *sha256hex);

/* Saves an exercise with its keys, computed by tracequiz version program; new_keys (1: they
 * differ from the stored ones) makes a new key version of an exercise that exists. */
int tq_store_exercise_put(struct tq_store *st, const char *slug, int64_t course_id, const char *doc, int64_t capture_id,
    const char *keys, const char *program, int new_keys, int published, int64_t *id);
int tq_store_exercise_get(struct tq_store *st, const char *slug, struct tq_exrow *out);
void tq_exrow_free(struct tq_exrow *row);
/* What says who may see an exercise, without reading it; and its revision, one more at each
 * change of the row (a node's loaded copy is current while its id and revision are the row's). */
struct tq_exmeta {
	int64_t id, course_id, revision;
	int published;
};
int tq_store_exercise_meta(struct tq_store *st, const char *slug, struct tq_exmeta *out);

/* A submission, graded against key version key_version of its exercise. */
int tq_store_submission_add(struct tq_store *st, int64_t exercise_id, int64_t user_id, const char *answers,
    double score, double max, const char *result, int64_t key_version, int64_t *id);

/* A submission as listed: the strings live until the callback returns. */
struct tq_subrow {
	int64_t id;
	const char *student;
	const char *answers;         /* JSON */
	double score, max;
	const char *result;          /* JSON */
	int64_t created;
	int64_t key_version;         /* the key version it was graded against */
	const char *regrades;        /* JSON array of its regrades, oldest first, or NULL */
};
/* The submissions of an exercise, oldest first: one student's (user_id), or all (-1). */
int tq_store_submissions(struct tq_store *st, int64_t exercise_id, int64_t user_id,
    int (*fn)(void *arg, const struct tq_subrow *row), void *arg);

/* A submission as a regrade reads it: the strings live until the callback returns. */
struct tq_regrade_row {
	int64_t id, user_id;
	int external;                /* an auto-grader's student: graded as POST /grade does */
	const char *answers;         /* JSON, as given */
	double score, max;
	int64_t key_version;
};
/* Every submission of an exercise, oldest first; fn returns non-zero to stop. */
int tq_store_regrade_list(struct tq_store *st, int64_t exercise_id,
    int (*fn)(void *arg, const struct tq_regrade_row *row), void *arg);
/* Gives a submission a new grade and records the old one in its history (by_user: who, 0 for the command line). */
int tq_store_regrade_set(struct tq_store *st, const struct tq_regrade_row *old, double score, double max,
    const char *result, int64_t key_version, int64_t by_user);
/* How many submissions of an exercise answered the question (by id). */
int tq_store_key_answered(struct tq_store *st, int64_t exercise_id, const char *question, int64_t *n);

/* Failed logins, for throttling: who is "pair:NAME ADDR" or "addr:ADDR".
 * *n failures since then, the last at *last (0 when none). */
int tq_store_login_failed(struct tq_store *st, const char *who);
int tq_store_login_failures(struct tq_store *st, const char *who, int64_t since, int64_t *n, int64_t *last);

/* A student's submissions to an exercise: all of them, and those since then. */
int tq_store_attempts(struct tq_store *st, int64_t exercise_id, int64_t user_id, int64_t since, int64_t *total,
    int64_t *recent);

/*
 * Courses, captures, tokens and users.  The lists come as JSON arrays of
 * objects keyed by column (NULL on a database error, with its message).
 */
int tq_store_course_get(struct tq_store *st, const char *slug, struct tq_course *out);
int tq_store_course_add(struct tq_store *st, const char *slug, const char *title, int open, int64_t *id);
/* The courses a user teaches, studies or may see (all: every course), with flags teaching, enrolled, open. */
json_t *tq_store_courses(struct tq_store *st, int64_t user_id, int all);
int tq_store_enrol(struct tq_store *st, int64_t course_id, int64_t user_id);
int tq_store_unenrol(struct tq_store *st, int64_t course_id, int64_t user_id);
/* The students (teachers: 0) or the teachers (1) of a course. */
json_t *tq_store_course_people(struct tq_store *st, int64_t course_id, int teachers);
/* 1 when the course is open, or the user teaches it or is enrolled in it. */
int tq_store_can_see(struct tq_store *st, int64_t course_id, int64_t user_id);

int tq_store_capture_meta(struct tq_store *st, const char *sha256hex, struct tq_capmeta *out);
int tq_store_capture_own(struct tq_store *st, int64_t capture_id, int64_t user_id);
/* 1 when the user uploaded the capture or teaches a course with an exercise on it. */
int tq_store_capture_usable(struct tq_store *st, int64_t capture_id, int64_t user_id);
json_t *tq_store_captures(struct tq_store *st, int64_t user_id, int all);

int tq_store_exercise_delete(struct tq_store *st, int64_t id);
int tq_store_exercise_submissions(struct tq_store *st, int64_t id, int64_t *n);
/* The exercises a user may see (all: every one): the courses they teach, and
 * the published ones of courses they study or that are open. */
int tq_store_exercises_for(struct tq_store *st, int64_t user_id, int all,
    int (*fn)(void *arg, const struct tq_exrow *row), void *arg);

/* A user's tokens: id, name, scope, expires (null: never), created, and a limited
 * token's grants (courses, exercises: arrays of slugs). */
json_t *tq_store_tokens(struct tq_store *st, int64_t user_id);
int tq_store_token_delete(struct tq_store *st, int64_t id, int64_t user_id);
json_t *tq_store_users(struct tq_store *st);
/* Sets a password; the account's sessions, tokens and reset code end with the old one. */
int tq_store_user_set_password(struct tq_store *st, int64_t id, const char *pw_hash);
/* Changes an account's role; its sessions and tokens end. */
int tq_store_user_set_role(struct tq_store *st, int64_t id, const char *role);
/* 1 when the student is enrolled in a course the teacher teaches. */
int tq_store_teaches_student(struct tq_store *st, int64_t student_id, int64_t teacher_id);
/* How many courses other than course_id the user is enrolled in or teaches. */
int tq_store_courses_elsewhere(struct tq_store *st, int64_t user_id, int64_t course_id, int64_t *n);

/* A one-time reset code (by its SHA-256) for an account, replacing any other;
 * made_by is who made it. */
int tq_store_reset_put(struct tq_store *st, int64_t user_id, const uint8_t hash[32], int64_t made_by, int64_t expires);
/* Uses up a reset code: *user_id is its account when it had not expired
 * (TQ_STORE_NOTFOUND when there is no such code or it expired). */
int tq_store_reset_take(struct tq_store *st, const uint8_t hash[32], int64_t now, int64_t *user_id);
int tq_store_course_slug(struct tq_store *st, int64_t id, char *slug, size_t len);

/* ------------------------------------------------------------------ gradebook and accounts */

/*
 * The exercises of a course, by slug: [{slug, title, max, published}], max
 * the sum of its questions' points (1 each when not given).  NULL on a
 * database error (tq_store_error says why); the caller owns the array.
 */
json_t *tq_store_course_exercises(struct tq_store *st, int64_t course_id);

/*
 * One cell of a course's gradebook: a person's submissions to one exercise
 * of the course (their count, and the best by score / max, with its own
 * max), or a person enrolled who has none (slug NULL).  The strings live
 * until the callback returns.
 */
struct tq_gradecell {
	const char *user;            /* the account's name */
	const char *ext_id;          /* an auto-grader's student: its id in the course (else NULL) */
	const char *role;            /* student, instructor, admin */
	int external;
	const char *slug;            /* the exercise; NULL: no submission */
	int64_t attempts;
	double best, max;
};
/*
 * The cells of a course's gradebook, ordered by account name then slug:
 * everyone enrolled in the course, and everyone who submitted to one of its
 * exercises (staff trying them, students of an open course).  fn returns
 * nonzero to stop.  0, or TQ_STORE_ERROR.
 */
int tq_store_gradebook(struct tq_store *st, int64_t course_id, int (*fn)(void *arg, const struct tq_gradecell *c),
    void *arg);

/*
 * Sets a password its owner chose, in one transaction: the account's reset
 * code and its sessions end, except the session keep (the SHA-256 of its
 * token; NULL: none is kept), so that the page that changed it stays logged
 * in; its API tokens stay (they are revoked one by one).  *ended (may be
 * NULL) is the number of sessions ended.  0, TQ_STORE_NOTFOUND (no such
 * account), or TQ_STORE_ERROR.
 */
int tq_store_user_change_password(struct tq_store *st, int64_t id, const char *pw_hash, const uint8_t keep[32],
    int64_t *ended);

/* ------------------------------------------------------------------ LTI 1.3 */

/* A platform (LMS) registered by an admin. */
struct tq_lti_platform {
	int64_t id;
	char issuer[256], client_id[256];
	char auth_url[1024], token_url[1024], jwks_url[1024];
	char *deployments;           /* JSON array of the deployment ids accepted (malloc'd) */
	char *jwks;                  /* its key set as last fetched, JSON, or NULL (malloc'd) */
	int64_t jwks_fetched;
};
/* TQ_STORE_EXISTS when the issuer has that client id already. */
int tq_store_lti_platform_add(struct tq_store *st, const struct tq_lti_platform *p, int64_t *id);
/* By issuer and client id; client_id NULL or "": the issuer's only registration. */
int tq_store_lti_platform_find(struct tq_store *st, const char *issuer, const char *client_id, struct tq_lti_platform *out);
int tq_store_lti_platform_get(struct tq_store *st, int64_t id, struct tq_lti_platform *out);
void tq_lti_platform_free(struct tq_lti_platform *p);
json_t *tq_store_lti_platforms(struct tq_store *st);
int tq_store_lti_jwks_set(struct tq_store *st, int64_t id, const char *jwks, int64_t fetched);
/* The tool's keys: fn gets the one that signs first, then retired ones still published. */
int tq_store_lti_key_add(struct tq_store *st, const char *kid, const char *pem);
/* A new key signs from now on; the one that signed is published until retire_at. */
int tq_store_lti_key_rotate(struct tq_store *st, const char *kid, const char *pem, int64_t retire_at);
int tq_store_lti_keys(struct tq_store *st, int64_t now, int (*fn)(void *arg, const char *kid, const char *pem), void *arg);
/* A login initiated: its state (by SHA-256) and nonce, used once.  take: TQ_STORE_NOTFOUND when there is
 * no such state or it expired (it is used up either way). */
int tq_store_lti_state_put(struct tq_store *st, const uint8_t hash[32], const char *nonce, int64_t platform_id,
    int64_t expires);
int tq_store_lti_state_take(struct tq_store *st, const uint8_t hash[32], int64_t now, char *nonce, size_t len,
    int64_t *platform_id);
/* Who a platform's user (sub) is, and which course its context is. */
int tq_store_lti_account(struct tq_store *st, int64_t platform_id, const char *sub, int64_t *user_id);
int tq_store_lti_account_add(struct tq_store *st, int64_t platform_id, const char *sub, int64_t user_id);
int tq_store_lti_context(struct tq_store *st, int64_t platform_id, const char *context_id, int64_t *course_id);
int tq_store_lti_context_add(struct tq_store *st, int64_t platform_id, const char *context_id, int64_t course_id);
/* A resource link as launched by user_id: its exercise (0: none) and grade column (lineitem NULL: none). */
int tq_store_lti_link(struct tq_store *st, int64_t platform_id, const char *link_id, int64_t exercise_id,
    const char *lineitem, int64_t user_id);
/* The line item a link was given or made (TQ_STORE_NOTFOUND: none yet). */
int tq_store_lti_link_lineitem(struct tq_store *st, int64_t platform_id, const char *link_id, char *out, size_t len);
/* A score to send to the platform. */
struct tq_lti_score {
	int64_t id, platform_id, exercise_id, user_id, version, tries, next_try;
	char lineitem[1024], sub[256];
};
/* After a student's submission: their best to be sent to every grade column of the exercise they
 * launched (*queued: how many). */
int tq_store_lti_score_queue(struct tq_store *st, int64_t exercise_id, int64_t user_id, int64_t *queued);
/* The scores whose next try is due, the oldest first, at most max. */
int tq_store_lti_scores_due(struct tq_store *st, int64_t now, int max, int (*fn)(void *arg, const struct tq_lti_score *sc),
    void *arg);
/* Takes a score to send (its next try moved to until): 0, or TQ_STORE_NOTFOUND when another took it. */
int tq_store_lti_score_claim(struct tq_store *st, const struct tq_lti_score *sc, int64_t until);
/* A score sent (retry_at 0: forgotten) or to try again at retry_at, error saying why. */
int tq_store_lti_score_sent(struct tq_store *st, const struct tq_lti_score *sc, int64_t retry_at, const char *error);
/* Where the platform lists a context's members (NRPS), as its last launch said. */
int tq_store_lti_members_url(struct tq_store *st, int64_t platform_id, const char *context_id, const char *url);
/* The LMS courses (contexts) a course is, each with its platform and members' URL: fn until nonzero. */
int tq_store_lti_course_contexts(struct tq_store *st, int64_t course_id,
    int (*fn)(void *arg, int64_t platform_id, const char *context_id, const char *members_url), void *arg);
/* Every score of the course's exercises sent again (*queued: how many), and those not sent yet:
 * [{student, exercise, lineitem, tries, next_try, error}]. */
int tq_store_lti_resend(struct tq_store *st, int64_t course_id, int64_t *queued);
json_t *tq_store_lti_pending(struct tq_store *st, int64_t course_id);
/* A student's best submission to an exercise (by score / max). */
int tq_store_best(struct tq_store *st, int64_t exercise_id, int64_t user_id, double *score, double *max);

#endif
