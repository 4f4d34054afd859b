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
    assert "dashboard.web.pages.overview" in graph["dashboard.web.server"]
    assert "dashboard.core.sources" in graph["dashboard.analytics.engine"]
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
    read the view model (dashboard.views.view), never a page module: a page may use them, not
    the other way round."""
    graph = import_graph()
    below = [m for m in graph if m.startswith("dashboard.web.components")]
    below += [
        "dashboard.exports.deck",
        "dashboard.exports",
        "dashboard.exports.report.data",
        "dashboard.exports.report.document",
        "dashboard.exports.report.pdf",
        "dashboard.web.report_routes",
        "dashboard.views.view",
    ]
    below += ["dashboard.views.page_model"]
    for name in below:
        pages = {m for m in reachable(graph, name) if m.startswith("dashboard.web.pages")}
        assert pages == set(), name


def test_importing_the_frame_loads_no_page():
    import subprocess
    import sys

    code = (
        "import sys, dashboard.web.components.shell; "
        "print([m for m in sys.modules if m.startswith('dashboard.web.pages')])"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


# The package's layers, lowest first (docs/ARCHITECTURE.md): a module imports from its own
# layer and the layers below it, never from one above. `dashboard` itself (its version) is
# below them all; the `vsla` command (dashboard.cli) stands on top of them all.
LAYERS = ("core", "pool", "access", "analytics", "ingest", "views", "exports", "web", "demo")


def rank(module: str) -> int | None:
    """A dashboard module's layer, as its place in LAYERS (None: not of the package)."""
    parts = module.split(".")
    if parts[0] != "dashboard":
        return None
    if len(parts) == 1:
        return -1
    if parts[1] == "cli":
        return len(LAYERS)
    return LAYERS.index(parts[1]) if parts[1] in LAYERS else None


def against_layers(graph: dict[str, set[str]]) -> list[str]:
    wrong = []
    for source, targets in graph.items():
        here = rank(source)
        if here is None:
            continue
        for target in sorted(targets):
            there = rank(target)
            if there is not None and there > here:
                wrong.append(f"{source} imports {target}")
    return wrong


def test_every_module_sits_in_a_layer_folder():
    loose = [m for m in import_graph() if m.startswith("dashboard") and rank(m) is None]
    assert loose == []
    folders = {p.name for p in (ROOT / "dashboard").iterdir() if (p / "__init__.py").exists()}
    assert folders == set(LAYERS)


def test_no_module_imports_from_a_layer_above_its_own():
    assert against_layers(import_graph()) == []


def test_the_layer_check_catches_an_import_upwards():
    """(The check itself: the views reading the server, or the pool a page, are caught.)"""
    graph = {
        "dashboard.views.view": {"dashboard.web.server", "dashboard.core.format"},
        "dashboard.pool.db": {"dashboard.web.pages.overview"},
        "dashboard.cli": {"dashboard.web.server"},
        "dashboard.core.config": {"dashboard"},
    }
    assert against_layers(graph) == [
        "dashboard.views.view imports dashboard.web.server",
        "dashboard.pool.db imports dashboard.web.pages.overview",
    ]
