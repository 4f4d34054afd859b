"""Who sees what, checked where it cannot be bypassed: every request below is what a
browser could send (crafted callback payloads, export and report URLs), as a guest, as a
member of Alpha Aid, of Beta Relief, and as the admin.

The hand pool: Alpha Aid shares UGA-A-01 (G1, G2 active: 40 members) and KEN-A-01 (G4: 28);
Beta Relief keeps UGA-B-01 private (G5, G6: 32 members) and shares BDI-B-01 (G7: 25)."""

from __future__ import annotations

import base64
import json

import pytest

from tests.conftest import login
from tests.dash_client import call

PRIVATE = "UGA-B-01"
PRIVATE_NAME = "Beta Uganda groups"


def client_as(app, who: str | None):
    client = app.server.test_client()
    if who:
        assert login(client, who).status_code == 303
    return client


def members(client, app, search: str) -> str:
    return call(client, app, "ov-lead.children", {"url.search": search})[
        "kpi-members-value.children"
    ]


@pytest.mark.parametrize(
    ("who", "everything", "uganda"),
    [
        (None, "93", "40"),  # guest: the shared projects only
        ("alpha", "93", "40"),  # Alpha's own (both shared) and Beta's shared one
        ("beta", "125", "72"),  # Beta's own private one too
        ("admin", "125", "72"),
    ],
)
def test_each_viewer_sees_its_own_and_the_shared_projects(hand_app, who, everything, uganda):
    client = client_as(hand_app, who)
    assert members(client, hand_app, "") == everything
    assert members(client, hand_app, "?country=UGA") == uganda


@pytest.mark.parametrize("who", [None, "alpha"])
def test_a_link_to_a_private_project_falls_back_with_a_notice(hand_app, who):
    client = client_as(hand_app, who)
    result = call(client, hand_app, "ov-lead.children", {"url.search": f"?project={PRIVATE}"})
    assert result["kpi-members-value.children"] == "93"  # not 32: the filter was dropped
    sync = call(
        client, hand_app, "notices.children", {"url.search": f"?project={PRIVATE}"}, changed=[]
    )
    notices = json.dumps(sync["notices.children"])
    assert PRIVATE in notices
    options = [o["value"] for o in sync["f-project.options"]]
    assert PRIVATE not in options and "UGA-A-01" in options
    assert PRIVATE_NAME not in json.dumps(sync)


def test_the_owner_sees_its_private_project(hand_app):
    client = client_as(hand_app, "beta")
    assert members(client, hand_app, f"?project={PRIVATE}") == "32"


@pytest.mark.parametrize("who", [None, "alpha"])
def test_no_table_or_export_carries_a_private_project(hand_app, who):
    client = client_as(hand_app, who)
    table = call(client, hand_app, "data-table.rowData", {"url.search": "?table=project"})
    assert PRIVATE not in json.dumps(table)
    download = call(
        client,
        hand_app,
        "data-download.data",
        {"data-csv.n_clicks": 1, "url.search": f"?table=project&project={PRIVATE}"},
        changed=["data-csv.n_clicks"],
    )["data-download.data"]
    assert PRIVATE not in download["content"] and PRIVATE_NAME not in download["content"]
    page = client.get(f"/report/print?project={PRIVATE}").get_data(as_text=True)
    assert PRIVATE_NAME not in page and PRIVATE not in page

    from tests.test_exports import page_export

    _name, deck = page_export(client, "page-pptx", f"?project={PRIVATE}", "/efficiency")
    from io import BytesIO

    from pptx import Presentation

    text = " ".join(
        shape.text_frame.text
        for slide in Presentation(BytesIO(deck)).slides
        for shape in slide.shapes
        if shape.has_text_frame
    )
    assert PRIVATE_NAME not in text and PRIVATE not in text


def test_trainers_are_shown_for_the_viewers_own_projects_only(hand_app):
    rows = call(client_as(hand_app, "alpha"), hand_app, "pj-trainers.rowData", {"url.search": ""})
    trainers = {r["trainer"] for r in rows["pj-trainers.rowData"]}
    assert trainers == {"FO-1", "VA-1"}  # Alpha's active groups' trainers; not FO-5 or FO-9
    guest = call(client_as(hand_app, None), hand_app, "pj-trainers.rowData", {"url.search": ""})
    assert guest["pj-trainers.rowData"] == []
    admin = call(client_as(hand_app, "admin"), hand_app, "pj-trainers.rowData", {"url.search": ""})
    assert {"FO-5", "FO-9"} <= {r["trainer"] for r in admin["pj-trainers.rowData"]}


def test_import_provenance_is_for_admins(hand_app):
    guest = call(client_as(hand_app, None), hand_app, "data-imports.rowData", {"url.search": ""})
    admin = call(client_as(hand_app, "admin"), hand_app, "data-imports.rowData", {"url.search": ""})
    assert guest["data-imports.rowData"] == [] and len(admin["data-imports.rowData"]) >= 1


def test_signing_out_ends_access(hand_app):
    client = client_as(hand_app, "beta")
    assert members(client, hand_app, "") == "125"
    page = client.get("/login").get_data(as_text=True)
    import re

    token = re.search(r'name="csrf" value="([^"]+)"', page).group(1)
    assert client.post("/logout", data={"csrf": token}).status_code == 303
    assert members(client, hand_app, "") == "93"


def test_a_removed_user_loses_access_at_once(hand_app, hand_users_path):
    from dashboard.auth import UserStore

    store = UserStore(hand_users_path)
    store.add("temp", "a long password", "member", "Beta Relief")
    client = hand_app.server.test_client()
    assert login(client, "temp", "a long password").status_code == 303
    assert members(client, hand_app, "") == "125"
    store.remove("temp")
    assert members(client, hand_app, "") == "93"


def test_a_forged_session_cookie_is_ignored(hand_app):
    client = hand_app.server.test_client()
    payload = base64.urlsafe_b64encode(json.dumps({"user": "admin"}).encode()).decode()
    client.set_cookie("vsla_session", payload.rstrip("=") + ".AAAAAA.forged", domain="localhost")
    assert members(client, hand_app, "") == "93"
