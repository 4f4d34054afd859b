"""Issue 19, "nothing clipped": on every page of the demo's names (the long project names
included), each axis of a chart makes room for its labels (automargin), and the labels
written in a margin (a line's name at its end) fit in that margin. Widths are estimated
from the characters: Source Sans 3 averages about half an em a character, so 0.56 em is
taken, a little more than any line of the demo's names needs."""

from __future__ import annotations

import re
from collections.abc import Iterator

import plotly.io as pio
import pytest

from dashboard.core import theme
from dashboard.web.pages import (
    compare,
    efficiency,
    outreach,
    overview,
    performance,
    projects,
    themes,
)

PX_PER_EM = 0.56  # an estimate of a character's width, in ems of its font size


@pytest.fixture
def demo_build(demo_pool_path, monkeypatch, as_admin) -> Iterator[object]:
    from dashboard.analytics import datasource
    from dashboard.pool import db

    monkeypatch.setenv("VSLA_DB", str(demo_pool_path))
    db.reset()
    datasource.clear_cache()
    yield lambda module, search: module.build(search)
    db.reset()
    datasource.clear_cache()


def _lines(text: str) -> list[str]:
    plain = re.sub(r"<(?!br)[^>]+>", "", text or "")
    return re.split(r"<br\s*/?>", plain)


def _width(text: str, size: float) -> float:
    return max(len(line) for line in _lines(text)) * size * PX_PER_EM


def problems(figure) -> list[str]:
    """What would be clipped in `figure`, in words."""
    template = pio.templates[theme.TEMPLATE_NAME].layout
    layout = figure.layout
    out = []
    for name in layout:
        if not re.fullmatch(r"[xy]axis\d*", name):
            continue
        axis = layout[name]
        if axis.visible is False or axis.showticklabels is False:
            continue
        automargin = axis.automargin
        if automargin is None:
            automargin = template[name[:5]].automargin
        if not automargin:
            out.append(f"{name} does not make room for its labels")
    margin_r = layout.margin.r if layout.margin.r is not None else template.margin.r
    for note in layout.annotations:
        # a line's name at its end: anchored left at the end of its x axis, in the margin
        if note.xanchor != "left" or "paper" in str(note.xref):
            continue
        ref = str(note.xref or "x").split()[0]  # ("x2 domain": at a panel's edge)
        if "domain" in str(note.xref):
            continue
        axis = layout[f"xaxis{ref[1:]}"]
        if not axis.range or str(note.x)[:10] != str(axis.range[1])[:10]:
            continue  # (a label inside the plot: a reference's name, say)
        size = (note.font.size if note.font and note.font.size else None) or 12
        need = _width(note.text, size) + (note.xshift or 0)
        if need > margin_r:
            out.append(f"end label {note.text!r} needs {need:.0f} px, margin {margin_r} px")
    return out


LINKS = {
    overview: ["", "?organisation=Nordlys+Aid"],
    outreach: ["", "?organisation=Nordlys+Aid", "?by=country"],
    efficiency: ["", "?organisation=Fjord+Partners", "?country=BDI"],
    performance: ["", "?by=country", "?organisation=Havn+Relief"],
    themes: ["", "?theme=setting"],
    compare: ["?compare=project&pick=BDI-FJO-02&pick=UGA-NOR-01"],
    projects: ["", "?organisation=Nordlys+Aid"],
}


@pytest.mark.parametrize("module", list(LINKS), ids=lambda m: m.__name__.rsplit(".", 1)[1])
def test_no_label_of_any_chart_is_clipped(demo_build, module):
    found = []
    for search in LINKS[module]:
        content = demo_build(module, search)
        assert content.charts, search
        for cid, chart in content.charts.items():
            found += [f"{search or '/'} {cid}: {p}" for p in problems(chart.figure)]
    assert not found, "\n".join(found)


def test_a_long_name_at_a_lines_end_is_written_on_two_lines_within_the_margin():
    import pandas as pd

    from dashboard.views.figures.lines import lines

    name = "Women's Economic Empowerment (Democratic Republic of the Congo)"
    frame = pd.DataFrame(
        {
            "as_of": pd.to_datetime(["2025-06-30", "2025-09-30"] * 2),
            "project": [name, name, "Short", "Short"],
            "members": [10, 20, 5, 8],
        }
    )
    fig = lines(frame, "members", "int", series="project")
    assert problems(fig) == []
    texts = [a.text for a in fig.layout.annotations]
    assert any("<br>" in t and "Economic" in t for t in texts)  # wrapped, not cut
    assert "Short" in texts
