-- Import validation: look-alikes. A project id or organisation name (across the pool), or a
-- group id (within its project), that is not the same text as one the pool or an earlier row
-- of this import already has, but looks the same: vsla_key (dashboard/ingest/text.py: letter
-- case, width, invisible characters, Cyrillic and Greek letters that look Latin) is equal.
-- Such a row is an error naming the one it looks like (a = that text; b = where: the source
-- and row of an earlier row of the import, NULL for the pool; d = what it is). Rows are
-- ordered by pos = source * 2^40 + row, the pool's first (-1). A text the pool already has
-- exactly is never a look-alike (it is that project, group or organisation).
-- Runs on the typed import tables t_<table> (see ingest_rules.sql for the output columns),
-- with the pool attached as `pool` and the functions of validate._text_functions.
-- Parameters: none.
WITH p_rows AS (
    SELECT _src, _row, project_id, project_id__raw AS raw, organisation,
           organisation__raw AS organisation_raw
    FROM t_projects
),
p_known AS (
    SELECT DISTINCT project_id, vsla_key(project_id) AS k, CAST(-1 AS BIGINT) AS pos
    FROM pool.main.projects
    UNION ALL
    SELECT project_id, vsla_key(project_id), _src * 1099511627776 + _row FROM p_rows
    WHERE project_id IS NOT NULL
),
p_new AS (
    SELECT _src, _row, project_id, raw, vsla_key(project_id) AS k FROM p_rows
    WHERE project_id IS NOT NULL
      AND project_id NOT IN (SELECT project_id FROM pool.main.projects)
),
o_known AS (
    SELECT DISTINCT organisation, vsla_key(organisation) AS k, CAST(-1 AS BIGINT) AS pos
    FROM pool.main.projects
    UNION ALL
    SELECT organisation, vsla_key(organisation), _src * 1099511627776 + _row FROM p_rows
    WHERE organisation IS NOT NULL
),
o_new AS (
    SELECT _src, _row, organisation, organisation_raw, vsla_key(organisation) AS k FROM p_rows
    WHERE organisation IS NOT NULL
      AND organisation NOT IN (SELECT organisation FROM pool.main.projects)
),
g_rows AS (
    SELECT _src, _row, project_id, group_id, group_id__raw AS raw FROM t_groups
    WHERE project_id IS NOT NULL AND group_id IS NOT NULL
),
g_pool AS (
    SELECT g.project_id, g.group_id FROM pool.main.groups g
    WHERE g.project_id IN (SELECT DISTINCT project_id FROM g_rows)
),
g_known AS (
    SELECT project_id, group_id, vsla_key(group_id) AS k, CAST(-1 AS BIGINT) AS pos FROM g_pool
    UNION ALL
    SELECT project_id, group_id, vsla_key(group_id), _src * 1099511627776 + _row FROM g_rows
),
g_new AS (
    SELECT r._src, r._row, r.project_id, r.group_id, r.raw, vsla_key(r.group_id) AS k
    FROM g_rows r ANTI JOIN g_pool p USING (project_id, group_id)
)
SELECT 'projects' AS tbl, n._src, n._row, 'project_id' AS col, 'lookalike' AS code,
       any_value(n.raw) AS value, arg_min(e.project_id, e.pos) AS a,
       CAST(CASE WHEN min(e.pos) >= 0 THEN min(e.pos) // 1099511627776 END AS VARCHAR) AS b,
       CAST(CASE WHEN min(e.pos) >= 0 THEN min(e.pos) % 1099511627776 END AS VARCHAR) AS c,
       'project' AS d
FROM p_new n JOIN p_known e
  ON e.k = n.k AND e.project_id <> n.project_id AND e.pos < n._src * 1099511627776 + n._row
GROUP BY n._src, n._row
UNION ALL
SELECT 'projects', n._src, n._row, 'organisation', 'lookalike', any_value(n.organisation_raw),
       arg_min(e.organisation, e.pos),
       CAST(CASE WHEN min(e.pos) >= 0 THEN min(e.pos) // 1099511627776 END AS VARCHAR),
       CAST(CASE WHEN min(e.pos) >= 0 THEN min(e.pos) % 1099511627776 END AS VARCHAR),
       'organisation'
FROM o_new n JOIN o_known e
  ON e.k = n.k AND e.organisation <> n.organisation AND e.pos < n._src * 1099511627776 + n._row
GROUP BY n._src, n._row
UNION ALL
SELECT 'groups', n._src, n._row, 'group_id', 'lookalike', any_value(n.raw),
       arg_min(e.group_id, e.pos),
       CAST(CASE WHEN min(e.pos) >= 0 THEN min(e.pos) // 1099511627776 END AS VARCHAR),
       CAST(CASE WHEN min(e.pos) >= 0 THEN min(e.pos) % 1099511627776 END AS VARCHAR),
       'group'
FROM g_new n JOIN g_known e
  ON e.project_id = n.project_id AND e.k = n.k AND e.group_id <> n.group_id
 AND e.pos < n._src * 1099511627776 + n._row
GROUP BY n._src, n._row
