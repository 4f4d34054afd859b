"""The built wheel runs on its own (issue 30). It carries the package, its catalogs and the
files the code reads beside itself (queries/, assets/ and data/network.toml, which stay at
the top of the repository and are copied into dashboard/_files/ by setup.py), never a pool
or a user store; installed into a fresh virtual environment, far from the checkout, its
`vsla demo` and `vsla indicators` work from the wheel's own copy of the package and files.

To stay offline and quick, the wheel is built with the lock's setuptools (no build
isolation) and the fresh environment reaches the dependencies already installed through a
.pth file naming this environment's site-packages: a .pth line only adds a folder to the
path, so the editable install's own .pth and finder in that folder are not processed, and
the test checks that the `dashboard` imported is the wheel's."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
GROUPS = 60  # a small demo pool: 40 projects of the demo's 8 organisations, 60 groups

# what a checkout may hold that is no input of the build
NOT_SOURCES = shutil.ignore_patterns(
    ".git",
    ".venv",
    "build",
    "dist",
    "*.egg-info",
    "__pycache__",
    ".*_cache",
    ".hypothesis",
    ".cache",
    ".bench",
    "test-output",
    "*.duckdb",
    "*.duckdb.wal",
    "*.sqlite",
    "*.sqlite-journal",
)


def run(command: list[str], **kwargs) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(command, capture_output=True, text=True, timeout=600, **kwargs)
    assert done.returncode == 0, f"{command}\n{done.stdout}\n{done.stderr}"
    return done


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """The wheel, built from a copy of the checkout's sources (a build in the checkout
    itself would reuse build/lib, where files deleted since an earlier build linger), and
    pip's output."""
    work = tmp_path_factory.mktemp("wheel")
    source = work / "source"
    shutil.copytree(ROOT, source, ignore=NOT_SOURCES)
    out = work / "dist"
    done = run(
        [
            *(sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation"),
            *("--no-index", "--wheel-dir", str(out), str(source)),
        ]
    )
    (wheel,) = out.glob("vsla_dashboard-*.whl")
    return wheel, done.stdout + done.stderr


def test_the_wheel_holds_the_package_its_catalogs_and_files_and_no_data(built):
    wheel, output = built
    assert "absent from the `packages` configuration" not in output  # setuptools finds all
    names = set(zipfile.ZipFile(wheel).namelist())
    for needed in (
        "dashboard/ingest/read.py",
        "dashboard/web/pages/overview.py",
        "dashboard/web/components/shell.py",
        "dashboard/locale/da/LC_MESSAGES/messages.po",
        "dashboard/locale/fr/LC_MESSAGES/messages.po",
        "dashboard/_files/data/network.toml",
        "dashboard/templates/report.html",  # (the report and the sign-in page: templating.py)
        "dashboard/templates/report.css",
        "dashboard/templates/login.html",
        "dashboard/templates/trainer_annex.html",
        "dashboard/templates/not_found.html",
    ):
        assert needed in names, needed
    files = "dashboard/_files/"
    queries = {n.removeprefix(files) for n in names if n.startswith(files + "queries/")}
    assert queries == {f"queries/{p.name}" for p in (ROOT / "queries").glob("*.sql")}
    assets = {n.removeprefix(files) for n in names if n.startswith(files + "assets/")}
    in_repository = {
        p.relative_to(ROOT).as_posix() for p in (ROOT / "assets").rglob("*") if p.is_file()
    }
    assert assets == in_repository
    assert "assets/05_plotly-partial.min.js" in assets
    assert {n for n in names if n.startswith(files + "data/")} == {files + "data/network.toml"}
    assert not [n for n in names if n.endswith((".duckdb", ".wal", ".sqlite"))]
    # nothing of the checkout beside the package (tests, scripts, the pools' folder)
    tops = {n.split("/")[0] for n in names}
    assert tops == {"dashboard", "vsla_dashboard-0.1.0.dist-info"}


def test_the_installed_wheel_builds_a_demo_pool_and_computes_its_indicators(built, tmp_path):
    from dashboard.access.policy import ADMIN
    from dashboard.access.viewer import acting_as
    from dashboard.analytics.engine import compute, latest_report_date
    from dashboard.core.filters import Filters
    from dashboard.pool.files import open_pool

    wheel, _ = built
    venv = tmp_path / "venv"
    run([sys.executable, "-m", "venv", "--without-pip", str(venv)])
    python = venv / "bin" / "python"
    run(
        [
            *(sys.executable, "-m", "pip", "--python", str(python), "install", "--no-deps"),
            *("--no-index", "--quiet", str(wheel)),
        ]
    )
    site = Path(
        run(
            [str(python), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"]
        ).stdout.strip()
    )
    # the dependencies: this environment's site-packages, as a folder on the path only
    (site / "dependencies.pth").write_text(sysconfig.get_path("purelib") + "\n")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("VSLA_", "PYTHON", "VIRTUAL"))}
    env["HOME"] = str(tmp_path)
    where = tmp_path / "elsewhere"
    where.mkdir()

    # the package and its files are the wheel's, in the fresh environment
    probe = (
        "import json, dashboard, dashboard.core.config as c, dashboard.pool.sqlfiles as s, "
        "dashboard.core.network as n; print(json.dumps([dashboard.__file__, str(c.FILES_ROOT), "
        "str(s.QUERY_DIR), str(n.config_path()), str(c.DEFAULT_DB)]))"
    )
    package, files, queries, network, default_db = json.loads(
        run([str(python), "-c", probe], cwd=where, env=env).stdout
    )
    for path in (package, files, queries, network):
        assert Path(path).is_relative_to(venv), path
    assert Path(network).is_file()
    assert default_db == "data/pool.duckdb"  # the current folder's, not the package's

    pool = tmp_path / "pool.duckdb"
    vsla = str(venv / "bin" / "vsla")
    demo = run([vsla, "demo", "--groups", str(GROUPS), "--db", str(pool)], cwd=where, env=env)
    assert f"(seed 1, {GROUPS} groups)" in demo.stdout
    shown = json.loads(run([vsla, "indicators", "--db", str(pool)], cwd=where, env=env).stdout)

    # the same numbers as the checkout's engine computes from that pool
    con = open_pool(pool)
    try:
        assert con.execute("SELECT count(*) FROM groups").fetchone()[0] == GROUPS
        filters = Filters().with_as_of(latest_report_date(con))
        with acting_as(ADMIN):  # as the command line does
            (expected,) = compute(con, filters, None, network=True)
    finally:
        con.close()
    assert 0 < shown["groups"] <= GROUPS
    assert shown["organisations"] == 8
    for key in ("groups", "members", "savings_usd", "pct_women", "portfolio_at_risk"):
        assert shown[key] == pytest.approx(expected[key]), key
    # the network's own indicators: data/network.toml was found in the wheel
    own = [k for k in shown if k.startswith("ndf_")]
    assert own and all(shown[k] == pytest.approx(expected[k]) for k in own)

    # the app serves its assets from the wheel's copy
    serve = (
        "import dashboard.web.server as s; c = s.create_app().server.test_client(); "
        "r = c.get('/assets/05_plotly-partial.min.js'); print(r.status_code, len(r.data))"
    )
    env.update(VSLA_DB=str(pool), VSLA_SECRET_KEY="k" * 40, VSLA_USERS=str(tmp_path / "u.sqlite"))
    status, size = run([str(python), "-c", serve], cwd=where, env=env).stdout.split()
    plain = (ROOT / "assets" / "05_plotly-partial.min.js").stat().st_size
    assert (status, int(size)) == ("200", plain)
