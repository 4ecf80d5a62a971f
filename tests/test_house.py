"""The house, read from the source tree: the layout and the direction of imports that issue #12 set.

These tests parse the code (`ast`, `tokenize`); they import none of it. Each failure lists every offending
file, line or function, so the message is the to-do list.
"""

from __future__ import annotations

import ast
import io
import tokenize
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
OURS = ("flows", "cellule", "models", "notifications")
PHASES = ("kit", "intake", "prepare", "surround", "exit_on_top", "quorum", "reviews", "postmortem", "drill")
MODULE_LINES = 400
FUNCTION_LINES = 60
# What each package may not import: cellule → flows → (models, notifications); notifications may read
# models; models imports none of ours.
FORBIDDEN = {
    "models": ("flows", "cellule", "notifications"),
    "notifications": ("flows", "cellule"),
    "flows": ("cellule",),
}


@dataclass(frozen=True)
class Import:
    source: str  # the importing module
    target: str  # one of our modules (a package means its __init__)
    path: Path
    line: int

    def __str__(self) -> str:
        return f"{self.path.relative_to(ROOT)}:{self.line} imports {self.target}"


def module_files() -> dict[str, Path]:
    """Every module of our packages, by dotted name (a package by its own name, for its __init__)."""
    modules = {}
    for package in OURS:
        for path in sorted((ROOT / package).rglob("*.py")):
            parts = list(path.relative_to(ROOT).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            modules[".".join(parts)] = path
    return modules


MODULES = module_files()


def imported_module(name: str) -> str | None:
    """The module of ours that importing `name` (a module, or a name in a module) reads, if any."""
    while name and name not in MODULES:
        name = name.rpartition(".")[0]
    return name or None


def imports_of(module: str, path: Path) -> Iterator[Import]:
    """Every import of ours in a module: at the top, under TYPE_CHECKING, and inside functions alike."""
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                base = ".".join([*anchor, base] if base else anchor)
            # `from pkg import sub` reads pkg.sub when it is a module, else a name of pkg's __init__
            names = [f"{base}.{alias.name}" for alias in node.names]
        else:
            continue
        for name in names:
            target = imported_module(name)
            if target is not None and target != module:
                yield Import(module, target, path, node.lineno)


IMPORTS = [found for module, path in MODULES.items() for found in imports_of(module, path)]


def cycles() -> list[str]:
    """One cycle for each group of modules that import one another (strongly connected), shortest first."""
    graph: dict[str, set[str]] = {module: set() for module in MODULES}
    for found in IMPORTS:
        graph[found.source].add(found.target)
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    groups: list[set[str]] = []

    def visit(module: str) -> None:  # Tarjan's algorithm
        index[module] = low[module] = len(index)
        stack.append(module)
        for target in sorted(graph[module]):
            if target not in index:
                visit(target)
                low[module] = min(low[module], low[target])
            elif target in stack:
                low[module] = min(low[module], index[target])
        if low[module] == index[module]:
            group = set()
            while True:
                member = stack.pop()
                group.add(member)
                if member == module:
                    break
            if len(group) > 1:
                groups.append(group)

    for module in sorted(graph):
        if module not in index:
            visit(module)
    return sorted(
        (
            " → ".join(shortest_cycle(graph, group))
            + f"  (a group of {len(group)}: {', '.join(sorted(group))})"
            for group in groups
        ),
        key=len,
    )


def shortest_cycle(graph: dict[str, set[str]], group: set[str]) -> list[str]:
    """The shortest way around a strongly connected group, from its first module back to it."""
    start = min(group)
    paths = {start: [start]}
    frontier = [start]
    while frontier:
        following = []
        for module in frontier:
            for target in sorted(graph[module] & group):
                if target == start:
                    return [*paths[module], start]
                if target not in paths:
                    paths[target] = [*paths[module], target]
                    following.append(target)
        frontier = following
    raise AssertionError(f"{start} is in no cycle")


def relative(path: Path) -> str:
    return str(path.relative_to(ROOT))


def test_no_query_in_a_front_door() -> None:
    """A command or a web page calls flows/ and prints: the queries live behind it."""
    found = []
    for door in ("cellule/commands", "cellule/web"):
        for path in sorted((ROOT / door).rglob("*.py")):
            text = path.read_text(encoding="utf-8")
            tokens = list(tokenize.generate_tokens(io.StringIO(text).readline))
            for token, following in zip(tokens, tokens[1:], strict=False):
                if token.type == tokenize.NAME and token.string == "select" and following.string == "(":
                    found.append(f"{relative(path)}:{token.start[0]}: {token.line.strip()}")
    assert not found, f"select( in a front door ({len(found)}):\n" + "\n".join(found)


def test_no_import_cycle_among_our_modules() -> None:
    """Counting imports under TYPE_CHECKING and inside functions: a cycle there is a cycle of ideas."""
    found = cycles()
    assert not found, f"import cycles ({len(found)}):\n" + "\n".join(found)


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_imports_point_one_way(package: str) -> None:
    """cellule → flows → (models, notifications); notifications reads models; models imports none of ours."""
    found = [
        str(i)
        for i in IMPORTS
        if i.source.split(".")[0] == package and i.target.split(".")[0] in FORBIDDEN[package]
    ]
    forbidden = ", ".join(FORBIDDEN[package])
    assert not found, f"{package} imports {forbidden} ({len(found)}):\n" + "\n".join(found)


def test_no_module_in_flows_is_over_400_lines() -> None:
    found = [
        f"{relative(path)}: {lines} lines"
        for path in sorted((ROOT / "flows").rglob("*.py"))
        if (lines := len(path.read_text(encoding="utf-8").splitlines())) > MODULE_LINES
    ]
    assert not found, f"modules over {MODULE_LINES} lines ({len(found)}):\n" + "\n".join(found)


def test_no_function_in_flows_is_over_60_lines() -> None:
    found = []
    for path in sorted((ROOT / "flows").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                lines = (node.end_lineno or node.lineno) - node.lineno + 1
                if lines > FUNCTION_LINES:
                    found.append(f"{relative(path)}:{node.lineno} {node.name}(): {lines} lines")
    assert not found, f"functions over {FUNCTION_LINES} lines ({len(found)}):\n" + "\n".join(found)


def test_each_phase_is_a_package_that_says_what_it_is() -> None:
    """`ls flows/` shows the protocol; each phase's __init__ says, first, what the phase does."""
    found = []
    for phase in PHASES:
        init = ROOT / "flows" / phase / "__init__.py"
        if not init.is_file():
            found.append(f"flows/{phase}/__init__.py: missing")
        elif not ast.get_docstring(ast.parse(init.read_text(encoding="utf-8"))):
            found.append(f"flows/{phase}/__init__.py: no docstring")
    assert not found, f"phase packages ({len(found)}):\n" + "\n".join(found)


def test_the_house_is_read_from_the_real_tree() -> None:
    """The checks above would pass on an empty tree: make sure they read this one."""
    assert {"flows.crisis", "flows.runtime", "cellule.commands", "models", "notifications"} <= set(MODULES)
    assert any(i.source == "flows.crisis" and i.target.startswith("flows.") for i in IMPORTS)
    assert any(i.source.startswith("cellule.commands") and i.target.startswith("flows") for i in IMPORTS)
