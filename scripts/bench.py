"""The benchmark: pools of three sizes, served by gunicorn (2 workers), a seeded list of filter
changes replayed through the real callback endpoint for each page, against a plain DuckDB
query as the baseline.

    python -m scripts.bench [--sizes 20000,200000,600000,1500000] [--changes 50] [--readme]
                            [--browser-links 10] [--browser-sizes 20000,600000]

For each size: the pool is built with `vsla demo` (cached in .bench/ between runs; build
time and file size reported). For each page, each filter change is sent four times: the
first answer is "cold" (nothing cached for that view in the worker that answers), "warm" is
the fastest of the three repeats (either worker may answer a repeat). The time is the wall
time of the page's callback on loopback (server time and a few hundred microseconds of
HTTP). The baseline is the plain DuckDB query computing the page's KPI indicators (every
indicator at the as-of date) of the same filters straight from the datasets table: the live
SQL, without rollups or caches. Peak memory is each worker's VmHWM from /proc.

The browser phase (scripts/bench_browser.py, at --browser-sizes) then serves the pool afresh
and times, in headless Chromium, what a person waits for: each page from a link until every
chart is drawn, each in-page filter change until every chart is redrawn, and a first visit
with an empty cache (its time and bytes).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import secrets
import subprocess
import sys
import time
import urllib.request
from datetime import date
from pathlib import Path

from scripts import bench_browser
from scripts.loadtest import PAGES, percentile, session
from scripts.serving import changes, free_port, serve

ROOT = Path(__file__).resolve().parent.parent

BENCH = ROOT / ".bench"
BIN = Path(sys.executable).parent


def build_pool(groups: int) -> tuple[Path, float]:
    """The demo pool of `groups` groups, built once and kept in .bench/ (rebuilt when it
    lacks this version's rollups); with the time its build took."""
    from dashboard.analytics import rollups
    from dashboard.pool.files import connect, meta

    path = BENCH / f"pool-{groups}.duckdb"
    timing = path.with_suffix(".json")
    if path.exists() and timing.exists():
        con = connect(path)
        try:
            current = meta(con).get("rollups") == rollups.ROLLUP_VERSION
        finally:
            con.close()
        if current:
            return path, float(json.loads(timing.read_text())["build_s"])
    BENCH.mkdir(exist_ok=True)
    path.unlink(missing_ok=True)
    started = time.perf_counter()
    subprocess.run(
        [str(BIN / "vsla"), "demo", "--db", str(path), "--groups", str(groups), "--seed", "1"],
        check=True,
        capture_output=True,
    )
    built = time.perf_counter() - started
    timing.write_text(json.dumps({"build_s": built}))
    return path, built


def baseline(pool: Path, searches: list[str]) -> list[float]:
    """Seconds of the plain query of each filter change: every indicator of the page's KPI
    tiles (the engine's whole row) at its as-of date, straight from the datasets table (the
    live SQL, without rollups or caches), on a connection like a worker's."""
    from dashboard.analytics.engine import compute
    from dashboard.core.config import Settings
    from dashboard.core.urlstate import parse_search
    from dashboard.pool.files import open_pool

    settings = Settings.from_env()
    con = open_pool(pool, threads=settings.threads, memory_limit=settings.memory_limit)
    times = []
    for search in searches:
        filters = parse_search(search).filters
        started = time.perf_counter()
        compute(con, filters, source="datasets")
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


READY = """
const lead = document.querySelector('#ov-lead');
return !!lead && lead.innerText.trim().length > 0
    && document.querySelectorAll('.js-plotly-plot .main-svg').length > 0
    && !document.querySelector('[data-dash-is-loading="true"]');
"""


def page_loads(url: str) -> tuple[float, float]:
    """Seconds from opening the overview in headless Chromium (1366x768) to its headline,
    charts and tiles drawn: on the fresh server (cold), then again (warm)."""
    from scripts.screenshots import browser

    driver = browser(1366, 768)
    times = []
    try:
        for _ in range(2):
            started = time.perf_counter()
            driver.get(url + "/")
            deadline = started + 120
            while not driver.execute_script(READY):
                if time.perf_counter() > deadline:
                    raise SystemExit("The overview did not finish loading in 120 s.")
                time.sleep(0.02)
            times.append(time.perf_counter() - started)
    finally:
        driver.quit()
    return times[0], times[1]


def run_size(groups: int, n_changes: int, browser_links: int = 0) -> dict:
    pool, built = build_pool(groups)
    env = dict(
        os.environ,
        VSLA_DB=str(pool),
        VSLA_USERS=str(BENCH / f"users-{groups}.sqlite"),
        VSLA_SECRET_KEY=secrets.token_urlsafe(48),
    )
    os.environ.update(VSLA_DB=env["VSLA_DB"], VSLA_USERS=env["VSLA_USERS"])
    os.environ["VSLA_SECRET_KEY"] = env["VSLA_SECRET_KEY"]
    from dashboard.analytics import datasource
    from dashboard.pool import db
    from dashboard.web.server import create_app
    from tests.dash_client import request_body

    db.reset()
    datasource.clear_cache()
    app = create_app()
    searches = changes(n_changes)
    with db.cursor() as con:
        datasets = con.execute("SELECT count(*) FROM datasets").fetchone()[0]
    db.reset()
    port = free_port()
    proc = serve(pool, port, env)
    url = f"http://127.0.0.1:{port}"
    try:
        cold_load, warm_load = page_loads(url)
        from dashboard.access.demo_accounts import DEMO_ADMIN

        opener = session(url, *DEMO_ADMIN)
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
    browser = None
    if browser_links:  # a fresh server: nothing cached by the callbacks above
        browser = bench_browser.run(pool, env, browser_links,
                                    log=lambda text: print("  " + text, flush=True))  # fmt: skip
    return {
        "browser": browser,
        "groups": groups,
        "datasets": datasets,
        "build_s": built,
        "size_mb": pool.stat().st_size / 1e6,
        "load_s": (cold_load, warm_load),
        "pages": pages,
        "baseline": baseline(pool, searches),
        "memory": memory,
    }


def import_rate(pool: Path, groups: int) -> dict:
    """`vsla import` of the pool's data, written out as CSV files, into a new pool: the
    whole import (read, validate, write, warnings, rollups), timed."""
    import duckdb

    folder = BENCH / f"csv-{groups}"
    if not (folder / "datasets.csv").exists():
        folder.mkdir(parents=True, exist_ok=True)
        con = duckdb.connect(str(pool), read_only=True)
        try:
            for table in ("exchange_rates", "projects", "project_reports", "groups", "datasets"):
                con.execute(
                    f"COPY (SELECT * FROM {table}) TO '{folder / (table + '.csv')}' (HEADER)"
                )
        finally:
            con.close()
    target = BENCH / f"import-{groups}.duckdb"
    target.unlink(missing_ok=True)
    started = time.perf_counter()
    subprocess.run([str(BIN / "vsla"), "import", str(folder), "--db", str(target)], check=True,
                   capture_output=True)  # fmt: skip
    seconds = time.perf_counter() - started
    con = duckdb.connect(str(target), read_only=True)
    (datasets,) = con.execute("SELECT count(*) FROM datasets").fetchone()
    con.close()
    target.unlink(missing_ok=True)
    return {"datasets": datasets, "seconds": seconds, "rate": datasets / seconds}


def load_test(groups: int, users: int = 50, seconds: float = 60.0) -> dict:
    """50 users clicking through the pages for 60 s against gunicorn (2 workers), serving a
    copy of the pool into which an import adds later visits a third of the way in."""
    import shutil

    from scripts.loadtest import callback_bodies, date_shown, importer, later_visits, run

    pool, _built = build_pool(groups)
    copy = BENCH / f"load-{groups}.duckdb"
    shutil.copyfile(pool, copy)
    new_date = later_visits(copy, BENCH / f"later-{groups}")
    env = dict(
        os.environ,
        VSLA_DB=str(copy),
        VSLA_USERS=str(BENCH / f"users-{groups}.sqlite"),
        VSLA_SECRET_KEY=secrets.token_urlsafe(48),
    )
    os.environ.update(VSLA_DB=str(pool), VSLA_USERS=env["VSLA_USERS"])
    os.environ["VSLA_SECRET_KEY"] = env["VSLA_SECRET_KEY"]
    from dashboard.access.demo_accounts import demo_accounts
    from dashboard.analytics import datasource
    from dashboard.pool import db
    from dashboard.web.server import create_app
    from tests.dash_client import request_body

    db.reset()
    datasource.clear_cache()
    app = create_app()
    searches = changes(50)
    bodies = callback_bodies(app, searches)
    probe = request_body(app, "ov-lead.children", {"url.search": "", "url.pathname": "/"})
    probe_body = json.dumps(probe).encode()
    accounts = [(u, p) for (u, p, _who) in demo_accounts(datasource.all_facts().organisations)]
    db.reset()
    mix = [accounts[0], accounts[1], (None, None), accounts[2]]  # admin, members, a guest
    port = free_port()
    proc = serve(copy, port, env)
    url = f"http://127.0.0.1:{port}"
    try:
        load = run(url, bodies, mix, users=users, seconds=seconds,
                   refresh=importer(copy, BENCH / f"later-{groups}", demo=True),
                   probe=(probe_body, date_shown(new_date)))  # fmt: skip
        memory = worker_memory(proc.pid)
    finally:
        proc.terminate()
        proc.wait(timeout=60)
        copy.unlink(missing_ok=True)
    out = load.summary() | {"groups": groups, "users": users, "seconds": seconds,
                            "memory": memory, "import_error": load.import_error,
                            "error_examples": load.errors[:5]}  # fmt: skip
    return out


README_START = "<!-- benchmark summary: written by make bench -->"
README_END = "<!-- end of benchmark summary -->"

TARGETS = {  # issue 6, at ~10 million datasets on this 2-core machine
    "cold p95 <= 300 ms": lambda r: max_p95(r, "cold") <= 300,
    "warm p95 <= 50 ms": lambda r: max_p95(r, "warm") <= 50,
    "first page load <= 1.5 s": lambda r: r["load_s"][0] <= 1.5,
    "cold p95 / baseline p95 <= 1.0": lambda r: max_p95(r, "cold") / baseline_p95(r) <= 1.0,
    "memory <= 1 GB per worker": lambda r: max(r["memory"] or [0]) <= 1e9,
}


def max_p95(r: dict, kind: str) -> float:
    return max(percentile(t[kind], 0.95) * 1000 for t in r["pages"].values())


def baseline_p95(r: dict) -> float:
    return percentile(r["baseline"], 0.95) * 1000


def report(results: list[dict], n_changes: int, imports: list[dict], load: dict | None) -> str:
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
        "answer). Times are milliseconds of a page's callback on loopback. First page load: "
        "headless Chromium opening the overview on the fresh server until its headline, "
        "tiles and charts are drawn (then again, warm). Baseline: the plain query of every "
        "KPI indicator of the same filters straight from the datasets table (the live SQL, no "
        "rollups, no cache)."
        + (
            " In the browser (issue 20): " + bench_browser.DESCRIPTION + "."
            if any(r.get("browser") for r in results)
            else ""
        ),
        "",
    ]
    for r in results:
        base95 = baseline_p95(r)
        mem = ", ".join(f"{m / 1e6:.0f} MB" for m in r["memory"]) or "n/a"
        lines += [
            f"**{r['groups']:,} groups, {r['datasets']:,} datasets** ({r['size_mb']:.0f} MB, "
            f"built in {r['build_s']:.0f} s; first page load {r['load_s'][0]:.2f} s cold, "
            f"{r['load_s'][1]:.2f} s warm; peak memory per worker {mem}; baseline query p95 "
            f"{base95:.0f} ms)",
            "",
            "| page | cold p50 | cold p95 | warm p50 | warm p95 | cold p95 / baseline p95 |",
            "|---|---|---|---|---|---|",
        ]
        for page, t in r["pages"].items():
            c50, c95 = (percentile(t["cold"], q) * 1000 for q in (0.5, 0.95))
            w50, w95 = (percentile(t["warm"], q) * 1000 for q in (0.5, 0.95))
            lines.append(
                f"| {page} | {c50:.0f} | {c95:.0f} | {w50:.0f} | {w95:.0f} | "
                f"{c95 / base95 if base95 else float('nan'):.2f} |"
            )
        lines.append("")
        if r.get("browser"):
            lines += [
                f"In the browser ({r['groups']:,} groups; {bench_browser.DESCRIPTION}; "
                f"{r['browser']['links']} links, {r['browser']['links_per_page']} per page):",
                "",
                *bench_browser.table(r["browser"]),
                "",
            ]
    summary_at = len(lines)
    lines += ["**Targets** (met: yes / no, with the worst figure)", ""]
    lines.append("| target | " + " | ".join(f"{r['groups']:,} groups" for r in results) + " |")
    lines.append("|---|" + "---|" * len(results))
    worst = {
        "cold p95 <= 300 ms": lambda r: f"{max_p95(r, 'cold'):.0f} ms",
        "warm p95 <= 50 ms": lambda r: f"{max_p95(r, 'warm'):.0f} ms",
        "first page load <= 1.5 s": lambda r: f"{r['load_s'][0]:.2f} s",
        "cold p95 / baseline p95 <= 1.0": lambda r: f"{max_p95(r, 'cold') / baseline_p95(r):.2f}",
        "memory <= 1 GB per worker": lambda r: f"{max(r['memory'] or [0]) / 1e6:.0f} MB",
    }
    for name, test in TARGETS.items():
        cells = [("yes" if test(r) else "**no**") + f" ({worst[name](r)})" for r in results]
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    for name, (test, figure) in bench_browser.target_rows().items():  # issue 20
        cells = [
            ("yes" if test(r["browser"]) else "**no**") + f" ({figure(r['browser'])})"
            if r.get("browser")
            else "n/a"
            for r in results
        ]
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    measured = [r for r in results if r.get("browser")]
    if measured:
        lines.append(
            "| first visit: bytes transferred (uncompressed) | "
            + " | ".join(
                f"{bench_browser.first_bytes(r['browser']['first'][0]) / 1e6:.2f} MB "
                f"({bench_browser.first_decoded(r['browser']['first'][0]) / 1e6:.2f} MB)"
                if r.get("browser")
                else "n/a"
                for r in results
            )
            + " |"
        )
    # The page-speed and memory targets are what grows with the pool; the ratio and the
    # first load (a fresh browser compiling plotly.js) are read at the largest size.
    scaling = [TARGETS[k] for k in ("cold p95 <= 300 ms", "warm p95 <= 50 ms",
                                    "memory <= 1 GB per worker")]  # fmt: skip
    meeting = [r["groups"] for r in results if all(t(r) for t in scaling)]
    failing = [r["groups"] for r in results if not all(t(r) for t in scaling)]
    lines += [
        "",
        "One host meets the page-speed and memory targets (cold p95, warm p95, memory) up to "
        + (f"{max(meeting):,} groups" if meeting else "none of the sizes measured")
        + (f"; not at {min(failing):,} groups." if failing else " (every size measured)."),
        "",
    ]
    for imp in imports:
        lines.append(
            f"Import: `vsla import` of {imp['datasets']:,} datasets (CSV files) into a new "
            f"pool, with validation, warnings and rollups: {imp['seconds']:.1f} s, "
            f"{imp['rate']:,.0f} datasets per second."
        )
    if imports:
        lines.append("")
    if load:
        mem = ", ".join(f"{m / 1e6:.0f} MB" for m in load["memory"]) or "n/a"
        first_new = load.get("new_data_after_s")
        lines += [
            f"**Load test** ({load['groups']:,} groups; {load['users']} simulated users "
            f"(admin, members, guests) each opening pages and sending their callbacks without "
            f"pause for {load['seconds']:.0f} s; gunicorn with 2 workers; an import of later "
            "visits swapped in a new pool version a third of the way in, while a probe asked "
            "for the headline every 0.2 s):",
            "",
            "| requests | errors | throughput | p50 | p95 | import took | first new answer "
            "after its start | old answers after its end | peak memory per worker |",
            "|---|---|---|---|---|---|---|---|---|",
            f"| {load['requests']:,} | {load['errors']} | {load['throughput']:.1f}/s | "
            f"{load['p50_ms']:.0f} ms | {load['p95_ms']:.0f} ms | "
            f"{load.get('import_s', float('nan')):.1f} s | "
            + (f"{first_new:.1f} s" if first_new is not None else "never")
            + f" | {load.get('stale_after_import', 'n/a')} of "
            f"{load.get('probes_after_import', 0)} | {mem} |",
            "",
        ]
        if load.get("import_error"):
            lines += [f"The import failed: {load['import_error']}", ""]
        if load.get("error_examples"):
            lines += ["Errors: " + "; ".join(load["error_examples"]), ""]
    return "\n".join(lines), "\n".join([*lines[:1], "", *lines[summary_at:]])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="20000,200000,600000,1500000")
    parser.add_argument("--changes", type=int, default=50)
    parser.add_argument("--import-sizes", default="200000", help="pools whose import is timed")
    parser.add_argument("--load-size", type=int, default=200000, help="0: no load test")
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument(
        "--browser-links", type=int, default=10, help="seeded links per page in the browser phase"
    )
    parser.add_argument(
        "--browser-sizes", default="20000,600000", help="pools measured in the browser phase"
    )
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "benchmark.md")
    parser.add_argument(
        "--readme",
        action="store_true",
        help="write the summary into README.md's performance section",
    )
    parser.add_argument(
        "--load-only",
        action="store_true",
        help="run the load test alone (on a pool of --load-size groups) and print its figures",
    )
    args = parser.parse_args(argv)
    if args.load_only:
        result = load_test(args.load_size or 20000, args.users, args.seconds)
        print(json.dumps(result, indent=2))
        return 0 if result["errors"] == 0 else 1
    results = []
    in_browser = {int(s) for s in args.browser_sizes.split(",") if s}
    for size in (int(s) for s in args.sizes.split(",") if s):
        print(f"{size:,} groups ...", flush=True)
        links = args.browser_links if size in in_browser else 0
        results.append(run_size(size, args.changes, links))
    imports = []
    for size in (int(s) for s in args.import_sizes.split(",") if s):
        print(f"Importing {size:,} groups ...", flush=True)
        imports.append(import_rate(build_pool(size)[0], size))
    load = None
    if args.load_size:
        print(f"Load test, {args.users} users, {args.seconds:.0f} s ...", flush=True)
        load = load_test(args.load_size, args.users, args.seconds)
    text, summary = report(results, args.changes, imports, load)
    print(text)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text + "\n")
    print(f"Written to {args.out}")
    if args.readme:
        readme = ROOT / "README.md"
        before, rest = readme.read_text().split(README_START, 1)
        _old, after = rest.split(README_END, 1)
        readme.write_text(f"{before}{README_START}\n{summary}\n{README_END}{after}")
        print(f"Summary written into {readme}")
    failed = load is not None and (
        load["errors"] or load.get("stale_after_import") or load.get("import_error")
    )
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
