-- How many active groups in scope have each number of members (one as-of date).
-- Parameters: those of scope.sql.
WITH
--@include scope
SELECT members, count(*) AS groups
FROM scoped
GROUP BY members
ORDER BY members
