-- The network's own indicators (issue 8): each field of data/network.toml over the active
-- groups in scope, per breakdown and as-of date, as indicators.sql's rows are.
--
-- Parameters: those of scope.sql, $bys (as indicators.sql), and
--   $fields  STRUCT(field VARCHAR, kind VARCHAR, denominator VARCHAR)[]: the fields, by their
--            pool column (ndf_<id>); kind count, yesno or amount
-- A field's value counts where it is recorded (an empty cell is not a zero): a share is the
-- sum of the field over the sum of its denominator in the groups that record it (members,
-- women, men or youth of the same dataset; groups: each group counts one), so a ratio of sums
-- as every SAVIX ratio; a yes/no field is the share of recording groups that say yes; an
-- amount is converted to USD at the rate of its dataset's year.
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
    SELECT unnest($fields::STRUCT(field VARCHAR, kind VARCHAR, denominator VARCHAR)[],
                  recursive := true)
)
SELECT
    l.as_of,
    l.breakdown,
    l.by_value,
    l.field,
    sum(CASE f.kind
            WHEN 'yesno' THEN CASE WHEN l.value = 'true' THEN 1 ELSE 0 END
            WHEN 'amount' THEN try_cast(l.value AS DOUBLE) / l.per_usd
            ELSE try_cast(l.value AS DOUBLE)
        END) AS numerator,
    sum(CASE f.denominator
            WHEN 'members' THEN l.members
            WHEN 'women' THEN l.women
            WHEN 'men' THEN l.men
            WHEN 'youth' THEN l.youth
            ELSE 1
        END) AS denominator
FROM long l
JOIN fields f USING (field)
GROUP BY ALL
