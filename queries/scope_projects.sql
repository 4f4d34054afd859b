-- The as-of dates and the projects in scope (part of scope.sql; see there).
dates AS (
    SELECT unnest($as_of_dates::DATE[]) AS as_of
),
proj AS (
    SELECT p.project_id, p.organisation, p.country, p.currency
    FROM projects p
    WHERE (len($country::VARCHAR[]) = 0 OR list_contains($country::VARCHAR[], p.country))
      AND (len($organisation::VARCHAR[]) = 0 OR list_contains($organisation::VARCHAR[], p.organisation))
      AND (len($project::VARCHAR[]) = 0 OR list_contains($project::VARCHAR[], p.project_id))
      AND
      --@include visible
)
