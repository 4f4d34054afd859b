-- Data quality per project as of a date: how old its data is and what the warnings say.
-- Parameters: $as_of DATE; $country, $organisation, $project VARCHAR[] (empty = all);
-- visible.sql's (the projects the viewer may see); $foreign
-- VARCHAR[]: other organisations' projects, whose counts of groups and of warnings are
-- perturbed (dashboard.analytics.disclosure: each count of the same groups the same draw as anywhere).
WITH
--@include group_keys
,
proj AS (
    SELECT p.project_id, p.project_name, p.organisation, p.country
    FROM projects p
    WHERE (len($country::VARCHAR[]) = 0 OR list_contains($country::VARCHAR[], p.country))
      AND (len($organisation::VARCHAR[]) = 0 OR list_contains($organisation::VARCHAR[], p.organisation))
      AND (len($project::VARCHAR[]) = 0 OR list_contains($project::VARCHAR[], p.project_id))
      AND
      --@include visible
),
reporting AS (
    SELECT project_id, group_id, max(report_date) AS latest_dataset
    FROM datasets
    WHERE report_date <= $as_of::DATE AND project_id IN (SELECT project_id FROM proj)
    GROUP BY project_id, group_id
),
ds AS (
    SELECT project_id, max(latest_dataset) AS latest_dataset,
           CASE WHEN list_contains($foreign::VARCHAR[], project_id)
                THEN vsla_groups(count(*), sum(cell_key)::BIGINT::VARCHAR)
                ELSE count(*) END AS groups_reporting,
           count(*) AS true_groups  -- (small cells: datasource.project_quality drops it)
    FROM reporting
    JOIN group_keys USING (project_id, group_id)
    GROUP BY project_id
),
rep AS (
    SELECT project_id, max(period_end) AS latest_project_report
    FROM project_reports
    WHERE period_end <= $as_of::DATE
    GROUP BY project_id
),
flagged AS (
    SELECT f.*, k.cell_key
    FROM (
        SELECT project_id, rule, group_id, count(*) AS n
        FROM warnings
        WHERE project_id IN (SELECT project_id FROM proj)
        GROUP BY project_id, rule, group_id
    ) f
    LEFT JOIN group_keys k USING (project_id, group_id)
),
rules AS (
    SELECT project_id, rule,
           CASE WHEN list_contains($foreign::VARCHAR[], project_id)
                THEN vsla_sum(count(group_id), sum(cell_key)::BIGINT::VARCHAR,
                              'warnings:' || rule, sum(n), NULL)::BIGINT
                ELSE sum(n) END AS n
    FROM flagged
    GROUP BY project_id, rule
),
w AS (
    SELECT project_id, sum(n)::INTEGER AS warnings,
           string_agg(rule || ' (' || n || ')', ', ' ORDER BY n DESC, rule)
               AS warning_rules
    FROM rules
    GROUP BY project_id
)
SELECT
    proj.project_id, proj.project_name, proj.organisation, proj.country,
    coalesce(ds.groups_reporting, 0) AS groups_reporting,
    coalesce(ds.true_groups, 0) AS true_groups,
    ds.latest_dataset,
    date_diff('day', ds.latest_dataset, $as_of::DATE) AS data_age_days,
    rep.latest_project_report,
    coalesce(w.warnings, 0) AS warnings,
    coalesce(w.warning_rules, '') AS warning_rules
FROM proj
LEFT JOIN ds USING (project_id)
LEFT JOIN rep USING (project_id)
LEFT JOIN w USING (project_id)
ORDER BY data_age_days DESC NULLS FIRST, proj.organisation, proj.project_id
