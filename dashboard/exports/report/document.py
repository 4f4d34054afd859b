"""The performance report's HTML (its one job): what data.py computed, as one self-contained
document filled from the Jinja2 template dashboard/templates/report.html (with report.css)
through dashboard/exports/templating.py, the trainers' annex (annex.py) on a page of its own.

Fonts are embedded and the charts are inline SVG drawn by Kaleido: nothing in the document
is fetched from anywhere. The browser shows it and prints it (print CSS: A4, page breaks,
page numbers and the source line in the page margins); pdf.py prints the same document to
PDF with headless Chromium.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

import plotly.graph_objects as go

from dashboard.core import i18n
from dashboard.core.format import money, number
from dashboard.core.i18n import _, ngettext
from dashboard.exports import framing, renderer, templating
from dashboard.exports.report import annex
from dashboard.exports.report.data import Report
from dashboard.views.figures.references import SAVIX_INGO_COST_PER_MEMBER_USD
from dashboard.views.view import SOURCE, STALE_DAYS, nice_date

# Laid out at about the width it is printed (half an A4 text column, ~85 mm = 320 px), so
# that its type prints at 7-8 pt.
CHART_SIZE = renderer.ImageSize(400, 170, 1.0, 0, 11)
QUALITY_ROWS = 8  # projects listed in the report; the Data page lists them all
KEEP_ROWS = 6  # a table of up to so many rows is not split across pages


def _css_string(text: str) -> str:
    """A CSS string literal of any text, safe inside a <style> element: quotes and
    backslashes escaped, line breaks and < > as CSS escapes (so "</style>" cannot end it)."""
    out = []
    for char in text:
        if char in '"\\<>' or ord(char) < 32:
            out.append(f"\\{ord(char):X} ")
        else:
            out.append(char)
    return '"' + "".join(out) + '"'


def _css_page_numbers() -> str:
    """The CSS content of the page footer's "Page 1 of 2", in the language in force: the
    words as CSS strings, {page} and {pages} as the printer's counters."""
    template = _("Page {page} of {pages}")
    parts = []
    for piece in re.split(r"(\{pages?\})", template):
        if piece == "{page}":
            parts.append("counter(page)")
        elif piece == "{pages}":
            parts.append("counter(pages)")
        elif piece:
            parts.append(_css_string(piece))
    return " ".join(parts)


@dataclass(frozen=True)
class Table:
    """A table of the document as its template draws it: each cell's text and CSS class."""

    head: list[tuple[str, str]]
    rows: list[list[tuple[str, str]]]
    kind: str = ""  # the table's own class ("quality"), or none


def _table(
    headers: Sequence[str],
    rows: Sequence[Sequence[object]],
    numeric: Sequence[int] = (),
    kind: str = "",
) -> Table:
    """Columns `numeric` right-aligned; a cell given as (text, class) takes that class
    too (a tone: good, bad; stale)."""

    def cell(i: int, value: object) -> tuple[str, str]:
        text, css = value if isinstance(value, tuple) else (value, "")
        return str(text), " ".join(c for c in ("num" if i in numeric else "", css) if c)

    return Table(
        [(str(h), "num" if i in numeric else "") for i, h in enumerate(headers)],
        [[cell(i, value) for i, value in enumerate(row)] for row in rows],
        kind,
    )


def render_svg(figure: go.Figure) -> str:
    """A chart as inline SVG (Kaleido), sized for half an A4 column."""
    data = framing.image(figure, "svg", CHART_SIZE, words=False)
    text = data.decode("utf-8")
    return text[text.find("<svg") :]


def render_html(report: Report, svg: Callable[[go.Figure], str] = render_svg) -> str:
    """The report as one self-contained HTML document (dashboard/templates/report.html)."""
    made = nice_date(date.today())
    period = (
        _("As of {date}, compared with {vs}").format(
            date=nice_date(report.as_of), vs=nice_date(report.vs)
        )
        if report.vs
        else _("As of {date}").format(date=nice_date(report.as_of))
    )
    kind = {
        "project": _("Project performance report"),
        "organisation": _("Organisation performance report"),
        "selection": _("Performance report"),
    }[report.kind]
    made_line = (
        _("Made on {date} · dashboard view: {link}").format(date=made, link=report.link)
        if report.link
        else _("Made on {date}").format(date=made)
    )
    return templating.render(
        "report.html",
        lang=i18n.current(),
        policy=DOCUMENT_POLICY,
        title=report.title,
        kind=kind,
        lead=_("{kind} · money in {currency}").format(kind=kind, currency=report.currency),
        period=period,
        caption=report.caption,
        made=made_line,
        exchange_rate=report.exchange_rate,
        body=_body(report, svg) if report.headline else None,
        nothing=_("No active group in scope for this view: nothing to report."),
        # the stylesheet's values (report.css), CSS made safe here
        fonts=renderer.font_faces(),
        source=_css_string(f"{_(SOURCE)} · {report.title}"),
        pages=_css_page_numbers(),
    )


def _body(report: Report, svg: Callable[[go.Figure], str]) -> dict[str, Any]:
    """What the report's sections show (report.html), in the language in force."""
    vs_label = nice_date(report.vs) if report.vs else _("earlier")
    outreach = [_table((_("Members"), _("Number"), _("Share")), report.outreach, numeric=(1,))]
    if report.bands:
        outreach.append(
            _table(
                (_("Groups by membership"), _("Groups"), _("Members"), _("Of groups")),
                report.bands,
                (1, 2, 3),
            )
        )
    savix = money(SAVIX_INGO_COST_PER_MEMBER_USD, "USD", 1)
    tables = [
        (_("Performance against the network"), report.ratios, report.network),
        (
            _("Cost efficiency"),
            report.costs,
            _(
                "Cost to date divided by active members or groups; SAVIX INGO average "
                "{amount} per member."
            ).format(amount=savix),
        ),
    ]
    if report.own:
        tables.append(
            (
                _("The network's own indicators"),
                report.own,
                _(
                    "Fields the network records beyond SAVIX (its configuration file), "
                    "over the groups that record each; against the network's projects "
                    "that record it."
                ),
            )
        )
    standings = [
        {
            "title": title,
            "keep": len(rows) <= KEEP_ROWS,  # a short table is not split across pages
            "table": _table(
                (
                    _("Indicator"),
                    _("This report"),
                    _("Network"),
                    _("Lower quartile"),
                    _("Median of projects"),
                    _("Upper quartile"),
                    _("Standing"),
                ),
                [
                    (s.label, s.value, s.network, s.q1, s.median, s.q3, (s.standing, s.tone))
                    for s in rows
                ],
                numeric=(1, 2, 3, 4, 5),
            ),
            "note": note,
        }
        for title, rows, note in tables
    ]
    charts = []
    for figure in report.charts:
        meta = figure.layout.meta if isinstance(figure.layout.meta, dict) else {}
        charts.append(
            {
                "title": meta.get("title", ""),
                "subtitle": meta.get("subtitle", ""),
                "svg": svg(figure),
            }
        )
    quality = _table(
        (
            _("Project"),
            _("Groups reporting"),
            _("Newest group data"),
            _("Mean data age"),
            _("Latest project report"),
            _("Warnings at import"),
        ),
        [
            (
                q["project"],
                q["groups"],
                q["latest"],
                (q["age"], "stale" if q["stale"] else ""),
                q["report"],
                q["warnings"],
            )
            for q in report.quality[:QUALITY_ROWS]
        ],
        numeric=(1, 3),
        kind="quality",
    )
    more = len(report.quality) - QUALITY_ROWS
    return {
        "words": {
            "profile": _("Profile"),
            "headline": _("Headline figures"),
            "outreach": _("Outreach by sex and youth"),
            "trends": _("Trends"),
            "quality": _("Data quality"),
        },
        "profile": report.profile,
        "headline": _table(
            (_("Indicator"), nice_date(report.as_of), vs_label, _("Change")),
            [
                (line.label, line.now, line.then, (line.change, line.tone))
                for line in report.headline
            ],
            numeric=(1, 2, 3),
        ),
        "outreach": outreach,
        "standings": standings,
        "charts": charts,
        "trend_note": report.trend_note,
        "quality": quality,
        "more": ngettext(
            "{n} more project, with newer data, is listed on the dashboard's Data page.",
            "{n} more projects, with newer data, are listed on the dashboard's Data page.",
            more,
        ).format(n=number(more))
        if more > 0
        else "",
        "age_note": _(
            "Mean data age: how old the active groups' latest data is at the as-of date, on "
            "average; over {days} days is marked. Groups count as active when they reported "
            "in the {window} days before it."
        ).format(days=number(STALE_DAYS), window=number(365)),
        # (Markup: trainer_annex.html, escaped there; "" without a trainer listed)
        "annex": annex.annex_html(report.trainer_report, report.currency)
        if report.trainer_report is not None
        else "",
    }


# What the document may load: nothing but what it holds (its fonts and pictures are data
# URIs, its charts inline SVG). Whoever opens it, and the server's Chromium that prints it,
# fetches nothing, from the network or the file system.
DOCUMENT_POLICY = (
    "default-src 'none'; style-src 'unsafe-inline'; font-src data:; img-src data:; "
    "base-uri 'none'; form-action 'none'"
)
