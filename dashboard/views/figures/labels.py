"""Text fitted into a chart: names shortened (keeping what tells them apart) or broken on two
lines, and labels set apart so that they do not overlap (`apart`)."""

from __future__ import annotations

from collections.abc import Sequence


def apart(
    centres: Sequence[float], halves: Sequence[float], low: float, high: float
) -> list[float]:
    """Centres of labels (in order, each `halves` high either way) moved up as little as
    keeps each clear of the one below, then all down as little as keeps the top one within
    `high` (never below `low`)."""
    placed: list[float] = []
    for centre, half in zip(centres, halves, strict=True):
        if placed:
            centre = max(centre, placed[-1] + halves[len(placed) - 1] + half)
        placed.append(centre)
    over = placed[-1] + halves[-1] - high if placed else 0.0
    if over > 0:
        floor = low
        for i, half in enumerate(halves):
            placed[i] = max(placed[i] - over, floor + half)
            floor = placed[i] + half
    return placed


def _shorten(text: str, limit: int = 30) -> str:
    """Axis labels stay readable in a narrow card; the hover shows the full name."""
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _shorten_keeping_end(text: str, limit: int = 30) -> str:
    """A label shortened in its middle, keeping what tells it apart at the end: a project
    id after " · ", a parenthesis ("Women's Economic… (Ethiopia)") or the last characters."""
    if len(text) <= limit:
        return text
    start = text.rfind(" · ")
    if start > 0 and len(text) - start <= limit - 8:
        return text[: limit - (len(text) - start) - 1].rstrip() + "…" + text[start:]
    start = text.rfind(" (")
    end = (
        text[start:] if text.endswith(")") and start > 0 and len(text) - start <= limit - 8 else ""
    )
    if not end:
        end = text[-(limit // 2) :]
    return text[: limit - len(end) - 1].rstrip() + "…" + end


def _short_labels(names: list[str], limit: int = 30) -> list[str]:
    """Short axis labels, unless shortening would make two look alike (then shortened in
    the middle, keeping their distinct ends; failing that, in full)."""
    distinct = len(set(names))
    for shorten in (_shorten, _shorten_keeping_end):
        short = [shorten(n, limit) for n in names]
        if len(set(short)) == distinct:
            return short
    return names


def _two_lines(text: str, width: int) -> str:
    """A label broken at a space into two lines of about `width` characters (a narrow
    chart: plotly cuts a long label rather than narrow the plot)."""
    if len(text) <= width or " " not in text:
        return text
    cut = text.rfind(" ", 0, width + 1)
    if cut <= 0:
        cut = text.find(" ")
    return text[:cut] + "<br>" + text[cut + 1 :]
