"""The page model (issue 18): a page's charts are declared once, in its `PAGE` spec, and the
layout, the callback's outputs, the page's content for a view, the deck and the chart
exports all follow from that one list. Each chart is declared once, keyed by its id, with its
words, indicators and drawing (issue 30): a chart is drawn from its own declaration, never
matched to one by position."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import date
from types import ModuleType
from typing import Any

import plotly.graph_objects as go
import pytest
from dash import Dash, html

from dashboard.exports import deck
from dashboard.views.page_model import (
    Change,
    ChartSpec,
    Drawn,
    Kpi,
    PageContent,
    PageSpec,
    change,
    note,
)
from dashboard.web.components import render
from dashboard.web.server import PAGES
from tests.dash_client import _outputs

SPECS = [m for m in PAGES if isinstance(getattr(m, "PAGE", None), PageSpec)]


def ids_in(node: Any) -> list[Any]:
    """Every component id in a layout tree, in document order."""
    if isinstance(node, list | tuple):
        return [i for child in node for i in ids_in(child)]
    if node is None or isinstance(node, str | int | float):
        return []
    own = [node.id] if getattr(node, "id", None) is not None else []
    return own + ids_in(getattr(node, "children", None))


def test_every_page_with_charts_declares_them_in_its_spec():
    assert {m.PATH for m in SPECS} == {
        "/",
        "/outreach",
        "/efficiency",
        "/performance",
        "/themes",
        "/compare",
        "/explore",
        "/projects",
    }
    for module in SPECS:
        ids = module.PAGE.chart_ids
        assert len(ids) == len(set(ids)), module.PATH
        assert deck.chart_ids(module) == list(ids)


def test_the_layout_has_a_card_for_each_spec_and_no_other(hand_app):
    for module in SPECS:
        with hand_app.server.test_request_context("/"):
            layout = module.layout()
        graphs = [
            i["id"] for i in ids_in(layout) if isinstance(i, dict) and i.get("type") == "chart"
        ]
        assert graphs == list(module.PAGE.chart_ids), module.PATH


def output_set(outputs: list[dict[str, Any]]) -> set[tuple[str, str]]:
    return {(json.dumps(o["id"], sort_keys=True), o["property"]) for o in outputs}


def test_the_page_callback_writes_what_the_spec_declares(hand_app):
    """One callback per page writes exactly the renderer's outputs of the page's spec."""
    registered = [output_set(_outputs(key)) for key in hand_app.callback_map]
    for module in SPECS:
        wanted = output_set(
            [
                {"id": o.component_id, "property": o.component_property}
                for o in render.outputs(module.PAGE)
            ]
        )
        assert registered.count(wanted) == 1, module.PATH


def test_a_build_fills_every_declared_chart_with_its_words(hand_app):
    with hand_app.server.test_request_context("/"):
        for module in SPECS:
            content = module.build("?country=UGA")
            assert isinstance(content, PageContent)
            assert list(content.charts) == list(module.PAGE.chart_ids), module.PATH
            values = render.values(module.PAGE, content)
            assert len(values) == len(render.outputs(module.PAGE)), module.PATH
            for chart in content.charts.values():
                meta = chart.figure.layout.meta
                assert meta["title"] == chart.title and meta["caption"] == chart.caption
                assert "summary" in meta and "Source" in chart.caption
                if module.PATH != "/explore":
                    assert "Uganda" in chart.caption
            if module.PATH == "/explore":  # (a place is a line there, named by the chart)
                assert "Uganda" in content.charts["ex-chart"].subtitle


@dataclass
class ToyData:
    """What the toy page's charts are drawn from."""

    caption: str = "cap A"
    words: dict = field(default_factory=lambda: {"currency": "USD"})


def toy_spec() -> PageSpec:
    return PageSpec(
        charts=(
            ChartSpec(
                "toy-a",
                "A",
                "sub A",
                lambda _data: go.Figure(go.Bar(x=[1], y=["a"])),
                ("groups",),
                help="Help of A",
            ),
            ChartSpec(
                "toy-b",
                "B",
                "sub B",
                lambda _data: Drawn(
                    go.Figure(go.Bar(x=[2], y=["b"]), layout={"height": 520}), caption="cap B"
                ),
                scroll=True,
                height=300,
            ),
        ),
        kpis=("groups",),
        lead="toy-lead",
        parts=(("toy-note", "color"),),
    )


def toy_content() -> PageContent:
    return PageContent(
        "Toy",
        lead="The lead",
        kpis=[Kpi("groups", "1,234", Change("+10% since 30 Sep 2025", "good", 1, "Compared"))],
        charts=toy_spec().draw(ToyData()),
        parts={"toy-note.color": "info"},
    )


def test_one_spec_makes_the_card_the_outputs_and_the_values(hand_app):  # (cards: an app)
    """Adding a chart is one ChartSpec: the card, the outputs (figure, title, subtitle,
    caption, summary; the style of a scrolling one and of its box) and their values follow."""
    spec, content = toy_spec(), toy_content()
    outs = [f"{o.component_id}.{o.component_property}" for o in render.outputs(spec)]
    assert outs == [
        "toy-lead.children",
        "kpi-groups-value.children",
        "kpi-groups-change.children",
        "kpi-groups-network.children",
        "{'type': 'chart', 'id': 'toy-a'}.figure",
        "toy-a-title.children",
        "toy-a-subtitle.children",
        "toy-a-caption.children",
        "toy-a-summary.children",
        "{'type': 'chart', 'id': 'toy-b'}.figure",
        "toy-b-title.children",
        "toy-b-subtitle.children",
        "toy-b-caption.children",
        "toy-b-summary.children",
        "{'type': 'chart', 'id': 'toy-b'}.style",
        "toy-b-box.style",
        "toy-note.color",
    ]
    values = render.values(spec, content)
    assert values[0] == "The lead" and values[1] == "1,234"
    assert values[3] == ""  # no network line: the toy's tile is the network's own
    assert values[5:8] == ["A", "sub A", "cap A"]
    assert values[14] == {"height": "520px"}  # the scrolling graph takes the figure's height
    # its box: at most the card's 300 px, that much kept before the graph is drawn
    assert values[15] == {"maxHeight": "300px", "minHeight": "300px"}
    assert values[-1] == "info"
    cards = render.cards(spec)
    assert [i for i in ids_in(cards) if isinstance(i, dict) and i.get("type") == "chart"] == [
        {"type": "chart", "id": "toy-a"},
        {"type": "chart", "id": "toy-b"},
    ]


def test_a_build_that_leaves_out_a_declared_chart_fails_loudly():
    content = toy_content()
    del content.charts["toy-b"]
    with pytest.raises(KeyError):
        render.values(toy_spec(), content)


def test_a_chart_is_drawn_in_the_words_of_its_own_declaration_in_any_order():
    """Building returns the charts by id, each with its own declaration's words, drawing and
    indicators: declaring them in another order moves the cards, never their words."""

    def bars(value: int) -> go.Figure:
        return go.Figure(go.Bar(x=[value], y=["x"]))

    one = ChartSpec("one", "Savings in {currency}", "One", lambda _d: bars(1), ("savings_usd",))
    two = ChartSpec(
        "two",
        {"": "Members", "chosen": "Members of {chosen}"},
        "Two",
        lambda _d: Drawn(bars(2), {"chosen": "Alpha Aid"}, pick="chosen"),
    )
    for order in ((one, two), (two, one)):
        charts = PageSpec(charts=order).draw(ToyData())
        assert list(charts) == [spec.id for spec in order]
        assert (charts["one"].title, charts["one"].subtitle) == ("Savings in USD", "One")
        assert charts["one"].figure.data[0].x == (1,)
        assert charts["one"].indicators == ("savings_usd",) and charts["one"].id == "one"
        assert (charts["two"].title, charts["two"].subtitle) == ("Members of Alpha Aid", "Two")
        assert charts["two"].figure.data[0].x == (2,)
        assert charts["two"].caption == "cap A"  # the page's, unless the drawing has its own
    # words the drawing does not fill, or alternatives it does not name, fail loudly
    unfilled = ChartSpec("three", "Since {start}", "", lambda _d: bars(3))
    with pytest.raises(KeyError):
        unfilled.chart(ToyData())
    unnamed = ChartSpec("four", {"a": "A"}, "", lambda _d: Drawn(bars(4), pick="b"))
    with pytest.raises(KeyError):
        unnamed.chart(ToyData())


def test_a_chart_under_another_id_or_an_unknown_one_fails_loudly():
    spec = toy_spec()
    with pytest.raises(KeyError):
        spec.chart("toy-c")
    assert spec.chart("toy-b").scroll
    swapped = toy_content()
    a, b = swapped.charts["toy-a"], swapped.charts["toy-b"]
    swapped.charts = {"toy-a": b, "toy-b": a}  # each under the other's id
    with pytest.raises(ValueError):
        render.values(spec, swapped)
    extra = toy_content()
    extra.charts["toy-c"] = extra.charts["toy-a"]
    with pytest.raises(KeyError):
        render.values(spec, extra)


def declared(words: Any, text: str, values: dict[str, Any]) -> bool | None:
    """Whether `text` is what a declaration's `words` write (in the language in force): a
    text with its placeholders filled with anything, one of alternatives, or what a
    function writes from `values` (where it needs only those); None where a function needs
    the drawing's own words (the explorer's finding): it cannot be told from here."""
    from dashboard.core.i18n import _

    if callable(words):
        try:
            return words(values) == text
        except KeyError:  # (it needs the drawing's own words)
            return None if text else False
    if isinstance(words, dict):
        return any(declared(w, text, values) for w in words.values())
    pattern = re.sub(r"\\\{\w+\\\}", "(.+?)", re.escape(_(words))) if words else ""
    return re.fullmatch(pattern, text, re.DOTALL) is not None


def test_every_pages_charts_carry_the_words_declared_for_their_id(hand_app, as_admin):
    """Built on the hand pool as the network admin, each page's charts, the presentation's
    and the report's carry the title and subtitle of the declaration of their id, and of no
    declaration that words them differently (two swapped charts would be found)."""
    from dashboard.exports.report import data as report_data
    from dashboard.views import charts as shared
    from dashboard.views.view import read_view
    from dashboard.web.pages import present, sdg

    built = [(m.PATH, m.PAGE, m.build("?country=UGA").charts) for m in SPECS]
    built.append(("/sdg", sdg.CHARTS, sdg.content("?country=UGA").charts))
    subject = shared.Data(read_view("?organisation=Beta+Relief"))
    built.append(("/report", report_data.TRENDS, report_data.TRENDS.draw(subject)))
    slides = [s.chart for s in present.slides("") if s.chart is not None]
    values = {"currency": "USD"}
    for path, spec, charts in built:
        assert list(charts) == list(spec.chart_ids), path
        for cid, chart in charts.items():
            assert chart.id == cid and chart.figure.layout.meta["title"] == chart.title
            verdicts = {
                other.id: (
                    declared(other.title, chart.title, values),
                    declared(other.subtitle, chart.subtitle, values),
                )
                for other in spec.charts
            }
            words = [o for o, said in verdicts.items() if False not in said]
            assert cid in words, (path, cid, chart.title, chart.subtitle)
            mine = spec.chart(cid)
            for other in words:  # only declarations worded alike (the map and its ranking)
                if None in verdicts[other]:
                    continue  # (worded from its drawing: not told apart by its words here)
                same = spec.chart(other)
                assert (same.title, same.subtitle) == (mine.title, mine.subtitle), (path, cid)
    # the presentation's charts: the pages' declarations, and one of its own
    declarations = {s.id: s for m in SPECS for s in m.PAGE.charts}
    declarations[present.WOMEN_BY_ORGANISATION.id] = present.WOMEN_BY_ORGANISATION
    assert [c.id for c in slides] == ["ov-trend", "ov-map", "pr-women", "or-trained", "ef-org"]
    for chart in slides:
        spec = declarations[chart.id]
        assert declared(spec.title, chart.title, values), chart.id
        assert declared(spec.subtitle, chart.subtitle, values), chart.id


def test_a_registered_toy_page_answers_through_dash():
    app = Dash(__name__)
    app.layout = html.Div()
    page = ModuleType("toy")
    page.PAGE = toy_spec()  # type: ignore[attr-defined]
    page.build = lambda _search: toy_content()  # type: ignore[attr-defined]
    render.register(app, page)
    assert any("toy-a-caption.children" in key for key in app.callback_map)


def test_a_change_is_coloured_by_the_indicators_direction():
    prior = date(2025, 9, 30)
    up = change(110, 100, "int", 1, prior)
    assert up == Change("+10% since 30 Sep 2025", "good", 1, "Compared with 30 Sep 2025")
    cost_up = change(110, 100, "usd", -1, prior)
    assert cost_up is not None and (cost_up.tone, cost_up.sign) == ("bad", 1)
    same = change(0.5, 0.5, "pct", 1, prior)
    assert same == Change("no change since 30 Sep 2025", "flat")
    assert change(1, None, "int", 1, prior) is None
    assert change(1, 2, "int", 1, None) is None
    assert up.compared and same.compared and not note("no comparison").compared


def test_the_renderer_draws_a_change_as_before():
    """An arrow (hidden from screen readers) and the words, in the tone's class; a muted note;
    a plain note as plain text."""
    shown = render.change_view(Change("+10% since 30 Sep 2025", "good", 1, "Compared"))
    assert shown.className == "kpi-good" and shown.title == "Compared"
    arrow, words = shown.children
    assert arrow.children == "▲" and getattr(arrow, "aria-hidden") == "true"
    assert words == " +10% since 30 Sep 2025"
    flat = render.change_view(Change("no change since 30 Sep 2025", "flat"))
    assert flat.className == "kpi-flat" and flat.children == "no change since 30 Sep 2025"
    assert render.change_view(note("no comparison")).className == "text-secondary"
    assert render.change_view(note("pooled", muted=False)) == "pooled"
    assert render.change_view(None) == ""
