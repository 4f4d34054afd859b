"""The benchmark: pools of three sizes, served by gunicorn (2 workers), a seeded list of filter
changes replayed through the real callback endpoint for each page, against a plain DuckDB
query as the baseline.

    python scripts/bench.py [--sizes 20000,200000,600000] [--changes 50] [--out docs/benchmark.md]

For each size: the pool is built with `vsla demo` (cached in .bench/ between runs; build
time and file size reported). For each page, each filter change is sent four times: the
first answer is "cold" (nothing cached for that view in the worker that answers), "warm" is
the fastest of the three repeats (either worker may answer a repeat). The time is the wall
time of the page's callback on loopback (server time and a few hundred microseconds of
HTTP). The baseline is one plain DuckDB query computing the headline indicators (groups,
members, women, savings) of the same filters straight from the datasets
table. Peak memory is each worker's VmHWM from /proc.
"""

from __future__ import annotations

import argparse
import http.cookiejar
import json
import os
import platform
import random
import re
import secrets
import subprocess
import sys
import time
import urllib.request
from datetime import date
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from serving import free_port, start  # noqa: E402  (scripts/, beside this file)

BENCH = ROOT / ".bench"
BIN = Path(sys.executable).parent

# A page's answer to a filter change: the callback writing this output.
PAGES = {
    "overview": "ov-lead.children",
    "outreach": '"or-members"',
    "efficiency": '"ef-project"',
    "performance": '"pf-trend"',
    "themes": '"th-women-band"',
    "compare": "cmp-table.children",
    "projects": "pj-title.children",
    "data": "data-table.rowData",
}

BASELINE = """
WITH latest AS (
    SELECT d.*
    FROM datasets d JOIN projects p USING (project_id)
    WHERE d.report_date <= $as_of AND d.report_date > $as_of - 365
      AND (len($country) = 0 OR list_contains($country, p.country))
      AND (len($organisation) = 0 OR list_contains($organisation, p.organisation))
    QUALIFY row_number() OVER (PARTITION BY d.project_id, d.group_id
                               ORDER BY d.report_date DESC) = 1
)
SELECT count(*) AS groups, sum(members) AS members, sum(women) AS women,
       sum(savings / coalesce(x.per_usd, 1)) AS savings_usd
FROM latest l
JOIN projects p USING (project_id)
LEFT JOIN exchange_rates x ON x.currency = p.currency AND x.year = year(l.report_date)
"""


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    k = (len(ordered) - 1) * q
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def build_pool(groups: int) -> tuple[Path, float | None]:
    path = BENCH / f"pool-{groups}.duckdb"
    if path.exists():
        return path, None
    BENCH.mkdir(exist_ok=True)
    started = time.perf_counter()
    subprocess.run(
        [str(BIN / "vsla"), "demo", "--db", str(path), "--groups", str(groups), "--seed", "1"],
        check=True,
        capture_output=True,
    )
    return path, time.perf_counter() - started


def serve(pool: Path, port: int, env: dict[str, str]) -> subprocess.Popen[bytes]:
    return start(
        [str(BIN / "gunicorn"), "app:server", "-w", "2", "-b", f"127.0.0.1:{port}", "-t", "300"],
        f"http://127.0.0.1:{port}/login",
        cwd=ROOT,
        env=env,
        timeout=120,
        failure="gunicorn did not start",
    )


def sign_in(url: str) -> urllib.request.OpenerDirector:
    opener = urllib.request.build_opener(
        urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
    )
    page = opener.open(url + "/login", timeout=30).read().decode()
    token = re.search(r'name="csrf" value="([^"]+)"', page).group(1)
    form = {"username": "admin", "password": "demo-admin", "csrf": token}
    opener.open(url + "/login", data=urlencode(form).encode(), timeout=30)
    return opener


def changes(n: int, seed: int = 7) -> list[str]:
    """A fixed, seeded list of filter changes (country, organisation, themes, as-of)."""
    from dashboard import datasource

    facts = datasource.all_facts()
    rng = random.Random(seed)
    quarters = list(facts.quarters[:8])
    out = []
    for _ in range(n):
        query: list[tuple[str, str]] = []
        if rng.random() < 0.5:
            query.append(("country", rng.choice(facts.countries)))
        if rng.random() < 0.4:
            query.append(("organisation", rng.choice(facts.organisations)))
        if rng.random() < 0.25 and facts.tags:
            query.append(("tag", rng.choice(facts.tags)))
        if rng.random() < 0.2:
            query.append(("min_pct_women", "0.75"))
        if rng.random() < 0.3:
            query.append(("as_of", rng.choice(quarters).isoformat()))
        out.append("?" + urlencode(query) if query else "")
    return out


def baseline(pool: Path, searches: list[str]) -> list[float]:
    import duckdb

    from dashboard.urlstate import parse_search

    con = duckdb.connect(str(pool), read_only=True)
    latest = con.execute("SELECT max(report_date) FROM datasets").fetchone()[0]
    times = []
    for search in searches:
        f = parse_search(search).filters
        params = {
            "as_of": f.as_of or latest,
            "country": list(f.country),
            "organisation": list(f.organisation),
        }
        started = time.perf_counter()
        con.execute(BASELINE, params).fetchall()
        times.append(time.perf_counter() - started)
    con.close()
    return times


def worker_memory(master: int) -> list[int]:
    """Peak resident memory (VmHWM, bytes) of each worker of a gunicorn master."""
    out = []
    children = Path(f"/proc/{master}/task/{master}/children")
    for pid in children.read_text().split() if children.exists() else []:
        status = Path(f"/proc/{pid}/status").read_text()
        match = re.search(r"VmHWM:\s+(\d+) kB", status)
        if match:
            out.append(int(match.group(1)) * 1024)
    return out


def run_size(groups: int, n_changes: int) -> dict:
    pool, built = build_pool(groups)
    env = dict(
        os.environ,
        VSLA_DB=str(pool),
        VSLA_USERS=str(BENCH / f"users-{groups}.sqlite"),
        VSLA_SECRET_KEY=secrets.token_urlsafe(48),
    )
    os.environ.update(VSLA_DB=env["VSLA_DB"], VSLA_USERS=env["VSLA_USERS"])
    os.environ["VSLA_SECRET_KEY"] = env["VSLA_SECRET_KEY"]
    from dashboard import datasource, db
    from dashboard.server import create_app
    from tests.dash_client import request_body

    db.reset()
    datasource.clear_cache()
    app = create_app()
    searches = changes(n_changes)
    with db.cursor() as con:
        datasets = con.execute("SELECT count(*) FROM datasets").fetchone()[0]
    db.reset()
    port = free_port()
    started = time.perf_counter()
    proc = serve(pool, port, env)
    url = f"http://127.0.0.1:{port}"
    try:
        opener = sign_in(url)
        first_load = time.perf_counter() - started
        pages = {}
        for page, output in PAGES.items():
            cold, warm = [], []
            for search in searches:
                values = {"url.search": search, "url.pathname": "/"}
                body = json.dumps(request_body(app, output, values)).encode()
                took = []
                for _ in range(4):  # the first is cold; then the fastest of three repeats
                    request = urllib.request.Request(
                        url + "/_dash-update-component",
                        data=body,
                        headers={"Content-Type": "application/json"},
                    )
                    t = time.perf_counter()
                    opener.open(request, timeout=300).read()
                    took.append(time.perf_counter() - t)
                cold.append(took[0])
                warm.append(min(took[1:]))  # (either worker may answer a repeat)
            pages[page] = {"cold": cold, "warm": warm}
        memory = worker_memory(proc.pid)
    finally:
        proc.terminate()
        proc.wait(timeout=60)
    return {
        "groups": groups,
        "datasets": datasets,
        "build_s": built,
        "size_mb": pool.stat().st_size / 1e6,
        "start_s": first_load,
        "pages": pages,
        "baseline": baseline(pool, searches),
        "memory": memory,
    }


def report(results: list[dict], n_changes: int) -> str:
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    lines = [
        f"Benchmark of {date.today().isoformat()} on {os.cpu_count()} cores ({cpu}), "
        f"Python {platform.python_version()}; gunicorn with 2 workers; {n_changes} seeded "
        "filter changes per page. Cold: the first request of a view (earlier pages may have "
        "cached some of its queries); warm: the fastest of three repeats (either worker may "
        "answer). Times are milliseconds of a page's callback on loopback.",
        "",
    ]
    for r in results:
        base95 = percentile(r["baseline"], 0.95) * 1000
        built = f"built in {r['build_s']:.0f} s" if r["build_s"] is not None else "cached"
        mem = ", ".join(f"{m / 1e6:.0f} MB" for m in r["memory"]) or "n/a"
        lines += [
            f"**{r['groups']:,} groups, {r['datasets']:,} datasets** ({r['size_mb']:.0f} MB, "
            f"{built}; first answer after start {r['start_s']:.1f} s; peak memory per worker "
            f"{mem}; baseline query p95 {base95:.0f} ms)",
            "",
            "| page | cold p50 | cold p95 | warm p50 | warm p95 | cold p95 / baseline p95 |",
            "|---|---|---|---|---|---|",
        ]
        for page, t in r["pages"].items():
            c50, c95 = (percentile(t["cold"], q) * 1000 for q in (0.5, 0.95))
            w50, w95 = (percentile(t["warm"], q) * 1000 for q in (0.5, 0.95))
            lines.append(
                f"| {page} | {c50:.0f} | {c95:.0f} | {w50:.0f} | {w95:.0f} | "
                f"{c95 / base95 if base95 else float('nan'):.1f} |"
            )
        lines.append("")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="20000,200000,600000")
    parser.add_argument("--changes", type=int, default=50)
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "benchmark.md")
    args = parser.parse_args(argv)
    results = []
    for size in (int(s) for s in args.sizes.split(",")):
        print(f"{size:,} groups ...", flush=True)
        results.append(run_size(size, args.changes))
    text = report(results, args.changes)
    print(text)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text + "\n")
    print(f"Written to {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
