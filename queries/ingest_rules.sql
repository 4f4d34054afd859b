-- Import validation: the rules within one table (DATA.md), and duplicate keys in one import.
-- Runs on the typed import tables t_<table> of the importer's scratch connection
-- (dashboard.ingest.validate), where each column has its typed value and <column>__raw text.
-- Produces error rows (tbl, _src, _row, col, code, value, a, b, c, d); the importer turns
-- them into messages (dashboard.ingest.validate.MESSAGES). Parameters: none.
SELECT 'datasets' AS tbl, _src, _row, 'women' AS col, 'women_gt_members' AS code,
       women__raw AS value, CAST(women AS VARCHAR) AS a, CAST(members AS VARCHAR) AS b,
       CAST(NULL AS VARCHAR) AS c, CAST(NULL AS VARCHAR) AS d
FROM t_datasets WHERE women > members
UNION ALL
SELECT 'datasets', _src, _row, 'men', 'sex_sum', men__raw,
       CAST(women AS VARCHAR), CAST(men AS VARCHAR), CAST(members AS VARCHAR), NULL
FROM t_datasets WHERE women <= members AND women + men <> members
UNION ALL
SELECT 'datasets', _src, _row, 'youth', 'youth_gt_members', youth__raw,
       CAST(youth AS VARCHAR), CAST(members AS VARCHAR), NULL, NULL
FROM t_datasets WHERE youth > members
UNION ALL
SELECT 'datasets', _src, _row, 'members_attending', 'attending_gt_members', members_attending__raw,
       CAST(members_attending AS VARCHAR), CAST(members AS VARCHAR), NULL, NULL
FROM t_datasets WHERE members_attending > members
UNION ALL
SELECT 'datasets', _src, _row, 'late_loans_balance', 'late_gt_outstanding', late_loans_balance__raw,
       CAST(late_loans_balance AS VARCHAR), CAST(loans_outstanding_value AS VARCHAR), NULL, NULL
FROM t_datasets WHERE late_loans_balance > loans_outstanding_value
UNION ALL
SELECT 'datasets', _src, _row, 'cycle_start_date', 'start_after_report', cycle_start_date__raw,
       CAST(cycle_start_date AS VARCHAR), CAST(report_date AS VARCHAR), NULL, NULL
FROM t_datasets WHERE cycle_start_date > report_date
UNION ALL
SELECT 'projects', _src, _row, 'end_date', 'end_before_start', end_date__raw,
       CAST(end_date AS VARCHAR), CAST(start_date AS VARCHAR), NULL, NULL
FROM t_projects WHERE end_date < start_date
UNION ALL
-- USD is the unit of the rates: a USD row other than 1 would change every USD figure.
SELECT 'exchange_rates', _src, _row, 'per_usd', 'usd_rate', per_usd__raw,
       NULL, NULL, NULL, NULL
FROM t_exchange_rates WHERE currency = 'USD' AND per_usd <> 1
-- Duplicate keys: every later occurrence names the first one (a = its source, b = its row).
UNION ALL
SELECT 'exchange_rates', _src, _row, 'currency, year', 'duplicate',
       concat('currency ', currency, ', year ', year), CAST(first_src AS VARCHAR),
       CAST(first_row AS VARCHAR), NULL, NULL
FROM (
    SELECT t.*, first_value(_src) OVER w AS first_src, first_value(_row) OVER w AS first_row,
           row_number() OVER w AS n
    FROM t_exchange_rates t
    SEMI JOIN (SELECT currency, year FROM t_exchange_rates
               WHERE currency IS NOT NULL AND year IS NOT NULL
               GROUP BY ALL HAVING count(*) > 1) USING (currency, year)
    WINDOW w AS (PARTITION BY currency, year ORDER BY _src, _row)
) WHERE n > 1
UNION ALL
SELECT 'projects', _src, _row, 'project_id', 'duplicate',
       concat('project_id ', project_id), CAST(first_src AS VARCHAR),
       CAST(first_row AS VARCHAR), NULL, NULL
FROM (
    SELECT t.*, first_value(_src) OVER w AS first_src, first_value(_row) OVER w AS first_row,
           row_number() OVER w AS n
    FROM t_projects t
    SEMI JOIN (SELECT project_id FROM t_projects WHERE project_id IS NOT NULL
               GROUP BY ALL HAVING count(*) > 1) USING (project_id)
    WINDOW w AS (PARTITION BY project_id ORDER BY _src, _row)
) WHERE n > 1
UNION ALL
SELECT 'project_reports', _src, _row, 'project_id, period_end', 'duplicate',
       concat('project_id ', project_id, ', period_end ', period_end), CAST(first_src AS VARCHAR),
       CAST(first_row AS VARCHAR), NULL, NULL
FROM (
    SELECT t.*, first_value(_src) OVER w AS first_src, first_value(_row) OVER w AS first_row,
           row_number() OVER w AS n
    FROM t_project_reports t
    SEMI JOIN (SELECT project_id, period_end FROM t_project_reports
               WHERE project_id IS NOT NULL AND period_end IS NOT NULL
               GROUP BY ALL HAVING count(*) > 1) USING (project_id, period_end)
    WINDOW w AS (PARTITION BY project_id, period_end ORDER BY _src, _row)
) WHERE n > 1
UNION ALL
SELECT 'groups', _src, _row, 'project_id, group_id', 'duplicate',
       concat('project_id ', project_id, ', group_id ', group_id), CAST(first_src AS VARCHAR),
       CAST(first_row AS VARCHAR), NULL, NULL
FROM (
    SELECT t.*, first_value(_src) OVER w AS first_src, first_value(_row) OVER w AS first_row,
           row_number() OVER w AS n
    FROM t_groups t
    SEMI JOIN (SELECT project_id, group_id FROM t_groups
               WHERE project_id IS NOT NULL AND group_id IS NOT NULL
               GROUP BY ALL HAVING count(*) > 1) USING (project_id, group_id)
    WINDOW w AS (PARTITION BY project_id, group_id ORDER BY _src, _row)
) WHERE n > 1
UNION ALL
SELECT 'datasets', _src, _row, 'project_id, group_id, report_date', 'duplicate',
       concat('project_id ', project_id, ', group_id ', group_id, ', report_date ', report_date),
       CAST(first_src AS VARCHAR), CAST(first_row AS VARCHAR), NULL, NULL
FROM (
    SELECT t.*, first_value(_src) OVER w AS first_src, first_value(_row) OVER w AS first_row,
           row_number() OVER w AS n
    FROM t_datasets t
    SEMI JOIN (SELECT project_id, group_id, report_date FROM t_datasets
               WHERE project_id IS NOT NULL AND group_id IS NOT NULL AND report_date IS NOT NULL
               GROUP BY ALL HAVING count(*) > 1) USING (project_id, group_id, report_date)
    WINDOW w AS (PARTITION BY project_id, group_id, report_date ORDER BY _src, _row)
) WHERE n > 1
