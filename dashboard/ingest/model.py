"""The import contract in code: the tables' columns, their types, rules and form labels.

One source of truth for the reader (header matching), the validator (types, ranges), the
writer (column order) and the template (headers, drop-downs, the "Columns" sheet). The
column order of each table is the order of queries/schema.sql.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Literal

from dashboard.core import network
from dashboard.core.i18n import N_, _
from dashboard.core.network import PEOPLE, Network, NetworkField

Kind = Literal[
    "text", "date", "int", "money", "number", "bool", "enum", "country", "currency", "tags"
]

# -- Limits: values no savings group or project can have are import errors -------------------
# (the README's "Import limits" says why each is what it is; the warnings for merely
# implausible values are in queries/warnings.sql)
GROUP_PEOPLE_MAX = 100  # members, members at start, dropouts, loans: no group is larger
CYCLE_MAX = 50  # cycles last about a year and the first groups began in 1991
EARLIEST = date(1990, 1, 1)  # no savings group's date is older (VSLAs began in 1991)
LATEST = date(2100, 12, 31)  # (a project's planned end)
GROUP_AMOUNT_USD_MAX = 1_000_000  # any amount of one group's books, in USD at the year's rate
PROJECT_COST_USD_MAX = 100_000_000  # a project's cost to date, in USD at the year's rate
FIELD_OFFICERS_MAX = 1_000  # paid staff of one project
VILLAGE_AGENTS_MAX = 10_000  # community-based trainers of one project
PER_USD_MIN = 0.1  # an exchange rate per USD (the Kuwaiti dinar, the dearest, is about 0.3)
PER_USD_MAX = 10_000_000  # (the bolivar before its 2021 redenomination: about 4 million)
# Warnings (queries/warnings.sql): questionable, imported and flagged
GROUP_AMOUNT_USD_WARN = 100_000

GROUP_PEOPLE_REASON = N_(
    "no savings group has more than 100 members (most have 10 to 30), so no count of one "
    "group's people or loans can be larger; check the cell (a total of several groups, or a "
    "digit too many?)"
)


def plain(number: float) -> str:
    """A limit as a plain number, as a cell holds it: 10000000 rather than 1e+07, 0.1."""
    if float(number).is_integer():
        return str(int(number))
    return f"{number:g}"


@dataclass(frozen=True)
class Issue:
    """One error found in the import files: where it is, and what is wrong in plain words."""

    file: str
    sheet: str | None
    row: int | None
    column: str | None
    value: str | None
    message: str

    @classmethod
    def about_file(cls, file: str, message: str) -> Issue:
        """An issue with a whole file (or the pool), not with one of its cells."""
        return cls(file, None, None, None, None, message)

    def __str__(self) -> str:
        where = [self.file]
        if self.sheet:
            where.append(f"sheet {self.sheet}")
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column:
            where.append(f"column {self.column}")
        return f"{', '.join(where)}: {self.message}"


@dataclass(frozen=True)
class Column:
    name: str
    kind: Kind
    required: bool
    meaning: str
    minimum: float | None = None
    minimum_inclusive: bool = True
    maximum: float | None = None
    choices: tuple[str, ...] = ()
    labels: tuple[str, ...] = ()  # labels of the SAVIX-style form, accepted as headers
    not_future: bool = False
    rule: str = ""  # the cross-column rule in words, for the template and messages
    default: str | None = None  # what an empty cell or absent column means, in words
    at_most: str | None = None  # another column of the row this one may not exceed
    network: bool = False  # a field of the network's own (data/network.toml), not SAVIX's
    reason: str = ""  # why `maximum` (or the range) is the limit, and what to check (N_)
    earliest: date | None = None  # a date column's first possible date
    latest: date | None = None  # ... and its last (dates that may be in the future)
    usd_ceiling: float | None = None  # a money column's most, in USD at the year's rate

    @property
    def shown(self) -> str:
        """The name messages use: a network field by its id, as written in the files."""
        return self.labels[0] if self.network and self.labels else self.name

    @property
    def expected(self) -> str:
        """What a valid value looks like, in words (ends a message: "x must be ...")."""
        if self.kind == "date":
            return _(
                "a date written YYYY-MM-DD (e.g. 2025-03-31) or DD/MM/YYYY (e.g. 31/03/2025), "
                "or an Excel date cell"
            )
        if self.kind == "int":
            if self.minimum is not None and self.maximum is not None:
                return _("a whole number from {minimum} to {maximum}").format(
                    minimum=plain(self.minimum), maximum=plain(self.maximum)
                )
            if self.minimum is not None:
                return _("a whole number >= {minimum}").format(minimum=plain(self.minimum))
            return _("a whole number")
        if self.kind == "money":
            return _("an amount >= 0, written as a plain number (e.g. 1234.50)")
        if self.kind == "number":
            if self.minimum is not None and self.maximum is not None:
                return _("a number between {minimum} and {maximum}").format(
                    minimum=plain(self.minimum), maximum=plain(self.maximum)
                )
            if self.minimum is not None:
                if self.minimum_inclusive:
                    return _("a number >= {minimum}").format(minimum=plain(self.minimum))
                return _("a number > {minimum}").format(minimum=plain(self.minimum))
            return _("a number")
        if self.kind == "bool":
            return _("yes or no")
        if self.kind == "enum":
            return _("one of {choices}").format(choices=", ".join(self.choices))
        if self.kind == "country":
            return _("a country: its ISO code (e.g. UGA or UG) or English name (e.g. Uganda)")
        if self.kind == "currency":
            return _("an ISO 4217 currency code (e.g. UGX, KES, USD)")
        if self.kind == "tags":
            return _("words separated by ; (e.g. refugee;climate)")
        return _("text")

    @property
    def type_label(self) -> str:
        """The type in a word or two, for the template's Columns sheet."""
        return {
            "text": _("text"),
            "date": _("date"),
            "int": _("whole number"),
            "money": _("amount"),
            "number": _("number"),
            "bool": _("yes/no"),
            "enum": _("choice"),
            "country": _("country"),
            "currency": _("currency code"),
            "tags": _("tags"),
        }[self.kind]


@dataclass(frozen=True)
class Table:
    name: str
    meaning: str
    key: tuple[str, ...]
    columns: tuple[Column, ...]

    def column(self, name: str) -> Column:
        for col in self.columns:
            if col.name == name:
                return col
        raise KeyError(name)

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)


def _money(
    name: str,
    meaning: str,
    label: str | None = None,
    rule: str = "",
    *,
    usd_ceiling: float = GROUP_AMOUNT_USD_MAX,
) -> Column:
    return Column(
        name,
        "money",
        True,
        meaning,
        minimum=0,
        labels=(label,) if label else (),
        rule=rule,
        usd_ceiling=usd_ceiling,
    )


def _count(
    name: str,
    meaning: str,
    label: str | None = None,
    *,
    minimum: int = 0,
    maximum: int | None = GROUP_PEOPLE_MAX,
    reason: str = GROUP_PEOPLE_REASON,
    required: bool = True,
    rule: str = "",
    default: str | None = None,
) -> Column:
    return Column(
        name,
        "int",
        required,
        meaning,
        minimum=minimum,
        maximum=maximum,
        labels=(label,) if label else (),
        rule=rule,
        default=default,
        reason=reason if maximum is not None else "",
    )


def _date(
    name: str,
    required: bool,
    meaning: str,
    label: str | None = None,
    *,
    not_future: bool = False,
    rule: str = "",
    latest: date | None = None,
) -> Column:
    """A date column: never before EARLIEST (savings groups began in 1991)."""
    return Column(
        name,
        "date",
        required,
        meaning,
        labels=(label,) if label else (),
        not_future=not_future,
        rule=rule,
        earliest=EARLIEST,
        latest=latest,
    )


TRAINED_BY = ("field_officer", "village_agent", "replicated")
SETTINGS = ("rural", "peri-urban", "urban")
STATUSES = ("supervised", "graduated")

# Accepted spellings of the enum values: the key is the value lower-cased with spaces,
# underscores and hyphens removed (so "Field officer", "field-officer" and "FIELD_OFFICER"
# all match).
ENUM_ALIASES: dict[str, dict[str, str]] = {
    "trained_by": {
        "fieldofficer": "field_officer",
        "villageagent": "village_agent",
        "replicated": "replicated",
    },
    "setting": {"rural": "rural", "periurban": "peri-urban", "urban": "urban"},
    "status": {"supervised": "supervised", "graduated": "graduated", "selfmanaged": "graduated"},
}

BOOL_TRUE = ("yes", "y", "true", "1")
BOOL_FALSE = ("no", "n", "false", "0")

TABLES: dict[str, Table] = {
    t.name: t
    for t in (
        Table(
            "exchange_rates",
            N_("Annual average exchange rates: units of each currency per 1 USD."),
            ("currency", "year"),
            (
                Column("currency", "currency", True, N_("ISO 4217 code of the currency")),
                Column(
                    "year",
                    "int",
                    True,
                    N_("the year the rate is the average of"),
                    minimum=EARLIEST.year,
                    maximum=LATEST.year,
                    reason=N_(
                        "rates are needed for the years of the groups' books, from 1990 (the "
                        "first savings groups of this kind began in 1991); check the year"
                    ),
                ),
                Column(
                    "per_usd",
                    "number",
                    True,
                    N_(
                        "units of the currency per 1 USD, annual average "
                        "(USD itself is 1 and needs no row)"
                    ),
                    minimum=PER_USD_MIN,
                    maximum=PER_USD_MAX,
                    reason=N_(
                        "every currency's rate lies in this range (the Kuwaiti dinar, the "
                        "dearest, is about 0.3 per USD); write the units of the currency that "
                        "one USD buys (e.g. 3700 for UGX), not USD per unit of the currency"
                    ),
                ),
            ),
        ),
        Table(
            "projects",
            N_("One row per project: one country, one currency; the unit of reporting."),
            ("project_id",),
            (
                Column(
                    "project_id",
                    "text",
                    True,
                    N_("stable id, unique across the pool (e.g. BDI-DUT-01)"),
                ),
                Column("project_name", "text", True, N_("the project's name")),
                Column(
                    "organisation",
                    "text",
                    True,
                    N_("the pooling member organisation (facilitating agency)"),
                ),
                Column("partner", "text", False, N_("local implementing partner")),
                Column("country", "country", True, N_("the country of the project")),
                Column(
                    "currency",
                    "currency",
                    True,
                    N_("ISO 4217 code of the amounts reported for this project"),
                ),
                _date("start_date", True, N_("the project's start")),
                _date(
                    "end_date",
                    False,
                    N_("the project's end"),
                    rule="start_date <= end_date",
                    latest=LATEST,
                ),
                Column("donor", "text", False, N_("the donor funding the project")),
                Column(
                    "shared",
                    "bool",
                    False,
                    N_("whether the project's data may be shown to other organisations"),
                    default="no",
                ),
            ),
        ),
        Table(
            "project_reports",
            N_("Quarterly project-level data: cost to date and staff."),
            ("project_id", "period_end"),
            (
                Column(
                    "project_id",
                    "text",
                    True,
                    N_("the project reported on"),
                    rule=N_("the project must be in the pool or in the same import"),
                ),
                _date("period_end", True, N_("end of the quarter reported"), not_future=True),
                _money(
                    "cost_to_date",
                    N_("cumulative project cost since start, in the project currency"),
                    usd_ceiling=PROJECT_COST_USD_MAX,
                ),
                _count(
                    "field_officers",
                    N_("paid staff training/supervising groups"),
                    maximum=FIELD_OFFICERS_MAX,
                    reason=N_(
                        "no single savings-group project has more than 1,000 field officers; "
                        "check the cell (the staff of several projects, or a digit too many?)"
                    ),
                ),
                _count(
                    "village_agents",
                    N_("community-based trainers"),
                    maximum=VILLAGE_AGENTS_MAX,
                    reason=N_(
                        "no single savings-group project has more than 10,000 village agents; "
                        "check the cell (the agents of several projects, or a digit too many?)"
                    ),
                ),
            ),
        ),
        Table(
            "groups",
            N_("Static data of each savings group, formed once."),
            ("project_id", "group_id"),
            (
                Column(
                    "project_id",
                    "text",
                    True,
                    N_("the project the group belongs to"),
                    rule=N_("the project must be in the pool or in the same import"),
                ),
                Column(
                    "group_id",
                    "text",
                    True,
                    N_("the group's id, unique within its project"),
                ),
                Column("group_name", "text", False, N_("the group's name (never shown to others)")),
                _date(
                    "formation_date",
                    True,
                    N_("date of first training meeting"),
                    "Date of first training meeting",
                    not_future=True,
                ),
                Column(
                    "trained_by",
                    "enum",
                    True,
                    N_(
                        "who trained the group; replicated = formed spontaneously by members "
                        "of other groups"
                    ),
                    choices=TRAINED_BY,
                    labels=("Group trained by",),
                ),
                Column("trainer_id", "text", False, N_("who monitors the group")),
                Column("region", "text", False, N_("first-level administrative area")),
                Column(
                    "setting", "enum", False, N_("rural, peri-urban or urban"), choices=SETTINGS
                ),
                Column(
                    "tags",
                    "tags",
                    False,
                    N_(
                        "cross-cutting themes, e.g. "
                        "humanitarian;refugee;climate;peacebuilding;disability"
                    ),
                ),
                Column(
                    "latitude",
                    "number",
                    False,
                    N_("WGS84 latitude"),
                    minimum=-90,
                    maximum=90,
                ),
                Column(
                    "longitude",
                    "number",
                    False,
                    N_("WGS84 longitude"),
                    minimum=-180,
                    maximum=180,
                ),
            ),
        ),
        Table(
            "datasets",
            N_("One row per visit: the books of the group's current cycle at the report date."),
            ("project_id", "group_id", "report_date"),
            (
                Column("project_id", "text", True, N_("the group's project")),
                Column(
                    "group_id",
                    "text",
                    True,
                    N_("the group visited"),
                    rule=N_("the group must be in the pool or in the same import"),
                ),
                _date(
                    "report_date",
                    True,
                    N_("date of data collection"),
                    "Date of data collection",
                    not_future=True,
                ),
                _count(
                    "cycle_number",
                    N_("1 for the group's first cycle"),
                    minimum=1,
                    maximum=CYCLE_MAX,
                    reason=N_(
                        "a cycle lasts about a year and the first savings groups of this kind "
                        "began in 1991, so no group is past its 50th cycle; check the cell"
                    ),
                ),
                _date(
                    "cycle_start_date",
                    True,
                    N_("date savings started this cycle"),
                    "Date savings started this cycle",
                    not_future=True,
                    rule="formation_date <= cycle_start_date <= report_date",
                ),
                _count(
                    "members_at_start", N_("members at start of cycle"), "Members at start of cycle"
                ),
                _count(
                    "members",
                    N_("registered members at present"),
                    "Registered members at present",
                    minimum=1,
                ),
                _count(
                    "women",
                    N_("registered women at present"),
                    "Registered women at present",
                    rule="women <= members",
                ),
                _count(
                    "men",
                    N_("registered men at present"),
                    "Registered men at present",
                    required=False,
                    rule="women + men = members",
                    default="members - women",
                ),
                _count(
                    "youth",
                    N_("members aged 15-35 (empty = not recorded)"),
                    required=False,
                    rule="youth <= members",
                ),
                _count(
                    "members_attending",
                    N_("present at this meeting"),
                    "No. of members attending meeting",
                    rule="members_attending <= members",
                ),
                _count("dropouts", N_("dropouts since start of cycle"), "Dropouts this cycle"),
                _money("savings", N_("value of savings this cycle"), "Value of savings this cycle"),
                _count(
                    "loans_outstanding_count",
                    N_("number of loans outstanding"),
                    "No. of loans outstanding",
                ),
                _money(
                    "loans_outstanding_value",
                    N_("value of loans outstanding"),
                    "Value of loans outstanding",
                ),
                _money(
                    "late_loans_balance",
                    N_("unpaid balance of late loans"),
                    "Unpaid balance of late loans",
                    rule="late_loans_balance <= loans_outstanding_value",
                ),
                _money(
                    "write_offs", N_("written off since start of cycle"), "Write-offs this cycle"
                ),
                _money(
                    "loan_fund_cash",
                    N_("loan fund cash in box and bank"),
                    "Loan fund cash in box/bank",
                ),
                _money(
                    "other_funds_cash",
                    N_("cash in other funds (social/welfare fund)"),
                    "Cash in other funds",
                ),
                _money(
                    "property_at_start",
                    N_("value of group property at start of cycle"),
                    "Property at start of cycle",
                ),
                _money("property_now", N_("value of group property now"), "Property now"),
                _money("debts", N_("what the group owes"), "Debts"),
                Column(
                    "status",
                    "enum",
                    True,
                    N_("supervised, or graduated (self-managed)"),
                    choices=STATUSES,
                ),
            ),
        ),
    )
}

# Money columns are in the project's currency (a note for the template).
MONEY_NOTE = N_("in the project's currency")


def normalise_name(text: str) -> str:
    """A header or sheet name as compared: trimmed, lower case, spaces/underscores/hyphens alike."""
    text = text.strip().lower().rstrip("*:").strip()
    return re.sub(r"[\s_\-]+", " ", text)


def header_lookup(table: Table) -> dict[str, str]:
    """Normalised header -> canonical column name, for canonical names and form labels."""
    out: dict[str, str] = {}
    for col in table.columns:
        out[normalise_name(col.name)] = col.name
        for label in col.labels:
            out[normalise_name(label)] = col.name
    return out


TABLE_LOOKUP: dict[str, str] = {normalise_name(name): name for name in TABLES}

NETWORK_KINDS: dict[str, Kind] = {"count": "int", "yesno": "bool", "amount": "money",
                                  "category": "enum"}  # fmt: skip


def network_column(f: NetworkField) -> Column:
    """The import column of a network field: named ndf_<id> in the pool, headed by its id
    (or ndf_<id>) in a workbook or CSV file; optional, checked by its type."""
    people = f.type == "count" and f.denominator in PEOPLE and f.level == "dataset"
    return Column(
        f.column,
        NETWORK_KINDS[f.type],
        False,
        f.labels["en"],
        minimum=0 if f.type in ("count", "amount") else None,
        maximum=GROUP_PEOPLE_MAX if f.type == "count" else None,
        choices=f.categories,
        labels=(f.id,),
        rule=f"{f.id} <= {f.denominator}" if people else "",
        at_most=f.denominator if people else None,
        network=True,
        reason=GROUP_PEOPLE_REASON if f.type == "count" else "",
        # (an amount of a visit is in the project's currency of its year; a group's own
        # amount has no date to convert it at)
        usd_ceiling=GROUP_AMOUNT_USD_MAX if f.type == "amount" and f.level == "dataset" else None,
    )


def tables(config: Network | None = None) -> dict[str, Table]:
    """The import format: SAVIX's tables, with the network's own fields as extra optional
    columns of groups and datasets (issue 8)."""
    config = config if config is not None else network.current()
    if not config.fields:
        return TABLES
    out = dict(TABLES)
    for name in ("groups", "datasets"):
        extra = tuple(network_column(f) for f in config.of_table(name))
        if extra:
            base = TABLES[name]
            out[name] = Table(base.name, base.meaning, base.key, base.columns + extra)
    return out


def table_for(name: str) -> str | None:
    """The table a sheet or file stem names (case-insensitively), or None."""
    return TABLE_LOOKUP.get(normalise_name(name))
