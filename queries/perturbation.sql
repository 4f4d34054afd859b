-- Disclosure control in indicator_tail.sql (dashboard.analytics.disclosure): `cost` from `cost_sums`
-- and `perturbed_sums` from `agg`, with the figures of cells that hold other organisations'
-- groups perturbed. A view with no such cells (an administrator's: $foreign is empty) takes
-- the swap perturbation=perturbation_none, the same sums as they are.
--
-- The members and groups of those projects, perturbed where others' groups are among them
-- (dashboard.analytics.disclosure), as the same draws as the members and groups of the same groups
-- anywhere else; the projects' own costs and staff are project figures, as reported.
cost AS (
    SELECT * REPLACE (
        CASE WHEN perturbed
             THEN vsla_sum(cost_groups::BIGINT, cost_key, 'members', cost_members,
                           cost_members_eta)::BIGINT
             ELSE cost_members END AS cost_members,
        CASE WHEN perturbed THEN vsla_groups(cost_groups::BIGINT, cost_key)
             ELSE cost_groups END AS cost_groups)
    FROM cost_sums
),
-- Figures of other organisations' groups, perturbed by the cell-key method
-- (dashboard.analytics.disclosure): a cell with others' groups (`perturbed`: never for an
-- administrator, whose $foreign is empty) has its count of groups and its sums moved by its
-- groups' permanent noise (the <measure>_eta sums) and a little noise drawn from its key
-- (the sum of its groups' keys); the formulas below then read the perturbed sums.
noisy AS (
    SELECT *,
        CASE WHEN perturbed THEN vsla_perturb(groups, cell_key::VARCHAR,
--@include measure_struct
        ,
--@include measure_eta_struct
        ) END AS noise
    FROM agg
),
perturbed_sums AS (
    SELECT * REPLACE (
--@include measure_perturbed
    )
    FROM noisy
)
