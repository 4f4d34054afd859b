"""One file of each export kind from a pool, and PNG pages of each to look at.

    python -m scripts.export_samples --db data/pool.duckdb --out build/samples

Writes a chart as slide PNG, print PNG, SVG, CSV and Excel; a page as PowerPoint and Excel;
the performance report as HTML and PDF. Where LibreOffice and poppler-utils are installed
(Debian: libreoffice-impress libreoffice-calc poppler-utils), the deck and the workbook are
converted to PDF with `libreoffice --headless --convert-to pdf` (as a person opening them
would see them) and every PDF is turned into PNG pages with pdftoppm, in `<out>/pages/`.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, default=ROOT / "data" / "pool.duckdb")
    parser.add_argument("--out", type=Path, default=ROOT / "build" / "samples")
    parser.add_argument(
        "--view", default="?country=UGA", help="the link's query string (lang=da: in Danish)"
    )
    args = parser.parse_args(argv)
    os.environ["VSLA_DB"] = str(args.db)

    from dashboard.access.policy import ADMIN
    from dashboard.access.viewer import acting_as
    from dashboard.core import i18n

    # samples of the whole pool, on purpose; in the language the link names (?lang=da)
    with acting_as(ADMIN), i18n.using(i18n.from_search(args.view)):
        return _samples(args)


def _samples(args: argparse.Namespace) -> int:
    from dashboard.core import theme
    from dashboard.exports import deck, framing, renderer, tables
    from dashboard.exports.report import data as report_data
    from dashboard.exports.report import document as report_document
    from dashboard.exports.report import pdf as report_pdf
    from dashboard.views.view import exchange_rate, export_about, export_name, read_view
    from dashboard.web.pages import efficiency

    theme.register()
    out = args.out
    out.mkdir(parents=True, exist_ok=True)
    view = read_view(args.view)
    written: list[Path] = []

    def save(name: str, data: bytes, started: float) -> None:
        path = out / name
        path.write_bytes(data)
        written.append(path)
        print(f"{time.monotonic() - started:6.2f} s  {path.name} ({len(data):,} bytes)")

    content = deck.page_content(efficiency, args.view)
    figure = next(iter(content.figures.values()))
    title = figure.layout.meta["title"]
    for fmt in ("slide", "print", "svg"):
        started = time.monotonic()
        extension = "svg" if fmt == "svg" else "png"
        size = renderer.SIZES[fmt]
        data = renderer.render(framing.framed(figure, size), extension, size)
        if extension == "svg":
            data = renderer.svg_with_font(data)
        suffix = "-print" if fmt == "print" else ""
        save(export_name(view, title + suffix, extension), data, started)
    started = time.monotonic()
    save(export_name(view, title, "csv"), tables.csv_bytes(figure, [exchange_rate(view)]), started)
    about = export_about(view)
    started = time.monotonic()
    plain = [f.to_plotly_json() for f in content.figures.values()]
    save(export_name(view, "efficiency", "xlsx"), tables.workbook_bytes(plain, about), started)
    started = time.monotonic()
    save(
        export_name(view, "efficiency", "pptx"),
        deck.pptx_bytes(
            content,
            about,
            view.as_of,
            network=deck.network_values(args.view, [k.indicator for k in content.kpis]),
        ),
        started,
    )
    started = time.monotonic()
    html = report_document.render_html(report_data.build_report(args.view))
    save(export_name(view, "performance report", "html"), html.encode("utf-8"), started)
    started = time.monotonic()
    save(report_pdf.file_name(args.view), report_pdf.pdf_bytes(html), started)
    renderer.shutdown()

    pages = out / "pages"
    pages.mkdir(exist_ok=True)
    office = shutil.which("libreoffice") or shutil.which("soffice")
    pdfs = [p for p in written if p.suffix == ".pdf"]
    if office:
        for path in written:
            if path.suffix in (".pptx", ".xlsx"):
                folder = pages / path.suffix.lstrip(".")  # a deck and a workbook share a stem
                command = [office, "--headless", "--convert-to", "pdf", "--outdir", str(folder)]
                subprocess.run([*command, str(path)], check=True, capture_output=True, timeout=180)
                pdfs.append(folder / f"{path.stem}.pdf")
    else:
        print("LibreOffice not found: the deck and workbook are not converted to pages.")
    if shutil.which("pdftoppm"):
        for pdf in pdfs:
            stem = pdf.stem + (f"-{pdf.parent.name}" if pdf.parent.parent == pages else "")
            subprocess.run(
                ["pdftoppm", "-r", "60", "-png", str(pdf), str(pages / stem)], check=True
            )
        print(f"PNG pages in {pages}")
    else:
        print("pdftoppm not found: no PNG pages.")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
