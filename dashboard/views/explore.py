"""The indicator explorer's view (/explore, issue 32): one indicator of the registry (the
network's own included) for chosen organisations, projects and countries, each a line
beside the network's grey one, over time; the same indicator by country on a map; and a
table of the lines by quarter.

The link's place parameters (`organisation`, `project`, `country`) name the entities here,
each drawn on its own: they are not a filter that narrows the others. Each entity is
computed over the view's theme filters and as-of date (`Filters.network`: every group the
viewer may see, with those filters, as the pages' network), so that each line is what the
pages show for that place alone, and the network's line is the pages' network. The rows are
the datasource's: scoped to the viewer, small cells of other organisations blanked and
their groups perturbed, as on every page.

A line's points resting on too few active groups are left out as on the pages' trends
(figures.trends.steady) for a ratio; counts and sums are drawn whole. With `show=change`,
each line is its change since its own first quarter drawn: in per cent of that value, or in
percentage points for a share.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from functools import cached_property
from typing import Any

import pandas as pd

from dashboard.analytics import datasource
from dashboard.analytics.datasource import Ask
from dashboard.core import theme
from dashboard.core.filters import Filters
from dashboard.core.format import finite, format_change, format_value
from dashboard.core.i18n import N_, _
from dashboard.core.indicators import (
    CATEGORIES,
    NETWORK_CATEGORY,
    AnyIndicator,
    NetworkIndicator,
    display_label,
    every,
    lookup,
    quarter_text,
)
from dashboard.core.urlstate import DEFAULT_INDICATOR
from dashboard.views import charts
from dashboard.views.figures.common import empty
from dashboard.views.figures.lines import lines
from dashboard.views.figures.maps import indicator_map
from dashboard.views.figures.trends import steady, thin_note
from dashboard.views.needs import Asks
from dashboard.views.page_model import ChartSpec, Drawn, in_line
from dashboard.views.view import View, caption_of, entity_name, nice_date, organisation_colours

KINDS = ("organisation", "project", "country")  # in the order their lines are listed
NETWORK = "network"  # the entity of the network's line
MAX_ENTITIES = 10  # lines besides the network's: more are not read apart on one chart


@dataclass(frozen=True)
class Entity:
    """A line of the explorer: its kind (one of KINDS, or NETWORK), its key (an
    organisation's name, a project's id, a country's code; "" for the network), its name as
    shown and its colour."""

    kind: str
    key: str
    name: str
    colour: str

    @property
    def value(self) -> str:
        """Its value in the search box ("organisation:Alpha Aid", "network")."""
        return NETWORK if self.kind == NETWORK else f"{self.kind}:{self.key}"


def ratio(indicator: AnyIndicator) -> bool:
    """Whether an indicator is a ratio (its points rest on their groups: a trend leaves out
    those of too few), not a count or a sum."""
    return not indicator.additive and indicator.format != "int"


def indicator_options() -> list[dict[str, str]]:
    """Every indicator of the registry, grouped as in the glossary (its category first in
    its label), the network's own last."""
    out = []
    for ind in every():
        group = (
            _(NETWORK_CATEGORY)
            if isinstance(ind, NetworkIndicator)
            else _(CATEGORIES[ind.category])
        )
        out.append({"label": f"{group}: {display_label(ind)}", "value": ind.id})
    order = {key: i for i, key in enumerate(CATEGORIES)}
    rank = {ind.id: order.get(ind.category, len(order)) for ind in every()}
    return sorted(out, key=lambda o: rank[o["value"]])


class Explore(charts.Data):
    """What the explorer's chart, map and table are drawn from."""

    @cached_property
    def indicator(self) -> AnyIndicator:
        try:
            return lookup(self.view.state.indicator)
        except KeyError:  # (a network's field gone since the link was made)
            return lookup(DEFAULT_INDICATOR)

    @property
    def column(self) -> str:
        return self.indicator.id

    @property
    def label(self) -> str:
        return display_label(self.indicator)

    @property
    def kind(self) -> str:
        """The indicator's format (int, pct, usd, decimal)."""
        return str(self.indicator.format)

    @property
    def unit(self) -> str:
        return self.code if self.kind == "usd" else self.indicator.unit

    @property
    def own(self) -> bool:
        """Whether the indicator is one of the network's own (computed in a query of its
        own: datasource.indicators' `network`)."""
        return isinstance(self.indicator, NetworkIndicator)

    @property
    def base(self) -> Filters:
        """What every entity is computed within: the theme filters and the as-of date."""
        return self.filters.network

    @cached_property
    def chosen(self) -> list[tuple[str, str]]:
        """The link's entities (kind, key), in the order of KINDS and of the link, each
        once, at most MAX_ENTITIES."""
        f = self.filters
        found = [(kind, key) for kind in KINDS for key in getattr(f, kind)]
        return list(dict.fromkeys(found))[:MAX_ENTITIES]

    @cached_property
    def left_out(self) -> int:
        f = self.filters
        return max(0, len({(k, v) for k in KINDS for v in getattr(f, k)}) - MAX_ENTITIES)

    @property
    def with_network(self) -> bool:
        return self.view.state.network != "off"

    @cached_property
    def entities(self) -> list[Entity]:
        """The lines, the network's last (drawn over the others, in grey)."""
        facts = self.view.facts
        named = organisation_colours(facts)
        used = {named[key] for kind, key in self.chosen if kind == "organisation" and key in named}
        spare = [c for c in theme.OKABE_ITO if c not in used] or list(theme.OKABE_ITO)
        out: list[Entity] = []
        n = 0
        for kind, key in self.chosen:
            if kind == "organisation" and key in named:
                colour = named[key]
            else:
                colour, n = spare[n % len(spare)], n + 1
            out.append(Entity(kind, key, entity_name(kind, key, facts), colour))
        if self.with_network:
            out.append(Entity(NETWORK, "", _("Network"), theme.NETWORK_GREY))
        return out

    def asks(self) -> tuple[Ask, ...]:
        """What the chart, the map and the table read: each line's place alone by quarter
        (as its page asks for it: a breakdown of the network would blank a point to
        protect another place's small cell), the network by quarter, the countries at the
        as-of date, and the scope's total (the caption)."""
        over = [datasource.Rows(self.scope(e), None, True, self.own) for e in self.entities]
        return (
            *over,
            datasource.Rows(self.base, "country", False, self.own),
            datasource.Rows(self.base),
        )

    def scope(self, entity: Entity) -> Filters:
        """The filters of a line: its place alone within the theme filters and the date."""
        if entity.kind == NETWORK:
            return self.base
        return replace(self.base, **{entity.kind: (entity.key,)})

    def _rows(self, by: str | None, over_time: bool = True) -> pd.DataFrame:
        return self.view.money(datasource.indicators(self.base, by, over_time, self.own))

    @cached_property
    def series(self) -> pd.DataFrame:
        """Each entity's value at each quarter end (columns entity, name, as_of, value,
        groups, shown: False for a small cell of other organisations), its thin points left
        out for a ratio (unless the link asks for every point)."""
        frames = []
        thin = ratio(self.indicator) and not self.view.every_point
        for entity in self.entities:
            rows = self.view.money(datasource.indicators(self.scope(entity), None, True, self.own))
            if rows.empty or self.column not in rows:
                continue
            part = pd.DataFrame(
                {
                    "entity": entity.value,
                    "name": entity.name,
                    "as_of": rows["as_of"],
                    "value": pd.to_numeric(rows[self.column], errors="coerce"),
                    "groups": pd.to_numeric(rows["groups"], errors="coerce"),
                    "shown": ~rows.get("suppressed", pd.Series(False, index=rows.index))
                    .fillna(False)
                    .astype(bool),
                }
            )
            part["value"] = part["value"].where(part["value"].map(_finite))
            if thin:
                part, _need = steady(part, ["value"])
            frames.append(part.sort_values("as_of"))
        if not frames:
            return pd.DataFrame(columns=["entity", "name", "as_of", "value", "groups", "shown"])
        return pd.concat(frames, ignore_index=True)

    @cached_property
    def need(self) -> int:
        """How many groups a ratio's point needs (the caption); 0 when every point is drawn."""
        if not ratio(self.indicator) or self.view.every_point:
            return 0
        _frame, need = steady(pd.DataFrame({"groups": self.series["groups"]}), [])
        return need

    @cached_property
    def changes(self) -> pd.DataFrame:
        """`series` as each line's change since its own first quarter drawn: in per cent of
        that value (a fraction: none where it is not above zero), in percentage points for
        a share."""
        out = []
        for _entity, part in self.series.groupby("entity", sort=False):
            part = part.copy()
            drawn = part.dropna(subset=["value"])
            first = float(drawn["value"].iloc[0]) if not drawn.empty else None
            if first is None:
                part["value"] = None
            elif self.kind == "pct":  # (in percentage points)
                part["value"] = (part["value"] - first) * 100
            else:
                part["value"] = (part["value"] / first - 1) if first > 0 else None
            out.append(part)
        return pd.concat(out, ignore_index=True) if out else self.series

    @property
    def showing_change(self) -> bool:
        return self.view.state.show == "change"

    @cached_property
    def not_shown(self) -> list[str]:
        """The entities with no point drawn (small cells of other organisations, no group)."""
        drawn = set(self.series.dropna(subset=["value"])["entity"])
        return [e.name for e in self.entities if e.value not in drawn]

    @cached_property
    def finding(self) -> str:
        return finding(self.series, self.label, self.kind, self.indicator.direction, self.code)

    @cached_property
    def by_country(self) -> pd.DataFrame:
        """The indicator by country at the as-of date (the map)."""
        return self._rows("country", over_time=False)

    @cached_property
    def caption(self) -> str:
        notes = [thin_note(self.need) if ratio(self.indicator) else ""]
        if self.not_shown:
            notes.append(
                _(
                    "No value to draw for {names} (no active group, or fewer than 5 groups of "
                    "other organisations)."
                ).format(names=", ".join(self.not_shown))
            )
        if self.left_out:
            notes.append(
                _("At most {n} lines at once: {left} left out.").format(
                    n=MAX_ENTITIES, left=self.left_out
                )
            )
        return caption_of(self.view, self.base, " ".join(n for n in notes if n))

    @cached_property
    def names(self) -> str:
        return ", ".join(e.name for e in self.entities) or _("Nothing chosen")


def _finite(value: Any) -> bool:
    return finite(value) is not None


def _quarter(day: Any) -> str:
    return quarter_text(pd.Timestamp(day).date())


def finding(series: pd.DataFrame, label: str, kind: str, direction: int, currency: str) -> str:
    """The chart's finding in words, for its title: for one line, its change since its first
    quarter drawn ("Savings per member of Fjord Partners rose 18% since 2024Q1 to USD 28");
    for several, the one that changed most in the indicator's good direction since the
    first quarter all of them have ("Savings per member rose fastest for Fjord Partners
    (+18%) since 2024Q1"; for a cost, the one that fell most), the network's line set
    aside unless it is alone; the indicator's label alone where there is nothing to tell.
    Shares change in percentage points, the rest in per cent of the first value."""
    drawn = series.dropna(subset=["value"])
    if drawn.empty:
        return label
    own = drawn[drawn["entity"] != NETWORK]
    lines_ = own if not own.empty else drawn
    parts = {e: p.sort_values("as_of") for e, p in lines_.groupby("entity", sort=False)}
    if len(parts) == 1:
        part = next(iter(parts.values()))
        alone = str(part["entity"].iloc[0]) == NETWORK
        name = _("the network") if alone else str(part["name"].iloc[0])
        first, last = part.iloc[0], part.iloc[-1]
        value = format_value(last["value"], kind, currency)
        change = format_change(last["value"], first["value"], kind)
        if len(part) < 2 or change is None:
            return _("{label} of {name}: {value} in {quarter}").format(
                label=label, name=name, value=value, quarter=_quarter(last["as_of"])
            )
        words = {
            "label": label,
            "name": name,
            "value": value,
            "since": _quarter(first["as_of"]),
        }
        if change[1] == 0 or in_line(last["value"], first["value"], kind):
            return _("{label} of {name} held at {value} since {since}").format(**words)
        template = (
            _("{label} of {name} rose {change} since {since} to {value}")
            if change[1] > 0
            else _("{label} of {name} fell {change} since {since} to {value}")
        )
        return template.format(change=change[0].lstrip("+-−"), **words)
    start = max(p["as_of"].iloc[0] for p in parts.values())  # (the first quarter all have)
    moves: list[tuple[float, str, str]] = []
    for part in parts.values():
        then = part[part["as_of"] == start]
        last = part.iloc[-1]
        if then.empty or last["as_of"] <= start:
            continue
        before, now = float(then["value"].iloc[0]), float(last["value"])
        change = format_change(now, before, kind)
        if change is None or (kind != "pct" and before <= 0):
            continue
        move = (now - before) if kind == "pct" else (now / before - 1)
        moves.append((move, str(part["name"].iloc[0]), change[0], in_line(now, before, kind)))
    if not moves:
        return label
    sign = -1 if direction < 0 else 1
    move, name, text, steady_ = max(moves, key=lambda m: sign * m[0])
    words = {"label": label, "name": name, "change": text, "since": _quarter(start)}
    if steady_:  # (the most moved within the tolerance of the pages' one rule: no news)
        return _("{label} changed little for every line since {since}").format(**words)
    if move > 0:
        template = (
            _("{label} rose fastest for {name} ({change}) since {since}")
            if sign > 0
            else _("{label} rose least for {name} ({change}) since {since}")
        )
    elif move < 0:
        template = (
            _("{label} fell least for {name} ({change}) since {since}")
            if sign > 0
            else _("{label} fell fastest for {name} ({change}) since {since}")
        )
    else:
        template = _("{label} held steadiest for {name} since {since}")
    return template.format(**words)


# --- The drawings -----------------------------------------------------------------------


def _lines(data: Explore) -> Drawn:
    frame = data.changes if data.showing_change else data.series
    # (a change is a share of the first value, drawn as one; a share's, in points)
    kind = data.kind
    if data.showing_change:
        kind = "decimal" if data.kind == "pct" else "pct"
    own = frame[frame["entity"] != NETWORK]
    network = frame[frame["entity"] == NETWORK]
    words = {"finding": data.finding, "names": data.names, "label": data.label, "unit": data.unit}
    if frame.dropna(subset=["value"]).empty:
        figure = empty(
            _("Nothing to draw for this choice"),
            _("Add an organisation, a project or a country, or choose another indicator."),
        )
        return Drawn(figure, words, indicators=(data.column,))
    alone = own.dropna(subset=["value"]).empty  # (the network alone: its line named)
    figure = lines(
        network if alone else own,
        "value",
        kind,
        series="entity",
        colours={e.value: e.colour for e in data.entities},
        labels={e.value: e.name for e in data.entities},
        order=[e.value for e in data.entities],
        total=None if alone or network.empty else network,
        currency=data.code,
        y_title=_y_title(data),
        end_values=True,
    )
    return Drawn(figure, words, indicators=(data.column,))


def _y_title(data: Explore) -> str:
    if data.showing_change:
        if data.kind == "pct":
            return _("Change since its first quarter (percentage points)")
        return _("Change since its first quarter (%)")
    return f"{data.label} ({data.unit})" if data.unit else data.label


def _map(data: Explore) -> Drawn:
    frame = data.by_country
    names = data.country_names
    figure = indicator_map(frame, names, data.column, data.kind, data.label, data.code)
    words = {"label": data.label, "unit": data.unit, "date": nice_date(data.view.as_of)}
    caption = caption_of(data.view, data.base)  # (no trend: no point left out)
    return Drawn(figure, words, caption=caption, indicators=(data.column,))


def _title(words: Mapping[str, Any]) -> str:
    return str(words["finding"])  # (the drawing's: explore.finding)


def _subtitle(words: Mapping[str, Any]) -> str:
    return _("{label}, {unit}, at each quarter end: {names}").format(**words)


def _map_title(words: Mapping[str, Any]) -> str:
    return _("{label} by country").format(**words)


def _map_subtitle(words: Mapping[str, Any]) -> str:
    return _("{label}, {unit}, as of {date}: every group you may see, by country").format(**words)


def _help() -> str:
    return _(
        "Each line is the indicator for that organisation, project or country alone, within "
        "the theme filters; the grey line is the network (every group you may see). The "
        "value at each line's end is its latest."
    )


NEEDS = (Asks(lambda data: data.asks()),)
CHART = ChartSpec(
    "ex-chart",
    _title,
    _subtitle,
    _lines,
    help=_help,
    height=460,
    lg=12,
    needs=NEEDS,
)
MAP = ChartSpec(
    "ex-map",
    _map_title,
    _map_subtitle,
    _map,
    help=N_("The indicator for each country's groups as of the date chosen; hover for its value."),
    height=460,
    lg=12,
    only="wide",
    needs=NEEDS,
)


# --- The table --------------------------------------------------------------------------


def table_rows(data: Explore) -> tuple[list[Entity], list[dict[str, Any]]]:
    """The lines by quarter, newest first: for each quarter the chart draws (its end date
    and its text), each entity's value (None where none is drawn: the chart's gaps)."""
    frame = data.series
    entities = [e for e in data.entities if e.value in set(frame["entity"])]
    if frame.empty:
        return entities, []
    wide = frame.pivot_table(
        index="as_of", columns="entity", values="value", aggfunc="first", dropna=False
    )
    rows = []
    for day in sorted(wide.index, reverse=True):
        row: dict[str, Any] = {"as_of": day, "quarter": _quarter(day)}
        for e in entities:
            value = wide.at[day, e.value] if e.value in wide.columns else None
            row[e.value] = None if value is None or pd.isna(value) else float(value)
        if any(row[e.value] is not None for e in entities):  # (a quarter the chart draws)
            rows.append(row)
    return entities, rows


def every_entity(view: View) -> list[dict[str, str]]:
    """The search box's choices: the network, then the organisations (a member's own
    first), the countries and the projects the viewer may see, each named with its kind."""
    facts = view.facts
    who = datasource.viewer()
    own = who.organisation if who.role == "member" else None
    organisations = sorted(facts.organisations, key=lambda o: (o != own, o.casefold()))
    out = [{"label": _("Network (every group you may see)"), "value": NETWORK}]
    out += [
        {"label": _("{name} (organisation)").format(name=o), "value": f"organisation:{o}"}
        for o in organisations
    ]
    countries = sorted(facts.countries, key=lambda c: entity_name("country", c, facts))
    out += [
        {
            "label": _("{name} (country)").format(name=entity_name("country", c, facts)),
            "value": f"country:{c}",
        }
        for c in countries
    ]
    projects = sorted(facts.projects, key=lambda p: facts.project_labels.get(p.project_id, ""))
    out += [
        {
            "label": _("{name} (project of {organisation})").format(
                name=facts.project_labels.get(p.project_id, p.project_id),
                organisation=p.organisation,
            ),
            "value": f"project:{p.project_id}",
        }
        for p in projects
    ]
    return out


def chosen_values(data: Explore) -> list[str]:
    """The search box's value for the view: its entities."""
    return [e.value for e in data.entities]


def parse_entities(values: Sequence[Any]) -> tuple[dict[str, tuple[str, ...]], bool]:
    """The search box's value read as hostile: (the place parameters' values by kind, whether
    the network's line is drawn). What is not a text of a known kind is dropped; the link's
    own checks then drop names the viewer may not see (urlstate.parse_search)."""
    places: dict[str, list[str]] = {k: [] for k in KINDS}
    network = False
    for value in values[: 4 * MAX_ENTITIES]:
        if not isinstance(value, str) or len(value) > 200:
            continue
        if value == NETWORK:
            network = True
            continue
        kind, _sep, key = value.partition(":")
        key = key.strip()
        if kind in places and key and key not in places[kind]:
            places[kind].append(key)
    return {k: tuple(v) for k, v in places.items()}, network
