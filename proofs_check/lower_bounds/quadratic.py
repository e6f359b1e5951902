r"""Quadratic lower bounds: one fixed pattern, and switching among a set (joint spectral radius).

Mathematics
-----------
On the scalar quadratic :math:`f(y) = \tfrac h2 y^2`, :math:`h \in [\mu, L]` (a member of the
class), one step of pattern :math:`\pi` (dense weights :math:`w_0..w_T`) is linear in the
state :math:`s_k = (y_k, y_{k-1}, \dots, y_{k-T})`:

.. math::

    s_{k+1} = A_\pi(h)\, s_k, \qquad
    A_\pi(h) = \begin{pmatrix} 1 - \alpha h w_0 & -\alpha h w_1 & \cdots & -\alpha h w_T \\
                               I_T & & & 0 \end{pmatrix},

the companion matrix of :math:`\chi_h` of :mod:`memgd.theory.quadratic_rate`.  For a
switching word :math:`w = \pi_1 \dots \pi_m` repeated forever,
:math:`s_{jm} = A_w^j s_0` with :math:`A_w = A_{\pi_m} \cdots A_{\pi_1}`, so from an
eigenvector start the distance decays exactly like :math:`\rho(A_w)^{j}` (Gelfand), and any
certificate :math:`\|x_k\| \le \sqrt c\,\rho^k \|x_0\|` valid for every switching sequence has

.. math::

    \rho \;\ge\; \rho(A_w(h))^{1/|w|} \quad \text{for every word } w \text{ and every } h \in [\mu, L].

The largest such value is a lower bound on the joint spectral radius of
:math:`\{A_\pi(h)\}` (Berger-Wang: the supremum over words equals it).  With one pattern and
:math:`|w| = 1` it is the exact quadratic rate.

Witness and verification: a bound is the pair (word, h).  :func:`word_radius` rebuilds the
companion matrices from the patterns and multiplies them in float64; the value reported is
this recomputation, never the search's own number.  Float64 eigenvalues of a
:math:`(T+1)\times(T+1)` product are accurate to about :math:`10^{-15}\|A_w\|`, far below
the differences the report compares (a defective eigenvalue can be off by
:math:`\sqrt{\epsilon}`; :func:`verify_witness` requires the search's value and the
recomputation to agree to ``rtol``).

Search (:func:`switching_lower_bound`): on a grid of h (all h at once, one word list), a
breadth-first branch and bound over words in the spirit of Gripenberg (1996): words are
extended one letter at a time; only necklace representatives are kept (a cyclic rotation has
the same spectral radius); a product whose bound :math:`\|A_w\|_2^{1/|w|}` does not exceed the
best value found so far at any h is pruned (Gripenberg's rule: such products cannot raise his
*upper* bound; for the lower bound it is a heuristic, since an extension :math:`wv` may still
do better), and the survivors are capped at ``beam``, keeping the largest bounds.  Pruning
never makes the result invalid — every value is an evaluated spectral radius — it only limits
how close to the joint spectral radius the search gets (for one stored gradient of age
{1, 2}, resp. {1, 2, 3}, weights (1, 1), at half the stability limit, it matches the
enumeration of all words up to length 8, resp. 6, on a 46-point h grid).  The best words of the grid are
then refined over h by a bounded Brent search.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np
from scipy.optimize import minimize_scalar

from memgd.theory import quadratic_rate
from memgd.theory.pattern import Pattern


@dataclass(frozen=True)
class QuadraticWitness:
    """A verified quadratic lower bound: ``rate = rho(A_word(h))^(1/len(word))``.

    ``word`` indexes ``patterns`` (the first letter acts first); ``verified`` is True only
    when :func:`verify_witness` recomputed ``rate`` from (patterns, word, h) in float64.
    """

    kind: str                        # "fixed pattern" or "switching"
    rate: float
    h: float
    word: tuple[int, ...]
    patterns: tuple[Pattern, ...]
    verified: bool

    def describe(self) -> str:
        if len(self.patterns) == 1:
            return f"h={self.h:.6g}"
        return f"word {'-'.join(map(str, self.word))}, h={self.h:.6g}"


def iteration_matrices(alpha: float, h: np.ndarray, patterns: Sequence[Pattern], T: int) -> np.ndarray:
    """Companion matrices A_pi(h), shape (len(h), len(patterns), T+1, T+1), state (y_k, ..., y_{k-T})."""
    h = np.atleast_1d(np.asarray(h, dtype=np.float64))
    W = np.stack([p.dense_weights(T) for p in patterns])             # (P, T+1)
    A = np.zeros((h.size, len(patterns), T + 1, T + 1))
    A[:, :, 0, :] = -alpha * h[:, None, None] * W[None]
    A[:, :, 0, 0] += 1.0
    if T > 0:
        i = np.arange(T)
        A[:, :, i + 1, i] = 1.0
    return A


def word_radius(alpha: float, h: float, patterns: Sequence[Pattern], word: Sequence[int]) -> float:
    """rho(A_w(h))^(1/|w|), recomputed from scratch in float64 (the witness check)."""
    if len(word) == 0:
        raise ValueError("word must be non-empty")
    T = max(p.T for p in patterns)
    A = iteration_matrices(alpha, np.array([h]), patterns, T)[0]
    M = np.eye(T + 1)
    for i in word:
        M = A[int(i)] @ M
    return float(np.abs(np.linalg.eigvals(M)).max()) ** (1.0 / len(word))


def verify_witness(mu: float, L: float, alpha: float, w: QuadraticWitness, *, rtol: float = 1e-9) -> QuadraticWitness:
    """Recompute the witness's rate; the returned witness carries the recomputed value and ``verified``."""
    ok = mu <= w.h <= L and len(w.word) > 0 and all(0 <= i < len(w.patterns) for i in w.word)
    value = word_radius(alpha, w.h, w.patterns, w.word) if ok else float("nan")
    ok = ok and np.isfinite(value) and abs(value - w.rate) <= rtol * max(1.0, abs(value))
    return QuadraticWitness(w.kind, value, w.h, w.word, w.patterns, bool(ok))


def fixed_pattern_lower_bound(mu: float, L: float, alpha: float, pattern: Pattern) -> QuadraticWitness:
    """The exact quadratic rate of one pattern (:func:`memgd.theory.quadratic_rate`) as a verified witness."""
    q = quadratic_rate(mu, L, alpha, pattern)
    return verify_witness(mu, L, alpha, QuadraticWitness("fixed pattern", float(q.rate), float(q.h_worst), (0,),
                                                         (pattern,), False))


def _necklace(word: tuple[int, ...]) -> bool:
    """True if ``word`` is the lexicographically least of its rotations."""
    return all(word <= word[i:] + word[:i] for i in range(1, len(word)))


def _search_at(A: np.ndarray, max_length: int, beam: int) -> tuple[np.ndarray, list[tuple[int, ...]]]:
    """Branch and bound over words for every h at once.

    ``A``: (H, P, m, m).  Returns the best value per h and its word.  Words are searched
    jointly over h (one word list), each h keeping its own best value; a word is pruned when
    its norm bound is below the best value at every h.
    """
    H, P, m, _ = A.shape
    rad1 = np.abs(np.linalg.eigvals(A)).max(axis=-1)                  # (H, P)
    best = rad1.max(axis=1)
    best_word = [(int(i),) for i in rad1.argmax(axis=1)]
    words = [(i,) for i in range(P)]
    prods = np.transpose(A, (1, 0, 2, 3)).copy()                        # (n_words, H, m, m)
    for k in range(2, max_length + 1):
        # extend every kept word by every letter: new product A_letter @ prod
        new_prods = np.einsum("hlij,whjk->wlhik", A, prods).reshape(-1, H, m, m)
        new_words = [w + (l,) for w in words for l in range(P)]
        keep = np.array([_necklace(w) for w in new_words])
        if not keep.any():
            break
        new_prods = new_prods[keep]
        new_words = [w for w, kk in zip(new_words, keep) if kk]
        rad = np.abs(np.linalg.eigvals(new_prods)).max(axis=-1) ** (1.0 / k)   # (n, H)
        i = rad.argmax(axis=0)
        better = rad[i, np.arange(H)] > best
        for hh in np.flatnonzero(better):
            best[hh] = rad[i[hh], hh]
            best_word[hh] = new_words[i[hh]]
        # prune: the norm bound must beat the best value at some h
        nb = np.linalg.norm(new_prods, ord=2, axis=(-2, -1)) ** (1.0 / k)      # (n, H)
        alive = (nb > best[None, :] * (1 + 1e-12)).any(axis=1)
        score = (nb / best[None, :]).max(axis=1)
        idx = np.flatnonzero(alive)
        if idx.size > beam:
            idx = idx[np.argsort(-score[idx])[:beam]]
        if idx.size == 0:
            break
        prods = new_prods[idx]
        words = [new_words[j] for j in idx]
    return best, best_word


def switching_lower_bound(mu: float, L: float, alpha: float, patterns: Sequence[Pattern], *, max_length: int = 6,
                          n_h: int = 17, beam: int = 300, refine: int = 3) -> QuadraticWitness:
    """Largest verified rho(A_w(h))^(1/|w|) over words up to ``max_length`` and h in [mu, L].

    A single pattern reduces to :func:`fixed_pattern_lower_bound`.  The result is at least
    the largest exact rate of a single pattern of the set (the refinement starts from it).
    """
    pats = tuple(patterns)
    if not pats:
        raise ValueError("patterns must be non-empty")
    if not (0 < mu < L) or not alpha > 0:
        raise ValueError(f"need 0 < mu < L and alpha > 0, got mu={mu!r}, L={L!r}, alpha={alpha!r}")
    if int(max_length) < 1:
        raise ValueError(f"max_length must be >= 1, got {max_length!r}")
    singles = [fixed_pattern_lower_bound(mu, L, alpha, p) for p in pats]
    i0 = int(np.argmax([s.rate for s in singles]))
    start = QuadraticWitness("switching", singles[i0].rate, singles[i0].h, (i0,), pats, False)
    if len(pats) == 1:
        return verify_witness(mu, L, alpha, start)
    T = max(p.T for p in pats)
    grid = np.linspace(mu, L, int(n_h))
    best, words = _search_at(iteration_matrices(alpha, grid, pats, T), int(max_length), int(beam))
    cands = [start]
    for j in np.argsort(-best)[: int(refine)]:
        word = words[j]
        lo, hi = grid[max(j - 1, 0)], grid[min(j + 1, grid.size - 1)]
        res = minimize_scalar(lambda h: -word_radius(alpha, h, pats, word), bounds=(lo, hi), method="bounded",
                              options={"xatol": 1e-10 * (L - mu)})
        h_best, v_best = (float(res.x), -float(res.fun)) if -res.fun > best[j] else (float(grid[j]), float(best[j]))
        cands.append(QuadraticWitness("switching", v_best, h_best, tuple(word), pats, False))
    top = max(cands, key=lambda w: (round(w.rate, 12), -len(w.word)))  # a tie goes to the shorter word
    return verify_witness(mu, L, alpha, top)
