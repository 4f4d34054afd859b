-- The rows of indicators.sql, computed from the rollup_cube table (the active groups at each
-- rollup date, summed per project and combination of group attributes; built at import by
-- dashboard.analytics.rollups). Used when every as-of date is a rollup date, the breakdown is not per
-- trainer and the share-of-women bounds are the filter's presets. Same parameters. With the
-- swap cube_table=cube_table_lean, from the lean cube (rollup_lean: no group attributes but
-- trained_by), when the filters and breakdowns need no other (dashboard.analytics.rollups.source).
WITH
--@include scope_projects
,
cube AS NOT MATERIALIZED (
    SELECT c.*
    FROM
--@include cube_table
    c
    WHERE c.as_of IN (SELECT as_of FROM dates)
      AND c.project_id IN (SELECT project_id FROM proj)
),
grouped AS (
    SELECT *
    FROM cube
--@include cube_filters
),
project_groups AS (
    SELECT as_of, project_id, sum(groups) AS groups, sum(members) AS members,
        sum(cell_key)::BIGINT AS cell_key, sum(members_eta) AS members_eta
    FROM cube
    GROUP BY as_of, project_id
),
--@include indicator_tail
