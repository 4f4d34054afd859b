-- Each group (or cube cell) of `grouped` once per breakdown asked for, with its value of that
-- breakdown (part of indicator_tail.sql; with the swap dims_input=dims_input_measured, of the
-- network's `measured` rows, in network_indicators.sql and network_indicators_cube.sql).
dims AS (
    SELECT
        g.*,
        b.breakdown,
        CASE
            WHEN b.breakdown = 'country' THEN country
            WHEN b.breakdown = 'organisation' THEN organisation
            WHEN b.breakdown = 'project' THEN project_id
            WHEN b.breakdown = 'trained_by' THEN trained_by
            WHEN b.breakdown = 'trainer' THEN trainer
            WHEN b.breakdown = 'setting' THEN setting
            WHEN b.breakdown = 'status' THEN status
            WHEN b.breakdown = 'cycle' THEN CASE WHEN first_cycle THEN 'first' ELSE 'later' END
            WHEN b.breakdown = 'women_band' THEN women_band
            WHEN b.breakdown = 'youth_band' THEN youth_band
            -- 'tag:<name>': groups carrying the tag ('yes') against all others ('no')
            WHEN starts_with(b.breakdown, 'tag:') THEN
                CASE WHEN list_contains(string_split(coalesce(tags, ''), ';'),
                                        substr(b.breakdown, 5)) THEN 'yes' ELSE 'no' END
            -- 'yes:<id>': groups answering yes to the network's yes/no field <id> against all
            -- others (no, or not recorded)
            WHEN starts_with(b.breakdown, 'yes:') THEN
                CASE WHEN list_contains(string_split(coalesce(yes_fields, ''), ';'),
                                        substr(b.breakdown, 5)) THEN 'yes' ELSE 'no' END
            WHEN b.breakdown = 'quarter' THEN year(as_of)::VARCHAR || 'Q' || quarter(as_of)::VARCHAR
            ELSE NULL
        END AS by_value
    FROM
--@include dims_input
    g
    CROSS JOIN (SELECT unnest($bys::VARCHAR[]) AS breakdown) b
)
