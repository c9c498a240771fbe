"""`contracts validate --format json`, written as the findings are found.

The report is one JSON object, as before, with its keys in another order: `violations` first,
written one element at a time, then the counts and the rest, known only at the end. A run over a
3 MB stream with millions of findings holds one finding at a time, not all of them (1.7 GB).
Correlation problems come out mixed with the violations but belong at the end, under
`correlation`: they wait in a temporary file (unlinked as it is made), not in memory.
"""

from __future__ import annotations

import json
import tempfile
from typing import IO, Any

from .findings import Finding


def as_json(f: Finding) -> dict[str, Any]:
    return {"path": f.file, "line": f.line, "pointer": f.pointer, "rule": f.rule, "message": f.message}


class JsonReport:
    """Writes `{"violations": [...], <the summary's other keys>}` to `out`, element by element."""

    def __init__(self, out: IO[str]) -> None:
        self.out = out
        self.count = 0
        self.started = False  # nothing is written before there is something to say
        self.problems: IO[str] | None = None  # correlation problems, one JSON text a line

    def _start(self) -> None:
        if not self.started:
            self.out.write('{\n  "violations": [')
            self.started = True

    def add(self, finding: Finding) -> None:
        self._start()
        self.out.write(("," if self.count else "") + "\n    " + json.dumps(as_json(finding)))
        self.count += 1

    def correlation(self, finding: Finding) -> None:
        if self.problems is None:
            self.problems = tempfile.TemporaryFile("w+", encoding="utf-8")
        self.problems.write(json.dumps(as_json(finding)) + "\n")

    def finish(self, rest: dict[str, Any]) -> None:
        """Close the array, then every other key of the summary (pretty-printed as before);
        `correlation`'s problems are the ones `correlation()` was given."""
        self._start()
        self.out.write("\n  ]" if self.count else "]")
        for key, value in rest.items():
            if key == "correlation":
                self._correlation(value)
                continue
            text = json.dumps(value, indent=2).replace("\n", "\n  ")
            self.out.write(f",\n  {json.dumps(key)}: {text}")
        self.out.write("\n}\n")
        self.out.flush()

    def _correlation(self, value: dict[str, Any]) -> None:
        self.out.write(',\n  "correlation": {\n    "problems": [')
        if self.problems is not None:
            self.problems.seek(0)
            for n, line in enumerate(self.problems):
                text = json.dumps(json.loads(line), indent=2).replace("\n", "\n      ")
                self.out.write(("," if n else "") + "\n      " + text)
            self.out.write("\n    ")
        self.out.write("]")
        for key, rest in value.items():
            text = json.dumps(rest, indent=2).replace("\n", "\n    ")
            self.out.write(f",\n    {json.dumps(key)}: {text}")
        self.out.write("\n  }")

    def close(self) -> None:
        if self.problems is not None:
            self.problems.close()
            self.problems = None
