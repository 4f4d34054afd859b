-- The network's own fields measured per active group (part of network_indicators.sql and
-- rollup_network.sql): after grouped.sql, one row per group and indicator of $fields that
-- the group records, with the group's keys, the indicator's `name`, its `numerator` and its
-- `denominator`. Parameters:
--   $fields  STRUCT(name VARCHAR, field VARCHAR, kind VARCHAR, denominator VARCHAR,
--            choice VARCHAR)[]: the indicators (name: ndf_<id>, or ndf_<id>__<category> for
--            each category of a category field, whose `choice` it is), by their field's pool
--            column (ndf_<id>); kind count, yesno, amount or category
-- A field counts where it is recorded (an empty cell is not a zero; UNPIVOT drops it): a
-- count adds up over its denominator (members, women, men or youth of the same dataset;
-- groups: each group counts one), a yes/no field counts the groups saying yes, a category
-- the groups in it, an amount converts to USD at the rate of its dataset's year (one without
-- a rate counts in neither part; imports refuse those). The datasets' own fields come with
-- each group's latest dataset (scoped), the groups' from groups.
wide AS (
    SELECT gp.*, s.per_usd, COLUMNS('^ndf_')::VARCHAR
    FROM grouped gp
    JOIN scoped s USING (as_of, project_id, group_id)
    JOIN groups g USING (project_id, group_id)
),
long AS (
    UNPIVOT wide ON COLUMNS('^ndf_') INTO NAME field VALUE value
),
fields AS (
    SELECT unnest($fields::STRUCT(name VARCHAR, field VARCHAR, kind VARCHAR,
                                  denominator VARCHAR, choice VARCHAR)[],
                  recursive := true)
),
measured AS (
    SELECT
        l.* EXCLUDE (field, value),
        f.name,
        CASE f.kind
            WHEN 'yesno' THEN CASE WHEN l.value = 'true' THEN 1 ELSE 0 END
            WHEN 'category' THEN CASE WHEN l.value = f.choice THEN 1 ELSE 0 END
            WHEN 'amount' THEN try_cast(l.value AS DOUBLE) / l.per_usd
            ELSE try_cast(l.value AS DOUBLE)
        END AS numerator,
        CASE
            WHEN f.kind = 'amount' AND l.per_usd IS NULL THEN NULL
            WHEN f.denominator = 'members' THEN l.members
            WHEN f.denominator = 'women' THEN l.women
            WHEN f.denominator = 'men' THEN l.men
            WHEN f.denominator = 'youth' THEN l.youth
            ELSE 1
        END AS denominator,
        -- the group's permanent noise of each part (dashboard.analytics.disclosure): a count of people
        -- or an amount its own draw for the indicator (4 bits of a hash of the group's seed
        -- and the indicator's name); a denominator of people the same as that count's in
        -- grouped.sql; a count of groups (yes/no, category, per group) none
        CASE WHEN f.kind IN ('count', 'amount')
             THEN numerator * n.e[1 + (hash(l.noise_a, f.name) & 15)::INT] END AS numerator_eta,
        CASE
            WHEN f.kind = 'amount' AND l.per_usd IS NULL THEN NULL
            WHEN f.denominator = 'members' THEN l.members_eta
            WHEN f.denominator = 'women' THEN l.women_eta
            WHEN f.denominator = 'men' THEN l.men_eta
            WHEN f.denominator = 'youth' THEN l.youth_eta
        END AS denominator_eta
    FROM long l
    JOIN fields f USING (field),
--@include noise_factors
        n
)
