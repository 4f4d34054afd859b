-- The rollup_groups table (dashboard.analytics.rollups.build): active.sql's rows, every active group at
-- every rollup date, found from the datasets in one pass. Parameters: scope.sql's, no filters.
WITH
--@include scope_projects
,
--@include active
SELECT * EXCLUDE (in_scope)
FROM active
ORDER BY as_of, project_id, group_id
