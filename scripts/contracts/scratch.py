"""Scratch folders that a killed run does not leave behind for good.

A run cleans up its own folder when it ends, even on Ctrl-C or SIGTERM; SIGKILL (the OOM killer,
`kill -9`) leaves no chance to. So each folder's name carries the process id of the run that made
it, and every run first removes the folders of its kind whose process is gone. A process id reused
by another process keeps its folder until that one ends too: never a folder in use removed.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile


def scratch_dir(kind: str, root: str | None = None) -> str:
    """A new folder `contracts-<kind>-<pid>-…` in `root` (the temporary directory if None), after
    sweeping the folders of `kind` that earlier runs, since killed, left there."""
    sweep(kind, root)
    return tempfile.mkdtemp(prefix=f"contracts-{kind}-{os.getpid()}-", dir=root)


def memory_root(room: int) -> str | None:
    """A folder in memory (Linux's /dev/shm) with `room` bytes free, else None (the temporary
    directory): files that live for a second or two are written there as fast as memory is copied,
    where a disk's file system may take ten times as long (new blocks, writeback). A TMPDIR (or
    TEMP, TMP) set by the user is their choice of place, and is kept."""
    if any(os.environ.get(name) for name in ("TMPDIR", "TEMP", "TMP")):  # where tempfile would look first
        return None
    root = "/dev/shm"
    try:
        found = os.statvfs(root)
    except OSError:
        return None
    if not os.access(root, os.W_OK | os.X_OK) or found.f_bavail * found.f_frsize < room:
        return None
    return root


def sweep(kind: str, root: str | None = None) -> list[str]:
    """Remove the `contracts-<kind>-<pid>-…` folders whose process no longer runs; their paths."""
    owned = re.compile(rf"contracts-{re.escape(kind)}-(\d+)-")
    root = root or tempfile.gettempdir()
    removed = []
    try:
        names = os.listdir(root)
    except OSError:
        return removed
    for name in names:
        found = owned.match(name)
        if found and not _running(int(found.group(1))):
            shutil.rmtree(os.path.join(root, name), ignore_errors=True)
            removed.append(os.path.join(root, name))
    return removed


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process: alive, and not ours to judge
        return True
    return True
