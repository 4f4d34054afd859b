-- Each active group in scope as the indicators see it (part of indicators.sql, and what the
-- rollup_cube table sums): the keys that filters and breakdowns use, and the measures that
-- the indicators add up. The cube groups these rows by every key but `trainer` and sums the
-- measures, so that adding up cube rows gives exactly what adding up groups gives.
grouped AS (
    SELECT
        -- keys
        as_of, project_id, organisation, country, trained_by, setting, tags, yes_fields, status,
        project_id || '/' || coalesce(trainer_id, '') AS trainer,
        group_id,  -- (not a cube key: the network's own fields join on it)
        noise_a,  -- (nor this: the network's own fields' permanent noise is drawn from it)
        cycle_number = 1 AS first_cycle,
        CASE WHEN women = members THEN 'women_only'
             WHEN women::DOUBLE / members >= 0.75 THEN 'mostly_women'
             ELSE 'mixed' END AS women_band,
        -- the share-of-women filter's preset bounds (dashboard.analytics.rollups.WOMEN_BOUNDS)
        women::DOUBLE / members >= 1.0 AS women_min_100,
        women::DOUBLE / members >= 0.75 AS women_min_075,
        women::DOUBLE / members <= 0.749 AS women_max_0749,
        CASE WHEN youth IS NULL THEN 'not_recorded'
             WHEN youth::DOUBLE / members >= 0.5 THEN 'youth_majority'
             ELSE 'youth_minority' END AS youth_band,
        -- measures
        1 AS groups,
        CASE WHEN trained_by = 'replicated' THEN 1 ELSE 0 END AS groups_replicated,
        data_age_days,
        members, women, men, youth,
        CASE WHEN youth IS NOT NULL THEN members END AS members_youth_recorded,
        members_attending, dropouts, members_at_start,
        savings_usd,
        loans_usd AS loans_outstanding_usd,
        loans_outstanding_count,
        loan_fund_cash_usd, late_usd, write_offs_usd, assets_usd, profit_usd,
        CASE WHEN cycle_days >= 90 THEN profit_usd * 365.0 / cycle_days END
            AS annualised_profit_usd,
        CASE WHEN cycle_days >= 90 THEN savings_usd END AS annualised_savings_base_usd,
        CASE WHEN cycle_days >= 90 THEN assets_usd END AS annualised_assets_base_usd,
        -- the group's key (dashboard.analytics.disclosure): summed like a measure, a cell's key is the sum
        cell_key,
        -- the group's permanent noise (dashboard.analytics.disclosure): each measure moved by its own
        -- fixed draw of 10 to 20 % up or down (4 bits of the group's noise seed each), summed
        -- like the measures; a measure that is a part of another (members whose youth is
        -- recorded, the annualised bases) moves with it
        members * f.e[1 + (noise_a & 15)::INT] AS members_eta,
        women * f.e[1 + ((noise_a >> 4) & 15)::INT] AS women_eta,
        men * f.e[1 + ((noise_a >> 8) & 15)::INT] AS men_eta,
        youth * f.e[1 + ((noise_a >> 12) & 15)::INT] AS youth_eta,
        CASE WHEN youth IS NOT NULL THEN members * f.e[1 + (noise_a & 15)::INT] END
            AS members_youth_recorded_eta,
        members_attending * f.e[1 + ((noise_a >> 16) & 15)::INT] AS members_attending_eta,
        dropouts * f.e[1 + ((noise_a >> 20) & 15)::INT] AS dropouts_eta,
        members_at_start * f.e[1 + ((noise_a >> 24) & 15)::INT] AS members_at_start_eta,
        loans_outstanding_count * f.e[1 + ((noise_a >> 28) & 15)::INT]
            AS loans_outstanding_count_eta,
        data_age_days * f.e[1 + ((noise_a >> 32) & 15)::INT] AS data_age_days_eta,
        savings_usd * f.e[1 + ((noise_a >> 36) & 15)::INT] AS savings_usd_eta,
        loans_usd * f.e[1 + ((noise_a >> 40) & 15)::INT] AS loans_outstanding_usd_eta,
        loan_fund_cash_usd * f.e[1 + ((noise_a >> 44) & 15)::INT] AS loan_fund_cash_usd_eta,
        late_usd * f.e[1 + ((noise_a >> 48) & 15)::INT] AS late_usd_eta,
        write_offs_usd * f.e[1 + ((noise_a >> 52) & 15)::INT] AS write_offs_usd_eta,
        assets_usd * f.e[1 + ((noise_a >> 56) & 15)::INT] AS assets_usd_eta,
        profit_usd * f.e[1 + ((noise_a >> 60) & 15)::INT] AS profit_usd_eta,
        CASE WHEN cycle_days >= 90
             THEN profit_usd * 365.0 / cycle_days * f.e[1 + ((noise_a >> 60) & 15)::INT] END
            AS annualised_profit_usd_eta,
        CASE WHEN cycle_days >= 90 THEN savings_usd * f.e[1 + ((noise_a >> 36) & 15)::INT] END
            AS annualised_savings_base_usd_eta,
        CASE WHEN cycle_days >= 90 THEN assets_usd * f.e[1 + ((noise_a >> 56) & 15)::INT] END
            AS annualised_assets_base_usd_eta
    FROM scoped,
--@include noise_factors
        f
)
