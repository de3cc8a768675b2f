"""Imports run one way: errors/crs/measure/layer → io → domain → validate → report, maps → cli.

The graph is read from the source (every import statement, those inside
functions too), so a lazy import that runs back up the layers counts like any
other.  A lower layer never imports a higher one, the graph has no cycle, and
no module takes another module's private name.
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src"
PACKAGE = "suzhou_geo"

#: Each module's floor, from the ground up (a module may import its own floor or lower ones).
FLOORS: dict[str, int] = {
    "suzhou_geo.errors": 0,
    "suzhou_geo.crs": 0,
    "suzhou_geo.geometry": 0,
    "suzhou_geo.measure": 0,
    "suzhou_geo.pieces": 0,
    "suzhou_geo.layer": 0,
    "suzhou_geo.landcover": 0,
    "suzhou_geo.palette": 0,
    "suzhou_geo.io": 1,
    "suzhou_geo.boundaries": 2,
    "suzhou_geo.spatial_schemes": 2,
    "suzhou_geo.redlines": 2,
    "suzhou_geo.joint": 2,
    "suzhou_geo.raster": 2,
    "suzhou_geo.datasets": 2,
    "suzhou_geo.areas": 2,
    "suzhou_geo.validate": 3,
    "suzhou_geo.redline_use": 3,
    "suzhou_geo.report": 4,
    "suzhou_geo.maps": 4,
    "suzhou_geo.cli": 5,
}


def _modules() -> dict[str, Path]:
    out = {}
    for path in (SRC / PACKAGE).rglob("*.py"):
        parts = list(path.relative_to(SRC).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        out[".".join(parts)] = path
    return out


MODULES = _modules()


def _package_of(name: str) -> list[str]:
    parts = name.split(".")
    return parts if MODULES[name].name == "__init__.py" else parts[:-1]


def _imports(name: str) -> list[tuple[str, str, int]]:
    """Return (module imported, name taken from it or "", line) for every import in *name*'s source."""
    tree = ast.parse(MODULES[name].read_text(encoding="utf-8"))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(a.name, "", node.lineno) for a in node.names if a.name.startswith(PACKAGE)]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = _package_of(name)[: len(_package_of(name)) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            if not target.startswith(PACKAGE):
                continue
            for alias in node.names:
                sub = f"{target}.{alias.name}"
                found.append((sub, "", node.lineno) if sub in MODULES else (target, alias.name, node.lineno))
    return found


def _floor(name: str) -> int | None:
    best = None
    for prefix, floor in FLOORS.items():
        if (name == prefix or name.startswith(prefix + ".")) and (best is None or len(prefix) > len(best[0])):
            best = (prefix, floor)
    return None if best is None else best[1]


def test_every_module_has_a_floor():
    missing = [m for m in MODULES if m != PACKAGE and _floor(m) is None]
    assert not missing, f"add these modules to FLOORS: {missing}"


def test_no_import_runs_up_the_floors():
    wrong = []
    for name in MODULES:
        mine = _floor(name)
        for target, what, line in _imports(name):
            if target == PACKAGE:  # the package root: only its version
                if what != "__version__" and _floor(name) != FLOORS["suzhou_geo.cli"]:
                    wrong.append(f"{name}:{line} imports {what or 'suzhou_geo'} from the package root")
                continue
            theirs = _floor(target)
            if mine is not None and theirs is not None and theirs > mine:
                wrong.append(f"{name}:{line} imports {target} (floor {theirs} > {mine})")
    assert not wrong, "\n".join(wrong)


def _group(name: str) -> str:
    """Return the FLOORS entry a module belongs to (``suzhou_geo.io`` for ``suzhou_geo.io.reader``)."""
    return max((p for p in FLOORS if name == p or name.startswith(p + ".")), key=len, default=name)


def test_the_import_graph_has_no_cycle():
    # edges: every import, and from each submodule to its package (importing it runs the package's
    # __init__ first).  A package importing its own submodules is that package's own affair; a cycle
    # through two groups (io → validate → io) is what breaks with the order of import lines.
    graph = {m: {t for t, _, _ in _imports(m) if t in MODULES and t != m and t != PACKAGE} for m in MODULES}
    for m in MODULES:
        parent = m.rsplit(".", 1)[0]
        if parent in MODULES and parent != PACKAGE:
            graph[m].add(parent)
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    components: list[list[str]] = []

    def connect(node: str) -> None:  # Tarjan's strongly connected components
        index[node] = low[node] = len(index)
        stack.append(node)
        for nxt in sorted(graph[node]):
            if nxt not in index:
                connect(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            comp = []
            while True:
                top = stack.pop()
                comp.append(top)
                if top == node:
                    break
            components.append(comp)

    sys.setrecursionlimit(10_000)
    for m in sorted(graph):
        if m not in index:
            connect(m)
    crossing = [sorted(c) for c in components if len({_group(m) for m in c}) > 1]
    assert not crossing, f"import cycles across packages: {crossing}"


def test_no_private_name_crosses_a_module():
    wrong = []
    for name in MODULES:
        for target, what, line in _imports(name):
            if what.startswith("_") and not what.startswith("__"):
                wrong.append(f"{name}:{line} takes {target}.{what}")
            private = [p for p in target.split(".") if p.startswith("_")]
            if private and target.rsplit(".", 1)[0] != ".".join(_package_of(name)):
                wrong.append(f"{name}:{line} imports the private module {target} from outside its package")
    assert not wrong, "\n".join(wrong)


@pytest.mark.parametrize("module, banned", [
    ("suzhou_geo.io", ("suzhou_geo.validate", "suzhou_geo.report", "suzhou_geo.maps", "suzhou_geo.cli")),
    ("suzhou_geo.validate.schema", ("suzhou_geo.validate.core", "suzhou_geo.report", "suzhou_geo.maps")),
    ("suzhou_geo.redlines", ("suzhou_geo.validate", "suzhou_geo.report", "suzhou_geo.maps")),
    ("suzhou_geo.redline_use.schema", ("suzhou_geo.redline_use.occupy", "suzhou_geo.redline_use.compare",
                                       "suzhou_geo.validate", "suzhou_geo.report", "suzhou_geo.maps")),
])
def test_importing_a_floor_loads_nothing_above_it(module, banned):
    code = (f"import json, sys, {module}\n"
            "print(json.dumps(sorted(m for m in sys.modules if m.startswith('suzhou_geo'))))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    loaded = json.loads(out.stdout.strip().splitlines()[-1])
    above = [m for m in loaded if m.startswith(banned)]
    assert not above, f"import {module} loaded {above}"
