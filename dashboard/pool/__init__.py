"""The pool layer: the DuckDB file. Opening and creating pools with their schema (files), the
web process's read-only connection (db), the SQL of queries/ (sqlfiles) and the pool's data
quality and import records (quality). Imports only the core."""
