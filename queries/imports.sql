-- Import provenance, newest first. Parameters: none.
SELECT import_id, imported_at, files, rows_added, rows_replaced, warnings, seconds, tool_version
FROM imports
ORDER BY import_id DESC
