"""The cache: keyed by data version, viewer scope and sorted filters; kept in the process, or
in a real Redis (started here) shared by every worker and host when VSLA_CACHE_URL is set."""

from __future__ import annotations

import logging
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
import redis

from dashboard.analytics import cache, datasource
from dashboard.core.filters import Filters
from dashboard.ingest.write import import_files
from dashboard.pool import db


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real redis-server of its own, on loopback, persisting nothing."""
    server = shutil.which("redis-server")
    assert server, "redis-server is missing: scripts/ensure-system.sh installs it"
    port = free_port()
    proc = subprocess.Popen(
        [server, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
         "--dir", str(tmp_path_factory.mktemp("redis"))],
        stdout=subprocess.DEVNULL,
    )  # fmt: skip
    url = f"redis://127.0.0.1:{port}/0"
    client = redis.Redis.from_url(url)
    for _ in range(100):
        try:
            client.ping()
            break
        except redis.ConnectionError:
            time.sleep(0.05)
    yield url
    proc.terminate()
    proc.wait(timeout=10)


@pytest.fixture
def shared(redis_url: str, hand_pool_path: Path, monkeypatch: pytest.MonkeyPatch) -> redis.Redis:
    monkeypatch.setenv("VSLA_CACHE_URL", redis_url)
    monkeypatch.setenv("VSLA_DB", str(hand_pool_path))
    db.reset()
    client = redis.Redis.from_url(redis_url)
    client.flushdb()
    yield client
    db.reset()
    monkeypatch.delenv("VSLA_CACHE_URL")
    datasource.clear_cache()


def test_the_local_cache_forgets_the_least_recently_used():
    local = cache.LocalCache(size=2)
    local.set("a", 1)
    local.set("b", 2)
    assert local.get("a") == 1  # a is now the most recent
    local.set("c", 3)
    assert local.get("b") is cache.MISSING
    assert (local.get("a"), local.get("c")) == (1, 3)


def test_results_are_shared_through_redis(shared, monkeypatch):
    assert isinstance(cache.backend(), cache.RedisCache)
    first = datasource.indicators(Filters(), by="country")
    assert shared.keys(cache.PREFIX + "*"), "nothing was stored in Redis"
    # another worker or host: its own (empty) local cache, the same Redis and pool version
    cache.backend().clear()

    def no_query(*_a, **_k):
        raise AssertionError("computed again instead of read from Redis")

    monkeypatch.setattr(datasource, "compute", no_query)
    again = datasource.indicators(Filters(), by="country")
    assert again.equals(first)
    assert list(again["country"]) == ["BDI", "KEN", "UGA"]  # the hand pool's countries


def test_the_same_view_picked_in_another_order_is_one_entry(shared):
    datasource.indicators(Filters(country=("UGA", "KEN")))
    keys = len(shared.keys(cache.PREFIX + "*"))
    datasource.indicators(Filters(country=("KEN", "UGA")))
    assert len(shared.keys(cache.PREFIX + "*")) == keys


def test_each_viewer_scope_has_its_own_entries(shared):
    every = Filters()
    one = replace(every, visible=("UGA-A-01",))
    assert datasource._indicator_rows(every, None, False, None)[0]["groups"] == 6
    # the same filters for a viewer who may see one project: its own entry, its own numbers
    assert datasource._indicator_rows(one, None, False, None)[0]["groups"] == 2
    assert datasource._indicator_rows(every, None, False, None)[0]["groups"] == 6


def test_an_import_gives_a_new_version_and_fresh_numbers(
    shared, hand_pool_path, tmp_path, monkeypatch, as_admin
):
    path = tmp_path / "pool.duckdb"
    shutil.copyfile(hand_pool_path, path)
    monkeypatch.setenv("VSLA_DB", str(path))
    db.reset()
    before_version = db.pool_version()
    before = datasource.indicators(Filters())["members"].iloc[0]
    folder = tmp_path / "more"
    folder.mkdir()
    source = Path(__file__).parent / "fixtures" / "hand_pool" / "datasets.csv"
    header, *lines = source.read_text(encoding="utf-8").splitlines()
    latest = max(lines, key=lambda line: line.split(",")[2])
    fields = latest.split(",")
    cols = header.split(",")
    fields[cols.index("members")] = str(int(fields[cols.index("members")]) + 5)
    fields[cols.index("men")] = str(int(fields[cols.index("men")]) + 5)
    (folder / "datasets.csv").write_text(header + "\n" + ",".join(fields) + "\n", "utf-8")
    db.reset()  # as the import page does: this process lets go of the pool first
    import_files([folder], path)
    assert db.pool_version() != before_version
    assert datasource.indicators(Filters())["members"].iloc[0] == before + 5


def test_without_redis_the_dashboard_computes_and_says_so_in_the_log(
    hand_pool_path, monkeypatch, caplog
):
    monkeypatch.setenv("VSLA_CACHE_URL", f"redis://127.0.0.1:{free_port()}/0")  # nobody there
    monkeypatch.setenv("VSLA_DB", str(hand_pool_path))
    db.reset()
    try:
        with caplog.at_level(logging.WARNING, logger="dashboard.analytics.cache"):
            frame = datasource.indicators(Filters(), by="country")
        assert list(frame["country"]) == ["BDI", "KEN", "UGA"]
        assert "cannot be used" in caplog.text
    finally:
        monkeypatch.delenv("VSLA_CACHE_URL")
        datasource.clear_cache()
        db.reset()
