-- The tags used by the pool's groups, most used first. Parameters: none.
SELECT tag, count(*) AS groups
FROM (SELECT unnest(string_split(tags, ';')) AS tag FROM groups WHERE tags IS NOT NULL)
WHERE tag <> ''
GROUP BY tag
ORDER BY groups DESC, tag
