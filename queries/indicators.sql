-- Every standard indicator of INDICATORS.md, computed once, here.
--
-- Parameters (all bound):
--   $as_of_dates  DATE[]     one as-of date, or each quarter end for trends
--   $by           VARCHAR    '' (one row per as-of date), country, organisation, project,
--                            trained_by, setting or quarter
--   $country, $organisation, $project                    VARCHAR[]  project-level filters
--   $trained_by, $setting, $tag, $status, $cycle         VARCHAR[]  group-level filters
--   $min_pct_women, $max_pct_women  DOUBLE (NULL = none); $youth_recorded BOOLEAN (NULL = any)
-- Empty lists mean "no filter". Values in one list are OR; filters are AND.
-- One row per (as_of, by_value) that has at least one active group in scope.
WITH dates AS (
    SELECT unnest($as_of_dates::DATE[]) AS as_of
),
proj AS (
    SELECT p.project_id, p.organisation, p.country, p.currency
    FROM projects p
    WHERE (len($country::VARCHAR[]) = 0 OR list_contains($country::VARCHAR[], p.country))
      AND (len($organisation::VARCHAR[]) = 0 OR list_contains($organisation::VARCHAR[], p.organisation))
      AND (len($project::VARCHAR[]) = 0 OR list_contains($project::VARCHAR[], p.project_id))
),
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
),
active AS (
    SELECT
        l.*,
        p.organisation, p.country, g.trained_by, g.setting, g.tags,
        -- money per dataset, converted at the rate of the year of its report_date
        coalesce(x.per_usd, CASE WHEN p.currency = 'USD' THEN 1.0 END) AS per_usd,
        date_diff('day', l.cycle_start_date, l.report_date) AS cycle_days,
        (len($trained_by::VARCHAR[]) = 0 OR list_contains($trained_by::VARCHAR[], g.trained_by))
        AND (len($setting::VARCHAR[]) = 0 OR list_contains($setting::VARCHAR[], g.setting))
        AND (len($tag::VARCHAR[]) = 0
             OR list_has_any($tag::VARCHAR[], string_split(coalesce(g.tags, ''), ';')))
        AND (len($status::VARCHAR[]) = 0 OR list_contains($status::VARCHAR[], l.status))
        AND (len($cycle::VARCHAR[]) = 0
             OR (list_contains($cycle::VARCHAR[], 'first') AND l.cycle_number = 1)
             OR (list_contains($cycle::VARCHAR[], 'later') AND l.cycle_number > 1))
        AND ($min_pct_women::DOUBLE IS NULL
             OR l.women::DOUBLE / l.members >= $min_pct_women::DOUBLE)
        AND ($max_pct_women::DOUBLE IS NULL
             OR l.women::DOUBLE / l.members <= $max_pct_women::DOUBLE)
        AND ($youth_recorded::BOOLEAN IS NULL
             OR (l.youth IS NOT NULL) = $youth_recorded::BOOLEAN)
        AS in_scope
    FROM latest l
    JOIN proj p USING (project_id)
    JOIN groups g USING (project_id, group_id)
    LEFT JOIN exchange_rates x ON x.currency = p.currency AND x.year = year(l.report_date)
),
scoped AS (
    SELECT
        *,
        CASE $by::VARCHAR
            WHEN 'country' THEN country
            WHEN 'organisation' THEN organisation
            WHEN 'project' THEN project_id
            WHEN 'trained_by' THEN trained_by
            WHEN 'setting' THEN setting
            WHEN 'quarter' THEN year(as_of)::VARCHAR || 'Q' || quarter(as_of)::VARCHAR
            ELSE NULL
        END AS by_value,
        savings / per_usd AS savings_usd,
        loans_outstanding_value / per_usd AS loans_usd,
        loan_fund_cash / per_usd AS loan_fund_cash_usd,
        late_loans_balance / per_usd AS late_usd,
        write_offs / per_usd AS write_offs_usd,
        (loan_fund_cash + loans_outstanding_value + other_funds_cash + property_now)
            / per_usd AS assets_usd,
        (loan_fund_cash + loans_outstanding_value + property_now
            - savings - property_at_start - debts) / per_usd AS profit_usd
    FROM active
    WHERE in_scope
),
agg AS (
    SELECT
        as_of,
        by_value,
        count(DISTINCT organisation) AS organisations,
        count(DISTINCT country) AS countries,
        count(DISTINCT project_id) AS projects,
        count(*) AS groups,
        count(*) FILTER (WHERE trained_by = 'replicated') AS groups_replicated,
        sum(members) AS members,
        sum(women) AS women,
        sum(men) AS men,
        sum(youth) AS youth,
        sum(members) FILTER (WHERE youth IS NOT NULL) AS members_youth_recorded,
        sum(members_attending) AS members_attending,
        sum(dropouts) AS dropouts,
        sum(members_at_start) AS members_at_start,
        sum(savings_usd) AS savings_usd,
        sum(loans_usd) AS loans_outstanding_usd,
        sum(loans_outstanding_count) AS loans_outstanding_count,
        sum(loan_fund_cash_usd) AS loan_fund_cash_usd,
        sum(late_usd) AS late_usd,
        sum(write_offs_usd) AS write_offs_usd,
        sum(assets_usd) AS assets_usd,
        sum(profit_usd) AS profit_usd,
        sum(profit_usd * 365.0 / cycle_days) FILTER (WHERE cycle_days >= 90) AS annualised_profit_usd,
        sum(savings_usd) FILTER (WHERE cycle_days >= 90) AS annualised_savings_base_usd,
        sum(assets_usd) FILTER (WHERE cycle_days >= 90) AS annualised_assets_base_usd
    FROM scoped
    GROUP BY as_of, by_value
),
-- Cost indicators belong to whole projects: all active groups of each project in scope,
-- whatever the group-level filters, and only projects with a report as of the date.
project_groups AS (
    SELECT as_of, project_id, count(*) AS groups, sum(members) AS members
    FROM active
    GROUP BY as_of, project_id
),
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
cost AS (
    SELECT
        s.as_of, s.by_value,
        sum(r.cost_usd) AS cost_to_date_usd,
        sum(pg.members) AS cost_members,
        sum(pg.groups) AS cost_groups,
        sum(r.field_officers) AS field_officers,
        sum(r.field_officers + r.village_agents) AS trainers
    FROM (SELECT DISTINCT as_of, by_value, project_id FROM scoped) s
    JOIN project_report r USING (as_of, project_id)
    JOIN project_groups pg USING (as_of, project_id)
    GROUP BY s.as_of, s.by_value
)
SELECT
    a.as_of,
    a.by_value,
    a.organisations,
    a.countries,
    a.projects,
    a.groups,
    a.groups_replicated,
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
    c.cost_groups / NULLIF(c.trainers, 0) AS groups_per_trainer
FROM agg a
LEFT JOIN cost c
  ON c.as_of = a.as_of AND c.by_value IS NOT DISTINCT FROM a.by_value
ORDER BY a.as_of, a.by_value NULLS LAST
