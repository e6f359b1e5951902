"""Finished tasks on disk: one pickle per computation, holding the key of the code that made it.

``<folder>/<computation>.pkl`` holds a :class:`Stored`: the task's full key (computation and
code, :mod:`~memgd.proofs_check.campaigns.tasks`), its code description and the
:class:`~memgd.proofs_check.campaigns.tasks.TaskResult`.  ``ResultStore.lookup`` says
whether a stored result is *fresh* (made by the code now installed: same key) or *stale*
(same computation, other code: a memgd source, a user's rule module or a library version
changed since).  Stale results are never reused unless the caller says so
(:func:`~memgd.proofs_check.campaigns.backends.run_tasks`, ``allow_stale``); a new result
replaces the stale one.  A result is written to a temporary file in the same folder and
moved into place with :func:`os.replace`, so an interrupted write leaves either the whole
result or nothing.
"""

from __future__ import annotations

import os
import pickle
import tempfile
from dataclasses import dataclass
from pathlib import Path

from memgd.proofs_check.campaigns.tasks import Task, TaskResult


@dataclass(frozen=True)
class Stored:
    """A stored result, the key it was stored under and the code that made it."""

    key: str
    code: str
    result: TaskResult


@dataclass(frozen=True)
class Found:
    """What ``ResultStore.lookup`` found for a task: the result, and whether this code made it."""

    result: TaskResult
    fresh: bool
    code: str  # the code description it was stored with


class ResultStore:
    """Pickled task results under ``folder`` (created on first use)."""

    def __init__(self, folder: Path):
        self.folder = Path(folder)

    def path(self, task: Task) -> Path:
        return self.folder / f"{task.computation}.pkl"

    def lookup(self, task: Task) -> Found | None:
        """The stored result of ``task``'s computation, fresh or stale; None if none or unreadable (recomputed)."""
        try:
            with open(self.path(task), "rb") as f:
                stored = pickle.load(f)
        except (OSError, EOFError, pickle.UnpicklingError, AttributeError, ImportError, TypeError, ValueError):
            return None
        if not isinstance(stored, Stored) or not isinstance(stored.result, TaskResult):
            return None
        return Found(stored.result, stored.key == task.key, stored.code)

    def get(self, task: Task) -> TaskResult | None:
        """The result stored by the code now installed, or None."""
        found = self.lookup(task)
        return found.result if found is not None and found.fresh else None

    def put(self, task: Task, result: TaskResult) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=self.folder, prefix=f".{task.computation}.", suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as f:
                pickle.dump(Stored(task.key, task.code, result), f, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(tmp, self.path(task))
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
