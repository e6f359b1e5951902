r"""Eigenvalue spectra in [mu, L] with both endpoints present, and random orthogonal bases.

Each spectrum is an ``(n, d)`` array whose rows contain ``mu`` and ``L`` exactly
and ``d - 2`` further values drawn by the named law (for ``d = 1`` the one value
is drawn by the law, so ``mu`` and ``L`` are then bounds, attained only if drawn
or if ``mu = L``):

- ``uniform``: uniform on [mu, L];
- ``two_point``: each value is mu or L with probability 1/2;
- ``log_uniform``: exp of a uniform on [log mu, log L];
- ``clustered``: half near mu and half near L (within 5 % of the range).
"""

from __future__ import annotations

import numpy as np

SPECTRA = ("uniform", "two_point", "log_uniform", "clustered")


def spectrum(kind: str, mu: np.ndarray, L: np.ndarray, d: int, rng: np.random.Generator) -> np.ndarray:
    """Eigenvalues of shape (n, d) in [mu, L] with mu and L present (d >= 2); ``mu``, ``L`` are (n,)."""
    n = mu.shape[0]
    lo, hi = mu[:, None], L[:, None]
    rest = d - 2 if d >= 2 else 1
    if kind == "uniform":
        inner = lo + (hi - lo) * rng.random((n, rest))
    elif kind == "two_point":
        inner = np.where(rng.random((n, rest)) < 0.5, lo, hi)
    elif kind == "log_uniform":
        inner = np.exp(np.log(lo) + (np.log(hi) - np.log(lo)) * rng.random((n, rest)))
    elif kind == "clustered":
        width = 0.05 * (hi - lo) * rng.random((n, rest))
        near_top = rng.random((n, rest)) < 0.5
        inner = np.where(near_top, hi - width, lo + width)
    else:
        raise ValueError(f"spectrum must be one of {list(SPECTRA)}, got {kind!r}")
    eig = np.concatenate([lo, hi, inner], axis=1) if d >= 2 else inner
    return np.clip(eig, lo, hi)  # guards rounding in exp/log: stays inside [mu, L]


def orthogonal_bases(n: int, d: int, rng: np.random.Generator) -> np.ndarray:
    """``n`` Haar-random orthogonal d x d matrices, shape (n, d, d)."""
    q, r = np.linalg.qr(rng.standard_normal((n, d, d)))
    signs = np.sign(np.diagonal(r, axis1=1, axis2=2))
    signs[signs == 0] = 1.0
    return q * signs[:, None, :]


def attained(eigenvalues: np.ndarray, mu: np.ndarray, L: np.ndarray) -> tuple[bool, bool]:
    """Whether every row's smallest / largest eigenvalue equals its mu / L (the flags
    ``mu_exact`` / ``L_exact`` of a batch); always true for d >= 2."""
    return bool(np.all(eigenvalues.min(axis=1) == mu)), bool(np.all(eigenvalues.max(axis=1) == L))
