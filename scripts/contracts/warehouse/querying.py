"""The generated part of docs/querying.md: each view's question, its SQL and its result on the
golden fixtures, obtained by running it (golden.py), so the page shows what the SQL returns."""

from __future__ import annotations

from typing import Any

from ..project import Project
from .columns import WarehouseError
from .golden import load_fixtures, valid_fixtures
from .views import views

SHOWN = 12  # rows of a result shown on the page; the count says how many there are
COLUMNS = 10  # columns shown: more do not fit a wide screen beside the navigation


def section(project: Project) -> str:
    import duckdb

    fixtures = valid_fixtures(project)
    db = load_fixtures(project.catalogue, fixtures, project.relative)
    try:
        return _section(db, fixtures)
    except (duckdb.CatalogException, duckdb.BinderException) as exc:
        # The page's queries are the contract's own (views/): an event they read, removed from
        # the catalogue, leaves a query without its table. Said so, not as an internal error.
        raise WarehouseError(f"docs/querying.md: a query of scripts/contracts/warehouse/views/ reads what the catalogue "
                             f"no longer makes ({str(exc).splitlines()[0]}): change the views with the catalogue [warehouse]") from None
    finally:
        db.close()


def _section(db: Any, fixtures: list[Any]) -> str:
    counts = {name: db.execute(f"SELECT count(*) FROM {name}").fetchone()[0]
              for name in ("plan_created_v1", "execution_summary_v1", "batch_metrics_v1")}
    parts = [f"On the {len(fixtures)} valid golden fixtures: "
             + ", ".join(f"{n} rows in `{name}`" for name, n in counts.items()) + ". Each fixture is a file of "
             "its own (`file`, line 1). The fixtures reuse a few `plan_id`s across unrelated examples, so a plan "
             "meets several summaries here; in real traffic a `plan_id` is one plan.", ""]
    for view in views():
        result = db.execute(f"SELECT * FROM {view.name}")
        names = [d[0] for d in result.description]
        rows = result.fetchall()
        shown = f"{len(rows)} row{'s' if len(rows) != 1 else ''}" + (f", the first {SHOWN}" if len(rows) > SHOWN else "")
        if len(names) > COLUMNS:
            shown += f"; the first {COLUMNS} of its {len(names)} columns"
            names, rows = names[:COLUMNS], [row[:COLUMNS] for row in rows]
        parts += ["", f"### `{view.name}`", "", view.question, "", "```sql", view.sql.split("\n", 1)[1].rstrip(), "```", "",
                  f"`SELECT * FROM {view.name}` ({shown}):", "",
                  # In a box of its own: smaller type, so a dozen columns fit a wide screen (contract.css).
                  '<div class="mw-result" markdown>', "", _table(names, rows[:SHOWN]), "", "</div>"]
    return "\n".join(parts) + "\n"


def _table(names: list[str], rows: list[tuple[Any, ...]]) -> str:
    # A column name may break after its underscores (`allow_<wbr>partial_<wbr>success`): a dozen
    # names that cannot break make a result wider than a wide screen.
    lines = ["| " + " | ".join(n.replace("_", "_<wbr>") for n in names) + " |", "|" + "---|" * len(names)]
    lines += ["| " + " | ".join(_cell(v) for v in row) + " |" for row in rows]
    if not rows:
        lines.append("| " + " | ".join("" for _ in names) + " |")
    return "\n".join(lines)


def _cell(value: Any) -> str:
    if value is None:
        return "NULL"
    text = str(value).replace("|", "\\|").replace("\n", " ")
    if text.startswith("fixtures/"):
        _, event, version, _, name = text.split("/", 4)  # event/version/name.json: the table stays narrower
        text = f"{event.rsplit('.', 1)[-1]}/{version}/{name}"
    return text
