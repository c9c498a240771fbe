"""`contracts validate --correlate`: each execution_summary against its plan_created.

Checks, across every file and line given, in order:
- every execution_summary has a plan_created with the same plan_id, and both agree on
  issue_number, stage_count, workflow_count and stages (`no-plan`, `plan-mismatch`);
- no plan is executed twice, and no plan_id is created twice (`executed-twice`, `planned-twice`);
- plans with no execution_summary are listed at the end (`no-summary`): not an error, a plan may
  still be running when the capture ends.

A summary may come before its plan (files from different services, in any order): it waits for
it. Only unpaired events are held in memory; the plan_ids of paired plans, needed to see a second
execution, are kept compactly and spilled to a temporary SQLite file beyond `SPILL` of them, so
memory grows with the number of open plans, not with the stream.
Only events that passed validation take part: the others are already reported.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
from collections.abc import Iterator
from typing import Any

from multi_workflow_telemetry.rules import PLAN_CREATED

from .findings import Finding
from .scratch import scratch_dir
from .stream import Pairing

# Paired plan_ids held in memory before they move to disk (CONTRACTS_CORRELATE_SPILL: the tests
# spill early).
SPILL = int(os.environ.get("CONTRACTS_CORRELATE_SPILL", 100_000))

Seen = tuple[str, int, Any, Any, Any, Any]  # (file, line, issue_number, stage_count, workflow_count, stages)


class PairedPlans:
    """The plan_ids already paired with their summary: a set, then a temporary SQLite table."""

    def __init__(self, spill: int = SPILL) -> None:
        self._recent: set[bytes] = set()
        self._spill = spill
        self._db: sqlite3.Connection | None = None
        self._dir: str | None = None

    @staticmethod
    def _key(plan_id: str) -> bytes:
        return plan_id.encode()

    def add(self, plan_id: str) -> None:
        self._recent.add(self._key(plan_id))
        if len(self._recent) >= self._spill:
            db = self._open()
            db.executemany("INSERT OR IGNORE INTO paired VALUES (?)", ((k,) for k in self._recent))
            db.commit()
            self._recent.clear()

    def __contains__(self, plan_id: str) -> bool:
        key = self._key(plan_id)
        if key in self._recent:
            return True
        if self._db is None:
            return False
        return self._db.execute("SELECT 1 FROM paired WHERE id = ?", (key,)).fetchone() is not None

    def _open(self) -> sqlite3.Connection:
        if self._db is None:
            self._dir = scratch_dir("correlate")
            self._db = sqlite3.connect(f"{self._dir}/paired.sqlite")
            self._db.execute("PRAGMA journal_mode = OFF")
            self._db.execute("PRAGMA synchronous = OFF")
            self._db.execute("CREATE TABLE paired (id BLOB PRIMARY KEY) WITHOUT ROWID")
        return self._db

    def close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None
        if self._dir is not None:
            shutil.rmtree(self._dir, ignore_errors=True)
            self._dir = None


FIELDS = ("issue_number", "stage_count", "workflow_count", "stages")


class Correlator:
    """Pairs plan_created and execution_summary events as they come, in line order."""

    def __init__(self, spill: int = SPILL) -> None:
        self.plans: dict[str, Seen] = {}  # created, not yet executed
        self.summaries: dict[str, Seen] = {}  # executed, plan not seen yet
        self.paired = PairedPlans(spill)
        self.problems = 0

    def feed(self, file: str, line: int, pairing: Pairing) -> Iterator[Finding]:
        """The correlation problems this event reveals now."""
        _, event, plan_id, *fields = pairing
        seen: Seen = (file, line, *fields)
        if event == PLAN_CREATED:
            earlier = self.plans.get(plan_id)
            if earlier is not None or plan_id in self.paired:
                where = f" at {earlier[0]}:{earlier[1]}" if earlier else ""
                yield self._problem(file, line, "/plan_id", "planned-twice", f"plan {plan_id} was already created{where}")
                return
            summary = self.summaries.pop(plan_id, None)
            if summary is None:
                self.plans[plan_id] = seen
                return
            self.paired.add(plan_id)
            yield from self._compare(plan_id, seen, summary)
            return
        plan = self.plans.pop(plan_id, None)
        if plan is not None:
            self.paired.add(plan_id)
            yield from self._compare(plan_id, plan, seen)
            return
        earlier = self.summaries.get(plan_id)
        if earlier is not None or plan_id in self.paired:
            where = f" (first at {earlier[0]}:{earlier[1]})" if earlier else ""
            yield self._problem(file, line, "/plan_id", "executed-twice", f"plan {plan_id} is executed twice{where}")
            return
        self.summaries[plan_id] = seen

    def _compare(self, plan_id: str, plan: Seen, summary: Seen) -> Iterator[Finding]:
        file, line = summary[0], summary[1]
        for name, planned, executed in zip(FIELDS, plan[2:], summary[2:]):
            if name == "issue_number" and planned is None:
                continue  # a plan made outside the issue processor has no issue number to compare
            if planned != executed:
                if name == "stages":
                    message = f"stages differ from those of plan {plan_id} created at {plan[0]}:{plan[1]}"
                else:
                    message = (f"{name} is {executed!r} but plan {plan_id}, created at {plan[0]}:{plan[1]}, "
                               f"has {planned!r}")
                yield self._problem(file, line, f"/{name}", "plan-mismatch", message)

    def _problem(self, file: str, line: int, pointer: str, rule: str, message: str) -> Finding:
        self.problems += 1
        return Finding(file, line, pointer, rule, message)

    def finish(self) -> tuple[list[Finding], list[Finding]]:
        """(summaries that never found their plan, plans without a summary), in line order."""
        missing = [
            self._problem(file, line, "/plan_id", "no-plan", f"no plan_created for plan {plan_id}")
            for plan_id, (file, line, *_) in self.summaries.items()
        ]
        open_plans = [
            Finding(file, line, "/plan_id", "no-summary", f"plan {plan_id} has no execution_summary")
            for plan_id, (file, line, *_) in self.plans.items()
        ]
        self.close()
        return missing, open_plans

    def close(self) -> None:
        """Remove the temporary file of paired plans, if there is one."""
        self.paired.close()
