"""The network's own fields through the views (issue 8): yes/no fields as theme filters and
theme comparisons (engine, every source, command line, URL, filter panel), category fields
computed, and the themes, compare, report and export views showing them.

The pool (conftest's network_pool_path: ingest_helpers.network_tables), by hand: datasets of
2024-06-30, as of that date; P1 of Alpha Aid, P2 of Beta Aid.

    group  members women  peacebuilding  bank_linked  formal_account  women_leaders
    P1/G1       22    18  yes            yes                       9              3
    P1/G2       10    10  no             no                        5              2
    P2/G3       20    15  yes            no                        4              4
"""

from __future__ import annotations

import html
import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from ingest_helpers import base_tables, dataset, group, write_csvs

from dashboard.analytics.engine import compute
from dashboard.core.filters import FilterError, Filters, check_breakdown
from dashboard.ingest import ImportRejected, import_files
from dashboard.pool.files import open_pool
from tests.dash_client import call
from tests.test_network_import import EXTRA, SHIPPED_IDS

AS_OF = date(2024, 6, 30)  # a rollup date (the latest report date)


@pytest.fixture
def con(network_pool_path: Path) -> Any:
    connection = open_pool(network_pool_path)
    yield connection
    connection.close()


@pytest.fixture
def app(network_app: Any) -> Any:
    return network_app


@pytest.fixture
def admin(app: Any) -> Any:
    from tests.conftest import login

    client = app.server.test_client()
    assert login(client, "admin").status_code == 303
    return client


# --- yes/no fields as theme filters and comparisons ------------------------------------------


def test_a_yes_filter_keeps_the_groups_answering_yes(con):
    (row,) = compute(con, Filters(as_of=AS_OF, yes=("peacebuilding",)), network=True)
    assert (row["groups"], row["members"], row["women"]) == (2, 42, 33)  # G1 and G3
    assert row["pct_women"] == pytest.approx(33 / 42)
    assert row["ndf_formal_account"] == pytest.approx((9 + 4) / (22 + 20))
    # a dataset-level field answers at the group's latest visit: G1 alone
    (row,) = compute(con, Filters(as_of=AS_OF, yes=("bank_linked",)))
    assert (row["groups"], row["members"]) == (1, 22)
    # values of one filter are OR (as tags are): either field
    (row,) = compute(con, Filters(as_of=AS_OF, yes=("bank_linked", "peacebuilding")))
    assert row["groups"] == 2
    # the filter is a theme: cost indicators stay whole projects'
    assert Filters(yes=("peacebuilding",)).has_group_filters


@pytest.mark.parametrize("source", ["datasets", "groups", "cube"])
def test_every_source_gives_the_same_yes_filter_and_comparison(con, source):
    (row,) = compute(con, Filters(as_of=AS_OF, yes=("peacebuilding",)), source=source)
    assert (row["groups"], row["members"]) == (2, 42)
    rows = compute(con, Filters(as_of=AS_OF), "yes:peacebuilding", source=source, network=True)
    by = {r["yes:peacebuilding"]: r for r in rows}
    assert (by["yes"]["groups"], by["no"]["groups"]) == (2, 1)
    assert by["yes"]["ndf_formal_account"] == pytest.approx(13 / 42)
    assert by["no"]["ndf_formal_account"] == pytest.approx(5 / 10)
    assert by["yes"]["cost_per_member_usd"] is None  # a group-level breakdown


def test_the_rollups_say_which_yes_fields_they_hold(con):
    from dashboard.analytics import rollups

    held = con.execute("SELECT value FROM pool_meta WHERE key = 'rollup_yes'").fetchone()[0]
    assert set(held.split(";")) == {"peacebuilding", "bank_linked", "climate_adaptation"}
    # the network's indicators are summed per cube cell too (rollup_network), all six
    names = {row[0] for row in con.execute("SELECT DISTINCT name FROM rollup_network").fetchall()}
    assert len(names) == 6 and "ndf_formal_account" in names
    assert rollups.source(con, Filters(yes=("peacebuilding",)), [AS_OF]) == "cube"
    # a field declared after the last import is not in them: the datasets answer
    assert rollups.source(con, Filters(yes=("declared_later",)), [AS_OF]) == "datasets"


def test_a_yes_field_declared_after_the_import_is_answered_from_the_datasets(
    network_pool_path, tmp_path, monkeypatch
):
    """The shipped file, with bank_linked no longer a yes/no field and a new one in its
    place whose column the pool lacks: nobody answers yes to it, and nothing fails."""
    shipped = Path(__file__).parents[1] / "data" / "network.toml"
    extra = '\n[[field]]\nid = "savings_fund"\nlevel = "group"\ntype = "yesno"\nlabel = "S"\n'
    config = tmp_path / "network.toml"
    config.write_text(shipped.read_text(encoding="utf-8") + extra, encoding="utf-8")
    monkeypatch.setenv("VSLA_NETWORK", str(config))
    connection = open_pool(network_pool_path)
    try:
        (row,) = compute(connection, Filters(as_of=AS_OF, yes=("savings_fund",)), network=True)
        # rollup_network does not hold the new field: the others come from rollup_groups
        (every,) = compute(connection, Filters(as_of=AS_OF), network=True)
    finally:
        connection.close()
    assert row["groups"] == 0
    assert every["ndf_formal_account"] == pytest.approx((9 + 5 + 4) / (22 + 10 + 20))
    assert every["ndf_savings_fund"] is None  # no column yet


def test_yes_filters_come_from_links_and_the_command_line(network_pool_path, capsys):
    from dashboard.cli import main

    parsed = Filters.from_query({"yes": ["Peacebuilding", "ndf_bank_linked", "flying"]})
    assert parsed.yes == ("peacebuilding", "bank_linked")
    assert len(parsed.notices) == 1 and "yes='flying'" in parsed.notices[0]
    assert parsed.as_query()["yes"] == ["peacebuilding", "bank_linked"]
    assert "answering yes to: Takes part in peacebuilding, Linked to a bank" in parsed.describe()
    check_breakdown("yes:peacebuilding")
    with pytest.raises(FilterError, match="yes:<id>"):
        check_breakdown("yes:formal_account")  # a count, not a yes/no field

    args = ["indicators", "--db", str(network_pool_path), "--as-of", "2024-06-30"]
    assert main([*args, "--yes", "peacebuilding"]) == 0
    row = json.loads(capsys.readouterr().out)
    assert (row["groups"], row["members"]) == (2, 42)
    assert main([*args, "--by", "yes:bank_linked", "--format", "csv"]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert lines[0].startswith("yes:bank_linked,") and len(lines) == 3
    assert main([*args, "--yes", "formal_account"]) == 1  # (as any filter mistake)
    assert "is not a yes/no field" in capsys.readouterr().err


# --- category fields ---------------------------------------------------------------------------

CATEGORY = (
    EXTRA  # (a category field: savings_box_keys, "one key" or "three keys")
    + """
[[field]]
id = "social_fund"
level = "dataset"
type = "amount"
label = "Social fund per member"
"""
)


def test_category_and_amount_fields_are_computed_by_hand(tmp_path, monkeypatch, capsys):
    """A category field is the share of recording groups in each category; an amount is USD
    (at the dataset's rate, UGX 3,700) per member of the recording groups."""
    from dashboard.analytics.engine import network_ids
    from dashboard.cli import main
    from dashboard.core.indicators import lookup

    config = tmp_path / "network.toml"
    config.write_text(CATEGORY, encoding="utf-8")
    monkeypatch.setenv("VSLA_NETWORK", str(config))
    tables = base_tables() | {
        "groups": [
            group(savings_box_keys="three keys"),
            group(group_id="G2", savings_box_keys="One key"),
            group(group_id="G3", savings_box_keys="Three Keys"),
            group(group_id="G4"),  # not recorded: in neither part
        ],
        "datasets": [
            dataset(group_id="G1", social_fund=370000),  # USD 100
            dataset(group_id="G2", social_fund=740000),  # USD 200
            dataset(group_id="G3"),
            dataset(group_id="G4"),
        ],
    }
    pool = tmp_path / "pool.duckdb"
    import_files(write_csvs(tmp_path / "csv", tables), pool)
    assert network_ids() == [
        "ndf_savings_box_keys__one_key",
        "ndf_savings_box_keys__three_keys",
        "ndf_social_fund",
    ]
    assert lookup("ndf_savings_box_keys__three_keys").label == "Keys to the savings box: three keys"
    assert main(["indicators", "--db", str(pool), "--as-of", "2024-06-30"]) == 0
    row = json.loads(capsys.readouterr().out)
    assert row["groups"] == 4
    assert row["ndf_savings_box_keys__one_key"] == pytest.approx(1 / 3)
    assert row["ndf_savings_box_keys__three_keys"] == pytest.approx(2 / 3)
    assert row["ndf_social_fund"] == pytest.approx(300 / 44)  # 22 members each
    assert lookup("ndf_social_fund").format == "usd"
    assert main(["network"]) == 0
    listed = capsys.readouterr().out
    assert "ndf_savings_box_keys__one_key" in listed and "share in 'one key'" in listed


# --- the views ---------------------------------------------------------------------------------


def _text(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


def test_the_filter_panel_offers_the_yes_fields_and_puts_them_in_the_link(admin, app):
    layout = admin.get("/_dash-layout").get_data(as_text=True)  # the frame, with the panel
    panel = layout.split('"id":"f-yes"')[0].rsplit('"options":', 1)[1]
    assert '"label":"Takes part in peacebuilding","value":"peacebuilding"' in panel
    result = call(
        admin,
        app,
        "url.search",
        {"url.search": "?country=UGA", "f-yes.value": ["peacebuilding"]},
        changed=["f-yes.value"],
    )
    assert result["url.search"] == "?country=UGA&yes=peacebuilding"
    summary = _text(result["active-filters.children"])
    assert "answering yes to: Takes part in peacebuilding" in summary


def test_the_themes_page_compares_yes_fields_and_shows_the_networks_indicators(admin, app):
    from dashboard.web.pages import themes

    assert "yes:peacebuilding" in [b for b, _t, _s in themes.SHOWN]
    search = "?theme=yes:peacebuilding"
    result = call(admin, app, "th-chart-title.children", {"url.search": search})
    assert result["th-chart-title.children"] == "Takes part in peacebuilding"
    figure = next(v for k, v in result.items() if "th-chart" in k and "figure" in k)
    bars = {trace["name"]: trace for trace in figure["data"]}
    assert bars["Groups"]["y"] == ["Answering yes", "All other groups"]
    assert bars["Groups"]["x"] == [2, 1]
    # the chart has the key indicators alone; the network's own are in the table below it
    assert not any(name.startswith("Women in group") for name in bars)
    table = _text(result["th-table.children"])
    row = table.split("Women in group leadership")[1].split("Tr")[0]
    assert row.index("3.5") < row.index("2.0")  # (3 + 4) / 2 groups answering yes; G2: 2
    assert "Members with a formal account" in table
    assert "Cost per member" not in table  # a band of groups splits a project's cost


def test_the_themes_table_downloads_with_its_values_and_units(admin, app):
    import csv

    from tests.test_exports import table_export

    name, data = table_export(admin, "th-table", "csv", "?theme=yes:peacebuilding")
    assert name.endswith(".csv")
    rows = [r for r in csv.reader(data.decode().splitlines()) if r and not r[0].startswith("#")]
    assert rows[0] == ["Indicator", "Unit", "Answering yes", "All other groups"]
    by_name = {r[0]: r for r in rows[1:]}
    assert [float(v) for v in by_name["Women in group leadership"][2:]] == pytest.approx(
        [3.5, 2.0]  # (3 + 4) / 2 groups answering yes; G2: 2
    )
    assert not {"Groups", "Projects", "Cost per member"} & set(by_name)


def test_the_compare_page_benchmarks_the_networks_indicators(admin, app):
    search = "?as_of=2024-06-30&compare=organisation&pick=Alpha+Aid&pick=Beta+Aid"
    result = call(admin, app, "cmp-table.children", {"url.search": search})
    text = _text(result["cmp-table.children"])
    row = text.split("Members with a formal account")[1].split("Tr")[0]
    # Alpha Aid (9 + 5) / (22 + 10) = 43.75 %; Beta Aid 4 / 20 = 20 %; median of the two 31.9 %
    assert row.index("44%") < row.index("20%") < row.index("32%")


def test_the_report_has_the_networks_indicators_against_the_projects(admin, app):
    page = admin.get("/report/print?project=P1&as_of=2024-06-30")
    assert page.status_code == 200
    text = html.unescape(page.get_data(as_text=True))  # (however the apostrophe is escaped)
    section = text.split("The network's own indicators")[1].split("</section>")[0]
    rows = {
        row.split("</td>")[0].rsplit(">", 1)[1]: [c.split("<")[0].strip() for c in row.split(">")]
        for row in section.split("<tr")[2:]
    }
    # P1: (9 + 5) / (22 + 10) = 43.75 %; the network, pooled: (9 + 5 + 4) / (22 + 10 + 20) =
    # 34.6 %; the projects: P1's and P2's (4 / 20 = 20 %), whose quartiles are 20 + (0.25,
    # 0.5, 0.75) x 23.75 = 25.9, 31.9 and 37.8 %: the best quarter
    formal = [c for c in rows["Members with a formal account (SDG 8.10)"] if c][1:]
    assert formal == ["44%", "35%", "26%", "32%", "38%", "best quarter"]
    assert len(rows) == 6  # one per field of the shipped file
    # P1 records no climate adaptation (G3 of P2 does)
    assert [c for c in rows["Climate-adaptation activity (SDG 13.1)"] if c][1:3] == [
        "n/a",
        "100%",
    ]
    assert "not recorded" in rows["Climate-adaptation activity (SDG 13.1)"]


def test_every_workbook_defines_the_networks_indicators():
    import openpyxl

    from dashboard.exports.tables import add_about_sheets

    book = openpyxl.Workbook()
    add_about_sheets(book, [("Filters", "all groups")])
    rows = [[c.value for c in row] for row in book["Definitions"].iter_rows(min_row=2)]
    assert [r[0] for r in rows[-6:]] == list(SHIPPED_IDS)
    assert rows[-4][1:3] == ["Members with a formal account", "share of members"]


# --- a field added to the file, end to end ---------------------------------------------------

GARDENS = """
[[field]]
id = "kitchen_gardens"
level = "dataset"
type = "count"
denominator = "women"
sdg = "2.3"
[field.label]
en = "Women with a kitchen garden"
da = "Kvinder med en køkkenhave"
fr = "Femmes ayant un potager"
"""


def test_a_field_added_to_the_file_reaches_every_view_without_code_changes(
    tmp_path, monkeypatch, capsys
):
    """kitchen_gardens, a count of women (SDG 2.3): G1 6 of 18 women, G2 5 of 10, G3 not
    recorded: (6 + 5) / (18 + 10) = 39.3 %."""
    import base64

    import openpyxl
    from ingest_helpers import network_tables

    from dashboard.cli import main
    from dashboard.ingest import write_template
    from tests.conftest import _serving, login

    shipped = Path(__file__).parents[1] / "data" / "network.toml"
    config = tmp_path / "network.toml"
    config.write_text(shipped.read_text(encoding="utf-8") + GARDENS, encoding="utf-8")
    monkeypatch.setenv("VSLA_NETWORK", str(config))

    write_template(tmp_path / "template.xlsx")  # the template gets its column
    sheet = openpyxl.load_workbook(tmp_path / "template.xlsx")["datasets"]
    assert "ndf_kitchen_gardens" in [c.value for c in sheet[1]]  # (the id is accepted too)

    def with_gardens(values: tuple[Any, ...]) -> dict[str, list[dict[str, Any]]]:
        tables = network_tables()
        for row, gardens in zip(tables["datasets"], values, strict=True):  # G1, G2, G3
            row["kitchen_gardens"] = gardens
        return tables

    with pytest.raises(ImportRejected) as caught:  # G3 has 15 women
        import_files(write_csvs(tmp_path / "bad", with_gardens((6, 5, 16))), tmp_path / "x")
    assert "kitchen_gardens counts women and must be <= women" in caught.value.issues[0].message
    tables = with_gardens((6, 5, ""))
    pool = tmp_path / "pool.duckdb"
    import_files(write_csvs(tmp_path / "csv", tables), pool)

    assert main(["indicators", "--db", str(pool), "--as-of", "2024-06-30"]) == 0
    assert json.loads(capsys.readouterr().out)["ndf_kitchen_gardens"] == pytest.approx(11 / 28)

    serving = _serving(pool, monkeypatch)
    app = next(serving)
    try:
        admin = app.server.test_client()
        assert login(admin, "admin").status_code == 303
        search = {"url.search": "?as_of=2024-06-30&lang=fr"}
        sdg = _text(call(admin, app, "sdg-body.children", search))
        assert "Objectif 2 : Faim « zéro »" in sdg and "Femmes ayant un potager" in sdg
        value = sdg.split('"data-indicator": "ndf_kitchen_gardens"')[0].rsplit('"children": "', 1)[
            1
        ]
        assert value.split('"')[0] == "39\u00a0%"  # (French: a no-break space before %)
        data = call(admin, app, "data-table.rowData", {"url.search": "?as_of=2024-06-30"})
        assert data["data-table.rowData"][0]["ndf_kitchen_gardens"] == pytest.approx(11 / 28)
        compare = call(admin, app, "cmp-table.children", {"url.search": "?as_of=2024-06-30"})
        assert "Women with a kitchen garden" in _text(compare)
        themes = call(admin, app, "th-chart-title.children", {"url.search": "?"})
        assert "Women with a kitchen garden" in _text(themes["th-table.children"])
        glossary = call(
            admin, app, "page-content.children", {"url.pathname": "/glossary", "url.search": ""}
        )
        assert "ndf_kitchen_gardens" in _text(glossary)
        workbook = call(
            admin,
            app,
            "data-download.data",
            {"url.search": "?as_of=2024-06-30", "data-xlsx.n_clicks": 1},
            changed=["data-xlsx.n_clicks"],
        )["data-download.data"]
        (tmp_path / "data.xlsx").write_bytes(base64.b64decode(workbook["content"]))
        book = openpyxl.load_workbook(tmp_path / "data.xlsx")
        header = [c.value for c in next(book.worksheets[0].iter_rows(max_row=1))]
        assert "ndf_kitchen_gardens" in header
        assert "ndf_kitchen_gardens" in [r[0].value for r in book["Definitions"].iter_rows()]
        report = admin.get("/report/print?project=P1&as_of=2024-06-30").get_data(as_text=True)
        assert "Women with a kitchen garden (SDG 2.3)" in report
    finally:
        serving.close()
