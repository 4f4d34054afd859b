"""The import template: its sheets, headers, drop-downs and formats, and that a filled-in
template imports cleanly while an empty one is refused with a clear message."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import openpyxl
import pytest
from ingest_helpers import base_tables

from dashboard.ingest import ImportRejected, import_files, write_template
from dashboard.ingest.model import tables
from dashboard.pool.files import open_pool


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "vsla-template.xlsx"
    write_template(path)
    return path


def test_sheets_and_headers(template: Path) -> None:
    book = openpyxl.load_workbook(template)
    assert book.sheetnames == [
        "projects",
        "groups",
        "datasets",
        "project_reports",
        "exchange_rates",
        "Columns",
    ]
    for table, spec in tables().items():  # with the network's own fields
        sheet = book[table]
        header = [c.value for c in sheet[1]]
        assert header == list(spec.names)
        assert all(c.font.bold for c in sheet[1])
        assert sheet.freeze_panes == "A2"
        assert sheet.max_row == 1
        assert sheet.column_dimensions["A"].width >= 12


def test_drop_downs_for_choices(template: Path) -> None:
    book = openpyxl.load_workbook(template)
    found: dict[tuple[str, str], tuple[str, str]] = {}
    for table in tables():
        sheet = book[table]
        letters = {
            openpyxl.utils.get_column_letter(i): c.value for i, c in enumerate(sheet[1], start=1)
        }
        for validation in sheet.data_validations.dataValidation:
            cells = str(validation.sqref)
            found[(table, letters[cells.split(":")[0].rstrip("0123456789")])] = (
                validation.formula1,
                cells,
            )
    assert found == {
        ("projects", "shared"): ('"yes,no"', "J2:J5000"),
        ("groups", "trained_by"): ('"field_officer,village_agent,replicated"', "E2:E5000"),
        ("groups", "setting"): ('"rural,peri-urban,urban"', "H2:H5000"),
        ("datasets", "status"): ('"supervised,graduated"', "W2:W5000"),
        # the network's own yes/no fields (data/network.toml), after SAVIX's columns
        ("groups", "ndf_peacebuilding"): ('"yes,no"', "L2:L5000"),
        ("groups", "ndf_climate_adaptation"): ('"yes,no"', "M2:M5000"),
        ("datasets", "ndf_bank_linked"): ('"yes,no"', "Z2:Z5000"),
    }


def test_date_columns_have_a_date_format(template: Path) -> None:
    book = openpyxl.load_workbook(template)
    sheet = book["datasets"]
    assert sheet.column_dimensions["C"].number_format == "yyyy-mm-dd"  # report_date
    assert sheet.column_dimensions["E"].number_format == "yyyy-mm-dd"  # cycle_start_date
    assert sheet.column_dimensions["D"].number_format == "General"  # cycle_number


def test_columns_sheet_explains_every_column(template: Path) -> None:
    book = openpyxl.load_workbook(template)
    rows = list(book["Columns"].iter_rows(values_only=True))
    assert rows[0] == (
        "table",
        "column",
        "type",
        "required",
        "meaning",
        "rule",
        "accepted form labels",
    )
    described = {(r[0], r[1]): r for r in rows[1:] if r[1]}
    assert len(described) == sum(len(t.columns) for t in tables().values())
    women = described[("datasets", "women")]
    assert women[2:4] == ("whole number", "yes")
    assert "women <= members" in women[5]
    assert women[6] == "Registered women at present"
    assert described[("datasets", "men")][3] == "no"
    assert "if empty: members - women" in described[("datasets", "men")][4]


def test_empty_template_is_refused(template: Path, tmp_path: Path) -> None:
    with pytest.raises(ImportRejected) as caught:
        import_files([template], tmp_path / "pool.duckdb")
    assert caught.value.total == 1
    assert "the files contain no data rows" in caught.value.issues[0].message
    assert caught.value.issues[0].file == "vsla-template.xlsx"


def test_filled_template_imports_cleanly(template: Path, tmp_path: Path) -> None:
    book = openpyxl.load_workbook(template)
    for table, rows in base_tables().items():
        sheet = book[table]
        for row in rows:
            values = []
            for name in tables()[table].names:
                value = row.get(name, "")  # (the network's own fields may stay empty)
                if tables()[table].column(name).kind == "date" and value:
                    value = datetime.fromisoformat(value)  # typed into a date-formatted cell
                values.append(None if value == "" else value)
            sheet.append(values)
    filled = tmp_path / "filled.xlsx"
    book.save(filled)
    result = import_files([filled], tmp_path / "pool.duckdb")
    assert result.rows_added == {
        "exchange_rates": 1,
        "projects": 1,
        "project_reports": 1,
        "groups": 1,
        "datasets": 2,
    }
    assert "filled.xlsx, sheet Columns: ignored (not named after a table)." in result.notes
    con = open_pool(tmp_path / "pool.duckdb")
    assert con.execute("SELECT formation_date::VARCHAR, trained_by FROM groups").fetchall() == [
        ("2023-02-01", "field_officer")
    ]
    con.close()
