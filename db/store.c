/*
 * store.c - every SQL statement of tracequiz, on SQLite or PostgreSQL.
 *
 * The statements are written once, in the SQL both databases speak
 * (parameters ?1, ?2..., INSERT ... ON CONFLICT, RETURNING, CAST), and
 * where they part (JSON functions, SQLite's bare columns in an aggregate)
 * PostgreSQL has its own text in pg_sql[].  A connection is a db/conn.h
 * driver's; statements are prepared once per connection, on first use, and
 * always bound.  Each driver applies its own migrations (db/migrations/sqlite/,
 * db/migrations/postgresql/) when the store opens.
 */
#include "config.h"

#include <jansson.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "conn.h"
#include "store.h"

enum stmt {
	S_USER_ADD, S_USER_BY_NAME, S_USER_BY_ID, S_USER_COUNT, S_EXT_FIND, S_EXT_ADD,
	S_TOKEN_ADD, S_TOKEN_USER, S_TOKEN_GRANT, S_TOKEN_GRANTED, S_TOKENS_REVOKE,
	S_SESSION_ADD, S_SESSION_USER, S_SESSION_DEL,
	S_TEACHER_ADD, S_TEACHES,
	S_CAPTURE_FIND, S_CAPTURE_ADD, S_CAPTURE_GET,
	S_EXERCISE_FIND, S_EXERCISE_ADD, S_EXERCISE_UPDATE, S_EXERCISE_GET,
	S_SUBMISSION_ADD, S_SUBMISSIONS_OF, S_SUBMISSIONS_ALL,
	S_REGRADE_LIST, S_REGRADE_SET, S_REGRADE_LOG, S_KEY_ANSWERED,
	S_LOGIN_FAIL, S_LOGIN_COUNT, S_LOGIN_PRUNE,
	S_COURSE_ROW, S_COURSE_NEW, S_COURSES_ALL, S_COURSES_OF, S_ENROL, S_UNENROL, S_STUDENTS, S_TEACHERS, S_CAN_SEE,
	S_CAPTURE_META, S_CAPTURE_OWN, S_CAPTURE_USABLE, S_CAPTURES_ALL, S_CAPTURES_OF,
	S_EXERCISE_DEL, S_EXERCISE_SUBS, S_EXERCISES_FOR, S_EXERCISE_PUBLISH,
	S_TOKENS_OF, S_TOKEN_DEL, S_USERS_ALL, S_USER_SET_PW, S_SESSIONS_OF_DEL, S_TEACHES_STUDENT, S_COURSE_SLUG,
	S_USER_SET_ROLE, S_COURSES_ELSEWHERE, S_RESET_PUT, S_RESET_TAKE, S_RESETS_OF_DEL, S_ATTEMPTS, S_EXERCISE_META,
	S_COUNT
};

/* An account's columns as read_user() reads them. */
#define USER_COLS "u.id, u.name, u.role, coalesce(u.pw_hash, ''), u.external, coalesce(u.origin_course, 0), " \
	"coalesce(u.ext_course, 0)"
#define USER_NCOLS 7

/* A submission's regrades, oldest first, as a JSON array (NULL: none). */
#define REGRADES "(SELECT json_group_array(json_object('by', coalesce(b.name, ''), 'at', g.at, " \
	"'old_score', g.old_score, 'old_max', g.old_max, 'old_version', g.old_version, 'new_score', g.new_score, " \
	"'new_max', g.new_max, 'new_version', g.new_version)) FROM (SELECT * FROM regrades WHERE submission_id = s.id " \
	"ORDER BY id) g LEFT JOIN users b ON b.id = g.by_user HAVING count(*) > 0)"

/* The courses with, for user ?1, whether they teach it or are enrolled in it. */
#define COURSES "SELECT c.slug, c.title, c.open AS open, " \
	"EXISTS (SELECT 1 FROM teachers t WHERE t.course_id = c.id AND t.user_id = ?1) AS teaching, " \
	"EXISTS (SELECT 1 FROM enrolments n WHERE n.course_id = c.id AND n.user_id = ?1) AS enrolled, " \
	"(SELECT count(*) FROM exercises e WHERE e.course_id = c.id) AS exercises FROM courses c"

static const char *const sql[S_COUNT] = {
	[S_USER_ADD] = "INSERT INTO users (name, role, pw_hash, external, created, origin_course) "
	               "VALUES (?1, ?2, ?3, 0, ?5, nullif(?4, 0)) ON CONFLICT DO NOTHING RETURNING id",
	[S_USER_BY_NAME] = "SELECT " USER_COLS " FROM users u WHERE u.name = ?1",
	[S_USER_BY_ID] = "SELECT " USER_COLS " FROM users u WHERE u.id = ?1",
	[S_USER_COUNT] = "SELECT count(*) FROM users",
	/* an external student is found by its course and id, never by name: no local account can be it */
	[S_EXT_FIND] = "SELECT id FROM users WHERE ext_course = ?1 AND ext_id = ?2",
	[S_EXT_ADD] = "INSERT INTO users (name, role, external, created, ext_course, ext_id) "
	              "VALUES (?3 || '/' || ?2, 'student', 1, ?4, ?1, ?2) ON CONFLICT DO NOTHING RETURNING id",
	[S_TOKEN_ADD] = "INSERT INTO tokens (token_hash, user_id, name, created, scope, limited, expires) "
	                "VALUES (?1, ?2, ?3, ?4, ?5, ?6, nullif(?7, 0)) RETURNING id",
	[S_TOKEN_USER] = "SELECT " USER_COLS ", t.id, t.scope, t.limited, coalesce(t.expires, 0) FROM tokens t "
	                 "JOIN users u ON u.id = t.user_id WHERE t.token_hash = ?1 AND (t.expires IS NULL OR t.expires > ?2)",
	[S_TOKEN_GRANT] = "INSERT INTO token_grants (token_id, course_id, exercise_id) VALUES (?1, nullif(?2, 0), nullif(?3, 0))",
	[S_TOKEN_GRANTED] = "SELECT EXISTS (SELECT 1 FROM token_grants WHERE token_id = ?1 AND (course_id = ?2 OR exercise_id = ?3))",
	[S_TOKENS_REVOKE] = "DELETE FROM tokens WHERE user_id = ?1",
	[S_SESSION_ADD] = "INSERT INTO sessions (token_hash, user_id, csrf, expires) VALUES (?1, ?2, ?3, ?4)",
	[S_SESSION_USER] = "SELECT " USER_COLS ", s.csrf FROM sessions s "
	                   "JOIN users u ON u.id = s.user_id WHERE s.token_hash = ?1 AND s.expires > ?2",
	[S_SESSION_DEL] = "DELETE FROM sessions WHERE token_hash = ?1",
	[S_TEACHER_ADD] = "INSERT INTO teachers (course_id, user_id) VALUES (?1, ?2) ON CONFLICT DO NOTHING",
	[S_TEACHES] = "SELECT 1 FROM teachers WHERE course_id = ?1 AND user_id = ?2",
	[S_CAPTURE_FIND] = "SELECT id FROM captures WHERE sha256 = ?1",
	[S_CAPTURE_ADD] = "INSERT INTO captures (sha256, name, size, frames, data, created) VALUES (?1, ?2, ?3, ?4, ?5, ?6) "
	                 "RETURNING id",
	[S_CAPTURE_GET] = "SELECT data, sha256 FROM captures WHERE id = ?1",
	[S_EXERCISE_FIND] = "SELECT id FROM exercises WHERE slug = ?1",
	[S_EXERCISE_ADD] = "INSERT INTO exercises (slug, course_id, doc, capture_id, keys, created, updated, keys_program) "
	                   "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6, ?7) RETURNING id",
	/* ?8: 1 when the keys changed, a new key version */
	[S_EXERCISE_UPDATE] = "UPDATE exercises SET course_id = ?2, doc = ?3, capture_id = ?4, keys = ?5, updated = ?6, "
	                      "keys_program = ?7, key_version = key_version + ?8, revision = revision + 1 WHERE slug = ?1",
	[S_EXERCISE_GET] = "SELECT id, course_id, capture_id, slug, doc, keys, published, updated, key_version, "
	                   "coalesce(keys_program, ''), revision FROM exercises WHERE slug = ?1",
	[S_SUBMISSION_ADD] = "INSERT INTO submissions (exercise_id, user_id, answers, score, max, result, created, key_version) "
	                     "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) RETURNING id",
	[S_SUBMISSIONS_OF] = "SELECT s.id, u.name, s.answers, s.score, s.max, s.result, s.created, s.key_version, " REGRADES
	                     " FROM submissions s JOIN users u ON u.id = s.user_id WHERE s.exercise_id = ?1 AND s.user_id = ?2 "
	                     "ORDER BY s.id",
	[S_SUBMISSIONS_ALL] = "SELECT s.id, u.name, s.answers, s.score, s.max, s.result, s.created, s.key_version, " REGRADES
	                      " FROM submissions s JOIN users u ON u.id = s.user_id WHERE s.exercise_id = ?1 ORDER BY s.id",
	[S_REGRADE_LIST] = "SELECT s.id, s.user_id, u.external, s.answers, s.score, s.max, s.key_version FROM submissions s "
	                   "JOIN users u ON u.id = s.user_id WHERE s.exercise_id = ?1 ORDER BY s.id",
	[S_REGRADE_SET] = "UPDATE submissions SET score = ?2, max = ?3, result = ?4, key_version = ?5 WHERE id = ?1",
	[S_REGRADE_LOG] = "INSERT INTO regrades (submission_id, by_user, at, old_score, old_max, old_version, new_score, new_max, "
	                  "new_version) VALUES (?1, nullif(?2, 0), ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
	/* how many submissions answered question ?2 (answers is JSON the server wrote) */
	[S_KEY_ANSWERED] = "SELECT count(*) FROM submissions s WHERE s.exercise_id = ?1 AND "
	                   "EXISTS (SELECT 1 FROM json_each(s.answers) WHERE key = ?2)",
	[S_LOGIN_FAIL] = "INSERT INTO logins (who, at) VALUES (?1, ?2)",
	[S_LOGIN_COUNT] = "SELECT count(*), coalesce(max(at), 0) FROM logins WHERE who = ?1 AND at > ?2",
	[S_LOGIN_PRUNE] = "DELETE FROM logins WHERE at < ?1",
	[S_COURSE_ROW] = "SELECT id, slug, title, open FROM courses WHERE slug = ?1",
	[S_COURSE_NEW] = "INSERT INTO courses (slug, title, open) VALUES (?1, ?2, ?3) ON CONFLICT DO NOTHING RETURNING id",
	[S_COURSES_ALL] = COURSES " ORDER BY c.slug",
	[S_COURSES_OF] = "SELECT * FROM (" COURSES ") c WHERE open <> 0 OR teaching OR enrolled ORDER BY slug",
	[S_ENROL] = "INSERT INTO enrolments (course_id, user_id) VALUES (?1, ?2) ON CONFLICT DO NOTHING",
	[S_UNENROL] = "DELETE FROM enrolments WHERE course_id = ?1 AND user_id = ?2",
	[S_STUDENTS] = "SELECT u.name, u.external AS external FROM enrolments n JOIN users u ON u.id = n.user_id "
	               "WHERE n.course_id = ?1 ORDER BY u.name",
	[S_TEACHERS] = "SELECT u.name, u.role FROM teachers t JOIN users u ON u.id = t.user_id WHERE t.course_id = ?1 ORDER BY u.name",
	[S_CAN_SEE] = "SELECT c.open <> 0 OR EXISTS (SELECT 1 FROM teachers t WHERE t.course_id = c.id AND t.user_id = ?2) "
	              "OR EXISTS (SELECT 1 FROM enrolments n WHERE n.course_id = c.id AND n.user_id = ?2) FROM courses c WHERE c.id = ?1",
	[S_CAPTURE_META] = "SELECT id, sha256, name, size, frames, created FROM captures WHERE sha256 = ?1",
	[S_CAPTURE_OWN] = "INSERT INTO capture_owners (capture_id, user_id) VALUES (?1, ?2) ON CONFLICT DO NOTHING",
	[S_CAPTURE_USABLE] = "SELECT EXISTS (SELECT 1 FROM capture_owners o WHERE o.capture_id = ?1 AND o.user_id = ?2) "
	                     "OR EXISTS (SELECT 1 FROM exercises e JOIN teachers t ON t.course_id = e.course_id "
	                     "WHERE e.capture_id = ?1 AND t.user_id = ?2)",
	[S_CAPTURES_ALL] = "SELECT sha256, name, size, frames, created FROM captures ORDER BY created DESC, id DESC",
	[S_CAPTURES_OF] = "SELECT c.sha256, c.name, c.size, c.frames, c.created FROM captures c WHERE c.id IN ("
	                  "SELECT capture_id FROM capture_owners WHERE user_id = ?1 UNION "
	                  "SELECT e.capture_id FROM exercises e JOIN teachers t ON t.course_id = e.course_id WHERE t.user_id = ?1) "
	                  "ORDER BY c.created DESC, c.id DESC",
	[S_EXERCISE_DEL] = "DELETE FROM exercises WHERE id = ?1",
	[S_EXERCISE_SUBS] = "SELECT count(*) FROM submissions WHERE exercise_id = ?1",
	[S_EXERCISES_FOR] = "SELECT e.id, e.course_id, e.capture_id, e.slug, e.doc, e.keys, e.published, e.updated, c.slug, "
	                    "EXISTS (SELECT 1 FROM teachers t WHERE t.course_id = c.id AND t.user_id = ?1) AS teaching, "
	                    "(SELECT count(*) FROM submissions s WHERE s.exercise_id = e.id AND s.user_id = ?1), "
	                    "b.score, b.max "
	                    "FROM exercises e JOIN courses c ON c.id = e.course_id "
	                    "LEFT JOIN (SELECT exercise_id, score, max, row_number() OVER (PARTITION BY exercise_id "
	                    "ORDER BY score / max DESC, id) AS k FROM submissions WHERE user_id = ?1) b "
	                    "ON b.exercise_id = e.id AND b.k = 1 "
	                    "WHERE ?2 <> 0 OR "
	                    "EXISTS (SELECT 1 FROM teachers t WHERE t.course_id = c.id AND t.user_id = ?1) OR "
	                    "(e.published <> 0 AND (c.open <> 0 OR EXISTS (SELECT 1 FROM enrolments n WHERE n.course_id = c.id AND n.user_id = ?1))) "
	                    "ORDER BY e.slug",
	[S_EXERCISE_PUBLISH] = "UPDATE exercises SET revision = revision + CASE WHEN published <> ?2 THEN 1 ELSE 0 END, "
	                       "published = ?2 WHERE id = ?1",
	/* a limited token's grants as JSON arrays of slugs (tq_store_tokens parses them) */
	[S_TOKENS_OF] = "SELECT t.id, t.name, t.scope, t.expires, t.created, "
	                "CASE WHEN t.limited <> 0 THEN (SELECT json_group_array(c.slug) FROM token_grants g "
	                "JOIN courses c ON c.id = g.course_id WHERE g.token_id = t.id) END AS courses, "
	                "CASE WHEN t.limited <> 0 THEN (SELECT json_group_array(e.slug) FROM token_grants g "
	                "JOIN exercises e ON e.id = g.exercise_id WHERE g.token_id = t.id) END AS exercises "
	                "FROM tokens t WHERE t.user_id = ?1 ORDER BY t.id",
	[S_TOKEN_DEL] = "DELETE FROM tokens WHERE id = ?1 AND user_id = ?2",
	[S_USERS_ALL] = "SELECT name, role, external AS external, pw_hash IS NOT NULL AS can_log_in, created FROM users ORDER BY name",
	[S_USER_SET_PW] = "UPDATE users SET pw_hash = ?2 WHERE id = ?1",
	[S_SESSIONS_OF_DEL] = "DELETE FROM sessions WHERE user_id = ?1",
	[S_TEACHES_STUDENT] = "SELECT EXISTS (SELECT 1 FROM enrolments n JOIN teachers t ON t.course_id = n.course_id "
	                      "WHERE n.user_id = ?1 AND t.user_id = ?2)",
	[S_COURSE_SLUG] = "SELECT slug FROM courses WHERE id = ?1",
	[S_USER_SET_ROLE] = "UPDATE users SET role = ?2 WHERE id = ?1",
	[S_COURSES_ELSEWHERE] = "SELECT (SELECT count(*) FROM enrolments WHERE user_id = ?1 AND course_id <> ?2) + "
	                        "(SELECT count(*) FROM teachers WHERE user_id = ?1 AND course_id <> ?2)",
	/* one code per account: a new one replaces the old (user_id is UNIQUE) */
	[S_RESET_PUT] = "INSERT INTO resets (code_hash, user_id, made_by, expires) VALUES (?1, ?2, nullif(?3, 0), ?4) "
	                "ON CONFLICT (user_id) DO UPDATE SET code_hash = excluded.code_hash, made_by = excluded.made_by, "
	                "expires = excluded.expires",
	/* a code is used up by the first try, in time or not */
	[S_RESET_TAKE] = "DELETE FROM resets WHERE code_hash = ?1 RETURNING user_id, expires",
	[S_RESETS_OF_DEL] = "DELETE FROM resets WHERE user_id = ?1",
	/* submissions_by_exercise (exercise_id, user_id, created) answers it */
	[S_EXERCISE_META] = "SELECT id, course_id, published, revision FROM exercises WHERE slug = ?1",
	[S_ATTEMPTS] = "SELECT count(*), coalesce(sum(CASE WHEN created > ?3 THEN 1 ELSE 0 END), 0) FROM submissions WHERE exercise_id = ?1 AND user_id = ?2",
};

/* A submission's regrades (PostgreSQL): as REGRADES. */
#define PG_REGRADES "(SELECT json_agg(json_build_object('by', coalesce(b.name, ''), 'at', g.at, " \
	"'old_score', g.old_score, 'old_max', g.old_max, 'old_version', g.old_version, 'new_score', g.new_score, " \
	"'new_max', g.new_max, 'new_version', g.new_version) ORDER BY g.id) FROM regrades g " \
	"LEFT JOIN users b ON b.id = g.by_user WHERE g.submission_id = s.id)"

/* PostgreSQL's text of the statements where its SQL is not SQLite's: JSON functions. */
static const char *const pg_sql[S_COUNT] = {
	[S_SUBMISSIONS_OF] = "SELECT s.id, u.name, s.answers, s.score, s.max, s.result, s.created, s.key_version, " PG_REGRADES
	                     " FROM submissions s JOIN users u ON u.id = s.user_id WHERE s.exercise_id = ?1 AND s.user_id = ?2 "
	                     "ORDER BY s.id",
	[S_SUBMISSIONS_ALL] = "SELECT s.id, u.name, s.answers, s.score, s.max, s.result, s.created, s.key_version, " PG_REGRADES
	                      " FROM submissions s JOIN users u ON u.id = s.user_id WHERE s.exercise_id = ?1 ORDER BY s.id",
	[S_KEY_ANSWERED] = "SELECT count(*) FROM submissions s WHERE s.exercise_id = ?1 AND "
	                   "jsonb_typeof(s.answers::jsonb) = 'object' AND jsonb_exists(s.answers::jsonb, ?2)",
	[S_TOKENS_OF] = "SELECT t.id, t.name, t.scope, t.expires, t.created, "
	                "CASE WHEN t.limited <> 0 THEN (SELECT coalesce(json_agg(c.slug), '[]')::text FROM token_grants g "
	                "JOIN courses c ON c.id = g.course_id WHERE g.token_id = t.id) END AS courses, "
	                "CASE WHEN t.limited <> 0 THEN (SELECT coalesce(json_agg(e.slug), '[]')::text FROM token_grants g "
	                "JOIN exercises e ON e.id = g.exercise_id WHERE g.token_id = t.id) END AS exercises "
	                "FROM tokens t WHERE t.user_id = ?1 ORDER BY t.id",
};

struct tq_store {
	const struct db_driver *d;
	struct db *db;
	const char *const *dialect;  /* the driver's own statements, where they differ; NULL */
	struct dbq *st[S_COUNT];
	int writing;                 /* holds write_lock: in a transaction it began */
	int64_t changes;             /* the rows the last statement run changed */
	char err[512];
};

/*
 * The connections of one process take turns to write here, not in SQLite:
 * a writer that finds the database locked would sleep in SQLite's busy
 * handler (1, 2, 5, 10... ms at a time) and wake late, where one waiting on
 * this mutex wakes as soon as it is free.  The busy timeout remains for
 * other processes (the command line) writing at the same time.  PostgreSQL
 * needs no turns (serial_writes 0): its writers wait on rows and on the lock
 * of tq_store_begin.
 */
static pthread_mutex_t write_lock = PTHREAD_MUTEX_INITIALIZER;

static int end_credentials(struct tq_store *s, int64_t id, int reset);

static int
fail(struct tq_store *s, const char *what)
{
	snprintf(s->err, sizeof(s->err), "%s: %s", what, s->d->error(s->db));
	return TQ_STORE_ERROR;
}

/* The statement k, prepared on first use and reset for a new run. */
static struct dbq *
stmt(struct tq_store *s, enum stmt k)
{
	if (!s->st[k]) {
		const char *text = s->dialect && s->dialect[k] ? s->dialect[k] : sql[k];
		if (!(s->st[k] = s->d->prepare(s->db, text))) {
			fail(s, "prepare");
			return NULL;
		}
	}
	db_reset(s->st[k]);
	return s->st[k];
}

/* Runs q to its end; TQ_STORE_EXISTS when a constraint refused it. */
static int
step_done(struct tq_store *s, struct dbq *q, const char *what)
{
	int rc = db_step(q);
	while (rc == DB_ROW)
		rc = db_step(q);
	s->changes = rc == DB_DONE ? db_changes(q) : 0;
	db_reset(q);
	if (rc == DB_DONE)
		return 0;
	if (rc == DB_CONSTRAINT)
		return TQ_STORE_EXISTS;
	return fail(s, what);
}

/* Takes the process's turn to write, outside a transaction (SQLite); 1 when taken. */
static int
take_turn(struct tq_store *s, struct dbq *q)
{
	if (!s->d->serial_writes || s->writing || s->d->readonly(q))
		return 0;
	pthread_mutex_lock(&write_lock);
	return 1;
}

/* Runs a statement that returns no rows; a write outside a transaction takes its turn. */
static int
run(struct tq_store *s, struct dbq *q, const char *what)
{
	int turn = take_turn(s, q);
	int rc = step_done(s, q, what);
	if (turn)
		pthread_mutex_unlock(&write_lock);
	return rc;
}

/*
 * Runs an INSERT ... RETURNING id: *id is the new row's.  TQ_STORE_EXISTS
 * when it inserted nothing (ON CONFLICT DO NOTHING) or a constraint refused it.
 */
static int
insert(struct tq_store *s, struct dbq *q, int64_t *id, const char *what)
{
	int turn = take_turn(s, q);
	int rc = db_step(q), got = rc == DB_ROW;
	int64_t v = got ? db_int(q, 0) : 0;
	while (rc == DB_ROW)
		rc = db_step(q);
	if (rc == DB_ERROR || rc == DB_CONSTRAINT)
		fail(s, what);
	db_reset(q);
	if (turn)
		pthread_mutex_unlock(&write_lock);
	if (rc == DB_ERROR)
		return TQ_STORE_ERROR;
	if (rc == DB_CONSTRAINT || !got)
		return TQ_STORE_EXISTS;
	if (id)
		*id = v;
	return 0;
}

static int64_t
now(void)
{
	return (int64_t)time(NULL);
}

int
tq_store_version(struct tq_store *s)
{
	return s->d->version(s->db);
}

int
tq_store_open(const char *where, struct tq_store **out, char *err, size_t errlen)
{
	*out = NULL;
	struct tq_store *s = calloc(1, sizeof(*s));
	if (!s) {
		snprintf(err, errlen, "out of memory");
		return TQ_STORE_ERROR;
	}
	s->d = db_driver_for(where);
	if (s->d == &db_postgresql)
		s->dialect = pg_sql;
	if (s->d->open(where, &s->db, err, errlen) != 0) {
		free(s);
		return TQ_STORE_ERROR;
	}
	if (s->d->migrate(s->db) != 0) {
		/* a URI's password, if one was written in it, is not repeated */
		snprintf(err, errlen, "%s: %s", s->d == &db_sqlite ? where : "PostgreSQL", s->d->error(s->db));
		tq_store_close(s);
		return TQ_STORE_ERROR;
	}
	*out = s;
	return 0;
}

int
tq_store_backup(struct tq_store *s, const char *path, char *err, size_t errlen)
{
	return s->d->backup(s->db, path, err, errlen);
}

const char *
tq_store_kind(const struct tq_store *s)
{
	return s->d->name;
}

int
tq_store_is_file(const char *where)
{
	return db_driver_for(where) == &db_sqlite;
}

/* Appends k bytes of p to out (len bytes, *n used), as many as fit. */
static void
put(char *out, size_t len, size_t *n, const char *p, size_t k)
{
	while (k-- && *n + 1 < len)
		out[(*n)++] = *p++;
	out[*n] = '\0';
}

void
tq_store_describe(const char *where, char *out, size_t len)
{
	size_t n = 0;
	if (!len)
		return;
	out[0] = '\0';
	if (tq_store_is_file(where)) {
		put(out, len, &n, where, strlen(where));
		return;
	}
	/* user:PASSWORD@ in the authority: after "//", before the first '/' or '?' */
	const char *auth = strstr(where, "//") + 2, *at = NULL;
	size_t alen = strcspn(auth, "/?");
	for (size_t i = 0; i < alen; i++)
		if (auth[i] == '@')
			at = auth + i;
	const char *colon = at ? memchr(auth, ':', (size_t)(at - auth)) : NULL, *p = where;
	if (colon) {
		put(out, len, &n, where, (size_t)(colon - where));
		put(out, len, &n, ":***", 4);
		p = at;
	}
	/* and password=PASSWORD among the parameters */
	const char *query = strchr(p, '?');
	if (!query) {
		put(out, len, &n, p, strlen(p));
		return;
	}
	put(out, len, &n, p, (size_t)(query - p));
	for (const char *q = query; *q;) {
		size_t k = 1 + strcspn(q + 1, "&");
		if (!strncmp(q + 1, "password=", 9)) {
			put(out, len, &n, q, 10);
			put(out, len, &n, "***", 3);
		} else {
			put(out, len, &n, q, k);
		}
		q += k;
	}
}

void
tq_store_close(struct tq_store *s)
{
	if (!s)
		return;
	if (s->db)
		tq_store_rollback(s);
	for (int k = 0; k < S_COUNT; k++)
		db_finalize(s->st[k]);
	if (s->db)
		s->d->close(s->db);
	free(s);
}

const char *
tq_store_error(const struct tq_store *s)
{
	return s->err;
}

int
tq_store_integrity(struct tq_store *s)
{
	return s->d->integrity(s->db) == 0 ? 0 : fail(s, "integrity check");
}

static void
end_turn(struct tq_store *s)
{
	if (s->writing) {
		s->writing = 0;
		if (s->d->serial_writes)
			pthread_mutex_unlock(&write_lock);
	}
}

static int
begin(struct tq_store *s, const int64_t *key)
{
	if (!s->writing) {
		if (s->d->serial_writes)
			pthread_mutex_lock(&write_lock);
		s->writing = 1;
	}
	if (s->d->begin(s->db, key) == 0)
		return 0;
	end_turn(s);
	return fail(s, "begin");
}

int
tq_store_begin(struct tq_store *s)
{
	return begin(s, NULL);
}

int
tq_store_begin_for(struct tq_store *s, int64_t key)
{
	return begin(s, &key);
}

int
tq_store_commit(struct tq_store *s)
{
	int rc = s->d->commit(s->db) == 0 ? 0 : fail(s, "commit");
	if (!s->d->in_transaction(s->db))
		end_turn(s);             /* committed; a failed commit is rolled back by the caller */
	return rc;
}

void
tq_store_rollback(struct tq_store *s)
{
	s->d->rollback(s->db);
	end_turn(s);
}

int
tq_store_checkpoint(struct tq_store *s, int truncate)
{
	return s->d->checkpoint(s->db, truncate) == 0 ? 0 : fail(s, "checkpoint");
}

void
tq_store_no_autocheckpoint(struct tq_store *s)
{
	s->d->no_autocheckpoint(s->db);
}

/* ------------------------------------------------------------------ users */

static void
copy_text(char *dst, size_t len, const char *src)
{
	snprintf(dst, len, "%s", src ? src : "");
}

static int
read_user(struct tq_store *s, struct dbq *q, struct tq_user *u, const char *what)
{
	int rc = db_step(q);
	if (rc == DB_DONE) {
		db_reset(q);
		return TQ_STORE_NOTFOUND;
	}
	if (rc != DB_ROW) {
		db_reset(q);
		return fail(s, what);
	}
	u->id = db_int(q, 0);
	copy_text(u->name, sizeof(u->name), db_text(q, 1));
	copy_text(u->role, sizeof(u->role), db_text(q, 2));
	copy_text(u->pw_hash, sizeof(u->pw_hash), db_text(q, 3));
	u->external = db_int(q, 4);
	u->origin_course = db_int(q, 5);
	u->ext_course = db_int(q, 6);
	return 0;
}

int
tq_store_user_add(struct tq_store *s, const char *name, const char *role, const char *pw_hash, int64_t origin_course,
    int64_t *id)
{
	struct dbq *q = stmt(s, S_USER_ADD);
	if (!q)
		return TQ_STORE_ERROR;
	db_bind_text(q, 1, name);
	db_bind_text(q, 2, role);
	if (pw_hash)
		db_bind_text(q, 3, pw_hash);
	db_bind_int(q, 4, origin_course);
	db_bind_int(q, 5, now());
	return insert(s, q, id, "add user");
}

int
tq_store_external_user(struct tq_store *s, int64_t course_id, const char *course_slug, const char *ext_id, int64_t *id)
{
	/* found, or made; or made meanwhile by another writer (a node grading the same student): found */
	for (int attempt = 0;; attempt++) {
		struct dbq *q = stmt(s, S_EXT_FIND);
		if (!q)
			return TQ_STORE_ERROR;
		db_bind_int(q, 1, course_id);
		db_bind_text(q, 2, ext_id);
		int rc = db_step(q);
		if (rc == DB_ROW)
			*id = db_int(q, 0);
		db_reset(q);
		if (rc == DB_ROW)
			return 0;
		if (rc != DB_DONE)
			return fail(s, "find external student");
		if (!(q = stmt(s, S_EXT_ADD)))
			return TQ_STORE_ERROR;
		db_bind_int(q, 1, course_id);
		db_bind_text(q, 2, ext_id);
		db_bind_text(q, 3, course_slug);
		db_bind_int(q, 4, now());
		rc = insert(s, q, id, "add external student");
		if (rc != TQ_STORE_EXISTS || attempt)
			return rc;
	}
}

int
tq_store_user_by_name(struct tq_store *s, const char *name, struct tq_user *out)
{
	struct dbq *q = stmt(s, S_USER_BY_NAME);
	if (!q)
		return TQ_STORE_ERROR;
	db_bind_text(q, 1, name);
	int rc = read_user(s, q, out, "find user");
	db_reset(q);
	return rc;
}

int
tq_store_user_by_id(struct tq_store *s, int64_t id, struct tq_user *out)
{
	struct dbq *q = stmt(s, S_USER_BY_ID);
	if (!q)
		return TQ_STORE_ERROR;
	db_bind_int(q, 1, id);
	int rc = read_user(s, q, out, "find user");
	db_reset(q);
	return rc;
}

static int
count(struct tq_store *s, enum stmt k, int64_t *n)
{
	struct dbq *q = stmt(s, k);
	if (!q)
		return TQ_STORE_ERROR;
	int rc = db_step(q);
	*n = rc == DB_ROW ? db_int(q, 0) : 0;
	db_reset(q);
	return rc == DB_ROW ? 0 : fail(s, "count");
}

int
tq_store_user_count(struct tq_store *s, int64_t *n)
{
	return count(s, S_USER_COUNT, n);
}

static const char *const scope_names[] = { [TQ_SCOPE_GRADE] = "grade", [TQ_SCOPE_READ] = "read",
	[TQ_SCOPE_ADMIN] = "admin" };

const char *
tq_scope_name(int scope)
{
	return scope > TQ_SCOPE_NONE && scope <= TQ_SCOPE_ADMIN ? scope_names[scope] : "none";
}

int
tq_scope_parse(const char *name)
{
	for (int k = TQ_SCOPE_GRADE; name && k <= TQ_SCOPE_ADMIN; k++)
		if (!strcmp(name, scope_names[k]))
			return k;
	return TQ_SCOPE_NONE;
}

int
tq_store_token_add(struct tq_store *s, int64_t user_id, const uint8_t hash[32], const char *name, int scope, int limited,
    int64_t expires, int64_t *id)
{
	struct dbq *q = stmt(s, S_TOKEN_ADD);
	if (!q)
		return TQ_STORE_ERROR;
	db_bind_blob(q, 1, hash, 32);
	db_bind_int(q, 2, user_id);
	db_bind_text(q, 3, name);
	db_bind_int(q, 4, now());
	db_bind_text(q, 5, tq_scope_name(scope));
	db_bind_int(q, 6, limited);
	db_bind_int(q, 7, expires);
	return insert(s, q, id, "add token");
}

int
tq_store_token_grant(struct tq_store *s, int64_t token_id, int64_t course_id, int64_t exercise_id)
{
	struct dbq *q = stmt(s, S_TOKEN_GRANT);
	if (!q)
		return TQ_STORE_ERROR;
	db_bind_int(q, 1, token_id);
	db_bind_int(q, 2, course_id);
	db_bind_int(q, 3, exercise_id);
	return run(s, q, "grant token");
}

int
tq_store_token_user(struct tq_store *s, const uint8_t hash[32], int64_t t, struct tq_user *out, struct tq_token *tok)
{
	struct dbq *q = stmt(s, S_TOKEN_USER);
	if (!q)
		return TQ_STORE_ERROR;
	db_bind_blob(q, 1, hash, 32);
	db_bind_int(q, 2, t);
	int rc = read_user(s, q, out, "find token");
	if (rc == 0) {
		tok->id = db_int(q, USER_NCOLS);
		tok->scope = tq_scope_parse(db_text(q, USER_NCOLS + 1));
		tok->limited = db_int(q, USER_NCOLS + 2);
		tok->expires = db_int(q, USER_NCOLS + 3);
	}
	db_reset(q);
	return rc;
}

int
tq_store_token_granted(struct tq_store *s, int64_t token_id, int64_t course_id, int64_t exercise_id)
{
	struct dbq *q = stmt(s, S_TOKEN_GRANTED);
	if (!q)
		return TQ_STORE_ERROR;
	db_bind_int(q, 1, token_id);
	db_bind_int(q, 2, course_id);
	db_bind_int(q, 3, exercise_id);
	int rc = db_step(q);
	int v = rc == DB_ROW && db_int(q, 0);
	db_reset(q);
	return rc == DB_ROW ? v : fail(s, "token granted");
}

int
tq_store_session_add(struct tq_store *s, const uint8_t hash[32], int64_t user_id, const char *csrf, int64_t expires)
{
	struct dbq *q = stmt(s, S_SESSION_ADD);
	if (!q)
		return TQ_STORE_ERROR;
	db_bind_blob(q, 1, hash, 32);
	db_bind_int(q, 2, user_id);
	db_bind_text(q, 3, csrf);
	db_bind_int(q, 4, expires);
	return run(s, q, "add session");
}

int
tq_store_session_user(struct tq_store *s, const uint8_t hash[32], int64_t t, struct tq_user *out, char *csrf, size_t csrflen)
{
	struct dbq *q = stmt(s, S_SESSION_USER);
	if (!q)
		return TQ_STORE_ERROR;
	db_bind_blob(q, 1, hash, 32);
	db_bind_int(q, 2, t);
	int rc = read_user(s, q, out, "find session");
	if (rc == 0)
		copy_text(csrf, csrflen, db_text(q, USER_NCOLS));
	db_reset(q);
	return rc;
}

int
tq_store_session_delete(struct tq_store *s, const uint8_t hash[32])
{
	struct dbq *q = stmt(s, S_SESSION_DEL);
	if (!q)
		return TQ_STORE_ERROR;
	db_bind_blob(q, 1, hash, 32);
	return run(s, q, "delete session");
}

/* ------------------------------------------------------------------ courses */

static int
find_id(struct tq_store *s, enum stmt k, const char *key, int64_t *id)
{
	struct dbq *q = stmt(s, k);
	if (!q)
		return TQ_STORE_ERROR;
	db_bind_text(q, 1, key);
	int rc = db_step(q);
	if (rc == DB_ROW)
		*id = db_int(q, 0);
	db_reset(q);
	return rc == DB_ROW ? 0 : rc == DB_DONE ? TQ_STORE_NOTFOUND : fail(s, "find");
}

int
tq_store_teacher_add(struct tq_store *s, int64_t course_id, int64_t user_id)
{
	struct dbq *q = stmt(s, S_TEACHER_ADD);
	if (!q)
		return TQ_STORE_ERROR;
	db_bind_int(q, 1, course_id);
	db_bind_int(q, 2, user_id);
	return run(s, q, "add teacher");
}

int
tq_store_teaches(struct tq_store *s, int64_t course_id, int64_t user_id)
{
	struct dbq *q = stmt(s, S_TEACHES);
	if (!q)
		return TQ_STORE_ERROR;
	db_bind_int(q, 1, course_id);
	db_bind_int(q, 2, user_id);
	int rc = db_step(q);
	db_reset(q);
	return rc == DB_ROW ? 1 : rc == DB_DONE ? 0 : fail(s, "teaches");
}

/* ------------------------------------------------------------------ captures */

int
tq_store_capture_put(struct tq_store *s, const char *sha256hex, const char *name, const void *data, size_t size,
    uint32_t frames, int64_t *id)
{
	int rc = find_id(s, S_CAPTURE_FIND, sha256hex, id);
	if (rc != TQ_STORE_NOTFOUND)
		return rc;
	struct dbq *q = stmt(s, S_CAPTURE_ADD);
	if (!q)
		return TQ_STORE_ERROR;
	db_bind_text(q, 1, sha256hex);
	db_bind_text(q, 2, name);
	db_bind_int(q, 3, (int64_t)size);
	db_bind_int(q, 4, frames);
	db_bind_blob(q, 5, data, size);
	db_bind_int(q, 6, now());
	return insert(s, q, id, "add capture");
}

int
tq_store_capture_get(struct tq_store *s, int64_t id, void **data, size_t *size, char *sha256hex)
{
	struct dbq *q = stmt(s, S_CAPTURE_GET);
	if (!q)
		return TQ_STORE_ERROR;
	db_bind_int(q, 1, id);
	int rc = db_step(q);
	if (rc != DB_ROW) {
		db_reset(q);
		return rc == DB_DONE ? TQ_STORE_NOTFOUND : fail(s, "get capture");
	}
	size_t n;
	const void *blob = db_blob(q, 0, &n);
	*data = malloc(n ? n : 1);
	if (*data && n)
		memcpy(*data, blob, n);
	*size = n;
	if (sha256hex)
		copy_text(sha256hex, 65, db_text(q, 1));
	db_reset(q);
	if (!*data) {
		snprintf(s->err, sizeof(s->err), "out of memory");
		return TQ_STORE_ERROR;
	}
	return 0;
}

/* ------------------------------------------------------------------ exercises */

int
tq_store_exercise_put(struct tq_store *s, const char *slug, int64_t course_id, const char *doc, int64_t capture_id,
    const char *keys, const char *program, int new_keys, int published, int64_t *id)
{
	int64_t found;
	int rc = find_id(s, S_EXERCISE_FIND, slug, &found);
	if (rc != 0 && rc != TQ_STORE_NOTFOUND)
		return rc;
	struct dbq *q = stmt(s, rc == 0 ? S_EXERCISE_UPDATE : S_EXERCISE_ADD);
	if (!q)
		return TQ_STORE_ERROR;
	db_bind_text(q, 1, slug);
	db_bind_int(q, 2, course_id);
	db_bind_text(q, 3, doc);
	db_bind_int(q, 4, capture_id);
	db_bind_text(q, 5, keys);
	db_bind_int(q, 6, now());
	db_bind_text(q, 7, program);
	if (rc == 0)
		db_bind_int(q, 8, new_keys != 0);
	rc = rc == 0 ? run(s, q, "save exercise") : insert(s, q, &found, "save exercise");
	if (rc == 0 && id)
		*id = found;
	if (rc == 0 && published >= 0 && (q = stmt(s, S_EXERCISE_PUBLISH))) {
		db_bind_int(q, 1, found);
		db_bind_int(q, 2, published);
		rc = run(s, q, "publish exercise");
	}
	return rc;
}

static int
read_exercise(struct dbq *q, struct tq_exrow *r)
{
	memset(r, 0, sizeof(*r));
	r->id = db_int(q, 0);
	r->course_id = db_int(q, 1);
	r->capture_id = db_int(q, 2);
	copy_text(r->slug, sizeof(r->slug), db_text(q, 3));
	r->doc = strdup(db_text(q, 4) ? db_text(q, 4) : "{}");
	r->keys = strdup(db_text(q, 5) ? db_text(q, 5) : "{}");
	r->published = db_int(q, 6);
	r->updated = db_int(q, 7);
	if (!r->doc || !r->keys) {
		tq_exrow_free(r);
		return -1;
	}
	return 0;
}

int
tq_store_exercise_get(struct tq_store *s, const char *slug, struct tq_exrow *out)
{
	struct dbq *q = stmt(s, S_EXERCISE_GET);
	if (!q)
		return TQ_STORE_ERROR;
	db_bind_text(q, 1, slug);
	int rc = db_step(q);
	if (rc != DB_ROW) {
		db_reset(q);
		return rc == DB_DONE ? TQ_STORE_NOTFOUND : fail(s, "get exercise");
	}
	rc = read_exercise(q, out);
	if (rc == 0) {
		out->key_version = db_int(q, 8);
		copy_text(out->keys_program, sizeof(out->keys_program), db_text(q, 9));
		out->revision = db_int(q, 10);
	}
	db_reset(q);
	if (rc) {
		snprintf(s->err, sizeof(s->err), "out of memory");
		return TQ_STORE_ERROR;
	}
	return 0;
}

int
tq_store_exercise_meta(struct tq_store *s, const char *slug, struct tq_exmeta *m)
{
	struct dbq *q = stmt(s, S_EXERCISE_META);
	if (!q)
		return TQ_STORE_ERROR;
	db_bind_text(q, 1, slug);
	int rc = db_step(q);
	if (rc == DB_ROW) {
		m->id = db_int(q, 0);
		m->course_id = db_int(q, 1);
		m->published = (int)db_int(q, 2);
		m->revision = db_int(q, 3);
	}
	db_reset(q);
	return rc == DB_ROW ? 0 : rc == DB_DONE ? TQ_STORE_NOTFOUND : fail(s, "find exercise");
}

void
tq_exrow_free(struct tq_exrow *r)
{
	free(r->doc);
	free(r->keys);
	r->doc = r->keys = NULL;
}

/* ------------------------------------------------------------------ submissions */

int
tq_store_submission_add(struct tq_store *s, int64_t exercise_id, int64_t user_id, const char *answers, double score,
    double max, const char *result, int64_t key_version, int64_t *id)
{
	struct dbq *q = stmt(s, S_SUBMISSION_ADD);
	if (!q)
		return TQ_STORE_ERROR;
	db_bind_int(q, 1, exercise_id);
	db_bind_int(q, 2, user_id);
	db_bind_text(q, 3, answers);
	db_bind_double(q, 4, score);
	db_bind_double(q, 5, max);
	db_bind_text(q, 6, result);
	db_bind_int(q, 7, now());
	db_bind_int(q, 8, key_version);
	return insert(s, q, id, "add submission");
}

int
tq_store_submissions(struct tq_store *s, int64_t exercise_id, int64_t user_id,
    int (*fn)(void *arg, const struct tq_subrow *row), void *arg)
{
	struct dbq *q = stmt(s, user_id >= 0 ? S_SUBMISSIONS_OF : S_SUBMISSIONS_ALL);
	if (!q)
		return TQ_STORE_ERROR;
	db_bind_int(q, 1, exercise_id);
	if (user_id >= 0)
		db_bind_int(q, 2, user_id);
	int rc;
	while ((rc = db_step(q)) == DB_ROW) {
		struct tq_subrow row = {
			.id = db_int(q, 0),
			.student = db_text(q, 1),
			.answers = db_text(q, 2),
			.score = db_double(q, 3),
			.max = db_double(q, 4),
			.result = db_text(q, 5),
			.created = db_int(q, 6),
			.key_version = db_int(q, 7),
			.regrades = db_text(q, 8),
		};
		if (fn(arg, &row))
			break;
	}
	db_reset(q);
	return rc == DB_ROW || rc == DB_DONE ? 0 : fail(s, "list submissions");
}

int
tq_store_regrade_list(struct tq_store *s, int64_t exercise_id, int (*fn)(void *arg, const struct tq_regrade_row *row),
    void *arg)
{
	struct dbq *q = stmt(s, S_REGRADE_LIST);
	if (!q)
		return TQ_STORE_ERROR;
	db_bind_int(q, 1, exercise_id);
	int rc;
	while ((rc = db_step(q)) == DB_ROW) {
		struct tq_regrade_row row = {
			.id = db_int(q, 0),
			.user_id = db_int(q, 1),
			.external = db_int(q, 2),
			.answers = db_text(q, 3),
			.score = db_double(q, 4),
			.max = db_double(q, 5),
			.key_version = db_int(q, 6),
		};
		if (fn(arg, &row))
			break;
	}
	db_reset(q);
	return rc == DB_ROW || rc == DB_DONE ? 0 : fail(s, "list submissions to regrade");
}

int
tq_store_regrade_set(struct tq_store *s, const struct tq_regrade_row *old, double score, double max, const char *result,
    int64_t key_version, int64_t by_user)
{
	struct dbq *q = stmt(s, S_REGRADE_SET);
	if (!q)
		return TQ_STORE_ERROR;
	db_bind_int(q, 1, old->id);
	db_bind_double(q, 2, score);
	db_bind_double(q, 3, max);
	db_bind_text(q, 4, result);
	db_bind_int(q, 5, key_version);
	int rc = run(s, q, "regrade submission");
	if (rc || !(q = stmt(s, S_REGRADE_LOG)))
		return rc ? rc : TQ_STORE_ERROR;
	db_bind_int(q, 1, old->id);
	db_bind_int(q, 2, by_user);
	db_bind_int(q, 3, now());
	db_bind_double(q, 4, old->score);
	db_bind_double(q, 5, old->max);
	db_bind_int(q, 6, old->key_version);
	db_bind_double(q, 7, score);
	db_bind_double(q, 8, max);
	db_bind_int(q, 9, key_version);
	return run(s, q, "record regrade");
}

int
tq_store_key_answered(struct tq_store *s, int64_t exercise_id, const char *question, int64_t *n)
{
	struct dbq *q = stmt(s, S_KEY_ANSWERED);
	if (!q)
		return TQ_STORE_ERROR;
	db_bind_int(q, 1, exercise_id);
	db_bind_text(q, 2, question);
	int rc = db_step(q);
	*n = rc == DB_ROW ? db_int(q, 0) : 0;
	db_reset(q);
	return rc == DB_ROW ? 0 : fail(s, "count answers");
}

int
tq_store_login_failed(struct tq_store *s, const char *who)
{
	struct dbq *q = stmt(s, S_LOGIN_FAIL);
	if (!q)
		return TQ_STORE_ERROR;
	db_bind_text(q, 1, who);
	db_bind_int(q, 2, now());
	int rc = run(s, q, "log a failed login");
	if (rc == 0 && (q = stmt(s, S_LOGIN_PRUNE))) {
		db_bind_int(q, 1, now() - 86400);
		run(s, q, "prune failed logins");
	}
	return rc;
}

int
tq_store_login_failures(struct tq_store *s, const char *who, int64_t since, int64_t *n, int64_t *last)
{
	struct dbq *q = stmt(s, S_LOGIN_COUNT);
	if (!q)
		return TQ_STORE_ERROR;
	db_bind_text(q, 1, who);
	db_bind_int(q, 2, since);
	int rc = db_step(q);
	*n = rc == DB_ROW ? db_int(q, 0) : 0;
	*last = rc == DB_ROW ? db_int(q, 1) : 0;
	db_reset(q);
	return rc == DB_ROW ? 0 : fail(s, "count failed logins");
}

int
tq_store_attempts(struct tq_store *s, int64_t exercise_id, int64_t user_id, int64_t since, int64_t *total, int64_t *recent)
{
	struct dbq *q = stmt(s, S_ATTEMPTS);
	if (!q)
		return TQ_STORE_ERROR;
	db_bind_int(q, 1, exercise_id);
	db_bind_int(q, 2, user_id);
	db_bind_int(q, 3, since);
	int rc = db_step(q);
	*total = rc == DB_ROW ? db_int(q, 0) : 0;
	*recent = rc == DB_ROW ? db_int(q, 1) : 0;
	db_reset(q);
	return rc == DB_ROW ? 0 : fail(s, "count attempts");
}

/* ------------------------------------------------------------------ lists, courses, captures, tokens */

/*
 * A statement's rows as a JSON array of objects keyed by column name: text
 * as strings, integers as integers (a column named as a flag, "open" and the
 * like, as a boolean), NULL as null.  At most max rows.
 */
static json_t *
rows_json(struct tq_store *s, struct dbq *q, size_t max, const char *what)
{
	static const char *const flags[] = { "open", "teaching", "enrolled", "external", "can_log_in", "published", NULL };
	json_t *out = json_array();
	int rc;
	while (out && (rc = db_step(q)) == DB_ROW && json_array_size(out) < max) {
		json_t *o = json_object();
		for (int i = 0; o && i < db_columns(q); i++) {
			const char *name = db_name(q, i);
			json_t *v;
			switch (db_type(q, i)) {
			case DB_INT: {
				int flag = 0;
				for (int k = 0; flags[k]; k++)
					flag |= !strcmp(name, flags[k]);
				v = flag ? json_boolean(db_int(q, i)) : json_integer(db_int(q, i));
				break;
			}
			case DB_FLOAT:
				v = json_real(db_double(q, i));
				break;
			case DB_NULL:
				v = json_null();
				break;
			default:
				v = json_string(db_text(q, i));
				break;
			}
			json_object_set_new(o, name, v ? v : json_null());
		}
		json_array_append_new(out, o);
	}
	if (out && rc != DB_ROW && rc != DB_DONE) {
		fail(s, what);
		json_decref(out);
		out = NULL;
	}
	db_reset(q);
	return out;
}

/* Runs k with one or two integer parameters (b < 0: one) and returns 1 or 0, the first column of its row. */
static int
yes_no(struct tq_store *s, enum stmt k, int64_t a, int64_t b, const char *what)
{
	struct dbq *q = stmt(s, k);
	if (!q)
		return TQ_STORE_ERROR;
	db_bind_int(q, 1, a);
	if (b >= 0)
		db_bind_int(q, 2, b);
	int rc = db_step(q);
	int v = rc == DB_ROW ? db_int(q, 0) != 0 : 0;
	db_reset(q);
	return rc == DB_ROW || rc == DB_DONE ? v : fail(s, what);
}

/* Runs k with an integer and a text parameter; NOTFOUND when it changed no row. */
static int
change2t(struct tq_store *s, enum stmt k, int64_t a, const char *b, const char *what)
{
	struct dbq *q = stmt(s, k);
	if (!q)
		return TQ_STORE_ERROR;
	db_bind_int(q, 1, a);
	db_bind_text(q, 2, b);
	int rc = run(s, q, what);
	return rc == 0 && s->changes == 0 ? TQ_STORE_NOTFOUND : rc;
}

/* Runs k with two integer parameters; NOTFOUND when it changed no row. */
static int
change2(struct tq_store *s, enum stmt k, int64_t a, int64_t b, const char *what)
{
	struct dbq *q = stmt(s, k);
	if (!q)
		return TQ_STORE_ERROR;
	db_bind_int(q, 1, a);
	if (b >= 0)
		db_bind_int(q, 2, b);
	int rc = run(s, q, what);
	return rc == 0 && s->changes == 0 ? TQ_STORE_NOTFOUND : rc;
}

int
tq_store_course_get(struct tq_store *s, const char *slug, struct tq_course *out)
{
	struct dbq *q = stmt(s, S_COURSE_ROW);
	if (!q)
		return TQ_STORE_ERROR;
	db_bind_text(q, 1, slug);
	int rc = db_step(q);
	if (rc == DB_ROW) {
		out->id = db_int(q, 0);
		copy_text(out->slug, sizeof(out->slug), db_text(q, 1));
		copy_text(out->title, sizeof(out->title), db_text(q, 2));
		out->open = db_int(q, 3);
	}
	db_reset(q);
	return rc == DB_ROW ? 0 : rc == DB_DONE ? TQ_STORE_NOTFOUND : fail(s, "get course");
}

int
tq_store_course_add(struct tq_store *s, const char *slug, const char *title, int open, int64_t *id)
{
	struct dbq *q = stmt(s, S_COURSE_NEW);
	if (!q)
		return TQ_STORE_ERROR;
	db_bind_text(q, 1, slug);
	db_bind_text(q, 2, title);
	db_bind_int(q, 3, open);
	return insert(s, q, id, "add course");
}

json_t *
tq_store_courses(struct tq_store *s, int64_t user_id, int all)
{
	struct dbq *q = stmt(s, all ? S_COURSES_ALL : S_COURSES_OF);
	if (!q)
		return NULL;
	db_bind_int(q, 1, user_id);
	return rows_json(s, q, 100000, "list courses");
}

int
tq_store_enrol(struct tq_store *s, int64_t course_id, int64_t user_id)
{
	int rc = change2(s, S_ENROL, course_id, user_id, "enrol");
	return rc == TQ_STORE_NOTFOUND ? 0 : rc;      /* enrolled already */
}

int
tq_store_unenrol(struct tq_store *s, int64_t course_id, int64_t user_id)
{
	return change2(s, S_UNENROL, course_id, user_id, "unenrol");
}

json_t *
tq_store_course_people(struct tq_store *s, int64_t course_id, int teachers)
{
	struct dbq *q = stmt(s, teachers ? S_TEACHERS : S_STUDENTS);
	if (!q)
		return NULL;
	db_bind_int(q, 1, course_id);
	return rows_json(s, q, 1000000, "list people");
}

int
tq_store_can_see(struct tq_store *s, int64_t course_id, int64_t user_id)
{
	return yes_no(s, S_CAN_SEE, course_id, user_id, "can see");
}

int
tq_store_capture_meta(struct tq_store *s, const char *sha256hex, struct tq_capmeta *out)
{
	struct dbq *q = stmt(s, S_CAPTURE_META);
	if (!q)
		return TQ_STORE_ERROR;
	db_bind_text(q, 1, sha256hex);
	int rc = db_step(q);
	if (rc == DB_ROW) {
		out->id = db_int(q, 0);
		copy_text(out->sha256, sizeof(out->sha256), db_text(q, 1));
		copy_text(out->name, sizeof(out->name), db_text(q, 2));
		out->size = db_int(q, 3);
		out->frames = db_int(q, 4);
		out->created = db_int(q, 5);
	}
	db_reset(q);
	return rc == DB_ROW ? 0 : rc == DB_DONE ? TQ_STORE_NOTFOUND : fail(s, "get capture");
}

int
tq_store_capture_own(struct tq_store *s, int64_t capture_id, int64_t user_id)
{
	int rc = change2(s, S_CAPTURE_OWN, capture_id, user_id, "own capture");
	return rc == TQ_STORE_NOTFOUND ? 0 : rc;
}

int
tq_store_capture_usable(struct tq_store *s, int64_t capture_id, int64_t user_id)
{
	return yes_no(s, S_CAPTURE_USABLE, capture_id, user_id, "capture usable");
}

json_t *
tq_store_captures(struct tq_store *s, int64_t user_id, int all)
{
	struct dbq *q = stmt(s, all ? S_CAPTURES_ALL : S_CAPTURES_OF);
	if (!q)
		return NULL;
	if (!all)
		db_bind_int(q, 1, user_id);
	return rows_json(s, q, 10000, "list captures");
}

int
tq_store_exercise_delete(struct tq_store *s, int64_t id)
{
	return change2(s, S_EXERCISE_DEL, id, -1, "delete exercise");
}

int
tq_store_exercise_submissions(struct tq_store *s, int64_t id, int64_t *n)
{
	struct dbq *q = stmt(s, S_EXERCISE_SUBS);
	if (!q)
		return TQ_STORE_ERROR;
	db_bind_int(q, 1, id);
	int rc = db_step(q);
	*n = rc == DB_ROW ? db_int(q, 0) : 0;
	db_reset(q);
	return rc == DB_ROW ? 0 : fail(s, "count submissions");
}

int
tq_store_exercises_for(struct tq_store *s, int64_t user_id, int all, int (*fn)(void *arg, const struct tq_exrow *row),
    void *arg)
{
	struct dbq *q = stmt(s, S_EXERCISES_FOR);
	if (!q)
		return TQ_STORE_ERROR;
	db_bind_int(q, 1, user_id);
	db_bind_int(q, 2, all);
	int rc;
	while ((rc = db_step(q)) == DB_ROW) {
		struct tq_exrow r;
		if (read_exercise(q, &r)) {
			db_reset(q);
			snprintf(s->err, sizeof(s->err), "out of memory");
			return TQ_STORE_ERROR;
		}
		copy_text(r.course, sizeof(r.course), db_text(q, 8));
		r.teaching = db_int(q, 9);
		r.attempts = db_int(q, 10);
		r.best_score = db_double(q, 11);
		r.best_max = db_double(q, 12);
		int stop = fn(arg, &r);
		tq_exrow_free(&r);
		if (stop)
			break;
	}
	db_reset(q);
	return rc == DB_ROW || rc == DB_DONE ? 0 : fail(s, "list exercises");
}

json_t *
tq_store_tokens(struct tq_store *s, int64_t user_id)
{
	struct dbq *q = stmt(s, S_TOKENS_OF);
	if (!q)
		return NULL;
	db_bind_int(q, 1, user_id);
	json_t *l = rows_json(s, q, 10000, "list tokens");
	size_t i;
	json_t *t;
	json_array_foreach(l, i, t) {
		/* the grants came as JSON text */
		static const char *const keys[] = { "courses", "exercises" };
		for (int k = 0; k < 2; k++) {
			const char *text = json_string_value(json_object_get(t, keys[k]));
			json_t *v = text ? json_loads(text, 0, NULL) : NULL;
			if (v)
				json_object_set_new(t, keys[k], v);
			else
				json_object_del(t, keys[k]);
		}
	}
	return l;
}

int
tq_store_token_delete(struct tq_store *s, int64_t id, int64_t user_id)
{
	return change2(s, S_TOKEN_DEL, id, user_id, "delete token");
}

json_t *
tq_store_users(struct tq_store *s)
{
	struct dbq *q = stmt(s, S_USERS_ALL);
	return q ? rows_json(s, q, 1000000, "list users") : NULL;
}

int
tq_store_user_set_password(struct tq_store *s, int64_t id, const char *pw_hash)
{
	struct dbq *q = stmt(s, S_USER_SET_PW);
	if (!q)
		return TQ_STORE_ERROR;
	db_bind_int(q, 1, id);
	db_bind_text(q, 2, pw_hash);
	int rc = run(s, q, "set password");
	/* a new password ends what the old one opened: sessions, tokens, a reset code */
	if (rc == 0)
		rc = end_credentials(s, id, 1);
	return rc;
}

int
tq_store_user_set_role(struct tq_store *s, int64_t id, const char *role)
{
	int rc = change2t(s, S_USER_SET_ROLE, id, role, "set role");
	if (rc == 0)
		rc = end_credentials(s, id, 0);
	return rc;
}

int
tq_store_courses_elsewhere(struct tq_store *s, int64_t user_id, int64_t course_id, int64_t *n)
{
	struct dbq *q = stmt(s, S_COURSES_ELSEWHERE);
	if (!q)
		return TQ_STORE_ERROR;
	db_bind_int(q, 1, user_id);
	db_bind_int(q, 2, course_id);
	int rc = db_step(q);
	*n = rc == DB_ROW ? db_int(q, 0) : 0;
	db_reset(q);
	return rc == DB_ROW ? 0 : fail(s, "count courses");
}

int
tq_store_reset_put(struct tq_store *s, int64_t user_id, const uint8_t hash[32], int64_t made_by, int64_t expires)
{
	struct dbq *q = stmt(s, S_RESET_PUT);
	if (!q)
		return TQ_STORE_ERROR;
	db_bind_blob(q, 1, hash, 32);
	db_bind_int(q, 2, user_id);
	db_bind_int(q, 3, made_by);
	db_bind_int(q, 4, expires);
	return run(s, q, "store reset code");
}

int
tq_store_reset_take(struct tq_store *s, const uint8_t hash[32], int64_t t, int64_t *user_id)
{
	struct dbq *q = stmt(s, S_RESET_TAKE);
	if (!q)
		return TQ_STORE_ERROR;
	db_bind_blob(q, 1, hash, 32);
	int turn = !s->writing;
	if (turn)
		pthread_mutex_lock(&write_lock);
	/* the row is deleted by the first step (RETURNING) */
	int rc = db_step(q);
	int64_t uid = rc == DB_ROW ? db_int(q, 0) : 0, expires = rc == DB_ROW ? db_int(q, 1) : 0;
	db_reset(q);
	if (turn)
		pthread_mutex_unlock(&write_lock);
	if (rc != DB_ROW && rc != DB_DONE)
		return fail(s, "use reset code");
	if (rc == DB_DONE || expires <= t)
		return TQ_STORE_NOTFOUND;
	*user_id = uid;
	return 0;
}

/* Ends an account's sessions and tokens (and its reset code, when reset). */
static int
end_credentials(struct tq_store *s, int64_t id, int reset)
{
	static const enum stmt ends[] = { S_SESSIONS_OF_DEL, S_TOKENS_REVOKE, S_RESETS_OF_DEL };
	for (size_t k = 0; k < (reset ? 3u : 2u); k++) {
		int rc = change2(s, ends[k], id, -1, "end sessions and tokens");
		if (rc && rc != TQ_STORE_NOTFOUND)
			return rc;
	}
	return 0;
}

int
tq_store_teaches_student(struct tq_store *s, int64_t student_id, int64_t teacher_id)
{
	return yes_no(s, S_TEACHES_STUDENT, student_id, teacher_id, "teaches student");
}

int
tq_store_course_slug(struct tq_store *s, int64_t id, char *slug, size_t len)
{
	struct dbq *q = stmt(s, S_COURSE_SLUG);
	if (!q)
		return TQ_STORE_ERROR;
	db_bind_int(q, 1, id);
	int rc = db_step(q);
	if (rc == DB_ROW)
		copy_text(slug, len, db_text(q, 0));
	db_reset(q);
	return rc == DB_ROW ? 0 : rc == DB_DONE ? TQ_STORE_NOTFOUND : fail(s, "course slug");
}

/* ------------------------------------------------------------------ gradebook and accounts */

/*
 * The statements of this section are prepared on each call and finalized
 * after it, not kept in the table at the top: they run a few times a day (a
 * gradebook opened, a password changed), where preparing costs microseconds.
 */
static struct dbq *
prepare_once(struct tq_store *s, const char *q, const char *what)
{
	struct dbq *st = s->d->prepare(s->db, q);
	if (!st)
		fail(s, what);
	return st;
}

/* The text of a statement of this section: SQLite's, or PostgreSQL's when it has its own. */
static const char *
dialect(struct tq_store *s, const char *lite, const char *pg)
{
	return s->dialect && pg ? pg : lite;
}

/* An exercise's max is read from its document: the sum of its questions' points, 1 when not given
 * (as the grader counts them), so that an exercise nobody has tried yet has one too. */
static const char sql_course_exercises[] =
	"SELECT e.slug AS slug, coalesce(json_extract(e.doc, '$.title'), e.slug) AS title, "
	"(SELECT coalesce(sum(coalesce(json_extract(q.value, '$.points'), 1)), 0) "
	"FROM json_each(e.doc, '$.questions') q) AS max, e.published AS published "
	"FROM exercises e WHERE e.course_id = ?1 ORDER BY e.slug";
static const char pg_course_exercises[] =
	"SELECT e.slug AS slug, coalesce(e.doc::jsonb ->> 'title', e.slug) AS title, "
	"(SELECT coalesce(sum(CASE WHEN jsonb_typeof(q -> 'points') = 'number' THEN (q ->> 'points')::float8 "
	"WHEN q ? 'points' THEN 0 ELSE 1 END), 0) "
	"FROM jsonb_array_elements(CASE WHEN jsonb_typeof(e.doc::jsonb -> 'questions') = 'array' "
	"THEN e.doc::jsonb -> 'questions' ELSE '[]' END) q) AS max, e.published AS published "
	"FROM exercises e WHERE e.course_id = ?1 ORDER BY e.slug";

json_t *
tq_store_course_exercises(struct tq_store *s, int64_t course_id)
{
	struct dbq *q = prepare_once(s, dialect(s, sql_course_exercises, pg_course_exercises),
	    "list the course's exercises");
	if (!q)
		return NULL;
	db_bind_int(q, 1, course_id);
	json_t *l = rows_json(s, q, 100000, "list the course's exercises");
	db_finalize(q);
	return l;
}

/*
 * One GROUP BY over the submissions to the course's exercises gives each
 * person's attempts and best at each: SQLite takes the bare columns score and
 * max from the row where max(score / max) is reached (its documented rule for
 * a single min() or max()), so the best keeps its own max even when the
 * exercise's changed since.  The people are those enrolled and those who
 * submitted (submissions_by_exercise answers the grouping).
 */
static const char sql_gradebook[] =
	"WITH ex AS (SELECT id, slug FROM exercises WHERE course_id = ?1), "
	"cells AS (SELECT s.user_id AS user_id, s.exercise_id AS exercise_id, count(*) AS attempts, "
	"max(CASE WHEN s.max > 0 THEN s.score / s.max ELSE 0 END) AS ratio, s.score AS best, s.max AS max "
	"FROM submissions s JOIN ex ON ex.id = s.exercise_id GROUP BY s.user_id, s.exercise_id), "
	"people AS (SELECT user_id FROM enrolments WHERE course_id = ?1 UNION SELECT user_id FROM cells) "
	"SELECT u.name, u.ext_id, u.role, u.external, ex.slug, c.attempts, c.best, c.max "
	"FROM people p JOIN users u ON u.id = p.user_id "
	"LEFT JOIN cells c ON c.user_id = p.user_id LEFT JOIN ex ON ex.id = c.exercise_id "
	"ORDER BY u.name, ex.slug";
/* PostgreSQL has no bare columns: the best row of each cell is DISTINCT ON's first (the earliest of equals). */
static const char pg_gradebook[] =
	"WITH ex AS (SELECT id, slug FROM exercises WHERE course_id = ?1), "
	"cells AS (SELECT DISTINCT ON (s.user_id, s.exercise_id) s.user_id AS user_id, s.exercise_id AS exercise_id, "
	"count(*) OVER (PARTITION BY s.user_id, s.exercise_id) AS attempts, s.score AS best, s.max AS max "
	"FROM submissions s JOIN ex ON ex.id = s.exercise_id "
	"ORDER BY s.user_id, s.exercise_id, CASE WHEN s.max > 0 THEN s.score / s.max ELSE 0 END DESC, s.id), "
	"people AS (SELECT user_id FROM enrolments WHERE course_id = ?1 UNION SELECT user_id FROM cells) "
	"SELECT u.name, u.ext_id, u.role, u.external, ex.slug, c.attempts, c.best, c.max "
	"FROM people p JOIN users u ON u.id = p.user_id "
	"LEFT JOIN cells c ON c.user_id = p.user_id LEFT JOIN ex ON ex.id = c.exercise_id "
	"ORDER BY u.name, ex.slug";

int
tq_store_gradebook(struct tq_store *s, int64_t course_id, int (*fn)(void *arg, const struct tq_gradecell *c), void *arg)
{
	struct dbq *q = prepare_once(s, dialect(s, sql_gradebook, pg_gradebook), "read the gradebook");
	if (!q)
		return TQ_STORE_ERROR;
	db_bind_int(q, 1, course_id);
	int rc;
	while ((rc = db_step(q)) == DB_ROW) {
		struct tq_gradecell c = {
			.user = db_text(q, 0),
			.ext_id = db_text(q, 1),
			.role = db_text(q, 2),
			.external = db_int(q, 3),
			.slug = db_text(q, 4),
			.attempts = db_int(q, 5),
			.best = db_double(q, 6),
			.max = db_double(q, 7),
		};
		if (!c.user || !c.role)
			continue;
		if (fn(arg, &c)) {
			rc = DB_DONE;
			break;
		}
	}
	if (rc != DB_DONE)
		fail(s, "read the gradebook");
	db_finalize(q);
	return rc == DB_DONE ? 0 : TQ_STORE_ERROR;
}

int
tq_store_user_change_password(struct tq_store *s, int64_t id, const char *pw_hash, const uint8_t keep[32], int64_t *ended)
{
	/* with ?2 NULL, every session ends: none is kept when keep is NULL */
	static const char *const steps[] = {
		"UPDATE users SET pw_hash = ?2 WHERE id = ?1",
		"DELETE FROM resets WHERE user_id = ?1",
		"DELETE FROM sessions WHERE user_id = ?1 AND (?2 IS NULL OR token_hash <> ?2)",
	};
	int rc = tq_store_begin(s);
	for (size_t k = 0; rc == 0 && k < sizeof(steps) / sizeof(steps[0]); k++) {
		struct dbq *q = prepare_once(s, steps[k], "change password");
		if (!q) {
			rc = TQ_STORE_ERROR;
			break;
		}
		db_bind_int(q, 1, id);
		if (k == 0)
			db_bind_text(q, 2, pw_hash);
		else if (k == 2 && keep)
			db_bind_blob(q, 2, keep, 32);
		rc = run(s, q, "change password");
		if (rc == 0 && k == 0 && s->changes == 0)
			rc = TQ_STORE_NOTFOUND;
		if (rc == 0 && k == 2 && ended)
			*ended = s->changes;
		db_finalize(q);
	}
	if (rc == 0)
		rc = tq_store_commit(s);
	if (rc)
		tq_store_rollback(s);
	return rc;
}

/* ------------------------------------------------------------------ LTI */

/*
 * The statements of LTI launches, prepared on each call as those of the
 * gradebook: a launch is a few a day per student, and runs several.
 */

/* Runs q, prepared once for this call, and finalizes it: 0, NOTFOUND (no row changed), EXISTS, ERROR. */
static int
run_once(struct tq_store *s, struct dbq *q, const char *what)
{
	int rc = run(s, q, what);
	db_finalize(q);
	return rc == 0 && s->changes == 0 ? TQ_STORE_NOTFOUND : rc;
}

/* The first column of q's first row, as an integer; q finalized.  0, NOTFOUND or ERROR. */
static int
one_int(struct tq_store *s, struct dbq *q, int64_t *v, const char *what)
{
	int rc = db_step(q);
	if (rc == DB_ROW)
		*v = db_int(q, 0);
	if (rc != DB_ROW && rc != DB_DONE)
		fail(s, what);
	db_finalize(q);
	return rc == DB_ROW ? 0 : rc == DB_DONE ? TQ_STORE_NOTFOUND : TQ_STORE_ERROR;
}

static char *
dup_text(const char *t)
{
	return t ? strdup(t) : NULL;
}

int
tq_store_lti_platform_add(struct tq_store *s, const struct tq_lti_platform *p, int64_t *id)
{
	struct dbq *q = prepare_once(s, "INSERT INTO lti_platforms (issuer, client_id, auth_url, token_url, jwks_url, "
	    "deployments, created) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT DO NOTHING RETURNING id", "add platform");
	if (!q)
		return TQ_STORE_ERROR;
	db_bind_text(q, 1, p->issuer);
	db_bind_text(q, 2, p->client_id);
	db_bind_text(q, 3, p->auth_url);
	db_bind_text(q, 4, p->token_url);
	db_bind_text(q, 5, p->jwks_url);
	db_bind_text(q, 6, p->deployments ? p->deployments : "[]");
	db_bind_int(q, 7, now());
	int rc = insert(s, q, id, "add platform");
	db_finalize(q);
	return rc;
}

#define PLATFORM_COLS "id, issuer, client_id, auth_url, token_url, jwks_url, deployments, jwks, jwks_fetched"

static int
read_platform(struct tq_store *s, struct dbq *q, struct tq_lti_platform *p)
{
	memset(p, 0, sizeof(*p));
	int rc = db_step(q);
	if (rc == DB_ROW) {
		p->id = db_int(q, 0);
		copy_text(p->issuer, sizeof(p->issuer), db_text(q, 1));
		copy_text(p->client_id, sizeof(p->client_id), db_text(q, 2));
		copy_text(p->auth_url, sizeof(p->auth_url), db_text(q, 3));
		copy_text(p->token_url, sizeof(p->token_url), db_text(q, 4));
		copy_text(p->jwks_url, sizeof(p->jwks_url), db_text(q, 5));
		p->deployments = dup_text(db_text(q, 6));
		p->jwks = dup_text(db_text(q, 7));
		p->jwks_fetched = db_int(q, 8);
		if (!p->deployments) {
			tq_lti_platform_free(p);
			snprintf(s->err, sizeof(s->err), "out of memory");
			rc = DB_ERROR;
		}
	} else if (rc != DB_DONE) {
		fail(s, "find platform");
	}
	db_finalize(q);
	return rc == DB_ROW ? 0 : rc == DB_DONE ? TQ_STORE_NOTFOUND : TQ_STORE_ERROR;
}

int
tq_store_lti_platform_find(struct tq_store *s, const char *issuer, const char *client_id, struct tq_lti_platform *out)
{
	/* without a client id, the issuer's only registration (two: not found, the login must name one) */
	struct dbq *q = prepare_once(s, "SELECT " PLATFORM_COLS " FROM lti_platforms WHERE issuer = ?1 AND (client_id = ?2 OR "
	    "(?2 = '' AND (SELECT count(*) FROM lti_platforms WHERE issuer = ?1) = 1))", "find platform");
	if (!q)
		return TQ_STORE_ERROR;
	db_bind_text(q, 1, issuer);
	db_bind_text(q, 2, client_id ? client_id : "");
	return read_platform(s, q, out);
}

int
tq_store_lti_platform_get(struct tq_store *s, int64_t id, struct tq_lti_platform *out)
{
	struct dbq *q = prepare_once(s, "SELECT " PLATFORM_COLS " FROM lti_platforms WHERE id = ?1", "find platform");
	if (!q)
		return TQ_STORE_ERROR;
	db_bind_int(q, 1, id);
	return read_platform(s, q, out);
}

void
tq_lti_platform_free(struct tq_lti_platform *p)
{
	free(p->deployments);
	free(p->jwks);
	p->deployments = p->jwks = NULL;
}

json_t *
tq_store_lti_platforms(struct tq_store *s)
{
	struct dbq *q = prepare_once(s, "SELECT id, issuer, client_id, auth_url, token_url, jwks_url, deployments, created "
	    "FROM lti_platforms ORDER BY id", "list platforms");
	if (!q)
		return NULL;
	json_t *l = rows_json(s, q, 10000, "list platforms");
	db_finalize(q);
	return l;
}

int
tq_store_lti_jwks_set(struct tq_store *s, int64_t id, const char *jwks, int64_t fetched)
{
	struct dbq *q = prepare_once(s, "UPDATE lti_platforms SET jwks = ?2, jwks_fetched = ?3 WHERE id = ?1", "keep keys");
	if (!q)
		return TQ_STORE_ERROR;
	db_bind_int(q, 1, id);
	db_bind_text(q, 2, jwks);
	db_bind_int(q, 3, fetched);
	return run_once(s, q, "keep the platform's keys");
}

int
tq_store_lti_key_add(struct tq_store *s, const char *kid, const char *pem)
{
	struct dbq *q = prepare_once(s, "INSERT INTO lti_keys (kid, private_pem, created) VALUES (?1, ?2, ?3)", "add key");
	if (!q)
		return TQ_STORE_ERROR;
	db_bind_text(q, 1, kid);
	db_bind_text(q, 2, pem);
	db_bind_int(q, 3, now());
	return run_once(s, q, "add key");
}

int
tq_store_lti_keys(struct tq_store *s, int64_t t, int (*fn)(void *arg, const char *kid, const char *pem), void *arg)
{
	/* the one that signs first, then those retired but still published */
	struct dbq *q = prepare_once(s, "SELECT kid, private_pem FROM lti_keys WHERE retired IS NULL OR retired > ?1 "
	    "ORDER BY CASE WHEN retired IS NULL THEN 0 ELSE 1 END, created DESC", "read keys");
	if (!q)
		return TQ_STORE_ERROR;
	db_bind_int(q, 1, t);
	int rc;
	while ((rc = db_step(q)) == DB_ROW)
		if (fn(arg, db_text(q, 0), db_text(q, 1))) {
			rc = DB_DONE;
			break;
		}
	if (rc != DB_DONE)
		fail(s, "read keys");
	db_finalize(q);
	return rc == DB_DONE ? 0 : TQ_STORE_ERROR;
}

int
tq_store_lti_state_put(struct tq_store *s, const uint8_t hash[32], const char *nonce, int64_t platform_id, int64_t expires)
{
	struct dbq *q = prepare_once(s, "DELETE FROM lti_states WHERE expires < ?1", "prune logins");
	if (!q)
		return TQ_STORE_ERROR;
	db_bind_int(q, 1, now());
	int rc = run_once(s, q, "prune logins");
	if (rc && rc != TQ_STORE_NOTFOUND)
		return rc;
	if (!(q = prepare_once(s, "INSERT INTO lti_states (state_hash, nonce, platform_id, expires) VALUES (?1, ?2, ?3, ?4)",
	    "keep login")))
		return TQ_STORE_ERROR;
	db_bind_blob(q, 1, hash, 32);
	db_bind_text(q, 2, nonce);
	db_bind_int(q, 3, platform_id);
	db_bind_int(q, 4, expires);
	return run_once(s, q, "keep login");
}

int
tq_store_lti_state_take(struct tq_store *s, const uint8_t hash[32], int64_t t, char *nonce, size_t len, int64_t *platform_id)
{
	/* used up by the first try, in time or not */
	struct dbq *q = prepare_once(s, "DELETE FROM lti_states WHERE state_hash = ?1 RETURNING nonce, platform_id, expires",
	    "use login");
	if (!q)
		return TQ_STORE_ERROR;
	db_bind_blob(q, 1, hash, 32);
	int turn = take_turn(s, q);
	int rc = db_step(q);
	int64_t expires = 0;
	if (rc == DB_ROW) {
		copy_text(nonce, len, db_text(q, 0));
		*platform_id = db_int(q, 1);
		expires = db_int(q, 2);
		rc = db_step(q);
	}
	if (rc != DB_DONE)
		fail(s, "use login");
	db_finalize(q);
	if (turn)
		pthread_mutex_unlock(&write_lock);
	if (rc != DB_DONE)
		return TQ_STORE_ERROR;
	return expires > t ? 0 : TQ_STORE_NOTFOUND;
}

/* The row of a platform's user (sub) or context, by table: 0 with *id, NOTFOUND or ERROR. */
static int
lti_map(struct tq_store *s, int context, int64_t platform_id, const char *key, int64_t *id)
{
	struct dbq *q = prepare_once(s, context ? "SELECT course_id FROM lti_contexts WHERE platform_id = ?1 AND context_id = ?2" :
	    "SELECT user_id FROM lti_accounts WHERE platform_id = ?1 AND sub = ?2", "find launch's mapping");
	if (!q)
		return TQ_STORE_ERROR;
	db_bind_int(q, 1, platform_id);
	db_bind_text(q, 2, key);
	return one_int(s, q, id, "find launch's mapping");
}

static int
lti_map_add(struct tq_store *s, int context, int64_t platform_id, const char *key, int64_t id)
{
	struct dbq *q = prepare_once(s, context ? "INSERT INTO lti_contexts (platform_id, context_id, course_id) VALUES (?1, ?2, ?3)" :
	    "INSERT INTO lti_accounts (platform_id, sub, user_id) VALUES (?1, ?2, ?3)", "keep launch's mapping");
	if (!q)
		return TQ_STORE_ERROR;
	db_bind_int(q, 1, platform_id);
	db_bind_text(q, 2, key);
	db_bind_int(q, 3, id);
	int rc = run_once(s, q, "keep launch's mapping");
	return rc == TQ_STORE_NOTFOUND ? TQ_STORE_ERROR : rc;
}

int
tq_store_lti_account(struct tq_store *s, int64_t platform_id, const char *sub, int64_t *user_id)
{
	return lti_map(s, 0, platform_id, sub, user_id);
}

int
tq_store_lti_account_add(struct tq_store *s, int64_t platform_id, const char *sub, int64_t user_id)
{
	return lti_map_add(s, 0, platform_id, sub, user_id);
}

int
tq_store_lti_context(struct tq_store *s, int64_t platform_id, const char *context_id, int64_t *course_id)
{
	return lti_map(s, 1, platform_id, context_id, course_id);
}

int
tq_store_lti_context_add(struct tq_store *s, int64_t platform_id, const char *context_id, int64_t course_id)
{
	return lti_map_add(s, 1, platform_id, context_id, course_id);
}

int
tq_store_lti_link(struct tq_store *s, int64_t platform_id, const char *link_id, int64_t exercise_id, const char *lineitem,
    int64_t user_id)
{
	/* a link's exercise and line item as its last launch says */
	struct dbq *q = prepare_once(s, "INSERT INTO lti_links (platform_id, link_id, exercise_id, lineitem) "
	    "VALUES (?1, ?2, nullif(?3, 0), ?4) ON CONFLICT (platform_id, link_id) DO UPDATE SET "
	    "exercise_id = excluded.exercise_id, lineitem = excluded.lineitem", "keep link");
	if (!q)
		return TQ_STORE_ERROR;
	db_bind_int(q, 1, platform_id);
	db_bind_text(q, 2, link_id);
	db_bind_int(q, 3, exercise_id);
	if (lineitem)
		db_bind_text(q, 4, lineitem);
	int rc = run_once(s, q, "keep link");
	if (rc && rc != TQ_STORE_NOTFOUND)
		return rc;
	if (!(q = prepare_once(s, "INSERT INTO lti_link_users (platform_id, link_id, user_id) VALUES (?1, ?2, ?3) "
	    "ON CONFLICT DO NOTHING", "keep link's user")))
		return TQ_STORE_ERROR;
	db_bind_int(q, 1, platform_id);
	db_bind_text(q, 2, link_id);
	db_bind_int(q, 3, user_id);
	rc = run_once(s, q, "keep link's user");
	return rc == TQ_STORE_NOTFOUND ? 0 : rc;
}

int
tq_store_lti_score_queue(struct tq_store *s, int64_t exercise_id, int64_t user_id, int64_t *queued)
{
	/* every link of the exercise the student launched that takes grades: one row each, the newest wins */
	struct dbq *q = prepare_once(s, "INSERT INTO lti_scores (platform_id, lineitem, sub, exercise_id, user_id, next_try) "
	    "SELECT l.platform_id, l.lineitem, a.sub, l.exercise_id, u.user_id, ?3 FROM lti_links l "
	    "JOIN lti_link_users u ON u.platform_id = l.platform_id AND u.link_id = l.link_id "
	    "JOIN lti_accounts a ON a.platform_id = l.platform_id AND a.user_id = u.user_id "
	    "WHERE l.exercise_id = ?1 AND u.user_id = ?2 AND l.lineitem IS NOT NULL "
	    "ON CONFLICT (lineitem, sub) DO UPDATE SET version = lti_scores.version + 1, next_try = excluded.next_try, "
	    "tries = 0, last_error = NULL, exercise_id = excluded.exercise_id, user_id = excluded.user_id", "queue score");
	if (!q)
		return TQ_STORE_ERROR;
	db_bind_int(q, 1, exercise_id);
	db_bind_int(q, 2, user_id);
	db_bind_int(q, 3, now());
	int rc = run_once(s, q, "queue score");
	if (queued)
		*queued = rc == 0 ? s->changes : 0;
	return rc == TQ_STORE_NOTFOUND ? 0 : rc;
}

int
tq_store_lti_scores_due(struct tq_store *s, int64_t t, int max, int (*fn)(void *arg, const struct tq_lti_score *sc),
    void *arg)
{
	struct dbq *q = prepare_once(s, "SELECT id, platform_id, lineitem, sub, exercise_id, user_id, version, tries, next_try "
	    "FROM lti_scores WHERE next_try <= ?1 ORDER BY next_try LIMIT ?2", "scores due");
	if (!q)
		return TQ_STORE_ERROR;
	db_bind_int(q, 1, t);
	db_bind_int(q, 2, max);
	int rc;
	while ((rc = db_step(q)) == DB_ROW) {
		struct tq_lti_score sc = { .id = db_int(q, 0), .platform_id = db_int(q, 1), .exercise_id = db_int(q, 4),
			.user_id = db_int(q, 5), .version = db_int(q, 6), .tries = db_int(q, 7), .next_try = db_int(q, 8) };
		copy_text(sc.lineitem, sizeof(sc.lineitem), db_text(q, 2));
		copy_text(sc.sub, sizeof(sc.sub), db_text(q, 3));
		if (fn(arg, &sc)) {
			rc = DB_DONE;
			break;
		}
	}
	if (rc != DB_DONE)
		fail(s, "scores due");
	db_finalize(q);
	return rc == DB_DONE ? 0 : TQ_STORE_ERROR;
}

int
tq_store_lti_score_claim(struct tq_store *s, const struct tq_lti_score *sc, int64_t until)
{
	/* taken by whoever moves its next try first: one node sends it */
	struct dbq *q = prepare_once(s, "UPDATE lti_scores SET next_try = ?3, tries = tries + 1 WHERE id = ?1 AND next_try = ?2",
	    "claim score");
	if (!q)
		return TQ_STORE_ERROR;
	db_bind_int(q, 1, sc->id);
	db_bind_int(q, 2, sc->next_try);
	db_bind_int(q, 3, until);
	return run_once(s, q, "claim score");
}

int
tq_store_lti_score_sent(struct tq_store *s, const struct tq_lti_score *sc, int64_t retry_at, const char *error)
{
	/* sent (retry_at 0): gone, unless a newer submission queued it again meanwhile (its version) */
	struct dbq *q = prepare_once(s, retry_at ? "UPDATE lti_scores SET next_try = ?3, last_error = ?4 WHERE id = ?1 AND version = ?2" :
	    "DELETE FROM lti_scores WHERE id = ?1 AND version = ?2", "score sent");
	if (!q)
		return TQ_STORE_ERROR;
	db_bind_int(q, 1, sc->id);
	db_bind_int(q, 2, sc->version);
	if (retry_at) {
		db_bind_int(q, 3, retry_at);
		db_bind_text(q, 4, error ? error : "");
	}
	int rc = run_once(s, q, "score sent");
	return rc == TQ_STORE_NOTFOUND ? 0 : rc;
}

int
tq_store_best(struct tq_store *s, int64_t exercise_id, int64_t user_id, double *score, double *max)
{
	struct dbq *q = prepare_once(s, "SELECT score, max FROM submissions WHERE exercise_id = ?1 AND user_id = ?2 "
	    "ORDER BY CASE WHEN max > 0 THEN score / max ELSE 0 END DESC, id LIMIT 1", "best score");
	if (!q)
		return TQ_STORE_ERROR;
	db_bind_int(q, 1, exercise_id);
	db_bind_int(q, 2, user_id);
	int rc = db_step(q);
	if (rc == DB_ROW) {
		*score = db_double(q, 0);
		*max = db_double(q, 1);
	} else if (rc != DB_DONE) {
		fail(s, "best score");
	}
	db_finalize(q);
	return rc == DB_ROW ? 0 : rc == DB_DONE ? TQ_STORE_NOTFOUND : TQ_STORE_ERROR;
}

int
tq_store_lti_resend(struct tq_store *s, int64_t course_id, int64_t *queued)
{
	/* every student who launched a link of the course's exercises and submitted to it */
	struct dbq *q = prepare_once(s, "INSERT INTO lti_scores (platform_id, lineitem, sub, exercise_id, user_id, next_try) "
	    "SELECT l.platform_id, l.lineitem, a.sub, l.exercise_id, u.user_id, ?2 FROM lti_links l "
	    "JOIN exercises e ON e.id = l.exercise_id "
	    "JOIN lti_link_users u ON u.platform_id = l.platform_id AND u.link_id = l.link_id "
	    "JOIN lti_accounts a ON a.platform_id = l.platform_id AND a.user_id = u.user_id "
	    "WHERE e.course_id = ?1 AND l.lineitem IS NOT NULL AND "
	    "EXISTS (SELECT 1 FROM submissions s WHERE s.exercise_id = l.exercise_id AND s.user_id = u.user_id) "
	    "ON CONFLICT (lineitem, sub) DO UPDATE SET version = lti_scores.version + 1, next_try = excluded.next_try, "
	    "tries = 0, last_error = NULL", "resend scores");
	if (!q)
		return TQ_STORE_ERROR;
	db_bind_int(q, 1, course_id);
	db_bind_int(q, 2, now());
	int rc = run_once(s, q, "resend scores");
	*queued = rc == 0 ? s->changes : 0;
	return rc == TQ_STORE_NOTFOUND ? 0 : rc;
}

json_t *
tq_store_lti_pending(struct tq_store *s, int64_t course_id)
{
	struct dbq *q = prepare_once(s, "SELECT u.name AS student, e.slug AS exercise, c.lineitem AS lineitem, c.tries AS tries, "
	    "c.next_try AS next_try, c.last_error AS error FROM lti_scores c JOIN exercises e ON e.id = c.exercise_id "
	    "JOIN users u ON u.id = c.user_id WHERE e.course_id = ?1 ORDER BY c.next_try, c.id", "pending scores");
	if (!q)
		return NULL;
	db_bind_int(q, 1, course_id);
	json_t *l = rows_json(s, q, 10000, "pending scores");
	db_finalize(q);
	return l;
}

int
tq_store_lti_key_rotate(struct tq_store *s, const char *kid, const char *pem, int64_t retire_at)
{
	/* the key that signed is still published until retire_at: tokens it signed verify until then */
	int rc = tq_store_begin(s);
	struct dbq *q = rc ? NULL : prepare_once(s, "UPDATE lti_keys SET retired = ?1 WHERE retired IS NULL", "retire key");
	if (q) {
		db_bind_int(q, 1, retire_at);
		rc = run_once(s, q, "retire key");
		if (rc == TQ_STORE_NOTFOUND)
			rc = 0;
	} else if (!rc) {
		rc = TQ_STORE_ERROR;
	}
	if (rc == 0)
		rc = tq_store_lti_key_add(s, kid, pem);
	if (rc == 0)
		rc = tq_store_commit(s);
	if (rc)
		tq_store_rollback(s);
	return rc;
}

int
tq_store_lti_members_url(struct tq_store *s, int64_t platform_id, const char *context_id, const char *url)
{
	struct dbq *q = prepare_once(s, "UPDATE lti_contexts SET memberships_url = ?3 WHERE platform_id = ?1 AND context_id = ?2",
	    "keep members' URL");
	if (!q)
		return TQ_STORE_ERROR;
	db_bind_int(q, 1, platform_id);
	db_bind_text(q, 2, context_id);
	db_bind_text(q, 3, url);
	int rc = run_once(s, q, "keep members' URL");
	return rc == TQ_STORE_NOTFOUND ? 0 : rc;
}

int
tq_store_lti_course_contexts(struct tq_store *s, int64_t course_id,
    int (*fn)(void *arg, int64_t platform_id, const char *context_id, const char *members_url), void *arg)
{
	struct dbq *q = prepare_once(s, "SELECT platform_id, context_id, memberships_url FROM lti_contexts WHERE course_id = ?1 "
	    "ORDER BY platform_id, context_id", "the course's contexts");
	if (!q)
		return TQ_STORE_ERROR;
	db_bind_int(q, 1, course_id);
	int rc;
	while ((rc = db_step(q)) == DB_ROW) {
		char context[256], url[1024];
		copy_text(context, sizeof(context), db_text(q, 1));
		copy_text(url, sizeof(url), db_text(q, 2));
		if (fn(arg, db_int(q, 0), context, url)) {
			rc = DB_DONE;
			break;
		}
	}
	if (rc != DB_DONE)
		fail(s, "the course's contexts");
	db_finalize(q);
	return rc == DB_DONE ? 0 : TQ_STORE_ERROR;
}

int
tq_store_lti_link_lineitem(struct tq_store *s, int64_t platform_id, const char *link_id, char *out, size_t len)
{
	struct dbq *q = prepare_once(s, "SELECT lineitem FROM lti_links WHERE platform_id = ?1 AND link_id = ?2 AND "
	    "lineitem IS NOT NULL", "a link's line item");
	if (!q)
		return TQ_STORE_ERROR;
	db_bind_int(q, 1, platform_id);
	db_bind_text(q, 2, link_id);
	int rc = db_step(q);
	if (rc == DB_ROW)
		copy_text(out, len, db_text(q, 0));
	else if (rc != DB_DONE)
		fail(s, "a link's line item");
	db_finalize(q);
	return rc == DB_ROW ? 0 : rc == DB_DONE ? TQ_STORE_NOTFOUND : TQ_STORE_ERROR;
}
