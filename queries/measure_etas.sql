-- The sums of each measure's permanent noise (<measure>_eta: dashboard.disclosure), after
-- measure_sums.sql where figures are perturbed (the rollup cubes, indicator_tail.sql); a
-- view that perturbs nothing takes the swap measure_etas=measure_etas_none.
    ,
    sum(members_eta) AS members_eta,
    sum(women_eta) AS women_eta,
    sum(men_eta) AS men_eta,
    sum(youth_eta) AS youth_eta,
    sum(members_youth_recorded_eta) AS members_youth_recorded_eta,
    sum(members_attending_eta) AS members_attending_eta,
    sum(dropouts_eta) AS dropouts_eta,
    sum(members_at_start_eta) AS members_at_start_eta,
    sum(loans_outstanding_count_eta) AS loans_outstanding_count_eta,
    sum(data_age_days_eta) AS data_age_days_eta,
    sum(savings_usd_eta) AS savings_usd_eta,
    sum(loans_outstanding_usd_eta) AS loans_outstanding_usd_eta,
    sum(loan_fund_cash_usd_eta) AS loan_fund_cash_usd_eta,
    sum(late_usd_eta) AS late_usd_eta,
    sum(write_offs_usd_eta) AS write_offs_usd_eta,
    sum(assets_usd_eta) AS assets_usd_eta,
    sum(profit_usd_eta) AS profit_usd_eta,
    sum(annualised_profit_usd_eta) AS annualised_profit_usd_eta,
    sum(annualised_savings_base_usd_eta) AS annualised_savings_base_usd_eta,
    sum(annualised_assets_base_usd_eta) AS annualised_assets_base_usd_eta
