-- The tags used by the groups of the projects the viewer may see, most used first.
-- Parameters: those of visible.sql (the visibility rule).
SELECT tag, count(*) AS groups
FROM (
    SELECT unnest(string_split(tags, ';')) AS tag
    FROM groups
    WHERE tags IS NOT NULL
      AND
      --@include visible
)
WHERE tag <> ''
GROUP BY tag
ORDER BY groups DESC, tag
