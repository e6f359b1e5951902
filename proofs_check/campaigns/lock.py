"""One run at a time per output folder: an exclusive lock on ``<folder>/.lock``.

:func:`output_lock` takes an advisory ``fcntl.flock`` lock on the file (created if needed)
and writes this process's id into it.  The operating system releases the lock when the
process ends, however it ends (Ctrl-C, ``kill -9``, a crash), so a lock left by a dead
process never blocks: the next run takes it over.  A second run while the first holds it
gets :class:`OutputLocked` (a usage error) at once, naming the holder's process id.  The
descriptor is not inherited by worker processes (Python opens files non-inheritable).
On a platform without ``fcntl`` (Windows) no lock is taken.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None

LOCK_NAME = ".lock"


class OutputLocked(ValueError):
    """Another live process holds the output folder's lock."""


@contextmanager
def output_lock(folder: Path) -> Iterator[None]:
    """Hold ``folder/.lock`` for the duration of the block; :class:`OutputLocked` if another process holds it."""
    if fcntl is None:
        yield
        return
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / LOCK_NAME
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 32, 0).decode(errors="replace").strip() or "unknown"
            raise OutputLocked(f"another run (process {holder}) is writing to {folder}; wait for it to finish "
                               "or choose another --out") from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        try:
            yield
        finally:
            os.ftruncate(fd, 0)
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)
