"""A task: a top-level function, its keyword parameters, and keys naming the pair and the code that runs it.

- ``Task.computation`` names *what* is computed: the SHA-256 of the function's
  qualified name and the ``repr`` of its parameters (sorted by name; floats' ``repr``
  round-trips exactly, frozen dataclasses print every field).
- ``Task.key`` names it *and the code that computes it*: the computation, the memgd
  sources, version and numerical libraries' versions
  (``memgd.proofs_check.campaigns.fingerprint.code_fingerprint``) and the bytes of
  every user module defining the function or something inside its parameters (a rule
  module of one's own).  A stored result is reused only under the same key; one stored
  under the same computation but another key is *stale* (:mod:`.store`).

A task needing randomness takes it from its parameters: an explicit seed, or
:func:`task_seed`, a :class:`numpy.random.SeedSequence` whose entropy is the computation
key, never anything tied to the worker that runs it (nor to the code's hash, so an edit
elsewhere does not redraw it).
"""

from __future__ import annotations

import functools
import hashlib
from dataclasses import dataclass, field
from typing import Any, Callable

import numpy as np

from memgd.proofs_check.campaigns.fingerprint import code_fingerprint, file_digest, user_module_files


@dataclass(frozen=True)
class Task:
    """``fn(**params)``, labelled for progress lines; ``fn`` must be importable (picklable by reference)."""

    fn: Callable[..., Any]
    params: dict = field(default_factory=dict)
    label: str = ""

    @functools.cached_property
    def computation(self) -> str:
        text = "|".join([f"{self.fn.__module__}.{self.fn.__qualname__}",
                         ",".join(f"{k}={self.params[k]!r}" for k in sorted(self.params))])
        return hashlib.sha256(text.encode()).hexdigest()[:32]

    @functools.cached_property
    def code(self) -> str:
        """Memgd's fingerprint and each user module's file and digest (the code that computes the task)."""
        users = [f"{path}:{file_digest(path)}" for path in user_module_files(self.fn, self.params)]
        return "|".join([code_fingerprint(), *users])

    @functools.cached_property
    def key(self) -> str:
        return hashlib.sha256(f"{self.computation}|{self.code}".encode()).hexdigest()[:32]


@dataclass(frozen=True)
class TaskResult:
    """A task's return value and the seconds it took inside the worker."""

    value: Any
    seconds: float


def task_seed(task: Task) -> np.random.SeedSequence:
    """The seed sequence of ``task``: entropy from its computation key, so it depends on nothing but the task."""
    return np.random.SeedSequence(int(task.computation, 16))
