-- Every group's key of disclosure control (its 32 bits: dashboard.analytics.disclosure), a CTE of the
-- queries that count groups beyond the active ones (project_quality.sql, projects.sql):
-- worked out from the groups here; with the swap group_keys=group_keys_table, read from the
-- rollup_group_keys table that imports keep (dashboard.analytics.rollups: MD5 is slow at scale).
group_keys AS (
    SELECT project_id, group_id,
        (
--@include group_hash
        % 4294967296::UHUGEINT)::BIGINT AS cell_key
    FROM groups
)
