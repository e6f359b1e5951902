"""Timing helpers shared by the benchmarks: per-step times as medians of repeated runs.

Every figure is a *ratio or exponent from one process*: absolute times depend on
the machine, ratios much less.  A per-step time is (total run time) / steps, the
median over ``repeats`` runs; runs of the things compared are interleaved so that
a drift of the machine (another job, frequency scaling) hits both alike.
"""

from __future__ import annotations

import math
import os
import platform
import statistics
import time
from typing import Callable

import numpy as np


def per_step(fn: Callable[[int], object], steps: int, repeats: int) -> float:
    """Median over ``repeats`` of (time of ``fn(steps)``) / ``steps``, after one warm-up call."""
    fn(min(steps, 5))
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        fn(steps)
        times.append((time.perf_counter() - t) / steps)
    return statistics.median(times)


def interleaved(fns: dict[str, Callable[[int], object]], steps: int, repeats: int) -> dict[str, float]:
    """Median per-step time of each callable, the callables run in turn ``repeats`` times."""
    for fn in fns.values():
        fn(min(steps, 5))
    times: dict[str, list[float]] = {name: [] for name in fns}
    for _ in range(repeats):
        for name, fn in fns.items():
            t = time.perf_counter()
            fn(steps)
            times[name].append((time.perf_counter() - t) / steps)
    return {name: statistics.median(v) for name, v in times.items()}


def exponent(t_small: float, t_large: float, factor: float = 4.0) -> float:
    """Growth exponent log(t_large / t_small) / log(factor); NaN if a time is not positive."""
    if t_small <= 0 or t_large <= 0:
        return float("nan")
    return math.log(t_large / t_small) / math.log(factor)


def machine() -> dict:
    """Cores, Python, NumPy and the BLAS NumPy was built with (and threadpoolctl's view if installed)."""
    info = dict(
        cpu_count=os.cpu_count(),
        platform=platform.platform(),
        processor=_cpu_model(),
        python=platform.python_version(),
        numpy=np.__version__,
        load_average=os.getloadavg(),
    )
    try:
        config = np.show_config(mode="dicts")
        blas = config.get("Build Dependencies", {}).get("blas", {})
        info["blas"] = f"{blas.get('name', '?')} {blas.get('version', '')}".strip()
        info["blas_config"] = blas.get("openblas configuration", "")
    except Exception as exc:  # show_config's layout is not a stable API
        info["blas"] = f"unknown ({type(exc).__name__})"
    try:
        from threadpoolctl import threadpool_info
        info["threadpools"] = [{k: p.get(k) for k in ("internal_api", "version", "num_threads")}
                               for p in threadpool_info()]
    except ImportError:
        info["threadpools"] = "threadpoolctl not installed"
    return info


def _cpu_model() -> str:
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "?"


def table(header: list[str], rows: list[list], floatfmt: str = ".3g") -> str:
    """A plain-text table: columns right-aligned, floats formatted with ``floatfmt``."""
    cells = [[format(v, floatfmt) if isinstance(v, float) else str(v) for v in row] for row in rows]
    widths = [max(len(h), *(len(r[i]) for r in cells)) if cells else len(h) for i, h in enumerate(header)]
    lines = ["  ".join(h.rjust(w) for h, w in zip(header, widths))]
    lines += ["  ".join(c.rjust(w) for c, w in zip(r, widths)) for r in cells]
    return "\n".join(lines)
