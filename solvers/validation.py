"""Input checks shared by the solvers: each raises ``ValueError`` naming the parameter
and its allowed range.  Outcomes of runs are never reported through exceptions."""

from __future__ import annotations

import numpy as np


def _finite_array(name: str, value, allowed: str = "finite") -> np.ndarray:
    try:
        arr = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be {allowed}, got {value!r}") from None
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} must be {allowed}, got {value!r}")
    return arr


def positive(name: str, value) -> np.ndarray:
    """``value > 0`` elementwise (scalar or array); returns it as a float array."""
    arr = _finite_array(name, value, "> 0 (finite)")
    if np.any(arr <= 0):
        raise ValueError(f"{name} must be > 0, got {value!r}")
    return arr


def nonnegative(name: str, value) -> np.ndarray:
    """``value >= 0`` elementwise."""
    arr = _finite_array(name, value, ">= 0 (finite)")
    if np.any(arr < 0):
        raise ValueError(f"{name} must be >= 0, got {value!r}")
    return arr


def finite(name: str, value) -> np.ndarray:
    """Any finite real value(s)."""
    return _finite_array(name, value)


def in_half_open_unit(name: str, value) -> float:
    """``0 < value <= 1`` (for example a priority decay)."""
    v = float(_finite_array(name, value, "in (0, 1]"))
    if not 0.0 < v <= 1.0:
        raise ValueError(f"{name} must be in (0, 1], got {value!r}")
    return v


def in_unit_interval(name: str, value, *, closed_right: bool = False) -> float:
    """``0 <= value < 1`` (or ``<= 1`` with ``closed_right``): momentum factors, betas."""
    rng = "[0, 1]" if closed_right else "[0, 1)"
    v = float(_finite_array(name, value, f"in {rng}"))
    ok = 0.0 <= v <= 1.0 if closed_right else 0.0 <= v < 1.0
    if not ok:
        raise ValueError(f"{name} must be in {rng}, got {value!r}")
    return v


def integer_at_least(name: str, value, lower: int) -> int:
    """An integer ``>= lower`` (bools are refused)."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise ValueError(f"{name} must be an integer >= {lower}, got {value!r}")
    if value < lower:
        raise ValueError(f"{name} must be an integer >= {lower}, got {value!r}")
    return int(value)


def curvature_pair(mu, L) -> tuple[np.ndarray, np.ndarray]:
    """``0 < mu <= L``, both finite; scalars or arrays of one shape."""
    mu_a = positive("mu", mu)
    L_a = positive("L", L)
    if np.any(L_a < mu_a):
        raise ValueError(f"L must be >= mu, got mu={mu!r}, L={L!r}")
    return mu_a, L_a


def one_of(name: str, value: str, allowed) -> str:
    if value not in allowed:
        raise ValueError(f"{name} must be one of {sorted(allowed)}, got {value!r}")
    return value


def batch_array(name: str, value, shape: tuple[int, ...]) -> np.ndarray:
    """A finite float64 array of exactly ``shape``."""
    arr = np.asarray(value, dtype=float)
    if arr.shape != shape:
        raise ValueError(f"{name} must have shape {shape}, got {arr.shape}")
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} must be finite")
    return arr


def per_problem(name: str, value, n: int) -> np.ndarray:
    """A scalar broadcast to ``(n,)`` or an array of shape ``(n,)``."""
    arr = np.asarray(value, dtype=float)
    if arr.ndim == 0:
        return np.full(n, float(arr))
    if arr.shape != (n,):
        raise ValueError(f"{name} must be a scalar or have shape ({n},), got {arr.shape}")
    return arr
