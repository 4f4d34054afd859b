-- Each project's latest project report up to the as-of date (staff and cost).
-- Parameters: $as_of DATE.
SELECT project_id, period_end, cost_to_date, field_officers, village_agents
FROM project_reports
WHERE period_end <= $as_of::DATE
QUALIFY row_number() OVER (PARTITION BY project_id ORDER BY period_end DESC) = 1
