-- The active groups read from the rollup_groups table, which holds active.sql's rows at each
-- rollup date (built at import by dashboard.analytics.rollups; part of scope.sql; see there).
active AS NOT MATERIALIZED (  -- a scan is cheaper than a copy of every column
    SELECT
        l.*,
--@include in_scope
    FROM rollup_groups l
    WHERE l.as_of IN (SELECT as_of FROM dates)
      AND l.project_id IN (SELECT project_id FROM proj)
)
