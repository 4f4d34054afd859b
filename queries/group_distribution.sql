-- The spread across groups (INDICATORS.md: distributions beside pooled ratios, never instead):
-- each active group's own ratio (those the performance page draws), summarised per
-- breakdown value as the 5th, 25th, 50th, 75th and 95th percentiles. Parameters: those of
-- scope.sql (one as-of date) and
--   $bys      VARCHAR[]  breakdowns, each '' (the whole scope), country, organisation or project
--   $foreign  VARCHAR[]  projects whose groups `foreign_groups` counts (small cells)
WITH
--@include scope
, per_group AS (
    SELECT
        b.breakdown,
        CASE b.breakdown
            WHEN 'country' THEN country
            WHEN 'organisation' THEN organisation
            WHEN 'project' THEN project_id
            ELSE ''
        END AS by_value,
        list_contains($foreign::VARCHAR[], project_id) AS is_foreign,
        savings_usd / NULLIF(members, 0) AS savings_per_member_usd,
        CASE WHEN cycle_days >= 90
             THEN profit_usd * 365.0 / cycle_days / NULLIF(assets_usd, 0) END
            AS annualised_return_on_assets,
        CASE WHEN cycle_days >= 90
             THEN profit_usd * 365.0 / cycle_days / NULLIF(savings_usd, 0) END
            AS annualised_return_on_savings,
        loans_usd / NULLIF(loans_usd + loan_fund_cash_usd, 0) AS loan_fund_utilisation,
        late_usd / NULLIF(loans_usd, 0) AS portfolio_at_risk,
        members_attending::DOUBLE / NULLIF(members, 0) AS attendance_rate,
        dropouts::DOUBLE / NULLIF(members_at_start, 0) AS dropout_rate
    FROM scoped
    CROSS JOIN (SELECT unnest($bys::VARCHAR[]) AS breakdown) b
),
long AS (
    UNPIVOT per_group ON COLUMNS(* EXCLUDE (breakdown, by_value, is_foreign)) INTO NAME indicator VALUE value
)
-- one sort per indicator and breakdown value for all five percentiles
SELECT
    breakdown, by_value, indicator, groups, foreign_groups,
    qs[1] AS p05, qs[2] AS q1, qs[3] AS median, qs[4] AS q3, qs[5] AS p95
FROM (
    SELECT
        breakdown,
        by_value,
        indicator,
        count(value) AS groups,
        count(value) FILTER (WHERE is_foreign) AS foreign_groups,
        quantile_cont(value, [0.05, 0.25, 0.5, 0.75, 0.95]) AS qs
    FROM long
    WHERE isfinite(value)
    GROUP BY breakdown, by_value, indicator
)
ORDER BY breakdown, by_value, indicator
