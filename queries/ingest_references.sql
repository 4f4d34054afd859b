-- Import validation: references between tables, resolved against the import itself and the
-- existing pool (attached read-only as `pool`; an empty one when there is no pool yet).
-- A row of the import replaces the pool's row with the same key, so the import's version of
-- a project (its currency) or group (its formation date) is the one checked against.
-- Runs on the typed import tables t_<table> (see ingest_rules.sql for the output columns).
-- Parameters: $today (rows dated after it are already errors and need no rate).
WITH projects_known AS (
    SELECT project_id, any_value(currency) AS currency
    FROM t_projects WHERE project_id IS NOT NULL GROUP BY project_id
    UNION ALL
    SELECT p.project_id, p.currency FROM pool.main.projects p
    WHERE NOT EXISTS (SELECT 1 FROM t_projects i WHERE i.project_id = p.project_id)
),
groups_known AS (
    SELECT project_id, group_id, any_value(formation_date) AS formation_date
    FROM t_groups WHERE project_id IS NOT NULL AND group_id IS NOT NULL GROUP BY ALL
    UNION ALL
    SELECT g.project_id, g.group_id, g.formation_date FROM pool.main.groups g
    WHERE NOT EXISTS (
        SELECT 1 FROM t_groups i WHERE i.project_id = g.project_id AND i.group_id = g.group_id
    )
),
rates_known AS (
    SELECT currency, year FROM t_exchange_rates WHERE currency IS NOT NULL AND year IS NOT NULL
    UNION
    SELECT currency, year FROM pool.main.exchange_rates
),
needs_rate AS (
    SELECT 'datasets' AS tbl, d._src, d._row, 'report_date' AS col, d.report_date__raw AS value,
           d.project_id, p.currency, year(d.report_date) AS year
    FROM t_datasets d JOIN projects_known p USING (project_id)
    WHERE d.report_date <= $today AND p.currency IS NOT NULL AND p.currency <> 'USD'
    UNION ALL
    SELECT 'project_reports', r._src, r._row, 'period_end', r.period_end__raw,
           r.project_id, p.currency, year(r.period_end)
    FROM t_project_reports r JOIN projects_known p USING (project_id)
    WHERE r.period_end <= $today AND p.currency IS NOT NULL AND p.currency <> 'USD'
)
SELECT 'groups' AS tbl, _src, _row, 'project_id' AS col, 'unknown_project' AS code,
       project_id__raw AS value, CAST(NULL AS VARCHAR) AS a, CAST(NULL AS VARCHAR) AS b,
       CAST(NULL AS VARCHAR) AS c, CAST(NULL AS VARCHAR) AS d
FROM t_groups g
WHERE project_id IS NOT NULL
  AND NOT EXISTS (SELECT 1 FROM projects_known p WHERE p.project_id = g.project_id)
UNION ALL
SELECT 'project_reports', _src, _row, 'project_id', 'unknown_project', project_id__raw,
       NULL, NULL, NULL, NULL
FROM t_project_reports r
WHERE project_id IS NOT NULL
  AND NOT EXISTS (SELECT 1 FROM projects_known p WHERE p.project_id = r.project_id)
UNION ALL
SELECT 'datasets', _src, _row, 'project_id', 'unknown_project', project_id__raw,
       NULL, NULL, NULL, NULL
FROM t_datasets d
WHERE project_id IS NOT NULL
  AND NOT EXISTS (SELECT 1 FROM projects_known p WHERE p.project_id = d.project_id)
UNION ALL
SELECT 'datasets', _src, _row, 'group_id', 'unknown_group', group_id__raw,
       project_id, NULL, NULL, NULL
FROM t_datasets d
WHERE project_id IS NOT NULL AND group_id IS NOT NULL
  AND EXISTS (SELECT 1 FROM projects_known p WHERE p.project_id = d.project_id)
  AND NOT EXISTS (
      SELECT 1 FROM groups_known g WHERE g.project_id = d.project_id AND g.group_id = d.group_id
  )
UNION ALL
SELECT 'datasets', d._src, d._row, 'cycle_start_date', 'before_formation', d.cycle_start_date__raw,
       CAST(d.cycle_start_date AS VARCHAR), CAST(g.formation_date AS VARCHAR), NULL, NULL
FROM t_datasets d JOIN groups_known g USING (project_id, group_id)
WHERE d.cycle_start_date < g.formation_date
UNION ALL
-- One error per sheet, currency and year, on its first row, with the count of rows needing it.
SELECT tbl, _src, min(_row), col, 'no_rate', arg_min(value, _row),
       currency, CAST(year AS VARCHAR), arg_min(project_id, _row), CAST(count(*) AS VARCHAR)
FROM needs_rate n
WHERE NOT EXISTS (SELECT 1 FROM rates_known k WHERE k.currency = n.currency AND k.year = n.year)
GROUP BY tbl, _src, col, currency, year
