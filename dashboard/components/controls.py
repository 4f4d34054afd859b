"""Page controls whose state lives in the URL (display parameters of urlstate)."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import dash_bootstrap_components as dbc
from dash import Dash, Input, Output, State, html, no_update

from dashboard.urlstate import parse_search


def by_switch(component_id: str) -> html.Div:
    return html.Div(
        [
            html.Span(
                "Break down by", className="me-2 text-secondary small", id=f"{component_id}-label"
            ),
            dbc.RadioItems(
                id=component_id,
                options=[
                    {"label": "Organisation", "value": "organisation"},
                    {"label": "Country", "value": "country"},
                ],
                value="organisation",
                inline=True,
                inputClassName="btn-check",
                labelClassName="btn btn-outline-primary btn-sm",
                labelCheckedClassName="active",
            ),
        ],
        className="d-flex align-items-center mb-3 flex-wrap",
    )


def register_by_switch(app: Dash, component_id: str) -> None:
    """A page's breakdown switch: reads from and writes to the URL's `by` parameter."""

    @app.callback(Output(component_id, "value"), Input("url", "search"))
    def from_url(search: str | None) -> str:
        return parse_search(search).by

    @app.callback(
        Output("url", "search", allow_duplicate=True),
        Input(component_id, "value"),
        State("url", "search"),
        prevent_initial_call=True,
    )
    def to_url(value: str, search: str | None) -> Any:
        state = parse_search(search)
        if value == state.by:
            return no_update
        return replace(state, by=value).search() or "?"
