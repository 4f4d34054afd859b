-- The end of network_indicators.sql and network_indicators_cube.sql: the sums of each
-- indicator per breakdown and as-of date, perturbed where the cell holds other
-- organisations' groups (dashboard.disclosure.network, as indicator_tail.sql's are).
sums AS (
    SELECT as_of, breakdown, by_value, name, sum(numerator) AS numerator,
           sum(denominator) AS denominator, sum(groups)::BIGINT AS groups,
           -- (each indicator its own draws, even where the same groups record two)
           sum(cell_key)::VARCHAR || '/' || name AS cell_key,
           coalesce(bool_or(list_contains($foreign::VARCHAR[], project_id)), false)
               AS perturbed
    FROM dims
    GROUP BY as_of, breakdown, by_value, name
)
--@include network_noise
