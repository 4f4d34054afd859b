-- The rows of indicators.sql, computed from the rollup_cube table (the active groups at each
-- rollup date, summed per project and combination of group attributes; built at import by
-- dashboard.rollups). Used when every as-of date is a rollup date, the breakdown is not per
-- trainer and the share-of-women bounds are the filter's presets. Same parameters. With the
-- swap cube_table=cube_table_lean, from the lean cube (rollup_lean: no group attributes but
-- trained_by), when the filters and breakdowns need no other (dashboard.rollups.source).
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
    WHERE (len($trained_by::VARCHAR[]) = 0 OR list_contains($trained_by::VARCHAR[], trained_by))
      AND (len($setting::VARCHAR[]) = 0 OR list_contains($setting::VARCHAR[], setting))
      AND (len($tag::VARCHAR[]) = 0
           OR list_has_any($tag::VARCHAR[], string_split(coalesce(tags, ''), ';')))
      AND (len($yes::VARCHAR[]) = 0
           OR list_has_any($yes::VARCHAR[], string_split(coalesce(yes_fields, ''), ';')))
      AND (len($status::VARCHAR[]) = 0 OR list_contains($status::VARCHAR[], status))
      AND (len($cycle::VARCHAR[]) = 0
           OR (list_contains($cycle::VARCHAR[], 'first') AND first_cycle)
           OR (list_contains($cycle::VARCHAR[], 'later') AND NOT first_cycle))
      AND ($min_pct_women::DOUBLE IS NULL
           OR ($min_pct_women::DOUBLE = 1.0 AND women_min_100)
           OR ($min_pct_women::DOUBLE = 0.75 AND women_min_075))
      AND ($max_pct_women::DOUBLE IS NULL OR ($max_pct_women::DOUBLE = 0.749 AND women_max_0749))
      AND ($youth_recorded::BOOLEAN IS NULL
           OR (youth_band <> 'not_recorded') = $youth_recorded::BOOLEAN)
),
project_groups AS (
    SELECT as_of, project_id, sum(groups) AS groups, sum(members) AS members
    FROM cube
    GROUP BY as_of, project_id
),
--@include indicator_tail
