"""The frame around every page: navigation, the language switch, the account, notices, the
breadcrumb, the page's routing and a chart's drill-down click. The filter panel (panel.py) and
the downloads of a chart or a page (page_exports.py) are the frame's two other parts.

The URL query string is the single source of the view. Controls write it (one history entry
per change); the URL, on load, reload, back/forward or a drill-down click, sets the controls.
Pages read only the URL.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any
from urllib.parse import quote

import dash
import dash_bootstrap_components as dbc
from dash import ALL, ClientsideFunction, Dash, Input, Output, State, dcc, html, no_update

from dashboard.access.viewer import current_viewer
from dashboard.analytics import datasource
from dashboard.core import i18n
from dashboard.core.facts import PoolFacts
from dashboard.core.filters import Filters
from dashboard.core.format import CURRENCIES
from dashboard.core.i18n import _
from dashboard.core.urlstate import EXPLORE_PATH, ViewState, parse_search
from dashboard.pool.files import PoolError
from dashboard.views.view import (
    entity_name,
)
from dashboard.web.components import guest, page_exports, panel
from dashboard.web.components.controls import button_group
from dashboard.web.login import LOGIN_PATH, LOGOUT_PATH, csrf_token


def language_switch() -> html.Nav:
    """English, Dansk, Français: plain links (the whole page is drawn again in the language),
    each keeping the page and the view; the navigation callback keeps their hrefs current."""
    now = i18n.current()
    return html.Nav(
        [
            html.A(
                [code.upper(), html.Span(f" {name}", className="visually-hidden")],
                id=f"lang-{code}",
                href=f"?lang={code}",
                lang=code,
                hrefLang=code,
                title=name,
                className="lang-link" + (" active" if code == now else ""),
                **({"aria-current": "true"} if code == now else {}),
            )
            for code, name in i18n.LANGUAGES.items()
        ],
        className="lang-switch",
        **{"aria-label": _("Language")},
    )


def account_view(pathname: str | None, search: str | None) -> Any:
    """Who is looking (from the session), with sign in or sign out (its link back to the
    page of `pathname` and `search`)."""
    who = current_viewer()
    if who.role == "guest":
        # the whole link, encoded (its & would end `next`), and the page's language
        target = quote((pathname or "/") + (search or ""), safe="/")
        lang = i18n.from_search(search)
        target += f"&lang={lang}" if lang else ""
        return [
            html.Span(
                _("Guest: shared data"),
                className="account-label",
                title=_("Guest: shared data"),
            ),
            html.A(
                _("Sign in"),
                href=f"{LOGIN_PATH}?next={target}",
                className="btn btn-sm btn-outline-primary",
                id="sign-in",
            ),
        ]
    return html.Form(
        [
            html.Span(who.label, className="account-label", id="account-label", title=who.label),
            dcc.Input(type="hidden", name="csrf", value=csrf_token(), id="sign-out-token"),
            html.Button(
                _("Sign out"),
                type="submit",
                className="btn btn-sm btn-outline-secondary",
                id="sign-out",
            ),
        ],
        method="POST",
        action=LOGOUT_PATH + (f"?lang={lang}" if (lang := i18n.from_search(search)) else ""),
        className="account-form",
    )


def navbar(pages: list[dict[str, Any]]) -> dbc.Navbar:
    links = [
        dbc.NavItem(dbc.NavLink(_(p["name"]), href=p["path"], id=f"nav-{p['module_id']}"))
        for p in pages
    ]
    return dbc.Navbar(
        dbc.Container(
            [
                dbc.NavbarBrand(
                    [
                        html.Span(
                            _("VSLA"), className="brand-mark", title=_("Savings groups network")
                        ),
                        html.Span(" " + _("Savings groups network"), className="brand-text"),
                    ],
                    href="/",
                    id="nav-brand",
                ),
                dbc.NavbarToggler(id="nav-toggle"),
                dbc.Collapse(
                    [
                        dbc.Nav(links, navbar=True, className="ms-auto"),
                        # the board pack being built: how many charts, and a link to it
                        html.A(
                            [
                                _("Board pack"),
                                " ",
                                html.Span(id="pack-count", className="pack-count"),
                            ],
                            id="pack-link",
                            href="/pack",
                            className="nav-link pack-link",
                        ),
                        language_switch(),
                        # who is looking, drawn with the frame (not after it: the menu
                        # beside it would move); the callback keeps its link current
                        html.Div(account_view("/", ""), id="account", className="account"),
                    ],
                    id="nav-collapse",
                    navbar=True,
                ),
            ],
            fluid=True,
        ),
        color="white",
        dark=False,
        className="app-navbar border-bottom",
        expand="xl",
    )


def app_layout(pages: list[dict[str, Any]]) -> html.Div:
    return html.Div(
        [
            dcc.Location(id="url", refresh=False),
            # a click on a chart's point, passed on by the browser (drill_down, below)
            dcc.Store(id="drill-click"),
            # the board pack being built, kept by the browser (pages/pack.py)
            dcc.Store(id="pack-store", storage_type="local"),
            html.A(_("Skip to content"), href="#page-content", className="skip-link"),
            navbar(pages),
            *guest.guest_note(),  # (a guest's one sentence, drawn with the frame: no shift)
            dbc.Container(
                dbc.Row(
                    [
                        dbc.Col(
                            [
                                dbc.Button(
                                    _("Filters"),
                                    id="filters-toggle",
                                    color="secondary",
                                    outline=True,
                                    size="sm",
                                    className="d-lg-none mb-2 w-100",
                                ),
                                dbc.Collapse(
                                    panel.filter_panel(),
                                    id="filters-collapse",
                                    is_open=False,
                                    className="filters-collapse",
                                ),
                            ],
                            xs=12,
                            lg=3,
                            className="filter-column",
                        ),
                        dbc.Col(
                            [
                                html.Div(id="notices", role="status"),
                                html.Div(
                                    [
                                        html.Div(id="active-filters", className="active-filters"),
                                        dcc.Link(
                                            [
                                                html.Span("▶ ", **{"aria-hidden": "true"}),
                                                _("Present"),
                                            ],
                                            href="/present",
                                            id="present-link",
                                            className="present-link btn btn-sm btn-outline-primary",
                                            title=_(
                                                "Presentation mode: the storyline of these "
                                                "filters, one slide at a time, for a projector"
                                            ),
                                        ),
                                        page_exports.page_export_menu(),
                                        page_exports.page_export_status(),
                                        dcc.Download(id="page-download"),
                                        button_group(
                                            "f-currency",
                                            [{"label": c, "value": c} for c in CURRENCIES],
                                            "USD",
                                            tone="secondary",
                                            class_name="currency-switch",
                                        ),
                                    ],
                                    className="summary-bar",
                                ),
                                html.Nav(id="breadcrumb", **{"aria-label": _("Drill-down path")}),
                                html.Main(id="page-content", tabIndex="-1"),
                            ],
                            xs=12,
                            lg=9,
                            className="content-column",
                        ),
                    ]
                ),
                fluid=True,
                className="app-body",
            ),
            html.Footer(
                _(
                    "Pooled savings-group data of the network · indicators as defined in the "
                    "Glossary · works offline"
                ),
                className="app-footer",
            ),
        ]
    )


def breadcrumb(state: ViewState, facts: PoolFacts, pathname: str) -> list[Any]:
    """Network > country > organisation > project: each link drops the levels after it."""
    f = state.filters
    levels = [("country", f.country), ("organisation", f.organisation), ("project", f.project)]
    if not any(values for _, values in levels):
        return []
    cleared: dict[str, tuple[str, ...]] = {"country": (), "organisation": (), "project": ()}
    root = replace(state, filters=replace(f, **cleared), pick=())
    crumbs: list[dict[str, Any]] = [{"label": _("Whole network"), "href": pathname + root.search()}]
    kept: dict[str, tuple[str, ...]] = dict(cleared)
    for name, values in levels:
        if not values:
            continue
        kept[name] = values
        target = replace(state, filters=replace(f, **kept))
        label = ", ".join(entity_name(name, v, facts) for v in values)
        crumbs.append({"label": label, "href": pathname + target.search()})
    crumbs[-1] = {"label": crumbs[-1]["label"], "active": True}
    return [dbc.Breadcrumb(items=crumbs, className="drill-breadcrumb")]


def register_callbacks(app: Dash, pages: list[dict[str, Any]]) -> None:
    """The frame's callbacks (and the filter panel's), one registration each."""
    panel.register_callbacks(app)
    nav_ids = [f"nav-{p['module_id']}" for p in pages]
    _register_navigation(app, pages, nav_ids)
    _register_account(app)
    _register_route(app)
    _register_page_title(app, nav_ids)
    _register_nav_toggle(app)
    _register_drill_down(app)


def _register_navigation(app: Dash, pages: list[dict[str, Any]], nav_ids: list[str]) -> None:
    lang_ids = [f"lang-{code}" for code in i18n.LANGUAGES]

    @app.callback(
        *[Output(i, "href") for i in nav_ids],
        *[Output(i, "active") for i in nav_ids],
        Output("breadcrumb", "children"),
        Output("present-link", "href"),
        *[Output(i, "href") for i in lang_ids],
        Output("nav-brand", "href"),
        Input("url", "pathname"),
        Input("url", "search"),
    )
    def navigation(pathname: str | None, search: str | None) -> list[Any]:
        """Page links keep the filters (and display options); the current page is marked.
        The presentation starts from the same view; each language link keeps page and view."""
        path = pathname or "/"
        try:
            facts = datasource.facts()
        except PoolError:
            state = parse_search(search)
            return (
                [p["path"] for p in pages]
                + [False] * len(pages)
                + [[], "/present"]
                + [path + replace(state, lang=code).search() for code in i18n.LANGUAGES]
                + ["/" + ViewState(Filters(), lang=state.lang).search()]
            )
        state = parse_search(search, facts)
        keep = replace(state, pick=()).search()
        own = {path: keep}
        if path == EXPLORE_PATH:  # (its lines are no filter of the other pages)
            lines = replace(state.filters, country=(), organisation=(), project=())
            keep = replace(state, pick=(), filters=lines).search()
        hrefs = [p["path"] + own.get(p["path"], keep) for p in pages]
        active = [p["path"] == path for p in pages]
        languages = [path + replace(state, lang=code).search() for code in i18n.LANGUAGES]
        return [
            *hrefs,
            *active,
            breadcrumb(state, facts, path),
            "/present" + keep,
            *languages,
            "/" + ViewState(Filters(), lang=state.lang).search(),  # home: no filters, the language
        ]


def _register_account(app: Dash) -> None:
    @app.callback(
        Output("account", "children"),
        Input("url", "pathname"),
        State("url", "search"),
    )
    def account(pathname: str | None, search: str | None) -> Any:
        """Who is looking (from the session), with sign in or sign out."""
        return account_view(pathname, search)


def _register_route(app: Dash) -> None:
    @app.callback(
        Output("page-content", "children"),
        Input("url", "pathname"),
        State("url", "search"),  # (it carries the page's language, and its view)
    )
    def route(pathname: str | None, search: str | None) -> Any:
        """Renders the registered page of the path, drawn with the view of the link (the
        filters live in the URL: a change of filters does not re-render the page, only
        its figures, by the page's own callback)."""
        path = (pathname or "/").rstrip("/") or "/"
        for page in dash.page_registry.values():
            if page["path"] == path:
                layout = page["layout"]
                return layout(search=search or "") if callable(layout) else layout
        return not_found(path, search)


def _register_page_title(app: Dash, nav_ids: list[str]) -> None:
    # The tab's title: the page's name and the site's, as the navbar shows them (in the
    # language of the page; the names are read from the navbar's links and brand, the page
    # of each link from its address).
    app.clientside_callback(
        ClientsideFunction("frame", "pageTitle"),  # (assets/15_clientside.js)
        Output("page-content", "className"),
        Input("url", "pathname"),
        State("nav-brand", "children"),
        *[State(i, "children") for i in nav_ids],
        *[State(i, "href") for i in nav_ids],
    )


def _register_nav_toggle(app: Dash) -> None:
    @app.callback(
        Output("nav-collapse", "is_open"),
        Input("nav-toggle", "n_clicks"),
        State("nav-collapse", "is_open"),
        prevent_initial_call=True,
    )
    def toggle_nav(_n: int | None, is_open: bool) -> bool:
        return not is_open


def _register_drill_down(app: Dash) -> None:
    # A click on a chart, passed on by the browser: a callback on every chart's clickData
    # (ALL) is called whenever a page's charts appear, prevent_initial_call or not, and
    # asked the server for nothing on every page opened (issue 20).
    app.clientside_callback(
        ClientsideFunction("frame", "passClick"),  # (assets/15_clientside.js)
        Output("drill-click", "data"),
        Input({"type": "chart", "id": ALL}, "clickData"),
        prevent_initial_call=True,
    )

    @app.callback(
        Output("url", "search", allow_duplicate=True),
        Input("drill-click", "data"),
        State("url", "search"),
        prevent_initial_call=True,
    )
    def drill_down(click: Any, search: str | None) -> Any:
        """Clicking a country, organisation or project narrows the filters to it."""
        points = click.get("points") if isinstance(click, dict) else None
        point = points[0] if isinstance(points, list) and points else None
        if not isinstance(point, dict):
            return no_update
        custom = point.get("customdata")
        key = custom[0] if isinstance(custom, list) and custom else custom
        if not isinstance(key, str) or "=" not in key:
            return no_update
        name, value = key.split("=", 1)
        facts = datasource.facts()
        known = {
            "country": facts.countries,
            "organisation": facts.organisations,
            "project": tuple(facts.project_by_id),
        }
        if value not in known.get(name, ()):  # e.g. "Others", or not a drillable point
            return no_update
        state = parse_search(search)
        if getattr(state.filters, name) == (value,):
            return no_update
        return state.with_filters(**{name: (value,)}).search() or "?"


def not_found(path: str, search: str | None = None) -> html.Div:
    return html.Div(
        [
            html.H1(_("Page not found"), className="page-title"),
            html.P(
                _("There is no page at {path}. Choose a page above; your filters are kept.").format(
                    path=path
                )
            ),
            dcc.Link(_("Go to the overview"), href="/" + (search or "")),
        ],
        className="py-4",
    )
