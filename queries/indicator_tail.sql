-- The formulas of every indicator (the end of indicators.sql and indicators_cube.sql), from
-- `grouped` (keys and measures, per group or summed per cube cell) and `project_groups`
-- (all active groups per project, for the cost indicators).
--@include dims
,
agg AS (
    SELECT
        as_of,
        breakdown,
        by_value,
        count(DISTINCT organisation) AS organisations,
        count(DISTINCT country) AS countries,
        count(DISTINCT project_id) AS projects,
--@include measure_sums
--@include measure_etas
        ,
        -- groups of other organisations' projects (small-cell protection)
        coalesce(sum(groups) FILTER (
            WHERE list_contains($foreign::VARCHAR[], project_id)), 0)::BIGINT AS foreign_groups,
        -- the cell holds others' groups: its figures are perturbed (below)
        coalesce(bool_or(list_contains($foreign::VARCHAR[], project_id)), false) AS perturbed
    FROM dims
    GROUP BY as_of, breakdown, by_value
),
-- Each project's latest quarterly report as of each date, its cost in USD at the rate of the
-- year of its period_end; only projects with a report count for cost.
project_report AS (
    SELECT
        a.as_of, r.project_id, r.field_officers, r.village_agents,
        r.cost_to_date / coalesce(x.per_usd, CASE WHEN p.currency = 'USD' THEN 1.0 END)
            AS cost_usd
    FROM dates a
    JOIN project_reports r ON r.period_end <= a.as_of
    JOIN proj p USING (project_id)
    LEFT JOIN exchange_rates x ON x.currency = p.currency AND x.year = year(r.period_end)
    QUALIFY row_number() OVER (
        PARTITION BY a.as_of, r.project_id ORDER BY r.period_end DESC) = 1
),
cost_sums AS (
    SELECT
        s.as_of, s.breakdown, s.by_value,
        sum(r.cost_usd) AS cost_to_date_usd,
        sum(pg.members) AS cost_members,
        sum(pg.groups) AS cost_groups,
        sum(r.field_officers) AS field_officers,
        sum(r.field_officers + r.village_agents) AS trainers,
        sum(pg.cell_key)::VARCHAR AS cost_key,
        sum(pg.members_eta) AS cost_members_eta,
        coalesce(bool_or(list_contains($foreign::VARCHAR[], s.project_id)), false)
            AS perturbed
    FROM (SELECT DISTINCT as_of, breakdown, by_value, project_id FROM dims) s
    JOIN project_report r USING (as_of, project_id)
    JOIN project_groups pg USING (as_of, project_id)
    GROUP BY s.as_of, s.breakdown, s.by_value
),
--@include perturbation
SELECT
    a.as_of,
    a.breakdown,
    a.by_value,
    a.organisations,
    a.countries,
    a.projects,
    a.groups,
    a.groups_replicated,
    a.data_age_days / NULLIF(a.groups, 0) AS data_age_days,  -- the mean, from the sum
    a.groups_replicated / NULLIF(a.groups - a.groups_replicated, 0) AS replication_rate,
    a.members,
    a.women,
    a.men,
    a.women / NULLIF(a.members, 0) AS pct_women,
    a.youth / NULLIF(a.members_youth_recorded, 0) AS pct_youth,
    a.members / NULLIF(a.groups, 0) AS avg_group_size,
    a.members_attending / NULLIF(a.members, 0) AS attendance_rate,
    a.dropouts / NULLIF(a.members_at_start, 0) AS dropout_rate,
    (a.members - a.members_at_start) / NULLIF(a.members_at_start, 0) AS membership_growth,
    a.savings_usd,
    a.savings_usd / NULLIF(a.members, 0) AS savings_per_member_usd,
    a.loans_outstanding_usd,
    a.loans_outstanding_usd / NULLIF(a.loans_outstanding_count, 0) AS avg_loan_usd,
    a.loans_outstanding_count / NULLIF(a.members, 0) AS pct_members_with_loans,
    a.loans_outstanding_usd
        / NULLIF(a.loans_outstanding_usd + a.loan_fund_cash_usd, 0) AS loan_fund_utilisation,
    a.late_usd / NULLIF(a.loans_outstanding_usd, 0) AS portfolio_at_risk,
    a.write_offs_usd / NULLIF(a.loans_outstanding_usd, 0) AS write_off_ratio,
    a.assets_usd,
    a.profit_usd,
    a.profit_usd / NULLIF(a.savings_usd, 0) AS return_on_savings,
    a.profit_usd / NULLIF(a.assets_usd, 0) AS return_on_assets,
    a.annualised_profit_usd / NULLIF(a.annualised_savings_base_usd, 0)
        AS annualised_return_on_savings,
    a.annualised_profit_usd / NULLIF(a.annualised_assets_base_usd, 0)
        AS annualised_return_on_assets,
    c.cost_to_date_usd,
    c.cost_to_date_usd / NULLIF(c.cost_members, 0) AS cost_per_member_usd,
    c.cost_to_date_usd / NULLIF(c.cost_groups, 0) AS cost_per_group_usd,
    c.cost_members / NULLIF(c.field_officers, 0) AS members_per_field_officer,
    c.cost_groups / NULLIF(c.trainers, 0) AS groups_per_trainer,
    a.foreign_groups
FROM perturbed_sums a
LEFT JOIN cost c
  ON c.as_of = a.as_of AND c.breakdown = a.breakdown
 AND c.by_value IS NOT DISTINCT FROM a.by_value
ORDER BY a.breakdown, a.as_of, a.by_value NULLS LAST
