"""ABSENT: the value of an optional field the payload does not carry.

The contract tells "absent" and "null" apart (`issue_number` may be null; `batch_id` may be
left out but never null), so the dataclasses default optional fields to ABSENT, not None, and
`to_dict` leaves them out of the wire form.
"""

from __future__ import annotations

import enum
from typing import Final, Literal


class Absent(enum.Enum):
    """The type of ABSENT, a single value (an enum, so type checkers can narrow on it)."""

    ABSENT = "ABSENT"

    def __repr__(self) -> str:
        return "ABSENT"

    def __bool__(self) -> Literal[False]:
        return False


ABSENT: Final = Absent.ABSENT
