"""The package's import graph has no cycle (issue 18): each module's imports, at the top
and inside functions alike (an import hidden in a function is still a dependency), read
from the source, for the dashboard package and the scripts."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def modules() -> dict[str, Path]:
    found = {}
    for path in [*(ROOT / "dashboard").rglob("*.py"), *(ROOT / "scripts").glob("*.py")]:
        parts = path.relative_to(ROOT).with_suffix("").parts
        name = ".".join(parts)
        found[name.removesuffix(".__init__")] = path
    return found


def import_graph() -> dict[str, set[str]]:
    mods = modules()
    graph: dict[str, set[str]] = {name: set() for name in mods}
    for name, path in mods.items():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module is not None:
                base = node.module
                if node.level:  # relative
                    base = ".".join([*name.split(".")[: -node.level], base])
                for alias in node.names:
                    target = f"{base}.{alias.name}"
                    graph[name] |= {target} if target in mods else {base} & set(mods)
            elif isinstance(node, ast.Import):
                graph[name] |= {a.name for a in node.names} & set(mods)
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected groups of more than one module (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in graph[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                group.append(w)
                if w == v:
                    break
            if len(group) > 1 or v in graph[v]:
                found.append(sorted(group))

    for v in graph:
        if v not in index:
            visit(v)
    return found


def test_the_walk_sees_imports_inside_functions():
    graph = import_graph()
    assert "dashboard.pages.overview" in graph["dashboard.server"]
    assert "dashboard.sources" in graph["dashboard.engine"]
    assert "scripts.loadtest" in graph["scripts.bench"]


def test_no_module_imports_itself_back():
    assert cycles(import_graph()) == []


def reachable(graph: dict[str, set[str]], start: str) -> set[str]:
    seen, todo = set(), [start]
    while todo:
        name = todo.pop()
        if name not in seen:
            seen.add(name)
            todo.extend(graph[name])
    return seen


def test_the_frame_and_the_exports_stand_below_the_pages():
    """The components (frame, cards, tables) and the exports (deck, chart files, report)
    read the view model (dashboard.view), never a page module: a page may use them, not
    the other way round."""
    graph = import_graph()
    below = [m for m in graph if m.startswith("dashboard.components")]
    below += ["dashboard.deck", "dashboard.exports", "dashboard.report_document", "dashboard.view"]
    below += ["dashboard.page_model"]
    for name in below:
        pages = {m for m in reachable(graph, name) if m.startswith("dashboard.pages")}
        assert pages == set(), name


def test_importing_the_frame_loads_no_page():
    import subprocess
    import sys

    code = (
        "import sys, dashboard.components.shell; "
        "print([m for m in sys.modules if m.startswith('dashboard.pages')])"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
