-- Every group's key of disclosure control, kept by the import (dashboard.analytics.rollups); see
-- group_keys.sql.
group_keys AS (
    SELECT project_id, group_id, cell_key FROM rollup_group_keys
)
