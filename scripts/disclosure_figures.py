"""How far what a guest sees is from the exact figures (disclosure control), on a pool.

    python -m scripts.disclosure_figures --db data/pool.duckdb

For the whole network and every country, organisation and project at the pool's latest
date, the guest's figures (others' groups perturbed: dashboard.analytics.disclosure) against the
administrator's exact ones: the median and the worst relative error of totals and ratios,
and of shares in percentage points. Cells a guest does not see (fewer than 5 groups) are left
out. Prints a Markdown table (the README's access section quotes it).
"""

from __future__ import annotations

import argparse
import os
import statistics
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent

TOTALS = ("groups", "members", "women", "savings_usd", "loans_outstanding_usd")
RATIOS = (
    "savings_per_member_usd",
    "avg_loan_usd",
    "annualised_return_on_assets",
    "cost_per_member_usd",
)
SHARES = ("pct_women", "attendance_rate", "loan_fund_utilisation", "portfolio_at_risk")
LEVELS = (None, "country", "organisation", "project")


def errors(exact: list[dict[str, Any]], shown: list[dict[str, Any]], by: str | None) -> dict:
    """Each indicator's errors over the cells a guest sees: relative (totals, ratios) or in
    percentage points (shares)."""
    true = {r.get(by) if by else None: r for r in exact}
    out: dict[str, list[float]] = {k: [] for k in (*TOTALS, *RATIOS, *SHARES)}
    for row in shown:
        if row.get("suppressed"):
            continue
        base = true[row.get(by) if by else None]
        for name in out:
            value, real = row.get(name), base.get(name)
            if value is None or real is None or real == 0:
                continue
            if name in SHARES:
                out[name].append(abs(value - real) * 100)
            else:
                out[name].append(abs(value - real) / abs(real) * 100)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, default=ROOT / "data" / "pool.duckdb")
    args = parser.parse_args(argv)
    os.environ["VSLA_DB"] = str(args.db)

    from dashboard.access.policy import GUEST
    from dashboard.access.viewer import acting_as
    from dashboard.analytics import datasource
    from dashboard.analytics.engine import compute
    from dashboard.core.filters import Filters
    from dashboard.pool import db

    collected: dict[str | None, dict[str, list[float]]] = {}
    cells: dict[str | None, int] = {}
    for by in LEVELS:
        with acting_as(GUEST):
            shown = datasource.indicator_rows(Filters(), by)
            seen = datasource.scoped(Filters())  # (the projects a guest may see)
        with db.cursor() as con:  # the same projects, exact
            exact = compute(con, seen, by)
        collected[by] = errors(exact, shown, by)
        cells[by] = sum(1 for r in shown if not r.get("suppressed"))
    names = {None: "network", "country": "countries", "organisation": "organisations"}
    header = " | ".join(f"{names.get(by, 'projects')} ({cells[by]})" for by in LEVELS)
    print(f"| what a guest sees, error (median / worst) | {header} |")
    print("|---|" + "---|" * len(LEVELS))
    for name in (*TOTALS, *RATIOS, *SHARES):
        unit = " pp" if name in SHARES else " %"
        parts = []
        for by in LEVELS:
            values = collected[by][name]
            if not values:
                parts.append("n/a")
            elif len(values) == 1:
                parts.append(f"{values[0]:.2f}{unit}")
            else:
                parts.append(f"{statistics.median(values):.2f} / {max(values):.2f}{unit}")
        print(f"| `{name}` | " + " | ".join(parts) + " |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
