"""The golden fixtures in a warehouse: what "Querying the events" runs its queries on.

Each valid fixture is loaded as `contracts load --event NAME@VERSION FILE` would load its
payload, one event per fixture file, named by its path.
"""

from __future__ import annotations

from typing import Any

import orjson
from multi_workflow_telemetry.catalogue import Catalogue
from multi_workflow_telemetry.fixtures import Fixture, load_all

from ..project import Project
from .columns import tables
from .duckdb_sink import DuckDBSink
from .rows import Converter


def valid_fixtures(project: Project) -> list[Fixture]:
    return [fx for fx in load_all(project.fixtures) if fx.valid]


def load_fixtures(catalogue: Catalogue, fixtures: list[Fixture], relative: Any, db: str = ":memory:") -> Any:
    """A DuckDB connection (kept open) holding `fixtures`, through the loader's own path."""
    sink = DuckDBSink(db, {t.name: t for t in tables(catalogue)})
    converters: dict[str, Converter] = {}
    for fx in fixtures:
        ref = f"{fx.event}@{fx.version}"
        converter = converters.get(ref) or converters.setdefault(ref, Converter(catalogue, ref))
        sink.write(converter.document(orjson.dumps(fx.payload), relative(fx.path)))
    sink.close(keep_open=True)
    return sink.db
