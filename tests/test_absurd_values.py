"""No value in the pool makes a page fail (issue 26, item 5): a pool holding absurd figures
(an older pool, a bug, a direct write: 2,000,000,000 members, savings of 1e300, a cost of
-1e300, exchange rates of 1e-300 and 1e300) is drawn on every page, in every callback and in
every file, for every viewer; formatting takes any value; a chart that cannot be drawn says
so in its own card while the rest of its page is drawn."""

from __future__ import annotations

import base64
import csv
import io
import json
import logging
import math
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from dashboard.access.demo_accounts import demo_username
from dashboard.core import i18n
from dashboard.core.format import (
    compact,
    finite,
    format_change,
    format_value,
    money,
    number,
    percent,
)
from dashboard.views.figures.bars import size_histogram
from dashboard.views.figures.common import NOT_DRAWN_NAME
from dashboard.views.figures.spread import bubble
from dashboard.views.view import counted
from tests.conftest import login
from tests.dash_client import _outputs, call, chart, components_by_id, request_body
from tests.test_exports import export, page_export

# --- Formatting takes any value ---------------------------------------------------------------

ODD = (math.inf, -math.inf, math.nan, 1e300, -1e300, 2**63, -(2**63), 10**400, None, pd.NA,
       np.float64("inf"), np.float32("nan"), np.int64(2**62), "", "junk", 5e-324)  # fmt: skip
values = st.one_of(
    st.sampled_from(ODD),
    st.floats(allow_nan=True, allow_infinity=True),
    st.integers(min_value=-(2**80), max_value=2**80),
)


@given(x=values, y=values, kind=st.sampled_from(("int", "pct", "usd", "decimal")))
def test_formatting_takes_any_value(x, y, kind):
    for lang in ("en", "da", "fr"):
        with i18n.using(lang):
            texts = [
                format_value(x, kind, "DKK"),
                number(x),
                number(x, 2, sign=True),
                percent(x, 1, sign=True),
                compact(x),
                money(x, "EUR", -1),
                counted(x, "active group"),
            ]
            assert all(isinstance(t, str) and t for t in texts), texts
            change = format_change(x, y, kind)
            assert change is None or (isinstance(change[0], str) and change[1] in (-1, 0, 1))


def test_what_is_not_a_finite_number_reads_n_a_and_the_huge_are_written_short():
    for odd in (math.inf, -math.inf, math.nan, None, pd.NA, 10**400, "junk"):
        assert finite(odd) is None
        assert format_value(odd, "usd") == number(odd) == compact(odd) == "n/a"
        assert percent(odd) == money(odd, "USD") == "n/a"
        assert format_change(odd, 1.0, "usd") is None
        assert format_change(1.0, odd, "pct") is None
    assert format_change(1e300, 1e-300, "usd") is None  # (a change beyond any double)
    # 2 significant digits past 1e15 (2**63 = 9,223,372,036,854,775,808)
    assert number(2**63) == "9.2E18"
    assert number(1e300) == "1E300"
    assert number(-1.25e16, sign=True) == "-1.2E16"  # (1.25 to 1 decimal: 1.2, half even)
    assert compact(2_000_000_000) == "2B"
    assert compact(999e9) == "999B"
    assert compact(1e12) == "1E12"
    assert format_value(1e300 / 3700, "usd") == "USD 2.7E296"
    assert format_value(2_000_000_000, "int") == "2B"
    assert percent(1e300) == "1E302%"
    assert format_change(3e16, 1e16, "usd") == ("+200%", 1)
    assert counted(math.inf, "group") == "n/a groups"
    with i18n.using("da"):
        assert number(1.234e300) == "1,2E300"
        assert format_value(1e300 / 3700, "usd") == "2,7E296\xa0USD"
        assert percent(1e300) == "1E302\xa0%"
    with i18n.using("fr"):
        assert format_value(-1e300, "decimal") == "-1E300"


# --- A chart that cannot be drawn -------------------------------------------------------------


def strict_json(data: bytes) -> Any:
    """The answer as JSON, which has no NaN nor Infinity (a browser's JSON.parse fails)."""

    def refuse(constant: str) -> None:
        raise AssertionError(f"{constant} in a JSON answer")

    return json.loads(data, parse_constant=refuse)


def drawn_page(data: bytes) -> dict[str, dict[str, Any]]:
    """The components of the router's answer (a page drawn with its view) by id."""
    return components_by_id(strict_json(data)["response"]["page-content"]["children"])


def chart_of(shown: dict[str, dict[str, Any]], cid: str) -> dict[str, Any]:
    return shown[json.dumps({"id": cid, "type": "chart"}, sort_keys=True)]["figure"]


def says_not_drawn(figure: dict[str, Any]) -> bool:
    notes = figure["layout"].get("annotations") or []
    return any(n.get("name") == NOT_DRAWN_NAME for n in notes)


@pytest.fixture
def bubble_fails(monkeypatch: pytest.MonkeyPatch) -> None:
    """The efficiency page's bubble chart raises while it is drawn."""

    def boom(*_args: Any, **_kwargs: Any) -> Any:
        raise ValueError("a bubble of absurd size")

    monkeypatch.setattr(bubble, "__wrapped__", boom)


def test_a_chart_that_cannot_be_drawn_says_so_and_the_rest_of_its_page_is_drawn(
    admin_client, hand_app, bubble_fails, caplog
):
    for lang, words in (("en", "This chart could not be drawn."), ("da", "Grafen kunne ikke")):
        values = {"url.pathname": "/efficiency", "url.search": f"?lang={lang}"}
        body = request_body(hand_app, "page-content.children", values, ["url.pathname"])
        response = admin_client.post("/_dash-update-component", json=body)
        assert response.status_code == 200
        shown = drawn_page(response.data)
        bubble = chart_of(shown, "ef-bubble")
        assert says_not_drawn(bubble) and not bubble["data"]
        assert words in bubble["layout"]["annotations"][0]["text"]
        assert shown["ef-bubble-title"]["children"]  # the card keeps its title and caption
        assert shown["ef-bubble-caption"]["children"]
        for other in ("ef-project", "ef-org", "ef-trend", "ef-group", "ef-fo", "ef-trainer"):
            figure = chart_of(shown, other)
            assert figure["data"] and not says_not_drawn(figure), other
        assert "This view could not be drawn" not in response.get_data(as_text=True)
    # the page's callback (a change of filters) says so too
    drawn = call(admin_client, hand_app, "ef-bubble-title.children", {"url.search": "?country=UGA"})
    assert says_not_drawn(chart(drawn, "ef-bubble"))
    assert drawn["ef-project-title.children"] and chart(drawn, "ef-project")["data"]
    reasons = [r for r in caplog.records if "figures.bubble" in r.getMessage()]
    assert reasons and "a bubble of absurd size" in str(reasons[0].exc_info[1])


def test_a_group_of_absurd_size_leaves_the_size_ticks_to_plotly():
    """A tick every 5 members across 2,000,000,000 would be 400 million of them (the image
    renderer gave up after a minute)."""
    sizes = pd.DataFrame({"members": [12, 25, 2_000_000_000], "groups": [40, 60, 1]})
    assert size_histogram(sizes).layout.xaxis.dtick is None
    assert size_histogram(sizes[:2]).layout.xaxis.dtick == 5


# --- A page that cannot be drawn --------------------------------------------------------------


def test_a_page_whose_build_fails_answers_with_its_cards_saying_so(
    admin_client, hand_app, monkeypatch, caplog
):
    """Past what a chart can catch (a fault of ours in a page's own code), the page's
    callback still answers: every chart saying it could not be drawn, every tile n/a."""
    from dashboard.web.pages import performance

    def broken(_search: str | None) -> Any:
        raise RuntimeError("a fault of the page")

    monkeypatch.setattr(performance, "build", broken)
    answer = call(admin_client, hand_app, "pf-trend-title.children", {"url.search": "?country=UGA"})
    assert answer["pf-savings_per_member_usd-value.children"] == "n/a"
    assert says_not_drawn(chart(answer, "pf-trend"))
    assert any("a fault of the page" in str(r.exc_info[1]) for r in caplog.records if r.exc_info)


def test_any_callback_that_fails_says_so_rather_than_answer_a_server_error(
    admin_client, hand_app, monkeypatch, caplog
):
    """Any other callback (here the SDG page's body) that raises answers all the same: its
    page says that the view could not be drawn, the details in the log; and so do the
    report's printable page and PDF."""
    from dashboard.exports.report import data as report_data
    from dashboard.web.pages import sdg

    def broken(*_args: Any) -> Any:
        raise RuntimeError("a fault of the page")

    monkeypatch.setattr(sdg, "build", broken)
    answer = call(admin_client, hand_app, "sdg-body.children", {"url.search": "?lang=fr"})
    assert "Cette vue n'a pas pu être dessinée" in json.dumps(answer, ensure_ascii=False)
    monkeypatch.setattr(report_data, "build_report", broken)
    for route in ("/report/print", "/report/pdf"):
        response = admin_client.get(route)
        assert response.status_code == 503
        assert response.get_data(as_text=True).startswith("This view could not be drawn.")
    assert sum("a fault of the page" in str(r.exc_info) for r in caplog.records) == 3


# --- Files ------------------------------------------------------------------------------------


def test_a_spreadsheet_leaves_what_is_not_a_finite_number_blank():
    """Excel has no infinity nor NaN (a file holding one does not open): such a cell is
    blank, as a missing value is, in a workbook and in a CSV."""
    import plotly.graph_objects as go
    from openpyxl import load_workbook

    from dashboard.exports import tables

    fig = go.Figure(go.Bar(x=["a", "b", "c", "d"], y=[1.5, math.inf, -math.inf, math.nan]))
    book = load_workbook(io.BytesIO(tables.workbook_bytes([fig.to_plotly_json()], [])))
    sheet = book.worksheets[0]
    header = next(r for r in range(1, 10) if sheet.cell(row=r, column=1).value == "Name")
    assert [sheet.cell(row=header, column=c).value for c in (1, 2)] == ["Name", "Value"]
    assert [sheet.cell(row=header + i, column=2).value for i in (1, 2, 3, 4)] == [
        1.5, None, None, None
    ]  # fmt: skip
    rows = tables.csv_bytes(fig).decode().splitlines()
    assert rows[-4:] == ["bar,a,1.5", "bar,b,", "bar,c,", "bar,d,"]


def test_its_files_say_so_too(admin_client, hand_app, bubble_fails):
    from pptx import Presentation

    name, png = export(admin_client, hand_app, "ef-bubble", "print")
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and name.endswith(".png")
    _name, csv = export(admin_client, hand_app, "ef-bubble", "csv")
    assert csv.decode().startswith("# Cost per member against scale")
    _name, deck = page_export(admin_client, "page-pptx", "", "/efficiency")
    slides = [
        [shape.text_frame.text for shape in slide.shapes if shape.has_text_frame]
        for slide in Presentation(io.BytesIO(deck)).slides
    ]
    assert len(slides) == 1 + 7  # the title slide, and one per chart: the bubble's says so
    assert any("Cost per member against scale" in texts for texts in slides)


# --- A pool of absurd values ------------------------------------------------------------------

OWN = "UGA-NOR-01"  # a project of Nordlys Aid (shared): a member's own
LATEST = """UPDATE datasets SET {sets} WHERE (project_id, group_id, report_date) IN (
    SELECT project_id, group_id, max(report_date) FROM datasets WHERE project_id = '{project}'
    GROUP BY ALL ORDER BY group_id LIMIT 1 OFFSET {skip})"""


def absurd(path: Path, non_finite: bool) -> None:
    """Write absurd values straight into the demo pool at `path` (no import would take
    them), then rebuild its rollups. With `non_finite`, also values whose sums the queries
    make infinite or NaN."""
    from dashboard.ingest.write import rebuild_rollups

    con = duckdb.connect(str(path))
    try:

        def latest(project: str, sets: str, skip: int = 0) -> None:
            con.execute(LATEST.format(project=project, sets=sets, skip=skip))

        # the member's own project: 2,000,000,000 members, savings of 1e300
        latest(OWN, "members = 2000000000, women = 1999999999, men = 1, youth = 2000000000, "
               "members_at_start = 2000000000, members_attending = 2000000000, "
               "savings = 1e300, loans_outstanding_value = 1e300, "
               "loans_outstanding_count = 2000000000")  # fmt: skip
        latest("TZA-NOR-01", "members = 0, women = 0, men = 0, youth = 0, dropouts = 0, "
               "members_attending = 0, members_at_start = 0")  # fmt: skip
        for project, cost in (("RWA-FJO-01", 1e300), ("BDI-FJO-01", -1e300)):
            con.execute(
                "UPDATE project_reports SET cost_to_date = ? WHERE project_id = ?", [cost, project]
            )
        con.execute(
            "UPDATE project_reports SET field_officers = 0, village_agents = 0 "
            "WHERE project_id = 'KEN-HAV-01'"
        )
        # the own project's currency at 3,700 per USD: its savings are 1e300 / 3700 USD
        con.execute("UPDATE exchange_rates SET per_usd = 3700 WHERE currency = 'UGX'")
        # display currencies of 1e300 and 1e-300 per USD (money shown in them overflows)
        for currency, rate in (("EUR", 1e300), ("DKK", 1e-300)):
            con.execute(
                "UPDATE exchange_rates SET per_usd = ? WHERE currency = ? AND year >= 2025",
                [rate, currency],
            )
        if non_finite:
            # a project's currency at 1e-300 per USD; books beyond any double; NaN
            con.execute("UPDATE exchange_rates SET per_usd = 1e-300 WHERE currency = 'BDT'")
            latest("KEN-NOR-01", "savings = 1e308, loan_fund_cash = 1e308, property_now = 1e308, "
                   "loans_outstanding_value = 1e308")  # fmt: skip
            latest("TZA-NOR-01", "late_loans_balance = 'nan'::DOUBLE, savings = 'nan'::DOUBLE", 1)
            latest("UGA-FJO-01", "savings = '-inf'::DOUBLE, write_offs = 'inf'::DOUBLE")
            for project, cost in (("ETH-HAV-01", "'inf'"), ("NER-HAV-01", "'nan'")):
                con.execute(
                    f"UPDATE project_reports SET cost_to_date = {cost}::DOUBLE "
                    f"WHERE project_id = '{project}'"
                )
    finally:
        con.close()
    rebuild_rollups(path)


def absurd_pool(tmp_path_factory: pytest.TempPathFactory, non_finite: bool) -> Path:
    from dashboard.demo.build import build_demo

    path = tmp_path_factory.mktemp("absurd") / "pool.duckdb"
    build_demo(path, seed=3, groups=500)
    absurd(path, non_finite)
    return path


@pytest.fixture(scope="module")
def absurd_pool_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return absurd_pool(tmp_path_factory, non_finite=False)


@pytest.fixture(scope="module")
def overflowing_pool_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return absurd_pool(tmp_path_factory, non_finite=True)


def serving(pool: Path, users: Path) -> Iterator[Any]:
    """The dashboard serving `pool` for the module's tests (its demo accounts made in the
    test users' store)."""
    from dashboard.analytics import datasource
    from dashboard.exports import renderer
    from dashboard.pool import db
    from dashboard.web.server import create_app
    from tests.conftest import SECRET

    mp = pytest.MonkeyPatch()
    mp.setenv("VSLA_DB", str(pool))
    mp.setenv("VSLA_SECRET_KEY", SECRET)  # (module scope: before the autouse fixture)
    mp.setenv("VSLA_USERS", str(users))
    db.reset()
    datasource.clear_cache()
    yield create_app()
    db.reset()
    datasource.clear_cache()
    renderer.shutdown()
    mp.undo()


@pytest.fixture(scope="module")
def absurd_app(absurd_pool_path: Path, hand_users_path: Path) -> Iterator[Any]:
    yield from serving(absurd_pool_path, hand_users_path)


@pytest.fixture(scope="module")
def overflowing_app(overflowing_pool_path: Path, hand_users_path: Path) -> Iterator[Any]:
    yield from serving(overflowing_pool_path, hand_users_path)


MEMBER = demo_username("Nordlys Aid")  # a demo account, made with the demo pool
VIEWERS = {"guest": None, "member": (MEMBER, f"demo-{MEMBER}"), "admin": ("admin", None)}


def signed_in(app: Any, viewer: str) -> Any:
    client = app.server.test_client()
    who = VIEWERS[viewer]
    if who is not None:
        name, password = who
        response = login(client, name, password) if password else login(client, name)
        assert response.status_code == 303, viewer
    return client


PATHS = ("/", "/outreach", "/efficiency", "/performance", "/themes", "/compare", "/projects",
         "/report", "/sdg", "/data", "/glossary", "/present")  # fmt: skip
SEARCHES = (
    "",  # the network: the absurd groups among the others
    f"?project={OWN}&currency=EUR&lang=da&compare=project&pick={OWN}&points=all",
    "?organisation=Fjord+Partners&currency=DKK&lang=fr",  # costs of 1e300 and -1e300
)


def link_callbacks(app: Any) -> list[str]:
    """The callbacks that answer a change of the link (the page model's, the pages' own),
    but the router's."""
    return [
        key
        for key, spec in app.callback_map.items()
        if any(i["id"] == "url" for i in spec["inputs"]) and "page-content" not in key
    ]


def every_page(app: Any, client: Any, paths: tuple[str, ...] = PATHS) -> list[str]:
    """Each page opened from each link, then its callbacks asked for the same link: what
    did not answer well."""
    wrong: list[str] = []
    asked: set[str] = set()
    keys = link_callbacks(app)
    for path in paths:
        for search in SEARCHES:
            values = {"url.pathname": path, "url.search": search}
            body = request_body(app, "page-content.children", values, changed=["url.pathname"])
            response = client.post("/_dash-update-component", json=body)
            if response.status_code != 200:
                wrong.append(f"{path}{search}: the page answered {response.status_code}")
                continue
            text = json.dumps(strict_json(response.data))
            if "could not be drawn" in text:  # the page's alert, or a chart's
                wrong.append(f"{path}{search}: something could not be drawn")
            shown = drawn_page(response.data)
            for key in keys:
                first = _outputs(key)[0]["id"]
                if (
                    json.dumps(first, sort_keys=True) if isinstance(first, dict) else first
                ) not in shown:
                    continue  # not a callback of this page
                body = request_body(app, key, values, ["url.search"])
                asked.add(key)
                answer = client.post("/_dash-update-component", json=body)
                if answer.status_code not in (200, 204):
                    wrong.append(f"{path}{search}: {key[:50]} answered {answer.status_code}")
                elif answer.status_code == 200 and "could not be drawn" in json.dumps(
                    strict_json(answer.data)
                ):
                    wrong.append(f"{path}{search}: {key[:50]} could not draw something")
    assert len(asked) >= len(paths), asked  # (each page has its callback of the link)
    return wrong


def failures(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [
        f"{r.name}: {r.getMessage()} {r.exc_info[1]!r}" if r.exc_info else r.getMessage()
        for r in caplog.records
        if r.levelno >= logging.ERROR
    ]


@pytest.mark.parametrize("viewer", list(VIEWERS))
def test_every_page_and_callback_of_absurd_values_answers(absurd_app, viewer, caplog):
    caplog.set_level(logging.WARNING)
    client = signed_in(absurd_app, viewer)
    assert every_page(absurd_app, client) == []
    assert failures(caplog) == []


@pytest.mark.parametrize("viewer", list(VIEWERS))
def test_every_page_and_callback_of_sums_beyond_any_double_answers(overflowing_app, viewer, caplog):
    """Sums the queries make infinite or NaN (a rate of 1e-300, books of 1e308 each, NaN
    written into the pool): every page drawn, their figures n/a."""
    caplog.set_level(logging.WARNING)
    client = signed_in(overflowing_app, viewer)
    assert (
        every_page(overflowing_app, client, ("/", "/performance", "/efficiency", "/report")) == []
    )
    assert failures(caplog) == []


def tile(app: Any, client: Any, path: str, search: str, cid: str) -> Any:
    body = request_body(
        app, "page-content.children", {"url.pathname": path, "url.search": search}, ["url.pathname"]
    )
    response = client.post("/_dash-update-component", json=body)
    assert response.status_code == 200
    return drawn_page(response.data)[cid]["children"]


def test_the_absurd_figures_read_as_written_by_hand(absurd_app):
    """The own project's savings of 1e300 UGX at 3,700 UGX per USD: 2.7027e296 USD (the
    other groups' savings vanish beside it), written 2.7E296; its 2,000,000,000 members (and
    the other groups' few hundred) 2B."""
    client = signed_in(absurd_app, "admin")
    search = f"?project={OWN}"
    assert tile(absurd_app, client, "/", search, "kpi-savings_usd-value") == "USD 2.7E296"
    assert tile(absurd_app, client, "/", search, "kpi-members-value") == "2B"
    assert tile(absurd_app, client, "/", search + "&lang=da", "kpi-savings_usd-value") == (
        "2,7E296\xa0USD"
    )


def test_the_files_of_absurd_values_are_made(absurd_app):
    from pptx import Presentation

    client = signed_in(absurd_app, "admin")
    search = f"?project={OWN}"
    for cid, fmt in (("ef-project", "slide"), ("ov-trend", "svg"), ("ef-project", "csv")):
        _name, data = export(client, absurd_app, cid, fmt, "?organisation=Fjord+Partners")
        assert data, (cid, fmt)
    rows = list(csv.reader(line for line in data.decode().splitlines() if line[:1] != "#"))
    costs = {row[-2]: row[1] for row in rows[1:]}  # project id: cost per member
    assert float(costs["RWA-FJO-01"]) > 1e290  # a cost of 1e300 over its members
    assert float(costs["BDI-FJO-01"]) < -1e290  # and one of -1e300
    _name, deck = page_export(client, "page-pptx", search, "/")
    cells = [  # the KPI slide's table
        cell.text
        for slide in Presentation(io.BytesIO(deck)).slides
        for shape in slide.shapes
        if shape.has_table
        for row in shape.table.rows
        for cell in row.cells
    ]
    assert "2B" in cells and "USD 2.7E296" in cells
    _name, book = page_export(client, "page-xlsx", "?currency=EUR", "/performance")
    assert book[:2] == b"PK"
    response = client.get(f"/report/pdf{search}")
    assert response.status_code == 200 and response.data[:5] == b"%PDF-"
    assert base64.b64encode(response.data)  # (a whole document)
