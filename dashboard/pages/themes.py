"""/themes: each cross-cutting theme side by side with the rest, on the key indicators."""

from __future__ import annotations

from typing import Any

import dash_bootstrap_components as dbc
from dash import Dash, Input, Output, html

from dashboard import datasource, figures
from dashboard.components.cards import ChartView, chart_card, chart_outputs
from dashboard.figures import Panel
from dashboard.filters import BANDS, KNOWN_TAGS
from dashboard.indicators import BY_ID
from dashboard.pages.common import VALUE_LABELS, caption, first_row, read_view

PATH = "/themes"
NAME = "Themes"
ORDER = 4
# (breakdown, title, what is compared)
THEMES: tuple[tuple[str, str, str], ...] = (
    ("women_band", "Women's membership", "Groups of women only, mostly women and mixed groups"),
    (
        "youth_band",
        "Youth",
        "Groups where most members are youth, some are, or youth is not recorded",
    ),
    *(
        (f"tag:{t}", f"{t.capitalize()} groups", f"Groups tagged {t} against all other groups")
        for t in KNOWN_TAGS
    ),
    ("setting", "Rural and urban", "Groups by setting"),
    ("trained_by", "Replicated and trained", "Groups formed by the project and replicated groups"),
    ("cycle", "First cycle and mature groups", "Groups in their first cycle and in later cycles"),
)
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
    "groups": "Groups",
    "pct_women": "Women",
    "savings_per_member_usd": "Savings/member",
    "annualised_return_on_assets": "Return on assets",
    "attendance_rate": "Attendance",
    "dropout_rate": "Dropout",
    "portfolio_at_risk": "Portfolio at risk",
}


def chart_id(breakdown: str) -> str:
    return "th-" + breakdown.replace(":", "-").replace("_", "-")


CHARTS = tuple(chart_id(b) for b, _, _ in THEMES)


def layout(**_query: Any) -> html.Div:
    return html.Div(
        [
            html.H1("Cross-cutting themes", className="page-title"),
            html.P(
                "Each theme compared with the rest of the groups in scope on the key "
                "indicators. Group-level themes split projects, so cost indicators are not "
                "shown here (see Efficiency).",
                className="page-lead",
            ),
            dbc.Row(
                [
                    chart_card(
                        cid,
                        height=230,
                        lg=12,
                        help_text="Pooled values (ratios of sums) of the groups in each band, "
                        "within the other filters. Return on assets is annualised; groups "
                        "count once, with their latest dataset. See the Glossary.",
                    )
                    for cid in CHARTS
                ]
            ),
        ]
    )


def band_label(breakdown: str, value: str) -> str:
    if breakdown.startswith("tag:"):
        tag = breakdown[4:]
        return f"Tagged {tag}" if value == "yes" else "All other groups"
    return VALUE_LABELS.get(breakdown, {}).get(value, value)


def order(breakdown: str, values: list[str]) -> list[str]:
    if breakdown.startswith("tag:"):
        wanted: tuple[str, ...] = ("yes", "no")
    else:
        wanted = BANDS.get(breakdown, tuple(sorted(values)))
    return [v for v in wanted if v in values] + [v for v in values if v not in wanted]


def build(search: str | None) -> list[Any]:
    view = read_view(search)
    f = view.filters
    datasource.prefetch(f, [(None, False), *((b, False) for b, _t, _s in THEMES)])
    total = first_row(datasource.indicators(f))
    cap = caption(view, total.get("groups"), total.get("projects"))
    out: list[Any] = []
    for breakdown, title, subtitle in THEMES:
        frame = view.money(datasource.indicators(f, breakdown))
        if frame.empty or (breakdown.startswith("tag:") and "yes" not in set(frame[breakdown])):
            fig = figures.empty(
                "No group in scope for this comparison.", "No group in scope carries this theme."
            )
        else:
            rows = frame.set_index(breakdown)
            keys = order(breakdown, list(rows.index))
            panels = [
                Panel(
                    SHORT_LABELS[p],
                    BY_ID[p].format,
                    [rows.at[k, p] for k in keys],
                )
                for p in PANELS
            ]
            fig = figures.small_multiple_bars(
                [band_label(breakdown, k) for k in keys], panels, view.code
            )
        note = f"; pooled values; savings per member in {view.code}, return on assets annualised"
        out += ChartView(fig, title, subtitle + note, cap, PANELS).values()
    return out


def outputs() -> list[Output]:
    """What `build` fills, in its order (the page callback and the PowerPoint export)."""
    return chart_outputs(CHARTS)


def register_callbacks(app: Dash) -> None:
    @app.callback(*outputs(), Input("url", "search"))
    def update(search: str | None) -> list[Any]:
        return build(search)
