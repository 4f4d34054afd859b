"""Issue 28, "files that hold on a slide": every chart of every page, as the app exports it
for one organisation, laid out in a browser (tests/chart_layout.py) has no text on another,
none outside the picture, no name cut with "…", no tick label repeated or turned, no
reference line through a text.

The files checked are the app's own: `exports.image` (the path of a chart's download, the
deck's pictures and the report's charts) at each size the app makes, as SVG:

- "slide" and "print": the PNG downloads. `exports.render` lays a figure out the same way
  whatever the format (Kaleido's one call, `format` aside, with the size's width, height
  and scale: the scale only multiplies the pixels), so the SVG at a PNG's size has the
  PNG's layout, text for text;
- "svg": the SVG download (its font added by `svg_with_font` afterwards, outside the
  layout);
- "deck": the picture of a chart on a slide of the page's deck (deck.CHART_IMAGE, no words:
  the slide has them as text);
- "report": the charts of the printable report (report_document.CHART_SIZE, no words).

The view: the demo's organisation with the longest project names (two of them alike but for
their ids), its charts on every page with charts, a comparison of two of its projects and
the page of one project; in English and in Danish, whose words are longer.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest

from dashboard import deck, exports, i18n, report_document
from dashboard.pages import compare, efficiency, outreach, overview, performance, projects, themes
from tests.chart_layout import Checker, Fault, report

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
)
LANGS = ("en", "da", "fr")
FILE_SIZES = {
    "slide": (exports.SIZES["slide"], True),
    "print": (exports.SIZES["print"], True),
    "svg": (exports.SIZES["svg"], True),
    "deck": (deck.CHART_IMAGE, False),
}


@pytest.fixture(scope="module")
def demo(demo_pool_path) -> Iterator[None]:
    """The small demo pool, seen by the network's admin (every project)."""
    from dashboard import auth, datasource, db
    from dashboard.viewer import acting_as

    with pytest.MonkeyPatch.context() as patch, acting_as(auth.ADMIN):
        patch.setenv("VSLA_DB", str(demo_pool_path))
        db.reset()
        datasource.clear_cache()
        yield
        db.reset()
        datasource.clear_cache()
    exports.shutdown()


@pytest.fixture(scope="module")
def checker() -> Iterator[Checker]:
    browser = Checker()
    yield browser
    browser.close()


def charts(lang: str) -> Iterator[tuple[str, Any, str]]:
    """Every chart the app exports for the views: (where, figure, sizes)."""
    for module, search in VIEWS:
        content = deck.file_content(module, search)
        assert content.charts, (module.PATH, search)
        for cid, figure in content.figures.items():
            yield f"{module.PATH}{search} {cid}", figure, "files"
    built = report_document.build_report(ORGANISATION)
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
        for where, figure, kind in charts(lang):
            sizes = (
                FILE_SIZES.items()
                if kind == "files"
                else [("report", (report_document.CHART_SIZE, False))]
            )
            for name, (size, words) in sizes:
                svg = exports.image(figure, "svg", size, words=words)
                files += 1
                found += [(f"{where} [{lang}, {name}]", f) for f in checker.faults(svg)]
    assert files > 100
    kinds = Counter(f.kind for _where, f in found)
    assert not found, f"{dict(kinds)} in {files} files:\n{report(found)}"
