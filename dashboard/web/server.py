"""The Dash application factory.

Pages are registered with dash.register_page (fixed paths, so links stay stable); the shell
(navigation, filter panel, URL state) routes between them itself, so that a change of filters
updates a page's figures without re-rendering the page.
"""

from __future__ import annotations

import logging
import re
import time
from types import ModuleType
from typing import Any

import dash
import dash_bootstrap_components as dbc
from dash import Dash, ctx, html, no_update
from flask import Flask
from werkzeug.exceptions import HTTPException
from werkzeug.middleware.proxy_fix import ProxyFix

from dashboard.access import viewer
from dashboard.access.demo_accounts import ensure_demo_accounts, remove_public_demo_accounts
from dashboard.access.policy import ADMIN
from dashboard.access.users import UserStore
from dashboard.analytics import datasource
from dashboard.core import i18n, network
from dashboard.core.config import FILES_ROOT, trusted_proxies
from dashboard.core.i18n import N_, _
from dashboard.pool.files import PoolError
from dashboard.views.page_model import PageSpec
from dashboard.web import delivery, guard, login, report_routes, responses, site
from dashboard.web.components import page_exports, render, shell
from dashboard.web.components.controls import url_param_values
from dashboard.web.pages import (
    compare,
    data,
    efficiency,
    explore,
    glossary,
    outreach,
    overview,
    performance,
    present,
    projects,
    sdg,
    themes,
    upload,
)
from dashboard.web.pages import pack as pack_page
from dashboard.web.pages import report as report_page

log = logging.getLogger(__name__)

PAGES: tuple[ModuleType, ...] = (
    overview,
    outreach,
    efficiency,
    performance,
    themes,
    compare,
    explore,
    projects,
    report_page,
    sdg,
    data,
    glossary,
    upload,
)


def pool_problem() -> html.Div | None:
    """A page-sized explanation when there is no usable pool, else None."""
    try:
        datasource.facts()
    except PoolError as exc:
        return html.Div(
            dbc.Alert(
                [
                    html.H2(_("No data to show yet"), className="h4"),
                    html.P(str(exc)),
                    html.P(
                        [
                            _("Build the demo pool with "),
                            html.Code("vsla demo"),
                            _(" or import your data with "),
                            html.Code("vsla import <files>"),
                            _(", then reload this page."),
                        ],
                        className="mb-0",
                    ),
                ],
                color="warning",
            ),
            className="py-4",
        )
    return None


def _demo_accounts() -> None:
    """The demo pool comes with an account per organisation and an admin (created in the
    user store the first time the app meets the demo pool). A pool of real data has none:
    demo accounts whose password is still the public one are removed from its store (an
    import of real data removes them too; sign-in refuses them: login.py)."""
    try:
        facts = datasource.all_facts()
    except PoolError:
        return
    if facts.kind == "demo":
        ensure_demo_accounts(UserStore(), facts.organisations)
    else:
        removed = remove_public_demo_accounts(UserStore())
        if removed:
            log.warning("Removed the public demo accounts %s: this pool is not the demo", removed)


def warm_up(server: Flask) -> None:
    """Open the pool and compute the landing page for a visitor who has not signed in (in
    a request of its own, as a browser would come) and for the network admin: the caches a
    first visit needs. Never fails: without a pool, the pages say what to do."""
    started = time.perf_counter()
    try:
        datasource.all_facts()
        with server.test_request_context("/"):
            overview.build("")
        with viewer.acting_as(ADMIN):  # the admin's scope, on purpose
            overview.build("")
    except Exception as exc:
        log.warning("Warming up skipped: %s", exc)
        return
    log.info("Warmed up in %.2f s", time.perf_counter() - started)


def of_page_model(module: ModuleType) -> bool:
    """A page of the page model: a `PAGE` spec, a callback filling it, drawn by the router
    with the view of its link."""
    return isinstance(getattr(module, "PAGE", None), PageSpec)


def model_paths() -> frozenset[str]:
    """The paths of the pages of the page model."""
    return frozenset(m.PATH for m in PAGES if of_page_model(m))


def _page_layout(module: ModuleType) -> Any:
    """The page's layout; given the link's query string (`search`, as the router passes
    it), a page of the page model comes filled with its view (render.filled), so that a
    link is drawn in one answer."""

    def layout(search: str | None = None, **query: Any) -> Any:
        problem = pool_problem()
        if problem is not None:
            return problem
        body = module.layout(**query)
        if search is None:
            return body
        render.fill(body, url_param_values(search), every=False)  # its controls of the link
        if not of_page_model(module):
            return body
        try:
            return render.filled(body, module, search)
        except Exception:  # a fault of ours: said on the page, the details in the log
            log.exception("The page %s could not be drawn for %r", module.PATH, search)
            responses.dont_keep()
            return html.Div([not_drawn(), body])  # (a failed build has set nothing in it)

    return layout


NOT_DRAWN = N_(
    "This view could not be drawn. Try other filters or reload the page; "
    "the error is in the server's log."
)


def not_drawn() -> dbc.Alert:
    return dbc.Alert(_(NOT_DRAWN), color="danger")


def callback_failed(error: Exception) -> Any:
    """The answer of any callback that raised (Dash's on_error): a fault of ours, or data
    the queries cannot read. Never a server error: the details go to the log, and the page
    stays as it was but for the first text the callback writes (a page's body, a table's
    subtitle), which says that the view could not be drawn; the answer is not kept. A bad
    request stays one (400). The page model's callback says it in each of its cards
    (render.content)."""
    if isinstance(error, HTTPException):
        raise error
    outputs = ctx.outputs_grouping
    log.error("A callback failed, writing %s", outputs, exc_info=error)
    responses.dont_keep()
    if isinstance(outputs, dict):
        return not_drawn() if outputs.get("property") == "children" else None
    answer: list[Any] = [no_update] * len(outputs)
    for i, output in enumerate(outputs):
        if isinstance(output, dict) and output.get("property") == "children":
            answer[i] = not_drawn()
            break
    return answer


_REQUEST_URL_TAG = re.compile(r'\s*<meta property="(?:twitter|og):url"[^>]*>')


class _Dash(Dash):
    """Dash whose index page declares the request's language (WCAG 3.1.1), and says so when
    its address is no page (dashboard.web.site)."""

    def interpolate_index(self, **kwargs: Any) -> str:
        # the site's name in the language (the page's name is added in the browser, from the
        # navbar, once the page is drawn)
        kwargs["title"] = _("Savings groups network")
        if site.missing():  # an address that is no page: a notice until the app is drawn
            kwargs["title"] = site.not_found_title()
            kwargs["app_entry"] = site.not_found_entry(str(self.config.requests_pathname_prefix))
        # Dash's page tags name the request's own URL (twitter:url): its Host header, which a
        # client makes up, would be written into the page (and any cache in front of it)
        kwargs["metas"] = _REQUEST_URL_TAG.sub("", str(kwargs.get("metas", "")))
        page = super().interpolate_index(**kwargs)
        lang = i18n.current()
        if lang == i18n.PSEUDO:
            lang = i18n.DEFAULT
        return page.replace('<html lang="en">', f'<html lang="{lang}">', 1)


def create_app(generated_key_ok: bool = False) -> Dash:
    """The dashboard. Sessions are signed with $VSLA_SECRET_KEY; without one, only a local
    server (`vsla serve`, generated_key_ok) may make a key up; gunicorn's refuses."""
    app = _Dash(
        __name__,
        title="Savings groups network",
        assets_folder=str(FILES_ROOT / "assets"),
        serve_locally=True,
        update_title=None,
        use_pages=True,
        pages_folder="",
        suppress_callback_exceptions=True,
        on_error=callback_failed,  # no callback answers with a server error
        meta_tags=[{"name": "viewport", "content": "width=device-width, initial-scale=1"}],
    )
    # the page's language, for screen readers and hyphenation (WCAG 3.1.1)
    app.index_string = app.index_string.replace("<html>", '<html lang="en">', 1)
    # the fonts asked for with the page, not once its text is laid out: drawn in them from
    # the start, the text does not move when they arrive (font-display: optional; issue 28)
    fonts = [
        app.get_asset_url(f"fonts/source-sans-3-latin-{w}-normal.woff2") for w in (400, 600, 700)
    ]
    preload = "".join(
        f'<link rel="preload" href="{url}" as="font" type="font/woff2" crossorigin>'
        for url in fonts
    )
    app.index_string = app.index_string.replace("{%css%}", preload + "{%css%}", 1)
    # compression and cache headers: first, so that compressing is the last step of a response
    delivery.register(app)
    # (presentation mode is a page of its own, entered from the summary bar, not the menu)
    for module in (*PAGES, present, pack_page):
        dash.register_page(
            module.__name__,
            path=module.PATH,
            name=module.NAME,
            title=f"{module.NAME} · Savings groups network",
            order=module.ORDER,
            layout=_page_layout(module),
            description=site.description,  # (the <meta name="description">, translated)
        )
    pages = [
        {
            "path": module.PATH,
            "name": module.NAME,
            "module_id": module.__name__.rsplit(".", 1)[-1],
        }
        for module in PAGES
    ]
    i18n.install(app.server)
    network.current()  # the network's own fields: a mistake in their file stops the start
    # a function, so that the frame is drawn in each visitor's language
    app.layout = lambda: shell.app_layout(pages)
    shell.register_callbacks(app, pages)
    page_exports.register_export_callback(app, PAGES)
    page_exports.register_page_export_callback(app, PAGES)
    report_routes.register_routes(app.server)
    pack_page.register(app, PAGES)
    login.configure(app.server, generated_key_ok)
    # 404 for what is no page, robots.txt and its header; never indexed: signing in and
    # out, and the exports
    closed = (login.LOGIN_PATH, login.LOGOUT_PATH, report_routes.PRINT_ROUTE)
    site.register(app, (*closed, report_routes.PDF_ROUTE, upload.TEMPLATE_PATH))
    # An upload (base64 in a callback) of at most upload.MAX_BYTES, with room to spare.
    app.server.config["MAX_CONTENT_LENGTH"] = 2 * upload.MAX_BYTES
    _demo_accounts()
    for module in (*PAGES, present):
        if hasattr(module, "register_callbacks"):  # a page's own (its controls, its tables)
            module.register_callbacks(app)
        if of_page_model(module):  # the page model's callback
            render.register(app, module)
    guard.register(app)  # (after every callback; before the kept answers are served)
    responses.register(app, drawn_paths=model_paths())
    if proxies := trusted_proxies():  # the client's address and scheme, as the proxies saw
        app.server.wsgi_app = ProxyFix(app.server.wsgi_app, x_for=proxies, x_proto=proxies)
    return app
