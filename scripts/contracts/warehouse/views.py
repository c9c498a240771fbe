"""The views that answer the draft's questions, from views/*.sql (applied in file-name order,
as later views read earlier ones). The first comment of each file says what it answers."""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

HERE = Path(__file__).parent / "views"


@dataclass(frozen=True)
class View:
    name: str
    question: str
    sql: str
    source: str


def views() -> list[View]:
    out = []
    for path in sorted(HERE.glob("*.sql")):
        text = path.read_text(encoding="utf-8")
        question = text.splitlines()[0].removeprefix("-- ").strip()
        name = path.stem.split("_", 1)[1]
        out.append(View(name, question, text, f"scripts/contracts/warehouse/views/{path.name}"))
    return out


def apply(db: Any) -> None:
    """Create (or replace) every view whose tables (and earlier views) the database has: all of them
    for this contract's catalogue, with every table of major 1 at its newest version; none for
    another catalogue's events."""
    import duckdb

    for view in views():
        with contextlib.suppress(duckdb.CatalogException, duckdb.BinderException):  # a table or column it reads is not there
            db.execute(view.sql)
