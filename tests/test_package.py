"""The package services pin: parse, serialise, build, pin a major, and type-check."""

from __future__ import annotations

import copy
import json
import dataclasses
import hashlib
import os
import re
import subprocess
import sys
from pathlib import Path

import multi_workflow_telemetry as mwt
import pytest
import rfc8785
from multi_workflow_telemetry import ABSENT, ContractViolation, PlannedStage, WorkflowOutcome, v1

from conftest import REPO, fixture_payload

# Needs only the package: run again by `make test-lowest`. Wheels are built from generated/python one at a time.
pytestmark = [pytest.mark.package, pytest.mark.xdist_group("wheel")]

FIXTURES = mwt.golden_fixtures()
PLAN, SUMMARY = "multi_workflow.plan_created", "multi_workflow.execution_summary"


def test_the_package_ships_every_fixture() -> None:
    assert len(FIXTURES) == len(list((REPO / "fixtures").glob("*/*/*/*.json")))


@pytest.mark.parametrize("case", [f for f in FIXTURES if f.valid], ids=lambda f: f.id)
def test_valid_fixture_round_trips_to_canonical_bytes(case: mwt.Fixture) -> None:
    obj = mwt.parse(case.ref, case.payload)
    assert mwt.to_json(obj) == rfc8785.dumps(case.payload)
    assert mwt.parse(case.ref, mwt.to_json(obj)) == obj  # bytes in, the same object out


@pytest.mark.parametrize("case", [f for f in FIXTURES if not f.valid], ids=lambda f: f.id)
def test_invalid_fixture_is_rejected_by_parse_with_its_violations(case: mwt.Fixture) -> None:
    with pytest.raises(ContractViolation) as raised:
        mwt.parse(case.ref, case.payload)
    assert {(v.pointer, v.rule) for v in raised.value.violations} == case.expect


def test_absent_and_null_stay_apart() -> None:
    plan = fixture_payload(PLAN, "valid", "draft-example")
    with_null = {**plan, "issue_number": None}
    without = {k: v for k, v in plan.items() if k != "issue_number"}
    assert mwt.parse(PLAN, with_null).issue_number is None
    assert mwt.parse(PLAN, without).issue_number is ABSENT
    assert mwt.to_dict(mwt.parse(PLAN, with_null))["issue_number"] is None
    assert "issue_number" not in mwt.to_dict(mwt.parse(PLAN, without))


def test_parse_accepts_str_and_bytes_and_reports_bad_json() -> None:
    text = rfc8785.dumps(fixture_payload(PLAN, "valid", "draft-example"))
    assert mwt.parse(PLAN, text) == mwt.parse(PLAN, text.decode())
    with pytest.raises(ContractViolation, match="not valid JSON"):
        mwt.parse(PLAN, b'{"plan_id": ')


def test_dataclasses_are_frozen_and_keyword_only() -> None:
    plan = mwt.parse(PLAN, fixture_payload(PLAN, "valid", "draft-example"))
    with pytest.raises(dataclasses.FrozenInstanceError):
        plan.stage_count = 9  # type: ignore[misc]
    with pytest.raises(TypeError):
        v1.Stage(0, "parallel", ["a"], [])  # type: ignore[misc]
    assert not hasattr(plan, "__dict__")  # slots


def test_builder_fills_derived_fields() -> None:
    plan = mwt.build_plan_created_event(
        stages=[PlannedStage("parallel", ["policy-overview", "compliance-advisory"], ["b", "a", "a"]),
                PlannedStage("sequential", ["enforcement-snapshot"])],
        allow_partial_success=True,
        preview_only=False,
        issue_number=482,
    )
    assert (plan.stage_count, plan.workflow_count) == (2, 3)
    assert plan.stages[0].workflows == ["compliance-advisory", "policy-overview"]
    assert plan.stages[0].blocking_conflicts == ["a", "b"]
    assert [s.index for s in plan.stages] == [0, 1]
    assert re.fullmatch(r"multiwf-[0-9a-f]{32}", plan.plan_id)
    assert mwt.validate(PLAN, mwt.to_dict(plan)) == []


def test_builder_refuses_a_plan_that_breaks_the_contract() -> None:
    with pytest.raises(ContractViolation) as raised:
        mwt.build_plan_created_event(
            stages=[PlannedStage("parallel", ["a"]), PlannedStage("sequential", ["a"])],
            allow_partial_success=True, preview_only=False,
        )
    assert [v.rule for v in raised.value.violations] == ["MW006"]


def test_summary_builder_mirrors_the_plan_and_lists_failures() -> None:
    plan = mwt.parse(PLAN, fixture_payload(PLAN, "valid", "draft-example"))
    summary = mwt.build_execution_summary_event(
        plan,
        issue_number=482,
        outcomes={
            "compliance-advisory": WorkflowOutcome("executed", ["study/482/compliance-advisory/report.md"]),
            "policy-overview": WorkflowOutcome("failed", error="timeout"),
            "enforcement-snapshot": WorkflowOutcome("executed"),
        },
    )
    assert summary.status == "executed"
    assert [r.workflow_name for s in summary.stage_runs for r in s.workflows] == [
        "compliance-advisory", "policy-overview", "enforcement-snapshot"]
    assert summary.errors == [v1.ErrorEntry(workflow_name="policy-overview", error="timeout")]


def test_summary_builder_for_a_preview_only_plan_equals_the_draft_preview() -> None:
    plan_payload = {**fixture_payload(PLAN, "valid", "draft-example"), "preview_only": True}
    plan = mwt.parse(PLAN, plan_payload)
    summary = mwt.build_execution_summary_event(plan, issue_number=482)
    expected = copy.deepcopy(fixture_payload(SUMMARY, "valid", "draft-preview-skip-corrected"))
    for key in ("selection_reason", "selection_message"):
        expected[key] = plan_payload[key]  # the builder echoes them, as the draft allows
    assert mwt.to_dict(summary) == expected


def test_summary_builder_needs_every_outcome() -> None:
    plan = mwt.parse(PLAN, fixture_payload(PLAN, "valid", "draft-example"))
    with pytest.raises(ValueError, match="no outcome for workflow 'compliance-advisory'"):
        mwt.build_execution_summary_event(plan, issue_number=482, outcomes={})


def test_v1_pins_major_one() -> None:
    assert set(v1.VERSIONS) == {PLAN, SUMMARY, "multi_workflow.batch_metrics"}
    assert all(version.startswith("1.") for version in v1.VERSIONS.values())
    assert isinstance(v1.parse(PLAN, fixture_payload(PLAN, "valid", "draft-example")), v1.PlanCreated)
    with pytest.raises(LookupError, match="no major 1 version"):
        v1.parse("multi_workflow.unknown", {})


@pytest.mark.tooling
def test_mypy_strict_on_the_package_and_a_typed_consumer() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-incremental",
         str(REPO / "generated/python/src/multi_workflow_telemetry"), str(REPO / "tests/consumer/typed_service.py")],
        capture_output=True, text=True, cwd=REPO, timeout=600,
    )
    assert done.returncode == 0, done.stdout


def _snippet(readme: str, name: str) -> str:
    return readme.split(f"<!-- {name} -->")[1].split("```python")[1].split("```")[0]


def test_readme_snippets_run_and_the_consumer_reads_what_the_service_published() -> None:
    readme = (REPO / "README.md").read_text()
    service, consumer = _snippet(readme, "service-snippet"), _snippet(readme, "consumer-snippet")
    assert len(service.strip().splitlines()) <= 10
    namespace: dict[str, object] = {}
    exec(compile(service, "README.md", "exec"), namespace)  # noqa: S102 - the README's own example
    assert json.loads(namespace["wire"])["type"] == SUMMARY  # type: ignore[arg-type]  # published enveloped
    exec(compile(consumer, "README.md", "exec"), namespace)  # noqa: S102
    assert namespace["received"].event == namespace["summary"].event  # type: ignore[attr-defined]


def _wheel(out: Path, front_end: str = "build") -> str:
    """The SHA-256 of a wheel built by a front end, with no SOURCE_DATE_EPOCH (as a user builds it)."""
    env = {k: v for k, v in os.environ.items() if k != "SOURCE_DATE_EPOCH"}
    command = ([sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", str(out)] if front_end == "build"
               else [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation", "-w", str(out)])
    subprocess.run([*command, str(REPO / "generated/python")], check=True, capture_output=True, env=env, timeout=300)
    (wheel,) = out.glob("*.whl")
    return hashlib.sha256(wheel.read_bytes()).hexdigest()


@pytest.mark.tooling
def test_the_same_wheel_from_every_front_end_whatever_the_file_times(tmp_path: Path) -> None:
    first = _wheel(tmp_path / "pip1", "pip")
    for source in (REPO / "generated/python/src").rglob("*.py"):  # a checkout's times are arbitrary
        os.utime(source, (1_900_000_000, 1_900_000_000))
    assert _wheel(tmp_path / "pip2", "pip") == first
    assert _wheel(tmp_path / "build", "build") == first


@pytest.mark.tooling
def test_wheel_builds_twice_to_the_same_bytes_and_works_installed(tmp_path: Path) -> None:
    assert _wheel(tmp_path / "a") == _wheel(tmp_path / "b")
    (wheel,) = (tmp_path / "a").glob("*.whl")
    target = tmp_path / "site"
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--target", str(target), str(wheel)],
                   check=True, capture_output=True, timeout=300)
    probe = ("import multi_workflow_telemetry as m; "
             "print(m.__file__); print(len(m.golden_fixtures())); print(m.v1.VERSIONS['multi_workflow.plan_created'])")
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True,
                          env={**os.environ, "PYTHONPATH": str(target)}, cwd=tmp_path, timeout=120)
    where, count, version = done.stdout.split()
    assert where.startswith(str(target))
    assert int(count) == len(FIXTURES)
    assert version == v1.VERSIONS[PLAN]
    # The README's service snippet, against the installed wheel alone, outside the repository.
    readme = (REPO / "README.md").read_text()
    (tmp_path / "snippet.py").write_text(_snippet(readme, "service-snippet") + _snippet(readme, "consumer-snippet"))
    snippet = subprocess.run([sys.executable, "-I", "-c", f"import sys; sys.path.insert(0, {str(target)!r}); "
                              "exec(open('snippet.py').read())"],
                             capture_output=True, text=True, cwd=tmp_path, timeout=120)
    assert snippet.returncode == 0, snippet.stderr


@pytest.mark.parametrize(
    ("text", "says"),
    [
        (b'{"a": NaN}', "NaN is not a JSON number"),
        (b'{"a": -Infinity}', "-Infinity is not a JSON number"),
        (b'{"plan_id": "a", "plan_id": "b"}', "duplicate key 'plan_id'"),
        (b"[" * 100_000 + b"]" * 100_000, "nested too deeply"),
        (b"\xff\xfe", "not UTF-8"),
        (b'{"plan_id": ', "not valid JSON"),
    ],
)
def test_parse_refuses_what_is_not_one_json_document(text: bytes, says: str) -> None:
    with pytest.raises(ContractViolation) as raised:
        mwt.parse(PLAN, text)
    (violation,) = raised.value.violations
    assert (violation.pointer, violation.rule) == ("", "json")
    assert says in violation.message


def test_integers_are_exact() -> None:
    plan = fixture_payload(PLAN, "valid", "draft-example")
    largest = {**plan, "issue_number": 2**53 - 1}
    assert mwt.to_json(mwt.parse(PLAN, json.dumps(largest))) == rfc8785.dumps(largest)
    # Beyond 64 bits: read exactly, and refused by the contract's I-JSON bound, not by a parser.
    (violation,) = mwt.validate(PLAN, {**plan, "issue_number": 2**70})
    assert (violation.pointer, violation.rule) == ("/issue_number", "maximum")
    assert str(2**70) in violation.message
    # 2.0 is an integer in JSON Schema 2020-12; 2.5 is not.
    assert mwt.validate(PLAN, {**plan, "stage_count": 2.0}) == []
    assert [v.rule for v in mwt.validate(PLAN, {**plan, "stage_count": 2.5})] == ["type"]


@pytest.mark.tooling
def test_the_wheel_declares_every_library_it_imports(tmp_path: Path) -> None:
    import ast
    import zipfile
    from importlib.metadata import packages_distributions

    _wheel(tmp_path)
    (wheel,) = tmp_path.glob("*.whl")
    with zipfile.ZipFile(wheel) as archive:
        metadata = next(n for n in archive.namelist() if n.endswith("METADATA"))
        requires = {re.split(r"[ ;<>=!~\[]", line.split(":", 1)[1].strip())[0].lower().replace("_", "-")
                    for line in archive.read(metadata).decode().splitlines() if line.startswith("Requires-Dist:")}
        sources = [archive.read(n).decode() for n in archive.namelist() if n.endswith(".py")]
    imported = set()
    for source in sources:
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, ast.Import):
                imported |= {a.name.split(".")[0] for a in node.names}
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                imported.add(node.module.split(".")[0])
    distributions = packages_distributions()
    third_party = {d.lower().replace("_", "-") for name in imported - set(sys.stdlib_module_names) - {"multi_workflow_telemetry"}
                   for d in distributions.get(name, [name])}
    assert third_party <= requires, f"imported but not declared: {sorted(third_party - requires)}"


def test_every_public_name_resolves_and_submodules_load_on_demand() -> None:
    # The package loads its submodules on first use (start-up of `contracts validate`); every name
    # it exports must still resolve, to the object its submodule defines.
    probe = (
        "import sys, multi_workflow_telemetry as m\n"
        "import multi_workflow_telemetry.fast, multi_workflow_telemetry.validation\n"
        "print(sorted(n for n in ('jsonschema', 'referencing', 'multi_workflow_telemetry.v1',\n"
        "                          'multi_workflow_telemetry.codec') if n in sys.modules))\n"
        "import multi_workflow_telemetry.redaction\n"  # a submodule imported first must not shadow redact()
        "print(callable(m.redact), m.redact.__module__)\n"
        "print(all(getattr(m, name) is not None for name in m.__all__), set(m.__all__) <= set(dir(m)))\n"
        "print(m.golden_fixtures is __import__('multi_workflow_telemetry.fixtures').fixtures.packaged)\n"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=120)
    assert done.stdout.splitlines() == [
        "[]", "True multi_workflow_telemetry.redaction", "True True", "True",
    ], done.stdout + done.stderr
    with pytest.raises(AttributeError, match="no attribute 'nothing_here'"):
        getattr(mwt, "nothing_here")


def test_parse_reads_json_text_quickly_only_when_exact() -> None:
    # Compact JSON takes orjson and the fast path; a repeated key or an integer beyond 64 bits
    # is read again exactly, with the same answer the standard library's strict reading gives.
    case = next(c for c in FIXTURES if c.valid and c.event == PLAN)
    compact = json.dumps(case.payload, separators=(",", ":")).encode()
    assert mwt.parse(case.ref, compact) == mwt.parse(case.ref, case.payload)
    repeated = compact.replace(b'"stage_count":', b'"stage_count":1,"stage_count":', 1)
    with pytest.raises(ContractViolation, match="duplicate key 'stage_count'"):
        mwt.parse(case.ref, repeated)
    big = compact.replace(f'"stage_count":{case.payload["stage_count"]}'.encode(), b'"stage_count":' + str(2**70).encode(), 1)
    with pytest.raises(ContractViolation) as caught:
        mwt.parse(case.ref, big)
    assert any(str(2**70) in v.message for v in caught.value.violations)


def test_integer_fields_hold_ints_when_the_json_writes_them_as_floats() -> None:
    # JSON Schema counts 1.0 as an integer (docs/bad-input.md B11): valid, and the dataclass's
    # `int` fields hold ints (`range(event.stage_count)` works), with the same canonical bytes.
    payload = fixture_payload(PLAN, "valid", "draft-example")
    floats = dict(payload, issue_number=float(payload["issue_number"]), stage_count=float(payload["stage_count"]),
                  stages=[dict(s, index=float(s["index"])) for s in payload["stages"]])
    for data in (floats, json.dumps(floats), json.dumps(floats).encode()):
        event = v1.parse(PLAN, data)
        assert type(event.issue_number) is int and type(event.stage_count) is int
        assert all(type(stage.index) is int for stage in event.stages)
        assert mwt.to_json(event) == mwt.to_json(v1.parse(PLAN, payload))


def test_v1_says_it_takes_a_name_not_a_version() -> None:
    with pytest.raises(LookupError, match="take an event name, not a version") as raised:
        v1.parse(f"{PLAN}@1.0.0", {})
    assert "no major 1 version" not in str(raised.value)  # plan_created has major 1 versions
