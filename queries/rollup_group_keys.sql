-- The rollup_group_keys table (dashboard.analytics.rollups.build): every group's key of disclosure
-- control, worked out once at import for the queries that count groups (group_keys.sql).
WITH
--@include group_keys
SELECT * FROM group_keys ORDER BY project_id, group_id
