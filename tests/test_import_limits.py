"""Issue 26, item 5: impossible values are import errors naming the file, sheet, row, column,
the value and the limit; implausible ones are imported and flagged as warnings. A refused
import leaves the pool byte for byte as it was.

The limits (dashboard/ingest/model.py): no group has more than 100 members, so no count of
one group's people or loans exceeds 100; a cycle number is at most 50; no date is before
1990-01-01; any amount of one group's books is at most USD 1,000,000 and a project's cost to
date at most USD 100,000,000, converted at the rate of the row's year; at most 1,000 field
officers and 10,000 village agents per project; a rate per USD lies between 0.1 and
10,000,000, and USD's is 1. The expected USD figures below are worked out by hand from the
helpers' rate, UGX 3700 per USD in 2024."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from ingest_helpers import (
    base_tables,
    dataset,
    group,
    project,
    rate,
    report,
    sha256,
    write_csvs,
    write_xlsx,
)

from dashboard.ingest import ImportRejected, Issue, import_files, write_template
from dashboard.pool.files import open_pool

UGX_PER_USD = 3700  # ingest_helpers.rate(): UGX, 2024

# (case, table, the bad row, column named, words of the message)
CASES: list[tuple[str, str, dict[str, Any], str, str]] = [
    (
        "members",
        "datasets",
        dataset(members=2_000_000_000, women=18, men=""),
        "members",
        "2000000000 is more than 100, the limit of members: no savings group has more than "
        "100 members",
    ),
    (
        "members_at_start",
        "datasets",
        dataset(members_at_start=101),
        "members_at_start",
        "101 is more than 100, the limit of members_at_start",
    ),
    ("dropouts", "datasets", dataset(dropouts=150), "dropouts", "150 is more than 100"),
    (
        "loans",
        "datasets",
        dataset(loans_outstanding_count=101),
        "loans_outstanding_count",
        "101 is more than 100, the limit of loans_outstanding_count",
    ),
    (
        "cycle_number",
        "datasets",
        dataset(cycle_number=51),
        "cycle_number",
        "51 is more than 50, the limit of cycle_number",
    ),
    (
        # USD 1,000,000 at 3700 UGX per USD is UGX 3,700,000,000 (accepted: see below)
        "savings",
        "datasets",
        dataset(savings=3_700_003_700),
        "savings",
        "3700003700 UGX is USD 1,000,001 at the 2024 rate of 3700 UGX per USD, more than "
        "USD 1,000,000: more than any savings group holds",
    ),
    (
        "savings_1e300",
        "datasets",
        dataset(savings="1e300"),
        "savings",
        "1e300 UGX is USD 2.7e+296 at the 2024 rate of 3700 UGX per USD, more than USD 1,000,000",
    ),
    (
        "debts",
        "datasets",
        dataset(debts=4e9),  # USD 1,081,081
        "debts",
        "is USD 1,081,081 at the 2024 rate",
    ),
    ("not_finite", "datasets", dataset(loan_fund_cash="inf"), "loan_fund_cash", "not a number"),
    ("nan", "datasets", dataset(property_now="nan"), "property_now", "not a number"),
    ("overflow", "datasets", dataset(write_offs="1e400"), "write_offs", "'1e400' is too large"),
    (
        "formation_date",
        "groups",
        group(group_id="G2", formation_date="1900-01-01"),
        "formation_date",
        "1900-01-01 is before 1990-01-01",
    ),
    (
        "cost_to_date",
        "project_reports",
        report(period_end="2024-09-30", cost_to_date=370_000_370_000),
        "cost_to_date",
        "370000370000 UGX is USD 100,000,100 at the 2024 rate of 3700 UGX per USD, more than "
        "USD 100,000,000: more than the whole cost of any savings-group project",
    ),
    (
        "field_officers",
        "project_reports",
        report(period_end="2024-12-31", field_officers=1001),
        "field_officers",
        "1001 is more than 1000, the limit of field_officers",
    ),
    (
        "village_agents",
        "project_reports",
        report(period_end="2024-03-31", village_agents=10_001),
        "village_agents",
        "10001 is more than 10000, the limit of village_agents",
    ),
    (
        "start_date",
        "projects",
        project(project_id="P2", start_date="1985-01-01"),
        "start_date",
        "1985-01-01 is before 1990-01-01",
    ),
    (
        "end_date",
        "projects",
        project(project_id="P3", end_date="2101-01-01"),
        "end_date",
        "2101-01-01 is after 2100-12-31, the latest end_date can be",
    ),
    (
        "per_usd_low",
        "exchange_rates",
        rate(currency="KES", per_usd=0.05),
        "per_usd",
        "0.05 is less than 0.1, the limit of per_usd",
    ),
    (
        "per_usd_high",
        "exchange_rates",
        rate(currency="TZS", per_usd=2e7),
        "per_usd",
        "20000000 is more than 10000000, the limit of per_usd",
    ),
    (
        "rate_year",
        "exchange_rates",
        rate(currency="BIF", year=1989),
        "year",
        "1989 is less than 1990, the limit of year",
    ),
    (
        "usd_rate",
        "exchange_rates",
        rate(currency="USD", per_usd=2),
        "per_usd",
        "2 is not 1: USD is the unit of every rate",
    ),
]


def _tables() -> tuple[dict[str, list[dict[str, Any]]], dict[str, tuple[str, int]]]:
    """The valid base rows, then each case's bad row on a row of its own (Excel numbering:
    the header is row 1); returns the tables and case -> (table, row)."""
    tables = base_tables()
    located: dict[str, tuple[str, int]] = {}
    for index, (case, table, bad, _column, _words) in enumerate(CASES):
        row = dict(bad)
        if table == "datasets":  # (a key of its own, a date with a rate)
            row["report_date"] = (date(2024, 4, 1) + timedelta(days=index)).isoformat()
        tables[table].append(row)
        located[case] = (table, len(tables[table]) + 1)
    return tables, located


@pytest.fixture(scope="module")
def pool(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A pool holding the valid base rows (the refused imports go into it)."""
    tmp = tmp_path_factory.mktemp("limits")
    path = tmp / "pool.duckdb"
    import_files(write_csvs(tmp / "base", base_tables()), path)
    return path


@pytest.fixture(scope="module")
def refused(pool: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    tmp = tmp_path_factory.mktemp("limits_refused")
    tables, located = _tables()
    before = sha256(pool)
    with pytest.raises(ImportRejected) as csv_caught:
        import_files(write_csvs(tmp / "csv", tables), pool)
    with pytest.raises(ImportRejected) as xlsx_caught:
        import_files([write_xlsx(tmp / "partner.xlsx", tables)], pool)
    return {
        "csv": csv_caught.value,
        "xlsx": xlsx_caught.value,
        "located": located,
        "unchanged": sha256(pool) == before,
    }


def _at(exc: ImportRejected, file: str, sheet: str | None, row: int, column: str) -> list[Issue]:
    return [
        i for i in exc.issues if (i.file, i.sheet, i.row, i.column) == (file, sheet, row, column)
    ]


def test_every_impossible_value_is_one_error_and_the_pool_is_unchanged(refused):
    assert refused["unchanged"]
    for kind in ("csv", "xlsx"):
        assert refused[kind].total == len(CASES), refused[kind].report(100)


@pytest.mark.parametrize(("case", "column", "words"), [(c[0], c[3], c[4]) for c in CASES])
def test_the_error_names_file_sheet_row_column_value_and_limit(refused, case, column, words):
    table, row = refused["located"][case]
    (in_csv,) = _at(refused["csv"], f"{table}.csv", None, row, column)
    assert words in in_csv.message, in_csv.message
    assert str(in_csv).startswith(f"{table}.csv, row {row}, column {column}: ")
    (in_xlsx,) = _at(refused["xlsx"], "partner.xlsx", table, row, column)
    assert words in in_xlsx.message
    assert str(in_xlsx).startswith(f"partner.xlsx, sheet {table}, row {row}, column {column}: ")


def test_a_members_own_project_with_absurd_values_is_refused(tmp_path):
    """The attack of the issue: an organisation's member imports its own new project with
    2,000,000,000 members and savings of 1e300. The check used to say the files were fine."""
    pool = tmp_path / "pool.duckdb"
    import_files(write_csvs(tmp_path / "base", base_tables()), pool)
    before = sha256(pool)
    own = {
        "projects": [project(project_id="P-OWN", organisation="Alpha Aid")],
        "groups": [group(project_id="P-OWN")],
        "datasets": [
            dataset(
                project_id="P-OWN",
                members=2_000_000_000,
                women=1_000_000_000,
                men="",
                members_attending=20,
                savings="1e300",
            )
        ],
    }
    book = write_xlsx(tmp_path / "own.xlsx", own)
    for dry_run in (True, False):
        with pytest.raises(ImportRejected) as caught:
            import_files([book], pool, organisation="Alpha Aid", dry_run=dry_run)
        found = {(i.file, i.sheet, i.row, i.column): i for i in caught.value.issues}
        members = found[("own.xlsx", "datasets", 2, "members")]
        assert members.value == "2000000000"
        assert "is more than 100, the limit of members" in members.message
        women = found[("own.xlsx", "datasets", 2, "women")]
        assert "1000000000 is more than 100, the limit of women" in women.message
        savings = found[("own.xlsx", "datasets", 2, "savings")]
        assert "more than USD 1,000,000" in savings.message
        assert "check the amount, the project's currency" in savings.message
    assert sha256(pool) == before


def test_the_limits_themselves_are_accepted_and_implausible_values_are_warnings(tmp_path):
    """At the limits exactly, nothing is refused; above USD 100,000 (UGX 370,000,000) an
    amount, and more loans than members, are imported and flagged."""
    tables = base_tables()
    tables["datasets"] = [
        dataset(report_date="2024-03-31", savings=3_700_000_000, members_at_start=100,
                members=100, women=60, men=40, members_attending=90, cycle_number=50),
        dataset(report_date="2024-06-30", savings=370_000_001),
        dataset(report_date="2024-07-31", loans_outstanding_count=23),  # 22 members
        dataset(report_date="2024-08-31", savings=370_000_000, loans_outstanding_count=22),
    ]  # fmt: skip
    tables["project_reports"] = [report(cost_to_date=370_000_000_000, field_officers=1000,
                                        village_agents=10_000)]  # fmt: skip
    tables["exchange_rates"] += [rate(currency="KES", per_usd=0.1), rate(currency="TZS",
                                 per_usd=10_000_000), rate(currency="USD", per_usd=1)]  # fmt: skip
    pool = tmp_path / "pool.duckdb"
    result = import_files(write_csvs(tmp_path / "in", tables), pool)
    assert result.warnings["large_amount"] == 2  # 3,700,000,000 and 370,000,001 UGX
    assert result.warnings["loans_above_members"] == 1
    con = open_pool(pool)
    try:
        flagged = con.execute(
            'SELECT rule, CAST(report_date AS VARCHAR), "column", round(value, 2) FROM warnings '
            "WHERE rule IN ('large_amount', 'loans_above_members') ORDER BY report_date"
        ).fetchall()
    finally:
        con.close()
    assert flagged == [
        ("large_amount", "2024-03-31", "savings", 1_000_000.0),
        ("large_amount", "2024-06-30", "savings", 100_000.0),  # 100,000.00027
        ("loans_above_members", "2024-07-31", "loans_outstanding_count", round(23 / 22, 2)),
    ]
    assert "an amount of one group above USD 100,000" in result.summary()


def test_the_template_states_the_limits(tmp_path):
    path = tmp_path / "template.xlsx"
    write_template(path)
    sheet = openpyxl.load_workbook(path)["Columns"]
    rules = {(r[0].value, r[1].value): r[5].value for r in sheet.iter_rows(min_row=2) if r[1].value}
    assert "a whole number from 1 to 100" in rules[("datasets", "members")]
    assert "a whole number from 0 to 100" in rules[("datasets", "loans_outstanding_count")]
    assert "a whole number from 1 to 50" in rules[("datasets", "cycle_number")]
    assert "not before 1990-01-01" in rules[("datasets", "report_date")]
    assert "at most the worth of USD 1,000,000" in rules[("datasets", "savings")]
    assert "at most the worth of USD 100,000,000" in rules[("project_reports", "cost_to_date")]
    assert "a whole number from 0 to 1000" in rules[("project_reports", "field_officers")]
    assert "a number between 0.1 and 10000000" in rules[("exchange_rates", "per_usd")]
