"""A page as a PowerPoint deck (python-pptx): a title slide, a slide of the KPI tiles as a
native table, and one 16:9 slide per chart (image, title, subtitle, caption), each with
speaker notes that define the indicators shown.

The deck is built on the server from the URL alone: the page's own `build` is run for the
view and its `PageContent` (dashboard/page_model.py) read as it is, so the file holds what
the screen shows for the same link and nothing the browser sent.
"""

from __future__ import annotations

import io
import logging
from collections.abc import Mapping, Sequence
from datetime import date
from types import ModuleType
from typing import Any

from dashboard import exports, theme
from dashboard.i18n import _
from dashboard.indicators import BY_ID, lookup
from dashboard.page_model import PageContent, PageSpec, unavailable
from dashboard.view import nice_date

log = logging.getLogger(__name__)


def has_content(module: ModuleType) -> bool:
    """Whether a page can be exported as a deck (its spec declares charts or KPI tiles)."""
    spec = getattr(module, "PAGE", None)
    return isinstance(spec, PageSpec) and bool(spec.charts or spec.kpis)


def page_content(module: ModuleType, search: str | None) -> PageContent:
    """What the page shows for the link: its own `build`, run on the server; if that fails
    (a fault of ours: the details in the log), the page's charts saying that they could not
    be drawn, so that a file says so rather than fail."""
    try:
        return module.build(search)
    except Exception:
        log.exception("The page %s could not be built for a file of %r", module.PATH, search)
        return unavailable(module.PAGE, module.NAME)


def file_content(module: ModuleType, search: str | None) -> PageContent:
    """What the page's deck and workbook show: its content without the charts drawn for a
    phone alone (the wide chart beside them has the same numbers)."""
    content = page_content(module, search)
    spec = getattr(module, "PAGE", None)
    if isinstance(spec, PageSpec) and spec.phone_only:
        content.charts = {k: v for k, v in content.charts.items() if k not in spec.phone_only}
    return content


def chart_ids(module: ModuleType) -> list[str]:
    """The ids of the charts a page draws (from its spec)."""
    spec = getattr(module, "PAGE", None)
    return list(spec.chart_ids) if isinstance(spec, PageSpec) else []


# --- The deck ------------------------------------------------------------------------------

# Slide: 13.333 x 7.5 inches (16:9). The chart image is 1920 x 828 pixels (laid out at
# 1280 x 552, scale 1.5), drawn 12.3 inches wide: ticks and labels read from the back row.
CHART_IMAGE = exports.ImageSize(1280, 552, 1.5, 0, 20)
_TEXT, _MUTED = theme.TEXT.lstrip("#"), theme.MUTED.lstrip("#")


def definitions(indicator_ids: Sequence[str]) -> list[str]:
    out = []
    for ind_id in dict.fromkeys(indicator_ids):
        try:
            ind = lookup(ind_id)  # the standard indicators and the network's own
        except KeyError:  # a chart's own column, not an indicator
            continue
        out.append(
            _("{label} ({unit}): {definition}").format(
                label=ind.label, unit=ind.unit, definition=ind.definition
            )
        )
    return out


def _notes(slide: Any, paragraphs: Sequence[str]) -> None:
    slide.notes_slide.notes_text_frame.text = "\n".join(p for p in paragraphs if p)


def _text(
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
        run.font.size = Pt(size)
        run.font.bold = bold
        run.font.color.rgb = RGBColor.from_string(colour)
    return shape


def _title(slide: Any, text: str, top: float = 0.3, size: int = 32) -> None:
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
) -> bytes:
    """The deck of a page: title slide, KPI table, a slide per chart; notes on each."""
    from pptx import Presentation
    from pptx.util import Inches, Pt

    made = made or date.today()
    facts = dict(about)  # keys in English (pages/common.export_about), values translated
    filters = facts.get("Filters", _("none"))
    deck = Presentation()
    deck.slide_width, deck.slide_height = Inches(13.333), Inches(7.5)
    title_only = deck.slide_layouts[5]

    first = deck.slides.add_slide(title_only)
    _title(first, deck_title(content), 2.2, 40)
    lines = [
        content.lead,
        _("Filters: {filters}").format(filters=filters),
        _("As of {date} · money in {currency}").format(
            date=nice_date(as_of), currency=facts.get("Currency", "USD")
        ),
        _("Made on {date} · {source}").format(date=nice_date(made), source=facts.get("Source", "")),
    ]
    _text(first, (0.5, 3.2, 12.33, 2.6), [line for line in lines if line], 20, _MUTED)
    if facts.get("Link"):
        link = _("Open in the dashboard: {link}").format(link=facts["Link"])
        _text(first, (0.5, 6.6, 12.33, 0.5), [link], 12, _MUTED)
    _notes(
        first,
        [
            _(content.name) + ".",
            content.lead,
            _("Filters: {filters}").format(filters=filters) + ".",
        ],
    )

    if content.kpis:
        slide = deck.slides.add_slide(title_only)
        _title(slide, _("Headline figures"))
        rows = len(content.kpis) + 1
        height = min(0.55 * rows, 5.6)
        shape = slide.shapes.add_table(
            rows, 3, Inches(0.5), Inches(1.4), Inches(12.33), Inches(height)
        )
        table = shape.table
        for col, width in enumerate((5.5, 2.8, 4.03)):
            table.columns[col].width = Inches(width)
        compared = any(k.change and k.change.compared for k in content.kpis)
        headers = (_("Indicator"), _("Value"), _("Change") if compared else _("Note"))
        for col, header in enumerate(headers):
            table.cell(0, col).text = header
        for row, kpi in enumerate(content.kpis, start=1):
            said = [kpi.change.text if kpi.change else "", kpi.note]
            cells = (BY_ID[kpi.indicator].label, kpi.value, " · ".join(w for w in said if w))
            for col, text in enumerate(cells):
                table.cell(row, col).text = text
        for row in range(rows):
            for col in range(3):
                for paragraph in table.cell(row, col).text_frame.paragraphs:
                    for run in paragraph.runs:
                        run.font.size = Pt(18 if row else 16)
        _text(slide, (0.5, 1.5 + height, 12.33, 0.6), [_caption(content, facts, as_of)], 12)
        _notes(slide, [_("Definitions:"), *definitions([k.indicator for k in content.kpis])])

    for figure in content.figures.values():
        meta = figure.layout.meta if isinstance(figure.layout.meta, dict) else {}
        slide = deck.slides.add_slide(title_only)
        _title(slide, meta.get("title") or _("Chart"))
        subtitle = meta.get("subtitle", "")
        _text(slide, (0.5, 1.0, 12.33, 0.6), [subtitle], 16 if len(subtitle) < 120 else 13, _MUTED)
        image = exports.image(figure, "png", CHART_IMAGE, words=False)
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
        _text(slide, (0.5, 6.95, 12.33, 0.5), [meta.get("caption", "")], 11, _MUTED)
        _notes(
            slide,
            [
                meta.get("subtitle", ""),
                meta.get("caption", ""),
                _("Definitions:") if meta.get("indicators") else "",
                *definitions(meta.get("indicators") or ()),
            ],
        )

    props = deck.core_properties
    props.title = deck_title(content)
    props.subject = facts.get("Filters", "")
    props.author = _("Savings groups network dashboard")
    props.comments = facts.get("Link", "")
    buffer = io.BytesIO()
    deck.save(buffer)
    return buffer.getvalue()


def _caption(content: PageContent, facts: Mapping[str, str], as_of: date | None) -> str:
    """The KPI slide's footer: the filters, date and source (as under every chart)."""
    for figure in content.figures.values():
        meta = figure.layout.meta if isinstance(figure.layout.meta, dict) else {}
        if meta.get("caption"):
            return str(meta["caption"])
    return _("{filters}. {source}, as of {date}.").format(
        filters=facts.get("Filters", ""), source=facts.get("Source", ""), date=nice_date(as_of)
    )
