"""A signal is never lost: its exception, raised where Python only prints exceptions (a `__del__`,
a weakref callback during an import), is raised again at the next chunk (interrupt.py). A SIGTERM
so lost let `contracts load` run to its end and exit 1, not 143."""

from __future__ import annotations

import subprocess
import sys

import pytest

LOST = """
import os, signal
from contracts import interrupt
interrupt.install()
class Drop:
    def __del__(self):
        os.kill(os.getpid(), signal.{name})  # the handler runs in here: its exception is only printed
        sum(range(1000))
Drop()
print("went on")
try:
    interrupt.raise_if_signalled()
except {exception}:
    print("raised again")
"""


@pytest.mark.parametrize(("name", "exception"), [("SIGTERM", "interrupt.Terminated"), ("SIGINT", "KeyboardInterrupt")])
def test_a_signal_whose_exception_was_lost_is_raised_again(name: str, exception: str) -> None:
    done = subprocess.run([sys.executable, "-c", LOST.format(name=name, exception=exception)],
                          capture_output=True, text=True, timeout=60)
    assert "Exception ignored" in done.stderr  # the exception was lost where it was raised ...
    assert done.stdout.split() == ["went", "on", "raised", "again"]  # ... and raised again
