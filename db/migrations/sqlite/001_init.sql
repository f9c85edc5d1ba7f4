-- 001_init.sql: accounts, courses, captures, exercises and submissions.
-- Applied once, in order, by db/conn_sqlite.c (PRAGMA user_version counts them).

CREATE TABLE users (
	id          INTEGER PRIMARY KEY,
	name        TEXT NOT NULL UNIQUE,          -- login name, or an auto-grader's external id
	role        TEXT NOT NULL CHECK (role IN ('student', 'instructor', 'admin')),
	pw_hash     TEXT,                          -- argon2id (libsodium); NULL: cannot log in
	external    INTEGER NOT NULL DEFAULT 0,    -- made by POST /grade for a student id of an auto-grader
	created     INTEGER NOT NULL
);

CREATE TABLE sessions (
	token_hash  BLOB PRIMARY KEY,              -- SHA-256 of the cookie's 256-bit token
	user_id     INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
	csrf        TEXT NOT NULL,
	expires     INTEGER NOT NULL
);

CREATE TABLE tokens (
	id          INTEGER PRIMARY KEY,
	token_hash  BLOB NOT NULL UNIQUE,          -- SHA-256 of the bearer token
	user_id     INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
	name        TEXT NOT NULL,
	created     INTEGER NOT NULL
);

CREATE TABLE courses (
	id          INTEGER PRIMARY KEY,
	slug        TEXT NOT NULL UNIQUE,
	title       TEXT NOT NULL
);

CREATE TABLE teachers (
	course_id   INTEGER NOT NULL REFERENCES courses(id) ON DELETE CASCADE,
	user_id     INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
	PRIMARY KEY (course_id, user_id)
);

CREATE TABLE enrolments (
	course_id   INTEGER NOT NULL REFERENCES courses(id) ON DELETE CASCADE,
	user_id     INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
	PRIMARY KEY (course_id, user_id)
);

CREATE TABLE captures (
	id          INTEGER PRIMARY KEY,
	sha256      TEXT NOT NULL UNIQUE,          -- stored once, whoever uploads it again
	name        TEXT NOT NULL,
	size        INTEGER NOT NULL,
	frames      INTEGER NOT NULL,
	data        BLOB NOT NULL,
	created     INTEGER NOT NULL
);

CREATE TABLE exercises (
	id          INTEGER PRIMARY KEY,
	slug        TEXT NOT NULL UNIQUE,
	course_id   INTEGER NOT NULL REFERENCES courses(id) ON DELETE CASCADE,
	doc         TEXT NOT NULL,                 -- the exercise document (JSON), as doc/exercises.md
	capture_id  INTEGER NOT NULL REFERENCES captures(id),
	keys        TEXT NOT NULL,                 -- the keys computed on save (JSON)
	published   INTEGER NOT NULL DEFAULT 1,
	created     INTEGER NOT NULL,
	updated     INTEGER NOT NULL
);

CREATE TABLE submissions (
	id          INTEGER PRIMARY KEY,
	exercise_id INTEGER NOT NULL REFERENCES exercises(id) ON DELETE CASCADE,
	user_id     INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
	answers     TEXT NOT NULL,
	score       REAL NOT NULL,
	max         REAL NOT NULL,
	result      TEXT NOT NULL,                 -- the grade as returned (JSON)
	created     INTEGER NOT NULL
);
CREATE INDEX submissions_by_exercise ON submissions(exercise_id, user_id, created);

CREATE TABLE logins (                          -- failed attempts, for rate limiting
	who         TEXT NOT NULL,                 -- 'user:NAME' or 'addr:IP'
	at          INTEGER NOT NULL
);
CREATE INDEX logins_by_who ON logins(who, at);
