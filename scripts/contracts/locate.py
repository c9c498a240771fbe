"""Line numbers for JSON pointers, so an error can name the line of the value it is about.

The standard library's parser keeps no positions, so this walks the text once more, only as far
as the pointer leads, skipping over everything else. `lines_of` answers many pointers in that one
walk: a document with 10,000 violations is walked once, not 10,000 times.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterator
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


def lines_of(text: str, pointers: list[str]) -> list[int]:
    """`line_of` for each pointer, in one walk over the text and one over its line ends."""
    paths = [tuple(unescape(t) for t in p.split("/")[1:]) if p else () for p in pointers]
    inner = {path[:k] for path in paths for k in range(len(path))}  # containers a pointer enters
    wanted = inner | set(paths)
    found: dict[tuple[str, ...], int] = {(): _WS.match(text, 0).end()}  # type: ignore[union-attr]
    try:
        _visit(text, found[()], (), wanted, inner, found)
    except (IndexError, ValueError):
        pass  # malformed text: the positions reached so far are the best answer
    ends = [m.start() for m in re.finditer("\n", text)]
    lines = []
    for path in paths:
        k = len(path)
        while path[:k] not in found:  # as far as the pointer resolves
            k -= 1
        lines.append(bisect_right(ends, found[path[:k]] - 1) + 1)
    return lines


def _visit(text: str, pos: int, path: tuple[str, ...], wanted: set[tuple[str, ...]], inner: set[tuple[str, ...]],
           found: dict[tuple[str, ...], int]) -> None:
    """Record where each wanted child of the container at `pos` starts; enter those pointers enter."""
    for key, at in _members(text, pos):
        child = path + (key,)
        if child in wanted and child not in found:  # a repeated key: the first one, as `line_of`
            found[child] = at
            if child in inner:
                _visit(text, at, child, wanted, inner, found)


def _child(text: str, pos: int, token: str) -> int | None:
    """Position of the value `token` names inside the container starting at `pos`."""
    return next((at for key, at in _members(text, pos) if key == token), None)


def _members(text: str, pos: int) -> Iterator[tuple[str, int]]:
    """(key or index, position of its value) of each member of the container at `pos`, in order."""
    opener = text[pos]
    if opener not in "{[":
        return
    index = 0
    pos = _WS.match(text, pos + 1).end()  # type: ignore[union-attr]
    while text[pos] not in "}]":
        if opener == "{":
            key, pos = scanstring(text, pos + 1)
            pos = _WS.match(text, pos).end() + 1  # type: ignore[union-attr]  # past ':'
            pos = _WS.match(text, pos).end()  # type: ignore[union-attr]
        else:
            key, index = str(index), index + 1
        yield key, pos
        pos = _skip(text, pos)
        pos = _WS.match(text, pos).end()  # type: ignore[union-attr]
        if text[pos] == ",":
            pos = _WS.match(text, pos + 1).end()  # type: ignore[union-attr]


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
