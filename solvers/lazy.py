"""Heavy optional imports deferred to first use: importing memgd.solvers stays light
(scipy.special alone adds about 24 MB to a process's resident memory)."""

from __future__ import annotations

import numpy as np


def expit(x: np.ndarray) -> np.ndarray:
    """The logistic sigmoid, ``scipy.special.expit`` itself (same bits), imported on first call."""
    from scipy.special import expit as _expit

    return _expit(x)
