-- 004_keys.sql: keys frozen at publish.  An exercise's keys are computed
-- when it is saved and graded from the row ever after; each change of them
-- is a new key version, every submission records the version it was graded
-- against, and a regrade keeps what it replaced.

ALTER TABLE exercises ADD COLUMN key_version INTEGER NOT NULL DEFAULT 1;
ALTER TABLE exercises ADD COLUMN keys_program TEXT;   -- the tracequiz version that computed the keys (NULL: before 004)

ALTER TABLE submissions ADD COLUMN key_version INTEGER NOT NULL DEFAULT 1;

CREATE TABLE regrades (                        -- a submission's score before and after a regrade
	id          INTEGER PRIMARY KEY,
	submission_id INTEGER NOT NULL REFERENCES submissions(id) ON DELETE CASCADE,
	by_user     INTEGER REFERENCES users(id) ON DELETE SET NULL,
	at          INTEGER NOT NULL,
	old_score   REAL NOT NULL,
	old_max     REAL NOT NULL,
	old_version INTEGER NOT NULL,
	new_score   REAL NOT NULL,
	new_max     REAL NOT NULL,
	new_version INTEGER NOT NULL
);
CREATE INDEX regrades_by_submission ON regrades(submission_id);
