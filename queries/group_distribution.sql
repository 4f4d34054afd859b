-- The spread across groups (INDICATORS.md: distributions beside pooled ratios, never instead):
-- each active group's own ratio (those the performance page draws), summarised per
-- breakdown value as the 5th, 25th, 50th, 75th and 95th percentiles. The ratio of a group of
-- another organisation's (in $foreign) is moved by its permanent noise for that ratio
-- (dashboard.analytics.disclosure: 10 to 20 % up or down, 4 bits of the group's seed noise_b; shares
-- stay between 0 and 1), so that no percentile is any group's own value. Parameters: those of
-- scope.sql (one as-of date) and
--   $bys      VARCHAR[]  breakdowns, each '' (the whole scope), country, organisation or project
--   $foreign  VARCHAR[]  projects whose groups `foreign_groups` counts (small cells) and whose
--                        groups' ratios are moved
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
        noise_b,
        cell_key,
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
-- others' groups' ratios moved (each its own 4 bits of the seed noise_b; shares at most 1)
moved AS (
    SELECT breakdown, by_value, is_foreign, cell_key,
        savings_per_member_usd * (1 + CASE WHEN is_foreign
            THEN n.e[1 + (noise_b & 15)::INT] ELSE 0 END) AS savings_per_member_usd,
        annualised_return_on_assets * (1 + CASE WHEN is_foreign
            THEN n.e[1 + ((noise_b >> 4) & 15)::INT] ELSE 0 END) AS annualised_return_on_assets,
        annualised_return_on_savings * (1 + CASE WHEN is_foreign
            THEN n.e[1 + ((noise_b >> 8) & 15)::INT] ELSE 0 END) AS annualised_return_on_savings,
        least(loan_fund_utilisation * (1 + CASE WHEN is_foreign
            THEN n.e[1 + ((noise_b >> 12) & 15)::INT] ELSE 0 END), 1) AS loan_fund_utilisation,
        least(portfolio_at_risk * (1 + CASE WHEN is_foreign
            THEN n.e[1 + ((noise_b >> 16) & 15)::INT] ELSE 0 END), 1) AS portfolio_at_risk,
        least(attendance_rate * (1 + CASE WHEN is_foreign
            THEN n.e[1 + ((noise_b >> 20) & 15)::INT] ELSE 0 END), 1) AS attendance_rate,
        dropout_rate * (1 + CASE WHEN is_foreign
            THEN n.e[1 + ((noise_b >> 24) & 15)::INT] ELSE 0 END) AS dropout_rate
    FROM per_group,
--@include noise_factors
        n
),
long AS (
    UNPIVOT moved ON COLUMNS(* EXCLUDE (breakdown, by_value, is_foreign, cell_key))
    INTO NAME indicator VALUE value
)
-- one sort per indicator and breakdown value for all five percentiles
-- (the number of groups of a box with others' groups perturbed: the same draw as any count
-- of the same groups)
SELECT
    breakdown, by_value, indicator,
    CASE WHEN foreign_groups > 0 THEN vsla_groups(groups, cell_key::VARCHAR) ELSE groups END
        AS groups,
    foreign_groups,
    qs[1] AS p05, qs[2] AS q1, qs[3] AS median, qs[4] AS q3, qs[5] AS p95
FROM (
    SELECT
        breakdown,
        by_value,
        indicator,
        count(value) AS groups,
        count(value) FILTER (WHERE is_foreign) AS foreign_groups,
        sum(cell_key)::BIGINT AS cell_key,
        quantile_cont(value, [0.05, 0.25, 0.5, 0.75, 0.95]) AS qs
    FROM long
    WHERE isfinite(value)
    GROUP BY breakdown, by_value, indicator
)
ORDER BY breakdown, by_value, indicator
