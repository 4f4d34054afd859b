"""Normalisation: dates, booleans, countries, currencies, choices, tags, whole numbers and
derived men, as stored in the pool; and the forms that are refused."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest
from ingest_helpers import base_tables, dataset, group, project, write_csvs

from dashboard.core.countries import all_alpha3, country_code, country_name
from dashboard.core.currencies import ISO_4217, is_currency
from dashboard.ingest import ImportRejected, import_files
from dashboard.pool.files import open_pool


def _query(db: Path, query: str) -> list[tuple[Any, ...]]:
    con = open_pool(db)
    try:
        return con.execute(query).fetchall()
    finally:
        con.close()


@pytest.fixture(scope="module")
def normalised(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One import whose rows spell everything differently."""
    tmp = tmp_path_factory.mktemp("normalise")
    tables = base_tables()
    tables["projects"] = [
        project(project_id="P1", country="Uganda", currency="ugx", shared="Yes"),
        project(project_id="P2", country="ug", currency=" UGX ", shared="n"),
        project(project_id="P3", country="Tanzania", currency="tzs", shared="TRUE"),
        project(project_id="P4", country="burundi", currency="BIF", shared="0"),
        project(project_id="P5", country="Côte d'Ivoire", currency="XOF", shared="y"),
        project(project_id="P6", country="IVORY COAST", currency="XOF", shared=""),
        project(project_id="P7", country="cod", currency="CDF", shared="false"),
    ]
    tables["groups"] = [
        group(group_id="G1", trained_by="Field officer", setting="Peri urban", tags=""),
        group(group_id="G2", trained_by="village agent", setting="periurban", tags=" Refugee"),
        group(group_id="G3", trained_by="REPLICATED", setting="peri-urban", tags="b; a,B;;"),
        group(group_id="G4", trained_by="village_agent", setting="", tags="climate;refugee"),
    ]
    tables["datasets"] = [
        dataset(
            report_date="2024-06-30",
            members=12.0,
            women=" 12 ",
            men="",
            youth="",
            members_attending=10,
        ),
        dataset(report_date="2024-05-31 00:00:00", cycle_start_date="15/01/2024", men=None),
        dataset(report_date="1/4/2024", cycle_start_date="2024-01-15T00:00:00", status="Graduated"),
        dataset(report_date="31/03/2024", savings="1e3", late_loans_balance="0.50"),
    ]
    tables["exchange_rates"] += [
        {"currency": c, "year": 2024, "per_usd": 1} for c in ("TZS", "BIF", "XOF", "CDF")
    ]
    db = tmp / "pool.duckdb"
    result = import_files(write_csvs(tmp / "in", tables), db)
    assert result.rows_added["datasets"] == 4
    return db


def test_countries_and_currencies_and_booleans(normalised: Path) -> None:
    assert _query(normalised, "SELECT project_id, country, currency, shared FROM projects") == [
        ("P1", "UGA", "UGX", True),
        ("P2", "UGA", "UGX", False),
        ("P3", "TZA", "TZS", True),
        ("P4", "BDI", "BIF", False),
        ("P5", "CIV", "XOF", True),
        ("P6", "CIV", "XOF", False),  # empty: not shared, the default
        ("P7", "COD", "CDF", False),
    ]


def test_choices_and_tags(normalised: Path) -> None:
    assert _query(normalised, "SELECT group_id, trained_by, setting, tags FROM groups") == [
        ("G1", "field_officer", "peri-urban", None),
        ("G2", "village_agent", "peri-urban", "refugee"),
        ("G3", "replicated", "peri-urban", "a;b"),
        ("G4", "village_agent", None, "climate;refugee"),
    ]


def test_dates_numbers_and_derived_men(normalised: Path) -> None:
    rows = _query(
        normalised,
        "SELECT report_date, cycle_start_date, members, women, men, youth, savings, "
        "late_loans_balance, status FROM datasets ORDER BY report_date",
    )
    assert rows == [
        (date(2024, 3, 31), date(2024, 1, 15), 22, 18, 4, 8, 1000.0, 0.5, "supervised"),
        (date(2024, 4, 1), date(2024, 1, 15), 22, 18, 4, 8, 1000000.0, 0.0, "graduated"),
        (date(2024, 5, 31), date(2024, 1, 15), 22, 18, 4, 8, 1000000.0, 0.0, "supervised"),
        (date(2024, 6, 30), date(2024, 1, 15), 12, 12, 0, None, 1000000.0, 0.0, "supervised"),
    ]


def test_men_derived_when_the_column_is_absent(tmp_path: Path) -> None:
    tables = base_tables()
    tables["datasets"] = [
        {k: v for k, v in dataset(women=w, report_date=d).items() if k != "men"}
        for w, d in ((18, "2024-03-31"), (22, "2024-06-30"))
    ]
    result = import_files(write_csvs(tmp_path, tables), tmp_path / "pool.duckdb")
    assert _query(tmp_path / "pool.duckdb", "SELECT men FROM datasets ORDER BY women") == [
        (4,),
        (0,),
    ]
    assert (
        "men was worked out as members - women for 2 datasets rows (no men column, or an "
        "empty cell)." in result.notes
    )


REFUSED_DATES = [
    ("2024/06/30", "is not a date in an accepted format"),
    ("06-30-2024", "is not a date in an accepted format"),
    ("30/06/24", "is not a date in an accepted format"),
    ("30.06.2024", "is not a date in an accepted format"),
    ("June 30, 2024", "is not a date in an accepted format"),
    ("45473", "is not a date in an accepted format"),
    ("2024-06-30 14:30", "has a time of day"),
    ("31/02/2024", "is not a real date"),
    ("2024-13-01", "is not a real date"),
]


def test_refused_dates(tmp_path: Path) -> None:
    tables = base_tables()
    tables["datasets"] = [dataset(report_date=value) for value, _ in REFUSED_DATES]
    with pytest.raises(ImportRejected) as caught:
        import_files(write_csvs(tmp_path, tables), tmp_path / "pool.duckdb")
    issues = caught.value.issues
    assert [(i.row, i.column, i.value) for i in issues] == [
        (row, "report_date", value) for row, (value, _) in enumerate(REFUSED_DATES, start=2)
    ]
    for issue, (_, words) in zip(issues, REFUSED_DATES, strict=True):
        assert words in issue.message
    assert "must be a date written YYYY-MM-DD (e.g. 2025-03-31) or DD/MM/YYYY" in issues[0].message


def test_refused_values(tmp_path: Path) -> None:
    tables = base_tables()
    tables["projects"] = [project(), project(project_id="P2", shared="si", country="Narnia")]
    tables["groups"] = [group(), group(group_id="G2", trained_by="NGO staff")]
    tables["datasets"] = [
        dataset(report_date="2024-03-31"),
        dataset(members="22.5", savings="1 000", debts="12,5", dropouts="3000000000"),
    ]
    with pytest.raises(ImportRejected) as caught:
        import_files(write_csvs(tmp_path, tables), tmp_path / "pool.duckdb")
    found = {(i.file, i.row, i.column): i.message for i in caught.value.issues}
    assert set(found) == {
        ("projects.csv", 3, "country"),
        ("projects.csv", 3, "shared"),
        ("groups.csv", 3, "trained_by"),
        ("datasets.csv", 3, "members"),
        ("datasets.csv", 3, "savings"),
        ("datasets.csv", 3, "debts"),
        ("datasets.csv", 3, "dropouts"),
    }
    assert "'22.5' is not a whole number" in found[("datasets.csv", 3, "members")]
    assert "'1 000' has a thousands separator" in found[("datasets.csv", 3, "savings")]
    assert (
        "'12,5' has a thousands separator or a decimal comma" in found[("datasets.csv", 3, "debts")]
    )
    assert "'3000000000' is too large" in found[("datasets.csv", 3, "dropouts")]


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("Uganda", "UGA"),
        ("UG", "UGA"),
        ("uga", "UGA"),
        ("Tanzania", "TZA"),
        ("Tanzania, United Republic of", "TZA"),
        ("Burundi", "BDI"),
        ("Côte d'Ivoire", "CIV"),
        ("Cote d'Ivoire", "CIV"),
        ("Ivory Coast", "CIV"),
        ("DR Congo", "COD"),
        ("Congo", "COG"),
        ("Kenya", "KEN"),
        ("South Sudan", "SSD"),
        ("Eswatini", "SWZ"),
        ("Swaziland", "SWZ"),
        ("Myanmar", "MMR"),
        ("Türkiye", "TUR"),
        ("Viet Nam", "VNM"),
        ("Atlantis", None),
        ("", None),
    ],
)
def test_country_code(text: str, code: str | None) -> None:
    assert country_code(text) == code


def test_country_table_is_complete() -> None:
    codes = all_alpha3()
    assert len(codes) == 250  # ISO 3166-1's 249 and Kosovo
    assert len(set(codes)) == 250
    assert country_name("civ") == "Côte d'Ivoire"
    assert all(country_code(code) == code for code in codes)


def test_currencies() -> None:
    assert {"UGX", "KES", "TZS", "BIF", "USD", "EUR", "DKK", "XOF", "ETB", "RWF"} <= ISO_4217
    assert is_currency(" ugx ")
    assert not is_currency("USH")
    assert not is_currency("XAU")  # gold is not a currency a group keeps its books in
    assert not is_currency(None)
