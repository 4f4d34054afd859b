-- The active groups found from the datasets (part of scope.sql; see there).
--@include latest
,
active AS (
    SELECT
        l.*,
        p.organisation, p.country, g.trained_by, g.trainer_id, g.setting, g.tags,
        date_diff('day', l.report_date, l.as_of) AS data_age_days,
        -- money per dataset, converted at the rate of the year of its report_date
        coalesce(x.per_usd, CASE WHEN p.currency = 'USD' THEN 1.0 END) AS per_usd,
        date_diff('day', l.cycle_start_date, l.report_date) AS cycle_days,
        -- the network's yes/no fields answered yes, ';'-separated (as tags): the expression is
        -- made from data/network.toml where the query runs (dashboard.engine.with_fields)
        /*@yes_fields*/NULL::VARCHAR AS yes_fields,
        -- the group's fixed random key (disclosure control, dashboard.disclosure): from the
        -- pool's secret, never shown; the same for the group at every date and in every process
        (md5_number(coalesce(
            (SELECT value FROM pool_meta WHERE key = 'cell_key_secret'),
            (SELECT value FROM pool_meta WHERE key = 'created_at'), '')
            || chr(31) || l.project_id || chr(31) || l.group_id) % 4294967296)::BIGINT
            AS cell_key,
--@include in_scope
    FROM latest l
    JOIN proj p USING (project_id)
    JOIN groups g USING (project_id, group_id)
    LEFT JOIN exchange_rates x ON x.currency = p.currency AND x.year = year(l.report_date)
)
