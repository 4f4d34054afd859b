"""The page model: what a page declares once (`PageSpec`: its charts, KPI tiles and further
outputs) and what it shows for a view (`PageContent`: heading, lead, KPIs with their change,
charts with their words, and the page's own parts), as plain values.

A chart is declared once, keyed by its id (`ChartSpec`): its words (title and subtitle, their
{placeholders} filled when it is drawn), the indicators it shows, how its card is laid out,
and its drawing, a function from what the page's charts are drawn from (its data: the view,
the caption, the frames) to the figure. A page's `build(search)` draws its charts by id
(`PageSpec.draw`) and returns a `PageContent`; one renderer (dashboard/web/components/render.py)
turns it into the page's Dash outputs, and the deck, the page workbook and the chart exports
read it as it is. The presentation, the report and the SDG page draw the same declarations
(dashboard/views/charts.py holds those drawn in more than one place). Nothing here knows Dash
components: a change is a text and a tone, not a coloured span.

Adding a chart to a page is one `ChartSpec` in the page's `PAGE`: the card, the callback's
outputs, the deck's slide and the export menu all follow from it, and the page's fetch from
what it declares it reads (`needs`: dashboard/views/needs.py); `build` calls `PAGE.fetch`
once, then draws.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import pandas as pd
import plotly.graph_objects as go

from dashboard.analytics.summaries import describe
from dashboard.core.format import date_text, format_change, na
from dashboard.core.i18n import _
from dashboard.views import needs as wants
from dashboard.views.figures.common import not_drawn
from dashboard.views.needs import Need

log = logging.getLogger(__name__)


# A chart's words: a text marked with N_ (translated when the chart is drawn, its
# {placeholders} filled from the words of the page's data and of the drawing), alternatives
# of such texts by key (the drawing picks one: `Drawn.pick`), or a function that writes them
# in the language in force from those words (an indicator's label, say).
Words = str | Mapping[str, str] | Callable[[Mapping[str, Any]], str]


@dataclass(frozen=True)
class Drawn:
    """What a chart's drawing gives: the figure, and where they differ from the page's and
    the declaration's, the values of its words' placeholders (`words`), which of alternative
    words it picks (`pick`), its own caption and the indicators it shows."""

    figure: go.Figure
    words: Mapping[str, Any] = field(default_factory=dict)
    pick: str = ""
    caption: str | None = None
    indicators: tuple[str, ...] | None = None


def written(words: Words, values: Mapping[str, Any], pick: str = "") -> str:
    """A chart's words in the language in force, their placeholders filled from `values`;
    of alternatives, the one `pick` names (an unknown one fails: KeyError)."""
    if callable(words):
        return words(values)
    text = words[pick] if isinstance(words, Mapping) else words
    return _(text).format(**values) if text else ""


@dataclass(frozen=True)
class ChartSpec:
    """A chart, declared once: its id, its words (`title`, `subtitle`), the indicators whose
    definitions go with it, its drawing, and how its card is laid out. `help` is the text of
    the card's "?": marked with N_ and translated when the page is drawn, or a function that
    writes it then (from an indicator's definition, say).

    `draw` takes what the page's charts are drawn from (its data: any object with a
    `caption` and, optionally, `words`, the values of the placeholders of every chart's
    words) and returns the figure, or a `Drawn` with the figure and its own words."""

    id: str
    title: Words
    subtitle: Words
    draw: Callable[[Any], go.Figure | Drawn]
    indicators: tuple[str, ...] = ()
    help: str | Callable[[], str] = ""
    height: int = 360
    lg: int = 6
    scroll: bool = False  # the graph takes the figure's own height inside a scrolling box
    wide: bool = False  # many panels side by side: a phone scrolls sideways
    # "wide": shown on wider screens only; "phone": on a phone only, the same numbers drawn
    # to be read there (a ranked bar for a map), and left out of the deck and the workbook
    only: str = ""
    # what its drawing reads (dashboard.views.needs), fetched with the page's before drawing
    needs: tuple[Need, ...] = ()

    def chart(self, data: Any) -> Chart:
        """The chart for what `data` holds, in the words declared for it."""
        drawn = self.draw(data)
        if not isinstance(drawn, Drawn):
            drawn = Drawn(drawn)
        values = {**getattr(data, "words", {}), **drawn.words}
        return Chart(
            drawn.figure,
            written(self.title, values, drawn.pick),
            written(self.subtitle, values, drawn.pick),
            data.caption if drawn.caption is None else drawn.caption,
            self.indicators if drawn.indicators is None else drawn.indicators,
            id=self.id,
        )

    def blank(self, figure: go.Figure) -> Chart:
        """The chart's card holding `figure` (a message) and no words."""
        return Chart(figure, "", "", "", id=self.id)


@dataclass(frozen=True)
class PageSpec:
    """What a page's callback fills, declared once: the layout, the callback's outputs, the
    deck and the exports are made from it.

    `kpis` are indicator ids shown as tiles (ids `{kpi_prefix}-{id}-value` / `-change`);
    `lead` and `heading` are the ids of a paragraph and a title filled per view; `parts`
    are the page's further outputs as (component id, property), filled from
    `PageContent.parts` under "id.property".

    `needs` is what the page reads besides its charts (dashboard.views.needs: its tiles,
    its caption, its parts); `fetch` gets it, with every chart's, before the page is drawn."""

    charts: tuple[ChartSpec, ...] = ()
    kpis: tuple[str, ...] = ()
    kpi_prefix: str = "kpi"
    lead: str | None = None
    heading: str | None = None
    parts: tuple[tuple[str, str], ...] = ()
    needs: tuple[Need, ...] = ()

    @property
    def every_need(self) -> tuple[Need, ...]:
        """The page's own needs and its charts'."""
        return (*self.needs, *(n for spec in self.charts for n in spec.needs))

    def fetch(self, data: Any) -> None:
        """Get at once everything the page reads for the view of `data` (what its charts are
        drawn from), so that drawing it asks the pool nothing more."""
        wants.fetch_all(self.every_need, data)

    @property
    def phone_only(self) -> frozenset[str]:
        """The charts drawn for a phone alone (a file has the wide one)."""
        return frozenset(c.id for c in self.charts if c.only == "phone")

    @property
    def chart_ids(self) -> tuple[str, ...]:
        return tuple(c.id for c in self.charts)

    def chart(self, chart_id: str) -> ChartSpec:
        """The declaration of a chart of the page, by id (KeyError for one it has not)."""
        for spec in self.charts:
            if spec.id == chart_id:
                return spec
        raise KeyError(f"No chart {chart_id!r} is declared here: {list(self.chart_ids)}")

    def draw(self, data: Any) -> dict[str, Chart]:
        """Every declared chart drawn from `data`, by id, in the page's order: each with
        the words of its own declaration (never matched by position)."""
        return {spec.id: spec.chart(data) for spec in self.charts}

    def blank(self, figure: Callable[[], go.Figure]) -> dict[str, Chart]:
        """Every chart's card holding a message (`figure()`: the pool is empty)."""
        return {spec.id: spec.blank(figure()) for spec in self.charts}


@dataclass
class Chart:
    """What one chart shows for a view. The figure carries its words in `layout.meta`
    (title, subtitle, caption, indicator ids, a summary in words), so that an export of it
    needs nothing else."""

    figure: go.Figure
    title: str
    subtitle: str
    caption: str
    indicators: tuple[str, ...] = ()  # whose definitions go with an export (speaker notes)
    id: str = ""  # the id of its declaration (ChartSpec), where it was drawn from one

    def __post_init__(self) -> None:
        self.figure.update_layout(
            meta={
                "title": self.title,
                "subtitle": self.subtitle,
                "caption": self.caption,
                "indicators": list(self.indicators),
                "summary": summary(self.figure),
            }
        )


def summary(figure: go.Figure) -> str:
    """The chart in words (dashboard.analytics.summaries); none where its data cannot be told
    (logged:
    the chart is drawn all the same)."""
    try:
        return describe(figure)
    except Exception:
        log.exception("A chart could not be described in words")
        return ""


@dataclass(frozen=True)
class Change:
    """The note under a KPI: its change since an earlier date, with a tone by the
    indicator's direction ("good", "bad" or "flat"), and `sign` (+1, -1, 0) for the arrow; or
    a note that compares with nothing (tone "note": muted; tone "": plain)."""

    text: str
    tone: str = ""
    sign: int = 0
    title: str = ""

    @property
    def compared(self) -> bool:
        """Whether this compares with an earlier date (the deck's "Change" column)."""
        return self.tone in ("good", "bad", "flat")


def note(text: str, muted: bool = True) -> Change:
    return Change(text, "note" if muted else "")


def change(value: Any, old: Any, kind: str, direction: int, prior: date | None) -> Change | None:
    """The change of a figure since `prior` (a KPI tile, a slide, the SDG page), its tone by
    the indicator's direction (a falling cost is good news); None when there is nothing to
    compare."""
    found = format_change(value, old, kind) if prior else None
    if found is None or prior is None:
        return None
    text, sign = found
    when = date_text(prior)
    if sign == 0:
        return Change(_("no change since {date}").format(date=when), "flat")
    tone = change_tone(value, old, kind, sign, direction)
    return Change(
        _("{change} since {date}").format(change=text, date=when),
        tone,
        sign,
        _("Compared with {date}").format(date=when),
    )


# One rule for better and worse, wherever a figure is judged against another (a KPI's change
# since an earlier date, a ratio against the peers' median in the report and on /compare): a
# difference is called better or worse (green, orange) only beyond these; within them it is
# told (the arrow, the figure) but not judged: 88% against 89% is no news.
SHARE_TOLERANCE_PP = 2.0  # percentage points, for shares
RELATIVE_TOLERANCE = 0.02  # of the value compared with, for everything else


def in_line(value: Any, reference: Any, kind: str) -> bool:
    """Whether `value` is within the tolerance of `reference`: for a share (`kind` "pct"),
    less than SHARE_TOLERANCE_PP points apart; otherwise less than RELATIVE_TOLERANCE of
    the reference apart (anything against a reference of 0 is in line: no relative gap)."""
    now, against = float(value), float(reference)
    if kind == "pct":
        return abs(now - against) * 100 < SHARE_TOLERANCE_PP
    return against == 0 or abs(now - against) / abs(against) < RELATIVE_TOLERANCE


def verdict(value: Any, reference: Any, kind: str, direction: int) -> int:
    """The one rule for better or worse: +1 when `value` is better than `reference` by the
    indicator's direction (a lower cost is better), -1 when worse, 0 when within the
    tolerance (`in_line`), when either is missing, or for an indicator without a
    direction."""
    if value is None or reference is None or not direction:
        return 0
    if pd.isna(value) or pd.isna(reference) or in_line(value, reference, kind):
        return 0
    gap = float(value) - float(reference)
    return (gap > 0) - (gap < 0) if direction > 0 else (gap < 0) - (gap > 0)


def change_tone(value: Any, old: Any, kind: str, sign: int, direction: int) -> str:
    """ "good", "bad" or "flat": the change by the indicator's direction, "flat" within the
    tolerance (or for an indicator without a direction); `sign` is that of the change as
    shown (its arrow)."""
    good = 0 if in_line(value, old, kind) else sign * direction
    return "good" if good > 0 else "bad" if good < 0 else "flat"


@dataclass(frozen=True)
class Kpi:
    """A KPI tile's values: the indicator, its formatted value and its change (or a note
    in its place) under it, and a further `note` on what the value is of. `suppressed`:
    the value is not shown (fewer than 5 groups of other organisations)."""

    indicator: str
    value: str
    change: Change | None = None
    suppressed: bool = False
    note: str = ""  # what the number is of, when a filter makes it differ (whole projects)
    # the network's value beside the selection's (view.network_values), formatted; "" when
    # the view is the network itself
    network: str = ""


@dataclass
class PageContent:
    """What a page shows for a view, as plain values."""

    name: str
    heading: str = ""
    lead: str = ""
    kpis: list[Kpi] = field(default_factory=list)
    charts: dict[str, Chart] = field(default_factory=dict)  # by chart id, page order
    parts: dict[str, Any] = field(default_factory=dict)  # further outputs, by "id.property"

    @property
    def figures(self) -> dict[str, go.Figure]:
        return {cid: chart.figure for cid, chart in self.charts.items()}


def unavailable(spec: PageSpec, name: str, parts: Any = None) -> PageContent:
    """What a page shows for a link its `build` could not answer (a fault of ours, logged
    where it is caught): every tile n/a, every chart saying in its card that it could not
    be drawn, and each of its own parts `parts` (the renderer: left as they were)."""
    return PageContent(
        _(name),
        kpis=[Kpi(indicator, na()) for indicator in spec.kpis],
        charts=spec.blank(not_drawn),
        parts={f"{cid}.{prop}": parts for cid, prop in spec.parts},
    )
