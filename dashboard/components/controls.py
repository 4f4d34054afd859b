"""Page controls whose state lives in the URL (display parameters of urlstate)."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import dash_bootstrap_components as dbc
from dash import Dash, Input, Output, State, html, no_update

from dashboard import i18n
from dashboard.i18n import _
from dashboard.urlstate import parse_search


def button_group(
    component_id: str,
    options: list[dict[str, str]],
    value: str,
    tone: str = "primary",
    class_name: str | None = None,
) -> dbc.RadioItems:
    """A row of toggle buttons, one chosen (radio inputs underneath, keyboard included)."""
    return dbc.RadioItems(
        id=component_id,
        options=options,
        value=value,
        inline=True,
        className=class_name,
        inputClassName="btn-check",
        labelClassName=f"btn btn-outline-{tone} btn-sm",
        labelCheckedClassName="active",
    )


def by_switch(component_id: str) -> html.Div:
    """The organisation / country breakdown switch of a page (the URL's `by`)."""
    return html.Div(
        [
            html.Span(
                _("Break down by"),
                className="me-2 text-secondary small",
                id=f"{component_id}-label",
            ),
            button_group(
                component_id,
                [
                    {"label": _("Organisation"), "value": "organisation"},
                    {"label": _("Country"), "value": "country"},
                ],
                "organisation",
            ),
        ],
        className="d-flex align-items-center mb-3 flex-wrap",
    )


def register_url_param(app: Dash, component_id: str, param: str) -> None:
    """Keeps a control and a display parameter of the URL (by, table, ...) in step."""

    @app.callback(Output(component_id, "value"), Input("url", "search"))
    def from_url(search: str | None) -> str:
        return str(getattr(parse_search(search), param))

    @app.callback(
        Output("url", "search", allow_duplicate=True),
        Input(component_id, "value"),
        State("url", "search"),
        prevent_initial_call=True,
    )
    def to_url(value: str, search: str | None) -> Any:
        state = parse_search(search)
        if value == getattr(state, param):
            return no_update
        return replace(state, **{param: value}).search() or "?"


def dropdown_labels() -> dict[str, str]:
    """The words Dash's dropdown draws itself, in the language in force (Dash's own in
    English)."""
    if i18n.current() == i18n.DEFAULT:
        return {}
    return {
        "select_all": _("Select all"),
        "deselect_all": _("Deselect all"),
        # TRANSLATORS: {num_selected} is filled in by the browser; keep it as it is
        "selected_count": _("{num_selected} selected"),
        "search": _("Search"),
        "clear_search": _("Clear search"),
        "clear_selection": _("Clear selection"),
        "no_options_found": _("No options found"),
    }
