"""Events on the wire: the CloudEvents envelope, written and read by the package and the CLI."""

from __future__ import annotations

import datetime as dt
import json
import re
import uuid
from pathlib import Path

import multi_workflow_telemetry as mwt
import pytest
from multi_workflow_telemetry import ContractViolation, PlannedStage, WorkflowOutcome, v1

from conftest import REPO, run_contracts

FIXTURES = mwt.golden_fixtures()
VALID = [f for f in FIXTURES if f.valid]
WHEN = dt.datetime(2026, 6, 3, 9, 30, tzinfo=dt.timezone.utc)
PLAN, SUMMARY = "multi_workflow.plan_created", "multi_workflow.execution_summary"


def _enveloped(case: mwt.Fixture, **kw: object) -> bytes:
    return mwt.to_json(mwt.envelope(mwt.parse(case.ref, case.payload), source="/fixtures", **kw))  # type: ignore[arg-type]


@pytest.mark.parametrize("case", VALID, ids=lambda f: f.id)
def test_every_valid_fixture_round_trips_through_its_envelope(case: mwt.Fixture) -> None:
    wire = json.loads(_enveloped(case, time=WHEN))
    assert wire["specversion"] == "1.0" and wire["datacontenttype"] == "application/json"
    assert wire["type"] == case.event
    assert wire["dataschema"].endswith(f"/{case.event}/{case.version}.json")
    assert wire["data"] == case.payload  # the payload is untouched
    assert wire["time"] == "2026-06-03T09:30:00Z"
    uuid.UUID(wire["id"])
    back = mwt.read_envelope(json.dumps(wire))
    assert (back.type, back.version, back.id) == (case.event, case.version, wire["id"])
    assert back.event == mwt.parse(case.ref, case.payload)


def test_ids_are_unique_per_event_and_bytes_are_canonical() -> None:
    case = VALID[0]
    ids = {json.loads(_enveloped(case))["id"] for _ in range(50)}
    assert len(ids) == 50
    one = _enveloped(case, id="x", time=WHEN)
    assert one == _enveloped(case, id="x", time=WHEN)
    assert b" " not in one.split(b'"data"')[0]  # RFC 8785: no insignificant whitespace


def test_builders_return_the_envelope_given_a_source() -> None:
    plan = v1.build_plan_created_event(stages=[PlannedStage("sequential", ["b", "a"])], allow_partial_success=False,
                                       preview_only=False, issue_number=7, source="/planner")
    assert isinstance(plan, mwt.Enveloped)
    assert plan.subject == plan.event.plan_id and plan.type == PLAN and plan.version == v1.VERSIONS[PLAN]
    summary = v1.build_execution_summary_event(plan, issue_number=7, source="/planner",
                                               outcomes={"a": WorkflowOutcome("executed"), "b": WorkflowOutcome("executed")})
    assert isinstance(summary, mwt.Enveloped) and summary.event.plan_id == plan.event.plan_id
    assert mwt.read_envelope(mwt.to_json(summary)) == summary
    bare = v1.build_plan_created_event(stages=[PlannedStage("sequential", ["a"])], allow_partial_success=False,
                                       preview_only=False)
    assert not isinstance(bare, mwt.Enveloped)  # without source, the payload as before


def test_extension_attributes_survive_and_bad_ones_are_refused() -> None:
    case = VALID[0]
    obj = mwt.parse(case.ref, case.payload)
    traced = mwt.envelope(obj, source="/p", extensions={"traceparent": "00-abc-def-01"})
    assert mwt.read_envelope(mwt.to_json(traced)).extensions == {"traceparent": "00-abc-def-01"}
    with pytest.raises(Exception, match="(?i)extension|attribute"):
        mwt.envelope(obj, source="/p", extensions={"Trace_Parent": "x"})
    with pytest.raises(Exception, match="source"):
        mwt.envelope(obj, source="")
    with pytest.raises(ValueError, match="timezone"):
        mwt.envelope(obj, source="/p", time=dt.datetime(2026, 1, 1))


@pytest.mark.parametrize(
    ("change", "pointer", "words"),
    [
        (lambda w: w.pop("id"), "/id", "required"),
        (lambda w: w.update(specversion="0.3"), "/specversion", "1.0"),
        (lambda w: w.update(time="yesterday"), "/time", "does not match"),
        (lambda w: w.update(time="2026-06-03 09:30:00"), "/time", "does not match"),
        (lambda w: w.update(time="2026-06-03T23:59:60Z"), "/time", "is not a moment"),
        (lambda w: w.update(time="2026-02-30T10:00:00+01:00"), "/time", "is not a moment"),
        (lambda w: w.update(datacontenttype="text/plain"), "/datacontenttype", "application/json"),
        (lambda w: w.update(Upper="x"), "", '"Upper" does not match'),  # propertyNames: at the object
        (lambda w: w.update(type="multi_workflow.plan_creatd"), "/type", "did you mean 'multi_workflow.plan_created'"),
        (lambda w: w.update(dataschema=w["dataschema"].replace("/1.", "/9.")), "/dataschema", "does not have"),
        (lambda w: w.update(dataschema=w["dataschema"].replace(PLAN, SUMMARY)), "/dataschema", "not of the event type"),
        (lambda w: w["data"].pop("plan_id"), "/data/plan_id", "required"),
        (lambda w: w["data"].update(stage_count=0), "/data/stage_count", ""),
    ],
)
def test_broken_envelopes_are_refused_naming_the_place(change: object, pointer: str, words: str) -> None:
    case = next(f for f in VALID if f.event == PLAN)
    wire = json.loads(_enveloped(case))
    change(wire)  # type: ignore[operator]
    with pytest.raises(ContractViolation) as raised:
        mwt.read_envelope(json.dumps(wire))
    assert any(v.pointer == pointer and words in v.message for v in raised.value.violations), raised.value.violations


def test_cli_validates_every_fixture_enveloped_without_event(tmp_path: Path) -> None:
    events = tmp_path / "enveloped.jsonl"
    events.write_bytes(b"\n".join(_enveloped(case) for case in VALID) + b"\n")
    for jobs in ("1", "2"):
        done = run_contracts("validate", "--jobs", jobs, "--format", "json", str(events))
        assert done.returncode == 0, done.stdout + done.stderr
        summary = json.loads(done.stdout)
        assert (summary["events"], summary["valid"], summary["violations"]) == (len(VALID), len(VALID), [])


def test_cli_reads_envelopes_event_type_lines_and_bare_payloads_mixed(tmp_path: Path) -> None:
    plans = [f for f in VALID if f.event == PLAN]
    lines = [_enveloped(plans[0]), json.dumps({**plans[1].payload, "event_type": PLAN}).encode(),
             json.dumps(plans[2 % len(plans)].payload).encode()]
    broken = json.loads(_enveloped(plans[0]))
    broken["data"]["stage_count"] = "two"
    lines.append(json.dumps(broken).encode())
    events = tmp_path / "mixed.jsonl"
    events.write_bytes(b"\n".join(lines) + b"\n")
    done = run_contracts("validate", "--event", PLAN, str(events))
    assert done.returncode == 1
    assert done.stdout.splitlines() == [
        f"{events}:4: /data/stage_count: stage_count must be an integer (got string \"two\") [type]"]
    assert "4 events: 3 valid, 1 invalid" in done.stderr
    # Without --event the bare payload cannot be told apart, and says so.
    done = run_contracts("validate", str(events))
    assert f"{events}:3: /event_type: cannot tell which event this is" in done.stdout


def test_cli_names_a_misspelt_type_and_the_closest_event(tmp_path: Path) -> None:
    case = next(f for f in VALID if f.event == SUMMARY)
    wire = json.loads(_enveloped(case))
    wire["type"] = "multi_workflow.execution_sumary"
    typo = {**case.payload, "event_type": "multi_workflow.execution_summery"}
    events = tmp_path / "typo.jsonl"
    events.write_text(json.dumps(wire) + "\n" + json.dumps(typo) + "\n")
    done = run_contracts("validate", str(events))
    assert done.returncode == 1
    first, second = done.stdout.splitlines()
    assert re.search(r":1: /type: unknown event type 'multi_workflow.execution_sumary'; "
                     r"did you mean 'multi_workflow.execution_summary'\?", first)
    assert re.search(r":2: /event_type: unknown event_type 'multi_workflow.execution_summery'; "
                     r"did you mean 'multi_workflow.execution_summary'\?", second)


def test_correlate_pairs_the_builders_own_output(tmp_path: Path) -> None:
    lines = []
    for issue in range(1, 6):
        plan = v1.build_plan_created_event(stages=[PlannedStage("parallel", ["x", "y"])], allow_partial_success=True,
                                           preview_only=False, issue_number=issue, source="/planner")
        summary = v1.build_execution_summary_event(plan, issue_number=issue, source="/planner",
                                                   outcomes={"x": WorkflowOutcome("executed"), "y": WorkflowOutcome("executed")})
        lines += [mwt.to_json(plan), mwt.to_json(summary)]
    events = tmp_path / "published.jsonl"
    events.write_bytes(b"\n".join(lines) + b"\n")
    done = run_contracts("validate", "--correlate", "--format", "json", str(events))
    assert done.returncode == 0, done.stdout
    report = json.loads(done.stdout)
    assert report["valid"] == 10 and report["correlation"] == {"problems": [], "plans_without_summary": []}
    # Correlation really looks inside the envelopes: a plan left alone, a summary without its plan.
    events.write_bytes(b"\n".join(lines[1:-1]) + b"\n")
    report = json.loads(run_contracts("validate", "--correlate", "--format", "json", str(events)).stdout)
    assert len(report["correlation"]["problems"]) == 1 and len(report["correlation"]["plans_without_summary"]) == 1


def test_the_envelope_page_example_is_what_the_package_writes() -> None:
    page = (REPO / "docs" / "envelope.md").read_text(encoding="utf-8")
    shown = json.loads(page.split("BEGIN GENERATED envelope-example")[1].split("```json")[1].split("```")[0])
    case = next(f for f in VALID if f.event == PLAN and f.version == v1.VERSIONS[PLAN])
    when = dt.datetime.fromisoformat(shown["time"].replace("Z", "+00:00"))
    written = json.loads(mwt.to_json(mwt.envelope(mwt.parse(case.ref, case.payload), source=shown["source"],
                                                  id=shown["id"], time=when)))
    assert shown == written


def test_cli_and_package_refuse_the_same_envelopes(tmp_path: Path) -> None:
    case = next(f for f in VALID if f.event == PLAN)
    broken = []
    for change in ({"time": "2026-06-03T23:59:60Z"}, {"specversion": "0.3"}, {"id": ""}, {"subject": ""}):
        wire = json.loads(_enveloped(case))
        wire.update(change)
        broken.append(wire)
    events = tmp_path / "broken.jsonl"
    events.write_text("".join(json.dumps(w) + "\n" for w in broken))
    done = run_contracts("validate", str(events))
    assert done.returncode == 1
    said = {int(line.split(":")[1]): line for line in done.stdout.splitlines()}
    assert sorted(said) == [1, 2, 3, 4]
    for number, wire in enumerate(broken, 1):
        with pytest.raises(ContractViolation) as raised:
            mwt.read_envelope(wire)
        first = raised.value.violations[0]
        assert f": {first.pointer}: {first.message} [{first.rule}]" in said[number]


@pytest.mark.parametrize(
    "extensions",
    [{"a" * 21: "x"}, {"ratio": 1.5}, {"tags": ["a"]}, {"nothing": None}, {"nested": {"a": 1}}],
    ids=["name-of-21", "float", "list", "null", "object"],
)
def test_envelope_refuses_what_read_envelope_would_refuse(extensions: dict[str, object]) -> None:
    # The SDK lets these through; the envelope schema (and so read_envelope) refuses them: the
    # package must not write an envelope it cannot read back.
    obj = mwt.parse(VALID[0].ref, VALID[0].payload)
    with pytest.raises(ContractViolation) as raised:
        mwt.envelope(obj, source="/p", extensions=extensions)  # type: ignore[arg-type]
    assert raised.value.event == "envelope"
    ok = mwt.envelope(obj, source="/p", extensions={"a" * 20: "x", "n": -1, "flag": False})
    assert mwt.read_envelope(mwt.to_json(ok)).extensions == {"a" * 20: "x", "n": -1, "flag": False}


def test_a_summary_is_built_from_a_1_0_0_plan_read_off_the_wire() -> None:
    # v1.read_envelope reads every 1.x plan; a 1.0.0 one has no run_id field.
    case = next(f for f in VALID if f.event == PLAN and f.version == "1.0.0")
    received = v1.read_envelope(_enveloped(case))
    assert received.version == "1.0.0"
    outcomes = {w: WorkflowOutcome("executed") for stage in received.event.stages for w in stage.workflows}
    summary = v1.build_execution_summary_event(received, issue_number=received.event.issue_number or 1,
                                               outcomes=outcomes, source="/executor")
    assert summary.version == v1.VERSIONS[SUMMARY] and summary.event.plan_id == received.event.plan_id
    assert "run_id" not in json.loads(mwt.to_json(summary))["data"]


@pytest.mark.parametrize("depth", [100, 600, 900])
def test_deep_open_content_the_event_accepts_is_written_and_read_enveloped(depth: int) -> None:
    # deliverable_manifest is open: JSON nested as deep as parse reads (about 990 levels) is valid.
    case = next(f for f in VALID if f.event == SUMMARY and f.version == "1.1.1")
    text = json.dumps(dict(case.payload, deliverable_manifest={"x": 0})).replace(
        '{"x": 0}', '{"x": ' + "[" * depth + "]" * depth + "}")
    event = mwt.parse(case.ref, text)
    assert b"[" * depth in mwt.to_json(event)  # was RecursionError from about 500 levels
    back = mwt.read_envelope(mwt.to_json(mwt.envelope(event, source="/p")))  # was refused: nested too deeply
    assert back.event == event
