"""The package's public API, from the docstrings in runtime/ (read with `ast`, not imported, so
the page never lags the source)."""

from __future__ import annotations

import ast
from pathlib import Path

from ..project import Project


def _module_ast(path: Path) -> ast.Module:
    return ast.parse(path.read_text(encoding="utf-8"), filename=str(path))


def public_names(project: Project) -> tuple[list[str], dict[str, str]]:
    """`__all__` of the package, and the module each name is imported from."""
    tree = _module_ast(project.runtime / "__init__.py")
    names: list[str] = []
    origin: dict[str, str] = {}
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == "__all__" for t in node.targets):
            if isinstance(node.value, (ast.List, ast.Tuple)):
                names = [str(e.value) for e in node.value.elts if isinstance(e, ast.Constant)]
        if isinstance(node, ast.ImportFrom) and node.level == 1:
            for alias in node.names:
                origin[alias.asname or alias.name] = f"{node.module}:{alias.name}" if node.module else alias.name
    return names, origin


def _signature(node: ast.FunctionDef | ast.AsyncFunctionDef) -> str:
    args = ast.unparse(node.args)
    returns = f" -> {ast.unparse(node.returns)}" if node.returns else ""
    return f"{node.name}({args}){returns}"


def _first_paragraph(doc: str) -> str:
    return " ".join(doc.split("\n\n", 1)[0].split())


def _entry(name: str, node: ast.AST) -> list[str]:
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
        out = [f"### `{name}`", "", "```python", f"def {_signature(node).replace(node.name, name, 1)}", "```", ""]
        out += [ast.get_docstring(node) or "", ""]
        return out
    if isinstance(node, ast.ClassDef):
        bases = ", ".join(ast.unparse(b) for b in node.bases)
        out = [f"### `{name}`", "", "```python", f"class {name}({bases})" if bases else f"class {name}", "```", ""]
        out += [ast.get_docstring(node) or "", ""]
        for item in node.body:
            if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef)) and not item.name.startswith("_") and ast.get_docstring(item):
                out += [f"- `{_signature(item)}`: {_first_paragraph(ast.get_docstring(item) or '')}"]
        return out + [""]
    return [f"### `{name}`", "", "A value, documented with its module.", ""]


def render(project: Project, notice: str) -> str:
    names, origin = public_names(project)
    module_doc = ast.get_docstring(_module_ast(project.runtime / "__init__.py")) or ""
    out = [notice, "# Package API", "", "`multi_workflow_telemetry`, as services import it.", "", module_doc, ""]
    for name in names:
        where = origin.get(name, "")
        module, _, original = where.partition(":")
        path = project.runtime / f"{module}.py"
        if not original or not path.is_file():
            if name == "v1" or where == "v1":
                out += [f"### `{name}`", "", "The major-version module: `from multi_workflow_telemetry.v1 import parse, validate, PlanCreated`",
                        "keeps a service on major 1 of every event (generated from `schemas/` by `contracts generate`).", ""]
            continue
        tree = _module_ast(path)
        node = next((n for n in tree.body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and n.name == original), None)
        if node is None:
            out += [f"### `{name}`", "", f"Defined in `runtime/multi_workflow_telemetry/{module}.py`.", ""]
            continue
        out += _entry(name, node)
    return "\n".join(out).rstrip("\n") + "\n"
