-- The rollup_network table (dashboard.analytics.rollups.build): network_measured.sql's rows summed per
-- rollup date, project, combination of the cube's group-level keys (rollup_cube.sql) and
-- network indicator, read by network_indicators_cube.sql. Parameters: scope.sql's, no
-- filters, and $fields; the active groups come from rollup_groups.
WITH
--@include scope
,
--@include grouped
,
--@include network_measured
SELECT
    as_of, project_id, organisation, country, trained_by, setting, tags, yes_fields, status,
    NULL::VARCHAR AS trainer,
    first_cycle, women_band, women_min_100, women_min_075, women_max_0749, youth_band,
    name, sum(numerator) AS numerator, sum(denominator) AS denominator,
    sum(numerator_eta) AS numerator_eta, sum(denominator_eta) AS denominator_eta,
    sum(groups) AS groups, sum(cell_key)::BIGINT AS cell_key
FROM measured
GROUP BY ALL
ORDER BY as_of, project_id, name
