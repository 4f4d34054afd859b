"""The measures the indicators add up, named once, and the SQL lists of them.

queries/grouped.sql works out each group's measures (and each one's permanent noise,
<name>_eta); the rollup cubes and the indicators sum them per cell (with the count of groups
and the cell's key), and disclosure control perturbs those sums (dashboard.analytics.disclosure,
which
reads its measures from SUMMED). The SQL lists of them are generated here from SUMMED and
included by name like a file of queries/ (`--@include measure_sums`: dashboard.pool.sqlfiles), so
that a measure added here is summed, perturbed and read everywhere at once; the fragments are
fixed text, never a user's value. tests/test_sql_once.py fails if a query lists them by hand.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Measure:
    name: str  # its column in queries/grouped.sql
    count: bool  # a count (people, days, loans: summed as BIGINT), else money (USD: DOUBLE)
    lo: float | None = 0  # its lowest value (None: none, e.g. a profit)
    whole: str | None = None  # the sum it is a part of (perturbed after it)
    permanent: bool = True  # carries the groups' permanent noise (<name>_eta in grouped.sql)


# The sums of each cell beside its count of groups, in the order disclosure control works
# them out (a whole before its parts; the order of its draws: do not reorder).
SUMMED: tuple[Measure, ...] = (
    Measure("members", count=True),
    Measure("savings_usd", count=False),
    Measure("loans_outstanding_usd", count=False),
    Measure("assets_usd", count=False),
    Measure("data_age_days", count=True),
    Measure("dropouts", count=True),
    Measure("members_at_start", count=True),
    Measure("loans_outstanding_count", count=True),
    Measure("loan_fund_cash_usd", count=False),
    Measure("write_offs_usd", count=False),
    Measure("profit_usd", count=False, lo=None),
    Measure("annualised_profit_usd", count=False, lo=None),
    Measure("groups_replicated", count=True, whole="groups", permanent=False),
    Measure("women", count=True, whole="members"),
    Measure("men", count=True, whole="members"),
    Measure("members_youth_recorded", count=True, whole="members"),
    Measure("youth", count=True, whole="members_youth_recorded"),
    Measure("members_attending", count=True, whole="members"),
    Measure("late_usd", count=False, whole="loans_outstanding_usd"),
    Measure("annualised_savings_base_usd", count=False, whole="savings_usd"),
    Measure("annualised_assets_base_usd", count=False, whole="assets_usd"),
)
NOISY: tuple[str, ...] = tuple(m.name for m in SUMMED if m.permanent)  # (their <name>_eta)

_INDENT = " " * 4


def _lines(lines: list[str], indent: str = _INDENT) -> str:
    return ",\n".join(indent + line for line in lines) + "\n"


def _cast(m: Measure) -> str:
    return "::BIGINT" if m.count else ""  # (counts reach Python much faster than HUGEINT)


def measure_sums() -> str:
    """A select list: a cell's count of groups, every measure summed and the cell's key."""
    return _lines(
        [
            "sum(groups)::BIGINT AS groups",
            *(f"sum({m.name}){_cast(m)} AS {m.name}" for m in SUMMED),
            "sum(cell_key)::BIGINT AS cell_key",
        ]
    )


def measure_etas() -> str:
    """The rest of a select list after measure_sums: each measure's permanent noise summed
    (a view that perturbs nothing takes the swap measure_etas=measure_etas_none)."""
    return _INDENT + ",\n" + _lines([f"sum({name}_eta) AS {name}_eta" for name in NOISY])


def measure_struct() -> str:
    """The struct of a cell's sums, the argument of vsla_perturb
    (dashboard.analytics.disclosure)."""
    return "{\n" + _lines([f"{m.name}: {m.name}" for m in SUMMED], _INDENT * 3) + "}\n"


def measure_eta_struct() -> str:
    """The struct of the sums of their permanent noise, vsla_perturb's next argument."""
    return "{\n" + _lines([f"{name}: {name}_eta" for name in NOISY], _INDENT * 3) + "}\n"


def measure_perturbed() -> str:
    """A REPLACE list: each sum by its perturbed value where vsla_perturb gave one (`noise`)."""
    return _lines(
        [
            "coalesce(noise.groups, groups) AS groups",
            *(f"coalesce(noise.{m.name}, {m.name}){_cast(m)} AS {m.name}" for m in SUMMED),
        ],
        _INDENT * 2,
    )


# The generated fragments by the name a query includes them with.
FRAGMENTS = {
    f.__name__: f
    for f in (measure_sums, measure_etas, measure_struct, measure_eta_struct, measure_perturbed)
}
