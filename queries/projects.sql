-- Every project of the pool with what the filter panel and the project profile show.
-- Parameters: none.
SELECT
    p.project_id, p.project_name, p.organisation, p.partner, p.country, p.currency,
    p.start_date, p.end_date, p.donor, p.shared,
    (SELECT count(*) FROM groups g WHERE g.project_id = p.project_id) AS groups_registered
FROM projects p
ORDER BY p.organisation, p.country, p.project_name
