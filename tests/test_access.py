"""Who sees what, checked where it cannot be bypassed: every request below is what a
browser could send (crafted callback payloads, export and report URLs), as a guest, as a
member of each organisation and as the admin.

The sharing pool (tests/conftest.py), every group with 20 members as of 2025-09-30:
North Aid shares NOR-UGA-01 (8 groups) and NOR-KEN-01 (6); South Relief keeps SOU-UGA-01 (6)
private and shares SOU-TZA-01 (3: Tanzania has 3 groups only); East Fund shares EAS-UGA-01
(7). Figures resting on 1 to 4 groups of other organisations are not shown; figures that
include others' groups are perturbed (dashboard.analytics.disclosure): a sum of members moves by its
groups' permanent noise (each group's 20 members by 10.6 to 19.4 %: at most 0.194 of the sum)
and by the cell key's noise, at most 0.2 x 20 + 1.5 (rounding to 3) + 1 (F) = 6.5 here (20
members per group); never by 0."""

from __future__ import annotations

import base64
import json
import re
from io import BytesIO

import pytest

from tests.conftest import login
from tests.dash_client import call, chart, components_by_id

PRIVATE = "SOU-UGA-01"
SUPPRESSED = "fewer than 5 groups"
NOISE = 6.5  # the most the cell key moves a sum of members in this pool (above)
PERMANENT = 0.19375  # the most a group's permanent noise moves its members (a share)


def about(value: object, true: int) -> bool:
    """A perturbed figure of members: within the noise of the true one, and not it."""
    shown = float(str(value).replace(",", ""))
    return shown.is_integer() and shown != true and abs(shown - true) <= PERMANENT * true + NOISE


def client_as(app, who: str | None):
    client = app.server.test_client()
    if who:
        assert login(client, who).status_code == 303
    return client


def members(client, app, search: str = "") -> str:
    """The members tile's text (a suppressed figure is a span saying so)."""
    value = call(client, app, "ov-lead.children", {"url.search": search})[
        "kpi-members-value.children"
    ]
    return value["props"]["children"] if isinstance(value, dict) else value


def by_country(client, app) -> dict[str, object]:
    rows = call(client, app, "data-table.rowData", {"url.search": "?table=country"})
    return {r["name"]: r["members"] for r in rows["data-table.rowData"]}


@pytest.mark.parametrize(
    ("who", "total"),
    [
        (None, 480),  # guest: the 24 groups of shared projects
        ("north", 480),  # its own 14 and the 10 others share
        ("south", 600),  # its private project too
        ("east", 480),
    ],
)
def test_each_viewer_sees_its_own_and_the_shared_projects(sharing_app, who, total):
    # others' groups are in every total: perturbed (the admin's is exact, below)
    assert about(members(client_as(sharing_app, who), sharing_app), total)


def test_the_admin_and_an_organisation_s_own_figures_are_exact(sharing_app):
    assert members(client_as(sharing_app, "admin"), sharing_app) == "600"
    assert members(client_as(sharing_app, "north"), sharing_app, "?organisation=North+Aid") == "280"
    assert members(client_as(sharing_app, "south"), sharing_app, f"?project={PRIVATE}") == "120"


def test_small_cells_of_others_are_suppressed_with_their_complement(sharing_app):
    guest = by_country(client_as(sharing_app, None), sharing_app)
    # Tanzania rests on 3 groups; Kenya (6) goes too, or Tanzania = total - Uganda - Kenya.
    assert set(guest) == {"Uganda", f"Kenya ({SUPPRESSED})", f"Tanzania ({SUPPRESSED})"}
    assert about(guest["Uganda"], 300)  # others' groups: perturbed
    assert guest[f"Kenya ({SUPPRESSED})"] is None and guest[f"Tanzania ({SUPPRESSED})"] is None
    north = by_country(client_as(sharing_app, "north"), sharing_app)
    # North knows its own Kenya (no one else's groups): Uganda, where East's 7 groups are,
    # is the complement of Tanzania instead.
    assert north == {
        f"Uganda ({SUPPRESSED})": None,
        "Kenya": 120,  # its own: exact
        f"Tanzania ({SUPPRESSED})": None,
    }
    south = by_country(client_as(sharing_app, "south"), sharing_app)
    assert south["Tanzania"] == 60  # its own 3 are its own, exact
    assert about(south["Uganda"], 420) and about(south["Kenya"], 120)  # with others' groups
    admin = by_country(client_as(sharing_app, "admin"), sharing_app)
    assert admin == {"Uganda": 420, "Kenya": 120, "Tanzania": 60}


def test_the_map_and_the_box_plots_hide_small_cells(sharing_app):
    """The map leaves out Tanzania (3 of others' groups); a box across groups with others'
    groups needs 30 of them (dashboard.analytics.disclosure.SPREAD_GROUPS): none of this pool's has
    as
    many, so a guest sees no box, and North sees only its own Kenya's."""
    client = client_as(sharing_app, None)
    result = call(client, sharing_app, "ov-lead.children", {"url.search": ""})
    assert chart(result, "ov-map")["data"][0]["locations"] == ["UGA"]
    search = {"url.search": "?by=country"}
    result = call(client, sharing_app, '"pf-savings_per_member_usd"', search)
    assert chart(result, "pf-savings_per_member_usd")["data"] == []
    north = client_as(sharing_app, "north")
    result = call(north, sharing_app, '"pf-savings_per_member_usd"', search)
    (box,) = [t for t in chart(result, "pf-savings_per_member_usd")["data"] if t["type"] == "box"]
    assert list(box["y"]) == ["Kenya"]


@pytest.mark.parametrize("who", [None, "north"])
def test_a_link_to_a_private_project_falls_back_with_a_notice(sharing_app, who):
    client = client_as(sharing_app, who)
    # the filter dropped: the viewer's shared view (with others' groups, so perturbed)
    assert about(members(client, sharing_app, f"?project={PRIVATE}"), 480)
    sync = call(
        client, sharing_app, "notices.children", {"url.search": f"?project={PRIVATE}"}, changed=[]
    )
    assert PRIVATE in json.dumps(sync["notices.children"])
    options = [o["value"] for o in sync["f-project.options"]]
    assert PRIVATE not in options and "NOR-UGA-01" in options


@pytest.mark.parametrize(("who", "shown"), [(None, None), ("north", None), ("south", "120")])
def test_a_page_opened_from_a_link_is_the_viewer_s_view(sharing_app, who, shown):
    """The page opened from a link comes drawn (issue 20), by the same scoped view as its
    callback: a link to another's private project opens on the viewer's own view."""
    client = client_as(sharing_app, who)
    opened = call(client, sharing_app, "page-content.children",
                  {"url.pathname": "/", "url.search": f"?project={PRIVATE}"})  # fmt: skip
    tile = components_by_id(opened["page-content.children"])["kpi-members-value"]["children"]
    value = members(client, sharing_app, f"?project={PRIVATE}")
    assert tile == value  # the tile as the callback draws it
    if shown is None:
        assert about(value, 480)
    else:
        assert value == shown


def test_the_owner_sees_its_private_project(sharing_app):
    assert members(client_as(sharing_app, "south"), sharing_app, f"?project={PRIVATE}") == "120"


@pytest.mark.parametrize("who", [None, "north"])
def test_no_table_or_export_carries_a_private_project(sharing_app, who):
    from pptx import Presentation

    from tests.test_exports import page_export

    client = client_as(sharing_app, who)
    table = call(client, sharing_app, "data-table.rowData", {"url.search": "?table=project"})
    assert PRIVATE not in json.dumps(table)
    download = call(
        client,
        sharing_app,
        "data-download.data",
        {"data-csv.n_clicks": 1, "url.search": f"?table=project&project={PRIVATE}"},
        changed=["data-csv.n_clicks"],
    )["data-download.data"]
    assert PRIVATE not in download["content"]
    page = client.get(f"/report/print?project={PRIVATE}").get_data(as_text=True)
    assert PRIVATE not in page
    _name, deck = page_export(client, "page-pptx", f"?project={PRIVATE}", "/efficiency")
    text = " ".join(
        shape.text_frame.text
        for slide in Presentation(BytesIO(deck)).slides
        for shape in slide.shapes
        if shape.has_text_frame
    )
    assert PRIVATE not in text


def test_trainers_are_shown_for_the_viewers_own_projects_only(sharing_app):
    def trainers(who, search=""):
        result = call(
            client_as(sharing_app, who), sharing_app, "pj-trainers.children", {"url.search": search}
        )
        # each trainer's button (its groups): "project/trainer_id"
        found = re.findall(r'"index": "([^"]+)"', json.dumps(result["pj-trainers.children"]))
        return {key.partition("/")[2] for key in found}

    assert trainers("north") == {"FO-NOR-UGA-01", "FO-NOR-KEN-01"}
    assert trainers("north", "?organisation=South+Relief") == set()
    assert trainers(None) == set()
    assert trainers(None, "?organisation=North+Aid") == set()
    # the admin lists one organisation's or project's trainers (not the whole network's)
    assert trainers("admin") == set()
    assert trainers("admin", "?organisation=South+Relief") == {"FO-SOU-UGA-01", "FO-SOU-TZA-01"}
    assert trainers("admin", "?project=EAS-UGA-01") == {"FO-EAS-UGA-01"}


def test_import_provenance_is_for_admins(sharing_app):
    def imports(who):
        rows = call(
            client_as(sharing_app, who), sharing_app, "data-imports.rowData", {"url.search": ""}
        )
        return rows["data-imports.rowData"]

    assert imports(None) == [] and imports("south") == [] and len(imports("admin")) == 1


def test_signing_out_ends_access(sharing_app):
    client = client_as(sharing_app, "south")
    assert about(members(client, sharing_app), 600)
    token = re.search(
        r'name="csrf" value="([^"]+)"', client.get("/login").get_data(as_text=True)
    ).group(1)
    assert client.post("/logout", data={"csrf": token}).status_code == 303
    assert about(members(client, sharing_app), 480)


def test_a_removed_user_loses_access_at_once(sharing_app):
    from dashboard.access.users import UserStore

    store = UserStore()
    store.add("temp", "a long password", "member", "South Relief")
    client = sharing_app.server.test_client()
    assert login(client, "temp", "a long password").status_code == 303
    assert about(members(client, sharing_app), 600)
    store.remove("temp")
    assert about(members(client, sharing_app), 480)


def test_a_forged_session_cookie_is_ignored(sharing_app):
    client = sharing_app.server.test_client()
    payload = base64.urlsafe_b64encode(json.dumps({"user": "admin"}).encode()).decode()
    client.set_cookie("vsla_session", payload.rstrip("=") + ".AAAAAA.forged", domain="localhost")
    assert about(members(client, sharing_app), 480)


def test_a_guest_of_the_hand_pool_sees_only_suppressed_headlines(hand_app):
    # Every shared project there has fewer than 5 groups: nothing small is shown.
    assert members(client_as(hand_app, None), hand_app) == SUPPRESSED


def test_blanks_of_a_table_always_rest_on_five_or_more_groups_together():
    from dashboard.analytics.datasource import protect

    def blanks(counts: dict[str, int]) -> set[str]:
        rows = [{"country": k, "members": 1} for k in counts]
        foreign = {(k, None): n for k, n in counts.items()}
        return {r["country"] for r in protect(rows, foreign, "country") if r.get("suppressed")}

    # 1 + 2 others' groups would be the total minus the rows shown: C (10) goes too.
    assert blanks({"A": 1, "B": 2, "C": 10, "D": 0, "E": 12}) == {"A", "B", "C"}
    # 3 + 4 = 7 together: enough, nothing more.
    assert blanks({"A": 3, "B": 4, "C": 10}) == {"A", "B"}
    # The viewer's own rows (no one else's groups) are never blanked.
    assert blanks({"A": 2, "D": 0}) == {"A"}
    assert blanks({"A": 5, "B": 0}) == set()


# --- Fail closed: without a request, nobody is the admin by default ---------------------------


def test_code_without_a_request_or_a_viewer_sees_what_a_guest_sees(sharing_app):
    from dashboard.access.policy import ADMIN, GUEST
    from dashboard.access.viewer import acting_as, current_viewer
    from dashboard.analytics import datasource
    from dashboard.core.filters import Filters

    assert current_viewer() == GUEST
    shared = {"NOR-UGA-01", "NOR-KEN-01", "SOU-TZA-01", "EAS-UGA-01"}
    assert {p.project_id for p in datasource.facts().projects} == shared
    rows = datasource.indicator_rows(Filters(), "project")
    assert PRIVATE not in {r["project"] for r in rows}
    with acting_as(ADMIN):  # on purpose only
        assert PRIVATE in {p.project_id for p in datasource.facts().projects}
        assert PRIVATE in {r["project"] for r in datasource.indicator_rows(Filters(), "project")}
    assert current_viewer() == GUEST  # and only inside the block


def test_a_request_is_never_widened_by_acting_as(sharing_app):
    """acting_as is for code outside a request: a request's viewer is its session's."""
    from dashboard.access.policy import ADMIN
    from dashboard.access.viewer import acting_as

    with acting_as(ADMIN):
        assert about(members(client_as(sharing_app, None), sharing_app), 480)


def test_the_command_line_acts_as_the_administrator(sharing_pool_path, capsys):
    from dashboard.cli import main

    assert main(["indicators", "--db", str(sharing_pool_path), "--by", "project"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert PRIVATE in {r["project"] for r in rows}
