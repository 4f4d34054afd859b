-- Import provenance, newest first. Parameters: none. Every column: a pool made before
-- `imported_by` and `moves` has them only from its next import on (readers use .get).
SELECT *
FROM imports
ORDER BY import_id DESC
