-- indicator_tail.sql's sums as they are, where nothing is perturbed (the swap
-- perturbation=perturbation_none, for a viewer who sees no other organisation's groups:
-- perturbation.sql's outputs without its work).
cost AS (SELECT * FROM cost_sums),
perturbed_sums AS (SELECT * FROM agg)
