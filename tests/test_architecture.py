"""The package's layering: imports only point down, no cycles, and wings are entered by their face."""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

PKG = Path(__file__).resolve().parents[1] / "src" / "pgraph"

# Lower numbers sit lower in the house; a module may import its own rank or below, never above.
RANKS = {
    "errors": 0, "vocab": 0, "paths": 0, "version": 0,
    "store": 1, "output": 1,
    "catalog": 2,
    "validate": 3, "graphs": 3, "stats": 3, "push": 3,
    "graph": 4,
    "report": 5, "reform": 5, "serve": 5,
    "cli": 6, "__main__": 6, "__init__": 6,
}
WINGS = {p.name for p in PKG.iterdir() if (p / "__init__.py").is_file()}


def module_name(path: Path) -> str:
    parts = list(path.relative_to(PKG).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(["pgraph", *parts])


def modules() -> dict[str, Path]:
    return {module_name(p): p for p in sorted(PKG.rglob("*.py"))}


def imports_of(name: str, path: Path, known: set[str]) -> set[str]:
    """Every pgraph module this file imports, at module level or inside functions."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.split(".")[0] == "pgraph")
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[:len(base) - (node.level - 1)]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            if target.split(".")[0] != "pgraph":
                continue
            for alias in node.names:        # `from . import reform` names a module, not an attribute
                sub = f"{target}.{alias.name}"
                found.add(sub if sub in known else target)
    return found - {name}


def graph() -> dict[str, set[str]]:
    mods = modules()
    return {name: imports_of(name, path, set(mods)) for name, path in mods.items()}


def rank(name: str) -> int:
    parts = name.split(".")
    return RANKS[parts[1]] if len(parts) > 1 else RANKS["__init__"]


def wing(name: str) -> str | None:
    parts = name.split(".")
    return parts[1] if len(parts) > 1 and parts[1] in WINGS else None


def test_every_module_has_a_rank():
    unranked = sorted({n.split(".")[1] for n in modules() if "." in n} - set(RANKS))
    assert not unranked, f"give these modules a rank in RANKS: {unranked}"


def test_imports_only_point_down():
    upward = [f"{src} (rank {rank(src)}) imports {dst} (rank {rank(dst)})"
              for src, dsts in graph().items() for dst in dsts if rank(dst) > rank(src)]
    assert not upward, "\n".join(upward)


def test_other_modules_enter_a_wing_by_its_face():
    reaching = [f"{src} imports {dst}: import from pgraph.{wing(dst)} instead"
                for src, dsts in graph().items() for dst in dsts
                if wing(dst) and wing(dst) != wing(src) and dst != f"pgraph.{wing(dst)}"]
    assert not reaching, "\n".join(reaching)


def test_there_are_no_import_cycles():
    edges = graph()
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(edges.get(node, ())):
            if state.get(nxt) == 1:
                return stack[stack.index(nxt):] + [nxt]
            if nxt not in state and (cycle := visit(nxt)):
                return cycle
        state[node] = 2
        stack.pop()
        return None

    for start in sorted(edges):
        if start not in state and (cycle := visit(start)):
            pytest.fail("import cycle: " + " -> ".join(cycle))


@pytest.mark.parametrize("source, expected", [
    ("from ..graph import load\n", "upward"),
    ("from ..store.backends import EmbeddedStore\n", "face"),
])
def test_the_checks_catch_a_bad_import(tmp_path, source, expected):
    """The checks above can fail: a planted upward import and a reach past a face are both seen."""
    name = "pgraph.catalog.planted"
    path = tmp_path / "planted.py"
    path.write_text(source)
    found = imports_of(name, path, set(modules()))
    if expected == "upward":
        assert any(rank(d) > rank(name) for d in found)
    else:
        assert any(wing(d) and wing(d) != wing(name) and d != f"pgraph.{wing(d)}" for d in found)
