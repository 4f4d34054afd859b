"""What the package declares (issue 30: installs that do not rot): every package the code
imports is a declared dependency, each a range below its next major version; the lock
(requirements.lock, `make lock`) pins each within its range, with hashes, and is what this
environment runs; redis stays optional; Kaleido's private names that dashboard/exports/
uses are there in the locked version. (The built wheel itself: tests/test_wheel.py.)"""

from __future__ import annotations

import ast
import re
import subprocess
import sys
import tomllib
from importlib.metadata import PackageNotFoundError, packages_distributions, version
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

ROOT = Path(__file__).resolve().parent.parent
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
RUNTIME = [Requirement(r) for r in PROJECT["dependencies"]]
EXTRAS = {
    name: [Requirement(r) for r in reqs] for name, reqs in PROJECT["optional-dependencies"].items()
}
LOCK_TEXT = (ROOT / "requirements.lock").read_text()
LOCKED = {
    canonicalize_name(name): Version(v)
    for name, v in re.findall(r"^([A-Za-z0-9._-]+)==(\S+)", LOCK_TEXT, re.MULTILINE)
}


def imported_modules(folder: Path) -> dict[str, bool]:
    """The top-level modules that the code in `folder` imports, other than the standard
    library and its own: name -> imported at a module's top level (not inside a function)."""
    found: dict[str, bool] = {}
    for path in folder.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        top_level = {id(node) for node in tree.body}
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            else:
                continue
            for name in names:
                top = name.split(".")[0]
                if top in sys.stdlib_module_names or top in ("dashboard", "__future__"):
                    continue
                found[top] = found.get(top, False) or id(node) in top_level
    return found


def test_every_package_the_code_imports_is_declared():
    provides = packages_distributions()
    runtime = {canonicalize_name(r.name) for r in RUNTIME}
    for module, _ in sorted(imported_modules(ROOT / "dashboard").items()):
        dists = {canonicalize_name(d) for d in provides.get(module, [])}
        assert dists, f"{module}: no installed distribution provides it"
        if module == "redis":
            assert "redis" in {canonicalize_name(r.name) for r in EXTRAS["redis"]}
            continue
        assert dists & runtime, f"dashboard/ imports {module}: declare {sorted(dists)}"


def test_every_range_stops_below_the_next_major_version_of_the_locked_one():
    """An install without the lock gets no major version the tests have not run on (for
    0.x, no minor version: those may break too)."""
    for req in [*RUNTIME, *(r for reqs in EXTRAS.values() for r in reqs)]:
        name = canonicalize_name(req.name)
        if name == "vsla-dashboard":  # (the test extra's [redis])
            continue
        uppers = [Version(s.version) for s in req.specifier if s.operator == "<"]
        assert len(uppers) == 1, f"{req}: one upper bound"
        locked, high = LOCKED[name], uppers[0]
        if locked.major == 0:
            assert (high.major, high.minor) <= (0, locked.minor + 1), req
        else:
            assert high.major <= locked.major + 1, req


def test_the_lock_pins_every_declared_package_within_its_range_with_hashes():
    for req in [*RUNTIME, *(r for reqs in EXTRAS.values() for r in reqs)]:
        name = canonicalize_name(req.name)
        if name == "vsla-dashboard":
            continue
        assert name in LOCKED, f"{req.name} is not in requirements.lock: run make lock"
        assert req.specifier.contains(LOCKED[name], prereleases=True), (
            f"requirements.lock has {req.name} {LOCKED[name]}, outside {req.specifier}: "
            "run make lock"
        )
    # each pinned package with at least one sha256 of its files (pip --require-hashes)
    blocks = re.split(r"\n(?=[A-Za-z0-9])", LOCK_TEXT.split("\n", 1)[1])
    pinned = [b for b in blocks if "==" in b.split("\n", 1)[0]]
    assert len(pinned) == len(LOCKED)
    for block in pinned:
        assert re.search(r"--hash=sha256:[0-9a-f]{64}", block), block.split("\n", 1)[0]
    assert "-e " not in LOCK_TEXT and "vsla-dashboard" not in LOCKED  # the project: --no-deps


def test_this_environment_runs_the_locked_versions():
    """make installs the lock whenever it changes; a different version here means a stale
    environment (run make) or a lock not made from pyproject.toml (run make lock)."""
    for name, locked in LOCKED.items():
        try:
            installed = Version(version(name))
        except PackageNotFoundError:
            raise AssertionError(f"{name} {locked} is locked but not installed: run make") from None
        assert installed == locked, f"{name}: {installed} installed, {locked} locked: run make"


def test_redis_is_imported_only_where_a_redis_is_named():
    modules = imported_modules(ROOT / "dashboard")
    assert modules.get("redis") is False  # never at a module's top level
    # without the redis package the app and the command line work; naming a Redis says what
    # to install
    script = """
import sys
sys.modules["redis"] = None  # as if not installed
from dashboard.analytics import cache
from dashboard import cli  # noqa: F401
from dashboard.web import server  # noqa: F401
cache.backend()  # no VSLA_CACHE_URL: the process's own cache
import os
os.environ["VSLA_CACHE_URL"] = "redis://127.0.0.1:9/0"
try:
    cache.backend()
except RuntimeError as exc:
    print(exc)
"""
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120, cwd=ROOT
    )
    assert done.returncode == 0, done.stderr
    assert "pip install 'vsla-dashboard[redis]'" in done.stdout


def test_the_locked_kaleido_has_the_private_names_the_code_uses():
    """dashboard/exports/ notices a dead renderer and replaces it through Kaleido's
    private sync server; pyproject.toml's range for Kaleido is where these names exist."""
    import kaleido

    chains: set[str] = set()
    for path in (ROOT / "dashboard").rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        chains |= set(re.findall(r"\bkaleido((?:\.\w+)+)", text))
        chains |= {"." + m for m in re.findall(r"from kaleido import (_\w+)", text)}
        chains |= {"._sync_server" + m for m in re.findall(r"\b_sync_server((?:\.\w+)+)", text)}
    private = {c for c in chains if "._" in c}
    assert private  # (when none is left, the range can follow Kaleido's major version)
    for chain in private:
        target = kaleido
        for name in chain.strip(".").split("."):
            assert hasattr(target, name), (
                f"kaleido{chain}: no {name} in Kaleido {version('kaleido')}"
            )
            target = getattr(target, name)
    # exports._renderer_alive reads the running server's thread
    from kaleido import _sync_server

    assert "self._thread" in Path(_sync_server.__file__).read_text()
