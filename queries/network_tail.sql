-- The end of network_indicators.sql and network_indicators_cube.sql: the sums of each
-- indicator per breakdown and as-of date, with what disclosure control needs: the number of
-- groups that record it and their key (dashboard.engine.network_values perturbs the
-- sums of cells that hold other organisations' groups with dashboard.disclosure.network,
-- as indicator_tail.sql's are perturbed).
sums AS (
    SELECT as_of, breakdown, by_value, name, sum(numerator) AS numerator,
           sum(denominator) AS denominator, sum(groups)::BIGINT AS groups,
           -- (each indicator its own draws, even where the same groups record two)
           sum(cell_key)::VARCHAR || '/' || name AS cell_key
    FROM dims
    GROUP BY as_of, breakdown, by_value, name
)
SELECT * FROM sums
