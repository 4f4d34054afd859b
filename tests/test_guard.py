"""Bad requests get 400, not 500 (issue 17): malformed callback bodies are refused before
Dash sees them, with a one-line reason and no traceback in the log; and every response
carries the security headers, with a Content-Security-Policy the pages meet (the browser
tests find no violation on any page)."""

from __future__ import annotations

import json
import logging

import pytest

from tests.dash_client import request_body
from tests.test_exports import export_payload

UPDATE = "/_dash-update-component"


def post(client, body, raw: bool = False):
    data = body if raw else json.dumps(body)
    return client.post(UPDATE, data=data, headers={"Content-Type": "application/json"})


def lead(app, search):
    body = request_body(app, "ov-lead.children", {"url.search": "?country=UGA"})
    body["inputs"][0]["value"] = search
    return body


def unknown_format() -> dict:
    """A click on a chart's export item of a format the menu does not have."""
    body = export_payload("ef-project", "slide")
    item = {"id": {"fmt": "exe", "id": "ef-project", "type": "export"}, "property": "n_clicks"}
    body["inputs"][0] = [{**i, "value": None} for i in body["inputs"][0]] + [item | {"value": 1}]
    body["changedPropIds"] = ['{"fmt":"exe","id":"ef-project","type":"export"}.n_clicks']
    return body


@pytest.mark.parametrize(
    "make",
    [
        pytest.param(lambda app: [], id="a list"),
        pytest.param(lambda app: None, id="null"),
        pytest.param(lambda app: {}, id="an empty object"),
        pytest.param(lambda app: "not json {", id="not JSON"),
        pytest.param(lambda app: "[" * 100_000 + "]" * 100_000, id="nested 100k deep"),
        pytest.param(
            lambda app: {**lead(app, ""), "output": "nope.children"}, id="an unknown output"
        ),
        pytest.param(lambda app: lead(app, 7), id="the query string a number"),
        pytest.param(lambda app: lead(app, ["?country=UGA"]), id="the query string a list"),
        pytest.param(lambda app: lead(app, {"country": "UGA"}), id="the query string a dict"),
        pytest.param(lambda app: {**lead(app, ""), "inputs": []}, id="inputs not the callback's"),
        pytest.param(
            lambda app: {
                **lead(app, ""),
                "inputs": [{"id": "f-country", "property": "value", "value": "UGA"}],
            },
            id="another component's input",
        ),
        pytest.param(lambda app: {**lead(app, ""), "state": "x"}, id="state not a list"),
        pytest.param(
            lambda app: export_payload("ef-project", "slide") | {"inputs": [[{"id": 3}]]},
            id="a pattern-matching input of the wrong shape",
        ),
        pytest.param(lambda app: unknown_format(), id="an export format that does not exist"),
        pytest.param(
            lambda app: export_payload("no-such-chart", "slide"), id="a chart that does not exist"
        ),
    ],
)
def test_malformed_callback_requests_get_400_and_no_traceback(hand_app, admin_client, make, caplog):
    body = make(hand_app)
    with caplog.at_level(logging.INFO):
        response = post(admin_client, body, raw=isinstance(body, str))
    assert response.status_code == 400, response.get_data(as_text=True)[:300]
    assert "Traceback" not in response.get_data(as_text=True)
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


def test_a_good_request_still_answers(hand_app, admin_client):
    response = post(admin_client, lead(hand_app, "?country=UGA"))
    assert response.status_code == 200
    assert json.loads(response.data)["response"]["kpi-members-value"]["children"] == "72"


def test_every_response_carries_the_security_headers(hand_app):
    client = hand_app.server.test_client()
    for path in ("/", "/login", "/assets/10_app.css", "/report/print?project=UGA-A-01"):
        headers = client.get(path).headers
        policy = headers["Content-Security-Policy"]
        assert "default-src 'self'" in policy and "frame-ancestors 'self'" in policy, path
        assert "script-src 'self' 'sha256-" in policy  # Dash's inline scripts by hash only
        assert "unsafe-eval" not in policy and "script-src 'self' 'unsafe-inline'" not in policy
        assert headers["X-Frame-Options"] == "SAMEORIGIN"
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["Referrer-Policy"] == "same-origin"


HOSTILE = ({"a": 1}, [{"a": 1}], "x" * 5000, 12345, -1, 1.5, True, [1, [2]], "", None)


def test_no_hostile_value_of_any_input_gets_a_500(hand_app, admin_client):
    """Every server callback, every input and state, each hostile value in turn (the rest
    empty), in a body of the right shape otherwise: a 400 or an answer, never a 500."""
    from dashboard.web.guard import _declared_outputs

    def _id_text(component: object) -> str:  # (as Dash writes ids in changedPropIds)
        if isinstance(component, dict):
            return json.dumps(component, sort_keys=True, separators=(",", ":"))
        return str(component)

    admin_client.get("/")  # (Dash adds its pages' callbacks at the first request)
    found = []

    def entry(spec: dict, value: object, concrete: dict) -> object:
        if spec["id"].startswith("{"):
            item_id = {
                k: concrete.get(k, "x") if isinstance(v, list) else v
                for k, v in json.loads(spec["id"]).items()
            }
            return [{"id": item_id, "property": spec["property"], "value": value}]
        return {"id": spec["id"], "property": spec["property"], "value": value}

    for key, spec in list(hand_app.callback_map.items()):
        if "callback" not in spec:
            continue  # clientside: runs in the browser
        concrete = {"id": "ef-project", "fmt": "csv", "index": 1}
        outputs = []
        for out in _declared_outputs(key):
            out_id = json.loads(out["id"]) if out["id"].startswith("{") else out["id"]
            if isinstance(out_id, dict):
                out_id = {
                    k: concrete.get(k, "x") if isinstance(v, list) else v for k, v in out_id.items()
                }
            outputs.append({"id": out_id, "property": out["property"]})
        targets = spec.get("inputs", []) + spec.get("state", [])
        for target in targets:
            for value in HOSTILE:
                body = {
                    "output": key,
                    "outputs": outputs if key.startswith("..") else outputs[0],
                    "inputs": [
                        entry(s, value if s is target else None, concrete)
                        for s in spec.get("inputs", [])
                    ],
                    "state": [
                        entry(s, value if s is target else None, concrete)
                        for s in spec.get("state", [])
                    ],
                    "changedPropIds": [],
                }
                item = entry(target, value, concrete)
                item = item[0] if isinstance(item, list) else item
                for changed in ([], [f"{_id_text(item['id'])}.{target['property']}"]):
                    response = post(admin_client, body | {"changedPropIds": changed})
                    if response.status_code >= 500:
                        found.append((key[:50], target["id"][:30], target["property"], value))
    assert found == []
