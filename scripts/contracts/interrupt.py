"""Reading a stream so that Ctrl-C (or SIGTERM) is never missed while the read waits for input.

A signal's Python handler (KeyboardInterrupt for Ctrl-C) runs in the main thread between
bytecodes, and a read() that waits for input is cut short by the signal (EINTR) so that it can.
But a signal that arrives after the last such check and before the read() starts is only noted:
the read goes on waiting, and the handler with it, for as long as no input comes. A pipeline's
Ctrl-C went unheard so (`contracts validate -` with its input open: tests/test_bad_input.py b23,
about once in some hundred runs). Here each read first waits in poll() on the stream and on the
signal wakeup fd, to which the signal's C handler writes whenever the signal arrives: the poll
returns, and the handler runs.
"""

from __future__ import annotations

import contextlib
import io
import os
import select
import signal
import threading
from collections.abc import Iterator
from typing import IO


class _Raw(io.RawIOBase):
    """A file descriptor read only once it, or the signal wakeup fd, has something."""

    def __init__(self, fd: int, wakeup: int) -> None:
        super().__init__()
        self._fd = fd
        self._wakeup = wakeup
        self._poll = select.poll()
        self._poll.register(fd, select.POLLIN)
        self._poll.register(wakeup, select.POLLIN)

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        while True:
            ready = {fd for fd, _ in self._poll.poll()}
            if self._wakeup in ready:
                # A signal came: its handler runs as this returns to Python (KeyboardInterrupt,
                # Terminated); any other signal's, and the loop goes on.
                with contextlib.suppress(BlockingIOError):
                    os.read(self._wakeup, 4096)
            if ready - {self._wakeup}:  # input, its end, or an error: read() says which
                return os.readv(self._fd, [buffer])


@contextlib.contextmanager
def interruptible(stream: IO[bytes]) -> Iterator[IO[bytes]]:
    """`stream`, to be read (nothing read from it yet) in a way no signal is missed; the stream
    itself where that cannot be (no file descriptor, not the main thread)."""
    try:
        fd = stream.fileno()
    except (AttributeError, OSError, ValueError):  # io.UnsupportedOperation is both
        yield stream
        return
    if threading.current_thread() is not threading.main_thread():
        yield stream
        return
    wakeup, noted = os.pipe()
    os.set_blocking(wakeup, False)
    os.set_blocking(noted, False)
    previous = signal.set_wakeup_fd(noted, warn_on_full_buffer=False)
    try:
        yield io.BufferedReader(_Raw(fd, wakeup))
    finally:
        signal.set_wakeup_fd(previous)
        os.close(wakeup)
        os.close(noted)


class Terminated(BaseException):
    """SIGTERM, raised where the main process is, so cleanup runs as for Ctrl-C."""


# The signals whose exception was raised (`_on_signal`), in order.
_noted: list[int] = []


def install() -> None:
    """SIGTERM raises Terminated, and Ctrl-C KeyboardInterrupt (as Python's own handler does,
    unless Ctrl-C is ignored, as in a background job), each signal also noted. A handler runs
    between any two bytecodes, also in a callback whose exceptions Python only prints ("Exception
    ignored in": a weakref's, during an import): the exception was lost there, and a load went on
    to its end (exit 1, not 143). `raise_if_signalled` raises it again at the next chunk."""
    signal.signal(signal.SIGTERM, _on_signal)
    if signal.getsignal(signal.SIGINT) is signal.default_int_handler:
        signal.signal(signal.SIGINT, _on_signal)


def _on_signal(signum: int, frame: object) -> None:
    _noted.append(signum)
    raise _exception(signum)


def _exception(signum: int) -> BaseException:
    return Terminated() if signum == signal.SIGTERM else KeyboardInterrupt()


def noted() -> int | None:
    """The first signal noted since the run began, if any."""
    return _noted[0] if _noted else None


def stopped() -> BaseException:
    """The exception of the signal that stopped a library's work (DuckDB's "Query interrupted"):
    the one noted, SIGTERM's included, else Ctrl-C's."""
    return _exception(_noted[0]) if _noted else KeyboardInterrupt()


def raise_if_signalled() -> None:
    """Raise the exception of a signal noted since the run began (`install`), if any."""
    if _noted:
        raise _exception(_noted[0])
