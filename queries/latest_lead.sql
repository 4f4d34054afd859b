-- The same rows as latest.sql, found for many dates at once (building the rollups): a dataset
-- is its group's latest as of every date from its report_date up to the day before the
-- group's next report_date, as long as it is less than 365 days old.
latest AS (
    SELECT a.as_of, d.* EXCLUDE (next_report_date)
    FROM (
        SELECT *, lead(report_date) OVER (
            PARTITION BY project_id, group_id ORDER BY report_date) AS next_report_date
        FROM datasets
        WHERE project_id IN (SELECT project_id FROM proj)
    ) d
    JOIN dates a
      ON d.report_date <= a.as_of AND d.report_date > a.as_of - 365
     AND (d.next_report_date IS NULL OR a.as_of < d.next_report_date)
)
