-- Which groups count, and how their money converts: the scope rules of INDICATORS.md, written
-- once and included (--@include scope) by every query that needs them. It defines the CTEs
--   dates   the as-of dates ($as_of_dates DATE[]: one, or each quarter end of a trend)
--   proj    projects passing the project-level filters ($country, $organisation, $project)
--           among those the viewer may see ($restricted BOOLEAN, $visible VARCHAR[])
--   latest  each group's latest dataset up to each as-of date, if newer than as-of - 365 days
--   active  those datasets (the active groups) with group attributes, the USD rate, cycle
--           length, data age and `in_scope` (the group-level filters: $trained_by, $setting,
--           $tag, $status, $cycle, $min_pct_women, $max_pct_women, $youth_recorded)
--   scoped  the active groups in scope, money in USD
-- Empty lists mean "no filter". Values in one list are OR; filters are AND.
-- The including query writes `WITH` before the include and continues with `, next AS (...)`.
dates AS (
    SELECT unnest($as_of_dates::DATE[]) AS as_of
),
proj AS (
    SELECT p.project_id, p.organisation, p.country, p.currency
    FROM projects p
    WHERE (len($country::VARCHAR[]) = 0 OR list_contains($country::VARCHAR[], p.country))
      AND (len($organisation::VARCHAR[]) = 0 OR list_contains($organisation::VARCHAR[], p.organisation))
      AND (len($project::VARCHAR[]) = 0 OR list_contains($project::VARCHAR[], p.project_id))
      AND (NOT $restricted::BOOLEAN OR list_contains($visible::VARCHAR[], p.project_id))
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
        p.organisation, p.country, g.trained_by, g.trainer_id, g.setting, g.tags,
        date_diff('day', l.report_date, l.as_of) AS data_age_days,
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
)
