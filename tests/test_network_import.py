"""The network's own fields at import (issue 8): a column per field in the groups or datasets
sheet, checked by its type, stored in the pool; a field added to the configuration is imported
without code changes."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest
from ingest_helpers import base_tables, dataset, group, write_csvs, write_xlsx

from dashboard.ingest import ImportRejected, import_files

EXTRA = """
[[field]]
id = "savings_box_keys"
level = "group"
type = "category"
categories = ["one key", "three keys"]
label = "Keys to the savings box"
"""


# the indicators of the shipped data/network.toml, in its order
SHIPPED_IDS = (
    "ndf_women_leaders",
    "ndf_peacebuilding",
    "ndf_formal_account",
    "ndf_bank_linked",
    "ndf_disability",
    "ndf_climate_adaptation",
)


def stored(pool: Path, sql: str) -> list[tuple]:
    con = duckdb.connect(str(pool), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def test_the_shipped_fields_import_into_their_tables(tmp_path):
    tables = base_tables() | {
        "groups": [group(peacebuilding="yes", climate_adaptation="No")],
        "datasets": [
            dataset(  # the fields may stay empty
                report_date="2024-03-31",
                formal_account="",
                disability="",
                women_leaders="",
                bank_linked="",
            ),
            dataset(formal_account=9, disability=1, women_leaders=3, bank_linked="y"),
        ],
    }
    pool = tmp_path / "pool.duckdb"
    result = import_files(write_csvs(tmp_path / "csv", tables), pool)
    assert result.rows_added["datasets"] == 2
    assert stored(pool, "SELECT ndf_peacebuilding, ndf_climate_adaptation FROM groups") == [
        (True, False)
    ]
    rows = stored(
        pool,
        "SELECT report_date::VARCHAR, ndf_formal_account, ndf_disability, ndf_women_leaders, "
        "ndf_bank_linked FROM datasets ORDER BY report_date",
    )
    assert rows == [("2024-03-31", None, None, None, None), ("2024-06-30", 9, 1, 3, True)]


@pytest.mark.parametrize(
    ("changes", "column", "message"),
    [
        (
            {"formal_account": 23},  # the helper's dataset has 22 members
            "formal_account",
            "23 is more than the 22 members of the same row; formal_account counts members "
            "and must be <= members.",
        ),
        (
            {"formal_account": "many"},
            "formal_account",
            "'many' is not a number; formal_account must be a whole number from 0 to 100.",
        ),
        ({"disability": -1}, "disability", "-1 is negative"),
        ({"bank_linked": "maybe"}, "bank_linked", "'maybe' is not yes or no"),
    ],
)
def test_each_value_is_checked_by_its_type(tmp_path, changes, column, message):
    tables = base_tables() | {"datasets": [dataset(**changes)]}
    with pytest.raises(ImportRejected) as caught:
        import_files(write_csvs(tmp_path, tables), tmp_path / "pool.duckdb")
    issue = caught.value.issues[0]
    assert (issue.file, issue.row, issue.column) == ("datasets.csv", 2, column)
    assert message in issue.message
    assert not (tmp_path / "pool.duckdb").exists()  # nothing written


def test_a_field_added_to_the_configuration_is_imported_without_code_changes(tmp_path, monkeypatch):
    config = tmp_path / "network.toml"
    config.write_text(EXTRA, encoding="utf-8")
    monkeypatch.setenv("VSLA_NETWORK", str(config))
    tables = base_tables() | {"groups": [group(savings_box_keys="Three keys")]}
    pool = tmp_path / "pool.duckdb"
    import_files([write_xlsx(tmp_path / "data.xlsx", tables)], pool)
    assert stored(pool, "SELECT ndf_savings_box_keys FROM groups") == [("three keys",)]
    # an unknown value is an error with its place; the pool stays as it was
    bad = base_tables() | {"groups": [group(savings_box_keys="no box")]}
    with pytest.raises(ImportRejected) as caught:
        import_files([write_xlsx(tmp_path / "bad.xlsx", bad)], pool)
    issue = caught.value.issues[0]
    assert (issue.sheet, issue.column) == ("groups", "savings_box_keys")
    assert "one key, three keys" in issue.message
    assert stored(pool, "SELECT ndf_savings_box_keys FROM groups") == [("three keys",)]


def test_a_column_no_field_declares_is_a_note_not_silently_dropped(tmp_path):
    tables = base_tables() | {"groups": [group(mobile_phones=12)]}
    result = import_files(write_csvs(tmp_path, tables), tmp_path / "pool.duckdb")
    assert any("mobile_phones" in note and "ignored" in note for note in result.notes)


def test_each_field_is_an_indicator_of_the_engine_and_the_command_line(tmp_path, capsys):
    """By hand, as of 2024-09-30: G1 (22 members) records 9 formal accounts, 1 disability,
    3 women leaders, a bank link, peacebuilding and no climate activity; G2 (10 members)
    records 5 accounts, 2 women leaders, no bank link and no peacebuilding, the rest empty."""
    from datetime import date

    from dashboard.analytics.engine import compute
    from dashboard.cli import main
    from dashboard.pool.files import open_pool

    tables = base_tables() | {
        "groups": [
            group(peacebuilding="yes", climate_adaptation="No"),
            group(group_id="G2", peacebuilding="no", climate_adaptation=""),
        ],
        "datasets": [
            dataset(formal_account=9, disability=1, women_leaders=3, bank_linked="y"),
            dataset(
                group_id="G2",
                members=10,
                women=10,
                men=0,
                members_at_start=10,
                members_attending=10,
                formal_account=5,
                disability="",
                women_leaders=2,
                bank_linked="n",
            ),
        ],
    }
    pool = tmp_path / "pool.duckdb"
    import_files(write_csvs(tmp_path / "csv", tables), pool)
    con = open_pool(pool)
    try:
        from dashboard.core.filters import Filters

        (row,) = compute(con, Filters(as_of=date(2024, 9, 30)), network=True)
        # (the dashboard's pages ask for the standard indicators only: no second query)
        assert "ndf_formal_account" not in compute(con, Filters(as_of=date(2024, 9, 30)))[0]
    finally:
        con.close()
    assert row["ndf_formal_account"] == pytest.approx(14 / 32)  # (9 + 5) / (22 + 10)
    assert row["ndf_disability"] == pytest.approx(1 / 22)  # G2 does not record it
    assert row["ndf_women_leaders"] == pytest.approx(2.5)  # (3 + 2) per group
    assert row["ndf_bank_linked"] == pytest.approx(0.5)
    assert row["ndf_peacebuilding"] == pytest.approx(0.5)
    assert row["ndf_climate_adaptation"] == 0  # one group records it: no

    assert main(["indicators", "--db", str(pool), "--as-of", "2024-09-30", "--format", "csv"]) == 0
    header, values = capsys.readouterr().out.strip().splitlines()
    columns = dict(zip(header.split(","), values.split(","), strict=True))
    assert float(columns["ndf_formal_account"]) == pytest.approx(14 / 32)
    assert list(columns)[-6:] == list(SHIPPED_IDS)


def test_the_demo_pool_carries_the_example_fields_within_their_bounds(tmp_path):
    from dashboard.demo.build import build_demo

    pool = tmp_path / "demo.duckdb"
    build_demo(pool, groups=400)
    (counts,) = stored(
        pool,
        "SELECT count(*) FILTER (WHERE ndf_formal_account > members), "
        "count(*) FILTER (WHERE ndf_disability > members), "
        "count(*) FILTER (WHERE ndf_women_leaders > 5), "
        "count(ndf_formal_account), count(*) FROM datasets",
    )
    over_members, over_disability, over_leaders, recorded, rows = counts
    assert (over_members, over_disability, over_leaders) == (0, 0, 0)
    assert 0 < recorded < rows  # some projects record the field, not all
    projects = stored(
        pool,
        "SELECT count(DISTINCT project_id) FILTER (WHERE ndf_peacebuilding IS NOT NULL), "
        "count(DISTINCT project_id) FROM groups",
    )[0]
    assert 0 < projects[0] < projects[1]


def test_the_data_page_and_the_glossary_show_the_fields_in_the_language(admin_client, hand_app):
    """The hand pool records none of the fields: their columns are there, empty (None)."""
    import json

    from dashboard.core import i18n, network
    from tests.dash_client import call

    result = call(admin_client, hand_app, "data-table.rowData", {"url.search": "?lang=da"})
    headers = {c["field"]: c["headerName"] for c in result["data-table.columnDefs"]}
    with i18n.using("da"):
        assert headers["ndf_formal_account"] == "Medlemmer med en formel konto"
    assert all(row["ndf_formal_account"] is None for row in result["data-table.rowData"])
    page = call(
        admin_client,
        hand_app,
        "page-content.children",
        {"url.pathname": "/glossary", "url.search": "?lang=fr"},
    )
    text = json.dumps(page, ensure_ascii=False)
    for f in network.current().fields:
        assert f.labels["fr"] in text and f.indicator_id in text
    assert "Cible ODD 8.10." in text


def test_the_sdg_page_groups_every_indicator_with_a_target_by_goal(admin_client, hand_app):
    """The hand pool as of 2025-09-30: 125 members, 97 of them women (77.6 %, shown 78%);
    the network's own fields are not recorded there (n/a)."""
    import json

    from dashboard.core import i18n
    from dashboard.web.pages import sdg
    from tests.dash_client import call

    body = call(admin_client, hand_app, "sdg-body.children", {"url.search": ""})
    text = json.dumps(body["sdg-body.children"], ensure_ascii=False)
    assert [e.goal for e in sdg.entries()] == sorted(e.goal for e in sdg.entries())
    assert {e.goal for e in sdg.entries()} == {1, 5, 8, 10, 13, 16}
    assert "Goal 5: Gender equality" in text and "Goal 16: Peace, justice" in text

    def cell(indicator: str) -> str:
        found = text.split(f'"data-indicator": "{indicator}"')[0].rsplit('"children": "', 1)[1]
        return found.split('"', 1)[0]

    assert cell("members") == "125"
    assert cell("pct_women") == "78%"
    assert cell("ndf_women_leaders") == "n/a"
    danish = call(admin_client, hand_app, "sdg-body.children", {"url.search": "?lang=da"})
    with i18n.using("da"):
        goal = i18n.gettext("Goal {goal}: {name}").format(
            goal=5, name=i18n.gettext("Gender equality")
        )
    assert goal == "Mål 5: Ligestilling mellem kønnene"
    assert goal in json.dumps(danish, ensure_ascii=False)
