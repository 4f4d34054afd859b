"""The indicator registry and the calendar of the dashboard.

Each indicator of INDICATORS.md has one entry here (id, label, unit, format, definition,
direction) and one formula, in queries/indicator_tail.sql; the network's own indicators
(data/network.toml) join them. The engine that computes them is dashboard/analytics/engine.py.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any, Literal

from dashboard.core import network
from dashboard.core.i18n import N_, _
from dashboard.core.network import NetworkField

Format = Literal["int", "pct", "usd", "decimal"]
Category = Literal["outreach", "participation", "savings_loans", "financial", "efficiency"]
# the categories' titles, in the glossary's order (the indicator explorer groups by them too)
CATEGORIES: dict[str, str] = {
    "outreach": N_("Outreach"),
    "participation": N_("Participation"),
    "savings_loans": N_("Savings and loans"),
    "financial": N_("Financial performance"),
    "efficiency": N_("Efficiency of the facilitating agency"),
}
NETWORK_CATEGORY = N_("The network's own indicators")  # (data/network.toml's fields)


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
