"""What a page's drawing reads, declared beside what it draws: each chart (page_model.ChartSpec)
and each page (page_model.PageSpec: its tiles, its caption, its further parts) names the
frames it needs, against the view (`Frame("organisation", over_time=True)`: the view's
indicators by organisation at each quarter end; `of=network`: the network's), and a page's
needs for a view become the datasource's asks (dashboard.analytics.datasource.Rows and the
like), fetched together before anything is drawn (`PageSpec.fetch`). The drawing then calls
the datasource as it always did, and finds every answer in the cache.

A need is resolved against what the page's charts are drawn from (its `data`:
charts.Data or a page's own, holding the `view` and its `filters`): a scope (`of`) or a
breakdown (`by`) may be a function of it, and `If` keeps a need for the views it applies to,
so that a page asks for nothing its drawing does not read.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from dashboard.analytics import datasource
from dashboard.analytics.datasource import Ask
from dashboard.core.filters import Filters


def the_view(data: Any) -> Filters:
    """The view's filters."""
    return data.filters  # type: ignore[no-any-return]


def the_network(data: Any) -> Filters:
    """The network the view is set against: its filters without places (Filters.network;
    the view itself when it chooses no place)."""
    return data.filters.network  # type: ignore[no-any-return]


def chosen_by(data: Any) -> str:
    """The breakdown the page's switch chose (the link's `by`)."""
    return data.view.state.by  # type: ignore[no-any-return]


def has_place(data: Any) -> bool:
    """Whether the view chooses a place (and so is set against the network)."""
    return data.filters.has_place  # type: ignore[no-any-return]


class Need:
    """A frame (or several) a page's drawing reads: `asks(data)` gives the datasource's asks
    for a view; `after(data)` those that depend on the answers of the first (read from the
    cache once they are fetched: the trainer report's second round)."""

    def asks(self, data: Any) -> tuple[Ask, ...]:
        raise NotImplementedError

    def after(self, data: Any) -> tuple[Ask, ...]:
        return ()


By = str | None | Callable[[Any], str | None]


@dataclass(frozen=True)
class Frame(Need):
    """The indicators of a scope (`of`: the view's, or a function of the page's data), whole
    or by a breakdown (`by`: a name, or a function such as `chosen_by`), at the as-of date or
    at each quarter end (`over_time`), with the network's own indicators (`network`)."""

    by: By = None
    over_time: bool = False
    of: Callable[[Any], Filters] = the_view
    network: bool = False

    def asks(self, data: Any) -> tuple[Ask, ...]:
        by = self.by(data) if callable(self.by) else self.by
        return (datasource.Rows(self.of(data), by, self.over_time, self.network),)


@dataclass(frozen=True)
class Spread(Need):
    """The spread across groups of every ratio (datasource.distributions), whole ("") and
    by the breakdowns of `bys` (names or functions of the page's data)."""

    bys: tuple[By, ...] = ("",)
    of: Callable[[Any], Filters] = the_view

    def asks(self, data: Any) -> tuple[Ask, ...]:
        bys = tuple(str(b(data) if callable(b) else b) for b in self.bys)
        return (datasource.Spread(self.of(data), bys),)


@dataclass(frozen=True)
class Sizes(Need):
    """Active groups by their number of members (datasource.group_sizes)."""

    of: Callable[[Any], Filters] = the_view

    def asks(self, data: Any) -> tuple[Ask, ...]:
        return (datasource.Sizes(self.of(data)),)


@dataclass(frozen=True)
class Asks(Need):
    """Asks made by a function of the page's data (where a page's own code knows them:
    view.headline_asks, the profile's project reports)."""

    make: Callable[[Any], Iterable[Ask]]

    def asks(self, data: Any) -> tuple[Ask, ...]:
        return tuple(self.make(data))


@dataclass(frozen=True)
class If(Need):
    """`needs` for the views `condition` (a function of the page's data) holds for."""

    condition: Callable[[Any], bool]
    needs: tuple[Need, ...]

    def asks(self, data: Any) -> tuple[Ask, ...]:
        return gathered(self.needs, data) if self.condition(data) else ()

    def after(self, data: Any) -> tuple[Ask, ...]:
        return gathered(self.needs, data, later=True) if self.condition(data) else ()


@dataclass(frozen=True)
class Then(Need):
    """`needs` for the views `condition` holds for, where the condition reads the answers
    of the first round (asked for in the second)."""

    condition: Callable[[Any], bool]
    needs: tuple[Need, ...]

    def asks(self, data: Any) -> tuple[Ask, ...]:
        return ()

    def after(self, data: Any) -> tuple[Ask, ...]:
        return gathered(self.needs, data) if self.condition(data) else ()


def when(condition: Callable[[Any], bool], *needs: Need) -> If:
    return If(condition, needs)


def gathered(needs: Iterable[Need], data: Any, later: bool = False) -> tuple[Ask, ...]:
    """The asks of `needs` for a view, each once, in their order (`later`: the second
    round's)."""
    out: dict[Ask, None] = {}
    for need in needs:
        out.update(dict.fromkeys(need.after(data) if later else need.asks(data)))
    return tuple(out)


def fetch_all(needs: Iterable[Need], data: Any) -> None:
    """Get at once every answer `needs` read for a view (datasource.fetch), then those that
    depend on them (a second round, where a need has one)."""
    needs = tuple(needs)
    datasource.fetch(gathered(needs, data))
    later = gathered(needs, data, later=True)
    if later:
        datasource.fetch(later)
