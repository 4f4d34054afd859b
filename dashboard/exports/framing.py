"""A chart framed for a file (PNG for slides at 1920x1080, print at 300 dpi, SVG): its title,
subtitle and caption wrapped to the size, the margins that keep every name whole, the
values and end labels apart, the ticks that fit; `image` frames and renders.
"""

from __future__ import annotations

import logging
import re
import textwrap
from collections.abc import Mapping
from typing import Any

import pandas as pd
import plotly.graph_objects as go

from dashboard.core import theme
from dashboard.core.i18n import N_, _
from dashboard.exports import heavy
from dashboard.exports.renderer import ImageSize, render
from dashboard.exports.tables import kind_of, ranked, values
from dashboard.views.figures.bars import VALUE_LABEL, values_clear_of_lines
from dashboard.views.figures.common import not_drawn
from dashboard.views.figures.labels import apart
from dashboard.views.figures.lines import END_LABEL, END_VALUE


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


LINE = 1.3  # plotly's line height, in ems of the font
BOX = 1.45  # the height of a line of text as the browser boxes it, in ems
CHAR_EM = 0.52  # a character of Source Sans 3 on average, in ems (a little more than most)
BOLD = 1.1  # a bold character against a regular one
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
    # a title stating a finding (the explorer's, a board pack's) may be long: wrapped, its
    # bold type a little wider than the average character
    title = meta.get("title", "")
    if words and size.title_size:
        title = wrap(title, width=_chars(size.width * 0.94 / BOLD, size.title_size))
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
        top += (_lines(title) - 1) * size.title_size * LINE
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
                # (plotly sets a title's further lines above its first: moved down by them)
                "y": 0.97 - (_lines(title) - 1) * size.title_size * LINE / size.height,
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
    """A ranked bar's names whole (figures.bars.ranked_bars keeps them in its meta; the axis'
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
    """The names at the lines' ends (figures.lines._direct_labels) set apart at the file's type
    size, and written whole on as many lines as the margin needs (up to three)."""
    ends = [a for a in fig.layout.annotations if str(a.name or "").startswith(END_LABEL + ":")]
    if not ends:
        return
    for note in ends:  # from where its line ends (a card set them apart for its own height)
        note.y = float(str(note.name).split(":", 1)[1].split(END_VALUE, 1)[0])
    for note in ends:
        whole = note.hovertext or ""
        if whole:
            width = _chars(margin - (note.xshift or 0) - 4, note.font.size)
            text = wrap(whole, width)
            if _lines(text) <= 3:
                _head, has_value, value = str(note.name).partition(END_VALUE)
                note.text = f"{text}<br>{value}" if has_value else text
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

    from dashboard.core import i18n

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
                    if v is not None and kind_of(v) == "date"
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
