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


#: basis kinds: Haar-random (QR of a Gaussian matrix, O(d^3) per problem) or the
#: structured random basis Q = D0 C D1 C P (O(d^2 log d)); "auto" picks Haar up to
#: HAAR_UP_TO and the structured one above
BASES = ("auto", "haar", "dct")
HAAR_UP_TO = 256


def resolve_basis(basis: str, d: int) -> str:
    """The basis kind used for dimension ``d``: ``"auto"`` is ``"haar"`` for d <= 256, else ``"dct"``."""
    if basis not in BASES:
        raise ValueError(f"basis must be one of {list(BASES)}, got {basis!r}")
    if basis == "auto":
        return "haar" if d <= HAAR_UP_TO else "dct"
    return basis


def _signs(n: int, d: int, rng: np.random.Generator) -> np.ndarray:
    return np.where(rng.random((n, d)) < 0.5, -1.0, 1.0)


def _dct_matrix(d: int) -> np.ndarray:
    """The orthonormal DCT-II matrix C (C v = scipy.fft.dct(v, norm="ortho"))."""
    from scipy.fft import dct
    return dct(np.eye(d), axis=0, norm="ortho")


def rotated_spectrum(lam: np.ndarray, rng: np.random.Generator, basis: str = "haar") -> np.ndarray:
    r"""Symmetric matrices :math:`A_i = Q_i \operatorname{diag}(\lambda_i) Q_i^\top`, shape (n, d, d).

    ``basis="haar"``: :math:`Q_i` Haar-random (:func:`orthogonal_bases`), :math:`O(d^3)` per problem.
    ``basis="dct"``: the structured random orthogonal matrix :math:`Q = D_0 C D_1 C P`, with
    C the orthonormal DCT-II matrix, :math:`D_0, D_1` random sign diagonals and P a random
    permutation, applied by fast transforms in :math:`O(d^2 \log d)` per problem.  Its
    columns are dense (every coordinate of every eigenvector is mixed), but it is not
    Haar-distributed.  Both are orthogonal to rounding, so the eigenvalues of A are
    ``lam`` to a few ulps of L: mu, L (and x*) stay exact.  Methods built from gradients by
    rotation-invariant rules (gradient descent with memory) see the same distribution of
    runs under either basis; coordinate-wise ones (Adam, RMSprop, Adagrad) do not.
    """
    n, d = lam.shape
    if basis == "haar":
        Q = orthogonal_bases(n, d, rng)
        A = np.matmul(Q * lam[:, None, :], np.swapaxes(Q, 1, 2))
        return 0.5 * (A + np.swapaxes(A, 1, 2))
    if basis != "dct":
        raise ValueError(f"basis must be 'haar' or 'dct', got {basis!r}")
    from scipy.fft import dct

    perm = np.argsort(rng.random((n, d)), axis=1)
    d1, d0 = _signs(n, d, rng), _signs(n, d, rng)
    # C P diag(lam) P' C': columns of C scaled by the permuted spectrum, then C' on the right
    # (row i of X C' is dct(row i of X))
    A = _dct_matrix(d)[None] * np.take_along_axis(lam, perm, axis=1)[:, None, :]
    A = dct(A, axis=-1, norm="ortho", overwrite_x=True, workers=-1)
    A *= d1[:, :, None]
    A *= d1[:, None, :]
    A = dct(A, axis=-2, norm="ortho", overwrite_x=True, workers=-1)  # C (.) C'
    A = dct(A, axis=-1, norm="ortho", overwrite_x=True, workers=-1)
    A *= d0[:, :, None]
    A *= d0[:, None, :]
    for i in range(n):  # symmetrize in place, one problem at a time (no second (n, d, d) array)
        A[i] += A[i].T.copy()
    A *= 0.5
    return A


def orthonormal_columns(n: int, d: int, m: int, rng: np.random.Generator, basis: str = "haar") -> np.ndarray:
    """``m <= d`` orthonormal columns per problem, shape (n, d, m): the first m columns of a
    random orthogonal matrix of the named basis (see :func:`rotated_spectrum`)."""
    if basis == "haar":
        return orthogonal_bases(n, d, rng)[:, :, :m]
    from scipy.fft import dct

    perm = np.argsort(rng.random((n, d)), axis=1)[:, :m]
    d1, d0 = _signs(n, d, rng), _signs(n, d, rng)
    cols = np.ascontiguousarray(_dct_matrix(d)[:, perm].transpose(1, 0, 2))  # C P, first m columns
    cols *= d1[:, :, None]
    cols = dct(cols, axis=-2, norm="ortho", overwrite_x=True, workers=-1)
    cols *= d0[:, :, None]
    return cols
