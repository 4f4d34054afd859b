"""/glossary: every indicator's label, unit, definition and direction, from the registry."""

from __future__ import annotations

from typing import Any

from dash import Dash, html

from dashboard.indicators import INDICATORS

PATH = "/glossary"
NAME = "Glossary"
ORDER = 9
CATEGORIES = {
    "outreach": "Outreach",
    "participation": "Participation",
    "savings_loans": "Savings and loans",
    "financial": "Financial performance",
    "efficiency": "Efficiency of the facilitating agency",
}
DIRECTION = {1: "Higher is better", -1: "Lower is better", 0: "Neither higher nor lower is better"}


def layout(**_query: Any) -> html.Div:
    sections = []
    for category, title in CATEGORIES.items():
        items = []
        for ind in INDICATORS:
            if ind.category != category:
                continue
            items += [
                html.Dt([ind.label, html.Code(ind.id, className="ms-2 small")], id=f"ind-{ind.id}"),
                html.Dd(
                    [
                        html.P(ind.definition, className="mb-1"),
                        html.P(
                            f"Unit: {ind.unit}. {DIRECTION[ind.direction]}."
                            + (" Computed over whole projects." if ind.level == "project" else ""),
                            className="small text-secondary mb-0",
                        ),
                    ]
                ),
            ]
        sections.append(
            html.Section(
                [html.H2(title, className="chart-title"), html.Dl(items, className="glossary")],
                className="chart-card mb-4",
            )
        )
    return html.Div(
        [
            html.H1("Glossary", className="page-title"),
            html.P(
                "Every indicator the dashboard shows, as computed. Money is converted to USD per "
                "dataset at the rate of its report year (DKK and EUR are a display option). "
                "A group is active when its latest dataset up to the as-of date is less than 365 "
                "days old; each active group counts once, with that dataset. Ratios are ratios "
                "of sums, so larger groups weigh more; n/a means the ratio is undefined.",
                className="page-lead",
            ),
            *sections,
        ]
    )


def register_callbacks(app: Dash) -> None:
    """The glossary is static."""
