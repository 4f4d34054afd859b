"""Charts as files: rendered by Kaleido with the system Chromium, words inside, named for
what they show; the CSV holds exactly the numbers drawn."""

from __future__ import annotations

import base64
import io
import json
import struct

import pytest
from pytest import approx

from dashboard.core import naming
from dashboard.exports import framing, renderer
from dashboard.web.components.cards import EXPORTS
from tests.dash_client import call, chart


@pytest.fixture
def client(admin_client):
    """Signed in as the network admin: these tests check values over the whole pool."""
    return admin_client


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", data[16:24])


def page_export(client, trigger: str, search: str, pathname: str) -> tuple[str, bytes]:
    """Click an item of the "Download page" menu (page-pptx or page-xlsx)."""
    data = page_export_answer(client, trigger, search, pathname)["page-download"]["data"]
    return data["filename"], base64.b64decode(data["content"])


def page_export_answer(
    client, trigger: str, search: str, pathname: str, headers: dict | None = None
) -> dict:
    """The callback's answer to a click on an item of the "Download page" menu."""
    payload = {
        "output": "..page-download.data...page-export-notice.children..",
        "outputs": [
            {"id": "page-download", "property": "data"},
            {"id": "page-export-notice", "property": "children"},
        ],
        "inputs": [
            {"id": item, "property": "n_clicks", "value": 1 if item == trigger else None}
            for item in ("page-xlsx", "page-pptx")
        ],
        "state": [
            {"id": "url", "property": "search", "value": search},
            {"id": "url", "property": "pathname", "value": pathname},
        ],
        "changedPropIds": [f"{trigger}.n_clicks"],
    }
    response = client.post("/_dash-update-component", json=payload, headers=headers or {})
    assert response.status_code == 200, response.data[:300]
    return json.loads(response.data)["response"]


def png_dpi(data: bytes) -> float:
    """The resolution in a PNG's pHYs chunk (pixels per metre) as dots per inch."""
    at = data.index(b"pHYs")
    assert at < data.index(b"IDAT")
    x, y, unit = struct.unpack(">IIB", data[at + 4 : at + 13])
    assert unit == 1 and x == y
    return x * 0.0254


def export_payload(cid: str, fmt: str, search: str = "", figure: dict | None = None) -> dict:
    """The body of a click on an item of a chart's "Export" menu; with `figure`, the body
    of the older request that also carried the chart's figure (what an attacker sends)."""
    state = [{"id": "url", "property": "search", "value": search}]
    if figure is not None:
        state.insert(0, {"id": {"id": cid, "type": "chart"}, "property": "figure", "value": figure})
    return {
        "output": '..{"id":["MATCH"],"type":"download"}.data...'
        '{"id":["MATCH"],"type":"export-notice"}.children..',
        "outputs": [
            {"id": {"id": cid, "type": "download"}, "property": "data"},
            {"id": {"id": cid, "type": "export-notice"}, "property": "children"},
        ],
        "inputs": [
            [
                {
                    "id": {"fmt": f, "id": cid, "type": "export"},
                    "property": "n_clicks",
                    "value": 1 if f == fmt else None,
                }
                for f, _ in EXPORTS
            ]
        ],
        "state": state,
        "changedPropIds": [
            json.dumps({"fmt": fmt, "id": cid, "type": "export"}, separators=(",", ":"))
            + ".n_clicks"
        ],
    }


def export(client, app, cid, fmt, search=""):
    """Click an item of a chart's "Export" menu: the chart's id and the link are all the
    browser sends."""
    payload = export_payload(cid, fmt, search)
    response = client.post("/_dash-update-component", json=payload)
    assert response.status_code == 200, response.data[:500]
    data = json.loads(response.data)["response"][
        json.dumps({"id": cid, "type": "download"}, separators=(",", ":"))
    ]["data"]
    content = base64.b64decode(data["content"]) if data.get("base64") else data["content"]
    return data["filename"], content


def test_a_chart_exports_as_slide_print_svg_and_csv(client, hand_app):
    result = call(client, hand_app, '"ef-project"', {"url.search": "?country=UGA"})
    figure = chart(result, "ef-project")
    assert figure["layout"]["meta"]["title"] == "Cost per member by project"

    name, png = export(client, hand_app, "ef-project", "slide", "?country=UGA")
    assert name == "cost-per-member-by-project_UGA_2025-09-30.png"
    assert png_size(png) == (1920, 1080)

    name, png = export(client, hand_app, "ef-project", "print", "?country=UGA")
    assert name == "cost-per-member-by-project-print_UGA_2025-09-30.png"
    assert png_size(png) == (2100, 1180)  # 7 x 3.9 inches at 300 dpi
    assert png_dpi(png) == approx(300, abs=0.01)  # recorded, so layouts place it at 7 in

    name, svg = export(client, hand_app, "ef-project", "svg")
    text = svg.decode("utf-8")
    assert name == "cost-per-member-by-project_2025-09-30.svg"
    assert "Cost per member by project" in text
    assert "Source: pooled savings-group data" in text
    assert "font/woff2;base64," in text  # its type travels with it

    name, csv = export(client, hand_app, "ef-project", "csv", "?country=UGA")
    lines = (csv.decode() if isinstance(csv, bytes) else csv).splitlines()
    assert lines[0] == "# Cost per member by project"
    # headed by what the columns hold; each bar's whole name, project id and organisation
    head = "series,value,label,Project id,Organisation"
    assert head in lines
    # Uganda's projects: 4,000/32 (UGA-B-01) and 10,000/40 (UGA-A-01) USD per member.
    rows = [line.split(",") for line in lines[lines.index(head) + 1 :]]
    assert [float(r[1]) for r in rows] == approx([125.0, 250.0])
    assert [r[0] for r in rows] == ["Cost per member"] * 2  # the indicator, not its id
    assert [r[3:] for r in rows] == [["UGA-B-01", "Beta Relief"], ["UGA-A-01", "Alpha Aid"]]


def test_the_file_name_says_what_it_is():
    from datetime import date

    assert (
        naming.file_name("Cost per member by project", ["UGA"], date(2025, 9, 30), "png")
        == "cost-per-member-by-project_UGA_2025-09-30.png"
    )


def test_a_resolution_is_recorded_once_in_a_png():
    png = renderer.with_dpi(b"\x89PNG\r\n\x1a\n" + b"\0\0\0\rIHDR" + bytes(17) + b"IDAT", 300)
    assert png_dpi(png) == approx(300, abs=0.01)
    again = renderer.with_dpi(png, 150)
    assert again.count(b"pHYs") == 1 and png_dpi(again) == approx(150, abs=0.02)
    with pytest.raises(ValueError):
        renderer.with_dpi(b"GIF89a", 300)


def test_images_use_the_app_font_not_a_fallback():
    """Chromium sees the vendored Source Sans 3 (TrueType) through fontconfig."""
    import subprocess

    env = renderer.font_environment()
    found = subprocess.run(
        ["fc-match", "--format=%{family}|%{file}", "Source Sans 3:bold"],
        env={"PATH": "/usr/bin:/bin", **env},
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert found.startswith("Source Sans 3") and found.endswith("-700-normal.ttf")


def test_captions_wrap_inside_the_image():
    text = framing.wrap("one two three four five six", width=9)
    assert text == "one two<br>three<br>four five<br>six"


def test_a_caption_wraps_as_textwrap_does_keeping_words_and_numbers_whole():
    """framing.wrap is textwrap.wrap, joined by <br>, with what a caption needs kept: a word
    longer than the line is not cut, nor a name at its hyphens; runs of spaces are one."""
    assert framing.wrap("a savings-per-member supercalifragilistic b", width=8) == (
        "a<br>savings-per-member<br>supercalifragilistic<br>b"
    )
    assert framing.wrap("  one\ttwo\n three  ", width=20) == "one two three"
    assert framing.wrap("one two", width=0) == "one<br>two"  # (textwrap refuses 0)
    # a French amount's non-breaking spaces hold it together (split at them, "$" was left
    # alone on the last line: "Coût par<br>membre 1 234<br>$")
    assert framing.wrap("Coût par membre 1\u202f234\u00a0$", width=12) == (
        "Coût par<br>membre<br>1\u202f234\u00a0$"
    )


def test_a_renderer_that_hangs_is_abandoned_and_replaced(monkeypatch):
    import time

    import kaleido
    import plotly.graph_objects as go

    figure = go.Figure(go.Bar(x=[1, 2], y=[3, 4]), layout={"meta": {"title": "T"}})
    real = kaleido.calc_fig_sync
    monkeypatch.setattr(renderer, "RENDER_TIMEOUT", 0.5)
    monkeypatch.setattr(kaleido, "calc_fig_sync", lambda *a, **k: time.sleep(3))
    with pytest.raises(renderer.RenderError, match="try again"):
        renderer.render(figure, "svg", renderer.SIZES["svg"])
    monkeypatch.setattr(kaleido, "calc_fig_sync", real)
    monkeypatch.setattr(renderer, "RENDER_TIMEOUT", 60.0)
    assert b"<svg" in renderer.render(figure, "svg", renderer.SIZES["svg"])
    renderer.shutdown()


def test_a_chart_exports_as_excel_with_filters_and_definitions(client, hand_app):
    import io

    from openpyxl import load_workbook

    name, data = export(client, hand_app, "ef-project", "xlsx", "?country=UGA")
    assert name == "cost-per-member-by-project_UGA_2025-09-30.xlsx"
    book = load_workbook(io.BytesIO(data))
    assert book.sheetnames == ["Cost per member by project", "Filters", "Definitions"]
    sheet = book["Cost per member by project"]
    assert sheet["A1"].value == "Cost per member by project"
    header = [c.value for c in sheet[5]]
    assert header == ["Name", "Series", "Value", "Unit", "Project id", "Organisation"]
    assert [sheet.cell(row=r, column=3).value for r in (6, 7)] == approx([125.0, 250.0])
    # money as on the screen (USD 125.00), though 125 and 250 are whole
    assert sheet.cell(row=6, column=3).number_format == "#,##0.00"
    assert sheet.freeze_panes == "A6"  # the header stays in view
    filters = {row[0].value: row[1].value for row in book["Filters"].iter_rows()}
    assert filters["Filters"] == "Uganda" and filters["As of"] == "2025-09-30"
    ids = [row[0].value for row in book["Definitions"].iter_rows(min_row=2)]
    assert "cost_per_member_usd" in ids


def test_the_page_exports_as_one_workbook_with_a_sheet_per_chart(client, hand_app):
    import io

    from openpyxl import load_workbook

    name, content = page_export(client, "page-xlsx", "", "/")
    assert name == "overview_2025-09-30.xlsx"
    book = load_workbook(io.BytesIO(content))
    assert book.sheetnames == ["Members by country", "Members over time", "Filters", "Definitions"]
    rows = list(book["Members by country"].iter_rows(min_row=6, values_only=True))
    # name, series, value, unit, country code: members by country, by hand (G1+G2+G5+G6 in
    # Uganda).
    members = {r[4]: (r[0], r[2], r[3]) for r in rows}
    assert members == {
        "BDI": ("Burundi", 25, "members"),
        "KEN": ("Kenya", 28, "members"),
        "UGA": ("Uganda", 72, "members"),
    }


def test_the_data_table_downloads_as_excel_with_exact_values(client, hand_app, hand_pool_path):
    import io

    from openpyxl import load_workbook

    download = call(
        client,
        hand_app,
        "data-download.data",
        {"data-xlsx.n_clicks": 1, "url.search": "?table=country"},
        changed=["data-xlsx.n_clicks"],
    )["data-download.data"]
    book = load_workbook(io.BytesIO(base64.b64decode(download["content"])))
    assert book.sheetnames == ["Indicators", "Filters", "Definitions"]
    rows = list(book["Indicators"].iter_rows(values_only=True))
    header = rows[0]
    members = {r[0]: r[header.index("members")] for r in rows[1:]}
    assert members == {"BDI": 25, "KEN": 28, "UGA": 72}
    # Every cell equals what `vsla indicators --by country --format csv` prints.
    cli = cli_rows(hand_pool_path, "--by", "country")
    assert list(header) == list(cli[0])
    assert len(rows) == len(cli)
    for got, want in zip(rows[1:], cli[1:], strict=True):
        for column, cell, text in zip(header, got, want, strict=True):
            if text == "":
                assert cell is None, column
            elif isinstance(cell, int | float):
                assert cell == approx(float(text), rel=1e-12), column
            else:
                assert str(cell) == text, column
    sheet = book["Indicators"]
    formats = {
        sheet.cell(row=1, column=i + 1).value: sheet.cell(row=2, column=i + 1).number_format
        for i in range(len(header))
    }
    assert formats["members"] == "#,##0" and formats["pct_women"] == "0.0%"


def cli_rows(pool, *args: str) -> list[list[str]]:
    """`vsla indicators --format csv` run as a person runs it, parsed."""
    import csv
    import subprocess
    import sys
    from pathlib import Path

    vsla = Path(sys.executable).with_name("vsla")
    out = subprocess.run(
        [str(vsla), "indicators", "--db", str(pool), "--format", "csv", *args],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return list(csv.reader(io.StringIO(out)))


def test_shares_are_per_cent_cells_in_the_workbook(client, hand_app):
    from openpyxl import load_workbook

    _name, data = export(client, hand_app, "pf-attendance_rate", "xlsx")
    sheet = load_workbook(io.BytesIO(data))["Attendance"]
    header = [c.value for c in sheet[5]]
    assert header == ["Name", "Series", "Value", "Unit"]
    spread = ["5th percentile", "Lower quartile", "Median", "Upper quartile", "95th percentile"]
    rows = list(sheet.iter_rows(min_row=6))
    assert [r[1].value for r in rows[:5]] == spread  # the network's box first, in its order
    median = rows[2][2]
    # as the screen writes shares of 10% and more: whole per cents
    assert 0 < median.value <= 1 and median.number_format == "0%"
    assert rows[2][3].value == "% of members"


def table_export(client, table_id: str, fmt: str, search: str) -> tuple[str, bytes]:
    from dashboard.web.components.tables import TABLE_EXPORTS

    payload = {
        "output": f"{table_id}-download.data",
        "outputs": {"id": f"{table_id}-download", "property": "data"},
        "inputs": [
            [
                {
                    "id": {"fmt": f, "id": table_id, "type": "table-export"},
                    "property": "n_clicks",
                    "value": 1 if f == fmt else None,
                }
                for f, _ in TABLE_EXPORTS
            ]
        ],
        "state": [{"id": "url", "property": "search", "value": search}],
        "changedPropIds": [
            json.dumps({"fmt": fmt, "id": table_id, "type": "table-export"}, separators=(",", ":"))
            + ".n_clicks"
        ],
    }
    response = client.post("/_dash-update-component", json=payload)
    assert response.status_code == 200, response.data[:500]
    data = json.loads(response.data)["response"][f"{table_id}-download"]["data"]
    return data["filename"], base64.b64decode(data["content"])


def test_tables_download_as_csv_and_excel_with_what_they_show(client, hand_app):
    import csv

    from openpyxl import load_workbook

    name, data = table_export(client, "pj-trainers", "csv", "?project=UGA-A-01")
    assert name == "trainers_UGA-A-01_2025-09-30.csv"
    lines = data.decode().splitlines()
    assert lines[0] == "# Trainers"
    rows = list(csv.DictReader(line for line in lines if not line.startswith("#")))
    fo1 = next(r for r in rows if r["Trainer"] == "FO-1")
    # FO-1 trained G1 (25 members) and G2 (15), both active on 2025-09-30.
    assert (fo1["Groups"], fo1["Members"]) == ("2", "40")

    name, data = table_export(client, "pj-trainers", "xlsx", "?project=UGA-A-01&currency=DKK")
    book = load_workbook(io.BytesIO(data))
    assert book.sheetnames == ["Trainers", "Filters", "Definitions"]
    sheet = book["Trainers"]
    header = [c.value for c in sheet[5]]
    assert "Savings per member (DKK)" in header
    attendance = sheet.cell(row=6, column=header.index("Attendance") + 1)
    assert attendance.number_format == "0.0%" and 0 < attendance.value <= 1

    # The benchmark table: each row formatted as its indicator (shares as per cent).
    name, data = table_export(client, "cmp-table", "xlsx", "?compare=country")
    assert name == "benchmark-table_2025-09-30.xlsx"
    sheet = load_workbook(io.BytesIO(data))["Benchmark table"]
    rows = {r[0].value: r for r in sheet.iter_rows(min_row=6)}
    # as the page writes them (format_value): 88%, 5.3% (dashboard/web/pages/compare.py)
    assert rows["Women (share)"][2].number_format == "0%"
    assert rows["Portfolio at risk"][2].number_format == "0.0%"
    assert rows["Members"][2].number_format == "#,##0"
    header = [c.value for c in sheet[5]]
    assert header[:2] == ["Indicator", "Unit"] and "Peers' median" in header
    members = {header[i]: rows["Members"][i].value for i in range(2, len(header) - 4)}
    assert members == {"Uganda": 72, "Kenya": 28, "Burundi": 25}
    # the network's value beside them: every group the viewer may see, pooled (72 + 28 + 25)
    assert rows["Members"][header.index("Network")].value == 125

    name, data = table_export(client, "data-quality", "csv", "")
    assert name == "data-quality-by-project_2025-09-30.csv"
    assert "UGA-A-01" in data.decode() or "Alpha Uganda savings" in data.decode()


# --- The server's browser fetches nothing (issue 16: SSRF) ---------------------------------


@pytest.fixture
def listener():
    """An HTTP server on loopback that records every request it gets: where a crafted
    figure or document would make the server's Chromium go."""
    import http.server
    import socketserver
    import threading

    hits: list[str] = []

    class Record(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            hits.append(self.path)
            self.send_response(200)
            self.send_header("Content-Type", "image/png")
            self.end_headers()

        def log_message(self, *_args) -> None:
            pass

    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Record)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    yield base, hits
    server.shutdown()
    server.server_close()


# Every CSS property through which a span's style in a chart's text made the renderer fetch.
FETCHING_STYLES = ("background-image", "mask-image", "fill", "filter", "cursor", "list-style")


def crafted_title(base: str) -> str:
    return "".join(
        f'<span style="{prop}:url({base}/{prop})">{prop}</span>' for prop in FETCHING_STYLES
    )


def test_a_posted_figure_is_never_drawn(client, hand_app, listener):
    """The attack: the chart export request carries a figure whose title makes Chromium
    fetch URLs. The export takes the chart's id and the link only: the posted figure is
    refused with the request, and nothing reaches the listener."""
    base, hits = listener
    figure = {
        "data": [{"type": "bar", "x": [1], "y": ["a"]}],
        "layout": {"title": {"text": crafted_title(base)}, "meta": {"title": "Crafted"}},
    }
    cid = "ef-project"
    payload = export_payload(cid, "svg", "", figure)
    response = client.post("/_dash-update-component", json=payload)
    assert b"Crafted" not in response.data and base.encode() not in response.data
    # The same click as the page sends it (the id and the link) gives the server's own chart.
    name, svg = export(client, hand_app, cid, "svg")
    assert name.startswith("cost-per-member-by-project") and b"Crafted" not in svg
    assert hits == []


def test_the_renderer_has_no_network(listener):
    """Belt and braces: even a figure holding every fetching style, a picture and a loopback
    address (as a name imported before names were checked could) makes Kaleido's Chromium
    fetch nothing."""
    import plotly.graph_objects as go

    base, hits = listener
    fig = go.Figure(go.Bar(x=[1, 2], y=[crafted_title(base), f"<a href='{base}/a'>link</a>"]))
    fig.update_layout(
        title=crafted_title(base),
        images=[{"source": f"{base}/picture.png", "x": 0, "y": 0, "sizex": 1, "sizey": 1}],
    )
    for fmt in ("png", "svg"):
        renderer.render(fig, fmt, renderer.SIZES["svg"])
    assert hits == []


def test_the_pdf_printer_has_no_network(listener):
    """The report's printer: a document that names URLs on loopback, in every way a page
    can, fetches nothing, with or without the report's own policy."""
    from dashboard.exports.report import pdf as printer

    base, hits = listener
    body = (
        f'<img src="{base}/img"><div style="background-image:url({base}/bg)">x</div>'
        f'<link rel="stylesheet" href="{base}/css"><iframe src="{base}/frame"></iframe>'
        f'<script src="{base}/js"></script><img src="http://localhost:{base.rsplit(":", 1)[1]}/n">'
    )
    pdf = printer.pdf_bytes(f"<!DOCTYPE html><html><body>{body}</body></html>")
    assert pdf.startswith(b"%PDF")
    assert hits == []


def test_imported_names_cannot_carry_markup(tmp_path):
    """Names are drawn in charts: < and > are refused at import, by file, row and column."""
    from dashboard.ingest import ImportRejected, import_files
    from tests.ingest_helpers import project, write_csvs

    name = '<span style="background-image:url(http://127.0.0.1:9/x)">Crafted</span>'
    with pytest.raises(ImportRejected) as rejected:
        import_files(
            write_csvs(tmp_path, {"projects": [project(project_name=name)]}), tmp_path / "p"
        )
    issue = next(i for i in rejected.value.issues if i.column == "project_name")
    assert (issue.file, issue.row) == ("projects.csv", 2)
    assert "may not contain < or >" in issue.message


def test_a_render_that_fails_is_tried_once_more_with_a_new_renderer(monkeypatch, caplog):
    """A renderer whose browser failed (a busy machine) is replaced and the figure drawn
    again; a second failure is an error for the person, and the log says why each time."""
    import kaleido
    import plotly.graph_objects as go

    real = kaleido.calc_fig_sync
    calls = []

    def flaky(*args, **kwargs):
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError("browser closed")
        return real(*args, **kwargs)

    monkeypatch.setattr(kaleido, "calc_fig_sync", flaky)
    figure = go.Figure(go.Bar(x=[1, 2], y=[3, 4]))
    svg = renderer.render(figure, "svg", renderer.SIZES["svg"])
    assert b"<svg" in svg and len(calls) == 2
    assert "browser closed" in caplog.text

    def broken(*_args, **_kwargs):
        raise RuntimeError("browser closed again")

    monkeypatch.setattr(kaleido, "calc_fig_sync", broken)
    with pytest.raises(renderer.RenderError):
        renderer.render(figure, "svg", renderer.SIZES["svg"])


def test_an_sdg_trend_exports_like_every_other_chart(client, hand_app):
    """The SDG page's trends (issue 30): each sparkline has a chart's Export menu, and its
    file is the trend whole, its words inside, built on the server from the link. Uganda's
    members as of 2025-09-30: 25 + 15 (UGA-A-01) + 20 + 12 (UGA-B-01) = 72."""
    from dashboard.exports import deck
    from dashboard.web.pages import sdg

    assert "sdg-members" in deck.chart_ids(sdg) and "sdg-pct-women" in deck.chart_ids(sdg)
    body = json.dumps(call(client, hand_app, "sdg-body.children", {"url.search": "?country=UGA"}))
    for fmt, _label in EXPORTS:
        item = {"type": "export", "id": "sdg-members", "fmt": fmt}
        assert json.dumps(item) in body  # the Export menu of a chart, beside the sparkline

    name, csv = export(client, hand_app, "sdg-members", "csv", "?country=UGA")
    lines = (csv.decode() if isinstance(csv, bytes) else csv).splitlines()
    assert name == "members_UGA_2025-09-30.csv"
    assert lines[0] == "# Members"
    assert lines[1].startswith("# Pooled value at each quarter end since ")
    assert lines[1].endswith("; SDG target 1.4")
    assert any(line.startswith("# Uganda.") for line in lines)  # the page's caption
    head = lines.index("series,date,Members")
    rows = [line.split(",") for line in lines[head + 1 :]]
    assert rows[-1] == ["Members", "2025-09-30", "72"]

    name, png = export(client, hand_app, "sdg-pct-women", "slide", "?country=UGA")
    assert name.endswith("_UGA_2025-09-30.png") and png_size(png) == (1920, 1080)


def test_a_stacked_areas_span_adds_bands_of_different_lengths_by_date():
    """Stacked bands add up where their dates meet (plotly stacks by x): a band that starts
    later (an organisation whose groups began in 2024) used to be added by position and
    failed to broadcast, and the chart's file read "could not be drawn"."""
    import plotly.graph_objects as go

    fig = go.Figure(
        [
            go.Scatter(
                x=["2023-12-31", "2024-12-31", "2025-12-31"], y=[10, 20, 30], stackgroup="one"
            ),
            go.Scatter(x=["2024-12-31", "2025-12-31"], y=[5, 7], stackgroup="one"),
        ]
    )
    low, high = framing._value_span(fig, "y")
    assert low == 0.0
    assert high == approx(37 * 1.06)  # 30 + 7 at the last date, plus the 6% plotly adds
