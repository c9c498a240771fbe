"""The contract's runtime as runtime/ defines it now, not as the installed package copy has it.

`contracts generate` writes the docs pages before it rewrites generated/, so pages built from the
installed copy would lag one run behind a change to a rule or a message. Importing the modules
from runtime/ instead brings the pages and the package up to date in one run.
"""

from __future__ import annotations

import importlib
import sys
import types
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from ..project import Project

_NAME = "_contracts_runtime_source"


@contextmanager
def runtime_modules(project: Project, *names: str) -> Iterator[list[Any]]:
    """The modules `names` of runtime/multi_workflow_telemetry/, imported from source.

    They are loaded into a bare package (its `__init__` is not run: it imports `v1`, which only
    exists in generated/), and removed again on exit.
    """
    package = types.ModuleType(_NAME)
    package.__path__ = [str(project.runtime)]
    sys.modules[_NAME] = package
    try:
        yield [importlib.import_module(f"{_NAME}.{name}") for name in names]
    finally:
        for key in [k for k in sys.modules if k == _NAME or k.startswith(_NAME + ".")]:
            del sys.modules[key]
