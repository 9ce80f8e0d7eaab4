"""The import graph of the ``sim`` package, read with ``ast`` (nothing is imported): edges for
module-level imports and for imports inside functions, not for ``if TYPE_CHECKING:`` blocks
(never run). Used by ``tests/test_import_graph.py``."""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Import:
    module: str  # the importing module
    target: str  # the imported module (a module of the package, or any other)
    line: int
    local: bool  # inside a function
    text: str  # the source line


def module_name(path: Path, root: Path = ROOT) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def _is_type_checking(node: ast.If) -> bool:
    t = node.test
    return (isinstance(t, ast.Name) and t.id == "TYPE_CHECKING") or (
        isinstance(t, ast.Attribute) and t.attr == "TYPE_CHECKING")


def _walk(node: ast.AST, in_function: bool):
    for child in ast.iter_child_nodes(node):
        if isinstance(child, ast.If) and _is_type_checking(child):
            for other in child.orelse:
                yield from _walk(other, in_function)
            continue
        local = in_function or isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef
                                          | ast.Lambda)
        if isinstance(child, ast.Import | ast.ImportFrom):
            yield child, in_function
        yield from _walk(child, local)


def imports(package: str = "sim", root: Path = ROOT) -> list[Import]:
    files = sorted((root / package).rglob("*.py"))
    known = {module_name(p, root) for p in files}
    out = []
    for path in files:
        name = module_name(path, root)
        is_package = path.name == "__init__.py"
        lines = path.read_text(encoding="utf-8").splitlines()
        tree = ast.parse("\n".join(lines), str(path))
        for node, local in _walk(tree, False):
            text = " ".join(lines[node.lineno - 1:node.end_lineno or node.lineno])
            targets: list[str] = []
            if isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            else:
                base = node.module or ""
                if node.level:  # relative: from the importing module's package
                    pkg = name.split(".") if is_package else name.split(".")[:-1]
                    pkg = pkg[:len(pkg) - node.level + 1]
                    base = ".".join([*pkg, base] if base else pkg)
                # `from a.b import c` imports a.b.c when c is a module, else a.b.
                targets = [f"{base}.{a.name}" if f"{base}.{a.name}" in known else base
                           for a in node.names]
            for target in dict.fromkeys(targets):
                out.append(Import(name, target, node.lineno, local, text))
    return out


def graph(package: str = "sim", root: Path = ROOT) -> dict[str, set[str]]:
    """Module → the package's modules it imports (importing ``a.b.c`` runs ``a`` and ``a.b``
    first, so those are edges too)."""
    found = imports(package, root)
    known = {module_name(p, root) for p in (root / package).rglob("*.py")}
    edges: dict[str, set[str]] = {m: set() for m in known}
    for imp in found:
        parts = imp.target.split(".")
        for k in range(1, len(parts) + 1):
            target = ".".join(parts[:k])
            if target in known and target != imp.module \
                    and not imp.module.startswith(target + "."):
                edges[imp.module].add(target)
    return edges


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    out: list[list[str]] = []
    counter = [0]

    def visit(v: str) -> None:
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on_stack.add(v)
        for w in sorted(edges.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    for v in sorted(edges):
        if v not in index:
            visit(v)
    return out
