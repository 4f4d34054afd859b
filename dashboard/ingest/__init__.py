"""The importer: files (xlsx, csv, folders, zip, other pools) -> validated -> the pool.

`vsla import` and `vsla template` call exactly these names.
"""

from dashboard.ingest.model import Issue
from dashboard.ingest.template import write_template
from dashboard.ingest.write import ImportRejected, ImportResult, import_files

__all__ = ["ImportRejected", "ImportResult", "Issue", "import_files", "write_template"]
