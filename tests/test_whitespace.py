"""Lines of any spacing take the fast tiers, and a repeated key is refused in any spacing.

The fast tiers trust a parser that keeps the last of a repeated key (orjson, msgspec) only after a
proof that the line holds no repeated key and was read exactly (`fast.same_bytes`,
`fast.same_length`). The proof sets insignificant whitespace aside, so these tests write events
with whitespace of every JSON kind between tokens (spaces, tabs, carriage returns; newlines too
where a document may span lines), keys written with escapes, and keys repeated at every depth.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import multi_workflow_telemetry as mwt
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from multi_workflow_telemetry import ContractViolation, fast
from multi_workflow_telemetry.catalogue import Catalogue
from multi_workflow_telemetry.structs import StructTier
from test_fast_path import _line_agrees, _line_reference, events

CATALOGUE = Catalogue.packaged()
TIER = StructTier(CATALOGUE, [CATALOGUE.get(name) for name in CATALOGUE.events()])
SETTINGS = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
LINE_SPACE = st.text(alphabet=" \t\r", max_size=3)  # inside one JSON Lines line
DOC_SPACE = st.text(alphabet=" \t\r\n", max_size=3)  # inside a .json document


def write(value: Any, space: Any, draw: Any, *, escape_keys: bool = False, repeat_at: int | None = None,
          counter: list[int] | None = None) -> str:
    """`value` as JSON text with drawn whitespace between every two tokens. `repeat_at` names the
    n-th object (depth-first) whose first member is written twice; `escape_keys` writes some key
    characters as `\\uXXXX`."""
    counter = counter if counter is not None else [0]
    gap = lambda: draw(space)  # noqa: E731
    if isinstance(value, dict):
        index = counter[0]
        counter[0] += 1
        members = []
        for key, item in value.items():
            if escape_keys and key and draw(st.booleans()):
                text = '"' + "".join(f"\\u{ord(c):04x}" if draw(st.booleans()) else c for c in key) + '"'
            else:
                text = json.dumps(key, ensure_ascii=False)
            members.append(f"{gap()}{text}{gap()}:{gap()}"
                           f"{write(item, space, draw, escape_keys=escape_keys, repeat_at=repeat_at, counter=counter)}{gap()}")
        if repeat_at == index and members:
            members.append(members[0] if draw(st.booleans()) else members[0].rstrip() + " ")  # same or new spacing
        return "{" + ",".join(members) + (gap() if not members else "") + "}"
    if isinstance(value, list):
        items = [f"{gap()}{write(v, space, draw, escape_keys=escape_keys, repeat_at=repeat_at, counter=counter)}{gap()}"
                 for v in value]
        return "[" + ",".join(items) + "]"
    return json.dumps(value, ensure_ascii=False)


@contextmanager
def proofs(which: str) -> Iterator[None]:
    """The whitespace proofs the tiers use: those installed (C, with speedups/) or the package's
    own Python; each must hold the same lines and refuse the same ones."""
    from multi_workflow_telemetry import structs

    if which == "installed":
        yield
        return
    saved = fast.same_length, fast.same_text, structs.same_length
    fast.same_length, fast.same_text, structs.same_length = fast.python_same_length, fast.python_same_text, fast.python_same_length
    try:
        yield
    finally:
        fast.same_length, fast.same_text, structs.same_length = saved


PROOFS = pytest.mark.parametrize("which", ["installed", "python"])


def _objects(value: Any) -> int:
    if isinstance(value, dict):
        return 1 + sum(_objects(v) for v in value.values())
    if isinstance(value, list):
        return sum(_objects(v) for v in value)
    return 0


@PROOFS
@SETTINGS
@given(events(), st.data())
def test_a_valid_event_in_any_line_spacing_takes_the_first_tier(which: str, drawn: tuple[str, dict[str, Any]],
                                                                 data: st.DataObject) -> None:
    event, payload = drawn
    payload = {"event_type": event, **payload}
    raw = (data.draw(LINE_SPACE) + write(payload, LINE_SPACE, data.draw) + data.draw(LINE_SPACE)).encode()
    with proofs(which):
        assert TIER.check(raw) is not None, raw  # the proof holds whatever the spacing
        _line_agrees(raw)


@PROOFS
@SETTINGS
@given(events(), st.data())
def test_a_repeated_key_at_any_depth_in_any_spacing_is_refused(which: str, drawn: tuple[str, dict[str, Any]],
                                                                data: st.DataObject) -> None:
    event, payload = drawn
    payload = {"event_type": event, **payload}
    at = data.draw(st.integers(0, _objects(payload) - 1))
    space = data.draw(st.sampled_from([st.just(""), LINE_SPACE]))
    raw = write(payload, space, data.draw, repeat_at=at, escape_keys=data.draw(st.booleans())).encode()
    with proofs(which):
        _refused_everywhere(event, raw)


def _refused_everywhere(event: str, raw: bytes) -> None:
    assert TIER.check(raw) is None, raw
    assert _line_reference(raw)[0] == "unreadable"  # the strict reader refuses a repeated key
    _line_agrees(raw)  # and so does the whole stream
    with pytest.raises(ContractViolation) as raised:
        mwt.parse(event, raw)
    assert raised.value.violations[0].rule == "json"
    validator = mwt.validator_for(event)
    assert validator.quick_json(raw) is None


@SETTINGS
@given(events(), st.data())
def test_documents_with_newlines_and_escaped_keys_read_as_the_exact_reader_reads_them(
        drawn: tuple[str, dict[str, Any]], data: st.DataObject) -> None:
    event, payload = drawn
    raw = write(payload, DOC_SPACE, data.draw, escape_keys=data.draw(st.booleans())).encode()
    assert fast.loads_exact(raw) == payload
    expected = mwt.validate(event, payload)
    if expected:
        with pytest.raises(ContractViolation) as raised:
            mwt.parse(event, raw)
        assert raised.value.violations == expected
    else:
        assert mwt.to_dict(mwt.parse(event, raw)) == payload  # bytes of any spacing, the same event


@pytest.mark.parametrize(
    ("raw", "proven"),
    [
        (b'{"a":1,"b":"x, y: z"}', True),
        (b'{"a": 1, "b": "x, y: z"}', True),
        (b'{\t"a":\t1,\r"b"\t: "x, y: z" }', True),
        (b'{\n  "a": 1,\n  "b": "x, y: z"\n}', True),
        (b'{"a": 1, "a": 1}', False),  # repeated with the same value
        (b'{"a": {"c": 1, "c": 2}}', False),
        (b'{"a": 1, "\\u0061": 1}', False),  # the same key, escaped
        (b'{"a": "\\u0020"}', False),  # an escape written back in another form: not proven, not wrong
        (b'{"a": 1e2}', False),  # a number written back in another form
        (b'{"a": 12345678901234567890123}', False),  # beyond what orjson reads exactly
    ],
)
def test_same_bytes_proves_exactly_the_exact_readings(raw: bytes, proven: bool) -> None:
    import orjson

    try:
        payload = orjson.loads(raw)
    except orjson.JSONDecodeError:
        assert not proven
        return
    assert fast.same_bytes(payload, raw) is proven
    if proven:
        assert payload == fast.loads_exact(raw)
