"""The frame around every page: navigation, the filter panel, notices, the active-filter
summary with reset, the breadcrumb, and the callbacks that keep them and the URL in step.

The URL query string is the single source of the view. Controls write it (one history entry
per change); the URL, on load, reload, back/forward or a drill-down click, sets the controls.
Pages read only the URL.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Sequence
from dataclasses import replace
from datetime import date
from types import ModuleType
from typing import Any
from urllib.parse import quote

import dash
import dash_bootstrap_components as dbc
import flask
from dash import ALL, MATCH, Dash, Input, Output, State, ctx, dcc, html, no_update
from werkzeug.exceptions import BadRequest

from dashboard import datasource, deck, exports, i18n, network
from dashboard.components.cards import EXPORTS
from dashboard.components.controls import button_group, dropdown_labels
from dashboard.datasource import PoolFacts
from dashboard.filters import CYCLES, SETTINGS, STATUSES, TRAINED_BY, Filters
from dashboard.format import CURRENCIES
from dashboard.i18n import N_, _
from dashboard.indicators import quarter_text
from dashboard.login import LOGIN_PATH, LOGOUT_PATH, csrf_token
from dashboard.pool import PoolError
from dashboard.urlstate import ViewState, parse_search
from dashboard.view import (
    VALUE_LABELS,
    describe,
    entity_name,
    export_about,
    export_name,
    nice_date,
    read_view,
)
from dashboard.viewer import current_viewer

WOMEN_PRESETS: dict[str, tuple[float | None, float | None]] = {
    "any": (None, None),
    "women_only": (1.0, None),
    "mostly_women": (0.75, None),
    "mixed": (None, 0.749),
}
WOMEN_PRESET_LABELS = {
    "any": N_("Any"),
    "women_only": N_("Women only"),
    "mostly_women": N_("Mostly women (75%+)"),
    "mixed": N_("Mixed (under 75%)"),
    "custom": N_("Custom range"),
}
CHECKLISTS = {
    "trained_by": TRAINED_BY,
    "setting": SETTINGS,
    "cycle": CYCLES,
    "status": STATUSES,
}
CONTROL_IDS = (
    "f-country",
    "f-organisation",
    "f-project",
    "f-as_of",
    "f-women-preset",
    "f-women-min",
    "f-women-max",
    "f-youth",
    "f-trained_by",
    "f-setting",
    "f-tag",
    "f-yes",
    "f-cycle",
    "f-status",
    "f-currency",
)


def _label(text: str, for_id: str) -> html.Label:
    return html.Label(text, htmlFor=for_id, className="filter-label")


def _checklist(name: str) -> html.Div:
    # under the legend "Trained by", the trainers alone
    short = {"field_officer": _("field officers"), "village_agent": _("village agents")}
    options = [
        {
            "label": short[v] if name == "trained_by" and v in short else _(VALUE_LABELS[name][v]),
            "value": v,
        }
        for v in CHECKLISTS[name]
    ]
    titles = {
        "trained_by": _("Trained by"),
        "setting": _("Setting"),
        "cycle": _("Cycle"),
        "status": _("Status"),
    }
    return html.Fieldset(
        [
            html.Legend(titles[name], className="filter-label"),
            dbc.Checklist(
                id=f"f-{name}", options=options, value=[], inline=True, className="filter-checks"
            ),
        ],
        className="filter-block",
    )


def _yes_checklist() -> html.Fieldset:
    """The network's yes/no fields (data/network.toml) as theme filters: groups answering yes
    (to any ticked). Hidden when the network declares none."""
    fields = network.current().yesno
    return html.Fieldset(
        [
            html.Legend(_("Groups answering yes to"), className="filter-label"),
            dbc.Checklist(
                id="f-yes",
                options=[{"label": f.label, "value": f.id} for f in fields],
                value=[],
                className="filter-checks",
            ),
        ],
        className="filter-block",
        hidden=not fields,
    )


def _pct_input(component_id: str, placeholder: str) -> dcc.Input:
    return dcc.Input(
        id=component_id,
        type="number",
        min=0,
        max=100,
        step="any",
        placeholder=placeholder,
        debounce=True,
        className="form-control form-control-sm pct-input",
    )


def filter_panel() -> html.Div:
    dropdown = {"multi": True, "clearable": True, "searchable": True}
    return html.Div(
        [
            html.Div(
                [
                    html.H2(_("Filters"), className="filter-title"),
                    dbc.Button(
                        _("Reset"),
                        id="f-reset",
                        color="link",
                        size="sm",
                        className="p-0",
                        title=_("Clear every filter"),
                    ),
                ],
                className="d-flex justify-content-between align-items-baseline",
            ),
            html.Div(
                [
                    _label(_("As of"), "f-as_of"),
                    dcc.Dropdown(
                        labels=dropdown_labels(), id="f-as_of", clearable=False, searchable=False
                    ),
                ],
                className="filter-block",
            ),
            html.Div(
                [
                    _label(_("Country"), "f-country"),
                    dcc.Dropdown(
                        labels=dropdown_labels(),
                        id="f-country",
                        placeholder=_("All countries"),
                        **dropdown,
                    ),
                ],
                className="filter-block",
            ),
            html.Div(
                [
                    _label(_("Organisation"), "f-organisation"),
                    dcc.Dropdown(
                        labels=dropdown_labels(),
                        id="f-organisation",
                        placeholder=_("All organisations"),
                        **dropdown,
                    ),
                ],
                className="filter-block",
            ),
            html.Div(
                [
                    _label(_("Project"), "f-project"),
                    dcc.Dropdown(
                        labels=dropdown_labels(),
                        id="f-project",
                        placeholder=_("All projects"),
                        **dropdown,
                    ),
                ],
                className="filter-block",
            ),
            html.H3(_("Themes"), className="filter-subtitle"),
            html.Fieldset(
                [
                    html.Legend(_("Share of women in the group"), className="filter-label"),
                    dbc.RadioItems(
                        id="f-women-preset",
                        options=[
                            {"label": _(v), "value": k} for k, v in WOMEN_PRESET_LABELS.items()
                        ],
                        value="any",
                        className="filter-radios",
                    ),
                    html.Div(
                        [
                            html.Label(_("from"), htmlFor="f-women-min", className="small"),
                            _pct_input("f-women-min", "0"),
                            html.Label(_("to"), htmlFor="f-women-max", className="small"),
                            _pct_input("f-women-max", "100"),
                            html.Span("%", className="small"),
                        ],
                        className="pct-range",
                    ),
                ],
                className="filter-block",
            ),
            html.Fieldset(
                [
                    html.Legend(_("Youth"), className="filter-label"),
                    dbc.RadioItems(
                        id="f-youth",
                        options=[
                            {"label": _("Any"), "value": "any"},
                            {"label": _("Youth recorded"), "value": "yes"},
                            {"label": _("Not recorded"), "value": "no"},
                        ],
                        value="any",
                        inline=True,
                    ),
                ],
                className="filter-block",
            ),
            _checklist("trained_by"),
            _checklist("setting"),
            html.Div(
                [
                    _label(_("Tags"), "f-tag"),
                    dcc.Dropdown(
                        labels=dropdown_labels(), id="f-tag", placeholder=_("Any tag"), **dropdown
                    ),
                ],
                className="filter-block",
            ),
            _yes_checklist(),
            _checklist("cycle"),
            _checklist("status"),
        ],
        className="filter-panel",
        role="search",
        **{"aria-label": _("Filters")},
    )


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
                        language_switch(),
                        html.Div(id="account", className="account"),
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


PAGE_EXPORT_LABEL = N_("Download page")


def page_export_menu() -> dbc.DropdownMenu:
    """The whole page as a file: a PowerPoint deck or an Excel workbook."""
    return dbc.DropdownMenu(
        [
            dbc.DropdownMenuItem(
                _("PowerPoint: a slide per chart, KPIs as a table, definitions in the notes"),
                id="page-pptx",
            ),
            dbc.DropdownMenuItem(
                _("Excel: a sheet per chart with the numbers drawn, filters and definitions"),
                id="page-xlsx",
            ),
        ],
        id="page-export",
        label=_(PAGE_EXPORT_LABEL),
        size="sm",
        color="light",
        align_end=True,
        className="page-export",
    )


def app_layout(pages: list[dict[str, Any]]) -> html.Div:
    return html.Div(
        [
            dcc.Location(id="url", refresh=False),
            html.A(_("Skip to content"), href="#page-content", className="skip-link"),
            navbar(pages),
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
                                    filter_panel(),
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
                                        page_export_menu(),
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


# --- Options and values of the controls -------------------------------------------------------


def _scoped_projects(facts: PoolFacts, filters: Filters, skip: str) -> list[Any]:
    """Projects matching the project-level filters other than `skip` (for narrowing)."""
    out = []
    for p in facts.projects:
        if skip != "country" and filters.country and p.country not in filters.country:
            continue
        if (
            skip != "organisation"
            and filters.organisation
            and (p.organisation not in filters.organisation)
        ):
            continue
        if skip != "project" and filters.project and p.project_id not in filters.project:
            continue
        out.append(p)
    return out


def control_options(facts: PoolFacts, filters: Filters) -> dict[str, list[dict[str, str]]]:
    countries = {p.country for p in _scoped_projects(facts, filters, "country")}
    countries |= set(filters.country)
    orgs = {p.organisation for p in _scoped_projects(facts, filters, "organisation")}
    orgs |= set(filters.organisation)
    projects = _scoped_projects(facts, filters, "project")
    ids = {p.project_id for p in projects} | set(filters.project)
    by_id = facts.project_by_id
    return {
        "country": sorted(
            ({"label": entity_name("country", c, facts), "value": c} for c in countries),
            key=lambda o: o["label"],
        ),
        "organisation": [{"label": o, "value": o} for o in sorted(orgs)],
        "project": sorted(
            (
                {"label": f"{facts.project_labels[i]} ({by_id[i].organisation})", "value": i}
                for i in ids
                if i in by_id
            ),
            key=lambda o: o["label"],
        ),
        "tag": [
            {"label": t.capitalize(), "value": t}
            for t in dict.fromkeys([*facts.tags, *filters.tag])
        ],
    }


def as_of_options(facts: PoolFacts, current: date | None) -> list[dict[str, str]]:
    dates = list(facts.quarters)
    if current and current not in dates:
        dates = sorted({*dates, current}, reverse=True)
    options = []
    for d in dates:
        label = f"{nice_date(d)} ({quarter_text(d)})"
        if d == facts.latest_date:
            label += " · " + _("latest")
        options.append({"label": label, "value": d.isoformat()})
    return options


def _pct(value: float | None) -> float | None:
    return None if value is None else round(value * 100, 1)


def women_preset(lo: float | None, hi: float | None) -> str:
    for name, bounds in WOMEN_PRESETS.items():
        if bounds == (lo, hi):
            return name
    return "custom"


def control_values(state: ViewState, as_of: date | None) -> list[Any]:
    f = state.filters
    return [
        list(f.country),
        list(f.organisation),
        list(f.project),
        as_of.isoformat() if as_of else None,
        women_preset(f.min_pct_women, f.max_pct_women),
        _pct(f.min_pct_women),
        _pct(f.max_pct_women),
        "any" if f.youth_recorded is None else "yes" if f.youth_recorded else "no",
        list(f.trained_by),
        list(f.setting),
        list(f.tag),
        list(f.yes),
        list(f.cycle),
        list(f.status),
        state.currency,
    ]


def _share(pct: Any) -> float | None:
    """A % input as a share, rounded so that 74.9 is exactly 0.749."""
    if pct is None or pct == "":
        return None
    try:
        value = round(float(pct) / 100, 6)
    except (TypeError, ValueError):
        return None
    return min(max(value, 0.0), 1.0)


LIST_CONTROLS = {
    "f-country": "country",
    "f-organisation": "organisation",
    "f-project": "project",
    "f-trained_by": "trained_by",
    "f-setting": "setting",
    "f-tag": "tag",
    "f-yes": "yes",
    "f-cycle": "cycle",
    "f-status": "status",
}
WOMEN_CONTROLS = ("f-women-preset", "f-women-min", "f-women-max")


def state_from_controls(
    base: ViewState, trigger: str, values: dict[str, Any], latest: date | None
) -> ViewState:
    """The URL's state with only the control that changed applied: the others keep the
    link's exact values (a share of 0.12345 is not rounded by a click on DKK)."""
    f = base.filters
    changes: dict[str, Any] = {}
    if trigger in LIST_CONTROLS:
        changes[LIST_CONTROLS[trigger]] = _texts(values[trigger])
    elif trigger == "f-as_of":
        text = _text(values["f-as_of"])
        try:
            as_of = date.fromisoformat(text) if text else None
        except ValueError:
            raise BadRequest("A date is written YYYY-MM-DD.") from None
        changes["as_of"] = None if as_of == latest else as_of  # latest: the default
    elif trigger == "f-youth":
        youth = _text(values["f-youth"])
        changes["youth_recorded"] = None if youth in (None, "any") else youth == "yes"
    elif trigger in WOMEN_CONTROLS:
        lo, hi = women_bounds(trigger, values, f.min_pct_women, f.max_pct_women)
        changes.update(min_pct_women=lo, max_pct_women=hi)
    elif trigger == "f-currency":
        currency = _text(values["f-currency"]) or "USD"
        if currency not in CURRENCIES:
            raise BadRequest("No such currency.")
        return replace(base, currency=currency, notices=())
    return replace(base, filters=replace(f, **changes), notices=())


def _text(value: Any) -> str | None:
    """A control's single choice, as a browser sends it (text), else a bad request."""
    if value is None or isinstance(value, str):
        return value
    raise BadRequest("A control sent a value of the wrong kind.")


def _texts(value: Any) -> tuple[str, ...]:
    """A control's choices, as a browser sends them (a list of texts), else a bad request."""
    if value is None:
        return ()
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return tuple(value)
    raise BadRequest("A control sent values of the wrong kind.")


def women_bounds(
    trigger: str, values: dict[str, Any], lo: float | None, hi: float | None
) -> tuple[float | None, float | None]:
    """The share-of-women bounds after a change of the preset or of a % input."""
    if trigger == "f-women-preset":
        preset = _text(values["f-women-preset"])
        return WOMEN_PRESETS.get(preset or "", (lo, hi))
    lo, hi = _share(values["f-women-min"]), _share(values["f-women-max"])
    lo = None if lo == 0.0 else lo
    hi = None if hi == 1.0 else hi
    if lo is not None and hi is not None and lo > hi:
        lo, hi = hi, lo
    return lo, hi


def _chip(text: str) -> dbc.Badge:
    return dbc.Badge(text, color="light", text_color="dark", className="filter-chip")


def _sentence(template: str, **slots: Any) -> list[Any]:
    """A translated sentence whose {placeholders} are components, in the translation's order
    (the words between them in grey)."""
    out: list[Any] = []
    for i, piece in enumerate(re.split(r"\{(\w+)\}", template)):
        if i % 2:
            out.append(slots.get(piece, "{" + piece + "}"))
        elif piece:
            out.append(html.Span(piece, className="text-secondary"))
    return out


def summary(view_state: ViewState, facts: PoolFacts, as_of: date | None) -> list[Any]:
    text = describe(view_state.filters, facts)
    return _sentence(
        _("Showing {filters} as of {date}"), filters=_chip(text), date=_chip(nice_date(as_of))
    )


def notices_view(notices: tuple[str, ...]) -> list[Any]:
    if not notices:
        return []
    return [
        dbc.Alert(
            [
                html.Strong(_("Some of the link could not be used: ")),
                html.Ul([html.Li(n) for n in notices], className="mb-0"),
            ],
            color="warning",
            dismissable=True,
            className="notice",
            id="url-notice",
        )
    ]


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
    control_outputs = [Output(cid, "value") for cid in CONTROL_IDS]

    @app.callback(
        Output("url", "search"),
        *control_outputs,
        Output("f-as_of", "options"),
        Output("f-country", "options"),
        Output("f-organisation", "options"),
        Output("f-project", "options"),
        Output("f-tag", "options"),
        Output("notices", "children"),
        Output("active-filters", "children"),
        Input("url", "search"),
        *[Input(cid, "value") for cid in CONTROL_IDS],
        Input("f-reset", "n_clicks"),
    )
    def sync(search: str | None, *args: Any) -> list[Any]:
        values = dict(zip(CONTROL_IDS, args[: len(CONTROL_IDS)], strict=True))
        try:
            view = read_view(search)
        except PoolError as exc:
            alert = dbc.Alert(str(exc), color="danger")
            return [no_update] * (1 + len(CONTROL_IDS) + 5) + [alert, []]
        facts = view.facts
        trigger = ctx.triggered_id
        new_search: Any = no_update
        if trigger == "f-reset":
            # Filters go; display settings (currency, breakdowns) stay.
            state = replace(view.state, filters=Filters(), pick=(), notices=())
            target = state.search()
            if target != (search or "") and not (target == "" and search in ("", "?")):
                new_search = target or "?"
            controls = control_values(state, facts.latest_date)
            notices: tuple[str, ...] = ()
        elif trigger in CONTROL_IDS:
            state = state_from_controls(view.state, trigger, values, facts.latest_date)
            target = state.search()
            if target != (search or "") and not (target == "" and search in ("", "?")):
                new_search = target or "?"
            controls = [no_update] * len(CONTROL_IDS)
            if trigger in WOMEN_CONTROLS:
                lo, hi = state.filters.min_pct_women, state.filters.max_pct_women
                chosen = values["f-women-preset"]
                custom = trigger == "f-women-preset" and chosen == "custom"
                controls[4] = "custom" if custom else women_preset(lo, hi)
                controls[5] = _pct(lo)
                controls[6] = _pct(hi)
            notices = ()
        else:  # the URL changed: load, reload, back/forward, a link or a drill-down
            state = view.state
            controls = control_values(state, view.as_of)
            notices = view.notices
        filters = state.filters
        as_of = filters.as_of or facts.latest_date
        options = control_options(facts, filters)
        return [
            new_search,
            *controls,
            as_of_options(facts, as_of),
            options["country"],
            options["organisation"],
            options["project"],
            options["tag"],
            notices_view(notices),
            summary(state, facts, as_of),
        ]

    nav_ids = [f"nav-{p['module_id']}" for p in pages]

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
        hrefs = [p["path"] + keep for p in pages]
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

    @app.callback(
        Output("account", "children"),
        Input("url", "pathname"),
        State("url", "search"),
    )
    def account(pathname: str | None, search: str | None) -> Any:
        """Who is looking (from the session), with sign in or sign out."""
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
                html.Span(
                    who.label, className="account-label", id="account-label", title=who.label
                ),
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

    @app.callback(
        Output("page-content", "children"),
        Input("url", "pathname"),
        State("url", "search"),  # (not read here: it carries the page's language)
    )
    def route(pathname: str | None, _search: str | None) -> Any:
        """Renders the registered page of the path (the filters live in the URL, so a
        change of filters does not re-render the page, only its figures)."""
        path = (pathname or "/").rstrip("/") or "/"
        for page in dash.page_registry.values():
            if page["path"] == path:
                layout = page["layout"]
                return layout() if callable(layout) else layout
        return not_found(path, _search)

    # The tab's title: the page's name and the site's, as the navbar shows them (in the
    # language of the page; the names are read from the navbar's links and brand).
    paths = json.dumps([p["path"] for p in pages])
    app.clientside_callback(
        "function(pathname, brand) {"
        "  const names = Array.prototype.slice.call(arguments, 2);"
        f"  const paths = {paths};"
        "  const key = (pathname || '/').replace(/\\/+$/, '') || '/';"
        "  const name = names[paths.indexOf(key)];"
        "  let last = Array.isArray(brand) ? brand[brand.length - 1] : brand;"
        "  if (last && last.props) { last = last.props.children; }"
        "  const site = (typeof last === 'string' && last.trim()) || 'Savings groups network';"
        "  document.title = (typeof name === 'string' && name ? name + ' · ' : '') + site;"
        "  return window.dash_clientside.no_update;"
        "}",
        Output("page-content", "className"),
        Input("url", "pathname"),
        State("nav-brand", "children"),
        *[State(i, "children") for i in nav_ids],
    )

    @app.callback(
        Output("filters-collapse", "is_open"),
        Input("filters-toggle", "n_clicks"),
        State("filters-collapse", "is_open"),
        prevent_initial_call=True,
    )
    def toggle_filters(_n: int | None, is_open: bool) -> bool:
        return not is_open

    @app.callback(
        Output("nav-collapse", "is_open"),
        Input("nav-toggle", "n_clicks"),
        State("nav-collapse", "is_open"),
        prevent_initial_call=True,
    )
    def toggle_nav(_n: int | None, is_open: bool) -> bool:
        return not is_open

    @app.callback(
        Output("url", "search", allow_duplicate=True),
        Input({"type": "chart", "id": ALL}, "clickData"),
        State("url", "search"),
        prevent_initial_call=True,
    )
    def drill_down(clicks: list[Any], search: str | None) -> Any:
        """Clicking a country, organisation or project narrows the filters to it."""
        if not ctx.triggered or not ctx.triggered[0]["value"]:
            return no_update
        point = (ctx.triggered[0]["value"].get("points") or [{}])[0]
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


def register_export_callback(app: Dash, modules: Sequence[ModuleType]) -> None:
    def page_of(chart: Any) -> ModuleType | None:
        """The page that draws a chart (looked up when asked: the themes page's charts are
        fixed when its callbacks are registered)."""
        for module in modules:
            if chart in deck.chart_ids(module):
                return module
        return None

    @app.callback(
        Output({"type": "download", "id": MATCH}, "data"),
        Input({"type": "export", "id": MATCH, "fmt": ALL}, "n_clicks"),
        State("url", "search"),
        prevent_initial_call=True,
    )
    def export_chart(clicks: list[int | None], search: str | None) -> Any:
        """One chart as a file, its title, caption and source inside (exports.py). The
        figure is the page's own, built on the server for the link (the chart's id and the
        link are all the request gives): nothing the browser sends is drawn or written."""
        trigger = ctx.triggered_id
        if not isinstance(trigger, dict) or not any(clicks):
            return no_update
        fmt = trigger.get("fmt")
        module = page_of(trigger.get("id"))
        if module is None or fmt not in dict(EXPORTS):
            raise BadRequest("No such chart or export format.")
        figure = deck.page_content(module, search).figures.get(trigger["id"])
        if figure is None:  # not drawn for this view
            return no_update
        view = read_view(search)
        meta = figure.layout.meta or {}
        extension = {"slide": "png", "print": "png"}.get(fmt, fmt)  # svg, csv, xlsx
        suffix = "-print" if fmt == "print" else ""
        name = export_name(view, meta.get("title", "chart") + suffix, extension)
        if fmt == "csv":
            return dcc.send_bytes(exports.csv_bytes(figure), name)
        if fmt == "xlsx":
            plain = figure.to_plotly_json()
            return dcc.send_bytes(exports.workbook_bytes([plain], export_about(view)), name)
        size = exports.SIZES[fmt]
        try:
            data = exports.render(exports.framed(figure, size), extension, size)
            if extension == "svg":
                data = exports.svg_with_font(data)
        except exports.RenderError:
            logging.getLogger(__name__).exception("Chart export failed: %s", name)
            return no_update
        return dcc.send_bytes(data, name)


def register_page_export_callback(app: Dash, modules: Sequence[ModuleType]) -> None:
    by_path = {m.PATH: m for m in modules if deck.has_content(m)}

    @app.callback(
        Output("page-export", "style"),
        Input("url", "pathname"),
    )
    def show_page_export(pathname: str | None) -> dict[str, str]:
        """Pages without charts (the data table, the glossary) have their own downloads."""
        path = (pathname or "/").rstrip("/") or "/"
        return {} if path in by_path else {"display": "none"}

    @app.callback(
        Output("page-download", "data"),
        Input("page-xlsx", "n_clicks"),
        Input("page-pptx", "n_clicks"),
        State("url", "search"),
        State("url", "pathname"),
        prevent_initial_call=True,
        running=[
            # (words here would be fixed, in English, when the callback is registered: the
            # menu shows that it is working with a spinner instead)
            (Output("page-export", "disabled"), True, False),
            (Output("page-export", "className"), "page-export is-busy", "page-export"),
        ],
    )
    def export_page(
        _xlsx: int | None,
        _pptx: int | None,
        search: str | None,
        pathname: str | None,
    ) -> Any:
        """The page as a PowerPoint deck or an Excel workbook (a sheet per chart: the
        numbers drawn), both built on the server from the link."""
        path = (pathname or "/").rstrip("/") or "/"
        module = by_path.get(path)
        if module is None:
            return no_update
        view = read_view(search)
        stem = path.strip("/") or "overview"
        content = deck.page_content(module, search)
        if ctx.triggered_id == "page-pptx":
            about = export_about(view, flask.request.host_url.rstrip("/") + path)
            try:
                data = deck.pptx_bytes(content, about, view.as_of)
            except exports.RenderError:
                logging.getLogger(__name__).exception("Deck export failed: %s", path)
                return no_update
            return dcc.send_bytes(data, export_name(view, stem, "pptx"))
        drawn = [f.to_plotly_json() for f in content.charts if f.layout.meta]
        if not drawn:
            return no_update
        return dcc.send_bytes(
            exports.workbook_bytes(drawn, export_about(view)), export_name(view, stem, "xlsx")
        )


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
