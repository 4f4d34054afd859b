"""The `vsla` command end to end: real processes, the hand-computed pool."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from dashboard.analytics.engine import compute, export_columns, network_ids
from dashboard.core.filters import Filters
from dashboard.core.indicators import IDS
from dashboard.pool.files import create_pool


def vsla(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "dashboard.cli", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )


def test_indicators_json_is_the_engines_numbers(hand_pool_path, hand_con):
    out = vsla("indicators", "--db", str(hand_pool_path))
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    # every indicator, then the network's own (data/network.toml; this pool records none)
    assert list(data) == export_columns(None)
    assert [data[k] for k in network_ids()] == [None] * 6
    assert data["members"] == 125
    assert data["pct_women"] == pytest.approx(0.776)
    assert data["cost_per_member_usd"] == pytest.approx(240.0)
    engine = compute(hand_con, Filters(), network=True)[0]
    assert data == {k: engine[k] for k in export_columns(None)}
    assert "As of 2025-09-30" in out.stderr


def test_indicators_by_country_with_filters(hand_pool_path):
    out = vsla(
        "indicators", "--db", str(hand_pool_path), "--by", "country",
        "--country", "Uganda", "--country", "KE", "--tag", "refugee",
    )  # fmt: skip
    assert out.returncode == 0, out.stderr
    rows = json.loads(out.stdout)
    # refugee groups: G1 in Uganda, G4 in Kenya; whole-project costs (see test_indicators).
    assert [(r["country"], r["groups"]) for r in rows] == [("KEN", 1), ("UGA", 1)]
    assert rows[1]["cost_per_member_usd"] == pytest.approx(10000 / 40)
    assert set(rows[0]) == {"country", *IDS, *network_ids()}


def test_indicators_as_of_quarter_csv(hand_pool_path):
    out = vsla(
        "indicators", "--db", str(hand_pool_path), "--by", "quarter", "--format", "csv",
        "--as-of", "2025-06-30",
    )  # fmt: skip
    assert out.returncode == 0, out.stderr
    rows = list(csv.DictReader(io.StringIO(out.stdout)))
    assert [r["quarter"] for r in rows] == ["2024Q3", "2024Q4", "2025Q1", "2025Q2"]
    assert [r["groups"] for r in rows] == ["1", "2", "2", "3"]
    assert rows[0]["cost_per_member_usd"] == ""  # null is an empty cell


def test_pool_from_environment(hand_pool_path):
    import os

    env = dict(os.environ, VSLA_DB=str(hand_pool_path))
    out = vsla("indicators", "--project", "UGA-B-01", env=env)
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout)["groups"] == 2


def test_clear_errors(tmp_path: Path, hand_pool_path):
    out = vsla("indicators", "--db", str(tmp_path / "none.duckdb"))
    assert out.returncode == 1
    assert "There is no pool at" in out.stderr and "vsla demo" in out.stderr
    not_a_pool = tmp_path / "x.duckdb"
    not_a_pool.write_text("hello")
    out = vsla("indicators", "--db", str(not_a_pool))
    assert out.returncode == 1 and "is not a pool file" in out.stderr
    out = vsla("indicators", "--db", str(hand_pool_path), "--country", "Atlantis")
    assert out.returncode == 1 and "Unknown country 'Atlantis'" in out.stderr
    out = vsla("indicators", "--db", str(hand_pool_path), "--min-pct-women", "75")
    assert out.returncode == 2 and "between 0 and 1" in out.stderr
    assert "Traceback" not in out.stderr


def test_other_schema_version_is_refused(tmp_path: Path):
    import duckdb

    path = tmp_path / "old.duckdb"
    create_pool(path)
    con = duckdb.connect(str(path))
    con.execute("UPDATE pool_meta SET value = '0' WHERE key = 'schema_version'")
    con.close()
    out = vsla("indicators", "--db", str(path))
    assert out.returncode == 1
    assert "schema version 0" in out.stderr and "reads version 1" in out.stderr


def test_info(hand_pool_path):
    out = vsla("info", "--db", str(hand_pool_path))
    assert out.returncode == 0, out.stderr
    assert "datasets" in out.stdout and "8 rows" in out.stdout
    assert "ageing_data" in out.stdout  # G2 and G3 are over 6 months old


@pytest.mark.parametrize(
    "args",
    [
        ("--country", "BDI", "--tag", "climate"),  # a tag of the pool, not in Burundi
        ("--country", "GHA"),  # a country of the world, not of this pool
        ("--country", "UGA", "--as-of", "2017-01-01"),  # before any data
        ("--project", "BDI-B-01", "--setting", "rural"),  # G7 is urban
    ],
)
def test_an_empty_scope_gives_zeros_and_nulls_in_json_and_csv(hand_pool_path, args):
    out = vsla("indicators", "--db", str(hand_pool_path), *args)
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert list(data) == export_columns(None)
    assert data["groups"] == 0 and data["members"] == 0 and data["savings_usd"] == 0.0
    assert data["pct_women"] is None and data["cost_per_member_usd"] is None
    assert all(data[k] is None for k in network_ids())
    out = vsla("indicators", "--db", str(hand_pool_path), *args, "--format", "csv")
    assert out.returncode == 0, out.stderr
    rows = list(csv.DictReader(io.StringIO(out.stdout)))
    assert len(rows) == 1 and rows[0]["groups"] == "0" and rows[0]["pct_women"] == ""


@pytest.mark.parametrize(
    ("flag", "value"),
    [
        ("--project", "NOPE-01"),
        ("--organisation", "Nope Aid"),
        ("--tag", "nope"),
        ("--yes", "nope"),
    ],
)
def test_an_unknown_id_is_a_one_line_error_naming_it(hand_pool_path, flag, value):
    out = vsla("indicators", "--db", str(hand_pool_path), flag, value)
    assert out.returncode == 1 and out.stdout == ""
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1 and repr(value) in lines[0] and flag in lines[0]
