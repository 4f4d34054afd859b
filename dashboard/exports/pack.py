"""A board pack: charts from several pages and views in one file (PowerPoint, Excel, PDF),
each built on the server from the pack's link alone.

The link holds ids and filters only, never data:

    /pack?title=Board%20June&lang=da&kpis=1
         &item=ef-trend:%3Forganisation%3DAlpha%2520Aid:Our%20costs
         &item=ov-trend:%3Fcountry%3DUGA

Each `item` is `<chart id>:<the chart's query string, url-encoded>[:<an edited title,
url-encoded>]`, in the pack's order; the separators are the raw colons (whatever the parts
hold is percent-encoded, their colons too). `title`, `lang` and `kpis=1` (a slide of the
first page's KPI tiles with the network's values) are the pack's own. Everything in a link
is taken as hostile (`parse`): an unknown chart, a malformed item, items beyond MAX_ITEMS,
a title beyond MAX_TITLE characters and control characters are left out, each with a notice
in words; an item's query string is read by the pages' own parser (core/urlstate.py), which
drops what it does not know. Nothing read from a link is markup: the files hold it as text.

Each chart is drawn as its page draws it for the item's query string, for the viewer of the
request (`resolve`): a guest opening a member's pack sees what a guest may, as on the pages.
The files are heavy jobs (dashboard/exports/heavy.py), as a page's deck is.

The web layer passes the pages (server.PAGES): the exports layer does not import them.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from types import ModuleType
from typing import Any
from urllib.parse import quote, unquote, unquote_plus

import plotly.graph_objects as go

from dashboard.access.viewer import current_viewer
from dashboard.analytics.summaries import finding
from dashboard.core import i18n
from dashboard.core.i18n import N_, _
from dashboard.core.indicators import lookup
from dashboard.core.spreadsheet import book_bytes
from dashboard.core.urlstate import parse_search
from dashboard.exports import deck, framing, heavy, renderer, tables, templating
from dashboard.exports.report import pdf
from dashboard.views.figures.common import not_drawn
from dashboard.views.page_model import Chart, PageContent
from dashboard.views.view import (
    SOURCE,
    View,
    describe,
    exchange_rate,
    network_values,
    nice_date,
    read_view,
)

PATH = "/pack"
MAX_ITEMS = 12  # charts in a pack: a board deck, and a bound on the work a link asks
MAX_TITLE = 200  # characters of a title (the pack's, a slide's)
MAX_QUERY = 2000  # characters of an item's query string (the pages' links are far shorter)
MAX_FIELDS = 100  # parameters in a pack's link
CHART_ID = re.compile(r"[A-Za-z0-9_-]{1,80}")
CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\u200b-\u200f\u202a-\u202e\u2066-\u2069]")
# the pages that are no chart's home (the presentation draws other pages' charts)
NOT_HOMES = ("/present",)

BOARD_PACK = N_("Board pack")


# --- The link ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Item:
    """A chart of a pack: its id, the query string of its view ('' or '?...', as the
    pages write it) and the slide's title as edited ('' for the finding)."""

    chart: str
    search: str = ""
    title: str = ""


@dataclass(frozen=True)
class Pack:
    """A pack as its link says: its items in order, its title, language and whether it
    has the KPI slide; `notices` say in words what of the link was left out."""

    items: tuple[Item, ...] = ()
    title: str = ""
    lang: str | None = None
    kpis: bool = False
    notices: tuple[str, ...] = ()

    def search(self) -> str:
        """The pack's link (its query string, '' or '?...'): what `parse` reads."""
        return link(self)


def clean_title(text: str, notices: list[str], what: str) -> str:
    """A title from a link as text: control characters out, at most MAX_TITLE characters,
    spaces trimmed; a notice for what was changed (`what` names the title)."""
    cleaned = CONTROL.sub(" ", text)
    if cleaned != text:
        notices.append(_("Removed control characters from {what}.").format(what=what))
    cleaned = " ".join(cleaned.split())
    if len(cleaned) > MAX_TITLE:
        notices.append(_("Shortened {what} to {n} characters.").format(what=what, n=MAX_TITLE))
        cleaned = cleaned[:MAX_TITLE].rstrip()
    return cleaned


def parse(search: str | None, known: Mapping[str, Any] | Sequence[str]) -> Pack:
    """A pack from its link (a query string); `known` holds the chart ids a pack may name
    (`index`). Never fails: what cannot be used is left out with a notice."""
    text = (search or "").lstrip("?")
    notices: list[str] = []
    pairs = [p for p in text.split("&") if p]
    if len(pairs) > MAX_FIELDS:
        notices.append(_("Read the first {n} parameters of the link only.").format(n=MAX_FIELDS))
        pairs = pairs[:MAX_FIELDS]
    items: list[Item] = []
    title, lang, kpis = "", None, False
    seen = 0
    for pair in pairs:
        raw_name, _sep, raw = pair.partition("=")
        name = unquote_plus(raw_name)
        if name == "item":
            seen += 1  # (items are numbered as the link has them)
            item = _item(raw, seen, known, notices)
            if item is None:
                continue
            if len(items) >= MAX_ITEMS:
                notices.append(
                    _("A pack holds at most {n} charts: left out {chart}.").format(
                        n=MAX_ITEMS, chart=item.chart
                    )
                )
                continue
            items.append(item)
        elif name == "title":
            title = clean_title(unquote_plus(raw), notices, _("the pack's title"))
        elif name == "lang":
            lang = i18n.normal(unquote_plus(raw))
            if lang is None:
                notices.append(
                    _("Ignored lang={value}: expected one of {allowed}.").format(
                        value=repr(_short(unquote_plus(raw))), allowed=", ".join(i18n.LANGUAGES)
                    )
                )
        elif name == "kpis":
            kpis = unquote_plus(raw) == "1"
            if unquote_plus(raw) not in ("0", "1"):
                notices.append(
                    _("Ignored kpis={value}: expected 1 or 0.").format(
                        value=repr(_short(unquote_plus(raw)))
                    )
                )
        else:
            notices.append(
                _("Ignored the unknown parameter {name}.").format(name=repr(_short(name)))
            )
    return Pack(tuple(items), title, lang, kpis, tuple(notices))


def _short(text: str, n: int = 40) -> str:
    """A value of a link as a notice quotes it: without control characters, at most n."""
    text = CONTROL.sub("", text)
    return text if len(text) <= n else text[: n - 1] + "…"


def _item(raw: str, number: int, known: Any, notices: list[str]) -> Item | None:
    """An item from its raw (still encoded) value, or None with a notice."""
    parts = raw.split(":")
    if len(parts) == 1:  # the colons encoded once more (a mail client's): one level less
        parts = unquote(raw).split(":")
    if not 1 <= len(parts) <= 3:
        notices.append(_("Left out item {n}: not a chart and its view.").format(n=number))
        return None
    chart = unquote_plus(parts[0])
    if not CHART_ID.fullmatch(chart):
        notices.append(_("Left out item {n}: not a chart and its view.").format(n=number))
        return None
    if chart not in known:
        notices.append(
            _("Left out item {n}: there is no chart {chart}.").format(n=number, chart=repr(chart))
        )
        return None
    query = unquote(parts[1]) if len(parts) > 1 else ""
    if len(query) > MAX_QUERY or CONTROL.search(query):
        notices.append(
            _("Left out item {n}: its view is not a link of the dashboard.").format(n=number)
        )
        return None
    state = parse_search(query)  # the pages' own reading: what it does not know, dropped
    for said in state.notices:
        notices.append(_("Item {n}: {notice}").format(n=number, notice=said))
    search = replace(state, lang=None).search()  # (the pack's language is the pack's)
    title = ""
    if len(parts) > 2:
        what = _("the title of item {n}").format(n=number)
        title = clean_title(unquote(parts[2]), notices, what)
    return Item(chart, search, title)


def link(pack: Pack) -> str:
    """A pack's query string ('' or '?...'), as `parse` reads it: its title, language and
    KPI slide, then its items in order."""
    pairs = []
    if pack.title:
        pairs.append("title=" + quote(pack.title, safe=""))
    if pack.lang:
        pairs.append("lang=" + quote(pack.lang, safe=""))
    if pack.kpis:
        pairs.append("kpis=1")
    for item in pack.items:
        value = quote(item.chart, safe="") + ":" + quote(item.search, safe="")
        if item.title:
            value += ":" + quote(item.title, safe="")
        pairs.append("item=" + value)
    return "?" + "&".join(pairs) if pairs else ""


# --- The charts -------------------------------------------------------------------------------


def index(modules: Sequence[ModuleType]) -> dict[str, ModuleType]:
    """Each chart id and the page that draws it (from the pages' declarations:
    deck.charts_of); a chart that several pages declare is its first page's, never the
    presentation's."""
    out: dict[str, ModuleType] = {}
    for module in modules:
        if getattr(module, "PATH", None) in NOT_HOMES:
            continue
        for chart in deck.chart_ids(module):
            out.setdefault(chart, module)
    return out


@dataclass
class Resolved:
    """An item drawn: its page, its chart as the page draws it for the item's view and the
    viewer, the slide's title (the edited one, else the finding in words, else the chart's
    own) and the view it was drawn for."""

    item: Item
    page: ModuleType
    chart: Chart
    title: str
    view: View
    content: PageContent = field(repr=False, default_factory=lambda: PageContent(""))

    @property
    def figure(self) -> go.Figure:
        return self.chart.figure

    @property
    def meta(self) -> dict[str, Any]:
        meta = self.figure.layout.meta
        return meta if isinstance(meta, dict) else {}


def resolve(pack: Pack, modules: Sequence[ModuleType]) -> list[Resolved]:
    """Each item of the pack drawn as its page draws it for the item's query string and the
    current viewer (a page built once for items of the same view)."""
    pages = index(modules)
    built: dict[tuple[str, str], PageContent] = {}
    out = []
    for item in pack.items:
        module = pages.get(item.chart)
        if module is None:  # (parse leaves such items out; a link made by hand)
            continue
        key = (module.PATH, item.search)
        if key not in built:
            built[key] = deck.page_content(module, item.search)
        content = built[key]
        chart = content.charts.get(item.chart)
        if chart is None:  # not drawn for this view: its card says so
            spec = deck.charts_of(module)
            chart = (
                spec.chart(item.chart).blank(not_drawn())
                if spec
                else Chart(not_drawn(), "", "", "")
            )
        view = read_view(item.search)
        title = item.title or finding_title(chart)
        out.append(Resolved(item, module, chart, title, view, content))
    return out


def finding_title(chart: Chart) -> str:
    """The chart's finding in words (dashboard.analytics.summaries.finding), its subject
    the chart's one indicator (else its title); the chart's title where it has none."""
    subject = chart.title
    if len(chart.indicators) == 1:
        with contextlib.suppress(KeyError):
            subject = lookup(chart.indicators[0]).label
    try:
        said = finding(chart.figure, subject)
    except Exception:  # (a chart's words never stop a file: its title is said instead)
        said = ""
    return said or chart.title or _("Chart")


# --- The files --------------------------------------------------------------------------------


@contextlib.contextmanager
def _job(pack: Pack) -> Iterator[None]:
    """A file of the pack: a heavy job (dashboard/exports/heavy.py) in the pack's language."""
    with heavy.job(), i18n.using(pack.lang):
        yield


def pack_title(pack: Pack) -> str:
    return pack.title or _(BOARD_PACK)


def organisation() -> str:
    """Whose pack it is: the viewer's organisation, else the network's."""
    viewer = current_viewer()
    return viewer.organisation or _("Savings groups network")


def _filters(view: View) -> str:
    return describe(view.filters, view.facts)


def _as_of(items: Sequence[Resolved]) -> date | None:
    dates = [r.view.as_of for r in items if r.view.as_of is not None]
    return max(dates) if dates else None


def _indicators(items: Sequence[Resolved]) -> list[str]:
    return list(dict.fromkeys(i for r in items for i in r.meta.get("indicators") or ()))


def pptx_bytes(pack: Pack, modules: Sequence[ModuleType], made: date | None = None) -> bytes:
    """The pack as a PowerPoint deck: a title slide (the pack's title, the date, the
    viewer's organisation and the source), a slide per item (its title, the chart's own
    title under it, the chart at slide size, its caption; in its notes its view's filters
    and its indicators' definitions), with `kpis` the first page's KPI tiles with the
    network's values, and a closing slide of definitions and the data's date."""
    with _job(pack):
        made = made or date.today()
        items = resolve(pack, modules)
        as_of = _as_of(items)
        presentation = deck.presentation()
        first = deck.blank_slide(presentation)
        deck.slide_title(first, pack_title(pack), 2.2, 40)
        lines = [
            organisation(),
            _("Made on {date} · data as of {as_of}").format(
                date=nice_date(made), as_of=nice_date(as_of)
            ),
            _(SOURCE),
        ]
        deck.text_box(first, (0.5, 3.2, 12.33, 2.6), lines, 20, deck.MUTED)
        deck.slide_notes(first, [pack_title(pack) + ".", *lines])
        if pack.kpis:
            _kpi_slide(presentation, items)
        for resolved in items:
            meta = resolved.meta
            currency = resolved.view.code
            rate = exchange_rate(resolved.view)
            under = " · ".join(w for w in (meta.get("title"), meta.get("subtitle")) if w)
            ids = meta.get("indicators") or ()
            deck.chart_slide(
                presentation,
                resolved.figure,
                resolved.title,
                under,
                [
                    under,
                    _("Filters: {filters}").format(filters=_filters(resolved.view)) + ".",
                    meta.get("caption", ""),
                    _("Definitions:") if ids else "",
                    *deck.definitions(ids, currency),
                    rate,
                ],
            )
        closing = deck.blank_slide(presentation)
        deck.slide_title(closing, _("Definitions"))
        currency = items[0].view.code if items else "USD"
        said = deck.definitions(_indicators(items), currency)
        said.append(
            _("Data as of {date}. {source}.").format(
                date=nice_date(as_of), source=_(SOURCE).rstrip(".")
            )
        )
        deck.text_box(closing, (0.5, 1.3, 12.33, 5.8), said, 14 if len(said) < 8 else 11)
        deck.slide_notes(closing, said)
        return deck.saved(presentation, pack_title(pack), organisation(), link(pack))


def _kpi_slide(presentation: Any, items: Sequence[Resolved]) -> None:
    """The KPI tiles of the first item's page that has them, for its view, beside the
    network's values."""
    for resolved in items:
        content = resolved.content
        if not content.kpis:
            continue
        ids = [k.indicator for k in content.kpis]
        network = network_values(resolved.view, ids)
        caption = _("{filters}. {source}, as of {date}.").format(
            filters=_filters(resolved.view),
            source=_(SOURCE),
            date=nice_date(resolved.view.as_of),
        )
        deck.kpi_slide(
            presentation,
            content,
            network,
            caption,
            resolved.view.code,
            exchange_rate(resolved.view),
        )
        return


def xlsx_bytes(pack: Pack, modules: Sequence[ModuleType]) -> bytes:
    """The pack as an Excel workbook: a sheet per item (as the chart's own workbook: the
    numbers drawn under its title, subtitle and caption), in order, then the Filters sheet
    (each item's view and the pack's link) and the Definitions sheet."""
    from openpyxl import Workbook

    with _job(pack):
        items = resolve(pack, modules)
        book = Workbook()
        book.remove(book.active)
        used: set[str] = set()
        for resolved in items:
            plain = resolved.figure.to_plotly_json()
            tables.chart_sheet(book, plain, resolved.view.code, used, resolved.title)
        views = [
            _("{n}. {chart}: {filters}").format(
                n=n, chart=r.meta.get("title") or r.item.chart, filters=_filters(r.view)
            )
            for n, r in enumerate(items, start=1)
        ]
        about = [
            ("Filters", "\n".join(views)),
            ("As of", (_as_of(items) or "") and str(_as_of(items))),
            ("Currency", items[0].view.code if items else "USD"),
            ("Link", PATH + link(pack)),
            ("Source", _("Pooled savings-group data of the network")),
        ]
        tables.add_about_sheets(book, about)
        return book_bytes(book)


# One chart per A4 landscape page: laid out at about the width it is printed (271 mm of
# text, ~1,020 px), its type printed at about 10 pt.
PDF_CHART = renderer.ImageSize(1100, 560, 1.0, 0, 14)


def render_svg(figure: go.Figure) -> str:
    """A chart as inline SVG (Kaleido), sized for an A4 landscape page."""
    data = framing.image(figure, "svg", PDF_CHART, words=False)
    text = data.decode("utf-8")
    return text[text.find("<svg") :]


def html_document(pack: Pack, modules: Sequence[ModuleType], made: date | None = None) -> str:
    """The pack as one self-contained HTML document (dashboard/templates/pack.html): a page
    per item, its title, the chart's own title, the chart as inline SVG, its caption."""
    from dashboard.exports.report.document import DOCUMENT_POLICY

    made = made or date.today()
    items = resolve(pack, modules)
    as_of = _as_of(items)
    pages = [
        {
            "title": r.title,
            "under": " · ".join(w for w in (r.meta.get("title"), r.meta.get("subtitle")) if w),
            "svg": render_svg(r.figure),
            "caption": r.meta.get("caption", ""),
            "filters": _("Filters: {filters}").format(filters=_filters(r.view)),
        }
        for r in items
    ]
    return templating.render(
        "pack.html",
        lang=i18n.current(),
        policy=DOCUMENT_POLICY,
        title=pack_title(pack),
        organisation=organisation(),
        made=_("Made on {date} · data as of {as_of}").format(
            date=nice_date(made), as_of=nice_date(as_of)
        ),
        source=_(SOURCE),
        pages=pages,
        nothing=_("This pack holds no chart."),
        fonts=renderer.font_faces(),
    )


def pdf_bytes(pack: Pack, modules: Sequence[ModuleType], made: date | None = None) -> bytes:
    """The pack as a PDF: a chart per A4 landscape page (html_document, printed by the
    offline Chromium as the report is)."""
    with _job(pack):
        return pdf.pdf_bytes(html_document(pack, modules, made))


def file_name(pack: Pack, extension: str) -> str:
    """The file's name: the pack's title (or "board pack") and the date."""
    from dashboard.core import naming

    return naming.file_name(pack_title(pack), [], date.today(), extension)
