-- How many active groups in scope have each number of members (one as-of date).
-- Parameters: those of scope.sql, and $foreign VARCHAR[]: the projects whose groups
-- `foreign_groups` counts (small cells). A bar holding others' groups has its count
-- perturbed (dashboard.analytics.disclosure): the count of groups moves by one or two, as the same
-- draw as any other count of the same groups.
WITH
--@include scope
, bars AS (
    SELECT members, count(*) AS groups,
        count(*) FILTER (WHERE list_contains($foreign::VARCHAR[], project_id)) AS foreign_groups,
        sum(cell_key)::BIGINT AS cell_key
    FROM scoped
    GROUP BY members
)
SELECT members,
    CASE WHEN foreign_groups > 0 THEN vsla_groups(groups, cell_key::VARCHAR)
         ELSE groups END AS groups,
    foreign_groups
FROM bars
ORDER BY members
