r"""Chordal extensions of a sparsity pattern and their maximal cliques (for clique-decomposed LMIs).

Mathematics
-----------
A graph is *chordal* when every cycle of length four or more has a chord.  Eliminating the
vertices of any graph one at a time and joining the remaining neighbours of each eliminated
vertex (the fill of a symbolic Cholesky factorization) gives a chordal graph containing it;
its maximal cliques are among the sets :math:`\{v\} \cup N^+(v)` (:math:`N^+(v)`: the
neighbours of :math:`v` not yet eliminated when :math:`v` is).

Agler, Helton, McCullough and Rodman (1988): if the sparsity pattern :math:`E` of a symmetric
matrix :math:`S` is chordal with maximal cliques :math:`C_1, \dots, C_r`, then

.. math::

    S \succeq 0 \iff S = \sum_{c} E_{C_c}^\top Z_c E_{C_c} \ \text{ for some } Z_c \succeq 0,

with :math:`E_C` the rows of the identity indexed by :math:`C`.  One LMI of size :math:`n`
becomes :math:`r` LMIs of the clique sizes, coupled by linear equations: exact, no loss.
A banded pattern plus a few full rows (the class LMIs of
:mod:`memgd.proofs_check.certificates.class_sdp`) has cliques of the band's width plus the full
rows, so the cost of an interior-point iteration grows about linearly in :math:`n` instead of
like :math:`n^6`.

In code terms: :func:`chordal_cliques` eliminates by minimum degree (ties: lowest index), which
on such patterns eliminates the band first and the full rows last.
"""

from __future__ import annotations

import numpy as np


def chordal_cliques(pattern: np.ndarray) -> tuple[tuple[int, ...], ...]:
    """Maximal cliques (sorted index tuples) of a chordal extension of the symmetric boolean ``pattern``."""
    S = np.asarray(pattern, dtype=bool)
    if S.ndim != 2 or S.shape[0] != S.shape[1]:
        raise ValueError(f"pattern must be a square matrix, got shape {S.shape}")
    n = S.shape[0]
    adj = [set(np.flatnonzero(S[i] | S[:, i])) - {i} for i in range(n)]
    alive = set(range(n))
    cliques: list[frozenset[int]] = []
    while alive:
        v = min(alive, key=lambda i: (len(adj[i]), i))
        nb = adj[v]
        cliques.append(frozenset(nb | {v}))
        for u in nb:
            adj[u] |= nb - {u}
            adj[u].discard(v)
        alive.discard(v)
    maximal = [c for c in cliques if not any(c < d for d in cliques)]
    return tuple(sorted(dict.fromkeys(tuple(sorted(c)) for c in maximal)))


def clique_cover(pattern: np.ndarray, cliques: tuple[tuple[int, ...], ...]) -> bool:
    """True when every nonzero (i, j) of ``pattern`` (and every diagonal entry) lies in some clique."""
    S = np.asarray(pattern, dtype=bool) | np.eye(len(pattern), dtype=bool)
    covered = np.zeros_like(S)
    for c in cliques:
        covered[np.ix_(c, c)] = True
    return bool(np.all(covered[S]))
