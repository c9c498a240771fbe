"""The optional C proofs (speedups/, `multi_workflow_telemetry_speedups`) answer exactly as the
package's Python does, and the tiers that use them refuse what the Python refuses.

The fast tiers trust a reading only on these proofs (`fast.same_length`, `fast.same_text`), so a
C function that counted one byte wrong would let a repeated key through: the two are compared on
every kind of byte string, across the 16-byte and 4,080-byte blocks the C code counts in, and the
whitespace property tests run once with each (tests/test_whitespace.py).
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from multi_workflow_telemetry import fast

speedups = pytest.importorskip("multi_workflow_telemetry_speedups")

# Bytes a line is made of, whitespace of every JSON kind weighted up, and bytes next to them.
BYTE = st.one_of(st.sampled_from(b" \t\n\r"), st.sampled_from(b'{}[]:,"\\ae0\x0b\x0c\x1f!\xff\xa0'), st.integers(0, 255))
TEXT = st.lists(BYTE, max_size=300).map(bytes)
# Long enough to cross a block of 255 sixteen-byte rounds (4,080 bytes) and end off a 16-byte edge.
LONG = st.tuples(st.integers(4000, 9000), st.sampled_from(b" \t\n\rx"), st.integers(0, 2**32)).map(
    lambda t: bytes(b" \tx\n\r{}"[(t[2] * (i + 1) * 2654435761 >> 7) % 7] if i % 3 else t[1] for i in range(t[0])))


@settings(max_examples=400, deadline=None)
@given(TEXT, TEXT)
def test_same_length_counts_as_the_python_does(written: bytes, raw: bytes) -> None:
    assert speedups.same_length(written, raw) is fast.python_same_length(written, raw)
    assert speedups.same_length(bytearray(written), raw) is fast.python_same_length(written, raw)


@settings(max_examples=400, deadline=None)
@given(TEXT, TEXT)
def test_same_text_compares_as_the_python_does(written: bytes, raw: bytes) -> None:
    assert speedups.same_text(written, raw) is fast.python_same_text(written, raw)
    # And on pairs that differ only in their whitespace, where the answer is usually yes.
    spaced = b"".join(bytes([b]) + b" \t"[: b % 3] for b in written.replace(b" ", b""))
    assert speedups.same_text(written, spaced) is fast.python_same_text(written, spaced)


@settings(max_examples=60, deadline=None)
@given(LONG, st.integers(0, 40))
def test_long_texts_are_counted_to_the_byte(raw: bytes, cut: int) -> None:
    raw = raw[cut:]
    written = raw.translate(None, b"\t\n\r")  # same length less whitespace: proven; one byte more: not
    assert speedups.same_length(written, raw) is fast.python_same_length(written, raw) is True
    assert speedups.same_length(written + b"x", raw) is fast.python_same_length(written + b"x", raw) is False
    assert speedups.same_text(written, raw) is fast.python_same_text(written, raw) is True


def test_only_bytes_are_taken() -> None:
    with pytest.raises(TypeError, match="written must be bytes or bytearray, not str"):
        speedups.same_length("{}", b"{}")
    with pytest.raises(TypeError, match="takes 2 arguments"):
        speedups.same_text(b"{}")


def test_the_package_uses_them_when_installed() -> None:
    # `make build` installs speedups/ into the venv: the tiers then run the C proofs.
    from multi_workflow_telemetry import structs

    assert fast.same_length is speedups.same_length
    assert fast.same_text is speedups.same_text
    assert structs.same_length is speedups.same_length
