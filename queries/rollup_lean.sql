-- The rollup_lean table (dashboard.rollups.build): rollup_cube summed over every group-level
-- key but trained_by (those columns NULL), a few rows per project and date. It answers the
-- views without theme filters other than trained_by, by project, organisation, country,
-- trained_by or none, with the same SQL (indicators_cube.sql), which is what most trends ask.
SELECT
    as_of, project_id, organisation, country, trained_by,
    NULL::VARCHAR AS setting, NULL::VARCHAR AS tags, NULL::VARCHAR AS status,
    NULL::VARCHAR AS trainer, NULL::BOOLEAN AS first_cycle, NULL::VARCHAR AS women_band,
    NULL::BOOLEAN AS women_min_100, NULL::BOOLEAN AS women_min_075,
    NULL::BOOLEAN AS women_max_0749, NULL::VARCHAR AS youth_band,
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
FROM rollup_cube
GROUP BY as_of, project_id, organisation, country, trained_by
ORDER BY as_of, project_id
