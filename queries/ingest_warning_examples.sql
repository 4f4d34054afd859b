-- Examples of the data-quality warnings that are new with an import, for the import summary:
-- up to three per rule, located in the import files (the source and row of the flagged
-- dataset) when the flagged row came from this import. Runs in the importer's connection,
-- with the new pool as the default database and the import's typed rows in memory.main.
-- Parameters: $import_id.
SELECT w.rule, w.message, w.project_id, w.group_id, CAST(w.report_date AS VARCHAR) AS report_date,
       i._src, i._row
FROM warnings w
LEFT JOIN memory.main.t_datasets i
  ON i.project_id = w.project_id AND i.group_id = w.group_id AND i.report_date = w.report_date
WHERE w.import_id = $import_id
QUALIFY row_number() OVER (
    PARTITION BY w.rule
    ORDER BY i._src NULLS LAST, i._row, w.project_id, w.group_id, w.report_date
) <= 3
ORDER BY w.rule, i._src NULLS LAST, i._row, w.project_id, w.group_id, w.report_date
