"""Issue 28, "one network, one verdict": one colour per organisation on every chart, a
member's own organisation as the default focus, captions of what each chart shows, and the
guest's one sentence at the top of every page.

Colours: the hand pool has two organisations, Alpha Aid and Beta Relief, sorted so that
Beta Relief takes the palette's second colour (orange) everywhere; before, a selection's
trend was drawn in the palette's first (blue) whatever its organisation. The sharing pool
(tests/conftest.py) has three, each with a member account: East Fund (blue), North Aid
(orange), South Relief (green), 30 groups in all, North Aid's 14 (8 + 6) in two projects of
one trainer each."""

from __future__ import annotations

import json
from typing import Any

import pytest

from dashboard.core import theme
from dashboard.web.components import guest
from dashboard.web.pages import compare, efficiency, overview, performance, projects
from tests.conftest import _serving, login
from tests.dash_client import call, chart, components_by_id

ORANGE = theme.OKABE_ITO[1]


@pytest.fixture
def build(hand_app, as_admin):
    """A page's content for a link, as the administrator (who sees every group)."""

    def run(module, search):
        return module.build(search)

    return run


def colour_of(trace: Any) -> Any:
    """A line's colour, or a marker's (one colour or one per point)."""
    if trace.type == "scatter" and trace.mode == "lines":
        return trace.line.color
    return trace.marker.color


def by_name(figure: Any, name: str) -> list[Any]:
    return [t for t in figure.data if t.name == name]


# --- One colour per organisation --------------------------------------------------------------


def test_an_organisation_has_the_same_colour_on_every_page(build):
    """Beta Relief is orange in the performance boxes and trend, in the efficiency bars
    (its own and its projects') and trend, in the overview's stacked members, among the
    compared dots and in its project's trends."""
    from dashboard.views.view import organisation_colours

    assert organisation_colours()["Beta Relief"] == ORANGE
    assert organisation_colours()["Alpha Aid"] == theme.OKABE_ITO[0]

    chosen = build(performance, "?organisation=Beta+Relief")
    trend = chosen.charts["pf-trend"].figure
    assert {colour_of(t) for t in by_name(trend, "Beta Relief")} == {ORANGE}
    assert {colour_of(t) for t in by_name(trend, "Network")} == {theme.NETWORK_GREY}
    boxes = build(performance, "").charts["pf-savings_per_member_usd"].figure
    diamonds = next(t for t in boxes.data if t.type == "scatter")
    assert dict(zip(diamonds.y, diamonds.marker.color, strict=True))["Beta Relief"] == ORANGE

    costs = build(efficiency, "")
    bars = costs.charts["ef-org"].figure.data[0]
    assert dict(zip(bars.y, bars.marker.color, strict=True))["Beta Relief"] == ORANGE
    project_bars = costs.charts["ef-project"].figure.data[0]
    colours = dict(zip(project_bars.y, project_bars.marker.color, strict=True))
    assert colours["Beta Uganda groups"] == ORANGE  # (BDI-B-01 has no cost: no bar)
    assert {colours[n] for n in colours if n.startswith("Alpha")} == {theme.OKABE_ITO[0]}
    assert {colour_of(t) for t in by_name(costs.charts["ef-trend"].figure, "Beta Relief")} == {
        ORANGE
    }

    members = build(overview, "").charts["ov-trend"].figure
    (band,) = by_name(members, "Beta Relief")
    assert band.fillcolor == ORANGE and band.line.color == ORANGE

    dots = build(compare, "?pick=Alpha+Aid&pick=Beta+Relief").charts["cmp-dots"].figure
    assert {t.marker.color for t in by_name(dots, "Beta Relief")} == {ORANGE}
    assert {t.marker.color for t in by_name(dots, "Alpha Aid")} == {theme.OKABE_ITO[0]}

    project = build(projects, "?project=UGA-B-01")
    outreach = project.charts["pj-outreach"].figure
    assert {t.line.color for t in outreach.data} == {ORANGE}
    savings = project.charts["pj-savings"].figure
    assert [t.line.color for t in by_name(savings, "Network")] == [theme.NETWORK_GREY]
    assert {t.line.color for t in savings.data if t.name != "Network"} == {ORANGE}


def test_the_reports_trends_of_an_organisation_are_in_its_colour(build):
    """The report's four trends of Beta Relief: orange, as on the pages (they were blue, or
    grey, the network's colour, for the members and groups)."""
    from dashboard.exports.report import data as report_data
    from dashboard.views.view import read_view

    charts, _need = report_data._charts(read_view("?organisation=Beta+Relief"))
    assert len(charts) == 4
    for figure in charts:
        drawn = [t for t in figure.data if t.name != "Network"]
        assert drawn and {t.line.color for t in drawn} == {ORANGE}, figure.layout.meta
    whole, _need = report_data._charts(read_view(""))
    assert {t.line.color for t in whole[0].data} == {theme.NETWORK_GREY}  # the network's


def test_a_selection_of_several_organisations_keeps_the_first_colour(build):
    """Two organisations (or a country) chosen: no one organisation's colour to take."""
    from dashboard.views.view import read_view, selection_colour

    assert selection_colour(read_view("?organisation=Alpha+Aid&organisation=Beta+Relief")) is None
    assert selection_colour(read_view("?country=UGA")) is None
    assert selection_colour(read_view("?project=BDI-B-01")) == ORANGE
    assert selection_colour(read_view("?country=UGA&organisation=Beta+Relief")) == ORANGE
    trend = build(performance, "?country=UGA").charts["pf-trend"].figure
    assert {colour_of(t) for t in trend.data if t.name != "Network"} == {theme.OKABE_ITO[0]}


# --- A member's own organisation is the default focus -----------------------------------------


def client_as(app: Any, who: str | None) -> Any:
    client = app.server.test_client()
    if who:
        assert login(client, who).status_code == 303
    return client


KPI = "pf-savings_per_member_usd-value.children"  # (an output of the page's callback)


@pytest.fixture
def demo_app(demo_pool_path, tmp_path, monkeypatch):
    """The dashboard on the small demo pool (8 organisations; every box drawn), with its
    demo accounts in a user store of its own."""
    monkeypatch.setenv("VSLA_USERS", str(tmp_path / "users.sqlite"))
    yield from _serving(demo_pool_path, monkeypatch)


def demo_member(app: Any, organisation: str) -> Any:
    from dashboard.access.demo_accounts import demo_username

    client = app.server.test_client()
    name = demo_username(organisation)
    assert login(client, name, f"demo-{name}").status_code == 303
    return client


def test_performance_highlights_a_members_own_organisation(demo_app):
    """Nordlys Aid's member sees its diamonds in its colour and the other organisations'
    muted, and its own trend in its colour against the network's; the administrator's
    boxes mute none, and its trend is the network's own."""
    from dashboard.views.view import organisation_colours

    colour = organisation_colours()["Nordlys Aid"]
    nordlys = demo_member(demo_app, "Nordlys Aid")
    result = call(nordlys, demo_app, KPI, {"url.search": ""})
    figure = chart(result, "pf-savings_per_member_usd")
    diamonds = next(t for t in figure["data"] if t["type"] == "scatter")
    opacity = dict(zip(diamonds["y"], diamonds["marker"]["opacity"], strict=True))
    assert opacity["Nordlys Aid"] == 1.0 and opacity["Network"] == 1.0
    others = {k: v for k, v in opacity.items() if k not in ("Nordlys Aid", "Network")}
    assert len(others) == 7 and set(others.values()) == {theme.MUTED_OPACITY}
    colours = dict(zip(diamonds["y"], diamonds["marker"]["color"], strict=True))
    assert colours["Nordlys Aid"] == colour
    trend = chart(result, "pf-trend")
    lines = {t["name"]: t["line"]["color"] for t in trend["data"]}
    assert lines == {"Nordlys Aid": colour, "Network": theme.NETWORK_GREY}

    admin = demo_app.server.test_client()
    assert login(admin, "admin", "demo-admin").status_code == 303
    result = call(admin, demo_app, KPI, {"url.search": ""})
    boxes = chart(result, "pf-savings_per_member_usd")["data"]
    assert "opacity" not in next(t for t in boxes if t["type"] == "scatter")["marker"]
    assert len({t["name"] for t in chart(result, "pf-trend")["data"]}) == 1  # the network


def test_the_overview_names_a_members_organisation_chosen(demo_app):
    nordlys = demo_member(demo_app, "Nordlys Aid")
    chosen = call(
        nordlys, demo_app, "ov-title.children", {"url.search": "?organisation=Nordlys+Aid"}
    )
    assert chosen["ov-title.children"] == "Nordlys Aid"
    whole = call(nordlys, demo_app, "ov-title.children", {"url.search": ""})
    assert whole["ov-title.children"] == "Savings groups in the network"


def test_compare_opens_with_a_members_own_organisation(sharing_app):
    """/compare without a query: North Aid against its peers for North Aid's member, its own
    projects by project, the three largest organisations for the administrator."""
    north = client_as(sharing_app, "north")
    opened = call(north, sharing_app, "cmp-pick.options", {"url.search": ""})
    assert opened["cmp-pick.value"] == ["North Aid"]
    by_project = call(north, sharing_app, "cmp-pick.options", {"url.search": "?compare=project"})
    assert by_project["cmp-pick.value"] == ["NOR-UGA-01", "NOR-KEN-01"]  # (8 and 6 groups)
    # a choice in the link or the filters wins
    chosen = call(north, sharing_app, "cmp-pick.options", {"url.search": "?pick=East+Fund"})
    assert chosen["cmp-pick.value"] == ["East Fund"]
    admin = client_as(sharing_app, "admin")
    whole = call(admin, sharing_app, "cmp-pick.options", {"url.search": ""})
    assert whole["cmp-pick.value"] == ["North Aid", "South Relief", "East Fund"]  # 14, 9, 7


@pytest.mark.parametrize(
    ("search", "heading"),
    [
        ("", "Savings groups in the network"),
        ("?organisation=North+Aid", "North Aid"),
        ("?country=UGA", "Uganda"),
        ("?organisation=North+Aid&country=KEN", "North Aid · Kenya"),
        ("?project=NOR-KEN-01", "NOR-KEN-01 savings"),
    ],
)
def test_the_overviews_heading_names_the_selection(sharing_app, search, heading):
    north = client_as(sharing_app, "north")
    result = call(north, sharing_app, "ov-title.children", {"url.search": search})
    assert result["ov-title.children"] == heading
    # the page opened from the link comes with it (drawn on the server, in one answer)
    opened = call(north, sharing_app, "page-content.children",
                  {"url.pathname": "/", "url.search": search}, ["url.pathname"])  # fmt: skip
    assert components_by_id(opened["page-content.children"])["ov-title"]["children"] == heading


# --- Captions describe the chart they sit under -----------------------------------------------


def test_a_chart_of_every_organisation_counts_every_organisations_groups(sharing_app):
    """With North Aid chosen, /compare's dots and /efficiency's organisation bars show every
    organisation: their captions count the 30 groups, not North Aid's 14; the charts of North
    Aid alone keep its 14."""
    admin = client_as(sharing_app, "admin")
    search = {"url.search": "?organisation=North+Aid"}
    caption = call(admin, sharing_app, "cmp-pick.options", search)["cmp-dots-caption.children"]
    assert "30 active groups" in caption and "14 active groups" not in caption
    assert caption.startswith("All groups.")
    costs = call(admin, sharing_app, "ef-note.color", search)
    assert "30 active groups" in costs["ef-org-caption.children"]
    assert costs["ef-project-caption.children"].startswith("North Aid. 14 active groups.")


def test_the_trainer_caption_describes_a_members_own_organisation(sharing_app):
    """A member's trainer report holds its own organisation's trainers: its caption names the
    organisation and counts its trainers (2 of the pool's 5), not the network's."""
    north = client_as(sharing_app, "north")
    result = call(north, sharing_app, "pj-trainers.children", {"url.search": ""})
    listed = json.dumps(result["pj-trainers.children"])
    assert "FO-NOR-UGA-01" in listed and "FO-NOR-KEN-01" in listed
    assert "FO-SOU" not in listed and "FO-EAS" not in listed
    caption = result["pj-trainers-caption.children"]
    assert caption.startswith("North Aid: 2 trainers, 0 flagged;")
    assert "shown to their own organisation only" in caption
    assert "perturbed" not in caption  # (its own groups only)
    # the other charts of the page are of everything the member may see
    assert not result["pj-choose.value"]


def test_the_trainer_file_has_the_same_caption(sharing_app):
    """The file's table is the page's: the same two trainers (8 and 6 groups) under the same
    caption."""
    from dashboard.access.policy import Viewer
    from dashboard.access.viewer import acting_as
    from dashboard.analytics import trainers
    from dashboard.views.view import read_view

    with acting_as(Viewer("member", "North Aid", "north")):
        table = projects.trainers_table("")
        view = read_view("")
        caption = projects.trainer_caption(view, trainers.report(view))
    assert table.caption == caption
    assert table.caption.startswith("North Aid: 2 trainers, 0 flagged;")
    assert {(r["trainer_id"], r["groups"]) for r in table.rows} == {
        ("FO-NOR-UGA-01", 8),
        ("FO-NOR-KEN-01", 6),
    }


# --- The guest's sentence ---------------------------------------------------------------------


def frame(client: Any, referer: str = "") -> dict[str, dict[str, Any]]:
    """The frame of every page as the server sends it (its layout), by component id."""
    headers = {"Referer": referer} if referer else {}
    response = client.get("/_dash-layout", headers=headers)
    assert response.status_code == 200
    return components_by_id(json.loads(response.data))


def words(node: Any) -> str:
    """The text of a component tree as Dash sends it."""
    if isinstance(node, str):
        return node
    if isinstance(node, list):
        return "".join(words(n) for n in node)
    if isinstance(node, dict):
        return words(node.get("props", {}).get("children", ""))
    return ""


def test_a_guest_is_told_what_a_guest_sees_with_a_link_that_reaches_it(sharing_app):
    """A guest's frame (drawn by the server with the page, before any callback) holds the
    sentence and a link to the glossary's section on it; the glossary page has that section;
    a member's frame has no sentence."""
    guest_client = client_as(sharing_app, None)
    parts = frame(guest_client)
    note = parts[guest.NOTE_ID]
    text = words(note["children"])
    assert text.startswith("As a guest you see only the projects that organisations share")
    assert "slightly perturbed" in text and "signing in adds your own organisation" in text
    link = parts["guest-note-link"]
    assert link["href"] == "/glossary#guests" and words(link["children"]) == "What a guest sees"
    # the link's target: the glossary page, as the router draws it, has the section
    page = call(guest_client, sharing_app, "page-content.children",
                {"url.pathname": "/glossary", "url.search": ""}, ["url.pathname"])  # fmt: skip
    section = components_by_id(page["page-content.children"])[guest.ANCHOR]
    assert "signing in" in words(section["children"]).lower()
    # in the frame, not written by any callback (so it cannot move the page when it arrives)
    assert not any(guest.NOTE_ID in key for key in sharing_app.callback_map)
    # above the page's content: drawn before the body of the page
    layout = guest_client.get("/_dash-layout").get_data(as_text=True)
    assert layout.index(guest.NOTE_ID) < layout.index('"page-content"')

    member = frame(client_as(sharing_app, "north"))
    assert guest.NOTE_ID not in member and "guest-note-link" not in member


@pytest.mark.parametrize(
    ("lang", "start", "link", "title"),
    [
        ("da", "Som gæst ser du kun", "Hvad en gæst ser", "Hvad en gæst ser, og hvad et login"),
        ("fr", "En tant qu'invité", "Ce que voit un invité", "Ce que voit un invité, et ce"),
    ],
)
def test_the_guests_sentence_is_in_the_pages_language(sharing_app, lang, start, link, title):
    client = client_as(sharing_app, None)
    parts = frame(client, referer=f"http://localhost/performance?lang={lang}")
    assert words(parts[guest.NOTE_ID]["children"]).startswith(start)
    assert parts["guest-note-link"]["href"] == f"/glossary?lang={lang}#guests"
    assert words(parts["guest-note-link"]["children"]) == link
    values = {"url.pathname": "/glossary", "url.search": f"?lang={lang}"}
    page = call(client, sharing_app, "page-content.children", values, ["url.pathname"])
    section = components_by_id(page["page-content.children"])[guest.ANCHOR]
    assert words(section["children"]).startswith(title)
