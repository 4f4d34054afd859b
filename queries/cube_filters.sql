-- The group-level filters on rollup cube rows (part of indicators_cube.sql and
-- network_indicators_cube.sql): the cube's keys stand for the groups' attributes.
    WHERE (len($trained_by::VARCHAR[]) = 0 OR list_contains($trained_by::VARCHAR[], trained_by))
      AND (len($setting::VARCHAR[]) = 0 OR list_contains($setting::VARCHAR[], setting))
      AND (len($tag::VARCHAR[]) = 0
           OR list_has_any($tag::VARCHAR[], string_split(coalesce(tags, ''), ';')))
      AND (len($yes::VARCHAR[]) = 0
           OR list_has_any($yes::VARCHAR[], string_split(coalesce(yes_fields, ''), ';')))
      AND (len($status::VARCHAR[]) = 0 OR list_contains($status::VARCHAR[], status))
      AND (len($cycle::VARCHAR[]) = 0
           OR (list_contains($cycle::VARCHAR[], 'first') AND first_cycle)
           OR (list_contains($cycle::VARCHAR[], 'later') AND NOT first_cycle))
      AND ($min_pct_women::DOUBLE IS NULL
           OR ($min_pct_women::DOUBLE = 1.0 AND women_min_100)
           OR ($min_pct_women::DOUBLE = 0.75 AND women_min_075))
      AND ($max_pct_women::DOUBLE IS NULL OR ($max_pct_women::DOUBLE = 0.749 AND women_max_0749))
      AND ($youth_recorded::BOOLEAN IS NULL
           OR (youth_band <> 'not_recorded') = $youth_recorded::BOOLEAN)
