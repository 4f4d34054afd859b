-- The rollup_cube table (dashboard.rollups.build): grouped.sql's rows summed per rollup date,
-- project and combination of the group-level keys, read by indicators_cube.sql. Parameters:
-- scope.sql's, no filters; the active groups come from rollup_groups.
WITH
--@include scope
,
--@include grouped
SELECT
    as_of, project_id, organisation, country, trained_by, setting, tags, status,
    NULL::VARCHAR AS trainer,
    first_cycle, women_band, women_min_100, women_min_075, women_max_0749, youth_band,
    sum(groups)::BIGINT AS groups,
    sum(groups_replicated)::BIGINT AS groups_replicated,
    sum(data_age_days)::BIGINT AS data_age_days,
    sum(members)::BIGINT AS members,
    sum(women)::BIGINT AS women,
    sum(men)::BIGINT AS men,
    sum(youth)::BIGINT AS youth,
    sum(members_youth_recorded)::BIGINT AS members_youth_recorded,
    sum(members_attending)::BIGINT AS members_attending,
    sum(dropouts)::BIGINT AS dropouts,
    sum(members_at_start)::BIGINT AS members_at_start,
    sum(savings_usd) AS savings_usd,
    sum(loans_outstanding_usd) AS loans_outstanding_usd,
    sum(loans_outstanding_count)::BIGINT AS loans_outstanding_count,
    sum(loan_fund_cash_usd) AS loan_fund_cash_usd,
    sum(late_usd) AS late_usd,
    sum(write_offs_usd) AS write_offs_usd,
    sum(assets_usd) AS assets_usd,
    sum(profit_usd) AS profit_usd,
    sum(annualised_profit_usd) AS annualised_profit_usd,
    sum(annualised_savings_base_usd) AS annualised_savings_base_usd,
    sum(annualised_assets_base_usd) AS annualised_assets_base_usd
FROM grouped
GROUP BY as_of, project_id, organisation, country, trained_by, setting, tags, status,
    first_cycle, women_band, women_min_100, women_min_075, women_max_0749, youth_band
ORDER BY as_of, project_id
