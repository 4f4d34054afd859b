"""Chart images made on the server: Kaleido with the system Chromium, one persistent
renderer per process, started lazily after a gunicorn fork, used under a lock (Kaleido 1.x
is not safe under concurrent calls). Nothing is fetched from the network: plotly.js comes
from the plotly package, MathJax is off, the map geometry comes from assets/, and the
renderer's Chromium has no network at all (dashboard.exports.chromium). Every figure drawn
here was built on the server for a link; none comes from a browser. SVG files carry the
fonts; PNG files their dpi.
"""

from __future__ import annotations

import base64
import functools
import logging
import os
import struct
import tempfile
import threading
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import plotly.graph_objects as go

from dashboard.core.config import FILES_ROOT
from dashboard.core.i18n import _
from dashboard.exports import chromium, heavy

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
    # (within a heavy job, each wait ends with the job's budget: dashboard/exports/heavy.py)
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
