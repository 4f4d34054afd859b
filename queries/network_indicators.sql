-- The network's own indicators (issue 8): each field of data/network.toml over the active
-- groups in scope, per breakdown and as-of date, as indicators.sql's rows are.
--
-- Parameters: those of scope.sql, $bys (as indicators.sql), and
--   $fields  STRUCT(name VARCHAR, field VARCHAR, kind VARCHAR, denominator VARCHAR,
--            choice VARCHAR)[]: the indicators (name: ndf_<id>, or ndf_<id>__<category> for
--            each category of a category field, whose `choice` it is), by their field's pool
--            column (ndf_<id>); kind count, yesno, amount or category
-- A field's value counts where it is recorded (an empty cell is not a zero): a share is the
-- sum of the field over the sum of its denominator in the groups that record it (members,
-- women, men or youth of the same dataset; groups: each group counts one), so a ratio of sums
-- as every SAVIX ratio; a yes/no field is the share of recording groups that say yes; an
-- amount is converted to USD at the rate of its dataset's year; a category's share is of the
-- recording groups in that category.
-- The datasets' own fields come with each group's latest dataset, the groups' from groups.
-- The including code runs this only when the pool has at least one ndf_ column.
WITH
--@include scope
,
--@include grouped
,
--@include dims
,
wide AS (
    SELECT
        dm.as_of, dm.breakdown, dm.by_value, dm.members, dm.women, dm.men, dm.youth,
        s.per_usd,
        COLUMNS('^ndf_')::VARCHAR
    FROM dims dm
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
)
SELECT
    l.as_of,
    l.breakdown,
    l.by_value,
    f.name,
    sum(CASE f.kind
            WHEN 'yesno' THEN CASE WHEN l.value = 'true' THEN 1 ELSE 0 END
            WHEN 'category' THEN CASE WHEN l.value = f.choice THEN 1 ELSE 0 END
            WHEN 'amount' THEN try_cast(l.value AS DOUBLE) / l.per_usd
            ELSE try_cast(l.value AS DOUBLE)
        END) AS numerator,
    sum(CASE
            -- (an amount without a USD rate counts in neither part; imports refuse those)
            WHEN f.kind = 'amount' AND l.per_usd IS NULL THEN NULL
            WHEN f.denominator = 'members' THEN l.members
            WHEN f.denominator = 'women' THEN l.women
            WHEN f.denominator = 'men' THEN l.men
            WHEN f.denominator = 'youth' THEN l.youth
            ELSE 1
        END) AS denominator
FROM long l
JOIN fields f USING (field)
GROUP BY ALL
