"""`contracts validate`: check event files and streams against the schemas and contract rules.

`.json` files hold one event; any other file (`.jsonl`, `.ndjson`, `-` for standard input)
holds one event per line and is read line by line, so memory stays bounded. A line that is not
JSON is reported with its number and counted as unreadable; validation goes on with the next.
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from multi_workflow_telemetry.catalogue import Catalogue, CatalogueError
from multi_workflow_telemetry.validation import EventValidator

from .findings import Finding
from .locate import line_of


class UnusableInput(Exception):
    """An input that cannot be validated at all (exit 2)."""


@dataclass
class Summary:
    events: int = 0
    valid: int = 0
    invalid: int = 0
    unreadable: int = 0
    blank_lines: int = 0
    violations: int = 0
    unusable: list[str] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        return {
            "events": self.events,
            "valid": self.valid,
            "invalid": self.invalid,
            "unreadable": self.unreadable,
            "blank_lines": self.blank_lines,
            "violations": [
                {"path": f.file, "line": f.line, "pointer": f.pointer, "rule": f.rule, "message": f.message}
                for f in self.findings
            ],
            "unusable": self.unusable,
        }

    def line(self) -> str:
        return (
            f"{self.events} events: {self.valid} valid, {self.invalid} invalid, {self.unreadable} unreadable; "
            f"{self.violations} violations"
        )


class Validation:
    """One run of `contracts validate` over any number of inputs."""

    def __init__(self, catalogue: Catalogue, event: str | None, out: IO[str] | None, keep: bool) -> None:
        self.catalogue = catalogue
        self.fixed = self._validator(event) if event else None
        self.summary = Summary()
        self._out = out  # violations are printed as found when set, kept in the summary when `keep`
        self._keep = keep
        self._by_event: dict[str, EventValidator] = {}

    def _validator(self, ref: str) -> EventValidator:
        return EventValidator(self.catalogue, self.catalogue.get(ref))

    def run(self, path: str) -> None:
        if path == "-":
            self._stream("<stdin>", sys.stdin.buffer)
            return
        file = Path(path)
        try:
            if file.suffix == ".json":
                self._document(path, file.read_bytes())
            else:
                with file.open("rb") as stream:
                    self._stream(path, stream)
        except (IsADirectoryError, FileNotFoundError, PermissionError) as exc:
            self.summary.unusable.append(f"{path}: cannot read: {exc.strerror}")

    def _stream(self, name: str, stream: IO[bytes]) -> None:
        for number, raw in enumerate(stream, 1):
            if not raw.strip():
                self.summary.blank_lines += 1
                continue
            self._event(name, number, raw.rstrip(b"\r\n"), lambda pointer, n=number: n)

    def _document(self, name: str, raw: bytes) -> None:
        text = raw.decode("utf-8", errors="replace")
        self._event(name, 1, raw, lambda pointer: line_of(text, pointer))

    def _event(self, name: str, number: int, raw: bytes, line: Any) -> None:
        self.summary.events += 1
        try:
            payload = json.loads(raw)
        except UnicodeDecodeError as exc:
            self._unreadable(name, number, f"not UTF-8 ({exc.reason} at byte {exc.start})")
            return
        except json.JSONDecodeError as exc:
            self._unreadable(name, number + exc.lineno - 1, f"not valid JSON: {exc.msg} at column {exc.colno}")
            return
        validator = self.fixed or self._infer(payload)
        if validator is None:
            self.summary.invalid += 1
            self._report(Finding(name, number, "/event_type", "event", "cannot tell which event this is: no event_type; pass --event NAME"))
            return
        violations = validator.validate(payload)
        if not violations:
            self.summary.valid += 1
            return
        self.summary.invalid += 1
        for v in violations:
            self._report(Finding(name, line(v.pointer), v.pointer, v.rule, v.message))

    def _infer(self, payload: Any) -> EventValidator | None:
        event = payload.get("event_type") if isinstance(payload, dict) else None
        if not isinstance(event, str) or event not in self.catalogue.events():
            return None
        if event not in self._by_event:
            self._by_event[event] = self._validator(event)
        return self._by_event[event]

    def _unreadable(self, name: str, number: int, message: str) -> None:
        self.summary.unreadable += 1
        self._report(Finding(name, number, "", "json", message))

    def _report(self, finding: Finding) -> None:
        self.summary.violations += 1
        if self._keep:
            self.summary.findings.append(finding)
        if self._out is not None:
            print(finding, file=self._out)


def validate_inputs(catalogue: Catalogue, event: str | None, paths: list[str], fmt: str) -> Summary:
    """Validate every input; raise UnusableInput when the event itself is unknown."""
    try:
        run = Validation(catalogue, event, out=sys.stdout if fmt == "text" else None, keep=fmt == "json")
    except CatalogueError as exc:
        raise UnusableInput(str(exc)) from None
    for path in paths:
        run.run(path)
    return run.summary

