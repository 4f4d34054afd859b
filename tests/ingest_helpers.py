"""Small import files for the importer's tests, written into tmp_path by the tests themselves.

A minimal valid pool: one exchange rate (UGX 2024), one project (P1, Uganda, UGX), one
group (P1/G1) and datasets of that group. Rows are dicts with canonical column names;
tests override single cells to break one rule at a time.
"""

from __future__ import annotations

import csv
import hashlib
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import openpyxl

from dashboard.ingest.model import TABLES

Row = dict[str, Any]


def rate(**changes: Any) -> Row:
    return {"currency": "UGX", "year": 2024, "per_usd": 3700, **changes}


def project(**changes: Any) -> Row:
    return {
        "project_id": "P1",
        "project_name": "Alpha Uganda savings",
        "organisation": "Alpha Aid",
        "partner": "Partner One",
        "country": "UGA",
        "currency": "UGX",
        "start_date": "2023-01-01",
        "end_date": "",
        "donor": "Donor X",
        "shared": "yes",
        **changes,
    }


def report(**changes: Any) -> Row:
    return {
        "project_id": "P1",
        "period_end": "2024-06-30",
        "cost_to_date": 18500000,
        "field_officers": 2,
        "village_agents": 1,
        **changes,
    }


def group(**changes: Any) -> Row:
    return {
        "project_id": "P1",
        "group_id": "G1",
        "group_name": "Group One",
        "formation_date": "2023-02-01",
        "trained_by": "field_officer",
        "trainer_id": "FO-1",
        "region": "Central",
        "setting": "rural",
        "tags": "refugee",
        "latitude": 0.3,
        "longitude": 32.5,
        **changes,
    }


def dataset(**changes: Any) -> Row:
    return {
        "project_id": "P1",
        "group_id": "G1",
        "report_date": "2024-06-30",
        "cycle_number": 1,
        "cycle_start_date": "2024-01-15",
        "members_at_start": 20,
        "members": 22,
        "women": 18,
        "men": 4,
        "youth": 8,
        "members_attending": 20,
        "dropouts": 1,
        "savings": 1000000,
        "loans_outstanding_count": 8,
        "loans_outstanding_value": 800000,
        "late_loans_balance": 0,
        "write_offs": 0,
        "loan_fund_cash": 200000,
        "other_funds_cash": 10000,
        "property_at_start": 0,
        "property_now": 0,
        "debts": 0,
        "status": "supervised",
        **changes,
    }


def base_tables() -> dict[str, list[Row]]:
    """A valid import of every table: the rows of the minimal pool."""
    return {
        "exchange_rates": [rate()],
        "projects": [project()],
        "project_reports": [report()],
        "groups": [group()],
        "datasets": [dataset(report_date="2024-03-31"), dataset()],
    }


def write_csv(
    path: Path,
    rows: Sequence[Mapping[str, Any]],
    *,
    columns: Sequence[str] | None = None,
    delimiter: str = ",",
    bom: bool = False,
) -> Path:
    """A CSV file with the given rows; columns default to the keys of the first row."""
    header = list(columns) if columns is not None else list(rows[0])
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8-sig" if bom else "utf-8") as f:
        writer = csv.writer(f, delimiter=delimiter)
        writer.writerow(header)
        for row in rows:
            writer.writerow(["" if row.get(c) is None else row.get(c, "") for c in header])
    return path


def write_csvs(folder: Path, tables: Mapping[str, Sequence[Mapping[str, Any]]]) -> list[Path]:
    """One <table>.csv per table in folder; returns the paths in dependency order."""
    return [write_csv(folder / f"{table}.csv", rows) for table, rows in tables.items() if rows]


def write_xlsx(
    path: Path,
    sheets: Mapping[str, Sequence[Mapping[str, Any]]],
    *,
    extra_sheets: Mapping[str, Sequence[Sequence[Any]]] | None = None,
) -> Path:
    """A workbook with one sheet per table (header from the first row's keys)."""
    book = openpyxl.Workbook()
    first = book.active
    assert first is not None
    book.remove(first)
    for name, rows in sheets.items():
        sheet = book.create_sheet(name)
        header = list(rows[0]) if rows else list(TABLES[name].names)
        sheet.append(header)
        for row in rows:
            sheet.append([None if row.get(c) == "" else row.get(c) for c in header])
    for name, lines in (extra_sheets or {}).items():
        sheet = book.create_sheet(name)
        for line in lines:
            sheet.append(list(line))
    path.parent.mkdir(parents=True, exist_ok=True)
    book.save(path)
    return path


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def count(con: Any, table: str) -> int:
    row = con.execute(f"SELECT count(*) FROM {table}").fetchone()
    assert row is not None
    return int(row[0])


def network_tables() -> dict[str, list[Row]]:
    """Three groups of two projects with the shipped network fields (data/network.toml);
    their values by hand in tests/test_network_views.py."""
    g3 = {"project_id": "P2", "group_id": "G3", "trainer_id": "FO-9"}
    return base_tables() | {
        "projects": [
            project(),
            project(project_id="P2", project_name="Beta savings", organisation="Beta Aid"),
        ],
        "project_reports": [report(), report(project_id="P2")],
        "groups": [
            group(peacebuilding="yes", climate_adaptation=""),  # (not recorded)
            group(group_id="G2", peacebuilding="no", climate_adaptation=""),
            group(**g3, peacebuilding="yes", climate_adaptation="yes"),
        ],
        "datasets": [
            dataset(formal_account=9, disability=1, women_leaders=3, bank_linked="yes"),
            dataset(
                group_id="G2",
                members=10,
                women=10,
                men=0,
                youth=2,
                members_at_start=10,
                members_attending=10,
                formal_account=5,
                women_leaders=2,
                bank_linked="no",
            ),
            dataset(
                project_id="P2",
                group_id="G3",
                members=20,
                women=15,
                men=5,
                members_at_start=20,
                formal_account=4,
                women_leaders=4,
                bank_linked="no",
            ),
        ],
    }
