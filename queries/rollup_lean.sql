-- The rollup_lean table (dashboard.analytics.rollups.build): rollup_cube summed over every group-level
-- key but trained_by (those columns NULL), a few rows per project and date. It answers the
-- views without theme filters other than trained_by, by project, organisation, country,
-- trained_by or none, with the same SQL (indicators_cube.sql), which is what most trends ask.
SELECT
    as_of, project_id, organisation, country, trained_by,
    NULL::VARCHAR AS setting, NULL::VARCHAR AS tags, NULL::VARCHAR AS yes_fields,
    NULL::VARCHAR AS status,
    NULL::VARCHAR AS trainer, NULL::BOOLEAN AS first_cycle, NULL::VARCHAR AS women_band,
    NULL::BOOLEAN AS women_min_100, NULL::BOOLEAN AS women_min_075,
    NULL::BOOLEAN AS women_max_0749, NULL::VARCHAR AS youth_band,
--@include measure_sums
--@include measure_etas
FROM rollup_cube
GROUP BY as_of, project_id, organisation, country, trained_by
ORDER BY as_of, project_id
