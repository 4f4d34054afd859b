"""Charts as files: PNG for slides (1920x1080) and print (300 dpi), SVG for designers, and
the numbers drawn as CSV.

Images are rendered on the server with Kaleido and the system Chromium: one persistent
renderer per process, started lazily after a gunicorn fork, used under a lock (Kaleido 1.x
is not safe under concurrent calls). Nothing is fetched from the network: plotly.js comes
from the plotly package, MathJax is off, the map geometry comes from assets/, and the
renderer's Chromium has no network at all (dashboard.chromium). Every figure drawn here was
built on the server for a link; none comes from a browser.
"""

from __future__ import annotations

import base64
import functools
import io
import logging
import os
import re
import struct
import tempfile
import textwrap
import threading
import unicodedata
import zlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from dashboard import chromium, heavy, theme
from dashboard.config import FILES_ROOT
from dashboard.figures import END_LABEL, VALUE_LABEL, apart, not_drawn, values_clear_of_lines
from dashboard.i18n import N_, _
from dashboard.spreadsheet import book_bytes, csv_head, csv_safe

TOPOJSON_DIR = FILES_ROOT / "assets" / "topojson"
_lock = threading.Lock()
_renderer: dict[str, int | None] = {"pid": None}


@dataclass(frozen=True)
class ImageSize:
    """A file's pixel size: layout width x height at a scale."""

    width: int
    height: int
    scale: float
    title_size: int
    font_size: int
    dpi: int | None = None  # recorded in a PNG, for print


# 16:9 slide at 1920x1080; print: 7 x 3.94 inches at 300 dpi (2100 x 1181 pixels).
SIZES: dict[str, ImageSize] = {
    "slide": ImageSize(1920, 1080, 1.0, 40, 22),
    "print": ImageSize(1050, 590, 2.0, 22, 12, dpi=300),
    "svg": ImageSize(1280, 720, 1.0, 28, 15),
}


FONT_DIR = FILES_ROOT / "assets" / "fonts"
# Chromium takes system fonts in TrueType only: assets/fonts holds Source Sans 3 as TTF
# (for images and PDFs) beside the WOFF2 that the pages load.
_FONTS_CONF = """<?xml version="1.0"?>
<!DOCTYPE fontconfig SYSTEM "urn:fontconfig:fonts.dtd">
<fontconfig>
  <include ignore_missing="yes">/etc/fonts/fonts.conf</include>
  <dir>{fonts}</dir>
  <cachedir>{cache}</cachedir>
  <selectfont><rejectfont><glob>{fonts}/*.woff2</glob></rejectfont></selectfont>
</fontconfig>
"""


def font_environment() -> dict[str, str]:
    """Environment for a Chromium that renders files: fontconfig finds the app's own font
    (Source Sans 3, in assets/) as if it were installed, so images match the screen."""
    folder = Path(tempfile.gettempdir()) / f"vsla-fontconfig-{os.getuid()}"
    folder.mkdir(exist_ok=True)
    conf = folder / "fonts.conf"
    text = _FONTS_CONF.format(fonts=FONT_DIR, cache=folder / "cache")
    if not conf.exists() or conf.read_text() != text:
        conf.write_text(text)
    return {"FONTCONFIG_FILE": str(conf)}


def _renderer_alive() -> bool:
    from kaleido import _global_server  # the sync server's singleton

    thread = getattr(_global_server, "_thread", None)
    return bool(_global_server.is_running() and thread is not None and thread.is_alive())


def _ensure_renderer() -> None:
    """Start this process's Kaleido renderer (once per process, so after a fork too, and
    again if its thread has died: a call to a dead one would wait for ever)."""
    import kaleido

    if _renderer["pid"] == os.getpid() and _renderer_alive():
        return
    kaleido.stop_sync_server(silence_warnings=True)
    os.environ.setdefault("BROWSER_PATH", chromium.path())
    os.environ.update(font_environment())  # inherited by the renderer's Chromium
    kaleido.start_sync_server(
        mathjax=False,
        timeout=60,
        silence_warnings=True,
        browser_cls=chromium.offline_browser_class(),  # no network at all (chromium.py)
    )
    _renderer["pid"] = os.getpid()


def shutdown(wait: float = 5.0) -> None:
    """Stop this process's renderer (tests; a worker's exit does it too). A render still
    running after `wait` seconds is left to its watchdog and its renderer forgotten."""
    import kaleido

    if not _lock.acquire(timeout=wait):
        _abandon_renderer()
        return
    try:
        if _renderer["pid"] == os.getpid():
            kaleido.stop_sync_server(silence_warnings=True)
        _renderer["pid"] = None
    finally:
        _lock.release()


# --- Links in files ------------------------------------------------------------------------

BASE_URL_ENV = "VSLA_BASE_URL"
TRUSTED_HOSTS_ENV = "VSLA_TRUSTED_HOSTS"


def site_url() -> str:
    """The site's address for the links that files carry (a deck's title slide, a report's
    line "dashboard view: ..."): $VSLA_BASE_URL (e.g. https://vsla.example.org); without it,
    the request's own scheme and host only when the host is one of $VSLA_TRUSTED_HOSTS
    (comma-separated names, with a port if the address has one); else "" (the links are
    paths on the site). The Host header as a client sent it never reaches a file."""
    base = os.environ.get(BASE_URL_ENV, "").strip()
    if base:
        return base.rstrip("/")
    import flask

    if not flask.has_request_context():
        return ""
    trusted = {
        h.strip().lower() for h in os.environ.get(TRUSTED_HOSTS_ENV, "").split(",") if h.strip()
    }
    host = flask.request.host.lower()
    named = host in trusted or host.rsplit(":", 1)[0] in trusted
    if named and re.fullmatch(r"[a-z0-9.-]+(:[0-9]{1,5})?", host):
        return f"{flask.request.scheme}://{host}"
    return ""


RENDER_TIMEOUT = 60.0  # seconds; a renderer that takes longer is abandoned and replaced


class RenderError(RuntimeError):
    """The image could not be made (the message says so in plain words)."""


def render(fig: go.Figure, fmt: str, size: ImageSize) -> bytes:
    """PNG or SVG bytes of a figure, rendered by the process's one Kaleido renderer.

    The call waits at most RENDER_TIMEOUT: a renderer stuck on a dead browser would
    otherwise hold the worker for ever; it is then dropped and the next call starts anew."""
    import kaleido

    opts = {"format": fmt, "width": size.width, "height": size.height, "scale": size.scale}
    topojson = TOPOJSON_DIR.as_uri() + "/"
    failed = _("The image could not be made just now; please try again.")
    # (within a heavy job, each wait ends with the job's budget: dashboard/heavy.py)
    if not _lock.acquire(timeout=max(heavy.time_left(RENDER_TIMEOUT), 0.001)):
        logging.getLogger(__name__).warning("Render not started: the renderer stayed busy")
        raise RenderError(failed)
    try:
        result: dict[str, Any] = {}
        # A renderer that failed (its browser gone, a start that went wrong on a busy
        # machine) is replaced and the figure tried once more; one stuck past the timeout
        # is not (a figure that hangs would hang again).
        for attempt in (1, 2):
            if heavy.time_left(RENDER_TIMEOUT) <= 0:
                raise RenderError(failed)
            _ensure_renderer()
            result = {}

            def run(out: dict[str, Any] = result) -> None:
                try:
                    out["data"] = kaleido.calc_fig_sync(fig, opts=opts, topojson=topojson)
                except Exception as exc:  # reported to the caller below
                    out["error"] = exc

            worker = threading.Thread(target=run, daemon=True)
            worker.start()
            worker.join(max(heavy.time_left(RENDER_TIMEOUT), 0.001))
            if not worker.is_alive() and "error" not in result:
                break
            _abandon_renderer()
            logging.getLogger(__name__).warning(
                "Render failed (attempt %d): %s",
                attempt,
                "timed out" if worker.is_alive() else repr(result.get("error")),
            )
            if worker.is_alive() or attempt == 2:
                raise RenderError(failed) from result.get("error")
    finally:
        _lock.release()
    data = bytes(result["data"])
    return with_dpi(data, size.dpi) if fmt == "png" and size.dpi else data


def image(fig: go.Figure, fmt: str, size: ImageSize, words: bool = True) -> bytes:
    """A chart's image file: the figure framed (with its title, subtitle and caption when
    `words`) and rendered. A figure that cannot be framed or drawn (a pool's absurd figures:
    the reason is logged) gives the image of its message that it could not be drawn, under
    the same words, so that a file or a slide says so; RenderError only when the renderer
    cannot draw even that (it is not working)."""
    try:
        return render(framed(fig, size, words), fmt, size)
    except Exception:
        if heavy.time_left(1.0) <= 0:
            raise  # the job's time is up: no time for the message either
        logging.getLogger(__name__).exception("A chart's image could not be made: it says so")
    message = not_drawn()
    message.update_layout(meta=fig.layout.meta)
    return render(framed(message, size, words), fmt, size)


SVG_FONTS = {
    400: "source-sans-3-latin-400-normal.woff2",
    700: "source-sans-3-latin-700-normal.woff2",
}


@functools.cache
def font_faces() -> str:
    """CSS @font-face rules carrying Source Sans 3 itself (data URIs): a document or an
    SVG with them shows the app's type on a machine that does not have it installed."""
    faces = []
    for weight, name in SVG_FONTS.items():
        data = base64.b64encode((FONT_DIR / name).read_bytes()).decode("ascii")
        faces.append(
            '@font-face { font-family: "Source Sans 3"; font-style: normal; '
            f"font-weight: {weight}; src: url(data:font/woff2;base64,{data}) format('woff2'); }}"
        )
    return "\n".join(faces)


def svg_with_font(svg: bytes) -> bytes:
    """The SVG with its font inside, so that it looks the same in any browser or editor."""
    text = svg.decode("utf-8")
    start = text.find("<svg")
    end = text.find(">", start) + 1
    if start < 0 or end <= 0:
        return svg
    style = f"<defs><style>{font_faces()}</style></defs>"
    return (text[:end] + style + text[end:]).encode("utf-8")


def with_dpi(png: bytes, dpi: int) -> bytes:
    """The PNG with its resolution recorded (a pHYs chunk), so that word processors and
    layout programs place a print image at its intended size (2100 px at 300 dpi = 7 in)."""
    if png[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError("not a PNG")
    per_metre = round(dpi / 0.0254)
    body = b"pHYs" + struct.pack(">IIB", per_metre, per_metre, 1)
    chunk = struct.pack(">I", 9) + body + struct.pack(">I", zlib.crc32(body))
    header_end = 8 + 8 + 13 + 4  # signature, IHDR length+type, IHDR data, CRC
    rest = png[header_end:]
    # Drop any pHYs already there (it must appear once, before the image data).
    at = rest.find(b"pHYs")
    if 0 <= at < rest.find(b"IDAT"):
        length = struct.unpack(">I", rest[at - 4 : at])[0]
        rest = rest[: at - 4] + rest[at + 4 + length + 4 :]
    return png[:header_end] + chunk + rest


def _abandon_renderer() -> None:
    """Forget a renderer that no longer answers (its daemon thread dies with the process)."""
    import kaleido
    from kaleido import _sync_server

    _sync_server.GlobalKaleidoServer._instance = None
    kaleido._global_server = _sync_server.GlobalKaleidoServer()
    _renderer["pid"] = None


LINE = 1.3  # plotly's line height, in ems of the font
BOX = 1.45  # the height of a line of text as the browser boxes it, in ems
CHAR_EM = 0.52  # a character of Source Sans 3 on average, in ems (a little more than most)
NAME_CHARS = 30  # a line of a bar's name in a file: a long name is wrapped, never cut


def _lines(text: Any) -> int:
    return str(text or "").count("<br>") + 1


def _longest(text: Any) -> int:
    """The characters of a text's longest line (its markup left out)."""
    plain = re.sub(r"<(?!br)[^>]+>", "", str(text or ""))
    return max((len(line) for line in re.split(r"<br\s*/?>", plain)), default=0)


def _chars(width: float, font: float) -> int:
    """How many characters of a font size fit in a width (px)."""
    return max(int(width / (font * CHAR_EM)), 12)


def _axis_name(ref: Any, letter: str) -> str:
    """A trace's axis reference ("x2") as the layout names it ("xaxis2")."""
    return f"{letter}axis{str(ref or letter)[1:]}"


def _cartesian(fig: go.Figure) -> list[Any]:
    return [t for t in fig.data if hasattr(t, "xaxis") and hasattr(t, "yaxis")]


def _legend_rows(fig: go.Figure, width: float, font: float) -> int:
    """How many rows a horizontal legend of the figure takes in `width` px."""
    items = [str(t.name or "") for t in fig.data if t.showlegend is not False]
    rows, used = 1, 0.0
    for name in items:
        need = font * 2.6 + _longest(name) * font * CHAR_EM
        if used and used + need > width:
            rows, used = rows + 1, 0.0
        used += need
    return rows


def _above(fig: go.Figure) -> list[Any]:
    """The annotations written above the plot's top edge (the titles of panels)."""
    return [
        a
        for a in fig.layout.annotations
        if str(a.yref or "") == "paper"
        and a.y is not None
        and float(a.y) >= 0.999
        and a.yanchor == "bottom"
    ]


def _bottom_axes(fig: go.Figure, size: ImageSize, tick: int) -> float:
    """The height below the plot that the x axes' tick labels and titles take (px)."""
    used = {_axis_name(t.xaxis, "x") for t in _cartesian(fig)}
    ticks = titled = False
    for name in used:
        axis = fig.layout[name]
        if axis.visible is False or axis.side == "top":
            continue
        ticks = ticks or axis.showticklabels is not False
        titled = titled or bool(axis.title.text)
    height = tick * BOX + 12 if ticks else 0.0
    return height + (size.font_size * BOX + 12 if titled else 0.0)


def _colour_key(fig: go.Figure, font: int, tick: int) -> float:
    """The height of a key of colours laid across under the plot (a map's), at the file's
    type sizes (set here), or 0."""
    height = 0.0
    for t in fig.data:
        bar = getattr(t, "colorbar", None)
        if bar is None or bar.orientation != "h" or getattr(t, "showscale", None) is False:
            continue
        bar.tickfont.size = tick
        bar.title.font.size = font
        height = max(
            height,
            (font * BOX if bar.title.text else 0.0)
            + (bar.thickness or 30)
            + tick * BOX
            + 2 * (bar.ypad if bar.ypad is not None else 10)
            + 6,
        )
    return height


def framed(fig: go.Figure | Mapping[str, Any], size: ImageSize, words: bool = True) -> go.Figure:
    """The figure with its title, subtitle and caption inside it (from layout.meta, which
    the chart cards fill), at font sizes that read well in the file's medium. Without
    `words`, the chart alone (a slide carries its title and caption as text).

    Every part has a band of its own, from the top: the title and subtitle (wrapped), a
    key above the plot, the titles of panels, the plot; below it the x axis' labels and
    title, then the caption (wrapped). The bands are measured from the file's type sizes
    and the lines of each text (tests/chart_layout.py lays the files out in a browser and
    finds no text on another)."""
    out = go.Figure(fig)
    meta = out.layout.meta if isinstance(out.layout.meta, dict) else {}
    font = size.font_size
    tick, note, sub = int(font * 0.85), int(font * 0.8), int(font * 1.05)
    title = meta.get("title", "")
    subtitle = wrap(meta.get("subtitle", ""), width=_chars(size.width * 0.94, sub))
    right = max(int((out.layout.margin.r or 20) * font / 13), font * 2)  # (end labels)
    left = font * 4
    # a file is as wide as a slide: a ranked bar's name is written whole, on lines
    _whole_names(out)
    names = max(
        (
            _longest(n) * tick * CHAR_EM
            for t in _cartesian(out)
            if t.orientation == "h" and t.y is not None
            for n in t.y
            if isinstance(n, str)
        ),
        default=0.0,
    )
    # where the plot starts (the caption too): the names make room for themselves
    plot_left = max(left, names + 12)
    caption = wrap(
        meta.get("caption", ""), width=_chars(size.width - plot_left - right - font, note)
    )
    # the top: title and subtitle, a key above the plot, the titles of panels
    if words:
        top = size.title_size * 3.45
        top += (_lines(subtitle) - 1) * sub * LINE if subtitle else -sub * BOX
    else:
        top = font * 0.6
    legend = out.layout.legend
    keyed = bool(out.layout.showlegend) and (legend.y is None or legend.y >= 1)
    if keyed:
        rows = _legend_rows(out, size.width - plot_left - right, tick)
        out.update_layout(
            legend={
                "font": {"size": tick},
                "yref": "container",
                "y": 1 - (top + font * 0.3) / size.height,
                "yanchor": "top",
            }
        )
        top += font * 0.3 + rows * tick * LINE + 8
    panels = _above(out)
    if panels:
        top += max(_lines(a.text) * max(a.font.size or 0, tick) * LINE for a in panels) + 6
    top += font * 0.5
    # the bottom: the x axis' labels and title, then the caption
    bottom = max(_bottom_axes(out, size, tick), _colour_key(out, font, tick))
    pad = font // 2
    if words:
        bottom += _lines(caption) * note * BOX + pad + font * 0.3
    else:
        bottom += pad
    out.update_layout(
        template=theme.TEMPLATE_NAME,
        font={"size": font},
        margin={"t": int(top), "b": int(bottom), "l": left, "r": right},
        paper_bgcolor="white",
    )
    if words:
        out.update_layout(
            title={
                "text": f"<b>{title}</b>",
                "subtitle": {
                    "text": subtitle,
                    "font": {"size": sub, "color": theme.MUTED},
                },
                "font": {"size": size.title_size},
                "x": 0.02,
                "xanchor": "left",
                "y": 0.97,
                "yanchor": "top",
            }
        )
    else:
        out.update_layout(title={"text": ""})
    plot_height = size.height - int(top) - int(bottom)
    shown = _every_bar_named(out, plot_height, tick)
    if shown:
        out.add_annotation(
            text=shown,
            x=1,
            y=0,
            xref="paper",
            yref="paper",  # (bottom right: beside the lowest, shortest bars)
            showarrow=False,
            xanchor="right",
            yanchor="bottom",
            font={"size": note, "color": theme.MUTED},
        )
    out.update_xaxes(tickfont_size=tick, title_font_size=font)
    out.update_yaxes(tickfont_size=tick, title_font_size=font)
    _names_fit(out, plot_height, tick)
    out.update_traces(textfont_size=tick, selector={"type": "bar"})
    _values_clear(out, size.width - plot_left - right, tick)
    for annotation in out.layout.annotations:
        annotation.font.size = max(annotation.font.size or 0, tick)
    _end_labels_apart(out, plot_height, right)
    if words:
        out.add_annotation(
            text=caption,
            x=0,
            y=0,
            xref="paper",
            yref="paper",
            yshift=-int(bottom) + pad,
            showarrow=False,
            xanchor="left",
            yanchor="bottom",
            align="left",
            font={"size": note, "color": theme.MUTED},
        )
    _date_ticks(out, size.width - plot_left - right, tick)
    return out


def _values_clear(fig: go.Figure, plot_width: float, tick: int) -> None:
    """Ranked bars' values placed clear of the reference lines at the file's scale."""
    lines = [
        float(s.x0)
        for s in fig.layout.shapes
        if s.type == "line" and s.x0 is not None and s.x0 == s.x1 and str(s.xref or "x") == "x"
    ]
    axis = fig.layout.xaxis
    if lines and axis.range:
        per_px = (float(axis.range[1]) - float(axis.range[0])) / max(plot_width, 1.0)
        values_clear_of_lines(fig, lines, per_px, tick)


def _whole_names(fig: go.Figure) -> None:
    """A ranked bar's names whole (figures.ranked_bars keeps them in its meta; the axis'
    are shortened for a card), each on lines of at most NAME_CHARS; its values as written,
    each at its bar's end (placed again for the file: _values_clear); the amounts of its
    axis shown (a file is wide)."""
    kept = [a for a in fig.layout.annotations if a.name != VALUE_LABEL]
    if len(kept) != len(fig.layout.annotations):
        fig.layout.annotations = kept
    for bar in fig.data:
        if bar.type != "bar" or not ranked(bar.meta) or bar.y is None:
            continue
        whole = bar.meta.get("names") or []
        if len(whole) == len(bar.y):
            bar.update(y=[wrap(str(n), NAME_CHARS) for n in whole])
        texts = bar.meta.get("texts") or []
        if len(texts) == len(bar.y):
            bar.update(text=list(texts), textposition="outside")
        if bar.meta.get("narrow"):
            fig.update_xaxes(showticklabels=True)


def _names_fit(fig: go.Figure, plot_height: float, tick: int) -> None:
    """The names of rows (a category y axis: the indicators of a benchmark chart) at a size
    at which each row holds its name: smaller type where the rows are many."""
    rows: dict[str, list[str]] = {}
    for t in _cartesian(fig):
        if t.y is None or ranked(t.meta) or t.type not in ("scatter", "box", "bar"):
            continue
        names = [n for n in t.y if isinstance(n, str)]
        if names:
            rows.setdefault(_axis_name(t.yaxis, "y"), []).extend(names)
    for name, labels in rows.items():
        axis = fig.layout[name]
        span = (axis.domain[1] - axis.domain[0]) if axis.domain else 1.0
        count, lines = len(set(labels)), max(_lines(n) for n in labels)
        room = plot_height * span / max(count, 1)
        fits = int(room / (lines * BOX + 0.05))
        if fits < tick:
            axis.tickfont.size = max(fits, int(tick * 0.5), 6)


def _end_labels_apart(fig: go.Figure, plot_height: float, margin: int) -> None:
    """The names at the lines' ends (figures._direct_labels) set apart at the file's type
    size, and written whole on as many lines as the margin needs (up to three)."""
    ends = [a for a in fig.layout.annotations if str(a.name or "").startswith(END_LABEL + ":")]
    if not ends:
        return
    for note in ends:  # from where its line ends (a card set them apart for its own height)
        note.y = float(str(note.name).split(":", 1)[1])
    for note in ends:
        whole = note.hovertext or ""
        if whole:
            width = _chars(margin - (note.xshift or 0) - 4, note.font.size)
            text = wrap(whole, width)
            if _lines(text) <= 3:
                note.text = text
    ref = str(ends[0].yref or "y")
    low, high = _value_span(fig, ref)
    per_px = (high - low) / max(plot_height, 1.0)
    ends.sort(key=lambda a: float(a.y))
    halves = [(_lines(a.text) * a.font.size * BOX + 2) / 2 * per_px for a in ends]
    for note, y in zip(ends, apart([float(a.y) for a in ends], halves, low, high), strict=True):
        note.y = y


def _value_span(fig: go.Figure, yref: str) -> tuple[float, float]:
    """The span of values a y axis shows (its range, or its data's from zero, stacked
    bands summed, as plotly's autorange draws it, a little more)."""
    axis = fig.layout[_axis_name(yref, "y")]
    if axis.range:
        return float(axis.range[0]), float(axis.range[1])
    values: list[float] = []
    stacks: dict[str, Any] = {}
    for t in _cartesian(fig):
        if _axis_name(t.yaxis, "y") != _axis_name(yref, "y") or t.y is None:
            continue
        ys = pd.to_numeric(pd.Series(list(t.y)), errors="coerce").fillna(0.0)
        if getattr(t, "stackgroup", None):
            # plotly stacks the bands by x: series of different lengths (an organisation
            # whose groups started later) add up where their x values meet
            xs = list(t.x) if t.x is not None else list(range(len(ys)))
            n = min(len(xs), len(ys))
            band = ys.iloc[:n].groupby(pd.Index(xs[:n], dtype=object)).sum()
            key = str(t.stackgroup)
            stacks[key] = band if key not in stacks else stacks[key].add(band, fill_value=0.0)
        else:
            values.extend(ys.tolist())
    for summed in stacks.values():
        values.extend(summed.tolist())
    if not values:
        return 0.0, 1.0
    low, high = min(min(values), 0.0), max(values)
    return low, high + (high - low) * 0.06


def _date_ticks(fig: go.Figure, plot_width: float, tick: int) -> None:
    """The ticks of a date axis written in the language in force. The renderer's plotly.js
    names months in English only (a graph on the screen gets the language's names from its
    config, which the renderer does not take): outside English, a file's date axis gets
    its ticks from here, years where it spans more than three years, else months ("jan.
    2025", "janv. 2025"), no more of them than fit level across the axis' width (a panel
    of two side by side has half the plot's)."""
    from babel.dates import format_date

    from dashboard import i18n

    locale = i18n.babel_locale()
    if locale == "en":
        return
    named = [k for k in fig.layout.to_plotly_json() if k.startswith("xaxis")]
    for axis_name in dict.fromkeys(["xaxis", *named]):
        ref = "x" + axis_name[5:]
        dates = pd.to_datetime(
            pd.Series(
                [
                    v
                    for t in fig.data
                    # (a map's trace has no x)
                    if (getattr(t, "xaxis", None) or "x") == ref
                    and getattr(t, "x", None) is not None
                    for v in values(t.x)
                    if v is not None and _kind(v) == "date"
                ],
                dtype=object,
            ),
            errors="coerce",
        ).dropna()
        if dates.empty:
            continue
        start, end = dates.min(), dates.max()
        months = (end.year - start.year) * 12 + end.month - start.month
        domain = fig.layout[axis_name].domain or (0.0, 1.0)
        width = plot_width * (domain[1] - domain[0])
        most = fig.layout[axis_name].nticks or 8  # (a narrow panel asks for fewer)
        if months > 36:
            fit = min(most, max(2, int(width // (tick * (0.6 * 4 + 1.5)))))  # "2025", a gap
            step = max(1, -(-(end.year - start.year + 1) // fit))
            ticks = [pd.Timestamp(year=y, month=1, day=1) for y in range(start.year, end.year + 1)]
            ticks = [t for t in ticks if (t.year - start.year) % step == 0 and t >= start] or [
                start
            ]
            words = [str(t.year) for t in ticks]
        else:
            fit = min(most, max(2, int(width // (tick * (0.6 * 9 + 1.5)))))  # "janv. 2025"
            step = next((m for m in (1, 2, 3, 6, 12) if months / m + 1 <= min(fit, 8)), 12)
            first = pd.Timestamp(year=start.year, month=start.month, day=1)
            ticks = [
                t
                for t in pd.date_range(first, end, freq="MS")
                if (t.month - 1) % step == 0 and t >= start
            ] or [start]
            words = [format_date(t.date(), "MMM y", locale=locale) for t in ticks]
        fig.layout[axis_name].update(tickmode="array", tickvals=list(ticks), ticktext=words)


RANKED = "ranked"  # the kind of a ranked bar trace (figures.ranked_bars), in its meta


def ranked(meta: Any) -> bool:
    return isinstance(meta, dict) and meta.get("kind") == RANKED


GAP = "⋯"  # the row between the highest and the lowest bars kept in a file
TOP_AND_BOTTOM = N_("The {top} highest and {bottom} lowest of {n} shown; the CSV has all.")


def _every_bar_named(fig: go.Figure, plot_height: int, tick: int) -> str:
    """Every bar of a ranked chart named in a file: if its bars would stand too close for
    each to carry its name at the file's type size (a slide of 36 projects named every
    other one), the highest and the lowest are kept, and the sentence saying so returned."""
    bars = [t for t in fig.data if t.type == "bar" and ranked(t.meta)]
    if not bars:
        return ""
    bar = bars[0]
    names = list(bar.y)  # (whole, on lines: _whole_names)
    lines = max(_lines(n) for n in names)
    fits = max(int(plot_height / (tick * (BOX * lines + 0.6))), 4)
    n = len(names)
    if n > fits:
        bottom = max(2, fits // 5)
        top = fits - bottom
        keep = list(range(bottom)) + list(range(n - top, n))

        def pick(values: Any, gap: Any = None) -> Any:
            """The kept values, with an empty row between the lowest and the highest."""
            if values is None:
                return None
            kept = [list(values)[i] for i in keep]
            return [*kept[:bottom], gap, *kept[bottom:]]

        update: dict[str, Any] = {
            "x": pick(bar.x),
            "y": pick(bar.y, GAP),
            "text": pick(bar.text, ""),
        }
        update["customdata"] = pick(bar.customdata)
        colour = bar.marker.color
        if isinstance(colour, list | tuple):
            update["marker.color"] = pick(colour, "rgba(0,0,0,0)")
        if isinstance(bar.marker.opacity, list | tuple):
            update["marker.opacity"] = pick(bar.marker.opacity, 0.0)
        bar.update(**{k: v for k, v in update.items() if v is not None})
        names = [n for n in bar.y if n != GAP]
    fig.update_yaxes(tickmode="array", tickvals=list(bar.y), ticktext=list(bar.y))
    if n <= fits:
        return ""
    return _(TOP_AND_BOTTOM).format(top=top, bottom=bottom, n=n)


_SPACES = re.compile(r"[ \t\n\r\f\v]+")  # (not the non-breaking ones: they hold)


def wrap(text: str, width: int) -> str:
    """Break a caption into lines of at most `width` characters (plotly does not wrap),
    joined by <br>; runs of spaces, tabs and line breaks are one space. A word longer than
    the line keeps a line of its own, whole, and a word is not broken at its hyphens (a
    name, "cost-per-member"); a non-breaking space holds (a French "1 234 $", "12 %")."""
    plain = _SPACES.sub(" ", text).strip()
    # (a width below one is a word a line, as textwrap refuses it)
    lines = textwrap.wrap(plain, max(width, 1), break_long_words=False, break_on_hyphens=False)
    return "<br>".join(lines)


# Letters that do not decompose into a Latin letter and an accent (a translated title in a
# file name: "Økonomi" -> "Okonomi", "Cœur" -> "Coeur").
_ASCII = str.maketrans({"Æ": "AE", "æ": "ae", "Ø": "O", "ø": "o", "Œ": "OE", "œ": "oe", "ß": "ss"})


def slug(text: str, lower: bool = True) -> str:
    plain = unicodedata.normalize("NFKD", text.translate(_ASCII))
    plain = "".join(c for c in plain if not unicodedata.combining(c))  # "Coût" -> "Cout"
    return re.sub(r"[^A-Za-z0-9]+", "-", plain.lower() if lower else plain).strip("-")


def file_name(title: str, parts: list[str], as_of: date | None, extension: str) -> str:
    """e.g. cost-per-member-by-project_UGA_2025-09-30.png (filter values keep their case)."""
    pieces = [slug(title) or "chart", *(slug(p, lower=False) for p in parts if p)]
    if as_of:
        pieces.append(as_of.isoformat())
    return "_".join(pieces) + f".{extension}"


def values(array: Any) -> list[Any]:
    """A figure array as a list (the browser sends numbers as base64 typed arrays)."""
    if isinstance(array, dict) and "bdata" in array:
        data = np.frombuffer(base64.b64decode(array["bdata"]), dtype=np.dtype(array["dtype"]))
        if "shape" in array:
            data = data.reshape([int(n) for n in str(array["shape"]).split(",")])
        return data.tolist()
    if array is None:
        return []
    return list(array)


# The data columns of each trace kind, in the order a reader expects them.
TRACE_COLUMNS = ("x", "y", "z", "locations", "lowerfence", "q1", "median", "q3", "upperfence")


def _trace_frames(
    fig: go.Figure | Mapping[str, Any],
) -> list[tuple[pd.DataFrame, set[str], dict[str, str]]]:
    """Each trace's numbers (its name and data columns), which of its columns the chart
    shows as percentages (its axis' tick format has a %), and the Excel number format of a
    column whose kind the chart states (a ranked chart's values: money with cents, as on
    the screen)."""
    plain = fig.to_plotly_json() if isinstance(fig, go.Figure) else fig
    layout = plain.get("layout") or {}
    out = []
    for trace in plain.get("data", []):
        columns = {c: values(trace.get(c)) for c in TRACE_COLUMNS if trace.get(c) is not None}
        if not columns or all(v is None for c in columns.values() for v in c):
            continue  # (a legend's key of a reference line: its value is in the key's name)
        n = max(len(v) for v in columns.values())
        frame = pd.DataFrame({k: v + [None] * (n - len(v)) for k, v in columns.items()})
        frame.insert(0, "series", trace.get("name") or trace.get("type", ""))
        meta = trace.get("meta")
        formats: dict[str, str] = {}
        if ranked(meta) and meta.get("format") in EXCEL_FORMATS:
            formats["x"] = EXCEL_FORMATS[meta["format"]]
        if ranked(meta) and len(meta.get("names", ())) == n:
            frame["y"] = meta["names"]  # whole names, not the axis' shortened ones
            for header, column in (meta.get("columns") or {}).items():
                if len(column) == n:
                    frame[header] = column
        percent = set()
        for letter in ("x", "y"):
            ref = str(trace.get(f"{letter}axis") or letter)
            axis = layout.get(f"{letter}axis{ref[1:]}") or {}
            if "%" in str(axis.get("tickformat") or ""):
                percent.add(letter)
        if trace.get("type") == "box":  # quartiles sit on the value axis
            value_axis = "x" if trace.get("orientation") == "h" else "y"
            if value_axis in percent:
                percent |= {"q1", "median", "q3", "lowerfence", "upperfence"}
        out.append((frame, percent, formats))
    return out


BOX_NAMES = {
    "lowerfence": N_("5th percentile"),
    "q1": N_("Lower quartile"),
    "median": N_("Median"),
    "q3": N_("Upper quartile"),
    "upperfence": N_("95th percentile"),
}
# Headers of data columns named by what they hold (see column_names)
COLUMN_WORDS = {
    "series": N_("series"),
    "date": N_("date"),
    "label": N_("label"),
    "value": N_("value"),
    "location": N_("location"),
}


def _kind(sample: Any) -> str:
    """What a column holds, judged by one of its values: date, label or value."""
    if isinstance(sample, date | np.datetime64 | pd.Timestamp):
        return "date"
    if isinstance(sample, str):
        return "date" if re.fullmatch(r"\d{4}-\d{2}-\d{2}([ T].*)?", sample) else "label"
    return "value"


def _as_date(value: Any) -> Any:
    """A date cell for Excel from the ways a figure carries dates (else the value)."""
    try:
        return pd.Timestamp(value).date()
    except (ValueError, TypeError):
        return value


def column_names(fig: go.Figure | Mapping[str, Any]) -> dict[str, str]:
    """Readable headers for a figure's data columns: an axis' title where every trace
    drawing on it agrees, else what the values are (date, label or value)."""
    plain = fig.to_plotly_json() if isinstance(fig, go.Figure) else fig
    layout = plain.get("layout") or {}
    names: dict[str, str] = {
        "series": _(COLUMN_WORDS["series"]),
        **{key: _(name) for key, name in BOX_NAMES.items()},
    }
    for letter in ("x", "y"):
        titles, kinds = set(), set()
        for trace in plain.get("data", []):
            data = values(trace.get(letter))
            if not data or all(v is None for v in data):  # (none, or a legend's key)
                continue
            ref = str(trace.get(f"{letter}axis") or letter)
            axis = layout.get(f"{letter}axis{ref[1:]}") or {}
            title = axis.get("title")
            titles.add((title.get("text") if isinstance(title, dict) else title) or "")
            kinds.add(_kind(next((v for v in data if v is not None), None)))
        if len(titles) == 1 and next(iter(titles)):
            names[letter] = next(iter(titles))
        else:
            kind = next(iter(kinds)) if len(kinds) == 1 else ""
            names[letter] = _(COLUMN_WORDS[kind]) if kind in COLUMN_WORDS else letter
    names["z"] = _(COLUMN_WORDS["value"])
    names["locations"] = _(COLUMN_WORDS["location"])
    return names


def figure_table(fig: go.Figure | Mapping[str, Any], readable: bool = False) -> pd.DataFrame:
    """The numbers drawn, one row per point: the trace's name and its data columns (with
    `readable`, headed by what they are rather than plotly's names)."""
    frames = [frame for frame, _percent, _formats in _trace_frames(fig)]
    if not frames:
        return pd.DataFrame()
    table = pd.concat(frames, ignore_index=True)
    data = [c for c in TRACE_COLUMNS if c in table.columns]
    extra = [c for c in table.columns if c != "series" and c not in data]  # (details)
    table = table[["series", *data, *extra]]
    return table.rename(columns=column_names(fig)) if readable else table


def csv_bytes(fig: go.Figure | Mapping[str, Any], notes: Sequence[str] = ()) -> bytes:
    """The numbers drawn, under the chart's title, subtitle, caption and `notes` (the
    exchange rate of money shown in another currency than USD) as # lines."""
    meta = fig.layout.meta if isinstance(fig, go.Figure) else fig.get("layout", {}).get("meta")
    buffer = io.StringIO()
    words = (
        [meta.get(key) for key in ("title", "subtitle", "caption")]
        if isinstance(meta, dict)
        else []
    )
    csv_head(buffer, [*words, *notes])
    table = csv_safe(figure_table(fig, readable=True))
    table.to_csv(buffer, index=False, lineterminator="\n")
    return buffer.getvalue().encode("utf-8")


EXCEL_FORMATS = {
    "int": "#,##0",
    "pct": "0.0%",
    "usd": "#,##0.00",
    "decimal": "#,##0.0",
    "date": "yyyy-mm-dd",
}


@dataclass(frozen=True)
class Table:
    """A table as shown on a page: its words, its columns (key, header, kind: int, pct,
    usd, decimal, date, "" for text, or "*" for the row's own "kind") and its rows of raw
    values."""

    title: str
    subtitle: str
    caption: str
    columns: list[tuple[str, str, str]]
    rows: list[dict[str, Any]]
    shown: bool = False  # the screen writes the values with format.format_value


def table_csv(table: Table, notes: Sequence[str] = ()) -> bytes:
    """The table's values under its title, caption and `notes` (# lines), columns as
    headed."""
    buffer = io.StringIO()
    csv_head(buffer, [table.title, table.subtitle, table.caption, *notes])
    frame = pd.DataFrame(
        [[row.get(key) for key, _header, _kind in table.columns] for row in table.rows],
        columns=[header for _key, header, _kind in table.columns],
    )
    csv_safe(frame).to_csv(buffer, index=False, lineterminator="\n")
    return buffer.getvalue().encode("utf-8")


def table_workbook(table: Table, about: list[tuple[str, str]]) -> bytes:
    """The table as a sheet (formatted by kind; columns as wide as what they hold; header
    frozen and repeated when printed), the Filters sheet and the Definitions sheet. A table
    whose screen writes its values with format_value (`shown`) has them rounded so."""
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = _sheet_name(table.title, set())
    cells = []
    for row in table.rows:
        line = []
        for key, _header, kind in table.columns:
            value = row.get(key)
            kind = row.get("kind", "") if kind == "*" else kind  # a row of one indicator
            if kind == "date" and value:
                value = _as_date(value)
            if isinstance(value, float) and value != value:
                value = None
            if table.shown and kind in EXCEL_FORMATS and kind != "date":
                line.append(as_shown(value, kind))
            else:
                line.append((value, EXCEL_FORMATS.get(kind, "") if value is not None else ""))
        cells.append(line)
    _write_table(
        sheet,
        [table.title, table.subtitle, table.caption],
        [header for _key, header, _kind in table.columns],
        cells,
    )
    add_about_sheets(book, about)
    return book_bytes(book)


def _sheet_name(title: str, used: set[str]) -> str:
    """Excel sheet names: at most 31 characters, none of []:*?/\\, unique in the book."""
    base = re.sub(r"[\[\]:*?/\\]", " ", title).strip()[:31] or _("Chart")
    name, n = base, 2
    while name.lower() in used:
        suffix = f" ({n})"
        name, n = base[: 31 - len(suffix)] + suffix, n + 1
    used.add(name.lower())
    return name


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and value == value


def workbook_bytes(figures: list[Mapping[str, Any]], about: list[tuple[str, str]]) -> bytes:
    """An Excel workbook of charts: a sheet per chart with the numbers drawn, the network's
    and the reference lines' values among them (under its title, subtitle and caption), a
    sheet of the filters and one of every indicator's definition.

    Each chart's table reads name, value and unit, in that order (with the series, the date
    and the chart's further columns where it has them), headed in the language in force;
    each value rounded as the screen writes it (dashboard.format.format_value), so that the
    file shows what the screen shows; columns as wide as what they hold."""
    from openpyxl import Workbook

    currency = dict(about).get("Currency") or "USD"
    book = Workbook()
    book.remove(book.active)
    used: set[str] = set()
    for figure in figures:
        meta = (figure.get("layout") or {}).get("meta") or {}
        sheet = book.create_sheet(_sheet_name(meta.get("title") or _("Chart"), used))
        headers, keys, rows = chart_table(figure, currency)
        cells = [[_cell(row, key) for key in keys] for row in rows]
        _write_table(
            sheet,
            [meta.get(k, "") for k in ("title", "subtitle", "caption")],
            headers,
            cells,
        )
    add_about_sheets(book, about)
    return book_bytes(book)


@dataclass
class ChartRow:
    """A value a chart draws: what it is of (`name`), its series and date where it has them,
    the value, its format kind (int, pct, usd, decimal; "" when the chart does not say) and
    unit, and the chart's further columns ({header: value})."""

    name: str
    value: Any
    kind: str = ""
    unit: str = ""
    series: str = ""
    date: Any = None
    extra: dict[str, Any] = field(default_factory=dict)


REFERENCE_LINE = N_("Reference line")
PERCENTILE = "percentile"  # the meta of benchmark dots (figures.benchmark_dots)


def chart_table(
    figure: go.Figure | Mapping[str, Any], currency: str = "USD"
) -> tuple[list[str], list[str], list[ChartRow]]:
    """The values a chart draws as rows (chart_rows), the headers and keys of the columns
    that hold something: name, series, date, value, unit, then the chart's own."""
    rows = chart_rows(figure, currency)
    keys = [k for k in ("name", "series", "date") if any(getattr(r, k) for r in rows)]
    keys += ["value", "unit"]
    extra = list(dict.fromkeys(h for r in rows for h in r.extra))
    words = {
        "name": _("Name"),
        "series": _("Series"),
        "date": _("Date"),
        "value": _("Value"),
        "unit": _("Unit"),
    }
    return [words[k] for k in keys] + extra, keys + [f"extra:{h}" for h in extra], rows


def chart_rows(figure: go.Figure | Mapping[str, Any], currency: str = "USD") -> list[ChartRow]:
    """Every value a chart draws, one row each: its bars, points, boxes' quantiles and map's
    areas, and the values of its reference lines (the network's, a benchmark's)."""
    plain = figure.to_plotly_json() if isinstance(figure, go.Figure) else figure
    layout = plain.get("layout") or {}
    meta = layout.get("meta") if isinstance(layout.get("meta"), dict) else {}
    indicators = _chart_indicators(meta.get("indicators") or ())
    rows: list[ChartRow] = []
    for trace in plain.get("data", []):
        rows += _trace_rows(trace, layout, indicators, currency)
    drawn = list(rows)
    for shape in layout.get("shapes") or ():
        row = _reference_row(shape, layout, indicators, currency)
        if row is not None:  # (in the unit of the values drawn against it)
            row.unit = next((r.unit for r in drawn if r.kind == row.kind and r.unit), row.unit)
            rows.append(row)
    return rows


def _chart_indicators(ids: Any) -> list[Any]:
    from dashboard.indicators import lookup

    out = []
    for ind_id in ids if isinstance(ids, list | tuple) else ():
        try:
            out.append(lookup(str(ind_id)))
        except KeyError:  # a chart's own column
            continue
    return out


def _axis_of(layout: Mapping[str, Any], trace: Mapping[str, Any], letter: str) -> dict[str, Any]:
    ref = str(trace.get(f"{letter}axis") or letter)
    axis = layout.get(f"{letter}axis{ref[1:]}")
    return axis if isinstance(axis, dict) else {}


def _axis_kind(axis: Mapping[str, Any]) -> str:
    """An indicator format kind from an axis' number format (figures._axis_format)."""
    tickformat = str(axis.get("tickformat") or "")
    if "%" in tickformat:
        return "pct"
    if axis.get("tickprefix") or axis.get("ticksuffix"):
        return "usd"
    if tickformat == "~s":
        return "int"
    if tickformat.startswith(",.1"):
        return "decimal"
    return ""


def _kind_and_unit(
    kind: str, measure: str, indicators: list[Any], currency: str
) -> tuple[str, str]:
    """A value's format kind and unit: those of the chart's indicator it is of (by its
    label, else the only one of its kind), money in the file's currency."""
    from dashboard.format import in_currency

    named = [i for i in indicators if measure and i.label == measure]
    alike = [i for i in indicators if not kind or i.format == kind]
    ind = named[0] if named else alike[0] if len(alike) == 1 else None
    kind = kind or (ind.format if ind is not None else "")
    if ind is not None:
        return kind, in_currency(ind.unit, currency) if kind == "usd" else ind.unit
    return kind, {"usd": currency, "pct": "%"}.get(kind, "")


def _is_date(value: Any) -> bool:
    return value is not None and _kind(value) == "date"


def _trace_rows(
    trace: Mapping[str, Any],
    layout: Mapping[str, Any],
    indicators: list[Any],
    currency: str,
) -> list[ChartRow]:
    from dashboard.ingest.countries import country_name

    kind_of = trace.get("type") or "scatter"
    name = str(trace.get("name") or "")
    meta = trace.get("meta")
    info = meta if isinstance(meta, dict) else {}
    rows: list[ChartRow] = []
    if kind_of == "choropleth":
        codes, numbers = values(trace.get("locations")), values(trace.get("z"))
        kind, unit = _kind_and_unit("", name, indicators, currency)
        for code, value in zip(codes, numbers, strict=False):
            rows.append(
                ChartRow(
                    country_name(str(code)) or str(code),
                    value,
                    kind,
                    unit,
                    series=name,
                    extra={_("Country code"): code},
                )
            )
        return rows
    if kind_of == "box":
        horizontal = trace.get("orientation") == "h"
        names = values(trace.get("y" if horizontal else "x"))
        kind, unit = _kind_and_unit(
            _axis_kind(_axis_of(layout, trace, "x" if horizontal else "y")),
            "",
            indicators,
            currency,
        )
        stats = {key: values(trace.get(key)) for key in BOX_NAMES}
        for i, category in enumerate(names):
            for key, words in BOX_NAMES.items():
                column = stats[key]
                if i < len(column):
                    rows.append(ChartRow(str(category), column[i], kind, unit, series=_(words)))
        return rows
    x, y = values(trace.get("x")), values(trace.get("y"))
    if not any(_is_number(v) for v in x + y):
        return rows  # (a legend's key of a reference line, a map's names: no number)
    horizontal = trace.get("orientation") == "h" or (
        bool(y) and all(isinstance(v, str) for v in y if v is not None) and not _is_date(y[0])
    )
    numbers, others = (x, y) if horizontal else (y, x)
    other_axis = _axis_of(layout, trace, "y" if horizontal else "x")
    value_axis = _axis_of(layout, trace, "x" if horizontal else "y")
    measure = str(info.get("measure") or "")
    kind = str(info.get("format") or "") or _axis_kind(value_axis)
    if meta == PERCENTILE:  # where each stands among its peers (0 to 100)
        custom = values(trace.get("customdata"))
        for i, (value, label) in enumerate(zip(numbers, others, strict=False)):
            shown = list(custom[i]) if i < len(custom) and custom[i] is not None else []
            rows.append(
                ChartRow(
                    name,
                    value,
                    PERCENTILE,
                    _("percentile among peers"),
                    series=str(label),
                    extra={
                        _("Value shown"): shown[0] if shown else None,
                        _("Peers' median"): shown[1] if len(shown) > 1 else None,
                    },
                )
            )
        return rows
    kind, unit = _kind_and_unit(kind, measure or name, indicators, currency)
    if not unit:  # (no indicator of its own: its axis says what it counts)
        title = value_axis.get("title")
        unit = str((title.get("text") if isinstance(title, dict) else title) or "")
    shown_kind = str(info.get("shown") or "") or kind
    texts = trace.get("text")
    labels = (
        [str(t) for t in values(texts)]
        if isinstance(texts, list | tuple) and "markers" in str(trace.get("mode") or "")
        else []
    )
    whole = list(info.get("names") or ()) if ranked(meta) else []
    details = (info.get("columns") or {}) if ranked(meta) else {}
    title = other_axis.get("title")
    other_header = (title.get("text") if isinstance(title, dict) else title) or _("Value")
    for i, value in enumerate(numbers):
        other = others[i] if i < len(others) else None
        row = ChartRow(name, value, shown_kind, unit, series=measure)
        if whole and i < len(whole):
            row.name, row.series = str(whole[i]), name
            row.extra = {h: c[i] for h, c in details.items() if i < len(c)}
        elif _is_date(other):
            row.date = _as_date(other)
        elif isinstance(other, str):
            row.name, row.series = other, measure or name
        elif labels and i < len(labels):
            row.name, row.series = labels[i], name
            row.extra = {str(other_header): other}
        elif other is not None:
            row.extra = {str(other_header): other}
        if row.series == row.name:  # (a panel of one line, named as the panel)
            row.series = ""
        rows.append(row)
    return rows


def _reference_row(
    shape: Mapping[str, Any], layout: Mapping[str, Any], indicators: list[Any], currency: str
) -> ChartRow | None:
    """The value of a named line across a chart (figures.Reference: the network's value, a
    benchmark), else None."""
    label = shape.get("name")
    if not label or shape.get("type") != "line":
        return None
    for letter in ("x", "y"):
        ref = str(shape.get(f"{letter}ref") or letter)
        start, end = shape.get(f"{letter}0"), shape.get(f"{letter}1")
        if ref.startswith(letter) and "domain" not in ref and start == end and _is_number(start):
            axis = layout.get(f"{letter}axis{ref[1:]}")
            kind, unit = _kind_and_unit(
                _axis_kind(axis if isinstance(axis, dict) else {}), "", indicators, currency
            )
            return ChartRow(str(label), start, kind, unit, series=_(REFERENCE_LINE))
    return None


def as_shown(value: Any, kind: str) -> tuple[Any, str]:
    """A value for a spreadsheet cell, rounded as the screen writes it (format_value: USD
    21.60, 78%, 2,255) and the Excel number format that shows those decimals; a value the
    screen writes compact (12.3k) in whole units. A value of no known kind as it is; what is
    not a finite number blank."""
    from dashboard.format import LARGEST_WRITTEN, finite, shown_decimals

    if not _is_number(value):
        return value, ""
    x = finite(value)
    if x is None:
        return None, ""
    if kind == PERCENTILE:
        return float(f"{x:.0f}"), "0"
    if kind not in EXCEL_FORMATS or kind == "date" or abs(x) >= LARGEST_WRITTEN:
        return value, "#,##0" if float(x).is_integer() else "#,##0.00"
    decimals = shown_decimals(x, kind) or 0
    places = "." + "0" * decimals if decimals else ""
    if kind == "pct":  # (rounded as format.percent rounds: its per cents as Python does)
        return float(Decimal(f"{x * 100:.{decimals}f}") / 100), f"0{places}%"
    return float(f"{x:.{decimals}f}"), f"#,##0{places}"


def _cell(row: ChartRow, key: str) -> tuple[Any, str]:
    """A row's cell of a column key: its value and number format."""
    if key == "value":
        return as_shown(row.value, row.kind)
    if key == "date":
        return row.date, "yyyy-mm-dd" if row.date is not None else ""
    if key.startswith("extra:"):
        value = row.extra.get(key[6:])
        if _is_date(value):
            return _as_date(value), "yyyy-mm-dd"
        return as_shown(value, "")
    return getattr(row, key) or None, ""


TABLE_WIDTH = (8, 60)  # a column's width in characters: at least, at most (longer cells wrap)


def _shown_text(value: Any, number_format: str) -> str:
    """About what a cell shows (for its column's width)."""
    if value is None:
        return ""
    if isinstance(value, date):
        return "0000-00-00"
    if _is_number(value):
        decimals = len(number_format.split(".")[1].rstrip("%")) if "." in number_format else 0
        scale = 100 if number_format.endswith("%") else 1
        return f"{value * scale:,.{decimals}f}" + ("%" if scale == 100 else "")
    return str(value)


def _write_table(
    sheet: Any,
    words: list[str],
    headers: list[str],
    cells: list[list[tuple[Any, str]]],
) -> None:
    """A sheet's title, subtitle and caption (over the table's width, wrapped), its header
    (bold, wrapped between words only: each column at least as wide as its longest header
    word) and its rows, with columns as wide as what they hold (within TABLE_WIDTH; a longer
    text wraps), the header frozen and printed on every page."""
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    low, high = TABLE_WIDTH
    n = max(len(headers), 1)
    widths = []
    for index, header in enumerate(headers):
        longest_word = max((len(w) for w in str(header).split()), default=0)
        longest_cell = max((len(_shown_text(*row[index])) for row in cells), default=0)
        widths.append(min(high, max(low, longest_word + 2, longest_cell + 2)))
    total = sum(widths) or high
    styles = (Font(bold=True, size=14), None, Font(italic=True, color="5F6B78"))
    for row_number, (text, style) in enumerate(zip(words, styles, strict=True), start=1):
        cell = sheet.cell(row=row_number, column=1, value=text or None)
        if style is not None:
            cell.font = style
        if n > 1:
            sheet.merge_cells(
                start_row=row_number, start_column=1, end_row=row_number, end_column=n
            )
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        size = 14 if row_number == 1 else 11
        lines = max(1, -(-len(text or "") * size // (11 * max(total - 2, 1))))
        sheet.row_dimensions[row_number].height = lines * size * 1.35
    header_row = len(words) + 2
    for index, header in enumerate(headers, start=1):
        cell = sheet.cell(row=header_row, column=index, value=header)
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="bottom")
    wrapped = max(
        (-(-len(str(h)) // max(w - 2, 1)) for h, w in zip(headers, widths, strict=True)),
        default=1,
    )
    sheet.row_dimensions[header_row].height = 15 * max(wrapped, 1)
    for offset, row in enumerate(cells, start=1):
        for index, (value, number_format) in enumerate(row, start=1):
            cell = sheet.cell(row=header_row + offset, column=index, value=value)
            if number_format:
                cell.number_format = number_format
            if isinstance(value, str) and len(value) + 2 > widths[index - 1]:
                cell.alignment = Alignment(wrap_text=True, vertical="top")
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = sheet.cell(row=header_row + 1, column=1)
    # Printed: landscape, all columns on one page wide, the header on every page.
    sheet.page_setup.orientation = "landscape"
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.print_title_rows = f"{header_row}:{header_row}"


# The keys of the `about` lists that callers pass (view.export_about, the data page,
# the report page): they stay English there (the deck reads them by key) and are translated
# where the Filters sheet shows them.
ABOUT_KEYS = (
    N_("Filters"),
    N_("As of"),
    N_("Currency"),
    N_("Link"),
    N_("Source"),
    N_("Breakdown"),
    N_("Money"),
    N_("Exchange rate"),
)


def add_about_sheets(book: Any, about: list[tuple[str, str]]) -> None:
    """The Filters sheet (what the numbers are of) and the Definitions sheet (every
    indicator's id, label, unit and definition, the network's own included) of every Excel
    export."""
    from openpyxl.styles import Alignment, Font

    from dashboard.format import in_currency
    from dashboard.indicators import every

    currency = dict(about).get("Currency") or "USD"
    # Sheet names: at most 31 characters, none of []:*?/\ (see _sheet_name)
    filters = book.create_sheet(_sheet_name(_("Filters"), set()))
    for key, value in about:
        filters.append([_(key), value])
        filters.cell(row=filters.max_row, column=2).alignment = Alignment(wrap_text=True)
    keys = [len(_(key)) for key, _value in about]
    filters.column_dimensions["A"].width = max(16, *keys) + 2 if keys else 16
    filters.column_dimensions["B"].width = 110
    definitions = book.create_sheet(_sheet_name(_("Definitions"), set()))
    definitions.append([_("id"), _("indicator"), _("unit"), _("definition")])
    for cell in definitions[1]:
        cell.font = Font(bold=True)
    for ind in every():  # the network's own (ndf_<id>) after INDICATORS.md's
        # (money in the file's currency: "DKK per member")
        unit, words = (in_currency(t, currency) for t in (ind.unit, ind.definition))
        definitions.append([ind.id, ind.label, unit, words])
        definitions.cell(row=definitions.max_row, column=4).alignment = Alignment(wrap_text=True)
    for column, width in zip("ABCD", (30, 30, 22, 110), strict=True):
        definitions.column_dimensions[column].width = width
