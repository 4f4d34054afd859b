-- The end of network_tail.sql where nothing is perturbed (the swap
-- network_noise=network_noise_none: the viewer sees no other organisation's groups).
SELECT as_of, breakdown, by_value, name, numerator, denominator
FROM sums
