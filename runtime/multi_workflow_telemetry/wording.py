"""Violations in the contract's words, whichever validator found them.

The reference (`jsonschema`, validation.py) and the fast path (jsonschema-rs, explain.py) describe
a schema error with the same few facts: the keyword, the path of the value, the value, the
keyword's value, and the conditional branch that applied. This module turns them into one
`Violation`, so both validators give the same message for the same error.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from typing import Any

from ._violation import Violation, json_type, pointer_of


def name(path: list[Any]) -> str:
    """The field a path ends at, in the draft's notation (`stages[0].run_mode`)."""
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "event"


def condition(schema_path: Iterable[Any], root: dict[str, Any]) -> str:
    """The description of the conditional branch (an `allOf` item or a `dependentSchemas` entry)
    that failed, so a message can say why the rule applies (`preview_only` is true, ...)."""
    node: Any = root
    parent_keyword = None
    found = ""
    for token in schema_path:
        try:
            node = node[token]
        except (KeyError, IndexError, TypeError):
            break  # the path went through a $ref into another document; any branch was before it
        if parent_keyword in ("allOf", "dependentSchemas") and isinstance(node, dict) and "description" in node:
            found = str(node["description"])
        parent_keyword = token if isinstance(token, str) else None
    return found


def describe(keyword: str, path: list[Any], instance: Any, value: Any, names: list[Any], because: str,
             fallback: str) -> Iterator[Violation]:
    """Violations in the contract's words: `names` are the missing (`required`) or unexpected
    (`additionalProperties`) fields; `fallback` is the validator's own message for other keywords."""
    suffix = f" ({because})" if because else ""
    if keyword == "required":
        for prop in names:
            yield Violation(pointer_of(path + [prop]), keyword, f"{name(path + [prop])} is required{suffix}")
        return
    if keyword == "additionalProperties":
        for prop in names:
            yield Violation(pointer_of(path + [prop]), keyword, f"{name(path + [prop])} is not a field of this event")
        return
    field = name(path)
    got = short(instance)
    if keyword == "enum":
        message = f"{field} must be one of {', '.join(map(short, value))} (got {got})"
    elif keyword == "const":
        message = f"{field} must be {short(value)} (got {got})"
    elif keyword == "type":
        wanted = " or ".join(value) if isinstance(value, list) else value
        message = f"{field} must be {article(wanted)} (got {json_type(instance)} {got})"
    elif keyword == "pattern":
        message = f"{field} {got} does not match {value}"
    elif keyword in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"):
        message = f"{field} is {got}, below the minimum {value}" if "inimum" in keyword else f"{field} is {got}, above the maximum {value}"
    elif keyword in ("minItems", "minLength", "maxItems", "maxLength"):
        unit = "item" if keyword.endswith("Items") else "character"
        bound = "at least" if keyword.startswith("min") else "at most"
        message = f"{field} must have {bound} {value} {unit}{'s' if value != 1 else ''}"
    else:
        message = f"{field}: {fallback}"
    yield Violation(pointer_of(path), keyword, message + suffix)


def short(value: Any, limit: int = 60) -> str:
    try:
        text = json.dumps(value, ensure_ascii=False, default=repr)  # repr: a Python value JSON cannot hold
    except TypeError:  # a key JSON cannot hold (a tuple): `default` is never asked about keys
        text = repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def article(word: str) -> str:
    return ("an " if word[:1] in "aeiou" else "a ") + word
