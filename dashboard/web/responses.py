"""Rendered answers, kept: a page's answer to a link is the same for everyone who may see
the same data, until the next import.

A callback whose only input is the URL's query string (and which reads no state) draws a
view of (the link, the viewer, the pool): every page's main callback is one. Its answer, the
JSON Dash sends, is kept in the cache (dashboard.analytics.cache, kind "responses": the process's,
or
Redis shared by every worker and host) under a key of the request, the viewer (who they are,
which projects they may see), the pool's data version and the software's version. Repeating a
view then costs a lookup instead of queries, figures and serialisation. Everything else
(downloads, imports, sign-in) is answered as usual.

So is the router's answer for a page drawn with the view of its link (`drawn_paths`: the
pages of the page model, whose layout holds nothing but that view, server._page_layout),
unless the page could not be drawn (`dont_keep`).
"""

from __future__ import annotations

import json
from typing import Any

import flask
from dash import Dash

from dashboard import __version__
from dashboard.analytics import cache, datasource
from dashboard.core import i18n
from dashboard.pool import db

UPDATE_PATH = "/_dash-update-component"


def view_callbacks(app: Dash) -> set[str]:
    """The output keys of the callbacks that are views of the link alone."""
    keys = set()
    for key, spec in app.callback_map.items():
        inputs = [(i["id"], i["property"]) for i in spec.get("inputs", [])]
        if inputs == [("url", "search")] and not spec.get("state"):
            keys.add(key)
    return keys


def _viewer_key() -> tuple[Any, ...]:
    who = datasource.viewer()
    return (
        who.role,
        who.organisation,
        who.username,
        datasource._visible(),
        datasource._visible(detail=True),
    )


ROUTE = "page-content.children"  # the router's output (shell.route)


def dont_keep() -> None:
    """This request's answer is not a view to keep (a page that could not be drawn)."""
    flask.g.view_key = None


def _drawn_page(request: Any, paths: frozenset[str]) -> bool:
    """The router's request for a page drawn with its view (one of `paths`)."""
    for item in request.get("inputs") or ():
        if (
            isinstance(item, dict)
            and item.get("id") == "url"
            and item.get("property") == ("pathname")
        ):
            path = item.get("value")
            return isinstance(path, str) and ((path.rstrip("/") or "/") in paths)
    return False


def register(app: Dash, drawn_paths: frozenset[str] = frozenset()) -> None:
    """Serve repeated views from the cache (call after every callback is registered)."""
    views = view_callbacks(app)
    server = app.server

    @server.before_request
    def cached_view() -> flask.Response | None:
        request = flask.request
        if request.method != "POST" or not request.path.endswith(UPDATE_PATH):
            return None
        body = request.get_data(cache=True)
        try:
            parsed = json.loads(body)
            output = parsed.get("output")
        except (ValueError, AttributeError):
            return None
        if output not in views and not (output == ROUTE and _drawn_page(parsed, drawn_paths)):
            return None
        try:
            key = cache.key_of(
                (__version__, db.pool_version(), _viewer_key(), i18n.current(), body)
            )
        except Exception:
            return None
        flask.g.view_key = key
        kept = cache.backend("responses").get(key)
        if kept is cache.MISSING:
            return None
        return flask.Response(kept, mimetype="application/json")

    @server.after_request
    def keep_view(response: flask.Response) -> flask.Response:
        key = flask.g.pop("view_key", None)
        if key and response.status_code == 200 and not response.direct_passthrough:
            cache.backend("responses").set(key, response.get_data())
        return response
