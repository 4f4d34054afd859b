"""A page as a PowerPoint deck (python-pptx): a title slide, a slide of the KPI tiles as a
native table, and one 16:9 slide per chart (image, title, subtitle, caption), each with
speaker notes that define the indicators shown.

The deck is built on the server from the URL alone: the page's own `build` is run for the
view and its `PageContent` (dashboard/views/page_model.py) read as it is, so the file holds what
the screen shows for the same link and nothing the browser sent.
"""

from __future__ import annotations

import io
import logging
from collections.abc import Mapping, Sequence
from datetime import date
from types import ModuleType
from typing import Any

import plotly.graph_objects as go

from dashboard.core import theme
from dashboard.core.format import in_currency
from dashboard.core.i18n import _
from dashboard.core.indicators import BY_ID, lookup
from dashboard.exports import framing, renderer
from dashboard.views.page_model import PageContent, PageSpec, unavailable
from dashboard.views.view import nice_date

log = logging.getLogger(__name__)


def has_content(module: ModuleType) -> bool:
    """Whether a page can be exported as a deck (its spec declares charts or KPI tiles)."""
    spec = getattr(module, "PAGE", None)
    return isinstance(spec, PageSpec) and bool(spec.charts or spec.kpis)


def charts_of(module: ModuleType) -> PageSpec | None:
    """The charts a page declares: its `PAGE` spec, or, for a page that lays its charts out
    its own way (the SDG page's trends, in a table), its `CHARTS`."""
    for name in ("PAGE", "CHARTS"):
        spec = getattr(module, name, None)
        if isinstance(spec, PageSpec):
            return spec
    return None


def page_content(module: ModuleType, search: str | None) -> PageContent:
    """What the page shows for the link: its own `build` (or, for a page that lays its
    charts out its own way, its `content`), run on the server; if that fails (a fault of
    ours: the details in the log), the page's charts saying that they could not be drawn,
    so that a file says so rather than fail."""
    spec = charts_of(module)
    build = module.build if isinstance(getattr(module, "PAGE", None), PageSpec) else module.content
    try:
        return build(search)
    except Exception:
        log.exception("The page %s could not be built for a file of %r", module.PATH, search)
        return unavailable(spec or PageSpec(), module.NAME)


def file_content(module: ModuleType, search: str | None) -> PageContent:
    """What the page's deck and workbook show: its content without the charts drawn for a
    phone alone (the wide chart beside them has the same numbers)."""
    content = page_content(module, search)
    spec = getattr(module, "PAGE", None)
    if isinstance(spec, PageSpec) and spec.phone_only:
        content.charts = {k: v for k, v in content.charts.items() if k not in spec.phone_only}
    return content


def chart_ids(module: ModuleType) -> list[str]:
    """The ids of the charts a page draws (from its declarations: `charts_of`)."""
    spec = charts_of(module)
    return list(spec.chart_ids) if spec is not None else []


# --- The deck ------------------------------------------------------------------------------

# Slide: 13.333 x 7.5 inches (16:9). The chart image is 1920 x 828 pixels (laid out at
# 1280 x 552, scale 1.5), drawn 12.3 inches wide: ticks and labels read from the back row.
CHART_IMAGE = renderer.ImageSize(1280, 552, 1.5, 0, 20)
_TEXT, MUTED = theme.TEXT.lstrip("#"), theme.MUTED.lstrip("#")
_NETWORK, _RULE = theme.NETWORK_GREY.lstrip("#"), "D5DBE1"  # (the network's grey; lines)
FONT = "Source Sans 3"  # the charts' type (theme.FONT_FAMILY)


def definitions(indicator_ids: Sequence[str], currency: str = "USD") -> list[str]:
    """The indicators' definitions, money in the deck's currency ("DKK per member")."""
    out = []
    for ind_id in dict.fromkeys(indicator_ids):
        try:
            ind = lookup(ind_id)  # the standard indicators and the network's own
        except KeyError:  # a chart's own column, not an indicator
            continue
        out.append(
            _("{label} ({unit}): {definition}").format(
                label=ind.label,
                unit=in_currency(ind.unit, currency),
                definition=in_currency(ind.definition, currency),
            )
        )
    return out


def network_values(search: str | None, indicator_ids: Sequence[str]) -> dict[str, str]:
    """The network's value of each indicator for the view of a link (what the KPI table's
    network column shows): view.network_values, the same the KPI tiles show."""
    from dashboard.views.view import network_values as of_view
    from dashboard.views.view import read_view

    return of_view(read_view(search), indicator_ids)


def slide_notes(slide: Any, paragraphs: Sequence[str]) -> None:
    slide.notes_slide.notes_text_frame.text = "\n".join(p for p in paragraphs if p)


def text_box(
    slide: Any,
    box: tuple[float, float, float, float],
    lines: Sequence[str],
    size: int,
    colour: str = _TEXT,
    bold: bool = False,
) -> Any:
    from pptx.dml.color import RGBColor
    from pptx.util import Inches, Pt

    left, top, width, height = (Inches(v) for v in box)
    shape = slide.shapes.add_textbox(left, top, width, height)
    frame = shape.text_frame
    frame.word_wrap = True
    for i, line in enumerate(lines):
        paragraph = frame.paragraphs[0] if i == 0 else frame.add_paragraph()
        run = paragraph.add_run()
        run.text = line
        run.font.name = FONT
        run.font.size = Pt(size)
        run.font.bold = bold
        run.font.color.rgb = RGBColor.from_string(colour)
    return shape


def slide_title(slide: Any, text: str, top: float = 0.3, size: int = 32) -> None:
    """The slide's title placeholder (outline view, screen readers), placed for 16:9."""
    from pptx.dml.color import RGBColor
    from pptx.enum.text import PP_ALIGN
    from pptx.util import Inches, Pt

    title = slide.shapes.title
    title.left, title.top = Inches(0.5), Inches(top)
    title.width, title.height = Inches(12.33), Inches(0.8)
    title.text = text
    frame = title.text_frame
    frame.word_wrap = True
    for paragraph in frame.paragraphs:
        paragraph.alignment = PP_ALIGN.LEFT
        for run in paragraph.runs:
            run.font.name = FONT
            run.font.size = Pt(size)
            run.font.bold = True
            run.font.color.rgb = RGBColor.from_string(_TEXT)


def deck_title(content: PageContent) -> str:
    """The page's name and, if it has one, its heading (the view's subject)."""
    name = _(content.name)
    if not content.heading:
        return name
    return _("{page}: {heading}").format(page=name, heading=content.heading)


def pptx_bytes(
    content: PageContent,
    about: Sequence[tuple[str, str]],
    as_of: date | None,
    made: date | None = None,
    network: Mapping[str, str] | None = None,
) -> bytes:
    """The deck of a page: title slide, KPI table (with the network's value of each, from
    `network`: network_values), a slide per chart; notes on each, money in the deck's
    currency."""
    made = made or date.today()
    facts = dict(about)  # keys in English (pages/common.export_about), values translated
    filters = facts.get("Filters", _("none"))
    currency = facts.get("Currency", "USD")
    rate = facts.get("Exchange rate", "")
    deck = presentation()

    first = blank_slide(deck)
    slide_title(first, deck_title(content), 2.2, 40)
    lines = [
        content.lead,
        _("Filters: {filters}").format(filters=filters),
        _("As of {date} · money in {currency}").format(date=nice_date(as_of), currency=currency),
        rate,
        _("Made on {date} · {source}").format(date=nice_date(made), source=facts.get("Source", "")),
    ]
    text_box(first, (0.5, 3.2, 12.33, 2.6), [line for line in lines if line], 20, MUTED)
    if facts.get("Link"):
        link = _("Open in the dashboard: {link}").format(link=facts["Link"])
        text_box(first, (0.5, 6.6, 12.33, 0.5), [link], 12, MUTED)
    slide_notes(
        first,
        [
            _(content.name) + ".",
            content.lead,
            _("Filters: {filters}").format(filters=filters) + ".",
            _("Money in {currency}.").format(currency=currency),
            rate,
        ],
    )

    if content.kpis:
        kpi_slide(deck, content, network or {}, _caption(content, facts, as_of), currency, rate)

    for figure in content.figures.values():
        meta = figure.layout.meta if isinstance(figure.layout.meta, dict) else {}
        chart_slide(
            deck,
            figure,
            meta.get("title") or _("Chart"),
            meta.get("subtitle", ""),
            [
                meta.get("subtitle", ""),
                meta.get("caption", ""),
                _("Definitions:") if meta.get("indicators") else "",
                *definitions(meta.get("indicators") or (), currency),
                rate if meta.get("indicators") else "",
            ],
        )
    return saved(deck, deck_title(content), facts.get("Filters", ""), facts.get("Link", ""))


def presentation() -> Any:
    """An empty 16:9 deck (python-pptx's default template, 13.333 x 7.5 inches)."""
    from pptx import Presentation
    from pptx.util import Inches

    deck = Presentation()
    deck.slide_width, deck.slide_height = Inches(13.333), Inches(7.5)
    return deck


def blank_slide(deck: Any) -> Any:
    """A new slide with a title placeholder alone (the layout "Title Only")."""
    return deck.slides.add_slide(deck.slide_layouts[5])


def kpi_slide(
    deck: Any,
    content: PageContent,
    network: Mapping[str, str],
    caption: str,
    currency: str,
    rate: str = "",
) -> Any:
    """The slide of a page's KPI tiles as a table (kpi_table), `caption` below it, the
    indicators' definitions in its notes."""
    slide = blank_slide(deck)
    slide_title(slide, _("Headline figures"))
    kpi_table(slide, content, network)
    text_box(slide, (0.5, 6.95, 12.33, 0.5), [caption], 11, MUTED)
    ids = [k.indicator for k in content.kpis]
    slide_notes(slide, [_("Definitions:"), *definitions(ids, currency), rate])
    return slide


def chart_slide(deck: Any, figure: go.Figure, title: str, under: str, notes: Sequence[str]) -> Any:
    """A slide of one chart: `title` (the title placeholder), `under` it in smaller type,
    the chart's image at slide size (CHART_IMAGE, framed: every name whole) with its alt
    text (title, subtitle and the chart in words), its caption below, and `notes`."""
    from pptx.util import Inches

    meta = figure.layout.meta if isinstance(figure.layout.meta, dict) else {}
    slide = blank_slide(deck)
    slide_title(slide, title)
    text_box(slide, (0.5, 1.0, 12.33, 0.6), [under], 16 if len(under) < 120 else 13, MUTED)
    image = framing.image(figure, "png", CHART_IMAGE, words=False)
    width = 12.3
    picture = slide.shapes.add_picture(
        io.BytesIO(image),
        Inches(0.5),
        Inches(1.65),
        width=Inches(width),
        height=Inches(width * CHART_IMAGE.height / CHART_IMAGE.width),
    )
    # Alternative text for screen readers (python-pptx has no setter for it).
    words = (meta.get("title", ""), meta.get("subtitle", ""), meta.get("summary", ""))
    picture._element.nvPicPr.cNvPr.set(
        "descr", " ".join(w.strip().rstrip(".") + "." for w in words if w and w.strip())
    )
    text_box(slide, (0.5, 6.95, 12.33, 0.5), [meta.get("caption", "")], 11, MUTED)
    slide_notes(slide, notes)
    return slide


def saved(deck: Any, title: str, subject: str, comments: str) -> bytes:
    """The deck's file, its properties set (title, subject, author, comments)."""
    props = deck.core_properties
    props.title = title
    props.subject = subject
    props.author = _("Savings groups network dashboard")
    props.comments = comments
    buffer = io.BytesIO()
    deck.save(buffer)
    return buffer.getvalue()


# The KPI table: drawn as the charts are (their type and colours, the network in its grey,
# thin rules between the rows, no fills), each column at least as wide as its longest word
# (a table cell breaks a word that does not fit in the middle of it).
KPI_SIZES = (13, 16)  # header, body (points)
# A character's width in ems, generous: that of a bold digit in DejaVu Sans, a wide font that
# a reader's office suite may set the table in where it has not Source Sans 3
CHAR_WIDTH = 0.7
CELL_MARGIN = 0.1  # inches each side (python-pptx's default)


def _width(text: str, size: int) -> float:
    """The inches `text` takes on one line at `size` points (an upper bound)."""
    return len(text) * size * CHAR_WIDTH / 72 + 2 * CELL_MARGIN


def _longest_word(texts: Sequence[str], size: int) -> float:
    return max((_width(w, size) for t in texts for w in t.split()), default=0.0)


def kpi_table(slide: Any, content: PageContent, network: Mapping[str, str]) -> Any:
    """The KPI tiles as a native table: indicator, value, the network's value and the
    change (or the tile's note)."""
    from pptx.util import Inches

    header_size, size = KPI_SIZES
    compared = any(k.change and k.change.compared for k in content.kpis)
    headers = (_("Indicator"), _("Value"), _("Network"), _("Change") if compared else _("Note"))
    rows = []
    for kpi in content.kpis:
        said = [kpi.change.text if kpi.change else "", kpi.note]
        rows.append(
            (
                BY_ID[kpi.indicator].label,
                kpi.value,
                network.get(kpi.indicator, "") if not kpi.suppressed else "",
                " · ".join(w for w in said if w),
            )
        )
    columns = list(zip(headers, *rows, strict=True))
    # the numbers on one line; the words of the others whole
    value, net = (
        max(_longest_word([h], header_size), max(_width(v, size) for v in c[1:]))
        for h, c in zip(headers[1:3], columns[1:3], strict=True)
    )
    change = max(3.2, _longest_word([headers[3]], header_size), _longest_word(columns[3], size))
    total = 12.33
    whole = max(_width(t, size) for t in columns[3])  # each change on one line, if room
    if value + net + whole + max(_width(t, size) for t in columns[0]) <= total:
        change = max(change, whole)
    indicator = max(total - value - net - change, _longest_word(columns[0], size))
    widths = (indicator, value, net, change)
    shape = slide.shapes.add_table(
        len(rows) + 1,
        4,
        Inches(0.5),
        Inches(1.4),
        Inches(sum(widths)),
        Inches(0.45 * (len(rows) + 1)),
    )
    table = shape.table
    _plain_style(table)
    for col, width in enumerate(widths):
        table.columns[col].width = Inches(width)
    for col, header in enumerate(headers):
        _cell(table.cell(0, col), header, header_size, MUTED, bold=True, right=col in (1, 2))
    for row, cells in enumerate(rows, start=1):
        for col, text in enumerate(cells):
            colour = _NETWORK if col == 2 else _TEXT
            _cell(table.cell(row, col), text, size, colour, bold=col == 1, right=col in (1, 2))
    for row in range(len(rows) + 1):
        table.rows[row].height = Inches(0.45)
    return table


NO_STYLE = "{2D5ABB26-0587-4C30-8999-92F81FD0307C}"  # PowerPoint's "No Style, No Grid"


def _plain_style(table: Any) -> None:
    """No table style (no fills, no banding): the rules are drawn cell by cell."""
    tbl = table._tbl
    tbl.tblPr.set("bandRow", "0")
    style = tbl.tblPr.find("{http://schemas.openxmlformats.org/drawingml/2006/main}tableStyleId")
    if style is not None:
        style.text = NO_STYLE


def _cell(cell: Any, text: str, size: int, colour: str, bold: bool, right: bool) -> None:
    """A table cell: its text in the charts' type, no fill, a thin rule below it."""
    from lxml import etree
    from pptx.dml.color import RGBColor
    from pptx.enum.text import PP_ALIGN
    from pptx.oxml.ns import qn
    from pptx.util import Pt

    cell.text = text
    frame = cell.text_frame
    frame.word_wrap = True
    for paragraph in frame.paragraphs:
        paragraph.alignment = PP_ALIGN.RIGHT if right else PP_ALIGN.LEFT
        for run in paragraph.runs:
            run.font.name = FONT
            run.font.size = Pt(size)
            run.font.bold = bold
            run.font.color.rgb = RGBColor.from_string(colour)
    properties = cell._tc.get_or_add_tcPr()
    for child in list(properties):
        properties.remove(child)
    for side in ("lnL", "lnR", "lnT", "lnB"):  # (in the order the schema wants them)
        rule = side == "lnB"
        line = etree.SubElement(properties, qn(f"a:{side}"), w=str(Pt(0.75) if rule else 0))
        if rule:
            fill = etree.SubElement(line, qn("a:solidFill"))
            etree.SubElement(fill, qn("a:srgbClr"), val=_RULE)
        else:
            etree.SubElement(line, qn("a:noFill"))
    etree.SubElement(properties, qn("a:noFill"))


def _caption(content: PageContent, facts: Mapping[str, str], as_of: date | None) -> str:
    """The KPI slide's footer: the filters, date and source (as under every chart)."""
    for figure in content.figures.values():
        meta = figure.layout.meta if isinstance(figure.layout.meta, dict) else {}
        if meta.get("caption"):
            return str(meta["caption"])
    return _("{filters}. {source}, as of {date}.").format(
        filters=facts.get("Filters", ""), source=facts.get("Source", ""), date=nice_date(as_of)
    )
