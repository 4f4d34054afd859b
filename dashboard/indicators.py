"""The indicator registry and engine.

Each indicator of INDICATORS.md has one entry here (id, label, unit, format, definition,
direction) and one formula, in queries/indicators.sql. `compute` is what the `vsla indicators`
command, the dashboard and the exports all call, so they show the same numbers.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, Literal

import duckdb

from dashboard import disclosure, network, sources
from dashboard.filters import Filters, check_breakdown, is_group_level
from dashboard.i18n import N_, _
from dashboard.network import NetworkField
from dashboard.spreadsheet import csv_text
from dashboard.sqlfiles import sql

Format = Literal["int", "pct", "usd", "decimal"]
Category = Literal["outreach", "participation", "savings_loans", "financial", "efficiency"]


# Units that are currency codes, not words: never translated (an amount's code stays USD).
_CODES = frozenset({"USD"})


@dataclass(frozen=True)
class Indicator:
    """An indicator of INDICATORS.md. Its label, unit and definition are stored in English
    (marked for the catalogs) and read translated into the language in force: `ind.label`,
    `ind.unit`, `ind.definition`; `label_en` & co. are the English texts."""

    id: str
    label_en: str
    unit_en: str  # in words, for axes and tables
    format: Format
    definition_en: str  # the formula in plain words (glossary, hover help, speaker notes)
    direction: int  # +1 higher is better, -1 lower is better, 0 neither
    category: Category
    level: Literal["group", "project"] = "group"
    additive: bool = False  # sums over a partition of groups (counts and money totals)

    @property
    def label(self) -> str:
        return _(self.label_en)

    @property
    def unit(self) -> str:
        return self.unit_en if self.unit_en in _CODES else _(self.unit_en)

    @property
    def definition(self) -> str:
        return _(self.definition_en)


def _i(*args: Any, **kwargs: Any) -> Indicator:
    return Indicator(*args, **kwargs)


INDICATORS: tuple[Indicator, ...] = (
    # Outreach
    _i(
        "organisations",
        N_("Organisations"),
        N_("organisations"),
        "int",
        N_("Number of member organisations with at least one active group in scope."),
        1,
        "outreach",
    ),
    _i(
        "countries",
        N_("Countries"),
        N_("countries"),
        "int",
        N_("Number of countries with at least one active group in scope."),
        1,
        "outreach",
    ),
    _i(
        "projects",
        N_("Projects"),
        N_("projects"),
        "int",
        N_("Number of projects with at least one active group in scope."),
        1,
        "outreach",
    ),
    _i(
        "groups",
        N_("Groups"),
        N_("groups"),
        "int",
        N_(
            "Active groups: groups whose latest dataset up to the as-of date is less than "
            "365 days old."
        ),
        1,
        "outreach",
        additive=True,
    ),
    _i(
        "groups_replicated",
        N_("Replicated groups"),
        N_("groups"),
        "int",
        N_(
            "Active groups formed spontaneously by members of other groups "
            "(trained by: replicated)."
        ),
        1,
        "outreach",
        additive=True,
    ),
    _i(
        "replication_rate",
        N_("Replication rate"),
        N_("replicated groups per trained group"),
        "decimal",
        N_(
            "Replicated groups divided by groups trained by the project "
            "(field officers and village agents)."
        ),
        1,
        "outreach",
    ),
    _i(
        "members",
        N_("Members"),
        N_("members"),
        "int",
        N_("Registered members of the active groups, at each group's latest visit."),
        1,
        "outreach",
        additive=True,
    ),
    _i(
        "women",
        N_("Women"),
        N_("members"),
        "int",
        N_("Registered women members of the active groups."),
        1,
        "outreach",
        additive=True,
    ),
    _i(
        "men",
        N_("Men"),
        N_("members"),
        "int",
        N_("Registered men members of the active groups."),
        0,
        "outreach",
        additive=True,
    ),
    _i(
        "pct_women",
        N_("Women"),
        N_("% of members"),
        "pct",
        N_("Women divided by members, summed over the active groups."),
        1,
        "outreach",
    ),
    _i(
        "pct_youth",
        N_("Youth"),
        N_("% of members"),
        "pct",
        N_("Members aged 15-35 divided by members, over the groups whose visit recorded youth."),
        0,
        "outreach",
    ),
    _i(
        "avg_group_size",
        N_("Average group size"),
        N_("members per group"),
        "decimal",
        N_("Members divided by active groups."),
        0,
        "outreach",
    ),
    # Participation
    _i(
        "attendance_rate",
        N_("Attendance"),
        N_("% of members"),
        "pct",
        N_("Members attending the latest meeting divided by members."),
        1,
        "participation",
    ),
    _i(
        "dropout_rate",
        N_("Dropout rate"),
        N_("% of members at start of cycle"),
        "pct",
        N_("Dropouts since the start of the cycle divided by members at the start of the cycle."),
        -1,
        "participation",
    ),
    _i(
        "membership_growth",
        N_("Membership growth"),
        N_("% of members at start of cycle"),
        "pct",
        N_("Members now minus members at the start of the cycle, divided by members at the start."),
        1,
        "participation",
    ),
    # Savings and loans
    _i(
        "savings_usd",
        N_("Savings"),
        "USD",
        "usd",
        N_("Value of savings this cycle, converted to USD at each year's average rate."),
        1,
        "savings_loans",
        additive=True,
    ),
    _i(
        "savings_per_member_usd",
        N_("Savings per member"),
        N_("USD per member"),
        "usd",
        N_("Value of savings this cycle divided by members."),
        1,
        "savings_loans",
    ),
    _i(
        "loans_outstanding_usd",
        N_("Loans outstanding"),
        "USD",
        "usd",
        N_("Value of loans outstanding, converted to USD."),
        1,
        "savings_loans",
        additive=True,
    ),
    _i(
        "avg_loan_usd",
        N_("Average loan outstanding"),
        N_("USD per loan"),
        "usd",
        N_("Value of loans outstanding divided by the number of loans outstanding."),
        0,
        "savings_loans",
    ),
    _i(
        "pct_members_with_loans",
        N_("Members with loans"),
        N_("% of members"),
        "pct",
        N_("Number of loans outstanding divided by members."),
        1,
        "savings_loans",
    ),
    _i(
        "loan_fund_utilisation",
        N_("Loan fund utilisation"),
        N_("% of loan fund"),
        "pct",
        N_("Loans outstanding divided by loans outstanding plus loan fund cash in box and bank."),
        1,
        "savings_loans",
    ),
    _i(
        "portfolio_at_risk",
        N_("Portfolio at risk"),
        N_("% of loans outstanding"),
        "pct",
        N_("Unpaid balance of late loans divided by the value of loans outstanding."),
        -1,
        "savings_loans",
    ),
    _i(
        "write_off_ratio",
        N_("Write-off ratio"),
        N_("% of loans outstanding"),
        "pct",
        N_("Loans written off this cycle divided by the value of loans outstanding."),
        -1,
        "savings_loans",
    ),
    # Financial performance
    _i(
        "assets_usd",
        N_("Assets"),
        "USD",
        "usd",
        N_("Loan fund cash + loans outstanding + cash in other funds + property now, in USD."),
        1,
        "financial",
        additive=True,
    ),
    _i(
        "profit_usd",
        N_("Profit this cycle"),
        "USD",
        "usd",
        N_(
            "Loan fund cash + loans outstanding + property now - savings - property at start of "
            "cycle - debts: the cycle's earnings to date, in USD."
        ),
        1,
        "financial",
        additive=True,
    ),
    _i(
        "return_on_savings",
        N_("Return on savings"),
        N_("% of savings"),
        "pct",
        N_("Profit this cycle divided by savings."),
        1,
        "financial",
    ),
    _i(
        "return_on_assets",
        N_("Return on assets"),
        N_("% of assets"),
        "pct",
        N_("Profit this cycle divided by assets."),
        1,
        "financial",
    ),
    _i(
        "annualised_return_on_savings",
        N_("Annualised return on savings"),
        N_("% per year"),
        "pct",
        N_(
            "Each group's profit scaled to a year (x 365 / days since the cycle started), summed, "
            "divided by savings; groups at least 90 days into their cycle."
        ),
        1,
        "financial",
    ),
    _i(
        "annualised_return_on_assets",
        N_("Annualised return on assets"),
        N_("% per year"),
        "pct",
        N_(
            "Each group's profit scaled to a year (x 365 / days since the cycle started), summed, "
            "divided by assets; groups at least 90 days into their cycle."
        ),
        1,
        "financial",
    ),
    # Efficiency of the facilitating agency (whole projects)
    _i(
        "cost_to_date_usd",
        N_("Project cost to date"),
        "USD",
        "usd",
        N_("Cumulative cost of the projects in scope at their latest quarterly report, in USD."),
        0,
        "efficiency",
        level="project",
    ),
    _i(
        "cost_per_member_usd",
        N_("Cost per member"),
        N_("USD per member"),
        "usd",
        N_(
            "Project cost to date divided by the members of all the projects' active groups "
            "(replicated groups included)."
        ),
        -1,
        "efficiency",
        level="project",
    ),
    _i(
        "cost_per_group_usd",
        N_("Cost per group"),
        N_("USD per group"),
        "usd",
        N_("Project cost to date divided by the projects' active groups."),
        -1,
        "efficiency",
        level="project",
    ),
    _i(
        "members_per_field_officer",
        N_("Members per field officer"),
        N_("members per field officer"),
        "decimal",
        N_("Members of the projects' active groups divided by paid field officers."),
        1,
        "efficiency",
        level="project",
    ),
    _i(
        "groups_per_trainer",
        N_("Groups per trainer"),
        N_("groups per trainer"),
        "decimal",
        N_("Active groups of the projects divided by field officers plus village agents."),
        1,
        "efficiency",
        level="project",
    ),
)

BY_ID: dict[str, Indicator] = {ind.id: ind for ind in INDICATORS}


def display_label(ind: Indicator | NetworkIndicator) -> str:
    """The label, told apart from another indicator of the same label (Women: the count and
    the share)."""
    if isinstance(ind, NetworkIndicator):
        return ind.label
    if sum(other.label_en == ind.label_en for other in INDICATORS) > 1 and ind.format == "pct":
        return _("{label} (share)").format(label=ind.label)
    return ind.label


IDS: tuple[str, ...] = tuple(BY_ID)
COST_IDS: tuple[str, ...] = tuple(i.id for i in INDICATORS if i.level == "project")


@dataclass(frozen=True)
class NetworkIndicator:
    """A field of the network's own (data/network.toml) as an indicator: read as an
    `Indicator` is (id, label, unit, format, definition, direction), its words from the
    network's file in the language in force. A category field gives one per category
    (`choice`): the share of the recording groups in that category."""

    field: NetworkField
    choice: str | None = None
    category: str = "network"
    level: str = "group"
    additive: bool = False

    @property
    def id(self) -> str:
        if self.choice is None:
            return self.field.indicator_id
        return dict((c, i) for i, c in self.field.choices)[self.choice]

    @property
    def label(self) -> str:
        if self.choice is None:
            return self.field.label
        return _("{label}: {category}").format(label=self.field.label, category=self.choice)

    @property
    def label_en(self) -> str:
        return self.field.labels["en"] + ("" if self.choice is None else f": {self.choice}")

    @property
    def unit(self) -> str:
        return self.field.unit

    @property
    def format(self) -> str:
        return "pct" if self.choice is not None else self.field.format

    @property
    def definition(self) -> str:
        if self.choice is None:
            return self.field.definition
        share = _("Share of the groups that record it in the category {category}.").format(
            category=self.choice
        )
        return f"{self.field.definition} {share}".strip()

    @property
    def direction(self) -> int:
        return 0 if self.choice is not None else self.field.direction

    @property
    def sdg(self) -> str | None:
        return self.field.sdg


AnyIndicator = Indicator | NetworkIndicator


def network_indicators() -> tuple[NetworkIndicator, ...]:
    """The network's own indicators (data/network.toml), in its order: one per field, one
    per category of a category field."""
    out: list[NetworkIndicator] = []
    for f in network.current().fields:
        if f.type == "category":
            out += [NetworkIndicator(f, c) for _i, c in f.choices]
        else:
            out.append(NetworkIndicator(f))
    return tuple(out)


def every() -> tuple[AnyIndicator, ...]:
    """Every indicator a view may show: INDICATORS.md's, then the network's own."""
    return (*INDICATORS, *network_indicators())


def lookup(indicator_id: str) -> AnyIndicator:
    """An indicator by id, the standard ones or the network's own (ndf_<id>)."""
    found = BY_ID.get(indicator_id)
    if found is not None:
        return found
    for ind in network_indicators():
        if ind.id == indicator_id:
            return ind
    raise KeyError(indicator_id)


def money_ids() -> tuple[str, ...]:
    """The indicators in USD (converted for display), the network's amounts included."""
    return tuple(i.id for i in every() if i.format == "usd")


def latest_report_date(con: duckdb.DuckDBPyConnection) -> date | None:
    row = con.execute("SELECT max(report_date) FROM datasets").fetchone()
    return row[0] if row else None


def earliest_report_date(con: duckdb.DuckDBPyConnection) -> date | None:
    row = con.execute("SELECT min(report_date) FROM datasets").fetchone()
    return row[0] if row else None


def quarter_end(d: date) -> date:
    """Mar 31, Jun 30, Sep 30 or Dec 31 of d's quarter."""
    month = ((d.month - 1) // 3 + 1) * 3
    return date(d.year, month, 31 if month in (3, 12) else 30)


def quarter_label(d: date) -> str:
    """The quarter of `d` as a key: "2025Q3" (the `quarter` column of rows, CSV and JSON)."""
    return f"{d.year}Q{(d.month - 1) // 3 + 1}"


def quarter_text(d: date) -> str:
    """The quarter of `d` for reading, in the language in force ("2025Q3" in English)."""
    # TRANSLATORS: a quarter of a year, e.g. 2025Q3 (quarter is 1 to 4)
    return _("{year}Q{quarter}").format(year=d.year, quarter=(d.month - 1) // 3 + 1)


def comparison_date(as_of: date) -> date:
    """The date a KPI's change is measured from: the same quarter one year earlier."""
    prior = quarter_end(date(as_of.year - 1, as_of.month, 1))
    if as_of != quarter_end(as_of):  # mid-quarter: the same day a year earlier
        day = min(as_of.day, 28) if as_of.month == 2 else as_of.day
        prior = date(as_of.year - 1, as_of.month, day)
    return prior


def trend_dates(first: date, as_of: date) -> list[date]:
    """Quarter ends from the quarter of `first` up to `as_of`; when `as_of` is not a quarter
    end, the last point is `as_of` itself (the quarter so far), so a trend ends at the headline."""
    dates: list[date] = []
    q = quarter_end(first)
    while q <= as_of:
        dates.append(q)
        if q.year == date.max.year and q.month == 12:
            break
        q = quarter_end(date.fromordinal(q.toordinal() + 1))
    if not dates or dates[-1] != as_of:
        dates.append(as_of)
    return dates


def _empty_row() -> dict[str, Any]:
    """Nothing in scope: counts and money totals are 0, every ratio is undefined."""
    row: dict[str, Any] = {
        ind.id: 0 if ind.format == "int" else 0.0 if ind.additive else None for ind in INDICATORS
    }
    return row | {"data_age_days": None}


def compute(
    con: duckdb.DuckDBPyConnection,
    filters: Filters,
    by: str | None = None,
    *,
    over_time: bool = False,
    dates: list[date] | None = None,
    foreign: tuple[str, ...] | None = None,
    source: str = "auto",
    network: bool = False,
) -> list[dict[str, Any]]:
    """Indicators for the filters, one dict per value of `by` (one dict in all without `by`).

    Keys: the `by` name (when given), every indicator id and `data_age_days` (mean days since
    the contributing datasets). Shares are fractions, money is USD, undefined ratios are None.
    Breakdown values with no active group are omitted; for group-level breakdowns the cost
    indicators are None (costs belong to whole projects).

    Over time (`over_time`, or `by="quarter"`) or at explicit `dates`, each row also has
    `as_of` (its date) and `quarter` (e.g. "2025Q3"), ordered by date.

    With `foreign` (project ids), each row also has `foreign_groups`: how many of its groups
    belong to those projects (for small-cell protection). `source` picks where the rows are
    computed from ("lean", "cube", "groups", "datasets"; "auto": the fastest that holds them, see
    dashboard.sources); every source gives the same numbers. With `network`, each row also
    has the network's own indicators (data/network.toml: ndf_<id>), from a query of their own.
    """
    if by == "quarter":
        check_breakdown(by)
        by, over_time = None, True
    return compute_many(
        con,
        filters,
        [by],
        over_time=over_time,
        dates=dates,
        foreign=foreign,
        source=source,
        network=network,
    )[by or None]


def compute_many(
    con: duckdb.DuckDBPyConnection,
    filters: Filters,
    bys: Sequence[str | None],
    *,
    over_time: bool = False,
    dates: list[date] | None = None,
    foreign: tuple[str, ...] | None = None,
    source: str = "auto",
    network: bool = False,
) -> dict[str | None, list[dict[str, Any]]]:
    """`compute` for several breakdowns at once (one query, one pass over the data): the
    rows of each of `bys` (None or "": the whole scope, keyed None; not "quarter"), as
    `compute` gives them."""
    for by in bys:
        check_breakdown(by)
        if by == "quarter":
            raise ValueError("compute_many takes breakdowns; ask compute for by='quarter'.")
    wanted = list(dict.fromkeys(by or None for by in bys))
    if dates is None:
        as_of = filters.as_of or latest_report_date(con)
        if as_of is None:  # an empty pool
            return {by: [] if by or over_time else [_empty_row()] for by in wanted}
        if over_time:
            first = earliest_report_date(con)
            dates = trend_dates(first, as_of) if first and first <= as_of else [as_of]
        else:
            dates = [as_of]
    timed = over_time or len(dates) > 1
    params = filters.sql_params() | {
        "as_of_dates": dates,
        "bys": [by or "" for by in wanted],
        "foreign": list(foreign or ()),
    }
    # the plain sums where nothing is others' (disclosure.swaps), else the noise's functions
    plain = disclosure.swaps(foreign)
    cur = con.cursor()
    try:
        if not plain:
            disclosure.define(cur)  # (the noise of disclosure control, as SQL functions)
        result = cur.execute(_query(cur, filters, dates, wanted, source, plain), params)
        names = [d[0] for d in result.description]
        rows = result.fetchall()
    finally:
        cur.close()
    out: dict[str | None, list[dict[str, Any]]] = {by: [] for by in wanted}
    # the cells that hold other organisations' groups: their network indicators are
    # perturbed too (dashboard.disclosure)
    records = [dict(zip(names, values, strict=True)) for values in rows]
    perturbed = {
        (r["as_of"], r["breakdown"] or "", r["by_value"]) for r in records if r["foreign_groups"]
    }
    own, extra = (
        network_values(con, params, filters, wanted, source, perturbed) if network else ((), {})
    )
    for record in records:
        by = record["breakdown"] or None
        row: dict[str, Any] = {}
        if timed:
            row["quarter"] = quarter_label(record["as_of"])
            row["as_of"] = record["as_of"]
        if by:
            row[by] = record["by_value"]
        if foreign is not None:
            row["foreign_groups"] = int(record["foreign_groups"])
        for ind_id in (*IDS, "data_age_days"):
            value = record[ind_id]
            if isinstance(value, float) and value != value:  # NaN never leaves the engine
                value = None
            row[ind_id] = value
        if is_group_level(by):
            for ind_id in COST_IDS:
                row[ind_id] = None
        found = extra.get((record["as_of"], record["breakdown"] or "", record["by_value"]), {})
        for ind_id in own:  # the network's own indicators (ndf_<id>), after the standard ones
            row[ind_id] = found.get(ind_id)
        out[by].append(row)
    if None in out and not timed and not out[None]:  # nothing in scope: zeros and nulls
        out[None] = [_empty_row() | dict.fromkeys(own)]
    return out


def network_values(
    con: duckdb.DuckDBPyConnection,
    params: dict[str, Any],
    filters: Filters,
    bys: Sequence[str | None],
    source: str = "auto",
    perturbed: set[tuple[Any, str, Any]] | frozenset[tuple[Any, str, Any]] = frozenset(),
) -> tuple[tuple[str, ...], dict[tuple[Any, str, Any], dict[str, float | None]]]:
    """The network's own indicators (data/network.toml) for the same scope, breakdowns and
    dates as `params`: their ids, and their values keyed by (as_of, breakdown, by_value);
    those of the `perturbed` cells (keyed so: they hold other organisations' groups)
    perturbed (dashboard.disclosure).
    Fields whose column the pool lacks (nothing imported yet) are None. The active groups
    come from rollup_groups when it holds the dates and every field's column (a dataset
    field declared since the last import is not in it), else from the datasets."""
    own = network_indicators()
    if not own:
        return (), {}
    present = present_columns(con)  # (once: the choice of query needs it too)
    wanted = network_measures(present)
    ids = tuple(ind.id for ind in own)
    if not wanted:
        return ids, {}
    query = _network_query(con, filters, params["as_of_dates"], bys, source, wanted, present)
    cur = con.cursor()
    try:
        bound = params | {"fields": wanted}
        rows = cur.execute(query, {k: v for k, v in bound.items() if f"${k}" in query}).fetchall()
    finally:
        cur.close()
    kinds = {w["name"]: (w["kind"], w["denominator"]) for w in wanted}
    values: dict[tuple[Any, str, Any], dict[str, float | None]] = {}
    for as_of, breakdown, by_value, name, numerator, denominator, n, key in rows:
        if (as_of, breakdown or "", by_value) in perturbed:
            kind, per = kinds[name]
            noisy = disclosure.network(kind, per, int(n), key, numerator, denominator)
            numerator, denominator = noisy["numerator"], noisy["denominator"]
        share = (
            float(numerator) / float(denominator) if numerator is not None and denominator else None
        )
        values.setdefault((as_of, breakdown or "", by_value), {})[name] = share
    return ids, values


def network_measures(present: set[str]) -> list[dict[str, Any]]:
    """network_measured.sql's $fields: the network's indicators whose column the pool has
    (`present`: present_columns)."""
    return [
        {
            "name": ind.id,
            "field": ind.field.column,
            "kind": ind.field.type,
            "denominator": ind.field.denominator,
            "choice": ind.choice,
        }
        for ind in network_indicators()
        if ind.field.column in present
    ]


MEASURED = "dims_input=dims_input_measured"  # (dims.sql over the network's measured rows)


def network_key(wanted: list[dict[str, Any]]) -> str:
    """What the rollup_network table holds (pool_meta 'rollup_network'): its indicators."""
    return json.dumps(wanted, sort_keys=True)


def _network_query(
    con: duckdb.DuckDBPyConnection,
    filters: Filters,
    dates: list[date],
    bys: Sequence[str | None],
    source: str,
    wanted: list[dict[str, Any]],
    present: set[str],
) -> str:
    """The SQL of the network's indicators: from rollup_network when it holds the dates and
    these indicators and the cube can answer (as indicators_cube.sql), else over the active
    groups of rollup_groups when it has every field's column, else from the datasets."""
    live = with_fields(con, sql("network_indicators", MEASURED), present)
    if source == "datasets" or not sources.available(con, dates, filters, bys):
        return live
    held = con.execute("SELECT value FROM pool_meta WHERE key = 'rollup_network'").fetchone()
    cube = "trainer" not in bys and sources.cube_bounds(filters) and source != "groups"
    if cube and held is not None and held[0] == network_key(wanted):
        return sql("network_indicators_cube", MEASURED)
    if _rollup_holds(con):
        return sql("network_indicators", sources.FROM_GROUPS, MEASURED)
    return live


def present_columns(con: duckdb.DuckDBPyConnection) -> set[str]:
    """The network's own columns (ndf_<id>) the pool's groups and datasets have."""
    return {
        row[0]
        for row in con.execute(
            "SELECT column_name FROM information_schema.columns "
            "WHERE table_name IN ('groups', 'datasets') AND starts_with(column_name, 'ndf_')"
        ).fetchall()
    }


def _rollup_holds(con: duckdb.DuckDBPyConnection) -> bool:
    """True when rollup_groups has every network column of the datasets (it copies the
    datasets' columns when it is built, at import)."""
    row = con.execute(
        "SELECT count(*) FROM information_schema.columns "
        "WHERE table_name = 'datasets' AND starts_with(column_name, 'ndf_') "
        "AND column_name NOT IN (SELECT column_name FROM information_schema.columns "
        "WHERE table_name = 'rollup_groups')"
    ).fetchone()
    return row is not None and row[0] == 0


YES_FIELDS = "/*@yes_fields*/NULL::VARCHAR"  # (active.sql)


def with_fields(con: duckdb.DuckDBPyConnection, text: str, present: set[str] | None = None) -> str:
    """A query that finds the active groups in the datasets (active.sql), with their
    `yes_fields` made from the network's yes/no fields (data/network.toml) the pool has
    (`present`, when the caller has it already)."""
    if YES_FIELDS not in text:
        return text
    present = present_columns(con) if present is None else present
    expression = network.current().yes_fields_sql(present)
    return text.replace(YES_FIELDS, expression)


def _query(
    con: duckdb.DuckDBPyConnection,
    filters: Filters,
    dates: list[date],
    bys: Sequence[str | None],
    source: str,
    swaps: tuple[str, ...] = (),
) -> str:
    """The SQL computing the indicators from `source` ("auto": the fastest that holds them),
    with the `swaps` of disclosure control (disclosure.swaps)."""
    if source == "auto":
        source = sources.source(con, filters, dates, bys)
    elif source != "datasets" and not sources.available(con, dates, filters, bys):
        raise ValueError(f"The pool's rollups do not hold {', '.join(map(str, dates))}.")
    if source in ("cube", "lean") and ("trainer" in bys or not sources.cube_bounds(filters)):
        raise ValueError("The rollup cubes hold neither trainers nor those share bounds.")
    if source == "lean" and not sources.lean(filters, bys):
        raise ValueError("The lean rollup cube holds no theme but trained_by.")
    if source == "lean":
        return sql("indicators_cube", "cube_table=cube_table_lean", *swaps)
    if source == "cube":
        return sql("indicators_cube", *swaps)
    if source == "groups":
        return sql("indicators", sources.FROM_GROUPS, *swaps)
    if source == "datasets":
        return with_fields(con, sql("indicators", *swaps))
    raise ValueError(f"Unknown source {source!r}: expected auto, lean, cube, groups or datasets.")


def network_ids() -> list[str]:
    """The ids of the network's own indicators computed (data/network.toml), in its order."""
    return [ind.id for ind in network_indicators()]


def export_columns(by: str | None) -> list[str]:
    """The columns of an indicator table: the breakdown (if any), every indicator id, then the
    network's own (ndf_<id>)."""
    return ([by] if by else []) + list(IDS) + network_ids()


def rows_to_csv(rows: list[dict[str, Any]], by: str | None) -> str:
    """The CSV of `vsla indicators --format csv` (and the dashboard's table download)."""
    buffer = io.StringIO()
    writer = csv.DictWriter(
        buffer, fieldnames=export_columns(by), extrasaction="ignore", lineterminator="\n"
    )
    writer.writeheader()
    for row in rows:  # (a breakdown's value is a name: made safe for spreadsheets)
        writer.writerow({k: "" if v is None else csv_text(v) for k, v in row.items()})
    return buffer.getvalue()
