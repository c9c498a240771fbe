"""What a broken contract looks like to a caller: one `Violation` per problem found."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True, order=True)
class Violation:
    """One way a payload breaks the contract.

    `pointer` is the RFC 6901 JSON pointer of the offending value ("" is the whole payload; a
    missing property is pointed at where it should be), `rule` is the JSON Schema keyword
    (`required`, `enum`, ...) or the contract rule id (`MW001`, ...) that failed, and `message`
    says what is wrong in one line.
    """

    pointer: str
    rule: str
    message: str

    def __str__(self) -> str:
        return f"{self.pointer or '/'}: {self.message} [{self.rule}]"


class ContractViolation(ValueError):
    """Raised by `parse` when the data breaks the contract; `violations` lists every problem."""

    def __init__(self, event: str, violations: list[Violation]) -> None:
        self.event = event
        self.violations = violations
        lines = "; ".join(str(v) for v in violations[:5])
        more = f" (and {len(violations) - 5} more)" if len(violations) > 5 else ""
        super().__init__(f"{event}: {len(violations)} violation{'s' if len(violations) != 1 else ''}: {lines}{more}")


def escape_token(token: str | int) -> str:
    """Escape one reference token for a JSON pointer (RFC 6901: `~` then `/`)."""
    return str(token).replace("~", "~0").replace("/", "~1")


def unescape_token(token: str) -> str:
    """One reference token of a JSON pointer, unescaped (RFC 6901 §4: `~1` then `~0`)."""
    return token.replace("~1", "/").replace("~0", "~")


def pointer_of(path: object) -> str:
    """The JSON pointer of a path given as a sequence of keys and indices."""
    return "".join("/" + escape_token(part) for part in path)  # type: ignore[attr-defined]


def json_type(value: Any) -> str:
    """The JSON type name of a Python value, as JSON Schema's `type` keyword spells it."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    return "array" if isinstance(value, list) else "object"
