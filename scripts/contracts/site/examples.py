"""The golden examples of an event version, in tabs: the JSON, and the same event built with
the Python package (`parse`, and for an invalid example the violations it raises)."""

from __future__ import annotations

import json
import textwrap
from collections.abc import Callable
from typing import Any

from multi_workflow_telemetry.fixtures import Fixture

PYTHON_TAB = "Python"
JSON_TAB = "JSON"


def example_anchor(fixture: Fixture) -> str:
    return f"example-{'valid' if fixture.valid else 'invalid'}-{fixture.name}"


def python_literal(value: Any, level: int = 0) -> str:
    """`value` (JSON data) as a Python expression, laid out one key per line."""
    pad, inner = "    " * level, "    " * (level + 1)
    if isinstance(value, dict):
        if not value:
            return "{}"
        rows = [f"{inner}{_string(str(k))}: {python_literal(v, level + 1)}," for k, v in value.items()]
        return "{\n" + "\n".join(rows) + f"\n{pad}}}"
    if isinstance(value, list):
        if not value:
            return "[]"
        flat = "[" + ", ".join(python_literal(v, level + 1) for v in value) + "]"
        if all(not isinstance(v, (dict, list)) for v in value) and len(flat) + len(inner) <= 96:
            return flat
        rows = [f"{inner}{python_literal(v, level + 1)}," for v in value]
        return "[\n" + "\n".join(rows) + f"\n{pad}]"
    if value is None:
        return "None"
    if isinstance(value, bool):
        return "True" if value else "False"
    if isinstance(value, str):
        return _string(value)
    return json.dumps(value)


def _string(text: str) -> str:
    # JSON's string escapes are Python's too; a lone surrogate is the exception, and repr() is exact.
    if any(0xD800 <= ord(c) <= 0xDFFF for c in text):
        return repr(text)
    return json.dumps(text, ensure_ascii=False)


def python_snippet(fixture: Fixture, violations: list[str]) -> str:
    """The example built with the package. For an invalid one, `violations` is what it prints."""
    ref = f"{fixture.event}@{fixture.version}"
    if fixture.valid:
        return (
            "from multi_workflow_telemetry import parse, to_json\n\n"
            f"event = parse({_string(ref)}, {python_literal(fixture.payload)})\n"
            "wire = to_json(event)  # RFC 8785 canonical JSON: the bytes to publish\n"
        )
    printed = "\n".join(f"# {line}" for line in violations)
    return (
        "from multi_workflow_telemetry import ContractViolation, parse\n\n"
        "try:\n"
        f"    parse({_string(ref)}, {python_literal(fixture.payload, 1)})\n"
        "except ContractViolation as exc:\n"
        "    for violation in exc.violations:\n"
        "        print(violation)\n"
        f"# prints:\n{printed}\n"
    )


def render(fixture: Fixture, violations: list[Any], rule_link: Callable[[str], str]) -> str:
    """One example, collapsed, titled by its name and description."""
    title = f"{fixture.name}: {fixture.description}".replace('"', "'")
    kind = "success" if fixture.valid else "failure"
    lines = [f'<span id="{example_anchor(fixture)}"></span>', "", f'??? {kind} "{title}"', ""]
    body: list[str] = []
    if fixture.source:
        body += [f"From the {fixture.source}.", ""]
    if not fixture.valid:
        body += ["| pointer | rule | error |", "|---|---|---|"]
        body += [f"| `{v.pointer or '/'}` | {rule_link(v.rule)} | {plain(v.message)} |" for v in violations]
        body.append("")
    body += _tab(JSON_TAB, "json", json.dumps(fixture.payload, indent=2, ensure_ascii=False))
    body += _tab(PYTHON_TAB, "python", python_snippet(fixture, [str(v) for v in violations]).rstrip("\n"))
    lines += [textwrap.indent(line, "    ") if line else "" for line in body]
    return "\n".join(lines) + "\n"


def _tab(label: str, language: str, code: str) -> list[str]:
    return [f'=== "{label}"', "", f"    ```{language}", *[f"    {line}" if line else "" for line in code.splitlines()], "    ```", ""]


def cell(markdown: str) -> str:
    """Markdown (a schema description) made safe for one cell of a Markdown table."""
    return markdown.replace("|", "\\|").replace("\n", " ")


def plain(text: str) -> str:
    """Plain text (a violation message) shown as is in a Markdown table cell."""
    for char, entity in (("&", "&amp;"), ("<", "&lt;"), ("*", "&#42;"), ("`", "&#96;"), ("[", "&#91;"), ("|", "&#124;")):
        text = text.replace(char, entity)
    return text.replace("\\", "&#92;").replace("\n", " ")
