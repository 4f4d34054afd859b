-- Which groups count, and how their money converts: the scope rules of INDICATORS.md, written
-- once and included (--@include scope) by every query that needs them. It defines the CTEs
--   dates   the as-of dates ($as_of_dates DATE[]: one, or each quarter end of a trend)
--   proj    projects passing the project-level filters ($country, $organisation, $project)
--           among those the viewer may see (visible.sql)
--   active  each group's latest dataset up to each as-of date, if newer than as-of - 365 days
--           (the active groups), with group attributes, the USD rate, cycle length, data age
--           and `in_scope` (the group-level filters: $trained_by, $setting, $tag, $yes, $status,
--           $cycle, $min_pct_women, $max_pct_women, $youth_recorded)
--   scoped  the active groups in scope, money in USD
-- Empty lists mean "no filter". Values in one list are OR; filters are AND.
-- `active` is found from the datasets (active.sql) or, when every as-of date is one of the
-- pool's rollup dates, read from the rollup_groups table that holds it (active_rollup.sql).
-- The including query writes `WITH` before the include and continues with `, next AS (...)`.
--@include scope_projects
,
--@include active
,
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
