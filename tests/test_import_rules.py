"""Every validation rule of DATA.md: a file that breaks it is rejected, and the error names
the file, sheet, row (header = row 1) and column, in CSV files and in workbooks alike."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from ingest_helpers import (
    base_tables,
    dataset,
    group,
    project,
    rate,
    report,
    write_csv,
    write_csvs,
    write_xlsx,
)

from dashboard.ingest import ImportRejected, Issue, import_files

# (case id, table, the bad row (second data row: row 3), column named in the error,
#  value named, words the message must contain)
CASES: list[tuple[str, str, dict[str, Any], str, str | None, str]] = [
    (
        "women_gt_members",
        "datasets",
        dataset(members=30, women=31, men=""),
        "women",
        "31",
        "31 women is more than the 30 members; women must be <= members.",
    ),
    (
        "members_at_least_1",
        "datasets",
        dataset(members=0, women=0, men=0, youth="", members_attending=0),
        "members",
        "0",
        "0 is less than 1; members must be a whole number from 1 to 100.",
    ),
    (
        "sex_sum",
        "datasets",
        dataset(members=22, women=18, men=5),
        "men",
        "5",
        "women (18) + men (5) = 23, but members is 22",
    ),
    (
        "attending_gt_members",
        "datasets",
        dataset(members_attending=23),
        "members_attending",
        "23",
        "23 members attending is more than the 22 members",
    ),
    (
        "youth_gt_members",
        "datasets",
        dataset(youth=23),
        "youth",
        "23",
        "23 youth is more than the 22 members",
    ),
    (
        "late_gt_outstanding",
        "datasets",
        dataset(late_loans_balance=800001),
        "late_loans_balance",
        "800001",
        "late loans balance 800001 is more than the loans outstanding value 800000",
    ),
    (
        "cycle_number_at_least_1",
        "datasets",
        dataset(cycle_number=0),
        "cycle_number",
        "0",
        "cycle_number must be a whole number from 1 to 50",
    ),
    (
        "cycle_start_after_report",
        "datasets",
        dataset(cycle_start_date="2024-07-01"),
        "cycle_start_date",
        "2024-07-01",
        "the cycle start date 2024-07-01 is after the report date",
    ),
    (
        "cycle_start_before_formation",
        "datasets",
        dataset(cycle_start_date="2023-01-31"),
        "cycle_start_date",
        "2023-01-31",
        "before the group's formation date 2023-02-01",
    ),
    (
        "negative_amount",
        "datasets",
        dataset(savings=-5),
        "savings",
        "-5",
        "-5 is a negative amount; savings must be an amount >= 0",
    ),
    (
        "negative_count",
        "datasets",
        dataset(dropouts=-1),
        "dropouts",
        "-1",
        "-1 is negative; dropouts must be a whole number from 0 to 100",
    ),
    (
        "not_whole",
        "datasets",
        dataset(members=22.5),
        "members",
        "22.5",
        "'22.5' is not a whole number",
    ),
    (
        "not_a_number",
        "datasets",
        dataset(loan_fund_cash="lots"),
        "loan_fund_cash",
        "lots",
        "'lots' is not a number",
    ),
    (
        "thousands_separator",
        "datasets",
        dataset(savings="1,234.50"),
        "savings",
        "1,234.50",
        "has a thousands separator",
    ),
    (
        "status_enum",
        "datasets",
        dataset(status="active"),
        "status",
        "active",
        "status must be one of supervised, graduated",
    ),
    (
        "missing_value",
        "datasets",
        dataset(savings=""),
        "savings",
        None,
        "the value is missing; savings is required",
    ),
    (
        "report_date_future",
        "datasets",
        dataset(report_date="2099-01-01"),
        "report_date",
        "2099-01-01",
        "2099-01-01 is in the future",
    ),
    (
        "unknown_group",
        "datasets",
        dataset(group_id="G9"),
        "group_id",
        "G9",
        "group G9 of project P1 is not in the pool or in this import",
    ),
    (
        "unknown_project_of_dataset",
        "datasets",
        dataset(project_id="P9"),
        "project_id",
        "P9",
        "project P9 is not in the pool or in this import",
    ),
    (
        "duplicate_dataset",
        "datasets",
        dataset(report_date="2024-03-31"),
        "project_id, group_id, report_date",
        "project_id P1, group_id G1, report_date 2024-03-31",
        "report_date 2024-03-31) is also on",
    ),
    (
        "no_rate_for_dataset_year",
        "datasets",
        dataset(report_date="2025-01-31", cycle_start_date="2024-12-01"),
        "report_date",
        "2025-01-31",
        "no exchange rate for UGX (the currency of project P1) in 2025",
    ),
    (
        "trained_by_enum",
        "groups",
        group(group_id="G2", trained_by="trainer"),
        "trained_by",
        "trainer",
        "trained_by must be one of field_officer, village_agent, replicated",
    ),
    (
        "setting_enum",
        "groups",
        group(group_id="G2", setting="city"),
        "setting",
        "city",
        "setting must be one of rural, peri-urban, urban",
    ),
    (
        "latitude_range",
        "groups",
        group(group_id="G2", latitude=91),
        "latitude",
        "91",
        "latitude must be a number between -90 and 90",
    ),
    (
        "longitude_range",
        "groups",
        group(group_id="G2", longitude=-181),
        "longitude",
        "-181",
        "longitude must be a number between -180 and 180",
    ),
    (
        "formation_future",
        "groups",
        group(group_id="G2", formation_date="2099-12-31"),
        "formation_date",
        "2099-12-31",
        "is in the future",
    ),
    (
        "unknown_project_of_group",
        "groups",
        group(project_id="P9", group_id="G2"),
        "project_id",
        "P9",
        "project P9 is not in the pool or in this import",
    ),
    (
        "duplicate_group",
        "groups",
        group(group_name="Again"),
        "project_id, group_id",
        "project_id P1, group_id G1",
        "is also on",
    ),
    (
        "cost_negative",
        "project_reports",
        report(period_end="2024-09-30", cost_to_date=-1),
        "cost_to_date",
        "-1",
        "is a negative amount",
    ),
    (
        "field_officers_negative",
        "project_reports",
        report(period_end="2024-09-30", field_officers=-2),
        "field_officers",
        "-2",
        "field_officers must be a whole number from 0 to 1000",
    ),
    (
        "village_agents_negative",
        "project_reports",
        report(period_end="2024-09-30", village_agents=-1),
        "village_agents",
        "-1",
        "village_agents must be a whole number from 0 to 10000",
    ),
    (
        "period_end_future",
        "project_reports",
        report(period_end="2099-03-31"),
        "period_end",
        "2099-03-31",
        "is in the future",
    ),
    (
        "unknown_project_of_report",
        "project_reports",
        report(project_id="P9"),
        "project_id",
        "P9",
        "project P9 is not in the pool or in this import",
    ),
    (
        "no_rate_for_report_year",
        "project_reports",
        report(period_end="2023-12-31"),
        "period_end",
        "2023-12-31",
        "no exchange rate for UGX (the currency of project P1) in 2023",
    ),
    (
        "end_before_start",
        "projects",
        project(project_id="P2", end_date="2022-12-31"),
        "end_date",
        "2022-12-31",
        "the end date 2022-12-31 is before the start date 2023-01-01",
    ),
    (
        "unknown_country",
        "projects",
        project(project_id="P2", country="Atlantis"),
        "country",
        "Atlantis",
        "'Atlantis' is not a country we recognise",
    ),
    (
        "unknown_currency",
        "projects",
        project(project_id="P2", currency="USH"),
        "currency",
        "USH",
        "'USH' is not an ISO 4217 currency code",
    ),
    (
        "shared_not_bool",
        "projects",
        project(project_id="P2", shared="maybe"),
        "shared",
        "maybe",
        "'maybe' is not yes or no",
    ),
    (
        "per_usd_positive",
        "exchange_rates",
        rate(year=2023, per_usd=0),
        "per_usd",
        "0",
        "0 is less than 0.1, the limit of per_usd",
    ),
    (
        "rate_currency_unknown",
        "exchange_rates",
        rate(currency="XYZ", year=2023),
        "currency",
        "XYZ",
        "'XYZ' is not an ISO 4217 currency code",
    ),
    (
        "duplicate_rate",
        "exchange_rates",
        rate(per_usd=3800),
        "currency, year",
        "currency UGX, year 2024",
        "is also on",
    ),
]


KEY_OF_CASE = {
    "datasets": "report_date",
    "groups": "group_id",
    "projects": "project_id",
    "project_reports": "period_end",
    "exchange_rates": "year",
}


def _unique_key(table: str, index: int) -> Any:
    """A key value no other row of the table has (cases that set the key keep theirs)."""
    if table == "datasets":
        return (date(2024, 4, 1) + timedelta(days=index)).isoformat()
    if table == "project_reports":
        return (date(2024, 1, 1) + timedelta(days=index)).isoformat()
    if table == "groups":
        return f"G{100 + index}"
    if table == "projects":
        return f"P{100 + index}"
    return 2000 + index


def _all_cases() -> tuple[dict[str, list[dict[str, Any]]], dict[str, tuple[str, int]]]:
    """One import holding every case: the valid base rows (row 2 of each table), then each
    case's bad row on its own row. Returns the tables and case id -> (table, row)."""
    tables = base_tables()
    tables["datasets"] = [dataset(report_date="2024-03-31")]  # row 2
    located: dict[str, tuple[str, int]] = {}
    for index, (case, table, bad, column, *_rest) in enumerate(CASES):
        row = dict(bad)
        key = KEY_OF_CASE[table]
        if key != column and not case.startswith("duplicate"):
            row[key] = _unique_key(table, index)
        tables[table].append(row)
        located[case] = (table, len(tables[table]) + 1)
    return tables, located


def _find(exc: ImportRejected, file: str, sheet: str | None, row: int) -> list[Issue]:
    return [i for i in exc.issues if (i.file, i.sheet, i.row) == (file, sheet, row)]


@pytest.fixture(scope="module")
def rejected_csv(tmp_path_factory: pytest.TempPathFactory) -> ImportRejected:
    tmp = tmp_path_factory.mktemp("rules_csv")
    tables, _ = _all_cases()
    with pytest.raises(ImportRejected) as caught:
        import_files(write_csvs(tmp / "in", tables), tmp / "pool.duckdb")
    assert not (tmp / "pool.duckdb").exists()
    return caught.value


@pytest.fixture(scope="module")
def rejected_xlsx(tmp_path_factory: pytest.TempPathFactory) -> ImportRejected:
    tmp = tmp_path_factory.mktemp("rules_xlsx")
    tables, _ = _all_cases()
    with pytest.raises(ImportRejected) as caught:
        import_files([write_xlsx(tmp / "partner.xlsx", tables)], tmp / "pool.duckdb")
    return caught.value


def test_every_case_is_exactly_one_error(
    rejected_csv: ImportRejected, rejected_xlsx: ImportRejected
) -> None:
    assert rejected_csv.total == len(CASES), rejected_csv.report(100)
    assert rejected_xlsx.total == len(CASES), rejected_xlsx.report(100)


@pytest.mark.parametrize(
    ("case", "column", "value", "words"),
    [(c[0], *c[3:]) for c in CASES],
    ids=[c[0] for c in CASES],
)
def test_rule_in_csv(
    rejected_csv: ImportRejected, case: str, column: str, value: str | None, words: str
) -> None:
    table, row = _all_cases()[1][case]
    found = _find(rejected_csv, f"{table}.csv", None, row)
    assert len(found) == 1, rejected_csv.report(100)
    issue = found[0]
    assert issue.column == column
    assert issue.value == value
    assert words in issue.message
    assert str(issue).startswith(f"{table}.csv, row {row}, column {column}: ")


@pytest.mark.parametrize(
    ("case", "column", "value", "words"),
    [(c[0], *c[3:]) for c in CASES],
    ids=[c[0] for c in CASES],
)
def test_rule_in_xlsx(
    rejected_xlsx: ImportRejected, case: str, column: str, value: str | None, words: str
) -> None:
    table, row = _all_cases()[1][case]
    found = _find(rejected_xlsx, "partner.xlsx", table, row)
    assert len(found) == 1, rejected_xlsx.report(100)
    issue = found[0]
    assert issue.column == column
    assert words in issue.message
    assert str(issue).startswith(f"partner.xlsx, sheet {table}, row {row}, column {column}: ")


def _only_issue(exc: ImportRejected) -> Issue:
    assert exc.total == 1, exc.report()
    return exc.issues[0]


def test_the_example_message_of_the_brief(tmp_path: Path) -> None:
    rows = [dataset(report_date=f"2024-0{m}-28") for m in range(1, 6)]
    rows.append(dataset(members=30, women=31, men=""))  # row 7
    tables = base_tables() | {"datasets": rows}
    with pytest.raises(ImportRejected) as caught:
        import_files(write_csvs(tmp_path, tables), tmp_path / "pool.duckdb")
    assert str(caught.value.issues[0]) == (
        "datasets.csv, row 7, column women: 31 women is more than the 30 members; "
        "women must be <= members."
    )


def test_duplicate_key_names_both_rows_across_files(tmp_path: Path) -> None:
    tables = base_tables()
    files = write_csvs(tmp_path / "csv", tables)
    book = write_xlsx(tmp_path / "more.xlsx", {"datasets": [dataset(savings=5)]})
    with pytest.raises(ImportRejected) as caught:
        import_files([*files, book], tmp_path / "pool.duckdb")
    issue = _only_issue(caught.value)
    assert (issue.file, issue.sheet, issue.row) == ("more.xlsx", "datasets", 2)
    assert "is also on datasets.csv, row 3" in issue.message


def test_missing_required_column_is_one_error(tmp_path: Path) -> None:
    rows = [{k: v for k, v in dataset().items() if k != "status"}] * 3
    tables = base_tables() | {
        "datasets": [dict(r, report_date=f"2024-0{i + 1}-28") for i, r in enumerate(rows)]
    }
    with pytest.raises(ImportRejected) as caught:
        import_files(write_csvs(tmp_path, tables), tmp_path / "pool.duckdb")
    issue = _only_issue(caught.value)
    assert (issue.file, issue.sheet, issue.row, issue.column) == (
        "datasets.csv",
        None,
        None,
        "status",
    )
    assert "the required column status is missing" in issue.message


def test_missing_column_in_a_sheet(tmp_path: Path) -> None:
    tables = base_tables()
    tables["groups"] = [{k: v for k, v in group().items() if k != "trained_by"}]
    with pytest.raises(ImportRejected) as caught:
        import_files([write_xlsx(tmp_path / "b.xlsx", tables)], tmp_path / "pool.duckdb")
    issue = _only_issue(caught.value)
    assert (issue.file, issue.sheet, issue.column) == ("b.xlsx", "groups", "trained_by")
    assert "add a column headed trained_by (or its form label 'Group trained by')" in issue.message


def test_references_resolve_against_the_pool(tmp_path: Path) -> None:
    """A dataset whose group is only in the pool is fine; the rate may come from the pool."""
    pool = tmp_path / "pool.duckdb"
    import_files(write_csvs(tmp_path / "first", base_tables()), pool)
    later = write_csv(tmp_path / "second" / "datasets.csv", [dataset(report_date="2024-09-30")])
    result = import_files([later], pool)
    assert result.rows_added == {"datasets": 1}
    missing = write_csv(tmp_path / "third" / "datasets.csv", [dataset(group_id="G2")])
    with pytest.raises(ImportRejected) as caught:
        import_files([missing], pool)
    assert "group G2 of project P1 is not in the pool" in _only_issue(caught.value).message


def test_the_imported_version_of_a_project_is_checked(tmp_path: Path) -> None:
    """Re-importing P1 with currency KES makes its datasets need a KES rate."""
    pool = tmp_path / "pool.duckdb"
    import_files(write_csvs(tmp_path / "first", base_tables()), pool)
    files = write_csvs(
        tmp_path / "second",
        {"projects": [project(currency="KES")], "datasets": [dataset(report_date="2024-09-30")]},
    )
    with pytest.raises(ImportRejected) as caught:
        import_files(files, pool)
    issue = _only_issue(caught.value)
    assert issue.row == 2
    assert "no exchange rate for KES (the currency of project P1) in 2024" in issue.message


def test_usd_needs_no_rate(tmp_path: Path) -> None:
    tables = base_tables()
    tables["exchange_rates"] = []
    tables["projects"] = [project(currency="usd")]
    result = import_files(write_csvs(tmp_path, tables), tmp_path / "pool.duckdb")
    assert result.rows_added["datasets"] == 2


def test_one_rate_error_per_currency_and_year_with_a_count(tmp_path: Path) -> None:
    tables = base_tables()
    tables["datasets"] = [dataset(report_date=f"2025-0{m}-15") for m in range(1, 5)]
    with pytest.raises(ImportRejected) as caught:
        import_files(write_csvs(tmp_path, tables), tmp_path / "pool.duckdb")
    issue = _only_issue(caught.value)
    assert issue.row == 2
    assert "needed by this row (and by 3 more rows of this sheet)" in issue.message
    assert "add the row currency UGX, year 2025 to exchange_rates" in issue.message
