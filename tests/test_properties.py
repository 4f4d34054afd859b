"""Property: the additive counts of any breakdown sum to the total, whatever the data."""

from __future__ import annotations

from datetime import date, timedelta

import duckdb
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dashboard.analytics.engine import compute
from dashboard.core.filters import Filters
from dashboard.pool.sqlfiles import sql

COUNTRIES = ("UGA", "KEN", "BDI")
ORGS = ("Alpha", "Beta")
ADDITIVE = ("groups", "groups_replicated", "members", "women", "men")
MONEY = ("savings_usd", "loans_outstanding_usd", "assets_usd", "profit_usd")
BASE = date(2024, 1, 1)


@st.composite
def pools(draw: st.DrawFn) -> dict[str, list[tuple]]:
    projects, groups, datasets = [], [], []
    for p in range(draw(st.integers(1, 5))):
        pid = f"P{p}"
        currency = draw(st.sampled_from(("USD", "UGX")))
        projects.append(
            (pid, pid, draw(st.sampled_from(ORGS)), None, draw(st.sampled_from(COUNTRIES)),
             currency, BASE, None, None, True)
        )  # fmt: skip
        for g in range(draw(st.integers(0, 4))):
            gid = f"G{g}"
            groups.append(
                (pid, gid, None, BASE, draw(st.sampled_from(("field_officer", "replicated"))),
                 None, None, draw(st.sampled_from((None, "rural", "urban"))),
                 draw(st.sampled_from((None, "refugee", "climate;refugee"))), None, None)
            )  # fmt: skip
            days = draw(st.lists(st.integers(0, 700), min_size=1, max_size=3, unique=True))
            for day in days:
                members = draw(st.integers(1, 30))
                women = draw(st.integers(0, members))
                savings = draw(st.integers(0, 5000))
                loans = draw(st.integers(0, 5000))
                datasets.append(
                    (pid, gid, BASE + timedelta(days=day), 1, BASE, members, members, women,
                     members - women, None, members, 0, savings, 1, loans, 0, 0, 100, 0, 0, 0,
                     0, "supervised")
                )  # fmt: skip
    return {"projects": projects, "groups": groups, "datasets": datasets}


def fill(con: duckdb.DuckDBPyConnection, pool: dict[str, list[tuple]]) -> None:
    """Replace the pool's projects, groups and datasets by those drawn."""
    for table in ("datasets", "groups", "projects"):
        con.execute(f"DELETE FROM {table}")
    for table, rows in pool.items():
        if rows:
            marks = ", ".join("?" * len(rows[0]))
            con.executemany(f"INSERT INTO {table} VALUES ({marks})", rows)


@pytest.fixture(scope="module")
def con():
    c = duckdb.connect()
    c.execute(sql("schema"))
    c.execute("INSERT INTO exchange_rates VALUES ('UGX', 2024, 3700), ('UGX', 2025, 3800)")
    yield c
    c.close()


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    pool=pools(),
    as_of_day=st.integers(0, 800),
    trained_by=st.sampled_from(((), ("replicated",))),
    tag=st.sampled_from(((), ("refugee",), ("climate",))),
    by=st.sampled_from(("country", "organisation", "project", "trained_by", "setting")),
)
def test_breakdown_sums_to_total(con, pool, as_of_day, trained_by, tag, by):
    fill(con, pool)
    filters = Filters(as_of=BASE + timedelta(days=as_of_day), trained_by=trained_by, tag=tag)
    total = compute(con, filters)[0]
    parts = compute(con, filters, by)
    assert len({row[by] for row in parts}) == len(parts)  # one row per value
    for key in ADDITIVE:
        assert sum(row[key] for row in parts) == total[key]
    for key in MONEY:
        assert sum(row[key] for row in parts) == pytest.approx(total[key], abs=1e-6)
    if by in ("country", "organisation", "project"):
        assert sum(row["projects"] for row in parts) == total["projects"]
    assert all(row["groups"] > 0 for row in parts)  # values without active groups omitted
