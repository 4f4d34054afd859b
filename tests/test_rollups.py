"""Rollups: the indicators read from the rollup cube and the rollup groups are the indicators
found from the datasets, for any filters, breakdown and date; queries use them only where they
hold the answer; every import and demo build rebuilds them."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import duckdb
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dashboard.analytics import datasource, disclosure, rollups
from dashboard.analytics.engine import compute, compute_many
from dashboard.cli import main
from dashboard.core.filters import BREAKDOWNS, Filters
from dashboard.core.indicators import trend_dates
from dashboard.demo.build import build_demo
from dashboard.ingest.write import import_files
from dashboard.pool import db
from dashboard.pool.files import connect, meta, open_pool
from dashboard.pool.sqlfiles import sql
from dashboard.web.components.panel import WOMEN_PRESETS
from tests.test_properties import BASE, fill, pools


def same_rows(a: list[dict[str, Any]], b: list[dict[str, Any]]) -> None:
    """Equal row by row: counts exactly, money and ratios to rounding (sums taken in
    another order), undefined where undefined."""
    assert len(a) == len(b)
    for left, right in zip(a, b, strict=True):
        assert left.keys() == right.keys()
        for key, value in left.items():
            other = right[key]
            if isinstance(value, float) or isinstance(other, float):
                assert value is not None and other is not None, key
                assert value == pytest.approx(other, rel=1e-9, abs=1e-9), key
            else:
                assert value == other, key


def every_source(con: duckdb.DuckDBPyConnection, filters: Filters, **kw: Any) -> None:
    """The rows from the datasets, the rollup groups, the cubes (where they hold them) and
    the source chosen are the same."""
    truth = compute(con, filters, source="datasets", **kw)
    same_rows(compute(con, filters, **kw), truth)
    if not any(row.get("as_of") not in held(con) for row in truth if "as_of" in row) and (
        filters.as_of is None or filters.as_of in held(con)
    ):
        same_rows(compute(con, filters, source="groups", **kw), truth)
        if kw.get("by") != "trainer" and rollups.cube_bounds(filters):
            same_rows(compute(con, filters, source="cube", **kw), truth)
        if rollups.lean(filters, [kw.get("by")]):
            same_rows(compute(con, filters, source="lean", **kw), truth)


def held(con: duckdb.DuckDBPyConnection) -> set[date]:
    return {d for (d,) in con.execute("SELECT as_of FROM rollup_dates").fetchall()}


@pytest.fixture(scope="module")
def demo_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_demo(tmp_path_factory.mktemp("roll") / "pool.duckdb", seed=11, groups=600).path


@pytest.fixture(scope="module")
def demo_con(demo_path: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    con = open_pool(demo_path)
    yield con
    con.close()


def test_the_rollup_dates_are_every_date_the_dashboard_offers(demo_con):
    first, latest = demo_con.execute(
        "SELECT min(report_date), max(report_date) FROM datasets"
    ).fetchone()
    dates = [d for (d,) in demo_con.execute("SELECT as_of FROM rollup_dates ORDER BY 1").fetchall()]
    assert set(trend_dates(first, latest)) <= set(dates)
    assert date(latest.year - 1, latest.month, latest.day) in dates  # the KPI's comparison
    assert meta(demo_con)["rollups"] == rollups.ROLLUP_VERSION
    # rollup_groups holds each active group once per date, as the live query finds them
    (duplicates,) = demo_con.execute(
        "SELECT count(*) FROM (SELECT as_of, project_id, group_id FROM rollup_groups "
        "GROUP BY ALL HAVING count(*) > 1)"
    ).fetchone()
    assert duplicates == 0
    (cube_groups,) = demo_con.execute(
        "SELECT sum(groups) FROM rollup_cube WHERE as_of = $d", {"d": latest}
    ).fetchone()
    assert cube_groups == compute(demo_con, Filters(as_of=latest), source="datasets")[0]["groups"]


@pytest.mark.parametrize("by", [None, *BREAKDOWNS, "tag:refugee"])
def test_every_breakdown_is_the_same_from_every_source(demo_con, by):
    every_source(demo_con, Filters(), by=by)


@pytest.mark.parametrize(
    "filters",
    [
        Filters(country=("UGA",)),
        Filters(trained_by=("replicated",), setting=("urban", "rural")),
        Filters(tag=("refugee",), status=("graduated",)),
        Filters(cycle=("first",), youth_recorded=True),
        Filters(cycle=("later",), youth_recorded=False),
        Filters(min_pct_women=1.0),
        Filters(min_pct_women=0.75),
        Filters(max_pct_women=0.749),
        Filters(min_pct_women=0.3, max_pct_women=0.6),  # not a preset: the rollup groups
        Filters(as_of=date(2024, 6, 30), organisation=("Nordlys Aid",)),
    ],
    ids=repr,
)
def test_filters_are_the_same_from_every_source(demo_con, filters):
    every_source(demo_con, filters)
    every_source(demo_con, filters, by="project")
    every_source(demo_con, filters, over_time=True)


def test_small_cell_counts_and_perturbed_figures_are_the_same_from_every_source(demo_con):
    """With `foreign` projects, cells holding their groups are perturbed (the cell-key
    method): the noise comes from the cell's groups, so every source gives the same."""
    foreign = tuple(p for (p,) in demo_con.execute("SELECT project_id FROM projects").fetchall())
    every_source(demo_con, Filters(), by="setting", foreign=foreign[:3])
    every_source(demo_con, Filters(min_pct_women=0.75), by="project", foreign=foreign)
    every_source(demo_con, Filters(), over_time=True, foreign=foreign[5:])
    row = compute(demo_con, Filters(), foreign=foreign)[0]
    exact = compute(demo_con, Filters())[0]
    assert row["foreign_groups"] == exact["groups"]  # every project foreign: every group
    assert row["members"] != exact["members"]  # and the figures perturbed


def test_the_filter_presets_are_bounds_the_cube_holds():
    for lo, hi in WOMEN_PRESETS.values():
        assert rollups.cube_bounds(Filters(min_pct_women=lo, max_pct_women=hi))
    assert not rollups.cube_bounds(Filters(min_pct_women=0.5))


def test_queries_use_the_rollups_only_where_they_hold_the_answer(demo_con):
    latest = date(2026, 9, 30)
    assert rollups.source(demo_con, Filters(), [latest], [None, "organisation"]) == "lean"
    assert rollups.source(demo_con, Filters(trained_by=("replicated",)), [latest]) == "lean"
    assert rollups.source(demo_con, Filters(), [latest], ["setting"]) == "cube"
    assert rollups.source(demo_con, Filters(tag=("refugee",)), [latest]) == "cube"
    assert rollups.source(demo_con, Filters(min_pct_women=0.75), [latest]) == "cube"
    assert rollups.source(demo_con, Filters(), [latest], [None, "trainer"]) == "groups"
    assert rollups.source(demo_con, Filters(min_pct_women=0.5), [latest]) == "groups"
    mid = date(2026, 8, 15)  # not a quarter end: found from the datasets
    assert rollups.source(demo_con, Filters(), [mid]) == "datasets"
    every_source(demo_con, Filters(as_of=mid))
    with pytest.raises(ValueError, match="lean"):
        compute(demo_con, Filters(), "setting", source="lean")


def test_a_pool_without_rollups_is_read_from_its_datasets(demo_con, demo_path, tmp_path):
    path = tmp_path / "old.duckdb"
    shutil.copyfile(demo_path, path)
    con = connect(path, read_only=False)
    try:
        con.execute("DELETE FROM pool_meta WHERE key = 'rollups'")
        for table in ("rollup_lean", "rollup_cube", "rollup_groups", "rollup_dates"):
            con.execute(f"DROP TABLE {table}")
        assert rollups.source(con, Filters(), [date(2026, 9, 30)]) == "datasets"
        same_rows(compute(con, Filters(), "country"), compute(demo_con, Filters(), "country"))
    finally:
        con.close()
    # `vsla rollups` gives such a pool its rollups (as an import would)
    assert main(["rollups", "--db", str(path)]) == 0
    con = open_pool(path)
    try:
        assert rollups.source(con, Filters(), [date(2026, 9, 30)], ["setting"]) == "cube"
        same_rows(compute(con, Filters(), "setting"), compute(demo_con, Filters(), "setting"))
    finally:
        con.close()


def test_every_import_rebuilds_the_rollups(tmp_path, hand_pool_path):
    path = tmp_path / "pool.duckdb"
    shutil.copyfile(hand_pool_path, path)
    con = open_pool(path)
    before = {d for (d,) in con.execute("SELECT as_of FROM rollup_dates").fetchall()}
    con.close()
    later = tmp_path / "later"
    later.mkdir()
    # one more visit of group G1, a quarter after the pool's latest report
    src = Path(__file__).parent / "fixtures" / "hand_pool" / "datasets.csv"
    header, *lines = src.read_text(encoding="utf-8").splitlines()
    latest = max(date.fromisoformat(line.split(",")[2]) for line in lines)
    fields = lines[0].split(",")
    fields[2] = (latest + timedelta(days=92)).isoformat()
    (later / "datasets.csv").write_text(header + "\n" + ",".join(fields) + "\n", encoding="utf-8")
    import_files([later], path)
    con = open_pool(path)
    try:
        after = {d for (d,) in con.execute("SELECT as_of FROM rollup_dates").fetchall()}
        assert latest + timedelta(days=92) in after and after > before
        for by in (None, "project", "trainer"):
            every_source(con, Filters(), by=by, over_time=True)
    finally:
        con.close()


@pytest.fixture(scope="module")
def empty_con() -> Iterator[duckdb.DuckDBPyConnection]:
    c = duckdb.connect()
    c.execute(sql("schema"))
    c.execute("INSERT INTO pool_meta VALUES ('schema_version', '1')")
    c.execute("INSERT INTO exchange_rates VALUES ('UGX', 2024, 3700), ('UGX', 2025, 3800)")
    yield c
    c.close()


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    pool=pools(),
    quarter=st.integers(0, 8),
    trained_by=st.sampled_from(((), ("replicated",))),
    tag=st.sampled_from(((), ("refugee",), ("climate",))),
    women=st.sampled_from(list(WOMEN_PRESETS.values())),
    by=st.sampled_from((None, "country", "project", "setting", "women_band", "tag:refugee")),
)
def test_any_pool_gives_the_same_indicators_from_its_rollups(
    empty_con, pool, quarter, trained_by, tag, women, by
):
    con = empty_con
    fill(con, pool)
    rollups.build(con)
    dates = [d for (d,) in con.execute("SELECT as_of FROM rollup_dates ORDER BY 1").fetchall()]
    as_of = dates[min(quarter, len(dates) - 1)] if dates else BASE
    filters = Filters(
        as_of=as_of, trained_by=trained_by, tag=tag, min_pct_women=women[0], max_pct_women=women[1]
    )
    every_source(con, filters, by=by)
    every_source(con, filters, by=by, over_time=True)


@pytest.mark.parametrize("query", ["group_distribution", "group_sizes"])
def test_group_level_queries_are_the_same_from_the_rollup_groups(demo_con, query):
    params = Filters(tag=("refugee",)).sql_params() | {
        "as_of_dates": [date(2026, 9, 30)],
        "bys": ["country", ""],
        "foreign": ["UGA-NOR-01"],
    }
    if query == "group_sizes":
        del params["bys"]
    disclosure.define(demo_con.cursor())  # (group_sizes perturbs the bars with others' groups)
    live = demo_con.execute(sql(query), params).df()
    rolled = demo_con.execute(sql(query, rollups.FROM_GROUPS), params).df()
    assert len(live) > 3
    assert rolled.equals(live)


@pytest.mark.parametrize("over_time", [False, True])
def test_several_breakdowns_in_one_pass_are_each_the_same(demo_con, over_time):
    bys = [None, "country", "trainer", "women_band", "tag:refugee"]
    together = compute_many(demo_con, Filters(setting=("rural",)), bys, over_time=over_time)
    assert set(together) == set(bys)
    for by in bys:
        alone = compute(demo_con, Filters(setting=("rural",)), by, over_time=over_time)
        same_rows(together[by], alone)


def test_a_page_s_breakdowns_are_fetched_ahead_in_one_pass(hand_pool_path, monkeypatch, as_admin):
    monkeypatch.setenv("VSLA_DB", str(hand_pool_path))
    db.reset()
    datasource.clear_cache()
    wanted = [(None, False), ("country", False), ("setting", False), (None, True)]
    calls = []
    real = datasource.compute_many
    monkeypatch.setattr(
        datasource, "compute_many", lambda *a, **k: calls.append(a[2]) or real(*a, **k)
    )
    datasource.fetch([datasource.Rows(Filters(), by, over_time) for by, over_time in wanted])
    # one query for the three at the as-of date; the lone trend as the page would ask for it
    assert calls == [[None, "country", "setting"]]

    def no_query(*_a, **_k):
        raise AssertionError("computed again")

    monkeypatch.setattr(datasource, "compute", no_query)
    assert datasource.indicators(Filters(), "country")["members"].sum() == 125
    assert datasource.indicators(Filters())["groups"].iloc[0] == 6
    assert not datasource.indicators(Filters(), over_time=True).empty
    datasource.clear_cache()
