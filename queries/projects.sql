-- Every project of the pool with what the filter panel and the project profile show, and
-- the key of its registered groups (the sum of theirs: others see their count perturbed,
-- dashboard.analytics.datasource.facts). Parameters: none.
WITH
--@include group_keys
,
registered AS (
    SELECT project_id, count(*) AS groups_registered, sum(cell_key)::BIGINT AS groups_key
    FROM group_keys
    GROUP BY project_id
)
SELECT
    p.project_id, p.project_name, p.organisation, p.partner, p.country, p.currency,
    p.start_date, p.end_date, p.donor, p.shared,
    coalesce(r.groups_registered, 0) AS groups_registered,
    coalesce(r.groups_key, 0) AS groups_key
FROM projects p
LEFT JOIN registered r USING (project_id)
ORDER BY p.organisation, p.country, p.project_name
