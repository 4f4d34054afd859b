-- The end of network_tail.sql: each indicator's sums, perturbed where the cell holds other
-- organisations' groups (dashboard.disclosure.network). A view with no such cells takes the
-- swap network_noise=network_noise_none.
, kinds AS (
    SELECT name, kind, denominator AS per
    FROM (SELECT unnest($fields::STRUCT(name VARCHAR, field VARCHAR, kind VARCHAR,
                                        denominator VARCHAR, choice VARCHAR)[],
                        recursive := true))
),
noisy AS (
    SELECT s.*,
        CASE WHEN s.perturbed
             THEN vsla_network(k.kind, k.per, s.groups, s.cell_key, s.numerator, s.denominator)
        END AS noise
    FROM sums s
    JOIN kinds k USING (name)
)
SELECT as_of, breakdown, by_value, name,
    CASE WHEN perturbed THEN noise.numerator ELSE numerator END AS numerator,
    CASE WHEN perturbed THEN noise.denominator ELSE denominator END AS denominator
FROM noisy
