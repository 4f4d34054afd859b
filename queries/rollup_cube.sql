-- The rollup_cube table (dashboard.analytics.rollups.build): grouped.sql's rows summed per rollup date,
-- project and combination of the group-level keys, read by indicators_cube.sql. Parameters:
-- scope.sql's, no filters; the active groups come from rollup_groups.
WITH
--@include scope
,
--@include grouped
SELECT
    as_of, project_id, organisation, country, trained_by, setting, tags, yes_fields, status,
    NULL::VARCHAR AS trainer,
    first_cycle, women_band, women_min_100, women_min_075, women_max_0749, youth_band,
--@include measure_sums
--@include measure_etas
FROM grouped
GROUP BY as_of, project_id, organisation, country, trained_by, setting, tags, yes_fields, status,
    first_cycle, women_band, women_min_100, women_min_075, women_max_0749, youth_band
ORDER BY as_of, project_id
