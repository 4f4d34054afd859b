"""/pack, the board pack's page (dashboard/web/pages/pack.py), through the real Dash endpoint
on the hand pool: the link's charts as cards in order, moving, removing and retitling them
(each a new link), what the link cannot use said in words, and the workbook made from the
link. The deck and the PDF themselves: tests/test_pack.py."""

from __future__ import annotations

import base64
import io
import json
from typing import Any
from urllib.parse import unquote

import openpyxl

from tests.conftest import login
from tests.dash_client import _outputs, call, find_callback, flatten

THREE = (
    "?title=June%20board"
    "&item=ef-trend:%3Forganisation%3DAlpha%2520Aid"
    "&item=ov-trend:%3Forganisation%3DAlpha%2520Aid:Our%20members%3A%20up"
    "&item=or-members:"
)


def _cards(result: dict[str, Any]) -> list[dict[str, Any]]:
    cards = result["pk-cards.children"]
    return cards if isinstance(cards, list) else []


def _titles(cards: list[dict[str, Any]]) -> list[str]:
    """The slide titles of the cards, in order (their inputs' values)."""
    found = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            props = node.get("props", {})
            ident = props.get("id")
            if isinstance(ident, dict) and ident.get("type") == "pk-item-title":
                found.append(props.get("value"))
            for value in props.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(cards)
    return found


def _show(client: Any, app: Any, search: str) -> dict[str, Any]:
    return call(client, app, "pk-cards.children", {"url.search": search, "url.pathname": "/pack"})


def _edit(
    client: Any, app: Any, search: str, fired: Any, changed: dict[str, Any], n: int = 3
) -> str | None:
    """A press or an edit on the pack page, as the browser sends it: `changed` maps the
    properties of the control `fired` that changed to their values (the cards' buttons and
    title inputs go as lists of `n`); the new link, or None (nothing written)."""
    key = find_callback(app, "url.search", via="pk-title.value")
    spec = app.callback_map[key]

    def entry(ident: Any, prop: str) -> dict[str, Any]:
        value = changed.get(prop) if ident == fired else None
        return {"id": ident, "property": prop, "value": value}

    inputs: list[Any] = []
    for i in spec["inputs"]:
        ident = json.loads(i["id"]) if i["id"].startswith("{") else i["id"]
        if isinstance(ident, dict):  # (ALL: one entry per card)
            kind = ident["type"]
            inputs.append([entry({"index": k, "type": kind}, i["property"]) for k in range(n)])
        else:
            inputs.append(entry(ident, i["property"]))
    state = [
        {"id": "url", "property": "search", "value": search},
        {"id": "url", "property": "pathname", "value": "/pack"},
    ]
    name = fired if isinstance(fired, str) else json.dumps(fired, separators=(",", ":"))
    body = {
        "output": key,
        "outputs": _outputs(key)[0],
        "inputs": inputs,
        "state": state,
        "changedPropIds": [f"{name}.{prop}" for prop in changed],
    }
    response = client.post("/_dash-update-component", json=body)
    assert response.status_code in (200, 204), response.data[:2000]
    if response.status_code == 204:
        return None
    return flatten(json.loads(response.data)).get("url.search")


def test_the_link_s_charts_are_cards_in_order_with_their_slide_titles(hand_app):
    client = hand_app.server.test_client()
    assert login(client, "alpha").status_code == 303
    result = _show(client, hand_app, THREE)
    cards = _cards(result)
    assert len(cards) == 3
    titles = _titles(cards)
    # the finding in words (hand calculation: tests/test_pack.py), the edited title as edited
    assert titles[0] == "Alpha Aid: cost per member rose 106% since 31 Dec 2024 to USD 294"
    assert titles[1] == "Our members: up"
    assert result["pk-title.value"] == "June board"
    assert result["pk-notices.children"] == []


def test_what_the_link_cannot_use_is_said_in_words_and_shown_as_text(hand_app):
    client = hand_app.server.test_client()
    hostile = "?item=no-such-chart:&item=ov-trend::%3Cscript%3Ealert(1)%3C%2Fscript%3E"
    result = _show(client, hand_app, hostile)
    notices = json.dumps(result["pk-notices.children"])
    assert "no-such-chart" in notices
    # the title is a plain value of an input (Dash writes it as text), never markup
    assert _titles(_cards(result)) == ["<script>alert(1)</script>"]


def test_moving_removing_and_retitling_write_a_new_link(hand_app):
    client = hand_app.server.test_client()
    assert login(client, "alpha").status_code == 303
    moved = _edit(client, hand_app, THREE, {"index": 0, "type": "pk-down"}, {"n_clicks": 1})
    assert moved is not None
    items = [unquote(p[5:]).split(":")[0] for p in moved[1:].split("&") if p.startswith("item=")]
    assert items == ["ov-trend", "ef-trend", "or-members"]
    removed = _edit(client, hand_app, moved, {"index": 2, "type": "pk-remove"}, {"n_clicks": 1})
    assert removed is not None and "or-members" not in removed
    title = {"index": 1, "type": "pk-item-title"}
    # a card drawn anew sets its title's value only: no edit
    assert _edit(client, hand_app, removed, title, {"value": "Costs"}, n=2) is None
    retitled = _edit(client, hand_app, removed, title, {"value": "Costs", "n_submit": 1}, n=2)
    assert retitled is not None and retitled.endswith(":Costs")
    # the slide of key figures asked for, and no longer
    asked = _edit(client, hand_app, retitled, "pk-kpis", {"value": ["kpis"]}, n=2)
    assert asked is not None and "kpis=1" in asked
    assert "kpis=1" not in (_edit(client, hand_app, asked, "pk-kpis", {"value": []}, n=2) or "")
    # a button drawn with the cards is no press
    assert (
        _edit(client, hand_app, THREE, {"index": 0, "type": "pk-remove"}, {"n_clicks": None})
        is None
    )


def test_the_workbook_is_made_from_the_link(hand_app):
    client = hand_app.server.test_client()
    assert login(client, "alpha").status_code == 303
    values = {"pk-xlsx.n_clicks": 1, "url.search": THREE}
    result = call(client, hand_app, "pk-download.data", values, changed=["pk-xlsx.n_clicks"])
    download = result["pk-download.data"]
    assert download["filename"].endswith(".xlsx")
    book = openpyxl.load_workbook(io.BytesIO(base64.b64decode(download["content"])))
    assert len(book.sheetnames) >= 3 + 1  # a sheet per chart, then the definitions
    assert result["pk-status.children"] == ""
