"""`contracts validate --format json`, written as the findings are found.

The report is one JSON object, as before, with its keys in another order: `violations` first,
written one element at a time, then the counts and the rest, known only at the end. A run over a
3 MB stream with millions of findings holds one finding at a time, not all of them (1.7 GB).
"""

from __future__ import annotations

import json
from typing import IO, Any


class JsonReport:
    """Writes `{"violations": [...], <the summary's other keys>}` to `out`, element by element."""

    def __init__(self, out: IO[str]) -> None:
        self.out = out
        self.count = 0
        self.started = False  # nothing is written before there is something to say

    def _start(self) -> None:
        if not self.started:
            self.out.write('{\n  "violations": [')
            self.started = True

    def add(self, violation: dict[str, Any]) -> None:
        self._start()
        self.out.write(("," if self.count else "") + "\n    " + json.dumps(violation))
        self.count += 1

    def finish(self, rest: dict[str, Any]) -> None:
        """Close the array, then every other key of the summary (pretty-printed as before)."""
        self._start()
        self.out.write("\n  ]" if self.count else "]")
        for key, value in rest.items():
            text = json.dumps(value, indent=2).replace("\n", "\n  ")
            self.out.write(f",\n  {json.dumps(key)}: {text}")
        self.out.write("\n}\n")
        self.out.flush()
