-- The end of network_indicators.sql and network_indicators_cube.sql: the sums of each
-- indicator per breakdown and as-of date, with what disclosure control needs: the number of
-- groups that record it, their key and their permanent noise (dashboard.analytics.engine.network_values
-- perturbs the sums of cells that hold other organisations' groups with
-- dashboard.analytics.disclosure.network, as indicator_tail.sql's are perturbed).
sums AS (
    SELECT as_of, breakdown, by_value, name, sum(numerator) AS numerator,
           sum(denominator) AS denominator, sum(groups)::BIGINT AS groups,
           -- (a denominator is the same draw as the same count of the same groups elsewhere;
           -- each numerator its own: dashboard.analytics.disclosure.network)
           sum(cell_key)::VARCHAR AS cell_key,
           sum(numerator_eta) AS numerator_eta, sum(denominator_eta) AS denominator_eta
    FROM dims
    GROUP BY as_of, breakdown, by_value, name
)
SELECT * FROM sums
