"""Shared fixtures: the hand-computed pool, built through the real importer."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import duckdb
import pytest

from dashboard.ingest import import_files
from dashboard.pool import open_pool

FIXTURES = Path(__file__).parent / "fixtures"
HAND_POOL_DIR = FIXTURES / "hand_pool"


@pytest.fixture(scope="session")
def hand_pool_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The seven-group pool of tests/fixtures/hand_pool, imported from its CSV folder."""
    path = tmp_path_factory.mktemp("hand") / "pool.duckdb"
    import_files([HAND_POOL_DIR], path)
    return path


@pytest.fixture
def hand_con(hand_pool_path: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    con = open_pool(hand_pool_path)
    yield con
    con.close()


@pytest.fixture
def hand_app(hand_pool_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """The dashboard serving the hand-computed pool (a fresh app, empty caches)."""
    from dashboard import datasource, db
    from dashboard.server import create_app

    monkeypatch.setenv("VSLA_DB", str(hand_pool_path))
    db.reset()
    datasource.clear_cache()
    yield create_app()
    db.reset()
    from dashboard import exports

    exports.shutdown()
