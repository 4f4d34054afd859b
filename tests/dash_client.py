"""Call a Dash callback the way the browser does: POST /_dash-update-component.

Used by the callback tests (through Flask's test client, the real Dash server code) and by
the gunicorn test (real HTTP)."""

from __future__ import annotations

import json
from typing import Any

from dash import Dash


def _parse_id(text: str) -> Any:
    return json.loads(text) if text.startswith("{") else text


def _outputs(key: str) -> list[dict[str, Any]]:
    parts = key.removeprefix("..").removesuffix("..").split("...")
    out = []
    for part in parts:
        component, prop = part.rsplit(".", 1)
        out.append({"id": _parse_id(component), "property": prop})
    return out


def find_callback(app: Dash, output: str, via: str | None = None) -> str:
    """The callback_map key of the callback writing `output` (e.g. "ov-lead.children");
    with `via` ("id.property"), the one of the callbacks writing it that has that input
    (for outputs written by several, with allow_duplicate)."""
    if via is None:
        keys = [k for k in app.callback_map if output in k and "@" not in k.split(output)[1][:1]]
    else:
        keys = [
            k
            for k, spec in app.callback_map.items()
            if output in k and any(f"{i['id']}.{i['property']}" == via for i in spec["inputs"])
        ]
    if not keys:
        raise KeyError(f"No callback writes {output}" + (f" from {via}" if via else ""))
    return keys[0]


def request_body(
    app: Dash,
    output: str,
    values: dict[str, Any],
    changed: list[str] | None = None,
    via: str | None = None,
) -> dict[str, Any]:
    """The JSON the browser sends; `values` maps "id.property" to the input/state values
    (missing ones are None). `changed` lists the inputs that triggered (default: all given)."""
    key = find_callback(app, output, via)
    spec = app.callback_map[key]

    def items(kind: str) -> list[dict[str, Any]]:
        return [
            {
                "id": i["id"],
                "property": i["property"],
                "value": values.get(f"{i['id']}.{i['property']}"),
            }
            for i in spec[kind]
        ]

    outputs = _outputs(key)
    return {
        "output": key,
        "outputs": outputs if key.startswith("..") else outputs[0],
        "inputs": items("inputs"),
        "state": items("state"),
        "changedPropIds": changed if changed is not None else list(values),
    }


def call(
    client: Any,
    app: Dash,
    output: str,
    values: dict[str, Any],
    changed: list[str] | None = None,
    via: str | None = None,
) -> dict[str, Any]:
    """POST the callback through a Flask test client; returns {"id.property": value}."""
    body = request_body(app, output, values, changed, via)
    response = client.post("/_dash-update-component", json=body)
    assert response.status_code in (200, 204), response.data[:2000]
    if response.status_code == 204:
        return {}
    return flatten(json.loads(response.data))


def flatten(payload: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for component, props in payload["response"].items():
        for prop, value in props.items():
            out[f"{component}.{prop}"] = value
    return out


def chart(result: dict[str, Any], cid: str) -> dict[str, Any]:
    """The figure of chart card `cid` in a callback result."""
    key = json.dumps({"id": cid, "type": "chart"}, separators=(",", ":"))
    for k, v in result.items():
        if (
            k.startswith("{")
            and k.endswith(".figure")
            and json.loads(k[: -len(".figure")])
            == {
                "id": cid,
                "type": "chart",
            }
        ):
            return v
    raise KeyError(key)


def components_by_id(tree: object) -> dict[str, dict[str, Any]]:
    """Every component of a layout (as Dash sends it) by its id (a dict id as sorted JSON)."""
    found: dict[str, dict[str, Any]] = {}

    def walk(node: object) -> None:
        if isinstance(node, list):
            for item in node:
                walk(item)
        elif isinstance(node, dict) and "props" in node:
            props = node["props"]
            cid = props.get("id")
            if cid is not None:
                found[json.dumps(cid, sort_keys=True) if isinstance(cid, dict) else cid] = props
            for value in props.values():
                walk(value)

    walk(tree)
    return found
