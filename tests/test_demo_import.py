"""The demo pool passes the importer's validation: merged into an empty pool through
`vsla import other.duckdb`, it gives the same indicators, breakdown by breakdown."""

from __future__ import annotations

import pytest

from dashboard.analytics.engine import compute
from dashboard.core.filters import Filters
from dashboard.demo.build import build_demo
from dashboard.ingest import import_files
from dashboard.pool.files import open_pool


def test_demo_pool_merges_through_the_importer_unchanged(tmp_path):
    demo = tmp_path / "demo.duckdb"
    build_demo(demo, seed=3, groups=400)
    merged = tmp_path / "network.duckdb"
    result = import_files([demo], merged)
    assert result.rows_replaced == {t: 0 for t in result.rows_added}
    a, b = open_pool(demo), open_pool(merged)
    try:
        for table in ("projects", "groups", "datasets", "project_reports", "exchange_rates"):
            n = a.execute(f"SELECT count(*) FROM {table}").fetchone()
            assert b.execute(f"SELECT count(*) FROM {table}").fetchone() == n
            assert result.rows_added[table] == n[0]
        for by in (None, "country", "trained_by", "quarter"):
            left, right = compute(a, Filters(), by), compute(b, Filters(), by)
            assert len(left) == len(right) > 0
            for x, y in zip(left, right, strict=True):
                assert x == pytest.approx(y)
        # Importing the same pool again replaces every row and duplicates none.
        again = import_files([demo], merged)
        assert sum(again.rows_added.values()) == 0
        assert again.rows_replaced["datasets"] == result.rows_added["datasets"]
    finally:
        a.close()
        b.close()
