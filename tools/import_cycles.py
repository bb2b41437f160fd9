"""Import cycles between flyweight's modules, counting imports inside functions.

import-linter checks the direction between layers but reads only what a module imports; an import
written inside a function to break a cycle hides the cycle from it. This script reads every module
under ``src/flyweight`` with ``ast``, takes every ``import`` and ``from … import`` wherever it is written
(module level, functions, ``TYPE_CHECKING`` blocks excluded: they never run), resolves them to flyweight
modules, and prints each strongly connected component of more than one module.

Usage::

    python tools/import_cycles.py            # list the cycles; exit 1 if there is any
    python tools/import_cycles.py --count    # print only the numbers
"""

from __future__ import annotations

import argparse
import ast
import sys
from collections.abc import Iterator
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src"
ROOT = "flyweight"


def modules(src: Path = SRC) -> dict[str, Path]:
    """Every module of the package by dotted name (a package is its ``__init__``)."""
    found: dict[str, Path] = {}
    for path in sorted((src / ROOT).rglob("*.py")):
        parts = list(path.relative_to(src).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        found[".".join(parts)] = path
    return found


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _imports(tree: ast.AST) -> Iterator[tuple[ast.Import | ast.ImportFrom, bool]]:
    """Every import statement that can run, with whether it is inside a function."""

    def walk(node: ast.AST, in_function: bool) -> Iterator[tuple[ast.Import | ast.ImportFrom, bool]]:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and _is_type_checking(child):
                for other in child.orelse:
                    yield from walk(other, in_function)
                continue
            if isinstance(child, (ast.Import, ast.ImportFrom)):
                yield child, in_function
            inner = in_function or isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda))
            yield from walk(child, inner)

    yield from walk(tree, False)


def _resolve(name: str, known: dict[str, Path]) -> str | None:
    """The flyweight module ``name`` lands in (a name imported from a package may be a submodule)."""
    while name:
        if name in known:
            return name
        name = name.rpartition(".")[0]
    return None


def graph(known: dict[str, Path]) -> tuple[dict[str, set[str]], int]:
    """Edges module → imported modules, and how many of the edges are written only inside functions."""
    edges: dict[str, set[str]] = {m: set() for m in known}
    top: dict[str, set[str]] = {m: set() for m in known}
    for module, path in known.items():
        package = module if path.name == "__init__.py" else module.rpartition(".")[0]
        for node, in_function in _imports(ast.parse(path.read_text(), str(path))):
            targets: list[str] = []
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            else:
                base = node.module or ""
                if node.level:
                    anchor = package.split(".")
                    anchor = anchor[: len(anchor) - (node.level - 1)]
                    base = ".".join([*anchor, base] if base else anchor)
                targets = [f"{base}.{alias.name}" for alias in node.names] or [base]
            for target in targets:
                if not target.startswith(ROOT):
                    continue
                resolved = _resolve(target, known)
                if resolved is None or resolved == module:
                    continue
                edges[module].add(resolved)
                if not in_function:
                    top[module].add(resolved)
    deferred = sum(len(edges[m] - top[m]) for m in known)
    return edges, deferred


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan's algorithm, iteratively)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = 0
    for start in sorted(edges):
        if start in index:
            continue
        work = [(start, iter(sorted(edges[start])))]
        index[start] = low[start] = counter
        counter += 1
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(edges[child]))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return sorted(found, key=lambda c: (-len(c), c))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", action="store_true", help="print only the numbers")
    args = parser.parse_args(argv)
    known = modules()
    edges, deferred = graph(known)
    found = cycles(edges)
    in_cycles = sum(len(c) for c in found)
    print(
        f"{len(known)} modules, {sum(len(e) for e in edges.values())} imports between them "
        f"({deferred} only inside functions); {len(found)} cycles holding {in_cycles} modules"
    )
    if not args.count:
        for component in found:
            print(f"\ncycle of {len(component)}:")
            for member in component:
                inside = sorted(edges[member] & set(component))
                print(f"  {member} -> {', '.join(inside)}")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
