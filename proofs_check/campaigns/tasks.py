"""A task: a top-level function, its keyword parameters, and a key naming the pair.

The key is the SHA-256 of the function's qualified name, the ``repr`` of its
parameters (sorted by name; floats' ``repr`` round-trips exactly, frozen
dataclasses print every field) and the memgd version, so a stored result is
reused only for the same computation by the same code release.  A task needing
randomness takes it from its parameters: an explicit seed, or
:func:`task_seed`, a :class:`numpy.random.SeedSequence` whose entropy is the
key, never anything tied to the worker that runs it.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any, Callable

import numpy as np

from memgd import __version__


@dataclass(frozen=True)
class Task:
    """``fn(**params)``, labelled for progress lines; ``fn`` must be importable (picklable by reference)."""

    fn: Callable[..., Any]
    params: dict = field(default_factory=dict)
    label: str = ""

    @property
    def key(self) -> str:
        text = "|".join([f"{self.fn.__module__}.{self.fn.__qualname__}",
                         ",".join(f"{k}={self.params[k]!r}" for k in sorted(self.params)), __version__])
        return hashlib.sha256(text.encode()).hexdigest()[:32]


@dataclass(frozen=True)
class TaskResult:
    """A task's return value and the seconds it took inside the worker."""

    value: Any
    seconds: float


def task_seed(task: Task) -> np.random.SeedSequence:
    """The seed sequence of ``task``: entropy from its key, so it depends on nothing but the task."""
    return np.random.SeedSequence(int(task.key, 16))
