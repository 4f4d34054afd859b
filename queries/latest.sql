-- Active groups: each group's latest dataset with report_date <= as_of, if newer than
-- as_of - 365 days. That dataset is the group's one contribution.
latest AS (
    SELECT a.as_of, d.*
    FROM dates a
    JOIN datasets d
      ON d.report_date <= a.as_of AND d.report_date > a.as_of - 365
    WHERE d.project_id IN (SELECT project_id FROM proj)
    QUALIFY row_number() OVER (
        PARTITION BY a.as_of, d.project_id, d.group_id ORDER BY d.report_date DESC) = 1
)
