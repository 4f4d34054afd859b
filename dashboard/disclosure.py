"""Disclosure control: what others may infer of an organisation's groups from what they see.

Two protections, applied by the query layer to whatever a viewer sees of *other*
organisations' groups (a guest: every group; a member: the projects other organisations
share). A viewer's own organisation and the network's administrators see exact figures.

1. **Small cells** (datasource.protect): a figure resting on 1 to 4 of others' groups is
   not shown, with complementary suppression inside a breakdown.
2. **Perturbation by the cell-key method**, made for flexible table builders (the Australian
   Bureau of Statistics' TableBuilder; the UK's ONS for Census 2021). Suppression alone
   cannot stop differencing: two allowed views that differ by one group (a project with and
   without a share-of-women bound that leaves out one group) would give that group's
   members, women and savings by subtraction. So every count and sum of a cell that holds
   others' groups is moved by a little noise, drawn from a key that is a fixed function of
   the groups in the cell; ratios are then computed from the perturbed sums. The same cell
   always shows the same figure (in every worker, after every restart, until the next
   import changes its groups), and the difference of two cells is noise, not a group.

How the noise is made (this module; the queries call it as the DuckDB functions that
`define` registers, vsla_perturb, vsla_sum and vsla_groups; the network's own indicators
are perturbed in Python as their rows arrive, by `network`):

- each group's key is a 32-bit number from MD5 of the pool's secret and the group's ids
  (active.sql; the secret is made when the pool is created and lives in its pool_meta);
  a cell's key is the sum of its groups' keys, which the rollup cubes hold as one more sum;
- a sum x of a cell of n groups moves by unit x (F + 3H): F = +1 for an even n, -1 for an
  odd one; H = round(d x max(mean, 3 units) / 3 units), d drawn from the cell's key (two
  bytes of a BLAKE2b hash of the key for each measure) in +-[0.35, 0.7], mean = x / n. The
  unit is 1 for counts (members, women, ...) and USD 0.02 for money. Two cells that differ
  by exactly one group have n of different parity, so their noises differ by 2 units plus a
  multiple of 3 units: never by zero. No difference of two cells is ever exactly a group's
  members, women or savings (savings miss by 2 cents or more);
- zero stays zero; a part equal to its whole (women = members in a women-only cell) stays
  equal to the perturbed whole, so shares of 0 % and 100 % stay exact; any other part stays
  between 0 and its perturbed whole, in its class modulo 3 units where there is room;
- the number of groups moves by F or by -2F (one or two groups; a difference of one group
  never reads 1);
- project costs, staff and the distinct counts (organisations, countries, projects) are
  project facts, not group data, and are not perturbed; the members and groups behind the
  cost indicators are.

Size: a sum moves by at most 0.7 of the cell's mean per group (taken as at least 3 units)
plus 2.5 units: for a cell of n groups, by at most 0.7/n of its total plus 2.5 units. For
a cell of 100 groups or more whose mean per group is 10 units or more (members, women in
most cells, money always), that is within 1 % of the true total (tests check it); a count
of groups moves by 1 or 2 groups.

What it does not cover: the percentiles of the spread across groups (the performance
page's boxes) are order statistics of group ratios, shown where a box rests on 5 or more
of others' groups, unperturbed; an attacker who finds many pairs of cells that differ by
the same group can average their differences (each pair's noise is independent), as with
any cell-key method.
"""

from __future__ import annotations

import hashlib
import math
import secrets
import threading
from collections.abc import Mapping
from typing import Any

import duckdb

from dashboard.i18n import N_

SECRET_KEY = "cell_key_secret"  # pool_meta's key of the secret the groups' keys come from

# Where it applies, a caption says so (translated where shown).
NOTE = N_(
    "Figures for other organisations' groups are slightly perturbed to protect individual groups."
)

COUNT, MONEY = 1.0, 0.02  # the units of the noise: people (or days, loans), and USD
LEAST_MEAN = 3  # units: the mean per group the noise is scaled to, at least
DRAW = (0.35, 0.7)  # the draw's size, as a share of that mean


# The sums of indicator_tail.sql that are perturbed, in the order they are worked out (a
# whole before its parts): name, unit, lowest value (None: none, e.g. a profit), and the
# whole it is a part of.
MEASURES: tuple[tuple[str, float, float | None, str | None], ...] = (
    ("members", COUNT, 0, None),
    ("savings_usd", MONEY, 0, None),
    ("loans_outstanding_usd", MONEY, 0, None),
    ("assets_usd", MONEY, 0, None),
    ("data_age_days", COUNT, 0, None),
    ("dropouts", COUNT, 0, None),
    ("members_at_start", COUNT, 0, None),
    ("loans_outstanding_count", COUNT, 0, None),
    ("loan_fund_cash_usd", MONEY, 0, None),
    ("write_offs_usd", MONEY, 0, None),
    ("profit_usd", MONEY, None, None),
    ("annualised_profit_usd", MONEY, None, None),
    ("groups_replicated", COUNT, 0, "groups"),
    ("women", COUNT, 0, "members"),
    ("men", COUNT, 0, "members"),
    ("members_youth_recorded", COUNT, 0, "members"),
    ("youth", COUNT, 0, "members_youth_recorded"),
    ("members_attending", COUNT, 0, "members"),
    ("late_usd", MONEY, 0, "loans_outstanding_usd"),
    ("annualised_savings_base_usd", MONEY, 0, "savings_usd"),
    ("annualised_assets_base_usd", MONEY, 0, "assets_usd"),
)


def new_secret() -> str:
    """A new pool's secret (pool_meta 'cell_key_secret')."""
    return secrets.token_hex(32)


def ensure_secret(con: duckdb.DuckDBPyConnection, secret: str | None = None) -> None:
    """Give the pool open on `con` (writable) its secret if it has none (pools made before
    the cell-key method get one at their next import or `vsla rollups`); with `secret`,
    set that one (the demo pool's comes from its seed)."""
    if secret is not None:
        con.execute("INSERT OR REPLACE INTO pool_meta VALUES (?, ?)", [SECRET_KEY, secret])
        return
    row = con.execute("SELECT 1 FROM pool_meta WHERE key = ?", [SECRET_KEY]).fetchone()
    if row is None:
        con.execute("INSERT INTO pool_meta VALUES (?, ?)", [SECRET_KEY, new_secret()])


# --- The noise -------------------------------------------------------------------------------

# Every draw a cell may need, each from its own two bytes of one hash of the cell's key.
DRAWN: tuple[str, ...] = (
    "groups",
    *(name for name, *_ in MEASURES),
    "cost_members",
    "cost_groups",
    "sizes",
    "numerator",
    "denominator",
)
_POSITION = {name: i for i, name in enumerate(DRAWN)}


class Cell:
    """A cell of n groups with key `key`: its F and its draws (one BLAKE2b hash of the key,
    64 bytes, two per draw: each from -0.7 to -0.35 or from 0.35 to 0.7)."""

    def __init__(self, n: int, key: object) -> None:
        self.n = n
        self.f = 1 if n % 2 == 0 else -1
        self._digest = hashlib.blake2b(str(key).encode(), digest_size=64).digest()

    def draw(self, measure: str) -> float:
        at = 2 * _POSITION[measure]
        u = int.from_bytes(self._digest[at : at + 2], "big") / 65536
        low, high = DRAW
        if u < 0.5:
            return -(low + (high - low) * 2 * u)
        return low + (high - low) * 2 * (u - 0.5)

    def sum(
        self,
        measure: str,
        x: float | None,
        unit: float = COUNT,
        lo: float | None = 0,
        whole: float | None = None,
        whole_noisy: float | None = None,
    ) -> float | None:
        """A sum x of the cell, perturbed (see the module's docstring)."""
        if x is None or x == 0 or not self.n:
            return x
        if whole is not None and x == whole:
            return whole_noisy
        f, step = self.f, 3 * unit
        h = round(max(abs(x) / self.n, LEAST_MEAN * unit) * self.draw(measure) / step)
        if lo is not None:
            h = max(h, math.ceil((lo - x - unit * f) / step))
        if whole_noisy is not None:
            h = min(h, math.floor((whole_noisy - x - unit * f) / step))
        value = x + unit * (f + 3 * h)
        if lo is not None:
            value = max(value, lo)
        if whole_noisy is not None:
            value = min(value, whole_noisy)
        return value

    def groups(self, measure: str = "groups", n: int | None = None) -> int | None:
        """A number of groups (the cell's own, or `n`), perturbed: n + F or n - 2F by the
        draw's sign, at least 1."""
        n = self.n if n is None else n
        if not n:
            return n
        f = 1 if n % 2 == 0 else -1
        return max(1, n + (f if self.draw(measure) < 0 else -2 * f))


def perturb(n: int, key: object, sums: Mapping[str, float | None]) -> dict[str, float | None]:
    """Every sum of MEASURES of a cell of n groups, and its number of groups, perturbed."""
    cell = Cell(n, key)
    out: dict[str, float | None] = {"groups": cell.groups()}
    true: dict[str, float | None] = {"groups": n}
    for name, unit, lo, whole in MEASURES:
        true[name] = sums.get(name)
        out[name] = cell.sum(
            name,
            true[name],
            unit,
            lo,
            true[whole] if whole else None,
            out[whole] if whole else None,
        )
    return out


def network(
    kind: str,
    per: str | None,
    n: int,
    key: object,
    numerator: float | None,
    denominator: float | None,
) -> dict[str, float | None]:
    """A network indicator's numerator and denominator over n recording groups, perturbed:
    the denominator (people, or the groups that record it), then the numerator (money; or a
    part of the denominator where it counts the same people or groups)."""
    cell = Cell(n, key)
    if kind in ("yesno", "category") or per == "groups":
        noisy_d = cell.groups("denominator", int(denominator)) if denominator else denominator
    else:
        noisy_d = cell.sum("denominator", denominator)
    if kind == "amount":
        noisy_n = cell.sum("numerator", numerator, MONEY)
    elif kind in ("yesno", "category") or per != "groups":
        noisy_n = cell.sum("numerator", numerator, COUNT, 0, denominator, noisy_d)
    else:
        noisy_n = cell.sum("numerator", numerator)
    return {"numerator": noisy_n, "denominator": noisy_d}


# --- In the queries ------------------------------------------------------------------------

_SUMS = "STRUCT(" + ", ".join(f"{name} DOUBLE" for name, *_ in MEASURES) + ")"
_PERTURBED = "STRUCT(groups BIGINT, " + _SUMS.removeprefix("STRUCT(")
_defining = threading.Lock()


def _perturb_udf(n: int, key: str, sums: Mapping[str, float | None]) -> dict[str, Any]:
    return perturb(n, key, sums)


def _sum_udf(n: int, key: str, name: str, x: float | None) -> float | None:
    return Cell(n, key).sum(name, x)


def _groups_udf(n: int, key: str, name: str) -> int | None:
    return Cell(n, key).groups(name)


def _functions() -> list[tuple[str, Any, list[str], str]]:
    return [
        # (groups, cell key, {sum: value}) -> {groups, sum: value}, perturbed
        ("vsla_perturb", _perturb_udf, ["BIGINT", "VARCHAR", _SUMS], _PERTURBED),
        # (groups, cell key, measure name, sum) -> the sum perturbed
        ("vsla_sum", _sum_udf, ["BIGINT", "VARCHAR", "VARCHAR", "DOUBLE"], "DOUBLE"),
        # (groups, cell key, measure name) -> the number of groups perturbed
        ("vsla_groups", _groups_udf, ["BIGINT", "VARCHAR", "VARCHAR"], "BIGINT"),
    ]


PLAIN = ("perturbation=perturbation_none",)


def swaps(foreign: tuple[str, ...] | None) -> tuple[str, ...]:
    """The query swaps for a viewer whose others' projects are `foreign`: none (the queries
    perturb the cells that hold those projects' groups), or, when there are none (an
    administrator, the command line), PLAIN: the sums as they are, with no work for it."""
    return () if foreign else PLAIN


def define(con: duckdb.DuckDBPyConnection) -> None:
    """Register the noise as DuckDB functions on the database `con` (a connection or a
    cursor) belongs to: once per database instance, shared by its cursors; later calls
    find them there (cheap)."""
    with _defining:
        for name, function, parameters, result in _functions():
            try:
                con.create_function(
                    name,
                    function,
                    parameters,
                    result,
                    null_handling="special",
                    side_effects=False,
                )
            except duckdb.CatalogException as exc:  # registered already on this database
                if "already exists" not in str(exc):
                    raise
