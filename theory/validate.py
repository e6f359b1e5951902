r"""Input checks: bad parameters raise ``ValueError`` naming the parameter and its range.

Allowed ranges (docs/math/method.md; every combination rule satisfies them):
:math:`0 < \mu < \infty`, :math:`\mu \le L < \infty`, :math:`\alpha > 0`, :math:`s_{lo}`
finite, :math:`s_{hi} \ge s_{lo}`, :math:`B \ge 0`,
:math:`W \ge \max(B, |s_{lo}|, |s_{hi}|)` (since :math:`W_k = |a_k| + \sum_c|b_{k,c}|
\ge |s_k|`), :math:`T \in \{0, 1, \dots\}` with :math:`T \ge 1` wherever :math:`B > 0`
(stored gradients have ages :math:`1..T`), :math:`0 < \varepsilon`.
A hypothesis of the theorem failing (e.g. :math:`s_{lo} \le 0`) is *not* bad input:
it gives a vacuous bound.  Relations between parameters are checked elementwise
after broadcasting, with a relative slack of 1e-12 for constants computed in
floating point by different summation orders.
"""

from __future__ import annotations

import numpy as np

_REL = 1e-12


def _array(name: str, value: object) -> np.ndarray:
    try:
        arr = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{name} must be a real number or array of real numbers, got {value!r}") from exc
    return arr


def _require(name: str, ok: np.ndarray, rng: str, value: np.ndarray) -> None:
    if not np.all(ok):
        bad = np.asarray(value)[~np.asarray(ok)] if np.ndim(ok) else value
        raise ValueError(f"{name} must be {rng}, got {np.ravel(bad)[0]!r}")


def check(**params: object) -> dict[str, np.ndarray]:
    """Validate the named parameters; return them as float64 arrays (unbroadcast).

    Known names: mu, L, alpha, s_lo, s_hi, B, W, T, eps, kappa.  Relations are
    checked only between parameters that are present.
    """
    out = {name: _array(name, value) for name, value in params.items()}
    for name, arr in out.items():
        if np.any(np.isnan(arr)) or np.any(np.isinf(arr)):
            rng = {
                "mu": "a finite number > 0", "L": "a finite number >= mu", "alpha": "a finite number > 0",
                "B": "a finite number >= 0", "W": "a finite number >= max(B, |s_lo|, |s_hi|)",
                "T": "a finite integer >= 0", "eps": "a finite number > 0",
            }.get(name, "a finite real number")
            bad = arr[~np.isfinite(arr)] if arr.ndim else arr
            raise ValueError(f"{name} must be {rng}, got {np.ravel(bad)[0]!r}")
    if "mu" in out:
        _require("mu", out["mu"] > 0, "a finite number > 0", out["mu"])
    if "L" in out:
        lo = out.get("mu", np.float64(0.0))
        ok = np.broadcast_to(out["L"] >= lo * (1 - _REL), np.broadcast_shapes(out["L"].shape, lo.shape))
        _require("L", ok, "a finite number >= mu (L >= mu > 0)", np.broadcast_to(out["L"], ok.shape))
        _require("L", out["L"] > 0, "a finite number >= mu > 0", out["L"])
    if "alpha" in out:
        _require("alpha", out["alpha"] > 0, "a finite number > 0", out["alpha"])
    if "s_hi" in out and "s_lo" in out:
        ok = out["s_hi"] >= out["s_lo"] - _REL * np.abs(out["s_lo"])
        _require("s_hi", ok, "a finite number >= s_lo", np.broadcast_to(out["s_hi"], np.shape(ok)))
    if "B" in out:
        _require("B", out["B"] >= 0, "a finite number >= 0", out["B"])
    if "W" in out:
        floor = np.zeros(())
        for name in ("B", "s_lo", "s_hi"):
            if name in out:
                floor = np.maximum(floor, np.abs(out[name]))
        ok = out["W"] >= floor * (1 - _REL)
        _require("W", ok, "a finite number >= max(B, |s_lo|, |s_hi|)", np.broadcast_to(out["W"], np.shape(ok)))
    if "T" in out:
        t = out["T"]
        _require("T", (t >= 0) & (t == np.floor(t)), "an integer >= 0", t)
        if "B" in out:
            ok = (out["B"] == 0) | (t >= 1)
            _require("T", ok, "an integer >= 1 where B > 0 (stored gradients have ages 1..T)",
                     np.broadcast_to(t, np.shape(ok)))
    if "eps" in out:
        _require("eps", out["eps"] > 0, "a finite number > 0", out["eps"])
    return out


def as_output(arr: np.ndarray) -> float | np.ndarray:
    """A 0-d result as a Python float (or bool), arrays unchanged."""
    arr = np.asarray(arr)
    if arr.ndim == 0:
        return arr.item()
    return arr
