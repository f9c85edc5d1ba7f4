-- 002_courses.sql: open courses, who uploaded a capture, and published
-- exercises' drafts.

-- An open course's exercises are seen by every account (the demo course is
-- open, so a new student can try it at once); others by their students.
ALTER TABLE courses ADD COLUMN open INTEGER NOT NULL DEFAULT 0;
UPDATE courses SET open = 1 WHERE slug = 'demo';

-- A capture is stored once (by SHA-256) whoever uploads it: an instructor may
-- use the ones they uploaded and those of the courses they teach.
CREATE TABLE capture_owners (
	capture_id  INTEGER NOT NULL REFERENCES captures(id) ON DELETE CASCADE,
	user_id     INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
	PRIMARY KEY (capture_id, user_id)
);

CREATE INDEX exercises_by_course ON exercises(course_id);
CREATE INDEX enrolments_by_user ON enrolments(user_id);
CREATE INDEX teachers_by_user ON teachers(user_id);
