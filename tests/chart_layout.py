"""A layout check of chart files (issue 28, "files that hold on a slide"): a chart exported
as SVG by the app is laid out in a headless Chromium, the box of each of its texts measured,
and what a reader would see as a fault reported:

- "overlap": two texts whose boxes overlap by more than TOLERANCE px both ways (one text is
  one <text> element: the lines of one annotation, title or legend item are one);
- "outside": a text that reaches beyond the picture's edge by more than TOLERANCE px;
- "cut": a name shortened with "…" (or "..."): a file has the room for it whole;
- "repeated tick": two neighbouring tick labels of one axis that read the same (4%, 4%);
- "rotated tick": a tick label drawn at an angle (plotly turns labels that do not fit);
- "struck": a reference line (a shape drawn as a thin line) through a text.

The boxes are the browser's (getBoundingClientRect of each <text>, in the SVG's own
pixels), in the app's own font: the page carries Source Sans 3 (renderer.font_faces, as
the SVG file does) and fontconfig finds it as the renderer's Chromium does
(renderer.font_environment), so the texts measure as they were laid out.

One browser serves a whole test module (`Checker`); each SVG replaces the last in one page.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path
from typing import Any

from dashboard.exports import renderer

TOLERANCE = 1.0  # px: boxes that touch or overlap by this much are not a fault
CUT_MARKS = ("…", "...")

# Every <text> of the SVG with its box, plotly's class of it, the axis a tick belongs to and
# whether it is turned; and every thin shape (a reference line) with its box.
_MEASURE = """
const done = arguments[arguments.length - 1];
const holder = document.getElementById('holder');
holder.innerHTML = arguments[0];
const svg = holder.querySelector('svg');
document.fonts.ready.then(() => {
  const frame = svg.getBoundingClientRect();
  const width = parseFloat(svg.getAttribute('width')) || frame.width;
  const height = parseFloat(svg.getAttribute('height')) || frame.height;
  const sx = width / frame.width, sy = height / frame.height;
  const box = (el) => {
    const r = el.getBoundingClientRect();
    return [(r.left - frame.left) * sx, (r.top - frame.top) * sy,
            (r.right - frame.left) * sx, (r.bottom - frame.top) * sy];
  };
  const shown = (el) => {
    for (let e = el; e && e !== svg; e = e.parentElement) {
      const s = getComputedStyle(e);
      if (s.display === 'none' || s.visibility === 'hidden' || parseFloat(s.opacity) === 0) {
        return false;
      }
    }
    return true;
  };
  const texts = [];
  svg.querySelectorAll('text').forEach((el, i) => {
    const parts = el.querySelectorAll('tspan.line');
    const words = (parts.length
      ? Array.from(parts).map((p) => p.textContent).join(' ')
      : el.textContent || '').trim();
    if (!words || !shown(el)) return;
    const b = box(el);
    if (b[2] - b[0] <= 0 || b[3] - b[1] <= 0) return;
    const layer = el.closest('.xaxislayer-above, .yaxislayer-above, .cbaxis');
    let axis = '';
    if (layer) {
      const owner = layer.closest('.subplot, .colorbar');
      axis = (owner ? owner.getAttribute('class') : '') + ' ' + layer.getAttribute('class');
    }
    const turn = (el.getAttribute('transform') || '') + ' ' +
      (el.parentElement.getAttribute('transform') || '');
    const angle = /rotate\\((-?[0-9.]+)/.exec(turn);
    texts.push({i: i, text: words, kind: el.getAttribute('class') || '', axis: axis,
                turned: angle ? Math.abs(parseFloat(angle[1])) > 0.5 : false, box: b,
                lines: el.querySelectorAll('tspan.line').length || 1,
                size: parseFloat(getComputedStyle(el).fontSize) || 0});
  });
  const lines = [];
  svg.querySelectorAll('.shapelayer path').forEach((el) => {
    if (!shown(el)) return;
    const b = box(el);
    if (Math.min(b[2] - b[0], b[3] - b[1]) <= 4) lines.push(b);
  });
  done(JSON.stringify({width: width, height: height, texts: texts, lines: lines}));
});
"""


@dataclass(frozen=True)
class Text:
    text: str
    kind: str  # plotly's class of the element: xtick, legendtext, annotation-text, ...
    axis: str  # the axis a tick label belongs to ("" for other texts)
    turned: bool
    box: tuple[float, float, float, float]  # left, top, right, bottom, in the SVG's px
    lines: int
    size: float  # font size, px


@dataclass(frozen=True)
class Fault:
    kind: str
    texts: tuple[str, ...]
    detail: str = ""

    def __str__(self) -> str:
        said = " / ".join(repr(t[:70]) for t in self.texts)
        return f"{self.kind}: {said}" + (f" ({self.detail})" if self.detail else "")


@dataclass(frozen=True)
class Layout:
    width: float
    height: float
    texts: tuple[Text, ...]
    lines: tuple[tuple[float, float, float, float], ...]


def _overlap(a: tuple[float, ...], b: tuple[float, ...]) -> tuple[float, float]:
    return min(a[2], b[2]) - max(a[0], b[0]), min(a[3], b[3]) - max(a[1], b[1])


def faults(layout: Layout) -> list[Fault]:
    """What a reader would see as wrong in a laid-out chart (see the module's words)."""
    out: list[Fault] = []
    texts = layout.texts
    for n, a in enumerate(texts):
        for b in texts[n + 1 :]:
            dx, dy = _overlap(a.box, b.box)
            if dx > TOLERANCE and dy > TOLERANCE:
                out.append(Fault("overlap", (a.text, b.text), f"{dx:.0f}x{dy:.0f} px"))
    for t in texts:
        left, top, right, bottom = t.box
        if (
            left < -TOLERANCE
            or top < -TOLERANCE
            or right > layout.width + TOLERANCE
            or bottom > layout.height + TOLERANCE
        ):
            out.append(
                Fault(
                    "outside",
                    (t.text,),
                    f"box {left:.0f},{top:.0f}-{right:.0f},{bottom:.0f} "
                    f"in {layout.width:.0f}x{layout.height:.0f}",
                )
            )
        if any(mark in t.text for mark in CUT_MARKS):
            out.append(Fault("cut", (t.text,)))
        if t.axis and t.turned:
            out.append(Fault("rotated tick", (t.text,), t.axis.strip()))
        for line in layout.lines:
            # a line through the text's middle (a line along its edge does not strike it)
            inset = min(t.box[3] - t.box[1], t.box[2] - t.box[0]) * 0.25
            inner = (t.box[0] + inset, t.box[1] + inset, t.box[2] - inset, t.box[3] - inset)
            thick = (line[0] - 1, line[1] - 1, line[2] + 1, line[3] + 1)  # (a box of none)
            dx, dy = _overlap(inner, thick)
            if dx > 0 and dy > 0:
                out.append(Fault("struck", (t.text,), "a reference line runs through it"))
    axes: dict[str, list[Text]] = {}
    for t in texts:
        if t.axis:
            axes.setdefault(t.axis, []).append(t)
    for axis, ticks in axes.items():
        for a, b in pairwise(ticks):
            if a.text == b.text:
                out.append(Fault("repeated tick", (a.text, b.text), axis.strip()))
    return out


def _page(folder: Path) -> Path:
    page = folder / "layout-check.html"
    page.write_text(
        "<!doctype html><html><head><meta charset='utf-8'><style>"
        + renderer.font_faces()
        + "body{margin:0} #holder svg{display:block}</style></head>"
        # (the font used once, so that the page has it ready before the first chart)
        + "<body><span style=\"font-family:'Source Sans 3'\">a<b>b</b></span>"
        + "<div id='holder'></div></body></html>",
        encoding="utf-8",
    )
    return page


class Checker:
    """A headless Chromium (selenium, the system's chromedriver) that lays out SVGs."""

    def __init__(self) -> None:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service

        from dashboard.exports import chromium

        self._folder = tempfile.TemporaryDirectory(prefix="vsla-layout-")
        options = webdriver.ChromeOptions()
        options.binary_location = chromium.path()
        for arg in (
            "--headless=new",
            "--no-sandbox",
            "--disable-gpu",
            "--force-device-scale-factor=1",
            "--window-size=2400,1400",
            *chromium.OFFLINE_FLAGS,
        ):
            options.add_argument(arg)
        service = Service(
            os.environ.get("CHROMEDRIVER", "/usr/bin/chromedriver"),
            env={**os.environ, **renderer.font_environment()},
        )
        self.driver = webdriver.Chrome(service=service, options=options)
        self.driver.set_script_timeout(60)
        self.driver.get(_page(Path(self._folder.name)).as_uri())

    def layout(self, svg: bytes | str) -> Layout:
        text = svg.decode("utf-8") if isinstance(svg, bytes) else svg
        found: dict[str, Any] = json.loads(
            self.driver.execute_async_script(_MEASURE, text[text.find("<svg") :])
        )
        return Layout(
            found["width"],
            found["height"],
            tuple(
                Text(
                    t["text"],
                    t["kind"],
                    t["axis"],
                    t["turned"],
                    tuple(t["box"]),
                    t["lines"],
                    t["size"],
                )
                for t in found["texts"]
            ),
            tuple(tuple(b) for b in found["lines"]),
        )

    def faults(self, svg: bytes | str) -> list[Fault]:
        return faults(self.layout(svg))

    def close(self) -> None:
        self.driver.quit()
        self._folder.cleanup()


def report(found: Iterable[tuple[str, Fault]]) -> str:
    """Faults, one a line, each after what it is of (chart id, language, size)."""
    return "\n".join(f"{where}: {fault}" for where, fault in found)
