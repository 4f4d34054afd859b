-- Import validation: the exchange rate of each imported row that holds amounts (datasets,
-- project_reports), to check the amounts against their ceilings in USD (validate.py,
-- usd_ceiling). The row's project currency is the import's version of the project, else the
-- pool's; the rate of the row's year is the import's, else the pool's; USD is 1. A rate
-- outside the accepted range is left out (it is an error of its own), and so is a row
-- without a rate (the no_rate error of ingest_references.sql).
-- Runs on the typed import tables t_<table> with the pool attached as `pool`.
-- Parameters: $low, $high (the accepted range of per_usd).
WITH projects_known AS (
    SELECT project_id, any_value(currency) AS currency
    FROM t_projects WHERE project_id IS NOT NULL GROUP BY project_id
    UNION ALL
    SELECT p.project_id, p.currency FROM pool.main.projects p
    WHERE NOT EXISTS (SELECT 1 FROM t_projects i WHERE i.project_id = p.project_id)
),
rates AS (
    SELECT currency, year, any_value(per_usd) AS per_usd FROM t_exchange_rates
    WHERE currency IS NOT NULL AND year IS NOT NULL AND per_usd BETWEEN $low AND $high
    GROUP BY ALL
    UNION ALL
    SELECT r.currency, r.year, r.per_usd FROM pool.main.exchange_rates r
    WHERE NOT EXISTS (
        SELECT 1 FROM t_exchange_rates i WHERE i.currency = r.currency AND i.year = r.year
    )
),
dated AS (
    SELECT 'datasets' AS tbl, _src, _row, project_id, year(report_date) AS year
    FROM t_datasets WHERE report_date IS NOT NULL
    UNION ALL
    SELECT 'project_reports', _src, _row, project_id, year(period_end)
    FROM t_project_reports WHERE period_end IS NOT NULL
)
SELECT d.tbl, d._src, d._row, p.currency, d.year,
       CASE WHEN p.currency = 'USD' THEN 1.0 ELSE r.per_usd END AS per_usd
FROM dated d
JOIN projects_known p USING (project_id)
LEFT JOIN rates r ON r.currency = p.currency AND r.year = d.year
WHERE p.currency = 'USD' OR r.per_usd IS NOT NULL
