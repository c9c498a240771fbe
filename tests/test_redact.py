"""`redact`: sensitive values become keyed hashes, and the event stays valid."""

from __future__ import annotations

import hashlib
import hmac

import multi_workflow_telemetry as mwt
import pytest

from conftest import catalogue_of, fixture_payload

pytestmark = pytest.mark.package  # needs only the package: run again by `make test-lowest`

SUMMARY = "multi_workflow.execution_summary"


def _summary() -> dict:
    return fixture_payload(SUMMARY, "valid", "draft-executed-corrected")


def test_the_schema_decides_what_is_sensitive() -> None:
    # From 1.1.1 every place a deliverable path can appear is marked `x-sensitive`; each version
    # keeps the marks its own schema carries, so no list of fields lives in the code.
    assert mwt.sensitive_paths(SUMMARY) == (
        ("deliverable_manifest",), ("errors", "*", "error"), ("selection_message",),
        ("stage_runs", "*", "workflows", "*", "created_files"), ("stage_runs", "*", "workflows", "*", "message"))
    assert mwt.sensitive_paths("multi_workflow.plan_created") == (("selection_message",),)
    assert mwt.sensitive_paths(f"{SUMMARY}@1.1.0") == (("stage_runs", "*", "workflows", "*", "created_files"),)
    assert mwt.sensitive_paths("multi_workflow.plan_created@1.1.0") == ()


def test_redacted_paths_are_keyed_hashes_and_still_valid() -> None:
    original = _summary()
    redacted = mwt.redact(SUMMARY, original, b"secret-key-16-bytes+")
    assert mwt.validate(SUMMARY, redacted) == []
    path = original["stage_runs"][0]["workflows"][0]["created_files"][0]
    expected = "hmac-sha256:" + hmac.new(b"secret-key-16-bytes+", path.encode(), hashlib.sha256).hexdigest()
    assert redacted["stage_runs"][0]["workflows"][0]["created_files"] == [expected]
    # Nothing else changes, and the input is left alone.
    strip = lambda p: [[{k: v for k, v in w.items() if k not in ("created_files", "message")} for w in s["workflows"]] for s in p["stage_runs"]]  # noqa: E731
    assert strip(redacted) == strip(original)
    assert {k: v for k, v in redacted.items() if k != "stage_runs"} == {k: v for k, v in original.items() if k != "stage_runs"}
    assert original == _summary()


def test_same_key_same_hash_other_key_other_hash() -> None:
    a = mwt.redact(SUMMARY, _summary(), b"k1" * 8)
    assert a == mwt.redact(SUMMARY, _summary(), b"k1" * 8)
    assert a != mwt.redact(SUMMARY, _summary(), b"k2" * 8)


def test_dataclass_in_dataclass_out() -> None:
    obj = mwt.parse(SUMMARY, _summary())
    redacted = mwt.redact(SUMMARY, obj, b"k" * 16)
    assert type(redacted) is type(obj)
    assert redacted.stage_runs[0].workflows[0].created_files[0].startswith("hmac-sha256:")


def test_invalid_input_and_short_keys_are_refused() -> None:
    with pytest.raises(mwt.ContractViolation):
        mwt.redact(SUMMARY, {**_summary(), "stage_count": 9}, b"k" * 16)
    for key in (b"", b"k", b"k" * 15):
        with pytest.raises(ValueError, match=f"a key of at least 16 bytes \\(got {len(key)}\\)"):
            mwt.redact(SUMMARY, _summary(), key)


# Marks met through every applicator: each covers the value it was evaluated on, as JSON Schema
# collects any annotation (jsonschema-rs's `evaluate`), not only marks under `properties`.
APPLICATORS = {
    "type": "object",
    "$defs": {"secret": {"type": "string", "x-sensitive": True}},
    "properties": {
        "either": {"anyOf": [{"type": "string", "x-sensitive": True}, {"type": "integer"}]},
        "one": {"oneOf": [{"type": "string", "minLength": 3, "x-sensitive": True}, {"type": "string", "maxLength": 2}]},
        "pair": {"type": "array", "prefixItems": [{"type": "string"}, {"$ref": "#/$defs/secret"}], "items": False},
        "bag": {"type": "object", "properties": {"name": {"type": "string"}}, "additionalProperties": {"x-sensitive": True}},
        "paths": {"type": "object", "patternProperties": {"^path_": {"x-sensitive": True}}},
        "when": {"type": "object", "if": {"required": ["kind"], "properties": {"kind": {"const": "file"}}},
                 "then": {"properties": {"value": {"x-sensitive": True}}}, "else": {"properties": {"value": {"type": "string"}}}},
        "nested": {"type": "object", "x-sensitive": True, "properties": {"inner": {"type": "string", "x-sensitive": True}}},
        "rest": {"type": "object", "properties": {"keep": {"type": "string"}}, "unevaluatedProperties": {"x-sensitive": True}},
    },
}


@pytest.fixture(scope="module")
def marks(tmp_path_factory: pytest.TempPathFactory) -> mwt.Catalogue:
    return catalogue_of(tmp_path_factory.mktemp("marks"), {"x.marks": APPLICATORS})


def test_a_mark_covers_the_values_it_is_evaluated_on_through_any_applicator(marks: mwt.Catalogue) -> None:
    key = b"k" * 16
    h = lambda text: mwt.keyed_hash(text, key)  # noqa: E731
    event = {
        "either": "a/b.md", "one": "abc", "pair": ["x", "a/b.md"], "bag": {"name": "n", "extra": "a/b.md"},
        "paths": {"path_1": "a/b.md", "other": "clear"}, "when": {"kind": "file", "value": "a/b.md"},
        "nested": {"inner": "a/b.md", "deeper": ["c.md"]}, "rest": {"keep": "clear", "more": "a/b.md"},
    }
    assert mwt.redact("x.marks", event, key, marks) == {
        "either": h("a/b.md"), "one": h("abc"), "pair": ["x", h("a/b.md")], "bag": {"name": "n", "extra": h("a/b.md")},
        "paths": {"path_1": h("a/b.md"), "other": "clear"}, "when": {"kind": "file", "value": h("a/b.md")},
        # a sensitive value inside a sensitive one is hashed once, with it
        "nested": {"inner": h("a/b.md"), "deeper": [h("c.md")]}, "rest": {"keep": "clear", "more": h("a/b.md")},
    }


def test_a_mark_on_a_branch_the_value_does_not_take_covers_nothing(marks: mwt.Catalogue) -> None:
    event = {"either": 7, "one": "ab", "when": {"kind": "note", "value": "a/b.md"}, "bag": {"name": "n"}}
    assert mwt.redact("x.marks", event, b"k" * 16, marks) == event
    # The static view names only what is marked whatever the event holds.
    assert mwt.sensitive_paths("x.marks", marks) == (("nested",),)


def test_without_an_evaluator_the_static_marks_give_the_same_event(monkeypatch: pytest.MonkeyPatch) -> None:
    # Where jsonschema-rs cannot evaluate a schema, the marks under properties, items, allOf and
    # $ref are followed instead: on today's events (marked only there) the result is the same.
    from multi_workflow_telemetry import redaction

    key = b"k" * 16
    summary = fixture_payload(SUMMARY, "valid", "failed-workflow-partial-success")
    annotated = mwt.redact(SUMMARY, summary, key)
    monkeypatch.setattr(redaction, "sensitive_locations", lambda *args: None)
    assert mwt.redact(SUMMARY, summary, key) == annotated != summary
