-- How many active groups in scope have each number of members (one as-of date).
-- Parameters: those of scope.sql, and $foreign VARCHAR[]: the projects whose groups
-- `foreign_groups` counts (small cells).
WITH
--@include scope
SELECT members, count(*) AS groups,
    count(*) FILTER (WHERE list_contains($foreign::VARCHAR[], project_id)) AS foreign_groups
FROM scoped
GROUP BY members
ORDER BY members
