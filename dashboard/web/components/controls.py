"""Page controls whose state lives in the URL (display parameters of urlstate)."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import dash_bootstrap_components as dbc
from dash import Dash, Input, Output, State, html, no_update

from dashboard.core import i18n
from dashboard.core.i18n import _
from dashboard.core.urlstate import parse_search


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


# A page's controls kept in the link ({component id: the URL's parameter}): the router sets
# them from the link when it draws the page (shell.route, server._page_layout)
PAGE_URL_PARAMS: dict[str, str] = {}


def url_param_values(search: str | None) -> dict[tuple[str, str], str]:
    """Each page control's value for the link (its parameter's, or the default)."""
    state = parse_search(search)
    return {(cid, "value"): str(getattr(state, param)) for cid, param in PAGE_URL_PARAMS.items()}


def register_url_param(app: Dash, component_id: str, param: str, on_page: bool = True) -> None:
    """Keeps a control and a display parameter of the URL (by, table, ...) in step: the
    link sets the control (back and forward, another control), a person's choice writes
    the link. Each change asks the server once (issue 20): the link sets a control only
    when it shows something else, so that the choice's callback is not called for nothing.

    A page's control (`on_page`) comes set from the link with its page, drawn by the
    router; the frame's own (the filter panel's) is set once the frame is there."""
    if on_page:
        PAGE_URL_PARAMS[component_id] = param

    @app.callback(
        Output(component_id, "value"),
        Input("url", "search"),
        State(component_id, "value"),
        prevent_initial_call=on_page,
    )
    def from_url(search: str | None, shown: Any) -> Any:
        value = str(getattr(parse_search(search), param))
        return value if value != shown else no_update

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
