-- A group's fixed random number (dashboard.analytics.disclosure): 128 bits of MD5 of the pool's secret
-- and the group's ids, never shown; the same for the group at every date and in every
-- process. An expression, included where a query names a group by project_id and group_id.
md5_number(coalesce(
    (SELECT value FROM pool_meta WHERE key = 'cell_key_secret'),
    (SELECT value FROM pool_meta WHERE key = 'created_at'), '')
    || chr(31) || project_id || chr(31) || group_id)
