-- network_indicators.sql's rows read from the rollup_network table (built at import by
-- dashboard.analytics.rollups for the network's indicators of that time): used when every as-of date is
-- a rollup date, the breakdown is not per trainer and the share-of-women bounds are the
-- filter's presets, as indicators_cube.sql is. Parameters: those of scope_projects.sql, the
-- group-level filters, and $bys. With the swap dims_input=dims_input_measured.
WITH
--@include scope_projects
,
cube AS NOT MATERIALIZED (
    SELECT c.*
    FROM rollup_network c
    WHERE c.as_of IN (SELECT as_of FROM dates)
      AND c.project_id IN (SELECT project_id FROM proj)
),
measured AS (
    SELECT *
    FROM cube
--@include cube_filters
),
--@include dims
,
--@include network_tail
