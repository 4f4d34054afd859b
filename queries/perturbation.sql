-- Disclosure control in indicator_tail.sql (dashboard.disclosure): `cost` from `cost_sums`
-- and `perturbed_sums` from `agg`, with the figures of cells that hold other organisations'
-- groups perturbed. A view with no such cells (an administrator's: $foreign is empty) takes
-- the swap perturbation=perturbation_none, the same sums as they are.
--
-- The members and groups of those projects, perturbed where others' groups are among them
-- (dashboard.disclosure), as the same draws as the members and groups of the same groups
-- anywhere else; the projects' own costs and staff are project figures, as reported.
cost AS (
    SELECT * REPLACE (
        CASE WHEN perturbed
             THEN vsla_sum(cost_groups::BIGINT, cost_key, 'members', cost_members,
                           cost_members_eta)::BIGINT
             ELSE cost_members END AS cost_members,
        CASE WHEN perturbed THEN vsla_groups(cost_groups::BIGINT, cost_key)
             ELSE cost_groups END AS cost_groups)
    FROM cost_sums
),
-- Figures of other organisations' groups, perturbed by the cell-key method
-- (dashboard.disclosure): a cell with others' groups (`perturbed`: never for an
-- administrator, whose $foreign is empty) has its count of groups and its sums moved by its
-- groups' permanent noise (the <measure>_eta sums) and a little noise drawn from its key
-- (the sum of its groups' keys); the formulas below then read the perturbed sums.
noisy AS (
    SELECT *,
        CASE WHEN perturbed THEN vsla_perturb(groups, cell_key::VARCHAR, {
            members: members,
            savings_usd: savings_usd,
            loans_outstanding_usd: loans_outstanding_usd,
            assets_usd: assets_usd,
            data_age_days: data_age_days,
            dropouts: dropouts,
            members_at_start: members_at_start,
            loans_outstanding_count: loans_outstanding_count,
            loan_fund_cash_usd: loan_fund_cash_usd,
            write_offs_usd: write_offs_usd,
            profit_usd: profit_usd,
            annualised_profit_usd: annualised_profit_usd,
            groups_replicated: groups_replicated,
            women: women,
            men: men,
            members_youth_recorded: members_youth_recorded,
            youth: youth,
            members_attending: members_attending,
            late_usd: late_usd,
            annualised_savings_base_usd: annualised_savings_base_usd,
            annualised_assets_base_usd: annualised_assets_base_usd
        }, {
            members: members_eta,
            women: women_eta,
            men: men_eta,
            youth: youth_eta,
            members_youth_recorded: members_youth_recorded_eta,
            members_attending: members_attending_eta,
            dropouts: dropouts_eta,
            members_at_start: members_at_start_eta,
            loans_outstanding_count: loans_outstanding_count_eta,
            data_age_days: data_age_days_eta,
            savings_usd: savings_usd_eta,
            loans_outstanding_usd: loans_outstanding_usd_eta,
            loan_fund_cash_usd: loan_fund_cash_usd_eta,
            late_usd: late_usd_eta,
            write_offs_usd: write_offs_usd_eta,
            assets_usd: assets_usd_eta,
            profit_usd: profit_usd_eta,
            annualised_profit_usd: annualised_profit_usd_eta,
            annualised_savings_base_usd: annualised_savings_base_usd_eta,
            annualised_assets_base_usd: annualised_assets_base_usd_eta
        }) END AS noise
    FROM agg
),
perturbed_sums AS (
    SELECT * REPLACE (
        coalesce(noise.groups, groups) AS groups,
        coalesce(noise.members, members)::BIGINT AS members,
        coalesce(noise.savings_usd, savings_usd) AS savings_usd,
        coalesce(noise.loans_outstanding_usd, loans_outstanding_usd) AS loans_outstanding_usd,
        coalesce(noise.assets_usd, assets_usd) AS assets_usd,
        coalesce(noise.data_age_days, data_age_days)::BIGINT AS data_age_days,
        coalesce(noise.dropouts, dropouts)::BIGINT AS dropouts,
        coalesce(noise.members_at_start, members_at_start)::BIGINT AS members_at_start,
        coalesce(noise.loans_outstanding_count, loans_outstanding_count)::BIGINT AS loans_outstanding_count,
        coalesce(noise.loan_fund_cash_usd, loan_fund_cash_usd) AS loan_fund_cash_usd,
        coalesce(noise.write_offs_usd, write_offs_usd) AS write_offs_usd,
        coalesce(noise.profit_usd, profit_usd) AS profit_usd,
        coalesce(noise.annualised_profit_usd, annualised_profit_usd) AS annualised_profit_usd,
        coalesce(noise.groups_replicated, groups_replicated)::BIGINT AS groups_replicated,
        coalesce(noise.women, women)::BIGINT AS women,
        coalesce(noise.men, men)::BIGINT AS men,
        coalesce(noise.members_youth_recorded, members_youth_recorded)::BIGINT AS members_youth_recorded,
        coalesce(noise.youth, youth)::BIGINT AS youth,
        coalesce(noise.members_attending, members_attending)::BIGINT AS members_attending,
        coalesce(noise.late_usd, late_usd) AS late_usd,
        coalesce(noise.annualised_savings_base_usd, annualised_savings_base_usd) AS annualised_savings_base_usd,
        coalesce(noise.annualised_assets_base_usd, annualised_assets_base_usd) AS annualised_assets_base_usd)
    FROM noisy
)
