"""No value in the pool makes a page fail (issue 26, item 5): a pool holding absurd figures
(an older pool, a bug, a direct write: 2,000,000,000 members, savings of 1e300, a cost of
-1e300, exchange rates of 1e-300 and 1e300) is drawn on every page, in every callback and in
every file, for every viewer; formatting takes any value; a chart that cannot be drawn says
so in its own card while the rest of its page is drawn."""

from __future__ import annotations

import io
import json
import math
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from dashboard import figures, i18n
from dashboard.format import (
    compact,
    finite,
    format_change,
    format_value,
    money,
    number,
    percent,
)
from dashboard.view import counted
from tests.dash_client import call, chart, components_by_id, request_body
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
    return any(n.get("name") == figures.NOT_DRAWN_NAME for n in notes)


@pytest.fixture
def bubble_fails(monkeypatch: pytest.MonkeyPatch) -> None:
    """The efficiency page's bubble chart raises while it is drawn."""

    def boom(*_args: Any, **_kwargs: Any) -> Any:
        raise ValueError("a bubble of absurd size")

    monkeypatch.setattr(figures.bubble, "__wrapped__", boom)


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
    assert figures.size_histogram(sizes).layout.xaxis.dtick is None
    assert figures.size_histogram(sizes[:2]).layout.xaxis.dtick == 5


# --- A page that cannot be drawn --------------------------------------------------------------


def test_a_page_whose_build_fails_answers_with_its_cards_saying_so(
    admin_client, hand_app, monkeypatch, caplog
):
    """Past what a chart can catch (a fault of ours in a page's own code), the page's
    callback still answers: every chart saying it could not be drawn, every tile n/a."""
    from dashboard.pages import performance

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
    from dashboard import report_document
    from dashboard.pages import sdg

    def broken(*_args: Any) -> Any:
        raise RuntimeError("a fault of the page")

    monkeypatch.setattr(sdg, "build", broken)
    answer = call(admin_client, hand_app, "sdg-body.children", {"url.search": "?lang=fr"})
    assert "Cette vue n'a pas pu être dessinée" in json.dumps(answer, ensure_ascii=False)
    monkeypatch.setattr(report_document, "build_report", broken)
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

    from dashboard import exports

    fig = go.Figure(go.Bar(x=["a", "b", "c", "d"], y=[1.5, math.inf, -math.inf, math.nan]))
    book = load_workbook(io.BytesIO(exports.workbook_bytes([fig.to_plotly_json()], [])))
    sheet = book.worksheets[0]
    header = next(r for r in range(1, 10) if sheet.cell(row=r, column=2).value == "label")
    assert [sheet.cell(row=header + i, column=3).value for i in (1, 2, 3, 4)] == [
        1.5, None, None, None
    ]  # fmt: skip
    rows = exports.csv_bytes(fig).decode().splitlines()
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
