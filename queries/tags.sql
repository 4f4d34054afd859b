-- The tags used by the groups of the projects the viewer may see, most used first.
-- Parameters: $restricted BOOLEAN, $visible VARCHAR[].
SELECT tag, count(*) AS groups
FROM (
    SELECT unnest(string_split(tags, ';')) AS tag
    FROM groups
    WHERE tags IS NOT NULL
      AND (NOT $restricted::BOOLEAN OR list_contains($visible::VARCHAR[], project_id))
)
WHERE tag <> ''
GROUP BY tag
ORDER BY groups DESC, tag
