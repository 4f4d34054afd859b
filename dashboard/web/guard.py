"""What every request meets before the dashboard: malformed callback requests are answered
400 (not a 500 with a traceback), and every response carries the security headers.

A callback request (POST /_dash-update-component) is what the browser sends when a control
changes; anything else in that shape is hostile or broken. Before Dash sees it, the body must
be JSON of at most MAX_DEPTH levels, an object naming one of the app's server callbacks by
its output, with its outputs, inputs and state in the shape that callback declares (the same
ids and properties; pattern-matching ones as lists), and the values of the properties the
dashboard reads of the right kind (the link's query string and path are text, a click count
a whole number, a control's value text, a number or a list of them). Otherwise: 400 Bad
Request, a one-line reason, nothing logged as an error.

Security headers: a Content-Security-Policy that the pages meet (scripts from this site
and Dash's own inline scripts by their hashes, no eval; styles from this site and inline,
as plotly.js draws; images and fonts from this site or data: URIs; connections to this site
only; framed by this site only), X-Frame-Options, X-Content-Type-Options and a referrer
policy.
"""

from __future__ import annotations

import json
import logging
from typing import Any

import flask
from dash import Dash

from dashboard.web.responses import UPDATE_PATH

log = logging.getLogger(__name__)
MAX_DEPTH = 64  # levels of nesting a callback request may have (Dash's need a handful)

# The properties whose values the dashboard's callbacks read, and what they may hold: the
# JSON types, and for a list the types of its items (no list inside a list, no object).
_TEXT = (str, type(None))
_SCALAR = (str, int, float)
PROPERTY_TYPES: dict[str, tuple[tuple[type, ...], tuple[type, ...]]] = {
    "search": (_TEXT, ()),
    "pathname": (_TEXT, ()),
    "href": (_TEXT, ()),
    "hash": (_TEXT, ()),
    "n_clicks": ((int, type(None)), ()),
    "is_open": ((bool, type(None)), ()),
    "value": ((*_SCALAR, list, type(None)), _SCALAR),  # a control's choice(s)
    "filename": ((str, list, type(None)), (str,)),
    "contents": ((str, list, type(None)), (str,)),
    "clickData": ((dict, type(None)), ()),
    "data": ((dict, type(None)), ()),  # (a chart's click, passed on: shell.drill_down)
}


class BadCallback(ValueError):
    """Why a callback request is refused (one line, for the 400 answer)."""


def _depth(value: Any, limit: int) -> None:
    """Raises BadCallback when `value` nests deeper than `limit` (iteratively: a deep value
    must not exhaust the stack that checks it)."""
    stack = [(value, 1)]
    while stack:
        item, level = stack.pop()
        if level > limit:
            raise BadCallback(f"the request nests more than {limit} levels deep")
        if isinstance(item, dict):
            stack.extend((v, level + 1) for v in item.values())
        elif isinstance(item, list):
            stack.extend((v, level + 1) for v in item)


def _parse(body: bytes) -> Any:
    """JSON of at most MAX_DEPTH levels (Python's parser gives up on deeper nesting with a
    RecursionError, caught here too)."""
    try:
        value = json.loads(body)
    except (ValueError, RecursionError) as exc:
        raise BadCallback("the request is not JSON (or nests too deep)") from exc
    _depth(value, MAX_DEPTH)
    return value


def _entries(declared: list[dict[str, Any]], given: Any, kind: str) -> list[dict[str, Any]]:
    """The request's inputs (or state), checked against the callback's declared ones; the
    flat list of their {id, property, value} items."""
    if not isinstance(given, list) or len(given) != len(declared):
        raise BadCallback(f"its {kind} are not the callback's (how many)")
    out = []
    for spec, entry in zip(declared, given, strict=True):
        want_id = spec["id"]
        if isinstance(want_id, str) and want_id.startswith("{"):  # a pattern-matching id
            want_id = json.loads(want_id)
        wildcard = isinstance(want_id, dict)
        items = entry if wildcard and isinstance(entry, list) else [entry]
        for item in items:
            prop = item.get("property") if isinstance(item, dict) else None
            if not isinstance(prop, str) or prop.split("@")[0] != spec["property"].split("@")[0]:
                raise BadCallback(f"its {kind} are not the callback's")
            if wildcard:
                if not isinstance(item.get("id"), dict) or set(item["id"]) != set(want_id):
                    raise BadCallback(f"its {kind} are not the callback's")
                for key, want in want_id.items():
                    got = item["id"][key]
                    if not isinstance(want, list) and got != want:  # (a wildcard is a list)
                        raise BadCallback(f"its {kind} are not the callback's")
                    if not isinstance(got, str | int | float):
                        raise BadCallback(f"its {kind} are not the callback's")
            elif item.get("id") != want_id:
                raise BadCallback(f"its {kind} are not the callback's")
            out.append(item)
    return out


def _declared_outputs(key: str) -> list[dict[str, Any]]:
    """A callback's outputs from its key ("id.prop", or "..a.p...b.q.." for several)."""
    parts = key[2:-2].split("...") if key.startswith("..") else [key]
    out = []
    for part in parts:
        component, prop = part.rsplit(".", 1)
        out.append({"id": component, "property": prop})
    return out


def check_callback(app: Dash, body: bytes) -> None:
    """Raises BadCallback unless `body` is a callback request the app can take."""
    request = _parse(body)
    if not isinstance(request, dict):
        raise BadCallback("the request is not a callback's")
    output = request.get("output")
    spec = app.callback_map.get(output) if isinstance(output, str) else None
    if spec is None or "callback" not in spec:  # (a clientside one runs in the browser)
        raise BadCallback("the request names no callback of this dashboard")
    outputs = request.get("outputs")
    if not output.startswith(".."):  # one output: an object, not a list of one
        if isinstance(outputs, list):
            raise BadCallback("its outputs are not the callback's")
        outputs = [outputs]
    _entries(_declared_outputs(output), outputs, "outputs")
    items = _entries(spec.get("inputs", []), request.get("inputs"), "inputs")
    items += _entries(spec.get("state", []), request.get("state", []), "state")
    changed = request.get("changedPropIds", [])
    if not isinstance(changed, list) or not all(isinstance(c, str) for c in changed):
        raise BadCallback("its changed properties are not a list of names")
    for item in items:
        _check_value(item["property"], item.get("value"))


def _check_value(prop: str, value: Any) -> None:
    rule = PROPERTY_TYPES.get(prop)
    if rule is None:
        return
    allowed, items = rule
    if isinstance(value, bool) and bool not in allowed:  # (a bool is an int to Python)
        raise BadCallback(f"{prop} has a value of the wrong type")
    if not isinstance(value, allowed):
        raise BadCallback(f"{prop} has a value of the wrong type")
    if isinstance(value, list) and not all(
        isinstance(v, items) and not isinstance(v, bool) for v in value
    ):
        raise BadCallback(f"{prop} holds values of the wrong type")
    if prop == "n_clicks" and isinstance(value, int) and value < 0:
        raise BadCallback("a click count is never negative")
    if prop == "pathname" and isinstance(value, str) and not value.startswith("/"):
        raise BadCallback("a page's path starts with /")


# --- Headers ---------------------------------------------------------------------------------


def content_security_policy(app: Dash) -> str:
    scripts = " ".join(app.csp_hashes())  # (each quoted already: 'sha256-...')
    return "; ".join(
        (
            "default-src 'self'",
            f"script-src 'self' {scripts}".strip(),
            "style-src 'self' 'unsafe-inline'",  # (plotly.js and Dash set inline styles)
            "img-src 'self' data: blob:",
            "font-src 'self' data:",
            "connect-src 'self'",
            "frame-src 'self'",
            "frame-ancestors 'self'",
            "object-src 'none'",
            "base-uri 'self'",
            "form-action 'self'",
        )
    )


def register(app: Dash) -> None:
    """Check callback requests and set the security headers (call after every callback,
    clientside ones included, is registered, and before responses.register)."""
    server = app.server
    policy: list[str] = []  # made at the first response: Dash adds inline scripts of its own
    # (the pages' title callback) as it sets itself up for the first request

    @server.before_request
    def checked() -> flask.Response | None:
        request = flask.request
        if request.method != "POST" or not request.path.endswith(UPDATE_PATH):
            return None
        try:
            check_callback(app, request.get_data(cache=True))
        except BadCallback as exc:
            log.info("Refused a callback request (400): %s", exc)
            return flask.Response(
                f"Bad request: {exc}.\n", status=400, mimetype="text/plain; charset=utf-8"
            )
        return None

    @server.after_request
    def headers(response: flask.Response) -> flask.Response:
        if not policy:
            policy.append(content_security_policy(app))
        response.headers.setdefault("Content-Security-Policy", policy[0])
        response.headers.setdefault("X-Frame-Options", "SAMEORIGIN")
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        return response
