-- Every standard indicator of INDICATORS.md, from the active groups (scope.sql), one row per
-- (breakdown, as_of, by_value) that has at least one active group in scope.
--
-- Parameters (all bound): those of scope.sql, and
--   $bys      VARCHAR[]  the breakdowns, each '' (one row per as-of date) or: country, organisation,
--                        project, trained_by, trainer (project_id/trainer_id), setting, status,
--                        cycle (first/later), women_band (women_only/mostly_women/mixed),
--                        youth_band (youth_majority/youth_minority/not_recorded), tag:<name>
--                        (yes/no) or quarter
--   $foreign  VARCHAR[]  projects whose groups `foreign_groups` counts (small cells)
-- indicators_cube.sql computes the same rows from the rollup cube; both end in
-- indicator_tail.sql, where the formulas are.
WITH
--@include scope
,
--@include grouped
,
-- Cost indicators belong to whole projects: all active groups of each project in scope,
-- whatever the group-level filters.
project_groups AS (
    SELECT as_of, project_id, count(*) AS groups, sum(members) AS members,
        sum(cell_key)::BIGINT AS cell_key,
        sum(members * f.e[1 + (noise_a & 15)::INT]) AS members_eta  -- (as grouped.sql's)
    FROM active,
--@include noise_factors
        f
    GROUP BY as_of, project_id
),
--@include indicator_tail
