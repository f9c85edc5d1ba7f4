-- 003_security.sql: who an account belongs to, the auto-grader's students in
-- a namespace of their course, one-time password reset codes, and API tokens
-- with a scope and an expiry.

-- An account made by a course's enrolment is that course's: its instructors
-- may hand its student a reset code while the student studies nowhere else.
ALTER TABLE users ADD COLUMN origin_course INTEGER REFERENCES courses(id) ON DELETE SET NULL;

-- A student of POST /grade is an external id within one course: the pair
-- (ext_course, ext_id) finds it, never a local account's name.  Its name,
-- "COURSE/ID", holds a '/', which no local account's name may.
ALTER TABLE users ADD COLUMN ext_course INTEGER REFERENCES courses(id) ON DELETE CASCADE;
ALTER TABLE users ADD COLUMN ext_id TEXT;
CREATE UNIQUE INDEX users_external ON users(ext_course, ext_id) WHERE ext_course IS NOT NULL;

-- The external students made before this migration move into the namespace
-- of the (first) course they were enrolled in.
UPDATE users SET ext_course = (SELECT min(course_id) FROM enrolments WHERE user_id = users.id), ext_id = name
	WHERE external = 1;
UPDATE users SET name = (SELECT slug FROM courses WHERE id = users.ext_course) || '/' || ext_id
	WHERE external = 1 AND ext_course IS NOT NULL;

-- One-time reset codes: an instructor hands one to a student, who sets a new
-- password with it.  At most one per account; used once; short-lived.
CREATE TABLE resets (
	code_hash   BLOB PRIMARY KEY,              -- SHA-256 of the code
	user_id     INTEGER NOT NULL UNIQUE REFERENCES users(id) ON DELETE CASCADE,
	made_by     INTEGER REFERENCES users(id) ON DELETE SET NULL,
	expires     INTEGER NOT NULL
);

-- A token's scope: 'admin' does what its account may, 'read' only reads,
-- 'grade' only grades (POST /grade), in the courses and exercises granted.
ALTER TABLE tokens ADD COLUMN scope TEXT NOT NULL DEFAULT 'admin' CHECK (scope IN ('grade', 'read', 'admin'));
ALTER TABLE tokens ADD COLUMN expires INTEGER;                 -- NULL: never
ALTER TABLE tokens ADD COLUMN limited INTEGER NOT NULL DEFAULT 0;  -- 1: only its grants (even when none is left)
CREATE INDEX tokens_by_user ON tokens(user_id);

CREATE TABLE token_grants (                    -- a limited grade token's courses and exercises
	token_id    INTEGER NOT NULL REFERENCES tokens(id) ON DELETE CASCADE,
	course_id   INTEGER REFERENCES courses(id) ON DELETE CASCADE,
	exercise_id INTEGER REFERENCES exercises(id) ON DELETE CASCADE,
	CHECK ((course_id IS NULL) <> (exercise_id IS NULL))
);
CREATE INDEX token_grants_by_token ON token_grants(token_id);
