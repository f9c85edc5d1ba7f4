-- 007_lti_members.sql: where a platform lists a course's members (LTI Names
-- and Role Provisioning Services), as its launches say: the course's
-- teachers sync its roster from there.

ALTER TABLE lti_contexts ADD COLUMN memberships_url TEXT;
