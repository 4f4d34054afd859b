"""Spreadsheets carry words, never live formulas (issue 16: CSV/formula injection).

Names come from imported files. A pool whose project, organisation and trainer are named as
formulas is exported in every kind of file the dashboard and `vsla indicators` write; no
workbook may hold a formula, no CSV cell may start with = + - @, a tab or a carriage return,
and numbers must stay numbers."""

from __future__ import annotations

import base64
import csv
import io
import json
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from dashboard.ingest import import_files
from tests.conftest import _serving, login
from tests.dash_client import call
from tests.ingest_helpers import base_tables, dataset, group, project, report, write_csvs
from tests.test_exports import export, page_export, table_export

HYPERLINK = '=HYPERLINK("http://evil.example/x","Report")'
DDE = "=cmd|' /C calc'!A0"
AT = "@SUM(1+1)*cmd|' /C calc'!A0"
PLUS = "+1+cmd|' /C calc'!A0"
MINUS = "-1+1"
FORMULAS = (HYPERLINK, DDE, AT, PLUS, MINUS)


@pytest.fixture(scope="module")
def evil_pool(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Two projects of an organisation named as a formula, a project named =HYPERLINK(...),
    trainers named as DDE formulas; five groups each, so that nothing is a small cell."""
    folder = tmp_path_factory.mktemp("evil")
    tables = base_tables()
    tables["projects"] = [
        project(project_name=HYPERLINK, organisation=PLUS, partner=AT, donor=MINUS),
        project(project_id="P2", project_name=DDE, organisation="Plain Aid"),
    ]
    tables["project_reports"] = [report(), report(project_id="P2")]
    tables["groups"] = [
        group(project_id=p, group_id=f"G{i}", trainer_id=DDE if i % 2 else AT, region=MINUS)
        for p in ("P1", "P2")
        for i in range(1, 6)
    ]
    tables["datasets"] = [
        dataset(project_id=p, group_id=f"G{i}") for p in ("P1", "P2") for i in range(1, 6)
    ]
    path = folder / "pool.duckdb"
    import_files(write_csvs(folder / "csv", tables), path)
    return path


@pytest.fixture
def client(evil_pool, monkeypatch):
    app = next(_serving(evil_pool, monkeypatch))
    client = app.server.test_client()
    assert login(client, "admin").status_code == 303
    client.app_for_tests = app
    return client


def assert_no_formula_in_workbook(data: bytes) -> str:
    """No sheet of the workbook holds a formula; returns the text of its strings."""
    with zipfile.ZipFile(io.BytesIO(data)) as book:
        sheets = [n for n in book.namelist() if n.startswith("xl/worksheets/")]
        assert sheets
        text = ""
        for name in sheets:
            xml = book.read(name).decode("utf-8")
            assert "<f>" not in xml and "<f " not in xml, name
            text += xml
        if "xl/sharedStrings.xml" in book.namelist():
            text += book.read("xl/sharedStrings.xml").decode("utf-8")
    return text


def assert_safe_csv(data: bytes | str) -> list[list[str]]:
    """No cell of the CSV (comment lines split at commas too, as a spreadsheet does) starts
    a formula, unless it is a number."""
    text = data.decode("utf-8") if isinstance(data, bytes) else data
    rows = list(csv.reader(io.StringIO(text)))
    for row in rows:
        for cell in row:
            if cell.startswith(("=", "+", "-", "@", "\t", "\r")):
                float(cell)  # only a (negative) number may start so
    return rows


def cells(rows: list[list[str]]) -> set[str]:
    return {c for row in rows for c in row}


def test_every_chart_export_writes_names_as_words(client):
    app = client.app_for_tests
    for cid in ("ef-project", "ov-trend"):
        _name, data = export(client, app, cid, "csv")
        rows = assert_safe_csv(data)
        _name, data = export(client, app, cid, "xlsx")
        text = assert_no_formula_in_workbook(data)
        if cid == "ef-project":  # bars named by project
            # (a long project name is shortened on its bar, and so in the file)
            assert any(c.startswith("'=HYPERLINK(") for c in cells(rows))
            assert "'" + DDE in cells(rows)
            assert '=HYPERLINK("http://evil.exam' in text
            assert any(_is_number(c) for row in rows[4:] for c in row)  # numbers stay numbers


def _is_number(cell: str) -> bool:
    try:
        float(cell)
    except ValueError:
        return False
    return True


def test_the_page_workbook_holds_no_formula(client):
    _name, data = page_export(client, "page-xlsx", "", "/efficiency")
    text = assert_no_formula_in_workbook(data)
    assert "=HYPERLINK(" in text  # the name is there, as words


@pytest.mark.parametrize(
    ("table", "search", "name"),
    [
        ("pj-trainers", "?project=P1", DDE),
        ("cmp-table", "?compare=project", HYPERLINK),
        ("data-quality", "", HYPERLINK),
    ],
)
def test_every_table_export_writes_names_as_words(client, table, search, name):
    _file, data = table_export(client, table, "csv", search)
    assert "'" + name in cells(assert_safe_csv(data))
    _file, data = table_export(client, table, "xlsx", search)
    assert_no_formula_in_workbook(data)


def data_download(client, trigger: str, search: str) -> dict:
    app = client.app_for_tests
    values = {"data-csv.n_clicks": None, "data-xlsx.n_clicks": None, "url.search": search}
    values[f"{trigger}.n_clicks"] = 1
    result = call(client, app, "data-download.data", values, changed=[f"{trigger}.n_clicks"])
    return result["data-download.data"]


@pytest.mark.parametrize(("by", "expected"), [("organisation", "'" + PLUS), ("project", "P1")])
def test_the_indicator_table_downloads_are_safe(client, by, expected, evil_pool):
    csv_text = data_download(client, "data-csv", f"?table={by}")["content"]
    rows = assert_safe_csv(csv_text)
    assert expected in cells(rows)
    workbook = data_download(client, "data-xlsx", f"?table={by}")
    assert_no_formula_in_workbook(base64.b64decode(workbook["content"]))
    # The command line writes the same CSV, made safe the same way.
    args = ("--by", by, "--format", "csv")
    out = subprocess.run(
        [sys.executable, "-m", "dashboard.cli", "indicators", "--db", str(evil_pool), *args],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert cells(assert_safe_csv(out)) == cells(rows)


def test_workbook_cells_stay_numbers(client):
    """Defusing touches text only: the numbers of a chart's workbook are numbers."""
    from openpyxl import load_workbook

    _name, data = export(client, client.app_for_tests, "ef-project", "xlsx")
    sheet = load_workbook(io.BytesIO(data)).worksheets[0]
    values = [c.value for row in sheet.iter_rows(min_row=6) for c in row if c.value is not None]
    assert any(isinstance(v, int | float) for v in values)
    # as written, with no apostrophe: in a workbook the cell is text, and says so
    assert any(str(v).startswith('=HYPERLINK("http://evil') for v in values)


def test_the_definitions_and_filters_sheets_are_defused(client):
    """The Filters sheet repeats the caption, which names the organisation filter."""
    search = "?organisation=" + re.sub(r"\W", lambda m: f"%{ord(m.group()):02X}", PLUS)
    _name, data = export(client, client.app_for_tests, "ef-project", "xlsx", search)
    text = assert_no_formula_in_workbook(data)
    assert json.dumps(PLUS)[1:-1] in text or PLUS in text
