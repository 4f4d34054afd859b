-- Each active group in scope at the first of $as_of_dates, for the trainer report
-- (dashboard/analytics/trainers.py): the group's own figures (its table, one click from its trainer)
-- and, where the group was active at the second date (the same quarter a year earlier),
-- its savings per member then (its growth). Only the viewer's own organisation's projects
-- (datasource.trainer_groups scopes them in detail): no perturbation. Parameters: those
-- of scope.sql, with $as_of_dates [as_of, a year earlier].
WITH
--@include scope
, now_ AS (SELECT * FROM scoped WHERE as_of = $as_of_dates[1]),
then_ AS (SELECT * FROM scoped WHERE as_of = $as_of_dates[2])
SELECT
    n.project_id,
    n.organisation,
    n.project_id || '/' || coalesce(n.trainer_id, '') AS trainer,
    n.group_id,
    g.group_name,
    n.trained_by,
    n.status,
    n.report_date,
    n.data_age_days,
    n.cycle_number,
    n.members,
    n.women,
    n.members_attending,
    n.dropouts,
    n.members_at_start,
    n.savings_usd,
    n.loans_usd AS loans_outstanding_usd,
    n.loan_fund_cash_usd,
    n.late_usd,
    n.women::DOUBLE / NULLIF(n.members, 0) AS pct_women,
    n.savings_usd / NULLIF(n.members, 0) AS savings_per_member_usd,
    n.members_attending::DOUBLE / NULLIF(n.members, 0) AS attendance_rate,
    n.dropouts::DOUBLE / NULLIF(n.members_at_start, 0) AS dropout_rate,
    n.loans_usd / NULLIF(n.loans_usd + n.loan_fund_cash_usd, 0) AS loan_fund_utilisation,
    n.late_usd / NULLIF(n.loans_usd, 0) AS portfolio_at_risk,
    t.savings_usd / NULLIF(t.members, 0) AS savings_per_member_usd_then,
    (n.savings_usd / NULLIF(n.members, 0))
        / NULLIF(t.savings_usd / NULLIF(t.members, 0), 0) - 1 AS savings_per_member_growth
FROM now_ n
JOIN groups g USING (project_id, group_id)
LEFT JOIN then_ t USING (project_id, group_id)
ORDER BY n.project_id, trainer, n.group_id
