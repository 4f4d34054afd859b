"""/themes: a cross-cutting theme's bands side by side, the key indicators as a chart and every
other group-level indicator (the network's own included) in a table below it."""

from __future__ import annotations

from collections.abc import Mapping
from functools import cached_property
from typing import Any

import dash_bootstrap_components as dbc
import pandas as pd
from dash import Dash, dcc, html

from dashboard.analytics import datasource
from dashboard.core import network
from dashboard.core.filters import BANDS, KNOWN_TAGS, yes_label
from dashboard.core.format import format_value
from dashboard.core.i18n import N_, _
from dashboard.core.indicators import BY_ID, AnyIndicator, display_label, every
from dashboard.core.urlstate import DEFAULT_THEME
from dashboard.exports import tables
from dashboard.views import charts
from dashboard.views.figures.common import empty
from dashboard.views.figures.grids import Panel, small_multiple_bars
from dashboard.views.needs import Frame
from dashboard.views.page_model import RELATIVE_TOLERANCE, ChartSpec, Drawn, PageContent, PageSpec
from dashboard.views.view import VALUE_LABELS, View, caption, first_row, read_view
from dashboard.web.components import render
from dashboard.web.components.controls import dropdown_labels, register_url_param
from dashboard.web.components.tables import register_table_export, table_card

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
CHART_HEIGHT = ROW_HEIGHT + 30  # one row: the key indicators (the rest are in the table)
# not compared between bands: counts of the scope, and the cost of projects (a band of
# groups splits a project)
NOT_IN_TABLE = ("organisations", "countries", "projects", *PANELS)


def rest() -> tuple[AnyIndicator, ...]:
    """The table's indicators: every group-level one but the chart's, the network's own
    included (their words in the language in force)."""
    return tuple(i for i in every() if i.level == "group" and i.id not in NOT_IN_TABLE)


def chart_id(breakdown: str) -> str:
    return "th-" + breakdown.replace(":", "-").replace("_", "-")


HELP = N_(
    "Pooled values (ratios of sums) of the groups in each band, within the other filters. "
    "Return on assets is annualised; groups count once, with their latest dataset. See the "
    "Glossary."
)


def _theme_title(words: Mapping[str, Any]) -> str:
    """The chart's title: the theme's (theme_words), in the language in force."""
    return str(words["theme"])


class Themes(charts.Data):
    """What the page's chart is drawn from: the charts' `Data`, with the theme of the link,
    its bands and their key indicators (`panels`), the network's own included."""

    @cached_property
    def caption(self) -> str:
        total = first_row(datasource.indicators(self.filters, network=True))
        return caption(self.view, total.get("groups"), total.get("projects"))

    @cached_property
    def breakdown(self) -> str:
        return self.view.state.theme

    @cached_property
    def bands(self) -> tuple[list[str], list[str], pd.DataFrame]:
        return bands(self.view)

    @cached_property
    def panels(self) -> list[Panel]:
        keys, _labels, rows = self.bands
        return [
            Panel(_(SHORT_LABELS[p]), BY_ID[p].format, [rows.at[k, p] for k in keys])
            for p in PANELS
        ]


def _theme(data: Themes) -> str:
    """The breakdown the page reads: the link's theme."""
    return data.breakdown


def _bands(data: Themes) -> Drawn:
    keys, labels, _rows = data.bands
    if not keys:
        figure = empty(
            _("No group in scope for this comparison."),
            _("No group in scope carries this theme."),
        )
    else:
        figure = small_multiple_bars(labels, data.panels, data.code, per_row=len(PANELS))
    title, subtitle = theme_words(data.breakdown, *theme_titles(data.breakdown))
    return Drawn(figure, {"theme": title, "subtitle": subtitle})


def page_spec(shown: tuple[tuple[str, str, str], ...]) -> PageSpec:
    """One chart, of the theme the link chooses (13 charts of 169 panels, 7,700 pixels
    tall, were no way to compare), with a sentence on what differs most."""
    return PageSpec(
        charts=(
            ChartSpec(
                "th-chart",
                _theme_title,
                N_(
                    "{subtitle}; pooled values; savings per member in {currency}, return on "
                    "assets annualised"
                ),
                _bands,
                PANELS,
                help=HELP,
                height=CHART_HEIGHT,
                lg=12,
                wide=True,
                needs=(Frame(by=_theme, network=True),),  # the bands (and the table below)
            ),
        ),
        parts=(("th-theme", "options"), ("th-sentence", "children"), ("th-table", "children")),
        needs=(Frame(network=True),),  # the caption's groups and projects
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
            table_card(
                "th-table",
                _("Every other indicator"),
                _(
                    "The same bands on every other group-level indicator, the network's own "
                    "included: pooled values, money in the display currency."
                ),
            ),
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


# the indicator a theme's bands are made of: that it differs says nothing
DEFINED_BY = {"women_band": "pct_women", "youth_band": "pct_youth"}


def difference(
    labels: list[str], panels: list[Panel], names: list[str], code: str, skip: str = ""
) -> str:
    """What differs most between the bands, in a sentence: the key indicator whose values
    spread most relative to their mean (a count of groups is left out: bands differ in size
    by design; so is `skip`, the indicator the bands are made of), with the highest and the
    lowest band and their values; `names` are the panels' indicators in full."""
    best: tuple[float, int, int, int] | None = None
    for p, panel in enumerate(panels[: len(PANELS)]):
        if PANELS[p] in ("groups", skip):
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


def bands(view: View) -> tuple[list[str], list[str], pd.DataFrame]:
    """The theme's bands of the link (keys, labels) and their indicators, one row each by
    key (none where no group in scope carries the theme)."""
    breakdown = view.state.theme
    frame = view.money(datasource.indicators(view.filters, breakdown, network=True))
    if frame.empty or (
        breakdown.startswith(("tag:", "yes:")) and "yes" not in set(frame[breakdown])
    ):
        return [], [], pd.DataFrame()
    rows = frame.set_index(breakdown)
    keys = order(breakdown, list(rows.index))
    return keys, [band_label(breakdown, k) for k in keys], rows


def rest_table(search: str | None) -> tables.Table:
    """The table under the chart as values (money in the display currency), for a
    download."""
    view = read_view(search)
    return rest_of(view, *bands(view))


def rest_of(view: View, keys: list[str], labels: list[str], rows: pd.DataFrame) -> tables.Table:
    """The table of the theme's bands (`bands(view)`)."""
    columns = [("indicator", _("Indicator"), ""), ("unit", _("Unit"), "")]
    columns += [(f"band{i}", label, "*") for i, label in enumerate(labels)]
    out = []
    for ind in rest() if keys else ():
        row: dict[str, Any] = {
            "indicator": display_label(ind),
            "unit": view.code if ind.format == "usd" else ind.unit,
            "kind": ind.format,
        }
        for i, key in enumerate(keys):
            value = rows.at[key, ind.id] if ind.id in rows.columns else None
            row[f"band{i}"] = None if value is None or pd.isna(value) else float(value)
        out.append(row)
    title, subtitle = theme_words(view.state.theme, *theme_titles(view.state.theme))
    total = first_row(datasource.indicators(view.filters, network=True))
    return tables.Table(
        _("{theme}: every other indicator").format(theme=title),
        subtitle,
        caption(view, total.get("groups"), total.get("projects")),
        columns,
        out,
    )


def table_view(table: tables.Table, code: str) -> Any:
    """The table as shown: each value written as its indicator is."""
    if not table.rows:
        return html.P(_("No group in scope for this comparison."), className="text-secondary")
    head = html.Thead(
        html.Tr(
            [html.Th(_("Indicator"), scope="col"), html.Th(_("Unit"), scope="col")]
            + [html.Th(h, scope="col") for key, h, _k in table.columns if key.startswith("band")]
        )
    )
    body = [
        html.Tr(
            [
                html.Th(row["indicator"], scope="row"),
                html.Td(row["unit"], className="text-secondary"),
            ]
            + [
                html.Td(format_value(row[key], row["kind"], code))
                for key, _h, _k in table.columns
                if key.startswith("band")
            ]
        )
        for row in table.rows
    ]
    return dbc.Table([head, html.Tbody(body)], size="sm", hover=True, className="benchmark")


def theme_titles(breakdown: str) -> tuple[str, str]:
    """A theme's title and subtitle as declared (untranslated), the default's if unknown."""
    return next(((t, st) for b, t, st in SHOWN if b == breakdown), (SHOWN[0][1], SHOWN[0][2]))


def build(search: str | None) -> PageContent:
    view = read_view(search)
    data = Themes(view)
    PAGE.fetch(data)
    keys, labels, rows = data.bands
    sentence = (
        difference(
            labels,
            data.panels,
            [BY_ID[p].label for p in PANELS],
            view.code,
            DEFINED_BY.get(data.breakdown, ""),
        )
        if keys
        else ""
    )
    return PageContent(
        _(NAME),
        charts=PAGE.draw(data),
        parts={
            "th-theme.options": theme_options(),
            "th-sentence.children": sentence,
            "th-table.children": table_view(rest_of(view, keys, labels, rows), view.code),
        },
    )


def register_callbacks(app: Dash) -> None:
    global SHOWN, PAGE
    SHOWN = themes()
    PAGE = page_spec(SHOWN)
    register_url_param(app, "th-theme", "theme")
    register_table_export(app, "th-table", rest_table)
