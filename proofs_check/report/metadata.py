"""The report's metadata block: what ran, where, with which code and seeds, and how long it took.

``machine`` (platform, cores, Python, NumPy), ``memgd_version``, ``git_commit`` (when
the package is a git checkout, with ``git_dirty``), ``code_fingerprint`` (the hash of
the installed memgd sources and library versions that keys the stored tasks),
``versions`` (numpy, scipy, sympy, cvxpy, clarabel, scs, pepit, hypothesis), ``blas``
(each BLAS library loaded, from threadpoolctl: ``internal_api``, ``version``,
``num_threads`` in the report process (every task runs with one), ``architecture``,
``prefix``, and ``shipped_in``: the folder of the library, e.g. ``numpy.libs``), ``seeds`` (every source of randomness of the report), ``run`` (arguments,
backend, workers, scheduler, tasks resumed, and how many of them were stale: stored by
other code and reused with ``--allow-stale``, with the fingerprints of that code) and
``timing`` (wall time; per section the seconds its tasks took inside the workers,
summed, and the seconds spent building it).  ``stale`` repeats the stale count in
words when there is one (null otherwise).  ``run`` and ``timing`` are the only parts
that depend on how the report was run, not on what it found.
"""

from __future__ import annotations

import os
import platform
import subprocess
from pathlib import Path

import numpy as np

from memgd import __version__
from memgd.proofs_check.campaigns.fingerprint import code_fingerprint, library_versions

SEEDS = {
    "scenarios": "each scenario's problems and runs: numpy default_rng(0) (evaluate's seed=0), the same for every "
                 "scenario, backend and worker count; lemma traces: seed 1",
    "optimizer comparison": "problems from default_rng(0); starting points and minibatches from seed 0",
    "counterexample searches": "hypothesis with derandomize=True (no database)",
}


def machine() -> dict:
    return {"platform": platform.platform(), "cpu_count": os.cpu_count(), "python": platform.python_version(),
            "numpy": np.__version__}


def blas() -> list[dict]:
    """Each BLAS library loaded in this process (threadpoolctl): its implementation, version, threads, kernel."""
    from threadpoolctl import threadpool_info

    keys = ("internal_api", "version", "num_threads", "architecture", "threading_layer", "prefix")
    return [{**{k: info.get(k) for k in keys}, "shipped_in": Path(info.get("filepath") or "").parent.name or None}
            for info in threadpool_info() if info.get("user_api") == "blas"]


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
             timing: dict, partial: str = "", stale: int = 0, stale_codes: tuple[str, ...] = ()) -> dict:
    return {
        "memgd_version": __version__,
        **git_commit(),
        "code_fingerprint": code_fingerprint(),
        "versions": library_versions(),
        "blas": blas(),
        "seeds": SEEDS,
        "machine": machine(),
        "run": {"arguments": arguments, "backend": backend, "workers": workers, "scheduler": scheduler,
                "tasks_resumed": resumed, "tasks_stale": stale, "stale_code_fingerprints": list(stale_codes)},
        "timing": timing,
        "partial": partial or None,
        "stale": (f"{stale} of the {resumed} resumed tasks were computed by other code (--allow-stale): their "
                  f"numbers may not be those of the code now installed") if stale else None,
    }
