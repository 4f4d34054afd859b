"""/explore: the indicator explorer (issue 32). One indicator of the registry for any
organisations, projects and countries, each a line beside the network's grey one; the same
indicator by country on a map; a table of the lines by quarter. The view is the link's:
`/explore?indicator=<id>&organisation=...&project=...&country=...&tab=map` (the place
parameters name the lines here, dashboard/views/explore.py); the filter panel's theme
filters and as-of date apply to every line."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import dash_bootstrap_components as dbc
from dash import ClientsideFunction, Dash, Input, Output, State, dcc, html, no_update
from werkzeug.exceptions import BadRequest

from dashboard.core.format import format_value
from dashboard.core.i18n import N_, _
from dashboard.core.urlstate import EXPLORE_PATH, NETWORK_LINE, SHOW, TABS, parse_search
from dashboard.exports import tables
from dashboard.views import explore
from dashboard.views.explore import CHART, MAP, Explore
from dashboard.views.figures.common import empty
from dashboard.views.page_model import PageContent, PageSpec
from dashboard.views.view import read_view
from dashboard.web.components import render
from dashboard.web.components.controls import (
    button_group,
    dropdown_labels,
    register_url_param,
)
from dashboard.web.components.tables import register_table_export, table_card

PATH = EXPLORE_PATH
NAME = N_("Explore")
ORDER = 5
TAB_LABELS = {"chart": N_("Chart"), "map": N_("Map"), "table": N_("Table")}
SHOW_LABELS = {"value": N_("Values"), "change": N_("Change since first quarter")}
TABLE_TITLE = N_("The lines by quarter")

PAGE = PageSpec(
    charts=(CHART, MAP),
    parts=(
        ("ex-indicator", "options"),
        ("ex-entities", "options"),
        ("ex-entities", "value"),
        ("ex-table", "children"),
        ("ex-table-subtitle", "children"),
        ("ex-panes", "className"),
    ),
)


def layout(**_query: Any) -> html.Div:
    return html.Div(
        [
            html.H1(_("Explore an indicator"), className="page-title"),
            html.P(
                _(
                    "One indicator for any organisations, projects and countries, each against "
                    "the network. The filter panel's themes and date apply to all of them."
                ),
                className="page-lead",
            ),
            dbc.Row(
                [
                    dbc.Col(
                        [
                            html.Label(
                                _("Indicator"), htmlFor="ex-indicator", className="filter-label"
                            ),
                            dcc.Dropdown(
                                labels=dropdown_labels(),
                                id="ex-indicator",
                                clearable=False,
                                optionHeight=44,
                                maxHeight=360,
                            ),
                        ],
                        md=5,
                    ),
                    dbc.Col(
                        [
                            html.Label(
                                _("Organisations, projects and countries"),
                                htmlFor="ex-entities",
                                className="filter-label",
                            ),
                            dcc.Dropdown(
                                labels=dropdown_labels(),
                                id="ex-entities",
                                multi=True,
                                placeholder=_("Type a name to add it"),
                                optionHeight=44,
                                maxHeight=360,
                            ),
                        ],
                        md=7,
                        # (no "select all": every place at once is no chart)
                        className="ex-entities-box",
                    ),
                ],
                className="mb-2 g-2",
            ),
            html.Div(
                [
                    button_group(
                        "ex-tab",
                        [{"label": _(TAB_LABELS[t]), "value": t} for t in TABS],
                        "chart",
                        class_name="ex-tabs",
                    ),
                    button_group(
                        "ex-show",
                        [{"label": _(SHOW_LABELS[s]), "value": s} for s in SHOW],
                        "value",
                        tone="secondary",
                        class_name="ex-show",
                    ),
                    dbc.Button(
                        [html.Span("▶ ", **{"aria-hidden": "true"}), _("Present")],
                        id="ex-present",
                        color="primary",
                        outline=True,
                        size="sm",
                        title=_("The chart full screen, for a projector (Esc to leave)"),
                        className="ex-present",
                    ),
                ],
                className="ex-bar mb-3",
            ),
            html.Div(
                [
                    html.Div(dbc.Row(render.card(CHART)), className="ex-pane ex-pane-chart"),
                    html.Div(dbc.Row(render.card(MAP)), className="ex-pane ex-pane-map"),
                    html.Div(
                        table_card(
                            "ex-table",
                            _(TABLE_TITLE),
                            "",
                        ),
                        className="ex-pane ex-pane-table",
                    ),
                ],
                id="ex-panes",
                className="ex-panes show-chart",  # (the link's tab: `build`)
            ),
        ]
    )


def build(search: str | None) -> PageContent:
    view = read_view(search)
    data = Explore(view)
    content = PageContent(_(NAME))
    if view.as_of is None:
        content.charts = PAGE.blank(lambda: empty(_("The pool has no data yet.")))
        content.parts = {
            "ex-indicator.options": explore.indicator_options(),
            "ex-entities.options": [],
            "ex-entities.value": [],
            "ex-table.children": "",
            "ex-table-subtitle.children": "",
            "ex-panes.className": panes(view.state.tab),
        }
        return content
    PAGE.fetch(data)
    content.charts = PAGE.draw(data)
    content.parts = {
        "ex-indicator.options": explore.indicator_options(),
        "ex-entities.options": explore.every_entity(view),
        "ex-entities.value": explore.chosen_values(data),
        "ex-table.children": table(data),
        "ex-table-subtitle.children": table_subtitle(data),
        "ex-panes.className": panes(view.state.tab),
    }
    return content


def panes(tab: str) -> str:
    """The class of the tabs' panes: the link's tab shown (the browser shows a tab chosen at
    once: assets/36_explore.js)."""
    return f"ex-panes show-{tab}"


def table_subtitle(data: Explore) -> str:
    return _(
        "{label}, {unit}, at each quarter end, newest first; a column's head sorts by it."
    ).format(label=data.label, unit=data.unit)


def table(data: Explore) -> Any:
    """The lines by quarter as a table, sortable by any column (assets/36_explore.js): each
    cell holds the value as shown and, for sorting, the number."""
    entities, rows = explore.table_rows(data)
    if not rows:
        return html.P(_("Nothing to show for this choice."), className="text-secondary")

    def head(text: str, i: int) -> html.Th:
        return html.Th(
            html.Button(text, type="button", className="ex-sort", **{"data-column": str(i)}),
            scope="col",
            **{"aria-sort": "descending" if i == 0 else "none"},
        )

    header = html.Thead(
        html.Tr([head(_("Quarter"), 0)] + [head(e.name, i + 1) for i, e in enumerate(entities)])
    )
    body = []
    for row in rows:
        cells = [html.Th(row["quarter"], scope="row", **{"data-sort": row["as_of"].isoformat()})]
        for e in entities:
            value = row[e.value]
            cells.append(
                html.Td(
                    format_value(value, data.kind, data.code),
                    **{"data-sort": "" if value is None else repr(value)},
                )
            )
        body.append(html.Tr(cells))
    return dbc.Table(
        [header, html.Tbody(body)],
        size="sm",
        hover=True,
        className="ex-table-grid",
        id="ex-table-grid",
    )


def table_file(search: str | None) -> tables.Table:
    """The table as values, for a download (CSV, Excel)."""
    view = read_view(search)
    data = Explore(view)
    PAGE.fetch(data)
    entities, rows = explore.table_rows(data)
    columns = [("quarter", _("Quarter"), ""), ("as_of", _("Quarter end"), "date")]
    columns += [(e.value, e.name, data.kind) for e in entities]
    return tables.Table(
        f"{data.label} ({data.unit})",
        table_subtitle(data),
        data.caption,
        columns,
        rows,
        shown=True,
    )


def register_callbacks(app: Dash) -> None:
    register_url_param(app, "ex-indicator", "indicator")
    register_url_param(app, "ex-tab", "tab")
    register_url_param(app, "ex-show", "show")
    register_table_export(app, "ex-table", table_file)

    # the tab shown at once, in the browser (the link follows: register_url_param)
    app.clientside_callback(
        ClientsideFunction("explore", "tab"),
        Output("ex-panes", "className", allow_duplicate=True),
        Input("ex-tab", "value"),
        prevent_initial_call=True,
    )
    app.clientside_callback(
        ClientsideFunction("explore", "present"),
        Output("ex-present", "n_clicks"),
        Input("ex-present", "n_clicks"),
        prevent_initial_call=True,
    )

    @app.callback(
        Output("url", "search", allow_duplicate=True),
        Input("ex-entities", "value"),
        State("url", "search"),
        prevent_initial_call=True,
    )
    def to_url(values: Any, search: str | None) -> Any:
        """The search box's lines go to the link: its organisations, projects and countries,
        and whether the network's line is drawn."""
        if values is None:
            values = []
        if not isinstance(values, list):
            raise BadRequest("The lines are a list of names.")
        places, network = explore.parse_entities(values)
        # the box set by the page from the link (its lines as drawn): the link stays as it
        # is, and so do the notices of what it named that could not be drawn
        shown = Explore(read_view(search))
        drawn = {(k, v) for k in explore.KINDS for v in places[k]}
        if drawn == set(shown.chosen) and network == shown.with_network:
            return no_update
        state = parse_search(search)
        new = replace(
            state,
            filters=replace(state.filters, **places),
            network=NETWORK_LINE[0] if network else NETWORK_LINE[1],
            notices=(),
        )
        target = new.search() or "?"
        return target if target != (search or "") else no_update
