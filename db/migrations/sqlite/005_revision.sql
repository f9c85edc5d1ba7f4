-- 005_revision.sql: an exercise's revision, one more at each change of its row
-- (saved, published or hidden).  A node that keeps an exercise loaded checks
-- it on each use, so that a change made through another node sharing the
-- database is seen at once.

ALTER TABLE exercises ADD COLUMN revision INTEGER NOT NULL DEFAULT 1;
