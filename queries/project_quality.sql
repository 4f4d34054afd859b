-- Data quality per project as of a date: how old its data is and what the warnings say.
-- Parameters: $as_of DATE; $country, $organisation, $project VARCHAR[] (empty = all);
-- $restricted BOOLEAN and $visible VARCHAR[]: the projects the viewer may see.
WITH proj AS (
    SELECT p.project_id, p.project_name, p.organisation, p.country
    FROM projects p
    WHERE (len($country::VARCHAR[]) = 0 OR list_contains($country::VARCHAR[], p.country))
      AND (len($organisation::VARCHAR[]) = 0 OR list_contains($organisation::VARCHAR[], p.organisation))
      AND (len($project::VARCHAR[]) = 0 OR list_contains($project::VARCHAR[], p.project_id))
      AND (NOT $restricted::BOOLEAN OR list_contains($visible::VARCHAR[], p.project_id))
),
ds AS (
    SELECT project_id, max(report_date) AS latest_dataset,
           count(DISTINCT group_id) AS groups_reporting
    FROM datasets
    WHERE report_date <= $as_of::DATE
    GROUP BY project_id
),
rep AS (
    SELECT project_id, max(period_end) AS latest_project_report
    FROM project_reports
    WHERE period_end <= $as_of::DATE
    GROUP BY project_id
),
rules AS (
    SELECT project_id, rule, count(*) AS n FROM warnings GROUP BY project_id, rule
),
w AS (
    SELECT project_id, sum(n)::INTEGER AS warnings,
           string_agg(replace(rule, '_', ' ') || ' (' || n || ')', ', ' ORDER BY n DESC, rule)
               AS warning_rules
    FROM rules
    GROUP BY project_id
)
SELECT
    proj.project_id, proj.project_name, proj.organisation, proj.country,
    coalesce(ds.groups_reporting, 0) AS groups_reporting,
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
