r"""The theorem's symbols, with sympy assumptions, and the relations between them.

Symbols (docs/math/method.md):

.. math::

    0 < \mu \le L, \quad \alpha > 0, \quad s_{lo} \le s_{hi}, \quad
    B \ge 0, \quad W \ge \max(B, |s_{lo}|, |s_{hi}|), \quad T \in \{0, 1, 2, \dots\}.

Sympy assumptions cannot express relations between symbols, so every symbol is
declared *positive* (T a positive integer: the memory case) and the relations are
kept in :data:`RELATIONS`.  Proofs that need a relation use :data:`SLACK`, which
rewrites the dependent symbols as a base symbol plus a nonnegative slack
(:math:`L = \mu + \delta_L`, :math:`s_{hi} = s_{lo} + \delta_s`, ...), so that sympy's
sign analysis sees the relation through assumptions alone.  The no-memory case
(:math:`B = 0`, :math:`T = 0`) is reached by substitution.
"""

from __future__ import annotations

import sympy as sp

mu = sp.Symbol("mu", positive=True)            # strong convexity
L = sp.Symbol("L", positive=True)              # smoothness, L >= mu
alpha = sp.Symbol("alpha", positive=True)      # step size
T = sp.Symbol("T", positive=True, integer=True)  # largest age of a stored gradient
s_lo = sp.Symbol("s_lo", positive=True)        # min_k (a_k + sum_c b_kc); Theorem 1 needs > 0
s_hi = sp.Symbol("s_hi", positive=True)        # max_k (a_k + sum_c b_kc)
B = sp.Symbol("B", positive=True)              # memory mass max_k sum_c |b_kc|
W = sp.Symbol("W", positive=True)              # total mass max_k (|a_k| + sum_c |b_kc|)
eps = sp.Symbol("eps", positive=True)        # target accuracy r_K <= eps r_0
k = sp.Symbol("k", integer=True, nonnegative=True)  # iteration index

#: Relations the assumptions cannot carry (all hold for any combination rule).
RELATIONS: tuple[sp.core.relational.Relational, ...] = (
    sp.Ge(L, mu),
    sp.Ge(s_hi, s_lo),
    sp.Ge(W, B),
    sp.Ge(W, s_hi),
)

# Nonnegative slacks: each relation above becomes "dependent = base + slack".
d_L = sp.Symbol("delta_L", nonnegative=True)
d_s = sp.Symbol("delta_s", nonnegative=True)

#: Substitution making the relations L >= mu and s_hi >= s_lo visible to sympy's
#: sign analysis (the W relations are not needed by any sympy proof here).
SLACK: dict[sp.Symbol, sp.Expr] = {
    L: mu + d_L,
    s_hi: s_lo + d_s,
}

#: Parameter names of the numeric functions, in their fixed order.
PARAMETERS: tuple[sp.Symbol, ...] = (mu, L, alpha, s_lo, s_hi, B, W, T)

__all__ = [
    "mu", "L", "alpha", "T", "s_lo", "s_hi", "B", "W", "eps", "k",
    "RELATIONS", "SLACK", "PARAMETERS", "d_L", "d_s",
]
