"""/themes: each cross-cutting theme side by side with the rest, on the key indicators and the
network's own (data/network.toml, a second row of panels)."""

from __future__ import annotations

import math
from typing import Any

import dash_bootstrap_components as dbc
import pandas as pd
from dash import Dash, dcc, html

from dashboard import datasource, figures, network
from dashboard.components import render
from dashboard.components.controls import dropdown_labels, register_url_param
from dashboard.figures import Panel
from dashboard.filters import BANDS, KNOWN_TAGS, yes_label
from dashboard.format import format_value
from dashboard.i18n import N_, _
from dashboard.indicators import BY_ID, network_indicators
from dashboard.page_model import (
    RELATIVE_TOLERANCE,
    Chart,
    ChartSpec,
    PageContent,
    PageSpec,
    charts_by_id,
)
from dashboard.urlstate import DEFAULT_THEME
from dashboard.view import VALUE_LABELS, caption, first_row, read_view

PATH = "/themes"
NAME = N_("Themes")
ORDER = 4
# (breakdown, title, what is compared); the words are translated where shown (`theme_words`),
# a tag's title and subtitle name the tag with {tag}
THEMES: tuple[tuple[str, str, str], ...] = (
    (
        "women_band",
        N_("Women's membership"),
        N_("Groups of women only, mostly women and mixed groups"),
    ),
    (
        "youth_band",
        N_("Youth"),
        N_("Groups where most members are youth, some are, or youth is not recorded"),
    ),
    *(
        (f"tag:{t}", N_("{tag} groups"), N_("Groups tagged {tag} against all other groups"))
        for t in KNOWN_TAGS
    ),
    ("setting", N_("Rural and urban"), N_("Groups by setting")),
    (
        "trained_by",
        N_("Replicated and trained"),
        N_("Groups formed by the project and replicated groups"),
    ),
    (
        "cycle",
        N_("First cycle and mature groups"),
        N_("Groups in their first cycle and in later cycles"),
    ),
)
# a yes/no field of the network's (data/network.toml) compared the same way: "yes:<id>"
YES_SUBTITLE = N_("Groups answering yes against all other groups (no, or not recorded)")


def themes() -> tuple[tuple[str, str, str], ...]:
    """THEMES, then one comparison per yes/no field of the network's."""
    own = tuple((f"yes:{f.id}", "", YES_SUBTITLE) for f in network.current().yesno)
    return (*THEMES, *own)


PANELS = (
    "groups",
    "pct_women",
    "savings_per_member_usd",
    "annualised_return_on_assets",
    "attendance_rate",
    "dropout_rate",
    "portfolio_at_risk",
)


SHORT_LABELS = {
    "groups": N_("Groups"),
    "pct_women": N_("Women"),
    "savings_per_member_usd": N_("Savings/member"),
    "annualised_return_on_assets": N_("Return on assets"),
    "attendance_rate": N_("Attendance"),
    "dropout_rate": N_("Dropout"),
    "portfolio_at_risk": N_("Portfolio at risk"),
}


ROW_HEIGHT = 200  # pixels a row of panels takes (the chart's frame adds 30)


def chart_height() -> int:
    """The theme charts' height: a row of the key indicators' panels, and rows of as many
    for the network's own indicators."""
    return ROW_HEIGHT * (1 + math.ceil(len(network_indicators()) / len(PANELS))) + 30


def chart_id(breakdown: str) -> str:
    return "th-" + breakdown.replace(":", "-").replace("_", "-")


HELP = N_(
    "Pooled values (ratios of sums) of the groups in each band, within the other filters. "
    "Return on assets is annualised; groups count once, with their latest dataset. See the "
    "Glossary."
)


def page_spec(shown: tuple[tuple[str, str, str], ...]) -> PageSpec:
    """One chart, of the theme the link chooses (13 charts of 169 panels, 7,700 pixels
    tall, were no way to compare), with a sentence on what differs most."""
    return PageSpec(
        charts=(ChartSpec("th-chart", HELP, height=chart_height(), lg=12, wide=True),),
        parts=(("th-theme", "options"), ("th-sentence", "children")),
    )


# The page's themes, fixed when the app is made (register_callbacks); a yes/no field added
# to the network's file is compared once the dashboard restarts.
SHOWN = themes()
PAGE = page_spec(SHOWN)


def theme_words(breakdown: str, title: str, subtitle: str) -> tuple[str, str]:
    """A theme's title and subtitle in the language in force (a tag's with its name, a
    yes/no field's its label)."""
    if breakdown.startswith("yes:"):
        return yes_label(breakdown[4:]), _(subtitle)
    tag = breakdown[4:] if breakdown.startswith("tag:") else ""
    return _(title).format(tag=tag.capitalize()), _(subtitle).format(tag=tag)


def layout(**_query: Any) -> html.Div:
    return html.Div(
        [
            html.H1(_("Cross-cutting themes"), className="page-title"),
            html.P(
                _(
                    "Each theme compared with the rest of the groups in scope on the key "
                    "indicators. Group-level themes split projects, so cost indicators are not "
                    "shown here (see Efficiency)."
                ),
                className="page-lead",
            ),
            html.Div(
                [
                    html.Label(_("Theme"), htmlFor="th-theme", className="filter-label"),
                    dcc.Dropdown(
                        labels=dropdown_labels(),
                        id="th-theme",
                        clearable=False,
                        searchable=False,
                        value=DEFAULT_THEME,
                    ),
                ],
                className="mb-3 theme-chooser",
            ),
            html.P(id="th-sentence", className="theme-sentence", role="status"),
            dbc.Row(render.cards(PAGE)),
        ]
    )


def band_label(breakdown: str, value: str) -> str:
    if breakdown.startswith("tag:"):
        tag = breakdown[4:]
        return _("Tagged {tag}").format(tag=tag) if value == "yes" else _("All other groups")
    if breakdown.startswith("yes:"):
        return _("Answering yes") if value == "yes" else _("All other groups")
    label = VALUE_LABELS.get(breakdown, {}).get(value)
    return _(label) if label else value


def order(breakdown: str, values: list[str]) -> list[str]:
    if breakdown.startswith(("tag:", "yes:")):
        wanted: tuple[str, ...] = ("yes", "no")
    else:
        wanted = BANDS.get(breakdown, tuple(sorted(values)))
    return [v for v in wanted if v in values] + [v for v in values if v not in wanted]


def theme_options() -> list[dict[str, str]]:
    """The chooser's themes, each by its title in the language in force."""
    return [{"label": theme_words(b, t, st)[0], "value": b} for b, t, st in SHOWN]


def difference(labels: list[str], panels: list[Panel], names: list[str], code: str) -> str:
    """What differs most between the bands, in a sentence: the key indicator whose values
    spread most relative to their mean (a count of groups is left out: bands differ in size
    by design), with the highest and the lowest band and their values; `names` are the
    panels' indicators in full."""
    best: tuple[float, int, int, int] | None = None
    for p, panel in enumerate(panels[: len(PANELS)]):
        if PANELS[p] == "groups":
            continue
        values = [float(v) if v is not None and not pd.isna(v) else None for v in panel.values]
        known = [(v, i) for i, v in enumerate(values) if v is not None]
        if len(known) < 2:
            continue
        high, low = max(known), min(known)
        mean = sum(v for v, _i in known) / len(known)
        spread = (high[0] - low[0]) / abs(mean) if mean else 0.0
        if best is None or spread > best[0]:
            best = (spread, p, high[1], low[1])
    if best is None or best[0] < RELATIVE_TOLERANCE:
        return _("The bands hardly differ on the key indicators (by less than 2%).")
    _spread, p, high, low = best
    panel = panels[p]
    return _(
        "{indicator} differs most: {high} {high_value}, against {low_value} for {low}."
    ).format(
        indicator=names[p],
        high=labels[high],
        high_value=format_value(panel.values[high], panel.kind, code),
        low_value=format_value(panel.values[low], panel.kind, code),
        low=labels[low],
    )


def build(search: str | None) -> PageContent:
    view = read_view(search)
    f = view.filters
    breakdown = view.state.theme
    title, subtitle = next(
        ((t, st) for b, t, st in SHOWN if b == breakdown), (SHOWN[0][1], SHOWN[0][2])
    )
    datasource.prefetch(f, [(None, False), (breakdown, False)], network=True)
    total = first_row(datasource.indicators(f, network=True))
    own = network_indicators()
    ids = (*PANELS, *(ind.id for ind in own))
    cap = caption(view, total.get("groups"), total.get("projects"))
    frame = view.money(datasource.indicators(f, breakdown, network=True))
    two_way = breakdown.startswith(("tag:", "yes:"))
    sentence = ""
    if frame.empty or (two_way and "yes" not in set(frame[breakdown])):
        fig = figures.empty(
            _("No group in scope for this comparison."),
            _("No group in scope carries this theme."),
        )
    else:
        rows = frame.set_index(breakdown)
        keys = order(breakdown, list(rows.index))
        panels = [
            Panel(_(SHORT_LABELS[p]), BY_ID[p].format, [rows.at[k, p] for k in keys])
            for p in PANELS
        ]
        panels += [Panel(ind.label, ind.format, [rows.at[k, ind.id] for k in keys]) for ind in own]
        labels = [band_label(breakdown, k) for k in keys]
        fig = figures.small_multiple_bars(labels, panels, view.code, per_row=len(PANELS))
        sentence = difference(labels, panels, [BY_ID[p].label for p in PANELS], view.code)
    title, subtitle = theme_words(breakdown, title, subtitle)
    subtitle = _(
        "{subtitle}; pooled values; savings per member in {currency}, return on assets annualised"
    ).format(subtitle=subtitle, currency=view.code)
    if own:
        subtitle += _("; second row: the network's own indicators")  # (and any further)
    return PageContent(
        _(NAME),
        charts=charts_by_id(PAGE, [Chart(fig, title, subtitle, cap, ids)]),
        parts={"th-theme.options": theme_options(), "th-sentence.children": sentence},
    )


def register_callbacks(app: Dash) -> None:
    global SHOWN, PAGE
    SHOWN = themes()
    PAGE = page_spec(SHOWN)
    register_url_param(app, "th-theme", "theme")
