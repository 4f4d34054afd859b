"""The performance report printed to PDF (its one job): the HTML document of document.py
printed by headless Chromium (A4, as its print CSS says), offline, at most two at once in a
process and within the heavy job's budget; and the PDF file's name.
"""

from __future__ import annotations

import logging
import os
import subprocess
import tempfile
import threading
from pathlib import Path

from dashboard.core.i18n import _
from dashboard.exports import chromium, heavy, renderer
from dashboard.views.view import export_name, read_view

PDF_TIMEOUT = 90.0  # seconds (within a heavy job, at most what is left of its budget)
_pdf_slots = threading.BoundedSemaphore(2)  # Chromiums printing at once in a process


class PdfError(RuntimeError):
    """The PDF could not be made (the message says so in plain words)."""


def pdf_bytes(document: str) -> bytes:
    """Print the HTML document to PDF with headless Chromium (A4, as the print CSS says).
    Within a heavy job (dashboard/exports/heavy.py), every wait ends with the job's budget."""
    failed = _("The PDF could not be made just now; please try again.")
    if not _pdf_slots.acquire(timeout=max(heavy.time_left(PDF_TIMEOUT), 0.001)):
        logging.getLogger(__name__).warning("PDF printing not started: no printer free")
        raise PdfError(failed)
    try:
        with tempfile.TemporaryDirectory(prefix="vsla-report-") as tmp:
            return _print(document, Path(tmp), failed)
    finally:
        _pdf_slots.release()


def _print(document: str, tmp: Path, failed: str) -> bytes:
    page, out = tmp / "report.html", tmp / "report.pdf"
    page.write_text(document, encoding="utf-8")
    command = [
        chromium.path(),
        "--headless",
        "--disable-gpu",
        "--no-first-run",
        *chromium.OFFLINE_FLAGS,  # no network at all, loopback included
        "--disable-extensions",
        "--no-pdf-header-footer",
        f"--user-data-dir={tmp}/profile",
        f"--print-to-pdf={out}",
        page.as_uri(),
    ]
    if os.geteuid() == 0:
        command.insert(1, "--no-sandbox")  # Chromium refuses to run as root otherwise
    # A Chromium that exits without a file (it happens on a busy machine) is started once
    # more, if the job has the time; one that times out is not. The server's log says why.
    for attempt in (1, 2):
        timeout = heavy.time_left(PDF_TIMEOUT)
        if timeout <= 1:
            break
        try:
            done = subprocess.run(
                command,
                env={**os.environ, **renderer.font_environment()},
                capture_output=True,
                timeout=timeout,
                check=False,
            )
        except (OSError, subprocess.TimeoutExpired) as exc:
            logging.getLogger(__name__).warning("PDF printing failed: %r", exc)
            raise PdfError(failed) from exc
        if out.exists() and out.stat().st_size > 0:
            return out.read_bytes()
        logging.getLogger(__name__).warning(
            "PDF printing gave no file (attempt %d, exit %s): %s",
            attempt,
            done.returncode,
            done.stderr.decode("utf-8", "replace")[-1000:],
        )
    raise PdfError(failed)


def file_name(search: str | None) -> str:
    """e.g. performance-report_BDI-FJO-02_2026-09-30.pdf"""
    return export_name(read_view(search), "performance report", "pdf")
