"""The dashboard's query layer: named SQL queries and the indicator engine -> DataFrames.

Pages call these functions and hand the results to pure figure functions; nothing here knows
about Dash. Results are cached per process, keyed by the pool file's identity (an import swaps
in a new file, so a new pool version never serves old numbers) and the arguments (Filters is a
frozen dataclass, hashable, its notices excluded). Callers must not modify what they get.

Every function scopes its query to the current viewer (dashboard.access.viewer.current_viewer, from
the server-side session) before the cache and the SQL: the projects the viewer may see go in
as bound parameters ($restricted, $visible), so the cache key holds the viewer's scope too,
and no caller can ask for more.
"""

from __future__ import annotations

import contextvars
import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date
from functools import partial, wraps
from typing import Any, ParamSpec, TypeVar

import pandas as pd

from dashboard.access.policy import Viewer, detailed_projects, visible_projects
from dashboard.access.viewer import current_viewer
from dashboard.analytics import cache, disclosure
from dashboard.analytics.engine import (
    compute,
    compute_many,
    earliest_report_date,
    latest_report_date,
    network_ids,
    with_fields,
)
from dashboard.core import i18n, sources
from dashboard.core.facts import PoolFacts, Project
from dashboard.core.filters import BANDS, LIST_FIELDS, Filters, visibility_params
from dashboard.core.i18n import N_
from dashboard.core.indicators import IDS, quarter_label, trend_dates
from dashboard.core.indicators import comparison_date as comparison_date  # pages use it from here
from dashboard.pool import db
from dashboard.pool.files import meta
from dashboard.pool.quality import rule_counts
from dashboard.pool.sqlfiles import sql

P = ParamSpec("P")
R = TypeVar("R")


def cached(func: Callable[P, R]) -> Callable[P, R]:
    """Memoise a query function per pool data version (dashboard.analytics.cache: this process's
    LRU,
    or Redis shared by every worker and host). The key holds the function, the version and
    the arguments, Filters with their values sorted (the same view, however it was picked),
    so it holds the viewer's scope (`visible`) too."""

    def key(*args: Any, **kwargs: Any) -> str:
        parts = (func.__name__, db.pool_version(), _normal(args), _normal(sorted(kwargs.items())))
        return cache.key_of(parts)

    @wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        name = key(*args, **kwargs)
        store = cache.backend()
        value = store.get(name)
        if value is cache.MISSING:
            value = func(*args, **kwargs)
            store.set(name, value)
        return value  # type: ignore[no-any-return]

    # for filling the cache in advance (fetch, _batch): the key of a call, as the wrapper makes it
    wrapper.key = key  # type: ignore[attr-defined]
    return wrapper


def _normal(value: Any) -> Any:
    """`value` with the filters' lists sorted (a cache key part)."""
    if isinstance(value, Filters):
        return replace(
            value,
            **{name: tuple(sorted(getattr(value, name))) for name in LIST_FIELDS},
            visible=None if value.visible is None else tuple(sorted(value.visible)),
            notices=(),
        )
    if isinstance(value, tuple | list):
        return tuple(_normal(v) for v in value)
    return value


def clear_cache() -> None:
    cache.clear_all()


def _frame(query: str, params: dict[str, Any] | None = None) -> pd.DataFrame:
    with db.cursor() as con:
        return con.execute(sql(query), params or {}).df()


# --- What the pool holds -------------------------------------------------------------------


def _none(value: Any) -> Any:
    return None if value is None or value is pd.NaT or value != value else value


def viewer() -> Viewer:
    return current_viewer()


def _visible(detail: bool = False) -> tuple[str, ...] | None:
    """Project ids the current viewer may see (None: all); with `detail`, those it may see
    in detail (per trainer or group): its own organisation's."""
    who = viewer()
    if who.is_admin:
        return None
    rows = [(p.project_id, p.organisation, p.shared) for p in all_facts().projects]
    return (detailed_projects if detail else visible_projects)(who, rows)


def scoped(filters: Filters, by: str | None = None) -> Filters:
    """The filters limited to what the current viewer may see (the trainer breakdown, which
    names people, to its own organisation's projects), their share-of-women bounds on the
    coarse grid where the viewer sees others' groups (`coarse`)."""
    return coarse(replace(filters, visible=_visible(detail=by == "trainer")))


def sees_others() -> bool:
    """Whether the current viewer sees other organisations' groups: a guest, or a member of
    a network whose other organisations share projects (not an administrator)."""
    visible = _visible()
    if visible is None:
        return False
    own = set(_visible(detail=True) or ())
    return any(p not in own for p in visible)


def coarse(filters: Filters) -> Filters:
    """The filters with their share-of-women bounds on the grid of disclosure control
    (dashboard.analytics.disclosure.coarse_bound: steps of 5 percentage points) where the viewer
    sees
    other organisations' groups: a sweep of finer bounds would find single groups' shares.
    The same bounds for every figure of a view, the viewer's own included, so that a page
    compares like with like."""
    bounds = (filters.min_pct_women, filters.max_pct_women)
    rounded = tuple(disclosure.coarse_bound(b) for b in bounds)
    if rounded == bounds or not sees_others():
        return filters
    return replace(filters, min_pct_women=rounded[0], max_pct_women=rounded[1])


def facts() -> PoolFacts:
    """The pool's vocabulary as the current viewer may see it: the projects it may see, the
    number of groups registered in another organisation's perturbed (dashboard.analytics.disclosure,
    the same draw as any count of those groups)."""
    every = all_facts()
    visible = _visible()
    if visible is None:
        return every
    allowed = set(visible)
    own = set(_visible(detail=True) or ())

    def seen(p: Project) -> Project:
        if p.project_id in own:
            return p
        count = disclosure.Cell(p.groups_registered, p.groups_key).groups()
        return replace(p, groups_registered=count or 0)

    return replace(
        every,
        projects=tuple(seen(p) for p in every.projects if p.project_id in allowed),
        tags=_tags(visible),
    )


@cached
def _tags(visible: tuple[str, ...] | None) -> tuple[str, ...]:
    with db.cursor() as con:
        rows = con.execute(sql("tags"), visibility_params(visible)).fetchall()
    return tuple(t for (t, _n) in rows)


@cached
def all_facts() -> PoolFacts:
    """Every project of the pool (for scoping and colours; never shown as such)."""
    with db.cursor() as con:
        frame = con.execute(sql("projects", *sources.keys(con))).df()
    projects = tuple(
        Project(
            project_id=r.project_id,
            project_name=r.project_name,
            organisation=r.organisation,
            country=r.country,
            partner=_none(r.partner),
            donor=_none(r.donor),
            currency=r.currency,
            start_date=pd.Timestamp(r.start_date).date(),
            end_date=pd.Timestamp(r.end_date).date() if _none(r.end_date) else None,
            shared=bool(r.shared),
            groups_registered=int(r.groups_registered),
            groups_key=int(r.groups_key),
        )
        for r in frame.itertuples(index=False)
    )
    tags = _tags(None)
    with db.cursor() as con:
        first, latest = earliest_report_date(con), latest_report_date(con)
        kind = meta(con).get("kind", "")
    return PoolFacts(projects, tags, first, latest, kind)


def resolve(filters: Filters) -> Filters:
    """The filters with the as-of date made explicit (the pool's latest when unset)."""
    if filters.as_of is not None:
        return filters
    return filters.with_as_of(all_facts().latest_date)


# --- Indicators ----------------------------------------------------------------------------


def indicator_rows(
    filters: Filters, by: str | None = None, over_time: bool = False, network: bool = False
) -> list[dict[str, Any]]:
    """The engine's rows, exactly as `vsla indicators` gets them (for what the viewer may
    see, small cells of other organisations suppressed); with `network`, the network's own
    indicators too (ndf_<id>, a query of their own)."""
    mine = scoped(filters, by)
    foreign = _foreign(mine)
    extra = {"network": True} if network else {}
    rows = _protected(_indicator_rows(mine, by, over_time, foreign, **extra), by)
    return _as_small(rows, mine, by, foreign, over_time)


@cached
def _indicator_rows(
    filters: Filters,
    by: str | None,
    over_time: bool,
    foreign: tuple[str, ...] | None,
    network: bool = False,
) -> list[dict[str, Any]]:
    with db.cursor() as con:
        return compute(con, filters, by, over_time=over_time, foreign=foreign, network=network)


# --- A page's queries at once ------------------------------------------------------------


def together(*calls: Callable[[], object]) -> None:
    """Run a page's independent data calls at the same time, so that their queries overlap
    (DuckDB works without Python's lock; a page's three or four queries of about 35 ms each
    took 0.1 s one after another on the demo pool). Their results land in the cache, where
    the page's own calls then find them.

    The first call runs in the caller's thread, each other in a thread of its own (started
    here and joined before returning: nothing outlives the request), in a copy of the
    caller's context: the same request, hence the same viewer and scope, and the same
    language (both settled here first, so that the calls only read them). The first failure
    is raised once every call is done. Calls made inside these run one after another."""
    viewer()
    i18n.current()
    if len(calls) < 2 or getattr(_together, "inside", False):
        for call in calls:
            call()
        return
    failures: list[BaseException | None] = [None] * len(calls)

    def run(i: int) -> None:
        _together.inside = True
        try:
            calls[i]()
        except BaseException as exc:  # (handed to the caller below)
            failures[i] = exc
        finally:
            _together.inside = False

    threads = [
        threading.Thread(
            target=contextvars.copy_context().run, args=(run, i), name="vsla-together", daemon=True
        )
        for i in range(1, len(calls))
    ]
    for thread in threads:
        thread.start()
    try:
        calls[0]()
    finally:
        for thread in threads:
            thread.join()
    for failure in failures:
        if failure is not None:
            raise failure


_together = threading.local()


# What a page asks for, as values: each names one of the functions below and its arguments
# (`get` calls it). A page's declarations (dashboard.views.needs) give these for a view, and
# `fetch` gets them all at once; the page's drawing then calls the same functions and finds
# every answer in the cache.


@dataclass(frozen=True)
class Rows:
    """`indicators(filters, by, over_time, network)`."""

    filters: Filters
    by: str | None = None
    over_time: bool = False
    network: bool = False

    def get(self) -> object:
        return indicators(self.filters, self.by, self.over_time, self.network)


@dataclass(frozen=True)
class RowsAt:
    """`indicators_at(filters, dates, by)`."""

    filters: Filters
    dates: tuple[date, ...]
    by: str | None = None

    def get(self) -> object:
        return indicators_at(self.filters, self.dates, self.by)


@dataclass(frozen=True)
class Spread:
    """`distributions(filters, bys)`."""

    filters: Filters
    bys: tuple[str, ...]

    def get(self) -> object:
        return distributions(self.filters, self.bys)


@dataclass(frozen=True)
class Sizes:
    """`group_sizes(filters)`."""

    filters: Filters

    def get(self) -> object:
        return group_sizes(self.filters)


@dataclass(frozen=True)
class TrainerGroups:
    """`trainer_groups(filters)`."""

    filters: Filters

    def get(self) -> object:
        return trainer_groups(self.filters)


@dataclass(frozen=True)
class ProjectReports:
    """`project_reports(as_of)`."""

    as_of: date

    def get(self) -> object:
        return project_reports(self.as_of)


Ask = Rows | RowsAt | Spread | Sizes | TrainerGroups | ProjectReports


def fetch(asks: Iterable[Ask]) -> None:
    """Get every answer of `asks` that is not cached yet, at once (`together`): the
    indicator rows of one scope, one kind (at the as-of date, over time) and one choice of
    the network's own indicators in one query (`compute_many`) however many breakdowns
    they are of, and each other answer in a query of its own beside them."""
    batches: dict[tuple[Filters, bool, bool], list[str | None]] = {}
    calls: list[Callable[[], object]] = []
    for ask in dict.fromkeys(asks):
        if isinstance(ask, Rows) and ask.by != "trainer":  # (trainers: scoped in detail)
            batches.setdefault((ask.filters, ask.over_time, ask.network), []).append(ask.by)
        else:
            calls.append(ask.get)
    batched = [partial(_batch, *key, bys) for key, bys in batches.items()]
    together(*batched, *calls)


def _batch(filters: Filters, over_time: bool, network: bool, bys: list[str | None]) -> None:
    """The indicator rows of each of `bys` not cached yet, in one query (a lone one as the
    page would ask for it)."""
    store = cache.backend()
    mine = scoped(filters)
    foreign = _foreign(mine)
    extra = {"network": True} if network else {}  # (as indicator_rows calls it)
    keys = {by: _indicator_rows.key(mine, by, over_time, foreign, **extra) for by in bys}  # type: ignore[attr-defined]
    missing = [by for by in bys if store.get(keys[by]) is cache.MISSING]
    if len(missing) == 1:
        indicator_rows(filters, missing[0], over_time, network)
    if len(missing) < 2:
        return
    with db.cursor() as con:
        rows = compute_many(
            con, mine, missing, over_time=over_time, foreign=foreign, network=network
        )
    for by in missing:
        store.set(keys[by], rows[by or None])


def indicators(
    filters: Filters, by: str | None = None, over_time: bool = False, network: bool = False
) -> pd.DataFrame:
    """The engine's rows as a DataFrame (one row without `by` and over_time); with
    `network`, the network's own indicators too."""
    return _frame_of(indicator_rows(filters, by, over_time, network))


def _frame_of(rows: list[dict[str, Any]]) -> pd.DataFrame:
    """Rows as a DataFrame whose indicator columns stay numeric where suppressed rows
    carry None, and whose `suppressed` column (if any) is a plain bool."""
    frame = pd.DataFrame(rows)
    if "suppressed" in frame:
        for column in IDS:
            if column in frame:
                frame[column] = pd.to_numeric(frame[column], errors="coerce")
        frame["suppressed"] = frame["suppressed"].astype("boolean").fillna(False).astype(bool)
    return frame


def indicators_at(filters: Filters, dates: tuple[date, ...], by: str | None = None) -> pd.DataFrame:
    """The engine's rows at each of `dates` (e.g. the as-of date and its comparison date)."""
    mine = scoped(filters, by)
    foreign = _foreign(mine)
    rows = _protected(_rows_at(mine, dates, by, foreign), by)
    if by is None and _holds_others(mine, foreign):  # (a date without groups: as a small cell)
        found = {r.get("as_of") for r in rows}
        rows = rows + [_small_row(None, None) | {"as_of": d} for d in dates if d not in found]
    return _frame_of(rows)


@cached
def _rows_at(
    filters: Filters, dates: tuple[date, ...], by: str | None, foreign: tuple[str, ...] | None
) -> list[dict[str, Any]]:
    with db.cursor() as con:
        return compute(con, filters, by, dates=list(dates), foreign=foreign)


# --- Small cells -------------------------------------------------------------------------

MIN_GROUPS = 5  # a figure on fewer of another organisation's groups is not shown
SUPPRESSED = N_("fewer than 5 groups")  # translated where shown (the caches hold English)


def _foreign(mine: Filters) -> tuple[str, ...] | None:
    """Of the projects a (non-admin) viewer may see, those of other organisations; None for
    an admin (nothing is suppressed)."""
    if mine.visible is None:
        return None
    own = set(_visible(detail=True) or ())
    return tuple(p for p in mine.visible if p not in own)


def perturbed(filters: Filters) -> bool:
    """Whether the figures of this view include other organisations' groups, which are
    perturbed for the current viewer (dashboard.analytics.disclosure): a project of another
    organisation that the viewer sees passes the view's project-level filters."""
    mine = scoped(filters)
    return _holds_others(mine, _foreign(mine))


def _holds_others(mine: Filters, foreign: tuple[str, ...] | None) -> bool:
    """Whether a view (scoped) could hold other organisations' groups: one of their projects
    passes its project-level filters."""
    return bool(_places(mine, foreign))


def _places(mine: Filters, foreign: tuple[str, ...] | None) -> list[Project]:
    """Other organisations' projects (of `foreign`) that pass the view's project filters."""
    if not foreign:
        return []
    by_id = all_facts().project_by_id
    return [
        p
        for p in (by_id[pid] for pid in foreign if pid in by_id)
        if (not mine.country or p.country in mine.country)
        and (not mine.organisation or p.organisation in mine.organisation)
        and (not mine.project or p.project_id in mine.project)
    ]


def _small_row(by: str | None, value: Any, like: dict[str, Any] | None = None) -> dict[str, Any]:
    """A row not shown: a small cell of other organisations' groups, or none; with the
    columns of `like` (another row of the same answer: the network's own indicators)."""
    row: dict[str, Any] = dict.fromkeys(like or (*IDS, "data_age_days"))
    if by:
        row[by] = value
    return row | {"suppressed": True}


def _as_small(
    rows: list[dict[str, Any]],
    mine: Filters,
    by: str | None,
    foreign: tuple[str, ...] | None,
    over_time: bool = False,
) -> list[dict[str, Any]]:
    """The rows with "no group" reading as "1 to 4 groups" wherever other organisations'
    groups could be: else a view whose filters leave none of them apart from one that
    leaves a few would tell, by that alone, that a group with those attributes exists. The
    scope's row with no group, and each breakdown value (and, over time, each quarter) that
    could hold others' groups but has no row, come as rows not shown."""
    places = _places(mine, foreign)
    if not places:
        return rows
    if by is None:
        expected: list[Any] = [None]
    elif by in ("project", "organisation", "country"):
        attribute = {"project": "project_id"}.get(by, by)
        expected = sorted({getattr(p, attribute) for p in places})
    elif by in BANDS:
        expected = [v for v in BANDS[by] if _possible(mine, by, v)]
    elif by.startswith(("tag:", "yes:")):
        chosen = mine.tag if by.startswith("tag:") else mine.yes
        expected = ["yes"] if chosen == (by[4:],) else ["yes", "no"]
    else:
        return rows
    like = rows[0] if rows else {k: None for k in (*IDS, "data_age_days", *network_ids())}
    if not over_time:
        shown = [r for r in rows if r.get("groups") or r.get("suppressed")]  # (none: as few)
        found = {r.get(by) if by else None for r in shown}
        out = shown + [_small_row(by, v, like) for v in expected if v not in found]
        # in an order that does not depend on which values had groups (rows appended after
        # those found would tell them apart)
        rank = {v: i for i, v in enumerate(BANDS.get(by or "", ()))}
        return sorted(out, key=lambda r: (rank.get(r.get(by), len(rank)), str(r.get(by))))
    facts = all_facts()
    as_of = mine.as_of or facts.latest_date
    if facts.first_date is None or as_of is None:
        return rows
    found = {(r.get("as_of"), r.get(by) if by else None) for r in rows}
    missing = [
        _small_row(by, v, like) | {"quarter": quarter_label(d), "as_of": d}
        for d in trend_dates(facts.first_date, as_of)
        for v in expected
        if (d, v) not in found
    ]
    if not missing:
        return rows
    return sorted([*rows, *missing], key=lambda r: (r["as_of"], str(r.get(by) if by else "")))


# The share of women in each band of women_band (its lowest and highest share).
WOMEN_BANDS = {"women_only": (1.0, 1.0), "mostly_women": (0.75, 1.0), "mixed": (0.0, 0.749)}


def _possible(mine: Filters, by: str, value: str) -> bool:
    """Whether the filters leave room for groups of a band (a band a filter leaves out holds
    none, and is not shown as a small cell)."""
    chosen = getattr(mine, by, ())
    if isinstance(chosen, tuple) and chosen:  # trained_by, setting, status, cycle
        return value in chosen
    if by == "women_band":
        low, high = WOMEN_BANDS[value]
        return (mine.min_pct_women or 0.0) <= high and low <= (
            1.0 if mine.max_pct_women is None else mine.max_pct_women
        )
    if by == "youth_band" and mine.youth_recorded is not None:
        return (value != "not_recorded") == mine.youth_recorded
    return True


def _key(row: dict[str, Any], by: str | None) -> tuple[Any, ...]:
    return (row.get(by) if by else None, row.get("as_of"))


def _protected(rows: list[dict[str, Any]], by: str | None) -> list[dict[str, Any]]:
    """The engine's rows (computed with `foreign`) protected by their own `foreign_groups`
    counts, which are then dropped; rows without counts (an admin's) are returned as they
    are. The cached rows are never modified."""
    if not rows or "foreign_groups" not in rows[0]:
        return rows
    counts = {_key(r, by): int(r["foreign_groups"]) for r in rows}
    clean = [{k: v for k, v in r.items() if k != "foreign_groups"} for r in rows]
    return protect(clean, counts, by)


def protect(
    rows: list[dict[str, Any]], foreign: dict[tuple[Any, ...], int], by: str | None
) -> list[dict[str, Any]]:
    """Rows with their figures blanked where they rest on 1 to 4 groups of other
    organisations (the viewer could otherwise see, or work out, another organisation's
    small groups). Complementary suppression: while the blank rows of a breakdown rest on
    fewer than MIN_GROUPS of others' groups together (the total minus the rows shown would
    give them), the next smallest row with others' groups is blanked too."""
    hidden = {k for k, n in foreign.items() if 0 < n < MIN_GROUPS}
    if by is not None:
        tables: dict[Any, list[tuple[Any, ...]]] = {}
        for row in rows:
            key = _key(row, by)
            tables.setdefault(key[1], []).append(key)
        for keys in tables.values():
            # The blanks of a table, taken together, must rest on at least MIN_GROUPS of
            # others' groups: the total minus the rows shown gives their sum.
            blank = sum(foreign.get(k, 0) for k in keys if k in hidden)
            if not blank:
                continue
            spare = sorted(
                (k for k in keys if k not in hidden and foreign.get(k, 0)),
                key=lambda k: (foreign.get(k, 0), str(k)),
            )
            while blank < MIN_GROUPS and spare:
                extra = spare.pop(0)
                hidden.add(extra)
                blank += foreign.get(extra, 0)
    if not hidden:
        return rows
    out = []
    for row in rows:
        if _key(row, by) not in hidden:
            out.append(row)
            continue
        keep = {k: row[k] for k in (by, "as_of", "quarter") if k and k in row}
        blank = dict.fromkeys(row, None) | keep
        blank["suppressed"] = True
        out.append(blank)
    return out


def _scope_frame(query: str, filters: Filters, **extra: Any) -> pd.DataFrame:
    """A scope.sql query at the filters' as-of date, its active groups read from the
    rollups when the pool holds that date."""
    as_of = filters.as_of or all_facts().latest_date
    params = filters.sql_params() | {"as_of_dates": [as_of]} | extra
    with db.cursor() as con:
        disclosure.define(con)  # (group_sizes.sql perturbs its bars)
        swaps = (sources.FROM_GROUPS,) if sources.available(con, [as_of], filters) else ()
        return con.execute(with_fields(con, sql(query, *swaps)), params).df()


def _small(frame: pd.DataFrame, least: int = MIN_GROUPS) -> pd.Series:
    """Rows resting on 1 to `least` - 1 groups of other organisations."""
    return frame["foreign_groups"].between(1, least - 1)


def distribution(filters: Filters, by: str = "") -> pd.DataFrame:
    """Percentiles across groups of each group-level ratio (group_distribution.sql: other
    organisations' groups from their values moved by their permanent noise); a box resting
    on 1 to 29 groups of other organisations (disclosure.SPREAD_GROUPS) is left out: its
    percentiles would be few groups' own values."""
    return distributions(filters, (by,))[by]


def distributions(filters: Filters, bys: Sequence[str]) -> dict[str, pd.DataFrame]:
    """`distribution` of each of `bys` ('' for the whole scope), in one pass."""
    mine = scoped(filters)
    wanted = tuple(sorted(set(bys)))
    frame = _distribution(mine, wanted, _foreign(mine))
    out = {}
    for by in wanted:
        part = frame[frame["breakdown"] == by]
        part = part[~_small(part, disclosure.SPREAD_GROUPS)] if not part.empty else part
        out[by] = part.drop(columns=["breakdown", "foreign_groups"]).reset_index(drop=True)
    return out


@cached
def _distribution(
    filters: Filters, bys: tuple[str, ...], foreign: tuple[str, ...] | None
) -> pd.DataFrame:
    if all_facts().latest_date is None:
        return pd.DataFrame(
            columns=[
                "breakdown",
                "by_value",
                "indicator",
                "groups",
                "foreign_groups",
                "p05",
                "q1",
                "median",
                "q3",
                "p95",
            ]
        )
    return _scope_frame("group_distribution", filters, bys=list(bys), foreign=list(foreign or ()))


def group_sizes(filters: Filters) -> pd.DataFrame:
    """Active groups by number of members; bars resting on 1 to 4 groups of other
    organisations are folded into their neighbours' total as "not shown"."""
    mine = scoped(filters)
    frame = _group_sizes(mine, _foreign(mine))
    if not _small(frame).any():
        return frame[["members", "groups"]]
    rows = [
        {"members": m, "groups": g} for m, g in zip(frame["members"], frame["groups"], strict=True)
    ]
    n = dict(zip(frame["members"], frame["foreign_groups"], strict=True))
    kept = protect(rows, {(m, None): n[m] for m in frame["members"]}, "members")
    return pd.DataFrame([r for r in kept if not r.get("suppressed")], columns=["members", "groups"])


@cached
def _group_sizes(filters: Filters, foreign: tuple[str, ...] | None) -> pd.DataFrame:
    if all_facts().latest_date is None:
        return pd.DataFrame(columns=["members", "groups", "foreign_groups"])
    return _scope_frame("group_sizes", filters, foreign=list(foreign or ()))


# --- Projects, quality, provenance ------------------------------------------------------------


def project_reports(as_of: date) -> pd.DataFrame:
    """Each project's latest report (staff, cost) up to `as_of`, of the visible projects."""
    frame = _project_reports(as_of)
    visible = _visible()
    return frame if visible is None else frame[frame["project_id"].isin(visible)]


@cached
def _project_reports(as_of: date) -> pd.DataFrame:
    return _frame("project_reports_as_of", {"as_of": as_of})


def project_quality(filters: Filters) -> pd.DataFrame:
    """Data quality per project; another organisation's project shows its counts of groups
    and warnings perturbed (dashboard.analytics.disclosure), and its name only where it has fewer
    than
    5 groups reporting, none included (so that none reads as one to four)."""
    mine = scoped(filters)
    foreign = _foreign(mine)
    frame = _project_quality(mine, foreign)
    small = (
        frame["project_id"].isin(set(foreign or ())) & (frame["true_groups"] < MIN_GROUPS)
        if not frame.empty
        else pd.Series(dtype=bool)
    )
    frame = frame.drop(columns=["true_groups"])
    frame["warning_rules"] = frame["warning_rules"].map(rule_counts)  # (in words)
    if not small.any():
        return frame
    out = frame.copy()
    for column in ("groups_reporting", "latest_dataset", "data_age_days", "warnings"):
        out[column] = out[column].astype(object).where(~small, None)
    out["warning_rules"] = out["warning_rules"].where(~small, SUPPRESSED)
    return out


@cached
def _project_quality(filters: Filters, foreign: tuple[str, ...] | None) -> pd.DataFrame:
    as_of = filters.as_of or all_facts().latest_date or date.today()
    params = {
        "as_of": as_of,
        "country": list(filters.country),
        "organisation": list(filters.organisation),
        "project": list(filters.project),
        "foreign": list(foreign or ()),
    } | visibility_params(filters.visible)
    with db.cursor() as con:
        disclosure.define(con)  # (others' counts are perturbed)
        return con.execute(sql("project_quality", *sources.keys(con)), params).df()


def imports() -> pd.DataFrame:
    """Import provenance (file names of every organisation's workbooks): admins only."""
    frame = _imports()
    return frame if viewer().is_admin else frame.iloc[0:0]


@cached
def _imports() -> pd.DataFrame:
    return _frame("imports")


@cached
def rates(currency: str) -> dict[int, float]:
    """Units of `currency` per USD by year; USD is 1 in every year."""
    if currency == "USD":
        return {}
    frame = _frame("exchange_rates_for", {"currency": currency})
    return {int(y): float(r) for y, r in zip(frame["year"], frame["per_usd"], strict=True)}


# --- The trainer report (dashboard/analytics/trainers.py)
# ----------------------------------------------


def trainer_groups(filters: Filters) -> pd.DataFrame:
    """Each active group in scope at the filters' as-of date with its figures and its savings
    per member a year earlier (queries/trainer_groups.sql): of the projects the viewer may
    see in detail only (its own organisation's; an admin's: all), as the trainer breakdown."""
    return _trainer_groups(scoped(filters, "trainer"))


@cached
def _trainer_groups(filters: Filters) -> pd.DataFrame:
    as_of = filters.as_of or all_facts().latest_date
    if as_of is None or (filters.visible is not None and not filters.visible):
        return pd.DataFrame(columns=["project_id", "organisation", "trainer", "group_id"])
    dates = [as_of, comparison_date(as_of)]
    params = filters.sql_params() | {"as_of_dates": dates}
    with db.cursor() as con:
        swaps = (sources.FROM_GROUPS,) if sources.available(con, dates, filters) else ()
        return con.execute(with_fields(con, sql("trainer_groups", *swaps)), params).df()
