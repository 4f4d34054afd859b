"""The sources the importer reads: workbooks, CSV files (either delimiter, with or without a
BOM), folders, zip files and other pools; headers as form labels; row numbers that stay
true around empty rows; files it cannot read."""

from __future__ import annotations

import zipfile
from datetime import datetime
from pathlib import Path

import pytest
from ingest_helpers import (
    base_tables,
    count,
    dataset,
    group,
    project,
    rate,
    write_csv,
    write_csvs,
    write_xlsx,
)

from dashboard.ingest import ImportRejected, import_files
from dashboard.ingest.model import TABLES
from dashboard.pool.files import create_pool, open_pool


def _counts(db: Path) -> dict[str, int]:
    con = open_pool(db)
    try:
        return {t: count(con, t) for t in TABLES}
    finally:
        con.close()


FULL = {"exchange_rates": 1, "projects": 1, "project_reports": 1, "groups": 1, "datasets": 2}


def test_workbook_sheets_matched_case_insensitively_others_noted(tmp_path: Path) -> None:
    tables = base_tables()
    sheets = {
        "Exchange Rates": tables["exchange_rates"],
        "PROJECTS": tables["projects"],
        "project-reports": tables["project_reports"],
        "Groups": tables["groups"],
        "datasets": tables["datasets"],
    }
    book = write_xlsx(tmp_path / "p.xlsx", sheets, extra_sheets={"Read me": [["hello"]]})
    result = import_files([book], tmp_path / "pool.duckdb")
    assert result.rows_added == FULL
    assert "p.xlsx, sheet Read me: ignored (not named after a table)." in result.notes
    assert _counts(tmp_path / "pool.duckdb") == FULL


def test_excel_cells_dates_and_numbers(tmp_path: Path) -> None:
    tables = base_tables()
    tables["groups"] = [group(formation_date=datetime(2023, 2, 1))]
    tables["datasets"] = [
        dataset(report_date=datetime(2024, 6, 30), cycle_start_date=datetime(2024, 1, 15, 0, 0)),
        dataset(report_date="2024-03-31", members=22.0, savings=1000.25),
    ]
    result = import_files([write_xlsx(tmp_path / "p.xlsx", tables)], tmp_path / "pool.duckdb")
    assert result.rows_added["datasets"] == 2
    con = open_pool(tmp_path / "pool.duckdb")
    rows = con.execute(
        "SELECT CAST(report_date AS VARCHAR), members, savings FROM datasets ORDER BY report_date"
    ).fetchall()
    con.close()
    assert rows == [("2024-03-31", 22, 1000.25), ("2024-06-30", 22, 1000000.0)]


@pytest.mark.parametrize(("delimiter", "bom"), [(";", True), (",", True), (";", False)])
def test_csv_delimiter_and_bom(tmp_path: Path, delimiter: str, bom: bool) -> None:
    files = [
        write_csv(tmp_path / f"{table}.csv", rows, delimiter=delimiter, bom=bom)
        for table, rows in base_tables().items()
    ]
    result = import_files(files, tmp_path / "pool.duckdb")
    assert result.rows_added == FULL
    con = open_pool(tmp_path / "pool.duckdb")
    assert con.execute("SELECT project_id, country FROM projects").fetchall() == [("P1", "UGA")]
    con.close()


def test_csv_file_names_are_case_insensitive(tmp_path: Path) -> None:
    files = [
        write_csv(tmp_path / f"{table.replace('_', ' ').title()}.CSV", rows)
        for table, rows in base_tables().items()
    ]
    assert import_files(files, tmp_path / "pool.duckdb").rows_added == FULL


def test_folder(tmp_path: Path) -> None:
    write_csvs(tmp_path / "export", base_tables())
    (tmp_path / "export" / "notes.txt").write_text("not data")
    result = import_files([tmp_path / "export"], tmp_path / "pool.duckdb")
    assert result.rows_added == FULL
    assert "export/notes.txt: ignored (only .csv and .xlsx files are read)." in result.notes
    assert sorted(f["name"] for f in result.files) == sorted(
        f"export/{t}.csv" for t in base_tables()
    )


def test_zip_with_members_in_a_subfolder(tmp_path: Path) -> None:
    paths = write_csvs(tmp_path / "csv", base_tables())
    archive = tmp_path / "upload.zip"
    with zipfile.ZipFile(archive, "w") as z:
        for path in paths:
            z.write(path, f"2025-q1/{path.name}")
        z.writestr("__MACOSX/2025-q1/._datasets.csv", "junk")
        z.writestr("2025-q1/summary.pdf", "junk")
    result = import_files([archive], tmp_path / "pool.duckdb")
    assert result.rows_added == FULL
    assert result.files[0]["name"] == "upload.zip"
    assert "upload.zip/2025-q1/summary.pdf: ignored (not .csv or .xlsx)." in result.notes


def test_zip_errors_name_the_member(tmp_path: Path) -> None:
    tables = base_tables()
    tables["datasets"] = [dataset(status="asleep")]
    paths = write_csvs(tmp_path / "csv", tables)
    archive = tmp_path / "upload.zip"
    with zipfile.ZipFile(archive, "w") as z:
        for path in paths:
            z.write(path, f"q1/{path.name}")
    with pytest.raises(ImportRejected) as caught:
        import_files([archive], tmp_path / "pool.duckdb")
    issue = caught.value.issues[0]
    assert (issue.file, issue.row, issue.column) == ("upload.zip/q1/datasets.csv", 2, "status")


def test_pool_merge(tmp_path: Path) -> None:
    ours = tmp_path / "ours.duckdb"
    theirs = tmp_path / "theirs.duckdb"
    import_files(write_csvs(tmp_path / "a", base_tables()), ours)
    other = {
        "exchange_rates": [rate(currency="KES", year=2024, per_usd=130)],
        "projects": [project(project_id="K1", country="Kenya", currency="KES")],
        "groups": [group(project_id="K1", group_id="G1")],
        # the same key as in ours: replaces it
        "datasets": [dataset(project_id="K1"), dataset(savings=5)],
    }
    other["projects"].append(project())
    other["groups"].append(group())
    other["exchange_rates"].append(rate())
    import_files(write_csvs(tmp_path / "b", other), theirs)
    result = import_files([theirs], ours)
    assert result.rows_added == {
        "exchange_rates": 1,
        "projects": 1,
        "groups": 1,
        "datasets": 1,
    }
    assert result.rows_replaced == {
        "exchange_rates": 1,
        "projects": 1,
        "groups": 1,
        "datasets": 1,
    }
    con = open_pool(ours)
    assert count(con, "datasets") == 3
    assert con.execute(
        "SELECT savings FROM datasets WHERE project_id = 'P1' AND report_date = '2024-06-30'"
    ).fetchall() == [(5.0,)]
    con.close()


def test_pool_source_rows_are_numbered_from_1(tmp_path: Path) -> None:
    """A pool built by other means can hold rows that break the rules: they are named by
    table (as the sheet) and 1-based row."""
    theirs = tmp_path / "theirs.duckdb"
    create_pool(theirs)
    con = open_pool(theirs, read_only=False)
    con.execute("INSERT INTO exchange_rates VALUES ('UGX', 2024, 3700)")
    con.execute(
        "INSERT INTO projects VALUES ('P1','n','o',NULL,'UGA','UGX','2023-01-01',NULL,NULL,true)"
    )
    con.execute(
        "INSERT INTO groups VALUES ('P1','G1',NULL,'2023-02-01','field_officer',"
        "NULL,NULL,NULL,NULL,NULL,NULL)"
    )
    values = (
        "'P1','G1',DATE '{d}',1,'2024-01-15',20,20,{w},{m},NULL,20,0,1,0,0,0,0,0,0,0,0,0,"
        "'graduated'"
    )
    con.execute(f"INSERT INTO datasets VALUES ({values.format(d='2024-03-31', w=21, m=0)})")
    con.execute(f"INSERT INTO datasets VALUES ({values.format(d='2024-06-30', w=10, m=10)})")
    con.close()
    with pytest.raises(ImportRejected) as caught:
        import_files([theirs], tmp_path / "ours.duckdb")
    assert [str(i) for i in caught.value.issues] == [
        "theirs.duckdb, sheet datasets, row 1, column women: 21 women is more than the 20 "
        "members; women must be <= members."
    ]
    assert not (tmp_path / "ours.duckdb").exists()


def test_form_labels_as_headers(tmp_path: Path) -> None:
    labels = {
        "formation_date": "Date of first training meeting",
        "trained_by": "  GROUP TRAINED BY ",
        "cycle_start_date": "Date savings started this cycle",
        "report_date": "Date of data collection",
        "members_at_start": "Members at start of cycle",
        "members": "Registered members at present",
        "women": "Registered women at present",
        "men": "Registered men at present",
        "members_attending": "No. of members attending meeting",
        "dropouts": "Dropouts this cycle",
        "savings": "Value of savings this cycle",
        "loans_outstanding_count": "No. of loans outstanding",
        "loans_outstanding_value": "Value of loans outstanding",
        "late_loans_balance": "Unpaid balance of late loans",
        "write_offs": "Write-offs this cycle",
        "loan_fund_cash": "Loan fund cash in box/bank",
        "other_funds_cash": "Cash in other funds",
        "property_at_start": "Property at start of cycle",
        "property_now": "Property now",
        "debts": "Debts",
        "status": "Status",
        "group_id": "GROUP-ID",
    }
    tables = base_tables()
    tables["groups"] = [{labels.get(k, k): v for k, v in r.items()} for r in tables["groups"]]
    tables["datasets"] = [
        {labels.get(k, k): v for k, v in r.items()} | {"Comments": "fine"}
        for r in tables["datasets"]
    ]
    result = import_files(write_csvs(tmp_path, tables), tmp_path / "pool.duckdb")
    assert result.rows_added == FULL
    assert "datasets.csv: ignored the column 'Comments' (not a column of datasets)." in result.notes
    con = open_pool(tmp_path / "pool.duckdb")
    assert con.execute(
        "SELECT members, women, men, savings FROM datasets ORDER BY report_date"
    ).fetchall() == [(22, 18, 4, 1000000.0), (22, 18, 4, 1000000.0)]
    con.close()


def test_a_column_given_twice_is_an_error(tmp_path: Path) -> None:
    tables = base_tables()
    tables["datasets"] = [
        r | {"Registered women at present": r["women"]} for r in tables["datasets"]
    ]
    with pytest.raises(ImportRejected) as caught:
        import_files(write_csvs(tmp_path, tables), tmp_path / "pool.duckdb")
    issue = caught.value.issues[0]
    assert (issue.file, issue.row, issue.column) == (
        "datasets.csv",
        1,
        "Registered women at present",
    )
    assert "'women' and 'Registered women at present' both give women" in issue.message


def test_empty_rows_are_skipped_and_row_numbers_stay_true(tmp_path: Path) -> None:
    tables = base_tables()
    paths = write_csvs(tmp_path / "csv", tables)
    datasets_csv = tmp_path / "csv" / "datasets.csv"
    lines = datasets_csv.read_text().splitlines()
    bad = lines[2].replace(",supervised", ",bogus")
    # header, row 2 ok, rows 3-4 empty (a blank line and a line of delimiters), row 5 bad
    datasets_csv.write_text("\n".join([lines[0], lines[1], "", "," * 22, bad, ""]) + "\n")
    with pytest.raises(ImportRejected) as caught:
        import_files(paths, tmp_path / "pool.duckdb")
    assert [(i.file, i.row, i.column) for i in caught.value.issues] == [
        ("datasets.csv", 5, "status")
    ]
    book_tables = base_tables()
    book_tables["datasets"] = [dataset(report_date="2024-03-31"), {}, {}, dataset(status="bogus")]
    book = write_xlsx(tmp_path / "b.xlsx", book_tables)
    with pytest.raises(ImportRejected) as caught:
        import_files([book], tmp_path / "pool.duckdb")
    assert [(i.sheet, i.row, i.column) for i in caught.value.issues] == [("datasets", 5, "status")]


def test_row_with_too_many_cells_is_reported_and_the_rest_checked(tmp_path: Path) -> None:
    paths = write_csvs(tmp_path, base_tables())
    groups_csv = tmp_path / "groups.csv"
    header, row = groups_csv.read_text().splitlines()
    groups_csv.write_text(f"{header}\n{row},stray\n")
    with pytest.raises(ImportRejected) as caught:
        import_files(paths, tmp_path / "pool.duckdb")
    assert caught.value.total == 1
    issue = caught.value.issues[0]
    assert (issue.file, issue.row) == ("groups.csv", 2)
    assert "this row has 12 cells but the header has 11" in issue.message


@pytest.mark.parametrize(
    ("name", "words"),
    [
        ("data.xls", "old-style Excel file (.xls)"),
        ("data.txt", "this kind of file cannot be imported"),
        ("members.csv", "does not say which table it holds"),
    ],
)
def test_files_that_cannot_be_imported(tmp_path: Path, name: str, words: str) -> None:
    path = tmp_path / name
    path.write_text("a,b\n1,2\n")
    with pytest.raises(ImportRejected) as caught:
        import_files([path], tmp_path / "pool.duckdb")
    assert caught.value.issues[0].file == name
    assert words in caught.value.issues[0].message


def test_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "projects.csv"
    path.write_bytes("project_id,project_name\nP1,Café\n".encode("cp1252"))
    with pytest.raises(ImportRejected) as caught:
        import_files([path], tmp_path / "pool.duckdb")
    assert "not UTF-8 text" in caught.value.issues[0].message


def test_missing_path(tmp_path: Path) -> None:
    with pytest.raises(ImportRejected) as caught:
        import_files([tmp_path / "nope.csv"], tmp_path / "pool.duckdb")
    assert "there is no file or folder at" in caught.value.issues[0].message


def test_header_only_files_have_no_data_rows(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "datasets.csv", [], columns=TABLES["datasets"].names)
    with pytest.raises(ImportRejected) as caught:
        import_files([path], tmp_path / "pool.duckdb")
    assert str(caught.value.issues[0]) == (
        "datasets.csv: the files contain no data rows; fill in at least one row below the "
        "header row of a table's sheet."
    )
