"""Finished tasks on disk: one pickle per task key, written atomically.

``<folder>/<key>.pkl`` holds a :class:`~memgd.proofs_check.campaigns.tasks.TaskResult`.
A result is written to a temporary file in the same folder and moved into place
with :func:`os.replace`, so an interrupted write leaves either the whole result
or nothing.  The key already contains the memgd version (see ``tasks``): results
of another release are never read.
"""

from __future__ import annotations

import os
import pickle
import tempfile
from pathlib import Path

from memgd.proofs_check.campaigns.tasks import TaskResult


class ResultStore:
    """Pickled task results under ``folder`` (created on first use)."""

    def __init__(self, folder: Path):
        self.folder = Path(folder)

    def path(self, key: str) -> Path:
        return self.folder / f"{key}.pkl"

    def __contains__(self, key: str) -> bool:
        return self.path(key).is_file()

    def get(self, key: str) -> TaskResult | None:
        """The stored result, or None if there is none or it cannot be read (then it is recomputed)."""
        try:
            with open(self.path(key), "rb") as f:
                result = pickle.load(f)
        except (OSError, EOFError, pickle.UnpicklingError, AttributeError, ImportError):
            return None
        return result if isinstance(result, TaskResult) else None

    def put(self, key: str, result: TaskResult) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=self.folder, prefix=f".{key}.", suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as f:
                pickle.dump(result, f, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(tmp, self.path(key))
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
