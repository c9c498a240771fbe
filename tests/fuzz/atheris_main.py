"""One atheris fuzzing process for one target (started by run.py)."""

from __future__ import annotations

import sys
from pathlib import Path

import atheris

sys.path.insert(0, str(Path(__file__).resolve().parent))  # targets, schema_pairs

with atheris.instrument_imports():
    import multi_workflow_telemetry  # noqa: F401
    import contracts.compat  # noqa: F401
    from targets import TARGETS


def main() -> None:
    target = TARGETS[sys.argv[1]]
    atheris.Setup([sys.argv[0], *sys.argv[2:]], target)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
