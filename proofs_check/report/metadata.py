"""The report's metadata block: what ran, where, with which seeds, and how long it took.

``machine`` (platform, cores, Python, NumPy), ``memgd_version``, ``git_commit`` (when
the package is a git checkout, with ``git_dirty``), ``seeds`` (every source of
randomness of the report), ``run`` (arguments, backend, workers, scheduler, tasks
resumed) and ``timing`` (wall time; per section the seconds its tasks took inside
the workers, summed, and the seconds spent building it).  ``run`` and ``timing``
are the only parts that depend on how the report was run, not on what it found.
"""

from __future__ import annotations

import os
import platform
import subprocess
from pathlib import Path

import numpy as np

from memgd import __version__

SEEDS = {
    "scenarios": "each scenario's problems and runs: numpy default_rng(0) (evaluate's seed=0), the same for every "
                 "scenario, backend and worker count; lemma traces: seed 1",
    "optimizer comparison": "problems from default_rng(0); starting points and minibatches from seed 0",
    "counterexample searches": "hypothesis with derandomize=True (no database)",
}


def machine() -> dict:
    return {"platform": platform.platform(), "cpu_count": os.cpu_count(), "python": platform.python_version(),
            "numpy": np.__version__}


def git_commit() -> dict:
    """``{"git_commit": sha, "git_dirty": bool}`` when memgd runs from a git checkout, else nulls."""
    root = Path(__file__).resolve().parents[2]
    try:
        sha = subprocess.run(["git", "-C", str(root), "rev-parse", "HEAD"], capture_output=True, text=True,
                             timeout=10, check=True).stdout.strip()
        dirty = subprocess.run(["git", "-C", str(root), "status", "--porcelain", "--untracked-files=no"],
                               capture_output=True, text=True, timeout=10, check=True).stdout.strip() != ""
    except (OSError, subprocess.SubprocessError):
        return {"git_commit": None, "git_dirty": None}
    return {"git_commit": sha, "git_dirty": dirty}


def metadata(*, arguments: list[str], backend: str, workers: int, scheduler: str | None, resumed: int,
             timing: dict, partial: str = "") -> dict:
    return {
        "memgd_version": __version__,
        **git_commit(),
        "seeds": SEEDS,
        "machine": machine(),
        "run": {"arguments": arguments, "backend": backend, "workers": workers, "scheduler": scheduler,
                "tasks_resumed": resumed},
        "timing": timing,
        "partial": partial or None,
    }
