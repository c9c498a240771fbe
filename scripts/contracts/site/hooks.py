"""mkdocs hook: every table cell labelled with its column (`data-label`), at build time.

On a phone the stylesheet (docs/assets/stylesheets/contract.css) turns each table row into a card
and shows each cell's label before it, so a field's description reads without scrolling sideways.
Done here, in Python while the site is built, so the pages need no script to reflow.
"""

from __future__ import annotations

import html
import re
from typing import Any

_TABLE = re.compile(r"<table>(.*?)</table>", re.S)
_HEAD = re.compile(r"<th[^>]*>(.*?)</th>", re.S)
_ROW = re.compile(r"<tr>(.*?)</tr>", re.S)
_CELL = re.compile(r"<td(?P<attrs>[^>]*)>")
_TAG = re.compile(r"<[^>]+>")


def label_cells(table: str) -> str:
    """`table` (the inside of one <table>) with each <td> given its column's header as label."""
    heads = [html.unescape(_TAG.sub("", h)).strip() for h in _HEAD.findall(table)]
    if not heads:
        return table

    def row(match: re.Match[str]) -> str:
        column = iter(range(10_000))

        def cell(c: re.Match[str]) -> str:
            i = next(column)
            label = heads[i] if i < len(heads) else ""
            return f'<td data-label="{html.escape(label, quote=True)}"{c["attrs"]}>'

        return "<tr>" + _CELL.sub(cell, match.group(1)) + "</tr>"

    return _ROW.sub(row, table)


def on_page_content(content: str, **kwargs: Any) -> str:
    return _TABLE.sub(lambda m: "<table>" + label_cells(m.group(1)) + "</table>", content)
