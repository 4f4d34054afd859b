"""The demo pool: deterministic, valid under every rule of DATA.md, and realistic: its pooled
indicators (computed here with our own SQL, following INDICATORS.md) fall in the published
reference ranges."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import duckdb
import pytest

import dashboard.demo.build as demo
from dashboard.demo.build import DemoResult, build_demo
from dashboard.pool.files import DATA_TABLES, connect, meta

LATEST = date(2026, 9, 30)
TODAY = date.today()


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> DemoResult:
    return build_demo(tmp_path_factory.mktemp("demo") / "pool.duckdb", seed=7, groups=1500)


@pytest.fixture(scope="module")
def con(built: DemoResult) -> Iterator[duckdb.DuckDBPyConnection]:
    connection = connect(built.path)
    yield connection
    connection.close()


def scalar(
    con: duckdb.DuckDBPyConnection, query: str, params: dict[str, object] | None = None
) -> object:
    row = con.execute(query, params).fetchone()
    assert row is not None
    return row[0]


# --- determinism ---------------------------------------------------------------------------


def checksums(path: Path) -> dict[str, tuple[int, int]]:
    """Order-independent fingerprint of every table's contents."""
    with connect(path) as c:
        out = {}
        for table in (*DATA_TABLES, "warnings"):
            row = c.execute(f"SELECT count(*), sum(hash(t)) FROM {table} t").fetchone()
            assert row is not None
            out[table] = (int(row[0]), int(row[1]))
        return out


def test_same_seed_builds_identical_pools_and_another_seed_differs(tmp_path: Path) -> None:
    first = checksums(build_demo(tmp_path / "a.duckdb", seed=3, groups=400).path)
    again = checksums(build_demo(tmp_path / "b.duckdb", seed=3, groups=400).path)
    other = checksums(build_demo(tmp_path / "c.duckdb", seed=4, groups=400).path)
    assert first == again
    for table in ("projects", "project_reports", "groups", "datasets"):
        assert first[table] != other[table], table
    assert first["exchange_rates"] == other["exchange_rates"]  # real rates, not random


def test_large_projects_are_generated_in_batches(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Projects larger than a batch are generated in several batches (how 1M groups fit in
    memory); every group is still there, numbered without gaps."""
    monkeypatch.setattr(demo, "CHUNK_GROUPS", 7)
    result = build_demo(tmp_path / "small.duckdb", seed=5, groups=300)
    with connect(result.path) as c:
        assert scalar(c, "SELECT count(*) FROM groups") == 300
        gaps = """SELECT count(*) FROM (SELECT project_id, count(*) n,
                  max(CAST(substr(group_id, 2) AS INTEGER)) top FROM groups GROUP BY 1)
                  WHERE n <> top"""
        assert scalar(c, gaps) == 0
        assert scalar(c, "SELECT count(DISTINCT (project_id, group_id)) FROM datasets") == 300


# --- the result, the file and its provenance -------------------------------------------------


def test_result_counts_the_rows_written(built: DemoResult, con: duckdb.DuckDBPyConnection) -> None:
    assert built.groups == 1500 and built.seed == 7
    assert set(built.rows) == set(DATA_TABLES)
    for table, n in built.rows.items():
        assert scalar(con, f"SELECT count(*) FROM {table}") == n
    assert built.rows["groups"] == 1500
    assert built.rows["projects"] == 40
    assert built.seconds > 0
    summary = built.summary()
    assert str(built.path) in summary and "1,500 groups" in summary
    assert not list(built.path.parent.glob(".*tmp*")), "the temporary file is left behind"


def test_pool_is_marked_demo_and_the_import_recorded(con: duckdb.DuckDBPyConnection) -> None:
    assert meta(con)["kind"] == "demo"
    rows = con.execute("SELECT import_id, files, rows_added, rows_replaced, warnings FROM imports")
    [(import_id, files, added, replaced, warnings)] = rows.fetchall()
    assert import_id == 1
    assert json.loads(files)[0]["name"] == "demo seed=7 groups=1500"
    assert json.loads(added)["groups"] == 1500
    assert set(json.loads(replaced).values()) == {0}
    assert warnings == scalar(con, "SELECT count(*) FROM warnings")
    assert scalar(con, "SELECT count(*) FROM warnings WHERE import_id <> 1") == 0


def test_refuses_to_overwrite_without_replace(tmp_path: Path) -> None:
    db = tmp_path / "pool.duckdb"
    db.write_bytes(b"precious")
    with pytest.raises(FileExistsError, match="already exists"):
        build_demo(db, groups=50)
    assert db.read_bytes() == b"precious"
    build_demo(db, groups=50, replace=True)
    with connect(db) as c:
        assert scalar(c, "SELECT count(*) FROM groups") == 50


def test_failure_leaves_no_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr(demo, "refresh_warnings", broken)
    with pytest.raises(RuntimeError):
        build_demo(tmp_path / "pool.duckdb", groups=50)
    assert list(tmp_path.iterdir()) == []


def test_progress_is_reported(tmp_path: Path) -> None:
    messages: list[str] = []
    build_demo(tmp_path / "pool.duckdb", groups=60, progress=messages.append)
    assert any("60 of 60 groups" in m for m in messages)
    assert messages[-1].startswith("Done")


# --- every validation rule of DATA.md, on every row -----------------------------------------

VIOLATIONS: dict[str, str] = {
    # keys
    "duplicate exchange rate": (
        "SELECT count(*) - count(DISTINCT (currency, year)) FROM exchange_rates"
    ),
    "duplicate project": "SELECT count(*) - count(DISTINCT project_id) FROM projects",
    "duplicate project report": (
        "SELECT count(*) - count(DISTINCT (project_id, period_end)) FROM project_reports"
    ),
    "duplicate group": "SELECT count(*) - count(DISTINCT (project_id, group_id)) FROM groups",
    "duplicate dataset": (
        "SELECT count(*) - count(DISTINCT (project_id, group_id, report_date)) FROM datasets"
    ),
    # references
    "report of unknown project": (
        "SELECT count(*) FROM project_reports ANTI JOIN projects USING (project_id)"
    ),
    "group of unknown project": (
        "SELECT count(*) FROM groups WHERE project_id NOT IN (SELECT project_id FROM projects)"
    ),
    "dataset of unknown group": (
        "SELECT count(*) FROM datasets d ANTI JOIN groups g USING (project_id, group_id)"
    ),
    "missing exchange rate for a dataset": """
        SELECT count(*) FROM datasets d JOIN projects p USING (project_id)
        ANTI JOIN exchange_rates r ON r.currency = p.currency AND r.year = year(d.report_date)""",
    "missing exchange rate for a project report": """
        SELECT count(*) FROM project_reports pr JOIN projects p USING (project_id)
        ANTI JOIN exchange_rates r ON r.currency = p.currency AND r.year = year(pr.period_end)""",
    # projects and rates
    "rate not positive": "SELECT count(*) FROM exchange_rates WHERE NOT per_usd > 0",
    "country not alpha-3": (
        "SELECT count(*) FROM projects WHERE NOT regexp_full_match(country, '[A-Z]{3}')"
    ),
    "currency not ISO 4217-shaped": (
        "SELECT count(*) FROM projects WHERE NOT regexp_full_match(currency, '[A-Z]{3}')"
    ),
    "end before start": "SELECT count(*) FROM projects WHERE end_date < start_date",
    "negative cost or staff": """SELECT count(*) FROM project_reports
        WHERE cost_to_date < 0 OR field_officers < 0 OR village_agents < 0""",
    "cost to date falls": """SELECT count(*) FROM (SELECT cost_to_date < lag(cost_to_date)
        OVER (PARTITION BY project_id ORDER BY period_end) AS falls FROM project_reports)
        WHERE falls""",
    "report not at a quarter end": """SELECT count(*) FROM project_reports
        WHERE period_end <> last_day(period_end) OR month(period_end) NOT IN (3, 6, 9, 12)""",
    # groups
    "trained_by not in enum": """SELECT count(*) FROM groups
        WHERE trained_by NOT IN ('field_officer', 'village_agent', 'replicated')""",
    "setting not in enum": """SELECT count(*) FROM groups
        WHERE setting NOT IN ('rural', 'peri-urban', 'urban')""",
    "tags not normalised": """SELECT count(*) FROM groups WHERE tags IS NOT NULL AND (
        tags <> lower(tags) OR tags <> array_to_string(list_sort(string_split(tags, ';')), ';')
        OR list_contains(string_split(tags, ';'), '')
        OR NOT list_has_all(['humanitarian', 'refugee', 'climate', 'peacebuilding', 'disability'],
                            string_split(tags, ';')))""",
    "coordinates off the globe": """SELECT count(*) FROM groups
        WHERE NOT latitude BETWEEN -90 AND 90 OR NOT longitude BETWEEN -180 AND 180""",
    # datasets
    "women over members": "SELECT count(*) FROM datasets WHERE women > members",
    "women + men <> members": "SELECT count(*) FROM datasets WHERE women + men <> members",
    "attending over members": "SELECT count(*) FROM datasets WHERE members_attending > members",
    "youth over members": "SELECT count(*) FROM datasets WHERE youth > members",
    "late over outstanding": (
        "SELECT count(*) FROM datasets WHERE late_loans_balance > loans_outstanding_value"
    ),
    "members below 1": "SELECT count(*) FROM datasets WHERE members < 1",
    "cycle number below 1": "SELECT count(*) FROM datasets WHERE cycle_number < 1",
    "negative count or amount": """SELECT count(*) FROM datasets WHERE least(
        members_at_start, women, men, coalesce(youth, 0), members_attending, dropouts, savings,
        loans_outstanding_count, loans_outstanding_value, late_loans_balance, write_offs,
        loan_fund_cash, other_funds_cash, property_at_start, property_now, debts) < 0""",
    "amount not in whole units": """SELECT count(*) FROM datasets WHERE greatest(
        savings % 1, loans_outstanding_value % 1, late_loans_balance % 1, write_offs % 1,
        loan_fund_cash % 1, other_funds_cash % 1, property_at_start % 1, property_now % 1,
        debts % 1) <> 0""",
    "status not in enum": (
        "SELECT count(*) FROM datasets WHERE status NOT IN ('supervised', 'graduated')"
    ),
    "formation after cycle start": """SELECT count(*) FROM datasets d
        JOIN groups g USING (project_id, group_id) WHERE g.formation_date > d.cycle_start_date""",
    "cycle start after report": (
        "SELECT count(*) FROM datasets WHERE cycle_start_date > report_date"
    ),
    "loans without borrowers": """SELECT count(*) FROM datasets
        WHERE (loans_outstanding_value > 0) <> (loans_outstanding_count > 0)""",
    # the books of one group over time
    "two visits in one quarter": """SELECT count(*) FROM (SELECT project_id, group_id,
        date_trunc('quarter', report_date) q FROM datasets GROUP BY ALL HAVING count(*) > 1)""",
    "cycle number goes back": """SELECT count(*) FROM (SELECT cycle_number < lag(cycle_number)
        OVER w AS back FROM datasets WINDOW w AS (PARTITION BY project_id, group_id
        ORDER BY report_date)) WHERE back""",
    "one cycle, two start dates": """SELECT count(*) FROM (SELECT project_id, group_id,
        cycle_number FROM datasets GROUP BY ALL HAVING count(DISTINCT cycle_start_date) > 1)""",
    "dropouts fall within a cycle": """SELECT count(*) FROM (SELECT dropouts < lag(dropouts)
        OVER w AS falls FROM datasets WINDOW w AS (PARTITION BY project_id, group_id,
        cycle_number ORDER BY report_date)) WHERE falls""",
    "property at start does not carry": """
        WITH last_of_cycle AS (
            SELECT project_id, group_id, cycle_number, property_now FROM datasets
            QUALIFY row_number() OVER (PARTITION BY project_id, group_id, cycle_number
                                       ORDER BY report_date DESC) = 1),
        first_of_cycle AS (
            SELECT project_id, group_id, cycle_number, property_at_start FROM datasets
            QUALIFY row_number() OVER (PARTITION BY project_id, group_id, cycle_number
                                       ORDER BY report_date) = 1)
        SELECT count(*) FROM last_of_cycle l JOIN first_of_cycle f
          ON f.project_id = l.project_id AND f.group_id = l.group_id
         AND f.cycle_number = l.cycle_number + 1
        WHERE f.property_at_start < l.property_now""",
}

FUTURE: dict[str, str] = {
    "projects": "greatest(start_date, coalesce(end_date, start_date))",
    "project_reports": "period_end",
    "groups": "formation_date",
    "datasets": "greatest(report_date, cycle_start_date)",
}


@pytest.mark.parametrize("rule", VIOLATIONS)
def test_no_row_breaks_the_rule(con: duckdb.DuckDBPyConnection, rule: str) -> None:
    assert scalar(con, VIOLATIONS[rule]) == 0


@pytest.mark.parametrize("table", FUTURE)
def test_no_date_in_the_future(con: duckdb.DuckDBPyConnection, table: str) -> None:
    assert (
        scalar(
            con, f"SELECT count(*) FROM {table} WHERE {FUTURE[table]} > $today", {"today": TODAY}
        )
        == 0
    )


def test_latest_report_date_is_the_last_quarter_end(con: duckdb.DuckDBPyConnection) -> None:
    assert scalar(con, "SELECT max(report_date) FROM datasets") == LATEST
    assert scalar(con, "SELECT max(period_end) FROM project_reports") == LATEST


def test_countries_have_their_real_currencies_and_rates_cover_2018_to_2026(
    con: duckdb.DuckDBPyConnection,
) -> None:
    expected = {
        "UGA": "UGX", "KEN": "KES", "TZA": "TZS", "RWA": "RWF", "BDI": "BIF", "ETH": "ETB",
        "MWI": "MWK", "GHA": "GHS", "NER": "XOF", "MLI": "XOF", "BGD": "BDT", "NPL": "NPR",
    }  # fmt: skip
    pairs = dict(con.execute("SELECT DISTINCT country, currency FROM projects").fetchall())
    assert pairs == expected
    for currency in {*expected.values(), "DKK", "EUR"}:
        years = {y for (y,) in con.execute(
            "SELECT year FROM exchange_rates WHERE currency = $c", {"c": currency}
        ).fetchall()}  # fmt: skip
        assert set(range(2018, 2027)) <= years, currency
    dkk = con.execute(
        "SELECT min(per_usd), max(per_usd) FROM exchange_rates WHERE currency = 'DKK'"
    )
    lo, hi = dkk.fetchone() or (0, 0)
    assert lo >= 6.2 and hi <= 7.1
    assert scalar(con, "SELECT count(DISTINCT organisation) FROM projects") == 8
    assert scalar(con, "SELECT count(*) FROM projects WHERE NOT shared") >= 1


# --- realism: the reference ranges of INDICATORS.md, as of the latest report date ------------

# INDICATORS.md: an active group's latest dataset with report_date <= D is newer than D - 365
# days; each contributes exactly that dataset; money converted per dataset at its year's rate.
ACTIVE = """
WITH as_of AS (SELECT max(report_date) AS d FROM datasets),
latest AS (
    SELECT ds.*, p.currency, g.trained_by
    FROM datasets ds JOIN projects p USING (project_id)
    JOIN groups g USING (project_id, group_id), as_of
    WHERE ds.report_date <= as_of.d
    QUALIFY row_number() OVER (PARTITION BY ds.project_id, ds.group_id
                               ORDER BY ds.report_date DESC) = 1
),
active AS (
    SELECT l.*, r.per_usd, date_diff('day', l.cycle_start_date, l.report_date) AS days
    FROM latest l CROSS JOIN as_of
    JOIN exchange_rates r ON r.currency = l.currency AND r.year = year(l.report_date)
    WHERE l.report_date > as_of.d - INTERVAL 365 DAY
)
"""

INDICATORS = (
    ACTIVE
    + """
SELECT
    count(*) AS groups,
    sum(members) AS members,
    sum(women) / sum(members) AS pct_women,
    sum(members_attending) / sum(members) AS attendance_rate,
    count(*) FILTER (trained_by = 'replicated')
        / count(*) FILTER (trained_by <> 'replicated') AS replication_rate,
    sum(late_loans_balance / per_usd) / sum(loans_outstanding_value / per_usd) AS portfolio_at_risk,
    sum(loans_outstanding_value / per_usd)
        / sum((loans_outstanding_value + loan_fund_cash) / per_usd) AS loan_fund_utilisation,
    sum(loans_outstanding_count) / sum(members) AS pct_members_with_loans,
    sum((loan_fund_cash + loans_outstanding_value + property_now - savings - property_at_start
         - debts) / per_usd * 365 / days) FILTER (days >= 90)
        / sum((loan_fund_cash + loans_outstanding_value + other_funds_cash + property_now)
              / per_usd) FILTER (days >= 90) AS annualised_return_on_assets
FROM active
"""
)

COST_PER_MEMBER = (
    ACTIVE
    + """,
report AS (
    SELECT pr.project_id, pr.cost_to_date / r.per_usd AS cost_usd
    FROM project_reports pr JOIN projects p USING (project_id) CROSS JOIN as_of
    JOIN exchange_rates r ON r.currency = p.currency AND r.year = year(pr.period_end)
    WHERE pr.period_end <= as_of.d
    QUALIFY row_number() OVER (PARTITION BY pr.project_id ORDER BY pr.period_end DESC) = 1
)
SELECT report.project_id, report.cost_usd / sum(active.members) AS cost_per_member_usd
FROM report JOIN active USING (project_id)
GROUP BY report.project_id, report.cost_usd
"""
)


@pytest.fixture(scope="module")
def indicators(con: duckdb.DuckDBPyConnection) -> dict[str, float]:
    cursor = con.execute(INDICATORS)
    names = [d[0] for d in cursor.description]
    row = cursor.fetchone()
    assert row is not None
    return dict(zip(names, row, strict=True))


@pytest.mark.parametrize(
    ("indicator", "low", "high"),
    [
        ("pct_women", 0.75, 0.85),  # ~80% of members are women (SAVIX 2019)
        ("annualised_return_on_assets", 0.20, 0.40),  # SAVIX headline ~33%
        ("replication_rate", 0.3, 2.5),  # ~2 replicated per project-formed group at most
        ("portfolio_at_risk", 0.0, 0.10),
        ("loan_fund_utilisation", 0.5, 0.9),  # CARE Rwanda SAFI: 77%
        ("attendance_rate", 0.8, 0.97),
        ("pct_members_with_loans", 0.55, 0.8),  # CARE Rwanda SAFI: 70%
    ],
)
def test_pooled_indicator_is_in_the_reference_range(
    indicators: dict[str, float], indicator: str, low: float, high: float
) -> None:
    assert low <= indicators[indicator] <= high, indicators


def test_groups_are_of_realistic_size(indicators: dict[str, float]) -> None:
    assert 15 <= indicators["members"] / indicators["groups"] <= 28


def test_cost_per_member_is_10_to_40_usd_for_most_projects(con: duckdb.DuckDBPyConnection) -> None:
    costs = [c for _, c in con.execute(COST_PER_MEMBER).fetchall()]
    assert len(costs) >= 35
    assert sum(10 <= c <= 40 for c in costs) >= 0.75 * len(costs)
    assert min(costs) > 2 and max(costs) < 100


def test_inactive_and_ageing_groups_exist(con: duckdb.DuckDBPyConnection) -> None:
    latest = "SELECT project_id, group_id, max(report_date) AS last FROM datasets GROUP BY ALL"
    age = f"SELECT date_diff('day', last, DATE '2026-09-30') AS days FROM ({latest})"
    inactive = f"SELECT count(*) FROM ({age}) WHERE days >= 365"
    ageing = f"SELECT count(*) FROM ({age}) WHERE days BETWEEN 184 AND 364"  # active, but ageing
    assert 0 < scalar(con, inactive) < 0.2 * 1500
    assert 0 < scalar(con, ageing) < 0.1 * 1500


def test_warnings_show_several_rules(con: duckdb.DuckDBPyConnection) -> None:
    counts = dict(con.execute("SELECT rule, count(*) FROM warnings GROUP BY rule").fetchall())
    assert {"ageing_data", "low_attendance", "high_portfolio_at_risk"} <= set(counts)
    assert len(counts) >= 4
    flagged = sum(n for rule, n in counts.items() if rule != "ageing_data")
    assert flagged < 0.02 * scalar(con, "SELECT count(*) FROM datasets")  # questionable, not bad


def test_youth_is_recorded_by_some_projects_only(con: duckdb.DuckDBPyConnection) -> None:
    per_project = con.execute(
        "SELECT count(youth) > 0, count(youth) = count(*) FROM datasets GROUP BY project_id"
    ).fetchall()
    assert all(some == every for some, every in per_project), "youth recorded per project"
    assert {some for some, _ in per_project} == {True, False}


def test_the_groups_mix_trainers_settings_and_themes(con: duckdb.DuckDBPyConnection) -> None:
    trained = dict(con.execute("SELECT trained_by, count(*) FROM groups GROUP BY 1").fetchall())
    assert set(trained) == {"field_officer", "village_agent", "replicated"}
    settings = dict(con.execute("SELECT setting, count(*) FROM groups GROUP BY 1").fetchall())
    assert settings["rural"] > settings["peri-urban"] > 0 and settings["urban"] > 0
    untagged = scalar(con, "SELECT avg((tags IS NULL)::INTEGER) FROM groups")
    assert 0.5 < untagged < 0.95
    # groups formed by field officers come first; replicated groups as projects mature
    order = con.execute(
        "SELECT trained_by FROM groups GROUP BY 1 ORDER BY median(epoch(formation_date))"
    ).fetchall()
    assert [t for (t,) in order] == ["field_officer", "village_agent", "replicated"]


def test_cycles_share_out_and_restart(con: duckdb.DuckDBPyConnection) -> None:
    typical = scalar(
        con,
        """WITH cycles AS (SELECT DISTINCT project_id, group_id, cycle_number, cycle_start_date
                          FROM datasets)
           SELECT median(date_diff('day', a.cycle_start_date, b.cycle_start_date))
           FROM cycles a JOIN cycles b
             ON a.project_id = b.project_id AND a.group_id = b.group_id
            AND b.cycle_number = a.cycle_number + 1""",
    )
    assert 335 <= typical <= 395  # ~12-month cycles
    graduated = scalar(
        con, "SELECT avg((status = 'graduated')::INTEGER) FROM datasets WHERE cycle_number >= 3"
    )
    assert graduated > 0.5
    assert (
        scalar(con, "SELECT count(*) FROM datasets WHERE cycle_number = 1 AND status = 'graduated'")
        == 0
    )
