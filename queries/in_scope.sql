        -- the group-level filters (part of active.sql and active_rollup.sql)
        (len($trained_by::VARCHAR[]) = 0 OR list_contains($trained_by::VARCHAR[], trained_by))
        AND (len($setting::VARCHAR[]) = 0 OR list_contains($setting::VARCHAR[], setting))
        AND (len($tag::VARCHAR[]) = 0
             OR list_has_any($tag::VARCHAR[], string_split(coalesce(tags, ''), ';')))
        AND (len($yes::VARCHAR[]) = 0
             OR list_has_any($yes::VARCHAR[], string_split(coalesce(yes_fields, ''), ';')))
        AND (len($status::VARCHAR[]) = 0 OR list_contains($status::VARCHAR[], l.status))
        AND (len($cycle::VARCHAR[]) = 0
             OR (list_contains($cycle::VARCHAR[], 'first') AND l.cycle_number = 1)
             OR (list_contains($cycle::VARCHAR[], 'later') AND l.cycle_number > 1))
        AND ($min_pct_women::DOUBLE IS NULL
             OR l.women::DOUBLE / l.members >= $min_pct_women::DOUBLE)
        AND ($max_pct_women::DOUBLE IS NULL
             OR l.women::DOUBLE / l.members <= $max_pct_women::DOUBLE)
        AND ($youth_recorded::BOOLEAN IS NULL
             OR (l.youth IS NOT NULL) = $youth_recorded::BOOLEAN)
        AS in_scope
