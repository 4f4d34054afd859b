"""The filter panel: its controls, their options and values for a view, the active-filter
summary, and the callback that keeps the controls and the URL in step (a control writes the
URL, one history entry per change; the URL, on load, back/forward or a link, sets the
controls)."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date
from typing import Any

import dash_bootstrap_components as dbc
from dash import ClientsideFunction, Dash, Input, Output, State, ctx, dcc, html, no_update
from werkzeug.exceptions import BadRequest

from dashboard.core import network
from dashboard.core.facts import PoolFacts
from dashboard.core.filters import CYCLES, SETTINGS, STATUSES, TRAINED_BY, Filters
from dashboard.core.format import CURRENCIES
from dashboard.core.i18n import N_, _
from dashboard.core.indicators import quarter_text
from dashboard.core.urlstate import ViewState
from dashboard.pool.files import PoolError
from dashboard.views.view import (
    VALUE_LABELS,
    describe,
    entity_name,
    nice_date,
    read_view,
)
from dashboard.web.components.controls import dropdown_labels, register_url_param

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


def dropdown_slot(dropdown: dcc.Dropdown) -> html.Div:
    """A dropdown in a box of its drawn height: the dropdown's code arrives after the page,
    and the controls below it do not jump when it is drawn (layout shift, issue 28)."""
    return html.Div(dropdown, className="dropdown-slot")


MULTI = {"multi": True, "clearable": True, "searchable": True}  # the panel's list dropdowns


def _dropdown_block(label: str, cid: str, placeholder: str) -> html.Div:
    """A labelled multi-choice dropdown of the panel (countries, organisations, projects)."""
    return html.Div(
        [
            _label(label, cid),
            dropdown_slot(
                dcc.Dropdown(
                    labels=dropdown_labels(),
                    id=cid,
                    placeholder=placeholder,
                    **MULTI,
                )
            ),
        ],
        # (the indicator explorer draws these places as its lines: hidden there, 48_explore.css)
        className="filter-block place-block",
    )


def filter_panel() -> html.Div:
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
                    dropdown_slot(
                        dcc.Dropdown(
                            labels=dropdown_labels(),
                            id="f-as_of",
                            clearable=False,
                            searchable=False,
                        )
                    ),
                ],
                className="filter-block",
            ),
            _dropdown_block(_("Country"), "f-country", _("All countries")),
            _dropdown_block(_("Organisation"), "f-organisation", _("All organisations")),
            _dropdown_block(_("Project"), "f-project", _("All projects")),
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
                    dropdown_slot(
                        dcc.Dropdown(
                            labels=dropdown_labels(), id="f-tag", placeholder=_("Any tag"), **MULTI
                        )
                    ),
                ],
                className="filter-block",
            ),
            _yes_checklist(),
            _checklist("cycle"),
            _checklist("status"),
            html.H3(_("Trends"), className="filter-subtitle"),
            html.Fieldset(
                [
                    html.Legend(_("Quarters shown"), className="filter-label"),
                    dbc.RadioItems(
                        id="f-points",
                        options=[
                            {"label": _("Leave out those of few groups"), "value": "steady"},
                            {"label": _("Every quarter"), "value": "all"},
                        ],
                        value="steady",
                        className="filter-radios",
                    ),
                ],
                className="filter-block",
                title=_(
                    "A ratio's quarters resting on few active groups (a project's first "
                    "groups) swing widely; they are left out of trends unless you ask for all."
                ),
            ),
        ],
        className="filter-panel",
        role="search",
        **{"aria-label": _("Filters")},
    )


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
# the panel's choices after which a phone closes it (not the typed shares, nor the currency
# of the summary bar)
CHOICES = (
    *(c for c in CONTROL_IDS if c not in ("f-women-min", "f-women-max", "f-currency")),
    "f-points",
)


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


def register_callbacks(app: Dash) -> None:
    register_url_param(app, "f-points", "points", on_page=False)  # (kept by Reset)
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

    # A phone: the panel, opened over the results, closes once a choice is made, and the
    # summary above the results says what is chosen (issue 28). Not after a share typed in
    # (its two bounds are typed one after the other); a laptop's panel is always shown.
    app.clientside_callback(
        ClientsideFunction("frame", "closeFilters"),  # (assets/15_clientside.js)
        Output("filters-collapse", "is_open", allow_duplicate=True),
        *[Input(cid, "value") for cid in CHOICES],
        Input("f-reset", "n_clicks"),
        prevent_initial_call=True,
    )

    @app.callback(
        Output("filters-collapse", "is_open"),
        Input("filters-toggle", "n_clicks"),
        State("filters-collapse", "is_open"),
        prevent_initial_call=True,
    )
    def toggle_filters(_n: int | None, is_open: bool) -> bool:
        return not is_open
