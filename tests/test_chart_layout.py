"""Issue 28, "files that hold on a slide": every chart of every page, as the app exports it
for one organisation, laid out in a browser (tests/chart_layout.py) has no text on another,
none outside the picture, no name cut with "…", no tick label repeated or turned, no
reference line through a text.

The files checked are the app's own: `framing.image` (the path of a chart's download, the
deck's pictures and the report's charts) at each size the app makes, as SVG:

- "slide" and "print": the PNG downloads. `renderer.render` lays a figure out the same way
  whatever the format (Kaleido's one call, `format` aside, with the size's width, height
  and scale: the scale only multiplies the pixels), so the SVG at a PNG's size has the
  PNG's layout, text for text;
- "svg": the SVG download (its font added by `svg_with_font` afterwards, outside the
  layout);
- "deck": the picture of a chart on a slide of the page's deck (deck.CHART_IMAGE, no words:
  the slide has them as text); a board pack's slides use the same picture;
- "pack-pdf": a chart on its page of a board pack's PDF (exports/pack.PDF_CHART, no words:
  the page has them as text; issue 31);
- "report": the charts of the printable report (CHART_SIZE of
  dashboard/exports/report/document.py, no words).

The view: the demo's organisation with the longest project names (two of them alike but for
their ids), its charts on every page with charts, a comparison of two of its projects and
the page of one project; in English and Danish (whose words are longer) at every size, in
French at two (LANGS). Each language runs in an xdist group of its own: a language's files
take about a minute (Kaleido's drawing is most of it).

The cards as the pages draw them are checked too, at their size on a screen of 1366 px
(names may be shortened there: a card's hover has them whole).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from typing import Any

import plotly.graph_objects as go
import pytest

from dashboard.core import i18n
from dashboard.exports import deck, framing, pack, renderer
from dashboard.exports.report import data as report_data
from dashboard.exports.report import document
from dashboard.web.pages import (
    compare,
    efficiency,
    explore,
    outreach,
    overview,
    performance,
    present,
    projects,
    themes,
)
from tests.chart_layout import Checker, Fault, faults, report

ORGANISATION = "?organisation=Havn+Relief"  # "Refugee and Host Community Savings (Ethiopia)"
VIEWS = (
    (overview, ORGANISATION),
    (outreach, ORGANISATION),
    (efficiency, ORGANISATION),
    (performance, ORGANISATION),
    (themes, ORGANISATION),
    (compare, ORGANISATION),
    (compare, "?compare=project&pick=ETH-HAV-01&pick=KEN-HAV-01"),
    (projects, "?project=ETH-HAV-01"),
    # the explorer's lines, each named and valued at its end (a long project name among them)
    (
        explore,
        "?organisation=Havn+Relief&organisation=Fjord+Partners&project=ETH-HAV-01&country=UGA",
    ),
)
# the explorer's finding for a long project's name, in Danish (one line cut it on a slide)
LONG_TITLE = (
    "Opsparing pr. medlem steg mest for Savings in Crisis Settings (Ethiopia) · ETH-HAV-01 "
    "(+298 %) siden 2021K1"
)
FILE_SIZES = {
    "slide": (renderer.SIZES["slide"], True),
    "print": (renderer.SIZES["print"], True),
    "svg": (renderer.SIZES["svg"], True),
    "deck": (deck.CHART_IMAGE, False),
    "pack-pdf": (pack.PDF_CHART, False),
}
# Every size in English and Danish; French (its words as long as Danish ones, or longer) in
# the two that leave its words the least room, to keep the check's time down: the print
# file (the smallest type against plotly's fixed paddings) and the deck's picture (the
# shortest against its type).
LANGS = {"en": tuple(FILE_SIZES), "da": tuple(FILE_SIZES), "fr": ("print", "deck")}


@pytest.fixture(scope="module")
def demo(demo_pool_path) -> Iterator[None]:
    """The small demo pool, seen by the network's admin (every project)."""
    from dashboard.access.policy import ADMIN
    from dashboard.access.viewer import acting_as
    from dashboard.analytics import datasource
    from dashboard.pool import db

    with pytest.MonkeyPatch.context() as patch, acting_as(ADMIN):
        patch.setenv("VSLA_DB", str(demo_pool_path))
        db.reset()
        datasource.clear_cache()
        yield
        db.reset()
        datasource.clear_cache()
    renderer.shutdown()


@pytest.fixture(scope="module")
def checker() -> Iterator[Checker]:
    browser = Checker()
    yield browser
    browser.close()


def charts() -> Iterator[tuple[str, Any, str]]:
    """Every chart the app exports for the views: (where, figure, sizes)."""
    for module, search in VIEWS:
        content = deck.file_content(module, search)
        assert content.charts, (module.PATH, search)
        for cid, figure in content.figures.items():
            yield f"{module.PATH}{search} {cid}", figure, "files"
            if cid == "ex-chart":  # a finding as long as a title gets: wrapped in a file
                long = go.Figure(figure)
                long.update_layout(meta={**long.layout.meta, "title": LONG_TITLE})
                yield f"{module.PATH}{search} {cid} (a long title)", long, "files"
    built = report_data.build_report(ORGANISATION)
    assert built.charts
    for n, figure in enumerate(built.charts):
        yield f"/report{ORGANISATION} chart {n + 1}", figure, "report"


@pytest.mark.parametrize(
    "lang",
    # each language in a worker of its own (make test runs two: tests/conftest.py)
    [pytest.param(lang, marks=pytest.mark.xdist_group(f"chart-layout-{lang}")) for lang in LANGS],
)
def test_every_chart_file_holds_its_words_apart(demo, checker, lang):
    found: list[tuple[str, Fault]] = []
    files = 0
    with i18n.using(lang):
        for where, figure, kind in charts():
            sizes = (
                [(name, FILE_SIZES[name]) for name in LANGS[lang]]
                if kind == "files"
                else [("report", (document.CHART_SIZE, False))]
            )
            for name, (size, words) in sizes:
                svg = framing.image(figure, "svg", size, words=words)
                files += 1
                found += [(f"{where} [{lang}, {name}]", f) for f in checker.faults(svg)]
    assert files > 60
    kinds = Counter(f.kind for _where, f in found)
    assert not found, f"{dict(kinds)} in {files} files:\n{report(found)}"


# A card's width on a screen of 1366 px (the screenshots' size: the filters beside the page),
# by its share of the row (ChartSpec.lg); its height is its spec's, or the figure's own where
# the card scrolls.
CARD_WIDTH = {12: 970, 6: 456, 4: 300}
CARD_PAGES = (overview, outreach, efficiency, performance, themes, compare, projects, explore)


@pytest.mark.xdist_group("chart-layout-cards")
def test_every_chart_card_holds_its_words_apart(demo, checker):
    """The charts as the pages draw them, at the size of their cards, for the whole network
    (its reference lines cross many bars) and for one organisation, in Danish, and the
    slides' charts of the presentation mode: the same faults but cut names (a card shortens
    a long name; its hover has it whole)."""
    found: list[tuple[str, Fault]] = []
    cards = 0
    with i18n.using("da"):
        for module in CARD_PAGES:
            specs = {c.id: c for c in module.PAGE.charts}
            for search in ("", ORGANISATION):
                for cid, chart in module.build(search).charts.items():
                    spec, figure = specs[cid], chart.figure
                    height = int(figure.layout.height or spec.height) if spec.scroll else None
                    size = renderer.ImageSize(
                        CARD_WIDTH[spec.lg], height or spec.height, 1.0, 0, 12
                    )
                    svg = renderer.render(figure, "svg", size)
                    cards += 1
                    where = f"{module.PATH}{search} {cid} [{size.width}x{size.height}]"
                    found += [(where, f) for f in checker.faults(svg) if f.kind != "cut"]
    # the slides of the presentation mode: a chart across a projected page
    from dashboard.web.server import create_app

    create_app()  # (the slides' graphs name the app's assets)
    with i18n.using("da"):
        for search in ("", ORGANISATION):
            for slide in present.slides(search):
                for figure in _figures(slide.body):
                    svg = renderer.render(figure, "svg", SLIDE_GRAPH)
                    cards += 1
                    where = f"/present{search} {slide.key}"
                    found += [(where, f) for f in checker.faults(svg) if f.kind != "cut"]
    assert cards > 55
    assert not found, report(found)


SLIDE_GRAPH = renderer.ImageSize(1286, 480, 1.0, 0, 22)  # a slide's chart at 1366 x 768


def _figures(node: Any) -> Iterator[Any]:
    """The figures of the graphs in a tree of Dash components."""
    from dash import dcc

    if isinstance(node, dcc.Graph):
        yield node.figure
    children = getattr(node, "children", None)
    for child in children if isinstance(children, list | tuple) else [children]:
        if child is not None and not isinstance(child, str):
            yield from _figures(child)


def _svg(body: str) -> str:
    style = "font-family: 'Source Sans 3'; font-size: 12px"
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="300" height="120" style="{style}">'
        f"{body}</svg>"
    )


def test_the_check_finds_each_kind_of_fault(checker):
    """Crafted pictures, each fault where it was put and none elsewhere."""
    clean = _svg(
        '<text x="10" y="20">Members</text><text x="10" y="38">Groups</text>'
        '<g class="subplot xy"><g class="xaxislayer-above">'
        '<g class="xtick"><text x="100" y="100">3%</text></g>'
        '<g class="xtick"><text x="140" y="100">3.5%</text></g>'
        '<g class="xtick"><text x="180" y="100">4%</text></g></g></g>'
        '<g class="shapelayer"><path d="M250,0L250,120"/></g>'
        '<text x="200" y="60">Network</text>'
    )
    assert checker.faults(clean) == []
    faulty = _svg(
        '<text x="10" y="20">Members</text><text x="30" y="24">Groups</text>'
        '<text x="260" y="60">Beyond the edge</text>'
        '<text x="10" y="100">Refugee… (Kenya)</text>'
        '<g class="subplot xy"><g class="yaxislayer-above">'
        '<g class="ytick"><text x="130" y="110">4%</text></g>'
        '<g class="ytick"><text x="130" y="90">4%</text></g>'
        '<g class="ytick"><text x="130" y="70">3%</text></g></g>'
        '<g class="xaxislayer-above"><g class="xtick">'
        '<text x="160" y="60" transform="rotate(30,160,60)">2020</text></g></g></g>'
        '<g class="shapelayer"><path d="M230,0L230,100"/></g>'
        '<text x="215" y="40">USD 24.07</text>'
    )
    found = {(f.kind, f.texts) for f in checker.faults(faulty)}
    assert found == {
        ("overlap", ("Members", "Groups")),
        ("outside", ("Beyond the edge",)),
        ("cut", ("Refugee… (Kenya)",)),
        ("repeated tick", ("4%", "4%")),
        ("rotated tick", ("2020",)),
        ("struck", ("USD 24.07",)),
    }


def test_a_narrow_range_of_shares_repeats_no_tick(checker):
    """Portfolio at risk between 3.1% and 3.5%, on an axis from 0: a slide's tall axis steps
    by half a per cent, which whole per cents wrote "1%, 1%, 2%, 2%, 3%, 3%"."""
    import pandas as pd

    from dashboard.views.figures.grids import small_multiple_lines

    quarters = pd.date_range("2020-03-31", periods=24, freq="QE")
    frame = pd.DataFrame(
        {
            "as_of": quarters,
            "portfolio_at_risk": [0.031 + 0.0006 * (i % 7) for i in range(24)],
            "attendance_rate": [0.86 + 0.001 * (i % 5) for i in range(24)],
        }
    )
    fig = small_multiple_lines(
        frame,
        [
            ("portfolio_at_risk", "Portfolio at risk", "pct"),
            ("attendance_rate", "Attendance", "pct"),
        ],
    )
    fig.update_layout(meta={"title": "Performance over time", "subtitle": "", "caption": "All."})
    for name in ("slide", "print"):
        layout = checker.layout(framing.image(fig, "svg", renderer.SIZES[name]))
        ticks = [t.text for t in layout.texts if t.axis == "subplot xy yaxislayer-above"]
        assert "0.5%" in ticks or "1.5%" in ticks, ticks  # (the step is half a per cent)
        assert [f for f in faults(layout) if f.kind == "repeated tick"] == [], ticks
