"""The performance report: its figures against hand calculation on the hand pool, the
printable HTML (self-contained, print CSS) and the server's PDF (pages, numbers, source)."""

from __future__ import annotations

import io
import re
from datetime import date

import pytest
from pypdf import PdfReader

from dashboard.core import i18n
from dashboard.exports.report import data, document
from tests.conftest import _serving, login
from tests.dash_client import call


@pytest.fixture
def client(admin_client):
    """Signed in as the network admin: these tests check values over the whole pool."""
    return admin_client


def test_a_project_report_holds_its_profile_outreach_and_standing(hand_app, as_admin):
    rep = data.build_report("?project=UGA-A-01")
    assert rep.kind == "project" and rep.title == "Alpha Uganda savings"
    profile = dict(rep.profile)
    assert profile["Organisation"] == "Alpha Aid" and profile["Donor"] == "Donor X"
    assert profile["Staff"].startswith("2 field officers, 1 village agents")
    # As of 2025-09-30: G1 (25 members) and G2 (15) are active, G3 is not (365 days old).
    # A year earlier (2024-09-30) only G3 (20 members) had reported.
    headline = {line.label: line for line in rep.headline}
    assert (headline["Members"].now, headline["Members"].then) == ("40", "20")
    assert headline["Members"].change == "+100%" and headline["Members"].tone == "good"
    assert (headline["Groups"].now, headline["Groups"].then) == ("2", "1")
    outreach = {label: value for label, value, _ in rep.outreach}
    # shares to a tenth of a point, as the headline figures show them: youth 10 of the 25
    # members of G1 (G2 does not record youth)
    assert outreach == {"All": "40", "Women": "35", "Men": "5", "Youth": "40.0%"}
    # Cost per member by project: UGA-A-01 38,000,000 UGX / 3,800 / 40 = 250;
    # UGA-B-01 4,000 / 32 = 125; KEN-A-01 1,300,000 KES / 130 / 28 = 357.14; BDI-B-01 has
    # no project report. Quartiles of (125, 250, 357.14): 187.50, 250, 303.57.
    cost = next(s for s in rep.costs if s.indicator == "cost_per_member_usd")
    assert (cost.value, cost.q1, cost.median, cost.q3) == (
        "USD 250.00",
        "USD 187.50",
        "USD 250.00",
        "USD 303.57",
    )
    assert cost.standing == "at the median"
    other = data.build_report("?project=UGA-B-01")
    cost = next(s for s in other.costs if s.indicator == "cost_per_member_usd")
    assert cost.standing == "best quarter" and cost.tone == "good"  # lower cost is better
    assert "the network's 4 projects" in rep.network


def test_standing_reads_the_direction_of_an_indicator():
    assert data._standing(5, 1, 2, 3, direction=1) == "best quarter"
    assert data._standing(5, 1, 2, 3, direction=-1) == "weakest quarter"
    assert data._standing(1.5, 1, 2, 3, direction=-1) == "better than the median"
    assert data._standing(2.5, 1, 2, 3, direction=0) == "above the median"
    assert data._standing(0.5, 1, 2, 3, direction=0) == "below the lower quartile"
    assert data._standing(None, 1, 2, 3, direction=1) == "no value"


def test_the_comparison_date_comes_from_the_link(hand_app, as_admin):
    rep = data.build_report("?project=UGA-A-01&vs=2025-06-30")
    assert rep.vs.isoformat() == "2025-06-30"
    members = next(line for line in rep.headline if line.label == "Members")
    # 30 Jun 2025: G1 (22 members, reported 15 Jun), G2 (15) and G3 (20, reported 273 days
    # earlier) are active.
    assert members.then == "57"


def test_the_printable_report_is_one_self_contained_page(client):
    response = client.get("/report/print?project=UGA-A-01")
    assert response.status_code == 200 and response.mimetype == "text/html"
    page = response.get_data(as_text=True)
    assert "<h1>Alpha Uganda savings</h1>" in page
    assert "@page" in page and "counter(pages)" in page  # page numbers when printed
    assert page.count("<svg") == 4  # the trend charts, inline
    # Nothing is fetched: no external source, stylesheet or font.
    assert not re.search(r"""(src|href)=["']https?:""", page)
    assert not re.search(r"url\((['\"])?https?:", page)
    assert "font/woff2;base64," in page


def test_the_report_prints_to_pdf_on_the_server(client):
    response = client.get("/report/pdf?project=UGA-A-01&vs=2025-06-30")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    disposition = response.headers["Content-Disposition"]
    assert disposition == 'attachment; filename="performance-report_UGA-A-01_2025-09-30.pdf"'
    pdf = PdfReader(io.BytesIO(response.data))
    # one or two pages, then the trainers' annex on a page of its own (the admin sees them)
    assert 2 <= len(pdf.pages) <= 3
    assert "Annex: trainers of Alpha Aid" in pdf.pages[-1].extract_text()
    first = pdf.pages[0].extract_text()
    assert "Alpha Uganda savings" in first
    assert "30 Jun 2025" in first  # the comparison column
    assert f"Page 1 of {len(pdf.pages)}" in first
    assert "Source: pooled savings-group data of the network" in first
    text = "".join(p.extract_text() for p in pdf.pages)
    assert "Performance against the network" in text and "Data quality" in text


def test_the_report_page_links_the_same_view(client, hand_app):
    result = call(client, hand_app, "rp-pdf.href", {"url.search": "?project=UGA-A-01"})
    assert result["rp-pdf.href"] == "/report/pdf?project=UGA-A-01&vs=2024-09-30"
    assert result["rp-preview.src"] == "/report/print?project=UGA-A-01&vs=2024-09-30"
    options = {o["value"]: o["label"] for o in result["rp-vs.options"]}
    assert options["2024-09-30"] == "30 Sep 2024 (a year earlier)"
    assert "2025-09-30" not in options  # not before the as-of date
    assert result["rp-vs.value"] == "2024-09-30"


def test_choosing_a_comparison_date_writes_the_link(client, hand_app):
    chosen = call(
        client,
        hand_app,
        "url.search",
        {"rp-vs.value": "2025-06-30", "url.search": "?project=UGA-A-01"},
        changed=["rp-vs.value"],
        via="rp-vs.value",
    )
    assert list(chosen.values()) == ["?project=UGA-A-01&vs=2025-06-30"]
    back = call(
        client,
        hand_app,
        "url.search",
        {"rp-vs.value": "2024-09-30", "url.search": "?project=UGA-A-01&vs=2025-06-30"},
        changed=["rp-vs.value"],
        via="rp-vs.value",
    )
    assert list(back.values()) == ["?project=UGA-A-01"]  # the default needs no parameter


def test_words_in_the_page_margins_cannot_end_the_stylesheet():
    text = document._css_string('Alpha "A" </style><script>x</script>\nB\\')
    assert "<" not in text and ">" not in text and "\n" not in text
    assert text.startswith('"Alpha \\22 A\\22  \\3C /style\\3E \\3C script\\3E x')
    assert text.endswith('\\A B\\5C "')


# --- Trends leave out points resting on too few groups ----------------------------------------

# One project whose groups start a few at a time: every group reports at each quarter end
# from its first (so stays active), 20 members of whom 15 women, USD 400 savings.
THIN_QUARTERS = (
    # quarter end, groups that start reporting then (active groups in brackets)
    ("2024-03-31", 2),  # (2)
    ("2024-06-30", 6),  # (8)
    ("2024-09-30", 12),  # (20)
    ("2024-12-31", 9),  # (29)
    ("2025-03-31", 1),  # (30)
    ("2025-06-30", 15),  # (45)
    ("2025-09-30", 19),  # (64)
)


@pytest.fixture(scope="module")
def thin_pool_path(tmp_path_factory):
    from dashboard.ingest import import_files
    from tests.conftest import HAND_POOL_DIR

    folder = tmp_path_factory.mktemp("thin")
    src = folder / "csv"
    src.mkdir()
    pid = "THN-UGA-01"
    files = {
        "projects": [
            "project_id,project_name,organisation,partner,country,currency,start_date,"
            "end_date,donor,shared",
            f"{pid},Thin start savings,Thin Aid,,UGA,USD,2023-10-01,,,yes",
        ],
        "groups": [
            "project_id,group_id,group_name,formation_date,trained_by,trainer_id,region,"
            "setting,tags,latitude,longitude"
        ],
        "datasets": [(HAND_POOL_DIR / "datasets.csv").read_text().splitlines()[0]],
        "project_reports": ["project_id,period_end,cost_to_date,field_officers,village_agents"],
    }
    n = 0
    for i, (quarter, new) in enumerate(THIN_QUARTERS):
        files["project_reports"].append(f"{pid},{quarter},{1000 * (i + 1)},1,0")
        for _ in range(new):
            n += 1
            gid = f"G{n}"
            files["groups"].append(
                f"{pid},{gid},Group {n},2024-01-15,field_officer,FO-1,R,rural,,,"
            )
            for later, _new in THIN_QUARTERS[i:]:
                files["datasets"].append(
                    f"{pid},{gid},{later},1,2024-02-01,20,20,15,5,,18,0,400,8,300,0,0,150,0,0,"
                    "0,0,supervised"
                )
    for name, lines in files.items():
        (src / f"{name}.csv").write_text("\n".join(lines) + "\n")
    path = folder / "pool.duckdb"
    import_files([src], path)
    return path


@pytest.fixture
def thin_pool(thin_pool_path, monkeypatch, as_admin):
    from dashboard.analytics import datasource
    from dashboard.pool import db

    monkeypatch.setenv("VSLA_DB", str(thin_pool_path))
    db.reset()
    datasource.clear_cache()
    yield thin_pool_path
    db.reset()
    datasource.clear_cache()


def _drawn(figure):
    """The dates at which a figure draws a value (a point with a y)."""
    return {
        str(x)[:10]
        for trace in figure.data
        if trace.type == "scatter" and trace.x is not None and trace.y is not None
        for x, y in zip(trace.x, trace.y, strict=True)
        if y is not None and y == y
    }


def test_the_report_trends_leave_out_quarters_resting_on_few_groups(thin_pool):
    rep = data.build_report("?project=THN-UGA-01")
    members, savings, women, costs = rep.charts
    # At most 64 active groups: a point needs min(30, 64 // 2) = 30 of them, which the last
    # three quarters have (30, 45, 64); the first four (2, 8, 20, 29) are left out of the
    # ratios. Counts (members and groups) keep every quarter.
    steady = {"2025-03-31", "2025-06-30", "2025-09-30"}
    for figure in (savings, women, costs):
        assert _drawn(figure) == steady, figure.layout.meta["title"]
    assert _drawn(members) == {quarter for quarter, _ in THIN_QUARTERS}
    assert rep.trend_note == "Points resting on fewer than 30 active groups are left out."
    html = document.render_html(rep, svg=lambda figure: "<svg></svg>")
    trends = html[html.index("<h2>Trends</h2>") : html.index("<h2>Data quality")]
    assert "Points resting on fewer than 30 active groups are left out." in trends


def test_a_small_selection_keeps_its_own_trend(hand_app, as_admin):
    # UGA-A-01 has at most 3 active groups at a quarter end (G1, G2 and G3 on 30 Jun 2025): a
    # point needs max(2, 3 // 2) = 2 groups, and the caption says so.
    rep = data.build_report("?project=UGA-A-01")
    assert rep.trend_note == "Points resting on fewer than 2 active groups are left out."


# --- Shares and their changes agree --------------------------------------------------------------


@pytest.mark.parametrize(
    ("now", "then", "shown"),
    [
        # 78.549% and 78.651% print as 78.5% and 78.7%: the change is 78.5 - 78.7 = -0.2
        # points (the unrounded difference, -0.102, would print as -0.1)
        (0.78549, 0.78651, ("78.5%", "78.7%", "-0.2 pp", "flat")),
        # 78.46% and 78.54% both print as 78.5%: no change (unrounded -0.08 would be -0.1)
        (0.7846, 0.7854, ("78.5%", "78.5%", "no change", "flat")),
        # 81.26% against 78.74%: 81.3 - 78.7 = +2.6 points, beyond the 2-point tolerance
        (0.8126, 0.7874, ("81.3%", "78.7%", "+2.6 pp", "good")),
    ],
)
def test_a_share_changes_by_the_difference_of_the_figures_shown(
    hand_app, as_admin, monkeypatch, now, then, shown
):
    from dashboard.views.view import read_view

    def now_and_then(view, vs):
        return {"pct_women": now, "groups": 10}, {"pct_women": then, "groups": 10}

    monkeypatch.setattr(data, "now_and_then", now_and_then)
    view = read_view("?project=UGA-A-01")
    women = next(line for line in data._headline(view, date(2024, 9, 30)) if line.label == "Women")
    assert (women.now, women.then, women.change, women.tone) == shown


def _points(text: str) -> float:
    return float(text.replace("%", "").replace("pp", "").strip())


def test_every_share_of_the_report_agrees_with_its_change(demo_app):
    from dashboard.access.policy import ADMIN
    from dashboard.access.viewer import acting_as

    with acting_as(ADMIN):
        lines = [
            line
            for search in ("", "?organisation=Nordlys Aid", "?country=UGA&vs=2026-06-30")
            for line in data.build_report(search).headline
            if line.now.endswith("%")
        ]
    assert len(lines) >= 6  # women and youth in each
    for line in lines:
        if line.change == "no change":
            assert line.now == line.then
        elif line.change.endswith("pp"):
            assert _points(line.change) == pytest.approx(_points(line.now) - _points(line.then))


# --- One to two pages ------------------------------------------------------------------------


# (demo_pool_path: tests/conftest.py, a small demo pool shared by the session)


@pytest.fixture(scope="module")
def busiest(demo_pool_path):
    """The demo's organisation with the most projects (the longest profile and quality
    table)."""
    from dashboard.pool.files import open_pool

    con = open_pool(demo_pool_path)
    try:
        return con.execute(
            "SELECT organisation FROM projects GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1"
        ).fetchone()[0]
    finally:
        con.close()


@pytest.fixture
def demo_app(demo_pool_path, monkeypatch):
    yield from _serving(demo_pool_path, monkeypatch)


def _lowest_text(page) -> float:
    """How far down a PDF page its text reaches above the footer, as a share of the page's
    height (0 at the top, 1 at the bottom)."""
    height = float(page.mediabox.height)
    ys = []

    def visit(text, cm, tm, font, size):
        y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
        if text.strip() and y > 20 * 72 / 25.4:  # above the footer (15 mm margin)
            ys.append(y)

    page.extract_text(visitor_text=visit)
    return 1 - min(ys) / height


@pytest.mark.parametrize("lang", ["en", "da"])
def test_an_organisation_report_prints_on_one_or_two_full_pages(busiest, demo_app, lang):
    client = demo_app.server.test_client()
    assert login(client, "admin").status_code == 303
    for search in (f"organisation={busiest}", ""):  # and the whole network
        response = client.get(f"/report/pdf?{search}&lang={lang}")
        assert response.status_code == 200, response.get_data(as_text=True)
        pdf = PdfReader(io.BytesIO(response.data))
        # the report, then (an organisation's) the trainers' annex on pages of its own
        with i18n.using(lang):
            annex = i18n._("Annex: trainers of {organisations}").split("{")[0]
        pages = next(
            (i for i, page in enumerate(pdf.pages) if annex in page.extract_text()),
            len(pdf.pages),
        )
        assert (pages < len(pdf.pages)) == bool(search), (search, lang)
        assert 1 <= pages <= 2, (search, lang)
        if pages == 2:  # no half-empty first page (a table pushed to the next)
            assert _lowest_text(pdf.pages[0]) > 0.75, (search, lang)


def test_the_link_may_ask_the_trends_for_every_quarter(thin_pool):
    """points=all (the panel's "Every quarter"): the thin quarters are drawn too, and the
    note says so."""
    rep = data.build_report("?project=THN-UGA-01&points=all")
    every = {quarter for quarter, _ in THIN_QUARTERS}
    for figure in rep.charts:
        assert _drawn(figure) == every, figure.layout.meta["title"]
    assert rep.trend_note.startswith("Every quarter is shown")
