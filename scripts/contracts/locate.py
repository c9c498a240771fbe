"""Line numbers for JSON pointers, so an error can name the line of the value it is about.

The standard library's parser keeps no positions, so this walks the text once more, only as far
as the pointer leads, skipping over everything else.
"""

from __future__ import annotations

import re
from json.decoder import scanstring

_WS = re.compile(r"[ \t\n\r]*")
_SCALAR = re.compile(r"-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][-+]?\d+)?|true|false|null")


def unescape(token: str) -> str:
    return token.replace("~1", "/").replace("~0", "~")


def line_of(text: str, pointer: str) -> int:
    """The 1-based line where the value at `pointer` starts (or as far as the pointer resolves)."""
    tokens = [unescape(t) for t in pointer.split("/")[1:]] if pointer else []
    pos = _WS.match(text, 0).end()  # type: ignore[union-attr]
    try:
        for token in tokens:
            found = _child(text, pos, token)
            if found is None:
                break
            pos = found
    except (IndexError, ValueError):
        pass  # malformed text: the line reached so far is the best answer
    return text.count("\n", 0, pos) + 1


def _child(text: str, pos: int, token: str) -> int | None:
    """Position of the value `token` names inside the container starting at `pos`."""
    opener = text[pos]
    if opener not in "{[":
        return None
    index = 0
    pos = _WS.match(text, pos + 1).end()  # type: ignore[union-attr]
    while text[pos] not in "}]":
        if opener == "{":
            key, pos = scanstring(text, pos + 1)
            pos = _WS.match(text, pos).end() + 1  # type: ignore[union-attr]  # past ':'
            pos = _WS.match(text, pos).end()  # type: ignore[union-attr]
            if key == token:
                return pos
        else:
            if str(index) == token:
                return pos
            index += 1
        pos = _skip(text, pos)
        pos = _WS.match(text, pos).end()  # type: ignore[union-attr]
        if text[pos] == ",":
            pos = _WS.match(text, pos + 1).end()  # type: ignore[union-attr]
    return None


def _skip(text: str, pos: int) -> int:
    """Position just past the value starting at `pos`."""
    c = text[pos]
    if c == '"':
        return scanstring(text, pos + 1)[1]
    if c in "{[":
        depth = 0
        while True:
            c = text[pos]
            if c == '"':
                pos = scanstring(text, pos + 1)[1]
                continue
            if c in "{[":
                depth += 1
            elif c in "}]":
                depth -= 1
                if depth == 0:
                    return pos + 1
            pos += 1
    match = _SCALAR.match(text, pos)
    if not match:
        raise ValueError(pos)
    return match.end()
