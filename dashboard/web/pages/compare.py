"""/compare: chosen organisations, projects or countries against their peers on every
indicator, the network's own included: the peers' median and quartiles, where each choice
stands, and the network's pooled value (the pages' network: every group the viewer may see,
with the theme filters). A choice is marked better or worse by the pages' one rule
(page_model.verdict) against the peers' median, outside their middle half."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import replace
from functools import cached_property, partial
from typing import Any

import dash_bootstrap_components as dbc
import pandas as pd
from dash import Dash, Input, Output, State, dcc, html, no_update
from werkzeug.exceptions import BadRequest

from dashboard.analytics import datasource
from dashboard.core.filters import Filters
from dashboard.core.format import format_value
from dashboard.core.i18n import N_, _
from dashboard.core.indicators import display_label, every
from dashboard.core.urlstate import COMPARE_BY, parse_search
from dashboard.exports import tables
from dashboard.views import charts
from dashboard.views.figures.spread import benchmark_dots
from dashboard.views.needs import Frame, the_network
from dashboard.views.page_model import ChartSpec, Drawn, PageContent, PageSpec, verdict
from dashboard.views.view import (
    View,
    caption_of,
    entity_name,
    first_row,
    read_view,
    series_colours,
)
from dashboard.web.components import render
from dashboard.web.components.controls import button_group, dropdown_labels
from dashboard.web.components.tables import register_table_export, table_card

PATH = "/compare"
NAME = N_("Compare")
ORDER = 5
DEFAULT_PICKS = 3
MAX_PICKS = 6
# Counts of the whole scope are not compared (a project always has one project).
SKIP = ("organisations", "countries", "projects")
# what is compared: the choice's label, and the peers' name within a sentence
LABELS = {
    "organisation": N_("Organisations"),
    "project": N_("Projects"),
    "country": N_("Countries"),
}
KINDS = {"organisation": N_("organisations"), "project": N_("projects"), "country": N_("countries")}
DOTS_SUBTITLE = N_(
    "{names}: percentile among {kind} in scope on each indicator with a direction "
    "(right is better; the table has them all)."
)


def _dots_subtitle(words: Mapping[str, Any]) -> str:
    """Who is compared with whom, and what was left out of the choice (`note`)."""
    return _(DOTS_SUBTITLE).format(**words) + words["note"]


class Compare(charts.Data):
    """What the page's chart is drawn from: the charts' `Data`, with the peers of the kind
    compared, the choices and their standing (`benchmark`)."""

    @cached_property
    def dim(self) -> str:
        return self.view.state.compare

    @cached_property
    def benchmark(self) -> tuple[pd.DataFrame, list[str], pd.DataFrame]:
        return benchmark(self.view)

    @cached_property
    def names(self) -> list[str]:
        return [entity_name(self.dim, p, self.view.facts) for p in self.benchmark[1]]

    @cached_property
    def note(self) -> str:
        """What of the link's choice is not compared: unknown, or beyond MAX_PICKS."""
        peers, picks = self.benchmark[0], self.view.state.pick
        available = set(peers[self.dim]) if not peers.empty else set()
        unknown = [p for p in picks if p not in available]
        extra = [p for p in picks if p in available][MAX_PICKS:]
        note = ""
        if unknown:
            note += " " + _("Not among the peers in scope: {picks}.").format(
                picks=", ".join(unknown)
            )
        if extra:
            note += " " + _("At most {n} at once: {left} left out.").format(
                n=MAX_PICKS, left=len(extra)
            )
        return note

    @cached_property
    def caption(self) -> str:
        # (the chart shows every peer: its caption counts their groups, not the filters' own)
        return caption_of(
            self.view,
            replace(self.filters, **{self.dim: ()}),
            _("Peers: {n} {kind}.").format(n=len(self.benchmark[0]), kind=_(KINDS[self.dim])),
        )


def _dots(data: Compare) -> Drawn:
    dim, facts = data.dim, data.view.facts
    _peers, picks, rows = data.benchmark
    colours = series_colours(dim if dim == "organisation" else "x", picks, facts)
    colours = {entity_name(dim, k, facts): v for k, v in colours.items()}
    return Drawn(
        benchmark_dots(rows, colours),
        {
            "names": ", ".join(data.names) or _("Nothing chosen"),
            "kind": _(KINDS[dim]),
            "note": data.note,
        },
        indicators=tuple(dict.fromkeys(rows["indicator"])) if not rows.empty else (),
    )


def kind(data: Compare) -> str:
    """The kind compared (the link's `compare`)."""
    return data.dim


def peers(data: Compare) -> Filters:
    """The filters of the peers: the view's without a choice of the kind compared."""
    return replace(data.filters, **{data.dim: ()})


PAGE = PageSpec(
    charts=(
        ChartSpec(
            "cmp-dots",
            N_("Where each stands among its peers"),
            _dots_subtitle,
            _dots,
            help=N_(
                "Percentile among peers: 100 means better than every peer on that indicator "
                "(by its direction: a lower cost or dropout is better). The shaded band is the "
                "middle half of peers; the line is their median."
            ),
            height=760,
            lg=12,
            # the peers with the network's own indicators; their total (the caption's)
            needs=(Frame(kind, of=peers, network=True), Frame(of=peers)),
        ),
    ),
    needs=(Frame(of=the_network, network=True),),  # (the table's network column)
    parts=(
        ("cmp-by", "value"),
        ("cmp-pick", "options"),
        ("cmp-pick", "value"),
        ("cmp-table", "children"),
    ),
)


def layout(**_query: Any) -> html.Div:
    return html.Div(
        [
            html.H1(_("Compare with the network"), className="page-title"),
            html.P(
                _(
                    "Pick organisations, projects or countries: each indicator against the "
                    "median and middle half of their peers (all of that kind within the other "
                    "filters)."
                ),
                className="page-lead",
            ),
            dbc.Row(
                [
                    dbc.Col(
                        [
                            html.Div(_("Compare"), className="filter-label", id="cmp-by-label"),
                            button_group(
                                "cmp-by",
                                [{"label": _(LABELS[v]), "value": v} for v in COMPARE_BY],
                                "organisation",
                            ),
                        ],
                        md=5,
                    ),
                    dbc.Col(
                        [
                            html.Label(_("Choose"), htmlFor="cmp-pick", className="filter-label"),
                            dcc.Dropdown(
                                labels=dropdown_labels(),
                                id="cmp-pick",
                                multi=True,
                                placeholder=_("Choose up to {n}").format(n=MAX_PICKS),
                            ),
                        ],
                        md=7,
                    ),
                ],
                className="mb-3 g-2",
            ),
            dbc.Row(render.cards(PAGE)),
            table_card(
                "cmp-table",
                _("Benchmark table"),
                _(
                    "Green: better than three quarters of the peers; orange: worse than "
                    "three quarters (outside the peers' middle half, by the indicator's "
                    "direction, and more than 2 points from their median for a share, 2 per cent "
                    "otherwise). Network: the pooled value of every group you may see, with the "
                    "theme filters but no place filter. Money in the display currency."
                ),
            ),
        ]
    )


def percentile(value: float, peers: pd.Series, direction: int) -> float:
    """Share of peers this value is better than (ties count half), 0-100."""
    peers = peers.dropna()
    if peers.empty:
        return 50.0
    sign = direction or 1
    better = (sign * value > sign * peers).sum()
    ties = (value == peers).sum()
    return float(100.0 * (better + 0.5 * max(ties - 1, 0)) / max(len(peers) - 1, 1))


def own_picks(view: View, peers: pd.DataFrame) -> list[str]:
    """What a signed-in member compares first, when neither the link nor the filters
    choose: its own organisation against its peers (by organisation), or its own largest
    projects (by project); nothing of its own for countries."""
    dim = view.state.compare
    who = datasource.viewer()
    if who.role != "member" or not who.organisation or peers.empty:
        return []
    if dim == "organisation":
        return [who.organisation] if who.organisation in set(peers[dim]) else []
    if dim == "project":
        projects = view.facts.project_by_id
        mine = peers[
            [p in projects and projects[p].organisation == who.organisation for p in peers[dim]]
        ]
        return list(mine.nlargest(DEFAULT_PICKS, "members")[dim])
    return []


def benchmark(view: View) -> tuple[pd.DataFrame, list[str], pd.DataFrame]:
    """Peers of the compared kind, the picks, and one row per (indicator, pick)."""
    dim = view.state.compare
    peers_filter = replace(view.filters, **{dim: ()})
    peers = view.money(datasource.indicators(peers_filter, dim, network=True))
    if peers.empty:
        return peers, [], pd.DataFrame()
    available = set(peers[dim])
    picks = [p for p in view.state.pick if p in available][:MAX_PICKS]
    if not view.state.pick:
        chosen = getattr(view.filters, dim)
        picks = (
            [p for p in chosen if p in available]
            or own_picks(view, peers)
            or list(peers.nlargest(DEFAULT_PICKS, "members")[dim])
        )
    rows = []
    indexed = peers.set_index(dim)
    for ind in every():
        if ind.id in SKIP or not ind.direction:  # no "better" to rank by: table only
            continue
        column = pd.to_numeric(indexed[ind.id], errors="coerce")
        for pick in picks:
            value = column.get(pick)
            if value is None or pd.isna(value):
                continue
            rows.append(
                {
                    "indicator": ind.id,
                    "label": display_label(ind),
                    "entity": entity_name(dim, pick, view.facts),
                    "percentile": percentile(float(value), column, ind.direction),
                    "value_text": format_value(value, ind.format, view.code),
                    "median_text": format_value(column.median(), ind.format, view.code),
                }
            )
    return peers, picks, pd.DataFrame(rows)


def network_row(view: View) -> Mapping[str, Any]:
    """The network's pooled values (what /performance and the report call the network: every
    group the viewer may see, with the view's theme filters), money in the display currency,
    the network's own indicators included."""
    return first_row(view.money(datasource.indicators(view.filters.network, network=True)))


def benchmark_table(search: str | None) -> tables.Table:
    """The benchmark table as values (money in the display currency), for a download."""
    view = read_view(search)
    dim = view.state.compare
    peers, picks, _rows = benchmark(view)
    names = [entity_name(dim, p, view.facts) for p in picks]
    columns = [("indicator", _("Indicator"), ""), ("unit", _("Unit"), "")]
    columns += [(f"pick{i}", name, "*") for i, name in enumerate(names)]
    columns += [
        ("network", _("Network"), "*"),
        ("median", _("Peers' median"), "*"),
        ("q1", _("Peers' lower quartile"), "*"),
        ("q3", _("Peers' upper quartile"), "*"),
    ]
    rows = []
    if not peers.empty and picks:
        indexed = peers.set_index(dim)
        whole = network_row(view)
        for ind in every():
            if ind.id in SKIP:
                continue
            column = pd.to_numeric(indexed[ind.id], errors="coerce").dropna()
            row: dict[str, Any] = {
                "indicator": display_label(ind),
                "unit": view.code if ind.format == "usd" else ind.unit,
                "kind": ind.format,
            }
            for i, pick in enumerate(picks):
                value = indexed[ind.id].get(pick)
                row[f"pick{i}"] = None if value is None or pd.isna(value) else float(value)
            value = whole.get(ind.id)
            row["network"] = None if value is None or pd.isna(value) else float(value)
            for key, q in (("median", 0.5), ("q1", 0.25), ("q3", 0.75)):
                row[key] = float(column.quantile(q)) if not column.empty else None
            rows.append(row)
    return tables.Table(
        _("Benchmark table"),
        _("{names} against the {kind} in scope; money in {currency}").format(
            names=", ".join(names) or _("Nothing chosen"), kind=_(KINDS[dim]), currency=view.code
        ),
        caption_of(view, replace(view.filters, **{dim: ()}), _("Peers: {n}.").format(n=len(peers))),
        columns,
        rows,
        shown=True,  # (the page writes them with format_value: the file rounds them so)
    )


def standing(
    value: Any,
    q1: float | None,
    q3: float | None,
    direction: int,
    shown: Callable[[float], str] = lambda v: format(v, ".3g"),
    median: float | None = None,
    kind: str = "",
) -> str:
    """A cell's mark: better or worse only outside the peers' middle half (by the
    indicator's direction), where the difference matters; inside it, where it is equal to a
    quartile as shown (`shown` writes a value as the table does: 0.0% against 0.0%), or
    within the pages' tolerance of the peers' `median` (page_model.verdict: 2 points for a
    share, `kind` "pct", 2% otherwise), none."""
    if value is None or pd.isna(value) or q1 is None or q3 is None or not direction:
        return ""
    value = float(value)
    if shown(value) in (shown(float(q1)), shown(float(q3))):
        return ""  # equal to a quartile as shown
    if median is not None and verdict(value, median, kind, direction) == 0:
        return ""  # in line with the peers' median, by the one rule
    low, high = sorted((float(q1), float(q3)))
    if value > high:
        return "cell-better" if direction > 0 else "cell-worse"
    if value < low:
        return "cell-worse" if direction > 0 else "cell-better"
    return ""


def table(view: View, peers: pd.DataFrame, picks: list[str]) -> Any:
    if peers.empty or not picks:
        return html.P(_("Nothing to compare for these filters."), className="text-secondary")
    dim = view.state.compare
    indexed = peers.set_index(dim)
    names = [entity_name(dim, p, view.facts) for p in picks]
    head = html.Thead(
        html.Tr(
            [html.Th(_("Indicator"), scope="col")]
            + [html.Th(n, scope="col") for n in names]
            + [
                html.Th(_("Network"), scope="col"),
                html.Th(_("Peers' median"), scope="col"),
                html.Th(_("Middle half of peers"), scope="col"),
            ]
        )
    )
    body = []
    whole = network_row(view)

    def shown(kind: str, v: float) -> str:
        return format_value(v, kind, view.code)

    for ind in every():
        if ind.id in SKIP:
            continue
        column = pd.to_numeric(indexed[ind.id], errors="coerce").dropna()
        median = column.median() if not column.empty else None
        q1 = column.quantile(0.25) if not column.empty else None
        q3 = column.quantile(0.75) if not column.empty else None
        cells = [html.Th(display_label(ind), scope="row", title=ind.definition)]
        for pick in picks:
            value = indexed[ind.id].get(pick)
            text = format_value(value, ind.format, view.code)
            mark = standing(
                value, q1, q3, ind.direction, partial(shown, ind.format), median, ind.format
            )
            cells.append(html.Td(text, className=mark))
        cells.append(html.Td(format_value(whole.get(ind.id), ind.format, view.code)))
        cells.append(html.Td(format_value(median, ind.format, view.code)))
        low, high = (format_value(q, ind.format, view.code) for q in (q1, q3))
        cells.append(html.Td(_("{low} to {high}").format(low=low, high=high)))
        body.append(html.Tr(cells))
    return dbc.Table(
        [head, html.Tbody(body)], size="sm", hover=True, className="benchmark", id="benchmark-table"
    )


def build(search: str | None) -> PageContent:
    view = read_view(search)
    dim = view.state.compare
    data = Compare(view)
    PAGE.fetch(data)
    peers, picks, _rows = data.benchmark
    options = (
        sorted(
            ({"label": entity_name(dim, k, view.facts), "value": k} for k in peers[dim]),
            key=lambda o: o["label"],
        )
        if not peers.empty
        else []
    )
    return PageContent(
        _(NAME),
        charts=PAGE.draw(data),
        parts={
            "cmp-by.value": dim,
            "cmp-pick.options": options,
            "cmp-pick.value": picks,
            "cmp-table.children": table(view, peers, picks),
        },
    )


def register_callbacks(app: Dash) -> None:
    register_table_export(app, "cmp-table", benchmark_table)

    @app.callback(
        Output("url", "search", allow_duplicate=True),
        Output("cmp-pick", "value", allow_duplicate=True),
        Input("cmp-by", "value"),
        Input("cmp-pick", "value"),
        State("url", "search"),
        prevent_initial_call=True,
    )
    def to_url(dim: str, picks: list[str] | None, search: str | None) -> Any:
        """A change by the person goes to the URL. The picker shows the default choices when
        the link names none; emptying it brings those back (the view is never empty)."""
        if not isinstance(dim, str) or not (
            picks is None or (isinstance(picks, list) and all(isinstance(p, str) for p in picks))
        ):
            raise BadRequest("A comparison is a dimension and a list of names.")
        state = parse_search(search)
        picks_t = tuple(picks or ())[:MAX_PICKS]
        if dim != state.compare:
            new = replace(state, compare=dim, pick=())
        elif not picks_t:
            new = replace(state, pick=())
            if new == state:
                return no_update, benchmark(read_view(search))[1]
        elif not state.pick and list(picks_t) == benchmark(read_view(search))[1]:
            return no_update, no_update
        else:
            new = replace(state, pick=picks_t)
        target = new.search() or "?"
        return (target if target != (search or "") else no_update), no_update
