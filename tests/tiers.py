"""The tests' tiers, one marker each (registered in pyproject.toml), given at collection:

- browser: the tests in tests/browser/ (a real Chromium through ChromeDriver);
- system: the tests that start another program or process: gunicorn, Redis, nginx, Chromium
  (Kaleido's chart images, the PDF printer, ChromeDriver), LibreOffice, poppler, pip, the
  `vsla` command in a process of its own, the Import page's job processes;
- app: the tests that make the Dash app in this process (the fixtures hand_app,
  network_app, sharing_app and the like) and talk to it through Flask's test client;
- unit: the rest: functions, SQL on DuckDB files, the importer, figures as data.

A test (or its file, with `pytestmark`) may name its tier itself; otherwise it is read from
the code the test runs: its own function, its fixtures and the helpers of tests/ and
scripts/ it calls, without comments and docstrings. A unit test is held to it: starting a
program or process, making the app or drawing with Kaleido fails it (`unit_stays_alone`),
so `pytest -m unit` stays quick and alone on the machine.
"""

from __future__ import annotations

import ast
import functools
import inspect
import re
import textwrap
import types
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

TIERS = ("unit", "app", "system", "browser")
ROOT = Path(__file__).resolve().parent.parent
HELPERS = (ROOT / "tests", ROOT / "scripts")

# what starts another program or process (or asks Kaleido's Chromium to draw)
SYSTEM = re.compile(
    r"\b(?:subprocess|Popen|multiprocessing|ProcessPoolExecutor|gunicorn|redis-server|"
    r"redis_server|nginx|soffice|libreoffice|pdftoppm|chromedriver|webdriver|kaleido|"
    r"pdf_bytes|report/pdf|chart_layout|exports\.(?:image|render))\b|[\"'](?:png|svg|pdf)[\"']"
)
# what makes the app in this process
APP = re.compile(r"\b(?:create_app|_serving|test_client|Dash)\(")


def _is_helper(obj: Any) -> bool:
    try:
        path = Path(inspect.getfile(inspect.unwrap(obj))).resolve()
    except TypeError:
        return False
    return any(path.is_relative_to(folder) for folder in HELPERS)


def _is_this(function: Any) -> bool:  # (this module's guard is no test's code)
    return Path(inspect.getfile(function)).resolve() == Path(__file__).resolve()


@functools.cache
def _code(function: Any) -> tuple[str, tuple[Any, ...]]:
    """A function's code without comments and docstrings, and the helpers it names (the
    functions and classes of tests/ and scripts/ among its module's globals)."""
    function = inspect.unwrap(function)  # (a context manager's own function)
    try:
        source = textwrap.dedent(inspect.getsource(function))
    except (OSError, TypeError):
        return "", ()
    tree = ast.parse(source)
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        if (
            isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef)
            and body
            and isinstance(body[0], ast.Expr)
            and isinstance(body[0].value, ast.Constant)
            and isinstance(body[0].value.value, str)
        ):
            body[0] = ast.Pass()
    names = getattr(function, "__globals__", {})
    called: list[Any] = []
    for node in ast.walk(tree):
        found = None
        if isinstance(node, ast.Name):
            found = names.get(node.id)
        elif isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
            module = names.get(node.value.id)
            if isinstance(module, types.ModuleType) and _is_helper(module):
                found = getattr(module, node.attr, None)
        if (inspect.isfunction(found) or inspect.isclass(found)) and _is_helper(found):
            called.append(found)
    return ast.unparse(tree), tuple(called)


def _reads(start: list[Any]) -> Iterator[str]:
    """The code of the functions in `start` and of every helper they name, in turn."""
    seen: set[int] = set()
    todo = list(start)
    while todo:
        function = todo.pop()
        if id(function) in seen:
            continue
        seen.add(id(function))
        text, called = _code(function)
        yield text
        todo.extend(called)


def tier_of(item: pytest.Item) -> str:
    named = [name for name in TIERS if item.get_closest_marker(name)]
    if named:
        return named[-1]
    if Path(str(item.fspath)).parent.name == "browser":
        return "browser"
    start = [getattr(item, "function", None)]
    info = getattr(item, "_fixtureinfo", None)
    for defs in info.name2fixturedefs.values() if info else ():
        start += [d.func for d in defs if _is_helper(d.func) and not _is_this(d.func)]
    code = list(_reads([f for f in start if f is not None]))
    if any(SYSTEM.search(text) for text in code):
        return "system"
    if any(APP.search(text) for text in code):
        return "app"
    return "unit"


def mark(items: list[pytest.Item]) -> None:
    for item in items:
        tier = tier_of(item)
        if not item.get_closest_marker(tier):
            item.add_marker(getattr(pytest.mark, tier))


@pytest.fixture(autouse=True)
def unit_stays_alone(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """A unit test starts no program or process, makes no app and draws nothing with
    Kaleido: if it does, it fails, saying so (then it is of another tier: mark it)."""
    if request.node.get_closest_marker("unit") is None:
        return
    import multiprocessing.process
    import subprocess

    import dash
    import kaleido

    def refuse(what: str) -> Any:
        def refused(*args: Any, **kwargs: Any) -> Any:
            raise AssertionError(
                f"A unit test may not {what}: mark it pytest.mark.app or pytest.mark.system "
                "(tests/tiers.py)."
            )

        return refused

    # (the libraries' own entry points, wherever the dashboard's modules call them from)
    monkeypatch.setattr(subprocess.Popen, "__init__", refuse("start a program"))
    monkeypatch.setattr(multiprocessing.process.BaseProcess, "start", refuse("start a process"))
    monkeypatch.setattr(dash.Dash, "__init__", refuse("make a Dash app"))
    for name in ("start_sync_server", "calc_fig_sync"):
        monkeypatch.setattr(kaleido, name, refuse("draw with Kaleido"))
