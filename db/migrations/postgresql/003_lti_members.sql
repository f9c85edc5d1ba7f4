-- 003_lti_members.sql: where a platform lists a course's members (LTI Names
-- and Role Provisioning Services), as SQLite's 007_lti_members.sql.

ALTER TABLE lti_contexts ADD COLUMN memberships_url text;
