"""The house's layers (LAYERS.md): imports run downward only and form no circle; and the
tests reach the package's public names only.

The import graph is built from the source (``ast``), not by importing: every ``import`` and
``from … import`` of ``taizhang/`` and of the faces beside it (``macros/``, ``udfs/``,
``addin/``), at module level or inside a function.  An import under ``if TYPE_CHECKING:`` is
for the type checker only: it has no effect at run time, so it forms no circle, but it still
may not point upward.

A handful of exceptions are allowed, each with its reason; anything else fails, naming the
modules.
"""

from __future__ import annotations

import ast
from pathlib import Path

import taizhang

ROOT = Path(taizhang.__file__).resolve().parent.parent
FACES = ("macros", "udfs", "addin")

#: (layer, module prefixes), the lowest first; the longest matching prefix decides.
#: The registry of kinds (``taizhang.kinds``, its ``base`` and ``common``) is layer 1; a kind's
#: own module holds its rules and figures beside its row type, so it sits with the rules
#: (layer 3), with ``taizhang.sanctions`` (the measures' categories and forms, used by the
#: sanctions kind alone).  The registry imports the built-in kinds by name on first use.
LAYERS: tuple[tuple[int, tuple[str, ...]], ...] = (
    (0, ("taizhang.values", "taizhang.findings", "taizhang.errors", "taizhang.logs", "taizhang.workers",
         "taizhang.forkpool", "taizhang.bytecache", "taizhang.records")),
    (1, ("taizhang.model", "taizhang.validation", "taizhang.kinds", "taizhang.kinds.base", "taizhang.kinds.common",
         "taizhang.config", "taizhang.roles", "taizhang.data", "taizhang.privacy")),
    (2, ("taizhang.reading",)),
    (3, ("taizhang.checks", "taizhang.figures", "taizhang.ranges", "taizhang.kinds.activities",
         "taizhang.kinds.complaints", "taizhang.kinds.rectification", "taizhang.kinds.refunds",
         "taizhang.kinds.sanctions", "taizhang.sanctions")),
    (4, ("taizhang.summary", "taizhang.report", "taizhang.consolidation", "taizhang.findings_sheet",
         "taizhang.printing", "taizhang.writing", "taizhang.outputs", "taizhang.schemas")),
    (5, ("taizhang.usecases",)),
    (6, ("taizhang.cli", "taizhang.serve", "taizhang.__main__", "taizhang.entry", "taizhang.api", *FACES)),
)
#: Modules that are their prefix alone (the package itself: its ``__init__``).
EXACT = {"taizhang": 6}

#: Import circles allowed, each a set of modules, with why.
ALLOWED_CIRCLES: dict[frozenset[str], str] = {}

#: Upward imports allowed (importer, imported), with why.
ALLOWED_UPWARD: dict[tuple[str, str], str] = {}


def _modules() -> dict[str, Path]:
    mods: dict[str, Path] = {}
    for top in ("taizhang", *FACES):
        for path in (ROOT / top).rglob("*.py"):
            parts = path.relative_to(ROOT).with_suffix("").parts
            if parts[-1] == "__init__":
                parts = parts[:-1]
            mods[".".join(parts)] = path
    return mods


def _type_checking_nodes(tree: ast.Module) -> set[int]:
    ids: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            for stmt in node.body:
                ids.update(id(n) for n in ast.walk(stmt))
    return ids


def _targets(node: ast.Import | ast.ImportFrom, module: str, path: Path, mods: dict[str, Path]) -> list[str]:
    if isinstance(node, ast.Import):
        names = [a.name for a in node.names]
    else:
        if node.level:
            base = module.split(".") if path.name == "__init__.py" else module.split(".")[:-1]
            base = base[:len(base) - (node.level - 1)]
            target = ".".join(base + ([node.module] if node.module else []))
        else:
            target = node.module or ""
        names = [f"{target}.{a.name}" if f"{target}.{a.name}" in mods else target for a in node.names]
    out = []
    for name in names:
        while name and name not in mods:
            name = name.rpartition(".")[0]
        if name and name != module:
            out.append(name)
    return out


def import_graph() -> tuple[dict[str, Path], dict[tuple[str, str], str]]:
    """The modules, and each import edge with how it is made: ``top`` (module level), ``func``
    (inside a function or class body) or ``type`` (under ``if TYPE_CHECKING:``)."""
    mods = _modules()
    rank = {"type": 0, "func": 1, "top": 2}
    edges: dict[tuple[str, str], str] = {}
    for module, path in mods.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        top = {id(n) for n in tree.body}
        typed = _type_checking_nodes(tree)
        for node in ast.walk(tree):
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                how = "type" if id(node) in typed else "top" if id(node) in top else "func"
                for target in _targets(node, module, path, mods):
                    if rank[how] > rank.get(edges.get((module, target), ""), -1):
                        edges[(module, target)] = how
    return mods, edges


def layer(module: str) -> int:
    if module in EXACT:
        return EXACT[module]
    best, found = -1, -1
    for level, prefixes in LAYERS:
        for prefix in prefixes:
            if (module == prefix or module.startswith(prefix + ".")) and len(prefix) > best:
                best, found = len(prefix), level
    return found


def circles(mods: dict[str, Path], edges: dict[tuple[str, str], str]) -> list[frozenset[str]]:
    """The strongly connected components of more than one module (Tarjan), over the imports
    that run (type-only ones left out)."""
    adj: dict[str, list[str]] = {m: [] for m in mods}
    for (a, b), how in edges.items():
        if how != "type":
            adj[a].append(b)
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    out: list[frozenset[str]] = []
    counter = 0
    for root in mods:
        if root in index:
            continue
        work = [(root, iter(adj[root]))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on.add(root)
        while work:
            v, it = work[-1]
            w = next(it, None)
            if w is not None:
                if w not in index:
                    index[w] = low[w] = counter
                    counter += 1
                    stack.append(w)
                    on.add(w)
                    work.append((w, iter(adj[w])))
                elif w in on:
                    low[v] = min(low[v], index[w])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[v])
            if low[v] == index[v]:
                comp = set()
                while True:
                    w = stack.pop()
                    on.discard(w)
                    comp.add(w)
                    if w == v:
                        break
                if len(comp) > 1:
                    out.append(frozenset(comp))
    return out


def test_every_module_has_a_layer():
    mods, _ = import_graph()
    assert [m for m in mods if layer(m) < 0] == []


def test_no_import_circle_but_the_allowed_ones():
    mods, edges = import_graph()
    found = circles(mods, edges)
    unexpected = [sorted(c) for c in found if c not in ALLOWED_CIRCLES]
    assert unexpected == [], f"import circles: {unexpected}"


def test_no_upward_import_but_the_allowed_ones():
    _, edges = import_graph()
    upward = sorted(f"{a} (layer {layer(a)}) -> {b} (layer {layer(b)}) [{how}]" for (a, b), how in edges.items()
                    if layer(b) > layer(a) and (a, b) not in ALLOWED_UPWARD)
    assert upward == [], "imports from a lower layer up:\n" + "\n".join(upward)


def test_errors_imports_nothing_of_the_package():
    _, edges = import_graph()
    assert [b for (a, b) in edges if a == "taizhang.errors"] == []


def test_the_graph_sees_what_python_sees():
    """The checker itself: an edge each way of a circle, a function-level import, a relative
    import and a type-only import, on a small package written for the purpose."""
    mods = {"p": Path("p/__init__.py"), "p.a": Path("p/a.py"), "p.b": Path("p/b.py"), "p.c": Path("p/c.py")}
    sources = {
        "p.a": "from p import b\n",
        "p.b": "def f():\n    from . import a\n",
        "p.c": "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from p.a import x\n",
    }
    edges: dict[tuple[str, str], str] = {}
    for module, text in sources.items():
        tree = ast.parse(text)
        top = {id(n) for n in tree.body}
        typed = _type_checking_nodes(tree)
        for node in ast.walk(tree):
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                how = "type" if id(node) in typed else "top" if id(node) in top else "func"
                for target in _targets(node, module, mods[module], mods):
                    edges[(module, target)] = how
    assert edges == {("p.a", "p.b"): "top", ("p.b", "p.a"): "func", ("p.c", "p.a"): "type"}
    assert circles(mods, edges) == [frozenset({"p.a", "p.b"})]


def private_uses(source: str, mods: dict[str, Path]) -> list[str]:
    """The private names (``_x``, not dunders) of the package's modules a test module reaches:
    imported by name, or read as an attribute of a module it imported."""
    def private(name: str) -> bool:
        return name.startswith("_") and not name.startswith("__")

    tree = ast.parse(source)
    modules: set[str] = set()  # local names bound to a module of the package
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and not node.level and node.module and node.module.split(".")[0] in (
                "taizhang", *FACES):
            for a in node.names:
                if private(a.name):
                    found.append(f"{node.module}.{a.name}")
                elif f"{node.module}.{a.name}" in mods:
                    modules.add(a.asname or a.name)
        elif isinstance(node, ast.Import):
            for a in node.names:
                if a.name.split(".")[0] in ("taizhang", *FACES):
                    modules.add(a.asname or a.name.split(".")[0])
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and private(node.attr):
            base = node.value
            while isinstance(base, ast.Attribute):
                base = base.value
            if isinstance(base, ast.Name) and base.id in modules:
                found.append(f"{ast.unparse(node.value)}.{node.attr}")
    return found


def test_tests_reach_public_names_only():
    mods = _modules()
    used = {path.name: private_uses(path.read_text(encoding="utf-8"), mods)
            for path in sorted((ROOT / "tests").glob("*.py"))}
    assert {name: uses for name, uses in used.items() if uses} == {}


def test_the_private_name_check_sees_both_ways_of_reaching_one():
    mods = {"taizhang.reading.extent": Path("extent.py")}
    source = ("from taizhang.reading.extent import _scan, extent_bound\n"
              "from taizhang.reading import extent\n"
              "import taizhang.reading.extent as ex\n"
              "extent._tags(b''); ex._VECTOR_BYTES; extent.__name__; extent_bound(b'')\n")
    assert sorted(private_uses(source, mods)) == ["ex._VECTOR_BYTES", "extent._tags", "taizhang.reading.extent._scan"]
