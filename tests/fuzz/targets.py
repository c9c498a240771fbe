"""Fuzz targets: each takes arbitrary bytes and must neither raise (beyond the documented error
type) nor hang. Shared by the Hypothesis tests in `make test` (tests/test_fuzz.py) and by the
coverage-guided atheris run of `make fuzz` (tests/fuzz/run.py).
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

EVENTS = ("multi_workflow.plan_created", "multi_workflow.execution_summary", "multi_workflow.batch_metrics")
REPO = Path(__file__).resolve().parents[2]


def _json(data: bytes) -> Any:
    try:
        return json.loads(data)
    except (ValueError, RecursionError):
        return None


def parse(data: bytes) -> None:
    """The package's `parse` on raw bytes: an event or a ContractViolation, nothing else."""
    import multi_workflow_telemetry as mwt

    for event in EVENTS:
        try:
            obj = mwt.parse(event, data)
        except mwt.ContractViolation as exc:
            assert exc.violations, "a ContractViolation names at least one violation"
            assert all(v.pointer == "" or v.pointer.startswith("/") for v in exc.violations)
        else:
            # What parses must serialise and parse back to the same event.
            assert mwt.parse(event, mwt.to_json(obj)) == obj


def validate(data: bytes) -> None:
    """The package's `validate` on any JSON value: the very violations the reference (jsonschema
    and rules.py, `EventValidator.reference`) finds, for every event."""
    import multi_workflow_telemetry as mwt
    from multi_workflow_telemetry.validation import validator_for

    value = _json(data)
    for event in EVENTS:
        violations = mwt.validate(event, value)
        assert all(isinstance(v, mwt.Violation) for v in violations)
        assert violations == validator_for(event).reference(value), (event, value)


# How many `diff` inputs reached the checker (a pair it accepted as schemas), for the reach test.
REACH = {"inputs": 0, "reached": 0}


def diff(data: bytes) -> None:
    """The compatibility checker on a pair made from real schemas (schema_pairs.py): every
    "compatible" survives the instances an independent sampler makes, judged by jsonschema, and
    every witness it reports separates the two schemas under jsonschema."""
    from contracts.compat import SchemaError, diff as compat_diff

    from schema_pairs import pair, separated, validator

    REACH["inputs"] += 1
    old, new = pair(data)
    try:
        report = compat_diff(old, new)
    except SchemaError:
        return
    REACH["reached"] += 1
    old_only, new_only = separated(old, new)
    assert not (report.backward and old_only), f"said backward compatible; old accepts, new rejects {old_only[0]!r}"
    assert not (report.forward and new_only), f"said forward compatible; new accepts, old rejects {new_only[0]!r}"
    sides = {"old": old, "new": new}
    for change in report.changes:
        if change.has_witness:
            accepting = sides[change.witness_accepted_by or ""]
            rejecting = new if accepting is old else old
            try:
                assert validator(accepting).is_valid(change.witness), change
                assert not validator(rejecting).is_valid(change.witness), change
            except RecursionError:  # a reference cycle jsonschema cannot follow: no verdict either way
                continue


def jsonl(data: bytes) -> None:
    """The streaming reader of `contracts validate` on arbitrary bytes: the account adds up, and
    every line it lets through (by whichever tier) is one the reference accepts, and back."""
    from contracts.stream import validate_stream  # noqa: PLC0415 - the module under test
    from multi_workflow_telemetry.fast import strip_bom

    event = "multi_workflow.plan_created"
    summary = validate_stream(io.BytesIO(data), name="<fuzz>", event=event)
    assert summary.events == summary.valid + summary.invalid + summary.unreadable
    flagged = {line for line, *_ in summary.problems}
    for number, raw in enumerate(strip_bom(data).split(b"\n"), 1):
        if raw.strip():
            assert _reference_accepts(event, raw.rstrip(b"\r")) == (number not in flagged), (number, raw)


def _reference_accepts(event: str, raw: bytes) -> bool:
    """The reference's verdict on one line: the strict reader, then jsonschema and rules.py."""
    from multi_workflow_telemetry.fast import loads_exact
    from multi_workflow_telemetry.validation import validator_for

    try:
        payload = loads_exact(raw)
    except (ValueError, RecursionError):
        return False
    return not validator_for(event).reference(payload)


TARGETS: dict[str, Callable[[bytes], None]] = {"parse": parse, "validate": validate, "diff": diff, "jsonl": jsonl}


def _with_event(payload: Any) -> Any:
    return {"event_type": "multi_workflow.plan_created", **payload} if isinstance(payload, dict) else payload


def seeds(target: str) -> list[bytes]:
    """Starting inputs: the golden fixtures' payloads, and for `diff` pairs of schemas."""
    payloads = sorted((REPO / "fixtures").glob("*/*/*/*.json"))
    if target == "diff":  # choices for schema_pairs.pair: any bytes make a pair; these start varied
        return [bytes([i, j, k, 1, 2, 3, 0, 1]) for i in range(0, 16, 3) for j in (0, 7, 200) for k in (1, 2)]
    out = [json.dumps(json.loads(p.read_text())["payload"]).encode() for p in payloads]
    if target == "jsonl":  # five lines each, written spaced (json.dumps) and compact (the fastest tier)
        compact = [json.dumps(_with_event(json.loads(line)), separators=(",", ":")).encode() for line in out]
        out = [b"\n".join(lines[i : i + 5]) for lines in (out, compact) for i in range(0, len(lines), 5)]
    return out
