"""What the site says to visitors who are not using a page, and to crawlers and monitors: an
address that is no page answers 404, robots.txt, an X-Robots-Tag header and the pages' meta
description.

- **Not found**: Dash answers every GET address it has no route for with the app's page (its
  catch-all route), so a mistyped link, an old bookmark or a scanner's probe looked like a
  page (200). The catch-all's view is wrapped: an address that is not a registered page
  (the router's own test, shell.route: exact, a trailing slash allowed) gets the same page
  with status 404, whose entry point holds a short notice and a link to the overview until
  the app draws its frame (the navigation, and the router's own "Page not found" notice).
  Every route of its own (sign-in, reports, the import template, assets, Dash's `_dash-*`)
  is untouched: only the catch-all is wrapped.
- **Component files**: a request for a file Dash does not serve under
  `/_dash-component-suites/` (an unknown package, a path that is not one of its registered
  files, `../` included) raised an exception in Dash, a 500 with a traceback in the log. It
  is answered 404, with one warning line in the log. Nothing but a registered file of a
  registered package is ever read (Dash's own check, before any file is opened).
- **robots.txt**: the whole site disallowed, and every response marked
  `X-Robots-Tag: noindex, nofollow`, unless $VSLA_ALLOW_INDEXING is true (config.py): then
  the pages may be indexed, but not the sign-in page nor the exports.
- **Description**: the pages' `<meta name="description">` (and Open Graph's), in the
  visitor's language; the sign-in page carries the same (login.py).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import dash
import flask
from dash import Dash
from dash.exceptions import DependencyException

from dashboard.core import config
from dashboard.core.i18n import N_, _
from dashboard.exports import templating

log = logging.getLogger(__name__)

DESCRIPTION = N_(
    "Outreach, women's membership, financial performance and cost per member of savings "
    "groups across the network's projects."
)
NOT_FOUND = N_("Page not found")
NOT_FOUND_TEXT = N_("This page does not exist.")
TO_OVERVIEW = N_("Go to the overview")
NOINDEX = "noindex, nofollow"
MISSING = "vsla_page_missing"  # flask.g: this request is for no page (the index says so)
CATCHALL = "<path:path>"  # Dash's catch-all route (backends/_flask.py: setup_catchall)
SUITES = "_dash-component-suites/<string:package_name>/<path:fingerprinted_path>"


def description() -> str:
    """The site's description, in the language of the request."""
    return _(DESCRIPTION)


def missing() -> bool:
    """Whether the request being answered is for an address that is no page."""
    return flask.has_request_context() and bool(flask.g.get(MISSING))


def not_found_entry(prefix: str) -> str:
    """The app's entry point for an address that is no page: the notice, shown until the
    app has drawn its frame (and without scripts), in the request's language. The link
    keeps the address's query string (its language and view), as the router's does."""
    query = flask.request.query_string.decode("utf-8", "replace")
    return templating.render(
        "not_found.html",
        heading=_(NOT_FOUND),
        text=_(NOT_FOUND_TEXT),
        home=prefix + ("?" + query if query else ""),
        link=_(TO_OVERVIEW),
    )


def not_found_title() -> str:
    site = _("Savings groups network")
    return f"{_(NOT_FOUND)} · {site}"


def page_paths() -> frozenset[str]:
    """The paths of the registered pages (relative to the app's prefix)."""
    return frozenset(page["path"] for page in dash.page_registry.values())


def is_page(path: str, paths: frozenset[str]) -> bool:
    """Whether the catch-all's `path` (relative to the prefix, without its leading slash)
    is a page, as the router (shell.route) finds one."""
    return (("/" + path).rstrip("/") or "/") in paths


def robots_txt(allow: bool, prefix: str, closed: tuple[str, ...] = ()) -> str:
    """Everything disallowed; or, with indexing allowed, everything but the `closed` paths
    (signing in and out, the exports). (Crawlers read only the host's /robots.txt: an app
    served under a prefix answers it there, and the proxy in front must serve the host's.)"""
    if not allow:
        return "User-agent: *\nDisallow: /\n"
    lines = ["User-agent: *", f"Allow: {prefix}"]
    lines += [f"Disallow: {prefix}{path.lstrip('/')}" for path in closed]
    return "\n".join(lines) + "\n"


def _wrap(server: flask.Flask, endpoint: str, wrapper: Callable[..., Any]) -> None:
    view = server.view_functions.get(endpoint)
    if view is None:  # (Dash names its routes by their rule: a new Dash may not)
        raise RuntimeError(f"Dash has no route {endpoint!r} to wrap")
    server.view_functions[endpoint] = wrapper(view)


def register(app: Dash, closed: tuple[str, ...] = ()) -> None:
    """The 404s, robots.txt and the robots header (call after the pages are registered).
    `closed`: the paths never to index (robots.txt), even when indexing is allowed."""
    server = app.server
    routes = str(app.config.routes_pathname_prefix)
    public = str(app.config.requests_pathname_prefix)  # (the address the browser sees)
    paths = page_paths()
    allow = config.allow_indexing()

    def pages_only(view: Callable[..., Any]) -> Callable[..., Any]:
        def page_or_not_found(*args: Any, **kwargs: Any) -> Any:
            if is_page(str(kwargs.get("path", "")), paths):
                return view(*args, **kwargs)
            flask.g.setdefault(MISSING, True)
            response = flask.make_response(view(*args, **kwargs))
            response.status_code = 404
            return response

        return page_or_not_found

    def known_files(view: Callable[..., Any]) -> Callable[..., Any]:
        def component_file(package_name: str, fingerprinted_path: str) -> Any:
            try:
                return view(package_name, fingerprinted_path)
            except (DependencyException, FileNotFoundError):
                log.warning(
                    "No component file %r of %r: answered 404",
                    fingerprinted_path[:120],
                    package_name[:60],
                )
                return flask.Response("Not found.\n", status=404, mimetype="text/plain")

        return component_file

    _wrap(server, routes + CATCHALL, pages_only)
    _wrap(server, routes + SUITES, known_files)

    text = robots_txt(allow, public, closed)

    @server.route(routes + "robots.txt")
    def robots() -> flask.Response:
        return flask.Response(text, mimetype="text/plain")

    @server.route(routes + "favicon.ico")
    def favicon() -> Any:
        """The icon a browser asks for where a page names none (the sign-in page, the
        report): Dash's own, which the app's pages name (/_favicon.ico)."""
        response = app._serve_default_favicon()  # (the bytes and type Dash serves)
        response.headers["Cache-Control"] = "public, max-age=86400"
        return response

    if not allow:

        @server.after_request
        def noindex(response: flask.Response) -> flask.Response:
            response.headers.setdefault("X-Robots-Tag", NOINDEX)
            return response
