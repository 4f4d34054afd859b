-- The active groups found from the datasets (part of scope.sql; see there).
--@include latest
,
active AS (
    -- the group's keys of disclosure control (dashboard.analytics.disclosure), from its fixed random
    -- number: `cell_key` (32 bits; a cell's key is the sum of its groups'), and the seeds of
    -- its permanent noise, `noise_a` (64 bits) and `noise_b` (32 bits)
    SELECT * EXCLUDE (group_hash),
        (group_hash % 4294967296::UHUGEINT)::BIGINT AS cell_key,
        ((group_hash >> 32::UHUGEINT) % 18446744073709551616::UHUGEINT)::UBIGINT AS noise_a,
        (group_hash >> 96::UHUGEINT)::UBIGINT AS noise_b
    FROM (
        SELECT
            l.*,
            p.organisation, p.country, g.trained_by, g.trainer_id, g.setting, g.tags,
            date_diff('day', l.report_date, l.as_of) AS data_age_days,
            -- money per dataset, converted at the rate of the year of its report_date
            coalesce(x.per_usd, CASE WHEN p.currency = 'USD' THEN 1.0 END) AS per_usd,
            date_diff('day', l.cycle_start_date, l.report_date) AS cycle_days,
            -- the network's yes/no fields answered yes, ';'-separated (as tags): the
            -- expression is made from data/network.toml where the query runs
            -- (dashboard.analytics.engine.with_fields)
            /*@yes_fields*/NULL::VARCHAR AS yes_fields,
--@include group_hash
                AS group_hash,
--@include in_scope
        FROM latest l
        JOIN proj p USING (project_id)
        JOIN groups g USING (project_id, group_id)
        LEFT JOIN exchange_rates x ON x.currency = p.currency AND x.year = year(l.report_date)
    )
)
